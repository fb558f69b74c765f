"""How a value reads against a classifier's label names: a class index, a label name, or an ``index:``/``label:``
prefixed str. One rule, `read_class`, for every surface: the Python API's ``target=``/``contrast=``, the CLI's
``--target``/``--contrast``, the web app (all three through `faithlens.targets.resolve_target`) and the gold labels of
data files (`faithlens.gold_labels`). A value that reads two ways on the labels at hand (a label named ``"1"`` that is
class 0; a label literally named ``"index:1"``) is refused with both readings named and how to write each."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import FaithlensError, quoted


MINUS_ONE = ("Hugging Face datasets (SNLI, MNLI, ...) write -1 for an example that has no gold label: drop those "
             "examples first, e.g. ds.filter(lambda x: x['label'] != -1) before saving the file; if -1 and 1 are the two "
             "classes, rewrite them as 0 and 1 or as words.")  # what a gold label -1 may mean, and the fix of each


@dataclass(frozen=True)
class Asker:
    """Who asks which class a value names, for the words of a refusal: a target or contrast (``model``: the model's
    name) or a data file's gold label (``source``: the file, ``line``: its line, ``owner``: whose label names)."""

    role: str = "target"
    model: str | None = None
    source: str | None = None
    line: int | None = None
    owner: str = "the model's label names"

    @property
    def gold(self) -> bool:
        return self.source is not None

    def subject(self, value: object) -> str:
        shown = (str(value).lower() if isinstance(value, bool) else quoted(value) if isinstance(value, str)
                 else repr(value))  # JSON's true, not Python's True; a long text cut (`errors.quoted`)
        if self.gold:
            where = f"line {self.line} of {self.source}" if self.line is not None else self.source
            return f"The gold label {shown} ({where})"
        return f"{self.role.capitalize()} {shown}"

    def choices(self, labels: Sequence[str] | None) -> str:
        if not labels:  # a data file read before any label names are known
            return ("Accepted gold labels: class indices (0, 1, ...; a JSON number in a .jsonl is one) or label names; "
                    "write index:N or label:NAME to say which.")
        last = len(labels) - 1
        if self.gold:
            return (f"Accepted gold labels: the label names {', '.join(map(repr, labels))} (label:NAME picks a name) or a "
                    f"class index 0..{last} (index:N, or a JSON number in a .jsonl).")
        return (f"Valid choices: {', '.join(labels)} or an index 0..{last} ({self.role}= in Python, --{self.role} on the "
                "command line).")

    def unknown(self, value: object, why: str, labels: Sequence[str] | None) -> FaithlensError:
        unlabelled = (" " + MINUS_ONE if self.gold and not isinstance(value, bool) and str(value).strip() in ("-1", "-1.0")
                      else "")
        return FaithlensError(f"{self.subject(value)} {why}. {self.choices(labels)}{unlabelled}")

    def out_of_range(self, value: object, index: int, labels: Sequence[str]) -> FaithlensError:
        if self.gold:
            return self.unknown(value, f"is the class index {index}, out of range: there are {len(labels)} classes",
                                labels)
        return FaithlensError(f"{self.role.capitalize()} index {index} is out of range: {self.model!r} has "
                              f"{len(labels)} classes (0..{len(labels) - 1}: {', '.join(labels)}).")

    def ambiguous(self, value: str, said: str, by_name: int, index: int, labels: Sequence[str]) -> FaithlensError:
        """Both readings of a bare value, named with the way to write each."""
        name = labels[by_name]
        both = f"it is {said} (class {by_name}) and the class index {index} (label {labels[index]!r})"
        if self.gold:
            return FaithlensError(
                f"{self.subject(value)} is ambiguous against {self.owner} ({', '.join(map(repr, labels))}), which are "
                f"numbers too: {both}. Write the file's gold labels as label:NAME (label:{name} for class {by_name}) or "
                f"as index:N (index:{index} for class {index}), as --target reads them; in a .jsonl a JSON number "
                "(1, not \"1\") is a class index.")
        return FaithlensError(f"{self.subject(value)} is ambiguous on {self.model!r}, whose label names are numbers too: "
                              f"{both}. Write label:{name} for the label, or index:{index} (an int in Python) for the "
                              "index.")

    def same_number(self, value: str, number: float | int, matches: Sequence[int], index: int | None,
                    labels: Sequence[str]) -> FaithlensError:
        """A value that several labels are by number (labels '01' and '1' for "+1"): every reading named with its
        class (each label's, and the class index's when the value is one), and an exact way to write each class."""
        named = " and ".join(f"{labels[i]!r} (class {i})" for i in matches)
        every = "both" if len(matches) == 2 else "all"
        said = f"it reads as the number {_plain(number)}, which the labels {named} {every} are"
        if index is not None:
            said += f", and as the class index {index} (label {labels[index]!r})"
        classes = sorted({*matches, *([] if index is None else [index])})
        ways = ", ".join(f"label:{labels[c]} or index:{c} for class {c}" for c in classes)
        if self.gold:
            return FaithlensError(f"{self.subject(value)} is ambiguous against {self.owner} "
                                  f"({', '.join(map(repr, labels))}): {said}. Write the file's gold labels as {ways}, "
                                  "as --target reads them.")
        on = f" on {self.model!r}" if self.model else ""
        return FaithlensError(f"{self.subject(value)} is ambiguous{on}: {said}. Write {ways} (an index may be an int in "
                              "Python).")


def read_class(labels: Sequence[str], value: str | int, *, asker: Asker = Asker()) -> int:
    """The class that ``value`` names among the classes called ``labels``. The one rule of every surface:

    - an ``int`` is a class index (``-1`` and others outside 0..C-1 are errors);
    - ``"index:N"`` is the index N and ``"label:NAME"`` the label NAME (prefixes in any case); ``label:`` reads a
      name as a bare value's name reading does (so ``label:1`` names a label ``"1.0"``); when a label is literally
      named so (``"index:1"``) and that is another class, it is refused with both named;
    - any other ``str`` has a name reading (`name_reading`: exact, else ignoring case, else the one label that is
      the same number, ``"1"`` for a label ``"1.0"``) and, when it is a whole number 0..C-1 in any spelling
      (``"1"``, ``"01"``, ``"+1"``, ``"１"``, ``"1.0"``: `whole_reading`), an index reading. Two readings of
      different classes are refused with both named (labels ``("1", "0")``: ``"1"`` names class 0 and indexes
      class 1); where they agree (labels ``("0", "1")``) or only one exists (labels ``("-1", "1")``: ``"-1"``, a
      negative number being never an index; ``("1", "2")``: ``"2"``), that one is the reading.

    ``asker`` says who asks (a target, a contrast, a gold label of a file), for messages. Raises FaithlensError.
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):  # a JSON cell; `resolve_target` says so for Python
        raise asker.unknown(value, f"is {describe(value)}", labels)
    if isinstance(value, int):
        if not 0 <= value < len(labels):
            raise asker.out_of_range(value, value, labels)
        return value
    prefix, colon, rest = value.partition(":")
    kind = prefix.strip().lower() if colon else ""
    if kind in ("index", "label"):
        return _prefixed(labels, value, kind, rest, asker)
    whole = whole_reading(value)
    index = whole if whole is not None and 0 <= whole < len(labels) else None
    by_name = name_reading(labels, value, asker, index=index)
    if by_name is not None and index is not None and by_name != index:  # the index of *another* label
        name = labels[by_name]
        same = name.strip().lower() == value.strip().lower()  # " 1" names the label "1" itself, not by value
        said = f"the label name {name!r}" if same else f"the label name {name!r} (read as the number {whole})"
        raise asker.ambiguous(value, said, by_name, index, labels)
    if by_name is not None:
        return by_name
    if index is not None:
        return index
    what = _what_it_is(value, whole, labels)
    if what is None and not asker.gold:
        raise FaithlensError(f"Unknown {asker.role} {quoted(value)}. {asker.choices(labels)}")
    raise asker.unknown(value, "names no class" + (f": {what}" if what else ""), labels)


def _prefixed(labels: Sequence[str], value: str, kind: str, rest: str, asker: Asker) -> int:
    """``index:N`` and ``label:NAME`` (the prefixes read ignoring case, like label names)."""
    literal = label_index(labels, value)  # a config may name a class "index:1" itself
    if kind == "index":
        whole = whole_reading(rest)
        if whole is None or whole < 0:
            if literal is not None:
                return literal
            raise FaithlensError(f"{asker.subject(value)}: 'index:' takes a class index 0..{len(labels) - 1} (a whole "
                                 f"number, never negative). Got {quoted(rest)}.")
        if not 0 <= whole < len(labels):
            raise asker.out_of_range(value, whole, labels)
        by_prefix = whole
        other = f"the plain number {whole}" if label_index(labels, rest.strip()) is None else \
            f"the int {whole} in Python"
    else:
        by_prefix = name_reading(labels, rest, asker, shown=value)
        if by_prefix is None:
            if literal is not None:
                return literal
            if asker.gold:
                raise asker.unknown(value, "names no label", labels)
            raise FaithlensError(f"Unknown label {quoted(rest)} in {asker.role} {quoted(value)}. Valid choices: "
                                 f"{', '.join(labels)} (exact names; a number also matches the one label that is the "
                                 "same number).")
        other = f"the name {rest.strip()!r} alone"
    if literal is not None and literal != by_prefix:
        name = labels[literal]  # the model's spelling ("index:1" when "Index:1" was given)
        raise FaithlensError(f"{asker.subject(value)} is ambiguous on {asker.model or asker.owner!r}: it is the label "
                             f"name {name!r} (class {literal}) and, read by its '{kind}:' prefix, class {by_prefix} "
                             f"({labels[by_prefix]!r}). Write label:{name} for the label named so, or {other} for class "
                             f"{by_prefix}.")
    return by_prefix


def name_reading(labels: Sequence[str], text: str, asker: Asker = Asker(), *, index: int | None = None,
                 shown: str | None = None) -> int | None:
    """The class a str names: exact, else ignoring case and spaces (`label_index`), else, for a number, the one label
    that is the same number ("01", "+1", "1.0" for a label "1"; "1" for a label "1.0"). A number that several labels
    are ("1" and "1.0") is refused naming them with their classes, and ``index``, the class its index reading names
    (a bare value's; None for "label:NAME" or a number that is no index), beside them (`Asker.same_number`);
    ``shown``: the value as given ("label:+1" for the name "+1"), for the refusal."""
    by_name = label_index(labels, text)
    if by_name is not None:
        return by_name
    value = number_reading(text)
    if value is None:
        return None
    matches = [i for i, label in enumerate(labels) if number_reading(label) == value]
    if len(matches) > 1:
        raise asker.same_number(text if shown is None else shown, value, matches, index, labels)
    return matches[0] if matches else None


def _what_it_is(value: str, whole: int | None, labels: Sequence[str]) -> str | None:
    """What a bare str that names no class is, when it is a number or reads as one ("nan is not a label")."""
    text = value.strip()
    if whole is not None and whole < 0:
        return (f"{text} is a negative number, never a class index (indices are 0..{len(labels) - 1}), and no label "
                f"is named {text}")
    if whole is not None:
        return f"the class index {whole} is out of range ({len(labels)} classes), and no label is named {text}"
    number = number_reading(value)
    if number is not None:
        return (f"{text} is not a whole number, so it is no class index, and no label is the number "
                f"{_plain(number)}")
    if overflows(text):
        return f"{text} is too large to be a class index (it reads as infinity), and no label is named {text}"
    if _is_float_word(text):
        return f"{text} is not a label (it reads as not-a-number or infinity, as a missing value may)"
    return None


def describe(value: object) -> str:
    """Why a data cell that is neither an int nor a str is no label: "a JSON boolean, not a label", ..."""
    if isinstance(value, bool):
        return "a JSON boolean, not a label"
    if isinstance(value, float):
        if math.isnan(value):
            return "a JSON NaN (not a number, as a missing value may be written), not a label"
        if math.isinf(value) and value < 0:
            return "a negative JSON number (it reads as minus infinity): a class index is never negative"
        if math.isinf(value) and overflows(getattr(value, "text", "1e400")):  # 1e400, not the word Infinity
            return "too large to be a class index (it reads as infinity)"
        if math.isinf(value):
            return "a JSON Infinity, not a label"
        if value != int(value):
            return "a JSON number that is not a whole number, so no class index (a JSON number is one)"
        return (f"a JSON number not written as a whole number: a class index is written {int(value)}, a label name "
                "as a string")
    if isinstance(value, int):
        return "a negative JSON number: a JSON number is a class index, and an index is never negative"
    if isinstance(value, (list, tuple)):
        return "a JSON list, not a label"
    if isinstance(value, dict):
        return "a JSON object, not a label"
    return f"a {type(value).__name__}, not a label"


def overflows(text: str) -> bool:
    """Whether a str is a number written in digits past float's range ('1e400'), which Python's float reads as
    infinity: a number too large to be a class index, unlike the words 'inf' and 'nan'."""
    return _is_float_word(text) and any(c.isdigit() for c in text)


def _is_float_word(text: str) -> bool:
    """'nan', 'inf', '-Infinity': what Python's float reads but no number of `number_reading`."""
    try:
        return not math.isfinite(float(text))
    except ValueError:
        return False


def _plain(number: float) -> str:
    return str(int(number)) if number == int(number) else repr(number)


# --- numbers in labels ---------------------------------------------------------------------------------------

# A number written in decimal: "1", "01", "+1", "-2.50", "1.0", "1e0" (ASCII; other decimal digits: `number_reading`).
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def number_reading(text: str) -> float | int | None:
    """The number a str reads as: an int for whole numbers written without a point ("1", " 01", "+1", "-2", a
    full-width "１": decimal digits, str.isdecimal), else a float ("1.0", "1e0", "2.5"); None for anything else
    ("nan", "inf", "1_0", words)."""
    digits = text.strip()
    if digits[:1] in "+-" and digits[1:].isdecimal() or digits.isdecimal():
        return int(digits)
    if not _NUMBER.fullmatch(digits):
        return None
    number = float(digits)
    return number if math.isfinite(number) else None


def whole_reading(text: str) -> int | None:
    """The whole number a str reads as, in any spelling ("1", "01", "+1", "１", "1.0", "1e0", "-1"), else None."""
    number = number_reading(text)
    return int(number) if number is not None and number == int(number) else None


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
