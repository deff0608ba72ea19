"""Relationship classes, value bands and the two customer-intelligence lists, rule by rule."""

from __future__ import annotations

import datetime as dt

import pytest

from voice.scoring.history import Item
from voice.scoring.relationship import (Relationship, classify, is_potentially_profitable, is_valuable_at_risk,
                                        needs, value_bands)

NOW = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)


def item(n, days_ago=1, intents=None, nps=None):
    return Item(f"i{n}", "survey" if nps is not None else "email", NOW - dt.timedelta(days=days_ago),
                intents=intents or {}, scores={"nps": nps} if nps is not None else {}, analysed=True)


@pytest.mark.parametrize("items, cem, trend, open_problem, expected", [
    ([item(1, intents={"cancel_churn": 0.9})], 80, 0, False, "at_risk"),
    ([item(1, days_ago=200, intents={"cancel_churn": 0.9})], 80, 0, False, "promoter"),  # an old threat
    ([item(1, intents={"cancel_churn": 0.6})], 60, 0, False, "passive"),  # below the churn confidence
    ([item(1)], 35, -12, False, "at_risk"),
    ([item(1)], 35, -5, False, "detractor"),
    ([item(1, nps=5)], 60, 0, True, "at_risk"),
    ([item(1, nps=5)], 60, 0, False, "detractor"),
    ([item(1, nps=3, days_ago=10), item(2, nps=9)], 40, 0, False, "promoter"),  # the latest answer counts
    ([item(1, nps=8)], 90, 0, False, "passive"),
    ([], None, None, False, "passive"),
])
def test_class_rules(items, cem, trend, open_problem, expected):
    cls, reason = classify(items, cem, trend, open_problem, NOW)
    assert cls == expected and reason


def test_value_bands_rank_customers():
    values = {f"C{i}": float(i * 100) for i in range(1, 11)} | {"X": None}
    bands = value_bands(values)
    assert [bands[f"C{i}"] for i in (10, 9, 8, 5, 4, 3, 1)] == ["high", "high", "medium", "medium", "low", "low", "low"]
    assert bands["X"] == "unknown"


def test_lists():
    rich_angry = Relationship("A", "detractor", "NPS 2", 30, -20, 2, 9000, "high")
    rich_happy = Relationship("B", "promoter", "NPS 10", 44, -15, 10, 9000, "high")
    rich_sliding = Relationship("C", "passive", "NPS 8", 60, -12, 8, 9000, "high")
    mid_angry = Relationship("D", "at_risk", "threat", 20, -30, None, 500, "medium")
    assert [r.customer_id for r in (rich_angry, rich_happy, rich_sliding, mid_angry) if is_valuable_at_risk(r)] \
        == ["A", "C"]
    assert is_valuable_at_risk(mid_angry, include_medium=True)
    keen = Relationship("E", "passive", "", 60, 0, None, 50, "low", interests=[("airpure-500", 0.7)])
    lukewarm = Relationship("F", "passive", "", 60, 0, None, 50, "low", interests=[("airpure-500", 0.4)])
    keen_rich = Relationship("G", "passive", "", 60, 0, None, 9000, "high", interests=[("airpure-500", 0.9)])
    assert [r.customer_id for r in (keen, lukewarm, keen_rich) if is_potentially_profitable(r)] == ["E"]


def test_needs_weighs_intents_by_confidence():
    items = [item(1, intents={"complaint": 0.9, "order_status": 0.6}), item(2, intents={"complaint": 0.8}),
             item(3, intents={"billing": 0.4})]
    assert needs(items) == [("complaint", 1.7), ("order_status", 0.6)]
