"""The manifest: a round trip, atomic saves, and a damaged file that starts afresh."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from corpus.errors import ExportError
from corpus.manifest import ArticleRecord, Manifest, Status


def test_round_trip(tmp_path):
    path = tmp_path / "manifest.json"
    m = Manifest(provenance={"toolkit": "corpus 0.1.0"})
    m.articles["b"] = ArticleRecord(key="b", status=Status.DONE, counts={"beads": {"1-1": 3}},
                                    outputs={"tsv": "b.tsv"}, mean_score=0.7)
    m.articles["a"] = ArticleRecord(key="a", status=Status.FAILED, stage="fetch", reason="404")
    m.save(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert [r["key"] for r in data["articles"]] == ["a", "b"]  # sorted: stable diffs
    back = Manifest.load(path)
    assert back.articles == m.articles and back.provenance == m.provenance
    assert not list(tmp_path.glob(".*tmp*"))


def test_damaged_manifest_starts_fresh(tmp_path, caplog):
    path = tmp_path / "manifest.json"
    path.write_text('{"articles": [{"key": "a", "sta', encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        m = Manifest.load(path)
    assert m.articles == {}
    assert "unreadable" in caplog.text


def test_a_manifest_over_its_cap_is_not_read_whole(tmp_path, caplog, monkeypatch):
    import corpus.manifest as manifest_mod

    monkeypatch.setattr(manifest_mod, "MAX_MANIFEST_BYTES", 1000)
    path = tmp_path / "manifest.json"
    path.symlink_to("/dev/zero")  # endless: read whole it never returns
    with caplog.at_level(logging.WARNING):
        assert Manifest.load(path).articles == {}
    assert "too large for a manifest" in caplog.text


def test_unknown_fields_from_a_newer_version_are_ignored(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"articles": [{"key": "a", "status": "done", "new": 1}]}),
                    encoding="utf-8")
    assert Manifest.load(path).articles["a"].status == Status.DONE


def _record(**change):
    rec = {"key": "a", "status": "done", "outputs": {"tsv": "a.tsv"}, "input_hash": "h"}
    return {**rec, **change}


@pytest.mark.parametrize(("record", "message"), [
    (_record(outputs="a.tsv"), "'outputs' must be an object of file names"),
    (_record(status=5), "'status' must be a string"),
    (_record(status="finished"), "'status' must be one of done, skipped, failed"),
    (_record(mean_score="high"), "'mean_score' must be a number or null"),
    (_record(counts=[1]), "'counts' must be an object"),
    (_record(attempts={"a": 1}), "'attempts' must be a list of objects"),
    (_record(input_hash=3), "'input_hash' must be a string"),
    ("a", "an article record must be an object"),
])
def test_a_manifest_with_fields_of_the_wrong_type_says_which(tmp_path, record, message):
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"articles": [record]}), encoding="utf-8")
    with pytest.raises(ExportError, match=message) as err:
        Manifest.load(path)
    assert str(path) in str(err.value)


def test_build_over_a_manifest_of_the_wrong_types_is_exit_2_in_one_line(tmp_path, capsys):
    from corpus.cli import main

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    good = Path(__file__).parent / "data" / "seeds" / "good.txt"
    (seeds / "good.txt").write_bytes(good.read_bytes())
    out = tmp_path / "aligned"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps({"articles": [_record(
        key="20240618-small-town-bakery", outputs="x")]}), encoding="utf-8")
    assert main(["-q", "build", str(seeds), "-o", str(out), "--offline",
                 "--cache-dir", str(tmp_path / "cache")]) == 2
    err = capsys.readouterr().err
    assert "manifest.json" in err and "'outputs'" in err and err.count("\n") == 1
