"""Faithfulness metrics on an analytic model: p(positive) = sigmoid(Σ embedding values)."""

from __future__ import annotations

import math

import pytest
import torch
from linear_model import CLS, MASK, SEP, encoding, linear_model, sigmoid

from faithlens.baselines import Baseline
from faithlens.errors import FaithlensError
from faithlens.metrics import (
    METRICS,
    aopc,
    completeness_gap,
    comprehensiveness,
    faithfulness,
    faithfulness_at,
    log_odds,
    pack,
    sufficiency,
    summarise,
    top_k_mask,
)

# ids:            PAD  CLS  SEP  MASK   4    5     6    7    8    9    10   11    12   13
VALUES = [0.0, 0.5, 0.0, -0.25, 2.0, -1.0, 0.5, 1.0, 0.3, 0.2, -0.4, 0.1, 0.7, 1.5]
MASK_BASELINE = Baseline(kind="mask", token_id=MASK, token="[MASK]")
V = dict(enumerate(VALUES))


def total(ids):
    return sum(V[i] for i in ids)


def expected(ids, chosen):
    """Closed-form metrics for the positive-predicted text `ids` with top-k positions `chosen` (standard protocol)."""
    s = total(ids)
    assert s > 0  # predicted class is positive
    replaced = s - sum(V[ids[j]] for j in chosen) + len(chosen) * V[MASK]
    deleted = s - sum(V[ids[j]] for j in chosen)
    kept = sum(V[ids[j]] for j in chosen) + sum(V[i] for i in ids if i in (CLS, SEP))
    p = sigmoid(s)
    return (math.log(sigmoid(replaced)) - math.log(p), p - sigmoid(deleted), p - sigmoid(kept))


def scores_for(enc, values_by_position):
    out = torch.zeros(enc.input_ids.shape, dtype=torch.float64)
    for b, row in enumerate(values_by_position):
        out[b, : len(row)] = torch.tensor(row, dtype=torch.float64)
    return out


def test_directions_are_declared():
    assert METRICS["log_odds"].direction == "lower"
    assert METRICS["comprehensiveness"].direction == "higher"
    assert METRICS["sufficiency"].direction == "lower"
    assert METRICS["delta"].direction == "lower"


def test_pure_functions():
    p, q = torch.tensor([0.9]), torch.tensor([0.6])
    assert torch.allclose(log_odds(log_p_original=p.log(), log_p_replaced=q.log()), (q / p).log())
    assert torch.allclose(comprehensiveness(p_original=p, p_deleted=q), torch.tensor([0.3]))
    assert torch.allclose(sufficiency(p_original=p, p_kept=q), torch.tensor([0.3]))
    gap = completeness_gap(score_sum=torch.tensor(1.0), f_input=torch.tensor(3.0), f_baseline=torch.tensor(1.5))
    assert float(gap) == pytest.approx(0.5)


def test_standard_protocol_exact_values():
    # 8 words: L' = 8 -> k = floor(1.6) = 1; the top score is on the word with id 13 (position 8).
    ids = [CLS, 4, 5, 6, 7, 8, 9, 12, 13, SEP]
    scores = [0.0, 0.3, -0.5, 0.1, 0.2, 0.0, 0.05, 0.25, 0.9, 0.0]
    enc = encoding([ids])
    out = faithfulness(linear_model(VALUES), enc, scores_for(enc, [scores]), baseline=MASK_BASELINE)
    lo, comp, suff = expected(ids, [8])
    assert out.k.tolist() == [1]
    assert float(out.log_odds[0]) == pytest.approx(lo, abs=1e-12)
    assert float(out.comprehensiveness[0]) == pytest.approx(comp, abs=1e-12)
    assert float(out.sufficiency[0]) == pytest.approx(suff, abs=1e-12)


def test_reference_protocol_counts_and_selects_specials():
    # L = 10 with specials -> k = 2; [CLS] carries the top score, so it is replaced/deleted/kept.
    ids = [CLS, 4, 5, 6, 7, 8, 9, 12, 13, SEP]
    scores = [5.0, 0.3, -0.5, 0.1, 0.2, 0.0, 0.05, 0.25, 0.9, 0.0]
    enc = encoding([ids])
    out = faithfulness(linear_model(VALUES), enc, scores_for(enc, [scores]), baseline=MASK_BASELINE, protocol="reference")
    assert out.k.tolist() == [2]
    s = total(ids)
    chosen = V[CLS] + V[13]
    p = sigmoid(s)
    assert float(out.log_odds[0]) == pytest.approx(math.log(sigmoid(s - chosen + 2 * V[MASK])) - math.log(p), abs=1e-12)
    assert float(out.comprehensiveness[0]) == pytest.approx(p - sigmoid(s - chosen), abs=1e-12)
    assert float(out.sufficiency[0]) == pytest.approx(p - sigmoid(chosen), abs=1e-12)  # [SEP] dropped
    standard = faithfulness(linear_model(VALUES), enc, scores_for(enc, [scores]), baseline=MASK_BASELINE)
    assert standard.k.tolist() == [1]  # specials neither counted nor eligible


def test_k_zero_is_not_measured():
    """k = 0 removes nothing: NaN (not a 0 that an average would count as a measurement), as evaluate records null."""
    ids = [CLS, 4, 5, 13, SEP]  # 3 words: floor(0.6) = 0
    enc = encoding([ids])
    out = faithfulness(linear_model(VALUES), enc, scores_for(enc, [[0, 1, 2, 3, 0]]), baseline=MASK_BASELINE)
    assert out.k.tolist() == [0]
    assert all(torch.isnan(t).all() for t in (out.log_odds, out.comprehensiveness, out.sufficiency))
    ref = faithfulness(linear_model(VALUES), enc, scores_for(enc, [[0, 1, 2, 3, 0]]), baseline=MASK_BASELINE,
                       protocol="reference")
    assert ref.k.tolist() == [1]  # 5 tokens with specials: floor(1.0) = 1
    lo, comp, suff = expected(ids, [3])
    assert float(ref.comprehensiveness[0]) == pytest.approx(comp, abs=1e-12)


def test_ties_go_to_the_earlier_token():
    scores = torch.tensor([[0.0, 1.0, 3.0, 3.0, 3.0, 0.0]])
    eligible = torch.tensor([[False, True, True, True, True, False]])
    assert top_k_mask(scores, eligible, fraction=0.5).tolist() == [[False, False, True, True, False, False]]
    assert top_k_mask(scores, eligible, fraction=0.0).sum() == 0
    # Ineligible positions never enter, even with the highest score.
    assert not top_k_mask(torch.tensor([[9.0, 1.0, 0.0]]), torch.tensor([[False, True, True]]), fraction=1.0)[0, 0]


def test_negative_prediction_uses_the_predicted_class():
    ids = [CLS, 5, 10, 5, 10, 5, SEP]  # Σ = 0.5 - 3 - 0.8 < 0: predicted negative; L' = 5 -> k = 1
    enc = encoding([ids])
    out = faithfulness(linear_model(VALUES), enc, scores_for(enc, [[0, 0.1, 0.9, 0.2, 0.3, 0.4, 0]]), baseline=MASK_BASELINE)
    s = total(ids)
    q = 1 - sigmoid(s)  # p(negative)
    assert out.predicted[:, 0].tolist() == [0]
    assert float(out.comprehensiveness[0]) == pytest.approx(q - (1 - sigmoid(s - V[10])), abs=1e-12)


def test_padding_and_batching_do_not_change_values():
    model = linear_model(VALUES)
    a = [CLS, 4, 5, 6, 7, 8, 9, 12, 13, SEP]
    b = [CLS, 13, 5, 7, 6, 12, SEP]
    sa = [0, 0.3, -0.5, 0.1, 0.2, 0.0, 0.05, 0.25, 0.9, 0]
    sb = [0, 0.1, 0.7, 0.3, -1, 0.2, 0]
    both = encoding([a, b])
    together = faithfulness(model, both, scores_for(both, [sa, sb]), baseline=MASK_BASELINE, rows_per_chunk=3)
    for i, (ids, s) in enumerate([(a, sa), (b, sb)]):
        alone_enc = encoding([ids])
        alone = faithfulness(model, alone_enc, scores_for(alone_enc, [s]), baseline=MASK_BASELINE)
        for name in ("log_odds", "comprehensiveness", "sufficiency"):
            assert float(getattr(together, name)[i]) == pytest.approx(float(getattr(alone, name)[0]), abs=1e-12)


def test_zero_baseline_replaces_with_zero_vector():
    ids = [CLS, 4, 5, 6, 7, 8, SEP]  # 5 words -> k = 1, top = id 4 (value 2)
    enc = encoding([ids])
    out = faithfulness(linear_model(VALUES), enc, scores_for(enc, [[0, 1, 0, 0, 0, 0, 0]]),
                       baseline=Baseline(kind="zero", token_id=None, token=None))
    s = total(ids)
    assert float(out.log_odds[0]) == pytest.approx(math.log(sigmoid(s - 2.0)) - math.log(sigmoid(s)), abs=1e-12)


def test_aopc_is_the_mean_over_fractions():
    ids = [CLS, 4, 5, 6, 7, 8, 9, 12, 13, SEP]
    enc = encoding([ids])
    scores = scores_for(enc, [[0, 0.3, -0.5, 0.1, 0.2, 0.0, 0.05, 0.25, 0.9, 0]])
    model = linear_model(VALUES)
    curve = aopc(model, enc, scores, baseline=MASK_BASELINE, fractions=(0.2, 0.5))
    one = [faithfulness(model, enc, scores, baseline=MASK_BASELINE, fraction=f).comprehensiveness for f in (0.2, 0.5)]
    assert float(curve["comprehensiveness"][0]) == pytest.approx(float((one[0] + one[1]) / 2))


def test_several_fractions_in_one_forward_equal_separate_calls_and_score_each_set_once(monkeypatch):
    import faithlens.metrics as metrics

    model = linear_model(VALUES)
    a = [CLS, 4, 5, 6, 7, 8, 9, 12, 13, SEP]  # 8 words: k = 0, 1, 1, 4 at 0.1, 0.2, 0.2, 0.5
    b = [CLS, 13, 5, SEP]  # 2 words: k = 0, 0, 0, 1
    sa = [0, 0.3, -0.5, 0.1, 0.2, 0.0, 0.05, 0.25, 0.9, 0]
    sb = [0, 0.1, 0.7, 0]
    enc = encoding([a, b])
    scores = scores_for(enc, [sa, sb])
    fractions = (0.1, 0.2, 0.2, 0.5)
    rows = []
    real = metrics.log_p_of
    monkeypatch.setattr(metrics, "log_p_of", lambda m, r, **kw: rows.append(len(r.embeds)) or real(m, r, **kw))
    together = faithfulness_at(model, enc, scores, baseline=MASK_BASELINE, fractions=fractions, rows_per_chunk=3)
    # distinct (text, top-k set) pairs: a: k 0, 1, 4 (three sets); b: k 0, 1 (two sets) -> 2 originals + 3 · 5
    assert rows == [2 + 3 * 5]
    for f, got in zip(fractions, together):
        alone = faithfulness(model, enc, scores, baseline=MASK_BASELINE, fraction=f)
        for name in ("log_odds", "comprehensiveness", "sufficiency", "k"):
            torch.testing.assert_close(getattr(got, name), getattr(alone, name), rtol=0, atol=0, equal_nan=True)  # k = 0: NaN
    ids_a = [CLS, 4, 5, 6, 7, 8, 9, 12, 13, SEP]
    assert float(together[3].comprehensiveness[0]) == pytest.approx(expected(ids_a, [8, 1, 7, 4])[1], abs=1e-12)


def test_pack_keeps_order_and_reindexes():
    keep = torch.tensor([[True, False, True, True, False]])
    index, mask = pack(keep)
    assert index[0, :3].tolist() == [0, 2, 3] and mask.tolist() == [[1, 1, 1, 0, 0]]
    index, mask = pack(keep, left=True)
    assert index[0, 2:].tolist() == [0, 2, 3] and mask.tolist() == [[0, 0, 1, 1, 1]]


def test_summarise_and_errors():
    s = summarise([1.0, 2.0, 3.0])
    assert s["mean"] == 2.0 and s["n"] == 3 and s["sem"] == pytest.approx(1 / math.sqrt(3))
    assert summarise([])["n"] == 0
    enc = encoding([[CLS, 4, SEP]])
    with pytest.raises(FaithlensError, match="protocol"):
        faithfulness(linear_model(VALUES), enc, torch.zeros(1, 3), baseline=MASK_BASELINE, protocol="paper")
    with pytest.raises(FaithlensError, match="shape"):
        faithfulness(linear_model(VALUES), enc, torch.zeros(1, 4), baseline=MASK_BASELINE)
    with pytest.raises(FaithlensError, match="fraction"):
        faithfulness(linear_model(VALUES), enc, torch.zeros(1, 3), baseline=MASK_BASELINE, fraction=1.5)
