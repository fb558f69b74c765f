"""`Comparison`: one text explained by several methods, returned by `Explainer.compare`.

A dict (method name -> Explanation, in the order asked) that also shows itself: the methods side by
side as rows in a notebook (`_repr_html_`), in a terminal (`str`), or as a page (`to_html`).
It compares one text of one model for one target: an entry that breaks that (another type, another text,
model or target) is refused when stored with ``c[key] = value`` and again when the comparison is shown.
"""

from __future__ import annotations

from .errors import FaithlensError, quoted
from .explanation import Explanation

FILL = "Fill it with Explainer.compare(text, methods=[...]), or store explainer.explain(text, method) under each method's name."


class Comparison(dict):
    """method name -> `Explanation` of the same text under the same settings (a plain dict otherwise)."""

    def __setitem__(self, key, value) -> None:
        _check_entry(key, value)
        others = [(k, e) for k, e in self.items() if k != key and isinstance(e, Explanation)]
        if others:
            _check_same(others[0], (key, value))
        super().__setitem__(key, value)

    @property
    def explanations(self) -> list[Explanation]:
        return list(self.values())

    def checked(self) -> list[Explanation]:
        """The explanations, after checking that there are some, that each is an `Explanation`, and that all explain
        one text of one model for one target (a dict's update() and constructor store without `__setitem__`)."""
        if not self:
            raise FaithlensError(f"This Comparison holds no explanations: nothing to compare. {FILL}")
        for key, value in self.items():
            _check_entry(key, value)
        first, *rest = self.items()
        for entry in rest:
            _check_same(first, entry)
        return self.explanations

    def to_html(self, title: str = "faithlens explanations") -> str:
        """A self-contained page with one row per method."""
        from .views.html import render_html

        return render_html([self.checked()], title=title)

    def to_terminal(self, *, colour: bool | None = None, bars: bool = False) -> str:
        from .views.terminal import render_terminal

        return render_terminal(self.checked(), colour=colour, bars=bars)

    def _repr_html_(self) -> str:  # Jupyter
        from .views.html import fragment, render_groups

        return fragment(render_groups([self.checked()])) if self else "<p>(no methods)</p>"

    def __str__(self) -> str:
        return self.to_terminal(colour=False) if self else "Comparison()"


def _check_entry(key: object, value: object) -> None:
    if not isinstance(value, Explanation):
        raise FaithlensError(f"A Comparison maps method names to Explanations; the entry {quoted(key, 30)} is "
                             f"{type(value).__name__} {quoted(value, 40)}. Store an Explanation there "
                             "(explainer.explain(text, method)), or use a plain dict for other values.")


def _subject(e: Explanation) -> dict[str, object]:
    """What a comparison holds fixed: the text (and its pair), the model and the explained target (and foil)."""
    target = e.target or {}
    foil = target.get("contrast")
    return {"text": e.text if e.text_pair is None else (e.text, e.text_pair), "model": e.model,
            "target": target.get("label"), "contrast": foil.get("label") if isinstance(foil, dict) else foil}


def _check_same(first: tuple[object, Explanation], other: tuple[object, Explanation]) -> None:
    (k1, a), (k2, b) = first, other
    sa, sb = _subject(a), _subject(b)
    differ = [name for name in sa if sa[name] != sb[name]]
    if differ:
        name = differ[0]
        raise FaithlensError(f"A Comparison shows one text of one model for one target, side by side; its entries "
                             f"differ in {name}: {quoted(k1, 30)} has {quoted(sa[name])}, {quoted(k2, 30)} has "
                             f"{quoted(sb[name])} (word scores of different {name}s cannot be compared). Keep each "
                             f"{name} in its own Comparison (Explainer.compare(text, methods=[...])).")
