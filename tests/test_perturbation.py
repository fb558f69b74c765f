"""Word-level perturbation methods: shapley, kernel_shap, lime, partition (faithlens.methods.perturbation).

Exact answers on analytic models, convergence to Shapley values by full enumeration, equality with
Captum's classes on the same draws, seeds, batching invariance, every task.
"""

import itertools
import math

import pytest
import torch

from faithlens import Explainer
from faithlens.errors import FaithlensError
from faithlens.explanation import Explanation
from faithlens.methods import perturbation as P
from tiny import analytic, tiny

SAMPLED = ("shapley", "kernel_shap", "lime")
TEXT4 = "the film was fun"


def T(values):
    return torch.tensor(values, dtype=torch.float64)


def prepared(ex: Explainer, item, target=None):
    """The method-core Batch faithlens builds for one item (F at the input and at the baseline included)."""
    from faithlens.baselines import resolve_baseline

    task = ex.model.task
    return ex._prepare([item], [target], resolve_baseline(ex.model, None), task.score(task.default_score), False,
                       None, None).batch


def game(batch):
    """(units, m, v): the words of text 0 and v(coalition as a tuple of bools) by faithlens's forward."""
    units, n_words = P.word_units(batch)
    m = int(n_words[0])
    subsets = list(itertools.product([False, True], repeat=m))
    present = torch.nn.functional.pad(torch.tensor(subsets), (0, units.shape[1] - m))
    values = P.coalition_values(batch, units, torch.zeros(len(subsets), dtype=torch.long), present)
    return units, m, dict(zip(subsets, values.tolist()))


def exact_shapley(m, v):
    """Shapley values by full enumeration: Σ_S |S|!(m−|S|−1)!/m! (v(S ∪ u) − v(S))."""
    phi = torch.zeros(m, dtype=torch.float64)
    for S, value in v.items():
        for u in range(m):
            if not S[u]:
                with_u = tuple(True if i == u else s for i, s in enumerate(S))
                k = sum(S)
                phi[u] += math.factorial(k) * math.factorial(m - k - 1) / math.factorial(m) * (v[with_u] - value)
    return phi


def word_scores(e: Explanation):
    return T([w.score for w in e.words])


# --- closed forms ---------------------------------------------------------------------------------

def _contributions(ex, text):
    """a_u = Σ_{t ∈ u} (w_t − w̄_t)·θ_c per word and c = Σ_t w̄_t·θ_c of the analytic model (mask baseline)."""
    batch = prepared(ex, text)
    theta = ex.model.model.theta[int(batch.target[0, 0])].detach()
    units, n_words = P.word_units(batch)
    m = int(n_words[0])
    per_token = ((batch.W - batch.Wbar)[0] @ theta)  # (L,)
    a = T([float(per_token[units[0, u]].sum()) for u in range(m)])
    c = float((batch.Wbar[0][batch.enc.attention_mask[0].bool()] @ theta).sum())
    return a, c


@pytest.mark.parametrize("method", ["shapley", "kernel_shap", "partition"])
def test_additive_model_gets_each_words_own_contribution(method):
    ex = Explainer(analytic("linear"))
    text = "a boring plot and awful acting"
    a, _ = _contributions(ex, text)
    e = ex.explain(text, method, n_samples=60, seed=3)  # enough coalitions for a full-rank regression
    assert torch.allclose(word_scores(e), a, atol=1e-9)
    if method != "partition":  # every order (shapley) and every sample (kernel_shap) agree: no sampling error
        assert max(w.sampling_error for w in e.words) < 1e-7


@pytest.mark.parametrize("method", ["shapley", "partition"])
def test_quadratic_model_closed_form(method):
    """v(S) = (c + Σ_{u∈S} a_u)²: Shapley φ_u = a_u (2c + Σ a). Owen values of any binary tree are the same here
    (each sibling group is present with probability ½ on average, as in a random order)."""
    ex = Explainer(analytic("square"))
    text = "the acting was great but the plot dull"
    a, c = _contributions(ex, text)
    exact = a * (2 * c + a.sum())
    e = ex.explain(text, method, n_samples=400, seed=0)
    if method == "partition":
        assert torch.allclose(word_scores(e), exact, atol=1e-9)
    else:  # sampled: within 4 standard errors, and the errors are real (non-zero)
        se = T([w.sampling_error for w in e.words])
        assert (se > 0).all()
        assert ((word_scores(e) - exact).abs() <= 4 * se + 1e-9).all()


# --- convergence to enumeration, and the efficiency gap ---------------------------------------------

@pytest.fixture(scope="module")
def bert():
    return Explainer(tiny("bert", dtype=torch.float64))


def test_shapley_sampling_converges_to_enumerated_shapley(bert):
    batch = prepared(bert, TEXT4)
    _, m, v = game(batch)
    exact = exact_shapley(m, v)
    errors = []
    for n in (10, 1000):
        e = bert.explain(TEXT4, "shapley", n_samples=n, seed=1)
        err = (word_scores(e) - exact).abs()
        se = T([w.sampling_error for w in e.words])
        assert (err <= 4 * se + 1e-12).all()
        errors.append(float(err.max()))
    assert errors[1] < errors[0] / 3
    assert abs(e.total_delta) < 1e-10  # every order adds up to F(w) − F(w̄)


def test_kernel_shap_converges_to_enumerated_shapley(bert):
    batch = prepared(bert, TEXT4)
    _, m, v = game(batch)
    exact = exact_shapley(m, v)
    e = bert.explain(TEXT4, "kernel_shap", n_samples=1000, seed=0)
    assert torch.allclose(word_scores(e), exact, atol=0.05 * float(exact.abs().max()))
    assert abs(e.total_delta) < 1e-4 * float(exact.abs().sum())  # the 10⁶ anchor weights ≈ efficiency


def test_coalition_values_equal_the_models_own_forward(bert):
    """v(S): the model run on embeddings with the absent words' tokens at the baseline, specials kept."""
    batch = prepared(bert, TEXT4)
    units, m, v = game(batch)
    S = (True, False, True, False)
    emb = batch.W[0].clone()
    for u in range(m):
        if not S[u]:
            emb[units[0, u]] = batch.Wbar[0, units[0, u]]
    with torch.no_grad():
        logits = bert.model.model(inputs_embeds=emb[None], attention_mask=batch.enc.attention_mask).logits
    assert v[S] == pytest.approx(float(logits[0, int(batch.target[0, 0])]), abs=1e-10)


def test_partition_is_efficient_and_uses_the_tree(bert):
    """Owen values: exact efficiency; on 2 words they are the Shapley values; the tree over 4 words gives
    each word 2^-2 Σ over the 4 unions of its path's siblings."""
    batch = prepared(bert, TEXT4)
    _, m, v = game(batch)
    e = bert.explain(TEXT4, "partition")
    assert abs(e.total_delta) < 1e-10
    # tree ((0, 1), (2, 3)): word 0's siblings are {1} and {2, 3}
    expected = 0.0
    for s1, s23 in itertools.product([False, True], repeat=2):
        S = (False, s1, s23, s23)
        expected += 0.25 * (v[(True,) + S[1:]] - v[S])
    assert e.words[0].score == pytest.approx(expected, abs=1e-10)
    two = bert.explain("fun film", "partition")
    _, _, v2 = game(prepared(bert, "fun film"))
    assert torch.allclose(word_scores(two), exact_shapley(2, v2), atol=1e-10)


# --- Captum on the same draws -----------------------------------------------------------------------

class ClosedFormLinear:
    """A Captum interpretable model (captum._utils.models.model.Model) fitted by faithlens's weighted_linear_fit."""

    def __init__(self, ridge=0.0):
        self.ridge = ridge

    def fit(self, train_data, **kwargs):
        X, y, w = next(iter(train_data))
        self.coef = P.weighted_linear_fit(X.double(), y.double().flatten(), w.double().flatten(), self.ridge)

    def representation(self):
        return self.coef[None].float()

    def __call__(self, x):
        return x @ self.coef.float()


def _coalition_forward(batch):
    units, n_words = P.word_units(batch)

    def forward(z):  # (k, m) 0/1 coalitions -> (k,) F
        present = torch.nn.functional.pad(z.bool(), (0, units.shape[1] - z.shape[1]))
        return P.coalition_values(batch, units, torch.zeros(len(z), dtype=torch.long), present)

    return forward, int(n_words[0])


def test_shapley_equals_captums_shapley_value_sampling(bert):
    from captum.attr import ShapleyValueSampling

    batch = prepared(bert, "a boring plot, but the acting was very good")
    forward, m = _coalition_forward(batch)
    torch.manual_seed(11)
    captum = ShapleyValueSampling(forward).attribute(torch.ones(1, m, dtype=torch.float64),
                                                     baselines=torch.zeros(1, m, dtype=torch.float64),
                                                     n_samples=9, perturbations_per_eval=m)
    ours = P.shapley(batch, P.Options(n_samples=9, seed=11)).unit_scores[0, :m]
    assert torch.allclose(ours.double(), captum[0].double(), atol=1e-9)


@pytest.mark.parametrize("method", ["kernel_shap", "lime"])
def test_regressions_equal_captums_classes_on_the_same_draws(bert, method):
    from captum.attr import KernelShap, Lime

    batch = prepared(bert, "a boring plot, but the acting was very good")
    forward, m = _coalition_forward(batch)
    if method == "kernel_shap":
        explainer = KernelShap(forward)
        explainer.interpretable_model = ClosedFormLinear()
    else:
        explainer = Lime(forward, interpretable_model=ClosedFormLinear(P.LIME_RIDGE),
                         similarity_func=lambda _, __, z, **kw: P.lime_weights(z.bool()).float())
    torch.manual_seed(5)
    captum = explainer.attribute(torch.ones(1, m, dtype=torch.float64), baselines=torch.zeros(1, m, dtype=torch.float64),
                                 n_samples=60, perturbations_per_eval=60)
    ours = getattr(P, method)(batch, P.Options(n_samples=60, seed=5)).unit_scores[0, :m]
    assert torch.allclose(ours, captum[0].double(), atol=2e-4 * float(ours.abs().max()))  # Captum fits in float32


def test_samplers_draw_as_captum_does():
    from captum.attr._core.lime import default_perturb_func

    torch.manual_seed(2)
    drawn = torch.cat([default_perturb_func(torch.ones(1, 6), num_interp_features=6) for _ in range(20)]).bool()
    assert torch.equal(P.lime_samples(6, 20, 2), drawn)
    torch.manual_seed(4)
    perms = torch.stack([torch.randperm(6) for _ in range(5)])
    assert torch.equal(P.permutations(6, 5, 4), perms)


# --- seeds, batching, JSON ----------------------------------------------------------------------------

@pytest.mark.parametrize("method", SAMPLED)
def test_same_seed_same_numbers_other_seed_other_numbers(bert, method):
    a = bert.explain(TEXT4, method, n_samples=30, seed=7)
    b = bert.explain(TEXT4, method, n_samples=30, seed=7)
    c = bert.explain(TEXT4, method, n_samples=30, seed=8)
    assert a.token_scores == b.token_scores and a.sampling_error == b.sampling_error
    assert a.token_scores != c.token_scores
    assert a.settings["seed"] == 7 and a.settings["n_samples"] == 30


@pytest.mark.parametrize("method", [*SAMPLED, "partition"])
def test_batching_and_chunking_never_change_a_result(bert, method):
    texts = ["the film was goodish and fun", "dull", "a boring plot, but the acting was very good"]
    n = 40 if method == "kernel_shap" else 12  # KernelSHAP's fit of 11 words needs 12 independent coalitions
    together = bert.explain(texts, method, n_samples=n, seed=2, rows_per_chunk=5)
    for text, e in zip(texts, together):
        alone = bert.explain(text, method, n_samples=n, seed=2)
        assert torch.allclose(T(e.token_scores), T(alone.token_scores), atol=1e-12)


def test_sampling_error_round_trips_through_json(bert):
    e = bert.explain(TEXT4, "kernel_shap", n_samples=40)
    back = Explanation.from_json(e.to_json())
    assert back == e
    assert back.sampling_error is not None and back.words[1].sampling_error == e.words[1].sampling_error > 0


def test_a_single_word_gets_the_whole_difference(bert):
    for method in (*SAMPLED, "partition"):
        e = bert.explain("dull", method, n_samples=5)
        assert e.total_delta == pytest.approx(0.0, abs=1e-10)


# --- every task -----------------------------------------------------------------------------------------

TASKS = {
    "pair": (lambda: tiny("bert", dtype=torch.float64, num_labels=3), ("the film was fun", "it was dull")),
    "qa": (lambda: tiny("bert_qa", dtype=torch.float64), ("who was good", "the acting was good")),
    "multi_label": (lambda: tiny("bert", dtype=torch.float64, num_labels=3, problem_type="multi_label_classification"),
                    "the plot was dull"),
    "causal_lm": (lambda: tiny("gpt2_lm", dtype=torch.float64), "the film was"),
    "llama_lm": (lambda: tiny("llama_lm", dtype=torch.float64), "the film was"),
}


@pytest.mark.parametrize("task", sorted(TASKS))
def test_every_task_shapley_matches_enumeration_and_partition_is_efficient(task):
    build, item = TASKS[task]
    ex = Explainer(build())
    target = " fun" if "lm" in task else None
    batch = prepared(ex, item, target)
    _, m, v = game(batch)
    exact = exact_shapley(m, v)
    e = ex.explain(item, "shapley", n_samples=200, seed=0, target=target)
    se = T([w.sampling_error for w in e.words])
    assert len(e.words) == m
    assert ((word_scores(e) - exact).abs() <= 4 * se + 1e-9).all()
    assert abs(e.total_delta) < 1e-9
    p = ex.explain(item, "partition", target=target)
    assert abs(p.total_delta) < 1e-9
    k = ex.explain(item, "kernel_shap", n_samples=100, target=target)
    assert abs(k.total_delta) < 1e-3 * float(exact.abs().sum()) + 1e-9


# --- evaluate and the web form -----------------------------------------------------------------------

def test_evaluate_fills_the_table_for_the_new_methods(tmp_path, monkeypatch):
    from faithlens.data import Dataset
    from faithlens.evaluate import evaluate, parse_method
    from tiny import CORPUS

    monkeypatch.setenv("FAITHLENS_HOME", str(tmp_path / "cache"))
    methods = ["shapley:n_samples=10", "kernel_shap:n_samples=40", "lime:n_samples=40", "partition"]
    result = evaluate(tiny("bert"), Dataset(tuple(CORPUS[:4]), (1, 1, 0, 1), source="tiny"), methods=methods,
                      out=tmp_path / "run", progress=False)
    rows = {r["method"]: r for r in result.rows}
    assert list(rows) == methods
    for label, row in rows.items():
        assert row["log_odds"]["n"] == 4 and math.isfinite(row["comprehensiveness"]["mean"])
    assert rows["shapley:n_samples=10"]["delta"]["mean"] < 1e-5  # float32 model: efficiency to rounding
    assert rows["partition"]["delta"]["mean"] < 1e-5
    with pytest.raises(Exception, match="does not apply"):
        parse_method("partition:n_samples=3")


def test_the_web_form_offers_the_new_methods():
    from faithlens.app import Limits, form_page

    page = form_page(Explainer(tiny("bert")), {}, "", Limits())
    for method in (*SAMPLED, "partition"):
        assert f'value="{method}"' in page


def test_kernel_shap_refuses_a_fit_its_coalitions_cannot_determine(bert):
    """3 coalitions for 6 words: the minimum-norm fit is one solution of many and the bootstrap spread over the one
    sampled row is 0, which read as 'sampling error 0 %'. Refused before any forward pass, naming a count that works."""
    text = "the cat sat on a mat"
    with pytest.raises(FaithlensError, match=r"needs 7 independent coalitions and the draws give 3.*n_samples=200"):
        bert.explain(text, "kernel_shap", n_samples=3)
    e = bert.explain(text, "kernel_shap", n_samples=40, seed=1)
    assert e.sampling_error is not None and max(abs(x) for x in e.sampling_error) > 0
    with pytest.raises(FaithlensError, match=r"lime with 3 samples .* needs 7 independent coalitions .*ridge penalty"):
        bert.explain(text, "lime", n_samples=3)  # the ridge makes the fit unique, the penalty not the model its scores
