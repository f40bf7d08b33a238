"""How well an alignment score flags wrong beads: score distributions of right and wrong
paired beads on gold data, and what each threshold would flag (the report's --low-score).

    .venv/bin/python bench/low_score_threshold.py ../shared/bench/mac-dev
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from corpus.align import align
from corpus.embed import load_encoder
from corpus.score import read_beads, read_sentences

root = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/bench/mac-dev")
enc = load_encoder("use")
good, bad = [], []
for zf in sorted((root / "zh").glob("*.txt")):
    zh = read_sentences(zf)
    en = read_sentences(root / "en" / zf.name)
    gold = {(b.zh, b.en) for b in read_beads(root / "gold" / (zf.stem + ".align"))}
    for b in align(zh, en, enc).beads:
        if b.zh and b.en:
            (good if (b.zh, b.en) in gold else bad).append(b.score)
good, bad = np.array(good), np.array(bad)
print("good", len(good), np.percentile(good, [1, 5, 10, 25, 50]).round(3))
print("bad", len(bad), np.percentile(bad, [10, 25, 50, 75, 90]).round(3))
for t in (0.3, 0.35, 0.4, 0.45, 0.5):
    fl_good, fl_bad = (good < t).sum(), (bad < t).sum()
    print(
        f"t={t}: flags {fl_good + fl_bad} beads, {fl_bad} wrong ({fl_bad / max(1, fl_good + fl_bad):.0%}), "
        f"catches {fl_bad / len(bad):.0%} of wrong, flags {fl_good / len(good):.1%} of right"
    )
