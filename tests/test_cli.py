import csv
import json
from pathlib import Path

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


def test_channel_option_reads_a_maildir(tmp_path):
    db = tmp_path / "v.db"
    run("init", "--db", db)
    maildir = tmp_path / "Maildir" / "cur"
    paths = write_emails(maildir, 3)
    for p in paths:  # Maildir names carry no suffix
        p.rename(p.with_name(p.stem + ".M1P2.host:2,S"))
    assert run("ingest", tmp_path / "Maildir", "--db", db, "--quiet").exit_code == 3  # unknown suffix
    r = run("ingest", tmp_path / "Maildir", "--db", db, "--channel", "email")
    assert r.exit_code == 0 and "3 added" in r.output


def test_init_refuses_an_unknown_time_zone(tmp_path):
    r = run("init", "--db", tmp_path / "v.db", "--timezone", "Mars/Olympus")
    assert r.exit_code == 1 and "Europe/Madrid" in r.output


def test_a_mapping_file_maps_odd_survey_headers(tmp_path):
    db = tmp_path / "v.db"
    run("init", "--db", db)
    (tmp_path / "s.csv").write_text("Correo;Puntuación;Observaciones\nana@x.example;9;Muy bien\n", encoding="utf-8")
    (tmp_path / "map.yaml").write_text("nps: Puntuación\ncomment: Observaciones\nemail: Correo\n", encoding="utf-8")
    r = run("ingest", tmp_path / "s.csv", "--db", db, "--mapping", tmp_path / "map.yaml")
    assert r.exit_code == 0, r.output
    import sqlite3

    row = sqlite3.connect(db).execute(
        "select i.text, s.nps from interactions i join survey_scores s on s.interaction_id = i.id").fetchone()
    assert row == ("Muy bien", 9.0)


def test_analyze_with_a_pipeline_file_is_incremental(tmp_path):
    db = tmp_path / "v.db"
    run("init", "--db", db)
    write_emails(tmp_path / "mail", 4)
    run("ingest", tmp_path / "mail", "--db", db, "--quiet")
    pipe = tmp_path / "p.toml"
    pipe.write_text('[pipeline]\nname = "mini"\nversion = "2"\n\n'
                    '[[steps]]\nname = "language"\ncomponent = "language.langid.v1"\n\n'
                    '[[steps]]\nname = "sentences"\ncomponent = "sentences.spacy.v1"\n', encoding="utf-8")
    r = run("analyze", "--db", db, "--pipeline", pipe)
    assert r.exit_code == 0, r.output
    assert "4 analysed" in r.output
    import torch

    from voice.encode.use import resolve_precision

    where = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    assert f"encoder in {resolve_precision(None, where)}" in r.output  # what this machine ran
    assert "score: 0 customers re-scored (0 unchanged)" in r.output  # no customers imported: nobody to score
    assert "score:" not in run("analyze", "--db", db, "--no-score").output
    import sqlite3

    conn = sqlite3.connect(db)
    assert conn.execute("select distinct lang, pipeline from analyses").fetchall() == [("es", "mini@2")]
    assert conn.execute("select count(*) from sentences").fetchone()[0] == 8  # two sentences per email
    assert "0 analysed" in run("analyze", "--db", db, "--pipeline", pipe).output
    assert "4 analysed" in run("analyze", "--db", db, "--pipeline", pipe, "--all").output


def test_analyze_names_a_missing_pipeline_file(tmp_path):
    db = tmp_path / "v.db"
    run("init", "--db", db)
    r = run("analyze", "--db", db, "--pipeline", tmp_path / "nope.toml")
    assert r.exit_code == 1 and "--pipeline" in r.output


def test_analyze_names_an_unknown_engine(tmp_path):
    db = tmp_path / "v.db"
    run("init", "--db", db)
    r = run("analyze", "--db", db, "--engine", "spark")
    assert r.exit_code == 1 and "unknown engine" in r.output and "local, ray" in r.output


def test_list_components():
    out = run("analyze", "--list-components").output.split()
    assert "language.langid.v1" in out and "sentences.spacy.v1" in out


def test_train_intent_from_a_users_taxonomy(tmp_path):
    import yaml

    from voice.api import EXAMPLES

    full = yaml.safe_load((EXAMPLES.parent / "models" / "intents" / "default.yaml").read_text(encoding="utf-8"))
    full["intents"] = [i for i in full["intents"] if i["id"] in ("billing", "praise", "order_status")]
    full.pop("out_of_scope", None)
    tax = tmp_path / "mine.yaml"
    tax.write_text(yaml.safe_dump(full, allow_unicode=True), encoding="utf-8")
    r = run("train", "intent", "--taxonomy", tax, "--out", tmp_path / "mine")
    assert r.exit_code == 0, r.output
    config = json.loads((tmp_path / "mine" / "config.json").read_text(encoding="utf-8"))
    assert sorted(config["intents"]) == ["billing", "order_status", "praise"]
    assert (tmp_path / "mine" / "README.md").exists()


def test_train_intent_with_a_broken_taxonomy_is_exit_1(tmp_path):
    (tmp_path / "bad.yaml").write_text("intents: [", encoding="utf-8")
    r = run("train", "intent", "--taxonomy", tmp_path / "bad.yaml", "--out", tmp_path / "m")
    assert r.exit_code == 1 and "Fix:" in r.output


def _scored_db(tmp_path):
    import voice
    from tests.helpers import add_analysed

    db = tmp_path / "v.db"
    v = voice.init(db)
    v.store.db.execute("""insert into customers (id, name, lifetime_value) values
        ('C001', 'Ana Ruiz', 5000), ('C002', 'Luis Gil', 100), ('C003', 'Eva Sanz', 50), ('C004', 'Otro', 10)""")
    add_analysed(v.store, "a1", "2026-10-01T10:00:00+00:00", "La lavadora llegó rota", customer="C001",
                 sentiment="negative", score=-0.8, intents={"complaint": 0.9})
    add_analysed(v.store, "a2", "2026-10-03T10:00:00+00:00", "Me doy de baja", customer="C001", channel="call",
                 sentiment="negative", score=-0.9, intents={"cancel_churn": 0.95})
    add_analysed(v.store, "b1", "2026-10-10T10:00:00+00:00", "Quiero comprar la AirPure 500", customer="C002",
                 intents={"purchase_interest": 0.95}, mentions=[("airpure-500", "AirPure 500")])
    v.close()
    return db


def test_score_and_the_customer_intelligence_commands(tmp_path):
    db = _scored_db(tmp_path)
    r = run("score", "--db", db, "--as-of", "latest")
    assert r.exit_code == 0, r.output
    assert "scored 4 customers (0 unchanged)" in r.output and "at_risk 1" in r.output
    assert "scored 0 customers (4 unchanged)" in run("score", "--db", db, "--as-of", "latest").output
    r = run("customer", "C001", "--db", db)
    assert r.exit_code == 0 and "Ana Ruiz" in r.output and "Open loops (2)" in r.output and "resume here" in r.output
    r = run("customer", "C404", "--db", db)
    assert r.exit_code == 1 and "no customer 'C404'" in r.output
    r = run("interest", "--db", db, "--product", "airpure-500")
    assert r.exit_code == 0 and "C002" in r.output and "wants to buy" in r.output
    r = run("interest", "--db", db, "--product", "nada")
    assert r.exit_code == 1 and "airpure-500" in r.output  # the fix lists the known products
    assert "C001" in run("customers", "at-risk", "--db", db).output
    assert "C002" in run("customers", "profitable", "--db", db).output
    view = json.loads(run("customers", "value-needs", "--db", db, "--json").output)
    assert view["high"]["dominant_intents"][0][0] == "cancel_churn"
    assert "call" in run("experience", "--db", db).output
    assert run("experience", "--db", db, "--by", "planet").exit_code == 2
    assert run("score", "--db", db, "--as-of", "yesterday-ish").exit_code == 1


def test_export_segment_writes_the_csv_and_says_who_was_left_out(tmp_path):
    db = _scored_db(tmp_path)
    run("score", "--db", db, "--as-of", "latest")
    out = tmp_path / "seg.csv"
    r = run("export", "segment", "--db", db, "--product", "airpure-500", "--min-interest", "0.5", "-o", out)
    assert r.exit_code == 2 and "--consent" in r.output  # consent is never assumed
    r = run("export", "segment", "--db", db, "--product", "airpure-500", "--min-interest", "0.5", "-o", out,
            "--consent", "any")
    assert r.exit_code == 0, r.output
    assert "wrote 1 customers" in r.output and "C002" in out.read_text(encoding="utf-8-sig")
    r = run("export", "segment", "--db", db, "--product", "airpure-500", "--consent", "marketing", "-o", out)
    assert "wrote 0 customers" in r.output and "1 no marketing consent" in r.output
    assert run("export", "segment", "--db", db, "--product", "airpure-500", "--min-interest", "7",
               "-o", out, "--consent", "any").exit_code == 2


def test_serve_refuses_another_interface_without_a_token(tmp_path):
    db = _scored_db(tmp_path)
    r = run("serve", "--db", db, "--host", "0.0.0.0")
    assert r.exit_code == 1 and "without a token" in r.output and "serving" not in r.output
    r = run("serve", "--db", tmp_path / "missing.db")
    assert r.exit_code == 1 and "voice" in r.output


def test_search_from_the_command_line(tmp_path):
    db = _scored_db(tmp_path)
    r = run("search", "AirPure 500", "--db", db)
    assert r.exit_code == 0, r.output
    assert "C002" in r.output and "*AirPure*" in r.output  # the match is marked
    hits = json.loads(run("search", "lavadora rota", "--db", db, "--json", "--mode", "text").output)
    assert [h["customer_id"] for h in hits] == ["C001"]
    assert run("search", "x", "--db", db, "--mode", "bogus").exit_code == 1


def test_corrected_intents_export_into_a_taxonomy_that_trains(tmp_path):
    from pathlib import Path

    from tests.helpers import add_analysed
    from voice.store import Store

    db = tmp_path / "v.db"
    assert run("init", "--db", db).exit_code == 0
    store = Store.open(db)
    for n, text in enumerate(["My parcel went to the wrong town.", "The courier left it at the wrong address.",
                              "Wrong address on my delivery again."]):
        add_analysed(store, f"i{n}", "2026-10-01T10:00:00", text, intents={"praise": 0.7})
    store.db.conn.commit()
    store.close()
    for n in range(3):
        assert run("label", "intent", f"i{n}", "wrong_address", "--db", db).exit_code == 0
    default = Path(__file__).resolve().parents[1] / "models" / "intents" / "default.yaml"
    r = run("label", "export-intents", tmp_path / "mine.yaml", "--taxonomy", default, "--db", db)
    assert r.exit_code == 0, r.output
    assert "3 examples from corrections added" in r.output and "wrong_address +3" in r.output
    r = run("train", "intent", "--taxonomy", tmp_path / "mine.yaml", "--out", tmp_path / "mine")
    assert r.exit_code == 0, r.output
    import json as _json

    config = _json.loads((tmp_path / "mine" / "config.json").read_text(encoding="utf-8"))
    assert "wrong_address" in config["intents"] and len(config["intents"]) == 12


def test_what_came_from_the_input_cannot_drive_the_terminal(tmp_path):
    from voice._text import one_line, terminal_safe

    title = "\x1b]0;pwned\x07"
    assert terminal_safe(f"a{title}b\x1b[31mred\x1b[0m\rover\u202egnp.exe\n") == "abredovergnp.exe\n"
    assert one_line("bad\nquarantined: all fine.eml") == "bad⏎quarantined: all fine.eml"
    db = tmp_path / "v.db"
    run("init", "--db", db)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / f"x{title}\nfake: 0 quarantined.eml").write_text("not an e-mail at all")
    (folder / "notes\x1b[2J.xyz").write_text("?")
    r = run("ingest", folder, "--db", db)
    assert "\x1b" not in r.output and "\r" not in r.output
    assert not any(line.startswith("fake:") for line in r.output.splitlines())  # no line of the file's own
    r = run("quarantine", "--db", db)
    assert "\x1b" not in r.output and "x⏎fake: 0 quarantined.eml" in r.output


def test_a_database_error_is_a_message_with_the_fix_not_a_traceback(tmp_path, monkeypatch):
    import sqlite3

    from voice import api

    db = tmp_path / "v.db"
    run("init", "--db", db)

    def locked(*args, **kwargs):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(api.Voice, "status", locked)
    r = run("status", "--db", db)
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "busy: another voice command is writing" in r.output and "Fix:" in r.output
    (tmp_path / "junk.db").write_bytes(b"this is not sqlite" * 100)
    r = run("status", "--db", tmp_path / "junk.db")
    assert r.exit_code == 1 and "Traceback" not in r.output and "Fix:" in r.output


def test_forget_and_redact_from_the_command_line(tmp_path):
    db = tmp_path / "v.db"
    assert run("init", "--db", db, "--company-domain", "lunahogar.example", "--redact").output.rstrip().endswith(
        "personal data is masked")
    run("customers", "import", write_customers(tmp_path / "crm.csv"), "--db", db, "--quiet")
    write_emails(tmp_path / "mail", 7)
    assert run("ingest", tmp_path / "mail", "--db", db).exit_code == 0
    r = runner.invoke(app, ["forget", "C000", "--db", str(db)], input="n\n")  # asks first
    assert r.exit_code == 1 and "Erase customer C000" in r.output
    r = run("forget", "C000", "--db", db, "--yes")
    assert r.exit_code == 0 and "forgot customer C000: removed" in r.output and "1 customers" in r.output
    assert "source files" in r.output
    r = run("ingest", tmp_path / "mail", "--db", db)
    assert "of forgotten customers not stored" in r.output
    assert run("forget", "C999", "--db", db, "--yes").exit_code == 1
    r = run("redact", "--db", db)
    assert r.exit_code == 0 and "masked from now on" in r.output


def test_old_data_is_scored_as_of_its_newest_interaction_and_says_so(tmp_path):
    import voice
    from tests.helpers import add_analysed

    db = tmp_path / "v.db"
    with voice.init(db) as v:
        v.store.db.execute("insert into customers (id, name) values ('C001', 'Ana')")
        add_analysed(v.store, "i1", "2015-02-20T10:00:00", "Quiero comprar la AirPure.", customer="C001",
                     intents={"purchase_interest": 0.9}, mentions=[("airpure-500", "AirPure")])
        add_analysed(v.store, "i2", "2015-02-24T10:00:00", "¿Tenéis la AirPure?", customer="C001",
                     intents={"price_availability": 0.9}, mentions=[("airpure-500", "AirPure")])
        report = v.score()
        assert report.as_of.startswith("2015-02-24") and "ends" in report.note and "--as-of now" in report.note
        interest = v.store.db.execute("select score from interest").fetchone()[0]
        assert interest > 0.3  # measured from 2015, not decayed to nothing by eleven years
        now = v.score(as_of="now", full=True)
        assert now.as_of[:4] >= "2026" and now.note is None
        assert v.store.db.execute("select score from interest").fetchone()[0] < 0.01
    r = run("score", "--db", db, "--full")
    assert "scored as of the newest interaction, 2015-02-24" in r.output


def test_a_long_run_in_a_log_prints_its_progress(capsys):
    from voice.cli import _LogProgress

    progress = _LogProgress("analyze", "interactions", every=0.0)
    progress(320, 1532)
    progress(1532, 1532)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0].startswith("analyze: 320/1,532 interactions (21%), ") and "left" in lines[0]
    assert lines[1].startswith("analyze: 1,532/1,532 interactions (100%)") and "left" not in lines[1]
    quiet = _LogProgress("ingest", "files", every=60.0)
    quiet(5, 10)  # within its interval: nothing
    assert capsys.readouterr().err == ""


def test_products_import_and_list(tmp_path):
    db = tmp_path / "v.db"
    run("init", "--db", db)
    (tmp_path / "p.yaml").write_text("- id: router-x1\n  name: Router X1\n  aliases: {es: [el X1]}\n", encoding="utf-8")
    r = run("products", "import", tmp_path / "p.yaml", "--db", db)
    assert r.exit_code == 0 and "catalog version 1: 1 added" in r.output and "analyze --all" in r.output
    r = run("products", "list", "--db", db)
    assert "router-x1" in r.output and "0 interactions" in r.output
    (tmp_path / "bad.yaml").write_text("- name: no id\n", encoding="utf-8")
    r = run("products", "import", tmp_path / "bad.yaml", "--db", db)
    assert r.exit_code == 1 and "has no id" in r.output


def test_config_in_one_place(tmp_path):
    import json as _json

    db = tmp_path / "v.db"
    run("init", "--db", db)
    conf = _json.loads(run("config", "show", "--db", db, "--json").output)
    assert conf["region"] == "ES" and conf["redact"] == "off" and conf["pipeline"].startswith("default")
    assert run("config", "set", "timezone", "Europe/Madrid", "--db", db).output.strip() == "timezone is now Europe/Madrid"
    assert run("config", "set", "company-domains", "a.example,b.example", "--db", db).exit_code == 0
    own = tmp_path / "mine.toml"
    own.write_text((Path(__file__).resolve().parents[1] / "pipelines" / "default.toml").read_text(encoding="utf-8"))
    assert run("config", "set", "pipeline", own, "--db", db).exit_code == 0
    assert run("config", "set", "redact", "on", "--db", db).exit_code == 0
    conf = _json.loads(run("config", "show", "--db", db, "--json").output)
    assert (conf["timezone"], conf["company_domains"], conf["pipeline"], conf["redact"]) == (
        "Europe/Madrid", ["a.example", "b.example"], str(own.resolve()), "on")
    bad = run("config", "set", "timezone", "Mars/Olympus", "--db", db)
    assert bad.exit_code == 1 and "Fix:" in bad.output
    assert run("config", "set", "colour", "blue", "--db", db).exit_code == 1
    (tmp_path / "broken.toml").write_text("[[steps]]\nname = 1\n")
    assert run("config", "set", "pipeline", tmp_path / "broken.toml", "--db", db).exit_code == 1


def test_changes_says_what_moved_and_its_exit_code_says_whether(tmp_path):
    from tests.report.test_changes import _fill
    from voice.store import Store

    for planted, code in ((True, 5), (False, 0)):
        db = tmp_path / f"v{planted}.db"
        store = Store.open(db, create=True)
        _fill(store, planted=planted)
        store.db.conn.commit()
        store.close()
        r = run("changes", "--db", db, "--period", "week")
        assert r.exit_code == code, r.output
        assert ("↑ theme Cargos dobles" in r.output) == planted and "tested" in r.output


def test_a_campaign_round_trip_from_the_command_line(tmp_path):
    import voice
    from tests.helpers import add_analysed

    db = tmp_path / "v.db"
    crm = tmp_path / "crm.csv"
    crm.write_text("id_cliente;nombre;apellidos;email;acepta_marketing;fecha_consentimiento\n"
                   + "".join(f"C{i};Ana{i};Ruiz Martín;ana{i}@x.example;sí;14/03/2021\n" for i in range(8)),
                   encoding="utf-8")
    assert run("init", "--db", db).exit_code == 0
    assert run("customers", "import", crm, "--db", db).exit_code == 0
    v = voice.open(db)
    for i in range(8):
        add_analysed(v.store, f"b{i}", "2026-10-10T10:00:00+00:00", "Quiero comprar la AirPure 500", customer=f"C{i}",
                     intents={"purchase_interest": 0.95}, mentions=[("airpure-500", "AirPure 500")])
    v.store.db.execute("update analyses set lang = 'es'")
    v.close()
    assert run("score", "--db", db, "--as-of", "latest").exit_code == 0
    out = tmp_path / "mailchimp.csv"
    r = run("export", "segment", "--db", db, "--product", "airpure-500", "--consent", "marketing", "-o", out,
            "--campaign", "Primavera 2026", "--holdout", "0.25", "--preset", "mailchimp")
    assert r.exit_code == 0, r.output
    assert "wrote 6 customers" in r.output and "campaign 'primavera-2026' recorded; 2 held out" in r.output
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert list(rows[0])[:5] == ["Email Address", "First Name", "Last Name", "Phone Number", "Language"]
    first = rows[0]
    assert first["First Name"].startswith("Ana") and first["Last Name"] == "Ruiz Martín"
    assert (first["Language"], first["Opt-in Date"], first["Tags"]) == ("es", "2021-03-14", "airpure-500")
    results = tmp_path / "results.csv"
    results.write_text("email,converted\n" + "".join(f"{r['Email Address']},yes\n" for r in rows[:3]),
                       encoding="utf-8")
    r = run("campaigns", "import", results, "--db", db)
    assert r.exit_code == 0 and "3 outcomes stored for primavera-2026 (3 converted" in r.output, r.output
    r = run("campaigns", "show", "primavera-2026", "--db", db)
    assert r.exit_code == 0 and "targeted: 3 of 6 converted (50.0%" in r.output and "holdout: 0 of 2" in r.output
    # a file of sends says nothing of the held-out customers: no made-up 0% baseline
    assert "no uplift: the results have no row for any of the held-out customers" in r.output
    import voice as _voice

    with _voice.open(db) as vv:
        held = [c for (c,) in vv.store.db.execute("select customer_id from campaign_members where arm = 'holdout'")]
    orders = tmp_path / "orders.csv"  # the shop's orders for everyone: one of the held-out bought too
    orders.write_text("customer_id,value\n" + f"{held[0]},59.90\n", encoding="utf-8")
    assert run("campaigns", "import", orders, "--db", db, "--campaign", "primavera-2026").exit_code == 0
    r = run("campaigns", "show", "primavera-2026", "--db", db)
    assert "holdout: 1 of 2 converted" in r.output and "uplift over the holdout: +0.0 points" in r.output
    assert "no difference can be told at this size" in r.output
    assert "primavera-2026" in run("campaigns", "list", "--db", db).output
    assert run("report", "--db", db, "-o", tmp_path / "r.html").exit_code == 0
    report = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Campaigns measured" in report and "targeted: 3 of 6 converted (50.0%" in report
    assert run("campaigns", "show", "otoño", "--db", db).exit_code == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("email,converted\nnadie@x.example,yes\n", encoding="utf-8")
    r = run("campaigns", "import", bad, "--db", db)
    assert r.exit_code == 3 and "row 2" in r.output and "nadie@x.example" in r.output


def test_interest_says_when_products_are_mentioned_only_in_complaints(tmp_path):
    db = _scored_db(tmp_path)
    import voice

    from tests.helpers import add_analysed

    with voice.open(db) as v:  # as on the CFPB complaints: a product named only in complaints scores 0
        add_analysed(v.store, "k1", "2026-10-12T10:00:00+00:00", "My credit card was charged twice", customer="C001",
                     sentiment="negative", score=-0.8, intents={"complaint": 0.9},
                     mentions=[("credit-card", "credit card")])
    assert run("score", "--db", db, "--as-of", "latest").exit_code == 0
    r = run("interest", "--db", db, "--product", "credit-card")
    assert r.exit_code == 0 and "1 customers mention credit-card, but none shows interest" in r.output
