"""Does "what changed" name a real shift on real data, and nothing on noise?

On copies of an analysed database (the CFPB complaints as a new user builds it: `voice init`, `voice
customers import`, `voice ingest`, `voice analyze`, `voice themes discover`):
- planted: one topical theme, picked at random among those with 30+ interactions, gets ``--move`` of its
  earlier interactions moved into the newest period (dates spread over it) — a rise a CX lead would want
  to hear about; did `what_changed` report that theme rising?
- shuffled: every interaction's date is swapped with another's at random — no real change; did it report
  anything?

    .venv/bin/python benchmarks/changes_planted.py /tmp/cfpb.db [--seeds 5] [--move 10]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _copy(src: Path, dst: Path) -> None:
    a, b = sqlite3.connect(src), sqlite3.connect(dst)
    a.backup(b)
    a.close()
    b.close()


def run(db: Path, seeds: int, move: int) -> None:
    from voice.report.changes import what_changed
    from voice.report.data import _period, trend_unit
    from voice.store import Store
    from voice.themes.groups import generic_theme_ids

    with tempfile.TemporaryDirectory() as tmp:
        found = 0
        for seed in range(seeds):
            rng = random.Random(seed)
            path = Path(tmp) / f"planted{seed}.db"
            _copy(db, path)
            store = Store.open(path)
            rows = store.db.execute("select id, timestamp from interactions where timestamp is not null").fetchall()
            days = [t[:10] for _, t in rows]
            unit = trend_unit(min(days), max(days))
            newest = max(_period(d, unit) for d in days)
            now_days = sorted({d for d in days if _period(d, unit) == newest})
            generic = generic_theme_ids(store)
            themes = [t for t, n in store.db.execute(
                "select theme_id, count(distinct interaction_id) from theme_assignments where theme_id is not null "
                "group by 1") if n >= 30 and t not in generic]
            theme = rng.choice(sorted(themes))
            earlier = [iid for (iid,) in store.db.execute(
                "select distinct ta.interaction_id from theme_assignments ta join interactions i on i.id = "
                "ta.interaction_id where ta.theme_id = ? and i.timestamp is not null", [theme])
                if _period(dict(rows)[iid][:10], unit) != newest]
            for iid in rng.sample(earlier, min(move, len(earlier))):
                day = dt.date.fromisoformat(rng.choice(now_days))
                store.db.execute("update interactions set timestamp = ? where id = ?", [f"{day}T12:00:00", iid])
            result = what_changed(store)
            hit = any(c.kind == "theme" and c.key == theme and c.direction == "up" for c in result.changes)
            found += hit
            others = [f"{c.kind} {c.name[:30]!r} {c.describe()}" for c in result.changes
                      if not (c.kind == "theme" and c.key == theme)]
            print(f"planted seed {seed}: theme {theme} +{move} into {newest} ({result.total_now} interactions now, "
                  f"{result.tested} tested): {'FOUND' if hit else 'missed'}; other changes: {others or 'none'}")
            store.close()
        print(f"planted rises found: {found} of {seeds}")
        quiet = 0
        for seed in range(seeds):
            rng = random.Random(100 + seed)
            path = Path(tmp) / f"shuffled{seed}.db"
            _copy(db, path)
            store = Store.open(path)
            rows = store.db.execute("select id, timestamp from interactions where timestamp is not null").fetchall()
            stamps = [t for _, t in rows]
            rng.shuffle(stamps)
            store.db.conn.executemany("update interactions set timestamp = ? where id = ?",
                                      [(t, iid) for (iid, _), t in zip(rows, stamps)])
            result = what_changed(store)
            quiet += not result.changes
            print(f"shuffled seed {seed}: {len(result.changes)} changes reported "
                  + "; ".join(f"{c.kind} {c.name[:30]!r} {c.describe()} q={c.q}" for c in result.changes))
            store.close()
        print(f"shuffled copies with nothing reported: {quiet} of {seeds}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--move", type=int, default=10)
    a = ap.parse_args()
    run(a.db, a.seeds, a.move)


if __name__ == "__main__":
    main()
