"""Approximate nearest neighbours for the meaning side of search, where the exact scan stops scaling.

An exact scan multiplies the query with every interaction's vector: 14 ms at 100,000 on 2 cores, but
260-375 ms at 1,000,000 (benchmarks/RESULTS.md). From :data:`ANN_MIN` vectors on, :class:`AnnIndex` (FAISS,
an inverted file of 8-bit vectors: the vectors grouped around ~4·√n centroids, a query compared with the
vectors of its ``nprobe`` nearest groups only) proposes candidates, and the exact float32 matrix the
index keeps anyway re-scores them, so the scores and the order shown are exact for what is found; only
what is missed is approximate (recall measured in benchmarks/search_scale.py). New interactions join their
nearest group without a rebuild. FAISS is optional: without it the scan stays exact.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path

import numpy as np

from ..store.db import beside

ANN_MIN = 200_000   # vectors from which the index is built (below, the exact scan is fast enough)
NPROBE = 48         # groups searched per query
OVERSAMPLE = 4      # candidates per wanted result, re-scored exactly


def available() -> bool:
    try:
        import faiss  # noqa: F401
    except ImportError:
        return False
    return True


class AnnIndex:
    """An IVF index over the rows of ``matrix`` (unit vectors): ids are row positions."""

    def __init__(self, matrix: np.ndarray, *, nlist: int | None = None, nprobe: int = NPROBE, seed: int = 0):
        import faiss

        n, dim = matrix.shape
        self.nlist = nlist or max(16, int(4 * math.sqrt(n)))
        self.nprobe = nprobe
        self.quantizer = faiss.IndexFlatIP(dim)
        self.index = faiss.IndexIVFScalarQuantizer(self.quantizer, dim, self.nlist, faiss.ScalarQuantizer.QT_8bit,
                                                   faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(seed)
        sample = matrix[rng.choice(n, min(n, 40 * self.nlist), replace=False)] if n > 40 * self.nlist else matrix
        self.index.cp.seed = seed
        self.index.train(np.ascontiguousarray(sample, dtype=np.float32))
        self.index.add(np.ascontiguousarray(matrix, dtype=np.float32))
        self.index.nprobe = nprobe

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def add(self, vectors: np.ndarray) -> None:
        """Rows appended to the matrix: they take the next positions."""
        if len(vectors):
            self.index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def save(self, path: Path, covers: np.ndarray, encoder: str) -> None:
        """Write the index to ``path`` (and its manifest beside it): ``covers`` are the rowids of the rows
        it holds, in order; ``encoder`` names the vectors. Written to a temporary file and renamed, so a
        reader never sees half of one."""
        import faiss

        _write(path, lambda tmp: faiss.write_index(self.index, str(tmp)), covers, encoder,
               nlist=self.nlist, nprobe=self.nprobe)

    @classmethod
    def load(cls, path: Path, rowids: np.ndarray, encoder: str) -> "AnnIndex | None":
        """The index saved at ``path`` if it was built from the first rows of ``rowids`` with ``encoder``
        (it is extended with the rest by the caller); None when there is none or it is stale."""
        import faiss

        manifest = _current(path, rowids, encoder)
        try:
            index = faiss.read_index(str(path)) if manifest else None
        except RuntimeError:
            return None
        if index is None or index.ntotal != manifest["rows"]:
            return None
        self = cls.__new__(cls)
        self.index, self.quantizer = index, None
        self.nlist, self.nprobe = int(manifest["nlist"]), int(manifest["nprobe"])
        self.index.nprobe = self.nprobe
        return self

    def candidates(self, vector: np.ndarray, k: int) -> np.ndarray:
        """Row positions of up to ``k`` likely nearest rows (unordered for the caller: re-score them)."""
        _, found = self.index.search(np.asarray(vector, dtype=np.float32).reshape(1, -1), k)
        found = found[0]
        return found[found >= 0]


def index_path(db_path: str | Path | None) -> Path | None:
    """Where the approximate index of a database file is kept (``cx.db`` -> ``cx.db.ann``); None for a
    database in memory."""
    return beside(db_path, ".ann")


def matrix_path(db_path: str | Path | None) -> Path | None:
    """Where the interactions' float32 vectors of a database file are kept (``cx.db`` -> ``cx.db.vectors``),
    so that another process maps them instead of reading a million vectors from SQLite (14 s)."""
    return beside(db_path, ".vectors")


def remove(db_path: str | Path | None) -> None:
    """Delete a database's saved index and vectors, with their manifests (after an erasure: they hold the
    erased vectors)."""
    for path in (index_path(db_path), matrix_path(db_path)):
        if path is not None:
            for p in (path, _manifest(path), path.with_name(path.name + ".tmp")):
                p.unlink(missing_ok=True)


def save_matrix(path: Path, matrix: np.ndarray, covers: np.ndarray, encoder: str, run: int | None) -> None:
    """``matrix`` (the rows of ``covers``, in order) written as a .npy file, renamed into place, with its
    manifest; ``run``: the last analysis run its vectors come from (a newer one may have changed them)."""
    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            np.save(f, np.ascontiguousarray(matrix, dtype=np.float32))

    _write(path, write, covers, encoder, run=run)


def load_matrix(path: Path, rowids: np.ndarray, encoder: str, run: int | None) -> np.ndarray | None:
    """The vectors saved at ``path``, mapped read-only (the processes that map them share one copy), if
    they were saved for the first rows of ``rowids`` with ``encoder`` after analysis run ``run``; else None."""
    manifest = _current(path, rowids, encoder, run=run)
    try:
        matrix = np.load(path, mmap_mode="r") if manifest else None
    except (OSError, ValueError):
        return None
    if matrix is None or matrix.ndim != 2 or len(matrix) != manifest["rows"] or matrix.dtype != np.float32:
        return None
    return matrix


def _write(path: Path, write, covers: np.ndarray, encoder: str, **extra) -> None:
    """``write(tmp)`` the file, rename it to ``path``, then its manifest: the rowids it covers (a digest),
    the encoder, and ``extra``. A reader never sees half of either."""
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)
    tmp.write_text(json.dumps({"rows": int(len(covers)), "rowids_sha1": _digest(covers), "encoder": encoder,
                               **extra}), encoding="utf-8")
    os.replace(tmp, _manifest(path))


def _current(path: Path, rowids: np.ndarray, encoder: str, **expected) -> dict | None:
    """The manifest of the file at ``path`` when it was saved for the first rows of ``rowids`` with
    ``encoder`` (and ``expected``'s values); None when there is none or it is stale."""
    try:
        manifest = json.loads(_manifest(path).read_text(encoding="utf-8"))
        n = int(manifest["rows"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if (manifest.get("encoder") != encoder or not 1 <= n <= len(rowids)
            or any(manifest.get(k) != v for k, v in expected.items())
            or manifest.get("rowids_sha1") != _digest(rowids[:n])):
        return None
    manifest["rows"] = n
    return manifest


def _manifest(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _digest(rowids: np.ndarray) -> str:
    return hashlib.sha1(np.ascontiguousarray(rowids, dtype=np.int64).tobytes()).hexdigest()
