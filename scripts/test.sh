#!/usr/bin/env bash
# Set up, then run every check: the core/Qt boundary, ruff, mypy on the core and the app, the whole
# test suite (Qt offscreen).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export QT_QPA_PLATFORM=offscreen
.venv/bin/lint-imports
.venv/bin/ruff check reentry ui tests bench
.venv/bin/mypy
.venv/bin/python -m pytest -p no:cacheprovider "$@"
