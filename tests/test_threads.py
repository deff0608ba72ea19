"""Thread counts set on purpose (voice/_threads.py: heads fitted with one BLAS thread; voice/__init__.py: torch's OpenMP spin count)."""

import numpy as np
from threadpoolctl import threadpool_info

from voice._threads import one_blas_thread


def test_one_blas_thread_inside_and_the_default_after():
    before = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    @one_blas_thread
    def inside():
        np.ones((50, 50)) @ np.ones((50, 50))
        return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]

    assert inside() and all(n == 1 for n in inside())
    assert [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"] == before


def test_the_heads_fit_with_one_thread(monkeypatch):
    import contextlib

    import threadpoolctl

    from voice.intent.classifier import IntentClassifier
    from voice.sentiment.head import SentimentHead

    asked = []

    @contextlib.contextmanager
    def limits(limits=None, user_api=None):
        asked.append((limits, user_api))
        yield

    monkeypatch.setattr(threadpoolctl, "threadpool_limits", limits)
    X = np.random.default_rng(0).standard_normal((60, 8)).astype(np.float32)
    IntentClassifier().fit(X, ["a", "b", "c"] * 20)
    SentimentHead().fit(X, ["negative", "neutral", "positive"] * 20)
    assert asked == [(1, "blas"), (1, "blas")]  # each fit, once


def test_torch_threads_spin_briefly_unless_the_user_said_otherwise():
    """voice sets libgomp's spin count before torch loads (beside a busy process the default's spinning
    cost the encoder 3x: benchmarks/busy_machine.py); a value the user set is kept."""
    import os
    import subprocess
    import sys

    code = "import voice, os, torch; print(os.environ['GOMP_SPINCOUNT'])"
    env = {k: v for k, v in os.environ.items() if k != "GOMP_SPINCOUNT"}
    assert subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True).stdout.strip() == "10000"
    assert subprocess.run([sys.executable, "-c", code], env={**env, "GOMP_SPINCOUNT": "500"}, capture_output=True,
                          text=True, check=True).stdout.strip() == "500"
