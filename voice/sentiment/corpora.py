"""The public sentiment corpora in ``../shared/data/sentiment`` read into one shape, with fixed splits.

Every corpus reads to :class:`Example` rows labelled negative / neutral / positive, and splits
into "train" and "dev" the same way on every machine ("all" is the two together):

- ``twitter_airline`` (en): tweets to US airlines. Dev is the existing held-back 20%
  (:func:`voice.sentiment.data.is_airline_test`, sha1 of the raw tweet mod 5 == 0).
- ``tass2020_es`` (es): Spanish tweets of TASS 2020 task 1; dev is the task's own dev.tsv.
- ``opener_es``, ``opener_en``: OpeNER hotel-review sentences with opinion expressions; dev is the
  origin's dev.json. No opinion -> neutral; all opinions one polarity -> it; mixed -> left out.
- ``coah_es``: Spanish TripAdvisor hotel reviews, 1-5 stars. Each review gives its title alone
  (level "sentence") and title + review (level "document"); dev is sha1(review text) mod 5 == 0,
  so both examples of a review land in the same split.
- ``sfu_reviews_es``: the 400 SFU-Review-SP reviews (positive / negative). Dev: sha1(text) mod 5 == 0.
- ``sfu_negation_es``: the SFU-Review-SP-NEG negation structures with their own polarity; fragments
  under 3 words dropped. Dev: sha1(text) mod 5 == 0.
- ``airline_es``: Spanish tweets to airlines. Dev: sha1(text) mod 5 == 0.
- ``service_es``, ``service_en``: the project's own synthetic customer-service sentences
  (models/sentiment-data, Apache-2.0); all rows train (the held-out service set is separate).
- ``amazon_alexa_en``: Amazon Echo reviews, 1-5 stars; exact duplicate texts kept once per split.
  Dev: sha1(text) mod 5 == 0, so copies of one text never straddle train and dev.

Hashes are over the cleaned text (stripped, whitespace collapsed), except the airline tweets,
which keep data.py's split. :data:`CORPORA` records origin, licence and label rules for model cards.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .._resources import resource
from ..errors import InputError, MissingColumns
from .data import POLARITIES, _held_back, _need, is_airline_test, load_airline, load_tass

SPLITS = ("train", "dev", "all")
STARS = {"1": "negative", "2": "negative", "3": "neutral", "4": "positive", "5": "positive"}
SAME = {p: p for p in POLARITIES}
#: SFU-NEG structure polarity; "" is the unannotated polarity of "noneg" structures (no real negation).
NEGATION = {**SAME, "": "neutral"}
OPENER = {"Positive": "positive", "Negative": "negative"}
NONE_STATED = "none stated in the origin repository ({})"
FIX = "correct the row, or copy the file again from the origin named in the data folder's README.md."


@dataclass(frozen=True)
class Example:
    text: str
    label: str  # "negative" | "neutral" | "positive"
    lang: str  # "es" | "en"
    source: str  # corpus name, e.g. "opener_es"
    level: str  # "sentence" | "document"


def _corpus(lang, origin, licence, commercial, level, dev, labels):
    return {"lang": lang, "origin": origin, "licence": licence, "commercial": commercial, "level": level,
            "dev": dev, "labels": labels}


HASH_DEV = "texts whose sha1(cleaned text) mod 5 == 0 (about 20%)"
OPENER_LABELS = ("no opinion -> neutral; all opinions Positive (Strong or Standard) -> positive; "
                 "all Negative -> negative; mixed polarities -> left out")
CORPORA: dict[str, dict] = {
    "twitter_airline": _corpus(
        "en", "AyushDhatwalia/Twitter-Airline-Sentiment @97f2cfe, Tweets.csv", "CC BY-NC-SA 4.0", False,
        "sentence", "is_airline_test: sha1(raw tweet) mod 5 == 0", "airline_sentiment as given"),
    "tass2020_es": _corpus(
        "es", "git-lu/lit-analysis @eb4f69b (TASS 2020 task 1)", "TASS/SEPLN research data", False,
        "sentence", "the task's dev.tsv", "N -> negative, NEU -> neutral, P -> positive"),
    "opener_es": _corpus(
        "es", "jerbarnes/semeval22_structured_sentiment @aa65f2c, data/opener_es/",
        NONE_STATED.format("OpeNER project corpus"), True, "sentence", "the origin's dev.json", OPENER_LABELS),
    "opener_en": _corpus(
        "en", "jerbarnes/semeval22_structured_sentiment @aa65f2c, data/opener_en/",
        NONE_STATED.format("OpeNER project corpus"), True, "sentence", "the origin's dev.json", OPENER_LABELS),
    "coah_es": _corpus(
        "es", "sinai-uja/COAH @e098fa3, corpus_coah.xml", "CC BY-NC-SA 4.0", False, "sentence+document",
        "reviews whose sha1(cleaned review text) mod 5 == 0; a review's title and document go together",
        "stars 1-2 -> negative, 3 -> neutral, 4-5 -> positive; title alone (sentence) and title + review "
        "(document); empty titles give no sentence example"),
    "sfu_reviews_es": _corpus(
        "es", "sinai-uja/SFU-Review-SP-Neg @edd144f, SFU_Review_SP_NEG_xml/ (reviews.tsv)", "CC BY-NC-SA 4.0",
        False, "document", HASH_DEV, "review polarity as given (from stars: 1-2 negative, 4-5 positive)"),
    "sfu_negation_es": _corpus(
        "es", "sinai-uja/SFU-Review-SP-Neg @edd144f, SFU_Review_SP_NEG_xml/ (negation.tsv)", "CC BY-NC-SA 4.0",
        False, "sentence", HASH_DEV, "negation structure polarity as given; unannotated (value 'noneg') -> "
        "neutral; fragments under 3 words left out"),
    "airline_es": _corpus(
        "es", "cmiglio/solfamidas_sentiment_analysis @784844e, tweets_public.csv",
        NONE_STATED.format("solfamidas tweets"), True, "sentence", HASH_DEV, "airline_sentiment as given"),
    "amazon_alexa_en": _corpus(
        "en", "Vaibhavi282004/amazon-alexa-sentiment-analysis @0ca666b, data/amazon_alexa.tsv",
        NONE_STATED.format("Amazon Alexa reviews"), True, "document", HASH_DEV + "; duplicates kept once per split",
        "rating 1-2 -> negative, 3 -> neutral, 4-5 -> positive; empty texts and repeated texts left out"),
    **{f"service_{lang}": _corpus(
        lang, "this repository, models/sentiment-data/service_train.csv (synthetic, written for the purpose)",
        "Apache-2.0 (the project's own)", True, "sentence",
        "none: every row trains; the service domain is measured on benchmarks/data/service_sentences.csv, "
        "written apart", "as written (kind: praise, praise_negation, complaint, question, ...)")
       for lang in ("es", "en")},
}
#: the project's own synthetic service sentences (read from the repository, not the data folder)
SERVICE_TRAIN = resource("models", "sentiment-data", "service_train.csv")

Row = tuple[str, str, str]  # cleaned text, label, level


def _clean(text: str) -> str:
    return " ".join(text.split())


def _in(split: str, key: str) -> bool:
    return _held_back(key) == (split == "dev")


def _label(value: str, mapping: dict, path: Path, where: str) -> str:
    if value not in mapping:
        raise InputError(f"unknown label {value!r}; expected one of {sorted(mapping)}.", source=str(path),
                         position=where, fix=FIX)
    return mapping[value]


def _table(path: Path, columns: Iterable[str], delimiter: str = "\t") -> Iterator[tuple[str, dict]]:
    """(position, row) for each row of a CSV/TSV with a header; the named columns must be there."""
    with open(_need(path), encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(fh, delimiter=delimiter)
        missing = sorted(set(columns) - set(rows.fieldnames or ()))
        if missing:
            raise MissingColumns(f"missing column(s) {missing}; found {rows.fieldnames}.", source=str(path), fix=FIX)
        for row in rows:
            if None in row.values():
                raise InputError("row has too few fields.", source=str(path), position=f"line {rows.line_num}",
                                 fix=FIX)
            yield f"line {rows.line_num}", row


def _twitter_airline(data_dir: Path, split: str) -> Iterator[Row]:
    texts, labels = load_airline(data_dir, "all")
    path = data_dir / "sentiment/twitter_airline/train.csv"
    for n, (text, label) in enumerate(zip(texts, labels), 1):
        label = _label(label, SAME, path, f"row {n}")
        if is_airline_test(text) == (split == "dev"):
            yield _clean(text), label, "sentence"


def _tass(data_dir: Path, split: str) -> Iterator[Row]:
    texts, labels = load_tass(data_dir, split)
    return ((_clean(t), label, "sentence") for t, label in zip(texts, labels))


def _opener(lang: str) -> Callable[[Path, str], Iterator[Row]]:
    def read(data_dir: Path, split: str) -> Iterator[Row]:
        path = _need(data_dir / f"sentiment/opener_{lang}/{split}.json")
        try:
            sentences = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            raise InputError(f"not valid JSON: {e.msg}.", source=str(path), position=f"line {e.lineno}",
                             fix=FIX) from None
        for n, sent in enumerate(sentences, 1):
            where = f"sentence {n} ({sent.get('sent_id')})"
            found = {_label(o.get("Polarity"), OPENER, path, where) for o in sent.get("opinions", ())}
            if len(found) <= 1:
                yield _clean(sent.get("text", "")), found.pop() if found else "neutral", "sentence"
    return read


def _coah(data_dir: Path, split: str) -> Iterator[Row]:
    path = data_dir / "sentiment/coah_es/train.tsv"
    for where, row in _table(path, ("stars", "title", "review")):
        title, review = _clean(row["title"]), _clean(row["review"])
        label = _label(row["stars"].strip(), STARS, path, where)
        if not review or not _in(split, review):
            continue
        if title:
            yield title, label, "sentence"
        head = title if not title or title[-1] in ".!?…" else title + "."
        yield _clean(f"{head} {review}"), label, "document"


def _table_reader(file: str, text: str, label: str, mapping: dict, level: str, min_words: int = 1,
                delimiter: str = "\t", dedupe: bool = False) -> Callable[[Path, str], Iterator[Row]]:
    """A reader for a one-table corpus split by sha1(cleaned text)."""
    def read(data_dir: Path, split: str) -> Iterator[Row]:
        path, seen = data_dir / "sentiment" / file, set()
        for where, row in _table(path, (text, label), delimiter):
            cleaned, value = _clean(row[text]), _label(row[label].strip(), mapping, path, where)
            if len(cleaned.split()) < min_words or not _in(split, cleaned) or cleaned in seen:
                continue
            if dedupe:
                seen.add(cleaned)
            yield cleaned, value, level
    return read


def _service(lang: str) -> Callable[[Path, str], Iterator[Row]]:
    def read(data_dir: Path, split: str) -> Iterator[Row]:
        if split == "dev":
            return
        for where, row in _table(SERVICE_TRAIN, ("text", "label", "lang"), delimiter=","):
            if row["lang"] == lang:
                yield _clean(row["text"]), _label(row["label"], SAME, SERVICE_TRAIN, where), "sentence"
    return read


READERS: dict[str, Callable[[Path, str], Iterable[Row]]] = {
    "service_es": _service("es"),
    "service_en": _service("en"),
    "twitter_airline": _twitter_airline,
    "tass2020_es": _tass,
    "opener_es": _opener("es"),
    "opener_en": _opener("en"),
    "coah_es": _coah,
    "sfu_reviews_es": _table_reader("sfu_review_sp_neg/reviews.tsv", "text", "polarity", SAME, "document"),
    "sfu_negation_es": _table_reader("sfu_review_sp_neg/negation.tsv", "text", "polarity", NEGATION, "sentence",
                                   min_words=3),
    "airline_es": _table_reader("airline_es/train.csv", "text", "airline_sentiment", SAME, "sentence",
                              delimiter=","),
    "amazon_alexa_en": _table_reader("amazon_alexa_en/train.tsv", "verified_reviews", "rating", STARS, "document",
                                   dedupe=True),
}


def corpus_names(commercial_only: bool = False) -> list[str]:
    """The corpora :func:`load_corpus` reads; ``commercial_only`` keeps those whose licence allows it."""
    return [name for name, meta in CORPORA.items() if meta["commercial"] or not commercial_only]


def load_corpus(name: str, data_dir: Path | str, split: str = "train") -> list[Example]:
    """One corpus's examples; ``split`` is "train", "dev" or "all" (train + dev). See the module docstring."""
    if name not in READERS:
        raise InputError(f"unknown corpus {name!r}.", fix=f"use one of {corpus_names()}.")
    if split not in SPLITS:
        raise InputError(f"unknown split {split!r}.", fix=f"use one of {list(SPLITS)}.")
    if split == "all":
        return load_corpus(name, data_dir, "train") + load_corpus(name, data_dir, "dev")
    lang = CORPORA[name]["lang"]
    return [Example(text, label, lang, name, level)
            for text, label, level in READERS[name](Path(data_dir), split) if text]
