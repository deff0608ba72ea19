"""Time helpers: the clock for every timestamp voice writes itself (UTC, ISO 8601,
seconds), and time zones by name."""

from __future__ import annotations

import datetime as dt


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="seconds")


def zone(name: str) -> dt.tzinfo:
    """A time zone by IANA name, or a ConfigError that says how to name one."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from .errors import ConfigError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {name!r}.",
                          fix="use an IANA name such as Europe/Madrid, Europe/London or UTC.") from exc
