"""Speed of `corpus seeds add` and `list-links` on generated cn.nytimes.com pages, served
on 127.0.0.1 (no rate limit: the site's own 1 request/s would dominate any real run).

Prints, for N article pages shaped like the fixture page ``tests/data/cnsite/ferry.html``
(each with its own slug and body): seeds written per second on a cold cache, the time of a
rerun (every seed already there: nothing fetched), the time with --force from the page cache;
and how the time of ``list_links`` grows with the number of links on a section page
(it should grow linearly).

    .venv/bin/python bench/seeds_add.py --articles 300
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpus.cnsite import list_links
from corpus.config import FetchConfig
from corpus.fetch import Fetcher
from corpus.seedadd import AddStatus, add_seeds
from tests.httpserver import HTTPTestServer

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "data" / "cnsite" / "ferry.html"


def _pages(n: int, base: str) -> dict[str, str]:
    template = FIXTURE.read_text(encoding="utf-8").replace("{{BASE}}", base)
    out = {}
    for i in range(n):
        path = f"/business/20240510/ferry-{i:05d}/"
        body = template.replace("二十多名乘客", f"{i}名乘客").replace("ferry-returns", f"ferry-{i:05d}")
        out[path] = body
    return out


def _run(urls: list[str], folder: Path, config: FetchConfig, **kw: bool) -> tuple[float, int]:
    t0 = time.perf_counter()
    with Fetcher(config) as fetcher:
        outcomes = add_seeds(urls, folder, fetcher, **kw)
    assert all(o.ok for o in outcomes), [o.reason for o in outcomes if not o.ok][:3]
    return time.perf_counter() - t0, sum(o.status is not AddStatus.EXISTS for o in outcomes)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=3, help="timed runs of list_links per size")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, HTTPTestServer() as server:
        for path, body in _pages(args.articles, server.base).items():
            server.route(path, body=body)
        config = FetchConfig(cache_dir=str(Path(tmp) / "cache"), allow_private=True, rate=0,
                             retries=0, dual_base=server.base)
        urls = [f"https://cn.nytimes.com{p}" for p in _pages(args.articles, server.base)]
        folder = Path(tmp) / "seeds"
        cold, written = _run(urls, folder, config)
        asked = len(server.requests)
        rerun, _ = _run(urls, folder, config)
        forced, rewritten = _run(urls, folder, config, force=True)
        print(f"seeds add, {args.articles} article pages on 127.0.0.1:")
        print(f"  cold cache   {cold:6.2f} s  {written / cold:6.1f} seeds/s  ({asked} requests)")
        print(f"  rerun        {rerun:6.2f} s  {len(server.requests) - asked} requests")
        print(f"  --force      {forced:6.2f} s  {rewritten / forced:6.1f} seeds/s from the cache")
    print("list_links on a section page of N links (median of "
          f"{args.repeat} runs; the ratio column should stay near 1 for linear time):")
    first = None
    for n in (1_000, 10_000, 100_000):
        page = "<html><body><ul>" + "".join(
            f'<li><a href="/world/2024{(i % 12) + 1:02d}01/story-{i}/">第{i}篇</a>'
            f'<a href="/world/">国际</a></li>' for i in range(n)) + "</ul></body></html>"
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            found = list_links(page, "https://cn.nytimes.com/world/")
            times.append(time.perf_counter() - t0)
        assert len(found) == n
        per = statistics.median(times) / n
        first = first or per
        print(f"  {n:>7} links  {statistics.median(times):7.3f} s  "
              f"{per * 1e6:6.2f} us/link  ratio {per / first:4.2f}")


if __name__ == "__main__":
    main()
