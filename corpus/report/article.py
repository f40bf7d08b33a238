"""One article side by side: Chinese and English, bead by bead.

Every bead is a row with its number, type and score. Beads worth a second look carry the
class ``flag`` (the keyboard jumps between them): English sentences the translator dropped
(``0-n``), Chinese sentences with no English source (``n-0``), splits and merges, and pairs
scoring below the low-score threshold. A ``¶`` marks where a paragraph starts, a ``§`` an
English subhead (set in bold).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from urllib.parse import quote

from corpus.model import AlignedDocument, Bead, Sentence
from corpus.report.page import link, page
from corpus.stats import DocStats

# meta keys shown in the header in this order; other scalar keys follow alphabetically
# ("title" is the page heading, so it is not repeated here)
_META_ORDER = ("title_en", "en_title", "cn_url", "en_url", "source", "published")


def bead_tags(bead: Bead, low_score: float) -> list[str]:
    """The classes that describe a bead: dropped, added, split, merge, many, low."""
    m, n = len(bead.zh), len(bead.en)
    tags = []
    if m == 0:
        tags.append("dropped")
    elif n == 0:
        tags.append("added")
    else:
        if m > 1 and n == 1:
            tags.append("split")  # one English sentence became several Chinese ones
        elif m == 1 and n > 1:
            tags.append("merge")  # several English sentences became one Chinese sentence
        elif m > 1:
            tags.append("many")
        if bead.score < low_score:
            tags.append("low")
    if bead.confidence is not None and bead.confidence < DOUBTFUL:
        tags.append("doubt")
    return tags


TAG_LABELS = {  # what each bead_tags() class says, in words (the workbench shows them too)
    "dropped": "dropped: no Chinese",
    "added": "added: no English",
    "split": "split",
    "merge": "merge",
    "many": "many-to-many",
    "low": "low score",
    "doubt": "doubtful",
}

# a bead less likely right than wrong (its confidence, a calibrated probability) is flagged
DOUBTFUL = 0.5


#: The metadata key that lists the English paragraphs that are subheads ("2,6").
HEADINGS_KEY = "en_headings"


def heading_paragraphs(meta: dict[str, object]) -> frozenset[int]:
    """The indices of the English paragraphs that are subheads, from the document's meta."""
    raw = meta.get(HEADINGS_KEY)
    if not isinstance(raw, str):
        return frozenset()
    return frozenset(int(x) for x in raw.split(",") if x.strip().isdigit())


def _side(sents: Sequence[Sentence], ids: tuple[int, ...], side: str, lang: str,
          heads: frozenset[int] = frozenset()) -> str:
    """The cell of one side of a bead: its sentences, with ¶ where a paragraph starts.

    A sentence of a subhead paragraph (``heads``) is marked ``§`` and set as a heading.
    """
    if not ids:
        missing = "not in the Chinese" if side == "zh" else "not in the English"
        return f'<div class="{side} none" lang="en">— {missing} —</div>'
    parts = []
    starts = False
    for k, i in enumerate(ids):
        s = sents[i]
        new_para = i == 0 or sents[i - 1].para != s.para
        if k == 0:
            starts = new_para
        sub = s.para in heads
        if new_para:
            parts.append('<span class="pb sub" title="subhead">§</span>' if sub else
                         '<span class="pb" title="paragraph starts">¶</span>')
        if s.text:
            cls = "s h" if sub else "s"
            parts.append(f'<span class="{cls}" title="{side} {i}">{escape(s.text)}</span>')
    cls = f"{side} ps" if starts else side
    return f'<div class="{cls}" lang="{lang}">{" ".join(parts)}</div>'


def render_bead(doc: AlignedDocument, k: int, bead: Bead, low_score: float) -> str:
    """One row: bead number, type and score, then the Chinese and the English cell."""
    tags = bead_tags(bead, low_score)
    classes = ["bead", *tags] + (["flag"] if tags else [])
    badges = "".join(f'<span class="tag t-{t}">{TAG_LABELS[t]}</span>' for t in tags)
    score = f"{bead.score:.2f}" if math.isfinite(bead.score) else "–"
    conf = ("" if bead.confidence is None else
            f' <span class="conf" title="confidence: probability that this bead is right">'
            f"p {bead.confidence:.2f}</span>")
    return (
        f'<div class="{" ".join(classes)}" id="b{k}" data-kind="{bead.kind}" '
        f'data-score="{bead.score:.4f}" tabindex="-1">'
        f'<div class="meta"><a class="num" href="#b{k}">#{k}</a> '
        f'<span class="kind" title="Chinese-English sentences">{bead.kind}</span> '
        f'<span class="score" title="alignment score">{score}</span>{conf}{badges}</div>'
        f"{_side(doc.zh, bead.zh, 'zh', 'zh-Hans')}"
        f"{_side(doc.en, bead.en, 'en', 'en', heading_paragraphs(doc.meta))}</div>"
    )


def _meta(meta: dict[str, object]) -> str:
    keys = [k for k in _META_ORDER if k in meta]
    keys += sorted(k for k in meta if k not in _META_ORDER and k not in ("title", HEADINGS_KEY))
    rows = []
    for k in keys:
        v = meta[k]
        if v is None or v == "" or not isinstance(v, str | int | float):
            continue
        value = link(v) if k.endswith("url") else escape(str(v))
        rows.append(f"<dt>{escape(k)}</dt><dd>{value}</dd>")
    return f'<dl class="docmeta">{"".join(rows)}</dl>' if rows else ""


def summary_line(s: DocStats) -> str:
    """Coverage, bead kinds, mean score, low pairs, dropped and added, as one HTML line."""
    kinds = ", ".join(f"{n}×{k}" for k, n in sorted(s.kinds.items(), key=lambda kv: -kv[1]))
    mean = f"{s.mean_score:.2f}" if s.mean_score is not None else "–"
    return (
        f"<p class=\"summary\">{s.zh_sentences} Chinese and {s.en_sentences} English sentences "
        f"in {s.beads} beads ({escape(kinds) or 'none'}). Paired: {s.zh_coverage:.0%} of the "
        f"Chinese, {s.en_coverage:.0%} of the English. Mean score {mean}; "
        f"<b>{s.low}</b> low-score pairs, <b>{len(s.dropped)}</b> English sentences dropped, "
        f"<b>{len(s.added)}</b> Chinese sentences added.</p>"
    )


_HELP = (
    '<p class="help">Keys: <kbd>j</kbd>/<kbd>k</kbd> next/previous flagged bead, '
    "<kbd>/</kbd> search, <kbd>Esc</kbd> clear. Score below {low} = low; p = confidence, "
    "the probability that the bead is right (doubtful below {doubtful:g}). "
    "Split: one English sentence translated as several; merge: several as one.</p>"
)


def render_article(
    doc: AlignedDocument, stats: DocStats, *, low_score: float,
    index_href: str = "../index.html", prev_href: str | None = None,
    next_href: str | None = None,
) -> str:
    """Return the complete HTML page of one aligned article."""
    title = str(doc.meta.get("title") or doc.article_id)
    nav = [f'<a href="{escape(index_href)}">All articles</a>']
    if prev_href:
        nav.append(f'<a href="{escape(prev_href)}" rel="prev">← previous</a>')
    if next_href:
        nav.append(f'<a href="{escape(next_href)}" rel="next">next →</a>')
    # shown by report.js only when `corpus serve` serves the report (under /report/)
    nav.append(f'<a class="served" hidden href="../../article/{quote(doc.article_id, safe="")}">'
               "correct in the workbench</a>")
    rows = "\n".join(render_bead(doc, k, b, low_score) for k, b in enumerate(doc.alignment.beads))
    body = (
        f'<nav>{" · ".join(nav)}</nav>\n<header>\n<h1 lang="zh-Hans">{escape(title)}</h1>\n'
        f'<p class="aid">{escape(doc.article_id)}</p>\n{_meta(doc.meta)}\n{summary_line(stats)}\n'
        + _HELP.format(low=f"{low_score:g}", doubtful=DOUBTFUL)
        + '\n<div class="controls" role="search"><label>Search <input id="q" type="search" '
        'placeholder="text in either language" autocomplete="off"></label> '
        '<label><input id="only" type="checkbox"> only flagged beads</label> '
        '<span id="count" aria-live="polite"></span></div>\n</header>\n'
        '<main class="beads"><div class="bead head" aria-hidden="true"><div class="meta">bead'
        '</div><div class="zh">中文</div><div class="en">English</div></div>\n'
        f"{rows}\n</main>"
    )
    return page(f"{title} — side by side", body, lang="en", kind="article")
