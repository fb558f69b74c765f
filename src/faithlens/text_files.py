"""Files of texts to explain (`explain --file`): a plain text file, one text per line (``TEXT_A<tab>TEXT_B`` for a
pair; `text_lines.items_from_lines`), or a data file read by columns with the data reader (`data.read_file`).

The one rule for which is which (`data_format`): a file whose name ends in ``.csv``, ``.jsonl`` or ``.json`` is a
data file; so is a file of any other name whose first non-blank line is a header of two or more fields
(`headers.is_header`: every field a column name by `headers.looks_like_header`, or an id column or pandas' unnamed
index, which may be empty: ``,text``), comma-separated (``premise,hypothesis,label``: CSV) or tab-separated
(``sentence<tab>label``, GLUE's .tsv files: TSV; tab-separated names may hold spaces, ``first sentence<tab>second
sentence``, and beside a known name a one-word name of any case, ``sentence<tab>label<tab>Annotator``:
`headers.header_format`, the rule by which `faithlens evaluate --data` reads a .txt's first line), or a JSON object
(JSON lines). Every other file is plain text, read line by line as before, so a file of ``TEXT_A<tab>TEXT_B`` pairs
without a header (even one named .tsv) stays one, while a file named .tsv whose first line is one column name
(``text``, ``sentence``: `headers.header_format`) is read by that column, as `faithlens evaluate --data` reads it;
but a first line that is such a header with another separator
(``text|label``, ``text;label``) is refused (`other_separator`), never explained as a text. A data file's texts come
from its text column, or its two pair columns (found by name as `faithlens evaluate --data` finds them, or named with
``text_column`` / ``pair_column``); a label column is not model input and is not read, so it is never glued into a
text.
"""

from __future__ import annotations

import csv
import io
import json
import shlex
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from .columns import SEPARATORS, check_separator, headerless_tsv_splitter, is_id, match, tsv_options
from .data import Item, items_from_lines, old_mac_lines
from .data import is_squad_file, read_file  # noqa: F401 (is_squad_file: public here too)
from .headers import HEADER_NAMES, check_header_first, header_format, is_header
from .label_text import is_label_text
from .errors import FaithlensError, FaithlensWarning

DATA_SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".json": "json"}  # not .tsv: a headerless .tsv of pairs is plain text


class TextFile(NamedTuple):
    items: list[Item]  # a text, or a (text, text) pair, per line or row
    lines: list[str] | None  # a plain file's lines (read again against a classifier's labels); None for a data file
    split: Callable[[str], list[str]] | None = None  # how `lines` split into fields (a headerless .tsv's CSV quoting)
    columns: tuple[str, ...] = ()  # a data file's column names (a causal LM's explain is told its target column is unread)


def data_format(path: Path, content: str) -> str | None:
    """"csv", "tsv", "jsonl" or "json" where the file (``content``: its text) is read by columns, "txt" where it is in
    the IMDB sample format (`label_text.is_label_text`), None where it is plain text: the name's suffix, else the first
    non-blank line (a CSV or TSV header of column names, or a JSON object)."""
    if path.suffix.lower() in DATA_SUFFIXES:
        return DATA_SUFFIXES[path.suffix.lower()]
    if is_label_text(path, content):  # the IMDB sample format ('0 TEXT' / '1 TEXT' lines), as evaluate reads it
        return "txt"
    first = next((line.rstrip("\r") for line in content.split("\n") if line.strip()), "")
    if first.lstrip().startswith("{"):
        try:
            if isinstance(json.loads(first), dict):
                return "jsonl"
        except json.JSONDecodeError:  # a text that starts with a brace
            pass
    if "\r" in first:  # a lone \r is inside a text: not a header
        return None
    return header_format(first, tsv=path.suffix.lower() == ".tsv")  # the data readers' header rule, split as they split it


def _named_header(content: str, *names: str | None) -> str | None:
    """"tsv" or "csv" where the first non-blank line, split by tabs or commas, holds every column name given (and at
    least two fields): the user named its columns, so it is their header even when its names are not ones faithlens
    knows (prompt<TAB>continuation). None otherwise."""
    given = [n for n in names if n is not None]
    first = next((line.rstrip("\r") for line in content.split("\n") if line.strip()), "")
    for sep, kind in (("\t", "tsv"), (",", "csv")):
        fields = [f.strip() for f in first.split(sep)]
        if given and len(fields) >= 2 and all(n in fields for n in given):
            return kind
    return None


def other_separator(content: str) -> str | None:
    """The separator (``|`` or ``;``) of a first line that is a header (`is_header`) joined by it rather than by a comma
    or tab: a file faithlens does not read by columns. None otherwise."""
    first = next((line.rstrip("\r") for line in content.split("\n") if line.strip()), "")
    return next((sep for sep in SEPARATORS if sep not in ",\t" and is_header(first.split(sep))), None)


def read_text_file(path: str | Path, *, source: str, text_column: str | None = None,
                   pair_column: str | None = None) -> TextFile:
    """The texts of ``path`` (an existing file), by `data_format`. ``source`` names the file in messages
    ("--file pairs.txt"). ``text_column`` / ``pair_column`` name a data file's columns; on a plain text file they are
    refused, since it has no columns."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:  # lines end at \n (or \r\n), as on standard input: a
            content = f.read()  # lone \r stays inside its text, never splits one line into two texts
    except UnicodeDecodeError as exc:
        raise FaithlensError(f"{source} is not UTF-8 text ({exc}). Save it as UTF-8, one text per line.") from exc
    content = old_mac_lines(content)  # lines ending in a lone \r only: split there, as the data reader splits them
    kind = data_format(path, content)
    sep = other_separator(content) if kind is None else None
    if sep is not None:
        first = next(line.strip() for line in content.split("\n") if line.strip())
        word = SEPARATORS[sep]
        raise FaithlensError(
            f"The first line of {source} is a header of column names joined by a {word} ({first}): faithlens reads "
            f"a file by columns when they are separated by commas (CSV) or tabs (TSV), not {word}s, and would explain "
            "the header and each row, every field included, as one text. Save it comma-separated (a header such as "
            f"{first.replace(sep, ',')}) or tab-separated, or keep one text per line without the header.")
    if kind is None:  # a first line holding the columns --text-column / --pair-column name is their header
        kind = _named_header(content, text_column, pair_column)
    if kind is None:
        check_header_first(content.split("\n"), source)  # a title above a header: as the data readers say it
        _refuse_space_header(content, source)
        given = [o for o, v in (("--text-column", text_column), ("--pair-column", pair_column)) if v is not None]
        if given:
            raise FaithlensError(
                f"{' and '.join(given)} name{'s' * (len(given) == 1)} a column of a CSV or JSON lines file; {source} is "
                "read as plain text, one text per line (TEXT_A<tab>TEXT_B for a pair): its name does not end in .csv, "
                ".jsonl or .json, and its first line is neither a header of column names (comma- or tab-separated) nor a "
                "JSON object. Drop "
                f"{' and '.join(given)}, or make its first line a header naming the columns (e.g. text<TAB>label).")
        lines = content.split("\n")
        split = headerless_tsv_splitter(lines) if path.suffix.lower() == ".tsv" else None  # as a CSV writer wrote it
        return TextFile(items_from_lines(lines, source=source, gold_labels=False, split=split), lines, split)
    if kind == "txt":
        return _label_text(path, source, text_column, pair_column)
    columns = _columns(kind, content)
    check_separator(columns, source=str(path))  # a header 'text;label' in a .csv: as the data reader refuses it
    for option, name in (("--text-column", text_column), ("--pair-column", pair_column)):
        if name is not None and columns and match(columns, name) is None:
            raise FaithlensError(f"{option} {name}: {source} has no column {name!r}. Valid choices: "
                                 f"{', '.join(map(str, columns))}.")
    data = read_file(path, format=kind, text_column=text_column, pair_column=pair_column, labels=False,
                     note=(source, "explain"))  # a column read neither as text nor as a gold label: said
    return TextFile(list(data.texts), None, columns=tuple(map(str, columns or ())))


def _label_text(path: Path, source: str, text_column: str | None, pair_column: str | None) -> TextFile:
    """The texts of a file in the IMDB sample format (`label_text.is_label_text`), read as `faithlens evaluate --data` reads
    it, without the gold label before each text, which is not model input; a warning says so."""
    given = [o for o, v in (("--text-column", text_column), ("--pair-column", pair_column)) if v is not None]
    if given:
        raise FaithlensError(
            f"{' and '.join(given)} name{'s' * (len(given) == 1)} a column of a CSV or JSON lines file; {source} is in "
            "the IMDB sample format ('LABEL TEXT' per line), which has no named columns. Drop "
            f"{' and '.join(given)}.")
    data = read_file(path, format="txt", labels=False)
    warnings.warn(f"{source} is in the IMDB sample format (every line is '0 TEXT' or '1 TEXT', as `faithlens evaluate "
                  "--data` reads it): explain reads the text after each line's first word, the gold label, which is not "
                  "explained. If that 0 or 1 is part of the text, save the file under a name not ending in .txt.",
                  FaithlensWarning, stacklevel=3)
    return TextFile(list(data.texts), None)


# First lines that are headers however their first letters are written (``Sentence label``); other space-separated
# column names are a header only when written as headers are (`_refuse_space_header`).
SPACE_HEADERS = {"sentence label", "text label", "premise hypothesis label"}


def _refuse_space_header(content: str, source: str) -> None:
    """A plain file's first line of two or more words, each a column name (`data.HEADER_NAMES`), written as a header
    is (all lower-case, all upper-case, every word capitalised: ``sentence label``, ``Premise Hypothesis``) or a known
    header in any case (`SPACE_HEADERS`), is a header whose tabs became spaces on a copy-paste: refused as a header
    separated by spaces, never explained as a text. A line written as a sentence begins (``First class``, ``Question
    answer``) is a text; a line with a tab is never such a header (`data_format` and the tab-separated rule read it)."""
    number, first = next(((i, line.strip()) for i, line in enumerate(content.split("\n"), 1) if line.strip()), (0, ""))
    words = first.split()
    if "\t" in first or len(words) < 2 or not all(w.casefold() in HEADER_NAMES for w in words):
        return
    header_case = (all(w.islower() for w in words) or all(w.isupper() for w in words)
                   or all(w.istitle() for w in words))
    if header_case or " ".join(words).casefold() in SPACE_HEADERS:
        raise FaithlensError(
            f"Line {number} of {source} ({first}) is a header of column names separated by spaces: faithlens reads a "
            "file by columns when they are separated by commas (CSV) or tabs (TSV), and would explain this line as a "
            f"text. Separate the names with a comma ({','.join(words)}) or a tab, or remove the header line to "
            "explain each line as one text. If it really is a text to explain, put another line first (only the "
            f"first line is read as a possible header), or pass it as an argument: faithlens explain "
            f"{shlex.quote(first)}.")


def _columns(kind: str, content: str) -> list[str]:
    """The column names of a data file: its CSV header, or every key of its JSON objects in the order first seen (as
    the data reader reads them, `columns.json_keys`); [] where there are none or the file does not parse (the data
    reader then says what is wrong)."""
    if kind in ("csv", "tsv"):
        try:
            rows = csv.reader(io.StringIO(content, newline=""), **(tsv_options(content) if kind == "tsv" else {}))
            return next((row for row in rows if any(field.strip() for field in row)), [])  # blank lines before it

        except csv.Error:
            return []
    records = None
    if kind == "json":  # a .json file: a list, SQuAD, or JSON lines
        try:
            whole = json.loads(content)
            if isinstance(whole, dict) and isinstance(whole.get("data"), list):  # SQuAD: question and context, always
                return []
            records = whole if isinstance(whole, list) else [whole]
        except json.JSONDecodeError:
            pass
    if records is None:  # JSON lines: every line's keys, since a line may hold a key the first one lacks
        records = []
        for line in content.split("\n"):
            try:
                records.append(json.loads(line)) if line.strip() else None
            except json.JSONDecodeError:
                continue
    return list(dict.fromkeys(key for record in records if isinstance(record, dict) for key in record))
