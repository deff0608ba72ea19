"""Relationship class per customer, value bands, and the two customer-
intelligence lists.

The class, first rule that applies:

1. **at_risk** — a cancellation/churn threat (intent confidence >= 0.7) in the
   last ``risk_days``; or experience (CEM) below 40 and falling (trend <= -10
   points); or a detractor NPS (0-6) with a complaint still open.
2. **promoter** — latest NPS 9-10; without an NPS, CEM >= 70.
3. **detractor** — latest NPS 0-6; without an NPS, CEM < 45.
4. **passive** — the rest (NPS 7-8, CEM 45-70), and customers with no scored contact.

Value band: customers with a lifetime value are ranked; the top ``high_share``
(20%) are "high", the next ``medium_share`` (40%) "medium", the rest "low";
no value recorded: "unknown".

**Valuable at risk**: value band high (or medium with ``include_medium``) and
class at_risk or detractor; or, unless a promoter (NPS 9-10 outweighs a few sour
messages), CEM below 45 or falling by 10 points or more.

The churn threshold is stricter than other intents' 0.5: on the examples the
intent head's churn confidences of 0.50 and 0.58 were a customer booking an
installation and one asking to pre-order; those above 0.7 were real threats
(with one angry "¿Qué hago ahora?" at 0.80).
**Potentially profitable**: interest >= ``min_interest`` (0.6) in some product
and value band low, medium or unknown (little bought so far).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from .history import Item

NEED_INTENTS = ("complaint", "cancel_churn", "purchase_interest", "price_availability", "billing", "order_status",
                "technical_problem", "refund_return", "account_change", "praise", "suggestion")


@dataclass(frozen=True)
class RelationshipSettings:
    risk_days: int = 90
    churn_confidence: float = 0.7
    high_share: float = 0.2
    medium_share: float = 0.4
    min_confidence: float = 0.5


@dataclass
class Relationship:
    customer_id: str
    cls: str
    reason: str
    cem: float | None = None
    cem_trend: float | None = None
    nps: float | None = None
    lifetime_value: float | None = None
    value_band: str = "unknown"
    needs: list[tuple[str, float]] = field(default_factory=list)
    interests: list[tuple[str, float]] = field(default_factory=list)
    interactions: int = 0


def latest_nps(items: list[Item]) -> float | None:
    answers = [i.scores["nps"] for i in items if "nps" in i.scores]
    return answers[-1] if answers else None


def needs(items: list[Item], min_confidence: float = 0.5, top: int = 3) -> list[tuple[str, float]]:
    """The intents a customer raises most, weighted by confidence."""
    c: Counter[str] = Counter()
    for i in items:
        if i.inbound:
            for intent, conf in i.intents.items():
                if intent in NEED_INTENTS and conf >= min_confidence:
                    c[intent] += conf
    return [(k, round(v, 2)) for k, v in c.most_common(top)]


def classify(items: list[Item], cem: float | None, cem_trend: float | None, open_problem: bool,
             as_of: dt.datetime, s: RelationshipSettings = RelationshipSettings()) -> tuple[str, str]:
    """(class, reason) by the documented rules."""
    nps = latest_nps(items)
    since = as_of - dt.timedelta(days=s.risk_days)
    threats = [i for i in items if i.inbound and i.intents.get("cancel_churn", 0.0) >= s.churn_confidence
               and (i.timestamp is None or i.timestamp >= since)]
    if threats:
        when = threats[-1].timestamp.date().isoformat() if threats[-1].timestamp else "undated"
        return "at_risk", f"threatened to leave ({threats[-1].channel}, {when})"
    if cem is not None and cem < 40 and cem_trend is not None and cem_trend <= -10:
        return "at_risk", f"experience {cem:.0f}/100 and falling ({cem_trend:+.0f} points)"
    if nps is not None and nps <= 6 and open_problem:
        return "at_risk", f"NPS {nps:g} with a complaint still open"
    if nps is not None:
        if nps >= 9:
            return "promoter", f"NPS {nps:g}"
        if nps <= 6:
            return "detractor", f"NPS {nps:g}"
        return "passive", f"NPS {nps:g}"
    if cem is None:
        return "passive", "no scored contact yet"
    if cem >= 70:
        return "promoter", f"experience {cem:.0f}/100, no NPS answer"
    if cem < 45:
        return "detractor", f"experience {cem:.0f}/100, no NPS answer"
    return "passive", f"experience {cem:.0f}/100, no NPS answer"


def value_bands(values: dict[str, float | None], s: RelationshipSettings = RelationshipSettings()) -> dict[str, str]:
    """customer id -> high | medium | low | unknown, by rank of lifetime value."""
    known = sorted(((v, k) for k, v in values.items() if v is not None), reverse=True)
    n = len(known)
    bands = {k: "unknown" for k, v in values.items() if v is None}
    high = round(n * s.high_share)
    medium = round(n * (s.high_share + s.medium_share))
    for rank, (_, k) in enumerate(known):
        bands[k] = "high" if rank < high else "medium" if rank < medium else "low"
    return bands


def is_valuable_at_risk(r: Relationship, include_medium: bool = False) -> bool:
    bands = ("high", "medium") if include_medium else ("high",)
    if r.value_band not in bands:
        return False
    if r.cls in ("at_risk", "detractor"):
        return True
    return r.cls != "promoter" and ((r.cem is not None and r.cem < 45)
                                    or (r.cem_trend is not None and r.cem_trend <= -10))


def is_potentially_profitable(r: Relationship, min_interest: float = 0.6) -> bool:
    return r.value_band != "high" and any(score >= min_interest for _, score in r.interests)
