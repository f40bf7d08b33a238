"""Machine-translation evaluation against the aligned pairs, with sacrebleu.

An MT system translates one side of the pairs; its output (the *hypotheses*) is scored
against the other side with BLEU, chrF and TER, corpus-wide, per article and per segment.
Tokenisation follows the target language: a Chinese target needs BLEU's ``zh`` tokenizer
and TER's normalised mode with Asian support (without it TER sees a whole Chinese sentence
as one word); English targets use ``13a`` and plain TER. chrF works on characters either
way. Every score comes with sacrebleu's signature, so it can be reproduced.
"""

from __future__ import annotations

import enum
import logging
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.errors import EvaluateError
from corpus.export.common import read_lines
from corpus.export.jsonl import parse_json_line
from corpus.model import AlignedPair

log = logging.getLogger(__name__)

# JSONL keys tried, in order, when no column is named
HYPOTHESIS_KEYS = ("hypothesis", "hyp", "mt", "translation")


class Direction(enum.StrEnum):
    """Translation direction: source language, then target language."""

    ZH_EN = "zh-en"
    EN_ZH = "en-zh"

    @property
    def target(self) -> str:
        return self.value.split("-")[1]


@dataclass(frozen=True, slots=True)
class Scores:
    """BLEU, chrF and TER (sacrebleu's 0-100 scale) over ``n`` segments."""

    bleu: float
    chrf: float
    ter: float
    n: int

    def to_dict(self) -> dict[str, float | int]:
        return {"bleu": self.bleu, "chrf": self.chrf, "ter": self.ter, "n": self.n}


@dataclass(frozen=True, slots=True)
class Segment:
    """One scored pair: where it is, its texts, its alignment score and its MT scores."""

    line: int  # 0-based position of the pair in the aligned input
    article_id: str
    kind: str  # bead type, "1-1", "2-1" …
    align_score: float
    source: str
    reference: str
    hypothesis: str
    scores: Scores

    def to_dict(self) -> dict[str, Any]:
        return {
            "line": self.line, "article_id": self.article_id, "type": self.kind,
            "align_score": self.align_score if math.isfinite(self.align_score) else None,
            "source": self.source, "reference": self.reference, "hypothesis": self.hypothesis,
            **self.scores.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Corpus, per-article and per-segment scores of one MT output, with signatures."""

    direction: Direction
    corpus: Scores
    articles: dict[str, Scores]
    segments: tuple[Segment, ...]
    signatures: dict[str, str]  # metric name -> sacrebleu signature
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> pairs left out

    def worst(self, n: int) -> list[Segment]:
        """The ``n`` segments with the lowest chrF (sentence-level chrF is the steadiest)."""
        return sorted(self.segments, key=lambda s: (s.scores.chrf, s.line))[:n]

    def to_dict(self) -> dict[str, Any]:
        return {
            "direction": self.direction.value,
            "signatures": self.signatures,
            "corpus": self.corpus.to_dict(),
            "skipped": self.skipped,
            "articles": {k: v.to_dict() for k, v in self.articles.items()},
            "segments": [s.to_dict() for s in self.segments],
        }


class _Metrics:
    """The three sacrebleu metrics set up for one target language.

    Segment statistics are extracted once per metric and summed for the corpus and for each
    article, and read alone for each segment: the same numbers ``corpus_score`` and
    ``sentence_score`` give (the tests check them against sacrebleu's command line), at a
    third of the cost, which matters for TER.
    """

    def __init__(self, target: str) -> None:
        from sacrebleu.metrics import BLEU, CHRF, TER

        zh = target == "zh"
        tok = "zh" if zh else "13a"
        self.bleu = BLEU(tokenize=tok)
        self.sent_bleu = BLEU(tokenize=tok, effective_order=True)  # short segments need it
        self.chrf = CHRF()
        # TER tokenises Chinese characters only in normalised mode with Asian support
        self.ter = TER(normalized=zh, asian_support=zh)
        self._stats: dict[str, list[Any]] = {}

    def extract(self, hyps: list[str], refs: list[str]) -> None:
        """Compute every segment's statistics for the three metrics."""
        for name, metric in (("bleu", self.bleu), ("chrf", self.chrf), ("ter", self.ter)):
            self._stats[name] = metric._extract_corpus_statistics(hyps, [refs])

    def _score(self, rows: Sequence[int], bleu: Any) -> Scores:
        def agg(metric: Any, name: str) -> float:
            return float(metric._aggregate_and_compute([self._stats[name][i] for i in rows]).score)

        return Scores(bleu=agg(bleu, "bleu"), chrf=agg(self.chrf, "chrf"),
                      ter=agg(self.ter, "ter"), n=len(rows))

    def corpus(self, rows: Sequence[int]) -> Scores:
        return self._score(rows, self.bleu)

    def sentence(self, row: int) -> Scores:
        return self._score([row], self.sent_bleu)

    def signatures(self) -> dict[str, str]:
        return {"BLEU": str(self.bleu.get_signature()), "chrF": str(self.chrf.get_signature()),
                "TER": str(self.ter.get_signature())}


def _match(pairs: Sequence[AlignedPair], hypotheses: Sequence[str]) -> list[int]:
    """Which pair each hypothesis belongs to.

    One hypothesis per pair, in input order; or one per pair with text on both sides (what
    a TMX holds, or an MT run that skipped the empty lines). Anything else is an error.
    """
    if len(hypotheses) == len(pairs):
        return list(range(len(pairs)))
    two_sided = [i for i, p in enumerate(pairs) if p.zh_ids and p.en_ids]
    if len(hypotheses) == len(two_sided):
        log.info("%d hypotheses: one for each pair with text on both sides", len(hypotheses))
        return two_sided
    raise EvaluateError(
        f"the MT output has {len(hypotheses)} lines but the aligned input has {len(pairs)} "
        f"pairs ({len(two_sided)} with text on both sides); give one line per pair, in the "
        "order of the input"
    )


def evaluate(
    pairs: Sequence[AlignedPair], hypotheses: Sequence[str],
    direction: Direction | str = Direction.ZH_EN, *,
    min_score: float | None = None, one_to_one: bool = False,
) -> Evaluation:
    """Score ``hypotheses`` (MT of the source side of ``pairs``) against the target side.

    Only pairs with text on both sides are scored. ``min_score`` keeps pairs whose alignment
    score is at least that (pairs without a score are left out then); ``one_to_one`` keeps
    1-1 beads only. What was left out is counted in ``Evaluation.skipped``.
    """
    try:
        direction = Direction(direction)
    except ValueError as err:
        raise EvaluateError(f"unknown direction {direction!r}; use zh-en or en-zh") from err
    owner = _match(pairs, hypotheses)
    skipped = {"one-sided": 0, "below min score": 0, "not 1-1": 0}
    chosen: list[tuple[int, AlignedPair, str]] = []
    for pair_index, hyp in zip(owner, hypotheses, strict=True):
        p = pairs[pair_index]
        if not (p.zh_ids and p.en_ids and p.zh.strip() and p.en.strip()):
            skipped["one-sided"] += 1
        elif min_score is not None and not p.score >= min_score:  # NaN fails too
            skipped["below min score"] += 1
        elif one_to_one and p.kind != "1-1":
            skipped["not 1-1"] += 1
        else:
            chosen.append((pair_index, p, hyp))
    skipped["one-sided"] += len(pairs) - len(owner)
    if not chosen:
        raise EvaluateError(f"no pairs left to score (left out: {_skipped_text(skipped)}); "
                            "lower --min-score or drop --one-to-one")
    metrics = _Metrics(direction.target)
    to_en = direction is Direction.ZH_EN
    refs = [p.en if to_en else p.zh for _, p, _ in chosen]
    hyps = [hyp for _, _, hyp in chosen]
    metrics.extract(hyps, refs)
    segments = []
    by_article: dict[str, list[int]] = {}
    for row, (pair_index, p, hyp) in enumerate(chosen):
        segments.append(Segment(pair_index, p.article_id, p.kind, p.score,
                                p.zh if to_en else p.en, refs[row], hyp, metrics.sentence(row)))
        by_article.setdefault(p.article_id, []).append(row)
    corpus = metrics.corpus(range(len(chosen)))
    log.info("scored %d segments (%s): BLEU %.2f chrF %.2f TER %.2f", corpus.n, direction,
             corpus.bleu, corpus.chrf, corpus.ter)
    return Evaluation(
        direction=direction,
        corpus=corpus,
        articles={a: metrics.corpus(rows) for a, rows in by_article.items()},
        segments=tuple(segments),
        signatures=metrics.signatures(),
        skipped={k: v for k, v in skipped.items() if v},
    )


def _skipped_text(skipped: dict[str, int]) -> str:
    return ", ".join(f"{n} {why}" for why, n in skipped.items() if n) or "none"


# --------------------------------------------------------------------------- input

def read_hypotheses(path: str | os.PathLike[str], *, column: str | None = None) -> list[str]:
    """Read MT output: one line per pair, or a hypothesis column of a TSV or JSONL file.

    ``.tsv``: ``column`` is a 1-based field number, or a name found in the first (header)
    line; by default the last field. ``.jsonl``: ``column`` is the key; by default the first
    of :data:`HYPOTHESIS_KEYS` present. Any other file: one hypothesis per line.
    """
    path = Path(path)
    lines = read_lines(path, "MT output", error=EvaluateError)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return _jsonl_column(path, lines, column)
    if suffix == ".tsv":
        return _tsv_column(path, lines, column)
    if column is not None:
        raise EvaluateError(f"{path}: a column ({column!r}) only applies to .tsv or .jsonl files")
    return lines


def _tsv_column(path: Path, lines: list[str], column: str | None) -> list[str]:
    index = -1
    if column is not None and column.isdigit():
        index = int(column) - 1
    elif column is not None:
        header = lines[0].split("\t") if lines else []
        if column not in header:
            raise EvaluateError(f"{path}: no column {column!r} in the header line "
                                f"({', '.join(header) or 'empty file'})")
        index = header.index(column)
        lines = lines[1:]
    out = []
    for n, line in enumerate(lines, 1):
        fields = line.split("\t")
        if index >= len(fields) or index < -len(fields):
            raise EvaluateError(f"{path}:{n}: line has {len(fields)} fields, no field {index + 1}")
        out.append(fields[index])
    return out


def _jsonl_column(path: Path, lines: list[str], column: str | None) -> list[str]:
    out = []
    for n, line in enumerate(lines, 1):
        obj = parse_json_line(line, f"{path}:{n}", error=EvaluateError)
        if not isinstance(obj, dict):
            raise EvaluateError(f"{path}:{n}: expected a JSON object per line")
        keys = [column] if column is not None else list(HYPOTHESIS_KEYS)
        key = next((k for k in keys if k in obj), None)
        if key is None or not isinstance(obj[key], str):
            raise EvaluateError(f"{path}:{n}: no hypothesis under {' or '.join(keys)}; "
                                f"keys: {', '.join(obj)}; name one with --column")
        out.append(obj[key])
    return out


# --------------------------------------------------------------------------- output

def format_evaluation(ev: Evaluation, *, worst: int = 10) -> str:
    """A plain-text summary: corpus scores with signatures, per article, worst segments."""
    c = ev.corpus
    out = [f"{ev.direction}: {c.n} segments scored"
           + (f" (left out: {_skipped_text(ev.skipped)})" if ev.skipped else "")]
    for name, value in (("BLEU", c.bleu), ("chrF", c.chrf), ("TER", c.ter)):
        out.append(f"{name:<5}{value:7.2f}  {ev.signatures[name]}")
    if len(ev.articles) > 1:
        width = max(len(a) for a in ev.articles)
        out += ["", f"{'article':<{width}}  {'n':>5}  {'BLEU':>6}  {'chrF':>6}  {'TER':>6}"]
        for a, s in ev.articles.items():
            out.append(f"{a:<{width}}  {s.n:5d}  {s.bleu:6.2f}  {s.chrf:6.2f}  {s.ter:6.2f}")
    if worst > 0:
        out += ["", f"worst {min(worst, len(ev.segments))} segments by chrF "
                    "(pair number, article, chrF, BLEU, TER):"]
        for seg in ev.worst(worst):
            sc = seg.scores
            out.append(f"{seg.line + 1}\t{seg.article_id}\t{sc.chrf:.1f}\t{sc.bleu:.1f}"
                       f"\t{sc.ter:.1f}")
            out.append(f"  src: {seg.source}\n  ref: {seg.reference}\n  hyp: {seg.hypothesis}")
    return "\n".join(out)
