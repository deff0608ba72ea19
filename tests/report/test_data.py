import datetime as dt
from collections import Counter

import pytest

from voice.report import COLUMNS, NO_THEMES, report_data


def by(rows, *keys):
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in rows}


def test_weekly_means_by_channel_and_total(filled):
    d = report_data(filled)
    weekly = by(d.weekly, "week", "channel")
    assert set(weekly) == {("2026-W41", "email"), ("2026-W41", "call"), ("2026-W42", "survey"),
                           ("2026-W43", "email")}
    w41 = weekly[("2026-W41", "email")]
    assert (w41["interactions"], w41["mean_sentiment"], w41["mean_experience"]) == (2, -0.4, 40.0)
    assert w41["negative_share"] == 1.0
    w42 = weekly[("2026-W42", "survey")]
    assert (w42["mean_sentiment"], w42["mean_experience"]) == (-0.067, 56.7)  # (-0.8+0.6+0)/3, (20+90+60)/3
    total = by(d.weekly_total, "week")
    assert total["2026-W41"]["interactions"] == 3
    assert total["2026-W41"]["mean_sentiment"] == -0.133  # (-0.6-0.2+0.4)/3
    assert total["2026-W41"]["mean_experience"] == 50.0
    channels = by(d.channels, "channel")
    assert channels["email"]["mean_experience"] == 53.3  # (30+50+80)/3
    assert d.summary["interactions"] == 7 and d.summary["customers"] == 3


def test_touchpoints_fall_back_to_channel_and_sort_worst_first(filled):
    d = report_data(filled)
    assert [(t["touchpoint"], t["count"], t["mean_experience"]) for t in d.touchpoints] == [
        ("email", 3, 53.3), ("delivery", 2, 55.0), ("installation", 1, 60.0), ("call", 1, 70.0)]
    delivery = by(d.touchpoints, "touchpoint")["delivery"]
    assert (delivery["min_experience"], delivery["max_experience"], delivery["mean_sentiment"]) == (20, 90, -0.1)
    heat = by(d.touchpoint_weeks, "touchpoint", "week")
    assert heat[("delivery", "2026-W42")]["mean_experience"] == 55.0


def test_themes_volume_sentiment_and_nps_impact(filled):
    d = report_data(filled)
    themes = by(d.themes, "theme_id")
    assert set(themes) == {"T001", "T002", "T004"}  # T003 is merged into T002
    assert d.summary["nps_mean"] == 6.0  # customers' latest NPS: C1 2, C2 10, C3 6
    t1 = themes["T001"]
    # e1 counts its theme sentence (-0.9), s1 and s3 (no sentence rows) their interaction score
    assert (t1["interactions"], t1["mean_sentiment"]) == (3, round((-0.9 - 0.8 + 0.0) / 3, 3))
    assert (t1["nps_mean"], t1["nps_impact"], t1["nps_n"]) == (4.0, -2.0, 2)  # C1 2, C3 6
    t2 = themes["T002"]
    assert (t2["interactions"], t2["customers"], t2["nps_impact"], t2["nps_n"]) == (3, 2, 2.0, 2)  # C2 10, C3 6
    assert [t["theme_id"] for t in d.themes] == ["T001", "T002", "T004"]  # by volume, then id
    assert d.themes_note is None


def test_theme_groups_with_their_figures_and_generic_themes_apart(filled):
    d = report_data(filled)
    groups = by(d.theme_groups, "group_id")
    assert [g["group_id"] for g in d.theme_groups] == ["G02", "G01"]  # largest first
    g1, g2 = groups["G01"], groups["G02"]
    assert g1["group"] == "Deliveries"  # the analyst's name wins
    assert g2["group"] == "friendly staff / kind people"  # else the customers' phrases
    assert (g1["interactions"], g1["share"], g1["customers"]) == (3, round(3 / 7, 3), 2)
    assert g1["mean_sentiment"] == round((-0.6 - 0.8 + 0.0) / 3, 3) and g1["negative_share"] == round(2 / 3, 3)
    assert (g1["nps_mean"], g1["nps_impact"]) == (4.0, -2.0)  # C1 2, C3 6 against 6.0
    assert g1["themes"] == "Late delivery"  # the generic T005 is not a topic of the group
    # the generic theme is not a topic: not in the themes table, named in a note
    assert "T005" not in {t["theme_id"] for t in d.themes} and d.generic_themes == ["Called them"]
    # filters apply: only G01's survey in October's third week
    d = report_data(filled, since="2026-10-14", until="2026-10-16", channel="survey")
    assert [(g["group_id"], g["interactions"]) for g in d.theme_groups] == [("G01", 2), ("G02", 1)]


def test_rising_themes_against_previous_period_of_same_length(filled):
    d = report_data(filled, since="2026-10-12", until="2026-10-25")
    assert d.rising_period == {"now": ["2026-10-12", "2026-10-25"], "before": ["2026-09-28", "2026-10-11"]}
    rising = [(t["theme_id"], t["interactions_before"], t["interactions_now"], t["change"], t["growth"])
              for t in d.rising_themes]
    assert rising == [("T004", 0, 2, 2, None), ("T001", 1, 2, 1, 1.0), ("T002", 1, 2, 1, 1.0)]


def test_rising_defaults_to_the_last_28_days(filled):
    d = report_data(filled, until=dt.date(2026, 10, 11))
    assert d.rising_period["now"] == ["2026-09-14", "2026-10-11"]
    assert {t["theme_id"]: t["interactions_now"] for t in d.rising_themes} == {"T001": 1, "T002": 1}


def test_no_themes_yet(base):
    d = report_data(base)
    assert d.themes == [] and d.rising_themes == []
    assert d.themes_note == NO_THEMES == "no themes yet: run voice themes discover"


@pytest.mark.parametrize("filters, ids", [
    ({"channel": "email"}, {"e1", "e2", "e3"}),
    ({"segment": "Premium"}, {"e1", "e2", "s1", "s2"}),
    ({"lang": "en"}, {"e2"}),
    ({"since": "2026-10-14", "until": dt.date(2026, 10, 16)}, {"s1", "s2", "s3"}),
    ({"since": dt.datetime(2026, 10, 16, 23, 0), "channel": "survey"}, {"s3"}),
])
def test_filters(filled, filters, ids):
    d = report_data(filled, **filters)
    assert d.summary["interactions"] == len(ids)
    weekly_count = sum(r["interactions"] for r in d.weekly)
    assert weekly_count == len(ids)
    assert {q["interaction_id"] for q in d.quotes} <= ids


def test_filters_narrow_the_themes_and_nps_population(filled):
    d = report_data(filled, segment="Premium")
    assert d.summary["nps_mean"] == 6.0 and d.summary["nps_customers"] == 2  # C1 2, C2 10
    t1 = by(d.themes, "theme_id")["T001"]
    assert (t1["interactions"], t1["nps_mean"], t1["nps_impact"]) == (2, 2.0, -4.0)  # e1, s1: C1 only


def test_bad_date_says_the_format(filled):
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        report_data(filled, since="last tuesday")


def test_keyphrases_interest_and_at_risk(filled):
    d = report_data(filled)
    kp = by(d.keyphrases, "phrase")
    assert (kp["entrega"]["interactions"], kp["entrega"]["mean_sentiment"]) == (2, -0.7)
    assert d.keyphrases[0]["phrase"] == "entrega"
    interest = by(d.product_interest, "product_id")
    assert (interest["airpure-500"]["customers"], interest["airpure-500"]["mean_interest"]) == (2, 0.75)
    assert interest["airpure-500"]["top_customers"] == "Ana Ruiz (C1) 0.90; Luis Gil (C2) 0.60"
    assert interest["roboclean-x2"]["customers"] == 1
    assert [r["customer_id"] for r in d.valuable_at_risk] == ["C1"]
    assert d.valuable_at_risk[0]["needs"] == "complaint"
    premium = report_data(filled, segment="Premium")
    assert [p["product_id"] for p in premium.product_interest] == ["airpure-500"]
    assert report_data(filled, segment="Standard").valuable_at_risk == []


def test_quotes_per_theme_and_extremes_keep_their_interaction(filled):
    d = report_data(filled)
    t1 = [q for q in d.quotes if q["theme_id"] == "T001"]
    assert [q["interaction_id"] for q in t1] == ["e1", "s3", "s1"]  # most similar first
    assert t1[0]["text"] == "El pedido llegó tarde."  # the theme's own sentence
    assert t1[1]["text"] == "Texto de s3"
    assert [q["interaction_id"] for q in d.quotes if q["kind"] == "negative"] == ["s1", "e1", "e2"]
    assert [q["interaction_id"] for q in d.quotes if q["kind"] == "positive"] == ["s2", "e3", "c1"]
    neg = next(q for q in d.quotes if q["interaction_id"] == "e1" and q["kind"] == "negative")
    assert neg["text"] == "El pedido llegó tarde."  # its most negative sentence


def test_what_customers_say_about_each_product(filled):
    d = report_data(filled)
    products = by(d.products, "product_id")
    assert [p["product_id"] for p in d.products] == ["airpure-500", "roboclean-x2"]  # most mentioned first
    air = products["airpure-500"]
    assert (air["interactions"], air["mean_polarity"], air["negative_share"]) == (3, round((-0.7 - 0.5 + 0.6) / 3, 3),
                                                                                  round(2 / 3, 3))
    # "entrega" is in two of its three interactions, and in no other: too few (3 needed) to be typical
    assert air["phrases"] == ""
    d = report_data(filled, channel="email")
    assert [(p["product_id"], p["interactions"]) for p in d.products] == [("airpure-500", 1), ("roboclean-x2", 1)]


def test_every_table_has_its_declared_columns(filled):
    d = report_data(filled)
    for name, rows in d.tables().items():
        if name == "drivers":  # needs 5 interactions a side: tests/report/test_drivers.py checks its columns
            continue
        assert rows, name
        for r in rows:
            assert list(r) == COLUMNS[name], name


def test_empty_store(store):
    d = report_data(store)
    assert d.summary["interactions"] == 0 and d.weekly == [] and d.rising_period == {}
    assert d.themes_note == NO_THEMES


def test_an_empty_section_says_the_real_reason(base):
    db = base.db
    db.execute("delete from interest")
    db.execute("delete from relationships")
    d = report_data(base)
    assert "voice products import" in d.empty["interest"]  # no catalog, not "run voice score"
    db.execute("insert into products (id, name, version, updated_at) values ('airpure-500', 'AirPure 500', 1, 'x')")
    assert report_data(base).empty["interest"].endswith("nobody is scored yet: run voice score")  # mentioned
    db.execute("delete from mentions")
    assert report_data(base).empty["interest"].startswith("No interaction mentions a product")
    db.execute("update customers set lifetime_value = null")
    assert "no lifetime value" in report_data(base).empty["at_risk"]
    db.execute("update survey_scores set nps = null")
    d = report_data(base)
    assert d.empty["nps"].startswith("No NPS answer in this data: import survey replies")
    assert report_data(base, channel="nothing-like-this").empty["touchpoints"] == "No interaction matches these filters"


def test_the_trend_fits_the_span_and_leaves_tiny_periods_out(filled):
    from voice.report.data import trend_unit

    assert trend_unit("2026-10-05", "2026-10-20") == "week"
    assert trend_unit("2025-01-01", "2026-10-20") == "month"  # 22 months of weeks is too many points
    assert trend_unit("2015-04-06", "2020-03-12") == "quarter"  # five years: 20 quarters, not 260 weeks
    assert trend_unit("2015-04-06", "2020-03-12", "month") == "month"
    d = report_data(filled)
    assert d.trend_unit == "week"
    total = {r["period"]: r for r in d.trend if r["channel"] == "all"}
    assert total["2026-W41"]["interactions"] == 3 and total["2026-W41"]["mean_sentiment"] is None  # 3 < 5
    monthly = report_data(filled, period="month")
    october = next(r for r in monthly.trend if r["channel"] == "all")
    assert (october["period"], october["interactions"]) == ("2026-10", 7)
    assert october["mean_sentiment"] == round((-0.6 - 0.2 + 0.4 - 0.8 + 0.6 + 0.0 + 0.5) / 7, 3)
    with pytest.raises(ValueError, match="week, month, quarter"):
        report_data(filled, period="fortnight")


def test_an_nps_impact_comes_with_an_interval_when_enough_answered():
    from voice.report.data import impact_interval

    everyone = [10, 9, 9, 8, 7, 10, 2, 3, 9, 8, 1, 0, 10, 9, 8] * 4
    low, high = impact_interval([0, 1, 2, 0, 3, 1, 2, 0], everyone)
    assert low < high < 0  # a theme of detractors: clearly below everyone
    low, high = impact_interval([9, 8, 7, 10, 2, 9, 8], everyone)
    assert low < 0 < high  # near the mean: the interval says it could be either way
    assert impact_interval([0, 1, 2], everyone) is None  # too few answers for an interval


def test_top_keyphrases_in_scope_are_exact_when_the_store_wide_top_is_elsewhere(store):
    """The keyphrase table reads only the store's most frequent phrases when that settles the top; here the
    most frequent ones in the store are all in surveys, so an email view must read further (and "Ana
    García", a person, never counts) — the answer is the one a count of every row gives."""
    import random

    from tests.helpers import add_analysed

    rng = random.Random(3)
    rows = []
    for n in range(800):  # 600 surveys with 100 phrases (~48 each), 200 emails with 40 (~40 each)
        channel = "survey" if n % 4 else "email"
        add_analysed(store, f"k{n}", f"2026-10-{n % 28 + 1:02d}T10:00:00", "Texto.", channel=channel,
                     score=rng.uniform(-1, 1))
        pool = [f"survey phrase {j}" for j in range(100)] if channel == "survey" else \
            [f"email phrase {j}" for j in range(40)] + ["ana garcía"]
        for phrase in rng.sample(pool, 8):
            rows.append((f"k{n}", phrase, channel))
            store.db.execute("insert into keyphrases (interaction_id, phrase, surface, score, rank) "
                             "values (?, ?, ?, 0.5, 1)", [f"k{n}", phrase, phrase.title()])
    store.db.execute("insert into customers (id, name) values ('C001', 'Ana García')")
    for channel in ("email", "survey", None):
        counts = Counter(p for _, p, ch in rows if p != "ana garcía" and channel in (None, ch))
        expected = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:20]
        got = report_data(store, channel=channel).keyphrases
        assert [(k["phrase"], k["interactions"]) for k in got] == expected
    assert got[0]["surface"] == got[0]["phrase"].title()
