"""Issue 22, nineteenth breaker F4 and F5: `Explanation.from_json` accepted derived fields that no longer agree with
what they are computed from. F4: an IG result with every token and word score doubled kept its completeness gap
(``total_delta``) and relative error; the gap is Σ token_scores − reference, so the edit is refused naming both
numbers. F5: ``words`` in reversed order (word_scores() then listed them reversed), a negative ``sampling_error`` and
a key named twice in the JSON text were accepted. Real files of every method and tokenizer kind still read back."""

import json

import pytest
import torch

from faithlens import Explainer, Explanation
from faithlens.errors import FaithlensError
from tiny import tiny


@pytest.fixture(scope="module")
def bert():
    return Explainer(tiny("bert", dtype=torch.float32))


def _load(e, edit=None, text=None):
    if text is not None:
        return Explanation.from_json(text)
    d = e.to_dict()
    if edit:
        edit(d)
    return Explanation.from_json(json.dumps(d))


def _refused(e, edit, *words, text=None):
    with pytest.raises(FaithlensError) as info:
        _load(e, edit, text)
    message = str(info.value)
    for w in words:
        assert w in message, message
    return message


def _scaled(factor):
    def edit(d):
        d["token_scores"] = [x * factor for x in d["token_scores"]]
        for w in d["words"]:
            w["score"] *= factor
            if w["sampling_error"] is not None:  # a sampled run's errors scale with its scores
                w["sampling_error"] *= factor
        if d["sampling_error"] is not None:
            d["sampling_error"] = [x * factor for x in d["sampling_error"]]
            d["error"]["absolute"] *= factor
            d["error"]["reference"] *= factor
    return edit


# --- F4: the completeness gap against the scores ----------------------------------------------------------------------

def test_the_breakers_doubled_ig_scores_are_refused_naming_both_numbers(bert):
    e = bert.explain("great fun movie", "ig", steps=8)
    d = e.to_dict()
    total = 2 * sum(d["token_scores"])
    message = _refused(e, _scaled(2), "token scores sum to", "total_delta", "edited", "Was the JSON edited")
    assert f"{total - d['error']['reference']:.6}"[:6] in message
    assert repr(d["total_delta"]) in message


def test_one_score_shifted_with_its_word_is_refused(bert):
    e = bert.explain("great fun movie", "ig", steps=8)

    def edit(d):  # token 1 and its word moved, with every field derived from them redone
        from faithlens.explanation_checks import word_normalised

        d["token_scores"][1] += 0.5
        d["words"][0]["score"] += 0.5
        norm = sum(x * x for x in d["token_scores"]) ** 0.5
        d["token_scores_normalised"] = [x / norm for x in d["token_scores"]]
        for w, x in zip(d["words"], word_normalised([w["score"] for w in d["words"]])):
            w["score_normalised"] = x
    _refused(e, edit, "total_delta", "edited")


@pytest.mark.parametrize("method,kw", [("deeplift", {}), ("gradient_shap", {"n_samples": 3}), ("dig", {"steps": 4}),
                                       ("partition", {}), ("shapley", {"n_samples": 3}), ("lime", {"n_samples": 20})])
def test_every_method_with_a_gap_refuses_scaled_scores(bert, method, kw):
    e = bert.explain("great fun movie", method, **kw)
    assert _load(e) == e
    _refused(e, _scaled(3), "total_delta", "edited")


def test_an_edited_total_delta_with_its_error_is_refused(bert):
    e = bert.explain("great fun movie", "ig", steps=8)

    def edit(d):
        d["total_delta"] = d["total_delta"] + 0.1
        d["error"]["absolute"] = abs(d["total_delta"])
        d["error"]["relative"] = d["error"]["absolute"] / abs(d["error"]["reference"])
    _refused(e, edit, "total_delta", "edited")


# --- F5: words order, sampling errors, duplicate keys -----------------------------------------------------------------

def test_the_breakers_reversed_words_are_refused(bert):
    e = bert.explain("great fun movie", "occlusion")
    _refused(e, lambda d: d.__setitem__("words", d["words"][::-1]), "'words' follow the text order", "'fun'",
             "'movie'")


def test_two_words_swapped_are_refused(bert):
    e = bert.explain("great fun movie", "occlusion")

    def edit(d):
        d["words"][0], d["words"][1] = d["words"][1], d["words"][0]
    _refused(e, edit, "text order")


def test_a_word_naming_another_words_token_is_refused(bert):
    e = bert.explain("great fun movie", "ig", steps=4)

    def edit(d):  # 'fun' also names token 1 ('great') and takes its score: sums still agree
        d["words"][1]["tokens"] = [1, 2]
        d["words"][1]["score"] += d["token_scores"][1]
        d["words"][0]["tokens"] = [3]
    _refused(e, edit, "word 1 'fun'", "tokens [1, 2]", "naming later tokens")


def test_a_word_that_does_not_cover_its_token_is_refused(bert):
    e = bert.explain("great fun movie", "occlusion")

    def merged(d):  # 'great' takes the tokens of 'fun' too, in text order, and 'fun' is dropped
        d["words"][0]["tokens"] = [1, 2]
        d["words"][0]["score"] += d["words"][1]["score"]
        del d["words"][1]
    _refused(bert.explain("great fun movie", "ig", steps=4), merged, "word 0 'great' spans characters 0–5",
             "token 2 ('fun')", "a word covers the tokens it names")

    def swapped(d):
        d["words"][0]["tokens"], d["words"][1]["tokens"] = [2], [1]
    _refused(e, swapped, "word 1 'fun'", "naming later tokens")

    def shared(d):
        d["words"][0]["tokens"], d["words"][1]["tokens"] = [1], [1]
    _refused(e, shared, "word 1 'fun'", "naming later tokens")


def test_unsorted_tokens_in_a_word_are_refused(bert):
    e = bert.explain("a goodishly film", "occlusion")
    assert e.words[1].tokens == (2, 3, 4)
    _refused(e, lambda d: d["words"][1].__setitem__("tokens", [3, 2, 4]), "increasing order")


def test_a_negative_sampling_error_is_refused(bert):
    e = bert.explain("great fun movie", "shapley", n_samples=3)
    assert e.sampling_error is not None and e.words[0].sampling_error is not None
    _refused(e, lambda d: d["words"][0].__setitem__("sampling_error", -1), "sampling_error -1", "≥ 0")

    def token(d):
        d["sampling_error"][1] = -1.0
    _refused(e, token, "sampling_error[1] is -1.0", "≥ 0")


def test_a_word_sampling_error_that_is_not_its_tokens_sum_is_refused(bert):
    e = bert.explain("great fun movie", "shapley", n_samples=3)
    _refused(e, lambda d: d["words"][0].__setitem__("sampling_error", d["words"][0]["sampling_error"] + 1),
             "its tokens' sampling_error sum")
    _refused(bert.explain("great fun movie", "occlusion"), lambda d: d["words"][0].__setitem__("sampling_error", 0.1),
             "the tokens have none")


def test_a_key_named_twice_is_refused_as_json_files_refuses_it(bert):
    text = bert.explain("great fun movie", "occlusion").to_json()
    _refused(None, None, "names the key 'method' twice", text=text[:-1] + ', "method": "occlusion"}')
    nested = text.replace('"settings": {', '"settings": {"unit": "word", ', 1)
    _refused(None, None, "names the key 'unit' twice", text=nested)


def test_nan_and_huge_integers_are_still_refused(bert):
    text = bert.explain("great fun movie", "occlusion").to_json()
    _refused(None, None, "NaN", text=text.replace('"seconds": ', '"seconds": NaN, "x": ', 1))
    _refused(None, None, "digits", text=text.replace('"seconds": ', '"seconds": 1' + "0" * 5000 + ', "x": ', 1))


# --- real files read back ------------------------------------------------------------------------------------------

METHODS = [("ig", {"steps": 8}), ("ig", {"tolerance": 1e-3}), ("deeplift", {}), ("gradient_shap", {"n_samples": 3}),
           ("shapley", {"n_samples": 3}), ("kernel_shap", {"n_samples": 20}), ("lime", {"n_samples": 20}),
           ("partition", {}), ("dig", {"steps": 4}), ("smoothgrad", {"n_samples": 3}), ("occlusion", {}),
           ("sig", {"steps": 4}), ("sig", {}), ("grad_x_input", {}), ("saliency", {}), ("random", {}),
           ("dig_maxcount", {"steps": 4}), ("occlusion", {"unit": "token"})]


@pytest.mark.parametrize("kind", ["bert", "gpt2", "bert_qa", "gpt2_lm", "llama_lm"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_tiny_models_read_back(kind, dtype):
    ex = Explainer(tiny(kind, dtype=dtype))
    if kind.endswith("_qa"):
        items, extra = [("Who wrote it?", "Ann wrote it  in Paris 😀 ok.")], {}
    elif kind.endswith("_lm"):
        items, extra = ["The  capital 😀 is\n"], {"max_new_tokens": 2}
    else:
        items = ["greatly  unforgettable\tfun 😀, can't stop-watching", ("a man sleeps", "a person  rests 😀")]
        extra = {}
    for item in items:
        for method, kw in METHODS:
            e = ex.explain(item, method, **kw, **extra)
            assert Explanation.from_json(e.to_json()) == e, (kind, item, method)


@pytest.mark.slow
def test_the_default_model_reads_back():
    ex = Explainer("default")
    for item in ("greatly unforgettable fun 😀", ("a man sleeps", "a person  rests")):
        for method, kw in METHODS:
            e = ex.explain(item, method, **kw)
            assert Explanation.from_json(e.to_json()) == e, (method, item)
