"""The dashboard at scale: `report_data` (the numbers behind the HTML report and the web app's
dashboard) over a store of N interactions, in total and per part.

The store is an analysed, scored database that a user made (``--base``: e.g. the real inputs of
``../shared/tools/real_inputs.py`` after ``voice ingest``, ``voice analyze``, ``voice score`` and
``voice themes discover``) copied whole until it holds ``--n`` interactions: every copy's
interactions, customers and their rows (analyses, sentences, keyphrases, intents, mentions,
experience, survey scores, themes' assignments, scores) under new ids, the same texts and dates.
The copy has no full-text index and no raw messages (the report reads neither: the index's triggers
are dropped, ``raw`` is left empty).

    .venv/bin/python benchmarks/report_scale.py --base /tmp/rep/base.db --n 1000000 [--db /tmp/rep/r1m.db]

Prints the parts' seconds (``--profile``: each helper of voice.report.data, wall clock), then the
whole ``report_data`` unfiltered and with a channel, and a second call (kept or not).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import platform
import shutil
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: table -> columns that carry an id made unique per copy (the rest is copied as it is)
COPIED = {
    "customers": ("id",), "identities": ("value", "customer_id"), "interactions": ("id", "content_hash", "customer_id"),
    "interaction_handles": ("interaction_id", "value"), "survey_scores": ("interaction_id",),
    "analyses": ("interaction_id",), "sentences": ("interaction_id",), "intents": ("interaction_id",),
    "keyphrases": ("interaction_id",), "mentions": ("interaction_id",),
    "experience": ("interaction_id", "customer_id"), "interest": ("customer_id",), "relationships": ("customer_id",),
    "open_loops": ("customer_id", "opened_by"), "theme_assignments": ("interaction_id",),
    "interaction_groups": ("interaction_id",),
}


def replicate(base: Path, out: Path, n: int) -> int:
    """Copy ``base`` to ``out`` and its rows until ``out`` holds about ``n`` interactions; the count."""
    shutil.copyfile(base, out)
    con = sqlite3.connect(out)
    con.execute("pragma journal_mode = wal")
    con.execute("pragma synchronous = off")
    for (name,) in con.execute("select name from sqlite_master where type = 'trigger' and sql like '%fts%'").fetchall():
        con.execute(f"drop trigger {name}")
    con.execute("attach database ? as base", [str(base)])
    have = con.execute("select count(*) from interactions").fetchone()[0]
    copies = max(0, -(-n // have) - 1)
    tables = {t: [r[1] for r in con.execute(f"pragma table_info({t})")] for t in COPIED}
    for c in range(1, copies + 1):
        for table, keyed in COPIED.items():
            cols = tables[table]
            if not cols:
                continue
            picked = [f"{col} || '~{c}'" if col in keyed else "''" if (table, col) == ("interactions", "raw")
                      else f'"{col}"' for col in cols]
            con.execute(f'insert into {table} ({", ".join(chr(34) + x + chr(34) for x in cols)}) '
                        f'select {", ".join(picked)} from base.{table}')
        if c % 20 == 0:
            con.commit()
            print(f"  copy {c} of {copies}", flush=True)
    con.commit()
    total = con.execute("select count(*) from interactions").fetchone()[0]
    con.close()
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", type=Path, required=True, help="an analysed, scored voice database to copy")
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--db", type=Path, default=None, help="where the copy goes (reused when it exists)")
    ap.add_argument("--profile", action="store_true", help="time each helper of voice.report.data")
    ap.add_argument("--once", action="store_true", help="no second unfiltered call")
    args = ap.parse_args()
    db = args.db or args.base.with_name(f"report_{args.n}.db")
    if not db.exists():
        t = time.perf_counter()
        total = replicate(args.base, db, args.n)
        print(f"built {db}: {total:,} interactions in {time.perf_counter() - t:.0f} s")

    from voice.report import data as report
    from voice.store import Store

    spent: Counter[str] = Counter()
    if args.profile:
        for name in [k for k, v in vars(report).items() if k.startswith("_") and callable(v)
                     and getattr(v, "__module__", None) == report.__name__ and not isinstance(v, type)]:
            def timed(fn, label=name):
                @functools.wraps(fn)
                def run(*a, **k):
                    t = time.perf_counter()
                    try:
                        return fn(*a, **k)
                    finally:
                        spent[label] += time.perf_counter() - t
                return run
            setattr(report, name, timed(getattr(report, name)))
        import voice.campaigns as campaigns
        import voice.report.changes as changes
        import voice.report.drivers as drivers

        for module, name in ((drivers, "all_drivers"), (changes, "what_changed"), (campaigns, "campaign_tables")):
            def timed_call(*a, _fn=getattr(module, name), _label=f"{module.__name__.rpartition('.')[2]}.{name}", **k):
                t = time.perf_counter()
                try:
                    return _fn(*a, **k)
                finally:
                    spent[_label] += time.perf_counter() - t
            setattr(module, name, timed_call)

    store = Store.open(db)
    try:
        from voice.report.kept import remove as remove_kept

        remove_kept(db)  # the first call computes (a report kept from an earlier run would be read instead)
    except ImportError:  # a voice from before the kept report (the "before" tree)
        pass
    counts = {t: store.db.execute(f"select count(*) from {t}").fetchone()[0]
              for t in ("interactions", "customers", "sentences", "keyphrases", "theme_assignments", "experience",
                        "survey_scores", "mentions")}
    print(f"# report_data at scale, {dt.date.today()}, {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}\n")
    print("Rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()) + "\n")
    print("| call | seconds | interactions in scope |")
    print("|---|---|---|")
    channel = store.db.execute("select channel from interactions group by channel order by count(*) limit 1"
                               ).fetchone()[0]
    calls = [("unfiltered", {}), ("unfiltered, again (kept beside the database since the first)", {}),
             (f"channel={channel}", {"channel": channel})]
    for label, filters in calls[::2] if args.once else calls:
        spent.clear()
        t = time.perf_counter()
        data = report.report_data(store, **filters)
        took = time.perf_counter() - t
        print(f"| {label} | {took:.2f} | {data.summary['interactions']:,} |")
        if args.profile:
            parts = ", ".join(f"{k} {v:.2f}" for k, v in spent.most_common(12))
            print(f"|   parts (nested parts count in their callers too) | {parts} | |")
    store.close()


if __name__ == "__main__":
    main()
