"""Per-explanation faithfulness against random word orderings (faithlens.trust) on tiny and analytic models."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import torch
from tiny import analytic, tiny

from faithlens import Explainer
from faithlens.baselines import resolve_baseline
from faithlens.errors import FaithlensError
from faithlens.explanation import Explanation
from faithlens.metrics import encoding_of, explanation_faithfulness, faithfulness, scores_on_encoding
from faithlens.trust import explanation_trust, random_word_scores
from faithlens.views.parts import comparison_lines, trust_line, word_agreement

TEXTS = ["the film was very good and fun", "a boring plot and awful acting with terrible actors"]


@pytest.fixture(scope="module")
def linear():
    return Explainer(analytic("linear"))


def _oracle(model, e: Explanation, sign: float = 1.0) -> Explanation:
    """Token scores w_t·(θ_ŷ − θ_other): deleting the top k by them removes the most of p(ŷ) (the logit gap is a sum)."""
    enc = encoding_of(model, [e])
    W = model.embed(enc.input_ids)[0, enc.real_positions(0)]  # (T, D)
    theta = model.model.theta.detach()
    y = e.prediction["index"]
    scores = (W @ (theta[y] - theta[1 - y])).masked_fill(torch.tensor(e.special), 0.0)
    return replace(e, token_scores=tuple((sign * scores).tolist()))


def test_random_orderings_match_a_direct_computation_and_the_oracle_beats_them(linear):
    model = linear.model
    base = resolve_baseline(model, "mask")
    e = _oracle(model, linear.explain(TEXTS[1], "grad_x_input"))
    worst = _oracle(model, e, sign=-1.0)
    good, bad = explanation_trust(model, [e, worst], baseline=base, n_random=12, seed=3, fraction=0.3)
    # the same 12 orderings, scored one by one through metrics.faithfulness
    enc = encoding_of(model, [e])
    pos = enc.real_positions(0)
    rand = random_word_scores(len(pos), [w.tokens for w in e.words], e.special, n=12, seed=3)
    comps = []
    for r in range(12):
        grid = torch.zeros(1, enc.input_ids.shape[1], dtype=torch.float64)
        grid[0, pos] = rand[r]
        comps.append(float(faithfulness(model, enc, grid, baseline=base, fraction=0.3).comprehensiveness[0]))
    own = float(explanation_faithfulness(model, [e], baseline=base, fraction=0.3).comprehensiveness[0])
    assert good["comp"] == pytest.approx(own, abs=1e-12)
    assert good["random"]["comp"] == pytest.approx(sum(comps) / 12, abs=1e-12)
    assert good["k"] == 2 and good["random"]["n"] == 12 and good["random"]["seed"] == 3
    assert own >= max(comps) - 1e-12  # no set of k words removes more than the oracle's
    wins = sum(own > c + 1e-12 for c in comps) + 0.5 * sum(abs(own - c) <= 1e-12 for c in comps)
    assert good["beats_random"] == pytest.approx(wins / 12)
    assert good["beats_random"] > 0.5 > bad["beats_random"]
    assert bad["comp"] <= min(comps) + 1e-12


def test_random_word_scores_keep_words_together_and_are_seeded():
    words = [(1, 2), (3,), (4, 5, 6)]
    special = [True, False, False, False, False, False, False, True]
    a = random_word_scores(8, words, special, n=5, seed=7)
    assert torch.equal(a, random_word_scores(8, words, special, n=5, seed=7))
    assert not torch.equal(a, random_word_scores(8, words, special, n=5, seed=8))
    assert torch.equal(a[:, 1], a[:, 2]) and torch.equal(a[:, 4], a[:, 6])
    assert (a[:, 0] == 0).all() and (a[:, 7] == 0).all()


@pytest.mark.parametrize("kind, item", [
    ("bert", TEXTS[0]),
    ("bert", ("the film was good", "it was fun")),
    ("roberta", TEXTS[1]),
    ("bert_qa", ("who was good", "the film was very good and the acting was great")),
    ("gpt2_lm", "the film was very good and"),
    ("multi", TEXTS[0]),
])
def test_every_task_gets_the_metrics_evaluate_computes(kind, item):
    model = tiny("bert", num_labels=3, problem_type="multi_label_classification") if kind == "multi" else tiny(kind)
    ex = Explainer(model)
    e = ex.explain(item, "grad_x_input", faithfulness=True, n_random=6)
    f = e.faithfulness
    direct = explanation_faithfulness(model, [e], baseline=resolve_baseline(model, e.settings["baseline"]))
    assert f["comp"] == pytest.approx(float(direct.comprehensiveness[0]), abs=1e-6)
    assert f["suff"] == pytest.approx(float(direct.sufficiency[0]), abs=1e-6)
    assert f["log_odds"] == pytest.approx(float(direct.log_odds[0]), abs=1e-6)
    assert f["k"] == int(direct.k[0]) and f["random"]["n"] == 6
    assert Explanation.from_json(e.to_json()) == e


def test_batching_and_method_never_change_the_random_part():
    ex = Explainer(tiny("bert"))
    both = ex.explain(TEXTS, "sig", faithfulness=True, batch_size=2)
    alone = ex.explain(TEXTS[1], "sig", faithfulness=True)
    a, b = both[1].faithfulness, alone.faithfulness
    assert a["beats_random"] == b["beats_random"] and a["k"] == b["k"]
    for key in ("comp", "suff", "log_odds"):  # padding to the longer text changes float32 sums only
        assert a[key] == pytest.approx(b[key], abs=1e-5)
        assert a["random"][key] == pytest.approx(b["random"][key], abs=1e-5)
    other = ex.explain(TEXTS[1], "grad_x_input", faithfulness=True)
    for key in ("comp", "suff", "log_odds"):  # same orderings for every method: paired
        assert other.faithfulness["random"][key] == pytest.approx(alone.faithfulness["random"][key], abs=1e-6)
    assert ex.explain(TEXTS[1], "sig").faithfulness is None  # off by default in the API


def test_json_schema_and_old_files():
    ex = Explainer(tiny("bert"))
    e = ex.explain(TEXTS[0], "sig", faithfulness=True)
    d = json.loads(e.to_json())
    assert d["schema"] == 6 and set(d["faithfulness"]) >= {"comp", "suff", "log_odds", "k", "random", "beats_random"}
    assert set(d["faithfulness"]["random"]) >= {"comp", "suff", "log_odds", "n"}
    old = dict(d, schema=3)
    del old["faithfulness"], old["digest"]
    assert Explanation.from_dict(old).faithfulness is None


def test_views_say_how_it_compares_with_random():
    ex = Explainer(tiny("bert"))
    c = ex.compare(TEXTS[0], ["sig", "grad_x_input"])
    line = trust_line(c["sig"])
    f = c["sig"].faithfulness
    assert line.startswith(f"Comp {f['comp']:.2f}") and f"beats {f['beats_random'] * 20:g}/20" in line
    lines = comparison_lines(c.explanations)
    assert lines[0].startswith("most faithful on this text:")
    rho = word_agreement(c["sig"], c["grad_x_input"])
    assert f"sig–grad_x_input {rho:+.2f}" in lines[-1]
    assert "faithfulness: Comp" in str(c) and "most faithful on this text" in c._repr_html_()


def test_bad_number_of_orderings_is_refused_before_work():
    ex = Explainer(tiny("bert"))
    for bad in (-1, 2.5, True, 10**6):
        with pytest.raises(FaithlensError, match="n_random"):
            ex.explain(TEXTS[0], "sig", faithfulness=True, n_random=bad)


@pytest.mark.slow
def test_sig_beats_its_random_orderings_on_sst2_sentences(shared_data):
    """The default model on held-out SST-2 sentences: SIG's default (closed form) removes more than random words."""
    import csv

    rows = list(csv.DictReader((shared_data / "sst2" / "dev.tsv").open(encoding="utf-8"), delimiter="\t"))
    texts = [r["sentence"] for r in rows[:12]]
    es = Explainer().explain(texts, "sig", faithfulness=True)
    above = sum(e.faithfulness["comp"] > e.faithfulness["random"]["comp"] for e in es)
    assert above >= 10, [e.faithfulness for e in es]  # 48 of the first 50 (README)


def test_an_unsigned_method_is_compared_by_magnitude():
    """saliency (|∇|, unsigned) against occlusion's signed scores read "opposes" as "unimportant": ρ was computed
    between a magnitude ranking and a signed one. Both are ranked by |score| now, and the line says so."""
    from faithlens.evaluate.summary import rank_agreement
    from faithlens.stats import spearman

    ex = Explainer(tiny("bert"))
    c = ex.compare("not bad at all, a fine film", ["saliency", "occlusion", "sig"])
    sal, occ, sig = c["saliency"], c["occlusion"], c["sig"]
    assert word_agreement(sal, occ) == pytest.approx(spearman([abs(w.score) for w in sal.words],
                                                              [abs(w.score) for w in occ.words]))
    assert word_agreement(occ, sig) == pytest.approx(spearman([w.score for w in occ.words], [w.score for w in sig.words]))
    line = comparison_lines(c.explanations)[-1]
    assert "saliency–occlusion" in line and "(of |scores|)" in line and "occlusion–sig" in line
    assert f"occlusion–sig {word_agreement(occ, sig):+.2f}" in line and not line.endswith("sig (of |scores|)")
    records = [{"index": 0, "method": m, "token_scores": list(e.token_scores), "special": list(e.special)}
               for m, e in (("saliency", sal), ("occlusion", occ))]
    agree = rank_agreement(records, ["saliency", "occlusion"])[0]
    tokens = [not s for s in sal.special]
    assert agree["by_magnitude"] is True and agree["spearman"]["mean"] == pytest.approx(spearman(
        [abs(x) for x, t in zip(sal.token_scores, tokens) if t], [abs(x) for x, t in zip(occ.token_scores, tokens) if t]))


def test_a_text_too_short_for_top_k_measures_nothing_and_says_null():
    """k = 0 (a two-token text at top-20 %): no token is removed, so Comp/Suff/LO are null, not a measured 0.0 a
    notebook would average in; a spread of fewer than two random orderings is null too."""
    ex = Explainer(tiny("bert"))
    f = ex.explain("great fun", "occlusion", faithfulness=True).faithfulness
    assert f["k"] == 0 and f["comp"] is f["suff"] is f["log_odds"] is f["beats_random"] is None
    assert all(f["random"][key] is None for key in ("comp", "suff", "log_odds", "comp_sd"))
    one = ex.explain(TEXTS[0], "occlusion", faithfulness=True, n_random=1).faithfulness
    assert one["k"] > 0 and isinstance(one["comp"], float) and one["random"]["comp_sd"] is None


def test_a_file_with_the_old_zeros_for_k_0_reads_them_as_null():
    ex = Explainer(tiny("bert"))
    d = json.loads(ex.explain("great fun", "occlusion", faithfulness=True).to_json())
    d["faithfulness"].update(comp=0.0, suff=0.0, log_odds=0.0)
    d["faithfulness"]["random"].update(comp=0.0, suff=0.0, log_odds=0.0, comp_sd=0.0)
    del d["digest"]
    d["schema"] = 5  # as a faithlens before wrote it
    with pytest.warns(UserWarning, match="written before faithlens recorded a digest"):
        f = Explanation.from_dict(d).faithfulness
    assert f["comp"] is None and f["random"]["comp_sd"] is None
    d["faithfulness"]["comp"] = 0.3
    with pytest.raises(FaithlensError, match="'k' is 0: no token is removed, so nothing is measured"):
        Explanation.from_dict(d)
