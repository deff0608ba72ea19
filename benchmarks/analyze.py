"""Throughput of `voice analyze` end to end, per step, against the encoder alone.

Corpus (public, from ../shared/data): CFPB complaint narratives as English emails
(long), airline tweets as English survey comments and TASS tweets as Spanish
survey comments (short), in equal parts. They are written to a new database as
interactions, then analysed with the default pipeline. The encoder-alone figure
encodes the same analysed texts (one vector per interaction) with the same
encoder in one process, no cache. Target: analysis ≥ 0.5x the encoder-only rate.

    .venv/bin/python benchmarks/analyze.py [--n 1500] [--workers 1,2,ray:2] [--kind short,long]

``ray:N``: ``voice analyze --engine ray --workers N`` on a local Ray instance (started in the run, counted).
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


def _kind(items: list[tuple[str, str, str]], kind: str) -> list[tuple[str, str, str]]:
    if kind == "short":
        return [it for it in items if it[0] == "survey"]
    if kind == "long":
        return [it for it in items if it[0] == "email"]
    return items


def _run(items, pipeline, spec: str, batch_size: int | None = None) -> tuple:
    import resource

    import voice
    from voice.pipeline import run as run_module
    from voice.records import Identity, Interaction

    with tempfile.TemporaryDirectory() as tmp:
        v = voice.init(Path(tmp) / "bench.db")
        v.store.add_interactions([
            Interaction(channel=ch, source_path="bench", source_pos=str(i), text=text, raw=text,
                        hash_basis=f"{i}:{text}", identities=[Identity("email", f"c{i}@x.example")])
            for i, (ch, _lang, text) in enumerate(items)])
        t = time.perf_counter()
        pipe = v.pipeline(pipeline).warm_up()  # every model loaded before the clock starts
        load_s = time.perf_counter() - t
        run_module.MIN_PARALLEL_CHARS = 0  # workers even on a small benchmark corpus (the CLI waits for ~1M characters)
        engine, _, n = spec.rpartition(":")
        report = v.analyze(pipeline, batch_size=batch_size, workers=int(n), engine=engine or "local")
        texts = [r[0] for r in v.store.db.execute("select analysed_text from analyses order by interaction_id")]
        sentences = v.store.db.execute("select count(*) from sentences").fetchone()[0]
        v.close()
    rss = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return pipe, load_s, report, texts, sentences, rss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1500)
    ap.add_argument("--pipeline", default=None)
    ap.add_argument("--workers", default="1", help="comma-separated worker counts to run, e.g. 1,2")
    ap.add_argument("--kind", default="mixed", help="mixed, short (tweets), long (CFPB) or several: short,long")
    ap.add_argument("--batch-size", type=int, default=None,
                    help="interactions per batch (default: voice's own, BATCH_SIZE and BATCH_CHARS)")
    args = ap.parse_args()

    from voice.encode import load_encoder

    items = corpus(args.n)
    print(f"# analyze throughput, {dt.date.today()}, {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}")
    for kind in args.kind.split(","):
        chosen = _kind(items, kind)
        rows = []
        for workers in args.workers.split(","):
            pipe, load_s, report, texts, sentences, rss = _run(chosen, args.pipeline, workers, args.batch_size)
            rows.append((workers, report, sentences, rss, load_s))
        encoder = load_encoder(pipe.encoder)
        encoder.encode(texts[:32])  # warm up
        t = time.perf_counter()
        encoder.encode(texts)
        enc_s = time.perf_counter() - t
        enc_rate = len(texts) / enc_s
        print(f"\n## {kind}: {len(chosen)} interactions; pipeline {pipe.label}, encoder {pipe.encoder}; models "
              f"loaded in {rows[0][4]:.1f} s in this process before the run (not counted; worker processes load "
              f"theirs inside the run, counted)\n")
        print("| what | interactions/s | sentences/s | seconds | x encoder alone | peak RSS (MB, largest process) |")
        print("|---|---|---|---|---|---|")
        for workers, report, sentences, rss, _ in rows:
            rate = report.analysed / report.seconds
            engine, _, n = workers.rpartition(":")
            label = f"--engine ray --workers {n}" if engine == "ray" else f"--workers {n}"
            print(f"| `voice analyze {label}` | {rate:,.1f} | {sentences / report.seconds:,.0f} | "
                  f"{report.seconds:.1f} | {rate / enc_rate:.2f} | {rss:,.0f} |")
        print(f"| encoder alone, same texts (one vector each, this process) | {enc_rate:,.1f} | | {enc_s:.1f} | 1.00 | |\n")
        for workers, report, *_ in rows:
            total = sum(v for k, v in report.step_seconds.items() if k != "write")
            steps = ", ".join(f"{k} {v:.1f}" for k, v in sorted(report.step_seconds.items(), key=lambda kv: -kv[1]))
            print(f"- workers {workers}: step seconds (summed over workers) {steps}; steps total {total:.1f}")


if __name__ == "__main__":
    main()
