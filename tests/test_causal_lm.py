"""Causal LM next tokens (SPEC §9): F = Σ_j log p(y_j | prompt, y_<j), on tiny GPT-2 and LLaMA models built in code."""

import math

import pytest
import torch

from faithlens import Explainer, Explanation
from faithlens.errors import FaithlensError
from faithlens.methods import METHODS
from tiny import tiny

PROMPT = "the film was very"
TARGET = " good and fun"


def T(values):
    return torch.tensor(values, dtype=torch.float64)


@pytest.fixture(scope="module", params=["gpt2_lm", "llama_lm"])
def lm(request):
    return Explainer(tiny(request.param, dtype=torch.float64))


def ids_of(lm, prompt=PROMPT, target=TARGET):
    tok = lm.model.tokenizer
    return tok(prompt)["input_ids"], tok(target, add_special_tokens=False)["input_ids"]


def own_log_probs(model, prompt_ids, target_ids, embeds=None):
    """log p(y_j | prompt, y_<j) for every j by the model's own forward on the joined ids (teacher forcing)."""
    ids = torch.tensor([prompt_ids + target_ids])
    with torch.no_grad():
        if embeds is None:
            logits = model.model(input_ids=ids).logits
        else:
            logits = model.model(inputs_embeds=embeds).logits
    logp = torch.log_softmax(logits[0].to(torch.float64), -1)
    n = len(prompt_ids)
    return torch.stack([logp[n - 1 + j, t] for j, t in enumerate(target_ids)])


def test_F_is_the_models_own_log_probability(lm):
    e = lm.explain(PROMPT, "occlusion", target=TARGET)
    p, t = ids_of(lm)
    own = own_log_probs(lm.model, p, t)
    assert e.target["log_prob"] == pytest.approx(float(own.sum()), abs=1e-10)
    assert e.target["token_log_probs"] == pytest.approx(own.tolist(), abs=1e-10)
    assert e.target["token_ids"] == t and e.task == "causal_lm"
    assert e.target["label"] == lm.model.tokenizer.decode(t)


def test_continuation_tokens_are_never_attributed(lm):
    e = lm.explain(PROMPT, "ig", target=TARGET, steps=8)
    p, t = ids_of(lm)
    assert len(e.tokens) == len(p) + len(t) - 1  # prompt + all but the last target token are input
    n_fixed = len(t) - 1
    assert all(e.special[-n_fixed:]) and all(s == 0.0 for s in e.token_scores[-n_fixed:])
    assert [w.word for w in e.words] == PROMPT.split()


def test_closed_form_equals_occlusion_by_the_models_own_forward(lm):
    e = lm.explain(PROMPT, "sig", mode="closed", target=TARGET, unit="token")
    assert e.settings["baseline"] in ("pad", "eos")  # never the zero vector by default
    p, t = ids_of(lm)
    E = lm.model.model.get_input_embeddings().weight
    W = E[torch.tensor(p + t[:-1])][None].detach()
    base = E[lm.model.tokenizer.convert_tokens_to_ids(e.settings["baseline_token"])]
    full = float(own_log_probs(lm.model, p, t).sum())
    manual = []
    for i in range(len(p)):
        Wi = W.clone()
        Wi[0, i] = base
        manual.append(full - float(own_log_probs(lm.model, p, t, embeds=torch.cat([Wi, E[t[-1:]][None]], 1)).sum()))
    assert e.token_scores[:len(p)] == pytest.approx(manual, abs=1e-10)


@pytest.mark.parametrize("method,settings", [("sig", {"steps": 6}), ("sig", {"mode": "closed"}),
                                             ("sig", {"steps": 6, "unit": "word"}), ("ig", {"steps": 6})])
def test_prefix_cached_sig_equals_the_uncached_path(lm, monkeypatch, method, settings):
    from faithlens.batching import Batch
    from faithlens.model import ClassifierModel

    calls = []
    original = ClassifierModel._prefix_cache
    monkeypatch.setattr(ClassifierModel, "_prefix_cache", lambda self, *a: calls.append(a[0].shape) or original(self, *a))
    monkeypatch.setattr("faithlens.batching.PREFIX_SHARING_MIN_TOKENS", {"default": 0})  # share at any length
    prompts = [PROMPT, "a boring plot and awful acting was", "it"]
    shared = lm.explain(prompts, method, target=TARGET, rows_per_chunk=5, **settings)
    if method == "sig":
        assert calls and max(shape[1] for shape in calls) >= 4  # long prefixes were shared
    monkeypatch.setattr(Batch, "_shared_prefix", lambda self, b_idx, coef, cols: 0)
    full = lm.explain(prompts, method, target=TARGET, rows_per_chunk=5, **settings)
    for a, b in zip(shared, full):
        assert a.token_scores == pytest.approx(b.token_scores, abs=1e-10)


@pytest.mark.parametrize("method,settings", [("sig", {"steps": 6}), ("sig", {"mode": "closed"})])
def test_prefix_sharing_switches_on_at_the_measured_length_and_both_paths_agree(lm, monkeypatch, method, settings):
    from faithlens import batching
    from faithlens.model import ClassifierModel

    kind = lm.model.model.config.model_type
    assert batching.prefix_sharing_pays(lm.model, 10**6) and not batching.prefix_sharing_pays(lm.model, 1)
    calls = []
    original = ClassifierModel._prefix_cache
    monkeypatch.setattr(ClassifierModel, "_prefix_cache", lambda self, *a: calls.append(a[0].shape) or original(self, *a))
    prompts = [PROMPT, "a boring plot and awful acting was"]
    longest = max(len(e.tokens) for e in lm.explain(prompts, "grad_x_input", target=TARGET))
    runs = {}
    for threshold in (longest + 1, longest):  # just above the longest text: no sharing; at its length: sharing
        monkeypatch.setitem(batching.PREFIX_SHARING_MIN_TOKENS, kind, threshold)
        calls.clear()
        runs[threshold] = lm.explain(prompts, method, target=TARGET, rows_per_chunk=5, **settings)
        assert bool(calls) == (threshold <= longest)
    for a, b in zip(runs[longest + 1], runs[longest]):
        assert a.token_scores == pytest.approx(b.token_scores, abs=1e-6)


def test_per_token_matrix_rows_sum_to_each_tokens_completeness_gap(lm):
    e = lm.explain(PROMPT, "ig", target=TARGET, steps=128, per_token=True)
    p, t = ids_of(lm)
    assert len(e.per_target) == len(t)
    # F_j(w) − F_j(w̄): the continuation's own log-probabilities at the input and at the baseline
    E = lm.model.model.get_input_embeddings().weight
    base_id = lm.model.tokenizer.convert_tokens_to_ids(e.settings["baseline_token"])
    at_input = own_log_probs(lm.model, p, t)
    at_base = own_log_probs(lm.model, [base_id] * len(p), t)
    for j, row in enumerate(e.per_target):
        assert sum(row) == pytest.approx(float(at_input[j] - at_base[j]), abs=2e-3)
        assert all(s == 0.0 for s, sp in zip(row, e.special) if sp)
    assert sum(e.token_scores) - e.total_delta == pytest.approx(float((at_input - at_base).sum()), abs=1e-6)


@pytest.mark.parametrize("method,settings", [("ig", dict(steps=8)), ("sig", dict(steps=4)), ("sig", dict(mode="closed")),
                                             ("grad_x_input", {}), ("occlusion", {})])
def test_summed_explanation_from_the_token_rows_equals_a_run_on_the_summed_F(lm, method, settings):
    """With per_token, methods linear in F build the explanation of Σ_j F_j from the rows (one run, not two):
    it must equal explaining Σ_j F_j directly (LLaMA's RMSNorm computes in float32 even in a float64 model)."""
    rows = lm.explain(PROMPT, method, target=TARGET, per_token=True, **settings)
    direct = lm.explain(PROMPT, method, target=TARGET, **settings)
    assert len(rows.per_target) == 3
    assert rows.token_scores == pytest.approx(direct.token_scores, abs=1e-6)
    assert T(rows.per_target).sum(0).tolist() == pytest.approx(direct.token_scores, abs=1e-6)
    assert [w.score for w in rows.words] == pytest.approx([w.score for w in direct.words], abs=1e-6)
    for name in ("total_delta", "deltas"):
        mine, theirs = getattr(rows, name), getattr(direct, name)
        assert (mine is None) == (theirs is None)
        if mine is not None:
            assert mine == pytest.approx(theirs, abs=1e-6)


def test_single_token_per_token_matrix_is_the_explanation(lm):
    e = lm.explain(PROMPT, "sig", target=" good", steps=4, per_token=True)
    assert e.per_target == (e.token_scores,)


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_method_runs(lm, method):
    e = lm.explain(PROMPT, method, target=TARGET, steps=4)
    assert torch.isfinite(T(e.token_scores)).all() and T(e.token_scores).abs().sum() > 0


def test_generation_when_no_target(lm):
    e = lm.explain(PROMPT, "occlusion", max_new_tokens=3)
    p, _ = ids_of(lm)
    with torch.no_grad():
        greedy = lm.model.model.generate(input_ids=torch.tensor([p]), max_new_tokens=3, do_sample=False,
                                         pad_token_id=lm.model.tokenizer.pad_token_id)[0, len(p):].tolist()
    assert e.target["token_ids"] == greedy
    assert any("generated" in w for w in e.warnings)


def test_json_round_trip_with_matrix(lm):
    e = lm.explain(PROMPT, "ig", target=TARGET, steps=4, per_token=True)
    assert Explanation.from_json(e.to_json()) == e


def test_zero_baseline_is_refused_on_rmsnorm_models_and_allowed_on_layernorm():
    llama = Explainer(tiny("llama_lm", dtype=torch.float64))
    with pytest.raises(FaithlensError, match="zero.*RMSNorm"):
        llama.explain(PROMPT, "ig", target=TARGET, baseline="zero", steps=4)
    gpt2 = Explainer(tiny("gpt2_lm", dtype=torch.float64))
    e = gpt2.explain(PROMPT, "ig", target=TARGET, baseline="zero", steps=4)
    assert torch.isfinite(T(e.token_scores)).all()


def test_default_baseline_without_a_pad_token_is_eos():
    model = tiny("gpt2_lm", dtype=torch.float64, gpt2_pad=False)
    e = Explainer(model).explain(PROMPT, "occlusion", target=TARGET)
    assert e.settings["baseline"] == "eos" and e.settings["baseline_token"] == "</s>"


def test_pairs_and_bad_targets_get_clear_errors(lm):
    with pytest.raises(FaithlensError, match="single prompts"):
        lm.explain(("a", "b"), "occlusion", target=TARGET)
    with pytest.raises(FaithlensError, match="continuation text"):
        lm.explain(PROMPT, "occlusion", target=3)
    with pytest.raises(FaithlensError, match="per_token"):
        Explainer(tiny("bert")).explain("good", "occlusion", per_token=True)


def test_matrix_views_show_each_generated_token(lm):
    from faithlens.views import render_terminal
    from faithlens.views.html import explanation_html
    from faithlens.views.parts import target_matrix

    e = lm.explain(PROMPT, "occlusion", target=TARGET, per_token=True)
    m = target_matrix(e)
    assert m.words == PROMPT.split() and len(m.tokens) == len(e.per_target) == 3
    for j, row in enumerate(e.per_target):  # word cells are sums of their tokens' scores
        assert [r[j] for r in m.raw] == pytest.approx([sum(row[t] for t in w.tokens) for w in e.words], abs=1e-12)
        assert sum(r[j] ** 2 for r in m.normalised) == pytest.approx(1.0, abs=1e-9)
    text = render_terminal([e], colour=False)
    assert "per generated token" in text and f"{m.normalised[0][0]:+.2f}" in text.splitlines()[-4]
    page = explanation_html(e)
    assert page.count('class="matrix"') == 1 and page.count("data-norm") >= 3 * 4


def test_forward_mode_on_a_left_padded_batch_equals_reverse(lm):
    """torch's forward-mode AD meets no all-masked row: a short prompt's rows never share a chunk with a long one's."""
    prompts = [PROMPT, "it"]
    fwd = lm.explain(prompts, "sig", target=TARGET, steps=6, mode="forward", rows_per_chunk=5)
    rev = lm.explain(prompts, "sig", target=TARGET, steps=6, mode="reverse", rows_per_chunk=5)
    for a, b in zip(fwd, rev):  # LLaMA's RMSNorm computes in float32 even in a float64 model
        assert a.token_scores == pytest.approx(b.token_scores, abs=1e-5)
    assert lm.explain(PROMPT, "sig", target=TARGET, steps=4).settings["mode"] == "reverse"  # auto: reverse for LMs


LONG_TARGET = " good and fun, a long and happy story"  # more tokens than the prompt (issue 22, H1)


def test_faithfulness_for_a_continuation_longer_than_the_prompt_equals_the_models_own_forward(lm):
    """Comp and suff by hand: the top-k prompt tokens deleted / kept, the continuation's
    log p by the model's own forward on the joined ids (positions restart at 0, as packed rows do)."""
    e = lm.explain(PROMPT, "occlusion", target=LONG_TARGET, faithfulness=True)
    p, t = ids_of(lm, target=LONG_TARGET)
    assert len(t) > len(p)
    f = e.faithfulness
    eligible = [i for i in range(len(p)) if not e.special[i]]
    k = f["k"]
    assert k >= 1
    top = sorted(eligible, key=lambda i: (-e.token_scores[i], i))[:k]  # ties: the earlier token first
    lp = lambda ids: float(own_log_probs(lm.model, ids, t).sum())  # noqa: E731
    original = lp(p)
    deleted = lp([x for i, x in enumerate(p) if i not in top])
    kept = lp([x for i, x in enumerate(p) if i in top or e.special[i]])
    assert f["comp"] == pytest.approx(math.exp(original) - math.exp(deleted), abs=1e-12)
    assert f["suff"] == pytest.approx(math.exp(original) - math.exp(kept), abs=1e-12)


def test_faithfulness_with_k_zero_on_a_long_continuation_runs():
    """A 3-token prompt (k = 0 at 20 %): every kept row holds only the continuation's J − 1 input tokens, a
    whole chunk of them once 20 random orderings are added; it crashed ('shape ... is invalid')."""
    x = Explainer(tiny("gpt2_lm", dtype=torch.float64))
    e = x.explain("the film", "occlusion", target=" positive and very long continuation", faithfulness=True)
    assert e.faithfulness["k"] == 0 and e.faithfulness["comp"] is None and e.faithfulness["beats_random"] is None


LONG_PROMPT = " ".join([PROMPT + " good and fun, but"] * 30)  # far past the tiny models' 64 positions


@pytest.mark.parametrize("target", [dict(target=TARGET), dict(max_new_tokens=2)])
def test_truncate_keeps_the_prompts_last_tokens_and_equals_explaining_them_directly(lm, target):
    """A causal LM's prompt is truncated from the left (the tokens nearest the continuation), leaving room for the
    continuation's input tokens; the result is the explanation of the kept text itself, word for word."""
    e = lm.explain(LONG_PROMPT, "ig", steps=4, truncate=True, faithfulness=True, **target)
    assert e.truncated and any("truncated from the left" in w for w in e.warnings)
    assert lm.model.max_length - 3 <= len(e.tokens) <= lm.model.max_length  # prompt + continuation input; a word's tokens
    assert all(e.special[len(e.tokens) - len(e.target["token_ids"]) + 1:])  # the continuation's, never attributed
    start = min(o[0] for o, s in zip(e.offsets, e.special) if not s)
    assert 0 < start and LONG_PROMPT[:start].endswith(("good", "fun,", "but", "film", "was", "very", "and", "the"))
    assert max(o[1] for o, s in zip(e.offsets, e.special) if not s) == len(LONG_PROMPT)  # the prompt's end is kept
    direct = lm.explain(LONG_PROMPT[start:], "ig", steps=4, target=TARGET if "target" in target else None,
                        faithfulness=True, **({} if "target" in target else target))
    assert not direct.truncated and direct.tokens == e.tokens
    assert direct.target["token_ids"] == e.target["token_ids"]
    torch.testing.assert_close(T(e.token_scores), T(direct.token_scores), rtol=1e-9, atol=1e-12)
    for name in ("comp", "suff", "log_odds"):  # faithfulness re-encodes the truncated prompt the same way
        assert e.faithfulness[name] == pytest.approx(direct.faithfulness[name], rel=1e-9, abs=1e-12)
    together = lm.explain([PROMPT, LONG_PROMPT], "ig", steps=4, truncate=True, **target)  # batching changes nothing
    torch.testing.assert_close(T(together[1].token_scores), T(e.token_scores), rtol=1e-9, atol=1e-12)


def test_a_long_prompt_without_truncate_names_the_last_tokens(lm):
    with pytest.raises(FaithlensError, match="keep the prompt's last tokens") as info:
        lm.explain(LONG_PROMPT, "occlusion", target=TARGET)
    assert "first tokens" not in str(info.value)
    with pytest.raises(FaithlensError, match="leaves no room for the prompt"):
        lm.explain(PROMPT, "occlusion", target=" good" * 80, truncate=True)
