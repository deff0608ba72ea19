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

COLUMNS = ("customer_id", "first_name", "last_name", "name", "email", "phone", "language", "product_id",
           "interest", "evidence", "value_band", "lifetime_value", "segment", "stage", "consent", "consent_date")

#: column names that campaign tools' import screens map by themselves; every other column of COLUMNS
#: follows under its own name (a custom field there). Mailchimp: "Email Address", "First Name", "Last Name",
#: "Phone Number", "Tags"; HubSpot: "Email", "First Name", "Last Name", "Phone Number", "Preferred language";
#: Brevo: EMAIL, FIRSTNAME, LASTNAME, SMS (attributes in capitals).
PRESETS: dict[str, dict[str, str]] = {
    "generic": {},
    "mailchimp": {"email": "Email Address", "first_name": "First Name", "last_name": "Last Name",
                  "phone": "Phone Number", "language": "Language", "customer_id": "Customer ID",
                  "product_id": "Tags", "consent_date": "Opt-in Date"},
    "hubspot": {"email": "Email", "first_name": "First Name", "last_name": "Last Name", "phone": "Phone Number",
                "language": "Preferred language", "customer_id": "Customer ID", "consent_date": "Consent date"},
    "brevo": {"email": "EMAIL", "first_name": "FIRSTNAME", "last_name": "LASTNAME", "phone": "SMS",
              "language": "LANGUAGE", "customer_id": "EXT_ID", "consent_date": "OPT_IN_DATE"},
}
# what each preset leads with: the contact, then the rest in COLUMNS' order
_LEAD = ("email", "first_name", "last_name", "phone", "language")


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
    people = _people(store, [r[0] for r in rows])
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
        first, last, language, consent_date = people[cid]
        out.rows.append({"customer_id": cid, "first_name": first, "last_name": last, "name": name,
                         "email": contacts[cid].get("email", ""), "phone": contacts[cid].get("phone", ""),
                         "language": language, "product_id": product, "interest": round(score, 3),
                         "evidence": evidence_summary(json.loads(evidence or "[]")), "value_band": band or "unknown",
                         "lifetime_value": value, "segment": seg or "", "stage": life or "",
                         "consent": ";".join(k for k, v in sorted(flags.items()) if v is True),
                         "consent_date": consent_date})
    return out


_LANGUAGE_KEYS = ("language", "idioma", "lang", "lengua", "preferred language", "idioma preferido")


def _people(store: Store, ids: list[str]) -> dict[str, tuple[str, str, str, str]]:
    """(first name, last name, language, consent date) per customer. Names: the CRM's own first and last
    name columns, else the full name split after its first word ("Ana Ruiz Martín" -> "Ana", "Ruiz Martín").
    Language: the CRM's language column, else the language the customer writes in most. Consent date: the
    CRM's consent-date column (``voice customers import`` recognises "consent date", "fecha consentimiento",
    "opt-in date"...), else empty."""
    out: dict[str, tuple[str, str, str, str]] = {}
    written: dict[str, str] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        marks = ",".join("?" * len(chunk))
        for cid, lang, _n in store.db.execute(f"""
                select i.customer_id, a.lang, count(*) n from interactions i join analyses a on a.interaction_id = i.id
                where i.customer_id in ({marks}) and a.lang in ('es', 'en')
                  and coalesce(i.direction, 'inbound') != 'outbound'
                group by i.customer_id, a.lang order by i.customer_id, n desc, a.lang""", chunk):
            written.setdefault(cid, lang)
        for cid, name, attrs in store.db.execute(
                f"select id, name, attributes from customers where id in ({marks})", chunk):
            a = json.loads(attrs or "{}")
            first, last = a.get("first_name"), a.get("last_name")
            if not first and not last:
                first, _, last = (name or "").strip().partition(" ")
            norm = {str(k).strip().lower().replace("_", " "): v for k, v in a.items()}
            language = next((str(norm[k]) for k in _LANGUAGE_KEYS if norm.get(k)), written.get(cid, ""))
            out[cid] = (str(first or ""), str(last or "").strip(), language, str(a.get("consent_date") or ""))
    for cid in ids:
        out.setdefault(cid, ("", "", written.get(cid, ""), ""))
    return out


def write_csv(seg: Segment, out: str | Path | TextIO, preset: str = "generic"):
    """The segment as CSV that campaign tools import: to a file (UTF-8 with a BOM,
    so spreadsheet tools read accents; returns its path) or to an open text
    stream (returns the stream). ``preset`` names the columns as a tool's import
    screen expects them (mailchimp, hubspot, brevo; see PRESETS)."""
    if preset not in PRESETS:
        raise InputError(f"unknown CSV preset {preset!r}.", fix=f"use one of: {', '.join(PRESETS)}.")
    names = PRESETS[preset]
    order = list(COLUMNS) if preset == "generic" else [*_LEAD, *(c for c in COLUMNS if c not in _LEAD)]
    if hasattr(out, "write"):
        rows = [{names.get(k, k): r.get(k) for k in order} for r in seg.rows]
        write_dicts(out, [names.get(k, k) for k in order], rows)  # formula-safe: "=HYPERLINK(...)" stays text
        return out
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        write_csv(seg, fh, preset)
    return path
