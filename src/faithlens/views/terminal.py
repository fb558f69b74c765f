"""Words coloured by score in a terminal: green supports the target class, red opposes it."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from ..explanation import Explanation
from .shade import rgb

RESET = "\x1b[0m"


def _colour(score: float) -> str:
    """24-bit background colour: green for positive, red for negative, intensity by |score|."""
    r, g, b = rgb(score)
    return f"\x1b[48;2;{r};{g};{b}m\x1b[38;2;0;0;0m"


def use_colour(stream=None) -> bool:
    stream = stream or sys.stdout
    return hasattr(stream, "isatty") and stream.isatty() and os.environ.get("NO_COLOR") is None


def render_words(e: Explanation, *, colour: bool = True) -> str:
    """The text with every word coloured (or, without colour, followed by its score)."""
    out, cursor = [], 0
    for w in e.words:
        out.append(e.text[cursor:w.start])
        if colour:
            out.append(f"{_colour(w.score_normalised)}{e.text[w.start:w.end]}{RESET}")
        else:
            out.append(f"{e.text[w.start:w.end]}[{w.score_normalised:+.2f}]")
        cursor = w.end
    out.append(e.text[cursor:])
    return "".join(out)


def render_terminal(explanations: Sequence[Explanation], *, colour: bool | None = None) -> str:
    """All methods' explanations of one text, one line each, under the prediction."""
    if colour is None:
        colour = use_colour()
    first = explanations[0]
    lines = [f"{_prediction_line(first)}   model: {first.model}"]
    if first.truncated:
        lines.append("note: the text was truncated to the model's length limit")
    width = max(len(e.method) for e in explanations)
    for e in explanations:
        extra = ""
        if e.deltas:
            extra = f"   max|delta|={max(abs(d) for d in e.deltas):.2g}"
        elif e.total_delta is not None:
            extra = f"   delta={e.total_delta:+.3g}"
        lines.append(f"{e.method:>{width}}: {render_words(e, colour=colour)}   ({e.seconds:.2f}s{extra})")
        for warning in e.warnings:
            lines.append(f"{'':>{width}}  warning: {warning}")
    return "\n".join(lines)


def _prediction_line(e: Explanation) -> str:
    """What the model predicted and what F explains, per task."""
    pred, target = e.prediction, e.target
    if e.task == "qa":
        line = f"answer: {pred['label']!r} (p = {pred['prob']:.3f})"
        return line if target.get("token_span") == pred.get("token_span") else f"{line}   target: {target['label']!r}"
    if e.task == "causal_lm":
        return f"continuation: {target['label']!r} (log p = {target['log_prob']:.3f})"
    probs = ", ".join(f"{label}={p:.3f}" for label, p in zip(_labels(e), pred["probs"]))
    return f"prediction: {pred['label']} ({probs})   target: {target['label']}"


def _labels(e: Explanation) -> list[str]:
    labels = e.prediction.get("labels")
    if labels:
        return list(labels)
    n = len(e.prediction["probs"])
    return [e.prediction["label"] if i == e.prediction["index"] else f"class {i}" for i in range(n)]
