"""Aligned documents for the export tests, written for this project (no publisher's text)."""

from __future__ import annotations

from collections.abc import Sequence

from corpus.model import AlignedDocument, Alignment, Bead, Sentence

ZH = (
    ("周二，市议会以七票对两票通过了新的公园预算。", "预算总额为350万美元。"),
    ("反对者说，这笔钱应该用于修路。",),
    ("“我们会继续争取，”一位居民说。", "（翻译：李文）"),
)
EN = (
    ("On Tuesday, the city council approved the new parks budget by a vote of 7 to 2.",
     "The budget totals $3.5 million."),
    ("Opponents said the money should go to road repairs.",),
    ('"We will keep fighting," one resident said.',),
)
# ids: zh 0..4, en 0..3; the translator credit (zh 4) has no English counterpart
BEADS = (
    Bead((0,), (0,), 0.91),
    Bead((1,), (1,), 0.87),
    Bead((2,), (2,), 0.79),
    Bead((3,), (3,), 0.83),
    Bead((4,), (), 0.0),
)


def sentences(paragraphs: Sequence[Sequence[str]]) -> tuple[Sentence, ...]:
    out = []
    for p, para in enumerate(paragraphs):
        pos = 0
        for text in para:
            out.append(Sentence(para=p, index=len(out), text=text, start=pos,
                                end=pos + len(text)))
            pos += len(text) + 1
    return tuple(out)


def make_doc(article_id: str = "20240102-parks-budget", *, zh=ZH, en=EN, beads=BEADS,
             meta: dict | None = None) -> AlignedDocument:
    if meta is None:
        meta = {"cn_url": f"https://cn.example.org/{article_id}/",
                "en_url": f"https://www.example.com/{article_id}.html", "source": "original",
                "title": "公园预算"}
    return AlignedDocument(article_id=article_id, zh=sentences(zh), en=sentences(en),
                           alignment=Alignment(beads=tuple(beads), encoder="test-encoder"),
                           meta=meta)


def one_bead_doc(zh: str, en: str, score: float = 0.5, article_id: str = "a") -> AlignedDocument:
    """A document of one 1-1 bead holding exactly ``zh`` and ``en``."""
    return make_doc(article_id, zh=((zh,),), en=((en,),), beads=(Bead((0,), (0,), score),),
                    meta={})
