"""DataFrames for analysts: readable columns, the search filters, lists as lists."""

import pandas as pd
import pytest

from tests.helpers import add_analysed
from voice.errors import ConfigError
from voice.frames import customers, interactions, mentions, sentences, themes


@pytest.fixture
def filled(store):
    db = store.db
    db.execute("insert into customers (id, name, segment, lifetime_value) values ('C1', 'Ana', 'Premium', 900)")
    add_analysed(store, "e1", "2026-10-05T10:00:00", "La AirPure llegó rota.", customer="C1", sentiment="negative",
                 score=-0.8, intents={"complaint": 0.9, "refund_return": 0.6}, mentions=[("airpure-500", "AirPure")],
                 experience=(20, []))
    add_analysed(store, "s1", "2026-10-07T10:00:00", "Todo bien.", channel="survey", customer="C1",
                 sentiment="positive", score=0.7, nps=9)
    add_analysed(store, "o1", "2026-10-06T10:00:00", "Le escribimos desde soporte.", direction="outbound",
                 customer="C1")
    db.execute("insert into sentences (interaction_id, idx, text, lang, sentiment, sentiment_score) values "
               "('e1', 0, 'La AirPure llegó rota.', 'es', 'negative', -0.8)")
    db.execute("insert into themes (id, name, label, status, size) values ('T001', 'Roturas', 'rota', 'active', 1)")
    db.execute("insert into theme_assignments (interaction_id, sentence_idx, theme_id, similarity) "
               "values ('e1', 0, 'T001', 0.9)")
    return store


def test_one_row_per_customer_interaction_with_readable_columns(filled):
    df = interactions(filled)
    assert list(df["id"]) == ["e1", "s1"]  # the agent's outbound mail is not the customer's voice
    e1 = df.iloc[0]
    assert (e1["customer_name"], e1["sentiment"], e1["top_intent"]) == ("Ana", "negative", "complaint")
    assert e1["intents"] == ["complaint", "refund_return"] and e1["themes"] == ["T001"]
    assert e1["products"] == ["airpure-500"] and e1["experience"] == 20
    assert pd.api.types.is_datetime64_any_dtype(df["timestamp"]) and df.iloc[1]["nps"] == 9
    assert list(interactions(filled, sentiment="positive")["id"]) == ["s1"]
    assert list(interactions(filled, product="airpure-500", until="2026-10-05")["id"]) == ["e1"]
    with pytest.raises(ConfigError, match="unknown filter"):
        interactions(filled, colour="red")


def test_sentences_mentions_customers_and_themes(filled):
    s = sentences(filled, theme="Roturas")
    assert list(s["text"]) == ["La AirPure llegó rota."] and s.iloc[0]["theme"] == "Roturas"
    m = mentions(filled)
    assert list(m["product_id"]) == ["airpure-500"] and m.iloc[0]["customer_id"] == "C1"
    c = customers(filled)
    assert c.iloc[0]["interactions"] == 3 and c.iloc[0]["lifetime_value"] == 900
    t = themes(filled)
    assert t.iloc[0]["name"] == "Roturas" and bool(t.iloc[0]["generic"]) is False
