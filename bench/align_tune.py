"""Tune and measure the aligner's search on cached embeddings (MAC-Dev and the news set).

Embedding is the expensive step and does not depend on the search settings, so each
gold set is embedded once with the default encoder and cached in ``bench/out/emb/``;
every evaluation after that runs only the search. Reported per set: strict and lax
P/R/F1 (Vecalign/Bertalign scoring), recall of each gold bead type, and precision and
recall of the *unmatched sentences* (those in a 1-0 or 0-1 bead, both sides pooled).

    .venv/bin/python bench/align_tune.py                      # defaults, both sets
    .venv/bin/python bench/align_tune.py --set news --part dev --set-param skip=-0.2
    .venv/bin/python bench/align_tune.py --loco margin=0.25,0.5 coverage=0.25,0.5
    .venv/bin/python bench/align_tune.py --json             # machine-readable

``--loco`` tunes by leave-one-document-out over the grid given: each document is scored
with the setting that did best (strict F1) on the others, and the settings each fold
chose are printed. MAC-Dev is read from ``/work/shared/bench/mac-dev`` by path (never
copied); the news set from ``bench/newsdev`` (01-12 development, 13-16 held apart).
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import newsdev  # noqa: E402

from corpus.align import Side, align_embedded, embed_side, search_spans  # noqa: E402
from corpus.align_lexical import anchors  # noqa: E402
from corpus.config import AlignConfig  # noqa: E402
from corpus.model import Bead  # noqa: E402
from corpus.score import read_beads, read_sentences, score_alignments  # noqa: E402

MAC_DEV = Path("/work/shared/bench/mac-dev")
CACHE = HERE / "out" / "emb"
KINDS = ("1-1", "1-2", "2-1", "2-2", "1-0", "0-1")


@dataclass
class Doc:
    """A gold document with its embedded sides."""

    set: str
    name: str
    zh: Side
    en: Side
    gold: list[Bead]
    zh_text: list[str]
    en_text: list[str]
    pairs: tuple[np.ndarray, np.ndarray] | None = None  # news: paragraph pairs, simulated


def _save(path: Path, side: Side) -> None:
    arrays = {f"w{k + 1}": w for k, w in enumerate(side.windows)}
    arrays["chars"] = side.chars
    if side.paras is not None:
        arrays["paras"] = side.paras
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)


def _load(path: Path) -> Side:
    with np.load(path) as z:
        k = sum(1 for name in z.files if name.startswith("w"))
        windows = tuple(z[f"w{i + 1}"] for i in range(k))
        paras = z["paras"] if "paras" in z.files else None
        return Side(windows, z["chars"], paras)


def _texts(folder: Path, name: str) -> tuple[list[str], list[str], list[int] | None,
                                             list[int] | None]:
    zh = read_sentences(folder / "zh" / f"{name}.txt")
    en = read_sentences(folder / "en" / f"{name}.txt")
    paras: list[list[int] | None] = []
    for side in ("zh", "en"):
        p = folder / side / f"{name}.para"
        paras.append([int(x) for x in p.read_text().split()] if p.exists() else None)
    return zh, en, paras[0], paras[1]


def load_set(which: str, encoder_name: str = "use") -> list[Doc]:
    """Return the documents of ``mac`` or ``news``, embedding those not cached yet."""
    folder = MAC_DEV if which == "mac" else newsdev.ROOT
    names = sorted(p.stem for p in (folder / "gold").glob("*.align"))
    cfg = AlignConfig()
    encoder = None
    docs = []
    for name in names:
        zh, en, zp, ep = _texts(folder, name)
        paths = [CACHE / encoder_name / which / f"{name}.{side}.npz" for side in ("zh", "en")]
        if not all(p.exists() for p in paths):
            if encoder is None:
                from corpus.embed import load_encoder
                encoder = load_encoder(encoder_name)
            for path, texts, paras in zip(paths, (zh, en), (zp, ep), strict=True):
                _save(path, embed_side(encoder, texts, cfg, paras))
        zs, es = (_load(p) for p in paths)
        zs = dataclasses.replace(zs, lex=tuple(anchors(t, "zh") for t in zh))
        es = dataclasses.replace(es, lex=tuple(anchors(t, "en") for t in en))
        if len(zs.windows) < cfg.max_align - 1:
            raise SystemExit(f"cache {paths[0]} has fewer windows than max_align needs; "
                             "delete bench/out/emb")
        pairs = None
        if which == "news":
            nd = newsdev.load(name)
            pairs = (np.asarray(nd.zh_blocks), np.asarray(nd.en_blocks))
        docs.append(Doc(which, name, zs, es, read_beads(folder / "gold" / f"{name}.align"),
                        zh, en, pairs))
    return docs


def unmatched(beads: Sequence[Bead]) -> set[tuple[str, int]]:
    out: set[tuple[str, int]] = set()
    for b in beads:
        if not b.en:
            out.update(("zh", i) for i in b.zh)
        if not b.zh:
            out.update(("en", j) for j in b.en)
    return out


def _key(b: Bead) -> tuple[tuple[int, ...], tuple[int, ...]]:
    return (b.zh, b.en)


def measure(golds: Sequence[Sequence[Bead]], tests: Sequence[Sequence[Bead]]) -> dict[str, Any]:
    """Strict/lax scores, bead-type recall and unmatched-sentence P/R of a set of documents."""
    s = score_alignments([list(g) for g in golds], [list(t) for t in tests])
    found: Counter[str] = Counter()
    total: Counter[str] = Counter()
    tp = n_test = n_gold = 0
    for gold, test in zip(golds, tests, strict=True):
        tk = {_key(b) for b in test}
        for b in gold:
            total[b.kind] += 1
            found[b.kind] += _key(b) in tk
        ug, ut = unmatched(gold), unmatched(test)
        tp += len(ug & ut)
        n_test += len(ut)
        n_gold += len(ug)
    return {
        "strict": (s.precision_strict, s.recall_strict, s.f1_strict),
        "lax": (s.precision_lax, s.recall_lax, s.f1_lax),
        "kinds": {k: (found[k], total[k]) for k in KINDS if total[k]},
        "unmatched": (tp / n_test if n_test else 1.0, tp / n_gold if n_gold else 1.0,
                      tp, n_test, n_gold),
    }


def run(docs: Sequence[Doc], cfg: AlignConfig, pairs: bool = False) -> list[list[Bead]]:
    return [list(align_embedded(d.zh, d.en, cfg, pairs=d.pairs if pairs else None).beads)
            for d in docs]


def fmt(name: str, m: dict[str, Any]) -> str:
    st, lx, un = m["strict"], m["lax"], m["unmatched"]
    kinds = " ".join(f"{k} {f}/{t}" for k, (f, t) in m["kinds"].items())
    return (f"{name:14} strict {st[0]:.3f}/{st[1]:.3f}/{st[2]:.3f}  lax F1 {lx[2]:.3f}  "
            f"unmatched P {un[0]:.2f} R {un[1]:.2f} ({un[2]}/{un[3]} of {un[4]})  {kinds}")


def _grid(specs: Sequence[str]) -> list[dict[str, Any]]:
    keys, values = [], []
    for spec in specs:
        k, v = spec.split("=", 1)
        keys.append(k)
        values.append([_value(x) for x in v.split(",")])
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*values)]


def _value(x: str) -> Any:
    if x in ("True", "False"):
        return x == "True"
    try:
        return int(x)
    except ValueError:
        return float(x)


def _cost(label: str, docs: Sequence[Doc], cfg: AlignConfig) -> None:
    bare = dataclasses.replace(cfg, recheck=False)
    before, after = [], []
    for _ in range(7):
        t = time.process_time()
        for d in docs:
            search_spans(d.zh, d.en, bare)
        before.append(time.process_time() - t)
        t = time.process_time()
        for d in docs:
            align_embedded(d.zh, d.en, cfg)
        after.append(time.process_time() - t)
    per = 1000 / len(docs)
    print(f"{label}: search only {statistics.median(before) * per:.1f} ms per document, "
          f"align_embedded (re-check, confidence) {statistics.median(after) * per:.1f} ms")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", choices=["mac", "news", "both"], default="both")
    ap.add_argument("--part", choices=["all", "dev", "held"], default="all",
                    help="news articles: all, 01-12 (dev) or 13-16 (held apart)")
    ap.add_argument("--set-param", action="append", default=[], metavar="NAME=VALUE",
                    help="AlignConfig setting for every run")
    ap.add_argument("--loco", nargs="*", metavar="NAME=V1,V2",
                    help="leave-one-document-out over this grid (per set)")
    ap.add_argument("--per-doc", action="store_true", help="one line per document")
    ap.add_argument("--pairs", action="store_true",
                    help="news: the paragraph pairs of a bilingual page as hard anchors "
                         "(simulated from the set's ¶ blocks)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--cost", action="store_true",
                    help="CPU time per document of the search alone (re-check off, no "
                         "confidence) against the whole of align_embedded, 7 alternating runs")
    args = ap.parse_args(argv)

    base = AlignConfig(**{k: v for s in args.set_param for k, v in _grid([s])[0].items()})
    sets = ["mac", "news"] if args.set == "both" else [args.set]
    report: dict[str, Any] = {"config": dataclasses.asdict(base)}
    for which in sets:
        docs = load_set(which)
        if which == "news" and args.part != "all":
            keep = newsdev.DEV if args.part == "dev" else newsdev.HELD_OUT
            docs = [d for d in docs if d.name in keep]
        label = which if which == "mac" else f"news-{args.part}"
        if args.cost:
            _cost(label, docs, base)
            continue
        if args.loco:
            grid = _grid(args.loco)
            results = {}
            for i, params in enumerate(grid):
                cfg = dataclasses.replace(base, **params)
                results[i] = run(docs, cfg)
            golds = [d.gold for d in docs]
            chosen, tests = [], []
            for k in range(len(docs)):
                rest = [j for j in range(len(docs)) if j != k]
                best = max(results, key=lambda i: (measure(
                    [golds[j] for j in rest], [results[i][j] for j in rest])["strict"][2], -i))
                chosen.append(grid[best])
                tests.append(results[best][k])
            m = measure(golds, tests)
            print(fmt(label + " loco", m))
            for d, c in zip(docs, chosen, strict=True):
                print(f"  fold {d.name}: {c}")
            for i, params in enumerate(grid):
                print(f"  {params}: " + fmt("", measure(golds, results[i])))
            report[label] = {"loco": m, "chosen": chosen}
            continue
        t = time.perf_counter()
        tests = run(docs, base, args.pairs)
        dt = time.perf_counter() - t
        m = measure([d.gold for d in docs], tests)
        print(fmt(label, m) + f"  search {dt:.1f} s")
        if args.per_doc:
            for d, test in zip(docs, tests, strict=True):
                print("  " + fmt(d.name, measure([d.gold], [test])))
        report[label] = m
    if args.json:
        print(json.dumps(report, indent=1, default=list))
    return 0


if __name__ == "__main__":
    sys.exit(main())
