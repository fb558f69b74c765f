"""Sequential Integrated Gradients: each unit moves alone from the baseline to its embedding.

Three computations of the same unit score a_u:
- reverse: gradients at every path point (gives per-feature attributions),
- forward: one Jacobian-vector product per path point (the derivative along the path),
- closed: F(w) - F(w with unit u at the baseline) (the limit of infinitely many steps).
"""

from __future__ import annotations

import dataclasses

import torch
from torch import Tensor

from ..batching import Batch, gradients_along, jvps_along, scores_along
from ..encoding import unit_masks
from ..errors import unknown_choice
from ..quadrature import rule
from .adaptive import integrate, rule_for, threshold_floor
from .base import MethodOutput, Options, mask_scores, unit_rows

MODES = ("reverse", "forward", "closed", "auto")
# mode="auto" with a path asked for (steps, tolerance): forward mode up to this many tokens per text (when no
# per-feature attributions are asked for), reverse mode beyond. Measured on MiniLM (bench/results/bench.md, time
# vs length): forward leads by 1-4 % on sentences and trails from ~32 tokens on (0.71x at 512).
AUTO_FORWARD_MAX_TOKENS = 24


def path_asked(steps: object, tolerance: object, return_attributions: object) -> bool:
    """Whether "auto" must integrate a path: per-feature attributions, steps or a tolerance were asked for. A
    quadrature rule alone does not: it says how to integrate a path, not to integrate one (`options.sig_closed`,
    which reads settings by this rule and refuses or warns about a rule given for the closed form)."""
    return bool(return_attributions) or steps is not None or tolerance is not None


def wants_path(opts: Options) -> bool:
    """`path_asked` for an Options object."""
    return path_asked(opts.steps, opts.tolerance, opts.return_attributions)


def resolve_mode(batch: Batch, opts: Options) -> str:
    """The computation mode "auto" stands for on this batch.

    The exact closed form F(w) − F(w̄^(u)) (N+1 forward passes) unless a path is asked for
    (`wants_path`): per-feature attributions need reverse mode; given steps or a tolerance run the
    faster of forward and reverse at the batch's length. Forward mode is measured faster only with
    the hand-written JVP (BERT-style classifiers, `jvp.py`); every other model (causal LMs, QA
    heads) runs reverse mode, which torch's forward-mode AD does not beat.
    """
    if opts.mode != "auto":
        return opts.mode
    if not wants_path(opts):
        return "closed"
    from ..jvp import supports

    longest = int(batch.enc.attention_mask.sum(1).max())
    short = longest <= AUTO_FORWARD_MAX_TOKENS and not opts.return_attributions
    return "forward" if short and supports(batch.model) else "reverse"


def sig(batch: Batch, opts: Options) -> MethodOutput:
    if opts.mode not in MODES:
        raise unknown_choice("SIG mode", opts.mode, MODES)
    if opts.mode == "auto":
        opts = dataclasses.replace(opts, mode=resolve_mode(batch, opts))
    units = unit_masks(batch.enc, opts.unit)  # (B, U, L)
    exact = closed_form_scores(batch, units)  # (B, U)
    if opts.tolerance is not None and opts.mode != "closed":
        return _adaptive(batch, opts, units, exact)
    steps = opts.steps or 50
    settings = {"steps": steps, "rule": opts.rule, "unit": opts.unit, "mode": opts.mode}
    if opts.mode == "closed":
        token_scores = _spread(units, exact)
        settings = {"unit": opts.unit, "mode": "closed"}
        return MethodOutput(token_scores=token_scores, units=units, unit_scores=exact,
                            unit_deltas=torch.zeros_like(exact), settings=settings)
    alphas, weights = rule(opts.rule, steps, dtype=batch.W.dtype)
    attributions = None
    if opts.mode == "reverse":
        attributions = _reverse(batch, units, alphas, weights)
        token_scores = mask_scores(batch, attributions.sum(-1))
    else:
        token_scores = mask_scores(batch, _forward(batch, units, alphas, weights))
    unit_scores = torch.einsum("bul,bl->bu", units.to(token_scores.dtype), token_scores)
    return MethodOutput(
        token_scores=token_scores,
        attributions=attributions if opts.return_attributions else None,
        units=units,
        unit_scores=unit_scores,
        unit_deltas=(unit_scores - exact) * units.any(-1),
        settings=settings,
    )


def _adaptive(batch: Batch, opts: Options, units: Tensor, exact: Tensor) -> MethodOutput:
    """Each unit refined only while |a_u − c_u| > tolerance · ‖c‖₂ (SPEC §10)."""
    B, U, L = units.shape
    b, u, _ = unit_rows(units, 1)
    moving = units[b, u]  # (P, L)
    norm = exact.norm(dim=1)  # (B,): ‖c‖₂ of each text
    threshold = torch.maximum(opts.tolerance * norm, threshold_floor(batch))[b]
    name = rule_for(opts.rule)
    res = integrate(batch, b, moving, moving, exact[b, u], threshold, mode=opts.mode, rule=name,
                    max_nodes=opts.steps, with_attributions=opts.return_attributions)
    token_scores = mask_scores(batch, res.token_sums)
    unit_scores = torch.zeros(B, U, dtype=token_scores.dtype)
    unit_scores[b, u] = res.estimate.to(token_scores.dtype)
    nodes = torch.zeros(B, U, dtype=torch.long)
    nodes[b, u] = res.nodes
    converged = torch.ones(B, U, dtype=torch.bool)
    converged[b, u] = res.converged
    settings = {"tolerance": opts.tolerance, "rule": name, "max_nodes": res.max_nodes, "unit": opts.unit,
                "mode": opts.mode}
    return MethodOutput(token_scores=token_scores, attributions=res.attributions, units=units, unit_scores=unit_scores,
                        unit_deltas=(unit_scores - exact) * units.any(-1), settings=settings, path_nodes=nodes,
                        path_converged=converged)


def closed_form_scores(batch: Batch, units: Tensor) -> Tensor:
    """F(w) - F(w with unit u at the baseline), forward passes only: -> (B, U)."""
    B, U, L = units.shape
    b, u, _ = unit_rows(units, 1)
    F_unit_at_baseline = scores_along(batch, b, (~units[b, u]).to(torch.float64))  # (P,)
    exact = torch.zeros(B, U, dtype=F_unit_at_baseline.dtype)
    exact[b, u] = batch.F_input()[b] - F_unit_at_baseline
    return exact


def _path_coef(moving: Tensor, alpha: Tensor) -> Tensor:
    """Coefficient 1 everywhere except alpha on the moving unit: (R, L), (R,) -> (R, L)."""
    m = moving.to(alpha.dtype)
    return 1.0 - m * (1.0 - alpha[:, None])


def _reverse(batch: Batch, units: Tensor, alphas: Tensor, weights: Tensor) -> Tensor:
    b, u, k = unit_rows(units, len(alphas))  # R = units × steps
    moving = units[b, u]  # (R, L)
    return gradients_along(batch, b, _path_coef(moving, alphas[k]), keep=moving, weight=weights[k])


def _forward(batch: Batch, units: Tensor, alphas: Tensor, weights: Tensor) -> Tensor:
    """Token scores by forward mode: one JVP per (token, step), the tangent on that token only."""
    B, U, L = units.shape
    unit_of = units.to(torch.int64).argmax(1)  # (B, L): the unit of each token
    tokens = units.any(1).nonzero()  # (T, 2): (b, t) of every attributed token
    K = len(alphas)
    b = tokens[:, 0].repeat_interleave(K)
    t = tokens[:, 1].repeat_interleave(K)
    k = torch.arange(K).repeat(len(tokens))
    moving = units[b, unit_of[b, t]]  # (R, L): the whole unit moves along its path
    tangent = torch.nn.functional.one_hot(t, L)  # (R, L): derivative w.r.t. token t's row only
    dF = jvps_along(batch, b, _path_coef(moving, alphas[k]), tangent)  # (R,)
    scores = torch.zeros(B, L, dtype=dF.dtype)
    scores.index_put_((b, t), weights[k] * dF, accumulate=True)
    return scores


def _spread(units: Tensor, unit_scores: Tensor) -> Tensor:
    """Token scores from unit scores, split evenly over each unit's tokens: -> (B, L)."""
    u = units.to(unit_scores.dtype)
    share = unit_scores / u.sum(-1).clamp(min=1)
    return torch.einsum("bul,bu->bl", u, share)


# The two path modes by public name, for benchmarks that time one mode on its own (bench/harness.py, bench/memory.py):
# (batch, units (B, U, L) bool, alphas (S,), weights (S,)) -> reverse: the weighted path gradients; forward: token scores (B, L).
reverse, forward = _reverse, _forward
