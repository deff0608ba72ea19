"""One customer's story on one screen: who they are, what is still open, and
every interaction with what the analysis and the scores found in it. Built for
the agent who picks the customer up next, so open loops come before history."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from .._text import clip
from ..errors import NotFound
from ..store import Store
from .history import Item, histories
from .loops import Loop, find_loops, open_loops

EXCERPT_CHARS = 160


class UnknownCustomer(NotFound):
    """The customer id is not in the customers table."""


@dataclass
class TimelineEntry:
    """One interaction, reduced to what a reader of the timeline needs."""

    id: str
    timestamp: dt.datetime | None
    channel: str
    direction: str
    subject: str | None
    excerpt: str
    sentiment: str | None
    sentiment_score: float | None
    intents: list[tuple[str, float]]  # strongest first
    products: list[str]  # product ids, in order of first mention
    scores: dict[str, float]
    experience: float | None = None  # 0 .. 100, from the experience table
    experience_why: list[dict[str, Any]] = field(default_factory=list)  # top 2 components by |points|

    @property
    def inbound(self) -> bool:
        return self.direction != "outbound"


@dataclass
class Timeline:
    customer: dict[str, Any]  # id, name, segment, lifetime_value
    entries: list[TimelineEntry]  # oldest first
    loops: list[Loop]  # all of them, in the order they were opened
    open: list[Loop]  # still open, most recently chased first
    cem_trend: list[tuple[dt.datetime | None, float]]  # inbound entries with an experience score
    relationship: dict[str, Any] | None = None


def _why(components: str | None) -> list[dict[str, Any]]:
    """The two components that moved the score most, either way."""
    try:
        parts = json.loads(components) if components else []
    except ValueError:
        return []
    parts = [p for p in parts if isinstance(p, dict)] if isinstance(parts, list) else []
    return sorted(parts, key=lambda p: -abs(float(p.get("points") or 0.0)))[:2]


def _entry(item: Item, experience: tuple[float | None, str | None] | None) -> TimelineEntry:
    products: list[str] = []
    for m in item.mentions:
        if m.product_id not in products:
            products.append(m.product_id)
    score, components = experience or (None, None)
    return TimelineEntry(
        id=item.id, timestamp=item.timestamp, channel=item.channel, direction=item.direction,
        subject=item.subject, excerpt=clip(item.text, EXCERPT_CHARS), sentiment=item.sentiment,
        sentiment_score=item.sentiment_score,
        intents=sorted(item.intents.items(), key=lambda kv: (-kv[1], kv[0])),
        products=products, scores=dict(item.scores),
        experience=float(score) if score is not None else None, experience_why=_why(components))


def timeline(store: Store, customer_id: str, *, min_confidence: float = 0.5) -> Timeline:
    """The customer's timeline. Raises :class:`UnknownCustomer` when the id is not known.
    Loops are worked out live from the history, so the timeline is current even
    before ``voice score`` stores them (segments read the stored ones; ``voice
    analyze`` re-scores, so the two agree after an analysis)."""
    db = store.db
    row = db.execute("select id, name, segment, lifetime_value from customers where id = ?",
                     [customer_id]).fetchone()
    if row is None:
        raise UnknownCustomer(f"there is no customer {customer_id!r}.",
                              fix="check the id (it is the CRM id, e.g. C001) and that the customers file was imported.")
    customer = dict(zip(("id", "name", "segment", "lifetime_value"), row))
    items = histories(store, [customer_id]).get(customer_id, [])
    tables = set(db.table_names())
    experience: dict[str, tuple[float | None, str | None]] = {}
    if "experience" in tables and items:
        ids = [i.id for i in items]
        for start in range(0, len(ids), 900):
            chunk = ids[start:start + 900]
            for iid, score, components in db.execute(
                    f"select interaction_id, score, components from experience where interaction_id in "
                    f"({','.join('?' * len(chunk))})", chunk):
                experience[iid] = (score, components)
    relationship = None
    if "relationships" in tables:
        cur = db.execute("select * from relationships where customer_id = ?", [customer_id])
        found = cur.fetchone()
        if found is not None:
            relationship = dict(zip([d[0] for d in cur.description], found))
            for key in ("needs", "interests"):
                if isinstance(relationship.get(key), str):
                    try:
                        relationship[key] = json.loads(relationship[key])
                    except ValueError:
                        pass
    entries = [_entry(i, experience.get(i.id)) for i in items]
    loops = find_loops(items, min_confidence)
    return Timeline(
        customer=customer, entries=entries, loops=loops, open=open_loops(loops),
        cem_trend=[(e.timestamp, e.experience) for e in entries if e.inbound and e.experience is not None],
        relationship=relationship)


# --- plain-text rendering ---------------------------------------------------

_SENTIMENT = {"negative": "neg", "neutral": "neu", "positive": "pos"}


def _date(ts: dt.datetime | None, with_time: bool = True) -> str:
    if ts is None:
        return "????-??-?? ??:??" if with_time else "????-??-??"
    return ts.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d")


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[:max(width - 1, 0)] + "…"


def _num(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if isinstance(value, (int, float)) else str(value)


def render(tl: Timeline, width: int = 100) -> str:
    """The timeline as plain text for a terminal, every line at most ``width`` columns."""
    c = tl.customer
    head = (f"{c.get('name') or '(no name)'}  ·  {c.get('id')}  ·  segment {c.get('segment') or '—'}"
            f"  ·  value {_num(c.get('lifetime_value'))}")
    lines = [head]
    rel = tl.relationship
    if rel and rel.get("class"):
        lines.append(f"Relationship: {rel['class']}" + (f" — {rel['reason']}" if rel.get("reason") else ""))
    cem_now = rel.get("cem") if rel else None
    if cem_now is None and tl.cem_trend:
        cem_now = tl.cem_trend[-1][1]
    if cem_now is not None:
        cem = f"CEM now {cem_now:.0f}"
        if rel and rel.get("cem_trend") is not None:
            t = rel["cem_trend"]
            cem += f" (trend {t:+.0f} points)" if abs(t) >= 0.5 else " (flat)"
        recent = [f"{s:.0f}" for _, s in tl.cem_trend[-6:]]
        if recent:
            cem += "  ·  last scores " + " → ".join(recent)
        lines.append(cem)
    else:
        lines.append("CEM: no experience scores yet")
    lines.append("")
    lines.append(f"Open loops ({len(tl.open)})")
    if not tl.open:
        lines.append("  none")
    for n, loop in enumerate(tl.open):
        times = f"{loop.contacts} contacts" if loop.contacts != 1 else "1 contact"
        lines.append(f"  since {_date(loop.opened_at, False)}  {loop.intent} ({loop.kind}, {times})")
        lines.append("    " + loop.summary)
        if n == 0:
            lines.append(f"    ▶ resume here: last contact {_date(loop.last_contact_at)}, interaction {loop.opened_by}")
    lines.append("")
    lines.append(f"Interactions ({len(tl.entries)}, oldest first)   → from the customer   ← from us")
    for e in tl.entries:
        arrow = "→" if e.inbound else "←"
        exp = f"E{e.experience:3.0f}" if e.experience is not None else "E  -"
        intents = ",".join(i for i, _ in e.intents[:2])
        parts = [_date(e.timestamp), f"{e.channel:<6}", arrow, _SENTIMENT.get(e.sentiment or "", "   "), exp]
        if intents:
            parts.append(intents)
        if e.products:
            parts.append("[" + ",".join(e.products[:3]) + "]")
        parts.append(e.excerpt or (e.subject or ""))
        lines.append(" ".join(parts))
    return "\n".join(_fit(line, width) for line in lines)
