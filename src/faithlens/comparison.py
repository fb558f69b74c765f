"""`Comparison`: one text explained by several methods, returned by `Explainer.compare`.

A dict (method name -> Explanation, in the order asked) that also shows itself: the methods side by
side as rows in a notebook (`_repr_html_`), in a terminal (`str`), or as a page (`to_html`).
It compares one text of one model for one target under one setting of what is scored: an entry that breaks that
(another type, another text, model or target, or another explained score, baseline, dtype or token-target setting,
`SHARED_SETTINGS`) is refused when stored with ``c[key] = value`` and again when the comparison is shown. The settings of
each method (steps, rule, mode, n_samples, seed, unit, ...) may differ: they are what is compared.
"""

from __future__ import annotations

from .errors import FaithlensError, quoted
from .explanation import Explanation
from .views.parts import subject_differs

# the settings that change every method's scores alike (the explained function and the reference it is compared with):
# entries that differ in one would show a difference of settings as a difference of methods. The baseline counts between
# entries that both read one (`_reads_baseline`): a gradient method records the default baseline it never used
# (Explainer.compare leaves baseline= out of its call)
SHARED_SETTINGS = ("score", "baseline", "baseline_token", "dtype", "per_token", "target_side")
BASELINE_SETTINGS = ("baseline", "baseline_token")

FILL = "Fill it with Explainer.compare(text, methods=[...]), or store explainer.explain(text, method) under each method's name."


class Comparison(dict):
    """method name -> `Explanation` of the same text under the same settings (a plain dict otherwise).

    Built like a dict (a mapping, (name, Explanation) pairs, keywords), or from a list of Explanations, each stored
    under its method's name (two of one method must be keyed by hand, e.g. {"ig:steps=20": a, "ig:steps=100": b})."""

    def __init__(self, entries=(), /, **named) -> None:
        super().__init__()
        if isinstance(entries, dict):
            entries = entries.items()
        elif isinstance(entries, (str, bytes)) or not hasattr(entries, "__iter__"):
            raise FaithlensError(f"Comparison takes a dict of method name -> Explanation, or a list of Explanations. Got "
                                 f"{type(entries).__name__}. {FILL}")
        for entry in list(entries):
            if isinstance(entry, Explanation):
                if entry.method in self:
                    raise FaithlensError(f"Two explanations of the method {entry.method!r} were given as a list: each "
                                         "would be stored under its method's name. Key them yourself, e.g. "
                                         "Comparison({'ig:steps=20': a, 'ig:steps=100': b}).")
                entry = (entry.method, entry)
            if not (isinstance(entry, tuple) and len(entry) == 2):
                raise FaithlensError(f"Comparison takes Explanations or (method name, Explanation) pairs; one entry is "
                                     f"{type(entry).__name__} {entry!r:.60}. {FILL}")
            self[entry[0]] = entry[1]
        for key, value in named.items():
            self[key] = value

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


def _check_same(first: tuple[object, Explanation], other: tuple[object, Explanation]) -> None:
    (k1, a), (k2, b) = first, other
    differ = subject_differs(a, b)
    if differ is not None:
        name, mine, theirs = differ
        raise FaithlensError(f"A Comparison shows one text of one model for one target, side by side; its entries "
                             f"differ in {name}: {quoted(k1, 30)} has {quoted(mine)}, {quoted(k2, 30)} has "
                             f"{quoted(theirs)} (word scores of different {name}s cannot be compared). Keep each "
                             f"{name} in its own Comparison (Explainer.compare(text, methods=[...])).")
    both_read_baseline = _reads_baseline(a) and _reads_baseline(b)
    setting = next((k for k in SHARED_SETTINGS if a.settings.get(k) != b.settings.get(k)
                    and (both_read_baseline or k not in BASELINE_SETTINGS)), None)
    if setting is not None:
        raise FaithlensError(f"A Comparison shows methods under the same settings, side by side; its entries differ in "
                             f"the setting {setting!r}: {quoted(k1, 30)} has {quoted(a.settings.get(setting))}, "
                             f"{quoted(k2, 30)} has {quoted(b.settings.get(setting))} (its word scores and rank agreement "
                             f"would show a difference of {setting} as a difference of methods). Explain every method "
                             f"with the same {setting} (Explainer.compare(text, methods=[...], {setting}=...)), or keep "
                             "each in its own Comparison.")


def _reads_baseline(e: Explanation) -> bool:
    """The explanation's scores depend on its baseline: its method replaces tokens by it (`Method.baseline`; a method
    faithlens does not know is taken to), or its faithfulness was measured by deleting words to it."""
    from .methods import METHODS

    return e.faithfulness is not None or e.method not in METHODS or bool(METHODS[e.method].baseline)
