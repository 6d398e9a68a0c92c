#!/usr/bin/env bash
# Set up the hub and run it end to end on the embedded PostgreSQL with a synthetic city.
#   ./scripts/demo.sh [--persons N]
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
.venv/bin/hub up
.venv/bin/hub demo "$@"
