"""The news development set: read its source files, write the sentence and gold files.

``bench/newsdev/src/NN.txt`` is the only hand-written form. Each line is one gold bead,
``ZH || EN``, the sentences of a side separated by `` | `` and ``-`` for an empty side;
``¶`` starts a new paragraph on both sides (``¶zh`` / ``¶en``: on one side only); lines
starting with ``#`` are comments. From it this script writes, in ``bench/newsdev/``:
``zh/NN.txt`` and ``en/NN.txt`` (one sentence per line), ``zh/NN.para`` and
``en/NN.para`` (the paragraph index of each sentence, one per line) and
``gold/NN.align`` (``[zh ids]:[en ids]``), the layout of MAC-Dev, so that
``bench/align_quality.py bench/newsdev`` and ``corpus score`` read it as they read that.

    .venv/bin/python bench/newsdev.py          # rewrite the derived files
    .venv/bin/python bench/newsdev.py --check  # fail if they are out of date

Articles 01-12 are the development part (tuning), 13-16 are held apart (checking only).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent / "newsdev"
DEV = tuple(f"{i:02d}" for i in range(1, 13))
HELD_OUT = tuple(f"{i:02d}" for i in range(13, 17))


@dataclass(frozen=True, slots=True)
class NewsDoc:
    """One article of the set: sentences, paragraph ids and gold beads."""

    name: str
    zh: tuple[str, ...]
    en: tuple[str, ...]
    zh_paras: tuple[int, ...]
    en_paras: tuple[int, ...]
    gold: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]
    # the paragraph pair (¶ block) of each sentence, as a bilingual page would give it
    zh_blocks: tuple[int, ...] = ()
    en_blocks: tuple[int, ...] = ()


def parse(text: str, name: str = "") -> NewsDoc:
    """Parse one source file (format in the module docstring)."""
    zh: list[str] = []
    en: list[str] = []
    zp: list[int] = []
    ep: list[int] = []
    gold = []
    blocks: dict[str, list[int]] = {"zh": [], "en": []}
    block = 0
    para = {"zh": 0, "en": 0}
    used = {"zh": False, "en": False}  # the current paragraph has a sentence
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("¶"):
            sides = [line[1:].strip()] if line[1:].strip() else ["zh", "en"]
            block += 1
            for side in sides:
                if side not in para:
                    raise ValueError(f"{name}:{lineno}: unknown side {side!r}")
                if used[side]:
                    para[side] += 1
                    used[side] = False
            continue
        if line.count(" || ") != 1:
            raise ValueError(f"{name}:{lineno}: expected one ' || ' in {line!r}")
        left, right = line.split(" || ")
        bead = []
        for side, part, sents, paras in (("zh", left, zh, zp), ("en", right, en, ep)):
            ids = []
            if part.strip() != "-":
                for s in part.split(" | "):
                    if not s.strip():
                        raise ValueError(f"{name}:{lineno}: empty sentence")
                    ids.append(len(sents))
                    sents.append(s.strip())
                    paras.append(para[side])
                    blocks[side].append(block)
                    used[side] = True
            bead.append(tuple(ids))
        if not bead[0] and not bead[1]:
            raise ValueError(f"{name}:{lineno}: a bead with both sides empty")
        gold.append((bead[0], bead[1]))
    return NewsDoc(name, tuple(zh), tuple(en), tuple(zp), tuple(ep), tuple(gold),
                   tuple(blocks["zh"]), tuple(blocks["en"]))


def gold_beads(doc: NewsDoc) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """The gold beads as scorers expect them: an unmatched run is one bead per sentence."""
    out: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    for z, e in doc.gold:
        if z and e:
            out.append((z, e))
        else:
            out.extend(((i,), ()) for i in z)
            out.extend(((), (j,)) for j in e)
    return out


def load(name: str, root: Path = ROOT) -> NewsDoc:
    return parse((root / "src" / f"{name}.txt").read_text(encoding="utf-8"), name)


def names(root: Path = ROOT) -> list[str]:
    return sorted(p.stem for p in (root / "src").glob("*.txt"))


def derived(doc: NewsDoc) -> dict[str, str]:
    """The derived files of one article: relative path -> text."""
    def lines(xs: object) -> str:
        return "".join(f"{x}\n" for x in xs)  # type: ignore[attr-defined]

    def ids(xs: tuple[int, ...]) -> str:
        return ",".join(map(str, xs))

    return {
        f"zh/{doc.name}.txt": lines(doc.zh),
        f"en/{doc.name}.txt": lines(doc.en),
        f"zh/{doc.name}.para": lines(doc.zh_paras),
        f"en/{doc.name}.para": lines(doc.en_paras),
        f"gold/{doc.name}.align": lines(f"[{ids(z)}]:[{ids(e)}]" for z, e in gold_beads(doc)),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="fail if derived files are stale")
    args = ap.parse_args(argv)
    stale = []
    counts = {"zh": 0, "en": 0, "beads": 0}
    kinds: dict[str, int] = {}
    for name in names():
        doc = load(name)
        counts["zh"] += len(doc.zh)
        counts["en"] += len(doc.en)
        counts["beads"] += len(doc.gold)
        for z, e in gold_beads(doc):
            k = f"{len(z)}-{len(e)}"
            kinds[k] = kinds.get(k, 0) + 1
        for rel, text in derived(doc).items():
            path = ROOT / rel
            if path.exists() and path.read_text(encoding="utf-8") == text:
                continue
            stale.append(rel)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    print(f"{len(names())} articles, {counts['zh']} zh / {counts['en']} en sentences, "
          f"{counts['beads']} beads: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    if args.check and stale:
        print("out of date: " + " ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
