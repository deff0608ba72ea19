"""Survey exports (CSV, XLSX): one Interaction per response row.

Columns are found by name, in Spanish or English (see :data:`SURVEY_FIELDS`), or
named by the user with ``options.mapping``. A file needs at least one of NPS,
CSAT, CES or a comment. A row with a bad score or date is yielded as an error
(quarantined) and the rest of the file is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any, ClassVar

from ..errors import BadDate, InputError, MalformedRecord, OutOfRange
from ..records import Identity, Interaction, TableColumns, canonical_json
from ._base import NUMERIC_DATE, ReadOptions, guess_dayfirst, parse_timestamp, register
from ._tables import (
    ColumnMap,
    FieldSpec,
    Table,
    TableRow,
    cell_text,
    cell_value,
    match_columns,
    missing_columns_error,
    open_csv,
    open_xlsx,
)

SURVEY_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("respondent_email", (
        "email", "correo", "e-mail", "mail", "respondent email", "correo electrónico", "email address",
        "dirección de correo electrónico", "direccion de correo", "customer email", "correo cliente",
    )),
    FieldSpec("customer_id", (
        "customer id", "id cliente", "cliente id", "crm id", "customer_id", "id_cliente", "nº cliente",
        "número de cliente", "numero cliente", "num cliente", "client id", "código cliente", "account id",
    )),
    FieldSpec("respondent_id", (
        "respondent id", "response id", "id respuesta", "respuesta id", "submission id", "id encuesta", "id",
    )),
    FieldSpec("date", (
        "date", "fecha", "submitted at", "fecha respuesta", "fecha de respuesta", "timestamp", "marca temporal",
        "submission date", "response date", "submitted", "completed at", "created at", "fecha envío",
    )),
    FieldSpec("nps", (
        "nps", "recommend", "likely to recommend", "recomendaría", "recomendacion", "nps score",
        "puntuación nps", "net promoter score",
    ), contains=("recomendaria", "recomendarias", "recomendarnos", "recommend", "nps", "net promoter")),
    FieldSpec("csat", (
        "csat", "satisfaction", "satisfacción", "satisfecho", "csat score", "overall satisfaction",
        "satisfacción general",
    ), contains=("satisfaction", "satisfaccion", "satisfecho", "satisfecha", "satisfied", "csat")),
    FieldSpec("ces", (
        "ces", "effort", "esfuerzo", "customer effort", "customer effort score", "ces score",
    ), contains=("effort", "esfuerzo", "ces")),
    FieldSpec("comment", (
        "comment", "comments", "comentario", "comentarios", "feedback", "opinion", "why", "por qué", "motivo",
        "verbatim", "observaciones", "reason", "razón", "respuesta abierta",
    ), contains=("comment", "comments", "comentario", "comentarios", "por que", "why", "motivo", "feedback",
                 "opinion", "observaciones", "reason", "razon")),
    FieldSpec("touchpoint", ("touchpoint", "touch point", "canal", "channel", "punto de contacto")),
    FieldSpec("language", ("language", "idioma", "lang", "lengua", "locale")),
)

# Names a user may write in --map for a canonical field.
MAPPING_ALIASES = {"email": "respondent_email", "crm_id": "customer_id", "response_id": "respondent_id"}

CONTENT_FIELDS = ("nps", "csat", "ces", "comment")


@dataclass(frozen=True)
class ScoreScale:
    """The valid values of one score: ``low``..``high``, whole numbers only when ``whole``."""

    name: str
    low: int
    high: int
    whole: bool

    def describe(self) -> str:
        kind = "a whole number" if self.whole else "a number"
        return f"{kind} from {self.low} to {self.high}"


SCALES = {
    "nps": ScoreScale("NPS", 0, 10, True),
    "csat": ScoreScale("CSAT", 1, 5, False),
    "ces": ScoreScale("CES", 1, 7, False),
}

_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")


def parse_score(value: Any, scale: ScoreScale, header: str, *, source: str, position: str) -> float | None:
    """A score cell as a float; None when empty. Accepts ``9``, ``9.0``, ``9,0``, `` 9 ``.

    Raises MalformedRecord (not a number) or OutOfRange (outside the scale).
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
        shown = cell_text(value)
    else:
        shown = cell_text(value)
        if not shown:
            return None
        if not _NUMBER.match(shown):
            raise MalformedRecord(
                f"the {scale.name} value {shown!r} in column {header!r} is not a number "
                f"(valid: {scale.describe()}).",
                source=source, position=position,
                fix=f"write {scale.describe()} or leave the cell empty; this row was not imported.",
            )
        number = float(shown.replace(",", "."))
    if not (scale.low <= number <= scale.high) or (scale.whole and not number.is_integer()):
        raise OutOfRange(
            f"the {scale.name} value {shown!r} in column {header!r} is outside the valid range "
            f"({scale.describe()}).",
            source=source, position=position,
            fix=f"correct it to {scale.describe()} or leave the cell empty; this row was not imported.",
        )
    return number


def _excel_serial(value: Any) -> Any:
    """An XLSX date cell that lost its date format arrives as a day count (45741.5)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 <= value <= 80000:
        from openpyxl.utils.datetime import from_excel

        return from_excel(value)
    return value


def _combine(problems: list[InputError]) -> InputError:
    """One error for a row: the first problem's kind, every problem's message."""
    first = problems[0]
    if len(problems) == 1:
        return first
    message = " Also: ".join(p.message for p in problems)
    return type(first)(message, source=first.source, position=first.position, fix=first.fix)


class SurveyRows:
    """Turns rows of one survey table into Interactions (or the error for a bad row)."""

    def __init__(self, path: Path, table: Table, columns: ColumnMap, dayfirst: bool, timezone: str = "UTC",
                 date_format: str | None = None):
        self.path, self.table, self.columns, self.dayfirst = path, table, columns, dayfirst
        self.timezone = timezone
        self.date_format = date_format
        self.source = str(path)
        self.is_xlsx = table.details.get("format") == "xlsx"

    def convert(self, row: TableRow) -> Interaction | InputError:
        cols, pos = self.columns, row.position
        problems: list[InputError] = []
        scores: dict[str, float] = {}
        for name, scale in SCALES.items():
            header = cols.header(name)
            if header is None:
                continue
            try:
                score = parse_score(cols.value(row, name), scale, header, source=self.source, position=pos)
            except InputError as exc:
                problems.append(exc)
                continue
            if score is not None:
                scores[name] = score
        timestamp = self._timestamp(row, problems)
        if problems:
            return _combine(problems)

        email = cell_text(cols.value(row, "respondent_email"))
        customer_id = cell_text(cols.value(row, "customer_id"))
        respondent_id = cell_text(cols.value(row, "respondent_id"))
        comment = cell_text(cols.value(row, "comment"))
        notes: list[str] = []
        identities: list[Identity] = []
        if email and "@" in email:
            identities.append(Identity("email", email, role="respondent"))
        elif email:
            notes.append(f"ignored {email!r} in column {cols.header('respondent_email')!r}: not an email address")
            email = ""
        if customer_id:
            identities.append(Identity("crm_id", customer_id, role="respondent"))

        metadata: dict[str, Any] = {
            "touchpoint": cell_text(cols.value(row, "touchpoint")) or None,
            "language": cell_text(cols.value(row, "language")) or None,
            "columns": cols.described(),
            "extra": {self.table.headers[i]: cell_value(row.cells[i])
                      for i in cols.unmapped() if cell_text(row.cells[i]) != ""},
        }
        if row.extra:
            metadata["extra_cells"] = [cell_value(v) for v in row.extra]
        if notes:
            metadata["problems"] = notes

        respondent = {k: v for k, v in (("email", email.lower()), ("customer_id", customer_id),
                                        ("respondent_id", respondent_id)) if v}
        basis: dict[str, Any] = {"respondent": respondent, "date": timestamp, "scores": scores, "comment": comment}
        if not respondent:
            # Anonymous rows: two people may give the same score on the same day;
            # the row keeps them apart (a re-read of the same export still matches).
            basis["row"] = f"{self.path.stem}:{row.number}"
        return Interaction(
            channel="survey",
            source_path=self.source,
            source_pos=pos,
            timestamp=timestamp,
            direction="inbound",
            text=comment,
            external_id=respondent_id or None,
            identities=identities,
            scores=scores,
            metadata=metadata,
            raw=canonical_json(self.table.as_dict(row)),
            hash_basis=canonical_json(basis),
        )

    def _timestamp(self, row: TableRow, problems: list[InputError]) -> str | None:
        header = self.columns.header("date")
        if header is None:
            return None
        value = self.columns.value(row, "date")
        if self.is_xlsx:
            value = _excel_serial(value)
        try:
            return parse_timestamp(value, source=self.source, position=row.position, dayfirst=self.dayfirst,
                                   timezone=self.timezone, date_format=self.date_format)
        except BadDate as exc:
            problems.append(BadDate(f"cannot read the date {cell_text(value)!r} in column {header!r}.",
                                    source=self.source, position=row.position, fix=exc.fix))
            return None


LOOKAHEAD_ROWS = 5000  # rows held back while the date order is decided
SAME_DATE_FAILURES = 20  # the first rows failing on their date, all of them: the column's form is not read


def rows_with_dayfirst(table: Table, columns: ColumnMap, options: ReadOptions) -> tuple[Iterator[TableRow], bool]:
    """The table's rows and whether its dates are day first.

    ``options.dayfirst`` when set. Else the first rows are held in a buffer and the
    date column's text values in it decide; a second pass over the column is made
    only when the file is longer than the buffer and the buffer did not settle it
    (text dates, none of them month first, some of them number/number/year). A date column of
    real date cells (XLSX) or of ISO dates needs no pass: on a 20,000-row workbook it read the
    sheet twice, half the time of the ingest.
    """
    rows = table.rows()
    index = columns.index("date")
    if options.dayfirst is not None:
        return rows, options.dayfirst
    if index is None:
        return rows, True
    buffer = list(islice(rows, LOOKAHEAD_ROWS))
    texts = [row.cells[index] for row in buffer if row.problem is None and isinstance(row.cells[index], str)]
    dayfirst = guess_dayfirst(texts)
    ambiguous = any(NUMERIC_DATE.match(t) for t in texts)  # ISO dates ("2026-10-01") need no guess
    if dayfirst and ambiguous and len(buffer) == LOOKAHEAD_ROWS:
        later = (v for v in table.column(index) if isinstance(v, str))
        dayfirst = guess_dayfirst(later)
    return chain(buffer, rows), dayfirst


def read_survey_table(path: Path, table: Table, options: ReadOptions
                      ) -> Iterator[Interaction | InputError | TableColumns]:
    columns = match_columns(table.headers, SURVEY_FIELDS, options.mapping, source=str(path),
                            aliases=MAPPING_ALIASES)
    if not any(columns.index(name) is not None for name in CONTENT_FIELDS):
        needed = [s for s in SURVEY_FIELDS if s.name in CONTENT_FIELDS]
        raise missing_columns_error(table, needed, what="a score (NPS, CSAT, CES) or a comment", example="nps")
    yield TableColumns(str(path), columns.described(), {}, [table.headers[i] for i in columns.unmapped()])
    rows, dayfirst = rows_with_dayfirst(table, columns, options)
    convert = SurveyRows(path, table, columns, dayfirst, options.timezone, options.date_format).convert
    held: list[InputError] = []  # the first rows' date errors, until a date reads: one message, not thousands
    for row in rows:
        item = row.problem if row.problem is not None else convert(row)
        if held is not None:
            if isinstance(item, BadDate) and "in column" in item.message:
                held.append(item)
                if len(held) == SAME_DATE_FAILURES:
                    examples = ", ".join(repr(e.message.split("'")[1]) for e in held[:3] if "'" in e.message)
                    raise BadDate(f"no date in column {columns.header('date')!r} can be read (the first "
                                  f"{SAME_DATE_FAILURES} rows all fail: {examples}); nothing of the file was stored.",
                                  source=str(path),
                                  fix="give the form the file uses with --date-format, e.g. --date-format "
                                      "'%d-%m-%Y %H.%M' (Python strptime codes), or map another column with "
                                      "--map date=…")
                continue
            yield from held
            held = None
        yield item
    yield from held or []


@register
class CsvSurveyReader:
    name: ClassVar[str] = "survey.csv.v1"
    channel: ClassVar[str] = "survey"
    suffixes: ClassVar[tuple[str, ...]] = (".csv", ".tsv")

    def read(self, path: Path, options: ReadOptions) -> Iterator[Interaction | InputError]:
        yield from read_survey_table(path, open_csv(path, options), options)


@register
class XlsxSurveyReader:
    name: ClassVar[str] = "survey.xlsx.v1"
    channel: ClassVar[str] = "survey"
    suffixes: ClassVar[tuple[str, ...]] = (".xlsx", ".xlsm")

    def read(self, path: Path, options: ReadOptions) -> Iterator[Interaction | InputError]:
        yield from read_survey_table(path, open_xlsx(path, options, options.sheet), options)


__all__ = ["CsvSurveyReader", "SURVEY_FIELDS", "XlsxSurveyReader", "parse_score", "read_survey_table"]
