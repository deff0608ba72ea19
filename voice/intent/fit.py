"""Does the intent taxonomy fit the user's data? Measured on what the analysis stored.

A taxonomy written for one business misreads another's customers without saying so: on 1,532 CFPB
banking complaints the default (home-appliance shop) taxonomy put "billing" on 76% of them and
"complaint" on only 48% although 92% read negative; on 2,000 airline tweets 65% were "other". Wrong
intents then flow into open loops, at-risk flags and segment exclusions. :func:`taxonomy_fit` reads the
inbound analysed interactions and says, with figures, when the intents do not fit:

- **negative left unexplained**: of the interactions that read negative, the share whose only intent is
  "other" (> 40%: the taxonomy has no intent for what these customers complain about);
- **complaints under-counted**: the taxonomy has a complaint intent, yet complaints are less than a
  third as frequent as negative interactions (the customers complain in terms the examples do not
  cover; a negative message with another intent — a late order, a wrong bill — is explained);
- **one intent everywhere**: an intent other than "other" on more than 60% of interactions tells
  nothing apart (a catch-all: its examples are too broad for this data);
- **mostly "other"**: more than half of all interactions.

Fewer than ``min_interactions`` analysed interactions: no verdict (too few to tell).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .taxonomy import OTHER

if TYPE_CHECKING:
    from ..store import Store

COMPLAINT = "complaint"
#: limits of the checks (shares, 0..1)
UNEXPLAINED_NEGATIVE = 0.40
COMPLAINT_VS_NEGATIVE = 1 / 3
CATCH_ALL = 0.60
MOSTLY_OTHER = 0.50

ADVICE = ("let voice propose intents from this data's themes (voice themes discover, then voice intents suggest "
          "my_intents.yaml), or write your own (models/intents/starters/ has banking, telecom, travel and retail), "
          "edit them, train them: voice train intent --taxonomy my_intents.yaml, then voice analyze --all")


@dataclass
class TaxonomyFit:
    interactions: int  # inbound, analysed, with text
    negative: int = 0
    shares: dict[str, float] = field(default_factory=dict)  # intent -> share of interactions
    negative_other: float = 0.0  # of the negative ones, share whose only intent is "other"
    complaint_of_negative: float | None = None  # of the negative ones, share with a complaint; None: no such intent
    problems: list[str] = field(default_factory=list)
    enough: bool = True  # False: too few interactions to tell

    @property
    def fits(self) -> bool | None:
        """True / False, or None when there are too few interactions to tell."""
        return not self.problems if self.enough else None

    def summary(self) -> str:
        if self.fits is None:
            return f"intent taxonomy: too few analysed interactions ({self.interactions}) to tell whether it fits"
        if self.fits:
            return f"intent taxonomy fits these {self.interactions} interactions"
        return ("the intent taxonomy does not fit these interactions: " + "; ".join(self.problems)
                + ". Fix: " + ADVICE + ".")


def taxonomy_fit(store: "Store", min_interactions: int = 50) -> TaxonomyFit:
    """The fit of the stored intents to the stored interactions (see the module docstring)."""
    rows = store.db.execute("""
        select a.interaction_id, a.sentiment, group_concat(i.intent, '|')
        from analyses a
        join interactions x on x.id = a.interaction_id
        left join intents i on i.interaction_id = a.interaction_id
        where coalesce(x.direction, 'inbound') != 'outbound' and a.sentiment is not null
        group by a.interaction_id""").fetchall()
    n = len(rows)
    fit = TaxonomyFit(interactions=n, enough=n >= min_interactions)
    if not fit.enough:
        return fit
    counts: dict[str, int] = {}
    negative, negative_other, negative_complaint = 0, 0, 0
    has_complaint = bool(store.db.execute("select 1 from intents where intent = ? limit 1", [COMPLAINT]).fetchone())
    for _, sentiment, joined in rows:
        intents = set((joined or OTHER).split("|"))
        for k in intents:
            counts[k] = counts.get(k, 0) + 1
        if sentiment == "negative":
            negative += 1
            negative_other += intents <= {OTHER}
            negative_complaint += COMPLAINT in intents
    fit.negative = negative
    fit.shares = {k: c / n for k, c in sorted(counts.items(), key=lambda kv: -kv[1])}
    if negative:
        fit.negative_other = negative_other / negative
        if fit.negative_other > UNEXPLAINED_NEGATIVE:
            fit.problems.append(f"{fit.negative_other:.0%} of the {negative} negative interactions have no intent "
                                f"but \"other\"")
        if has_complaint:
            fit.complaint_of_negative = negative_complaint / negative
            complaints = counts.get(COMPLAINT, 0)
            if complaints < COMPLAINT_VS_NEGATIVE * negative:
                fit.problems.append(f"{complaints} complaints for {negative} negative interactions")
    for intent, share in fit.shares.items():
        if intent != OTHER and share > CATCH_ALL:
            fit.problems.append(f"\"{intent}\" is on {share:.0%} of them (it tells nothing apart)")
    if fit.shares.get(OTHER, 0.0) > MOSTLY_OTHER:
        fit.problems.append(f"{fit.shares[OTHER]:.0%} are \"other\"")
    return fit
