"""`facade train --saliency-of own|target`: the attack's effect on the merged model, on held-out texts.

Per model: the mean share of |a| on stop words and the share of texts whose top token is a stop word
(P@1), for Grad×Input and saliency, with F = log p (the CE gradient FACADE trains) and F = logit
(what `faithlens audit` explains); and prediction agreement with the clean model (accuracy too).
Usage: saliency_of.py DATA[:HOLDOUT] LIMIT CLEAN name=path ...  (DATA 'rotten_tomatoes' uses the test split;
a file with :0.2 uses the part `faithlens train --holdout 0.2 --split-seed 0` held out). One JSON line per model.
"""
import json, sys
from faithlens.audit.manipulation import Run, explain_runs
from faithlens.audit.merge import agreement
from faithlens.audit.report import mass_on
from faithlens.data import holdout, load_dataset, select
from faithlens.model import load_model

data_arg, limit, clean_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
clean = load_model(None if clean_path == "default" else clean_path)
if data_arg == "rotten_tomatoes":
    data = load_dataset("rotten_tomatoes", split="test")
else:
    path, _, fraction = data_arg.rpartition(":")
    data = holdout(load_dataset(path, label_names=clean.labels), float(fraction), 0)[1]  # named labels in the model's order
data = select(data, limit=limit, seed=0, shuffle=True)
texts, labels = list(data.texts), list(data.labels)
for spec in sys.argv[4:]:
    name, _, path = spec.partition("=")
    model = clean if path == clean_path else load_model(path)
    row = {"model": name, "n": len(texts), **agreement(clean, model, texts, labels)}
    for score in ("log_prob", "logit"):
        ex = explain_runs(model, texts, [Run("grad_x_input"), Run("saliency")], score=score)
        for label, e in ex.items():
            m = mass_on(model, e, "stop_words")
            row[f"{label}/{score}"] = {"share": round(m["share"], 3), "p_at_1": round(m["top"], 3)}
    print(json.dumps(row), flush=True)
