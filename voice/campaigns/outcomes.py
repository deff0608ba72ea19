"""Campaign outcomes from the campaign tool or the shop: one row per customer, saying
whether they were contacted, responded and converted, and what the conversion was
worth. CSV/TSV or XLSX, headers in English or Spanish; a customer is named by the
CRM id or an e-mail address. A row that cannot be used is reported with its row
number and why; the rest are stored."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, MalformedRecord, MissingColumns
from ..ingest._base import ReadOptions
from ..ingest._tables import (FieldSpec, cell_text, match_columns, missing_columns_error, open_csv, open_xlsx)
from ..ingest.customers import parse_flag, parse_money

if TYPE_CHECKING:
    from ..store import Store

OUTCOME_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("customer_id", ("customer id", "customer", "id cliente", "cliente", "crm id", "id", "contact id",
                              "external id", "customer_id", "código cliente", "subscriber key")),
    FieldSpec("email", ("email", "email address", "e-mail", "correo", "correo electrónico", "mail")),
    FieldSpec("campaign", ("campaign", "campaign id", "campaign name", "campaña", "id campaña")),
    FieldSpec("contacted", ("contacted", "sent", "delivered", "contactado", "enviado", "entregado")),
    FieldSpec("responded", ("responded", "response", "opened", "clicked", "replied", "respondió", "respondio",
                            "respuesta", "abierto", "clic")),
    FieldSpec("converted", ("converted", "conversion", "purchased", "bought", "ordered", "convertido",
                            "conversión", "compró", "compro", "compra", "pedido")),
    FieldSpec("value", ("value", "revenue", "amount", "order value", "valor", "importe", "ingresos",
                        "venta", "ventas")),
)


@dataclass
class OutcomeImport:
    campaign_id: str
    rows: int = 0                      # data rows read
    stored: int = 0                    # customers whose outcome is now stored
    converted: int = 0
    outside: int = 0                   # known customers the campaign did not choose (counted as "rest")
    repeated: int = 0                  # rows for a customer already in the file: merged (flags or-ed, values summed)
    problems: list[InputError] = field(default_factory=list)   # rows left out, each with its row and fix


def _flag(value: Any, header: str | None, row: int, source: str) -> bool | None:
    if cell_text(value) == "":
        return None
    flag = parse_flag(value)
    if flag is None:
        raise MalformedRecord(f"{cell_text(value)!r} in column {header!r} is not a yes/no answer.",
                              source=source, position=f"row {row}",
                              fix="write yes or no (sí/no, true/false, 1/0), or leave it empty.")
    return flag


def import_outcomes(store: Store, path: str | Path, *, campaign: str | None = None,
                    options: ReadOptions | None = None, sheet: str | None = None,
                    now: dt.datetime | None = None) -> OutcomeImport:
    """Store each row's outcome for ``campaign`` (or the campaign named in the file's campaign column;
    when neither says and there is one campaign, that one; ``campaign`` wins over the column). Several rows
    for one customer are merged: a flag is yes if any row says yes, the values add up. A customer imported
    before keeps what the earlier file said that this one does not (opens first, orders later). A value
    with no conversion column means a conversion."""
    from . import _campaign_row, campaigns

    path = Path(path)
    options = options or ReadOptions()
    source = str(path)
    table = open_xlsx(path, options, sheet) if path.suffix.lower() in (".xlsx", ".xlsm") else open_csv(path, options)
    cols = match_columns(table.headers, OUTCOME_FIELDS, options.mapping, source=source)
    if cols.index("customer_id") is None and cols.index("email") is None:
        raise missing_columns_error(table, [OUTCOME_FIELDS[0], OUTCOME_FIELDS[1]],
                                    what="the customer (an id or e-mail)", example="customer_id")
    if not any(cols.index(f) is not None for f in ("converted", "responded", "contacted", "value")):
        raise MissingColumns(
            f"{path.name} says nothing about the outcome: no converted, responded, contacted or value column "
            f"(found: {', '.join(repr(h) for h in table.headers)}).", source=source,
            fix="add a 'converted' column (yes/no), or map yours: --map converted='Compra realizada'.")
    known = [c["id"] for c in campaigns(store)]
    if campaign is None and cols.index("campaign") is None:
        if len(known) != 1:
            raise InputError(f"{path.name} does not say which campaign its outcomes are for.",
                             source=source, fix="add --campaign ID (one of: " + (", ".join(known) or "none yet")
                             + ") or a 'campaign' column.")
        campaign = known[0]
    if campaign is not None:
        _campaign_row(store, campaign)  # NotFound with the known ids
    db = store.db
    by_email: dict[str, str | None] = {}
    if cols.index("email") is not None:
        for address, customer in db.execute("select distinct lower(value), customer_id from identities "
                                            "where kind = 'email' and customer_id is not null"):
            by_email[address] = customer if address not in by_email else None  # shared: ambiguous
    ids = {r[0] for r in db.execute("select id from customers")}
    stamp = (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
    report = OutcomeImport(campaign or "")
    stored: dict[tuple[str, str], tuple] = {}
    for row in table.rows():
        report.rows += 1
        pos = row.position
        if row.problem is not None:
            report.problems.append(row.problem)
            continue
        try:
            # the campaign named on the command line wins: a tool's own "Campaign Name" column is not ours
            cid = campaign or (cell_text(cols.value(row, "campaign")) if cols.index("campaign") is not None else "")
            if cid not in known:
                from . import campaign_id

                if cid and campaign_id(cid) in known:
                    cid = campaign_id(cid)
                else:
                    raise MalformedRecord(f"no campaign {cid!r}.", source=source, position=pos,
                                          fix="use one of: " + ", ".join(known))
            customer = cell_text(cols.value(row, "customer_id"))
            email = cell_text(cols.value(row, "email")).lower()
            who = customer if customer in ids else by_email.get(email)
            if who is None and email in by_email:
                raise MalformedRecord(f"the e-mail {email!r} belongs to more than one customer.",
                                      source=source, position=pos,
                                      fix="name the customer by the CRM id (a customer_id column).")
            if who is None:
                raise MalformedRecord(f"no customer {customer or email or '(empty)'!r} in the database.",
                                      source=source, position=pos,
                                      fix="name customers by their CRM id or an e-mail the CRM import knows; "
                                          "import the CRM first (voice customers import).")
            flags = {f: _flag(cols.value(row, f), cols.header(f), row.number, source)
                     for f in ("contacted", "responded", "converted")}
            value = None
            if cell_text(cols.value(row, "value")):
                try:
                    value = parse_money(cols.value(row, "value"))
                except ValueError as exc:
                    raise MalformedRecord(f"the value {cell_text(cols.value(row, 'value'))!r} is not a number.",
                                          source=source, position=pos,
                                          fix="write the amount as a number, e.g. 129.90 or 129,90.") from exc
                if value is not None and value < 0:
                    raise MalformedRecord(f"the value {value:g} is negative.", source=source, position=pos,
                                          fix="give the conversion's value (a refund is not a campaign outcome).")
            if flags["converted"] is None and cols.index("converted") is None and value is not None:
                flags["converted"] = value > 0  # a results file of orders: an amount is a purchase
        except InputError as exc:
            report.problems.append(exc)
            continue
        new = (_int(flags["contacted"]), _int(flags["responded"]), _int(flags["converted"]), value)
        if (cid, who) in stored:  # several rows for one customer (one per order, one per send): together
            report.repeated += 1
            new = _merge(stored[(cid, who)][2:6], new)
        stored[(cid, who)] = (cid, who, *new, source, stamp)
    with db.conn:
        # a later file adds what it says and keeps what an earlier one said (opens, then orders)
        db.conn.executemany(
            "insert into campaign_outcomes (campaign_id, customer_id, contacted, responded, converted, value, "
            "source, imported_at) values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (campaign_id, customer_id) do update "
            "set contacted = coalesce(excluded.contacted, contacted), "
            "responded = coalesce(excluded.responded, responded), "
            "converted = coalesce(excluded.converted, converted), value = coalesce(excluded.value, value), "
            "source = excluded.source, imported_at = excluded.imported_at", list(stored.values()))
    members = {(c, m) for c, m in db.execute("select campaign_id, customer_id from campaign_members")}
    report.stored = len(stored)
    report.converted = sum(1 for v in stored.values() if v[4])
    report.outside = sum(1 for k in stored if k not in members)
    if not report.campaign_id and stored:
        report.campaign_id = next(iter(stored))[0]
    return report


def _merge(a: tuple, b: tuple) -> tuple:
    """Two rows of one customer: a flag is yes when either says yes (no when one says no and the other
    nothing), the values add up."""
    flags = tuple(None if x is None and y is None else int(bool(x) or bool(y)) for x, y in zip(a[:3], b[:3]))
    value = None if a[3] is None and b[3] is None else (a[3] or 0.0) + (b[3] or 0.0)
    return (*flags, value)


def _int(flag: bool | None) -> int | None:
    return None if flag is None else int(flag)
