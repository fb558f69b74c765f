"""Discretized Integrated Gradients (Sanyal & Ren 2021): paths through real vocabulary words.

For every token, walk ``m`` anchors from the input word towards the baseline through the
vocabulary's K-nearest-neighbour graph (K=500, Euclidean, raw rows of E), monotonise each anchor
so every dimension moves from the baseline towards the input, and take a left Riemann sum of the
gradient along the resulting discrete path: A = Σ_k ∇F(P_k) ⊙ (P_{k+1} − P_k).

Two reference-code details are kept on purpose: the anchor *search* monotonises candidates with
respect to the raw current anchor, while the *path* monotonises each anchor with respect to the
previous monotonised point; and once the baseline is reached every later anchor is the baseline.
"""

from __future__ import annotations

import hashlib
import re
import sys
import weakref
from pathlib import Path

import torch
from torch import Tensor

from ..batching import Batch, gradients_at_points
from ..errors import FaithlensError, unknown_choice
from .base import MethodOutput, Options, mask_scores, total_delta

STRATEGIES = ("greedy", "maxcount")
DEFAULT_NEIGHBOURS = 500
DEFAULT_ANCHORS = 30
_GRAPHS: dict[str, Tensor] = {}  # in-process cache, keyed like the disk cache


# --- the vocabulary graph ----------------------------------------------------------------------------

def knn_graph_of(E: Tensor, k: int = DEFAULT_NEIGHBOURS, *, chunk: int = 1024, progress: bool = False) -> Tensor:
    """(V, k) ids of each row's k nearest other rows of E (Euclidean), nearest first.

    Chunked ``cdist`` + ``topk``; the row itself is excluded by index (exact duplicates stay).
    """
    V = E.shape[0]
    k = min(k, V - 1)
    if k < 1:
        raise FaithlensError(f"DIG needs a vocabulary of at least 2 words. Got {V}.")
    E = E.detach().to(torch.float32)
    out = torch.empty(V, k, dtype=torch.long, device=E.device)
    from tqdm.auto import tqdm

    starts = range(0, V, chunk)
    for start in tqdm(starts, desc="DIG neighbour graph", unit="chunk", disable=not progress, file=sys.stderr):
        rows = slice(start, min(start + chunk, V))
        d = torch.cdist(E[rows], E)  # (c, V)
        d[torch.arange(d.shape[0]), torch.arange(rows.start, rows.stop)] = float("inf")
        out[rows] = torch.topk(d, k, dim=1, largest=False, sorted=True).indices
    return out


def knn_graph(model, k: int = DEFAULT_NEIGHBOURS, *, cache_dir: str | Path | None = None, progress: bool = True) -> Tensor:
    """The model's neighbour graph, computed once and cached on disk (keyed by model and E)."""
    E = model.embedding_matrix.detach()
    digest = hashlib.sha1(E.to(torch.float32).contiguous().cpu().numpy().tobytes()).hexdigest()[:16]
    key = f"{_slug(model.name)}-{E.shape[0]}x{E.shape[1]}-{digest}-k{min(k, E.shape[0] - 1)}"
    if key in _GRAPHS:
        return _GRAPHS[key]
    if cache_dir is None:
        from ..default_model import cache_root

        cache_dir = cache_root() / "knn"
    path = Path(cache_dir) / f"{key}.pt"
    graph = None
    if path.exists():
        try:
            graph = torch.load(path, weights_only=True, map_location=E.device)
        except Exception:  # a truncated file from an interrupted run: rebuild it
            graph = None
    if graph is None:
        if progress:
            print(f"faithlens: building the DIG neighbour graph for {model.name!r} (once; cached in {path})", file=sys.stderr)
        graph = knn_graph_of(E, k, progress=progress)
        path.parent.mkdir(parents=True, exist_ok=True)
        from ..files import atomic_path

        with atomic_path(path) as tmp:  # a unique temporary name: processes building it at once never collide
            torch.save(graph, tmp)
    _GRAPHS[key] = graph
    return graph


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[-60:] or "model"


# --- monotonisation ------------------------------------------------------------------------------------

def monotone_dims(c: Tensor, b: Tensor, r: Tensor) -> Tensor:
    """True where c_d lies between b_d and r_d (inclusive); broadcasts over leading dims."""
    lo, hi = torch.minimum(b, r), torch.maximum(b, r)
    return (c >= lo) & (c <= hi)


def monotonise(c: Tensor, b: Tensor, r: Tensor, *, steps: int) -> Tensor:
    """Non-monotone dimensions of c set to r_d − (r_d − b_d)/steps."""
    return torch.where(monotone_dims(c, b, r), c, r - (r - b) / steps)


# --- anchor search ---------------------------------------------------------------------------------------

def find_anchors(
    E: Tensor,
    graph: Tensor,
    input_ids: Tensor,
    *,
    baseline: Tensor,
    baseline_id: int | None,
    steps: int = DEFAULT_ANCHORS,
    strategy: str = "greedy",
    chunk: int = 16,
) -> Tensor:
    """(T, steps) anchor ids walked from each input id towards the baseline; -1 means the baseline.

    Candidates are the graph neighbours of the current anchor minus the baseline id and ids
    already on the path. GREEDY: smallest ‖c − monotonise(c)‖; MAXCOUNT: most monotone dims.
    Ties go to the nearer neighbour. No candidate left → the baseline, and it stays there.
    Chunks of 16 tokens keep the (chunk, K, D) candidate tensors in cache (measured 1.8× faster than 64).
    """
    if strategy not in STRATEGIES:
        raise unknown_choice("DIG strategy", strategy, STRATEGIES)
    return torch.cat([_anchors_chunk(E, graph, input_ids[s:s + chunk], baseline, baseline_id, steps, strategy)
                      for s in range(0, len(input_ids), chunk)]) if len(input_ids) else torch.empty(0, steps, dtype=torch.long)


def _anchors_chunk(E, graph, ids, baseline, baseline_id, steps, strategy) -> Tensor:
    T = len(ids)
    b = baseline.to(E.dtype)  # (D,); the search runs in E's own precision
    current = ids.clone()
    path = torch.full((T, steps + 1), -1, dtype=torch.long)
    path[:, 0] = ids
    done = torch.zeros(T, dtype=torch.bool)
    for step in range(steps):  # sequential by nature; vectorised over tokens
        safe = current.clamp(min=0)
        cand = graph[safe]  # (T, K)
        used = (cand[:, :, None] == path[:, None, : step + 1]).any(-1)  # (T, K)
        if baseline_id is not None:
            used |= cand == baseline_id
        c = E[cand]  # (T, K, D)
        r = E[safe][:, None, :]  # (T, 1, D): the raw current anchor
        if strategy == "greedy":
            score = (c - monotonise(c, b, r, steps=steps)).norm(dim=-1)  # (T, K), smaller is better
        else:
            score = -monotone_dims(c, b, r).sum(-1).to(torch.float64)  # most monotone dims first
        score = score.masked_fill(used, float("inf"))
        best = torch.sort(score, dim=1, stable=True).indices[:, 0]  # ties: nearest neighbour first
        found = ~used.all(1) & ~done
        nxt = torch.where(found, cand[torch.arange(T), best], torch.full_like(current, -1))
        done |= ~found
        path[:, step + 1] = nxt
        current = torch.where(done, current, nxt)
    return path[:, 1:]


_ANCHORS: dict[tuple, tuple] = {}  # id(graph), baseline, steps, strategy -> (weakref to graph, {token id: anchors})


def cached_anchors(E: Tensor, graph: Tensor, input_ids: Tensor, *, baseline: Tensor, baseline_id: int | None,
                   steps: int, strategy: str) -> Tensor:
    """`find_anchors`, remembering each token's anchors for the process's later calls.

    A token's walk depends only on its id, the graph, the baseline, the step count and the strategy,
    never on the text around it, so an evaluation over many texts searches each distinct id once.
    """
    key = (id(graph), str(E.dtype), baseline.to(torch.float64).cpu().numpy().tobytes(), baseline_id, steps, strategy)
    ref, table = _ANCHORS.get(key, (None, None))
    if ref is None or ref() is not graph:  # first call, or an id reused by a new graph
        ref, table = weakref.ref(graph), {}
        _ANCHORS[key] = (ref, table)
    wanted = input_ids.tolist()
    missing = sorted({i for i in wanted if i not in table})
    if missing:
        found = find_anchors(E, graph, torch.tensor(missing, dtype=torch.long), baseline=baseline,
                             baseline_id=baseline_id, steps=steps, strategy=strategy)
        table.update(zip(missing, found))
    if not wanted:
        return torch.empty(0, steps, dtype=torch.long)
    return torch.stack([table[i] for i in wanted])


def monotonic_path(E: Tensor, input_ids: Tensor, anchors: Tensor, *, baseline: Tensor, steps: int,
                   factor: int = 0) -> Tensor:
    """(T, P, D) points from the baseline to each input word: baseline, monotonised anchors in
    reverse order, input (P = steps + 2), then ``factor`` rounds of midpoint upscaling."""
    E = E.to(torch.float64)
    b = baseline.to(torch.float64)
    T, m = anchors.shape
    previous = E[input_ids]  # (T, D)
    points = [previous]
    for j in range(m):
        a = anchors[:, j]
        anchor = torch.where((a >= 0)[:, None], E[a.clamp(min=0)], b.expand_as(previous))
        previous = monotonise(anchor, b, previous, steps=steps)
        points.append(previous)
    points.append(b.expand_as(previous))
    P = torch.stack(points[::-1], dim=1)  # (T, m+2, D): baseline → input
    for _ in range(factor):
        mid = (P[:, 1:] + P[:, :-1]) / 2
        P = torch.stack([P[:, :-1], mid], dim=2).flatten(1, 2)
        P = torch.cat([P, points[0][:, None]], dim=1)  # the input closes the path
    return P


def is_monotone(P: Tensor) -> Tensor:
    """(T,) True where every dimension of each path moves monotonically (no direction change)."""
    step = P[:, 1:] - P[:, :-1]  # (T, P-1, D)
    return ~(((step > 0).any(1)) & ((step < 0).any(1))).any(-1)


# --- the method ----------------------------------------------------------------------------------------

def discrete_path_attribution(grads: Tensor, points: Tensor) -> Tensor:
    """Left Riemann sum Σ_k grads_k ⊙ (P_{k+1} − P_k): (P-1, ..., D), (P, ..., D) -> (..., D)."""
    return (grads * (points[1:] - points[:-1])).sum(0)


def make_dig(strategy: str = "greedy", factor: int = 0, neighbours: int = DEFAULT_NEIGHBOURS):
    """A method core for the registry with a fixed anchor strategy and upscaling factor."""
    if strategy not in STRATEGIES:
        raise unknown_choice("DIG strategy", strategy, STRATEGIES)
    if isinstance(factor, bool) or not isinstance(factor, int) or factor < 0:
        raise FaithlensError(f"The DIG upscaling factor must be an int ≥ 0. Got {factor!r} instead.")

    def dig(batch: Batch, opts: Options) -> MethodOutput:
        return _dig(batch, opts, strategy=strategy, factor=factor, neighbours=neighbours)

    return dig


def _dig(batch: Batch, opts: Options, *, strategy: str, factor: int, neighbours: int) -> MethodOutput:
    steps = opts.steps or DEFAULT_ANCHORS
    model, enc = batch.model, batch.enc
    B, L, D = batch.shape
    attributed = enc.attributed  # (B, L)
    baseline_ids = _baseline_id(batch)
    b_vec = batch.Wbar[attributed][0] if attributed.any() else torch.zeros(D, dtype=batch.W.dtype)  # (D,)
    graph = knn_graph(model, neighbours)
    E = model.embedding_matrix.detach()
    ids = enc.input_ids[attributed]  # (T,)
    unique, inverse = torch.unique(ids, return_inverse=True)
    anchors = cached_anchors(E, graph, unique, baseline=b_vec, baseline_id=baseline_ids, steps=steps, strategy=strategy)
    token_paths = monotonic_path(E, unique, anchors, baseline=b_vec, steps=steps, factor=factor)[inverse]  # (T, P, D)
    P = token_paths.shape[1]
    # Sentence points: every attributed token at its k-th point, everything else at the input.
    points = batch.W[:, None].expand(B, P, L, D).clone().to(batch.W.dtype)  # (B, P, L, D)
    b_idx, pos = attributed.nonzero(as_tuple=True)
    points[b_idx, :, pos] = token_paths.to(batch.W.dtype)
    rows = points[:, :-1].reshape(B * (P - 1), L, D)  # (B*(P-1), L, D): the last point's gradient is unused
    row_b = torch.arange(B).repeat_interleave(P - 1)
    grads = gradients_at_points(batch, rows, row_b).view(B, P - 1, L, D)
    A = discrete_path_attribution(grads.transpose(0, 1), points.transpose(0, 1))  # (B, L, D)
    scores = mask_scores(batch, A.sum(-1))
    return MethodOutput(
        token_scores=scores,
        attributions=A if opts.return_attributions else None,
        total_delta=total_delta(batch, scores),
        settings={"steps": steps, "strategy": strategy, "factor": factor, "neighbours": int(graph.shape[1]), "points": P},
    )


def _baseline_id(batch: Batch) -> int | None:
    """The baseline token id if the baseline is a vocabulary row (mask/pad/unk), else None (zero)."""
    attributed = batch.enc.attributed
    if not attributed.any():
        return None
    row = batch.Wbar[attributed][0]
    E = batch.model.embedding_matrix.detach().to(row.dtype)
    hits = (E == row).all(-1).nonzero().flatten()
    return int(hits[0]) if len(hits) else None
