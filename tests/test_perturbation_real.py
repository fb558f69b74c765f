"""Shapley value sampling on the real default model and on SmolLM2: the word scores add up to
F(x) − F(all words at the baseline), computed here by the models' own forward, to 1 %."""

import pytest
import torch

pytestmark = pytest.mark.slow

TEXT = "a hideous, confusing spectacle"


def _ends(ex, item, target, F):
    """F at the input and with every word at the baseline, by the Hugging Face model itself."""
    from faithlens.baselines import resolve_baseline

    task = ex.model.task
    batch = ex._prepare([item], [target], resolve_baseline(ex.model, None), task.score(task.default_score), False,
                        None, None).batch
    kwargs = {"attention_mask": batch.enc.attention_mask}
    if batch.enc.position_ids is not None:
        kwargs["position_ids"] = batch.enc.position_ids
    with torch.no_grad():
        outs = [ex.model.model(inputs_embeds=emb, **kwargs).logits for emb in (batch.W, batch.Wbar)]
    return F(outs[0], batch), F(outs[1], batch)


def test_default_model_shapley_is_efficient_and_seeded():
    from faithlens import Explainer

    ex = Explainer()
    e = ex.explain(TEXT, "shapley", seed=4)
    again = ex.explain(TEXT, "shapley", seed=4)
    assert e.token_scores == again.token_scores and e.sampling_error == again.sampling_error
    f_in, f_base = _ends(ex, TEXT, None, lambda z, b: float(z[0, int(b.target[0, 0])]))
    total = sum(w.score for w in e.words)
    assert len(e.words) == 5 and all  # a, hideous, ",", confusing, spectacle(w.sampling_error is not None for w in e.words)
    assert abs(total - (f_in - f_base)) <= 0.01 * abs(f_in - f_base)


def test_smollm2_shapley_is_efficient():
    from faithlens import Explainer

    ex = Explainer("smollm2")
    prompt = "The capital of France is"
    e = ex.explain(prompt, "shapley", target=" Paris", n_samples=10, seed=0)

    def log_p(logits, batch):
        target = int(batch.target[0, -1])
        return float(torch.log_softmax(logits[0, -1].double(), -1)[target])

    f_in, f_base = _ends(ex, prompt, " Paris", log_p)
    total = sum(w.score for w in e.words)
    assert abs(total - (f_in - f_base)) <= 0.01 * abs(f_in - f_base)
