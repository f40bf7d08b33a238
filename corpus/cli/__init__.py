"""The `corpus` command: a thin layer of argparse over the library API.

Each subcommand is registered by an ``_add_<name>`` function that builds its parser and
sets ``run=`` to a handler of a few lines; the modules of this package group them by
stage. No argparse.Namespace travels past this package.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from corpus import __version__
from corpus.cli.align import _add_align, _add_align_sents, _add_score, _add_split
from corpus.cli.base import (
    EXIT_ERROR,
    EXIT_FAILED_ITEMS,
    EXIT_INTERRUPTED,
    EXIT_OK,
    SafeStream,
    common_options,
    log,
    setup_logging,
)
from corpus.cli.build import _add_build, _add_fetch
from corpus.cli.examples import add_examples
from corpus.cli.export import _add_convert
from corpus.cli.seeds import (
    _add_seeds,
    _add_seeds_add,
    _add_seeds_list_links,
    route_seeds_actions,
)
from corpus.cli.study import _add_evaluate, _add_report
from corpus.cli.workbench import _add_corrections, _add_index, _add_search, _add_serve
from corpus.errors import CorpusError

__all__ = ["EXIT_ERROR", "EXIT_FAILED_ITEMS", "EXIT_INTERRUPTED", "EXIT_OK", "build_parser",
           "main"]

_COMMANDS: list[Callable[[argparse._SubParsersAction, argparse.ArgumentParser], None]] = [
    _add_build,
    _add_seeds,
    _add_seeds_add,
    _add_seeds_list_links,
    _add_fetch,
    _add_split,
    _add_align,
    _add_align_sents,
    _add_score,
    _add_convert,
    _add_report,
    _add_evaluate,
    _add_index,
    _add_search,
    _add_serve,
    _add_corrections,
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="corpus",
        parents=[common_options(suppress=False)],
        description="Build sentence-aligned Chinese-English parallel corpora from translated "
        "news: read seed documents (cn.nytimes.com exports), fetch the English originals, "
        "split and align sentences with multilingual embeddings, and write TMX, TSV and JSONL.",
        epilog="Run 'corpus COMMAND --help' for the options of one command. "
        f"Exit codes: {EXIT_OK} done (skipped items, such as a seed with no English "
        f"original, are not failures), {EXIT_FAILED_ITEMS} some items failed (see the log), "
        f"{EXIT_ERROR} could not run, {EXIT_INTERRUPTED} interrupted (Ctrl-C; a build "
        "resumes when run again).",
    )
    parser.add_argument("--version", action="version", version=f"corpus {__version__}")
    sub = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND")
    sub.required = True
    common = common_options(suppress=True)
    for add in _COMMANDS:
        add(sub, common)
    add_examples(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(route_seeds_actions(sys.argv[1:] if argv is None else argv))
    setup_logging(args.verbose, args.quiet)
    stdout = sys.stdout
    if stdout.isatty():  # text from seeds and pages must not drive the terminal
        sys.stdout = SafeStream(stdout)
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
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    finally:
        sys.stdout = stdout
