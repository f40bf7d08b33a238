"""The report in a real browser: headless Chromium loads the pages from disk."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from corpus.model import AlignedDocument, Alignment, Bead, Sentence
from corpus.report import write_report

Image = pytest.importorskip("PIL.Image")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="needs Debian package chromium "
                       "(scripts/apt-packages.txt)"),
]

# The script would rename the page and add an element: neither may ever happen.
ATTACK = ("<script>document.title='PWNED';var e=document.createElement('div');"
          "e.id='pwned';document.body.appendChild(e)</script>"
          "<img src=x onerror=\"document.title='PWNED'\">")
DROPPED_BG = (0xFF, 0xD9, 0xD6)  # --dropped in report.css


def _doc() -> AlignedDocument:
    zh = [(0, "市长周二宣布了新的公园计划。"), (0, "计划包括三座新桥。"),
          (1, ATTACK + "译者补充的一句话。"), (1, "工程明年开始。"), (1, "预计两年完工。")]
    en = [(0, "The mayor announced a new park plan on Tuesday."),
          (0, "The plan includes three new bridges."),
          (1, "A sentence the translator left out of the Chinese."),
          (1, "Work starts next year and should take two years.")]
    beads = (Bead((0,), (0,), 0.9), Bead((1,), (1,), 0.3), Bead((), (2,), 0.0),
             Bead((2,), (), 0.0), Bead((3, 4), (3,), 0.7))
    return AlignedDocument(
        "20240101-park-plan",
        tuple(Sentence(p, i, t, 0, len(t)) for i, (p, t) in enumerate(zh)),
        tuple(Sentence(p, i, t, 0, len(t)) for i, (p, t) in enumerate(en)),
        Alignment(beads), {"title": "公园计划" + ATTACK},
    )


def _chromium(tmp_path: Path, url: str, *args: str) -> str:
    cmd = [CHROMIUM or "chromium", "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--hide-scrollbars",
           f"--user-data-dir={tmp_path / 'profile'}", *args, url]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=90, check=False,
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report([_doc()], tmp_path_factory.mktemp("report") / "out", low_score=0.5)


def test_screenshot_shows_both_columns(report: Path, tmp_path: Path) -> None:
    page = report.parent / "articles" / "20240101-park-plan.html"
    shot = tmp_path / "shot.png"
    _chromium(tmp_path, page.as_uri(), f"--screenshot={shot}", "--window-size=1200,900")
    img = Image.open(shot).convert("RGB")
    w, h = img.size
    assert (w, h) == (1200, 900)
    px = img.load()
    colours = {px[x, y] for x in range(0, w, 7) for y in range(0, h, 7)}
    assert len(colours) > 20, "the screenshot is (nearly) blank"

    def dark(x0: int, x1: int) -> int:  # text pixels in a vertical band, lower half of the page
        return sum(1 for x in range(x0, x1, 2) for y in range(h // 3, h, 2)
                   if sum(px[x, y]) < 200)

    # the grid: 7.5rem of bead info, then two equal columns, Chinese left and English right
    assert dark(int(w * 0.2), int(w * 0.48)) > 200, "no text in the Chinese column"
    assert dark(int(w * 0.6), int(w * 0.95)) > 200, "no text in the English column"
    # the dropped sentence's row is tinted across both columns
    tinted = [x for x in range(0, w, 3) for y in range(0, h, 3) if px[x, y] == DROPPED_BG]
    assert tinted and min(tinted) < w * 0.45 < w * 0.55 < max(tinted)


def test_injected_script_is_text_and_never_runs(report: Path, tmp_path: Path) -> None:
    for page in (report.parent / "articles" / "20240101-park-plan.html", report):
        dom = _chromium(tmp_path, page.as_uri(), "--dump-dom", "--virtual-time-budget=3000")
        title = dom.split("<title>", 1)[1].split("</title>", 1)[0]
        assert title.startswith(("公园计划&lt;script&gt;", "Aligned articles"))  # not 'PWNED'
        assert 'id="pwned"' not in dom
        assert "<img" not in dom
        assert dom.count("<script") == 1  # ours
        assert "&lt;script&gt;document.title='PWNED'" in dom or "index" in page.name


def test_our_script_runs_and_fills_in_the_counts(report: Path, tmp_path: Path) -> None:
    article = report.parent / "articles" / "20240101-park-plan.html"
    dom = _chromium(tmp_path, article.as_uri(), "--dump-dom", "--virtual-time-budget=3000")
    assert '<body class="article js">' in dom
    assert "5 of 5 beads shown" in dom
    dom = _chromium(tmp_path, report.as_uri(), "--dump-dom", "--virtual-time-budget=3000")
    assert "1 of 1 articles shown" in dom


def test_phone_width_stacks_the_columns(report: Path, tmp_path: Path) -> None:
    page = report.parent / "articles" / "20240101-park-plan.html"
    shot = tmp_path / "phone.png"
    _chromium(tmp_path, page.as_uri(), f"--screenshot={shot}", "--window-size=390,1400")
    img = Image.open(shot).convert("RGB")
    px = img.load()
    w, h = img.size
    # stacked: the dropped row's tint spans (nearly) the full width, not half of it
    rows = [y for y in range(0, h, 2) if px[w // 2, y] == DROPPED_BG]
    assert rows, "the dropped sentence is not shown"
    y = rows[0]
    tinted = [x for x in range(w) if px[x, y] == DROPPED_BG]
    assert max(tinted) - min(tinted) > w * 0.8


# Distinct characters of the report's kind of text, and a code point no font draws (plane-16
# private use), which shows what a missing glyph looks like in this browser.
GLYPHS = "市长公园计划"
NO_GLYPH = "\U0010fffd"


def test_chinese_renders_as_glyphs_not_missing_glyph_boxes(tmp_path: Path) -> None:
    """With no CJK font (Debian: fonts-noto-cjk) every character is the same empty box."""
    from corpus.report.page import page

    cells = "".join(
        f'<span style="position:absolute;left:{20 + 120 * i}px;top:20px;font-size:80px;'
        f'line-height:1" lang="zh-Hans">{ch}</span>' for i, ch in enumerate(GLYPHS + NO_GLYPH))
    html = tmp_path / "glyphs.html"
    html.write_text(page("glyphs", cells, lang="zh-Hans", kind="index"), encoding="utf-8")
    shot = tmp_path / "glyphs.png"
    _chromium(tmp_path, html.as_uri(), f"--screenshot={shot}", "--window-size=1000,200")
    img = Image.open(shot).convert("L")
    crops = [img.crop((20 + 120 * i - 5, 15, 20 + 120 * i + 105, 125)).tobytes()
             for i in range(len(GLYPHS) + 1)]
    assert all(any(b < 128 for b in c) for c in crops), "a character drew nothing at all"
    *chinese, missing = (hash(c) for c in crops)
    assert len(set(chinese)) == len(GLYPHS), (
        "different Chinese characters render the same: missing-glyph boxes (install a CJK "
        "font, Debian package fonts-noto-cjk in scripts/apt-packages.txt)")
    assert missing not in chinese, "Chinese renders as the missing-glyph box"
