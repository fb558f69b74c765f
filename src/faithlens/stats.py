"""Paired statistics over examples: rank correlation, paired bootstrap, Wilcoxon signed-rank, Holm.

Pure functions on lists of floats (one value per example). Used by per-explanation
faithfulness (`faithlens.trust`), `evaluate`'s significance tables and the audit verdict.

- Spearman's ρ with average ranks for ties (Spearman 1904).
- Paired bootstrap CI of the mean difference: resample examples with replacement (Efron &
  Tibshirani 1993, §16), percentile interval, seeded.
- Wilcoxon signed-rank test (Wilcoxon 1945), two-sided or one-sided; zero differences dropped
  (Wilcoxon's convention). ``scipy.stats.wilcoxon`` when scipy is installed (exact for small n
  without ties), else the normal approximation with the tie and continuity corrections.
- Holm's step-down correction for several tests (Holm 1979).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from .errors import FaithlensError

DEFAULT_BOOTSTRAP = 2000  # resamples; the 95 % percentile interval moves by < 0.01 se between seeds at this size
ALTERNATIVES = ("two-sided", "greater", "less")


def ranks(v: torch.Tensor) -> torch.Tensor:
    """0-based ranks of a 1-D tensor, ties given their average rank: (n,) -> (n,) float64."""
    v = v.to(torch.float64)
    order = torch.argsort(v, stable=True)
    out = torch.empty_like(v)
    out[order] = torch.arange(len(v), dtype=torch.float64)
    values, inverse, counts = torch.unique(v, return_inverse=True, return_counts=True)
    if bool((counts > 1).any()):  # average ranks of ties
        sums = torch.zeros(len(values), dtype=torch.float64).index_add_(0, inverse, out)
        out = (sums / counts.to(torch.float64))[inverse]
    return out


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rho with average ranks for ties; None when either side is constant or shorter than 2."""
    if len(x) != len(y):
        raise FaithlensError(f"spearman needs two sequences of the same length. Got {len(x)} and {len(y)}.")
    if len(x) < 2:
        return None
    rx, ry = ranks(torch.as_tensor(list(x), dtype=torch.float64)), ranks(torch.as_tensor(list(y), dtype=torch.float64))
    rx, ry = rx - rx.mean(), ry - ry.mean()
    den = float(rx.norm() * ry.norm())
    return None if den == 0 else float((rx * ry).sum()) / den


def paired_bootstrap(a: Sequence[float], b: Sequence[float], *, n_boot: int = DEFAULT_BOOTSTRAP, seed: int = 0,
                     level: float = 0.95) -> dict:
    """Mean of a − b over examples and its percentile bootstrap interval (examples resampled in pairs).

    Returns ``{"mean", "low", "high", "level", "n", "n_boot", "seed"}``; ``low``/``high`` are None
    when n < 2."""
    d = _differences(a, b)
    n = len(d)
    out = {"mean": float(d.mean()) if n else None, "low": None, "high": None, "level": level, "n": n,
           "n_boot": n_boot, "seed": seed}
    if n < 2:
        return out
    gen = torch.Generator().manual_seed(seed)
    picks = torch.randint(0, n, (n_boot, n), generator=gen)  # (n_boot, n)
    means = d[picks].mean(1)
    tail = (1 - level) / 2
    out["low"], out["high"] = float(torch.quantile(means, tail)), float(torch.quantile(means, 1 - tail))
    return out


def wilcoxon(a: Sequence[float], b: Sequence[float], *, alternative: str = "two-sided") -> dict:
    """Wilcoxon signed-rank test of the paired differences a − b (zeros dropped).

    ``alternative``: "two-sided", "greater" (a tends to exceed b) or "less". Returns
    ``{"statistic" (W+, the sum of ranks of positive differences), "p", "n" (non-zero pairs), "method"}``;
    p is 1.0 when every difference is zero."""
    if alternative not in ALTERNATIVES:
        from .errors import unknown_choice

        raise unknown_choice("alternative", alternative, ALTERNATIVES)
    d = _differences(a, b)
    d = d[d != 0]
    n = len(d)
    if n == 0:
        return {"statistic": 0.0, "p": 1.0, "n": 0, "method": "no non-zero difference"}
    r = ranks(d.abs()) + 1
    w_plus = float(r[d > 0].sum())
    try:
        from scipy.stats import wilcoxon as scipy_wilcoxon
    except ImportError:
        return {"statistic": w_plus, "p": _wilcoxon_normal(d, w_plus, alternative), "n": n, "method": "normal"}
    res = scipy_wilcoxon(d.numpy(), alternative=alternative, zero_method="wilcox")
    return {"statistic": w_plus, "p": float(res.pvalue), "n": n, "method": "scipy"}


def _wilcoxon_normal(d: torch.Tensor, w_plus: float, alternative: str) -> float:
    """Normal approximation of W+ with the tie correction and a continuity correction of 1/2."""
    n = len(d)
    mean = n * (n + 1) / 4
    _, counts = torch.unique(d.abs(), return_counts=True)
    var = n * (n + 1) * (2 * n + 1) / 24 - float((counts.to(torch.float64) ** 3 - counts).sum()) / 48
    if var <= 0:
        return 1.0
    sd = math.sqrt(var)
    upper = 0.5 * math.erfc(((w_plus - mean - 0.5) / sd) / math.sqrt(2))  # P(W+ ≥ w)
    lower = 0.5 * math.erfc(-((w_plus - mean + 0.5) / sd) / math.sqrt(2))  # P(W+ ≤ w)
    if alternative == "greater":
        return min(1.0, upper)
    if alternative == "less":
        return min(1.0, lower)
    return min(1.0, 2 * min(upper, lower))


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm–Bonferroni adjusted p-values (same order as given): p_(i) · (m − i + 1), made monotone, capped at 1."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * float(pvalues[i])))
        adjusted[i] = running
    return adjusted


def paired_test(a: Sequence[float], b: Sequence[float], *, seed: int = 0, alternative: str = "two-sided",
                n_boot: int = DEFAULT_BOOTSTRAP) -> dict:
    """Bootstrap CI of mean(a − b) and the Wilcoxon p-value in one dict, plus an effect size.

    The effect size is the matched-pairs rank-biserial correlation r = (W+ − W−) / (W+ + W−) in
    [−1, 1] (Kerby 2014): +1 when every non-zero difference is positive."""
    boot = paired_bootstrap(a, b, n_boot=n_boot, seed=seed)
    test = wilcoxon(a, b, alternative=alternative)
    n = test["n"]
    total = n * (n + 1) / 2
    effect = (2 * test["statistic"] - total) / total if total else 0.0
    return {"mean_difference": boot["mean"], "ci": [boot["low"], boot["high"]], "ci_level": boot["level"],
            "p": test["p"], "test": f"wilcoxon ({test['method']}, {alternative})", "rank_biserial": effect,
            "n": boot["n"], "n_nonzero": n, "n_boot": n_boot, "seed": seed}


def _differences(a: Sequence[float], b: Sequence[float]) -> torch.Tensor:
    if len(a) != len(b):
        raise FaithlensError(f"A paired test needs one value per example on both sides. Got {len(a)} and {len(b)} values.")
    x = torch.as_tensor(list(a), dtype=torch.float64) - torch.as_tensor(list(b), dtype=torch.float64)
    if not bool(torch.isfinite(x).all()):
        raise FaithlensError("A paired test got a NaN or infinite value. Drop the examples without a value first.")
    return x
