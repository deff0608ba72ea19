from voice.errors import MalformedRecord
from tests.conftest import make_call, make_email, make_survey


def test_batch_is_written_with_turns_handles_and_scores(store):
    counts = store.add_interactions([make_email(1), make_call(2), make_survey(3, email="x@y.example", nps=3)])
    assert (counts.added, counts.duplicates) == (3, 0)
    call = store.interaction(make_call(2).id)
    assert [t["role"] for t in call["turns"]] == ["agent", "customer"]
    assert call["turns"][1]["start"] == 3.0 and call["turns"][1]["end"] == 8.5
    assert {"kind": "phone", "value": "+34612345678", "role": "caller", "customer_side": 1} in call["handles"]
    survey = store.interaction(make_survey(3, email="x@y.example", nps=3).id)
    assert survey["scores"] == {"nps": 3.0, "csat": None, "ces": None, "touchpoint": "entrega"}


def test_same_content_twice_is_stored_once(store):
    store.add_interactions([make_email(1), make_email(2)])
    again = store.add_interactions([make_email(1), make_email(2), make_email(3), make_email(3)])
    assert (again.added, again.duplicates) == (1, 3)
    assert store.count("interactions") == 3


def test_company_addresses_are_not_customer_handles(store):
    store.add_interactions([make_email(1)])
    handles = store.interaction(make_email(1).id)["handles"]
    side = {h["value"]: h["customer_side"] for h in handles}
    assert side == {"ana@gmail.example": 1, "soporte@lunahogar.example": 0}


def test_handles_the_customer_wrote_in_the_text_are_kept_as_mentioned(store):
    item = make_email(1, sender="otra@hotmail.example",
                      text="Escribo desde otra cuenta; mi correo es Javier.Morales@gmail.example y mi móvil 612 345 678.")
    store.add_interactions([item])
    mentioned = {(h["kind"], h["value"]) for h in store.interaction(item.id)["handles"] if h["role"] == "mentioned"}
    assert mentioned == {("email", "javier.morales@gmail.example"), ("phone", "+34612345678")}


def test_full_text_search_ignores_accents(store):
    store.add_interactions([make_email(1, text="La entrega llegó tardísimo"), make_email(2, text="Gracias")])
    hits = [r[0] for r in store.db.execute(
        "select rowid from interactions_fts where interactions_fts match 'tardisimo'")]
    assert len(hits) == 1


def test_reply_chains_join_the_root_thread(store):
    root = make_email(1)  # thread = m1
    reply = make_email(2, thread="m1@x.example")  # names the root in References
    reply.external_id = "m2@x.example"
    late = make_email(3, thread="m2@x.example")  # names only its parent (In-Reply-To)
    store.add_interactions([root, reply, late])
    store.resolve_threads()
    threads = {r[0] for r in store.db.execute("select thread_id from interactions")}
    assert threads == {"m1@x.example"}


def test_quarantine_keeps_one_row_per_place_and_counts_repeats(store):
    err = MalformedRecord("row has no id.", source="crm.csv", position="row 7", fix="give it an id.")
    store.quarantine([err], run_id=None)
    store.quarantine([err], run_id=None)
    rows = store.quarantined()
    assert len(rows) == 1
    assert rows[0]["times_seen"] == 2 and rows[0]["fix"] == "give it an id." and rows[0]["position"] == "row 7"
