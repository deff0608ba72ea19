"""Open loops: what a customer asked for or complained about that has not been
closed yet. An agent who picks up the customer should start here, so the rules
are deliberately simple and predictable rather than clever:

* An inbound, analysed interaction opens one loop per loop intent it carries
  with confidence >= ``min_confidence``.
* The same intent again while its loop is still open (or only answered) is a
  follow-up, not a new loop: the customer is chasing. ``contacts`` goes up and
  ``last_contact_at`` moves; an answered loop becomes open again.
* A question/request loop is *answered* by a later outbound interaction in a
  thread the loop was raised in (an agent reply), or at once when it was raised
  on a call (an agent was on the line). A problem loop is never closed by an
  answer alone: only the customer can say the problem is gone.
* Any loop is *resolved* by a later inbound interaction that signals it: praise
  (at least as strong as any loop intent in it) with non-negative sentiment, a
  resolution phrase ("ya está resuelto", "it works now"...) with non-negative
  sentiment, or a survey with NPS >= 9 (CSAT >= 4 when there is no NPS). A
  resolution closes *all* the customer's loops opened before it: customers rarely
  say which matter got fixed, and one stale loop is worse than one closed early.
  The resolving interaction itself opens nothing: its intents are read as talk
  about the matter it closes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .._text import clip
from .history import Item

PROBLEM_INTENTS: frozenset[str] = frozenset(
    {"complaint", "cancel_churn", "refund_return", "technical_problem", "billing"})
QUESTION_INTENTS: frozenset[str] = frozenset(
    {"order_status", "price_availability", "purchase_interest", "account_change"})
LOOP_INTENTS: frozenset[str] = PROBLEM_INTENTS | QUESTION_INTENTS

OPEN, ANSWERED, RESOLVED = "open", "answered", "resolved"

# Phrases a customer uses when the matter is over (Spanish and English).
_RESOLUTION = re.compile(
    r"\b(?:"
    r"ya\s+est[áa]\s+resuelt[oa]s?|resuelt[oa]s?|solucionad[oa]s?|arreglad[oa]s?"
    r"|ya\s+funciona|vuelve\s+a\s+funcionar|ya\s+me\s+ha\s+llegado|me\s+ha\s+llegado\s+ya"
    r"|ya\s+(?:me\s+)?(?:ha\s+)?lleg(?:ó|o|ado)|ya\s+lo\s+he\s+recibido"
    r"|problem\s+solved|solved|resolved|fixed\s+now|it\s+works\s+now|(?:it'?s|is)\s+working\s+now"
    r"|got\s+it,?\s+thanks|finally\s+arrived|arrived,?\s+thanks|received\s+it,?\s+thanks"
    r"|all\s+sorted|sorted\s+now"
    r")\b",
    re.IGNORECASE)
# A cue shortly before the phrase that means it is not (yet) true: "no está
# resuelto", "still not solved", "espero que quede solucionado", "when will it be fixed".
_NOT_YET = re.compile(
    r"(?:\b(?:no|not|sin|nunca|never|todav[íi]a|a[úu]n|still|yet|espero|hope|cuando|when|until|hasta|si|if)\b"
    r"|n't\b)",
    re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?\n]")


@dataclass
class Loop:
    """One open matter, as the agent should see it."""

    customer_id: str | None
    opened_by: str  # interaction id
    intent: str
    kind: str  # problem | question
    opened_at: dt.datetime | None
    last_contact_at: dt.datetime | None
    contacts: int = 1  # the opening contact included
    status: str = OPEN  # open | answered | resolved
    closed_by: str | None = None  # the interaction that answered or resolved it
    summary: str = ""


def kind_of(intent: str) -> str:
    """"problem" needs the customer to confirm it is gone; "question" is done when answered."""
    return "problem" if intent in PROBLEM_INTENTS else "question"


def says_resolved(text: str) -> bool:
    """True when the text states, not asks or hopes, that the matter is over."""
    for m in _RESOLUTION.finditer(text or ""):
        before = text[:m.start()]
        cut = max((e.end() for e in _SENTENCE_END.finditer(before)), default=0)
        clause = before[cut:]
        if "¿" in clause or _NOT_YET.search(clause[-30:]):
            continue
        rest = _SENTENCE_END.search(text, m.end())
        if rest is not None and rest.group() == "?":
            continue
        return True
    return False


def _resolves(item: Item, min_confidence: float) -> bool:
    if item.inbound:
        nps, csat = item.scores.get("nps"), item.scores.get("csat")
        if nps is not None:
            if nps >= 9:
                return True
        elif csat is not None and csat >= 4:
            return True
    if not (item.inbound and item.analysed) or item.sentiment == "negative":
        return False
    praise = item.intents.get("praise", 0.0)
    strongest_loop = max((c for i, c in item.intents.items() if i in LOOP_INTENTS), default=0.0)
    if praise >= min_confidence and praise >= strongest_loop:
        return True
    return says_resolved(item.text)


def _summary(intent: str, text: str, limit: int = 100) -> str:
    flat = clip(text, limit)
    return f"{intent}: {flat}" if flat else intent


def find_loops(items: list[Item], min_confidence: float = 0.5) -> list[Loop]:
    """Every loop in one customer's history (``items`` oldest first), in the
    order they were opened, each with its status after the last item."""
    loops: list[Loop] = []
    current: dict[str, Loop] = {}  # intent -> its loop while open or answered
    threads: dict[int, set[str]] = {}  # id(loop) -> threads the customer raised it in
    for item in items:
        if _resolves(item, min_confidence):
            for loop in current.values():
                loop.status, loop.closed_by = RESOLVED, item.id
            current.clear()
            continue
        if not item.inbound:
            if item.thread_id:
                for loop in current.values():
                    if loop.kind == "question" and loop.status == OPEN and item.thread_id in threads[id(loop)]:
                        loop.status, loop.closed_by = ANSWERED, item.id
            continue
        if not item.analysed:
            continue
        for intent, conf in sorted(item.intents.items(), key=lambda kv: (-kv[1], kv[0])):
            if intent not in LOOP_INTENTS or conf < min_confidence:
                continue
            loop = current.get(intent)
            if loop is None:
                loop = Loop(item.customer_id, item.id, intent, kind_of(intent), item.timestamp, item.timestamp,
                            summary=_summary(intent, item.text))
                loops.append(loop)
                current[intent] = loop
                threads[id(loop)] = set()
            else:
                loop.contacts += 1
                loop.last_contact_at = item.timestamp or loop.last_contact_at
                loop.status, loop.closed_by = OPEN, None
            if item.thread_id:
                threads[id(loop)].add(item.thread_id)
            if loop.kind == "question" and item.channel == "call":
                loop.status, loop.closed_by = ANSWERED, item.id
    return loops


def open_loops(loops: list[Loop]) -> list[Loop]:
    """Only the loops still open, the most recently chased first: that is where
    an agent resumes the conversation."""
    never = dt.datetime.min.replace(tzinfo=dt.UTC)
    still = [lp for lp in loops if lp.status == OPEN]
    return sorted(still, key=lambda lp: (lp.last_contact_at or never, lp.opened_at or never), reverse=True)
