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
from datetime import date
from pathlib import Path

from corpus import __version__
from corpus.config import BuildConfig, ExportConfig, ExportFormat, FetchConfig, FilterConfig
from corpus.errors import CorpusError
from corpus.model import Lang

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


# --------------------------------------------------------------------------- align, score

_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})


def _add_align_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("alignment output")
    g.add_argument("-o", "--output", type=Path, metavar="OUT",
                   help="write to this file (atomically) instead of stdout")
    g.add_argument("--tsv", action="store_true",
                   help="write zh<TAB>en<TAB>score lines instead of [zh ids]:[en ids] beads")
    g.add_argument("--scores", action="store_true",
                   help="append each bead's score as a third field: [zh]:[en]:score")
    g.add_argument("--model", default="use", metavar="NAME",
                   help="encoder: 'use' (default: multilingual USE, offline), 'labse', "
                   "or any sentence-transformers model name or local path")


def _add_align_sents(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "align-sents", parents=[common],
        help="align two one-sentence-per-line files; beads out",
        description="Align a Chinese and an English file holding one sentence per line and "
        "write the beads as '[zh ids]:[en ids]' lines (0-based line numbers, the format of "
        "Bertalign and Vecalign), or text pairs with scores (--tsv).",
    )
    p.add_argument("zh", type=Path, metavar="ZH.txt", help="Chinese sentences, one per line")
    p.add_argument("en", type=Path, metavar="EN.txt", help="English sentences, one per line")
    _add_align_options(p)
    p.set_defaults(run=_run_align_sents)


def _run_align_sents(args: argparse.Namespace) -> int:
    from corpus.score import read_sentences

    return _align_and_write(args, read_sentences(args.zh), read_sentences(args.en))


def _add_align(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "align", parents=[common],
        help="segment and align two documents (text or HTML); beads out",
        description="Align a Chinese and an English document given as plain text "
        "(paragraphs separated by blank lines, or one paragraph per line) or HTML "
        "(*.html, *.htm: the article text is extracted). Both are split into sentences and "
        "aligned using paragraph boundaries as hints. Bead ids count sentences from 0; "
        "--sentences writes the sentences so the ids can be looked up.",
    )
    p.add_argument("zh", type=Path, metavar="ZH", help="the Chinese document")
    p.add_argument("en", type=Path, metavar="EN", help="the English document")
    p.add_argument("--sentences", type=Path, metavar="DIR",
                   help="also write the sentences, one per line, to DIR/zh.txt and DIR/en.txt")
    _add_align_options(p)
    p.set_defaults(run=_run_align)


def _run_align(args: argparse.Namespace) -> int:
    from corpus.model import Lang
    from corpus.score import format_lines
    from corpus.segment import split_paragraphs

    zh = split_paragraphs(_read_paragraphs(args.zh, Lang.ZH), Lang.ZH)
    en = split_paragraphs(_read_paragraphs(args.en, Lang.EN), Lang.EN)
    zh_text, en_text = [s.text for s in zh], [s.text for s in en]
    if args.sentences:
        _write_file(args.sentences / "zh.txt", format_lines(zh_text))
        _write_file(args.sentences / "en.txt", format_lines(en_text))
    return _align_and_write(args, zh_text, en_text, [s.para for s in zh], [s.para for s in en])


def _align_and_write(args: argparse.Namespace, zh: list[str], en: list[str],
                     zh_paras: list[int] | None = None, en_paras: list[int] | None = None) -> int:
    from corpus.align import align
    from corpus.embed import load_encoder
    from corpus.score import format_beads, format_tsv

    result = align(zh, en, load_encoder(args.model), zh_paras=zh_paras, en_paras=en_paras)
    log.info("aligned %d zh and %d en sentences into %d beads",
             len(zh), len(en), len(result.beads))
    if args.tsv:
        text = format_tsv(result.beads, zh, en)
    else:
        text = format_beads(result.beads, scores=args.scores)
    if args.output is None:
        sys.stdout.write(text)
    else:
        _write_file(args.output, text)
    return EXIT_OK


def _write_file(path: Path, text: str) -> None:
    from corpus.export.common import atomic_write

    with atomic_write(path) as fh:
        fh.write(text)


def _read_paragraphs(path: Path, lang: str) -> list[str]:
    """Return the paragraphs of a text or HTML document."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise CorpusError(f"cannot read {path}: {err}") from err
    head = raw[:1024].lstrip().lower()
    if path.suffix.lower() in _HTML_SUFFIXES or head.startswith((b"<!doctype html", b"<html")):
        return _html_paragraphs(raw, path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise CorpusError(f"{path} is not UTF-8 text ({err}); convert it first") from err
    # Blank lines separate paragraphs when there are any; else each line is one. Lines
    # within a paragraph are joined bare in Chinese and with a space in English.
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip():
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    blocks = [b for b in blocks if b]
    if len(blocks) <= 1:
        return blocks[0] if blocks else []
    sep = "" if lang == "zh" else " "
    return [sep.join(b) for b in blocks]


def _html_paragraphs(raw: bytes, path: Path) -> list[str]:
    from corpus.errors import ExtractError
    from corpus.extract import extract_article

    try:
        return list(extract_article(raw.decode("utf-8", errors="replace")).paragraphs)
    except ExtractError as err:  # a bare file of <p>s is no news page: read its <p>s
        log.info("%s: %s; reading its <p> elements instead", path, err)
    import lxml.html

    doc = lxml.html.fromstring(raw)
    paras = (" ".join(p.text_content().split()) for p in doc.iter("p"))
    return [p for p in paras if p]


def _add_score(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "score", parents=[common],
        help="score alignments against gold: strict and lax P/R/F1",
        description="Score test bead files against gold bead files ('[zh ids]:[en ids]' "
        "lines) with strict and lax precision, recall and F1, counted as Vecalign's and "
        "Bertalign's scorers do and micro-averaged over documents. GOLD and TEST are two "
        "files, or two folders whose files are matched by name (or by stem).",
    )
    p.add_argument("gold", type=Path, metavar="GOLD", help="gold bead file or folder")
    p.add_argument("test", type=Path, metavar="TEST", help="test bead file or folder")
    p.add_argument("--json", action="store_true", help="print scores and counts as JSON")
    p.set_defaults(run=_run_score)


def _run_score(args: argparse.Namespace) -> int:
    from corpus.score import score_files

    result = score_files(args.gold, args.test)
    if args.json:
        _print_json(result.to_dict())
    else:
        print(result.table())
    return EXIT_OK


# --------------------------------------------------------------------------- convert

def add_filter_options(p: argparse.ArgumentParser) -> None:
    """Output details and pair filters (corpus.filters, all off); shared by convert and build."""
    o = p.add_argument_group("output")
    o.add_argument("--header", action="store_true", help="TSV: write a header line")
    o.add_argument("--zh-lang", default="zh-CN", help="TMX language tag of the Chinese side")
    o.add_argument("--en-lang", default="en-US", help="TMX language tag of the English side")
    g = p.add_argument_group("filters (off by default; recorded in the output)")
    g.add_argument("--min-score", type=float, metavar="S", help="drop pairs scoring below S")
    g.add_argument("--min-ratio", type=float, metavar="R",
                   help="drop pairs with fewer than R Chinese characters per English word")
    g.add_argument("--max-ratio", type=float, metavar="R",
                   help="drop pairs with more than R Chinese characters per English word")
    g.add_argument("--drop-identical", action="store_true",
                   help="drop pairs whose two sides are the same text")
    g.add_argument("--drop-number-mismatch", action="store_true",
                   help="drop pairs where a number on one side is missing on the other")
    g.add_argument("--drop-unmatched", action="store_true",
                   help="drop unmatched sentences (0-1 and 1-0 beads) from TSV and JSONL")
    g.add_argument("--dedupe", action="store_true", help="keep only the first of repeated pairs")


def export_config_from_args(args: argparse.Namespace) -> ExportConfig:
    filters = FilterConfig(min_score=args.min_score, min_ratio=args.min_ratio,
                           max_ratio=args.max_ratio, drop_identical=args.drop_identical,
                           drop_number_mismatch=args.drop_number_mismatch,
                           drop_unmatched=args.drop_unmatched)
    return ExportConfig(filters=filters, dedupe=args.dedupe, tsv_header=args.header,
                        zh_lang=args.zh_lang, en_lang=args.en_lang)


def _add_convert(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    formats = [f.value for f in ExportFormat]
    p = sub.add_parser(
        "convert", parents=[common],
        help="convert between TMX, TSV and JSONL, with filters and de-duplication",
        description="Read one or more exports (TMX, TSV or JSONL, also plain two-column "
        "zh<TAB>en files) and write them as one file in any of the three formats, applying "
        "the filters below. Formats come from the extensions (.tmx, .tsv, .jsonl) unless "
        "--from/--to name them. Only pairs with text on both sides go into a TMX.",
    )
    p.add_argument("inputs", nargs="+", type=Path, metavar="IN", help="export file(s) to read")
    p.add_argument("output", type=Path, metavar="OUT", help="file to write (atomically)")
    p.add_argument("--from", dest="input_format", choices=formats, help="format of IN")
    p.add_argument("--to", dest="output_format", choices=formats, help="format of OUT")
    add_filter_options(p)
    p.set_defaults(run=_run_convert)


def _run_convert(args: argparse.Namespace) -> int:
    from corpus.export.merge import merge

    fmt = {k: ExportFormat(v) for k in ("input_format", "output_format")
           if (v := getattr(args, k))}
    result = merge(args.inputs, args.output, export_config_from_args(args), **fmt)
    dropped = ", ".join(f"{n} {why}" for why, n in sorted(result.dropped.items()))
    if not args.quiet:
        print(f"wrote {result.written[args.output]} beads to {args.output}"
              + (f" (dropped: {dropped})" if dropped else ""), file=sys.stderr)
    return EXIT_OK


# --------------------------------------------------------------------------- build


def _original(text: str) -> tuple[str, str]:
    art_id, sep, path = text.partition("=")
    if not sep or not art_id or not path:
        raise argparse.ArgumentTypeError(f"{text!r}: expected ID=PATH, e.g. "
                                         "20240621-some-slug=originals/some-slug.html")
    return art_id.strip(), path.strip()


def add_fetch_options(p: argparse.ArgumentParser) -> None:
    """Where the English originals come from and how politely; shared by fetch and build."""
    g = p.add_argument_group("fetching")
    g.add_argument("--cache-dir", help="page cache folder (default: $CORPUS_CACHE_DIR or "
                   "the user cache folder, e.g. ~/.cache/corpus/http)")
    g.add_argument("--refresh", action="store_true", help="fetch again what the cache has")
    g.add_argument("--offline", action="store_true",
                   help="use the cache only and report what is missing")
    g.add_argument("--original", action="append", type=_original, default=[], metavar="ID=PATH",
                   help="use this file (HTML or text) as the English original of article ID; "
                   "repeatable. A sidecar <seed>.en.html or <seed>.en.txt works too")
    g.add_argument("--user-agent", help="User-Agent header to send")
    g.add_argument("--rate", type=float, metavar="R",
                   help="requests per second per host (default 1; 0 = no limit)")
    g.add_argument("--jobs", type=int, metavar="N", help="pages fetched at once (default 4)")
    g.add_argument("--allow-private", action="store_true",
                   help="allow loopback and private addresses (local mirrors, tests)")
    g.add_argument("--dual-base", metavar="URL",
                   help="base URL of the bilingual pages (default https://cn.nytimes.com)")
    g.add_argument("--archive-base", metavar="URL",
                   help="base URL of the web archive (default https://archive.org)")
    g.add_argument("--dual-pairs", action="store_true",
                   help="also fetch the bilingual page for its paragraph pairs when another "
                   "source serves the English text (one more request per article)")


def fetch_config_from_args(args: argparse.Namespace) -> FetchConfig:
    from corpus.config import FetchConfig

    given = {
        "cache_dir": args.cache_dir, "user_agent": args.user_agent, "rate": args.rate,
        "workers": args.jobs, "dual_base": args.dual_base, "archive_base": args.archive_base,
    }
    return FetchConfig(
        refresh=args.refresh, offline=args.offline, allow_private=args.allow_private,
        dual_pairs=args.dual_pairs,
        originals=dict(args.original), **{k: v for k, v in given.items() if v is not None},
    )


def _add_fetch(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "fetch", parents=[common],
        help="get the English originals of seed articles into the page cache",
        description="For each article in the seeds, get the English original: the page "
        "itself, else the cn.nytimes.com bilingual page, a web-archive snapshot, or a file you "
        "supply. Prints one line per article: id, the source that served it (or FAILED and "
        "why every source failed), paragraphs, URL. Pages are cached, so a rerun asks no "
        "server again; requests are rate-limited per host.",
    )
    p.add_argument("seeds", nargs="+", type=Path, metavar="SEEDS",
                   help="seed files or folders of seeds")
    p.add_argument("--json", action="store_true",
                   help="print full records (paragraphs, pairs, every source tried) as JSON")
    add_fetch_options(p)
    p.set_defaults(run=_run_fetch)


def _run_fetch(args: argparse.Namespace) -> int:
    from corpus.fetch import Fetcher, fetch_record
    from corpus.seeds import read_seeds

    batch = read_seeds(args.seeds)
    if not batch.articles and not batch.failures:
        raise CorpusError(f"no seed files found under {', '.join(map(str, args.seeds))}")
    records = []
    with Fetcher(fetch_config_from_args(args)) as fetcher:
        for article, got in fetcher.fetch_many(batch.articles):
            rec = fetch_record(article, got)
            records.append(rec)
            if not args.json:
                line = (f"{rec['source']}\t{len(rec['paragraphs'])} paragraphs\t"
                        f"{rec['final_url'] or rec['user_file']}" if rec["ok"]
                        else f"FAILED\t{rec['reason']}")
                print(f"{rec['id']}\t{line}", flush=True)
    failures = [{"path": f.path, "reason": f.reason} for f in batch.failures]
    if args.json:
        _print_json({"articles": sorted(records, key=lambda r: r["id"]), "seed_failures": failures})
    else:
        for f in failures:
            print(f"FAILED\t{f['path']}\t{f['reason']}")
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
        "build", parents=[common],
        help="seeds in, aligned corpus out: fetch, extract, segment, align, export",
        description="Run every stage for every seed: read the seed, get the English original "
        "(cache first, then the page, the bilingual page, a web archive, or your file), split "
        "both sides into sentences, align them, and write per-article TMX/TSV/JSONL, "
        "corpus-wide merged files, an HTML report and manifest.json. Reruns skip articles "
        "whose outputs are complete and whose inputs and settings are unchanged. One article "
        "failing never stops the batch; the exit code is 1 when any failed.",
    )
    p.add_argument("seeds", nargs="*", type=Path, default=[Path("seeds")], metavar="SEEDS",
                   help="seed files or folders (default: seeds/)")
    p.add_argument("-o", "--outdir", type=Path, default=Path("aligned"),
                   help="output folder (default: aligned/)")
    p.add_argument("--config", metavar="FILE.toml",
                   help="settings file: top-level build keys and [fetch], [segment], [align], "
                   "[export], [export.filters] tables (see the README); flags override it")
    g = p.add_argument_group("what to run")
    g.add_argument("--force", action="store_true", help="redo articles that are up to date")
    g.add_argument("--only-fetch", action="store_true",
                   help="fetch and cache the English originals; align and write nothing")
    g.add_argument("--limit", type=int, metavar="N", help="build at most N articles (id order)")
    g.add_argument("--since", type=_date, metavar="DATE",
                   help="only articles published on or after DATE (YYYY-MM-DD)")
    g.add_argument("--model", default="use",
                   help="sentence encoder: use (default, offline), labse, or a "
                   "sentence-transformers model name or local path")
    g.add_argument("--format", dest="formats", type=_formats, default=None, metavar="LIST",
                   help="output formats, comma-separated (default: tmx,tsv,jsonl)")
    g.add_argument("--no-report", action="store_true", help="do not write the HTML report")
    add_fetch_options(p)
    add_filter_options(p)
    p.set_defaults(run=_run_build)


def _build_config(args: argparse.Namespace) -> BuildConfig:
    from dataclasses import replace

    from corpus.config import BuildConfig

    export = export_config_from_args(args)
    if args.formats:
        export = replace(export, formats=args.formats)
    return BuildConfig(
        outdir=str(args.outdir), model=args.model, force=args.force, only_fetch=args.only_fetch,
        limit=args.limit, since=args.since, report=not args.no_report,
        fetch=fetch_config_from_args(args), export=export,
    )


def _run_build(args: argparse.Namespace) -> int:
    from corpus.config import layer, load_build_config
    from corpus.pipeline import build, format_summary
    from corpus.progress import ProgressBars, progress_enabled

    config = _build_config(args)
    if args.config:  # defaults < the file < flags given on the command line
        defaults = _build_config(build_parser().parse_args(["build"]))
        config = layer(defaults, load_build_config(args.config), config)
    with ProgressBars(enabled=progress_enabled(args.quiet)) as bars:
        result = build(args.seeds, config, progress=bars.update)
    print(format_summary(result.summary), file=sys.stderr)
    for rec in result.failed:
        print(f"FAILED\t{rec.key}\t{rec.stage}\t{rec.reason}", file=sys.stderr)
    print(f"manifest: {result.outdir / 'manifest.json'}", file=sys.stderr)
    return EXIT_FAILED_ITEMS if result.failed else EXIT_OK


# --------------------------------------------------------------------------- split

def _add_split(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "split", parents=[common],
        help="split text into sentences, one paragraph per line in, one sentence per line out",
        description="Split Chinese or English text into sentences the way a translator counts "
        "them. Each input line is one paragraph; each output line is one sentence.",
    )
    p.add_argument("file", metavar="FILE", help="UTF-8 text, one paragraph per line; - for stdin")
    p.add_argument("--lang", required=True, choices=[v.value for v in Lang],
                   help="language of the text")
    p.add_argument("--json", action="store_true",
                   help="print one JSON object per sentence: para (0-based input line), index, "
                   "start and end (character offsets into the line), text")
    p.add_argument("--max-chars", type=int, metavar="N",
                   help="cut sentences longer than N characters at a clause mark "
                   "(default 300 for zh, 800 for en)")
    p.set_defaults(run=_run_split)


def _run_split(args: argparse.Namespace) -> int:
    from corpus.config import SegmentConfig
    from corpus.segment import split_paragraphs

    config = SegmentConfig(**({f"max_chars_{args.lang}": args.max_chars} if args.max_chars else {}))
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise CorpusError(f"cannot read {args.file} as UTF-8 text: {err}") from err
    for s in split_paragraphs(text.splitlines(), args.lang, config):
        if args.json:
            print(json.dumps({"para": s.para, "index": s.index, "start": s.start, "end": s.end,
                              "text": s.text}, ensure_ascii=False))
        else:
            print(s.text)
    return EXIT_OK


# --------------------------------------------------------------------------- report, evaluate

def _add_report(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "report", parents=[common],
        help="write a side-by-side HTML view of aligned articles, with corpus statistics",
        description="Read exports and write a static HTML report: index.html (corpus "
        "statistics, plots, a sortable table of articles) and one page per article under "
        "articles/ with the Chinese and English side by side, bead by bead. JSONL keeps "
        "sentences and paragraph breaks; TSV and TMX work too, with less detail. The files "
        "open from disk: no server, nothing loaded from the network.",
    )
    p.add_argument("inputs", nargs="+", type=Path, metavar="INPUT",
                   help="exported beads (.jsonl, .tsv, .tmx)")
    p.add_argument("-o", "--output", type=Path, required=True, metavar="DIR",
                   help="folder to write the report into")
    p.add_argument("--low-score", type=float, metavar="S",
                   help="flag paired beads scoring below S (default 0.5)")
    p.add_argument("--title", default="Aligned articles", help="title of the index page")
    p.set_defaults(run=_run_report)


def _run_report(args: argparse.Namespace) -> int:
    from corpus.export.merge import read_records
    from corpus.report import documents_from_records, write_report

    docs = documents_from_records(r for path in args.inputs for r in read_records(path))
    if not docs:
        log.warning("no beads in %s; the report is empty", ", ".join(map(str, args.inputs)))
    kw = {} if args.low_score is None else {"low_score": args.low_score}
    print(write_report(docs, args.output, title=args.title, **kw))
    return EXIT_OK


def _add_evaluate(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    from corpus.evaluate import Direction  # light: sacrebleu loads only when scoring

    p = sub.add_parser(
        "evaluate", parents=[common],
        help="score MT output against the aligned pairs (BLEU, chrF, TER with sacrebleu)",
        description="Score a machine translation of one side of the aligned pairs against the "
        "other side: corpus-level BLEU, chrF and TER with their sacrebleu signatures, scores "
        "per article, and the worst segments. Chinese targets are tokenised for Chinese. The "
        "MT output has one line per pair of INPUT, in order (or one per pair with text on both "
        "sides); pairs with an empty side are not scored.",
    )
    p.add_argument("inputs", nargs="+", type=Path, metavar="INPUT",
                   help="aligned pairs (.jsonl, .tsv, .tmx), in the order they were translated")
    p.add_argument("--hyp", required=True, type=Path, metavar="FILE",
                   help="MT output: one line per pair, or a .tsv/.jsonl with a hypothesis column")
    p.add_argument("--column", metavar="C",
                   help="hypothesis column: .tsv field number or header name (default: last "
                   "field), .jsonl key (default: hypothesis, hyp, mt or translation)")
    p.add_argument("-d", "--direction", choices=[d.value for d in Direction], default="zh-en",
                   help="source-target: zh-en scores English output (default), en-zh Chinese")
    p.add_argument("--min-score", type=float, metavar="S",
                   help="score only pairs whose alignment score is at least S")
    p.add_argument("--one-to-one", action="store_true", help="score only 1-1 beads")
    p.add_argument("--worst", type=int, default=10, metavar="N",
                   help="list the N segments with the lowest chrF (default 10)")
    p.add_argument("--json", action="store_true",
                   help="print everything as JSON, every segment's scores included")
    p.set_defaults(run=_run_evaluate)


def _run_evaluate(args: argparse.Namespace) -> int:
    from corpus.evaluate import evaluate, format_evaluation, read_hypotheses
    from corpus.export.merge import read_records

    pairs = [r.pair for path in args.inputs for r in read_records(path)]
    ev = evaluate(pairs, read_hypotheses(args.hyp, column=args.column), args.direction,
                  min_score=args.min_score, one_to_one=args.one_to_one)
    if args.json:
        _print_json(ev.to_dict())
    else:
        print(format_evaluation(ev, worst=args.worst))
    return EXIT_OK


# --------------------------------------------------------------------------- main

_COMMANDS: list[Callable[[argparse._SubParsersAction, argparse.ArgumentParser], None]] = [
    _add_seeds,
    _add_fetch,
    _add_align_sents,
    _add_align,
    _add_score,
    _add_convert,
    _add_build,
    _add_split,
    _add_report,
    _add_evaluate,
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
