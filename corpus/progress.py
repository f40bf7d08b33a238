"""Progress bars for long work: one bar per stage, on stderr, only on a terminal."""

from __future__ import annotations

import sys
from typing import Any


class ProgressBars:
    """A ``progress(stage, done, total)`` callback that draws one tqdm bar per stage.

    Disabled (and cost-free) when ``enabled`` is false, e.g. when stderr is not a TTY or
    the user asked for quiet output.
    """

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._bars: dict[str, Any] = {}

    def update(self, stage: str, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        bar = self._bars.get(stage)
        if bar is None:
            from tqdm import tqdm

            bar = tqdm(total=total, desc=f"{stage:>8}", unit="art", file=sys.stderr,
                       leave=True, dynamic_ncols=True, position=len(self._bars))
            self._bars[stage] = bar
        if total is not None and bar.total != total:
            bar.total = total
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()
        self._bars.clear()

    def __enter__(self) -> ProgressBars:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def progress_enabled(quiet: int) -> bool:
    """Bars only for a person watching: stderr is a terminal and -q was not given."""
    return not quiet and sys.stderr.isatty()
