"""`corpus fetch` and `corpus build`, with the fetch options they share."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus.cli.base import (
    EXIT_FAILED_ITEMS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    given_settings,
    log,
    print_json,
    safe,
    safe_lines,
)
from corpus.cli.export import add_filter_options, export_settings
from corpus.cli.seeds import add_url_options, addresses_from_args
from corpus.config import (
    DEFAULT_MODEL,
    BuildConfig,
    ExportConfig,
    ExportFormat,
    FetchConfig,
    default_of,
    from_table,
    load_build_config,
)
from corpus.errors import CorpusError

if TYPE_CHECKING:
    from corpus.fetch import Fetcher
    from corpus.seedadd import AddOutcome

# --------------------------------------------------------------------------- build


def _original(text: str) -> tuple[str, str]:
    art_id, sep, path = text.partition("=")
    if not sep or not art_id or not path:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected ID=PATH, e.g. 20240621-some-slug=originals/some-slug.html"
        )
    return art_id.strip(), path.strip()


class _CollectOriginals(argparse.Action):
    """Repeated ``--original ID=PATH`` into the {id: path} dict FetchConfig.originals holds
    (a later one for the same id wins), so the value needs no converting downstream."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        art_id, path = values
        setattr(namespace, self.dest, {**(getattr(namespace, self.dest, None) or {}),
                                       art_id: path})


def add_fetch_options(p: argparse.ArgumentParser) -> None:
    """Where the English originals come from and how politely; shared by fetch and build."""
    g = p.add_argument_group("fetching")
    g.add_argument(
        "--cache-dir",
        help="page cache folder (default: $CORPUS_CACHE_DIR or "
        "the user cache folder, e.g. ~/.cache/corpus/http)",
    )
    g.add_argument("--refresh", action="store_true", default=None,
                   help="fetch again what the cache has")
    g.add_argument("--offline", action="store_true", default=None,
                   help="use the cache only and report what is missing")
    g.add_argument(
        "--original",
        action=_CollectOriginals,
        type=_original,
        metavar="ID=PATH",
        help="use this file (HTML or text) as the English original of article ID; "
        "repeatable. A sidecar <seed>.en.html or <seed>.en.txt works too",
    )
    g.add_argument("--user-agent", help="User-Agent header to send")
    g.add_argument(
        "--rate",
        type=float,
        metavar="R",
        help=f"requests per second per host (default {_fetch_default('rate'):g}; 0 = no limit)",
    )
    g.add_argument("--jobs", type=int, metavar="N",
                   help=f"pages fetched at once (default {_fetch_default('workers')})")
    g.add_argument(
        "--deadline",
        type=float,
        metavar="SECONDS",
        help="longest time one request may take in all, however slowly the server sends "
        f"(default {_fetch_default('deadline'):g})",
    )
    g.add_argument(
        "--ignore-robots",
        action="store_true",
        default=None,
        help="fetch pages that a site's robots.txt disallows (only with the site's permission)",
    )
    g.add_argument(
        "--allow-private",
        action="store_true",
        default=None,
        help="allow loopback and private addresses (local mirrors, tests)",
    )
    g.add_argument(
        "--dual-base",
        metavar="URL",
        help="base URL of cn.nytimes.com, for its article pages (seeds add, --url) and "
        f"bilingual pages (default {_fetch_default('dual_base')}; a mirror or a local test "
        "server)",
    )
    g.add_argument(
        "--archive-base",
        metavar="URL",
        help=f"base URL of the web archive (default {_fetch_default('archive_base')})",
    )
    g.add_argument(
        "--dual-pairs",
        action="store_true",
        default=None,
        help="also fetch the bilingual page for its paragraph pairs when another "
        "source serves the English text (one more request per article)",
    )


# fetch option (argparse dest) -> FetchConfig setting
_FETCH_SETTINGS = {
    "cache_dir": "cache_dir", "refresh": "refresh", "offline": "offline",
    "original": "originals", "user_agent": "user_agent", "rate": "rate", "jobs": "workers",
    "deadline": "deadline", "ignore_robots": "ignore_robots", "allow_private": "allow_private",
    "dual_base": "dual_base", "archive_base": "archive_base", "dual_pairs": "dual_pairs",
}


def _fetch_default(name: str) -> Any:
    return default_of(FetchConfig, name)


def fetch_config_from_args(args: argparse.Namespace) -> FetchConfig:
    config: FetchConfig = from_table(FetchConfig, given_settings(args, _FETCH_SETTINGS), "fetch")
    return config


def _add_fetch(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "fetch",
        parents=[common],
        help="get the English originals of seed articles into the page cache",
        description="For each article in the seeds, get the English original: a file you "
        "supply (--original, or a sidecar next to the seed), else the page itself, the "
        "cn.nytimes.com bilingual page, or a web-archive snapshot. Prints one line per "
        "article: id, the source that served it (or FAILED and "
        "why every source failed), paragraphs, URL. Pages are cached, so a rerun asks no "
        "server again; requests are rate-limited per host.",
    )
    p.add_argument(
        "seeds", nargs="+", type=Path, metavar="SEEDS", help="seed files or folders of seeds"
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print full records (paragraphs, pairs, every source tried) as JSON",
    )
    add_fetch_options(p)
    p.set_defaults(run=_run_fetch)


def _run_fetch(args: argparse.Namespace) -> int:
    from corpus.fetch import Fetcher, check_originals, fetch_record
    from corpus.seeds import read_seeds

    batch = read_seeds(args.seeds)
    if not batch.articles and not batch.failures:
        raise CorpusError(f"no seed files found under {', '.join(map(str, args.seeds))}")
    config = fetch_config_from_args(args)
    check_originals(config.originals, batch.articles)
    records = []
    with Fetcher(config) as fetcher:
        for article, got in fetcher.fetch_many(batch.articles):
            rec = fetch_record(article, got)
            records.append(rec)
            if not args.json:
                line = (
                    f"{rec['source']}\t{len(rec['paragraphs'])} paragraphs\t"
                    f"{safe(rec['final_url'] or rec['user_file'])}"
                    if rec["ok"]
                    else f"FAILED\t{safe(rec['reason'])}"
                )
                print(f"{safe(rec['id'])}\t{line}", flush=True)
    failures = [{"path": f.path, "reason": f.reason} for f in batch.failures]
    if args.json:
        print_json({"articles": sorted(records, key=lambda r: r["id"]), "seed_failures": failures})
    else:
        for f in failures:
            print(f"FAILED\t{safe(f['path'])}\t{safe(f['reason'])}")
    failed = sum(not r["ok"] for r in records) + len(failures)
    if failed:
        log.warning("%d of %d articles or seeds failed", failed, len(records) + len(failures))
    return EXIT_FAILED_ITEMS if failed else EXIT_OK


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2024-06-21") from err


def _formats(text: str) -> tuple[ExportFormat, ...]:
    try:
        return tuple(ExportFormat(f.strip().lower()) for f in text.split(",") if f.strip())
    except ValueError as err:
        known = ",".join(f.value for f in ExportFormat)
        raise argparse.ArgumentTypeError(f"{err}; choose from {known}") from err


def _add_build(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "build",
        parents=[common],
        help="seeds in, aligned corpus out: fetch, extract, segment, align, export",
        description="Run every stage for every seed: read the seed, get the English original "
        "(cache first, then the page, the bilingual page, a web archive, or your file), split "
        "both sides into sentences, align them, and write per-article TMX/TSV/JSONL, "
        "corpus-wide merged files, an HTML report and manifest.json. Reruns skip articles "
        "whose outputs are complete and whose inputs and settings are unchanged. One article "
        "failing never stops the batch. Exit code: 0 when no article failed (skipped ones, "
        "such as a seed with no English original, are not failures), 1 when any failed, 2 "
        "when the build could not run, 130 when interrupted (Ctrl-C: the articles not "
        "finished are recorded as interrupted; run the same command again to resume).",
    )
    p.add_argument(
        "seeds",
        nargs="*",
        type=Path,
        default=[Path("seeds")],
        metavar="SEEDS",
        help="seed files or folders (default: seeds/)",
    )
    p.add_argument(
        "-o",
        "--outdir",
        help=f"output folder (default: {default_of(BuildConfig, 'outdir')}/)",
    )
    p.add_argument(
        "--config",
        metavar="FILE.toml",
        help="settings file: top-level build keys and [fetch], [segment], [align], "
        "[export], [export.filters] tables (see docs/cli.md); the flags given win over it",
    )
    g = p.add_argument_group("what to run")
    g.add_argument("--force", action="store_true", default=None,
                   help="redo articles that are up to date")
    g.add_argument(
        "--only-fetch",
        action="store_true",
        default=None,
        help="fetch and cache the English originals; align and write nothing",
    )
    g.add_argument("--limit", type=int, metavar="N", help="build at most N articles (id order)")
    g.add_argument(
        "--since",
        type=_date,
        metavar="DATE",
        help="only articles published on or after DATE (YYYY-MM-DD)",
    )
    g.add_argument(
        "--model",
        help=f"sentence encoder: {DEFAULT_MODEL} (default, offline), labse, or a "
        "sentence-transformers model name or local path",
    )
    g.add_argument(
        "--format",
        dest="formats",
        type=_formats,
        default=None,
        metavar="LIST",
        help="output formats, comma-separated (default: "
        f"{','.join(f.value for f in default_of(ExportConfig, 'formats'))})",
    )
    g.add_argument("--no-report", dest="report", action="store_false", default=None,
                   help="do not write the HTML report")
    u = p.add_argument_group("from addresses (seeds written first, into the one SEEDS folder)")
    u.add_argument("--url", dest="urls", action="append", nargs="+", default=[], metavar="URL",
                   help="cn.nytimes.com article addresses: write their seeds (as 'corpus seeds "
                   "add' does; existing seeds kept), then build")
    add_url_options(u, out=False)
    add_fetch_options(p)
    add_filter_options(p)
    p.set_defaults(run=_run_build)


# build option (argparse dest) -> BuildConfig setting
_BUILD_SETTINGS = {"outdir": "outdir", "model": "model", "force": "force",
                   "only_fetch": "only_fetch", "limit": "limit", "since": "since",
                   "report": "report"}


def _build_config(args: argparse.Namespace) -> BuildConfig:
    """Defaults < the --config file < the flags given (even where they equal a default)."""
    given = given_settings(args, _BUILD_SETTINGS)
    fetch = given_settings(args, _FETCH_SETTINGS)
    export = export_settings(args)
    if args.formats:
        export["formats"] = args.formats
    given.update({k: v for k, v in (("fetch", fetch), ("export", export)) if v})
    if args.config:
        return load_build_config(args.config, given)
    config: BuildConfig = from_table(BuildConfig, given)
    return config


def _seeds_from_urls(args: argparse.Namespace, fetcher: Fetcher) -> list[AddOutcome]:
    """For --url/--url-file: write the seeds into the SEEDS folder, report each address."""
    urls = [u for group in args.urls for u in group]
    addresses = addresses_from_args(urls, args.url_files)
    if not addresses:
        if args.urls or args.url_files:
            raise CorpusError("--url-file lists no addresses")
        return []
    if len(args.seeds) != 1 or args.seeds[0].is_file():
        raise CorpusError("with --url, give one SEEDS folder to write the seeds into "
                          f"(got {', '.join(map(str, args.seeds))})")
    from corpus.seedadd import add_seeds

    outcomes = add_seeds(addresses, args.seeds[0], fetcher)
    for o in outcomes:  # failures are listed with the build's, after the summary
        if o.ok:
            log.info("%s: seed %s %s", o.article_id, o.status.value, o.path)
    counts = Counter(o.status.value for o in outcomes)
    print(f"seeds      {', '.join(f'{k} {v}' for k, v in sorted(counts.items()))}  "
          f"(of {len(outcomes)} addresses, into {args.seeds[0]})", file=sys.stderr)
    return outcomes


def _run_build(args: argparse.Namespace) -> int:
    from corpus.fetch import Fetcher
    from corpus.pipeline import BuildInterrupted, build, format_summary
    from corpus.progress import ProgressBars, progress_enabled

    config = _build_config(args)
    interrupted = False
    # one client for the seeds of --url and the originals: one rate limit per host
    with Fetcher(config.fetch) as fetcher:
        added = _seeds_from_urls(args, fetcher)
        try:
            with ProgressBars(enabled=progress_enabled(args.quiet)) as bars:
                result = build(args.seeds, config, progress=bars.update, fetcher=fetcher,
                               seed_failures=[o.as_failure() for o in added if not o.ok])
        except BuildInterrupted as stop:
            result, interrupted = stop.result, True
    print(safe_lines(format_summary(result.summary)), file=sys.stderr)
    for rec in result.failed:
        print(f"FAILED\t{safe(rec.key)}\t{rec.stage}\t{safe(rec.reason)}", file=sys.stderr)
    print(f"manifest: {result.outdir / 'manifest.json'}", file=sys.stderr)
    if interrupted:
        print(f"interrupted: {result.summary['interrupted']} articles not finished; run the "
              f"same command again to resume ({result.summary['done']} done are kept)",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    # skipped articles (no English original, --only-fetch) are not failures
    return EXIT_FAILED_ITEMS if result.failed else EXIT_OK
