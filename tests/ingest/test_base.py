import pytest

from voice.errors import BadDate, EmptyInput, EncodingProblem, FileTooLarge, UnreadableFile
from voice.ingest._base import ReadOptions, decode_text, guess_dayfirst, open_checked, parse_timestamp, read_bytes


@pytest.mark.parametrize("value, dayfirst, expected", [
    ("2026-10-03", True, "2026-10-03T00:00:00"),            # year-first is never day-first
    ("2026-10-03 11:20", True, "2026-10-03T11:20:00"),
    ("03/10/2026", True, "2026-10-03T00:00:00"),
    ("03/10/2026", False, "2026-03-10T00:00:00"),
    ("Tue, 06 Oct 2026 09:12:00 +0200", None, "2026-10-06T07:12:00"),  # to UTC
    ("2026-10-21T16:05:00+02:00", None, "2026-10-21T14:05:00"),
    ("", None, None),
])
def test_parse_timestamp(value, dayfirst, expected):
    assert parse_timestamp(value, dayfirst=dayfirst) == expected


@pytest.mark.parametrize("value", ["ayer", "32/13/2026", "Mon, 5 Oct 2026 10:00:00 +9999"])
def test_unreadable_dates_are_bad_dates_with_where_and_fix(value):
    with pytest.raises(BadDate) as err:
        parse_timestamp(value, source="s.csv", position="row 4")
    assert "s.csv (row 4)" in str(err.value) and err.value.fix


def test_guess_dayfirst():
    assert guess_dayfirst(["01/02/2026", "25/03/2026"]) is True
    assert guess_dayfirst(["01/02/2026", "03/25/2026"]) is False
    assert guess_dayfirst(["01/02/2026"]) is True


def test_short_cp1252_spanish_decodes_right():
    text, enc = decode_text("Niño Muñoz pagó 20 € — «vale»\n".encode("cp1252"), "x.txt")
    assert text == "Niño Muñoz pagó 20 € — «vale»\n" and enc == "cp1252"


def test_utf8_with_bom_and_forced_encoding():
    assert decode_text("\ufeffañ".encode("utf-8"), "x")[0] == "añ"
    with pytest.raises(EncodingProblem) as err:
        decode_text(b"\xff\xfe\x00", "x.txt", encoding="ascii")
    assert "--encoding" in err.value.fix


def test_file_guards(tmp_path):
    opts = ReadOptions(max_bytes=100)
    (tmp_path / "empty.eml").write_bytes(b"")
    (tmp_path / "big.eml").write_bytes(b"x" * 101)
    (tmp_path / "doc.eml").write_bytes(b"%PDF-1.4 ...")
    (tmp_path / "nul.txt").write_bytes(b"ab\x00cd")
    with pytest.raises(EmptyInput):
        read_bytes(tmp_path / "empty.eml", opts)
    with pytest.raises(FileTooLarge) as err:
        open_checked(tmp_path / "big.eml", opts)
    assert "--max-mb" in err.value.fix
    with pytest.raises(UnreadableFile, match="PDF"):
        read_bytes(tmp_path / "doc.eml", opts)
    with pytest.raises(UnreadableFile, match="binary"):
        open_checked(tmp_path / "nul.txt", opts)
    with pytest.raises(UnreadableFile):
        read_bytes(tmp_path / "missing.eml", opts)


def test_naive_times_are_read_in_the_configured_zone_and_stored_in_utc():
    assert parse_timestamp("2026-10-07 11:20", timezone="Europe/Madrid") == "2026-10-07T09:20:00"
    assert parse_timestamp("2026-12-07 11:20", timezone="Europe/Madrid") == "2026-12-07T10:20:00"  # winter
    assert parse_timestamp("2026-10-07", timezone="Europe/Madrid") == "2026-10-07T00:00:00"  # a bare date stays
    assert parse_timestamp("2026-10-07T11:20:00+00:00", timezone="Europe/Madrid") == "2026-10-07T11:20:00"
