"""Fit the bead-confidence model on gold data and check its calibration on data held apart.

Fit: MAC-Dev chapters 001-003 and news articles 01-12. Check: MAC-Dev 004-006 and news
13-16 (never used for fitting or tuning). A bead counts as right when it equals a gold
bead. Prints the fitted weights (as the constants of ``corpus/align_confidence.py``), and
a reliability table for the check data: beads binned by predicted probability, with the
mean prediction and the share actually right in each bin, plus the Brier score and the
expected calibration error (ECE), for the model and, for comparison, for the raw cosine.

    .venv/bin/python bench/align_confidence.py            # fit and check, print
    .venv/bin/python bench/align_confidence.py --write    # also write the weights into
                                                          # corpus/align_confidence.py
    .venv/bin/python bench/align_confidence.py --check-only   # the shipped weights

Uses the embedding cache of bench/align_tune.py (bench/out/emb/).
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import align_tune  # noqa: E402
import newsdev  # noqa: E402

from corpus import align_confidence as ac  # noqa: E402
from corpus.align import search_spans  # noqa: E402
from corpus.config import AlignConfig  # noqa: E402

FIT = {"mac": ("001", "002", "003"), "news": newsdev.DEV}
CHECK = {"mac": ("004", "005", "006"), "news": newsdev.HELD_OUT}
BINS = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0001)


def collect(part: dict[str, tuple[str, ...]]) -> dict[str, np.ndarray]:
    """Features, labels, kinds and cosines of every bead of the documents in ``part``."""
    cfg = AlignConfig()
    rows: dict[str, list] = {"paired": [], "null": [], "right": [], "is_pair": [], "cos": [],
                             "set": []}
    for which, names in part.items():
        for doc in align_tune.load_set(which):
            if doc.name not in names:
                continue
            spans, scorer = search_spans(doc.zh, doc.en, cfg)
            paired, null = ac.features(spans, scorer)
            gold = {(b.zh, b.en) for b in doc.gold}
            for k, (i0, i1, j0, j1) in enumerate(spans):
                rows["paired"].append(paired[k])
                rows["null"].append(null[k])
                rows["right"].append((tuple(range(i0, i1)), tuple(range(j0, j1))) in gold)
                rows["is_pair"].append(i1 > i0 and j1 > j0)
                rows["cos"].append(scorer.cosine(i0, i1, j0, j1))
                rows["set"].append(which)
    return {k: np.asarray(v) for k, v in rows.items()}


def reliability(p: np.ndarray, y: np.ndarray) -> tuple[list[tuple], float, float]:
    """Rows (bin, count, mean predicted, share right), Brier score, ECE."""
    table = []
    ece = 0.0
    for lo, hi in itertools.pairwise(BINS):
        sel = (p >= lo) & (p < hi)
        if sel.any():
            table.append((f"{lo:.2f}-{min(hi, 1):.2f}", int(sel.sum()), float(p[sel].mean()),
                          float(y[sel].mean())))
            ece += sel.sum() / len(p) * abs(p[sel].mean() - y[sel].mean())
    return table, float(np.mean((p - y) ** 2)), ece


def print_table(title: str, p: np.ndarray, y: np.ndarray) -> None:
    table, brier, ece = reliability(p, y)
    print(f"\n{title}: {len(p)} beads, {y.mean():.3f} right; Brier {brier:.4f}, ECE {ece:.4f}")
    print("| predicted | beads | mean predicted | share right |")
    print("|---|---|---|---|")
    for name, count, mean, share in table:
        print(f"| {name} | {count} | {mean:.3f} | {share:.3f} |")


def predict(d: dict[str, np.ndarray], wp: np.ndarray, bp: float, wn: np.ndarray,
            bn: float) -> np.ndarray:
    logit = np.where(d["is_pair"], d["paired"] @ wp + bp, d["null"] @ wn + bn)
    return 1.0 / (1.0 + np.exp(-logit))


def write_weights(wp: np.ndarray, bp: float, wn: np.ndarray, bn: float) -> None:
    path = HERE.parent / "corpus" / "align_confidence.py"
    text = path.read_text(encoding="utf-8")
    def tup(w: np.ndarray) -> str:
        return "(" + ", ".join(f"{x:.4f}" for x in w) + ")"
    for name, value in (("PAIRED_WEIGHTS", tup(wp)), ("PAIRED_BIAS", f"{bp:.4f}"),
                        ("NULL_WEIGHTS", tup(wn)), ("NULL_BIAS", f"{bn:.4f}")):
        text = re.sub(rf"^{name} = .*$", f"{name} = {value}", text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")
    print(f"wrote the weights into {path}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--check-only", action="store_true")
    ap.add_argument("--l2", type=float, default=1.0)
    args = ap.parse_args(argv)
    check = collect(CHECK)
    if args.check_only:
        wp, bp = np.asarray(ac.PAIRED_WEIGHTS), ac.PAIRED_BIAS
        wn, bn = np.asarray(ac.NULL_WEIGHTS), ac.NULL_BIAS
    else:
        fit = collect(FIT)
        y = fit["right"].astype(float)
        sel = fit["is_pair"]
        wp, bp = ac.fit_logistic(fit["paired"][sel], y[sel], args.l2)
        wn, bn = ac.fit_logistic(fit["null"][~sel], y[~sel], args.l2)
        print(f"fit: {len(y)} beads ({sel.sum()} pairing, {(~sel).sum()} unmatched), "
              f"{y.mean():.3f} right")
        print("paired:", dict(zip(ac.PAIRED_FEATURES, np.round(wp, 4), strict=True)),
              "bias", round(bp, 4))
        print("null:", dict(zip(ac.NULL_FEATURES, np.round(wn, 4), strict=True)),
              "bias", round(bn, 4))
        print_table("fit data (in sample)", predict(fit, wp, bp, wn, bn), y)
    y = check["right"].astype(float)
    p = predict(check, wp, bp, wn, bn)
    print_table("held apart (MAC-Dev 004-006, news 13-16)", p, y)
    for which in ("mac", "news"):
        sel = check["set"] == which
        print_table(f"held apart, {which} only", p[sel], y[sel])
    # the raw cosine as a probability, for comparison (unmatched beads: cosine 0)
    print_table("held apart, raw cosine clipped to [0, 1]", np.clip(check["cos"], 0, 1), y)
    if args.write and not args.check_only:
        write_weights(wp, bp, wn, bn)
    return 0


if __name__ == "__main__":
    sys.exit(main())
