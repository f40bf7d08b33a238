#!/usr/bin/env bash
# Set up everything the tests need (virtual environment, Python and Debian packages),
# then run ruff and the test suite. Safe to rerun: installed pieces are kept.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages some tests drive for real (a CAT tool, a browser); see scripts/apt-packages.txt.
missing=()
while read -r pkg _; do
  [[ -z "$pkg" || "$pkg" == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done < scripts/apt-packages.txt
if ((${#missing[@]})); then
  if [[ $(id -u) == 0 ]]; then
    echo "installing Debian packages: ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "missing Debian packages (run as root to install): ${missing[*]}" >&2
  fi
fi

bash scripts/setup.sh test
.venv/bin/ruff check corpus tests bench
.venv/bin/mypy  # corpus/, configured in pyproject.toml [tool.mypy]
.venv/bin/python -m pytest -q "$@"
