"""The manifest: a round trip, atomic saves, and a damaged file that starts afresh."""

from __future__ import annotations

import json
import logging

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


def test_unknown_fields_from_a_newer_version_are_ignored(tmp_path):
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"articles": [{"key": "a", "status": "done", "new": 1}]}),
                    encoding="utf-8")
    assert Manifest.load(path).articles["a"].status == Status.DONE
