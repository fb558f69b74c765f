"""Which refinement scheme certified IG uses on causal LMs, chosen on prompts the bench does not use (issue 25).

Run: OMP_NUM_THREADS=1 python -m bench.lm_schemes [--schemes current,raise,...] [--no-time] [--prompts N]
For each held-out prompt → one-token target (SmolLM2, never the two prompts of bench/certified.py) and each
candidate `faithlens.methods.kronrod.Scheme`: IG certified to a completeness gap ≤ 1 % (the stopping rule is
the library's; only the scheme that starts and climbs the refinement changes), its nodes, rounds and the gap
reached, and its CPU seconds against 50-step IG on one thread, timed per prompt as a palindrome
(50 steps, every scheme, every scheme in reverse, 50 steps: A B B A for each scheme). A scheme's ratio on a
prompt is its mean time over the two 50-step times' mean; the table gives the median and the worst ratio over
the prompts. `--no-time` only counts nodes and rounds (a screen: each round costs ≈ 0.1 s, each gradient
row ≈ 0.025 s on one thread and each forward-only row of a zoom a third of that). Writes bench/results/lm_schemes.{json,md} (or --name).
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import time
from pathlib import Path

import torch

import faithlens
from faithlens.methods import kronrod

RESULTS = Path(__file__).resolve().parent / "results"
TOLERANCE = 0.01
NODE_BUDGET = 1000  # as bench/certified.py: the tolerance, not the budget, stops the refinement
HELD_OUT = [  # 3–10 tokens, one-token targets (SmolLM2's tokenizer); factual, completion, instruction-like
    ("The sun rises in the", " east"),
    ("Water freezes at zero degrees", " Celsius"),
    ("The opposite of hot is", " cold"),
    ("Monday, Tuesday,", " Wednesday"),
    ("One, two, three,", " four"),
    ("The cat sat on the", " mat"),
    ("Translate to French: cat =", " chat"),
    ("Bees make", " honey"),
    ("The largest planet in our solar system is", " Jupiter"),
    ("She opened the door with a", " key"),
    ("The chemical symbol for gold is", " Au"),
    ("Complete the list: red, green,", " blue"),
]
INF = float("inf")
def _causal(**changes) -> kronrod.Scheme:
    """The current causal-LM scheme with some fields changed (the zoom candidates)."""
    from dataclasses import replace

    return replace(kronrod.SCHEMES["causal"], **changes)


CANDIDATES = {
    "current": kronrod.SCHEMES["causal"],
    "raise": kronrod.Scheme(grid=16, pieces=4, first_level=1, child_level=0, raise_ratio=INF),
    "raise_g3": kronrod.Scheme(grid=16, pieces=4, first_level=1, child_level=1, raise_ratio=INF),
    "raise_grid12": kronrod.Scheme(grid=12, pieces=4, first_level=1, child_level=0, raise_ratio=INF),
    "raise_grid24_p6": kronrod.Scheme(grid=24, pieces=6, first_level=1, child_level=0, raise_ratio=INF),
    "raise_grid24": kronrod.Scheme(grid=24, pieces=4, first_level=1, child_level=0, raise_ratio=INF),
    "raise_p6": kronrod.Scheme(grid=16, pieces=6, first_level=1, child_level=0, raise_ratio=INF),
    "g3": kronrod.Scheme(grid=16, pieces=4, first_level=1, child_level=1, raise_ratio=0.1),
    "zoom16": _causal(zoom=16),
    "zoom8": _causal(zoom=8),
    "zoom16_d1": _causal(zoom=16, zoom_depth=1),
    "zoom16_s10": _causal(zoom=16, zoom_share=0.1),
    "zoom16_d3": _causal(zoom=16, zoom_depth=3),
    "g32_z8": _causal(grid=32, zoom=8, zoom_share=0.1),
    "g64_z8": _causal(grid=64, zoom=8, zoom_share=0.1),
    "g32_z8_p6": _causal(grid=32, pieces=6, zoom=8, zoom_share=0.1),
    "g32_z16_s05": _causal(grid=32, zoom=16, zoom_share=0.05),
    "zoom8_s10": _causal(zoom=8, zoom_share=0.1),
    "zoom16_s15": _causal(zoom=16, zoom_share=0.15),
}
ROUND_S, ROW_S = 0.1, 0.025  # the cost model of one SmolLM2 refinement on one thread (screen only); a zoom's
# forward-only row counts a third of a gradient row


def _cpu(fn) -> tuple[float, object]:
    t0 = time.process_time()
    out = fn()
    return time.process_time() - t0, out


IG = importlib.import_module("faithlens.methods.ig")  # the package re-exports functions under module names
FORWARD_ROWS: list[int] = []  # KronrodResult.forward_rows of each certified call (profile and zoom)


def _recorded(*args, **kwargs):
    res = kronrod.integrate_ig(*args, **kwargs)
    FORWARD_ROWS.append(res.forward_rows)
    return res


def certified(lm: faithlens.Explainer, scheme: kronrod.Scheme, prompt: str, target: str):
    """Certified IG with `scheme` as the causal scheme for this one call (the table is restored after)."""
    saved = kronrod.SCHEMES["causal"]
    kronrod.SCHEMES["causal"] = scheme
    IG.integrate_ig = _recorded
    try:
        return lm.explain(prompt, "ig", target=target, tolerance=TOLERANCE, steps=NODE_BUDGET, faithfulness=False)
    finally:
        kronrod.SCHEMES["causal"] = saved
        IG.integrate_ig = kronrod.integrate_ig


def _counts(e, scheme: kronrod.Scheme) -> dict:
    nodes, rounds, forward = int(e.nodes[0]), int(e.settings["rounds"]), FORWARD_ROWS[-1]
    return {"nodes": nodes, "rounds": rounds, "forward_rows": forward, "gap": float(e.error["relative"]),
            "model_s": ROUND_S * rounds + ROW_S * (nodes + (scheme.grid - 1) + (forward - scheme.grid + 1) / 3)}


def measure(lm: faithlens.Explainer, prompt: str, target: str, schemes: dict, timed: bool) -> dict:
    """One prompt: every scheme's counts; with `timed`, CPU seconds in a palindrome around two 50-step runs."""
    fixed = lambda: lm.explain(prompt, "ig", target=target, steps=50, faithfulness=False)  # noqa: E731
    row: dict = {"prompt": prompt, "target": target, "schemes": {}}
    if not timed:
        for name, s in schemes.items():
            row["schemes"][name] = _counts(certified(lm, s, prompt, target), s)
        return row
    fixed()
    row["gap_50_steps"] = float(lm.explain(prompt, "ig", target=target, steps=50).error["relative"])
    a1, _ = _cpu(fixed)
    times: dict[str, list[float]] = {name: [] for name in schemes}
    order = list(schemes)
    for name in order + order[::-1]:
        t, e = _cpu(lambda: certified(lm, schemes[name], prompt, target))
        times[name].append(t)
        row["schemes"].setdefault(name, _counts(e, schemes[name]))
    a2, _ = _cpu(fixed)
    row["steps50_s"] = (a1 + a2) / 2
    for name, ts in times.items():
        row["schemes"][name].update(certified_s=statistics.mean(ts), ratio=statistics.mean(ts) / row["steps50_s"])
    return row


def summary(rows: list[dict], names: list[str]) -> dict:
    out = {}
    for name in names:
        cells = [r["schemes"][name] for r in rows]
        key = "ratio" if "ratio" in cells[0] else "model_s"
        values = [c[key] for c in cells]
        out[name] = {"measure": key, "median": statistics.median(values), "worst": max(values),
                     "nodes_median": statistics.median(c["nodes"] for c in cells),
                     "nodes_max": max(c["nodes"] for c in cells),
                     "rounds_median": statistics.median(c["rounds"] for c in cells),
                     "rounds_max": max(c["rounds"] for c in cells),
                     "gap_max": max(abs(c["gap"]) for c in cells)}
    return out


def markdown(res: dict) -> str:
    names = list(res["schemes"])
    timed = res["timed"]
    unit = "time ratio vs 50-step IG" if timed else "cost model (s)"
    out = ["# Certified IG on SmolLM2: refinement schemes on held-out prompts", "",
           f"Command: `{res['command']}` (one thread, CPU seconds). Tolerance {TOLERANCE:.0%} of |F(w) − F(w̄)|; "
           "every run must reach it (gap column). Prompts: bench/lm_schemes.py HELD_OUT, none of the bench's.", "",
           "| scheme | grid | pieces | child level | raise ratio | zoom (points / share / depth) | median " + unit +
           " | worst | nodes (median / max) | rounds (median / max) | max gap |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name in names:
        s, sm = res["schemes"][name], res["summary"][name]
        f = "{:.2f}×" if timed else "{:.2f}"
        zoom = f"{s['zoom']} / {s['zoom_share']} / {s['zoom_depth']}" if s.get("zoom") else "—"
        out.append(f"| {name} | {s['grid']} | {s['pieces']} | {s['child_level']} | {s['raise_ratio']} | {zoom} | "
                   f"{f.format(sm['median'])} | {f.format(sm['worst'])} | {sm['nodes_median']:g} / {sm['nodes_max']} | "
                   f"{sm['rounds_median']:g} / {sm['rounds_max']} | {sm['gap_max']:.2%} |")
    out += ["", "Per prompt (nodes / rounds / gap" + (" / time ratio" if timed else "") + "):", "",
            "| prompt → target | " + ("50 steps (s) | gap, 50 steps | " if timed else "") + " | ".join(names) + " |",
            "|---|" + ("---|---|" if timed else "") + "---|" * len(names)]
    for r in res["prompts"]:
        cells = []
        for name in names:
            c = r["schemes"][name]
            cells.append(f"{c['nodes']} / {c['rounds']} / {c['gap']:.2%}" + (f" / {c['ratio']:.2f}×" if timed else ""))
        lead = f"{r['steps50_s']:.2f} | {r['gap_50_steps']:.1%} | " if timed else ""
        out.append(f"| {r['prompt']!r} → {r['target']!r} | {lead}" + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.lm_schemes", description=__doc__.splitlines()[0])
    p.add_argument("--schemes", default=",".join(CANDIDATES), help="names from CANDIDATES, comma-separated")
    p.add_argument("--no-time", action="store_true", help="counts only (nodes, rounds, gap; cost model)")
    p.add_argument("--prompts", type=int, default=len(HELD_OUT), help="the first N held-out prompts")
    p.add_argument("--name", default="lm_schemes", help="results file stem under --out")
    p.add_argument("--out", type=Path, default=RESULTS)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    names = [n for n in args.schemes.split(",") if n]
    unknown = [n for n in names if n not in CANDIDATES]
    if unknown:
        raise SystemExit(f"unknown scheme(s) {unknown}; expected names from {list(CANDIDATES)}")
    schemes = {n: CANDIDATES[n] for n in names}
    lm = faithlens.Explainer("smollm2")
    command = "python -m bench.lm_schemes --schemes " + ",".join(names) + (" --no-time" if args.no_time else "")
    if args.prompts != len(HELD_OUT):
        command += f" --prompts {args.prompts}"
    res = {"command": command, "timed": not args.no_time,
           "schemes": {n: {**vars(s), "raise_ratio": str(s.raise_ratio)} for n, s in schemes.items()}, "prompts": []}
    for prompt, target in HELD_OUT[:args.prompts]:
        res["prompts"].append(measure(lm, prompt, target, schemes, not args.no_time))
        print(json.dumps(res["prompts"][-1]), flush=True)
        res["summary"] = summary(res["prompts"], names)
        (args.out / f"{args.name}.json").write_text(json.dumps(res, indent=1))
        (args.out / f"{args.name}.md").write_text(markdown(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
