"""Product interest: hand-computed cases, decay, and a complaint that is not interest."""

from __future__ import annotations

import datetime as dt

import pytest

from voice.scoring.history import Item, MentionItem
from voice.scoring.interest import InterestSettings, score_interest

NOW = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)


def said(n, days_ago, text, product="airpure-500", surface="AirPure 500", intents=None, polarity=None,
         direction="inbound", channel="email"):
    start = text.find(surface)
    return Item(f"i{n}", channel, NOW - dt.timedelta(days=days_ago), direction, "C1", text=text,
                intents=intents or {}, mentions=[MentionItem(product, surface, start, start + len(surface),
                                                             polarity_score=polarity)], analysed=True)


def test_the_worked_example_of_the_readme():
    items = [said(1, 30, "¿Tenéis la AirPure 500 en stock? ¿Qué precio tiene?", intents={"price_availability": 0.9}),
             said(2, 0, "Quiero comprar la AirPure 500, ¿me hacéis presupuesto?",
                  intents={"purchase_interest": 0.95, "price_availability": 0.6})]
    [interest] = score_interest(items, NOW)
    first, second = interest.evidence
    assert first["strength"] == pytest.approx(0.57) and first["weight"] == pytest.approx(0.794, abs=1e-3)
    assert second["strength"] == pytest.approx(0.86) and second["contribution"] == pytest.approx(0.86)
    assert interest.score == pytest.approx(1 - (1 - 0.57 * 0.5 ** (30 / 90)) * (1 - 0.86), abs=1e-3)
    assert interest.score == pytest.approx(0.923, abs=1e-3)
    assert interest.last_seen == NOW and first["surface"] == "AirPure 500" and first["start"] == 11


def test_a_complaint_about_a_product_is_not_interest():
    items = [said(1, 1, "La AirPure 500 hace un ruido horrible, quiero devolverla",
                  intents={"complaint": 0.9, "refund_return": 0.8}),
             said(2, 1, "La AirPure 500 es un desastre", polarity=-0.7)]
    [interest] = score_interest(items, NOW)
    assert interest.score == 0.0
    assert [e["not_counted"] for e in interest.evidence] == ["complaint, not interest", "spoke negatively of it"]


def test_interest_decays_with_a_configurable_half_life():
    old = [said(1, 60, "Me interesa la AirPure 500", intents={"purchase_interest": 1.0})]
    assert score_interest(old, NOW)[0].score == pytest.approx(0.7 * 0.5 ** (60 / 90), abs=1e-3)
    quick = InterestSettings(half_life_days=30)
    assert score_interest(old, NOW, quick)[0].score == pytest.approx(0.7 * 0.25, abs=1e-3)


def test_positive_words_add_and_repetition_grows_towards_one():
    one = said(1, 0, "La AirPure 500 de mi hermana es genial", polarity=0.8)
    [i] = score_interest([one], NOW)
    assert i.score == pytest.approx(0.3 + 0.2 * 0.8)
    many = [said(n, 0, "Me interesa la AirPure 500", intents={"purchase_interest": 1.0}) for n in range(5)]
    score = score_interest(many, NOW)[0].score
    assert 0.99 < score < 1.0


def test_outbound_mentions_and_other_products_are_kept_apart():
    items = [said(1, 0, "Le ofrecemos la AirPure 500", direction="outbound", intents={"purchase_interest": 1.0}),
             said(2, 0, "¿Precio de la cafetera?", product="cafematic", surface="cafetera",
                  intents={"price_availability": 1.0})]
    [only] = score_interest(items, NOW)
    assert only.product_id == "cafematic" and only.score == pytest.approx(0.6)
