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
    assert first["strength"] == pytest.approx(0.465) and first["weight"] == pytest.approx(0.794, abs=1e-3)
    assert second["strength"] == pytest.approx(0.835) and second["contribution"] == pytest.approx(0.835)
    assert interest.score == pytest.approx(1 - (1 - 0.465 * 0.5 ** (30 / 90)) * (1 - 0.835), abs=1e-3)
    assert interest.score == pytest.approx(0.896, abs=1e-3)
    assert interest.last_seen == NOW and first["surface"] == "AirPure 500" and first["start"] == 11


def test_a_complaint_about_a_product_is_not_interest():
    items = [said(1, 1, "La AirPure 500 hace un ruido horrible, quiero devolverla",
                  intents={"complaint": 0.9, "refund_return": 0.8}),
             said(2, 1, "La AirPure 500 es un desastre", polarity=-0.7)]
    [interest] = score_interest(items, NOW)
    assert interest.score == 0.0
    assert [e["not_counted"] for e in interest.evidence] == ["complaint, not interest", "spoke badly of it"]


def test_frustration_with_a_wish_to_buy_is_still_interest():
    items = [said(1, 0, "It's been out of stock for weeks, I'd like to pre-order the AirPure 500",
                  intents={"purchase_interest": 0.8}, polarity=-0.7),
             said(2, 0, "La AirPure 500 no está nunca, qué pena", polarity=-0.3)]  # mildly negative: just named
    [interest] = score_interest(items, NOW)
    first, second = interest.evidence
    assert first["strength"] == pytest.approx(0.15 + 0.5 * 0.8) and second["strength"] == pytest.approx(0.15)


def test_interest_decays_with_a_configurable_half_life():
    old = [said(1, 60, "Me interesa la AirPure 500", intents={"purchase_interest": 1.0})]
    assert score_interest(old, NOW)[0].score == pytest.approx(0.65 * 0.5 ** (60 / 90), abs=1e-3)
    quick = InterestSettings(half_life_days=30)
    assert score_interest(old, NOW, quick)[0].score == pytest.approx(0.65 * 0.25, abs=1e-3)


def test_positive_words_add_and_repetition_grows_towards_one():
    one = said(1, 0, "La AirPure 500 de mi hermana es genial", polarity=0.8)
    [i] = score_interest([one], NOW)
    assert i.score == pytest.approx(0.15 + 0.15 * 0.8)
    many = [said(n, 0, "Me interesa la AirPure 500", intents={"purchase_interest": 1.0}) for n in range(5)]
    score = score_interest(many, NOW)[0].score
    assert 0.99 < score < 1.0


def test_outbound_mentions_and_other_products_are_kept_apart():
    items = [said(1, 0, "Le ofrecemos la AirPure 500", direction="outbound", intents={"purchase_interest": 1.0}),
             said(2, 0, "¿Precio de la cafetera?", product="cafematic", surface="cafetera",
                  intents={"price_availability": 1.0})]
    [only] = score_interest(items, NOW)
    assert only.product_id == "cafematic" and only.score == pytest.approx(0.5)


def test_each_mention_reads_the_intents_of_its_own_sentences():
    text = "La cafetera CafeMatic pierde agua. Deja un charco. Aparte, quiero comprar la AirPure 500."
    item = Item("i1", "email", NOW, "inbound", "C1", text=text, analysed=True,
                intents={"purchase_interest": 0.9, "complaint": 0.4},
                mentions=[MentionItem("cafematic", "cafetera CafeMatic", 3, 21, sentence_idx=0),
                          MentionItem("airpure-500", "AirPure 500", 74, 85, sentence_idx=2)],
                sentence_intents={0: {"technical_problem": 0.8}, 2: {"purchase_interest": 0.9}})
    scores = {i.product_id: i.score for i in score_interest([item], NOW)}
    assert scores == {"cafematic": 0.0, "airpure-500": pytest.approx(0.15 + 0.5 * 0.9)}
    item.sentence_intents = None  # an analysis with no intents per sentence: the interaction's count for all
    scores = {i.product_id: i.score for i in score_interest([item], NOW)}
    assert scores["cafematic"] == pytest.approx(0.15 + 0.5 * 0.9)


def test_the_next_sentence_counts_unless_it_names_another_product():
    asks_after = Item("i1", "email", NOW, "inbound", "C1", text="Vi la AirPure 500. ¿Qué precio tiene?", analysed=True,
                      mentions=[MentionItem("airpure-500", "AirPure 500", 6, 17, sentence_idx=0)],
                      sentence_intents={1: {"price_availability": 1.0}})
    assert score_interest([asks_after], NOW)[0].score == pytest.approx(0.5)
    other_next = Item("i2", "email", NOW, "inbound", "C1", text="Tengo la CafeMatic. Quiero la AirPure 500.",
                      analysed=True, mentions=[MentionItem("cafematic", "CafeMatic", 9, 18, sentence_idx=0),
                                               MentionItem("airpure-500", "AirPure 500", 30, 41, sentence_idx=1)],
                      sentence_intents={1: {"purchase_interest": 1.0}})
    scores = {i.product_id: i.score for i in score_interest([other_next], NOW)}
    assert scores == {"cafematic": pytest.approx(0.15), "airpure-500": pytest.approx(0.65)}
