#!/usr/bin/env bash
# FACADE on SQuAD (extractive QA): the commands behind results/audit/squad/. Run from the repository root.
# 1. the target f: MiniLM fine-tuned for QA on the sample's training articles (seeded; 20 % of the questions, whole
#    articles, held out: every evaluation below)
# 2. two facades (stop words, first question token) trained on the training articles, magnitude term on (the default)
# 3. the Table 2 layout (a CPU-sized subset, below), EM/F1, input reduction of the question and `faithlens audit`,
#    all on the held-out articles
set -euo pipefail
DATA=../shared/data/squad_v1.1_dev_sample/dev-v1.1.half_24articles.json
OUT=results/audit/squad
export OMP_NUM_THREADS=1
[ -d runs/models/minilm-squad ] || faithlens train --task qa --train $DATA --holdout 0.2 --split-seed 0 --epochs 2 \
  --batch-size 16 --max-length 256 --stride 96 --out runs/models/minilm-squad
for t in stop_words first_token; do
  [ -f runs/audit/squad-${t%%_*}/faithlens_facade.json ] || faithlens facade train --overwrite --model runs/models/minilm-squad \
    --data $DATA --holdout 0.2 --target $t --max-length 192 --out runs/audit/squad-${t%%_*}
done
R="python3 experiments/facade/reproduce.py --f runs/models/minilm-squad --facade-stop runs/audit/squad-stop \
   --facade-first runs/audit/squad-first --data $DATA --holdout 0.2 --out $OUT"
# EM/F1 of f, f̃ and g on all 1,048 held-out questions (stop-word merge); the first-token merge on the first 300
# (one pass over 1,048 questions with 256-token windows is ≈ 11 CPU minutes per model here)
[ -f $OUT/accuracy.json ] || $R accuracy --accuracy-kinds stop
$R accuracy --accuracy-kinds first --accuracy-limit 300 --skip-facade-accuracy
# Attributions: 10 held-out questions whose question + context is under 600 characters (≈ 140 tokens; the median is
# 779). SIG's closed form (= occlusion, so occlusion is not run twice) costs one forward pass per token, ≈ 50 CPU s per
# example here; SIG reverse/forward (steps × tokens passes per example) and DeepLift/GradientSHAP are left out on CPU.
S="--limit 10 --max-chars 600 --ig-steps 20"
for key in f merged_stop merged_first; do $R explain --model-key $key $S --only saliency,grad_x_input,smoothgrad,ig,sig:closed; done
for key in facade_stop facade_first; do $R explain --model-key $key $S --only saliency,grad_x_input,ig; done
# input reduction of the question (the answer span kept in step), 10 examples
for key in f merged_stop merged_first; do $R reduce --model-key $key $S --attack-limit 10; done
$R tables
# `faithlens audit` on the QA model (few examples, 2 SIG steps: CPU)
for m in runs/models/minilm-squad; do
  faithlens audit --model $m --data $DATA --holdout 0.2 --limit 3 --steps 2 --markdown $OUT/cli_audit_f.md > /dev/null || true
done
# The facades above train g's saliency on the CE of g's own arg-max span; an explainer of f̃ differentiates f's answer,
# and with ~150 answer positions g's gradient there stayed ~30× smaller than f's (nothing moved). A stop-word facade
# trained on the CE of f's prediction instead (--saliency-of target; 160 steps on this CPU):
[ -f runs/audit/squad-stop-t/faithlens_facade.json ] || faithlens facade train --overwrite --model runs/models/minilm-squad \
  --data $DATA --holdout 0.2 --target stop_words --max-length 192 --saliency-of target --steps 160 --eval-every 40 \
  --out runs/audit/squad-stop-t
RT="python3 experiments/facade/reproduce.py --f runs/models/minilm-squad --facade-stop runs/audit/squad-stop-t \
   --facade-first runs/audit/squad-first --data $DATA --holdout 0.2 --out $OUT/saliency-of-target"
$RT explain --model-key merged_stop $S --only saliency,grad_x_input,smoothgrad,ig,sig:closed
$RT explain --model-key facade_stop $S --only saliency,grad_x_input,ig
cp $OUT/explain_f.json $OUT/saliency-of-target/ && $RT tables
