"""The two prompts of bench/certified.py (issue 25's target: gap ≤ 1 % at ≤ 4× the 50-step IG time) under two
causal schemes of bench/lm_schemes.py, timed as A B B A per scheme (50 steps, scheme, scheme, 50 steps) on one
thread. Run: OMP_NUM_THREADS=1 python -m bench.lm_zoom_bench_prompts current zoom16_s10
"""

from __future__ import annotations

import json
import statistics
import sys

import torch

import faithlens
from bench.certified import LM_PROMPTS
from bench.lm_schemes import CANDIDATES, _counts, _cpu, certified


def main(names: list[str]) -> list[dict]:
    torch.set_num_threads(1)
    lm = faithlens.Explainer("smollm2")
    rows = []
    for prompt, target in LM_PROMPTS:
        fixed = lambda: lm.explain(prompt, "ig", target=target, steps=50, faithfulness=False)  # noqa: E731
        for name in names:
            run = lambda: certified(lm, CANDIDATES[name], prompt, target)  # noqa: E731
            fixed(), run()
            a1, _ = _cpu(fixed)
            t1, e = _cpu(run)
            t2, _ = _cpu(run)
            a2, _ = _cpu(fixed)
            row = {"prompt": prompt, "target": target, "scheme": name, **_counts(e, CANDIDATES[name]),
                   "steps50_s": (a1 + a2) / 2, "certified_s": statistics.mean([t1, t2]),
                   "ratio": (t1 + t2) / (a1 + a2)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    return rows


if __name__ == "__main__":
    main(sys.argv[1:])
