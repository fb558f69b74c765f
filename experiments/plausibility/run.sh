#!/usr/bin/env bash
# Writes results/plausibility/: SST lexicon rationales for SST-2 dev, then evaluate with them on 40 sentences.
# Run from the repository root, with ../shared/data beside it.
set -euo pipefail
faithlens rationales sst2 --train ../shared/data/sst2/train.tsv --data ../shared/data/sst2/dev.tsv \
  --out results/plausibility/sst2_dev_lexicon_rationales.jsonl
faithlens --threads 1 evaluate --data ../shared/data/sst2/dev.tsv --limit 40 --methods sig ig grad_x_input occlusion \
  --rationales results/plausibility/sst2_dev_lexicon_rationales.jsonl --out runs/plausibility
cp runs/plausibility/{plausibility.md,plausibility.json,table.md,settings.json} results/plausibility/
