#!/bin/bash
# Calibration facades for issue 21 (one thread, sequential).
export PYTHONPATH=/work/wt21/src OMP_NUM_THREADS=1
cd /work/wt21
F=runs/facades
for t in stop_words first_token; do
  python3 -m faithlens facade train --overwrite --target $t --steps 120 --out $F/facade-$t-120 > $F/train-$t-120.log 2>&1
  python3 -m faithlens facade merge --overwrite --facade $F/facade-$t-120 --out $F/merged-$t-120 > $F/merge-$t-120.log 2>&1
  echo "done $t 120" >> $F/progress.log
done
for t in stop_words first_token; do
  python3 -m faithlens facade train --overwrite --target $t --out $F/facade-$t-300 > $F/train-$t-300.log 2>&1
  python3 -m faithlens facade merge --overwrite --facade $F/facade-$t-300 --out $F/merged-$t-300 > $F/merge-$t-300.log 2>&1
  echo "done $t 300" >> $F/progress.log
done
