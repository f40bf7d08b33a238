"""`corpus seeds add`, `corpus seeds list-links` and `corpus build --url-file`, end to end
against the fixture site on a loopback server."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest

from corpus.cli import EXIT_FAILED_ITEMS, EXIT_OK, main
from corpus.cli.seeds import route_seeds_actions
from tests.test_seedadd import COLUMN, FERRY, GONE, SECTION_LIKE, SITE, TEA, serve_site


def _client(tmp_path: Path, base: str) -> list[str]:
    return ["--cache-dir", str(tmp_path / "cache"), "--allow-private", "--rate", "0",
            "--dual-base", base, "--archive-base", base]


@pytest.fixture
def site(http_server):
    serve_site(http_server)
    return http_server


@pytest.mark.parametrize(("argv", "routed"), [
    (["seeds", "add", "U"], ["seeds-add", "U"]),
    (["-v", "seeds", "list-links", "P"], ["-v", "seeds-list-links", "P"]),
    (["seeds", "./add"], ["seeds", "./add"]),
    (["seeds", "x", "add"], ["seeds", "x", "add"]),
    (["build", "seeds", "add"], ["build", "seeds", "add"]),
])
def test_seeds_actions_are_routed_only_right_after_seeds(argv, routed):
    assert route_seeds_actions(argv) == routed


def test_seeds_add_prints_one_line_per_address(tmp_path, site, capsys):
    out_dir = tmp_path / "seeds"
    argv = ["-q", "seeds", "add", FERRY, GONE, "-o", str(out_dir), *_client(tmp_path, site.base)]
    assert main(argv) == EXIT_FAILED_ITEMS
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == f"written\t20240510-ferry-returns\t{out_dir / '20240510-ferry-returns.txt'}"
    assert lines[1].startswith(f"FAILED\t{GONE}\tHTTP 404")
    assert main(["seeds", "add", FERRY, "-o", str(out_dir), "--json",
                 *_client(tmp_path, site.base)]) == EXIT_OK
    (rec,) = json.loads(capsys.readouterr().out)
    assert rec["status"] == "exists" and rec["article_id"] == "20240510-ferry-returns"
    # the written seed is one `corpus seeds` reads
    assert main(["seeds", str(out_dir)]) == EXIT_OK
    assert capsys.readouterr().out.startswith("20240510-ferry-returns\t2024-05-10\t6 paragraphs\t")


def test_seeds_add_needs_addresses(tmp_path, capsys):
    assert main(["seeds", "add", "-o", str(tmp_path)]) == 2
    assert "no addresses given" in capsys.readouterr().err


def test_list_links_then_build_from_the_list(tmp_path, site, capsys):
    client = _client(tmp_path, site.base)
    assert main(["seeds", "list-links", f"{SITE}/business/", *client]) == EXIT_OK
    listed = capsys.readouterr().out
    assert listed.splitlines() == [FERRY, TEA, COLUMN, GONE, SECTION_LIKE]
    url_list = tmp_path / "list.txt"
    url_list.write_text(listed + "https://example.com/not/cn/\n", encoding="utf-8")

    seeds, out = tmp_path / "seeds", tmp_path / "aligned"
    argv = ["-q", "build", str(seeds), "--url-file", str(url_list), "-o", str(out), *client]
    assert main(argv) == EXIT_FAILED_ITEMS  # the bad addresses
    err = capsys.readouterr().err
    assert f"seeds      failed 4, written 2  (of 6 addresses, into {seeds})" in err
    for bad, why in ((COLUMN, "no English original"), (GONE, "HTTP 404"),
                     (SECTION_LIKE, "not an article page"),
                     ("https://example.com/not/cn/", "not a cn.nytimes.com address")):
        assert f"FAILED\t{bad}\tseeds\t" in err and why in err

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    recs = {r["key"]: r for r in manifest["articles"]}
    assert recs["20240510-ferry-returns"]["status"] == "done"
    assert recs["20240510-ferry-returns"]["source"] == "original"
    tea = recs["20240512-tea-harvest"]
    assert tea["status"] == "done" and tea["source"] == "dual"
    # the bilingual page's Chinese was revised in one paragraph: recorded, seed's text used
    assert tea["counts"]["dual_zh"]["same"] is False
    assert tea["counts"]["dual_zh"]["seed_only"] == [2]
    assert tea["counts"]["dual_zh"]["dual_only"] == [2]  # the page's intro item is not body
    assert recs[GONE]["status"] == "failed" and recs[GONE]["stage"] == "seeds"
    tsv = (out / "corpus.tsv").read_text(encoding="utf-8")
    assert "减少三成" in tsv and "近四成" not in tsv
    assert "渡轮" in tsv

    # a rerun asks the site for nothing (the 404 is remembered) and reports the same
    asked = len(site.requests)
    assert main(argv) == EXIT_FAILED_ITEMS
    assert site.requests[asked:] == []
    assert f"FAILED\t{GONE}\tseeds\tHTTP 404 when asked on" in capsys.readouterr().err
    again = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {r["key"]: r["status"] for r in again["articles"]} == \
        {k: r["status"] for k, r in recs.items()}


def test_build_url_needs_one_seeds_folder(tmp_path, capsys):
    argv = ["build", str(tmp_path / "a"), str(tmp_path / "b"), "--url", FERRY]
    assert main(argv) == 2
    assert "one SEEDS folder" in capsys.readouterr().err


def test_build_url_keeps_one_rate_limit_per_host_across_both_phases(tmp_path, site, capsys):
    # the seeds of --url and then the originals come from one host (the fixture site): one
    # rate limit must hold across the two phases, not restart when the originals begin
    rate = 4.0
    client = [arg if arg != "0" else str(rate) for arg in _client(tmp_path, site.base)]
    argv = ["-q", "build", str(tmp_path / "seeds"), "--url", FERRY, TEA, "--only-fetch",
            "-o", str(tmp_path / "aligned"), *client]
    assert main(argv) == EXIT_OK
    assert any(r.route == "/2024/05/09/world/asia/ferry-returns.html" for r in site.requests)
    times = sorted(r.at for r in site.requests)
    assert len(times) >= 4
    gaps = [round(b - a, 3) for a, b in pairwise(times)]
    # requests start 1/rate apart; arrivals jitter by a few milliseconds
    assert min(gaps) >= 0.8 / rate, gaps
