"""Extraction accuracy on our own fixtures, boilerplate rules, bilingual pages, length checks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpus.errors import EmptyPageError, ExtractError
from corpus.extract import (
    check_length,
    clean_paragraphs,
    extract_article,
    extract_dual,
    is_boilerplate,
    is_chinese,
    paywall_marker,
)
from corpus.model import ExtractedPage

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


def test_dual_item_with_one_side_missing():
    html = ('<html><body><div class="row article-dual-body-item"><div>只有中文的一段。</div>'
            '<div></div></div><div class="article-dual-body-item"><div>English only.</div>'
            "</div></body></html>")
    page = extract_dual(html)
    assert [(p.zh, p.en) for p in page.pairs] == [("只有中文的一段。", ""), ("", "English only.")]
    assert page.paragraphs == ("English only.",)


def test_not_a_dual_page():
    with pytest.raises(EmptyPageError, match="article-dual-body-item"):
        extract_dual((DATA / "article.html").read_text(encoding="utf-8"))


def test_page_without_text():
    with pytest.raises(EmptyPageError, match="no article text"):
        extract_article("<html><body><nav><a href='/'>Home</a></nav></body></html>")
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
