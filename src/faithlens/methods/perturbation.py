"""Perturbation methods over WORDS: Shapley value sampling, KernelSHAP, LIME and a partition (Owen) explainer.

Each method plays the cooperative game v(S) = F(w with every word outside S at the baseline) over
the text's words (tokenizer word ids, per segment of a pair; specials always kept). A coalition is
one row of path coefficients (1: the word's own embedding, 0: its baseline embedding) evaluated by
`batching.scores_along`, so every coalition of every text runs as batched rows of faithlens's own
forward (the task's F, chunked under the memory budget), never a Python loop of forwards.

Definitions and what each estimates: docs/methods.md. Sampling follows Captum 0.9 draw for draw
(`ShapleyValueSampling`, `KernelShap`, `Lime`), from a generator seeded per text with ``seed``, so
the same seed gives the same numbers for a text whatever else is in its batch; tests/test_perturbation.py
checks each estimate against Captum's class on the same draws.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

from ..batching import Batch, scores_along
from ..encoding import unit_masks
from .base import MethodOutput, Options, mask_scores, total_delta

DEFAULT_PERMUTATIONS = 25  # Captum's ShapleyValueSampling default
DEFAULT_KERNEL_SAMPLES = 200
DEFAULT_LIME_SAMPLES = 200
BOOTSTRAP = 50  # resamples behind the standard errors of KernelSHAP and LIME
KERNEL_SHAP_ANCHOR_WEIGHT = 1e6  # Captum's weight of the empty and the full coalition ("infinite" in theory)
LIME_KERNEL_WIDTH = 0.25  # LimeTextExplainer: width 25 on 100 × cosine distance
LIME_RIDGE = 1.0  # LimeTextExplainer's Ridge(alpha=1)


# --- the game ------------------------------------------------------------------------------------

def word_units(batch: Batch) -> tuple[Tensor, Tensor]:
    """(units (B, U, L) bool, number of words per text (B,)): the players of each text's game."""
    units = unit_masks(batch.enc, "word")
    return units, units.any(-1).sum(1)


def coalition_values(batch: Batch, units: Tensor, b_idx: Tensor, present: Tensor) -> Tensor:
    """v(S) of each row: F with the words absent from S at the baseline. b_idx (R,), present (R, U) bool -> (R,)."""
    word_of = units.to(torch.int8).argmax(1)  # (B, L): the word of each token (0 where none)
    attributed = units.any(1)  # (B, L)
    kept = present.gather(1, word_of[b_idx])  # (R, L): is each token's word in S
    coef = (kept | ~attributed[b_idx]).to(torch.float64)  # specials and padding keep their own embedding
    return scores_along(batch, b_idx, coef).to(torch.float64)


def _spread(units: Tensor, word_values: Tensor) -> Tensor:
    """Token values from word values, split evenly over each word's tokens: (B, U) -> (B, L)."""
    u = units.to(word_values.dtype)
    return torch.einsum("bul,bu->bl", u, word_values / u.sum(-1).clamp(min=1))


def _ends(batch: Batch) -> tuple[Tensor, Tensor]:
    """(F(w), F(w̄)) per text in float64: the full and the empty coalition."""
    return batch.F_input().to("cpu", torch.float64), batch.F_baseline().to("cpu", torch.float64)


def _output(batch: Batch, units: Tensor, phi: Tensor, se: Tensor | None, settings: dict) -> MethodOutput:
    scores = mask_scores(batch, _spread(units, phi)).to(batch.W.dtype)
    error = None if se is None else mask_scores(batch, _spread(units, se)).to(batch.W.dtype)
    return MethodOutput(token_scores=scores, units=units, unit_scores=phi.to(batch.W.dtype),
                        total_delta=total_delta(batch, scores), sampling_error=error, settings=settings)


def _generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(int(seed))


# --- Shapley value sampling ------------------------------------------------------------------------

def permutations(n_words: int, n: int, seed: int) -> Tensor:
    """(n, n_words) random orders of the words, drawn as Captum's `_perm_generator` draws them."""
    g = _generator(seed)
    return torch.stack([torch.randperm(n_words, generator=g) for _ in range(n)])


def shapley(batch: Batch, opts: Options) -> MethodOutput:
    """Shapley value sampling (Castro et al. 2009; Captum's ShapleyValueSampling): φ_u = the mean over n
    random orders of v(words before u, and u) − v(words before u). Every order adds up to F(w) − F(w̄),
    so the estimate is efficient to rounding; the standard error is the std over orders / √n."""
    n = opts.n_samples or DEFAULT_PERMUTATIONS
    units, n_words = word_units(batch)
    B, U, _ = units.shape
    f_in, f_base = _ends(batch)
    ranks, b_rows, present_rows = [], [], []
    for b in range(B):  # the orders of each text (no forward here)
        m = int(n_words[b])
        perms = permutations(m, n, opts.seed)  # (n, m)
        rank = perms.argsort(1)  # (n, m): position of each word in each order
        ranks.append(rank)
        k = torch.arange(1, m)  # coalitions after the first 1..m-1 words (the empty and full ones are known)
        present = rank[:, None, :] < k[None, :, None]  # (n, m-1, m)
        present = torch.nn.functional.pad(present, (0, U - m)).reshape(-1, U)  # (n·(m-1), U)
        present_rows.append(present)
        b_rows.append(torch.full((len(present),), b, dtype=torch.long))
    values = coalition_values(batch, units, torch.cat(b_rows), torch.cat(present_rows))
    phi = torch.zeros(B, U, dtype=torch.float64)
    se = torch.zeros(B, U, dtype=torch.float64)
    start = 0
    for b in range(B):
        m = int(n_words[b])
        inner = values[start:start + n * (m - 1)].reshape(n, m - 1)
        start += n * (m - 1)
        chain = torch.cat([f_base[b].expand(n, 1), inner, f_in[b].expand(n, 1)], 1)  # (n, m+1): v along each order
        gains = chain.diff(dim=1).gather(1, ranks[b])  # (n, m): each word's marginal gain in each order
        phi[b, :m] = gains.mean(0)
        if n > 1:
            se[b, :m] = gains.std(0) / math.sqrt(n)
    return _output(batch, units, phi, se if n > 1 else None, {"n_samples": n, "seed": opts.seed, "unit": "word"})


# --- KernelSHAP and LIME: weighted linear regressions on sampled coalitions ------------------------

def kernel_shap_samples(n_words: int, n: int, seed: int) -> Tensor:
    """(n, n_words) bool coalitions as Captum's `KernelShap` draws them: the full and the empty one first,
    then a size k with p(k) ∝ (M − 1) / (k (M − k)) and a uniform subset of that size."""
    g = _generator(seed)
    M = n_words
    sizes = torch.arange(M, dtype=torch.float)
    probs = torch.tensor(M - 1) / (sizes * (M - sizes))
    probs[0] = 0.0
    probs = (probs / probs.sum())[None]  # as torch.distributions.Categorical normalises
    rows = [torch.ones(M, dtype=torch.bool), torch.zeros(M, dtype=torch.bool)]
    if M < 2:  # one word: the full and the empty coalition are all there is
        return torch.stack(rows * n)[:n]
    for _ in range(n - 2):
        k = int(torch.multinomial(probs, 1, True, generator=g))
        r = torch.randn(1, M, generator=g)
        rows.append((r > torch.kthvalue(r, M - k).values.item())[0])
    return torch.stack(rows[:n])


def lime_samples(n_words: int, n: int, seed: int) -> Tensor:
    """(n, n_words) bool coalitions as Captum's `Lime` draws them: each word kept with probability ½."""
    g = _generator(seed)
    half = torch.full((1, n_words), 0.5)
    return torch.cat([torch.bernoulli(half, generator=g) for _ in range(n)]).bool()


def lime_weights(z: Tensor) -> Tensor:
    """LimeTextExplainer's kernel: √exp(−d²/σ²), d the cosine distance of z to the full text (×100, σ = 25): (n, M) -> (n,)."""
    k = z.to(torch.float64).sum(1)
    d = 1.0 - torch.sqrt(k / z.shape[1])  # cos(z, 1) = |z| / √(|z| M); the empty coalition is at distance 1
    return torch.exp(-(d / LIME_KERNEL_WIDTH) ** 2 / 2)


FITTED = {"kernel_shap": (kernel_shap_samples, DEFAULT_KERNEL_SAMPLES), "lime": (lime_samples, DEFAULT_LIME_SAMPLES)}


def weighted_linear_fit(X: Tensor, y: Tensor, w: Tensor, ridge: float = 0.0) -> Tensor:
    """Coefficients (…, M) of min Σ w (y − b − X β)² + ridge ‖β‖², the intercept b unpenalised
    (scikit-learn's LinearRegression / Ridge with sample weights: centre by the weighted means, scale by √w).
    X (…, n, M), y and w (…, n)."""
    share = w / w.sum(-1, keepdim=True)
    x_mean = (share[..., None] * X).sum(-2, keepdim=True)  # (…, 1, M)
    y_mean = (share * y).sum(-1, keepdim=True)  # (…, 1)
    sw = w.sqrt()[..., None]  # (…, n, 1)
    Xc, yc = sw * (X - x_mean), sw * (y - y_mean)[..., None]  # (…, n, M), (…, n, 1)
    if ridge > 0:
        A = Xc.transpose(-1, -2) @ Xc + ridge * torch.eye(X.shape[-1], dtype=X.dtype)  # (…, M, M)
        return torch.linalg.solve(A, Xc.transpose(-1, -2) @ yc)[..., 0]
    return torch.linalg.lstsq(Xc, yc, driver="gelsd").solution[..., 0]  # minimum norm when rank-deficient


def _regression_method(name: str, batch: Batch, opts: Options, *, weights, ridge: float, anchors: int) -> MethodOutput:
    """Sample coalitions per text, evaluate all of them as batched rows, fit each text's weighted linear
    model; the standard error is the std of the coefficients over `BOOTSTRAP` resamples of the sampled
    rows (the first `anchors` rows, KernelSHAP's full and empty coalitions, are kept in every resample)."""
    default_n = FITTED[name][1]
    n = opts.n_samples or default_n
    units, n_words = word_units(batch)
    B, U, _ = units.shape
    f_in, f_base = _ends(batch)
    draws = check_determined(name, n_words.tolist(), n, opts.seed)  # before any forward pass
    zs = [draws[int(n_words[b])] for b in range(B)]  # the same draws for every text of a word count
    inner = torch.cat([torch.nn.functional.pad(z, (0, U - z.shape[1])) for z in zs])  # (B·n, U)
    b_idx = torch.arange(B).repeat_interleave(n)
    full = inner.sum(1) == n_words[b_idx]
    empty = inner.sum(1) == 0
    need = ~(full | empty)  # the full and empty coalitions are known: F(w), F(w̄)
    values = torch.where(full, f_in[b_idx], f_base[b_idx])
    values[need] = coalition_values(batch, units, b_idx[need], inner[need])
    phi = torch.zeros(B, U, dtype=torch.float64)
    se = torch.zeros(B, U, dtype=torch.float64)
    for b in range(B):
        m = int(n_words[b])
        X = zs[b].to(torch.float64)  # (n, m)
        y = values[b * n:(b + 1) * n]
        w = weights(zs[b])
        if m == 1:  # one word: its score is the whole difference, exactly
            phi[b, 0] = f_in[b] - f_base[b]
            continue
        phi[b, :m] = weighted_linear_fit(X, y, w, ridge)
        g = _generator(opts.seed + 1)
        pick = torch.randint(anchors, n, (BOOTSTRAP, n - anchors), generator=g)  # (R, n - anchors)
        pick = torch.cat([torch.arange(anchors).expand(BOOTSTRAP, anchors), pick], 1)  # (R, n)
        se[b, :m] = weighted_linear_fit(X[pick], y[pick], w[pick], ridge).std(0)
    settings = {"n_samples": n, "seed": opts.seed, "unit": "word", "bootstrap": BOOTSTRAP}
    return _output(batch, units, phi, se, settings)


def check_determined(method: str, word_counts: Sequence[int], n_samples: int | None, seed: int) -> dict[int, Tensor]:
    """Refuse a KernelSHAP or LIME fit that its coalitions cannot determine, from the word counts alone (the draws
    depend only on a text's number of words m, ``n_samples`` and ``seed``), so before any forward pass: the rank of
    [1, Z] over the drawn coalitions Z (n_samples, m) must be m + 1. Below it KernelSHAP's least squares has many
    solutions (the minimum-norm one would be arbitrary) and LIME's ridge penalty, not the model, sets the scores of
    the words the draws cannot tell apart; in both the bootstrap's spread is no error. ``word_counts``: per text
    (a refusal names the first text of a count as "Text i"). ``n_samples`` None: the method's default.

    Returns the draws of each word count, {m: (n_samples, m) bool}, which the fit then uses. Raises FaithlensError
    with the samples that suffice (or shapley, which fits nothing)."""
    from ..errors import FaithlensError

    samples, default_n = FITTED[method]
    n = n_samples or default_n
    first: dict[int, int] = {}
    for i, m in enumerate(word_counts):
        first.setdefault(int(m), i)
    draws = {}
    for m, i in sorted(first.items()):
        z = draws[m] = samples(m, n, seed)
        if m < 2:  # one word: its score is the whole difference, exactly (no fit)
            continue
        design = torch.cat([torch.ones(len(z), 1, dtype=torch.float64), z.to(torch.float64)], 1)
        rank = int(torch.linalg.matrix_rank(design))
        if rank < m + 1:
            more = max(4 * (m + 1), default_n)
            so = ("the scores would be one arbitrary solution of many" if method == "kernel_shap" else
                  "its ridge penalty, not the model, would set the scores of the words they cannot tell apart")
            raise FaithlensError(f"Text {i}: {method} with {n} samples cannot determine the scores of its {m} words: "
                                 f"its linear fit needs {m + 1} independent coalitions and the draws give {rank}, so {so}. "
                                 f"Pass more samples, e.g. n_samples={more} (CLI --samples {more}), or use shapley, whose "
                                 "permutation estimate needs no fit.")
    return draws


def kernel_shap(batch: Batch, opts: Options) -> MethodOutput:
    """KernelSHAP (Lundberg & Lee 2017; Captum's KernelShap): coalitions drawn with the Shapley kernel's
    size distribution, then a linear regression whose full and empty coalitions weigh 10⁶ (≈ efficiency)."""
    def weights(z: Tensor) -> Tensor:
        anchor = (z.sum(1) == 0) | (z.sum(1) == z.shape[1])
        return torch.where(anchor, KERNEL_SHAP_ANCHOR_WEIGHT, 1.0).to(torch.float64)

    return _regression_method("kernel_shap", batch, opts, weights=weights, ridge=0.0, anchors=2)


def lime(batch: Batch, opts: Options) -> MethodOutput:
    """LIME (Ribeiro et al. 2016) over words: coalitions with each word kept with probability ½ (Captum's
    Lime sampler), weighted by LimeTextExplainer's cosine kernel, fitted by its Ridge(alpha=1)."""
    return _regression_method("lime", batch, opts, weights=lime_weights, ridge=LIME_RIDGE, anchors=0)


# --- partition (Owen values over a binary tree of contiguous word groups) --------------------------

def halves(lo: int, hi: int, split_at: int | None = None) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Leaves of the binary tree over words lo..hi-1 with, for each leaf, the siblings on its path:
    [(u, depth, [(sibling_lo, sibling_hi), ...])]. The root splits at `split_at` (a pair's segment boundary)
    when given, every other group at its middle (the left half gets the smaller part)."""
    out: list[tuple[int, int, list[tuple[int, int]]]] = []

    def walk(a: int, c: int, path: list[tuple[int, int]], cut: int | None) -> None:
        if c - a == 1:
            out.append((a, len(path), path))
            return
        mid = cut if cut is not None and a < cut < c else (a + c) // 2
        walk(a, mid, path + [(mid, c)], None)
        walk(mid, c, path + [(a, mid)], None)

    if hi > lo:
        walk(lo, hi, [], split_at)
    return out


def partition(batch: Batch, opts: Options) -> MethodOutput:
    """Owen values of the words for a binary hierarchy of contiguous halves (SHAP's Partition explainer
    without its evaluation budget): at every split the group's value is shared between its two halves by
    the exact two-player Shapley value. A word u at depth d gets
        φ_u = 2^−d Σ_{T ⊆ siblings on u's path} [v(∪T ∪ {u}) − v(∪T)],
    which adds up to F(w) − F(w̄) exactly and needs about 2·U² coalitions (deduplicated) for U words."""
    units, n_words = word_units(batch)
    B, U, _ = units.shape
    f_in, f_base = _ends(batch)
    segments = batch.enc.segment_ids
    b_rows, with_u, without_u, owners, weights = [], [], [], [], []
    for b in range(B):
        m = int(n_words[b])
        first_token = units[b, :m].to(torch.int8).argmax(1)  # (m,)
        seg = segments[b, first_token]
        split = int((seg == 0).sum()) if bool((seg == 1).any()) else None
        for u, depth, path in halves(0, m, split):
            for subset in range(2 ** depth):  # every union of the siblings on u's path
                S = torch.zeros(U, dtype=torch.bool)
                for j, (a, c) in enumerate(path):
                    if subset >> j & 1:
                        S[a:c] = True
                T = S.clone()
                T[u] = True
                with_u.append(T)
                without_u.append(S)
                b_rows.append(b)
                owners.append(u)
                weights.append(2.0 ** -depth)
    b_idx = torch.tensor(b_rows, dtype=torch.long)
    coalitions = torch.cat([torch.stack(with_u), torch.stack(without_u)])  # (2P, U)
    b2 = torch.cat([b_idx, b_idx])
    keys = torch.cat([b2[:, None], coalitions.long()], 1)
    distinct, inverse = keys.unique(dim=0, return_inverse=True)  # each coalition evaluated once
    d_b, d_present = distinct[:, 0], distinct[:, 1:].bool()
    sizes = d_present.sum(1)
    full, empty = sizes == n_words[d_b], sizes == 0
    values = torch.where(full, f_in[d_b], f_base[d_b])
    need = ~(full | empty)
    if need.any():
        values[need] = coalition_values(batch, units, d_b[need], d_present[need])
    v = values[inverse]
    P = len(b_idx)
    gains = (v[:P] - v[P:]) * torch.tensor(weights, dtype=torch.float64)
    phi = torch.zeros(B, U, dtype=torch.float64)
    phi.index_put_((b_idx, torch.tensor(owners, dtype=torch.long)), gains, accumulate=True)
    return _output(batch, units, phi, None, {"unit": "word", "coalitions": int(len(distinct))})
