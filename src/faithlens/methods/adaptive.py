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
# IG has one path per text: two nodes a round would be a batch of two rows, so its Leja levels grow faster.
IG_LEJA_SIZES = (8, 16, 24, 32, 40, 48, 64, 80, 96, 128)
DEFAULT_TOLERANCE = 7e-4  # relative to ‖c‖₂ (SIG) or |F(w) − F(w̄)| (IG); see bench/results/changes.md


def rule_for(name: str, *, auto: bool = False, tolerance: float | None = None) -> str:
    """The nested rule to refine with: the named one, or the default when `name` is the fixed-step default.
    ``auto``: the tolerance came from steps='auto' (``tolerance``: one given with it, else None), so the refusal
    names steps='auto', never a tolerance= the user did not pass."""
    if name in NESTED_RULES:
        return name
    if name == "gausslegendre":
        return DEFAULT_RULE
    rules = ", ".join(NESTED_RULES)
    if auto:
        given = f" (here tolerance={tolerance!r})" if tolerance is not None else ""
        raise FaithlensError(f"steps='auto' (CLI --steps auto) refines each path until a certified tolerance{given} is "
                             f"met, which needs a nested quadrature rule: one of {rules}. Got rule={name!r}. Drop the "
                             "rule or pick one of those, or pass an int (steps=N) to integrate with it.")
    raise FaithlensError(f"Error-controlled steps (tolerance=) need a nested quadrature rule: one of "
                         f"{rules}. Got rule={name!r}. Drop the rule or pick one of those.")


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
              with_attributions: bool = True, sizes: tuple[int, ...] | None = None) -> AdaptiveResult:
    """Refine P paths until each meets its threshold or the rule's last level.

    b (P,): text of each path; moving (P, L) bool: the positions the path moves from the baseline
    (the rest stay at the input); keep (P, L) bool: the positions whose attribution the path
    produces (SIG: its unit; IG: every attributed position). Paths of one text must keep disjoint
    positions. exact (P,): the path's integral; threshold (P,): the largest accepted |error|.
    mode "reverse" (gradients, per-feature attributions) or "forward" (one JVP per kept token).
    ``sizes``: the level sizes (default: the rule's own). A path's levels never depend on the other
    paths, so batching texts together changes nothing.
    """
    alphas_np, weights_np, counts = nested(rule, max_nodes, sizes)
    dtype = batch.W.dtype
    alphas = torch.as_tensor(alphas_np, dtype=dtype)
    weights = torch.as_tensor(weights_np, dtype=dtype)  # (levels, n)
    levels = len(counts)
    B, L, D = batch.shape
    P = len(b)
    path_of = torch.full((B, L), -1, dtype=torch.long)  # the path that keeps each (text, position)
    kp, kt = keep.nonzero(as_tuple=True)
    path_of[b[kp], kt] = kp
    entries: list[tuple[Tensor, ...]] = []  # per evaluated (row, kept position): (text, position, node, Σ_d, vector)
    level_sums = torch.zeros(P, levels, dtype=dtype)  # Σ over a path's entries of weights[level, node] · Σ_d
    level = torch.full((P,), -1, dtype=torch.long)  # the last level whose nodes are all evaluated
    active = torch.ones(P, dtype=torch.bool)
    estimate = torch.zeros(P, dtype=dtype)
    rows = 0
    sizes_t = torch.tensor([0, *counts])
    while bool(active.any()):
        paths = active.nonzero()[:, 0]
        start, stop = sizes_t[level[paths] + 1], sizes_t[level[paths] + 2]  # the next level's new nodes
        p = paths.repeat_interleave(stop - start)
        k = torch.cat([torch.arange(int(a), int(z)) for a, z in zip(start, stop)])
        rows_fn = _gradient_rows if mode == "reverse" else _jvp_rows
        for e_b, e_t, e_k, e_sum, e_vec in rows_fn(batch, b, moving, keep, p, k, alphas):
            entries.append((e_b, e_t, e_k, e_sum, e_vec))
            level_sums.index_add_(0, path_of[e_b, e_t], e_sum[:, None] * weights[:, e_k].T)
        rows += len(p)
        level[paths] += 1
        estimate[paths] = level_sums[paths, level[paths]]
        done = ((estimate[paths] - exact[paths]).abs() <= threshold[paths]) | (level[paths] == levels - 1)
        active[paths[done]] = False
    e_b, e_t, e_k, e_sum = (torch.cat([e[i] for e in entries]) for i in range(4))
    w = weights[level[path_of[e_b, e_t]], e_k]  # each entry's weight at its path's final level
    final = torch.zeros(B, L, dtype=dtype)
    final.index_put_((e_b, e_t), w * e_sum, accumulate=True)
    attributions = None
    if mode == "reverse" and with_attributions:
        attributions = torch.zeros(B, L, D, dtype=dtype)
        attributions.index_put_((e_b, e_t), w[:, None] * torch.cat([e[4] for e in entries]), accumulate=True)
    converged = (estimate - exact).abs() <= threshold
    nodes = torch.tensor(counts)[level]
    return AdaptiveResult(token_sums=final, attributions=attributions, nodes=nodes, estimate=estimate,
                          converged=converged, rows=rows, max_nodes=counts[-1])


def _coef(moving: Tensor, alpha: Tensor) -> Tensor:
    """1 on the positions that stay at the input, alpha on the moving ones: (R, L)."""
    return 1.0 - moving.to(alpha.dtype) * (1.0 - alpha[:, None])


def _gradient_rows(batch: Batch, b: Tensor, moving: Tensor, keep: Tensor, p: Tensor, k: Tensor, alphas: Tensor):
    """Reverse mode, per chunk: (text, position, node, Σ_d, vector) of keep ⊙ ∇F ⊙ (W − W̄) at every kept position.

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
        r, t = rkeep[s].nonzero(as_tuple=True)
        vec = grad[r, t] * diff[bs[r], t]  # (n, D): only the kept positions
        yield bs[r], t, k[s][r], vec.sum(-1), vec


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


def _jvp_rows(batch: Batch, b: Tensor, moving: Tensor, keep: Tensor, p: Tensor, k: Tensor, alphas: Tensor):
    """Forward mode: one JVP per (kept token, row), the tangent on that token: (text, position, node, dF, None)."""
    L = keep.shape[1]
    r, t = keep[p].nonzero(as_tuple=True)  # one JVP per kept token of each row
    rp, rk = p[r], k[r]
    tangent = torch.nn.functional.one_hot(t, L)
    dF = jvps_along(batch, b[rp], _coef(moving[rp], alphas[rk]), tangent)  # (T,)
    yield b[rp], t, rk, dF, None
