"""Seed parsing: the good case in detail, every kind of bad input, and a property test."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.errors import SeedError
from corpus.seeds import (
    BEIJING,
    article_id_from_url,
    parse_seed,
    read_seed_file,
    read_seeds,
)

DATA = Path(__file__).parent / "data" / "seeds"
GOOD = (DATA / "good.txt").read_text(encoding="utf-8")
EN_LINK = '<p><a href="https://www.nytimes.com/2024/06/17/business/small-town-bakery.html">点击查看本文英文版。</a></p>'


def test_good_seed_fields():
    a = read_seed_file(DATA / "good.txt")
    assert a.id == "20240618-small-town-bakery"
    assert a.cn_url == "https://cn.nytimes.com/business/20240618/small-town-bakery/"
    assert a.en_url == "https://www.nytimes.com/2024/06/17/business/small-town-bakery.html"
    assert a.en_url_problem is None
    assert a.title == "小城面包店的第三代传人"
    assert a.authors == ("艾米莉·陈", "马克·罗斯")
    assert a.published == datetime(2024, 6, 17, 21, 30, tzinfo=UTC)
    assert a.published.utcoffset() is not None
    assert a.crawled == datetime(2024, 6, 21, 7, 0, tzinfo=UTC)
    assert len(a.paragraphs) == 6
    # entities decoded, whitespace normalised (NBSP, leading spaces), inline links kept as text
    assert a.paragraphs[0] == "在这座只有八千人的小城里，林家面包店已经开了 62 年。"
    assert a.paragraphs[1].startswith("第三代店主")
    assert a.paragraphs[4] == "镇长罗伯特·格林表示，市政府正在考虑为老店提供租金补贴。"
    assert "&她的女儿" in a.paragraphs[5]
    # captions apart from the body: the lead one with its <cite>, two photo captions
    assert [c.lead for c in a.captions] == [True, False, False]
    assert a.captions[0].text == "清晨五点，面包店的烤箱已经点燃。"
    assert a.captions[0].credit == "Jane Doe for The New York Times"
    assert a.captions[1].text == "面包店的招牌是1962年手写的。"
    assert a.captions[1].credit == "Jane Doe for The New York Times"
    assert not any("招牌" in p or "烤箱" in p for p in a.paragraphs)
    assert a.contributors == ("萨拉·金对本文有报道贡献。",)
    assert a.translator == "纽约时报中文网"
    assert a.bios == ("艾米莉·陈是《纽约时报》商业记者，报道小企业与地方经济。",)


def test_to_dict_round_trip():
    from corpus.model import Article

    a = read_seed_file(DATA / "good.txt")
    assert Article.from_dict(a.to_dict()) == a


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://cn.nytimes.com/world/20240621/china-russia-north-korea/",
            "20240621-china-russia-north-korea",
        ),
        (
            "https://cn.nytimes.com/world/20240621/china-russia-north-korea/dual/",
            "20240621-china-russia-north-korea",
        ),
        (
            "https://cn.nytimes.com/world/20240621/china-russia-north-korea/zh-hant/",
            "20240621-china-russia-north-korea",
        ),
        ("https://cn.nytimes.com/opinion/20191002/Some-Slug", "20191002-some-slug"),
        ("https://cn.nytimes.com/culture/a-story/", "a-story"),
    ],
)
def test_article_id_from_url(url, expected):
    assert article_id_from_url(url) == expected


def test_article_id_needs_a_path():
    with pytest.raises(SeedError, match="cannot derive an article id"):
        article_id_from_url("https://cn.nytimes.com/")


def test_crlf_and_bom():
    data = b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode("utf-8")
    a = parse_seed(data, "crlf.txt")
    assert a.id == "20240618-small-town-bakery"
    assert len(a.paragraphs) == 6
    assert a.title == "小城面包店的第三代传人"


def test_gbk_bytes_are_read():
    a = parse_seed(GOOD.replace("\u00a0", " ").encode("gbk", errors="strict"), "gbk.txt")
    assert a.title == "小城面包店的第三代传人"
    assert len(a.paragraphs) == 6


def test_invalid_utf8_is_reported():
    data = GOOD.encode("utf-8")[:40] + b"\xff\xfe\xfa\x80\x81" + b"\xc3" * 3
    with pytest.raises(SeedError, match="not valid UTF-8"):
        parse_seed(data, "bad.txt")


def test_no_english_link_is_a_chinese_original():
    text = GOOD.replace(EN_LINK, "")
    a = parse_seed(text)
    assert a.en_url is None
    assert "no 点击查看本文英文版 link" in a.en_url_problem
    assert len(a.paragraphs) == 6


def test_author_page_and_body_links_are_not_the_original():
    a = parse_seed(GOOD.replace(EN_LINK, ""))
    assert a.en_url is None  # /by/ author link and the body's nytimes link do not count


def test_several_candidate_links():
    other = EN_LINK.replace("small-town-bakery.html", "another-story.html")
    a = parse_seed(GOOD.replace(EN_LINK, EN_LINK + other))
    assert a.en_url is None
    assert "2 different English links" in a.en_url_problem


def test_same_link_twice_is_fine():
    a = parse_seed(GOOD.replace(EN_LINK, EN_LINK + EN_LINK))
    assert a.en_url == "https://www.nytimes.com/2024/06/17/business/small-town-bakery.html"


def test_relative_link():
    text = GOOD.replace("https://www.nytimes.com/2024/06/17/", "/2024/06/17/")
    a = parse_seed(text)
    assert a.en_url is None
    assert "relative" in a.en_url_problem


def test_scheme_relative_link_gets_https():
    a = parse_seed(
        GOOD.replace("https://www.nytimes.com/2024/06/17/", "//www.nytimes.com/2024/06/17/")
    )
    assert a.en_url == "https://www.nytimes.com/2024/06/17/business/small-town-bakery.html"


def test_empty_body():
    head = "\n".join(GOOD.split("\n")[:3])
    with pytest.raises(SeedError, match="no article HTML"):
        parse_seed(head + "\n")
    start, end = GOOD.index("<section>"), GOOD.index("</section>")
    with pytest.raises(SeedError, match="body is empty"):
        parse_seed(GOOD[: start + len("<section>")] + "<p>  </p>" + GOOD[end:])


def test_truncated_file():
    with pytest.raises(SeedError, match="truncated"):
        parse_seed(GOOD[: GOOD.index("</section>") - 30])
    with pytest.raises(SeedError, match="truncated"):
        parse_seed(GOOD[: GOOD.index("</footer>")])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n",
        "hello world\n",
        "<html><body><p>x</p></body></html>",
        "<!--1718953200000-->\n[标题](ftp://cn.nytimes.com/a/20240101/x/)\n------\n<p>正文</p>",
        "\x00\x01\x02binary",
    ],
)
def test_not_a_seed(text):
    with pytest.raises(SeedError):
        parse_seed(text)


def test_epoch_line_optional():
    a = parse_seed(GOOD.split("\n", 1)[1])
    assert a.crawled is None
    assert a.id == "20240618-small-town-bakery"


def test_published_falls_back_to_url_date():
    text = GOOD.replace('<time pudate="2024-06-18 05:30:00">2024年6月18日</time>', "")
    a = parse_seed(text)
    assert a.published is not None and a.published.date().isoformat() == "2024-06-18"


def test_huge_file_refused(tmp_path):
    f = tmp_path / "huge.txt"
    f.write_bytes(b"x" * (9 * 2**20))
    with pytest.raises(SeedError, match="too large"):
        read_seed_file(f)


def test_read_seeds_folder_with_broken_seeds(tmp_path):
    n_good = 2000  # "a directory with thousands of seeds": about a second
    for i in range(n_good):
        (tmp_path / f"s{i:04d}.txt").write_text(
            GOOD.replace("small-town-bakery/", f"bakery-{i}/"), encoding="utf-8"
        )
    sub = tmp_path / "nested"
    sub.mkdir()
    (sub / "broken-truncated.txt").write_text(GOOD[:300], encoding="utf-8")
    (sub / "broken-notseed.md").write_text("# notes\nnothing here\n", encoding="utf-8")
    (sub / "broken-utf8.txt").write_bytes(b"\xff\xfe\x00garbage\x81\x82")
    (tmp_path / "zz-dup.txt").write_text(
        GOOD.replace("small-town-bakery/", "bakery-3/"), encoding="utf-8"
    )
    (tmp_path / "s0001.en.html").write_text("<p>user original</p>", encoding="utf-8")  # sidecar
    (tmp_path / "README.md").write_text("about these seeds", encoding="utf-8")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8")
    batch = read_seeds([tmp_path])
    assert len(batch.articles) == n_good
    failed = {Path(f.path).name: f.reason for f in batch.failures}
    assert set(failed) == {
        "broken-truncated.txt",
        "broken-notseed.md",
        "broken-utf8.txt",
        "zz-dup.txt",
    }
    assert "duplicate article id 20240618-bakery-3" in failed["zz-dup.txt"]
    assert "truncated" in failed["broken-truncated.txt"]


def test_read_seeds_missing_file(tmp_path):
    batch = read_seeds([tmp_path / "nope.txt"])
    assert not batch.articles
    assert "cannot read" in batch.failures[0].reason


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes(text):
    try:
        a = parse_seed(text)
    except SeedError as err:
        assert str(err)
    else:
        assert a.paragraphs and a.id


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash(data):
    with contextlib.suppress(SeedError):
        parse_seed(data)


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("<>/pa=\"'sectionfotr 点击查看本文英文版\n-[]()!")),
        max_size=300,
    )
)
def test_html_soup_after_a_valid_header_never_crashes(body):
    head = "<!--1718953200000-->\n[标题](https://cn.nytimes.com/a/20240101/x/)\n------\n"
    try:
        a = parse_seed(head + body)
    except SeedError as err:
        assert err.path is None and str(err)
    else:
        assert a.id == "20240101-x"


# --------------------------------------------------------------- the seed the project was given

GIVEN = Path(__file__).parent.parent / "seeds" / "000_6c8018e4e619dbc1.txt"


def test_the_given_seed_is_read_whole():
    art = read_seed_file(GIVEN)
    assert art.id == "20240621-china-russia-north-korea"
    assert art.cn_url == "https://cn.nytimes.com/china/20240621/china-russia-north-korea/"
    assert art.en_url == ("https://www.nytimes.com/2024/06/20/world/asia/"
                          "china-russia-north-korea.html")
    assert art.title == "俄朝共同防御条约给北京带来更多麻烦"
    assert art.authors == ("DAVID PIERSON", "CHOE SANG-HUN")
    # <time pudate="2024-06-21 09:07:39" datetime="2024-06-21 09:07:39">: no offset, so
    # Beijing time, as cn.nytimes.com shows it (01:07:39 UTC)
    assert art.published == datetime(2024, 6, 21, 9, 7, 39, tzinfo=BEIJING)
    assert art.published.astimezone(UTC) == datetime(2024, 6, 21, 1, 7, 39, tzinfo=UTC)
    assert art.crawled == datetime.fromtimestamp(1718933821, UTC)
    assert len(art.paragraphs) == 27
    assert art.paragraphs[0].startswith("在全球叙事的较量中")
    assert art.paragraphs[-1].startswith("据中国官方媒体周三报道")
    # the photo captions (<p><img><small>) are not body text, and the body has no links left
    assert not any("weserv" in p or "<" in p for p in art.paragraphs)
    assert "韩国研究主任车维德说" in art.paragraphs[-4]  # two links inside one paragraph
    lead = [c for c in art.captions if c.lead]
    inline = [c for c in art.captions if not c.lead]
    assert len(lead) == 1 and len(inline) == 5
    assert lead[0].credit == "Korean Central News Agency, via Associated Press"
    assert lead[0].text.startswith("朝鲜官方媒体提供的一张照片显示")
    assert inline[-1].text == "周三，普京离开平壤之前与金正恩话别，照片由俄罗斯官方媒体提供。"
    assert art.contributors == ("Olivia Wang自香港对本文有报道贡献。",)
    assert art.translator == "纽约时报中文网"
    assert len(art.bios) == 2 and art.bios[0].startswith("David Pierson报道中国外交政策")
    assert not any("点击查看" in b for b in art.bios)  # the "more about him" link is no bio


def test_the_given_seed_time_attributes_in_every_form():
    # the real attribute format, and the forms other exports use
    page = GIVEN.read_text(encoding="utf-8")
    real = '<time pudate="2024-06-21 09:07:39" datetime="2024-06-21 09:07:39">'
    assert real in page
    for attrs, want in [
        ('pudate="2024-06-21 09:07:39"', datetime(2024, 6, 21, 9, 7, 39, tzinfo=BEIJING)),
        ('datetime="2024-06-21 09:07:39"', datetime(2024, 6, 21, 9, 7, 39, tzinfo=BEIJING)),
        ('datetime="2024-06-21T01:07:39Z"', datetime(2024, 6, 21, 1, 7, 39, tzinfo=UTC)),
        ('pudate="2024-06-20 23:30:00"', datetime(2024, 6, 20, 23, 30, tzinfo=BEIJING)),
        ("", datetime(2024, 6, 21, tzinfo=BEIJING)),  # the text 2024年6月21日
    ]:
        art = parse_seed(page.replace(real, f"<time {attrs}>"))
        assert art.published == want, attrs


# --------------------------------------------------------------------------- hostile input

_TIME = '<time pudate="2024-06-18 05:30:00">2024年6月18日</time>'


@pytest.mark.parametrize("time_el", [
    '<time pudate="²">x</time>',
    f'<time pudate="{"9" * 5000}">x</time>',
    f'<time pudate="{"9" * 20}">x</time>',
    "<time>2024年13月01日</time>",
    '<time datetime="2024-02-30">x</time>',
])
def test_bad_date_in_one_seed_is_no_crash(time_el):
    a = parse_seed(GOOD.replace(_TIME, time_el))
    assert a.published is not None and a.published.date().isoformat() == "2024-06-18"  # URL


def test_cn_url_with_no_calendar_day_reads_the_seed_without_a_date():
    text = GOOD.replace(_TIME, "").replace("/20240618/", "/20241399/")
    a = parse_seed(text)
    assert a.id == "20241399-small-town-bakery" and a.published is None


def test_folder_with_bad_date_seeds_reads_the_rest(tmp_path):
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.txt").write_text(
        GOOD.replace("small-town-bakery/", "other/").replace(_TIME, '<time pudate="²">x</time>')
        .replace("/20240618/", "/20241399/"), encoding="utf-8")
    batch = read_seeds([tmp_path])
    assert sorted(a.id for a in batch.articles) == ["20240618-small-town-bakery",
                                                   "20241399-other"]


def test_device_reporting_size_zero_is_read_only_up_to_the_cap():
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    with pytest.raises(SeedError, match="too large"):
        read_seed_file("/dev/zero")


def test_output_folder_inside_the_seed_folder_is_skipped(tmp_path):
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    out = tmp_path / "aligned"
    (out / "report").mkdir(parents=True)
    (out / "report" / "index.html").write_text("<html>a report</html>", encoding="utf-8")
    (out / "corpus.tsv").write_text("a\tb\n", encoding="utf-8")
    batch = read_seeds([tmp_path], exclude=[out])
    assert [a.id for a in batch.articles] == ["20240618-small-town-bakery"]
    assert not batch.failures
    assert read_seeds([tmp_path]).failures  # without the exclusion they read as broken


def test_caption_credit_split_is_linear():
    from tests.timing import assert_linear

    def seed(n):
        caption = "<p><img src='x.jpg'><small>" + "。a" * n + "中</small></p>"
        return GOOD.replace("<section>", "<section>" + caption).encode()

    assert_linear(parse_seed, seed, 1000)


@pytest.mark.parametrize(("small", "text", "credit"), [
    ("面包店的招牌是1962年手写的。 Jane Doe for The New York Times",
     "面包店的招牌是1962年手写的。", "Jane Doe for The New York Times"),
    ("“好吃！”他说。Jane Doe", "“好吃！”他说。", "Jane Doe"),
    ("一句话。 Jane. Doe。 Photo", "一句话。 Jane. Doe。", "Photo"),
    ("一句话。 中文署名", "一句话。 中文署名", ""),
    ("一句话。 123", "一句话。 123", ""),
])
def test_caption_trailing_credit(small, text, credit):
    body = f"<section><p><img src='x.jpg'><small>{small}</small></p>"
    a = parse_seed(GOOD.replace("<section>", body))
    assert (a.captions[1].text, a.captions[1].credit) == (text, credit)
