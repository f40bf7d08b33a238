"""Tests for corpus.align_confidence: every bead carries a probability, and the fit is sound."""

from __future__ import annotations

import numpy as np
import pytest

from corpus import align_confidence as ac
from corpus.align import align
from corpus.config import AlignConfig
from tests.test_align import ConceptEncoder, _newsdev


def test_fit_logistic_recovers_known_weights():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4000, 2))
    w_true, b_true = np.array([1.5, -2.0]), 0.5
    y = (rng.random(4000) < 1 / (1 + np.exp(-(x @ w_true + b_true)))).astype(float)
    w, b = ac.fit_logistic(x, y, l2=0.01)
    assert w == pytest.approx(w_true, abs=0.2) and b == pytest.approx(b_true, abs=0.15)


def test_every_bead_carries_a_probability():
    enc = ConceptEncoder()
    zh = ["c1 c2", "c3 c4", "c5", "c6 c7", "c90 c91"]
    en = ["c1 c2", "c3", "c4", "c80 c81", "c5", "c6 c7"]
    beads = align(zh, en, enc, zh_paras=[0, 0, 1, 1, 2], en_paras=[0, 0, 0, 1, 1, 2]).beads
    assert all(b.confidence is not None and 0 < b.confidence < 1 for b in beads)
    # no sentences on one side: each sentence is unmatched for certain
    assert [b.confidence for b in align(zh, [], enc).beads] == [1.0] * len(zh)


def test_the_weights_are_fitted():
    # the shipped model is the fitted one, not the zeros it starts from
    assert any(ac.PAIRED_WEIGHTS) and any(ac.NULL_WEIGHTS)
    assert len(ac.PAIRED_WEIGHTS) == len(ac.PAIRED_FEATURES)
    assert len(ac.NULL_WEIGHTS) == len(ac.NULL_FEATURES)


@pytest.fixture(scope="module")
def use():
    from corpus.embed import load_encoder

    return load_encoder("use")


def test_a_folded_sentence_lowers_confidence(use):
    # without the re-check, article 03's two added explanations are folded into merges;
    # those wrong beads get less confidence than the right ones around them
    zh, en, zp, ep, gold = _newsdev("03")
    beads = align(zh, en, use, AlignConfig(recheck=False), zh_paras=zp, en_paras=ep).beads
    right = [b.confidence for b in beads if (b.zh, b.en) in gold]
    wrong = [b.confidence for b in beads if (b.zh, b.en) not in gold]
    assert wrong and max(wrong) < np.median(right)
