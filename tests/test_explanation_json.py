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
    ({"schema": "4"}, "'schema' must be an integer, e.g. \"schema\": 6. Got str '4'"),  # issue 22, H4: not the version
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


def test_settings_a_run_can_write_are_accepted():
    path = Explainer(tiny("bert", dtype=torch.float64)).explain("a good film", "sig", mode="reverse", steps=4)
    for settings in ({"steps": "auto"}, {"steps": None}, {"steps": 1, "tolerance": 0.01, "max_nodes": 512}):
        e = Explanation.from_json(_with(path, settings=lambda s, extra=settings: dict(s, **extra)))
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


# --- issue 22, ninth breaker: extended texts, QA and causal LM answers, a changed task, method or score --------------

@pytest.fixture(scope="module")
def tasks():
    """One explanation per task shape: a classifier, a pair classifier, a QA model, a multi-label classifier, a causal LM."""
    bert = Explainer(tiny("bert", dtype=torch.float64))
    return {"single": bert.explain("great fun", "occlusion"),
            "pair": bert.explain(("a man sleeps", "a person rests"), "occlusion"),
            "qa": Explainer(tiny("bert_qa", dtype=torch.float64)).explain(("Who wrote it?", "Ann wrote it in Paris."), "occlusion"),
            "multi": Explainer(tiny("bert", dtype=torch.float64, problem_type="multi_label_classification")).explain(
                "a good film", "occlusion"),
            "lm": Explainer(tiny("gpt2_lm", dtype=torch.float64)).explain("The capital is", "ig", steps=4, max_new_tokens=2)}


def _refused(e, words, **changes):
    with pytest.raises(FaithlensError, match="Not a consistent explanation") as info:
        Explanation.from_json(_with(e, **changes))
    assert words in str(info.value), str(info.value)


def test_every_task_shape_round_trips(tasks):
    for e in tasks.values():
        assert Explanation.from_json(e.to_json()) == e


@pytest.mark.parametrize("kind, key, value, words", [
    ("single", "text", "great fun but the ending is awful",
     "'text' has characters no token covers: 'but the ending is awful' (characters 10–33 of 33); the explanation's 2 "
     "word(s)"),
    ("single", "text", "great fun!", "'text' has characters no token covers: '!' (characters 9–10 of 10)"),
    ("pair", "text_pair", "a person rests and sings", "'text_pair' has characters no token covers: 'and sings'"),
    ("pair", "text", "a man sleeps soundly", "'text' has characters no token covers: 'soundly'"),
    ("qa", "text_pair", "Ann wrote it in Paris. Bob did not.", "'text_pair' has characters no token covers: 'Bob did not.'"),
    ("qa", "text", "Who wrote it? When?", "'text' has characters no token covers: 'When?'"),
])
def test_a_text_extended_past_what_was_explained_is_refused(tasks, kind, key, value, words):
    """Ninth breaker F2: d["text"] = "great fun but the ending is awful" on an explanation of "great fun" was accepted
    (2 words explained of 7); only a changed character inside a word was refused."""
    _refused(tasks[kind], words, **{key: value})


def test_white_space_and_dropped_characters_need_no_token():
    """Added spaces, and characters a tokenizer drops (a NUL inside a word, a zero-width space) are not a changed text;
    a token of ASCII letters whose span holds a dropped character ("fi\\x00lm" read as "film") is not one either."""
    bert = Explainer(tiny("bert", dtype=torch.float64))
    e = bert.explain("  a good\u200b fi\x00lm \n", "occlusion")
    assert "film" in e.tokens and Explanation.from_json(e.to_json()) == e
    assert Explanation.from_json(_with(e, text=lambda t: t + "   \t")).text.endswith("   \t")


def test_a_truncated_explanation_may_leave_out_a_head_or_tail_but_no_middle():
    """A classifier keeps the first tokens, a causal LM the prompt's last, a QA model a window of the context (not
    truncated: its warning names the window): the text outside what they cover is not a change; a word inserted
    between covered words is."""
    bert = Explainer(tiny("bert", dtype=torch.float64))
    cut = [bert.explain(" ".join(["a good film"] * 30), "occlusion", truncate=True),
           Explainer(tiny("gpt2_lm", dtype=torch.float64)).explain(" ".join(["The capital is"] * 20), "occlusion",
                                                                   max_new_tokens=1, truncate=True),
           Explainer(tiny("bert_qa", dtype=torch.float64)).explain(("Who wrote it?", " ".join(["Ann wrote it in Paris."] * 30)),
                                                                   "occlusion")]
    for e in cut:
        assert e.truncated == (e.task != "qa") and Explanation.from_json(e.to_json()) == e
        key = "text_pair" if e.text_pair is not None else "text"
        source = getattr(e, key)
        segment = int(key == "text_pair")
        covered = {i for w in e.words if w.segment == segment for t in w.tokens for i in range(*e.offsets[t])}
        gaps = [w.end for w in e.words if w.segment == segment and w.end < len(source) and source[w.end] == " "
                and w.end not in covered]
        if e.task == "causal_lm":  # byte-level BPE: a space belongs to the next token (Ġis), so there is no gap
            assert not gaps
            continue
        at = gaps[len(gaps) // 2]
        joined = source[:at] + "|" + source[at + 1:]  # a character between two explained words: no span moves
        _refused(e, f"has characters no token covers: '|' (characters {at}–{at + 1} of", **{key: joined})


@pytest.mark.parametrize("part, change, words", [
    ("prediction", {"prob": 5.0}, "prediction 'prob' is 5.0; a probability lies in [0, 1]"),
    ("prediction", {"prob": -0.1}, "prediction 'prob' is -0.1"),
    ("prediction", {"start": -5}, "prediction 'start'/'end' are -5/22, but its token_span [10, 11] covers context characters 16–22"),
    ("target", {"end": 99}, "target 'start'/'end' are 16/99"),
    ("target", {"label": "bogus"}, "target 'label' is 'bogus', but the context at its span [16, 22) is 'Paris.'"),
    ("prediction", {"token_span": [11, 10]}, "prediction 'token_span' must be [start token, end token] with 0 ≤ start ≤ end < 13"),
    ("prediction", {"token_span": [10, 40]}, "prediction 'token_span' must be"),
    ("prediction", {"token_span": [2, 3]}, "holds token 2 ('[UNK]'), which is not a token of the context"),
    ("prediction", {"token_span": "10-11"}, "prediction 'token_span' must be"),
    ("prediction", {"logit": "high"}, "prediction 'logit' must be a finite number. Got 'high'"),
    ("prediction", {"logit": 0.5}, "the prediction and the target are the same span [10, 11], but their 'logit' or 'prob' differ"),
])
def test_a_qa_answer_is_checked_like_a_classifier_s_class(tasks, part, change, words):
    """Ninth breaker F3: prediction.prob = 5.0, prediction.start = -5 and target.label = "bogus" were accepted on a QA
    explanation, where the same kinds of edits on a classifier were refused."""
    e = tasks["qa"]
    assert e.prediction["token_span"] == e.target["token_span"] == [10, 11]
    _refused(e, words, **{part: lambda p: dict(p, **change)})


@pytest.mark.parametrize("part, change, words", [
    ("target", {"prob": 0.9}, "target 'prob' is 0.9, but exp(log_prob) = "),
    ("prediction", {"log_prob": 0.5}, "prediction 'log_prob' is 0.5; a log-probability is a finite number ≤ 0"),
    ("prediction", {"token_ids": [-3, 30]}, "prediction 'token_ids' must be a non-empty list of token ids"),
    ("target", {"token_log_probs": [-0.1, -0.1]}, "target 'token_log_probs' sum to -0.2"),
    ("target", {"tokens": [":"]}, "target 'tokens' must hold one entry per token id (2)"),
])
def test_a_causal_lm_continuation_is_checked(tasks, part, change, words):
    e = tasks["lm"]
    assert e.target["prob"] == pytest.approx(math.exp(e.target["log_prob"]), rel=1e-6)
    _refused(e, words, **{part: lambda p: dict(p, **change)})


@pytest.mark.parametrize("kind, task, words", [
    ("single", "multi_label", "'task' is 'multi_label', but the prediction has no 'predicted' list"),
    ("multi", "classification", "'task' is 'classification' (one label, softmax), but the prediction has a 'predicted'"),
    ("qa", "classification", "'task' is 'classification', whose prediction holds a class 'index' (a classifier), but this "
                             "prediction holds an answer 'token_span' (a QA model)"),
    ("qa", "multi_label", "but this prediction holds an answer 'token_span'"),
    ("pair", "qa", "the prediction lists label names, which only classifiers have; 'task' is 'qa'"),
])
def test_a_changed_task_contradicting_the_prediction_is_refused(tasks, kind, task, words):
    """Ninth breaker F4: "classification" → "multi_label" and "qa" → "classification" were accepted, and the object
    reported the new task."""
    _refused(tasks[kind], words, task=task)


def test_a_multi_label_prediction_lists_the_labels_above_one_half(tasks):
    e = tasks["multi"]
    assert e.prediction["predicted"] == [x for x, p in zip(e.prediction["labels"], e.prediction["probs"]) if p > 0.5]
    assert e.prediction["predicted"] == ["negative", "positive"]  # both sigmoids above 0.5 (0.74, 0.73) on this seed
    _refused(e, "prediction 'predicted' is ['positive'], but the labels whose probability is above 0.5 are ['negative', "
                "'positive']", prediction=lambda p: dict(p, predicted=["positive"]))


@pytest.mark.parametrize("kind, changes, words", [
    ("single", {"method": "ig"}, "'method' is 'ig', whose scores are measured as completeness, but 'error' kind is 'exact'"),
    ("lm", {"method": "occlusion"}, "'method' is 'occlusion', whose scores are measured as exact, but 'error' kind is "
                                    "'completeness'"),
    ("single", {"method": "grad_x_input"}, "'method' is 'grad_x_input', but 'settings' holds 'unit', which grad_x_input "
                                           "never reads (settings of occlusion, sig)"),
    ("lm", {"method": "deeplift"}, "'settings' holds 'rule', 'steps', which deeplift never reads"),
    ("single", {"score": "prob"}, "'score' is 'prob', but 'settings' records the run's score as 'logit'"),
    ("qa", {"score": "max_logit", "settings": lambda s: dict(s, score="max_logit")},
     "'score' is 'max_logit', which a qa explanation never has; its scores are logit, prob, log_prob"),
])
def test_a_changed_method_or_score_contradicting_the_record_is_refused(tasks, kind, changes, words):
    """Ninth breaker: method occlusion → ig and score logit → prob were accepted. The error kind, the settings and the
    recorded score contradict them; a score changed in both places on a classifier (logit → prob) cannot be told from
    a run with that score and is accepted."""
    _refused(tasks[kind], words, **changes)
    both = Explanation.from_json(_with(tasks["single"], score="prob", settings=lambda s: dict(s, score="prob")))
    assert both.score == "prob"


# --- issue 22, tenth breaker F4: derived fields, a dropped separator, nested keys, an appended NUL ------------------

@pytest.fixture(scope="module")
def layouts():
    """One explanation per special-token layout: BERT single and pair ([CLS] … [SEP] (… [SEP])), RoBERTa pair
    (<s> … </s></s> … </s>), BERT QA, GPT-2 (no specials, byte-level), a causal LM (continuation after the prompt)."""
    bert = Explainer(tiny("bert", dtype=torch.float64))
    return {"single": bert.explain("a good film", "occlusion"),
            "pair": bert.explain(("a man sleeps", "a person rests"), "occlusion"),
            "roberta_pair": Explainer(tiny("roberta", dtype=torch.float64)).explain(("a man", "a dog"), "occlusion"),
            "roberta": Explainer(tiny("roberta", dtype=torch.float64)).explain("a good film", "occlusion"),
            "qa": Explainer(tiny("bert_qa", dtype=torch.float64)).explain(("Who wrote it?", "Ann wrote it."), "occlusion"),
            "gpt2": Explainer(tiny("gpt2", dtype=torch.float64)).explain("a good film", "occlusion"),
            "lm": Explainer(tiny("gpt2_lm", dtype=torch.float64)).explain("The capital is", "occlusion", max_new_tokens=3)}


def test_every_layout_round_trips(layouts):
    for e in layouts.values():
        assert Explanation.from_json(e.to_json()) == e


def test_an_edited_token_scores_normalised_is_refused(layouts):
    """F4.1: token_scores_normalised edited so it no longer is token_scores over their norm was accepted; the token
    view (normalised) and the word view (raw) then showed different explanations."""
    e = layouts["single"]
    _refused(e, "token_scores_normalised[2] is 0.9, but token_scores[2] over the L2 norm of the token scores is "
                f"{e.token_scores_normalised[2]!r}; 'token_scores_normalised' is computed from 'token_scores'",
             token_scores_normalised=lambda s: s[:2] + [0.9] + s[3:])
    swapped = list(e.token_scores_normalised)
    swapped[1], swapped[3] = swapped[3], swapped[1]  # same norm, other tokens: still refused
    _refused(e, "token_scores_normalised[1] is", token_scores_normalised=swapped)


def _drop_last(e) -> str:
    d = e.to_dict()
    for name in ("tokens", "offsets", "special", "token_scores", "token_scores_normalised"):
        d[name] = d[name][:-1]
    return json.dumps(d)


@pytest.mark.parametrize("kind, words", [
    ("single", "the tokens open with '[CLS]', so the tokenizer closes the last text with '[SEP]', but its last token "
               "is 'film' (a token of the text); a special token was dropped or added"),
    ("pair", "open with '[CLS]', so the tokenizer closes the last text with '[SEP]', but its last token is '[UNK]'"),
    ("qa", "open with '[CLS]', so the tokenizer closes the last text with '[SEP]', but its last token is '.'"),
    ("roberta_pair", "the first text is closed by '</s>', so the tokenizer closes the last text with "
                     "'</s>', but its last token is 'g'"),
    ("lm", "the target continuation has 3 token(s), so the first 2 follow the prompt as special tokens (the model's "
           "input), but the tokens end with 1 special token(s)"),
])
def test_a_dropped_last_special_token_is_refused(layouts, kind, words):
    """F4.2: the final [SEP] dropped from tokens with its score, offset and special flag was accepted."""
    with pytest.raises(FaithlensError, match="Not a consistent explanation") as info:
        Explanation.from_json(_drop_last(layouts[kind]))
    assert words in str(info.value), str(info.value)


def test_a_separator_replaced_or_moved_is_refused(layouts):
    e = layouts["pair"]
    _refused(e, "token 8 after the last text is '[CLS]'", tokens=lambda t: t[:-1] + ["[CLS]"])
    lm = layouts["lm"]
    _refused(lm, "the tokens end with [':', 'x'], but the target continuation's first 2 token(s) are [':', ':']",
             tokens=lambda t: t[:-1] + ["x"])


@pytest.mark.parametrize("part, change, words", [
    ("prediction", {"note": "hi"}, "'prediction' has unexpected keys ['note']. Expected keys from ['index', 'label', "
                                   "'labels', 'probs']"),
    ("target", {"score": 1.0}, "'target' has unexpected keys ['score']. Expected keys from ['contrast', 'index', 'label']"),
    ("target", {"contrast": {"index": 1, "label": "positive", "why": "x"}}, "target 'contrast' has unexpected keys ['why']"),
    ("error", {"relativ": 0.1}, "'error' has unexpected keys ['relativ']. Expected keys from ['absolute', 'completeness'"),
])
def test_an_unknown_key_in_a_nested_object_is_refused(layouts, part, change, words):
    """F4.3: an unknown key inside 'prediction' was accepted (the top level refuses one)."""
    _refused(layouts["single"], words, **{part: lambda p: dict(p, **change)})


def test_an_unknown_key_in_a_word_or_a_task_s_answer_is_refused(layouts):
    d = layouts["single"].to_dict()
    d["words"][1]["colour"] = "red"
    with pytest.raises(FaithlensError, match=r"Not an explanation: words\[1\] has unexpected keys \['colour'\]. "
                                             r"Expected keys from \['end', 'sampling_error', 'score'"):
        Explanation.from_dict(d)
    _refused(layouts["qa"], "'prediction' has unexpected keys ['note']. Expected keys from ['end', 'label', 'logit', "
                            "'prob', 'start', 'token_span']", prediction=lambda p: dict(p, note=0))
    _refused(layouts["lm"], "'target' has unexpected keys ['probs']", target=lambda p: dict(p, probs=[0.5]))


def test_a_nul_appended_to_a_byte_level_text_is_refused(layouts):
    """F4.4: text + "\\x00" was accepted. A byte-level tokenizer (GPT-2, RoBERTa) gives the NUL a token ('Ā'), so a
    text with one no token covers was changed after it was explained."""
    for kind, where in (("gpt2", "11–12 of 12"), ("roberta", "11–12 of 12"), ("lm", "14–15 of 15")):
        e = layouts[kind]
        _refused(e, f"'text' has characters no token covers: '\\x00' (characters {where})", text=lambda t: t + "\x00")
    explained = Explainer(tiny("gpt2", dtype=torch.float64)).explain("a good film\x00", "occlusion")
    assert explained.tokens[-1] == "Ā" and Explanation.from_json(explained.to_json()) == explained


def test_a_nul_appended_where_the_tokenizer_drops_it_is_what_explain_writes(layouts):
    """BERT's tokenizer drops NUL as it normalises, and explain accepts a text holding one (encoding.check_text): the
    explanation of "a good film\\x00" is the explanation of "a good film" with that text, so the edit is accepted,
    and the loaded explanation equals what explain writes."""
    e = layouts["single"]
    back = Explanation.from_json(_with(e, text=lambda t: t + "\x00"))
    again = Explainer(tiny("bert", dtype=torch.float64)).explain("a good film\x00", "occlusion")
    assert back.text == again.text == "a good film\x00"
    assert (back.tokens, back.offsets, back.token_scores) == (again.tokens, again.offsets, again.token_scores)


@pytest.mark.parametrize("text, words", [
    ("\x00\x00", "'text' is empty or only whitespace (or invisible characters)"),
    ("a good film\ud800", "'text' holds a lone surrogate"),
])
def test_a_text_explain_refuses_is_refused(layouts, text, words):
    with pytest.raises(FaithlensError) as info:
        Explanation.from_dict(dict(layouts["single"].to_dict(), text=text))
    assert words in str(info.value), str(info.value)


# --- issue 22, eleventh breaker F7: derived records (error, deltas, nodes, faithfulness, mode, special, LM labels) -----

@pytest.fixture(scope="module")
def records():
    """Explanations whose records are computed from what the file holds: SIG's closed form (exact) with a faithfulness
    record, SIG's path (quadrature; reverse with attributions, error-controlled with nodes), IG (completeness), Shapley
    sampling (sampling), RoBERTa's <s> … </s> and a causal LM's continuation."""
    bert = Explainer(tiny("bert", dtype=torch.float64))
    text = "a good film and a dull plot"
    return {"closed": bert.explain(text, "sig", faithfulness=True, n_random=5),
            "reverse": bert.explain(text, "sig", mode="reverse", steps=4, return_attributions=True),
            "adaptive": bert.explain(text, "sig", tolerance=0.01),
            "ig": bert.explain(text, "ig", steps=4),
            "shapley": bert.explain(text, "shapley", n_samples=3),
            "roberta": Explainer(tiny("roberta", dtype=torch.float64)).explain("a good film", "occlusion"),
            "lm": Explainer(tiny("gpt2_lm", dtype=torch.float64)).explain("the film was", "occlusion", target=" good",
                                                                          faithfulness=True, n_random=4)}


def test_every_record_round_trips(records):
    closed = records["closed"]
    assert closed.error["kind"] == "exact" and set(closed.deltas) == {0.0} and closed.faithfulness["k"] == 1
    assert records["reverse"].error["kind"] == "quadrature" and records["adaptive"].nodes
    for e in records.values():
        assert Explanation.from_json(e.to_json()) == e


def _refused_at(e, words, *edits):
    """`_refused` for edits of nested values: each edit a (path, value) pair, the path keys and indices from the top."""
    d = e.to_dict()
    for path, value in edits:
        holder = d
        for key in path[:-1]:
            holder = holder[key]
        holder[path[-1]] = value
    with pytest.raises(FaithlensError, match="Not a consistent explanation") as info:
        Explanation.from_json(json.dumps(d))
    assert words in str(info.value), str(info.value)


@pytest.mark.parametrize("path, value, words", [
    (("error", "relative"), 0.5, "'error' kind is 'exact' (no approximation: no error to measure), but its relative is "
                                 "0.5; an exact result has relative 0"),
    (("error", "absolute"), 3.0, "but its absolute is 3.0; an exact result has absolute 0"),
    (("error", "reference"), 100.0, "'error' reference is 100.0, but the largest unit score max_u |a_u| (the closed "
                                    "form's, from 'token_scores' and 'units') is 0.0603"),
    (("deltas", 1), 5.0, "'error' kind is 'exact' (SIG's closed form F(w) − F(w with the unit at the baseline)), so every "
                         "unit's delta is 0, but deltas[1] is 5.0"),
    (("settings", "mode"), "reverse", "settings 'mode' is 'reverse', whose scores are measured as 'quadrature', but "
                                      "'error' kind is 'exact'"),
    (("settings", "mode"), "auto", "settings 'mode' is 'auto'; a SIG run records the mode it ran"),
    (("nodes",), [5] * 7, "'nodes' holds 7 node count(s), but 'settings' has no 'tolerance'"),
])
def test_an_exact_result_has_no_error_and_no_delta(records, path, value, words):
    """F7: error.relative = 0.5, deltas[1] = 5.0 and settings.mode = "reverse" were accepted on SIG's closed form."""
    _refused_at(records["closed"], words, (path, value))


@pytest.mark.parametrize("kind, path, value, words", [
    ("reverse", ("deltas", 3), 5.0, "'error' absolute is 8.34"),
    ("reverse", ("deltas", 3), 5.0, "but the worst unit's quadrature error max_u |δ_u| (from 'deltas') is 5.0"),
    ("reverse", ("error", "reference"), 1.0, "'error' reference is 1.0, but the largest closed-form unit score max_u "
                                             "|a_u − δ_u|"),
    ("reverse", ("error", "relative"), 0.5, "'error' relative is 0.5, but absolute / |reference| is "),
    ("reverse", ("error", "kind"), "exact", "'error' kind is 'exact' (no approximation: no error to measure), but its "
                                            "relative is 0.000138"),
    ("reverse", ("settings", "mode"), "closed", "settings 'mode' is 'closed', whose scores are measured as 'exact', but "
                                                "'error' kind is 'quadrature'"),
    ("reverse", ("settings", "mode"), "forward", "there are per-feature 'attributions', but settings 'mode' is 'forward'"),
    ("adaptive", ("nodes",), [4, 4], "'nodes' has 2 entries, but the run integrated 7 path(s)"),
    ("adaptive", ("nodes", 0), 500, "'nodes' holds 500, more than the run's settings 'max_nodes' (128)"),
    ("ig", ("total_delta",), 0.5, "'error' absolute is 4.358488288"),
    ("ig", ("error", "absolute"), 0.5, "'error' absolute is 0.5, but |total_delta|"),
    ("shapley", ("error", "absolute"), 0.5, "but the largest standard error max_i SE_i (from 'sampling_error') is"),
    ("shapley", ("error", "reference"), 0.5, "but the largest score max_i |a_i| (from 'token_scores') is"),
    ("shapley", ("error", "completeness", "absolute"), 0.5, "error 'completeness' absolute is 0.5, but |total_delta|"),
    ("shapley", ("error", "completeness", "relative"), 0.5, "error 'completeness' relative is 0.5, but absolute / "
                                                            "|reference| is"),
])
def test_a_measured_error_agrees_with_what_it_measures(records, kind, path, value, words):
    """The error record against the deltas, total_delta, sampling_error and token_scores the file holds
    (`accuracy.measure`)."""
    _refused_at(records[kind], words, (path, value))


def test_a_relative_error_that_could_not_be_measured_loads():
    """SmoothGrad with one draw has no sampling error to measure (relative null); from_json refused its own file."""
    e = Explainer(tiny("bert", dtype=torch.float64)).explain("a good film", "smoothgrad", n_samples=1)
    assert e.error["relative"] is None and Explanation.from_json(e.to_json()) == e
    with pytest.raises(FaithlensError, match=r"'error' must be null or an object with a 'kind' \(str\) and a finite "
                                             r"'relative' error \(or null\)"):
        Explanation.from_json(_with(e, error=lambda r: {k: v for k, v in r.items() if k != "relative"}))


@pytest.mark.parametrize("path, value, words", [
    (("faithfulness", "comp"), 99.0, "faithfulness 'comp' is 99.0; comprehensiveness is p(ŷ) − p̃(ŷ), a difference of two "
                                     "probabilities, in [-1, 1]"),
    (("faithfulness", "suff"), -1.5, "faithfulness 'suff' is -1.5; sufficiency is"),
    (("faithfulness", "random", "comp"), 2.0, "faithfulness random 'comp' is 2.0"),
    (("faithfulness", "k"), 100, "faithfulness 'k' is 100, but the top-k fraction 0.2 of the 7 attributed tokens is 1"),
    (("faithfulness", "k"), 2, "faithfulness 'k' is 2, but the top-k fraction 0.2 of the 7 attributed tokens is 1"),
    (("faithfulness", "fraction"), 5.0, "faithfulness 'fraction' is 5.0; the top-k fraction is a number in [0, 1]"),
    (("faithfulness", "fraction"), 0.5, "faithfulness 'k' is 1, but the top-k fraction 0.5 of the 7 attributed tokens "
                                        "is 3"),
    (("faithfulness", "protocol"), "strict", "faithfulness 'protocol' is 'strict'; faithlens writes one of standard, "
                                             "reference"),
    (("faithfulness", "random", "n"), 1001, "faithfulness 'random' must be null or an object with an int 'n' in [0, 1000]"),
    (("faithfulness", "random", "n"), 4, "faithfulness 'beats_random' is 0.9, which is no share of 4 random orderings"),
    (("faithfulness", "beats_random"), 0.45, "faithfulness 'beats_random' is 0.45, which is no share of 5 random "
                                             "orderings (wins count 1, ties 1/2: a multiple of 1/10)"),
    (("faithfulness", "random", "comp_sd"), -0.1, "faithfulness random 'comp_sd' is -0.1"),
])
def test_a_faithfulness_record_agrees_with_the_tokens_and_its_orderings(records, path, value, words):
    """F7: comp = 99, k = 100 on a 7-token text and fraction = 5 were accepted."""
    before = [(("faithfulness", "beats_random"), 0.9)] if path[-1] == "n" else []  # 0.9: a share of 5, not of 4
    _refused_at(records["closed"], words, *before, (path, value))
    if before:
        assert Explanation.from_json(_with(records["closed"], faithfulness=lambda f: dict(f, beats_random=0.9)))


def test_a_faithfulness_record_with_no_token_removed_is_all_null():
    """k = 0 (too few tokens for 20 %): nothing is removed, every metric is null and there is nothing to beat."""
    e = Explainer(tiny("bert", dtype=torch.float64)).explain("a good film", "occlusion", faithfulness=True, n_random=3)
    assert e.faithfulness["k"] == 0 and e.faithfulness["beats_random"] is None
    assert e.faithfulness["comp"] is None
    _refused(e, "faithfulness 'comp' is 0.25, but 'k' is 0: no token is removed, so nothing is measured (null)",
             faithfulness=lambda f: dict(f, comp=0.25))
    _refused(e, "faithfulness 'beats_random' is 0.5, but k is 0", faithfulness=lambda f: dict(f, beats_random=0.5))


def test_random_orderings_up_to_the_bound_are_what_the_record_can_say(records):
    """random.n = 1000 (the bound, trust.MAX_RANDOM) with beats_random 1.0 is what a run of 1000 orderings can write:
    nothing else in the file depends on n, so it loads; past the bound, or with a share no n orderings give, it does
    not (above)."""
    from faithlens.trust import MAX_RANDOM

    back = Explanation.from_json(_with(records["closed"], faithfulness=lambda f: dict(f, random=dict(f["random"], n=MAX_RANDOM))))
    assert back.faithfulness["random"]["n"] == MAX_RANDOM == 1000


@pytest.mark.parametrize("kind, fraction, protocol", [("bert", 0.5, "reference"), ("bert_qa", 0.37, "reference"),
                                                      ("bert_qa", 1.0, "standard"), ("gpt2_lm", 0.5, "reference")])
def test_top_k_counts_faithlens_writes_load(kind, fraction, protocol):
    """k counts what the metrics may remove: attributed tokens, or every token under the reference protocol, less a QA
    answer span or a causal LM's continuation input."""
    from faithlens.baselines import resolve_baseline
    from faithlens.trust import with_trust

    ex = Explainer(tiny(kind, dtype=torch.float64))
    item = {"bert": "a good film and a dull plot", "bert_qa": ("Who wrote it?", "Ann wrote it in Paris."),
            "gpt2_lm": "the film was"}[kind]
    e = ex.explain(item, "occlusion", **({"max_new_tokens": 3} if kind == "gpt2_lm" else {}))
    [checked] = with_trust(ex.model, [e], baseline=resolve_baseline(ex.model), fraction=fraction, protocol=protocol, n_random=2)
    assert checked.faithfulness["k"] > 0 and Explanation.from_json(checked.to_json()) == checked
    _refused(checked, "faithfulness 'k' is", faithfulness=lambda f: dict(f, k=f["k"] + 1))


@pytest.mark.parametrize("kind, index, words", [
    ("closed", 0, "token 0 ('[CLS]') belongs to no word, so it is a special token (one the tokenizer adds, such as "
                  "[CLS], [SEP], <s>, </s>, or a causal LM's continuation), but 'special' says false for it"),
    ("closed", -1, "token 8 ('[SEP]') belongs to no word, so it is a special token"),
    ("closed", 2, "token 2 ('good') is special (never attributed), but it belongs to word 'good'"),
    ("roberta", 0, "token 0 ('<s>') belongs to no word"),
    ("roberta", -1, "token 5 ('</s>') belongs to no word"),
])
def test_special_flags_follow_the_tokenizer_s_layout(records, kind, index, words):
    """F7: special[0] = false on [CLS] was accepted."""
    special = list(records[kind].special)
    _refused_at(records[kind], words, (("special", index), not special[index]))


@pytest.mark.parametrize("change, words", [
    ({"prediction": lambda p: dict(p, label=" bad")}, "prediction 'label' is ' bad', but its 'tokens' [' good'] decode "
                                                      "to ' good'; the label is the decoded continuation"),
    ({"prediction": lambda p: dict(p, label=" bad"), "target": lambda p: dict(p, label=" bad")},
     "prediction 'label' is ' bad', but its 'tokens' [' good'] decode to ' good'"),
    ({"prediction": lambda p: dict(p, label=" bad", tokens=[" bad"]), "target": lambda p: dict(p, label=" bad", tokens=[" bad"])},
     "prediction 'tokens'[0] is ' bad', but its piece is 'Ġgood'; a token is its piece decoded"),
    ({"prediction": lambda p: dict(p, token_log_probs=[p["log_prob"]], token_ids=[299])},
     "prediction 'token_ids' is [299], but target 'token_ids' is [298]; a causal LM's prediction is the continuation it "
     "explains (its target), field for field"),
])
def test_a_causal_lm_label_is_its_decoded_continuation(records, change, words):
    """F7: prediction.label " good" → " bad" was accepted while token_ids, tokens and pieces still said " good"."""
    e = records["lm"]
    assert e.prediction == e.target and e.target["label"] == "".join(e.target["tokens"]) == " good"
    _refused(e, words, **change)
    spaced = Explanation.from_json(_with(e, prediction=lambda p: dict(p, label="good"), target=lambda p: dict(p, label="good")))
    assert spaced.target["label"] == "good"  # white space aside: a tokenizer's clean-up may move a space


# --- issue 22, thirteenth breaker B9: settings hold only the keys a run of the method writes; provenance's types ----

_WD_ITEMS = {"bert": "a good film", "bert_pair": ("a man sleeps", "a person rests"),
             "bert_qa": ("Who wrote it?", "Ann wrote it in Paris."), "multi": "a good film",
             "gpt2_lm": "The capital is", "llama_lm": "The capital is"}


def _wd_runs(kind):
    """Runs of every registered method on `kind`, with the settings that change what a run records (an error-controlled
    rule, SIG's modes, a contrast, a per-token matrix, the faithfulness check)."""
    from faithlens.methods import METHODS

    lm = {"max_new_tokens": 2} if kind.endswith("_lm") else {}
    for name in METHODS:
        yield name, dict(lm, faithfulness=False)
    yield "occlusion", dict(lm, faithfulness=True, n_random=2, seed=1)
    yield "ig", dict(lm, tolerance=0.1, faithfulness=False)
    yield "sig", dict(lm, tolerance=0.1, mode="reverse", faithfulness=False)
    yield "sig", dict(lm, steps=3, mode="forward", faithfulness=False)
    if kind.endswith("_lm"):
        yield "ig", dict(lm, steps=3, per_token=True, target_side=True, faithfulness=False)
    if kind == "bert":
        yield "occlusion", dict(contrast=1, baseline="pad", faithfulness=False)


@pytest.mark.parametrize("kind", list(_WD_ITEMS))
def test_every_method_s_explanation_of_every_task_loads(kind):
    """Whatever settings faithlens writes, it reads back: every method on a tiny model of every task."""
    import warnings

    model = (tiny("bert", dtype=torch.float64, problem_type="multi_label_classification") if kind == "multi"
             else tiny(kind.replace("_pair", ""), dtype=torch.float64))
    explainer = Explainer(model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, settings in _wd_runs(kind):
            e = explainer.explain(_WD_ITEMS[kind], name, **settings)
            assert Explanation.from_json(e.to_json()) == e, (name, settings)


def test_every_built_in_method_lists_what_it_records():
    """A method added to faithlens without its row would leave its settings open (the rule for an extension's method)."""
    from faithlens.explanation_settings import METHOD_RECORDS
    from faithlens.methods import METHODS

    assert set(METHODS) <= set(METHOD_RECORDS)


@pytest.mark.parametrize("method, key, words", [
    ("occlusion", "foo", "'settings' (method 'occlusion') has unexpected keys ['foo']. Expected keys from ['baseline', "
                         "'baseline_token', 'contrast', 'dtype', 'per_token', 'score', 'target', 'target_side', 'unit']"),
    ("occlusion", "bootstrap", "has unexpected keys ['bootstrap']"),  # LIME's and KernelSHAP's record, not occlusion's
    ("ig", "coalitions", "'settings' (method 'ig') has unexpected keys ['coalitions']"),
    ("ig", "truncate", "has unexpected keys ['truncate']"),  # an option of explain, never recorded
])
def test_an_unknown_settings_key_is_refused(records_b9, method, key, words):
    """B9: ``"settings": {..., "foo": 1}`` loaded, while occlusion's ``steps`` was refused."""
    _refused(records_b9[method], words, settings=lambda s: dict(s, **{key: 1}))


def test_a_method_s_own_records_load(records_b9):
    for method, key, value in (("ig", "intervals", [[0.0, 1.0]]), ("ig", "rounds", 1)):
        d = records_b9[method].to_dict()
        d["settings"][key] = value
        assert Explanation.from_dict(d).settings[key] == value


@pytest.fixture(scope="module")
def records_b9():
    bert = Explainer(tiny("bert", dtype=torch.float64))
    return {"occlusion": bert.explain("great fun", "occlusion", faithfulness=False),
            "ig": bert.explain("great fun", "ig", steps=4, faithfulness=False)}


_PROVENANCE = {"name": "m", "source": "/models/m", "revision": None, "weights_sha256": "ab12",
               "card": {"name": "m", "created": "2025-01-01T00:00:00+0000", "faithlens": "0.1.0"}}


@pytest.mark.parametrize("provenance, words", [
    (dict(_PROVENANCE, source=3), "provenance 'source' is 3; faithlens writes a str"),
    (dict(_PROVENANCE, name=None), "provenance 'name' is None; faithlens writes a str"),
    (dict(_PROVENANCE, revision=7), "provenance 'revision' is 7; faithlens writes a str or null"),
    (dict(_PROVENANCE, card="m"), "provenance 'card' is 'm'; faithlens writes null or an object"),
    (dict(_PROVENANCE, card={"name": 1}), "provenance 'card' 'name' is 1; faithlens writes a str"),
    (dict(_PROVENANCE, card={"size": "1"}), "provenance 'card' has unexpected keys ['size']"),
    (dict(_PROVENANCE, extra=1), "'provenance' has unexpected keys ['extra']. Expected keys from ['card', 'name', "
                                 "'revision', 'source', 'weights_sha256']"),
    ([1], "'provenance' must be null or a JSON object. Got list"),
])
def test_provenance_holds_what_model_provenance_writes(records_b9, provenance, words):
    _refused(records_b9["occlusion"], words, provenance=provenance)


def test_a_written_provenance_loads(records_b9, tmp_path):
    from faithlens.model import provenance

    class Config:
        _commit_hash = "abc"

    written = provenance("m", None, Config(), card={"name": "m", "created": "now", "versions": {"faithlens": "0.1"}})
    for p in (_PROVENANCE, written, dict(_PROVENANCE, card=None)):
        back = Explanation.from_json(_with(records_b9["occlusion"], provenance=p))
        assert back.provenance == p


# Fourteenth breaker N4: a causal LM's per_target against the explanation; a recorded completeness gap's total_delta
@pytest.fixture(scope="module")
def per_token():
    lm = Explainer(tiny("gpt2_lm"))
    cls = Explainer(tiny("bert"))
    runs = {"occlusion": lm.explain("The capital is", "occlusion", target=" Paris is", per_token=True),
            "target_side": lm.explain("The capital is", "occlusion", target=" Paris is", per_token=True,
                                      target_side=True),
            "ig": lm.explain("The capital is", "ig", target=" Paris is", per_token=True, steps=4),
            "ig_side": lm.explain("The capital is", "ig", target=" Paris is", per_token=True, target_side=True, steps=4),
            "shapley": lm.explain("The capital is", "shapley", target=" Paris is", per_token=True, n_samples=4),
            "one": lm.explain("The capital is", "saliency", max_new_tokens=1, per_token=True),
            "plain": lm.explain("The capital is", "occlusion", target=" Paris is"),
            "llama": Explainer(tiny("llama_lm")).explain("The capital is", "grad_x_input", target=" Paris is",
                                                        per_token=True, target_side=True)}
    for method in ("ig", "deeplift", "gradient_shap"):
        runs[f"cls_{method}"] = cls.explain("a good film", method, **({"steps": 4} if method == "ig" else {}))
    return runs


def test_per_token_runs_record_it_and_round_trip(per_token):
    for name, e in per_token.items():
        assert Explanation.from_json(e.to_json()) == e, name
        assert ("per_token" in e.settings) == (e.per_target is not None), name
    assert len(per_token["one"].per_target) == 1 and per_token["target_side"].settings["target_side"] is True


def _rows(fn):
    def change(rows):
        rows = [list(r) for r in rows]
        fn(rows)
        return rows
    return change


def _future(rows):  # row 0 scores y_1, which sees the prompt only: the last column is y_{J−1}
    rows[0][-1] = 1.0


def _side_future(rows):  # with the target side row 1 sees y_1 (column −J+1) but not y_2 (column −J+2)
    rows[1][-len(rows) + 2] = 0.5


@pytest.mark.parametrize("kind, key, fn, words", [
    ("occlusion", "per_target", lambda r: r[:-1], "has 5 rows, but the target continuation has 6 tokens"),
    ("occlusion", "per_target", lambda r: r + [[0.0] * len(r[0])], "has 7 rows, but the target continuation has 6"),
    ("one", "per_target", lambda r: r + r, "has 2 rows, but the target continuation has 1"),
    ("occlusion", "per_target", _rows(_future), "which cannot see it"),
    ("target_side", "per_target", _rows(_future), "which cannot see it"),
    ("target_side", "per_target", _rows(_side_future), "which cannot see it"),
    ("llama", "per_target", _rows(_side_future), "continuation token y_2"),
    ("occlusion", "per_target", _rows(lambda r: r[0].__setitem__(1, r[0][1] + 5)), "sums to"),
    ("target_side", "per_target", _rows(lambda r: r[2].__setitem__(0, r[2][0] + 0.01)), "at the prompt tokens"),
    ("ig", "per_target", _rows(lambda r: r[3].__setitem__(2, r[3][2] - 0.5)), "F = Σ_j F_j"),
    ("one", "per_target", _rows(lambda r: r[0].__setitem__(0, r[0][0] * 2 + 1)), "its one row is 'token_scores'"),
    ("occlusion", "per_target", lambda r: None, "settings record 'per_token', but 'per_target' is null"),
    ("target_side", "settings", lambda s: {k: v for k, v in s.items() if k != "per_token"},
     "'target_side' but not 'per_token'"),
    ("occlusion", "settings", lambda s: dict(s, per_token=False), "settings 'per_token' is False"),
    ("cls_ig", "total_delta", lambda x: None, "'total_delta'"),
    ("cls_deeplift", "total_delta", lambda x: None, "'total_delta'"),
    ("cls_gradient_shap", "total_delta", lambda x: None, "'total_delta'"),
])
def test_an_edited_per_target_or_total_delta_is_refused(per_token, kind, key, fn, words):
    with pytest.raises(FaithlensError, match="Not a consistent explanation") as err:
        Explanation.from_json(edited(per_token[kind], **{key: fn}))
    assert words in str(err.value)


def test_a_file_from_before_settings_recorded_per_token_loads_and_is_checked(per_token):
    """Files written before runs recorded settings.per_token hold the matrix without it: they load, and their matrix
    is checked as a per-token run's (a row short is refused)."""
    old = edited(per_token["occlusion"], settings=lambda s: {k: v for k, v in s.items() if k != "per_token"})
    assert Explanation.from_json(old).per_target == per_token["occlusion"].per_target
    short = json.loads(old)
    short["per_target"] = short["per_target"][:-1]
    with pytest.raises(FaithlensError, match="has 5 rows, but the target continuation has 6 tokens"):
        Explanation.from_json(json.dumps(short))


def test_per_target_rows_the_run_does_not_tie_to_token_scores_may_differ_from_them(per_token):
    """IG on the target side and Shapley's rows are their own runs: an edit within the visible cells is not refused
    (the file does not hold what they were computed from), and the untouched file loads."""
    for kind in ("ig_side", "shapley"):
        Explanation.from_json(edited(per_token[kind], per_target=_rows(lambda r: r[0].__setitem__(0, r[0][0] + 0.5))))


def test_truncated_true_on_a_text_the_tokens_cover_whole_is_refused(tmp_path):
    """Fifteenth breaker F1: "truncated": true was accepted on an explanation of the whole text (the opposite edit was
    refused); a really truncated explanation still loads."""
    from tiny import tiny

    from faithlens import Explainer

    ex = Explainer(tiny("bert"))
    whole = ex.explain("a good film", "occlusion")
    with pytest.raises(FaithlensError, match="'truncated' is true, but the tokens cover the whole text"):
        Explanation.from_json(edited(whole, truncated=lambda _: True))
    cut = ex.explain("a good film " * 200, "occlusion", truncate=True)
    assert cut.truncated and Explanation.from_json(cut.to_json()) == cut
