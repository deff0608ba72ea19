"""pandas DataFrames for analysts: the analysis as tables with readable columns, no SQL.

Each function takes the filters search takes (``channel``, ``sentiment``, ``since``, ``until``,
``customer``, ``theme``, ``product``, ``lang``; a value or a list) and returns one row per interaction,
sentence, customer, mention or theme. ``Voice`` exposes them as methods (``v.interactions(channel="email")``).

    interactions(store)   id, customer, channel, timestamp, lang, sentiment, intents, themes, group, products,
                          NPS/CSAT/CES, touchpoint, experience, text
    sentences(store)      interaction, idx, text, lang, kind, sentiment, theme
    customers(store)      id, name, segment, lifetime value, value band, class, reason, experience, NPS,
                          interactions, open loops, interests
    mentions(store)       interaction, customer, product, surface, polarity, timestamp
    themes(store)         id, name, group, generic, sentences, interactions, sentiment, NPS and its impact
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ..search.filters import Filters

if TYPE_CHECKING:
    import pandas as pd

    from ..store import Store

FILTERS = ("channel", "sentiment", "since", "until", "customer", "theme", "product", "lang")


def _where(filters: dict) -> tuple[str, list]:
    unknown = sorted(set(filters) - set(FILTERS))
    if unknown:
        from ..errors import ConfigError

        raise ConfigError(f"unknown filter(s) {', '.join(unknown)}.", fix=f"filter by {', '.join(FILTERS)}.")
    return Filters(**filters).sql()


def _frame(store: "Store", sql: str, params: list, dates: tuple[str, ...] = ("timestamp",)) -> "pd.DataFrame":
    import pandas as pd

    df = pd.read_sql_query(sql, store.db.conn, params=params)
    for col in dates:
        if col in df:
            df[col] = pd.to_datetime(df[col], errors="coerce", format="ISO8601")
    return df


def _lists(df: "pd.DataFrame", *cols: str) -> "pd.DataFrame":
    """Columns read as "a;b" lists back into Python lists (empty: [])."""
    for col in cols:
        if col in df:
            df[col] = df[col].map(lambda v: [x for x in v.split(";") if x] if isinstance(v, str) else [])
    return df


def interactions(store: "Store", **filters) -> "pd.DataFrame":
    """One row per interaction from a customer (agents' outbound mail left out), newest last."""
    where, params = _where(filters)
    df = _frame(store, f"""
        select i.id, i.customer_id, c.name as customer_name, i.channel, i.timestamp, a.lang, a.sentiment,
               a.sentiment_score,
               (select group_concat(intent, ';') from (select intent from intents n where n.interaction_id = i.id
                order by confidence desc)) as intents,
               (select group_concat(distinct ta.theme_id) from theme_assignments ta
                where ta.interaction_id = i.id and ta.theme_id is not null) as themes,
               g.group_id as theme_group,
               (select group_concat(distinct m.product_id) from mentions m where m.interaction_id = i.id) as products,
               s.nps, s.csat, s.ces, coalesce(nullif(e.touchpoint, ''), nullif(s.touchpoint, ''), i.channel) as touchpoint,
               e.score as experience, coalesce(a.analysed_text, i.text) as text
        from interactions i
        left join analyses a on a.interaction_id = i.id
        left join customers c on c.id = i.customer_id
        left join survey_scores s on s.interaction_id = i.id
        left join experience e on e.interaction_id = i.id
        left join interaction_groups g on g.interaction_id = i.id
        where coalesce(i.direction, 'inbound') != 'outbound' and {where}
        order by i.timestamp, i.id""", params)
    df["themes"] = df["themes"].str.replace(",", ";")
    df["products"] = df["products"].str.replace(",", ";")
    df = _lists(df, "intents", "themes", "products")
    df.insert(df.columns.get_loc("intents") + 1, "top_intent", df["intents"].map(lambda x: x[0] if x else None))
    return df


def sentences(store: "Store", **filters) -> "pd.DataFrame":
    """One row per sentence of the interactions that match, with its sentiment and theme."""
    where, params = _where(filters)
    return _frame(store, f"""
        select s.interaction_id, s.idx, s.text, s.lang, s.kind, s.sentiment, s.sentiment_score,
               ta.theme_id, coalesce(nullif(t.name, ''), t.label) as theme, i.customer_id, i.channel, i.timestamp
        from sentences s
        join interactions i on i.id = s.interaction_id
        left join analyses a on a.interaction_id = s.interaction_id
        left join theme_assignments ta on ta.interaction_id = s.interaction_id and ta.sentence_idx = s.idx
        left join themes t on t.id = ta.theme_id
        where {where}
        order by i.timestamp, s.interaction_id, s.idx""", params)


def customers(store: "Store") -> "pd.DataFrame":
    """One row per customer with their scores (``voice score``), interactions and open loops."""
    df = _frame(store, """
        select c.id, c.name, c.segment, c.lifetime_value, r.value_band, r.class, r.stage, r.reason, r.cem as experience,
               r.cem_trend as experience_trend, r.nps, r.interests,
               (select count(*) from interactions i where i.customer_id = c.id) as interactions,
               (select count(*) from open_loops o where o.customer_id = c.id and o.status = 'open') as open_loops
        from customers c left join relationships r on r.customer_id = c.id
        order by c.id""", [], dates=())
    df["interests"] = df["interests"].map(lambda v: {p: s for p, s in json.loads(v)} if isinstance(v, str) else {})
    return df


def mentions(store: "Store", **filters) -> "pd.DataFrame":
    """One row per product mention, with the aspect's polarity."""
    where, params = _where(filters)
    return _frame(store, f"""
        select m.interaction_id, i.customer_id, m.product_id, p.name as product, m.surface, m.polarity,
               m.polarity_score, i.channel, i.timestamp
        from mentions m join interactions i on i.id = m.interaction_id
        left join analyses a on a.interaction_id = m.interaction_id
        left join products p on p.id = m.product_id
        where {where}
        order by i.timestamp, m.interaction_id, m.start""", params)


def themes(store: "Store") -> "pd.DataFrame":
    """One row per active theme with its group, whether it is generic, its size and sentiment, and its NPS
    driver figures: the mean NPS of the customers who raise it and that minus everyone's (``nps_impact``)."""
    import pandas as pd

    from ..themes import generic_theme_ids, list_themes
    from ..themes.read import CUSTOMER_NPS

    rows = list_themes(store)
    df = pd.DataFrame(rows, columns=["id", "name", "label", "status", "sentences", "interactions", "mean_sentiment",
                                     "share_negative", "mean_nps", "nps_customers"] if not rows else None)
    if df.empty:
        return df
    extra = dict(store.db.execute("select id, group_id from themes"))
    generic = generic_theme_ids(store)
    overall = store.db.execute(f"with {CUSTOMER_NPS} select avg(nps) from customer_nps").fetchone()[0]
    df["group"] = df["id"].map(extra)
    df["generic"] = df["id"].isin(generic)
    df["nps_impact"] = (df["mean_nps"] - overall).round(2) if overall is not None else None
    return df[["id", "name", "group", "generic", "status", "sentences", "interactions", "mean_sentiment",
               "share_negative", "mean_nps", "nps_customers", "nps_impact", "keyphrases"]]
