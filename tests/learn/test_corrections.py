"""Analysts' corrections: stored with who and when, applied at once, kept through a new analysis."""

import csv
from pathlib import Path

import pytest

from tests.helpers import add_analysed
from voice.errors import InputError, NotFound
from voice.learn import correct, export_sentiment_rows, list_corrections, reapply


@pytest.fixture
def analysed(store):
    add_analysed(store, "i1", "2026-10-01T10:00:00", "Llevo ocho minutos con la musiquita. No me fío nada.",
                 sentiment="positive", score=0.4, intents={"praise": 0.8})
    store.db.conn.executemany(
        "insert into sentences (interaction_id, idx, text, lang, sentiment, sentiment_score) values (?, ?, ?, ?, ?, ?)",
        [("i1", 0, "Llevo ocho minutos con la musiquita.", "es", "positive", 0.2),
         ("i1", 1, "No me fío nada.", "es", "positive", 0.8)])
    return store


def _row(store, sql, *args):
    return store.db.execute(sql, list(args)).fetchone()


def test_a_correction_is_kept_with_who_and_when_and_wins_at_once(analysed):
    c = correct(analysed, "i1", "sentiment", "negative", sentence=1, by="ana")
    assert c.by == "ana" and c.at and c.value == "negative"
    assert _row(analysed, "select sentiment, sentiment_score from sentences where idx = 1") == ("negative", -1.0)
    correct(analysed, "i1", "sentiment", "negative", by="ana")
    assert _row(analysed, "select sentiment from analyses where interaction_id = 'i1'")[0] == "negative"
    correct(analysed, "i1", "intent", ["complaint", "cancel_churn"], by="luis")
    intents = analysed.db.execute("select intent, confidence, model from intents order by intent").fetchall()
    assert [tuple(r) for r in intents] == [("cancel_churn", 1.0, "correction"), ("complaint", 1.0, "correction")]
    assert [(r.field, r.by) for r in list_corrections(analysed)] == [("intent", "luis"), ("sentiment", "ana"),
                                                                     ("sentiment", "ana")]


def test_a_corrected_sentence_moves_its_interaction_unless_that_was_corrected_too(analysed):
    # the model read "No me fío nada." as praise (+0.8) and the whole call as positive (+0.4)
    correct(analysed, "i1", "sentiment", "negative", sentence=1)
    label, score = _row(analysed, "select sentiment, sentiment_score from analyses where interaction_id = 'i1'")
    # the corrected sentence (-1, full weight) outweighs the other (+0.2, weight 0.2)
    assert label == "negative" and score == pytest.approx((0.2 * 0.2 + 1.0 * -1.0) / 1.2, abs=0.01)
    correct(analysed, "i1", "sentiment", "neutral", by="ana")  # the analyst says what the whole is
    correct(analysed, "i1", "sentiment", "positive", sentence=0)
    assert _row(analysed, "select sentiment from analyses where interaction_id = 'i1'")[0] == "neutral"


def test_the_latest_correction_wins_again_after_a_new_analysis(analysed):
    correct(analysed, "i1", "sentiment", "neutral", sentence=1, by="ana")
    correct(analysed, "i1", "sentiment", "negative", sentence=1, by="ana")  # changed her mind: the latest counts
    correct(analysed, "i1", "intent", "complaint")
    # a new analysis rewrites the rows with the model's output
    analysed.db.execute("update sentences set sentiment = 'positive', sentiment_score = 0.8 where idx = 1")
    analysed.db.execute("delete from intents")
    analysed.db.execute("insert into intents (interaction_id, intent, confidence) values ('i1', 'praise', 0.8)")
    assert reapply(analysed, ["i1"]) == 2
    assert _row(analysed, "select sentiment from sentences where idx = 1")[0] == "negative"
    assert [r[0] for r in analysed.db.execute("select intent from intents")] == ["complaint"]


def test_bad_corrections_say_what_to_do(analysed):
    with pytest.raises(InputError, match="not a sentiment"):
        correct(analysed, "i1", "sentiment", "angry")
    with pytest.raises(NotFound, match="no sentence 7"):
        correct(analysed, "i1", "sentiment", "negative", sentence=7)
    with pytest.raises(NotFound, match="no analysed interaction"):
        correct(analysed, "nope", "sentiment", "negative")
    with pytest.raises(InputError, match="per sentence"):
        correct(analysed, "i1", "theme", "T001")
    with pytest.raises(NotFound, match="no theme"):
        correct(analysed, "i1", "theme", "T999", sentence=0)
    with pytest.raises(InputError, match="cannot come with others"):
        correct(analysed, "i1", "intent", ["other", "complaint"])
    assert list_corrections(analysed) == []  # nothing half-stored


def test_corrected_sentiments_become_training_rows(analysed, tmp_path):
    correct(analysed, "i1", "sentiment", "neutral", sentence=1)
    correct(analysed, "i1", "sentiment", "negative", sentence=1)
    correct(analysed, "i1", "sentiment", "negative")
    n = export_sentiment_rows(analysed, tmp_path / "rows.csv")
    rows = list(csv.DictReader(open(tmp_path / "rows.csv", encoding="utf-8")))
    assert n == 2 and rows == [
        {"text": "No me fío nada.", "label": "negative", "lang": "es"},
        {"text": "Llevo ocho minutos con la musiquita. No me fío nada.", "label": "negative", "lang": ""}]
    from voice.sentiment.finetune import read_user_rows

    assert [e.label for e in read_user_rows(tmp_path / "rows.csv")] == ["negative", "negative"]


def test_a_correction_re_scores_its_customer(store):
    import datetime as dt

    from voice.scoring import score

    store.db.execute("insert into customers (id, name) values ('C001', 'Ana Ruiz'), ('C002', 'Luis Gil')")
    add_analysed(store, "a1", "2026-10-01T10:00:00+00:00", "Todo perfecto, gracias", customer="C001",
                 channel="survey", sentiment="positive", score=0.9)
    add_analysed(store, "b1", "2026-10-01T10:00:00+00:00", "Bien", customer="C002", channel="survey",
                 sentiment="positive", score=0.5)
    as_of = dt.datetime(2026, 10, 20, tzinfo=dt.timezone.utc)
    score(store, as_of=as_of)
    before = store.db.execute("select score from experience where interaction_id = 'a1'").fetchone()[0]
    correct(store, "a1", "sentiment", "negative", by="ana")  # it was sarcasm
    report = score(store, as_of=as_of)
    assert (report.customers, report.unchanged) == (1, 1)  # Ana again, Luis untouched
    after = store.db.execute("select score from experience where interaction_id = 'a1'").fetchone()[0]
    assert after < before - 20


def test_corrected_intents_become_taxonomy_examples(store, tmp_path):
    import yaml

    from voice.intent import load_taxonomy
    from voice.learn import export_intent_examples

    texts = {"a": ("es", "Quiero devolver la lavadora, llegó rota."), "b": ("en", "Please refund the broken fridge."),
             "c": ("es", "¿Qué tiempo hace hoy en Madrid?"), "d": ("en", "My parcel was sent to the wrong town."),
             "e": ("en", "The courier left my parcel at the wrong address."), "f": ("es", "Solo una duda rara.")}
    for iid, (lang, text) in texts.items():
        add_analysed(store, iid, "2026-10-01T10:00:00", text, intents={"praise": 0.6})
        store.db.execute("update analyses set lang = ? where interaction_id = ?", [lang, iid])
        store.db.execute("insert into sentences (interaction_id, idx, text, lang) values (?, 0, ?, ?)", [iid, text, lang])
    store.db.execute("insert into sentences (interaction_id, idx, text, lang, kind) values ('a', 1, 'Un saludo.', 'es', 'signoff')")
    correct(store, "a", "intent", "praise")
    correct(store, "a", "intent", ["refund_return", "complaint"])  # the latest counts
    correct(store, "b", "intent", "refund_return")
    correct(store, "c", "intent", "other")
    correct(store, "d", "intent", "wrong_address")  # not in the taxonomy: two examples make a new intent
    correct(store, "e", "intent", "wrong_address")
    correct(store, "f", "intent", "rare_question")  # one example: not enough, skipped and counted
    default = Path(__file__).resolve().parents[2] / "models" / "intents" / "default.yaml"
    with pytest.warns(UserWarning, match="wrong_address"):  # two examples train, with a warning
        out = export_intent_examples(store, default, tmp_path / "mine.yaml")
    assert out.added == {"refund_return": 2, "complaint": 1, "out_of_scope": 1, "wrong_address": 2}
    assert out.skipped == {"rare_question": 1}
    with pytest.warns(UserWarning):
        tax = load_taxonomy(tmp_path / "mine.yaml")
    by_id = {i.id: i for i in tax.intents}
    assert "Quiero devolver la lavadora, llegó rota." in by_id["refund_return"].examples["es"]  # no sign-off
    assert "Please refund the broken fridge." in by_id["refund_return"].examples["en"]
    assert "Quiero devolver la lavadora, llegó rota." in by_id["complaint"].examples["es"]
    assert "praise" in by_id and "Quiero devolver" not in " ".join(by_id["praise"].texts)
    assert "¿Qué tiempo hace hoy en Madrid?" in tax.out_of_scope["es"]
    assert set(by_id["wrong_address"].texts) == {texts["d"][1], texts["e"][1]}
    original = yaml.safe_load(default.read_text(encoding="utf-8"))
    assert len(tax.intents) == len(original["intents"]) + 1  # the others kept as they were
