"""The notebooks in notebooks/ run from top to bottom on the demo database and tell its stories."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

import voice

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp("nb") / "voice.db"
    voice.demo(db)
    return db


def execute(name: str, db: Path) -> nbformat.NotebookNode:
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    old = os.environ.get("VOICE_DB")
    os.environ["VOICE_DB"] = str(db)  # the kernel inherits it
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    finally:
        if old is None:
            os.environ.pop("VOICE_DB", None)
        else:
            os.environ["VOICE_DB"] = old
    return nb


def text_of(nb) -> str:
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            out.append(o.get("text", ""))
            data = o.get("data", {})
            out.append(data.get("text/plain", ""))
    return "\n".join(out)


def test_cx_analysis_runs_and_finds_the_delivery_problem(demo_db):
    nb = execute("cx_analysis.ipynb", demo_db)
    text = text_of(nb)
    assert "The worst touchpoint is 'delivery'" in text
    assert "overall mean NPS" in text
    assert "C043" in text  # the high-value clinic heads the call-first list


def test_the_notebooks_use_the_api_not_sql():
    import json

    for name in ("cx_analysis.ipynb", "segment_pull.ipynb"):
        code = "".join("".join(c["source"]) for c in json.loads((NOTEBOOKS / name).read_text())["cells"]
                       if c["cell_type"] == "code")
        assert "read_sql" not in code and "store.db" not in code and "select " not in code.lower(), name


def test_segment_pull_finds_the_airpure_buyers_with_consent(demo_db, tmp_path):
    nb = execute("segment_pull.ipynb", demo_db)
    text = text_of(nb)
    assert "airpure-500" in text and "written:" in text
    assert "no marketing consent" in text  # consent was applied, and said so
    for cell in nb.cells:  # committed without outputs, executed cleanly
        for o in cell.get("outputs", []):
            assert o.get("output_type") != "error"
