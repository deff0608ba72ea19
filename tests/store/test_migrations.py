import sqlite3

import pytest

from voice.errors import StoreError
from voice.store import Store, migrations


def test_new_database_has_the_schema_and_records_each_migration(tmp_path):
    s = Store.open(tmp_path / "v.db", create=True)
    tables = set(s.db.table_names())
    assert {"customers", "identities", "interactions", "turns", "survey_scores", "ingest_runs", "quarantine",
            "interaction_handles", "settings", "interactions_fts"} <= tables
    assert migrations.applied(s.db) == migrations.names
    assert s.db.execute("pragma journal_mode").fetchone()[0] == "wal"
    s.close()


def test_reopening_applies_nothing_and_keeps_data(tmp_path):
    path = tmp_path / "v.db"
    s = Store.open(path, create=True)
    s.set_settings(region="GB")
    s.close()
    s = Store.open(path)
    assert migrations.pending(s.db) == []
    assert s.settings()["region"] == "GB"


def test_missing_database_says_how_to_make_one(tmp_path):
    with pytest.raises(StoreError) as err:
        Store.open(tmp_path / "nope.db")
    assert "voice init" in str(err.value)


def test_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "v.db"
    Store.open(path, create=True).close()
    conn = sqlite3.connect(path)
    conn.execute("insert into _voice_migrations (name, migration, applied_at) values ('voice', 'm999_future', 'x')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError) as err:
        Store.open(path)
    assert "m999_future" in str(err.value) and "upgrade voice" in str(err.value)


def test_a_file_that_is_not_sqlite_is_refused_with_a_fix(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("hello, this is not a database " * 100)
    with pytest.raises(StoreError) as err:
        Store.open(path)
    assert "not a usable SQLite database" in str(err.value)


def test_failed_migration_rolls_back(tmp_path):
    from voice.store.migrations import Migrations
    import sqlite_utils

    m = Migrations("t")

    @m
    def first(db):
        db.execute("create table a (x)")

    @m
    def second(db):
        db.execute("create table b (x)")
        raise RuntimeError("boom")

    db = sqlite_utils.Database(tmp_path / "t.db")
    with pytest.raises(RuntimeError):
        m.apply(db)
    assert "a" in db.table_names() and "b" not in db.table_names()
    assert m.applied(db) == ["first"]


def test_settings_are_validated_before_they_are_written(tmp_path):
    from voice.errors import ConfigError

    s = Store.open(tmp_path / "v.db", create=True)
    with pytest.raises(ConfigError, match="Europe/Madrid"):
        s.set_settings(timezone="Mars/Olympus")
    with pytest.raises(ConfigError, match="two-letter"):
        s.set_settings(region="XX")
    s.set_settings(region="gb", timezone="Europe/London", company_domains=["@Luna.example ", ""])
    assert s.settings() == {"region": "GB", "company_domains": ["luna.example"], "timezone": "Europe/London"}


def test_a_database_made_before_m002_is_upgraded_with_its_data(tmp_path):
    """Build a database with only the first migration, as voice 0.1 made it, then open it."""
    import sqlite_utils

    from voice.store.migrations import Migrations, m001_initial

    path = tmp_path / "old.db"
    old = Migrations("voice")
    old(m001_initial)
    db = sqlite_utils.Database(path)
    old.apply(db)
    db.execute("insert into quarantine (source_path, position, kind, reason) values ('a.csv', 'row 2', 'bad_date', 'x')")
    db.close()

    s = Store.open(path)
    assert migrations.applied(s.db) == migrations.names
    [row] = s.quarantined()
    assert row["source_path"] == "a.csv" and row["resolved_at"] is None


def test_a_database_this_user_cannot_write_opens_read_only(tmp_path, monkeypatch):
    import os
    import sqlite3

    import pytest

    from voice.store import Store
    from voice.store.db import sqlite_error

    path = tmp_path / "v.db"
    Store.open(path, create=True).close()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if mode == os.W_OK else real(p, mode))
    s = Store.open(path)  # reading works: no migration, no WAL switch, no settings written
    assert s.db.execute("select count(*) from customers").fetchone() == (0,)
    with pytest.raises(sqlite3.OperationalError) as err:
        s.db.execute("insert into customers (id) values ('X')")
    typed = sqlite_error(err.value, str(path))
    assert "read-only" in typed.message and "chmod" in typed.fix
    s.close()


def test_two_writers_wait_for_each_other_instead_of_failing(tmp_path):
    import threading
    import time

    from voice.store import Store

    path = tmp_path / "v.db"
    a, b = Store.open(path, create=True), Store.open(path)
    a.db.execute("pragma busy_timeout = 5000")
    b.db.execute("pragma busy_timeout = 5000")
    held = threading.Event()

    def slow_writer():
        with a.db.atomic():
            a.db.execute("insert into customers (id, name) values ('A1', 'first')")
            held.set()
            time.sleep(0.5)

    t = threading.Thread(target=slow_writer)
    t.start()
    held.wait()
    with b.db.atomic():  # a transaction that reads, then writes: it waits at its start, then goes on
        n = b.db.execute("select count(*) from customers").fetchone()[0]
        b.db.execute("insert into customers (id, name) values ('B1', ?)", [f"after {n}"])
    t.join()
    assert b.db.execute("select name from customers where id = 'B1'").fetchone() == ("after 1",)
    a.close()
    b.close()


def _made_before(path, migration: str):
    """A database with every migration before ``migration`` applied, as the version before it made it."""
    import sqlite_utils

    from voice.store.migrations import Migrations

    old = Migrations("voice")
    for name, step in migrations._steps:
        if name.startswith(migration):
            break
        old(step)
    db = sqlite_utils.Database(path)
    old.apply(db)
    return db


def test_a_database_made_before_m016_gets_the_language_in_its_word_index(tmp_path):
    """A store analysed before the language was in the word index: after the upgrade each interaction's
    analysed language is in the index (a search keeps its language in FTS5), follows new analyses, and
    the index stays exactly what its triggers should make of the rows."""
    path = tmp_path / "old.db"
    db = _made_before(path, "m016")
    db.execute("insert into interactions (id, content_hash, channel, text) values "
               "('E1', 'h1', 'email', 'My flight was cancelled'), ('S1', 'h2', 'survey', 'Vuelo cancelado otra vez'), "
               "('N1', 'h3', 'survey', 'cancel it')")
    db.execute("insert into analyses (interaction_id, lang) values ('E1', 'en'), ('S1', 'es')")
    db.conn.commit()
    db.close()

    s = Store.open(path)
    assert migrations.applied(s.db) == migrations.names
    langs = dict(s.db.execute("select id, lang from interactions").fetchall())
    assert langs == {"E1": "en", "S1": "es", "N1": None}  # N1 was never analysed

    def matching(expression):
        return sorted(r[0] for r in s.db.execute(
            "select i.id from interactions_fts f join interactions i on i.rowid = f.rowid "
            "where interactions_fts match ?", [expression]))

    assert matching('{subject text} : ("cancel"*) NOT lang : ("en")') == ["N1", "S1"]
    # a new analysis (insert or replace, as the pipeline writes) moves the row to its language; a deletion clears it
    s.db.execute("insert or replace into analyses (interaction_id, lang) values ('N1', 'en')")
    s.db.execute("delete from analyses where interaction_id = 'S1'")
    assert matching('{subject text} : ("cancel"*) NOT lang : ("en")') == ["S1"]
    assert matching('lang : "en"') == ["E1", "N1"]
    # linking to a customer does not touch the index; editing the text does, through the triggers
    s.db.execute("update interactions set customer_id = 'C1' where id = 'E1'")
    s.db.execute("update interactions set text = 'Equipaje perdido' where id = 'S1'")
    assert matching('"equipaje"') == ["S1"] and matching('"vuelo"') == []
    s.db.execute("delete from interactions where id = 'N1'")
    # against the rows themselves (rank 1): raises if the index and the rows differ
    s.db.execute("insert into interactions_fts (interactions_fts, rank) values ('integrity-check', 1)")
    s.close()


def test_a_large_database_is_told_before_its_word_index_is_rebuilt(tmp_path, monkeypatch):
    from voice.store.migrations import UpgradeNotice

    path = tmp_path / "old.db"
    db = _made_before(path, "m016")
    db.conn.executemany("insert into interactions (id, content_hash, channel, text) values (?, ?, 'survey', 'ok')",
                        [(f"i{n}", f"h{n}") for n in range(30)])
    db.conn.commit()
    db.close()
    import sys

    monkeypatch.setattr(sys.modules["voice.store.migrations"], "SLOW_FROM", 20)  # (the package's name is the object)
    with pytest.warns(UpgradeNotice, match="rebuilding the word index.*30 interactions.*runs once"):
        Store.open(path).close()
