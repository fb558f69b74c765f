"""Issue 22, twenty-eighth breaker F1, F2: a ClassifierModel built by hand is checked as load_model's are (its
model, tokenizer, causal flag and head), and a prediction that ties two classes says so instead of naming the first
class as if the model preferred it."""

from __future__ import annotations

import copy
import warnings

import pytest
import torch

from tiny import gpt2_tokenizer, tiny

from faithlens import ClassifierModel, Explainer
from faithlens.errors import FaithlensError
from faithlens.model import from_pretrained_objects


def parts(kind="bert"):
    m = tiny(kind)
    return copy.deepcopy(m.model), m.tokenizer


def test_a_hand_built_model_with_its_own_parts_explains_as_the_loaded_one():
    model, tok = parts()
    wrapped = ClassifierModel(model=model, tokenizer=tok, name="x", is_causal=False, had_pad_token=True)
    loaded = tiny("bert")
    a = Explainer(wrapped).explain("good film", "occlusion")
    b = Explainer(loaded).explain("good film", "occlusion")
    assert a.token_scores == pytest.approx(b.token_scores, abs=1e-6)


def test_a_path_as_the_model_is_refused_naming_load_model():
    _, tok = parts()
    with pytest.raises(FaithlensError, match=r"must be a loaded Hugging Face model .* Got str\. Load a model with "
                                             r"faithlens.load_model"):
        ClassifierModel(model="models/cls", tokenizer=tok, name="x", is_causal=False, had_pad_token=True)


def test_a_config_naming_more_classes_than_the_head_is_refused():
    model, tok = parts()
    model.config.id2label = {0: "a", 1: "b", 2: "c"}
    model.config.label2id = {"a": 0, "b": 1, "c": 2}
    with pytest.raises(FaithlensError, match=r"config names 3 classes .* head outputs 2"):
        ClassifierModel(model=model, tokenizer=tok, name="x", is_causal=False, had_pad_token=True)


@pytest.mark.parametrize("kind, flag", [("bert", True), ("gpt2", False)])
def test_a_causal_flag_against_the_architecture_is_refused(kind, flag):
    model, tok = parts(kind)
    with pytest.raises(FaithlensError, match=rf"is_causal={flag}\) of 'x': its config says it "
                                             rf"{'is not' if flag else 'is'} a causal LM .* Pass is_causal={not flag}"):
        ClassifierModel(model=model, tokenizer=tok, name="x", is_causal=flag, had_pad_token=True)


def test_a_slow_or_foreign_tokenizer_is_refused_and_none_cannot_read_text():
    model, _ = parts()
    with pytest.raises(FaithlensError, match=r"must be a fast tokenizer .* Got dict"):
        ClassifierModel(model=model, tokenizer={}, name="x", is_causal=False, had_pad_token=True)
    bare = ClassifierModel(model=model, tokenizer=None, name="x", is_causal=False, had_pad_token=True)
    with pytest.raises(FaithlensError, match=r"'x' has no tokenizer \(tokenizer=None\), so it cannot read text"):
        Explainer(bare)


# --- F2: ties --------------------------------------------------------------------------------------------------

def tied_model():
    model, tok = parts()
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.zero_()
    return from_pretrained_objects(model, tok, name="tie")


def test_a_tied_prediction_is_said_and_a_chosen_target_still_hears_of_it():
    ex = Explainer(tied_model())
    e = ex.explain("good film", "occlusion")
    assert e.prediction["probs"] == [0.5, 0.5]
    tie = [w for w in e.warnings if w.startswith("Tie:")]
    assert tie == ["Tie: the classes 'negative', 'positive' have the same probability (0.5000), so the prediction "
                   "names 'negative' only because it comes first. Pass --target (target= in Python) to explain the "
                   "class you mean."]
    assert any(w.startswith("Tie:") for w in ex.explain("good film", "occlusion", target="positive").warnings)


def test_an_untied_prediction_has_no_tie_note():
    e = Explainer(tiny("bert")).explain(["good film", "a dull plot"], "occlusion")
    assert not [w for x in e for w in x.warnings if w.startswith("Tie:")]


def test_a_bfloat16_tie_names_the_rounding():
    model = tied_model()
    e = Explainer(model, dtype=torch.bfloat16).explain("good film", "occlusion")
    assert any("runs in bfloat16, whose rounding makes ties" in w for w in e.warnings)


def test_the_tie_is_printed_by_the_cli(tmp_path, capsys):
    from faithlens.cli import main

    model = tied_model()
    model.model.save_pretrained(tmp_path / "tie")
    model.tokenizer.save_pretrained(tmp_path / "tie")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = main(["explain", "good film", "--model", str(tmp_path / "tie"), "--method", "occlusion",
                     "--no-faithfulness"])
    captured = capsys.readouterr()
    assert code == 0 and "Tie: the classes 'negative', 'positive'" in captured.out + captured.err


def test_the_tie_advises_target_only_where_it_can_choose():
    ex = Explainer(tied_model())
    chosen = ex.explain("good film", "occlusion", target="positive").warnings
    largest = ex.explain("good film", "occlusion", score="max_logit").warnings
    for warnings_ in (chosen, largest):
        tie = [w for w in warnings_ if w.startswith("Tie:")]
        assert tie and "Pass --target" not in tie[0]
