"""Analysts' corrections: stored with who and when, applied at once, kept through a new analysis."""

import csv

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
