"""The SQLite search index: what it holds, atomic rebuilds, damaged inputs."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading

import pytest

from corpus.errors import SearchError
from corpus.index import build_index, connect, done_articles, index_path, update_index
from tests.lockhelp import lock_held_elsewhere
from tests.workbenchdata import ARTICLES, write_built


def test_index_holds_every_bead_with_its_article(tmp_path):
    out = write_built(tmp_path / "aligned")
    stats = build_index(out)
    assert (stats.articles, stats.beads) == (3, 10)
    assert stats.size == index_path(out).stat().st_size > 0
    con = connect(out)
    arts = {r["article_id"]: r for r in con.execute("SELECT * FROM articles")}
    assert set(arts) == set(ARTICLES)
    port = arts["20240320-port-deal"]
    assert (port["title"], port["published"], port["beads"], port["zh_sentences"],
            port["en_sentences"]) == ("港口交易", "2024-03-20", 2, 3, 2)
    row = con.execute("SELECT * FROM beads WHERE article=? AND k=1", (port["id"],)).fetchone()
    assert (row["type"], row["zh_ids"], row["en_ids"], row["score"]) == ("2-1", "1,2", "1", 0.25)
    assert row["zh"] == "交易在周二签署。当地人担心。"
    # the full-text index finds Chinese substrings and English phrases
    hits = con.execute("SELECT rowid FROM beads_fts WHERE beads_fts MATCH ?",
                       ('{zh} : "一带一路"',)).fetchall()
    assert len(hits) == 5
    assert con.execute("SELECT count(*) FROM beads_fts WHERE beads_fts MATCH ?",
                       ('{en} : "belt and road"',)).fetchone()[0] == 3


def test_index_is_read_only_and_replaced_whole(tmp_path):
    out = write_built(tmp_path / "aligned")
    build_index(out)
    con = connect(out)
    with pytest.raises(sqlite3.OperationalError):
        con.execute("DELETE FROM beads")
    con.close()
    build_index(out, ["20240320-port-deal"])  # a rebuild replaces the file
    assert connect(out).execute("SELECT count(*) FROM beads").fetchone()[0] == 2
    assert not list(out.glob(".corpus.sqlite.*"))


def test_confidence_is_kept_when_the_beads_have_it(tmp_path):
    out = write_built(tmp_path / "aligned")
    path = out / "beads" / "20240320-port-deal.jsonl"
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    lines[0]["confidence"] = 0.97  # bead 1 has 0.2 already
    path.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in lines),
                    encoding="utf-8")
    build_index(out)
    rows = connect(out).execute("SELECT confidence FROM beads b JOIN articles a ON a.id = "
                                "b.article WHERE a.article_id = ? ORDER BY k",
                                ("20240320-port-deal",)).fetchall()
    assert [r[0] for r in rows] == [0.97, 0.2]


def test_a_damaged_bead_file_leaves_out_its_article_only(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="corpus")
    out = write_built(tmp_path / "aligned")
    (out / "beads" / "20240320-port-deal.jsonl").write_text("{not json\n", encoding="utf-8")
    (out / "beads" / "20240611-rail-line.jsonl").unlink()
    stats = build_index(out)
    assert stats.articles == 1
    assert "20240320-port-deal" in caplog.text and "not JSON" in caplog.text


def test_missing_or_foreign_index_says_how_to_make_it(tmp_path):
    with pytest.raises(SearchError, match="corpus index"):
        connect(tmp_path)
    index_path(tmp_path).write_bytes(b"not a database at all" * 100)
    with pytest.raises(SearchError, match="not a corpus index"):
        connect(tmp_path)


def test_done_articles_from_manifest_or_bead_files(tmp_path):
    out = write_built(tmp_path / "aligned")
    assert done_articles(out) == sorted(ARTICLES)
    (out / "manifest.json").unlink()
    assert done_articles(out) == sorted(ARTICLES)


def test_index_file_gets_the_usual_permissions(tmp_path):
    out = write_built(tmp_path / "aligned")
    build_index(out)
    plain = out / "plain.txt"
    plain.write_text("x", encoding="utf-8")
    assert index_path(out).stat().st_mode & 0o777 == plain.stat().st_mode & 0o777


def _rewrite(out, aid, old, new):
    path = out / "beads" / f"{aid}.jsonl"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def _fts_ok(out):
    con = sqlite3.connect(index_path(out))
    try:  # FTS5 compares its index with the content table and raises on any difference
        con.execute("INSERT INTO beads_fts(beads_fts, rank) VALUES('integrity-check', 1)")
    finally:
        con.close()


def test_update_reindexes_only_changed_articles(tmp_path):
    from corpus.search import Query, search

    out = write_built(tmp_path / "aligned")
    assert build_index(out).reindexed == -1
    assert update_index(out).reindexed == 0  # nothing changed
    _rewrite(out, "20240320-port-deal", "交易在周二签署", "合同在周三签署")
    stats = update_index(out)
    assert (stats.reindexed, stats.articles, stats.beads) == (1, 3, 10)
    con = connect(out)
    assert search(con, Query("合同在周三")).total == 1
    assert search(con, Query("交易在周二")).total == 0  # the old text left the FTS index too
    hits = [(h.article_id, h.k) for h in search(con, Query("一带一路")).hits]
    assert hits == sorted(hits)  # still in article order, though the rows were re-added
    con.close()
    _fts_ok(out)
    # an article no longer done leaves the index
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["articles"] = manifest["articles"][:2]
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    stats = update_index(out)
    assert (stats.articles, stats.reindexed) == (2, 0)
    _fts_ok(out)


def test_update_rebuilds_whole_when_most_changed_or_index_is_foreign(tmp_path):
    out = write_built(tmp_path / "aligned")
    assert update_index(out).reindexed == -1  # no index yet
    for aid in ARTICLES:
        _rewrite(out, aid, "。", "．")
    assert update_index(out).reindexed == -1
    con = sqlite3.connect(index_path(out))
    con.execute("UPDATE info SET value = '0' WHERE key = 'schema'")
    con.commit()
    con.close()
    assert update_index(out).reindexed == -1
    assert connect(out).execute("SELECT count(*) FROM beads").fetchone()[0] == 10


def test_cli_index_of_a_missing_folder_is_one_line(tmp_path, capsys):
    from corpus.cli import main

    assert main(["index", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"ERROR: {tmp_path / 'nowhere'} is not a folder; give the output folder "
                   "of a build"]


def test_cli_index_waits_for_a_build_writing_the_folder(tmp_path):
    from corpus.cli import main

    out = write_built(tmp_path / "aligned")
    done = threading.Event()
    with lock_held_elsewhere(out):
        indexer = threading.Thread(target=lambda: (main(["-q", "index", str(out)]), done.set()))
        indexer.start()
        assert not done.wait(1.0)  # the build holds the folder: the index waits
        assert not index_path(out).exists()
    indexer.join(30)
    assert done.is_set() and index_path(out).is_file()
