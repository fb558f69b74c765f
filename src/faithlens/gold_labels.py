"""Gold labels from the cells of a data file, one rule for every reader: a whole number is a class index (GLUE's 0/1
columns), a word is a class name (matched ignoring case against the given names, else the sorted names found), and
any other number is refused — never read as a name."""

from __future__ import annotations

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
    for v, line in zip(values, lines):
        if isinstance(v, bool) or not isinstance(v, (int, str)) or (isinstance(v, int) and v < 0) or _numeric(v):
            raise FaithlensError(f"Line {line} of {str(path)!r} has label {v!r}, a number that is not a class index; "
                                 "labels must be class indices (0, 1, ...) or class names that are words (a number is "
                                 "never read as a name). Rewrite the labels as class indices (e.g. -1 → 0, 1 → 1) or as "
                                 "words.")
    if all(isinstance(v, int) or v.isdigit() for v in values):
        return tuple(int(v) for v in values), (tuple(names) if names else None)
    if any(isinstance(v, int) or v.isdigit() for v in values):
        line = lines[next(i for i, v in enumerate(values) if isinstance(v, int) or v.isdigit())]
        raise FaithlensError(f"Line {line} of {str(path)!r} mixes a numeric label with label names. Use one kind.")
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
                "or pass the class names in index order (--labels NAME ...; label_names=[...] in Python), which match "
                "any case.")


def reads_as_number(text: str) -> bool:
    """Whether a string reads as a number to Python's float ('1', '1.0', '-1', '1e3', 'nan')."""
    try:
        float(text)
    except ValueError:
        return False
    return True
