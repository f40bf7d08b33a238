"""The corpus-wide search index: every bead of a build in one SQLite file.

``aligned/corpus.sqlite`` holds a row per article (``articles``), a row per bead
(``beads``: article, number, type, score, confidence, both texts, sentence ids and
paragraphs) and an FTS5 full-text index over both texts (``beads_fts``) with the
``trigram`` tokenizer: any substring of three or more characters is found, which suits
Chinese (no word breaks) and English alike. SQLite is the embedded default: no server.
The file is made from the build's bead files (``beads/<id>.jsonl``), written to a
temporary name and renamed, so a reader never sees half an index.
"""

from __future__ import annotations

import contextlib
import logging
import math
import secrets
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.errors import CorpusError, SearchError
from corpus.export.jsonl import is_header, iter_jsonl, record_from_dict
from corpus.export.merge import BEADS_DIR, beads_path
from corpus.manifest import MANIFEST_NAME, Manifest, Status

log = logging.getLogger(__name__)

INDEX_NAME = "corpus.sqlite"
SCHEMA_VERSION = "2"
# Re-index changed articles in place up to this share of the corpus; beyond it one bulk
# rebuild is faster than deleting and re-adding rows one by one.
UPDATE_SHARE = 0.3

_SCHEMA = """
CREATE TABLE info(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE articles(
  id INTEGER PRIMARY KEY, article_id TEXT NOT NULL UNIQUE, title TEXT NOT NULL,
  title_en TEXT NOT NULL, published TEXT NOT NULL, cn_url TEXT NOT NULL,
  en_url TEXT NOT NULL, source TEXT NOT NULL, corrections TEXT NOT NULL,
  corrections_status TEXT NOT NULL, beads INTEGER NOT NULL, zh_sentences INTEGER NOT NULL,
  en_sentences INTEGER NOT NULL,
  fingerprint TEXT NOT NULL);  -- the bead file's size and time, the corrections state
CREATE TABLE beads(
  id INTEGER PRIMARY KEY, article INTEGER NOT NULL REFERENCES articles(id),
  k INTEGER NOT NULL, type TEXT NOT NULL, score REAL, confidence REAL,
  zh TEXT NOT NULL, en TEXT NOT NULL, zh_ids TEXT NOT NULL, en_ids TEXT NOT NULL,
  zh_paras TEXT NOT NULL, en_paras TEXT NOT NULL);
"""
# Made after the rows are in: one sorted build is much faster than row-by-row upkeep.
_INDEXES = """
CREATE INDEX beads_article ON beads(article, k);
CREATE INDEX beads_type ON beads(type);
CREATE VIRTUAL TABLE beads_fts USING fts5(zh, en, content='beads', content_rowid='id',
                                          tokenize='trigram');
INSERT INTO beads_fts(beads_fts) VALUES('rebuild');
"""


@dataclass(frozen=True, slots=True)
class IndexStats:
    """What an index build did."""

    path: Path
    articles: int
    beads: int
    seconds: float
    size: int  # bytes
    reindexed: int = -1  # articles (re)indexed by an update; -1: the whole index was built


def index_path(outdir: str | Path) -> Path:
    return Path(outdir) / INDEX_NAME


def check_sqlite() -> None:
    """Raise SearchError if this Python's SQLite lacks FTS5 with the trigram tokenizer."""
    con = sqlite3.connect(":memory:")
    try:
        con.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
    except sqlite3.OperationalError as err:
        raise SearchError(f"this Python's SQLite {sqlite3.sqlite_version} has no FTS5 trigram "
                          "tokenizer (SQLite 3.34 or later is needed); the search index cannot "
                          "be built") from err
    finally:
        con.close()


def done_articles(outdir: str | Path) -> list[str]:
    """The ids of the build's done articles (the manifest), else every bead file's stem."""
    outdir = Path(outdir)
    manifest = Manifest.load(outdir / MANIFEST_NAME)
    if manifest.articles:
        return sorted(k for k, r in manifest.articles.items() if r.status == Status.DONE)
    return sorted(p.stem for p in (outdir / BEADS_DIR).glob("*.jsonl"))


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def build_index(outdir: str | Path, article_ids: Sequence[str] | None = None) -> IndexStats:
    """Write ``outdir/corpus.sqlite`` from the bead files of ``article_ids`` (default: the
    manifest's done articles). An unreadable bead file skips its article, with a warning."""
    check_sqlite()
    outdir = Path(outdir)
    ids = list(article_ids) if article_ids is not None else done_articles(outdir)
    manifest = Manifest.load(outdir / MANIFEST_NAME)
    target = index_path(outdir)
    t0 = time.perf_counter()
    # a fresh name SQLite creates itself, so the file gets the usual permissions
    tmp = outdir / f".{INDEX_NAME}.{secrets.token_hex(8)}.tmp"
    n_articles = n_beads = 0
    try:
        con = sqlite3.connect(tmp)
        try:
            con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
            for aid in ids:
                try:
                    n = _add_article(con, outdir, aid, manifest)
                except (OSError, CorpusError) as err:
                    log.warning("index: article %s left out: %s", aid, err)
                    continue
                n_articles += 1
                n_beads += n
            con.executescript(_INDEXES)
            con.executemany("INSERT INTO info VALUES (?, ?)", [
                ("schema", SCHEMA_VERSION), ("created", time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                    time.gmtime()))])
            con.commit()
        finally:
            con.close()
        tmp.replace(target)
    except BaseException as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(err, sqlite3.Error | OSError):
            raise SearchError(f"cannot write the index {target}: {err}") from err
        raise
    stats = IndexStats(target, n_articles, n_beads, round(time.perf_counter() - t0, 3),
                       target.stat().st_size)
    log.info("indexed %d beads of %d articles in %s (%.1fs)", n_beads, n_articles, target,
             stats.seconds)
    return stats


def _fingerprint(outdir: Path, article_id: str, manifest: Manifest) -> str:
    """What says an article's rows are current: its bead file (size, modification time)
    and the state of its corrections."""
    st = beads_path(outdir, article_id).stat()
    record = manifest.articles.get(article_id)
    fix = record.corrections if record is not None else {}
    return f"{st.st_size}:{st.st_mtime_ns}:{fix.get('status', '')}:{fix.get('file', '')}"


def update_index(outdir: str | Path, article_ids: Sequence[str] | None = None) -> IndexStats:
    """Bring ``corpus.sqlite`` up to date: re-index only the articles whose bead file or
    corrections changed, drop those no longer listed, add new ones, in one transaction
    (a reader sees the old index or the new one). A missing or older index, or changes to
    more than UPDATE_SHARE of the articles, rebuild it whole (:func:`build_index`)."""
    outdir = Path(outdir)
    ids = list(article_ids) if article_ids is not None else done_articles(outdir)
    target = index_path(outdir)
    con = None
    try:
        con = sqlite3.connect(target) if target.is_file() else None
        old = {} if con is None else dict(con.execute(
            "SELECT article_id, fingerprint FROM articles").fetchall())
        version = None if con is None else con.execute(
            "SELECT value FROM info WHERE key='schema'").fetchone()
    except sqlite3.DatabaseError:
        if con is not None:
            con.close()  # a file that is not our index: closed before it is rebuilt
        con, old, version = None, {}, None
    if con is None or version is None or version[0] != SCHEMA_VERSION:
        if con is not None:
            con.close()
        return build_index(outdir, ids)
    t0 = time.perf_counter()
    manifest = Manifest.load(outdir / MANIFEST_NAME)
    wanted: dict[str, str] = {}
    for aid in ids:
        try:
            wanted[aid] = _fingerprint(outdir, aid, manifest)
        except OSError:
            continue  # no bead file: build_index would leave it out too
    stale = [a for a in old if wanted.get(a) != old[a]]
    fresh = [a for a in wanted if old.get(a) != wanted[a]]
    if len(set(stale) | set(fresh)) > UPDATE_SHARE * max(len(wanted), 1) + 1:
        con.close()
        return build_index(outdir, ids)
    try:
        with con:
            for aid in stale:
                _remove_article(con, aid)
            for aid in fresh:
                try:
                    n = _add_article(con, outdir, aid, manifest)
                except (OSError, CorpusError) as err:
                    log.warning("index: article %s left out: %s", aid, err)
                    continue
                con.execute("INSERT INTO beads_fts(rowid, zh, en) SELECT id, zh, en FROM beads "
                            "WHERE article = (SELECT id FROM articles WHERE article_id = ?)",
                            (aid,))
                log.debug("index: %s re-indexed (%d beads)", aid, n)
        n_articles, n_beads = con.execute(
            "SELECT count(*), coalesce(sum(beads), 0) FROM articles").fetchone()
    finally:
        con.close()
    stats = IndexStats(target, n_articles, n_beads, round(time.perf_counter() - t0, 3),
                       target.stat().st_size, reindexed=len(fresh))
    log.info("index: %d articles re-indexed, %d removed (%.1fs)", len(fresh),
             len(set(stale) - set(fresh)), stats.seconds)
    return stats


def _remove_article(con: sqlite3.Connection, article_id: str) -> None:
    row = con.execute("SELECT id FROM articles WHERE article_id = ?", (article_id,)).fetchone()
    if row is None:
        return
    # an external-content FTS5 table forgets a row only when told its old text
    con.execute("INSERT INTO beads_fts(beads_fts, rowid, zh, en) SELECT 'delete', id, zh, en "
                "FROM beads WHERE article = ?", row)
    con.execute("DELETE FROM beads WHERE article = ?", row)
    con.execute("DELETE FROM articles WHERE id = ?", row)


def _add_article(con: sqlite3.Connection, outdir: Path, article_id: str,
                 manifest: Manifest) -> int:
    path = beads_path(outdir, article_id)
    fingerprint = _fingerprint(outdir, article_id, manifest)
    rows = []
    meta: dict[str, str] = {}
    zh_n = en_n = 0
    lines = ((where, d) for where, d in iter_jsonl(path) if not is_header(d))
    for k, (where, d) in enumerate(lines):
        rec = record_from_dict(d, where=where)
        p = rec.pair
        meta.update(rec.meta)
        zh_n = max([zh_n, *(i + 1 for i in p.zh_ids)])
        en_n = max([en_n, *(i + 1 for i in p.en_ids)])
        rows.append((k, p.kind, _number(d.get("score")), _number(d.get("confidence")), p.zh,
                     p.en, ",".join(map(str, p.zh_ids)), ",".join(map(str, p.en_ids)),
                     ",".join(map(str, rec.zh_paras)), ",".join(map(str, rec.en_paras))))
    record = manifest.articles.get(article_id)
    fix = record.corrections if record is not None else {}
    cur = con.execute(
        "INSERT INTO articles(article_id, title, title_en, published, cn_url, en_url, source, "
        "corrections, corrections_status, beads, zh_sentences, en_sentences, fingerprint) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (article_id, meta.get("title", meta.get("title_zh", "")), meta.get("title_en", ""),
         meta.get("published", "")[:10], meta.get("cn_url", ""), meta.get("en_url", ""),
         meta.get("source", ""), str(fix.get("file", "")), str(fix.get("status", "")),
         len(rows), zh_n, en_n, fingerprint))
    aid = cur.lastrowid
    con.executemany(
        "INSERT INTO beads(article, k, type, score, confidence, zh, en, zh_ids, en_ids, "
        "zh_paras, en_paras) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        ((aid, *row) for row in rows))
    return len(rows)


def connect(outdir: str | Path) -> sqlite3.Connection:
    """Open the index read-only; SearchError says how to make it when it is missing."""
    path = index_path(outdir)
    if not path.is_file():
        raise SearchError(f"no search index at {path}; run `corpus index {outdir}` (a build "
                          "writes it too)")
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                              check_same_thread=False)
        version = con.execute("SELECT value FROM info WHERE key='schema'").fetchone()
    except sqlite3.DatabaseError as err:
        raise SearchError(f"{path} is not a corpus index ({err}); rebuild it with "
                          f"`corpus index {outdir}`") from err
    if version is None or version[0] != SCHEMA_VERSION:
        con.close()
        raise SearchError(f"{path} was made by another version of corpus; rebuild it with "
                          f"`corpus index {outdir}`")
    con.row_factory = sqlite3.Row
    return con


def article_rows(con: sqlite3.Connection) -> list[sqlite3.Row]:
    """Every article of the index, in id order."""
    return con.execute("SELECT * FROM articles ORDER BY article_id").fetchall()


def iter_texts(con: sqlite3.Connection, side: str, every: int) -> Iterable[str]:
    """Every ``every``-th bead's text on ``side`` (a sample of the corpus)."""
    if side not in ("zh", "en"):
        raise SearchError(f"side must be zh or en, not {side!r}")
    # row ids counted out by a recursive CTE: a few thousand lookups by key, where a
    # filter on the id would read the whole table
    sql = (f"WITH RECURSIVE s(x) AS (SELECT ? UNION ALL SELECT x + ? FROM s "
           f"WHERE x + ? <= (SELECT max(id) FROM beads)) "
           f"SELECT b.{side} FROM s JOIN beads b ON b.id = s.x")
    for (text,) in con.execute(sql, (every, every, every)):
        yield text
