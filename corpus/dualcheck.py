"""Check the bilingual page's Chinese against the seed's: the same text, or revised.

The site's ``dual/`` page pairs each English paragraph with a Chinese one. Those Chinese
paragraphs should be the seed's, word for word; when they are not, one of the two was
revised after the other was taken. The build keeps the seed's Chinese either way and
records the difference, so a user can see which articles to look at again.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from corpus.model import ParagraphPair

#: How many differing paragraph numbers the record lists (a hostile page may hold thousands).
MAX_LISTED = 20
_SPACE = re.compile(r"\s+")


def paragraph_key(text: str) -> str:
    """The text a comparison looks at: NFKC (full-width and half-width forms alike),
    whitespace removed (the page and the export break lines differently)."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


@dataclass(frozen=True, slots=True)
class ChineseCheck:
    """How the seed's Chinese paragraphs compare with the bilingual page's."""

    seed_paragraphs: int
    dual_paragraphs: int
    matched: int  # seed paragraphs that stand, the same, on the bilingual page
    seed_only: tuple[int, ...]  # 0-based numbers of seed paragraphs the page lacks
    dual_only: tuple[int, ...]  # 0-based numbers of page paragraphs the seed lacks

    @property
    def same(self) -> bool:
        """True when both hold the same paragraphs (order aside: a matched multiset)."""
        return not self.seed_only and not self.dual_only

    def to_dict(self) -> dict[str, Any]:
        return {
            "same": self.same, "seed_paragraphs": self.seed_paragraphs,
            "dual_paragraphs": self.dual_paragraphs, "matched": self.matched,
            "seed_only": list(self.seed_only[:MAX_LISTED]),
            "dual_only": list(self.dual_only[:MAX_LISTED]),
        }

    def describe(self) -> str:
        """One line for a log or a report."""
        if self.same:
            return f"the bilingual page's {self.dual_paragraphs} Chinese paragraphs are the seed's"
        return (f"the bilingual page's Chinese differs from the seed's: "
                f"{len(self.seed_only)} of {self.seed_paragraphs} seed paragraphs are not on "
                f"the page and {len(self.dual_only)} of {self.dual_paragraphs} page paragraphs "
                "are not in the seed (revised since the seed was taken?); the seed's Chinese "
                "is used")


def check_chinese(seed_paragraphs: Sequence[str],
                  pairs: Sequence[ParagraphPair]) -> ChineseCheck:
    """Compare the seed's paragraphs with the Chinese cells of ``pairs``; linear time."""
    seed_keys = [paragraph_key(p) for p in seed_paragraphs]
    dual_keys = [paragraph_key(p.zh) for p in pairs if p.zh.strip()]
    seed_left = Counter(seed_keys)
    dual_left = Counter(dual_keys)
    matched = 0
    seed_only: list[int] = []
    for i, key in enumerate(seed_keys):
        if dual_left[key] > 0:
            dual_left[key] -= 1
            matched += 1
        else:
            seed_only.append(i)
    dual_only: list[int] = []
    for i, key in enumerate(dual_keys):
        if seed_left[key] > 0:
            seed_left[key] -= 1
        else:
            dual_only.append(i)
    return ChineseCheck(len(seed_keys), len(dual_keys), matched, tuple(seed_only),
                        tuple(dual_only))
