"""Fold (texts × positions × steps) into rows and evaluate them in chunks under a memory budget.

Every path method is described by *rows*: row r belongs to text ``b_idx[r]`` and its word
embeddings are ``W̄[b] + coef[r, :, None] * (W[b] - W̄[b])`` — a per-position interpolation
coefficient between the baseline (0) and the input (1). IG uses one coefficient for every
position, SIG moves one unit (token or word) and keeps the rest at 1, occlusion sets one unit to 0.
Chunking only slices the rows and adds partial sums, so it can never change a result.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import torch
import torch.autograd.forward_ad as fwAD
from torch import Tensor

from .deadline import check as check_deadline
from .progress import advance, expect
from .encoding import Encoding
from .jvp import logits_jvp, supports as jvp_supports
from .model import ClassifierModel
from .tasks import ScoreFn

DEFAULT_MEMORY_BUDGET = 2 * 1024**3  # bytes of activations per chunk
MAX_AUTO_ROWS = 1024  # the most rows a chunk sized by the memory budget holds
MIN_GROUP_ROWS = 8  # causal prefix sharing: rows sharing an exact prefix worth a chunk of their own
# Differentiated chunks beyond ~2k tokens ran slower per row on CPU (working set vs cache):
# MiniLM-L6, 12 tokens, 500 SIG rows: 3.98 CPU s in one chunk, 3.54 s in chunks of 200 rows.
MAX_TOKENS_PER_CHUNK = 1024
# Causal prefix sharing (`Batch.outputs`) runs the unmoved prefix once into a key/value cache: it pays only on
# texts of at least this many tokens; shorter texts run every row in full. Keyed by config.model_type; measured
# by bench/prefix_threshold.py (bench/results/prefix_threshold.md, SmolLM2 on CPU, speed-up from sharing for the
# closed form / 8-step reverse SIG: 0.45× / 0.74× at 8 tokens, 0.74× / 1.05× at 16, 1.03× / 1.26× at 24).
# Unlisted causal models (gpt2, ...: not measured) use "default", the llama figure.
PREFIX_SHARING_MIN_TOKENS = {"llama": 24, "default": 24}


def prefix_sharing_pays(model: ClassifierModel, tokens: int) -> bool:
    """Whether a causal model shares the unmoved prefix on texts of `tokens` tokens (`PREFIX_SHARING_MIN_TOKENS`)."""
    kind = getattr(model.model.config, "model_type", "")
    return tokens >= PREFIX_SHARING_MIN_TOKENS.get(kind, PREFIX_SHARING_MIN_TOKENS["default"])


@dataclass
class Batch:
    """Canonical tensors for one padded batch of texts: the input to every method core."""

    model: ClassifierModel
    enc: Encoding
    W: Tensor  # (B, L, D) input word embeddings
    Wbar: Tensor  # (B, L, D) baseline word embeddings
    target: Tensor  # (B, T) long: class (T = 1), answer span (T = 2) or continuation ids (see faithlens.tasks)
    score: ScoreFn  # F = score(outputs, target): (R, K), (R, T) -> (R,)
    rows_per_chunk: int | None = None  # None: derived from memory_budget
    memory_budget: int = DEFAULT_MEMORY_BUDGET
    input_outputs: Tensor | None = None  # (B, K) task outputs at W when already computed (the prediction)
    baseline_outputs: Tensor | None = None  # (B, K) task outputs at W̄ when already computed
    path_alphas: Tensor | None = None  # (P,) α of `path_outputs`
    path_outputs: Tensor | None = None  # (B, P, K) task outputs at W̄ + α (W − W̄), computed with the prediction

    @property
    def diff(self) -> Tensor:
        return self.W - self.Wbar  # (B, L, D)

    @property
    def shape(self) -> tuple[int, int, int]:
        B, L, D = self.W.shape
        return B, L, D

    # --- the function being explained ------------------------------------------------------
    def F_input(self) -> Tensor:
        """F at the inputs W themselves: (B,). Reuses the prediction's outputs when the batch has them."""
        if self.input_outputs is not None:
            return self.score(self.input_outputs, self.target)
        B, L, _ = self.shape
        return scores_along(self, torch.arange(B), torch.ones(B, L, dtype=torch.float64))

    def F_baseline(self) -> Tensor:
        """F at the baselines W̄: (B,). Reuses outputs computed with the prediction when the batch has them."""
        if self.baseline_outputs is not None:
            return self.score(self.baseline_outputs, self.target)
        B, L, _ = self.shape
        return scores_along(self, torch.arange(B), torch.zeros(B, L, dtype=torch.float64))

    def F_path(self, alphas: Tensor) -> Tensor:
        """F on the straight path, W̄ + α (W − W̄), for every text at each α (P,): (B, P), forward passes only.

        Reuses the outputs computed in the prediction's pass (`path_outputs`, see `path_rows`) when they are
        at these α; else evaluates the rows (`scores_along`), the same points either way.
        """
        B, L, _ = self.shape
        P = len(alphas)
        if self.path_outputs is not None and torch.equal(self.path_alphas, alphas.to(self.path_alphas.dtype)):
            return self.score(self.path_outputs.flatten(0, 1), self.target.repeat_interleave(P, 0)).reshape(B, P)
        b = torch.arange(B).repeat_interleave(P)  # (B·P,) text-major
        return scores_along(self, b, alphas.repeat(B)[:, None].expand(-1, L)).reshape(B, P)

    def F(self, emb: Tensor, b_idx: Tensor, coef: Tensor | None = None) -> Tensor:
        """Score of each row: emb (R, L, D), b_idx (R,) -> (R,). See `outputs` for `coef`."""
        return self.score(self.outputs(emb, b_idx, coef), self.target[b_idx])

    def outputs(self, emb: Tensor, b_idx: Tensor, coef: Tensor | None = None) -> Tensor:
        """The task head's outputs for each row: emb (R, L, D), b_idx (R,) -> (R, K).

        `coef` (R, L), when given, are the rows' path coefficients (1 = the input's own embedding).
        Causal models then compute the leading columns that no row moves once per text and share
        their key/value cache across the rows: a position never sees the positions after it, so
        those columns are the same in every row (SIG moves one word; the rest of the text is fixed).
        """
        cols = self._columns(b_idx)
        target = self.target[b_idx]
        args = self._inputs(b_idx, emb, cols=cols)
        start = self._shared_prefix(b_idx, coef, cols)
        if start == 0:
            return self.model.outputs(*args, target=target)
        emb_kept, mask, types, positions = args
        texts, row_text = b_idx.unique(return_inverse=True)  # prefix once per distinct text
        prefix = (self.W[texts][:, cols][:, :start],  # (T, start, D) = every row's own first columns
                  self.enc.attention_mask[texts][:, cols][:, :start], self.enc.position_ids[texts][:, cols][:, :start],
                  row_text)
        return self.model.outputs(emb_kept[:, start:], mask, None, positions[:, start:], target=target, prefix=prefix)

    def shares_prefix(self) -> bool:
        """Causal models on texts long enough for prefix sharing to pay (`prefix_sharing_pays`)."""
        if not self.model.is_causal or self.enc.position_ids is None:
            return False
        return prefix_sharing_pays(self.model, int(self.enc.attention_mask.sum(1).max()))

    def _first_moved(self, b_idx: Tensor, coef: Tensor) -> Tensor:
        """Each row's first attended column moved off the input (R,); the last column when none is."""
        moved = (coef != 1) & self.enc.attention_mask[b_idx].bool()  # (R, L)
        return torch.where(moved.any(1), moved.to(torch.int8).argmax(1), moved.shape[1] - 1)

    def _shared_prefix(self, b_idx: Tensor, coef: Tensor | None, cols: Tensor) -> int:
        """Causal models: how many leading kept columns equal the input in every row; 0 otherwise."""
        if coef is None or not self.shares_prefix():
            return 0
        kept_before = torch.cumsum(cols, 0) - cols.long()  # (L,): kept columns left of each column
        last = int(cols.sum()) - self.model.task.tail_columns(self.target)  # the head reads the last columns: they always run
        return max(0, min(int(kept_before[self._first_moved(b_idx, coef)].min()), last))

    def logits_jvp(self, emb: Tensor, tangent: Tensor, b_idx: Tensor) -> tuple[Tensor, Tensor]:
        """Class logits and their derivative along `tangent` (hand-written JVP, see `jvp.py`)."""
        return logits_jvp(self.model, *self._inputs(b_idx, emb, tangent))

    def _columns(self, b_idx: Tensor) -> Tensor:
        """Columns to keep for these rows: (L,) bool.

        Columns that are padding in every row are dropped: they are masked in attention and never
        attributed, so the logits are the same and a chunk of short texts does not pay for the
        longest text of the batch. Gradients of dropped columns are zero.
        """
        cols = self.enc.attention_mask[b_idx].bool().any(0)  # (L,)
        if self.enc.position_ids is None:  # positions are implicit 0..L-1: drop trailing columns only
            cols = torch.arange(len(cols)) <= int(cols.nonzero().max())
        return cols

    def _inputs(self, b_idx: Tensor, *row_tensors: Tensor, cols: Tensor | None = None) -> tuple:
        """(row tensors..., attention mask, token types, positions) of the rows, padding columns dropped."""
        enc = self.enc
        cols = self._columns(b_idx) if cols is None else cols
        if bool(cols.all()):
            pick = lambda t: None if t is None else t[b_idx]  # noqa: E731
            return (*row_tensors, pick(enc.attention_mask), pick(enc.token_type_ids), pick(enc.position_ids))
        pick = lambda t: None if t is None else t[b_idx][:, cols]  # noqa: E731
        rows = tuple(t[:, cols] for t in row_tensors)
        return (*rows, pick(enc.attention_mask), pick(enc.token_type_ids), pick(enc.position_ids))

    def points(self, b_idx: Tensor, coef: Tensor) -> Tensor:
        """Row embeddings W̄[b] + coef * (W[b] - W̄[b]): (R,), (R, L) -> (R, L, D)."""
        return self.Wbar[b_idx] + coef.to(self.W.dtype)[..., None] * self.diff[b_idx]

    # --- chunking --------------------------------------------------------------------------
    def chunks(self, n_rows: int, kind: str, groups: Tensor | None = None) -> Iterator[slice]:
        """Slices of at most the budgeted number of rows; with `groups` (R,), never across a change of group."""
        size = self.rows_per_chunk or rows_for_budget(self.model, self.shape[1], kind, self.memory_budget)
        bounds = [0, n_rows]
        if groups is not None and n_rows > 1:
            bounds = [0, *((groups[1:] != groups[:-1]).nonzero()[:, 0] + 1).tolist(), n_rows]
        expect(n_rows)  # `faithlens.progress`: a bar with an ETA, when one is shown
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            for start in range(lo, hi, size):
                check_deadline()  # a `faithlens.deadline` limit stops the work between chunks
                stop = min(start + size, hi)
                yield slice(start, stop)
                advance(stop - start)

    def prefix_groups(self, b_idx: Tensor, coef: Tensor) -> Tensor | None:
        """Causal models: a group per row (R,); chunks never straddle a change of group (see `chunks`).

        Rows of one text that move the same first column share all the columns before it (see
        `outputs`): when those groups are large (SIG: one per word with a row per step) each is its
        own group, so every word's rows reuse the whole prefix before it; when they are small
        (occlusion, the closed form: one row per word) a text's rows are grouped by the quarter of the
        sequence where their first moved column lies, so chunks stay large. Rows of different texts
        never share a chunk here: a short text's prefix would be its left padding, all masked. None
        for other models, where nothing is shared.
        """
        if not self.shares_prefix():
            return None
        first = self._first_moved(b_idx, coef)
        L = coef.shape[1]
        key = b_idx * (L + 1) + first  # a text's own prefix: a short text's left padding is never a shared prefix
        counts = torch.bincount(key)
        if len(key) and float(counts[counts > 0].float().median()) >= MIN_GROUP_ROWS:
            return key
        return b_idx * 4 + first // max(1, -(-L // 4))


def path_rows(W: Tensor, Wbar: Tensor, alphas: Tensor) -> Tensor:
    """The points W̄ + α (W − W̄) of every text at each α (P,), text-major: (B, L, D) -> (B·P, L, D).

    Element for element what `Batch.points` computes for those rows, so F at them does not depend on
    which of the two built them.
    """
    B, P = W.shape[0], len(alphas)
    coef = alphas.to(W.dtype).repeat(B)[:, None, None]  # (B·P, 1, 1)
    return Wbar.repeat_interleave(P, 0) + coef * (W - Wbar).repeat_interleave(P, 0)


def rows_for_budget(model: ClassifierModel, length: int, kind: str, budget: int) -> int:
    """Rows per chunk so that one chunk's activations stay under `budget` bytes (a rough model)."""
    cfg = model.model.config
    layers = getattr(cfg, "num_hidden_layers", None) or getattr(cfg, "n_layer", 12)
    hidden = getattr(cfg, "hidden_size", None) or getattr(cfg, "n_embd", 768)
    inter = getattr(cfg, "intermediate_size", None) or 4 * hidden
    heads = getattr(cfg, "num_attention_heads", None) or getattr(cfg, "n_head", 12)
    itemsize = torch.finfo(model.dtype).bits // 8
    per_layer = 12 * hidden + 3 * inter + 3 * heads * length  # per token
    if kind == "reverse":
        per_row = length * layers * per_layer
    elif kind == "forward_ad":
        per_row = 3 * length * per_layer
    else:  # inference
        per_row = 2 * length * per_layer
    rows = budget // max(1, per_row * itemsize)
    if kind in ("reverse", "forward_ad"):
        rows = min(rows, MAX_TOKENS_PER_CHUNK // max(1, length))
    return int(max(1, min(MAX_AUTO_ROWS, rows)))


# --- the three ways of evaluating rows ---------------------------------------------------------

def scores_along(batch: Batch, b_idx: Tensor, coef: Tensor) -> Tensor:
    """F at each row, forward passes only: (R,) rows -> (R,)."""
    out = torch.empty(len(b_idx), dtype=batch.W.dtype)
    with torch.inference_mode():
        for s in batch.chunks(len(b_idx), "inference", batch.prefix_groups(b_idx, coef)):
            out[s] = batch.F(batch.points(b_idx[s], coef[s]), b_idx[s], coef[s])
    return out


def gradients_along(batch: Batch, b_idx: Tensor, coef: Tensor, keep: Tensor, weight: Tensor) -> Tensor:
    """Σ_r weight_r · keep_r ⊙ ∇F(row r) ⊙ (W - W̄)[b_r], summed into each text: -> (B, L, D).

    `keep` (R, L) selects which positions' gradients count (SIG: the moving unit only).
    """
    B, L, D = batch.shape
    total = torch.zeros(B, L, D, dtype=batch.W.dtype)
    diff = batch.diff
    shared = sharing_coef(coef, keep)
    for s in batch.chunks(len(b_idx), "reverse", batch.prefix_groups(b_idx, shared)):
        b = b_idx[s]
        grad = gradients_at(batch, batch.points(b, coef[s]), b, shared[s])  # (r, L, D)
        contrib = (weight[s].to(grad.dtype)[:, None, None] * keep[s].to(grad.dtype)[..., None]) * grad * diff[b]
        total.index_add_(0, b, contrib)
    return total


def sharing_coef(coef: Tensor, keep: Tensor) -> Tensor:
    """Path coefficients for prefix sharing (`Batch.logits`): kept positions count as moved (R, L).

    A causal model shares the columns before a row's first moved one, and their gradient is then
    zero. A kept position must never fall in that prefix, even where its coefficient is 1 (a
    rule's node at alpha = 1, e.g. riemann_right, Leja, Clenshaw–Curtis).
    """
    return torch.where(keep.bool(), torch.zeros_like(coef), coef)


def gradients_at(batch: Batch, emb: Tensor, b_idx: Tensor, coef: Tensor | None = None) -> Tensor:
    """∇F at given row embeddings: (R, L, D) -> (R, L, D). Rows are independent (eval mode).

    With the rows' path `coef`, causal models share the unmoved prefix (`Batch.logits`); its
    gradient is then zero, so only pass `coef` when the prefix's gradient is not used.
    """
    emb = emb.detach().requires_grad_(True)
    with torch.enable_grad():
        F = batch.F(emb, b_idx, coef)
        (grad,) = torch.autograd.grad(F.sum(), emb)
    return grad


def gradients_at_points(batch: Batch, emb: Tensor, b_idx: Tensor) -> Tensor:
    """Chunked `gradients_at` for many explicit points: (R, L, D) -> (R, L, D)."""
    out = torch.empty_like(emb)
    for s in batch.chunks(len(b_idx), "reverse"):
        out[s] = gradients_at(batch, emb[s], b_idx[s])
    return out


def jvps_along(batch: Batch, b_idx: Tensor, coef: Tensor, tangent: Tensor) -> Tensor:
    """Directional derivative of F at each row along tangent ⊙ (W - W̄)[b]: -> (R,).

    One Jacobian-vector product per row: written out by hand for BERT-style classifiers
    (`jvp.py`), torch's forward-mode AD (eager attention) for every other model. Nothing is
    stored for a backward pass, so chunks are larger than in reverse mode.
    """
    out = torch.empty(len(b_idx), dtype=batch.W.dtype)
    by_hand = jvp_supports(batch.model)
    with contextlib.ExitStack() as stack:
        stack.enter_context(torch.no_grad())
        if not by_hand:  # torch's forward-mode AD through the model
            stack.enter_context(_attention(batch.model, "eager"))
            stack.enter_context(fwAD.dual_level())
            stack.enter_context(_ConstantWeightLinear())
        for s in batch.chunks(len(b_idx), "forward_ad", b_idx if batch.model.is_causal else None):
            b = b_idx[s]  # causal models: a chunk per text, so no row is a short text's all-masked left padding
            point = batch.points(b, coef[s])  # (r, L, D)
            direction = tangent[s].to(point.dtype)[..., None] * batch.diff[b]  # (r, L, D)
            if by_hand:
                logits, dlogits = batch.logits_jvp(point, direction, b)  # (r, C), (r, C)
                out[s] = _score_jvp(batch, logits, dlogits, b)
            else:
                F = batch.F(fwAD.make_dual(point, direction), b)  # (r,) dual
                out[s] = fwAD.unpack_dual(F).tangent
    return out


def _score_jvp(batch: Batch, logits: Tensor, dlogits: Tensor, b_idx: Tensor) -> Tensor:
    """Derivative of each row's score along its logits' tangent: ∇_z F(z) · ż, (R, C) -> (R,).

    One tiny reverse pass over the logits (rows are independent). Not torch's forward AD: entering
    its dual level imports torch's JVP decompositions (0.2-0.5 s of start-up) for a (R, C) tensor.
    """
    with torch.enable_grad():
        z = logits.detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(batch.score(z, batch.target[b_idx]).sum(), z)
    return (grad * dlogits).sum(-1)


@contextlib.contextmanager
def _attention(model: ClassifierModel, implementation: str) -> Iterator[None]:
    """Switch the model's attention kernel for a block (forward-mode AD needs 'eager' on CPU)."""
    previous = model.attention
    model.set_attention(implementation)
    try:
        yield
    finally:
        model.set_attention(previous)


class _ConstantWeightLinear(torch.overrides.TorchFunctionMode):
    """Forward AD of `F.linear` with constant weights: one tangent matmul instead of two.

    torch's addmm forward-AD formula also multiplies the input by the weight's tangent, which is
    materialised as zeros when the weight is a constant; that doubles the matmul work of the
    tangent. Here: y = x W^T + b and ẏ = ẋ W^T, exactly what the formula gives with a zero weight tangent.
    Anything else (dual weights, non-dual inputs, every other function) takes torch's own path.
    """

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func is torch.nn.functional.linear:
            x, weight, bias = _linear_args(*args, **kwargs)
            primal, tangent = fwAD.unpack_dual(x)
            constant = fwAD.unpack_dual(weight).tangent is None and (bias is None or fwAD.unpack_dual(bias).tangent is None)
            if tangent is not None and constant:
                return fwAD.make_dual(func(primal, weight, bias), func(tangent, weight))
        return func(*args, **kwargs)


def _linear_args(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor | None]:
    return input, weight, bias
