"""Polite HTTP: one session, timeouts, retries with backoff, size cap, rate limit, URL checks.

``HttpClient.get(url)`` returns a :class:`Page` for a 2xx answer and raises a
:class:`~corpus.errors.FetchError` subclass for everything else, with a reason a user
can act on. Caching sits on top of this, in :mod:`corpus.fetch`.
"""

from __future__ import annotations

import codecs
import contextlib
import email.utils
import ipaddress
import logging
import random
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.client import HTTPException
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from charset_normalizer import from_bytes
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, LocationParseError, NewConnectionError
from urllib3.util import parse_url
from urllib3.util.connection import create_connection

from corpus.config import FetchConfig
from corpus.errors import (
    BlockedURLError,
    DeadlineError,
    FetchError,
    HTTPStatusError,
    TooLargeError,
)

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
    # Some hop was at a loopback/private address (fetched under allow_private): the cache
    # serves such a page only to a fetcher that allows private addresses too.
    private: bool = False

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
    candidates: list[str] = []
    m = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", content_type, re.I)
    if m:
        candidates.append(m.group(1))
    head = body[:4096]
    for pattern in (_XML_ENCODING, _META_CHARSET):
        m2 = pattern.search(head)
        if m2:
            candidates.append(m2.group(1).decode("ascii"))
    for name in candidates:
        codec = _codec(name)
        if codec:
            try:
                return body.decode(codec)
            except (UnicodeDecodeError, LookupError):
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
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    # codecs also knows bytes-to-bytes transforms ("base64", "zlib", "rot13"): a page that
    # declares one as its charset is read as if it declared none.
    return info.name if getattr(info, "_is_text_encoding", True) else None


#: Characters no URL we fetch may hold: parsers disagree on them (WHATWG reads ``\`` as
#: ``/``, RFC 3986 parsers as data), so a guard and a connection could see two hosts.
_BAD_URL_CHARS = re.compile(r"[\\\x00-\x20\x7f]")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class Target:
    """Where one URL is fetched from: the host as the connection names it, and the address
    that was checked and that the connection is pinned to."""

    url: str
    scheme: str
    host: str  # IDNA, lower case, no brackets or trailing dot: as urllib3's pool has it
    port: int
    address: str  # the checked IP address the socket connects to
    private: bool  # the address is loopback/private/link-local (allowed by allow_private)


def _norm_host(host: str) -> str:
    host = host.strip("[]").rstrip(".").lower()
    if not host.isascii():
        # left as is when it cannot be encoded: it will not match the other parser's reading
        with contextlib.suppress(UnicodeError):
            host = host.encode("idna").decode("ascii")
    return host


def check_url(url: str, *, allow_private: bool = False) -> Target:
    r"""Refuse URLs that are not http(s), that parsers read differently, and (unless allowed)
    hosts that resolve to private or loopback addresses; return the checked target.

    Seed files and servers name the URLs, so a crafted one must not make us probe the local
    network. The host is read as requests/urllib3 (which connect) read it, and also with
    ``urllib.parse``; if they disagree (``http://127.0.0.1:80\@8.8.8.8/``) the URL is refused.
    The returned address is the one the connection uses (see :class:`PinningAdapter`), so a
    second DNS answer cannot reach an address that was not checked.
    """
    if _BAD_URL_CHARS.search(url):
        raise BlockedURLError("the URL holds a backslash, space or control character, which "
                              "URL parsers read differently; refusing it", url=url)
    try:
        parts = urlsplit(url)
        split_host, split_port = parts.hostname, parts.port
        parsed = parse_url(url)
    except (ValueError, LocationParseError) as err:
        raise BlockedURLError(f"not a valid URL ({err})", url=url) from err
    if parts.scheme not in _DEFAULT_PORTS:
        what = repr(parts.scheme) if parts.scheme else "a relative URL"
        raise BlockedURLError(f"only http and https URLs are fetched, not {what}", url=url)
    if not split_host or not parsed.host:
        raise BlockedURLError("the URL has no host", url=url)
    default = _DEFAULT_PORTS[parts.scheme]
    try:  # the URL exactly as requests will send it, host IDNA-encoded as it connects
        prepared = requests.PreparedRequest()
        prepared.prepare_url(url, None)
        conn = parse_url(prepared.url or "")
    except (requests.RequestException, ValueError, LocationParseError) as err:
        raise BlockedURLError(f"not a valid URL ({err})", url=url) from err
    readings = {(_norm_host(h or ""), p or default)
                for h, p in ((split_host, split_port), (parsed.host, parsed.port),
                             (conn.host, conn.port))}
    if len(readings) > 1:
        raise BlockedURLError(
            "URL parsers disagree on its host ("
            + " vs ".join(sorted(f"{h}:{p}" for h, p in readings))
            + "); refusing an ambiguous URL", url=url)
    host, port = readings.pop()
    if "%" in host:  # percent-encoding or an IPv6 zone: browsers decode it, urllib3 does not
        raise BlockedURLError(f"the host {host!r} holds a '%'; refusing an ambiguous URL",
                              url=url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as err:
        raise FetchError(f"cannot resolve host {host!r}: {err}", url=url) from err
    addresses = [str(info[4][0]) for info in infos]
    private = False
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global or ip.is_multicast:
            private = True
            if not allow_private:
                raise BlockedURLError(
                    f"{host} resolves to the non-public address {ip}; refusing to fetch it "
                    "(allow_private / --allow-private permits this)", url=url)
    if not addresses:
        raise FetchError(f"cannot resolve host {host!r}: no address", url=url)
    return Target(url=url, scheme=parts.scheme, host=host, port=port, address=addresses[0],
                  private=private)


class _Deadline:
    """Shuts the sockets of one request when its whole time is up.

    A read timeout bounds the wait for each byte, not the request: a server that sends
    one byte just before every timeout would keep a fetch alive for ever.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.fired = False
        self._done = False
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def add(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._socks.append(sock)
            if self.fired:
                _shut(sock)

    def _fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.fired = True
            for sock in self._socks:
                _shut(sock)  # wakes the worker blocked in recv(); its request then fails

    def cancel(self) -> None:
        with self._lock:
            self._done = True
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


@dataclass(slots=True)
class _Hop:
    target: Target
    deadline: _Deadline


class _Pins(threading.local):
    """The request each worker thread has in flight (urllib3 connects in the caller's
    thread, so the connection finds its checked address here)."""

    hop: _Hop | None = None


def _pinned_connect(conn: HTTPConnection, pins: _Pins) -> socket.socket:
    hop = pins.hop
    if hop is None or (hop.target.host, hop.target.port) != (conn.host, conn.port):
        raise NewConnectionError(conn, f"refusing to connect to {conn.host}:{conn.port}: its "
                                       "address was not checked")
    try:
        sock = create_connection((hop.target.address, conn.port), conn.timeout,
                                 source_address=conn.source_address,
                                 socket_options=conn.socket_options)
    except TimeoutError as err:
        raise ConnectTimeoutError(conn, f"connection to {conn.host} timed out") from err
    except OSError as err:
        raise NewConnectionError(conn, f"failed to connect to {conn.host} at "
                                       f"{hop.target.address}: {err}") from err
    hop.deadline.add(sock)
    return sock


def _pinned_pools(pins: _Pins) -> dict[str, type[HTTPConnectionPool]]:
    """Connection pools whose sockets go to the checked address of the thread's request.

    The connection keeps the host name for everything else: the Host header, TLS SNI and
    certificate verification are those of the name, not of the address.
    """

    class PinnedHTTPConnection(HTTPConnection):
        def _new_conn(self) -> socket.socket:
            return _pinned_connect(self, pins)

        def getresponse(self, *args: Any, **kw: Any) -> Any:
            if pins.hop is not None:  # a kept-alive socket joins this request's deadline
                pins.hop.deadline.add(self.sock)
            return super().getresponse(*args, **kw)

    # The same two overrides, ahead of HTTPSConnection's in the MRO (TLS wraps the socket
    # that _new_conn returns, as it does urllib3's own).
    class PinnedHTTPSConnection(PinnedHTTPConnection, HTTPSConnection):
        pass

    class PinnedHTTPPool(HTTPConnectionPool):
        ConnectionCls = PinnedHTTPConnection

    class PinnedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = PinnedHTTPSConnection

    return {"http": PinnedHTTPPool, "https": PinnedHTTPSPool}


class PinningAdapter(HTTPAdapter):
    """A requests transport that connects to the address :func:`check_url` checked.

    Resolving once to check and again to connect would let a DNS answer that changes in
    between (DNS rebinding) reach loopback. Requests through a proxy (``HTTPS_PROXY``) are
    resolved by the proxy and are not pinned.
    """

    def __init__(self, pins: _Pins, **kw: Any) -> None:
        self._pins = pins
        super().__init__(**kw)

    def init_poolmanager(self, *args: Any, **kw: Any) -> None:
        super().init_poolmanager(*args, **kw)
        self.poolmanager.pool_classes_by_scheme = _pinned_pools(self._pins)


class RateLimiter:
    """At most ``rate`` request starts per second per host, shared by all worker threads;
    a host that asked us to wait (``Retry-After``) is paused for every worker."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def pause(self, host: str, seconds: float) -> None:
        """Start no request to ``host`` for ``seconds``, in any thread."""
        with self._lock:
            until = time.monotonic() + seconds
            self._next[host] = max(self._next.get(host, until), until)

    def wait(self, host: str) -> float:
        """Block until ``host`` may be asked again; return the seconds waited."""
        with self._lock:  # reserve the next slot, then sleep outside the lock
            now = time.monotonic()
            slot = max(now, self._next.get(host, now))
            self._next[host] = slot + self.interval
        delay = slot - now
        if delay > 0:
            time.sleep(delay)
        return delay


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or an HTTP date); None when
    absent or unreadable (the caller's own backoff applies then)."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"[0-9]{1,12}", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        now = time.time() if now is None else now
        return max(0.0, when.timestamp() - now)
    except (TypeError, ValueError, IndexError, OverflowError, OSError):
        return None


class HttpClient:
    """One ``requests.Session`` with our limits; safe to share between worker threads.

    ``requests.Session`` is not documented as thread-safe. The workers share it only for
    what is: its headers are set here, before any worker starts, and never changed; its
    connection pools are urllib3's ``PoolManager`` (thread-safe); its cookie jar is a
    ``http.cookiejar.CookieJar``, which locks. Each worker's request in flight (checked
    address, deadline) is thread-local (``_Pins``), never on the session.
    """

    def __init__(self, config: FetchConfig, session: requests.Session | None = None) -> None:
        self.config = config
        self.session = session or requests.Session()
        self.session.headers.update({
            "User-Agent": config.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.5",
            "Accept-Language": "en-US,en;q=0.8,zh-CN;q=0.5",
        })
        self.session.max_redirects = config.max_redirects
        self._pins = _Pins()
        adapter = PinningAdapter(self._pins, pool_maxsize=max(4, config.workers * 2))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.limiter = RateLimiter(config.rate)

    def close(self) -> None:
        self.session.close()

    def get(self, url: str, accept: tuple[str, ...] = HTML_TYPES, *,
            before_hop: Callable[[str], None] | None = None) -> Page:
        """GET ``url``, following redirects ourselves so every hop is checked.

        ``before_hop(url)`` runs before each hop is requested (robots.txt rules) and may
        raise to refuse it.
        """
        hops: list[str] = []
        current = url
        private = False
        while True:
            target = check_url(current, allow_private=self.config.allow_private)
            private = private or target.private
            if before_hop is not None:
                before_hop(current)
            resp_status, headers, body = self._get_with_retries(target)
            if resp_status in (301, 302, 303, 307, 308) and "location" in headers:
                try:
                    nxt = urljoin(current, headers["location"])
                except ValueError as err:
                    raise FetchError(f"the server redirected to a malformed Location "
                                     f"{headers['location']!r} ({err})", url=url) from err
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
                    fetched_at=datetime.now(UTC), redirects=tuple(hops), private=private)
        ctype = page.content_type
        if accept and ctype and not ctype.startswith(accept):
            raise FetchError(f"not a page we can read: content type {ctype!r} "
                             f"(expected {', '.join(accept)})", url=url)
        return page

    def _get_with_retries(self, target: Target) -> tuple[int, dict[str, str], bytes]:
        cfg = self.config
        url = target.url
        host = f"{target.host}:{target.port}"
        for attempt in range(cfg.retries + 1):
            last = attempt == cfg.retries
            self.limiter.wait(host)
            try:
                status, headers, body = self._get_once(target)
            except requests.exceptions.SSLError as err:  # asking again will not change it
                raise FetchError(f"TLS failed for {target.host}: {_tls_reason(err)}",
                                 url=url) from err
            except (requests.ConnectionError, requests.Timeout) as err:
                why = _describe(err, cfg)
                if last:
                    raise FetchError(f"{why} (after {attempt + 1} tries)", url=url) from err
                self._sleep(attempt, why, url)
                continue
            except (requests.RequestException, HTTPException, OSError) as err:
                raise FetchError(f"request failed: {err}", url=url) from err
            if status in RETRY_STATUSES and not last:
                wait = retry_after(headers.get("retry-after"))
                if wait is not None and wait > cfg.backoff_max:
                    raise HTTPStatusError(
                        f"HTTP {status}: the server asks to wait {wait:.0f}s, longer than "
                        f"backoff_max={cfg.backoff_max:.0f}s; try again later",
                        status=status, url=url)
                if wait is None:
                    self._sleep(attempt, f"HTTP {status}", url)
                else:  # the host asked: every worker waits, not only this one
                    log.info("%s: HTTP %d; pausing %s for %.2fs (Retry-After)", url, status,
                             host, wait)
                    self.limiter.pause(host, wait)
                continue
            return status, headers, body
        raise AssertionError("unreachable")  # pragma: no cover

    def _sleep(self, attempt: int, why: str, url: str) -> None:
        cfg = self.config
        base = cfg.backoff * 2**attempt
        wait = min(cfg.backoff_max, base + random.uniform(0, base / 2))
        log.info("%s: %s; retrying in %.2fs", url, why, wait)
        time.sleep(wait)

    def _get_once(self, target: Target) -> tuple[int, dict[str, str], bytes]:
        cfg = self.config
        url = target.url
        deadline = _Deadline(cfg.deadline)
        self._pins.hop = _Hop(target, deadline)
        deadline.start()
        try:
            result = self._exchange(url)
        except (requests.RequestException, HTTPException, OSError) as err:
            if deadline.fired:
                raise DeadlineError(_deadline_reason(cfg), url=url) from err
            raise
        finally:
            deadline.cancel()
            self._pins.hop = None
        if deadline.fired:  # a body without Content-Length just ends when its socket is shut
            raise DeadlineError(_deadline_reason(cfg), url=url)
        return result

    def _exchange(self, url: str) -> tuple[int, dict[str, str], bytes]:
        cfg = self.config
        try:
            resp = self.session.get(url, stream=True, allow_redirects=False,
                                    timeout=(cfg.connect_timeout, cfg.read_timeout))
        except (ValueError, UnicodeError) as err:
            # requests parses a redirect's Location even when not following it
            raise FetchError(f"the server's answer could not be read: {err}", url=url) from err
        with resp:
            headers = {k.lower(): v for k, v in resp.headers.items()}
            if resp.is_redirect or resp.status_code >= 400:
                return resp.status_code, headers, b""  # the body of an error is not needed
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cfg.max_bytes:
                raise TooLargeError(f"response is {int(declared)} bytes, over the cap of "
                                    f"{cfg.max_bytes} (max_bytes)", url=url)
            chunks, size = [], 0
            # urllib3 >= 2.6 decompresses at most what is asked for, so the cap holds for
            # gzip bombs too (older versions inflated a whole stacked-gzip body at once).
            for chunk in resp.iter_content(_CHUNK):
                size += len(chunk)
                if size > cfg.max_bytes:
                    raise TooLargeError(f"response passed the cap of {cfg.max_bytes} bytes "
                                        "(max_bytes); download aborted", url=url)
                chunks.append(chunk)
            return resp.status_code, headers, b"".join(chunks)


def _tls_reason(err: Exception) -> str:
    text = str(err)
    m = re.search(r"\[SSL: [A-Z_]+\][^(')]*", text)
    return m.group(0).strip() if m else "the secure connection could not be set up"


def _deadline_reason(cfg: FetchConfig) -> str:
    return (f"the request took longer than the deadline of {cfg.deadline:g}s (deadline), the "
            "server sending too slowly; raise --deadline for a slow but honest server")


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
