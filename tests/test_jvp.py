"""The hand-written BERT JVP against torch's forward-mode AD and against SIG's other modes."""

import pytest
import torch
import torch.autograd.forward_ad as fwAD

import faithlens.batching as batching
from faithlens import Explainer
from faithlens.jvp import logits, logits_jvp, supports
from tiny import tiny

TEXTS = ["the film was goodish and fun", "dull", "a boring plot, but the acting was very good"]


@pytest.fixture(scope="module", params=["bert", "roberta"])
def encoder(request):
    return tiny(request.param, dtype=torch.float64)


def _inputs(model, seed=0):
    g = torch.Generator().manual_seed(seed)
    R, L, D = 5, 9, model.model.config.hidden_size
    emb = torch.randn(R, L, D, generator=g, dtype=torch.float64)
    tangent = torch.randn(R, L, D, generator=g, dtype=torch.float64)
    mask = torch.ones(R, L, dtype=torch.long)
    mask[1, 6:] = 0  # padded rows: masked keys must not leak into the tangent
    mask[3, 2:] = 0
    types = torch.zeros(R, L, dtype=torch.long)
    types[:, 5:] = 1
    return emb, tangent, mask, types


def _own_forward(model, emb, mask, types):
    """The model's own (transformers) forward, which `ClassifierModel.logits` bypasses for these models."""
    return model.model(inputs_embeds=emb, attention_mask=mask, token_type_ids=types).logits


def test_written_out_forward_equals_the_models_own_with_its_gradient(encoder):
    emb, _, mask, types = _inputs(encoder, seed=2)
    emb.requires_grad_(True)
    mine = logits(encoder, emb, mask, types)
    (g_mine,) = torch.autograd.grad(mine.sum(), emb)
    own = _own_forward(encoder, emb, mask, types)
    (g_own,) = torch.autograd.grad(own.sum(), emb)
    torch.testing.assert_close(mine, own, rtol=0, atol=1e-12)
    torch.testing.assert_close(g_mine, g_own, rtol=0, atol=1e-12)
    assert g_own.abs().max() > 1e-3
    torch.testing.assert_close(encoder.logits(emb, mask, types), own, rtol=0, atol=1e-12)  # the model wrapper uses it
    encoder.model.train()  # training mode (dropout) is left to the model's own forward
    try:
        assert not supports(encoder)
    finally:
        encoder.model.eval()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_no_padding_runs_without_a_key_bias_and_the_same_numbers(monkeypatch, dtype):
    """Rows without padding skip the attention's key bias (all zeros there): logits and gradients equal, bit for
    bit, those computed with the bias added."""
    import faithlens.jvp as jvp

    model = tiny("bert", dtype=dtype)
    emb, _, mask, types = _inputs(model, seed=3)
    emb, mask = emb.to(dtype), torch.ones_like(mask)
    assert jvp._attention_bias(mask, dtype) is None and jvp._attention_bias(_inputs(model)[2], dtype) is not None

    def run():
        x = emb.clone().requires_grad_(True)
        out = logits(model, x, mask, types)
        (g,) = torch.autograd.grad(out[:, 0].sum(), x)
        return out, g

    without = run()
    monkeypatch.setattr(jvp, "_attention_bias", jvp._key_bias)  # always a bias: zeros here
    added = run()
    assert torch.equal(without[0], added[0]) and torch.equal(without[1], added[1])
    assert without[1].abs().max() > 1e-3


def test_supported_models(encoder):
    assert supports(encoder)
    assert not any(supports(tiny(kind)) for kind in ("distilbert", "gpt2"))


def test_logits_and_tangent_match_torch_forward_ad(encoder):
    emb, tangent, mask, types = _inputs(encoder)
    with torch.no_grad():
        logits, dlogits = logits_jvp(encoder, emb, tangent, mask, types)
        reference = _own_forward(encoder, emb, mask, types)
    previous = encoder.attention
    encoder.set_attention("eager")
    try:
        with torch.no_grad(), fwAD.dual_level():
            dual = _own_forward(encoder, fwAD.make_dual(emb, tangent), mask, types)
            expected = fwAD.unpack_dual(dual).tangent
    finally:
        encoder.set_attention(previous)
    torch.testing.assert_close(logits, reference, rtol=0, atol=1e-12)
    torch.testing.assert_close(dlogits, expected, rtol=0, atol=1e-12)
    assert dlogits.abs().max() > 1e-3  # a real derivative, not zeros


def test_tangent_matches_central_difference(encoder):
    emb, tangent, mask, types = _inputs(encoder, seed=1)
    h = 1e-5
    with torch.no_grad():
        _, dlogits = logits_jvp(encoder, emb, tangent, mask, types)
        diff = (encoder.logits(emb + h * tangent, mask, types) - encoder.logits(emb - h * tangent, mask, types)) / (2 * h)
    torch.testing.assert_close(dlogits, diff, rtol=0, atol=1e-8)


@pytest.mark.parametrize("unit", ["token", "word"])
def test_sig_forward_same_with_either_jvp(encoder, monkeypatch, unit):
    ex = Explainer(encoder)
    fast = ex.explain(TEXTS, "sig", steps=16, mode="forward", unit=unit)
    monkeypatch.setattr(batching, "jvp_supports", lambda model: False)
    slow = ex.explain(TEXTS, "sig", steps=16, mode="forward", unit=unit)
    reverse = ex.explain(TEXTS, "sig", steps=16, mode="reverse", unit=unit)
    for a, b, c in zip(fast, slow, reverse):
        assert a.token_scores == pytest.approx(b.token_scores, abs=1e-12)
        assert a.token_scores == pytest.approx(c.token_scores, abs=1e-10)
