"""The thirty-ninth breaker: an RMSNorm model's all-zero baseline is refused naming only baselines that work (and
only for methods that take gradients); the web app's list target says it is one target for all texts; the Python
API's messages name its own keywords; compare(methods=None) is the defaults."""

from __future__ import annotations

import math

import pytest

from faithlens import Explainer, FaithlensError
from faithlens.app.inputs import RequestError
from faithlens.app.models import check_span_target
from tiny import tiny


@pytest.fixture(scope="module")
def llama():
    return Explainer(tiny("llama_lm"))


def _pad_is_zero(ex):
    pad = ex.model.tokenizer.pad_token_id
    return pad is not None and not bool(ex.model.embedding_matrix[pad].ne(0).any())


@pytest.mark.parametrize("baseline", ["pad", "mask"])
def test_the_zero_baseline_refusal_names_only_baselines_that_work(llama, baseline):
    if not _pad_is_zero(llama) or not llama.model.had_pad_token:
        pytest.skip("this tiny Llama's pad embedding is not all zero")
    with pytest.raises(FaithlensError) as caught:
        llama.explain("the film was good", "ig", steps=4, baseline=baseline, target=" fun")
    message = str(caught.value)
    assert "baseline='pad'" not in message and "baseline='eos'" in message and "occlusion" in message
    assert ("fell back" in message) == (baseline == "mask")
    for advice in ("eos", "unk"):  # each named baseline works
        if f"baseline='{advice}'" in message:
            e = llama.explain("the film was good", "ig", steps=4, baseline=advice, target=" fun")
            assert all(math.isfinite(s) for s in e.token_scores)


def test_a_method_without_gradients_accepts_the_zero_baseline(llama):
    if not _pad_is_zero(llama) or not llama.model.had_pad_token:
        pytest.skip("this tiny Llama's pad embedding is not all zero")
    e = llama.explain("the film was good", "occlusion", baseline="pad", target=" fun")
    with_eos = llama.explain("the film was good", "occlusion", baseline="eos", target=" fun")
    assert all(math.isfinite(s) for s in e.token_scores) and e.token_scores != with_eos.token_scores


def test_a_list_target_in_the_web_app_is_one_target_for_all_texts():
    with pytest.raises(RequestError) as caught:
        check_span_target("classification", [0, 1], "m")
    assert caught.value.status == 400 and "one target for all the texts" in str(caught.value)
    check_span_target("qa", [0, 1], "m")  # a QA answer's span


def test_python_messages_name_python_keywords():
    ex = Explainer(tiny("bert"))
    with pytest.raises(FaithlensError, match=r"Use n_samples=50 or more \(CLI --samples 50"):
        ex.explain("good film", "kernel_shap", n_samples=2)
    both = ex.compare("good film", methods=None, faithfulness=False)
    assert list(both) == list(ex.compare("good film", faithfulness=False))


def test_head_on_an_explanation_route_runs_nothing():
    from faithlens.app import Limits, create_app

    ex = Explainer(tiny("bert"))
    calls = []
    real = ex.explain
    ex.explain = lambda *a, **k: calls.append(1) or real(*a, **k)
    web = create_app(ex, limits=Limits()).test_client()
    for path in ("/api/explain?text=good+film&method=occlusion", "/explain?text=good+film&method=occlusion"):
        r = web.head(path, headers={"Host": "127.0.0.1:8765"})
        assert r.status_code == 405 and r.headers["Allow"] == "GET, POST"
    assert not calls
    r = web.get("/api/explain?text=good+film&method=occlusion", headers={"Host": "127.0.0.1:8765"})
    assert r.status_code == 200 and calls  # GET still runs it


def test_numpy_texts_come_back_as_plain_str():
    np = pytest.importorskip("numpy")
    ex = Explainer(tiny("bert"))
    one = ex.explain(np.str_("good film"), "occlusion", faithfulness=False)
    many = ex.explain(np.array(["good film", "bad film"]), "occlusion", faithfulness=False)
    pair = ex.explain((np.str_("a man sleeps"), np.str_("a man rests")), "occlusion", faithfulness=False)
    assert type(one.text) is str and [type(e.text) for e in many] == [str, str] and "np.str_" not in repr(many[0].text)
    assert one.token_scores == pytest.approx(many[0].token_scores, abs=1e-5)  # batched with "bad film": float32 sums
    assert type(pair.text) is str and type(pair.text_pair) is str
