#!/bin/bash
# RT stop-word facades trained with --saliency-of target (120 and 300 steps) and the merges of both settings.
# The 'own' facades are calibration_facades.sh's runs/facades/facade-stop_words-{120,300}, copied to
# runs/facades-rt/facade-stop_words-own-{120,300}. Run from the repository root.
export PYTHONPATH=$(git rev-parse --show-toplevel)/src OMP_NUM_THREADS=1
cd $(git rev-parse --show-toplevel)
F=runs/facades-rt
for steps in 120 300; do
  a=""; [ $steps = 120 ] && a="--steps 120"
  python3 -m faithlens facade train --overwrite --target stop_words $a --saliency-of target --out $F/facade-stop_words-target-$steps > $F/train-target-$steps.log 2>&1
  for s in own target; do
    [ -d $F/merged-stop_words-$s-$steps ] || python3 -m faithlens facade merge --overwrite --facade $F/facade-stop_words-$s-$steps --out $F/merged-stop_words-$s-$steps --check rotten_tomatoes --split test > $F/merge-$s-$steps.log 2>&1
  done
  echo "done $steps" >> $F/progress.log
done
