"""Banded dynamic programming over bead types, and the coarse-to-fine band search.

The lattice has a point (i, j) for "i Chinese and j English sentences consumed".
A bead of type (a, b) moves from (i-a, j-b) to (i, j). Only points inside a
*band* are visited: for each row i the columns ``lo[i]..hi[i]`` (inclusive), with
``lo`` and ``hi`` non-decreasing. With a band of fixed width W, time and memory
are O((n + m) * W * types), i.e. linear in document length.

The band comes from a cheaper pass: :func:`anchor_path` aligns sentence vectors
1-1 (with skips), itself inside a band found the same way on vectors averaged
pairwise, recursively, until the problem is small enough to search in full
(the idea of Vecalign's recursive downsampling, used here for the first pass).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

#: score_fn(a, b, i, j) -> (k,) scores of the beads of type (a, b) ending at the k
#: lattice points (i[x], j[x]), i.e. covering zh[i-a:i] and en[j-b:j]; i >= a, j >= b.
# (a, b, zh end rows, en end columns) -> the scores of a-b beads ending there; the rows and
# columns are index arrays of one length, and so is the result
ScoreFn = Callable[[int, int, np.ndarray, np.ndarray], np.ndarray]

NEG = -1e30  # "unreachable"; finite so that sums stay ordered and never become nan

# full search below this many lattice cells (a 400 x 400 document)
FULL_SEARCH_CELLS = 160_000
# rows whose bead scores are computed together (vectorised, and bounded in memory)
_BLOCK = 64


@dataclass(frozen=True, slots=True)
class Band:
    """Columns ``lo[i]..hi[i]`` (inclusive) of each lattice row i = 0..n."""

    lo: np.ndarray  # (n+1,) int64, non-decreasing, lo[0] == 0
    hi: np.ndarray  # (n+1,) int64, non-decreasing, hi[n] == m

    @property
    def width(self) -> int:
        return int(np.max(self.hi - self.lo)) + 1

    @classmethod
    def full(cls, n: int, m: int) -> Band:
        return cls(np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64))


def band_around(points: np.ndarray, n: int, m: int, scale: int, halfwidth: int,
                spread: int | None = None) -> Band:
    """Return a band of ``halfwidth`` columns around a path given at ``1/scale`` resolution.

    ``points`` is a (k, 2) array of lattice points (i, j) of a monotone path on the
    coarse lattice; they are scaled up, every fine row within ``spread`` rows of a
    point (default ``scale``) takes that point's column, and the band is widened to be
    monotone and connected (each row overlaps the one before, so every cell can be
    reached).
    """
    fi = np.minimum(points[:, 0] * scale, n)
    fj = np.minimum(points[:, 1] * scale, m)
    lo = np.full(n + 1, m, dtype=np.int64)
    hi = np.zeros(n + 1, dtype=np.int64)
    spread = scale if spread is None else spread
    for d in range(-spread, spread + 1):
        rows = np.clip(fi + d, 0, n)
        np.minimum.at(lo, rows, fj)
        np.maximum.at(hi, rows, fj)
    lo = np.clip(lo - halfwidth, 0, m)
    hi = np.clip(hi + halfwidth, 0, m)
    lo = np.minimum.accumulate(lo[::-1])[::-1]  # non-decreasing, only ever widened
    hi = np.maximum.accumulate(hi)
    lo[0], hi[n] = 0, m
    lo[1:] = np.minimum(lo[1:], hi[:-1])  # rows overlap: lo[i] <= hi[i-1]
    return Band(lo, hi)


def banded_dp(
    n: int, m: int, band: Band, types: Sequence[tuple[int, int]], score_fn: ScoreFn
) -> list[tuple[int, int, int, int, float]]:
    """Return the best-scoring bead path from (0, 0) to (n, m) inside ``band``.

    Each bead is (i0, i1, j0, j1, score): zh[i0:i1] with en[j0:j1]. Types are tried
    in the order given and the first of equal scores wins, so output is
    deterministic. Bead scores are computed a block of rows at a time (vectorised,
    and memory stays O(n * W)); the recursion then only adds and compares. The 0-1 type (a == 0)
    is solved per row with a prefix-max scan, since English-only beads chain along it.
    """
    w = band.width
    lo, hi = band.lo, band.hi
    if lo[0] != 0 or hi[n] != m:
        raise ValueError("the band does not hold the start and end points")
    if any(a == 0 and b != 1 for a, b in types):
        raise ValueError("only 0-1 beads may have no Chinese side")
    best = np.full((n + 1, w), NEG)
    back = np.full((n + 1, w), -1, dtype=np.int8)
    gain = np.zeros((n + 1, w))  # score of the bead chosen at each cell
    cols = np.arange(w)
    row_types = [(t, a, b) for t, (a, b) in enumerate(types) if a > 0]
    skip_en = [t for t, (a, _) in enumerate(types) if a == 0]
    for r0 in range(0, n + 1, _BLOCK):
        # bead scores for this block of rows only, so memory does not grow with the
        # number of bead types
        r1 = min(n + 1, r0 + _BLOCK)
        gains = [_type_scores(band, a, b, r0, r1, score_fn) for a, b in types]
        for i in range(r0, r1):
            row, rback, rgain = best[i], back[i], gain[i]
            if i == 0:
                row[0] = 0.0  # the start point
            js = lo[i] + cols
            for t, a, b in row_types:
                if i < a:
                    continue
                # invalid cells score NEG, so the clipped column they read is harmless
                pcol = np.clip(js - b - lo[i - a], 0, w - 1)
                g = gains[t][i - r0]
                cand = best[i - a, pcol] + g
                better = cand > row
                row[better] = cand[better]
                rback[better] = t
                rgain[better] = g[better]
            for t in skip_en:
                # row[c] = max(row[c], row[c-1] + g[c]) for every c, as one prefix scan:
                # max over k <= c of row[k] + g[k+1] + ... + g[c]. A 0-1 bead is valid in
                # every band cell but the first (j = 0) and those past hi[i], so no chain
                # that matters crosses an invalid cell, and those can count zero.
                g = gains[t][i - r0]
                ok = g > NEG / 2
                pre = np.cumsum(np.where(ok, g, 0.0))
                run = np.maximum.accumulate(row - pre) + pre
                chain = ok & (run > row + 1e-9)
                row[chain] = run[chain]
                rback[chain] = t
                rgain[chain] = g[chain]
    end = m - lo[n]
    if not 0 <= end < w or best[n, end] <= NEG / 2:
        raise ValueError("the end point is unreachable inside the band")
    beads = []
    i, j = n, m
    while i > 0 or j > 0:
        c = j - lo[i]
        t = int(back[i, c])
        if t < 0:
            raise ValueError(f"broken back-pointer at ({i}, {j})")
        a, b = types[t]
        beads.append((i - a, i, j - b, j, float(gain[i, c])))
        i, j = i - a, j - b
    beads.reverse()
    return beads


def _type_scores(band: Band, a: int, b: int, r0: int, r1: int,
                 score_fn: ScoreFn) -> np.ndarray:
    """Scores of the (a, b) beads ending at the band cells of rows r0..r1-1, NEG where invalid."""
    w = band.width
    lo, hi = band.lo, band.hi
    out = np.full((r1 - r0, w), NEG)
    rows = np.arange(max(r0, a), r1)
    if not len(rows):
        return out
    js = lo[rows, None] + np.arange(w)
    ok = (js <= hi[rows, None]) & (js >= b)
    if a > 0:
        pj = js - b
        ok &= (pj >= lo[rows - a, None]) & (pj <= hi[rows - a, None])
    ii, cc = np.nonzero(ok)
    if len(ii):
        out[rows[ii] - r0, cc] = score_fn(a, b, rows[ii], js[ii, cc])
    return out


def downsample(vecs: np.ndarray) -> np.ndarray:
    """Sum neighbouring rows pairwise and renormalise: ``(n, d) -> (ceil(n/2), d)``."""
    n = len(vecs)
    pad = np.zeros((n + n % 2, vecs.shape[1]), dtype=np.float32)
    pad[:n] = vecs
    out = pad[0::2] + pad[1::2]
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    return out


def anchor_path(zv: np.ndarray, ev: np.ndarray, halfwidth: int) -> np.ndarray:
    """Return the lattice points of a 1-1/skip alignment of two vector sequences.

    A 1-1 bead scores its cosine minus the mean cosine of the document's sentence
    pairs (so unrelated pairs gain nothing); skips score zero. Searched in full
    when small, otherwise inside a band around the path found on the vectors
    downsampled by two. Returns a (k, 2) int64 array from (0, 0) to (n, m).
    """
    n, m = len(zv), len(ev)
    if (n + 1) * (m + 1) <= FULL_SEARCH_CELLS or min(n, m) < 4:
        band = Band.full(n, m)
    else:
        coarse = anchor_path(downsample(zv), downsample(ev), halfwidth)
        band = band_around(coarse, n, m, 2, halfwidth)
    base = mean_cosine(zv, ev)
    # small enough to search in full: one matrix product beats gathering vector pairs
    sims = zv @ ev.T if band.width > m else None

    def score(a: int, b: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        if a == 0 or b == 0:
            return np.zeros(len(j))
        if sims is not None:
            return sims[i - 1, j - 1] - base
        return np.einsum("kd,kd->k", zv[i - 1], ev[j - 1]) - base

    beads = banded_dp(n, m, band, [(1, 1), (1, 0), (0, 1)], score)
    pts = [(0, 0)] + [(i1, j1) for _, i1, _, j1, _ in beads]
    return np.asarray(pts, dtype=np.int64)


def pair_stats(zv: np.ndarray, ev: np.ndarray, sample: int = 256) -> tuple[float, float]:
    """Mean and standard deviation of the cosines of sentence pairs, from evenly spaced
    samples (deterministic); the deviation is at least 0.01."""
    zs = zv[np.linspace(0, len(zv) - 1, min(sample, len(zv))).astype(int)]
    es = ev[np.linspace(0, len(ev) - 1, min(sample, len(ev))).astype(int)]
    sims = zs @ es.T
    return float(np.mean(sims)), max(float(np.std(sims)), 0.01)


def mean_cosine(zv: np.ndarray, ev: np.ndarray, sample: int = 256) -> float:
    """Mean cosine of sentence pairs, from evenly spaced samples (deterministic)."""
    return pair_stats(zv, ev, sample)[0]
