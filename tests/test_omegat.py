"""A real CAT tool loads our TMX: OmegaT in console mode fills a Chinese source file from it.

OmegaT (Debian package ``omegat``, installed by scripts/test.sh) auto-inserts exact
matches from translation memories in the project's ``tm/auto/`` folder. We build a
project whose source file holds the Chinese side of an aligned article, put the TMX our
exporter wrote into ``tm/auto/``, run ``--mode=console-translate`` and check that every
segment of the created target file is the English of its bead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from corpus.export.merge import export_documents
from corpus.model import Bead
from tests.exportdata import make_doc

pytestmark = pytest.mark.skipif(shutil.which("omegat") is None,
                                reason="OmegaT is not installed (apt-get install omegat)")

PROJECT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat>
  <project version="1.0">
    <source_dir>__DEFAULT__</source_dir>
    <target_dir>__DEFAULT__</target_dir>
    <tm_dir>__DEFAULT__</tm_dir>
    <glossary_dir>__DEFAULT__</glossary_dir>
    <glossary_file>__DEFAULT__</glossary_file>
    <dictionary_dir>__DEFAULT__</dictionary_dir>
    <source_lang>zh-CN</source_lang>
    <target_lang>en-US</target_lang>
    <source_tok>org.omegat.tokenizer.LuceneSmartChineseTokenizer</source_tok>
    <target_tok>org.omegat.tokenizer.LuceneEnglishTokenizer</target_tok>
    <sentence_seg>true</sentence_seg>
    <support_default_translations>true</support_default_translations>
    <remove_tags>false</remove_tags>
  </project>
</omegat>
"""

# Paragraphs of sentences, written for this test; markup characters, curly quotes,
# an emoji and an astral-plane CJK character must all survive the trip.
ZH = (
    ("市议会周二批准了新的公园预算。", "预算总额为350万美元，比去年多12%。"),
    ("反对者说，这笔钱应该用于修路。",),
    ("“我们会继续争取！”一位居民说。", "她指着AT&T大楼旁的<空地>说。", "孩子们喜欢这里😀。"),
    ("𠀀字很少见。",),
)
EN = (
    ("The city council approved the new parks budget on Tuesday.",
     "The budget totals $3.5 million, 12% more than last year."),
    ("Opponents said the money should go to road repairs.",),
    ('"We will keep fighting!" one resident said.',
     "She pointed at the <empty lot> next to the AT&T building.",
     "Children love it here 😀."),
    ("The character 𠀀 is rare.",),
)


def run_omegat(project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "JAVA_TOOL_OPTIONS": f"-Duser.home={home} -Djava.awt.headless=true"}
    return subprocess.run(["omegat", str(project), "--mode=console-translate"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def test_omegat_fills_every_segment_from_our_tmx(tmp_path: Path) -> None:
    beads = tuple(Bead((i,), (i,), 0.9) for i in range(7))
    doc = make_doc("20240102-parks", zh=ZH, en=EN, beads=beads)
    export_documents([doc], tmp_path / "aligned")

    project = tmp_path / "project"
    for sub in ("source", "target", "tm/auto", "glossary", "dictionary", "omegat"):
        (project / sub).mkdir(parents=True)
    (project / "omegat.project").write_text(PROJECT, encoding="utf-8")
    shutil.copy(tmp_path / "aligned" / "corpus.tmx", project / "tm" / "auto" / "corpus.tmx")
    source = "\n\n".join("".join(para) for para in ZH) + "\n"
    (project / "source" / "article.txt").write_text(source, encoding="utf-8")

    proc = run_omegat(project, tmp_path / "home")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "corpus.tmx" in proc.stdout + proc.stderr  # OmegaT read our memory
    target = (project / "target" / "article.txt").read_text(encoding="utf-8")

    paragraphs = [p for p in target.split("\n\n") if p.strip()]
    assert len(paragraphs) == len(EN)
    for got, want in zip(paragraphs, EN, strict=True):
        # OmegaT puts a space between sentences when the source language writes none
        assert " ".join(got.split()) == " ".join(want)
    assert not re.search(r"[\u3400-\u9fff。，！]", target), target  # no Chinese left
