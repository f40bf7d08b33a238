"""TMX 1.4b for CAT tools: one ``<tu>`` per bead with text on both sides.

The file is UTF-8 and valid against the TMX 1.4 DTD (no DOCTYPE line: CAT tools do not
need one and some would try to fetch the DTD). Each ``<tu>`` has a ``tuid``
(``article:zh ids:en ids``), ``<prop>``s ``x-article-id``, ``x-bead-type``, ``x-score``,
``x-zh-ids``, ``x-en-ids`` and the article's URLs (``x-cn-url``, ``x-en-url``, …), then a
Chinese and an English ``<tuv>``. A ``<seg>`` has no whitespace at either end (CAT tools
match segments exactly) and no character XML 1.0 forbids; everything else, astral-plane
characters included, is kept. 0-1 and 1-0 beads are left out: a memory holds translations.
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import BinaryIO
from xml.sax.saxutils import escape

from lxml import etree

from corpus import __version__
from corpus.errors import ExportError
from corpus.export.common import (
    MAX_EXPORT_BYTES,
    Record,
    as_records,
    atomic_write,
    format_ids,
    format_score,
    parse_confidence,
    parse_ids,
    parse_score,
    xml_text,
)
from corpus.files import open_capped
from corpus.model import AlignedDocument, AlignedPair

log = logging.getLogger(__name__)

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# \r would come back as \n (XML end-of-line handling); in attributes \t and \n would
# come back as spaces (attribute-value normalisation): write them as references.
_TEXT_ESCAPES = {"\r": "&#13;"}
_ATTR_ESCAPES = {'"': "&quot;", "\r": "&#13;", "\n": "&#10;", "\t": "&#9;"}
_PROP_IDS = ("x-article-id", "x-bead-type", "x-score", "x-confidence", "x-zh-ids",
             "x-en-ids")


def tmx_date(when: datetime) -> str:
    """TMX's date form, ``YYYYMMDDThhmmssZ``, in UTC."""
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


_NEEDS_ESCAPE = re.compile('[&<>"\r\n\t]')


def _attr(value: str) -> str:
    value = xml_text(value)
    return escape(value, _ATTR_ESCAPES) if _NEEDS_ESCAPE.search(value) else value


def _text(value: str) -> str:
    value = xml_text(value)
    return escape(value, _TEXT_ESCAPES) if _NEEDS_ESCAPE.search(value) else value


def _prop(kind: str, value: str, indent: str) -> str:
    return f'{indent}<prop type="{_attr(kind)}">{_text(value)}</prop>\n'


def _meta_prop_type(key: str) -> str:
    """``en_url`` → ``x-en-url``."""
    return "x-" + key.replace("_", "-")


def write_tmx(items: Iterable[AlignedDocument | AlignedPair | Record],
              path: str | os.PathLike[str], *, zh_lang: str = "zh-CN", en_lang: str = "en-US",
              header_props: Mapping[str, str] | None = None,
              created: datetime | None = None) -> int:
    """Write the two-sided beads of ``items`` to ``path`` atomically; return the ``<tu>`` count.

    ``header_props`` become ``<prop>``s of the header (type → text); the exporters
    record filter settings there. ``created`` defaults to now.
    """
    records = as_records(items)
    created = created or datetime.now(UTC)
    count = 0
    seen: dict[str, int] = {}
    meta_props: dict[tuple[tuple[str, str], ...], str] = {}  # one article's are all the same
    with atomic_write(path) as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n')
        f.write(f'  <header creationtool="corpus" creationtoolversion="{_attr(__version__)}" '
                f'segtype="sentence" o-tmf="corpus" adminlang="en-US" '
                f'srclang="{_attr(zh_lang)}" datatype="plaintext" '
                f'creationdate="{tmx_date(created)}">\n')
        for kind, value in (header_props or {}).items():
            f.write(_prop(kind, value, "    "))
        f.write("  </header>\n  <body>\n")
        for rec in records:
            if not rec.two_sided:
                continue
            zh, en = xml_text(rec.pair.zh), xml_text(rec.pair.en)
            if not zh or not en:  # nothing left a CAT tool could match or insert
                log.debug("skipping a bead with no text after clean-up: %s", rec.pair)
                continue
            f.write(f'    <tu tuid="{_attr(_tuid(rec.pair, seen))}">\n')
            f.write(_bead_props(rec.pair))
            if rec.meta not in meta_props:
                meta_props[rec.meta] = "".join(_prop(_meta_prop_type(k), v, "      ")
                                               for k, v in rec.meta)
            f.write(meta_props[rec.meta])
            f.write(f'      <tuv xml:lang="{_attr(zh_lang)}"><seg>{_text(zh)}</seg></tuv>\n'
                    f'      <tuv xml:lang="{_attr(en_lang)}"><seg>{_text(en)}</seg></tuv>\n'
                    "    </tu>\n")
            count += 1
        f.write("  </body>\n</tmx>\n")
    log.debug("wrote %d translation units to %s", count, path)
    return count


def _tuid(pair: AlignedPair, seen: dict[str, int]) -> str:
    base = f"{pair.article_id}:{format_ids(pair.zh_ids)}:{format_ids(pair.en_ids)}"
    n = seen.get(base, 0) + 1
    seen[base] = n
    return base if n == 1 else f"{base}~{n}"  # unique even when inputs lack article ids


def _bead_props(p: AlignedPair) -> str:
    """The ``<prop>``s of one bead (the article's metadata props follow them)."""
    props = [_prop("x-article-id", p.article_id, "      ")] if p.article_id else []
    props.append(f'      <prop type="x-bead-type">{p.kind}</prop>\n')
    if math.isfinite(p.score):
        props.append(f'      <prop type="x-score">{format_score(p.score)}</prop>\n')
    if p.confidence is not None:
        props.append(f'      <prop type="x-confidence">{format_score(p.confidence)}</prop>\n')
    props.append(f'      <prop type="x-zh-ids">{format_ids(p.zh_ids)}</prop>\n'
                 f'      <prop type="x-en-ids">{format_ids(p.en_ids)}</prop>\n')
    return "".join(props)


# --------------------------------------------------------------------------- reading

def _seg_text(el: etree._Element) -> str:
    """Text of a ``<seg>``: character data and ``<hi>`` content, not inline native codes."""
    parts = [el.text or ""]
    for child in el:
        if child.tag == "hi":
            parts.append(_seg_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _lang(el: etree._Element) -> str:
    return (el.get(_XML_LANG) or el.get("lang") or "").lower()


def _primary(tag: str) -> str:
    return tag.lower().replace("_", "-").split("-")[0]


def read_tmx_file(path: str | os.PathLike[str], *, zh_lang: str = "zh",
                  en_lang: str = "en") -> tuple[list[Record], dict[str, str]]:
    """Read the Chinese-English units of a TMX (ours or another tool's) into records, and
    its header ``<prop>``s (type → text), in one pass.

    Languages match on the primary subtag (``zh-CN``, ``zh-TW`` and ``zh`` are all
    Chinese). Units without both languages are skipped. Ids, score and article id come
    from our ``x-`` props; a unit without them gets its 0-based position as ids and a
    NaN score. The file is read up to the export cap (MAX_EXPORT_BYTES).
    """
    with open_capped(path, MAX_EXPORT_BYTES, "an export", error=ExportError) as fh:
        records, props, root_tag = _read_units(fh, path, _primary(zh_lang), _primary(en_lang))
    if root_tag != "tmx":
        raise ExportError(f"{path}: not a TMX file (root element <{root_tag}>)")
    return records, props


def _read_units(fh: BinaryIO, path: str | os.PathLike[str], want_zh: str, want_en: str
                ) -> tuple[list[Record], dict[str, str], str | None]:
    """The records and header props of the TMX read from ``fh``, and its root's tag."""
    records: list[Record] = []
    props: dict[str, str] = {}
    metas: dict[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]] = {}
    try:
        # streamed from the file, one <tu> at a time, so a corpus-wide memory never sits in
        # RAM whole, as bytes or as a tree
        events = etree.iterparse(fh, events=("end",), tag=("tu", "header"),
                                 resolve_entities=False, no_network=True, huge_tree=True,
                                 load_dtd=False)
        n = -1  # the position of the <tu>: the ids of a unit without our props
        for _, el in events:
            if el.tag == "header":
                props.update((p.get("type", ""), p.text or "") for p in el.iterfind("prop"))
                continue
            n += 1
            if el.getparent() is None or el.getparent().tag != "body":
                continue
            rec = _tu_record(el, n, want_zh, want_en, where=f"{path}: tu {el.get('tuid') or n}")
            if rec is not None:
                records.append(Record(pair=rec.pair, meta=metas.setdefault(rec.meta, rec.meta)))
            el.clear(keep_tail=True)
            while el.getprevious() is not None:
                del el.getparent()[0]
        return records, props, events.root.tag if events.root is not None else None
    except etree.XMLSyntaxError as err:
        raise ExportError(f"{path}: not well-formed XML ({err})") from err


def read_tmx_records(path: str | os.PathLike[str], *, zh_lang: str = "zh",
                     en_lang: str = "en") -> list[Record]:
    """The records of a TMX (see :func:`read_tmx_file`)."""
    return read_tmx_file(path, zh_lang=zh_lang, en_lang=en_lang)[0]


def _tu_record(tu: etree._Element, n: int, want_zh: str, want_en: str, *,
               where: str) -> Record | None:
    segs: dict[str, str] = {}
    for tuv in tu.iterfind("tuv"):
        seg = tuv.find("seg")
        lang = _primary(_lang(tuv))
        if seg is not None and lang in (want_zh, want_en) and lang not in segs:
            segs[lang] = _seg_text(seg)
    if want_zh not in segs or want_en not in segs:
        return None
    props = {p.get("type", ""): p.text or "" for p in tu.iterfind("prop")}
    pair = AlignedPair(zh=segs[want_zh], en=segs[want_en],
                       score=parse_score(props.get("x-score", ""), where=where),
                       zh_ids=parse_ids(props.get("x-zh-ids", str(n)), where=where),
                       en_ids=parse_ids(props.get("x-en-ids", str(n)), where=where),
                       article_id=props.get("x-article-id", ""),
                       confidence=parse_confidence(props.get("x-confidence", ""), where=where))
    meta = tuple(sorted((k[2:].replace("-", "_"), v) for k, v in props.items()
                        if k.startswith("x-") and k not in _PROP_IDS and v))
    return Record(pair=pair, meta=meta)


def read_tmx(path: str | os.PathLike[str], **kw: str) -> list[AlignedPair]:
    """Read a TMX back into pairs (see :func:`read_tmx_records`)."""
    return [r.pair for r in read_tmx_records(path, **kw)]


def read_header_props(path: str | os.PathLike[str]) -> dict[str, str]:
    """The header ``<prop>``s of a TMX (type → text), e.g. the recorded filters."""
    return read_tmx_file(path)[1]
