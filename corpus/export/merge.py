"""The one export path: per-article files, corpus-wide files, merge and convert.

A build calls :func:`export_article` for each article, which writes the article's bead file
``beads/<id>.jsonl`` (every bead, unfiltered, with a provenance header) and its files in the
chosen formats (filters applied), then :func:`merge_corpus`, which merges the bead files into
``<corpus_name>.<fmt>``. :func:`merge` and :func:`convert` read exports of any format back,
filter and de-duplicate, and write one file. Every file carries the provenance of its beads
(see corpus.provenance): a TMX in its header, a TSV or JSONL in ``<file>.meta.json``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from corpus.config import ExportConfig, ExportFormat, to_dict
from corpus.errors import ExportError
from corpus.export.common import (
    MAX_EXPORT_BYTES,
    Record,
    is_stdio,
    records_from_documents,
    write_json,
)
from corpus.export.jsonl import read_jsonl_file, write_jsonl
from corpus.export.tmx import read_tmx_file, write_tmx
from corpus.export.tsv import read_tsv_records, write_tsv
from corpus.files import MAX_DOCUMENT_BYTES, STDIO, open_capped, read_text
from corpus.filters import filter_items
from corpus.model import AlignedDocument
from corpus.provenance import TOOLKIT, Provenance, combine

log = logging.getLogger(__name__)

_SUFFIXES = {".tmx": ExportFormat.TMX, ".tsv": ExportFormat.TSV, ".tab": ExportFormat.TSV,
             ".jsonl": ExportFormat.JSONL, ".ndjson": ExportFormat.JSONL}
_UNSAFE = re.compile(r"[^\w.-]+")
SIDECAR_SUFFIX = ".meta.json"
BEADS_DIR = "beads"  # every bead of every article, unfiltered: what merges and reports read


@dataclass(slots=True)
class ExportResult:
    """What an export wrote: files, beads kept, and drops by reason (see DropReason).

    ``kept`` counts the beads that passed the filters; ``written`` counts the rows (TMX:
    translation units, so without unmatched sentences) of each data file.
    """

    files: list[Path] = field(default_factory=list)
    kept: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    written: dict[Path, int] = field(default_factory=dict)
    provenance: Provenance | None = None


@dataclass(slots=True)
class Export:
    """What a reader gives back: the beads, and the provenance the file carries (or None)."""

    records: list[Record]
    provenance: Provenance | None = None


def guess_format(path: str | os.PathLike[str]) -> ExportFormat:
    """The format a file name stands for: .tmx, .tsv/.tab, .jsonl/.ndjson."""
    fmt = _SUFFIXES.get(Path(path).suffix.lower())
    if fmt is None:
        raise ExportError(f"cannot tell the format of {path} from its extension; use "
                          f"{', '.join(sorted(_SUFFIXES))} or name the format explicitly")
    return fmt


def sniff_format(head: bytes) -> ExportFormat:
    """The format of data with no file name (standard input), from its first bytes."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<"):
        return ExportFormat.TMX
    if text.startswith(b"{"):
        return ExportFormat.JSONL
    return ExportFormat.TSV


def sidecar_path(path: str | os.PathLike[str]) -> Path:
    """``corpus.tsv`` → ``corpus.tsv.meta.json``."""
    return Path(f"{os.fspath(path)}{SIDECAR_SUFFIX}")


def read_export(path: str | os.PathLike[str], fmt: ExportFormat | None = None) -> Export:
    """Read any of the three formats (``-``: standard input) with its provenance."""
    if is_stdio(path):
        with _spooled_stdin() as (tmp, head):
            return read_export(tmp, fmt or sniff_format(head))
    fmt = fmt or guess_format(path)
    if fmt is ExportFormat.TMX:
        records, props = read_tmx_file(path)
        return Export(records, Provenance.from_tmx_props(props))
    if fmt is ExportFormat.TSV:
        return Export(read_tsv_records(path), _read_sidecar(path))
    records, provenance = read_jsonl_file(path)
    return Export(records, provenance or _read_sidecar(path))


def read_records(path: str | os.PathLike[str], fmt: ExportFormat | None = None) -> list[Record]:
    """Read any of the three formats into records."""
    return read_export(path, fmt).records


def read_inputs(paths: Sequence[str | os.PathLike[str]],
                fmt: ExportFormat | None = None) -> Export:
    """Read several exports meant to become one corpus, each article once.

    An input whose articles were all read from earlier inputs (``corpus.tsv`` caught by
    ``aligned/*.tsv`` next to the per-article files) is skipped with a warning; an input
    that repeats some articles and adds others is an error, since either copy may be meant.
    Records without an article id (plain two-column files) are never compared.
    """
    if sum(is_stdio(p) for p in paths) > 1:
        raise ExportError("standard input (-) can be read only once; give it once")
    seen: dict[str, str] = {}
    records: list[Record] = []
    provenances: list[Provenance | None] = []
    for path in paths:
        got = read_export(path, fmt)
        ids = {r.pair.article_id for r in got.records if r.pair.article_id}
        again = sorted(ids & seen.keys())
        if again and len(again) == len(ids):
            log.warning("%s: skipped: its %d article(s) were already read from %s (a corpus-wide "
                        "file next to its per-article files?)", path, len(ids),
                        ", ".join(sorted({seen[a] for a in again})))
            continue
        if again:
            first = again[0]
            raise ExportError(
                f"{path}: article {first} (and {len(again) - 1} more) was already read from "
                f"{seen[first]}; give each article once (leave out the corpus-wide file, "
                "or read the two files separately)")
        seen.update(dict.fromkeys(ids, os.fspath(path)))
        records.extend(got.records)
        provenances.append(got.provenance)
    return Export(records, combine(provenances))


def export_filters(config: ExportConfig) -> dict[str, Any]:
    """The filters and de-duplication an export applies, only those switched on."""
    active = {k: v for k, v in to_dict(config.filters).items() if v not in (None, False)}
    if config.dedupe:
        active["dedupe"] = True
    return active


def _stamp(provenance: Provenance | None, config: ExportConfig) -> Provenance:
    """The provenance of an output: its input's, plus the filters this export applies."""
    prov = provenance or Provenance(toolkit="")  # beads from another tool: producer unknown
    applied = export_filters(config)
    if not applied:
        return prov
    if prov.filters and prov.filters != applied:
        applied = {**applied, "before": prov.filters}
    return replace(prov, filters=applied)


def write_export(records: Sequence[Record], path: str | os.PathLike[str], fmt: ExportFormat,
                 config: ExportConfig, provenance: Provenance, *,
                 dropped: Counter[str] | None = None) -> tuple[int, list[Path]]:
    """Write ``records`` as ``fmt`` with ``provenance`` stamped in: TMX header props, or a
    ``.meta.json`` sidecar for TSV and JSONL (none for standard output). Returns the rows
    written and the files."""
    drops = dict(sorted((dropped or Counter()).items()))
    files = [Path(path)]
    if fmt is ExportFormat.TMX:
        props = {**provenance.tmx_props(), "x-corpus-dropped": json.dumps(drops, sort_keys=True)}
        n = write_tmx(records, path, zh_lang=config.zh_lang, en_lang=config.en_lang,
                      header_props=props)
        return n, files
    if fmt is ExportFormat.TSV:
        n = write_tsv(records, path, header=config.tsv_header, spreadsheet=config.tsv_safe)
    else:
        n = write_jsonl(records, path)
    if not is_stdio(path):
        side = sidecar_path(path)
        write_json(side, {**provenance.to_dict(), "written_by": TOOLKIT,
                          "created": datetime.now(UTC).isoformat(timespec="seconds"),
                          "format": fmt.value, "pairs": len(records), "dropped": drops})
        files.append(side)
    return n, files


def _read_sidecar(path: str | os.PathLike[str]) -> Provenance | None:
    side = sidecar_path(path)
    if not side.is_file():
        return None
    try:
        data = json.loads(read_text(side, MAX_DOCUMENT_BYTES, "a provenance sidecar",
                                    error=ExportError))
        return Provenance.from_dict(data) if isinstance(data, dict) else None
    except (ExportError, ValueError, TypeError, RecursionError) as err:
        log.warning("%s: unreadable provenance sidecar, ignored (%s)", side, err)
        return None


def merge(inputs: Sequence[str | os.PathLike[str]], output: str | os.PathLike[str],
          config: ExportConfig | None = None, *, output_format: ExportFormat | None = None,
          input_format: ExportFormat | None = None) -> ExportResult:
    """Read exports (any mix of formats; ``-`` is standard input or output), filter,
    optionally de-duplicate, and write one file with the inputs' provenance.

    Formats come from the file extensions unless given (standard input: from its content;
    standard output: TSV). Each article is read once (see :func:`read_inputs`).
    """
    config = config or ExportConfig()
    fmt = output_format or (ExportFormat.TSV if is_stdio(output) else guess_format(output))
    got = read_inputs(inputs, input_format)
    filtered = filter_items(got.records, config.filters, pair=lambda r: r.pair,
                            dedupe=config.dedupe)
    prov = _stamp(got.provenance, config)
    written, files = write_export(filtered.kept, output, fmt, config, prov,
                                  dropped=filtered.dropped)
    log.info("wrote %d beads to %s (%d dropped)", written, output,
             sum(filtered.dropped.values()))
    return ExportResult(files=files, kept=len(filtered.kept), dropped=filtered.dropped,
                        written={Path(output): written}, provenance=prov)


def convert(source: str | os.PathLike[str], output: str | os.PathLike[str],
            config: ExportConfig | None = None, **kw: Any) -> ExportResult:
    """Convert one export into another format (``merge`` of a single input)."""
    return merge([source], output, config, **kw)


# --------------------------------------------------------------------------- a build's files

def file_stem(article_id: str) -> str:
    """A safe file name stem for an article: the id itself when it is one, else the id's
    safe characters plus a short hash (so two unsafe ids never share a file)."""
    stem = _UNSAFE.sub("_", article_id).strip("._")
    if stem == article_id and stem:
        return stem
    digest = hashlib.sha256(article_id.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{stem[:80] or 'article'}-{digest}"


def beads_path(outdir: str | os.PathLike[str], article_id: str) -> Path:
    return Path(outdir) / BEADS_DIR / f"{file_stem(article_id)}.jsonl"


def export_article(doc: AlignedDocument, outdir: str | os.PathLike[str],
                   config: ExportConfig | None = None) -> dict[str, str]:
    """Write one article's bead file and (``config.per_article``) its files in
    ``config.formats``; return
    {format or "beads": path relative to ``outdir``}.

    The bead file holds every bead unfiltered, with the provenance header; the files in the
    chosen formats have the filters applied, as the corpus-wide files do.
    """
    config = config or ExportConfig()
    out = Path(outdir)
    records = records_from_documents([doc])
    provenance = doc.provenance or Provenance(encoder=doc.alignment.encoder,
                                              aligner=dict(doc.alignment.params))
    beads = beads_path(out, doc.article_id)
    write_jsonl(records, beads, provenance=provenance)
    outputs = {"beads": beads.relative_to(out).as_posix()}
    filtered = filter_items(records, config.filters, pair=lambda r: r.pair, dedupe=config.dedupe)
    stamped = _stamp(provenance, config)
    for fmt in config.formats if config.per_article else ():
        path = out / f"{file_stem(doc.article_id)}.{fmt.value}"
        write_export(filtered.kept, path, fmt, config, stamped, dropped=filtered.dropped)
        outputs[fmt.value] = path.name
    return outputs


def merge_corpus(article_ids: Sequence[str], outdir: str | os.PathLike[str],
                 config: ExportConfig | None = None) -> ExportResult:
    """Write ``<corpus_name>.<fmt>`` for each format from the articles' bead files, in the
    order given. De-duplication works across articles here, so a pair repeated in two
    articles stays in both article files but appears once in the corpus file."""
    config = config or ExportConfig()
    out = Path(outdir)
    got = read_inputs([beads_path(out, a) for a in article_ids], ExportFormat.JSONL)
    filtered = filter_items(got.records, config.filters, pair=lambda r: r.pair,
                            dedupe=config.dedupe)
    prov = _stamp(got.provenance, config)
    result = ExportResult(kept=len(filtered.kept), dropped=filtered.dropped, provenance=prov)
    for fmt in config.formats:
        path = out / f"{config.corpus_name}.{fmt.value}"
        result.written[path], files = write_export(filtered.kept, path, fmt, config, prov,
                                                   dropped=filtered.dropped)
        result.files.extend(files)
    log.info("merged %d articles: %d beads kept, %d dropped", len(article_ids), result.kept,
             sum(filtered.dropped.values()))
    return result


def export_documents(docs: Sequence[AlignedDocument], outdir: str | os.PathLike[str],
                     config: ExportConfig | None = None) -> ExportResult:
    """Export aligned documents from Python as a build does: :func:`export_article` for
    each, then :func:`merge_corpus`."""
    config = config or ExportConfig()
    ids = [doc.article_id for doc in docs]  # in the order given: the corpus files follow it
    # checked before anything is written (a set: against a list it is quadratic)
    seen: set[str] = set()
    for aid in ids:
        if aid in seen:
            raise ExportError(f"article {aid} is given twice; give each once")
        seen.add(aid)
    per_article: list[Path] = []
    for doc in docs:
        outputs = export_article(doc, outdir, config)
        per_article += [Path(outdir) / name for key, name in outputs.items() if key != "beads"]
    result = merge_corpus(ids, outdir, config)
    result.files[:0] = per_article
    return result


# --------------------------------------------------------------------------- helpers

@contextlib.contextmanager
def _spooled_stdin() -> Iterator[tuple[Path, bytes]]:
    """Standard input (up to the export cap) in a temporary file, so every reader can take
    a path."""
    with tempfile.TemporaryDirectory(prefix="corpus-stdin-") as tmp:
        path = Path(tmp) / "stdin"
        # copied in blocks through the cap: standard input is never held whole in memory
        with open_capped(STDIO, MAX_EXPORT_BYTES, "an export", error=ExportError) as src, \
                path.open("wb") as dst:
            head = src.read(4096)
            dst.write(head)
            shutil.copyfileobj(src, dst)
        yield path, head
