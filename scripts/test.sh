#!/usr/bin/env bash
# Run the whole test suite from a fresh clone: set up what the tests need (scripts/setup.sh: packages,
# Chromium for the browser test, the default model for the slow tests), then pytest. Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec python3 -m pytest -q "$@"
