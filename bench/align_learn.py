"""Experiment: learn the aligner's bead score (linear in features) with a structured perceptron.

The decoder is the aligner's own banded DP (``corpus.align_dp.banded_dp``) in the band the
first pass draws; the target path is the best path *reachable* in that band (most gold
beads: gold beads longer than ``max_align`` cannot be built). Weights start at today's
formula, so epoch 0 reproduces ``bench/align_tune.py``. Evaluation is leave-one-chapter-out
on MAC-Dev (train on five chapters, score the sixth, counts pooled), plus training on all
MAC-Dev + news 01-12 and scoring news 13-16.

    .venv/bin/python bench/align_learn.py --check           # epoch 0 == today's aligner
    .venv/bin/python bench/align_learn.py --epochs 8 --lr 0.02 --loss 0.1
    .venv/bin/python bench/align_learn.py --coord            # coordinate search, LOCO
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import newsdev  # noqa: E402
from align_tune import Doc, fmt, load_set, measure  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from corpus.align import _ANCHOR_BAND, _Scorer, bead_types, search_spans  # noqa: E402
from corpus.align_dp import anchor_path, band_around, banded_dp  # noqa: E402
from corpus.config import AlignConfig  # noqa: E402
from corpus.model import Bead  # noqa: E402

TYPES = ("1-1", "1-2", "2-1", "2-2", "1-3", "3-1", "other")
NAMES = ("cosL", "nbL", "cov", "cos", "nb", "zL", "lg2", "lgabs", "shared", "cross22",
         "para", *[f"t{t}" for t in TYPES], "skip10", "skip01", "skiplen")
IDX = {k: n for n, k in enumerate(NAMES)}
F = len(NAMES)


def baseline(cfg: AlignConfig) -> np.ndarray:
    """Weights equal to today's formula."""
    w = np.zeros(F)
    w[IDX["cosL"]] = 1.0
    w[IDX["nbL"]] = -cfg.margin
    w[IDX["cov"]] = cfg.coverage
    w[IDX["para"]] = -cfg.paragraph_weight
    w[IDX["skip10"]] = w[IDX["skip01"]] = cfg.skip
    return w


class Featurizer(_Scorer):
    """A _Scorer whose bead score is ``features @ w`` (+ a loss term while training)."""

    w: np.ndarray
    gold_keys: np.ndarray | None = None
    loss: float = 0.0

    def key(self, a: int, b: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        n, m = self.zh.n, self.en.n
        return ((a * 8 + b) * (n + 1) + i) * (m + 1) + j

    def feats(self, a: int, b: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        k = len(j)
        out = np.zeros((k, F))
        if a == 0 or b == 0:
            out[:, IDX["skip10" if b == 0 else "skip01"]] = 1.0
            ln = (self.zc[i] - self.zc[i - a]) * self.ratio + self.ec[j] - self.ec[j - b]
            out[:, IDX["skiplen"]] = ln / 100.0
            return out
        s, nb = self.window_cosines(a, b, i, j)
        lz = (self.zc[i] - self.zc[i - a]) * self.ratio
        le = self.ec[j] - self.ec[j - b]
        r = np.minimum(lz, le) / np.maximum(np.maximum(lz, le), 1.0)
        lf = np.log2(1.0 + r)
        lg = np.log((lz + 1.0) / (le + 1.0))
        out[:, IDX["cosL"]] = s * lf
        out[:, IDX["nbL"]] = nb * lf
        out[:, IDX["cov"]] = self._coverage(a, b, i, j)
        out[:, IDX["cos"]] = s
        out[:, IDX["nb"]] = nb
        out[:, IDX["zL"]] = (s - self.base) / self.spread * lf
        out[:, IDX["lg2"]] = lg * lg
        out[:, IDX["lgabs"]] = np.abs(lg)
        if self.zh.lex is not None and self.en.lex is not None:
            out[:, IDX["shared"]] = [min(self.shared(int(x) - a, int(x), int(y) - b, int(y)), 3)
                                     for x, y in zip(i, j, strict=True)]
        if a == 2 and b == 2:
            # a 2-2 is a unit when its crossed pairs score as well as its straight ones
            z, e = self.zh.windows[0], self.en.windows[0]
            straight = (np.einsum("kd,kd->k", z[i - 2], e[j - 2])
                        + np.einsum("kd,kd->k", z[i - 1], e[j - 1]))
            crossed = (np.einsum("kd,kd->k", z[i - 2], e[j - 1])
                       + np.einsum("kd,kd->k", z[i - 1], e[j - 2]))
            out[:, IDX["cross22"]] = (crossed - straight) / 2
        if self.paragraphs:
            out[:, IDX["para"]] = self._paragraph_cost(a, b, i, j)
        t = f"{a}-{b}"
        out[:, IDX["t" + (t if t in TYPES else "other")]] = 1.0
        return out

    def __call__(self, a: int, b: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        s = self.feats(a, b, i, j) @ self.w
        if self.loss and self.gold_keys is not None:
            s += self.loss * ~np.isin(self.key(a, b, i, j), self.gold_keys)
        return s


class Oracle(Featurizer):
    """Scores 1 per gold bead: its DP path is the reachable path closest to gold."""

    def __call__(self, a: int, b: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        assert self.gold_keys is not None
        return np.isin(self.key(a, b, i, j), self.gold_keys).astype(np.float64) - 1e-6 * (a + b)


class Prepared:
    """A document with its band, featurizer and oracle path computed once."""

    def __init__(self, doc: Doc, cfg: AlignConfig) -> None:
        self.doc, self.cfg = doc, cfg
        zh, en = doc.zh, doc.en
        self.sc = Featurizer(zh, en, cfg)
        with threadpool_limits(limits=1, user_api="blas"):
            first = anchor_path(zh.windows[0], en.windows[0], _ANCHOR_BAND)
        self.band = band_around(first, zh.n, en.n, 1, cfg.band, spread=0)
        self.types = bead_types(cfg.max_align)
        gk = [self.sc.key(len(g.zh), len(g.en), np.array([g.zh[-1] + 1 if g.zh else _start(g, "zh", doc)]),
                          np.array([g.en[-1] + 1 if g.en else _start(g, "en", doc)]))[0]
              for g in doc.gold]
        self.sc.gold_keys = np.array(gk)
        orc = Oracle(zh, en, cfg)
        orc.gold_keys = self.sc.gold_keys
        orc.w = np.zeros(F)
        self.oracle = self.decode_with(orc)
        self.phi_oracle = self.phi(self.oracle)

    def decode_with(self, scorer: _Scorer) -> list[tuple[int, int, int, int]]:
        with threadpool_limits(limits=1, user_api="blas"):
            path = banded_dp(self.doc.zh.n, self.doc.en.n, self.band, self.types, scorer)
        return [(i0, i1, j0, j1) for i0, i1, j0, j1, _ in path]

    def decode(self, w: np.ndarray, loss: float = 0.0) -> list[tuple[int, int, int, int]]:
        self.sc.w, self.sc.loss = w, loss
        return self.decode_with(self.sc)

    def phi(self, spans: Sequence[tuple[int, int, int, int]]) -> np.ndarray:
        tot = np.zeros(F)
        for i0, i1, j0, j1 in spans:
            tot += self.sc.feats(i1 - i0, j1 - j0, np.array([i1]), np.array([j1]))[0]
        return tot

    def beads(self, w: np.ndarray) -> list[Bead]:
        """The aligner's own search (re-check included) with weights ``w``."""
        self.sc.w, self.sc.loss = w, 0.0
        spans, _ = search_spans(self.doc.zh, self.doc.en, self.cfg, scorer=self.sc)
        return [Bead(tuple(range(i0, i1)), tuple(range(j0, j1)), 0.0, 1.0)
                for i0, i1, j0, j1 in spans]


def _start(g: Bead, side: str, doc: Doc) -> int:
    """End lattice coordinate of an empty side of a gold bead: the position after the
    previous bead's sentences on that side."""
    k = doc.gold.index(g)
    for prev in reversed(doc.gold[:k]):
        ids = prev.zh if side == "zh" else prev.en
        if ids:
            return ids[-1] + 1
    return 0


def train(docs: Sequence[Prepared], w0: np.ndarray, epochs: int, lr: np.ndarray | float,
          loss: float, seed: int = 0, mira: float = 0.0) -> np.ndarray:
    """Averaged structured perceptron from w0; returns the averaged weights."""
    w = w0.copy()
    acc = np.zeros(F)
    steps = 0
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        for k in rng.permutation(len(docs)):
            d = docs[k]
            pred = d.decode(w, loss)
            if pred != d.oracle:
                diff = d.phi_oracle - d.phi(pred)
                if mira:
                    # passive-aggressive: the smallest step that makes the oracle win by
                    # the number of wrong beads, capped at C
                    wrong = len(set(pred) - set(d.oracle))
                    diff = diff * (lr > 0)
                    tau = min(mira, max(0.0, wrong - w @ diff) / max(float(diff @ diff), 1e-9))
                    w = w + tau * diff
                else:
                    w = w + lr * diff
            acc += w
            steps += 1
    return acc / max(steps, 1)


def evaluate(docs: Sequence[Prepared], ws: Sequence[np.ndarray]) -> dict:
    return measure([d.doc.gold for d in docs], [d.beads(w) for d, w in zip(docs, ws, strict=True)])


def coord(mac: Sequence[Prepared], w0: np.ndarray) -> None:
    """Grid over a few additive terms added to today's formula, chosen per fold (LOCO)."""
    grid = {"lg2": [0, -0.02, -0.05, -0.1], "cross22": [0, 0.3, 1.0], "shared": [0, 0.03, 0.08],
            "t2-2": [0, 0.05]}
    combos = list(itertools.product(*grid.values()))
    res = []
    for c in combos:
        w = w0.copy()
        for k, v in zip(grid, c, strict=True):
            w[IDX[k]] += v
        res.append([d.beads(w) for d in mac])
    golds = [d.doc.gold for d in mac]
    tests, chosen = [], []
    for k in range(len(mac)):
        rest = [j for j in range(len(mac)) if j != k]
        best = max(range(len(combos)), key=lambda i: (measure(
            [golds[j] for j in rest], [res[i][j] for j in rest])["strict"][2], -i))
        chosen.append(dict(zip(grid, combos[best], strict=True)))
        tests.append(res[best][k])
    print(fmt("coord LOCO", measure(golds, tests)))
    for d, c in zip(mac, chosen, strict=True):
        print(f"  fold {d.doc.name}: {c}")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--lr", type=float, default=0.02)
    ap.add_argument("--loss", type=float, default=0.0)
    ap.add_argument("--feats", default="all", help="comma list of learned features, or all")
    ap.add_argument("--mira", type=float, default=0.0, help="passive-aggressive, cap C")
    ap.add_argument("--coord", action="store_true", help="coordinate/grid search, LOCO")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--news", action="store_true", help="also train all MAC+news dev, test held")
    args = ap.parse_args()
    cfg = AlignConfig()
    w0 = baseline(cfg)
    lr = np.full(F, args.lr)
    if args.feats != "all":
        keep = set(args.feats.split(","))
        lr = np.array([args.lr if n in keep else 0.0 for n in NAMES])
    t = time.perf_counter()
    mac = [Prepared(d, cfg) for d in load_set("mac")]
    print(f"prepared in {time.perf_counter() - t:.1f} s; oracle strict recall "
          f"{measure([d.doc.gold for d in mac], [[Bead(tuple(range(a, b)), tuple(range(c, e)), 0, 1) for a, b, c, e in d.oracle] for d in mac])['strict'][1]:.3f}")
    m = evaluate(mac, [w0] * len(mac))
    print(fmt("mac baseline", m))
    if args.check:
        return 0
    if args.coord:
        coord(mac, w0)
        return 0
    ws = []
    for k in range(len(mac)):
        rest = [d for n, d in enumerate(mac) if n != k]
        ws.append(train(rest, w0, args.epochs, lr, args.loss, mira=args.mira))
    print(fmt(f"mac LOCO e{args.epochs} lr{args.lr} L{args.loss}", evaluate(mac, ws)))
    wm = np.mean(ws, axis=0)
    print("mean fold weights: " + " ".join(f"{n}={v:+.3f}" for n, v in zip(NAMES, wm, strict=True)))
    if args.news:
        news = [Prepared(d, cfg) for d in load_set("news")]
        dev = [d for d in news if d.doc.name in newsdev.DEV]
        held = [d for d in news if d.doc.name in newsdev.HELD_OUT]
        w = train(mac + dev, w0, args.epochs, lr, args.loss, mira=args.mira)
        for name, part in (("news dev", dev), ("news held", held)):
            print(fmt(name + " base", evaluate(part, [w0] * len(part))))
            print(fmt(name + " learned", evaluate(part, [w] * len(part))))
        t = time.perf_counter()
        for d in mac:
            d.decode(w0)
        t0 = time.perf_counter() - t
        t = time.perf_counter()
        for d in mac:
            d.decode(w)
        print(f"mac search {t0:.2f} s (baseline weights) {time.perf_counter() - t:.2f} s (learned)")
        print("all-data weights: " + " ".join(f"{n}={v:+.3f}" for n, v in zip(NAMES, w, strict=True)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
