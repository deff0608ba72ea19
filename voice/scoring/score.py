"""Scoring run: experience, interest, open loops and relationship class for the
customers whose history changed since they were last scored (or all, ``full``).

A customer's fingerprint is a hash of their interactions, the analysis run
behind each and its latest analyst's correction (voice.learn); a customer whose fingerprint is unchanged keeps their scores, so a
re-run after adding a few interactions touches only those customers. Value bands
rank all customers and are refreshed for everyone on every run (cheap).
Recency is measured from ``as_of`` (default: now); scores of customers not
re-scored keep the ``as_of`` they were computed at (``full`` re-scores all).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field

from .._clock import utc_now
from ..store import Store
from .experience import ExperienceSettings, score_interactions, trend, weighted_experience
from .history import Item, histories, load_items
from .interest import InterestSettings, score_interest
from .lifecycle import stage as lifecycle_stage
from .loops import PROBLEM_INTENTS, find_loops
from .relationship import Relationship, RelationshipSettings, classify, latest_nps, needs, value_bands



@dataclass(frozen=True)
class ScoreSettings:
    experience: ExperienceSettings = field(default_factory=ExperienceSettings)
    interest: InterestSettings = field(default_factory=InterestSettings)
    relationship: RelationshipSettings = field(default_factory=RelationshipSettings)


@dataclass
class ScoreReport:
    run_id: int
    as_of: str
    customers: int  # re-scored this run
    unchanged: int  # skipped: nothing new since their last scoring
    interactions: int  # experience scores written
    classes: dict[str, int] = field(default_factory=dict)
    note: str | None = None  # why this as-of date, when it is not the one asked for


def _fingerprints(store: Store, settings: "ScoreSettings") -> dict[str, str]:
    """customer id -> a hash of their interactions (id, analysis run, latest analyst's correction,
    time) and the settings: what a score depends on, so an unchanged customer is skipped."""
    rows = store.db.execute("""
        select c.id, x.id, coalesce(a.run_id, '') || '.' ||
               coalesce((select max(k.id) from corrections k where k.interaction_id = x.id), ''),
               coalesce(x.timestamp, '')
        from customers c
        left join interactions x on x.customer_id = c.id
        left join analyses a on a.interaction_id = x.id
        order by c.id, x.id""")
    salt = _json(asdict(settings)).encode()
    hashes: dict[str, "hashlib._Hash"] = {}
    for cid, iid, run, ts in rows:
        h = hashes.get(cid)
        if h is None:
            h = hashes[cid] = hashlib.sha256(salt)
        if iid is not None:
            h.update(f"{iid}:{run}:{ts}|".encode())
    return {cid: h.hexdigest()[:24] for cid, h in hashes.items()}


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def _experience_rows(results, run_id: int) -> list[tuple]:
    return [(e.interaction_id, e.customer_id, e.channel, e.touchpoint,
             e.timestamp.isoformat() if e.timestamp else None, e.score,
             _json([c.as_dict() for c in e.components]), run_id) for e in results]


def score(store: Store, *, as_of: dt.datetime | None = None, full: bool = False,
          settings: ScoreSettings = ScoreSettings(), batch: int = 200) -> ScoreReport:
    """Score what changed; see the module docstring."""
    as_of = as_of or dt.datetime.now(dt.timezone.utc)
    if as_of.tzinfo is None:
        as_of = as_of.replace(tzinfo=dt.timezone.utc)
    db = store.db
    with db.atomic():
        run_id = db["scoring_runs"].insert({
            "started_at": utc_now(), "as_of": as_of.isoformat(timespec="seconds"),
            "settings": _json(asdict(settings)), "status": "running"}).last_pk
    prints = _fingerprints(store, settings)
    stored = dict(db.execute("select customer_id, fingerprint from relationships").fetchall())
    todo = sorted(prints) if full else sorted(c for c, f in prints.items() if stored.get(c) != f)
    values = dict(db.execute("select id, lifetime_value from customers").fetchall())
    bands = value_bands(values, settings.relationship)
    written = 0
    for start in range(0, len(todo), batch):
        ids = todo[start:start + batch]
        hist = histories(store, ids)
        with db.atomic():
            marks = ",".join("?" * len(ids))
            db.execute(f"delete from experience where customer_id in ({marks}) or interaction_id in "
                       f"(select id from interactions where customer_id in ({marks}))", ids + ids)
            db.execute(f"delete from interest where customer_id in ({marks})", ids)
            db.execute(f"delete from open_loops where customer_id in ({marks})", ids)
            for cid in ids:
                written += _score_customer(store, cid, hist.get(cid, []), prints[cid], values.get(cid),
                                           bands.get(cid, "unknown"), as_of, run_id, settings)
    written += _score_unlinked(store, run_id, settings, full)
    with db.atomic():
        db.conn.executemany("update relationships set value_band = ? where customer_id = ?",
                            [(b, c) for c, b in bands.items()])
        classes = dict(db.execute("select class, count(*) from relationships group by class").fetchall())
        db["scoring_runs"].update(run_id, {"finished_at": utc_now(), "status": "done",
                                           "customers": len(todo), "interactions": written})
    return ScoreReport(run_id, as_of.isoformat(timespec="seconds"), len(todo), len(prints) - len(todo), written,
                       classes)


def _score_customer(store: Store, cid: str, items: list[Item], fingerprint: str, value: float | None, band: str,
                    as_of: dt.datetime, run_id: int, s: ScoreSettings) -> int:
    db = store.db
    exp = score_interactions(items, s.experience)
    pairs = [(e.timestamp, e.score) for e in exp]
    cem = weighted_experience(pairs, as_of, s.experience.half_life_days)
    cem_trend = trend(pairs)
    loops = find_loops(items, min_confidence=s.experience.min_confidence)
    recent = as_of - dt.timedelta(days=s.relationship.risk_days)
    open_problem = any(lp.status == "open" and lp.intent in PROBLEM_INTENTS
                       and (lp.last_contact_at is None or lp.last_contact_at >= recent) for lp in loops)
    interests = score_interest(items, as_of, s.interest)
    cls, reason = classify(items, cem, cem_trend, open_problem, as_of, s.relationship)
    rel = Relationship(cid, cls, reason, cem, cem_trend, latest_nps(items), value, band,
                       needs(items, s.relationship.min_confidence), [(i.product_id, i.score) for i in interests[:5]],
                       sum(1 for i in items if i.inbound))
    db.conn.executemany("insert or replace into experience values (?, ?, ?, ?, ?, ?, ?, ?)",
                        _experience_rows(exp, run_id))
    db.conn.executemany(
        "insert into interest (customer_id, product_id, score, evidence, last_seen, run_id) values (?, ?, ?, ?, ?, ?)",
        [(cid, i.product_id, i.score, _json(i.evidence), i.last_seen.isoformat() if i.last_seen else None, run_id)
         for i in interests])
    db.conn.executemany(
        """insert or replace into open_loops (customer_id, opened_by, intent, opened_at, last_contact_at, contacts,
           status, closed_by, summary, run_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [(cid, lp.opened_by, lp.intent, _iso(lp.opened_at), _iso(lp.last_contact_at), lp.contacts, lp.status,
          lp.closed_by, lp.summary, run_id) for lp in loops])
    db.execute("""insert or replace into relationships (customer_id, class, reason, cem, cem_trend, nps, lifetime_value,
                  value_band, needs, interests, interactions, fingerprint, as_of, run_id, stage)
                  values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
               [cid, rel.cls, rel.reason, rel.cem, rel.cem_trend, rel.nps, rel.lifetime_value, rel.value_band,
                _json(rel.needs), _json(rel.interests), rel.interactions, fingerprint,
                as_of.isoformat(timespec="seconds"), run_id, lifecycle_stage(items, cls, cem, as_of)])
    return len(exp)


def _score_unlinked(store: Store, run_id: int, s: ScoreSettings, full: bool) -> int:
    """Touchpoint scores for interactions tied to no customer (each on its own:
    no history to look back at), so channel and touchpoint figures include them."""
    where = "x.customer_id is null and coalesce(x.direction, 'inbound') != 'outbound'"
    if not full:
        where += " and x.id not in (select interaction_id from experience)"
    items = load_items(store, where)
    rows = []
    for item in items:
        rows += _experience_rows(score_interactions([item], s.experience), run_id)
    with store.db.atomic():
        if full:
            store.db.execute("delete from experience where customer_id is null")
        store.db.conn.executemany("insert or replace into experience values (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return len(rows)


def _iso(ts: dt.datetime | None) -> str | None:
    return ts.isoformat() if ts else None
