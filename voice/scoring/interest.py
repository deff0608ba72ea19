"""Product interest per customer and product, in [0, 1], with its evidence.

Each inbound interaction that mentions a product is one piece of evidence:

    strength = 0.3                                   (the product is mentioned)
             + 0.4 x confidence(purchase_interest)   (wants to buy / asks for a quote)
             + 0.3 x confidence(price_availability)  (asks price or stock)
             + 0.2 x max(0, aspect polarity score)   (speaks well of it)
    capped at 1, then weighted by recency: x 0.5 ^ (age in days / half_life_days)

A complaint is not interest: evidence from an interaction whose complaint,
refund/return or technical-problem confidence reaches ``min_confidence``, or
where the product's own aspect polarity is negative, counts 0 (it is kept in
the evidence list with the reason). Several pieces combine like independent
chances (noisy-OR), so repeated interest grows towards 1 without passing it:

    interest = 1 - prod(1 - strength_i x weight_i)

Worked example (half-life 90 days): a customer asked "¿Tenéis la AirPure 500 en
stock? ¿Qué precio tiene?" 30 days ago (price_availability 0.9; strength 0.3 +
0.27 = 0.57; weight 0.5^(30/90) = 0.794; contribution 0.452) and today wrote
"quiero comprar la AirPure 500, ¿me hacéis presupuesto?" (purchase_interest
0.95, price_availability 0.6; strength 0.3 + 0.38 + 0.18 = 0.86; weight 1;
contribution 0.86): interest = 1 - (1 - 0.452)(1 - 0.86) = 0.923.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from .experience import decay
from .history import Item

NOT_INTEREST = ("complaint", "refund_return", "technical_problem")


@dataclass(frozen=True)
class InterestSettings:
    half_life_days: float = 90.0
    min_confidence: float = 0.5
    mention: float = 0.3
    purchase: float = 0.4
    price: float = 0.3
    positive: float = 0.2


@dataclass
class Interest:
    customer_id: str
    product_id: str
    score: float
    evidence: list[dict] = field(default_factory=list)
    last_seen: dt.datetime | None = None


def evidence_strength(item: Item, polarity_score: float | None, s: InterestSettings) -> tuple[float, dict]:
    """How strongly one interaction shows interest in one product it mentions, and why."""
    blockers = {k: round(c, 3) for k, c in item.intents.items() if k in NOT_INTEREST and c >= s.min_confidence}
    if blockers:
        return 0.0, {"not_counted": "complaint, not interest", "intents": blockers}
    if polarity_score is not None and polarity_score < -0.2:
        return 0.0, {"not_counted": "spoke negatively of it", "polarity": round(polarity_score, 3)}
    signals = {"mention": s.mention}
    buy = item.intents.get("purchase_interest", 0.0)
    price = item.intents.get("price_availability", 0.0)
    if buy:
        signals["purchase_interest"] = round(s.purchase * buy, 3)
    if price:
        signals["price_availability"] = round(s.price * price, 3)
    if polarity_score and polarity_score > 0:
        signals["positive"] = round(s.positive * polarity_score, 3)
    return min(1.0, sum(signals.values())), {"signals": signals}


def score_interest(items: list[Item], as_of: dt.datetime, settings: InterestSettings = InterestSettings()
                   ) -> list[Interest]:
    """Interest of one customer (their items) in every product they mentioned."""
    by_product: dict[str, list[dict]] = defaultdict(list)
    customer = None
    for item in items:
        if not item.inbound:
            continue
        customer = customer or item.customer_id
        seen: set[str] = set()
        for m in item.mentions:
            if m.product_id in seen:  # one piece of evidence per interaction and product
                continue
            seen.add(m.product_id)
            polarity = min((x.polarity_score for x in item.mentions
                            if x.product_id == m.product_id and x.polarity_score is not None), default=None)
            strength, why = evidence_strength(item, polarity, settings)
            age = (as_of - item.timestamp).total_seconds() / 86400 if item.timestamp else settings.half_life_days
            weight = decay(age, settings.half_life_days)
            by_product[m.product_id].append({
                "interaction_id": item.id, "channel": item.channel,
                "timestamp": item.timestamp.isoformat() if item.timestamp else None,
                "surface": m.surface, "start": m.start, "end": m.end, **why,
                "strength": round(strength, 3), "weight": round(weight, 3),
                "contribution": round(strength * weight, 3)})
    out = []
    for product, evidence in by_product.items():
        remaining = 1.0
        for e in evidence:
            remaining *= 1.0 - e["contribution"]
        dated = [e["timestamp"] for e in evidence if e["timestamp"]]
        out.append(Interest(customer, product, round(1.0 - remaining, 3), evidence,
                            dt.datetime.fromisoformat(max(dated)) if dated else None))
    return sorted(out, key=lambda i: -i.score)
