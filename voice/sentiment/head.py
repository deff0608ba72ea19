"""A trainable 3-class sentiment head on sentence embeddings.

:class:`SentimentHead` follows scikit-learn's contract (``__init__`` stores the
parameters, ``fit`` returns self, learned attributes end in ``_``) and setfit's
save layout: ``config.json``, ``weights.npz`` (no pickle) and a ``README.md``
model card in one folder. It is a multinomial logistic regression whose logits
are divided by a temperature fitted on out-of-fold predictions, so the
probabilities are calibrated; prediction is plain numpy.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .._threads import one_blas_thread
from ..encode._base import require_encoder
from ..errors import ConfigError
from ..pipeline.doc import LABELS

CONFIG = "config.json"
WEIGHTS = "weights.npz"
CARD = "README.md"


class SentimentHead:
    """negative / neutral / positive from embeddings.

    ``C`` and ``class_weight`` are LogisticRegression's; ``calibrate`` fits a
    temperature on ``cv``-fold out-of-fold logits; ``encoder`` is the name of
    the encoder whose vectors it is trained on (checked when loading)."""

    def __init__(self, C: float = 1.0, class_weight: str | dict | None = None, calibrate: bool = True,
                 cv: int = 5, max_iter: int = 2000, encoder: str | None = None):
        self.C = C
        self.class_weight = class_weight
        self.calibrate = calibrate
        self.cv = cv
        self.max_iter = max_iter
        self.encoder = encoder

    # -- training -----------------------------------------------------------------
    def _lr(self):
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter)

    @one_blas_thread
    def fit(self, X: np.ndarray, y: Sequence[str], sample_weight: np.ndarray | None = None) -> "SentimentHead":
        X = np.asarray(X, dtype=np.float32)
        y = np.asarray(y)
        unknown = sorted(set(y) - set(LABELS))
        if unknown:
            raise ValueError(f"unknown sentiment labels {unknown}; expected {LABELS}")
        missing = [c for c in LABELS if c not in set(y)]
        if missing:
            raise ValueError(f"training data has no example of {missing}; all of {LABELS} are needed")
        lr = self._lr().fit(X, y, sample_weight=sample_weight)
        order = [list(lr.classes_).index(c) for c in LABELS]
        self.classes_ = np.array(LABELS)
        self.coef_ = lr.coef_[order].astype(np.float32)
        self.intercept_ = lr.intercept_[order].astype(np.float32)
        self.n_features_in_ = X.shape[1]
        self.temperature_ = self._fit_temperature(X, y, sample_weight) if self.calibrate else 1.0
        return self

    def _fit_temperature(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None) -> float:
        """The temperature that minimises the out-of-fold log-loss (a 1-D search)."""
        from sklearn.model_selection import StratifiedKFold

        n_splits = min(self.cv, int(min(np.sum(y == c) for c in LABELS)))
        if n_splits < 2:
            return 1.0
        logits = np.zeros((len(y), len(LABELS)), dtype=np.float64)
        folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=0)
        for tr, te in folds.split(X, y):
            sw = None if sample_weight is None else sample_weight[tr]
            lr = self._lr().fit(X[tr], y[tr], sample_weight=sw)
            order = [list(lr.classes_).index(c) for c in LABELS]
            logits[te] = lr.decision_function(X[te])[:, order]
        target = np.array([LABELS.index(v) for v in y])
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        temps = np.exp(np.linspace(np.log(0.2), np.log(5.0), 81))
        losses = [-(w * np.log(_softmax(logits / t)[np.arange(len(y)), target] + 1e-12)).sum() for t in temps]
        return float(temps[int(np.argmin(losses))])

    # -- prediction ---------------------------------------------------------------
    def _check(self, X: np.ndarray) -> np.ndarray:
        if not hasattr(self, "coef_"):
            raise ConfigError("the sentiment head is not trained.", fix="call fit(X, y) or SentimentHead.load(folder).")
        X = np.asarray(X, dtype=np.float32)
        if X.ndim != 2 or X.shape[1] != self.n_features_in_:
            raise ConfigError(f"the sentiment head expects vectors of {self.n_features_in_} dimensions, got shape "
                              f"{X.shape}.", fix=f"encode with the encoder it was trained on ({self.encoder}).")
        return X

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """(n, 3) probabilities in LABELS order."""
        X = self._check(X)
        return _softmax((X @ self.coef_.T + self.intercept_) / self.temperature_).astype(np.float32)

    def predict(self, X: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(labels, scores, probs): the most likely label, P(pos) - P(neg) in [-1, 1], and the probabilities."""
        probs = self.predict_proba(X)
        labels = [LABELS[i] for i in probs.argmax(axis=1)]
        return labels, scores_from_probs(probs), probs

    # -- persistence --------------------------------------------------------------
    def save(self, folder: str | Path, *, training_data: list[dict[str, Any]] | None = None,
             metrics: dict[str, Any] | None = None, notes: str = "") -> Path:
        """Write config.json, weights.npz and a README.md model card into ``folder``."""
        self._check(np.zeros((1, getattr(self, "n_features_in_", 0)), dtype=np.float32))
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        config = {
            "kind": "voice.sentiment.SentimentHead",
            "classes": list(self.classes_),
            "encoder": self.encoder,
            "dim": int(self.n_features_in_),
            "params": {"C": self.C, "class_weight": self.class_weight, "calibrate": self.calibrate, "cv": self.cv,
                       "max_iter": self.max_iter},
            "temperature": self.temperature_,
            "training_data": training_data or [],
            "metrics": metrics or {},
            "date": dt.date.today().isoformat(),
        }
        (folder / CONFIG).write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        np.savez_compressed(folder / WEIGHTS, coef=self.coef_, intercept=self.intercept_)
        (folder / CARD).write_text(model_card(config, notes), encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path, encoder: Any = None) -> "SentimentHead":
        """Load a saved head. ``encoder`` (an Encoder or its name), when given, must be the one it was trained on."""
        folder = Path(folder)
        if not (folder / CONFIG).is_file() or not (folder / WEIGHTS).is_file():
            raise ConfigError(f"no sentiment model in {folder} (config.json and weights.npz are needed).",
                              fix="train one: voice train sentiment (python -m voice.sentiment.train --data "
                                  "../shared/data --out models/sentiment-linear), or point model= at its folder.")
        config = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
        require_encoder("sentiment", folder, config.get("encoder"), encoder,
                        "python -m voice.sentiment.train --data ../shared/data --encoder <name> --out <folder>.")
        if list(config.get("classes", [])) != list(LABELS):
            raise ConfigError(f"the sentiment model in {folder} has classes {config.get('classes')}, not {LABELS}.",
                              fix="retrain it with this version of voice.")
        params = config.get("params", {})
        head = cls(encoder=config.get("encoder"), **params)
        with np.load(folder / WEIGHTS, allow_pickle=False) as w:
            head.coef_ = w["coef"].astype(np.float32)
            head.intercept_ = w["intercept"].astype(np.float32)
        head.classes_ = np.array(LABELS)
        head.n_features_in_ = int(head.coef_.shape[1])
        head.temperature_ = float(config.get("temperature", 1.0))
        head.config_ = config
        return head


def scores_from_probs(probs: np.ndarray) -> np.ndarray:
    """P(positive) - P(negative), clipped to [-1, 1]."""
    probs = np.asarray(probs)
    return np.clip(probs[:, LABELS.index("positive")] - probs[:, LABELS.index("negative")], -1.0, 1.0)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def model_card(config: dict[str, Any], notes: str = "") -> str:
    """A README.md model card from a head's config."""
    lines = [
        "# voice sentiment head",
        "",
        "Three-class sentiment (negative / neutral / positive) for customer messages in Spanish and English: "
        "a multinomial logistic regression on sentence embeddings, with a temperature fitted on out-of-fold "
        "predictions so the probabilities are calibrated. `score = P(positive) - P(negative)`.",
        "",
        f"- encoder: `{config['encoder']}` ({config['dim']} dimensions); loading with another encoder is refused",
        f"- parameters: `{json.dumps(config['params'])}`, temperature {config['temperature']:.3f}",
        f"- trained: {config['date']}",
        "",
        "## Training data",
        "",
    ]
    for src in config.get("training_data") or [{"name": "(not recorded)"}]:
        bits = [f"**{src.get('name')}**"]
        for key in ("rows", "lang", "origin", "licence", "split"):
            if src.get(key) is not None:
                bits.append(f"{key}: {src[key]}")
        lines.append("- " + "; ".join(str(b) for b in bits))
    lines += ["", "## Metrics (held-out data, never trained on)", ""]
    if config.get("metrics"):
        lines += ["| set | macro-F1 | accuracy | n |", "|---|---|---|---|"]
        for name, m in config["metrics"].items():
            lines.append(f"| {name} | {m['macro_f1']:.3f} | {m['accuracy']:.3f} | {m['n']} |")
    else:
        lines.append("(none recorded)")
    if notes:
        lines += ["", notes.strip()]
    lines += [
        "",
        "## Licence",
        "",
        "The weights are derived from the data above. The airline tweets are CC BY-NC-SA 4.0 (Figure Eight "
        "release): a head trained on them inherits the non-commercial, share-alike terms. Retrain without them "
        "(`--no-airline`) for commercial use.",
        "",
        "## Retrain",
        "",
        "    voice train sentiment",
        "    python -m voice.sentiment.train --data ../shared/data --out models/sentiment-linear",
        "",
    ]
    return "\n".join(lines)
