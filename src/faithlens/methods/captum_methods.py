"""DeepLift (rescale rule) and GradientShap from Captum, over faithlens's embedding forward."""

from __future__ import annotations

import warnings

import numpy as np
import torch
from torch import Tensor, nn

from ..batching import Batch
from .base import MethodOutput, Options, mask_scores, total_delta


class EmbeddingForward(nn.Module):
    """F(word embeddings, text index) as a module, so Captum can hook the model's non-linearities."""

    def __init__(self, batch: Batch):
        super().__init__()
        self.batch = batch
        self.model = batch.model.model  # registered: DeepLift finds its activation modules

    def forward(self, emb: Tensor, b_idx: Tensor) -> Tensor:
        return self.batch.F(emb, b_idx)


def deeplift(batch: Batch, opts: Options) -> MethodOutput:
    from captum.attr import DeepLift

    B = batch.shape[0]
    with warnings.catch_warnings(), batch.model.own_forward():  # the rules hook the model's own modules
        warnings.simplefilter("ignore")
        explainer = DeepLift(EmbeddingForward(batch))
        A = explainer.attribute(batch.W.clone(), baselines=batch.Wbar.clone(), additional_forward_args=(torch.arange(B),))
    A = A.detach()
    scores = mask_scores(batch, A.sum(-1))
    return MethodOutput(token_scores=scores, attributions=A if opts.return_attributions else None,
                        total_delta=total_delta(batch, scores))


def gradient_shap(batch: Batch, opts: Options) -> MethodOutput:
    """Baselines drawn from {w̄, w}, alpha ~ U(0, 1), n samples; seeded per text."""
    from captum.attr import GradientShap

    n = opts.n_samples or 5
    explainer = GradientShap(EmbeddingForward(batch))
    rows, gaps = [], []
    for i in range(batch.shape[0]):  # per text: each text has its own baseline distribution
        refs = torch.cat([batch.Wbar[i:i + 1], batch.W[i:i + 1]])  # (2, L, D)
        with _seeded(opts.seed):
            A_i, delta = explainer.attribute(batch.W[i:i + 1].clone(), baselines=refs, n_samples=n,
                                             additional_forward_args=(torch.tensor([i]),), return_convergence_delta=True)
        rows.append(A_i.detach())
        gaps.append(delta.detach().to(torch.float64).mean())  # per sample: Σ A_s - (F(w) - F(b_s)); mean over the n
    A = torch.cat(rows)
    scores = mask_scores(batch, A.sum(-1))
    gap = torch.stack(gaps)  # (B,)
    return MethodOutput(
        token_scores=scores,
        attributions=A if opts.return_attributions else None,
        settings={"n_samples": n, "seed": opts.seed},
        total_delta=gap,
        reference=scores.sum(1).to(torch.float64) - gap,  # the sampled E_b[F(w) - F(b)]
    )


class _seeded:
    """Seed torch's and numpy's global generators for a block, then restore them."""

    def __init__(self, seed: int):
        self.seed = int(seed)

    def __enter__(self):
        self._np = np.random.get_state()
        self._torch = torch.random.get_rng_state()
        np.random.seed(self.seed)
        torch.manual_seed(self.seed)

    def __exit__(self, *exc):
        np.random.set_state(self._np)
        torch.random.set_rng_state(self._torch)
        return False
