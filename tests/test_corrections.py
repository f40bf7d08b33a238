"""Corrections files: parsing, checking, writing, and applying them in a build."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpus import corrections
from corpus.config import SegmentConfig
from corpus.errors import CorrectionsError
from corpus.export.jsonl import read_jsonl_records
from corpus.index import connect
from corpus.model import Alignment, Bead
from corpus.pipeline import build

ZH = ["市长宣布了计划。", "计划包括三座桥。", "译者补充。", "工程明年开始。"]
EN = ["The mayor announced a plan.", "It includes three bridges.", "Work starts next year.",
      "A sentence left out."]
BEADS = [Bead((0,), (0,)), Bead((1,), (1,)), Bead((2,), ()), Bead((3,), (2,)), Bead((), (3,))]


def _text(*beads: str, zh: int = 4, en: int = 4, digest: str | None = None) -> str:
    digest = digest or corrections.sentence_digest(ZH[:zh], EN[:en])
    return "\n".join(["# corpus corrections 1", "# article: a1",
                      f"# sentences: zh={zh} en={en} sha256={digest}", *beads]) + "\n"


def test_round_trip_and_hand_written_forms():
    text = corrections.dumps("a1", BEADS, ZH, EN)
    assert text.splitlines()[3:] == ["[0]:[0]", "[1]:[1]", "[2]:[]", "[3]:[2]", "[]:[3]"]
    corr = corrections.parse(text)
    assert corr.beads == tuple(BEADS) and corr.article_id == "a1"
    assert not corrections.is_stale(corr, ZH, EN)
    # spaces, blank lines and trailing comments are fine by hand
    hand = _text("[ 0 ] : [0]", "", "[1]:[ 1 ]   # checked", "[2]:[]", "[3]:[2]", "[]:[3]")
    assert corrections.parse(hand).beads == tuple(BEADS)


@pytest.mark.parametrize(("lines", "line", "says"), [
    (["[0]:[0]", "[1]:[1]", "[2]:[]", "[3]:[2,3]", "[3]:[]"], 8, "zh sentence 3 is already"),
    (["[0]:[0]", "[2]:[1]", "[1]:[]", "[3]:[2,3]"], 5, "zh sentence 1 is missing"),
    (["[0]:[1]", "[1]:[0]", "[2,3]:[2,3]"], 4, "en sentence 0 is missing"),
    (["[0]:[0]", "[1]:[1]", "[]:[]", "[2,3]:[2,3]"], 6, "at least one side"),
    (["[0]:[0]", "[1]:[1]", "[2, 3]:[2,9]"], 6, "en sentence 9 does not exist"),
    (["[0]:[0]", "(1):[1]"], 5, "is not a bead"),
    (["[0]:[0]", "[1,,2]:[1]"], 5, "empty sentence id"),
])
def test_invalid_file_names_the_line(lines, line, says):
    with pytest.raises(CorrectionsError) as err:
        corrections.parse(_text(*lines), where="c.align")
    assert f"c.align:{line}:" in str(err.value)
    assert says in str(err.value)


def test_sentences_left_out_and_missing_header():
    with pytest.raises(CorrectionsError, match=r"zh sentences 3–3 are in no bead"):
        corrections.parse(_text("[0]:[0]", "[1]:[1]", "[2]:[2,3]"))
    with pytest.raises(CorrectionsError, match=r"no '# sentences"):
        corrections.parse("[0]:[0]\n")
    with pytest.raises(CorrectionsError, match=r"c:3: expected '# sentences"):
        corrections.parse("# x\n# article: a\n# sentences: zh=1 en=1\n", where="c")


def test_unsafe_article_ids_name_no_file(tmp_path):
    for bad in ("../etc/passwd", "a/b", ".hidden", "", "a\x00b"):
        with pytest.raises(CorrectionsError):
            corrections.corrections_path(tmp_path, bad)
        assert corrections.existing(tmp_path, bad) is None


@st.composite
def _beads(draw: st.DrawFn) -> tuple[list[Bead], int, int]:
    """Random monotone beads covering 0..n-1 and 0..m-1."""
    beads, i, j = [], 0, 0
    for _ in range(draw(st.integers(1, 12))):
        a, b = draw(st.sampled_from([(1, 1), (0, 1), (1, 0), (2, 1), (1, 2), (2, 2), (3, 1)]))
        beads.append(Bead(tuple(range(i, i + a)), tuple(range(j, j + b))))
        i, j = i + a, j + b
    return beads, i, j


@given(_beads(), st.data())
def test_written_files_parse_back_and_any_moved_id_is_refused(case, data):
    beads, n, m = case
    zh, en = [f"句{i}。" for i in range(n)], [f"S{j}." for j in range(m)]
    text = corrections.dumps("x", beads, zh, en)
    assert corrections.parse(text).beads == tuple(beads)
    # drop or duplicate one sentence id anywhere: the file must be refused
    lines = text.splitlines()
    k = data.draw(st.integers(3, len(lines) - 1))
    zs, es = lines[k].split(":")
    ids = zs.strip("[]")
    if ids:
        bad = f"[{ids},{ids.split(',')[-1]}]:{es}"  # the last id twice
    else:
        bad = f"[]:[{es.strip('[]')},{es.strip('[]').split(',')[-1]}]"
    with pytest.raises(CorrectionsError, match=rf":{k + 1}:"):
        corrections.parse("\n".join([*lines[:k], bad, *lines[k + 1:]]))


def test_apply_keeps_scores_of_unchanged_beads_and_scores_new_ones(tmp_path):
    aligned = Alignment((Bead((0,), (0,), 0.9, 0.97), Bead((1,), (1,), 0.8, 0.91),
                         Bead((2,), (), 0.0, 0.6), Bead((3,), (2, 3), 0.4, 0.3)), "enc")
    assert corrections.apply(tmp_path, "a1", ZH, EN, aligned) == (aligned, None)
    corrections.write(tmp_path, "a1", BEADS, ZH, EN)
    seen = []

    def scorer(pairs):
        seen.extend(pairs)
        return [0.55] * len(pairs)

    got, outcome = corrections.apply(tmp_path, "a1", ZH, EN, aligned, scorer)
    assert outcome == corrections.Outcome("corrections/a1.align", "applied", changed=2)
    assert [b.score for b in got.beads] == [0.9, 0.8, 0.0, 0.55, 0.0]
    # the aligner's beads keep their confidence; the beads a person set are taken as right
    assert [b.confidence for b in got.beads] == [0.97, 0.91, 0.6, 1.0, 1.0]
    assert seen == [("工程明年开始。", "Work starts next year.")]  # only the new 1-1 bead
    assert got.params["corrections"] == "corrections/a1.align"
    without, _ = corrections.apply(tmp_path, "a1", ZH, EN, aligned)  # no encoder: no score
    assert math.isnan(without.beads[3].score)


def test_stale_corrections_are_never_applied(tmp_path):
    aligned = Alignment((Bead((0, 1), (0, 1), 0.9), Bead((2, 3), (2, 3), 0.5)))
    corrections.write(tmp_path, "a1", BEADS, ZH, EN)
    edited = [*ZH[:3], "工程后年开始。"]  # same count, one sentence changed
    got, outcome = corrections.apply(tmp_path, "a1", edited, EN, aligned)
    assert got is aligned
    assert outcome is not None and outcome.status == "stale" and "hash" in outcome.reason
    got, outcome = corrections.apply(tmp_path, "a1", ZH[:3], EN, aligned)
    assert got is aligned and outcome is not None and outcome.status == "stale"


# --------------------------------------------------------------------------- in a build

def _one_article_site(tmp_path: Path, http_server):
    from tests.test_pipeline import _config, _serve_site, _write_seeds

    _serve_site(http_server)
    seeds = _write_seeds(tmp_path / "all-seeds", http_server.base)
    only = tmp_path / "seeds"
    only.mkdir()
    (only / "river.txt").write_text((seeds / "river.txt").read_text(encoding="utf-8"),
                                    encoding="utf-8")
    return only, _config(tmp_path, http_server.base)


ART = "20240301-river-cleanup"


def _indexed_state(out: Path) -> str:
    con = connect(out)
    try:
        return con.execute("SELECT corrections_status FROM articles WHERE article_id = ?",
                           (ART,)).fetchone()[0]
    finally:
        con.close()


@pytest.mark.slow
def test_build_applies_corrections_keeps_them_on_realign_and_reports_stale(tmp_path,
                                                                           http_server):
    seeds, config = _one_article_site(tmp_path, http_server)
    out = Path(config.outdir)
    build([seeds], config)
    recs = read_jsonl_records(out / "beads" / f"{ART}.jsonl")
    zh = [s for r in recs for s in r.zh_sents]
    en = [s for r in recs for s in r.en_sents]
    beads = [Bead(r.pair.zh_ids, r.pair.en_ids) for r in recs]
    # the correction: merge the first two beads into one
    fixed = [Bead(beads[0].zh + beads[1].zh, beads[0].en + beads[1].en), *beads[2:]]
    corrections.write(out, ART, fixed, zh, en)

    result = build([seeds], config)  # the new file makes the article stale: redone
    assert result.records[0].corrections == {"file": f"corrections/{ART}.align",
                                             "status": "applied", "changed_beads": 1}
    got = read_jsonl_records(out / "beads" / f"{ART}.jsonl")
    assert [(r.pair.zh_ids, r.pair.en_ids) for r in got] == [(b.zh, b.en) for b in fixed]
    assert 0 < got[0].pair.score <= 1  # the merged bead was scored by the encoder
    tmx = (out / "corpus.tmx").read_text(encoding="utf-8")
    assert f'<prop type="x-corrections">corrections/{ART}.align</prop>' in tmx
    # and the provenance record of every file says which corrections were applied
    assert f'<prop type="x-corpus-corrections">["corrections/{ART}.align"]</prop>' in tmx
    side = json.loads((out / "corpus.tsv.meta.json").read_text(encoding="utf-8"))
    assert side["corrections"] == [f"corrections/{ART}.align"]
    assert '"corrections": "corrections/' in (out / f"{ART}.jsonl").read_text(encoding="utf-8")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["summary"]["corrections"] == {"applied": [ART]}
    assert _indexed_state(out) == "applied"  # the search index was brought up to date

    # other aligner settings: realigned, the correction still applies
    other = replace(config, align=replace(config.align, margin=0.0))
    result = build([seeds], other)
    assert result.records[0].corrections["status"] == "applied"
    got = read_jsonl_records(out / "beads" / f"{ART}.jsonl")
    assert [(r.pair.zh_ids, r.pair.en_ids) for r in got] == [(b.zh, b.en) for b in fixed]

    # other sentences (a shorter sentence bound cuts long ones): stale, never applied
    cut = replace(config, segment=SegmentConfig(max_chars_zh=20, max_chars_en=60))
    result = build([seeds], cut)
    rec = result.records[0]
    assert rec.status == "done" and rec.corrections["status"] == "stale"
    got = read_jsonl_records(out / "beads" / f"{ART}.jsonl")
    assert len([s for r in got for s in r.zh_sents]) != len(zh)
    assert "corrections" not in (out / f"{ART}.jsonl").read_text(encoding="utf-8")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["summary"]["corrections"] == {"stale": [ART]}
    assert _indexed_state(out) == "stale"

    # an invalid file fails its article with the line named
    path = corrections.corrections_path(out, ART)
    path.write_text(path.read_text(encoding="utf-8") + "[0]:[0]\n", encoding="utf-8")
    rec = build([seeds], config).records[0]
    assert rec.status == "failed" and rec.stage == "corrections"
    assert f"{ART}.align:{len(fixed) + 4}:" in rec.reason
