from voice.link import link, unlinked
from voice.records import Customer
from tests.conftest import make_call, make_email, make_survey


def links(store):
    return {r[0]: (r[1], r[2], r[3]) for r in store.db.execute(
        "select id, customer_id, link_method, link_confidence from interactions")}


def test_each_method_links_with_its_confidence(store, customers):
    store.upsert_customers(customers)
    inbound = make_email(1, sender="Ana@gmail.example")
    outbound = make_email(2, sender="soporte@lunahogar.example", to="tom@yahoo.example", direction="outbound")
    call = make_call(3, phone="+34 612 34 56 78")
    survey = make_survey(4, crm_id="C017")
    store.add_interactions([inbound, outbound, call, survey])
    result = link(store)
    got = links(store)
    assert result.linked == 4
    assert got[inbound.id] == ("C001", "email", 0.95)
    assert got[outbound.id] == ("C020", "email", 0.95)
    assert got[call.id] == ("C017", "phone", 0.9)
    assert got[survey.id] == ("C017", "crm_id", 1.0)


def test_the_strongest_evidence_wins(store, customers):
    store.upsert_customers(customers)
    # Written from Ana's address, but the survey row names C017's CRM id.
    item = make_survey(1, email="ana@gmail.example", crm_id="C017")
    store.add_interactions([item])
    link(store)
    assert links(store)[item.id] == ("C017", "crm_id", 1.0)


def test_two_customers_at_the_same_level_stay_unlinked_and_say_why(store, customers):
    store.upsert_customers(customers)
    item = make_email(1, sender="unknown@hotmail.example",
                      text="Soy Ana (ana@gmail.example), escribo también por Tom: tom@yahoo.example")
    store.add_interactions([item])
    result = link(store)
    assert result.linked == 0 and result.ambiguous == 1
    [row] = unlinked(store)
    assert row["reason"].startswith("ambiguous: mentioned matches customers C001, C020")


def test_an_address_mentioned_in_the_text_links_with_low_confidence(store, customers):
    store.upsert_customers(customers)
    item = make_email(1, sender="javi.trabajo@empresa.example",
                      text="Os escribo desde el trabajo. Mi cuenta es javier.morales@gmail.example")
    store.add_interactions([item])
    link(store)
    assert links(store)[item.id] == ("C017", "mentioned", 0.7)


def test_a_reply_from_another_address_links_through_its_thread(store, customers):
    store.upsert_customers(customers)
    first = make_email(1, sender="ana@gmail.example")
    reply = make_email(2, sender="ana.trabajo@empresa.example", thread=first.external_id)
    store.add_interactions([first, reply])
    link(store)
    assert links(store)[reply.id] == ("C001", "thread", 0.85)


def test_a_respondent_id_learned_from_one_reply_links_the_next(store, customers):
    store.upsert_customers(customers)
    known = make_survey(1, email="tom@yahoo.example", respondent="R-77")
    anonymous = make_survey(2, respondent="R-77", comment="Otra vez tarde")
    store.add_interactions([known, anonymous])
    link(store)
    got = links(store)
    assert got[known.id] == ("C020", "email", 0.95)
    assert got[anonymous.id] == ("C020", "respondent_id", 0.98)


def test_customers_imported_later_link_earlier_interactions(store, customers):
    early = [make_email(1, sender="ana@gmail.example"), make_call(2)]
    store.add_interactions(early)
    assert link(store).linked == 0
    assert {r["reason"] for r in unlinked(store)} == {"no customer has these handles"}
    store.upsert_customers(customers)
    assert link(store).linked == 2
    assert unlinked(store) == []


def test_an_interaction_with_no_handles_says_so(store):
    store.add_interactions([make_call(1, phone=None, customer_text="Hola")])
    [row] = unlinked(store)
    assert row["handles"] is None and row["reason"].startswith("no handle to match")


def test_linking_never_moves_an_interaction_already_linked(store, customers):
    store.upsert_customers(customers)
    item = make_email(1, sender="ana@gmail.example")
    store.add_interactions([item])
    link(store)
    # The address is later found to belong to someone else in a new export: the link stays put.
    store.db.execute("update identities set customer_id = 'C020' where value = 'ana@gmail.example'")
    assert link(store).linked == 0
    assert links(store)[item.id][0] == "C001"


def test_an_email_shared_by_two_customers_is_flagged_not_moved(store, customers):
    store.upsert_customers(customers)
    dup = Customer("C099", "Ana's partner", emails=["ana@gmail.example"], source_path="crm2.csv", source_pos="row 5")
    counts, problems = store.upsert_customers([dup])
    assert counts.added == 1
    [problem] = problems
    assert "listed for customers C001 and C099" in str(problem) and problem.position == "row 5"
    owner = store.db.execute("select customer_id from identities where value = 'ana@gmail.example'").fetchone()[0]
    assert owner == "C001"


def test_reimporting_a_customer_updates_the_record(store, customers):
    store.upsert_customers(customers)
    changed = Customer("C001", "Ana Ruiz Gil", emails=["ana@gmail.example", "ana.ruiz@work.example"],
                       segment="Premium", lifetime_value=2000.0)
    counts, problems = store.upsert_customers([changed])
    assert (counts.added, counts.updated, problems) == (0, 1, [])
    c = store.customer("C001")
    assert c["name"] == "Ana Ruiz Gil" and c["lifetime_value"] == 2000.0
    assert {i["value"] for i in c["identities"]} >= {"ana@gmail.example", "ana.ruiz@work.example", "C001"}


def test_invalid_phone_is_reported_and_the_customer_kept(store):
    counts, problems = store.upsert_customers([Customer("C5", "X", phones=["12"], source_path="crm.csv",
                                                        source_pos="row 9")])
    assert counts.added == 1
    assert "not a valid phone number" in str(problems[0]) and problems[0].position == "row 9"
