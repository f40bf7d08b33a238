"""Atomic writes and the shared record and text helpers."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from corpus.errors import ExportError
from corpus.export import common, tsv
from corpus.export.common import (
    Record,
    article_meta,
    as_records,
    atomic_write,
    format_ids,
    parse_ids,
    records_from_documents,
    write_json,
    xml_text,
)
from corpus.export.jsonl import write_jsonl
from corpus.export.tmx import write_tmx
from tests.exportdata import make_doc


def litter(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_atomic_write_replaces_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.txt"
    with atomic_write(target) as f:
        f.write("new\n")
        assert not target.exists()  # nothing visible until the block ends
    assert target.read_text(encoding="utf-8") == "new\n"
    assert litter(target.parent) == []
    assert target.stat().st_mode & 0o777 == common._default_mode()


def test_failure_mid_write_keeps_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.tsv"
    target.write_text("old complete file\n", encoding="utf-8")
    with pytest.raises(RuntimeError, match="disk on fire"), atomic_write(target) as f:
        f.write("half of the new")
        raise RuntimeError("disk on fire")
    assert target.read_text(encoding="utf-8") == "old complete file\n"
    assert litter(tmp_path) == []


def test_write_json_is_readable_utf8_and_keeps_the_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "manifest.json"
    write_json(target, {"title": "标题", "n": [1]})
    assert target.read_text(encoding="utf-8") == '{\n  "title": "标题",\n  "n": [\n    1\n  ]\n}\n'
    with pytest.raises(TypeError):
        write_json(target, {"bad": object()})  # not JSON: nothing half-written
    assert '"标题"' in target.read_text(encoding="utf-8")
    assert litter(tmp_path) == []


@pytest.mark.parametrize("writer", ["tsv", "jsonl", "tmx"])
def test_exporter_interrupted_mid_file_keeps_old_file(tmp_path: Path, writer: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / f"out.{writer}"
    target.write_text("old\n", encoding="utf-8")
    calls = {"n": 0}

    def failing(text: str) -> str:  # the third segment/field written blows up
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return text

    if writer == "tsv":
        monkeypatch.setattr(tsv, "tsv_field", failing)
        run = lambda: tsv.write_tsv([make_doc()], target)  # noqa: E731
    elif writer == "jsonl":
        monkeypatch.setattr("corpus.export.jsonl.drop_surrogates", failing)
        run = lambda: write_jsonl([make_doc()], target)  # noqa: E731
    else:
        monkeypatch.setattr("corpus.export.tmx.xml_text", failing)
        run = lambda: write_tmx([make_doc()], target)  # noqa: E731
    with pytest.raises(KeyboardInterrupt):
        run()
    assert calls["n"] == 3
    assert target.read_text(encoding="utf-8") == "old\n"
    assert litter(tmp_path) == []


def test_rename_failure_is_export_error_and_cleans_up(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("old\n", encoding="utf-8")

    def refuse(self: Path, other: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "replace", refuse)
    with pytest.raises(ExportError, match=r"out\.jsonl: No space left"):
        write_jsonl([make_doc()], target)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert litter(tmp_path) == []


def test_unwritable_folder_is_export_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(ExportError, match="cannot write"), atomic_write(blocker / "x.tsv"):
        pass


def test_killed_process_never_leaves_a_truncated_file(tmp_path: Path) -> None:
    target = tmp_path / "corpus.tsv"
    target.write_text("old complete file\n", encoding="utf-8")
    script = textwrap.dedent(f"""
        import sys, time
        from corpus.export.common import atomic_write
        with atomic_write({str(target)!r}) as f:
            f.write("partial row\\n" * 1000)
            f.flush()
            print("writing", flush=True)
            time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == b"writing\n"
        (tmp,) = litter(tmp_path)  # the half-written file is hidden under a temporary name
        assert tmp.startswith(".corpus.tsv.") and (tmp_path / tmp).stat().st_size > 0
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    assert target.read_text(encoding="utf-8") == "old complete file\n"


# --------------------------------------------------------------------------- records

def test_records_from_documents_carry_sentences_and_meta() -> None:
    doc = make_doc("art")
    records = records_from_documents([doc])
    assert [r.pair for r in records] == doc.pairs()
    assert records[1].zh_sents == (doc.zh[1].text,) and records[1].zh_paras == (0,)
    assert records[4].en_sents == () and not records[4].two_sided and records[0].two_sided
    assert dict(records[0].meta) == {"cn_url": "https://cn.example.org/art/",
                                     "en_url": "https://www.example.com/art.html",
                                     "source": "original", "title": "公园预算"}


def test_article_meta_keeps_urls_source_titles_date() -> None:
    meta = {"en_url": "https://e/x", "final_url": "https://e/y", "cn_url": None,
            "title_zh": "标题", "source": "dual", "fetched": 3, "published": None,
            "attempts": [{"source": "original"}], "notes": "kept out"}
    assert article_meta(meta) == (("en_url", "https://e/x"), ("final_url", "https://e/y"),
                                  ("source", "dual"), ("title_zh", "标题"))


def test_as_records_mixes_inputs_and_rejects_others() -> None:
    doc = make_doc()
    recs = as_records([doc, doc.pairs()[0], Record(pair=doc.pairs()[1])])
    assert len(recs) == 7
    with pytest.raises(ExportError, match="cannot export a str"):
        as_records(["text"])  # type: ignore[list-item]


@pytest.mark.parametrize(("ids", "text"), [((), ""), ((3,), "3"), ((3, 4, 10), "3,4,10")])
def test_ids_round_trip(ids: tuple[int, ...], text: str) -> None:
    assert format_ids(ids) == text
    assert parse_ids(text, where="x") == ids
    assert parse_ids(f"[{text}]", where="x") == ids


def test_xml_text_removes_forbidden_and_strips() -> None:
    assert xml_text(" \x00a\x08b\x0bc\x0cd\x1fe\ud800f\ufffe\uffff\t\n") == "abcdef"
    assert xml_text("\x85\xa0😀\U00020000\U0010fffd") == "😀\U00020000\U0010fffd"


def test_atomic_write_goes_through_a_symlink_to_its_target(tmp_path: Path) -> None:
    target = tmp_path / "real" / "corpus.tsv"
    target.parent.mkdir()
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "link.tsv"
    link.symlink_to(target)
    with atomic_write(link) as f:
        f.write("new\n")
    assert link.is_symlink() and target.read_text(encoding="utf-8") == "new\n"
    dangling = tmp_path / "dangling.tsv"
    dangling.symlink_to(tmp_path / "real" / "later.tsv")
    with atomic_write(dangling) as f:
        f.write("x\n")
    assert dangling.is_symlink() and (tmp_path / "real" / "later.tsv").read_text() == "x\n"


def test_atomic_write_writes_special_files_directly(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = subprocess.Popen([sys.executable, "-c",
                               f"print(open({str(fifo)!r}).read(), end='')"],
                              stdout=subprocess.PIPE, text=True)
    with atomic_write(fifo) as f:
        f.write("through the pipe\n")
    assert reader.communicate(timeout=30)[0] == "through the pipe\n"
    assert fifo.is_fifo()  # not replaced by a regular file
    # a device, as /dev/stdout is behind its link (a copy of /dev/null: never the real one)
    null = tmp_path / "null"
    try:
        os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except OSError:
        return  # making device nodes needs privileges
    link = tmp_path / "stdout"
    link.symlink_to(null)
    with atomic_write(link) as f:
        f.write("gone\n")
    assert null.is_char_device() and link.is_symlink()
