"""Explanations in a terminal: every word coloured by its score *and* followed by the number.

Two layouts: inline (the text, each word tinted and followed by its normalised score) and bars
(`bars=True`: one line per word with its score and a bar). Colour goes only to a terminal: not
when the stream is not a TTY, and never when ``NO_COLOR`` is set (https://no-color.org); plain
text then shows the same numbers. Tints carry black text, so they read on light and dark
backgrounds. Text from the input (and the model's label names) never reaches the terminal raw:
ESC, BEL and every other control or bidi character is shown as an escape such as ``\\x1b``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from .parts import (Explanation, check_group, target_matrix, WordSpan, comparison_lines, trust_line, delta_text, explained_what, is_signed, prediction_parts, segments, visible,
                    word_spans)
from .shade import MAGNITUDE, OPPOSE, SUPPORT, TEXT_ON_TINT, rgb

RESET = "\x1b[0m"
BAR_WIDTH = 24  # characters for |normalised score| = 1
_EIGHTHS = " ▏▎▍▌▋▊▉█"


def use_colour(stream=None) -> bool:
    """Colour only on a TTY and only when NO_COLOR is unset (any value, even empty, turns colour off)."""
    stream = stream or sys.stdout
    return hasattr(stream, "isatty") and stream.isatty() and "NO_COLOR" not in os.environ


def truecolour() -> bool:
    """24-bit colour when the terminal says so (COLORTERM), else the 256-colour palette."""
    return os.environ.get("COLORTERM", "").lower() in ("truecolor", "24bit")


def _cube(rgb_: tuple[int, int, int]) -> int:
    levels = (0, 95, 135, 175, 215, 255)
    idx = [min(range(6), key=lambda i: abs(levels[i] - c)) for c in rgb_]
    return 16 + 36 * idx[0] + 6 * idx[1] + idx[2]


def _sgr(rgb_: tuple[int, int, int], *, background: bool, full: bool) -> str:
    kind = 48 if background else 38
    if full:
        return f"\x1b[{kind};2;{rgb_[0]};{rgb_[1]};{rgb_[2]}m"
    return f"\x1b[{kind};5;{_cube(rgb_)}m"


def _tint(text: str, score: float, full: bool, signed: bool = True) -> str:
    return (f"{_sgr(rgb(score, signed), background=True, full=full)}{_sgr(TEXT_ON_TINT, background=False, full=full)}"
            f"{text}{RESET}")


def _key(rgb_: tuple[int, int, int], text: str, full: bool) -> str:
    return f"{_sgr(rgb_, background=True, full=full)}{_sgr(TEXT_ON_TINT, background=False, full=full)} {text} {RESET}"


def legend(target: str | None = None, *, colour: bool, full: bool | None = None, signed: bool = True,
           unsigned: bool = False, what: str | None = None) -> str:
    """What the colours and numbers mean: one line for signed scores, one for unsigned (magnitude) scores."""
    full = truecolour() if full is None else full
    what = visible(what) if what else (f"the target class ({visible(target)})" if target else "the target class")
    lines = []
    if signed:
        if colour:
            lines.append(f"legend: {_key(SUPPORT, '+ supports', full)} {_key(OPPOSE, '− opposes', full)} {what}; "
                         "number after a word = its score / L2 norm of the word scores (−1..1)")
        else:
            lines.append(f"legend: word[+0.42] = score / L2 norm of the word scores (−1..1); + supports {what}, − opposes it")
    if unsigned:
        head = "legend (unsigned methods):" if signed else "legend:"
        key = _key(MAGNITUDE, "magnitude, no direction", full) if colour else "magnitude, no direction"
        lines.append(f"{head} {key}: word[0.42] = |score| / L2 norm (0..1): how sensitive the score is to the word, with no direction")
    return "\n".join(lines)


def render_words(e: Explanation, *, colour: bool = True, segment: int = 0, full: bool | None = None) -> str:
    """One segment's text with every word tinted (colour) and followed by its normalised score."""
    full = truecolour() if full is None else full
    text = dict(segments(e)).get(segment, "")
    signed = is_signed(e)
    out, cursor = [], 0
    spans = word_spans(e, segment)

    def gap(chunk: str, edge: bool) -> str:  # a truncated text's cut part (before the first or after the last word)
        if not (edge and e.truncated and chunk.strip()):
            return visible(chunk)
        lead, core = chunk[:len(chunk) - len(chunk.lstrip())], chunk.strip()
        return f"{visible(lead)}[not read: {visible(core)}]{visible(chunk[len(lead) + len(core):])}"
    for i, w in enumerate(spans):
        out.append(gap(text[cursor:w.start], i == 0))
        word = visible(text[w.start:w.end])
        number = f"{w.score_normalised:+.2f}" if signed else f"{abs(w.score_normalised):.2f}"
        out.append(f"{_tint(word, w.score_normalised, full, signed)}{number}" if colour else f"{word}[{number}]")
        if w.end < len(text) and not text[w.end].isspace():
            out.append(" ")  # a score never runs into the punctuation after it: "red[+0.21] ,[+0.19]"
        cursor = w.end
    out.append(gap(text[cursor:], True))
    return "".join(out)


def _bar(score: float) -> str:
    eighths = int(round(min(1.0, abs(score)) * BAR_WIDTH * 8))
    return "█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")


def render_bars(e: Explanation, *, colour: bool = True, segment: int = 0, full: bool | None = None) -> list[str]:
    """One line per word: the word, its normalised and raw score, and a bar (green +, red −; blue: unsigned)."""
    full = truecolour() if full is None else full
    signed = is_signed(e)
    spans: list[WordSpan] = word_spans(e, segment)
    shown = [visible(w.word) for w in spans]
    width = min(24, max((len(s) for s in shown), default=4))
    lines = []
    for w, word in zip(spans, shown):
        bar = _bar(w.score_normalised)
        if colour and bar:
            ink = ((0, 150, 0) if w.score_normalised >= 0 else (200, 30, 30)) if signed else (40, 110, 220)  # mid tones
            bar = f"{_sgr(ink, background=False, full=full)}{bar}{RESET}"
        if signed:
            sign = "+" if w.score_normalised >= 0 else "−"
            lines.append(f"  {word[:width]:<{width}} {w.score_normalised:+.3f} (raw {w.score:+.4g}) {sign}{bar}")
        else:
            lines.append(f"  {word[:width]:<{width}} {abs(w.score_normalised):.3f} (raw {w.score:.4g}) |{bar}")
    return lines


def render_terminal(explanations: Sequence[Explanation], *, colour: bool | None = None, bars: bool = False,
                    show_legend: bool = True) -> str:
    """All methods' explanations of one text under its prediction, with a one-line legend. ``colour``: True, False
    or None (colour when the terminal shows it); ``bars`` and ``show_legend``: True or False (a str is refused: 'no'
    is true in Python)."""
    from ..scalars import check_bool

    explanations = check_group(explanations, "render_terminal")
    colour = check_bool("colour", colour, optional=True)
    bars, show_legend = check_bool("bars", bars), check_bool("show_legend", show_legend)
    if colour is None:
        colour = use_colour()
    first = explanations[0]
    head = [f"{name}: {visible(value)}" for name, value in prediction_parts(first)]
    lines = ["   ".join(head + [f"model: {visible(first.model)}"])]
    if show_legend:
        lines.append(legend(colour=colour, what=explained_what(first), signed=any(is_signed(e) for e in explanations),
                            unsigned=not all(is_signed(e) for e in explanations)))
    if first.truncated:
        lines.append("note: the text was truncated to the model's length limit")
    width = max(len(visible(e.method)) for e in explanations)
    many = len(segments(first)) > 1
    for e in explanations:
        extra = f", {delta_text(e)}" if delta_text(e) else ""
        name = visible(e.method)
        if bars:
            if e is first:
                lines += [f"text {s + 1}: {visible(t)}" if many else f"text: {visible(t)}" for s, t in segments(e)]
            lines.append(f"{name} ({e.seconds:.2f}s{extra})")
            for segment, _ in segments(e):
                if many:
                    lines.append(f" text {segment + 1}:")
                lines += render_bars(e, colour=colour, segment=segment)
        else:
            body = " ‖ ".join(render_words(e, colour=colour, segment=s) for s, _ in segments(e))
            lines.append(f"{name:>{width}}: {body}   ({e.seconds:.2f}s{extra})")
        if (faithful := trust_line(e)) is not None:
            lines.append(f"{'':>{width}}  faithfulness: {faithful}")
        for warning in e.warnings:
            lines.append(f"{'':>{width}}  warning: {visible(warning)}")
        lines += render_matrix(e, colour=colour)
    lines += [visible(line) for line in comparison_lines(explanations)]
    return "\n".join(lines)


def render_matrix(e: Explanation, *, colour: bool = True, full: bool | None = None) -> list[str]:
    """A causal LM's prompt-word × generated-token matrix (per_token): one line per word, one column per token."""
    m = target_matrix(e)
    if m is None:
        return []
    full = truecolour() if full is None else full
    left = max([len(visible(w)) for w in m.words] + [4])
    heads = [visible(t)[:10] for t in m.tokens]
    cell = max([len(h) for h in heads] + [6])
    what = "prompt and earlier generated tokens (→)" if m.generated else "prompt words"
    lines = [f"  {e.method} per generated token, {what} (each column / its L2 norm):",
             f"  {'':<{left}} " + " ".join(f"{h:>{cell}}" for h in heads)]
    signed = is_signed(e)
    blank = m.blank or [[False] * len(m.tokens) for _ in m.words]
    for word, row, empty in zip(m.words, m.normalised, blank):
        cells = ["·".rjust(cell) if b else (f"{v:+.2f}" if signed else f"{abs(v):.2f}").rjust(cell) for v, b in zip(row, empty)]
        if colour:
            cells = [c if b else _tint(c, v, full, signed) for c, v, b in zip(cells, row, empty)]
        lines.append(f"  {visible(word):<{left}} " + " ".join(cells))
    return lines


def render_markdown(text: str, *, colour: bool | None = None, width: int | None = None) -> str:
    """A Markdown report as terminal text (rich): headings, bold, lists and tables drawn, entities decoded.

    Styles only on a colour terminal (`use_colour`: a TTY and no ``NO_COLOR``); otherwise the same layout in
    plain text. ``width`` defaults to the terminal's (100 columns when not a terminal).
    """
    import io

    from rich.console import Console
    from rich.markdown import Markdown

    colour = use_colour() if colour is None else colour
    buffer = io.StringIO()
    if width is None:
        import shutil

        width = shutil.get_terminal_size((100, 24)).columns if colour else 100
    console = Console(file=buffer, force_terminal=colour, no_color=not colour, width=width, highlight=False,
                      color_system=("truecolor" if truecolour() else "256") if colour else None, emoji=False)
    console.print(Markdown(text, hyperlinks=False))
    return "\n".join(line.rstrip() for line in buffer.getvalue().rstrip().splitlines()) + "\n"
