"""Corpus-wide search over the index: a parallel concordance, and how a phrase is rendered.

:func:`search` finds the beads whose Chinese or English text holds a phrase (or matches a
regular expression), with filters by article, date, bead type and confidence, and returns
each hit with the match's position, so it can be shown in KWIC form: the match centred,
the other side in full. :func:`renderings` reads the other side of every hit and lists
the segments that go with the phrase far more often than elsewhere in the corpus — the
candidate renderings a translation scholar asks for first.

Phrases match as substrings in Chinese and as whole words in English (``whole_words``),
English case-insensitively. Phrases of three or more characters are looked up in the
FTS5 trigram index; shorter ones, and regular expressions without a literal run of three
characters, scan the beads (linear in the corpus, still well under a second per 100,000
beads).
"""

from __future__ import annotations

import logging
import math
import re
import sqlite3
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from corpus.errors import SearchError
from corpus.terminal import CONTROLS

log = logging.getLogger(__name__)

LANGS = ("auto", "zh", "en", "both")
DEFAULT_LIMIT = 200  # hits returned; counts cover every match
MATCH_LIMIT = 200_000  # matches counted at most per query (bounds memory and time)
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
# line breaks and tabs: one space where text must stay on one line or in one field
_BREAKS = re.compile(r"[\t\n\r\v\f\u2028\u2029\x85]+")


@dataclass(frozen=True, slots=True)
class Query:
    """What to search for, and in which beads."""

    text: str
    lang: str = "auto"  # zh, en, both; auto: zh if the text has Chinese characters
    regex: bool = False
    whole_words: bool = True  # English: "rat" does not match "rate"
    articles: tuple[str, ...] = ()  # glob patterns on article ids (any may match)
    since: date | None = None  # published on or after
    until: date | None = None  # published on or before
    types: tuple[str, ...] = ()  # bead types such as 1-1, 2-1, 0-1
    min_confidence: float | None = None  # confidence, else score, at least this
    max_confidence: float | None = None
    limit: int | None = DEFAULT_LIMIT

    def __post_init__(self) -> None:
        if not self.text.strip():
            raise SearchError("nothing to search for: the query is empty")
        if self.lang not in LANGS:
            raise SearchError(f"--lang must be one of {', '.join(LANGS)}, not {self.lang!r}")
        for t in self.types:
            if not re.fullmatch(r"\d+-\d+", t):
                raise SearchError(f"bead type {t!r} is not like 1-1, 2-1 or 0-1")

    @property
    def sides(self) -> tuple[str, ...]:
        if self.lang == "both":
            return ("zh", "en")
        if self.lang == "auto":
            return ("zh",) if _HAN.search(self.text) else ("en",)
        return (self.lang,)


@dataclass(frozen=True, slots=True)
class Hit:
    """A bead holding the query on ``side``; ``spans`` are the matches in that side's text."""

    article_id: str
    title: str
    published: str
    k: int  # bead number within the article
    type: str
    score: float | None
    confidence: float | None
    zh: str
    en: str
    side: str
    spans: tuple[tuple[int, int], ...]

    @property
    def text(self) -> str:
        return self.zh if self.side == "zh" else self.en

    @property
    def other(self) -> str:
        return self.en if self.side == "zh" else self.zh

    def to_dict(self) -> dict[str, Any]:
        return {"article_id": self.article_id, "bead": self.k, "type": self.type,
                "score": self.score, "confidence": self.confidence, "side": self.side,
                "zh": self.zh, "en": self.en, "spans": [list(s) for s in self.spans],
                "title": self.title, "published": self.published}


@dataclass(slots=True)
class SearchResult:
    """Hits (up to the query's limit) and counts over every match."""

    query: Query
    hits: list[Hit] = field(default_factory=list)
    total: int = 0  # beads that match
    per_article: Counter[str] = field(default_factory=Counter)
    titles: dict[str, str] = field(default_factory=dict)
    complete: bool = True  # False when MATCH_LIMIT stopped the count
    others: list[str] = field(default_factory=list)  # other side of every match (renderings)

    def to_dict(self) -> dict[str, Any]:
        q = self.query
        return {
            "query": {"text": q.text, "lang": q.lang, "sides": list(q.sides), "regex": q.regex,
                      "whole_words": q.whole_words},
            "total": self.total, "complete": self.complete, "shown": len(self.hits),
            "per_article": [{"article_id": a, "title": self.titles.get(a, ""), "hits": n}
                            for a, n in self.per_article.most_common()],
            "hits": [h.to_dict() for h in self.hits],
        }


def matcher(query: Query, side: str) -> re.Pattern[str]:
    """The compiled pattern that finds the query in one side's text."""
    if query.regex:
        try:
            return re.compile(query.text)
        except re.error as err:
            raise SearchError(f"--regex {query.text!r} is not a valid regular expression: "
                              f"{err}") from err
    words = query.text.split()
    body = r"\s+".join(re.escape(w) for w in words)
    if side == "en" and query.whole_words:
        if re.match(r"[A-Za-z0-9]", words[0]):
            body = r"(?<![A-Za-z0-9])" + body
        if re.search(r"[A-Za-z0-9]$", words[-1]):
            body += r"(?![A-Za-z0-9])"
    return re.compile(body, re.IGNORECASE if side == "en" else 0)


def required_literals(pattern: str) -> list[str] | None:
    """Literal runs of three or more characters, one of which every match of ``pattern``
    contains (one run, or one per alternative of a top-level ``a|b``), or None: what lets a
    regular expression use the trigram index."""
    try:
        import re._parser as sre  # type: ignore[import-not-found]  # the stdlib's own parser
        parsed = sre.parse(pattern)
    except Exception:  # noqa: BLE001 - any trouble: no shortcut, scan instead
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    items = list(parsed)
    if len(items) == 1 and items[0][0] is sre.BRANCH:
        out = []
        for alt in items[0][1][1]:
            lit = _longest_run(list(alt), sre)
            if lit is None:
                return None
            out.append(lit)
        return out
    lit = _longest_run(items, sre)
    return None if lit is None else [lit]


def _longest_run(items: list[Any], sre: Any) -> str | None:
    best, run = "", ""
    for op, arg in items:
        if op is sre.LITERAL:
            run += chr(arg)
            continue
        best = max(best, run, key=len)
        run = ""
        if op is sre.BRANCH:
            return None  # an alternation inside: no one literal is required
    best = max(best, run, key=len)
    return best if len(best) >= 3 else None


def _fts_phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _filters(query: Query) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    args: list[Any] = []
    if query.articles:
        where.append("(" + " OR ".join("a.article_id GLOB ?" for _ in query.articles) + ")")
        args += list(query.articles)
    if query.since:
        where.append("a.published >= ?")
        args.append(query.since.isoformat())
    if query.until:
        where.append("a.published != '' AND a.published <= ?")
        args.append(query.until.isoformat())
    if query.types:
        where.append(f"b.type IN ({','.join('?' for _ in query.types)})")
        args += list(query.types)
    if query.min_confidence is not None:
        where.append("COALESCE(b.confidence, b.score) >= ?")
        args.append(query.min_confidence)
    if query.max_confidence is not None:
        where.append("COALESCE(b.confidence, b.score) <= ?")
        args.append(query.max_confidence)
    return where, args


def _candidates(con: sqlite3.Connection, query: Query, sides: Sequence[str]
                ) -> Iterator[sqlite3.Row]:
    """Beads that may match, in corpus order: from the trigram index when the query has
    literal runs of 3+ characters, else a scan (narrowed by ``instr`` for short phrases)."""
    where, args = _filters(query)
    if query.regex:
        literals = required_literals(query.text)
    else:
        phrase = " ".join(query.text.split())
        literals = [phrase] if len(phrase) >= 3 else None
        if literals is None:  # too short for trigrams: SQLite's instr, in C, then Python
            where.insert(0, "(" + " OR ".join(f"instr(lower(b.{s}), lower(?)) > 0"
                                              for s in sides) + ")")
            args = [phrase] * len(sides) + args
    select = ("SELECT b.id, b.k, b.type, b.score, b.confidence, b.zh, b.en, a.article_id, "
              "a.title, a.published FROM ")
    # CROSS JOIN fixes the order: the index's few matches first, then their rows
    if literals:
        cols = "{" + " ".join(sides) + "}"
        match = " OR ".join(f"{cols} : {_fts_phrase(lit)}" for lit in literals)
        sql = (select + "beads_fts f CROSS JOIN beads b ON b.id = f.rowid "
               "CROSS JOIN articles a ON a.id = b.article WHERE beads_fts MATCH ?")
        args = [match, *args]
        if where:
            sql += " AND " + " AND ".join(where)
    else:
        # articles in id order (their unique index), each one's beads in order: no sort
        sql = select + "articles a CROSS JOIN beads b ON b.article = a.id"
        if where:
            sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY a.article_id, b.k"
    try:
        yield from con.execute(sql, args)
    except sqlite3.DatabaseError as err:
        raise SearchError(f"the search index could not answer {query.text!r}: {err}") from err


def search(con: sqlite3.Connection, query: Query) -> SearchResult:
    """Find the beads matching ``query``; return up to ``query.limit`` hits and all counts."""
    sides = query.sides
    patterns = {s: matcher(query, s) for s in sides}
    result = SearchResult(query)
    for row in _candidates(con, query, sides):
        if result.total >= MATCH_LIMIT:
            result.complete = False
            break
        for side in sides:
            text = row[side]
            spans = tuple(m.span() for m in patterns[side].finditer(text) if m.end() > m.start())
            if spans:
                break
        else:
            continue
        aid = row["article_id"]
        result.total += 1
        result.per_article[aid] += 1
        result.titles.setdefault(aid, row["title"])
        result.others.append(row["en"] if side == "zh" else row["zh"])
        if query.limit is None or len(result.hits) < query.limit:
            result.hits.append(Hit(aid, row["title"], row["published"], row["k"], row["type"],
                                   row["score"], row["confidence"], row["zh"], row["en"], side,
                                   spans))
    return result


# --------------------------------------------------------------------------- renderings

# English words a rendering neither starts nor ends with: they fit every context.
_STOP = frozenset([
    "a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "from", "with", "and", "or",
    "but", "as", "is", "are", "was", "were", "be", "been", "that", "this", "these", "those",
    "it", "its", "his", "her", "their", "our", "your", "my", "he", "she", "they", "we", "you",
    "i", "not", "no", "said", "says", "say", "will", "would", "has", "have", "had", "which",
    "who", "whom", "whose", "than", "then", "there", "here", "also",
])
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")
_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
MAX_NGRAM = 4
SAMPLE_BEADS = 5000  # background sample for corpus frequencies
MAX_CANDIDATES = 500  # most frequent segments considered (bounds the work per query)
EXTEND = 0.75  # a longer segment with this share of a shorter one's hits replaces it


@dataclass(frozen=True, slots=True)
class Rendering:
    """A candidate rendering: a segment of the other side that goes with the phrase."""

    text: str
    hits: int  # matching beads whose other side holds it
    share: float  # hits / all matching beads
    corpus: float  # estimated beads of the whole corpus holding it
    dice: float  # 2·hits / (matching beads + corpus): how tied it is to the phrase

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "hits": self.hits, "share": round(self.share, 4),
                "corpus": round(self.corpus, 1), "dice": round(self.dice, 4)}


def ngrams(text: str, side: str) -> set[str]:
    """Candidate segments of one text: English word n-grams not starting or ending with a
    function word; Chinese character n-grams (2-4) inside runs of Chinese characters."""
    out: set[str] = set()
    if side == "en":
        words = [w.lower() for w in _WORD.findall(text)]
        for i in range(len(words)):
            if words[i] in _STOP:
                continue
            for n in range(1, MAX_NGRAM + 1):
                j = i + n
                if j > len(words):
                    break
                if words[j - 1] not in _STOP:
                    out.add(" ".join(words[i:j]))
    else:
        for run in _HAN_RUN.findall(text):
            for n in range(2, MAX_NGRAM + 1):
                out.update(run[i:i + n] for i in range(len(run) - n + 1))
    return out


def _parts(g: str, side: str) -> set[str]:
    """The shorter candidates inside candidate ``g``."""
    if side == "en":
        w = g.split(" ")
        return {" ".join(w[i:j]) for i in range(len(w)) for j in range(i + 1, len(w) + 1)
                if j - i < len(w)}
    return {g[i:j] for i in range(len(g)) for j in range(i + 2, len(g) + 1) if j - i < len(g)}


def _overlaps(a: str, b: str, side: str) -> bool:
    """Whether candidate ``a`` shares at least half of its words (English) or characters
    (Chinese) with ``b``, in one run: a fragment of a rendering already listed."""
    x, y = (a.split(" "), b.split(" ")) if side == "en" else (list(a), list(b))
    best = 0
    prev = [0] * (len(y) + 1)
    for i in range(len(x)):
        cur = [0] * (len(y) + 1)
        for j in range(len(y)):
            if x[i] == y[j]:
                cur[j + 1] = prev[j] + 1
                best = max(best, cur[j + 1])
        prev = cur
    return best >= max(1, (len(x) + 1) // 2)


def renderings(con: sqlite3.Connection, result: SearchResult, *, top: int = 15
               ) -> tuple[list[Rendering], int]:
    """Rank the other side's segments of every match by Dice with the query.

    Returns the renderings (overlapping ones folded into the best-scoring) and the number
    of matches whose other side is empty: sentences left untranslated.
    """
    # here, not at the top: the CLI imports this module to build its parser, and
    # corpus.index brings the export modules
    from corpus.index import iter_texts

    sides = result.query.sides
    other = "en" if sides == ("zh",) else "zh" if sides == ("en",) else None
    if other is None:
        raise SearchError("--renderings needs one language to search in (--lang zh or en)")
    texts = [t for t in result.others if t.strip()]
    unmatched = len(result.others) - len(texts)
    h = len(result.others)
    counts: Counter[str] = Counter()
    for t in texts:
        counts.update(ngrams(t, other))
    min_hits = 1 if h < 3 else 2
    cands = dict(sorted(((g, a) for g, a in counts.items() if a >= min_hits),
                        key=lambda ga: -ga[1])[:MAX_CANDIDATES])
    # a segment inside a longer one that nearly always comes with it is not a rendering of
    # its own ("belt" in "belt and road")
    covered: Counter[str] = Counter()
    for g, a in cands.items():
        for part in _parts(g, other):
            covered[part] = max(covered[part], a)
    cands = {g: a for g, a in cands.items() if covered[g] < EXTEND * a}
    if not cands:
        return [], unmatched
    total = con.execute("SELECT COUNT(*) FROM beads").fetchone()[0]
    every = max(1, total // SAMPLE_BEADS)
    sample: Counter[str] = Counter()
    n_sample = 0
    for t in iter_texts(con, other, every):
        n_sample += 1
        sample.update(g for g in ngrams(t, other) if g in cands)
    scale = total / max(n_sample, 1)
    ranked = []
    for g, a in cands.items():
        f = max(sample[g] * scale, a)
        ranked.append(Rendering(g, a, a / h, f, 2 * a / (h + f)))
    ranked.sort(key=lambda r: (-r.dice, -r.hits, -len(r.text), r.text))
    chosen: list[Rendering] = []
    for r in ranked:
        if any(_overlaps(r.text, c.text, other) for c in chosen):
            continue
        chosen.append(r)
        if len(chosen) == top:
            break
    return chosen, unmatched


# --------------------------------------------------------------------------- display

def terminal_safe(text: str) -> str:
    """Text with controls, escape sequences and bidi overrides removed, on one line."""
    return CONTROLS.sub("", _BREAKS.sub(" ", text))


def width(text: str) -> int:
    """Columns ``text`` takes on a terminal (wide and full-width characters take two)."""
    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _clip_left(text: str, cols: int) -> str:
    out, w = [], 0
    for c in reversed(text):
        w += width(c)
        if w > cols:
            break
        out.append(c)
    return "".join(reversed(out))


def _clip_right(text: str, cols: int) -> str:
    out, w = [], 0
    for c in text:
        w += width(c)
        if w > cols:
            break
        out.append(c)
    return "".join(out)


def kwic(text: str, span: tuple[int, int], cols: int, *, mark: tuple[str, str]) -> str:
    """One concordance line: the match in the middle of ``cols`` columns, wrapped in
    ``mark`` (ANSI bold on a terminal, ``[[ ]]`` elsewhere), context cut to fit."""
    a, b = span
    left, hit, right = (terminal_safe(text[:a]), terminal_safe(text[a:b]),
                        terminal_safe(text[b:]))
    side = max((cols - width(hit)) // 2 - 1, 4)
    left = _clip_left(left, side)
    return " " * (side - width(left)) + left + mark[0] + hit + mark[1] + _clip_right(right, side)


def format_kwic(result: SearchResult, cols: int = 100, *, color: bool = False) -> Iterator[str]:
    """The hits as KWIC lines, each followed by the other side in full, then the counts."""
    mark = ("\x1b[1;7m", "\x1b[0m") if color else ("[[", "]]")
    for h in result.hits:
        score = "–" if h.score is None else f"{h.score:.2f}"
        conf = "" if h.confidence is None else f" conf {h.confidence:.2f}"
        yield (f"{terminal_safe(h.article_id)} #{h.k} {h.type} score {score}{conf}")
        yield "  " + kwic(h.text, h.spans[0], cols - 2, mark=mark)
        other = terminal_safe(h.other) or "(no counterpart)"
        yield "     " + _clip_right(other, 3 * cols)
    yield ""
    yield from format_counts(result)


def format_counts(result: SearchResult) -> Iterator[str]:
    more = "" if result.complete else f" (counting stopped at {MATCH_LIMIT})"
    yield (f"{result.total} matching beads in {len(result.per_article)} articles{more}; "
           f"{len(result.hits)} shown")
    for aid, n in result.per_article.most_common():
        title = terminal_safe(result.titles.get(aid, ""))
        yield f"{n:>6}  {terminal_safe(aid)}  {title}"


def format_renderings(items: Sequence[Rendering], unmatched: int, total: int
                      ) -> Iterator[str]:
    yield f"{'hits':>6} {'share':>6} {'corpus':>8} {'dice':>6}  rendering"
    for r in items:
        yield (f"{r.hits:>6} {r.share:>6.0%} {math.ceil(r.corpus):>8} {r.dice:>6.3f}  "
               f"{terminal_safe(r.text)}")
    if unmatched:
        share = unmatched / total if total else 0.0
        yield f"{unmatched:>6} {share:>6.0%} {'':>8} {'':>6}  (no counterpart: not translated)"


TSV_COLUMNS = ("article_id", "bead", "type", "score", "confidence", "side", "left", "match",
               "right", "zh", "en")


def format_tsv(result: SearchResult) -> Iterator[str]:
    """One line per hit, ``TSV_COLUMNS``; no tab or line break inside a field."""
    def f(v: object) -> str:
        return "" if v is None else _BREAKS.sub(" ", str(v))

    yield "\t".join(TSV_COLUMNS)
    for h in result.hits:
        a, b = h.spans[0]
        yield "\t".join(f(v) for v in (h.article_id, h.k, h.type, h.score, h.confidence,
                                       h.side, h.text[:a], h.text[a:b], h.text[b:], h.zh, h.en))
