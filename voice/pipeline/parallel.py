"""The analysis on every core: worker processes run the pipeline over batches, one writer keeps the store.

Each worker (a fresh ``spawn``ed process: torch and threads do not survive ``fork``) builds the same
pipeline once, with one thread for torch and BLAS (N workers on N cores: more threads would only fight),
and reads the store read-only for cached vectors and the product catalog. The main process reads the
pending interactions in batches, sends each batch's Docs out, and writes the results back in order, each
batch in one transaction with the vectors the worker encoded — the same rows one process writes
(``tests/pipeline/test_parallel.py`` compares them).
"""

from __future__ import annotations

import os
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..store import Store
    from .doc import Doc
    from .pipeline import Pipeline

_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")
_WORKER: dict[str, Any] = {}


WORKER_GB = 1.0  # what one worker holds: the encoder, the heads and spaCy's models (measured ~0.8 GB)


def default_workers() -> int:
    """The cores this process may use, as many as the free memory holds (one worker per WORKER_GB)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    try:
        with open("/proc/meminfo") as f:
            free_kb = next(int(line.split()[1]) for line in f if line.startswith("MemAvailable:"))
        cores = min(cores, int(free_kb / (WORKER_GB * 1024 ** 2)))
    except (OSError, StopIteration, ValueError):
        pass
    return max(1, cores)


def _collecting_cache(encoder, store):
    """A CachedEncoder that reads the store and collects the vectors it would write, for the writer: a
    worker never writes the store."""
    from ..encode import CachedEncoder

    class CollectingCache(CachedEncoder):
        def __init__(self, encoder, store):
            super().__init__(encoder, store)
            self.rows: list[tuple] = []

        def _keep(self, model: str, items) -> None:
            import numpy as np

            self.rows.extend((h, model, self.dim, np.asarray(v, dtype=np.float32).tobytes()) for h, v in items)

    return CollectingCache(encoder, store)


def worker_state(db_path: str, pipeline: "Pipeline", encoder: str, given: frozenset[str]) -> dict[str, Any]:
    """What a worker (a process here, or a Ray actor) holds: one thread for torch and BLAS, the store read
    only, the pipeline built once and warmed up, an encoder cache that collects the vectors for the writer."""
    for var in _THREAD_VARS:
        os.environ[var] = "1"
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)
    # numpy's OpenBLAS was loaded (with a thread per core) while the arguments were unpickled, before the
    # variables above were set: limit the pools already there too
    threadpool_limits(limits=1)
    from ..encode import load_encoder
    from ..store.readonly import open_readonly
    from .pipeline import sync_catalog

    store = open_readonly(db_path)
    cached = _collecting_cache(load_encoder(encoder), store)
    state = {"store": store, "cache": cached, "given": given, "pipeline": pipeline.build(cached).warm_up()}
    sync_catalog(state["pipeline"], store)
    return state


def run_batch(state: dict[str, Any], docs: list["Doc"]) -> tuple[list["Doc"], list[tuple], dict[str, float]]:
    """One batch through a worker's pipeline: the Docs with their results, the vectors encoded for them
    (rows for the embeddings table), the seconds per step."""
    pipe = state["pipeline"]
    given = state["given"]
    for d in docs:
        d.extra["people"] = given | d.extra.get("people", frozenset())
    before = dict(pipe.timings)
    live = [d for d in docs if d.text.strip()]
    if live:
        pipe(live)
    for d in docs:
        d.extra.pop("people", None)  # read by the steps, not written: not sent back
        # the vectors go back once, as the cache's rows: on the Docs they were 88% of what a batch pickled
        d.embedding = None
        for s in d.sentences:
            s.embedding = None
    rows, state["cache"].rows = state["cache"].rows, []
    return docs, rows, {k: v - before.get(k, 0.0) for k, v in pipe.timings.items()}


def _init(db_path: str, pipeline: "Pipeline", encoder: str, given: frozenset[str]) -> None:
    _WORKER.update(worker_state(db_path, pipeline, encoder, given))


def _run(docs: list["Doc"]) -> tuple[list["Doc"], list[tuple], dict[str, float]]:
    return run_batch(_WORKER, docs)


def run_parallel(store: "Store", pipeline: "Pipeline", batches, *, workers: int, given: frozenset[str],
                 write, on_done) -> dict[str, float]:
    """Run ``pipeline`` over ``batches`` (an iterator of Doc lists, each Doc's ``extra["people"]`` holding
    only its own names; ``given`` goes to every worker once) in ``workers`` processes; ``write(docs,
    vector_rows)`` is called in the main process for each batch, in order, and ``on_done(docs)`` after.
    At most two batches per worker are in flight: memory stays flat. Returns seconds per step, summed."""
    timings: dict[str, float] = {}
    encoder = pipeline.encoder_spec or pipeline.encoder
    ctx = get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init,
                             initargs=(str(store.path), pipeline, encoder, given)) as pool:
        pending: deque = deque()
        for docs in batches:
            pending.append(pool.submit(_run, docs))
            while len(pending) >= 2 * workers:
                _finish(pending.popleft(), write, on_done, timings)
        while pending:
            _finish(pending.popleft(), write, on_done, timings)
    return timings


def _finish(future, write, on_done, timings: dict[str, float]) -> None:
    from concurrent.futures.process import BrokenProcessPool

    from ..errors import VoiceError

    try:
        result = future.result()
    except BrokenProcessPool as exc:
        raise VoiceError("a worker process stopped (out of memory, or its models failed to load, or it was started "
                         "from a script without an  if __name__ == \"__main__\":  guard, which worker processes "
                         "re-import); the batches written so far are kept.",
                         fix="guard a script's top-level code with  if __name__ == \"__main__\":  or run again with "
                             "fewer workers (workers=1 shows the error itself).") from exc
    write_result(result, write, on_done, timings)


def write_result(result: tuple, write, on_done, timings: dict[str, float]) -> None:
    """A worker's batch, written by the one writer (and its step seconds added up)."""
    docs, rows, spent = result
    for k, v in spent.items():
        timings[k] = timings.get(k, 0.0) + v
    t = time.perf_counter()
    write(docs, rows)
    timings["write"] = timings.get("write", 0.0) + time.perf_counter() - t
    on_done(docs)
