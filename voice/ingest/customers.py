"""CRM exports (CSV, XLSX): one Customer per row.

Columns are found by name, in Spanish or English (see :data:`CUSTOMER_FIELDS`), or
named with ``options.mapping``. The id column is required. Several emails or phones
may sit in one cell or in several columns; consent flags are every column named
``consent...``, ``acepta...``, ``opt in...`` (and ``marketing``, ``newsletter``,
``gdpr``). A bad row is yielded as an error; a bad email or lifetime value only
notes a problem on the customer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from ..errors import DuplicateRecord, InputError, MalformedRecord, PartlyRead
from ..records import Customer, TableColumns, canonical_json
from ._base import ReadOptions, register
from ._tables import (
    ColumnMap,
    FieldSpec,
    Table,
    TableRow,
    cell_text,
    cell_value,
    match_columns,
    missing_columns_error,
    normalize_header,
    open_csv,
    open_xlsx,
)

CUSTOMER_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("id", (
        "id", "customer id", "id cliente", "cliente id", "customer_id", "crm id", "código cliente",
        "código de cliente", "account id", "client id", "nº cliente", "número de cliente", "customer number",
    )),
    FieldSpec("name", (
        "name", "full name", "nombre completo", "customer name", "nombre cliente", "nombre del cliente",
        "razón social", "company name",
    )),
    FieldSpec("first_name", ("first name", "nombre", "given name", "firstname", "nombre de pila")),
    FieldSpec("last_name", ("last name", "apellidos", "apellido", "surname", "lastname", "family name")),
    FieldSpec("email", (
        "email", "emails", "e-mail", "mail", "correo", "correos", "correo electrónico", "email address",
        "secondary email", "email secundario", "correo secundario", "other email", "work email", "personal email",
    ), multi=True),
    FieldSpec("phone", (
        "phone", "phones", "teléfono", "telefono", "teléfonos", "mobile", "móvil", "movil", "celular",
        "phone number", "número de teléfono", "tel", "secondary phone", "teléfono secundario", "work phone",
    ), multi=True),
    FieldSpec("segment", ("segment", "segmento", "tier", "tipo cliente", "tipo de cliente", "customer type")),
    FieldSpec("lifetime_value", (
        "lifetime value", "ltv", "clv", "valor", "valor cliente", "valor del cliente", "customer value",
        "customer lifetime value",
    )),
    # when the customer gave the (marketing) consent: campaign tools and the GDPR ask for it
    FieldSpec("consent_date", (
        "consent date", "consent_date", "consent given at", "consent timestamp", "consented at", "opt in date",
        "optin date", "opted in at", "opt in time", "marketing consent date", "fecha consentimiento",
        "fecha de consentimiento", "fecha del consentimiento", "fecha opt in", "fecha alta marketing",
        "fecha aceptación", "fecha de aceptación", "fecha suscripción", "fecha de suscripción", "subscribed at",
        "subscription date",
    )),
)
# the words after a consent prefix that make a column a detail of the consent, not a yes/no flag
_CONSENT_DETAIL = {"date", "fecha", "time", "timestamp", "at", "on", "source", "origen", "ip", "channel", "canal"}

MAPPING_ALIASES = {
    "customer_id": "id", "crm_id": "id", "emails": "email", "phones": "phone", "ltv": "lifetime_value",
}
CONSENT_KEYS = ("consent_", "consent.")  # --map consent_marketing='Acepta publicidad'
CONSENT_PREFIXES = (("consent",), ("consents",), ("consentimiento",), ("consiente",), ("acepta",), ("acepto",),
                    ("aceptacion",), ("opt", "in"), ("opted", "in"), ("optin",), ("permiso",), ("permisos",),
                    ("permite",), ("autoriza",), ("autorizacion",), ("accepts",), ("accept",), ("accepted",),
                    ("agrees",), ("agreed",), ("allow",), ("allows",), ("subscribed",), ("suscrito",),
                    ("suscrita",), ("rgpd",), ("gdpr",))
CONSENT_NAMES = {"marketing", "newsletter", "gdpr", "rgpd", "publicidad", "comunicaciones_comerciales"}
_LINK_WORDS = {"de", "a", "al", "para", "recibir", "to", "for", "of", "receive", "the", "el", "la", "los", "las"}
#: consent keys named in other words: a Spanish CRM's "acepta_publicidad" is the marketing consent a segment asks
CONSENT_SYNONYMS = {"publicidad": "marketing", "comunicaciones_comerciales": "marketing", "comercial": "marketing",
                    "comerciales": "marketing", "promociones": "marketing", "promotions": "marketing",
                    "ofertas": "marketing", "offers": "marketing", "correo": "email", "correo_electronico": "email",
                    "e_mail": "email", "mail": "email", "emails": "email", "llamadas": "phone", "telefono": "phone",
                    "calls": "phone", "phone_calls": "phone"}

_TRUE = {"yes", "y", "si", "s", "true", "1", "x", "✓", "✔", "verdadero", "on"}
_FALSE = {"no", "n", "false", "0", "", "falso", "off"}

_EMAIL_SPLIT = re.compile(r"[;,|\s]+")
_PHONE_SPLIT = re.compile(r"[;,|/]+")


def consent_key(header: str) -> str | None:
    """``"Consent marketing"`` -> ``"marketing"``, ``"acepta_email"`` -> ``"email"``,
    ``"accepts_marketing"`` -> ``"marketing"``, ``"acepta_publicidad"`` -> ``"marketing"``,
    ``"Newsletter"`` -> ``"newsletter"``; None for a column that is not a consent flag."""
    norm = normalize_header(header)
    if norm in CONSENT_NAMES:
        return CONSENT_SYNONYMS.get(norm, norm)
    words = norm.split("_")
    for prefix in CONSENT_PREFIXES:
        if tuple(words[:len(prefix)]) == prefix:
            rest = words[len(prefix):]
            while rest and rest[0] in _LINK_WORDS:
                rest = rest[1:]
            if _CONSENT_DETAIL & set(rest):  # "consent_date", "opt-in source": about a consent, not one
                return None
            key = "_".join(rest) or "general"
            return CONSENT_SYNONYMS.get(key, key)
    return None


def _date_text(value: Any) -> str:
    """A consent date as ISO (YYYY-MM-DD) when it reads as one (day first, as European CRMs write it;
    an XLSX date as is), else the text as written."""
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = cell_text(value)
    try:
        from dateutil import parser

        first = not re.match(r"\d{4}-", text)
        # a date missing its day, month or year ("2024", "March 2024") would be completed from today's:
        # parsed twice with different defaults, it must come out the same to be a whole date
        a = parser.parse(text, dayfirst=first, default=dt.datetime(2000, 1, 1))
        b = parser.parse(text, dayfirst=first, default=dt.datetime(2001, 2, 2))
    except (ValueError, OverflowError):
        return text
    return a.date().isoformat() if a.date() == b.date() else text


def parse_flag(value: Any) -> bool | None:
    """yes/no, sí/no, true/false, 1/0, y/n, x/✓, empty (= no); None when unrecognized."""
    text = unicodedata.normalize("NFKD", cell_text(value).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).strip()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def parse_money(value: Any) -> float | None:
    """``"1.234,50 €"``, ``"1,234.50"``, ``"$1234.5"``, ``"1234,5"`` -> a float; None when
    empty. The last of ``.``/``,`` is the decimal mark when both appear; one mark
    followed by exactly three digits (``"1.234"``, ``"12,500"``) separates thousands.
    Raises ValueError when the text holds no such number."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = cell_text(value)
    if not text:
        return None
    negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
    core = re.sub(r"(?i)\b(eur|euros?|usd|gbp|mxn)\b|[€$£\s\u00a0\u202f'()+-]", "", text)
    if not re.fullmatch(r"\d[\d.,]*", core) or core[-1] in ".,":
        raise ValueError(text)
    if "." in core and "," in core:
        decimal = "." if core.rfind(".") > core.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        core = core.replace(thousands, "").replace(decimal, ".")
    elif "." in core or "," in core:
        mark = "." if "." in core else ","
        parts = core.split(mark)
        grouped = len(parts) > 2 or (len(parts[1]) == 3 and parts[0] != "0")
        if grouped:
            if any(len(p) != 3 for p in parts[1:]):
                raise ValueError(text)
            core = "".join(parts)
        else:
            core = core.replace(mark, ".")
    number = float(core)
    return -number if negative else number


def split_emails(values: list[Any]) -> tuple[list[str], list[str]]:
    """(addresses, rejected): lower-cased, stripped, de-duplicated, in order."""
    emails: list[str] = []
    rejected: list[str] = []
    for value in values:
        for part in _EMAIL_SPLIT.split(cell_text(value)):
            address = part.strip().strip("<>\"'").lower()
            if address.startswith("mailto:"):
                address = address[len("mailto:"):]
            if not address:
                continue
            if "@" not in address:
                rejected.append(part)
            elif address not in emails:
                emails.append(address)
    return emails, rejected


def split_phones(values: list[Any]) -> list[str]:
    """Raw phone strings, split on ``; , | /`` (never on the spaces inside a number)."""
    phones: list[str] = []
    for value in values:
        for part in _PHONE_SPLIT.split(cell_text(value)):
            phone = part.strip()
            if phone and phone not in phones:
                phones.append(phone)
    return phones


class CustomerRows:
    """Turns rows of one CRM table into Customers, remembering ids to catch duplicates."""

    def __init__(self, path: Path, table: Table, columns: ColumnMap):
        self.source = str(path)
        self.table, self.columns = table, columns
        self.consent = self._consent_columns()
        used = {i for i, _ in self.consent}
        self.other = [i for i in columns.unmapped() if i not in used]
        self.seen: dict[str, tuple[int, str]] = {}  # id -> (row number, row's content)

    def _consent_columns(self) -> list[tuple[int, str]]:
        found: list[tuple[int, str]] = []
        for name, idx in self.columns.columns.items():
            for prefix in CONSENT_KEYS:
                if name.startswith(prefix) and name != "consent_date":  # the date is not a yes/no flag
                    found.extend((i, normalize_header(name[len(prefix):]) or "general") for i in idx)
        mapped = {i for idx in self.columns.columns.values() for i in idx}
        for i, header in enumerate(self.table.headers):
            key = consent_key(header)
            if key is not None and i not in mapped:
                found.append((i, key))
        return found

    def convert(self, row: TableRow) -> Customer | InputError | None:
        """The customer, the error that keeps the row out, or None for an exact repeat."""
        cols, pos = self.columns, row.position
        customer_id = cell_text(cols.value(row, "id"))
        if not customer_id:
            return MalformedRecord(f"the customer id (column {cols.header('id')!r}) is empty.",
                                   source=self.source, position=pos,
                                   fix="give every customer an id; this row was not imported.")
        content = canonical_json([cell_text(v) for v in row.cells + row.extra])
        if customer_id in self.seen:
            first, first_content = self.seen[customer_id]
            if first_content == content:
                return None
            return DuplicateRecord(
                f"customer {customer_id} appears in rows {first} and {row.number}; the later row was not imported.",
                source=self.source, position=pos,
                fix="keep one row per customer id (merge the two rows), or give them different ids.",
            )

        consent: dict[str, bool] = {}
        for i, key in self.consent:
            flag = parse_flag(row.cells[i])
            if flag is None:
                return MalformedRecord(
                    f"the consent value {cell_text(row.cells[i])!r} in column {self.table.headers[i]!r} "
                    "is not a yes/no answer.",
                    source=self.source, position=pos,
                    fix="write yes or no (sí/no, true/false, 1/0, x, or leave it empty for no).",
                )
            consent[key] = flag

        problems: list[str] = []
        emails, rejected = split_emails(cols.values(row, "email"))
        problems.extend(f"dropped {bad!r}: not an email address" for bad in rejected)
        lifetime_value = None
        ltv_cell = cols.value(row, "lifetime_value")
        try:
            lifetime_value = parse_money(ltv_cell)
        except ValueError:
            problems.append(f"lifetime value {cell_text(ltv_cell)!r} in column "
                            f"{cols.header('lifetime_value')!r} is not a number; left empty")

        attributes: dict[str, Any] = {self.table.headers[i]: cell_value(row.cells[i])
                                      for i in self.other if cell_text(row.cells[i]) != ""}
        if row.extra:
            attributes["extra_cells"] = [cell_value(v) for v in row.extra]
        # kept apart for campaign tools (a "name" column alone is split at export)
        for f in ("first_name", "last_name", "consent_date"):
            if cell_text(cols.value(row, f)):
                attributes[f] = _date_text(cols.value(row, f)) if f == "consent_date" else cell_text(cols.value(row, f))
        if problems:
            attributes["problems"] = problems

        self.seen[customer_id] = (row.number, content)
        return Customer(
            id=customer_id,
            name=self._name(row),
            emails=emails,
            phones=split_phones(cols.values(row, "phone")),
            segment=cell_text(cols.value(row, "segment")) or None,
            lifetime_value=lifetime_value,
            consent=consent,
            attributes=attributes,
            source_path=self.source,
            source_pos=pos,
        )

    def _name(self, row: TableRow) -> str | None:
        full = cell_text(self.columns.value(row, "name"))
        if full:
            return full
        parts = [cell_text(self.columns.value(row, f)) for f in ("first_name", "last_name")]
        return " ".join(p for p in parts if p) or None


def read_customer_table(path: Path, table: Table, options: ReadOptions
                        ) -> Iterator[Customer | InputError | TableColumns]:
    columns = match_columns(table.headers, CUSTOMER_FIELDS, options.mapping, source=str(path),
                            aliases=MAPPING_ALIASES, passthrough=CONSENT_KEYS)
    if columns.index("id") is None:
        raise missing_columns_error(table, [CUSTOMER_FIELDS[0]], what="the customer id", example="id")
    rows = CustomerRows(path, table, columns)
    yield TableColumns(str(path), columns.described(),
                       {table.headers[i]: key for i, key in rows.consent},
                       [table.headers[i] for i in rows.other])
    for row in table.rows():
        item = row.problem if row.problem is not None else rows.convert(row)
        if item is not None:
            yield item
        if isinstance(item, Customer) and item.attributes.get("problems"):
            yield PartlyRead(f"customer {item.id} was imported without: {'; '.join(item.attributes['problems'])}.",
                             source=item.source_path, position=item.source_pos,
                             fix="correct the value in the CRM export and import it again.")


@register
class CsvCustomerReader:
    name: ClassVar[str] = "customers.csv.v1"
    channel: ClassVar[str] = "customers"
    suffixes: ClassVar[tuple[str, ...]] = (".csv", ".tsv")

    def read(self, path: Path, options: ReadOptions) -> Iterator[Customer | InputError]:
        yield from read_customer_table(path, open_csv(path, options), options)


@register
class XlsxCustomerReader:
    name: ClassVar[str] = "customers.xlsx.v1"
    channel: ClassVar[str] = "customers"
    suffixes: ClassVar[tuple[str, ...]] = (".xlsx",)

    def read(self, path: Path, options: ReadOptions) -> Iterator[Customer | InputError]:
        yield from read_customer_table(path, open_xlsx(path, options, options.sheet), options)


__all__ = [
    "CUSTOMER_FIELDS",
    "CsvCustomerReader",
    "XlsxCustomerReader",
    "consent_key",
    "parse_flag",
    "parse_money",
    "read_customer_table",
    "split_emails",
    "split_phones",
]
