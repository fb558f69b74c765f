"""`Comparison`: one text explained by several methods, returned by `Explainer.compare`.

A dict (method name -> Explanation, in the order asked) that also shows itself: the methods side by
side as rows in a notebook (`_repr_html_`), in a terminal (`str`), or as a page (`to_html`).
"""

from __future__ import annotations

from .explanation import Explanation


class Comparison(dict):
    """method name -> `Explanation` of the same text under the same settings (a plain dict otherwise)."""

    @property
    def explanations(self) -> list[Explanation]:
        return list(self.values())

    def to_html(self, title: str = "faithlens explanations") -> str:
        """A self-contained page with one row per method."""
        from .views.html import render_html

        return render_html([self.explanations], title=title)

    def to_terminal(self, *, colour: bool | None = None, bars: bool = False) -> str:
        from .views.terminal import render_terminal

        return render_terminal(self.explanations, colour=colour, bars=bars)

    def _repr_html_(self) -> str:  # Jupyter
        from .views.html import fragment, render_groups

        return fragment(render_groups([self.explanations])) if self else "<p>(no methods)</p>"

    def __str__(self) -> str:
        return self.to_terminal(colour=False) if self else "Comparison()"
