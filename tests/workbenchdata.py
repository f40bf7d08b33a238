"""A small built corpus for the workbench tests: bead files as a build writes them.

The text is the project's own. Three articles; one term (一带一路) rendered three ways.
"""

from __future__ import annotations

import json
from pathlib import Path

from corpus.export.jsonl import write_jsonl
from corpus.manifest import MANIFEST_NAME
from corpus.model import AlignedDocument, Alignment, Bead, Sentence

ARTICLES: dict[str, dict] = {
    "20240105-belt-road": {
        "title": "一带一路十年", "published": "2024-01-05",
        "zh": [(0, "一带一路倡议已经十年了。"), (0, "北京说它带来了繁荣。"),
               (1, "批评者说一带一路造成了债务。"), (1, "编者注：本文有删节。")],
        "en": [(0, "The Belt and Road Initiative is ten years old."),
               (0, "Beijing says it brought prosperity."),
               (1, "Critics say the Belt and Road left countries in debt."),
               (1, "Some loans were later forgiven.")],
        "beads": [((0,), (0,), 0.91), ((1,), (1,), 0.85), ((2,), (2,), 0.8),
                  ((3,), (), 0.0), ((), (3,), 0.0)],
    },
    "20240320-port-deal": {
        "title": "港口交易", "published": "2024-03-20",
        "zh": [(0, "这座港口是一带一路项目。"), (0, "交易在周二签署。"), (0, "当地人担心。")],
        "en": [(0, "The port is a Belt and Road project."),
               (0, "The deal was signed on Tuesday, and locals worry.")],
        "beads": [((0,), (0,), 0.88), ((1, 2), (1,), 0.25, 0.2)],  # a doubtful bead
    },
    "20240611-rail-line": {
        "title": "铁路", "published": "2024-06-11",
        "zh": [(0, "这条铁路属于一带一路。"), (0, "它连接两座城市。"),
               (1, "一带一路还有其他项目。")],
        "en": [(0, "The railway is part of One Belt, One Road."),
               (0, "It links two cities."),
               (1, "The rate of other projects is lower; the program has more.")],
        "beads": [((0,), (0,), 0.7), ((1,), (1,), 0.93), ((2,), (2,), 0.6)],
    },
}


def document(article_id: str) -> AlignedDocument:
    a = ARTICLES[article_id]
    zh = tuple(Sentence(p, i, t, 0, len(t)) for i, (p, t) in enumerate(a["zh"]))
    en = tuple(Sentence(p, i, t, 0, len(t)) for i, (p, t) in enumerate(a["en"]))
    beads = tuple(Bead(*b) for b in a["beads"])
    meta = {"title": a["title"], "published": a["published"],
            "cn_url": f"https://cn.example.com/{article_id}/",
            "en_url": f"https://www.example.com/{article_id}.html", "source": "original"}
    return AlignedDocument(article_id, zh, en, Alignment(beads, "test"), meta)


def write_built(outdir: Path) -> Path:
    """Write the bead files and a manifest as `corpus build` would; return ``outdir``."""
    (outdir / "beads").mkdir(parents=True, exist_ok=True)
    records = []
    for aid in ARTICLES:
        write_jsonl([document(aid)], outdir / "beads" / f"{aid}.jsonl")
        records.append({"key": aid, "status": "done", "outputs": {
            "beads": f"beads/{aid}.jsonl"}})
    (outdir / MANIFEST_NAME).write_text(json.dumps({"manifest_version": 1, "articles": records}),
                                        encoding="utf-8")
    return outdir
