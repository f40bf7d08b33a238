"""Corpus-wide search: phrases, regexes, filters, KWIC, renderings, and the CLI."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpus.cli import main
from corpus.errors import SearchError
from corpus.index import build_index, connect
from corpus.search import (
    Query,
    kwic,
    renderings,
    required_literals,
    search,
    terminal_safe,
    width,
)
from tests.workbenchdata import write_built


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = write_built(tmp_path_factory.mktemp("wb") / "aligned")
    build_index(out)
    return out


@pytest.fixture
def con(built):
    c = connect(built)
    yield c
    c.close()


def _found(con, **kw):
    return [(h.article_id, h.k) for h in search(con, Query(**kw)).hits]


def test_chinese_phrase_is_found_anywhere_with_its_position(con):
    result = search(con, Query("一带一路"))
    assert result.total == 5 and result.query.sides == ("zh",)
    assert result.per_article == {"20240105-belt-road": 2, "20240611-rail-line": 2,
                                  "20240320-port-deal": 1}
    hit = result.hits[2]
    assert (hit.article_id, hit.k, hit.side) == ("20240320-port-deal", 0, "zh")
    a, b = hit.spans[0]
    assert hit.zh[a:b] == "一带一路" and hit.en == "The port is a Belt and Road project."


def test_short_chinese_queries_scan_and_find_the_same(con):
    assert _found(con, text="一带") == _found(con, text="一带一路")
    assert _found(con, text="桥") == []
    assert _found(con, text="周二") == [("20240320-port-deal", 1)]


def test_english_matches_whole_words_case_insensitively(con):
    assert _found(con, text="belt and road") == [("20240105-belt-road", 0),
                                                 ("20240105-belt-road", 2),
                                                 ("20240320-port-deal", 0)]
    assert _found(con, text="rat") == []  # not inside "rate"
    assert _found(con, text="rat", whole_words=False) == [("20240611-rail-line", 2)]
    assert _found(con, text="BEIJING") == [("20240105-belt-road", 1)]
    assert _found(con, text="it") == [("20240105-belt-road", 1), ("20240611-rail-line", 1)]


def test_both_sides_and_explicit_language(con):
    assert _found(con, text="Road", lang="zh") == []
    both = search(con, Query("项目", lang="both"))
    assert {h.side for h in both.hits} == {"zh"} and both.total == 2


def test_regex_with_and_without_a_literal_to_look_up(con):
    assert required_literals(r"Belt and Road (Initiative|project)") == ["Belt and Road "]
    assert required_literals(r"(?i)belt and road") is None
    assert required_literals(r"ab|cde") is None
    assert required_literals(r"Belt and Road|One Belt") == ["Belt and Road", "One Belt"]
    assert required_literals(r"x(abc|def)y") is None
    assert _found(con, text=r"Belt and Road|One Belt", regex=True) == [
        ("20240105-belt-road", 0), ("20240105-belt-road", 2), ("20240320-port-deal", 0),
        ("20240611-rail-line", 0)]
    assert _found(con, text=r"Belt and Road (Initiative|project)", regex=True) == [
        ("20240105-belt-road", 0), ("20240320-port-deal", 0)]
    assert _found(con, text=r"\d+|ten years", regex=True) == [("20240105-belt-road", 0)]
    assert _found(con, text=r"周二.*担心", regex=True) == [("20240320-port-deal", 1)]
    with pytest.raises(SearchError, match="not a valid regular expression"):
        search(con, Query("(unclosed", regex=True))


def test_filters(con):
    assert _found(con, text="一带一路", articles=("2024061*",)) == [
        ("20240611-rail-line", 0), ("20240611-rail-line", 2)]
    assert _found(con, text="一带一路", since=date(2024, 3, 1), until=date(2024, 3, 31)) == [
        ("20240320-port-deal", 0)]
    assert _found(con, text="周二", types=("1-1",)) == []
    assert _found(con, text="一带一路", min_confidence=0.75) == [
        ("20240105-belt-road", 0), ("20240105-belt-road", 2), ("20240320-port-deal", 0)]
    assert _found(con, text="一带一路", max_confidence=0.65) == [("20240611-rail-line", 2)]
    with pytest.raises(SearchError):
        Query("x", types=("one-one",))
    with pytest.raises(SearchError):
        Query("   ")


def test_limit_keeps_counts_whole(con):
    result = search(con, Query("一带一路", limit=1))
    assert len(result.hits) == 1 and result.total == 5


def test_renderings_rank_the_counterparts(con):
    ranked, untranslated = renderings(con, search(con, Query("一带一路")))
    assert ranked[0].text == "belt and road" and ranked[0].hits == 3
    assert ranked[0].share == pytest.approx(0.6)
    assert untranslated == 0
    ranked, _ = renderings(con, search(con, Query("belt and road")))
    assert ranked[0].text == "一带一路"
    with pytest.raises(SearchError):
        renderings(con, search(con, Query("项目", lang="both")))


def test_untranslated_sentences_are_counted(con):
    ranked, untranslated = renderings(con, search(con, Query("编者注")))
    assert (ranked, untranslated) == ([], 1)


def test_kwic_centres_the_match_in_display_columns():
    line = kwic("这座港口是一带一路项目。", (5, 9), 40, mark=("[", "]"))
    left = line[: line.index("[")]
    assert width(left) == 40 // 2 - 1 - width("一带一路") // 2 - 0
    assert line.endswith("]项目。")
    long = kwic("x" * 500 + "MATCH" + "y" * 500, (500, 505), 60, mark=("<", ">"))
    assert width(long) <= 60 + 2 and long.index("<") == (60 - 5) // 2 - 1


@given(st.text(max_size=80))
def test_nothing_unsafe_reaches_a_terminal(text):
    clean = terminal_safe(text)
    assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F or c in "\u202e\u2066\u2028"
                   for c in clean)


def test_cli_kwic_json_tsv_counts_and_renderings(built, capsys):
    assert main(["search", "一带一路", str(built), "--renderings", "--width", "60"]) == 0
    out = capsys.readouterr().out
    assert "[[一带一路]]倡议已经十年了。" in out
    assert "The Belt and Road Initiative is ten years old." in out
    assert "5 matching beads in 3 articles" in out
    assert "belt and road" in out.split("rendering", 1)[1]
    assert main(["search", "belt and road", str(built), "--json", "--renderings"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == 3 and data["renderings"][0]["text"] == "一带一路"
    assert data["hits"][0]["spans"] == [[4, 17]]
    assert main(["search", "--tsv", "一带一路", str(built), "--type", "1-1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("article_id\tbead") and len(lines) == 6
    assert all(line.count("\t") == 10 for line in lines)
    assert main(["search", "一带一路", str(built), "--counts", "--article",
                 "20240105-belt-road"]) == 0
    assert capsys.readouterr().out.splitlines()[1].split() == ["2", "20240105-belt-road",
                                                                "一带一路十年"]


def test_cli_without_an_index_says_how_to_make_one(tmp_path, capsys):
    assert main(["search", "x", str(tmp_path)]) == 2
    assert "corpus index" in capsys.readouterr().err
    out = write_built(tmp_path / "aligned")
    assert main(["index", str(out)]) == 0
    assert "10 beads of 3 articles" in capsys.readouterr().out


def test_cli_options_may_come_between_query_and_folder(built, capsys):
    assert main(["search", "--regex", ".", "--lang", "en", str(built), "--type", "0-1",
                 "--counts"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("1 matching beads in 1 articles")
    with pytest.raises(SystemExit):
        main(["search", "x", str(built), "--bogus"])


@given(st.text(alphabet='一带路债"*:^()-. ABelt and\\\'%_', min_size=1, max_size=12))
def test_any_phrase_is_searched_literally(built, text):
    if not text.strip():
        return
    con = connect(built)
    try:
        result = search(con, Query(text, lang="both", whole_words=False))
    finally:
        con.close()
    needle = " ".join(text.split()).lower()
    for h in result.hits:
        a, b = h.spans[0]
        assert " ".join(h.text[a:b].split()).lower() == needle


def test_cli_marks_the_match_in_bold_on_a_terminal_and_nothing_else(built, monkeypatch):
    import io
    import sqlite3

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    # a bead whose text carries terminal controls, as a hostile page could
    con = sqlite3.connect(built / "corpus.sqlite")
    con.execute("UPDATE beads SET en = en || ?, zh = zh || ? WHERE k = 0",
                ("\x1b]0;PWNED\x07\u202e", "\x1b[2J"))
    con.commit()
    con.close()
    term = Terminal()
    monkeypatch.setattr("sys.stdout", term)
    try:
        assert main(["search", "一带一路", str(built), "--width", "80"]) == 0
    finally:
        build_index(built)  # put the fixture back
    out = term.getvalue()
    assert "\x1b[1;7m一带一路\x1b[0m" in out  # our mark, as an escape sequence
    assert out.count("\x1b") == 2 * out.count("\x1b[1;7m")  # and no other
    assert "PWNED" in out and "\u202e" not in out
