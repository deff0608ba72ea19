"""Campaigns measured: who a segment export targeted (and whom it held out), what they
did afterwards, and whether it worked.

``voice export segment`` records each campaign: its name, product, when, the criteria
and every customer it chose, each in an arm — ``targeted`` (in the CSV) or ``holdout``
(chosen the same way, left out at random, so that what they do anyway is the baseline).
``voice campaigns import RESULTS.csv`` links the outcomes (contacted, responded,
converted, value) that the campaign tool or the shop reports back. Then
:func:`campaign_results` compares the targeted customers' conversion with the holdout's
(or, with no holdout, with every other customer's) with 95% intervals, and says whether
the interest scores ranked the converters high (AUC).

>>> seg = segment(store, "airpure-500", consent="marketing")
>>> campaign = record_campaign(store, seg, "AirPure spring", holdout=0.1)
>>> import_outcomes(store, "results.csv", campaign="airpure-spring")
>>> campaign_results(store, "airpure-spring").describe()
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from ..errors import InputError, NotFound

if TYPE_CHECKING:
    from ..segments import Segment
    from ..store import Store

ARMS = ("targeted", "holdout")
Z95 = 1.959963984540054


@dataclass
class Campaign:
    id: str
    name: str
    product_id: str | None
    created_at: str
    criteria: dict
    holdout_share: float
    targeted: list[dict] = field(default_factory=list)   # the segment's rows sent to the campaign tool
    holdout: list[dict] = field(default_factory=list)    # chosen alike, kept out on purpose


def campaign_id(name: str) -> str:
    """A campaign's id from its name: lower case, accents and punctuation dropped ("AirPure — Primavera"
    -> "airpure-primavera")."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug or "campaign-" + hashlib.sha1(name.encode()).hexdigest()[:8]


def record_campaign(store: Store, seg: Segment, name: str | None = None, *, holdout: float = 0.0,
                    criteria: dict | None = None, output: str | None = None, seed: int | None = None,
                    now: dt.datetime | None = None) -> Campaign:
    """Record the campaign a segment export makes and split its customers into arms: a random
    ``holdout`` share (0-0.5) is kept out of the CSV, the rest are ``targeted``. ``name`` defaults
    to the product and today's date (a second export that day gets "(2)": a list already sent is never
    replaced). Exporting again under a name you give replaces that campaign's customers while it has no
    outcomes; once outcomes are imported its customers are fixed."""
    if not 0.0 <= holdout <= 0.5:
        raise InputError(f"a holdout of {holdout:g} is not a share between 0 and 0.5.",
                         fix="give --holdout as a share of the segment, e.g. 0.1 for one customer in ten.")
    now = now or dt.datetime.now(dt.timezone.utc)
    db = store.db
    if name:
        name = name.strip()
        cid = campaign_id(name)
        if db.execute("select 1 from campaign_outcomes where campaign_id = ? limit 1", [cid]).fetchone():
            raise InputError(f"campaign {cid!r} already has outcomes; its customers cannot change.",
                             fix="give the new export another --campaign name.")
    else:  # the product and the date; a second export that day is another campaign, never a replacement
        name = f"{seg.product_id} {now.date().isoformat()}"
        cid, n = campaign_id(name), 1
        while db.execute("select 1 from campaigns where id = ?", [cid]).fetchone():
            n += 1
            cid = campaign_id(f"{name} {n}")
        if n > 1:
            name = f"{name} ({n})"
    rows = list(seg.rows)
    rng = random.Random(seed if seed is not None else int(hashlib.sha1(cid.encode()).hexdigest()[:12], 16))
    order = list(range(len(rows)))
    rng.shuffle(order)
    held = set(order[:holdout_size(len(rows), holdout)])
    camp = Campaign(cid, name, seg.product_id, now.isoformat(timespec="seconds"),
                    {"product": seg.product_id, "min_interest": seg.min_interest, **(criteria or {}),
                     "holdout": holdout, "excluded": dict(seg.excluded)}, holdout,
                    [r for i, r in enumerate(rows) if i not in held], [r for i, r in enumerate(rows) if i in held])
    with db.conn:
        db.execute("delete from campaign_members where campaign_id = ?", [cid])
        db.execute("insert or replace into campaigns (id, name, product_id, created_at, criteria, holdout_share, "
                   "output) values (?, ?, ?, ?, ?, ?, ?)",
                   [cid, name, seg.product_id, camp.created_at, json.dumps(camp.criteria, ensure_ascii=False),
                    holdout, output])
        db.conn.executemany(
            "insert into campaign_members (campaign_id, customer_id, arm, interest, stage) values (?, ?, ?, ?, ?)",
            [(cid, r["customer_id"], arm, r.get("interest"), r.get("stage"))
             for arm, part in (("targeted", camp.targeted), ("holdout", camp.holdout)) for r in part])
    return camp


def holdout_size(n: int, share: float) -> int:
    """How many of ``n`` to hold out: the share rounded down, but at least one on each side when there is a
    share and two customers (round() took 2 of 3 at 0.5, and none of 5 at 0.1)."""
    if share <= 0 or n < 2:
        return 0
    return min(n - 1, max(1, int(share * n)))


def campaigns(store: Store) -> list[dict]:
    """Every recorded campaign, newest first: id, name, product, when, arms' sizes and whether outcomes
    are in."""
    return [dict(zip(("id", "name", "product_id", "created_at", "targeted", "holdout", "outcomes"), r))
            for r in store.db.execute("""
        select c.id, c.name, c.product_id, c.created_at,
               (select count(*) from campaign_members m where m.campaign_id = c.id and m.arm = 'targeted'),
               (select count(*) from campaign_members m where m.campaign_id = c.id and m.arm = 'holdout'),
               (select count(*) from campaign_outcomes o where o.campaign_id = c.id)
        from campaigns c order by c.created_at desc, c.id""")]


def _campaign_row(store: Store, cid: str):
    row = store.db.execute("select id, name, product_id, created_at, criteria, holdout_share from campaigns "
                           "where id = ?", [cid]).fetchone()
    if row is None:
        known = [c["id"] for c in campaigns(store)]
        raise NotFound(f"no campaign {cid!r}.", fix="use one of: " + (", ".join(known) or
                                                                      "(none yet: voice export segment records one)"))
    return row


# --- the figures ------------------------------------------------------------------------------------------

@dataclass
class Rate:
    """``k`` of ``n`` with the Wilson score 95% interval."""
    k: int
    n: int

    @property
    def value(self) -> float | None:
        return self.k / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.k, self.n)


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion (better than p ± z·se at small n or near 0/1)."""
    if n == 0:
        return None
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(a: Rate, b: Rate) -> tuple[float, float] | None:
    """95% interval of the difference a - b of two independent proportions: Newcombe's hybrid score
    method (1998, method 10), from the two Wilson intervals."""
    if not a.n or not b.n:
        return None
    (l1, u1), (l2, u2) = a.interval, b.interval
    p1, p2 = a.value, b.value
    d = p1 - p2
    return (d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


def auc(scores_pos: list[float], scores_neg: list[float]) -> tuple[float, tuple[float, float]] | None:
    """Area under the ROC curve (Mann-Whitney: the chance a converter scores above a non-converter, ties
    half) with the Hanley-McNeil (1982) 95% interval; None without both kinds."""
    n1, n2 = len(scores_pos), len(scores_neg)
    if not n1 or not n2:
        return None
    ranked = sorted([(s, 1) for s in scores_pos] + [(s, 0) for s in scores_neg])
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        mid = (i + 1 + j) / 2  # average rank of the tie group (1-based)
        rank_sum += mid * sum(1 for _, pos in ranked[i:j] if pos)
        i = j
    a = (rank_sum - n1 * (n1 + 1) / 2) / (n1 * n2)
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    se = math.sqrt(max(0.0, (a * (1 - a) + (n1 - 1) * (q1 - a * a) + (n2 - 1) * (q2 - a * a)) / (n1 * n2)))
    return a, (max(0.0, a - Z95 * se), min(1.0, a + Z95 * se))


@dataclass
class Arm:
    name: str                      # targeted | holdout | rest
    customers: int
    converted: Rate
    responded: Rate | None         # among the contacted, when the results say who responded
    contacted: int | None
    value: float                   # the converters' value, summed

    @property
    def value_per_customer(self) -> float | None:
        return self.value / self.customers if self.customers else None


@dataclass
class CampaignResults:
    id: str
    name: str
    product_id: str | None
    created_at: str
    criteria: dict
    outcomes: int                              # outcome rows imported
    arms: dict[str, Arm]
    baseline: str | None                       # "holdout" or "rest": what the targeted are compared with
    uplift: float | None                       # targeted conversion - baseline conversion
    uplift_interval: tuple[float, float] | None
    auc_members: tuple[float, tuple[float, float]] | None    # interest at export, over the campaign's customers
    note: str | None = None                    # why there is no comparison, when there is none
    auc_counts: dict[str, int] = field(default_factory=dict)

    @property
    def significant(self) -> bool:
        """The holdout comparison's interval excludes 0 (a comparison with the rest is never called so)."""
        return (self.baseline == "holdout" and self.uplift_interval is not None
                and (self.uplift_interval[0] > 0 or self.uplift_interval[1] < 0))

    def describe(self) -> list[str]:
        """The results as sentences a marketer reads."""
        if not self.outcomes:
            return [f"{self.name}: no outcomes imported yet (voice campaigns import RESULTS.csv "
                    f"--campaign {self.id})."]
        out = []
        for arm in self.arms.values():
            if not arm.customers:
                continue
            r = arm.converted
            ci = r.interval
            out.append(f"{arm.name}: {r.k} of {r.n} converted ({100 * r.value:.1f}%, 95% CI "
                       f"{100 * ci[0]:.1f}-{100 * ci[1]:.1f}%)"
                       + (f", value {arm.value:,.2f}" if arm.value else ""))
        if self.uplift is not None:
            lo, hi = self.uplift_interval
            if self.baseline == "holdout":
                verdict = ("the campaign raised conversion" if lo > 0 else "the targeted converted less" if hi < 0
                           else "no difference can be told at this size")
            else:  # the rest were not set aside at random: a difference may be who was chosen
                verdict = (("the targeted converted more" if lo > 0 else "the targeted converted less" if hi < 0
                            else "no difference can be told at this size")
                           + " — not a random comparison: the targeted were chosen for their interest, so this is "
                             "not the campaign's effect (a --holdout measures that)")
            out.append(f"uplift over the {self.baseline}: {100 * self.uplift:+.1f} points (95% CI {100 * lo:+.1f} to "
                       f"{100 * hi:+.1f}): {verdict}.")
        elif self.note:
            out.append(f"no uplift: {self.note}.")
        if self.auc_members is not None:
            a, (lo, hi) = self.auc_members
            out.append(f"interest scores ranked the converters first with AUC {a:.2f} (95% CI {lo:.2f}-{hi:.2f}; "
                       f"0.5 is chance) among the campaign's customers")
        return out

    def as_dict(self) -> dict:
        d = asdict(self)
        for name, arm in self.arms.items():
            d["arms"][name]["conversion"] = arm.converted.value
            d["arms"][name]["conversion_interval"] = arm.converted.interval
        return d


def campaign_results(store: Store, cid: str) -> CampaignResults:
    """Conversion per arm with Wilson intervals; the uplift of the targeted over the holdout with
    Newcombe's interval; the AUC of the interest scores among the campaign's customers. A campaign customer
    with no outcome row counts as not converted (results files often list only the converters) — but only
    in an arm the results cover at all: a file of the campaign tool's sends says nothing of the held-out
    customers, and 0% for them would be a made-up baseline, so no uplift is given then. With no holdout the
    targeted are compared with every other customer (when the results cover some), said to be no random
    comparison. ``contacted`` missing means a targeted customer was contacted."""
    row = _campaign_row(store, cid)
    cid, name, product, created, criteria, _share = row
    db = store.db
    members = {c: (arm, interest) for c, arm, interest in db.execute(
        "select customer_id, arm, interest from campaign_members where campaign_id = ?", [cid])}
    outcomes = {c: (contacted, responded, converted, value) for c, contacted, responded, converted, value in
                db.execute("select customer_id, contacted, responded, converted, value from campaign_outcomes "
                           "where campaign_id = ?", [cid])}
    everyone = db.execute("select count(*) from customers").fetchone()[0]
    arms: dict[str, Arm] = {}
    covered: dict[str, int] = {}
    for arm_name in ("targeted", "holdout", "rest"):
        ids = ([c for c, (a, _) in members.items() if a == arm_name] if arm_name != "rest"
               else [c for c in outcomes if c not in members])
        n = len(ids) if arm_name != "rest" else max(0, everyone - len(members))
        got = [outcomes.get(c) for c in ids]
        covered[arm_name] = sum(1 for o in got if o)
        converted = sum(1 for o in got if o and o[2])
        contacted = responded = None
        if arm_name == "targeted":
            reached = [o for o in got if not o or o[0] is None or o[0]]  # unknown counts as contacted
            contacted = len(reached)
            if any(o and o[1] is not None for o in got) and contacted:
                responded = Rate(sum(1 for o in reached if o and o[1]), contacted)
        value = sum((o[3] or 0.0) for o in got if o and o[2])
        arms[arm_name] = Arm(arm_name, n, Rate(converted, n), responded, contacted, value)
    baseline = note = None
    if arms["holdout"].customers:
        if covered["holdout"]:
            baseline = "holdout"
        else:
            note = ("the results have no row for any of the held-out customers, so they cannot be compared: import "
                    "the shop's orders for everyone (the campaign tool lists only whom it sent to)")
    elif arms["rest"].customers and covered["rest"]:
        baseline = "rest"
    elif outcomes:
        note = ("no holdout, and the results cover no one outside the campaign: there is nothing to compare with "
                "(export with --holdout 0.1 next time)")
    uplift = interval = None
    if baseline and arms["targeted"].customers:
        t, b = arms["targeted"].converted, arms[baseline].converted
        uplift, interval = t.value - b.value, newcombe(t, b)
    # did the interest scores at export rank the converters high, among the customers the campaign chose?
    conv = {c for c, o in outcomes.items() if o[2]}
    scored = [(interest or 0.0, c in conv) for c, (_, interest) in members.items()]
    auc_members = auc([s for s, y in scored if y], [s for s, y in scored if not y]) if outcomes else None
    return CampaignResults(cid, name, product, created, json.loads(criteria or "{}"), len(outcomes), arms,
                           baseline, uplift, interval, auc_members, note,
                           {"converters": len(conv), "campaign customers": len(members), "customers": everyone})


def every_result(store: Store) -> list[CampaignResults]:
    """The results of every campaign with outcomes, newest first (the report's section)."""
    return [campaign_results(store, c["id"]) for c in campaigns(store) if c["outcomes"]]


from .outcomes import OutcomeImport, import_outcomes  # noqa: E402

__all__ = ["ARMS", "Arm", "Campaign", "CampaignResults", "OutcomeImport", "Rate", "auc", "campaign_id",
           "campaign_results", "campaign_tables", "campaigns", "every_result", "import_outcomes", "newcombe", "record_campaign",
           "wilson"]


def campaign_tables(store: Store) -> list[dict]:
    """Every campaign with outcomes as the report and the web app show it (one computation for both):
    name, product, date, one row per arm (customers, converted, conversion and its 95% interval, value per
    customer), the uplift with its interval and the AUC, and the sentences of ``describe()``."""
    out = []
    for res in every_result(store):
        rows = []
        for arm in res.arms.values():
            if not arm.customers:
                continue
            ci = arm.converted.interval or (None, None)
            rows.append({"arm": arm.name, "customers": arm.customers, "converted": arm.converted.k,
                         "conversion": _r(arm.converted.value), "conversion_low": _r(ci[0]),
                         "conversion_high": _r(ci[1]), "value_per_customer": _r(arm.value_per_customer, 2)})
        up = res.uplift_interval or (None, None)
        a = res.auc_members or (None, (None, None))
        out.append({"id": res.id, "name": res.name, "product_id": res.product_id, "created_at": res.created_at[:10],
                    "baseline": res.baseline, "arms": rows, "uplift": _r(res.uplift), "uplift_low": _r(up[0]),
                    "uplift_high": _r(up[1]), "significant": res.significant, "auc": _r(a[0]),
                    "auc_low": _r(a[1][0]), "auc_high": _r(a[1][1]), "lines": res.describe()})
    return out


def _r(x: float | None, digits: int = 3) -> float | None:
    return None if x is None else round(x, digits)
