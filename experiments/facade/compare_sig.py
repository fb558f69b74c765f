"""SIG reverse/forward (finite steps) vs closed-form SIG on the same texts, per model.

Reads results/audit/<dataset>/sig/explain_<model>.json written with --keep-scores and prints, per
model and gradient run: mean Spearman of |a| against sig:closed, top-1 agreement, and the mean
max |difference| of the L1-normalised |a| (0 = identical explanations).
"""
import json
import sys
from pathlib import Path

import torch

from faithlens.audit.report import spearman

folder = Path(sys.argv[1] if len(sys.argv) > 1 else "results/audit/sst2/sig")
out = {}
for path in sorted(folder.glob("explain_*.json")):
    rows = {r["method"]: r for r in json.loads(path.read_text())["rows"]}
    if "sig:closed" not in rows:
        continue
    ref = rows["sig:closed"]["examples"]
    for label in ("saliency", "sig:reverse", "sig:forward"):
        if label not in rows:
            continue
        rhos, top, diff = [], [], []
        for a, b in zip(ref, rows[label]["examples"]):
            x = torch.tensor(a["scores"]).abs()
            y = torch.tensor(b["scores"]).abs()
            keep = x.ne(0) | y.ne(0)
            x, y = x[keep], y[keep]
            rhos.append(spearman(x, y))
            top.append(float(int(x.argmax()) == int(y.argmax())))
            diff.append(float((x / x.sum() - y / y.sum()).abs().max()))
        n = len(top)
        out[f"{path.stem.removeprefix('explain_')} {label}"] = {
            "n": n, "spearman_vs_closed": sum(rhos) / n, "top1_agreement": sum(top) / n, "mean_max_abs_diff": sum(diff) / n}
for k, v in out.items():
    print(f"{k:28s} n={v['n']}  Spearman={v['spearman_vs_closed']:.3f}  top-1={v['top1_agreement']:.2f}  max|Δ|={v['mean_max_abs_diff']:.3f}")
(folder / "sig_vs_closed.json").write_text(json.dumps(out, indent=2))
