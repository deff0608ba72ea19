"""Vectors kept in the store, keyed by the text's hash and the model's name, so
analysing again (a new head, a re-run) does not encode again."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ._base import Encoder

if TYPE_CHECKING:
    from ..store import Store


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class CachedEncoder:
    """Wraps an encoder; looks each text up before encoding, writes the misses."""

    def __init__(self, encoder: Encoder, store: "Store"):
        self.encoder = encoder
        self.store = store
        self.name = encoder.name
        self.dim = encoder.dim
        self.hits = 0
        self.misses = 0

    @property
    def uncached(self) -> Encoder:
        """The encoder itself, for throwaway texts (keyphrase candidates, aspect
        windows) that would only fill the cache: ~10 per interaction, 2 KB each."""
        return self.encoder

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not len(texts):
            return out
        hashes = [text_hash(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(hashes))
        for i in range(0, len(unique), 900):
            chunk = unique[i:i + 900]
            rows = self.store.db.execute(
                f"select text_hash, vector from embeddings where model = ? and text_hash in ({','.join('?' * len(chunk))})",
                [self.name, *chunk])
            for h, blob in rows:
                found[h] = np.frombuffer(blob, dtype=np.float32)
        missing = [i for i, h in enumerate(hashes) if h not in found]
        first_of: dict[str, int] = {}
        for i in missing:
            first_of.setdefault(hashes[i], i)
        if first_of:
            vectors = self.encoder.encode([texts[i] for i in first_of.values()])
            with self.store.db.atomic():
                self.store.db.conn.executemany(
                    "insert or ignore into embeddings (text_hash, model, dim, vector) values (?, ?, ?, ?)",
                    [(h, self.name, self.dim, v.astype(np.float32).tobytes()) for h, v in zip(first_of, vectors)])
            found.update(zip(first_of, vectors))
        self.misses += len(first_of)
        self.hits += len(texts) - len(missing)
        for i, h in enumerate(hashes):
            out[i] = found[h]
        return out
