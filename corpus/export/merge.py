"""Write and combine exports: per-article files, one corpus-wide file per format, convert.

:func:`export_documents` is what a build calls: it filters each article's beads, writes
``<outdir>/<article>.<fmt>`` and ``<outdir>/<corpus_name>.<fmt>``, and records the filter
settings and what they dropped in ``<outdir>/export.json`` (TMX files also carry them as
header props). :func:`merge` and :func:`convert` read exports of any format back, filter
and de-duplicate, and write one file; for TSV and JSONL the settings then go to a sidecar
``<file>.meta.json``, written only when a filter or de-duplication is on.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from corpus import __version__
from corpus.config import ExportConfig, ExportFormat, FilterConfig, to_dict
from corpus.errors import ExportError
from corpus.export.common import Record, atomic_write, records_from_documents
from corpus.export.jsonl import read_jsonl_records, write_jsonl
from corpus.export.tmx import read_tmx_records, write_tmx
from corpus.export.tsv import read_tsv_records, write_tsv
from corpus.filters import filter_items
from corpus.model import AlignedDocument

log = logging.getLogger(__name__)

_SUFFIXES = {".tmx": ExportFormat.TMX, ".tsv": ExportFormat.TSV, ".tab": ExportFormat.TSV,
             ".jsonl": ExportFormat.JSONL, ".ndjson": ExportFormat.JSONL}
_UNSAFE = re.compile(r"[^\w.-]+")


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


def guess_format(path: str | os.PathLike[str]) -> ExportFormat:
    """The format a file name stands for: .tmx, .tsv/.tab, .jsonl/.ndjson."""
    fmt = _SUFFIXES.get(Path(path).suffix.lower())
    if fmt is None:
        raise ExportError(f"cannot tell the format of {path} from its extension; use "
                          f"{', '.join(sorted(_SUFFIXES))} or name the format explicitly")
    return fmt


def read_records(path: str | os.PathLike[str], fmt: ExportFormat | None = None) -> list[Record]:
    """Read any of the three formats into records."""
    fmt = fmt or guess_format(path)
    if fmt is ExportFormat.TMX:
        return read_tmx_records(path)
    if fmt is ExportFormat.TSV:
        return read_tsv_records(path)
    return read_jsonl_records(path)


def _provenance(config: ExportConfig, dropped: Counter[str], extra: dict[str, Any]) -> dict:
    return {
        "corpus_version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "filters": to_dict(config.filters),
        "dedupe": config.dedupe,
        "dropped": dict(sorted(dropped.items())),
        **extra,
    }


def _header_props(prov: dict[str, Any]) -> dict[str, str]:
    props = {"x-corpus-filters": json.dumps(prov["filters"], sort_keys=True),
             "x-corpus-dedupe": str(prov["dedupe"]).lower(),
             "x-corpus-dropped": json.dumps(prov["dropped"], sort_keys=True)}
    if prov.get("encoder"):
        props["x-encoder"] = str(prov["encoder"])
    return props


def write_records(records: Sequence[Record], path: str | os.PathLike[str], fmt: ExportFormat,
                  config: ExportConfig, prov: dict[str, Any] | None = None) -> int:
    """Write records in ``fmt``; ``prov`` (filters, drops) goes into a TMX header."""
    if fmt is ExportFormat.TMX:
        return write_tmx(records, path, zh_lang=config.zh_lang, en_lang=config.en_lang,
                         header_props=_header_props(prov) if prov else None)
    if fmt is ExportFormat.TSV:
        return write_tsv(records, path, header=config.tsv_header)
    return write_jsonl(records, path)


def _file_stem(article_id: str) -> str:
    stem = _UNSAFE.sub("_", article_id).strip("._") or "article"
    return stem


def export_documents(docs: Sequence[AlignedDocument], outdir: str | os.PathLike[str],
                     config: ExportConfig | None = None) -> ExportResult:
    """Filter and write ``docs``: per-article files, corpus-wide files and ``export.json``.

    De-duplication (``config.dedupe``) works within each article file and across the
    corpus file, so a pair repeated in two articles stays in both article files but
    appears once in the corpus file.
    """
    config = config or ExportConfig()
    out = Path(outdir)
    result = ExportResult()
    encoders = sorted({d.alignment.encoder for d in docs if d.alignment.encoder})
    articles: list[dict[str, Any]] = []
    kept_all: list[Record] = []
    stems: Counter[str] = Counter()
    for doc in docs:
        filtered = filter_items(records_from_documents([doc]), config.filters,
                                pair=lambda r: r.pair, dedupe=config.dedupe)
        kept_all.extend(filtered.kept)
        entry: dict[str, Any] = {"article_id": doc.article_id, "beads": len(doc.alignment.beads),
                                 "kept": len(filtered.kept),
                                 "dropped": dict(sorted(filtered.dropped.items()))}
        if config.per_article:
            stem = _file_stem(doc.article_id)
            stems[stem] += 1
            if stems[stem] > 1:
                stem = f"{stem}-{stems[stem]}"
            prov = _provenance(config, filtered.dropped,
                               {"encoder": doc.alignment.encoder, "articles": [doc.article_id]})
            entry["files"] = []
            for fmt in config.formats:
                path = out / f"{stem}.{fmt.value}"
                result.written[path] = write_records(filtered.kept, path, fmt, config, prov)
                entry["files"].append(path.name)
                result.files.append(path)
        articles.append(entry)
    corpus = filter_items(kept_all, FilterConfig(), pair=lambda r: r.pair, dedupe=config.dedupe)
    dropped = Counter[str]()
    for entry in articles:
        dropped.update(entry["dropped"])
    dropped.update(corpus.dropped)  # cross-article duplicates
    prov = _provenance(config, dropped, {"encoder": ", ".join(encoders),
                                         "articles": [d.article_id for d in docs]})
    corpus_files = []
    for fmt in config.formats:
        path = out / f"{config.corpus_name}.{fmt.value}"
        result.written[path] = write_records(corpus.kept, path, fmt, config, prov)
        corpus_files.append(path.name)
        result.files.append(path)
    manifest = {**prov, "articles": articles, "corpus_files": corpus_files,
                "pairs": len(corpus.kept), "config": to_dict(config)}
    _write_json(out / "export.json", manifest)
    result.files.append(out / "export.json")
    result.kept, result.dropped = len(corpus.kept), dropped
    log.info("exported %d articles: %d beads kept, %d dropped", len(docs), result.kept,
             sum(dropped.values()))
    return result


def merge(inputs: Sequence[str | os.PathLike[str]], output: str | os.PathLike[str],
          config: ExportConfig | None = None, *, output_format: ExportFormat | None = None,
          input_format: ExportFormat | None = None, sidecar: bool = True) -> ExportResult:
    """Read exports (any mix of formats), filter, optionally de-duplicate, write one file.

    Formats come from the file extensions unless given. The filter settings and drop
    counts are recorded in the TMX header, or for TSV/JSONL in ``<output>.meta.json``
    when a filter or de-duplication is on (``sidecar=False``: the caller records them,
    as a build's manifest does).
    """
    config = config or ExportConfig()
    fmt = output_format or guess_format(output)
    records: list[Record] = []
    for path in inputs:
        records.extend(read_records(path, input_format))
    filtered = filter_items(records, config.filters, pair=lambda r: r.pair, dedupe=config.dedupe)
    prov = _provenance(config, filtered.dropped,
                       {"inputs": [str(p) for p in inputs], "format": fmt.value})
    written = write_records(filtered.kept, output, fmt, config, prov)
    result = ExportResult(files=[Path(output)], kept=len(filtered.kept), dropped=filtered.dropped,
                          written={Path(output): written})
    if sidecar and fmt is not ExportFormat.TMX and (config.filters.active or config.dedupe):
        sidecar = Path(f"{output}.meta.json")
        _write_json(sidecar, {**prov, "pairs": len(filtered.kept)})
        result.files.append(sidecar)
    log.info("wrote %d beads to %s (%d dropped)", written, output,
             sum(filtered.dropped.values()))
    return result


def convert(source: str | os.PathLike[str], output: str | os.PathLike[str],
            config: ExportConfig | None = None, **kw: Any) -> ExportResult:
    """Convert one export into another format (``merge`` of a single input)."""
    return merge([source], output, config, **kw)


def _write_json(path: Path, obj: Any) -> None:
    with atomic_write(path) as f:
        json.dump(obj, f, ensure_ascii=False, indent=2)
        f.write("\n")
