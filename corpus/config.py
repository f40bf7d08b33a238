"""Configuration objects, one frozen dataclass per stage, composed into BuildConfig.

Defaults live here; a TOML file and CLI flags are layered on top by the caller.
Each stage module receives its own config object and nothing else.
"""

from __future__ import annotations

import contextlib
import enum
import math
import types
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from datetime import date, datetime
from typing import Any, Union, get_args, get_origin, get_type_hints

from corpus.errors import ConfigError
from corpus.files import read_text

# The default encoder: the bundled multilingual USE (offline, numpy only; see corpus.embed).
DEFAULT_MODEL = "use"


def to_dict(obj: Any) -> dict[str, Any]:
    """Return a JSON-ready dict of a config dataclass (enums as values, tuples as lists)."""
    out: dict[str, Any] = {}
    for f in fields(obj):
        v = getattr(obj, f.name)
        if isinstance(v, enum.Enum):
            v = v.value
        elif hasattr(v, "__dataclass_fields__"):
            v = to_dict(v)
        elif isinstance(v, tuple | frozenset | set):
            v = [x.value if isinstance(x, enum.Enum) else x for x in v]
        out[f.name] = v
    return out


# --- fetch (issue: fetching and extraction) ---------------------------------------------
# <!-- config: fetch -->
@dataclass(frozen=True)
class FetchConfig:
    """How to fetch English originals: politeness, limits, cache, fallback sources.

    Defaults are polite for a batch of thousands: one request per second per host, a few
    workers across hosts, bounded retries with exponential backoff (``backoff * 2**n``
    plus jitter, capped at ``backoff_max``; a longer ``Retry-After`` gives up instead).
    """

    user_agent: str = (
        "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) corpus/0.1 "
        "(parallel-corpus builder; polite, cached, 1 req/s per host)"
    )
    connect_timeout: float = 10.0  # seconds
    read_timeout: float = 30.0  # seconds between bytes, not for the whole body
    # Seconds one request may take in all, however slowly its bytes trickle in; a request
    # that passes it fails (and says so) and is not retried.
    deadline: float = 120.0
    retries: int = 3  # extra tries after the first, on connection errors, timeouts, 429, 5xx
    backoff: float = 1.0  # seconds before the first retry; doubles each time
    backoff_max: float = 60.0  # longest wait, Retry-After included
    max_bytes: int = 10 * 1024 * 1024  # response size cap, checked while streaming
    max_redirects: int = 10
    rate: float = 1.0  # requests per second per host; 0 = no limit
    workers: int = 4  # articles fetched at once (across hosts)
    cache_dir: str | None = None  # None: $CORPUS_CACHE_DIR, else the user's cache folder
    refresh: bool = False  # fetch again even what the cache has
    offline: bool = False  # cache only; a miss is an error that says so
    allow_private: bool = False  # allow loopback/private/link-local addresses (tests)
    ignore_robots: bool = False  # fetch what robots.txt disallows (only with permission)
    dual_base: str = "https://cn.nytimes.com"  # bilingual pages: {dual_base}/{path}dual/
    archive_base: str = "https://archive.org"  # {archive_base}/wayback/available?url=...
    originals: dict[str, str] = field(default_factory=dict)  # article id -> user file
    # Also fetch the bilingual page for its paragraph pairs when another source serves the
    # text (one more request per article, to cn.nytimes.com); off by default.
    dual_pairs: bool = False
    # An English text shorter than this many characters per Chinese character is not the
    # whole article (a truncated page, a teaser). Measured (bench/zh_en_ratio.py): whole
    # articles run 2.8-3.7 in our fixtures, 3.4-4.6 in bench/newsdev, 3.5-5.2 in MAC-Dev;
    # 2.0 refuses a typical article cut to about half and keeps the lowest whole one seen.
    min_length_ratio: float = 2.0
    min_chars: int = 300  # the floor when the Chinese length is unknown

    def __post_init__(self) -> None:
        # NaN compares false with everything, so "not v >= 0" (never "v < 0") rejects it.
        for name in ("connect_timeout", "read_timeout", "deadline", "backoff_max"):
            v = getattr(self, name)
            if not _is_number(v) or not 0 < v < math.inf:
                raise ConfigError(f"fetch: {name} must be a positive number of seconds, "
                                  f"not {v!r}")
        for name in ("rate", "backoff"):
            v = getattr(self, name)
            if not _is_number(v) or not 0 <= v < math.inf:
                raise ConfigError(f"fetch: {name} must be a number of 0 or more (rate 0 means "
                                  f"no limit), not {v!r}")
        for name, least in (("retries", 0), ("workers", 1), ("max_bytes", 1),
                            ("max_redirects", 0)):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool) or v < least:
                raise ConfigError(f"fetch: {name} must be a whole number of {least} or more, "
                                  f"not {v!r}")


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


# --- segment -----------------------------------------------------------------------------
# <!-- config: segment -->
@dataclass(frozen=True, slots=True)
class SegmentConfig:
    """Sentence splitting: the bound on a sentence's length, per language, in characters.

    A run longer than this with no sentence end (a list, an extraction glitch) is cut at the
    last clause mark before the bound, with a log line. News sentences stay well under:
    Chinese ones run 20-120 characters, English ones 60-300.
    """

    max_chars_zh: int = 300
    max_chars_en: int = 800

    def __post_init__(self) -> None:
        for name in ("max_chars_zh", "max_chars_en"):
            v = getattr(self, name)
            if not isinstance(v, int) or v < 20:
                raise ConfigError(f"segment: {name} must be a whole number of 20 or more, "
                                  f"not {v!r}")


# --- align -------------------------------------------------------------------------------
# <!-- config: align -->
@dataclass(frozen=True, slots=True)
class AlignConfig:
    """Settings of the aligner (corpus.align); the defaults are the measured ones."""

    max_align: int = 6  # most sentences in one bead, both sides together (1-5 … 5-1)
    skip: float = -0.1  # score of a 0-1 or 1-0 bead
    band: int = 8  # half-width (sentences) of the search band around the first-pass path
    # The two weights below were chosen on MAC-Dev by leave-one-chapter-out over a 4 x 4
    # grid (every fold chose these); F1 moves by less than 0.02 over the whole grid.
    margin: float = 0.25  # weight of the neighbouring pairings' cosine taken off a bead's
    coverage: float = 0.5  # weight of the per-sentence evidence (see corpus.align)
    length_penalty: bool = True  # penalise beads whose character lengths disagree
    paragraph_weight: float = 0.2  # soft paragraph anchors, when paragraph ids are given
    # second pass (corpus.align.recheck): split a sentence off a merge or split as unmatched;
    # None: only where paragraphs are known (news), not on bare sentence lists (literary
    # gold merges translators' additions into beads: forced on, MAC-Dev 0.899 -> 0.783)
    recheck: bool | None = None
    detach_gain: float = 0.02  # ... when dropping it lowers the bead's cosine by at most this
    detach_chars: int = 20  # ... and it is at least this long (English characters)
    unpair_z: float = 0.5  # a 1-1 bead under this many deviations above random pairs: 1-0 + 0-1
    # the bilingual page's paragraph pairs, when that page served, as hard anchors: the
    # sentences of a pair align only with each other
    dual_anchors: bool = True

    def __post_init__(self) -> None:
        if self.max_align < 2:
            raise ConfigError(f"align.max_align must be at least 2 (for 1-1), not {self.max_align}")
        if self.band < 1:
            raise ConfigError(f"align.band must be at least 1, not {self.band}")
        if self.skip > 0:
            raise ConfigError(f"align.skip must be zero or negative, not {self.skip}")
        for name in ("margin", "coverage", "paragraph_weight"):
            if getattr(self, name) < 0:
                raise ConfigError(f"align.{name} must be zero or positive")


# --- export ------------------------------------------------------------------------------
# <!-- config: export -->
class ExportFormat(enum.StrEnum):
    """Output formats; the value is also the file extension."""

    TMX = "tmx"
    TSV = "tsv"
    JSONL = "jsonl"


@dataclass(frozen=True, slots=True)
class FilterConfig:
    """Pair filters for corpus builders; every one is off by default (see corpus.filters).

    The length ratio is Chinese characters per English word (median 1.18 on the MAC-Dev gold
    pairs, 90% within 0.71-2.20).
    Filters judge pairs with text on both sides; unmatched sentences go only by drop_unmatched.
    """

    min_score: float | None = None
    min_confidence: float | None = None  # probability that the bead is right (0..1)
    min_ratio: float | None = None
    max_ratio: float | None = None
    drop_identical: bool = False
    drop_number_mismatch: bool = False
    drop_unmatched: bool = False

    def __post_init__(self) -> None:
        if self.min_confidence is not None and not 0 <= self.min_confidence <= 1:
            raise ConfigError(f"filters: min_confidence is a probability in [0, 1], not "
                              f"{self.min_confidence!r}")
        for name in ("min_ratio", "max_ratio"):
            v = getattr(self, name)
            if v is not None and not v > 0:
                raise ConfigError(f"filters: {name} must be a positive number, not {v!r}")
        if (self.min_ratio is not None and self.max_ratio is not None
                and self.min_ratio > self.max_ratio):
            raise ConfigError(f"filters: min_ratio {self.min_ratio} is above max_ratio "
                              f"{self.max_ratio}; swap them")

    @property
    def active(self) -> bool:
        return self != FilterConfig()


def _check_lang(tag: str, what: str) -> None:
    if not tag or "_" in tag or not all(p.isalnum() for p in tag.split("-")):
        raise ConfigError(f"export: {what} {tag!r} is not a language tag such as zh-CN or en-US "
                          "(hyphen, not underscore)")


@dataclass(frozen=True, slots=True)
class ExportConfig:
    """What `export` writes: formats, language tags, TSV header, de-duplication, filters."""

    formats: tuple[ExportFormat, ...] = (ExportFormat.TMX, ExportFormat.TSV, ExportFormat.JSONL)
    zh_lang: str = "zh-CN"  # TMX xml:lang of the Chinese side, region-qualified for CAT tools
    en_lang: str = "en-US"
    tsv_header: bool = False
    # prefix an apostrophe to TSV text fields starting with = + - @, which a spreadsheet
    # would run as formulas; off, so pipelines get the exact text
    tsv_safe: bool = False
    dedupe: bool = False  # drop repeated (zh, en) pairs, keeping the first
    per_article: bool = True  # one file per article besides the corpus-wide one
    corpus_name: str = "corpus"  # corpus-wide files are <corpus_name>.<format>
    filters: FilterConfig = field(default_factory=FilterConfig)

    def __post_init__(self) -> None:
        # accept plain values from a TOML table: format names and a filters mapping
        try:
            formats = tuple(ExportFormat(f) for f in self.formats)
        except ValueError as err:
            raise ConfigError(f"export: {err}; known formats: "
                              f"{', '.join(f.value for f in ExportFormat)}") from err
        object.__setattr__(self, "formats", formats)
        if isinstance(self.filters, dict):
            object.__setattr__(self, "filters",
                               from_table(FilterConfig, self.filters, "export.filters"))
        _check_lang(self.zh_lang, "zh_lang")
        _check_lang(self.en_lang, "en_lang")
        if not self.corpus_name or "/" in self.corpus_name:
            raise ConfigError(f"export: corpus_name {self.corpus_name!r} must be a file name stem")


# --- build -------------------------------------------------------------------------------
# <!-- config: build -->
@dataclass(frozen=True, slots=True)
class BuildConfig:
    """Everything `corpus build` needs: where to write, what to redo, and each stage's config."""

    outdir: str = "aligned"
    model: str = DEFAULT_MODEL  # encoder name (corpus.embed registry) or a local model path
    force: bool = False  # redo articles even when their outputs are current
    only_fetch: bool = False  # fetch and cache the English originals, align nothing
    limit: int | None = None  # build at most this many articles (in id order)
    since: date | None = None  # only articles published on or after this day
    report: bool = True  # write the side-by-side HTML report next to the corpus
    # An alignment that pairs fewer of the Chinese sentences than this is refused: the
    # English text is then almost surely the wrong page (news translations pair 80-100%).
    min_coverage: float = 0.3
    # Per-article bounds, each side: a text past them is refused with a recorded reason
    # instead of exhausting memory (embedding takes about 31 kB per sentence, and the search
    # up to n x m cells on a degenerate text; measured in docs/threat-model.md). The longest
    # news features run to about 60,000 characters and 600 sentences a side.
    max_chars: int = 200_000
    max_sentences: int = 2_000
    fetch: FetchConfig = field(default_factory=FetchConfig)
    segment: SegmentConfig = field(default_factory=lambda: SegmentConfig())
    align: AlignConfig = field(default_factory=lambda: AlignConfig())
    export: ExportConfig = field(default_factory=ExportConfig)

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 1:
            raise ConfigError(f"build: --limit must be 1 or more, not {self.limit}")
        if not 0 <= self.min_coverage <= 1:
            raise ConfigError(f"build: min_coverage must lie in [0, 1], not {self.min_coverage}")
        for name in ("max_chars", "max_sentences"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                raise ConfigError(f"build: {name} must be a whole number of 1 or more, not {v!r}")



def default_of(cls: type, name: str) -> Any:
    """The default of setting ``name`` of config class ``cls`` (help texts quote it)."""
    for f in fields(cls):
        if f.name == name:
            if f.default is not MISSING:
                return f.default
            if f.default_factory is not MISSING:
                return f.default_factory()
    raise KeyError(f"{cls.__name__} has no setting {name!r}")


def _describe(hint: Any) -> str:
    """What a setting of type ``hint`` must be, in words for an error message."""
    args = [a for a in get_args(hint) if a is not type(None)]
    if get_origin(hint) in (types.UnionType, Union):
        return " or ".join(_describe(a) for a in args)
    if get_origin(hint) is tuple:
        return f"a list of {_describe(args[0])}s" if args else "a list"
    if get_origin(hint) is dict:
        return "a table of names and strings"
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return "one of " + ", ".join(repr(m.value) for m in hint)
    return {bool: "true or false", int: "a whole number", float: "a number",
            str: "a string", date: "a date like 2024-06-21"}.get(hint, "a table of settings")


def _coerce(value: Any, hint: Any, where: str) -> Any:
    """``value`` as a setting of type ``hint``, or a one-line ConfigError naming the key."""
    origin, args = get_origin(hint), get_args(hint)
    if origin in (types.UnionType, Union):
        if value is None and type(None) in args:
            return None
        for arg in (a for a in args if a is not type(None)):
            try:
                return _coerce(value, arg, where)
            except ConfigError:
                continue
    elif hint is bool or hint is str:
        if isinstance(value, hint):
            return value
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif hint is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    elif hint is date:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                return date.fromisoformat(value)
    elif isinstance(hint, type) and issubclass(hint, enum.Enum):
        with contextlib.suppress(ValueError):
            return hint(value)
    elif origin is tuple:
        if isinstance(value, list | tuple):
            return tuple(_coerce(v, args[0], f"{where}[{i}]") for i, v in enumerate(value))
    elif origin is dict:
        if isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str)
                                           for k, v in value.items()):
            return dict(value)
    elif isinstance(hint, type) and is_dataclass(hint):
        if isinstance(value, dict):
            return from_table(hint, value, where)
        if isinstance(value, hint):
            return value
    raise ConfigError(f"{where} must be {_describe(hint)}, not {value!r}")


def from_table(cls: type, table: Any, where: str = "") -> Any:
    """Build config class ``cls`` from a table (TOML, or the flags given), checking each
    value's type; nested tables fill nested configs. ``where`` is the table's key path
    (``export.filters``); errors are one line naming the key."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where or 'settings'} must be a table of settings, not {table!r}")
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(table) - names)
    if unknown:
        raise ConfigError(f"{'[' + where + ']' if where else 'top level'}: unknown "
                          f"setting(s) {', '.join(unknown)}; known: {', '.join(sorted(names))}")
    hints = get_type_hints(cls)
    data = {key: _coerce(value, hints[key], f"{where}.{key}" if where else key)
            for key, value in table.items()}
    try:
        return cls(**data)
    except TypeError as err:
        raise ConfigError(f"{where or 'settings'}: {err}") from err


def merge_settings(*tables: dict[str, Any]) -> dict[str, Any]:
    """Later tables win, key by key, nested tables merged: defaults < file < flags given."""
    out: dict[str, Any] = {}
    for table in tables:
        for key, value in table.items():
            if isinstance(value, dict) and isinstance(out.get(key), dict):
                out[key] = merge_settings(out[key], value)
            else:
                out[key] = value
    return out


_MAX_CONFIG_BYTES = 2**20


def read_config_table(path: str) -> dict[str, Any]:
    """The settings of a TOML file, unchecked (:func:`from_table` checks them)."""
    import tomllib

    text = read_text(path, _MAX_CONFIG_BYTES, "a config file", error=ConfigError)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path} is not valid TOML: {err}") from err


def load_build_config(path: str, given: dict[str, Any] | None = None) -> BuildConfig:
    """Read a TOML file of build settings (top-level keys and [fetch], [segment], [align],
    [export], [export.filters] tables) with ``given`` settings on top (the flags a user
    typed, which win even where they equal a default); unknown keys and values of the wrong
    type are errors that name the key."""
    table = read_config_table(path)
    try:
        config: BuildConfig = from_table(BuildConfig, merge_settings(table, given or {}))
    except ConfigError as err:
        raise ConfigError(f"{path}: {err}") from err
    return config
