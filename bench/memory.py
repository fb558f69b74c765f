"""Peak memory of one method on one input, measured in a fresh process.

Usage (one measurement, prints one JSON line):
    python -m bench.memory --length 512 --method faithlens_sig_reverse

The peak resident set size is reset after the model is loaded (Linux `/proc/self/clear_refs`),
so the number is the memory the computation itself adds: activations kept for the backward pass,
the path points, attention matrices. A fresh process keeps one measurement's freed memory from
hiding in the next one's.
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
from pathlib import Path

METHODS = ("faithlens_sig_reverse", "faithlens_sig_forward", "faithlens_sig_closed", "tint_sig")

# `explain` runs whose whole-process peak RSS is measured on a short text (what a CLI user pays):
# name -> Explainer.explain keyword arguments
EXPLAIN_RUNS = {
    "sig, the defaults (mode auto: forward at 7 tokens; 50 steps)": {"method": "sig"},
    "sig reverse (50 steps)": {"method": "sig", "mode": "reverse"},
    "sig reverse (tolerance)": {"method": "sig", "mode": "reverse", "steps": "auto", "return_attributions": True},
    "sig forward (50 steps)": {"method": "sig", "mode": "forward"},
    "sig forward (tolerance)": {"method": "sig", "mode": "forward", "steps": "auto"},
    "sig closed": {"method": "sig", "mode": "closed"},
    "ig (50 steps)": {"method": "ig"},
    "ig (tolerance)": {"method": "ig", "steps": "auto"},
    "grad_x_input": {"method": "grad_x_input"},
    "occlusion": {"method": "occlusion"},
}
EXPLAIN_TEXT = "a hideous, confusing spectacle"  # 7 tokens with [CLS] and [SEP]


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def measure(method: str, length: int, steps: int, model_name: str | None, seed: int, data: str | None = None) -> dict:
    """Run the part of a full run that sets its peak; report the peak RSS it adds (MiB)."""
    import torch

    from faithlens.batching import rows_for_budget
    from faithlens.encoding import unit_masks
    from faithlens.explainer import Explainer
    from faithlens.methods.sig import closed_form_scores, forward as _forward, reverse as _reverse
    from faithlens.quadrature import rule

    from .harness import (IMDB_SAMPLE, SHARED_DATA, check_data, imdb_review, load_bench_model, prefix_with_tokens,
                          prepare, tint_sig_position)

    model, _ = load_bench_model(model_name)
    explainer = Explainer(model)
    folder = check_data(Path(data) if data else SHARED_DATA)
    text = prefix_with_tokens(model, imdb_review(folder / IMDB_SAMPLE, model, length, seed), length)
    batch = prepare(explainer, text)
    L = int(batch.enc.attention_mask.sum())
    units = unit_masks(batch.enc, "token")
    U = int(units.any(-1).sum())
    # a full run repeats identical chunks, so its peak is one chunk's peak
    if method == "faithlens_sig_reverse":
        rows = min(steps, rows_for_budget(model, L, "reverse", batch.memory_budget))
        a, w = rule("gausslegendre", rows, dtype=batch.W.dtype)
        run = lambda: _reverse(batch, units[:, [U // 2]], a, w)  # noqa: E731
    elif method == "faithlens_sig_forward":
        rows = min(steps, rows_for_budget(model, L, "forward_ad", batch.memory_budget))
        a, w = rule("gausslegendre", rows, dtype=batch.W.dtype)
        run = lambda: _forward(batch, units[:, [U // 2]], a, w)  # noqa: E731
    elif method == "faithlens_sig_closed":
        rows = min(U + 1, rows_for_budget(model, L, "inference", batch.memory_budget))
        run = lambda: closed_form_scores(batch, units[:, :rows - 1])  # noqa: E731
    elif method == "tint_sig":
        rows = steps  # tint evaluates all steps of one position in one pass
        run = lambda: tint_sig_position(model, batch, steps, L // 2)  # noqa: E731
    else:
        raise SystemExit(f"unknown method {method!r}; valid: {', '.join(METHODS)}")
    gc.collect()
    exact = _reset_peak()
    before = _status_kib("VmRSS")
    with torch.no_grad() if method == "faithlens_sig_closed" else torch.enable_grad():
        run()
    peak = _status_kib("VmHWM")
    return {"method": method, "tokens": L, "rows_in_one_pass": rows, "peak_added_mib": round((peak - before) / 1024, 1),
            "rss_before_mib": round(before / 1024, 1), "peak_reset": exact,
            "memory_budget_mib": batch.memory_budget // 2**20}


def explain_peak(run: str, model_name: str | None, text: str = EXPLAIN_TEXT) -> dict:
    """Peak RSS of a whole process (MiB): after loading the model and one forward pass (the floor), then
    after `Explainer.explain` with the settings of EXPLAIN_RUNS[run]; or, for run 'transformers', of a
    plain transformers script (import, from_pretrained, one forward) on the same model."""
    if run == "transformers":
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        from faithlens.default_model import default_model_dir

        path = model_name or str(default_model_dir())
        tok = AutoTokenizer.from_pretrained(path)
        net = AutoModelForSequenceClassification.from_pretrained(path).eval()
        with torch.inference_mode():
            net(**tok(text, return_tensors="pt"))
        return {"run": run, "peak_mib": round(_status_kib("VmHWM") / 1024, 1)}
    from faithlens.explainer import Explainer

    from .harness import load_bench_model

    model, _ = load_bench_model(model_name)
    explainer = Explainer(model)
    explainer.predict(text)
    floor = _status_kib("VmHWM")
    explainer.explain(text, **EXPLAIN_RUNS[run])
    peak = _status_kib("VmHWM")
    return {"run": run, "floor_mib": round(floor / 1024, 1), "peak_mib": round(peak / 1024, 1),
            "added_mib": round((peak - floor) / 1024, 1)}


def explain_peak_in_subprocess(run: str, model_name: str | None, threads: int, timeout: float = 600) -> dict:
    cmd = [sys.executable, "-m", "bench.memory", "--explain", run, "--threads", str(threads)]
    if model_name:
        cmd += ["--model", model_name]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=Path(__file__).resolve().parents[1])
    if done.returncode != 0:
        return {"run": run, "error": done.stderr.strip().splitlines()[-1:] or ["failed"]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def in_subprocess(method: str, length: int, steps: int, model_name: str | None, seed: int, threads: int,
                  timeout: float = 900, data: Path | None = None) -> dict:
    cmd = [sys.executable, "-m", "bench.memory", "--method", method, "--length", str(length), "--steps", str(steps),
           "--seed", str(seed), "--threads", str(threads)]
    if data is not None:
        cmd += ["--data", str(data)]
    if model_name:
        cmd += ["--model", model_name]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=Path(__file__).resolve().parents[1])
    if done.returncode != 0:
        return {"method": method, "error": done.stderr.strip().splitlines()[-1:] or ["failed"]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(allow_abbrev=False, prog="python -m bench.memory", description=__doc__.splitlines()[0])
    parser.add_argument("--method", choices=METHODS, default=None)
    parser.add_argument("--explain", choices=[*EXPLAIN_RUNS, "transformers"], default=None,
                        help="measure a whole explain() process instead (see explain_peak)")
    parser.add_argument("--data", default=None, help="data folder (default: ../shared/data)")
    parser.add_argument("--length", type=int, default=512)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--model", default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    if args.explain:
        print(json.dumps(explain_peak(args.explain, args.model)))
        return 0
    if args.method is None:
        parser.error("pass --method or --explain")
    print(json.dumps(measure(args.method, args.length, args.steps, args.model, args.seed, args.data)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
