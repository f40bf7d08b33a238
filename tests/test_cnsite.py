"""cn.nytimes.com pages read the way the site builds them (fixtures the project wrote)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from corpus.cnsite import (
    canonical_article_url,
    has_class,
    is_article_url,
    list_links,
    parse_article_page,
    site_url,
)
from corpus.errors import SeedError
from corpus.seeds import parse_seed
from corpus.seedwriter import Photo, render_seed

DATA = Path(__file__).parent / "data" / "cnsite"
FERRY = "https://cn.nytimes.com/business/20240510/ferry-returns/"
BASE = "http://127.0.0.1:9"


def _page(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8").replace("{{BASE}}", BASE)


def test_has_class_matches_whole_class_tokens_only() -> None:
    import lxml.html

    root = lxml.html.fromstring(
        '<div><p id="a" class="article-body">x</p><p id="b" class="article-body-aside">x</p>'
        '<p id="c" class="\tbig  article-body\n">x</p><p id="d" class="my-article-body">x</p>'
        '<p id="e">x</p></div>')
    assert [p.get("id") for p in root.xpath(f"//p[{has_class('article-body')}]")] == ["a", "c"]


@pytest.mark.parametrize("given", [
    FERRY,
    "https://cn.nytimes.com/business/20240510/ferry-returns",
    "http://cn.nytimes.com/business/20240510/ferry-returns/dual/",
    "https://cn.nytimes.com/business/20240510/ferry-returns/zh-hant/",
    "https://m.cn.nytimes.com/business/20240510/ferry-returns/?utm_source=RSS#top",
    "cn.nytimes.com/business/20240510/ferry-returns/",
    "  https://CN.NYTIMES.COM/business/20240510/ferry-returns/  ",
    BASE + "/business/20240510/ferry-returns/",  # the configured site base (a mirror)
])
def test_every_form_of_an_article_address_gives_one_canonical_address(given):
    assert canonical_article_url(given, BASE) == FERRY


@pytest.mark.parametrize(("given", "why"), [
    ("https://www.nytimes.com/2024/05/09/world/asia/ferry-returns.html", "not a cn.nytimes.com"),
    ("https://example.com/business/20240510/ferry-returns/", "not a cn.nytimes.com"),
    ("https://cn.nytimes.com.evil.example/business/20240510/x/", "not a cn.nytimes.com"),
    ("https://cn.nytimes.com/china/", "list-links"),
    ("https://cn.nytimes.com/", "not an article address"),
    ("https://cn.nytimes.com/business/2024051/x/", "not an article address"),
    ("ftp://cn.nytimes.com/business/20240510/x/", "not a web address"),
    ("", "not a web address"),
])
def test_other_addresses_are_refused_with_a_reason(given, why):
    with pytest.raises(SeedError, match=why):
        canonical_article_url(given)
    assert not is_article_url(given)


def test_site_url_maps_the_site_to_its_configured_base():
    assert site_url(FERRY, BASE + "/") == BASE + "/business/20240510/ferry-returns/"
    assert site_url("https://cn.nytimes.com/rss/?x=1", BASE) == BASE + "/rss/?x=1"
    other = "https://feeds.example.org/cn.xml"
    assert site_url(other, BASE) == other


def test_article_page_gives_every_seed_field():
    crawled = datetime(2024, 5, 10, 0, 0, 1, 500000, tzinfo=UTC)
    doc = parse_article_page(_page("ferry.html"), FERRY, crawled=crawled)
    assert doc.title == "停运十二年后，石湾渡轮重新起航"  # not the English h1.en-title
    assert doc.byline == "孟丽莎"
    assert doc.time_attr == "2024-05-10 05:12:30" and doc.time_text == "2024年5月10日"
    assert doc.crawled_ms == 1715299201500
    assert doc.lead == (Photo("周一清晨，渡轮驶离石湾码头。", "林小雨为《纽约时报》拍摄",
                              "https://static01.nyt.com/images/2024/05/09/ferry-01/"
                              "ferry-01-master1050.jpg"),)
    texts = [b for b in doc.body if isinstance(b, str)]
    assert texts == [
        "清晨六点，一艘漆成蓝白两色的渡轮缓缓驶离石湾码头，船上坐着二十多名乘客。",
        "这条航线停运了整整十二年。去年秋天，县政府决定重新开通，每天往返四班。",  # no comment text
        "六十七岁的退休教师周建国是第一批乘客之一。“小时候我每天坐船去上学，”他说。"
        "“现在我坐船去看孙子。”",
        "船长刘海燕说，乘客大多是老人和学生，周末则有不少来自城里的游客。",
        "县交通局的数据显示，渡轮开通后的头六个月共运送乘客约四万人次。",
        "不过，这条航线仍在亏损。县政府每年需要补贴大约八十万元。",
    ]  # no ad, no aside, no site note
    photo = doc.body[3]
    assert isinstance(photo, Photo) and photo.caption == "船长刘海燕在驾驶舱里。"
    assert photo.credit == "林小雨为《纽约时报》拍摄"
    assert doc.footer == ("张文自北京对本文有研究贡献。",
                          "孟丽莎(Lisa Meng)是《纽约时报》驻上海记者，报道中国的交通与城市生活。",
                          "翻译：纽约时报中文网")
    assert doc.en_url == BASE + "/2024/05/09/world/asia/ferry-returns.html"


def test_a_written_article_page_reads_back_as_a_seed():
    doc = parse_article_page(_page("ferry.html"), FERRY,
                             crawled=datetime(2024, 5, 10, tzinfo=UTC))
    art = parse_seed(render_seed(doc))
    assert art.id == "20240510-ferry-returns"
    assert art.cn_url == FERRY
    assert len(art.paragraphs) == 6
    assert [(c.text, c.lead) for c in art.captions] == [
        ("周一清晨，渡轮驶离石湾码头。", True), ("船长刘海燕在驾驶舱里。", False)]
    assert art.authors == ("孟丽莎",)
    assert art.published == datetime(2024, 5, 9, 21, 12, 30, tzinfo=UTC)
    assert art.contributors == ("张文自北京对本文有研究贡献。",)
    assert art.translator == "纽约时报中文网"
    assert art.en_url == BASE + "/2024/05/09/world/asia/ferry-returns.html"


def test_photo_inside_a_paragraph_and_dual_button_page():
    tea = "https://cn.nytimes.com/china/20240512/tea-harvest/"
    doc = parse_article_page(_page("tea.html"), tea)
    assert doc.crawled_ms is None
    assert doc.body[2] == Photo("采茶工在山坡上的茶园里。", "",
                                "https://static01.nyt.com/images/2024/05/11/tea-01.jpg")
    art = parse_seed(render_seed(doc))
    assert art.authors == ("高志明", "韩雪")
    assert len(art.paragraphs) == 5 and art.translator == "晓宁"


def test_english_link_from_the_dual_button_when_the_footer_has_none():
    page = _page("ferry.html").replace("点击查看本文英文版。", "")
    doc = parse_article_page(page, FERRY)
    assert doc.en_url == BASE + "/2024/05/09/world/asia/ferry-returns.html"


def test_two_different_english_links_are_refused():
    page = _page("ferry.html").replace(
        "<p>翻译：纽约时报中文网</p>",
        '<p><a href="https://www.nytimes.com/2020/01/01/other.html">点击查看本文英文版</a></p>')
    with pytest.raises(SeedError, match="2 different English links"):
        parse_article_page(page, FERRY)


@pytest.mark.parametrize(("name", "why"), [
    ("column.html", "no English original"),
    ("not-article.html", "not an article page"),
    ("section.html", "no article body .*og:type is 'website'"),
])
def test_pages_that_give_no_seed_say_why(name, why):
    with pytest.raises(SeedError, match=why):
        parse_article_page(_page(name), "https://cn.nytimes.com/world/20240515/section-like/")


def test_a_subhead_in_the_body_is_a_paragraph_of_its_own():
    page = _page("ferry.html").replace('<div class="article-body-aside">',
                                       "<h2>亏损的航线</h2><div class=\"article-body-aside\">")
    texts = [b for b in parse_article_page(page, FERRY).body if isinstance(b, str)]
    assert texts[4] == "亏损的航线" and len(texts) == 7


def test_an_article_page_whatever_its_og_type_says():
    page = _page("ferry.html").replace('content="article"', 'content="website"')
    assert parse_article_page(page, FERRY).title == "停运十二年后，石湾渡轮重新起航"


def test_empty_article_body_is_refused():
    page = _page("column.html").replace("<div class=\"article-paragraph\">", "<div>")
    page = page.replace("从下周起", "").replace("来信可以", "").replace("我们会在", "")
    page = "".join(page.split("<section class=\"article-body\">")[0]) + \
        '<section class="article-body"><div class="big_ad">广告</div></section></body></html>'
    with pytest.raises(SeedError, match="no body paragraphs"):
        parse_article_page(page, FERRY)


def test_section_page_lists_each_article_once_in_page_order():
    links = list_links(_page("section.html"), "https://cn.nytimes.com/business/")
    assert links == [
        FERRY,
        "https://cn.nytimes.com/china/20240512/tea-harvest/",
        "https://cn.nytimes.com/opinion/20240513/columnist-note/",
        "https://cn.nytimes.com/world/20240514/gone-story/",
        "https://cn.nytimes.com/world/20240515/section-like/",
    ]  # no nav, pagination, help page, English site, dual/ or zh-hant/ duplicates


def test_feed_lists_its_items_and_resolves_no_entities():
    links = list_links(_page("feed.xml"), "https://cn.nytimes.com/rss/")
    assert links == [FERRY, "https://cn.nytimes.com/china/20240512/tea-harvest/"]


def test_relative_links_resolve_against_the_page_not_the_mirror():
    html = '<html><body><a href="/world/20240101/a/">a</a><a href="b/">x</a></body></html>'
    assert list_links(html, BASE + "/world/20240101/", BASE) == [
        "https://cn.nytimes.com/world/20240101/a/", "https://cn.nytimes.com/world/20240101/b/"]


def test_deeply_nested_hostile_page_does_not_crash():
    html = ("<html><body><section class='article-body'>" + "<div>" * 5000
            + "<div class='article-paragraph'>深处的一段。</div>" + "</div>" * 5000
            + "</section><footer><a href='https://e.org/a'>点击查看本文英文版</a></footer>"
            "</body></html>")
    try:
        doc = parse_article_page(html, FERRY)
    except SeedError:
        return  # refused with a reason is fine; a RecursionError is not
    assert doc.en_url == "https://e.org/a"
