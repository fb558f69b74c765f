"""Size of each model's input gradients on Rotten Tomatoes test snippets (what L_rp and the merge act on).

Usage: python experiments/facade/gradient_size.py OUT.json MODEL [MODEL ...]   (folders, or 'default')
Per model, over the first 50 snippets of the seeded test sample: mean |z1 - z0|, mean per-token
‖∂(z1 - z0)/∂w_t‖, and mean Σ_t |∂CE(predicted)/∂w_t · w_t| (the quantity L_rp penalises).
"""

import json
import sys

import torch

from faithlens.data import load_dataset, select
from faithlens.encoding import encode
from faithlens.model import load_model

torch.set_num_threads(1)
texts = list(select(load_dataset("rotten_tomatoes", split="test"), limit=50, seed=0, shuffle=True).texts)
out = {}
for name in sys.argv[2:]:
    m = load_model(None if name == "default" else name)
    enc = encode(m, texts)
    W = m.embed(enc.input_ids).detach().requires_grad_(True)
    logits = m.logits(W, enc.attention_mask, enc.token_type_ids, enc.position_ids)
    margin = logits[:, 1] - logits[:, 0]
    (g_margin,) = torch.autograd.grad(margin.sum(), W, retain_graph=True)
    ce = torch.nn.functional.cross_entropy(logits, logits.argmax(-1), reduction="sum")
    (g_ce,) = torch.autograd.grad(ce, W)
    att = enc.attributed.to(W.dtype)
    per_token = (g_margin.norm(dim=-1) * att).sum() / att.sum()
    rp = ((g_ce * W).sum(-1).abs() * att).sum(1).mean()
    out[name] = {"n": len(texts), "mean_abs_margin": float(margin.abs().mean()),
                 "mean_token_grad_norm": float(per_token), "mean_sum_abs_grad_x_input": float(rp)}
    print(name, out[name], flush=True)
with open(sys.argv[1], "w") as fh:
    json.dump(out, fh, indent=2)
