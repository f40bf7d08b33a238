"""JSONL export: one bead per line with everything, unmatched sentences included."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.errors import ExportError
from corpus.export.jsonl import read_jsonl, read_jsonl_records, write_jsonl
from corpus.model import AlignedPair, Bead
from tests.exportdata import make_doc


def test_one_object_per_bead_with_everything(tmp_path: Path) -> None:
    out = tmp_path / "a.jsonl"
    en = (("First and second.",), ("Third.", "Added."))
    doc = make_doc("art", zh=(("第一句。", "第二句。"), ("第三句。",)), en=en,
                   beads=(Bead((0, 1), (0,), 0.7, 0.81), Bead((2,), (1,), 0.9),
                          Bead((), (2,), 0.0)))
    assert write_jsonl([doc], out) == 3
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    first = json.loads(lines[0])
    assert first == {
        "article_id": "art", "type": "2-1", "score": 0.7, "confidence": 0.81,
        "zh": "第一句。第二句。", "en": "First and second.", "zh_ids": [0, 1], "en_ids": [0],
        "zh_sents": ["第一句。", "第二句。"], "en_sents": ["First and second."],
        "zh_paras": [0, 0], "en_paras": [0],
        "cn_url": "https://cn.example.org/art/", "en_url": "https://www.example.com/art.html",
        "source": "original", "title": "公园预算",
    }
    last = json.loads(lines[2])
    assert (last["type"], last["zh"], last["en"], last["zh_ids"], last["en_sents"]) == (
        "0-1", "", "Added.", [], ["Added."])
    assert "第一句" in lines[0]  # UTF-8, not \\u-escaped
    assert json.loads(lines[1])["confidence"] is None  # not known: null
    assert read_jsonl(out)[0].confidence == 0.81


def test_round_trip_records(tmp_path: Path) -> None:
    doc = make_doc()
    out = tmp_path / "a.jsonl"
    write_jsonl([doc], out)
    assert read_jsonl(out) == doc.pairs()
    records = read_jsonl_records(out)
    assert records[2].zh_paras == (1,) and records[2].en_sents == (doc.en[2].text,)
    assert dict(records[0].meta) == {"cn_url": doc.meta["cn_url"],
                                     "en_url": doc.meta["en_url"], "source": "original",
                                     "title": "公园预算"}


def test_missing_score_is_null(tmp_path: Path) -> None:
    out = tmp_path / "a.jsonl"
    write_jsonl([AlignedPair("中", "en", math.nan, (0,), (0,))], out)
    assert json.loads(out.read_text(encoding="utf-8"))["score"] is None
    assert math.isnan(read_jsonl(out)[0].score)


def test_line_separators_in_text_do_not_split_lines(tmp_path: Path) -> None:
    out = tmp_path / "a.jsonl"
    text = "a\u2028b\u2029c\x85d\re\nf"
    write_jsonl([AlignedPair(text, text, 0.5, (0,), (0,))], out)
    assert out.read_bytes().count(b"\n") == 1
    assert read_jsonl(out)[0].zh == text


@pytest.mark.parametrize(("content", "message"), [
    ('{"zh": "a"\n', r"bad\.jsonl:1: not JSON"),
    ('\n[1, 2]\n', r"bad\.jsonl:2: expected a JSON object"),
    ('{"zh": "a", "zh_ids": ["x"]}\n', r"bad\.jsonl:1: malformed bead"),
])
def test_malformed_lines_name_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ExportError, match=message):
        read_jsonl(path)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(zh=st.text(), en=st.text(), score=st.floats(allow_nan=False, allow_infinity=False),
       zh_ids=st.lists(st.integers(0, 10**6), max_size=4),
       en_ids=st.lists(st.integers(0, 10**6), max_size=4), article=st.text(max_size=30))
def test_any_text_round_trips_exactly(tmp_path: Path, zh: str, en: str, score: float,
                                      zh_ids: list[int], en_ids: list[int],
                                      article: str) -> None:
    pair = AlignedPair(zh, en, score, tuple(zh_ids), tuple(en_ids), article)
    out = tmp_path / "p.jsonl"
    write_jsonl([pair], out)
    assert read_jsonl(out) == [pair]


# --------------------------------------------------------------------------- hostile input

_GOOD = {"article_id": "a", "type": "1-1", "score": 0.5, "zh": "你好。", "en": "Hello.",
         "zh_ids": [0], "en_ids": [0]}


def _line(**change: object) -> str:
    return json.dumps({**_GOOD, **change})


_MALFORMED = {
    "deep nesting": "[" * 100_000 + "]" * 100_000,
    "1e400": _line(score=0.5).replace("0.5", "1e400"),
    "NaN": _line(score=0.5).replace("0.5", "NaN"),
    "huge integer": _line(score=0.5).replace("0.5", "1" * 5000),
    "id of 1e400": _line(zh_ids=[0]).replace('"zh_ids": [0]', '"zh_ids": [1e400]'),
    "negative id": _line(zh_ids=[-5]),
    "id that is a string": _line(zh_ids=["a"]),
    "text that is a list": _line(zh=["x"]),
    "sentences that are a string": _line(zh_sents="abc"),
    "score that is a string": _line(score="high"),
}


@pytest.mark.parametrize("line", _MALFORMED.values(), ids=_MALFORMED.keys())
def test_malformed_lines_are_an_export_error_naming_the_line(tmp_path, line):
    f = tmp_path / "bad.jsonl"
    f.write_text(_line() + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(ExportError, match=r"bad\.jsonl:2: "):
        read_jsonl_records(f)


def test_lone_surrogates_are_dropped_on_reading(tmp_path):
    f = tmp_path / "surr.jsonl"
    f.write_text(_line().replace('"Hello."', '"Hel\\ud800lo."')
                 .replace('"a"', '"a\\udc00"') + "\n", encoding="utf-8")
    (rec,) = read_jsonl_records(f)
    assert rec.pair.en == "Hello." and rec.pair.article_id == "a"


@pytest.mark.parametrize("command", ["convert", "report", "evaluate"])
@pytest.mark.parametrize("line", [_MALFORMED["deep nesting"], _MALFORMED["huge integer"],
                                  _MALFORMED["id of 1e400"],
                                  _line().replace('"a"', '"a\\udc00"')])
def test_malformed_jsonl_on_the_command_line_is_one_line_and_never_a_traceback(
        tmp_path, capsys, command, line):
    from corpus.cli import main

    f = tmp_path / "in.jsonl"
    f.write_text(line + "\n", encoding="utf-8")
    (tmp_path / "hyp.txt").write_text("Hello.\n", encoding="utf-8")
    args = {"convert": ["convert", str(f), str(tmp_path / "out.tsv")],
            "report": ["report", "-o", str(tmp_path / "rep"), str(f)],
            "evaluate": ["evaluate", "--hyp", str(tmp_path / "hyp.txt"), str(f)]}[command]
    code = main(["-q", *args])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if "udc00" in line:  # read with the surrogate dropped
        assert code == 0
    else:
        assert code == 2 and err.count("\n") == 1 and "in.jsonl:1" in err
