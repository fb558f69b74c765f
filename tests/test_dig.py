"""DIG: neighbour graph, GREEDY/MAXCOUNT anchors worked out by hand, monotone paths, exact on linear models."""

from __future__ import annotations

import pytest
import torch
from linear_model import CLS, MASK, SEP, SumLinear, encoding
from tiny import tiny

from faithlens.baselines import baseline_embeddings, resolve_baseline
from faithlens.batching import Batch
from faithlens.encoding import encode
from faithlens.methods import METHODS, Options
from faithlens.methods import dig as dig_module
from faithlens.methods.dig import (
    cached_anchors,
    discrete_path_attribution,
    find_anchors,
    is_monotone,
    knn_graph,
    knn_graph_of,
    make_dig,
    monotone_dims,
    monotonic_path,
    monotonise,
)
from faithlens.model import ClassifierModel
from faithlens.scores import score_function

target_logit = score_function("logit")

# A hand-made 3-d vocabulary. 0 is the baseline (origin), 1 the input word (4, 4, 4).
# 2 = (4.01, 4.01, 3): two dimensions just past the input -> small monotonisation change, 1 monotone dim.
# 3 = (8, 3, 3): one dimension far past the input -> large change, but 2 monotone dims.
HAND = torch.tensor([[0.0, 0.0, 0.0], [4.0, 4.0, 4.0], [4.01, 4.01, 3.0], [8.0, 3.0, 3.0]], dtype=torch.float64)


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("FAITHLENS_HOME", str(tmp_path))


def test_knn_graph_is_sorted_and_excludes_self():
    g = knn_graph_of(HAND, 500)
    assert g.shape == (4, 3)  # k clamped to V - 1
    assert g[1].tolist() == [2, 3, 0]  # distances 1.0001, 4.24, 6.93
    assert g[2].tolist() == [1, 3, 0]
    assert g[3].tolist() == [2, 1, 0]
    assert not (g == torch.arange(4)[:, None]).any()


def test_knn_graph_chunking_matches_brute_force():
    E = torch.randn(50, 7, generator=torch.Generator().manual_seed(0))
    d = torch.cdist(E, E) + torch.diag(torch.full((50,), float("inf")))
    assert torch.equal(knn_graph_of(E, 5, chunk=7), d.topk(5, largest=False).indices)


def test_monotonise_by_hand():
    b, r = torch.zeros(3, dtype=torch.float64), HAND[1]
    assert monotone_dims(HAND[2], b, r).tolist() == [False, False, True]
    assert monotone_dims(HAND[3], b, r).tolist() == [False, True, True]
    # Non-monotone dimensions go to r - (r - b)/m = 4 - 4/4 = 3 for m = 4.
    assert monotonise(HAND[3], b, r, steps=4).tolist() == [3.0, 3.0, 3.0]


def test_greedy_and_maxcount_anchors_by_hand():
    g = knn_graph_of(HAND, 3)
    b = HAND[0]
    # GREEDY, step 1 from 1: change of 2 is |4.01-2.667|·√2 = 1.90 < change of 3 = |8-2.667| = 5.33 -> 2.
    # Step 2 from 2: neighbours 1 (on the path), 3, 0 (baseline) -> 3. Step 3 from 3: none left -> baseline.
    greedy = find_anchors(HAND, g, torch.tensor([1]), baseline=b, baseline_id=0, steps=3, strategy="greedy")
    assert greedy.tolist() == [[2, 3, -1]]
    # MAXCOUNT, step 1: 3 has 2 monotone dims, 2 has 1 -> 3. Step 2 from 3: 2. Then the baseline.
    maxcount = find_anchors(HAND, g, torch.tensor([1]), baseline=b, baseline_id=0, steps=3, strategy="maxcount")
    assert maxcount.tolist() == [[3, 2, -1]]


def test_maxcount_ties_go_to_the_nearest_neighbour():
    E = torch.tensor([[0.0, 0.0], [4.0, 4.0], [3.0, 5.0], [5.0, 1.0]], dtype=torch.float64)  # 2 and 3: one monotone dim each
    g = knn_graph_of(E, 3)
    assert g[1].tolist()[:2] == [2, 3]  # 2 is nearer (√2 < √10)
    anchors = find_anchors(E, g, torch.tensor([1]), baseline=E[0], baseline_id=0, steps=1, strategy="maxcount")
    assert anchors.tolist() == [[2]]


def test_path_by_hand_and_upscaling():
    anchors = torch.tensor([[2, 3, -1]])
    b = HAND[0]
    P = monotonic_path(HAND, torch.tensor([1]), anchors, baseline=b, steps=3)
    assert P.shape == (1, 5, 3)  # m + 2 points
    assert torch.equal(P[0, 0], b) and torch.equal(P[0, -1], HAND[1])
    first = monotonise(HAND[2], b, HAND[1], steps=3)  # (2.667, 2.667, 3)
    assert torch.allclose(P[0, 3], first)
    assert torch.allclose(P[0, 2], monotonise(HAND[3], b, first, steps=3))
    up = monotonic_path(HAND, torch.tensor([1]), anchors, baseline=b, steps=3, factor=2)
    assert up.shape == (1, 17, 3)  # 2^f (m + 1) + 1
    assert torch.allclose(up[0, ::4], P[0])
    assert torch.allclose(up[0, 1], (P[0, 0] * 3 + P[0, 1]) / 4)


def test_every_built_path_is_monotone():
    model = tiny("bert", dtype=torch.float64)
    E = model.embedding_matrix.detach()
    g = knn_graph_of(E, 20)
    ids = torch.arange(5, E.shape[0])
    for strategy in ("greedy", "maxcount"):
        for base_id in (model.tokenizer.mask_token_id, model.tokenizer.pad_token_id):
            anchors = find_anchors(E, g, ids, baseline=E[base_id], baseline_id=base_id, steps=10, strategy=strategy)
            assert ((anchors == -1) | (anchors != base_id)).all()
            for row in anchors:  # no id repeats on a path
                real = row[row >= 0]
                assert len(set(real.tolist())) == len(real)
            P = monotonic_path(E, ids, anchors, baseline=E[base_id], steps=10, factor=1)
            assert is_monotone(P).all(), (strategy, base_id)
    bent = torch.tensor([[[0.0], [2.0], [1.0]]])
    assert not is_monotone(bent).all()


def test_cached_anchors_equal_a_fresh_search_and_search_each_id_once(monkeypatch):
    model = tiny("bert", dtype=torch.float64)
    E = model.embedding_matrix.detach()
    g = knn_graph_of(E, 20)
    base_id = model.tokenizer.mask_token_id
    searched: list[int] = []
    real_search = dig_module.find_anchors

    def counting(E_, g_, ids, **kw):
        searched.extend(ids.tolist())
        return real_search(E_, g_, ids, **kw)

    monkeypatch.setattr(dig_module, "find_anchors", counting)
    first, second = torch.tensor([7, 5, 9, 7]), torch.tensor([9, 11, 5, 6])
    for ids in (first, second):
        got = cached_anchors(E, g, ids, baseline=E[base_id], baseline_id=base_id, steps=8, strategy="greedy")
        fresh = real_search(E, g, ids, baseline=E[base_id], baseline_id=base_id, steps=8, strategy="greedy", chunk=3)
        assert torch.equal(got, fresh)
    assert sorted(searched) == [5, 6, 7, 9, 11]  # each distinct id once, across both calls
    other = cached_anchors(E, g, first, baseline=E[base_id], baseline_id=base_id, steps=8, strategy="maxcount")
    assert torch.equal(other, real_search(E, g, first, baseline=E[base_id], baseline_id=base_id, steps=8, strategy="maxcount"))
    assert cached_anchors(E, g, first[:0], baseline=E[base_id], baseline_id=base_id, steps=8, strategy="greedy").shape == (0, 8)


def test_left_riemann_sum_is_exact_for_constant_gradients():
    P = torch.randn(6, 4, 3, generator=torch.Generator().manual_seed(1), dtype=torch.float64)  # (points, L, D)
    c = torch.randn(4, 3, dtype=torch.float64)
    A = discrete_path_attribution(c.expand(5, 4, 3), P)
    assert torch.allclose(A, c * (P[-1] - P[0]))  # the line integral of a linear F along any path


def _linear_batch(E, c, rows):
    model = ClassifierModel(model=SumLinear(E, c), tokenizer=None, name="linear-dig", is_causal=False, had_pad_token=True)
    enc = encoding(rows)
    W = model.embed(enc.input_ids)
    Wbar = torch.where(enc.attributed[..., None], E[MASK].expand_as(W), W)  # the [MASK] baseline
    return Batch(model=model, enc=enc, W=W, Wbar=Wbar, target=torch.ones(len(rows), 1, dtype=torch.long), score=target_logit)


def test_dig_on_a_linear_model_equals_the_exact_line_integral():
    gen = torch.Generator().manual_seed(3)
    E = torch.randn(30, 5, generator=gen, dtype=torch.float64)
    c = torch.randn(5, generator=gen, dtype=torch.float64)
    batch = _linear_batch(E, c, [[CLS, 7, 9, 11, 20, SEP], [CLS, 4, 28, SEP]])
    for strategy in ("greedy", "maxcount"):
        out = make_dig(strategy, factor=1, neighbours=10)(batch, Options(steps=6, return_attributions=True))
        exact = (batch.W - batch.Wbar) * c  # (B, L, D): F linear -> A = c ⊙ (w - w̄)
        assert torch.allclose(out.attributions, exact * batch.enc.attributed[..., None], atol=1e-12)
        assert torch.allclose(out.total_delta, torch.zeros(2, dtype=torch.float64), atol=1e-12)
        assert out.token_scores[0, 0] == 0 and out.token_scores[0, 5] == 0  # specials: constant path


def test_dig_is_registered_and_batching_invariant():
    assert "dig" in METHODS and METHODS["dig"].default_steps == 30
    model = tiny("bert", dtype=torch.float64)
    texts = ["the film was very good and fun", "a boring plot"]
    base = resolve_baseline(model, "mask")

    def run(ts, rows_per_chunk):
        enc = encode(model, ts)
        W = model.embed(enc.input_ids).detach()
        target = model.logits(W, enc.attention_mask, enc.token_type_ids).argmax(1, keepdim=True)
        batch = Batch(model=model, enc=enc, W=W, Wbar=baseline_embeddings(model, enc, base, W), target=target,
                      score=target_logit, rows_per_chunk=rows_per_chunk)
        return METHODS["dig"].fn(batch, Options(steps=8)).token_scores

    both = run(texts, 5)
    alone = run(texts[1:], 64)
    n = alone.shape[1]
    assert torch.allclose(both[1, :n], alone[0], atol=1e-10)
    assert knn_graph(model, 500).shape[1] == model.embedding_matrix.shape[0] - 1  # cached graph reused
