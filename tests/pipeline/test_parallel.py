"""`voice analyze --workers N`: worker processes, one writer, the same rows as one process."""

from __future__ import annotations

import json
import sqlite3

import pytest

import voice
from voice.pipeline import run

TABLES = {
    "analyses": "select interaction_id, lang, round(lang_confidence, 4), sentiment, round(sentiment_score, 4), "
                "analysed_text, intent_candidates from analyses order by 1",
    "sentences": "select interaction_id, idx, start, \"end\", lang, sentiment, round(sentiment_score, 4), intents, kind "
                 "from sentences order by 1, 2",
    "intents": "select interaction_id, intent, round(confidence, 4) from intents order by 1, 2",
    "keyphrases": "select interaction_id, phrase, surface, round(score, 4), rank from keyphrases order by 1, 5",
    "mentions": "select interaction_id, product_id, start, \"end\", polarity from mentions order by 1, 2, 3",
    "embeddings": "select count(*) from embeddings",
}


def _ingested(path, examples):
    v = voice.init(path, region="ES", company_domains=["lunahogar.example"], timezone="Europe/Madrid")
    v.import_customers(sorted((examples / "crm").glob("*.csv")))
    v.import_products(examples / "catalog" / "products.yaml")
    v.ingest([examples / n for n in ("emails", "calls", "surveys")])
    return v


@pytest.mark.slow
def test_two_workers_write_what_one_process_writes(tmp_path, monkeypatch):
    from voice._resources import resource

    examples = resource("examples", "crm").parent
    one = _ingested(tmp_path / "one.db", examples)
    report_one = one.analyze(workers=1)
    one.close()
    monkeypatch.setattr(run, "MIN_PARALLEL_CHARS", 10)  # the examples are fewer than a real run's threshold
    two = _ingested(tmp_path / "two.db", examples)
    report_two = two.analyze(workers=2)
    two.close()
    assert report_two.analysed == report_one.analysed > 50
    assert report_two.step_seconds.get("write", 0) > 0  # it did run in workers
    assert report_two.where == "2 worker processes" and report_one.where == "this process"
    assert_same_tables(tmp_path / "one.db", tmp_path / "two.db")


def assert_same_tables(one, other) -> None:
    """Every analysis table holds the same rows in both databases."""
    a, b = sqlite3.connect(one), sqlite3.connect(other)
    for table, sql in TABLES.items():
        rows_a, rows_b = a.execute(sql).fetchall(), b.execute(sql).fetchall()
        assert len(rows_a) == len(rows_b), table
        for ra, rb in zip(rows_a, rows_b):
            assert _same(ra, rb), (table, ra, rb)


def _same(ra, rb) -> bool:
    """Equal rows; scores may differ in the last rounded digit, also inside JSON (workers run torch and BLAS
    on one thread, and batches of other sizes, whose sums are ordered differently)."""
    if isinstance(ra, str) and isinstance(rb, str) and ra[:1] in "[{" and ra != rb:
        try:
            ra, rb = json.loads(ra), json.loads(rb)
        except ValueError:
            return False
    if isinstance(ra, (list, tuple)) and isinstance(rb, (list, tuple)):
        return len(ra) == len(rb) and all(_same(x, y) for x, y in zip(ra, rb))
    if isinstance(ra, float) and isinstance(rb, float):
        return abs(ra - rb) <= 2e-4
    return ra == rb


def test_a_small_run_stays_in_this_process(tmp_path):
    v = voice.init(tmp_path / "v.db")
    (tmp_path / "s.csv").write_text("id,comment\nr1,La entrega llegó tarde.\n", encoding="utf-8")
    v.ingest([tmp_path / "s.csv"])
    report = v.analyze(workers=4)  # one interaction: no workers started
    assert report.analysed == 1 and "write" not in (report.step_seconds or {})


@pytest.mark.slow
def test_workers_start_by_the_characters_to_analyse_not_the_count(tmp_path, monkeypatch):
    # many one-line comments are not worth the workers' start-up; a few long emails are
    monkeypatch.setattr(run, "MIN_PARALLEL_CHARS", 5_000)
    short = voice.init(tmp_path / "short.db")
    rows = "\n".join(f"r{i},Todo bien {i}." for i in range(40))  # 40 comments, ~560 characters
    (tmp_path / "s.csv").write_text("id,comment\n" + rows + "\n", encoding="utf-8")
    short.ingest([tmp_path / "s.csv"])
    report = short.analyze(workers=2)
    assert report.analysed == 40 and report.where == "this process"
    long = voice.init(tmp_path / "long.db")
    body = "La lavadora llegó rota y nadie me llama para recogerla. " * 50  # ~2,800 characters each
    rows = "\n".join(f'r{i},"{body}{i}"' for i in range(3))
    (tmp_path / "l.csv").write_text("id,comment\n" + rows + "\n", encoding="utf-8")
    long.ingest([tmp_path / "l.csv"])
    report = long.analyze(workers=2)
    assert report.analysed == 3 and report.where == "2 worker processes"


@pytest.mark.slow
def test_workers_from_a_script_without_a_main_guard_fail_with_the_fix(tmp_path):
    """Worker processes re-import the script that started them: without the guard its top-level code runs
    again in each of them. The error says so instead of only "out of memory"."""
    import subprocess
    import sys

    script = tmp_path / "run.py"
    script.write_text(
        "import voice\n"
        "from voice.pipeline import run\n"
        "run.MIN_PARALLEL_CHARS = 0\n"
        f"v = voice.init({str(tmp_path / 'v.db')!r})\n"
        f"open({str(tmp_path / 's.csv')!r}, 'w').write('id,comment\\nr1,Todo bien.\\nr2,Muy mal.\\n')\n"
        f"v.ingest([{str(tmp_path / 's.csv')!r}])\n"
        "v.analyze(workers=2)\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode != 0
    assert 'if __name__ == "__main__":' in done.stderr and "batches written so far are kept" in done.stderr
