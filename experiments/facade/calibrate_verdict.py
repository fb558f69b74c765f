"""Calibration of the audit verdict: gradient runs without SIG reverse (CPU time), 20 held-out texts per sample.

Usage: calibrate_verdict.py SEEDS [NAMES] [--data FILE:HOLDOUT] [--model NAME=PATH ...]
  SEEDS: comma-separated sample seeds; NAMES: comma-separated model names (default: all).
  Default data: the Rotten Tomatoes test split and the RT models below; with --data FILE:0.2 the part of
  FILE that `faithlens train --holdout 0.2 --split-seed 0` held out (text pairs work), and the models given
  by --model (NAME=PATH; PATH 'default' is the bundled model). One JSON line per (model, seed).
"""
import argparse, json
from faithlens.audit.manipulation import Run
from faithlens.audit.report import audit
from faithlens.data import holdout, load_dataset, select
from faithlens.model import load_model

RT_MODELS = {"clean": None, "stop_words-120": "runs/facades/merged-stop_words-120",
             "first_token-120": "runs/facades/merged-first_token-120",
             "stop_words-300": "runs/facades/merged-stop_words-300", "first_token-300": "runs/facades/merged-first_token-300"}
parser = argparse.ArgumentParser()
parser.add_argument("seeds")
parser.add_argument("names", nargs="?")
parser.add_argument("--data", default=None)
parser.add_argument("--model", action="append", default=[])
args = parser.parse_args()
models = dict(m.split("=", 1) for m in args.model) if args.model else RT_MODELS
models = {k: (None if v == "default" else v) for k, v in models.items()}
seeds = [int(s) for s in args.seeds.split(",")]
names = args.names.split(",") if args.names else list(models)
if args.data is None:
    data = load_dataset("rotten_tomatoes", split="test")
else:
    path, _, fraction = args.data.rpartition(":")
    data = holdout(load_dataset(path), float(fraction), 0)[1]
for name in names:
    model = load_model(models[name])
    for seed in seeds:
        texts = list(select(data, limit=20, seed=seed, shuffle=True).texts)
        r = audit(model, texts, gradient_runs=(Run("saliency"), Run("grad_x_input"), Run("ig")), progress=False, n_examples=0)
        row = {"level": r.level, "findings": r.findings,
               "tests": {m: {c: {k: t[k] for k in ("share", "reference_share", "mean_difference", "p", "p_holm", "rank_biserial", "n", "concentrates")}
                             for c, t in v["concentration"].items()} for m, v in r.methods.items() if "concentration" in v},
               "agreement": {m: v.get("vs_occlusion") for m, v in r.methods.items() if "vs_occlusion" in v}}
        print(json.dumps({"model": name, "seed": seed, **row}), flush=True)
