"""Turn a news page into body paragraphs: the article body by structure, else trafilatura.

Pages of the layouts nytimes.com has served (2016 ``p.story-body-text``; from 2019 on
``section[name=articleBody]`` with ``StoryBodyCompanionColumn`` blocks) are read from their
body container: every ``<p>`` and ``<h2>``/``<h3>`` subhead in it, in order, whole. Any
other page goes to trafilatura. Either way we prune page furniture first (nav, figures,
elements whose class/id/test-id names an ad, a newsletter, related links, the trust
module …), then drop the paragraphs that are boilerplate by their wording, and pull quotes,
which repeat a sentence of the body. A page that is not an article, or that serves only the
start of one, is refused with the reason. Every public function here is pure (HTML in, a
dataclass out, no I/O), so it can run in another process.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator, Sequence

import lxml.etree
import lxml.html
import trafilatura

from corpus.cnsite import has_class
from corpus.errors import EmptyPageError, ExtractError, NotAnArticleError, TruncatedPageError
from corpus.model import ExtractedPage, ParagraphPair

log = logging.getLogger(__name__)

#: Elements that never hold body text on a news page.
_DROP_TAGS = ("script", "style", "noscript", "nav", "footer", "aside", "form", "figure",
              "figcaption", "button", "svg", "iframe", "template", "dialog")
#: Words in a class, id or data-testid that mark page furniture (matched as whole tokens).
_DROP_NAMES = re.compile(
    r"(?:^|[\s_-])(ad|ads|advert\w*|dfp|sponsor\w*|newsletter\w*|signup|related\w*|recirc\w*|"
    r"byline|bylines|author-?bio|bio|caption\w*|credit|credits|promo\w*|share\w*|social|"
    r"print-?info\w*|pull-?quote|pullquote|gateway\w*|paywall|masthead\w*|inline-message|"
    r"comments?|subscribe\w*|breadcrumbs?|site-?index|toolbar|tags?|more-?in\w*)(?:$|[\s_-])",
    re.I,
)
_DROP_EXACT = frozenset(s.casefold() for s in (
    "Advertisement", "Supported by", "SKIP ADVERTISEMENT", "Share full article", "Credit...",
    "Credit", "Continue reading the main story", "Read more", "Related", "Related Content",
    "Related Coverage", "See more", "Listen to this article", "Image", "Photo", "Video",
))
#: Wording of boilerplate paragraphs anywhere in the text (case-insensitive).
_DROP_PATTERNS = (*(re.compile(p, re.I) for p in (
    r"^a version of this article appears in print",
    r"^(sign up|subscribe|get) (for|to) (the|our) .{0,60}newsletter",
    r"^sign up for\b.*\b(newsletter|inbox)",
    r"^credit\s*(\.\.\.|…|:)",
    r"^(photo|photograph|image|video|illustration)s? (by|credit)\b",
    r"^reporting (from|by) [^.!?]{2,60}$",
    r"^follow .{1,80} on (twitter|x|instagram|facebook|threads|bluesky)",
    r"^(read|see) (more|also|the latest)\b.{0,80}$",
    r"^(related|more on this story|more coverage):",
    r"^produced by [^.!?]{2,80}$",
    r"^(order reprints|today’s paper|today's paper)\b",
    r"^(already a subscriber|want all of the times|thank you for your patience)",
)),
    # A byline: "By" and capitalised names only (case matters here). Each separator is
    # spelled once and names are possessive, so there is one way to read a line: linear
    # (nested optional separators made "By Ab Ab … x" exponential).
    re.compile(r"^(?:By|BY) [A-Z][\w.’'-]++(?:(?:,? and |, | )[A-Z][\w.’'-]++)*+$"),
)
#: A short closing line crediting reporting or research, or an author bio at the end.
_CREDIT_LINE = re.compile(r"\bcontributed (reporting|research)\b|\b(reporting|research) "
                          r"(was )?contributed by\b", re.I)
_BIO = re.compile(
    r"^[A-Z][\w.’'-]+(?: [A-Z][\w.’'-]+){1,3} (is|was|reports|covers|writes|has been|joined)\b"
    r".{0,300}\b(The Times|correspondent|reporter|editor|columnist|bureau|covering|covers|"
    r"reports on|writer|desk)\b", re.S)
#: Paragraphs on either side searched for the words a pull quote repeats. A pull quote sits
#: near its source; searching every paragraph made cleanup quadratic in their number.
_PULL_QUOTE_REACH = 50
#: Phrases of paywall, consent and bot-check pages (compared case-insensitively).
PAYWALL_MARKERS = (
    "verify access", "subscribe to continue", "to continue reading", "create your free account",
    "you have reached your limit", "you've reached your limit", "already a subscriber",
    "log in or create an account", "are you a robot", "please enable js",
    "enable javascript and cookies", "unusual activity", "access to this page has been denied",
    "we care about your privacy", "consent to the use of cookies", "captcha",
)
#: Lines nytimes.com puts in ``section[name=articleBody]`` after the first few paragraphs when
#: it serves a truncated article (reported by scrapers; compared case-insensitively, curly
#: apostrophes folded). Such a page is not the whole article, and the lines are never text.
TRUNCATION_MARKERS = (
    "we are having trouble retrieving the article content",
    "please enable javascript in your browser settings and refresh the page to continue reading",
)
#: Promotion lines that sit among body paragraphs on some pages; never text.
_PROMO_LINES = re.compile(r"^add the new york times on google\b", re.I)
#: The trust module nytimes.com puts inside some article bodies from 2022 on, explaining
#: its use of anonymous sources. Our rules rely on its container, ``section`` with id
#: ``trust-inline-module-anonymous`` (any id starting ``trust-inline-module``) or class
#: ``inline-trust-module``; and, for markup that has neither, on its heading's wording
#: "What we consider before using anonymous sources" (the heading's block is dropped).
_TRUST_ID = "trust-inline-module"
_TRUST_CLASS = "inline-trust-module"
_TRUST_HEADING = re.compile(r"^what we consider before using anonymous sources", re.I)
#: The article body container of each nytimes.com layout, first match wins: 2019 on
#: (``section[name=articleBody]``, its ``StoryBodyCompanionColumn`` blocks inside), any
#: schema.org markup, then 2016 (``div.story-body`` blocks of ``p.story-body-text``).
_BODY_XPATHS = (
    "//section[@name='articleBody']",
    "//*[@itemprop='articleBody']",
)
_STORY_BODY_TEXT = f"//p[{has_class('story-body-text')}]"
#: What the body container holds that we keep: paragraphs and subheads.
_BLOCK_TAGS = ("p", "h2", "h3")
_HEADING_TAGS = frozenset({"h2", "h3", "head"})
#: og:type and JSON-LD @type values of an article page (schema.org's Article family).
_ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "blogposting",
    "liveblogposting", "report", "scholarlyarticle",
})
#: More top-level <article> elements than this is a teaser list, not one article.
_MAX_ARTICLE_ELEMENTS = 2
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_LATIN = re.compile(r"[A-Za-z]")
_SPACE = re.compile(r"\s+")


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _parse(html: str | bytes) -> lxml.html.HtmlElement:
    # Comments go at parse time: React's ``<!-- -->`` markers inside running text otherwise
    # make trafilatura drop the text after them ("When <!-- -->President …" -> "When").
    # A parser per call: lxml parsers are not to be shared between threads.
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
    try:
        tree = lxml.html.document_fromstring(html, parser=parser)
    except (lxml.etree.ParserError, ValueError) as err:
        raise ExtractError(f"not an HTML page: {err}") from err
    return tree


def _prune(tree: lxml.html.HtmlElement) -> None:
    """Remove page furniture in place, by tag and by class/id/data-testid names."""
    doomed = [el for el in tree.iter(*_DROP_TAGS)]
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        names = " ".join(el.get(a, "") for a in ("class", "id", "data-testid", "role"))
        if names.strip() and (_DROP_NAMES.search(names) or _is_trust_module(el)):
            doomed.append(el)
        elif el.tag in _BLOCK_TAGS and _TRUST_HEADING.match(_clean(el.text or "")):
            parent = el.getparent()  # the module without its markers: drop its block
            small = parent is not None and parent.tag not in ("body", "section", "article") \
                and _short(parent, 2000)
            doomed.append(parent if small else el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()


def _short(el: lxml.html.HtmlElement, limit: int) -> bool:
    """Whether ``el`` holds fewer than ``limit`` characters (reads at most ``limit`` nodes)."""
    total = 0
    for n, text in enumerate(el.itertext()):
        total += len(text)
        if total >= limit or n >= limit:
            return False
    return True


def _is_trust_module(el: lxml.html.HtmlElement) -> bool:
    return (el.get("id") or "").startswith(_TRUST_ID) or \
        _TRUST_CLASS in (el.get("class") or "").split()


def truncation_marker(text: str) -> str | None:
    """The truncation line (see TRUNCATION_MARKERS) that ``text`` holds, if any."""
    folded = _clean(text).casefold().replace("’", "'")
    return next((m for m in TRUNCATION_MARKERS if m in folded), None)


def is_boilerplate(text: str) -> bool:
    """True for a paragraph that is page furniture by its wording alone."""
    if text.casefold() in _DROP_EXACT or len(text) < 3:
        return True
    if _PROMO_LINES.search(text) or _TRUST_HEADING.search(text) or truncation_marker(text):
        return True
    return any(p.search(text) for p in _DROP_PATTERNS)


def clean_paragraphs(paragraphs: Sequence[str]) -> list[str]:
    """Drop boilerplate lines, closing credits and bios, and pull quotes that repeat the body."""
    kept = [p for p in (_clean(x) for x in paragraphs) if p and not is_boilerplate(p)]
    # Credit lines and bios sit at the end; a body paragraph may match the bio pattern.
    while kept and len(kept[-1]) < 400 and (_CREDIT_LINE.search(kept[-1]) or _BIO.search(kept[-1])):
        kept.pop()
    out = []
    for i, p in enumerate(kept):
        core = p.strip("“”\"'‘’ ")
        near = kept[max(0, i - _PULL_QUOTE_REACH):i + _PULL_QUOTE_REACH + 1]
        if len(p) < 300 and any(core in q and q != p for q in near):
            continue  # a pull quote: the same words stand in a longer paragraph
        out.append(p)
    return out


def paywall_marker(html: str) -> str | None:
    """The first paywall/consent/bot-check phrase in the page's visible text, if any."""
    try:
        tree = _parse(html)
    except ExtractError:
        return None
    for el in tree.iter("script", "style", "noscript"):
        el.text = ""
    text = _clean(tree.text_content()).casefold().replace("’", "'")
    return next((m for m in PAYWALL_MARKERS if m in text), None)


def _metadata(html: str, url: str | None) -> tuple[str, str | None]:
    try:
        meta = trafilatura.extract_metadata(html, default_url=url)
    except (ValueError, TypeError, AttributeError, lxml.etree.LxmlError) as err:
        log.debug("no metadata from %s: %r", url or "a page", err)
        return "", None
    if meta is None:
        return "", None
    title = re.sub(r"\s+[-|–]\s+The New York Times$", "", meta.title or "")
    return title, meta.date


def _outermost(tree: lxml.html.HtmlElement, elements: Sequence[lxml.html.HtmlElement]
               ) -> list[lxml.html.HtmlElement]:
    """Those of ``elements`` not inside another one of them, in document order.

    One walk that does not descend into a chosen element: linear in the tree's size.
    """
    chosen = set(elements)
    out = []
    stack = [tree]
    while chosen and stack:
        el = stack.pop()
        if el in chosen:
            out.append(el)
            continue
        stack.extend(c for c in reversed(el) if isinstance(c.tag, str))
    return out


def _body_roots(tree: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The article body container(s) of a known layout, in document order; [] if none."""
    for xp in _BODY_XPATHS:
        found = tree.xpath(xp)
        if found:
            return _outermost(tree, found)
    # 2016: the body is split into several div.story-body blocks of p.story-body-text
    parents: dict[lxml.html.HtmlElement, None] = {}
    for p in tree.xpath(_STORY_BODY_TEXT):
        parent = p.getparent()
        if parent is not None:
            parents.setdefault(parent, None)
    return _outermost(tree, list(parents))


def _ld_types(tree: lxml.html.HtmlElement) -> list[str]:
    """The top-level @type values of the page's JSON-LD (and of its @graph nodes)."""
    out: list[str] = []
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        for item in (data if isinstance(data, list) else [data])[:50]:
            if not isinstance(item, dict):
                continue
            graph = item.get("@graph")
            for node in [item, *(graph[:50] if isinstance(graph, list) else [])]:
                kind = node.get("@type") if isinstance(node, dict) else None
                kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
                out += [k.strip().casefold() for k in kinds if isinstance(k, str)]
    return out


def not_an_article(tree: lxml.html.HtmlElement) -> str | None:
    """Why the parsed page is not an article page, or None when it is one.

    An article body container, ``og:type`` ``article`` or a JSON-LD Article type (NewsArticle
    …) make it one. Without those, an ``og:type`` or JSON-LD type of another kind, or many
    ``<article>`` teasers, say it is not; with no sign either way, ``article:`` meta tags or a
    single ``<article>`` element make it one.
    """
    og = [v.strip().casefold() for v in tree.xpath("//meta[@property='og:type']/@content")]
    ld = _ld_types(tree)
    if _body_roots(tree) or any(t in _ARTICLE_TYPES for t in og + ld):
        return None
    articles = len(_outermost(tree, list(tree.iter("article"))))
    against = []
    if og:
        against.append(f"its og:type is {og[0][:40]!r}")
    if ld:
        against.append(f"its JSON-LD describes a {', '.join(sorted(set(ld))[:5])[:120]}")
    if articles > _MAX_ARTICLE_ELEMENTS:
        against.append(f"it lists {articles} <article> teasers")
    if not against:
        if articles == 1 or tree.xpath("//meta[starts-with(@property, 'article:')]"):
            return None
        against.append("it has no og:type article, no NewsArticle JSON-LD and no article body")
    return "not an article page: " + "; ".join(against)


def _block_text(el: lxml.html.HtmlElement) -> str:
    return _clean(" ".join(el.itertext()) if el.find(".//br") is not None else
                  "".join(el.itertext()))


def _blocks(roots: Sequence[lxml.html.HtmlElement]) -> Iterator[tuple[str, bool]]:
    """(text, is a subhead) of every paragraph and subhead under ``roots``, in order.

    A block's nested elements (spans, links, emphasis) are part of its text; a block inside
    a block is not read twice. One walk over the tree, so linear in its size.
    """
    for root in roots:
        stack = [root]
        while stack:
            el = stack.pop()
            if el is not root and el.tag in _BLOCK_TAGS:
                yield _block_text(el), el.tag in _HEADING_TAGS
                continue
            stack.extend(c for c in reversed(el) if isinstance(c.tag, str))


def _trafilatura_blocks(tree: lxml.html.HtmlElement, url: str | None
                        ) -> list[tuple[str, bool]]:
    try:
        doc = trafilatura.bare_extraction(
            tree, url=url, favor_precision=True, include_comments=False, include_tables=False,
            include_images=False, include_links=False, include_formatting=False,
            with_metadata=False, deduplicate=False,
        )
    except (ValueError, TypeError, AttributeError, lxml.etree.LxmlError) as err:
        # trafilatura has no error type of its own; a page it chokes on is one failed article
        raise ExtractError(f"the extractor failed on this page: {err!r}", url=url) from err
    body = getattr(doc, "body", None)
    if body is None:
        return []
    return [("".join(el.itertext()), el.tag == "head")
            for el in body.iter("p", "head")
            if (el.getparent() is body or el.getparent().tag == "div")
            and (el.tag == "p" or el.get("rend") in _HEADING_TAGS)]


def assemble(blocks: Sequence[tuple[str, bool]]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Clean ``(text, is subhead)`` blocks into paragraphs and the indices of the subheads.

    Paragraphs go through :func:`clean_paragraphs`; subheads only through the wording rules
    (a short subhead must not pass for a pull quote). A heading before the first paragraph
    (the headline) or with no paragraph after it (a "More on …" line) is dropped.
    """
    kept = iter(clean_paragraphs([t for t, head in blocks if not head]))
    want = next(kept, None)
    out: list[str] = []
    heads: list[int] = []
    for text, head in blocks:
        text = _clean(text)
        if head:
            if out and text and not is_boilerplate(text) and len(text) < 300:
                if heads and heads[-1] == len(out) - 1 and out[-1] == text:
                    continue
                heads.append(len(out))
                out.append(text)
        elif want is not None and text == want:
            out.append(text)
            want = next(kept, None)
    while heads and heads[-1] == len(out) - 1:
        heads.pop()
        out.pop()
    return tuple(out), tuple(heads)


def extract_article(html: str, url: str | None = None, *,
                    require_article: bool = True) -> ExtractedPage:
    """Return the body paragraphs of a news article page, in order, with title and date.

    Subheads come as paragraphs of their own, their indices in ``headings``. Raises
    NotAnArticleError for a page that is not an article (unless ``require_article`` is
    false: a file the user chose), TruncatedPageError for a page that says it serves only
    the start of the article, EmptyPageError when no article text is found.
    """
    title, published = _metadata(html, url)
    tree = _parse(html)
    if require_article and (why_not := not_an_article(tree)):
        raise NotAnArticleError(why_not, url=url)
    _prune(tree)
    roots = _body_roots(tree)
    body = tree.body if tree.find("body") is not None else tree
    for root in roots or [body]:
        marker = truncation_marker(root.text_content())
        if marker:
            found = sum(1 for text, head in _blocks(roots or [body])
                        if not head and not is_boilerplate(_clean(text)))
            raise TruncatedPageError(
                f"the page serves only the start of the article ({found} paragraphs, then "
                f"{marker!r}…)", url=url)
    blocks = list(_blocks(roots)) if roots else _trafilatura_blocks(tree, url)
    paragraphs, headings = assemble(blocks)
    if not paragraphs:
        raise EmptyPageError("no article text found in the page", url=url)
    log.debug("extracted %d paragraphs (%d subheads; %d blocks before cleanup, %s) from %s",
              len(paragraphs), len(headings), len(blocks),
              "body container" if roots else "trafilatura", url or "a page")
    return ExtractedPage(paragraphs=paragraphs, title=title, published=published,
                         headings=headings)


def is_chinese(text: str) -> bool:
    """True when CJK characters outnumber a third of the letters (quotes in English stay zh)."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return cjk > 0 and cjk * 3 >= latin / 4  # a CJK char carries about as much as 4 letters


#: The bilingual page's structure as cn.nytimes.com builds it (and independent scrapers
#: read it): paragraph pairs are ``div.row.article-dual-body-item`` inside the article body
#: (``.article-body`` / ``.article-partial``), each with two ``div.col-lg-6`` cells holding a
#: ``div.article-paragraph``; titles in ``h1`` (Chinese) and ``h1.en-title``; the date in
#: ``time[datetime]`` (older pages: ``time[pudate]``).
# Any element: the article page's body is a ``section.article-body`` (see corpus.cnsite).
_DUAL_BODY = f"//*[{has_class('article-body')} or {has_class('article-partial')}]"
_DUAL_ITEM = f".//div[{has_class('article-dual-body-item')}]"
_DUAL_CELL = f"./div[{has_class('col-lg-6')}]"
_DUAL_PARAGRAPH = f".//div[{has_class('article-paragraph')}]"


def _dual_cell_text(cell: lxml.html.HtmlElement) -> str:
    return " ".join(t for t in (_block_text(p) for p in cell.xpath(_DUAL_PARAGRAPH)) if t)


def _dual_pair(item: lxml.html.HtmlElement) -> ParagraphPair | None:
    """The pair of one item, or None for an item that holds no paragraph (a photo, an ad)."""
    cells = item.xpath(_DUAL_CELL)
    if not any(c.xpath(_DUAL_PARAGRAPH) for c in cells):
        return None
    texts = [t for t in (_dual_cell_text(c) for c in cells) if t]
    zh = [t for t in texts if is_chinese(t)]
    en = [t for t in texts if not is_chinese(t)]
    if len(texts) > 2 or len(zh) > 1 or len(en) > 1:
        log.debug("dual item with cells %r: taking the first and last in page order", texts)
        zh, en = [texts[-1]], [texts[0]]  # the page's own layout: English left
    pair = ParagraphPair(zh=zh[0] if zh else "", en=en[0] if en else "")
    return pair if pair.zh or pair.en else None


def extract_dual(html: str | bytes, url: str | None = None) -> ExtractedPage:
    """Return the paragraph pairs of a cn.nytimes.com bilingual (``dual/``) page.

    A stable entry point (``corpus seeds add`` builds seeds with it): pure, HTML in.
    ``pairs`` are the items of the article body in order, each cell's language detected
    (so cells in either order are read right; a side missing is ""). ``paragraphs`` are the
    English cells in order, ``title`` the English title (``h1.en-title``), ``title_zh`` the
    Chinese one (the first Chinese ``h1``), ``published`` the date (``YYYY-MM-DD``) of
    ``time[datetime]``. Items outside ``.article-body`` / ``.article-partial`` (when the
    page has those) and items without a ``div.article-paragraph`` are ignored. Raises
    EmptyPageError when the page has no paragraph pairs.
    """
    tree = _parse(html)
    roots = _outermost(tree, tree.xpath(_DUAL_BODY)) or [tree]
    pairs = [pair for root in roots for pair in map(_dual_pair, root.xpath(_DUAL_ITEM))
             if pair is not None]
    if not pairs:
        raise EmptyPageError("no bilingual paragraphs (div.article-dual-body-item with "
                             "div.article-paragraph cells) in the article body", url=url)
    en_titles = [_clean(h.text_content()) for h in tree.xpath(f"//*[{has_class('en-title')}]")]
    h1s = [_clean(h.text_content()) for h in tree.iter("h1")]
    title = next((t for t in en_titles + h1s if t and not is_chinese(t)), "")
    title_zh = next((t for t in h1s if t and is_chinese(t)), "")
    stamp = (tree.xpath("string(//time/@datetime)") or tree.xpath("string(//time/@pudate)"))
    published = stamp.strip()[:10] or None
    paragraphs = tuple(p.en for p in pairs if p.en)
    return ExtractedPage(paragraphs=paragraphs, title=title, published=published,
                         pairs=tuple(pairs), title_zh=title_zh)


def check_length(page: ExtractedPage, zh_chars: int, *, ratio: float, min_chars: int,
                 url: str | None = None, article_id: str | None = None) -> None:
    """Raise EmptyPageError when the English text is too short to be the whole article.

    ``zh_chars`` is the length of the Chinese body (0 when unknown: ``min_chars`` applies).
    """
    chars = sum(len(p) for p in page.paragraphs)
    need = int(ratio * zh_chars) if zh_chars else min_chars
    if chars < need:
        against = (f"the Chinese text has {zh_chars} characters, so at least {need} are expected "
                   f"({chars / zh_chars:.2f} per Chinese character, under the bound {ratio:g}: "
                   "not the whole article, or supply it with --original)"
                   if zh_chars else f"at least {need} are expected")
        raise EmptyPageError(
            f"only {chars} characters of English in {len(page.paragraphs)} paragraphs; "
            f"{against}", url=url, article_id=article_id)
