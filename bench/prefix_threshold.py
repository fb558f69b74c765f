"""Causal-LM prefix sharing vs none over prompt lengths (SmolLM2, CPU): where does sharing start to pay?

Run: OMP_NUM_THREADS=1 python -m bench.prefix_threshold [--lengths 8,16,32,64,128]
For each length: SIG closed form (N + 1 forward passes, the default) and SIG reverse with 8 steps, each
timed with sharing forced on (threshold 0) and off (threshold above the length), as A B B A pairs (CPU
seconds, median of the two pairs' ratios). Writes bench/results/prefix_threshold.{json,md}. The threshold in
faithlens.batching.PREFIX_SHARING_MIN_TOKENS["llama"] is the shortest length where both ratios favour sharing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import torch

import faithlens
from faithlens import batching

RESULTS = Path(__file__).resolve().parent / "results"
SENTENCE = "The old lighthouse keeper walked along the shore every morning, counting the boats that came back. "


def prompt_of(ex: faithlens.Explainer, n: int) -> str:
    """A prompt of about n tokens (whole words)."""
    words = (SENTENCE * (1 + n // 10)).split()
    for k in range(1, len(words) + 1):
        if len(ex.model.tokenizer(" ".join(words[:k]))["input_ids"]) >= n:
            return " ".join(words[:k])
    return " ".join(words)


def timed(fn) -> float:
    t0 = time.process_time()
    fn()
    return time.process_time() - t0


def measure(ex: faithlens.Explainer, text: str, kw: dict, kind: str) -> dict:
    table = batching.PREFIX_SHARING_MIN_TOKENS
    saved = dict(table)

    def run(share: bool):
        table[kind] = 0 if share else 10**9
        return ex.explain(text, "sig", target=" the", **kw)

    try:
        on, off = run(True), run(False)  # warm-up, and the agreement of both paths
        diff = max(abs(a - b) for a, b in zip(on.token_scores, off.token_scores))
        t = {"on": [], "off": []}
        for order in (("on", "off"), ("off", "on")):  # A B B A
            for which in order:
                t[which].append(timed(lambda: run(which == "on")))
    finally:
        table.clear()
        table.update(saved)
    return {"shared_s": statistics.median(t["on"]), "full_s": statistics.median(t["off"]),
            "speedup": statistics.median([b / a for a, b in zip(t["on"], t["off"])]), "max_abs_diff": diff}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.prefix_threshold", description=__doc__.splitlines()[0])
    p.add_argument("--lengths", default="8,16,32,64,128")
    p.add_argument("--model", default="smollm2")
    p.add_argument("--out", type=Path, default=RESULTS)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    ex = faithlens.Explainer(args.model)
    kind = getattr(ex.model.model.config, "model_type", "default")
    rows = []

    def save() -> None:
        write(args, kind, rows)

    for n in [int(x) for x in args.lengths.split(",") if x]:
        text = prompt_of(ex, n)
        tokens = len(ex.model.tokenizer(text)["input_ids"])
        for label, kw in (("sig closed", {"mode": "closed"}), ("sig reverse 8 steps", {"mode": "reverse", "steps": 8})):
            r = {"tokens": tokens, "method": label, **measure(ex, text, kw, kind)}
            rows.append(r)
            print(r, flush=True)
            save()
    return 0


def write(args, kind: str, rows: list[dict]) -> None:
    result = {"command": "python -m bench.prefix_threshold --lengths " + args.lengths, "model": args.model,
              "model_type": kind, "threads": 1, "load_average": [round(x, 2) for x in os.getloadavg()], "rows": rows,
              "note": "CPU seconds on a shared 2-core machine (noisy); medians of A B B A pairs."}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "prefix_threshold.json").write_text(json.dumps(result, indent=1))
    lines = ["# Causal prefix sharing vs none (SmolLM2, CPU, 1 thread)", "", f"`{result['command']}`; {result['note']}", "",
             "| tokens | method | shared (s) | no sharing (s) | speed-up from sharing | max abs diff |", "|---|---|---|---|---|---|"]
    lines += [f"| {r['tokens']} | {r['method']} | {r['shared_s']:.2f} | {r['full_s']:.2f} | {r['speedup']:.2f}× | {r['max_abs_diff']:.1e} |"
              for r in rows]
    (args.out / "prefix_threshold.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
