"""What every view reads from an explanation: its word spans, its prediction in words, safe text.

One place for these so the terminal, HTML, notebook and web views show the same thing, and so a
new task (text pairs, QA answers, multi-label predictions) is taught to every view at once:
- `word_spans(e, segment)` — the words of one text segment with their scores (SPEC §5: token
  scores summed per word; spans index the segment's own text);
- `segments(e)` — (segment id, text) for the text and, for text pairs, the second text;
- `prediction_parts(e)` — the prediction as (name, value) pairs, read defensively from
  `e.prediction` (classification, multi-label, extractive QA);
- `visible(text)` — text with control and bidi-override characters escaped, for terminals;
  `html_text(text)` the same rule for HTML (line breaks kept), then HTML-escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class WordLike(Protocol):
    """What a view reads of one word (`faithlens.explanation.Word` is one)."""

    word: str
    start: int
    end: int
    score: float
    score_normalised: float
    tokens: tuple[int, ...]
    segment: int


class Explanation(Protocol):
    """What a view reads of an explanation (`faithlens.explanation.Explanation` is one). Declared here, not
    imported, so that the views import nothing above them and `Explanation._repr_html_` can call down into them."""

    text: str
    text_pair: str | None
    method: str
    model: str
    prediction: dict
    target: dict
    score: str
    tokens: tuple[str, ...]
    words: Sequence[WordLike]
    settings: dict
    seconds: float
    version: str
    deltas: tuple[float, ...] | None
    total_delta: float | None
    truncated: bool
    warnings: tuple[str, ...]
    task: str
    per_target: Any
    signed: bool
    error: dict | None
    faithfulness: dict | None


def subject(e: Explanation) -> dict[str, object]:
    """What explanations shown side by side hold fixed: the text (and its pair), the model and the explained target
    (and its foil)."""
    target = e.target or {}
    foil = target.get("contrast")
    return {"text": e.text if e.text_pair is None else (e.text, e.text_pair), "model": e.model,
            "target": target.get("label"), "contrast": foil.get("label") if isinstance(foil, dict) else foil}


def subject_differs(a: Explanation, b: Explanation) -> tuple[str, object, object] | None:
    """The first part of `subject` in which two explanations differ, as (name, a's value, b's value); None if none."""
    sa, sb = subject(a), subject(b)
    return next(((name, sa[name], sb[name]) for name in sa if sa[name] != sb[name]), None)


_EXPLANATION_FIELDS = ("text", "text_pair", "method", "model", "target", "words", "settings")


def check_group(explanations: object, where: str) -> list:
    """``explanations`` as a list, after checking that it is a non-empty sequence of explanations of one text of one
    model for one target (what one view shows under one prediction header). Raises FaithlensError naming ``where``
    (e.g. 'render_terminal') and the first entry that breaks the rule."""
    from ..errors import FaithlensError, quoted

    if all(hasattr(explanations, f) for f in _EXPLANATION_FIELDS):
        raise FaithlensError(f"{where} takes a list of explanations of one text; got one Explanation. Pass [explanation].")
    if isinstance(explanations, (str, bytes, dict)) or not isinstance(explanations, Sequence):
        raise FaithlensError(f"{where} takes a list of explanations of one text. Got {type(explanations).__name__} "
                             f"{quoted(explanations, 40)}.")
    if not explanations:
        raise FaithlensError(f"{where} got an empty list: nothing to show. Pass the explanations of one text, e.g. "
                             "[explainer.explain(text, 'sig'), explainer.explain(text, 'ig')].")
    for i, e in enumerate(explanations):
        if not all(hasattr(e, f) for f in _EXPLANATION_FIELDS):
            raise FaithlensError(f"{where}: entry {i} is {type(e).__name__} {quoted(e, 40)}, not an Explanation. Pass "
                                 "Explanations (explainer.explain(text, method)).")
    for i, e in enumerate(explanations[1:], start=1):
        differ = subject_differs(explanations[0], e)
        if differ is not None:
            name, mine, theirs = differ
            raise FaithlensError(f"{where} shows the explanations of one text of one model for one target under one "
                                 f"header; entry 0 ({quoted(explanations[0].method, 30)}) and entry {i} "
                                 f"({quoted(e.method, 30)}) differ in {name}: {quoted(mine)} and "
                                 f"{quoted(theirs)}. Put each {name} in its own group, e.g. "
                                 "render_html([[a1, a2], [b1, b2]]) or one render_terminal call per text.")
    return list(explanations)


@dataclass(frozen=True)
class WordSpan:
    """One word of a segment: its character span in that segment's text and its scores."""

    start: int
    end: int
    word: str
    score: float  # raw: the sum of the word's token scores
    score_normalised: float  # its score over the L2 norm of the word scores (−1..1)


def segments(e: Explanation) -> list[tuple[int, str]]:
    """(segment id, text) of each text the explanation covers: 0 = `text`, 1 = `text_pair` when present."""
    out = [(0, e.text)]
    pair = getattr(e, "text_pair", None)
    if pair:
        out.append((1, pair))
    return out


def word_spans(e: Explanation, segment: int = 0) -> list[WordSpan]:
    """The words of one segment in text order (words without a `segment` field belong to segment 0)."""
    spans = [WordSpan(w.start, w.end, w.word, float(w.score), float(w.score_normalised))
             for w in e.words if int(getattr(w, "segment", 0) or 0) == segment]
    return sorted(spans, key=lambda s: (s.start, s.end))


@dataclass(frozen=True)
class Matrix:
    """A causal LM's per-token attributions at word level: words (rows) × continuation tokens (columns).

    With target-side attribution the last ``generated`` rows are the continuation tokens y_1..y_{J−1}
    themselves (``words`` holds "→ token"); ``blank[r][j]`` marks the cells of y_≥j, which F_j
    cannot depend on (their raw value is exactly 0)."""

    words: list[str]
    tokens: list[str]  # the continuation's tokens as text
    raw: list[list[float]]  # (rows, tokens): the sum of each word's token scores for log p(token)
    normalised: list[list[float]]  # each column divided by its L2 norm over the rows
    generated: int = 0  # trailing rows that are generated tokens (target-side attribution)
    blank: list[list[bool]] | None = None  # (rows, tokens): cells that are not attributions (y_≥j)


def target_matrix(e: Explanation) -> Matrix | None:
    """The prompt-word (and, target-side, earlier generated token) × generated-token matrix of an
    explanation made with per_token, else None."""
    rows = getattr(e, "per_target", None)
    if not rows:
        return None
    import math

    words = [w for w in e.words if int(getattr(w, "segment", 0) or 0) == 0]
    J = len(rows)
    members = [list(w.tokens) for w in words]
    names = [w.word for w in words]
    target = e.target or {}
    tokens = target.get("tokens") or [f"token {j + 1}" for j in range(J)]
    ids = target.get("token_ids") or []
    if not target.get("pieces"):  # written before tokens were stored decoded: byte-level BPE symbols
        tokens = [t.replace("Ġ", " ").replace("▁", " ").replace("Ċ", "\n") for t in tokens]
    texts = [str(t) for t in tokens]
    if len(texts) != J:
        texts = [f"token {j + 1}" for j in range(J)] if len(ids) != J else texts
    generated = J - 1 if (e.settings or {}).get("target_side") and J > 1 else 0
    n_tokens = len(e.tokens)
    for i in range(generated):  # y_{i+1} sits in the (i+1)-th of the last J − 1 input columns
        members.append([n_tokens - (J - 1) + i])
        names.append("→" + texts[i])
    raw = [[sum(row[t] for t in m) for row in rows] for m in members]  # (rows, J)
    blank = [[False] * J for _ in words] + [[j <= i for j in range(J)] for i in range(generated)]
    norms = [math.sqrt(sum(raw[i][j] ** 2 for i in range(len(raw)))) or 1.0 for j in range(J)]
    normalised = [[v / norms[j] for j, v in enumerate(r)] for r in raw]
    return Matrix(words=names, tokens=texts, raw=raw, normalised=normalised, generated=generated,
                  blank=blank if generated else None)


def label_names(e: Explanation) -> list[str]:
    """Class names in index order, as far as the prediction tells them."""
    pred = e.prediction or {}
    labels = pred.get("labels")
    probs = pred.get("probs") or []
    if labels and len(labels) == len(probs):
        return [str(x) for x in labels]
    index = pred.get("index")
    return [str(pred.get("label")) if i == index else f"class {i}" for i in range(len(probs))]


def prediction_parts(e: Explanation) -> list[tuple[str, str]]:
    """The prediction as short (name, value) pairs, whatever the task recorded.

    Classification: ("prediction", label), ("probabilities", "neg 0.120, pos 0.880");
    multi-label (`predicted` list, sigmoid `probs`): ("predicted", "a, b"), ("probabilities", ...);
    extractive QA (`start`/`end`/`prob`): ("answer", text), ("p", "0.81"). Then the target.
    """
    pred = e.prediction or {}
    parts: list[tuple[str, str]] = []
    if e.task == "causal_lm":
        target = e.target or {}
        parts.append(("continuation", repr(str(target.get("label", "")))))
        if isinstance(target.get("log_prob"), (int, float)):
            parts.append(("log p", f"{float(target['log_prob']):.3f}"))
        if question := contrast_question(e):
            parts.append(("explains", question))
        return parts
    if "predicted" in pred and isinstance(pred.get("predicted"), (list, tuple)):
        chosen = [str(x) for x in pred["predicted"]]
        parts.append(("predicted", ", ".join(chosen) if chosen else "(no label over 0.5)"))
    elif pred.get("start") is not None and pred.get("end") is not None:
        parts.append(("answer", repr(str(pred.get("label", "")))))
    elif "label" in pred:
        parts.append(("prediction", str(pred["label"])))
    probs = pred.get("probs")
    if isinstance(probs, (list, tuple)) and probs and all(isinstance(p, (int, float)) for p in probs):
        names = label_names(e)
        if len(probs) <= 8:
            parts.append(("probabilities", ", ".join(f"{n} {float(p):.3f}" for n, p in zip(names, probs))))
        else:
            parts.append(("probabilities", f"{len(probs)} classes"))
    elif isinstance(pred.get("prob"), (int, float)):
        parts.append(("p", f"{float(pred['prob']):.3f}"))
    target = (e.target or {}).get("label")
    same_span = e.task == "qa" and (e.target or {}).get("token_span") == pred.get("token_span")
    if e.score == "max_logit" and target is not None:  # no target: F is the largest logit, whichever class has it
        parts.append(("explains", f"the largest logit ({target} at the input; it may be another class's as words are "
                                  "removed)"))
    elif target is not None and not same_span:
        parts.append(("target", repr(str(target)) if e.task == "qa" else str(target)))
    if question := contrast_question(e):
        parts.append(("explains", question))
    return parts


def contrast_question(e: Explanation) -> str:
    """"why 'A' rather than 'B'" for a contrastive explanation (target["contrast"]); '' otherwise."""
    target = e.target or {}
    foil = target.get("contrast")
    if not isinstance(foil, dict):
        return ""
    quote = repr if e.task == "causal_lm" else str
    return f"why {quote(str(target.get('label', '')))} rather than {quote(str(foil.get('label', '')))}"


def delta_text(e: Explanation) -> str:
    """The explanation's measured accuracy in a few words (`faithlens.accuracy`): 'exact', 'quadrature error
    16 % (max |δ_u| 4.1)', 'completeness gap 30 % (Δ +5.1)', 'sampling error 3 %'; '' when nothing was measured."""
    from ..accuracy import describe

    error = getattr(e, "error", None)
    raw = ""
    if e.deltas and (error or {}).get("kind") != "exact":
        raw = f"max |δ_u| {max(abs(d) for d in e.deltas):.2g}"
    elif e.total_delta is not None:
        raw = f"Δ {e.total_delta:+.3g}"
    if not error:
        return raw
    said = describe(error)
    if said == "exact" and (e.settings or {}).get("unit") == "token":  # a word of several tokens is their sum, not its own
        said = "exact per token (a word shows its tokens' sum)"
    return f"{said} ({raw})" if raw else said


def faithfulness_text(e: Explanation) -> str:
    """The explanation's own faithfulness line (e.g. "Comp 0.41, random 0.08, beats 20/20") when it carries one
    (`Explanation.faithfulness`: a str, or a dict with a "text"); '' otherwise. Every view shows it under the scores."""
    said = getattr(e, "faithfulness", None)
    if not said:
        return ""
    if isinstance(said, dict):
        return str(said.get("text") or ", ".join(f"{k} {v}" for k, v in said.items()))
    return str(said)


def is_signed(e: Explanation) -> bool:
    """Whether the scores have a direction (False: magnitudes, drawn on a one-colour scale)."""
    return bool(getattr(e, "signed", True))


def explained_what(e: Explanation) -> str:
    """What a positive score supports: the target class, the answer span, or the continuation."""
    target = (e.target or {}).get("label")
    foil = (e.target or {}).get("contrast")
    if isinstance(foil, dict):  # contrastive: a positive score supports the target rather than the foil
        quote = repr if e.task == "causal_lm" else str
        return f"{quote(str(target))} rather than {quote(str(foil.get('label', '')))}"
    if e.task == "causal_lm":
        return f"the continuation {str(target)!r}" if target is not None else "the continuation"
    if e.task == "qa":
        return f"the answer {str(target)!r}" if target is not None else "the answer"
    if e.score == "max_logit":
        return "the largest logit (whichever class has it)"
    return f"the target class ({target})" if target is not None else "the target class"


# Bidi embeddings/overrides/isolates and marks: shown escaped so text cannot reorder what follows.
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029" + "".join(sorted(_BIDI)) + "]")


_SHORT = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match) -> str:
    ch = match.group()
    if ch in _SHORT:
        return _SHORT[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, layout: bool = False) -> str:
    """`text` safe for a terminal: C0/C1 controls (ESC, BEL, CR, tab...), DEL, line/paragraph separators
    and bidi controls become visible escapes like ``\\x1b`` or ``\\u202e``; everything else is unchanged.

    ``layout=True`` (the HTML views, whose text keeps its line breaks): newline and tab stay as they are;
    every other character above is escaped the same way. The one rule of every view (terminal and HTML)."""
    if layout:
        return _UNSAFE.sub(lambda m: m.group() if m.group() in "\n\t" else _escape(m), text)
    return _UNSAFE.sub(_escape, text)


def html_text(text: str, quote: bool = True) -> str:
    """`text` for HTML: `visible(text, layout=True)`, then HTML-escaped (``quote``: quotes too, for attributes)."""
    return html.escape(visible(text, layout=True), quote=quote)


# --- per-explanation faithfulness (faithlens.trust) ------------------------------------------------

def trust_line(e) -> str | None:
    """"Comp 0.41, random 0.08 (20 orderings), beats 20/20" or None when not computed."""
    f = getattr(e, "faithfulness", None)
    if not f:
        return None
    rnd = f.get("random") or {}
    if f.get("k", 0) == 0:
        return "text too short for the top-k fraction (k = 0), nothing to measure"  # the views add "faithfulness: "
    line = f"Comp {f['comp']:.2f} (top {f['k']} token{'s' * (f['k'] != 1)})"
    if rnd.get("n"):
        beats = f.get("beats_random")
        wins = round(beats * rnd["n"], 1) if beats is not None else None
        shown = (f"{wins:g}" if wins is not None else "–")
        tie = " (a tie counts ½)" if wins is not None and wins != int(wins) else ""
        line += f", random {rnd['comp']:.2f}, beats {shown}/{rnd['n']}{tie}"
    return line + f"; Suff {f['suff']:.2f}, LO {f['log_odds']:.2f}"


def comparison_lines(explanations: Sequence) -> list[str]:
    """With several methods on one text: which is most faithful here (Comp), and how far their word rankings agree."""
    scored = [e for e in explanations if getattr(e, "faithfulness", None) and e.faithfulness.get("k", 0) > 0]
    lines = []
    if len(scored) >= 2:
        best = max(scored, key=lambda e: e.faithfulness["comp"])
        rest = sorted((e for e in scored if e is not best), key=lambda e: -e.faithfulness["comp"])
        tied = [e.method for e in rest if e.faithfulness["comp"] == best.faithfulness["comp"]]
        if tied:
            names = [best.method, *tied]
            lines.append(f"most faithful on this text: tied between {', '.join(names[:-1])} and {names[-1]} "
                         f"(Comp {best.faithfulness['comp']:.2f})")
        else:
            a, b = best.faithfulness["comp"], rest[0].faithfulness["comp"]
            digits = 2
            while digits < 6 and f"{a:.{digits}f}" == f"{b:.{digits}f}":  # a winner is never shown equal to the next
                digits += 1
            lines.append(f"most faithful on this text: {best.method} (Comp {a:.{digits}f}; next "
                         f"{rest[0].method} {b:.{digits}f}); one text is weak evidence, "
                         "`faithlens evaluate` tests it over many")
    if len(explanations) >= 2:
        pairs = []
        for i, a in enumerate(explanations):
            for b in explanations[i + 1:]:
                rho = word_agreement(a, b)
                if rho is not None:
                    pairs.append(f"{a.method}–{b.method} {rho:+.2f}" + ("" if _both_signed(a, b) else " (of |scores|)"))
        if pairs:
            lines.append("word rankings agree (Spearman ρ): " + ", ".join(pairs))
    return lines


def word_agreement(a, b) -> float | None:
    """Spearman's ρ between two explanations' word scores (same text, same words), or None. When either method is
    unsigned (saliency: magnitudes only), both are ranked by |score|: a magnitude ranking against a signed one
    would read "opposes" as "unimportant"."""
    from ..stats import spearman

    if [w.tokens for w in a.words] != [w.tokens for w in b.words]:
        return None
    value = (lambda w: w.score) if _both_signed(a, b) else (lambda w: abs(w.score))
    return spearman([value(w) for w in a.words], [value(w) for w in b.words])


def _both_signed(a, b) -> bool:
    return getattr(a, "signed", True) and getattr(b, "signed", True)
