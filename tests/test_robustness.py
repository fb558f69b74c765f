"""Infidelity and max-sensitivity (Yeh et al. 2019): closed forms on an analytic model, equality with
captum.metrics on the same draws (float64), seeds and batching invariance."""

from __future__ import annotations

import pytest
import torch
from tiny import CORPUS, analytic, tiny

from faithlens import Explainer
from faithlens.baselines import resolve_baseline
from faithlens.data import Dataset
from faithlens.errors import FaithlensError
from faithlens.evaluate import evaluate, read_run
from faithlens.methods import Options, get_method
from faithlens.metrics import scores_on_encoding
from faithlens.robustness import (
    _coef, batch_infidelity, batch_sensitivity, dropped_words, infidelity, max_sensitivity, parse_metrics, word_scores,
    word_units,
)

TEXTS = ["the film was very good and fun", "a boring plot and awful acting", "it was terrible; I hated it"]


def _prepared(model, method="occlusion", **settings):
    ex = Explainer(model)
    base = resolve_baseline(model, None)
    prep = ex._prepare(TEXTS, [None] * len(TEXTS), base, model.task.score("logit"), False, None, None)
    es = ex.explain(TEXTS, method, **settings)
    return ex, prep.batch, scores_on_encoding(prep.batch.enc, [e.token_scores for e in es])


def test_pure_functions_by_hand():
    dot = torch.tensor([[1.0, 2.0], [0.0, 0.0]])
    f_in = torch.tensor([3.0, 1.0])
    f_pert = torch.tensor([[2.0, 2.0], [1.0, 0.0]])  # ΔF = [[1, 1], [0, 1]]
    assert infidelity(attr_dot_perturbation=dot, f_input=f_in, f_perturbed=f_pert).tolist() == [0.5, 0.5]
    # β = (1 + 2) / (1 + 4) = 0.6: ((0.6 - 1)² + (1.2 - 1)²) / 2 = 0.1; β = 0 for the second (Σ a² = 0)
    assert infidelity(attr_dot_perturbation=dot, f_input=f_in, f_perturbed=f_pert, normalize=True).tolist() == \
        pytest.approx([0.1, 0.5])
    a = torch.tensor([[3.0, 4.0], [0.0, 0.0]])
    pert = torch.tensor([[[3.0, 4.0], [0.0, 4.0]], [[1.0, 0.0], [0.0, 2.0]]])
    assert max_sensitivity(explanation=a, perturbed=pert).tolist() == pytest.approx([3 / 5, 2.0])


def test_additive_model_has_zero_infidelity_and_closed_form_sensitivity():
    """logit = Σ_t w_t·θ: occlusion's word scores add up exactly, so Σ_dropped a = F(x) − F(x̃) for every
    subset (infidelity 0), and re-explaining x̃ zeroes the dropped words only."""
    model = analytic("linear")
    ex, batch, scores = _prepared(model)
    keys = [10, 11, 12]
    assert batch_infidelity(batch, scores, keys, seed=3).abs().max() < 1e-24
    units = word_units(batch)
    a = word_scores(units, scores)
    dropped = dropped_words(units, keys, seed=3, p=0.1, salt=2)
    expected = ((dropped.double() * a[:, None] ** 2).sum(-1).sqrt().amax(1)) / a.norm(dim=1)
    occ = get_method("occlusion")
    got = batch_sensitivity(batch, scores, keys, lambda sub: occ.fn(sub, Options()).token_scores, seed=3)
    assert got.tolist() == pytest.approx(expected.tolist(), rel=1e-12)
    assert float(got.max()) > 0  # some draw dropped a word
    squared = analytic("square")
    _, batch2, scores2 = _prepared(squared)
    assert float(batch_infidelity(batch2, scores2, keys, seed=3).min()) > 1e-6  # not additive: infidelity > 0


def _mask_space(batch, units):
    """Captum's view: inputs are word presences z (1 = kept); forward F(w̄ + z ⊙ (w − w̄)) per word."""
    def forward(z):  # z (R, U) for the R = B·S rows, text b's rows together
        R = z.shape[0]
        S = R // batch.W.shape[0]
        b_idx = torch.arange(batch.W.shape[0]).repeat_interleave(S)
        coef = torch.einsum("ru,rul->rl", z.double(), units[b_idx].double()).clamp(max=1)
        coef = torch.where(units[b_idx].any(1), coef, torch.ones_like(coef))  # specials stay put
        return torch.stack([batch.F(batch.points(b_idx[r:r + 1], coef[r:r + 1]), b_idx[r:r + 1])[0] for r in range(R)])
    return forward


@pytest.mark.parametrize("normalize", [False, True])
def test_infidelity_equals_captum_on_the_same_draws(normalize):
    from captum.metrics import infidelity as captum_infidelity

    model = tiny("bert", dtype=torch.float64)
    _, batch, scores = _prepared(model, "grad_x_input")
    keys, S = [0, 1, 2], 10
    units = word_units(batch)
    ours = batch_infidelity(batch, scores, keys, seed=5, n_samples=S, normalize=normalize)
    dropped = dropped_words(units, keys, seed=5, p=0.5, n_samples=S, salt=1).double()  # (B, S, U)
    B, _, U = dropped.shape

    def perturb(z):  # Captum hands the inputs repeated S times per example (repeat_interleave)
        I = dropped.reshape(B * S, U)
        return I, z - I

    forward = _mask_space(batch, units)
    theirs = captum_infidelity(lambda z: forward(z) if z.shape[0] == B * S else _at_input(batch), perturb,
                               torch.ones(B, U, dtype=torch.float64), word_scores(units, scores),
                               n_perturb_samples=S, normalize=normalize)
    assert ours.tolist() == pytest.approx(theirs.tolist(), rel=1e-10, abs=1e-14)
    assert float(ours.min()) > 0


def _at_input(batch):
    return batch.F_input().double()


@pytest.mark.parametrize("method", ["occlusion", "grad_x_input"])
def test_sensitivity_equals_captum_on_the_same_draws(method):
    from captum.metrics import sensitivity_max

    model = tiny("bert", dtype=torch.float64)
    _, batch, scores = _prepared(model, method)
    keys, S = [7, 8, 9], 10
    units = word_units(batch)
    spec = get_method(method)
    explain = lambda sub: spec.fn(sub, Options()).token_scores  # noqa: E731
    ours = batch_sensitivity(batch, scores, keys, explain, seed=1, n_samples=S)
    dropped = dropped_words(units, keys, seed=1, p=0.1, n_samples=S, salt=2)
    B, _, U = dropped.shape
    from faithlens.robustness import perturbed_batch

    def explanation_func(z):
        z = z[0] if isinstance(z, tuple) else z
        if z.shape[0] == B:  # the explanation at x itself: the one being scored
            return (word_scores(units, scores),)
        with torch.enable_grad():
            again = explain(perturbed_batch(batch, units, dropped))
        return (word_scores(units.repeat_interleave(S, 0), again),)

    def perturb(z):
        return z * (~dropped.reshape(B * S, U)).double()

    theirs = sensitivity_max(explanation_func, torch.ones(B, U, dtype=torch.float64), perturb_func=perturb,
                             n_perturb_samples=S)
    assert ours.tolist() == pytest.approx(theirs.tolist(), rel=1e-10)
    assert float(ours.max()) > 0


def test_draws_are_seeded_per_example_and_the_coefficients_follow():
    model = tiny("bert")
    _, batch, _ = _prepared(model)
    units = word_units(batch)
    a = dropped_words(units, [4, 5, 6], seed=0, p=0.5)
    assert torch.equal(a, dropped_words(units, [4, 5, 6], seed=0, p=0.5))
    assert not torch.equal(a, dropped_words(units, [4, 5, 6], seed=1, p=0.5))
    assert torch.equal(a[1], dropped_words(units[1:2], [5], seed=0, p=0.5)[0])  # the same draws in any batch
    assert not (a & ~units.any(-1)[:, None]).any()  # never a word slot the text lacks
    coef = _coef(units, a)  # dropped words' tokens at 0, everything else at 1
    moved = (coef == 0).reshape(a.shape[0], a.shape[1], -1)
    assert torch.equal(moved, torch.einsum("bsu,bul->bsl", a.double(), units.double()) > 0)


def test_evaluate_columns_are_seeded_and_batching_invariant(tmp_path):
    model = tiny("bert", dtype=torch.float64)
    data = Dataset(tuple(CORPUS), tuple([1, 1, 0, 1, 0, 0]), source="tiny")
    kw = dict(methods=["occlusion", "ig:steps=4"], metrics=["infidelity", "sensitivity"], progress=False)
    one = evaluate(model, data, batch_size=1, out=tmp_path / "a", **kw)
    three = evaluate(model, data, batch_size=3, out=tmp_path / "b", **kw)
    ra, rb = read_run(tmp_path / "a"), read_run(tmp_path / "b")
    for key, r in ra.items():
        assert r["infidelity"] == pytest.approx(rb[key]["infidelity"], rel=1e-9, abs=1e-15)
        assert r["sensitivity"] == pytest.approx(rb[key]["sensitivity"], rel=1e-9, abs=1e-15)
    assert one.rows[0]["infidelity"]["n"] == 6 and one.rows[1]["sensitivity"]["mean"] > 0
    assert "Infid ↓" in three.markdown() and "Sens ↓" in three.markdown()
    assert "infidelity_mean" in (tmp_path / "b" / "results.csv").read_text()
    assert "Infid ↓" in (tmp_path / "b" / "report.html").read_text()
    other = evaluate(model, data, seed=1, batch_size=3, **kw)
    assert other.rows[0]["infidelity"]["mean"] != three.rows[0]["infidelity"]["mean"]


def test_unknown_metric_is_refused():
    with pytest.raises(FaithlensError, match="Unknown metric 'fidelity'"):
        parse_metrics(["fidelity"])
    with pytest.raises(FaithlensError, match="twice"):
        parse_metrics(["infidelity", "infidelity"])


def test_pairs_and_qa_run_through_the_task_layer():
    """Text pairs: words of both segments are dropped (an additive model still has zero infidelity); QA runs."""
    pairs = Dataset((("the film was good", "it was fun"), ("a boring plot", "the acting was great")), (1, 0), source="pairs")
    model = analytic("linear")
    prep = Explainer(model)._prepare(list(pairs.texts), [None, None], resolve_baseline(model, None),
                                     model.task.score("logit"), False, None, None)
    units = word_units(prep.batch)
    assert torch.equal(units.any(1), prep.batch.enc.attributed)  # every token of both texts is in some word
    assert int((prep.batch.enc.segment_ids == 1).sum()) > 0
    linear = evaluate(model, pairs, methods=["occlusion"], metrics=["infidelity"], progress=False)
    assert linear.rows[0]["infidelity"]["n"] == 2 and linear.rows[0]["infidelity"]["mean"] < 1e-24
    qa = Dataset((("what was good", "the film was good and fun"),), (None,), source="qa", answers=(("good",),))
    result = evaluate(tiny("bert_qa"), qa, methods=["occlusion"], metrics=["infidelity", "sensitivity"], progress=False)
    assert result.rows[0]["infidelity"]["mean"] > 0 and result.rows[0]["sensitivity"]["n"] == 1
