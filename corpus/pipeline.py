"""`corpus build`: seeds in, aligned corpus out — batch, resumable, observable.

For every seed: read it, get the English original (cache, fallbacks), segment both
sides, align, and write per-article files; then merge them into corpus-wide files
and record everything in ``manifest.json``. One article failing never stops the
batch. Each article's files are written atomically and only then recorded as done,
so a run killed at any moment and run again ends exactly where an uninterrupted
run would have.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus import __version__, corrections
from corpus.config import BuildConfig, ExportFormat, to_dict
from corpus.errors import AlignError, CorpusError, ExtractError, SeedError, SegmentError
from corpus.manifest import MANIFEST_NAME, ArticleRecord, Manifest, Status
from corpus.model import AlignedDocument, Alignment, Article, EnglishText
from corpus.outdir import check_folder, locked, reserved_reason
from corpus.seeds import SeedBatch, SeedFailure, read_seeds

if TYPE_CHECKING:
    from corpus.embed import Encoder
    from corpus.fetch import Fetcher
    from corpus.provenance import Provenance

log = logging.getLogger(__name__)



@dataclass(slots=True)
class BuildResult:
    """What a build did: the manifest records and the time per stage."""

    outdir: Path
    records: list[ArticleRecord]
    seconds: dict[str, float] = field(default_factory=dict)
    pairs_written: int = 0  # beads in the corpus-wide files, after filters
    merged: dict[str, str] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> list[ArticleRecord]:
        return [r for r in self.records if r.status == Status.FAILED]

    def counts(self) -> Counter[str]:
        return Counter(r.status for r in self.records)


# Seconds spent per stage, summed over articles.
Seconds = defaultdict[str, float]

# A progress hook: (stage, done, total). The CLI turns it into progress bars.
Progress = Callable[[str, int, int | None], None]


def _no_progress(stage: str, done: int, total: int | None) -> None:
    return None


def settings_signature(config: BuildConfig) -> dict[str, Any]:
    """The settings that change what an article's outputs contain (resume compares these)."""
    return {
        "toolkit": __version__,
        "model": config.model,
        "segment": to_dict(config.segment),
        "align": to_dict(config.align),
        "export": to_dict(config.export),
    }


def _input_hash(article: Article, signature: dict[str, Any], config: BuildConfig) -> str:
    """Hash what an article's outputs depend on: the seed's content, the settings, and any
    English original the user supplies (a new or edited file means the outputs are stale)."""
    from corpus.fetch import sidecar_paths

    h = hashlib.sha256()
    h.update(json.dumps(article.to_dict() | {"seed_path": None}, sort_keys=True,
                        ensure_ascii=False).encode())
    h.update(json.dumps(signature, sort_keys=True).encode())
    given = config.fetch.originals.get(article.id)
    for path in [Path(given)] if given else sidecar_paths(article):
        if path.is_file():
            h.update(_file_digest(path))
    fix = corrections.existing(config.outdir, article.id)
    if fix is not None:  # a saved or edited correction redoes the article
        h.update(b"corrections" + _file_digest(fix))
    return h.hexdigest()[:20]


def _file_digest(path: Path) -> bytes:
    """SHA-256 of a file, read in blocks: a wrong file of gigabytes costs time, not memory
    (its reader refuses it later, with a reason)."""
    try:
        with path.open("rb") as fh:
            return hashlib.file_digest(fh, "sha256").digest()
    except OSError as err:  # its reader reports it, for this article alone
        return f"unreadable: {err.strerror}".encode()


def _select(batch: SeedBatch, config: BuildConfig) -> list[Article]:
    arts = batch.articles
    if config.since is not None:
        since: date = config.since
        arts = [a for a in arts if a.published is None or a.published.date() >= since]
    arts.sort(key=lambda a: a.id)
    if config.limit is not None:
        arts = arts[: config.limit]
    return arts


def _record_base(article: Article, input_hash: str) -> ArticleRecord:
    return ArticleRecord(
        key=article.id, status=Status.FAILED, seed=article.seed_path, cn_url=article.cn_url,
        en_url=article.en_url, input_hash=input_hash,
        counts={"zh_paragraphs": len(article.paragraphs)},
    )


def _is_current(rec: ArticleRecord | None, input_hash: str, outdir: Path) -> bool:
    return (
        rec is not None and rec.status == Status.DONE and rec.input_hash == input_hash
        and bool(rec.outputs) and all((outdir / f).is_file() for f in rec.outputs.values())
    )


def build(seed_paths: Iterable[str | Path], config: BuildConfig,
          progress: Progress = _no_progress, *,
          seed_failures: Iterable[SeedFailure] = (),
          fetcher: Fetcher | None = None) -> BuildResult:
    """Run every stage for every seed under ``seed_paths`` and write ``config.outdir``.

    ``seed_failures`` are inputs that never became seeds (addresses that gave none): they
    are recorded in the manifest as failures beside the seeds that could not be read.
    ``fetcher``: one over ``config.fetch`` that fetched before (the seeds of ``--url``), so
    its per-host rate limit and robots rules carry on; by default the build makes its own.
    """
    paths = [Path(p) for p in seed_paths]
    failures = list(seed_failures)
    missing = [str(p) for p in paths if not p.exists()]
    if missing and not failures:  # checked before anything is written
        raise SeedError(f"no such seed file or folder: {', '.join(missing)}")
    outdir = check_folder(config.outdir, "the output folder (-o)")
    _check_cache(config)
    with locked(outdir):
        return _build(paths, config, progress, failures, outdir, fetcher)


def _check_cache(config: BuildConfig) -> None:
    """An unusable cache folder fails the build up front, not every article after a fetch."""
    if config.fetch.offline:
        return  # read only; a missing cache is then reported per article
    from corpus.cache import PageCache

    check_folder(PageCache(config.fetch.cache_dir).dir, "the cache folder (--cache-dir)")


def _build(seed_paths: list[Path], config: BuildConfig, progress: Progress,
           seed_failures: list[SeedFailure], outdir: Path,
           fetcher: Fetcher | None) -> BuildResult:
    manifest_path = outdir / MANIFEST_NAME
    old = Manifest.load(manifest_path)
    signature = settings_signature(config)
    manifest = Manifest(provenance={
        "toolkit": f"corpus {__version__}",
        "settings": signature,
        "fetch": {k: v for k, v in to_dict(config.fetch).items()
                  if k in {"user_agent", "offline", "refresh", "rate"}},
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
    })
    seconds: Seconds = defaultdict(float)

    t0 = time.perf_counter()
    batch = read_seeds(seed_paths, exclude=[outdir])
    batch.failures.extend(seed_failures)
    seconds["seeds"] += time.perf_counter() - t0
    for f in batch.failures:
        manifest.articles[f.path] = ArticleRecord(key=f.path, seed=f.path, status=Status.FAILED,
                                                  stage="seeds", reason=f.reason)
    from corpus.fetch import check_originals

    check_originals(config.fetch.originals, batch.articles)  # a typo is an error, not ignored
    articles = _select(batch, config)
    if not batch.articles and not batch.failures:
        raise SeedError(f"no seed documents found in {', '.join(map(str, seed_paths))}; put "
                        "cn.nytimes.com exports there (see docs/seeds.md)")
    log.info("%d articles to build (%d seeds unreadable)", len(articles), len(batch.failures))

    todo, hashes = _plan(articles, old, manifest, signature, config)
    log.info("%d up to date, %d to do", len(articles) - len(todo), len(todo))
    manifest.save(manifest_path)
    try:
        _run_articles(todo, hashes, manifest, manifest_path, config, seconds, progress,
                      fetcher)
    except KeyboardInterrupt:
        pending = _mark_interrupted(todo, manifest)
        result = BuildResult(outdir, [manifest.articles[k] for k in sorted(manifest.articles)],
                             {k: round(v, 3) for k, v in seconds.items()})
        manifest.summary = result.summary = summarize(result)
        manifest.save(manifest_path)
        log.info("interrupted: %d articles pending", pending)
        raise BuildInterrupted(result) from None

    t0 = time.perf_counter()
    done_ids = sorted(k for k, r in manifest.articles.items() if r.status == Status.DONE)
    merged, pairs = ({}, 0) if config.only_fetch else _merge_corpus(done_ids, config)
    seconds["merge"] += time.perf_counter() - t0
    if config.report and not config.only_fetch:
        t0 = time.perf_counter()
        merged["report"] = str(write_corpus_report(done_ids, outdir).relative_to(outdir))
        seconds["report"] += time.perf_counter() - t0
    if not config.only_fetch:
        t0 = time.perf_counter()
        merged.update(write_index(done_ids, outdir))
        seconds["index"] += time.perf_counter() - t0
    result = BuildResult(outdir, [manifest.articles[k] for k in sorted(manifest.articles)],
                         {k: round(v, 3) for k, v in seconds.items()}, pairs, merged)
    manifest.summary = result.summary = summarize(result)
    manifest.save(manifest_path)
    return result


class BuildInterrupted(KeyboardInterrupt):
    """A build stopped by Ctrl-C: done articles are kept, the rest recorded as interrupted.

    A KeyboardInterrupt still (callers that stop on one do), with the result so far.
    """

    def __init__(self, result: BuildResult) -> None:
        super().__init__("the build was interrupted")
        self.result = result


INTERRUPTED_REASON = "the build was interrupted before this article finished; run it again"


def _mark_interrupted(todo: list[Article], manifest: Manifest) -> int:
    """Record the articles of ``todo`` that did not finish as interrupted; return how many."""
    n = 0
    for art in todo:
        rec = manifest.articles[art.id]
        if not rec.finished:  # set once an article's files and record are complete
            rec.status, rec.stage, rec.reason = Status.INTERRUPTED, "", INTERRUPTED_REASON
            n += 1
    return n


def _plan(articles: list[Article], old: Manifest, manifest: Manifest,
          signature: dict[str, Any], config: BuildConfig
          ) -> tuple[list[Article], dict[str, str]]:
    """Fill ``manifest`` with a record per article; return the articles to (re)do and
    their input hashes by id.

    An article whose outputs are complete and whose inputs and settings are unchanged keeps
    its record and is skipped (unless --force; --only-fetch fetches it without touching its
    outputs). Done articles of earlier runs that this run did not select (--limit, --since)
    stay in the manifest, so the corpus-wide files keep describing the whole folder.
    """
    outdir = Path(config.outdir)
    todo: list[Article] = []
    hashes: dict[str, str] = {}
    for art in articles:
        h = _input_hash(art, signature, config)
        prev = old.articles.get(art.id)
        reserved = reserved_reason(art.id, config.export.corpus_name)
        if reserved:  # its files would overwrite the toolkit's own (an id "corpus")
            rec = _record_base(art, h)
            rec.stage, rec.reason = "export", reserved
            manifest.articles[art.id] = rec
            continue
        if _is_current(prev, h, outdir) and not config.force:
            manifest.articles[art.id] = prev  # type: ignore[assignment]
            if not config.only_fetch:
                continue
        elif prev is not None and _is_current(prev, prev.input_hash, outdir):
            # --force or changed inputs: the article stays done (its complete files stay in
            # the corpus) until it is redone; an interrupted run must not drop it
            manifest.articles[art.id] = prev
        else:
            manifest.articles[art.id] = _record_base(art, h)
        todo.append(art)
        hashes[art.id] = h
    for key, prev in old.articles.items():
        if key not in manifest.articles and _is_current(prev, prev.input_hash, outdir):
            manifest.articles[key] = prev
    return todo, hashes


def _run_articles(todo: list[Article], hashes: dict[str, str], manifest: Manifest,
                  manifest_path: Path, config: BuildConfig, seconds: Seconds,
                  progress: Progress, given: Fetcher | None) -> None:
    """Fetch, align and write every article in ``todo``, saving the manifest after each
    (``hashes``: their input hashes, as :func:`_plan` computed them)."""
    from corpus.fetch import Fetcher

    outdir = Path(config.outdir)
    aligner = _Aligner(config)
    n_fetched = n_aligned = 0
    progress("fetch", 0, len(todo))
    with contextlib.nullcontext(given) if given else Fetcher(config.fetch) as fetcher:
        for art, got, fetch_s in _fetch_all(fetcher, todo):
            n_fetched += 1
            progress("fetch", n_fetched, len(todo))
            rec = manifest.articles[art.id]
            if config.only_fetch and rec.status == Status.DONE:
                continue  # fetched to refresh the cache; its outputs stay as they are
            if rec.status == Status.DONE:  # being redone: a fresh record replaces the done
                # one once this article has finished (stopped midway, it stays done)
                rec = _record_base(art, hashes[art.id])
            rec.seconds["fetch"] = round(fetch_s, 3)
            seconds["fetch"] += fetch_s
            if isinstance(got, CorpusError):
                _fail(rec, got, art)
            else:
                _note_source(rec, got)
                _check_dual_chinese(rec, art, got)
                if config.only_fetch:
                    rec.status, rec.reason = Status.SKIPPED, "--only-fetch: fetched, not aligned"
                else:
                    try:
                        _align_and_write(art, got, rec, aligner, outdir, config, seconds)
                    except Exception as err:  # a bug in one article must not stop a batch
                        log.exception("%s: unexpected error", art.id)
                        rec.status, rec.stage = Status.FAILED, "align"
                        rec.reason = f"unexpected error (a bug; please report it): {err!r}"
                    n_aligned += 1
                    progress("align", n_aligned, len(todo))
            rec.finished = datetime.now(UTC).isoformat(timespec="seconds")
            manifest.articles[art.id] = rec
            manifest.save(manifest_path)  # after the files: a record never points at nothing
    if aligner.encoder_seconds:
        seconds["model load"] = aligner.encoder_seconds


def _fetch_all(fetcher: Fetcher, todo: list[Article]
               ) -> Iterator[tuple[Article, EnglishText | CorpusError, float]]:
    """Yield (article, English text or error, seconds) as fetches complete.

    The fetcher runs its worker pool in the background, so alignment of one article
    overlaps with fetching the next ones.
    """
    last = time.perf_counter()
    for art, got in fetcher.fetch_many(todo):
        now = time.perf_counter()
        yield art, got, now - last
        last = time.perf_counter()


def _note_source(rec: ArticleRecord, eng: EnglishText) -> None:
    rec.source = eng.source.value
    rec.attempts = [a.to_dict() for a in eng.attempts]
    rec.counts["en_paragraphs"] = len(eng.paragraphs)


def _check_dual_chinese(rec: ArticleRecord, art: Article, eng: EnglishText) -> None:
    """Record whether the bilingual page's Chinese is the seed's; the seed's is used."""
    if not eng.pairs:
        return
    from corpus.dualcheck import check_chinese

    check = check_chinese(art.paragraphs, eng.pairs)
    rec.counts["dual_zh"] = check.to_dict()
    if not check.same:
        log.warning("%s: %s", art.id, check.describe())


def _fail(rec: ArticleRecord, err: CorpusError, art: Article) -> None:
    """Record why the English text of ``art`` could not be had."""
    attempts = getattr(err, "attempts", None)
    if attempts:
        rec.attempts = [a.to_dict() for a in attempts]
    if art.en_url is None:  # a Chinese-original story, and no fallback had its English
        rec.status, rec.stage = Status.SKIPPED, "fetch"
        rec.reason = art.en_url_problem or "the seed names no English original"
        return
    rec.status = Status.FAILED
    rec.stage = "extract" if isinstance(err, ExtractError) else "fetch"  # the fetcher's errors
    rec.reason = err.message
    log.info("%s: %s", art.id, err.message)  # the CLI lists failures after the summary


class _Aligner:
    """Loads the encoder on first use (not for --only-fetch or all-failed runs) and keeps it."""

    def __init__(self, config: BuildConfig) -> None:
        self.config = config
        self._encoder: Encoder | None = None
        self._encoder_name: str | None = None  # with its package's version: looked up once
        self.encoder_seconds = 0.0

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            from corpus.embed import load_encoder
            from corpus.provenance import describe_encoder

            t0 = time.perf_counter()
            encoder = load_encoder(self.config.model)
            load = getattr(encoder, "load", None)
            if callable(load):  # load now, so the time shows as model load, not align
                load()
            self._encoder = encoder
            self.encoder_seconds = time.perf_counter() - t0
            self._encoder_name = describe_encoder(encoder)
        return self._encoder

    def provenance(self, alignment: Alignment, eng: EnglishText) -> Provenance:
        """What produced an article's beads: this toolkit, the encoder as loaded, the
        aligner's and segmenter's settings, and the source of the English."""
        from corpus.provenance import Provenance

        return Provenance(
            encoder=alignment.encoder if self._encoder_name is None else self._encoder_name,
            aligner=dict(alignment.params) or to_dict(self.config.align),
            segmenter={"splitter": "corpus.segment", **to_dict(self.config.segment)},
            english_source=eng.source.value)


def _merge_corpus(article_ids: list[str], config: BuildConfig) -> tuple[dict[str, str], int]:
    """Write the corpus-wide files from the articles' bead files, in article id order;
    return the files written and the number of beads kept after filters."""
    from corpus.export.merge import merge_corpus

    result = merge_corpus(article_ids, config.outdir, config.export)
    files = {fmt.value: f"{config.export.corpus_name}.{fmt.value}" for fmt in config.export.formats}
    removed = _remove_stale(Path(config.outdir), config.export.corpus_name,
                            config.export.formats)
    if removed:
        files["removed"] = ", ".join(removed)
    return files, result.kept


def _align_and_write(art: Article, eng: EnglishText, rec: ArticleRecord, aligner: _Aligner,
                     outdir: Path, config: BuildConfig, seconds: Seconds) -> None:
    from corpus.align import align_sentences
    from corpus.export.merge import export_article, file_stem
    from corpus.segment import split_paragraphs

    stage = "align"
    marks: list[float] = []
    try:
        encoder = aligner.encoder  # loads the model on first use; counted as "model load"
        stage = "segment"
        marks.append(time.perf_counter())
        _check_size(art.id, "characters", sum(map(len, art.paragraphs)),
                    sum(map(len, eng.paragraphs)), config.max_chars, "max_chars")
        zh = split_paragraphs(art.paragraphs, "zh", config.segment)
        en = split_paragraphs(eng.paragraphs, "en", config.segment)
        _check_size(art.id, "sentences", len(zh), len(en), config.max_sentences,
                    "max_sentences")
        stage = "align"
        marks.append(time.perf_counter())
        anchors = None
        if eng.pairs and config.align.dual_anchors:
            from corpus.score import paragraph_pair_maps

            anchors = paragraph_pair_maps(art.paragraphs, eng.paragraphs, eng.pairs)
        alignment = align_sentences(zh, en, encoder, config.align, paragraph_pairs=anchors)
        stage = "corrections"
        alignment, fix = corrections.apply(
            outdir, art.id, [s.text for s in zh], [s.text for s in en], alignment,
            corrections.encoder_scorer(encoder))
        meta = _doc_meta(art, eng)
        provenance = aligner.provenance(alignment, eng)
        if fix is not None:
            rec.corrections = fix.to_dict()
            if fix.status == corrections.Status.APPLIED:
                meta["corrections"] = fix.file  # every exported bead says it was corrected
                provenance = replace(provenance, corrections=(fix.file,))
        stage = "align"
        doc = AlignedDocument(art.id, zh, en, alignment, meta=meta, provenance=provenance)
        _check_alignment(doc, config)
        marks.append(time.perf_counter())
        stage = "export"
        rec.outputs = export_article(doc, outdir, config.export)
        _remove_stale(outdir, file_stem(art.id),
                      config.export.formats if config.export.per_article else ())
    except CorpusError as err:
        rec.status, rec.stage, rec.reason = Status.FAILED, stage, err.message
        log.info("%s: %s failed: %s", art.id, stage, err.message)
        return
    finally:
        marks.append(time.perf_counter())
        for name, a, b in zip(("segment", "align", "export"), marks, marks[1:], strict=False):
            rec.seconds[name] = round(b - a, 3)
            seconds[name] += b - a
    kinds = Counter(b.kind for b in alignment.beads)
    scored = [b.score for b in alignment.beads if b.zh and b.en]
    rec.counts.update({
        "zh_sentences": len(zh), "en_sentences": len(en), "beads": dict(sorted(kinds.items())),
        "pairs": len(scored),
    })
    rec.mean_score = round(sum(scored) / len(scored), 4) if scored else None
    if anchors is not None:  # paragraph pairs the aligner held to
        rec.counts["dual_anchor_pairs"] = len({k for k in anchors[0] if k is not None})
    # the bilingual page's paragraph pairs: a check (by construction when they were anchors)
    if eng.pairs:
        from corpus.score import paragraph_agreement

        agreement = paragraph_agreement(doc, art.paragraphs, eng.paragraphs, eng.pairs)
        if agreement is not None:
            rec.counts["dual_paragraph_agreement"] = round(agreement, 4)
    rec.status, rec.stage, rec.reason = Status.DONE, "", ""


def _remove_stale(outdir: Path, stem: str, wanted: tuple[ExportFormat, ...]) -> list[str]:
    """Remove ``stem``'s files in the formats not ``wanted`` (a rerun with another
    --format): left in place they would look current. Returns their names."""
    removed = []
    for fmt in ExportFormat:
        if fmt in wanted:
            continue
        for path in (outdir / f"{stem}.{fmt.value}", outdir / f"{stem}.{fmt.value}.meta.json"):
            if path.is_file():
                path.unlink()
                removed.append(path.name)
    if removed:
        log.info("removed files of formats not chosen this time: %s", ", ".join(removed))
    return removed


def write_corpus_report(article_ids: list[str], outdir: Path) -> Path:
    """Write the side-by-side HTML report of the done articles under ``outdir/report``."""
    from corpus.export.merge import beads_path, read_inputs
    from corpus.report import documents_from_records, write_report

    got = read_inputs([beads_path(outdir, a) for a in article_ids], ExportFormat.JSONL)
    return write_report(documents_from_records(got.records), outdir / "report",
                        provenance=got.provenance)


def write_index(article_ids: list[str], outdir: Path) -> dict[str, str]:
    """Bring the search index ``corpus.sqlite`` up to date (only changed articles are
    re-indexed); a Python whose SQLite cannot is no error."""
    from corpus.errors import SearchError
    from corpus.index import update_index

    try:
        return {"index": update_index(outdir, article_ids).path.name}
    except SearchError as err:
        log.warning("no search index: %s", err)
        return {}


def _doc_meta(art: Article, eng: EnglishText) -> dict[str, Any]:
    return {
        "title": art.title, "title_en": eng.title, "cn_url": art.cn_url,
        "en_url": eng.final_url or eng.url or art.en_url, "source": eng.source.value,
        "published": art.published.isoformat() if art.published else None,
        # the English paragraphs that are subheads, for the report ("2,6"; absent if none)
        "en_headings": ",".join(map(str, eng.headings)) or None,
    }


def _check_size(article_id: str, what: str, zh: int, en: int, limit: int, key: str) -> None:
    """Refuse an article larger than the per-article bound (memory grows with sentences)."""
    if max(zh, en) > limit:
        raise SegmentError(
            f"too long to align: {zh} Chinese and {en} English {what} (limit {limit} a side); "
            f"if the text is right, raise {key} in the build config",
            article_id=article_id)


def _check_alignment(doc: AlignedDocument, config: BuildConfig) -> None:
    """Refuse an alignment that matched almost nothing: the English is likely the wrong text."""
    if not doc.zh or not doc.en:
        raise AlignError("nothing to align: one side has no sentences", article_id=doc.article_id)
    matched = sum(len(b.zh) for b in doc.alignment.beads if b.zh and b.en)
    coverage = matched / len(doc.zh)
    if coverage < config.min_coverage:
        raise AlignError(
            f"only {coverage:.0%} of the Chinese sentences found an English counterpart "
            f"(minimum {config.min_coverage:.0%}): the English text is probably not this "
            "article's original; check the source in the manifest or pass --original",
            article_id=doc.article_id)


def summarize(result: BuildResult) -> dict[str, Any]:
    """A JSON-ready summary: counts by status, failures by reason, pairs, time per stage."""
    counts = result.counts()
    reasons = Counter(f"{r.stage}: {_reason_class(r.reason)}" for r in result.failed)
    sources = Counter(r.source for r in result.records if r.status == Status.DONE and r.source)
    fixes: dict[str, list[str]] = {}
    for r in result.records:
        if r.corrections:
            fixes.setdefault(r.corrections.get("status", "?"), []).append(r.key)
    return {
        "articles": len(result.records),
        "done": counts.get(Status.DONE, 0),
        "skipped": counts.get(Status.SKIPPED, 0),
        "failed": counts.get(Status.FAILED, 0),
        "interrupted": counts.get(Status.INTERRUPTED, 0),
        "failed_by_reason": dict(reasons.most_common()),
        "sources": dict(sources.most_common()),
        "pairs_written": result.pairs_written,
        "seconds": result.seconds,
        "merged": result.merged,
        "corrections": fixes,  # status -> article ids (corrections.Status)
    }


def _reason_class(reason: str) -> str:
    """Group similar reasons (the URL or id after a colon varies)."""
    return reason.split(";")[0][:80]


def format_summary(summary: dict[str, Any]) -> str:
    """Render the summary as the table the CLI prints at the end of a build."""
    lines = [
        f"articles   {summary['articles']:>6}",
        f"  done     {summary['done']:>6}",
        f"  skipped  {summary['skipped']:>6}",
        f"  failed   {summary['failed']:>6}",
    ]
    for reason, n in summary["failed_by_reason"].items():
        lines.append(f"    {n:>4}  {reason}")
    if summary.get("interrupted"):
        lines.append(f"  interrupted {summary['interrupted']:>3}  (not finished)")
    if summary["sources"]:
        lines.append("sources    " + ", ".join(f"{k} {v}" for k, v in summary["sources"].items()))
    fixes = summary.get("corrections") or {}
    if fixes:
        lines.append("corrections " + ", ".join(f"{k} {len(v)}" for k, v in fixes.items()))
        for key in fixes.get(corrections.Status.STALE, []):
            lines.append(f"    stale (not applied, see the manifest): {key}")
    lines.append(f"beads      {summary['pairs_written']:>6}  (corpus-wide files, after filters)")
    secs = summary["seconds"]
    if secs:
        lines.append("time (s)   " + ", ".join(f"{k} {v:.1f}" for k, v in secs.items()))
    return "\n".join(lines)
