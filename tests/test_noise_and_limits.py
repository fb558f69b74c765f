"""Issue 22, kind 8: values that overflow. SmoothGrad's noise has a range (σ as a fraction of the embedding range,
(0, 1]) checked on every surface (API, `explain --noise`, `evaluate smoothgrad:noise=`); a causal LM's target text
has a token limit, checked before any model pass."""

import pytest
import torch

from faithlens import Explainer
from faithlens.cli import main
from faithlens.errors import FaithlensError
from faithlens.evaluate import parse_method
from faithlens.options import MAX_NOISE, MAX_TARGET_TOKENS, check_noise
from tiny import tiny


@pytest.mark.parametrize("noise", [0, -0.1, 1.0001, 1e9, float("inf"), float("nan"), True, "0.1"])
def test_noise_outside_the_range_is_refused(noise):
    with pytest.raises(FaithlensError, match="'noise' parameter"):
        check_noise(noise)


def test_noise_in_the_range_reaches_smoothgrad_and_changes_the_result():
    e = Explainer(tiny("bert", dtype=torch.float64))
    small = e.explain("a good film", "smoothgrad", noise=0.01, n_samples=4)
    large = e.explain("a good film", "smoothgrad", noise=MAX_NOISE, n_samples=4)
    assert small.settings["noise"] == 0.01 and large.settings["noise"] == 1.0
    assert small.token_scores != large.token_scores
    with pytest.raises(FaithlensError, match=r"must be in \(0, 1\]"):
        e.explain("a good film", "smoothgrad", noise=50.0)


def test_cli_noise_option(saved_tiny, capsys):
    assert main(["explain", "good", "--model", str(saved_tiny), "--method", "smoothgrad", "--noise", "0.2", "--json"]) == 0
    assert '"noise": 0.2' in capsys.readouterr().out
    assert main(["explain", "good", "--model", str(saved_tiny), "--method", "smoothgrad", "--noise", "1e30"]) == 2
    assert "each noisy copy is mostly noise" in capsys.readouterr().err
    assert main(["explain", "good", "--model", str(saved_tiny), "--method", "ig", "--noise", "0.2"]) == 2
    assert "does nothing for ig" in capsys.readouterr().err
    assert main(["explain", "good", "--model", str(saved_tiny), "--method", "ig", "--noise", "0.01"]) == 2  # the default
    assert "does nothing for ig" in capsys.readouterr().err


def test_evaluate_spec_takes_noise():
    assert parse_method("smoothgrad:noise=0.1,n_samples=5").options == {"noise": 0.1, "n_samples": 5}
    for spec, words in (("smoothgrad:noise=5", "must be in (0, 1]"), ("smoothgrad:noise=abc", "Expected a number"),
                        ("ig:noise=0.1", "does not apply to 'ig'")):
        with pytest.raises(FaithlensError, match=words.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
            parse_method(spec)


def test_a_long_target_text_is_refused_before_any_pass(monkeypatch):
    lm = Explainer(tiny("gpt2_lm"))
    long_text = " word" * (MAX_TARGET_TOKENS + 1)
    n = len(lm.model.tokenizer(long_text, add_special_tokens=False)["input_ids"])
    assert n > MAX_TARGET_TOKENS
    monkeypatch.setattr(lm.model, "outputs", lambda *a, **k: pytest.fail("a model pass ran"))
    with pytest.raises(FaithlensError, match=f"is {n:,} tokens; the limit is {MAX_TARGET_TOKENS}"):
        lm.explain("Hello", "occlusion", target=long_text)
    with pytest.raises(FaithlensError, match="max_new_tokens=3 generates a continuation"):
        lm.explain("Hello", "occlusion", target=" world", max_new_tokens=3)


@pytest.mark.parametrize("tolerance", [0, 0.0, -1e-3, 1.0, float("nan")])
def test_a_tolerance_that_can_never_be_met_is_refused_on_every_surface(tolerance, capsys):
    e = Explainer(tiny("bert"))
    with pytest.raises(FaithlensError, match=r"'tolerance' parameter \(--tolerance\) must be a number in \(0, 1\)"):
        e.explain("a good film", "sig", tolerance=tolerance)
    if isinstance(tolerance, (int, float)) and tolerance == tolerance:
        assert main(["explain", "a good film", "--method", "sig", "--tolerance", str(tolerance)]) == 2
        err = capsys.readouterr().err
        assert ("closed form" in err and "about 1e-6 in float32" in err) == (tolerance <= 0)  # said of 0 and below only


def test_a_small_positive_tolerance_runs():
    e = Explainer(tiny("bert", dtype=torch.float64)).explain("a good film", "sig", tolerance=1e-6)
    assert e.nodes is not None and e.settings["tolerance"] == 1e-6


def test_evaluate_method_specs_refuse_a_zero_tolerance_by_the_same_rule():
    with pytest.raises(FaithlensError, match=r"sig:tolerance=0.*must be a number in \(0, 1\)"):
        parse_method("sig:tolerance=0")
    assert parse_method("sig:tolerance=1e-3").options["tolerance"] == 1e-3
