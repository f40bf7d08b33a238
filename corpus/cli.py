"""The `corpus` command: a thin layer of argparse over the library API.

Each subcommand is registered by an ``_add_<name>`` function that builds its
parser and sets ``run=`` to a handler of a few lines. No argparse.Namespace
travels past this module.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from corpus import __version__
from corpus.errors import CorpusError

log = logging.getLogger("corpus")

EXIT_OK = 0
EXIT_FAILED_ITEMS = 1  # the command ran, but some articles/items failed
EXIT_ERROR = 2  # the command could not run (bad input, bad config)


def setup_logging(verbose: int, quiet: int) -> None:
    """Configure the root of our loggers; the only place logging is configured."""
    level = logging.WARNING - 10 * verbose + 10 * quiet
    level = max(logging.DEBUG, min(logging.CRITICAL, level))
    handler = logging.StreamHandler(sys.stderr)
    fmt = "%(levelname)s %(name)s: %(message)s" if verbose >= 2 else "%(levelname)s: %(message)s"
    handler.setFormatter(logging.Formatter(fmt))
    root = logging.getLogger("corpus")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False


def _common(suppress: bool) -> argparse.ArgumentParser:
    """Options accepted both before and after the subcommand name."""
    p = argparse.ArgumentParser(add_help=False)
    default = argparse.SUPPRESS if suppress else 0
    g = p.add_argument_group("output verbosity")
    g.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=default,
        help="more log output (-vv: debug, with tracebacks)",
    )
    g.add_argument(
        "-q", "--quiet", action="count", default=default, help="less log output, no progress bars"
    )
    return p


def _print_json(obj: object) -> None:
    json.dump(obj, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


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
        _print_json(
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


# --------------------------------------------------------------------------- main

_COMMANDS: list[Callable[[argparse._SubParsersAction, argparse.ArgumentParser], None]] = [
    _add_seeds,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corpus",
        parents=[_common(suppress=False)],
        description="Build sentence-aligned Chinese-English parallel corpora from translated "
        "news: read seed documents (cn.nytimes.com exports), fetch the English originals, "
        "split and align sentences with multilingual embeddings, and write TMX, TSV and JSONL.",
        epilog="Run 'corpus COMMAND --help' for the options of one command. "
        "Exit codes: 0 done, 1 some items failed (see the log), 2 could not run.",
    )
    parser.add_argument("--version", action="version", version=f"corpus {__version__}")
    sub = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    sub.required = True
    common = _common(suppress=True)
    for add in _COMMANDS:
        add(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.verbose, args.quiet)
    try:
        return int(args.run(args))
    except CorpusError as err:
        if args.verbose >= 2:
            log.exception("%s", err)
        else:
            log.error("%s", err)
        return EXIT_ERROR
    except KeyboardInterrupt:
        log.error("interrupted")
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
