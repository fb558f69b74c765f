"""Every method on tiny BERT / DistilBERT / RoBERTa / GPT-2 models built in code."""

import math

import pytest
import torch

from faithlens import Explainer
from faithlens.methods import METHODS
from tiny import tiny

KINDS = ["bert", "distilbert", "roberta", "gpt2"]
TEXTS = ["the film was goodish and fun", "dull", "a boring plot, but the acting was very good"]


def T(values):
    return torch.tensor(values, dtype=torch.float64)


@pytest.fixture(scope="module", params=KINDS)
def ex(request):
    return Explainer(tiny(request.param, dtype=torch.float64))


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_method_runs_with_specials_zero(ex, method):
    e = ex.explain(TEXTS[0], method, steps=8)
    scores = T(e.token_scores)
    assert torch.isfinite(scores).all() and scores.abs().sum() > 0
    assert all(scores[i] == 0 for i, s in enumerate(e.special) if s)
    norm = T(e.token_scores_normalised)
    assert float(norm.norm()) == pytest.approx(1.0, abs=1e-12)
    assert sum(len(w.tokens) for w in e.words) == sum(not s for s in e.special)
    for w in e.words:
        assert e.text[w.start:w.end] == w.word and w.word.strip() == w.word


def test_sig_delta_shrinks_with_steps(ex):
    worst = [max(abs(d) for d in ex.explain(TEXTS[2], "sig", steps=n, rule="riemann_middle").deltas) for n in (2, 8, 64)]
    assert worst[0] > worst[1] > worst[2]
    assert worst[2] < 1e-2 * max(worst[0], 1e-12) or worst[2] < 1e-8


def test_sig_three_computations_agree(ex):
    rev = ex.explain(TEXTS[2], "sig", steps=50, mode="reverse", unit="token")
    fwd = ex.explain(TEXTS[2], "sig", steps=50, mode="forward", unit="token")
    closed = ex.explain(TEXTS[2], "sig", mode="closed", unit="token")
    assert torch.allclose(T(rev.token_scores), T(fwd.token_scores), atol=1e-10)
    # the closed form is the limit: 50 Gauss-Legendre points are within 1e-6 on smooth models;
    # DistilBERT's classifier head has a ReLU (a kink), where the quadrature converges like 1/n
    tol = 2e-2 if ex.model.name == "tiny-distilbert" else 1e-6
    assert torch.allclose(T(rev.token_scores), T(closed.token_scores), atol=tol)
    # per-position deltas are exactly reverse - closed
    assert torch.allclose(T(rev.deltas), T(rev.token_scores)[T([not s for s in rev.special]).bool()] - T(closed.token_scores)[T([not s for s in rev.special]).bool()], atol=1e-12)


def test_sig_word_unit(ex):
    rev = ex.explain(TEXTS[0], "sig", steps=50, unit="word")
    fwd = ex.explain(TEXTS[0], "sig", steps=50, unit="word", mode="forward")
    closed = ex.explain(TEXTS[0], "sig", unit="word", mode="closed")
    assert len(rev.units) == len(rev.words) == 6
    assert torch.allclose(T(rev.token_scores), T(fwd.token_scores), atol=1e-10)
    rev_words = T([w.score for w in rev.words])
    tol = 2e-2 if ex.model.name == "tiny-distilbert" else 1e-6
    assert torch.allclose(rev_words, T([w.score for w in closed.words]), atol=tol)
    assert torch.allclose(T(rev.deltas), rev_words - T([w.score for w in closed.words]), atol=1e-12)
    assert max(abs(d) for d in rev.deltas) < tol


def test_ig_agrees_with_captum(ex):
    from captum.attr import IntegratedGradients

    from faithlens.methods.captum_methods import EmbeddingForward

    prep = ex._prepare([TEXTS[2]], [None], _baseline(ex), _score(), False, None, None)
    batch = prep.batch
    ig = IntegratedGradients(EmbeddingForward(batch))
    A = ig.attribute(batch.W.clone(), baselines=batch.Wbar.clone(), n_steps=50, method="gausslegendre",
                     additional_forward_args=(torch.tensor([0]),))
    captum_scores = (A.sum(-1) * batch.enc.attributed)[0]
    ours = T(ex.explain(TEXTS[2], "ig", steps=50).token_scores)
    assert torch.allclose(ours, captum_scores, atol=1e-5)
    assert torch.allclose(ours, captum_scores, atol=1e-10)  # float64: agree to round-off


def _baseline(ex):
    from faithlens.baselines import resolve_baseline

    return resolve_baseline(ex.model, "mask")


def _score():
    from faithlens.scores import score_function

    return score_function("logit")


@pytest.mark.parametrize("method", ["sig", "ig", "grad_x_input", "smoothgrad", "gradient_shap", "occlusion", "deeplift", "saliency"])
def test_batch_and_chunk_invariance(ex, method):
    alone = [T(ex.explain(t, method, steps=6).token_scores) for t in TEXTS]
    batched = ex.explain(TEXTS, method, steps=6)
    for a, b in zip(alone, batched):
        assert torch.allclose(a, T(b.token_scores), atol=1e-6)
    for rows in (1, 5):
        chunked = ex.explain(TEXTS, method, steps=6, rows_per_chunk=rows, batch_size=2)
        for a, b in zip(alone, chunked):
            assert torch.allclose(a, T(b.token_scores), atol=1e-6)


@pytest.mark.parametrize("method", ["smoothgrad", "gradient_shap"])
def test_seeds_reproduce(ex, method):
    a = ex.explain(TEXTS[2], method, seed=7)
    b = ex.explain(TEXTS[2], method, seed=7)
    c = ex.explain(TEXTS[2], method, seed=8)
    assert a.token_scores == b.token_scores
    assert a.token_scores != c.token_scores
    assert a.settings["seed"] == 7


def test_forward_mode_restores_attention(ex):
    before = ex.model.attention
    ex.explain(TEXTS[1], "sig", mode="forward", steps=4)
    assert ex.model.attention == before


def test_attributions_on_request(ex):
    e = ex.explain(TEXTS[0], "sig", steps=4, return_attributions=True)
    A = T(e.attributions)
    assert A.shape == (len(e.tokens), ex.model.embedding_matrix.shape[1])
    assert torch.allclose(A.sum(-1), T(e.token_scores), atol=1e-12)
    assert ex.explain(TEXTS[0], "sig", steps=4).attributions is None


def test_probabilities_and_prediction(ex):
    e = ex.explain(TEXTS[0], "grad_x_input")
    assert sum(e.prediction["probs"]) == pytest.approx(1.0)
    assert e.prediction["index"] == max(range(2), key=lambda i: e.prediction["probs"][i])
    assert e.target["index"] == e.prediction["index"]
    other = 1 - e.prediction["index"]
    assert ex.explain(TEXTS[0], "grad_x_input", target=other).target["index"] == other
    assert not math.isnan(e.seconds)


@pytest.mark.parametrize("method", ["ig", "sig"])
def test_reused_prediction_logits_give_the_same_deltas(ex, method):
    """F(w) and F(w̄) come from the prediction pass; recomputing them by chunked forwards changes nothing."""
    import dataclasses

    from faithlens.baselines import resolve_baseline
    from faithlens.methods import get_method
    from faithlens.methods.base import Options
    from faithlens.scores import score_function

    prep = ex._prepare(TEXTS, [None] * 3, resolve_baseline(ex.model, "mask"), score_function("logit"), False, 7, None)
    assert prep.batch.input_outputs is not None and prep.batch.baseline_outputs is not None
    fresh = dataclasses.replace(prep.batch, input_outputs=None, baseline_outputs=None)
    opts = Options(steps=6)
    reused, recomputed = get_method(method).fn(prep.batch, opts), get_method(method).fn(fresh, opts)
    for field in ("total_delta", "unit_deltas"):
        a, b = getattr(reused, field), getattr(recomputed, field)
        if a is not None:
            assert float((a - b).abs().max()) < 1e-10
    assert torch.equal(reused.token_scores, recomputed.token_scores)


@pytest.mark.parametrize("method,settings", [("sig", {"steps": 6}), ("sig", {"mode": "closed"}),
                                             ("sig", {"steps": 6, "unit": "word"}), ("occlusion", {})])
def test_causal_prefix_sharing_changes_nothing(monkeypatch, method, settings):
    """GPT-2: columns before the moving word run once per text into a key/value cache."""
    from faithlens.batching import Batch
    from faithlens.model import ClassifierModel

    model = tiny("gpt2", dtype=torch.float64)
    ex = Explainer(model)
    calls = []
    original = ClassifierModel.logits_after_prefix
    monkeypatch.setattr(ClassifierModel, "logits_after_prefix",
                        lambda self, *a: calls.append(a[0].shape) or original(self, *a))
    monkeypatch.setattr("faithlens.batching.PREFIX_SHARING_MIN_TOKENS", {"default": 0})  # share at any length
    shared = ex.explain(TEXTS, method, rows_per_chunk=5, **settings)
    assert calls and max(shape[1] for shape in calls) >= 5  # long prefixes were shared
    monkeypatch.setattr(Batch, "_shared_prefix", lambda self, b_idx, coef, cols: 0)
    full = ex.explain(TEXTS, method, rows_per_chunk=5, **settings)
    for a, b in zip(shared, full):
        assert a.token_scores == pytest.approx(b.token_scores, abs=1e-12)
        assert (a.deltas or ()) == pytest.approx(b.deltas or (), abs=1e-12)


@pytest.mark.parametrize("kind", ["bert", "roberta"])
def test_deeplift_sees_the_models_own_modules(kind):
    """DeepLift's rescale rule hooks activation modules (BERT's pooler Tanh). faithlens must run the model's
    own forward for it, not the written-out one, so it equals Captum's DeepLift on the Hugging Face forward."""
    from captum.attr import DeepLift

    from faithlens.baselines import baseline_embeddings, resolve_baseline
    from faithlens.encoding import encode

    model = tiny(kind, dtype=torch.float64)
    e = Explainer(model).explain(TEXTS[2], "deeplift")
    enc = encode(model, [TEXTS[2]])
    W = model.embed(enc.input_ids)
    Wbar = baseline_embeddings(model, enc, resolve_baseline(model, "mask"), W)
    target = e.prediction["index"]

    class Forward(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = model.model

        def forward(self, x):
            return self.net(inputs_embeds=x, attention_mask=enc.attention_mask).logits[:, target]

    expected = DeepLift(Forward()).attribute(W.clone(), baselines=Wbar.clone()).sum(-1)[0]
    assert T(e.token_scores) == pytest.approx(expected.tolist(), abs=1e-10)
    assert model.written_out  # own_forward() is undone afterwards
