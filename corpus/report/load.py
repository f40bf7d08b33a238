"""Rebuild aligned documents from exported beads, so a report can be made from JSONL/TSV."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from corpus.model import AlignedDocument, AlignedPair, Alignment, Bead, Sentence

if TYPE_CHECKING:
    from corpus.export.common import Record

log = logging.getLogger(__name__)


def _sentences(
    ids_texts: dict[int, tuple[str, int]],
) -> tuple[tuple[Sentence, ...], dict[int, int]]:
    """Dense sentences in id order, and the map from exported id to position."""
    order = sorted(ids_texts)
    sents = tuple(Sentence(para=ids_texts[i][1], index=k, text=ids_texts[i][0], start=0,
                           end=len(ids_texts[i][0])) for k, i in enumerate(order))
    return sents, {i: k for k, i in enumerate(order)}


def _spread(ids: tuple[int, ...], joined: str, sents: tuple[str, ...], paras: tuple[int, ...],
            into: dict[int, tuple[str, int]]) -> None:
    """Record each id's text and paragraph; with no per-sentence text the first id gets it all."""
    texts = sents if len(sents) == len(ids) else (joined,) + ("",) * (len(ids) - 1)
    paras = paras if len(paras) == len(ids) else (0,) * len(ids)
    for i, t, p in zip(ids, texts, paras, strict=True):
        into[i] = (t, p)


# a bead as the report needs it: pair, sentences and paragraphs of each side, article metadata
_Entry = tuple[AlignedPair, tuple[str, ...], tuple[str, ...], tuple[int, ...], tuple[int, ...],
               dict[str, str]]


def documents_from_records(items: Iterable[Record | AlignedPair]) -> list[AlignedDocument]:
    """Group exported beads by article (in order of first appearance) into documents.

    Records from our JSONL carry each sentence and its paragraph; bare pairs (a TSV) only
    the joined text, which then stands for the whole bead. Sentence ids are renumbered
    densely, so beads left out of an export (filtered, say) leave no holes.
    """
    groups: dict[str, list[_Entry]] = {}
    for item in items:
        entry: _Entry
        if isinstance(item, AlignedPair):
            entry = (item, (), (), (), (), {})
        else:
            entry = (item.pair, item.zh_sents, item.en_sents, item.zh_paras, item.en_paras,
                     dict(item.meta))
        groups.setdefault(entry[0].article_id, []).append(entry)
    docs = []
    for article_id, entries in groups.items():
        zh: dict[int, tuple[str, int]] = {}
        en: dict[int, tuple[str, int]] = {}
        meta: dict[str, str] = {}
        for pair, zs, es, zp, ep, m in entries:
            _spread(pair.zh_ids, pair.zh, zs, zp, zh)
            _spread(pair.en_ids, pair.en, es, ep, en)
            meta.update(m)
        zh_sents, zmap = _sentences(zh)
        en_sents, emap = _sentences(en)
        beads = tuple(Bead(tuple(zmap[i] for i in p.zh_ids), tuple(emap[i] for i in p.en_ids),
                           p.score, p.confidence) for p, *_ in entries)
        docs.append(AlignedDocument(article_id, zh_sents, en_sents, Alignment(beads), meta))
    log.debug("rebuilt %d documents from exported beads", len(docs))
    return docs
