"""Gold labels from the cells of a data file, read by the one rule of `faithlens.label_reading.read_class` (the rule of
--target, ``target=`` and the web app).

With label names known (--labels, ``label_names=``) every cell is read by that rule at once. Without them (a file
read before its model is loaded) the reading waits for the model's label names (`faithlens.dataset.by_model_labels`):
a whole number in any spelling ("1", "01", "1.0") is a class index for now, a word a class name (matched ignoring
case against the sorted names found), and another number ("-1", "0.5", "nan") a spelling kept as it is; the
spellings are read against the model's labels when it is known. A JSON number is a class index (never negative), and
a JSON boolean, a number with a fraction, a list or an object is never a label. "index:N" and "label:NAME" cells say
which, as --target reads them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .errors import FaithlensError
from .label_reading import MINUS_ONE, Asker, describe, name_reading, number_reading, overflows, read_class, whole_reading

GIVEN = "the label names given (--labels; label_names= in Python)"


def check_label_names(names: object, *, option: str = "'label_names' parameter") -> tuple[str, ...] | None:
    """Label names given in class order (``label_names=`` of `load_dataset`/`read_file`; --labels): None, or a list or
    tuple of distinct non-empty str, distinct also ignoring case (gold labels match them ignoring case). A set or dict
    has no order of its own (a set's changes from one run to the next), a str would be read letter by letter: refused,
    before the file is read. Returns the names as a tuple."""
    if names is None:
        return None
    example = "e.g. ['negative', 'positive']"
    if not isinstance(names, (list, tuple)):
        why = (" (a set has no order: its order changes from one run to the next)" if isinstance(names, (set, frozenset))
               else " (a str would be read letter by letter)" if isinstance(names, str) else "")
        raise FaithlensError(f"The {option} must be a list of label names in class order (class 0 first), {example}. "
                             f"Got {type(names).__name__} {names!r:.60}{why}.")
    bad = [n for n in names if not isinstance(n, str) or not n.strip()]
    if bad or not names:
        got = f"{bad[0]!r:.40} ({type(bad[0]).__name__})" if bad else "no names"
        raise FaithlensError(f"The {option} must list label names as non-empty str in class order, {example}. "
                             f"Got {got} in {names!r:.60}.")
    seen: dict[str, str] = {}
    for n in names:
        if n.strip().lower() in seen:
            raise FaithlensError(f"The {option} names one class twice: {seen[n.strip().lower()]!r} and {n!r} (names "
                                 f"are matched ignoring case). List each class once, in class order, {example}.")
        seen[n.strip().lower()] = n
    return tuple(names)


def index_labels(raw: Sequence, lines: Sequence[int], names: Sequence[str] | None,
                 path: Path) -> tuple[tuple[int | None, ...], tuple[str, ...] | None, dict]:
    """(class indices, label names, info for `faithlens.dataset.by_model_labels`) from raw label cells (ints, digit
    strings or names); every row or none has a label."""
    present = [v is not None and v != "" for v in raw]
    if any(present) and not all(present):
        line = lines[present.index(False)]
        raise FaithlensError(f"Line {line} of {str(path)!r} has no label, but other lines do. Give every line a label "
                             "or none.")
    if not any(present):
        return tuple(None for _ in raw), None, {}
    values = [v.strip() if isinstance(v, str) else v for v in raw]
    for v, line in zip(values, lines):  # never a label on any model: refused before any names are needed
        if isinstance(v, bool) or not isinstance(v, (int, str)) or (isinstance(v, int) and v < 0):
            raise Asker(source=repr(str(path)), line=line).unknown(v, f"is {describe(v)}", names)
        parts = v.split(",") if isinstance(v, str) else []
        if len(parts) > 1 and all(p.strip().isdigit() for p in parts):  # "1,0,1" multi-hot, "0,2" indices
            raise FaithlensError(f"Line {line} of {str(path)!r} has the label {v!r}, a list of numbers (a multi-hot vector "
                                 "or several class indices), not one class: a gold label is one class per example, and "
                                 "read as a name it would make a class of its own. Give each example one class index or "
                                 "label name, or drop the label column.")
    kinds = {_prefix(v)[0] for v in values} - {None}
    unprefixed = _unprefixed(values, lines, path) if kinds else values  # one kind per file
    if kinds and not names:
        if kinds == {"label"}:
            return _named(unprefixed, lines, None, path)
        values = unprefixed
    sorts = [_sort(v) for v in unprefixed]
    if "word" in sorts and {"index", "number"} & set(sorts) and kinds != {"label"}:
        number, word = (next(i for i, k in enumerate(sorts) if (k == "word") == want) for want in (False, True))
        raise FaithlensError(f"{str(path)!r} mixes a numeric label with label names: line {lines[number]} has "
                             f"{unprefixed[number]!r}, line {lines[word]} has {unprefixed[word]!r}. Use one kind.")
    if names and not kinds and set(sorts) == {"word"}:  # words: names only, ignoring case (as the rule reads them)
        return _named(values, lines, names, path)
    if names:  # the --target rule, cell by cell, against the given names
        return tuple(read_class(names, v, asker=Asker(source=repr(str(path)), line=line, owner=GIVEN))
                     for v, line in zip(values, lines)), tuple(names), {}
    if "word" in sorts:
        return _named(values, lines, None, path)
    spelled = _first_lines(values, lines)
    if "number" not in sorts:  # whole numbers: class indices, unless the model's names read them otherwise
        return tuple(v if isinstance(v, int) else whole_reading(v) for v in values), None, \
            ({"digit_labels": spelled} if spelled else {})
    shown = [f"index:{v}" if isinstance(v, int) else v for v in values]  # a JSON number stays a class index
    found = sorted(set(shown))
    return tuple(found.index(v) for v in shown), tuple(found), {"number_labels": _first_lines(shown, lines)}


def _sort(value: str | int) -> str:
    """"index" (a whole number 0 or more, in any spelling, or a JSON number), "number" (another number, or what
    Python's float reads: "-1", "0.5", "nan") or "word"."""
    if isinstance(value, int):
        return "index"
    whole = whole_reading(value)
    if whole is not None and whole >= 0:
        return "index"
    return "number" if number_reading(value) is not None or reads_as_number(value) else "word"


def _first_lines(values: Sequence, lines: Sequence[int]) -> dict[str, int]:
    """{spelling: its first line} of the str cells."""
    first: dict[str, int] = {}
    for v, line in zip(values, lines):
        if isinstance(v, str):
            first.setdefault(v, line)
    return first


def read_spellings(spellings: dict[str, int], labels: Sequence[str], *, source: str,
                   owner: str = "the model's label names") -> dict[str, int]:
    """{spelling: class} for the gold labels of a file (``{spelling: first line}``) against ``labels``, each read by
    `read_class`, the rule of --target. Raises FaithlensError naming the first spelling that reads no class or two."""
    return {v: read_class(labels, v, asker=Asker(source=source, line=line, owner=owner)) for v, line in spellings.items()}


def moved_indices(spellings: dict[str, int], labels: Sequence[str], *, source: str) -> dict[int, int]:
    """{index read for now: class} for whole-number spellings ("1", "01", "1.0") against the model's ``labels``; two
    spellings of one number that the labels read as different classes are refused naming both."""
    past = {v for v in spellings if whole_reading(v) >= len(labels) and name_reading(labels, v) is None}
    classes = read_spellings({v: n for v, n in spellings.items() if v not in past}, labels, source=source)
    moved: dict[int, int] = {}  # an index past the classes stays: evaluate's range check names every such label
    for v, c in classes.items():
        whole = whole_reading(v)
        if moved.setdefault(whole, c) != c:
            other = next(u for u in classes if whole_reading(u) == whole and classes[u] != c)
            raise FaithlensError(f"The gold labels {other!r} and {v!r} of {source} are one number but name different "
                                 f"classes ({moved[whole]} and {c}) of {', '.join(map(repr, labels))}. Write them one "
                                 "way, as label:NAME or index:N.")
    return moved


def check_base_reading(labels: Sequence[str], *, spellings: dict[str, int], names: Sequence[str] | None, source: str,
                       base: str) -> None:
    """The gold labels train reads without --labels, against the label names of the --base classifier whose head it
    keeps (``labels``, as many as the data's classes): class i of the data trains the head's output i. Refused, both
    readings named, when that gives an example another class than its label names on the base:

    - a whole number (``spellings``: {spelling: first line}, read as a class index) that is a base label's name at
      another index ("1" on labels ('1', '0'): class 0 by name, class 1 by index; `read_class`'s two readings);
    - label names (``names``: read in sorted order, or --labels when ``source`` is "--labels") that are the base's
      names in another order."""
    for value, line in spellings.items():
        by_name, index = name_reading(labels, value), whole_reading(value)
        if by_name is not None and index is not None and by_name != index:
            raise FaithlensError(
                f"The gold label {value!r} (line {line} of {source}) reads two ways against the label names of --base "
                f"{base!r} ({', '.join(map(repr, labels))}), whose classification head train keeps: it is the base's "
                f"label name {value!r} (class {by_name}) and the class index {index} (the base's label "
                f"{labels[index]!r}). Read as an index, training would teach the head's class {index} what the base "
                f"calls class {by_name}. Write the labels as the base's class indices, index:N (index:{by_name} for "
                f"its label {value!r}, index:{index} for its label {labels[index]!r}).")
    if names is not None and sorted(names) == sorted(labels) and list(names) != list(labels):
        fix = ("Write the labels as the base's class indices, index:N (index:0 for its label "
               f"{labels[0]!r})." if any(whole_reading(n) is not None for n in labels) else
               f"Pass --labels in the base's order ({' '.join(labels)}) so that each name keeps its class.")
        what = (f"--labels {' '.join(names)} names the classes of --base {base!r}" if source == "--labels" else
                f"The gold labels of {source} are the label names of --base {base!r}")
        order = "" if source == "--labels" else f" read in sorted order ({', '.join(map(repr, names))}),"
        first = next(i for i, n in enumerate(names) if n != labels[i])  # the first class that would move
        raise FaithlensError(
            f"{what}, whose classification head train keeps, in another order:{order} class {first} would be "
            f"{names[first]!r}, which the base calls class {list(labels).index(names[first])}. {fix}")
    if names is None:
        return
    moved = [(i, n) for i, n in enumerate(names) if n in labels and list(labels).index(n) != i]
    if moved:
        i, n = moved[0]
        raise FaithlensError(
            f"{'--labels' if source == '--labels' else 'The gold labels of ' + source} name class {i} {n!r}, which --base "
            f"{base!r} calls class {list(labels).index(n)} (its labels: {', '.join(map(repr, labels))}); train keeps the "
            f"base's classification head, so its class {list(labels).index(n)} would be taught another class. Give the "
            f"classes the base's order for the names it has, or train from an encoder without a head.")
    renamed = [f"{a!r} → {b!r}" for a, b in zip(labels, names) if a != b]
    if renamed:
        import warnings

        from .errors import FaithlensWarning

        warnings.warn(f"train keeps the classification head of --base {base!r} and trains it further under new names "
                      f"({', '.join(renamed)}): each output starts from what the base learned for its old class. "
                      "To start from a fresh head, use a base without one (a plain encoder).", FaithlensWarning,
                      stacklevel=2)


def refuse_number_names(info: dict, source: str) -> None:
    """A file whose gold labels are numbers but not class indices ("-1", "0.5", "nan"), read with no label names to
    read them against (training a new model from its labels): refused naming the first such cell."""
    numbers = info.get("number_labels")
    if not numbers:
        return
    cell, line = min(((v, n) for v, n in numbers.items() if _sort(v) == "number"), key=lambda x: x[1])
    what = ("which is too large to be a class index (it reads as infinity)" if overflows(cell) else
            "which is not a label (it reads as not-a-number or infinity, as a missing value may)"
            if number_reading(cell) is None else "a number that is not a class index")
    fix = ("Rewrite the labels as class indices (e.g. -1 → 0, 1 → 1) or as words." if cell.strip() not in ("-1", "-1.0")
           else MINUS_ONE)
    raise FaithlensError(f"Line {line} of {source!r} has label {cell!r}, {what}; labels must be class indices "
                         "(0, 1, ...) or class names that are words (a negative number or a fraction is never read as "
                         f"an index). {fix}")


def _named(values: Sequence[str], lines: Sequence[int], names: Sequence[str] | None,
           path: Path) -> tuple[tuple[int, ...], tuple[str, ...], dict]:
    """Class indices of label names: matched ignoring case against ``names``, else against the sorted names found
    (``named_labels``: read against the model's names by `faithlens.dataset.by_model_labels`)."""
    clash = None if names else case_clash(values, lines, path)
    if clash:  # one class, spelled twice: read as its first spelling (a model's names match any case; train refuses)
        first = {}
        for v in values:
            first.setdefault(v.lower(), v)
        values = [first[v.lower()] for v in values]
    known = list(names) if names else sorted(set(values))
    lowered = {n.lower(): i for i, n in enumerate(known)}
    out = []
    for v, line in zip(values, lines):
        if v.lower() not in lowered:  # only with names given: the accepted spellings, as --target's rule names them
            raise Asker(source=repr(str(path)), line=line).unknown(
                v, "is none of the label names (matched ignoring case)", names)
        out.append(lowered[v.lower()])
    return tuple(out), tuple(known), ({} if names else {"named_labels": True, **({"case_clash": clash} if clash else {})})


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
        plain_index = kind is None and _sort(v) == "index"
        kinds.setdefault("index" if kind == "index" or plain_index else kind or "name", line)
        if kind == "index":
            whole = whole_reading(rest)
            if whole is None or whole < 0:
                raise FaithlensError(f"Line {line} of {str(path)!r} has label {v!r}: 'index:' takes a class index "
                                     f"(0, 1, ...; a whole number, never negative). Got {rest!r}.")
            rest = whole
        out.append(rest)
    if len(kinds) > 1:
        line = max(kinds.values())
        raise FaithlensError(f"Line {line} of {str(path)!r} mixes label kinds ({' and '.join(sorted(kinds))}): write "
                             "every label as index:N (a class index) or every one as label:NAME (a class name).")
    return out


def case_clash(values: Sequence[str], lines: Sequence[int], path: Path) -> str | None:
    """Label names that differ only in case ('pos' and 'POS'), read with no names given: the refusal `refuse_case_clash`
    gives where no names will come (a new model's classes would be ambiguous), naming both spellings and their lines;
    None when every label is spelled one way. Read against a model's names (evaluate), any case matches."""
    first: dict[str, tuple[str, int]] = {}
    for v, line in zip(values, lines):
        seen = first.setdefault(v.lower(), (v, line))
        if seen[0] != v:
            spellings = sorted({u for u in values if u.lower() == v.lower()})
            return (f"{str(path)!r} spells one label in different cases: {seen[0]!r} (line {seen[1]}) and {v!r} (line "
                    f"{line}). Label names are matched ignoring case only against given names; without them each "
                    f"spelling ({', '.join(map(repr, spellings))}) would be a class of its own. Write the label one way "
                    "in the file, or pass the class names in index order, which match any case: --labels NAME ... "
                    "(label_names=[...] in Python).")
    return None


def refuse_case_clash(info: dict) -> None:
    """Refuse a file read with no label names whose labels spell one class in different cases (`case_clash`)."""
    if info.get("case_clash"):
        raise FaithlensError(info["case_clash"])


def reads_as_number(text: str) -> bool:
    """Whether a string reads as a number to Python's float ('1', '1.0', '-1', '1e3', 'nan')."""
    try:
        float(text)
    except ValueError:
        return False
    return True
