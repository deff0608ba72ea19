"""Sentence splitting of the customer's own words, per language, with spaCy.

Each customer turn of a call is split on its own (a sentence never spans two
turns, and keeps its ``turn_idx``); emails and survey comments are split as one
text. Offsets are into ``Doc.text``. Lines are split too: customers write lists
and one-line paragraphs without full stops. Runs the parser-free sentence
boundaries where the model has them, else the parser, else a rule-based
sentencizer (blank pipeline, with a warning, when a language's model is missing).

Each sentence that carries no content (a greeting, sign-off, signature, contact line, bare
reference or call answer: :func:`.content.non_content`) gets its reason in ``Sentence.kind``;
the steps after it leave such sentences out (no sentiment, intent, theme or keyphrase).
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache

from ..errors import ConfigError
from ..pipeline.doc import Doc, Sentence
from ..pipeline.registry import component
from ..spacy_models import load_spacy, renewed
from .content import mark_non_content

_LINE_BREAKS = re.compile(r"\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)")  # paragraphs and list items
MAX_CHARS = 20_000  # a longer unit is cut into pieces of at most this size, at a sentence end where one is


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Paragraphs / list items of text[start:end], then pieces of at most MAX_CHARS."""
    out = []
    cursor = start
    for m in _LINE_BREAKS.finditer(text, start, end):
        out.append((cursor, m.start()))
        cursor = m.end()
    out.append((cursor, end))
    pieces = []
    for a, b in out:
        while b - a > MAX_CHARS:
            # the last sentence end before the limit, else the last space, else the limit itself
            ends = [text.rfind(mark, a, a + MAX_CHARS) for mark in (". ", "! ", "? ", "… ")]
            cut = max(ends) + 1 if max(ends) > a else text.rfind(" ", a, a + MAX_CHARS)
            cut = cut if cut > a else a + MAX_CHARS
            pieces.append((a, cut))
            a = cut
        pieces.append((a, b))
    return [(a, b) for a, b in pieces if text[a:b].strip()]


METHODS = ("rules", "senter", "parser")


def _nlp(lang: str, method: str):
    if method == "rules":
        return renewed(_rules, lang)
    exclude = ("ner", "lemmatizer", "attribute_ruler") + (("parser",) if method == "senter" else ())
    nlp = renewed(load_spacy, lang, exclude=exclude)
    if method == "senter" and "senter" in nlp.disabled:
        nlp.enable_pipe("senter")
    return nlp


@lru_cache(maxsize=8)
def _rules(lang: str):
    import spacy

    try:
        nlp = spacy.blank(lang)
    except (ImportError, KeyError):
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    return nlp


_OPENERS = "¿¡(\"'«“"


def _bounds(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentence spans trimmed of whitespace, with Spanish opening marks (¿ ¡) and
    opening quotes moved to the sentence they open: spaCy's punctuation rules
    leave them at the end of the one before."""
    out: list[list[int]] = []
    for start, end in spans:
        if out:
            prev = out[-1]
            body = text[prev[0]:prev[1]].rstrip()
            moved = len(body) - len(body.rstrip(_OPENERS))
            if moved and len(body) > moved:
                prev[1] = prev[0] + len(body) - moved
                start = prev[1]
        out.append([start, end])
    trimmed = []
    for start, end in out:
        piece = text[start:end]
        lead, tail = len(piece) - len(piece.lstrip()), len(piece.rstrip())
        if tail > lead:
            trimmed.append((start + lead, start + tail))
    return trimmed


class SentenceSplitter:
    def __init__(self, method: str = "rules", batch_size: int = 64, mark_non_content: bool = True):
        if method not in METHODS:
            raise ConfigError(f"unknown sentence method {method!r}.", fix=f"use one of {', '.join(METHODS)}.")
        self.method = method
        self.batch_size = batch_size
        self.mark_non_content = mark_non_content

    def warm_up(self, langs: tuple[str, ...] = ("en", "es")) -> None:
        """Load each language's spaCy pipeline now instead of on the first batch that needs it."""
        for lang in langs:
            _nlp(lang, self.method)

    def __call__(self, docs: list[Doc]) -> list[Doc]:
        # Every unit (doc text, or each customer turn) -> pieces, grouped by language.
        by_lang: dict[str, list[tuple[Doc, int | None, int, int]]] = defaultdict(list)
        for doc in docs:
            doc.sentences = []
            units = doc.turns or [(None, 0, len(doc.text))]
            for turn_idx, start, end in units:
                for a, b in _pieces(doc.text, start, end):
                    by_lang[doc.lang if doc.lang in ("es", "en") else "xx"].append((doc, turn_idx, a, b))
        # "xx" (another or unknown language) is split by the rules of spaCy's multi-language pipeline
        found: dict[int, list[Sentence]] = defaultdict(list)
        for lang, items in by_lang.items():
            nlp = _nlp(lang, self.method if lang != "xx" else "rules")
            texts = [doc.text[a:b] for doc, _, a, b in items]
            for (doc, turn_idx, a, _b), text, parsed in zip(items, texts, nlp.pipe(texts, batch_size=self.batch_size)):
                # the piece's own text, not parsed.text: spaCy joins every token's text on each read
                for s_start, s_end in _bounds(text, [(s.start_char, s.end_char) for s in parsed.sents]):
                    found[id(doc)].append(Sentence(0, a + s_start, a + s_end, text[s_start:s_end],
                                                   turn_idx=turn_idx))
        for doc in docs:
            sentences = sorted(found.get(id(doc), []), key=lambda s: s.start)
            for i, s in enumerate(sentences):
                s.idx = i
            doc.sentences = sentences
        if self.mark_non_content:
            mark_non_content(docs)
        return docs


@component("sentences.spacy.v1")
def make_sentences(method: str = "rules", batch_size: int = 64, mark_non_content: bool = True) -> SentenceSplitter:
    return SentenceSplitter(method, batch_size, mark_non_content)
