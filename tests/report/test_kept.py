"""The whole store's report kept beside the database: read back by another process while the database
is unchanged, computed again after any write, never for a filtered view."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

from tests.helpers import add_analysed
from voice.report import kept, report_data
from voice.store import Store


@pytest.fixture
def on_disk(tmp_path):
    s = Store.open(tmp_path / "cx.db", create=True)
    for n in range(12):
        add_analysed(s, f"i{n}", f"2026-10-{n + 1:02d}T10:00:00", f"Mensaje {n}.", score=-0.5 if n % 2 else 0.5,
                     sentiment="negative" if n % 2 else "positive", channel="email" if n % 3 else "survey",
                     nps=n % 11)
    s.db.conn.commit()
    yield s
    s.close()


def _same(a, b) -> bool:
    dump = lambda d: json.dumps(dataclasses.asdict(d), default=kept._plain, sort_keys=True)  # noqa: E731
    return dump(a) == dump(b)


def test_the_report_is_read_back_while_the_database_is_unchanged(on_disk, monkeypatch):
    first = report_data(on_disk)
    path = kept.report_path(on_disk.path)
    assert path.exists()
    from voice.report import data as report_module

    def no(*a, **k):
        raise AssertionError("computed again")

    monkeypatch.setattr(report_module, "_scope", no)
    again = report_data(on_disk)  # kept: not computed
    assert _same(first, again) and again.summary["interactions"] == 12
    # another process (a web worker, the web app after `voice report`) reads it too
    code = ("import sys, json; from voice.store import Store; from voice.report import data; "
            "data._scope = None; d = data.report_data(Store.open(sys.argv[1])); print(d.summary['interactions'])")
    out = subprocess.run([sys.executable, "-c", code, str(on_disk.path)], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "12", out.stderr
    with pytest.raises(AssertionError, match="computed again"):
        report_data(on_disk, channel="email")  # a filtered view is always computed


def test_any_write_makes_it_stale(on_disk):
    report_data(on_disk)
    add_analysed(on_disk, "i99", "2026-10-20T10:00:00", "Uno más.", score=-0.9, sentiment="negative")
    on_disk.db.conn.commit()
    assert report_data(on_disk).summary["interactions"] == 13
    on_disk.db.execute("update analyses set sentiment = 'positive', sentiment_score = 0.9 where interaction_id = 'i99'")
    on_disk.db.conn.commit()  # an update changes no count: still seen
    assert report_data(on_disk).summary["negative"] == 6  # 7 if the kept one were read


def test_a_damaged_or_foreign_file_is_ignored(on_disk):
    path = kept.report_path(on_disk.path)
    path.write_text('{"state": "x", "data": {}', encoding="utf-8")
    assert report_data(on_disk).summary["interactions"] == 12  # computed, and kept anew
    assert json.loads(path.read_text(encoding="utf-8"))["state"] == kept.state(on_disk.path)
    assert kept.report_path(":memory:") is None and kept.state(None) is None


def test_opening_the_database_again_keeps_it_valid(on_disk, monkeypatch):
    """`voice report` then `voice serve`: each connection makes an empty write-ahead log, which changes
    nothing that the report read."""
    from voice.report import data as report_module
    from voice.web.app import open_readonly

    on_disk.close()  # the nightly job's writes are done (its log checkpointed into the database)
    cli = Store.open(on_disk.path)  # `voice report`
    report_data(cli)
    cli.close()
    reader = open_readonly(on_disk.path)  # `voice serve`
    monkeypatch.setattr(report_module, "_scope", lambda *a, **k: pytest.fail("computed again"))
    assert report_data(reader).summary["interactions"] == 12
    reader.close()


def test_this_connections_uncommitted_writes_are_seen(on_disk):
    report_data(on_disk)  # kept
    with on_disk.db.atomic():  # a transaction of this connection, not committed yet: the files are as they were
        add_analysed(on_disk, "i50", "2026-10-21T10:00:00", "Sin confirmar.", score=-0.9, sentiment="negative")
        assert on_disk.db.conn.in_transaction
        assert report_data(on_disk).summary["interactions"] == 13
