"""Write seed documents in exactly the export format :mod:`corpus.seeds` reads.

A :class:`SeedDoc` is what a seed holds, in page order; :func:`render_seed` turns it into
the text of a seed file (the layout of the seed the project was given)::

    <!--1718933821000-->
    [中文标题](https://cn.nytimes.com/china/20240621/some-slug/)
    ------

    <address>…</address><time pudate="2024-06-21 09:07:39" datetime="…">2024年6月21日</time>
    <figure><img src="…"><figcaption>… <cite>…</cite></figcaption></figure>
    <section><p>…</p><p><img src="…"><small style="color: #999;">…</small></p>…</section>
    <footer><p>…</p><p>翻译：…</p><p><a …href="EN URL">点击查看本文英文版。</a></p></footer>

:func:`seed_doc_from_article` goes the other way from a parsed seed, so
``parse_seed(render_seed(seed_doc_from_article(parse_seed(x))))`` gives the same fields.
:func:`save_seed` writes a file atomically and never replaces one unless asked.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from corpus.errors import SeedError
from corpus.export.common import atomic_write
from corpus.model import Article
from corpus.seeds import BEIJING, TRANSLATOR_PATTERN

#: The footer line that carries the English link, worded as the site words it.
EN_LINK_TEXT = "点击查看本文英文版。"
TRANSLATOR_PREFIX = "翻译："
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Photo:
    """A photo: its caption and credit, and the image address (may be empty)."""

    caption: str
    credit: str = ""
    src: str = ""


@dataclass(frozen=True, slots=True)
class SeedDoc:
    """Everything a seed file holds, in page order.

    ``body`` mixes paragraphs (str) and in-body photos in the order the page shows them.
    ``time_attr`` is written verbatim into ``pudate`` and ``datetime`` (the site's own
    format, ``YYYY-MM-DD HH:MM:SS`` Beijing time). ``footer`` holds the credit lines
    (reporting credits, author bios, the translator line) without the English link.
    """

    cn_url: str
    title: str
    crawled_ms: int | None = None  # epoch milliseconds
    byline: str = ""
    time_attr: str = ""
    time_text: str = ""
    lead: tuple[Photo, ...] = ()
    body: tuple[str | Photo, ...] = ()
    footer: tuple[str, ...] = ()
    en_url: str | None = None


def _one_line(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _esc(text: str) -> str:
    return html.escape(_one_line(text), quote=False)


def _attr(text: str) -> str:
    return html.escape(_one_line(text), quote=True)


def _header_url(url: str) -> str:
    """The URL as the header line can hold it: no spaces or parentheses (percent-encoded)."""
    parts = urlsplit(url.strip())
    path = quote(parts.path, safe="/%:@!$&'*+,;=-._~")
    query = quote(parts.query, safe="=&%/:@!$'*+,;-._~?")
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def _figure(photo: Photo) -> str:
    img = f'<img src="{_attr(photo.src)}">' if photo.src else "<img>"
    cite = f" <cite>{_esc(photo.credit)}</cite>" if photo.credit.strip() else ""
    return f"<figure>{img}<figcaption>{_esc(photo.caption)}{cite}</figcaption></figure>"


def _body_photo(photo: Photo) -> str:
    # The export's in-body photo: an image and its caption in <small> inside a paragraph.
    img = f'<img src="{_attr(photo.src)}">' if photo.src else "<img>"
    cite = f" <cite>{_esc(photo.credit)}</cite>" if photo.credit.strip() else ""
    return f'<p>{img}<small style="color: #999;">{_esc(photo.caption)}{cite}</small></p>'


def render_seed(doc: SeedDoc) -> str:
    """The text of a seed file for ``doc`` (UTF-8, ``\\n`` line ends, one HTML line)."""
    title = _one_line(doc.title)
    if not title:
        raise SeedError("the article has no title; a seed needs one", url=doc.cn_url)
    if not any(isinstance(b, str) and b.strip() for b in doc.body):
        raise SeedError("the article has no body paragraphs; nothing to write", url=doc.cn_url)
    out: list[str] = []
    if doc.crawled_ms is not None:
        out.append(f"<!--{int(doc.crawled_ms)}-->")
    out += [f"[{title}]({_header_url(doc.cn_url)})", "------", ""]
    parts: list[str] = []
    if doc.byline.strip():
        parts.append(f"<address>{_esc(doc.byline)}</address>")
    if doc.time_attr.strip() or doc.time_text.strip():
        stamp = _attr(doc.time_attr)
        attrs = f' pudate="{stamp}" datetime="{stamp}"' if stamp else ""
        parts.append(f"<time{attrs}>{_esc(doc.time_text)}</time>")
    parts += [_figure(p) for p in doc.lead]
    body = [f"<p>{_esc(b)}</p>" if isinstance(b, str) else _body_photo(b)
            for b in doc.body if not isinstance(b, str) or b.strip()]
    parts.append("<section>" + "".join(body) + "</section>")
    footer = [f"<p>{_esc(line)}</p>" for line in doc.footer if line.strip()]
    if doc.en_url:
        footer.append(f'<p><a rel="nofollow" target="_blank" href="{_attr(doc.en_url)}">'
                      f"{EN_LINK_TEXT}</a></p>")
    if footer:
        parts.append("<footer>" + "".join(footer) + "</footer>")
    out.append("".join(parts))
    return "\n".join(out)


def _time_fields(published: datetime | None) -> tuple[str, str]:
    if published is None:
        return "", ""
    local = published.astimezone(BEIJING)
    return local.strftime("%Y-%m-%d %H:%M:%S"), f"{local.year}年{local.month}月{local.day}日"


def _translator_line(translator: str) -> str:
    return translator if TRANSLATOR_PATTERN.match(translator) else TRANSLATOR_PREFIX + translator


def seed_doc_from_article(article: Article) -> SeedDoc:
    """The seed document that reads back as ``article`` (in-body photos follow the text:
    an Article does not record where they stood)."""
    time_attr, time_text = _time_fields(article.published)
    crawled = (round(article.crawled.timestamp() * 1000) if article.crawled is not None
               else None)
    photos = [Photo(c.text, c.credit) for c in article.captions if not c.lead]
    footer = [*article.contributors, *article.bios]
    if article.translator is not None:
        footer.append(_translator_line(article.translator))
    return SeedDoc(
        cn_url=article.cn_url, title=article.title, crawled_ms=crawled,
        byline=", ".join(article.authors), time_attr=time_attr, time_text=time_text,
        lead=tuple(Photo(c.text, c.credit) for c in article.captions if c.lead),
        body=(*article.paragraphs, *photos), footer=tuple(footer), en_url=article.en_url,
    )


def seed_file_name(article_id: str) -> str:
    """The file name a written seed gets: the article id, so a folder lists in date order."""
    return f"{article_id}.txt"


def save_seed(text: str, path: str | Path, *, force: bool = False) -> None:
    """Write a seed file atomically; an existing file is replaced only when ``force``."""
    target = Path(path)
    if target.exists() and not force:
        raise SeedError(f"{target} exists; pass --force to replace it", path=str(target))
    with atomic_write(target) as fh:
        fh.write(text)
        fh.write("\n")

