"""Aspect (product-mention) sentiment.

:class:`AspectSentiment` gives each :class:`~voice.pipeline.doc.Mention` the
polarity of the sentence that carries it (run it after the sentiment step).
:func:`score_aspect` scores one aspect term inside a sentence with a head,
on the whole sentence or on a window of words around the term (the benchmark
compares both on SemEval-2014 restaurants).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..pipeline.doc import Doc

_CLAUSE = re.compile(r"[,;:()]|\s(?:but|pero|aunque|although|though|however|sin embargo|while|mientras)\s", re.I)
# What turns a sentence to another opinion: a window around a term stops there ("X is brilliant, but Y broke").
_CONTRAST = re.compile(r"(?:^|[\s,;:(])(?:but|pero|aunque|although|though|however|whereas|sin embargo|no obstante"
                       r"|mientras que|en cambio|except|excepto|salvo)(?=[\s,;:)]|$)|[;()]", re.I)


class AspectSentiment:
    name = "sentiment.aspects.v1"

    def __call__(self, docs: list[Doc]) -> list[Doc]:
        for doc in docs:
            for m in doc.mentions:
                sent = doc.sentences[m.sentence_idx] if (
                    m.sentence_idx is not None and 0 <= m.sentence_idx < len(doc.sentences)) else None
                if sent is None or not (sent.start <= m.start < sent.end):
                    sent = doc.sentence_at(m.start)
                if sent is None:
                    m.polarity, m.polarity_score = doc.sentiment, doc.sentiment_score
                    continue
                m.sentence_idx = sent.idx
                m.polarity, m.polarity_score = sent.sentiment, sent.sentiment_score
        return docs


class WindowAspectSentiment:
    """Each mention's polarity from the words around it (``mode="window"``: six
    words each side; or ``"clause"``), scored by the sentiment head, all mentions
    of the batch in one encoder call. On SemEval-2014 restaurants (held-out) the
    window gives 0.527 macro-F1 against 0.462 for the whole sentence: a sentence
    often praises one thing and blames another."""

    name = "sentiment.aspects.v2"

    def __init__(self, head: Any, encoder: Any, mode: str = "window"):
        aspect_window("x", 0, 1, mode)  # refuse an unknown mode now, not mid-run
        self.head, self.encoder, self.mode = head, encoder, mode

    def __call__(self, docs: list[Doc]) -> list[Doc]:
        items, owners = [], []
        for doc in docs:
            for m in doc.mentions:
                sent = doc.sentence_at(m.start)
                if sent is not None:
                    m.sentence_idx = sent.idx
                    items.append((sent.text, m.start - sent.start, m.end - sent.start))
                else:
                    items.append((doc.text, m.start, m.end))
                owners.append(m)
        labels, scores = self._score([aspect_window(t, s, e, self.mode) for t, s, e in items])
        for m, label, score in zip(owners, labels, scores):
            m.polarity, m.polarity_score = label, float(score)
        return docs

    def _score(self, windows: list[str]) -> tuple[list[str], np.ndarray]:
        if not windows:
            return [], np.zeros(0, dtype=np.float32)
        encoder = getattr(self.encoder, "uncached", self.encoder)  # windows are not worth caching
        labels, scores, _ = self.head.predict(encoder.encode(windows))
        return labels, scores


class FinetunedAspects(WindowAspectSentiment):
    """The window around each mention read by the fine-tuned model (:mod:`.model`) from its
    token features, all the batch's windows in one encoder pass. Its default mode is "contrast":
    the part of the sentence on the mention's side of any "but" ("The X2 is brilliant, but the
    EcoWash broke after a week" gives the EcoWash only its own part). On the 60 SemEval-2014
    restaurant aspects (held-out) whose sentence praises one thing and blames another it scores 0.430
    macro-F1 against 0.399 for six words each side and 0.365 for the whole sentence; on all 724 the
    three tie (0.505 / 0.513 / 0.494: spacing alone moves these by 0.03). benchmarks/RESULTS.md."""

    name = "sentiment.aspects.v3"

    def __init__(self, head: Any, encoder: Any, mode: str = "contrast"):
        super().__init__(head, encoder, mode)

    def _score(self, windows: list[str]) -> tuple[list[str], np.ndarray]:
        encoder = getattr(self.encoder, "uncached", self.encoder)
        labels, scores, _ = self.head.predict_texts(encoder, windows)
        return labels, scores


def aspect_window(text: str, start: int, end: int, mode: str = "clause", words: int = 6) -> str:
    """The part of ``text`` that talks about the term at [start, end): "sentence" (all of it),
    "clause" (between the nearest clause breaks: commas too), "contrast" (between the nearest
    turns of the sentence: but, pero, aunque, however, sin embargo…) or "window" (``words`` words
    each side)."""
    if mode == "sentence":
        return text
    if mode == "clause":
        left = max((m.end() for m in _CLAUSE.finditer(text, 0, start)), default=0)
        right = next((m.start() for m in _CLAUSE.finditer(text, end)), len(text))
        return text[left:right].strip() or text
    if mode == "contrast":
        left = max((m.end() for m in _CONTRAST.finditer(text, 0, start)), default=0)
        right = next((m.start() for m in _CONTRAST.finditer(text, end)), len(text))
        return text[left:right].strip() or text
    if mode == "window":
        before = text[:start].split()[-words:]
        after = text[end:].split()[:words]
        return " ".join([*before, text[start:end], *after])
    raise ValueError(f"unknown mode {mode!r}; use sentence, clause, window or contrast")


def score_aspect(head: Any, encoder: Any, items: Sequence[tuple[str, int, int]], mode: str = "clause"
                 ) -> tuple[list[str], np.ndarray]:
    """(labels, scores) for aspect terms given as (sentence text, start, end); one encoder call."""
    if not items:
        return [], np.zeros(0, dtype=np.float32)
    texts = [aspect_window(t, s, e, mode) for t, s, e in items]
    labels, scores, _ = head.predict(encoder.encode(texts))
    return labels, scores
