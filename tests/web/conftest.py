"""Fixtures for the web app: the demo database, built once per session (about
10 s), and a copy of it with a hostile interaction in it."""

from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path

import pytest

import voice
from voice.records import Identity, Interaction
from voice.store import Store

HOSTILE_TEXT = "<script>alert(1)</script>"
HOSTILE_SUBJECT = '<img src=x onerror="alert(2)"> retraso'
TOKEN = "s3cret-token-for-the-tests-0123456789"


def _build(path: Path) -> Path:
    voice.demo(path)
    if importlib.util.find_spec("voice.themes") is not None:
        from voice import themes

        if hasattr(themes, "discover"):
            store = Store.open(path)
            try:
                themes.discover(store)  # so that the theme pages have something to show
            finally:
                store.close()
    _checkpoint(path)
    return path


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the file, so a copy of the file alone is complete."""
    conn = sqlite3.connect(path)
    conn.execute("pragma wal_checkpoint(truncate)")
    conn.close()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    return _build(tmp_path_factory.mktemp("web-demo") / "voice.db")


@pytest.fixture(scope="session")
def hostile(demo_db, tmp_path_factory) -> dict:
    """A copy of the demo database with an email from Javier Morales (C017)
    whose text is a script and whose subject is an image with an onerror handler."""
    path = tmp_path_factory.mktemp("web-hostile") / "voice.db"
    src, dst = sqlite3.connect(demo_db), sqlite3.connect(path)
    src.backup(dst)
    src.close()
    dst.close()
    item = Interaction(
        channel="email", source_path="mail/hostile.eml", text=HOSTILE_TEXT, timestamp="2026-11-19T09:00:00",
        direction="inbound", subject=HOSTILE_SUBJECT, external_id="hostile@x.example", thread_id="hostile@x.example",
        identities=[Identity("email", "javier.morales@gmail.example", "from", True),
                    Identity("email", "soporte@lunahogar.example", "to", False)],
        raw="Message-ID: <hostile@x.example>\n\n" + HOSTILE_TEXT, hash_basis="hostile@x.example")
    with voice.open(path) as v:
        run = v.store.start_run("test", [])
        v.store.add_interactions([item], run)
        v.link()
        v.analyze()
        v.score(as_of="latest")
        iid = v.store.db.execute("select id from interactions where external_id = 'hostile@x.example'").fetchone()[0]
        customer = v.store.db.execute("select customer_id from interactions where id = ?", [iid]).fetchone()[0]
    _checkpoint(path)
    return {"path": path, "id": iid, "customer": customer}
