"""The SQLite store (schema by versioned migrations; see :mod:`.migrations`)."""

import sys as _sys

if "sqlite_utils" not in _sys.modules and "pandas" not in _sys.modules:
    # sqlite-utils imports pandas when it is installed (0.45 s) only to accept DataFrame values, which voice
    # never writes: hide it for that one import, so every command starts half a second sooner; pandas
    # imports normally afterwards (voice.frames).
    _sys.modules["pandas"] = None
    try:
        import sqlite_utils  # noqa: F401
    finally:
        del _sys.modules["pandas"]

from .db import Store, WriteCounts  # noqa: E402
from .migrations import migrations  # noqa: E402

__all__ = ["Store", "WriteCounts", "migrations"]
