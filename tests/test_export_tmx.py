"""TMX export: DTD-valid, read back by translate-toolkit, any text survives."""

from __future__ import annotations

import math
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from corpus import __version__
from corpus.errors import ExportError
from corpus.export.common import xml_text
from corpus.export.tmx import read_header_props, read_tmx, read_tmx_records, tmx_date, write_tmx
from corpus.model import AlignedPair
from tests.exportdata import make_doc, one_bead_doc

DTD = etree.DTD(str(Path(__file__).parent / "data" / "tmx14.dtd"))
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def parse(path: Path) -> etree._Element:
    return etree.parse(str(path)).getroot()


def assert_valid(path: Path) -> None:
    root = parse(path)
    assert DTD.validate(root), DTD.error_log.filter_from_errors()


def test_valid_against_dtd_with_header_props(tmp_path: Path) -> None:
    out = tmp_path / "a.tmx"
    n = write_tmx([make_doc("a"), make_doc("b")], out,
                  header_props={"x-corpus-filters": '{"min_score": 0.5}'})
    assert n == 8
    assert_valid(out)
    assert read_header_props(out) == {"x-corpus-filters": '{"min_score": 0.5}'}


def test_header_attributes(tmp_path: Path) -> None:
    out = tmp_path / "a.tmx"
    write_tmx([make_doc()], out, created=datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))
    root = parse(out)
    assert root.get("version") == "1.4"
    h = root.find("header")
    assert h.attrib == {
        "creationtool": "corpus", "creationtoolversion": __version__, "segtype": "sentence",
        "o-tmf": "corpus", "adminlang": "en-US", "srclang": "zh-CN", "datatype": "plaintext",
        "creationdate": "20240102T030405Z",
    }
    assert out.read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>')


def test_creationdate_is_utc_tmx_form() -> None:
    assert re.fullmatch(r"\d{8}T\d{6}Z", tmx_date(datetime.now(UTC)))


def test_units_props_and_languages(tmp_path: Path) -> None:
    out = tmp_path / "a.tmx"
    write_tmx([make_doc("20240102-parks")], out)
    tus = parse(out).findall("body/tu")
    assert len(tus) == 4  # the 1-0 translator credit is not a translation
    first = tus[0]
    props = {p.get("type"): p.text for p in first.findall("prop")}
    assert props == {
        "x-article-id": "20240102-parks", "x-bead-type": "1-1", "x-score": "0.9100",
        "x-zh-ids": "0", "x-en-ids": "0",
        "x-cn-url": "https://cn.example.org/20240102-parks/",
        "x-en-url": "https://www.example.com/20240102-parks.html", "x-source": "original",
        "x-title": "公园预算",
    }
    assert [t.get(XML_LANG) for t in first.findall("tuv")] == ["zh-CN", "en-US"]
    assert len({tu.get("tuid") for tu in tus}) == 4
    assert first.find("tuv/seg").text == "周二，市议会以七票对两票通过了新的公园预算。"


def test_confidence_prop_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "a.tmx"
    pair = AlignedPair(zh="你好。", en="Hello.", score=0.8, zh_ids=(0,), en_ids=(0,),
                       article_id="art", confidence=0.9312)
    write_tmx([pair, replace(pair, zh_ids=(1,), en_ids=(1,), confidence=None)], out)
    tus = parse(out).findall("body/tu")
    props = [{p.get("type"): p.text for p in tu.findall("prop")} for tu in tus]
    assert props[0]["x-confidence"] == "0.9312" and "x-confidence" not in props[1]
    assert [p.confidence for p in read_tmx(out)] == [pytest.approx(0.9312), None]


def test_language_tags_configurable(tmp_path: Path) -> None:
    out = tmp_path / "a.tmx"
    write_tmx([make_doc()], out, zh_lang="zh-Hans", en_lang="en-GB")
    root = parse(out)
    assert root.find("header").get("srclang") == "zh-Hans"
    assert {t.get(XML_LANG) for t in root.iter("tuv")} == {"zh-Hans", "en-GB"}
    assert len(read_tmx(out)) == 4


def test_segments_cleaned_but_special_text_kept(tmp_path: Path) -> None:
    zh = "  \u3000A&B <c> “引号” 😀 𠀀\x00\x0b\ufffe\r中\t文\n"
    en = "\tTom & Jerry's <b>bold</b> \"quote\" \U0001f600 \x1f\n"
    out = tmp_path / "a.tmx"
    write_tmx([one_bead_doc(zh, en)], out)
    assert_valid(out)
    seg_zh, seg_en = (s.text for s in parse(out).iter("seg"))
    assert seg_zh == "A&B <c> “引号” 😀 𠀀\r中\t文"
    assert seg_en == "Tom & Jerry's <b>bold</b> \"quote\" \U0001f600"
    assert seg_zh == seg_zh.strip() and seg_en == seg_en.strip()


def test_bead_empty_after_cleaning_is_left_out(tmp_path: Path) -> None:
    out = tmp_path / "a.tmx"
    assert write_tmx([one_bead_doc("\x01 ", "text")], out) == 0
    assert_valid(out)


def test_translate_toolkit_reads_it(tmp_path: Path) -> None:
    tmx = pytest.importorskip("translate.storage.tmx")
    doc = make_doc()
    out = tmp_path / "a.tmx"
    write_tmx([doc], out)
    store = tmx.tmxfile.parsefile(str(out))
    got = [(u.source, u.target) for u in store.units]
    want = [(p.zh, p.en) for p in doc.pairs() if p.zh_ids and p.en_ids]
    assert got == want
    assert store.sourcelanguage == "zh-CN"


def test_round_trip_pairs_and_meta(tmp_path: Path) -> None:
    doc = make_doc()
    out = tmp_path / "a.tmx"
    write_tmx([doc], out)
    records = read_tmx_records(out)
    assert [r.pair for r in records] == [p for p in doc.pairs() if p.zh_ids and p.en_ids]
    assert dict(records[0].meta)["en_url"] == doc.meta["en_url"]


def test_reads_other_tools_tmx(tmp_path: Path) -> None:
    path = tmp_path / "other.tmx"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header creationtool="x" '
        'creationtoolversion="1" segtype="sentence" o-tmf="x" adminlang="en" srclang="EN-US" '
        'datatype="plaintext"/><body>'
        '<tu><tuv lang="EN-US"><seg>Hello <bpt i="1">{b}</bpt>world<ept i="1">{/b}</ept></seg>'
        '</tuv><tuv xml:lang="ZH-TW"><seg>你好<hi>世界</hi></seg></tuv></tu>'
        '<tu><tuv xml:lang="fr"><seg>Bonjour</seg></tuv><tuv xml:lang="en"><seg>Hi</seg></tuv>'
        '</tu><tu><tuv xml:lang="zh_CN"><seg>再见</seg></tuv><tuv xml:lang="en"><seg>Bye</seg>'
        "</tuv></tu></body></tmx>", encoding="utf-8")
    pairs = read_tmx(path)
    assert [(p.zh, p.en, p.zh_ids, p.en_ids) for p in pairs] == [
        ("你好世界", "Hello world", (0,), (0,)), ("再见", "Bye", (2,), (2,))]
    assert all(math.isnan(p.score) for p in pairs)


@pytest.mark.parametrize("content", ["<tmx><body>", "<html/>", ""])
def test_broken_file_is_an_export_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.tmx"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ExportError, match=r"bad\.tmx"):
        read_tmx(path)


def test_missing_file_is_an_export_error(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="cannot read"):
        read_tmx(tmp_path / "missing.tmx")


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(zh=st.text(), en=st.text(), score=st.floats(0, 1))
def test_any_text_round_trips(tmp_path: Path, zh: str, en: str, score: float) -> None:
    out = tmp_path / "p.tmx"
    write_tmx([one_bead_doc(zh, en, score)], out)
    assert_valid(out)
    pairs = read_tmx(out)
    if not xml_text(zh) or not xml_text(en):
        assert pairs == []
        return
    (pair,) = pairs
    assert (pair.zh, pair.en) == (xml_text(zh), xml_text(en))
    assert pair.score == pytest.approx(score, abs=5e-5)
    assert (pair.zh_ids, pair.en_ids, pair.article_id) == ((0,), (0,), "a")
