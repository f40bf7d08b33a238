"""Polite HTTP: one session, timeouts, retries with backoff, size cap, rate limit, URL checks.

``HttpClient.get(url)`` returns a :class:`Page` for a 2xx answer and raises a
:class:`~corpus.errors.FetchError` subclass for everything else, with a reason a user
can act on. Caching sits on top of this, in :mod:`corpus.fetch`.
"""

from __future__ import annotations

import codecs
import email.utils
import ipaddress
import logging
import random
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from urllib.parse import urljoin, urlsplit

import requests
from charset_normalizer import from_bytes
from requests.adapters import HTTPAdapter

from corpus.config import FetchConfig
from corpus.errors import BlockedURLError, FetchError, HTTPStatusError, TooLargeError

log = logging.getLogger(__name__)

#: Statuses worth asking again: the server says "later", not "no".
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
HTML_TYPES = ("text/html", "application/xhtml+xml")
JSON_TYPES = ("application/json", "text/json", "text/javascript")
_CHUNK = 64 * 1024
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""")


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched (or cached) response: what the server said, and when."""

    url: str  # as asked for
    final_url: str  # after redirects
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime
    from_cache: bool = False
    redirects: tuple[str, ...] = field(default=())

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def text(self) -> str:
        """Decode the body: BOM, declared charset, meta/XML declaration, then sniffing."""
        return decode(self.body, self.headers.get("content-type", ""))


def decode(body: bytes, content_type: str = "") -> str:
    """Decode an HTML/text body as a browser would, never as ISO-8859-1 by default."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return body.decode(enc, errors="replace")
    candidates = []
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", content_type, re.I)
    if m:
        candidates.append(m.group(1))
    head = body[:4096]
    for pattern in (_XML_ENCODING, _META_CHARSET):
        m2 = pattern.search(head)
        if m2:
            candidates.append(m2.group(1).decode("ascii"))
    for name in candidates:
        enc = _codec(name)
        if enc:
            try:
                return body.decode(enc)
            except UnicodeDecodeError:
                log.debug("body does not decode as declared %s; sniffing", name)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(body).best()
        return str(best) if best is not None else body.decode("cp1252", errors="replace")


def _codec(name: str) -> str | None:
    name = name.lower()
    # WHATWG: these labels mean windows-1252 and GB18030 supersets in browsers.
    name = {"iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252",
            "us-ascii": "cp1252", "gb2312": "gb18030", "gbk": "gb18030"}.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def check_url(url: str, *, allow_private: bool = False) -> None:
    """Refuse URLs that are not http(s), and (unless allowed) private or loopback hosts.

    Seed files name the URLs, so a crafted seed must not make us probe the local network.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        what = repr(parts.scheme) if parts.scheme else "a relative URL"
        raise BlockedURLError(f"only http and https URLs are fetched, not {what}", url=url)
    if not parts.hostname:
        raise BlockedURLError("the URL has no host", url=url)
    if allow_private:
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as err:
        raise FetchError(f"cannot resolve host {parts.hostname!r}: {err}", url=url) from err
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise BlockedURLError(
                f"{parts.hostname} resolves to the non-public address {ip}; refusing to fetch it "
                "(allow_private / --allow-private permits this)", url=url)


class RateLimiter:
    """At most ``rate`` request starts per second per host, shared by all worker threads."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, host: str) -> float:
        """Block until ``host`` may be asked again; return the seconds waited."""
        if not self.interval:
            return 0.0
        with self._lock:  # reserve the next slot, then sleep outside the lock
            now = time.monotonic()
            slot = max(now, self._next.get(host, now))
            self._next[host] = slot + self.interval
        delay = slot - now
        if delay > 0:
            time.sleep(delay)
        return delay


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


class HttpClient:
    """One ``requests.Session`` with our limits; safe to share between worker threads."""

    def __init__(self, config: FetchConfig, session: requests.Session | None = None) -> None:
        self.config = config
        self.session = session or requests.Session()
        self.session.headers.update({
            "User-Agent": config.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.5",
            "Accept-Language": "en-US,en;q=0.8,zh-CN;q=0.5",
        })
        self.session.max_redirects = config.max_redirects
        adapter = HTTPAdapter(pool_maxsize=max(4, config.workers * 2))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.limiter = RateLimiter(config.rate)

    def close(self) -> None:
        self.session.close()

    def get(self, url: str, accept: tuple[str, ...] = HTML_TYPES) -> Page:
        """GET ``url``, following redirects ourselves so every hop is checked."""
        hops: list[str] = []
        current = url
        while True:
            check_url(current, allow_private=self.config.allow_private)
            resp_status, headers, body = self._get_with_retries(current)
            if resp_status in (301, 302, 303, 307, 308) and "location" in headers:
                nxt = urljoin(current, headers["location"])
                hops.append(current)
                if nxt in hops:
                    raise FetchError(f"redirect loop: {' -> '.join([*hops, nxt])}", url=url)
                if len(hops) > self.config.max_redirects:
                    raise FetchError(f"more than {self.config.max_redirects} redirects", url=url)
                log.debug("redirect %s -> %s", current, nxt)
                current = nxt
                continue
            break
        if not 200 <= resp_status < 300:
            raise HTTPStatusError(f"HTTP {resp_status} {_reason(resp_status)}",
                                  status=resp_status, url=url)
        page = Page(url=url, final_url=current, status=resp_status, headers=headers, body=body,
                    fetched_at=datetime.now(UTC), redirects=tuple(hops))
        ctype = page.content_type
        if accept and ctype and not ctype.startswith(accept):
            raise FetchError(f"not a page we can read: content type {ctype!r} "
                             f"(expected {', '.join(accept)})", url=url)
        return page

    def _get_with_retries(self, url: str) -> tuple[int, dict[str, str], bytes]:
        cfg = self.config
        host = urlsplit(url).netloc.lower()
        for attempt in range(cfg.retries + 1):
            last = attempt == cfg.retries
            self.limiter.wait(host)
            try:
                status, headers, body = self._get_once(url)
            except (requests.ConnectionError, requests.Timeout) as err:
                why = _describe(err, cfg)
                if last:
                    raise FetchError(f"{why} (after {attempt + 1} tries)", url=url) from err
                self._sleep(attempt, None, why, url)
                continue
            except requests.RequestException as err:
                raise FetchError(f"request failed: {err}", url=url) from err
            if status in RETRY_STATUSES and not last:
                wait = retry_after(headers.get("retry-after"))
                if wait is not None and wait > cfg.backoff_max:
                    raise HTTPStatusError(
                        f"HTTP {status}: the server asks to wait {wait:.0f}s, longer than "
                        f"backoff_max={cfg.backoff_max:.0f}s; try again later",
                        status=status, url=url)
                self._sleep(attempt, wait, f"HTTP {status}", url)
                continue
            return status, headers, body
        raise AssertionError("unreachable")  # pragma: no cover

    def _sleep(self, attempt: int, wait: float | None, why: str, url: str) -> None:
        cfg = self.config
        if wait is None:
            base = cfg.backoff * 2**attempt
            wait = min(cfg.backoff_max, base + random.uniform(0, base / 2))
        log.info("%s: %s; retrying in %.2fs", url, why, wait)
        time.sleep(wait)

    def _get_once(self, url: str) -> tuple[int, dict[str, str], bytes]:
        cfg = self.config
        with self.session.get(url, stream=True, allow_redirects=False,
                              timeout=(cfg.connect_timeout, cfg.read_timeout)) as resp:
            headers = {k.lower(): v for k, v in resp.headers.items()}
            if resp.is_redirect or resp.status_code >= 400:
                return resp.status_code, headers, b""  # the body of an error is not needed
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cfg.max_bytes:
                raise TooLargeError(f"response is {int(declared)} bytes, over the cap of "
                                    f"{cfg.max_bytes} (max_bytes)", url=url)
            chunks, size = [], 0
            for chunk in resp.iter_content(_CHUNK):
                size += len(chunk)
                if size > cfg.max_bytes:
                    raise TooLargeError(f"response passed the cap of {cfg.max_bytes} bytes "
                                        "(max_bytes); download aborted", url=url)
                chunks.append(chunk)
            return resp.status_code, headers, b"".join(chunks)


def _describe(err: Exception, cfg: FetchConfig) -> str:
    if isinstance(err, requests.ConnectTimeout):
        return f"connection timed out after {cfg.connect_timeout}s"
    if isinstance(err, requests.Timeout | requests.exceptions.ChunkedEncodingError) or (
        "timed out" in str(err).lower()
    ):
        return f"the server stopped sending for more than {cfg.read_timeout}s (read timeout)"
    return f"connection failed: {type(err).__name__}"


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
