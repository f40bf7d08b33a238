"""Search index at corpus scale: build time, size and query latency on a generated corpus.

Generates a build folder of N articles (default 20,000, about 60 beads each: 1.2 M beads) of
made-up text — random Chinese characters and made-up English words drawn with a Zipf law,
with a few planted terms of known frequency — written by the toolkit's own JSONL writer as
`corpus build` writes its bead files. Then times `corpus.index.build_index` on it, reports
the size of corpus.sqlite, and times a set of queries (median of --repeats runs each).

    .venv/bin/python bench/index_bench.py                    # 20,000 articles
    .venv/bin/python bench/index_bench.py --articles 2000    # a quick look

Results: printed as a Markdown table and written to bench/out/index/results.json. The
generated folder is reused by later runs with the same settings (--regenerate to redo it).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpus.export.jsonl import write_jsonl  # noqa: E402
from corpus.index import IndexStats, build_index, connect, update_index  # noqa: E402
from corpus.model import AlignedDocument, Alignment, Bead, Sentence  # noqa: E402
from corpus.search import Query, renderings, search  # noqa: E402

# planted (zh, en, share of beads): what the queries look for, at known frequencies
PLANTED = [("一带一路", "Belt and Road", 0.002), ("贸易战", "trade war", 0.01),
           ("量子计算机", "quantum computer", 0.00002)]
ALTERNATE = "One Belt, One Road"  # a second rendering of 一带一路 in a fifth of its beads
KINDS = [((1, 1), 0.80), ((2, 1), 0.05), ((1, 2), 0.06), ((0, 1), 0.04), ((1, 0), 0.03),
         ((2, 2), 0.02)]


def _zipf_pool(rng: random.Random, items: list[str], n: int) -> list[str]:
    weights = [1 / (r + 1) for r in range(len(items))]
    return rng.choices(items, weights, k=n)


class Generator:
    """Made-up sentences: cheap to draw, Zipf-distributed like real text."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        chars = [chr(0x4E00 + self.rng.randrange(0x5000)) for _ in range(3500)]
        syl = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"]
        words = list({"".join(self.rng.choices(syl, k=self.rng.choice((1, 2, 2, 3))))
                      for _ in range(30000)})
        self.zh_pool = _zipf_pool(self.rng, chars, 400_000)
        self.en_pool = _zipf_pool(self.rng, words, 400_000)

    def zh(self) -> str:
        n = self.rng.randint(12, 60)
        i = self.rng.randrange(len(self.zh_pool) - n)
        return "".join(self.zh_pool[i:i + n]) + "。"

    def en(self) -> str:
        n = self.rng.randint(8, 35)
        i = self.rng.randrange(len(self.en_pool) - n)
        return " ".join(self.en_pool[i:i + n]).capitalize() + "."

    def plant(self, zh: str, en: str) -> tuple[str, str]:
        for term_zh, term_en, share in PLANTED:
            if self.rng.random() < share:
                if term_zh == "一带一路" and self.rng.random() < 0.2:
                    term_en = ALTERNATE
                cut_zh = self.rng.randrange(len(zh))
                words = en.split(" ")
                cut_en = self.rng.randrange(len(words))
                zh = zh[:cut_zh] + term_zh + zh[cut_zh:]
                en = " ".join([*words[:cut_en], term_en, *words[cut_en:]])
        return zh, en

    def document(self, k: int, day: date) -> AlignedDocument:
        rng = self.rng
        n_beads = rng.randint(30, 90)
        zh: list[Sentence] = []
        en: list[Sentence] = []
        beads = []
        kinds, weights = zip(*KINDS, strict=True)
        for b in range(n_beads):
            a, c = rng.choices(kinds, weights)[0]
            para = b // 4
            zs = [self.zh() for _ in range(a)]
            es = [self.en() for _ in range(c)]
            if zs and es:
                zs[0], es[0] = self.plant(zs[0], es[0])
            zid = tuple(range(len(zh), len(zh) + a))
            eid = tuple(range(len(en), len(en) + c))
            zh += [Sentence(para, len(zh) + i, t, 0, len(t)) for i, t in enumerate(zs)]
            en += [Sentence(para, len(en) + i, t, 0, len(t)) for i, t in enumerate(es)]
            score = round(rng.uniform(0.2, 0.95), 4) if a and c else 0.0
            beads.append(Bead(zid, eid, score))
        aid = f"{day:%Y%m%d}-story-{k:05d}"
        meta = {"title": self.zh()[:14], "published": day.isoformat(), "source": "original",
                "cn_url": f"https://cn.example.org/{aid}/",
                "en_url": f"https://www.example.org/{aid}.html"}
        return AlignedDocument(aid, tuple(zh), tuple(en), Alignment(tuple(beads), "bench"), meta)


def generate(folder: Path, n: int, seed: int) -> int:
    gen = Generator(seed)
    (folder / "beads").mkdir(parents=True, exist_ok=True)
    records, total = [], 0
    start = date(2016, 1, 1)
    for k in range(n):
        doc = gen.document(k, start + timedelta(days=k * 3000 // n))
        total += write_jsonl([doc], folder / "beads" / f"{doc.article_id}.jsonl")
        records.append({"key": doc.article_id, "status": "done"})
        if k % 2000 == 0:
            print(f"  generated {k}/{n} articles", file=sys.stderr)
    (folder / "manifest.json").write_text(json.dumps({"manifest_version": 1,
                                                      "articles": records}), encoding="utf-8")
    return total


QUERIES = [
    ("zh phrase, 0.2% of beads", Query("一带一路")),
    ("zh phrase, 1% of beads", Query("贸易战")),
    ("zh phrase, rare", Query("量子计算机")),
    ("zh 2 characters (scan)", Query("一带")),
    ("en phrase, 1% of beads", Query("trade war")),
    ("en phrase, rare", Query("quantum computer")),
    ("regex with a literal", Query(r"Belt and Road|One Belt", regex=True)),
    ("regex with a literal (indexed)", Query(r"trade wars?\b", regex=True)),
    ("regex, no literal (scan)", Query(r"\bzu\w+ ba\w+", regex=True)),
    ("filters: 1-1, 2020, conf >= 0.5", Query("贸易战", types=("1-1",),
                                              since=date(2020, 1, 1), until=date(2020, 12, 31),
                                              min_confidence=0.5)),
]


def _time_updates(folder: Path, n: int) -> dict[str, float]:
    """Time update_index (what every `corpus build` runs) with 0, 1 and n/200 articles changed
    (a bead file rewritten with one sentence edited, as a rebuilt article would be)."""
    ids = sorted(p.stem for p in (folder / "beads").glob("*.jsonl"))
    out = {}
    for changed in (0, 1, max(2, n // 200)):
        for aid in ids[:changed]:
            path = folder / "beads" / f"{aid}.jsonl"
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace("。", "．", 1), encoding="utf-8")
        t0 = time.perf_counter()
        stats = update_index(folder)
        assert stats.reindexed == changed, stats
        out[f"{changed} of {n} articles changed"] = round(time.perf_counter() - t0, 2)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=5, help="runs per query (median)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "index")
    ap.add_argument("--regenerate", action="store_true")
    ap.add_argument("--reuse-index", action="store_true",
                    help="time the queries on the index of an earlier run (build time from it)")
    args = ap.parse_args()
    folder = args.out / f"corpus-{args.articles}-{args.seed}"
    if args.regenerate or not (folder / "manifest.json").is_file():
        t0 = time.perf_counter()
        n = generate(folder, args.articles, args.seed)
        print(f"generated {n} beads in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
    beads_mb = sum(p.stat().st_size for p in (folder / "beads").glob("*.jsonl")) / 1e6
    if args.reuse_index and (folder / "corpus.sqlite").is_file():
        con = connect(folder)
        n = con.execute("SELECT count(*) FROM beads").fetchone()[0]
        arts = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        con.close()
        old = json.loads((args.out / "results.json").read_text(encoding="utf-8"))
        stats = IndexStats(folder / "corpus.sqlite", arts, n, old["build_s"],
                           (folder / "corpus.sqlite").stat().st_size)
    else:
        stats = build_index(folder)
    print(f"index: {stats.beads} beads of {stats.articles} articles in {stats.seconds:.1f}s, "
          f"{stats.size / 1e6:.0f} MB (bead files {beads_mb:.0f} MB)")
    updates = _time_updates(folder, args.articles)
    rows = []
    con = connect(folder)
    for label, q in QUERIES:
        times, result = [], None
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            result = search(con, q)
            times.append(time.perf_counter() - t0)
        assert result is not None
        rows.append({"query": label, "text": q.text, "hits": result.total,
                     "ms": round(1000 * statistics.median(times), 1)})
    for label, q in (("renderings of 一带一路", Query("一带一路")),):
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            table, _ = renderings(con, search(con, q))
            times.append(time.perf_counter() - t0)
        rows.append({"query": label, "text": q.text, "hits": len(table),
                     "ms": round(1000 * statistics.median(times), 1),
                     "top": [r.text for r in table[:3]]})
    con.close()
    print(f"\n| query | hits | median ms ({args.repeats} runs) |\n|---|---:|---:|")
    for r in rows:
        print(f"| {r['query']} (`{r['text']}`) | {r['hits']} | {r['ms']} |")
    print("\n| update after a build | seconds |\n|---|---:|")
    for label, secs in updates.items():
        print(f"| {label} | {secs} |")
    out = {"articles": stats.articles, "beads": stats.beads, "build_s": stats.seconds,
           "size_bytes": stats.size, "bead_files_mb": round(beads_mb, 1), "queries": rows,
           "updates": updates}
    (args.out / "results.json").write_text(json.dumps(out, indent=2, ensure_ascii=False),
                                           encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
