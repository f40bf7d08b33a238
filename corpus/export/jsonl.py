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
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from corpus.errors import CorpusError, ExportError
from corpus.export.common import Record, as_records, atomic_write, drop_surrogates, iter_lines
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


_MAX_ID = 10**9  # a sentence number; anything larger is not one (and would cost to use)


def _text(d: dict[str, Any], key: str) -> str:
    v = d.get(key, "")
    if not isinstance(v, str):
        raise ValueError(f"{key!r} must be a string, not {type(v).__name__}")
    return drop_surrogates(v)  # "\ud800" in JSON is a lone surrogate no file can hold


def _ints(d: dict[str, Any], key: str) -> tuple[int, ...]:
    v = d.get(key, ())
    if not isinstance(v, list | tuple) or not all(
            isinstance(i, int) and not isinstance(i, bool) and 0 <= i < _MAX_ID for i in v):
        raise ValueError(f"{key!r} must be a list of sentence numbers (0 or more)")
    return tuple(v)


def _number_or_none(d: dict[str, Any], key: str) -> float | None:
    v = d.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ValueError(f"{key!r} must be a number or null")
    return float(v)


def _texts(d: dict[str, Any], key: str) -> tuple[str, ...]:
    v = d.get(key, ())
    if not isinstance(v, list | tuple) or not all(isinstance(t, str) for t in v):
        raise ValueError(f"{key!r} must be a list of strings")
    return tuple(drop_surrogates(t) for t in v)


def record_from_dict(d: Any, *, where: str) -> Record:
    """Inverse of :func:`record_to_dict`; unknown keys are kept as metadata if strings.

    Every field is checked for its type, so a malformed line is one error naming the line,
    not a crash later in a writer.
    """
    if not isinstance(d, dict):
        raise ExportError(f"{where}: expected a JSON object per line, got {type(d).__name__}")
    try:
        score = _number_or_none(d, "score")
        pair = AlignedPair(
            zh=_text(d, "zh"), en=_text(d, "en"),
            score=math.nan if score is None else score,
            zh_ids=_ints(d, "zh_ids"), en_ids=_ints(d, "en_ids"),
            article_id=_text(d, "article_id"),
            confidence=_number_or_none(d, "confidence"),
        )
        zh_sents, en_sents = _texts(d, "zh_sents"), _texts(d, "en_sents")
        zh_paras, en_paras = _ints(d, "zh_paras"), _ints(d, "en_paras")
    except (TypeError, ValueError) as err:
        raise ExportError(f"{where}: malformed bead: {err}; fix the line or export the "
                          "file again") from err
    meta = tuple(sorted((k, drop_surrogates(v)) for k, v in d.items()
                        if k not in _CORE and k not in _DETAIL and isinstance(v, str)))
    return Record(pair=pair, meta=meta, zh_sents=zh_sents, en_sents=en_sents,
                  zh_paras=zh_paras, en_paras=en_paras)


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
    for lineno, line in enumerate(iter_lines(path), 1):
        if line.strip():
            where = f"{path}:{lineno}"
            yield where, parse_json_line(line, where)


def parse_json_line(line: str, where: str, *,
                    error: Callable[[str], CorpusError] = ExportError) -> Any:
    """One line of JSON we did not write: out-of-range numbers and deep nesting are
    ``error``s naming ``where``, as malformed JSON is."""
    try:
        return json.loads(line, parse_constant=_no_constant, parse_float=_finite,
                          parse_int=_bounded_int)
    except json.JSONDecodeError as err:
        raise error(f"{where}: not JSON ({err.msg})") from err
    except ValueError as err:
        raise error(f"{where}: {err}; fix the line or export the file again") from err
    except RecursionError as err:
        raise error(f"{where}: JSON nested too deeply") from err


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 18:  # int() of thousands of digits is refused, and slow
        raise ValueError(f"an integer of {len(text)} digits is out of range")
    return int(text)


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
