"""Reading the scores back: who is interested in what, who is valuable and at
risk, who could be worth more, value x needs, and experience by channel or
touchpoint. Every row carries the reason behind it."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict

from ..store import Store
from .experience import summarise
from .history import parse_ts
from .relationship import Relationship, is_potentially_profitable, is_valuable_at_risk

_SIGNAL_WORDS = {"purchase_interest": "wants to buy", "price_availability": "asked price/stock",
                 "positive": "spoke well of it", "mention": "mentioned it"}


def evidence_summary(evidence: list[dict], limit: int = 3) -> str:
    """One line: the strongest counted pieces of evidence, newest date first."""
    counted = sorted((e for e in evidence if e.get("contribution", 0) > 0),
                     key=lambda e: -e["contribution"])[:limit]
    parts = []
    for e in counted:
        signals = [k for k in e.get("signals", {}) if k != "mention"] or ["mention"]
        what = ", ".join(_SIGNAL_WORDS.get(k, k) for k in signals)
        parts.append(f"{what} by {e['channel']} {str(e.get('timestamp') or '')[:10]} (\"{e['surface']}\")")
    skipped = sum(1 for e in evidence if e.get("not_counted"))
    if skipped:
        parts.append(f"{skipped} mention(s) not counted (complaint, or spoken of badly)")
    return "; ".join(parts)


def interested(store: Store, product: str | None = None, *, min_interest: float = 0.0, top: int | None = 10
               ) -> list[dict]:
    """Customers by interest, strongest first (for one product or all)."""
    where, params = "i.score >= ?", [min_interest]
    if product:
        where += " and i.product_id = ?"
        params.append(product)
    rows = store.db.execute(f"""
        select i.customer_id, c.name, i.product_id, i.score, i.evidence, i.last_seen, c.consent,
               c.lifetime_value, r.value_band
        from interest i join customers c on c.id = i.customer_id
        left join relationships r on r.customer_id = i.customer_id
        where {where} order by i.product_id, i.score desc, i.customer_id
        {'' if top is None or not product else f'limit {int(top)}'}""", params).fetchall()
    out = [{"customer_id": cid, "name": name, "product_id": pid, "interest": score,
            "evidence": evidence_summary(json.loads(ev or "[]")), "last_seen": last,
            "consent": json.loads(consent or "{}"), "lifetime_value": value, "value_band": band}
           for cid, name, pid, score, ev, last, consent, value, band in rows]
    if product or top is None:
        return out
    per: dict[str, list[dict]] = defaultdict(list)
    for row in out:
        if len(per[row["product_id"]]) < top:
            per[row["product_id"]].append(row)
    return [r for rows_ in per.values() for r in rows_]


def relationships(store: Store) -> list[Relationship]:
    rows = store.db.execute("""select customer_id, class, reason, cem, cem_trend, nps, lifetime_value, value_band,
                                      needs, interests, interactions from relationships order by customer_id""")
    return [Relationship(cid, cls, reason, cem, tr, nps, value, band, [tuple(x) for x in json.loads(nd or "[]")],
                         [tuple(x) for x in json.loads(it or "[]")], n or 0)
            for cid, cls, reason, cem, tr, nps, value, band, nd, it, n in rows]


def _names(store: Store) -> dict[str, str]:
    return dict(store.db.execute("select id, coalesce(name, id) from customers").fetchall())


def valuable_at_risk(store: Store, *, include_medium: bool = False) -> list[dict]:
    """High-value customers whose experience is low or falling, or who are at risk; most valuable first."""
    names = _names(store)
    rows = [r for r in relationships(store) if is_valuable_at_risk(r, include_medium)]
    rows.sort(key=lambda r: (-(r.lifetime_value or 0), r.customer_id))
    return [{"customer_id": r.customer_id, "name": names.get(r.customer_id), "lifetime_value": r.lifetime_value,
             "value_band": r.value_band, "class": r.cls, "reason": _why_at_risk(r), "cem": r.cem,
             "cem_trend": r.cem_trend, "nps": r.nps, "needs": r.needs} for r in rows]


def _why_at_risk(r: Relationship) -> str:
    """Why the customer is on the list: their class's reason, or the experience that put them there."""
    if r.cls in ("at_risk", "detractor"):
        return r.reason
    falling = f", falling {-r.cem_trend:.0f} points" if r.cem_trend is not None and r.cem_trend <= -10 else ""
    return f"experience {r.cem:.0f}/100{falling} ({r.reason})" if r.cem is not None else r.reason


def potentially_profitable(store: Store, *, min_interest: float = 0.6) -> list[dict]:
    """Customers with strong interest and little value so far; strongest interest first."""
    names = _names(store)
    rows = [r for r in relationships(store) if is_potentially_profitable(r, min_interest)]
    rows.sort(key=lambda r: (-max(s for _, s in r.interests), r.customer_id))
    return [{"customer_id": r.customer_id, "name": names.get(r.customer_id), "lifetime_value": r.lifetime_value,
             "value_band": r.value_band, "interests": [(p, s) for p, s in r.interests if s >= min_interest],
             "class": r.cls} for r in rows]


def value_needs(store: Store) -> dict[str, dict]:
    """Per value band: customers, their classes, the dominant intents and the products they want."""
    out: dict[str, dict] = {}
    everyone = relationships(store)
    for band in ("high", "medium", "low", "unknown"):
        rs = [r for r in everyone if r.value_band == band]
        if not rs:
            continue
        needs: Counter[str] = Counter(r.needs[0][0] for r in rs if r.needs)
        wants: Counter[str] = Counter(p for r in rs for p, s in r.interests if s >= 0.5)
        out[band] = {"customers": len(rs), "classes": dict(Counter(r.cls for r in rs)),
                     "dominant_intents": needs.most_common(5), "interests": wants.most_common(5)}
    return out


def experience_by(store: Store, by: str = "channel", *, as_of: dt.datetime | None = None,
                  half_life_days: float = 90.0) -> dict[str, dict]:
    """Experience per channel or touchpoint: recency-weighted score, mean, count."""
    if by not in ("channel", "touchpoint"):
        raise ValueError("by must be 'channel' or 'touchpoint'")
    rows = [(k, parse_ts(ts), s) for k, ts, s in
            store.db.execute(f"select {by}, timestamp, score from experience where score is not null")]
    return summarise(rows, as_of or dt.datetime.now(dt.timezone.utc), half_life_days)
