"""Exact, or it says its error: SIG's default is the closed form; every explanation carries its measured
error (and warns above `warn_above`); every method declares whether its scores are signed."""

import inspect
import json

import pytest
import torch

from faithlens import Explainer, Explanation
from faithlens.accuracy import describe
from faithlens.cli import build_parser
from faithlens.methods import METHODS
from faithlens.names import DEFAULT_METHODS, DEFAULT_MODE, DEFAULT_UNIT
from faithlens.views import render_terminal
from faithlens.views.html import explanation_html
from tiny import tiny

TEXT = "the films was boringly dull"  # "films" and "boringly" are two tokens each


def T(values):
    return torch.tensor(values, dtype=torch.float64)


@pytest.fixture(scope="module")
def bert():
    return Explainer(tiny("bert", dtype=torch.float64))


@pytest.fixture(scope="module", params=["gpt2_lm", "llama_lm"])
def lm(request):
    return Explainer(tiny(request.param, dtype=torch.float64))


def own_logit(ex, ids, target):
    with torch.no_grad():
        return float(ex.model.model(input_ids=torch.tensor([ids])).logits[0, target].to(torch.float64))


def test_default_sig_is_the_closed_form_of_each_word_by_the_models_own_forward(bert):
    e = bert.explain(TEXT, "sig")
    assert e.settings["mode"] == "closed" and e.settings["unit"] == "word"
    assert e.error == {"kind": "exact", "relative": 0.0, "absolute": 0.0, "reference": pytest.approx(max(abs(w.score) for w in e.words)),
                       "measure": pytest.approx(e.error["measure"])}
    tok = bert.model.tokenizer
    enc = tok(TEXT)
    ids, word_ids = enc["input_ids"], enc.word_ids()
    assert len(e.words) == 5 and len(ids) == 9  # two words of two tokens each
    target = e.target["index"]
    full = own_logit(bert, ids, target)
    for n, w in enumerate(e.words):
        masked = [tok.mask_token_id if wid == n else i for i, wid in zip(ids, word_ids)]
        assert w.score == pytest.approx(full - own_logit(bert, masked, target), rel=1e-10, abs=1e-12)
    assert e.deltas == pytest.approx([0.0] * 5)
    assert not e.warnings


def test_default_sig_on_causal_lms_is_exact_per_word(lm):
    e = lm.explain("the film was very", "sig", target=" good and fun")
    assert e.settings["mode"] == "closed" and e.error["kind"] == "exact"
    closed = lm.explain("the film was very", "sig", target=" good and fun", mode="closed", unit="word")
    assert e.token_scores == pytest.approx(closed.token_scores, abs=0)
    occl = lm.explain("the film was very", "occlusion", target=" good and fun")
    assert [w.score for w in e.words] == pytest.approx([w.score for w in occl.words], abs=1e-12)


def test_steps_ask_for_the_path_and_its_error_is_measured_against_the_closed_form(bert):
    exact = bert.explain(TEXT, "sig")
    e = bert.explain(TEXT, "sig", steps=2, rule="riemann_left", warn_above=1e-9)
    assert e.settings["mode"] in ("forward", "reverse") and e.error["kind"] == "quadrature"
    words_exact = T([w.score for w in exact.words])
    words = T([w.score for w in e.words])
    assert T(e.deltas) == pytest.approx(words - words_exact, abs=1e-12)
    expected = float((words - words_exact).abs().max() / words_exact.abs().max())
    assert e.error["relative"] == pytest.approx(expected, rel=1e-9)
    assert any("off by" in w and "mode='closed'" in w for w in e.warnings)
    quiet = bert.explain(TEXT, "sig", steps=2, rule="riemann_left", warn_above=1.0e6)
    assert not any("off by" in w for w in quiet.warnings) and quiet.error == e.error
    assert bert.explain(TEXT, "sig", return_attributions=True).settings["mode"] == "reverse"


def test_ig_reports_its_completeness_gap_and_warns_with_the_number(bert):
    base = bert.explain(TEXT, "sig")
    e = bert.explain(TEXT, "ig", steps=1, rule="riemann_left", warn_above=1e-6)
    # F(w) − F(w̄) by the model's own forward: every non-special id at [MASK]
    tok = bert.model.tokenizer
    ids = tok(TEXT)["input_ids"]
    target = base.target["index"]
    gap_ref = own_logit(bert, ids, target) - own_logit(bert, [ids[0]] + [tok.mask_token_id] * (len(ids) - 2) + [ids[-1]], target)
    assert e.error["kind"] == "completeness" and e.error["reference"] == pytest.approx(gap_ref, rel=1e-9)
    assert e.error["relative"] == pytest.approx(abs(sum(e.token_scores) - gap_ref) / abs(gap_ref), rel=1e-9)
    warning = next(w for w in e.warnings if "miss completeness" in w)
    from faithlens.accuracy import _percent

    assert f"miss completeness by {_percent(e.error['relative'])}" in warning and "sig" in warning
    fine = bert.explain(TEXT, "ig", steps=50)
    assert fine.error["relative"] < e.error["relative"]


@pytest.mark.parametrize("method", ["deeplift", "gradient_shap", "dig"])
def test_other_completeness_methods_report_their_gap(bert, method):
    e = bert.explain(TEXT, method, warn_above=1e6)
    assert e.error["kind"] == "completeness"
    assert e.error["absolute"] == pytest.approx(abs(e.total_delta), rel=1e-12)
    if method != "gradient_shap":  # GradientShap's reference is its sampled E_b[F(w) − F(b)]
        assert e.error["reference"] == pytest.approx(bert.explain(TEXT, "ig", steps=3).error["reference"], rel=1e-9)
    else:
        assert e.error["reference"] == pytest.approx(sum(e.token_scores) - e.total_delta, rel=1e-9)


def test_smoothgrad_sampling_error_shrinks_with_more_samples(bert):
    few = bert.explain(TEXT, "smoothgrad", n_samples=4, noise=0.2, warn_above=1e-9)
    many = bert.explain(TEXT, "smoothgrad", n_samples=64, noise=0.2, warn_above=1e6)
    assert few.error["kind"] == many.error["kind"] == "sampling"
    assert 0 < many.error["absolute"] < few.error["absolute"]
    assert any("standard error" in w and "--samples" in w for w in few.warnings)
    one = bert.explain(TEXT, "smoothgrad", n_samples=1)
    assert one.error["relative"] is None and any("one random draw" in w for w in one.warnings)


def test_exact_methods_say_so(bert):
    for method, said in (("occlusion", "exact"), ("grad_x_input", "its definition, no approximation"),
                         ("saliency", "its definition, no approximation")):
        e = bert.explain(TEXT, method)
        assert e.error["kind"] == "exact" and describe(e.error) == said


def test_every_method_declares_signed_and_json_carries_it(bert):
    for name, method in METHODS.items():
        e = bert.explain(TEXT, name, **({"steps": 3} if name.startswith("dig") else {}))
        d = json.loads(e.to_json())
        assert d["signed"] is method.signed is (name not in ("saliency", "random"))
        assert Explanation.from_json(e.to_json()) == e
    old = json.loads(bert.explain(TEXT, "saliency").to_json())
    old.pop("signed"), old.pop("error")
    old["schema"] = 2
    assert Explanation.from_dict(old).signed is False  # files written before `signed`: derived from the method


def test_saliency_is_drawn_as_magnitude_never_as_support(bert):
    e = bert.explain(TEXT, "saliency")
    for colour in (False, True):
        out = render_terminal([e], colour=colour)
        assert "magnitude, no direction" in out and "supports" not in out and "opposes" not in out
        assert "[+" not in out and "[−" not in out
    bars = render_terminal([e], colour=False, bars=True)
    assert "supports" not in bars and " +0." not in bars
    page = explanation_html(e)
    assert "magnitude, no direction" in page and "supports" not in page and 'class="n">+' not in page
    both = render_terminal([bert.explain(TEXT, "sig"), e], colour=False)
    assert "supports" in both and "magnitude, no direction" in both


def test_views_show_the_measured_accuracy(bert):
    e = bert.explain(TEXT, "ig", steps=1, rule="riemann_left")
    out = render_terminal([bert.explain(TEXT, "sig"), e], colour=False)
    assert "exact" in out and f"completeness gap {describe(e.error).split()[-2]}" in out
    assert "completeness gap" in explanation_html(e)


def test_one_set_of_defaults_for_api_cli_and_web_app():
    from faithlens import app

    params = inspect.signature(Explainer.explain).parameters
    args = build_parser().parse_args(["explain", "x"])
    helps = {a.dest: a.help for a in build_parser()._subparsers._group_actions[0].choices["explain"]._actions}
    assert params["unit"].default == DEFAULT_UNIT == "word" and f"default: {DEFAULT_UNIT}" in helps["unit"]
    assert params["mode"].default == DEFAULT_MODE == "auto" and f"default: {DEFAULT_MODE}" in helps["mode"]
    assert args.unit is None and args.mode is None  # the CLI passes them only when typed (the API's defaults apply)
    assert tuple(args.method) == DEFAULT_METHODS == app.DEFAULT_METHODS
    assert inspect.signature(Explainer.compare).parameters["methods"].default == DEFAULT_METHODS
    for dest in ("method", "steps", "unit", "mode", "baseline", "seed", "samples", "warn_above"):
        assert "default" in helps[dest], dest


def test_sampled_estimators_report_sampling_error_and_their_efficiency_gap(bert):
    e = bert.explain(TEXT, "shapley", n_samples=4, warn_above=1e-9)
    assert e.error["kind"] == "sampling" and e.error["relative"] > 0
    se = T(e.sampling_error)
    assert e.error["absolute"] == pytest.approx(float(se.max()), rel=1e-12)
    assert e.error["relative"] == pytest.approx(float(se.max() / T(e.token_scores).abs().max()), rel=1e-12)
    assert e.error["completeness"]["absolute"] == pytest.approx(abs(e.total_delta), abs=1e-12)
    assert e.error["completeness"]["absolute"] < 1e-9  # every sampled order is exactly efficient
    assert any("random draws" in w for w in e.warnings)


def test_a_typed_default_that_no_method_reads_is_refused_on_the_cli(capsys):
    from faithlens.cli import main

    assert main(["explain", "fun", "--method", "ig", "--unit", "word"]) == 2
    assert "does nothing for ig" in capsys.readouterr().err
