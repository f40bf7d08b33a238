"""What a terminal must never be sent raw: one character class, used by the search display
and by every command's output and log lines."""

from __future__ import annotations

import re

# Characters a terminal acts on rather than shows: C0 and C1 controls (ESC starts colour,
# title and clipboard sequences, BEL rings, CR overwrites the line), DEL, and the
# bidirectional marks and overrides that reorder what is shown. Tab and newline are left
# out: a caller decides whether text may keep them. Seeds and pages are not ours, so their
# text is escaped or dropped wherever it reaches a terminal.
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f"
                      "\u202a-\u202e\u2066-\u2069]")
