"""How time and memory grow with document length: synthetic documents up to 5,000 x 6,300.

A synthetic Chinese document of N sentences is built from a small parallel word list
(written for this benchmark); its English side translates each sentence word by word,
splits about one sentence in four in two (so N Chinese sentences give ~1.26 N English
ones, the 5,000 x 6,300 shape), and leaves out one sentence in a hundred. Each size
runs in a fresh process with the default encoder (USE) and settings, so its peak
memory (max RSS) is its own. Reported per size: model load, embedding and search
time, peak memory, and strict F1 against the known beads.

    .venv/bin/python bench/align_scale.py                    # sizes 1000 2000 5000
    .venv/bin/python bench/align_scale.py --sizes 500 1000
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time

WORDS = [
    ("城市", "city"), ("河流", "river"), ("学校", "school"), ("医院", "hospital"),
    ("工厂", "factory"), ("农民", "farmers"), ("工人", "workers"), ("学生", "students"),
    ("老师", "teachers"), ("医生", "doctors"), ("政府", "government"), ("公司", "company"),
    ("银行", "bank"), ("市场", "market"), ("价格", "prices"), ("工资", "wages"),
    ("房子", "houses"), ("道路", "roads"), ("铁路", "railway"), ("机场", "airport"),
    ("天气", "weather"), ("雨水", "rain"), ("粮食", "grain"), ("电力", "electricity"),
    ("汽车", "cars"), ("手机", "phones"), ("电脑", "computers"), ("书籍", "books"),
    ("报纸", "newspapers"), ("法院", "court"), ("警察", "police"), ("军队", "army"),
    ("选举", "election"), ("法律", "law"), ("税收", "taxes"), ("出口", "exports"),
    ("游客", "tourists"), ("博物馆", "museum"), ("公园", "park"), ("森林", "forest"),
]
VERBS = [("上涨", "rose"), ("下降", "fell"), ("增加", "increased"), ("减少", "decreased"),
         ("改善", "improved"), ("关闭", "closed"), ("开放", "opened"), ("扩大", "expanded")]


def make_document(n: int, seed: int = 0) -> tuple[list[str], list[str], list[tuple]]:
    """Return zh sentences, en sentences and the true beads."""
    rng = random.Random(seed)
    zh: list[str] = []
    en: list[str] = []
    gold: list[tuple] = []
    for i in range(n):
        k = rng.randint(3, 7)
        ws = [rng.choice(WORDS) for _ in range(k)]
        v = rng.choice(VERBS)
        year = rng.randint(1990, 2030)
        zh.append(f"{year}年，" + "和".join(w[0] for w in ws) + v[0] + "了。")
        r = rng.random()
        if r < 0.01:
            gold.append(((i,), ()))
            continue
        words = [w[1] for w in ws]
        if r < 0.28:  # split in two English sentences
            h = k // 2
            en_ids = (len(en), len(en) + 1)
            en.append(f"In {year}, the " + ", ".join(words[:h]) + f" {v[1]}.")
            en.append("So did the " + " and ".join(words[h:]) + ".")
        else:
            en_ids = (len(en),)
            en.append(f"In {year}, the " + ", ".join(words[:-1]) + f" and {words[-1]} {v[1]}.")
        gold.append(((i,), en_ids))
    return zh, en, gold


def run_one(n: int) -> dict:
    """Align one synthetic document of n Chinese sentences; return timings and memory."""
    from corpus.align import align_embedded, embed_side
    from corpus.config import AlignConfig
    from corpus.embed import load_encoder
    from corpus.model import Bead
    from corpus.score import score_alignments

    zh, en, gold = make_document(n)
    cfg = AlignConfig()
    t0 = time.perf_counter()
    enc = load_encoder("use").load()
    t1 = time.perf_counter()
    zs, es = embed_side(enc, zh, cfg), embed_side(enc, en, cfg)
    t2 = time.perf_counter()
    result = align_embedded(zs, es, cfg, encoder=enc.name)
    t3 = time.perf_counter()
    score = score_alignments([[Bead(z, e) for z, e in gold]], [list(result.beads)])
    return {"zh": len(zh), "en": len(en), "load_s": t1 - t0, "embed_s": t2 - t1,
            "search_s": t3 - t2, "total_s": t3 - t0, "strict_f1": score.f1_strict,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000])
    ap.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(run_one(args.worker)))
        return 0
    print(f"{'zh':>6} {'en':>6} {'load s':>7} {'embed s':>8} {'search s':>9} {'total s':>8} "
          f"{'peak MB':>8} {'strict F1':>9}  per 1k zh: embed, search")
    for n in args.sizes:
        out = subprocess.run([sys.executable, __file__, "--worker", str(n)],
                             capture_output=True, text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        k = r["zh"] / 1000
        print(f"{r['zh']:6} {r['en']:6} {r['load_s']:7.1f} {r['embed_s']:8.1f} "
              f"{r['search_s']:9.1f} {r['total_s']:8.1f} {r['peak_mb']:8.0f} "
              f"{r['strict_f1']:9.3f}  {r['embed_s'] / k:.1f} s, {r['search_s'] / k:.2f} s",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
