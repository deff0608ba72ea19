"""One clock for every timestamp voice writes itself (UTC, ISO 8601, seconds)."""

from __future__ import annotations

import datetime as dt


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")
