"""The workbench server over HTTP on 127.0.0.1: pages, edits, CSRF, hosts, paths."""

from __future__ import annotations

import re

import pytest
import requests

from corpus import corrections
from corpus.index import build_index
from tests.workbenchdata import write_built

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from tests.lockhelp import lock_held_elsewhere
from tests.servehelp import running

ART = "20240105-belt-road"


@pytest.fixture
def served(tmp_path):
    out = write_built(tmp_path / "aligned")
    build_index(out)
    (out / "report" / "articles").mkdir(parents=True)
    (out / "report" / "index.html").write_text("<p>report index</p>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("SECRET", encoding="utf-8")
    with running(out) as (base, app):
        yield out, base, app.state.csrf


def _token(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_home_search_and_article_pages(served):
    _out, base, _ = served
    home = requests.get(base + "/", timeout=10)
    assert home.status_code == 200 and "default-src 'none'" in home.headers[
        "Content-Security-Policy"]
    assert f'href="/article/{ART}"' in home.text and "一带一路十年" in home.text
    found = requests.get(base + "/search", params={"q": "一带一路", "renderings": "1"},
                         timeout=10)
    assert found.status_code == 200
    assert "5 matching beads in 3 articles" in found.text
    assert f'href="/article/{ART}#b0"' in found.text  # results link into the articles
    assert "<mark>一带一路</mark>" in found.text and "belt and road" in found.text
    bad = requests.get(base + "/search", params={"q": "(", "regex": "1"}, timeout=10)
    assert bad.status_code == 400 and "not a valid regular expression" in bad.text
    page = requests.get(base + f"/article/{ART}", timeout=10)
    assert page.status_code == 200
    # flagged beads listed first, then every bead side by side
    flagged = page.text.index("Flagged beads (2)")
    assert flagged < page.text.index('id="b0"')
    assert 'value="merge:0"' in page.text and 'value="unmatch:zh:0"' in page.text


def test_doubtful_beads_are_flagged_with_their_confidence(served):
    _, base, _ = served
    page = requests.get(base + "/article/20240320-port-deal", timeout=10)
    assert page.status_code == 200
    assert "Flagged beads (1)" in page.text and "doubtful" in page.text
    assert 'title="confidence">p 0.20' in page.text


def test_edit_and_undo_over_http(served):
    out, base, token = served
    s = requests.Session()
    page = s.get(base + f"/article/{ART}", timeout=10)
    assert _token(page.text) == token
    r = s.post(base + f"/article/{ART}/edit", data={"csrf": token, "op": "merge:0"},
               allow_redirects=False, timeout=10)
    assert r.status_code == 303 and r.headers["location"] == f"/article/{ART}#b0"
    path = corrections.corrections_path(out, ART)
    assert corrections.read(path).beads[0].zh == (0, 1)
    page = s.get(base + r.headers["location"], timeout=10)
    assert "corrected" in page.text and "Undo (1)" in page.text
    bad = s.post(base + f"/article/{ART}/edit", data={"csrf": token, "op": "merge:99"},
                 timeout=10)
    assert bad.status_code == 409 and "no next bead" in bad.text
    r = s.post(base + f"/article/{ART}/undo", data={"csrf": token}, allow_redirects=False,
               timeout=10)
    assert r.status_code == 303 and not path.exists()


def test_writes_need_the_token_and_our_origin(served):
    out, base, token = served
    url = base + f"/article/{ART}/edit"
    for data, headers in (({"op": "merge:0"}, {}), ({"op": "merge:0", "csrf": "x" * 43}, {}),
                          ({"op": "merge:0", "csrf": token},
                           {"Origin": "http://evil.example"})):
        r = requests.post(url, data=data, headers=headers, timeout=10)
        assert r.status_code == 403
    assert requests.get(url, timeout=10).status_code == 405
    assert not corrections.corrections_path(out, ART).exists()


def test_other_host_names_are_refused(served):
    _, base, _ = served
    r = requests.get(base + "/", headers={"Host": "attacker.example:80"}, timeout=10)
    assert r.status_code == 400


@pytest.mark.parametrize("path", [
    "/report/../../secret.txt", "/report/%2e%2e/%2e%2e/secret.txt", "/report/..%2f..%2fsecret.txt",
    "/report//etc/passwd", "/static/../corrections.py", "/static/report.js",
    "/article/..%2f..%2fsecret.txt", "/article/nope", "/report/articles",
])
def test_nothing_outside_the_folder_is_reachable(served, path):
    _, base, _ = served
    r = requests.get(base + path, timeout=10)
    assert r.status_code in (404, 400), (path, r.status_code)
    assert "SECRET" not in r.text and "root:" not in r.text


def test_the_report_is_served(served):
    _, base, _ = served
    r = requests.get(base + "/report/index.html", timeout=10)
    assert r.status_code == 200 and r.text == "<p>report index</p>"
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-security-policy"] == "frame-ancestors 'none'"


def test_cli_serve_binds_loopback_unless_told(tmp_path, monkeypatch, capsys):
    from corpus.cli import main

    calls = []
    monkeypatch.setattr("corpus.serve.run", lambda outdir, **kw: calls.append((outdir, kw)))
    out = write_built(tmp_path / "aligned")
    assert main(["serve", str(out)]) == 0
    assert calls[-1][1] == {"host": "127.0.0.1", "port": 8765}
    assert "http://127.0.0.1:8765/" in capsys.readouterr().err
    assert main(["serve", str(out), "--host", "0.0.0.0", "--port", "9000"]) == 0
    assert calls[-1][1] == {"host": "0.0.0.0", "port": 9000}
    assert "anyone who can reach this address" in capsys.readouterr().err


def test_a_write_while_a_build_holds_the_folder_is_refused_and_shown(served):
    out, base, token = served
    path = corrections.corrections_path(out, ART)
    with lock_held_elsewhere(out) as pid:
        for action, data in (("edit", {"csrf": token, "op": "merge:0"}),
                             ("undo", {"csrf": token})):
            r = requests.post(base + f"/article/{ART}/{action}", data=data,
                              allow_redirects=False, timeout=10)
            assert r.status_code == 423, action
            assert f"not saved: {out} is being written by process {pid} (corpus build" in r.text
            assert "try again when it has finished" in r.text
            assert 'id="b0"' in r.text  # the article is shown again, unchanged
        assert not path.exists()
    r = requests.post(base + f"/article/{ART}/edit", data={"csrf": token, "op": "merge:0"},
                      allow_redirects=False, timeout=10)
    assert r.status_code == 303 and path.is_file()  # the lock went with its holder
