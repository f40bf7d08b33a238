"""Extraction quality on the project's fixture pages of every nytimes.com layout we know.

For each page: how many of the expected body paragraphs come out whole (verbatim, after
whitespace is normalised), and how many lines come out that are not body text; for the
truncated page and the section front the right outcome is a refusal. Ours is
``corpus.extract.extract_article``; the baseline is plain ``trafilatura.extract(html)``
(default settings, one paragraph per output line). The fixture pages are written for the
project (no publisher's text) in the markup shape of the real pages:
``tests/data/pages/README.md``.

    .venv/bin/python bench/extract_bench.py [--markdown] [--before REV]

``--before REV`` adds a column for ``extract_article`` as it was at git revision REV (its
``corpus/extract.py`` loaded beside today's other modules), to show what a fix changed.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from corpus.errors import ExtractError
from corpus.extract import extract_article

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests/data/pages"
#: (file, layout, expected-paragraphs file or None when the page must be refused)
CASES = [
    (PAGES / "2016-story-body.html", "2016 p.story-body-text", "2016-story-body.expected.txt"),
    (PAGES / "2019-react-comments.html", "2019 React, <!-- --> markers",
     "2019-react-comments.expected.txt"),
    (ROOT / "tests/data/fetch/article.html", "2020+ StoryBodyCompanionColumn",
     ROOT / "tests/data/fetch/article.expected.txt"),
    (PAGES / "2021-subheads.html", "2021 companion columns + h2", "2021-subheads.expected.txt"),
    (PAGES / "2022-trust-module.html", "2022 trust module", "2022-trust-module.expected.txt"),
    (PAGES / "2024-truncated.html", "truncated (refuse)", None),
    (PAGES / "section-front.html", "section front (refuse)", None),
]


def _norm(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Result:
    whole: int
    extra: int
    lines: int
    refused: str
    seconds: float


def _score(found: list[str], expected: list[str]) -> tuple[int, int]:
    got = {_norm(p) for p in found}
    want = [_norm(p) for p in expected]
    return sum(p in got for p in want), sum(_norm(p) not in set(want) for p in found)


def _timed(fn, html: str) -> tuple[object, float]:  # type: ignore[no-untyped-def]
    times, out = [], None
    for _ in range(5):
        t0 = time.perf_counter()
        try:
            out = fn(html)
        except ExtractError as err:
            out = err
        times.append(time.perf_counter() - t0)
    return out, statistics.median(times)


def load_before(rev: str) -> Callable[[str], object]:
    """``extract_article`` from ``corpus/extract.py`` at git revision ``rev``."""
    src = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:corpus/extract.py"],
                         check=True, capture_output=True, text=True).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(src)
    spec = importlib.util.spec_from_file_location("extract_before", f.name)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.extract_article  # type: ignore[no-any-return]


def run_ours(html: str, expected: list[str],
             extract: Callable[[str], object] = extract_article) -> Result:
    out, secs = _timed(extract, html)
    if isinstance(out, ExtractError):
        return Result(0, 0, 0, type(out).__name__, secs)
    found = list(out.paragraphs)  # type: ignore[attr-defined]
    whole, extra = _score(found, expected)
    return Result(whole, extra, len(found), "", secs)


def run_baseline(html: str, expected: list[str]) -> Result:
    out, secs = _timed(trafilatura.extract, html)
    found = [x for x in (str(out or "")).splitlines() if x.strip()]
    whole, extra = _score(found, expected)
    return Result(whole, extra, len(found), "" if found else "nothing extracted", secs)


def _cell(r: Result, expected: list[str], refuse: bool) -> str:
    if refuse:
        return f"refused ({r.refused})" if r.refused and r.lines == 0 else \
            f"accepted {r.lines} lines"
    return f"{r.whole}/{len(expected)} whole, {r.extra} not body"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    ap.add_argument("--before", metavar="REV", help="add extract_article as of git REV")
    args = ap.parse_args()
    before = load_before(args.before) if args.before else None
    rows = []
    totals = {"ours": [0, 0], "trafilatura": [0, 0], "before": [0, 0], "expected": 0}
    for path, layout, exp in CASES:
        html = path.read_text(encoding="utf-8")
        expected = [] if exp is None else [
            x.removeprefix("## ") for x in (PAGES / exp if isinstance(exp, str) else exp)
            .read_text(encoding="utf-8").splitlines() if x.strip()]
        ours, base = run_ours(html, expected), run_baseline(html, expected)
        old = run_ours(html, expected, before) if before else None
        totals["expected"] += len(expected)
        for name, r in (("ours", ours), ("trafilatura", base), ("before", old)):
            if r is None:
                continue
            totals[name][0] += r.whole
            totals[name][1] += r.extra

        refuse = exp is None
        rows.append((path.name, layout, _cell(ours, expected, refuse),
                     _cell(base, expected, refuse),
                     *([_cell(old, expected, refuse)] if old else []),
                     f"{ours.seconds * 1e3:.1f} / {base.seconds * 1e3:.1f}"))
    head = ("page", "layout", "corpus extract_article", "trafilatura.extract",
            *([f"extract_article at {args.before}"] if before else []),
            "ms (ours / baseline, median of 5)")
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
        for r in rows:
            print("| " + " | ".join(r) + " |")
    else:
        for r in (head, *rows):
            print("  ".join(f"{c:34s}" if i < len(r) - 1 else c for i, c in enumerate(r)))
    print(f"\nall pages: ours {totals['ours'][0]}/{totals['expected']} whole, "
          f"{totals['ours'][1]} lines not body; trafilatura {totals['trafilatura'][0]}/"
          f"{totals['expected']} whole, {totals['trafilatura'][1]} lines not body"
          + (f"; before {totals['before'][0]}/{totals['expected']} whole, "
             f"{totals['before'][1]} lines not body" if before else "")
          + " (lines accepted from the two pages to refuse count as not body)")


if __name__ == "__main__":
    main()
