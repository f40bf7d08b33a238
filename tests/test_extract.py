"""Extraction accuracy on our own fixtures, boilerplate rules, bilingual pages, length checks."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpus.errors import EmptyPageError, ExtractError, NotAnArticleError, TruncatedPageError
from corpus.extract import (
    assemble,
    check_length,
    clean_paragraphs,
    extract_article,
    extract_dual,
    is_boilerplate,
    is_chinese,
    not_an_article,
    paywall_marker,
    truncation_marker,
)
from corpus.model import ExtractedPage, ParagraphPair

DATA = Path(__file__).parent / "data" / "fetch"


def lines(name: str) -> list[str]:
    return (DATA / name).read_text(encoding="utf-8").splitlines()


def accuracy(found: list[str], expected: list[str], boilerplate: list[str]) -> tuple[float, int]:
    """(share of body paragraphs found verbatim, number of boilerplate lines kept)."""
    recall = sum(p in found for p in expected) / len(expected)
    kept = sum(any(b in p for p in found if p not in expected) for b in boilerplate)
    extra = sum(p not in expected for p in found)
    return recall, kept + extra


def test_article_accuracy_every_paragraph_no_boilerplate():
    page = extract_article((DATA / "article.html").read_text(encoding="utf-8"))
    expected = lines("article.expected.txt")
    recall, kept = accuracy(list(page.paragraphs), expected, lines("article.boilerplate.txt"))
    assert (recall, kept) == (1.0, 0)
    assert list(page.paragraphs) == expected  # and in order
    assert page.title == "A River Town Builds Its Ferry Again, Plank by Plank"
    assert page.published == "2024-03-14"


def test_article_accuracy_without_class_names():
    # Our cleanup must not depend on the markup's class names alone: strip every class, id
    # and test id, and the wording rules still remove what trafilatura keeps.
    html = (DATA / "article.html").read_text(encoding="utf-8")
    bare = re.sub(r'\s(class|id|data-testid|role|name|itemprop)="[^"]*"', "", html)
    page = extract_article(bare)
    expected = lines("article.expected.txt")
    assert accuracy(list(page.paragraphs), expected, lines("article.boilerplate.txt")) == (1.0, 0)


def test_legacy_encoding_page():
    html = (DATA / "legacy-cp1252.html").read_bytes().decode("cp1252")
    page = extract_article(html)
    assert list(page.paragraphs) == lines("legacy-cp1252.expected.txt")
    assert page.published == "2019-11-02"


def test_paywall_page_is_short_and_marked():
    html = (DATA / "paywall.html").read_text(encoding="utf-8")
    page = extract_article(html)
    assert len(page.paragraphs) == 1
    assert paywall_marker(html) == "verify access"
    assert paywall_marker((DATA / "article.html").read_text(encoding="utf-8")) is None


def test_marker_in_a_script_does_not_count():
    assert paywall_marker("<html><script>var m='verify access'</script><p>Hi</p></html>") is None


def test_dual_page_pairs_and_swapped_cells():
    page = extract_dual((DATA / "dual.html").read_text(encoding="utf-8"))
    assert len(page.pairs) == 10
    assert all(is_chinese(p.zh) and not is_chinese(p.en) for p in page.pairs)
    assert list(page.paragraphs) == lines("article.expected.txt")
    assert page.pairs[2].zh.startswith("“我们等着县里")  # this item has zh left, en right
    assert page.title == "A River Town Builds Its Ferry Again, Plank by Plank"
    assert page.published == "2024-03-15"


def _dual_item(*cells: str) -> str:
    return ('<div class="row article-dual-body-item">' + "".join(
        f'<div class="col-lg-6"><div class="article-paragraph">{c}</div></div>' for c in cells)
        + "</div>")


def test_dual_item_with_one_side_missing():
    html = ('<html><body><div class="article-body">' + _dual_item("只有中文的一段。", "")
            + _dual_item("English only.") + "</div></body></html>")
    page = extract_dual(html)
    assert [(p.zh, p.en) for p in page.pairs] == [("只有中文的一段。", ""), ("", "English only.")]
    assert page.paragraphs == ("English only.",)


def test_not_a_dual_page():
    with pytest.raises(EmptyPageError, match="article-dual-body-item"):
        extract_dual((DATA / "article.html").read_text(encoding="utf-8"))


def test_page_without_text():
    with pytest.raises(EmptyPageError, match="no article text"):
        extract_article("<html><head><meta property='og:type' content='article'></head>"
                        "<body><nav><a href='/'>Home</a></nav></body></html>")
    with pytest.raises(ExtractError):
        extract_article("")


@pytest.mark.parametrize("text", [
    "Advertisement", "SKIP ADVERTISEMENT", "Supported by", "Credit...Anna Kovacs",
    "By Mei Lin and Tomas Herrera", "By Mei Lin, Tomas Herrera and Li Yuan",
    "Reporting from Lanxi, China",
    "A version of this article appears in print on March 15, 2024, Section A, Page 8.",
    "Sign up for The World newsletter. Get the latest news in your inbox.",
    "Follow Mei Lin on Twitter: @meilin", "Read more about the floods",
    "Thank you for your patience while we verify access.", "Related: The Long Road Home",
])
def test_boilerplate_lines(text):
    assert is_boilerplate(text)


@pytest.mark.parametrize("text", [
    "By the end of the year, the ferry had carried 10,000 passengers.",
    "Advertisements for the ferry appeared on every lamppost in town.",
    "Reporting from the riverbank was difficult after the flood, officials said.",
    "Sign language interpreters joined the meeting at the town hall.",
])
def test_body_lines_that_look_like_boilerplate(text):
    assert not is_boilerplate(text)


def test_closing_credits_and_bios_are_dropped_only_at_the_end():
    body = ["Mei Lin is a correspondent who has covered the river for years, the mayor said.",
            "The ferry runs every hour."]
    tail = ["Li Yuan contributed research from Hong Kong.",
            "Mei Lin is a correspondent for The Times based in Shanghai."]
    assert clean_paragraphs(body + tail) == body


def test_pull_quote_repeating_the_body_is_dropped():
    body = ["“We stopped waiting,” she said, and picked up a saw.", "The ferry runs every hour."]
    assert clean_paragraphs([body[0], "“We stopped waiting”", body[1]]) == body


@given(st.lists(st.text(min_size=0, max_size=40), max_size=12))
def test_cleanup_keeps_order_invents_nothing_and_is_idempotent(paragraphs):
    out = clean_paragraphs(paragraphs)
    normalised = [" ".join(p.split()) for p in paragraphs]
    it = iter(normalised)
    assert all(any(p == q for q in it) for p in out)  # a subsequence of the input
    assert clean_paragraphs(out) == out


def test_is_chinese():
    assert is_chinese("最近的公路桥在40公里外。")
    assert is_chinese("“我们等着县里派一艘新的来，”63岁的周桂英说（Zhou Guiying）。")
    assert not is_chinese("The nearest road bridge is 40 kilometers away.")
    assert not is_chinese("He wrote the word 渡 on the board, then explained what it meant.")


def test_check_length():
    page = ExtractedPage(paragraphs=("x" * 500, "y" * 100))
    check_length(page, 500, ratio=1.0, min_chars=300)
    check_length(page, 0, ratio=1.0, min_chars=600)
    with pytest.raises(EmptyPageError, match=r"only 600 characters.*Chinese text has 700"):
        check_length(page, 700, ratio=1.0, min_chars=300)
    with pytest.raises(EmptyPageError, match="at least 601"):
        check_length(page, 0, ratio=1.0, min_chars=601)


_BODY = lines("article.expected.txt")
_FURNITURE = ["Advertisement", "SKIP ADVERTISEMENT", "Supported by", "Credit...Anna Kovacs",
              "By Mei Lin and Tomas Herrera", "Reporting from Lanxi, China",
              "Sign up for The World newsletter. Get the latest news in your inbox.",
              "“After the third meeting where they promised it, we stopped waiting.”",
              "A version of this article appears in print on March 15, 2024, Section A."]


@given(st.lists(st.tuples(st.integers(0, len(_BODY)), st.sampled_from(_FURNITURE)), max_size=15))
def test_furniture_anywhere_is_removed_and_the_body_kept(insertions):
    paragraphs = list(_BODY)
    for pos, line in sorted(insertions, reverse=True):
        paragraphs.insert(pos, line)
    assert clean_paragraphs(paragraphs) == _BODY


# ------------------------------------------------ real page layouts (issue 11), our own text

PAGES = Path(__file__).parent / "data" / "pages"


def page_lines(name: str) -> list[str]:
    return (PAGES / name).read_text(encoding="utf-8").splitlines()


def expected_of(stem: str) -> tuple[list[str], tuple[int, ...]]:
    """The expected paragraphs of a fixture page and the indices of its subheads (## …)."""
    lines = page_lines(f"{stem}.expected.txt")
    return ([x.removeprefix("## ") for x in lines],
            tuple(i for i, x in enumerate(lines) if x.startswith("## ")))


def extract_page(stem: str) -> ExtractedPage:
    return extract_article((PAGES / f"{stem}.html").read_text(encoding="utf-8"))


@pytest.mark.parametrize("stem", ["2016-story-body", "2019-react-comments", "2021-subheads",
                                  "2022-trust-module"])
def test_layouts_come_out_whole_and_clean(stem):
    page = extract_page(stem)
    paragraphs, headings = expected_of(stem)
    assert list(page.paragraphs) == paragraphs  # every paragraph whole, in order, nothing else
    assert page.headings == headings
    kept = [f for f in page_lines(f"{stem}.furniture.txt") if any(f in p for p in page.paragraphs)]
    assert kept == []


def test_react_comment_markers_do_not_cut_paragraphs():
    # Defect 1: <!-- --> inside running text made trafilatura drop the text after it
    # ("A spokeswoman for the department," and nothing more).
    html = (PAGES / "2019-react-comments.html").read_text(encoding="utf-8")
    assert html.count("<!-- -->") >= 10
    page = extract_page("2019-react-comments")
    assert "A spokeswoman for the department, Celia Moreno, said the agency had processed the " \
        "applications as quickly as the law allowed." in page.paragraphs
    # and without a body container (trafilatura's path), the same
    bare = html.replace('name="articleBody"', "").replace("StoryBodyCompanionColumn", "")
    found = extract_article(bare).paragraphs
    assert all(p in found for p in expected_of("2019-react-comments")[0])


@given(st.lists(st.sampled_from(["<!-- -->", "<span>", "</span>", "<em>", "</em>",
                                 '<a href="/x">', "</a>", " "]), max_size=12))
def test_inline_markup_anywhere_keeps_the_paragraph_whole(marks):
    words = ["The", "ferry", "carried", "thirty", "people", "and", "four", "motorbikes",
             "across", "the", "river"]
    inner = " ".join(f"{w}{marks[i] if i < len(marks) else ''}" for i, w in enumerate(words))
    html = ("<html><head><meta property='og:type' content='article'></head><body>"
            f"<section name='articleBody'><p>{inner}</p><p>It runs every hour.</p></section>"
            "</body></html>")
    got = extract_article(html).paragraphs
    assert " ".join(got[0].split()) == " ".join(words)  # whatever markup sat inside


def test_truncated_page_is_refused_and_its_lines_never_kept():
    # Defect 2: the first paragraphs, then "We are having trouble retrieving the article
    # content." was taken as the whole article.
    with pytest.raises(TruncatedPageError, match=r"only the start of the article \(3 paragraphs"):
        extract_page("2024-truncated")
    for line in page_lines("2024-truncated.furniture.txt"):
        assert is_boilerplate(line)
        assert clean_paragraphs(["The council voted on Monday.", line]) == \
            ["The council voted on Monday."]


def test_truncation_marker():
    assert truncation_marker("  We are having trouble   retrieving the article content. ")
    assert truncation_marker("Please enable JavaScript in your browser settings and refresh "
                             "the page to continue reading.")
    assert truncation_marker("The council said it was having trouble with retrieval.") is None


def test_trust_module_is_dropped_by_its_selectors_and_by_its_wording():
    # Defect 3: the anonymous-sources module inside the body was kept as body text.
    html = (PAGES / "2022-trust-module.html").read_text(encoding="utf-8")
    module = page_lines("2022-trust-module.furniture.txt")[-3:]
    paragraphs = expected_of("2022-trust-module")[0]
    assert list(extract_page("2022-trust-module").paragraphs) == paragraphs
    # without its id and class (another build of the page), the heading's wording still counts
    bare = html.replace('id="trust-inline-module-anonymous"', "").replace(
        "inline-trust-module", "").replace('data-testid="trust-inline-module"', "")
    found = extract_article(bare).paragraphs
    assert list(found) == paragraphs and not any(m in p for m in module for p in found)


def test_subheads_are_paragraphs_marked_as_headings():
    # Defect 4: <h2> subheads were dropped; the Chinese edition translates them.
    page = extract_page("2021-subheads")
    assert [page.paragraphs[i] for i in page.headings] == [
        "A carriage of regulars", "Why the operator is ending it"]
    assert "Related Content" not in page.paragraphs  # an h2 of a related-links module


def test_headings_before_the_body_or_after_it_are_not_subheads():
    assert assemble([("Title", True), ("Body one.", False), ("Sub", True), ("Body two.", False),
                     ("More on this", True)]) == (("Body one.", "Sub", "Body two."), (1,))


def test_section_front_is_not_an_article():
    # Defect 5: a section front (20 teasers) passed as an article of 19 paragraphs.
    with pytest.raises(NotAnArticleError) as info:
        extract_page("section-front")
    reason = info.value.message
    assert "og:type is 'website'" in reason and "collectionpage" in reason
    assert "20 <article> teasers" in reason


@pytest.mark.parametrize("head, body, ok", [
    ("<meta property='og:type' content='article'>", "<p>x</p>", True),
    ('<script type="application/ld+json">{"@type": ["NewsArticle"]}</script>', "<p>x</p>", True),
    ('<script type="application/ld+json">{"@graph": [{"@type": "WebSite"}, '
     '{"@type": "ReportageNewsArticle"}]}</script>', "", True),
    ("", "<section name='articleBody'><p>x</p></section>", True),
    ("<meta property='article:published_time' content='2019-01-01'>", "", True),
    ("", "<article><p>x</p></article>", True),
    ("<meta property='og:type' content='website'>", "<p>x</p>", False),
    ('<script type="application/ld+json">{"@type": "CollectionPage"}</script>', "", False),
    ('<script type="application/ld+json">[[[[[[[[[[[[[[[[[[[[[[[[</script>', "", False),
    ("", "<article>a</article><article>b</article><article>c</article>", False),
    ("", "<p>Only a paragraph.</p>", False),
])
def test_article_page_signs(head, body, ok):
    tree = lxml.html.document_fromstring(f"<html><head>{head}</head><body>{body}</body></html>")
    assert (not_an_article(tree) is None) is ok


def test_a_users_file_needs_no_article_signs():
    page = extract_article("<html><body><p>" + "A plain saved text. " * 20 + "</p></body></html>",
                           require_article=False)
    assert len(page.paragraphs) == 1


def test_dual_page_items_only_in_the_article_body():
    # The bilingual page as cn.nytimes.com builds it: a promo item in the header, a photo item
    # and a related-articles item are no paragraph pairs.
    page = extract_dual((PAGES / "dual-2024.html").read_text(encoding="utf-8"))
    old = extract_dual((DATA / "dual.html").read_text(encoding="utf-8"))
    assert page.pairs == old.pairs and len(page.pairs) == 10
    assert page.title == "A River Town Builds Its Ferry Again, Plank by Plank"
    assert page.title_zh == "一座河边小镇重建渡船"
    assert page.published == "2024-03-15"  # time[datetime]
    assert not any("下载应用" in p.zh or "更多" in p.zh for p in page.pairs)


def test_dual_page_body_may_be_a_section():
    intro = _dual_item("Read this in English and Chinese.", "本文提供中英双语版。")
    html = (f"<html><body>{intro}<section class='article-body'>"
            f"{_dual_item('English.', '中文。')}</section></body></html>")
    assert extract_dual(html).pairs == (ParagraphPair(zh="中文。", en="English."),)


def test_dual_page_without_a_body_container_reads_every_item():
    html = "<html><body>" + _dual_item("English.", "中文。") + "</body></html>"
    assert extract_dual(html).pairs == (ParagraphPair(zh="中文。", en="English."),)
    photo = '<div class="row article-dual-body-item"><div class="col-lg-12"><img></div></div>'
    with pytest.raises(EmptyPageError):
        extract_dual(f"<html><body><div class='article-body'>{photo}</div></body></html>")


def test_extraction_is_linear_on_deep_and_wide_markup():
    import time

    def run(n: int) -> float:
        deep = "<div>" * n + "text" + "</div>" * n
        wide = "<p>Teaser.</p>" * n + "<article><p>a</p></article>" * n
        html = f"<html><body><section name='articleBody'>{deep}{wide}</section></body></html>"
        t0 = time.perf_counter()
        with contextlib.suppress(ExtractError):
            extract_article(html)
        return time.perf_counter() - t0

    run(200)
    small, big = min(run(1000) for _ in range(3)), min(run(8000) for _ in range(3))
    assert big < small * 8 * 3  # linear, with room for noise (quadratic would be ~64x)


@given(st.lists(st.tuples(st.sampled_from(["Body one.", "Body two, longer.", "Sub", "Advertisement",
                                           "", "Another subhead"]), st.booleans()), max_size=14))
def test_assemble_keeps_order_and_marks_only_inner_headings(blocks):
    paragraphs, heads = assemble(blocks)
    it = iter(t for t, _ in blocks)
    assert all(any(p == q for q in it) for p in paragraphs)  # a subsequence of the input
    assert all(0 < i < len(paragraphs) - 1 for i in heads)  # never first or last
    assert list(heads) == sorted(set(heads))
    assert not any(is_boilerplate(p) for p in paragraphs)


# --------------------------------------------------------------------------- hostile input


def test_byline_pattern_is_linear_not_exponential():
    # 40 such words ran for days: nested optional separators gave 2^n ways to read a line
    from tests.timing import assert_linear

    assert_linear(is_boilerplate, lambda n: "By " + "Ab " * n + "x", 1)


@pytest.mark.parametrize(("text", "byline"), [
    ("By Jane Doe", True),
    ("BY JANE DOE", True),
    ("By Jane Doe and John Smith", True),
    ("By Jane Doe, John Smith and Ann Lee", True),
    ("By Jane Doe, John Smith, and Ann O’Neil-Park", True),
    ("By Jane Doe x", False),
    ("By the end of the year, prices rose.", False),
    ("By Jane Doe and", False),
])
def test_byline_still_recognised(text, byline):
    assert is_boilerplate(text) is byline


def test_pull_quote_scan_is_linear_in_paragraphs():
    from tests.timing import assert_linear

    def page(n):
        return [f"Paragraph {i} of the body says something of its own." for i in range(n)]

    assert_linear(clean_paragraphs, page, 100)


def test_pull_quote_far_from_its_source_is_kept_near_one_dropped():
    body = [f"Paragraph {i} of the body says something of its own." for i in range(120)]
    near = [*body[:10], "“says something of its own”", *body[10:]]
    assert clean_paragraphs(near) == body
    far = [*body, "“Paragraph 1 of the body”"]  # 119 paragraphs away from its source
    assert clean_paragraphs(far) == far
