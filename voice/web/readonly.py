"""The web app opens the database read-only: :mod:`voice.store.readonly` (also used by the CLI when the
file cannot be written)."""

from ..store.readonly import MEMORY_VECTORS, check_database, open_readonly

__all__ = ["MEMORY_VECTORS", "check_database", "open_readonly"]
