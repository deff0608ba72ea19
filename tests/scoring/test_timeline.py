"""The customer timeline, read from a store filled row by row."""

from __future__ import annotations

import datetime as dt

import pytest

from voice.errors import VoiceError
from voice.scoring.timeline import UnknownCustomer, render, timeline

from tests.helpers import add_analysed as add


@pytest.fixture
def filled(store):
    db = store.db
    db.execute("""insert into customers (id, name, segment, lifetime_value)
                  values ('C001', 'Ana Ruiz', 'Premium', 1234.5), ('C002', 'Luis Gil', 'Estándar', 300)""")
    # Inserted out of time order on purpose: the timeline sorts.
    add(store, "i3", "2026-10-05T09:00:00+00:00", "Sigo esperando la lavadora, ¿cuándo llega?",
        thread="T1", sentiment="negative", score=-0.6, intents={"order_status": 0.9, "complaint": 0.4},
        mentions=[("LAV-100", "lavadora")],
        experience=(30.0, [{"name": "sentiment", "points": -20, "why": "negative"},
                           {"name": "repeat", "points": -15, "why": "second contact"},
                           {"name": "channel", "points": 5, "why": "email"}]))
    add(store, "i1", "2026-10-01T10:00:00+00:00", "¿Dónde está mi pedido de la lavadora?", thread="T1",
        intents={"order_status": 0.85, "praise": 0.05}, mentions=[("LAV-100", "lavadora")],
        experience=(55.0, [{"name": "sentiment", "points": 0, "why": "neutral"}]))
    add(store, "i2", "2026-10-02T12:00:00+00:00", "Su pedido sale mañana.", direction="outbound", thread="T1",
        sentiment=None)
    add(store, "i4", "2026-10-06T08:00:00+00:00", "El microondas  hace\nun ruido horrible", thread="T2",
        sentiment="negative", score=-0.8, intents={"complaint": 0.92, "technical_problem": 0.7},
        mentions=[("MIC-7", "microondas")])
    add(store, "x1", "2026-10-03T08:00:00+00:00", "Otro cliente", customer="C002", intents={"billing": 0.9})
    db.execute("""insert into relationships (customer_id, class, reason, cem, cem_trend, needs)
                  values ('C001', 'at_risk', 'two open complaints', 42.0, -25.0, '[["complaint", 0.9]]')""")
    return store


def test_entries_oldest_first_with_analysis(filled):
    tl = timeline(filled, "C001")
    assert [e.id for e in tl.entries] == ["i1", "i2", "i3", "i4"]
    assert tl.customer == {"id": "C001", "name": "Ana Ruiz", "segment": "Premium", "lifetime_value": 1234.5}
    i3 = tl.entries[2]
    assert i3.timestamp == dt.datetime(2026, 10, 5, 9, tzinfo=dt.UTC)
    assert (i3.channel, i3.direction, i3.sentiment, i3.sentiment_score) == ("email", "inbound", "negative", -0.6)
    assert i3.intents == [("order_status", 0.9), ("complaint", 0.4)]
    assert i3.products == ["LAV-100"]
    assert tl.entries[3].excerpt == "El microondas hace un ruido horrible"
    assert tl.entries[1].direction == "outbound" and tl.entries[1].experience is None


def test_experience_read_from_table(filled):
    tl = timeline(filled, "C001")
    by_id = {e.id: e for e in tl.entries}
    assert by_id["i3"].experience == 30.0
    assert [c["name"] for c in by_id["i3"].experience_why] == ["sentiment", "repeat"]
    assert by_id["i1"].experience == 55.0 and by_id["i4"].experience is None
    assert tl.cem_trend == [(dt.datetime(2026, 10, 1, 10, tzinfo=dt.UTC), 55.0),
                            (dt.datetime(2026, 10, 5, 9, tzinfo=dt.UTC), 30.0)]


def test_loops_and_relationship(filled):
    tl = timeline(filled, "C001")
    assert [(lp.opened_by, lp.intent, lp.status, lp.contacts) for lp in tl.loops] == [
        ("i1", "order_status", "open", 2), ("i4", "complaint", "open", 1), ("i4", "technical_problem", "open", 1)]
    assert tl.open[0].opened_by == "i4"
    assert {lp.intent for lp in tl.open} == {"order_status", "complaint", "technical_problem"}
    assert tl.relationship["class"] == "at_risk" and tl.relationship["needs"] == [["complaint", 0.9]]


def test_render_shows_customer_loops_and_entries(filled):
    text = render(timeline(filled, "C001"))
    lines = text.splitlines()
    assert lines[0] == "Ana Ruiz  ·  C001  ·  segment Premium  ·  value 1,234"
    assert "Relationship: at_risk — two open complaints" in text
    assert "CEM now 42 (trend -25 points)  ·  last scores 55 → 30" in text
    assert "Open loops (3)" in text
    assert "order_status: ¿Dónde está mi pedido de la lavadora?" in text
    assert "resume here" in text
    assert "2026-10-02 12:00 email  ← " in text
    assert "2026-10-05 09:00 email  → neg E 30 order_status,complaint [LAV-100] Sigo esperando" in text
    assert all(len(line) <= 100 for line in lines)
    assert all(len(line) <= 60 for line in render(timeline(filled, "C001"), width=60).splitlines())


def test_customer_without_interactions(filled):
    filled.db.execute("insert into customers (id, name) values ('C003', 'Eva Sanz')")
    tl = timeline(filled, "C003")
    assert (tl.entries, tl.loops, tl.open, tl.cem_trend, tl.relationship) == ([], [], [], [], None)
    text = render(tl)
    assert "Eva Sanz" in text and "Open loops (0)" in text and "CEM: no experience scores yet" in text


def test_unknown_customer_raises(filled):
    with pytest.raises(UnknownCustomer) as err:
        timeline(filled, "C999")
    assert isinstance(err.value, VoiceError) and isinstance(err.value, LookupError)
    assert "C999" in str(err.value) and err.value.fix


def test_resolved_by_survey_in_store(filled):
    add(filled, "s1", "2026-10-09T08:00:00+00:00", "Todo perfecto", channel="survey", thread=None,
        sentiment="positive", score=0.8, nps=10)
    tl = timeline(filled, "C001")
    assert tl.open == [] and {lp.closed_by for lp in tl.loops} == {"s1"}
    assert tl.entries[-1].scores == {"nps": 10.0}
