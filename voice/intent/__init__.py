"""Intent: what the customer wants (complaint, cancellation, refund, ...), multi-label, from a taxonomy
of intents with a few examples each (``models/intents/default.yaml``; users bring their own).

The pipeline component ``intent.fewshot.v1`` fills ``Doc.intents`` with ``(intent, confidence)`` pairs,
best first, or ``[("other", ...)]`` when no intent passes the threshold.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..encode import Encoder
from ..pipeline.doc import Doc
from ..pipeline.embed import embed
from ..pipeline.registry import component
from .classifier import IntentClassifier
from .taxonomy import OTHER, FewExamplesWarning, Taxonomy, load_taxonomy
from .train import train_intents

__all__ = ["OTHER", "FewExamplesWarning", "IntentClassifier", "IntentComponent", "SentenceIntentComponent", "Taxonomy", "load_taxonomy",
           "train_intents"]

DEFAULT_MODEL = "models/intents/default"
CANDIDATES = 3  # runner-up intents kept with their confidence (Doc.intent_candidates)


class IntentComponent:
    """Fills ``Doc.intents`` for a batch from the doc vectors (reused where an earlier step set them,
    else encoded in one call by :func:`~voice.pipeline.embed.embed` and kept on the docs)."""

    name = "intent.fewshot.v1"

    def __init__(self, head: IntentClassifier, encoder: Encoder, threshold: float | None = None):
        self.head = head
        self.encoder = encoder
        self.threshold = threshold

    def __call__(self, docs: list[Doc]) -> list[Doc]:
        todo = [d for d in docs if d.text and d.text.strip()]
        embed(todo, self.encoder, sentences=False)
        if todo:
            X = np.stack([np.asarray(d.embedding, dtype=np.float32) for d in todo])
            for doc, intents in zip(todo, self.head.predict(X, threshold=self.threshold)):
                doc.intents = intents
        for doc in docs:
            if not (doc.text and doc.text.strip()):
                doc.intents = [(OTHER, 1.0)]
        return docs


class SentenceIntentComponent(IntentComponent):
    """Like ``intent.fewshot.v1``, but each intent's confidence is its best over
    the whole text and each of its sentences of three words or more. One vector
    for a long email dilutes every intent in it ("la lavadora llegó rota ... os he
    escrito dos correos y nada" came out "other"); a sentence that states one
    clearly now counts. Reuses the sentence vectors the sentiment step computed.
    Each such sentence keeps its own intents (``Sentence.intents``), so a
    product mention can be read with what its sentence asks. Sentences that
    carry no content (``Sentence.kind``: "Thank you and best regards", "Hola
    Ana,", a signature) are not read: a sign-off made a complaint "praise";
    and a doc made only of them is "other"."""

    name = "intent.fewshot.v2"
    MIN_WORDS = 3

    def __call__(self, docs: list[Doc]) -> list[Doc]:
        embed([d for d in docs if d.text and d.text.strip()], self.encoder)  # docs and sentences, one call
        super().__call__(docs)  # doc-level intents and the empty-text case
        units = [(d, s) for d in docs if d.text and d.text.strip()
                 for s in d.sentences if s.kind is None and len(s.text.split()) >= self.MIN_WORDS]
        todo = []
        for d in docs:
            if not (d.text and d.text.strip()):
                continue
            if d.sentences and all(s.kind is not None for s in d.sentences):
                d.intents = [(OTHER, 1.0)]  # only greetings, thanks, sign-offs, references: it decides nothing
            else:
                todo.append(d)
        if not todo:
            return docs
        best = self.head.predict_proba(np.stack([np.asarray(d.embedding, dtype=np.float32) for d in todo]))
        row_of = {id(d): i for i, d in enumerate(todo)}
        if units:
            probs = self.head.predict_proba(np.stack([np.asarray(s.embedding, dtype=np.float32) for _, s in units]))
            threshold = self.head.threshold if self.threshold is None else self.threshold
            for (d, s), p in zip(units, probs):
                best[row_of[id(d)]] = np.maximum(best[row_of[id(d)]], p)
                s.intents = [(k, c) for k, c in self.head.decide(p, threshold) if k != OTHER]
        for d in todo:
            row = best[row_of[id(d)]]
            d.intents = self.head.decide(row, self.threshold)
            d.intent_candidates = [(self.head.classes_[k], round(float(row[k]), 4))
                                   for k in np.argsort(-row, kind="stable")[:CANDIDATES]]
        return docs


def _resolve(model: str | Path) -> Path:
    path = Path(model)
    if not path.is_absolute() and not path.exists():
        bundled = Path(__file__).resolve().parents[2] / path  # the repository's models/ folder
        if bundled.exists():
            return bundled
    return path


@component("intent.fewshot.v2")
def make_sentence_intent(encoder: Encoder, model: str = DEFAULT_MODEL,
                         threshold: float | None = None) -> SentenceIntentComponent:
    return SentenceIntentComponent(IntentClassifier.load(_resolve(model), encoder), encoder, threshold)


@component("intent.fewshot.v1")
def make_intent(encoder: Encoder, model: str = DEFAULT_MODEL, threshold: float | None = None) -> IntentComponent:
    return IntentComponent(IntentClassifier.load(_resolve(model), encoder), encoder, threshold)
