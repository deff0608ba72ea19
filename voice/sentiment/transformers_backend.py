"""Sentiment from any local sequence-classification model folder (transformers).

Labels come from ``config.id2label`` and are mapped to negative / neutral /
positive: common names (NEG/NEU/POS, negative/..., "1 star".."5 stars") are
recognised; ``LABEL_0``-style names need a ``label_map``. The score is
P(pos) - P(neg), summing the probabilities of all labels mapped to each class.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..errors import ConfigError
from ..pipeline.doc import LABELS, Doc

_NAMES = {"neg": "negative", "negative": "negative", "n": "negative", "neu": "neutral", "neutral": "neutral",
          "none": "neutral", "pos": "positive", "positive": "positive", "p": "positive"}


def map_label(name: str, label_map: dict | None = None) -> str | None:
    """negative / neutral / positive for a model's label name, or None when unknown."""
    if label_map and name in label_map:
        return label_map[name]
    key = name.strip().lower()
    if key in _NAMES:
        return _NAMES[key]
    stars = re.fullmatch(r"([1-5])\s*stars?", key)
    if stars:
        n = int(stars.group(1))
        return "negative" if n <= 2 else "neutral" if n == 3 else "positive"
    return None


class TransformersSentiment:
    name = "sentiment.transformers.v1"

    def __init__(self, model: str, label_map: dict | None = None, batch_size: int = 32, max_length: int = 256,
                 device: str | None = None):
        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as exc:
            raise ConfigError("sentiment.transformers.v1 needs torch and transformers.",
                              fix="pip install 'voice[ml]' (or torch transformers).") from exc
        if not Path(model).is_dir():
            raise ConfigError(f"no model folder at {model!r}.",
                              fix="give the path of a local sequence-classification model folder (offline).")
        self._torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(model)
        self.model = AutoModelForSequenceClassification.from_pretrained(model).eval()
        if device:
            self.model.to(device)
        self.batch_size = batch_size
        # never longer than the model's position table (long texts are truncated)
        self.max_length = min(max_length, getattr(self.model.config, "max_position_embeddings", max_length))
        id2label = {int(k): v for k, v in self.model.config.id2label.items()}
        mapped = {i: map_label(str(v), label_map) for i, v in id2label.items()}
        bad = [id2label[i] for i, v in mapped.items() if v not in LABELS]
        if bad:
            raise ConfigError(f"cannot map the model's labels {bad} to {LABELS}.",
                              fix="pass label_map, e.g. {'LABEL_0': 'negative', 'LABEL_1': 'neutral', "
                                  "'LABEL_2': 'positive'}.")
        # (n_model_labels, 3) matrix summing model probabilities into our classes
        self._to_ours = np.zeros((len(id2label), len(LABELS)), dtype=np.float32)
        for i, lab in mapped.items():
            self._to_ours[i, LABELS.index(lab)] = 1.0
        # a 2-class model: neutral gets probability 0 and is never predicted
        self.model_name = Path(model).name

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        device = next(self.model.parameters()).device
        for i in range(0, len(texts), self.batch_size):
            batch = [t if t and t.strip() else " " for t in texts[i:i + self.batch_size]]
            enc = self.tokenizer(batch, padding=True, truncation=True, max_length=self.max_length,
                                 return_tensors="pt").to(device)
            with self._torch.no_grad():
                logits = self.model(**enc).logits.float()
            out[i:i + len(batch)] = self._torch.softmax(logits, dim=-1).cpu().numpy() @ self._to_ours
        return out

    def predict(self, texts: Sequence[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
        probs = self.predict_proba(texts)
        scores = probs[:, 2] - probs[:, 0]
        return [LABELS[int(i)] for i in probs.argmax(axis=1)], scores, probs

    def __call__(self, docs: list[Doc]) -> list[Doc]:
        units = [(s, s.text) for d in docs for s in (d.sentences or [d]) if s.text and s.text.strip()]
        probs = self.predict_proba([t for _, t in units]) if units else np.zeros((0, 3), np.float32)
        for (u, _), p in zip(units, probs):
            u.sentiment, u.sentiment_score = LABELS[int(p.argmax())], float(p[2] - p[0])
        for d in docs:
            for s in d.sentences:
                if not (s.text and s.text.strip()):
                    s.sentiment, s.sentiment_score = "neutral", 0.0
            if d.sentences:
                ids = {id(s) for s in d.sentences}
                ps = [p for (u, _), p in zip(units, probs) if id(u) in ids]
                if ps:
                    mean = np.mean(ps, axis=0)
                    d.sentiment, d.sentiment_score = LABELS[int(mean.argmax())], float(mean[2] - mean[0])
                else:
                    d.sentiment, d.sentiment_score = "neutral", 0.0
            elif not (d.text and d.text.strip()):
                d.sentiment, d.sentiment_score = "neutral", 0.0
        return docs
