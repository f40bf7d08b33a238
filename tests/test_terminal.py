"""The one class of characters that never reaches a terminal raw."""

from __future__ import annotations

import pytest

from corpus.cli.base import safe, safe_lines
from corpus.search import terminal_safe
from corpus.terminal import CONTROLS


@pytest.mark.parametrize("char", [
    "\x00", "\x07", "\x08", "\x0b", "\x0c", "\r", "\x1b", "\x1f",  # C0 (BEL, CR, ESC …)
    "\x7f", "\x80", "\x9b", "\x9f",  # DEL and C1 (CSI)
    "\u061c", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069",  # bidi
])
def test_controls_are_escaped_or_dropped_on_every_path(char):
    assert CONTROLS.fullmatch(char)
    text = f"a{char}b"
    assert char not in safe(text) and char not in safe_lines(text)
    assert terminal_safe(text) in ("ab", "a b")  # line breaks become a space


@pytest.mark.parametrize("char", ["\t", "\n", " ", "a", "中", "\u3000", "\u2028", "é"])
def test_what_a_terminal_shows_is_not_a_control(char):
    # tab and line breaks are each caller's choice: kept by safe_lines, escaped by safe
    assert not CONTROLS.search(char)
