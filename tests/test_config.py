"""Config objects: TOML files, unknown keys, and defaults < file < command-line flags."""

from __future__ import annotations

from datetime import date

import pytest

from corpus.cli import build_parser
from corpus.cli.build import _build_config, fetch_config_from_args
from corpus.config import (
    AlignConfig,
    BuildConfig,
    ExportFormat,
    load_build_config,
    to_dict,
)
from corpus.errors import ConfigError

TOML = """
outdir = "out"
model = "labse"
since = "2024-01-01"
min_coverage = 0.5

[fetch]
rate = 0.5
workers = 2

[align]
band = 12

[export]
formats = ["tmx", "tsv"]
zh_lang = "zh-TW"

[export.filters]
min_score = 0.3
"""


def test_load_build_config(tmp_path):
    f = tmp_path / "corpus.toml"
    f.write_text(TOML, encoding="utf-8")
    c = load_build_config(str(f))
    assert c.outdir == "out" and c.model == "labse" and c.since == date(2024, 1, 1)
    assert c.fetch.rate == 0.5 and c.fetch.workers == 2
    assert c.align == AlignConfig(band=12)
    assert c.export.formats == (ExportFormat.TMX, ExportFormat.TSV)
    assert c.export.zh_lang == "zh-TW" and c.export.filters.min_score == 0.3
    assert to_dict(c)["export"]["filters"]["min_score"] == 0.3


@pytest.mark.parametrize(("text", "message"), [
    ("modle = 'use'\n", "top level: unknown setting"),
    ("[align]\nbandwidth = 3\n", r"\[align\]: unknown setting"),
    ("[export.filters]\nmin_scroe = 1\n", "unknown setting"),
    ("[align]\nmax_align = 1\n", "max_align"),
    ("since = 'yesterday'\n", "since must be a date like 2024-06-21, not 'yesterday'"),
    ("[export]\nformats = ['xls']\n", r"export.formats\[0\] must be one of 'tmx'.*'xls'"),
    ("model = \n", "not valid TOML"),
    # values of the wrong type: one line that names the key
    ("[fetch]\nrate = 'fast'\n", "fetch.rate must be a number, not 'fast'"),
    ("[fetch]\nworkers = 2.5\n", "fetch.workers must be a whole number, not 2.5"),
    ("force = 'yes'\n", "force must be true or false, not 'yes'"),
    ("limit = true\n", "limit must be a whole number, not True"),
    ("[export]\nformats = 'tmx'\n", "export.formats must be a list of"),
    ("[export.filters]\nmin_score = '0.5'\n", "export.filters.min_score must be a number"),
    ("fetch = 3\n", "fetch must be a table of settings, not 3"),
    ("[fetch]\noriginals = {a = 1}\n", "fetch.originals must be a table of names and strings"),
])
def test_bad_config_files_say_what_is_wrong(tmp_path, text, message):
    f = tmp_path / "bad.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_build_config(str(f))
    assert "\n" not in str(info.value) and str(info.value).startswith(str(f))


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_build_config(str(tmp_path / "nope.toml"))


def test_flags_override_the_file_and_the_file_overrides_defaults(tmp_path):
    f = tmp_path / "corpus.toml"
    f.write_text(TOML, encoding="utf-8")
    parser = build_parser()
    assert _build_config(parser.parse_args(["build"])) == BuildConfig()
    c = _build_config(parser.parse_args(["build", "--config", str(f), "--rate", "2",
                                         "--min-score", "0.6", "--format", "jsonl"]))
    assert c.fetch.rate == 2.0  # flag
    assert c.fetch.workers == 2  # file
    assert c.export.filters.min_score == 0.6  # flag, inside a nested table
    assert c.export.zh_lang == "zh-TW"  # file
    assert c.export.formats == (ExportFormat.JSONL,)  # flag
    assert c.align.band == 12 and c.model == "labse"  # file
    assert c.fetch.connect_timeout == BuildConfig().fetch.connect_timeout  # default


def test_a_flag_wins_even_where_it_equals_the_default(tmp_path):
    """`--model use --rate 1` over a file that says labse and 0.5: the flags win."""
    f = tmp_path / "corpus.toml"
    f.write_text(TOML.replace("[export.filters]", "[export.filters]\ndrop_identical = true")
                 + "\n", encoding="utf-8")
    c = _build_config(build_parser().parse_args([
        "build", "--config", str(f), "--model", "use", "--rate", "1", "-o", "aligned",
        "--zh-lang", "zh-CN", "--format", "tmx,tsv,jsonl"]))
    defaults = BuildConfig()
    assert c.model == defaults.model == "use"
    assert c.fetch.rate == defaults.fetch.rate == 1.0
    assert c.outdir == "aligned" and c.export.zh_lang == "zh-CN"
    assert c.export.formats == defaults.export.formats
    assert c.fetch.workers == 2 and c.export.filters.drop_identical  # the rest from the file
    # a switch the user did not give leaves the file's value alone
    assert _build_config(build_parser().parse_args(["build", "--config", str(f)])).report


@pytest.mark.parametrize("command", ["build", "fetch"])
def test_repeated_original_flags_become_the_originals_dict(tmp_path, command):
    f = tmp_path / "corpus.toml"
    f.write_text('[fetch]\noriginals = {"c" = "file.html"}\n', encoding="utf-8")
    seeds = [str(tmp_path)] if command == "fetch" else []
    args = build_parser().parse_args([command, *seeds, "--original", "a=x.html", "--original",
                                      "b = y.txt", "--original", "a=z.html"])
    config = _build_config(args).fetch if command == "build" else fetch_config_from_args(args)
    assert config.originals == {"a": "z.html", "b": "y.txt"}  # the later one for "a" wins
    assert list(config.originals) == ["a", "b"]
    assert fetch_config_from_args(build_parser().parse_args([command, *seeds])).originals == {}
    # the flags' originals join the file's (a table merges key by key)
    given = _build_config(build_parser().parse_args(
        ["build", "--config", str(f), "--original", "a=x.html", "--original", "c=mine.html"]))
    assert given.fetch.originals == {"c": "mine.html", "a": "x.html"}
    assert _build_config(build_parser().parse_args(["build", "--config", str(f)])
                         ).fetch.originals == {"c": "file.html"}


def test_help_texts_quote_the_defaults_of_the_config():
    from corpus.config import DEFAULT_MODEL, FetchConfig

    sub = build_parser()._subparsers._group_actions[0].choices["build"]  # type: ignore[union-attr]
    text = " ".join(sub.format_help().split())
    assert f"{DEFAULT_MODEL} (default" in text
    assert f"(default {FetchConfig().rate:g}; 0 = no limit)" in text
    assert f"(default {FetchConfig().workers})" in text
    assert "(default: tmx,tsv,jsonl)" in text and "(default zh-CN)" in text


def test_bad_flag_values_exit_2_in_one_line(tmp_path, capsys):
    from corpus.cli import main

    f = tmp_path / "bad.toml"
    f.write_text("[fetch]\nrate = 'fast'\n", encoding="utf-8")
    assert main(["build", str(tmp_path), "--config", str(f), "-o", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"ERROR: {f}: fetch.rate must be a number, not 'fast'"


@pytest.mark.parametrize(("text", "message"), [
    ('[fetch]\nrate = "fast"\n', r"fetch\.rate must be a number, not 'fast'"),
    ('limit = "2"\n', r"limit must be a whole number, not '2'"),
    ("[fetch]\nworkers = true\n", "workers must be a whole number"),
    ("[fetch]\noffline = 1\n", "offline must be true or false"),
    ("since = 5\n", "since must be a date"),
    ("model = 3\n", "model must be a string"),
    ("[fetch]\ncache_dir = 3\n", "cache_dir must be a string"),
    ("[segment]\nmax_chars_en = 1.5\n", "max_chars_en must be a whole number"),
    ("[fetch]\noriginals = 'x'\n", "originals must be a table"),
])
def test_config_values_of_the_wrong_type_say_what_is_expected(tmp_path, text, message):
    f = tmp_path / "bad.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_build_config(str(f))


def test_non_utf8_config_is_a_config_error(tmp_path):
    f = tmp_path / "latin1.toml"
    f.write_bytes('model = "café"\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_build_config(str(f))


def test_config_read_from_a_device_is_capped():
    with pytest.raises(ConfigError):  # /dev/zero reports size 0 and never ends
        load_build_config("/dev/zero")


@pytest.mark.parametrize("text", ['[fetch]\nrate = "fast"\n', b"\xff\xfe[x", 'limit = "2"\n'])
def test_bad_config_on_the_command_line_is_one_line_and_exit_2(tmp_path, capsys, text):
    from corpus.cli import main

    f = tmp_path / "bad.toml"
    if isinstance(text, bytes):
        f.write_bytes(text)
    else:
        f.write_text(text, encoding="utf-8")
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    assert main(["-q", "build", str(seeds), "-o", str(tmp_path / "out"), "--config",
                 str(f)]) == 2
    err = capsys.readouterr().err
    assert str(f) in err and err.count("\n") == 1 and "Traceback" not in err
