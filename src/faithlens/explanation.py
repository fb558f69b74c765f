"""The frozen result of one explanation: tokens, words, spans, scores, deltas, settings; JSON round-trip."""

from __future__ import annotations

import json
import math
from dataclasses import MISSING, asdict, dataclass, field, fields
from typing import Any

SCHEMA_VERSION = 4  # 2: task, text_pair, per_target, provenance, nodes, Word.segment; 3: signed, error; 4: faithfulness
SCHEMA_VERSIONS = (1, 2, 3, 4)  # older files load with their defaults (signed: every method but saliency)
UNSIGNED_METHODS = ("saliency",)  # for files written before `signed` was recorded


@dataclass(frozen=True)
class Word:
    word: str
    start: int
    end: int
    score: float  # sum of the word's raw token scores
    score_normalised: float
    tokens: tuple[int, ...]  # indices into Explanation.tokens
    segment: int = 0  # 0: start/end index Explanation.text; 1: they index Explanation.text_pair


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
    faithfulness: dict | None = None  # Comp/Suff/LO at top-k against random word orderings (`faithlens.trust`), on request

    # --- views -------------------------------------------------------------------------------
    @property
    def word_scores(self) -> list[tuple[str, float]]:
        return [(w.word, w.score) for w in self.words]

    def top_words(self, k: int = 5) -> list[Word]:
        return sorted(self.words, key=lambda w: -w.score)[:k]

    def _repr_html_(self) -> str:  # Jupyter: the prediction, a legend and the text with every word tinted
        from .views.html import explanation_html

        return explanation_html(self)

    # --- JSON --------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["schema"] = SCHEMA_VERSION
        d["words"] = [dict(asdict(w), tokens=list(w.tokens)) for w in self.words]
        return _lists(d)

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), allow_nan=False, **kwargs)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Explanation:
        """An Explanation from `to_dict`'s output; any schema this version can read (SCHEMA_VERSIONS)."""
        from .errors import FaithlensError

        if not isinstance(d, dict):
            raise FaithlensError(f"Not an explanation: expected a JSON object. Got {type(d).__name__}.")
        d = dict(d)
        schema = d.pop("schema", 1)
        if schema not in SCHEMA_VERSIONS:
            raise FaithlensError(f"This explanation has schema version {schema!r}; faithlens {_version()} reads versions "
                                 f"{', '.join(map(str, SCHEMA_VERSIONS))}. Upgrade faithlens to read it.")
        known = {f.name: f for f in fields(cls)}
        unknown = set(d) - set(known)
        if unknown:
            raise FaithlensError(f"Not an explanation: unexpected keys {sorted(unknown)}. Expected keys from {sorted(known)}.")
        required = [name for name, f in known.items() if f.default is MISSING and f.default_factory is MISSING]
        missing = [name for name in required if name not in d]
        if missing:
            raise FaithlensError(f"Not an explanation: missing keys {missing}. Was it written by Explanation.to_json?")
        if "signed" not in d:
            d["signed"] = d.get("method") not in UNSIGNED_METHODS
        try:
            d["words"] = tuple(Word(**dict(w, tokens=tuple(w["tokens"]))) for w in d["words"])
            for name in ("tokens", "special", "token_scores", "token_scores_normalised", "deltas", "warnings", "nodes"):
                if d.get(name) is not None:
                    d[name] = tuple(d[name])
            d["offsets"] = tuple(tuple(o) for o in d["offsets"])
            for name in ("units", "attributions", "per_target"):
                if d.get(name) is not None:
                    d[name] = tuple(tuple(row) for row in d[name])
        except (TypeError, KeyError, ValueError) as exc:
            raise FaithlensError(f"Not an explanation: a field has the wrong shape ({exc}).") from None
        return cls(**d)

    @classmethod
    def from_json(cls, text: str) -> Explanation:
        from .errors import FaithlensError

        try:
            data = json.loads(text)
        except (TypeError, ValueError) as exc:
            raise FaithlensError(f"Not an explanation: the text is not valid JSON ({exc}).") from None
        return cls.from_dict(data)


def _version() -> str:
    from . import __version__

    return __version__


def _lists(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _lists(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_lists(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        raise ValueError("non-finite value in explanation")
    return obj
