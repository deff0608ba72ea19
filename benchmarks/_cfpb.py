"""The CFPB complaint narratives (../shared/data, read in place) as a user's database: shared by the
benchmarks that read them (themes.py, intents_suggest.py)."""

from __future__ import annotations

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "complaints" / "cfpb" / "complaints_sample.csv"
TEXT = "Consumer complaint narrative"


def read_rows(n: int | None = None) -> list[dict]:
    """The sample's rows with a narrative, in file order (the first ``n``)."""
    with DATA.open(newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r[TEXT].strip()][:n]


def add_as_emails(v, rows: list[dict]) -> dict[str, dict]:
    """Each row stored in ``v`` as an inbound email; returns interaction id -> row."""
    from voice.records import Identity, Interaction

    v.store.add_interactions([
        Interaction(channel="email", source_path="cfpb", source_pos=str(i), direction="inbound", text=r[TEXT],
                    raw=r[TEXT], hash_basis=f"{i}:{r['Complaint ID']}", identities=[Identity("email", f"c{i}@x.example")])
        for i, r in enumerate(rows)])
    ids = [r[0] for r in v.store.db.execute("select id from interactions order by cast(source_pos as integer)")]
    return dict(zip(ids, rows))
