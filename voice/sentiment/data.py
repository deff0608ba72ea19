"""Readers for the public sentiment data sets in ``../shared/data`` (see its README).

The held-back splits are defined here, once, so training and the benchmark agree
and training never sees a test row: :func:`is_airline_test` for the airline
tweets and :func:`is_semeval_test` for SemEval-2014 restaurant sentences.
"""

from __future__ import annotations

import csv
import hashlib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError

AIRLINE = Path("sentiment/twitter_airline/train.csv")
TASS = Path("sentiment/tass2020_es")
SEMEVAL14_RESTAURANTS = Path("absa/semeval2014/Restaurants_Train_v2.xml")
TASS_LABELS = {"N": "negative", "NEU": "neutral", "P": "positive"}


def _held_back(text: str) -> bool:
    """True for about one text in five, chosen by the text's SHA-1 (reproducible, order-free)."""
    return int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 5 == 0


def is_airline_test(text: str) -> bool:
    """The airline held-back 20%: rows whose sha1(text) mod 5 == 0. Never train on them."""
    return _held_back(text)


def is_semeval_test(sentence_id: str) -> bool:
    """The SemEval-2014 held-back 20%: sentences whose sha1(id) mod 5 == 0."""
    return _held_back(sentence_id)


def _need(path: Path) -> Path:
    if not path.exists():
        raise InputError("data file not found.", source=str(path),
                         fix="pass the shared data folder, e.g. --data ../shared/data (see its README.md).")
    return path


def load_airline(data_dir: Path, split: str = "train") -> tuple[list[str], list[str]]:
    """Airline tweets and labels; ``split`` is "train" (not held back), "test" (held back) or "all"."""
    texts, labels = [], []
    with open(_need(Path(data_dir) / AIRLINE), encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            text = row["text"]
            if split != "all" and is_airline_test(text) != (split == "test"):
                continue
            texts.append(text)
            labels.append(row["airline_sentiment"])
    return texts, labels


def load_tass(data_dir: Path, split: str = "train") -> tuple[list[str], list[str]]:
    """TASS 2020 task 1 (es): ``split`` is "train" or "dev". No header: id, text, label (N/NEU/P)."""
    texts, labels = [], []
    path = _need(Path(data_dir) / TASS / f"{split}.tsv")
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 3 or parts[2] not in TASS_LABELS:
                raise InputError("expected id<TAB>text<TAB>N|NEU|P.", source=str(path), position=f"line {n}")
            texts.append(parts[1].strip())
            labels.append(TASS_LABELS[parts[2]])
    return texts, labels


@dataclass
class AspectExample:
    sentence_id: str
    text: str
    term: str
    start: int
    end: int
    polarity: str  # negative | neutral | positive ("conflict" dropped)


def load_semeval_aspects(data_dir: Path, split: str = "test") -> list[AspectExample]:
    """SemEval-2014 restaurant aspect terms with polarity; "conflict" terms are dropped."""
    root = ET.parse(_need(Path(data_dir) / SEMEVAL14_RESTAURANTS)).getroot()
    out = []
    for sent in root.iter("sentence"):
        sid = sent.get("id", "")
        if split != "all" and is_semeval_test(sid) != (split == "test"):
            continue
        text = sent.findtext("text") or ""
        for term in sent.iter("aspectTerm"):
            pol = term.get("polarity")
            if pol not in ("negative", "neutral", "positive"):
                continue
            out.append(AspectExample(sid, text, term.get("term", ""), int(term.get("from", 0)),
                                     int(term.get("to", 0)), pol))
    return out
