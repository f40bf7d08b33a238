"""Progress bars: drawn on stderr when enabled, silent and free when not."""

from __future__ import annotations

from corpus.progress import ProgressBars, progress_enabled


def test_bars_per_stage_on_stderr(capsys):
    with ProgressBars(enabled=True) as bars:
        bars.update("fetch", 0, 3)
        bars.update("fetch", 2, 3)
        bars.update("align", 1, 3)
    err = capsys.readouterr().err
    assert "fetch" in err and "2/3" in err
    assert "align" in err and "1/3" in err


def test_disabled_bars_print_nothing(capsys):
    with ProgressBars(enabled=False) as bars:
        bars.update("fetch", 1, 3)
    assert capsys.readouterr().err == ""


def test_not_a_terminal_means_no_bars():
    assert progress_enabled(quiet=0) is False  # pytest's stderr is not a TTY
    assert progress_enabled(quiet=1) is False
