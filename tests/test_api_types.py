"""Issue 22, kind 5: what the Python API takes as texts. A dict, set, bytes or nested list is refused with what to pass;
a generator is read once, in order, and gives the same scores as the list."""

import pytest
import torch

from faithlens import Explainer
from faithlens.encoding import as_items
from faithlens.errors import FaithlensError
from tiny import tiny


@pytest.fixture(scope="module")
def explainer():
    return Explainer(tiny("bert", dtype=torch.float64))


@pytest.mark.parametrize("texts, words", [
    ({"a": "good film"}, "iterating it would explain its keys"),
    ({"good film", "bad film"}, "has no order"),
    (frozenset({"good"}), "has no order"),
    (b"good film", "Decode it first"),
    (bytearray(b"good"), "Decode it first"),
    (5, "Got int 5"),
    (None, "Got NoneType"),
    ([["good", "bad", "film"]], "Item 0 is a list of 3 element(s)"),
    ([["good", ["nested"]]], "Item 0 is a list of 2 element(s)"),
    ([{"text": "good"}], "Item 0 is a dict"),
    ([{"good"}], "Item 0 is a set"),
    (["good", ("a", "b")], "Mixed single texts and text pairs"),
])
def test_wrong_containers_are_refused(explainer, texts, words):
    with pytest.raises(FaithlensError, match=words.replace("(", r"\(").replace(")", r"\)")):
        explainer.explain(texts, "occlusion")
    with pytest.raises(FaithlensError):
        explainer.predict(texts)


def test_a_generator_is_read_once_in_order(explainer):
    texts = ["good film", "a dull and slow film", "fun"]
    from_list = explainer.explain(texts, "grad_x_input")
    from_gen = explainer.explain((t for t in texts), "grad_x_input")
    assert [e.text for e in from_gen] == texts
    assert [e.token_scores for e in from_gen] == [e.token_scores for e in from_list]
    assert torch.equal(explainer.predict(iter(texts)), explainer.predict(texts))


@pytest.mark.parametrize("methods, words", [
    ({"occlusion", "saliency", "grad_x_input"}, "methods is a set, which has no order"),
    (frozenset({"occlusion"}), "methods is a frozenset, which has no order"),
    ({"occlusion": 1}, "iterating it would take its keys"),
])
def test_a_collection_of_methods_without_order_is_refused_like_a_set_of_texts(explainer, methods, words):
    """compare(), evaluate() and sanity_check() refuse a set of methods as explain() refuses a set of texts (E3)."""
    from faithlens.audit.sanity import sanity_check
    from faithlens.dataset import Dataset
    from faithlens.evaluate import evaluate

    with pytest.raises(FaithlensError, match=words):
        explainer.compare("good film", methods=methods)
    with pytest.raises(FaithlensError, match=words):
        evaluate(explainer.model, Dataset(("good film",), (1,), source="one"), methods=methods, progress=False)
    with pytest.raises(FaithlensError, match=words):
        sanity_check(explainer.model, ["good film"], methods=methods)
    ordered = explainer.compare("good film", methods=iter(["saliency", "occlusion"]), faithfulness=False)
    assert list(ordered) == ["saliency", "occlusion"]


def test_a_two_element_list_is_a_pair_like_a_tuple(explainer):
    as_list = explainer.explain([["a man sleeps", "a person rests"]], "occlusion")[0]
    as_tuple = explainer.explain([("a man sleeps", "a person rests")], "occlusion")[0]
    assert as_list.text_pair == "a person rests" and as_list.token_scores == as_tuple.token_scores


def test_as_items_says_single_or_many():
    assert as_items("good") == (["good"], True)
    assert as_items(("a", "b")) == ([("a", "b")], True)
    assert as_items(["a", ["b", "c"]]) == (["a", ("b", "c")], False)


@pytest.mark.parametrize("target, words", [({"good": 1}, "The target is a dict"), ({0, 1}, "The target is a set")])
def test_wrong_target_containers_are_refused(explainer, target, words):
    with pytest.raises(FaithlensError, match=words):
        explainer.explain(["good", "bad"], "occlusion", target=target)


def test_integer_scalars_of_numpy_and_torch_are_indices(explainer):
    import numpy as np

    for target in (np.int64(1), torch.tensor(1)):
        assert explainer.explain("good", "occlusion", target=target).target["index"] == 1
    assert [e.target["index"] for e in explainer.explain(["good", "bad"], "occlusion", target=np.array([1, 0]))] == [1, 0]
    for target in (np.float64(1.0), torch.tensor(1.0), np.bool_(True)):
        with pytest.raises(FaithlensError, match="The target"):
            explainer.explain("good", "occlusion", target=target)


def test_public_batch_is_what_the_method_cores_get():
    import torch
    from tiny import tiny

    from faithlens import Explainer
    from faithlens.methods import Options, get_method

    ex = Explainer(tiny("bert", dtype=torch.float64))
    batch = ex.batch(["the film was good", "a dull plot"])
    assert batch.W.shape[0] == 2 and batch.W.shape == batch.Wbar.shape
    core = get_method("grad_x_input").fn(batch, Options()).token_scores
    e = ex.explain("the film was good", "grad_x_input")
    n = len(e.token_scores)
    assert torch.allclose(core[0, :n].double(), torch.tensor(e.token_scores, dtype=torch.float64), atol=1e-12)


# --- issue 22 F9, F10 and minors: refused with the fix, before any model pass ---------------------------

def test_a_dataframe_is_refused_naming_its_columns(explainer):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"premise": ["a man sleeps"], "hypothesis": ["a person rests"]})
    with pytest.raises(FaithlensError, match=r"its column names \('premise', 'hypothesis'\).*df\[\"premise\"\]\.tolist\(\)"
                                             r".*list\(zip\(df\[\"premise\"\], df\[\"hypothesis\"\]\)\)"):
        explainer.explain(df, "occlusion")


def test_max_new_tokens_is_refused_on_a_classifier_as_on_the_cli(explainer):
    with pytest.raises(FaithlensError, match="max_new_tokens=3 sets how many tokens a causal language model generates; "
                                             r"'tiny-bert' is a single-label classification \(softmax\) model.*Drop max_new_tokens"):
        explainer.explain("great fun", "occlusion", max_new_tokens=3)


def test_one_method_per_explain_and_compare_takes_a_name(explainer):
    with pytest.raises(FaithlensError, match=r"one method per call.*Use compare\(text, methods=\[\.\.\.\]\)"):
        explainer.explain("great fun", ["occlusion", "ig"])
    one = explainer.compare("great fun", methods="occlusion", faithfulness=False)
    assert list(one) == ["occlusion"]
    assert one["occlusion"].token_scores == explainer.explain("great fun", "occlusion").token_scores


def test_integer_settings_accept_numpy_and_torch_integers(explainer):
    import json

    import numpy as np

    expected = explainer.explain("good film", "ig", steps=3)
    for steps in (np.int64(3), torch.tensor(3)):
        got = explainer.explain("good film", "ig", steps=steps, n_samples=None, batch_size=np.int32(4))
        assert got.token_scores == expected.token_scores
        json.loads(got.to_json())  # the settings stay JSON: ints, not NumPy scalars
    with pytest.raises(FaithlensError, match="must be an int"):
        explainer.explain("good film", "ig", steps=np.float64(3.0))


# --- issue 22 (third breaker): compare takes one text; contrast reads numpy/torch ints as target does ------------

def test_compare_refuses_several_texts_and_an_empty_method_list(explainer):
    with pytest.raises(FaithlensError, match=r"compare\(\) explains one text.*got 2 texts.*explain\(texts, method\) once per method"):
        explainer.compare(["great fun", "a dull mess"], methods=["occlusion"])
    with pytest.raises(FaithlensError, match=r"empty methods list.*available: sig"):
        explainer.compare("great fun", methods=[])
    with pytest.raises(FaithlensError, match=r"texts is memoryview.*bytes\(data\)\.decode"):
        explainer.explain(memoryview(b"great"), "occlusion")


def test_contrast_accepts_numpy_and_torch_integers_like_target(explainer):
    import json

    import numpy as np

    expected = explainer.explain("great fun", "occlusion", target=1, contrast=0)
    for foil in (np.int64(0), torch.tensor(0)):
        got = explainer.explain("great fun", "occlusion", target=1, contrast=foil)
        assert got.token_scores == expected.token_scores and got.target["contrast"]["index"] == 0
        json.loads(got.to_json())
    pair = explainer.explain(["great fun", "bad"], "occlusion", target=np.array([1, 0]), contrast=np.array([0, 1]))
    assert [e.target["contrast"]["index"] for e in pair] == [0, 1]
    compared = explainer.compare("great fun", methods=["occlusion"], target=1, contrast=np.int64(0), faithfulness=False)
    assert compared["occlusion"].token_scores == expected.token_scores


@pytest.mark.parametrize("name", ["truncate", "faithfulness", "return_attributions", "per_token", "target_side", "progress"])
@pytest.mark.parametrize("value", ["false", "no", 0, None])
def test_yes_no_parameters_must_be_bools(explainer, name, value):
    if value is None and name == "progress":
        return  # progress=None: shown when stderr is a terminal
    with pytest.raises(FaithlensError, match=f"{name} must be True or False.*Got {type(value).__name__}"):
        explainer.explain("great fun", "occlusion", **{name: value})
    with pytest.raises(FaithlensError, match="truncate must be True or False"):
        explainer.predict("great fun", truncate="false")


def test_numeric_parameters_accept_numpy_and_torch_reals(explainer):
    import json

    import numpy as np

    expected = explainer.explain("good film", "smoothgrad", noise=0.25, n_samples=3, warn_above=0.5)
    for noise, warn in ((np.float32(0.25), np.float32(0.5)), (torch.tensor(0.25, dtype=torch.float64), torch.tensor(0.5))):
        got = explainer.explain("good film", "smoothgrad", noise=noise, n_samples=3, warn_above=warn)
        assert got.token_scores == expected.token_scores
        json.loads(got.to_json())
    ig = explainer.explain("good film", "ig", tolerance=np.float32(0.001)).token_scores
    assert ig == explainer.explain("good film", "ig", tolerance=float(np.float32(0.001))).token_scores
    assert explainer.compare("good film", methods=["ig"], tolerance=torch.tensor(0.001, dtype=torch.float64),
                             faithfulness=False)["ig"].token_scores == ig
    for bad in (np.bool_(True), "0.1", float("nan"), torch.tensor([0.1, 0.2])):
        with pytest.raises(FaithlensError, match="'noise' parameter"):
            explainer.explain("good film", "smoothgrad", noise=bad)


@pytest.mark.parametrize("model", [5, 3.5, ["./m"], object()])
def test_explainer_refuses_a_model_that_is_no_name_at_once(model):
    """Not a str, Path, loaded model or None: refused before any hub lookup (an int went to the hub for ~30 s)."""
    import time

    from faithlens import Explainer

    t0 = time.perf_counter()
    with pytest.raises(FaithlensError, match=r"model= must be a model folder or hub id \(a str or pathlib.Path\)") as info:
        Explainer(model)
    assert f"Got {type(model).__name__}" in str(info.value) and time.perf_counter() - t0 < 5


def test_explainer_path_errors_name_the_parameter_not_the_cli_option(tmp_path):
    from faithlens import Explainer

    file = tmp_path / "weights.txt"
    file.write_text("x")
    for path, words in ((file, f"model={str(file)!r} is a file"), (tmp_path, f"model={str(tmp_path)!r} is not a model "
                                                                            "folder"), ("./gone", "model='./gone': no such")):
        with pytest.raises(FaithlensError) as info:
            Explainer(path)
        assert words in str(info.value) and "--model" not in str(info.value)


def test_the_cli_keeps_naming_the_option(tmp_path, capsys):
    from faithlens.cli import main

    file = tmp_path / "weights.txt"
    file.write_text("x")
    assert main(["explain", "good", "--model", str(file), "--method", "occlusion"]) == 2
    err = capsys.readouterr().err
    assert f"--model {file} is a file" in err and "model=" not in err
