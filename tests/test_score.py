"""Tests for corpus.score: bead files, and strict/lax P/R/F1 as Vecalign and Bertalign count."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpus.errors import EvaluateError
from corpus.model import Bead
from corpus.score import (
    MatchCounts,
    format_beads,
    pair_files,
    parse_beads,
    read_beads,
    score_alignments,
    score_files,
    write_beads,
)

MAC_DEV = Path("/work/shared/bench/mac-dev")


def beads(text: str) -> list[Bead]:
    return parse_beads(text)


# --------------------------------------------------------------------------- parsing


def test_parse_tolerates_spaces_blank_lines_bom_crlf_and_a_score_field():
    text = "\ufeff[0, 1]:[0]\r\n\r\n  [2]:[1,2]  \n[]:[3]\n[3]:[]:0.25\n\n"
    got = parse_beads(text)
    assert [(b.zh, b.en) for b in got] == [((0, 1), (0,)), ((2,), (1, 2)), ((), (3,)), ((3,), ())]
    assert got[3].score == 0.25


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("[0]-[1]", "not a bead line"),
        ("[0]:[1]:high", "not a number"),
        ("[0,,1]:[1]", "bad id list"),
        ("[a]:[1]", "not a bead line"),
    ],
)
def test_parse_errors_name_the_line(line, fragment):
    with pytest.raises(EvaluateError, match=fragment) as err:
        parse_beads(f"[0]:[0]\n\n{line}\n", where="x.align")
    assert "x.align:3" in str(err.value)


def test_read_write_round_trip(tmp_path):
    bs = [Bead((0,), (0, 1), 0.5), Bead((), (2,), 0.0), Bead((1, 2), (3,), 0.875)]
    path = write_beads(bs, tmp_path / "sub" / "a.align")
    assert path.read_text(encoding="utf-8") == "[0]:[0,1]\n[]:[2]\n[1,2]:[3]\n"
    assert [(b.zh, b.en) for b in read_beads(path)] == [(b.zh, b.en) for b in bs]
    write_beads(bs, path, scores=True)
    assert [b.score for b in read_beads(path)] == [0.5, 0.0, 0.875]
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temp left


def test_read_missing_file_is_an_evaluate_error(tmp_path):
    with pytest.raises(EvaluateError, match="cannot read"):
        read_beads(tmp_path / "nope.align")


# --------------------------------------------------------------------------- scoring by hand


def test_hand_worked_document():
    gold = beads("[0]:[0]\n[1]:[1,2]\n[2]:[]\n[]:[3]\n[3]:[4]\n")
    test = beads("[0]:[0]\n[1]:[1]\n[]:[2]\n[2]:[]\n[3]:[3,4]\n")
    s = score_alignments([gold], [test])
    # Precision, over all 5 test beads:
    #   [0]:[0]    in gold                                  strict hit, lax hit
    #   [1]:[1]    gold links zh1 to {1,2}; {1} overlaps    strict miss, lax hit
    #   []:[2]     no source sentence, so nothing to link   strict miss, lax miss
    #   [2]:[]     in gold (a null bead, still counted)     strict hit, lax hit
    #   [3]:[3,4]  gold links zh3 to {4}; overlaps          strict miss, lax hit
    assert s.precision_counts == MatchCounts(2, 3, 4, 1)
    assert s.precision_strict == pytest.approx(2 / 5)
    assert s.precision_lax == pytest.approx(4 / 5)
    # Recall, over the 3 non-null gold beads against the 3 non-null test beads:
    #   [0]:[0]    in test                                  strict hit, lax hit
    #   [1]:[1,2]  test links zh1 to {1}; overlaps          strict miss, lax hit
    #   [3]:[4]    test links zh3 to {3,4}; overlaps        strict miss, lax hit
    assert s.recall_counts == MatchCounts(1, 2, 3, 0)
    assert s.recall_strict == pytest.approx(1 / 3)
    assert s.recall_lax == pytest.approx(1.0)
    # F1 strict = 2 * 2/5 * 1/3 / (2/5 + 1/3) = (4/15) / (11/15) = 4/11
    assert s.f1_strict == pytest.approx(4 / 11)
    # F1 lax = 2 * 4/5 * 1 / (4/5 + 1) = (8/5) / (9/5) = 8/9
    assert s.f1_lax == pytest.approx(8 / 9)


def test_counts_are_summed_over_documents_before_the_ratios():
    gold_a = beads("[0]:[0]\n[1]:[1]\n[2]:[2]\n")
    gold_b = beads("[0,1]:[0]\n")
    test_b = beads("[0]:[0]\n[1]:[]\n")
    s = score_alignments([gold_a, gold_b], [gold_a, test_b])
    # Precision: doc A 3 strict hits of 3; doc B 0 of 2 ([0]:[0] lax hit via zh0 -> {0};
    # [1]:[] has no target, lax miss). Micro 3/5 = 0.6 (a macro mean would give 0.5).
    assert s.precision_strict == pytest.approx(3 / 5)
    assert s.precision_lax == pytest.approx(4 / 5)
    # Recall: doc A 3 of 3; doc B's [0,1]:[0] is no test bead (strict miss) but test
    # links zh0 to {0} (lax hit). Micro 3/4 strict, 4/4 lax.
    assert s.recall_strict == pytest.approx(3 / 4)
    assert s.recall_lax == pytest.approx(1.0)
    assert s.documents == 2


def test_beads_empty_on_both_sides_and_duplicates_do_not_count():
    gold = beads("[0]:[0]\n[1]:[1]\n")
    test = beads("[]:[]\n[0]:[0]\n[0]:[0]\n[1]:[2]\n")
    s = score_alignments([gold], [test])
    # Test beads as a set without []:[]: {[0]:[0], [1]:[2]} -> 1 strict hit of 2;
    # [1]:[2] against gold zh1 -> {1}: no overlap, lax miss.
    assert s.precision_counts == MatchCounts(1, 1, 1, 1)
    assert s.recall_counts == MatchCounts(1, 1, 1, 1)


def test_a_null_bead_is_never_a_lax_hit_unless_it_is_exact():
    gold = beads("[0]:[0,1]\n")
    test = beads("[0]:[0]\n[]:[1]\n")
    s = score_alignments([gold], [test])
    # [0]:[0] lax hit; []:[1] overlaps gold's en 1 but has no zh side: lax miss.
    assert s.precision_counts == MatchCounts(0, 2, 1, 1)
    # Recall ignores the test's null bead: gold [0]:[0,1] vs test zh0 -> {0}: lax hit.
    assert s.recall_counts == MatchCounts(0, 1, 1, 0)


def test_nothing_to_count_gives_zero_not_an_error():
    s = score_alignments([beads("[0]:[0]\n")], [[]])
    assert (s.precision_strict, s.recall_strict, s.f1_strict) == (0.0, 0.0, 0.0)
    assert score_alignments([], []).f1_lax == 0.0


def test_document_count_mismatch_is_an_error():
    with pytest.raises(EvaluateError, match="1 gold documents but 2 test"):
        score_alignments([[]], [[], []])


# --------------------------------------------------------------------------- properties


@st.composite
def alignments(draw, max_len: int = 12) -> list[Bead]:
    """A random monotone alignment: every sentence of both sides in exactly one bead."""
    kinds = draw(st.lists(st.sampled_from([(1, 1), (1, 2), (2, 1), (1, 0), (0, 1), (2, 2)]),
                          min_size=1, max_size=max_len))
    out, i, j = [], 0, 0
    for m, n in kinds:
        out.append(Bead(tuple(range(i, i + m)), tuple(range(j, j + n))))
        i, j = i + m, j + n
    return out


@given(alignments())
def test_an_alignment_scores_perfectly_against_itself(a):
    s = score_alignments([a], [a])
    assert s.precision_strict == s.precision_lax == 1.0
    has_non_null = any(b.zh and b.en for b in a)
    assert s.recall_strict == s.recall_lax == (1.0 if has_non_null else 0.0)


@given(alignments(), alignments())
def test_lax_is_never_below_strict_and_all_in_unit_range(gold, test):
    s = score_alignments([gold], [test])
    assert s.precision_strict <= s.precision_lax
    assert s.recall_strict <= s.recall_lax
    for v in (s.precision_strict, s.recall_strict, s.f1_strict, s.precision_lax,
              s.recall_lax, s.f1_lax):
        assert 0.0 <= v <= 1.0


@given(alignments(), alignments(), st.randoms())
def test_bead_order_does_not_matter(gold, test, rnd):
    shuffled = list(test)
    rnd.shuffle(shuffled)
    assert score_alignments([gold], [test]) == score_alignments([gold], [shuffled])


@given(alignments(), alignments(), alignments(), alignments())
def test_two_documents_score_like_one_document_with_shifted_ids(g1, t1, g2, t2):
    # Micro-averaging: two documents count exactly as their concatenation does, when the
    # second document's ids are shifted past the first's so nothing collides.
    def shift(bs, di, dj):
        return [Bead(tuple(i + di for i in b.zh), tuple(j + dj for j in b.en)) for b in bs]

    di = 1 + max([i for b in g1 + t1 for i in b.zh], default=0)
    dj = 1 + max([j for b in g1 + t1 for j in b.en], default=0)
    two = score_alignments([g1, g2], [t1, t2])
    one = score_alignments([g1 + shift(g2, di, dj)], [t1 + shift(t2, di, dj)])
    assert two.precision_counts == one.precision_counts
    assert two.recall_counts == one.recall_counts


@given(alignments())
def test_format_parse_round_trip(a):
    assert [(b.zh, b.en) for b in parse_beads(format_beads(a))] == [(b.zh, b.en) for b in a]


# --------------------------------------------------------------------------- files and folders


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_folders_are_matched_by_name_then_stem(tmp_path, caplog):
    _write(tmp_path / "gold" / "001.align", "[0]:[0]\n[1]:[1]\n")
    _write(tmp_path / "gold" / "002.align", "[0]:[0]\n")
    _write(tmp_path / "test" / "001.align", "[0]:[0]\n[1]:[1]\n")
    _write(tmp_path / "test" / "002.txt", "[0]:[]\n[]:[0]\n")
    _write(tmp_path / "test" / "003.align", "[0]:[0]\n")
    _write(tmp_path / "test" / ".hidden", "junk")
    pairs = pair_files(tmp_path / "gold", tmp_path / "test")
    assert [(g.name, t.name) for g, t in pairs] == [("001.align", "001.align"),
                                                     ("002.align", "002.txt")]
    with caplog.at_level(logging.WARNING, logger="corpus.score"):
        s = score_files(tmp_path / "gold", tmp_path / "test")
    assert "003.align" in caplog.text
    # Precision: 001 gives 2 hits of 2; 002 gives 0 of 2 (two null beads) -> 2/4.
    assert s.precision_strict == pytest.approx(0.5)
    # Recall: 001 gives 2 of 2; 002's [0]:[0] has no non-null test bead -> 2/3.
    assert s.recall_strict == pytest.approx(2 / 3)


def test_a_gold_file_without_a_test_file_is_an_error(tmp_path):
    _write(tmp_path / "gold" / "001.align", "[0]:[0]\n")
    _write(tmp_path / "test" / "002.align", "[0]:[0]\n")
    with pytest.raises(EvaluateError, match=r"no test file .* 001\.align"):
        pair_files(tmp_path / "gold", tmp_path / "test")


def test_a_file_and_a_folder_do_not_mix(tmp_path):
    f = _write(tmp_path / "a.align", "[0]:[0]\n")
    with pytest.raises(EvaluateError, match="not a mix"):
        pair_files(f, tmp_path)
    with pytest.raises(EvaluateError, match="does not exist"):
        pair_files(f, tmp_path / "missing")


def test_coverage_mismatch_is_warned(tmp_path, caplog):
    g = _write(tmp_path / "g.align", "[0]:[0]\n[1]:[1]\n")
    t = _write(tmp_path / "t.align", "[0]:[0]\n")
    with caplog.at_level(logging.WARNING, logger="corpus.score"):
        score_files(g, t)
    assert "sentence ids differ" in caplog.text


# --------------------------------------------------------------------------- the published check


@pytest.mark.skipif(not (MAC_DEV / "gold").is_dir(), reason="gold data in ../shared/bench absent")
def test_bertalign_labse_on_mac_dev_scores_as_published():
    s = score_files(MAC_DEV / "gold", MAC_DEV / "bertalign-labse")
    assert s.documents == 6
    got = [round(v, 3) for v in (s.precision_strict, s.recall_strict, s.f1_strict,
                                 s.precision_lax, s.recall_lax, s.f1_lax)]
    assert got == [0.909, 0.914, 0.911, 0.996, 1.000, 0.998]


def test_paragraph_agreement_against_the_bilingual_pairs():
    from corpus.model import AlignedDocument, Alignment, ParagraphPair, Sentence
    from corpus.score import paragraph_agreement

    zh_paras = ["甲。乙。", "丙。"]
    en_paras = ["A. B.", "C."]
    pairs = [ParagraphPair("甲。 乙。", "A. B."), ParagraphPair("丙。", "C.")]
    zh = (Sentence(0, 0, "甲。", 0, 2), Sentence(0, 1, "乙。", 2, 4), Sentence(1, 2, "丙。", 0, 2))
    en = (Sentence(0, 0, "A.", 0, 2), Sentence(0, 1, "B.", 3, 5), Sentence(1, 2, "C.", 0, 2))

    def doc(*beads: Bead) -> AlignedDocument:
        return AlignedDocument("d", zh, en, Alignment(beads))

    right = doc(Bead((0,), (0,)), Bead((1,), (1,)), Bead((2,), (2,)))
    assert paragraph_agreement(right, zh_paras, en_paras, pairs) == 1.0
    # zh 乙 (paragraph 0) paired with en C (paragraph 1): 1 of 2 two-sided beads disagrees;
    # the 0-1 and 1-0 beads are not judged
    shifted = doc(Bead((0,), (0, 1)), Bead((1,), (2,)), Bead((2,), ()))
    assert paragraph_agreement(shifted, zh_paras, en_paras, pairs) == 0.5
    other_text = [ParagraphPair("完全不同。", "Something else.")]
    assert paragraph_agreement(right, zh_paras, en_paras, other_text) is None
