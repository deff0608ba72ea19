"""The SQLite store (schema by versioned migrations; see :mod:`.migrations`)."""

from .db import Store, WriteCounts
from .migrations import migrations

__all__ = ["Store", "WriteCounts", "migrations"]
