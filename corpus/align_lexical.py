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

from corpus.filters import digit_numbers

_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9+&'-]*[A-Za-z0-9+]|[A-Z]")


def anchors(text: str, lang: str) -> frozenset[str]:
    """The number and Latin-word anchors of one sentence (``lang``: ``zh`` or ``en``)."""
    out = {f"#{v.normalize()}" for values in digit_numbers(text, lang) for v in values}
    # Latin words: in Chinese text these are names and terms kept as written; in English
    # every word counts, and only those a Chinese sentence also has can ever match
    out.update("w:" + w.lower() for w in _LATIN.findall(text) if len(w) > 1 or w.isupper())
    return frozenset(out)


def shared(a: Iterable[frozenset[str]], b: Iterable[frozenset[str]]) -> int:
    """How many anchors the sentences ``a`` and the sentences ``b`` have in common."""
    sa: set[str] = set().union(*a)
    if not sa:
        return 0
    return len(sa & set().union(*b))
