"""Per-article and corpus-wide exports, merge and convert, and the `corpus convert` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.cli import main
from corpus.config import ExportConfig, ExportFormat, FilterConfig
from corpus.errors import ExportError
from corpus.export.jsonl import read_jsonl, read_jsonl_records
from corpus.export.merge import convert, export_documents, guess_format, merge
from corpus.export.tmx import read_header_props, read_tmx, read_tmx_records
from corpus.export.tsv import read_tsv
from corpus.model import Bead
from tests.exportdata import make_doc


def test_per_article_and_corpus_files(tmp_path: Path) -> None:
    docs = [make_doc("a"), make_doc("b")]
    result = export_documents(docs, tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["a.jsonl", "a.jsonl.meta.json", "a.tmx", "a.tsv", "a.tsv.meta.json",
                     "b.jsonl", "b.jsonl.meta.json", "b.tmx", "b.tsv", "b.tsv.meta.json",
                     "beads", "corpus.jsonl", "corpus.jsonl.meta.json", "corpus.tmx",
                     "corpus.tsv", "corpus.tsv.meta.json"]
    assert sorted(p.name for p in (tmp_path / "beads").iterdir()) == ["a.jsonl", "b.jsonl"]
    assert result.kept == 10 and not result.dropped
    assert read_jsonl(tmp_path / "corpus.jsonl") == docs[0].pairs() + docs[1].pairs()
    assert len(read_tsv(tmp_path / "b.tsv")) == 5
    assert len(read_tmx(tmp_path / "corpus.tmx")) == 8  # unmatched beads stay out of TMX
    sidecar = json.loads((tmp_path / "corpus.tsv.meta.json").read_text(encoding="utf-8"))
    assert sidecar["pairs"] == 10 and sidecar["encoder"] == "test-encoder"
    assert sidecar["english_source"] == {} and sidecar["dropped"] == {}


def test_filters_are_applied_and_recorded(tmp_path: Path) -> None:
    config = ExportConfig(filters=FilterConfig(min_score=0.85, drop_unmatched=True))
    result = export_documents([make_doc("a")], tmp_path, config)
    assert result.dropped == {"score": 2, "unmatched": 1}
    assert [p.score for p in read_jsonl(tmp_path / "a.jsonl")] == [0.91, 0.87]
    props = read_header_props(tmp_path / "corpus.tmx")
    assert json.loads(props["x-corpus-filters"]) == {"min_score": 0.85, "drop_unmatched": True}
    assert json.loads(props["x-corpus-dropped"]) == {"score": 2, "unmatched": 1}
    sidecar = json.loads((tmp_path / "a.tsv.meta.json").read_text(encoding="utf-8"))
    assert sidecar["filters"]["drop_unmatched"] is True
    assert sidecar["dropped"] == {"score": 2, "unmatched": 1}
    # the bead file keeps every bead, unfiltered
    assert len(read_jsonl(tmp_path / "beads" / "a.jsonl")) == 5


def test_dedupe_within_and_across_articles(tmp_path: Path) -> None:
    beads = (Bead((0,), (0,), 0.9), Bead((1,), (1,), 0.9))
    zh, en = (("同一句。", "同一句。"),), (("Same.", "Same."),)
    docs = [make_doc("a", zh=zh, en=en, beads=beads), make_doc("b", zh=zh, en=en, beads=beads)]
    result = export_documents(docs, tmp_path, ExportConfig(dedupe=True))
    assert len(read_tsv(tmp_path / "a.tsv")) == 1 and len(read_tsv(tmp_path / "b.tsv")) == 1
    assert len(read_tsv(tmp_path / "corpus.tsv")) == 1
    assert result.dropped == {"duplicate": 3}


def test_corpus_only_selected_formats_and_safe_names(tmp_path: Path) -> None:
    config = ExportConfig(formats=(ExportFormat.TSV,), per_article=False, corpus_name="news")
    export_documents([make_doc("../x y")], tmp_path, config)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["beads", "news.tsv",
                                                          "news.tsv.meta.json"]
    export_documents([make_doc("../x y"), make_doc("x_y"), make_doc("x y")], tmp_path / "p",
                     ExportConfig(formats=(ExportFormat.TSV,)))
    names = {p.name for p in (tmp_path / "p").glob("*.tsv")}
    assert len(names) == 4 and "x_y.tsv" in names  # unsafe ids never share a file
    assert all(n.startswith("x_y") for n in names - {"corpus.tsv"})
    with pytest.raises(ExportError, match="given twice"):
        export_documents([make_doc("a"), make_doc("b"), make_doc("a")], tmp_path / "q")
    assert not (tmp_path / "q").exists()  # refused before any file was written


class _CountedId(str):
    compared = 0

    def __eq__(self, other: object) -> bool:
        _CountedId.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_export_documents_checks_ids_in_linear_time(tmp_path: Path, monkeypatch) -> None:
    # comparisons, not seconds: a list made this n*(n-1)/2 (500k here), a set about none
    import types

    import corpus.export.merge as merge_mod

    written: list[str] = []
    monkeypatch.setattr(merge_mod, "export_article", lambda doc, outdir, config: {})
    monkeypatch.setattr(merge_mod, "merge_corpus",
                        lambda ids, outdir, config: written.extend(ids) or merge_mod.ExportResult())
    n = 1000
    docs = [types.SimpleNamespace(article_id=_CountedId(f"a{i:04d}")) for i in range(n)]
    _CountedId.compared = 0
    export_documents(docs, tmp_path)  # type: ignore[arg-type]
    assert _CountedId.compared < n
    assert written == [d.article_id for d in docs]  # the corpus keeps the order given
    with pytest.raises(ExportError, match="a0007 is given twice"):
        export_documents([*docs, docs[7]], tmp_path)  # type: ignore[arg-type]


def test_merge_mixed_formats_keeps_metadata(tmp_path: Path) -> None:
    export_documents([make_doc("a"), make_doc("b")], tmp_path / "out")
    merged = tmp_path / "all.tmx"
    result = merge([tmp_path / "out" / "a.jsonl", tmp_path / "out" / "b.tmx"], merged)
    assert result.kept == 9 and result.files == [merged] and result.written == {merged: 8}
    records = read_tmx_records(merged)
    assert [r.pair.article_id for r in records] == ["a"] * 4 + ["b"] * 4
    assert dict(records[0].meta)["en_url"] == "https://www.example.com/a.html"


def test_convert_tmx_to_jsonl_and_back(tmp_path: Path) -> None:
    export_documents([make_doc("a")], tmp_path)
    convert(tmp_path / "a.tmx", tmp_path / "back.jsonl")
    records = read_jsonl_records(tmp_path / "back.jsonl")
    assert [r.pair for r in records] == [p for p in make_doc("a").pairs() if p.en_ids]
    assert dict(records[0].meta)["cn_url"] == "https://cn.example.org/a/"


def test_sidecar_carries_provenance_and_filters(tmp_path: Path) -> None:
    export_documents([make_doc("a")], tmp_path)
    convert(tmp_path / "a.jsonl", tmp_path / "plain.tsv")
    plain = json.loads((tmp_path / "plain.tsv.meta.json").read_text(encoding="utf-8"))
    assert plain["encoder"] == "test-encoder" and plain["filters"] == {}
    config = ExportConfig(filters=FilterConfig(min_score=0.8), dedupe=True)
    result = convert(tmp_path / "a.jsonl", tmp_path / "f.tsv", config)
    sidecar = json.loads((tmp_path / "f.tsv.meta.json").read_text(encoding="utf-8"))
    assert result.files == [tmp_path / "f.tsv", tmp_path / "f.tsv.meta.json"]
    assert sidecar["filters"] == {"min_score": 0.8, "dedupe": True}
    assert sidecar["dropped"] == {"score": 1} and sidecar["pairs"] == 4


def test_convert_in_place(tmp_path: Path) -> None:
    export_documents([make_doc("a")], tmp_path)
    path = tmp_path / "a.tsv"
    result = convert(path, path, ExportConfig(filters=FilterConfig(min_score=0.85)))
    assert result.kept == 3  # read fully before the atomic replace
    assert [p.score for p in read_tsv(path)] == [0.91, 0.87, 0.0]


def test_guess_format() -> None:
    assert guess_format("x/a.TMX") is ExportFormat.TMX
    assert guess_format("a.ndjson") is ExportFormat.JSONL
    with pytest.raises(ExportError, match="cannot tell the format"):
        guess_format("a.xlsx")


# --------------------------------------------------------------------------- CLI

def test_cli_convert_with_filters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export_documents([make_doc("a"), make_doc("b")], tmp_path)
    out = tmp_path / "x.tmx"
    code = main(["convert", str(tmp_path / "a.jsonl"), str(tmp_path / "b.tsv"), str(out),
                 "--min-score", "0.85", "--dedupe", "--zh-lang", "zh-Hans"])
    assert code == 0
    pairs = read_tmx(out)
    assert [p.score for p in pairs] == [0.91, 0.87]  # b's copies were duplicates
    assert "wrote 2 beads" in capsys.readouterr().err
    # a.jsonl: 2 below 0.85; b.tsv: 2 below 0.85 and 3 already seen (2 pairs, 1 credit)
    assert json.loads(read_header_props(out)["x-corpus-dropped"]) == {"duplicate": 3, "score": 4}
    assert 'srclang="zh-Hans"' in out.read_text(encoding="utf-8")


def test_cli_convert_reads_each_article_once(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """`corpus convert aligned/*.tsv all.jsonl` also matches corpus.tsv: no doubled pairs."""
    export_documents([make_doc("a"), make_doc("b")], tmp_path)
    inputs = sorted(str(p) for p in tmp_path.glob("*.tsv"))
    assert [Path(p).name for p in inputs] == ["a.tsv", "b.tsv", "corpus.tsv"]
    assert main(["convert", *inputs, str(tmp_path / "all.jsonl")]) == 0
    assert len(read_jsonl(tmp_path / "all.jsonl")) == 10
    assert "corpus.tsv: skipped: its 2 article(s) were already read" in capsys.readouterr().err
    # a file that repeats some articles and adds others: either copy may be meant
    export_documents([make_doc("a"), make_doc("c")], tmp_path / "other")
    assert main(["convert", str(tmp_path / "a.tsv"), str(tmp_path / "other" / "corpus.tsv"),
                 str(tmp_path / "mixed.jsonl")]) == 2
    assert "article a (and 0 more) was already read from" in capsys.readouterr().err
    assert not (tmp_path / "mixed.jsonl").exists()


def test_cli_convert_explicit_formats_and_header(tmp_path: Path) -> None:
    export_documents([make_doc("a")], tmp_path)
    out = tmp_path / "pairs.txt"
    assert main(["convert", str(tmp_path / "a.jsonl"), str(out), "--to", "tsv", "--header",
                 "-q"]) == 0
    assert out.read_text(encoding="utf-8").startswith("zh\ten\tscore\t")
    assert len(read_tsv(out)) == 5


@pytest.mark.parametrize("args", [
    ["convert", "IN.jsonl", "out.xlsx"],
    ["convert", "missing.jsonl", "out.tsv"],
    ["convert", "IN.jsonl", "out.tmx", "--zh-lang", "zh_CN"],
    ["convert", "IN.jsonl", "out.tsv", "--min-ratio", "3", "--max-ratio", "2"],
])
def test_cli_convert_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    export_documents([make_doc("a")], tmp_path)
    args = [a.replace("IN.jsonl", str(tmp_path / "a.jsonl")) for a in args]
    args = [str(tmp_path / a) if a.startswith(("out", "missing")) else a for a in args]
    assert main(args) == 2
    assert not list(tmp_path.glob("out.*"))
