"""Survey readers: CSV and XLSX response rows to Interactions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from voice.errors import BadDate, InputError, MalformedRecord, MissingColumns, OutOfRange
from voice.ingest import reader_for
from voice.ingest._base import ReadOptions, registered
from voice.ingest import surveys
from voice.ingest.surveys import CsvSurveyReader, XlsxSurveyReader
from voice.records import Identity, Interaction, TableColumns

NPS_QUESTION = "¿Con qué probabilidad recomendaría Luna Hogar a un amigo? (0-10)"

from tests.helpers import write_csv, write_xlsx


def read_csv(path: Path, **options) -> list[Interaction | InputError]:
    return [i for i in CsvSurveyReader().read(path, ReadOptions(**options)) if not isinstance(i, TableColumns)]


def read_xlsx(path: Path, **options) -> list[Interaction | InputError]:
    return [i for i in XlsxSurveyReader().read(path, ReadOptions(**options)) if not isinstance(i, TableColumns)]


def records(items):
    return [i for i in items if isinstance(i, Interaction)]


def errors(items):
    return [i for i in items if isinstance(i, InputError)]


SPANISH = [
    ["Fecha", "Correo electrónico", "Nº Cliente", NPS_QUESTION, "Satisfacción", "¿Por qué?", "Canal", "Idioma", "Tienda"],
    ["25/03/2026", "Ana@Example.es", "C001", "9,0", "4", "Entrega rápida, todo perfecto", "web", "es", "Madrid"],
    ["02/04/2026", "", "", " 6 ", "", "Tardó demasiado", "tienda", "es", ""],
]


def test_spanish_semicolon_cp1252(tmp_path):
    path = write_csv(tmp_path / "encuesta.csv", SPANISH, delimiter=";", encoding="cp1252")
    items = read_csv(path)
    assert errors(items) == []
    first, second = items
    assert first.channel == "survey" and first.direction == "inbound"
    assert first.source_path == str(path) and first.source_pos == "row 2"
    assert first.timestamp == "2026-03-25T00:00:00"
    assert first.text == "Entrega rápida, todo perfecto"
    assert first.scores == {"nps": 9.0, "csat": 4.0}
    assert first.identities == [Identity("email", "Ana@Example.es", role="respondent"),
                                Identity("crm_id", "C001", role="respondent")]
    assert first.metadata["touchpoint"] == "web"
    assert first.metadata["language"] == "es"
    assert first.metadata["columns"] == {
        "date": "Fecha", "respondent_email": "Correo electrónico", "customer_id": "Nº Cliente",
        "nps": NPS_QUESTION, "csat": "Satisfacción", "comment": "¿Por qué?", "touchpoint": "Canal",
        "language": "Idioma",
    }
    assert first.metadata["extra"] == {"Tienda": "Madrid"}
    assert json.loads(first.raw)["Nº Cliente"] == "C001"
    assert json.loads(first.hash_basis) == {
        "respondent": {"email": "ana@example.es", "customer_id": "C001"},
        "date": "2026-03-25T00:00:00", "scores": {"nps": 9.0, "csat": 4.0},
        "comment": "Entrega rápida, todo perfecto",
    }
    # an unlinked row is kept; its scores only hold what was answered
    assert second.source_pos == "row 3"
    assert second.identities == []
    assert second.scores == {"nps": 6.0}
    assert second.timestamp == "2026-04-02T00:00:00"  # day first, decided from "25/03/2026"
    assert second.metadata["extra"] == {}


def test_english_headers_with_bom(tmp_path):
    path = tmp_path / "survey.csv"
    path.write_bytes(
        "\ufeffResponse ID,Submitted At,Email,Customer ID,NPS,CSAT,Customer Effort,Comments,Touchpoint,Language\r\n"
        "R-1,2026-03-25 14:03,bob@example.com,CRM-9,10,5,2,Great support,phone,en\r\n".encode("utf-8"))
    [item] = read_csv(path)
    assert item.external_id == "R-1"
    assert item.timestamp == "2026-03-25T14:03:00"
    assert item.scores == {"nps": 10.0, "csat": 5.0, "ces": 2.0}
    assert item.text == "Great support"
    assert [i.kind for i in item.identities] == ["email", "crm_id"]
    assert all(i.customer_side for i in item.identities)
    assert item.metadata["columns"]["respondent_id"] == "Response ID"
    assert item.metadata["touchpoint"] == "phone" and item.metadata["language"] == "en"


def test_mapping_overrides_detection(tmp_path):
    path = write_csv(tmp_path / "s.csv", [["NPS", "Puntuación final", "Texto libre"], ["3", "8", "hola"]])
    [item] = read_csv(path, mapping={"nps": "Puntuación final", "comment": "Texto libre"})
    assert item.scores == {"nps": 8.0}
    assert item.text == "hola"
    assert item.metadata["columns"]["nps"] == "Puntuación final"
    assert item.metadata["extra"] == {"NPS": "3"}


def test_mapping_to_a_missing_header_fails_the_file(tmp_path):
    path = write_csv(tmp_path / "s.csv", [["NPS"], ["3"]])
    with pytest.raises(MissingColumns) as info:
        read_csv(path, mapping={"comment": "Comentarios"})
    assert "'NPS'" in info.value.message


def test_missing_columns_lists_found_headers_and_the_fix(tmp_path):
    path = write_csv(tmp_path / "s.csv", [["Fecha", "Correo", "Puntos"], ["2026-03-01", "a@b.es", "9"]])
    with pytest.raises(MissingColumns) as info:
        read_csv(path)
    err = info.value
    assert err.source == str(path) and err.position is None
    assert "'Fecha', 'Correo', 'Puntos'" in err.message
    assert "nps:" in err.message and "'recomendaría'" in err.message and "comment:" in err.message
    assert err.fix == "rename the column or pass a mapping (e.g. --map nps='Column name')."


def test_out_of_range_rows_are_quarantined_and_the_rest_kept(tmp_path):
    path = write_csv(tmp_path / "s.csv", [
        ["id", "nps", "csat", "ces", "comment"],
        ["1", "9", "4", "2", "ok"],
        ["2", "11", "4", "2", "nps too high"],
        ["3", "8", "0", "2", "csat too low"],
        ["4", "8", "4", "8", "ces too high"],
        ["5", "9.5", "", "", "nps not whole"],
        ["6", "nueve", "", "", "not a number"],
        ["7", "0", "1", "7", "edges"],
    ])
    items = read_csv(path)
    kept = records(items)
    assert [r.external_id for r in kept] == ["1", "7"]
    assert kept[1].scores == {"nps": 0.0, "csat": 1.0, "ces": 7.0}
    errs = errors(items)
    assert [(type(e), e.position) for e in errs] == [
        (OutOfRange, "row 3"), (OutOfRange, "row 4"), (OutOfRange, "row 5"), (OutOfRange, "row 6"),
        (MalformedRecord, "row 7"),
    ]
    assert "NPS value '11' in column 'nps'" in errs[0].message and "0 to 10" in errs[0].message
    assert "CSAT value '0' in column 'csat'" in errs[1].message and "1 to 5" in errs[1].message
    assert "CES value '8' in column 'ces'" in errs[2].message and "1 to 7" in errs[2].message
    assert "'nueve'" in errs[4].message and "not a number" in errs[4].message
    assert all(e.source == str(path) and e.fix for e in errs)


def test_a_row_with_two_problems_yields_one_error_naming_both(tmp_path):
    path = write_csv(tmp_path / "s.csv", [["nps", "csat", "fecha"], ["12", "9", "ayer por la tarde"]])
    [err] = read_csv(path)
    assert isinstance(err, OutOfRange) and err.position == "row 2"
    assert "'12'" in err.message and "'9'" in err.message and "ayer por la tarde" in err.message


@pytest.mark.parametrize("raw", ["9", "9.0", "9,0", " 9 "])
def test_score_formats(tmp_path, raw):
    path = write_csv(tmp_path / "s.csv", [["nps"], [raw]])
    [item] = read_csv(path)
    assert item.scores == {"nps": 9.0}


def test_unparseable_date_quarantines_the_row(tmp_path):
    path = write_csv(tmp_path / "s.csv", [["fecha", "nps"], ["2026-03-01", "9"], ["no sé", "7"], ["", "5"]])
    items = read_csv(path)
    assert [type(i) for i in items] == [Interaction, BadDate, Interaction]
    assert items[1].position == "row 3"
    assert "'no sé' in column 'fecha'" in items[1].message
    assert items[2].timestamp is None


@pytest.mark.parametrize("decisive, expected", [
    ("25/03/2026", "2026-04-03T00:00:00"),   # a first number over 12: day first
    ("03/25/2026", "2026-03-04T00:00:00"),   # a second number over 12: month first
])
def test_dayfirst_is_decided_per_file(tmp_path, decisive, expected):
    # the ambiguous row comes first; the decisive one is later in the file
    path = write_csv(tmp_path / "s.csv", [["date", "nps"], ["03/04/2026", "9"], [decisive, "8"]])
    items = read_csv(path)
    assert items[0].timestamp == expected
    assert items[1].timestamp == "2026-03-25T00:00:00"


def test_dayfirst_looks_past_the_buffer_of_held_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(surveys, "LOOKAHEAD_ROWS", 2)
    rows = [["date", "nps"], ["03/04/2026", "9"], ["05/06/2026", "9"], ["07/08/2026", "9"], ["01/31/2026", "9"]]
    items = read_csv(write_csv(tmp_path / "s.csv", rows))
    assert [i.timestamp[:10] for i in items] == ["2026-03-04", "2026-05-06", "2026-07-08", "2026-01-31"]


def test_xlsx_dayfirst_second_pass_while_rows_are_held(tmp_path, monkeypatch):
    monkeypatch.setattr(surveys, "LOOKAHEAD_ROWS", 2)
    rows = [["Fecha", "NPS"], ["03/04/2026", 9], ["05/06/2026", 8], ["07/08/2026", 7], ["13/01/2026", 6]]
    items = read_xlsx(write_xlsx(tmp_path / "s.xlsx", rows))
    assert [(i.timestamp[:10], i.scores["nps"]) for i in items] == [
        ("2026-04-03", 9.0), ("2026-06-05", 8.0), ("2026-08-07", 7.0), ("2026-01-13", 6.0)]


def test_explicit_dayfirst_wins(tmp_path):
    path = write_csv(tmp_path / "s.csv", [["date", "nps"], ["03/04/2026", "9"]])
    assert read_csv(path, dayfirst=False)[0].timestamp == "2026-03-04T00:00:00"
    assert read_csv(path, dayfirst=True)[0].timestamp == "2026-04-03T00:00:00"


def test_blank_rows_skipped_and_extra_cells_noted(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("nps,comment\n9,bien\n,\n\n7,regular,sobra,\n5\n", encoding="utf-8")
    items = read_csv(path)
    assert errors(items) == []
    assert [i.source_pos for i in items] == ["row 2", "row 5", "row 6"]
    assert items[1].metadata["extra_cells"] == ["sobra"]
    assert "extra_cells" not in items[0].metadata
    assert items[2].text == "" and items[2].scores == {"nps": 5.0}


def test_anonymous_rows_with_the_same_answers_stay_distinct(tmp_path):
    path = write_csv(tmp_path / "s.csv", [["nps"], ["10"], ["10"]])
    a, b = read_csv(path)
    assert a.id != b.id
    assert read_csv(path)[0].id == a.id  # a re-read gives the same ids


def test_not_an_email_is_not_an_identity(tmp_path):
    path = write_csv(tmp_path / "s.csv", [["email", "nps"], ["n/a", "8"]])
    [item] = read_csv(path)
    assert item.identities == []
    assert item.metadata["problems"] == ["ignored 'n/a' in column 'email': not an email address"]


def test_xlsx_gives_the_same_interactions_as_csv(tmp_path):
    header = ["Response ID", "Fecha", "Email", NPS_QUESTION, "CSAT", "CES", "Comentario"]
    csv_path = write_csv(tmp_path / "encuesta.csv", [
        header,
        ["R1", "25/03/2026", "ana@x.es", "9", "4", "2", "Bien"],
        ["R2", "26/03/2026 10:15", "luis@x.es", "3", "2", "6", "Mal"],
    ], delimiter=";")
    xlsx_path = write_xlsx(tmp_path / "encuesta.xlsx", [
        header,
        ["R1", dt.datetime(2026, 3, 25), "ana@x.es", 9, 4, 2, "Bien"],
        ["R2", dt.datetime(2026, 3, 26, 10, 15), "luis@x.es", 3, 2, 6, "Mal"],
    ])
    from_csv, from_xlsx = read_csv(csv_path), read_xlsx(xlsx_path)
    assert errors(from_csv) == [] and errors(from_xlsx) == []
    assert [i.hash_basis for i in from_csv] == [i.hash_basis for i in from_xlsx]
    assert [i.id for i in from_csv] == [i.id for i in from_xlsx]
    assert [(i.timestamp, i.scores, i.text, i.source_pos) for i in from_xlsx] == [
        ("2026-03-25T00:00:00", {"nps": 9.0, "csat": 4.0, "ces": 2.0}, "Bien", "row 2"),
        ("2026-03-26T10:15:00", {"nps": 3.0, "csat": 2.0, "ces": 6.0}, "Mal", "row 3"),
    ]


def test_xlsx_text_dates_serial_dates_and_errors(tmp_path):
    path = write_xlsx(tmp_path / "s.xlsx", [
        ["Marca temporal", "NPS"],
        ["03/25/2026", 9],      # text, month first: decides the file
        ["04/01/2026", 8],
        [46106, 7],             # a date cell that lost its format: an Excel day number
        ["pronto", 6],
        [None, None],
        [dt.datetime(2026, 3, 27, 8, 30), 11],
    ])
    items = read_xlsx(path)
    assert [getattr(i, "timestamp", None) for i in items[:3]] == [
        "2026-03-25T00:00:00", "2026-04-01T00:00:00", "2026-03-25T00:00:00"]
    assert isinstance(items[3], BadDate) and items[3].position == "row 5"
    assert isinstance(items[4], OutOfRange) and items[4].position == "row 7"


def test_readers_are_registered_for_survey_files():
    names = registered()
    assert isinstance(names["survey.csv.v1"], CsvSurveyReader)
    assert isinstance(names["survey.xlsx.v1"], XlsxSurveyReader)
    assert reader_for(Path("a.csv")).name == "survey.csv.v1"
    assert reader_for(Path("a.TSV")).name == "survey.csv.v1"
    assert reader_for(Path("a.xlsm")).name == "survey.xlsx.v1"


def test_dates_with_a_dotted_time_and_a_column_that_never_reads(tmp_path):
    from voice.ingest import ReadOptions, read_paths

    rows = "\n".join(f"A{n:05d},24-02-2015 11.{n % 60:02d},Comentario {n}" for n in range(30))
    (tmp_path / "dotted.csv").write_text("Response ID,Submitted at,Comment\n" + rows + "\n")
    out = [x for _, x in read_paths([tmp_path / "dotted.csv"])]
    assert len(out) == 30 and out[0].timestamp == "2015-02-24T11:00:00" and out[5].timestamp == "2015-02-24T11:05:00"
    odd = "\n".join(f"A{n:05d},2015|02|{n % 28 + 1:02d},Comentario {n}" for n in range(30))
    (tmp_path / "odd.csv").write_text("Response ID,Submitted at,Comment\n" + odd + "\n")
    out = [x for _, x in read_paths([tmp_path / "odd.csv"])]
    assert len(out) == 1 and out[0].kind == "bad_date"  # one message for the file, not thirty
    assert "first 20 rows all fail" in out[0].message and "--date-format" in out[0].fix
    out = [x for _, x in read_paths([tmp_path / "odd.csv"], ReadOptions(date_format="%Y|%m|%d"))]
    assert len(out) == 30 and out[2].timestamp == "2015-02-03T00:00:00"
    # one command, two files: the format for one, ISO in the other — both read
    iso = "\n".join(f"B{n:05d},2026-01-01 {n % 24:02d}:00,Comentario {n}" for n in range(30))
    (tmp_path / "iso.csv").write_text("Response ID,Submitted at,Comment\n" + iso + "\n")
    out = [x for _, x in read_paths([tmp_path / "odd.csv", tmp_path / "iso.csv"], ReadOptions(date_format="%Y|%m|%d"))]
    assert len(out) == 60 and out[-1].timestamp == "2026-01-01T05:00:00"
    # a few bad dates among good ones are each quarantined as before
    mixed = rows.replace("24-02-2015 11.03", "tomorrow-ish")
    (tmp_path / "mixed.csv").write_text("Response ID,Submitted at,Comment\n" + mixed + "\n")
    out = [x for _, x in read_paths([tmp_path / "mixed.csv"])]
    assert [getattr(x, "kind", None) for x in out].count("bad_date") == 1 and len(out) == 30
