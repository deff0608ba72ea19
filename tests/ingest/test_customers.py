"""Customer readers: CRM exports (CSV, XLSX) to Customers."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice.errors import DuplicateRecord, InputError, MalformedRecord, MissingColumns
from voice.ingest import reader_for
from voice.ingest._base import ReadOptions
from voice.ingest.customers import (
    CsvCustomerReader,
    XlsxCustomerReader,
    consent_key,
    parse_flag,
    parse_money,
    split_phones,
)
from voice.records import Customer, TableColumns

from tests.helpers import write_csv, write_xlsx


def read_csv(path: Path, **options) -> list[Customer | InputError]:
    return [i for i in CsvCustomerReader().read(path, ReadOptions(**options)) if not isinstance(i, TableColumns)]


def test_the_reader_says_what_each_column_became(tmp_path):
    path = tmp_path / "crm.csv"
    path.write_text("id,name,email,state,accepts_marketing,accepts_email\nC1,Ana,ana@x.example,FL,yes,no\n")
    first = next(iter(CsvCustomerReader().read(path, ReadOptions())))
    assert isinstance(first, TableColumns)
    assert first.fields["id"] == "id" and first.fields["email"] == "email"
    assert first.consent == {"accepts_marketing": "marketing", "accepts_email": "email"}
    assert first.attributes == ["state"]
    assert "accepts_marketing → consent marketing" in first.summary() and "kept as attributes: state" in first.summary()


def customers(items):
    return [i for i in items if isinstance(i, Customer)]


def errors(items):
    return [i for i in items if isinstance(i, InputError)]


def test_spanish_crm_export(tmp_path):
    path = write_csv(tmp_path / "clientes.csv", [
        ["Código cliente", "Nombre", "Apellidos", "Correo", "Email 2", "Teléfono", "Móvil", "Segmento",
         "Valor cliente", "Consentimiento marketing", "Acepta email", "Newsletter", "Ciudad", "Notas"],
        ["C001", "José", "Muñoz García", "Jose@Example.es; jm@trabajo.es", "jose@example.es",
         "+34 612 345 678 / 91 123 45 67", "+34 699 000 111", "Premium", "1.234,50 €", "sí", "x", "",
         "Madrid", ""],
    ], delimiter=";", encoding="cp1252")
    [c] = read_csv(path)
    assert c.id == "C001"
    assert c.name == "José Muñoz García"
    assert c.emails == ["jose@example.es", "jm@trabajo.es"]
    assert c.phones == ["+34 612 345 678", "91 123 45 67", "+34 699 000 111"]
    assert c.segment == "Premium"
    assert c.lifetime_value == 1234.5
    assert c.consent == {"marketing": True, "email": True, "newsletter": False}
    # the first and last name are kept apart too: campaign tools import them as two fields
    assert c.attributes == {"Ciudad": "Madrid", "first_name": "José", "last_name": "Muñoz García"}
    assert c.source_path == str(path) and c.source_pos == "row 2"


def test_english_export_with_bom_full_name_and_several_values_per_cell(tmp_path):
    path = tmp_path / "crm.csv"
    path.write_bytes(
        "\ufeffCustomer ID,Full Name,Emails,Phones,Tier,LTV,GDPR,Opt-in SMS\r\n"
        '42,Jane Roe,"a@x.com, B@Y.com | c@z.com  d@w.com","+1 415 555 0100; +1 415 555 0199",gold,"$1,234.50",'
        "yes,0\r\n".encode("utf-8"))
    [c] = read_csv(path)
    assert c.id == "42" and c.name == "Jane Roe"
    assert c.emails == ["a@x.com", "b@y.com", "c@z.com", "d@w.com"]
    assert c.phones == ["+1 415 555 0100", "+1 415 555 0199"]
    assert c.segment == "gold" and c.lifetime_value == 1234.5
    assert c.consent == {"gdpr": True, "sms": False}
    assert "problems" not in c.attributes


@pytest.mark.parametrize("raw, value", [
    ("1.234,50 €", 1234.5), ("1,234.50", 1234.5), ("$1234.5", 1234.5), ("1234,5", 1234.5),
    ("1234", 1234.0), ("€ 12", 12.0), ("1.234", 1234.0), ("12,5", 12.5), ("0,500", 0.5),
    ("1.234.567,89", 1234567.89), ("-250,00 EUR", -250.0), ("", None), (1234.5, 1234.5),
])
def test_parse_money(raw, value):
    assert parse_money(raw) == value


@pytest.mark.parametrize("raw", ["mucho", "12,34,5", "1.2.3", "€"])
def test_parse_money_refuses_what_is_not_a_number(raw):
    with pytest.raises(ValueError):
        parse_money(raw)


def test_bad_email_and_bad_ltv_keep_the_customer_with_problems(tmp_path):
    path = write_csv(tmp_path / "c.csv", [["id", "email", "ltv"], ["C1", "ana@x.es; ana-sin-arroba", "mucho"]])
    c, reported = read_csv(path)  # the customer, and a report of what was left out (never silent)
    assert c.emails == ["ana@x.es"]
    assert c.lifetime_value is None
    assert c.attributes["problems"] == [
        "dropped 'ana-sin-arroba': not an email address",
        "lifetime value 'mucho' in column 'ltv' is not a number; left empty",
    ]
    assert reported.kind == "partly_read" and "ana-sin-arroba" in reported.message and reported.position == "row 2"


def test_consent_flag_values_and_keys():
    for raw in ["yes", "Sí", "si", "TRUE", "1", "y", "X", "✓", True, 1.0]:
        assert parse_flag(raw) is True, raw
    for raw in ["no", "No", "false", "0", "n", "", None, False]:
        assert parse_flag(raw) is False, raw
    assert parse_flag("quizás") is None
    assert consent_key("consent_marketing") == "marketing"
    assert consent_key("Acepta email") == "email"
    assert consent_key("Consentimiento de publicidad") == "marketing"  # the consent a campaign asks for
    assert consent_key("Opt in SMS") == "sms" and consent_key("optin_sms") == "sms"
    assert consent_key("Permiso llamadas") == "phone"
    # English CRM headers (they went to attributes without a word)
    assert consent_key("accepts_marketing") == "marketing" and consent_key("accepts_email") == "email"
    assert consent_key("Opted in to newsletter") == "newsletter" and consent_key("Allow SMS") == "sms"
    assert consent_key("RGPD marketing") == "marketing" and consent_key("name") is None
    assert consent_key("Marketing") == "marketing" and consent_key("GDPR") == "gdpr"
    assert consent_key("Consent") == "general"
    assert consent_key("Email") is None and consent_key("Marketing manager") is None


def test_unknown_consent_value_quarantines_the_row(tmp_path):
    path = write_csv(tmp_path / "c.csv", [["id", "consent_marketing"], ["C1", "quizás"], ["C2", "no"]])
    items = read_csv(path)
    err, ok = items
    assert isinstance(err, MalformedRecord) and err.position == "row 2"
    assert "'quizás' in column 'consent_marketing'" in err.message
    assert ok.id == "C2" and ok.consent == {"marketing": False}


def test_phone_with_spaces_is_kept_whole():
    assert split_phones(["+34 612 345 678"]) == ["+34 612 345 678"]
    assert split_phones(["612 345 678 | 699-000-111", "+34 612 345 678", None]) == [
        "612 345 678", "699-000-111", "+34 612 345 678"]


def test_first_name_alone_is_the_name(tmp_path):
    path = write_csv(tmp_path / "c.csv", [["id", "nombre"], ["C1", "Lucía Pérez"]])
    assert read_csv(path)[0].name == "Lucía Pérez"


def test_full_name_column_wins_over_first_and_last(tmp_path):
    path = write_csv(tmp_path / "c.csv", [["id", "first name", "last name", "full name"],
                                          ["1", "Ann", "Lee", "Dr. Ann Lee"], ["2", "Bo", "Ng", ""]])
    assert [c.name for c in read_csv(path)] == ["Dr. Ann Lee", "Bo Ng"]


def test_duplicate_ids(tmp_path):
    rows = [["id", "name", "email"]]
    rows += [[f"C{n:03d}", f"Cliente {n}", f"c{n}@x.es"] for n in range(1, 41)]
    rows[17] = ["C017", "Cliente 17", "c17@x.es"]  # row 18 of the sheet
    rows.append(["C017", "Otro nombre", "otro@x.es"])  # row 42: conflicting
    rows.append(["C005", "Cliente 5", "c5@x.es"])  # row 43: identical to row 6, skipped silently
    path = write_csv(tmp_path / "c.csv", rows)
    items = read_csv(path)
    assert len(customers(items)) == 40
    [err] = errors(items)
    assert isinstance(err, DuplicateRecord)
    assert err.position == "row 42"
    assert err.message == "customer C017 appears in rows 18 and 42; the later row was not imported."
    assert err.fix


def test_missing_id_column(tmp_path):
    path = write_csv(tmp_path / "c.csv", [["Nombre", "Correo"], ["Ana", "ana@x.es"]])
    with pytest.raises(MissingColumns) as info:
        read_csv(path)
    err = info.value
    assert "'Nombre', 'Correo'" in err.message and "id:" in err.message
    assert err.fix == "rename the column or pass a mapping (e.g. --map id='Column name')."


def test_mapping_names_the_id_and_a_consent_column(tmp_path):
    path = write_csv(tmp_path / "c.csv", [["Ref", "Publicidad"], ["R-1", "sí"]])
    [c] = read_csv(path, mapping={"id": "Ref", "consent_ads": "Publicidad"})
    assert c.id == "R-1" and c.consent == {"ads": True}
    assert c.attributes == {}


def test_empty_id_row(tmp_path):
    path = write_csv(tmp_path / "c.csv", [["id", "name"], ["C1", "Ana"], ["", "Sin id"], ["C2", "Luis"]])
    items = read_csv(path)
    assert [getattr(i, "id", None) for i in items] == ["C1", None, "C2"]
    err = items[1]
    assert isinstance(err, MalformedRecord) and err.position == "row 3"
    assert "give every customer an id" in err.fix


def test_extra_cells_and_blank_rows(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("id,name\nC1,Ana,sobra\n,\nC2,Luis\n", encoding="utf-8")
    a, b = read_csv(path)
    assert a.attributes == {"extra_cells": ["sobra"]}
    assert b.source_pos == "row 4"


def test_xlsx_export_with_typed_cells(tmp_path):
    path = write_xlsx(tmp_path / "crm.xlsx", [
        ["ID Cliente", "Nombre", "Apellidos", "Email", "Teléfono", "LTV", "Newsletter", "Alta"],
        [17, "Ana", "Ruiz", "ANA@X.ES", 612345678, 1234.5, True, 2021],
        [18, "Luis", None, None, "+34 612 345 678", "1.000,00 €", "no", None],
    ])
    items = [i for i in XlsxCustomerReader().read(path, ReadOptions()) if not isinstance(i, TableColumns)]
    assert errors(items) == []
    a, b = items
    assert (a.id, a.name, a.emails, a.phones, a.lifetime_value, a.consent) == (
        "17", "Ana Ruiz", ["ana@x.es"], ["612345678"], 1234.5, {"newsletter": True})
    assert a.attributes == {"Alta": 2021, "first_name": "Ana", "last_name": "Ruiz"}
    assert (b.id, b.name, b.emails, b.phones, b.lifetime_value, b.consent) == (
        "18", "Luis", [], ["+34 612 345 678"], 1000.0, {"newsletter": False})


def test_customer_readers_are_picked_for_the_customers_channel():
    assert reader_for(Path("crm.csv"), "customers").name == "customers.csv.v1"
    assert reader_for(Path("crm.xlsx"), "customers").name == "customers.xlsx.v1"
    assert reader_for(Path("crm.csv")).name == "survey.csv.v1"


def test_a_consent_date_is_a_date_not_a_yes_no_flag(tmp_path):
    path = tmp_path / "crm.csv"
    path.write_text("id;nombre;acepta_marketing;fecha_consentimiento;Consent date\n"
                    "C1;Ana;sí;14/03/2021;\nC2;Luis;no;;\n", encoding="utf-8")
    one, two = read_csv(path)
    assert one.consent == {"marketing": True} and one.attributes["consent_date"] == "2021-03-14"
    assert two.consent == {"marketing": False} and "consent_date" not in two.attributes


def test_a_partial_consent_date_is_kept_as_written_not_completed():
    from voice.ingest.customers import _date_text

    # dateutil fills what is missing from today: "2024" would become this month and day of 2024
    assert [_date_text(x) for x in ("2024", "March 2024", "1", "3 March 2024", "14/03/2021")] == \
        ["2024", "March 2024", "1", "2024-03-03", "2021-03-14"]
