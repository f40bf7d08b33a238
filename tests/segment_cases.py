"""The segmentation test set (tests/data/segment) and how a splitter is scored on it.

Shared by tests/test_segment.py (the quality gate) and bench/segment_bench.py (the
side-by-side comparison), so both read and score the cases the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data" / "segment"
JOINER = {"en": " ", "zh": ""}


@dataclass(frozen=True, slots=True)
class Case:
    lang: str
    category: str
    line: int  # where the case starts in its file, for messages
    sentences: tuple[str, ...]

    @property
    def text(self) -> str:
        return JOINER[self.lang].join(self.sentences)


@dataclass(frozen=True, slots=True)
class Score:
    cases: int
    exact: int  # cases whose sentence list came out exactly right
    tp: int  # sentence boundaries found where the gold has one
    fp: int
    fn: int

    @property
    def accuracy(self) -> float:
        return self.exact / self.cases if self.cases else 0.0

    @property
    def precision(self) -> float:
        if not self.tp + self.fp:  # no boundary proposed: right only if none was due
            return 0.0 if self.fn else 1.0
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


SETS = ("en", "zh", "en_heldout", "zh_heldout")


def load_cases(name: str) -> list[Case]:
    """Read ``<name>.txt``: blocks of one sentence per line, ``# category: NAME`` headers.

    ``name`` is one of SETS; its first two letters give the language.
    """
    lang = name[:2]
    path = DATA / f"{name}.txt"
    cases, block, category, first = [], [], "", 0
    lines = path.read_text(encoding="utf-8").splitlines()
    for n, line in enumerate([*lines, ""], 1):
        if line.startswith("# category:"):
            category = line.split(":", 1)[1].strip()
        elif line.startswith("#"):
            continue
        elif line.strip():
            first = first or n
            block.append(line.strip())
        elif block:
            cases.append(Case(lang, category, first, tuple(block)))
            block, first = [], 0
    return cases


def _ends(text: str, sentences: Sequence[str]) -> set[int] | None:
    """Map sentences back to their end offsets in ``text`` (non-space characters counted).

    Counting non-space characters makes the score blind to whitespace a splitter drops or
    keeps; a splitter that rewrites characters gets ``None`` (every boundary counts wrong).
    """
    flat = "".join(text.split())
    ends, pos = set(), 0
    for s in sentences:
        piece = "".join(s.split())
        if not piece:
            continue
        if flat[pos:pos + len(piece)] != piece:
            return None
        pos += len(piece)
        ends.add(pos)
    return ends if pos == len(flat) else None


def score(split: Callable[[str], Sequence[str]], cases: Sequence[Case]) -> Score:
    """Score ``split`` (paragraph -> sentences): exact case matches and boundary P/R/F1."""
    exact = tp = fp = fn = 0
    for case in cases:
        got = [s.strip() for s in split(case.text) if s.strip()]
        gold_ends = _ends(case.text, case.sentences)
        assert gold_ends is not None, f"{case.lang}.txt:{case.line} does not join up"
        got_ends = _ends(case.text, got)
        if got_ends is None:
            got_ends = set()
            fp += len(got)
        exact += got == list(case.sentences)
        # the paragraph's end is not a decision: count only the inner boundaries
        last = max(gold_ends)
        gold_ends.discard(last)
        got_ends.discard(last)
        tp += len(gold_ends & got_ends)
        fp += len(got_ends - gold_ends)
        fn += len(gold_ends - got_ends)
    return Score(len(cases), exact, tp, fp, fn)
