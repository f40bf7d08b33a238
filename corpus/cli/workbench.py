"""`corpus index`, `corpus search`, `corpus serve`, `corpus corrections`: the study workbench."""

from __future__ import annotations

import argparse
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Any

from corpus.cli.base import EXIT_FAILED_ITEMS, EXIT_OK, SafeStream, log, print_json
from corpus.errors import ConfigError, CorpusError


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2024-06-21") from err


def _add_index(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "index", parents=[common],
        help="(re)build the search index DIR/corpus.sqlite from a build's bead files",
        description="Write DIR/corpus.sqlite: every bead of the build's done articles with "
        "its article, type, score, confidence and paragraphs, and a full-text index (SQLite "
        "FTS5, trigram tokenizer) over both languages. `corpus build` writes it too; run this "
        "after copying bead files in, or to rebuild a damaged index.",
        epilog="Example: corpus index aligned/")
    p.add_argument("dir", type=Path, metavar="DIR", help="a build's output folder")
    p.set_defaults(run=_run_index)


def _run_index(args: argparse.Namespace) -> int:
    from corpus.index import build_index
    from corpus.outdir import locked

    folder = Path(args.dir)
    if not folder.is_dir():
        raise CorpusError(f"{folder} is not a folder; give the output folder of a build")
    with locked(folder, purpose="corpus index"):  # a build running now goes first
        stats = build_index(folder)
    print(f"{stats.path}: {stats.beads} beads of {stats.articles} articles, "
          f"{stats.size / 1e6:.1f} MB, {stats.seconds:.1f}s")
    return EXIT_OK


class _IntermixedParser(argparse.ArgumentParser):
    """Options may come between the positionals (`search X --lang en DIR`), which plain
    argparse refuses when the last positional is optional."""

    _inner = False

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        if self._inner:  # parse_known_intermixed_args calls back into this method
            return super().parse_known_args(args, namespace)
        self._inner = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._inner = False


def _add_search(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    from corpus.search import DEFAULT_LIMIT, LANGS

    default_class = sub._parser_class
    sub._parser_class = _IntermixedParser
    try:
        p = sub.add_parser(
            "search", parents=[common],
            help="search the whole corpus: KWIC concordance, counts per article, renderings",
            description="Find a phrase (or, with --regex, a pattern) in the Chinese or English "
            "side of every bead and show each hit in KWIC form: the match centred and marked, "
            "the other side in full below it; then the number of hits per article. Chinese "
            "phrases match anywhere, English ones as whole words, case-insensitively. "
            "--renderings adds a table of the segments the other side uses for the phrase "
            "(candidate translations).",
            epilog="Examples: corpus search 一带一路 aligned/ --renderings ; "
            "corpus search 'trade war' --since 2024-01-01 --type 1-1 --json")
    finally:
        sub._parser_class = default_class
    p.add_argument("query", metavar="QUERY", help="a phrase, or a Python regular expression "
                   "with --regex")
    p.add_argument("dir", nargs="?", type=Path, default=Path("aligned"), metavar="DIR",
                   help="a build's output folder (default: aligned)")
    p.add_argument("--lang", choices=LANGS, default="auto",
                   help="side to search; auto: Chinese if QUERY has Chinese characters, else "
                   "English (default)")
    p.add_argument("--regex", action="store_true", help="QUERY is a regular expression")
    p.add_argument("--substring", action="store_true",
                   help="English phrases match inside words too ('rat' finds 'rate')")
    f = p.add_argument_group("filters")
    f.add_argument("--article", action="append", default=[], metavar="GLOB",
                   help="only articles whose id matches (repeatable; * and ? work)")
    f.add_argument("--since", type=_day, metavar="DATE", help="published on or after DATE")
    f.add_argument("--until", type=_day, metavar="DATE", help="published on or before DATE")
    f.add_argument("--type", action="append", default=[], metavar="M-N",
                   help="only beads of this type, e.g. 1-1, 2-1, 0-1 (repeatable)")
    f.add_argument("--min-confidence", type=float, metavar="X",
                   help="only beads whose confidence (or, without one, score) is at least X")
    f.add_argument("--max-confidence", type=float, metavar="X",
                   help="only beads whose confidence (or score) is at most X")
    o = p.add_argument_group("output")
    fmt = o.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="hits and counts as JSON")
    fmt.add_argument("--tsv", action="store_true",
                     help="one hit per line: " + ", ".join(_tsv_columns()))
    fmt.add_argument("--counts", action="store_true", help="only the counts per article")
    o.add_argument("--renderings", action="store_true",
                   help="add the table of the phrase's most frequent counterparts")
    o.add_argument("-n", "--limit", type=int, default=DEFAULT_LIMIT, metavar="N",
                   help="show at most N hits, 0 for all (default %(default)s); counts cover all")
    o.add_argument("--width", type=int, metavar="COLS",
                   help="KWIC line width (default: the terminal's)")
    p.set_defaults(run=_run_search)


def _tsv_columns() -> tuple[str, ...]:
    from corpus.search import TSV_COLUMNS

    return TSV_COLUMNS


def _run_search(args: argparse.Namespace) -> int:
    from corpus.index import connect
    from corpus.search import (
        Query,
        format_counts,
        format_kwic,
        format_renderings,
        format_tsv,
        renderings,
        search,
    )

    if args.limit < 0:
        raise ConfigError("--limit must be 0 (all) or more")
    query = Query(args.query, lang=args.lang, regex=args.regex, whole_words=not args.substring,
                  articles=tuple(args.article), since=args.since, until=args.until,
                  types=tuple(args.type), min_confidence=args.min_confidence,
                  max_confidence=args.max_confidence, limit=args.limit or None)
    con = connect(args.dir)
    try:
        result = search(con, query)
        table = renderings(con, result) if args.renderings else None
    finally:
        con.close()
    if args.json:
        out = result.to_dict()
        if table is not None:
            out["renderings"] = [r.to_dict() for r in table[0]]
            out["untranslated"] = table[1]
        print_json(out)
        return EXIT_OK
    if args.tsv:
        lines = format_tsv(result)
    elif args.counts:
        lines = format_counts(result)
    else:
        cols = args.width or shutil.get_terminal_size((100, 24)).columns
        lines = format_kwic(result, max(cols, 40), color=sys.stdout.isatty())
    # KWIC lines are terminal-safe already (search.terminal_safe) and mark the match with
    # bold, which the terminal guard (SafeStream) would print as text
    stream = sys.stdout.unwrapped if isinstance(sys.stdout, SafeStream) else sys.stdout
    for line in lines:
        print(line, file=stream)
    if table is not None:
        print()
        for line in format_renderings(*table, result.total):
            print(line)
    return EXIT_OK


def _add_serve(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "serve", parents=[common],
        help="the study workbench in a browser: search, read side by side, correct beads",
        description="Start a local web application over a built corpus: search with results "
        "linked into the articles, each article side by side with its flagged beads listed "
        "first, and editing (merge beads, split a bead at a sentence, mark a sentence "
        "unmatched, link it to the neighbouring bead, undo). Edits are saved to "
        "DIR/corrections/<article id>.align; the next `corpus build` applies them. Needs the "
        "'serve' extra.",
        epilog="Example: corpus serve aligned/ --port 8765, then open http://127.0.0.1:8765/")
    p.add_argument("dir", type=Path, metavar="DIR", help="a build's output folder")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8765, help="port (default %(default)s)")
    p.set_defaults(run=_run_serve)


def _run_serve(args: argparse.Namespace) -> int:
    from corpus.serve import run

    if args.host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("serving on %s: anyone who can reach this address can read and edit the "
                    "corpus", args.host)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"serving {args.dir} at http://{host}:{args.port}/ (Ctrl-C stops)", file=sys.stderr)
    run(args.dir, host=args.host, port=args.port)
    return EXIT_OK


def _add_corrections(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "corrections", parents=[common],
        help="check the corrections files of a build, or start one to edit by hand",
        description="List DIR/corrections/*.align with their state against the built "
        "articles: applied (the build used it), pending (the next build applies it), stale "
        "(the article's sentences changed: not applied), invalid (the line is named) or "
        "orphan (no built article has that id); exit 1 if any is stale, invalid or orphan. "
        "--start ID writes the article's current beads as a corrections file with the "
        "header that pins its sentences, for editing by hand.",
        epilog="Example: corpus corrections aligned/ --start 20240301-river-cleanup")
    p.add_argument("dir", type=Path, metavar="DIR", help="a build's output folder")
    p.add_argument("--start", metavar="ID", help="write corrections/ID.align from the beads")
    p.add_argument("--json", action="store_true", help="the states as JSON")
    p.set_defaults(run=_run_corrections)


def _run_corrections(args: argparse.Namespace) -> int:
    from corpus.serve import articles

    if args.start:
        print(articles.start_corrections(args.dir, args.start))
        return EXIT_OK
    states = articles.check_corrections(args.dir)
    if args.json:
        print_json([s.to_dict() for s in states])
    else:
        for s in states:
            print(f"{s.state:8} {s.article_id}  {s.detail}".rstrip())
        if not states:
            log.warning("no corrections in %s", args.dir / "corrections")
    fine = (articles.State.BUILT, articles.State.PENDING)
    return EXIT_FAILED_ITEMS if any(s.state not in fine for s in states) else EXIT_OK
