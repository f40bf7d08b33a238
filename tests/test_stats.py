from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpus.model import AlignedDocument, Alignment, Bead, Sentence
from corpus.stats import corpus_stats, doc_stats, histogram, is_many, length_ratios


def make_doc(zh: list[str], en: list[str], beads: list[Bead], article_id: str = "a1",
             title: str = "标题") -> AlignedDocument:
    def sents(texts: list[str]) -> tuple[Sentence, ...]:
        return tuple(Sentence(para=0, index=i, text=t, start=0, end=len(t))
                     for i, t in enumerate(texts))
    return AlignedDocument(article_id, sents(zh), sents(en), Alignment(tuple(beads)),
                           {"title": title})


DOC = make_doc(
    ["一二三四五", "六七八九十", "多出来的", "甲", "乙"],
    ["One two three four five six seven eight nine ten.", "Six.", "Not translated.",
     "A and B together."],
    [
        Bead((0,), (0,), 0.9),
        Bead((1,), (1,), 0.3),
        Bead((2,), (), 0.0),
        Bead((), (2,), 0.0),
        Bead((3, 4), (3,), 0.7),
    ],
)


def test_doc_stats_counts_every_part() -> None:
    s = doc_stats(DOC, low_score=0.5)
    assert (s.zh_sentences, s.en_sentences, s.beads) == (5, 4, 5)
    assert s.kinds == {"1-1": 2, "1-0": 1, "0-1": 1, "2-1": 1}
    assert (s.zh_aligned, s.en_aligned) == (4, 3)
    assert s.zh_coverage == pytest.approx(0.8)
    assert s.en_coverage == pytest.approx(0.75)
    assert s.mean_score == pytest.approx((0.9 + 0.3 + 0.7) / 3)
    assert s.low == 1
    assert s.dropped == (2,)  # the English sentence the translator left out
    assert s.added == (2,)  # the Chinese sentence with no English source
    assert s.paired == 3
    assert s.many == 1
    assert s.title == "标题"
    assert s.chars_zh == 5 + 5 + 4 + 1 + 1


def test_low_score_threshold_moves_the_flag_count() -> None:
    assert doc_stats(DOC, low_score=0.95).low == 3
    assert doc_stats(DOC, low_score=0.1).low == 0


def test_empty_document_has_full_coverage_and_no_mean() -> None:
    s = doc_stats(make_doc([], [], []))
    assert s.zh_coverage == 1.0 and s.en_coverage == 1.0
    assert s.mean_score is None and s.kinds == {}


def test_length_ratios_only_for_one_to_one() -> None:
    assert length_ratios(DOC) == [pytest.approx(49 / 5), pytest.approx(4 / 5)]


def test_corpus_stats_sums_articles() -> None:
    other = make_doc(["你好"], ["Hello."], [Bead((0,), (0,), 0.8)], article_id="a2")
    c = corpus_stats([DOC, other], low_score=0.5)
    assert [d.article_id for d in c.docs] == ["a1", "a2"]
    assert c.kinds == {"1-1": 3, "0-1": 1, "1-0": 1, "2-1": 1}
    assert next(iter(c.kinds)) == "1-1"
    assert c.total("zh_sentences") == 6
    assert c.zh_coverage == pytest.approx(5 / 6)
    assert c.en_coverage == pytest.approx(4 / 5)
    assert c.scores == (0.9, 0.3, 0.7, 0.8)
    assert c.mean_score == pytest.approx(0.675)
    assert len(c.ratios) == 3
    assert c.median_ratio == pytest.approx(3.0)


@pytest.mark.parametrize(("kind", "many"), [
    ("1-1", False), ("2-1", True), ("1-3", True), ("2-2", True), ("0-1", False), ("1-0", False),
])
def test_is_many(kind: str, many: bool) -> None:
    assert is_many(kind) is many


def test_histogram_bins_and_edges() -> None:
    assert histogram([0.0, 0.05, 0.1, 0.99, 1.0, -3, 7], 0.0, 1.0, 10) == [
        3, 1, 0, 0, 0, 0, 0, 0, 0, 3]
    assert histogram([float("nan"), float("inf"), -float("inf")], 0, 1, 2) == [1, 1]
    with pytest.raises(ValueError, match="hi > lo"):
        histogram([1.0], 1.0, 1.0, 3)


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True)), st.integers(1, 40))
def test_histogram_counts_every_non_nan_value(values: list[float], bins: int) -> None:
    counts = histogram(values, -1.0, 2.0, bins)
    assert len(counts) == bins
    assert sum(counts) == sum(not math.isnan(v) for v in values)


@st.composite
def aligned_docs(draw: st.DrawFn) -> AlignedDocument:
    """A random monotone alignment in which every sentence sits in exactly one bead."""
    beads, zi, ei = [], 0, 0
    for _ in range(draw(st.integers(0, 12))):
        m, n = draw(st.sampled_from([(1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2)]))
        beads.append(Bead(tuple(range(zi, zi + m)), tuple(range(ei, ei + n)),
                          draw(st.floats(0, 1))))
        zi, ei = zi + m, ei + n
    return make_doc(["字" * (i + 1) for i in range(zi)], ["w" * (i + 2) for i in range(ei)], beads)


@given(aligned_docs())
def test_every_sentence_is_paired_or_dropped_or_added(doc: AlignedDocument) -> None:
    s = doc_stats(doc)
    assert s.zh_aligned + len(s.added) == s.zh_sentences
    assert s.en_aligned + len(s.dropped) == s.en_sentences
    assert sum(s.kinds.values()) == s.beads
    assert 0.0 <= s.zh_coverage <= 1.0 and 0.0 <= s.en_coverage <= 1.0
    assert s.paired == sum(1 for b in doc.alignment.beads if b.zh and b.en)
