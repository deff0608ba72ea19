"""A customer's interactions, in time order, with what the analysis found in
each: the one shape every score and the timeline read."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..store import Store


@dataclass
class MentionItem:
    product_id: str
    surface: str
    start: int
    end: int
    polarity: str | None = None
    polarity_score: float | None = None
    sentence_idx: int | None = None


@dataclass
class Item:
    """One interaction as the scores see it."""

    id: str
    channel: str
    timestamp: dt.datetime | None
    direction: str = "inbound"  # inbound | outbound
    customer_id: str | None = None
    thread_id: str | None = None
    subject: str | None = None
    text: str = ""  # the customer's own words that were analysed
    sentiment: str | None = None
    sentiment_score: float | None = None
    intents: dict[str, float] = field(default_factory=dict)
    mentions: list[MentionItem] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)  # nps 0-10, csat 1-5, ces 1-7 (7 = easy)
    touchpoint: str | None = None
    duration_s: float | None = None  # calls: first turn start to last turn end
    agents: int = 0  # calls: distinct agent speakers
    analysed: bool = False
    # sentence idx -> its intents; None when the analysis stored none per sentence (older runs, intent v1)
    sentence_intents: dict[int, dict[str, float]] | None = None

    @property
    def inbound(self) -> bool:
        return self.direction != "outbound"

    def intents_near(self, sentence_idx: int | None, *, with_next: bool = True) -> dict[str, float]:
        """What is asked around one sentence: the intents of that sentence and
        (``with_next``) the next one (questions often follow the product they are
        about), each at its best; the interaction's intents when none were
        stored per sentence."""
        if self.sentence_intents is None or sentence_idx is None:
            return self.intents
        near: dict[str, float] = {}
        for idx in (sentence_idx, sentence_idx + 1) if with_next else (sentence_idx,):
            for k, c in self.sentence_intents.get(idx, {}).items():
                near[k] = max(c, near.get(k, 0.0))
        return near


def parse_ts(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        ts = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return ts if ts.tzinfo else ts.replace(tzinfo=dt.timezone.utc)


def _chunks(seq: Sequence[str], n: int = 900) -> Iterable[Sequence[str]]:
    for i in range(0, len(seq), n):
        yield seq[i:i + n]


def load_items(store: Store, where: str = "", params: Sequence = ()) -> list[Item]:
    """Interactions matching ``where`` (SQL on ``interactions x``), oldest first,
    with their analysis, intents, mentions, survey scores and call turns."""
    db = store.db
    rows = db.execute(f"""
        select x.id, x.channel, x.timestamp, x.direction, x.customer_id, x.thread_id, x.subject,
               coalesce(a.analysed_text, x.text), a.sentiment, a.sentiment_score, a.interaction_id is not null,
               s.nps, s.csat, s.ces, s.touchpoint, x.metadata
        from interactions x
        left join analyses a on a.interaction_id = x.id
        left join survey_scores s on s.interaction_id = x.id
        {('where ' + where) if where else ''}
        order by coalesce(x.timestamp, ''), x.id""", list(params)).fetchall()
    items: dict[str, Item] = {}
    for (iid, channel, ts, direction, cid, thread, subject, text, sent, score, analysed,
         nps, csat, ces, touchpoint, metadata) in rows:
        scores = {k: float(v) for k, v in (("nps", nps), ("csat", csat), ("ces", ces)) if v is not None}
        if touchpoint is None and metadata:
            touchpoint = (json.loads(metadata) or {}).get("touchpoint")
        items[iid] = Item(iid, channel, parse_ts(ts), direction or "inbound", cid, thread, subject, text or "",
                          sent, score, scores=scores, touchpoint=touchpoint, analysed=bool(analysed))
    ids = list(items)
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        for iid, intent, conf in db.execute(
                f"select interaction_id, intent, confidence from intents where interaction_id in ({marks})", chunk):
            items[iid].intents[intent] = float(conf or 0.0)
        for iid, pid, surface, start, end, pol, pol_score, sidx in db.execute(
                f"""select interaction_id, product_id, surface, start, "end", polarity, polarity_score, sentence_idx
                    from mentions where interaction_id in ({marks}) order by interaction_id, start""", chunk):
            items[iid].mentions.append(MentionItem(pid, surface, start, end, pol, pol_score, sidx))
        for iid, idx, intents in db.execute(
                f"""select interaction_id, idx, intents from sentences
                    where interaction_id in ({marks}) and intents is not null""", chunk):
            found = items[iid].sentence_intents
            if found is None:
                found = items[iid].sentence_intents = {}
            found[idx] = {k: float(c) for k, c in json.loads(intents)}
        calls = defaultdict(list)
        for iid, role, speaker, start, end in db.execute(
                f"""select interaction_id, role, speaker, start, "end" from turns
                    where interaction_id in ({marks}) order by interaction_id, idx""", chunk):
            calls[iid].append((role, speaker, start, end))
        for iid, turns in calls.items():
            starts = [t[2] for t in turns if t[2] is not None]
            ends = [t[3] for t in turns if t[3] is not None]
            if starts and ends:
                items[iid].duration_s = max(ends) - min(starts)
            items[iid].agents = len({t[1] for t in turns if t[0] == "agent" and t[1]})
    return list(items.values())


def histories(store: Store, customer_ids: Sequence[str] | None = None) -> dict[str, list[Item]]:
    """customer id -> their interactions (inbound and outbound), oldest first.
    ``None``: every linked customer."""
    out: dict[str, list[Item]] = defaultdict(list)
    if customer_ids is None:
        found = load_items(store, "x.customer_id is not null")
    else:
        found = []
        for chunk in _chunks(list(customer_ids)):
            found += load_items(store, f"x.customer_id in ({','.join('?' * len(chunk))})", chunk)
        found.sort(key=lambda i: (i.timestamp or dt.datetime.min.replace(tzinfo=dt.timezone.utc), i.id))
    for item in found:
        out[item.customer_id].append(item)
    return dict(out)
