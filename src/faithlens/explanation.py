"""The frozen result of one explanation: tokens, words, spans, scores, deltas, settings; JSON round-trip."""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import MISSING, asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import FaithlensError, FaithlensWarning
from .explanation_checks import check_derived, check_keys, check_values, finite_number, first_non_finite, word_normalised
from .explanation_records import check_records, unmeasured_as_null
from .explanation_tokens import check_texts
from .json_files import content_digest, loads
from .scalars import as_int

SCHEMA_VERSION = 6  # 2: task, text_pair, per_target, provenance, nodes, Word.segment; 3: signed, error; 4: faithfulness;
# 5: Word.score_normalised is the word score over the L2 norm of the word scores (before: its tokens' normalised sum);
# 6: "digest", the SHA-256 of the rest of the record (`content_digest`), so an edit since to_json is known exactly
SCHEMA_VERSIONS = (1, 2, 3, 4, 5, 6)  # older files load with their defaults (signed: every method but saliency) and
# their word scores normalised by the schema-5 rule (`word_normalised`)
UNSIGNED_METHODS = ("saliency",)  # for files written before `signed` was recorded


@dataclass(frozen=True)
class Word:
    word: str
    start: int
    end: int
    score: float  # sum of the word's raw token scores
    score_normalised: float  # score / L2 norm of the explanation's word scores (`word_normalised`): within −1..1
    tokens: tuple[int, ...]  # indices into Explanation.tokens
    segment: int = 0  # 0: start/end index Explanation.text; 1: they index Explanation.text_pair
    sampling_error: float | None = None  # standard error of `score` (sampled methods: shapley, kernel_shap, lime)


@dataclass(frozen=True)
class Explanation:
    text: str
    method: str
    model: str
    prediction: dict  # {"label", "index", "probs"}
    target: dict  # {"label", "index"}: the class whose score was explained
    score: str  # which function F was differentiated (logit, max_logit, prob, log_prob)
    tokens: tuple[str, ...]  # every real token, specials included (they score 0)
    offsets: tuple[tuple[int, int], ...]  # character span of each token in `text`
    special: tuple[bool, ...]
    token_scores: tuple[float, ...]  # raw
    token_scores_normalised: tuple[float, ...]  # divided by the L2 norm over attributed tokens
    words: tuple[Word, ...]
    settings: dict
    seconds: float
    version: str
    deltas: tuple[float, ...] | None = None  # per path unit (SIG): a_u - (F(w) - F(w̄ at u))
    units: tuple[tuple[int, ...], ...] | None = None  # token indices of each path unit (SIG)
    total_delta: float | None = None  # Σ a - (F(w) - F(w̄)) (IG)
    attributions: tuple[tuple[float, ...], ...] | None = None  # per-feature (tokens × D), on request
    truncated: bool = False
    warnings: tuple[str, ...] = field(default_factory=tuple)
    task: str = "classification"  # classification, multi_label, qa, causal_lm (faithlens.tasks)
    text_pair: str | None = None  # the second text of a pair: hypothesis, or a QA model's context
    per_target: tuple[tuple[float, ...], ...] | None = None  # causal LM: raw scores per continuation token (J × tokens)
    provenance: dict | None = None  # the model's resolved source, revision, weights' SHA-256, faithlens model card
    nodes: tuple[int, ...] | None = None  # quadrature nodes per path (SIG: per unit; IG: one), error-controlled runs
    signed: bool = True  # False: the scores are magnitudes with no direction (saliency); views use a one-colour scale
    error: dict | None = None  # the measured accuracy of these scores (`faithlens.accuracy.measure`): kind, relative, ...
    sampling_error: tuple[float, ...] | None = None  # per token: standard error of its raw score (sampled methods)
    faithfulness: dict | None = None  # Comp/Suff/LO at top-k against random word orderings (`faithlens.trust`), on request

    __hash__ = None  # its settings and prediction are dicts: equal explanations cannot share a hash (use e.to_json())

    # --- views -------------------------------------------------------------------------------
    @property
    def word_scores(self) -> list[tuple[str, float]]:
        return [(w.word, w.score) for w in self.words]

    def top_words(self, k: int = 5) -> list[Word]:
        """The ``k`` words of highest score, highest first (all of them when the text has fewer). For a signed method
        these are the words that support the target most; for an unsigned one (saliency), the largest magnitudes.
        ``k``: a non-negative int (NumPy and torch integers too). Raises FaithlensError otherwise."""
        n = as_int(k)
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise FaithlensError(f"top_words(k) takes the number of words to return, an int ≥ 0. Got {k!r}. For the "
                                 "lowest-scoring words, sort explanation.words by score yourself.")
        return sorted(self.words, key=lambda w: -w.score)[:n]

    def _repr_html_(self) -> str:  # Jupyter: the prediction, a legend and the text with every word tinted
        from .views.html import explanation_html

        return explanation_html(self)

    # --- JSON --------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["schema"] = SCHEMA_VERSION
        d["words"] = [dict(asdict(w), tokens=list(w.tokens)) for w in self.words]
        d = _lists(d)
        d["digest"] = content_digest(d)
        return d

    def to_json(self, **kwargs: Any) -> str:
        """The record of `to_dict` as strict JSON (no NaN or Infinity: an unmeasured number is null). ``kwargs`` go to
        json.dumps (indent, sort_keys, ...); ``allow_nan`` is accepted and changes nothing."""
        kwargs.pop("allow_nan", None)
        return json.dumps(self.to_dict(), allow_nan=False, **kwargs)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Explanation:
        """An Explanation from `to_dict`'s output; any schema this version can read (SCHEMA_VERSIONS)."""
        from .errors import FaithlensError

        if not isinstance(d, dict):
            raise FaithlensError(f"Not an explanation: expected a JSON object. Got {type(d).__name__}.")
        d = dict(d)
        if "schema" not in d:
            raise FaithlensError("Not an explanation: no 'schema' key (Explanation.to_json writes one, e.g. "
                                 f'"schema": {SCHEMA_VERSION}). Was it written by Explanation.to_json?')
        schema = d.pop("schema")
        if isinstance(schema, bool) or not isinstance(schema, int):
            raise FaithlensError(f"Not an explanation: 'schema' must be an integer, e.g. \"schema\": {SCHEMA_VERSION}. "
                                 f"Got {type(schema).__name__} {schema!r:.40}. Was it written by Explanation.to_json?")
        if schema not in SCHEMA_VERSIONS:
            raise FaithlensError(f"This explanation has schema version {schema!r}; faithlens {_version()} reads versions "
                                 f"{', '.join(map(str, SCHEMA_VERSIONS))}. Upgrade faithlens to read it.")
        edited = _edit_warning(d, schema)  # pops "digest"; said after the agreement checks, which refuse first
        known = {f.name: f for f in fields(cls)}
        unknown = set(d) - set(known)
        if unknown:
            raise FaithlensError(f"Not an explanation: unexpected keys {sorted(unknown)}. Expected keys from {sorted(known)}.")
        required = [name for name, f in known.items() if f.default is MISSING and f.default_factory is MISSING]
        if schema >= 5:  # to_dict writes every field (null where there is none): a missing one was cut
            required = list(known)
        missing = [name for name in required if name not in d]
        if missing:
            raise FaithlensError(f"Not an explanation: missing keys {missing}. Was it written by Explanation.to_json?")
        if "signed" not in d:
            d["signed"] = d.get("method") not in UNSIGNED_METHODS
        check_field_types(d)
        try:
            d["words"] = tuple(Word(**dict(w, tokens=tuple(w["tokens"]))) for w in d["words"])
            if schema < 5:  # written when a word's normalised score summed its tokens' (up to √n for n tokens)
                renormed = word_normalised([w.score for w in d["words"]])
                d["words"] = tuple(replace(w, score_normalised=x) for w, x in zip(d["words"], renormed))
            for name in ("tokens", "special", "token_scores", "token_scores_normalised", "deltas", "warnings", "nodes",
                         "sampling_error"):
                if d.get(name) is not None:
                    d[name] = tuple(d[name])
            d["offsets"] = tuple(tuple(o) for o in d["offsets"])
            for name in ("units", "attributions", "per_target"):
                if d.get(name) is not None:
                    d[name] = tuple(tuple(row) for row in d[name])
        except (TypeError, KeyError, ValueError) as exc:
            raise FaithlensError(f"Not an explanation: a field has the wrong shape ({exc}).") from None
        check_consistent(d)
        d["faithfulness"] = unmeasured_as_null(d.get("faithfulness"))
        if edited:
            warnings.warn(edited, FaithlensWarning, stacklevel=3)
            d["warnings"] = tuple(d.get("warnings") or ()) + (edited,)
        return cls(**d)

    @classmethod
    def from_json(cls, text: str) -> Explanation:
        """An Explanation from `to_json`'s text (a str or bytes); a dict goes to `from_dict`. Raises FaithlensError
        for text that is not JSON, a number past the float range, or fields that disagree (`check_consistent`)."""
        from .errors import FaithlensError

        if not isinstance(text, (str, bytes, bytearray)):
            hint = (" For a dict (json.load's result, or to_dict's), call Explanation.from_dict(d) instead"
                    if isinstance(text, dict) else "")
            raise FaithlensError(f"Explanation.from_json takes the JSON text, a str (Explanation.to_json's output or a "
                                 f"file's contents). Got {type(text).__name__}.{hint}")
        try:
            data = loads(text, where="The explanation's JSON", parse_constant=_no_constant, parse_int=_bounded_int)
        except _TooManyDigits as exc:
            raise FaithlensError(f"Not an explanation: a number has {exc.args[0]} digits; expected finite numbers (a "
                                 "float, at most about 1.8e308 in size), as Explanation.to_json writes them.") from None
        except (TypeError, ValueError) as exc:
            path = text.strip() if isinstance(text, str) and len(text) < 1024 and not text.lstrip().startswith(("{", "[")) \
                and "\n" not in text.strip() else ""
            hint = (f" It looks like a file name: read the file first, Explanation.from_json(open({path!r}).read())."
                    if path.lower().endswith(".json") or (path and _is_file(path)) else "")
            raise FaithlensError(f"Not an explanation: the text is not valid JSON ({exc}).{hint}") from None
        return cls.from_dict(data)


def _is_file(path: str) -> bool:
    try:
        return Path(path).expanduser().is_file()
    except (OSError, ValueError):  # a name too long, or with a NUL: no file
        return False


LIST_FIELDS = ("tokens", "offsets", "special", "token_scores", "token_scores_normalised", "words", "deltas", "units",
               "attributions", "warnings", "per_target", "nodes", "sampling_error")  # JSON arrays (or null where optional)


WORD_KEYS = tuple(f.name for f in fields(Word))


def check_field_types(d: dict[str, Any]) -> None:
    """Each field read back from JSON has its JSON type before it is converted: the list fields are arrays
    (a str would be split into characters), ``signed`` and ``truncated`` true/false, ``error`` an object
    with a ``kind`` and a finite ``relative`` (or null), ``method`` a known method. Raises FaithlensError
    naming the field."""
    from .errors import FaithlensError
    from .names import METHODS

    def bad(what: str) -> FaithlensError:
        return FaithlensError(f"Not an explanation: {what}. Was it written by Explanation.to_json?")

    non_finite = first_non_finite(d)
    if non_finite:
        raise bad(f"{non_finite}; expected finite numbers (a float, at most about 1.8e308 in size), as "
                  "Explanation.to_json writes them")
    for name in LIST_FIELDS:
        if name in d and d[name] is not None and not isinstance(d[name], list):
            raise bad(f"'{name}' must be a JSON array. Got {type(d[name]).__name__} {d[name]!r:.60}")
    for k, w in enumerate(d.get("words") or ()):
        if isinstance(w, dict):  # a word that is no object has the wrong shape (from_dict)
            check_keys(w, WORD_KEYS, f"words[{k}]", bad)
    if not isinstance(d.get("signed", True), bool):
        raise bad(f"'signed' must be true/false. Got {type(d['signed']).__name__} {d['signed']!r:.60}")
    if isinstance(d.get("method"), str) and d["method"] not in METHODS:
        raise bad(f"'method' is {d['method']!r}, not a faithlens method. Valid choices: {', '.join(sorted(METHODS))}")
    error = d.get("error")
    if error is not None:
        relative = error.get("relative", "missing") if isinstance(error, dict) else None
        if not isinstance(error, dict) or not isinstance(error.get("kind"), str) \
                or not (relative is None or finite_number(relative)):  # null: not measurable (one random draw)
            raise bad(f"'error' must be null or an object with a 'kind' (str) and a finite 'relative' error (or null). "
                      f"Got {error!r:.80}")


class _TooManyDigits(Exception):
    """An integer literal past the float range, found while parsing (its digit count in args[0])."""


def _bounded_int(literal: str) -> int:
    """JSON integers as ints; `check_field_types` names the field of one past the float range. Python refuses to
    read an int of more than 4300 digits with a message about its own limit, so such a literal is refused here."""
    if len(literal.lstrip("-")) > 4300:
        raise _TooManyDigits(len(literal.lstrip("-")))
    return int(literal)


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number faithlens writes (to_json refuses non-finite values)")


def check_consistent(d: dict[str, Any]) -> None:
    """The fields of an explanation read back from JSON agree with each other, so every view (terminal,
    HTML, plots, word lists) drawn from it shows what the JSON says, never a mix of old and new values.

    Checked: per-token fields have one entry per token; scores are finite numbers; offsets lie inside
    the text (or the pair's second text); each word is the text at its span and its score is the sum of
    its tokens' scores; units, deltas, attributions and per-target rows match the tokens. An edited file
    (a changed text, a rescored token) fails here with the first disagreement named.
    """
    from .errors import FaithlensError

    def bad(what: str) -> FaithlensError:
        return FaithlensError(f"Not a consistent explanation: {what}. Was the JSON edited after Explanation.to_json "
                              "wrote it? Explain the text again rather than editing the result.")

    text, pair = d["text"], d.get("text_pair")
    if not isinstance(text, str) or not (pair is None or isinstance(pair, str)):
        raise bad(f"'text' must be a str and 'text_pair' a str or null. Got {type(text).__name__} and {type(pair).__name__}")
    check_texts(d, bad)  # texts explain accepts (encoding.check_text)
    for name in ("prediction", "target", "settings"):
        if not isinstance(d[name], dict):
            raise bad(f"'{name}' must be a JSON object. Got {type(d[name]).__name__}")
    for name in ("method", "model", "score", "version"):
        if not isinstance(d[name], str):
            raise bad(f"'{name}' must be a str. Got {type(d[name]).__name__}")
    if not isinstance(d.get("truncated", False), bool) or not all(isinstance(w, str) for w in d.get("warnings") or ()):
        raise bad("'truncated' must be true/false and 'warnings' a list of str")
    n = len(d["tokens"])
    for name in ("offsets", "special", "token_scores", "token_scores_normalised"):
        if len(d[name]) != n:
            raise bad(f"'{name}' has {len(d[name])} entries for {n} tokens")
    if not all(isinstance(t, str) for t in d["tokens"]) or not all(isinstance(x, bool) for x in d["special"]):
        raise bad("'tokens' must hold str and 'special' true/false")
    for name in ("token_scores", "token_scores_normalised", "deltas"):
        _finite(d.get(name) or (), name, bad)
    for name in ("seconds", "total_delta"):
        if d.get(name) is not None:
            _finite((d[name],), name, bad)
    longest = max(len(text), len(pair or ""))
    for i, o in enumerate(d["offsets"]):
        if len(o) != 2 or not all(isinstance(x, int) and not isinstance(x, bool) for x in o) or not 0 <= o[0] <= o[1] <= longest:
            raise bad(f"offsets[{i}] = {list(o)} is not a (start, end) span inside the text ({longest} characters)")
    for k, w in enumerate(d["words"]):
        source = text if w.segment == 0 else pair if w.segment == 1 else None
        if source is None:
            raise bad(f"word {k} {w.word!r} is in segment {w.segment!r}, but the explanation has "
                      f"{'no second text' if w.segment == 1 else 'segments 0 and 1 only'}")
        if not (isinstance(w.start, int) and isinstance(w.end, int) and 0 <= w.start <= w.end <= len(source)) \
                or source[w.start:w.end] != w.word:
            raise bad(f"word {k} {w.word!r} is not the text at its span [{w.start}, {w.end})")
        if not w.tokens or not all(isinstance(t, int) and 0 <= t < n for t in w.tokens):
            raise bad(f"word {k} {w.word!r} points at tokens {list(w.tokens)} outside 0..{n - 1}")
        _finite((w.score, w.score_normalised), f"the score of word {k}", bad)
    units = d.get("units")
    if units is not None:
        if not all(isinstance(t, int) and 0 <= t < n for u in units for t in u):
            raise bad(f"'units' points at tokens outside 0..{n - 1}")
        if d.get("deltas") is not None and len(d["deltas"]) != len(units):
            raise bad(f"'deltas' has {len(d['deltas'])} entries for {len(units)} units")
    for name in ("attributions", "per_target"):
        rows = d.get(name)
        if rows is None:
            continue
        if name == "attributions" and len(rows) != n:
            raise bad(f"'attributions' has {len(rows)} rows for {n} tokens")
        if name == "per_target" and any(len(row) != n for row in rows):
            raise bad(f"a row of 'per_target' does not have one score per token ({n})")
        for row in rows:
            _finite(row, name, bad)
    if not d["words"] and not all(d["special"]):
        raise bad(f"'words' is empty, but {d['special'].count(False)} of the {n} tokens are not special tokens; every "
                  "explained token belongs to a word")
    sampling = d.get("sampling_error")
    if sampling is not None:
        if len(sampling) != n:
            raise bad(f"'sampling_error' has {len(sampling)} entries for {n} tokens")
        _finite(sampling, "sampling_error", bad)
    _check_prediction(d, bad)
    nodes = d.get("nodes")
    if nodes is not None and not all(isinstance(x, int) and not isinstance(x, bool) and x >= 1 for x in nodes):
        raise bad("'nodes' must hold positive ints")
    check_values(d, bad)  # a known task, score and error kind; probabilities, units, faithfulness (explanation_checks)
    check_derived(d, bad)  # word scores, token_scores_normalised: what they are computed from (explanation_checks)
    check_records(d, bad)  # error, deltas, nodes, faithfulness: what they are computed from (explanation_records)


def _check_prediction(d: dict[str, Any], bad) -> None:
    """A classifier's prediction and target agree with its label list: one prob per label, each index in
    range, each label the name at its index (files without ``labels`` in the prediction are not checked)."""
    prediction, target = d["prediction"], d["target"]
    labels = prediction.get("labels")
    if d.get("task", "classification") not in ("classification", "multi_label") or labels is None:
        return
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
        raise bad(f"prediction 'labels' must be a non-empty list of str. Got {labels!r:.60}")
    probs = prediction.get("probs")
    if not isinstance(probs, list) or len(probs) != len(labels):
        raise bad(f"prediction 'probs' must hold one probability per label ({len(labels)}: {', '.join(labels)}). "
                  f"Got {probs!r:.60}")
    _finite(probs, "prediction 'probs'", bad)
    for name, part in (("prediction", prediction), ("target", target)):
        index, label = part.get("index"), part.get("label")
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(labels):
            raise bad(f"{name} 'index' must be a class index 0..{len(labels) - 1}. Got {index!r}")
        if label != labels[index]:
            raise bad(f"{name} 'label' {label!r} does not match its 'index' {index}, which is label {labels[index]!r}")


def _finite(values, name: str, bad) -> None:
    for x in values:
        if not finite_number(x):
            raise bad(f"{name} holds {x!r}; expected finite numbers")


def _version() -> str:
    from .version import __version__

    return __version__


def _edit_warning(d: dict[str, Any], schema: int) -> str | None:
    """Pops ``d``'s "digest" (schema 6 on). The warning for a record whose content is not what to_json wrote, or that
    was written before digests (schema < 6: an edit cannot be told); None when it is what to_json wrote."""
    digest = d.pop("digest", None)
    if schema < 6 and digest is None:  # nothing to check an edit against: said, so the values are not taken on trust
        return (f"This explanation has schema {schema}, written before faithlens recorded a digest of each record: an "
                "edit since it was written cannot be told, so its values are checked only for agreement with each "
                "other. Explain the text again for numbers faithlens stands behind.")
    if digest is None:
        what = "has no \"digest\" (to_json writes one)"
    elif not isinstance(digest, str):
        what = f"has a \"digest\" that is not a SHA-256 text ({type(digest).__name__})"
    elif _matches(digest, dict(d, schema=schema)):
        return None
    else:
        what = "does not match its \"digest\""
    return ("This explanation was edited after Explanation.to_json wrote it (its content " + what + "): its values "
            "are read as given, checked only for agreement with each other. Explain the text again for numbers "
            "faithlens stands behind.")


def _matches(digest: str, d: dict[str, Any]) -> bool:
    try:
        return digest == content_digest(d)
    except (TypeError, ValueError):  # keys of mixed types, a lone surrogate, a number past the float range: the
        return False  # agreement checks name these; the record is not what to_json wrote either way


def _lists(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _lists(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_lists(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        raise ValueError("non-finite value in explanation")
    return obj
