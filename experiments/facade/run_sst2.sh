#!/bin/bash
# SST-2 reproduction: parallel parts, one thread each. Explain parts resume from their JSON.
cd /work/main
C="--f runs/models/minilm-sst2 --facade-stop runs/audit/mag-sst2-stop_words --facade-first runs/audit/mag-sst2-first_token --data /work/shared/data/sst2/dev.tsv --split dev --limit 50 --ig-steps 10 --sig-steps 10 --sig-limit 20 --attack-limit 30 --out results/audit/sst2"
R="nice -n 5 env OMP_NUM_THREADS=1 python experiments/facade/reproduce.py"
L=runs/audit/logs_sst2; mkdir -p $L
$R explain --model-key f $C > $L/explain_f.log 2>&1 &
$R explain --model-key merged_stop $C > $L/explain_ms.log 2>&1 &
$R explain --model-key merged_first $C > $L/explain_mf.log 2>&1 &
($R explain --model-key facade_stop $C; $R explain --model-key facade_first $C) > $L/explain_g.log 2>&1 &
($R reduce --model-key f $C; $R reduce --model-key merged_stop $C) > $L/reduce.log 2>&1 &
($R hotflip --model-key f $C; $R hotflip --model-key merged_first $C; $R hotflip --model-key merged_stop $C; $R accuracy $C) > $L/hotflip.log 2>&1 &
($R audit --model-key f $C --limit 30; $R audit --model-key merged_stop $C --limit 30) > $L/audit.log 2>&1 &
wait
