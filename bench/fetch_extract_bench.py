"""Fetch-and-extract throughput from the page cache at 1, 2 and 4 workers (issue 17).

Three ways to run extraction, side by side in one run:

- ``in-workers``: each fetch thread extracts its own pages (the code before issue 17; it
  races trafilatura and lxml and can crash, so every measurement runs in a child process);
- ``one-thread``: the fetch threads hand pages to one extraction thread (the fix);
- ``processes``: a process pool of as many processes as workers (``forkserver``; the
  pool's start-up is counted, as a user pays it on every run).

Pages are news-shaped HTML written here (see ``tests/extract_stress.py``), each with about
200 kB of scripts and navigation as real article pages carry, served from a warm cache,
offline. Reports the median of ``--repeats`` runs, in pages per second.

    .venv/bin/python bench/fetch_extract_bench.py --pages 120 --repeats 3
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpus.cache import PageCache  # noqa: E402
from corpus.config import FetchConfig  # noqa: E402
from corpus.fetch import Fetcher  # noqa: E402
from corpus.http import Page  # noqa: E402
from corpus.model import Article, EnglishText  # noqa: E402
from tests.extract_stress import page, sentence  # noqa: E402

MODES = ("in-workers", "one-thread", "processes")
WORKERS = (1, 2, 4)


class InCaller(Executor):
    """Runs each call in the thread that submits it: extraction inside the fetch workers."""

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        fut: Future[Any] = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as err:  # noqa: BLE001 - handed to the caller through the future
            fut.set_exception(err)
        return fut


def heavy_page(rng: random.Random) -> str:
    html, _ = page(rng, rng.randint(15, 45))
    blob = json.dumps({"initialState": [sentence(rng) for _ in range(1500)]})
    nav = "".join(f'<li class="css-{i}"><a href="/section/{i}">Section {i}</a></li>'
                  for i in range(250))
    return (html.replace("</head>", f"<script>window.__preloadedData = {blob};</script></head>")
            .replace("<header>", f"<header><ul>{nav}</ul>"))


def prepare(folder: Path, count: int) -> list[Article]:
    rng = random.Random(17)
    cache = PageCache(folder / "cache")
    articles = []
    for i in range(count):
        url = f"https://www.example.com/2024/03/14/world/story-{i:04d}.html"
        cache.put(Page(url=url, final_url=url, status=200,
                       headers={"content-type": "text/html; charset=utf-8"},
                       body=heavy_page(rng).encode(), fetched_at=datetime.now(UTC)))
        articles.append(Article(id=f"20240314-story-{i:04d}", cn_url="", en_url=url,
                                en_url_problem=None, title="", paragraphs=()))
    return articles


def measure(mode: str, workers: int, folder: Path, count: int) -> float:
    """Seconds to fetch and extract every article once (in this process)."""
    articles = prepare(folder, count) if not (folder / "cache").exists() else [
        Article(id=f"20240314-story-{i:04d}", cn_url="",
                en_url=f"https://www.example.com/2024/03/14/world/story-{i:04d}.html",
                en_url_problem=None, title="", paragraphs=()) for i in range(count)]
    config = FetchConfig(offline=True, workers=workers, cache_dir=str(folder / "cache"))
    t0 = time.perf_counter()
    extractor: Executor | None = None
    if mode == "in-workers":
        extractor = InCaller()
    elif mode == "processes":
        extractor = ProcessPoolExecutor(workers,
                                        mp_context=multiprocessing.get_context("forkserver"))
    try:
        with Fetcher(config, extractor=extractor) as fetcher:
            done = sum(isinstance(got, EnglishText) for _, got in fetcher.fetch_many(articles))
    finally:
        if extractor is not None:
            extractor.shutdown()
    seconds = time.perf_counter() - t0
    if done != count:
        raise SystemExit(f"{mode}/{workers}: only {done} of {count} articles extracted")
    return seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=120)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument("--one", nargs=3, metavar=("MODE", "WORKERS", "FOLDER"),
                    help=argparse.SUPPRESS)  # a single measurement, in a child process
    args = ap.parse_args()
    if args.one:
        mode, workers, folder = args.one
        print(measure(mode, int(workers), Path(folder), args.pages))
        return 0
    modes = args.modes.split(",")
    print(f"{args.pages} pages from a warm cache, median of {args.repeats}; CPUs: "
          f"{os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")
    times: dict[tuple[str, int], list[float]] = {}
    crashes: dict[tuple[str, int], int] = {}
    with tempfile.TemporaryDirectory(prefix="fetch-bench-") as tmp:
        prepare(Path(tmp), args.pages)
        # Interleaved, so load on the machine falls on every mode alike.
        for _ in range(args.repeats):
            for workers in WORKERS:
                for mode in modes:
                    proc = subprocess.run(
                        [sys.executable, __file__, "--pages", str(args.pages),
                         "--one", mode, str(workers), tmp],
                        capture_output=True, text=True, cwd=ROOT, check=False)
                    key = (mode, workers)
                    if proc.returncode != 0:
                        crashes[key] = crashes.get(key, 0) + 1
                        print(f"  {mode} x{workers}: exit {proc.returncode} "
                              f"{proc.stderr.strip()[-200:]}", file=sys.stderr)
                        continue
                    times.setdefault(key, []).append(float(proc.stdout.split()[-1]))
    print(f"{'workers':>8} " + " ".join(f"{m:>14}" for m in modes) + "   (pages/s)")
    for workers in WORKERS:
        cells = []
        for mode in modes:
            got = times.get((mode, workers))
            cells.append(f"{args.pages / statistics.median(got):14.1f}" if got else
                         f"{'crashed':>14}")
        print(f"{workers:>8} " + " ".join(cells))
    for key, n in sorted(crashes.items()):
        print(f"{key[0]} x{key[1]}: {n} of {args.repeats} runs failed or crashed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
