"""Throughput of `voice analyze` end to end, per step, against the encoder alone.

Corpus (public, from ../shared/data): CFPB complaint narratives as English emails
(long), airline tweets as English survey comments and TASS tweets as Spanish
survey comments (short), in equal parts. They are written to a new database as
interactions, then analysed with the default pipeline. The encoder-alone figure
encodes the same analysed texts (one vector per interaction) with the same
encoder in one process, no cache. Target: analysis ≥ 0.5x the encoder-only rate.

    .venv/bin/python benchmarks/analyze.py [--n 1500]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))


def corpus(n: int) -> list[tuple[str, str, str]]:
    """(channel, language, text) in equal thirds."""
    third = n // 3
    with (DATA / "complaints/cfpb/complaints_sample.csv").open(newline="", encoding="utf-8") as f:
        emails = [r["Consumer complaint narrative"].strip() for r in csv.DictReader(f)
                  if r["Consumer complaint narrative"].strip()][:third]
    with (DATA / "sentiment/twitter_airline/train.csv").open(newline="", encoding="utf-8") as f:
        airline = [r["text"] for r in csv.DictReader(f)][:third]
    tass_file = next((DATA / "sentiment/tass2020_es").glob("*train*"))
    with tass_file.open(newline="", encoding="utf-8") as f:
        tass = [row[1] for row in csv.reader(f, delimiter="\t") if len(row) > 1][:third]
    return ([("email", "en", t) for t in emails] + [("survey", "en", t) for t in airline]
            + [("survey", "es", t) for t in tass])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1500)
    ap.add_argument("--pipeline", default=None)
    args = ap.parse_args()

    import voice
    from voice.encode import load_encoder
    from voice.records import Identity, Interaction

    items = corpus(args.n)
    with tempfile.TemporaryDirectory() as tmp:
        v = voice.init(Path(tmp) / "bench.db")
        v.store.add_interactions([
            Interaction(channel=ch, source_path="bench", source_pos=str(i), text=text, raw=text,
                        hash_basis=f"{i}:{text}", identities=[Identity("email", f"c{i}@x.example")])
            for i, (ch, _lang, text) in enumerate(items)])
        t = time.perf_counter()
        pipe = v.pipeline(args.pipeline)
        load_s = time.perf_counter() - t
        report = v.analyze(args.pipeline, batch_size=64)
        texts = [r[0] for r in v.store.db.execute("select analysed_text from analyses order by interaction_id")]
        v.close()

    encoder = load_encoder(pipe.encoder)
    encoder.encode(texts[:32])  # warm up
    t = time.perf_counter()
    encoder.encode(texts)
    enc_s = time.perf_counter() - t
    enc_rate = len(texts) / enc_s
    rate = report.analysed / report.seconds
    print(f"# analyze throughput, {dt.date.today()}, {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; pipeline {pipe.label}, encoder {pipe.encoder}")
    print(f"{len(items)} interactions ({len(items) // 3} CFPB emails en, {len(items) // 3} airline tweets en, "
          f"{len(items) // 3} TASS tweets es); models loaded in {load_s:.1f} s (not counted)\n")
    print("| what | interactions/s | seconds |")
    print("|---|---|---|")
    print(f"| `voice analyze` end to end (default pipeline) | {rate:,.0f} | {report.seconds:.1f} |")
    print(f"| encoder alone, same texts (one vector each) | {enc_rate:,.0f} | {enc_s:.1f} |")
    print(f"| ratio | {rate / enc_rate:.2f}x | |\n")
    print("| step | seconds | share |")
    print("|---|---|---|")
    total = sum(report.step_seconds.values())
    for step, secs in sorted(report.step_seconds.items(), key=lambda kv: -kv[1]):
        print(f"| {step} | {secs:.1f} | {100 * secs / total:.0f}% |")


if __name__ == "__main__":
    main()
