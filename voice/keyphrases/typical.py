"""The phrases typical of a set of interactions (a theme group, a product's mentions), from the keyphrases
the analysis stored per interaction.

A phrase counts once per interaction. Its weight in a set is its share of the set's interactions times the
log of its lift (that share over its share of all the interactions compared); it needs ``min_share`` of the
set (and 3 interactions) and a lift of 1.5, so a phrase everyone writes ("credit report" on CFPB) labels
nothing. A phrase inside a better one ("theft" in "identity theft") and phrases with a person's name are
skipped, and so are phrases with no word of three letters or more. Its most frequent surface is shown.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

_WORD = re.compile(r"[^\W\d_]{3,}")


def typical_phrases(store, members: dict[str, set[str]], universe: Iterable[str] | None = None, *,
                    exclude: set[str] | frozenset[str] = frozenset(), top: int = 8, min_share: float = 0.04,
                    min_lift: float = 1.5) -> dict[str, list[list]]:
    """Per key of ``members`` (key -> interaction ids): ``[[surface, weight], ...]``, best first.
    ``universe``: the interactions the lift compares against (default: all in ``members``)."""
    universe = set(universe) if universe is not None else set().union(*members.values()) if members else set()
    if not universe:
        return {}
    keys_of: dict[str, list[str]] = {}
    for key, ids in members.items():
        for iid in ids:
            keys_of.setdefault(iid, []).append(key)
    df_set: dict[str, Counter] = {}
    df_all: Counter = Counter()
    surfaces: dict[str, Counter] = {}
    for iid, phrase, surface in store.db.execute("select interaction_id, phrase, surface from keyphrases"):
        words = _WORD.findall(phrase.lower())
        if iid not in universe or not words or set(words) & exclude:
            continue  # no word of 3+ letters ("oh", "ss": state and form abbreviations), or a person's name
        df_all[phrase] += 1
        surfaces.setdefault(phrase, Counter())[(surface or phrase).lower()] += 1
        for key in keys_of.get(iid, ()):
            df_set.setdefault(key, Counter())[phrase] += 1
    n = len(universe)
    out: dict[str, list[list]] = {}
    for key, counts in df_set.items():
        size = len(members[key] & universe)
        scored = []
        for phrase, df in counts.items():
            share = df / size
            lift = share / (df_all[phrase] / n)
            if df >= 3 and share >= min_share and lift >= min_lift:
                scored.append((share * math.log(lift), phrase))
        picked: list[tuple[float, str, str]] = []
        for weight, phrase in sorted(scored, key=lambda x: (-x[0], x[1])):
            words = set(phrase.split())
            if any(words <= set(p.split()) or set(p.split()) <= words for _, p, _ in picked):
                continue
            picked.append((round(weight, 4), phrase, surfaces[phrase].most_common(1)[0][0]))
            if len(picked) == top:
                break
        out[key] = [[surface, weight] for weight, _, surface in picked]
    return out
