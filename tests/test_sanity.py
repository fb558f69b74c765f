"""Cascading model-parameter randomisation (Adebayo et al. 2018) on tiny models."""

from __future__ import annotations

import pytest
import torch
from tiny import CORPUS, tiny

from faithlens.audit.sanity import INSENSITIVE, cascade, sanity_check, sanity_markdown
from faithlens.methods import METHODS, Method, MethodOutput


@pytest.fixture
def constant_method():
    """A method that ignores the model: token scores 1, 2, 3, ... over the attributed tokens."""
    def fn(batch, opts):
        attributed = batch.enc.attributed
        return MethodOutput(token_scores=(attributed.cumsum(1) * attributed).to(batch.W.dtype))
    METHODS["constant"] = Method("constant", fn, "ignores the model (test only)")
    yield "constant"
    del METHODS["constant"]


def test_cascade_is_head_then_layers_top_down():
    model = tiny("bert")
    steps = cascade(model)
    assert [s[0] for s in steps] == ["head", "layer 1", "layer 0"]
    assert model.model.classifier in steps[0][1]
    assert steps[1][1][0] is model.model.bert.encoder.layer[1]
    assert [s[0] for s in cascade(tiny("gpt2"))] == ["head", "layer 1", "layer 0"]


def test_randomising_the_head_changes_attributions_and_a_model_blind_method_is_flagged(constant_method):
    model = tiny("bert")
    before = [p.detach().clone() for p in model.model.parameters()]
    result = sanity_check(model, CORPUS[:4], methods=["grad_x_input", constant_method], seed=0, steps=4)
    assert all(torch.equal(a, b) for a, b in zip(before, model.model.parameters()))  # a copy was randomised
    g = result["grad_x_input"]
    assert g["levels"] == ["original", "head", "layer 1", "layer 0"]
    assert g["spearman"][0] == 1.0 and g["spearman"][1] < 0.9  # the head alone changes the attributions
    assert g["spearman_abs"][-1] < INSENSITIVE and not g["insensitive"]
    c = result[constant_method]
    assert c["spearman"] == pytest.approx([1.0] * 4) and c["insensitive"]
    table = sanity_markdown(result)
    assert "| constant |" in table and "insensitive to the model" in table
    again = sanity_check(model, CORPUS[:4], methods=["grad_x_input"], seed=0, steps=4)
    assert again["grad_x_input"]["spearman"] == pytest.approx(g["spearman"])  # seeded


def test_cli_audit_sanity_writes_the_section(saved_tiny, tmp_path):
    import json

    from faithlens.cli import main

    data = tmp_path / "texts.tsv"
    data.write_text("sentence\tlabel\n" + "".join(f"{t}\t{i % 2}\n" for i, t in enumerate(CORPUS)))
    out = tmp_path / "audit.json"
    code = main(["audit", "--model", str(saved_tiny), "--data", str(data), "--limit", "6", "--steps", "2",
                 "--sanity", "--token-class", "film,movie", "--json", str(out)])
    report = json.loads(out.read_text())
    assert code in (0, 1) and report["level"] in ("ok", "caution", "untrustworthy")
    assert set(report["sanity"]) == {"saliency", "grad_x_input", "ig", "sig"}
    for entry in report["sanity"].values():
        assert entry["levels"][:2] == ["original", "head"] and len(entry["spearman"]) == len(entry["levels"])
        assert len(entry["spearman_abs"]) == len(entry["levels"])
    tests = report["methods"]["grad_x_input"]["concentration"]
    assert set(tests) == {"stop_words", "first_token", "punctuation", "words: film, movie"}
    assert all("p_holm" in t and "rank_biserial" in t for t in tests.values())
