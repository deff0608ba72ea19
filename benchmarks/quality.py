"""Every quality benchmark of the analysis engine, in one run, side by side with
its baselines: sentiment (airline held-out 20%, TASS es dev, SemEval-2014 aspect
polarity; vs VADER and sentiment-analysis-spanish), intents (BANKING77 full and
10-shot; vs logistic-regression floors), keyphrases (Inspec F1@10; vs YAKE and
KeyBERT) and the throughput of `voice analyze` against the encoder alone.

Each part is its own script in this folder (run one alone while working on it);
this runs them in turn and prints their tables. Needs ../shared/data.

    .venv/bin/python benchmarks/quality.py [--only sentiment intent keyphrases analyze]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTS = {
    "sentiment": "quality_sentiment.py",
    "intent": "quality_intent.py",
    "keyphrases": "quality_keyphrases.py",
    "analyze": "analyze.py",
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="+", choices=sorted(PARTS), default=list(PARTS))
    args = ap.parse_args(argv)
    failed = []
    for part in args.only:
        script = HERE / PARTS[part]
        print(f"\n## {part}  (`{sys.executable} {script.relative_to(HERE.parent)}`)\n", flush=True)
        t = time.perf_counter()
        code = subprocess.call([sys.executable, str(script)])
        print(f"\n({part}: {time.perf_counter() - t:.0f} s, exit {code})", flush=True)
        if code:
            failed.append(part)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
