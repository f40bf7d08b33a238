"""Confidence of each bead: a calibrated probability that the bead is right.

A bead's cosine ranks a wrong grouping (a merge that swallowed an added sentence) like a
right one, and its scale differs between documents and genres. The confidence is a
logistic model over evidence that does separate them, measured against the document's own
random sentence pairs: for a pairing bead, how far its cosine stands above them, how far
above the neighbouring pairings (the margin), how well the lengths agree, whether it
merges, whether the two sides share a number or a Latin name, how close the best
rival pairing with a neighbouring sentence comes, and for a merge, how much its cosine
changes when its first or last sentence leaves it; for an unmatched sentence, how close
its best candidate counterpart nearby comes, its length, and whether a nearby sentence
shares an anchor with it. The weights were fitted on gold data (``bench/align_confidence.py``:
three MAC-Dev chapters and news articles 01-12) and checked on data held apart (the other
three chapters and news articles 13-16); "right" means the bead equals a gold bead.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from corpus.align import Span, _Scorer

PAIRED_FEATURES = ("z", "margin", "length", "merge", "anchor", "rival", "drop")
NULL_FEATURES = ("best", "length", "anchor")

# fitted by bench/align_confidence.py (see its docstring for the data); do not edit by hand
PAIRED_WEIGHTS = (0.2274, 0.0390, -1.1480, -1.0428, 0.9312, -0.3869, -0.6141)
PAIRED_BIAS = 1.4101
NULL_WEIGHTS = (-0.6930, 1.7036, 0.0582)
NULL_BIAS = -4.4262

_NEAR = 2  # an unmatched sentence's candidate counterparts: this many either side


def features(spans: Sequence[Span], scorer: _Scorer) -> tuple[np.ndarray, np.ndarray]:
    """Return (k, len(PAIRED_FEATURES)) and (k, len(NULL_FEATURES)) arrays, one row per
    bead; a bead's row in the table that is not its kind is zeros."""
    k = len(spans)
    paired = np.zeros((k, len(PAIRED_FEATURES)))
    null = np.zeros((k, len(NULL_FEATURES)))
    zs, es = scorer.zh.windows[0], scorer.en.windows[0]
    n, m = len(zs), len(es)
    base, spread = scorer.base, scorer.spread
    for row, (i0, i1, j0, j1) in enumerate(spans):
        a, b = i1 - i0, j1 - j0
        if a and b:
            cos = scorer.cosine(i0, i1, j0, j1)
            nb = scorer.neighbours(i0, i1, j0, j1)
            lz = scorer.zc[i1] - scorer.zc[i0]
            le = scorer.ec[j1] - scorer.ec[j0]
            # the best pairing of one of the bead's sentences with a sentence just outside it
            rivals = [float(zs[i] @ es[j]) for i in range(i0, i1) for j in (j0 - 1, j1)
                      if 0 <= j < m]
            rivals += [float(zs[i] @ es[j]) for j in range(j0, j1) for i in (i0 - 1, i1)
                       if 0 <= i < n]
            rival = max(rivals, default=base)
            # a merge whose cosine does not fall when an edge sentence leaves it may have
            # swallowed a sentence that has no counterpart
            drop = max((scorer.cosine(*rest) - cos for rest in _edge_drops(i0, i1, j0, j1)),
                       default=0.0)
            paired[row] = (
                (cos - base) / spread,
                (cos - nb) / spread,
                abs(math.log((lz * scorer.ratio + 1.0) / (le + 1.0))),
                float(a + b > 2),
                float(scorer.shared(i0, i1, j0, j1) > 0),
                (rival - cos) / spread,
                drop / spread,
            )
        else:
            if a:  # a Chinese sentence alone: English candidates around position j0
                lo, hi = max(j0 - _NEAR, 0), min(j0 + _NEAR, m)
                sims = es[lo:hi] @ zs[i0] if hi > lo else np.array([base])
                anchor = scorer.shared(i0, i1, lo, hi)
                length = scorer.en_chars("zh", i0)
            else:
                lo, hi = max(i0 - _NEAR, 0), min(i0 + _NEAR, n)
                sims = zs[lo:hi] @ es[j0] if hi > lo else np.array([base])
                anchor = scorer.shared(lo, hi, j0, j1)
                length = scorer.en_chars("en", j0)
            null[row] = ((float(np.max(sims)) - base) / spread, math.log1p(length),
                         float(anchor > 0))
    return paired, null


def _edge_drops(i0: int, i1: int, j0: int, j1: int) -> list[Span]:
    """The bead without its first or last sentence on each side that has two or more."""
    out = []
    if i1 - i0 > 1:
        out += [(i0 + 1, i1, j0, j1), (i0, i1 - 1, j0, j1)]
    if j1 - j0 > 1:
        out += [(i0, i1, j0 + 1, j1), (i0, i1, j0, j1 - 1)]
    return out


def probabilities(spans: Sequence[Span], paired: np.ndarray, null: np.ndarray) -> np.ndarray:
    """The fitted model's probability that each bead is right."""
    is_pair = np.array([i1 > i0 and j1 > j0 for i0, i1, j0, j1 in spans], dtype=bool)
    logit = np.where(is_pair, paired @ np.asarray(PAIRED_WEIGHTS) + PAIRED_BIAS,
                     null @ np.asarray(NULL_WEIGHTS) + NULL_BIAS)
    return 1.0 / (1.0 + np.exp(-logit))


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0,
                 steps: int = 50) -> tuple[np.ndarray, float]:
    """Weights and bias of an L2-regularised logistic regression (Newton's method)."""
    k, d = x.shape
    xb = np.hstack([x, np.ones((k, 1))])
    w = np.zeros(d + 1)
    reg = np.full(d + 1, l2)
    reg[-1] = 0.0  # the bias is not shrunk
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(xb @ w)))
        grad = xb.T @ (p - y) + reg * w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + np.diag(reg) + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return w[:-1], float(w[-1])
