"""The interactions' vectors in one float32 matrix, kept per process.

Each interaction's vector is the analysis's pooled document vector
(``<encoder>+pooled.v2`` keyed by the hash of ``analyses.analysed_text``). An
interaction without one (not analysed yet, or analysed by an encoder that does
not pool) is encoded through :class:`~voice.encode.CachedEncoder`, in batches,
from its analysed text or else its subject and text, so the vector is stored
and the next process reads it back.

float32, not float16: a 100,000 x 512 matrix is 205 MB against 102 MB, but
numpy multiplies float16 without BLAS, ~8x slower (110 ms against 14 ms a
query on this 2-core machine), which alone would break the 100 ms budget.

At scale (with the approximate index) the matrix is also saved beside the database (``cx.db.vectors``,
a .npy file, with a manifest: the rowids it covers, the encoder, the last analysis run) and the next
process maps it read-only instead of reading every vector from SQLite: a web worker's first search at
a million 14.5 s -> 1.8 s, and the workers share one copy in the page cache. A new analysis run, a
deletion or an erasure makes it stale or removes it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from ..encode import CachedEncoder, Encoder
from ..encode.cache import POOLED, text_hash
from .ann import ANN_MIN, OVERSAMPLE, AnnIndex, index_path, load_matrix, matrix_path, save_matrix
from .ann import available as ann_available
from .ann import remove as remove_ann

if TYPE_CHECKING:
    from ..store import Store

RECOUNT_S = 10.0

_ROWS = """select i.rowid, i.id, a.analysed_text, i.subject, i.text
           from interactions i left join analyses a on a.interaction_id = i.id
           where i.rowid > ? order by i.rowid"""


def _doc_text(analysed: str | None, subject: str | None, text: str | None) -> str:
    if analysed:
        return analysed
    return "\n".join(p for p in (subject, text) if p and p.strip())


class VectorIndex:
    """``rowids`` (ascending, the interactions' SQLite rowids), ``ids`` and
    ``matrix`` (one unit-length row each, same order)."""

    def __init__(self, store: Store, encoder: Encoder, *, batch_size: int = 256):
        self.store = store
        self.encoder = encoder
        self.batch_size = batch_size
        self.pooled_name = f"{encoder.name}{POOLED}"
        self.rowids = np.zeros(0, dtype=np.int64)
        self.ids: list[str] = []
        self.matrix = np.zeros((0, encoder.dim), dtype=np.float32)
        self.encoded = 0            # vectors this index had to encode (not found in the store)
        self._count = 0
        self._max_rowid = 0
        self._counted_at = float("-inf")
        self._lock = threading.Lock()
        self.ann = None             # an ann.AnnIndex over the matrix's rows, from ann.ANN_MIN rows on
        self.ann_min = ANN_MIN
        self._ann_thread: threading.Thread | None = None
        self._generation = 0
        self._all_from_store = True  # every row's vector read from the analysis (none encoded here): savable
        self._buffer: np.ndarray | None = None  # the matrix is a view of its first rows (room to append)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        held = self._buffer if self._buffer is not None and self.matrix.base is self._buffer else self.matrix
        return int(held.nbytes + self.rowids.nbytes)

    # --- keeping up with the store ----------------------------------------

    def refresh(self, *, full: bool = True) -> int:
        """Add the interactions stored since the last refresh; rebuild from
        scratch if any were deleted. Returns how many were added. ``full=False``
        (what each search does) reads only max(rowid), a b-tree seek, and
        counts the rows (to notice deletions: ~10 ms at 100k) at most every
        ``RECOUNT_S`` seconds; a deleted interaction found meanwhile is skipped."""
        with self._lock:
            max_rowid = self.store.db.execute("select coalesce(max(rowid), 0) from interactions").fetchone()[0]
            now = time.monotonic()
            if not full and max_rowid == self._max_rowid and now - self._counted_at < RECOUNT_S:
                self._keep_ann()  # a build dropped by a deletion starts again
                return 0
            count = self.store.db.execute("select count(*) from interactions").fetchone()[0]
            self._counted_at = now
            if count == self._count and max_rowid == self._max_rowid:
                self._keep_ann()
                return 0
            new_rows = 0
            if max_rowid > self._max_rowid:
                new_rows = self.store.db.execute(
                    "select count(*) from interactions where rowid > ?", [self._max_rowid]).fetchone()[0]
            if self._count + new_rows != count:  # something was deleted: start again
                self.ann = None
                remove_ann(self.store.path)  # they hold the deleted rows' vectors
                self._generation += 1  # an approximate index being built for the old rows is not taken
                self.rowids = np.zeros(0, dtype=np.int64)
                self.ids = []
                self.matrix = np.zeros((0, self.encoder.dim), dtype=np.float32)
                self._max_rowid = 0
                self._all_from_store = True
            if not len(self.matrix):
                self._load_saved()
            rows = self.store.db.execute(_ROWS, [self._max_rowid]).fetchall()
            self._append(rows)
            self._count, self._max_rowid = count, max_rowid
            self._keep_ann()
            return len(rows)

    def _keep_ann(self) -> None:
        """The approximate index follows the matrix: built once it is large enough — in a background
        thread, searches scanning exactly meanwhile (a million rows take minutes) — extended with new
        rows, dropped when the matrix was rebuilt (deletions)."""
        if self.ann is not None and len(self.ann) > len(self.matrix):
            self.ann = None
        if self.ann is None:
            if len(self.matrix) >= self.ann_min and ann_available() and self._ann_thread is None:
                snapshot, generation = self.matrix, self._generation  # appends never rewrite its rows
                covers = self.rowids[: len(snapshot)]
                path = index_path(self.store.path)

                def build() -> None:
                    # the index another process saved for these rows, else a new one (minutes at 1M), saved
                    ann = AnnIndex.load(path, covers, self.pooled_name) if path else None
                    fresh = ann is None
                    if fresh:
                        ann = AnnIndex(snapshot)
                    with self._lock:
                        if generation == self._generation:
                            if path is not None and self._all_stored(covers):
                                self._save(ann if fresh else None, snapshot, covers)
                            ann.add(self.matrix[len(ann):])
                            self.ann = ann
                        self._ann_thread = None

                self._ann_thread = threading.Thread(target=build, name="voice-ann", daemon=True)
                self._ann_thread.start()
        elif len(self.ann) < len(self.matrix):
            self.ann.add(self.matrix[len(self.ann):])

    def _last_run(self) -> int | None:
        return self.store.db.execute("select max(id) from analysis_runs").fetchone()[0]

    def _load_saved(self) -> None:
        """Start from the vectors another process saved beside the database, if they are for these rows,
        this encoder and the latest analysis run (mapped, not read: 0.x s instead of 14 s at a million)."""
        path = matrix_path(self.store.path)
        if path is None or not path.exists():
            return
        rows = self.store.db.execute("select rowid, id from interactions order by rowid").fetchall()
        rowids = np.fromiter((r[0] for r in rows), np.int64, len(rows))
        matrix = load_matrix(path, rowids, self.pooled_name, self._last_run())
        if matrix is None:
            return
        n = len(matrix)
        self.rowids, self.ids, self.matrix = rowids[:n].copy(), [r[1] for r in rows[:n]], matrix
        self._max_rowid = int(rowids[n - 1])

    def _save(self, ann: AnnIndex | None, matrix: np.ndarray, covers: np.ndarray) -> None:
        """Save a newly built approximate index, and the vectors it re-scores from unless they are saved
        already, beside the database for the next process. Vectors are saved only when every one was read
        from the analysis: one encoded here (an interaction not analysed yet) would outlive its analysis."""
        run = self._last_run()
        try:
            if ann is not None:
                ann.save(index_path(self.store.path), covers, self.pooled_name)
            path = matrix_path(self.store.path)
            saved = load_matrix(path, covers, self.pooled_name, run)
            if self._all_from_store and (saved is None or len(saved) != len(covers)):
                save_matrix(path, matrix, covers, self.pooled_name, run)
        except (OSError, RuntimeError):
            pass  # a read-only folder: they live in this process only

    def _all_stored(self, rowids: np.ndarray) -> bool:
        """Whether every row the index was built from is still stored: none erased while it was built (an
        index saved with an erased interaction's vector would outlive the erasure)."""
        return self.store.db.execute("select count(*) from interactions where rowid <= ?",
                                     [int(rowids[-1])]).fetchone()[0] == len(rowids)

    def wait_for_ann(self, timeout: float | None = None) -> bool:
        """Wait until the approximate index being built is ready; True when there is one."""
        thread = self._ann_thread
        if thread is not None:
            thread.join(timeout)
        return self.ann is not None

    def _append(self, rows: Sequence[tuple]) -> None:
        if not rows:
            return
        texts = [_doc_text(a, s, t) for _, _, a, s, t in rows]
        vectors = np.zeros((len(rows), self.encoder.dim), dtype=np.float32)
        pooled = self._lookup([text_hash(r[2]) if r[2] and r[2].strip() else "" for r in rows])
        missing = []
        for n, (text, vector) in enumerate(zip(texts, pooled)):
            if not text.strip():
                continue  # nothing said: a zero row, which no query comes near
            if vector is None:
                missing.append(n)
                self._all_from_store = False
            else:
                vectors[n] = vector
        if missing:
            cached = CachedEncoder(self.encoder, self.store)
            for start in range(0, len(missing), self.batch_size * 8):
                chunk = missing[start:start + self.batch_size * 8]
                vectors[chunk] = cached.encode([texts[n] for n in chunk])
            self.encoded += cached.misses
        self.rowids = np.concatenate([self.rowids, np.fromiter((r[0] for r in rows), np.int64, len(rows))])
        self.ids.extend(r[1] for r in rows)
        self.matrix = self._grown(vectors)

    def _grown(self, vectors: np.ndarray) -> np.ndarray:
        """The matrix with ``vectors`` appended, as a view of a buffer with spare room (a quarter more):
        copying a million rows to add a hundred took seconds on every search while interactions came in.
        Rows already there are never written again, so a snapshot taken before (the approximate index's
        build) stays as it was."""
        n, size = len(self.matrix), len(self.matrix) + len(vectors)
        if not n:  # the first rows (a whole store, when a process starts): taken as they are, no copy
            return vectors
        buffer = self._buffer
        if buffer is None or self.matrix.base is not buffer or len(buffer) < size:
            buffer = np.empty((size + size // 4 + 1024, vectors.shape[1]), dtype=np.float32)
            buffer[:n] = self.matrix
            self._buffer = buffer
        buffer[n:size] = vectors
        return buffer[:size]

    def _lookup(self, hashes: list[str]) -> list[np.ndarray | None]:
        found: dict[str, bytes] = {}
        unique = [h for h in dict.fromkeys(hashes) if h]
        for i in range(0, len(unique), 900):
            chunk = unique[i:i + 900]
            found.update(self.store.db.execute(
                f"select text_hash, vector from embeddings where model = ? "
                f"and text_hash in ({','.join('?' * len(chunk))})", [self.pooled_name, *chunk]).fetchall())
        return [np.frombuffer(found[h], dtype=np.float32) if h in found else None for h in hashes]

    # --- searching ---------------------------------------------------------

    def positions(self, rowids: Sequence[int] | np.ndarray) -> np.ndarray:
        """Matrix rows of the given interaction rowids (those not indexed are left out)."""
        rowids = np.asarray(rowids, dtype=np.int64)
        pos = np.searchsorted(self.rowids, rowids)
        inside = pos < len(self.rowids)
        pos, rowids = pos[inside], rowids[inside]
        return pos[self.rowids[pos] == rowids]

    def scores(self, vector: np.ndarray) -> np.ndarray:
        """Cosine of every indexed interaction to ``vector`` (unit length), in matrix order."""
        return self.matrix @ np.asarray(vector, dtype=np.float32).reshape(-1)

    def top(self, vector: np.ndarray, k: int, *, within: np.ndarray | None = None,
            scores: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The ``k`` most similar interactions as (rowid, cosine), best first;
        ``within`` limits them to those matrix rows (only they are scored); ``scores`` reuses
        :meth:`scores` already computed. With no limit and an approximate index, its candidates are
        re-scored exactly instead of scanning every row."""
        v = np.asarray(vector, dtype=np.float32).reshape(-1)
        if within is None and scores is None and self.ann is not None:
            within = self.candidates(v, k)
        if scores is not None:
            rows = np.arange(len(scores)) if within is None else np.asarray(within, dtype=np.int64)
            picked = scores[rows]
        elif within is None:
            rows = np.arange(len(self.matrix))
            picked = self.matrix @ v
        else:
            rows = np.asarray(within, dtype=np.int64)
            picked = self.matrix[rows] @ v
        if not len(picked) or k <= 0:
            return []
        k = min(k, len(picked))
        best = np.argpartition(-picked, k - 1)[:k]
        best = best[np.argsort(-picked[best], kind="stable")]
        return [(int(self.rowids[rows[p]]), float(picked[p])) for p in best]

    def candidates(self, vector: np.ndarray, k: int) -> np.ndarray:
        """Matrix rows likely among the ``k`` nearest (``OVERSAMPLE`` times more, at least 200), from the
        approximate index; every row when there is none."""
        if self.ann is None:
            return np.arange(len(self.matrix))
        return np.unique(self.ann.candidates(vector, max(200, OVERSAMPLE * k)))

    def best_first(self, scores: np.ndarray, start: int, stop: int) -> np.ndarray:
        """Matrix rows ranked ``start`` to ``stop`` by ``scores``, best first."""
        stop = min(stop, len(scores))
        if stop <= start:
            return np.zeros(0, dtype=np.int64)
        head = np.argpartition(-scores, stop - 1)[:stop] if stop < len(scores) else np.arange(len(scores))
        return head[np.argsort(-scores[head], kind="stable")][start:stop]


_INDEXES: dict[tuple, VectorIndex] = {}
_INDEXES_LOCK = threading.Lock()


def index_for(store: Store, encoder: Encoder) -> VectorIndex:
    """This process's index of ``store`` for ``encoder``, refreshed (cheaply
    when nothing changed)."""
    key = (id(store.db.conn), store.path, encoder.name)
    with _INDEXES_LOCK:
        index = _INDEXES.get(key)
        if index is None or index.store.db.conn is not store.db.conn:
            index = _INDEXES[key] = VectorIndex(store, encoder)
    index.refresh(full=False)
    return index


def forget(store: Store) -> None:
    """Drop the kept indexes of ``store`` (when closing it)."""
    with _INDEXES_LOCK:
        for key in [k for k in _INDEXES if k[0] == id(store.db.conn)]:
            del _INDEXES[key]
