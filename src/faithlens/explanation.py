"""The frozen result of one explanation: tokens, words, spans, scores, deltas, settings; JSON round-trip."""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Word:
    word: str
    start: int
    end: int
    score: float  # sum of the word's raw token scores
    score_normalised: float
    tokens: tuple[int, ...]  # indices into Explanation.tokens


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
    nodes: tuple[int, ...] | None = None  # quadrature nodes per path (SIG: per unit; IG: one), error-controlled runs

    # --- views -------------------------------------------------------------------------------
    @property
    def word_scores(self) -> list[tuple[str, float]]:
        return [(w.word, w.score) for w in self.words]

    def top_words(self, k: int = 5) -> list[Word]:
        return sorted(self.words, key=lambda w: -w.score)[:k]

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
        d = dict(d)
        d.pop("schema", None)
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            from .errors import FaithlensError

            raise FaithlensError(f"Not an explanation: unexpected keys {sorted(unknown)}. Expected keys from {sorted(known)}.")
        d["words"] = tuple(Word(**dict(w, tokens=tuple(w["tokens"]))) for w in d["words"])
        for name in ("tokens", "special", "token_scores", "token_scores_normalised", "deltas", "warnings", "nodes"):
            if d.get(name) is not None:
                d[name] = tuple(d[name])
        d["offsets"] = tuple(tuple(o) for o in d["offsets"])
        for name in ("units", "attributions"):
            if d.get(name) is not None:
                d[name] = tuple(tuple(row) for row in d[name])
        return cls(**d)

    @classmethod
    def from_json(cls, text: str) -> Explanation:
        return cls.from_dict(json.loads(text))


def _lists(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _lists(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_lists(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        raise ValueError("non-finite value in explanation")
    return obj
