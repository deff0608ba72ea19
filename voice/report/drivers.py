"""Key drivers: which themes, products and touchpoints move the customers' experience, how much
(with a 95% interval), and how much of the business they touch.

For each factor, the interactions in scope that have it (a theme's sentences, a product's
mentions, the touchpoint) against those that do not: the difference of their mean experience
score (0-100, the CEM of each interaction), with a percentile bootstrap interval (both groups
resampled, 400 times). Ranked by |impact| x share of the interactions: a strong effect on a few
interactions can matter less than a moderate one on many. The same again with every interaction
weighted by its customer's lifetime value (CLV), ranked by |CLV-weighted impact| x share of the
customers' value: what the most valuable customers feel.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..store import Store

MIN_DRIVER_N = 5      # interactions with the factor (and without) for an impact
RESAMPLES = 400
TOP_DRIVERS = 15


def key_drivers(store: Store, rows, topical: dict[str, dict], names: dict[str, str], *,
                seed: int = 0) -> list[dict]:
    """One row per factor with at least MIN_DRIVER_N scored interactions on each side: kind (theme,
    product, touchpoint), name, interactions, share, mean experience with and without, impact and its
    95% interval, the CLV-weighted impact and interval, the factor's share of the customers' value, and
    the two ranks (by impact x share, by CLV impact x value share)."""
    scored = [r for r in rows if r.experience is not None]
    if len(scored) < 2 * MIN_DRIVER_N:
        return []
    index = {r.id: n for n, r in enumerate(scored)}
    y = np.array([r.experience for r in scored], float)
    ltv = dict(store.db.execute("select id, lifetime_value from customers where lifetime_value > 0"))
    w = np.array([float(ltv.get(r.customer_id) or 0.0) for r in scored])
    factors: dict[tuple[str, str], set[int]] = defaultdict(set)
    for iid, per in topical.items():
        if iid in index:
            for tid in per:
                factors[("theme", names.get(tid, tid))].add(index[iid])
    for iid, pid in store.db.execute("select distinct interaction_id, product_id from mentions"):
        if iid in index:
            factors[("product", pid)].add(index[iid])
    for r in scored:
        factors[("touchpoint", r.touchpoint)].add(index[r.id])
    rng = np.random.default_rng(seed)
    total_value = float(w.sum())
    out = []
    for (kind, name), members in factors.items():
        has = np.zeros(len(scored), bool)
        has[list(members)] = True
        n_with, n_without = int(has.sum()), int((~has).sum())
        if n_with < MIN_DRIVER_N or n_without < MIN_DRIVER_N:
            continue
        impact, low, high = _difference(y, has, None, rng)
        row = {"kind": kind, "factor": name, "interactions": n_with, "share": round(n_with / len(scored), 3),
               "experience_with": round(float(y[has].mean()), 1), "experience_without": round(float(y[~has].mean()), 1),
               "impact": impact, "impact_low": low, "impact_high": high,
               "value_share": None, "clv_impact": None, "clv_impact_low": None, "clv_impact_high": None}
        valued = w > 0
        if total_value > 0 and (has & valued).sum() >= MIN_DRIVER_N and (~has & valued).sum() >= MIN_DRIVER_N:
            row["value_share"] = round(float(w[has].sum()) / total_value, 3)
            row["clv_impact"], row["clv_impact_low"], row["clv_impact_high"] = _difference(y, has, w, rng)
        out.append(row)
    for row in out:
        row["rank_score"] = round(abs(row["impact"]) * row["share"], 3)
        row["clv_rank_score"] = (round(abs(row["clv_impact"]) * row["value_share"], 3)
                                 if row["clv_impact"] is not None else None)
    return sorted(out, key=lambda r: (-r["rank_score"], r["kind"], r["factor"]))


BOOTSTRAP_MAX = 2000  # a side larger than this: its mean's sampling spread from the normal approximation


def _difference(y: np.ndarray, has: np.ndarray, w: np.ndarray | None, rng) -> tuple[float, float, float]:
    """Mean of y where ``has`` minus where not (weighted by ``w`` when given, zero weights left out), and
    its 95% percentile bootstrap interval. A side of more than BOOTSTRAP_MAX interactions has its
    resampled means drawn from the normal approximation (mean, standard error) instead: the same
    spread by the central limit theorem, without drawing 400 x 100,000 indices per factor."""
    keep = np.ones(len(y), bool) if w is None else w > 0
    ww = np.ones(len(y)) if w is None else w
    sides = []
    for idx in (np.flatnonzero(has & keep), np.flatnonzero(~has & keep)):
        yy, wi = y[idx], ww[idx]
        mu = float((yy * wi).sum() / wi.sum())
        if len(idx) <= BOOTSTRAP_MAX:
            pick = rng.integers(0, len(idx), (RESAMPLES, len(idx)))
            sides.append((mu, (yy[pick] * wi[pick]).sum(1) / wi[pick].sum(1)))
        else:
            se = float(np.sqrt((wi ** 2 * (yy - mu) ** 2).sum()) / wi.sum())
            sides.append((mu, rng.normal(mu, se, RESAMPLES)))
    (m1, d1), (m2, d2) = sides
    low, high = np.percentile(d1 - d2, [2.5, 97.5])
    return round(m1 - m2, 1), round(float(low), 1), round(float(high), 1)
