#!/bin/bash
# SNLI model and facades for results/audit/calibration.md (one thread, sequential): stop words own/target at 120
# and 300 (default) steps, first token own 120; each merged into the SNLI model. Run from the repository root.
export PYTHONPATH=$(git rev-parse --show-toplevel)/src OMP_NUM_THREADS=1
cd $(git rev-parse --show-toplevel)
DATA=../shared/data/snli/snli_1.0_dev.premise_hypothesis_label.jsonl
M=runs/models/minilm-snli
F=runs/facades-snli
mkdir -p $F
[ -d $M ] || python3 -m faithlens train --train $DATA --holdout 0.2 --split-seed 0 --labels entailment neutral contradiction \
  --subset 4000 --epochs 1 --max-length 64 --out $M
for spec in stop_words:own:120 stop_words:target:120 first_token:own:120 stop_words:own:300 stop_words:target:300; do
  IFS=: read t s steps <<< "$spec"
  name=$t-$s-$steps
  python3 -m faithlens facade train --overwrite --model $M --data $DATA --holdout 0.2 --target $t --saliency-of $s --steps $steps \
    --out $F/facade-$name > $F/train-$name.log 2>&1
  python3 -m faithlens facade merge --overwrite --model $M --facade $F/facade-$name --out $F/merged-$name > $F/merge-$name.log 2>&1
  echo "done $name $(date -u +%T)" >> $F/progress.log
done
