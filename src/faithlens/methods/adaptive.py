"""Error-controlled quadrature (SPEC §10): refine each path only while its known integral is missed.

Every path p (a SIG unit, or an IG text) integrates to a value known without quadrature, its
``exact`` value (SIG: the closed form F(w) − F(w̄^(u)); IG: F(w) − F(w̄)). A nested rule
(`quadrature.nested`) is evaluated level by level; after each level the paths whose estimate is
within ``threshold`` of their exact value stop, and only the others get the next level's new
nodes. Rows of every unrefined path of every text are evaluated together, in the usual chunks, so
short and long refinement share batches.

Estimates of every level are kept as running sums: a node k evaluated once adds
``weights[l, k] · contribution`` to the sum of every level l that uses it (nested rules reuse
nodes with new weights). The result of a path is its sum at the level where it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from ..batching import Batch, gradients_at, jvps_along, sharing_coef
from ..errors import FaithlensError
from ..quadrature import NESTED_RULES, nested

DEFAULT_RULE = "leja"
DEFAULT_TOLERANCE = 1e-3  # relative to ‖c‖₂ (SIG) or |F(w) − F(w̄)| (IG); see bench/results/changes.md


def rule_for(name: str) -> str:
    """The nested rule to refine with: the named one, or the default when `name` is the fixed-step default."""
    if name in NESTED_RULES:
        return name
    if name == "gausslegendre":
        return DEFAULT_RULE
    raise FaithlensError(f"Error-controlled steps (tolerance=) need a nested quadrature rule: one of "
                         f"{', '.join(NESTED_RULES)}. Got rule={name!r}. Drop the rule or pick one of those.")


def threshold_floor(batch: Batch) -> Tensor:
    """The smallest |error| worth refining for: float rounding of F itself, (B,)."""
    eps = torch.finfo(batch.W.dtype).eps
    return 16 * eps * (1.0 + batch.F_input().abs())


@dataclass
class AdaptiveResult:
    token_sums: Tensor  # (B, L): Σ_d of each token's attribution at its path's final level
    attributions: Tensor | None  # (B, L, D) at each path's final level (reverse mode), else None
    nodes: Tensor  # (P,) long: nodes evaluated on each path
    estimate: Tensor  # (P,): the path's integral at its final level
    converged: Tensor  # (P,) bool: |estimate − exact| ≤ threshold
    rows: int  # path points evaluated in all
    max_nodes: int  # nodes of the rule's last level


def integrate(batch: Batch, b: Tensor, moving: Tensor, keep: Tensor, exact: Tensor, threshold: Tensor, *,
              mode: str = "reverse", rule: str = DEFAULT_RULE, max_nodes: int | None = None,
              with_attributions: bool = True) -> AdaptiveResult:
    """Refine P paths until each meets its threshold or the rule's last level.

    b (P,): text of each path; moving (P, L) bool: the positions the path moves from the baseline
    (the rest stay at the input); keep (P, L) bool: the positions whose attribution the path
    produces (SIG: its unit; IG: every attributed position). Paths of one text must keep disjoint
    positions. exact (P,): the path's integral; threshold (P,): the largest accepted |error|.
    mode "reverse" (gradients, per-feature attributions) or "forward" (one JVP per kept token).
    """
    alphas_np, weights_np, counts = nested(rule, max_nodes)
    dtype = batch.W.dtype
    alphas = torch.as_tensor(alphas_np, dtype=dtype)
    weights = torch.as_tensor(weights_np, dtype=dtype)  # (levels, n)
    levels = len(counts)
    B, L, D = batch.shape
    P = len(b)
    sums = torch.zeros(levels, B, L, D, dtype=dtype) if mode == "reverse" else torch.zeros(levels, B, L, dtype=dtype)
    level = torch.full((P,), -1, dtype=torch.long)  # the last level whose nodes are all evaluated
    active = torch.ones(P, dtype=torch.bool)
    estimate = torch.zeros(P, dtype=dtype)
    rows = 0
    keep_f = keep.to(dtype)
    while bool(active.any()):
        paths = active.nonzero()[:, 0]
        start = torch.tensor([0, *counts])[level[paths] + 1]  # first new node of each path's next level
        stop = torch.tensor(counts)[level[paths] + 1]
        p = paths.repeat_interleave(stop - start)
        k = torch.cat([torch.arange(int(a), int(z)) for a, z in zip(start, stop)])
        if mode == "reverse":
            _gradient_rows(batch, sums, b, moving, keep, p, k, alphas, weights)
        else:
            _jvp_rows(batch, sums, b, moving, keep, p, k, alphas, weights)
        rows += len(p)
        level[paths] += 1
        token_sums = sums.sum(-1) if mode == "reverse" else sums  # (levels, B, L)
        estimate[paths] = (token_sums[level[paths], b[paths]] * keep_f[paths]).sum(-1)
        done = ((estimate[paths] - exact[paths]).abs() <= threshold[paths]) | (level[paths] == levels - 1)
        active[paths[done]] = False
    token_sums = sums.sum(-1) if mode == "reverse" else sums
    final = (token_sums[level, b] * keep_f).new_zeros(B, L)
    final.index_put_((b,), token_sums[level, b] * keep_f, accumulate=True)
    attributions = None
    if mode == "reverse" and with_attributions:
        attributions = torch.zeros(B, L, D, dtype=dtype)
        attributions.index_put_((b,), sums[level, b] * keep_f[..., None], accumulate=True)
    converged = (estimate - exact).abs() <= threshold
    nodes = torch.tensor(counts)[level]
    return AdaptiveResult(token_sums=final, attributions=attributions, nodes=nodes, estimate=estimate,
                          converged=converged, rows=rows, max_nodes=counts[-1])


def _coef(moving: Tensor, alpha: Tensor) -> Tensor:
    """1 on the positions that stay at the input, alpha on the moving ones: (R, L)."""
    return 1.0 - moving.to(alpha.dtype) * (1.0 - alpha[:, None])


def _gradient_rows(batch: Batch, sums: Tensor, b: Tensor, moving: Tensor, keep: Tensor, p: Tensor, k: Tensor,
                   alphas: Tensor, weights: Tensor) -> None:
    """Add weights[:, k] · keep ⊙ ∇F ⊙ (W − W̄) of every row (path p, node k) into sums (levels, B, L, D).

    Rows at alpha = 1 are the input itself whatever the path, so paths of one text share one
    gradient there (keep: the union of theirs).
    """
    p, k, rb, rkeep = _share_input_rows(b, keep, p, k, alphas)
    coef = _coef(moving[p], alphas[k])
    shared = sharing_coef(coef, rkeep)  # causal models: never share a kept position's column
    diff = batch.diff
    for s in batch.chunks(len(p), "reverse", batch.prefix_groups(rb, shared)):
        bs = rb[s]
        grad = gradients_at(batch, batch.points(bs, coef[s]), bs, shared[s])  # (r, L, D)
        contrib = rkeep[s].to(grad.dtype)[..., None] * grad * diff[bs]  # (r, L, D)
        for level in range(len(weights)):
            w = weights[level, k[s]]
            if bool((w != 0).any()):
                sums[level].index_add_(0, bs, w[:, None, None] * contrib)


def _share_input_rows(b: Tensor, keep: Tensor, p: Tensor, k: Tensor, alphas: Tensor):
    """Merge the rows at alpha = 1 of one text into one row: (p, k, text, keep) of the rows to run."""
    at_input = alphas[k] == 1
    if not bool(at_input.any()):
        return p, k, b[p], keep[p]
    texts = b[p[at_input]].unique()
    merged_keep = torch.stack([keep[p[at_input][b[p[at_input]] == t]].any(0) for t in texts])
    first = torch.stack([p[at_input][b[p[at_input]] == t][0] for t in texts])
    k_one = k[at_input][0].expand(len(texts))
    rest = ~at_input
    return (torch.cat([p[rest], first]), torch.cat([k[rest], k_one]), torch.cat([b[p[rest]], texts]),
            torch.cat([keep[p[rest]], merged_keep]))


def _jvp_rows(batch: Batch, sums: Tensor, b: Tensor, moving: Tensor, keep: Tensor, p: Tensor, k: Tensor,
              alphas: Tensor, weights: Tensor) -> None:
    """Forward mode: one JVP per (kept token, row), the tangent on that token; adds into sums (levels, B, L)."""
    L = keep.shape[1]
    per_row = keep[p]  # (R, L)
    r, t = per_row.nonzero(as_tuple=True)  # one JVP per kept token of each row
    rp, rk = p[r], k[r]
    tangent = torch.nn.functional.one_hot(t, L)
    dF = jvps_along(batch, b[rp], _coef(moving[rp], alphas[rk]), tangent)  # (T,)
    for level in range(len(weights)):
        w = weights[level, rk]
        sums[level].index_put_((b[rp], t), w * dF, accumulate=True)
