#!/bin/bash
# Rotten Tomatoes reproduction (started 13:50 UTC, after the default model appeared). Parts in parallel.
cd /work/main
D=$HOME/.cache/faithlens/models/minilm-rotten-tomatoes-v1
C="--f $D --facade-stop runs/audit/mag-stop --facade-first runs/audit/mag-first --data rotten_tomatoes --split test --limit 50 --ig-steps 10 --sig-steps 10 --sig-limit 8 --attack-limit 30 --out results/audit/rt"
R="nice -n 5 env OMP_NUM_THREADS=1 python experiments/facade/reproduce.py"
L=runs/audit/logs_rt; mkdir -p $L results/audit/rt results/audit/cli
O="--only saliency,grad_x_input,sig:closed,smoothgrad,deeplift,ig,gradient_shap,occlusion"
$R explain --model-key f $C $O > $L/explain_f.log 2>&1 &
$R explain --model-key merged_stop $C $O > $L/explain_ms.log 2>&1 &
$R explain --model-key merged_first $C $O > $L/explain_mf.log 2>&1 &
($R explain --model-key facade_stop $C $O; $R explain --model-key facade_first $C $O) > $L/explain_g.log 2>&1 &
($R accuracy $C; $R hotflip --model-key f $C; $R hotflip --model-key merged_stop $C; $R reduce --model-key f $C; $R reduce --model-key merged_stop $C) > $L/attacks.log 2>&1 &
(nice -n 5 env OMP_NUM_THREADS=1 faithlens facade merge --overwrite --facade runs/audit/mag-stop --out runs/audit/merged-rt-stop --check rotten_tomatoes --limit 1275 > results/audit/rt/merge_check.txt 2>&1
 for m in default merged; do if [ $m = default ]; then M=default; else M=runs/audit/merged-rt-stop; fi
   nice -n 5 env OMP_NUM_THREADS=1 faithlens audit --model $M --data rotten_tomatoes --limit 12 --steps 5 --examples 3 \
     --markdown results/audit/cli/audit_rt_$m.md --html results/audit/cli/audit_rt_$m.html --json results/audit/cli/audit_rt_$m.json > /dev/null 2> $L/audit_$m.log
   echo "exit $?" >> $L/audit_$m.log; done) &
wait
python experiments/facade/reproduce.py tables $C > /dev/null 2>&1
