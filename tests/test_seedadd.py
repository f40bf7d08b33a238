"""`add_seeds`: cn.nytimes.com addresses in, seed files out, served by a loopback site."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from corpus.config import FetchConfig
from corpus.errors import SeedError
from corpus.fetch import Fetcher
from corpus.seedadd import AddStatus, add_seeds, links_on_page, read_address_list
from corpus.seeds import read_seed_file, read_seeds
from tests.httpserver import HTTPTestServer, Reply

DATA = Path(__file__).parent / "data" / "cnsite"
SITE = "https://cn.nytimes.com"
FERRY = f"{SITE}/business/20240510/ferry-returns/"
TEA = f"{SITE}/china/20240512/tea-harvest/"
COLUMN = f"{SITE}/opinion/20240513/columnist-note/"
GONE = f"{SITE}/world/20240514/gone-story/"
SECTION_LIKE = f"{SITE}/world/20240515/section-like/"
PAGES = {
    "/business/20240510/ferry-returns/": "ferry.html",
    "/china/20240512/tea-harvest/": "tea.html",
    "/china/20240512/tea-harvest/dual/": "tea-dual.html",
    "/opinion/20240513/columnist-note/": "column.html",
    "/world/20240515/section-like/": "not-article.html",
    "/business/": "section.html",
    "/2024/05/09/world/asia/ferry-returns.html": "ferry-en.html",
    "/2024/05/11/world/asia/tea-harvest-cold.html": "paywall.html",
}


def serve_site(server: HTTPTestServer) -> None:
    """The fixture site on the test server; the English links point back at it."""
    for path, name in PAGES.items():
        body = (DATA / name).read_text(encoding="utf-8").replace("{{BASE}}", server.base)
        server.route(path, body=body)
    server.route("/rss/", body=(DATA / "feed.xml").read_bytes(),
                 content_type="application/rss+xml; charset=utf-8")
    server.route("/wayback/available", body='{"archived_snapshots": {}}',
                 content_type="application/json")


def fetch_config(tmp_path: Path, base: str) -> FetchConfig:
    return FetchConfig(cache_dir=str(tmp_path / "cache"), allow_private=True, rate=0,
                       retries=0, backoff=0.01, dual_base=base, archive_base=base)


@pytest.fixture
def site(http_server):
    serve_site(http_server)
    return http_server


def _add(tmp_path: Path, server: HTTPTestServer, urls: list[str], **kw: bool):
    with Fetcher(fetch_config(tmp_path, server.base)) as fetcher:
        return add_seeds(urls, tmp_path / "seeds", fetcher, **kw)


def test_good_and_bad_addresses_each_get_an_outcome(tmp_path, site):
    urls = [FERRY, "https://example.com/2024/05/10/x/", f"{SITE}/china/", GONE, COLUMN,
            SECTION_LIKE, TEA + "dual/"]
    outcomes = _add(tmp_path, site, urls)
    assert [o.address for o in outcomes] == urls
    got = {o.address: (o.status, o.reason) for o in outcomes}
    assert got[FERRY][0] is AddStatus.WRITTEN
    assert got[TEA + "dual/"][0] is AddStatus.WRITTEN
    assert "not a cn.nytimes.com address" in got["https://example.com/2024/05/10/x/"][1]
    assert "not an article address" in got[f"{SITE}/china/"][1]
    assert "HTTP 404" in got[GONE][1] and "no such article" in got[GONE][1]
    assert "no English original" in got[COLUMN][1]
    assert "not an article page" in got[SECTION_LIKE][1]
    for o in outcomes:
        assert o.ok == (o.status is not AddStatus.FAILED)
        assert o.ok or o.reason
    written = sorted(p.name for p in (tmp_path / "seeds").iterdir())
    assert written == ["20240510-ferry-returns.txt", "20240512-tea-harvest.txt"]
    ferry = read_seed_file(tmp_path / "seeds" / "20240510-ferry-returns.txt")
    assert ferry.cn_url == FERRY and len(ferry.paragraphs) == 6
    assert ferry.en_url == site.base + "/2024/05/09/world/asia/ferry-returns.html"
    tea = read_seed_file(tmp_path / "seeds" / "20240512-tea-harvest.txt")
    assert tea.cn_url == TEA  # the dual/ address gave the article's own


def test_a_rerun_fetches_nothing_and_keeps_the_seeds(tmp_path, site):
    _add(tmp_path, site, [FERRY, TEA])
    before = {p.name: p.read_bytes() for p in (tmp_path / "seeds").iterdir()}
    asked = len(site.requests)
    outcomes = _add(tmp_path, site, [FERRY, TEA + "?utm_source=RSS"])
    assert [o.status for o in outcomes] == [AddStatus.EXISTS, AddStatus.EXISTS]
    assert len(site.requests) == asked
    assert {p.name: p.read_bytes() for p in (tmp_path / "seeds").iterdir()} == before


def test_force_rewrites_in_place_from_the_cache(tmp_path, site):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    old = seeds / "my-own-name.txt"
    (_add(tmp_path, site, [FERRY]))
    (seeds / "20240510-ferry-returns.txt").rename(old)
    old.write_text(old.read_text(encoding="utf-8").replace("清晨六点", "早上六点"),
                   encoding="utf-8")
    asked = len(site.requests)
    (out,) = _add(tmp_path, site, [FERRY], force=True)
    assert out.status is AddStatus.REPLACED and out.path == str(old)
    assert "清晨六点" in old.read_text(encoding="utf-8")
    assert [p.name for p in seeds.iterdir()] == ["my-own-name.txt"]
    assert len(site.requests) == asked  # from the cache


def test_an_existing_seed_under_another_name_counts(tmp_path, site):
    _add(tmp_path, site, [FERRY])
    (tmp_path / "seeds" / "20240510-ferry-returns.txt").rename(tmp_path / "seeds" / "000_a.txt")
    (out,) = _add(tmp_path, site, [FERRY])
    assert out.status is AddStatus.EXISTS and out.path.endswith("000_a.txt")
    assert len(read_seeds([tmp_path / "seeds"]).articles) == 1


def test_the_same_article_listed_twice_is_written_once(tmp_path, site):
    outcomes = _add(tmp_path, site, [FERRY, FERRY + "zh-hant/"])
    assert [o.status for o in outcomes] == [AddStatus.WRITTEN, AddStatus.EXISTS]
    assert outcomes[1].reason == "listed more than once"
    assert site.hits("/business/20240510/ferry-returns/") == 1


def test_seeds_folder_that_is_a_file_is_an_error(tmp_path, site):
    (tmp_path / "seeds").write_text("x", encoding="utf-8")
    with pytest.raises(SeedError, match="is a file"):
        _add(tmp_path, site, [FERRY])


def test_a_server_error_is_one_failure(tmp_path, http_server):
    serve_site(http_server)
    http_server.route("/business/20240510/ferry-returns/", Reply(status=500))
    outcomes = _add(tmp_path, http_server, [FERRY, TEA])
    assert outcomes[0].status is AddStatus.FAILED and "HTTP 500" in outcomes[0].reason
    assert outcomes[1].status is AddStatus.WRITTEN


def test_links_on_a_section_page_and_a_feed(tmp_path, site):
    with Fetcher(fetch_config(tmp_path, site.base)) as fetcher:
        section = links_on_page(f"{SITE}/business/", fetcher)
        feed = links_on_page(f"{SITE}/rss/", fetcher)
        saved = links_on_page(str(DATA / "section.html"), fetcher)
    assert section == [FERRY, TEA, COLUMN, GONE, SECTION_LIKE] == saved
    assert feed == [FERRY, TEA]


def test_links_on_a_saved_gbk_page(tmp_path, site):
    saved = tmp_path / "section.html"
    text = (DATA / "section.html").read_text(encoding="utf-8")
    saved.write_bytes(text.replace('<meta charset="utf-8">', '<meta charset="gbk">')
                      .encode("gbk"))
    with Fetcher(fetch_config(tmp_path, site.base)) as fetcher:
        assert links_on_page(str(saved), fetcher)[0] == FERRY
        with pytest.raises(SeedError, match="cannot read"):
            links_on_page(str(tmp_path / "missing.html"), fetcher)


def test_address_list_file(tmp_path):
    f = tmp_path / "list.txt"
    f.write_bytes("\ufeff# from the business section\n\n  " .encode() + FERRY.encode()
                  + b"  \r\n" + TEA.encode() + b"\n")
    assert read_address_list(f) == [FERRY, TEA]
    with pytest.raises(SeedError, match="cannot read"):
        read_address_list(tmp_path / "missing.txt")


PROC = Path("/proc/self/maps")  # reports a size of 0, holds a few kB


@pytest.mark.skipif(not PROC.exists(), reason="no /proc")
def test_files_reporting_size_zero_are_capped_as_read(tmp_path, site, monkeypatch):
    monkeypatch.setattr("corpus.seedadd.MAX_LIST_BYTES", 100)
    with pytest.raises(SeedError, match="too large for a list of addresses"):
        read_address_list(PROC)
    with Fetcher(replace(fetch_config(tmp_path, site.base), max_bytes=100)) as fetcher, \
            pytest.raises(SeedError, match="too large for a page"):
        links_on_page(str(PROC), fetcher)


def test_robots_txt_is_honoured_unless_ignored(tmp_path, site):
    site.route("/robots.txt", body="User-agent: *\nDisallow: /opinion/\n",
               content_type="text/plain")
    urls = [COLUMN, FERRY]
    outcomes = _add(tmp_path, site, urls)
    assert outcomes[0].status is AddStatus.FAILED and "robots" in outcomes[0].reason
    assert outcomes[1].status is AddStatus.WRITTEN
    assert site.hits("/opinion/20240513/columnist-note/") == 0
    config = replace(fetch_config(tmp_path, site.base), ignore_robots=True)
    with Fetcher(config) as fetcher:
        (again,) = add_seeds([COLUMN], tmp_path / "seeds", fetcher)
    assert "no English original" in again.reason  # fetched this time


def test_a_gone_page_is_remembered_until_refresh(tmp_path, site):
    (first,) = _add(tmp_path, site, [GONE])
    assert "HTTP 404" in first.reason and site.hits("/world/20240514/gone-story/") == 1
    (again,) = _add(tmp_path, site, [GONE])
    assert "remembered; --refresh asks again" in again.reason
    assert site.hits("/world/20240514/gone-story/") == 1
    site.route("/world/20240514/gone-story/",
               body=(DATA / "ferry.html").read_text(encoding="utf-8")
               .replace("{{BASE}}", site.base))  # it appeared
    config = replace(fetch_config(tmp_path, site.base), refresh=True)
    with Fetcher(config) as fetcher:
        (fresh,) = add_seeds([GONE], tmp_path / "seeds", fetcher)
    assert fresh.status is AddStatus.WRITTEN


def test_a_bug_on_one_page_does_not_stop_the_rest(tmp_path, site, monkeypatch):
    import corpus.seedadd

    real = corpus.seedadd.parse_article_page

    def flaky(text: str, cn_url: str, **kw: object):
        if "ferry" in cn_url:
            raise RuntimeError("boom")
        return real(text, cn_url, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(corpus.seedadd, "parse_article_page", flaky)
    outcomes = _add(tmp_path, site, [FERRY, TEA])
    assert outcomes[0].status is AddStatus.FAILED and "a bug" in outcomes[0].reason
    assert outcomes[1].status is AddStatus.WRITTEN
