"""Ingest throughput and peak memory on 5k / 10k / 20k emails.

Each CFPB complaint narrative (../shared/data/complaints/cfpb) is wrapped as an
.eml (a customer writes to the company, with a quoted earlier reply and a
signature, so the cleaning does real work), repeated with fresh Message-IDs to
reach the count. Each size is ingested into a new database in a fresh process;
we report interactions/s end to end (read + parse + clean + store + link) and the
process's peak resident memory. A second run over the same files measures the
idempotent re-ingest (everything already stored).

    .venv/bin/python benchmarks/ingest.py [--sizes 5000 10000 20000]
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import shutil
import subprocess
import sys
from email.utils import format_datetime
from pathlib import Path
import datetime as dt

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "complaints" / "cfpb" / "complaints_sample.csv"
WORK = ROOT / "benchmarks" / "_work"

EML = """From: Customer {n} <customer{c}@mail.example>
To: Support <support@bank.example>
Subject: {subject}
Date: {date}
Message-ID: <bench.{n}@mail.example>
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 8bit

{body}

Regards,
Customer {c}

On {date}, Support <support@bank.example> wrote:
> Thank you for contacting us. Could you give us more details about your case?
> Kind regards, the support team
"""


def narratives() -> list[tuple[str, str]]:
    with DATA.open(newline="", encoding="utf-8") as f:
        return [(r["Issue"], r["Consumer complaint narrative"].strip())
                for r in csv.DictReader(f) if r["Consumer complaint narrative"].strip()]


def build_corpus(folder: Path, count: int) -> None:
    texts = narratives()
    folder.mkdir(parents=True, exist_ok=True)
    base = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    for n in range(count):
        subject, body = texts[n % len(texts)]
        date = format_datetime(base + dt.timedelta(minutes=7 * n))
        (folder / f"{n:06d}.eml").write_text(
            EML.format(n=n, c=n % 5000, subject=subject, date=date, body=body), encoding="utf-8")


CHILD = r"""
import json, resource, sys, time
import voice
db, folder = sys.argv[1], sys.argv[2]
v = voice.init(db, company_domains=["bank.example"])
t = time.perf_counter()
r = v.ingest([folder])
t1 = time.perf_counter() - t
t = time.perf_counter()
r2 = v.ingest([folder])
t2 = time.perf_counter() - t
print(json.dumps({"seen": r.seen, "added": r.added, "seconds": t1, "reingest_seconds": t2,
                  "reingest_added": r2.added, "quarantined": r.quarantined,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(size: int) -> dict:
    folder = WORK / f"emails_{size}"
    if not folder.exists() or len(list(folder.iterdir())) != size:
        shutil.rmtree(folder, ignore_errors=True)
        build_corpus(folder, size)
    db = WORK / f"bench_{size}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    out = subprocess.run([sys.executable, "-c", CHILD, str(db), str(folder)], capture_output=True, text=True,
                         check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["size"] = size
    result["rate"] = result["seen"] / result["seconds"]
    result["reingest_rate"] = result["seen"] / result["reingest_seconds"]
    result["db_mb"] = db.stat().st_size / 1e6
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[5000, 10000, 20000])
    args = ap.parse_args()
    if not DATA.exists():
        sys.exit(f"benchmark data not found at {DATA}: it lives in ../shared/data beside the repository.")
    print(f"# ingest benchmark, {dt.date.today()}, {platform.processor() or platform.machine()}, "
          f"{__import__('os').cpu_count()} cores, Python {platform.python_version()}")
    print("| emails | interactions/s | seconds | peak RSS (MB) | re-ingest/s (0 added) | db size (MB) |")
    print("|---|---|---|---|---|---|")
    for size in args.sizes:
        r = measure(size)
        assert r["added"] == size and r["reingest_added"] == 0, r
        print(f"| {size:,} | {r['rate']:,.0f} | {r['seconds']:.1f} | {r['peak_rss_mb']:.0f} | "
              f"{r['reingest_rate']:,.0f} | {r['db_mb']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
