"""`voice analyze --engine ray`: the same pipeline over Ray Data, on this machine or a Ray cluster.

The pending interactions' ids, in batches, are a Ray Dataset; ``map_batches`` hands each batch to an actor
(:class:`Analyser`, ``workers`` of them, one CPU each) that holds the models, loaded once: it reads its
batch's interactions from the database (read-only), runs the pipeline and returns the results with the
vectors it encoded. This process — the one writer — writes each batch back in one transaction, as the
local engine does (the same rows: ``tests/pipeline/test_ray.py``).

On a cluster (``--ray-address ray://head:10001``, or ``RAY_ADDRESS``) every node must read the database
file at the same path (a shared file system) and have voice and its models installed; results travel back
to the driver, which writes them. Install: ``pip install "voice[ray]"``.
"""

from __future__ import annotations

import pickle
import warnings
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError

if TYPE_CHECKING:
    from ..store import Store
    from .pipeline import Pipeline


class Analyser:
    """A Ray actor: the pipeline built once (see :func:`voice.pipeline.parallel.worker_state`), one batch
    of ids per call."""

    def __init__(self, db_path: str, pipeline: "Pipeline", encoder: str, given: frozenset[str]):
        from .parallel import worker_state

        self.state = worker_state(db_path, pipeline, encoder, given)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        from .parallel import run_batch
        from .run import batch_docs

        out = []
        for ids in batch["ids"]:
            docs = batch_docs(self.state["store"], [str(i) for i in ids])
            out.append(pickle.dumps(run_batch(self.state, docs), protocol=pickle.HIGHEST_PROTOCOL))
        return {"result": np.array(out, dtype=object)}


def _ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as exc:
        raise ConfigError("the Ray engine needs Ray Data, which is not installed.",
                          fix='pip install "voice[ray]"  (or: pip install "ray[data]==2.60.0")') from exc
    return ray


def run_ray(store: "Store", pipeline: "Pipeline", chunks: list[list[str]], *, workers: int,
            given: frozenset[str], write, on_done, address: str | None = None) -> dict[str, float]:
    """Analyse ``chunks`` (batches of interaction ids) in ``workers`` Ray actors; ``write(docs,
    vector_rows)`` and ``on_done(docs)`` are called here for each batch. Starts a local Ray instance with
    ``workers`` CPUs unless one is running or ``address`` names a cluster, and stops what it started.
    Returns seconds per step, summed over the actors."""
    from .parallel import write_result

    ray = _ray()
    started = False
    if not ray.is_initialized():
        ray.init(address=address, num_cpus=None if address else workers, include_dashboard=False,
                 log_to_driver=False, logging_level="ERROR")
        started = True
    import logging

    logging.getLogger("ray.data").setLevel(logging.ERROR)  # its plan and progress lines: voice reports progress
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.execution_options.preserve_order = True  # written in the order they were read
        ctx.enable_progress_bars = False
        encoder = pipeline.encoder_spec or pipeline.encoder
        ds = ray.data.from_items([{"ids": chunk} for chunk in chunks], override_num_blocks=max(1, len(chunks)))
        with warnings.catch_warnings():
            # max_restarts=0: a failed actor fails the run (the batches written so far stay), and Ray stops
            # printing an error line per actor about restarting it; Ray 2.60 takes it only through the
            # deprecated ray_remote_args (removed in 2.64: the pin is 2.60)
            warnings.filterwarnings("ignore", message=".*ray_remote_args.*deprecated")
            ds = ds.map_batches(Analyser, fn_constructor_args=(str(store.path), pipeline, encoder, given),
                                batch_size=1, batch_format="numpy", compute=ray.data.ActorPoolStrategy(size=workers),
                                num_cpus=1, max_restarts=0)
        timings: dict[str, float] = {}
        for row in ds.iter_rows():
            write_result(pickle.loads(row["result"]), write, on_done, timings)
        return timings
    finally:
        if started:
            ray.shutdown()
