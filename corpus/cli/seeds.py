"""`corpus seeds`: read seed documents and list their articles; `corpus seeds add` writes
seeds from cn.nytimes.com addresses; `corpus seeds list-links` finds those addresses."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from corpus.cli.base import EXIT_FAILED_ITEMS, EXIT_OK, log, print_json, safe
from corpus.errors import CorpusError

if TYPE_CHECKING:
    from corpus.seedadd import AddOutcome

#: `corpus seeds ACTION …` runs the command `seeds-ACTION` (argparse cannot hang
#: subcommands under a command that also takes paths; see route_seeds_actions).
SEEDS_ACTIONS = ("add", "list-links")


def route_seeds_actions(argv: Sequence[str]) -> list[str]:
    """Rewrite ``seeds add …`` / ``seeds list-links …`` to the commands that run them.

    Only the word right after ``seeds`` counts, so a seed folder named ``add`` is still
    read by ``corpus seeds ./add``.
    """
    args = list(argv)
    for i, tok in enumerate(args):
        if tok.startswith("-"):
            continue
        if tok == "seeds" and i + 1 < len(args) and args[i + 1] in SEEDS_ACTIONS:
            return [*args[:i], f"seeds-{args[i + 1]}", *args[i + 2:]]
        break
    return args

# --------------------------------------------------------------------------- seeds


def _add_seeds(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "seeds",
        parents=[common],
        help="read seed documents and list their articles",
        description="Read seed documents (exports of cn.nytimes.com articles) and print one "
        "line per article: id, publication date (Beijing time), body paragraphs, photo "
        "captions, and the English URL or why there is none. Broken seeds are reported with "
        "the reason; the rest are read.",
        epilog="Also: 'corpus seeds add URL... [-o seeds/]' writes seeds from cn.nytimes.com "
        "article addresses, and 'corpus seeds list-links PAGE' prints the article addresses "
        "on a section page or feed (see their --help).",
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
    from corpus.seeds import BEIJING, read_seeds

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
            date = a.published.astimezone(BEIJING).date().isoformat() if a.published else \
                "????-??-??"
            target = a.en_url or f"no English URL: {a.en_url_problem}"
            lead = sum(c.lead for c in a.captions)
            captions = f"{len(a.captions)} captions" + (f" ({lead} lead)" if lead else "")
            print(f"{safe(a.id)}\t{date}\t{len(a.paragraphs)} paragraphs\t{captions}\t"
                  f"{safe(target)}")
        for f in result.failures:
            print(f"FAILED\t{safe(f.path)}\t{safe(f.reason)}")
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


# --------------------------------------------------------------------------- seeds add


def _add_seeds_add(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    from corpus.cli.build import add_fetch_options

    p = sub.add_parser(
        "seeds-add",
        parents=[common],
        prog="corpus seeds add",
        description="Fetch cn.nytimes.com article pages and write a seed document for each "
        "(the export format 'corpus seeds' reads), named <article id>.txt. An article that "
        "already has a seed in the folder is left alone and not fetched (--force rewrites "
        "it). Pages are cached, so a rerun asks no server again. Prints one line per "
        "address: written, replaced, exists, or FAILED and why (not a cn.nytimes.com "
        "address, not an article, HTTP 404, no English original ...).",
    )
    p.add_argument("urls", nargs="*", metavar="URL", help="cn.nytimes.com article addresses")
    add_url_options(p, out=True)
    p.add_argument("--json", action="store_true", help="print the outcomes as JSON")
    add_fetch_options(p)
    p.set_defaults(run=_run_seeds_add)


def add_url_options(p: argparse._ActionsContainer, *, out: bool) -> None:
    """--from-file (and, for `seeds add`, -o/--force): shared with `corpus build --url`."""
    p.add_argument(
        "--from-file" if out else "--url-file",
        dest="url_files",
        action="append",
        default=[],
        type=Path,
        metavar="LIST",
        help="a file of addresses, one per line (# comments and blank lines skipped); "
        "repeatable. 'corpus seeds list-links PAGE > LIST' makes one",
    )
    if out:
        p.add_argument("-o", "--outdir", type=Path, default=Path("seeds"),
                       help="folder to write the seeds into (default: seeds/)")
        p.add_argument("--force", action="store_true",
                       help="fetch and rewrite seeds that are already there")


def addresses_from_args(urls: Sequence[str], files: Sequence[Path]) -> list[str]:
    from corpus.seedadd import read_address_list

    out = list(urls)
    for f in files:
        out += read_address_list(f)
    return out


def print_add_outcomes(items: Sequence[AddOutcome], *, as_json: bool) -> int:
    """Print what became of each address; return how many failed."""
    if as_json:
        print_json([o.to_dict() for o in items])
    else:
        for o in items:
            if o.ok:
                print(f"{o.status.value}\t{safe(o.article_id)}\t{safe(o.path)}")
            else:
                print(f"FAILED\t{safe(o.address)}\t{safe(o.reason)}")
    failed = sum(not o.ok for o in items)
    if failed:
        log.warning("%d of %d addresses gave no seed", failed, len(items))
    return failed


def _run_seeds_add(args: argparse.Namespace) -> int:
    from corpus.cli.build import fetch_config_from_args
    from corpus.fetch import Fetcher
    from corpus.seedadd import add_seeds

    addresses = addresses_from_args(args.urls, args.url_files)
    if not addresses:
        raise CorpusError("no addresses given: pass URLs or --from-file LIST")
    with Fetcher(fetch_config_from_args(args)) as fetcher:
        outcomes = add_seeds(addresses, args.outdir, fetcher, force=args.force)
    return EXIT_FAILED_ITEMS if print_add_outcomes(outcomes, as_json=args.json) else EXIT_OK


# --------------------------------------------------------------------------- list-links


def _add_seeds_list_links(sub: argparse._SubParsersAction,
                          common: argparse.ArgumentParser) -> None:
    from corpus.cli.build import add_fetch_options

    p = sub.add_parser(
        "seeds-list-links",
        parents=[common],
        prog="corpus seeds list-links",
        description="Print the cn.nytimes.com article addresses a section page or an "
        "RSS/Atom feed links to, one per line, each once, in page order (dual/ and zh-hant/ "
        "variants and tracking queries folded into the article's address). The output is "
        "a LIST for 'corpus seeds add --from-file' and 'corpus build --url-file'.",
    )
    p.add_argument("page", metavar="PAGE",
                   help="address of a section page or feed (fetched politely, cached), "
                   "or a saved page")
    add_fetch_options(p)
    p.set_defaults(run=_run_seeds_list_links)


def _run_seeds_list_links(args: argparse.Namespace) -> int:
    from corpus.cli.build import fetch_config_from_args
    from corpus.fetch import Fetcher
    from corpus.seedadd import links_on_page

    with Fetcher(fetch_config_from_args(args)) as fetcher:
        links = links_on_page(args.page, fetcher)
    for url in links:
        print(safe(url))
    if not links:
        log.warning("no article addresses found on %s", args.page)
    return EXIT_OK
