"""Search quality across languages: nDCG@10 and P@10 of text, meaning and hybrid
search over public customer text, per language pair (query language -> the
messages' language), on a labelled query set judged by reading.

Corpus (public, read from ../shared/data, never copied here; `build` makes it):
CFPB complaint narratives (en), tweets to US airlines (en), tweets to Spanish and
Latin-American airlines (es), TripAdvisor hotel reviews (es), plus the bundled
examples (es and en). Each is ingested as a user would (survey CSVs with a
response id) and analysed with the default pipeline.

Queries (benchmarks/data/search_queries.csv): one information need per row,
asked in English and in Spanish, each over the messages of one language (the
search's ``lang`` filter), so every need gives an en->xx and an es->xx query.
Judgments (benchmarks/data/search_judgments.csv): query id, interaction id,
grade (0 not relevant, 1 partly: mentions the need in passing, 2 about it), for
every message any mode returned in its top 10 (the pool), judged by reading the
message against the need, blind to the mode that found it.

    .venv/bin/python benchmarks/search_quality.py build /tmp/sq.db
    .venv/bin/python benchmarks/search_quality.py pool /tmp/sq.db /tmp/pool.jsonl   # what is left to judge
    .venv/bin/python benchmarks/search_quality.py score /tmp/sq.db [--out benchmarks/search_quality.md]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
QUERIES = ROOT / "benchmarks" / "data" / "search_queries.csv"
JUDGMENTS = ROOT / "benchmarks" / "data" / "search_judgments.csv"
sys.path.insert(0, str(ROOT))

MODES = ("text", "meaning", "hybrid")
K = 10


def _sources() -> dict[str, list[tuple[str, str]]]:
    """source name -> [(response id, text)]."""
    out: dict[str, list[tuple[str, str]]] = {}
    with (DATA / "complaints/cfpb/complaints_sample.csv").open(newline="", encoding="utf-8") as f:
        seen: dict[str, str] = {}
        for r in csv.DictReader(f):
            text = " ".join((r["Consumer complaint narrative"] or "").split())
            if len(text) > 40 and text not in seen:
                seen[text] = f"cfpb-{r['Complaint ID']}"
        out["cfpb"] = [(k, t) for t, k in seen.items()]
    with (DATA / "sentiment/twitter_airline/train.csv").open(newline="", encoding="utf-8") as f:
        rows = [(f"air-en-{n}", r["text"].strip()) for n, r in enumerate(csv.DictReader(f))]
        out["airline_en"] = [r for r in rows if len(r[1]) > 20][:2000]
    with (DATA / "sentiment/airline_es/train.csv").open(newline="", encoding="utf-8") as f:
        rows = [(f"air-es-{r['tweet_id']}", r["text"].strip()) for r in csv.DictReader(f)]
        out["airline_es"] = [r for r in rows if len(r[1]) > 20][:2000]
    with (DATA / "sentiment/coah_es/train.tsv").open(newline="", encoding="utf-8") as f:
        rows = [(f"coah-{r['id']}", f"{r['title'].strip()}. {' '.join(r['review'].split())}")
                for r in csv.DictReader(f, delimiter="\t")]
        out["coah_es"] = rows[:500]
    return out


def build(db: Path) -> None:
    import voice

    if db.exists():
        raise SystemExit(f"{db} exists; remove it first.")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for name, rows in _sources().items():
            path = Path(tmp) / f"{name}.csv"
            with path.open("w", newline="", encoding="utf-8") as f:
                w = csv.writer(f)
                w.writerow(["response id", "comment"])
                w.writerows(rows)
            paths.append(path)
            print(f"{name}: {len(rows)} texts", flush=True)
        v = voice.init(db, region="ES", company_domains=["lunahogar.example"], timezone="Europe/Madrid")
        with v:
            examples = ROOT / "examples"
            v.import_customers(sorted((examples / "crm").glob("*.csv")))
            v.import_products(examples / "catalog" / "products.yaml")
            v.ingest(paths + [examples / n for n in ("emails", "calls", "surveys")])
            v.analyze()
    print(f"built {db} in {time.perf_counter() - started:.0f} s")


def read_queries() -> list[dict]:
    with QUERIES.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_judgments() -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    if JUDGMENTS.exists():
        with JUDGMENTS.open(newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                out.setdefault(r["query_id"], {})[r["interaction_id"]] = int(r["grade"])
    return out


def run_queries(db: Path) -> dict[tuple[str, str], list[str]]:
    """(query id, mode) -> the top K interaction ids."""
    import voice

    out = {}
    with voice.open(db) as v:
        for q in read_queries():
            for mode in MODES:
                hits = v.search(q["query"], mode=mode, lang=q["doc_lang"], limit=K)
                out[(q["id"], mode)] = [h.interaction_id for h in hits]
    return out


def pool(db: Path, out: Path) -> None:
    """The messages still to judge, one JSON line each: query id, need, interaction id, text —
    shuffled, without the mode that found them."""
    import random

    import voice

    judged = read_judgments()
    results = run_queries(db)
    needs = {q["id"]: q for q in read_queries()}
    todo = sorted({(qid, iid) for (qid, _), ids in results.items() for iid in ids
                   if iid not in judged.get(qid, {})})
    random.Random(0).shuffle(todo)
    with voice.open(db) as v, out.open("w", encoding="utf-8") as f:
        for qid, iid in todo:
            text = v.store.db.execute("select coalesce(subject || '. ', '') || text from interactions where id = ?",
                                      [iid]).fetchone()[0]
            f.write(json.dumps({"query_id": qid, "query": needs[qid]["query"], "need": needs[qid]["need"],
                                "interaction_id": iid, "text": text}, ensure_ascii=False) + "\n")
    print(f"{len(todo)} to judge -> {out}")


def dcg(grades: list[int]) -> float:
    return sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def score(db: Path, out: Path | None) -> None:
    judged = read_judgments()
    queries = read_queries()
    started = time.perf_counter()
    results = run_queries(db)
    took = time.perf_counter() - started
    rows: dict[tuple[str, str], dict[str, list[float]]] = {}
    missing = 0
    for q in queries:
        grades = judged.get(q["id"], {})
        ideal = dcg(sorted(grades.values(), reverse=True)[:K])
        pair = (q["query_lang"], q["doc_lang"])
        for mode in MODES:
            ids = results[(q["id"], mode)]
            missing += sum(1 for i in ids if i not in grades)
            got = [grades.get(i, 0) for i in ids]
            cell = rows.setdefault(pair, {}).setdefault(mode, [])
            cell.append((dcg(got) / ideal if ideal else 0.0, sum(1 for g in got if g > 0) / K))
    lines = [f"# search quality across languages, {dt.date.today().isoformat()}", "",
             "Command: `.venv/bin/python benchmarks/search_quality.py score DB` (corpus by `build`)  ",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
             f"{len(queries)} queries x 3 modes in {took:.0f} s; unjudged results counted not relevant: {missing}", "",
             "| query -> messages | queries | text nDCG@10 | meaning nDCG@10 | hybrid nDCG@10 | text P@10 | "
             "meaning P@10 | hybrid P@10 | hybrid >= better? |", "|---|---|---|---|---|---|---|---|---|"]
    for pair in sorted(rows):
        cells = rows[pair]
        mean = {m: (sum(n for n, _ in cells[m]) / len(cells[m]), sum(p for _, p in cells[m]) / len(cells[m]))
                for m in MODES}
        ok = mean["hybrid"][0] >= max(mean["text"][0], mean["meaning"][0]) - 1e-9
        lines.append(f"| {pair[0]} -> {pair[1]} | {len(cells['text'])} | "
                     + " | ".join(f"{mean[m][0]:.3f}" for m in MODES) + " | "
                     + " | ".join(f"{mean[m][1]:.2f}" for m in MODES) + f" | {'yes' if ok else 'NO'} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if out:
        out.write_text(text, encoding="utf-8")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("build").add_argument("db", type=Path)
    pp = sub.add_parser("pool")
    pp.add_argument("db", type=Path)
    pp.add_argument("out", type=Path)
    sp = sub.add_parser("score")
    sp.add_argument("db", type=Path)
    sp.add_argument("--out", type=Path)
    a = p.parse_args()
    if a.cmd == "build":
        build(a.db)
    elif a.cmd == "pool":
        pool(a.db, a.out)
    else:
        score(a.db, a.out)


if __name__ == "__main__":
    main()
