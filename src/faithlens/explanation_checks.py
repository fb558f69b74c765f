"""What `Explanation.from_dict` checks beyond shapes and agreement (`explanation.check_consistent`): each field's
value is one faithlens can write — a known task, score and error kind, probabilities that are probabilities, times
and errors that are not negative, path units that partition attributed tokens, and the objects the views read
(``provenance``, ``faithfulness``) with only the keys faithlens writes there, settings a run can have (steps a positive
int, a tolerance in (0, 1), ...); every derived field agrees with what it is computed from (`check_derived`); the
tokens agree with the text (`explanation_tokens`). An edited or foreign file fails here with the field named, never
later in a view (``_repr_html_`` reading a faithfulness record that is not an object)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from .errors import FaithlensError
from .explanation_settings import (RECORDED_WITH, check_keys, check_provenance, check_settings_agree, check_settings_keys,
                                   own_settings)
from .explanation_tokens import (check_continuation_text, check_coverage, check_layout, check_offsets, check_specials,
                                 check_tokens, check_word_spans, check_words)

TASKS = ("classification", "multi_label", "qa", "causal_lm")  # tasks.Task.name of each task
ERROR_KINDS = ("exact", "quadrature", "completeness", "sampling")  # accuracy.EXACT, QUADRATURE, ...
PROB_SLACK = 1e-6  # float32 rounding of a softmax or sigmoid
SUM_SLACK = 1e-3  # Σ softmax = 1 up to float32 rounding over many labels

Bad = Callable[[str], FaithlensError]


def check_values(d: dict[str, Any], bad: Bad) -> None:
    """Raise `bad(what)` for the first field whose value faithlens never writes (see the module docstring)."""
    from .names import SCORES

    check_words(d, bad)  # the words in text order (explanation_tokens), before their scores
    task = d.get("task", "classification")
    if task not in TASKS:
        raise bad(f"'task' is {task!r}; faithlens writes one of {', '.join(TASKS)}")
    _check_task_agrees(d, task, bad)
    _check_part_keys(d, task, bad)
    if d["score"] not in SCORES:
        raise bad(f"'score' is {d['score']!r}; the explained function is one of {', '.join(SCORES)}")
    _check_score_for_task(d, task, bad)
    if d["seconds"] is not None and d["seconds"] < 0:
        raise bad(f"'seconds' is {d['seconds']!r}; a time is ≥ 0")
    error = d.get("error")
    if error is not None:
        if error["kind"] not in ERROR_KINDS:
            raise bad(f"'error' kind is {error['kind']!r}; faithlens measures one of {', '.join(ERROR_KINDS)}")
        if error["relative"] is not None and error["relative"] < 0:
            raise bad(f"'error' relative is {error['relative']!r}; a relative error is ≥ 0")
    _check_sampling_errors(d, bad)
    check_provenance(d.get("provenance"), bad)
    _check_method_fields(d, bad)
    _check_settings(d["settings"], bad)
    _check_method_record(d, bad)
    check_settings_agree(d, bad)  # the unit and the baseline against the file (explanation_settings)
    check_specials(d, bad)  # the tokens against the text (explanation_tokens)
    check_layout(d, task, bad)
    check_offsets(d, bad)
    check_tokens(d, bad)
    check_word_spans(d, bad)
    check_coverage(d, bad)
    _check_answers(d, task, bad)
    _check_units(d, bad)
    _check_probs(d, task, bad)
    _check_special(d, bad)


def _check_sampling_errors(d: dict[str, Any], bad: Bad) -> None:
    """A standard error (a token's ``sampling_error``, a word's) is a finite number ≥ 0; a word has one only where its
    tokens have theirs (`assemble`: a sampled method writes both)."""
    for t, se in enumerate(d.get("sampling_error") or ()):
        if se < 0:
            raise bad(f"sampling_error[{t}] is {se!r}; a standard error is ≥ 0")
    for k, w in enumerate(d["words"]):
        se = w.sampling_error
        if se is None:
            continue
        if not finite_number(se) or se < 0:
            raise bad(f"word {k} {w.word!r} has sampling_error {se!r:.40}; a standard error is a finite number "
                      "≥ 0 (or null)")
        if d.get("sampling_error") is None:
            raise bad(f"word {k} {w.word!r} has sampling_error {se!r}, but the tokens have none ('sampling_error' is "
                      "null); a sampled run writes both, a word's the sum of its tokens'")


# The keys of each task's prediction and target (`tasks.Task.describe`; a causal LM's prediction is its target)
_CLASS_KEYS = {"label", "index"}
_CONTINUATION_KEYS = {"label", "token_ids", "log_prob", "prob", "tokens", "pieces", "token_log_probs"}
_SPAN_KEYS = {"label", "token_span", "logit", "prob", "start", "end"}
_PART_KEYS = {"classification": (_CLASS_KEYS | {"probs", "labels"}, _CLASS_KEYS | {"contrast"}),
              "multi_label": (_CLASS_KEYS | {"probs", "labels", "predicted"}, _CLASS_KEYS | {"contrast"}),
              "qa": (_SPAN_KEYS, _SPAN_KEYS),
              "causal_lm": (_CONTINUATION_KEYS | {"contrast"}, _CONTINUATION_KEYS | {"contrast"})}
_CONTRAST_KEYS = {"classification": _CLASS_KEYS, "multi_label": _CLASS_KEYS, "causal_lm": _CONTINUATION_KEYS}
_ERROR_KEYS = {"kind", "relative", "absolute", "reference", "measure", "completeness"}  # accuracy._error, measure
_GAP_KEYS = {"relative", "absolute", "reference"}  # error.completeness of a sampled efficient game
_FAITHFULNESS_KEYS = {"comp", "suff", "log_odds", "k", "fraction", "protocol", "random", "beats_random"}  # trust.py
_RANDOM_KEYS = {"comp", "suff", "log_odds", "comp_sd", "n", "seed"}


def _check_part_keys(d: dict[str, Any], task: str, bad: Bad) -> None:
    """`check_keys` on the nested objects whose keys faithlens fixes: prediction, target (and a contrast), error,
    faithfulness (and its random orderings)."""
    for name, known in zip(("prediction", "target"), _PART_KEYS[task]):
        check_keys(d[name], known, f"'{name}'", bad)
        if isinstance(d[name].get("contrast"), dict) and task in _CONTRAST_KEYS:
            check_keys(d[name]["contrast"], _CONTRAST_KEYS[task], f"{name} 'contrast'", bad)
    error = d.get("error")
    if isinstance(error, dict):
        check_keys(error, _ERROR_KEYS, "'error'", bad)
        if isinstance(error.get("completeness"), dict):
            check_keys(error["completeness"], _GAP_KEYS, "error 'completeness'", bad)
    faithfulness = d.get("faithfulness")
    if isinstance(faithfulness, dict):
        check_keys(faithfulness, _FAITHFULNESS_KEYS, "'faithfulness'", bad)
        if isinstance(faithfulness.get("random"), dict):
            check_keys(faithfulness["random"], _RANDOM_KEYS, "faithfulness 'random'", bad)


def word_normalised(scores: Sequence[float]) -> list[float]:
    """Word scores (W,) divided by their L2 norm, so each lies in −1..1 and their squares add up to 1.

    The token view is normalised over token scores; a word of n tokens that share its score equally would
    read √n times its share if its tokens' normalised scores were summed (a word's score is the sum of its
    tokens' raw scores, so the word view takes its own norm). All zeros stay zeros.
    """
    norm = math.sqrt(math.fsum(float(x) * float(x) for x in scores))
    return [float(x) / norm if norm > 0 else 0.0 for x in scores]


NORMALISED_SLACK = 1e-6  # a normalised score lies in −1..1; float32 files round their raw scores first


def check_derived(d: dict[str, Any], bad: Bad) -> None:
    """Every field computed from another field agrees with what it is computed from. Each is checked, never recomputed
    on load: a file that says two things is refused naming the field, rather than shown one way in one view and the
    other way in another. The derived fields of an explanation, and where each is checked:

    - ``token_scores_normalised``: ``token_scores`` over their L2 norm (all zeros stay zeros) — here;
    - ``words[k].score``: the sum of its tokens' ``token_scores`` — here;
    - ``words[k].sampling_error``: the sum of its tokens' ``sampling_error`` (sampled methods) — here;
    - the order of ``words`` (the text's) and the tokens each covers — `explanation_tokens.check_words`;
    - ``words[k].score_normalised``: its score over the L2 norm of the word scores (`word_normalised`) — here;
    - ``words[k].word``: the text at its span — `explanation.check_consistent`;
    - the token/text agreement (offsets, a token's text, the characters every token covers, the special tokens'
      layout) — `explanation_tokens`;
    - prediction ``label``/``index``/``predicted`` (classifiers), ``start``/``end``/``label`` (QA), ``prob`` and
      ``token_log_probs`` (causal LM) — `explanation._check_prediction`, `_check_probs`, `_check_task_shape`,
      `_check_answers`;
    - ``settings.score`` and ``settings.target`` — `_check_score_for_task`, `_check_method_fields`;
    - ``special``: the tokens in no word (the template's [CLS], [SEP], <s>, </s>; a causal LM's continuation) —
      `explanation_tokens.check_specials`;
    - a causal LM's prediction (its target, field for field), each continuation's ``label`` (its decoded ``tokens``
      joined) and ``tokens`` (their ``pieces``) — `_check_answers`, `explanation_tokens.check_continuation_text`;
    - ``error`` (exact: relative and absolute 0; quadrature: max |deltas| over the closed-form unit scores;
      completeness: |total_delta|, and total_delta = Σ token_scores − reference; sampling: max sampling_error over
      max |token_scores|; relative = absolute / |reference|), ``deltas`` (all 0 for SIG's closed form), SIG's
      ``settings.mode`` against the error kind, ``nodes`` (error-controlled runs, one per path) and ``faithfulness`` (k the top-k fraction of the removable
      tokens; Comp, Suff in [-1, 1]; beats_random a share of the n random orderings) — `explanation_records`.

    - a causal LM's ``per_target``: one row per continuation token, 0 at every token row j cannot see, summing to
      ``token_scores`` where the run computed the explanation as that sum — `explanation_records`.

    ``total_delta``, the deltas of a path, the metrics' values and ``per_target``'s cells are computed from model
    outputs the file does not hold; they are checked for their ranges and against each other only."""
    raw = d["token_scores"]
    for k, w in enumerate(d["words"]):
        total = math.fsum(raw[t] for t in w.tokens)
        if abs(w.score - total) > 1e-6 * max(1.0, abs(total), abs(w.score)):
            raise bad(f"word {k} {w.word!r} has score {w.score!r}, but its tokens' token_scores sum to {total!r}")
    errors = d.get("sampling_error")
    for k, w in enumerate(d["words"] if errors is not None else ()):
        total = math.fsum(errors[t] for t in w.tokens)
        if w.sampling_error is not None and abs(w.sampling_error - total) > 1e-6 * max(1.0, total, w.sampling_error):
            raise bad(f"word {k} {w.word!r} has sampling_error {w.sampling_error!r}, but its tokens' "
                      f"sampling_error sum to {total!r} (a word's tokens share its score evenly: their errors add up)")
    norm = math.sqrt(math.fsum(float(x) * float(x) for x in raw))
    for t, (x, stored) in enumerate(zip(raw, d["token_scores_normalised"])):
        expected = x / norm if norm > 0 else 0.0
        if abs(stored - expected) > NORMALISED_SLACK:
            raise bad(f"token_scores_normalised[{t}] is {stored!r}, but token_scores[{t}] over the L2 norm of the "
                      f"token scores is {expected!r}; 'token_scores_normalised' is computed from 'token_scores'")
    for k, (w, expected) in enumerate(zip(d["words"], word_normalised([w.score for w in d["words"]]))):
        if abs(w.score_normalised - expected) > NORMALISED_SLACK:
            raise bad(f"word {k} {w.word!r} has score_normalised {w.score_normalised!r}, but its score over the L2 norm "
                      f"of the word scores is {expected!r}")


def _check_task_agrees(d: dict[str, Any], task: str, bad: Bad) -> None:
    """The task matches the fields only some tasks have: a QA explanation has its context (text_pair), a causal LM's
    none; per-token rows belong to causal LMs; a list of label names to classifiers."""
    if task == "qa" and d.get("text_pair") is None:
        raise bad("'task' is 'qa', but there is no 'text_pair' (a QA explanation holds the question and its context)")
    if task == "causal_lm" and d.get("text_pair") is not None:
        raise bad("'task' is 'causal_lm', but there is a 'text_pair' (a causal LM explains one prompt)")
    if d.get("text_pair") is not None and not any(w.segment == 1 for w in d["words"]):
        raise bad("there is a 'text_pair', but no word lies in it (segment 1): the explanation is of a single text. "
                  "Drop 'text_pair', or explain the pair")
    if d.get("per_target") is not None and task != "causal_lm":
        raise bad(f"'per_target' (rows per generated token) belongs to causal LMs; 'task' is {task!r}")
    if isinstance(d["prediction"], dict) and "labels" in d["prediction"] and task not in ("classification", "multi_label"):
        raise bad(f"the prediction lists label names, which only classifiers have; 'task' is {task!r}")
    _check_task_shape(d, task, bad)


# What each task's prediction and target hold (tasks.Task.describe): the key that names the explained output
_SHAPE_KEY = {"classification": "index", "multi_label": "index", "qa": "token_span", "causal_lm": "token_ids"}
_SHAPE_WORDS = {"index": "a class 'index' (a classifier)", "token_span": "an answer 'token_span' (a QA model)",
                "token_ids": "continuation 'token_ids' (a causal LM)"}


def _check_task_shape(d: dict[str, Any], task: str, bad: Bad) -> None:
    """The prediction and target have the shape of the task's output (`tasks.Task.describe`): a classifier's a class
    index, a QA model's an answer token span, a causal LM's continuation ids; a multi-label prediction lists the labels
    above 0.5 (``predicted``) and a single-label one does not. A changed ``task`` contradicts them."""
    expected = _SHAPE_KEY[task]
    for name in ("prediction", "target"):
        part = d[name]
        found = [key for key in _SHAPE_WORDS if key in part]
        if expected not in part or found != [expected]:
            holds = " and ".join(_SHAPE_WORDS[k] for k in found) or f"none of {', '.join(map(repr, _SHAPE_WORDS))}"
            raise bad(f"'task' is {task!r}, whose {name} holds {_SHAPE_WORDS[expected]}, but this {name} holds {holds}")
    has_predicted = "predicted" in d["prediction"]
    if task == "multi_label" and not has_predicted:
        raise bad("'task' is 'multi_label', but the prediction has no 'predicted' list (the labels whose sigmoid "
                  "probability is above 0.5), which every multi-label prediction holds")
    if task == "classification" and has_predicted:
        raise bad("'task' is 'classification' (one label, softmax), but the prediction has a 'predicted' list of "
                  "labels, which only multi-label predictions hold")
    if task == "multi_label" and isinstance(d["prediction"].get("labels"), list) \
            and isinstance(d["prediction"].get("probs"), list):
        above = [label for label, p in zip(d["prediction"]["labels"], d["prediction"]["probs"])
                 if finite_number(p) and p > 0.5]
        if d["prediction"]["predicted"] != above:
            raise bad(f"prediction 'predicted' is {d['prediction']['predicted']!r:.80}, but the labels whose probability "
                      f"is above 0.5 are {above!r:.80}")


def _check_score_for_task(d: dict[str, Any], task: str, bad: Bad) -> None:
    """The explained function is one the task defines (`tasks.Task.scores`: a QA model or causal LM has no max_logit)
    and the one the run's settings record."""
    from .tasks import TASKS as TASK_OBJECTS

    scores = TASK_OBJECTS[task].scores
    if d["score"] not in scores:
        raise bad(f"'score' is {d['score']!r}, which a {task} explanation never has; its scores are {', '.join(scores)}")
    recorded = d["settings"].get("score")
    if recorded is not None and recorded != d["score"]:
        raise bad(f"'score' is {d['score']!r}, but 'settings' records the run's score as {recorded!r}")


def _check_units(d: dict[str, Any], bad: Bad) -> None:
    """Path units (SIG) are non-empty, disjoint sets of attributed (not special) tokens; deltas come with units."""
    units, special = d.get("units"), d["special"]
    if units is None:
        if d.get("deltas") is not None:
            raise bad(f"'deltas' has {len(d['deltas'])} entries but there are no 'units' (one delta per path unit)")
        return
    seen: set[int] = set()
    for k, unit in enumerate(units):
        if not unit:
            raise bad(f"unit {k} is empty; a path unit moves one or more tokens")
        for t in unit:
            if special[t]:
                raise bad(f"unit {k} holds token {t}, a special token, which never moves on a path")
            if t in seen:
                raise bad(f"token {t} is in two units; each token moves on one path")
            seen.add(t)


def _check_probs(d: dict[str, Any], task: str, bad: Bad) -> None:
    """A classifier's probabilities lie in [0, 1]; a softmax's (single-label) sum to 1."""
    probs = d["prediction"].get("probs") if task in ("classification", "multi_label") else None
    if not probs:
        return
    if not isinstance(probs, list) or not all(finite_number(p) for p in probs):
        raise bad(f"prediction 'probs' must be a list of probabilities (numbers in [0, 1]). Got {probs!r:.60}")
    outside = [p for p in probs if not -PROB_SLACK <= p <= 1 + PROB_SLACK]
    if outside:
        raise bad(f"prediction 'probs' holds {outside[0]!r}; a probability lies in [0, 1]")
    if task == "classification" and abs(math.fsum(probs) - 1) > SUM_SLACK:
        raise bad(f"prediction 'probs' sum to {math.fsum(probs):.6g}; a single-label classifier's (softmax) sum to 1")
    index = d["prediction"].get("index")
    if isinstance(index, int) and 0 <= index < len(probs) and probs[index] < max(probs) - PROB_SLACK:
        top = max(range(len(probs)), key=probs.__getitem__)
        raise bad(f"prediction 'index' is {index} (probability {probs[index]:.6g}), but class {top} has the highest "
                  f"probability ({probs[top]:.6g}); the prediction is the most probable class")


def _check_special(d: dict[str, Any], bad: Bad) -> None:
    """Special tokens (separators, a causal LM's continuation) are never attributed: their scores are 0."""
    for name in ("token_scores", "token_scores_normalised"):
        for t, (score, special) in enumerate(zip(d[name], d["special"])):
            if special and score != 0:
                raise bad(f"token {t} ({d['tokens'][t]!r}) is special (never attributed), but its {name[:-1]} is "
                          f"{score!r}; a special token scores 0")


def finite_number(x: Any) -> bool:
    """True for an int or float that is a finite float: JSON's integers have no bound (``10**400``), but every score,
    time and probability is read as a float, so an int past the float range (about 1.8e308) is refused like ``1e400``."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return False
    try:
        return math.isfinite(x)
    except OverflowError:  # an int too large to convert to float
        return False


def first_non_finite(obj: Any, where: str = "") -> str | None:
    """Where the first number of a document that is not a finite float lies, and what it is (``"'seconds' holds an
    integer of 401 digits"``), or None. Walks objects and arrays; true/false are not numbers and are skipped."""
    if isinstance(obj, dict):
        return next((found for k, v in obj.items() if (found := first_non_finite(v, f"{where}.{k}" if where else str(k)))), None)
    if isinstance(obj, (list, tuple)):
        return next((found for i, v in enumerate(obj) if (found := first_non_finite(v, f"{where}[{i}]"))), None)
    if isinstance(obj, bool) or not isinstance(obj, (int, float)) or finite_number(obj):
        return None
    what = f"an integer of {digits(obj)} digits" if isinstance(obj, int) else repr(obj)
    return f"'{where}' holds {what}"


def digits(n: int) -> int:
    """The number of decimal digits of an int, without converting it to a str (Python refuses past 4300 digits)."""
    count = max(1, int(abs(n).bit_length() * math.log10(2)))
    return count + (abs(n) >= 10 ** count)


def _check_method_fields(d: dict[str, Any], bad: Bad) -> None:
    """``signed`` is what a known method declares (SIG's scores have a sign, saliency's are magnitudes; the views
    colour by it), and ``settings.target`` names the target that ``target`` describes (index, token span or ids)."""
    from .methods import METHODS

    spec = METHODS.get(d["method"])
    if spec is not None and d["signed"] != spec.signed:
        raise bad(f"'signed' is {str(d['signed']).lower()}, but {d['method']}'s scores are "
                  f"{'signed' if spec.signed else 'magnitudes without a sign (signed: false)'}")
    target, settings = d["target"], d["settings"]
    described = next((target[k] for k in ("index", "token_span", "token_ids") if k in target), None)
    if "target" in settings and described is not None and _plain(settings["target"]) != _plain(described):
        raise bad(f"'settings' target is {settings['target']!r:.60}, but 'target' describes {described!r:.60}")


# The error kinds `accuracy.measure` gives a method's scores, from what the method declares: SIG and occlusion measure
# against a closed form (exact; SIG's path: quadrature); a method with completeness reports its gap; a random one its
# sampling error (shapley with one permutation: its completeness gap); the rest are their own definition (exact).
def _error_kinds(method) -> set[str]:
    kinds = set()
    if method.name == "sig":
        kinds |= {"exact", "quadrature"}
    if method.completeness:
        kinds.add("completeness")
    if method.random:
        kinds.add("sampling")
    if not method.completeness and method.name != "sig":
        kinds.add("exact")
    return kinds


def _check_method_record(d: dict[str, Any], bad: Bad) -> None:
    """What the file records of the run agrees with its method (`methods.METHODS`): the error kind is one that method's
    scores are measured by (occlusion: exact; IG: completeness, ...), and no setting is another method's option (IG has
    no ``unit``, occlusion no ``steps``). A changed ``method`` contradicts them."""
    from .methods import METHODS

    method = METHODS.get(d["method"])
    if method is None:
        return
    error = d.get("error")
    if isinstance(error, dict) and error.get("kind") in ERROR_KINDS and error["kind"] not in _error_kinds(method):
        raise bad(f"'method' is {method.name!r}, whose scores are measured as {' or '.join(sorted(_error_kinds(method)))}, "
                  f"but 'error' kind is {error['kind']!r} (another method's measure)")
    options = set().union(*(m.reads for m in METHODS.values())) | set(RECORDED_WITH)
    own = own_settings(method)
    foreign = sorted(k for k in d["settings"] if k in options and k not in own)
    if foreign:
        users = sorted({m.name for m in METHODS.values() for k in foreign if k in m.reads or RECORDED_WITH.get(k) in m.reads})
        raise bad(f"'method' is {method.name!r}, but 'settings' holds {', '.join(map(repr, foreign))}, which "
                  f"{method.name} never reads (settings of {', '.join(users)})")
    check_settings_keys(d["settings"], method, bad)  # a key no run of this method writes (explanation_settings)


def _plain(x: Any) -> Any:
    return [_plain(v) for v in x] if isinstance(x, (list, tuple)) else x


# settings.<name>: what a run writes (options.check_settings's ranges; the methods' own settings records)
_POSITIVE_INTS = ("steps", "max_nodes", "n_samples")


def _check_settings(settings: dict[str, Any], bad: Bad) -> None:
    """Numbers in ``settings`` are ones a run can have: steps, max_nodes, n_samples a positive int (steps may be
    "auto" or null), tolerance in (0, 1), noise in (0, 1], seed an int in [0, 2**32 - 1], warn_above ≥ 0."""
    from .options import MAX_NOISE, MAX_SEED

    for name in _POSITIVE_INTS:
        value = settings.get(name)
        if value is None or (name == "steps" and value == "auto"):
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise bad(f"settings {name!r} is {value!r:.40}; faithlens writes a positive int"
                      + (' (or "auto" or null)' if name == "steps" else ""))
    checks = {"tolerance": (lambda x: 0 < x < 1, "a number in (0, 1)"),
              "noise": (lambda x: 0 < x <= MAX_NOISE, f"a number in (0, {MAX_NOISE:g}]"),
              "warn_above": (lambda x: x >= 0, "a number ≥ 0")}
    for name, (ok, what) in checks.items():
        value = settings.get(name)
        if value is not None and not (finite_number(value) and ok(value)):
            raise bad(f"settings {name!r} is {value!r:.40}; faithlens writes {what} or null")
    seed = settings.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED):
        raise bad(f"settings 'seed' is {seed!r:.40}; faithlens writes an int in [0, {MAX_SEED}] or null")


def _check_answers(d: dict[str, Any], task: str, bad: Bad) -> None:
    """A QA prediction and target are answer spans of the context, and a causal LM's continuations are log-probabilities,
    as `tasks.Task.describe` writes them (a classifier's are checked against its labels in `_check_prediction`)."""
    if task == "qa":
        for name in ("prediction", "target"):
            _check_span(d, name, bad)
        p, t = d["prediction"], d["target"]
        if p["token_span"] == t["token_span"] and (p["logit"] != t["logit"] or p["prob"] != t["prob"]):
            raise bad(f"the prediction and the target are the same span {t['token_span']}, but their 'logit' or 'prob' "
                      f"differ ({p['logit']!r} vs {t['logit']!r}, {p['prob']!r} vs {t['prob']!r})")
    elif task == "causal_lm":
        for name in ("prediction", "target"):
            _check_continuation(d[name], name, bad)
            if isinstance(d[name].get("contrast"), dict):
                _check_continuation(d[name]["contrast"], f"{name} contrast", bad)
        differ = sorted(k for k in set(d["prediction"]) | set(d["target"]) if d["prediction"].get(k) != d["target"].get(k))
        if differ:
            k = differ[0]
            raise bad(f"prediction {k!r} is {d['prediction'].get(k)!r:.60}, but target {k!r} is {d['target'].get(k)!r:.60}; "
                      "a causal LM's prediction is the continuation it explains (its target), field for field")


def _check_span(d: dict[str, Any], name: str, bad: Bad) -> None:
    """One QA answer (`tasks.QuestionAnswering._span`): token_span [s, e] of context tokens with s ≤ e, a finite logit,
    a probability in [0, 1], start/end the characters of the context those tokens cover, and label the text there."""
    part, context, n = d[name], d.get("text_pair") or "", len(d["tokens"])
    span = part.get("token_span")
    if not (isinstance(span, list) and len(span) == 2 and all(isinstance(x, int) and not isinstance(x, bool) for x in span)
            and 0 <= span[0] <= span[1] < n):
        raise bad(f"{name} 'token_span' must be [start token, end token] with 0 ≤ start ≤ end < {n} (the tokens). "
                  f"Got {span!r:.60}")
    in_context = {t for w in d["words"] if w.segment == 1 for t in w.tokens}
    outside = [t for t in range(span[0], span[1] + 1) if t not in in_context]
    if outside:
        raise bad(f"{name} 'token_span' {span} holds token {outside[0]} ({d['tokens'][outside[0]]!r}), which is not a "
                  "token of the context ('text_pair'); an answer is a span of the context")
    if not finite_number(part.get("logit")):
        raise bad(f"{name} 'logit' must be a finite number. Got {part.get('logit')!r:.40}")
    prob = part.get("prob")
    if not (finite_number(prob) and -PROB_SLACK <= prob <= 1 + PROB_SLACK):
        raise bad(f"{name} 'prob' is {prob!r:.40}; a probability lies in [0, 1]")
    start, end = part.get("start"), part.get("end")
    if start is None and end is None:
        return
    a, b = d["offsets"][span[0]][0], d["offsets"][span[1]][1]
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)) or (start, end) != (a, b):
        raise bad(f"{name} 'start'/'end' are {start!r:.20}/{end!r:.20}, but its token_span {span} covers context "
                  f"characters {a}–{b}; 'start' and 'end' are the characters of the context its tokens cover")
    if part.get("label") != context[a:b]:
        raise bad(f"{name} 'label' is {part.get('label')!r:.60}, but the context at its span [{a}, {b}) is "
                  f"{context[a:b]!r:.60}; an answer's label is the text of its span")


LOG_SLACK = 1e-6  # float rounding of a log-probability at 0


def _check_continuation(part: dict[str, Any], name: str, bad: Bad) -> None:
    """One causal LM continuation (`tasks.CausalLM._continuation`): token ids ≥ 0, log_prob ≤ 0, prob = exp(log_prob),
    one decoded token per id, and per-token log-probabilities that sum to log_prob."""
    ids = part.get("token_ids")
    if not (isinstance(ids, list) and ids and all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in ids)):
        raise bad(f"{name} 'token_ids' must be a non-empty list of token ids (ints ≥ 0). Got {ids!r:.60}")
    logp, prob = part.get("log_prob"), part.get("prob")
    if not (finite_number(logp) and logp <= LOG_SLACK):
        raise bad(f"{name} 'log_prob' is {logp!r:.40}; a log-probability is a finite number ≤ 0")
    if not (finite_number(prob) and abs(prob - math.exp(min(logp, 0.0))) <= 1e-9 + 1e-6 * prob):
        raise bad(f"{name} 'prob' is {prob!r:.40}, but exp(log_prob) = {math.exp(min(logp, 0.0))!r}")
    for key in ("tokens", "pieces", "token_log_probs"):
        if key in part and not (isinstance(part[key], list) and len(part[key]) == len(ids)):
            raise bad(f"{name} '{key}' must hold one entry per token id ({len(ids)}). Got {part[key]!r:.60}")
    check_continuation_text(part, name, bad)
    per_token = part.get("token_log_probs")
    if per_token is not None:
        if not all(finite_number(x) and x <= LOG_SLACK for x in per_token):
            raise bad(f"{name} 'token_log_probs' must hold log-probabilities (finite numbers ≤ 0). Got {per_token!r:.60}")
        if abs(math.fsum(per_token) - logp) > 1e-6 * max(1.0, abs(logp)):
            raise bad(f"{name} 'token_log_probs' sum to {math.fsum(per_token)!r}, but 'log_prob' is {logp!r}")

