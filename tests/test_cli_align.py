"""Tests for the `corpus align-sents`, `corpus align` and `corpus score` commands."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from corpus.cli import main
from corpus.cli.align import _read_paragraphs
from corpus.errors import CorpusError
from corpus.export.tsv import COLUMNS
from corpus.model import Lang
from corpus.score import parse_beads

KEYED_DIM = 64


class KeyedEncoder:
    """Encode a sentence by the numbers it contains: same numbers, same vector.

    Lets the CLI tests know the right alignment without a neural model: a sentence and
    its translation share their numbers, and a sentence with two numbers matches the
    pair of sentences holding one each. Sentences without numbers get a text hash.
    """

    name = "test-keyed"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), KEYED_DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            keys = [int(n) % 32 for n in re.findall(r"\d+", text)]
            if keys:
                out[row, keys] = 1.0
            else:
                seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
                out[row, 32:] = np.random.default_rng(seed).standard_normal(32)
        return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.fixture
def keyed(monkeypatch):
    """Make every command use the KeyedEncoder, whatever --model says; record the names."""
    embed = pytest.importorskip("corpus.embed")
    pytest.importorskip("corpus.align")
    asked: list[str] = []

    def load(name: str = "use", **kw: object) -> KeyedEncoder:
        asked.append(name)
        return KeyedEncoder()

    monkeypatch.setattr(embed, "load_encoder", load)
    return asked


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _lines(*xs: str) -> str:
    return "".join(x + "\n" for x in xs)


ZH = ["第1天，市场开门了。", "第2位顾客买了苹果。", "第3个摊位卖鱼，第4个摊位卖花。",
      "第5次下雨时，大家回家了。"]
EN = ["On day 1 the market opened.", "Customer 2 bought apples.", "Stall 3 sold fish.",
      "Stall 4 sold flowers.", "When it rained for the 5th time, everyone went home."]


def _check_partition(beads, n_zh: int, n_en: int) -> None:
    """Every sentence of both sides in exactly one bead, in order."""
    assert [i for b in beads for i in b.zh] == list(range(n_zh))
    assert [j for b in beads for j in b.en] == list(range(n_en))


# --------------------------------------------------------------------------- align-sents


def test_align_sents_writes_beads_to_stdout(tmp_path, capsys, keyed):
    zh = _write(tmp_path / "zh.txt", _lines(*ZH))
    en = _write(tmp_path / "en.txt", _lines(*EN))
    assert main(["align-sents", str(zh), str(en)]) == 0
    out = capsys.readouterr().out
    beads = parse_beads(out)
    _check_partition(beads, len(ZH), len(EN))
    assert [str(b) for b in beads] == ["[0]:[0]", "[1]:[1]", "[2]:[2,3]", "[3]:[4]"]
    assert keyed == ["use"]


def test_align_sents_tsv_scores_and_output_file(tmp_path, keyed):
    zh = _write(tmp_path / "zh.txt", _lines(*ZH))
    en = _write(tmp_path / "en.txt", _lines(*EN))
    out = tmp_path / "out" / "pairs.tsv"
    assert main(["align-sents", str(zh), str(en), "--tsv", "-o", str(out),
                 "--model", "labse"]) == 0
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    assert all(len(r) == len(COLUMNS) for r in rows)  # the export TSV, which convert, report
    # and evaluate read
    assert rows[2][:6] == [ZH[2], f"{EN[2]} {EN[3]}", rows[2][2], "1-2", "2", "2,3"]
    assert all(-1.0 <= float(r[2]) <= 1e6 for r in rows)
    assert keyed == ["labse"]
    # no temp file left; the sidecar says what produced the pairs
    assert sorted(p.name for p in out.parent.iterdir()) == ["pairs.tsv", "pairs.tsv.meta.json"]
    meta = json.loads((out.parent / "pairs.tsv.meta.json").read_text(encoding="utf-8"))
    assert meta["encoder"] == "test-keyed" and meta["aligner"]["max_align"] == 6

    beads_out = tmp_path / "b.align"
    assert main(["align-sents", str(zh), str(en), "--scores", "-o", str(beads_out)]) == 0
    text = beads_out.read_text(encoding="utf-8")
    assert re.fullmatch(r"(\[[\d,]*\]:\[[\d,]*\]:-?\d+\.\d{4}\n)+", text)


def test_align_sents_output_scores_perfectly_through_score(tmp_path, capsys, keyed):
    zh = _write(tmp_path / "zh.txt", _lines(*ZH))
    en = _write(tmp_path / "en.txt", _lines(*EN))
    gold = _write(tmp_path / "gold.align", "[0]:[0]\n[1]:[1]\n[2]:[2, 3]\n[3]:[4]\n")
    test = tmp_path / "test.align"
    assert main(["align-sents", str(zh), str(en), "-o", str(test)]) == 0
    capsys.readouterr()
    assert main(["score", str(gold), str(test), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["strict"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}


def test_align_sents_missing_file_exits_2(tmp_path, capsys):
    en = _write(tmp_path / "en.txt", _lines(*EN))
    assert main(["align-sents", str(tmp_path / "nope.txt"), str(en)]) == 2
    assert "nope.txt" in capsys.readouterr().err


# --------------------------------------------------------------------------- align (documents)


def test_align_text_documents_with_paragraphs(tmp_path, capsys, keyed):
    pytest.importorskip("corpus.segment")
    zh = _write(tmp_path / "zh.txt", f"{ZH[0]}{ZH[1]}\n\n{ZH[2]}\n{ZH[3]}\n")
    en = _write(tmp_path / "en.txt", f"{EN[0]} {EN[1]}\n\n{EN[2]} {EN[3]}\n{EN[4]}\n")
    sents = tmp_path / "sents"
    assert main(["align", str(zh), str(en), "--sentences", str(sents)]) == 0
    zh_sents = (sents / "zh.txt").read_text(encoding="utf-8").splitlines()
    en_sents = (sents / "en.txt").read_text(encoding="utf-8").splitlines()
    assert zh_sents == ZH
    assert en_sents == EN
    beads = parse_beads(capsys.readouterr().out)
    _check_partition(beads, len(ZH), len(EN))
    assert [str(b) for b in beads] == ["[0]:[0]", "[1]:[1]", "[2]:[2,3]", "[3]:[4]"]


def test_align_html_documents(tmp_path, keyed):
    pytest.importorskip("corpus.segment")
    zh = _write(tmp_path / "zh.html", "<html><body>" + "".join(f"<p>{s}</p>" for s in ZH)
                + "</body></html>")
    en = _write(tmp_path / "en.htm", "<html><body><p>" + "</p><p>".join(EN)
                + "</p></body></html>")
    out = tmp_path / "out.tsv"
    assert main(["align", str(zh), str(en), "--tsv", "-o", str(out)]) == 0
    rows = [line.split("\t") for line in out.read_text(encoding="utf-8").splitlines()]
    assert "".join(r[0] for r in rows) == "".join(ZH)
    assert " ".join(r[1] for r in rows if r[1]) == " ".join(EN)


def test_read_paragraphs_text_rules(tmp_path):
    # Blank lines separate paragraphs; lines inside one are joined (bare in Chinese).
    p = _write(tmp_path / "a.txt", "\ufeff第一行\n接着\n\n\n第二段\n")
    assert _read_paragraphs(p, Lang.ZH) == ["第一行接着", "第二段"]
    p = _write(tmp_path / "b.txt", "First line\ngoes on.\n\nSecond.\n")
    assert _read_paragraphs(p, Lang.EN) == ["First line goes on.", "Second."]
    # Without blank lines, each line is a paragraph.
    p = _write(tmp_path / "c.txt", "One.\n  Two.  \nThree.")
    assert _read_paragraphs(p, Lang.EN) == ["One.", "Two.", "Three."]
    assert _read_paragraphs(_write(tmp_path / "d.txt", "\n\n"), Lang.EN) == []


def test_read_paragraphs_html_reads_p_elements(tmp_path):
    # Whatever corpus.extract does with a page this small, the <p> texts come back.
    p = _write(tmp_path / "a.html", "<!DOCTYPE html><html><body><p>One\n  two.</p>"
               "<div>skip</div><p> </p><p>Three.</p></body></html>")
    paras = _read_paragraphs(p, Lang.EN)
    assert [" ".join(x.split()) for x in paras] == ["One two.", "Three."]


def test_read_paragraphs_rejects_non_utf8(tmp_path):
    p = tmp_path / "gbk.txt"
    p.write_bytes("中文".encode("gbk"))
    with pytest.raises(CorpusError, match="not UTF-8"):
        _read_paragraphs(p, Lang.ZH)


# --------------------------------------------------------------------------- score


def test_score_prints_a_table(tmp_path, capsys):
    gold = _write(tmp_path / "g.align", "[0]:[0]\n[1]:[1,2]\n[2]:[]\n[]:[3]\n[3]:[4]\n")
    test = _write(tmp_path / "t.align", "[0]:[0]\n[1]:[1]\n[]:[2]\n[2]:[]\n[3]:[3, 4]\n")
    assert main(["score", str(gold), str(test)]) == 0
    out = capsys.readouterr().out
    # The hand-worked case of tests/test_score.py: P 2/5 and 4/5, R 1/3 and 1, F1 4/11, 8/9.
    assert re.search(r"precision\s+0\.400\s+0\.800", out)
    assert re.search(r"recall\s+0\.333\s+1\.000", out)
    assert re.search(r"f1\s+0\.364\s+0\.889", out)


def test_score_folders_json(tmp_path, capsys):
    _write(tmp_path / "gold" / "a.align", "[0]:[0]\n[1]:[1]\n")
    _write(tmp_path / "gold" / "b.align", "[0,1]:[0]\n")
    _write(tmp_path / "test" / "a.align", "[0]:[0]\n[1]:[1]\n")
    _write(tmp_path / "test" / "b.align", "[0]:[0]\n[1]:[]\n")
    assert main(["score", str(tmp_path / "gold"), str(tmp_path / "test"), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["documents"] == 2
    # Precision: 2 strict hits of 4 test beads; recall: 2 of 3 gold beads.
    assert got["strict"]["precision"] == pytest.approx(0.5)
    assert got["strict"]["recall"] == pytest.approx(2 / 3)
    assert got["counts"]["precision"] == {"strict_hits": 2, "strict_misses": 2,
                                          "lax_hits": 3, "lax_misses": 1}


def test_score_bad_input_exits_2_with_the_line(tmp_path, capsys):
    gold = _write(tmp_path / "g.align", "[0]:[0]\n")
    test = _write(tmp_path / "t.align", "[0]:[0]\n0-1\n")
    assert main(["score", str(gold), str(test)]) == 2
    assert "t.align:2: not a bead line" in capsys.readouterr().err


# --------------------------------------------------------------------------- the real encoder


@pytest.mark.slow
def test_align_sents_with_the_default_encoder(tmp_path, capsys):
    pytest.importorskip("corpus.align")
    pytest.importorskip("corpus.embed")
    zh = ["我的猫喜欢在阳光下睡觉。", "昨天下午，我们在公园里踢足球。",
          "这本书讲的是一位年轻医生的故事。", "火车晚点了两个小时。", "她把钥匙忘在办公室了。"]
    en = ["My cat likes to sleep in the sun.",
          "Yesterday afternoon we played football in the park.",
          "This book tells the story of a young doctor.", "The train was two hours late.",
          "She left her keys at the office."]
    zp = _write(tmp_path / "zh.txt", _lines(*zh))
    ep = _write(tmp_path / "en.txt", _lines(*en))
    assert main(["align-sents", str(zp), str(ep)]) == 0
    beads = parse_beads(capsys.readouterr().out)
    assert [str(b) for b in beads] == [f"[{i}]:[{i}]" for i in range(5)]


# --------------------------------------------------------------------------- formats, pipes


@pytest.mark.parametrize("fmt", ["tsv", "jsonl", "tmx"])
def test_align_writes_an_export_that_convert_report_and_evaluate_read(tmp_path, capsys, keyed,
                                                                      fmt):
    pytest.importorskip("corpus.segment")
    zh = _write(tmp_path / "zh.txt", f"{ZH[0]}{ZH[1]}\n\n{ZH[2]}\n{ZH[3]}\n")
    en = _write(tmp_path / "en.txt", f"{EN[0]} {EN[1]}\n\n{EN[2]} {EN[3]}\n{EN[4]}\n")
    out = tmp_path / f"doc.{fmt}"
    assert main(["align", str(zh), str(en), "--format", fmt, "-o", str(out),
                 "--article-id", "doc-1"]) == 0
    assert main(["convert", str(out), str(tmp_path / "back.jsonl")]) == 0
    back = [json.loads(line) for line in
            (tmp_path / "back.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(b["zh_ids"], b["en_ids"], b["article_id"]) for b in back] == [
        ([0], [0], "doc-1"), ([1], [1], "doc-1"), ([2], [2, 3], "doc-1"), ([3], [4], "doc-1")]
    assert all(b["score"] is not None for b in back)  # scores and bead types survive
    assert main(["report", str(out), "-o", str(tmp_path / "rep")]) == 0
    assert (tmp_path / "rep" / "articles" / "doc-1.html").is_file()
    hyp = _write(tmp_path / "mt.en", _lines(EN[0], EN[1], f"{EN[2]} {EN[3]}", EN[4]))
    capsys.readouterr()
    assert main(["evaluate", str(out), "--hyp", str(hyp), "--json"]) == 0
    ev = json.loads(capsys.readouterr().out)
    assert ev["corpus"]["n"] == 4 and ev["corpus"]["chrf"] == pytest.approx(100.0)
    assert set(ev["articles"]) == {"doc-1"}


def test_align_format_comes_from_the_output_name(tmp_path, keyed):
    zh = _write(tmp_path / "zh.txt", _lines(*ZH))
    en = _write(tmp_path / "en.txt", _lines(*EN))
    assert main(["align-sents", str(zh), str(en), "-o", str(tmp_path / "a.tmx")]) == 0
    assert (tmp_path / "a.tmx").read_text(encoding="utf-8").startswith("<?xml")
    assert main(["align-sents", str(zh), str(en), "--tsv", "--format", "jsonl"]) == 2


def test_dash_reads_stdin_and_writes_stdout(tmp_path, capsys, keyed, monkeypatch):
    import io

    en = _write(tmp_path / "en.txt", _lines(*EN))
    stdin = io.TextIOWrapper(io.BytesIO(_lines(*ZH).encode()), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    assert main(["align-sents", "-", str(en), "--format", "jsonl", "-o", "-"]) == 0
    printed = capsys.readouterr().out
    assert not (Path.cwd() / "-").exists()
    assert [json.loads(line)["en_ids"] for line in printed.splitlines()] == [[0], [1], [2, 3],
                                                                            [4]]
    # and convert reads it back from a pipe, writing TMX to standard output
    stdin = io.TextIOWrapper(io.BytesIO(printed.encode()), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    assert main(["-q", "convert", "-", "-", "--to", "tmx"]) == 0
    tmx = capsys.readouterr().out
    assert tmx.startswith("<?xml") and tmx.count("<tu ") == 4
    assert not (Path.cwd() / "-").exists() and not list(tmp_path.glob("*.meta.json"))


def test_evaluate_reads_the_hypotheses_from_stdin(tmp_path, capsys, monkeypatch):
    import io

    pairs = _write(tmp_path / "pairs.tsv", "".join(f"{z}\t{e}\n" for z, e in zip(ZH, EN[:4],
                                                                                  strict=True)))
    stdin = io.TextIOWrapper(io.BytesIO(_lines(*EN[:4]).encode()), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", stdin)
    assert main(["evaluate", str(pairs), "--hyp", "-", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["corpus"]["n"] == 4
