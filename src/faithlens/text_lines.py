"""Texts one per line: ``explain --file``'s plain files and standard input (`items_from_lines`), and a plain .txt read
for its texts only by a command that reads no gold labels (`read_lines`, `data.read_file` with ``labels=False``).
A line is a text, or a pair ``TEXT_A<tab>TEXT_B``; a header, a gold-label column and a mix of texts and pairs are
refused naming the lines."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from pathlib import Path

from .dataset import Item
from .errors import FaithlensError
from .gold_labels import reads_as_number
from .headers import check_header_first, looks_like_header
from .line_endings import file_text


def items_from_lines(lines: Sequence[str], *, source: str, labels: Sequence[str] | None = None,
                     gold_labels: bool = True, split: Callable[[str], list[str]] | None = None) -> list[Item]:
    """Texts to explain, one per line: a line is a text, or a pair ``TEXT_A<tab>TEXT_B`` (one tab).

    Lines end at ``\n``; the ``\r`` of ``\r\n`` is dropped and a lone ``\r`` stays inside its text (the caller
    reads files with ``newline=""``, so a file and standard input split alike, and splits a text of old Mac line
    endings at its ``\r`` first: `old_mac_lines`). Blank lines are skipped. A line with
    two or more tabs (a third column such as a gold label) and a first line of column names (`looks_like_header`:
    ``premise<tab>hypothesis``, ``question1<tab>question2``, ``text``) are errors naming the line,
    never model input: a label glued into the second text would be explained like any word. Labelled
    files belong to ``faithlens evaluate --data``, which reads columns by name. A file that mixes
    single texts and pairs is an error naming the lines of each.

    A second column that looks like gold labels is refused, never read as the second text: a bare number on
    any line, or, on every pair line, (``labels``: a classifier's label names) a label name or its first
    letters, ignoring case (``positive``, ``Neg``). A second column is read as the pair's second text otherwise.
    These gold-label checks are a classifier's: ``gold_labels=False`` skips them, for a QA model's contexts
    ("What year?<tab>1999") and before the model's task is known (the CLI checks again once it is loaded).
    ``split``: a line -> its fields (default: at its tabs; a headerless .tsv passes `columns.headerless_tsv_splitter`).
    """
    from .encoding import check_text

    items: list[Item] = []
    numbers: list[int] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        fields = split(line) if split else line.split("\t")
        if not items and len(fields) > 2 and looks_like_header(fields, spaced=True):  # sentence<tab>label<tab>Annotator
            raise FaithlensError(
                f"Line {number} of {source} looks like a header of column names ({', '.join(f.strip() for f in fields)}), "
                "not a text: a line here is one text, or the two texts of a pair separated by one tab. Pass the file "
                "itself to --file (a first line of column names is read by columns, as `faithlens evaluate --data` "
                "reads it), or remove the header line and the further columns.")
        if len(fields) > 2:
            raise FaithlensError(
                f"Line {number} of {source} holds {len(fields) - 1} tabs ({len(fields)} columns); a line is one text, or "
                "the two texts of a pair separated by one tab. A further column (a gold label?) would be explained as "
                "part of the second text. Keep two columns, or give the labelled file to `faithlens evaluate --data`.")
        if not items and looks_like_header(fields, spaced=len(fields) > 1):  # 'text', 'premise<tab>hypothesis'
            shown = ", ".join(f.strip() for f in fields)
            raise FaithlensError(
                f"Line {number} of {source} looks like a header ({shown}): "
                f"{'every field is' if len(fields) > 1 else 'it is'} a column name, not a text. Remove the header line: "
                f"every line is explained. If it really is {'a pair of texts' if len(fields) == 2 else 'a text'} to "
                "explain, put another line first (only the first line is read as a possible header), or pass it as "
                "an argument: faithlens explain "
                + ("--pair " + " ".join(shlex.quote(f.strip()) for f in fields) if len(fields) == 2 else shlex.quote(shown))
                + ".")
        if len(fields) == 2 and not (fields[0].strip() and fields[1].strip()):
            raise FaithlensError(f"Line {number} of {source} is a pair with an empty "
                                 f"{'first' if not fields[0].strip() else 'second'} text (a stray tab?). Give both texts, "
                                 "or remove the tab.")
        for k, field in enumerate(fields):  # only zero-width or control characters: named by its line, not its index
            check_text(field, f"Line {number} of {source}" + ("" if len(fields) == 1 else f" (its {('first', 'second')[k]} text)"))
        items.append((fields[0], fields[1]) if len(fields) == 2 else fields[0])
        numbers.append(number)
    pairs = [n for n, item in zip(numbers, items) if isinstance(item, tuple)]
    singles = [n for n, item in zip(numbers, items) if not isinstance(item, tuple)]
    if pairs and singles:
        raise FaithlensError(
            f"{source[0].upper()}{source[1:]} holds both single texts and pairs: {_lines(singles)} "
            f"{'is a single text' if len(singles) == 1 else 'are single texts'} and {_lines(pairs)} "
            f"{'is a pair' if len(pairs) == 1 else 'are pairs'} (TEXT_A<tab>TEXT_B). Explain them in separate runs, or "
            "remove the stray tabs.")
    seconds = [item[1].strip() for item in items if isinstance(item, tuple)]
    if not gold_labels:
        return items
    if seconds and all(reads_as_number(b) for b in seconds):
        raise FaithlensError(
            f"Every line of {source} is TEXT<tab>NUMBER ({seconds[0]!r} first): the second column looks like gold labels, "
            "not the second text of a pair. Remove the column to explain the texts, or give the labelled file to "
            "`faithlens evaluate --data`.")
    if seconds and labels and all(reads_as_number(b) or _label_like(b, labels) for b in seconds):
        raise FaithlensError(
            f"Every line of {source} is TEXT<tab>LABEL ({seconds[0]!r} on line {pairs[0]}): the second column holds this "
            f"model's label names ({', '.join(labels)}) or numbers, so it looks like gold labels, not the second text of "
            "a pair. Remove the column to explain the texts (pass --target LABEL to explain one class), or give the "
            "labelled file to `faithlens evaluate --data`.")
    numeric = [(n, b) for n, b in zip(pairs, seconds) if reads_as_number(b)]
    if numeric:  # a bare number is no hypothesis or context: a gold label left on some lines
        raise FaithlensError(
            f"{_lines([n for n, _ in numeric]).capitalize()} of {source} {'is' if len(numeric) == 1 else 'are'} "
            f"TEXT<tab>NUMBER ({numeric[0][1]!r} on line {numeric[0][0]}): a bare number looks like a gold label, not the "
            "second text of a pair. Remove the number (and its tab) to explain the text, or give labelled data to "
            "`faithlens evaluate --data`.")
    return items


def _label_like(value: str, labels: Sequence[str]) -> bool:
    """A label name, or its first three or more letters, ignoring case ('Positive', 'neg' for 'negative')."""
    word = value.strip().lower()
    return any(word == label.strip().lower() or (len(word) >= 3 and label.strip().lower().startswith(word))
               for label in labels)


def _lines(numbers: Sequence[int]) -> str:
    shown = ", ".join(map(str, numbers[:5])) + (f" and {len(numbers) - 5} more" if len(numbers) > 5 else "")
    return f"line{'s' * (len(numbers) > 1)} {shown}"


def read_lines(path: Path, *, kind: str, choose):
    """(item, no label, line) of each non-blank line of a plain text file read for its texts only: a text, or a pair
    TEXT_A<tab>TEXT_B, as ``explain --file`` reads it (`items_from_lines`, with its header rules): `data.read_file`'s reader of a .txt
    whose labels are not read."""
    lines = file_text(path).split("\n")
    check_header_first(lines, repr(str(path)))
    items = items_from_lines(lines, source=repr(str(path)), gold_labels=False)
    numbers = [n for n, line in enumerate(lines, start=1) if line.strip()]
    return [(item, None, n) for item, n in zip(items, numbers)], {"text_column": None, "label_column": None}
