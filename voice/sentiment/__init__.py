"""Sentiment: per sentence, per doc, and per product mention.

Components (registered on import):

- ``sentiment.finetuned.v1``: :class:`~.model.SentimentModel`, fine-tuned on USE's token features
  from the same pass that gives every other step its vectors; the default pipeline's.
- ``sentiment.head.v1``: :class:`SentimentHead` (a linear head) on the shared encoder's vectors.
- ``sentiment.transformers.v1``: any local sequence-classification model (:mod:`.transformers_backend`).
- ``sentiment.aspects.v1``: a mention's polarity from the sentence that carries it (:mod:`.aspects`).
- ``sentiment.aspects.v2``: from the words around the mention, scored by the linear head.
- ``sentiment.aspects.v3``: the window, cut where the sentence turns ("but"), read by the fine-tuned
  model (the default pipeline's).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..encode._base import device_of
from ..pipeline.doc import LABELS, Doc
from ..pipeline.embed import embed, embed_tokens
from ..pipeline.registry import component
from ..sentences.content import mark_non_content, non_content
from .aspects import AspectSentiment, FinetunedAspects, WindowAspectSentiment, score_aspect
from .head import SentimentHead, scores_from_probs
from .model import SentimentModel

__all__ = ["AspectSentiment", "FinetunedAspects", "FinetunedSentiment", "SentimentModel", "WindowAspectSentiment", "HeadSentiment", "SentimentHead", "score_aspect", "scores_from_probs"]


def _has_text(text: str | None) -> bool:
    return bool(text and text.strip())


class HeadSentiment:
    """Fills ``Sentence.sentiment/sentiment_score`` and ``Doc.sentiment/sentiment_score``.

    Vectors come from :func:`~voice.pipeline.embed.embed` (one encoder call per
    batch; with USE the doc vector is pooled from its sentences' pass). The
    doc's label is the head on the doc vector: measured better than the mean of
    its sentences' probabilities (airline held-out 0.758 vs 0.728 macro-F1, TASS
    dev 0.576 vs 0.579); pooled, 0.753 and 0.576.
    Empty or whitespace-only text: neutral, score 0."""

    name = "sentiment.head.v1"

    def __init__(self, head: SentimentHead, encoder: Any):
        self.head = head
        self.encoder = encoder

    def __call__(self, docs: list[Doc]) -> list[Doc]:
        embed(docs, self.encoder)
        targets: list[Any] = []  # sentences and docs with text, in order
        for doc in docs:
            for t in [*doc.sentences, doc]:
                if _has_text(t.text):
                    targets.append(t)
                else:
                    t.sentiment, t.sentiment_score = "neutral", 0.0
        if targets:
            labels, scores, _ = self.head.predict(np.vstack([t.embedding for t in targets]))
            for t, label, score in zip(targets, labels, scores):
                t.sentiment, t.sentiment_score = label, float(score)
        return docs


class FinetunedSentiment:
    """Fills sentence and doc sentiment from the fine-tuned model (:mod:`.model`).

    Every sentence is read from its token features (one encoder pass for the batch, shared with
    the steps after it). A sentence that carries no evaluation (a greeting, sign-off, signature,
    contact line or bare reference: :func:`voice.sentences.content.non_content`) gets no
    sentiment (None) and does not count. The doc's probabilities are the mean of its content
    sentences', each weighted by how evaluative it is (1 - P(neutral)), so one clear complaint
    among factual sentences makes the doc negative, and a doc of only greetings is neutral 0."""

    name = "sentiment.finetuned.v1"

    def __init__(self, model: SentimentModel, encoder: Any, skip_non_content: bool = True):
        self.model, self.encoder, self.skip_non_content = model, encoder, skip_non_content
        self.model_info = {"model": model.card.get("path"), "date": model.card.get("date"),
                           "metrics": model.card.get("metrics")}

    def __call__(self, docs: list[Doc]) -> list[Doc]:
        if self.skip_non_content:
            mark_non_content(docs)  # done by the sentences step already, unless a pipeline turned it off
        feats = embed_tokens(docs, self.encoder, content_only=self.skip_non_content)
        units, keep = [], []
        for doc, row in zip(docs, feats):
            for u, f in zip(doc.sentences or [doc], row):
                # why it carries no sentiment: its kind; a doc with no sentences is its own unit
                why = (u.kind if doc.sentences else non_content(doc.text, doc.lang)) if self.skip_non_content else None
                if f is None or why is not None:
                    u.sentiment, u.sentiment_score = None, None
                else:
                    units.append(u)
                    keep.append(f)
        probs = (self.model.predict_tokens([f[0] for f in keep], torch.stack([f[1] for f in keep]),
                                           torch.stack([f[2] for f in keep])) if keep else np.zeros((0, 3)))
        got = {}
        for u, p in zip(units, probs):
            u.sentiment, u.sentiment_score = LABELS[int(p.argmax())], float(p[2] - p[0])
            got[id(u)] = p
        for doc in docs:
            ps = [got[id(s)] for s in doc.sentences if id(s) in got]
            if doc.sentences:
                if ps:
                    w = np.array([1.0 - p[1] for p in ps]) + 1e-3
                    mean = (np.array(ps) * w[:, None]).sum(0) / w.sum()
                    doc.sentiment, doc.sentiment_score = LABELS[int(mean.argmax())], float(mean[2] - mean[0])
                else:
                    doc.sentiment, doc.sentiment_score = "neutral", 0.0
            elif id(doc) not in got:
                doc.sentiment, doc.sentiment_score = "neutral", 0.0
        return docs


@lru_cache(maxsize=4)
def _load_finetuned(model: str, encoder_name: str | None, device: str = "cpu") -> SentimentModel:
    """One load per folder and encoder: the sentiment and aspects steps share the model (read-only). It runs
    where the encoder does: on a GPU the token features stay there."""
    loaded = SentimentModel.load(Path(model), encoder_name)
    loaded.card["path"] = model
    if device != "cpu":
        loaded.net.to(device)
    return loaded


@component("sentiment.finetuned.v1")
def make_finetuned_sentiment(encoder: Any, model: str = "models/sentiment",
                             skip_non_content: bool = True) -> FinetunedSentiment:
    return FinetunedSentiment(_load_finetuned(str(model), getattr(encoder, "name", encoder), device_of(encoder)),
                              encoder, skip_non_content)


@component("sentiment.head.v1")
def make_head_sentiment(encoder: Any, model: str = "models/sentiment-linear") -> HeadSentiment:
    return HeadSentiment(SentimentHead.load(Path(model), encoder), encoder)


@component("sentiment.aspects.v1")
def make_aspects() -> AspectSentiment:
    return AspectSentiment()


@component("sentiment.aspects.v2")
def make_window_aspects(encoder: Any, model: str = "models/sentiment-linear", mode: str = "window") -> WindowAspectSentiment:
    return WindowAspectSentiment(SentimentHead.load(Path(model), encoder), encoder, mode)


@component("sentiment.aspects.v3")
def make_finetuned_aspects(encoder: Any, model: str = "models/sentiment", mode: str = "contrast") -> FinetunedAspects:
    return FinetunedAspects(_load_finetuned(str(model), getattr(encoder, "name", encoder), device_of(encoder)),
                            encoder, mode)


@component("sentiment.transformers.v1")
def make_transformers_sentiment(model: str, label_map: dict | None = None, batch_size: int = 32):
    from .transformers_backend import TransformersSentiment

    return TransformersSentiment(model, label_map=label_map, batch_size=batch_size)
