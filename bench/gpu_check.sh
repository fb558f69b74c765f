#!/usr/bin/env bash
# The GPU check: closed-form SIG on the IMDB sample (examples/s), SmolLM2 explain, torchrun with 1 vs all GPUs,
# peak memory; figures in bench/results/gpu_check.{json,md}. Under 8 minutes on one GPU; on a CPU-only machine
# it runs with small limits (--limit 2). Options: see `bench/gpu_check.sh --help` (--data IMDB_FILE, --limit N, ...).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PYTHONPATH="$ROOT/src${PYTHONPATH:+:$PYTHONPATH}" HF_HUB_OFFLINE=1
exec timeout 480 python -m bench.gpu_check "$@"
