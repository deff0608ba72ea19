from pathlib import Path

import pytest

from voice.errors import UnknownFormat
from voice.ingest import iter_files, reader_for


@pytest.mark.parametrize("name, channel, expected", [
    ("a.eml", None, "email.eml.v1"),
    ("a.MBOX", None, "email.mbox.v1"),
    ("call.txt", None, "call.text.v1"),
    ("call.vtt", None, "call.vtt.v1"),
    ("call.srt", None, "call.srt.v1"),
    ("stt.json", None, "call.json.v1"),
    ("nps.csv", None, "survey.csv.v1"),
    ("nps.xlsx", None, "survey.xlsx.v1"),
    ("crm.csv", "customers", "customers.csv.v1"),
    ("crm.xlsx", "customers", "customers.xlsx.v1"),
])
def test_reader_by_suffix_and_channel(name, channel, expected):
    assert reader_for(Path(name), channel).name == expected


def test_unknown_suffix_names_the_known_ones():
    with pytest.raises(UnknownFormat) as err:
        reader_for(Path("report.pdf"))
    assert ".eml" in err.value.fix and ".vtt" in err.value.fix


def test_folder_walk_is_sorted_and_skips_hidden_and_docs(tmp_path):
    for rel in ["b/2.eml", "b/1.eml", "a.vtt", ".git/config", "README.md", "b/.DS_Store"]:
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
    assert [str(p.relative_to(tmp_path)) for p in iter_files([tmp_path])] == ["a.vtt", "b/1.eml", "b/2.eml"]


def test_channel_reads_a_file_with_no_known_suffix_as_that_channel():
    assert reader_for(Path("Maildir/cur/1700000000.M1P2.host:2,S"), "email").name == "email.eml.v1"
    assert reader_for(Path("call-0001.log"), "calls").name == "call.text.v1"
    assert reader_for(Path("export.tsv"), "survey").name == "survey.csv.v1"


def test_unknown_channel_lists_the_real_ones():
    with pytest.raises(UnknownFormat) as err:
        reader_for(Path("a.eml"), "fax")
    assert "email, call, survey" in err.value.fix
