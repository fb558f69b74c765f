"""Closed-form answers on models whose attributions are known exactly."""

import pytest
import torch

from faithlens import Explainer
from tiny import analytic

TEXT = "the film was goodish and fun"


def T(values):
    return torch.tensor(values, dtype=torch.float64)


def _embeddings(ex, text):
    from faithlens.baselines import baseline_embeddings, resolve_baseline
    from faithlens.encoding import encode

    enc = encode(ex.model, [text])
    W = ex.model.embed(enc.input_ids).detach()
    Wbar = baseline_embeddings(ex.model, enc, resolve_baseline(ex.model, "mask"), W)
    return enc, W[0], Wbar[0]


def test_linear_model_ig_and_sig_equal_difference_times_theta():
    ex = Explainer(analytic("linear"))
    enc, W, Wbar = _embeddings(ex, TEXT)
    target = ex.explain(TEXT, "ig").target["index"]
    expected = (W - Wbar) @ ex.model.model.theta[target].detach()  # (L,)
    for method in ("ig", "sig"):
        e = ex.explain(TEXT, method, steps=3)
        assert torch.allclose(T(e.token_scores), expected, atol=1e-12)
    sig = ex.explain(TEXT, "sig", steps=3)
    assert max(abs(d) for d in sig.deltas) < 1e-12
    assert abs(ex.explain(TEXT, "ig", steps=3).total_delta) < 1e-12
    # specials have identical input and baseline: exactly zero
    assert sig.token_scores[0] == 0.0 and sig.token_scores[-1] == 0.0


def test_square_model_sig_and_ig_closed_forms():
    """F = s², s = Σ_t w_t·θ. SIG_i = s² - (s - d_i)²; IG_i = d_i (s + s̄) with d_i = (w_i - w̄_i)·θ."""
    ex = Explainer(analytic("square"))
    enc, W, Wbar = _embeddings(ex, TEXT)
    target = ex.explain(TEXT, "grad_x_input").target["index"]
    theta = ex.model.model.theta[target].detach()
    d = (W - Wbar) @ theta
    s, sbar = float(W.sum(0) @ theta), float(Wbar.sum(0) @ theta)
    sig = ex.explain(TEXT, "sig", steps=2, unit="token")  # Gauss-Legendre with 2 points is exact for cubics
    assert torch.allclose(T(sig.token_scores), s**2 - (s - d) ** 2, atol=1e-9)
    ig = ex.explain(TEXT, "ig", steps=2)
    assert torch.allclose(T(ig.token_scores), d * (s + sbar), atol=1e-9)
    assert ig.total_delta == pytest.approx(0.0, abs=1e-9)
    # Gradient × Input: 2 s θ·w_i
    gxi = ex.explain(TEXT, "grad_x_input")
    inner = W @ theta
    inner[0] = inner[-1] = 0.0
    assert torch.allclose(T(gxi.token_scores), 2 * s * inner, atol=1e-9)
    # occlusion equals exact SIG
    occ = ex.explain(TEXT, "occlusion", unit="token")
    assert torch.allclose(T(occ.token_scores), T(sig.token_scores), atol=1e-9)


def test_saliency_is_gradient_norm():
    ex = Explainer(analytic("linear"))
    e = ex.explain(TEXT, "saliency")
    norm = float(ex.model.model.theta[e.target["index"]].norm())
    assert e.token_scores[1:-1] == pytest.approx([norm] * (len(e.tokens) - 2), rel=1e-12)
    assert e.token_scores[0] == 0.0


def test_deeplift_and_gradient_shap_on_linear_model():
    """On a linear model DeepLift equals IG; GradientShap is the mean over samples of α-free terms."""
    ex = Explainer(analytic("linear"))
    ig = T(ex.explain(TEXT, "ig").token_scores)
    dl = T(ex.explain(TEXT, "deeplift").token_scores)
    assert torch.allclose(dl, ig, atol=1e-10)
    # each GradientShap sample contributes either 0 (baseline = input) or the IG value: a multiple of IG / n
    gs = T(ex.explain(TEXT, "gradient_shap", n_samples=5, seed=3).token_scores)
    ratio = (gs[1:-1] / ig[1:-1])
    assert torch.allclose(ratio, ratio[0].expand_as(ratio), atol=1e-10)
    assert float(ratio[0] * 5) == pytest.approx(round(float(ratio[0] * 5)), abs=1e-9)


def test_score_functions():
    ex = Explainer(analytic("linear"))
    logit = ex.explain(TEXT, "occlusion", score="logit")
    prob = ex.explain(TEXT, "occlusion", score="prob")
    logp = ex.explain(TEXT, "occlusion", score="log_prob")
    assert logit.score == "logit" and prob.settings["score"] == "prob"
    # log-prob drop is bounded by the logit drop for a 2-class model and has the same sign pattern
    p = T(prob.token_scores)
    lp = T(logp.token_scores)
    assert torch.all(torch.sign(p) == torch.sign(lp))
    m = ex.explain(TEXT, "occlusion", score="max_logit")
    assert m.score == "max_logit"
