"""The one bounded read of a user's file (corpus.files), and the commands that use it."""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpus.cli import EXIT_ERROR, main
from corpus.errors import ExportError
from corpus.export import common, merge, tmx
from corpus.files import iter_lines, open_capped, read_capped, read_text

CAP = 2000  # bytes: the tests make the export cap small instead of writing a GiB
# (patched on modules imported above: one first imported under a patch would copy the small
# cap and keep it after the test)

BEAD = {"article_id": "a", "type": "1-1", "score": 0.9, "zh": "你好。", "en": "Hello.",
        "zh_ids": [0], "en_ids": [0]}


def test_read_capped_stops_at_the_cap_on_a_device_of_size_zero():
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    with pytest.raises(ExportError, match=r"/dev/zero is too large for an export \(over 1000"):
        read_capped("/dev/zero", 1000, "an export", error=ExportError)


def test_read_capped_reads_a_file_that_just_fits(tmp_path):
    f = tmp_path / "x"
    f.write_bytes(b"a" * 1000)
    assert read_capped(f, 1000, "x", error=ExportError) == b"a" * 1000
    with pytest.raises(ExportError, match="too large"):
        read_capped(f, 999, "x", error=ExportError)


def test_read_capped_caps_standard_input(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"z" * 50)))
    with pytest.raises(ExportError, match="standard input is too large"):
        read_capped("-", 10, "an export", error=ExportError)


def test_read_text_names_the_file_that_is_not_utf8(tmp_path):
    f = tmp_path / "x.tsv"
    f.write_bytes("café".encode("latin-1"))
    with pytest.raises(ExportError, match=r"x\.tsv is not UTF-8 text .* save it as UTF-8"):
        read_text(f, 100, "an export", error=ExportError)


def test_read_capped_turns_os_errors_into_the_error(tmp_path):
    with pytest.raises(ExportError, match=r"cannot read .*missing"):
        read_capped(tmp_path / "missing", 100, "an export", error=ExportError)


def test_open_capped_reads_in_pieces_up_to_the_cap_and_raises_past_it(tmp_path):
    f = tmp_path / "x"
    f.write_bytes(b"a" * 4000)
    with open_capped(f, 4000, "an export", error=ExportError) as fh:
        assert b"".join(iter(lambda: fh.read(1000), b"")) == b"a" * 4000
    f.write_bytes(b"a" * 4001)
    with open_capped(f, 4000, "an export", error=ExportError) as fh, \
            pytest.raises(ExportError, match=r"x is too large for an export \(over 4000"):
        while fh.read(1000):
            pass


PAD = 8 * 2**20  # bytes of padding: what must not be held in memory while a file is read


def _peak(fn) -> int:
    """Peak bytes Python allocated while ``fn()`` ran."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_tmx_is_parsed_as_it_is_read_not_held_whole(tmp_path):
    f = tmp_path / "padded.tmx"
    tu = ('<tu><tuv xml:lang="zh"><seg>你好。</seg></tuv><tuv xml:lang="en"><seg>Hi.</seg>'
          "</tuv></tu>")
    f.write_text(f'<tmx version="1.4"><header/><body>{tu}{" " * PAD}{tu}</body></tmx>',
                 encoding="utf-8")
    records: list = []
    peak = _peak(lambda: records.extend(tmx.read_tmx_records(f)))
    assert len(records) == 2
    assert peak < PAD / 2  # the whole file in memory would be over PAD


class _Xs(io.RawIOBase):
    """``n`` bytes of ``x``, made as they are read (a BytesIO would lend its own buffer)."""

    def __init__(self, n: int) -> None:
        self.left = n

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        k = min(len(buf), self.left)
        buf[:k] = b"x" * k
        self.left -= k
        return k


def test_standard_input_is_spooled_to_a_file_in_blocks(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BufferedReader(_Xs(PAD))))
    seen = {}

    def spool() -> None:
        with merge._spooled_stdin() as (path, head):
            seen["size"], seen["head"] = path.stat().st_size, head

    peak = _peak(spool)
    assert seen == {"size": PAD, "head": b"x" * 4096}
    assert peak < PAD / 2


def _split(text: str) -> list[str]:
    """Lines as the readers have always split them: on \\n only, \\r\\n as one break."""
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


@given(st.lists(st.sampled_from(["a", "你", "\n", "\r", "\r\n", "\u2028", "\x85", "😀", " "]),
                max_size=40).map("".join))
def test_iter_lines_splits_as_the_readers_always_did(text):
    stream = io.BufferedReader(io.BytesIO(text.encode("utf-8")))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("sys.stdin", io.TextIOWrapper(stream))
        assert list(iter_lines("-", 10_000, "x", error=ExportError)) == _split(text)


def test_iter_lines_decodes_across_its_read_blocks(tmp_path):
    f = tmp_path / "x.txt"
    text = ("a" * 8191 + "你好\n") * 300  # multi-byte characters across every 8 KiB boundary
    f.write_text(text, encoding="utf-8")
    assert list(iter_lines(f, 10**7, "x", error=ExportError)) == _split(text)
    f.write_bytes(text.encode("utf-8") + b"\xff\n")
    with pytest.raises(ExportError, match=r"x\.txt is not UTF-8 text .* save it as UTF-8"):
        list(iter_lines(f, 10**7, "x", error=ExportError))


def test_a_jsonl_export_is_read_line_by_line_not_held_whole(tmp_path):
    f = tmp_path / "padded.jsonl"
    blank = " " * 1023 + "\n"  # blank lines are skipped: only the reading can cost memory
    f.write_text(json.dumps(BEAD) + "\n" + blank * (PAD // 1024) + json.dumps(BEAD) + "\n",
                 encoding="utf-8")
    found: list = []
    peak = _peak(lambda: found.extend(merge.read_records(f)))
    assert len(found) == 2
    assert peak < PAD / 2


def _big_inputs(tmp_path: Path) -> dict[str, Path]:
    """One export of each format, each a little over CAP bytes."""
    n = CAP // 20
    jsonl = tmp_path / "big.jsonl"
    jsonl.write_text("".join(json.dumps({**BEAD, "zh_ids": [i], "en_ids": [i]}) + "\n"
                             for i in range(n)), encoding="utf-8")
    tsv = tmp_path / "big.tsv"
    tsv.write_text("".join(f"你好。\tHello number {i}.\n" for i in range(n)), encoding="utf-8")
    tmx = tmp_path / "big.tmx"
    tus = "".join(f'<tu><tuv xml:lang="zh"><seg>你好。</seg></tuv><tuv xml:lang="en"><seg>Hello '
                  f"{i}.</seg></tuv></tu>" for i in range(n))
    tmx.write_text(f'<tmx version="1.4"><header/><body>{tus}</body></tmx>', encoding="utf-8")
    for p in (jsonl, tsv, tmx):
        assert p.stat().st_size > CAP
    return {"jsonl": jsonl, "tsv": tsv, "tmx": tmx}


def _commands(src: Path, tmp_path: Path) -> dict[str, tuple[list[str], Path]]:
    out = tmp_path / "out"
    return {
        "convert": (["convert", str(src), str(out) + ".jsonl"], Path(str(out) + ".jsonl")),
        "report": (["report", str(src), "-o", str(out)], out),
        "evaluate": (["evaluate", str(src), "--hyp", str(tmp_path / "hyp.txt")], out),
    }


@pytest.mark.parametrize("command", ["convert", "report", "evaluate"])
@pytest.mark.parametrize("fmt", ["jsonl", "tsv", "tmx"])
def test_an_export_over_the_cap_is_one_line_exit_2_and_no_output(tmp_path, monkeypatch,
                                                                 capsys, command, fmt):
    monkeypatch.setattr(common, "MAX_EXPORT_BYTES", CAP)
    monkeypatch.setattr(tmx, "MAX_EXPORT_BYTES", CAP)
    src = _big_inputs(tmp_path)[fmt]
    (tmp_path / "hyp.txt").write_text("Hello.\n" * 100, encoding="utf-8")
    argv, out = _commands(src, tmp_path)[command]
    assert main(["-q", *argv] if command != "report" else argv) == EXIT_ERROR
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert f"{src} is too large for an export" in err[0] and "Traceback" not in err[0]
    assert not out.exists()


def test_mt_output_over_the_cap_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(common, "MAX_EXPORT_BYTES", CAP)
    src = tmp_path / "a.jsonl"
    src.write_text(json.dumps(BEAD) + "\n", encoding="utf-8")
    hyp = tmp_path / "hyp.txt"
    hyp.write_text("Hello.\n" * CAP, encoding="utf-8")
    assert main(["evaluate", str(src), "--hyp", str(hyp)]) == EXIT_ERROR
    assert f"{hyp} is too large for MT output" in capsys.readouterr().err


def test_convert_keeps_an_existing_output_when_the_input_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(common, "MAX_EXPORT_BYTES", CAP)
    out = tmp_path / "out.tsv"
    out.write_text("kept\n", encoding="utf-8")
    assert main(["convert", str(_big_inputs(tmp_path)["jsonl"]), str(out)]) == EXIT_ERROR
    assert out.read_text(encoding="utf-8") == "kept\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.jsonl", "big.tmx", "big.tsv",
                                                          "out.tsv"]


def test_convert_caps_standard_input(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(merge, "MAX_EXPORT_BYTES", CAP)
    data = _big_inputs(tmp_path)["tsv"].read_bytes()
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["convert", "-", str(tmp_path / "o.tsv")]) == EXIT_ERROR
    assert "standard input is too large for an export" in capsys.readouterr().err
    assert not (tmp_path / "o.tsv").exists()
