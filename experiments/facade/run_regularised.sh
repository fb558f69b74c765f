#!/bin/bash
# Regularised target on the default model (stop 7): fine-tune f with L_rp (λ_rp = 3, 200 steps), merge the
# same stop-word facade into it, then compare f_rp and f̃_rp on 50 Rotten Tomatoes test snippets.
cd "$(dirname "$0")/../../.."
export OMP_NUM_THREADS=1
O=results/audit/rt/regularised; mkdir -p $O
[ -f runs/audit/reg-rt/config.json ] || faithlens facade regularise --overwrite --out runs/audit/reg-rt --steps 200 > $O/regularise.json
faithlens facade merge --overwrite --model runs/audit/reg-rt --facade runs/audit/mag-stop --out runs/audit/merged-reg-rt-stop \
    --check rotten_tomatoes --split test --limit 1275 > $O/merge_check.txt 2>&1
M="saliency,grad_x_input,smoothgrad,ig,sig:closed,occlusion"
for m in reg-rt merged-reg-rt-stop; do
  faithlens facade saliency --model runs/audit/$m --data rotten_tomatoes --split test --limit 50 --steps 10 \
      --methods $M --out $O/saliency_$m.json > /dev/null 2> $O/saliency_$m.log
done
# the same CLI analysis on the unregularised pair, for a comparison on the same 50 snippets
for m in default merged-rt-stop; do
  MM=runs/audit/$m; [ $m = default ] && MM=default
  faithlens facade saliency --model $MM --data rotten_tomatoes --split test --limit 50 --steps 10 \
      --methods $M --out $O/saliency_$m.json > /dev/null 2> $O/saliency_$m.log
done
python experiments/facade/gradient_size.py $O/gradient_size.json default runs/audit/reg-rt runs/audit/mag-stop \
    runs/audit/merged-rt-stop runs/audit/merged-reg-rt-stop
