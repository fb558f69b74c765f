"""Gold labels from the cells of a data file, one rule for every reader: a whole number is a class index (GLUE's 0/1
columns), a word is a class name (matched ignoring case against the given names, else the sorted names found), and
any other number is refused — never read as a name. "index:N" and "label:NAME" cells say which, as --target does;
against label names that are numbers, a digit that names one class and indexes another is refused
(`check_digit_labels`, the rule of `faithlens.targets.resolve_target`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from .errors import FaithlensError


def _numeric(value) -> bool:
    """A string that reads as a number but not as a class index ('1.5', '-1', '1e3'): never a class name."""
    if not isinstance(value, str) or value.isdigit():
        return False
    try:
        float(value)
    except ValueError:
        return False
    return True


def index_labels(raw: Sequence, lines: Sequence[int], names: Sequence[str] | None,
                  path: Path) -> tuple[tuple[int | None, ...], tuple[str, ...] | None]:
    """Class indices from raw label cells (ints, digit strings or names); every row or none has a label."""
    present = [v is not None and v != "" for v in raw]
    if any(present) and not all(present):
        line = lines[present.index(False)]
        raise FaithlensError(f"Line {line} of {str(path)!r} has no label, but other lines do. Give every line a label "
                             "or none.")
    if not any(present):
        return tuple(None for _ in raw), None
    values = [v.strip() if isinstance(v, str) else v for v in raw]
    kinds = {_prefix(v)[0] for v in values} - {None}
    if kinds:  # "index:N" / "label:NAME" cells (as --target reads them): the reading is said, never guessed
        values = _unprefixed(values, lines, path)
        if kinds == {"label"}:
            return _named([v for v in values], lines, names, path)
    for v, line in zip(values, lines):
        if isinstance(v, bool) or not isinstance(v, (int, str)) or (isinstance(v, int) and v < 0) or _numeric(v):
            raise FaithlensError(f"Line {line} of {str(path)!r} has label {v!r}, a number that is not a class index; "
                                 "labels must be class indices (0, 1, ...) or class names that are words (a number is "
                                 "never read as a name). Rewrite the labels as class indices (e.g. -1 → 0, 1 → 1) or as "
                                 "words.")
    if all(isinstance(v, int) or v.isdigit() for v in values):
        indices = [int(v) for v in values]
        if names:  # digits against given label names that are numbers: the --target rule
            moved = check_digit_labels(digit_label_values(values), list(names), source=repr(str(path)),
                                       owner="the label names given (--labels; label_names= in Python)")
            indices = [moved.get(i, i) if isinstance(v, str) else i for i, v in zip(indices, values)]
        return tuple(indices), (tuple(names) if names else None)
    if any(isinstance(v, int) or v.isdigit() for v in values):
        line = lines[next(i for i, v in enumerate(values) if isinstance(v, int) or v.isdigit())]
        raise FaithlensError(f"Line {line} of {str(path)!r} mixes a numeric label with label names. Use one kind.")
    return _named(values, lines, names, path)


def _named(values: Sequence[str], lines: Sequence[int], names: Sequence[str] | None,
           path: Path) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Class indices of label names: matched ignoring case against ``names``, else against the sorted names found."""
    if not names:
        _check_case_clash(values, lines, path)
    known = list(names) if names else sorted(set(values))
    lowered = {n.lower(): i for i, n in enumerate(known)}
    out = []
    for v, line in zip(values, lines):
        if v.lower() not in lowered:
            raise FaithlensError(f"Line {line} of {str(path)!r} has label {v!r}, which is not one of {known}. "
                                 "Fix the label or pass the label names in order (--labels).")
        out.append(lowered[v.lower()])
    return tuple(out), tuple(known)


PREFIXES = ("index", "label")


def _prefix(value) -> tuple[str | None, str]:
    """("index", "1") for a cell "index:1", ("label", "pos") for "Label:pos" (any case, as --target reads them)."""
    if isinstance(value, str):
        head, colon, rest = value.partition(":")
        if colon and head.strip().lower() in PREFIXES:
            return head.strip().lower(), rest.strip()
    return None, value


def _unprefixed(values: Sequence, lines: Sequence[int], path: Path) -> list:
    """Cells with their prefixes read: "index:N" → the int N, "label:NAME" → NAME; one kind per file (a plain digit
    may sit beside "index:" cells, both being indices)."""
    out, kinds = [], {}
    for v, line in zip(values, lines):
        kind, rest = _prefix(v)
        plain_index = kind is None and (isinstance(v, int) or (isinstance(v, str) and v.isdigit()))
        kinds.setdefault("index" if kind == "index" or plain_index else kind or "name", line)
        if kind == "index":
            if not rest.isdigit():
                raise FaithlensError(f"Line {line} of {str(path)!r} has label {v!r}: 'index:' takes a class index "
                                     f"(0, 1, ...). Got {rest!r}.")
            rest = int(rest)
        out.append(rest)
    if len(kinds) > 1:
        line = max(kinds.values())
        raise FaithlensError(f"Line {line} of {str(path)!r} mixes label kinds ({' and '.join(sorted(kinds))}): write "
                             "every label as index:N (a class index) or every one as label:NAME (a class name).")
    return out


def digit_label_values(raw: Sequence) -> tuple[int, ...]:
    """The class indices that a data file wrote as plain digit strings ("1", not the JSON number 1 and not
    "index:1"): those a model whose label names are numbers could also read as names (`check_digit_labels`)."""
    return tuple(sorted({int(v.strip()) for v in raw if isinstance(v, str) and v.strip().isdigit()}))


def check_digit_labels(digits: Sequence[int], labels: Sequence[str], *, source: str, owner: str) -> dict[int, int]:
    """The rule of `faithlens.targets.resolve_target` for gold labels written as plain digits, against the label
    names ``labels`` (a model's, or ``label_names=``): a digit that names one class and indexes another (labels
    ``("1", "0")``: "1" names class 0, indexes class 1) is refused with both readings named, before any model pass;
    where the readings agree (``("0", "1")``) or no label name is that number, it stays the index; where only the
    name reading exists (labels ``("1", "2")``: "2" indexes no class) it is the name. Returns {index read: class}
    for the digits that change. Raises FaithlensError."""
    moved = {}
    for value in digits:
        by_name = label_index(labels, str(value))
        by_name = by_name if by_name is not None else _label_by_value(labels, value)
        if by_name is None or by_name == value:
            continue
        if value < len(labels):
            name = labels[by_name]
            raise FaithlensError(
                f"The gold label {str(value)!r} in {source} is ambiguous against {owner} "
                f"({', '.join(map(repr, labels))}), which are numbers too: "
                f"it is the label name {name!r} (class {by_name}) and the class index {value} (label "
                f"{labels[value]!r}). Write the file's gold labels as label:NAME (label:{name} for class {by_name}) or "
                f"as index:N (index:{value} for class {value}), as --target reads them; in a .jsonl a JSON number "
                "(1, not \"1\") is a class index.")
        moved[value] = by_name
    return moved


def _check_case_clash(values: Sequence[str], lines: Sequence[int], path: Path) -> None:
    """Label names that differ only in case ('pos' and 'POS'): with no names given, each spelling would become a class
    of its own, so one class would have no example. Refused naming both spellings and their lines."""
    first: dict[str, tuple[str, int]] = {}
    for v, line in zip(values, lines):
        seen = first.setdefault(v.lower(), (v, line))
        if seen[0] != v:
            spellings = sorted({u for u in values if u.lower() == v.lower()})
            raise FaithlensError(
                f"{str(path)!r} spells one label in different cases: {seen[0]!r} (line {seen[1]}) and {v!r} (line "
                f"{line}). Label names are matched ignoring case only against given names; without them each spelling "
                f"({', '.join(map(repr, spellings))}) would be a class of its own. Write the label one way in the file, "
                "or pass the class names in index order, which match any case: --labels NAME ... (label_names=[...] "
                "in Python).")


def reads_as_number(text: str) -> bool:
    """Whether a string reads as a number to Python's float ('1', '1.0', '-1', '1e3', 'nan')."""
    try:
        float(text)
    except ValueError:
        return False
    return True


# --- label names read as --target reads them (faithlens.targets) --------------------------------------------

def _int_reading(text: str) -> int | None:
    """The int a str reads as ("1", " 01", "-2", a full-width "１": decimal digits, str.isdecimal), else None."""
    digits = text.strip()
    return int(digits) if digits.removeprefix("-").isdecimal() else None


# A label name written as a decimal number: "1.0", "+1", "-2.50", "1e0" (ASCII; full-width digits: `_int_reading`).
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _number_reading(text: str) -> float | None:
    """The number a label name reads as ("1", "01", "１", "1.0", "+1", "1e0"), else None."""
    whole = _int_reading(text)
    if whole is not None:
        return whole
    digits = text.strip()
    return float(digits) if _NUMBER.fullmatch(digits) else None


def _label_by_value(labels: Sequence[str], value: int) -> int | None:
    """The one class whose label name reads as the same number as the int `value` ("1", "1.0" or "+1" for 1),
    else None."""
    matches = [i for i, label in enumerate(labels) if _number_reading(label) == value]
    return matches[0] if len(matches) == 1 else None


def label_index(labels: Sequence[str], name: str) -> int | None:
    """The index of a label name: exact, else the only match ignoring case and surrounding spaces. A name
    that several classes carry (a config whose id2label repeats a name) is refused with every index named."""
    exact = [i for i, label in enumerate(labels) if label == name]
    lowered = [label.strip().lower() for label in labels]
    wanted = name.strip().lower()
    matches = exact or [i for i, label in enumerate(lowered) if label == wanted]
    if len(matches) > 1:
        spellings = [labels[i] for i in matches]
        named = f"are both named {spellings[0]!r}" if len(set(spellings)) == 1 else \
            f"are named {' and '.join(map(repr, spellings))}, the same ignoring case and spaces,"
        raise FaithlensError(f"Label {name!r} is ambiguous: classes {' and '.join(map(str, matches))} {named} in the "
                             f"model's config (id2label). Name the class by its index, e.g. index:{matches[0]} (an int "
                             f"in Python), or fix id2label.")
    return matches[0] if matches else None
