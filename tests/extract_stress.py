"""Race extraction the way the fetch pool does: many pages, several workers, repeated.

Run as a script (``python -m tests.extract_stress --rounds 3 --workers 4``) so that a native
crash (SIGSEGV, ``double free``) kills this process, not the caller: the test suite reads
its exit status. Exit 0: every article came out as serial extraction gives it, and no two
extractions ever ran at once; 1: an article failed or came out different; 2: extractions
overlapped in time (trafilatura and lxml are not safe to run in several threads: the
crash of issue 17); a negative status (or 128+N from a shell): died of signal N.

The pages are written here (no publisher text): news-shaped HTML of varied length, with
React comment markers, inline furniture and a byline, given to ``Fetcher.fetch_many`` as
the users' own files, offline, exactly as ``corpus fetch --original`` would.
"""

from __future__ import annotations

import argparse
import functools
import random
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import corpus.fetch
from corpus.config import FetchConfig
from corpus.extract import extract_article
from corpus.fetch import Fetcher
from corpus.model import Article, EnglishText

WORDS = (
    "river", "ferry", "town", "council", "harbour", "winter", "budget", "engine", "captain",
    "season", "bridge", "market", "crossing", "passengers", "timber", "repair", "vote",
    "mayor", "boat", "dock", "tide", "morning", "village", "school", "road", "weather",
    "island", "fishermen", "notice", "schedule",
)


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
    return " ".join(words).capitalize() + rng.choice(".?!")


def page(rng: random.Random, n: int) -> tuple[str, list[str]]:
    """An article page of ``n`` paragraphs, and the paragraphs written into it."""
    paras = [" ".join(sentence(rng) for _ in range(rng.randint(2, 5))) for _ in range(n)]
    body = []
    for i, p in enumerate(paras):
        words = p.split(" ")
        cut = len(words) // 2  # a React text marker in running text, as 2019+ pages have
        body.append(f'<p class="css-at9mc1 evys1bk0">{" ".join(words[:cut])} '
                    f'<!-- -->{" ".join(words[cut:])}</p>')
        if i % 7 == 3:
            body.append('<div class="ad"><p>Advertisement</p></div>')
        if i % 9 == 5:
            body.append('<figure><img src="x.jpg"><figcaption>A dock in winter.'
                        '</figcaption></figure>')
    html = (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        f"<title>Story {n} - The New York Times</title>"
        '<meta property="og:type" content="article">'
        '<meta property="article:published_time" content="2024-03-14T09:00:00Z">'
        "</head><body><header><nav><a href=/>Home</a><a href=/world>World</a></nav></header>"
        f"<main><article><h1>Story {n}</h1><p class=byline>By Ann Lee</p>"
        '<section name="articleBody">' + "".join(body) + "</section></article></main>"
        "<footer><p>© 2024 The Times</p></footer></body></html>"
    )
    return html, paras


def make_pages(folder: Path, count: int, seed: int) -> dict[str, tuple[Path, list[str]]]:
    """Write ``count`` pages; each comes with what one thread alone extracts from it."""
    rng = random.Random(seed)
    out = {}
    for i in range(count):
        html, _ = page(rng, rng.randint(12, 40))
        path = folder / f"p{i:03d}.html"
        path.write_text(html, encoding="utf-8")
        # The reference is serial extraction, not the paragraphs written: this checks that
        # racing changes nothing, whatever extract.py makes of the markup.
        out[f"2024031{i % 10}-story-{i:03d}"] = (path, list(extract_article(html).paragraphs))
    return out


class Overlap:
    """Counts how many wrapped calls run at the same moment (the most ever seen)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.active = self.most = 0

    def wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def inner(*args: Any, **kw: Any) -> Any:
            with self._lock:
                self.active += 1
                self.most = max(self.most, self.active)
            try:
                return fn(*args, **kw)
            finally:
                with self._lock:
                    self.active -= 1
        return inner


def watch_extraction() -> Overlap:
    """Wrap every extraction function the fetcher calls, to see whether any two overlap."""
    overlap = Overlap()
    for name in ("extract_article", "extract_dual", "paywall_marker"):
        setattr(corpus.fetch, name, overlap.wrap(getattr(corpus.fetch, name)))
    return overlap


def run(pages: dict[str, tuple[Path, list[str]]], workers: int, cache: Path) -> int:
    """Fetch every page once through the pool; return the number of wrong results."""
    articles = [Article(id=aid, cn_url="", en_url=None, en_url_problem="none in the test",
                        title="", paragraphs=()) for aid in pages]
    config = FetchConfig(offline=True, workers=workers, cache_dir=str(cache), rate=0,
                         originals={aid: str(p) for aid, (p, _) in pages.items()})
    bad = 0
    with Fetcher(config) as fetcher:
        for art, got in fetcher.fetch_many(articles):
            want = pages[art.id][1]
            if not isinstance(got, EnglishText) or list(got.paragraphs) != want:
                bad += 1
                print(f"{art.id}: {got if not isinstance(got, EnglishText) else 'wrong text'}",
                      file=sys.stderr)
    return bad


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=40)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--switch", type=float, default=1e-5,
                    help="sys.setswitchinterval: small values make threads swap often")
    args = ap.parse_args(argv)
    sys.setswitchinterval(args.switch)
    with tempfile.TemporaryDirectory(prefix="extract-stress-") as tmp:
        pages = make_pages(Path(tmp), args.pages, args.seed)
        overlap = watch_extraction()
        bad = sum(run(pages, args.workers, Path(tmp) / "cache") for _ in range(args.rounds))
    print(f"{args.rounds} rounds x {len(pages)} pages, {args.workers} workers: {bad} wrong, "
          f"at most {overlap.most} extractions at once")
    return 1 if bad else 2 if overlap.most > 1 else 0


if __name__ == "__main__":
    sys.exit(main())
