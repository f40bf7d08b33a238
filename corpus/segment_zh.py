"""Chinese sentence ends: 。！？ and their runs, quotes and brackets, ellipses, ASCII marks.

Only ``boundaries`` is meant for other modules; ``corpus.segment`` wraps it. The rules follow
the Chinese punctuation standard (GB/T 15834-2011) as news translations use it: a full
stop inside a closing quote ends the sentence unless an attribution follows (“……！”他说。),
and a full stop after the quote (……”。) ends it too.
"""

from __future__ import annotations

import re

__all__ = ["boundaries"]

_TERMINALS = frozenset("。！？!?｡．")
_ELLIPSIS = frozenset("…⋯")
_QUOTES = {"“": "”", "‘": "’", "「": "」", "『": "』", "﹁": "﹂", "﹃": "﹄"}
_QUOTE_CLOSERS = frozenset(_QUOTES.values())
_BRACKET_CLOSERS = frozenset("）)】〕］]〉》")
_BOOK_OPEN = frozenset("《〈")
_BOOK_CLOSE = frozenset("》〉")
_BOOK_PAIR = {"《": "》", "〈": "〉"}
_TITLE_MAX = 80  # characters; a book, film or newspaper title is far shorter
_COLONS = frozenset("：:")
# Punctuation after a run that shows the sentence goes on (“Thank you!”，然后…).
_CONTINUES = frozenset("，,、；;：:")
# Where a clause starts, for telling a trailing-off ellipsis from an enumeration's "etc.".
_CLAUSE_START = frozenset("，,、；;：:“‘「『（(—")
# A short attribution after a quotation keeps it in the quoted sentence (“……！”他说。).
_SPEECH = re.compile(
    "说|道|问|喊|呼|称|表示|回答|答道|补充|强调|指出|告诉|嚷|叫道|吼|叹|說|問|稱|補充|強調|告訴"
)
_ATTRIBUTION_MAX = 20  # characters; 该家庭的律师伊藤女士问道 is 13
_AFTER_VERB_MAX = 8  # 问另一名士兵: the verb's object, not a new clause
_STOP = frozenset("。！？!?，,；;：:“‘「『\n")
_MIN_TRAILING_CLAUSE = 3  # 他沉默了很久…… ends a sentence; 我……我不知道 does not
_LOOK_BACK = 200  # characters an ellipsis looks back for its clause and an enumeration
_STRAIGHT = frozenset("\"'")
# The characters the scanner acts on; it skips everything else with one regex search.
_INTERESTING = re.compile("[" + re.escape("".join(
    _TERMINALS | _ELLIPSIS | set(_QUOTES) | _QUOTE_CLOSERS | _BRACKET_CLOSERS | _BOOK_OPEN
    | _STRAIGHT | {"."})) + "]")
_NEXT_CHAR = re.compile(r"\s*(\S?)")


def _next_char(text: str, j: int) -> str:
    """The first non-space character at or after ``j`` ("" at the end)."""
    m = _NEXT_CHAR.match(text, j)
    return m.group(1) if m else ""  # the pattern matches everywhere; for the type checker


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def _dot_is_mark(text: str, i: int) -> bool:
    """Tell whether an ASCII '.' at ``i`` is a sentence mark in Chinese text (not 3.5%, J.K.)."""
    if text.startswith("...", i) or text.startswith("..", i - 1):
        return True  # ASCII ellipsis: classified with the ellipses
    prev = text[i - 1] if i else ""
    j = i + 1
    while j < len(text) and (text[j] in _QUOTE_CLOSERS or text[j] in _STRAIGHT):
        j += 1
    nxt = text[j] if j < len(text) else ""
    if j > i + 1:  # “We tried. We failed.”随后…: an English quotation closed in Chinese text
        return not nxt or _is_cjk(nxt) or nxt in _TERMINALS
    return _is_cjk(prev) and (not nxt or _is_cjk(nxt))


def _is_mark(text: str, i: int) -> bool:
    ch = text[i]
    if ch == ".":
        return _dot_is_mark(text, i)
    return ch in _TERMINALS or ch in _ELLIPSIS


class _Scanner:
    """One pass over a paragraph, keeping the open quotes and book-title brackets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.quotes: list[tuple[str, bool]] = []  # (closing char, introduced by a colon)
        self.book = 0
        self.cuts: list[int] = []
        self.last = len(text.rstrip())  # a mark at or past this ends the paragraph

    def run(self) -> list[int]:
        text, i = self.text, 0
        while m := _INTERESTING.search(text, i):
            i = m.start()
            if _is_mark(text, i):
                i = self._mark_run(i)
            else:
                self._track(text[i], i)
                i += 1
        return self.cuts

    def _track(self, ch: str, i: int) -> tuple[str, bool] | None:
        """Update quote and bracket state for ``ch``; return the quote it closes, if any."""
        if ch == '"':  # straight quotes: open or close by parity
            if self.quotes and self.quotes[-1][0] == '"':
                return self.quotes.pop()
            self.quotes.append(('"', self._after_colon(i)))
        elif ch in _QUOTES:
            self.quotes.append((_QUOTES[ch], self._after_colon(i)))
        elif ch in _QUOTE_CLOSERS:  # close the innermost match, looking a few levels down
            for k in range(len(self.quotes) - 1, max(-1, len(self.quotes) - 4), -1):
                if self.quotes[k][0] == ch:
                    closed = self.quotes[k]
                    del self.quotes[k:]
                    return closed
        elif ch in _BOOK_OPEN and self.text.find(_BOOK_PAIR[ch], i, i + _TITLE_MAX) > 0:
            self.book += 1  # a title only when it closes soon: a stray 《 must not mute the rest
        elif ch in _BOOK_CLOSE and self.book:
            self.book -= 1
        return None

    def _after_colon(self, i: int) -> bool:
        j = i - 1
        while j >= 0 and self.text[j].isspace():
            j -= 1
        return j >= 0 and self.text[j] in _COLONS

    def _mark_run(self, i: int) -> int:
        """Consume the marks and closers from ``i``; record a cut after them if one is due."""
        text = self.text
        terminal = in_book = False
        closed: tuple[str, bool] | None = None
        bracket = False
        j = i
        while j < len(text):
            ch = text[j]
            if ch in _TERMINALS or (ch == "." and _is_mark(text, j)):
                dots = text.startswith("..", j) or text.startswith("..", j - 1)
                terminal = terminal or not dots
                in_book = self.book > 0
            elif ch in _ELLIPSIS or ch == ".":
                pass
            elif ch in _QUOTE_CLOSERS or ch == '"' or ch == "'":
                if ch in "\"'" and not (self.quotes and self.quotes[-1][0] == ch):
                    break  # an opening straight quote: the next sentence's
                closed = self._track(ch, j) or closed
            elif ch in _BRACKET_CLOSERS:
                self._track(ch, j)
                bracket = True
            elif ch.isspace() and self._closer_follows(j):
                pass  # 。 ” with a stray space: the quote still closes this sentence
            else:
                break
            j += 1
        if j >= self.last or in_book:
            return j
        nxt = _next_char(text, j)
        if nxt in _CONTINUES:
            return j
        if not terminal and not (closed or bracket) and (self.quotes or not self._trailing_off(i)):
            return j  # 苹果、香蕉……都涨价了 / “我……我不知道” / “这个……这个……”
        if closed and not closed[1] and self._attribution(j):
            return j
        self.cuts.append(j)
        return j

    def _closer_follows(self, j: int) -> bool:
        """Tell whether the whitespace at ``j`` is followed by a closer of something open."""
        ch = _next_char(self.text, j)
        if ch in _BRACKET_CLOSERS:
            return True
        # only the quotes a closer may close (see _track): a deep stack of stray openers
        # searched in full at every space made long runs quadratic
        return any(q == ch for q, _ in self.quotes[-3:])

    def _trailing_off(self, i: int) -> bool:
        """Tell whether the ellipsis at ``i`` ends a clause rather than an enumeration."""
        # look back one sentence at most, and never far: keeps long runs linear
        since = max(self.cuts[-1] if self.cuts else 0, i - _LOOK_BACK)
        start = i
        while start > since and self.text[start - 1] not in _CLAUSE_START:
            start -= 1
        clause = self.text[start:i].strip()
        return len(clause) >= _MIN_TRAILING_CLAUSE and "、" not in self.text[since:i]

    def _attribution(self, j: int) -> bool:
        """Tell whether the text from ``j`` is a short attribution such as 她说 / 有人喊道."""
        text = self.text
        k = j
        while k < len(text) and text[k] not in _STOP and k - j <= _ATTRIBUTION_MAX:
            k += 1
        if k - j > _ATTRIBUTION_MAX or (k < len(text) and text[k] in "“‘「『\n"):
            return False
        seg = text[j:k]
        verbs = list(_SPEECH.finditer(seg))
        if not verbs:
            return False
        rest = seg[verbs[-1].end():]
        return len(rest) <= _AFTER_VERB_MAX and "的" not in rest


def boundaries(text: str) -> list[int]:
    """Return the offsets in ``text`` where a sentence ends (after its closing quotes)."""
    return _Scanner(text).run()
