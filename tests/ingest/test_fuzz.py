"""A few hundred malformed files of every kind the readers take (issue #11): the run completes, every
file is either stored or quarantined, and nothing stored before is lost.

The files are mutations of the bundled examples (seeded, so a failure repeats): cut short, bytes flipped,
garbage or NULs inserted, lines repeated, re-encoded, emptied, or replaced by random bytes."""

import random
import sqlite3
from pathlib import Path

import voice

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SOURCES = sorted([*EXAMPLES.glob("emails/*.eml"), *EXAMPLES.glob("calls/*"), *EXAMPLES.glob("surveys/*.csv"),
                  *EXAMPLES.glob("surveys/*.xlsx")])


def _mutate(data: bytes, rng: random.Random) -> bytes:
    kind = rng.randrange(9)
    n = len(data)
    if kind == 0:  # cut short
        return data[:rng.randrange(max(1, n))]
    if kind == 1:  # flip bytes
        b = bytearray(data)
        for _ in range(rng.randrange(1, 20)):
            if b:
                b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b)
    if kind == 2:  # garbage in the middle
        at = rng.randrange(max(1, n))
        return data[:at] + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400))) + data[at:]
    if kind == 3:  # NULs
        at = rng.randrange(max(1, n))
        return data[:at] + b"\x00" * rng.randrange(1, 50) + data[at:]
    if kind == 4:  # a line repeated many times
        lines = data.split(b"\n")
        line = rng.choice(lines) if lines else b"x"
        return b"\n".join(lines + [line] * rng.randrange(50, 2000))
    if kind == 5:  # re-encoded
        try:
            return data.decode("utf-8").encode(rng.choice(["utf-16", "latin-1", "cp1252", "utf-16-le"]), "replace")
        except UnicodeDecodeError:
            return data[::-1]
    if kind == 6:
        return b""
    if kind == 7:  # random bytes
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
    # unbalanced quotes and brackets
    return data.replace(b'"', b'""""', rng.randrange(1, 5)).replace(b"}", b"", 1).replace(b"]", b"[[", 1)


def test_hundreds_of_malformed_files_never_stop_a_run_nor_lose_anything(tmp_path):
    rng = random.Random(20261201)
    good = tmp_path / "good"
    good.mkdir()
    for src in SOURCES[:6]:
        (good / src.name).write_bytes(src.read_bytes())
    bad = tmp_path / "bad"
    bad.mkdir()
    made = []
    for i in range(300):
        src = rng.choice(SOURCES)
        path = bad / f"{i:03d}-{src.name}"
        path.write_bytes(_mutate(src.read_bytes(), rng))
        made.append(path)
    with voice.init(tmp_path / "v.db", company_domains=["lunahogar.example"]) as v:
        first = v.ingest([good])
        before = {r[0] for r in v.store.db.execute("select id from interactions")}
        assert first.added > 0 and first.quarantined == 0
        report = v.ingest([bad])
        assert v.store.runs(1)[0]["status"] == "done"
        assert report.files == 300
        after = {r[0] for r in v.store.db.execute("select id from interactions")}
        assert before <= after  # nothing stored before is lost
        stored = {r[0] for r in v.store.db.execute("select distinct source_path from interactions")}
        quarantined = {r[0] for r in v.store.db.execute("select distinct source_path from quarantine")}
        # every file is accounted for: stored, quarantined, or every record in it already stored before
        unaccounted = [p for p in made if str(p) not in stored | quarantined]
        for p in unaccounted:
            items = [item for _, item in voice.ingest.read_paths([p])]
            assert items and all(getattr(it, "id", None) in after for it in items), p.name
        assert len(quarantined) > 100  # the mutations do break most files
        v.analyze(limit=40)  # what was stored from broken files can be analysed
    assert sqlite3.connect(tmp_path / "v.db").execute("pragma integrity_check").fetchone() == ("ok",)
