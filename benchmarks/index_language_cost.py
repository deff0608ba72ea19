"""What keeping each interaction's language in the word index costs when an analysis is written (m016:
``analyses`` triggers copy the language to ``interactions.lang``, and the row is re-indexed with it).

Short texts (benchmarks/analyze_scale.py's public tweets and reviews) and long ones (CFPB narratives) are
stored as interactions, then an ``analyses`` row is written for each in batches of 64, as the analysis
writes them — with the triggers, and with them dropped.

    .venv/bin/python benchmarks/index_language_cost.py [--n 20000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

TRIGGERS = ("analyses_lang_ai", "analyses_lang_au", "analyses_lang_ad")


def seconds(texts: list[str], triggers: bool) -> float:
    from voice.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "t.db", create=True)
        if not triggers:
            for name in TRIGGERS:
                store.db.execute(f"drop trigger {name}")
        with store.db.atomic():
            store.db.conn.executemany(
                "insert into interactions (id, content_hash, channel, text) values (?, ?, 'survey', ?)",
                [(f"i{n}", f"h{n}", t) for n, t in enumerate(texts)])
        t = time.perf_counter()
        for a in range(0, len(texts), 64):
            with store.db.atomic():
                store.db.conn.executemany(
                    "insert or replace into analyses (interaction_id, lang, sentiment) values (?, ?, 'neutral')",
                    [(f"i{n}", "es" if n % 3 == 0 else "en") for n in range(a, min(a + 64, len(texts)))])
        spent = time.perf_counter() - t
        store.close()
    return spent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=20_000)
    args = ap.parse_args()
    from _cfpb import TEXT, read_rows
    from analyze_scale import texts

    print("| texts | mean characters | analyses written, no triggers | with the language triggers | per text |")
    print("|---|---|---|---|---|")
    for name, items in (("short", texts(args.n)), ("long (CFPB)", [r[TEXT] for r in read_rows()])):
        without, with_ = seconds(items, False), seconds(items, True)
        print(f"| {len(items):,} {name} | {sum(map(len, items)) / len(items):,.0f} | {without:.2f} s | "
              f"{with_:.2f} s | +{(with_ - without) / len(items) * 1e6:.0f} µs |")


if __name__ == "__main__":
    main()
