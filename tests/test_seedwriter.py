"""Seeds we write read back as the seeds we were given: the export format, exactly."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.errors import SeedError
from corpus.model import Article, Caption
from corpus.seeds import BEIJING, parse_seed
from corpus.seedwriter import (
    Photo,
    SeedDoc,
    render_seed,
    save_seed,
    seed_doc_from_article,
    seed_file_name,
)

GIVEN = Path(__file__).parent.parent / "seeds" / "000_6c8018e4e619dbc1.txt"


def _fields(article: Article) -> dict[str, object]:
    d = article.to_dict()
    d.pop("seed_path")
    return d


def test_given_seed_round_trips_to_the_same_fields():
    first = parse_seed(GIVEN.read_bytes(), str(GIVEN))
    text = render_seed(seed_doc_from_article(first))
    again = parse_seed(text, "written.txt")
    assert _fields(again) == _fields(first)
    # the facts the given seed is known to hold survive the trip
    assert len(again.paragraphs) == 27
    assert sum(c.lead for c in again.captions) == 1 and len(again.captions) == 6
    assert again.en_url == ("https://www.nytimes.com/2024/06/20/world/asia/"
                            "china-russia-north-korea.html")
    assert again.published == datetime(2024, 6, 21, 1, 7, 39, tzinfo=UTC)
    assert again.crawled == first.crawled and again.crawled is not None


def test_written_seed_has_the_export_layout():
    text = render_seed(seed_doc_from_article(parse_seed(GIVEN.read_bytes())))
    lines = text.split("\n")
    assert lines[0] == "<!--1718933821000-->"
    assert lines[1] == ("[俄朝共同防御条约给北京带来更多麻烦]"
                        "(https://cn.nytimes.com/china/20240621/china-russia-north-korea/)")
    assert lines[2] == "------"
    body = lines[4]
    assert body.startswith('<address>DAVID PIERSON, CHOE SANG-HUN</address>'
                           '<time pudate="2024-06-21 09:07:39" datetime="2024-06-21 09:07:39">'
                           '2024年6月21日</time><figure>')
    assert "<figcaption>朝鲜官方媒体提供的一张照片显示" in body
    assert "<cite>Korean Central News Agency, via Associated Press</cite></figcaption>" in body
    assert body.count('<small style="color: #999;">') == 5
    assert body.endswith('点击查看本文英文版。</a></p></footer>')


def test_body_photos_stay_where_the_page_put_them():
    doc = SeedDoc(cn_url="https://cn.nytimes.com/china/20240101/x/", title="标题",
                  body=("第一段。", Photo("图说。", "某某摄", "a.jpg"), "第二段。"),
                  en_url="https://www.nytimes.com/2024/01/01/x.html")
    text = render_seed(doc)
    assert text.index("第一段") < text.index("图说") < text.index("第二段")
    art = parse_seed(text)
    assert art.paragraphs == ("第一段。", "第二段。")
    assert art.captions == (Caption("图说。", "某某摄"),)
    assert art.crawled is None  # no epoch line was written: none was known


def test_markup_in_text_is_escaped_not_interpreted():
    doc = SeedDoc(cn_url="https://cn.nytimes.com/china/20240101/x/", title="<b>标题</b> & 副题",
                  body=("他说：“<script>alert(1)</script> 和 </section> 都是文字。”",),
                  footer=("翻译：<i>某人</i>",), en_url='https://example.com/a?b=1&c="2"')
    art = parse_seed(render_seed(doc))
    assert art.title == "<b>标题</b> & 副题"
    assert art.paragraphs == ("他说：“<script>alert(1)</script> 和 </section> 都是文字。”",)
    assert art.translator == "<i>某人</i>"
    assert art.en_url == 'https://example.com/a?b=1&c="2"'


def test_a_url_with_spaces_or_parentheses_stays_one_header():
    doc = SeedDoc(cn_url="https://cn.nytimes.com/china/20240101/a (b)/", title="标题",
                  body=("正文。",))
    art = parse_seed(render_seed(doc))
    assert art.cn_url == "https://cn.nytimes.com/china/20240101/a%20%28b%29/"


@pytest.mark.parametrize("doc", [
    SeedDoc(cn_url="https://cn.nytimes.com/china/20240101/x/", title=" ", body=("正文。",)),
    SeedDoc(cn_url="https://cn.nytimes.com/china/20240101/x/", title="标题", body=()),
    SeedDoc(cn_url="https://cn.nytimes.com/china/20240101/x/", title="标题",
            body=(Photo("只有图。"),)),
])
def test_nothing_to_write_is_an_error(doc):
    with pytest.raises(SeedError):
        render_seed(doc)


def test_save_never_replaces_a_seed_unless_asked(tmp_path):
    path = tmp_path / seed_file_name("20240101-x")
    save_seed("one", path)
    with pytest.raises(SeedError, match="--force"):
        save_seed("two", path)
    assert path.read_text(encoding="utf-8") == "one\n"
    save_seed("two", path, force=True)
    assert path.read_text(encoding="utf-8") == "two\n"
    assert [p.name for p in tmp_path.iterdir()] == ["20240101-x.txt"]  # no temporary left


# ----------------------------------------------------------------------------- property

# Text as a cleaned seed holds it: no leading/trailing or repeated spaces, NFC-stable
# characters (CJK, ASCII letters and the markup characters that must be escaped).
_ALPHABET = st.sampled_from([*list("中文段落标题说他们的。，“”《》abcXYZ019<>&\"'/=-"), " "])
_text = st.text(_ALPHABET, min_size=1, max_size=30).map(lambda s: " ".join(s.split())).filter(
    bool)
# In-body captions: no Latin, which the reader would take for a photo credit ("…。 Jane Doe").
_zh_text = st.text(st.sampled_from(list("中文图说他们的。，“”")), min_size=1, max_size=20)
_name = st.text(st.sampled_from(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ -")), min_size=1,
                max_size=12).map(lambda s: " ".join(s.split())).filter(bool)


@st.composite
def articles(draw: st.DrawFn) -> Article:
    leads = draw(st.lists(st.builds(Caption, _text, st.one_of(st.just(""), _text),
                                    st.just(True)), max_size=2))
    body_caps = draw(st.lists(st.builds(Caption, _zh_text, st.one_of(st.just(""), _text)),
                              max_size=3))
    when = draw(st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2035, 1, 1),
                             timezones=st.just(UTC)))
    return Article(
        id="20240101-some-slug", cn_url="https://cn.nytimes.com/world/20240101/some-slug/",
        en_url=draw(st.one_of(st.just("https://www.nytimes.com/2024/01/01/x.html"),
                              st.just("http://example.org/a?b=c&d=e"))),
        en_url_problem=None, title=draw(_text), authors=tuple(draw(st.lists(_name, max_size=3))),
        published=when.replace(microsecond=0).astimezone(BEIJING),
        crawled=when.replace(microsecond=when.microsecond // 1000 * 1000),
        paragraphs=tuple(draw(st.lists(_text, min_size=1, max_size=6))),
        captions=(*leads, *body_caps),
        contributors=tuple(f"{t}对本文有报道贡献。" for t in draw(st.lists(_text, max_size=2))),
        translator=draw(st.one_of(st.none(), _text)),
        bios=tuple(f"{n}是时报记者。" for n in draw(st.lists(_name, max_size=2))),
    )


@settings(max_examples=150, deadline=None)
@given(articles())
def test_any_article_round_trips(article):
    text = render_seed(seed_doc_from_article(article))
    back = parse_seed(text)
    assert _fields(back) == _fields(dataclasses.replace(article, seed_path=None))


@pytest.mark.parametrize("credit", ["翻译：", "譯者 :", "译者:"])
def test_a_translator_that_is_only_a_credit_prefix_is_not_prefixed_again(credit):
    # parse_seed keeps a bare "翻译：" line whole as the translator; writing it back must
    # not make it "翻译：翻译：", so the writer knows the prefix the reader knows
    article = parse_seed(render_seed(SeedDoc(
        cn_url="https://cn.nytimes.com/china/20240101/x/", title="标题", body=("正文。",),
        footer=(credit,), en_url="https://www.nytimes.com/2024/01/01/x.html")))
    assert article.translator == credit
    doc = seed_doc_from_article(article)
    assert doc.footer == (credit,)
    assert parse_seed(render_seed(doc)).translator == credit
