"""`corpus report` and `corpus evaluate`: reading alignments and scoring MT."""

from __future__ import annotations

import argparse
from pathlib import Path

from corpus.cli.base import EXIT_OK, log, print_json
from corpus.stats import DEFAULT_LOW_SCORE

# --------------------------------------------------------------------------- report, evaluate


def _add_report(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "report",
        parents=[common],
        help="write a side-by-side HTML view of aligned articles, with corpus statistics",
        description="Read exports and write a static HTML report: index.html (corpus "
        "statistics, plots, a sortable table of articles) and one page per article under "
        "articles/ with the Chinese and English side by side, bead by bead. JSONL keeps "
        "sentences and paragraph breaks; TSV and TMX work too, with less detail. The files "
        "open from disk: no server, nothing loaded from the network.",
    )
    p.add_argument(
        "inputs", nargs="+", type=Path, metavar="INPUT", help="exported beads (.jsonl, .tsv, .tmx)"
    )
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="DIR",
        help="folder to write the report into",
    )
    p.add_argument(
        "--low-score",
        type=float,
        default=DEFAULT_LOW_SCORE,
        metavar="S",
        help="flag paired beads scoring below S (default %(default)s)",
    )
    p.add_argument("--title", default="Aligned articles", help="title of the index page")
    p.set_defaults(run=_run_report)


def _run_report(args: argparse.Namespace) -> int:
    from corpus.export.merge import read_inputs
    from corpus.report import documents_from_records, write_report

    got = read_inputs(args.inputs)  # each article once: never two copies run together
    docs = documents_from_records(got.records)
    if not docs:
        log.warning("no beads in %s; the report is empty", ", ".join(map(str, args.inputs)))
    print(write_report(docs, args.output, title=args.title, low_score=args.low_score,
                       provenance=got.provenance))
    return EXIT_OK


def _add_evaluate(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    from corpus.evaluate import Direction  # light: sacrebleu loads only when scoring

    p = sub.add_parser(
        "evaluate",
        parents=[common],
        help="score MT output against the aligned pairs (BLEU, chrF, TER with sacrebleu)",
        description="Score a machine translation of one side of the aligned pairs against the "
        "other side: corpus-level BLEU, chrF and TER with their sacrebleu signatures, scores "
        "per article, and the worst segments. Chinese targets are tokenised for Chinese. The "
        "MT output has one line per pair of INPUT, in order (or one per pair with text on both "
        "sides); pairs with an empty side are not scored.",
    )
    p.add_argument(
        "inputs",
        nargs="+",
        type=Path,
        metavar="INPUT",
        help="aligned pairs (.jsonl, .tsv, .tmx), in the order they were translated",
    )
    p.add_argument(
        "--hyp",
        required=True,
        type=Path,
        metavar="FILE",
        help="MT output: one line per pair, or a .tsv/.jsonl with a hypothesis column",
    )
    p.add_argument(
        "--column",
        metavar="C",
        help="hypothesis column: .tsv field number or header name (default: last "
        "field), .jsonl key (default: hypothesis, hyp, mt or translation)",
    )
    p.add_argument(
        "-d",
        "--direction",
        choices=[d.value for d in Direction],
        default="zh-en",
        help="source-target: zh-en scores English output (default), en-zh Chinese",
    )
    p.add_argument(
        "--min-score",
        type=float,
        metavar="S",
        help="score only pairs whose alignment score is at least S",
    )
    p.add_argument("--one-to-one", action="store_true", help="score only 1-1 beads")
    p.add_argument(
        "--worst",
        type=int,
        default=10,
        metavar="N",
        help="list the N segments with the lowest chrF (default 10)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print everything as JSON, every segment's scores included",
    )
    p.set_defaults(run=_run_evaluate)


def _run_evaluate(args: argparse.Namespace) -> int:
    from corpus.evaluate import evaluate, format_evaluation, read_hypotheses
    from corpus.export.merge import read_inputs

    pairs = [r.pair for r in read_inputs(args.inputs).records]
    ev = evaluate(
        pairs,
        read_hypotheses(args.hyp, column=args.column),
        args.direction,
        min_score=args.min_score,
        one_to_one=args.one_to_one,
    )
    if args.json:
        print_json(ev.to_dict())
    else:
        print(format_evaluation(ev, worst=args.worst))
    return EXIT_OK
