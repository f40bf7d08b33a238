from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from corpus.errors import EvaluateError
from corpus.evaluate import Direction, evaluate, format_evaluation, read_hypotheses
from corpus.model import AlignedPair

SACREBLEU = Path(sys.executable).with_name("sacrebleu")

# Our own sentences: (zh, en, alignment score, zh ids, en ids, article)
PAIRS = [
    AlignedPair("市长周二宣布了一项新的公园计划。",
                "The mayor announced a new park plan on Tuesday.", 0.91, (0,), (0,), "a"),
    AlignedPair("这个计划包括三座新桥。", "The plan includes three new bridges.",
                0.85, (1,), (1,), "a"),
    AlignedPair("", "This sentence was not translated.", 0.0, (), (2,), "a"),
    AlignedPair("工程将于明年开始。预计两年完工。",
                "Work will start next year and should take two years.", 0.62, (2, 3), (3,), "a"),
    AlignedPair("居民们对此表示欢迎。", "Residents welcomed the news.", 0.40, (0,), (0,), "b"),
    AlignedPair("一些人担心交通问题。", "Some worry about traffic.", 0.77, (1,), (1,), "b"),
]
# A made-up MT system's English for the Chinese side (empty for the 0-1 bead)
HYP_EN = [
    "On Tuesday the mayor announced a new plan for parks.",
    "The plan includes three new bridges.",
    "",
    "The work will begin next year. It is expected to finish in two years.",
    "The residents welcomed this.",
    "Some people worry about the traffic problem.",
]
# … and Chinese for the English side
HYP_ZH = [
    "市长在周二宣布了新的公园计划。",
    "该计划包括三座新的桥。",
    "这句话没有被翻译。",
    "工作将在明年开始，需要两年。",
    "居民欢迎这个消息。",
    "有些人担心交通。",
]


def cli_scores(ref: list[str], hyp: list[str], tmp_path: Path, *args: str) -> dict[str, dict]:
    """Corpus scores and signatures from sacrebleu's own command line."""
    (tmp_path / "ref.txt").write_text("\n".join(ref) + "\n", encoding="utf-8")
    (tmp_path / "hyp.txt").write_text("\n".join(hyp) + "\n", encoding="utf-8")
    out = subprocess.run(
        [str(SACREBLEU), str(tmp_path / "ref.txt"), "-i", str(tmp_path / "hyp.txt"),
         "-m", "bleu", "chrf", "ter", "-f", "json", "-w", "4", *args],
        capture_output=True, text=True, check=True,
    ).stdout
    return {d["name"].rstrip("2"): d for d in json.loads(out)}


def cli_sentence(ref: list[str], hyp: list[str], tmp_path: Path, *args: str) -> list[float]:
    (tmp_path / "ref.txt").write_text("\n".join(ref) + "\n", encoding="utf-8")
    (tmp_path / "hyp.txt").write_text("\n".join(hyp) + "\n", encoding="utf-8")
    out = subprocess.run(
        [str(SACREBLEU), str(tmp_path / "ref.txt"), "-i", str(tmp_path / "hyp.txt"),
         "-sl", "-w", "4", *args], capture_output=True, text=True, check=True,
    ).stdout
    return [float(m) for m in re.findall(r"^[^=]*= ([\d.]+)", out, re.M)]


SCORED = [0, 1, 3, 4, 5]  # the 0-1 bead has no Chinese, so nothing to score


@pytest.mark.parametrize(("direction", "hyps", "cli_args"), [
    ("zh-en", HYP_EN, ["-tok", "13a"]),
    ("en-zh", HYP_ZH, ["-tok", "zh", "--ter-asian-support", "--ter-normalized"]),
])
def test_corpus_scores_match_sacrebleu_cli(direction: str, hyps: list[str], cli_args: list[str],
                                           tmp_path: Path) -> None:
    ev = evaluate(PAIRS, hyps, direction)
    to_en = direction == "zh-en"
    refs = [PAIRS[i].en if to_en else PAIRS[i].zh for i in SCORED]
    cli = cli_scores(refs, [hyps[i] for i in SCORED], tmp_path, *cli_args)
    assert ev.corpus.n == 5
    assert ev.corpus.bleu == pytest.approx(cli["BLEU"]["score"], abs=1e-4)
    assert ev.corpus.chrf == pytest.approx(cli["chrF"]["score"], abs=1e-4)
    assert ev.corpus.ter == pytest.approx(cli["TER"]["score"], abs=1e-4)
    for name in ("BLEU", "chrF", "TER"):
        assert ev.signatures[name] == cli[name]["signature"]
    assert ev.skipped == {"one-sided": 1}
    assert [s.line for s in ev.segments] == SCORED


def test_chinese_target_uses_zh_tokenizer_and_asian_ter() -> None:
    ev = evaluate(PAIRS, HYP_ZH, Direction.EN_ZH)
    assert "tok:zh" in ev.signatures["BLEU"]
    assert "asian:yes" in ev.signatures["TER"] and "norm:yes" in ev.signatures["TER"]
    # without character tokenisation every non-identical Chinese sentence would be TER 100
    assert ev.corpus.ter < 80
    assert "tok:13a" in evaluate(PAIRS, HYP_EN).signatures["BLEU"]


def test_per_article_scores_match_cli_on_each_article(tmp_path: Path) -> None:
    ev = evaluate(PAIRS, HYP_EN, "zh-en")
    assert list(ev.articles) == ["a", "b"]
    for article, lines in (("a", [0, 1, 3]), ("b", [4, 5])):
        cli = cli_scores([PAIRS[i].en for i in lines], [HYP_EN[i] for i in lines],
                         tmp_path, "-tok", "13a")
        got = ev.articles[article]
        assert got.n == len(lines)
        assert got.bleu == pytest.approx(cli["BLEU"]["score"], abs=1e-4)
        assert got.chrf == pytest.approx(cli["chrF"]["score"], abs=1e-4)
        assert got.ter == pytest.approx(cli["TER"]["score"], abs=1e-4)


def test_segment_scores_match_cli_sentence_level(tmp_path: Path) -> None:
    ev = evaluate(PAIRS, HYP_ZH, "en-zh")
    refs, hyps = [s.reference for s in ev.segments], [s.hypothesis for s in ev.segments]
    chrf = cli_sentence(refs, hyps, tmp_path, "-m", "chrf")
    bleu = cli_sentence(refs, hyps, tmp_path, "-m", "bleu", "-tok", "zh")
    assert [s.scores.chrf for s in ev.segments] == pytest.approx(chrf, abs=1e-4)
    assert [s.scores.bleu for s in ev.segments] == pytest.approx(bleu, abs=1e-4)
    worst = ev.worst(2)
    assert [w.scores.chrf for w in worst] == pytest.approx(sorted(chrf)[:2], abs=1e-4)


def test_identical_output_scores_perfectly() -> None:
    ev = evaluate(PAIRS, [p.en for p in PAIRS], "zh-en")
    assert ev.corpus.bleu == pytest.approx(100.0)
    assert ev.corpus.chrf == pytest.approx(100.0)
    assert ev.corpus.ter == pytest.approx(0.0)


def test_line_count_mismatch_is_a_clear_error() -> None:
    with pytest.raises(EvaluateError, match=r"4 lines .* 6 pairs \(5 with text on both sides\)"):
        evaluate(PAIRS, HYP_EN[:4])


def test_hypotheses_for_two_sided_pairs_only_are_matched_to_them() -> None:
    five = [HYP_EN[i] for i in SCORED]
    ev = evaluate(PAIRS, five)
    assert ev.corpus == evaluate(PAIRS, HYP_EN).corpus
    assert [s.line for s in ev.segments] == SCORED


def test_filters_by_alignment_score_and_bead_type() -> None:
    ev = evaluate(PAIRS, HYP_EN, min_score=0.6)
    assert [s.line for s in ev.segments] == [0, 1, 3, 5]
    assert ev.skipped == {"one-sided": 1, "below min score": 1}
    ev = evaluate(PAIRS, HYP_EN, one_to_one=True)
    assert [s.line for s in ev.segments] == [0, 1, 4, 5]
    assert ev.skipped == {"one-sided": 1, "not 1-1": 1}
    with pytest.raises(EvaluateError, match="no pairs left"):
        evaluate(PAIRS, HYP_EN, min_score=0.99)


def test_unknown_direction_is_rejected() -> None:
    with pytest.raises(EvaluateError, match="zh-en or en-zh"):
        evaluate(PAIRS, HYP_EN, "zh-fr")


def test_json_and_text_output() -> None:
    ev = evaluate(PAIRS, HYP_EN, "zh-en")
    d = json.loads(json.dumps(ev.to_dict()))
    assert d["direction"] == "zh-en"
    assert d["corpus"]["n"] == 5 and len(d["segments"]) == 5
    assert set(d["articles"]) == {"a", "b"}
    assert d["segments"][0]["source"] == PAIRS[0].zh
    text = format_evaluation(ev, worst=2)
    assert ev.signatures["BLEU"] in text and "worst 2 segments" in text
    assert text.count("  hyp: ") == 2


def test_read_hypotheses_formats(tmp_path: Path) -> None:
    txt = tmp_path / "mt.txt"
    txt.write_text("one\r\ntwo\n\nfour\n", encoding="utf-8")
    assert read_hypotheses(txt) == ["one", "two", "", "four"]
    tsv = tmp_path / "mt.tsv"
    tsv.write_text("src\thyp\n源\tHello\n文\tWorld\n", encoding="utf-8")
    assert read_hypotheses(tsv, column="hyp") == ["Hello", "World"]
    assert read_hypotheses(tsv) == ["hyp", "Hello", "World"]  # no name: last field, no header
    assert read_hypotheses(tsv, column="1") == ["src", "源", "文"]
    jl = tmp_path / "mt.jsonl"
    jl.write_text('{"zh": "你好", "mt": "Hi"}\n{"zh": "再见", "mt": "Bye"}\n', encoding="utf-8")
    assert read_hypotheses(jl) == ["Hi", "Bye"]
    assert read_hypotheses(jl, column="zh") == ["你好", "再见"]


@pytest.mark.parametrize(("name", "content", "column", "match"), [
    ("a.tsv", "src\thyp\nx\ty\n", "mt", "no column 'mt'"),
    ("a.tsv", "x\ty\nz\n", "2", r"a.tsv:2: line has 1 fields"),
    ("a.jsonl", '{"out": "x"}\n', None, "no hypothesis under hypothesis or hyp"),
    ("a.jsonl", "not json\n", None, r"a.jsonl:1: not JSON"),
    ("a.txt", "x\n", "2", "only applies to .tsv or .jsonl"),
])
def test_read_hypotheses_errors(tmp_path: Path, name: str, content: str, column: str | None,
                                match: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(EvaluateError, match=match):
        read_hypotheses(path, column=column)


def test_read_hypotheses_splits_on_newlines_only(tmp_path: Path) -> None:
    # CRLF files read like LF ones; U+2028 and a lone CR inside a line are text, as in the
    # export readers (one line reader serves both)
    path = tmp_path / "mt.txt"
    path.write_bytes("one\u2028still one\r\ntwo\rtwo\n\nfour\n".encode())
    assert read_hypotheses(path) == ["one\u2028still one", "two\rtwo", "", "four"]


def test_read_hypotheses_missing_or_binary(tmp_path: Path) -> None:
    with pytest.raises(EvaluateError, match="cannot read"):
        read_hypotheses(tmp_path / "nope.txt")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(EvaluateError, match="not UTF-8"):
        read_hypotheses(bad)


def test_cli_evaluate_json_and_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from corpus.cli import main
    from corpus.export.jsonl import write_jsonl

    pairs = tmp_path / "pairs.jsonl"
    write_jsonl(PAIRS, pairs)
    hyp = tmp_path / "mt.txt"
    hyp.write_text("\n".join(HYP_EN) + "\n", encoding="utf-8")
    assert main(["evaluate", str(pairs), "--hyp", str(hyp), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    want = evaluate(PAIRS, HYP_EN)
    assert got["corpus"]["bleu"] == pytest.approx(want.corpus.bleu)
    assert got["signatures"] == want.signatures
    assert main(["evaluate", str(pairs), "--hyp", str(hyp), "--one-to-one", "--worst", "1"]) == 0
    out = capsys.readouterr().out
    assert "4 segments scored" in out and "worst 1 segments" in out
    hyp.write_text("only one line\n", encoding="utf-8")
    assert main(["evaluate", str(pairs), "--hyp", str(hyp)]) == 2
    assert "the MT output has 1 lines but the aligned input has 6 pairs" in capsys.readouterr().err
