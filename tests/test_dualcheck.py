"""The bilingual page's Chinese against the seed's: same, or revised (and where)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from corpus.dualcheck import MAX_LISTED, check_chinese, paragraph_key
from corpus.model import ParagraphPair

SEED = ("第一段。", "第二段，有“引号”。", "第三段。")


def _pairs(*zh: str) -> list[ParagraphPair]:
    return [ParagraphPair(zh=z, en=f"English {i}.") for i, z in enumerate(zh)]


def test_same_text_whitespace_and_width_aside():
    check = check_chinese(SEED, _pairs("第一段。", "第二段，有“引号”。 ", "第三 段。"))
    assert check.same and check.matched == 3
    assert paragraph_key("ＡＢＣ１２３ x") == "ABC123x"


def test_a_revised_paragraph_is_found_on_both_sides():
    check = check_chinese(SEED, _pairs("第一段。", "第二段，改过了。", "第三段。"))
    assert not check.same
    assert check.seed_only == (1,) and check.dual_only == (1,) and check.matched == 2
    assert "1 of 3 seed paragraphs" in check.describe()
    assert check.to_dict()["same"] is False


def test_english_only_cells_are_not_chinese_paragraphs():
    pairs = [*_pairs(*SEED), ParagraphPair(zh="", en="An English-only note.")]
    assert check_chinese(SEED, pairs).same


def test_a_paragraph_the_page_adds_or_drops():
    assert check_chinese(SEED, _pairs(*SEED, "编者按。")).dual_only == (3,)
    assert check_chinese(SEED, _pairs(*SEED[:2])).seed_only == (2,)
    # a repeated paragraph counts as often as it appears
    assert check_chinese((*SEED, "第一段。"), _pairs(*SEED)).seed_only == (3,)


def test_record_stays_small_on_a_huge_page():
    many = [f"第{i}段。" for i in range(5000)]
    check = check_chinese(many, _pairs(*(f"改{i}" for i in range(5000))))
    d = check.to_dict()
    assert len(d["seed_only"]) == len(d["dual_only"]) == MAX_LISTED
    assert d["seed_paragraphs"] == 5000 and d["matched"] == 0


@given(st.lists(st.text(st.sampled_from("中文一二三。，"), min_size=1, max_size=5), max_size=12),
       st.randoms())
def test_any_shuffle_of_the_same_paragraphs_is_the_same(paras, rnd):
    shuffled = list(paras)
    rnd.shuffle(shuffled)
    check = check_chinese(paras, _pairs(*shuffled))
    assert check.same and check.matched == len(paras)
