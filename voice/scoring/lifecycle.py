"""A customer's lifecycle stage, from their contact history and relationship class — a documented rule,
not a model, so a CX team can say why a customer is where they are:

- **lapsed**: no contact from them for :attr:`LifecycleSettings.lapsed_days` (180) before the as-of date;
- **at_risk**: the relationship class is at risk (low or falling experience, an open problem, a churn threat);
- **new**: their first contact is within :attr:`~LifecycleSettings.new_days` (90) and they wrote at most twice;
- **loyal**: they have been in touch for a year or more (first contact 365+ days ago), wrote at least three
  times, and the relationship is a promoter's or their experience is 60/100 or more;
- **active**: everyone else who is in touch.

Retaining customers is the point of the relationship view: stages are a segment criterion, shown on the
customer page and counted in the report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .history import Item

STAGES = ("new", "active", "loyal", "at_risk", "lapsed")


@dataclass(frozen=True)
class LifecycleSettings:
    lapsed_days: int = 180
    new_days: int = 90
    loyal_days: int = 365
    loyal_contacts: int = 3
    loyal_experience: float = 60.0


def stage(items: list[Item], cls: str, cem: float | None, as_of: dt.datetime,
          s: LifecycleSettings = LifecycleSettings()) -> str | None:
    """The stage (see the module docstring); None for a customer who never wrote (CRM only)."""
    dated = sorted(i.timestamp.replace(tzinfo=None) for i in items if i.inbound and i.timestamp is not None)
    inbound = sum(1 for i in items if i.inbound)
    if not inbound:
        return None
    now = as_of.replace(tzinfo=None)
    if dated and (now - dated[-1]).days > s.lapsed_days:
        return "lapsed"
    if cls == "at_risk":
        return "at_risk"
    if dated and (now - dated[0]).days <= s.new_days and inbound <= 2:
        return "new"
    if (dated and (now - dated[0]).days >= s.loyal_days and inbound >= s.loyal_contacts
            and (cls == "promoter" or (cem is not None and cem >= s.loyal_experience))):
        return "loyal"
    return "active"
