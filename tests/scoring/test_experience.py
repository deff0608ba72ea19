"""Experience (CEM) per interaction: each component on hand-built histories."""

from __future__ import annotations

import datetime as dt

import pytest

from voice.scoring.experience import (decay, score_interactions, summarise, touchpoint_of,
                                      trend, weighted_experience)
from voice.scoring.history import Item

T0 = dt.datetime(2026, 10, 1, 10, tzinfo=dt.timezone.utc)


def item(n, *, days=0.0, channel="email", text="texto", sentiment="neutral", score=0.0, intents=None,
         scores=None, thread=None, direction="inbound", duration=None, agents=0, touchpoint=None, analysed=True):
    return Item(f"i{n}", channel, T0 + dt.timedelta(days=days), direction, "C1", thread, None, text, sentiment, score,
                intents or {}, [], scores or {}, touchpoint, duration, agents, analysed)


def parts(exp):
    return {c.name: c.points for c in exp.components}


def test_text_alone_maps_sentiment_to_0_100():
    [neg, neu, pos] = score_interactions([item(1, score=-0.8, sentiment="negative"), item(2, days=30),
                                          item(3, days=60, score=0.6, sentiment="positive")])
    assert (neg.score, neu.score, pos.score) == (10.0, 50.0, 80.0)
    assert parts(neg) == {"text_sentiment": pytest.approx(-40.0)}


def test_survey_scores_weigh_twice_the_text_and_ces_seven_is_easy():
    # feeling = (1 * -0.2 + 2 * (0 - 5) / 5 + 2 * (1 - 3) / 2 + 1 * (1 - 4) / 3) / 6 = -5.2 / 6
    [e] = score_interactions([item(1, score=-0.2, scores={"nps": 0, "csat": 1, "ces": 1})])
    assert e.score == pytest.approx(50 + 50 * (-5.2 / 6), abs=0.05)
    assert sum(parts(e).values()) == pytest.approx(e.score - 50, abs=0.05)  # the components add up
    [easy] = score_interactions([item(1, scores={"ces": 7}, analysed=False, text="")])
    assert easy.score == 100.0


def test_effort_signals():
    history = [
        item(1, text="La lavadora llegó rota", intents={"complaint": 0.9}, thread="T"),
        item(2, days=1, direction="outbound", thread="T", analysed=False),
        item(3, days=2, text="Sigo sin lavadora", intents={"complaint": 0.8}, thread="T"),
        item(4, days=3, channel="call", text="Llamo por tercera vez, ya lo he explicado",
             intents={"complaint": 0.9}, duration=14 * 60, agents=3),
        item(5, days=20, text="Otra cosa: quiero una factura", intents={"billing": 0.9}),
    ]
    first, second, call, later = score_interactions(history)
    assert "repeat_contact" not in parts(first)
    assert parts(second)["repeat_contact"] == -8.0 and "long_thread" not in parts(second)
    p = parts(call)
    assert p["repeat_contact"] == -16.0  # two earlier contacts on the complaint within 7 days
    assert p["channel_switch"] == -5.0 and p["long_call"] == -5.0 and p["transfers"] == -10.0
    assert p["repeating_themselves"] == -5.0 and p["intent_complaint"] == pytest.approx(-9.0)
    assert call.score < second.score < first.score
    assert "repeat_contact" not in parts(later) and "channel_switch" not in parts(later)  # 17 days later, other topic


def test_third_message_in_a_thread_is_a_long_thread():
    h = [item(n, days=n * 10, thread="T", text=f"mensaje {n}") for n in range(3)]
    assert "long_thread" in parts(score_interactions(h)[2])


def test_churn_praise_and_resolution():
    [churn] = score_interactions([item(1, intents={"cancel_churn": 0.8})])
    assert parts(churn)["intent_cancel_churn"] == pytest.approx(-12.0)
    [solved] = score_interactions([item(1, text="Ya está resuelto, gracias", score=0.5, sentiment="positive",
                                        intents={"praise": 0.9})])
    assert parts(solved)["resolved"] == 5.0 and parts(solved)["intent_praise"] == pytest.approx(4.5)
    for not_yet in ("Todavía no está resuelto.", "No funciona, ¿cuándo estará solucionado?"):
        [e] = score_interactions([item(1, text=not_yet)])
        assert "resolved" not in parts(e)  # saying it is not solved, or asking, is no resolution
    [low] = score_interactions([item(1, intents={"complaint": 0.3})])
    assert "intent_complaint" not in parts(low)  # below the confidence that counts


def test_nothing_to_feel_gets_no_score():
    assert score_interactions([item(1, direction="outbound"), item(2, text="", analysed=False)]) == []


def test_touchpoints_fold_spanish_names():
    assert touchpoint_of(item(1, channel="survey", touchpoint="Entrega")) == "delivery"
    assert touchpoint_of(item(1, channel="survey", touchpoint="showroom")) == "showroom"
    assert touchpoint_of(item(1, channel="call")) == "call"


def test_recency_weighting_and_trend():
    assert decay(0, 90) == 1.0 and decay(90, 90) == pytest.approx(0.5) and decay(180, 90) == pytest.approx(0.25)
    as_of = T0 + dt.timedelta(days=90)
    # an old 100 (weight 0.5) and a fresh 20 (weight 1): (50 + 20) / 1.5
    assert weighted_experience([(T0, 100.0), (as_of, 20.0)], as_of, 90) == pytest.approx(46.7)
    assert trend([(T0, 80.0), (T0, 70.0), (T0, 30.0), (T0, 20.0)]) == -50.0
    assert trend([(T0, 50.0)]) is None
    s = summarise([("email", T0, 40.0), ("email", as_of, 60.0), ("call", T0, 10.0)], as_of, 90)
    assert s["email"]["count"] == 2 and s["email"]["mean"] == 50.0 and s["call"]["score"] == 10.0
