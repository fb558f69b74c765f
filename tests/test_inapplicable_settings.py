"""Issue 22, seventh breakers: settings that would do nothing are never silently dropped. One rule per kind on every
surface: score='max_logit' with a target is refused (C1); a method-specific setting the method does not read is an
error in the CLI, the web app and compare, and a FaithlensWarning plus an "Ignored" line in the API (C2); a baseline
with a method that reads none and no faithfulness check does nothing alike (C3); a one-output (regression) head is
refused at load (C4)."""

import json
import warnings

import pytest
import torch

from faithlens import Explainer
from faithlens.app import Limits, create_app
from faithlens.cli import main
from faithlens.errors import FaithlensError, FaithlensWarning
from faithlens.model import from_pretrained_objects
from tiny import tiny

TEXT = "the film was good and fun"
HOST = {"Host": "127.0.0.1:8765"}


@pytest.fixture(scope="module")
def ex():
    return Explainer(tiny("bert"))


# --- C1: max_logit has no target -----------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["negative", 0, ["negative"]])
def test_a_target_with_max_logit_is_refused_in_the_api(ex, target):
    with pytest.raises(FaithlensError, match="score='max_logit' .* has no target.*Drop the target"):
        ex.explain(TEXT, "occlusion", score="max_logit", target=target)
    plain = ex.explain(TEXT, "occlusion", score="max_logit")  # no target: the largest logit, as before
    by_logit = ex.explain(TEXT, "occlusion", target=plain.prediction["index"])
    assert plain.token_scores == pytest.approx(by_logit.token_scores, abs=1e-6)


def test_a_target_with_max_logit_is_refused_on_the_cli_and_the_web_app(ex, saved_tiny, capsys):
    base = ["explain", TEXT, "--model", str(saved_tiny), "--method", "occlusion", "--no-faithfulness"]
    assert main(base + ["--score", "max_logit", "--target", "negative"]) == 2
    assert "has no target" in capsys.readouterr().err
    assert main(base + ["--score", "max_logit", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["score"] == "max_logit"
    client = create_app(ex, limits=Limits()).test_client()
    query = {"text": TEXT, "method": "occlusion", "score": "max_logit"}
    refused = client.get("/api/explain", query_string=dict(query, target="negative"), headers=HOST)
    assert refused.status_code == 400 and "has no target" in refused.get_json()["error"]
    assert client.get("/api/explain", query_string=query, headers=HOST).status_code == 200


# --- C2: the API's unused settings warn, visibly ---------------------------------------------------------------------


@pytest.mark.parametrize("method, settings, note", [
    ("occlusion", {"steps": 5}, "steps=5 does nothing for occlusion"),
    ("ig", {"unit": "token", "steps": 4}, "unit='token' does nothing for ig"),
    ("grad_x_input", {"noise": 0.1}, "noise=0.1 does nothing for grad_x_input"),
    ("sig", {"mode": "closed", "steps": 5}, "steps=5 does nothing for sig with mode='closed'"),
    ("occlusion", {"mode": "reverse"}, "mode='reverse' does nothing for occlusion"),
    ("sig", {"n_samples": 5}, "n_samples=5 does nothing for sig"),
    ("occlusion", {"rule": "leja"}, "rule='leja' does nothing for occlusion"),
])
def test_a_setting_the_method_does_not_read_is_a_shown_warning_in_the_api(ex, method, settings, note):
    with pytest.warns(FaithlensWarning, match=f"Ignored: {note}"):
        e = ex.explain(TEXT, method, **settings)
    assert any(w.startswith(f"Ignored: {note}") for w in e.warnings)
    plain = ex.explain(TEXT, method, **{k: v for k, v in settings.items() if k == "steps" and method == "ig"})
    assert e.token_scores == pytest.approx(plain.token_scores, abs=1e-6)  # what "does nothing" means


def test_ig_reads_no_unit(ex):
    """IG moves every token at once: unit='token' and the default word unit give the same scores (so unit= is
    reported as ignored, not silently)."""
    with pytest.warns(FaithlensWarning):
        by_token = ex.explain(TEXT, "ig", steps=6, unit="token")
    assert by_token.token_scores == pytest.approx(ex.explain(TEXT, "ig", steps=6).token_scores, abs=1e-7)


def test_settings_a_method_reads_give_no_warning(ex):
    with warnings.catch_warnings():
        warnings.simplefilter("error", FaithlensWarning)
        for e in (ex.explain(TEXT, "ig", steps=4, rule="leja"),
                  ex.explain(TEXT, "grad_x_input", baseline="mask"),  # the model's default: not given
                  ex.explain(TEXT, "grad_x_input", baseline="pad", faithfulness=True, n_random=2)):
            assert not [w for w in e.warnings if w.startswith("Ignored")]


# --- C3: a baseline nothing reads ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["grad_x_input", "saliency", "smoothgrad"])
def test_a_baseline_for_a_method_that_reads_none_warns_in_the_api(ex, method):
    with pytest.warns(FaithlensWarning, match=f"baseline='zero' .*does nothing for {method} without the faithfulness"):
        zero = ex.explain(TEXT, method, baseline="zero")
    assert zero.token_scores == pytest.approx(ex.explain(TEXT, method).token_scores, abs=1e-7)
    with pytest.warns(FaithlensWarning, match="baseline_token='the' .*does nothing"):
        ex.explain(TEXT, method, baseline_token="the")


def test_a_baseline_a_method_reads_changes_its_scores(ex):
    """The contrast to the above: occlusion reads the baseline (so no warning, and other scores)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", FaithlensWarning)
        zero = ex.explain(TEXT, "occlusion", baseline="zero")
    assert zero.token_scores != pytest.approx(ex.explain(TEXT, "occlusion").token_scores, abs=1e-4)


def test_a_baseline_for_a_method_that_reads_none_is_refused_on_the_cli_and_compare(ex, saved_tiny, capsys):
    base = ["explain", TEXT, "--model", str(saved_tiny), "--method", "grad_x_input"]
    for extra in (["--baseline", "zero"], ["--baseline", "pad"], ["--baseline-token", "the"]):
        assert main(base + extra + ["--no-faithfulness"]) == 2
        assert "does nothing for grad_x_input without the faithfulness check" in capsys.readouterr().err
    assert main(base + ["--baseline", "pad", "--json"]) == 0  # the faithfulness check's log-odds reads it
    assert json.loads(capsys.readouterr().out)["settings"]["baseline"] == "pad"
    assert main(base + ["sig", "--baseline", "pad", "--no-faithfulness", "--json"]) == 0  # sig reads it
    assert "FaithlensWarning" not in capsys.readouterr().err
    with pytest.raises(FaithlensError, match="does nothing for saliency without the faithfulness check"):
        ex.compare(TEXT, methods=["saliency"], baseline="pad", faithfulness=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FaithlensWarning)
        both = ex.compare(TEXT, methods=["occlusion", "saliency"], baseline="pad", faithfulness=False)
    assert both["occlusion"].settings["baseline"] == "pad"


# --- C4: one-output heads ---------------------------------------------------------------------------------------------


def test_a_one_output_regression_head_is_refused_at_load(tmp_path, capsys):
    import transformers as tf

    from tiny import bert_tokenizer

    tok = bert_tokenizer()
    config = dict(vocab_size=len(tok), hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                  intermediate_size=37, max_position_embeddings=64)
    reg = tf.BertForSequenceClassification(tf.BertConfig(num_labels=1, **config))  # as /tmp/brk7/m_reg
    with pytest.raises(FaithlensError, match="regression head .*num_labels=1.*num_labels ≥ 2"):
        from_pretrained_objects(reg, tok, name="reg")
    reg.save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    assert main(["explain", TEXT, "--model", str(tmp_path)]) == 2
    assert "regression head" in capsys.readouterr().err
    reg3 = tf.BertForSequenceClassification(tf.BertConfig(num_labels=3, problem_type="regression", **config))
    with pytest.raises(FaithlensError, match="problem_type='regression'"):
        from_pretrained_objects(reg3, tok, name="reg3")


def test_a_one_output_sigmoid_head_is_explained():
    """A one-output multi-label head is a yes/no sigmoid classifier: p = σ(z), not a constant."""
    m = tiny("bert", num_labels=1, problem_type="multi_label_classification")
    probs = Explainer(m).predict([TEXT, "dull"])
    assert probs.shape == (2, 1) and 0 < float(probs[0, 0]) < 1 and float(probs[0, 0]) != float(probs[1, 0])
    assert torch.isfinite(torch.tensor(Explainer(m).explain(TEXT, "occlusion").token_scores)).all()


def test_evaluate_passes_its_metrics_baseline_to_every_method_without_a_warning(saved_tiny, tmp_path, capsys):
    """evaluate's log-odds reads --baseline; its gradient methods' explain calls are not told it does nothing."""
    data = tmp_path / "data.tsv"
    data.write_text("sentence\tlabel\nthe film was good and fun\t1\na dull plot\t0\n")
    assert main(["evaluate", "--model", str(saved_tiny), "--data", str(data), "--methods", "grad_x_input", "--baseline",
                 "pad", "--quiet", "--no-curves", "--no-random", "--out", str(tmp_path / "run")]) == 0
    err = capsys.readouterr().err
    assert "Ignored" not in err and "does nothing" not in err
