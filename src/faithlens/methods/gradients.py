"""Single-point gradient methods: Gradient×Input, Saliency, SmoothGrad."""

from __future__ import annotations

import torch

from ..batching import Batch, gradients_at_points
from .base import MethodOutput, Options, mask_scores


def _input_gradients(batch: Batch):
    B = batch.shape[0]
    b = torch.arange(B)
    return gradients_at_points(batch, batch.W, b)  # (B, L, D)


def grad_x_input(batch: Batch, opts: Options) -> MethodOutput:
    A = _input_gradients(batch) * batch.W
    return MethodOutput(token_scores=mask_scores(batch, A.sum(-1)), attributions=A if opts.return_attributions else None)


def saliency(batch: Batch, opts: Options) -> MethodOutput:
    G = _input_gradients(batch)
    return MethodOutput(token_scores=mask_scores(batch, G.norm(dim=-1)), attributions=G if opts.return_attributions else None)


def smoothgrad(batch: Batch, opts: Options) -> MethodOutput:
    """Mean gradient over noisy copies w + N(0, σ²), σ = noise · (max(w) - min(w)); times clean w."""
    n = opts.n_samples or 10
    B, L, D = batch.shape
    noisy = batch.W.repeat_interleave(n, dim=0).clone()  # (B*n, L, D)
    for i in range(B):  # per text, so one text alone or in a padded batch draws the same noise
        pos = batch.enc.real_positions(i)
        w = batch.W[i, pos]  # (L_i, D)
        sigma = opts.noise * float(w.max() - w.min())
        gen = torch.Generator(device="cpu").manual_seed(int(opts.seed))  # the same noise on every device
        eps = torch.randn((n, len(pos), D), generator=gen, dtype=torch.float64, device="cpu").to(w.device, w.dtype)
        noisy[i * n:(i + 1) * n, pos] += sigma * eps
    b = torch.arange(B).repeat_interleave(n)
    G_each = gradients_at_points(batch, noisy, b).view(B, n, L, D)
    A = G_each.mean(1) * batch.W
    per_sample = (G_each * batch.W[:, None]).sum(-1)  # (B, n, L): each draw's token scores
    error = per_sample.std(1) / n ** 0.5 if n > 1 else None  # (B, L); one draw has no measurable spread
    return MethodOutput(
        token_scores=mask_scores(batch, A.sum(-1)),
        attributions=A if opts.return_attributions else None,
        settings={"n_samples": n, "noise": opts.noise, "seed": opts.seed},
        sampling_error=None if error is None else mask_scores(batch, error),
    )
