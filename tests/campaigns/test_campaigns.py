"""Campaigns measured: the export records who was targeted and held out, outcomes come back from a CSV,
and the results say whether conversion rose (with an interval) and whether interest ranked the converters."""

from __future__ import annotations

import csv
import json
import random

import pytest

from voice.campaigns import (auc, campaign_results, campaigns, import_outcomes, newcombe, record_campaign, Rate,
                             wilson)
from voice.errors import InputError, MissingColumns, NotFound
from voice.segments import segment

N = 400


def _interested(store, n: int = N, seed: int = 0):
    """``n`` customers with marketing consent, each interested in airpure-500 with a score in 0.6-1.0."""
    rng = random.Random(seed)
    db = store.db
    db.conn.executemany("insert into customers (id, name, consent) values (?, ?, ?)",
                        [(f"C{i:03d}", f"Cliente {i} Apellido", json.dumps({"marketing": True})) for i in range(n)])
    db.conn.executemany("insert into identities (kind, value, customer_id, source) values ('email', ?, ?, 'crm')",
                        [(f"c{i}@x.example", f"C{i:03d}") for i in range(n)])
    db.conn.executemany("insert into interest (customer_id, product_id, score, evidence) values (?, ?, ?, '[]')",
                        [(f"C{i:03d}", "airpure-500", round(rng.uniform(0.6, 1.0), 3)) for i in range(n)])
    return store


def _outcomes(store, camp, path, *, targeted_rate: float, holdout_rate: float, seed: int = 1,
              by_interest: bool = False):
    """A results file as a campaign tool would send it: every targeted customer contacted, converters
    marked, holdout customers who bought anyway listed too (the shop's orders)."""
    rng = random.Random(seed)
    interest = dict(store.db.execute("select customer_id, score from interest"))
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Customer ID", "Contacted", "Converted", "Revenue"])
        for arm, rows, rate in (("t", camp.targeted, targeted_rate), ("h", camp.holdout, holdout_rate)):
            for r in rows:
                p = rate * (2 * (interest[r["customer_id"]] - 0.5)) / 0.6 * 0.6 if by_interest else rate
                bought = rng.random() < min(1.0, p)
                if arm == "t" or bought:
                    w.writerow([r["customer_id"], "yes" if arm == "t" else "no", "sí" if bought else "no",
                                "129,90" if bought else ""])
    return path


def test_intervals_match_the_published_values():
    # Newcombe (1998), table II, example (a): 56/70 - 48/80 = 0.2000, method 10: 0.0524 to 0.3339
    lo, hi = newcombe(Rate(56, 70), Rate(48, 80))
    assert (round(lo, 4), round(hi, 4)) == (0.0524, 0.3339)
    # Wilson: 0 of 10 is not "0% for sure"
    lo, hi = wilson(0, 10)
    assert lo == 0.0 and round(hi, 4) == 0.2775
    assert wilson(0, 0) is None and newcombe(Rate(1, 2), Rate(0, 0)) is None


def test_auc_counts_ties_half():
    assert auc([0.9, 0.8], [0.1, 0.2])[0] == 1.0
    assert auc([0.1], [0.9])[0] == 0.0
    assert auc([0.5, 0.5], [0.5, 0.5])[0] == 0.5
    assert auc([0.9, 0.4], [0.5, 0.1])[0] == 0.75
    assert auc([], [0.1]) is None


def test_a_campaign_round_trip_finds_a_real_uplift(store, tmp_path):
    _interested(store)
    seg = segment(store, "airpure-500", consent="marketing")
    camp = record_campaign(store, seg, "AirPure — primavera", holdout=0.25)
    assert camp.id == "airpure-primavera"
    assert (len(camp.targeted), len(camp.holdout)) == (300, 100)
    arms = dict(store.db.execute("select arm, count(*) from campaign_members group by arm"))
    assert arms == {"targeted": 300, "holdout": 100}

    results = _outcomes(store, camp, tmp_path / "results.csv", targeted_rate=0.30, holdout_rate=0.05,
                        by_interest=True)
    report = import_outcomes(store, results)  # one campaign: no need to name it
    assert report.campaign_id == "airpure-primavera" and not report.problems
    res = campaign_results(store, "airpure-primavera")
    t, h = res.arms["targeted"], res.arms["holdout"]
    assert (t.customers, h.customers) == (300, 100) and res.baseline == "holdout"
    assert 0.15 < t.converted.value < 0.35 and h.converted.value < 0.10
    assert res.uplift_interval[0] > 0 and res.significant          # the campaign worked, and it can be told
    assert t.value == pytest.approx(129.90 * t.converted.k)
    assert res.auc_members[0] > 0.6                                  # interest ranked converters higher
    text = "\n".join(res.describe())
    assert "raised conversion" in text and "AUC" in text


def test_no_difference_is_not_called_an_uplift(store, tmp_path):
    _interested(store)
    camp = record_campaign(store, segment(store, "airpure-500", consent="marketing"), "null", holdout=0.3)
    import_outcomes(store, _outcomes(store, camp, tmp_path / "r.csv", targeted_rate=0.1, holdout_rate=0.1),
                    campaign="null")
    res = campaign_results(store, "null")
    lo, hi = res.uplift_interval
    assert lo < 0 < hi and not res.significant
    assert "no difference can be told" in "\n".join(res.describe())
    assert 0.3 < res.auc_members[0] < 0.7  # conversion at random: interest ranks at chance


def test_without_a_holdout_the_rest_is_the_baseline(store, tmp_path):
    _interested(store)
    store.db.conn.executemany("insert into customers (id, name) values (?, ?)", [(f"R{i}", "x") for i in range(100)])
    camp = record_campaign(store, segment(store, "airpure-500", consent="marketing", min_interest=0.9), "top")
    path = tmp_path / "orders.csv"
    path.write_text("email,importe\n" + "".join(f"c{i}@x.example,50\n" for i in range(0, N, 4))
                    + "".join(f"{c},20\n" for c in ("nobody@x.example",)), encoding="utf-8")
    report = import_outcomes(store, path, campaign="top")
    assert report.problems and "row 102" in str(report.problems[0]) and "nobody@x.example" in str(report.problems[0])
    res = campaign_results(store, "top")
    assert res.baseline == "rest" and res.arms["rest"].customers == N + 100 - len(camp.targeted)
    assert res.arms["targeted"].converted.k + res.arms["rest"].converted.k == N // 4  # an amount is a purchase


def test_outcome_files_that_cannot_be_used_say_why(store, tmp_path):
    _interested(store, 20)
    record_campaign(store, segment(store, "airpure-500", consent="marketing"), "uno")
    record_campaign(store, segment(store, "airpure-500", consent="marketing"), "dos")
    bad = tmp_path / "bad.csv"
    bad.write_text("customer_id,converted\nC001,maybe\nC002,yes\n", encoding="utf-8")
    with pytest.raises(InputError, match="which campaign") as err:
        import_outcomes(store, bad)
    assert "uno" in err.value.fix and "dos" in err.value.fix
    with pytest.raises(NotFound):
        import_outcomes(store, bad, campaign="tres")
    report = import_outcomes(store, bad, campaign="uno")
    assert report.stored == 1 and "row 2" in str(report.problems[0]) and "yes or no" in report.problems[0].fix
    (tmp_path / "nocol.csv").write_text("customer_id,notes\nC001,fine\n", encoding="utf-8")
    with pytest.raises(MissingColumns, match="converted"):
        import_outcomes(store, tmp_path / "nocol.csv", campaign="uno")
    (tmp_path / "nowho.csv").write_text("converted\nyes\n", encoding="utf-8")
    with pytest.raises(MissingColumns):
        import_outcomes(store, tmp_path / "nowho.csv", campaign="uno")


def test_a_campaign_with_outcomes_keeps_its_customers(store, tmp_path):
    _interested(store, 20)
    seg = segment(store, "airpure-500", consent="marketing")
    record_campaign(store, seg, "fija")
    record_campaign(store, seg, "fija", holdout=0.5)  # no outcomes yet: re-exporting replaces
    assert campaigns(store)[0]["holdout"] == 10
    (tmp_path / "r.csv").write_text("customer_id,converted\nC001,yes\n", encoding="utf-8")
    import_outcomes(store, tmp_path / "r.csv", campaign="fija")
    with pytest.raises(InputError, match="already has outcomes"):
        record_campaign(store, seg, "fija")
    with pytest.raises(InputError, match="holdout"):
        record_campaign(store, seg, "otra", holdout=0.9)


def test_forgetting_a_customer_removes_their_campaign_rows(store, tmp_path):
    from voice.privacy import forget

    _interested(store, 10)
    record_campaign(store, segment(store, "airpure-500", consent="marketing"), "c")
    (tmp_path / "r.csv").write_text("customer_id,converted\nC001,yes\n", encoding="utf-8")
    import_outcomes(store, tmp_path / "r.csv", campaign="c")
    forget(store, "C001")
    for table in ("campaign_members", "campaign_outcomes"):
        assert store.db.execute(f"select count(*) from {table} where customer_id = 'C001'").fetchone()[0] == 0


def test_a_results_file_of_sends_gives_no_made_up_baseline(store, tmp_path):
    _interested(store)
    camp = record_campaign(store, segment(store, "airpure-500", consent="marketing"), "sends", holdout=0.2)
    path = tmp_path / "sends.csv"  # the campaign tool lists only whom it sent to
    path.write_text("customer_id,contacted,converted\n" + "".join(
        f"{r['customer_id']},yes,{'yes' if n % 20 == 0 else 'no'}\n" for n, r in enumerate(camp.targeted)),
        encoding="utf-8")
    import_outcomes(store, path, campaign="sends")
    res = campaign_results(store, "sends")
    assert res.uplift is None and not res.significant
    assert "no row for any of the held-out customers" in "\n".join(res.describe())


def test_without_a_holdout_the_comparison_is_not_called_the_campaigns_effect(store, tmp_path):
    _interested(store)
    store.db.conn.executemany("insert into customers (id, name) values (?, ?)", [(f"R{i}", "x") for i in range(200)])
    camp = record_campaign(store, segment(store, "airpure-500", consent="marketing", min_interest=0.8), "nohold")
    path = tmp_path / "orders.csv"
    path.write_text("customer_id,converted\n" + "".join(f"{r['customer_id']},yes\n" for r in camp.targeted[::3])
                    + "".join(f"R{i},yes\n" for i in range(0, 200, 50)), encoding="utf-8")
    import_outcomes(store, path, campaign="nohold")
    res = campaign_results(store, "nohold")
    text = "\n".join(res.describe())
    assert res.baseline == "rest" and res.uplift > 0 and not res.significant
    assert "not a random comparison" in text and "raised conversion" not in text


def test_several_rows_for_a_customer_add_up_and_a_later_file_keeps_the_earlier(store, tmp_path):
    _interested(store, 20)
    record_campaign(store, segment(store, "airpure-500", consent="marketing"), "merge")
    (tmp_path / "opens.csv").write_text("customer_id,contacted,responded\nC001,yes,yes\nC002,yes,no\n",
                                        encoding="utf-8")
    import_outcomes(store, tmp_path / "opens.csv", campaign="merge")
    (tmp_path / "orders.csv").write_text("customer_id,converted,value,Campaign Name\n"
                                         "C001,yes,100,Spring Newsletter\nC001,no,50,Spring Newsletter\n",
                                         encoding="utf-8")
    report = import_outcomes(store, tmp_path / "orders.csv", campaign="merge")  # --campaign wins over the column
    assert report.stored == 1 and report.repeated == 1 and not report.problems
    row = store.db.execute("select contacted, responded, converted, value from campaign_outcomes "
                           "where customer_id = 'C001'").fetchone()
    assert row == (1, 1, 1, 150.0)
    res = campaign_results(store, "merge")
    t = res.arms["targeted"]
    assert t.responded.k == 1 and t.responded.n == t.contacted == 20  # a rate, never above 100%


def test_a_second_export_the_same_day_is_another_campaign(store, tmp_path):
    import datetime as dt

    from voice.campaigns import holdout_size

    _interested(store, 20)
    day = dt.datetime(2026, 12, 2, tzinfo=dt.timezone.utc)
    first = record_campaign(store, segment(store, "airpure-500", consent="marketing", min_interest=0.8), now=day)
    second = record_campaign(store, segment(store, "airpure-500", consent="marketing"), now=day)
    assert (first.id, second.id) == ("airpure-500-2026-12-02", "airpure-500-2026-12-02-2")
    assert len(campaigns(store)) == 2  # the first list, maybe sent already, is kept as it was
    assert [holdout_size(n, s) for n, s in ((3, 0.5), (5, 0.1), (1, 0.5), (100, 0.1), (10, 0))] == [1, 1, 0, 10, 0]
