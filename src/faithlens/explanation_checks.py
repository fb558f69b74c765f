"""What `Explanation.from_dict` checks beyond shapes and agreement (`explanation.check_consistent`): each field's
value is one faithlens can write — a known task, score and error kind, probabilities that are probabilities, times
and errors that are not negative, path units that partition attributed tokens, and the objects the views read
(``provenance``, ``faithfulness``), settings a run can have (steps a positive int, a tolerance in (0, 1), ...), and
tokens that show the text at their offsets where that can be read without the tokenizer. An edited or foreign file fails here with the field named, never later in a
view (``_repr_html_`` reading a faithfulness record that is not an object)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .errors import FaithlensError

TASKS = ("classification", "multi_label", "qa", "causal_lm")  # tasks.Task.name of each task
ERROR_KINDS = ("exact", "quadrature", "completeness", "sampling")  # accuracy.EXACT, QUADRATURE, ...
PROB_SLACK = 1e-6  # float32 rounding of a softmax or sigmoid
SUM_SLACK = 1e-3  # Σ softmax = 1 up to float32 rounding over many labels

Bad = Callable[[str], FaithlensError]


def check_values(d: dict[str, Any], bad: Bad) -> None:
    """Raise `bad(what)` for the first field whose value faithlens never writes (see the module docstring)."""
    from .names import SCORES

    task = d.get("task", "classification")
    if task not in TASKS:
        raise bad(f"'task' is {task!r}; faithlens writes one of {', '.join(TASKS)}")
    _check_task_agrees(d, task, bad)
    if d["score"] not in SCORES:
        raise bad(f"'score' is {d['score']!r}; the explained function is one of {', '.join(SCORES)}")
    if d["seconds"] is not None and d["seconds"] < 0:
        raise bad(f"'seconds' is {d['seconds']!r}; a time is ≥ 0")
    error = d.get("error")
    if error is not None:
        if error["kind"] not in ERROR_KINDS:
            raise bad(f"'error' kind is {error['kind']!r}; faithlens measures one of {', '.join(ERROR_KINDS)}")
        if error["relative"] < 0:
            raise bad(f"'error' relative is {error['relative']!r}; a relative error is ≥ 0")
    if d.get("provenance") is not None and not isinstance(d["provenance"], dict):
        raise bad(f"'provenance' must be null or a JSON object. Got {type(d['provenance']).__name__}")
    _check_method_fields(d, bad)
    _check_settings(d["settings"], bad)
    _check_tokens(d, bad)
    _check_units(d, bad)
    _check_probs(d, task, bad)
    _check_special(d, bad)
    _check_faithfulness(d.get("faithfulness"), bad)


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


def _check_faithfulness(f: Any, bad: Bad) -> None:
    """The faithfulness record (`faithlens.trust`) as the views read it: an object with an int k ≥ 0, numbers comp,
    suff, log_odds, a random object (or null) and beats_random in [0, 1] (or null)."""
    if f is None:
        return
    if not isinstance(f, dict):
        raise bad(f"'faithfulness' must be null or a JSON object. Got {type(f).__name__} {f!r:.60}")
    k = f.get("k")
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise bad(f"faithfulness 'k' must be an int ≥ 0. Got {k!r:.40}")
    for name in ("comp", "suff", "log_odds"):
        if not _number(f.get(name)):
            raise bad(f"faithfulness {name!r} must be a finite number. Got {f.get(name)!r:.40}")
    rnd = f.get("random")
    if rnd is not None and not (isinstance(rnd, dict) and isinstance(rnd.get("n"), int) and not isinstance(rnd["n"], bool)
                                and rnd["n"] >= 0 and (rnd["n"] == 0 or _number(rnd.get("comp")))):
        raise bad(f"faithfulness 'random' must be null or an object with an int 'n' ≥ 0 and a number 'comp'. "
                  f"Got {rnd!r:.80}")
    beats = f.get("beats_random")
    if beats is not None and not (_number(beats) and 0 <= beats <= 1):
        raise bad(f"faithfulness 'beats_random' must be null or a fraction in [0, 1]. Got {beats!r:.40}")


def finite_number(x: Any) -> bool:
    """True for an int or float that is a finite float: JSON's integers have no bound (``10**400``), but every score,
    time and probability is read as a float, so an int past the float range (about 1.8e308) is refused like ``1e400``."""
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return False
    try:
        return math.isfinite(x)
    except OverflowError:  # an int too large to convert to float
        return False


_number = finite_number


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


_MARKERS = ("##", "\u0120", "\u2581")  # WordPiece's continuation, byte-level BPE's and SentencePiece's space marks


def _check_tokens(d: dict[str, Any], bad: Bad) -> None:
    """Each word's tokens show the text at their offsets, where that can be read without the tokenizer: a token of
    ASCII letters and digits (after its tokenizer's marks ##, Ġ, ▁) equals its span, case aside. Byte-level pieces
    of other characters, unknown-token marks ([UNK], <unk>) and empty spans are not compared."""
    text, pair, tokens, offsets = d["text"], d.get("text_pair"), d["tokens"], d["offsets"]
    for w in d["words"]:
        source = text if w.segment == 0 else pair
        if source is None:
            continue
        for t in w.tokens:
            token = tokens[t]
            for mark in _MARKERS:
                token = token.removeprefix(mark)
            span = source[offsets[t][0]:offsets[t][1]].strip()
            if not (token.isascii() and token.isalnum() and span.isascii() and span):
                continue
            if token.casefold() != span.casefold():
                raise bad(f"token {t} is {tokens[t]!r}, but the text at its offsets {list(offsets[t])} is {span!r}; a "
                          "token shows its span (explain the text again rather than editing the tokens)")
