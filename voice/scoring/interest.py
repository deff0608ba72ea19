"""Product interest per customer and product, in [0, 1], with its evidence.

Each inbound interaction that mentions a product is one piece of evidence:

    strength = 0.15                                  (the product is named)
             + 0.5 x confidence(purchase_interest)   (wants to buy / asks for a quote)
             + 0.35 x confidence(price_availability) (asks price or stock)
             + 0.15 x max(0, aspect polarity score)  (speaks well of it)

Naming a product, even kindly, is weak evidence (a customer praising the
installers they had is not asking to buy an installation); asking to buy it or
asking its price is strong.
    capped at 1, then weighted by recency: x 0.5 ^ (age in days / half_life_days)

When a message names one product, its intents are the message's; when it names
several, each mention reads the intents of its own sentence and the next one
unless that one names another product (an email about a leaking coffee machine
and a purifier the customer wants holds both; each product gets its own), or the interaction's when the analysis
stored none per sentence. A complaint is not interest: a mention whose intents
include complaint, refund/return or technical problem at ``min_confidence``
counts 0, and so does one spoken of badly (aspect polarity below -0.5) with no
wish to buy or price question beside it — "it's been out of stock for weeks,
please tell me when it's back" is frustration, and interest. Mentions that do
not count stay in the evidence list with the reason. Several pieces combine like independent
chances (noisy-OR), so repeated interest grows towards 1 without passing it:

    interest = 1 - prod(1 - strength_i x weight_i)

Worked example (half-life 90 days): a customer asked "¿Tenéis la AirPure 500 en
stock? ¿Qué precio tiene?" 30 days ago (price_availability 0.9; strength 0.15 +
0.315 = 0.465; weight 0.5^(30/90) = 0.794; contribution 0.369) and today wrote
"quiero comprar la AirPure 500, ¿me hacéis presupuesto?" (purchase_interest
0.95, price_availability 0.6; strength 0.15 + 0.475 + 0.21 = 0.835; weight 1;
contribution 0.835): interest = 1 - (1 - 0.369)(1 - 0.835) = 0.896.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from .experience import age_days, decay
from .history import Item

NOT_INTEREST = ("complaint", "refund_return", "technical_problem")


@dataclass(frozen=True)
class InterestSettings:
    half_life_days: float = 90.0
    min_confidence: float = 0.5
    mention: float = 0.15
    purchase: float = 0.5
    price: float = 0.35
    positive: float = 0.15
    negative: float = -0.5  # aspect polarity below which a mention with no wish to buy is not interest


@dataclass
class Interest:
    customer_id: str
    product_id: str
    score: float
    evidence: list[dict] = field(default_factory=list)
    last_seen: dt.datetime | None = None


def evidence_strength(intents: dict[str, float], polarity_score: float | None, s: InterestSettings
                      ) -> tuple[float, dict]:
    """How strongly one mention shows interest in its product, and why, from the
    intents around it (its sentence and the next, see ``Item.intents_near``)."""
    blockers = {k: round(c, 3) for k, c in intents.items() if k in NOT_INTEREST and c >= s.min_confidence}
    if blockers:
        return 0.0, {"not_counted": "complaint, not interest", "intents": blockers}
    buy = intents.get("purchase_interest", 0.0)
    price = intents.get("price_availability", 0.0)
    wants = max(buy, price) >= s.min_confidence
    if polarity_score is not None and polarity_score < s.negative and not wants:
        return 0.0, {"not_counted": "spoke badly of it", "polarity": round(polarity_score, 3)}
    signals = {"mention": s.mention}
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
    last_seen: dict[str, dt.datetime | None] = defaultdict(lambda: None)
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
            same = [x for x in item.mentions if x.product_id == m.product_id]
            polarity = min((x.polarity_score for x in same if x.polarity_score is not None), default=None)
            # a message about this product alone is read whole; one naming several, sentence by sentence
            intents: dict[str, float] = dict(item.intents) if len({x.product_id for x in item.mentions}) == 1 else {}
            for x in same:  # every place the product is named counts; the next sentence too, unless it names another
                other_next = any(o.sentence_idx is not None and o.sentence_idx == (x.sentence_idx or 0) + 1
                                 and o.product_id != m.product_id for o in item.mentions)
                for k, c in item.intents_near(x.sentence_idx, with_next=not other_next).items():
                    intents[k] = max(c, intents.get(k, 0.0))
            strength, why = evidence_strength(intents, polarity, settings)
            weight = decay(age_days(item.timestamp, as_of, settings.half_life_days), settings.half_life_days)
            if item.timestamp and (last_seen[m.product_id] is None or item.timestamp > last_seen[m.product_id]):
                last_seen[m.product_id] = item.timestamp
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
        out.append(Interest(customer, product, round(1.0 - remaining, 3), evidence, last_seen[product]))
    return sorted(out, key=lambda i: -i.score)
