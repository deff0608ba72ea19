"""The one CSV writer for everything voice writes (segments, report tables, training rows).

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would run as a formula when a
spreadsheet opens the file (``=HYPERLINK(...)`` sends the row to another site; ``-2+3`` computes). Such a
text cell is written with a leading apostrophe, which spreadsheets show as text (OWASP's advice for CSV
injection). A plain number or phone ("+34600000001", "-0.5") is left as it is: it computes nothing else.
Numbers are written as numbers. :func:`unsafe_cell` undoes it for voice's own readers.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d .]*")


def safe_cell(value: Any) -> Any:
    """``value``, with a leading apostrophe when it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_START) \
            and not _PLAIN_NUMBER.fullmatch(value.strip()):
        return "'" + value
    return value


def unsafe_cell(value: str) -> str:
    """A cell read back from a file :func:`safe_cell` wrote: the apostrophe it added taken off."""
    if value.startswith("'") and value[1:].lstrip(" ").startswith(FORMULA_START):
        return value[1:]
    return value


def write_dicts(fh: TextIO, columns: Sequence[str], rows: Iterable[dict], *, lineterminator: str = "\r\n") -> None:
    """Rows (dicts) as CSV with a header, every text cell made :func:`safe_cell`; keys not in ``columns``
    are left out."""
    w = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore", lineterminator=lineterminator)
    w.writeheader()
    w.writerows({k: safe_cell(v) for k, v in r.items()} for r in rows)


def write_rows(fh: TextIO, header: Sequence[str], rows: Iterable[Sequence[Any]], *, lineterminator: str = "\r\n") -> None:
    """Rows (sequences) as CSV under ``header``, every text cell made :func:`safe_cell`."""
    w = csv.writer(fh, lineterminator=lineterminator)
    w.writerow(header)
    w.writerows([safe_cell(v) for v in row] for row in rows)
