"""HTML of the workbench's pages: home, search, article (side by side, editable).

Every piece of corpus text is escaped; forms work without JavaScript (the page has none),
each write form carries the CSRF token, and every link stays on the server.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from corpus.model import AlignedDocument, Bead
from corpus.report.article import TAG_LABELS, bead_tags
from corpus.search import LANGS, Rendering, SearchResult
from corpus.serve.articles import ArticleView, State


def article_href(article_id: str, k: int | None = None) -> str:
    return f"/article/{quote(article_id, safe='')}" + (f"#b{k}" if k is not None else "")


def shell(title: str, body: str, *, kind: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="generator" content="corpus serve">\n'
        f"<title>{escape(title)}</title>\n"
        '<link rel="stylesheet" href="/static/report.css">\n'
        '<link rel="stylesheet" href="/static/workbench.css">\n</head>\n'
        f'<body class="{kind} wb">\n<nav class="top"><a href="/">Articles</a> · '
        '<a href="/search">Search</a> · <a href="/report/index.html">Report</a></nav>\n'
        f"{body}\n</body>\n</html>\n"
    )


def _csrf(token: str) -> str:
    return f'<input type="hidden" name="csrf" value="{escape(token)}">'


# --------------------------------------------------------------------------- home

def home_page(rows: Sequence[Mapping[str, Any]]) -> str:
    """The article list: id, title, date, beads, corrections state."""
    trs = []
    for r in rows:
        aid = str(r["article_id"])
        state = str(r.get("state", ""))
        trs.append(
            f'<tr><td><a href="{escape(article_href(aid))}">{escape(aid)}</a></td>'
            f'<td lang="zh-Hans">{escape(str(r.get("title", "")))}</td>'
            f'<td>{escape(str(r.get("published", "")))}</td><td>{r.get("beads", "")}</td>'
            f'<td class="st-{escape(state)}">{escape(state if state != State.NONE else "")}'
            "</td></tr>")
    body = (
        "<header><h1>Study workbench</h1>"
        f'<p class="help">{len(rows)} articles. Search the corpus, open an article to read it '
        "side by side and correct its beads; corrections are saved under corrections/ and "
        "applied by the next <code>corpus build</code>.</p></header>\n<main>\n"
        + search_form({}) +
        '<table id="articles"><thead><tr><th>article</th><th>title</th><th>published</th>'
        f'<th>beads</th><th>corrections</th></tr></thead><tbody>{"".join(trs)}</tbody>'
        "</table></main>")
    return shell("Study workbench", body, kind="index")


# --------------------------------------------------------------------------- search

def search_form(params: Mapping[str, str]) -> str:
    def val(k: str) -> str:
        return escape(params.get(k, ""))

    langs = "".join(f'<option{" selected" if params.get("lang", "auto") == x else ""}>{x}'
                    "</option>" for x in LANGS)
    check = {k: " checked" if params.get(k) else "" for k in ("regex", "renderings",
                                                               "substring")}
    return (
        '<form class="search" method="get" action="/search" role="search">'
        f'<label>Search <input name="q" type="search" value="{val("q")}" required '
        'placeholder="a phrase in Chinese or English"></label> '
        f'<label>language <select name="lang">{langs}</select></label> '
        f'<label><input type="checkbox" name="regex" value="1"{check["regex"]}> regex</label> '
        f'<label><input type="checkbox" name="substring" value="1"{check["substring"]}> '
        "inside words</label> "
        f'<label><input type="checkbox" name="renderings" value="1"{check["renderings"]}> '
        "renderings</label><br>"
        f'<label>article <input name="article" value="{val("article")}" placeholder="id or '
        'glob"></label> '
        f'<label>since <input name="since" type="date" value="{val("since")}"></label> '
        f'<label>until <input name="until" type="date" value="{val("until")}"></label> '
        f'<label>type <input name="type" value="{val("type")}" size="5" placeholder="1-1">'
        "</label> "
        f'<label>confidence ≥ <input name="min_conf" value="{val("min_conf")}" size="4">'
        "</label> "
        f'<label>≤ <input name="max_conf" value="{val("max_conf")}" size="4"></label> '
        '<button type="submit">Search</button></form>\n')


def _kwic_cells(text: str, span: tuple[int, int]) -> str:
    a, b = span
    # the left cell is right-to-left so that overflow cuts its far end; <bdi> keeps the
    # text itself in reading order
    return (f'<td class="kl"><bdi dir="ltr">{escape(text[max(0, a - 80):a])}</bdi></td>'
            f'<td class="km"><mark>{escape(text[a:b])}</mark></td>'
            f'<td class="kr">{escape(text[b:b + 80])}</td>')


def search_page(params: Mapping[str, str], result: SearchResult | None, *,
                table: tuple[list[Rendering], int] | None = None, error: str = "") -> str:
    parts = ["<header><h1>Search</h1></header><main>", search_form(params)]
    if error:
        parts.append(f'<p class="error" role="alert">{escape(error)}</p>')
    if result is not None:
        more = "" if result.complete else " (counting stopped early)"
        parts.append(f'<p class="count">{result.total} matching beads in '
                     f"{len(result.per_article)} articles{more}; {len(result.hits)} shown.</p>")
        if table is not None:
            parts.append(_renderings(*table, result.total))
        rows = []
        for h in result.hits:
            lang = "zh-Hans" if h.side == "zh" else "en"
            other_lang = "en" if h.side == "zh" else "zh-Hans"
            href = escape(article_href(h.article_id, h.k))
            score = "–" if h.score is None else f"{h.score:.2f}"
            rows.append(
                f'<tr class="hit"><td class="ref"><a href="{href}">{escape(h.article_id)} '
                f'#{h.k}</a><br><span class="kind">{escape(h.type)}</span> {score}</td>'
                f'{_kwic_cells(h.text, h.spans[0]).replace("<td", f"<td lang={lang!r}", 3)}'
                f'</tr><tr class="other"><td></td><td colspan="3" lang="{other_lang}">'
                f'{escape(h.other) or "<i>— no counterpart —</i>"}</td></tr>')
        parts.append(f'<table class="kwic">{"".join(rows)}</table>')
        counts = "".join(
            f'<li><a href="/search?{escape(urlencode({**params, "article": aid}))}">'
            f"{escape(aid)}</a> {escape(result.titles.get(aid, ''))}: {n}</li>"
            for aid, n in result.per_article.most_common())
        parts.append(f'<h2>Hits per article</h2><ol class="counts">{counts}</ol>')
    parts.append("</main>")
    return shell("Search", "".join(parts), kind="search")


def _renderings(items: list[Rendering], untranslated: int, total: int) -> str:
    rows = "".join(f"<tr><td>{escape(r.text)}</td><td>{r.hits}</td><td>{r.share:.0%}</td>"
                   f"<td>{math.ceil(r.corpus)}</td><td>{r.dice:.3f}</td></tr>" for r in items)
    if untranslated:
        rows += (f"<tr><td><i>no counterpart</i></td><td>{untranslated}</td>"
                 f"<td>{untranslated / max(total, 1):.0%}</td><td></td><td></td></tr>")
    return ('<table class="renderings"><caption>Renderings: segments of the other side that '
            "go with the phrase</caption><thead><tr><th>rendering</th><th>hits</th>"
            "<th>share</th><th>in corpus</th><th>Dice</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>")


# --------------------------------------------------------------------------- article

def _button(op: str, label: str, title: str) -> str:
    return (f'<button class="op" type="submit" name="op" value="{escape(op)}" '
            f'title="{escape(title)}">{label}</button>')


def _side(doc: AlignedDocument, beads: Sequence[Bead], k: int, side: str) -> str:
    bead = beads[k]
    ids = bead.zh if side == "zh" else bead.en
    other = bead.en if side == "zh" else bead.zh
    sents = doc.zh if side == "zh" else doc.en
    lang = "zh-Hans" if side == "zh" else "en"
    if not ids:
        missing = "not in the Chinese" if side == "zh" else "not in the English"
        return f'<div class="{side} none" lang="en">— {missing} —</div>'
    parts = []
    for pos, i in enumerate(ids):
        s = sents[i]
        tools = []
        if pos > 0:
            tools.append(_button(f"split:{k}:{side}:{i}", "✂",
                                 "split the bead here: this sentence and the rest of this side "
                                 "start a new bead"))
        edge = pos in (0, len(ids) - 1)
        if edge and (len(ids) > 1 or other):
            tools.append(_button(f"unmatch:{side}:{i}", "∅", "mark this sentence unmatched"))
        if pos == 0 and k > 0:
            tools.append(_button(f"link:{side}:{i}:prev", "↑",
                                 "link this sentence to the previous bead"))
        if pos == len(ids) - 1 and k < len(beads) - 1:
            tools.append(_button(f"link:{side}:{i}:next", "↓",
                                 "link this sentence to the next bead"))
        pb = ('<span class="pb" title="paragraph starts">¶</span>'
              if i == 0 or sents[i - 1].para != s.para else "")
        parts.append(f'<span class="s" data-side="{side}" data-i="{i}">{pb}'
                     f'<span class="tools">{"".join(tools)}</span>{escape(s.text)}</span>')
    return f'<div class="{side}" lang="{lang}">{" ".join(parts)}</div>'


def _scored(bead: Bead) -> Bead:
    """A bead only a correction has (no score yet) is not flagged as low-scoring."""
    if math.isfinite(bead.score):
        return bead
    return Bead(bead.zh, bead.en, 1.0, bead.confidence)


def _bead_row(view: ArticleView, k: int, low_score: float) -> str:
    beads = view.doc.alignment.beads
    bead = beads[k]
    tags = bead_tags(_scored(bead), low_score)
    changed = not view.is_built(bead)
    classes = ["bead", *tags] + (["flag"] if tags else []) + (["changed"] if changed else [])
    badges = "".join(f'<span class="tag t-{t}">{TAG_LABELS[t]}</span>' for t in tags)
    if changed:
        badges += '<span class="tag t-changed">corrected</span>'
    score = f"{bead.score:.2f}" if math.isfinite(bead.score) else "–"
    if bead.confidence is not None:
        score += f' <span class="conf" title="confidence">p {bead.confidence:.2f}</span>'
    merge = (_button(f"merge:{k}", "⇣ merge", "merge this bead with the next one")
             if k < len(beads) - 1 else "")
    return (
        f'<div class="{" ".join(classes)}" id="b{k}" data-kind="{bead.kind}">'
        f'<div class="meta"><a class="num" href="#b{k}">#{k}</a> '
        f'<span class="kind">{bead.kind}</span> <span class="score">{score}</span>{badges} '
        f"{merge}</div>{_side(view.doc, beads, k, 'zh')}{_side(view.doc, beads, k, 'en')}</div>")


def _flagged(view: ArticleView, low_score: float) -> str:
    items = []
    for k, bead in enumerate(view.doc.alignment.beads):
        tags = bead_tags(_scored(bead), low_score)
        if not tags:
            continue
        zh = "".join(view.doc.zh[i].text for i in bead.zh)[:60]
        en = " ".join(view.doc.en[i].text for i in bead.en)[:90]
        labels = ", ".join(TAG_LABELS[t] for t in tags)
        items.append(f'<li><a href="#b{k}">#{k}</a> <span class="kind">{bead.kind}</span> '
                     f"{escape(labels)}: <span lang=\"zh-Hans\">{escape(zh)}</span> "
                     f"<span lang=\"en\">{escape(en)}</span></li>")
    if not items:
        return '<section class="flagged"><h2>No flagged beads</h2></section>'
    return (f'<section class="flagged"><h2>Flagged beads ({len(items)})</h2>'
            f'<ol>{"".join(items)}</ol></section>')


def article_page(view: ArticleView, token: str, *, low_score: float, error: str = "",
                 report_href: str | None = None) -> str:
    doc = view.doc
    aid = doc.article_id
    title = str(doc.meta.get("title") or aid)
    state = view.state
    status = {
        State.NONE: "No corrections: these are the aligner's beads.",
        State.BUILT: "Corrected; the build applied the corrections.",
        State.PENDING: "Corrections saved; run <code>corpus build</code> to apply them to the "
                       "exports.",
        State.STALE: "The corrections file was written for other sentences and is not "
                     "applied; these are the aligner's beads. Saving an edit replaces it.",
        State.INVALID: "The corrections file is invalid: " + escape(state.detail),
    }[state.state]
    changed = sum(1 for b in doc.alignment.beads if not view.is_built(b))
    if changed:
        status += f" {changed} beads differ from the build."
    edit_url = escape(article_href(aid) + "/edit")
    undo = (f'<form method="post" action="{escape(article_href(aid))}/undo" class="undo">'
            f'{_csrf(token)}<button type="submit" name="undo" value="1"'
            f'{"" if view.undo_depth else " disabled"}>↶ Undo ({view.undo_depth})</button>'
            "</form>")
    rows = "\n".join(_bead_row(view, k, low_score) for k in range(len(doc.alignment.beads)))
    report = (f' · <a href="{escape(report_href)}">in the report</a>' if report_href else "")
    body = (
        f'<header><h1 lang="zh-Hans">{escape(title)}</h1><p class="aid">{escape(aid)}{report}'
        f'</p><p class="status st-{state.state}" role="status">{status}</p>'
        + (f'<p class="error" role="alert">{escape(error)}</p>' if error else "")
        + f"{undo}</header>\n{_flagged(view, low_score)}\n"
        f'<form method="post" action="{edit_url}" id="edit">{_csrf(token)}'
        '<main class="beads"><div class="bead head" aria-hidden="true"><div class="meta">bead'
        '</div><div class="zh">中文</div><div class="en">English</div></div>\n'
        f"{rows}\n</main></form>"
        '<p class="help">Buttons: ⇣ merge a bead with the next, ✂ split before a sentence, '
        "∅ mark a sentence unmatched, ↑/↓ link it to the previous/next bead.</p>")
    return shell(f"{title} — workbench", body, kind="article")


def message_page(title: str, text: str) -> str:
    return shell(title, f"<main><h1>{escape(title)}</h1><p>{escape(text)}</p></main>",
                 kind="message")
