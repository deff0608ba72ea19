"""Thread counts set on purpose (voice/_threads.py): heads are fitted with one BLAS thread."""

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
