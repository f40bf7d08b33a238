"""The examples that end each subcommand's --help: one or two command lines a user can copy.

Kept in one table (command → lines) so a new subcommand is easy to check for them
(tests/test_cli.py asks every subcommand for examples).
"""

from __future__ import annotations

import argparse

EXAMPLES: dict[str, tuple[str, ...]] = {
    "build": (
        "corpus build seeds/ -o aligned/          # every seed; rerun to resume",
        "corpus build --config corpus.toml --min-score 0.3 --format tmx,tsv",
        "corpus build seeds/ --url-file urls.txt  # seeds from addresses, then build",
    ),
    "seeds": ("corpus seeds seeds/ --json > articles.json",),
    "seeds-add": (
        "corpus seeds add https://cn.nytimes.com/world/20240621/some-story/ -o seeds/",
        "corpus seeds add --from-file urls.txt -o seeds/",
    ),
    "seeds-list-links": ("corpus seeds list-links https://cn.nytimes.com/world/ > urls.txt",),
    "fetch": (
        "corpus fetch seeds/ --offline            # the cache only: says what it lacks",
        "corpus fetch seeds/ --json > english.json",
    ),
    "split": (
        "corpus split --lang zh article.txt > sentences.txt",
        "cat article.txt | corpus split --lang en - --json",
    ),
    "align": (
        "corpus align zh.html en.html -o doc.tmx  # format from the extension",
        "corpus align zh.txt en.txt --format jsonl | corpus report - -o report/",
    ),
    "align-sents": (
        "corpus align-sents zh.txt en.txt -o doc.align --scores",
        "corpus align-sents zh.txt en.txt --format tsv | cut -f1,2",
    ),
    "score": ("corpus score gold/ out/ --json",),
    "convert": (
        "corpus convert aligned/corpus.jsonl clean.tmx --min-score 0.5 --dedupe",
        "corpus convert aligned/*.tsv - --to jsonl | head",
    ),
    "report": (
        "corpus report aligned/corpus.jsonl -o report/ --low-score 0.4",
        "corpus align zh.txt en.txt --format jsonl | corpus report - -o report/",
    ),
    "evaluate": (
        "cut -f1 aligned/corpus.tsv | my-mt-system | corpus evaluate aligned/corpus.tsv --hyp -",
        "corpus evaluate aligned/corpus.jsonl --hyp mt.zh -d en-zh --json",
    ),
    "index": ("corpus index aligned/",),
    "search": (
        "corpus search 一带一路 aligned/ --renderings",
        "corpus search 'trade war' --lang en --json",
    ),
    "serve": ("corpus serve aligned/               # then open http://127.0.0.1:8765/",),
    "corrections": ("corpus corrections aligned/ --start 20240621-some-story",),
}


class HelpFormatter(argparse.HelpFormatter):
    """Wrap prose as argparse does, but keep indented lines (the examples) as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        out = []
        for block in text.split("\n"):
            if not block or block.startswith(" "):
                out.append(indent + block)
            else:
                out.append(super()._fill_text(block, width, indent))
        return "\n".join(out)


def add_examples(sub: argparse._SubParsersAction) -> None:
    """End the help of every subcommand in ``sub`` with its examples."""
    for name, parser in sub.choices.items():
        lines = EXAMPLES.get(name)
        if not lines:
            continue
        block = "examples:\n" + "\n".join(f"  {line}" for line in lines)
        parser.epilog = f"{parser.epilog}\n\n{block}" if parser.epilog else block
        parser.formatter_class = HelpFormatter
