"""Key drivers: which themes, products and touchpoints move what customers feel — their experience
(CEM, each interaction 0-100), their NPS and their CSAT — how much (with a 95% interval), and how much
of the business they touch.

Experience is per interaction: the interactions in scope that have the factor (a theme's sentences, a
product's mentions, the touchpoint) against those that do not. NPS and CSAT are per customer (the
latest answer): the customers with an interaction in scope that has the factor against the other
customers who answered. The impact is the difference of the two means within each channel, averaged
over the channels with the factor's counts as weights (a theme of the email complaints is not charged
with the gap between emails and survey comments; touchpoints are compared across channels), with a
percentile bootstrap interval (both groups resampled within each channel, 400 times). Ranked by |impact| x share: a strong effect on a few can
matter less than a moderate one on many. The same again weighted by the customer's lifetime value
(CLV), ranked by |CLV-weighted impact| x share of the customers' value: what the most valuable
customers feel.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..store import Store

MIN_DRIVER_N = 5      # interactions (or customers) with the factor, and without, for an impact
MIN_STRATUM = 3       # ... and within a channel, for it to count (fewer: a bootstrap of one value has no spread)
RESAMPLES = 400
TOP_DRIVERS = 15
OUTCOMES = ("experience", "nps", "csat")


def all_drivers(store: Store, rows, topical: dict[str, dict], names: dict[str, str],
                scores: dict[str, dict[str, float] | None], *, seed: int = 0) -> list[dict]:
    """:func:`key_drivers` for several outcomes ({"experience": None, "nps": {customer: answer}, ...}), the
    factors of each interaction and the customers' values read once for all of them."""
    per_interaction: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for iid, per in topical.items():
        for tid in per:
            per_interaction[iid].add(("theme", names.get(tid, tid)))
    for iid, pid in store.db.execute("select distinct interaction_id, product_id from mentions"):
        per_interaction[iid].add(("product", pid))
    for r in rows:
        per_interaction[r.id].add(("touchpoint", r.touchpoint))
    ltv = dict(store.db.execute("select id, lifetime_value from customers where lifetime_value > 0"))
    out: list[dict] = []
    for outcome, by_customer in scores.items():
        out += _drivers(rows, per_interaction, ltv, outcome, by_customer, seed)
    return out


def key_drivers(store: Store, rows, topical: dict[str, dict], names: dict[str, str], *,
                outcome: str = "experience", scores: dict[str, float] | None = None, seed: int = 0) -> list[dict]:
    """One row per factor with at least MIN_DRIVER_N on each side: outcome, kind (theme, product,
    touchpoint), factor, n (interactions for experience, customers for NPS/CSAT), share, the mean with and
    without, the impact and its 95% interval, the factor's share of the customers' value, the CLV-weighted
    impact and interval, and the two ranks (impact x share, CLV impact x value share). ``scores``: each
    customer's NPS or CSAT, for those outcomes."""
    return all_drivers(store, rows, topical, names, {outcome: scores}, seed=seed)


def _drivers(rows, per_interaction: dict, ltv: dict, outcome: str, scores: dict[str, float] | None,
             seed: int) -> list[dict]:
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}")
    if outcome == "experience":
        units = [r for r in rows if r.experience is not None]
        keys = [r.id for r in units]
        y = np.array([r.experience for r in units], float)
        owners = [r.customer_id for r in units]
        factors_of = {r.id: per_interaction.get(r.id, set()) for r in units}
        channel_of = [r.channel for r in units]
    else:
        scores = scores or {}
        keys = sorted({r.customer_id for r in rows if r.customer_id in scores})
        y = np.array([scores[c] for c in keys], float)
        owners = keys
        factors_of = defaultdict(set)
        main_channel: dict[str, Counter] = defaultdict(Counter)
        for r in rows:
            if r.customer_id in scores:
                factors_of[r.customer_id] |= per_interaction.get(r.id, set())
                main_channel[r.customer_id][r.channel] += 1
        channel_of = [main_channel[c].most_common(1)[0][0] for c in keys]  # the channel they use most
    if len(keys) < 2 * MIN_DRIVER_N:
        return []
    index = {k: n for n, k in enumerate(keys)}
    # each channel's units, found once for every factor (np.unique over a million channel names per factor
    # and outcome was most of the dashboard's time at a million interactions)
    codes = np.unique(np.array(channel_of), return_inverse=True)[1]
    strata = [codes == c for c in range(int(codes.max()) + 1)]
    w = np.array([float(ltv.get(c) or 0.0) for c in owners])
    factors: dict[tuple[str, str], set[int]] = defaultdict(set)
    for k in keys:
        for f in factors_of[k]:
            factors[f].add(index[k])
    rng = np.random.default_rng(seed)
    total_value = float(w.sum())
    digits = 1 if outcome == "experience" else 2
    out = []
    for (kind, name), members in sorted(factors.items()):  # one order: the bootstrap's draws follow it
        has = np.zeros(len(keys), bool)
        has[list(members)] = True
        n_with, n_without = int(has.sum()), int((~has).sum())
        if n_with < MIN_DRIVER_N or n_without < MIN_DRIVER_N:
            continue
        stratify = strata if kind != "touchpoint" else None  # a touchpoint is compared across channels
        found = _difference(y, has, None, rng, digits, stratify)
        if found is None:
            continue
        impact, low, high = found
        mean_with = round(float(y[has].mean()), digits)
        # "without": what the same interactions would score without it, channel for channel (with - impact), so
        # that with - without is the impact the table shows
        row = {"outcome": outcome, "kind": kind, "factor": name, "n": n_with, "share": round(n_with / len(keys), 3),
               "mean_with": mean_with, "mean_without": round(mean_with - impact, digits),
               "impact": impact, "impact_low": low, "impact_high": high,
               "value_share": None, "clv_impact": None, "clv_impact_low": None, "clv_impact_high": None}
        valued = w > 0
        if total_value > 0 and (has & valued).sum() >= MIN_DRIVER_N and (~has & valued).sum() >= MIN_DRIVER_N:
            weighted = _difference(y, has, w, rng, digits, stratify)
            if weighted is not None:
                row["value_share"] = round(float(w[has].sum()) / total_value, 3)
                row["clv_impact"], row["clv_impact_low"], row["clv_impact_high"] = weighted
        out.append(row)
    for row in out:
        row["rank_score"] = round(abs(row["impact"]) * row["share"], 3)
        row["clv_rank_score"] = (round(abs(row["clv_impact"]) * row["value_share"], 3)
                                 if row["clv_impact"] is not None else None)
    return sorted(out, key=lambda r: (-r["rank_score"], r["kind"], r["factor"]))


BOOTSTRAP_MAX = 200  # a side larger than this: its mean's sampling spread from the normal approximation


def _difference(y: np.ndarray, has: np.ndarray, w: np.ndarray | None, rng, digits: int = 1,
                strata: list[np.ndarray] | None = None) -> tuple[float, float, float] | None:
    """Mean of y where ``has`` minus where not (weighted by ``w`` when given, zero weights left out), and
    its 95% percentile bootstrap interval. With ``strata`` (a mask of the units of each channel), the
    difference is taken within each stratum that has both sides and averaged with the factor's own counts
    as weights — the effect of the theme among interactions of the same channel, not the channels'
    difference (on the real inputs, every CFPB complaint is an email and every tweet a survey:
    unstratified, the themes of the complaints "cost" 18 points that were the channels' gap). None when no
    stratum has both sides. A side of more than BOOTSTRAP_MAX has its resampled means drawn from the normal
    approximation (mean, standard error): the same spread by the central limit theorem, without drawing
    400 x 100,000 indices."""
    keep = np.ones(len(y), bool) if w is None else w > 0
    ww = np.ones(len(y)) if w is None else w
    groups = [np.ones(len(y), bool)] if strata is None else strata
    point, draws, total = 0.0, np.zeros(RESAMPLES), 0.0
    for g in groups:
        a, b = np.flatnonzero(has & keep & g), np.flatnonzero(~has & keep & g)
        if len(a) < MIN_STRATUM or len(b) < MIN_STRATUM:  # one or two units a side: no spread to resample
            continue
        (m1, d1), (m2, d2) = _side(y, ww, a, rng), _side(y, ww, b, rng)
        weight = float(ww[a].sum())
        point += weight * (m1 - m2)
        draws += weight * (d1 - d2)
        total += weight
    if not total:
        return None
    low, high = np.percentile(draws / total, [2.5, 97.5])
    return round(point / total, digits), round(float(low), digits), round(float(high), digits)


def _side(y: np.ndarray, w: np.ndarray, idx: np.ndarray, rng) -> tuple[float, np.ndarray]:
    yy, wi = y[idx], w[idx]
    mu = float((yy * wi).sum() / wi.sum())
    if len(idx) <= BOOTSTRAP_MAX:
        pick = rng.integers(0, len(idx), (RESAMPLES, len(idx)))
        return mu, (yy[pick] * wi[pick]).sum(1) / wi[pick].sum(1)
    se = float(np.sqrt((wi ** 2 * (yy - mu) ** 2).sum()) / wi.sum())
    return mu, rng.normal(mu, se, RESAMPLES)
