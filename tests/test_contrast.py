"""Contrastive targets: F = score(target) − score(foil) (tasks.Task.contrast), through every method."""

import pytest
import torch

from faithlens import Explainer
from faithlens.errors import FaithlensError
from faithlens.explanation import Explanation
from tiny import tiny

TEXT = "the film was goodish and fun"
LINEAR_IN_F = ("sig", "ig", "grad_x_input", "occlusion", "shapley", "partition")


def T(values):
    return torch.tensor(values, dtype=torch.float64)


@pytest.fixture(scope="module")
def ex():
    return Explainer(tiny("bert", dtype=torch.float64, num_labels=3))


def _logits(ex, emb, mask):
    with torch.no_grad():
        return ex.model.model(inputs_embeds=emb[None], attention_mask=mask[None]).logits[0]


def test_closed_form_sig_contrast_is_the_logit_difference_drop(ex):
    """a_i = [z_t − z_f](w) − [z_t − z_f](w with token i at the [MASK] embedding), by the model's own forward."""
    e = ex.explain(TEXT, "sig", mode="closed", unit="token", target="positive", contrast="negative")
    enc = ex.model.tokenizer(TEXT, return_tensors="pt")
    ids, mask = enc["input_ids"][0], enc["attention_mask"][0]
    emb = ex.model.model.get_input_embeddings()(ids).detach()
    mask_emb = ex.model.model.get_input_embeddings()(torch.tensor(ex.model.tokenizer.mask_token_id)).detach()
    diff = lambda z: float(z[1] - z[0])  # noqa: E731
    full = diff(_logits(ex, emb, mask))
    expected = []
    for i in range(len(ids)):
        if e.special[i]:
            expected.append(0.0)
            continue
        moved = emb.clone()
        moved[i] = mask_emb
        expected.append(full - diff(_logits(ex, moved, mask)))
    assert torch.allclose(T(e.token_scores), T(expected), atol=1e-4)
    assert e.target["contrast"] == {"label": "negative", "index": 0}
    assert e.settings["contrast"] == "negative"


@pytest.mark.parametrize("method", LINEAR_IN_F)
def test_contrast_of_a_method_linear_in_F_is_the_difference_of_two_explanations(ex, method):
    kw = {"sig": dict(steps=16), "ig": dict(steps=16), "shapley": dict(n_samples=20, seed=3)}.get(method, {})
    both = ex.explain(TEXT, method, target="positive", contrast="neutral", **kw)
    a = ex.explain(TEXT, method, target="positive", **kw)
    b = ex.explain(TEXT, method, target="neutral", **kw)
    assert torch.allclose(T(both.token_scores), T(a.token_scores) - T(b.token_scores), atol=1e-10)


def test_contrast_with_prob_score_and_the_completeness_gap(ex):
    e = ex.explain(TEXT, "ig", target=1, contrast=2, score="prob", steps=200)
    probs = ex.predict(TEXT)[0]
    assert e.total_delta is not None and abs(e.total_delta) < 1e-3 * abs(float(probs[1] - probs[2])) + 1e-6


def test_causal_lm_contrast_is_the_log_probability_difference():
    lm = Explainer(tiny("gpt2_lm", dtype=torch.float64))
    for method in ("sig", "ig", "occlusion"):
        kw = {"mode": "closed"} if method == "sig" else ({"steps": 16} if method == "ig" else {})
        c = lm.explain("the film was", method, target=" fun", contrast=" dull", **kw)
        a = lm.explain("the film was", method, target=" fun", **kw)
        b = lm.explain("the film was", method, target=" dull", **kw)
        assert torch.allclose(T(c.token_scores), T(a.token_scores) - T(b.token_scores), atol=1e-10)
    assert c.target["log_prob"] == pytest.approx(a.target["log_prob"], abs=1e-12)
    assert c.target["contrast"]["log_prob"] == pytest.approx(b.target["log_prob"], abs=1e-12)
    assert Explanation.from_json(c.to_json()) == c


def test_causal_lm_multi_token_contrast_shares_all_but_the_last_token():
    lm = Explainer(tiny("gpt2_lm", dtype=torch.float64))
    c = lm.explain("the", "occlusion", target=" film was", contrast=" film is")
    a = lm.explain("the", "occlusion", target=" film was")
    b = lm.explain("the", "occlusion", target=" film is")
    assert torch.allclose(T(c.token_scores), T(a.token_scores) - T(b.token_scores), atol=1e-10)
    with pytest.raises(FaithlensError, match="last token only"):
        lm.explain("the", "occlusion", target=" film was", contrast=" plot is")


@pytest.mark.parametrize("target", [" fun", " film was"])
def test_causal_lm_contrast_equal_to_the_target_is_called_so(target):
    """C7 (seventh breakers): a foil equal to the target (F = 0) was refused as "must differ in its last token only
    ... share all but the last token", which it does; the message now says they are identical."""
    lm = Explainer(tiny("gpt2_lm"))
    with pytest.raises(FaithlensError, match=f"The contrast continuation '{target}' is the target itself") as info:
        lm.explain("the", "occlusion", target=target, contrast=target)
    assert "last token only" not in str(info.value)


def test_bad_contrasts_are_refused_clearly(ex):
    with pytest.raises(FaithlensError, match="target itself"):
        ex.explain(TEXT, "occlusion", target="positive", contrast="positive")
    with pytest.raises(FaithlensError, match="Unknown contrast 'happy'"):  # C6: not "Unknown target"
        ex.explain(TEXT, "occlusion", contrast="happy")
    with pytest.raises(FaithlensError, match="max_logit"):
        ex.explain(TEXT, "occlusion", contrast="negative", score="max_logit")
    with pytest.raises(FaithlensError, match="question answering"):
        Explainer(tiny("bert_qa")).explain(("who", "the film"), "occlusion", contrast="x")


def test_cli_contrast_and_views(tmp_path, saved_tiny, capsys):
    from faithlens.cli import main

    assert main(["explain", TEXT, "--model", str(saved_tiny), "--method", "sig", "--mode", "closed", "--target",
                 "positive", "--contrast", "negative"]) == 0
    out = capsys.readouterr().out
    assert "why positive rather than negative" in out
    assert main(["explain", TEXT, "--model", str(saved_tiny), "--contrast-text", " fun"]) != 0
    assert "Pass --contrast LABEL instead" in capsys.readouterr().err
    from tiny import save_tiny

    qa = save_tiny(tmp_path / "qa", "bert_qa")  # twenty-seventh breaker F2: QA has no contrast, --contrast is refused too
    assert main(["explain", "--pair", "who sat?", "the cat sat on the mat", "--model", str(qa), "--contrast-text", "mat",
                 "--method", "occlusion", "--no-faithfulness"]) == 2
    err = capsys.readouterr().err
    assert "Drop it: a QA model has no contrast." in err and "--contrast LABEL" not in err
