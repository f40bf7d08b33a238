"""`corpus seeds`: read seed documents and list their articles."""

from __future__ import annotations

import argparse
from pathlib import Path

from corpus.cli.base import EXIT_FAILED_ITEMS, EXIT_OK, log, print_json
from corpus.errors import CorpusError

# --------------------------------------------------------------------------- seeds


def _add_seeds(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "seeds",
        parents=[common],
        help="read seed documents and list their articles",
        description="Read seed documents (exports of cn.nytimes.com articles) and print one "
        "line per article: id, publication date, body paragraphs, and the English URL or "
        "why there is none. Broken seeds are reported with the reason; the rest are read.",
    )
    p.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="seed files or folders of seeds (*.txt, *.md, *.html, searched recursively)",
    )
    p.add_argument("--json", action="store_true", help="print the full records as JSON")
    p.set_defaults(run=_run_seeds)


def _run_seeds(args: argparse.Namespace) -> int:
    from corpus.seeds import read_seeds

    result = read_seeds(args.paths)
    if args.json:
        print_json(
            {
                "articles": [a.to_dict() for a in result.articles],
                "failures": [{"path": f.path, "reason": f.reason} for f in result.failures],
            }
        )
    else:
        for a in result.articles:
            date = a.published.date().isoformat() if a.published else "????-??-??"
            target = a.en_url or f"no English URL: {a.en_url_problem}"
            print(f"{a.id}\t{date}\t{len(a.paragraphs)} paragraphs\t{target}")
        for f in result.failures:
            print(f"FAILED\t{f.path}\t{f.reason}")
    if result.failures:
        log.warning(
            "%d of %d seed files could not be read",
            len(result.failures),
            len(result.failures) + len(result.articles),
        )
    if not result.articles and not result.failures:
        raise CorpusError(
            f"no seed files found under {', '.join(map(str, args.paths))}; "
            "pass seed files or folders that hold them"
        )
    return EXIT_FAILED_ITEMS if result.failures else EXIT_OK
