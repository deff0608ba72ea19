"""Vectors kept in the store, keyed by the text's hash and the model's name, so
analysing again (a new head, a re-run) does not encode again."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ._base import Encoder

if TYPE_CHECKING:
    from ..store import Store


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


#: the model name of a doc's pooled vector in the cache, keyed by the doc's text as written. v2: pooled
#: from its content sentences only, with the noise blanked (clean.noise.v1); v1's vectors are not reused.
POOLED = "+pooled.v2"


class CachedEncoder:
    """Wraps an encoder; looks each text up before encoding, writes the misses."""

    def __init__(self, encoder: Encoder, store: "Store"):
        while isinstance(encoder, CachedEncoder):  # a cached encoder handed in again: one cache, not two
            encoder = encoder.encoder
        self.encoder = encoder
        self.store = store
        self.name = encoder.name
        self.dim = encoder.dim
        self.pooled_name = f"{encoder.name}{POOLED}"
        self.hits = 0
        self.misses = 0
        if callable(getattr(encoder, "encode_pooled", None)):
            self.encode_pooled = self._encode_pooled  # only where the encoder can pool
        if callable(getattr(encoder, "encode_groups", None)):
            self.encode_groups = self._encode_groups  # only where the encoder keeps token features

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
        found = self._lookup(self.name, hashes)
        first_of: dict[str, int] = {}
        for i, h in enumerate(hashes):
            if h not in found:
                first_of.setdefault(h, i)
        if first_of:
            vectors = self.encoder.encode([texts[i] for i in first_of.values()])
            self._keep(self.name, zip(first_of, vectors))
            found.update(zip(first_of, vectors))
        self.misses += len(first_of)
        self.hits += sum(h not in first_of for h in hashes)
        for i, h in enumerate(hashes):
            out[i] = found[h]
        return out

    def _encode_pooled(self, groups: Sequence[Sequence[str]], texts: Sequence[str]
                       ) -> tuple[list[np.ndarray], np.ndarray]:
        """``encode_pooled`` through the cache: pieces under the encoder's name,
        each group's pooled vector under ``<name>+pooled.v2`` keyed by ``texts`` (the
        whole text the pieces come from). A group is encoded again only if its
        pooled vector or one of its pieces is missing."""
        piece_hashes = [[text_hash(p) for p in g] for g in groups]
        doc_hashes = [text_hash(t) for t in texts]
        pieces_found = self._lookup(self.name, [h for hs in piece_hashes for h in hs])
        docs_found = self._lookup(self.pooled_name, doc_hashes)
        redo = [j for j, (dh, hs) in enumerate(zip(doc_hashes, piece_hashes))
                if dh not in docs_found or any(h not in pieces_found for h in hs)]
        if redo:
            pieces, pooled = self.encoder.encode_pooled([groups[j] for j in redo])
            new_pieces = {h: v for j, vs in zip(redo, pieces) for h, v in zip(piece_hashes[j], vs)}
            new_docs = {doc_hashes[j]: v for j, v in zip(redo, pooled)}
            self._keep(self.name, ((h, v) for h, v in new_pieces.items() if h not in pieces_found))
            self._keep(self.pooled_name, new_docs.items())
            pieces_found.update(new_pieces)
            docs_found.update(new_docs)
        self.misses += len(redo)
        self.hits += len(groups) - len(redo)
        out = [np.stack([pieces_found[h] for h in hs]) if hs else np.zeros((0, self.dim), np.float32)
               for hs in piece_hashes]
        pooled_out = np.stack([docs_found[h] for h in doc_hashes]) if groups else np.zeros((0, self.dim), np.float32)
        return out, pooled_out

    def _encode_groups(self, groups: Sequence[Sequence[str]], *, tokens: bool = False,
                       texts: Sequence[str] | None = None):
        """The encoder's own pass (token features are not kept in the store, so it always runs);
        its piece vectors, and with ``texts`` (the whole texts) its pooled vectors, are kept."""
        encoded = self.encoder.encode_groups(groups, tokens=tokens)
        self._keep(self.name, ((text_hash(p), v) for g, vs in zip(groups, encoded.pieces) for p, v in zip(g, vs)))
        if texts is not None:
            self._keep(self.pooled_name, ((text_hash(t), v) for t, g, v in zip(texts, groups, encoded.pooled) if g))
        self.misses += len(groups)
        return encoded

    def _lookup(self, model: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(hashes))
        for i in range(0, len(unique), 900):
            chunk = unique[i:i + 900]
            rows = self.store.db.execute(
                f"select text_hash, vector from embeddings where model = ? and text_hash in ({','.join('?' * len(chunk))})",
                [model, *chunk])
            for h, blob in rows:
                found[h] = np.frombuffer(blob, dtype=np.float32)
        return found

    def _keep(self, model: str, items) -> None:
        rows = [(h, model, self.dim, np.asarray(v, dtype=np.float32).tobytes()) for h, v in items]
        if rows:
            with self.store.db.atomic():
                self.store.db.conn.executemany(
                    "insert or ignore into embeddings (text_hash, model, dim, vector) values (?, ?, ?, ?)", rows)


class MemoryCache:
    """An encoder with an in-process LRU of its last ``size`` texts' vectors, for
    short texts that recur across batches but are not worth the store
    (keyphrase candidates: "customer service", "atención al cliente"). Each
    call encodes only the texts it has not seen, once each."""

    def __init__(self, encoder: Encoder, size: int = 10_000):
        self.encoder = encoder
        self.name = encoder.name
        self.dim = encoder.dim
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        new = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        # each vector copied out of its batch's matrix: a row view would keep the whole matrix alive as
        # long as the row stays cached (31 MB more per 6,000 tweets, measured)
        fresh = {t: v.copy() for t, v in zip(new, self.encoder.encode(new))} if new else {}
        for i, t in enumerate(texts):
            v = fresh.get(t)
            if v is None:
                v = self._vectors[t]
                self._vectors.move_to_end(t)
            out[i] = v
        self.misses += len(new)
        self.hits += len(texts) - len(new)
        self._vectors.update(fresh)
        while len(self._vectors) > self.size:
            self._vectors.popitem(last=False)
        return out
