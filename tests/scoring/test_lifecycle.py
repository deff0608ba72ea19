"""Lifecycle stages: a documented rule over the contact history and the relationship class."""

import datetime as dt

from voice.scoring.history import Item
from voice.scoring.lifecycle import stage

NOW = dt.datetime(2026, 11, 30)


def _items(*days_ago):
    return [Item(f"i{n}", "email", NOW - dt.timedelta(days=d)) for n, d in enumerate(days_ago)]


def test_each_stage_by_its_rule():
    assert stage(_items(400, 200), "passive", 70, NOW) == "lapsed"  # nothing for 200 days
    assert stage(_items(30, 5), "at_risk", 20, NOW) == "at_risk"
    assert stage(_items(20), "passive", None, NOW) == "new"  # first contact 20 days ago, once
    assert stage(_items(500, 200, 30, 10), "promoter", 80, NOW) == "loyal"  # a year and more, 4 contacts
    assert stage(_items(500, 200, 30, 10), "detractor", 40, NOW) == "active"  # in touch, but not happy
    assert stage(_items(60, 40, 10), "passive", 50, NOW) == "active"
    assert stage([], "passive", None, NOW) is None  # a CRM record that never wrote
