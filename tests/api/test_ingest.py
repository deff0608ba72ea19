import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

import voice
from voice.store import Store
from tests.helpers import write_customers, write_emails


def snapshot(db_path):
    """Everything a user would compare between two databases of the same inputs."""
    conn = sqlite3.connect(db_path)
    rows = conn.execute("select id, channel, timestamp, subject, text, thread_id, customer_id, link_method"
                        " from interactions order by id").fetchall()
    turns = conn.execute("select count(*) from turns").fetchone()[0]
    handles = conn.execute("select count(*) from interaction_handles").fetchone()[0]
    conn.close()
    return rows, turns, handles


def test_ingest_links_and_reingest_adds_nothing(tmp_path):
    write_emails(tmp_path / "mail", 30)
    v = voice.init(tmp_path / "v.db", company_domains=["lunahogar.example"])
    v.import_customers([write_customers(tmp_path / "crm.csv")])
    first = v.ingest([tmp_path / "mail"])
    assert (first.files, first.seen, first.added, first.quarantined) == (30, 30, 30, 0)
    # senders cliente0..cliente6; the CRM knows 0, 1, 2: n % 7 in {0, 1, 2} for n < 30 -> 5 + 5 + 4
    assert first.linked == 14
    again = v.ingest([tmp_path / "mail"])
    assert (again.added, again.duplicates, again.linked) == (0, 30, 0)
    s = v.status()
    assert s.interactions == 30 and s.linked == 14 and s.linkable_unlinked == 0 and s.unlinked_no_match == 16
    assert [r["status"] for r in v.store.runs()] == ["done", "done", "done"]


def test_customers_imported_after_the_interactions_link_them(tmp_path):
    write_emails(tmp_path / "mail", 14)
    v = voice.init(tmp_path / "v.db")
    assert v.ingest([tmp_path / "mail"]).linked == 0
    report = v.import_customers([write_customers(tmp_path / "crm.csv")])
    assert report.added == 3 and report.linked == 6  # n % 7 in {0, 1, 2} for n < 14
    linked = v.store.db.execute("select customer_id, count(*) from interactions where customer_id is not null"
                                " group by customer_id").fetchall()
    assert dict(linked) == {"C000": 2, "C001": 2, "C002": 2}


def test_bad_files_are_quarantined_and_the_run_goes_on(tmp_path):
    write_emails(tmp_path / "in", 5)
    (tmp_path / "in" / "empty.eml").write_bytes(b"")
    (tmp_path / "in" / "scan.eml").write_bytes(b"%PDF-1.4\n\x00\x01\x02binary")
    (tmp_path / "in" / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    v = voice.init(tmp_path / "v.db")
    report = v.ingest([tmp_path / "in"])
    assert report.added == 5 and report.quarantined == 3
    rows = {os.path.basename(r["source_path"]): r for r in v.quarantined()}
    assert rows["empty.eml"]["kind"] == "empty"
    assert rows["scan.eml"]["kind"] == "unreadable" and "PDF" in rows["scan.eml"]["reason"]
    assert rows["photo.png"]["kind"] == "unknown_format" and rows["photo.png"]["fix"]


def test_a_crash_mid_run_loses_nothing_committed_and_the_rerun_completes(tmp_path, monkeypatch):
    write_emails(tmp_path / "mail", 260)
    clean = voice.init(tmp_path / "clean.db")
    clean.import_customers([write_customers(tmp_path / "crm.csv")])
    clean.ingest([tmp_path / "mail"], batch_size=50)
    clean.close()

    crashy = voice.init(tmp_path / "crash.db")
    crashy.import_customers([write_customers(tmp_path / "crm.csv")])
    real_add = Store.add_interactions
    calls = {"n": 0}

    def dying_add(self, batch, run_id=None):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt("power cut")
        return real_add(self, batch, run_id)

    monkeypatch.setattr(Store, "add_interactions", dying_add)
    with pytest.raises(KeyboardInterrupt):
        crashy.ingest([tmp_path / "mail"], batch_size=50)
    crashy.close()
    monkeypatch.setattr(Store, "add_interactions", real_add)

    reopened = voice.open(tmp_path / "crash.db")
    assert reopened.store.count("interactions") == 150  # three whole batches committed
    report = reopened.ingest([tmp_path / "mail"], batch_size=50)
    assert (report.added, report.duplicates) == (110, 150)
    assert [r["status"] for r in reopened.store.runs()][:2] == ["done", "interrupted"]
    reopened.close()
    assert snapshot(tmp_path / "crash.db") == snapshot(tmp_path / "clean.db")


@pytest.mark.slow
def test_a_process_killed_midway_resumes_to_the_same_database(tmp_path):
    write_emails(tmp_path / "mail", 1200)
    clean = voice.init(tmp_path / "clean.db")
    clean.ingest([tmp_path / "mail"])
    clean.close()

    child = textwrap.dedent(f"""
        import time, voice
        v = voice.init({str(tmp_path / 'killed.db')!r})
        # slow each file down so the kill lands mid-run
        v.ingest([{str(tmp_path / 'mail')!r}], batch_size=40, progress=lambda done, total, path: time.sleep(0.004))
    """)
    proc = subprocess.Popen([sys.executable, "-c", child])
    db = tmp_path / "killed.db"
    deadline = time.time() + 60
    committed = 0
    while time.time() < deadline and proc.poll() is None:
        if db.exists():
            try:
                conn = sqlite3.connect(db, timeout=1)
                committed = conn.execute("select count(*) from interactions").fetchone()[0]
                conn.close()
            except sqlite3.OperationalError:
                committed = 0
            if committed >= 200:
                proc.send_signal(signal.SIGKILL)
                break
        time.sleep(0.02)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the child finished before it could be killed"
    v = voice.open(db)
    before = v.store.count("interactions")
    assert 200 <= before < 1200 and before % 40 == 0  # only whole batches survive
    report = v.ingest([tmp_path / "mail"])
    assert report.added == 1200 - before
    v.close()
    assert snapshot(db) == snapshot(tmp_path / "clean.db")


def test_fixing_a_bad_file_resolves_its_quarantine_entries(tmp_path):
    survey = tmp_path / "in" / "nps.csv"
    survey.parent.mkdir()
    survey.write_text("fecha;nps;comentario\n2026-10-01;11;Mal\n2026-10-02;ayer;x\n2026-10-03;9;Bien\n",
                      encoding="utf-8")
    (tmp_path / "in" / "empty.eml").write_bytes(b"")
    v = voice.init(tmp_path / "v.db")
    first = v.ingest([tmp_path / "in"])
    assert first.added == 1 and first.quarantined == 3
    # the user fixes the NPS and removes nothing else; the empty email stays broken
    survey.write_text("fecha;nps;comentario\n2026-10-01;10;Mal\n2026-10-02;ayer;x\n2026-10-03;9;Bien\n",
                      encoding="utf-8")
    second = v.ingest([tmp_path / "in"])
    assert second.added == 1 and second.resolved == 1 and second.quarantined == 2
    open_ = {(os.path.basename(r["source_path"]), r["position"]) for r in v.quarantined()}
    assert open_ == {("nps.csv", "row 3"), ("empty.eml", None)}
    everything = v.quarantined(resolved=True)
    assert [r["position"] for r in everything if r["resolved_at"]] == ["row 2"]
    assert v.status().quarantined == 2
