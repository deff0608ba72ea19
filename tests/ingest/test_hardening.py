"""No file can stop a run (issue #11): whatever a reader raises, the file is quarantined with where it
failed, the other files are stored, and the run ends as done."""

import os
from pathlib import Path

import pytest

import voice
from voice.ingest import read_paths

GOOD = ("From: ok@cliente.example\nTo: soporte@lunahogar.example\nSubject: hola\nMessage-ID: <ok@x>\n\n"
        "Mi pedido no llega.\n")


def _deep_mime(depth: int) -> str:
    inner = "Content-Type: text/plain\n\nhola\n"
    for i in range(depth):
        inner = f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n{inner}\n--b{i}--\n'
    return "From: a@b.example\nTo: c@d.example\nSubject: deep\nMessage-ID: <deep@x>\nMIME-Version: 1.0\n" + inner


def _deep_rfc822(depth: int) -> str:
    inner = "From: a@b.example\nSubject: in\n\nhola\n"
    for i in range(depth):
        inner = f"From: a@b.example\nSubject: {i}\nMIME-Version: 1.0\nContent-Type: message/rfc822\n\n{inner}"
    return inner


@pytest.fixture
def hostile(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "deep_mime.eml").write_text(_deep_mime(3000))
    (folder / "deep_rfc822.eml").write_text(_deep_rfc822(300))
    (folder / "brackets.json").write_text("[" * 100_000)
    (folder / "objects.json").write_text('{"a":' * 50_000 + "1" + "}" * 50_000)
    (folder / "ok.eml").write_text(GOOD)
    with open(os.path.join(os.fsencode(folder), b"bad\xff\xfe.eml"), "w") as fh:
        fh.write(GOOD.replace("ok@", "odd@").replace("<ok@x>", "<odd@x>"))
    return folder


def test_nesting_bombs_are_quarantined_and_the_run_goes_on(hostile, tmp_path):
    with voice.init(tmp_path / "v.db") as v:
        report = v.ingest([hostile])
        assert (report.added, report.quarantined) == (2, 4)
        problems = {os.path.basename(q["source_path"]): q for q in v.store.quarantined()}
        assert set(problems) == {"deep_mime.eml", "deep_rfc822.eml", "brackets.json", "objects.json"}
        assert all("nests too deeply" in q["reason"] and q["fix"] for q in problems.values())
        # a file name that is not UTF-8 is stored, its odd bytes written out
        paths = sorted(r[0] for r in v.store.db.execute("select source_path from interactions"))
        assert paths[0].endswith("bad\\xff\\xfe.eml") and paths[1].endswith("ok.eml")
        assert v.store.runs(1)[0]["status"] == "done"
        again = v.ingest([hostile])  # the same files again: nothing new, nothing lost
        assert (again.added, again.duplicates) == (0, 2)


def test_any_reader_failure_is_quarantined_with_where_it_stopped(tmp_path, monkeypatch):
    from voice.ingest.surveys import CsvSurveyReader

    (tmp_path / "a.csv").write_text("Response ID,Comment,NPS\nr1,Bien,9\nr2,Mal,2\nr3,Regular,6\n", encoding="utf-8")
    (tmp_path / "b.eml").write_text(GOOD)
    real = CsvSurveyReader.read

    def flaky(self, path, options):
        rows = 0
        for item in real(self, path, options):
            if rows == 2:
                raise ValueError("boom in the reader")
            rows += item.__class__.__name__ == "Interaction"
            yield item

    monkeypatch.setattr(CsvSurveyReader, "read", flaky)
    out = list(read_paths([tmp_path]))
    errors = [e for _, e in out if isinstance(e, Exception)]
    assert len(out) == 4 and len(errors) == 1  # two survey rows, the error, the email
    assert "boom in the reader" in errors[0].message and errors[0].position == "after record 2"
    assert errors[0].source.endswith("a.csv")


def test_a_folder_that_cannot_be_listed_is_quarantined(tmp_path, monkeypatch):
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "a.eml").write_text(GOOD)
    (tmp_path / "locked").mkdir()
    real = os.scandir

    def scandir(path="."):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    out = list(read_paths([tmp_path]))
    errors = [e for _, e in out if isinstance(e, Exception)]
    assert len(errors) == 1 and errors[0].source.endswith("locked") and "cannot list this folder" in errors[0].message
    assert sum(1 for _, e in out if not isinstance(e, Exception)) == 1


def test_emails_in_text_are_found_from_their_at_sign():
    from voice.link.normalize import emails_in_text, handles_in_text

    text = "Escribidme a ana.ruiz+cx@Gmail.example, o a (bob@mail.co.uk). Not: x@y, @handle, a@b."
    assert emails_in_text(text) == ["ana.ruiz+cx@Gmail.example", "bob@mail.co.uk"]
    assert ("email", "ana.ruiz+cx@gmail.example") in handles_in_text(text)
    # a local part longer than 64 characters is cut to its last 64, as RFC 5321 allows no more
    assert emails_in_text("z" * 100 + "@x.example") == ["z" * 64 + "@x.example"]
    assert emails_in_text("0123456789abcdef" * 6250) == []  # a hex dump: no "@", nothing scanned twice


def test_a_workbook_that_inflates_past_the_limit_is_refused(tmp_path):
    import io
    import zipfile

    from openpyxl import Workbook

    from voice.ingest import ReadOptions

    wb = Workbook()
    wb.active.append(["Response ID", "Comment", "NPS"])
    wb.active.append(["r1", "x" * 1000, 9])
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(tmp_path / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                data = data.replace(b"x" * 1000, b"x" * 30_000_000)
            out.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED)
    assert (tmp_path / "bomb.xlsx").stat().st_size < 200_000
    [(_, err)] = list(read_paths([tmp_path / "bomb.xlsx"]))
    assert err.kind == "too_large" and "zip bomb" in err.message
    [(_, err)] = list(read_paths([tmp_path / "bomb.xlsx"], ReadOptions(max_bytes=20_000_000)))
    assert err.kind == "too_large" and "inflates to 30 MB" in err.message


def test_the_analysis_reads_at_most_its_cap_of_one_interaction():
    from voice.pipeline.run import MAX_ANALYSED_CHARS, to_doc

    doc = to_doc({"id": "x", "channel": "email", "direction": "inbound", "text": "palabra " * 30_000}, [])
    assert len(doc.text) <= MAX_ANALYSED_CHARS < 240_000 and doc.extra["truncated_from"] == 240_000
    assert doc.text.endswith("palabra")  # cut between words
    short = to_doc({"id": "y", "channel": "email", "direction": "inbound", "text": "Mi pedido no llega."}, [])
    assert short.text == "Mi pedido no llega." and "truncated_from" not in short.extra


def _survey(tmp_path, body: bytes, name="s.csv"):
    path = tmp_path / name
    path.write_bytes(body)
    return [item for _, item in read_paths([path])]


def test_an_unclosed_quote_is_quarantined_not_merged_into_one_comment(tmp_path):
    body = ('Response ID,Comment,NPS\nr1,"Todo bien,9\nr2,Mal servicio,2\nr3,Regular,6\nr4,Bien,8\n'
            'r5,"Otra cosa",7\n').encode()
    out = _survey(tmp_path, body)
    errors = [o for o in out if isinstance(o, Exception)]
    assert len(errors) == 1 and "not closed" in errors[0].message and errors[0].position.startswith("row 2")
    assert not any(getattr(o, "text", "") and "Mal servicio" in o.text for o in out)  # no merged comment stored


def test_one_row_of_another_encoding_is_quarantined_and_the_rest_read_as_utf8(tmp_path):
    rows = ["Response ID,Comment,NPS"] + [f"r{n},Señor Muñoz contento número {n},9" for n in range(30)]
    body = "\n".join(rows).encode("utf-8") + "\nr99,Atención pésima,1\n".encode("latin-1")
    out = _survey(tmp_path, body)
    good = [o for o in out if not isinstance(o, Exception)]
    errors = [o for o in out if isinstance(o, Exception)]
    assert len(good) == 30 and all("Señor Muñoz" in o.text for o in good)  # not "SeÃ±or"
    assert len(errors) == 1 and errors[0].kind == "encoding" and errors[0].position.startswith("row 32")
    assert "Atención" in errors[0].excerpt
    # a file that is Windows-1252 throughout is still read as such
    legacy = _survey(tmp_path, "\n".join(rows).encode("cp1252"), "legacy.csv")
    assert len(legacy) == 30 and "Señor Muñoz" in legacy[0].text


def test_an_oversized_cell_quarantines_its_row_not_the_file(tmp_path):
    body = ("Response ID,Comment,NPS\nr1,Bien,9\nr2," + "x" * 1_100_000 + ",2\nr3,Regular,6\n").encode()
    out = _survey(tmp_path, body)
    assert [o.kind for o in out if isinstance(o, Exception)] == ["too_large"]
    assert sum(1 for o in out if not isinstance(o, Exception)) == 2


def test_a_crm_value_that_cannot_be_read_is_reported(tmp_path):
    (tmp_path / "crm.csv").write_text("id,name,email,lifetime_value,consent_marketing\n"
                                      "C1,Ana,ana@x.example,1e400,yes\nC2,Luis,luis@x.example,100,maybe\n")
    out = [item for _, item in read_paths([tmp_path / "crm.csv"], channel="customers")]
    kinds = sorted(o.kind for o in out if isinstance(o, Exception))
    assert kinds == ["malformed", "partly_read"]
    partly = next(o for o in out if getattr(o, "kind", "") == "partly_read")
    assert "C1" in partly.message and "1e400" in partly.message
    assert [o.id for o in out if not isinstance(o, Exception)] == ["C1"]


def test_a_workbook_reads_the_same_without_calamine(tmp_path, monkeypatch):
    from voice.ingest import _tables

    src = Path(__file__).resolve().parents[2] / "examples" / "surveys" / "nps-2026.xlsx"
    fast = [(getattr(i, "text", None), getattr(i, "scores", None), getattr(i, "timestamp", None))
            for _, i in read_paths([src])]

    def missing(data):
        raise ImportError("no python-calamine")

    monkeypatch.setattr(_tables, "_calamine_sheets", missing)
    slow = [(getattr(i, "text", None), getattr(i, "scores", None), getattr(i, "timestamp", None))
            for _, i in read_paths([src])]
    assert fast == slow and len(fast) > 40
