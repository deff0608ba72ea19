"""The GPU path, measured in one short run (issue #14: encoding >= 150,000 short texts/s end to end and
`voice analyze` >= 20,000/s on one H100/H200) — or the same figures on the CPU where there is no GPU.

Prepared for a session that is lent a device machine: the ``../shared`` data does not travel there, so
write the texts here first, into a folder git ignores, and carry it:

    .venv/bin/python benchmarks/gpu.py --write-texts .gpu/texts.txt --n 200000      # here
    python benchmarks/gpu.py --texts .gpu/texts.txt --n 200000 --out $OUT/gpu.md    # there (carry .gpu)

What it measures, in this order (each figure a wall clock around the whole call, texts in input order):
1. SentencePiece (the C++ tokenizer) alone, texts/s;
2. the encoder alone (one vector per text, tokenising included) at several token budgets per pass;
3. `voice analyze` in this process on ``--analyze`` of the texts as survey comments (a fresh database,
   models loaded and warmed before the clock), with the seconds per step and the GPU's peak memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def read_texts(path: Path | None, n: int) -> list[str]:
    if path is not None:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        return (lines * (n // max(1, len(lines)) + 1))[:n]
    from analyze_scale import texts  # the distinct short public texts of ../shared/data

    return texts(n)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200_000, help="texts for the encoder figures")
    ap.add_argument("--analyze", type=int, default=20_000, help="interactions for the voice analyze figure")
    ap.add_argument("--texts", type=Path, default=None, help="one text per line (else ../shared/data)")
    ap.add_argument("--write-texts", type=Path, default=None, help="write --n texts to this file and stop")
    ap.add_argument("--budgets", default="2048,16384,65536,262144", help="tokens per encoder pass")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    if args.write_texts:
        args.write_texts.parent.mkdir(parents=True, exist_ok=True)
        items = [" ".join(t.split()) for t in read_texts(None, args.n)]
        args.write_texts.write_text("\n".join(items) + "\n", encoding="utf-8")
        print(f"wrote {len(items):,} texts to {args.write_texts}")
        return

    import torch

    import voice
    from voice.encode.use import UseEncoder, resolve_precision
    from voice.records import Identity, Interaction

    items = read_texts(args.texts, args.n)
    cuda = torch.cuda.is_available()
    where = torch.cuda.get_device_name(0) if cuda else f"CPU, {torch.get_num_threads()} torch threads"
    lines = [f"# the GPU path, {dt.date.today()}", "",
             f"Command: `{' '.join(['python', *sys.argv])}`  ",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, {where}; torch {torch.__version__}, "
             f"Python {platform.python_version()}; {len(items):,} short texts (mean "
             f"{sum(map(len, items)) / len(items):.0f} characters)", "",
             "| what | texts/s | seconds |", "|---|---|---|"]

    def row(what: str, n: int, seconds: float) -> None:
        lines.append(f"| {what} | {n / seconds:,.0f} | {seconds:.2f} |")
        print(lines[-1], flush=True)

    for precision in ("fp32", "bf16"):
        enc = UseEncoder(precision=precision)
        enc.encode(items[:256])  # CUDA context, kernels
        if precision == "fp32":
            t = time.perf_counter()
            enc.tokenizer.encode(items)
            row("SentencePiece alone (C++)", len(items), time.perf_counter() - t)
        for budget in (int(b) for b in args.budgets.split(",")):
            enc.token_budget = budget
            enc.encode(items[:1024])
            if cuda:
                torch.cuda.synchronize()
            t = time.perf_counter()
            enc.encode(items)
            if cuda:
                torch.cuda.synchronize()
            row(f"encoder alone, {precision}, {budget:,} tokens per pass", len(items), time.perf_counter() - t)

    part = items[:args.analyze]
    with tempfile.TemporaryDirectory() as tmp:
        v = voice.init(Path(tmp) / "gpu.db")
        v.store.add_interactions([
            Interaction(channel="survey", source_path="gpu", source_pos=str(i), text=x, raw=x, hash_basis=f"gpu:{i}",
                        identities=[Identity("email", f"c{i % 20_000}@x.example")]) for i, x in enumerate(part)])
        v.pipeline().warm_up()
        if cuda:
            torch.cuda.reset_peak_memory_stats()
        report = v.analyze(workers=1)
        peak = f", GPU peak {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB" if cuda else ""
        precision = resolve_precision(None, torch.device("cuda" if cuda else "cpu"))
        row(f"`voice analyze`, one process, {precision} ({report.analysed:,} interactions)", report.analysed,
            report.seconds)
        steps = ", ".join(f"{k} {s:.1f}" for k, s in sorted(report.step_seconds.items(), key=lambda kv: -kv[1]))
        lines += ["", f"Steps (seconds): {steps}{peak}."]
        v.close()
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
