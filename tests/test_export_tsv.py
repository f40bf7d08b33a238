"""TSV export: zh<TAB>en first, documented columns, no tab or newline inside a field."""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.errors import ExportError
from corpus.export.common import tsv_field
from corpus.export.tsv import COLUMNS, read_tsv, write_tsv
from corpus.model import AlignedPair
from tests.exportdata import make_doc, one_bead_doc


def test_columns_and_rows(tmp_path: Path) -> None:
    out = tmp_path / "a.tsv"
    assert write_tsv([make_doc("art")], out) == 5
    lines = out.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "" and len(lines) == 6  # newline-terminated, no header
    assert lines[0].split("\t") == [
        "周二，市议会以七票对两票通过了新的公园预算。",
        "On Tuesday, the city council approved the new parks budget by a vote of 7 to 2.",
        "0.9100", "1-1", "0", "0", "art", ""]
    assert lines[4].split("\t") == ["（翻译：李文）", "", "0.0000", "1-0", "4", "", "art", ""]


def test_confidence_column_round_trip_and_older_files(tmp_path: Path) -> None:
    out = tmp_path / "a.tsv"
    pair = AlignedPair(zh="你好。", en="Hello.", score=0.8, zh_ids=(0,), en_ids=(0,),
                       article_id="art", confidence=0.9312)
    write_tsv([pair], out)
    assert out.read_text(encoding="utf-8").split("\t")[-1] == "0.9312\n"
    assert read_tsv(out)[0].confidence == pytest.approx(0.9312)
    # a file written before the column existed: seven fields, confidence not known
    out.write_text("你好。\tHello.\t0.8000\t1-1\t0\t0\tart\n", encoding="utf-8")
    assert read_tsv(out)[0].confidence is None


def test_cut_gives_plain_pairs(tmp_path: Path) -> None:
    out = tmp_path / "a.tsv"
    write_tsv([make_doc()], out)
    cut = subprocess.run(["cut", "-f1,2", str(out)], capture_output=True, check=True)
    first = cut.stdout.decode().split("\n")[0]
    assert first == ("周二，市议会以七票对两票通过了新的公园预算。\tOn Tuesday, the city council "
                     "approved the new parks budget by a vote of 7 to 2.")


def test_header_on_request_and_read_back(tmp_path: Path) -> None:
    out = tmp_path / "a.tsv"
    doc = make_doc()
    write_tsv([doc], out, header=True)
    assert out.read_text(encoding="utf-8").split("\n")[0] == "\t".join(COLUMNS)
    assert COLUMNS[:2] == ("zh", "en")
    pairs = read_tsv(out)
    assert [(p.zh, p.en, p.zh_ids, p.en_ids, p.article_id) for p in pairs] == [
        (p.zh, p.en, p.zh_ids, p.en_ids, p.article_id) for p in doc.pairs()]
    assert [p.score for p in pairs] == pytest.approx([b.score for b in doc.alignment.beads])


@pytest.mark.parametrize(("raw", "field"), [
    ("a\tb", "a b"),
    ("a\r\nb", "a b"),
    ("a\n\n\tb", "a b"),
    ("line\u2028sep\u2029para\x85nel\x0bvt\x0cff\x1cfs", "line sep para nel vt ff fs"),
    ("  padded  ", "padded"),
    ("keep  double", "keep  double"),
])
def test_field_normalisation(raw: str, field: str) -> None:
    assert tsv_field(raw) == field


def test_multiline_text_stays_on_one_line(tmp_path: Path) -> None:
    out = tmp_path / "a.tsv"
    write_tsv([one_bead_doc("第一行\n第二行\t第三", "one\r\ntwo\tthree")], out)
    assert out.read_text(encoding="utf-8").count("\n") == 1
    (pair,) = read_tsv(out)
    assert (pair.zh, pair.en) == ("第一行 第二行 第三", "one two three")


def test_missing_score_is_empty_field(tmp_path: Path) -> None:
    out = tmp_path / "a.tsv"
    write_tsv([AlignedPair("中", "en", math.nan, (0,), (0,))], out)
    assert out.read_text(encoding="utf-8").split("\t")[2] == ""
    assert math.isnan(read_tsv(out)[0].score)


def test_reads_plain_two_column_file(tmp_path: Path) -> None:
    path = tmp_path / "plain.tsv"
    path.write_text("你好\tHello\r\n再见\tBye\n仅中文\t\n", encoding="utf-8")
    pairs = read_tsv(path)
    assert [(p.zh, p.en, p.zh_ids, p.en_ids) for p in pairs] == [
        ("你好", "Hello", (0,), (0,)), ("再见", "Bye", (1,), (1,)), ("仅中文", "", (2,), ())]


def test_reads_the_three_column_file_align_tsv_used_to_write(tmp_path: Path) -> None:
    path = tmp_path / "old.tsv"
    path.write_text("你好\tHello\t0.7512\n\tBye\t0.0000\n", encoding="utf-8")
    pairs = read_tsv(path)
    assert [(p.zh, p.en, p.score, p.zh_ids, p.en_ids) for p in pairs] == [
        ("你好", "Hello", 0.7512, (0,), (0,)), ("", "Bye", 0.0, (), (1,))]


@pytest.mark.parametrize(("content", "message"), [
    ("a\tb\tc\n", r"bad\.tsv:1: score 'c'"),
    ("a\tb\t0.5\tx\n", r"bad\.tsv:1: 4 tab-separated fields"),
    ("中\ten\tx\t1-1\t0\t0\ta\n", r"bad\.tsv:1: score 'x'"),
    ("中\ten\t0.5\t1-1\tz\t0\ta\n", r"bad\.tsv:1: sentence ids 'z'"),
])
def test_malformed_lines_name_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ExportError, match=message):
        read_tsv(path)


def test_not_utf8_is_an_export_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.tsv"
    path.write_bytes("café\tcafé\n".encode("latin-1"))
    with pytest.raises(ExportError, match="not UTF-8"):
        read_tsv(path)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(zh=st.text(), en=st.text(), score=st.floats(0, 1),
       article=st.text(st.characters(exclude_categories=["Cs"]), max_size=20))
def test_any_text_round_trips(tmp_path: Path, zh: str, en: str, score: float,
                              article: str) -> None:
    out = tmp_path / "p.tsv"
    write_tsv([AlignedPair(zh, en, score, (3, 4), (), article)], out)
    (pair,) = read_tsv(out)
    assert (pair.zh, pair.en, pair.article_id) == (tsv_field(zh), tsv_field(en),
                                                   tsv_field(article))
    assert pair.score == pytest.approx(score, abs=5e-5)
    assert (pair.zh_ids, pair.en_ids) == ((3, 4), ())
    assert out.read_text(encoding="utf-8").count("\n") == 1


def test_tsv_safe_defuses_spreadsheet_formulas_and_is_off_by_default(tmp_path):
    pairs = [AlignedPair(zh="=1+1", en="+HYPERLINK(\"x\")", score=0.5, zh_ids=(0,), en_ids=(0,),
                         article_id="@a"),
             AlignedPair(zh="-3度", en="minus three", score=0.5, zh_ids=(1,), en_ids=(1,),
                         article_id="a")]
    exact, safe = tmp_path / "exact.tsv", tmp_path / "safe.tsv"
    write_tsv(pairs, exact)
    write_tsv(pairs, safe, spreadsheet=True)
    assert exact.read_text(encoding="utf-8").split("\n")[0].split("\t")[:2] == [
        "=1+1", "+HYPERLINK(\"x\")"]
    rows = [line.split("\t") for line in safe.read_text(encoding="utf-8").splitlines()]
    assert rows[0][:2] == ["'=1+1", "'+HYPERLINK(\"x\")"] and rows[0][6] == "'@a"
    assert rows[1][:2] == ["'-3度", "minus three"]


def test_convert_tsv_safe_flag(tmp_path):
    from corpus.cli import main

    src = tmp_path / "in.tsv"
    src.write_text("=cmd\tplain\n", encoding="utf-8")
    assert main(["-q", "convert", "--tsv-safe", str(src), str(tmp_path / "out.tsv")]) == 0
    assert (tmp_path / "out.tsv").read_text(encoding="utf-8").startswith("'=cmd\tplain\t")
