"""The unfiltered report kept beside its database (``cx.db`` -> ``cx.db.report.json``), so that a
process that did not compute it — another web worker, a restarted server, the web app after
``voice report`` — reads it instead of computing it again (about a minute at a million interactions).

It is valid while the database files are as they were when its computation started: their sizes and
modification times (``cx.db`` and ``cx.db-wal``, when the log holds anything; every commit writes one of
them) and this version of voice. It holds customers' words (the quotes): ``voice forget`` and ``voice redact`` delete it
(:func:`remove`), and a store in memory has none.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..store.db import beside

if TYPE_CHECKING:
    from ..store import Store
    from .data import ReportData

SUFFIX = ".report.json"


def report_path(db_path: str | Path | None) -> Path | None:
    return beside(db_path, SUFFIX)


def state(db_path: str | Path | None) -> list | None:
    """What the database files are now (size and modification time of each), with voice's version; None
    for a database in memory."""
    if report_path(db_path) is None:
        return None
    from .. import __version__

    out: list = [__version__]
    for path in (str(db_path), str(db_path) + "-wal"):
        try:
            st = os.stat(path)
        except OSError:
            st = None
        # an empty write-ahead log holds nothing: each connection that opens the database makes one
        out.append([st.st_size, st.st_mtime_ns] if st is not None and st.st_size else None)
    return out


def load(store: "Store", now: list | None) -> "ReportData | None":
    """The kept report if it was computed from the database as it is now (``now``: :func:`state`)."""
    path = report_path(store.path)
    if path is None or now is None:
        return None
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        return _data(kept["data"]) if kept.get("state") == now else None
    except (OSError, ValueError, KeyError, TypeError):  # missing, half-written by an older voice, or foreign
        return None


def save(store: "Store", data: "ReportData", before: list | None) -> None:
    """Keep ``data``, computed from the database as it was at ``before`` (:func:`state` taken before the
    computation started: a commit during it makes the kept copy stale, as it should). Best effort: a folder
    this process may not write (a read-only web server) keeps nothing."""
    path = report_path(store.path)
    if path is None or before is None:
        return
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps({"state": before, "data": dataclasses.asdict(data)}, default=_plain,
                                  ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


def remove(db_path: str | Path | None) -> None:
    """Delete the kept report (after an erasure: its quotes may hold the erased words)."""
    path = report_path(db_path)
    if path is not None:
        path.unlink(missing_ok=True)


def _plain(value):
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot keep {type(value).__name__} in the report")


def _data(d: dict) -> "ReportData":
    from .changes import Change, Changes
    from .data import Filters, ReportData

    d = dict(d)
    d["filters"] = Filters(**d["filters"])
    if d.get("changes") is not None:
        changes = dict(d["changes"])
        changes["changes"] = [Change(**c) for c in changes.get("changes", [])]
        d["changes"] = Changes(**changes)
    return ReportData(**d)
