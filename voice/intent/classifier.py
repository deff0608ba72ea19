"""The intent head: multi-label, few-shot, calibrated, over frozen sentence embeddings.

One-vs-rest logistic regression (one binary model per intent, L2, on the unit-length embeddings), then
one Platt sigmoid shared by all intents, fitted on cross-validated scores, so that a confidence of 0.7
means about 7 in 10 such texts belong to the intent whatever the intent. Texts with no label (the
taxonomy's ``out_of_scope`` lines) are negatives for every intent. ``predict`` returns every intent whose
confidence passes the threshold, best first, or ``[("other", 1 - best)]`` when none does.

Why this head (measured, see benchmarks/results_intent.md): on BANKING77 one-vs-rest LR ranks as well as
multinomial LR and beats cosine-to-prototype; unlike a softmax it gives each intent its own probability,
which multi-label needs (a complaint that also asks for a refund), and it lets "none of them" happen.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from .._threads import one_blas_thread
from ..encode._base import require_encoder
from ..errors import ConfigError
from .taxonomy import OTHER

CONFIG = "config.json"
WEIGHTS = "weights.npz"
CARD = "README.md"
FORMAT = "voice.intent.ovr-lr.v1"


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


class IntentClassifier:
    """Multi-label intent classifier (scikit-learn style: ``fit`` returns self, learned attributes end in _).

    Parameters
    ----------
    C: inverse L2 strength of each one-vs-rest logistic regression.
    class_weight: ``"balanced"`` (weigh an intent's few positives up against the many negatives) or None.
    threshold: the confidence an intent needs to be reported besides the best one (multi-label).
    other_threshold: the confidence the *best* intent needs for the text not to be "other"; ``None``
        (default): calibrated on the cross-validated scores (:func:`calibrate_other`) — with 77 intents
        the best confidence of a rightly read text is often below 0.5 — else ``threshold``.
    cv: folds for the cross-validated calibration (fewer where an intent has fewer examples); 0 = none
        (confidences are then the raw one-vs-rest probabilities).
    encoder: the name of the encoder that made the embeddings (``Encoder.name``); checked on load.
    max_iter: L-BFGS iterations at most.
    """

    def __init__(self, C: float = 10.0, class_weight: str | None = "balanced", threshold: float = 0.5,
                 cv: int = 5, encoder: str | None = None, random_state: int = 0, max_iter: int = 300,
                 other_threshold: float | None = None):
        self.C = C
        self.class_weight = class_weight
        self.threshold = threshold
        self.other_threshold = other_threshold
        self.cv = cv
        self.encoder = encoder
        self.random_state = random_state
        self.max_iter = max_iter

    # -- training ---------------------------------------------------------------------------------------
    @one_blas_thread
    def fit(self, X: np.ndarray, Y: Sequence[Sequence[str] | str]) -> "IntentClassifier":
        """X: (n, dim) embeddings; Y: per row the list of its intents (a single label is fine; an empty
        list marks an out-of-scope text, a negative for every intent)."""
        X = np.asarray(X, dtype=np.float32)
        labels = [[y] if isinstance(y, str) else list(y) for y in Y]
        if len(labels) != len(X):
            raise ValueError(f"X has {len(X)} rows but Y has {len(labels)}")
        self.classes_ = sorted({c for row in labels for c in row})
        if len(self.classes_) < 2:
            raise ConfigError(f"need at least two intents to train, got {self.classes_}.",
                              fix="add examples of another intent.")
        if OTHER in self.classes_:
            raise ConfigError("'other' is reserved for texts that match no intent.",
                              fix="give such texts an empty label list (out_of_scope) instead.")
        Ymat = self._indicator(labels)
        self.coef_, self.intercept_ = self._fit_ovr(X, Ymat)
        self.calibration_ = np.array([1.0, 0.0], dtype=np.float64)  # sigmoid(a * score + b)
        self.cv_scores_: dict[str, Any] = {}
        self.other_threshold_ = self.threshold if self.other_threshold is None else self.other_threshold
        if self.cv and self.cv > 1:
            scores, folds = self._cross_val_scores(X, Ymat)
            if scores is not None:
                self.calibration_ = _platt(scores.ravel(), Ymat[folds >= 0].ravel())
                probs = _sigmoid(self.calibration_[0] * scores + self.calibration_[1])
                if self.other_threshold is None:
                    self.other_threshold_, tradeoff = calibrate_other(probs, Ymat[folds >= 0], self.threshold)
                else:
                    tradeoff = {}
                self.cv_scores_ = {**_cv_report(probs, Ymat[folds >= 0], self.classes_, self.threshold), **tradeoff}
        self.dim_ = X.shape[1]
        self.n_train_ = len(X)
        return self

    def _indicator(self, labels: list[list[str]]) -> np.ndarray:
        index = {c: i for i, c in enumerate(self.classes_)}
        Ymat = np.zeros((len(labels), len(self.classes_)), dtype=np.int8)
        for r, row in enumerate(labels):
            for c in row:
                Ymat[r, index[c]] = 1
        return Ymat

    def _fit_ovr(self, X: np.ndarray, Ymat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """All one-vs-rest logistic regressions at once: the K binary problems are independent, so one
        L-BFGS run over the (K, dim + 1) weights of their summed losses solves each of them (the same
        objective as scikit-learn's ``LogisticRegression(C=C)`` per intent, in one matrix product per step
        instead of K fits: seconds for BANKING77's 77 intents x 10,000 texts)."""
        from scipy.optimize import minimize

        n, d = X.shape
        k = Ymat.shape[1]
        Y = Ymat.astype(np.float64)
        if self.class_weight == "balanced":
            pos = np.maximum(Y.sum(0), 1.0)
            neg = np.maximum(n - Y.sum(0), 1.0)
            W8 = np.where(Y == 1, n / (2 * pos), n / (2 * neg))
        else:
            W8 = np.ones_like(Y)
        Xd = np.asarray(X, dtype=np.float32)

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            W, b = theta[:k * d].reshape(k, d), theta[k * d:]
            Z = (Xd @ W.T.astype(np.float32)).astype(np.float64) + b
            # log(1 + exp(-z)) for positives, log(1 + exp(z)) for negatives, computed stably
            S = np.where(Y == 1, -Z, Z)
            L = np.logaddexp(0.0, S)
            G = W8 * _sigmoid(S) * np.where(Y == 1, -1.0, 1.0)  # d loss / d Z
            f = self.C * float((W8 * L).sum()) + 0.5 * float((W * W).sum())
            gW = self.C * (G.T.astype(np.float32) @ Xd).astype(np.float64) + W
            gb = self.C * G.sum(0)
            return f, np.concatenate([gW.ravel(), gb])

        result = minimize(loss, np.zeros(k * d + k), jac=True, method="L-BFGS-B",
                          options={"maxiter": self.max_iter, "gtol": 1e-4})
        theta = result.x
        return theta[:k * d].reshape(k, d).astype(np.float32), theta[k * d:].astype(np.float32)

    def _cross_val_scores(self, X: np.ndarray, Ymat: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
        """Out-of-fold decision scores, folds stratified by each row's first label."""
        rng = np.random.RandomState(self.random_state)
        first = np.where(Ymat.any(1), Ymat.argmax(1), -1)
        folds = np.full(len(X), -1)
        n_folds = min(self.cv, int(min(np.bincount(first[first >= 0]))))
        if n_folds < 2:
            return None, folds
        for group in np.unique(first):
            rows = rng.permutation(np.where(first == group)[0])
            folds[rows] = (np.arange(len(rows)) + rng.randint(n_folds)) % n_folds
        scores = np.zeros(Ymat.shape, dtype=np.float64)
        for f in range(n_folds):
            test = folds == f
            coef, intercept = self._fit_ovr(X[~test], Ymat[~test])
            scores[test] = X[test] @ coef.T + intercept
        return scores, folds

    # -- prediction -------------------------------------------------------------------------------------
    def decision_function(self, X: np.ndarray) -> np.ndarray:
        return np.asarray(X, dtype=np.float32) @ self.coef_.T + self.intercept_

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """(n, n_intents) calibrated confidences, columns in ``classes_`` order; rows need not sum to 1."""
        a, b = self.calibration_
        return _sigmoid(a * self.decision_function(X).astype(np.float64) + b)

    def predict(self, X: np.ndarray, threshold: float | None = None) -> list[list[tuple[str, float]]]:
        """Per row, every intent with confidence >= threshold, best first; ``[("other", 1 - best)]`` when
        none passes."""
        return [self.decide(row, threshold) for row in self.predict_proba(X)]

    def decide(self, row: np.ndarray, threshold: float | None = None) -> list[tuple[str, float]]:
        """One row of confidences -> the intents at or over the threshold, best first; the best one alone
        when only it reaches the "other" cut-off (``other_threshold_``); else "other". A ``threshold``
        given here sets both cut-offs."""
        other = getattr(self, "other_threshold_", self.threshold) if threshold is None else threshold
        threshold = self.threshold if threshold is None else threshold
        order = np.argsort(-row, kind="stable")
        hits = [(self.classes_[k], round(float(row[k]), 4)) for k in order if row[k] >= threshold]
        if not hits and row[order[0]] >= other:
            hits = [(self.classes_[order[0]], round(float(row[order[0]]), 4))]
        return hits or [(OTHER, round(float(1.0 - row[order[0]]), 4))]

    # -- persistence ------------------------------------------------------------------------------------
    def save(self, folder: str | Path, *, training_data: dict[str, Any] | None = None,
             metrics: dict[str, Any] | None = None, card: str | None = None) -> Path:
        """Write config.json, weights.npz (plain arrays, no pickle) and a README model card."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        config = {
            "format": FORMAT,
            "encoder": self.encoder,
            "dim": int(self.dim_),
            "intents": list(self.classes_),
            "threshold": float(self.threshold),
            "other_threshold": float(getattr(self, "other_threshold_", self.threshold)),
            "params": {"C": self.C, "class_weight": self.class_weight, "cv": self.cv,
                       "random_state": self.random_state, "max_iter": self.max_iter},
            "calibration": {"a": float(self.calibration_[0]), "b": float(self.calibration_[1])},
            "training_data": training_data or {"n_texts": int(self.n_train_)},
            "metrics": metrics if metrics is not None else self.cv_scores_,
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        (folder / CONFIG).write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        np.savez(folder / WEIGHTS, coef=self.coef_.astype(np.float32), intercept=self.intercept_.astype(np.float32),
                 calibration=self.calibration_.astype(np.float64))
        (folder / CARD).write_text(card or _card(config), encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path, encoder: str | Any | None = None) -> "IntentClassifier":
        """Load a saved head. ``encoder`` (a name or an Encoder) is checked against the one it was trained
        with: vectors from another encoder would give confident nonsense."""
        folder = Path(folder)
        try:
            config = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
            with np.load(folder / WEIGHTS, allow_pickle=False) as w:
                coef, intercept, calibration = w["coef"], w["intercept"], w["calibration"]
        except FileNotFoundError as exc:
            raise ConfigError(f"no intent model in {str(folder)!r} ({Path(exc.filename).name} is missing).",
                              fix="train one: python -m voice.intent.train --taxonomy FILE --out "
                                  f"{folder}") from exc
        except (json.JSONDecodeError, KeyError, ValueError, OSError) as exc:
            raise ConfigError(f"the intent model in {str(folder)!r} is damaged ({exc}).",
                              fix="train it again with python -m voice.intent.train.") from exc
        if config.get("format") != FORMAT:
            raise ConfigError(f"{folder}: unknown intent model format {config.get('format')!r}.",
                              fix=f"train it again with this version of voice (format {FORMAT}).")
        require_encoder("intent", repr(str(folder)), config.get("encoder"), encoder,
                        f"python -m voice.intent.train --taxonomy FILE --out {folder} --encoder <your encoder>.")
        params = config.get("params", {})
        model = cls(C=params.get("C", 10.0), class_weight=params.get("class_weight"),
                    threshold=config.get("threshold", 0.5), cv=params.get("cv", 5), encoder=config.get("encoder"),
                    random_state=params.get("random_state", 0), max_iter=params.get("max_iter", 300))
        model.classes_ = list(config["intents"])
        model.other_threshold_ = float(config.get("other_threshold", model.threshold))  # older models: one cut-off
        model.coef_, model.intercept_ = coef.astype(np.float32), intercept.astype(np.float32)
        model.calibration_ = calibration.astype(np.float64)
        model.dim_ = int(config.get("dim", coef.shape[1]))
        model.n_train_ = int(config.get("training_data", {}).get("n_texts", 0))
        model.cv_scores_ = config.get("metrics", {})
        model.config_ = config
        if coef.shape != (len(model.classes_), model.dim_):
            raise ConfigError(f"{folder}: weights of shape {coef.shape} do not match {len(model.classes_)} intents "
                              f"x {model.dim_} dimensions in config.json.", fix="train the model again.")
        return model


def _platt(scores: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Fit sigmoid(a * s + b) to 0/1 targets, with Platt's smoothed targets so that few examples do not
    give 0/1 confidences."""
    from sklearn.linear_model import LogisticRegression

    pos, neg = int(y.sum()), int(len(y) - y.sum())
    if pos == 0 or neg == 0:
        return np.array([1.0, 0.0])
    t = np.where(y == 1, (pos + 1) / (pos + 2), 1 / (neg + 2))
    # a weighted two-row-per-sample trick: each score appears as positive with weight t, negative with 1 - t
    s2 = np.concatenate([scores, scores])[:, None]
    y2 = np.concatenate([np.ones(len(y)), np.zeros(len(y))])
    w2 = np.concatenate([t, 1 - t])
    model = LogisticRegression(C=1e6, max_iter=1000).fit(s2, y2, sample_weight=w2)
    return np.array([float(model.coef_[0, 0]), float(model.intercept_[0])])


OTHER_GRID = np.round(np.arange(0.05, 0.951, 0.01), 2)
KEEP = 0.95  # with no out-of-scope examples: the cut-off keeps this share of the rightly ranked texts


def calibrate_other(probs: np.ndarray, Ymat: np.ndarray, threshold: float) -> tuple[float, dict[str, Any]]:
    """The "other" cut-off for the best intent, from cross-validated confidences, and the trade-off at it.

    With out-of-scope examples (rows with no intent; 10 or more): the cut-off that maximises the mean of
    in-scope accuracy (the best intent is right and passes) and out-of-scope recall (nothing passes). Without
    them the trade-off cannot be seen, so the cut-off is the highest that keeps 95% of the texts whose best
    intent is right. Never above ``threshold``: it only lets a right best intent through that the
    multi-label cut-off would have turned into "other"."""
    labelled = Ymat.any(1)
    best = probs.max(1)
    right = labelled & (Ymat[np.arange(len(Ymat)), probs.argmax(1)] == 1)
    n_in, n_out = int(labelled.sum()), int((~labelled).sum())
    acc = np.array([(right & (best >= t)).sum() / max(n_in, 1) for t in OTHER_GRID])
    oos = np.array([((~labelled) & (best < t)).sum() / max(n_out, 1) for t in OTHER_GRID])
    if n_out >= 10:
        i = int(np.argmax((acc + oos) / 2 - 1e-6 * OTHER_GRID))  # ties: the lower cut-off
        how = "balanced in-scope accuracy and out-of-scope recall"
    else:
        ok = np.where(acc >= KEEP * acc[0])[0]
        i = int(ok.max()) if len(ok) else 0
        how = f"keeps {KEEP:.0%} of the rightly ranked texts (no out-of-scope examples)"
    t = float(min(OTHER_GRID[i], threshold))
    at = lambda x: (float((right & (best >= x)).sum() / max(n_in, 1)),  # noqa: E731
                    float(((~labelled) & (best < x)).sum() / max(n_out, 1)) if n_out else None)
    (acc_t, oos_t), (acc_fix, oos_fix) = at(t), at(threshold)
    return t, {"other_threshold": t, "other_threshold_rule": how,
               "cv_accuracy_at_other_threshold": round(acc_t, 4),
               "cv_out_of_scope_recall_at_other_threshold": None if oos_t is None else round(oos_t, 4),
               f"cv_accuracy_at_{threshold}": round(acc_fix, 4),
               f"cv_out_of_scope_recall_at_{threshold}": None if oos_fix is None else round(oos_fix, 4)}


def _cv_report(probs: np.ndarray, Ymat: np.ndarray, classes: list[str], threshold: float) -> dict[str, Any]:
    """Cross-validated figures written into the model card."""
    pred = probs >= threshold
    tp = int((pred & (Ymat == 1)).sum())
    fp = int((pred & (Ymat == 0)).sum())
    fn = int((~pred & (Ymat == 1)).sum())
    labelled = Ymat.any(1)
    top1 = float(np.mean(Ymat[labelled, probs[labelled].argmax(1)] == 1)) if labelled.any() else math.nan
    other_ok = float(np.mean(~pred[~labelled].any(1))) if (~labelled).any() else math.nan
    return {
        "cv_top1_accuracy": round(top1, 4),
        "cv_micro_precision": round(tp / max(tp + fp, 1), 4),
        "cv_micro_recall": round(tp / max(tp + fn, 1), 4),
        "cv_micro_f1": round(2 * tp / max(2 * tp + fp + fn, 1), 4),
        "cv_out_of_scope_as_other": None if math.isnan(other_ok) else round(other_ok, 4),
        "cv_brier": round(float(np.mean((probs - Ymat) ** 2)), 5),
        "threshold": threshold,
    }


def _card(config: dict[str, Any]) -> str:
    metrics = "\n".join(f"| {k} | {v} |" for k, v in (config.get("metrics") or {}).items())
    data = json.dumps(config.get("training_data"), indent=2, ensure_ascii=False)
    return f"""# Intent head ({config['format']})

Multi-label intent classifier over `{config['encoder']}` sentence embeddings: one-vs-rest logistic
regression per intent with one shared Platt calibration fitted on cross-validated scores. Trained
{config['date']} by `voice.intent.train`.

Intents ({len(config['intents'])}): {', '.join(config['intents'])}. A text whose best confidence is below
{config.get('other_threshold', config['threshold'])} gets `other` (the cut-off calibrated on cross-validated
scores; see the metrics); besides the best one, every intent at or over {config['threshold']} is reported.

## Training data
```json
{data}
```

## Cross-validated metrics (on the training examples)
| metric | value |
|---|---|
{metrics}

## Limits
Few-shot: the head knows only the phrasings its examples cover, so confidences for unusual phrasings can
fall below the threshold (the text then gets `other`); add examples to the taxonomy and retrain. The
calibration is fitted on cross-validated models trained on 4/5 of the examples, so it is slightly
conservative for the final model. Intents are judged on the whole text: a long message about several
things gets the intents that dominate it. Languages: those of the encoder and of the examples.

## Use
```python
from voice.encode import load_encoder
from voice.intent import IntentClassifier
enc = load_encoder("usem3")
head = IntentClassifier.load("<this folder>", enc)
head.predict(enc.encode(["La lavadora llegó rota"]))
```
Licence: Apache-2.0, as the voice project. The weights are plain arrays in `weights.npz` (no pickle).
"""
