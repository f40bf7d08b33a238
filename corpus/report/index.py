"""The report's index: corpus statistics, plots, and a sortable, filterable article table."""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape

from corpus.model import AlignedDocument
from corpus.provenance import Provenance
from corpus.report.page import page
from corpus.report.svg import bar_chart, histogram_chart
from corpus.stats import CorpusStats, DocStats, histogram

DROPPED_SHOWN = 5  # dropped sentences listed per article in the index
RATIO_MAX = 8.0  # English/Chinese character ratios above this share the last bin


def _pct(x: float) -> str:
    return f"{x:.0%}"


def _score(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def _corpus_table(c: CorpusStats) -> str:
    ratio = c.median_ratio
    rows = [
        ("articles", str(len(c.docs))),
        ("Chinese sentences", str(c.total("zh_sentences"))),
        ("English sentences", str(c.total("en_sentences"))),
        ("beads", str(c.total("beads"))),
        ("Chinese sentences paired", _pct(c.zh_coverage)),
        ("English sentences paired", _pct(c.en_coverage)),
        ("mean score of paired beads", _score(c.mean_score)),
        (f"low-score pairs (below {c.low_score:g})", str(c.total("low"))),
        ("English sentences dropped (0-n)", str(sum(len(d.dropped) for d in c.docs))),
        ("Chinese sentences added (n-0)", str(sum(len(d.added) for d in c.docs))),
        ("splits and merges", str(sum(d.many for d in c.docs))),
        ("median length ratio (English/Chinese chars, 1-1)",
         "–" if ratio is None else f"{ratio:.2f}"),
    ]
    body = "".join(f"<tr><th scope=\"row\">{escape(k)}</th><td>{v}</td></tr>" for k, v in rows)
    kinds = "".join(f"<tr><th scope=\"row\">{escape(k)}</th><td>{n}</td></tr>"
                    for k, n in c.kinds.items())
    return (f'<div class="tables"><table class="stats"><caption>Corpus</caption>{body}</table>'
            f'<table class="stats"><caption>Bead types (Chinese-English)</caption>{kinds}'
            "</table></div>")


def _plots(c: CorpusStats) -> str:
    lo = min(0.0, min(c.scores, default=0.0))
    hi = max(1.0, max(c.scores, default=1.0))
    scores = histogram_chart(histogram(c.scores, lo, hi, 20), lo, hi,
                             "Scores of paired beads", "alignment score",
                             marker=c.low_score, marker_label="low")
    kinds = bar_chart(list(c.kinds.items())[:10], "Bead types")
    ratios = histogram_chart(histogram(c.ratios, 0.0, RATIO_MAX, 32), 0.0, RATIO_MAX,
                             "Length ratio of 1-1 pairs",
                             f"English/Chinese characters (above {RATIO_MAX:g}: last bin)",
                             marker=c.median_ratio, marker_label="median")
    return f'<div class="plots">{scores}{kinds}{ratios}</div>'


def _dropped(doc: AlignedDocument, s: DocStats) -> str:
    if not s.dropped:
        return "0"
    items = "".join(f"<li>{escape(doc.en[i].text)}</li>" for i in s.dropped[:DROPPED_SHOWN])
    more = len(s.dropped) - DROPPED_SHOWN
    if more > 0:
        items += f"<li>… and {more} more</li>"
    return f"<details><summary>{len(s.dropped)}</summary><ul lang=\"en\">{items}</ul></details>"


# (header, sort type) of the article table's columns, in order
_COLUMNS = (
    ("article", "text"), ("zh sents", "num"), ("en sents", "num"), ("zh paired", "num"),
    ("en paired", "num"), ("1-1", "num"), ("split/merge", "num"), ("dropped", "num"),
    ("added", "num"), ("mean score", "num"), ("low", "num"),
)


def _row(doc: AlignedDocument, s: DocStats, href: str, n: int) -> str:
    # an article from a file with no ids or titles (plain TSV) still gets a link to click
    title = escape(s.title or s.article_id or f"article {n}")
    problem = " problem" if s.dropped or s.added or s.low else ""
    mean = -1.0 if s.mean_score is None else s.mean_score
    cells = [
        (s.article_id.lower(), f'<a href="{escape(href)}" lang="zh-Hans">{title}</a>'
         f'<span class="aid">{escape(s.article_id)}</span>'),
        (s.zh_sentences, str(s.zh_sentences)),
        (s.en_sentences, str(s.en_sentences)),
        (f"{s.zh_coverage:.4f}", _pct(s.zh_coverage)),
        (f"{s.en_coverage:.4f}", _pct(s.en_coverage)),
        (s.kinds.get("1-1", 0), str(s.kinds.get("1-1", 0))),
        (s.many, str(s.many)),
        (len(s.dropped), _dropped(doc, s)),
        (len(s.added), str(len(s.added))),
        (f"{mean:.4f}", _score(s.mean_score)),
        (s.low, str(s.low)),
    ]
    tds = "".join(f'<td data-v="{escape(str(v))}">{h}</td>' for v, h in cells)
    return f'<tr class="art{problem}">{tds}</tr>'


def _provenance(prov: Provenance | None) -> str:
    """What produced the beads, field by field (the files' provenance record)."""
    if prov is None:
        return '<p class="help" id="provenance">Provenance: not recorded in the input.</p>\n'
    rows = []
    for key, value in prov.to_dict().items():
        if value in ("", {}, []):
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False,
                                                               sort_keys=True)
        rows.append(f'<tr><th scope="row">{escape(key.replace("_", " "))}</th>'
                    f"<td><code>{escape(text)}</code></td></tr>")
    return (f'<table class="stats" id="provenance"><caption>Provenance</caption>'
            f'{"".join(rows)}</table>\n')


def render_index(
    docs: Sequence[AlignedDocument], cstats: CorpusStats, hrefs: Sequence[str], *, title: str,
    provenance: Provenance | None = None,
) -> str:
    """Return the index page: corpus table, plots, one table row per article, and what
    produced the beads."""
    heads = "".join(
        f'<th scope="col" aria-sort="none"><button type="button" data-col="{i}" '
        f'data-type="{t}">{escape(h)}</button></th>'
        for i, (h, t) in enumerate(_COLUMNS)
    )
    rows = "\n".join(_row(d, s, h, n) for n, (d, s, h)
                     in enumerate(zip(docs, cstats.docs, hrefs, strict=True), 1))
    body = (
        f"<header><h1>{escape(title)}</h1>\n"
        # shown by report.js only when `corpus serve` serves the report (under /report/)
        '<p class="served" hidden><a href="../search">Search the corpus</a> · '
        '<a href="../">the workbench</a></p>\n'
        '<p class="help">Click a column to sort; type to filter by id or title. '
        "Coverage is the share of each side's sentences that found a counterpart; "
        "dropped = English sentences with no Chinese, added = Chinese with no English. "
        "Open an article to read it side by side.</p></header>\n<main>\n"
        f"{_corpus_table(cstats)}\n{_plots(cstats)}\n"
        '<div class="controls" role="search"><label>Filter <input id="q" type="search" '
        'placeholder="id or title" autocomplete="off"></label> <label><input id="problems" '
        'type="checkbox"> only articles with dropped, added or low-score sentences</label> '
        '<span id="count" aria-live="polite"></span></div>\n'
        f'<div class="scroll"><table id="articles"><thead><tr>{heads}</tr></thead>\n'
        f"<tbody>\n{rows}\n</tbody></table></div>\n{_provenance(provenance)}</main>"
    )
    return page(title, body, lang="en", kind="index")
