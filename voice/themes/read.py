"""Reading themes back: the list with its figures, examples, an interaction's themes."""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..store import Store


#: a WITH-clause table: each customer's latest NPS answer, as relationships.nps and the report count it
CUSTOMER_NPS = """customer_nps as (
            select customer_id, nps from (
                select x.customer_id, ss.nps,
                       row_number() over (partition by x.customer_id order by x.timestamp desc, x.id desc) as rn
                from survey_scores ss join interactions x on x.id = ss.interaction_id
                where ss.nps is not null and x.customer_id is not null)
            where rn = 1)"""


def list_themes(store: Store, *, include: Sequence[str] = ("active", "proposed"),
                ids: Sequence[str] | None = None) -> list[dict]:
    """Themes with status in ``include``, largest first, each with: sentences and
    interactions assigned; mean sentence sentiment score and share of its
    sentences that are negative; mean NPS of the customers raising it (each
    customer's latest NPS answer, then the mean over customers who answered
    one; None when none did). ``ids``: only these themes."""
    include = tuple(include)
    if not include:
        return []
    marks = ",".join("?" * len(include))
    id_filter = f" and t.id in ({','.join('?' * len(ids))})" if ids else ""
    rows = store.db.execute(f"""
        with members as (
            select ta.theme_id, ta.interaction_id, s.sentiment, s.sentiment_score, x.customer_id
            from theme_assignments ta
            join sentences s on s.interaction_id = ta.interaction_id and s.idx = ta.sentence_idx
            join interactions x on x.id = ta.interaction_id
            where ta.theme_id is not null),
        {CUSTOMER_NPS},
        figures as (
            select theme_id, count(*) as sentences, count(distinct interaction_id) as interactions,
                   avg(sentiment_score) as mean_sentiment,
                   avg(case when sentiment = 'negative' then 1.0 when sentiment is null then null else 0.0 end)
                       as share_negative
            from members group by theme_id),
        nps as (
            select m.theme_id, avg(c.nps) as mean_nps, count(*) as nps_customers
            from (select distinct theme_id, customer_id from members where customer_id is not null) m
            join customer_nps c on c.customer_id = m.customer_id group by m.theme_id)
        select t.id, t.name, t.label, t.keyphrases, t.status, t.merged_into, t.pinned, t.version,
               coalesce(f.sentences, 0), coalesce(f.interactions, 0), f.mean_sentiment, f.share_negative,
               n.mean_nps, coalesce(n.nps_customers, 0)
        from themes t left join figures f on f.theme_id = t.id left join nps n on n.theme_id = t.id
        where t.status in ({marks}){id_filter}
        order by coalesce(f.sentences, 0) desc, t.id""", [*include, *(ids or [])])
    out = []
    for r in rows:
        out.append({"id": r[0], "name": r[1] or r[2], "label": r[2], "keyphrases": [k[0] for k in json.loads(r[3] or "[]")],
                    "status": r[4], "merged_into": r[5], "pinned": json.loads(r[6] or "[]"), "version": r[7],
                    "sentences": r[8], "interactions": r[9],
                    "mean_sentiment": None if r[10] is None else round(r[10], 3),
                    "share_negative": None if r[11] is None else round(r[11], 3),
                    "mean_nps": None if r[12] is None else round(r[12], 2), "nps_customers": r[13]})
    return out


def theme_examples(store: Store, theme_id: str, limit: int = 5, offset: int = 0) -> list[dict]:
    """The theme's sentences, most similar to it first (pinned ones score 1); ``offset`` pages on."""
    return [dict(r) for r in store.db.query("""
        select ta.interaction_id, s.text, x.customer_id, x.channel, x.timestamp, s.sentiment,
               s.sentiment_score, ta.similarity
        from theme_assignments ta
        join sentences s on s.interaction_id = ta.interaction_id and s.idx = ta.sentence_idx
        join interactions x on x.id = ta.interaction_id
        where ta.theme_id = ?
        order by ta.similarity desc, x.timestamp, ta.interaction_id, ta.sentence_idx limit ? offset ?""",
        [theme_id, limit, max(0, offset)])]


def interaction_themes(store: Store, interaction_id: str) -> list[str]:
    """Theme ids of the interaction's sentences, the one with most sentences first."""
    return [r[0] for r in store.db.execute("""
        select theme_id from theme_assignments where interaction_id = ? and theme_id is not null
        group by theme_id order by count(*) desc, min(sentence_idx)""", [interaction_id])]
