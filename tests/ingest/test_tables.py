"""Shared table reading (CSV/XLSX) and column matching."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from voice.errors import InputError, MissingColumns, UnreadableFile
from voice.ingest._base import ReadOptions
from voice.ingest._tables import (
    FieldSpec,
    cell_text,
    match_columns,
    normalize_header,
    open_csv,
    open_xlsx,
    sniff_delimiter,
)

from tests.helpers import write_csv, write_xlsx


# --- headers and cells -------------------------------------------------------


@pytest.mark.parametrize("raw, expected", [
    ("Correo Electrónico", "correo_electronico"),
    ("  ¿Recomendaría  a un amigo? (0-10) ", "recomendaria_a_un_amigo_0_10"),
    ("Nº Cliente", "no_cliente"),
    ("customer_id", "customer_id"),
    ("E-mail", "e_mail"),
    ("", ""),
])
def test_normalize_header(raw, expected):
    assert normalize_header(raw) == expected


def test_cell_text_makes_csv_and_xlsx_values_alike():
    assert cell_text(None) == ""
    assert cell_text(" 9 ") == "9"
    assert cell_text(12.0) == "12"
    assert cell_text(12.5) == "12.5"
    assert cell_text(7) == "7"
    assert cell_text(dt.datetime(2026, 3, 25, 10, 30)) == "2026-03-25T10:30:00"
    assert cell_text(True) == "true"


# --- delimiters --------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_sniff_delimiter(delimiter):
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows([["fecha", "nps", "comentario"], ["2026-03-01", "9", "bien"],
                                                   ["2026-03-02", "7", "regular"]])
    assert sniff_delimiter(buf.getvalue()) == delimiter


def test_sniff_semicolon_with_decimal_commas_everywhere():
    sample = "id;nps;csat\n1;9,0;4,5\n2;8,0;3,5\n3;7,0;4,0\n"
    assert sniff_delimiter(sample) == ";"


def test_sniff_single_column_defaults_to_comma():
    assert sniff_delimiter("comentario\nmuy bien\nregular\n") == ","


# --- CSV ---------------------------------------------------------------------


def test_csv_cp1252_semicolon_and_row_numbers(tmp_path):
    path = write_csv(tmp_path / "t.csv", [["Código", "Opinión"], ["1", "Muy bien, €"], ["2", "Pésimo"]],
                     delimiter=";", encoding="cp1252")
    table = open_csv(path, ReadOptions())
    assert table.headers == ["Código", "Opinión"]
    assert table.details["delimiter"] == ";"
    assert table.details["encoding"] == "cp1252"
    rows = list(table.rows())
    assert [(r.number, r.cells) for r in rows] == [(2, ["1", "Muy bien, €"]), (3, ["2", "Pésimo"])]


def test_csv_bom_is_not_part_of_the_first_header(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("\ufeffEmail,NPS\r\na@x.com,9\r\n".encode("utf-8"))
    table = open_csv(path, ReadOptions())
    assert table.headers == ["Email", "NPS"]


def test_csv_header_after_blank_lines_blank_rows_short_and_long_rows(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("\n,,\nA,B,C\n1,2,3\n,,\n4\n5,6,7,8,\n", encoding="utf-8")
    table = open_csv(path, ReadOptions())
    assert table.header_row == 3
    assert table.headers == ["A", "B", "C"]
    rows = list(table.rows())
    assert [r.number for r in rows] == [4, 6, 7]
    assert rows[1].cells == ["4", None, None]
    assert rows[2].cells == ["5", "6", "7"]
    assert rows[2].extra == ["8"]
    assert table.as_dict(rows[2]) == {"A": "5", "B": "6", "C": "7", "(extra cells)": ["8"]}


def test_csv_duplicate_and_blank_headers_get_unique_names(tmp_path):
    path = write_csv(tmp_path / "t.csv", [["Email", "", "Email"], ["a@x", "b", "c@x"]])
    assert open_csv(path, ReadOptions()).headers == ["Email", "column 2", "Email (2)"]


def test_csv_with_only_blank_rows_has_no_header(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text(",,\n\n", encoding="utf-8")
    with pytest.raises(MissingColumns) as info:
        open_csv(path, ReadOptions())
    assert "no header row" in str(info.value)


def test_csv_that_is_really_a_workbook_is_refused(tmp_path):
    xlsx = write_xlsx(tmp_path / "t.xlsx", [["a"], ["1"]])
    fake = tmp_path / "t.csv"
    fake.write_bytes(xlsx.read_bytes())
    with pytest.raises(UnreadableFile):
        open_csv(fake, ReadOptions())


def test_tsv_suffix_means_tab(tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text("a\tb\n1,5\t2\n", encoding="utf-8")
    table = open_csv(path, ReadOptions())
    assert table.headers == ["a", "b"]
    assert [r.cells for r in table.rows()] == [["1,5", "2"]]


# --- XLSX --------------------------------------------------------------------


def test_xlsx_typed_cells_and_sheet_row_numbers(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [[None, None], ["Fecha", "NPS"],
                                            [dt.datetime(2026, 3, 25, 9, 0), 9], [None, None], ["x", 7]])
    table = open_xlsx(path, ReadOptions())
    assert table.header_row == 2
    assert table.headers == ["Fecha", "NPS"]
    rows = list(table.rows())
    assert [r.number for r in rows] == [3, 5]
    assert rows[0].cells == [dt.datetime(2026, 3, 25, 9, 0), 9]


def test_xlsx_named_sheet_and_unknown_sheet(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [["a"], [1]], more={"Respuestas": [["nps"], [10]]})
    table = open_xlsx(path, ReadOptions(), sheet="Respuestas")
    assert table.headers == ["nps"]
    assert [r.cells for r in table.rows()] == [[10]]
    with pytest.raises(InputError) as info:
        open_xlsx(path, ReadOptions(), sheet="Nope")
    assert "'Sheet1', 'Respuestas'" in str(info.value)


def test_xlsx_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"PK\x03\x04 definitely not a zip")
    with pytest.raises(UnreadableFile) as info:
        open_xlsx(path, ReadOptions())
    assert "Excel workbook" in str(info.value)


# --- columns -----------------------------------------------------------------

SPECS = (
    FieldSpec("email", ("email", "correo", "correo electrónico"), multi=True),
    FieldSpec("nps", ("nps", "recomendaría"), contains=("recomendaria", "recommend", "nps")),
    FieldSpec("comment", ("comentario", "why", "por qué"), contains=("por que", "why", "comentario")),
)


def test_match_by_synonym_accent_insensitive_and_numbered_columns():
    headers = ["CORREO ELECTRONICO", "Email 2", "NPS", "Otra"]
    cmap = match_columns(headers, SPECS)
    assert cmap.columns == {"email": [0, 1], "nps": [2]}
    assert cmap.described() == {"email": ["CORREO ELECTRONICO", "Email 2"], "nps": "NPS"}
    assert cmap.unmapped() == [3]


def test_match_long_question_headers_by_contained_phrase():
    headers = ["¿Con qué probabilidad recomendaría Luna Hogar a un amigo? (0-10)", "¿Por qué nos recomendaría?"]
    cmap = match_columns(headers, SPECS)
    assert cmap.header("nps") == headers[0]
    assert cmap.header("comment") == headers[1]  # the phrase at the start of the header wins


def test_exact_synonym_beats_contained_phrase():
    headers = ["NPS comentario", "NPS"]
    cmap = match_columns(headers, SPECS)
    assert cmap.header("nps") == "NPS"
    assert cmap.header("comment") == "NPS comentario"


def test_mapping_overrides_detection_and_accepts_aliases():
    headers = ["NPS", "Puntuación final", "Mail"]
    cmap = match_columns(headers, SPECS, {"nps": "Puntuación final", "mail": "Mail"}, aliases={"mail": "email"})
    assert cmap.header("nps") == "Puntuación final"
    assert cmap.header("email") == "Mail"
    assert 0 in cmap.unmapped()


def test_mapping_to_a_header_not_in_the_file():
    with pytest.raises(MissingColumns) as info:
        match_columns(["NPS", "Texto"], SPECS, {"comment": "Comentarios"}, source="f.csv")
    err = info.value
    assert err.source == "f.csv"
    assert "comment='Comentarios'" in err.message and "'NPS', 'Texto'" in err.message


def test_mapping_to_an_unknown_field():
    with pytest.raises(MissingColumns) as info:
        match_columns(["NPS"], SPECS, {"nsp": "NPS"})
    assert "'nsp'" in info.value.message
    assert "comment, email, nps" in info.value.fix


def test_short_cp1252_spanish_text_is_read_as_cp1252(tmp_path):
    path = write_csv(tmp_path / "t.csv", [["Nombre", "Apellidos", "Teléfono"], ["José", "Muñoz", "612"]],
                     delimiter=";", encoding="cp1252")
    table = open_csv(path, ReadOptions())
    assert table.headers == ["Nombre", "Apellidos", "Teléfono"]
    assert [r.cells for r in table.rows()] == [["José", "Muñoz", "612"]]


def test_forced_encoding_is_used(tmp_path):
    path = write_csv(tmp_path / "t.csv", [["Opinión"], ["Pésimo"]], encoding="latin-1")
    table = open_csv(path, ReadOptions(encoding="latin-1"))
    assert table.details["encoding"] == "latin-1"
    assert [r.cells for r in table.rows()] == [["Pésimo"]]
