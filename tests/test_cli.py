import json

from typer.testing import CliRunner

from voice.cli import app
from tests.helpers import write_customers, write_emails

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_init_import_ingest_status_unlinked(tmp_path):
    db = tmp_path / "v.db"
    assert run("init", "--db", db, "--company-domain", "lunahogar.example").exit_code == 0
    r = run("customers", "import", write_customers(tmp_path / "crm.csv"), "--db", db, "--quiet")
    assert r.exit_code == 0 and r.output == ""
    write_emails(tmp_path / "mail", 7)
    r = run("ingest", tmp_path / "mail", "--db", db)
    assert r.exit_code == 0, r.output
    assert "7 records read, 7 added" in r.output and "3 linked" in r.output
    status = json.loads(run("status", "--db", db, "--json").output)
    assert status["by_channel"] == {"email": {"total": 7, "linked": 3}}
    assert round(status["linked_pct"]) == 43
    r = run("unlinked", "--db", db, "--json")
    assert sorted(json.loads(r.output)[0]["handles"].split()) == ["email:cliente3@gmail.example"]


def test_quarantined_inputs_give_exit_code_3_and_are_listed(tmp_path):
    db = tmp_path / "v.db"
    run("init", "--db", db)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.eml").write_bytes(b"")
    r = run("ingest", tmp_path / "in", "--db", db)
    assert r.exit_code == 3
    assert "empty.eml" in r.output and "Fix:" in r.output
    r = run("quarantine", "--db", db)
    assert "[empty]" in r.output and "fix:" in r.output


def test_missing_database_is_exit_1_with_the_fix(tmp_path):
    r = run("status", "--db", tmp_path / "none.db")
    assert r.exit_code == 1 and "voice init" in r.output


def test_missing_path_is_exit_1(tmp_path):
    db = tmp_path / "v.db"
    run("init", "--db", db)
    r = run("ingest", tmp_path / "nope", "--db", db)
    assert r.exit_code == 1 and "no such file or folder" in r.output


def test_bad_map_option_is_a_usage_error(tmp_path):
    db = tmp_path / "v.db"
    run("init", "--db", db)
    r = run("ingest", tmp_path, "--db", db, "--map", "nps")
    assert r.exit_code == 2
