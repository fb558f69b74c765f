"""The user's word classes (`audit --token-class`) in the audit's views: two table columns per class (the share of
|a| on it and the Holm-corrected p of its concentration test) and a note on what they mean, all read from the
report's data (``methods[label]["concentration"]["words: …"]``), so the terminal, Markdown and HTML agree with the JSON."""

from __future__ import annotations

import math


def word_classes(methods: dict) -> list[str]:
    """The names of the user's word classes ("words: film, the") tested in `methods`, in test order."""
    names = [c for m in methods.values() for c in m.get("concentration", {}) if c.startswith("words: ")]
    return list(dict.fromkeys(names))


def _fmt(x) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.2f}"


def class_share(methods: dict, label: str, name: str, reference: str | None) -> float | None:
    """A word class's share of |a| for one method: a gradient method's own; the reference (occlusion) the share it was
    tested against; None for any other output method (not tested)."""
    t = methods[label].get("concentration", {}).get(name)
    if t is not None:
        return t.get("share")
    if label == reference:
        ref = next((g["concentration"][name] for g in methods.values() if name in g.get("concentration", {})), {})
        return ref.get("reference_share")
    return None


def class_shares(methods: dict, reference: str | None) -> dict[str, dict[str, float | None]]:
    """{class name: {method label: share or None}} for every word class of the user's (the audit plot's bars)."""
    return {name: {label: class_share(methods, label, name, reference) for label in methods} for name in word_classes(methods)}


def class_cells(methods: dict, label: str, name: str, reference: str | None, min_texts: int) -> list[str]:
    """A word class's share and Holm p for one method row: a gradient method's own test (p followed by 'yes' when it
    concentrates, 'leans' on weaker evidence; "untested" when fewer than ``min_texts`` texts hold the class: `verdict.MIN_TEXTS`); the
    reference (occlusion) shows the share it was tested against; any other output method was not tested ("–")."""
    share = _fmt(class_share(methods, label, name, reference))
    t = methods[label].get("concentration", {}).get(name)
    if t is not None and t.get("n", 0) < min_texts:  # too few texts for the test: untested, as the findings say
        return [share, "untested"]
    if t is not None:
        said = " yes" if t.get("concentrates") else " leans" if t.get("leans") else ""
        return [share, _fmt(t.get("p_holm")) + said]
    return [share, "–"]


def class_header(header: list[str], methods: dict) -> list[str]:
    """`header` with two columns per word class of the user's, before its last column ("seconds")."""
    extra = [h for name in word_classes(methods) for h in (f"share on {name}", f"Holm p, {name.removeprefix('words: ')}")]
    return header[:-1] + extra + header[-1:]


def class_note(methods: dict, n_texts: int) -> str:
    """What the word-class columns mean, or "" without a word class."""
    names = word_classes(methods)
    if not names:
        return ""
    n = {name: next(m["concentration"][name].get("n") for m in methods.values() if name in m.get("concentration", {}))
         for name in names}
    which = "; ".join(f"{name.removeprefix('words: ')}: {n[name]} of {n_texts} texts hold one" for name in names)
    return ("Word class columns (--token-class): the mean share of |a| on the class over the texts that hold one of its "
            f"words ({which}); each gradient method is tested against occlusion's share (one-sided Wilcoxon, "
            "Holm-corrected across methods × classes; the column shows that p, followed by 'yes' when the method "
            "concentrates there and 'leans' on weaker evidence).")
