"""Opening a voice database so that nothing can write to it: the web app, and the CLI on a file it may
not write.

:meth:`voice.store.Store.open` opens read-write (it applies migrations and
enables WAL); the web app needs the opposite: a ``mode=ro`` SQLite URI, so an
attempted write to the file raises ``sqlite3.OperationalError: attempt to write a
readonly database`` whatever the code above tries. No migrations run: a database
of an older schema must be upgraded with the CLI first. The only thing that can
be written is this connection's in-memory TEMP schema (see ``MEMORY_VECTORS``).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

import sqlite_utils

from ..errors import ConfigError
from .db import Store

# Search encodes the texts whose vectors the analysis did not store, and keeps
# them through the store's vector cache (an insert into ``embeddings``), which a
# read-only file refuses. A TEMP view of the same name shadows the stored table
# on this connection: reads see the stored vectors and the ones kept in memory,
# inserts go to an in-memory table. The file itself is never written.
MEMORY_VECTORS = """
create temp table if not exists embeddings_mem (
    text_hash text not null, model text not null, dim integer not null, vector blob not null,
    primary key (text_hash, model));
create temp view if not exists embeddings as
    select text_hash, model, dim, vector from main.embeddings
    union all select text_hash, model, dim, vector from temp.embeddings_mem;
create temp trigger if not exists embeddings_keep instead of insert on embeddings begin
    insert or ignore into embeddings_mem (text_hash, model, dim, vector)
    values (new.text_hash, new.model, new.dim, new.vector);
end;
"""


def check_database(path: str | Path) -> Path:
    """The database file as an absolute path; :class:`ConfigError` with the fix when it is not one."""
    p = Path(path).expanduser()
    if not p.exists():
        raise ConfigError(f"there is no voice database at {p}.",
                          fix=f"run 'voice demo' or 'voice init --db {p}' (then ingest and analyse) first, "
                              "or pass the right --db.")
    if p.is_dir():
        raise ConfigError(f"{p} is a folder, not a database file.", fix="pass the database file, e.g. demo/voice.db.")
    return p.resolve()


def open_readonly(path: str | Path) -> Store:
    """A :class:`Store` on a read-only connection to an existing database."""
    p = check_database(path)
    uri = f"file:{quote(str(p))}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30)
        conn.execute("pragma busy_timeout = 30000")
        tables = {r[0] for r in conn.execute("select name from main.sqlite_master where type = 'table'")}
        if "embeddings" in tables:
            conn.executescript(MEMORY_VECTORS)
    except sqlite3.DatabaseError as exc:
        raise ConfigError(f"cannot open {p} read-only ({exc}).",
                          fix="check that it is a voice database and that its folder is readable; a database in "
                              "WAL mode needs its -wal/-shm files readable too (run any voice command on it once).") \
            from exc
    return Store(sqlite_utils.Database(conn), str(p))
