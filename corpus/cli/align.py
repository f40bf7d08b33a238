"""`corpus align-sents`, `align`, `score` and `split`: sentences and alignments."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from corpus.cli.base import EXIT_OK, log, print_json
from corpus.config import DEFAULT_MODEL, ExportFormat, SegmentConfig, default_of
from corpus.errors import CorpusError
from corpus.files import MAX_DOCUMENT_BYTES, STDIO, decode_text, read_capped, read_text
from corpus.model import Lang, Sentence, Source

# --------------------------------------------------------------------------- align, score

_HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})


_BEAD_FORMAT = "beads"  # [zh ids]:[en ids] lines, as Bertalign and Vecalign write
_FORMATS = (_BEAD_FORMAT, *(f.value for f in ExportFormat))


def _add_align_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("alignment output")
    g.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        default=STDIO,
        help="write to this file (atomically); - or none: standard output",
    )
    g.add_argument(
        "--format",
        choices=_FORMATS,
        help="beads: [zh ids]:[en ids] lines; tsv, jsonl, tmx: the export formats, which "
        "convert, report and evaluate read (default: from OUT's extension, else beads)",
    )
    g.add_argument("--tsv", action="store_true", help="the same as --format tsv")
    g.add_argument(
        "--scores",
        action="store_true",
        help="beads: append each bead's score as a third field: [zh]:[en]:score",
    )
    g.add_argument(
        "--article-id",
        default="",
        metavar="ID",
        help="the article id written with each bead (tsv, jsonl, tmx)",
    )
    g.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        metavar="NAME",
        help=f"encoder: {DEFAULT_MODEL!r} (default: multilingual USE, offline), 'labse', "
        "or any sentence-transformers model name or local path",
    )


def _output_format(args: argparse.Namespace) -> str:
    if args.tsv and args.format not in (None, ExportFormat.TSV.value):
        raise CorpusError(f"--tsv and --format {args.format} disagree; give one")
    if args.tsv:
        return ExportFormat.TSV.value
    if args.format:
        return str(args.format)
    suffix = Path(args.output).suffix.lower().lstrip(".")
    return suffix if suffix in _FORMATS else _BEAD_FORMAT


def _add_align_sents(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "align-sents",
        parents=[common],
        help="align two one-sentence-per-line files; beads out",
        description="Align a Chinese and an English file holding one sentence per line and "
        "write the beads as '[zh ids]:[en ids]' lines (0-based line numbers, the format of "
        "Bertalign and Vecalign), or text pairs with scores (--tsv).",
    )
    p.add_argument("zh", type=Path, metavar="ZH.txt", help="Chinese sentences, one per line "
                   "(- for standard input)")
    p.add_argument("en", type=Path, metavar="EN.txt", help="English sentences, one per line "
                   "(- for standard input)")
    _add_align_options(p)
    p.set_defaults(run=_run_align_sents)


def _run_align_sents(args: argparse.Namespace) -> int:
    from corpus.score import read_sentences

    zh, en = _line_sentences(read_sentences(args.zh)), _line_sentences(read_sentences(args.en))
    return _align_and_write(args, zh, en, paragraphs=False)


def _line_sentences(lines: list[str]) -> list[Sentence]:
    """Sentence *i* is line *i*; the lines carry no paragraphs."""
    return [Sentence(para=0, index=i, text=t, start=0, end=len(t)) for i, t in enumerate(lines)]


def _add_align(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "align",
        parents=[common],
        help="segment and align two documents (text or HTML); beads out",
        description="Align a Chinese and an English document given as plain text "
        "(paragraphs separated by blank lines, or one paragraph per line) or HTML "
        "(*.html, *.htm: the article text is extracted). Both are split into sentences and "
        "aligned using paragraph boundaries as hints. Bead ids count sentences from 0; "
        "--sentences writes the sentences so the ids can be looked up.",
    )
    p.add_argument("zh", type=Path, metavar="ZH", help="the Chinese document (- for standard "
                   "input)")
    p.add_argument("en", type=Path, metavar="EN", help="the English document (- for standard "
                   "input)")
    p.add_argument(
        "--sentences",
        type=Path,
        metavar="DIR",
        help="also write the sentences, one per line, to DIR/zh.txt and DIR/en.txt",
    )
    _add_align_options(p)
    p.set_defaults(run=_run_align)


def _run_align(args: argparse.Namespace) -> int:
    from corpus.model import Lang
    from corpus.score import format_lines
    from corpus.segment import split_paragraphs

    zh = split_paragraphs(_read_paragraphs(args.zh, Lang.ZH), Lang.ZH)
    en = split_paragraphs(_read_paragraphs(args.en, Lang.EN), Lang.EN)
    if args.sentences:
        _write_file(args.sentences / "zh.txt", format_lines(s.text for s in zh))
        _write_file(args.sentences / "en.txt", format_lines(s.text for s in en))
    return _align_and_write(args, zh, en, paragraphs=True)


def _align_and_write(args: argparse.Namespace, zh: Sequence[Sentence], en: Sequence[Sentence],
                     *, paragraphs: bool) -> int:
    from corpus.align import align
    from corpus.embed import load_encoder
    from corpus.score import format_beads

    fmt = _output_format(args)
    encoder = load_encoder(args.model)
    result = align([s.text for s in zh], [s.text for s in en], encoder,
                   zh_paras=[s.para for s in zh] if paragraphs else None,
                   en_paras=[s.para for s in en] if paragraphs else None)
    log.info("aligned %d zh and %d en sentences into %d beads", len(zh), len(en), len(result.beads))
    if fmt == _BEAD_FORMAT:
        _write_file(args.output, format_beads(result.beads, scores=args.scores))
        return EXIT_OK
    from corpus.config import ExportConfig, SegmentConfig, to_dict
    from corpus.export.common import records_from_documents
    from corpus.export.merge import write_export
    from corpus.model import AlignedDocument
    from corpus.provenance import Provenance, describe_encoder

    provenance = Provenance(
        encoder=describe_encoder(encoder), aligner=dict(result.params),
        segmenter={"splitter": "corpus.segment", **to_dict(SegmentConfig())} if paragraphs
        else {"splitter": "none: one sentence per line"},
        english_source=Source.USER.value)
    doc = AlignedDocument(args.article_id, tuple(zh), tuple(en), result, provenance=provenance)
    write_export(records_from_documents([doc]), args.output, ExportFormat(fmt), ExportConfig(),
                 provenance)
    return EXIT_OK


def _write_file(path: Path, text: str) -> None:
    from corpus.export.common import atomic_write

    with atomic_write(path) as fh:
        fh.write(text)


def _read_paragraphs(path: Path, lang: str) -> list[str]:
    """Return the paragraphs of a text or HTML document."""
    raw = read_capped(path, MAX_DOCUMENT_BYTES, "a document", error=CorpusError)
    head = raw[:1024].lstrip().lower()
    if path.suffix.lower() in _HTML_SUFFIXES or head.startswith((b"<!doctype html", b"<html")):
        return _html_paragraphs(raw, path)
    text = decode_text(raw, path, error=CorpusError, encoding="utf-8-sig")
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
        # a file the user names: no test that it is an article page
        return list(extract_article(raw.decode("utf-8", errors="replace"),
                                    require_article=False).paragraphs)
    except ExtractError as err:  # a bare file of <p>s is no news page: read its <p>s
        log.info("%s: %s; reading its <p> elements instead", path, err)
    import lxml.html

    doc = lxml.html.fromstring(raw)
    paras = (" ".join(p.text_content().split()) for p in doc.iter("p"))
    return [p for p in paras if p]


def _add_score(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "score",
        parents=[common],
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
        print_json(result.to_dict())
    else:
        print(result.table())
    return EXIT_OK


# --------------------------------------------------------------------------- split


def _add_split(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "split",
        parents=[common],
        help="split text into sentences, one paragraph per line in, one sentence per line out",
        description="Split Chinese or English text into sentences the way a translator counts "
        "them. Each input line is one paragraph; each output line is one sentence.",
    )
    p.add_argument("file", metavar="FILE", help="UTF-8 text, one paragraph per line; - for stdin")
    p.add_argument(
        "--lang", required=True, choices=[v.value for v in Lang], help="language of the text"
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object per sentence: para (0-based input line), index, "
        "start and end (character offsets into the line), text",
    )
    p.add_argument(
        "--max-chars",
        type=int,
        metavar="N",
        help="cut sentences longer than N characters at a clause mark "
        f"(default {default_of(SegmentConfig, 'max_chars_zh')} for zh, "
        f"{default_of(SegmentConfig, 'max_chars_en')} for en)",
    )
    p.set_defaults(run=_run_split)


def _run_split(args: argparse.Namespace) -> int:
    from corpus.segment import split_paragraphs

    config = SegmentConfig(**({f"max_chars_{args.lang}": args.max_chars} if args.max_chars else {}))
    text = read_text(args.file, MAX_DOCUMENT_BYTES, "a text to split", error=CorpusError,
                     encoding="utf-8-sig")
    for s in split_paragraphs(text.splitlines(), args.lang, config):
        if args.json:
            print(
                json.dumps(
                    {
                        "para": s.para,
                        "index": s.index,
                        "start": s.start,
                        "end": s.end,
                        "text": s.text,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            print(s.text)
    return EXIT_OK
