"""Find (and with --fix, recompute) DeepLift records made while DeepLift ran the written-out forward.

From the written-out BERT forward (stop 8) until DeepLift was sent back to the model's own modules,
Captum's rescale rule no longer saw BERT's pooler Tanh, so DeepLift became a slightly different
method (token scores off by a few per cent). This recomputes every DeepLift record of a run with the
current code and reports the worst difference; --fix replaces the records that differ by more than
1e-4 of their norm, in place. Do not --fix a run whose evaluate is still appending to it.

    python experiments/faithfulness/repair_deeplift.py sst2-mask rt-pad ...        # report
    python experiments/faithfulness/repair_deeplift.py --fix sst2-mask ...         # replace the stale lines
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from faithlens.baselines import resolve_baseline
from faithlens.data import reload
from faithlens.evaluate import example_context, load_settings, parse_method, read_records, run_method
from faithlens.explainer import Explainer
from faithlens.model import load_model
from faithlens.scores import score_function

HERE = Path(__file__).resolve().parents[2] / "results"  # the run folders
TOLERANCE = 1e-4


def repair(run: str, fix: bool, batch: int = 8) -> None:
    folder = HERE / run
    settings, info = load_settings(folder)
    data = reload(settings.data, info)
    model = load_model(settings.model)
    explainer, base, score_fn = Explainer(model), resolve_baseline(model, settings.baseline), score_function(settings.score)
    records = read_records(folder / "records.jsonl")
    where = {r["index"]: k for k, r in enumerate(records) if r["method"] == "deeplift"}
    spec = parse_method("deeplift")
    stale, worst = 0, 0.0
    order = sorted(where)
    for start in range(0, len(order), batch):
        index = order[start:start + batch]
        texts = [data.texts[i] for i in index]
        ctx = example_context(model, texts, base, score_fn, settings.truncate)
        for rec in run_method(explainer, model, spec, index, texts, range(len(index)), ctx, data, settings, base):
            old = records[where[rec["index"]]]
            assert old["text"] == rec["text"]
            a = torch.tensor(rec["token_scores"], dtype=torch.float64)
            b = torch.tensor(old["token_scores"], dtype=torch.float64)
            diff = float((a - b).abs().max() / b.norm().clamp(min=1e-12))
            worst = max(worst, diff)
            if diff > TOLERANCE:
                stale += 1
                if fix:
                    records[where[rec["index"]]] = rec
    print(f"{run}: {len(order)} DeepLift records, {stale} differ by more than {TOLERANCE:g} of their norm "
          f"(worst {worst:.1e})" + (", replaced" if fix and stale else ""), flush=True)
    if fix and stale:
        tmp = folder / "records.jsonl.tmp"
        tmp.write_text("".join(json.dumps(r, allow_nan=False) + "\n" for r in records), encoding="utf-8")
        tmp.replace(folder / "records.jsonl")


def main() -> None:
    p = argparse.ArgumentParser(allow_abbrev=False, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("runs", nargs="+")
    p.add_argument("--fix", action="store_true")
    a = p.parse_args()
    for run in a.runs:
        repair(run, a.fix)


if __name__ == "__main__":
    sys.exit(main())
