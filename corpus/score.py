"""Score an alignment against a gold alignment: strict and lax precision, recall and F1.

The counting follows the scorers of Vecalign and Bertalign (after Sennrich & Volk 2011,
W11-4624), so numbers are comparable with theirs:

- beads empty on both sides are dropped, and each document's beads are a set;
- precision is counted over all test beads, 1-0 and 0-1 included;
- recall is counted over the gold beads after removing the null (1-0, 0-1) beads from
  both gold and test;
- a bead is a strict hit when the other side has exactly the same bead, and a lax hit
  when its target sentences overlap the target sentences the other side links to any of
  its source sentences (so a null bead is a lax hit only when it is also a strict hit);
- counts are summed over all documents before P, R and F1 are computed (micro average).

Bead files hold one bead per line, ``[zh ids]:[en ids]`` with 0-based ids, optionally
followed by ``:score`` (Vecalign writes one); spaces after commas and blank lines are fine.
"""

from __future__ import annotations

import logging
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.errors import EvaluateError
from corpus.export.common import atomic_write, format_score, read_lines, tsv_field
from corpus.files import MAX_DOCUMENT_BYTES, read_text
from corpus.model import AlignedDocument, Bead, ParagraphPair

log = logging.getLogger(__name__)

_BEAD_RE = re.compile(
    r"^\s*\[(?P<zh>[\d,\s]*)\]\s*:\s*\[(?P<en>[\d,\s]*)\]\s*(?::\s*(?P<score>\S+)\s*)?$"
)

# --------------------------------------------------------------------------- bead files


def parse_beads(text: str, *, where: str = "<text>") -> list[Bead]:
    """Parse ``[zh ids]:[en ids]`` lines (blank lines skipped) into beads, in file order."""
    beads = []
    for lineno, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        m = _BEAD_RE.match(line)
        if m is None:
            raise EvaluateError(
                f"{where}:{lineno}: not a bead line {line.strip()[:60]!r}; "
                "expected '[zh ids]:[en ids]' such as '[0,1]:[2]' or '[]:[3]'"
            )
        score = 0.0
        if m["score"] is not None:
            try:
                score = float(m["score"])
            except ValueError:
                raise EvaluateError(
                    f"{where}:{lineno}: the third field {m['score']!r} is not a number"
                ) from None
        try:
            bead = Bead(_ids(m["zh"]), _ids(m["en"]), score)
        except ValueError:
            raise EvaluateError(
                f"{where}:{lineno}: bad id list in {line.strip()[:60]!r} "
                "(ids are comma-separated integers)"
            ) from None
        beads.append(bead)
    return beads


def _ids(field: str) -> tuple[int, ...]:
    return tuple(int(x) for x in field.split(",")) if field.strip() else ()


def read_beads(path: str | os.PathLike[str]) -> list[Bead]:
    """Read a bead file (see :func:`parse_beads`)."""
    text = read_text(path, MAX_DOCUMENT_BYTES, "a bead file", error=EvaluateError)
    return parse_beads(text, where=os.fspath(path))


def format_beads(beads: Iterable[Bead], *, scores: bool = False) -> str:
    """Return beads as ``[zh]:[en]`` lines, with ``:score`` appended when ``scores``."""
    lines = [f"{b}:{b.score:.4f}" if scores else str(b) for b in beads]
    return "".join(line + "\n" for line in lines)


def format_tsv(beads: Iterable[Bead], zh: Sequence[str], en: Sequence[str]) -> str:
    """Return one ``zh<TAB>en<TAB>score`` line per bead, sentences joined as in exports.

    Chinese sentences are joined bare and English ones with a space; tabs and line breaks
    inside a sentence become spaces, so every line has exactly three fields.
    """
    lines = []
    for b in beads:
        z = tsv_field("".join(zh[i] for i in b.zh))
        e = tsv_field(" ".join(en[i] for i in b.en))
        lines.append(f"{z}\t{e}\t{format_score(b.score)}\n")
    return "".join(lines)


def format_lines(sentences: Iterable[str]) -> str:
    """Return sentences one per line (line breaks inside a sentence become spaces)."""
    return "".join(tsv_field(t) + "\n" for t in sentences)


def read_sentences(path: str | os.PathLike[str]) -> list[str]:
    """Read a one-sentence-per-line file; line *i* (0-based) is sentence *i* of bead files.

    Every line counts, blank ones too, so ids stay line numbers as other aligners use them.
    """
    return read_lines(path, "a sentence file", limit=MAX_DOCUMENT_BYTES, error=EvaluateError,
                      encoding="utf-8-sig")


def write_beads(
    beads: Iterable[Bead], path: str | os.PathLike[str], *, scores: bool = False
) -> Path:
    """Write a bead file atomically (temporary file, then rename) and return its path."""
    with atomic_write(path) as fh:
        fh.write(format_beads(beads, scores=scores))
    return Path(path)


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True, slots=True)
class MatchCounts:
    """Hits and misses of one side's beads against the other's, strict and lax."""

    strict_hits: int = 0
    strict_misses: int = 0
    lax_hits: int = 0
    lax_misses: int = 0

    def __add__(self, other: MatchCounts) -> MatchCounts:
        return MatchCounts(
            self.strict_hits + other.strict_hits,
            self.strict_misses + other.strict_misses,
            self.lax_hits + other.lax_hits,
            self.lax_misses + other.lax_misses,
        )


@dataclass(frozen=True, slots=True)
class AlignScore:
    """Strict and lax precision, recall and F1, with the counts they come from."""

    precision_strict: float
    recall_strict: float
    f1_strict: float
    precision_lax: float
    recall_lax: float
    f1_lax: float
    precision_counts: MatchCounts  # over test beads
    recall_counts: MatchCounts  # over non-null gold beads
    documents: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "strict": {"precision": self.precision_strict, "recall": self.recall_strict,
                       "f1": self.f1_strict},
            "lax": {"precision": self.precision_lax, "recall": self.recall_lax,
                    "f1": self.f1_lax},
            "counts": {
                "precision": _counts_dict(self.precision_counts),
                "recall": _counts_dict(self.recall_counts),
            },
            "documents": self.documents,
        }

    def table(self) -> str:
        """Return the usual three-row table (precision, recall, F1 by strict and lax)."""
        rows = [
            "            strict    lax",
            f"precision    {self.precision_strict:.3f}  {self.precision_lax:.3f}",
            f"recall       {self.recall_strict:.3f}  {self.recall_lax:.3f}",
            f"f1           {self.f1_strict:.3f}  {self.f1_lax:.3f}",
        ]
        return "\n".join(rows)


def _counts_dict(c: MatchCounts) -> dict[str, int]:
    return {"strict_hits": c.strict_hits, "strict_misses": c.strict_misses,
            "lax_hits": c.lax_hits, "lax_misses": c.lax_misses}


_Pair = tuple[tuple[int, ...], tuple[int, ...]]


def _as_pairs(beads: Iterable[Bead]) -> set[_Pair]:
    """Return the beads as a set of (zh, en) id tuples, dropping beads empty on both sides."""
    return {(tuple(b.zh), tuple(b.en)) for b in beads if b.zh or b.en}


def match_counts(reference: Iterable[Bead], candidate: Iterable[Bead]) -> MatchCounts:
    """Count strict and lax hits of ``candidate``'s beads against ``reference``.

    With reference = gold this is the precision count; recall is the same count with the
    roles swapped and null beads removed (see :func:`document_counts`).
    """
    ref = _as_pairs(reference)
    linked: defaultdict[int, set[int]] = defaultdict(set)  # zh id -> en ids ref links it to
    for zh, en in ref:
        for i in zh:
            linked[i].update(en)
    strict_hits = strict_misses = lax_hits = lax_misses = 0
    for zh, en in _as_pairs(candidate):
        if (zh, en) in ref:
            strict_hits += 1
            lax_hits += 1
            continue
        strict_misses += 1
        targets = set().union(*(linked.get(i, ()) for i in zh))
        if targets.intersection(en):
            lax_hits += 1
        else:
            lax_misses += 1
    return MatchCounts(strict_hits, strict_misses, lax_hits, lax_misses)


def document_counts(gold: Sequence[Bead], test: Sequence[Bead]) -> tuple[MatchCounts, MatchCounts]:
    """Return (precision counts, recall counts) of one document."""
    precision = match_counts(gold, test)
    recall = match_counts(
        [b for b in test if b.zh and b.en],
        [b for b in gold if b.zh and b.en],
    )
    return precision, recall


def _ratio(hits: int, total: int) -> float:
    return hits / total if total else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score_alignments(
    gold: Sequence[Sequence[Bead]], test: Sequence[Sequence[Bead]]
) -> AlignScore:
    """Score test alignments against gold ones, document by document, micro-averaged.

    ``gold[i]`` and ``test[i]`` are the beads of the same document. A ratio with nothing
    to count (no test beads, say) is 0.0, as in Vecalign's scorer.
    """
    if len(gold) != len(test):
        raise EvaluateError(
            f"{len(gold)} gold documents but {len(test)} test documents; pass one test "
            "alignment per gold alignment"
        )
    pc = rc = MatchCounts()
    for g, t in zip(gold, test, strict=True):
        p, r = document_counts(g, t)
        pc += p
        rc += r
    ps = _ratio(pc.strict_hits, pc.strict_hits + pc.strict_misses)
    pl = _ratio(pc.lax_hits, pc.lax_hits + pc.lax_misses)
    rs = _ratio(rc.strict_hits, rc.strict_hits + rc.strict_misses)
    rl = _ratio(rc.lax_hits, rc.lax_hits + rc.lax_misses)
    return AlignScore(
        precision_strict=ps, recall_strict=rs, f1_strict=_f1(ps, rs),
        precision_lax=pl, recall_lax=rl, f1_lax=_f1(pl, rl),
        precision_counts=pc, recall_counts=rc, documents=len(gold),
    )


# --------------------------------------------------------------------------- files


def pair_files(
    gold: str | os.PathLike[str], test: str | os.PathLike[str]
) -> list[tuple[Path, Path]]:
    """Pair gold and test bead files: two files, or two folders matched by file name.

    In folders, a gold file is matched to the test file with the same name, else to the
    one with the same stem (``001.align`` with ``001.txt``). A gold file without a test
    file is an error (a missing document would inflate the score); test files without
    gold are ignored with a warning. Hidden files are skipped.
    """
    g, t = Path(gold), Path(test)
    for p in (g, t):
        if not p.exists():
            raise EvaluateError(f"{p} does not exist")
    if g.is_file() and t.is_file():
        return [(g, t)]
    if not (g.is_dir() and t.is_dir()):
        raise EvaluateError(
            f"{g} and {t}: pass two bead files or two folders of bead files, not a mix"
        )
    golds = _bead_files(g)
    tests = _bead_files(t)
    if not golds:
        raise EvaluateError(f"no bead files in {g}")
    by_name = {p.name: p for p in tests}
    by_stem: dict[str, list[Path]] = defaultdict(list)
    for p in tests:
        by_stem[p.stem].append(p)
    pairs, missing, used = [], [], set()
    for gp in golds:
        tp = by_name.get(gp.name)
        if tp is None and len(by_stem.get(gp.stem, ())) == 1:
            tp = by_stem[gp.stem][0]
        if tp is None:
            missing.append(gp.name)
            continue
        used.add(tp)
        pairs.append((gp, tp))
    if missing:
        raise EvaluateError(
            f"no test file in {t} for gold file(s) {', '.join(missing[:10])}"
            f"{' …' if len(missing) > 10 else ''}; test files are matched by file name or stem"
        )
    extra = [p.name for p in tests if p not in used]
    if extra:
        log.warning("ignoring %d test file(s) with no gold file: %s", len(extra),
                    ", ".join(extra[:10]))
    return pairs


def _bead_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def score_files(gold: str | os.PathLike[str], test: str | os.PathLike[str]) -> AlignScore:
    """Score a test bead file or folder against a gold one (see :func:`pair_files`)."""
    pairs = pair_files(gold, test)
    golds, tests = [], []
    for gp, tp in pairs:
        g, t = read_beads(gp), read_beads(tp)
        _check_coverage(g, t, tp)
        golds.append(g)
        tests.append(t)
    return score_alignments(golds, tests)


def _check_coverage(gold: Sequence[Bead], test: Sequence[Bead], where: Path) -> None:
    """Warn when test and gold cover different sentences (wrong file, other segmentation)."""
    for side in ("zh", "en"):
        g = {i for b in gold for i in getattr(b, side)}
        t = {i for b in test for i in getattr(b, side)}
        if g != t:
            log.warning(
                "%s: the %s sentence ids differ from the gold file's (%d gold, %d test, "
                "%d in common); was it aligned from the same sentence files?",
                where, side, len(g), len(t), len(g & t),
            )


def _para_key(text: str) -> str:
    return re.sub(r"\s+", "", text)


def paragraph_pair_maps(zh_paragraphs: Sequence[str], en_paragraphs: Sequence[str],
                        pairs: Sequence[ParagraphPair], *, min_matched: float = 0.8
                        ) -> tuple[list[int | None], list[int | None]] | None:
    """For each Chinese and each English paragraph, the index of the bilingual page's pair
    that holds it (matched by text, whitespace aside; None: in no pair). None when under
    ``min_matched`` of either side's paragraphs match: the page is another version."""
    zh_at = {_para_key(p.zh): i for i, p in enumerate(pairs) if p.zh}
    en_at = {_para_key(p.en): i for i, p in enumerate(pairs) if p.en}
    zmap = [zh_at.get(_para_key(p)) for p in zh_paragraphs]
    emap = [en_at.get(_para_key(p)) for p in en_paragraphs]
    for found in (zmap, emap):
        if not found or sum(i is not None for i in found) < min_matched * len(found):
            return None
    return zmap, emap


def paragraph_agreement(doc: AlignedDocument, zh_paragraphs: Sequence[str],
                        en_paragraphs: Sequence[str], pairs: Sequence[ParagraphPair],
                        *, min_matched: float = 0.8) -> float | None:
    """Share of the two-sided beads whose sentences come from paragraphs the bilingual page
    pairs: a check of a sentence alignment against paragraph alignment that comes for free.

    The documents' paragraphs are matched to the page's by their text (whitespace aside).
    Returns None when under ``min_matched`` of either side's paragraphs match (the page is
    a different version of the text) or no bead can be judged.
    """
    maps = paragraph_pair_maps(zh_paragraphs, en_paragraphs, pairs, min_matched=min_matched)
    if maps is None:
        return None
    zmap, emap = maps
    agree = judged = 0
    for bead in doc.alignment.beads:
        if not (bead.zh and bead.en):
            continue
        zs = {zmap[doc.zh[i].para] for i in bead.zh}
        es = {emap[doc.en[i].para] for i in bead.en}
        if None in zs or None in es:
            continue
        judged += 1
        agree += bool(zs & es)
    return agree / judged if judged else None
