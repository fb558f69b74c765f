"""Issue 22, kind 7: `Explanation.from_json` refuses a file whose fields disagree (scores of the wrong length or type,
NaN, offsets past the text, a changed text, a rescored token), so every view drawn from it shows what the JSON says."""

import json
import math

import pytest
import torch

from faithlens import Explainer, Explanation
from faithlens.errors import FaithlensError
from faithlens.views import render_terminal
from tiny import tiny


@pytest.fixture(scope="module", params=["bert", "bert_pair", "bert_qa", "gpt2_lm"])
def explanation(request):
    kind = request.param
    e = Explainer(tiny(kind.replace("_pair", ""), dtype=torch.float64))
    item = {"bert": "a good film", "bert_pair": ("a man sleeps", "a person rests"),
            "bert_qa": ("Who wrote it?", "Ann wrote it in Paris."), "gpt2_lm": "The capital is"}[kind]
    return e.explain(item, "sig", steps=4, return_attributions=True,
                     **({"max_new_tokens": 2, "per_token": True} if kind == "gpt2_lm" else {}))


def edited(e, **changes):
    d = e.to_dict()
    for key, fn in changes.items():
        d[key] = fn(d[key])
    return json.dumps(d)


def test_every_task_round_trips(explanation):
    assert Explanation.from_json(explanation.to_json()) == explanation


@pytest.mark.parametrize("key, fn, words", [
    ("token_scores", lambda s: s[:-1], "'token_scores' has"),
    ("token_scores", lambda s: ["0.5"] + s[1:], "expected finite numbers"),
    ("token_scores", lambda s: [True] + s[1:], "expected finite numbers"),
    ("token_scores_normalised", lambda s: s + [0.0], "'token_scores_normalised' has"),
    ("offsets", lambda o: [[0, 10_000]] + o[1:], "is not a (start, end) span inside the text"),
    ("offsets", lambda o: [[5, 2]] + o[1:], "is not a (start, end) span"),
    ("special", lambda s: [1] + s[1:], "'special' true/false"),
    ("text", lambda t: "X" + t, "is not the text at its span"),
    ("text", lambda t: 7, "'text' must be a str"),
    ("attributions", lambda a: a[:-1], "'attributions' has"),
    ("deltas", lambda d: d + [0.0], "'deltas' has"),
    ("seconds", lambda s: "fast", "seconds holds 'fast'"),
])
def test_inconsistent_fields_are_refused(explanation, key, fn, words):
    with pytest.raises(FaithlensError, match="Not a consistent explanation") as info:
        Explanation.from_json(edited(explanation, **{key: fn}))
    assert words in str(info.value)


def test_a_rescored_token_no_longer_matches_its_word(explanation):
    d = explanation.to_dict()
    t = d["words"][0]["tokens"][0]
    d["token_scores"][t] += 1.0
    with pytest.raises(FaithlensError, match="its tokens' token_scores sum to"):
        Explanation.from_dict(d)


def test_nan_in_the_file_is_refused(explanation):
    text = explanation.to_json().replace(repr(explanation.token_scores[1]), "NaN", 1)
    with pytest.raises(FaithlensError, match="NaN is not a number faithlens writes"):
        Explanation.from_json(text)


def test_a_consistent_edit_is_what_the_views_show():
    """Scaling every score and word score by 2 keeps the file consistent; the terminal view shows the new scores."""
    e = Explainer(tiny("bert", dtype=torch.float64)).explain("a good film", "occlusion")
    d = e.to_dict()
    d["token_scores"] = [2 * x for x in d["token_scores"]]
    for w in d["words"]:
        w["score"] = math.fsum(d["token_scores"][t] for t in w["tokens"])
    back = Explanation.from_dict(d)
    assert [w.score for w in back.words] == pytest.approx([2 * w.score for w in e.words], rel=1e-12)
    shown = render_terminal([back], bars=True)
    assert f"(raw {back.words[0].score:+.4f})" in shown and f"(raw {e.words[0].score:+.4f})" not in shown


@pytest.fixture(scope="module")
def classified():
    """A sampled classifier explanation: it has prediction labels, probs, a sampling error and an error record."""
    return Explainer(tiny("bert", dtype=torch.float64)).explain("a good film", "shapley", n_samples=3)


def _with(e, **changes):
    d = e.to_dict()
    for key, value in changes.items():
        d[key] = value(d[key]) if callable(value) else value
    return json.dumps(d)


@pytest.mark.parametrize("changes, words", [
    ({"warnings": "careful"}, "'warnings' must be a JSON array. Got str"),
    ({"tokens": "abc"}, "'tokens' must be a JSON array"),
    ({"words": []}, "'words' is empty, but"),
    ({"prediction": lambda p: dict(p, probs=p["probs"] + [0.0])}, "one probability per label (2"),
    ({"prediction": lambda p: dict(p, probs=p["probs"][:1])}, "one probability per label"),
    ({"prediction": lambda p: dict(p, index=5)}, "prediction 'index' must be a class index 0..1. Got 5"),
    ({"target": lambda t: dict(t, index=1 - t["index"])}, "target 'label'"),
    ({"target": lambda t: dict(t, label="neutral")}, "does not match its 'index'"),
    ({"signed": "yes"}, "'signed' must be true/false. Got str"),
    ({"signed": 1}, "'signed' must be true/false. Got int"),
    ({"error": "small"}, "'error' must be null or an object"),
    ({"error": lambda r: dict(r, relative="tiny")}, "'error' must be null or an object"),
    ({"error": lambda r: {"relative": r["relative"]}}, "'error' must be null or an object with a 'kind'"),
    ({"sampling_error": 0.1}, "'sampling_error' must be a JSON array. Got float"),
    ({"sampling_error": lambda s: s[:-1]}, "'sampling_error' has"),
    ({"sampling_error": lambda s: ["x"] + s[1:]}, "sampling_error holds 'x'"),
    ({"method": "limes"}, "'method' is 'limes', not a faithlens method"),
])
def test_field_types_and_agreement_are_checked(classified, changes, words):
    with pytest.raises(FaithlensError) as info:
        Explanation.from_json(_with(classified, **changes))
    assert words in str(info.value)


def test_a_sampled_classifier_round_trips(classified):
    assert classified.sampling_error is not None and classified.error is not None
    assert Explanation.from_json(classified.to_json()) == classified


# --- issue 22: values faithlens never writes -----------------------------------------------------------

@pytest.mark.parametrize("changes, words", [
    ({"prediction": lambda p: dict(p, probs=[1.5, -0.5])}, "prediction 'probs' holds 1.5; a probability lies in [0, 1]"),
    ({"prediction": lambda p: dict(p, probs=[0.5, 0.9])}, "prediction 'probs' sum to 1.4"),
    ({"task": "sentiment"}, "'task' is 'sentiment'; faithlens writes one of"),
    ({"task": "qa"}, "'task' is 'qa', but there is no 'text_pair'"),
    ({"task": "causal_lm"}, "the prediction lists label names, which only classifiers have"),
    ({"score": "logits"}, "'score' is 'logits'; the explained function is one of"),
    ({"error": lambda r: dict(r, kind="guess")}, "'error' kind is 'guess'"),
    ({"error": lambda r: dict(r, relative=-0.1)}, "'error' relative is -0.1"),
    ({"seconds": -1.0}, "'seconds' is -1.0; a time is ≥ 0"),
    ({"deltas": [0.0, 0.0]}, "'deltas' has 2 entries but there are no 'units'"),
    ({"provenance": "hub"}, "'provenance' must be null or a JSON object. Got str"),
    ({"faithfulness": 0.4}, "'faithfulness' must be null or a JSON object. Got float"),
    ({"faithfulness": {"k": 1, "comp": "high", "suff": 0.0, "log_odds": 0.0}}, "faithfulness 'comp' must be a finite"),
    ({"faithfulness": {"k": 1, "comp": 0.1, "suff": 0.0, "log_odds": 0.0, "beats_random": 2}}, "'beats_random' must be"),
    ({"signed": False}, "'signed' is false, but shapley's scores are signed"),
    ({"settings": lambda s: dict(s, target=1 - s["target"])}, "'settings' target is"),
    ({"schema": True}, "'schema' must be an integer, e.g. \"schema\": "),
    ({"schema": 4.0}, "'schema' must be an integer"),
    ({"schema": "4"}, "'schema' must be an integer, e.g. \"schema\": 5. Got str '4'"),  # issue 22, H4: not the version
    ({"prediction": lambda p: dict(p, probs=p["probs"][::-1])}, "but class "),  # H4: argmax of probs is another class
    ({"token_scores": lambda t: [0.25] + t[1:]}, "token 0 ('[CLS]') is special (never attributed), but its token_score "
                                                 "is 0.25; a special token scores 0"),
    ({"text_pair": "a second text"}, "there is a 'text_pair', but no word lies in it (segment 1)"),
])
def test_values_faithlens_never_writes_are_refused(classified, changes, words):
    with pytest.raises(FaithlensError) as info:
        Explanation.from_json(_with(classified, **changes))
    assert words in str(info.value)


@pytest.mark.parametrize("changes, words", [
    ({"settings": lambda s: dict(s, steps=-5)}, "settings 'steps' is -5; faithlens writes a positive int (or \"auto\" or null)"),
    ({"settings": lambda s: dict(s, steps="many")}, "settings 'steps' is 'many'"),
    ({"settings": lambda s: dict(s, steps=2.5)}, "settings 'steps' is 2.5"),
    ({"settings": lambda s: dict(s, n_samples=0)}, "settings 'n_samples' is 0"),
    ({"settings": lambda s: dict(s, tolerance=0)}, "settings 'tolerance' is 0; faithlens writes a number in (0, 1)"),
    ({"settings": lambda s: dict(s, tolerance=-0.5)}, "settings 'tolerance' is -0.5"),
    ({"settings": lambda s: dict(s, noise=5.0)}, "settings 'noise' is 5.0"),
    ({"settings": lambda s: dict(s, seed=-1)}, "settings 'seed' is -1"),
    ({"tokens": lambda t: t[:2] + ["awful"] + t[3:]}, "token 2 is 'awful', but the text at its offsets [2, 6] is 'good'"),
    ({"tokens": lambda t: t[:2] + ["##bad"] + t[3:]}, "token 2 is '##bad'"),
])
def test_settings_and_tokens_faithlens_never_writes_are_refused(classified, changes, words):
    """Issue 22, E6: settings.steps = -5 and a token that is not the text at its offsets were accepted."""
    with pytest.raises(FaithlensError) as info:
        Explanation.from_json(_with(classified, **changes))
    assert words in str(info.value)


def test_settings_a_run_can_write_are_accepted(classified):
    for settings in ({"steps": "auto"}, {"steps": None}, {"steps": 1, "tolerance": 0.01, "max_nodes": 512}):
        e = Explanation.from_json(_with(classified, settings=lambda s, extra=settings: dict(s, **extra)))
        assert all(e.settings[k] == v for k, v in settings.items())


def test_a_file_without_schema_is_refused(classified):
    d = classified.to_dict()
    del d["schema"]
    with pytest.raises(FaithlensError, match="no 'schema' key"):
        Explanation.from_dict(d)


def test_units_must_partition_attributed_tokens():
    e = Explainer(tiny("bert", dtype=torch.float64)).explain("a good film", "sig", steps=4)
    d = e.to_dict()
    assert d["units"] and d["special"][0]
    for units, words in [([[]] + d["units"][1:], "unit 0 is empty"), ([[0]] + d["units"][1:], "a special token"),
                         ([d["units"][0], d["units"][0]] + d["units"][2:], "is in two units")]:
        with pytest.raises(FaithlensError, match=words):
            Explanation.from_dict(dict(d, units=units))


def test_a_faithfulness_record_round_trips_and_shows():
    e = Explainer(tiny("bert", dtype=torch.float64)).explain("a good film and a dull plot", "occlusion",
                                                              faithfulness=True, n_random=3)
    back = Explanation.from_json(e.to_json())
    assert back == e and "faithfulness: Comp" in back._repr_html_()


def test_signed_follows_the_method_when_it_is_known():
    e = Explainer(tiny("bert", dtype=torch.float64)).explain("a good film", "saliency")
    assert e.signed is False and Explanation.from_json(e.to_json()) == e
    with pytest.raises(FaithlensError, match="'signed' is true, but saliency's scores are magnitudes"):
        Explanation.from_json(_with(e, signed=True))


@pytest.mark.parametrize("where", ["seconds", "token_scores", "total_delta", "error", "prediction", "settings"])
def test_an_integer_past_the_float_range_is_refused_in_any_number_field(explanation, where):
    """10**400 is a valid JSON integer but no float (math.isfinite raised OverflowError); refused like 1e400."""
    d = explanation.to_dict()
    if where == "token_scores":
        d["token_scores"][1] = 10 ** 400
    elif where in ("error", "prediction"):
        holder = d[where] if where == "prediction" else (d["error"] or {"kind": "exact", "relative": 0.0})
        holder[next(k for k, v in holder.items() if isinstance(v, (int, float)) and not isinstance(v, bool))] = -10 ** 400
        d[where] = holder
    elif where == "settings":
        d["settings"]["steps"] = 10 ** 400
    else:
        d[where] = 10 ** 400
    for load in (lambda: Explanation.from_json(json.dumps(d)), lambda: Explanation.from_dict(d)):
        with pytest.raises(FaithlensError, match="expected finite numbers") as info:
            load()
        assert "integer of 401 digits" in str(info.value)
    float_inf = json.dumps(d).replace("1" + "0" * 400, "1e400")  # the same field as a float literal: refused alike
    with pytest.raises(FaithlensError, match="expected finite numbers"):
        Explanation.from_json(float_inf)


def test_an_integer_past_python_s_digit_limit_is_refused(explanation):
    text = explanation.to_json().replace('"seconds": ', '"seconds": 1' + "0" * 5000 + ", \"_\": ", 1)
    with pytest.raises(FaithlensError, match="a number has 5001 digits; expected finite numbers"):
        Explanation.from_json(text)


@pytest.mark.parametrize("value", [{"schema": 4}, ["a"], 5])
def test_from_json_takes_a_str(value):
    with pytest.raises(FaithlensError, match="takes the JSON text, a str") as info:
        Explanation.from_json(value)
    assert ("Explanation.from_dict(d)" in str(info.value)) == isinstance(value, dict)
    assert "not valid JSON" not in str(info.value)
