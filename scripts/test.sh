#!/usr/bin/env bash
# The hub's test command: the fast suite on a real (embedded) PostgreSQL. Slow tests: -m slow.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/pytest -q -p no:cacheprovider "$@"
