"""Tables shared by the survey and customer readers: CSV and XLSX rows, and columns.

Two small parts:

* :func:`open_csv` and :func:`open_xlsx` give a :class:`Table`: the header (the first
  non-empty row) and a stream of :class:`TableRow` with the row number a spreadsheet
  user would see (the header of a plain export is row 1, its first data row row 2).
* :func:`match_columns` maps a file's headers to a reader's canonical fields
  (:class:`FieldSpec`) by normalized synonyms, Spanish and English, with the user's
  ``options.mapping`` (field -> exact header) taking precedence. The result says
  which header feeds which field, so errors and metadata can name it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import FileTooLarge, InputError, MissingColumns, UnreadableFile
from ._base import ReadOptions, decode_text, read_bytes

DELIMITERS = (",", ";", "\t", "|")
SNIFF_CHARS = 64 * 1024  # enough lines to sniff a delimiter; the rest is streamed
MAX_CELL_CHARS = 1_000_000  # a longer cell is not a comment: its row is quarantined, not the file
SWALLOWED_ROWS = 2  # a quoted cell holding this many lines that look like rows of the file: an unclosed quote
_BAD_BYTE = re.compile("[\udc80-\udcff]")  # an undecodable byte kept by "surrogateescape"


# --- cells and headers -------------------------------------------------------


def normalize_header(text: Any) -> str:
    """``"¿Correo  Electrónico?"`` -> ``"correo_electronico"``: lower-case, no accents,
    every run of spaces or punctuation collapsed to one ``_``."""
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")


def cell_text(value: Any) -> str:
    """A cell as text, the same for a CSV string and the typed XLSX value:
    ``None`` -> ``""``, ``12.0`` -> ``"12"``, a datetime -> ISO 8601."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value).strip()


def cell_value(value: Any) -> Any:
    """A cell as a JSON-friendly value "as read": strings stripped, numbers kept,
    dates as ISO text, empty as None."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (dt.date, dt.time)):
        return cell_text(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def is_blank(values: Iterable[Any]) -> bool:
    return all(cell_text(v) == "" for v in values)


# --- tables -----------------------------------------------------------------


@dataclass
class TableRow:
    """One data row: ``cells`` line up with the table's headers (short rows are
    padded with None); ``extra`` holds non-empty cells beyond the last header."""

    number: int
    cells: list[Any]
    extra: list[Any] = field(default_factory=list)
    problem: InputError | None = None  # why this row cannot be used (the reader quarantines it)

    @property
    def position(self) -> str:
        return f"row {self.number}"


@dataclass
class Table:
    """A header and a re-iterable stream of rows; blank rows are skipped."""

    source: str
    headers: list[str]
    header_row: int
    _rows: Callable[[], Iterator[tuple[int, list[Any]]]]  # numbered raw rows after the header
    details: dict[str, Any] = field(default_factory=dict)  # delimiter, encoding, sheet

    def rows(self) -> Iterator[TableRow]:
        width = len(self.headers)
        for number, values in self._rows():
            if isinstance(values, InputError):
                yield TableRow(number, [None] * width, problem=values)
                continue
            if is_blank(values):
                continue
            cells = list(values[:width]) + [None] * (width - len(values))
            extra = [v for v in values[width:] if cell_text(v) != ""]
            yield TableRow(number, cells, extra)

    def column(self, index: int) -> Iterator[Any]:
        """The values of one column, streamed (a first pass, e.g. to guess date order)."""
        for row in self.rows():
            yield row.cells[index]

    def as_dict(self, row: TableRow) -> dict[str, Any]:
        """The row as {header: text}, for ``raw``; extra cells under ``"(extra cells)"``."""
        out: dict[str, Any] = {h: cell_text(v) for h, v in zip(self.headers, row.cells)}
        if row.extra:
            out["(extra cells)"] = [cell_text(v) for v in row.extra]
        return out


def _header_names(values: list[Any]) -> list[str]:
    """Header cells as unique names: blanks become ``column N``, repeats get `` (2)``."""
    raw = [cell_text(v) for v in values]
    while raw and raw[-1] == "":
        raw.pop()
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(raw, start=1):
        name = name or f"column {i}"
        count = seen.get(name, 0) + 1
        seen[name] = count
        names.append(name if count == 1 else f"{name} ({count})")
    return names


def _split_header(source: str, numbered: Iterator[tuple[int, list[Any]]], what: str) -> tuple[int, list[str]]:
    for number, values in numbered:
        if isinstance(values, InputError):
            raise values
        if not is_blank(values):
            return number, _header_names(values)
    raise MissingColumns(f"the {what} has no header row (every row is empty).", source=source,
                         fix="export the table with its column names in the first row.")


def sniff_delimiter(sample: str) -> str:
    """The delimiter among ``, ; TAB |``: csv.Sniffer's pick when it splits the header
    line into columns, else the one that splits the first lines most consistently."""
    lines = [ln for ln in sample.splitlines() if ln.strip()][:50]
    if not lines:
        return ","
    try:
        sniffed = csv.Sniffer().sniff("\n".join(lines), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    if sniffed in DELIMITERS and _field_count(lines[0], sniffed) > 1:
        return sniffed
    return _count_delimiter(lines)


def _field_count(line: str, delimiter: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=delimiter)))
    except (csv.Error, StopIteration):
        return 0


def _count_delimiter(lines: list[str]) -> str:
    """Fallback: the delimiter whose per-line column count most often equals the
    header's, with the most columns; ``,`` when none splits anything."""
    best, best_score = ",", (0, 0)
    for delim in DELIMITERS:
        counts = [_field_count(ln, delim) for ln in lines]
        header = counts[0]
        if header < 2:
            continue
        score = (sum(1 for c in counts if c == header), header)
        if score > best_score:
            best, best_score = delim, score
    return best


def open_csv(path: Path, options: ReadOptions) -> Table:
    """A CSV/TSV file as a Table. Raises UnreadableFile, EmptyInput, EncodingProblem
    (from the guards) or MissingColumns when no row holds anything."""
    source = str(path)
    data = read_bytes(path, options)
    text, encoding = decode_table_text(data, source, options.encoding)
    del data
    delimiter = "\t" if path.suffix.lower() == ".tsv" else sniff_delimiter(text[:SNIFF_CHARS])
    csv.field_size_limit(max(csv.field_size_limit(), 2 * MAX_CELL_CHARS))  # a long cell is one row's problem
    width = 0

    def numbered() -> Iterator[tuple[int, list[Any] | InputError]]:
        nonlocal width
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        line = 1
        try:
            for number, values in enumerate(reader, start=1):
                width = width or len(values)
                problem = _row_problem(values, delimiter, width, source, number, line)
                line = reader.line_num + 1
                yield number, (problem if problem is not None else values)
        except csv.Error as exc:
            raise InputError(f"the CSV cannot be parsed after row {reader.line_num} ({exc}).", source=source,
                             position=f"line {reader.line_num}",
                             fix="check for an unclosed quote near that line, or re-export the file.") from exc

    header_row, headers = _split_header(source, numbered(), "CSV file")

    def after_header() -> Iterator[tuple[int, list[Any]]]:
        for number, values in numbered():
            if number > header_row:
                yield number, values

    return Table(source, headers, header_row, after_header,
                 {"format": "csv", "delimiter": delimiter, "encoding": encoding})


def _check_unzipped_size(data: bytes, options: ReadOptions, source: str) -> None:
    """An .xlsx is a zip: the size limit must see what it inflates to, not its compressed size (616 KB
    inflated to a 600 MB cell and 3.4 GB of memory). Refused when its members add up to more than the
    limit, or one of them is compressed more than 200 to 1 (a zip bomb: real sheets compress 5-20x)."""
    import zipfile

    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a zip: openpyxl says what is wrong
    total = sum(m.file_size for m in members)
    worst = max(members, key=lambda m: m.file_size / max(m.compress_size, 1), default=None)
    if total > options.max_bytes:
        raise FileTooLarge(f"the workbook inflates to {total / 1e6:.0f} MB, over the limit of "
                           f"{options.max_bytes / 1e6:.0f} MB.", source=source,
                           fix="split it into smaller workbooks, export CSV, or raise the limit with --max-mb.")
    if worst is not None and worst.file_size > 10_000_000 and worst.file_size / max(worst.compress_size, 1) > 200:
        raise FileTooLarge(f"{worst.filename} in the workbook inflates {worst.file_size / max(worst.compress_size, 1):.0f} "
                           "times (a real sheet compresses 5-20 times): it is refused as a zip bomb.", source=source,
                           fix="open it in Excel or LibreOffice and check what it holds; save it again, or export CSV.")


def decode_table_text(data: bytes, source: str, encoding: str | None = None) -> tuple[str, str]:
    """:func:`decode_text`, but a UTF-8 file with a few lines that are not (one latin-1 byte pasted into a
    late row) stays UTF-8: those bytes are kept as surrogates and their rows quarantined one by one
    (:func:`_row_problem`), instead of the whole file being read as Windows-1252 ("señor" as "seÃ±or").
    It is UTF-8 when most lines with non-ASCII bytes decode as UTF-8."""
    if encoding is None and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            lines = [ln for ln in data.split(b"\n") if any(b >= 0x80 for b in ln)]
            bad = 0
            for ln in lines:
                try:
                    ln.decode("utf-8")
                except UnicodeDecodeError:
                    bad += 1
            if lines and bad < len(lines) / 2:
                body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
                return body.decode("utf-8", "surrogateescape"), "utf-8"
    return decode_text(data, source, encoding)


def _row_problem(values: list[str], delimiter: str, width: int, source: str, number: int,
                 line: int) -> InputError | None:
    """Why a parsed CSV row cannot be used, or None."""
    from ..errors import EncodingProblem, MalformedRecord

    where = f"row {number} (line {line})"
    for value in values:
        if len(value) > MAX_CELL_CHARS:
            return FileTooLarge(f"a cell of this row holds {len(value):,} characters (over {MAX_CELL_CHARS:,}).",
                                source=source, position=where, excerpt=value[:200],
                                fix="check the export: a comment is not that long; split it or remove the cell.")
        if width > 1 and value.count("\n") >= SWALLOWED_ROWS:
            rowlike = [ln for ln in value.split("\n")[1:] if ln.count(delimiter) >= width - 1]
            if len(rowlike) >= SWALLOWED_ROWS:
                return MalformedRecord(
                    f"a quote opened in this row is not closed: the {len(rowlike)} rows after it were read as "
                    "part of one cell.", source=source, position=where, excerpt=value[:200],
                    fix="close the quote (or double the quote character inside the text) and ingest the file "
                        "again; the rows after it were not stored.")
    for value in values:
        if _BAD_BYTE.search(value):
            shown = value.encode("utf-8", "surrogateescape").decode("cp1252", "replace")
            return EncodingProblem("this row is not UTF-8 like the rest of the file (a byte of another encoding).",
                                   source=source, position=where, excerpt=shown[:200],
                                   fix="re-type the row's accented letters, or save the file as UTF-8 again; "
                                       "the other rows were read.")
    return None


def open_xlsx(path: Path, options: ReadOptions, sheet: str | None = None) -> Table:
    """The first sheet (or the named one) of a workbook as a Table. Cell values keep their types (numbers,
    datetimes). Read with python-calamine (Rust: 100,000 rows in 0.4 s) where it is installed, else with
    openpyxl in read-only mode (the same values; 30-40x slower: a 2M-row export took over 5 minutes)."""
    source = str(path)
    data = read_bytes(path, options, binary_ok=True)
    _check_unzipped_size(data, options, source)
    try:
        names, rows_of = _calamine_sheets(data)
    except ImportError:
        names, rows_of = _openpyxl_sheets(data, source)
    except Exception as exc:  # calamine's errors for a file that is not a workbook
        raise UnreadableFile(f"cannot open this as an Excel workbook ({type(exc).__name__}: {exc}).",
                             source=source,
                             fix="open it in Excel or LibreOffice and save it again as .xlsx, or export CSV.") from exc
    if not names:
        raise UnreadableFile("the workbook has no sheets.", source=source, fix="export the sheet again.")
    if sheet is not None and sheet not in names:
        raise InputError(f"the workbook has no sheet named {sheet!r}; it has {', '.join(map(repr, names))}.",
                         source=source, fix="name one of those sheets.")
    title = sheet if sheet is not None else names[0]

    def numbered() -> Iterator[tuple[int, list[Any]]]:
        number = 0
        try:
            for number, values in enumerate(rows_of(title), start=1):
                yield number, values
        except Exception as exc:  # a damaged sheet: zip, XML or value errors
            raise UnreadableFile(f"the sheet {title!r} cannot be read after row {number} "
                                 f"({type(exc).__name__}: {exc}).", source=source,
                                 fix="open it in Excel or LibreOffice and save it again, or export CSV.") from exc

    header_row, headers = _split_header(source, numbered(), f"sheet {title!r}")

    def after_header() -> Iterator[tuple[int, list[Any]]]:
        for number, values in numbered():
            if number > header_row:
                yield number, values

    return Table(source, headers, header_row, after_header, {"format": "xlsx", "sheet": title})


def _calamine_sheets(data: bytes) -> tuple[list[str], Callable[[str], Iterator[list[Any]]]]:
    """Sheet names and a row reader, with python-calamine. Its empty cell ("") is None and its whole
    float (10.0) an int, as openpyxl gives them."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))

    def rows(title: str) -> Iterator[list[Any]]:
        for values in workbook.get_sheet_by_name(title).iter_rows():
            yield [None if v == "" else int(v) if isinstance(v, float) and v.is_integer() else v for v in values]

    return list(workbook.sheet_names), rows


def _openpyxl_sheets(data: bytes, source: str) -> tuple[list[str], Callable[[str], Iterator[list[Any]]]]:
    """Sheet names and a row reader, with openpyxl in read-only mode (each pass parses the rows again)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zip, XML and key errors for a bad file
        raise UnreadableFile(f"cannot open this as an Excel workbook ({type(exc).__name__}: {exc}).",
                             source=source,
                             fix="open it in Excel or LibreOffice and save it again as .xlsx, or export CSV.") from exc

    def rows(title: str) -> Iterator[list[Any]]:
        worksheet = workbook[title]
        worksheet.reset_dimensions()  # some writers store a wrong size; read every row
        for values in worksheet.iter_rows(values_only=True):
            yield list(values)

    return list(workbook.sheetnames), rows


# --- columns ----------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """A canonical field and how its column is recognized.

    ``synonyms`` match the whole normalized header (a trailing number is ignored:
    ``"Email 2"`` matches ``"email"``). ``contains`` match a run of words anywhere in
    it, for long question headers (``"¿Con qué probabilidad recomendaría...?"``).
    ``multi`` fields take every matching column (several email columns).
    """

    name: str
    synonyms: tuple[str, ...]
    contains: tuple[str, ...] = ()
    multi: bool = False

    def normalized(self) -> set[str]:
        return {normalize_header(s) for s in (self.name, *self.synonyms)}


@dataclass
class ColumnMap:
    """Which columns feed which field: ``columns[field]`` is a list of indices."""

    headers: list[str]
    columns: dict[str, list[int]]

    def index(self, name: str) -> int | None:
        found = self.columns.get(name)
        return found[0] if found else None

    def value(self, row: TableRow, name: str) -> Any:
        i = self.index(name)
        return None if i is None else row.cells[i]

    def values(self, row: TableRow, name: str) -> list[Any]:
        return [row.cells[i] for i in self.columns.get(name, [])]

    def header(self, name: str) -> str | None:
        i = self.index(name)
        return None if i is None else self.headers[i]

    def described(self) -> dict[str, str | list[str]]:
        """{field: header} (a list of headers for a field fed by several columns)."""
        out: dict[str, str | list[str]] = {}
        for name, idx in self.columns.items():
            names = [self.headers[i] for i in idx]
            out[name] = names[0] if len(names) == 1 else names
        return out

    def unmapped(self) -> list[int]:
        used = {i for idx in self.columns.values() for i in idx}
        return [i for i in range(len(self.headers)) if i not in used]


def _words_at(header_words: list[str], phrase_words: list[str]) -> int | None:
    """Where ``phrase_words`` occurs as a run inside ``header_words`` (None if not)."""
    n = len(phrase_words)
    for start in range(len(header_words) - n + 1):
        if header_words[start:start + n] == phrase_words:
            return start
    return None


def _find_header(headers: list[str], wanted: str) -> int | None:
    if wanted in headers:
        return headers.index(wanted)
    norm = normalize_header(wanted)
    for i, h in enumerate(headers):
        if normalize_header(h) == norm:
            return i
    return None


def match_columns(
    headers: list[str],
    specs: Iterable[FieldSpec],
    mapping: dict[str, str] | None = None,
    *,
    source: str | None = None,
    aliases: dict[str, str] | None = None,
    passthrough: Iterable[str] = (),
) -> ColumnMap:
    """Map headers to fields: the user's mapping first, then whole-header synonyms,
    then phrases contained in long headers. Each column feeds at most one field.

    ``aliases`` let a mapping say ``email`` for ``respondent_email``; mapping keys
    that start with one of ``passthrough`` (``"consent_"``) are kept as given, for
    the reader to interpret. A mapping naming an unknown field or a header not in
    the file raises MissingColumns, listing what is there.
    """
    specs = list(specs)
    by_name = {s.name: s for s in specs}
    aliases = aliases or {}
    columns: dict[str, list[int]] = {}
    taken: set[int] = set()
    found = ", ".join(repr(h) for h in headers) or "none"

    for key, wanted in (mapping or {}).items():
        name = aliases.get(key, key)
        if name not in by_name and not any(name.startswith(p) for p in passthrough):
            valid = ", ".join(sorted(by_name) + [f"{p}<name> (a consent flag, e.g. {p}marketing)"
                                                 for p in passthrough[:1]])
            raise MissingColumns(f"the column mapping names an unknown field {key!r}.", source=source,
                                 fix=f"map one of: {valid}.")
        i = _find_header(headers, wanted)
        if i is None:
            raise MissingColumns(f"the column mapping says {key}={wanted!r}, but the file has no such column "
                                 f"(headers found: {found}).", source=source,
                                 fix="copy the header exactly as it is written in the file's first row.")
        columns.setdefault(name, []).append(i)
        taken.add(i)

    normalized = [normalize_header(h) for h in headers]
    stripped = [re.sub(r"_?\d+$", "", n) or n for n in normalized]  # "email_2" -> "email"

    # 1. whole-header synonyms
    for spec in specs:
        if spec.name in columns:
            continue
        names = spec.normalized()
        for i in range(len(headers)):
            if i in taken or not (normalized[i] in names or stripped[i] in names):
                continue
            columns.setdefault(spec.name, []).append(i)
            taken.add(i)
            if not spec.multi:
                break

    # 2. phrases inside longer headers: earliest phrase in the header wins, then longest
    candidates: list[tuple[tuple[int, int, int], int, str]] = []
    for i, norm in enumerate(normalized):
        if i in taken:
            continue
        words = norm.split("_")
        best: tuple[tuple[int, int, int], str] | None = None
        for order, spec in enumerate(specs):
            if spec.name in columns and not spec.multi:
                continue
            for phrase in spec.contains:
                phrase_words = normalize_header(phrase).split("_")
                at = _words_at(words, phrase_words)
                if at is None:
                    continue
                rank = (at, -len(phrase_words), order)
                if best is None or rank < best[0]:
                    best = (rank, spec.name)
        if best is not None:
            candidates.append((best[0], i, best[1]))
    for _rank, i, name in sorted(candidates, key=lambda c: (c[0][0], c[0][1], c[1])):
        if name in columns and not by_name[name].multi:
            continue
        columns.setdefault(name, []).append(i)
        taken.add(i)

    return ColumnMap(headers, columns)


def missing_columns_error(table: Table, needed: list[FieldSpec], *, what: str, example: str) -> MissingColumns:
    """The error for a table with none of the ``needed`` fields: the headers found,
    the names each field is recognized by, and how to map a column."""
    found = ", ".join(repr(h) for h in table.headers) or "none"
    expected = "; ".join(f"{s.name}: " + ", ".join(repr(x) for x in s.synonyms[:6]) for s in needed)
    return MissingColumns(
        f"no column for {what}. Headers found: {found}. Expected one of — {expected}.",
        source=table.source,
        fix=f"rename the column or pass a mapping (e.g. --map {example}='Column name').",
    )


__all__ = [
    "ColumnMap",
    "FieldSpec",
    "Table",
    "TableRow",
    "cell_text",
    "cell_value",
    "is_blank",
    "match_columns",
    "missing_columns_error",
    "normalize_header",
    "open_csv",
    "open_xlsx",
    "sniff_delimiter",
]
