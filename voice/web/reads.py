"""The few reads the pages need that :mod:`voice.api` does not offer (yet).

Each is one small query; they belong in the library (``Voice.products_with_interest``,
``Voice.interaction_analysis``) and the web app will call those once they exist.
"""

from __future__ import annotations

import json
from typing import Any

from ..store import Store


def products_with_interest(store: Store) -> list[str]:
    """Product ids some customer has a scored interest in: the segment builder's choices."""
    if "interest" not in store.db.table_names():
        return []
    return [r[0] for r in store.db.execute("select distinct product_id from interest order by 1")]


def mentioned_products(store: Store) -> list[str]:
    """Product ids the analysis found in some interaction: the search filter's choices."""
    if "mentions" not in store.db.table_names():
        return []
    return [r[0] for r in store.db.execute("select distinct product_id from mentions order by 1")]


def consent_kinds(store: Store) -> list[str]:
    """The consent flags the CRM export carries (marketing, email...)."""
    kinds: set[str] = set()
    for (raw,) in store.db.execute("select distinct consent from customers where consent is not null"):
        try:
            value = json.loads(raw)
        except ValueError:
            continue
        if isinstance(value, dict):
            kinds.update(str(k) for k in value)
    return sorted(kinds)


def channels(store: Store) -> list[str]:
    return [r[0] for r in store.db.execute("select distinct channel from interactions order by 1")]


def languages(store: Store) -> list[str]:
    return [r[0] for r in store.db.execute("select distinct lang from analyses where lang is not null order by 1")]


def customer_segments(store: Store) -> list[str]:
    return [r[0] for r in store.db.execute("select distinct segment from customers where segment is not null "
                                           "and segment != '' order by 1")]


def interaction_analysis(store: Store, interaction_id: str) -> dict[str, Any]:
    """What the analysis and the scores stored for one interaction."""
    db = store.db
    tables = set(db.table_names())
    out: dict[str, Any] = {"analysis": None, "intents": [], "keyphrases": [], "mentions": [], "sentences": [],
                           "experience": None}
    if "analyses" in tables:
        out["analysis"] = next((dict(r) for r in db.query(
            "select lang, lang_confidence, sentiment, sentiment_score, pipeline, analysed_at from analyses "
            "where interaction_id = ?", [interaction_id])), None)
    if "intents" in tables:
        out["intents"] = [dict(r) for r in db.query(
            "select intent, confidence from intents where interaction_id = ? order by confidence desc, intent",
            [interaction_id])]
    if "keyphrases" in tables:
        out["keyphrases"] = [dict(r) for r in db.query(
            "select phrase, surface, score from keyphrases where interaction_id = ? order by rank", [interaction_id])]
    if "mentions" in tables:
        out["mentions"] = [dict(r) for r in db.query(
            "select product_id, surface, polarity, polarity_score from mentions where interaction_id = ? "
            "order by start", [interaction_id])]
    if "sentences" in tables:
        out["sentences"] = [dict(r) for r in db.query(
            "select s.idx, s.text, s.lang, s.sentiment, s.sentiment_score, s.kind, ta.theme_id from sentences s "
            "left join theme_assignments ta on ta.interaction_id = s.interaction_id and ta.sentence_idx = s.idx "
            "where s.interaction_id = ? order by s.idx", [interaction_id])]
    if "experience" in tables:
        row = next((dict(r) for r in db.query(
            "select touchpoint, score, components from experience where interaction_id = ?", [interaction_id])), None)
        if row is not None:
            try:
                row["components"] = json.loads(row["components"] or "[]")
            except ValueError:
                row["components"] = []
            out["experience"] = row
    return out


def interaction_corrections(store: Store, interaction_id: str) -> list[dict[str, Any]]:
    """Analysts' corrections of this interaction, latest first (empty on a database without them)."""
    if "corrections" not in store.db.table_names():
        return []
    return [{**dict(r), "value": json.loads(r["value"])} for r in store.db.query(
        "select sentence_idx, field, value, by, at from corrections where interaction_id = ? order by id desc",
        [interaction_id])]


def theme_choices(store: Store) -> list[tuple[str, str]]:
    """(id, name) of the themes a sentence can be moved to."""
    return [(r[0], r[1]) for r in store.db.execute(
        "select id, coalesce(nullif(name, ''), label, id) from themes where status in ('active', 'proposed') "
        "order by size desc, id")]


def theme_names(store: Store, ids: list[str]) -> dict[str, str]:
    """{theme id: its name or label} for these themes."""
    if not ids:
        return {}
    return {r[0]: r[1] for r in store.db.execute(
        f"select id, coalesce(nullif(name, ''), nullif(label, ''), id) from themes where id in "
        f"({','.join('?' * len(ids))})", ids)}


PAGE_SIZE = 50


def customer_directory(store: Store, query: str | None = None, page: int = 1) -> tuple[list[dict[str, Any]], int]:
    """(customers of this page, how many match): by id, name (any part), e-mail or phone (normalised as
    linking does, so "612 345 678" finds +34612345678), most valuable first."""
    from ..link.normalize import normalize

    where, params = "1", []
    q = (query or "").strip()
    if q:
        region = store.settings()["region"]
        handles = [v for v in (normalize("email", q, region) if "@" in q else None,
                               normalize("phone", q, region) if any(c.isdigit() for c in q) else None) if v]
        where = ("(c.id = ? collate nocase or c.name like ? or c.id in (select customer_id from identities "
                 f"where value in ({','.join('?' * len(handles)) or 'null'})))")
        params = [q, f"%{q}%", *handles]
    total = store.db.execute(f"select count(*) from customers c where {where}", params).fetchone()[0]
    rows = [dict(r) for r in store.db.query(f"""
        select c.id, c.name, c.segment, c.lifetime_value, r.value_band, r.class, r.cem,
               (select count(*) from interactions i where i.customer_id = c.id) as interactions,
               (select count(*) from open_loops o where o.customer_id = c.id and o.status = 'open') as open_loops
        from customers c left join relationships r on r.customer_id = c.id
        where {where}
        order by coalesce(c.lifetime_value, -1) desc, c.id
        limit ? offset ?""", [*params, PAGE_SIZE, (max(page, 1) - 1) * PAGE_SIZE])]
    return rows, total
