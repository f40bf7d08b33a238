"""`corpus convert`, and the output and filter options that `build` shares."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from corpus.cli.base import EXIT_OK, given_settings
from corpus.config import ExportConfig, ExportFormat, default_of, from_table

# --------------------------------------------------------------------------- convert


def add_filter_options(p: argparse.ArgumentParser) -> None:
    """Output details and pair filters (corpus.filters, all off); shared by convert and build."""
    o = p.add_argument_group("output")
    o.add_argument("--header", action="store_true", default=None,
                   help="TSV: write a header line")
    o.add_argument(
        "--tsv-safe",
        action="store_true",
        default=None,
        help="TSV: prefix an apostrophe to text fields beginning with = + - @, which "
        "spreadsheets would run as formulas (off: the exact text, for pipelines)",
    )
    o.add_argument("--zh-lang", help="TMX language tag of the Chinese side (default "
                   f"{default_of(ExportConfig, 'zh_lang')})")
    o.add_argument("--en-lang", help="TMX language tag of the English side (default "
                   f"{default_of(ExportConfig, 'en_lang')})")
    g = p.add_argument_group("filters (off by default; recorded in the output)")
    g.add_argument("--min-score", type=float, metavar="S", help="drop pairs scoring below S")
    g.add_argument("--min-confidence", type=float, metavar="P",
                   help="drop pairs whose confidence (probability the bead is right) is below P")
    g.add_argument(
        "--min-ratio",
        type=float,
        metavar="R",
        help="drop pairs with fewer than R Chinese characters per English word",
    )
    g.add_argument(
        "--max-ratio",
        type=float,
        metavar="R",
        help="drop pairs with more than R Chinese characters per English word",
    )
    g.add_argument("--drop-identical", action="store_true", default=None,
                   help="drop pairs whose two sides are the same text")
    g.add_argument(
        "--drop-number-mismatch",
        action="store_true",
        default=None,
        help="drop pairs where a number on one side is missing on the other",
    )
    g.add_argument(
        "--drop-unmatched",
        action="store_true",
        default=None,
        help="drop unmatched sentences (0-1 and 1-0 beads) from TSV and JSONL",
    )
    g.add_argument("--dedupe", action="store_true", default=None,
                   help="keep only the first of repeated pairs")


# filter option (argparse dest) -> FilterConfig setting; output option -> ExportConfig setting
_FILTER_SETTINGS = {name: name for name in ("min_score", "min_confidence", "min_ratio",
                                            "max_ratio", "drop_identical",
                                            "drop_number_mismatch", "drop_unmatched")}
_EXPORT_SETTINGS = {"dedupe": "dedupe", "header": "tsv_header", "tsv_safe": "tsv_safe",
                    "zh_lang": "zh_lang", "en_lang": "en_lang"}


def export_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The export settings whose flags were given (see cli.build.given_settings)."""
    out = given_settings(args, _EXPORT_SETTINGS)
    filters = given_settings(args, _FILTER_SETTINGS)
    if filters:
        out["filters"] = filters
    return out


def export_config_from_args(args: argparse.Namespace) -> ExportConfig:
    config: ExportConfig = from_table(ExportConfig, export_settings(args), "export")
    return config


def _add_convert(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    formats = [f.value for f in ExportFormat]
    p = sub.add_parser(
        "convert",
        parents=[common],
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

    fmt = {k: ExportFormat(v) for k in ("input_format", "output_format") if (v := getattr(args, k))}
    result = merge(args.inputs, args.output, export_config_from_args(args), **fmt)
    dropped = ", ".join(f"{n} {why}" for why, n in sorted(result.dropped.items()))
    if not args.quiet:
        print(
            f"wrote {result.written[args.output]} beads to {args.output}"
            + (f" (dropped: {dropped})" if dropped else ""),
            file=sys.stderr,
        )
    return EXIT_OK
