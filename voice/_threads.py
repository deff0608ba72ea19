"""Thread counts set on purpose where the defaults were measured to hurt.

Fitting a head (the intents' one-vs-rest logistic regressions, the sentiment head) is many small matrix
products; OpenBLAS's default of a thread per core made it slower, not faster: 10,000 x 512 vectors, 77
intents, on 2 cores took 110 s with the default against 53 s with one thread on an idle machine, and 192 s
against 58 s with another process busy on one core (benchmarks/RESULTS.md, issue #14).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)


def one_blas_thread(fn: F) -> F:
    """Run ``fn`` with BLAS (OpenBLAS, MKL) on one thread."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
