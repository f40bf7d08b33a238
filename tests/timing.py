"""Scaling checks for hostile input: time a function on inputs of two sizes, compare.

A linear step given 20x the input takes about 20x the time; a quadratic one 400x, an
exponential one forever. Timings on a shared 2-core machine are noisy (and per-character
costs of a linear scan still grow 2-3x from a few thousand characters on, with cache
contention from other processes), so each size is timed as the minimum of several runs of
enough calls to last a few milliseconds, in CPU time (wall time punishes a long run for
the time slices other processes take), the two sizes interleaved and the garbage
collector off, and the bound sits between the two: 100x for 20x.
A run of the large input is cut short (by a timer signal, which also stops the regex
engine) once it has used up the bound, and three such runs fail the check: a test of a
quadratic step fails in a minute or two, not in hours.
"""

from __future__ import annotations

import contextlib
import gc
import math
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

#: The large input is this many times the small one.
FACTOR = 20
#: For inputs 20x larger: linear gives ~20 (up to ~50 on a busy machine), n log n ~26,
#: quadratic ~400.
LINEAR_BOUND = 100.0
_STRIKES = 3  # runs of the large input over the bound before the check fails


class _Overrun(Exception):
    pass


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise _Overrun in the block after ``seconds`` of CPU time (main thread, POSIX)."""
    if not math.isfinite(seconds) or not hasattr(signal, "setitimer") \
            or threading.current_thread() is not threading.main_thread():
        yield
        return

    def fire(signum: int, frame: object) -> None:
        raise _Overrun

    old = signal.signal(signal.SIGPROF, fire)
    signal.setitimer(signal.ITIMER_PROF, seconds)  # CPU time, like the measurements
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old)


def _run(fn: Callable[[Any], object], arg: Any, calls: int, budget: float) -> float:
    t0, w0 = time.process_time(), time.perf_counter()
    try:
        with _deadline(budget):
            for _ in range(calls):
                fn(arg)
    except _Overrun:
        return math.inf
    elapsed = time.process_time() - t0
    if elapsed <= 0:  # CPU time not accounted (seen once on a loaded machine): wall time
        elapsed = time.perf_counter() - w0
    return elapsed if elapsed <= budget else math.inf


def growth(fn: Callable[[Any], object], small: Any, large: Any, *, repeat: int = 5,
           min_seconds: float = 0.01, bound: float = LINEAR_BOUND) -> float:
    """Return time(large) / time(small), both the minimum of ``repeat`` runs.

    Returns ``inf`` when runs of the large input took more than ``bound`` times the small
    one (each such run is cut short there).
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
    strikes = 0
    for _ in range(repeat):  # interleaved, so a burst of load slows both sizes alike
        t_small = min(t_small, _run(fn, small, calls, math.inf))
        t = _run(fn, large, calls, bound * t_small)
        strikes += t == math.inf
        if strikes == _STRIKES:
            return math.inf
        t_large = min(t_large, t)
    return t_large / t_small


def assert_linear(fn: Callable[[Any], object], make: Callable[[int], Any], n: int,
                  **kw: Any) -> None:
    """Assert that ``fn(make(20 * n))`` takes under 100x the time of ``fn(make(n))``."""
    ratio = growth(fn, make(n), make(FACTOR * n), **kw)
    assert ratio < LINEAR_BOUND, f"{FACTOR}x the input took {ratio:.0f}x the time"
