#!/usr/bin/env bash
# FACADE on SNLI (text pairs): the commands behind results/audit/snli/. Run from the repository root.
# 1. the target f: MiniLM fine-tuned on 80 % of SNLI dev (seeded; the other 20 % is every evaluation below)
# 2. two facades (stop words, first premise token) trained on the same 80 %, magnitude term on (the default)
# 3. the Table 2 layout, accuracy, input reduction, HotFlip and `faithlens audit` on the held-out 20 %
set -euo pipefail
DATA=../shared/data/snli/snli_1.0_dev.premise_hypothesis_label.jsonl
OUT=results/audit/snli
export OMP_NUM_THREADS=1
[ -d runs/models/minilm-snli ] || faithlens train --train $DATA --holdout 0.2 --split-seed 0 \
  --labels entailment neutral contradiction --epochs 3 --out runs/models/minilm-snli
for t in stop_words first_token; do
  [ -f runs/audit/snli-${t%%_*}/faithlens_facade.json ] || faithlens facade train --overwrite --model runs/models/minilm-snli \
    --data $DATA --holdout 0.2 --target $t --out runs/audit/snli-${t%%_*}
done
R="python3 experiments/facade/reproduce.py --f runs/models/minilm-snli --facade-stop runs/audit/snli-stop \
   --facade-first runs/audit/snli-first --data $DATA --holdout 0.2 --out $OUT --limit 100 --sig-limit 20 \
   --attack-limit 30 --audit-steps 10"
$R accuracy
for key in f merged_stop merged_first facade_stop facade_first; do $R explain --model-key $key; done
for key in f merged_stop merged_first; do $R reduce --model-key $key; $R hotflip --model-key $key; done
for key in f merged_stop; do $R audit --model-key $key --limit 30; done
$R tables
faithlens audit --model runs/models/minilm-snli --data $DATA --holdout 0.2 --limit 20 --steps 5 \
  --markdown $OUT/cli_audit_f.md > /dev/null || true
# The stop-word facade trained on the CE of f's prediction instead of g's own arg-max (--saliency-of target)
[ -f runs/audit/snli-stop-t/faithlens_facade.json ] || faithlens facade train --overwrite --model runs/models/minilm-snli \
    --data $DATA --holdout 0.2 --target stop_words --saliency-of target --out runs/audit/snli-stop-t
RT="python3 experiments/facade/reproduce.py --f runs/models/minilm-snli --facade-stop runs/audit/snli-stop-t \
   --facade-first runs/audit/snli-first --data $DATA --holdout 0.2 --out $OUT/saliency-of-target --limit 100"
$RT explain --model-key merged_stop --only saliency,grad_x_input,smoothgrad,deeplift,ig,sig:closed
$RT accuracy   # (the stop-word row; the first-token row is the facade above)
