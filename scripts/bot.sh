#!/usr/bin/env bash
# Everything the bot needs on a fresh machine, then run it (token from VOUCHY_DISCORD_TOKEN).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m vouchy run "$@"
