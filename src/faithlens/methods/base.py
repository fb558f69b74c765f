"""Shared types for method cores: the options they read and the output they return."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import Tensor

from ..batching import Batch
from ..model import ClassifierModel


@dataclass(frozen=True)
class Options:
    """Settings a method core may read. `None` means: the method's own default."""

    steps: int | None = None
    rule: str = "gausslegendre"
    unit: str = "word"
    mode: str = "reverse"
    n_samples: int | None = None
    noise: float = 0.01
    seed: int = 0
    return_attributions: bool = False
    tolerance: float | None = None  # error-controlled quadrature (SPEC §10); `steps` then caps the nodes


@dataclass
class MethodOutput:
    token_scores: Tensor  # (B, L), zero at special and padding positions
    attributions: Tensor | None = None  # (B, L, D) per-feature attribution
    units: Tensor | None = None  # (B, U, L) bool: the tokens of each path unit (SIG)
    unit_scores: Tensor | None = None  # (B, U)
    unit_deltas: Tensor | None = None  # (B, U): score - (F(w) - F(w̄ at unit)) (SIG)
    total_delta: Tensor | None = None  # (B,): Σ scores - (F(w) - F(w̄)) (completeness)
    sampling_error: Tensor | None = None  # (B, L) standard error of each token score (sampled methods)
    settings: dict = field(default_factory=dict)  # the settings actually used
    path_nodes: Tensor | None = None  # (B, U) SIG units / (B, 1) IG: quadrature nodes used per path (adaptive)
    path_converged: Tensor | None = None  # same shape, bool: met the tolerance (adaptive)
    reference: Tensor | None = None  # (B,): what Σ scores should equal when not F(w) - F(w̄) (GradientShap: E_b[F(w) - F(b)])


MethodFn = Callable[[Batch, Options], MethodOutput]


@dataclass(frozen=True)
class Method:
    name: str
    fn: MethodFn
    summary: str
    default_steps: int | None = None
    default_samples: int | None = None
    random: bool = False
    signed: bool = True  # False: scores are magnitudes (no direction); views draw them on a one-colour scale
    completeness: bool = False  # reports Σ a - (F(w) - F(w̄)), so needs F at the baseline
    # The method-specific settings it reads (of steps, rule, unit, mode, tolerance, n_samples, noise, seed): the one
    # table `options.METHOD_SETTINGS`, the settings an evaluate spec may carry, and `evaluate.PER_UNIT` derive from it.
    reads: frozenset[str] = frozenset()
    baseline: bool = True  # reads the baseline w̄ (False: Gradient×Input, Saliency, SmoothGrad, random; SPEC §4)
    gradients: bool = True  # False: forward passes only (occlusion, the Shapley family, random), so a baseline that
    # breaks the gradients (`baselines.check_baseline`) does not concern it
    # (model, options) -> (P,) α on the straight path W̄ + α (W − W̄) where the core reads F by forward passes before
    # any gradient (certified IG's profile); `Explainer` evaluates them in the prediction's pass (`Batch.F_path`)
    path_profile: Callable[[ClassifierModel, Options], Tensor] | None = None


def mask_scores(batch: Batch, scores: Tensor) -> Tensor:
    """Zero every position that is not attributed (specials, padding)."""
    return scores * batch.enc.attributed.to(scores.dtype)


def unit_rows(units: Tensor, n_steps: int) -> tuple[Tensor, Tensor, Tensor]:
    """Rows for (unit × step): b (R,), u (R,), k (R,), ordered text, unit, step."""
    pairs = units.any(-1).nonzero()  # (P, 2): (b, u) of every real unit
    b = pairs[:, 0].repeat_interleave(n_steps)
    u = pairs[:, 1].repeat_interleave(n_steps)
    k = torch.arange(n_steps).repeat(len(pairs))
    return b, u, k


def total_delta(batch: Batch, token_scores: Tensor) -> Tensor:
    """Completeness gap per text: Σ_i a_i - (F(w) - F(w̄))."""
    return token_scores.sum(1) - (batch.F_input() - batch.F_baseline())
