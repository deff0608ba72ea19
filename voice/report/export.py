"""Every report table as a file: CSV (UTF-8, header row) and Parquet (pyarrow,
loaded only when asked for). No pandas needed."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .._csv import write_dicts

from .data import COLUMNS, ReportData

FORMATS = ("csv", "parquet")


def _columns(rows: list[dict], columns: Sequence[str] = ()) -> list[str]:
    cols: dict[str, None] = dict.fromkeys(columns)
    for r in rows:
        cols.update(dict.fromkeys(r))
    return list(cols)


def write_csv(rows: list[dict], path: Path, columns: Sequence[str] = ()) -> Path:
    cols = _columns(rows, columns)
    with path.open("w", encoding="utf-8", newline="") as fh:
        write_dicts(fh, cols, rows, lineterminator="\n")  # formula-safe: customer text can start with "="
    return path


def write_parquet(rows: list[dict], path: Path, columns: Sequence[str] = ()) -> Path:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - pyarrow is a dependency
        raise ImportError("writing Parquet needs pyarrow: pip install pyarrow (or export formats=('csv',)).") from exc
    cols = _columns(rows, columns)
    table = pa.table({c: pa.array([r.get(c) for r in rows]) for c in cols})
    pq.write_table(table, path)
    return path


_WRITERS = {"csv": write_csv, "parquet": write_parquet}


def export_tables(data: ReportData, folder: str | Path, formats: Sequence[str] = FORMATS) -> list[Path]:
    """Write each table of ``data`` to ``folder`` as ``<table>.<format>``; returns the paths written."""
    unknown = [f for f in formats if f not in _WRITERS]
    if unknown:
        raise ValueError(f"unknown export format(s) {', '.join(map(repr, unknown))}; use any of {', '.join(FORMATS)}.")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, rows in data.tables().items():
        for fmt in formats:
            paths.append(_WRITERS[fmt](rows, folder / f"{name}.{fmt}", COLUMNS.get(name, ())))
    return paths
