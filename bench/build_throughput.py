"""Throughput of `corpus build` on a batch of generated articles, served on 127.0.0.1.

Generates N seed documents and their English pages from bilingual sentence templates
(written for this benchmark; every sentence unique through its slot values, so no cache
inside the encoder flatters the numbers), serves the pages from a local HTTP server,
runs the real pipeline (fetch through the cache-less path, extract, segment, align,
export, merge, report) and prints articles per minute, sentences per second and the
time per stage from the manifest.

    .venv/bin/python bench/build_throughput.py --articles 200
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from corpus.config import BuildConfig, FetchConfig
from corpus.pipeline import build
from tests.httpserver import serve

CITIES = [("北京", "Beijing"), ("上海", "Shanghai"), ("广州", "Guangzhou"), ("成都", "Chengdu"),
          ("武汉", "Wuhan"), ("西安", "Xi'an"), ("南京", "Nanjing"), ("杭州", "Hangzhou"),
          ("重庆", "Chongqing"), ("天津", "Tianjin"), ("苏州", "Suzhou"), ("长沙", "Changsha")]
PEOPLE = [("张伟", "Zhang Wei"), ("王芳", "Wang Fang"), ("李强", "Li Qiang"), ("刘洋", "Liu Yang"),
          ("陈静", "Chen Jing"), ("杨磊", "Yang Lei"), ("赵敏", "Zhao Min"), ("黄勇", "Huang Yong")]
THINGS = [("电动汽车", "electric cars"), ("太阳能电池板", "solar panels"), ("大豆", "soybeans"),
          ("芯片", "computer chips"), ("钢铁", "steel"), ("稀土", "rare earths"),
          ("智能手机", "smartphones"), ("药品", "medicines")]
# (Chinese, English) templates; {n} numbers, {c} city, {p} person, {t} thing, {y} year.
TEMPLATES = [
    ("{y}年，{c}的{t}出口增长了{n}%。", "In {y}, exports of {t} from {c} grew {n} percent."),
    ("{p}说，公司计划在{c}再建一座工厂。", "{p} said the company planned to build another factory in {c}."),
    ("这项政策将影响大约{n}万名工人。", "The policy will affect about {n}0,000 workers."),
    ("官员们拒绝就此事发表评论。", "Officials declined to comment on the matter, {p} noted."),
    ("“我们别无选择，”{p}在{c}接受采访时说。", "\"We have no choice,\" {p} said in an interview in {c}."),
    ("分析人士预计，{t}的价格明年还会上涨{n}%。",
     "Analysts expect the price of {t} to rise another {n} percent next year."),
    ("{c}市政府在{y}年投入了{n}亿元用于基础设施建设。",
     "The {c} city government spent {n}00 million yuan on infrastructure in {y}."),
    ("去年，该行业的就业人数减少了{n}%。", "Last year, employment in the industry fell by {n} percent."),
    ("{p}曾在{c}的一家{t}工厂工作了{n}年。", "{p} worked at a {t} factory in {c} for {n} years."),
    ("许多居民担心空气污染会进一步恶化。", "Many residents in {c} worry that air pollution will get worse."),
    ("北京方面表示，将对从{c}进口的{t}加征{n}%的关税。",
     "Beijing said it would impose tariffs of {n} percent on {t} imported through {c}."),
    ("这家公司的股价在{y}年下跌了近{n}%。", "The company's shares fell nearly {n} percent in {y}."),
]


def _fill(rng: random.Random, k: int) -> tuple[str, str]:
    zh_t, en_t = TEMPLATES[k]
    c, p, t = rng.choice(CITIES), rng.choice(PEOPLE), rng.choice(THINGS)
    n, y = str(rng.randint(2, 97)), str(rng.randint(1990, 2024))
    fill_zh = {"c": c[0], "p": p[0], "t": t[0], "n": n, "y": y}
    fill_en = {"c": c[1], "p": p[1], "t": t[1], "n": n, "y": y}
    return zh_t.format(**fill_zh), en_t.format(**fill_en)


def make_article(rng: random.Random, i: int, base: str) -> tuple[str, str, str]:
    """Return (seed text, English page HTML, English URL path) for article ``i``."""
    zh_paras, en_paras = [], []
    for _ in range(rng.randint(8, 20)):
        pairs = [_fill(rng, rng.randrange(len(TEMPLATES))) for _ in range(rng.randint(1, 3))]
        zh_paras.append("".join(z for z, _ in pairs))
        en_paras.append(" ".join(e for _, e in pairs))
    if rng.random() < 0.5:  # the translation dropped a paragraph
        del zh_paras[rng.randrange(len(zh_paras))]
    slug = f"story-{i:05d}"
    path = f"/2024/05/{1 + i % 28:02d}/world/{slug}.html"
    body = "".join(f"<p>{p}</p>" for p in zh_paras)
    seed = (f"<!--1716000000000-->\n[第{i}篇报道](https://cn.nytimes.com/world/20240520/{slug}/)\n"
            f"------\n<address>记者</address><time pudate=\"2024-05-20 08:00:00\"></time>"
            f"<section>{body}</section><footer><p>翻译：纽约时报中文网</p>"
            f"<p><a href=\"{base}{path}\">点击查看本文英文版。</a></p></footer>\n")
    en_body = "".join(f"<p>{p}</p>" for p in en_paras)
    page = (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Story {i}"
            f"</title></head><body><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav>"
            f"<article><h1>Story {i}</h1><p class=\"byline\">By A Reporter</p>"
            f"<section name=\"articleBody\">{en_body}</section></article>"
            f"<footer>© 2024 The Publisher</footer></body></html>")
    return seed, page, path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        seeds = tmpdir / "seeds"
        seeds.mkdir()
        for server in serve():
            for i in range(args.articles):
                seed, page, path = make_article(rng, i, server.base)
                (seeds / f"{i:05d}.txt").write_text(seed, encoding="utf-8")
                server.route(path, body=page)
            fetch = FetchConfig(cache_dir=str(tmpdir / "cache"), allow_private=True, rate=0,
                                workers=args.jobs, retries=0)
            config = BuildConfig(outdir=str(tmpdir / "aligned"), fetch=fetch)
            t0 = time.perf_counter()
            result = build([seeds], config)
            wall = time.perf_counter() - t0
        manifest = json.loads((tmpdir / "aligned" / "manifest.json").read_text(encoding="utf-8"))
    recs = [r for r in manifest["articles"] if r["status"] == "done"]
    sents = sum(r["counts"]["zh_sentences"] + r["counts"]["en_sentences"] for r in recs)
    per_article = [sum(r["seconds"].get(k, 0) for k in ("segment", "align", "export"))
                   for r in recs]
    print(f"articles: {len(recs)} done of {args.articles} in {wall:.1f} s wall")
    print(f"throughput: {len(recs) / wall * 60:.0f} articles/min, {sents / wall:.0f} sentences/s "
          f"({sents} sentences, both sides)")
    print(f"median per article (segment+align+export): {statistics.median(per_article)*1000:.0f} ms")
    print("time per stage (s): " + ", ".join(f"{k} {v:.1f}" for k, v in result.seconds.items()))


if __name__ == "__main__":
    main()
