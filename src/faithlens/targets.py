"""How a classifier's target reads: a class index, a label name, or an ``index:``/``label:`` prefixed str.

One rule for every surface (Python API, CLI ``--target``/``--contrast``, web app): `resolve_target`. A str that
can be read two ways on the model at hand (a label named ``"1"`` that is class 0; a label literally named
``"index:1"``) is refused with both readings named, never read one way here and another way there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .errors import FaithlensError
from .gold_labels import _int_reading, _label_by_value, label_index

if TYPE_CHECKING:
    from .model import ClassifierModel
    from .task_inputs import Target


def resolve_target(model: ClassifierModel, target: Target, *, role: str = "target") -> int:
    """The class index a classifier's target names. One rule on every surface (API, CLI, web app):

    - an ``int`` is a class index (``-1`` and others outside 0..C-1 are errors);
    - ``"index:N"`` is the index N and ``"label:NAME"`` the label NAME (prefixes in any case); when a
      label is literally named so (``"index:1"``) and that is another class, it is refused with both named;
    - any other ``str`` is a label name (exact, else ignoring case, else, for a number, the one label that
      reads as the same number: ``"01"``, ``"１"`` or ``"1"`` for a label ``"1.0"`` or ``"+1"``), or, when it
      is a whole number, the class index it reads as. A number that is both a label name and the index of
      *another* label (labels ``("1", "0")``: ``"1"`` names class 0 and indexes class 1) is refused with both
      readings named; where both readings agree (labels ``("0", "1")``), or where the index reading is out
      of range (labels ``("-1", "1")``: ``"-1"``; ``("1", "2")``: ``"2"``), the label name is the one reading.

    ``role`` names what the value is in messages: ``"target"`` (``target=``, CLI ``--target``) or ``"contrast"``
    (``contrast=``, CLI ``--contrast``). Raises FaithlensError.
    """
    labels = model.labels
    what = role.capitalize()
    if isinstance(target, bool) or not isinstance(target, (int, str)):
        raise FaithlensError(f"The {role} of a classifier must be a class index or label name ({', '.join(labels)}). "
                             f"Got {type(target).__name__} {target!r}.")
    if isinstance(target, int):
        if not 0 <= target < len(labels):
            raise FaithlensError(f"{what} index {target} is out of range: {model.name!r} has {len(labels)} classes "
                                 f"(0..{len(labels) - 1}: {', '.join(labels)}).")
        return target
    prefix, colon, rest = target.partition(":")
    kind = prefix.strip().lower() if colon else ""
    if kind in ("index", "label"):  # the prefixes are read ignoring case, like label names
        literal = label_index(labels, target)  # a config may name a class "index:1" itself
        if kind == "index":
            if _int_reading(rest) is None:
                if literal is not None:
                    return literal
                raise FaithlensError(f"{what} {target!r}: 'index:' takes a class index 0..{len(labels) - 1}. Got {rest!r}.")
            by_prefix = resolve_target(model, int(rest), role=role)
            other = f"the plain number {int(rest)}" if label_index(labels, rest.strip()) is None else \
                f"the int {int(rest)} in Python"
        else:
            by_prefix = label_index(labels, rest)
            if by_prefix is None:
                if literal is not None:
                    return literal
                raise FaithlensError(f"Unknown label {rest!r} in {role} {target!r}. Valid choices: {', '.join(labels)}.")
            other = f"the name {rest.strip()!r} alone"
        if literal is not None and literal != by_prefix:
            name = labels[literal]  # the model's spelling ("index:1" when "Index:1" was given)
            raise FaithlensError(f"{what} {target!r} is ambiguous on {model.name!r}: it is the label name {name!r} "
                                 f"(class {literal}) and, read by its '{kind}:' prefix, class {by_prefix} "
                                 f"({labels[by_prefix]!r}). Write label:{name} for the label named so, or "
                                 f"{other} for class {by_prefix}.")
        return by_prefix
    by_name = label_index(labels, target)
    index = _int_reading(target)
    if index is not None:
        if by_name is None:  # "01" or a full-width "１" names the label "1" by its value
            by_name = _label_by_value(labels, index)
        if by_name is not None and by_name != index and 0 <= index < len(labels):  # the index of *another* label
            name = labels[by_name]
            same = name.strip().lower() == target.strip().lower()  # " 1" names the label "1" itself, not by value
            said = f"the label name {name!r}" if same else f"the label name {name!r} (read as the number {index})"
            raise FaithlensError(f"{what} {target!r} is ambiguous on {model.name!r}, whose label names are numbers too: "
                                 f"it is {said} (class {by_name}) and the class index {index} (label "
                                 f"{labels[index]!r}). Write label:{name} for the label, or index:{index} (an int in "
                                 f"Python) for the index.")
        return by_name if by_name is not None else resolve_target(model, index, role=role)
    if by_name is not None:
        return by_name
    raise FaithlensError(f"Unknown {role} {target!r}. Valid choices: {', '.join(labels)} or an index "
                         f"0..{len(labels) - 1} ({role}= in Python, --{role} on the command line).")


