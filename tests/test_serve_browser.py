"""The workbench in a real browser: Chromium, driven by Playwright, corrects an article.

Build one article, open it in `corpus serve`, merge and split beads by clicking, undo one
edit, then check the corrections file and that a rebuild puts the corrections in the exports.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from corpus import corrections
from corpus.export.jsonl import read_jsonl_records
from corpus.model import Bead
from corpus.pipeline import build
from corpus.serve.articles import apply_op
from tests.test_corrections import ART, _one_article_site

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian package chromium "
                       "(scripts/apt-packages.txt)"),
]
sync_api = pytest.importorskip("playwright.sync_api")
pytest.importorskip("starlette")

from tests.servehelp import running  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def _pairs(out: Path) -> list[str]:
    return [f"[{','.join(map(str, r.pair.zh_ids))}]:[{','.join(map(str, r.pair.en_ids))}]"
            for r in read_jsonl_records(out / "beads" / f"{ART}.jsonl")]


def test_merge_split_undo_in_the_browser_then_rebuild(tmp_path, http_server):
    seeds, config = _one_article_site(tmp_path, http_server)
    out = Path(config.outdir)
    build([seeds], config)
    recs = read_jsonl_records(out / "beads" / f"{ART}.jsonl")
    beads = [Bead(r.pair.zh_ids, r.pair.en_ids) for r in recs]
    # merge beads 1 and 2, then split the result before its second English sentence
    merged = apply_op(beads, "merge:1")
    second_en = merged[1].en[1]
    expected = apply_op(merged, f"split:1:en:{second_en}")

    with running(out) as (base, _), sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page()
            # the report, served, links into the workbench (from disk those links are hidden)
            page.goto(f"{base}/report/index.html")
            assert page.is_visible("text=Search the corpus")
            with page.expect_navigation():
                page.click("#articles a")
            with page.expect_navigation():
                page.click("a.served")
            assert page.url == f"{base}/article/{ART}"
            page.goto(f"{base}/")
            page.click(f'a[href="/article/{ART}"]')
            page.wait_for_selector("#b1")
            assert "No corrections" in page.inner_text(".status")
            with page.expect_navigation():
                page.click('button[value="merge:1"]')
            assert page.inner_text("#b1 .kind") == merged[1].kind
            assert "corrected" in page.inner_text("#b1 .meta")
            with page.expect_navigation():
                page.click(f'#b1 button[value="split:1:en:{second_en}"]')
            assert page.inner_text("#b1 .kind") == expected[1].kind
            # a third edit, then undo it by clicking
            with page.expect_navigation():
                page.click('button[value="merge:3"]')
            assert "Undo (3)" in page.inner_text("form.undo")
            with page.expect_navigation():
                page.click("form.undo button")
            assert "Undo (2)" in page.inner_text("form.undo")
            assert "run corpus build" in page.inner_text(".status")
        finally:
            browser.close()

    path = corrections.corrections_path(out, ART)
    assert corrections.read(path).beads == tuple(expected)
    text = path.read_text(encoding="utf-8").splitlines()
    assert text[0] == corrections.FORMAT_LINE and text[3:] == [str(b) for b in expected]

    result = build([seeds], config)
    assert result.records[0].corrections["status"] == "applied"
    assert _pairs(out) == [str(b) for b in expected]
    tmx = (out / "corpus.tmx").read_text(encoding="utf-8")
    assert f'<prop type="x-corrections">corrections/{ART}.align</prop>' in tmx
    assert f'"corrections": "corrections/{ART}.align"' in (out / f"{ART}.jsonl").read_text(
        encoding="utf-8")
