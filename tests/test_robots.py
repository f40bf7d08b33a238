"""robots.txt is asked before a host is, cached per host, and a refusal fails one source."""

from __future__ import annotations

import pytest

from corpus.errors import RobotsError
from corpus.fetch import Fetcher
from corpus.model import Source
from corpus.robots import RobotsRules, robots_url
from tests.httpserver import Reply
from tests.test_fetch import DUAL_PATH, EN_PATH, article, config, serve_fixture

ROBOTS = """# a news site's rules, shaped as real ones are
User-agent: *
Allow: /world/
Disallow: /2024/

User-agent: corpus
Disallow: /2024/03/14/world/asia/
"""


def test_a_disallowed_page_fails_its_source_and_the_next_is_tried(http_server, tmp_path):
    http_server.route("/robots.txt", Reply(body=ROBOTS, content_type="text/plain"))
    serve_fixture(http_server, EN_PATH, "article.html")
    serve_fixture(http_server, DUAL_PATH, "dual.html")
    with Fetcher(config(http_server, tmp_path)) as f:
        got = f.get_english(article(http_server))
    assert got.source is Source.DUAL
    assert "robots.txt" in got.attempts[0].reason and "--ignore-robots" in got.attempts[0].reason
    assert http_server.hits(EN_PATH) == 0
    assert http_server.hits("/robots.txt") == 1  # once per host, not once per request


def test_ignore_robots_fetches_anyway(http_server, tmp_path):
    http_server.route("/robots.txt", Reply(body=ROBOTS, content_type="text/plain"))
    serve_fixture(http_server, EN_PATH, "article.html")
    with Fetcher(config(http_server, tmp_path, ignore_robots=True)) as f:
        assert f.get_english(article(http_server)).source is Source.ORIGINAL
    assert http_server.hits("/robots.txt") == 0


def test_robots_txt_is_kept_in_the_page_cache(http_server, tmp_path):
    http_server.route("/robots.txt", Reply(body=ROBOTS, content_type="text/plain"))
    http_server.route("/world/a", body="<p>a</p>")
    http_server.route("/world/b", body="<p>b</p>")
    with Fetcher(config(http_server, tmp_path)) as f:
        f.get_page(http_server.url("/world/a"))
    with Fetcher(config(http_server, tmp_path)) as f:  # a later run
        f.get_page(http_server.url("/world/b"))
    assert http_server.hits("/robots.txt") == 1


def test_a_redirect_into_a_disallowed_path_is_refused(http_server, tmp_path):
    http_server.route("/robots.txt", Reply(body=ROBOTS, content_type="text/plain"))
    http_server.redirect("/world/moved", "/2024/03/14/world/asia/x.html")
    with Fetcher(config(http_server, tmp_path)) as f, pytest.raises(RobotsError, match="disallows"):
        f.get_page(http_server.url("/world/moved"))
    assert http_server.hits("/2024/03/14/world/asia/x.html") == 0


def test_missing_robots_allows_and_a_broken_one_disallows(http_server, tmp_path):
    http_server.route("/ok", body="<p>ok</p>")
    with Fetcher(config(http_server, tmp_path)) as f:  # robots.txt: 404
        assert f.get_page(http_server.url("/ok")).status == 200
    http_server.clear()
    http_server.route("/robots.txt", Reply(status=503))
    http_server.route("/ok", body="<p>ok</p>")
    # an unreadable robots.txt allows nothing (RFC 9309)
    with Fetcher(config(http_server, tmp_path, refresh=True)) as f, \
            pytest.raises(RobotsError, match="could not be read"):
        f.get_page(http_server.url("/ok"))
    assert http_server.hits("/ok") == 0


def test_rules_are_matched_for_our_product_token():
    from datetime import UTC, datetime

    from corpus.http import Page

    def fetch(url: str) -> Page:
        return Page(url=url, final_url=url, status=200, headers={}, body=ROBOTS.encode(),
                    fetched_at=datetime.now(UTC))

    rules = RobotsRules(fetch)
    rules.check("https://example.com/world/x")  # allowed for everyone
    with pytest.raises(RobotsError):  # the group for "corpus" disallows it
        rules.check("https://example.com/2024/03/14/world/asia/x.html")
    assert robots_url("https://a.example:8443/x/y?z=1") == "https://a.example:8443/robots.txt"
