"""The scoring run: what it stores, and that re-running touches only what changed."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from voice.scoring import (experience_by, interested, potentially_profitable, score, valuable_at_risk,
                           value_needs)

from tests.helpers import add_analysed as add

AS_OF = dt.datetime(2026, 10, 20, tzinfo=dt.timezone.utc)


@pytest.fixture
def filled(store):
    store.db.execute("""insert into customers (id, name, lifetime_value, consent) values
        ('C001', 'Ana Ruiz', 5000, '{"marketing": true}'), ('C002', 'Luis Gil', 100, '{"marketing": false}'),
        ('C003', 'Eva Sanz', 300, null), ('C004', 'Sin Contacto', 2000, null)""")
    add(store, "a1", "2026-10-01T10:00:00+00:00", "La lavadora EcoWash llegó rota", customer="C001",
        sentiment="negative", score=-0.8, intents={"complaint": 0.9}, mentions=[("ecowash", "EcoWash")])
    add(store, "a2", "2026-10-03T10:00:00+00:00", "Si no me la cambian me doy de baja", customer="C001",
        channel="call", thread=None, sentiment="negative", score=-0.9, intents={"cancel_churn": 0.95})
    add(store, "b1", "2026-10-10T10:00:00+00:00", "¿Tenéis la AirPure 500? ¿Qué precio tiene?", customer="C002",
        thread="B", intents={"price_availability": 0.9, "purchase_interest": 0.7},
        mentions=[("airpure-500", "AirPure 500")])
    add(store, "c1", "2026-10-12T10:00:00+00:00", "Todo perfecto", customer="C003", channel="survey", thread=None,
        sentiment="positive", score=0.9, survey={"nps": 10, "touchpoint": "entrega"})
    add(store, "u1", "2026-10-12T11:00:00+00:00", "Muy mal", customer=None, channel="survey", thread=None,
        sentiment="negative", score=-0.9, survey={"nps": 1, "touchpoint": "delivery"})
    return store


def snapshot(store):
    return {t: store.db.execute(f"select * from {t} order by 1, 2").fetchall()
            for t in ("experience", "interest", "relationships", "open_loops")}


def test_a_run_stores_scores_with_their_reasons(filled):
    report = score(filled, as_of=AS_OF)
    assert (report.customers, report.unchanged, report.interactions) == (4, 0, 5)
    assert report.classes == {"at_risk": 1, "passive": 2, "promoter": 1}
    rel = {r[0]: r[1:] for r in filled.db.execute("select customer_id, class, reason, value_band from relationships")}
    assert rel["C001"] == ("at_risk", "threatened to leave (call, 2026-10-03)", "high")
    assert rel["C003"][0] == "promoter" and rel["C004"] == ("passive", "no scored contact yet", "medium")
    comps = json.loads(filled.db.execute("select components from experience where interaction_id = 'a2'").fetchone()[0])
    names = {c["name"] for c in comps}
    assert names >= {"text_sentiment", "channel_switch", "intent_cancel_churn"}
    assert "repeat_contact" not in names  # a churn threat is not the same topic as the complaint two days before
    loops = filled.db.execute("select customer_id, intent, status from open_loops order by 1, 2").fetchall()
    assert ("C001", "complaint", "open") in loops and ("C001", "cancel_churn", "open") in loops
    assert filled.db.execute("select customer_id, touchpoint from experience where interaction_id = 'u1'"
                             ).fetchone() == (None, "delivery")


def test_rerun_is_idempotent_and_incremental(filled):
    score(filled, as_of=AS_OF)
    before = snapshot(filled)
    again = score(filled, as_of=AS_OF)
    assert (again.customers, again.unchanged, again.interactions) == (0, 4, 0)
    assert snapshot(filled) == before
    # a new message from C002 re-scores C002 only
    add(filled, "b2", "2026-10-15T10:00:00+00:00", "Quiero comprar la AirPure 500", customer="C002", thread="B",
        intents={"purchase_interest": 0.95}, mentions=[("airpure-500", "AirPure 500")])
    third = score(filled, as_of=AS_OF)
    assert third.customers == 1 and third.unchanged == 3
    runs = dict(filled.db.execute("select customer_id, run_id from relationships").fetchall())
    assert runs["C002"] == third.run_id and runs["C001"] == runs["C003"] == third.run_id - 2
    after = filled.db.execute("select score from interest where customer_id = 'C002'").fetchone()[0]
    old = [r for r in before["interest"] if r[0] == "C002"][0][2]
    assert after > old
    assert score(filled, as_of=AS_OF, full=True).customers == 4
    from voice.scoring import ExperienceSettings, ScoreSettings

    other = ScoreSettings(experience=ExperienceSettings(repeat_days=3))
    assert score(filled, as_of=AS_OF, settings=other).customers == 4  # new settings: everyone again


def test_an_interaction_linked_later_moves_to_its_customer(filled):
    score(filled, as_of=AS_OF)
    filled.db.execute("update interactions set customer_id = 'C004' where id = 'u1'")
    report = score(filled, as_of=AS_OF)
    assert report.customers == 1
    assert filled.db.execute("select customer_id from experience where interaction_id = 'u1'").fetchone() == ("C004",)
    assert filled.db.execute("select class from relationships where customer_id = 'C004'").fetchone() == ("detractor",)


def test_the_lists_read_back(filled):
    score(filled, as_of=AS_OF)
    [row] = interested(filled, "airpure-500")
    assert row["customer_id"] == "C002" and row["interest"] > 0.6 and "asked price/stock" in row["evidence"]
    assert row["consent"] == {"marketing": False}
    assert [r["customer_id"] for r in valuable_at_risk(filled)] == ["C001"]
    assert [r["customer_id"] for r in potentially_profitable(filled)] == ["C002"]
    view = value_needs(filled)
    assert view["high"]["dominant_intents"][0][0] in ("complaint", "cancel_churn")
    assert view["low"]["interests"] == [("airpure-500", 1)]
    by_tp = experience_by(filled, "touchpoint", as_of=AS_OF)
    assert by_tp["delivery"]["count"] == 2  # "entrega" and "delivery" are one touchpoint
