"""Get the English original of each article: the page, else its fallbacks, with a cache.

Sources are tried in order (:class:`~corpus.model.Source`): first a file the user
supplies (``originals`` in the config, or a sidecar ``<seed stem>.en.html`` / ``.en.txt``
next to the seed), since what the user chose wins; then the English article page; the
cn.nytimes.com bilingual page (the Chinese article URL + ``dual/``); a Wayback Machine
snapshot of the English page. The first that yields the whole English text serves the
article; each try is recorded in ``EnglishText.attempts`` with the reason it failed.

    with Fetcher(FetchConfig()) as fetcher:
        for article, result in fetcher.fetch_many(articles):
            ...  # result is an EnglishText or the CorpusError that says why not
"""

from __future__ import annotations

import difflib
import json
import logging
import re
import socket
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import requests

from corpus.cache import PageCache
from corpus.config import FetchConfig
from corpus.errors import (
    ConfigError,
    CorpusError,
    EmptyPageError,
    FetchError,
    HTTPStatusError,
    NotAnArticleError,
    OfflineMissError,
    PaywallError,
    SourcesExhaustedError,
    TruncatedPageError,
)
from corpus.extract import check_length, extract_article, extract_dual, paywall_marker
from corpus.files import read_capped
from corpus.http import HTML_TYPES, JSON_TYPES, HttpClient, Page, decode
from corpus.model import (
    Article,
    EnglishText,
    ExtractedPage,
    ParagraphPair,
    Source,
    SourceAttempt,
)
from corpus.robots import RobotsRules

log = logging.getLogger(__name__)

#: Statuses that say "this page is not for you" rather than "it is not here".
_BLOCKED_STATUSES = frozenset({401, 402, 403, 451})
_WAYBACK_SNAPSHOT = re.compile(r"^(?P<head>.*/web/\d{1,14})(?P<flag>[a-z]{2}_)?(?P<tail>/.*)$")
_SIDECARS = (".en.html", ".en.htm", ".en.txt")
_T = TypeVar("_T")
#: Errors that mean the server could not be reached at all (no DNS, no route, no answer).
_NETWORK_ERRORS = (requests.ConnectionError, requests.Timeout, socket.gaierror,
                   ConnectionError, TimeoutError)


def dual_url(article: Article, base: str) -> str | None:
    """The bilingual page of a cn.nytimes.com article: its path + ``dual/``, under ``base``."""
    if not article.cn_url:
        return None
    path = urlsplit(article.cn_url).path or "/"
    if not path.endswith("/"):
        path += "/"
    if not path.endswith("/dual/"):
        path += "dual/"
    return base.rstrip("/") + path


def archive_lookup_url(url: str, base: str) -> str:
    """The Wayback availability API query for ``url``."""
    return f"{base.rstrip('/')}/wayback/available?url={quote(url, safe='')}"


def raw_snapshot_url(url: str) -> str:
    """A Wayback snapshot URL in its raw form (``id_``): the page as archived, no toolbar."""
    m = _WAYBACK_SNAPSHOT.match(url)
    if not m:
        return url
    out = f"{m['head']}id_{m['tail']}"
    return out.replace("http://web.archive.org/", "https://web.archive.org/", 1)


def sidecar_paths(article: Article) -> list[Path]:
    """Files next to the seed that may hold the English original."""
    if not article.seed_path:
        return []
    seed = Path(article.seed_path)
    return [seed.with_name(seed.stem + suffix) for suffix in _SIDECARS]


def check_originals(originals: dict[str, str], articles: Sequence[Article]) -> None:
    """Raise ConfigError when ``originals`` (``--original ID=PATH``) names an unknown article.

    A typo would otherwise be ignored silently and the article fetched from the web.
    """
    known = sorted(a.id for a in articles)
    unknown = sorted(set(originals) - set(known))
    if not unknown:
        return
    parts = []
    for art_id in unknown:
        close = difflib.get_close_matches(art_id, known, n=3, cutoff=0.6)
        parts.append(f"{art_id!r}" + (f" (did you mean {', '.join(close)}?)" if close else ""))
    shown = ", ".join(known[:20]) + (f" … ({len(known)} in all)" if len(known) > 20 else "")
    raise ConfigError(f"--original names no article of these seeds: {'; '.join(parts)}. "
                      f"Known ids: {shown or 'none (no seed was read)'}")


def fetch_record(article: Article, got: EnglishText | CorpusError) -> dict[str, Any]:
    """A JSON-ready record of one article's fetch: the text, or why every source failed."""
    attempts = got.attempts if isinstance(got, EnglishText) else getattr(got, "attempts", ())
    rec: dict[str, Any] = {
        "id": article.id, "ok": isinstance(got, EnglishText), "source": None, "url": None,
        "final_url": None, "user_file": None, "title": "", "published": None,
        "paragraphs": [], "headings": [], "pairs": [], "reason": "",
        "attempts": [a.to_dict() for a in attempts],
    }
    if isinstance(got, EnglishText):
        rec.update(source=got.source.value, url=got.url, final_url=got.final_url,
                   title=got.title, published=got.published, paragraphs=list(got.paragraphs),
                   headings=list(got.headings),
                   pairs=[{"zh": p.zh, "en": p.en} for p in got.pairs])
        if got.source is Source.USER:
            rec["user_file"] = next((a.url for a in reversed(attempts) if a.ok), None)
    else:
        rec["reason"] = got.message if isinstance(got, CorpusError) else str(got)
    return rec


def _unreachable(err: BaseException) -> bool:
    """Whether a fetch failed because the server could not be reached (DNS, connect, timeout).

    The HTTP client chains the network error as the cause of its FetchError.
    """
    seen = 0
    cause = err.__cause__
    while cause is not None and seen < 10:
        if isinstance(cause, _NETWORK_ERRORS):
            return True
        cause, seen = cause.__cause__ or cause.__context__, seen + 1
    return False


class Fetcher:
    """Fetches English originals politely, through a cache; use as a context manager.

    Pages are fetched by ``workers`` threads, but every call into :mod:`corpus.extract`
    (trafilatura and lxml) runs in ONE extraction thread that the workers hand pages to.
    trafilatura keeps lxml objects at module level and uses them from whichever thread
    calls it: ``trafilatura.utils.HTML_PARSER`` and ``htmldate.utils.HTML_PARSER`` (shared
    ``lxml.html.HTMLParser`` instances; lxml says not to share parsers between threads),
    the compiled ``lxml.etree.XPath`` lists of ``trafilatura.xpaths`` and
    ``trafilatura.settings.BASIC_CLEAN_XPATH``, and ``lxml.html``'s own module-level
    ``html_parser`` that ``lxml.html.document_fromstring`` uses. Several fetch threads
    extracting at once died of ``double free or corruption`` and SIGSEGV (issue 17).
    ``extractor`` may be another single-purpose executor (the benchmark passes a process
    pool); the Fetcher shuts down only the one it made.
    """

    def __init__(self, config: FetchConfig | None = None, *,
                 cache: PageCache | None = None, extractor: Executor | None = None) -> None:
        self.config = config or FetchConfig()
        self.cache = cache or PageCache(self.config.cache_dir, max_bytes=self.config.max_bytes)
        self.http = HttpClient(self.config)
        self.robots = RobotsRules(self._robots_page)
        self._own_extractor = extractor is None
        self.extractor = extractor or ThreadPoolExecutor(max_workers=1,
                                                         thread_name_prefix="extract")

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()
        if self._own_extractor:
            self.extractor.shutdown(wait=True)

    def _extract(self, fn: Callable[..., _T], *args: Any) -> _T:
        """Run ``fn`` (a pure function of corpus.extract) in the extraction thread."""
        return self.extractor.submit(fn, *args).result()

    # ------------------------------------------------------------------ pages
    def get_page(self, url: str, accept: tuple[str, ...] = HTML_TYPES) -> Page:
        """A page from the cache, else from the server (then cached); honours offline/refresh.

        Before asking a host, its robots.txt is consulted (unless ``ignore_robots``), at
        every redirect hop.
        """
        cfg = self.config
        if not cfg.refresh or cfg.offline:
            page = self.cache.get(url, allow_private=cfg.allow_private)
            if page is not None:
                log.debug("cache hit %s", url)
                return page
        if cfg.offline:
            raise OfflineMissError(
                f"not in the cache ({self.cache.dir}) and --offline forbids fetching; "
                "run once without --offline to fetch it", url=url)
        page = self.http.get(url, accept=accept,
                             before_hop=None if cfg.ignore_robots else self.robots.check)
        self.cache.put(page)
        return page

    def _robots_page(self, url: str) -> Page:
        """A robots.txt file, through the cache like any page (but never robots-checked)."""
        cfg = self.config
        page = None if cfg.refresh else self.cache.get(url, allow_private=cfg.allow_private)
        if page is None:
            try:
                page = self.http.get(url, accept=())
            except HTTPStatusError as err:
                if not 400 <= err.status < 500:
                    raise
                # "No robots.txt" is an answer too: kept, so a rerun does not ask again.
                return self.remember_status(url, err.status)
            self.cache.put(page)
        return page

    def remember_status(self, url: str, status: int) -> Page:
        """Cache an error answer for ``url`` as an empty page, so a rerun does not ask again.

        Marked private when private hosts were allowed (we do not know which answered).
        """
        page = Page(url=url, final_url=url, status=status, headers={}, body=b"",
                    fetched_at=datetime.now(UTC), private=self.config.allow_private)
        self.cache.put(page)
        return page

    # ------------------------------------------------------------------ sources
    def _from_web(self, url: str, extract: Callable[[str, str], ExtractedPage],
                  article: Article) -> tuple[Page, ExtractedPage]:
        cfg = self.config
        try:
            page = self.get_page(url)
        except HTTPStatusError as err:
            if err.status in _BLOCKED_STATUSES:
                raise PaywallError(f"{err.message} (blocked, paywalled or not public)",
                                   url=url) from err
            raise
        html = page.text()
        try:
            extracted = self._extract(extract, html, page.final_url)
            check_length(extracted, sum(len(p) for p in article.paragraphs),
                         ratio=cfg.min_length_ratio, min_chars=cfg.min_chars, url=url)
        except TruncatedPageError:
            self.cache.delete(url)  # the whole article may be served next time
            raise
        except (EmptyPageError, NotAnArticleError) as err:
            marker = self._extract(paywall_marker, html)
            self.cache.delete(url)  # not the article: ask again next run
            if marker:
                raise PaywallError(f"a paywall, consent or access-check page (it says "
                                   f"{marker!r}): {err.message}", url=url) from err
            raise
        return page, extracted

    def _original(self, article: Article) -> tuple[str | None, Page, ExtractedPage]:
        if not article.en_url:
            raise FetchError(f"the seed names no English URL ({article.en_url_problem or 'none'})")
        page, extracted = self._from_web(article.en_url, extract_article, article)
        return article.en_url, page, extracted

    def _dual(self, article: Article) -> tuple[str | None, Page, ExtractedPage]:
        url = dual_url(article, self.config.dual_base)
        if not url:
            raise FetchError("the article has no cn.nytimes.com URL to derive a dual/ page from")
        page, extracted = self._from_web(url, extract_dual, article)
        return url, page, extracted

    def _archive(self, article: Article) -> tuple[str | None, Page, ExtractedPage]:
        if not article.en_url:
            raise FetchError("no English URL to look up in the web archive")
        lookup = archive_lookup_url(article.en_url, self.config.archive_base)
        answer = self.get_page(lookup, accept=JSON_TYPES)
        try:
            closest = json.loads(decode(answer.body))["archived_snapshots"]["closest"]
            ok = closest.get("available") and str(closest.get("status", "200")) == "200"
            snapshot = closest["url"] if ok else None
        except (ValueError, KeyError, TypeError, AttributeError):
            snapshot = None
        if not snapshot:
            self.cache.delete(lookup)  # a snapshot may appear later
            raise FetchError("the web archive has no snapshot of the English page", url=lookup)
        url = raw_snapshot_url(snapshot)
        page, extracted = self._from_web(url, extract_article, article)
        return url, page, extracted

    def _user_file(self, article: Article) -> Path | None:
        """The file the user supplies for ``article`` (--original, else a sidecar), if any."""
        given = self.config.originals.get(article.id)
        if given:
            return Path(given)
        return next((p for p in sidecar_paths(article) if p.is_file()), None)

    def _user(self, article: Article) -> tuple[str | None, Page | None, ExtractedPage]:
        path = self._user_file(article)
        if path is None:
            raise FetchError("no file supplied")
        data = read_capped(path, self.config.max_bytes, "a supplied original (max_bytes)",
                           error=FetchError)  # capped as pages are
        text = decode(data)
        if path.suffix.lower() == ".txt":
            paras = tuple(p for p in (" ".join(b.split()) for b in re.split(r"\n\s*\n", text)) if p)
            extracted = ExtractedPage(paragraphs=paras)
        else:  # the user chose this file: no article-page test, the length check stays
            extracted = self._extract(partial(extract_article, require_article=False), text)
        check_length(extracted, sum(len(p) for p in article.paragraphs),
                     ratio=self.config.min_length_ratio, min_chars=self.config.min_chars,
                     url=str(path))
        return str(path), None, extracted

    # ------------------------------------------------------------------ articles
    def get_english(self, article: Article) -> EnglishText:
        """The English original of ``article`` from the first source that serves it.

        Raises SourcesExhaustedError (with ``attempts``) when none does.
        """
        sources = ((Source.USER, self._user), (Source.ORIGINAL, self._original),
                   (Source.DUAL, self._dual), (Source.ARCHIVE, self._archive))
        attempts: list[SourceAttempt] = []
        unreachable = 0
        for source, get in sources:
            if source is Source.USER and self._user_file(article) is None:
                continue  # nothing supplied: not a failed try (the final hint says how)
            try:
                url, page, extracted = get(article)
            except CorpusError as err:
                reason = err.message if err.url else str(err)
                attempts.append(SourceAttempt(source, err.url, False, reason))
                unreachable += _unreachable(err)
                log.info("%s: %s failed: %s", article.id, source.value, err)
                continue
            except Exception as err:
                # article its later sources; recorded with its trace, like a failed source
                log.error("%s: unexpected error in source %s", article.id, source.value,
                          exc_info=err)
                attempts.append(SourceAttempt(source, None, False, f"unexpected error (a bug; "
                                              f"please report it): {err!r}"))
                continue
            final = page.final_url if page else None
            pairs = extracted.pairs or self._pairs_for(article, source)
            attempts.append(SourceAttempt(source, url, True,
                                          "cached" if page and page.from_cache else ""))
            log.info("%s: English text from %s (%d paragraphs)", article.id, source.value,
                     len(extracted.paragraphs))
            return EnglishText(
                article_id=article.id, source=source, final_url=final,
                url=None if source is Source.USER else url,  # a file's path is in attempts
                paragraphs=extracted.paragraphs, title=extracted.title,
                published=extracted.published, pairs=pairs, attempts=tuple(attempts),
                headings=extracted.headings)
        summary = "; ".join(f"{a.source.value}: {a.reason}" for a in attempts)
        raise SourcesExhaustedError(f"no source served the English text ({summary}). "
                                    f"{self._what_to_do(article, unreachable)}",
                                    attempts=tuple(attempts), article_id=article.id,
                                    url=article.en_url)

    def _what_to_do(self, article: Article, unreachable: int) -> str:
        """The user's ways out when no source served the article (see docs/extraction.md)."""
        side = sidecar_paths(article)
        supply = (f"save the English page from a browser as {side[0]} (or the text as "
                  f"{side[-1].name}) or pass --original {article.id}=PATH" if side else
                  f"pass --original {article.id}=PATH (the page saved from a browser, or text)")
        if unreachable:
            return (f"This machine could not reach the sites ({unreachable} sources failed "
                    f"to connect). To build this article: {supply}; or run `corpus fetch "
                    f"SEEDS --cache-dir DIR` on a machine with internet access, copy DIR here "
                    f"and run `corpus build SEEDS --cache-dir DIR --offline` (the cache here "
                    f"is {self.cache.dir}; docs/extraction.md says more).")
        return f"To build this article: {supply}."

    def _pairs_for(self, article: Article, source: Source) -> tuple[ParagraphPair, ...]:
        """The bilingual page's pairs when ``dual_pairs`` asks for them; () if unavailable."""
        if not self.config.dual_pairs or source is Source.DUAL:
            return ()
        try:
            return self._dual(article)[2].pairs
        except CorpusError as err:
            log.info("%s: no paragraph pairs from the bilingual page: %s", article.id, err)
            return ()

    def fetch_many(self, articles: Iterable[Article]
                   ) -> Iterator[tuple[Article, EnglishText | CorpusError]]:
        """Fetch many articles with ``workers`` threads; yield each as it completes.

        The per-host rate limit is shared, so workers overlap on different hosts and wait
        their turn on the same one. A failure is yielded, never raised.
        """
        todo = iter(articles)
        with ThreadPoolExecutor(max_workers=max(1, self.config.workers),
                                thread_name_prefix="fetch") as pool:
            running: dict[Future[EnglishText], Article] = {}

            def submit() -> bool:
                article = next(todo, None)
                if article is None:
                    return False
                running[pool.submit(self.get_english, article)] = article
                return True

            # Keep the queue short so a huge batch is not all submitted up front.
            while len(running) < 2 * max(1, self.config.workers) and submit():
                pass
            while running:
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    article = running.pop(fut)
                    err = fut.exception()
                    if err is None:
                        yield article, fut.result()
                    elif isinstance(err, CorpusError):
                        yield article, err
                    elif isinstance(err, Exception):
                        # A bug must not stop a batch of thousands: record it, with the trace.
                        log.error("%s: unexpected error while fetching", article.id,
                                  exc_info=err)
                        yield article, FetchError(f"unexpected error (a bug; please report "
                                                  f"it): {err!r}", article_id=article.id)
                    else:
                        raise err
                    submit()
