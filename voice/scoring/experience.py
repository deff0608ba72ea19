"""Experience (CEM) score per interaction, 0-100, and its recency-weighted
aggregates per customer, channel and touchpoint.

Per interaction (a touchpoint), from the customer's side only:

    feeling = weighted mean of the signals present, each in [-1, 1]:
              text sentiment score (weight 1), NPS (n - 5) / 5 (weight 2),
              CSAT (c - 3) / 2 (weight 2), CES (e - 4) / 3 (weight 1; 7 = "easy")
    score   = clamp(50 + 50 * feeling + effort + intent + resolution, 0, 100)

Effort (points, each an explained component): a repeat contact about the same
topic (intent or product) within ``repeat_days`` (-8 per earlier contact, at
most -24); a channel switch (the previous contact within ``repeat_days`` came
through another channel, -5); a long thread (the customer's third or later
message in the thread, -5); a long call (over ``long_call_min`` minutes, -5);
transfers (each agent beyond the first, -5, at most -10); the customer saying
they are repeating themselves ("ya lo he explicado tres veces", "again", -5).
Intent: complaint -10 x confidence, cancellation/churn threat -15 x confidence,
praise +5 x confidence. Resolution: the customer says it is solved (+5).

An interaction with nothing to feel (outbound, or no text and no survey score)
gets no score. Every component is stored with its value, points and why.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from .history import Item
from .loops import says_resolved

REPEAT_PHRASES = re.compile(
    r"\b(otra vez|de nuevo|ya lo he (?:explicado|dicho)|lo he explicado|por (?:segunda|tercera|cuarta|enésima) vez|"
    r"(?:dos|tres|cuatro|varias|mil) veces|vuelvo a (?:llamar|escribir)|again|once more|(?:second|third|fourth) time|"
    r"(?:twice|three times|several times)|already (?:told|explained|sent)|keep (?:calling|asking|repeating))\b",
    re.I)

# Survey touchpoints named in Spanish fold into their English names, so a
# bilingual survey gives one "delivery" figure, not "entrega" and "delivery".
TOUCHPOINT_NAMES = {
    "entrega": "delivery", "envío": "delivery", "envio": "delivery", "reparto": "delivery",
    "instalación": "installation", "instalacion": "installation", "tienda": "store",
    "atención telefónica": "phone support", "atencion telefonica": "phone support", "teléfono": "phone support",
    "web": "web", "página web": "web", "app": "app", "facturación": "billing", "devolución": "returns",
    "devoluciones": "returns", "posventa": "after-sales", "servicio técnico": "technical service",
}


def touchpoint_of(item: Item, names: dict[str, str] | None = None) -> str:
    """The item's touchpoint (a survey's, else the channel), es names folded to en."""
    raw = (item.touchpoint or item.channel).strip()
    table = TOUCHPOINT_NAMES if names is None else names
    return table.get(raw.lower(), raw)


@dataclass(frozen=True)
class ExperienceSettings:
    repeat_days: int = 7
    long_call_min: float = 10.0
    half_life_days: float = 90.0  # recency weighting of aggregates
    min_confidence: float = 0.5  # an intent counts from this confidence


@dataclass
class Component:
    name: str
    value: Any
    points: float
    why: str

    def as_dict(self) -> dict:
        return {"name": self.name, "value": self.value, "points": round(self.points, 2), "why": self.why}


@dataclass
class Experience:
    interaction_id: str
    customer_id: str | None
    channel: str
    touchpoint: str
    timestamp: dt.datetime | None
    score: float
    components: list[Component] = field(default_factory=list)


def _feeling(item: Item) -> tuple[float | None, list[Component]]:
    parts: list[tuple[float, float, Component]] = []
    if item.analysed and item.text.strip() and item.sentiment_score is not None:
        v = float(item.sentiment_score)
        parts.append((v, 1.0, Component("text_sentiment", round(v, 3), 0.0,
                                        f"the customer's words read {item.sentiment or 'neutral'} ({v:+.2f})")))
    s = item.scores
    if "nps" in s:
        parts.append(((s["nps"] - 5) / 5, 2.0, Component("nps", s["nps"], 0.0, f"NPS answer {s['nps']:g} of 10")))
    if "csat" in s:
        parts.append(((s["csat"] - 3) / 2, 2.0, Component("csat", s["csat"], 0.0, f"CSAT {s['csat']:g} of 5")))
    if "ces" in s:
        parts.append(((s["ces"] - 4) / 3, 1.0, Component("ces", s["ces"], 0.0, f"effort score {s['ces']:g} of 7 (7 = easy)")))
    if not parts:
        return None, []
    total = sum(w for _, w, _ in parts)
    feeling = sum(v * w for v, w, _ in parts) / total
    for v, w, comp in parts:  # each signal's share of 50 * feeling, so the points add up
        comp.points = 50 * v * w / total
    return feeling, [c for _, _, c in parts]


def _topics(item: Item, min_conf: float) -> set[str]:
    return ({f"intent:{k}" for k, c in item.intents.items() if c >= min_conf and k not in ("other", "praise")}
            | {f"product:{m.product_id}" for m in item.mentions})


def score_interactions(items: list[Item], settings: ExperienceSettings = ExperienceSettings()) -> list[Experience]:
    """Experience of each inbound interaction of one customer's history (oldest
    first); effort signals look back at the same customer's earlier contacts."""
    out: list[Experience] = []
    earlier: list[Item] = []
    thread_counts: dict[str, int] = defaultdict(int)
    window = dt.timedelta(days=settings.repeat_days)
    for item in items:
        if not item.inbound:
            continue
        if item.thread_id:
            thread_counts[item.thread_id] += 1
        feeling, comps = _feeling(item)
        if feeling is None:
            earlier.append(item)
            continue
        recent = [e for e in earlier if item.timestamp and e.timestamp and item.timestamp - e.timestamp <= window]
        topics = _topics(item, settings.min_confidence)
        repeats = [e for e in recent if topics & _topics(e, settings.min_confidence)]
        if repeats:
            pts = max(-24.0, -8.0 * len(repeats))
            comps.append(Component("repeat_contact", len(repeats), pts,
                                   f"{len(repeats)} earlier contact(s) on the same topic in {settings.repeat_days} days"))
        if recent and recent[-1].channel != item.channel:
            comps.append(Component("channel_switch", f"{recent[-1].channel}->{item.channel}", -5.0,
                                   f"came back through {item.channel} after {recent[-1].channel}"))
        if item.thread_id and thread_counts[item.thread_id] >= 3:
            comps.append(Component("long_thread", thread_counts[item.thread_id], -5.0,
                                   f"message {thread_counts[item.thread_id]} from the customer in this thread"))
        if item.duration_s and item.duration_s > settings.long_call_min * 60:
            comps.append(Component("long_call", round(item.duration_s / 60, 1), -5.0,
                                   f"call of {item.duration_s / 60:.0f} minutes"))
        if item.agents > 1:
            comps.append(Component("transfers", item.agents - 1, max(-10.0, -5.0 * (item.agents - 1)),
                                   f"passed between {item.agents} agents"))
        said = REPEAT_PHRASES.search(item.text or "")
        if said:
            comps.append(Component("repeating_themselves", said.group(0), -5.0, f"says \"{said.group(0)}\""))
        for intent, per_conf, label in (("complaint", -10.0, "complains"), ("cancel_churn", -15.0, "threatens to leave"),
                                        ("praise", 5.0, "praises")):
            conf = item.intents.get(intent, 0.0)
            if conf >= settings.min_confidence:
                comps.append(Component(f"intent_{intent}", round(conf, 3), per_conf * conf,
                                       f"{label} (confidence {conf:.2f})"))
        if item.sentiment != "negative" and says_resolved(item.text or ""):
            comps.append(Component("resolved", True, 5.0, "says the matter is solved"))
        score = min(100.0, max(0.0, 50.0 + sum(c.points for c in comps)))
        out.append(Experience(item.id, item.customer_id, item.channel, touchpoint_of(item),
                              item.timestamp, round(score, 1), comps))
        earlier.append(item)
    return out


def decay(age_days: float, half_life_days: float) -> float:
    """Weight of evidence ``age_days`` old: 1 today, 1/2 after one half-life."""
    return 0.5 ** (max(0.0, age_days) / half_life_days) if half_life_days > 0 else 1.0


def age_days(ts: dt.datetime | None, as_of: dt.datetime, undated: float) -> float:
    """Days from ``ts`` to ``as_of``; evidence with no date counts as ``undated`` days old
    (callers pass one half-life: it weighs half)."""
    return (as_of - ts).total_seconds() / 86400 if ts else undated


def weighted_experience(scores: list[tuple[dt.datetime | None, float]], as_of: dt.datetime,
                        half_life_days: float) -> float | None:
    """Recency-weighted mean of (timestamp, score) pairs; undated ones weigh as if a half-life old."""
    num = den = 0.0
    for ts, s in scores:
        w = decay(age_days(ts, as_of, half_life_days), half_life_days)
        num += w * s
        den += w
    return round(num / den, 1) if den > 0 else None


def trend(scores: list[tuple[dt.datetime | None, float]], recent: int = 2) -> float | None:
    """Points the latest ``recent`` contacts are above (+) or below (-) the earlier ones."""
    values = [s for _, s in scores]
    if len(values) < 2:
        return None
    k = min(recent, len(values) - 1)
    return round(sum(values[-k:]) / k - sum(values[:-k]) / (len(values) - k), 1)


def summarise(rows: list[tuple[str, dt.datetime | None, float]], as_of: dt.datetime,
              half_life_days: float) -> dict[str, dict]:
    """Aggregates per key (a channel, a touchpoint): recency-weighted score, plain mean, count."""
    groups: dict[str, list[tuple[dt.datetime | None, float]]] = defaultdict(list)
    for key, ts, s in rows:
        groups[key].append((ts, s))
    return {k: {"score": weighted_experience(v, as_of, half_life_days),
                "mean": round(sum(s for _, s in v) / len(v), 1), "count": len(v)}
            for k, v in sorted(groups.items())}

