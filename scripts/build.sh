#!/usr/bin/env bash
# Set up .venv, then run the main job: every seed in seeds/ to aligned/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/corpus build seeds/ -o aligned/ "$@"
