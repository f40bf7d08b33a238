"""Lexical anchors: numbers and Latin-script words that a sentence and its translation share.

A Chinese news sentence keeps the figures and the Latin-script names of its English
source (``2028``, ``9%``, ``ChatGPT``), written differently (``20亿`` for "2 billion",
``1.5万`` for "15,000"). Two sentences that share such an anchor are evidence of a
counterpart that sentence embeddings, which see topic more than fact, miss. Anchors are
strings: ``#`` and a canonical number, or ``w:`` and a lower-cased Latin word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_ZH_NUMBER = re.compile(r"(\d+(?:[.,]\d+)*)\s*(万亿|亿|万|千)?")
_EN_NUMBER = re.compile(r"(\d+(?:[.,]\d+)*)(?:\s*(trillion|billion|million|thousand))?", re.I)
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9+&'-]*[A-Za-z0-9+]|[A-Z]")
_ZH_SCALE = {"千": 1e3, "万": 1e4, "亿": 1e8, "万亿": 1e12}
_EN_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


def _number(digits: str, scale: float) -> str | None:
    if re.fullmatch(r"\d{1,3}(,\d{3})+", digits):
        digits = digits.replace(",", "")
    try:
        value = float(digits) * scale
    except ValueError:
        return None
    return f"#{value:.6g}"


def anchors(text: str, lang: str) -> frozenset[str]:
    """The number and Latin-word anchors of one sentence (``lang``: ``zh`` or ``en``)."""
    out: set[str] = set()
    if lang == "zh":
        for m in _ZH_NUMBER.finditer(text):
            n = _number(m.group(1), _ZH_SCALE.get(m.group(2) or "", 1.0))
            if n:
                out.add(n)
    else:
        for m in _EN_NUMBER.finditer(text):
            n = _number(m.group(1), _EN_SCALE.get((m.group(2) or "").lower(), 1.0))
            if n:
                out.add(n)
    # Latin words: in Chinese text these are names and terms kept as written; in English
    # every word counts, and only those a Chinese sentence also has can ever match
    out.update("w:" + w.lower() for w in _LATIN.findall(text) if len(w) > 1 or w.isupper())
    return frozenset(out)


def shared(a: Iterable[frozenset[str]], b: Iterable[frozenset[str]]) -> int:
    """How many anchors the sentences ``a`` and the sentences ``b`` have in common."""
    sa: set[str] = set().union(*a)
    if not sa:
        return 0
    return len(sa.intersection(*[set().union(*b)]))
