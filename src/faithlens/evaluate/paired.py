"""Paired tests between the methods of a run (bootstrap interval, Wilcoxon, Holm) and against the seeded random
ordering; which method, if any, is the most faithful on each metric."""

from __future__ import annotations

from collections.abc import Sequence

from ..metrics import METRICS
from .tables import TOPK_COLUMNS


SIGNIFICANCE_LEVEL = 0.05


RANDOM = "random"  # the seeded random-ordering row (methods/random_words.py)


def significance(records: Sequence[dict], methods: Sequence[str], *, seed: int = 0,
                 level: float = SIGNIFICANCE_LEVEL) -> dict:
    """Paired tests between every two methods over the examples both scored (k > 0), per metric.

    For LO, Comp and Suff: the mean difference a − b with its paired bootstrap 95 % interval
    (seeded) and the two-sided Wilcoxon signed-rank p-value, Holm-corrected across the pairs of
    that metric (`faithlens.stats`). ``winner``: the method with the best mean whose difference from
    every other method (the random row aside) is significant at ``level`` after correction; else
    None and ``tied``: the best method and every method not significantly different from it.
    ``vs_random``: per method, the one-sided test that its Comp exceeds the random row's
    (Holm-corrected across methods); ``above_random`` is that test's verdict."""
    from ..stats import holm, paired_test

    by = {(r["index"], r["method"]): r for r in records if r.get("k") != 0}
    out: dict = {"level": level, "seed": seed, "metrics": {}, "vs_random": {}}
    for metric in TOPK_COLUMNS:
        pairs = []
        for i, a in enumerate(methods):
            for b in methods[i + 1:]:
                common = sorted(j for (j, m) in by if m == a and (j, b) in by)
                if len(common) < 2:
                    continue
                x = [by[(j, a)][metric] for j in common]
                y = [by[(j, b)][metric] for j in common]
                pairs.append(dict(paired_test(x, y, seed=seed), a=a, b=b))
        for p, adjusted in zip(pairs, holm([p["p"] for p in pairs])):
            p["p_holm"] = adjusted
            p["significant"] = adjusted < level
        out["metrics"][metric] = {"pairs": pairs, **_winner(records, methods, metric, pairs)}
    if RANDOM in methods:
        tests = {}
        for m in methods:
            if m == RANDOM:
                continue
            common = sorted(j for (j, mm) in by if mm == m and (j, RANDOM) in by)
            if len(common) >= 2:
                tests[m] = paired_test([by[(j, m)]["comprehensiveness"] for j in common],
                                       [by[(j, RANDOM)]["comprehensiveness"] for j in common], seed=seed,
                                       alternative="greater")
        for (m, t), adjusted in zip(tests.items(), holm([t["p"] for t in tests.values()])):
            t["p_holm"] = adjusted
            t["above_random"] = adjusted < level and t["mean_difference"] > 0
        out["vs_random"] = tests
    return out


def _winner(records: Sequence[dict], methods: Sequence[str], metric: str, pairs: list[dict]) -> dict:
    from ..metrics import summarise as _summ

    means = {}
    for m in methods:
        values = [r[metric] for r in records if r["method"] == m and r.get("k") != 0 and r.get(metric) is not None]
        if values:
            means[m] = _summ(values)["mean"]
    contenders = [m for m in means if m != RANDOM]
    if len(contenders) < 2:  # one method beside the random row: no test could name it most faithful
        return {"winner": None, "tied": [], "alone": contenders[0] if contenders else None}
    lower = METRICS[metric].direction == "lower"
    best = (min if lower else max)(contenders, key=lambda m: means[m])
    tied = [best]
    for m in contenders:
        if m == best:
            continue
        pair = next((p for p in pairs if {p["a"], p["b"]} == {best, m}), None)
        if pair is None or not pair["significant"]:
            tied.append(m)
    return {"winner": best if len(tied) == 1 else None, "tied": tied if len(tied) > 1 else []}
