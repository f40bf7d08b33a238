"""TSV: one bead per line, ``zh<TAB>en`` first so ``cut -f1,2`` gives plain pairs.

Columns: zh, en, score, bead type, zh ids, en ids, article id, confidence (``COLUMNS``;
files written before the confidence column, with seven, are read too). No header
unless asked for. Inside a text field every run of tabs and line breaks becomes one space
and both ends are stripped, so a field never holds a tab or a newline. Ids are 0-based
sentence indices joined by commas; an unmatched sentence has an empty text and id field
on the other side; a missing score or confidence is an empty field.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterable

from corpus.errors import ExportError
from corpus.export.common import (
    Record,
    as_records,
    atomic_write,
    format_ids,
    format_score,
    iter_lines,
    parse_confidence,
    parse_ids,
    parse_score,
    tsv_field,
)
from corpus.model import AlignedDocument, AlignedPair

log = logging.getLogger(__name__)

COLUMNS = ("zh", "en", "score", "type", "zh_ids", "en_ids", "article_id", "confidence")


#: A cell starting with one of these is a formula to a spreadsheet (CSV/TSV injection).
FORMULA_STARTS = ("=", "+", "-", "@")


def spreadsheet_safe(field: str) -> str:
    """Prefix an apostrophe to a field a spreadsheet would read as a formula."""
    return "'" + field if field.startswith(FORMULA_STARTS) else field


def format_row(pair: AlignedPair, *, safe: bool = False) -> str:
    """The TSV line of one pair, without the line end (``safe``: see spreadsheet_safe)."""
    text = spreadsheet_safe if safe else str
    return "\t".join((
        text(tsv_field(pair.zh)), text(tsv_field(pair.en)), format_score(pair.score), pair.kind,
        format_ids(pair.zh_ids), format_ids(pair.en_ids), text(tsv_field(pair.article_id)),
        "" if pair.confidence is None else format_score(pair.confidence),
    ))


def write_tsv(items: Iterable[AlignedDocument | AlignedPair | Record],
              path: str | os.PathLike[str], *, header: bool = False,
              spreadsheet: bool = False) -> int:
    """Write every bead of ``items`` to ``path`` atomically; return the number of rows."""
    records = as_records(items)
    with atomic_write(path) as f:
        if header:
            f.write("\t".join(COLUMNS) + "\n")
        for rec in records:
            f.write(format_row(rec.pair, safe=spreadsheet) + "\n")
    log.debug("wrote %d rows to %s", len(records), path)
    return len(records)


def _parse_line(fields: list[str], n: int, where: str) -> AlignedPair:
    if len(fields) in (2, 3):  # plain pairs (cut -f1,2, another tool; with a score: what
        # `corpus align --tsv` wrote before it wrote this format): the line is the bead
        zh, en = fields[:2]
        plain_score = parse_score(fields[2], where=where) if len(fields) == 3 else math.nan
        return AlignedPair(zh=zh, en=en, score=plain_score, zh_ids=(n,) if zh else (),
                           en_ids=(n,) if en else ())
    if len(fields) not in (len(COLUMNS), len(COLUMNS) - 1):
        raise ExportError(f"{where}: {len(fields)} tab-separated fields; expected "
                          f"{len(COLUMNS)} ({', '.join(COLUMNS)}), 3 (zh, en, score) or 2 "
                          "(zh, en)")
    zh, en, score, _kind, zh_ids, en_ids, article_id = fields[:7]
    confidence = parse_confidence(fields[7], where=where) if len(fields) > 7 else None
    return AlignedPair(zh=zh, en=en, score=parse_score(score, where=where),
                       zh_ids=parse_ids(zh_ids, where=where),
                       en_ids=parse_ids(en_ids, where=where), article_id=article_id,
                       confidence=confidence)


def read_tsv_records(path: str | os.PathLike[str]) -> list[Record]:
    """Read a TSV written by :func:`write_tsv` (header optional) or a plain two-column one.

    In a two-column file each line's ids are its 0-based line number and the score is NaN.
    """
    records: list[Record] = []
    first = 0
    for lineno, line in enumerate(iter_lines(path)):
        fields = line.split("\t")
        if lineno == 0 and fields == list(COLUMNS):
            first = 1
            continue
        records.append(Record(pair=_parse_line(fields, lineno - first, f"{path}:{lineno + 1}")))
    return records


def read_tsv(path: str | os.PathLike[str]) -> list[AlignedPair]:
    """Read a TSV export back into pairs."""
    return [r.pair for r in read_tsv_records(path)]
