"""Open-loop rules on hand-built histories."""

from __future__ import annotations

import datetime as dt

from voice.scoring.history import Item
from voice.scoring.loops import LOOP_INTENTS, find_loops, open_loops, says_resolved

T0 = dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC)


def at(day: int) -> dt.datetime:
    return T0 + dt.timedelta(days=day)


def inbound(iid: str, day: int, intents: dict[str, float], text: str = "Hola", *, channel: str = "email",
            thread: str | None = None, sentiment: str = "neutral", scores: dict | None = None) -> Item:
    return Item(iid, channel, at(day), "inbound", "C001", thread or f"t-{iid}", None, text, sentiment,
                0.0, dict(intents), scores=dict(scores or {}), analysed=True)


def reply(iid: str, day: int, thread: str) -> Item:
    return Item(iid, "email", at(day), "outbound", "C001", thread, "Re: pedido", "Su pedido sale hoy.")


def test_loop_intents_and_kinds():
    assert LOOP_INTENTS == {"complaint", "cancel_churn", "refund_return", "technical_problem", "billing",
                            "order_status", "price_availability", "purchase_interest", "account_change"}
    loops = find_loops([inbound("a", 0, {"complaint": 0.9, "order_status": 0.8, "praise": 0.1})])
    assert [(lp.intent, lp.kind) for lp in loops] == [("complaint", "problem"), ("order_status", "question")]


def test_complaint_without_resolution_stays_open():
    items = [inbound("a", 0, {"complaint": 0.9}, "La lavadora   llegó\n rota y nadie me responde", sentiment="negative"),
             inbound("b", 3, {"suggestion": 0.7}, "Podríais abrir los sábados")]
    [loop] = find_loops(items)
    assert loop.status == "open" and loop.closed_by is None
    assert loop.opened_by == "a" and loop.customer_id == "C001"
    assert loop.opened_at == at(0) and loop.last_contact_at == at(0) and loop.contacts == 1
    assert loop.summary == "complaint: La lavadora llegó rota y nadie me responde"
    assert open_loops([loop]) == [loop]


def test_complaint_resolved_by_later_message():
    items = [inbound("a", 0, {"complaint": 0.9}, "La lavadora llegó rota", sentiment="negative"),
             inbound("b", 5, {"complaint": 0.3}, "Ya está resuelto, gracias", sentiment="positive")]
    [loop] = find_loops(items)
    assert (loop.status, loop.closed_by) == ("resolved", "b")
    assert open_loops([loop]) == []


def test_resolution_closes_every_earlier_loop_but_not_later_ones():
    items = [inbound("a", 0, {"complaint": 0.9}), inbound("b", 1, {"billing": 0.8}),
             inbound("c", 2, {}, "Todo solucionado."), inbound("d", 3, {"billing": 0.7})]
    loops = find_loops(items)
    assert [(lp.opened_by, lp.intent, lp.status, lp.closed_by) for lp in loops] == [
        ("a", "complaint", "resolved", "c"), ("b", "billing", "resolved", "c"), ("d", "billing", "open", None)]


def test_negative_or_negated_resolution_phrase_does_not_resolve():
    items = [inbound("a", 0, {"technical_problem": 0.9}),
             inbound("b", 1, {}, "Sigue sin estar solucionado", sentiment="neutral"),
             inbound("c", 2, {}, "Ya funciona, pero fatal todo", sentiment="negative"),
             inbound("d", 3, {}, "¿Ya está resuelto?")]
    [loop] = find_loops(items)
    assert loop.status == "open"


def test_says_resolved_phrases():
    assert says_resolved("Ya me ha llegado, gracias")
    assert says_resolved("Problem solved, thank you!")
    assert says_resolved("It works now.")
    assert not says_resolved("It is not resolved yet")
    assert not says_resolved("Espero que quede resuelto pronto")
    assert not says_resolved("When will it be solved?")


def test_question_answered_by_reply_in_same_thread():
    items = [inbound("a", 0, {"order_status": 0.8}, "¿Dónde está mi pedido?", thread="T1"), reply("r", 1, "T1")]
    [loop] = find_loops(items)
    assert (loop.status, loop.closed_by, loop.contacts) == ("answered", "r", 1)
    assert open_loops([loop]) == []


def test_question_raised_again_after_answer_is_open_with_two_contacts():
    items = [inbound("a", 0, {"order_status": 0.8}, thread="T1"), reply("r", 1, "T1"),
             inbound("b", 4, {"order_status": 0.9}, "Sigo sin pedido", thread="T1")]
    [loop] = find_loops(items)
    assert (loop.status, loop.closed_by, loop.contacts) == ("open", None, 2)
    assert (loop.opened_at, loop.last_contact_at) == (at(0), at(4))


def test_reply_in_another_thread_does_not_answer():
    items = [inbound("a", 0, {"price_availability": 0.8}, thread="T1"), reply("r", 1, "T2")]
    [loop] = find_loops(items)
    assert (loop.status, loop.closed_by) == ("open", None)


def test_reply_does_not_close_a_problem():
    items = [inbound("a", 0, {"complaint": 0.9}, thread="T1"), reply("r", 1, "T1")]
    [loop] = find_loops(items)
    assert (loop.status, loop.closed_by) == ("open", None)


def test_question_on_a_call_is_answered_live():
    items = [inbound("a", 0, {"order_status": 0.8, "complaint": 0.7}, channel="call", thread=None)]
    loops = {lp.intent: lp for lp in find_loops(items)}
    assert (loops["order_status"].status, loops["order_status"].closed_by) == ("answered", "a")
    assert loops["complaint"].status == "open"


def test_follow_up_complaint_counts_contacts_not_new_loop():
    items = [inbound("a", 0, {"complaint": 0.9}), inbound("b", 2, {"complaint": 0.6}),
             inbound("c", 6, {"complaint": 0.95})]
    [loop] = find_loops(items)
    assert (loop.opened_by, loop.contacts, loop.last_contact_at, loop.status) == ("a", 3, at(6), "open")


def test_low_confidence_and_non_loop_intents_open_nothing():
    items = [inbound("a", 0, {"complaint": 0.49, "billing": 0.2, "suggestion": 0.9})]
    assert find_loops(items) == []
    assert [lp.intent for lp in find_loops(items, min_confidence=0.4)] == ["complaint"]


def test_unanalysed_and_outbound_items_open_nothing():
    raw = inbound("a", 0, {"complaint": 0.9})
    raw.analysed = False
    out = Item("b", "email", at(1), "outbound", "C001", "T1", None, "Queja", "negative", -0.8,
               {"complaint": 0.9}, analysed=True)
    assert find_loops([raw, out]) == []


def test_nps_10_survey_resolves():
    items = [inbound("a", 0, {"refund_return": 0.8}, "Quiero devolver la freidora"),
             inbound("s", 9, {}, "", channel="survey", scores={"nps": 10})]
    [loop] = find_loops(items)
    assert (loop.status, loop.closed_by) == ("resolved", "s")


def test_survey_low_nps_or_csat_rules():
    low = [inbound("a", 0, {"billing": 0.8}), inbound("s", 1, {}, "", channel="survey", scores={"nps": 8, "csat": 5})]
    assert find_loops(low)[0].status == "open"  # NPS answered: CSAT is not looked at
    csat = [inbound("a", 0, {"billing": 0.8}), inbound("s", 1, {}, "", channel="survey", scores={"csat": 4})]
    assert (find_loops(csat)[0].status, find_loops(csat)[0].closed_by) == ("resolved", "s")


def test_praise_resolves_only_with_non_negative_sentiment():
    opened = inbound("a", 0, {"technical_problem": 0.9})
    sour = inbound("b", 1, {"praise": 0.8}, "Gracias... supongo", sentiment="negative")
    assert find_loops([opened, sour])[0].status == "open"
    sweet = inbound("c", 2, {"praise": 0.8}, "¡Sois geniales!", sentiment="positive")
    assert find_loops([opened, sour, sweet])[0].closed_by == "c"


def test_open_loops_newest_first():
    items = [inbound("a", 0, {"complaint": 0.9}), inbound("b", 1, {"billing": 0.9}),
             inbound("c", 2, {"account_change": 0.9}, thread="T9"), reply("r", 3, "T9")]
    loops = find_loops(items)
    assert [lp.opened_by for lp in open_loops(loops)] == ["b", "a"]
