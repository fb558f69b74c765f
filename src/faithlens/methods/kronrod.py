"""Certified IG: locally adaptive Gauss–Kronrod quadrature over α, checked against F on every sub-interval.

IG integrates f(α) = Σ_i ∂F/∂x_i(x̄ + α(x − x̄)) · (x_i − x̄_i) over α ∈ [0, 1] (SPEC §3). Its
integral over any sub-interval [a, c] is known without quadrature: F(c) − F(a). F at every node
comes free with the node's gradient (the forward pass before the backward), and a Gauss–Kronrod
rule with an odd Gauss part has a node at the midpoint, so an interval bisected there knows F at
both ends of both halves. Each interval's error is therefore measured, not estimated:

    e_I = K_I(f) − (F(c) − F(a)),   Σ_I e_I = Σ_i a_i − (F(w) − F(w̄))  (the completeness gap).

Rounds: every pending interval of every text is evaluated in one batched forward/backward (the
usual chunks); a text stops when |Σ_I e_I| ≤ threshold, else its intervals with the largest |e_I|
are bisected (largest first, until the |e_I| left unsplit add up to at most half the threshold).
Smooth integrands (classifiers) stop after the first interval; narrow dips (causal LMs, see
docs/ig_on_causal_lms.md) are isolated by bisection where a node landed in them. A dip that no
node touches cancels in F and costs nothing. The per-token scores are the Kronrod estimates summed
over each text's final intervals. Piessens et al., QUADPACK (1983), ch. 2 (adaptive G–K); the
local check against F is specific to integrands that are derivatives of a computable function.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import torch
from torch import Tensor

from ..batching import Batch, scores_along
from ..quadrature import nested

RULE_NAME = "gauss_kronrod"
LADDER = (1, 3, 7)  # nodes of the Gauss–Kronrod–Patterson levels each interval climbs before it is cut
NODES = 15  # nodes of the largest Patterson level stored per interval
DEFAULT_MAX_NODES = 512  # per text; a text that reaches it keeps its estimate and is flagged


SPLIT_REST = 0.8
LENGTH_SHARE = 0.3
BISECT_RATIO = 1.0
REFINE_FRACTION = 0.25


@dataclass(frozen=True)
class Scheme:
    """How the refinement starts and climbs; measured per kind of model (bench/certified.py, issue 25).

    grid: forward-only F profile points (grid − 1 rows per text); pieces: initial intervals placed by
    the profile; first_level / child_level: the ladder level (0 = midpoint, 1 = G3, 2 = K7) the
    initial intervals / the intervals cut from others are evaluated at in their first round;
    raise_ratio: a G3 interval is raised to K7 (rather than cut) when its error is at most
    raise_ratio times its midpoint rule's (inf: always); zoom (0: off): forward-only points put evenly inside
    each profile cell (at most ZOOM_CELLS per text) that holds at least zoom_share of F's variation, zoom_depth
    times (each time inside the cells of the last zoom), after which the first intervals are cut at those points
    (`zoomed_mesh`). None of these loosens the stopping rule.
    """

    grid: int
    pieces: int
    first_level: int
    child_level: int
    raise_ratio: float
    zoom: int = 0
    zoom_share: float = 0.25
    zoom_depth: int = 2


# Encoders (classifiers): IG's integrand is a smooth bump where F moves (α ≈ 0.1–0.4 on the default
# model); a 4-point profile places 2–3 intervals and G3 → K7 on them certifies 1 % in 6–17 nodes,
# 1–2 rounds. Causal LMs: narrow dips (docs/ig_on_causal_lms.md) that a 16-point profile locates;
# cuts start at the midpoint rule and a G3 that barely beats it is cut, not raised.
SCHEMES = {"encoder": Scheme(grid=4, pieces=3, first_level=1, child_level=1, raise_ratio=float("inf")),
           "causal": Scheme(grid=16, pieces=4, first_level=1, child_level=0, raise_ratio=0.1)}


def within_budget(scheme: Scheme, cap: int) -> Scheme:
    """The scheme whose first round fits a node budget (``steps``) below its first mesh (pieces × the first level's
    nodes: 9 on an encoder, 12 on a causal LM): fewer initial intervals, and a lower first level when even one
    interval's does not fit (steps=3: one G3 interval on [0, 1]; steps=2: one midpoint). The budget caps every node
    evaluated; a tolerance not met within it is warned about with the gap reached (`accuracy.measure`)."""
    level = max(k for k in range(scheme.first_level + 1) if LADDER[k] <= cap)  # LADDER[0] = 1 ≤ cap
    pieces = max(1, min(scheme.pieces, cap // LADDER[level]))
    if (level, pieces) == (scheme.first_level, scheme.pieces):
        return scheme
    return replace(scheme, first_level=level, pieces=pieces, grid=scheme.grid if pieces > 1 else 1, zoom=0)


def scheme_for(model) -> Scheme:
    """The model kind's scheme (`SCHEMES`)."""
    return SCHEMES["causal" if model.is_causal else "encoder"]


def profile_alphas(grid: int, pieces: int, dtype: torch.dtype) -> Tensor:
    """(grid − 1,): the inner α of `initial_mesh`'s evenly spaced F profile; empty when it makes none."""
    if grid <= 1 or pieces <= 1:
        return torch.zeros(0, dtype=dtype)
    return torch.arange(1, grid, dtype=dtype) / grid


def initial_mesh(batch: Batch, grid: int, pieces: int) -> tuple[Tensor, ...]:
    """First intervals of each text: (text, left, right, F(left), F(right)), one row per interval.

    F on ``grid`` + 1 evenly spaced α (forward passes only, `Batch.F_path`: in the prediction's pass when
    `Explainer` put them there; the ends are F(w̄) and F(w)); the breakpoints are the grid points nearest
    to equal shares of F's variation Σ|ΔF| along the path, so the intervals are short where F moves and
    long where it is flat (at most ``pieces`` per text).
    """
    B, L, _ = batch.shape
    dtype = batch.W.dtype
    if grid <= 1 or pieces <= 1:
        F0, F1 = batch.F_baseline().to(dtype), batch.F_input().to(dtype)
        return torch.arange(B), torch.zeros(B, dtype=dtype), torch.ones(B, dtype=dtype), F0, F1
    F = profile(batch, grid, pieces)  # (B, grid + 1)
    variation = torch.cat([torch.zeros(B, 1, dtype=dtype), torch.cumsum((F[:, 1:] - F[:, :-1]).abs(), 1)], 1)
    monitor = (1 - LENGTH_SHARE) * variation / variation[:, -1:].clamp(min=torch.finfo(dtype).tiny) \
        + LENGTH_SHARE * torch.arange(grid + 1, dtype=dtype) / grid  # (B, grid + 1), 0 → 1
    out = []
    for t in range(B):
        share = torch.arange(1, pieces, dtype=dtype) / pieces
        cuts = (monitor[t][None, :] - share[:, None]).abs().argmin(1)
        points = torch.unique(torch.cat([torch.tensor([0, grid]), cuts]))
        lo, hi = points[:-1], points[1:]
        out.append((torch.full((len(lo),), t), lo.to(dtype) / grid, hi.to(dtype) / grid, F[t, lo], F[t, hi]))
    return tuple(torch.cat([o[i] for o in out]) for i in range(5))


ZOOM_CELLS = 2  # per text and zoom level: the cells with the largest share of F's variation


def zoomed_mesh(batch: Batch, scheme: Scheme) -> tuple[tuple[Tensor, ...], int]:
    """First intervals after a forward-only zoom: (text, left, right, F(left), F(right)) and the zoom's forward rows.

    F on the profile's evenly spaced α (as `initial_mesh`); then, ``scheme.zoom_depth`` times, ``scheme.zoom``
    evenly spaced points inside each cell (at most ZOOM_CELLS per text) whose |ΔF| is at least ``zoom_share`` of
    the variation Σ|ΔF| seen so far, every text's points in one forward-only pass (`scores_along`). A narrow
    dip or spike of the integrand is a sharp step of F, so it ends up inside a cell a few zoom steps wide. The
    breakpoints walk the merged points left to right and close an interval before its share of the monitor
    0.7 · |ΔF| / Σ|ΔF| + 0.3 · length would pass 1 / pieces: a cell with a large share is an interval of its
    own, flat stretches are long ones. F is known at every breakpoint.
    """
    B, L, _ = batch.shape
    dtype = batch.W.dtype
    grid, pieces = scheme.grid, scheme.pieces
    pos = [torch.arange(grid + 1, dtype=dtype) / grid for _ in range(B)]
    F = list(profile(batch, grid, pieces))  # per text: F at its points, as the zoom adds them
    cells = [torch.arange(grid) for _ in range(B)]  # the cells (left point indices) the next zoom may look in
    steps = torch.arange(1, scheme.zoom + 1, dtype=dtype) / (scheme.zoom + 1)
    rows = 0
    for _ in range(scheme.zoom_depth):
        b_idx, alphas = [], []
        for t in range(B):
            dF = (F[t][1:] - F[t][:-1]).abs()
            share = dF[cells[t]] / dF.sum().clamp(min=torch.finfo(dtype).tiny)
            order = torch.argsort(share, descending=True)[:ZOOM_CELLS]
            chosen = cells[t][order[share[order] >= scheme.zoom_share]]
            for j in chosen.tolist():
                alphas.append(pos[t][j] + (pos[t][j + 1] - pos[t][j]) * steps)
                b_idx.append(torch.full((scheme.zoom,), t))
        if not alphas:
            break
        b, a = torch.cat(b_idx), torch.cat(alphas)
        values = scores_along(batch, b, a[:, None].expand(-1, L)).to(dtype)
        rows += len(b)
        for t in range(B):
            mine = b == t
            if not bool(mine.any()):
                cells[t] = cells[t][:0]
                continue
            merged = torch.cat([pos[t], a[mine]])
            order = torch.argsort(merged)
            new = (order >= len(pos[t])).nonzero()[:, 0]  # positions of the zoom points in the merged order
            pos[t], F[t] = merged[order], torch.cat([F[t], values[mine]])[order]
            cells[t] = torch.unique(torch.cat([new - 1, new]))  # the cells on either side of a zoom point
    out = []
    for t in range(B):
        dF = (F[t][1:] - F[t][:-1]).abs()
        monitor = (1 - LENGTH_SHARE) * dF / dF.sum().clamp(min=torch.finfo(dtype).tiny) \
            + LENGTH_SHARE * (pos[t][1:] - pos[t][:-1])
        cuts, acc = [0], 0.0
        for j, m in enumerate(monitor.tolist()):
            if acc > 0 and acc + m > 1 / pieces:
                cuts.append(j)
                acc = 0.0
            acc += m
        cuts.append(len(pos[t]) - 1)
        lo, hi = torch.tensor(cuts[:-1]), torch.tensor(cuts[1:])
        out.append((torch.full((len(lo),), t), pos[t][lo], pos[t][hi], F[t][lo], F[t][hi]))
    return tuple(torch.cat([o[i] for o in out]) for i in range(5)), rows


def profile(batch: Batch, grid: int, pieces: int) -> Tensor:
    """(B, grid + 1): F at ``grid`` + 1 evenly spaced α, the ends F(w̄) and F(w) (forward passes only)."""
    dtype = batch.W.dtype
    inner = batch.F_path(profile_alphas(grid, pieces, dtype)).to(dtype)  # (B, grid − 1)
    return torch.cat([batch.F_baseline().to(dtype)[:, None], inner, batch.F_input().to(dtype)[:, None]], 1)


@dataclass
class KronrodResult:
    token_sums: Tensor  # (B, L): each position's attribution summed over features
    attributions: Tensor | None  # (B, L, D) or None
    nodes: Tensor  # (B,) long: gradient nodes evaluated per text
    intervals: Tensor  # (B,) long: final intervals per text
    gap: Tensor  # (B,): Σ_I e_I, the completeness gap of the quadrature
    abs_error: Tensor  # (B,): Σ_I |e_I| (no cancellation between intervals)
    converged: Tensor  # (B,) bool: |gap| ≤ threshold
    rounds: int
    forward_rows: int  # forward-only rows of the initial F profile and its zoom


class _Intervals:
    """The intervals of every text; each holds running Kronrod–Patterson sums of its levels."""

    def __init__(self, text, left, right, F_left, F_right, levels: int, L: int, D: int | None, dtype):
        self.text, self.left, self.right, self.F_left, self.F_right = text, left, right, F_left, F_right
        I = len(text)
        self.level = torch.full((I,), -1, dtype=torch.long)  # last level whose nodes are all evaluated
        self.sums = torch.zeros(I, levels, L, dtype=dtype)  # Σ_d of each level's estimate, per position
        self.vecs = None if D is None else torch.zeros(I, levels, L, D, dtype=dtype)
        self.F_nodes = torch.zeros(I, NODES, dtype=dtype)  # F at each evaluated node
        self.f_nodes = torch.zeros(I, NODES, dtype=dtype)  # dF/dα at each evaluated node (Σ over positions)

    def select(self, keep: Tensor) -> None:
        for name in ("text", "left", "right", "F_left", "F_right", "level", "sums", "vecs", "F_nodes", "f_nodes"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, value[keep])

    def append(self, other: "_Intervals") -> None:
        for name in ("text", "left", "right", "F_left", "F_right", "level", "sums", "vecs", "F_nodes", "f_nodes"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, torch.cat([value, getattr(other, name)]))

    def estimate(self) -> Tensor:
        """(I, L): each interval's token sums at its current level."""
        return self.sums[torch.arange(len(self.text)), self.level.clamp(min=0)]

    def error(self) -> Tensor:
        """(I,): e_I = Σ_i estimate − (F(right) − F(left)), exact up to rounding."""
        return self.estimate().sum(1) - (self.F_right - self.F_left)


def integrate_ig(batch: Batch, threshold: Tensor, *, max_nodes: int | None = None, with_attributions: bool = True,
                 scheme: Scheme | None = None) -> KronrodResult:
    """Refine IG's α-integral of every text until |Σ a − (F(w) − F(w̄))| ≤ threshold (B,) or max_nodes.

    Each interval climbs the Kronrod–Patterson ladder G3 → K7 → P15 (3, +4, +8 nodes: every level
    keeps the nodes of the one before) and is then bisected at its midpoint (a node of every level,
    so both halves know F at their ends). The Σ over positions is over the attributed ones
    (specials and padding sit at the baseline and the input alike, so their term is zero). Texts
    never share intervals: batching texts together changes no result, only how rows are chunked.
    `scheme` (how the mesh starts and the ladder is climbed) defaults to SCHEMES by the model's kind.
    """
    cap = max(LADDER[0], max_nodes or DEFAULT_MAX_NODES)
    scheme = within_budget(scheme or scheme_for(batch.model), cap)
    grid, pieces = scheme.grid, scheme.pieces
    x_np, w_np, counts = nested("patterson", NODES)
    dtype = batch.W.dtype
    x = torch.as_tensor(x_np, dtype=dtype)  # node 0 is the midpoint 1/2, nodes 0-2 are G3, 0-6 K7, 0-14 P15
    w = torch.as_tensor(w_np, dtype=dtype)[[counts.index(n) for n in LADDER]]  # (levels, 15)
    levels = len(LADDER)
    B, L, D = batch.shape
    keep = batch.enc.attributed.to(dtype)  # (B, L)
    diff = batch.diff
    forward_rows = 0 if grid <= 1 or pieces <= 1 else B * (grid - 1)
    if scheme.zoom and forward_rows:
        mesh, zoom_rows = zoomed_mesh(batch, scheme)
        forward_rows += zoom_rows
    else:
        mesh = initial_mesh(batch, grid, pieces)
    iv = _Intervals(*mesh, levels, L, D if with_attributions else None, dtype)
    nodes = torch.zeros(B, dtype=torch.long)
    active = torch.ones(B, dtype=torch.bool)
    todo = torch.arange(len(iv.text))  # intervals to raise (the first ones: to scheme.first_level)
    goal = torch.full((len(todo),), scheme.first_level)  # the level each interval in todo is raised to
    rounds = 0
    while True:
        if len(todo):
            lo = torch.tensor([0, *LADDER])[iv.level[todo] + 1]  # node indices new at the next level(s)
            hi = torch.tensor(LADDER)[goal]
            _evaluate(batch, iv, todo, lo, hi, x, w, keep, diff)
            nodes.index_add_(0, iv.text[todo], hi - lo)
            iv.level[todo] = goal
            rounds += 1
        err = iv.error()
        gap = torch.zeros(B, dtype=dtype).index_add_(0, iv.text, err)
        split_cost = 3 * LADDER[scheme.child_level]  # at most three children
        most = max(split_cost, max(b - a for a, b in zip(LADDER, LADDER[1:])))  # one interval's refinement
        active &= (gap.abs() > threshold) & (nodes + most <= cap)
        if not bool(active.any()):
            break
        chosen = _to_refine(iv.text, err, threshold, active, cap - nodes, iv.level, split_cost)
        top = (iv.level[chosen] == levels - 1) | ~_smooth(iv, chosen, err[chosen], scheme.raise_ratio)
        split = chosen[top]
        todo_raise = chosen[~top]
        if len(split):
            parts = [_split(iv, i, x) for i in split.tolist()]
            new_left = torch.cat([torch.as_tensor(p[0], dtype=dtype) for p in parts])
            new_right = torch.cat([torch.as_tensor(p[1], dtype=dtype) for p in parts])
            new_F_left = torch.cat([torch.as_tensor(p[2], dtype=dtype) for p in parts])
            new_F_right = torch.cat([torch.as_tensor(p[3], dtype=dtype) for p in parts])
            new_text = torch.cat([iv.text[i].repeat(len(p[0])) for i, p in zip(split.tolist(), parts)])
            children = _Intervals(new_text, new_left, new_right, new_F_left, new_F_right, levels, L,
                                  D if with_attributions else None, dtype)
            kept = torch.ones(len(iv.text), dtype=torch.bool)
            kept[split] = False
            new_index = torch.cumsum(kept.long(), 0) - 1
            todo_raise = new_index[todo_raise]
            iv.select(kept)
            first_child = len(iv.text)
            iv.append(children)
            todo = torch.cat([todo_raise, torch.arange(first_child, len(iv.text))])
            goal = torch.cat([iv.level[todo[:len(todo_raise)]] + 1,
                              torch.full((len(iv.text) - first_child,), scheme.child_level)])
        else:
            todo = todo_raise
            goal = iv.level[todo] + 1
    est = iv.estimate()
    token_sums = torch.zeros(B, L, dtype=dtype).index_add_(0, iv.text, est)
    attributions = None
    if with_attributions:
        vec = iv.vecs[torch.arange(len(iv.text)), iv.level]
        attributions = torch.zeros(B, L, D, dtype=dtype).index_add_(0, iv.text, vec)
    err = iv.error()
    abs_error = torch.zeros(B, dtype=dtype).index_add_(0, iv.text, err.abs())
    intervals = torch.bincount(iv.text, minlength=B)
    return KronrodResult(token_sums=token_sums, attributions=attributions, nodes=nodes, intervals=intervals, gap=gap,
                         abs_error=abs_error, converged=gap.abs() <= threshold, rounds=rounds,
                         forward_rows=forward_rows)


def _smooth(iv: _Intervals, chosen: Tensor, err: Tensor, raise_ratio: float) -> Tensor:
    """Whether raising the level is worth it, from errors that are exact (F at the ends is known).

    1 node (midpoint rule): its error is at most BISECT_RATIO of the interval's change F(c) − F(a).
    3 nodes (G3): its error is at most raise_ratio of the midpoint rule's. A rule of degree 5 that
    barely beats degree 1 faces a kink or dip, which more nodes on the same interval do not
    resolve: such intervals are cut instead.
    """
    width = iv.right[chosen] - iv.left[chosen]
    change = iv.F_right[chosen] - iv.F_left[chosen]
    midpoint_error = width * iv.f_nodes[chosen, 0] - change
    level = iv.level[chosen]
    return torch.where(level == 0, err.abs() <= BISECT_RATIO * change.abs(), err.abs() <= raise_ratio * midpoint_error.abs())


def _split(iv: _Intervals, i: int, x: Tensor) -> tuple[list[float], ...]:
    """Cut interval i around the gap between two neighbouring points (its ends and evaluated nodes) where F
    moves least like its derivative says: |ΔF − h · mean f| largest (a dip or a kink lies there).

    Returns the new intervals' (lefts, rights, F(lefts), F(rights)): two or three, every cut at a
    node, where F is known. An interval of a smooth integrand is cut near its middle.
    """
    n = LADDER[int(iv.level[i])]
    a, c = float(iv.left[i]), float(iv.right[i])
    order = torch.argsort(x[:n])
    pos = [a, *(a + (c - a) * x[:n][order]).tolist(), c]
    F = [float(iv.F_left[i]), *iv.F_nodes[i, :n][order].tolist(), float(iv.F_right[i])]
    f = [None, *iv.f_nodes[i, :n][order].tolist(), None]
    worst, size = 0, -1.0
    for j in range(len(pos) - 1):
        slopes = [v for v in (f[j], f[j + 1]) if v is not None]
        h = pos[j + 1] - pos[j]
        d = abs(F[j + 1] - F[j] - h * sum(slopes) / len(slopes))
        if d > size:
            worst, size = j, d
    cuts = [k for k in (worst, worst + 1) if 0 < k < len(pos) - 1]
    points = [0, *cuts, len(pos) - 1]
    return ([pos[p] for p in points[:-1]], [pos[p] for p in points[1:]], [F[p] for p in points[:-1]],
            [F[p] for p in points[1:]])


def _to_refine(text: Tensor, err: Tensor, threshold: Tensor, active: Tensor, budget: Tensor, level: Tensor,
               split_cost: int) -> Tensor:
    """Intervals to refine: per active text, the largest |e_I| first until the |e_I| left add up to at most
    SPLIT_REST · threshold, within the text's node budget (B,). An interval costs the larger of raising
    it one level and cutting it (split_cost), since which of the two it gets is decided later."""
    raise_cost = torch.tensor([b - a for a, b in zip(LADDER, LADDER[1:])] + [0])[level]
    cost = raise_cost.clamp(min=split_cost)
    picked = []
    for t in active.nonzero()[:, 0].tolist():
        own = (text == t).nonzero()[:, 0]
        size = err[own].abs()
        order = torch.argsort(size, descending=True)
        rest = size.sum() - torch.cumsum(size[order], 0)  # |e| left unrefined after taking the first k + 1
        k = int((rest > threshold[t] * SPLIT_REST).sum()) + 1
        k = min(k, int((size >= REFINE_FRACTION * size.max()).sum()))
        affordable = int((torch.cumsum(cost[own[order]], 0) <= budget[t]).sum())
        picked.append(own[order[:max(1, min(k, affordable))]])
    return torch.cat(picked)


def _evaluate(batch: Batch, iv: _Intervals, todo: Tensor, lo: Tensor, hi: Tensor, x: Tensor, w: Tensor,
              keep: Tensor, diff: Tensor) -> None:
    """Evaluate nodes lo..hi − 1 of intervals `todo` and add them to every level's running sums."""
    B, L, D = batch.shape
    counts = hi - lo
    interval = todo.repeat_interleave(counts)  # rows
    node = torch.cat([torch.arange(int(a), int(z)) for a, z in zip(lo, hi)])
    a, c = iv.left[interval], iv.right[interval]
    alpha = a + (c - a) * x[node]
    weight = (c - a)[:, None] * w[:, node].T  # (R, levels)
    rb = iv.text[interval]
    dtype = batch.W.dtype
    for s in batch.chunks(len(rb), "reverse"):
        bs = rb[s]
        F, grad = values_and_gradients(batch, batch.points(bs, alpha[s][:, None].expand(-1, L)), bs)
        vec = grad * diff[bs] * keep[bs][..., None]  # (r, L, D)
        iv.F_nodes[interval[s], node[s]] = F.to(dtype)
        iv.f_nodes[interval[s], node[s]] = vec.sum((1, 2))
        iv.sums.index_add_(0, interval[s], weight[s][:, :, None] * vec.sum(-1)[:, None])
        if iv.vecs is not None:
            iv.vecs.index_add_(0, interval[s], weight[s][:, :, None, None] * vec[:, None])


def values_and_gradients(batch: Batch, emb: Tensor, b_idx: Tensor) -> tuple[Tensor, Tensor]:
    """F and ∇F at given row embeddings: (R, L, D) -> (R,), (R, L, D); one forward and one backward pass."""
    emb = emb.detach().requires_grad_(True)
    with torch.enable_grad():
        F = batch.F(emb, b_idx)
        (grad,) = torch.autograd.grad(F.sum(), emb)
    return F.detach(), grad
