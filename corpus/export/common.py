"""What the three exporters share: the row they write, text normalisation, atomic writes.

A :class:`Record` is one bead as the exporters see it: the :class:`AlignedPair` plus what
an :class:`AlignedDocument` knows beyond it (the sentences, their paragraphs, the article's
URLs). Readers return records too, so converting JSONL to TMX keeps the URLs.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from corpus import files
from corpus.errors import CorpusError, ExportError
from corpus.files import MiB, is_stdio
from corpus.model import AlignedDocument, AlignedPair

# Characters XML 1.0 does not allow (§2.2 Char), plus lone surrogates, which are not
# Unicode scalar values and cannot be encoded as UTF-8 in any format.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SURROGATES = re.compile("[\ud800-\udfff]")
# Tabs and everything str.splitlines() breaks on: none may stay inside a TSV field.
_TSV_BREAKS = re.compile("[\t\n\v\f\r\x1c\x1d\x1e\x85\u2028\u2029]+")

# Article metadata copied onto every record, so each bead can be traced and shown in context
# on its own: URLs (any key ending in _url), the English source, titles, publication date.
# "corrections": the corrections file whose beads replaced the aligner's (corrections.py);
# "en_headings": the English paragraphs that are subheads ("2,6"), for the report.
_META_KEYS = ("source", "title", "title_zh", "title_en", "published", "corrections",
              "en_headings")


@dataclass(frozen=True, slots=True)
class Record:
    """One bead to export: the pair plus sentence-level detail and article metadata."""

    pair: AlignedPair
    zh_sents: tuple[str, ...] = ()  # the sentences joined into pair.zh, when known
    en_sents: tuple[str, ...] = ()
    zh_paras: tuple[int, ...] = ()  # paragraph index of each sentence, when known
    en_paras: tuple[int, ...] = ()
    meta: tuple[tuple[str, str], ...] = ()  # ("cn_url", ...), ("en_url", ...), ("source", ...)

    @property
    def two_sided(self) -> bool:
        """Whether the bead has text on both sides (only those go into a TMX)."""
        return bool(self.pair.zh_ids and self.pair.en_ids)


def article_meta(meta: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Pick the per-article fields every record carries (string values only)."""
    out = []
    for key in sorted(meta):
        value = meta[key]
        if (key.endswith("_url") or key in _META_KEYS) and isinstance(value, str) and value:
            out.append((key, value))
    return tuple(out)


def records_from_documents(docs: Iterable[AlignedDocument]) -> list[Record]:
    """Turn aligned documents into records, bead by bead, in document order."""
    records: list[Record] = []
    for doc in docs:
        meta = article_meta(doc.meta)
        for pair in doc.pairs():
            records.append(Record(
                pair=pair,
                zh_sents=tuple(doc.zh[i].text for i in pair.zh_ids),
                en_sents=tuple(doc.en[i].text for i in pair.en_ids),
                zh_paras=tuple(doc.zh[i].para for i in pair.zh_ids),
                en_paras=tuple(doc.en[i].para for i in pair.en_ids),
                meta=meta,
            ))
    return records


def as_records(items: Iterable[AlignedDocument | AlignedPair | Record]) -> list[Record]:
    """Accept documents, bare pairs or records (mixed) and return records."""
    out: list[Record] = []
    for item in items:
        if isinstance(item, Record):
            out.append(item)
        elif isinstance(item, AlignedPair):
            out.append(Record(pair=item))
        elif isinstance(item, AlignedDocument):
            out.extend(records_from_documents([item]))
        else:
            raise ExportError(f"cannot export a {type(item).__name__}; pass AlignedDocument, "
                              "AlignedPair or Record objects")
    return out


# --------------------------------------------------------------------------- text

def drop_surrogates(text: str) -> str:
    """Remove lone surrogates (text that came from broken UTF-16)."""
    return _SURROGATES.sub("", text)


def xml_text(text: str) -> str:
    """Remove what XML 1.0 forbids and strip whitespace at both ends (CAT tools match exactly)."""
    return _XML_FORBIDDEN.sub("", text).strip()


def tsv_field(text: str) -> str:
    """Collapse each run of tabs and line breaks to one space, then strip both ends."""
    return _TSV_BREAKS.sub(" ", drop_surrogates(text)).strip()


def format_ids(ids: Sequence[int]) -> str:
    """``(3, 4)`` → ``"3,4"``; no ids → ``""``."""
    return ",".join(str(i) for i in ids)


def parse_ids(text: str, *, where: str) -> tuple[int, ...]:
    """Inverse of :func:`format_ids`; accepts ``[3,4]`` too (the bead-file form)."""
    text = text.strip().strip("[]").strip()
    if not text:
        return ()
    try:
        return tuple(int(t) for t in text.split(","))
    except ValueError as err:
        raise ExportError(
            f"{where}: sentence ids {text[:40]!r} are not comma-separated integers") from err


def format_score(score: float) -> str:
    """Four decimals (enough to rank and filter); a missing (NaN) score is ``""``."""
    return f"{score:.4f}" if math.isfinite(score) else ""


def parse_confidence(text: str, *, where: str) -> float | None:
    """A bead's confidence as exported: ``""`` (not known) is None."""
    value = parse_score(text, where=where)
    return value if math.isfinite(value) else None


def parse_score(text: str, *, where: str) -> float:
    text = text.strip()
    if not text:
        return math.nan
    try:
        return float(text)
    except ValueError as err:
        raise ExportError(f"{where}: score {text!r} is not a number") from err


# --------------------------------------------------------------------------- files

def _default_mode() -> int:
    """Permission bits a freshly created file gets under the current umask."""
    # Reading the umask with os.umask() would change process-wide state; Linux exposes it.
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o644


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], *, newline: str = "\n") -> Iterator[IO[str]]:
    """Open a UTF-8 text file that appears at ``path`` only once it is complete.

    Writes go to a temporary file in the same folder, which is flushed, fsynced and then
    renamed over ``path``. If the block raises, the temporary file is removed and an old
    ``path`` stays as it was: an interrupted run never leaves a truncated file behind.
    ``-`` is standard output (written as it comes, so a pipe gets what was written), and so
    is any existing file that is not a regular one (``/dev/stdout``, a device, a FIFO):
    renaming over those would replace them. A symbolic link is written through: its target
    is replaced, the link stays.
    """
    if is_stdio(path):
        yield sys.stdout
        sys.stdout.flush()
        return
    if _is_special(path):
        yield from _write_special(path, newline)
        return
    target = Path(os.path.realpath(path))  # through a symlink (dangling: its target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        mode = target.stat().st_mode & 0o777 if target.exists() else _default_mode()
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                        dir=target.parent)
    except OSError as err:
        raise ExportError(f"cannot write {target}: {err.strerror or err}") from err
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        tmp.chmod(mode)
        tmp.replace(target)
    except BaseException as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(err, OSError):
            raise ExportError(f"cannot write {target}: {err.strerror or err}") from err
        raise
    _fsync_dir(target.parent)


def write_json(path: str | os.PathLike[str], obj: Any) -> None:
    """Write ``obj`` as indented UTF-8 JSON (non-ASCII kept, a final newline), atomically."""
    with atomic_write(path) as f:
        json.dump(obj, f, ensure_ascii=False, indent=2)
        f.write("\n")


def _is_special(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` exists and is not a regular file (links followed: /dev/stdout)."""
    try:
        return not stat.S_ISREG(Path(path).stat().st_mode)
    except OSError:
        return False


def _write_special(path: str | os.PathLike[str], newline: str) -> Iterator[IO[str]]:
    try:
        with Path(path).open("w", encoding="utf-8", newline=newline) as f:
            yield f
    except OSError as err:
        raise ExportError(f"cannot write {path}: {err.strerror or err}") from err


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable; not every platform lets a folder be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# Exports are parsed into records several times their size, so a cap keeps a wrong file (a
# disk image, /dev/zero) from exhausting memory; 1 GiB is about two million beads of JSONL,
# tens of thousands of articles.
MAX_EXPORT_BYTES = 1024 * MiB


def iter_lines(path: str | os.PathLike[str], what: str = "an export", *,
               limit: int | None = None, error: Callable[[str], CorpusError] = ExportError,
               encoding: str = "utf-8") -> Iterator[str]:
    """The lines of a UTF-8 file (``-``: standard input) as it is read, split on ``\\n``
    only (see :func:`corpus.files.iter_lines`), up to ``limit`` (default MAX_EXPORT_BYTES)."""
    limit = MAX_EXPORT_BYTES if limit is None else limit
    return files.iter_lines(path, limit, what, error=error, encoding=encoding)


def read_lines(path: str | os.PathLike[str], what: str = "an export", *,
               limit: int | None = None, error: Callable[[str], CorpusError] = ExportError,
               encoding: str = "utf-8") -> list[str]:
    """:func:`iter_lines` as a list."""
    return list(iter_lines(path, what, limit=limit, error=error, encoding=encoding))
