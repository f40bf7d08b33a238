"""The workbench's article model: edits keep every sentence once and in order; undo."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpus import corrections
from corpus.cli import main
from corpus.errors import CorrectionsError
from corpus.model import Bead
from corpus.serve import articles
from corpus.serve.articles import State, apply_op, link, merge, split, unmatch
from tests.lockhelp import ROOT, lock_held_elsewhere
from tests.workbenchdata import write_built

B = [Bead((0,), (0,)), Bead((1, 2), (1,)), Bead((3,), ()), Bead((), (2,)), Bead((4,), (3, 4))]


def _ids(beads):
    return [str(b) for b in beads]


def test_each_edit():
    assert _ids(merge(B, 0)) == ["[0,1,2]:[0,1]", "[3]:[]", "[]:[2]", "[4]:[3,4]"]
    assert _ids(merge(B, 2)) == ["[0]:[0]", "[1,2]:[1]", "[3]:[2]", "[4]:[3,4]"]
    assert _ids(split(B, 1, "zh", 2)) == ["[0]:[0]", "[1]:[1]", "[2]:[]", "[3]:[]", "[]:[2]",
                                          "[4]:[3,4]"]
    assert _ids(split(B, 4, "en", 4))[-2:] == ["[4]:[3]", "[]:[4]"]
    assert _ids(unmatch(B, "zh", 1))[1:3] == ["[1]:[]", "[2]:[1]"]
    assert _ids(unmatch(B, "zh", 2))[1:3] == ["[1]:[1]", "[2]:[]"]
    assert _ids(unmatch(B, "en", 0))[:2] == ["[]:[0]", "[0]:[]"]
    assert _ids(link(B, "zh", 3, "prev"))[1:3] == ["[1,2,3]:[1]", "[]:[2]"]  # bead 2 gone
    assert _ids(link(B, "en", 2, "next"))[-1] == "[4]:[2,3,4]"
    assert _ids(link(B, "zh", 2, "next"))[1:3] == ["[1]:[1]", "[2,3]:[]"]


@pytest.mark.parametrize("op", ["merge:4", "merge:-1", "split:0:zh:0", "split:1:zh:1",
                                "unmatch:zh:3", "link:zh:0:prev", "link:en:4:next",
                                "link:zh:1:next", "bogus", "merge:1;rm -rf", "split:9:zh:1"])
def test_impossible_edits_are_refused(op):
    with pytest.raises(CorrectionsError):
        apply_op(B, op)


_OPS = st.one_of(
    st.builds(lambda k: f"merge:{k}", st.integers(0, 8)),
    st.builds(lambda k, s, i: f"split:{k}:{s}:{i}", st.integers(0, 8),
              st.sampled_from(["zh", "en"]), st.integers(0, 8)),
    st.builds(lambda s, i: f"unmatch:{s}:{i}", st.sampled_from(["zh", "en"]), st.integers(0, 8)),
    st.builds(lambda s, i, d: f"link:{s}:{i}:{d}", st.sampled_from(["zh", "en"]),
              st.integers(0, 8), st.sampled_from(["prev", "next"])),
)


@given(st.lists(_OPS, max_size=12))
def test_any_sequence_of_edits_keeps_the_beads_valid(ops):
    beads = list(B)
    for op in ops:
        try:
            beads = apply_op(beads, op)
        except CorrectionsError:
            continue
        corrections.check_beads(beads, 5, 5)


def test_edit_save_state_and_undo(tmp_path):
    out = write_built(tmp_path / "aligned")
    aid = "20240105-belt-road"
    view = articles.load(out, aid)
    assert view.state.state == State.NONE and view.undo_depth == 0
    view = articles.edit(out, aid, "merge:0")
    assert view.state.state == State.PENDING
    assert str(view.doc.alignment.beads[0]) == "[0,1]:[0,1]"
    assert view.is_built(view.doc.alignment.beads[1]) and not view.is_built(
        view.doc.alignment.beads[0])
    path = corrections.corrections_path(out, aid)
    assert corrections.read(path).beads[0] == Bead((0, 1), (0, 1))
    view = articles.edit(out, aid, "link:zh:3:prev")
    assert view.undo_depth == 2
    view = articles.undo(out, aid)
    assert str(view.doc.alignment.beads[2]) == "[3]:[]" and path.is_file()
    view = articles.undo(out, aid)
    assert view.state.state == State.NONE and not path.exists()
    with pytest.raises(CorrectionsError, match="nothing to undo"):
        articles.undo(out, aid)


def test_stale_and_invalid_files_are_shown_as_such(tmp_path, capsys):
    out = write_built(tmp_path / "aligned")
    aid = "20240320-port-deal"
    assert main(["corrections", str(out), "--start", aid]) == 0
    path = corrections.corrections_path(out, aid)
    assert capsys.readouterr().out.strip() == str(path)
    assert articles.load(out, aid).state.state == State.BUILT
    assert main(["corrections", str(out)]) == 0
    assert capsys.readouterr().out.split() == ["applied", aid, "applied", "by", "the", "build"]
    path.write_text(path.read_text(encoding="utf-8").replace("[1,2]:[1]", "[2]:[1]"),
                    encoding="utf-8")
    assert articles.load(out, aid).state.state == State.INVALID
    assert main(["corrections", str(out)]) == 1
    assert f"invalid  {aid}  {path}:5: zh sentence 1 is missing" in capsys.readouterr().out
    text = corrections.dumps(aid, [Bead((0,), (0,)), Bead((1, 2), (1,))], ["a", "b", "c"],
                             ["x", "y"])
    path.write_text(text, encoding="utf-8")
    assert articles.load(out, aid).state.state == State.STALE
    with pytest.raises(CorrectionsError):
        articles.edit(out, "20240320-port-deal", "merge:9")


def test_a_build_starting_during_a_workbench_write_waits_for_it(tmp_path, monkeypatch):
    out = write_built(tmp_path / "aligned")
    aid = "20240105-belt-road"
    path = corrections.corrections_path(out, aid)
    inside, release = threading.Event(), threading.Event()
    real_dumps = corrections.dumps

    def slow_dumps(*args, **kw):  # the write pauses here, holding the folder
        inside.set()
        release.wait(30)
        return real_dumps(*args, **kw)

    monkeypatch.setattr(corrections, "dumps", slow_dumps)
    writer = threading.Thread(target=articles.edit, args=(out, aid, "merge:0"))
    writer.start()
    try:
        assert inside.wait(30)
        build = subprocess.Popen(  # takes the lock as corpus build does, then looks
            [sys.executable, "-c", "import logging; from pathlib import Path; "
             "from corpus.outdir import locked; logging.basicConfig()\n"
             f"with locked(Path({str(out)!r})):\n print(Path({str(path)!r}).is_file())"],
            env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        waiting = build.stderr.readline()
        assert "being written by process" in waiting and "corpus serve" in waiting
    finally:
        release.set()
        writer.join(30)
    stdout, _ = build.communicate(timeout=30)
    assert stdout.strip() == "True"  # the build went on only once the write was complete


def test_starting_corrections_while_a_build_runs_is_refused(tmp_path, capsys):
    out = write_built(tmp_path / "aligned")
    aid = "20240105-belt-road"
    with lock_held_elsewhere(out) as pid:
        assert main(["corrections", str(out), "--start", aid]) == 2
    assert f"being written by process {pid}" in capsys.readouterr().err
    assert not corrections.corrections_path(out, aid).exists()


def test_the_lock_says_which_command_holds_the_folder(tmp_path, monkeypatch):
    out = write_built(tmp_path / "aligned")
    aid = "20240105-belt-road"
    held = []
    real = articles.locked

    def recording(folder, **kw):
        held.append(kw["purpose"])
        return real(folder, **kw)

    monkeypatch.setattr(articles, "locked", recording)
    assert main(["corrections", str(out), "--start", aid]) == 0
    articles.edit(out, aid, "merge:0")
    assert held == ["corpus corrections --start", "corpus serve, saving corrections"]


def test_an_endless_undo_file_means_nothing_to_undo(tmp_path):
    out = write_built(tmp_path / "aligned")
    aid = "20240105-belt-road"
    articles.edit(out, aid, "merge:0")
    undo_file = corrections.corrections_path(out, aid).parent / articles.UNDO_DIR / f"{aid}.json"
    undo_file.unlink()
    undo_file.symlink_to("/dev/zero")  # read whole, it never ends
    assert articles.load(out, aid).undo_depth == 0


def test_a_damaged_undo_file_means_nothing_to_undo(tmp_path):
    out = write_built(tmp_path / "aligned")
    aid = "20240105-belt-road"
    articles.edit(out, aid, "merge:0")
    undo_file = corrections.corrections_path(out, aid).parent / articles.UNDO_DIR / f"{aid}.json"
    undo_file.write_text("[" * 100_000, encoding="utf-8")  # nested past the JSON parser's limit
    assert articles.load(out, aid).undo_depth == 0
    assert articles.edit(out, aid, "merge:0").undo_depth == 1  # and edits go on
