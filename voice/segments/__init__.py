"""Campaign segments for marketers: the customers interested in a product, with
how to reach them, their interest score and the evidence in one line — only
those who consented, and without those still waiting on a complaint if asked.

>>> rows = segment(store, "airpure-500", min_interest=0.6, consent="marketing", exclude_open_complaints=True)
>>> write_csv(rows, "airpure-campaign.csv")
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .._csv import write_dicts
from ..errors import InputError, NotFound
from ..scoring.lists import evidence_summary
from ..scoring.loops import PROBLEM_INTENTS
from ..store import Store

COLUMNS = ("customer_id", "name", "email", "phone", "product_id", "interest", "evidence", "value_band",
           "lifetime_value", "segment", "consent")


@dataclass
class Segment:
    product_id: str
    min_interest: float
    rows: list[dict] = field(default_factory=list)
    excluded: Counter = field(default_factory=Counter)  # reason -> customers left out


def _contacts(store: Store, ids: list[str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {i: {} for i in ids}
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        for kind, value, cid in store.db.execute(
                f"""select kind, value, customer_id from identities
                    where customer_id in ({','.join('?' * len(chunk))}) and kind in ('email', 'phone')
                    order by customer_id, kind, case source when 'crm' then 0 else 1 end, value""", chunk):
            out[cid].setdefault(kind, value)  # the CRM's first address and number
    return out


def segment(store: Store, product: str, *, min_interest: float = 0.6, consent: str = "marketing",
            exclude_open_complaints: bool = False, stages: "list[str] | None" = None) -> Segment:
    """Customers whose interest in ``product`` is at least ``min_interest``,
    strongest first. ``consent`` (default "marketing"; or "email", or any key of the CRM's consent
    column): keep only customers whose CRM record says yes to it (unknown is no); "any" keeps everyone
    whatever their consent — say so on purpose, it is never the default. ``exclude_open_complaints``:
    leave out customers with a problem still open, whatever intent it was read as: an open complaint,
    refund, billing or technical problem, any open request that was written in anger, or a last message
    that was negative and never answered (``voice customer ID`` shows it). ``stages``: keep only customers in
    these lifecycle stages (new, active, loyal, at_risk, lapsed: :mod:`voice.scoring.lifecycle`), e.g. a
    win-back campaign for "lapsed"."""
    if not 0.0 <= min_interest <= 1.0:
        raise ValueError("min_interest is a share between 0 and 1")
    if not consent or not str(consent).strip():
        raise InputError("say which consent the customers must have given.",
                         fix="use consent='marketing' (or 'email', …), or 'any' to keep everyone on purpose.")
    consent = None if consent.strip().lower() == "any" else consent.strip()
    known = [r[0] for r in store.db.execute("select distinct product_id from interest order by 1")]
    if product not in known:
        raise NotFound(f"no customer has shown interest in a product {product!r}.",
                       fix="use one of: " + (", ".join(known) or "(none yet: run voice analyze and voice score)"))
    from ..scoring.lifecycle import STAGES

    bad = [st for st in stages or [] if st not in STAGES]
    if bad:
        raise InputError(f"unknown lifecycle stage {bad[0]!r}.", fix=f"use one of: {', '.join(STAGES)}.")
    rows = store.db.execute("""
        select i.customer_id, c.name, i.score, i.evidence, c.consent, c.segment, c.lifetime_value, r.value_band,
               r.stage
        from interest i join customers c on c.id = i.customer_id
        left join relationships r on r.customer_id = i.customer_id
        where i.product_id = ? and i.score >= ? order by i.score desc, i.customer_id""",
                            [product, min_interest]).fetchall()
    # anyone with a problem still open, whatever the intent it was read as: an open loop of a problem intent,
    # any open loop opened by a negative message (a CFPB complaint read as account_change was exported), or a
    # last message that was negative and got no reply (a complaint read as "other" opens no loop). An open
    # purchase question asked calmly is not a problem: that customer is who a campaign is for.
    open_problem = {r[0] for r in store.db.execute(f"""
        select distinct o.customer_id from open_loops o left join analyses a on a.interaction_id = o.opened_by
        where o.status = 'open' and o.customer_id is not null
          and (o.intent in ({','.join('?' * len(PROBLEM_INTENTS))}) or a.sentiment = 'negative')
        union
        select x.customer_id from interactions x join analyses a on a.interaction_id = x.id
        where x.customer_id is not null and a.sentiment = 'negative' and coalesce(x.direction, 'inbound') != 'outbound'
          and x.timestamp = (select max(y.timestamp) from interactions y where y.customer_id = x.customer_id
                             and coalesce(y.direction, 'inbound') != 'outbound')
          and not exists (select 1 from interactions z where z.customer_id = x.customer_id
                          and z.direction = 'outbound' and z.timestamp > x.timestamp)""", sorted(PROBLEM_INTENTS))}
    out = Segment(product, min_interest)
    contacts = _contacts(store, [r[0] for r in rows])
    for cid, name, score, evidence, consent_json, seg, value, band, life in rows:
        if stages and life not in stages:
            out.excluded[f"not {' or '.join(stages)}"] += 1
            continue
        flags = json.loads(consent_json or "{}")
        if consent and flags.get(consent) is not True:
            out.excluded[f"no {consent} consent"] += 1
            continue
        if exclude_open_complaints and cid in open_problem:
            out.excluded["open problem"] += 1
            continue
        out.rows.append({"customer_id": cid, "name": name, "email": contacts[cid].get("email", ""),
                         "phone": contacts[cid].get("phone", ""), "product_id": product, "interest": round(score, 3),
                         "evidence": evidence_summary(json.loads(evidence or "[]")), "value_band": band or "unknown",
                         "lifetime_value": value, "segment": seg or "",
                         "consent": ";".join(k for k, v in sorted(flags.items()) if v is True)})
    return out


def write_csv(seg: Segment, out: str | Path | TextIO):
    """The segment as CSV that campaign tools import: to a file (UTF-8 with a BOM,
    so spreadsheet tools read accents; returns its path) or to an open text
    stream (returns the stream)."""
    if hasattr(out, "write"):
        write_dicts(out, COLUMNS, seg.rows)  # formula-safe: a name "=HYPERLINK(...)" is written as text
        return out
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        write_csv(seg, fh)
    return path
