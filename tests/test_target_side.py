"""Target-side attribution for causal LMs (inseq's attribute_target): each generated token's
log-probability attributed to the prompt and to the generated tokens before it."""

import json

import pytest
import torch
from test_causal_lm import PROMPT, TARGET, ids_of, own_log_probs
from test_smollm2 import needs_smollm2
from tiny import tiny

from faithlens import Explainer, Explanation
from faithlens.errors import FaithlensError


@pytest.fixture(scope="module", params=["gpt2_lm", "llama_lm"])
def lm(request):
    return Explainer(tiny(request.param, dtype=torch.float64))


def _embeds(lm, p, t):
    E = lm.model.model.get_input_embeddings().weight.detach()
    return E, E[torch.tensor(p + t)][None].clone()


def test_closed_form_rows_equal_leave_one_out_of_each_earlier_token(lm):
    """Row j, column of y_i (i < j) = F_j(w) − F_j(w with y_i's row at the baseline), by the model's own forward;
    columns of y_≥j exactly 0; prompt columns as without target_side."""
    e = lm.explain(PROMPT, "sig", mode="closed", unit="token", target=TARGET, per_token=True, target_side=True)
    p, t = ids_of(lm)
    E, W = _embeds(lm, p, t)
    base = E[lm.model.tokenizer.convert_tokens_to_ids(e.settings["baseline_token"])]
    full = own_log_probs(lm.model, p, t)
    J, n = len(t), len(p)
    assert J == 3 and len(e.per_target) == J and e.settings["target_side"] is True
    for j in range(J):
        row = e.per_target[j]
        for col in range(n + J - 1):
            Wi = W.clone()
            Wi[0, col] = base
            expected = float(full[j] - own_log_probs(lm.model, p, t, embeds=Wi)[j])
            if col < n + j:  # prompt tokens and y_<j
                assert row[col] == pytest.approx(expected, abs=1e-10)
            else:
                assert row[col] == 0.0  # y_≥j: exactly zero (and so is the model's own difference)
                assert expected == pytest.approx(0.0, abs=1e-12)
        assert any(abs(row[n + i]) > 1e-6 for i in range(j))  or j == 0  # the lower triangle is filled
    plain = lm.explain(PROMPT, "sig", mode="closed", unit="token", target=TARGET, per_token=True)
    assert e.token_scores == pytest.approx(plain.token_scores, abs=1e-12)  # Σ_j F_j stays prompt-only
    for a, b in zip(e.per_target, plain.per_target):  # prompt columns: the same leave-one-out differences
        assert a[:n] == pytest.approx(b[:n], abs=1e-10)


def test_ig_rows_are_complete_over_the_prompt_and_earlier_tokens(lm):
    """IG moves the prompt and y_<j together: row j sums to F_j(w) − F_j(prompt and y_<j at the baseline)."""
    e = lm.explain(PROMPT, "ig", target=TARGET, steps=128, per_token=True, target_side=True)
    p, t = ids_of(lm)
    E, W = _embeds(lm, p, t)
    base = E[lm.model.tokenizer.convert_tokens_to_ids(e.settings["baseline_token"])]
    full = own_log_probs(lm.model, p, t)
    bos = set(i for i, s in enumerate(e.special[:len(p)]) if s)  # a BOS token keeps its own embedding
    for j, row in enumerate(e.per_target):
        Wb = W.clone()
        for col in range(len(p) + j):
            if col not in bos:
                Wb[0, col] = base
        gap = float(full[j] - own_log_probs(lm.model, p, t, embeds=Wb)[j])
        assert sum(row) == pytest.approx(gap, abs=2e-3)
        assert all(v == 0.0 for v in row[len(p) + j:])


@pytest.mark.parametrize("method,settings", [("occlusion", {}), ("ig", {"steps": 6}), ("sig", {"steps": 4, "unit": "word"}),
                                             ("grad_x_input", {})])
def test_batching_invariance(lm, method, settings):
    prompts = [PROMPT, "a boring plot and awful acting was", "it"]
    together = lm.explain(prompts, method, target=TARGET, per_token=True, target_side=True, **settings)
    for text, e in zip(prompts, together):
        alone = lm.explain(text, method, target=TARGET, per_token=True, target_side=True, **settings)
        for a, b in zip(e.per_target, alone.per_target):
            assert a == pytest.approx(b, abs=1e-9)


def test_json_round_trip_and_views_show_the_generated_rows(lm):
    from faithlens.views.html import matrix_html
    from faithlens.views.parts import target_matrix
    from faithlens.views.terminal import render_matrix

    e = lm.explain(PROMPT, "occlusion", target=TARGET, per_token=True, target_side=True)
    back = Explanation.from_json(e.to_json())
    assert back == e and json.loads(e.to_json())["settings"]["target_side"] is True
    m = target_matrix(e)
    words = PROMPT.split()
    assert m.words[:len(words)] == words and len(m.words) == len(words) + 2  # + y_1, y_2 as rows
    assert m.generated == 2
    assert m.blank[len(words)] == [True, False, False] and m.blank[len(words) + 1] == [True, True, False]
    assert m.raw[len(words) + 1][2] == e.per_target[2][-1] and m.raw[len(words)][0] == 0.0
    lines = render_matrix(e, colour=False)
    assert any("→" in line for line in lines) and "prompt and earlier generated tokens" in lines[0]
    assert matrix_html(e).count('<td class="num blank">') == 3


def test_target_side_needs_per_token_and_a_causal_lm(lm):
    with pytest.raises(FaithlensError, match="per_token=True"):
        lm.explain(PROMPT, "occlusion", target=TARGET, target_side=True)
    with pytest.raises(FaithlensError, match="per_token"):
        Explainer(tiny("bert")).explain("good", "occlusion", per_token=True, target_side=True)


@pytest.mark.slow
@needs_smollm2
def test_smollm2_target_side_entry_equals_its_own_leave_one_out():
    lm = Explainer("smollm2")
    e = lm.explain("Roses are red, violets are", "occlusion", target=" blue and", per_token=True, target_side=True)
    p, t = ids_of(lm, "Roses are red, violets are", " blue and")
    assert len(t) == 2 and len(e.per_target) == 2
    E, W = _embeds(lm, p, t)
    base = E[lm.model.tokenizer.convert_tokens_to_ids(e.settings["baseline_token"])]
    full = own_log_probs(lm.model, p, t)
    Wi = W.clone()
    Wi[0, len(p)] = base  # " blue" at the baseline
    expected = float(full[1] - own_log_probs(lm.model, p, t, embeds=Wi)[1])
    assert e.per_target[1][len(p)] == pytest.approx(expected, abs=2e-4)  # float32
    assert abs(expected) > 1e-2 and e.per_target[0][len(p)] == 0.0
