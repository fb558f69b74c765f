"""A self-contained HTML page: one row per method, every word coloured by its score; all text escaped."""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from .. import __version__
from ..explanation import Explanation
from .shade import rgb

STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin-bottom:2em}
td,th{padding:.4em .8em;border-bottom:1px solid #ddd;vertical-align:top;text-align:left}
.w{padding:.1em .2em;border-radius:3px}
.meta{color:#666;font-size:.85em}
.legend span{padding:.1em .5em;margin-right:.5em}
"""


def _bg(score: float) -> str:
    return "rgb({},{},{})".format(*rgb(score))


def highlight(text: str, spans: Sequence[tuple[int, int, float, str]]) -> str:
    """`text`, escaped, with each (start, end, normalised score, tooltip) span coloured by its score."""
    parts, cursor = [], 0
    for start, end, score, tip in spans:
        parts.append(html.escape(text[cursor:start]))
        parts.append(f'<span class="w" style="background:{_bg(score)}" title="{html.escape(tip, quote=True)}">'
                     f"{html.escape(text[start:end])}</span>")
        cursor = end
    parts.append(html.escape(text[cursor:]))
    return "".join(parts)


def _sentence(e: Explanation) -> str:
    return highlight(e.text, [(w.start, w.end, w.score_normalised,
                               f"{w.word}: {w.score:+.4f} (normalised {w.score_normalised:+.3f})") for w in e.words])


def render_html(groups: Sequence[Sequence[Explanation]], *, title: str = "faithlens explanations") -> str:
    """`groups`: for each text, its explanations by several methods (shown side by side as rows)."""
    return page(title, f"<h1>{html.escape(title)}</h1>" + render_groups(groups))


def render_groups(groups: Sequence[Sequence[Explanation]]) -> str:
    """The legend and, for each text, one table row per method (the body of `render_html`)."""
    body = ['<p class="legend"><span style="background:rgb(80,255,80)">supports the target class</span>'
            '<span style="background:rgb(255,80,80)">opposes it</span></p>']
    for explanations in groups:
        first = explanations[0]
        pred = first.prediction
        probs = ", ".join(f"{p:.3f}" for p in pred["probs"])
        body.append(f"<h2>{html.escape(first.text[:80])}</h2>")
        body.append(f'<p class="meta">model {html.escape(first.model)} · prediction <b>{html.escape(str(pred["label"]))}</b> '
                    f"(probabilities {html.escape(probs)}) · target {html.escape(str(first.target['label']))}</p>")
        body.append("<table><tr><th>method</th><th>explanation</th><th>seconds</th><th>delta</th></tr>")
        for e in explanations:
            if e.deltas:
                delta = f"max |δ_i| {max(abs(d) for d in e.deltas):.2g}"
            elif e.total_delta is not None:
                delta = f"{e.total_delta:+.3g}"
            else:
                delta = ""
            notes = "".join(f'<div class="meta">{html.escape(w)}</div>' for w in e.warnings)
            body.append(f"<tr><td>{html.escape(e.method)}</td><td>{_sentence(e)}{notes}</td>"
                        f"<td>{e.seconds:.2f}</td><td>{html.escape(delta)}</td></tr>")
        body.append("</table>")
    return "".join(body)


def page(title: str, body: str, *, style: str = "") -> str:
    """A self-contained HTML page around `body` (already escaped HTML)."""
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title>"
            f"<style>{STYLE}{style}</style></head><body>{body}"
            f'<p class="meta">faithlens {html.escape(__version__)}</p></body></html>')


def write_html(path: str | Path, groups: Sequence[Sequence[Explanation]], **kwargs) -> Path:
    from ..files import write_atomic

    return write_atomic(Path(path), render_html(groups, **kwargs))
