"""Infidelity and max-sensitivity (Yeh et al. 2019, "On the (In)fidelity and Sensitivity of Explanations").

Both work on **words** (tokenizer ``word_ids()``; a word's score is the sum of its tokens' raw scores)
and perturb an input by setting the word-embedding rows of some words to the baseline's, as every
faithlens metric does. Let z ∈ {0,1}^U mark the words kept, x = 1 the input, x̃ = z a perturbed input
and F(z) = F(w̄ + z ⊙ (w − w̄)) (each word's rows move together).

- **Infidelity** (lower is better): INFD = E_I[(Iᵀa − (F(x) − F(x − I)))²], with I = x − x̃ the
  indicator of a random subset of words set to the baseline: each word independently with
  probability ``INFIDELITY_DROP`` (0.5, so every subset is equally likely), ``n_samples`` (10)
  draws. Iᵀa = Σ of the dropped words' scores. On embedding rows x − x̃ is w_i − w̄_i for a dropped
  word; the scores a_i already measure moving row i from w̄_i to w_i (they "multiply by inputs"),
  so the perturbation divided by (x − baseline) is the indicator: Captum's
  ``infidelity_perturb_func_decorator(multiply_by_inputs=True)`` convention. The value equals
  ``captum.metrics.infidelity(..., normalize=False)`` (Captum's default) on the same draws: raw
  scores, no rescaling. ``normalize=True`` (Captum's option) first rescales the scores by
  β = E[Iᵀa · ΔF] / E[(Iᵀa)²], the best scale, so that only the scores' direction counts; it is
  available here as ``normalize=True`` and not used by ``evaluate``, because faithlens scores carry
  their scale (completeness).
- **Max-sensitivity** (lower is better): SENS = max over draws ‖a(x̃) − a(x)‖₂ / ‖a(x)‖₂ (1 for
  ‖a(x)‖ = 0), with x̃ a word dropout of x: each word set to the baseline independently with
  probability ``SENSITIVITY_DROP`` (0.1), ``n_samples`` (10) draws, and a(x̃) the same method
  re-run on x̃ (same target, settings and seed). Captum's ``sensitivity_max`` computes the same
  ratio (Frobenius norm, relative to the explanation at x) on the same draws.

Draws are seeded per example: a generator seeded from ``seed`` and the example's key (its index in
the dataset), so an example gets the same draws in any batch. All perturbed inputs of a batch go
through one chunked forward (infidelity) or one method run over the folded (text × draw) rows
(sensitivity).
"""

from __future__ import annotations

import torch
from torch import Tensor

from .batching import Batch, scores_along
from .encoding import unit_masks
from .errors import FaithlensError, unknown_choice
from .metrics import Metric

INFIDELITY_DROP = 0.5
SENSITIVITY_DROP = 0.1
N_SAMPLES = 10

EXTRA_METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("infidelity", "lower", "E[(Σ_dropped a − (F(x) − F(x̃)))²] over random word subsets at the baseline"),
        Metric("sensitivity", "lower", "max ‖a(x̃) − a(x)‖ / ‖a(x)‖ over word dropouts x̃ (method re-run)"),
    )
}


def parse_metrics(names) -> tuple[str, ...]:
    """The extra metric names, checked: each one of EXTRA_METRICS, none twice."""
    if isinstance(names, str):
        names = [names]
    names = tuple(names or ())
    for name in names:
        if name not in EXTRA_METRICS:
            raise unknown_choice("metric", name, EXTRA_METRICS)
    if len(set(names)) != len(names):
        raise FaithlensError(f"A metric is listed twice in {list(names)}. List each once.")
    return names


# --- pure functions -----------------------------------------------------------------------------------

def infidelity(*, attr_dot_perturbation: Tensor, f_input: Tensor, f_perturbed: Tensor, normalize: bool = False) -> Tensor:
    """Yeh et al.'s infidelity (lower is better): (B, S) Iᵀa, (B,) F(x), (B, S) F(x − I) -> (B,).

    Mean over the S draws of (Iᵀa − (F(x) − F(x − I)))²; with ``normalize`` Iᵀa is first scaled by
    β = Σ_s Iᵀa·ΔF / Σ_s (Iᵀa)² (β = 0 when Σ (Iᵀa)² = 0), as captum.metrics.infidelity does."""
    a = attr_dot_perturbation.to(torch.float64)
    diff = f_input.to(torch.float64)[:, None] - f_perturbed.to(torch.float64)
    if normalize:
        aa, ab = (a * a).sum(1, keepdim=True), (a * diff).sum(1, keepdim=True)
        beta = torch.where(aa == 0, torch.zeros_like(aa), ab / torch.where(aa == 0, torch.ones_like(aa), aa))
        a = beta * a
    return ((a - diff) ** 2).mean(1)


def max_sensitivity(*, explanation: Tensor, perturbed: Tensor) -> Tensor:
    """Relative max-sensitivity (lower is better): (B, U) a(x), (B, S, U) a(x̃) -> (B,).

    max_s ‖a(x̃_s) − a(x)‖₂ / ‖a(x)‖₂, the denominator 1 where ‖a(x)‖₂ = 0 (Captum's convention)."""
    a = explanation.to(torch.float64)
    norm = a.norm(dim=1)
    norm = torch.where(norm == 0, torch.ones_like(norm), norm)
    return (perturbed.to(torch.float64) - a[:, None]).norm(dim=2).amax(1) / norm


# --- draws -------------------------------------------------------------------------------------------------

def word_units(batch: Batch) -> Tensor:
    """(B, U, L) bool: the tokens of each word (unused word slots all False)."""
    return unit_masks(batch.enc, "word")


def dropped_words(units: Tensor, keys, *, seed: int, p: float, n_samples: int = N_SAMPLES, salt: int = 0) -> Tensor:
    """(B, S, U) bool: for each text (keyed by ``keys[b]``) S draws of words set to the baseline, each word
    independently with probability ``p``; never a word slot the text does not have."""
    B, U, _ = units.shape
    real = units.any(-1)  # (B, U)
    out = torch.zeros(B, n_samples, U, dtype=torch.bool)
    for b, key in enumerate(keys):
        gen = torch.Generator().manual_seed((int(seed) * 1_000_003 + int(key)) * 4 + salt)
        n = int(real[b].sum())  # the text's own words come first (unit_masks): draws independent of the batch
        out[b, :, :n] = torch.rand(n_samples, n, generator=gen, dtype=torch.float64) < p
    return out


def _coef(units: Tensor, dropped: Tensor) -> Tensor:
    """Path coefficients of the perturbed rows: (B, U, L), (B, S, U) -> (B·S, L); 0 on dropped words' tokens."""
    B, S, U = dropped.shape
    moved = torch.einsum("bsu,bul->bsl", dropped.to(torch.float64), units.to(torch.float64)) > 0  # (B, S, L)
    return (~moved).to(torch.float64).reshape(B * S, -1)


def word_scores(units: Tensor, token_scores: Tensor) -> Tensor:
    """Sum of token scores per word: (B, U, L), (B, L) -> (B, U)."""
    return torch.einsum("bul,bl->bu", units.to(torch.float64), token_scores.to(torch.float64))


# --- drivers ----------------------------------------------------------------------------------------------

def batch_infidelity(batch: Batch, token_scores: Tensor, keys, *, seed: int, n_samples: int = N_SAMPLES,
                     p: float = INFIDELITY_DROP, normalize: bool = False) -> Tensor:
    """Infidelity of (B, L) token scores on a prepared batch: one chunked forward over B·S rows -> (B,)."""
    units = word_units(batch)
    dropped = dropped_words(units, keys, seed=seed, p=p, n_samples=n_samples, salt=1)  # (B, S, U)
    B, S, _ = dropped.shape
    coef = _coef(units, dropped)  # (B·S, L)
    b_idx = torch.arange(B).repeat_interleave(S)
    f_perturbed = scores_along(batch, b_idx, coef).reshape(B, S)
    attr = word_scores(units, token_scores)  # (B, U)
    dot = (dropped.to(torch.float64) * attr[:, None]).sum(-1)  # (B, S)
    return infidelity(attr_dot_perturbation=dot, f_input=batch.F_input(), f_perturbed=f_perturbed, normalize=normalize)


def batch_sensitivity(batch: Batch, token_scores: Tensor, keys, explain, *, seed: int, n_samples: int = N_SAMPLES,
                      p: float = SENSITIVITY_DROP) -> Tensor:
    """Max-sensitivity of (B, L) token scores: ``explain(sub_batch) -> (R, L) token scores`` re-run once on the
    B·S word-dropout rows (W of dropped words at the baseline; same target) -> (B,)."""
    units = word_units(batch)
    dropped = dropped_words(units, keys, seed=seed, p=p, n_samples=n_samples, salt=2)
    B, S, U = dropped.shape
    perturbed = perturbed_batch(batch, units, dropped)
    again = explain(perturbed)  # (B·S, L)
    scores = word_scores(units.repeat_interleave(S, 0), again).reshape(B, S, U)
    return max_sensitivity(explanation=word_scores(units, token_scores), perturbed=scores)


def perturbed_batch(batch: Batch, units: Tensor, dropped: Tensor) -> Batch:
    """A batch of B·S rows (text b's S draws together): the dropped words' rows at the baseline; the
    baseline, target and score of text b."""
    B, S, _ = dropped.shape
    idx = torch.arange(B).repeat_interleave(S)
    coef = _coef(units, dropped)
    return Batch(model=batch.model, enc=batch.enc.select(idx), W=batch.points(idx, coef).detach(), Wbar=batch.Wbar[idx],
                 target=batch.target[idx], score=batch.score, rows_per_chunk=batch.rows_per_chunk,
                 memory_budget=batch.memory_budget)
