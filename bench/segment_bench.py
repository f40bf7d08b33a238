"""Compare sentence splitters on the project's segmentation test set: accuracy and speed.

Run from the repository root, after ``pip install -e '.[bench]'``:

    .venv/bin/python bench/segment_bench.py            # Markdown table
    .venv/bin/python bench/segment_bench.py --json     # the numbers as JSON
    .venv/bin/python bench/segment_bench.py --sentences ../shared/bench/mac-dev

``--sentences DIR`` also scores the tools on hand-split text read by path from ``DIR/zh``
and ``DIR/en`` (one sentence per line per file, each file taken as one paragraph); only
numbers are printed.

Accuracy per tool and test set: exact match of the whole sentence list per case, and
precision/recall/F1 of the inner sentence boundaries (whitespace ignored). Speed: the
cases are grouped into "articles" of about a news article's length (6,000 characters of
English, 2,500 of Chinese); each article is split paragraph by paragraph ``--repeats``
times, and the median time per article is reported.
A splitter that is not installed is listed as such; one that has no rules for a language
(sentence-splitter has no Chinese) is left out of that language.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpus.segment import split_text
from tests.segment_cases import SETS, Case, load_cases, score

Splitter = Callable[[str], Sequence[str]]
ARTICLE_CHARS = {"en": 6000, "zh": 2500}  # a news article's length, for the timing


def _ours(lang: str) -> Splitter:
    return lambda text: split_text(text, lang)


def _regex(lang: str) -> Splitter:
    """The naive baseline: cut after . ? ! (English) or 。！？ and closing quotes (Chinese)."""
    if lang == "en":
        pattern = re.compile(r"(?:(?<=[.?!])|(?<=[.?!][\"”’)]))\s+")
        return lambda text: pattern.split(text)
    pattern = re.compile(r"([。！？!?…]+[”’」』）)]*)")

    def split(text: str) -> list[str]:
        parts = pattern.split(text)
        return ["".join(parts[i:i + 2]) for i in range(0, len(parts), 2)]
    return split


def _pysbd(lang: str) -> Splitter:
    import pysbd

    seg = pysbd.Segmenter(language=lang, clean=False)
    return seg.segment


def _blingfire(lang: str) -> Splitter:
    import blingfire

    return lambda text: blingfire.text_to_sentences(text).split("\n")


def _sentence_splitter(lang: str) -> Splitter | None:
    from sentence_splitter import SentenceSplitter, SentenceSplitterException

    try:
        return SentenceSplitter(language=lang).split
    except SentenceSplitterException:
        return None


def _syntok(lang: str) -> Splitter:
    from syntok import segmenter

    def split(text: str) -> list[str]:
        # cut the text at each sentence's first token: token values are rewritten (n't -> not)
        starts = [sent[0].offset for para in segmenter.process(text) for sent in para if sent]
        return [text[a:b] for a, b in zip([0, *starts[1:]], [*starts[1:], len(text)], strict=True)]
    return split


TOOLS: dict[str, Callable[[str], Splitter | None]] = {
    "corpus (ours)": _ours,
    "pysbd": _pysbd,
    "blingfire": _blingfire,
    "sentence-splitter": _sentence_splitter,
    "syntok": _syntok,
    "naive regex": _regex,
}


def _version(tool: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    dist = {"corpus (ours)": "corpus", "naive regex": ""}.get(tool, tool)
    if not dist:
        return ""
    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def _ms_per_article(split: Splitter, cases: Sequence[Case], repeats: int) -> float:
    articles: list[list[str]] = [[]]
    for c in cases:
        if sum(map(len, articles[-1])) >= ARTICLE_CHARS[c.lang]:
            articles.append([])
        articles[-1].append(c.text)
    times = []
    for _ in range(repeats):
        for art in articles:
            t0 = time.perf_counter()
            for para in art:
                split(para)
            times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def run(repeats: int) -> list[dict[str, object]]:
    """Score every installed tool on every test set; one row per (tool, set)."""
    rows: list[dict[str, object]] = []
    for name in SETS:
        lang = name[:2]
        cases = load_cases(name)
        for tool, make in TOOLS.items():
            row: dict[str, object] = {"set": name, "tool": tool, "version": _version(tool)}
            try:
                split = make(lang)
            except ImportError:
                row["status"] = "not installed"
                rows.append(row)
                continue
            if split is None:
                continue  # no rules for this language
            s = score(split, cases)
            row.update(cases=s.cases, exact=s.exact, accuracy=s.accuracy,
                       precision=s.precision, recall=s.recall, f1=s.f1,
                       ms_per_article=_ms_per_article(split, cases, repeats))
            rows.append(row)
    return rows


def sentence_files(folder: Path, lang: str) -> list[Case]:
    """Read hand-split text: each ``folder/lang/*.txt`` (one sentence a line) is one case."""
    cases = []
    for path in sorted((folder / lang).glob("*.txt")):
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
        cases.append(Case(lang, path.stem, 0, tuple(ln for ln in lines if ln)))
    return cases


def run_sentence_files(folder: Path) -> str:
    """Boundary P/R/F1 of every tool on hand-split files, as a Markdown table."""
    out = ["| tool | zh P | zh R | zh F1 | en P | en R | en F1 |", "|---|---|---|---|---|---|---|"]
    cases = {lang: sentence_files(folder, lang) for lang in ("zh", "en")}
    for tool, make in TOOLS.items():
        cells = []
        for lang in ("zh", "en"):
            try:
                split = make(lang)
            except ImportError:
                split = None
            if split is None or not cases[lang]:
                cells += ["", "", ""]
                continue
            s = score(split, cases[lang])
            cells += [f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}"]
        out.append(f"| {tool} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def markdown(rows: list[dict[str, object]]) -> str:
    """One table per language: the test set, the held-out set, and the speed."""
    out = []
    for lang, title in (("en", "English"), ("zh", "Chinese")):
        out += [f"{title}:", "",
                "| tool | test set: exact | P | R | F1 | held-out: exact | F1 | ms / article |",
                "|---|---|---|---|---|---|---|---|"]
        test = {r["tool"]: r for r in rows if r["set"] == lang}
        held = {r["tool"]: r for r in rows if r["set"] == f"{lang}_heldout"}
        for tool, r in test.items():
            name = f"{tool} {r['version']}".strip()
            if "status" in r:
                out.append(f"| {name} | {r['status']} | | | | | | |")
                continue
            h = held[tool]
            out.append(f"| {name} | {r['exact']}/{r['cases']} = {r['accuracy']:.1%} "
                       f"| {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} "
                       f"| {h['exact']}/{h['cases']} = {h['accuracy']:.1%} | {h['f1']:.3f} "
                       f"| {r['ms_per_article']:.2f} |")
        out.append("")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5, help="timing repeats (default 5)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    parser.add_argument("--sentences", type=Path, metavar="DIR",
                        help="also score on hand-split files DIR/zh/*.txt and DIR/en/*.txt")
    args = parser.parse_args(argv)
    if args.sentences:
        print(run_sentence_files(args.sentences))
        print()
    rows = run(args.repeats)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
