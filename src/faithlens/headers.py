"""The one header rule: whether a first line's fields are column names, not texts (`looks_like_header`), and how a
file's first line makes it a CSV or TSV file read by columns (`header_format`). `faithlens explain --file` (its plain
lines, `text_lines.items_from_lines`, and which files it reads by columns, `text_files.data_format`) and `faithlens evaluate
--data` (a .txt's first line, and a .tsv's first line that reads as an example) ask it alike."""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence

from .errors import FaithlensError
from .columns import LABEL_COLUMNS, NOT_LABELS, PAIR_COLUMNS, TEXT_COLUMNS, all_quoted, is_id

# Column names a first line of `items_from_lines` is compared with: the data readers' own, SQuAD's fields, and those
# of common pair corpora (QQP question1/question2, MRPC "#1 String", retrieval query/passage).
HEADER_NAMES = ({name for pair in PAIR_COLUMNS for name in pair} | set(TEXT_COLUMNS) | set(LABEL_COLUMNS) | NOT_LABELS
                | {"query", "passage", "document", "first", "second", "quality", "claim", "evidence"})
_SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)+")  # text_pair, sentence_a, gold_label
_NUMBERED = re.compile(r"[a-z]+ ?\d+|#\d+ ?[a-z]+")  # s1, question2, #1 string: counted in pairs of such names
_ONE_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")  # Annotator, WorkerID, score2: a column named as identifiers are


def column_name(field: str, *, spaced: bool = False) -> bool:
    """Whether a field is a column name in any case: one the data readers know (`HEADER_NAMES`), a snake_case name
    (text_pair, Sentence_A), or, where ``spaced`` (a field of a tab-separated line), words that are each a known name
    (``first sentence``)."""
    name = field.strip().lower()
    words = name.split()
    return (name in HEADER_NAMES or bool(_SNAKE_CASE.fullmatch(name))
            or (spaced and len(words) > 1 and all(w in HEADER_NAMES for w in words)))


def looks_like_header(fields: Sequence[str], *, spaced: bool = False) -> bool:
    """The one header rule, of explain --file's lines and of the data readers alike: whether a line's fields are all
    column names, not texts. Each field is a column name (`column_name`: known in any case, snake_case, or with
    ``spaced``, the fields of a tab-separated line, known words such as ``first sentence``); or, on a line of two
    fields both so, a numbered name (s1 and s2, question1 and question2, #1 String and #2 String); or, beside at least
    one column name, a one-word name written with no space around it (``sentence<tab>label<tab>Annotator``,
    ``text,WorkerID``), as `faithlens evaluate --data` reads a .tsv's first line. Words of ordinary text
    ("hello<tab>world", "A dog runs.", "Note, however") are never column names."""
    names = [f.strip().lower() for f in fields]
    numbered = len(names) == 2 and all(_NUMBERED.fullmatch(n) for n in names)
    known = [column_name(f, spaced=spaced) for f in fields]
    if all(known) or numbered:
        return True
    return len(fields) >= 2 and any(known) and all(k or bool(_ONE_WORD.fullmatch(f)) for k, f in zip(known, fields))


def header_format(first: str, *, tsv: bool = False) -> str | None:
    """"tsv" or "csv" where ``first``, a file's first non-blank line, is a header (`is_header`) split at tabs (its
    names may hold spaces), else at commas; None otherwise: the rule by which a file not named .csv or .tsv is read by
    columns, by `faithlens evaluate --data` (a .txt) and `faithlens explain --file` alike. ``tsv``: the file is named
    .tsv, which `faithlens evaluate --data` reads by columns, so a first line of one column name (``text``,
    ``sentence``: `looks_like_header`) is its header too."""
    fields = first.split("\t")
    if all_quoted(fields):  # a CSV writer's quoted header (`columns.tsv_options`)
        fields = [f[1:-1] for f in fields]
    if tsv and "\t" not in first and first.strip() and looks_like_header(fields):
        return "tsv"
    if "\t" in first:
        return "tsv" if is_header(fields, spaced=True) else None
    return "csv" if is_header(next(csv.reader([first]), [])) else None


def is_header(fields: list[str], *, spaced: bool = False) -> bool:
    """Whether a first line's fields (two or more) are a header: each a column name (`looks_like_header`; ``spaced``:
    split at tabs) or an id (`columns.is_id`: ``id``, pandas' unnamed index ``''`` of ``,text``), at least one not an
    id."""
    names = [f for f in fields if not is_id(f)]
    return len(fields) >= 2 and bool(names) and looks_like_header(names, spaced=spaced)


def check_header_first(lines: Sequence[str], source: str) -> None:
    """A file whose first non-blank line is no header but whose second is one (`header_format`), the first with fewer
    fields (a title or note such as ``Movie reviews collected in 2020`` above ``sentence<tab>label``), is refused, naming both lines: read so, the note
    would be the header (or a text) and the header an example. One diagnosis for `faithlens explain --file` (a plain
    file's lines, `text_files`) and the data readers (`data.read_file`) alike. ``source`` names the file."""
    found = [(n, line.rstrip("\r")) for n, line in enumerate(lines, start=1) if line.strip()][:2]
    if len(found) < 2 or "\r" in found[0][1] + found[1][1]:
        return
    (n, first), (m, second) = found
    kind = header_format(second)
    if kind is None or header_format(first) is not None:
        return
    split = (lambda line: line.split("\t")) if kind == "tsv" else (lambda line: next(csv.reader([line]), []))
    if len(split(first)) >= len(split(second)):  # a row of as many fields: an example above a header-like row, the
        return  # documented way to keep such a row as texts (`text_lines.items_from_lines`)
    shown = second.strip().replace("\t", "<tab>")
    raise FaithlensError(
        f"Line {n} of {source} ({first.strip()[:80]}) reads as an example, not a header of column names, and line {m} "
        f"({shown[:80]}) is a header: a file's first line names its columns, so the line above the header would be read "
        f"as a text and the header as an example. Remove line {n} (a title or a note?) so that the header comes first.")
