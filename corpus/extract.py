"""Turn a news page into body paragraphs: trafilatura plus our own boilerplate cleanup.

trafilatura finds the main text well but keeps some of what a news page wraps around
it (a byline, "Advertisement", a print-edition line, an author bio). So we prune the
tree first by structure (nav, figures, elements whose class/id/test-id names an ad, a
newsletter, related links …), let trafilatura extract, then drop the paragraphs that are
boilerplate by their wording, and pull quotes, which repeat a sentence of the body.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

import lxml.etree
import lxml.html
import trafilatura

from corpus.errors import EmptyPageError, ExtractError
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
    # A byline: "By" and capitalised names only (case matters here).
    re.compile(r"^(?:By|BY) [A-Z][\w.’'-]+(?: [A-Z][\w.’'-]+)*"
               r"(?:,? (?:and )?[A-Z][\w.’'-]+(?: [A-Z][\w.’'-]+)*)*$"),
)
#: A short closing line crediting reporting or research, or an author bio at the end.
_CREDIT_LINE = re.compile(r"\bcontributed (reporting|research)\b|\b(reporting|research) "
                          r"(was )?contributed by\b", re.I)
_BIO = re.compile(
    r"^[A-Z][\w.’'-]+(?: [A-Z][\w.’'-]+){1,3} (is|was|reports|covers|writes|has been|joined)\b"
    r".{0,300}\b(The Times|correspondent|reporter|editor|columnist|bureau|covering|covers|"
    r"reports on|writer|desk)\b", re.S)
#: Phrases of paywall, consent and bot-check pages (compared case-insensitively).
PAYWALL_MARKERS = (
    "verify access", "subscribe to continue", "to continue reading", "create your free account",
    "you have reached your limit", "you've reached your limit", "already a subscriber",
    "log in or create an account", "are you a robot", "please enable js",
    "enable javascript and cookies", "unusual activity", "access to this page has been denied",
    "we care about your privacy", "consent to the use of cookies", "captcha",
)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_LATIN = re.compile(r"[A-Za-z]")
_SPACE = re.compile(r"\s+")


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _parse(html: str | bytes) -> lxml.html.HtmlElement:
    try:
        tree = lxml.html.document_fromstring(html)
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
        if names.strip() and _DROP_NAMES.search(names):
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()


def is_boilerplate(text: str) -> bool:
    """True for a paragraph that is page furniture by its wording alone."""
    if text.casefold() in _DROP_EXACT or len(text) < 3:
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
        if len(p) < 300 and any(core in q and q != p for j, q in enumerate(kept) if j != i):
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


def extract_article(html: str, url: str | None = None) -> ExtractedPage:
    """Return the body paragraphs of a news article page, in order, with title and date.

    Raises EmptyPageError when no article text is found.
    """
    title, published = _metadata(html, url)
    tree = _parse(html)
    _prune(tree)
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
    raw = [] if body is None else [
        "".join(el.itertext()) for el in body.iter("p")
        if el.getparent() is body or el.getparent().tag == "div"
    ]
    paragraphs = clean_paragraphs(raw)
    if not paragraphs:
        raise EmptyPageError("no article text found in the page", url=url)
    log.debug("extracted %d paragraphs (%d before cleanup) from %s", len(paragraphs), len(raw),
              url or "a page")
    return ExtractedPage(paragraphs=tuple(paragraphs), title=title, published=published)


def is_chinese(text: str) -> bool:
    """True when CJK characters outnumber a third of the letters (quotes in English stay zh)."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    return cjk > 0 and cjk * 3 >= latin / 4  # a CJK char carries about as much as 4 letters


def extract_dual(html: str, url: str | None = None) -> ExtractedPage:
    """Return the paragraph pairs of a cn.nytimes.com bilingual (``dual/``) page.

    Each ``div.article-dual-body-item`` holds two cells; each cell's language is detected,
    so a pair whose cells come in the other order is still read right. ``paragraphs`` are
    the English cells in order.
    """
    tree = _parse(html)
    items = tree.xpath("//div[contains(concat(' ', normalize-space(@class), ' '), "
                       "' article-dual-body-item ')]")
    pairs = []
    for item in items:
        cells = [_clean(c.text_content()) for c in item if isinstance(c.tag, str)]
        cells = [c for c in cells if c]
        zh = [c for c in cells if is_chinese(c)]
        en = [c for c in cells if not is_chinese(c)]
        if len(cells) > 2 or len(zh) > 1 or len(en) > 1:
            log.debug("dual item with cells %r: taking the first two in page order", cells)
            zh, en = [cells[-1]], [cells[0]]  # the page's own layout: English left
        pair = ParagraphPair(zh=zh[0] if zh else "", en=en[0] if en else "")
        if pair.zh or pair.en:
            pairs.append(pair)
    if not pairs:
        raise EmptyPageError("no bilingual paragraphs (div.article-dual-body-item) in the page",
                             url=url)
    titles = [_clean(h.text_content()) for h in tree.iter("h1")]
    title = next((t for t in titles if t and not is_chinese(t)), "")
    published = None
    stamp = tree.xpath("string(//time/@pudate)") or tree.xpath("string(//time/@datetime)")
    if stamp:
        published = stamp.strip()[:10]
    paragraphs = tuple(p.en for p in pairs if p.en)
    return ExtractedPage(paragraphs=paragraphs, title=title, published=published,
                         pairs=tuple(pairs))


def check_length(page: ExtractedPage, zh_chars: int, *, ratio: float, min_chars: int,
                 url: str | None = None, article_id: str | None = None) -> None:
    """Raise EmptyPageError when the English text is too short to be the whole article.

    ``zh_chars`` is the length of the Chinese body (0 when unknown: ``min_chars`` applies).
    """
    chars = sum(len(p) for p in page.paragraphs)
    need = int(ratio * zh_chars) if zh_chars else min_chars
    if chars < need:
        against = (f"the Chinese text has {zh_chars} characters, so at least {need} are expected"
                   if zh_chars else f"at least {need} are expected")
        raise EmptyPageError(
            f"only {chars} characters of English in {len(page.paragraphs)} paragraphs; "
            f"{against}", url=url, article_id=article_id)
