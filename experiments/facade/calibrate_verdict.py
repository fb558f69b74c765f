"""Calibration of the audit verdict: gradient runs without SIG reverse (CPU time), 20 held-out RT test texts per sample."""
import json, sys
from faithlens.audit.manipulation import Run
from faithlens.audit.report import audit
from faithlens.data import load_dataset, select
from faithlens.model import load_model
models = {"clean": None, "stop_words-120": "runs/facades/merged-stop_words-120", "first_token-120": "runs/facades/merged-first_token-120",
          "stop_words-300": "runs/facades/merged-stop_words-300", "first_token-300": "runs/facades/merged-first_token-300"}
seeds = [int(s) for s in sys.argv[1].split(",")]
names = sys.argv[2].split(",") if len(sys.argv) > 2 else list(models)
data = load_dataset("rotten_tomatoes", split="test")
out = {}
for name in names:
    model = load_model(models[name])
    for seed in seeds:
        texts = list(select(data, limit=20, seed=seed, shuffle=True).texts)
        r = audit(model, texts, gradient_runs=(Run("saliency"), Run("grad_x_input"), Run("ig")), progress=False, n_examples=0)
        row = {"level": r.level, "findings": r.findings,
               "tests": {m: {c: {k: t[k] for k in ("share", "reference_share", "mean_difference", "p", "p_holm", "rank_biserial", "n", "concentrates")}
                             for c, t in v["concentration"].items()} for m, v in r.methods.items() if "concentration" in v}}
        print(json.dumps({"model": name, "seed": seed, **row}), flush=True)
