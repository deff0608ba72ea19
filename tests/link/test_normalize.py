import pytest

from voice.link.normalize import handles_in_text, normalize_crm_id, normalize_email, normalize_phone


@pytest.mark.parametrize("raw", ["612 345 678", "612345678", "+34 612 34 56 78", "0034612345678", "(+34) 612-345-678"])
def test_spanish_mobile_in_every_form_is_one_e164(raw):
    assert normalize_phone(raw, "ES") == "+34612345678"


def test_uk_numbers_local_and_international():
    assert normalize_phone("07700 900123", "GB") == "+447700900123"
    assert normalize_phone("+44 7700 900123", "ES") == "+447700900123"


@pytest.mark.parametrize("raw", ["", "12", "hello", None])
def test_not_a_phone(raw):
    assert normalize_phone(raw, "ES") is None


def test_emails():
    assert normalize_email(" <Ana.Ruiz@Gmail.Example> ") == "ana.ruiz@gmail.example"
    assert normalize_email("mailto:x@y.example") == "x@y.example"
    assert normalize_email("maria.lopez@") is None


def test_crm_id_from_a_spreadsheet_number():
    assert normalize_crm_id(" 1042.0 ") == "1042"
    assert normalize_crm_id("C017") == "C017"


def test_handles_in_text_ignores_short_numbers_and_order_ids():
    found = handles_in_text("Pedido 4471, importe 129,99 €. Llamadme al +34 600 111 222 o a ana@gmail.example")
    assert found == [("email", "ana@gmail.example"), ("phone", "+34600111222")]
