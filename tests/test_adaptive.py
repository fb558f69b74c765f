"""Error-controlled quadrature (SPEC §10) on tiny models: tolerance met against the exact integral,
equal to fixed steps at the last level, batching invariance, flags and errors."""

import pytest
import torch

from faithlens import Explainer, Explanation, FaithlensError
from faithlens.evaluate import parse_method
from tiny import tiny

TEXTS = ["the film was goodish and fun", "dull", "a boring plot, but the acting was very good"]


def T(values):
    return torch.tensor(values, dtype=torch.float64)


@pytest.fixture(scope="module", params=["bert", "roberta", "gpt2"])
def ex(request):
    return Explainer(tiny(request.param, dtype=torch.float64))


@pytest.fixture(scope="module")
def bert():
    return Explainer(tiny("bert", dtype=torch.float64))


@pytest.mark.parametrize("mode", ["reverse", "forward"])
@pytest.mark.parametrize("tolerance", [1e-2, 1e-5])
def test_sig_meets_its_tolerance_against_the_closed_form(ex, mode, tolerance):
    closed = ex.explain(TEXTS[2], "sig", mode="closed", unit="token")
    e = ex.explain(TEXTS[2], "sig", mode=mode, tolerance=tolerance, unit="token")
    attributed = T([not s for s in e.special]).bool()
    c = T(closed.token_scores)[attributed]
    a = T(e.token_scores)[attributed]
    assert ((a - c).abs() <= tolerance * c.norm() + 1e-12).all()
    assert torch.allclose(T(e.deltas), a - c, atol=1e-12)  # the reported deltas are the real ones
    assert len(e.nodes) == len(e.units) and set(e.nodes) <= {*range(4, 65, 2), 80, 96, 128}
    assert not any("missed" in w for w in e.warnings) and e.settings["tolerance"] == tolerance and e.settings["rule"] == "leja"


def test_tighter_tolerance_costs_more_nodes(bert):
    loose = bert.explain(TEXTS[2], "sig", tolerance=1e-2)
    tight = bert.explain(TEXTS[2], "sig", tolerance=1e-6)
    assert sum(loose.nodes) < sum(tight.nodes)
    assert all(a <= b for a, b in zip(loose.nodes, tight.nodes))
    assert max(abs(d) for d in tight.deltas) < max(abs(d) for d in loose.deltas)


@pytest.mark.parametrize("rule, cap", [("leja", 8), ("patterson", 7), ("clenshaw_curtis", 9)])
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_sig_at_the_last_level_equals_the_fixed_step_rule(bert, rule, cap, mode):
    adaptive = bert.explain(TEXTS[2], "sig", mode=mode, tolerance=1e-300, steps=cap, rule=rule, return_attributions=True)
    fixed = bert.explain(TEXTS[2], "sig", mode=mode, steps=cap, rule=rule, return_attributions=True)
    assert set(adaptive.nodes) == {cap}
    assert torch.allclose(T(adaptive.token_scores), T(fixed.token_scores), atol=1e-13)
    if mode == "reverse":
        assert torch.allclose(T(adaptive.attributions), T(fixed.attributions), atol=1e-13)
    # float64 cannot meet 1e-300 (below rounding; 0 is refused): every unit is flagged, keeps its 7-node estimate
    assert adaptive.warnings and "missed tolerance=1e-300" in adaptive.warnings[0]


def test_reverse_and_forward_refine_alike_and_word_units_work(bert):
    rev = bert.explain(TEXTS[0], "sig", tolerance=1e-4, unit="word", return_attributions=True)
    fwd = bert.explain(TEXTS[0], "sig", tolerance=1e-4, unit="word", mode="forward")
    assert rev.nodes == fwd.nodes
    assert torch.allclose(T(rev.token_scores), T(fwd.token_scores), atol=1e-12)
    assert torch.allclose(T(rev.attributions).sum(-1), T(rev.token_scores), atol=1e-12)
    assert len(rev.units) == len(rev.words)  # "goodish" is one unit of two tokens


def test_batching_and_chunking_change_nothing(bert):
    one = [bert.explain(t, "sig", tolerance=1e-4) for t in TEXTS]
    together = bert.explain(TEXTS, "sig", tolerance=1e-4, batch_size=3, rows_per_chunk=5)
    for a, b in zip(one, together):
        assert a.nodes == b.nodes
        assert torch.allclose(T(a.token_scores), T(b.token_scores), atol=1e-12)
    ig_one = [bert.explain(t, "ig", tolerance=1e-4) for t in TEXTS]
    ig_together = bert.explain(TEXTS, "ig", tolerance=1e-4, batch_size=3, rows_per_chunk=4)
    for a, b in zip(ig_one, ig_together):
        assert a.nodes == b.nodes
        assert torch.allclose(T(a.token_scores), T(b.token_scores), atol=1e-12)


@pytest.mark.parametrize("tolerance", [1e-2, 1e-6])
def test_ig_meets_its_tolerance_on_the_completeness_gap(ex, tolerance):
    e = ex.explain(TEXTS[2], "ig", tolerance=tolerance)
    fixed = ex.explain(TEXTS[2], "ig", steps=50)
    gap = sum(fixed.token_scores) - fixed.total_delta  # F(w) - F(w̄)
    assert abs(e.total_delta) <= tolerance * abs(gap) + 1e-12
    assert len(e.nodes) == 1 and 3 <= e.nodes[0] <= 512 and e.settings["rule"] == "gauss_kronrod"
    leja = ex.explain(TEXTS[2], "ig", tolerance=tolerance, rule="leja")  # a named nested rule keeps its levels
    assert leja.nodes[0] in (8, 16, 24, 32, 40, 48, 64, 80, 96, 128) and abs(leja.total_delta) <= tolerance * abs(gap) + 1e-12
    capped = ex.explain(TEXTS[2], "ig", tolerance=1e-300, steps=7, rule="patterson")
    same = ex.explain(TEXTS[2], "ig", steps=7, rule="patterson")
    assert torch.allclose(T(capped.token_scores), T(same.token_scores), atol=1e-13)


def test_steps_auto_is_the_default_tolerance_and_json_keeps_the_nodes(bert):
    from faithlens.methods.adaptive import DEFAULT_TOLERANCE

    auto = bert.explain(TEXTS[0], "sig", steps="auto")
    assert auto.settings["tolerance"] == DEFAULT_TOLERANCE
    again = Explanation.from_json(auto.to_json())
    assert again == auto and again.nodes == auto.nodes


def test_bad_tolerance_is_refused_before_any_work(bert):
    with pytest.raises(FaithlensError, match="tolerance= controls the quadrature of sig"):
        bert.explain(TEXTS[0], "occlusion", tolerance=1e-3)
    with pytest.raises(FaithlensError, match="in closed mode"):
        bert.explain(TEXTS[0], "sig", mode="closed", tolerance=1e-3)
    with pytest.raises(FaithlensError, match=r"number in \(0, 1\)"):
        bert.explain(TEXTS[0], "sig", tolerance=-1.0)
    with pytest.raises(FaithlensError, match="need a nested quadrature rule"):
        bert.explain(TEXTS[0], "sig", tolerance=1e-3, rule="riemann_left")


def test_evaluate_spec_takes_a_tolerance():
    spec = parse_method("sig:tolerance=1e-3,mode=forward")
    assert spec.options == {"tolerance": 1e-3, "mode": "forward"}
    with pytest.raises(FaithlensError, match="Example: sig:tolerance=1e-3"):
        parse_method("sig:tolerance=big")


@pytest.mark.parametrize("method, settings", [("ig", {"steps": 4, "rule": "riemann_right"}),
                                              ("sig", {"steps": 4, "rule": "riemann_right"}),
                                              ("ig", {"tolerance": 1e-4}), ("sig", {"tolerance": 1e-4})])
def test_causal_prefix_sharing_keeps_the_gradient_of_nodes_at_alpha_one(monkeypatch, method, settings):
    """GPT-2 shares the columns before a row's first moved one; at alpha = 1 nothing moves, and the
    attributed columns must still get their gradient (they once fell into the shared prefix)."""
    from faithlens.batching import Batch

    ex = Explainer(tiny("gpt2", dtype=torch.float64))
    monkeypatch.setattr("faithlens.batching.PREFIX_SHARING_MIN_TOKENS", {"default": 0})  # share at any length
    shared = ex.explain(TEXTS, method, rows_per_chunk=3, **settings)
    monkeypatch.setattr(Batch, "_shared_prefix", lambda self, b_idx, coef, cols: 0)
    full = ex.explain(TEXTS, method, rows_per_chunk=3, **settings)
    for a, b in zip(shared, full):
        assert a.token_scores == pytest.approx(b.token_scores, abs=1e-12)


def test_evaluate_runs_error_controlled_specs(tmp_path):
    from faithlens.data import Dataset
    from faithlens.evaluate import evaluate, read_records

    data = Dataset(tuple(TEXTS), (1, 0, 1), source="tiny")
    result = evaluate(tiny("bert"), data, methods=["sig:tolerance=1e-3", "ig:tolerance=1e-3"], out=tmp_path,
                      progress=False)
    records = read_records(tmp_path / "records.jsonl")
    assert {r["method"] for r in records} == {"sig:tolerance=1e-3", "ig:tolerance=1e-3"} and len(records) == 6
    assert len(result.rows) == 2


@pytest.mark.parametrize("method, settings", [("ig", {}), ("sig", {"mode": "reverse", "steps": "auto"})])
def test_a_tolerance_below_rounding_says_so_with_the_error_reached(method, settings):
    """The refinement stops at the rounding floor of F (it counts as converged), so tolerance=1e-300 returned scores
    with no warning. It says the tolerance was below rounding, the error reached, and float64; a reachable tolerance
    gives no such warning."""
    ex32 = Explainer(tiny("bert"))
    e = ex32.explain("good film", method, tolerance=1e-300, **settings)
    said = [w for w in e.warnings if "below what float32 rounding of F allows" in w]
    assert len(said) == 1 and f"{e.error['relative']:.1e}" in said[0] and "float64" in said[0], e.warnings
    assert e.error["relative"] > 1e-300
    e = ex32.explain("good film", method, tolerance=0.05, **settings)
    assert not [w for w in e.warnings if "rounding" in w] and e.error["relative"] <= 0.05
    if method == "ig":  # above warn_above too: the one warning gives the gap and the same rounding sentence
        e = ex32.explain("good film", method, tolerance=1e-300, warn_above=1e-300)
        assert len(e.warnings) == 1 and "miss completeness" in e.warnings[0], e.warnings
        assert "below what float32 rounding of F allows" in e.warnings[0] and "float64" in e.warnings[0]


def test_sig_accuracy_warnings_say_what_the_rule_did(bert):
    """A tolerance met (looser than warn_above) is not fixed by --steps; a last level reached is (issue 22, E1)."""
    text = "the film was very good and fun"
    met = bert.explain(text, "sig", tolerance=0.5, warn_above=1e-9)
    (warning,) = [w for w in met.warnings if "quadrature" in w]
    assert "every unit met its tolerance=0.5, looser than warn_above=1e-09: lower --tolerance" in warning
    assert "raise --steps" not in warning
    capped = bert.explain(text, "sig", tolerance=1e-12, steps=3, warn_above=1e-9)
    (warning,) = [w for w in capped.warnings if "quadrature" in w]
    assert f"stopped at the rule's last level ({capped.settings['max_nodes']} nodes) before meeting tolerance=1e-12" in warning
