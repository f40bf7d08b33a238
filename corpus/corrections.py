"""Alignment corrections: bead files a person wrote (by hand or in `corpus serve`).

``DIR/corrections/<article id>.align`` holds one bead per line in the bead format
(``[zh ids]:[en ids]``, 0-based, the form Bertalign and Vecalign use) and a header that
pins the sentences it was written for::

    # corpus corrections 1
    # article: 20240301-river-cleanup
    # sentences: zh=12 en=14 sha256=3f9a0c1d5e7b2a46
    [0]:[0]
    [1,2]:[1]
    []:[2]       # a trailing comment is allowed
    [3]:[]

Blank lines and other ``#`` lines are ignored. The beads must use every sentence of both
sides exactly once, in order (the concatenated ids of each side are 0, 1, 2, …), and no
bead may be empty on both sides; the first line that breaks this is named in the error.
The ``sentences`` line is required: when the article's sentences no longer hash to it
(the seed, the English text or the segmenter changed), the file is *stale* and is never
applied. `corpus corrections DIR --start ID` writes a file with the header for hand
editing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.errors import CorrectionsError
from corpus.export.common import atomic_write
from corpus.files import MAX_DOCUMENT_BYTES, read_text
from corpus.model import Alignment, Bead

log = logging.getLogger(__name__)

CORRECTIONS_DIR = "corrections"
SUFFIX = ".align"
FORMAT_LINE = "# corpus corrections 1"
_BEAD = re.compile(r"^\[\s*([0-9,\s]*)\]\s*:\s*\[\s*([0-9,\s]*)\]$")
_HEADER = re.compile(r"^#\s*(article|sentences)\s*:\s*(.*?)\s*$")
_SENTENCES = re.compile(r"^zh=(\d+)\s+en=(\d+)\s+sha256=([0-9a-f]{16})$")
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$")


class Status:
    """What a build did with an article's corrections file (plain strings in the manifest)."""

    APPLIED = "applied"
    STALE = "stale"  # the sentences changed since the file was written: not applied


@dataclass(frozen=True, slots=True)
class Corrections:
    """A parsed corrections file: the beads and the sentences they were written for."""

    article_id: str
    beads: tuple[Bead, ...]
    zh_count: int
    en_count: int
    digest: str  # sentence_digest() of the sentences the file was written for


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of applying an article's corrections, as the manifest records it."""

    file: str  # relative to the build folder
    status: str  # Status.APPLIED or Status.STALE
    reason: str = ""
    changed: int = 0  # beads that differ from the aligner's

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"file": self.file, "status": self.status}
        if self.reason:
            d["reason"] = self.reason
        if self.status == Status.APPLIED:
            d["changed_beads"] = self.changed
        return d


def sentence_digest(zh: Sequence[str], en: Sequence[str]) -> str:
    """A short hash of both sides' sentence texts, in order (16 hex digits)."""
    blob = json.dumps([list(zh), list(en)], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


def corrections_path(outdir: str | Path, article_id: str) -> Path:
    """``outdir/corrections/<id>.align``; an id that is not a plain file name is refused."""
    if not _SAFE_ID.match(article_id) or ".." in article_id:
        raise CorrectionsError(f"article id {article_id!r} cannot name a corrections file "
                               "(letters, digits, '.', '_' and '-' only)")
    return Path(outdir) / CORRECTIONS_DIR / f"{article_id}{SUFFIX}"


def existing(outdir: str | Path, article_id: str) -> Path | None:
    """The article's corrections file if it has one (never for an id unfit for a name)."""
    try:
        path = corrections_path(outdir, article_id)
    except CorrectionsError:
        return None
    return path if path.is_file() else None


# --------------------------------------------------------------------------- reading

def _ids(text: str, where: str) -> tuple[int, ...]:
    parts = [p.strip() for p in text.split(",")]
    if parts == [""]:
        return ()
    if "" in parts:
        raise CorrectionsError(f"{where}: an empty sentence id between commas")
    return tuple(int(p) for p in parts)


def parse(text: str, *, where: str = "corrections") -> Corrections:
    """Parse and check a corrections file's text; errors name the line (``where:N``)."""
    article = ""
    header: tuple[int, int, str] | None = None
    beads: list[tuple[int, Bead]] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        at = f"{where}:{lineno}"
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            m = _HEADER.match(line)
            if m and m.group(1) == "article":
                article = m.group(2)
            elif m:
                s = _SENTENCES.match(m.group(2))
                if s is None:
                    raise CorrectionsError(f"{at}: expected '# sentences: zh=N en=M "
                                           "sha256=<16 hex digits>'")
                header = (int(s.group(1)), int(s.group(2)), s.group(3))
            continue
        m = _BEAD.match(line.split("#", 1)[0].strip())
        if m is None:
            raise CorrectionsError(f"{at}: {raw.strip()[:60]!r} is not a bead like [3]:[4,5]")
        bead = Bead(_ids(m.group(1), at), _ids(m.group(2), at))
        if not bead.zh and not bead.en:
            raise CorrectionsError(f"{at}: a bead must have a sentence on at least one side")
        beads.append((lineno, bead))
    if header is None:
        raise CorrectionsError(f"{where}: no '# sentences: zh=N en=M sha256=…' line, so it "
                               "cannot be checked against the article; start from a file "
                               "`corpus corrections DIR --start ID` writes")
    zh_count, en_count, digest = header
    _check_order(beads, zh_count, en_count, where)
    return Corrections(article, tuple(b for _, b in beads), zh_count, en_count, digest)


def _check_order(beads: list[tuple[int, Bead]], zh_count: int, en_count: int,
                 where: str) -> None:
    """Every sentence exactly once and in order: each side's ids run 0, 1, 2, … ."""
    expect = {"zh": 0, "en": 0}
    count = {"zh": zh_count, "en": en_count}
    seen: dict[tuple[str, int], int] = {}
    for lineno, bead in beads:
        for side, ids in (("zh", bead.zh), ("en", bead.en)):
            for i in ids:
                at = f"{where}:{lineno}"
                if i >= count[side]:
                    raise CorrectionsError(f"{at}: {side} sentence {i} does not exist (the "
                                           f"article has {count[side]})")
                if (side, i) in seen:
                    raise CorrectionsError(f"{at}: {side} sentence {i} is already in the bead "
                                           f"on line {seen[side, i]}")
                if i != expect[side]:
                    what = ("is missing" if i > expect[side] else "comes out of order")
                    raise CorrectionsError(f"{at}: {side} sentence {expect[side]} {what} "
                                           f"(beads must use the sentences in order)")
                seen[side, i] = lineno
                expect[side] += 1
    for side in ("zh", "en"):
        if expect[side] != count[side]:
            raise CorrectionsError(f"{where}: {side} sentences {expect[side]}–{count[side] - 1} "
                                   "are in no bead")


def read(path: str | Path) -> Corrections:
    """Read and check a corrections file."""
    text = read_text(path, MAX_DOCUMENT_BYTES, "a corrections file", error=CorrectionsError)
    return parse(text, where=str(path))


def check_beads(beads: Sequence[Bead], zh_count: int, en_count: int, *,
                where: str = "beads") -> None:
    """Raise CorrectionsError unless ``beads`` use every sentence once, in order."""
    for bead in beads:
        if not bead.zh and not bead.en:
            raise CorrectionsError(f"{where}: a bead with no sentence on either side")
    _check_order([(k, b) for k, b in enumerate(beads)], zh_count, en_count, where)


# --------------------------------------------------------------------------- writing

def dumps(article_id: str, beads: Sequence[Bead], zh: Sequence[str], en: Sequence[str]) -> str:
    """The text of a corrections file for ``beads`` over sentences ``zh``/``en`` (checked)."""
    check_beads(beads, len(zh), len(en), where=f"corrections for {article_id}")
    lines = [FORMAT_LINE, f"# article: {article_id}",
             f"# sentences: zh={len(zh)} en={len(en)} sha256={sentence_digest(zh, en)}"]
    lines += [str(b) for b in beads]
    return "\n".join(lines) + "\n"


def write(outdir: str | Path, article_id: str, beads: Sequence[Bead], zh: Sequence[str],
          en: Sequence[str]) -> Path:
    """Write (atomically) the corrections file of one article; return its path."""
    path = corrections_path(outdir, article_id)
    text = dumps(article_id, beads, zh, en)
    with atomic_write(path) as f:
        f.write(text)
    return path


# --------------------------------------------------------------------------- applying

def is_stale(corr: Corrections, zh: Sequence[str], en: Sequence[str]) -> bool:
    """Whether the sentences are not the ones the corrections were written for."""
    return (corr.zh_count, corr.en_count, corr.digest) != (len(zh), len(en),
                                                           sentence_digest(zh, en))


Scorer = Callable[[Sequence[tuple[str, str]]], Sequence[float]]


def apply(outdir: str | Path, article_id: str, zh: Sequence[str], en: Sequence[str],
          alignment: Alignment, scorer: Scorer | None = None
          ) -> tuple[Alignment, Outcome | None]:
    """Replace the aligner's beads by the article's corrections, if it has valid ones.

    Returns the alignment to export and what happened (None: no corrections file). A
    stale file leaves the aligner's beads; an invalid one raises CorrectionsError naming
    the line. Beads identical to the aligner's keep its score; others are scored by
    ``scorer`` (joined zh, joined en texts → cosine), or get no score (NaN) without one.
    """
    path = existing(outdir, article_id)
    if path is None:
        return alignment, None
    rel = str(path.relative_to(outdir))
    corr = read(path)
    if is_stale(corr, zh, en):
        reason = (f"written for {corr.zh_count} Chinese and {corr.en_count} English sentences "
                  f"(hash {corr.digest}); the article now has {len(zh)} and {len(en)} (hash "
                  f"{sentence_digest(zh, en)}): review it in `corpus serve` and save it again")
        log.warning("article %s: corrections %s are stale, not applied: %s", article_id, rel,
                    reason)
        return alignment, Outcome(rel, Status.STALE, reason)
    scores = {(b.zh, b.en): b.score for b in alignment.beads}
    confidence = {(b.zh, b.en): b.confidence for b in alignment.beads}
    new = [b for b in corr.beads if (b.zh, b.en) not in scores]
    texts = [("".join(zh[i] for i in b.zh), " ".join(en[i] for i in b.en))
             for b in new if b.zh and b.en]
    fresh = iter(scorer(texts) if scorer and texts else [])
    beads = []
    for b in corr.beads:
        if (b.zh, b.en) in scores:
            score = scores[b.zh, b.en]
        elif b.zh and b.en:
            score = round(float(next(fresh, math.nan)), 4)
        else:
            score = 0.0  # what the aligner gives an unmatched sentence
        # a bead a person set is taken as right; the aligner's own beads keep their confidence
        beads.append(Bead(b.zh, b.en, score, confidence.get((b.zh, b.en), 1.0)))
    params = {**alignment.params, "corrections": rel}
    log.info("article %s: applied %s (%d beads changed)", article_id, rel, len(new))
    return Alignment(tuple(beads), alignment.encoder, params), Outcome(rel, Status.APPLIED,
                                                                       changed=len(new))


def encoder_scorer(encoder: Any) -> Scorer:
    """Score text pairs by the cosine of their embeddings (rows are L2-normalised)."""

    def score(pairs: Sequence[tuple[str, str]]) -> list[float]:
        vecs = encoder.encode([t for pair in pairs for t in pair])
        return [float(vecs[2 * k] @ vecs[2 * k + 1]) for k in range(len(pairs))]

    return score
