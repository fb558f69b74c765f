#!/usr/bin/env bash
# Writes results/robustness/: infidelity and max-sensitivity on the first 20 of evaluate's seeded SST-2 dev sample.
# Run from the repository root, with ../shared/data beside it.
set -euo pipefail
faithlens --threads 1 evaluate --data ../shared/data/sst2/dev.tsv --limit 20 \
  --methods sig:mode=closed ig grad_x_input occlusion --metrics infidelity sensitivity --no-curves --out runs/robustness
cp runs/robustness/{table.md,results.json,settings.json} results/robustness/
