"""Scaling checks for hostile input: time a function on inputs of two sizes, compare.

A linear step given 10x the input takes about 10x the time; a quadratic one 100x, an
exponential one forever. Timings on a shared 2-core machine are noisy, so each size is
timed as the minimum of several runs of enough calls to last a few milliseconds, and the
bound is generous (30x for 10x). A slow large input stops the measurement as soon as it
has used up the bound, so a test of a quadratic step fails in seconds, not hours.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable
from typing import Any

#: For inputs 10x larger: linear gives ~10, n log n ~13, quadratic ~100.
LINEAR_BOUND = 30.0


def _run(fn: Callable[[Any], object], arg: Any, calls: int, budget: float) -> float:
    t0 = time.perf_counter()
    for _ in range(calls):
        fn(arg)
        if time.perf_counter() - t0 > budget:
            return math.inf
    return time.perf_counter() - t0


def growth(fn: Callable[[Any], object], small: Any, large: Any, *, repeat: int = 5,
           min_seconds: float = 0.005, bound: float = LINEAR_BOUND) -> float:
    """Return time(large) / time(small), both the minimum of ``repeat`` runs.

    Returns ``inf`` when every run of the large input took more than ``bound`` times the
    small one (each such run is cut short there).
    """
    gc.collect()
    gc.disable()  # a collection's cost depends on the whole heap, not on the input
    try:
        return _growth(fn, small, large, repeat, min_seconds, bound)
    finally:
        gc.enable()


def _growth(fn: Callable[[Any], object], small: Any, large: Any, repeat: int,
            min_seconds: float, bound: float) -> float:
    calls = 1
    while (t := _run(fn, small, calls, math.inf)) < min_seconds:
        calls = max(calls * 2, int(calls * min_seconds / max(t, 1e-9)) + 1)
    t_small = t_large = math.inf
    for _ in range(repeat):  # interleaved, so a burst of load slows both sizes alike
        t_small = min(t_small, _run(fn, small, calls, math.inf))
        t_large = min(t_large, _run(fn, large, calls, bound * t_small))
    return t_large / t_small


def assert_linear(fn: Callable[[Any], object], small: Any, large: Any,
                  **kw: Any) -> None:
    """Assert that ``fn`` on ``large`` (10x ``small``) takes under 30x the time."""
    ratio = growth(fn, small, large, **kw)
    assert ratio < LINEAR_BOUND, f"10x the input took {ratio:.0f}x the time"
