"""`python -m bench.evaluate_throughput`: what `faithlens evaluate` costs on SST-2 dev with the SIG paper's six methods.

Two measurements, each side by side in one run (medians over alternating A B B A repeats where timed):

1. End to end, per method (`EvalResult.rows[...]["seconds"]`, explanation time per example) and the
   whole run's wall time, for SIG as the paper ran it (`sig:steps=50,unit=token`: the 50-point path,
   the default before SIG's closed form became it) and for the default (`sig`: the exact closed form).
2. The metrics stage: LO, Comp and Suff at evaluate's top-k and at the five AOPC fractions, for the
   same explanations, computed one fraction per call (`metrics.explanation_faithfulness`, as evaluate
   did before) and all fractions in one forward with each distinct top-k set scored once
   (`metrics.explanation_faithfulness_at`, as evaluate does now). The two must agree to 1e-6.

Writes bench/results/evaluate_throughput.json and .md. On the shared 2-core CPU the default is 24
examples; `--limit 872` is the whole dev set (hours on CPU, minutes on a GPU).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

PAPER_METHODS = ("grad_x_input", "deeplift", "gradient_shap", "ig", "dig", "sig")
BEFORE_SIG = "sig:steps=50,unit=token"


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(allow_abbrev=False, prog="python -m bench.evaluate_throughput",
                                description=__doc__.splitlines()[0])
    p.add_argument("--limit", type=int, default=24, help="SST-2 dev examples (default 24; 872 = all)")
    p.add_argument("--data", type=Path, default=None,
                   help="the folder with sst2/dev.tsv (default: ../shared/data beside the repository)")
    p.add_argument("--model", default="default")
    p.add_argument("--repeats", type=int, default=2, help="A B B A pairs for the metrics stage (default 2)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    return p.parse_args(argv)


def end_to_end(model, data, methods, *, batch_size: int = 16) -> dict:
    from faithlens.evaluate import evaluate
    from faithlens.metrics import AOPC_FRACTIONS

    start = time.perf_counter()
    result = evaluate(model, data, methods=list(methods), progress=False, curves=AOPC_FRACTIONS, batch_size=batch_size)
    wall = time.perf_counter() - start
    return {"methods": list(methods), "wall_seconds": wall, "examples": result.n_examples,
            "seconds_per_example": {row["method"]: row["seconds"]["mean"] for row in result.rows},
            "comprehensiveness": {row["method"]: row["comprehensiveness"]["mean"] for row in result.rows}}


def metrics_stage(model, explanations_by_method: dict, *, repeats: int) -> dict:
    """Time one-call-per-fraction against one call for all fractions on the same explanations."""
    from faithlens.baselines import resolve_baseline
    from faithlens.metrics import AOPC_FRACTIONS, DEFAULT_TOPK, explanation_faithfulness, explanation_faithfulness_at

    base = resolve_baseline(model, "mask")
    fractions = (DEFAULT_TOPK, *AOPC_FRACTIONS)

    def separate():
        return [[explanation_faithfulness(model, ex, baseline=base, fraction=f) for f in fractions]
                for ex in explanations_by_method.values()]

    def together():
        return [explanation_faithfulness_at(model, ex, baseline=base, fractions=fractions)
                for ex in explanations_by_method.values()]

    a, b = separate(), together()
    worst = max(float((getattr(x, m) - getattr(y, m)).abs().max())
                for xs, ys in zip(a, b) for x, y in zip(xs, ys) for m in ("log_odds", "comprehensiveness", "sufficiency"))
    times = {"separate": [], "together": []}
    for _ in range(repeats):  # A B B A
        for name, fn in (("separate", separate), ("together", together), ("together", together), ("separate", separate)):
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    sep, tog = statistics.median(times["separate"]), statistics.median(times["together"])
    return {"fractions": list(fractions), "max_abs_difference": worst, "separate_seconds": sep, "together_seconds": tog,
            "speedup": sep / tog, "samples": times}


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    from faithlens.data import load_dataset, select
    from faithlens.explainer import Explainer
    from faithlens.model import load_model

    from .harness import SHARED_DATA, SST2_DEV

    path = (args.data or SHARED_DATA) / SST2_DEV
    if not path.is_file():
        raise SystemExit(f"bench.evaluate_throughput: {str(path)!r} is missing. Pass --data DIR, the folder holding "
                         f"{SST2_DEV} (GLUE SST-2 dev, tab-separated with a header).")
    if args.limit < 1:
        raise SystemExit(f"--limit must be at least 1 (examples). Got {args.limit}.")
    torch.set_num_threads(args.threads)
    model = load_model(args.model)
    data = select(load_dataset(str(path)), limit=args.limit, seed=0, max_chars=None, shuffle=True)
    args.out.mkdir(parents=True, exist_ok=True)
    result = {"command": " ".join(["python -m bench.evaluate_throughput", *(sys.argv[1:] if argv is None else argv)]), "limit": args.limit,
              "model": args.model, "threads": args.threads, "load_average_start": list(os.getloadavg())}
    before_methods = [BEFORE_SIG if m == "sig" else m for m in PAPER_METHODS]
    result["before"] = end_to_end(model, data, before_methods)
    result["after"] = end_to_end(model, data, PAPER_METHODS)
    explainer = Explainer(model)
    texts = list(data.texts)
    explanations = {m: explainer.explain(texts, m, progress=False) for m in PAPER_METHODS}
    result["metrics_stage"] = metrics_stage(model, explanations, repeats=args.repeats)
    result["load_average_end"] = list(os.getloadavg())
    (args.out / "evaluate_throughput.json").write_text(json.dumps(result, indent=1) + "\n")
    (args.out / "evaluate_throughput.md").write_text(markdown(result))
    print(markdown(result))
    return 0


def markdown(r: dict) -> str:
    b, a, m = r["before"], r["after"], r["metrics_stage"]
    lines = [f"# `faithlens evaluate` throughput: SST-2 dev, first {r['limit']} examples (seed 0), the paper's six methods",
             "", f"Command: `{r['command']}`; torch threads {r['threads']}; load average at start "
             f"{', '.join(f'{x:.1f}' for x in r['load_average_start'])} (shared machine: ratios, not absolutes).", "",
             "| method | s / example, SIG 50-step path (before) | s / example, default (after) |", "|---|---|---|"]
    for before, after in zip(b["methods"], a["methods"]):
        lines.append(f"| {after} | {b['seconds_per_example'][before]:.3f} | {a['seconds_per_example'][after]:.3f} |")
    lines += ["", f"Whole run (explanations, metrics at top-k and 5 AOPC fractions, tables): {b['wall_seconds']:.1f} s "
              f"with `{BEFORE_SIG}`, {a['wall_seconds']:.1f} s with the default: {b['wall_seconds'] / a['wall_seconds']:.2f}×.",
              "", f"Metrics stage alone ({len(m['fractions'])} fractions, every method's explanations): one call per "
              f"fraction {m['separate_seconds']:.2f} s, one forward for all {m['together_seconds']:.2f} s: "
              f"{m['speedup']:.2f}× (median of A B B A; max |difference| {m['max_abs_difference']:.1e}).", "",
              f"Before both changes (the 50-step SIG path and one metrics call per fraction): about "
              f"{b['wall_seconds'] + m['separate_seconds'] - m['together_seconds']:.1f} s (the first run's wall time plus "
              f"the metrics stage's difference); after: {a['wall_seconds']:.1f} s, "
              f"{(b['wall_seconds'] + m['separate_seconds'] - m['together_seconds']) / a['wall_seconds']:.2f}× faster.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
