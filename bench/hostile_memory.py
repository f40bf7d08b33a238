"""Peak memory of aligning a hostile page: n sentences of "Hi." a side (issue 12).

    .venv/bin/python bench/hostile_memory.py 2000 5000

Prints, per size, the peak traced allocation (numpy included) of embedding one side and of
the whole alignment, per sentence. The default encoder; offline.
"""

from __future__ import annotations

import sys
import time
import tracemalloc

from corpus.align import align_sentences, embed_side
from corpus.config import AlignConfig
from corpus.embed import load_encoder
from corpus.segment import split_paragraphs


def main(sizes: list[int]) -> None:
    encoder = load_encoder("use")
    encoder.load()
    for n in sizes:
        en = split_paragraphs(["Hi. " * 100] * (n // 100), "en")
        zh = split_paragraphs(["你好。" * 100] * (n // 100), "zh")
        for what, run in (
            ("embed one side",
             lambda en=en: embed_side(encoder, [s.text for s in en], AlignConfig())),
            ("align both", lambda zh=zh, en=en: align_sentences(zh, en, encoder, AlignConfig())),
        ):
            tracemalloc.start()
            t0 = time.perf_counter()
            run()
            seconds = time.perf_counter() - t0
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"{n:>6} sentences a side  {what:<15} peak {peak / 2**20:7.1f} MiB  "
                  f"{peak / n / 1024:5.1f} kB/sentence  {seconds:6.1f} s", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [2000, 5000])
