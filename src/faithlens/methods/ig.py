"""Integrated Gradients on word embeddings: every attributed position moves together."""

from __future__ import annotations

import torch

from ..batching import Batch, gradients_along
from ..quadrature import rule
from .base import MethodOutput, Options, mask_scores, total_delta


def ig(batch: Batch, opts: Options) -> MethodOutput:
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
