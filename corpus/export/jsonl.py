"""JSONL: one bead per line, as a JSON object with everything an export knows.

Keys: ``article_id``, ``type`` (``2-1``), ``score`` (null when missing), ``zh``, ``en``
(the joined text, exactly as aligned), ``zh_ids``, ``en_ids`` (0-based sentence indices),
and where known ``zh_sents``/``en_sents`` (the sentences), ``zh_paras``/``en_paras`` (their
paragraph indices) and the article's metadata (``cn_url``, ``en_url``, ``source``,
``title_zh``, ``title_en``, ``published``, as the build records them). Unmatched
sentences are lines with an empty side. UTF-8, not ASCII-escaped.

A bead file (``beads/<id>.jsonl`` of a build) starts with one header line,
``{"provenance": {...}}``: what produced the beads (see corpus.provenance). Exports meant for
other tools carry no header; their provenance goes to a ``.meta.json`` sidecar.
"""

from __future__ import annotations

import json
import logging
import math
import os
from collections.abc import Iterable, Iterator
from typing import Any

from corpus.errors import ExportError
from corpus.export.common import Record, as_records, atomic_write, drop_surrogates, read_lines
from corpus.model import AlignedDocument, AlignedPair
from corpus.provenance import Provenance

log = logging.getLogger(__name__)

_CORE = ("article_id", "type", "score", "confidence", "zh", "en", "zh_ids", "en_ids")
_DETAIL = ("zh_sents", "en_sents", "zh_paras", "en_paras")


def record_to_dict(rec: Record) -> dict[str, Any]:
    """The JSON object of one record (see the module docstring for the keys)."""
    p = rec.pair
    d: dict[str, Any] = {
        "article_id": p.article_id,
        "type": p.kind,
        "score": p.score if math.isfinite(p.score) else None,
        "confidence": p.confidence,
        "zh": drop_surrogates(p.zh),
        "en": drop_surrogates(p.en),
        "zh_ids": list(p.zh_ids),
        "en_ids": list(p.en_ids),
    }
    for key in _DETAIL:
        value = getattr(rec, key)
        if value:
            d[key] = [drop_surrogates(v) if isinstance(v, str) else v for v in value]
    for key, value in rec.meta:
        d.setdefault(key, drop_surrogates(value))
    return d


def record_from_dict(d: Any, *, where: str) -> Record:
    """Inverse of :func:`record_to_dict`; unknown keys are kept as metadata if strings."""
    if not isinstance(d, dict):
        raise ExportError(f"{where}: expected a JSON object per line, got {type(d).__name__}")
    try:
        score = d.get("score")
        pair = AlignedPair(
            zh=str(d.get("zh", "")), en=str(d.get("en", "")),
            score=math.nan if score is None else float(score),
            zh_ids=tuple(int(i) for i in d.get("zh_ids", ())),
            en_ids=tuple(int(i) for i in d.get("en_ids", ())),
            article_id=str(d.get("article_id", "")),
            confidence=None if d.get("confidence") is None else float(d["confidence"]),
        )
        detail = {key: tuple(d.get(key, ())) for key in _DETAIL}
    except (TypeError, ValueError) as err:
        raise ExportError(f"{where}: malformed bead ({err})") from err
    meta = tuple(sorted((k, v) for k, v in d.items()
                        if k not in _CORE and k not in _DETAIL and isinstance(v, str)))
    return Record(pair=pair, meta=meta, **detail)


HEADER_KEY = "provenance"  # the one key of a bead file's header line


def write_jsonl(items: Iterable[AlignedDocument | AlignedPair | Record],
                path: str | os.PathLike[str], *, provenance: Provenance | None = None) -> int:
    """Write every bead of ``items`` to ``path`` atomically; return the number of beads.

    With ``provenance`` the file starts with a header line (the bead-file form).
    """
    records = as_records(items)
    with atomic_write(path) as f:
        if provenance is not None:
            f.write(json.dumps({HEADER_KEY: provenance.to_dict()}, ensure_ascii=False) + "\n")
        for rec in records:
            f.write(json.dumps(record_to_dict(rec), ensure_ascii=False) + "\n")
    log.debug("wrote %d beads to %s", len(records), path)
    return len(records)


def iter_jsonl(path: str | os.PathLike[str]) -> Iterator[tuple[str, Any]]:
    """(``path:line``, parsed JSON value) for each non-blank line of a JSONL file."""
    for lineno, line in enumerate(read_lines(path), 1):
        if not line.strip():
            continue
        where = f"{path}:{lineno}"
        try:
            yield where, json.loads(line)
        except json.JSONDecodeError as err:
            raise ExportError(f"{where}: not JSON ({err.msg})") from err


def read_jsonl_file(path: str | os.PathLike[str]) -> tuple[list[Record], Provenance | None]:
    """Read a JSONL export into records, and the provenance of its header line if it has one
    (blank lines are skipped)."""
    records: list[Record] = []
    provenance: Provenance | None = None
    for where, obj in iter_jsonl(path):
        if not records and provenance is None and is_header(obj):
            try:
                provenance = Provenance.from_dict(obj[HEADER_KEY])
            except (TypeError, ValueError) as err:
                raise ExportError(f"{where}: malformed provenance header ({err})") from err
            continue
        records.append(record_from_dict(obj, where=where))
    return records, provenance


def is_header(obj: Any) -> bool:
    """Whether a parsed line is a bead file's provenance header."""
    return isinstance(obj, dict) and list(obj) == [HEADER_KEY] and isinstance(obj[HEADER_KEY],
                                                                             dict)


def read_jsonl_records(path: str | os.PathLike[str]) -> list[Record]:
    """Read a JSONL export into records (a bead file's header line is skipped)."""
    return read_jsonl_file(path)[0]


def read_jsonl(path: str | os.PathLike[str]) -> list[AlignedPair]:
    """Read a JSONL export back into pairs."""
    return [r.pair for r in read_jsonl_records(path)]
