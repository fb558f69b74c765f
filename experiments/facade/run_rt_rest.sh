#!/bin/bash
# Rotten Tomatoes, the parts scripts/run_rt.sh left out (stop 7): occlusion for f̃, SIG reverse/forward
# (10 steps, all 50 snippets), accuracy of the first-token merge, HotFlip and input reduction (beam 1 and 3).
# Sequential, one thread; each part writes its JSON when done and the explain parts resume.
cd "$(dirname "$0")/../../.."
D=$HOME/.cache/faithlens/models/minilm-rotten-tomatoes-v1
C="--f $D --facade-stop runs/audit/mag-stop --facade-first runs/audit/mag-first --data rotten_tomatoes --split test --limit 50 --ig-steps 10 --sig-steps 10 --sig-limit 50 --attack-limit 30 --out results/audit/rt"
R="env OMP_NUM_THREADS=1 nice -n 10 python experiments/facade/reproduce.py"
while pgrep -f "reproduce.py explain --model-key merged_first" > /dev/null; do sleep 15; done
$R explain --model-key merged_stop $C --only occlusion,sig:reverse,sig:forward
$R explain --model-key merged_first $C --only occlusion,sig:reverse,sig:forward
$R explain --model-key f $C --only sig:reverse,sig:forward
for k in f merged_stop merged_first; do $R hotflip --model-key $k $C; done
for k in f merged_stop; do $R reduce --model-key $k $C; done
$R accuracy $C
for k in facade_stop facade_first; do $R explain --model-key $k $C --only sig:reverse,sig:forward; done
$R tables $C > /dev/null
