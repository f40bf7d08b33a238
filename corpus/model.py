"""Plain data passed between stages: articles, sentences, beads, aligned documents.

Stages hand each other these dataclasses, never file paths or parsed HTML.
They are frozen and use tuples so they can be shared and hashed safely.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from corpus.provenance import Provenance


class Lang(enum.StrEnum):
    """The two languages of the corpus."""

    ZH = "zh"
    EN = "en"


class Source(enum.StrEnum):
    """Where the English text of an article came from (tried: USER first, then the rest in
    this order)."""

    ORIGINAL = "original"  # the English article page itself
    DUAL = "dual"  # the cn.nytimes.com bilingual page (article URL + dual/)
    ARCHIVE = "archive"  # a web-archive snapshot of the original
    USER = "user"  # a file the user supplied (--original ID=PATH or a sidecar)


@dataclass(frozen=True, slots=True)
class Caption:
    """A photo caption and its credit, kept apart from the body text."""

    text: str
    credit: str = ""
    lead: bool = False  # True for the lead <figure> above the article


@dataclass(frozen=True, slots=True)
class Article:
    """A Chinese article read from a seed document."""

    id: str  # stable, from the cn URL: 20240621-china-russia-north-korea
    cn_url: str
    en_url: str | None  # the English original, None when there is none
    en_url_problem: str | None  # why en_url is None (or doubtful), for the user
    title: str
    authors: tuple[str, ...] = ()
    published: datetime | None = None  # timezone-aware
    crawled: datetime | None = None  # timezone-aware, from the seed's epoch-ms line
    paragraphs: tuple[str, ...] = ()  # body text, in order
    captions: tuple[Caption, ...] = ()
    contributors: tuple[str, ...] = ()  # footer lines such as reporting credits
    translator: str | None = None  # the 翻译：… credit
    bios: tuple[str, ...] = ()  # author biographies from the footer
    seed_path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "cn_url": self.cn_url,
            "en_url": self.en_url,
            "en_url_problem": self.en_url_problem,
            "title": self.title,
            "authors": list(self.authors),
            "published": self.published.isoformat() if self.published else None,
            "crawled": self.crawled.isoformat() if self.crawled else None,
            "paragraphs": list(self.paragraphs),
            "captions": [
                {"text": c.text, "credit": c.credit, "lead": c.lead} for c in self.captions
            ],
            "contributors": list(self.contributors),
            "translator": self.translator,
            "bios": list(self.bios),
            "seed_path": self.seed_path,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Article:
        return cls(
            id=d["id"],
            cn_url=d["cn_url"],
            en_url=d.get("en_url"),
            en_url_problem=d.get("en_url_problem"),
            title=d.get("title", ""),
            authors=tuple(d.get("authors", ())),
            published=datetime.fromisoformat(d["published"]) if d.get("published") else None,
            crawled=datetime.fromisoformat(d["crawled"]) if d.get("crawled") else None,
            paragraphs=tuple(d.get("paragraphs", ())),
            captions=tuple(Caption(**c) for c in d.get("captions", ())),
            contributors=tuple(d.get("contributors", ())),
            translator=d.get("translator"),
            bios=tuple(d.get("bios", ())),
            seed_path=d.get("seed_path"),
        )


@dataclass(frozen=True, slots=True)
class SourceAttempt:
    """One try at getting the English text: which source, which URL, and how it went."""

    source: Source
    url: str | None
    ok: bool
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source.value, "url": self.url, "ok": self.ok, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class ParagraphPair:
    """A Chinese and an English paragraph the bilingual page pairs up."""

    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    """What extraction finds in a web page: body paragraphs in order, title, date."""

    paragraphs: tuple[str, ...]
    title: str = ""
    published: str | None = None  # ISO date as the page states it
    pairs: tuple[ParagraphPair, ...] = ()  # from a bilingual page, else empty
    headings: tuple[int, ...] = ()  # indices into paragraphs that are subheads (<h2>)
    title_zh: str = ""  # the Chinese title, where the page has one (bilingual pages)


@dataclass(frozen=True, slots=True)
class EnglishText:
    """The English original of an article, as extracted from whichever source served it."""

    article_id: str
    source: Source
    url: str | None  # the URL asked for (None for a user file)
    final_url: str | None  # after redirects
    paragraphs: tuple[str, ...]
    title: str = ""
    published: str | None = None  # ISO date as the page states it
    pairs: tuple[ParagraphPair, ...] = ()  # from the bilingual page, else empty
    attempts: tuple[SourceAttempt, ...] = ()  # every source tried, in order
    headings: tuple[int, ...] = ()  # indices into paragraphs that are subheads


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence and where it sits: paragraph index, document index, offsets."""

    para: int  # 0-based paragraph index
    index: int  # 0-based position in the document; beads refer to this
    text: str
    start: int  # character offset into the paragraph, inclusive
    end: int  # character offset into the paragraph, exclusive


@dataclass(frozen=True, slots=True)
class Bead:
    """A group of Chinese sentences aligned to a group of English sentences.

    Either side may be empty (an added or dropped sentence), never both.
    """

    zh: tuple[int, ...]
    en: tuple[int, ...]
    score: float = 0.0
    confidence: float | None = None  # probability that the bead is right (corpus.align_confidence)

    @property
    def kind(self) -> str:
        """Bead type as ``m-n`` (zh count, en count): ``1-1``, ``2-1``, ``0-1``."""
        return f"{len(self.zh)}-{len(self.en)}"

    def __str__(self) -> str:
        return f"[{','.join(map(str, self.zh))}]:[{','.join(map(str, self.en))}]"


@dataclass(frozen=True, slots=True)
class Alignment:
    """The aligner's result: beads plus what produced them."""

    beads: tuple[Bead, ...]
    encoder: str = ""
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AlignedPair:
    """One bead with its text, ready for export."""

    zh: str
    en: str
    score: float
    zh_ids: tuple[int, ...]
    en_ids: tuple[int, ...]
    article_id: str = ""
    confidence: float | None = None  # probability that the bead is right; None: not known

    @property
    def kind(self) -> str:
        return f"{len(self.zh_ids)}-{len(self.en_ids)}"


@dataclass(frozen=True, slots=True)
class AlignedDocument:
    """An article's aligned sentences, with the metadata exports need."""

    article_id: str
    zh: tuple[Sentence, ...]
    en: tuple[Sentence, ...]
    alignment: Alignment
    meta: dict[str, Any] = field(default_factory=dict)  # urls, source, title …
    provenance: Provenance | None = None  # what produced the beads; stamped into every file

    def pairs(self) -> list[AlignedPair]:
        """Return every bead with its joined text (Chinese joined bare, English with spaces)."""
        out = []
        for b in self.alignment.beads:
            out.append(
                AlignedPair(
                    zh="".join(self.zh[i].text for i in b.zh),
                    en=" ".join(self.en[i].text for i in b.en),
                    score=b.score,
                    zh_ids=b.zh,
                    en_ids=b.en,
                    article_id=self.article_id,
                    confidence=b.confidence,
                )
            )
        return out
