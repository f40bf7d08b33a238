"""What we know of cn.nytimes.com: its article addresses, its article page, its lists.

* :func:`canonical_article_url` turns any address of an article (``dual/``, ``zh-hant/``,
  ``?utm_source=RSS``, the mobile host) into the one the seeds use, or says why it is not
  an article address.
* :func:`parse_article_page` reads an article page into a :class:`~corpus.seedwriter.SeedDoc`.
* :func:`list_links` finds the article addresses on a section page or an RSS/Atom feed.

The page structure our rules rely on, as independent scrapers of the site describe it
(RSSHub's ``nytimes`` route, calibre's recipe, small scrapers on GitHub): the title in
``.article-header h1`` (the English one is ``h1.en-title``), the byline in
``.byline-box address`` and ``time[datetime]``, the cover photo in
``figure.article-span-photo``, the body in ``section.article-body`` as
``div.article-paragraph`` blocks (with ``div.big_ad`` and ``div.article-body-aside``
between them), the credits in ``footer.author-info`` ending with the link
"点击查看本文英文版", and the buttons in ``.dual-btn`` (the bilingual page, the original).
Section pages list articles as links to ``/<section>/<YYYYMMDD>/<slug>/``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from corpus.errors import SeedError
from corpus.seeds import EN_LINK_PATTERN, clean_text
from corpus.seedwriter import Photo, SeedDoc

log = logging.getLogger(__name__)

#: The site's canonical base; seeds always name articles under it.
CN_SITE = "https://cn.nytimes.com"
CN_HOSTS = frozenset({"cn.nytimes.com", "m.cn.nytimes.com"})
#: Path segments that name a variant of the same article, not another article.
_VARIANTS = frozenset({"dual", "zh-hant", "zh-hans", "amp"})
_ARTICLE_PATH = re.compile(
    r"^/(?:[a-z][a-z0-9-]*/){1,3}(?:19|20)\d{6}/[A-Za-z0-9][A-Za-z0-9._-]{0,199}/$")
#: The site's closing note ("感谢…cn.letters@nytimes.com。"), not part of the article;
#: RSSHub's route strips it the same way.
_SITE_NOTE = re.compile(r"cn\.letters@nytimes\.com")
_SKIP_CLASSES = ("big_ad", "article-body-aside")
_SKIP_TAGS = frozenset({"script", "style", "noscript", "aside", "nav", "button", "iframe"})
_SITE_SUFFIX = re.compile(r"\s*[-|–]\s*纽约时报中文网.*$|\s*[-|–]\s*紐約時報中文網.*$")


def _classes(el: lxml.html.HtmlElement) -> set[str]:
    return set((el.get("class") or "").split())


def has_class(name: str) -> str:
    """An XPath test for a whole class token (``article-body`` is not ``article-body-aside``)."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


# --------------------------------------------------------------------------- addresses


def canonical_article_url(url: str, site_base: str = CN_SITE) -> str:
    """The canonical address of a cn.nytimes.com article, or SeedError saying why not.

    Addresses under ``site_base`` (a mirror, or the tests' local server) count as the site.
    """
    raw = url.strip()
    parts = urlsplit(raw if "//" in raw else "https://" + raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SeedError(f"not a web address: {url!r}", url=url)
    base = urlsplit(site_base)
    on_site = parts.hostname.lower() in CN_HOSTS or (
        parts.netloc.lower() == base.netloc.lower() and bool(base.netloc))
    if not on_site:
        raise SeedError(f"not a cn.nytimes.com address (host {parts.hostname})", url=url)
    segs = [s for s in parts.path.split("/") if s]
    while segs and segs[-1].lower() in _VARIANTS:
        segs.pop()
    path = "/" + "/".join(segs) + "/"
    if not _ARTICLE_PATH.match(path):
        raise SeedError(
            "not an article address: articles look like "
            "https://cn.nytimes.com/china/20240621/some-slug/; for a section or feed page, "
            "list its articles with 'corpus seeds list-links PAGE'", url=url)
    return CN_SITE + path


def site_url(url: str, site_base: str = CN_SITE) -> str:
    """Where to fetch a cn.nytimes.com address from: the same path (and query) under
    ``site_base``. Other addresses are returned as they are."""
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in CN_HOSTS:
        return url
    query = f"?{parts.query}" if parts.query else ""
    return site_base.rstrip("/") + (parts.path or "/") + query


def is_article_url(url: str, site_base: str = CN_SITE) -> bool:
    try:
        canonical_article_url(url, site_base)
    except SeedError:
        return False
    return True


# --------------------------------------------------------------------------- the article page


def _parse_html(text: str, url: str) -> lxml.html.HtmlElement:
    try:
        return lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as err:
        raise SeedError(f"not an HTML page: {err}", url=url) from err


def _text(el: lxml.html.HtmlElement, skip: frozenset[str] = frozenset()) -> str:
    """Text of ``el`` without comments and without subtrees whose tag or class is in skip."""
    parts: list[str] = []
    stack: list[tuple[lxml.html.HtmlElement, bool]] = [(el, False)]
    while stack:  # iterative: a hostile page may nest deeper than Python recurses
        node, tail_only = stack.pop()
        if tail_only:
            if node is not el and node.tail:
                parts.append(node.tail)
            continue
        stack.append((node, True))
        if not isinstance(node.tag, str) or node.tag in skip or (_classes(node) & skip):
            continue
        if node.tag == "br":
            parts.append(" ")
        if node.text:
            parts.append(node.text)
        stack.extend((child, False) for child in reversed(node))
    return clean_text("".join(parts))


def _first(root: lxml.html.HtmlElement, *xpaths: str) -> lxml.html.HtmlElement | None:
    """The first element the first matching XPath finds (elements with no children are
    falsy in lxml, so ``a or b`` must not be used on them)."""
    for xpath in xpaths:
        found = root.xpath(xpath)
        if found:
            return found[0]
    return None


def _meta(root: lxml.html.HtmlElement, prop: str) -> str:
    el = _first(root, f"//meta[@property='{prop}' or @name='{prop}']")
    return clean_text(el.get("content") or "") if el is not None else ""


def _photo(el: lxml.html.HtmlElement) -> Photo:
    img = _first(el, ".//img")
    src = ""
    if img is not None:
        src = (img.get("src") or img.get("data-src") or "").strip()
    credit_el = _first(el, f".//cite | .//*[{has_class('credit')}]")
    credit = _text(credit_el) if credit_el is not None else ""
    cap_el = _first(el, ".//figcaption", ".//small")
    skip = frozenset({"cite", "credit"})
    caption = _text(cap_el, skip) if cap_el is not None else _text(el, skip)
    return Photo(caption=caption, credit=credit, src=src)


def _iter_blocks(body: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    """The body's block elements (paragraphs, photos) in page order, skipping ads."""
    stack: list[lxml.html.HtmlElement] = [body]
    while stack:
        node = stack.pop()
        if node is not body:
            if not isinstance(node.tag, str) or node.tag in _SKIP_TAGS:
                continue
            cls = _classes(node)
            if cls & set(_SKIP_CLASSES):
                continue
            # subheads too: the Chinese edition translates them, so they can be aligned
            if node.tag in ("figure", "p", "h2", "h3", "h4") or "article-paragraph" in cls:
                yield node
                continue
        stack.extend(reversed([c for c in node if isinstance(c.tag, str)]))


def _blocks(body: lxml.html.HtmlElement) -> list[str | Photo]:
    out: list[str | Photo] = []
    for el in _iter_blocks(body):
        if el.tag == "figure" or el.find(".//img") is not None:
            photo = _photo(el)
            if photo.caption or photo.credit or photo.src:
                out.append(photo)
            continue
        text = _text(el, _SKIP_TAGS)
        if text and not _SITE_NOTE.search(text):
            out.append(text)
    return out


def _title(root: lxml.html.HtmlElement) -> str:
    not_en = f"not({has_class('en-title')})"
    for xpath in (f"//*[{has_class('article-header')}]//h1[{not_en}]", f"//h1[{not_en}]"):
        el = _first(root, xpath)
        if el is not None and _text(el):
            return _text(el)
    title = _meta(root, "og:title")
    if not title:
        el = _first(root, "//title")
        title = _text(el) if el is not None else ""
    return _SITE_SUFFIX.sub("", title).strip()


def _english_url(root: lxml.html.HtmlElement, footer: lxml.html.HtmlElement | None,
                 url: str) -> str | None:
    """The English original's address: the footer's 点击查看本文英文版 link, else the
    ``.dual-btn`` link that leaves the site. SeedError when the links disagree."""
    hrefs: list[str] = []
    for a in (footer if footer is not None else root).iter("a"):
        if EN_LINK_PATTERN.search(_text(a)) and a.get("href"):
            hrefs.append(a.get("href", "").strip())
    if not hrefs:
        for a in root.xpath(f"//*[{has_class('dual-btn')}]//a[@href]"):
            href = urljoin(CN_SITE + "/", a.get("href", "").strip())
            if (urlsplit(href).hostname or "").lower() not in CN_HOSTS:
                hrefs.append(href)
    urls: list[str] = []
    for href in hrefs:
        href = "https:" + href if href.startswith("//") else href
        parts = urlsplit(href)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SeedError(f"the English link {href!r} is not a full http(s) address", url=url)
        if href not in urls:
            urls.append(href)
    if len(urls) > 1:
        raise SeedError(f"{len(urls)} different English links ({', '.join(urls)}); "
                        "which is the original is unclear", url=url)
    return urls[0] if urls else None


def _footer(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    return _first(root, f"//footer[{has_class('author-info')}]",
                  f"//*[{has_class('author-info')}]", "//article//footer", "//footer")


def _footer_lines(footer: lxml.html.HtmlElement | None) -> list[str]:
    if footer is None:
        return []
    leaves = [b for b in footer.iter("p", "div", "li")
              if not any(isinstance(c.tag, str) and c.tag in ("p", "div", "li")
                         for c in b.iterdescendants())]
    lines = [_text(b) for b in leaves] if leaves else [_text(footer)]
    return [ln for ln in lines
            if ln and not (EN_LINK_PATTERN.search(ln) and len(ln) < 20)
            and not _SITE_NOTE.search(ln)]


def parse_article_page(text: str, cn_url: str, *, crawled: datetime | None = None) -> SeedDoc:
    """Read a cn.nytimes.com article page into a seed document.

    Raises SeedError saying why when the page is not an article (a section front, a
    search or error page), has no body text, or has no English original to link to.
    """
    root = _parse_html(text, cn_url)
    for el in root.xpath("//script | //style | //noscript | //template"):
        el.drop_tree()
    og_type = _meta(root, "og:type").lower()
    body = _first(root, f"//section[{has_class('article-body')}]",
                  f"//*[{has_class('article-body')}]")
    if body is None:  # the body container decides; og:type only helps explain
        what = f", and its og:type is {og_type!r}" if og_type and og_type != "article" else ""
        raise SeedError(f"not an article page: it has no article body (section.article-body)"
                        f"{what}; a section front, search or error page? List a section's "
                        "articles with 'corpus seeds list-links PAGE'", url=cn_url)
    blocks = _blocks(body)
    if not any(isinstance(b, str) for b in blocks):
        raise SeedError("the article page has no body paragraphs "
                        "(no div.article-paragraph text in section.article-body)", url=cn_url)
    footer = _footer(root)
    en_url = _english_url(root, footer, cn_url)
    if en_url is None:
        raise SeedError("no English original: the page has no 点击查看本文英文版 link (a story "
                        "written in Chinese, or not a translation of a Times article)",
                        url=cn_url)
    byline = _first(root, f"//*[{has_class('byline-box')}]//address", "//address")
    time = _first(root, f"//*[{has_class('byline-box')}]//time", "//time")
    lead = [_photo(f) for f in root.xpath(
        f"//figure[{has_class('article-span-photo')}] | "
        f"//*[{has_class('article-header')}]//figure")]
    return SeedDoc(
        cn_url=cn_url, title=_title(root),
        crawled_ms=round(crawled.timestamp() * 1000) if crawled is not None else None,
        byline=_text(byline) if byline is not None else "",
        time_attr=clean_text(time.get("pudate") or time.get("datetime") or "")
        if time is not None else "",
        time_text=_text(time) if time is not None else "",
        lead=tuple(lead), body=tuple(blocks), footer=tuple(_footer_lines(footer)),
        en_url=en_url,
    )


# --------------------------------------------------------------------------- section pages


def _feed_links(text: str) -> list[str] | None:
    """Links of an RSS or Atom feed, or None when ``text`` is not one."""
    head = text.lstrip()[:512].lower()
    if not (head.startswith("<?xml") or "<rss" in head or "<feed" in head):
        return None
    # No entities, no network, no huge trees: a feed is hostile input like any page.
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, recover=True,
                                  load_dtd=False)
    try:
        root = lxml.etree.fromstring(text.encode("utf-8"), parser)
    except (lxml.etree.XMLSyntaxError, ValueError):
        return None
    if root is None:
        return None
    links: list[str] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        name = lxml.etree.QName(el).localname
        if name == "link":
            links.append((el.get("href") or el.text or "").strip())
        elif name == "guid" and (el.get("isPermaLink") or "true") == "true":
            links.append((el.text or "").strip())
    return links


def list_links(text: str, page_url: str = CN_SITE + "/", site_base: str = CN_SITE) -> list[str]:
    """The canonical addresses of the articles a section page or feed links to, in page
    order, each once. Relative links are read against ``page_url``."""
    hrefs = _feed_links(text)
    if hrefs is None:
        root = _parse_html(text, page_url)
        hrefs = [a.get("href", "") for a in root.iter("a")]
    out: dict[str, None] = {}
    for href in hrefs:
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        try:
            out.setdefault(canonical_article_url(urljoin(page_url, href.strip()), site_base))
        except (SeedError, ValueError):
            continue
    return list(out)
