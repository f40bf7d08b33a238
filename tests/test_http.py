"""The network boundary (issue 12): what a hostile URL, resolver or server cannot make us do.

Every server here is a loopback one; a "public" host is simulated by answering DNS for it.
"""

from __future__ import annotations

import gzip
import math
import shutil
import socket
import ssl
import subprocess
import threading
import time
import tomllib
import tracemalloc
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import pytest
import requests
from hypothesis import event, given, settings
from hypothesis import strategies as st
from urllib3.util import parse_url

from corpus.cache import PageCache
from corpus.config import FetchConfig
from corpus.errors import (
    BlockedURLError,
    ConfigError,
    DeadlineError,
    FetchError,
    SourcesExhaustedError,
    TooLargeError,
)
from corpus.fetch import Fetcher
from corpus.http import _DEFAULT_PORTS, Page, RateLimiter, check_url, decode, retry_after
from corpus.model import EnglishText, Source
from tests.httpserver import HTTPTestServer, Reply
from tests.test_fetch import DUAL_PATH, EN_PATH, article, config, serve_fixture

PUBLIC_IP = "93.184.215.14"  # any global address: nothing here can reach it


def fake_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> list[str]:
    """Answer getaddrinfo for the named hosts from ``answers`` (one list item per lookup,
    the last repeating); other names resolve as usual. Returns the names looked up."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host, port, *args, **kw):  # type: ignore[no-untyped-def]
        name = host.decode() if isinstance(host, bytes) else host
        if name in answers:
            asked.append(name)
            seq = answers[name]
            ip = seq[min(len([a for a in asked if a == name]) - 1, len(seq) - 1)]
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, int(port or 80)))]
        return real(host, port, *args, **kw)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


# ------------------------------------------------------------------ the address guard

@pytest.mark.parametrize("url", [
    "http://127.0.0.1:80\\@8.8.8.8/x.html",  # urllib.parse: 8.8.8.8; urllib3: 127.0.0.1
    "http://8.8.8.8\\@127.0.0.1/",
    "http://8.8.8.8 @127.0.0.1/",
    "http://127.0.0.1\t@8.8.8.8/",
    "http://127%2E0%2E0%2E1/",  # a browser decodes the host; urllib3 does not
])
def test_urls_that_parsers_read_differently_are_refused(url):
    with pytest.raises(BlockedURLError):
        check_url(url, allow_private=True)  # ambiguous is refused even where private is fine


def test_backslash_before_at_does_not_reach_loopback(http_server, tmp_path):
    serve_fixture(http_server, "/x.html", "article.html")
    url = f"http://127.0.0.1:{http_server.base.rsplit(':', 1)[1]}\\@8.8.8.8/x.html"
    with Fetcher(config(http_server, tmp_path, allow_private=False)) as f, \
            pytest.raises(BlockedURLError):
        f.get_page(url)
    assert http_server.requests == []


def test_an_ambiguous_redirect_hop_is_refused(http_server, tmp_path):
    port = http_server.base.rsplit(":", 1)[1]
    serve_fixture(http_server, "/secret", "article.html")
    http_server.redirect("/start", f"http://127.0.0.1:{port}\\@8.8.8.8/secret")
    with Fetcher(config(http_server, tmp_path)) as f, pytest.raises(BlockedURLError):
        f.get_page(http_server.url("/start"))
    assert http_server.hits("/secret") == 0 and http_server.hits("/%5C@8.8.8.8/secret") == 0


def test_dns_rebinding_cannot_reach_loopback(http_server, tmp_path, monkeypatch):
    # The guard is told a public address; a second lookup (the connection's) would say
    # loopback. The connection must go to the address that was checked.
    serve_fixture(http_server, "/x.html", "article.html")
    port = http_server.base.rsplit(":", 1)[1]
    asked = fake_dns(monkeypatch, {"rebind.test": [PUBLIC_IP, "127.0.0.1"]})
    cfg = config(http_server, tmp_path, allow_private=False, retries=0, connect_timeout=0.5)
    with Fetcher(cfg) as f, pytest.raises(FetchError):
        f.http.get(f"http://rebind.test:{port}/x.html")
    assert asked == ["rebind.test"]  # resolved once, by the guard
    assert http_server.requests == []


def test_a_pinned_connection_keeps_the_host_name(http_server, tmp_path, monkeypatch):
    # Pinning changes where the socket goes, not what the request says: Host stays the name
    # (and so do TLS SNI and certificate checks, which urllib3 takes from the same field).
    http_server.route("/h", body="<p>ok</p>")
    port = http_server.base.rsplit(":", 1)[1]
    fake_dns(monkeypatch, {"mirror.test": ["127.0.0.1", PUBLIC_IP]})
    with Fetcher(config(http_server, tmp_path)) as f:
        page = f.http.get(f"http://mirror.test:{port}/h")
    assert page.body == b"<p>ok</p>" and page.private
    assert http_server.requests[-1].headers["Host"] == f"mirror.test:{port}"


# ------------------------------------------------------------------ time

def test_a_trickling_server_meets_the_deadline(http_server, tmp_path):
    # One byte every 0.2 s never trips the 0.5 s read timeout; 40 bytes would take 8 s.
    http_server.route("/slow", Reply(body="<html><body>" + "x" * 28 + "</body>", trickle=0.2))
    with Fetcher(config(http_server, tmp_path, deadline=1.0)) as f:
        t0 = time.monotonic()
        with pytest.raises(DeadlineError, match="deadline of 1s"):
            f.get_page(http_server.url("/slow"))
    assert time.monotonic() - t0 < 3.0
    assert http_server.hits("/slow") == 1  # a deadline is not retried


def test_headers_that_trickle_meet_the_deadline(http_server, tmp_path):
    http_server.route("/slowhead", Reply(body="<p>late</p>", trickle_head=0.2))
    with Fetcher(config(http_server, tmp_path, deadline=1.0)) as f:
        t0 = time.monotonic()
        with pytest.raises(DeadlineError):
            f.get_page(http_server.url("/slowhead"))
    assert time.monotonic() - t0 < 3.0  # the head alone would take about 14 s


def test_the_deadline_is_recorded_and_the_next_source_tried(http_server, tmp_path):
    http_server.route(EN_PATH, Reply(body="<html>" + "x" * 60, trickle=0.1, length=False))
    serve_fixture(http_server, DUAL_PATH, "dual.html")
    with Fetcher(config(http_server, tmp_path, deadline=0.8)) as f:
        got = f.get_english(article(http_server))
    assert got.source is Source.DUAL
    assert "deadline" in got.attempts[0].reason


def test_retry_after_pauses_the_host_for_every_worker(http_server, tmp_path):
    http_server.route("/a", [Reply(status=503, headers={"Retry-After": "1"}), Reply(body="a")])
    http_server.route("/b", body="b")
    with Fetcher(config(http_server, tmp_path, backoff_max=5.0)) as f:
        first = threading.Thread(target=f.get_page, args=(http_server.url("/a"),))
        first.start()
        while http_server.hits("/a") == 0:
            time.sleep(0.01)
        time.sleep(0.2)  # the 503 has reached the first worker
        t0 = time.monotonic()
        f.get_page(http_server.url("/b"))  # another worker, same host
        waited = time.monotonic() - t0
        first.join()
    assert waited >= 0.6


def test_rate_limiter_pause():
    limiter = RateLimiter(0)
    limiter.pause("h:80", 0.2)
    assert limiter.wait("h:80") > 0.15
    assert limiter.wait("other:80") == 0.0


@pytest.mark.parametrize("value", ["²", "٣", "99999999999999999999", "Mon, 99 Foo 9999 99:99:99",
                                   "1e400", "-5", "Fri, 31 Dec 99999 23:59:59 GMT", " "])
def test_unreadable_retry_after_is_ignored(value):
    assert retry_after(value) is None


@pytest.mark.parametrize("rate", [-1.0, math.nan, math.inf, -math.inf])
def test_rate_that_would_turn_the_limit_off_is_refused(rate):
    with pytest.raises(ConfigError, match="rate"):
        FetchConfig(rate=rate)


@pytest.mark.parametrize("value", ["-1", "nan", "inf"])
def test_cli_rejects_a_bad_rate(value, tmp_path, capsys):
    from corpus.cli import main

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    assert main(["fetch", str(seeds), "--rate", value, "--offline"]) == 2
    assert "rate" in capsys.readouterr().err


@pytest.mark.parametrize("kw", [{"deadline": 0}, {"deadline": math.nan}, {"workers": 0},
                                {"read_timeout": math.inf}, {"retries": -1}])
def test_other_limits_that_cannot_hold_are_refused(kw):
    with pytest.raises(ConfigError):
        FetchConfig(**kw)  # type: ignore[arg-type]


# ------------------------------------------------------------------ size

def test_urllib3_floor_is_declared():
    # With urllib3 < 2.6 a 1.8 kB doubly-gzipped body allocated 2 GB before our cap fired:
    # older versions inflate a stacked encoding whole. The cap relies on 2.6's bounded reads.
    meta = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    deps = [d.replace(" ", "") for d in meta["project"]["dependencies"]]
    floor = [d for d in deps if d.startswith("urllib3")]
    assert floor and ">=2.6" in floor[0], deps


def test_a_doubly_gzipped_bomb_stops_at_the_cap(http_server, tmp_path):
    bomb = gzip.compress(gzip.compress(b"\0" * 50_000_000))  # 50 MB in a few hundred bytes
    http_server.route("/bomb", Reply(body=bomb, headers={"Content-Encoding": "gzip, gzip"}))
    tracemalloc.start()
    try:
        with Fetcher(config(http_server, tmp_path, max_bytes=1_000_000)) as f, \
                pytest.raises(TooLargeError):
            f.get_page(http_server.url("/bomb"))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000  # urllib3 < 2.6 inflated all 50 MB first


# ------------------------------------------------------------------ cache

def test_a_private_page_is_not_served_from_the_cache_without_allow_private(http_server,
                                                                           tmp_path):
    serve_fixture(http_server, EN_PATH, "article.html")
    url = http_server.url(EN_PATH)
    with Fetcher(config(http_server, tmp_path)) as f:
        assert f.get_page(url).private
    with Fetcher(config(http_server, tmp_path, allow_private=False)) as f, \
            pytest.raises(BlockedURLError):
        f.get_page(url)
    with Fetcher(config(http_server, tmp_path, allow_private=False, offline=True)) as f, \
            pytest.raises(FetchError):
        f.get_page(url)
    with Fetcher(config(http_server, tmp_path, offline=True)) as f:
        assert f.get_page(url).from_cache  # allowed again: served
    assert http_server.hits(EN_PATH) == 1


def test_public_pages_are_cached_as_public(tmp_path):
    cache = PageCache(tmp_path)
    from datetime import UTC, datetime

    page = Page(url="https://example.com/a", final_url="https://example.com/a", status=200,
                headers={}, body=b"x", fetched_at=datetime.now(UTC))
    cache.put(page)
    got = cache.get(page.url)
    assert got is not None and not got.private


# ------------------------------------------------------------------ one source fails alone

def _served_by_dual(http_server: HTTPTestServer, tmp_path: Path) -> EnglishText:
    serve_fixture(http_server, DUAL_PATH, "dual.html")
    with Fetcher(config(http_server, tmp_path)) as f:
        got = f.get_english(article(http_server))
    assert got.source is Source.DUAL, got.attempts
    assert "unexpected" not in got.attempts[0].reason
    return got


@pytest.mark.parametrize("port", ["99999", "abc", "-1", "1.5"])
def test_a_bad_port_fails_that_source_only(http_server, tmp_path, port):
    # Without allow_private the guard reads the port to resolve the host; the sources after
    # the original must still be tried (they fail here too: loopback is not allowed).
    art = article(http_server, en_url=f"http://8.8.8.8:{port}/x.html")
    cfg = config(http_server, tmp_path, allow_private=False)
    with Fetcher(cfg) as f, pytest.raises(SourcesExhaustedError) as info:
        f.get_english(art)
    attempts = info.value.attempts
    assert attempts[0].source is Source.ORIGINAL
    assert "not a valid URL" in attempts[0].reason
    assert [a.source for a in attempts[1:]] == [Source.DUAL, Source.ARCHIVE]


def test_an_unreadable_retry_after_fails_that_source_only(http_server, tmp_path):
    http_server.route(EN_PATH, Reply(status=503, headers={"Retry-After": "²"}))
    got = _served_by_dual(http_server, tmp_path)
    assert "503" in got.attempts[0].reason


@pytest.mark.parametrize("location", ["http://[::1", "http://[oops]/x", "http://a:b:c/"])
def test_a_malformed_location_fails_that_source_only(http_server, tmp_path, location):
    http_server.redirect(EN_PATH, location)
    _served_by_dual(http_server, tmp_path)


@pytest.mark.parametrize("declared", ["header", "meta"])
@pytest.mark.parametrize("charset", ["base64", "rot13", "zlib", "no-such-charset"])
def test_an_unknown_charset_is_read_as_undeclared(http_server, tmp_path, charset, declared):
    html = (Path(__file__).parent / "data" / "fetch" / "article.html").read_text("utf-8")
    ctype = "text/html"
    if declared == "header":
        ctype += f"; charset={charset}"
    else:
        html = html.replace("<head>", f'<head><meta charset="{charset}">', 1)
    assert decode(html.encode(), ctype) == html
    http_server.route(EN_PATH, Reply(body=html, content_type=ctype))
    with Fetcher(config(http_server, tmp_path)) as f:
        got = f.get_english(article(http_server))
    assert got.source is Source.ORIGINAL


def test_an_unexpected_error_in_one_source_leaves_the_others(http_server, tmp_path,
                                                             monkeypatch):
    serve_fixture(http_server, DUAL_PATH, "dual.html")
    with Fetcher(config(http_server, tmp_path)) as f:
        def broken(art):  # type: ignore[no-untyped-def]
            raise LookupError("a bug in the original source")

        monkeypatch.setattr(f, "_original", broken)
        got = f.get_english(article(http_server))
    assert got.source is Source.DUAL
    assert "a bug" in got.attempts[0].reason


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
def test_a_pinned_https_connection_verifies_the_host_name(tmp_path, monkeypatch):
    # TLS to the pinned address still sends the name (SNI) and checks the certificate
    # against the name: a certificate for mirror.test passes, the same one for other.test
    # does not.
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=mirror.test", "-addext", "subjectAltName=DNS:mirror.test",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    server = HTTPTestServer()
    server._server.socket = ctx.wrap_socket(server._server.socket, server_side=True)
    server.route("/h", body="<p>over tls</p>")
    port = server.base.rsplit(":", 1)[1]
    fake_dns(monkeypatch, {"mirror.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
    for var in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):  # they would win over verify=
        monkeypatch.delenv(var, raising=False)
    with server, Fetcher(config(server, tmp_path)) as f:
        f.http.session.verify = str(cert)
        assert f.http.get(f"https://mirror.test:{port}/h").body == b"<p>over tls</p>"
        with pytest.raises(FetchError, match="CERTIFICATE_VERIFY_FAILED"):
            f.http.get(f"https://other.test:{port}/h")
    assert server.hits("/h") == 1  # only mirror.test got through; a TLS failure is not retried


_URL_PARTS = st.sampled_from(["http://", "https://", "ftp://", "//", "\\", "@", ":", "#", "?",
                              "/", "[", "]", "%5C", "%40", " ", "\t", ".", "..", "a", "b.c",
                              "127.0.0.1", "8.8.8.8", "::1", "80", "99999", "xn--", "é", "ß"])


@settings(max_examples=300, deadline=None)
@given(st.builds(lambda scheme, host, rest: scheme + host + "".join(rest),
                 st.sampled_from(["http://", "https://", "HTTP://", "ftp://", ""]),
                 st.sampled_from(["a.example", "127.0.0.1", "[::1]", "8.8.8.8", "", "é.example"]),
                 st.lists(_URL_PARTS, max_size=8)))
def test_a_url_is_refused_or_read_alike_by_every_parser(url):
    # Whatever the URL, the guard either refuses it with a FetchError (never another error,
    # which would cost the article its later sources) or checks the very host and port the
    # connection will use.
    def resolve(host, port, *args, **kw):  # type: ignore[no-untyped-def]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", int(port or 80)))]

    with mock.patch("socket.getaddrinfo", resolve):
        try:
            target = check_url(url, allow_private=True)
        except FetchError:
            event("refused")
            return
    event("accepted")
    prepared = requests.PreparedRequest()
    prepared.prepare_url(url, None)
    conn = parse_url(prepared.url)
    assert (target.host, target.port) == (
        (conn.host or "").strip("[]").rstrip(".").lower(), conn.port or _DEFAULT_PORTS[conn.scheme])
    name = (urlsplit(url).hostname or "").rstrip(".").lower()
    assert target.host == (name if name.isascii() else name.encode("idna").decode())
