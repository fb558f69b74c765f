"""Integrated Gradients on word embeddings: every attributed position moves together."""

from __future__ import annotations

import torch
from torch import Tensor

from ..batching import Batch, gradients_along
from ..model import ClassifierModel
from ..quadrature import rule
from .adaptive import IG_LEJA_SIZES, integrate, rule_for, threshold_floor
from .base import MethodOutput, Options, mask_scores, total_delta
from .kronrod import DEFAULT_MAX_NODES, RULE_NAME as KRONROD, integrate_ig, profile_alphas, scheme_for


def ig(batch: Batch, opts: Options) -> MethodOutput:
    if opts.tolerance is not None:
        if _is_certified(opts):
            return _certified(batch, opts)
        return _adaptive(batch, opts)
    steps = opts.steps or 50
    alphas, weights = rule(opts.rule, steps, dtype=batch.W.dtype)
    B, L, _ = batch.shape
    b = torch.arange(B).repeat_interleave(steps)  # (R,) = texts × steps
    k = torch.arange(steps).repeat(B)
    coef = alphas[k][:, None].expand(-1, L)  # (R, L)
    A = gradients_along(batch, b, coef, keep=batch.enc.attributed[b], weight=weights[k])
    scores = mask_scores(batch, A.sum(-1))
    return MethodOutput(
        token_scores=scores,
        attributions=A if opts.return_attributions else None,
        total_delta=total_delta(batch, scores),
        settings={"steps": steps, "rule": opts.rule},
    )


def _is_certified(opts: Options) -> bool:
    return opts.tolerance is not None and opts.rule in ("gausslegendre", KRONROD)


def path_profile(model: ClassifierModel, opts: Options) -> Tensor:
    """(P,) α of certified IG's forward-only F profile (`kronrod.initial_mesh`); empty for any other setting."""
    if not _is_certified(opts):
        return torch.zeros(0, dtype=model.dtype)
    scheme = scheme_for(model)
    return profile_alphas(scheme.grid, scheme.pieces, model.dtype)


def _certified(batch: Batch, opts: Options) -> MethodOutput:
    """Adaptive Gauss–Kronrod over α until |Σ a − (F(w) − F(w̄))| ≤ tolerance · |F(w) − F(w̄)| (`kronrod`)."""
    gap = batch.F_input() - batch.F_baseline()  # (B,)
    threshold = torch.maximum(opts.tolerance * gap.abs(), threshold_floor(batch))
    res = integrate_ig(batch, threshold, max_nodes=opts.steps, with_attributions=opts.return_attributions)
    scores = mask_scores(batch, res.token_sums)
    return MethodOutput(
        token_scores=scores,
        attributions=res.attributions,
        total_delta=total_delta(batch, scores),
        settings={"tolerance": opts.tolerance, "rule": KRONROD, "max_nodes": opts.steps or DEFAULT_MAX_NODES,
                  "intervals": res.intervals.tolist(), "rounds": res.rounds},
        path_nodes=res.nodes[:, None],
        path_converged=res.converged[:, None],
    )


def _adaptive(batch: Batch, opts: Options) -> MethodOutput:
    """The whole path refined until |Σ a − (F(w) − F(w̄))| ≤ tolerance · |F(w) − F(w̄)| (SPEC §10)."""
    B, L, _ = batch.shape
    gap = batch.F_input() - batch.F_baseline()  # (B,)
    threshold = torch.maximum(opts.tolerance * gap.abs(), threshold_floor(batch))
    attributed = batch.enc.attributed
    name = rule_for(opts.rule)
    res = integrate(batch, torch.arange(B), torch.ones(B, L, dtype=torch.bool), attributed, gap, threshold,
                    rule=name, max_nodes=opts.steps, with_attributions=True,
                    sizes=IG_LEJA_SIZES if name == "leja" else None)
    scores = mask_scores(batch, res.token_sums)
    return MethodOutput(
        token_scores=scores,
        attributions=res.attributions if opts.return_attributions else None,
        total_delta=total_delta(batch, scores),
        settings={"tolerance": opts.tolerance, "rule": name, "max_nodes": res.max_nodes},
        path_nodes=res.nodes[:, None],
        path_converged=res.converged[:, None],
    )
