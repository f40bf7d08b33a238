"""Read seed documents: exports of cn.nytimes.com articles.

A seed is a small text file::

    <!--1718960000000-->                        crawl time, epoch milliseconds
    [中文标题](https://cn.nytimes.com/world/20240621/slug/)
    ------
    <address>…</address><time pudate="…">…</time><figure>…</figure>
    <section><p>…</p>…</section><footer>…<a href="…">点击查看本文英文版</a>…</footer>

``parse_seed`` turns one into an :class:`~corpus.model.Article` or raises
:class:`~corpus.errors.SeedError` with a reason a user can act on;
``read_seeds`` reads files and folders and never lets one broken seed stop the rest.
"""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.etree
import lxml.html

from corpus.errors import SeedError
from corpus.files import read_capped
from corpus.model import Article, Caption

log = logging.getLogger(__name__)

#: cn.nytimes.com shows times in Beijing time; a ``pudate`` without an offset is read so.
BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
#: A seed is a few tens of kB; anything this large is not one (and would hog memory).
MAX_SEED_BYTES = 8 * 1024 * 1024
#: File names read from a folder; others (images, sidecar originals, READMEs) are skipped.
SEED_SUFFIXES = (".txt", ".md", ".html", ".htm")
#: Sidecar files with a user-supplied English original sit next to seeds; they are not seeds.
SIDECAR_SUFFIXES = (".en.txt", ".en.html", ".en.htm")

#: The footer link to the English original ("点击查看本文英文版。"), as the site words it.
EN_LINK_PATTERN = re.compile(r"(查看|點擊查看|点击查看)?本文英文版")
#: The link closing an author bio ("点击查看更多关于他的信息。"): navigation, not the bio.
_BIO_LINK = re.compile(r"\s*(点击|點擊)查看更多(关于|關於)[他她][们們]?的(信息|資訊)。?$")
#: The translator credit's prefix ("翻译：", "譯者:"); the name follows the match.
TRANSLATOR_PATTERN = re.compile(r"^\s*(翻译|翻譯|译者|譯者)\s*[：:]\s*")
_CONTRIBUTOR = re.compile(
    r"(对本文有|對本文有|报道贡献|報導貢獻|协助报道|協助報導|参与报道|研究工作|对此文有)"
)
#: Longer runs of digits are no epoch time (and int() of thousands of digits is slow).
_EPOCH_DIGITS_MAX = 16
_HEADER_EPOCH = re.compile(r"^<!--\s*(\d{9,16})\s*-->$")
_HEADER_TITLE = re.compile(r"^\[(?P<title>.*)\]\((?P<url>[^()\s]+)\)$")
_HEADER_RULE = re.compile(r"^-{3,}$")
_URL_ID = re.compile(r"/(?P<date>(?:19|20)\d{6})/(?P<slug>[A-Za-z0-9][A-Za-z0-9._-]*)")
_SPACE = re.compile(r"\s+")
#: A caption's text ends with one of these; a Latin-script photo credit may follow.
_CAPTION_END = frozenset("。！？”」）)")
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|，|、|;|；|\band\b|和|與|与)\s*")


@dataclass(frozen=True, slots=True)
class SeedFailure:
    """A seed file that could not be read, and why."""

    path: str
    reason: str


@dataclass(slots=True)
class SeedBatch:
    """The outcome of reading many seeds: the articles read and the files that failed."""

    articles: list[Article] = field(default_factory=list)
    failures: list[SeedFailure] = field(default_factory=list)


# --------------------------------------------------------------------------- decoding


def decode_seed(data: bytes, path: str | None = None) -> str:
    """Decode seed bytes: BOMs honoured, UTF-8 first, then GB18030 (a GBK superset).

    Line endings become ``\\n``. Bytes that are neither raise SeedError.
    """
    for bom, enc in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(enc)
            except UnicodeDecodeError as err:
                raise SeedError(
                    f"starts with a {enc} byte-order mark but is not valid {enc} "
                    f"(byte {err.start}); re-export the seed as UTF-8",
                    path=path,
                ) from err
            return _normalise_newlines(text)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise SeedError(
                f"not valid UTF-8 (bad byte at offset {err.start}) nor GBK/GB18030 text; "
                "re-export the seed as UTF-8",
                path=path,
            ) from err
        if not _looks_like_seed(text):
            raise SeedError(
                f"not valid UTF-8 (bad byte at offset {err.start}); re-export the seed as UTF-8",
                path=path,
            ) from err
        log.warning("%s: not UTF-8, read as GB18030/GBK", path or "seed")
    return _normalise_newlines(text)


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


def _looks_like_seed(text: str) -> bool:
    head = [ln.strip() for ln in text.splitlines()[:6] if ln.strip()]
    return any(_HEADER_TITLE.match(ln) for ln in head)


# --------------------------------------------------------------------------- header


def article_id_from_url(url: str) -> str:
    """Return the stable article id for a cn.nytimes.com URL.

    ``https://cn.nytimes.com/world/20240621/china-russia-north-korea/`` gives
    ``20240621-china-russia-north-korea``; the bilingual ``dual/`` and traditional
    ``zh-hant/`` variants give the same id.
    """
    parts = urlsplit(url)
    m = _URL_ID.search(parts.path)
    if m:
        return f"{m['date']}-{m['slug'].lower()}"
    segs = [s for s in parts.path.split("/") if s and s not in {"dual", "zh-hant", "zh-hans"}]
    if segs:
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", segs[-1]).strip("-").lower()
        if slug:
            return slug
    raise SeedError(
        f"cannot derive an article id from the URL {url!r}: "
        "expected a cn.nytimes.com article URL like "
        "https://cn.nytimes.com/world/20240621/some-slug/"
    )


def _parse_header(lines: list[str], path: str | None) -> tuple[datetime | None, str, str, int]:
    """Return (crawl time, title, cn URL, index of the first HTML line)."""
    idx = 0
    while idx < len(lines) and not lines[idx].strip():
        idx += 1
    if idx >= len(lines):
        raise SeedError("the file is empty", path=path)
    crawled = None
    m = _HEADER_EPOCH.match(lines[idx].strip())
    if m:
        crawled = _from_epoch(int(m[1]))
        idx += 1
    while idx < len(lines) and not lines[idx].strip():
        idx += 1
    title_line = lines[idx].strip() if idx < len(lines) else ""
    m = _HEADER_TITLE.match(title_line)
    if not m:
        raise SeedError(
            "not a seed document: expected a line '[Chinese title](cn.nytimes.com URL)' "
            f"near the top, found {title_line[:60]!r}",
            path=path,
        )
    title, cn_url = clean_text(m["title"]), m["url"]
    if crawled is None:
        log.warning("%s: line 1 is not <!--EPOCH_MS-->, crawl time unknown", path or "seed")
    if urlsplit(cn_url).scheme not in {"http", "https"}:
        raise SeedError(f"the article URL {cn_url!r} is not an http(s) URL", path=path)
    idx += 1
    if idx < len(lines) and _HEADER_RULE.match(lines[idx].strip()):
        idx += 1
    return crawled, title, cn_url, idx


def _from_epoch(value: int) -> datetime | None:
    try:
        seconds = value / 1000 if value > 10**11 else value  # ms, or s as some exports write
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


# --------------------------------------------------------------------------- HTML body


def clean_text(text: str) -> str:
    """NFC, whitespace runs (ideographic space and NBSP too) as one space, stripped."""
    text = unicodedata.normalize("NFC", text)
    return _SPACE.sub(" ", text.replace("\u3000", " ")).strip()


def _text(el: lxml.html.HtmlElement, *, skip: tuple[str, ...] = ()) -> str:
    """Text content of ``el`` without the subtrees whose tag is in ``skip``."""
    parts: list[str] = []

    def walk(node: lxml.html.HtmlElement) -> None:
        if not isinstance(node.tag, str):  # comments, processing instructions
            if node.tail:
                parts.append(node.tail)
            return
        if node.tag in skip:
            if node.tail:
                parts.append(node.tail)
            return
        if node.tag == "br":
            parts.append(" ")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if node.tail and node is not el:
            parts.append(node.tail)

    walk(el)
    return clean_text("".join(parts))


def _parse_time(el: lxml.html.HtmlElement | None, cn_url: str) -> datetime | None:
    candidates = []
    if el is not None:
        candidates += [el.get("pudate"), el.get("datetime"), _text(el)]
    for raw in filter(None, candidates):
        dt = _parse_datetime(raw.strip())
        if dt is not None:
            return dt
    m = _URL_ID.search(urlsplit(cn_url).path)
    if m:  # the date in the URL is the publication day in Beijing
        try:
            return datetime.strptime(m["date"], "%Y%m%d").replace(tzinfo=BEIJING)
        except ValueError:  # /20241399/: no such day
            log.warning("the date in the article URL %s is no calendar day", cn_url)
    return None


def _parse_datetime(raw: str) -> datetime | None:
    """A ``pudate``/``datetime`` value or a shown date; None for anything not a real time."""
    if raw.isdecimal() and len(raw) <= _EPOCH_DIGITS_MAX:  # "²".isdigit() but is no number
        return _from_epoch(int(raw))
    m = re.match(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日", raw)
    try:
        if m:
            return datetime(int(m[1]), int(m[2]), int(m[3]), tzinfo=BEIJING)
        dt = datetime.fromisoformat(raw.replace("/", "-").replace("Z", "+00:00"))
    except ValueError:  # 2024年13月01日, 2024-02-30, an epoch of 5000 digits …
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=BEIJING)


def _captions(root: lxml.html.HtmlElement, body: lxml.html.HtmlElement | None) -> list[Caption]:
    out: list[Caption] = []
    for fig in root.iter("figure"):
        cap = fig.find(".//figcaption")
        if cap is None:
            continue
        credit = " ".join(_text(c) for c in cap.iter("cite"))
        out.append(
            Caption(
                text=_text(cap, skip=("cite",)),
                credit=clean_text(credit),
                lead=body is None or not _is_inside(fig, body),
            )
        )
    if body is not None:
        for p in body.iter("p"):
            if p.find(".//img") is None:
                continue
            smalls = list(p.iter("small"))
            text = " ".join(_text(s, skip=("cite",)) for s in smalls) if smalls else ""
            credit = " ".join(_text(c) for c in p.iter("cite"))
            if not credit:  # "…手写的。 Jane Doe for The New York Times": credit after the text
                text, credit = _split_trailing_credit(text)
            if text or credit:
                out.append(Caption(text=clean_text(text), credit=clean_text(credit)))
    return out


def _split_trailing_credit(text: str) -> tuple[str, str]:
    """Split ``text`` after its last caption end that only a Latin-script credit follows.

    One backward pass: a pattern with a greedy text and a credit scanned to the end tried
    every caption end in turn, quadratic in the caption's length.
    """
    first_after = ""  # the first non-space character after position k
    for k in range(len(text) - 1, -1, -1):
        ch = text[k]
        if "\u3400" <= ch <= "\u9fff":
            break  # the credit holds no Chinese: nothing before here can start it
        if ch in _CAPTION_END and first_after.isascii() and first_after.isalpha():
            return text[: k + 1], text[k + 1 :].strip()
        if not ch.isspace():
            first_after = ch
    return text, ""


def _is_inside(el: lxml.html.HtmlElement, ancestor: lxml.html.HtmlElement) -> bool:
    return any(a is ancestor for a in el.iterancestors())


def _body_paragraphs(body: lxml.html.HtmlElement) -> list[str]:
    paras = []
    for p in body.iter("p"):
        if p.find(".//img") is not None or _is_inside_tag(p, ("figure", "footer", "p")):
            continue  # photo caption paragraphs, nested figures, footers
        text = _text(p, skip=("small", "figure", "script", "style"))
        if text:
            paras.append(text)
    return paras


def _is_inside_tag(el: lxml.html.HtmlElement, tags: tuple[str, ...]) -> bool:
    return any(a.tag in tags for a in el.iterancestors())


def _english_link(
    footer: lxml.html.HtmlElement | None, root: lxml.html.HtmlElement
) -> tuple[str | None, str | None]:
    """Return (English URL, problem); exactly one of them is None."""
    scope = footer if footer is not None else root
    hrefs: list[str] = []
    for a in scope.iter("a"):
        if EN_LINK_PATTERN.search(_text(a)):
            href = (a.get("href") or "").strip()
            if href and href not in hrefs:
                hrefs.append(href)
    if not hrefs:
        where = "the <footer>" if footer is not None else "the seed (it has no <footer>)"
        return None, (
            f"no 点击查看本文英文版 link in {where}: probably a Chinese-original "
            "story; supply the original with --original ID=PATH if there is one"
        )
    urls = []
    for href in hrefs:
        if href.startswith("//"):
            href = "https:" + href
        parts = urlsplit(href)
        if not parts.scheme:
            return None, (
                f"the English link {href!r} is relative, so the site it points to is "
                "unknown; put the full nytimes.com URL in the seed"
            )
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            return None, f"the English link {href!r} is not an http(s) URL"
        urls.append(urljoin(href, parts.path) + (f"?{parts.query}" if parts.query else ""))
    distinct = list(dict.fromkeys(urls))
    if len(distinct) > 1:
        return None, (
            f"{len(distinct)} different English links ({', '.join(distinct)}); "
            "keep the right one in the seed or pass --original ID=PATH"
        )
    return distinct[0], None


def _footer_lines(footer: lxml.html.HtmlElement | None) -> tuple[list[str], str | None, list[str]]:
    """Split the footer into contributor lines, the translator credit, and author bios."""
    if footer is None:
        return [], None, []
    blocks = [
        b
        for b in footer.iter("p", "div", "li")
        if not any(c.tag in {"p", "div", "li"} for c in b.iterdescendants())
    ]
    lines = (
        [_text(b) for b in blocks]
        if blocks
        else [clean_text(s) for s in footer.text_content().split("\n")]
    )
    contributors, bios, translator = [], [], None
    for line in filter(None, lines):
        if EN_LINK_PATTERN.search(line) and len(line) < 20:
            continue
        m = TRANSLATOR_PATTERN.match(line)
        if m:
            translator = line[m.end() :].strip() or line
        elif _CONTRIBUTOR.search(line):
            contributors.append(line)
        else:
            bios.append(_BIO_LINK.sub("", line))
    return contributors, translator, bios


def parse_seed(data: bytes | str, path: str | None = None) -> Article:
    """Parse one seed document into an Article; raise SeedError saying what is wrong."""
    if isinstance(data, bytes):
        if len(data) > MAX_SEED_BYTES:
            raise SeedError(
                f"{len(data) / 1e6:.1f} MB is far too large for a seed document "
                f"(limit {MAX_SEED_BYTES // 2**20} MiB); is it the right file?",
                path=path,
            )
        text = decode_seed(data, path)
    else:
        text = _normalise_newlines(data)
    if "\x00" in text:
        raise SeedError("contains NUL characters: a binary file, not a seed document", path=path)
    lines = text.split("\n")
    crawled, title, cn_url, start = _parse_header(lines, path)
    try:
        art_id = article_id_from_url(cn_url)
    except SeedError as err:
        raise SeedError(err.message, path=path) from err
    html = "\n".join(lines[start:]).strip()
    lowered = html.lower()
    for tag in ("section", "footer"):
        if f"<{tag}" in lowered and f"</{tag}>" not in lowered:
            raise SeedError(
                f"the file ends inside <{tag}> (no </{tag}>): a truncated export; "
                "re-export the seed",
                path=path,
                article_id=art_id,
            )
    if not html:
        raise SeedError(
            "the seed has a header but no article HTML (empty body)", path=path, article_id=art_id
        )
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (lxml.etree.ParserError, ValueError) as err:
        raise SeedError(
            f"the article HTML cannot be parsed: {err}", path=path, article_id=art_id
        ) from err
    for bad in root.xpath(".//script|.//style"):
        bad.drop_tree()

    sections = root.findall(".//section")
    body = sections[0] if sections else None
    if len(sections) > 1:  # some exports wrap each block in its own section
        body = root
    footer = next(iter(root.iter("footer")), None)
    if body is None:
        body = root
        log.info("%s: no <section>, reading body paragraphs outside the footer", path or art_id)
    paragraphs = _body_paragraphs(body)
    if not paragraphs:
        why = (
            "the article body is empty: no text paragraphs in <section>"
            if sections
            else "no <section> with body paragraphs: a truncated export, or not a seed document"
        )
        raise SeedError(why, path=path, article_id=art_id)
    address = next(iter(root.iter("address")), None)
    authors = (
        tuple(a for a in _AUTHOR_SPLIT.split(_text(address)) if a) if address is not None else ()
    )
    en_url, problem = _english_link(footer, root)
    contributors, translator, bios = _footer_lines(footer)
    return Article(
        id=art_id,
        cn_url=cn_url,
        en_url=en_url,
        en_url_problem=problem,
        title=title,
        authors=authors,
        published=_parse_time(next(iter(root.iter("time")), None), cn_url),
        crawled=crawled,
        paragraphs=tuple(paragraphs),
        captions=tuple(_captions(root, body if sections else None)),
        contributors=tuple(contributors),
        translator=translator,
        bios=tuple(bios),
        seed_path=path,
    )


def read_seed_file(path: str | Path) -> Article:
    """Read and parse one seed file."""
    p = Path(path)
    data = read_capped(p, MAX_SEED_BYTES, "a seed document", error=SeedError)
    return parse_seed(data, str(p))


def iter_seed_files(
    paths: Iterable[str | Path], *, exclude: Iterable[str | Path] = ()
) -> Iterator[Path]:
    """Yield seed files: files as given, folders searched recursively in sorted order.

    Folders in ``exclude`` (a build's output folder inside the seed folder) are not searched.
    """
    skip = [Path(e).resolve() for e in exclude]
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                name = f.name.lower()
                if (
                    not _is_under(f, skip)
                    and f.is_file()
                    and name.endswith(SEED_SUFFIXES)
                    and not name.endswith(SIDECAR_SUFFIXES)
                    and not name.startswith((".", "readme"))
                ):
                    yield f
        else:
            yield p  # a missing file is reported by read_seed_file


def _is_under(path: Path, folders: list[Path]) -> bool:
    if not folders:
        return False
    real = path.resolve()
    return any(real == d or d in real.parents for d in folders)


def read_seeds(paths: Iterable[str | Path], *, exclude: Iterable[str | Path] = ()) -> SeedBatch:
    """Read every seed under ``paths``; broken seeds become failures, never exceptions.

    Folders in ``exclude`` are skipped (see :func:`iter_seed_files`).
    """
    batch = SeedBatch()
    seen: dict[str, str] = {}
    for f in iter_seed_files(paths, exclude=exclude):
        try:
            art = read_seed_file(f)
        except SeedError as err:
            log.debug("seed failed: %s", err)
            batch.failures.append(SeedFailure(str(f), err.message))
            continue
        except Exception as err:  # a bug on one seed must not stop the folder
            log.exception("%s: unexpected error", f)
            batch.failures.append(
                SeedFailure(str(f), f"unexpected error (a bug; please report it): {err!r}")
            )
            continue
        if art.id in seen:
            batch.failures.append(
                SeedFailure(
                    str(f), f"duplicate article id {art.id}: already read from {seen[art.id]}"
                )
            )
            continue
        seen[art.id] = str(f)
        batch.articles.append(art)
    return batch
