"""Split paragraphs into sentences, Chinese or English, keeping where each one sits.

A sentence's offsets point into its paragraph, and its text is that slice with the outer
whitespace removed, so joining the pieces gives the paragraph back, whitespace aside.
The language rules live in ``segment_zh`` and ``segment_en``; this module adds the bound
on sentence length and the bookkeeping.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from corpus import segment_en, segment_zh
from corpus.config import SegmentConfig
from corpus.errors import ConfigError
from corpus.model import Lang, Sentence

__all__ = ["split_paragraphs", "split_spans", "split_text"]

log = logging.getLogger(__name__)

# Where an over-long run may be cut, best first: clause marks, then any space.
_BREAKS = {
    Lang.ZH: ("；;", "，,：:", "、", " \t\n"),
    Lang.EN: (";", ":—", ",", " \t\n"),
}


def _lang(lang: Lang | str) -> Lang:
    try:
        return Lang(lang)
    except ValueError:
        raise ConfigError(f"segment: unknown language {lang!r}; use "
                          f"{' or '.join(v.value for v in Lang)}") from None


def split_spans(text: str, lang: Lang | str,
                config: SegmentConfig | None = None) -> list[tuple[int, int]]:
    """Return ``(start, end)`` of each sentence in ``text``, outer whitespace excluded."""
    lang = _lang(lang)
    config = config or SegmentConfig()
    cuts = segment_zh.boundaries(text) if lang is Lang.ZH else segment_en.boundaries(text)
    limit = config.max_chars_zh if lang is Lang.ZH else config.max_chars_en
    spans = []
    start = 0
    for end in [*cuts, len(text)]:
        span = _strip(text, start, end)
        if span:
            spans.extend(_bound(text, *span, limit, lang))
        start = end
    return spans


def _strip(text: str, start: int, end: int) -> tuple[int, int] | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _bound(text: str, start: int, end: int, limit: int, lang: Lang) -> list[tuple[int, int]]:
    """Cut the span into pieces of at most ``limit`` characters, at the best break."""
    out = []
    while end - start > limit:
        window = text[start:start + limit]
        cut, kind = 0, "no break at all"
        for marks in _BREAKS[lang]:
            best = max(window.rfind(m) for m in marks)
            if best >= limit // 2:
                cut, kind = best + 1, f"after {window[best]!r}"
                break
        if not cut:
            cut = limit
        log.info("cut a %d-character run with no sentence end %s, %d characters in (limit %d)",
                 end - start, kind, cut, limit)
        piece = _strip(text, start, start + cut)
        if piece:
            out.append(piece)
        start += cut
        rest = _strip(text, start, end)
        if not rest:
            return out
        start = rest[0]
    out.append((start, end))
    return out


def split_text(text: str, lang: Lang | str, config: SegmentConfig | None = None) -> list[str]:
    """Return the sentences of ``text`` (one paragraph), in order, stripped."""
    return [text[s:e] for s, e in split_spans(text, lang, config)]


def split_paragraphs(paragraphs: Sequence[str], lang: Lang | str,
                     config: SegmentConfig | None = None) -> tuple[Sentence, ...]:
    """Split each paragraph; ``Sentence.index`` counts across the document from 0."""
    out: list[Sentence] = []
    for p, para in enumerate(paragraphs):
        for start, end in split_spans(para, lang, config):
            out.append(Sentence(para=p, index=len(out), text=para[start:end],
                                start=start, end=end))
    return tuple(out)
