"""Articles as the workbench sees them: built beads, their corrections, and edits with undo.

An article's *current* beads are those of its corrections file when that file is valid and
fits the built sentences, else the beads the build wrote. Every edit is checked (each
sentence once, in order), saved as the corrections file, and the file's previous text is
pushed on an undo stack (``corrections/.undo/<id>.json``), so undo survives a restart.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus import corrections
from corpus.errors import CorpusError, CorrectionsError
from corpus.export.common import atomic_write
from corpus.export.jsonl import read_jsonl_records
from corpus.export.merge import beads_path
from corpus.files import MAX_DOCUMENT_BYTES, read_text
from corpus.index import done_articles
from corpus.model import AlignedDocument, Alignment, Bead
from corpus.outdir import locked
from corpus.report.load import documents_from_records

log = logging.getLogger(__name__)

UNDO_DIR = ".undo"
UNDO_DEPTH = 50


class State:
    """The state of an article's corrections file."""

    NONE = "none"  # no file
    BUILT = "applied"  # valid; the build applied it (the built beads are the file's)
    PENDING = "pending"  # valid, not yet applied: the next build will
    STALE = "stale"  # written for other sentences: never applied
    INVALID = "invalid"  # malformed: the next build fails this article


@dataclass(frozen=True, slots=True)
class CorrectionState:
    article_id: str
    state: str
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"article_id": self.article_id, "state": self.state, "detail": self.detail}


@dataclass(frozen=True, slots=True)
class ArticleView:
    """A built article with its current beads (``doc.alignment``) and corrections state."""

    doc: AlignedDocument
    built: tuple[Bead, ...]
    state: CorrectionState
    undo_depth: int
    # the built beads' (zh, en) ids, so is_built is a lookup, not a scan per bead
    _spans: frozenset[tuple[tuple[int, ...], tuple[int, ...]]] = field(
        init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_spans", frozenset((b.zh, b.en) for b in self.built))

    def is_built(self, bead: Bead) -> bool:
        return (bead.zh, bead.en) in self._spans


def article_ids(outdir: Path) -> list[str]:
    """The built articles that have a bead file (what the workbench can show)."""
    return [a for a in done_articles(outdir) if beads_path(outdir, a).is_file()]


def load_built(outdir: Path, article_id: str) -> AlignedDocument:
    path = beads_path(outdir, article_id)
    docs = documents_from_records(read_jsonl_records(path))
    if len(docs) != 1:
        raise CorpusError(f"{path} holds {len(docs)} articles, not one", article_id=article_id)
    return docs[0]


def _texts(doc: AlignedDocument) -> tuple[list[str], list[str]]:
    return [s.text for s in doc.zh], [s.text for s in doc.en]


def load(outdir: Path, article_id: str) -> ArticleView:
    """The article with its current beads; scores are the build's where a bead is unchanged
    (NaN for beads only the corrections have)."""
    doc = load_built(outdir, article_id)
    built = doc.alignment.beads
    zh, en = _texts(doc)
    state, fixed = _state(outdir, article_id, built, zh, en)
    beads = built
    if fixed is not None:
        known = {(b.zh, b.en): b for b in built}
        beads = tuple(known.get((b.zh, b.en)) or Bead(b.zh, b.en, math.nan) for b in fixed.beads)
    doc = AlignedDocument(doc.article_id, doc.zh, doc.en, Alignment(beads, doc.alignment.encoder),
                          doc.meta)
    return ArticleView(doc, built, state, len(_undo_stack(outdir, article_id)))


def _state(outdir: Path, article_id: str, built: Sequence[Bead], zh: Sequence[str],
           en: Sequence[str]) -> tuple[CorrectionState, corrections.Corrections | None]:
    """The corrections state, with the parsed file where it applies (built or pending)."""
    path = corrections.existing(outdir, article_id)
    if path is None:
        return CorrectionState(article_id, State.NONE), None
    try:
        fixed = corrections.read(path)
    except CorrectionsError as err:
        return CorrectionState(article_id, State.INVALID, err.message), None
    if corrections.is_stale(fixed, zh, en):
        return CorrectionState(article_id, State.STALE,
                               "written for other sentences: the build does not apply it"), None
    same = [(b.zh, b.en) for b in fixed.beads] == [(b.zh, b.en) for b in built]
    if same:
        return CorrectionState(article_id, State.BUILT, "applied by the build"), fixed
    return (CorrectionState(article_id, State.PENDING,
                            "saved; the next `corpus build` applies it"), fixed)


def check_corrections(outdir: Path) -> list[CorrectionState]:
    """The state of every corrections file under ``outdir/corrections`` (orphan: no built
    article has its id)."""
    folder = outdir / corrections.CORRECTIONS_DIR
    built = set(article_ids(outdir))
    out = []
    for path in sorted(folder.glob(f"*{corrections.SUFFIX}")):
        aid = path.name[: -len(corrections.SUFFIX)]
        if aid not in built:
            out.append(CorrectionState(aid, "orphan", "no built article with this id"))
            continue
        out.append(load(outdir, aid).state)
    return out


def start_corrections(outdir: Path, article_id: str) -> Path:
    """Write the article's current beads as its corrections file (for editing by hand)."""
    if article_id not in article_ids(outdir):
        raise CorpusError(f"no built article {article_id!r} in {outdir}; see the manifest")
    with _writing(outdir, "corpus corrections --start"):
        view = load(outdir, article_id)
        if view.state.state == State.INVALID:
            raise CorrectionsError(f"the corrections file is invalid: {view.state.detail}")
        return save(outdir, view, view.doc.alignment.beads)


# --------------------------------------------------------------------------- edits

_OP = re.compile(r"^(merge):(\d+)$|^(split):(\d+):(zh|en):(\d+)$|^(unmatch):(zh|en):(\d+)$"
                 r"|^(link):(zh|en):(\d+):(prev|next)$")


def _sides(bead: Bead, side: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    return (bead.zh, bead.en) if side == "zh" else (bead.en, bead.zh)


def _make(side: str, this: tuple[int, ...], other: tuple[int, ...]) -> Bead:
    return Bead(this, other) if side == "zh" else Bead(other, this)


def _find(beads: Sequence[Bead], side: str, i: int) -> int:
    for k, b in enumerate(beads):
        if i in _sides(b, side)[0]:
            return k
    raise CorrectionsError(f"there is no {side} sentence {i}")


def merge(beads: Sequence[Bead], k: int) -> list[Bead]:
    """Merge bead ``k`` with the next one."""
    if not 0 <= k < len(beads) - 1:
        raise CorrectionsError(f"bead {k} has no next bead to merge with")
    a, b = beads[k], beads[k + 1]
    return [*beads[:k], Bead(a.zh + b.zh, a.en + b.en), *beads[k + 2:]]


def split(beads: Sequence[Bead], k: int, side: str, i: int) -> list[Bead]:
    """Split bead ``k`` before its ``side`` sentence ``i``: the sentences from ``i`` on form
    a new bead after it; the other side stays with the first part."""
    if not 0 <= k < len(beads):
        raise CorrectionsError(f"there is no bead {k}")
    this, other = _sides(beads[k], side)
    if i not in this[1:]:
        raise CorrectionsError(f"bead {k} cannot be split before {side} sentence {i}")
    cut = this.index(i)
    return [*beads[:k], _make(side, this[:cut], other), _make(side, this[cut:], ()),
            *beads[k + 1:]]


def unmatch(beads: Sequence[Bead], side: str, i: int) -> list[Bead]:
    """Make ``side`` sentence ``i`` a bead of its own (no counterpart); it must be the first
    or last sentence on its side of its bead."""
    k = _find(beads, side, i)
    this, other = _sides(beads[k], side)
    if this == (i,) and not other:
        raise CorrectionsError(f"{side} sentence {i} is already unmatched")
    alone = _make(side, (i,), ())
    rest_this = tuple(x for x in this if x != i)
    rest = _make(side, rest_this, other)
    if i == this[0]:
        return [*beads[:k], alone, rest, *beads[k + 1:]]
    if i == this[-1]:
        return [*beads[:k], rest, alone, *beads[k + 1:]]
    raise CorrectionsError(f"{side} sentence {i} is inside its bead: split the bead first")


def link(beads: Sequence[Bead], side: str, i: int, direction: str) -> list[Bead]:
    """Move ``side`` sentence ``i`` into the previous or next bead; it must sit at that
    edge of its bead. A bead left with no sentence disappears."""
    k = _find(beads, side, i)
    this, other = _sides(beads[k], side)
    if direction == "prev":
        if k == 0 or i != this[0]:
            raise CorrectionsError(f"{side} sentence {i} cannot join the previous bead")
        p_this, p_other = _sides(beads[k - 1], side)
        new = [_make(side, (*p_this, i), p_other), _make(side, this[1:], other)]
        lo, hi = k - 1, k + 1
    else:
        if k == len(beads) - 1 or i != this[-1]:
            raise CorrectionsError(f"{side} sentence {i} cannot join the next bead")
        n_this, n_other = _sides(beads[k + 1], side)
        new = [_make(side, this[:-1], other), _make(side, (i, *n_this), n_other)]
        lo, hi = k, k + 2
    new = [b for b in new if b.zh or b.en]
    return [*beads[:lo], *new, *beads[hi:]]


def apply_op(beads: Sequence[Bead], op: str) -> list[Bead]:
    """Apply one edit, written as the workbench's buttons send it (``merge:3``,
    ``split:3:zh:7``, ``unmatch:en:4``, ``link:en:4:prev``)."""
    m = _OP.match(op)
    if m is None:
        raise CorrectionsError(f"unknown edit {op[:40]!r}")
    g = [x for x in m.groups() if x is not None]
    if g[0] == "merge":
        return merge(beads, int(g[1]))
    if g[0] == "split":
        return split(beads, int(g[1]), g[2], int(g[3]))
    if g[0] == "unmatch":
        return unmatch(beads, g[1], int(g[2]))
    return link(beads, g[1], int(g[2]), g[3])


# --------------------------------------------------------------------------- saving, undo

def _writing(outdir: Path, purpose: str = "corpus serve, saving corrections"
             ) -> contextlib.AbstractContextManager[None]:
    """The build's lock, held for one change (read, check, write): while a build holds it
    the change is refused with BusyError, and a build that starts meanwhile waits.
    ``purpose`` is what a build refused meanwhile is told holds the folder."""
    return locked(Path(outdir), wait=False, purpose=purpose)


def _undo_path(outdir: Path, article_id: str) -> Path:
    path = corrections.corrections_path(outdir, article_id)
    return path.parent / UNDO_DIR / f"{article_id}.json"


def _undo_stack(outdir: Path, article_id: str) -> list[str | None]:
    path = _undo_path(outdir, article_id)
    try:
        stack = json.loads(read_text(path, MAX_DOCUMENT_BYTES, "an undo file",
                                     error=CorrectionsError))
    except (CorrectionsError, ValueError, RecursionError):  # missing, damaged or too large
        return []
    return [s for s in stack if s is None or isinstance(s, str)] if isinstance(stack, list) \
        else []


def _write_undo(outdir: Path, article_id: str, stack: list[str | None]) -> None:
    with atomic_write(_undo_path(outdir, article_id)) as f:
        json.dump(stack[-UNDO_DEPTH:], f, ensure_ascii=False)


def save(outdir: Path, view: ArticleView, beads: Sequence[Bead]) -> Path:
    """Write ``beads`` as the article's corrections; the old file goes on the undo stack."""
    aid = view.doc.article_id
    zh, en = _texts(view.doc)
    text = corrections.dumps(aid, beads, zh, en)  # checks the beads
    path = corrections.corrections_path(outdir, aid)
    old = (read_text(path, MAX_DOCUMENT_BYTES, "a corrections file", error=CorrectionsError)
           if path.is_file() else None)
    if old == text:
        return path
    _write_undo(outdir, aid, [*_undo_stack(outdir, aid), old])
    with atomic_write(path) as f:
        f.write(text)
    log.info("article %s: corrections saved to %s", aid, path)
    return path


def edit(outdir: Path, article_id: str, op: str) -> ArticleView:
    """Apply ``op`` to the article's current beads and save; return the new view."""
    with _writing(outdir):
        view = load(outdir, article_id)
        if view.state.state == State.INVALID:
            raise CorrectionsError(f"the corrections file is invalid ({view.state.detail}); "
                                   "fix or delete it first")
        save(outdir, view, apply_op(view.doc.alignment.beads, op))
    return load(outdir, article_id)


def undo(outdir: Path, article_id: str) -> ArticleView:
    """Put back the corrections file as it was before the last edit (none: remove it)."""
    with _writing(outdir):
        stack = _undo_stack(outdir, article_id)
        if not stack:
            raise CorrectionsError("nothing to undo")
        previous = stack.pop()
        path = corrections.corrections_path(outdir, article_id)
        if previous is None:
            path.unlink(missing_ok=True)
        else:
            with atomic_write(path) as f:
                f.write(previous)
        _write_undo(outdir, article_id, stack)
    return load(outdir, article_id)


def to_dict(view: ArticleView) -> dict[str, Any]:
    """The view as JSON: beads with ids, texts and whether the build has them."""
    doc = view.doc
    return {
        "article_id": doc.article_id, "state": view.state.to_dict(), "undo": view.undo_depth,
        "beads": [{"zh": list(b.zh), "en": list(b.en), "type": b.kind,
                   "score": b.score if math.isfinite(b.score) else None,
                   "built": view.is_built(b)} for b in doc.alignment.beads],
    }
