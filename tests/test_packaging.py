"""The distribution: its name, licence, declared dependencies, sdist, and `python -m corpus`."""

from __future__ import annotations

import ast
import email
import subprocess
import sys
import tarfile
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

from corpus import __version__
from corpus._version import DISTRIBUTION

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
# the distribution name `corpus` on the package index is someone else's project
TAKEN = {"corpus"}


def _requirement_name(req: str) -> str:
    name = req.split(";")[0]
    for sep in "[<>=!~ ":
        name = name.split(sep)[0]
    return name.strip().lower().replace("_", "-")


def test_distribution_name_and_licence() -> None:
    project = PYPROJECT["project"]
    assert project["name"] == DISTRIBUTION and DISTRIBUTION not in TAKEN
    assert project["license"] == "Apache-2.0"  # an SPDX expression, not a table
    assert "Apache License" in (ROOT / "LICENSE").read_text(encoding="utf-8")[:200]
    assert set(project["urls"]) >= {"Homepage", "Source", "Documentation"}
    assert not any(c.startswith("License ::") for c in project["classifiers"])


def test_every_third_party_import_is_declared() -> None:
    project = PYPROJECT["project"]
    declared = {_requirement_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        declared |= {_requirement_name(r) for r in extra}
    dists = metadata.packages_distributions()
    stdlib = sys.stdlib_module_names
    missing = set()
    for path in (ROOT / "corpus").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                tops = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                tops = [node.module.split(".")[0]]
            else:
                continue
            for top in tops:
                if top in stdlib or top == "corpus":
                    continue
                names = {d.lower().replace("_", "-") for d in dists.get(top, [top])}
                if not names & declared:
                    missing.add(f"{top} ({path.relative_to(ROOT)})")
    assert not missing, f"imported but not declared in pyproject.toml: {sorted(missing)}"


def test_python_dash_m_corpus() -> None:
    run = subprocess.run([sys.executable, "-m", "corpus", "--version"], capture_output=True,
                         text=True, cwd=ROOT, timeout=120, check=False)
    assert run.returncode == 0 and run.stdout.strip() == f"corpus {__version__}"
    helped = subprocess.run([sys.executable, "-m", "corpus", "--help"], capture_output=True,
                            text=True, cwd=ROOT, timeout=120, check=False)
    assert helped.returncode == 0 and "build" in helped.stdout


@pytest.mark.slow
def test_sdist_holds_package_licence_and_docs_but_no_tests(tmp_path: Path) -> None:
    code = (f"from setuptools import build_meta; print(build_meta.build_sdist({str(tmp_path)!r}))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         timeout=300, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    sdist = tmp_path / run.stdout.strip().splitlines()[-1]
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
        pkg_info = tar.extractfile(f"{sdist.name.removesuffix('.tar.gz')}/PKG-INFO")
        assert pkg_info is not None
        meta = email.message_from_bytes(pkg_info.read())
    assert {"LICENSE", "README.md", "pyproject.toml", "docs/index.md", "corpus/__main__.py",
            "corpus/py.typed"} <= names
    assert not [n for n in names if n.startswith(("tests/", "bench/"))]
    assert meta["Name"] == DISTRIBUTION and meta["Version"] == __version__
    assert meta["License-Expression"] == "Apache-2.0"
    assert any(r.startswith("charset-normalizer") for r in meta.get_all("Requires-Dist"))
    # the long description (PyPI's page) names no path outside the repository
    body = meta.get_payload()
    assert "/work/" not in body and "../" not in body


def test_install_hints_use_the_distribution_name() -> None:
    from corpus.errors import MissingDependencyError

    err = MissingDependencyError("sentence-transformers", "st", "the encoder 'labse'")
    assert f"pip install '{DISTRIBUTION}[st]'" in str(err)
    hints = [p for p in [*(ROOT / "corpus").rglob("*.py"), ROOT / "README.md",
                         *(ROOT / "docs").glob("*.md")]
             if "pip install 'corpus[" in p.read_text(encoding="utf-8")]
    assert hints == []


def test_the_test_command_type_checks_the_package() -> None:
    script = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert ".venv/bin/mypy" in script
    assert PYPROJECT["tool"]["mypy"]["files"] == ["corpus"]
    assert any(r.startswith("mypy") for r in PYPROJECT["project"]["optional-dependencies"]["test"])
