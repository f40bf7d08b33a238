"""Quality and cost of our aligner on a gold-aligned set (MAC-Dev), in one process.

Reads ``DATA/zh/NNN.txt`` and ``DATA/en/NNN.txt`` (one sentence per line) and the
gold beads ``DATA/gold/NNN.align``, aligns every file with the default settings,
and prints strict/lax P/R/F1 per file and overall (Vecalign/Bertalign scoring,
micro-averaged), then the time split model load / embedding / search and the peak
memory (max RSS) of the process.

    .venv/bin/python bench/align_quality.py /work/shared/bench/mac-dev
    .venv/bin/python bench/align_quality.py /work/shared/bench/mac-dev --encoder labse
    .venv/bin/python bench/align_quality.py DATA --out /tmp/beads   # also write NNN.align
    .venv/bin/python bench/align_quality.py bench/newsdev   # the news set, with its paragraphs

The data is copyrighted; it is read from where it lies and nothing of it is kept.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from corpus.align import align_embedded, embed_side
from corpus.config import AlignConfig
from corpus.embed import load_encoder
from corpus.score import format_beads, read_beads, read_sentences, score_alignments


def _paras(path: Path) -> list[int] | None:
    return [int(x) for x in path.read_text().split()] if path.exists() else None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path, help="folder with zh/, en/ and gold/")
    ap.add_argument("--encoder", default="use", help="encoder name (default: use)")
    ap.add_argument("--out", type=Path, help="write our beads here as NNN.align")
    ap.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = ap.parse_args(argv)

    names = sorted(p.stem for p in (args.data / "gold").glob("*.align"))
    if not names:
        print(f"no gold/*.align under {args.data}", file=sys.stderr)
        return 2
    cfg = AlignConfig()
    t0 = time.perf_counter()
    encoder = load_encoder(args.encoder)
    encoder.load()
    t_load = time.perf_counter() - t0
    t_embed = t_dp = 0.0
    golds, tests, rows = [], [], []
    for name in names:
        zh = read_sentences(args.data / "zh" / f"{name}.txt")
        en = read_sentences(args.data / "en" / f"{name}.txt")
        t = time.perf_counter()
        # paragraph ids where the set has them (zh/NNN.para: the news set), as a build has
        paras = [_paras(args.data / side / f"{name}.para") for side in ("zh", "en")]
        zs = embed_side(encoder, zh, cfg, paras[0], "zh")
        es = embed_side(encoder, en, cfg, paras[1], "en")
        t_embed += time.perf_counter() - t
        t = time.perf_counter()
        result = align_embedded(zs, es, cfg, encoder=encoder.name)
        t_dp += time.perf_counter() - t
        gold = read_beads(args.data / "gold" / f"{name}.align")
        golds.append(gold)
        tests.append(list(result.beads))
        s = score_alignments([gold], [list(result.beads)])
        rows.append((name, len(zh), len(en), s))
        if args.out:
            args.out.mkdir(parents=True, exist_ok=True)
            (args.out / f"{name}.align").write_text(format_beads(result.beads), encoding="utf-8")
    total = time.perf_counter() - t0
    overall = score_alignments(golds, tests)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"encoder {encoder.name}; config {AlignConfig()}")
    print(f"{'file':8} {'zh':>5} {'en':>5}  strict P/R/F1        lax P/R/F1")
    for name, n, m, s in rows:
        print(f"{name:8} {n:5} {m:5}  {s.precision_strict:.3f} {s.recall_strict:.3f} "
              f"{s.f1_strict:.3f}   {s.precision_lax:.3f} {s.recall_lax:.3f} {s.f1_lax:.3f}")
    o = overall
    print(f"{'all':8} {sum(r[1] for r in rows):5} {sum(r[2] for r in rows):5}  "
          f"{o.precision_strict:.3f} {o.recall_strict:.3f} {o.f1_strict:.3f}   "
          f"{o.precision_lax:.3f} {o.recall_lax:.3f} {o.f1_lax:.3f}")
    print(f"time: {total:.1f} s total = model load {t_load:.1f} s + embedding {t_embed:.1f} s "
          f"+ search {t_dp:.1f} s; peak memory {peak_mb:.0f} MB")
    if args.json:
        print(json.dumps({"overall": o.to_dict(), "load_s": t_load, "embed_s": t_embed,
                          "dp_s": t_dp, "total_s": total, "peak_mb": peak_mb,
                          "files": {r[0]: r[3].to_dict() for r in rows}}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
