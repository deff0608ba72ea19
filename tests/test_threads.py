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


def test_the_heads_fit_with_one_thread():
    from voice.intent.classifier import IntentClassifier
    from voice.sentiment.head import SentimentHead

    assert hasattr(IntentClassifier.fit, "__wrapped__") and hasattr(SentimentHead.fit, "__wrapped__")
