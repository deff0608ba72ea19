"""What every reader shares: options, the registry, and the guards on a file.

A reader is a small object with a stable, versioned ``name`` and one method,
``read(path, options)``, that yields :class:`~voice.records.Interaction` records
(or :class:`~voice.records.Customer` for CRM exports). A problem with one record
inside a file (a bad row, a malformed message) is *yielded* as an
:class:`~voice.errors.InputError` so the caller can quarantine it and go on; a
problem with the whole file is *raised*.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, ClassVar, Protocol

from .._clock import zone
from ..errors import (
    BadDate,
    EmptyInput,
    EncodingProblem,
    FileTooLarge,
    InputError,
    UnreadableFile,
)
from ..records import Customer, Interaction

DEFAULT_MAX_BYTES = 200 * 1024 * 1024  # 200 MiB: an mbox can be big, a CSV row cannot


@dataclass(frozen=True)
class ReadOptions:
    """Settings that change how files are read.

    company_domains: e-mail domains of the company itself; mail from them is
        outbound (an agent writing), and their addresses are never a customer's.
    default_region: ISO country code used to read phone numbers written without
        a country prefix (``"ES"`` reads ``612 345 678`` as ``+34612345678``).
    max_bytes: files larger than this are refused (quarantined as too large).
    encoding: force a text encoding instead of detecting it.
    dayfirst: read ``03/04/2026`` as 3 April (True), as March 4 (False), or
        decide per file from the values (None).
    mapping: column overrides for tables, ``{"nps": "Puntuación final", ...}``.
    sheet: the worksheet to read in an XLSX workbook (default: the first).
    timezone: the zone of times written without one (a call's "2026-10-07 11:20",
        a survey export's dates), e.g. ``"Europe/Madrid"``; they are stored in UTC
        like every other timestamp, so channels sort together.
    date_format: a ``strptime`` format for a table's dates (``"%d-%m-%Y %H.%M"``) when the usual forms
        do not read them.
    """

    company_domains: frozenset[str] = frozenset()
    default_region: str = "ES"
    max_bytes: int = DEFAULT_MAX_BYTES
    encoding: str | None = None
    dayfirst: bool | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    timezone: str = "UTC"
    date_format: str | None = None

    def is_company_address(self, address: str) -> bool:
        domain = address.rsplit("@", 1)[-1].strip().lower().rstrip(">")
        return any(domain == d or domain.endswith("." + d) for d in self.company_domains)


class Reader(Protocol):
    """A reader of one kind of source file."""

    name: ClassVar[str]  # stable and versioned: "email.eml.v1"
    channel: ClassVar[str]  # "email", "call", "survey", "customers"
    suffixes: ClassVar[tuple[str, ...]]  # lower-case, with the dot: (".eml",)

    def read(self, path: Path, options: ReadOptions) -> Iterator[Interaction | Customer | InputError]:
        ...


_REGISTRY: dict[str, Reader] = {}


def register(reader_cls: type) -> type:
    """Class decorator: make a reader findable by name and by file suffix."""
    instance = reader_cls()
    if instance.name in _REGISTRY:
        raise ValueError(f"reader name {instance.name!r} is registered twice")
    _REGISTRY[instance.name] = instance
    return reader_cls


def registered() -> dict[str, Reader]:
    return dict(_REGISTRY)


# --- guards on a file -------------------------------------------------------

BINARY_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x7fELF": "an executable",
    b"\x1f\x8b": "a gzip archive",
    b"PK\x03\x04": "a ZIP archive (or Office file)",
    b"SQLite format 3": "a SQLite database",
}


def check_file(path: Path, options: ReadOptions) -> int:
    """The guards every reader shares, without reading the file: it exists, is a
    regular file, is not empty and not over the size limit. Returns its size.

    Raises UnreadableFile, EmptyInput or FileTooLarge with the fix spelled out.
    """
    source = str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableFile(f"cannot open the file ({exc.strerror or exc}).", source=source,
                             fix="check that the path exists and is readable by this user.") from exc
    if not path.is_file():
        raise UnreadableFile("this is not a regular file.", source=source,
                             fix="pass a file, or a folder to read every file inside it.")
    if size == 0:
        raise EmptyInput("the file is empty (0 bytes).", source=source,
                         fix="export it again, or remove it from the input folder.")
    if size > options.max_bytes:
        raise FileTooLarge(
            f"the file is {size / 1e6:.1f} MB, over the limit of {options.max_bytes / 1e6:.0f} MB.",
            source=source,
            fix="split it into smaller files, or raise the limit with --max-mb.",
        )
    return size


def read_bytes(path: Path, options: ReadOptions, *, binary_ok: bool = False) -> bytes:
    """Read a whole file after :func:`check_file`, refusing what cannot be a text
    source (unless ``binary_ok``, for XLSX)."""
    check_file(path, options)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"cannot read the file ({exc.strerror or exc}).", source=str(path),
                             fix="check the file's permissions.") from exc
    if not binary_ok:
        check_not_binary(data, str(path))
    return data


def open_checked(path: Path, options: ReadOptions) -> BinaryIO:
    """Open a text source for streaming (an mbox), with the guards of
    :func:`read_bytes` but holding only what the caller reads."""
    check_file(path, options)
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise UnreadableFile(f"cannot read the file ({exc.strerror or exc}).", source=str(path),
                             fix="check the file's permissions.") from exc
    try:
        check_not_binary(fh.read(8192), str(path))
        fh.seek(0)
    except BaseException:
        fh.close()
        raise
    return fh


def check_not_binary(data: bytes, source: str) -> None:
    head = data[:8192]
    for magic, what in BINARY_MAGIC.items():
        if head.startswith(magic):
            raise UnreadableFile(f"this is {what}, not a text export.", source=source,
                                 fix="export the data as text (.eml, .mbox, .txt, .vtt, .srt, .json, .csv) or .xlsx.")
    if b"\x00" in head and not (head.startswith((b"\xff\xfe", b"\xfe\xff"))):
        raise UnreadableFile("this looks like a binary file (it holds NUL bytes).", source=source,
                             fix="export the data as text, or remove this file from the input.")


def decode_text(data: bytes, source: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode bytes to text: the forced encoding, else UTF-8 (with or without BOM),
    UTF-16 with a BOM, else Windows-1252 (the legacy encoding of nearly every
    Spanish and English export; it is also right for files labelled Latin-1), else
    the best guess of charset-normalizer. Guessing comes last because on short
    Spanish text it picks cp1250 or cp850 ("Muñoz" read as "Muńoz").

    Returns (text, encoding used).
    """
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise EncodingProblem(f"cannot decode the file as {encoding} ({exc}).", source=source,
                                  fix="drop --encoding to let voice detect it, or name the right one.") from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    for candidate in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(candidate), "utf-8" if candidate == "utf-8-sig" else candidate
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding), best.encoding
        except UnicodeDecodeError:
            pass
    raise EncodingProblem("cannot tell the text encoding of this file.", source=source,
                          fix="re-save it as UTF-8, or pass --encoding (e.g. --encoding latin-1).")


# --- dates ------------------------------------------------------------------


_YEAR_FIRST = re.compile(r"^\s*\d{4}[-/.]")


#: a time written with dots after a date ("24-02-2015 11.35", "11.35.20"), as some spreadsheet exports do
_DOTTED_TIME = re.compile(r"(?<=\d)([ T]+)(\d{1,2})\.(\d{2})(?:\.(\d{2}))?\s*$")


def parse_timestamp(value: Any, *, source: str | None = None, position: str | None = None,
                    dayfirst: bool | None = None, timezone: str | None = None,
                    date_format: str | None = None) -> str | None:
    """Parse a date/time in any common form to ISO 8601 in UTC.

    Zone-aware values are converted to UTC; naive ones are read in ``timezone``
    (when given) and converted too. The result is written without an offset, so
    every stored timestamp sorts as text. A bare date stays midnight of that date.
    ``date_format``: a ``strptime`` format tried first (``--date-format``), then ISO 8601 only (so one
    command can read a file in that format and another in ISO). A time written with dots
    ("24-02-2015 11.35") is read as hours and minutes.
    Returns None for an empty value; raises BadDate for one that cannot be read.
    """
    if value is None:
        return None
    parsed: dt.datetime | None = None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        if not text:
            return None
        if date_format:
            try:
                parsed = dt.datetime.strptime(text, date_format)
            except ValueError as exc:
                try:  # an ISO date is unambiguous: another file of the same command may write them so
                    parsed = dt.datetime.fromisoformat(text)
                except ValueError:
                    raise BadDate(f"the date {text!r} does not have the form {date_format!r}.", source=source,
                                  position=position,
                                  fix="fix this value, or give the --date-format the file uses.") from exc
        else:
            try:
                parsed = dt.datetime.fromisoformat(text)  # the common case, and never day-first
            except ValueError:
                parsed = None
            text = _DOTTED_TIME.sub(lambda m: f"{m.group(1)}{m.group(2)}:{m.group(3)}"
                                    + (f":{m.group(4)}" if m.group(4) else ""), text)
    if parsed is None:
        from dateutil import parser as dateparser

        # dateutil applies dayfirst even to year-first dates ("2026-10-03" -> 10 March).
        first = _YEAR_FIRST.match(text) is None and bool(dayfirst)
        try:
            parsed = dateparser.parse(text, dayfirst=first)
        except (ValueError, OverflowError) as exc:
            raise BadDate(f"cannot read the date {text!r}.", source=source, position=position,
                          fix="write dates as YYYY-MM-DD (or YYYY-MM-DD HH:MM), or fix this value.") from exc
    if parsed.tzinfo is None and timezone and timezone.upper() != "UTC" and _has_time(value, parsed):
        parsed = parsed.replace(tzinfo=zone(timezone))
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(dt.timezone.utc).replace(tzinfo=None)
        except (ValueError, OverflowError) as exc:  # an impossible zone such as +9999
            raise BadDate(f"the date {value!r} has an impossible time zone ({exc}).", source=source,
                          position=position, fix="give the time with a real UTC offset, e.g. +0200.") from exc
    return parsed.isoformat(timespec="seconds")


def _has_time(value: Any, parsed: dt.datetime) -> bool:
    if isinstance(value, dt.datetime):
        return True
    if isinstance(value, dt.date):
        return False
    return parsed.time() != dt.time(0) or ":" in str(value)


#: a date written number/number/year, whose order (day or month first) must be guessed
NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-]\d{2,4}")


def guess_dayfirst(values: Iterable[str]) -> bool:
    """Decide day-first for a column of slash/dot/dash dates: True when any value
    has a first number over 12 (``25/03/2026``), False when any has a second number
    over 12 (``03/25/2026``); day-first by default, as most of our users write it."""
    for v in values:
        m = NUMERIC_DATE.match(str(v))
        if not m:
            continue
        a, b = int(m.group(1)), int(m.group(2))
        if a > 12:
            return True
        if b > 12:
            return False
    return True


__all__ = [
    "DEFAULT_MAX_BYTES",
    "InputError",
    "ReadOptions",
    "Reader",
    "check_file",
    "check_not_binary",
    "zone",
    "decode_text",
    "NUMERIC_DATE",
    "guess_dayfirst",
    "open_checked",
    "parse_timestamp",
    "read_bytes",
    "register",
    "registered",
]
