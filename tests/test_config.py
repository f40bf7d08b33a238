"""Config objects: TOML files, unknown keys, and defaults < file < command-line flags."""

from __future__ import annotations

from datetime import date

import pytest

from corpus.cli import build_parser
from corpus.cli.build import _build_config
from corpus.config import (
    AlignConfig,
    BuildConfig,
    ExportFormat,
    layer,
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
    ("modle = 'use'\n", "unknown setting"),
    ("[align]\nbandwidth = 3\n", "unknown setting"),
    ("[export.filters]\nmin_scroe = 1\n", "unknown setting"),
    ("[align]\nmax_align = 1\n", "max_align"),
    ("since = 'yesterday'\n", "not a date"),
    ("[export]\nformats = ['xls']\n", "xls"),
    ("model = \n", "not valid TOML"),
])
def test_bad_config_files_say_what_is_wrong(tmp_path, text, message):
    f = tmp_path / "bad.toml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_build_config(str(f))


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_build_config(str(tmp_path / "nope.toml"))


def test_flags_override_the_file_and_the_file_overrides_defaults(tmp_path):
    f = tmp_path / "corpus.toml"
    f.write_text(TOML, encoding="utf-8")
    parser = build_parser()
    defaults = _build_config(parser.parse_args(["build"]))
    assert defaults == BuildConfig()
    cli = _build_config(parser.parse_args(["build", "--rate", "2", "--min-score", "0.6",
                                           "--format", "jsonl"]))
    c = layer(defaults, load_build_config(str(f)), cli)
    assert c.fetch.rate == 2.0  # flag
    assert c.fetch.workers == 2  # file
    assert c.export.filters.min_score == 0.6  # flag, inside a nested table
    assert c.export.zh_lang == "zh-TW"  # file
    assert c.export.formats == (ExportFormat.JSONL,)  # flag
    assert c.align.band == 12 and c.model == "labse"  # file
    assert c.fetch.connect_timeout == BuildConfig().fetch.connect_timeout  # default
