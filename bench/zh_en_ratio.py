"""How many English characters a news translation has per Chinese character.

The fetcher refuses an English text shorter than ``min_length_ratio`` times the Chinese
body (corpus/config.py: a truncated page, a teaser). This script measures the ratio on the
parallel text at hand, so the bound is chosen from data, not guessed:

- the project's own bilingual fixtures (news-style articles written for the tests, each
  with its Chinese translation): ``tests/data/build/gold-*.json`` (paragraph pairs) and
  ``tests/data/fetch/dual.html`` (a bilingual page), per article and per paragraph;
- the news development set ``bench/newsdev`` (16 articles written for the project, whose
  Chinese editions leave out some background and add explanations, as real ones do);
- MAC-Dev (``../shared/bench/mac-dev``, literary chapters, Chinese originals with their
  published English translations), per chapter, as a check from real translators;
- the given seed (seeds/000_6c8018e4e619dbc1.txt): Chinese only; its English original
  cannot be fetched here, so it gives the Chinese side's make-up (how much of its length
  is Latin script, digits and punctuation), not a ratio.

Characters are counted as the fetcher counts them: ``len()`` of the paragraphs.

    .venv/bin/python bench/zh_en_ratio.py [--mac-dev ../shared/bench/mac-dev]
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

from corpus.extract import extract_dual
from corpus.seeds import read_seed_file

ROOT = Path(__file__).resolve().parent.parent


def _summary(name: str, ratios: list[float]) -> str:
    if not ratios:
        return f"{name}: no data"
    q = statistics.quantiles(ratios, n=20, method="inclusive") if len(ratios) >= 2 else ratios * 19
    return (f"{name}: n={len(ratios)} min {min(ratios):.2f}  p5 {q[0]:.2f}  "
            f"median {statistics.median(ratios):.2f}  p95 {q[-1]:.2f}  max {max(ratios):.2f}")


def project_fixtures() -> tuple[dict[str, float], list[float]]:
    """Per-article and per-paragraph en/zh ratios of the project's bilingual fixtures."""
    docs: dict[str, list[tuple[str, str]]] = {}
    for path in sorted((ROOT / "tests/data/build").glob("gold-*.json")):
        pairs = json.loads(path.read_text(encoding="utf-8"))
        docs[path.name] = [("".join(zh), " ".join(en)) for zh, en in pairs]
    for path in [ROOT / "tests/data/fetch/dual.html", *sorted(
            (ROOT / "tests/data/build/site").glob("*dual*.html"))]:
        page = extract_dual(path.read_text(encoding="utf-8"))
        docs[path.name] = [(p.zh, p.en) for p in page.pairs if p.zh and p.en]
    per_doc = {name: sum(len(e) for _, e in pairs) / sum(len(z) for z, _ in pairs)
               for name, pairs in docs.items()}
    per_para = [len(e) / len(z) for pairs in docs.values() for z, e in pairs if z and e]
    return per_doc, per_para


def newsdev() -> dict[str, float]:
    return mac_dev(ROOT / "bench/newsdev")  # the same layout: zh/NN.txt, en/NN.txt


def mac_dev(folder: Path) -> dict[str, float]:
    """Per document: English characters (sentences joined by spaces) per Chinese one."""
    out = {}
    for zh in sorted((folder / "zh").glob("*.txt")):
        en = folder / "en" / zh.name
        zlen = sum(len(s.strip()) for s in zh.read_text(encoding="utf-8").splitlines())
        elen = sum(len(s.strip()) + 1 for s in en.read_text(encoding="utf-8").splitlines())
        out[zh.name] = elen / zlen
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mac-dev", type=Path, default=ROOT.parent / "shared/bench/mac-dev")
    args = ap.parse_args()
    per_doc, per_para = project_fixtures()
    for name, r in per_doc.items():
        print(f"  {name:28s} {r:.2f}")
    print(_summary("project fixtures, per article", list(per_doc.values())))
    print(_summary("project fixtures, per paragraph", per_para))
    nd = newsdev()
    print(_summary("newsdev (news, written for the project), per article", list(nd.values())))
    if args.mac_dev.is_dir():
        md = mac_dev(args.mac_dev)
        for name, r in md.items():
            print(f"  mac-dev {name:20s} {r:.2f}")
        print(_summary("MAC-Dev (literary), per chapter", list(md.values())))
    seed = read_seed_file(ROOT / "seeds/000_6c8018e4e619dbc1.txt")
    text = "".join(seed.paragraphs)
    latin = sum(c.isascii() for c in text)
    print(f"given seed: {len(seed.paragraphs)} paragraphs, {len(text)} characters, "
          f"{latin} ({latin / len(text):.1%}) ASCII (Latin names, digits)")


if __name__ == "__main__":
    main()
