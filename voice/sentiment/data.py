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
EMOEVENT = Path("emotion/emoevent_es")
#: SemEval review sentences usable for sentence-level training (key -> file under the data folder).
ABSA_FILES = {
    "semeval2014/restaurants": SEMEVAL14_RESTAURANTS,
    "semeval2014/laptops": Path("absa/semeval2014/Laptop_Train_v2.xml"),
    "semeval2016/restaurants": Path("absa/semeval2016/ABSA16_Restaurants_Train_SB1_v2.xml"),
    "semeval2016/laptops": Path("absa/semeval2016/ABSA16_Laptops_Train_SB1_v2.xml"),
}
#: EmoEvent emotion -> sentiment; an emotion mapped to None is skipped.
EMOTION_SENTIMENT = {"joy": "positive", "anger": "negative", "sadness": "negative", "disgust": "negative",
                     "fear": "negative", "others": "neutral", "surprise": None}
POLARITIES = ("negative", "neutral", "positive")


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


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def sentence_polarity(sent: ET.Element) -> str | None:
    """One label for a SemEval review sentence from its aspect polarities.

    SemEval-2014: the aspect terms' polarities, or when it has no terms its aspect
    categories'; SemEval-2015/16: its Opinions' (NULL targets included). All
    agree -> that label; any "conflict" or disagreement -> "conflict"; none -> None."""
    pols = [t.get("polarity") for t in sent.iter("aspectTerm")]
    if not pols:
        pols = [c.get("polarity") for c in sent.iter("aspectCategory")]
    pols += [o.get("polarity") for o in sent.iter("Opinion")]
    if not pols:
        return None
    found = set(pols)
    return pols[0] if len(found) == 1 and pols[0] in POLARITIES else "conflict"


def semeval_test_texts(data_dir: Path) -> set[str]:
    """Normalised texts of the SemEval-2014 restaurant held-back sentences (empty if the file is absent)."""
    path = Path(data_dir) / SEMEVAL14_RESTAURANTS
    if not path.exists():
        return set()
    return {_norm(s.findtext("text") or "") for s in ET.parse(path).getroot().iter("sentence")
            if is_semeval_test(s.get("id", ""))}


def load_absa_sentences(data_dir: Path, sets=tuple(ABSA_FILES), no_aspect: str | None = None
                        ) -> tuple[list[str], list[str]]:
    """SemEval ABSA review sentences with one sentence-level label (see :func:`sentence_polarity`).

    ``sets``: keys of :data:`ABSA_FILES`. ``no_aspect``: label for sentences without any
    aspect (e.g. "neutral"), or None to skip them. Conflicting sentences are skipped. Never
    returns a SemEval-2014 restaurant held-back sentence (:func:`is_semeval_test`), nor any
    sentence of another file whose text equals one of them, so the aspect benchmark stays unseen."""
    data_dir = Path(data_dir)
    held = semeval_test_texts(data_dir)
    texts, labels, seen = [], [], set()
    for key in sets:
        if key not in ABSA_FILES:
            raise InputError(f"unknown ABSA set {key!r}; expected one of {sorted(ABSA_FILES)}.")
        root = ET.parse(_need(data_dir / ABSA_FILES[key])).getroot()
        for sent in root.iter("sentence"):
            if key == "semeval2014/restaurants" and is_semeval_test(sent.get("id", "")):
                continue
            text = (sent.findtext("text") or "").strip()
            norm = _norm(text)
            if not text or norm in held or norm in seen:
                continue
            label = sentence_polarity(sent)
            if label is None:
                label = no_aspect
            if label not in POLARITIES:
                continue
            seen.add(norm)
            texts.append(text)
            labels.append(label)
    return texts, labels


def load_emoevent(data_dir: Path, split: str = "train", mapping: dict | None = None
                  ) -> tuple[list[str], list[str]]:
    """EmoEvent (es, TASS 2020 task 2) tweets as sentiment: ``split`` "train" or "dev".

    Header ``id<TAB>tweet<TAB>label``; emotions map through ``mapping`` (default
    :data:`EMOTION_SENTIMENT`); an emotion mapped to None is skipped."""
    mapping = EMOTION_SENTIMENT if mapping is None else mapping
    path = _need(Path(data_dir) / EMOEVENT / f"{split}.tsv")
    texts, labels = [], []
    with open(path, encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, 1):
            parts = [p.strip() for p in line.rstrip("\n").split("\t")]
            if n == 1 and parts[-1] == "label":
                continue
            if len(parts) != 3 or parts[2] not in mapping:
                raise InputError("expected id<TAB>tweet<TAB>emotion.", source=str(path), position=f"line {n}")
            text = parts[1]
            if len(text) >= 2 and text[0] == text[-1] == '"':
                text = text[1:-1].replace('""', '"')
            label = mapping[parts[2]]
            if label is None or not text:
                continue
            texts.append(text)
            labels.append(label)
    return texts, labels
