"""Pair filters a corpus builder expects: score, length ratio, identical sides, numbers.

All are off by default (:class:`corpus.config.FilterConfig`); the exporters record the
settings and how many pairs each one dropped. Filters judge pairs with text on both
sides; an unmatched sentence (a 0-1 or 1-0 bead) is dropped only by ``drop_unmatched``.
"""

from __future__ import annotations

import enum
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Generic, TypeVar

from corpus.config import FilterConfig
from corpus.model import AlignedPair

T = TypeVar("T")


class DropReason(enum.StrEnum):
    """Why a pair left the corpus; the value is the key in recorded counts."""

    UNMATCHED = "unmatched"
    SCORE = "score"
    CONFIDENCE = "confidence"
    RATIO = "length_ratio"
    IDENTICAL = "identical"
    NUMBERS = "numbers"
    DUPLICATE = "duplicate"


@dataclass(slots=True)
class FilterResult(Generic[T]):
    """The items kept, in order, and how many each reason dropped."""

    kept: list[T]
    dropped: Counter[str] = field(default_factory=Counter)


# --------------------------------------------------------------------------- lengths

def zh_length(text: str) -> int:
    """Characters that carry content: not whitespace, punctuation or symbols."""
    return sum(1 for ch in text if unicodedata.category(ch)[0] in "LNM")


def en_length(text: str) -> int:
    """Whitespace-separated words with at least one letter or digit."""
    return sum(1 for w in text.split() if any(ch.isalnum() for ch in w))


def length_ratio(zh: str, en: str) -> float:
    """Chinese characters per English word; ``inf`` when the English has no word."""
    words = en_length(en)
    return zh_length(zh) / words if words else math.inf


# --------------------------------------------------------------------------- numbers

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_EN_SCALE = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
_EN_SCALE_RE = re.compile(r"\s*(thousand|million|billion|trillion)\b", re.IGNORECASE)
_ZH_SCALE = {"千": 10**3, "万": 10**4, "亿": 10**8, "万亿": 10**12}
_ZH_SCALE_RE = re.compile(r"\s*(万亿|千|万|亿)")
_EN_WORDS: dict[str, float] = {w: i for i, w in enumerate([
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty"])}
_EN_WORDS |= {w: 10 * (i + 3) for i, w in enumerate([
    "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"])}
_EN_WORDS |= {w: i + 1 for i, w in enumerate([  # June 21 = 6月21日
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december"])}
_EN_WORDS |= {"hundred": 100, "dozen": 12, "half": 0.5, "first": 1, "second": 2, "third": 3,
              "once": 1, "twice": 2, "both": 2, "single": 1, "pair": 2, "couple": 2,
              "decade": 10, "decades": 10, "century": 100, "quarter": 0.25}
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZH_NUMERAL = re.compile("[零〇一二两三四五六七八九十百千]+")
_WORD = re.compile(r"[a-z]+")


def _value(token: str) -> Decimal | None:
    """``"1,200"`` → 1200, ``"3.5"`` → 3.5; a comma followed by other than 3 digits is a list."""
    parts = token.split(",")
    if len(parts) > 1 and not all(len(p) == 3 for p in parts[1:]):
        return None
    try:
        return Decimal("".join(parts))
    except InvalidOperation:
        return None


def _arabic(text: str, scale_re: re.Pattern[str], scales: dict[str, int]) -> list[set[Decimal]]:
    """Each Arabic-digit number as the set of values it may stand for (bare and scaled)."""
    out = []
    for m in _NUMBER.finditer(text):
        tokens = [m.group()] if _value(m.group()) is not None else m.group().split(",")
        for k, tok in enumerate(tokens):
            v = _value(tok)
            if v is None:
                continue
            values = {v}
            scale = scale_re.match(text, m.end())
            if scale and k == len(tokens) - 1:
                values.add(v * scales[scale.group(1).lower()])
            out.append(values)
    return out


def digit_numbers(text: str, lang: str) -> list[set[Decimal]]:
    """Each number written in digits in ``text`` (``zh`` or ``en``), as the set of values it
    may stand for: ``20亿`` → {20, 2000000000}, ``2 billion`` → {2, 2000000000}."""
    text = unicodedata.normalize("NFKC", text)
    if lang == "zh":
        return _arabic(text, _ZH_SCALE_RE, _ZH_SCALE)
    return _arabic(text, _EN_SCALE_RE, _EN_SCALE)


def _zh_numeral(run: str) -> Decimal:
    """Value of a run of Chinese numerals: 二十三 → 23, 三百 → 300, 二〇二四 → 2024."""
    if all(ch in _ZH_DIGITS for ch in run):
        # Decimal, not int: int() refuses (and is quadratic below) thousands of digits
        return Decimal("".join(str(_ZH_DIGITS[ch]) for ch in run))
    total, digit = 0, 0
    for ch in run:
        if ch in _ZH_DIGITS:
            digit = _ZH_DIGITS[ch]
        else:
            total += (digit or 1) * _ZH_UNITS[ch]
            digit = 0
    return Decimal(total + digit)


def _spelled(text: str, lang: str) -> set[Decimal]:
    """Values written in words: English number and month names, Chinese numerals."""
    values: set[Decimal] = set()
    if lang == "en":
        for w in _WORD.findall(text.lower()):
            if w in _EN_WORDS:
                values.add(Decimal(str(_EN_WORDS[w])))
            elif w in _EN_SCALE:
                values.add(Decimal(_EN_SCALE[w]))
    else:
        for m in _ZH_NUMERAL.finditer(text):
            n = _zh_numeral(m.group())
            values.add(Decimal(n))
            scale = _ZH_SCALE_RE.match(text, m.end())
            if scale:
                values.add(Decimal(n * _ZH_SCALE[scale.group(1)]))
        values |= {Decimal(v) for k, v in _ZH_SCALE.items() if k in text}
    return values


def numbers_match(zh: str, en: str) -> bool:
    """Whether every number written in digits on one side appears on the other.

    Deliberately lenient, so it catches real omissions and misalignments, not style:
    the other side may write the number in words (三, three, June for 6), with a scale
    (350万 = 3.5 million), with thousands separators or full-width digits (NFKC).
    """
    zh = unicodedata.normalize("NFKC", zh)
    en = unicodedata.normalize("NFKC", en)
    zh_nums = digit_numbers(zh, "zh")
    en_nums = digit_numbers(en, "en")
    zh_all = set().union(*zh_nums, _spelled(zh, "zh"))
    en_all = set().union(*en_nums, _spelled(en, "en"))
    return (all(values & en_all for values in zh_nums)
            and all(values & zh_all for values in en_nums))


# --------------------------------------------------------------------------- decisions

def _same(zh: str, en: str) -> bool:
    return " ".join(zh.split()).casefold() == " ".join(en.split()).casefold()


def rejection(pair: AlignedPair, config: FilterConfig) -> DropReason | None:
    """The first filter that drops ``pair``, or None when it stays."""
    if not (pair.zh_ids and pair.en_ids):
        return DropReason.UNMATCHED if config.drop_unmatched else None
    if config.min_score is not None and not pair.score >= config.min_score:
        return DropReason.SCORE  # a missing (NaN) score fails a minimum too
    if config.min_confidence is not None and not (
            pair.confidence is not None and pair.confidence >= config.min_confidence):
        return DropReason.CONFIDENCE  # so does a missing confidence (files from before it)
    if config.min_ratio is not None or config.max_ratio is not None:
        ratio = length_ratio(pair.zh, pair.en)
        if ((config.min_ratio is not None and ratio < config.min_ratio)
                or (config.max_ratio is not None and ratio > config.max_ratio)):
            return DropReason.RATIO
    if config.drop_identical and _same(pair.zh, pair.en):
        return DropReason.IDENTICAL
    if config.drop_number_mismatch and not numbers_match(pair.zh, pair.en):
        return DropReason.NUMBERS
    return None


def filter_items(items: Iterable[T], config: FilterConfig, *,
                 pair: Callable[[T], AlignedPair] = lambda x: x,  # type: ignore[assignment,return-value]
                 dedupe: bool = False) -> FilterResult[T]:
    """Keep the items whose pair passes ``config``; optionally drop repeated (zh, en) pairs.

    ``pair`` gets the AlignedPair out of an item (records carry one). De-duplication
    compares text with whitespace collapsed and keeps the first occurrence.
    """
    result: FilterResult[T] = FilterResult(kept=[])
    seen: set[tuple[str, str]] = set()
    for item in items:
        p = pair(item)
        reason = rejection(p, config)
        if reason is None and dedupe:
            key = (" ".join(p.zh.split()), " ".join(p.en.split()))
            if key in seen:
                reason = DropReason.DUPLICATE
            seen.add(key)
        if reason is None:
            result.kept.append(item)
        else:
            result.dropped[reason.value] += 1
    return result


def filter_pairs(pairs: Iterable[AlignedPair], config: FilterConfig, *,
                 dedupe: bool = False) -> FilterResult[AlignedPair]:
    """:func:`filter_items` for plain AlignedPairs."""
    return filter_items(pairs, config, dedupe=dedupe)
