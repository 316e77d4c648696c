#!/usr/bin/env bash
# Everything the tests need on a fresh machine, then lint and the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
bash scripts/browser-setup.sh   # Debian's chromium and chromium-driver, for the page's browser test
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy          # strict typing, configured in pyproject.toml
exec .venv/bin/pytest "$@"
