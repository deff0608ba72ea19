"""The numbers behind the sentiment report, as plain tables (lists of dicts with
scalar values), so the HTML report, the exports and the web app read the same.

Scope: the interactions that carry the customer's words or a score (an analysis
with a sentiment, or an experience row), narrowed by the filters. Dates compare
on the date part of the stored timestamp (the local date as written), and weeks
are ISO weeks ("2026-W41").
"""

from __future__ import annotations

import datetime as dt
import heapq
import json
import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from statistics import fmean

from .._text import clip
from ..store import Store
from ..themes.groups import generic_theme_ids

TOP_THEMES = 12
TOP_KEYPHRASES = 20
QUOTES_PER_THEME = 3
EXTREME_QUOTES = 5
QUOTE_CHARS = 280
RISING_DEFAULT_DAYS = 28
INTEREST_MIN = 0.5
NO_THEMES = "no themes yet: run voice themes discover"


_AGG = ["interactions", "mean_sentiment", "negative_share", "experience_n", "mean_experience"]
COLUMNS = {  # each table's columns, in order (an empty table still exports its header)
    "weekly": ["week", "channel", *_AGG],
    "weekly_total": ["week", *_AGG],
    "trend": ["period", "channel", *_AGG],
    "channels": ["channel", *_AGG],
    "touchpoints": ["touchpoint", "count", "mean_experience", "min_experience", "max_experience",
                    "mean_sentiment"],
    "touchpoint_weeks": ["touchpoint", "week", "count", "mean_experience"],
    "theme_groups": ["group_id", "group", "interactions", "share", "customers", "mean_sentiment",
                     "negative_share", "nps_n", "nps_mean", "nps_impact", "themes"],
    "themes": ["theme_id", "theme", "interactions", "customers", "mean_sentiment", "nps_n", "nps_mean",
               "nps_impact", "nps_impact_low", "nps_impact_high"],
    "rising_themes": ["theme_id", "theme", "interactions_now", "interactions_before", "change", "growth"],
    "drivers": ["outcome", "kind", "factor", "n", "share", "mean_with", "mean_without", "impact", "impact_low",
                "impact_high", "value_share", "clv_impact", "clv_impact_low", "clv_impact_high", "rank_score",
                "clv_rank_score"],
    "keyphrases": ["phrase", "surface", "interactions", "mean_sentiment"],
    "product_interest": ["product_id", "customers", "mean_interest", "max_interest", "top_customers"],
    "products": ["product_id", "interactions", "mean_polarity", "negative_share", "phrases"],
    "valuable_at_risk": ["customer_id", "name", "segment", "lifetime_value", "value_band", "class", "reason",
                         "cem", "cem_trend", "nps", "needs"],
    "quotes": ["kind", "theme_id", "theme", "interaction_id", "customer_id", "channel", "day",
               "sentiment_score", "text"],
}


@dataclass
class Filters:
    since: dt.date | None = None
    until: dt.date | None = None
    channel: str | None = None
    segment: str | None = None
    lang: str | None = None

    def describe(self) -> str:
        parts = [f"{k} {v}" for k, v in asdict(self).items() if v not in (None, "")]
        return ", ".join(parts) if parts else "all interactions"


@dataclass
class ReportData:
    """Everything the report shows. Each table is a list of rows (dicts of plain values)."""

    filters: Filters
    generated_at: str
    summary: dict
    weekly: list[dict] = field(default_factory=list)            # week x channel
    weekly_total: list[dict] = field(default_factory=list)      # week, all channels
    trend: list[dict] = field(default_factory=list)             # period (fitting the span) x channel, and "all"
    trend_unit: str = "week"                                    # week | month | quarter
    channels: list[dict] = field(default_factory=list)
    touchpoints: list[dict] = field(default_factory=list)
    touchpoint_weeks: list[dict] = field(default_factory=list)  # touchpoint x week (heat-map)
    theme_groups: list[dict] = field(default_factory=list)     # one primary group per interaction
    themes: list[dict] = field(default_factory=list)            # topical sentence themes (generic ones apart)
    generic_themes: list[str] = field(default_factory=list)     # names of themes spread over every group
    rising_themes: list[dict] = field(default_factory=list)
    keyphrases: list[dict] = field(default_factory=list)
    product_interest: list[dict] = field(default_factory=list)
    products: list[dict] = field(default_factory=list)          # what customers say about each product
    valuable_at_risk: list[dict] = field(default_factory=list)
    quotes: list[dict] = field(default_factory=list)
    rising_period: dict = field(default_factory=dict)           # {now: [from, to], before: [from, to]}
    themes_note: str | None = None                              # set when there are no themes yet
    empty: dict = field(default_factory=dict)                   # section -> why it is empty, and what to do
    changes: object = None                                      # voice.report.changes.Changes (no filters set)
    campaigns: list[dict] = field(default_factory=list)         # voice.campaigns.campaign_tables: measured campaigns
    drivers: list[dict] = field(default_factory=list)           # voice.report.drivers: themes, products, touchpoints

    TABLES = ("weekly", "weekly_total", "trend", "channels", "touchpoints", "touchpoint_weeks", "theme_groups", "themes",
              "rising_themes", "drivers", "keyphrases", "product_interest", "products", "valuable_at_risk", "quotes")

    def tables(self) -> dict[str, list[dict]]:
        """The exportable tables by name, in report order."""
        return {name: getattr(self, name) for name in self.TABLES}


def _date(value: dt.date | dt.datetime | str | None, name: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValueError(f"{name}={value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-10-01.") from None


@lru_cache(maxsize=65_536)
def _week(day: str) -> str:
    y, w, _ = dt.date.fromisoformat(day).isocalendar()
    return f"{y}-W{w:02d}"


def _mean(values, digits: int = 3) -> float | None:
    vals = [v for v in values if v is not None]
    return round(fmean(vals), digits) if vals else None


@dataclass(slots=True)
class _Row:
    """An interaction in scope; its text is read only for the few that are quoted (:func:`_texts`)."""
    id: str
    channel: str
    day: str | None
    customer_id: str | None
    sentiment: str | None
    sentiment_score: float | None
    experience: float | None
    touchpoint: str


def _scope(store: Store, f: Filters, *, since: dt.date | None, until: dt.date | None) -> list[_Row]:
    where, params = ["(a.sentiment_score is not null or e.score is not null)"], []
    if since:
        where.append("substr(i.timestamp, 1, 10) >= ?")
        params.append(since.isoformat())
    if until:
        where.append("substr(i.timestamp, 1, 10) <= ?")
        params.append(until.isoformat())
    for col, value in (("i.channel", f.channel), ("c.segment", f.segment), ("a.lang", f.lang)):
        if value:
            where.append(f"{col} = ?")
            params.append(value)
    rows = store.db.execute(f"""
        select i.id, i.channel, substr(i.timestamp, 1, 10), i.customer_id, a.sentiment, a.sentiment_score,
               e.score, coalesce(nullif(e.touchpoint, ''), nullif(ss.touchpoint, ''), i.channel)
        from interactions i
        left join analyses a on a.interaction_id = i.id
        left join experience e on e.interaction_id = i.id
        left join survey_scores ss on ss.interaction_id = i.id
        {"left join customers c on c.id = i.customer_id" if f.segment else ""}
        where {' and '.join(where)}
        order by i.timestamp, i.id""", params).fetchall()
    return [_Row(*r) for r in rows]


def report_data(store: Store, *, since=None, until=None, channel: str | None = None, segment: str | None = None,
                lang: str | None = None, period: str | None = None) -> ReportData:
    """The report's tables for the interactions that match the filters.

    ``since``/``until`` are dates (inclusive; ``date``, ``datetime`` or ``"YYYY-MM-DD"``), ``channel`` an
    interaction channel, ``segment`` a CRM segment (``customers.segment``), ``lang`` the analysed language,
    ``period`` the trend's unit (week, month, quarter; default: the one that fits the span).
    """
    f = Filters(_date(since, "since"), _date(until, "until"), channel or None, segment or None, lang or None)
    everything = not period and all(v in (None, "") for v in asdict(f).values())
    # (this connection's own uncommitted writes are not in the files yet: no kept report then)
    if not everything or store.db.conn.in_transaction:
        return _report(store, f, period)
    # the whole store's report is kept beside it while the database stays as it is (voice.report.kept):
    # another process, or the web app after `voice report`, reads it instead of computing it again
    from . import kept

    before = kept.state(store.path)
    data = kept.load(store, before)
    if data is None:
        data = _report(store, f, period)
        kept.save(store, data, before)
    return data


def _report(store: Store, f: Filters, period: str | None) -> ReportData:
    rows = _scope(store, f, since=f.since, until=f.until)
    by_id = {r.id: r for r in rows}
    nps, csat = _customer_scores(store, f.until, "nps", "csat")
    scope_customers = {r.customer_id for r in rows if r.customer_id}
    scope_nps = [nps[c] for c in scope_customers if c in nps]
    assignments, names = _theme_assignments(store)
    data = ReportData(
        filters=f,
        generated_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        summary={
            "interactions": len(rows),
            "customers": len(scope_customers),
            "first_day": min((r.day for r in rows if r.day), default=None),
            "last_day": max((r.day for r in rows if r.day), default=None),
            "mean_sentiment": _mean(r.sentiment_score for r in rows),
            "mean_experience": _mean((r.experience for r in rows), 1),
            "negative": sum(1 for r in rows if r.sentiment == "negative"),
            "positive": sum(1 for r in rows if r.sentiment == "positive"),
            "nps_mean": _mean(scope_nps, 2),
            "nps_customers": len(scope_nps),
        },
    )
    data.weekly, data.weekly_total = _weekly(rows)
    data.trend_unit = trend_unit(data.summary["first_day"], data.summary["last_day"], period)
    data.trend = _trend(rows, data.trend_unit)
    data.channels = _by_key(rows, lambda r: r.channel, "channel")
    data.touchpoints = _touchpoints(rows)
    data.touchpoint_weeks = _touchpoint_weeks(rows)
    if not names:
        data.themes_note = NO_THEMES
    else:
        generic = generic_theme_ids(store)
        data.generic_themes = sorted(names[t] for t in generic if t in names)
        topical = {iid: per if generic.isdisjoint(per) else {t: v for t, v in per.items() if t not in generic}
                   for iid, per in assignments.items()}
        data.theme_groups = _groups(store, rows, nps, data.summary["nps_mean"], names, generic)
        data.themes = _themes(rows, by_id, topical, names, nps, data.summary["nps_mean"],
                              [nps[c] for c in scope_customers if c in nps])
        data.rising_themes, data.rising_period = _rising(store, f, rows, topical, names)
    from .drivers import all_drivers

    data.drivers = all_drivers(store, rows, topical if names else {}, names,
                               {"experience": None, "nps": nps, "csat": csat})
    data.keyphrases = _keyphrases(store, by_id)
    data.product_interest = _interest(store, f.segment)
    data.products = _products(store, by_id)
    data.valuable_at_risk = _at_risk(store, f.segment)
    data.quotes = _quotes(store, rows, by_id, data.themes[:TOP_THEMES], assignments)
    from ..campaigns import campaign_tables

    data.campaigns = campaign_tables(store)  # a campaign is about its customers, whatever the filters
    data.empty = _empty_reasons(store, data)
    if not any(v not in (None, "") for v in asdict(f).values()):  # "what changed" is about all of the data
        from .changes import what_changed

        data.changes = what_changed(store, unit=data.trend_unit)
    return data


def _empty_reasons(store: Store, data: ReportData) -> dict[str, str]:
    """Why a section has nothing to show, from what the database holds: the real reason and the step
    that fixes it (not "run voice score" to a user who did)."""
    db = store.db
    filtered = any(v not in (None, "") for v in asdict(data.filters).values())
    scope = "these filters" if filtered else "this data"
    out: dict[str, str] = {}
    count = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
    if not data.summary["interactions"]:
        why = ("no interaction matches these filters" if filtered else
               "nothing is analysed yet: run voice ingest, then voice analyze")
        return {k: why[:1].upper() + why[1:] for k in ("touchpoints", "interest", "at_risk", "keyphrases", "nps")}
    if not data.touchpoints:
        out["touchpoints"] = (f"no experience scores for {scope}: run voice score" if not count(
            "select count(*) from experience") else f"no scored interaction matches {scope}")
    if not data.product_interest:
        if not count("select count(*) from products where status = 'active'"):
            out["interest"] = ("no product catalog: import yours with voice products import FILE, then "
                               "voice analyze --all and voice score")
        elif not count("select count(*) from mentions"):
            out["interest"] = "no interaction mentions a product of your catalog (voice products list shows it)"
        elif not count("select count(*) from interest"):
            out["interest"] = "products are mentioned but nobody is scored yet: run voice score"
        else:
            out["interest"] = "no customer shows interest of 0.5 or more in a product"
    if not data.valuable_at_risk:
        if not count("select count(*) from customers where lifetime_value is not null"):
            out["at_risk"] = ("the CRM export has no lifetime value, so no customer can be called valuable: "
                              "import a file with a lifetime value (or customer value) column")
        elif not count("select count(*) from relationships"):
            out["at_risk"] = "no customer is scored yet: run voice score"
        else:
            out["at_risk"] = "no high-value customer has low or falling experience or is at risk"
    if data.summary["nps_customers"] == 0:
        out["nps"] = (f"no NPS answer in {scope}" + ("" if filtered or count(
            "select count(*) from survey_scores where nps is not null") else
            ": import survey replies with an NPS (0-10) column"))
    if not data.keyphrases:
        out["keyphrases"] = f"no keyphrases in {scope}"
    return {k: v[:1].upper() + v[1:] for k, v in out.items()}


# --- trends --------------------------------------------------------------

def _agg(rs: list[_Row]) -> dict:
    sentiment, exp, negative = [], [], 0
    for r in rs:  # one pass (three generators over every row of every period were seconds at a million)
        if r.sentiment_score is not None:
            sentiment.append(r.sentiment_score)
        if r.experience is not None:
            exp.append(r.experience)
        negative += r.sentiment == "negative"
    return {"interactions": len(rs), "mean_sentiment": _mean(sentiment),
            "negative_share": round(negative / len(rs), 3), "experience_n": len(exp), "mean_experience": _mean(exp, 1)}


#: a period with fewer interactions than this has its means left out of the trend (its count stays): one
#: angry message in a quiet week is not a trend
MIN_PERIOD_N = 5
UNITS = ("week", "month", "quarter")


def trend_unit(first: str | None, last: str | None, wanted: str | None = None) -> str:
    """The period that fits the data's span: weeks up to half a year, months up to three years, quarters
    beyond (five years of weeks were 260 spiky points with unreadable labels); ``wanted`` overrides."""
    if wanted:
        if wanted not in UNITS:
            raise ValueError(f"period={wanted!r}: use one of {', '.join(UNITS)}.")
        return wanted
    if not first or not last:
        return "week"
    days = (dt.date.fromisoformat(str(last)[:10]) - dt.date.fromisoformat(str(first)[:10])).days
    return "week" if days <= 183 else "month" if days <= 3 * 366 else "quarter"


@lru_cache(maxsize=65_536)
def _period(day: str, unit: str) -> str:
    if unit == "week":
        return _week(day)
    d = dt.date.fromisoformat(day[:10])
    return f"{d.year}-{d.month:02d}" if unit == "month" else f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def _trend(rows: list[_Row], unit: str) -> list[dict]:
    """Per period, each channel and all channels together ("all"); a period with fewer than
    :data:`MIN_PERIOD_N` interactions keeps its count but not its means."""
    groups: dict[tuple[str, str], list[_Row]] = defaultdict(list)
    for r in rows:
        if r.day:
            period = _period(r.day, unit)
            groups[(period, r.channel)].append(r)
            groups[(period, "all")].append(r)
    out = []
    for (period, channel), rs in sorted(groups.items()):
        row = {"period": period, "channel": channel, **_agg(rs)}
        if len(rs) < MIN_PERIOD_N:
            row.update(mean_sentiment=None, negative_share=None, mean_experience=None)
        out.append(row)
    return out


def _weekly(rows: list[_Row]) -> tuple[list[dict], list[dict]]:
    per: dict[tuple[str, str], list[_Row]] = defaultdict(list)
    total: dict[str, list[_Row]] = defaultdict(list)
    for r in rows:
        if r.day:
            per[(_week(r.day), r.channel)].append(r)
            total[_week(r.day)].append(r)
    return ([{"week": w, "channel": c, **_agg(rs)} for (w, c), rs in sorted(per.items())],
            [{"week": w, **_agg(rs)} for w, rs in sorted(total.items())])


def _by_key(rows: list[_Row], key, name: str) -> list[dict]:
    groups: dict[str, list[_Row]] = defaultdict(list)
    for r in rows:
        groups[key(r)].append(r)
    return [{name: k, **_agg(rs)} for k, rs in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))]


def _touchpoints(rows: list[_Row]) -> list[dict]:
    groups: dict[str, list[_Row]] = defaultdict(list)
    for r in rows:
        if r.experience is not None:
            groups[r.touchpoint].append(r)
    out = [{"touchpoint": k, "count": len(rs), "mean_experience": _mean((r.experience for r in rs), 1),
            "min_experience": min(r.experience for r in rs), "max_experience": max(r.experience for r in rs),
            "mean_sentiment": _mean(r.sentiment_score for r in rs)} for k, rs in groups.items()]
    return sorted(out, key=lambda d: (d["mean_experience"], d["touchpoint"]))


def _touchpoint_weeks(rows: list[_Row]) -> list[dict]:
    groups: dict[tuple[str, str], list[float]] = defaultdict(list)
    for r in rows:
        if r.experience is not None and r.day:
            groups[(r.touchpoint, _week(r.day))].append(r.experience)
    return [{"touchpoint": t, "week": w, "count": len(v), "mean_experience": _mean(v, 1)}
            for (t, w), v in sorted(groups.items())]


# --- NPS and themes --------------------------------------------------------

def _customer_scores(store: Store, until: dt.date | None, *scores: str) -> list[dict[str, float]]:
    """Per score asked for (nps, csat, ces): each customer's latest answer on or before ``until`` (any
    channel: the scores come from surveys), all read in one pass."""
    if not scores or any(score not in ("nps", "csat", "ces") for score in scores):
        raise ValueError(scores)
    params: list = []
    cond = ""
    if until:
        cond, params = "and substr(i.timestamp, 1, 10) <= ?", [until.isoformat()]
    out: list[dict[str, float]] = [{} for _ in scores]
    for cid, *values in store.db.execute(f"""
            select i.customer_id, {', '.join(f's.{score}' for score in scores)}
            from survey_scores s join interactions i on i.id = s.interaction_id
            where ({' or '.join(f's.{score} is not null' for score in scores)}) and i.customer_id is not null {cond}
            order by i.timestamp, i.id""", params):
        for kept, value in zip(out, values):
            if value is not None:
                kept[cid] = value  # later answers overwrite earlier ones
    return out


def _theme_assignments(store: Store) -> tuple[dict[str, dict[str, list[tuple]]], dict[str, str]]:
    """{interaction_id: {theme_id: [(sentence_idx, similarity, sentence score)]}} and {theme_id: display
    name}. Merged themes count as the theme that took them. The sentences' texts are read for the quoted
    few only (:func:`_sentence_texts`)."""
    themes = store.db.execute("select id, coalesce(nullif(name, ''), nullif(label, ''), id), status, merged_into "
                              "from themes").fetchall()
    names = {tid: name for tid, name, status, _ in themes if status not in ("merged", "retired")}
    into = {tid: target for tid, _, status, target in themes if status == "merged" and target}
    final = {}
    for tid in {t for t, *_ in themes}:
        seen, end = set(), tid
        while end in into and end not in seen:
            seen.add(end)
            end = into[end]
        if end in names:
            final[tid] = end
    out: dict[str, dict[str, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for iid, idx, tid, sim, score in store.db.execute("""
            select ta.interaction_id, ta.sentence_idx, ta.theme_id, ta.similarity, s.sentiment_score
            from theme_assignments ta
            left join sentences s on s.interaction_id = ta.interaction_id and s.idx = ta.sentence_idx
            where ta.theme_id is not null"""):
        tid = final.get(tid)
        if tid is not None:
            out[iid][tid].append((idx, sim, score))
    return out, names


def _sentence_texts(store: Store, keys: list[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """The text of each (interaction id, sentence index) in ``keys``."""
    out: dict[tuple[str, int], str] = {}
    for start in range(0, len(keys), 400):
        part = keys[start:start + 400]
        where = " or ".join(["(interaction_id = ? and idx = ?)"] * len(part))
        out.update(((iid, idx), text) for iid, idx, text in store.db.execute(
            f"select interaction_id, idx, text from sentences where {where}", [v for k in part for v in k]))
    return out


def _theme_sentiment(row: _Row, sentences: list[tuple]) -> float | None:
    """The theme's sentiment in one interaction: its sentences' mean, else the interaction's."""
    scores = [s[2] for s in sentences if s[2] is not None]
    if not scores:
        return row.sentiment_score
    return round(scores[0] if len(scores) == 1 else fmean(scores), 3)


def _groups(store: Store, rows, nps, nps_mean, names, generic) -> list[dict]:
    """The theme groups over the interactions in scope, largest first: volume, share, sentiment, NPS and
    the group's three largest topical themes."""
    from ..themes.groups import group_title

    titles = {g: group_title(name, json.loads(phrases or "[]"), label) for g, name, label, phrases in
              store.db.execute("select id, name, label, phrases from theme_groups")}
    if not titles:
        return []
    group_of = dict(store.db.execute("select interaction_id, group_id from interaction_groups"))
    top_themes: dict[str, list[str]] = defaultdict(list)
    for tid, gid in store.db.execute("select id, group_id from themes where group_id is not null "
                                     "and status in ('active', 'proposed') order by size desc, id"):
        if tid not in generic and tid in names and len(top_themes[gid]) < 3:
            top_themes[gid].append(names[tid])
    members: dict[str, list[_Row]] = defaultdict(list)
    for r in rows:
        if r.id in group_of:
            members[group_of[r.id]].append(r)
    total = sum(len(m) for m in members.values()) or 1
    out = []
    for gid, rs in members.items():
        customers = {r.customer_id for r in rs if r.customer_id}
        scores = [nps[c] for c in customers if c in nps]
        group_nps = _mean(scores, 2)
        out.append({
            "group_id": gid, "group": titles.get(gid, gid), "interactions": len(rs), "share": round(len(rs) / total, 3),
            "customers": len(customers), "mean_sentiment": _mean(r.sentiment_score for r in rs),
            "negative_share": round(sum(r.sentiment == "negative" for r in rs) / len(rs), 3),
            "nps_n": len(scores), "nps_mean": group_nps,
            "nps_impact": round(group_nps - nps_mean, 2) if group_nps is not None and nps_mean is not None else None,
            "themes": "; ".join(top_themes.get(gid, [])),
        })
    return sorted(out, key=lambda d: (-d["interactions"], d["group_id"]))


#: fewer NPS answers than this among a theme's customers: no interval (and the impact is only indicative)
MIN_NPS_FOR_INTERVAL = 5


def impact_interval(theme_scores: list[float], all_scores: list[float], *, resamples: int = 1000,
                    seed: int = 0) -> tuple[float, float] | None:
    """A 95% bootstrap interval for (mean NPS of the theme's customers) - (mean NPS of everyone in scope):
    both groups resampled with replacement, percentiles 2.5 and 97.5 of the difference. None when the
    theme has fewer than :data:`MIN_NPS_FOR_INTERVAL` answers."""
    import numpy as np

    if len(theme_scores) < MIN_NPS_FOR_INTERVAL or len(all_scores) < 2:
        return None
    rng = np.random.default_rng(seed)
    t, a = np.asarray(theme_scores, float), np.asarray(all_scores, float)
    diff = (rng.choice(t, (resamples, len(t))).mean(1) - rng.choice(a, (resamples, len(a))).mean(1))
    low, high = np.percentile(diff, [2.5, 97.5])
    return round(float(low), 2), round(float(high), 2)


def _themes(rows, by_id, assignments, names, nps, nps_mean, scope_scores=()) -> list[dict]:
    inter: dict[str, list[_Row]] = defaultdict(list)
    feel: dict[str, list[float]] = defaultdict(list)  # each interaction's sentiment about the theme
    for iid, per in assignments.items():  # one pass: members and sentiment together
        row = by_id.get(iid)
        if row is None:
            continue
        for tid, sentences in per.items():
            inter[tid].append(row)
            value = _theme_sentiment(row, sentences)
            if value is not None:
                feel[tid].append(value)
    out = []
    for tid, rs in inter.items():
        customers = {r.customer_id for r in rs if r.customer_id}
        scores = [nps[c] for c in customers if c in nps]
        theme_nps = _mean(scores, 2)
        out.append({
            "theme_id": tid, "theme": names[tid], "interactions": len(rs), "customers": len(customers),
            "mean_sentiment": _mean(feel[tid]),
            "nps_n": len(scores), "nps_mean": theme_nps,
            "nps_impact": round(theme_nps - nps_mean, 2) if theme_nps is not None and nps_mean is not None else None,
            **dict(zip(("nps_impact_low", "nps_impact_high"), impact_interval(scores, list(scope_scores))
                       or (None, None))),
        })
    return sorted(out, key=lambda d: (-d["interactions"], d["theme_id"]))


def _rising(store, f: Filters, rows, assignments, names) -> tuple[list[dict], dict]:
    """Theme volume in the period against the period of the same length before it. Without ``since`` the
    period is the last 28 days up to ``until`` (or the latest interaction in scope)."""
    end = f.until or _date(max((r.day for r in rows if r.day), default=None), "until")
    if end is None:
        return [], {}
    start = f.since or end - dt.timedelta(days=RISING_DEFAULT_DAYS - 1)
    days = (end - start).days + 1
    before_end = start - dt.timedelta(days=1)
    before_start = start - dt.timedelta(days=days)
    # the period lies inside ``rows`` (the report's own scope): filter them, query only the period before
    now_rows = [r for r in rows if r.day and start.isoformat() <= str(r.day)[:10] <= end.isoformat()]
    before_rows = _scope(store, f, since=before_start, until=before_end)

    def volume(rs):
        c: Counter[str] = Counter()
        for r in rs:
            c.update(assignments.get(r.id, {}).keys())
        return c

    now, before = volume(now_rows), volume(before_rows)
    out = []
    for tid in set(now) | set(before):
        n, b = now[tid], before[tid]
        if n > b:
            out.append({"theme_id": tid, "theme": names[tid], "interactions_now": n, "interactions_before": b,
                        "change": n - b, "growth": round((n - b) / b, 3) if b else None})
    out.sort(key=lambda d: (-d["change"], -(d["growth"] if d["growth"] is not None else float("inf")),
                            d["theme_id"]))
    period = {"now": [start.isoformat(), end.isoformat()], "before": [before_start.isoformat(),
                                                                      before_end.isoformat()]}
    return out, period


# --- keyphrases, interest, at risk ---------------------------------------

def _keyphrases(store: Store, by_id: dict[str, _Row]) -> list[dict]:
    """The phrases in most interactions in scope; a phrase made only of people's names (stored before the
    analysis left them out) is not one.

    Exact without reading every keyphrase: the phrases are counted over the whole store in SQL (from the
    phrase index), and only the most frequent are read row by row and counted in scope; when the last of
    the top :data:`TOP_KEYPHRASES` in scope is more frequent than any phrase left unread is in the whole
    store, none of those can enter the top, and the answer is the full scan's. Otherwise twice as many are
    read, up to the full scan."""
    from ..themes.label import people_names

    people = people_names(store)
    named: dict[str, bool] = {}  # phrase -> made only of people's names (phrases recur: checked once each)

    def is_named(phrase: str) -> bool:
        if phrase not in named:
            words = re.findall(r"[^\W\d_]{3,}", phrase)
            named[phrase] = bool(words) and set(words) <= people
        return named[phrase]

    totals = store.db.execute("select phrase, count(*) from keyphrases group by phrase order by 2 desc").fetchall()
    k = 4 * TOP_KEYPHRASES
    while True:
        full = k >= len(totals)
        wanted = [p for p, _ in totals[:k] if not is_named(p)]
        groups: dict[str, list[str]] = defaultdict(list)
        surfaces: dict[str, Counter] = defaultdict(Counter)
        rows = (store.db.execute("select interaction_id, phrase, surface from keyphrases") if full else
                (r for i in range(0, len(wanted), 500) for r in store.db.execute(
                    f"select interaction_id, phrase, surface from keyphrases where phrase in "
                    f"({','.join('?' * len(wanted[i:i + 500]))})", wanted[i:i + 500])))
        for iid, phrase, surface in rows:
            if iid in by_id and not is_named(phrase):
                groups[phrase].append(iid)
                surfaces[phrase][surface or phrase] += 1
        out = [{"phrase": p, "surface": surfaces[p].most_common(1)[0][0], "interactions": len(iids),
                "mean_sentiment": _mean(by_id[i].sentiment_score for i in iids)} for p, iids in groups.items()]
        out.sort(key=lambda d: (-d["interactions"], d["phrase"]))
        out = out[:TOP_KEYPHRASES]
        if full or (len(out) == TOP_KEYPHRASES and out[-1]["interactions"] > totals[k][1]):
            return out
        k *= 2


def _products(store: Store, by_id: dict[str, _Row]) -> list[dict]:
    """Per product mentioned in scope: the interactions that mention it, the mean sentiment of its mentions
    (aspect polarity), the share negative, and the phrases typical of those interactions against every
    interaction in scope (what customers say about it, not what everyone says)."""
    from ..keyphrases.typical import typical_phrases
    from ..themes.label import people_names

    members: dict[str, set[str]] = defaultdict(set)
    scores: dict[str, list[float]] = defaultdict(list)
    labels: dict[str, list[str]] = defaultdict(list)
    for iid, pid, polarity, score in store.db.execute(
            "select interaction_id, product_id, polarity, polarity_score from mentions"):
        if iid in by_id:
            members[pid].add(iid)
            if score is not None:
                scores[pid].append(score)
            if polarity:
                labels[pid].append(polarity)
    if not members:
        return []
    phrases = typical_phrases(store, dict(members), by_id, exclude=people_names(store), top=5, min_share=0.1)
    out = [{"product_id": pid, "interactions": len(ids), "mean_polarity": _mean(scores[pid]),
            "negative_share": round(labels[pid].count("negative") / len(labels[pid]), 3) if labels[pid] else None,
            "phrases": "; ".join(p[0] for p in phrases.get(pid, []))} for pid, ids in members.items()]
    return sorted(out, key=lambda d: (-d["interactions"], d["product_id"]))


def _interest(store: Store, segment: str | None) -> list[dict]:
    """Per product: customers at 0.5 or more, their mean interest, and the strongest three.
    Interest is a score over each customer's whole history: only the segment filter applies."""
    cond, params = ("where c.segment = ?", [segment]) if segment else ("", [])
    groups: dict[str, list[tuple]] = defaultdict(list)
    for pid, cid, name, score in store.db.execute(f"""
            select i.product_id, i.customer_id, coalesce(c.name, i.customer_id), i.score
            from interest i left join customers c on c.id = i.customer_id {cond}
            order by i.product_id, i.score desc, i.customer_id""", params):
        if score is not None and score >= INTEREST_MIN:
            groups[pid].append((cid, name, score))
    out = [{"product_id": pid, "customers": len(v), "mean_interest": _mean((s for *_, s in v)),
            "max_interest": round(v[0][2], 3),
            "top_customers": "; ".join(f"{name} ({cid}) {s:.2f}" for cid, name, s in v[:3])}
           for pid, v in groups.items()]
    return sorted(out, key=lambda d: (-d["customers"], -d["mean_interest"], d["product_id"]))


def _at_risk(store: Store, segment: str | None) -> list[dict]:
    from ..scoring.lists import valuable_at_risk

    segments = dict(store.db.execute("select id, segment from customers").fetchall())
    out = []
    for r in valuable_at_risk(store):
        if segment and segments.get(r["customer_id"]) != segment:
            continue
        needs = ", ".join(str(n[0]) for n in (r.get("needs") or [])[:3])
        out.append({"customer_id": r["customer_id"], "name": r["name"], "segment": segments.get(r["customer_id"]),
                    "lifetime_value": r["lifetime_value"], "value_band": r["value_band"], "class": r["class"],
                    "reason": r["reason"], "cem": None if r["cem"] is None else round(r["cem"], 1),
                    "cem_trend": None if r["cem_trend"] is None else round(r["cem_trend"], 1),
                    "nps": r["nps"], "needs": needs})
    return out


# --- quotes ---------------------------------------------------------------

def _quote(kind: str, row: _Row, text: str | None, score: float | None, theme_id=None, theme=None) -> dict:
    return {"kind": kind, "theme_id": theme_id, "theme": theme, "interaction_id": row.id,
            "customer_id": row.customer_id, "channel": row.channel, "day": row.day,
            "sentiment_score": score, "text": clip(text, QUOTE_CHARS - 1)}


def _quotes(store: Store, rows, by_id, themes, assignments) -> list[dict]:
    """Per top theme, the interactions whose sentence is most like it; then the most negative and the most
    positive interactions in scope, each quoted by its most negative (positive) sentence."""
    wanted = {t["theme_id"] for t in themes}
    cands: dict[str, list[tuple]] = defaultdict(list)
    for iid, per in assignments.items():  # one pass for every theme (was one per theme)
        if iid in by_id:
            for tid in wanted.intersection(per):
                best = max(per[tid], key=lambda s: (s[1] or 0))
                cands[tid].append((-(best[1] or 0), iid, best))
    picked_themes = {t["theme_id"]: heapq.nsmallest(QUOTES_PER_THEME, cands[t["theme_id"]]) for t in themes}
    scored = [r for r in rows if r.sentiment_score is not None]
    negative = heapq.nsmallest(EXTREME_QUOTES, (r for r in scored if r.sentiment_score < 0),
                               key=lambda r: (r.sentiment_score, r.id))
    positive = heapq.nsmallest(EXTREME_QUOTES, (r for r in scored if r.sentiment_score > 0),
                               key=lambda r: (-r.sentiment_score, r.id))
    said = _sentence_texts(store, [(iid, best[0]) for c in picked_themes.values() for _, iid, best in c])
    texts = _texts(store, [iid for c in picked_themes.values() for _, iid, best in c if not said.get((iid, best[0]))]
                   + [r.id for r in negative + positive])
    out = []
    for t in themes:
        for _, iid, best in picked_themes[t["theme_id"]]:
            row = by_id[iid]
            out.append(_quote("theme", row, said.get((iid, best[0])) or texts.get(iid),
                              best[2] if best[2] is not None else row.sentiment_score, t["theme_id"], t["theme"]))
    for kind, picked, pick in (("negative", negative, min), ("positive", positive, max)):
        sentences = _sentences(store, [r.id for r in picked])
        for r in picked:
            s = [x for x in sentences.get(r.id, []) if x[1] is not None]
            text = pick(s, key=lambda x: x[1])[0] if s else texts.get(r.id)
            out.append(_quote(kind, r, text, r.sentiment_score))
    return out


def _texts(store: Store, ids: list[str]) -> dict[str, str]:
    """The analysed text (else the stored text) of each interaction in ``ids``."""
    out: dict[str, str] = {}
    ids = list(dict.fromkeys(ids))
    for start in range(0, len(ids), 500):
        part = ids[start:start + 500]
        out.update(store.db.execute(
            f"select i.id, coalesce(a.analysed_text, i.text, '') from interactions i "
            f"left join analyses a on a.interaction_id = i.id where i.id in ({','.join('?' * len(part))})", part))
    return out


def _sentences(store: Store, ids: list[str]) -> dict[str, list[tuple[str, float | None]]]:
    if not ids:
        return {}
    out: dict[str, list] = defaultdict(list)
    marks = ",".join("?" * len(ids))
    for iid, text, score in store.db.execute(
            f"select interaction_id, text, sentiment_score from sentences where interaction_id in ({marks}) "
            "order by interaction_id, idx", ids):
        out[iid].append((text, score))
    return out


def factor_trend(store: Store, *, theme: str | None = None, product: str | None = None,
                 period: str | None = None) -> tuple[str, list[dict]]:
    """(unit, rows) for one theme's or product's interactions over time — the theme and product pages of the
    web app: per period (the unit fitting the whole data's span, as the report's trend), the interactions
    with it, their share of the period's interactions, and their mean sentiment and experience (empty
    below MIN_PERIOD_N interactions, as in the report), from the first period that has it."""
    rows = _scope(store, Filters(), since=None, until=None)
    if theme is not None:
        ids = {r[0] for r in store.db.execute(
            "select distinct interaction_id from theme_assignments where theme_id = ?", [theme])}
    else:
        ids = {r[0] for r in store.db.execute(
            "select distinct interaction_id from mentions where product_id = ?", [product])}
    days = [r.day for r in rows if r.day]
    unit = trend_unit(min(days, default=None), max(days, default=None), period)
    every: dict[str, int] = defaultdict(int)
    having: dict[str, list[_Row]] = defaultdict(list)
    for r in rows:
        if r.day:
            p = _period(r.day, unit)
            every[p] += 1
            if r.id in ids:
                having[p].append(r)
    out = []
    first = min(having, default=None)  # from the factor's first period: years of zeros before it say nothing
    for p in sorted(every):
        if first is None or p < first:
            continue
        rs = having.get(p, [])
        agg = _agg(rs) if rs else {"count": 0, "mean_sentiment": None, "negative_share": None,
                                   "mean_experience": None}
        small = len(rs) < MIN_PERIOD_N
        out.append({"period": p, "interactions": len(rs), "share": round(len(rs) / every[p], 3),
                    "period_interactions": every[p],
                    "mean_sentiment": None if small else agg["mean_sentiment"],
                    "mean_experience": None if small else agg["mean_experience"]})
    return unit, out
