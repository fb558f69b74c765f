"""Labelled text datasets: local TSV/CSV/JSONL files, GLUE SST-2, the IMDB sample format, the
bundled Rotten Tomatoes split, and Hugging Face ``datasets`` by name when importable.

Every loader returns a :class:`Dataset` (texts, labels — ``None`` where a file has none —, label
names when known, and where it came from). :func:`select` then applies a length filter, a seeded
sample and a limit, in that order, so the same arguments always give the same examples. `Dataset`,
`select`, `subset` and `holdout` live in `faithlens.dataset` and are importable from here too; this
module reads the data.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from pathlib import Path

from .columns import LABEL_COLUMNS, NOT_LABELS, TEXT_COLUMNS, check_read_once, check_swapped, column, csv_unquoted, find_columns, json_keys, tsv_options, warn_unread
from .columns import check_distinct_columns  # noqa: F401 (public here too)
from .headers import HEADER_NAMES, check_header_first, header_format, is_header, looks_like_header  # noqa: F401
from .errors import FaithlensError
from .gold_labels import check_label_names, index_labels, reads_as_number
from .json_files import jsonl_records, loads
from .label_text import is_label_lines, read_label_text
from .pandas_json import check_not_pandas, pandas_layout
from .text_lines import items_from_lines, read_lines  # noqa: F401 (items_from_lines: public here too)
from .line_endings import file_text, hold_lone_cr, old_mac_lines  # noqa: F401 (old_mac_lines: public here too)
from .dataset import Dataset, Item, holdout, item_length, select, subset  # noqa: F401 (public here too)
from .splits import group_holdout, holdout_split  # noqa: F401 (public here too)

BUNDLED = ("rotten_tomatoes",)
FORMATS = ("tsv", "csv", "jsonl", "json", "txt")
REFUSED = {"xlsx": "a spreadsheet", "xls": "a spreadsheet", "ods": "a spreadsheet", "parquet": "a Parquet file",
           "arrow": "an Arrow file", "pkl": "a pickle", "pickle": "a pickle", "gz": "a compressed file", "zip": "an archive"}

# --- lines of texts (explain --file, standard input) ------------------------------------------------

def _header_format(path: Path) -> str | None:
    """`header_format` of a .txt's first non-blank line, not holding a lone \\r (None where not UTF-8: its reader
    says so)."""
    try:
        first = next((line.rstrip("\r") for line in file_text(path).split("\n") if line.strip()), "")
    except UnicodeDecodeError:
        return None
    return None if "\r" in first else header_format(first)


def refuse_standard_input(source: str | Path | None, *, option: str | None = None) -> None:
    """The one rule for a data source '-': a command line names standard input so, but faithlens reads data from a
    file or folder only. ``option``: the command's data option (``--train``), else it is load_dataset's source."""
    if source is None or str(source).strip() != "-":
        return
    given, fix = (f"{option} -", f"{option} data.tsv") if option else ("load_dataset('-')", "load_dataset('data.tsv')")
    raise FaithlensError(f"{given} names standard input, which faithlens does not read data from: data comes from a "
                         f"file or folder. Save the data to a file (.tsv, .csv or .jsonl) and pass its path instead, "
                         f"e.g. {fix}.")


# --- entry point -------------------------------------------------------------------------------------

def load_dataset(
    source: str | Path,
    *,
    split: str | None = None,
    text_column: str | None = None,
    label_column: str | None = None,
    pair_column: str | None = None,
    format: str | None = None,  # noqa: A002 - the user-facing name
    label_names: Sequence[str] | None = None,
    labels: bool = True,
    model=None,
    note: tuple[str, str] | None = None,
) -> Dataset:
    """Read a dataset by path (tsv/csv/jsonl/json/txt, a SQuAD-format .json, or a GLUE-style folder) or name.

    ``rotten_tomatoes`` is the bundled split of the default model (``split``: train, validation,
    test; default test). Other names go to Hugging Face ``datasets`` when it is installed. Text
    pairs are read from two columns (``premise``/``hypothesis``, ``sentence1``/``sentence2``,
    ``question``/``context`` are found by themselves; else ``text_column`` and ``pair_column``).
    Labels may be class indices or names; names are mapped by ``label_names`` (e.g. the model's
    labels), else in sorted order.

    ``labels=False``: the texts only, for a command that reads no gold labels (audit, the facade analyses): a label
    column is not read, so not checked, and a .txt file that is not in the IMDB sample format is read one text per
    line, as ``explain --file`` reads it (`read_file`). ``model``: a SQuAD-format file is checked against its task
    before its nesting is read (`task_inputs.check_squad_task`). ``note``: (the file as messages name it, the
    command) of the warning that names a column a texts-only read leaves unread.
    """
    if not isinstance(source, (str, os.PathLike)):  # str(None) would be looked up as a dataset named 'None'
        raise FaithlensError(f"load_dataset takes a file, a folder or a dataset name (a str or path). Got "
                             f"{type(source).__name__} {source!r:.60}. Pass e.g. load_dataset('data/dev.tsv').")
    name = str(source)
    if not name.strip():
        raise FaithlensError("load_dataset was given an empty name. Pass a data file, a GLUE-style folder, "
                             "'rotten_tomatoes' or a hub dataset name, e.g. load_dataset('data/dev.tsv').")
    refuse_standard_input(name)
    if split is not None and (not isinstance(split, str) or not split.strip()):  # '' or 0 would read the default split
        raise FaithlensError(f"split must be a split's name as a str, e.g. split='dev', or None for the default. Got "
                             f"{type(split).__name__} {split!r:.60}.")
    label_names = check_label_names(label_names)  # in class order: before any file is read
    if name in BUNDLED:
        return rotten_tomatoes(split or "test")
    path = Path(name).expanduser()
    columns = {"text_column": text_column, "label_column": label_column, "pair_column": pair_column,
               "label_names": label_names, "labels": labels, "model": model, "note": note}
    if path.is_dir():
        return _glue_folder(path, split or "dev", columns)
    if not path.exists() and _looks_like_path(name):
        raise FaithlensError(f"The data file {str(path)!r} does not exist. Check the path, or pass "
                             "'rotten_tomatoes' for the bundled split.")
    if path.exists() or _looks_like_path(name):
        if split is not None:  # a file is read whole: the split would be ignored
            raise FaithlensError(f"split={split!r} picks a split of 'rotten_tomatoes', a GLUE folder or a hub dataset; "
                                 f"{name!r} is a file, read whole. Leave split out, or pass the folder holding "
                                 f"{split}.tsv.")
        return read_file(path, format=format, **columns)
    return hf_dataset(name, split=split or "test", text_column=text_column, label_column=label_column)


def _looks_like_path(name: str) -> bool:
    """A data-file suffix or an explicit location (./, ../, /, ~); anything else may be a hub name like glue/sst2."""
    suffix = Path(name).suffix.lower().lstrip(".")
    return name.startswith((".", "/", "~", "\\")) or suffix in FORMATS or suffix in REFUSED


def _glue_folder(folder: Path, split: str, columns: dict) -> Dataset:
    return read_file(split_file(folder, split), **columns)


SPLIT_SUFFIXES = (".tsv", ".csv", ".jsonl", ".json")  # a folder's data files, in the order a split name finds them


def split_file(folder: Path, split: str, *, option: str | None = None) -> Path:
    """The file of ``split`` in a GLUE folder, else FaithlensError naming every data file the folder holds.

    ``split`` is a file's name without its suffix (``dev`` finds dev.tsv, dev.csv, dev.jsonl or dev.json; two of
    those present is an error naming both) or with it (``dev-v1.1.json``: that file, as a SQuAD folder holds it). ``option``: a command's
    data option that reads one split of a folder and has no --split (train's --train, --validation, --test): the fix
    then names the file to pass it instead."""
    named = folder / split
    if "/" not in split and named.suffix.lower() in SPLIT_SUFFIXES and named.is_file():
        return named
    found = [candidate for candidate in (folder / f"{split}{suffix}" for suffix in SPLIT_SUFFIXES) if candidate.is_file()]
    if len(found) > 1:  # dev.tsv beside dev.json: either could be the split meant, so neither is guessed
        which = f"{option} the file itself, e.g. {option} {found[0]}" if option else f"the file itself (e.g. {found[0]})"
        raise FaithlensError(f"The folder {str(folder)!r} holds {len(found)} files of the split {split!r}: "
                             f"{', '.join(p.name for p in found)}. Pass {which}, or move the others out of the folder.")
    if found:
        return found[0]
    present = sorted(p.name for p in folder.iterdir() if p.suffix.lower() in SPLIT_SUFFIXES and p.is_file())
    if option is None:
        fix = ("Pass --split with one of those names (split='NAME' in Python), or the file itself" if present else
               "Pass the data file itself, or a folder that holds one")
    else:
        fix = f"Pass {option} the file itself, e.g. {option} {folder / present[0]}" if present else f"Pass {option} a data file"
    raise FaithlensError(f"Expected a file {split}.tsv (or .csv/.jsonl/.json) in the folder {str(folder)!r}. "
                         f"Got {present or 'no data files'}. {fix}.")


# --- files -------------------------------------------------------------------------------------------

def read_file(path: str | Path, *, text_column: str | None = None, label_column: str | None = None,
              pair_column: str | None = None, format: str | None = None,  # noqa: A002
              label_names: Sequence[str] | None = None, labels: bool = True, model=None,
              note: tuple[str, str] | None = None) -> Dataset:
    """A local file: ``.tsv``/``.csv`` with a header, ``.jsonl`` (one object a line), ``.json`` (a list
    of objects, or SQuAD's format), or the IMDB sample format (``.txt``: ``"<label> <text>"`` per line).

    Lines end at ``\n`` or ``\r\n``, and at a lone ``\r`` only in a file with no ``\n`` (old Mac line endings:
    `file_text`, as explain's plain files are split); elsewhere a lone ``\r`` stays inside its field.
    Every row is checked: a row with more or fewer fields than the header (an unquoted comma), an
    empty text, or a missing label where other rows have one is an error naming the line. ``labels=False``: no labels
    (the texts of a command that reads none: a label column is not read, and a .txt not in the IMDB sample format is
    one text per line, `label_text.is_label_lines`, as ``explain --file`` reads it); a column read neither as a text
    nor as a gold label is then named in a warning (``note``: the file as messages name it and the command reading
    it; `columns.warn_unread`). ``model``: a SQuAD-format .json file is checked against the model's task before its
    nesting is read (`task_inputs.check_squad_task`), so that a classifier is never given a fix of SQuAD's shape.
    """
    from .scalars import check_bool

    label_names = check_label_names(label_names)  # in class order: before the file is read
    labels = check_bool("The 'labels' parameter of read_file", labels)  # 'no' is true in Python
    if not isinstance(path, (str, os.PathLike)):
        raise FaithlensError(f"read_file takes a file path as a str or a pathlib.Path. Got {type(path).__name__} "
                             f"{path!r:.60}.")
    path = Path(path).expanduser()
    if not path.exists():  # 'rotten_tomatoes' is read by `load_dataset`, which names it; this reads files only
        raise FaithlensError(f"The data file {str(path)!r} does not exist. Check the path.")
    if not path.is_file():
        raise FaithlensError(f"Expected a data file. Got {str(path)!r}, which is not a file.")
    kind = (format or path.suffix.lstrip(".")).lower()
    if kind in REFUSED:
        raise FaithlensError(f"{str(path)!r} is {REFUSED[kind]}; faithlens reads {', '.join(FORMATS)} files. "
                             "Save it as CSV (UTF-8) or JSON lines and pass that file.")
    if kind == "txt" and format is None:  # sentence<tab>label first: read by columns, as explain --file reads it
        kind = _header_format(path) or kind
    if kind == "json" and model is not None and is_squad_file(path, format=kind):
        from .task_inputs import check_squad_task

        check_squad_task(model, repr(str(path)) if note is None else note[0])
    if kind == "txt" and not labels and not is_label_lines(file_text(path)):
        kind = "lines"  # one text (or TEXT_A<tab>TEXT_B pair) per line, as explain --file reads a plain file
    readers = {"tsv": _read_table, "csv": _read_table, "jsonl": _read_jsonl, "json": _read_json, "txt": read_label_text,
               "lines": read_lines}
    if kind not in readers:
        raise FaithlensError(f"Unknown data format {kind!r} for {str(path)!r}. Valid choices: {', '.join(FORMATS)}. "
                             "Rename the file to end in one of those (e.g. data.tsv), or in Python pass "
                             "load_dataset(..., format='tsv').")
    try:
        rows, info = readers[kind](path, kind=kind, choose=lambda names: find_columns(  # which column is which
            names, text_column=text_column, label_column=label_column, pair_column=pair_column, source=str(path),
            labels=labels))
    except UnicodeDecodeError as exc:
        raise FaithlensError(f"{str(path)!r} is not UTF-8 text ({exc}). Re-save it as UTF-8.") from None
    except csv.Error as exc:
        raise FaithlensError(f"{str(path)!r} is not a valid {kind.upper()} file ({exc}). Quote fields that hold "
                             "separators or quotes.") from None
    if not rows:
        raise FaithlensError(f"{str(path)!r} holds no examples. Check that it is the right file and not empty.")
    given = [f"{k}={v!r}" for k, v in (("text_column", text_column), ("pair_column", pair_column),
                                       ("label_column", label_column)) if v is not None]
    if info.get("squad") and given:  # a SQuAD file's fields are fixed: a column named for it would be ignored
        raise FaithlensError(f"{str(path)!r} is a SQuAD-format file, whose fields are fixed (question, context, "
                             f"answers), so {' and '.join(given)} would be ignored. "
                             "Drop the column option(s).")
    columns = info.pop("columns", None)
    if not labels:  # the texts only (explain --file, audit, the facade analyses): a label column is not read or checked
        rows = [(item, None, line) for item, _, line in rows]
    if columns and (not labels or info.get("label_column")):  # a column read neither as a text nor as a gold label
        # is named, whoever reads the file; with no label column found, that column's own warning names them
        shown = columns if not labels else [c for c in columns if str(c).strip().lower() not in NOT_LABELS]
        warn_unread(shown, info if not labels else dict(info, gold=info["label_column"]),
                    repr(str(path)) if note is None else note[0], reader="faithlens" if note is None else note[1])
    check_swapped(rows, info, str(path))  # text and label columns given the wrong way round
    answers = info.pop("answers", None)
    groups = info.pop("groups", None)
    # without label_names, how the cells read waits for the model's label names (`by_model_labels`): "digit_labels",
    # "named_labels" (indexed in sorted order until a model names them) or "number_labels" ("-1", "0.5")
    labels, names, pending = index_labels([r[1] for r in rows], [r[2] for r in rows], label_names, path)
    info.update(pending)
    return Dataset(tuple(r[0] for r in rows), labels, source=str(path), label_names=names,
                   info={"format": kind, **info}, answers=answers, groups=groups)


def is_squad_file(path: str | Path, *, format: str | None = None) -> bool:  # noqa: A002
    """Whether ``path`` is read as a SQuAD-format file (a .json file, or one read with ``format='json'``, whose top
    level is an object with a "data" list): a QA model's data, checked against the model's task before its nesting is
    read (`task_inputs.check_squad_task`), by `read_file` and ``explain --file`` alike."""
    path = Path(path)
    if (format or path.suffix.lstrip(".")).lower() != "json":
        return False
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return False  # the reader says what is wrong
    return isinstance(data, dict) and isinstance(data.get("data"), list) and pandas_layout(data) is None


def _text(value, what: str, path: Path, line: int) -> str:
    if not isinstance(value, str):
        raise FaithlensError(f"Line {line} of {str(path)!r} has no text in {what}. Got {value!r}.")
    text = value.strip()
    if not text:
        raise FaithlensError(f"Line {line} of {str(path)!r} has an empty {what}. Remove the line or fill it in.")
    return text


def _row(record: dict, keys: dict, path: Path, line: int) -> tuple:
    """(item, raw label, line) from a record keyed by column names."""
    for key in (keys["text"], keys["pair"]):
        if key is not None and key not in record:  # a missing key, not a null one
            raise FaithlensError(f"Line {line} of {str(path)!r} has no {key!r} field (its keys: "
                                 f"{', '.join(map(repr, record)) or 'none'}). Give every object the same keys.")
    first = _text(record.get(keys["text"]), f"{keys['text']!r} field", path, line)
    item = first if keys["pair"] is None else (first, _text(record.get(keys["pair"]), f"{keys['pair']!r} field", path, line))
    label = record.get(keys["label"]) if keys["label"] else None
    return item, label, line


def _read_table(path: Path, *, kind: str, choose):
    rows = []
    content = file_text(path)
    content, held = hold_lone_cr(content)  # a lone \r stays inside its field: held while csv splits the rows
    handle = io.StringIO(content, newline="")
    options = tsv_options(content) if kind == "tsv" else {}  # GLUE's TSV: no quoting, unless a CSV writer quoted it
    unquote = options.get("quoting") == csv.QUOTE_NONE  # then only a field a CSV writer quoted is read unquoted
    reader = csv.reader(handle, strict=True, **options)
    header = next((row for row in reader if any(field.strip() for field in row)), None)  # blank lines before it
    if header and held:
        header = [f.replace(held, "\r") for f in header]
    if not header:
        return [], {}
    try:
        keys = choose(header)
    except FaithlensError:
        check_header_first(content.split("\n"), repr(str(path)))  # a note above the header: say so
        _refuse_example_header(header, path, kind, reader.line_num)  # an example taken for the header: say so
        raise
    check_read_once(header, keys, source=str(path))
    for fields_ in reader:
        line = reader.line_num
        if held:
            fields_ = [f.replace(held, "\r") for f in fields_]
        if not fields_ or (len(fields_) == 1 and not fields_[0].strip()):
            continue  # a blank line
        if unquote:  # a field a CSV writer quoted ("a ""quoted"" film": csv, pandas) is its text unquoted
            fields_ = [csv_unquoted(f) for f in fields_]
        if len(fields_) != len(header):
            sep = "tab" if kind == "tsv" else "comma"
            if any("\r" in f for f in fields_):
                raise FaithlensError(
                    f"Line {line} of {str(path)!r} has {len(fields_)} fields but the header has {len(header)} "
                    f"({', '.join(header)}), and it holds a lone carriage return (\\r): in a file whose lines end "
                    "at \\n (or \\r\\n), a lone \\r does not end a line, so two rows may have been joined. End "
                    "each row with a newline (\\n), or remove the \\r.")
            raise FaithlensError(
                f"Line {line} of {str(path)!r} has {len(fields_)} fields but the header has {len(header)} "
                f"({', '.join(header)}). "
                + ("TSV files are read line by line, without quoting: a text may hold neither a tab nor a line "
                   "break (a CSV writer quotes such a text, which a TSV reader splits). Remove them from the text, "
                   "or save the file as CSV (.csv), which is read with quoting"
                   if kind == "tsv" else 'A text holding a comma must be quoted, e.g. "a slow, dull film",0')
                + f"; a missing cell must still have its {sep}.")
        rows.append(_row(dict(zip(header, fields_)), keys, path, line))
    return rows, {"text_column": keys["text"], "pair_column": keys["pair"], "label_column": keys["label"],
                  "columns": header}


def _refuse_example_header(header: Sequence[str], path: Path, kind: str, line: int = 1) -> None:
    """A first line that is no header but an example (a text and a bare number, its gold label: ``great fun<tab>1``;
    or a field that reads as prose, `_reads_as_text`: ``I liked it, a lot``) is refused as a file without a header
    line, with the header to add: naming it as a column (text_column='great fun') would drop that example in silence.
    A first line of names the readers do not know (``Phrase<tab>Sentiment``) is left to the caller's message, which
    names the options for them. ``line``: the header's line (blank lines may come before it)."""
    fields = [f.strip() for f in header]
    numbers = any(reads_as_number(f) for f in fields if f)
    if looks_like_header(fields, spaced=kind == "tsv") or not (numbers or any(map(_reads_as_text, fields))):
        return
    texts = [f for f in fields if not reads_as_number(f)]
    names = {1: ["sentence" if kind == "tsv" else "text"], 2: ["premise", "hypothesis"]}.get(len(texts))
    sep = "<tab>" if kind == "tsv" else ","
    shown = sep.join(fields)
    added = (sep.join("label" if reads_as_number(f) else names.pop(0) for f in fields)
             if names is not None and sum(map(reads_as_number, fields)) == 1 else None)
    quote = ("" if numbers or kind != "csv" else
             f' A text that holds a comma is quoted in a CSV file, e.g. "{",".join(header)[:60]}".')
    raise FaithlensError(
        f"Line {line} of {str(path)!r} ({shown[:80]}) reads as an example, not a header of column names: a "
        f"{kind.upper()} file's first line names its columns, so this file has no header line. Add one as its first "
        + (f"line, e.g. {added}" if added else
           f"line naming each column (the text as {TEXT_COLUMNS[0]!r} or {TEXT_COLUMNS[1]!r}, the gold label as 'label')")
        + "; naming the columns otherwise would drop that first example." + quote)


def _reads_as_text(field: str) -> bool:
    """Whether a header's field reads as prose, never a column name: three or more words, or a sentence's end."""
    return len(field.split()) >= 3 or field.rstrip().endswith((".", "!", "?"))


def _read_jsonl(path: Path, *, kind: str, choose):
    records = []
    for line, record in jsonl_records(path, example='{"text": "...", "label": 1}', as_written=True):
        if not isinstance(record, dict):
            raise FaithlensError(f"Line {line} of {str(path)!r} must be a JSON object. Got {type(record).__name__}.")
        records.append((line, record))
    columns, keys = json_keys([r for _, r in records], choose, lines=[line for line, _ in records])
    rows = [_row(record, keys, path, line) for line, record in records]
    return rows, {"text_column": keys["text"], "pair_column": keys["pair"], "label_column": keys["label"],
                  "columns": columns}


def _read_json(path: Path, *, kind: str, choose):
    """A JSON list of objects, a SQuAD-format file ({"data": [{"paragraphs": [...]}]}), or JSON lines."""
    text = path.read_text(encoding="utf-8-sig")
    try:
        data = loads(text, where=repr(str(path)), as_written=True)
    except json.JSONDecodeError:
        return _read_jsonl(path, kind=kind, choose=choose)
    check_not_pandas(data, repr(str(path)))  # DataFrame.to_json's other layouts: name the call that writes records
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        return _read_squad(data, path)
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        got = _not_objects(data)
        raise FaithlensError(f"{str(path)!r} holds {got}: a .json file holds a list of JSON objects "
                             '([{"text": "...", "label": 1}, ...]) or SQuAD\'s format ({"data": [...]}). Put the '
                             "objects in a list, or name the file .jsonl to read it as JSON lines, one object per line.")
    if not data:
        return [], {}
    columns, keys = json_keys(data, choose, lines=range(1, len(data) + 1))
    rows = [_row(r, keys, path, i + 1) for i, r in enumerate(data)]
    return rows, {"text_column": keys["text"], "pair_column": keys["pair"], "label_column": keys["label"],
                  "columns": columns}




def _not_objects(data: object) -> str:
    """What a .json file holds instead of a list of objects, in JSON's words: "one JSON object, not a list",
    "a JSON list whose item 1 is a JSON string ("great fun"), not an object"."""
    if isinstance(data, dict):
        return "one JSON object, not a list"
    if isinstance(data, list):
        i, item = next((i, r) for i, r in enumerate(data) if not isinstance(r, dict))
        shown = json.dumps(item, ensure_ascii=False)
        shown = "" if isinstance(item, bool) or item is None else f" ({shown if len(shown) <= 40 else shown[:37] + '...'})"
        return f"a JSON list whose item {i + 1} is {_json_kind(item)}{shown}, not an object"
    return f"{_json_kind(data)}, not a list"


def _json_kind(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return f"JSON {str(value).lower() if value is not None else 'null'}"
    kind = {str: "string", int: "number", float: "number", list: "list", dict: "object"}.get(type(value), "value")
    return f"a JSON {kind}"


def _read_squad(data: dict, path: Path):
    """SQuAD v1.1: one (question, context) pair per question, with its reference answers."""
    from .qa import squad_questions

    rows, answers, groups = [], [], []
    for title, qid, context, qa in squad_questions(data, path):  # the nesting checked, with the article named
        question, listed = qa.get("question"), qa.get("answers", [])
        texts = [a.get("text") if isinstance(a, dict) else None for a in listed] if isinstance(listed, list) else [None]
        if not isinstance(question, str) or not isinstance(context, str) or not all(isinstance(t, str) for t in texts):
            raise FaithlensError(f"{str(path)!r}, article {title!r}, question {qid!r}: expected a string \"question\", a "
                                 'string "context" and "answers" a list of {"text": a string, "answer_start": ...}. Got '
                                 f"question {question!r:.40}, context {context!r:.40}, answers {listed!r:.60}.")
        rows.append(((question.strip(), context), None, len(rows) + 1))
        answers.append(tuple(texts))
        groups.append(title)  # as `faithlens.qa.read_squad` names it, so both hold out the same articles
    return rows, {"squad": True, "answers": tuple(answers), "groups": tuple(groups), "text_column": "question",
                  "pair_column": "context"}


# --- bundled and hub data ------------------------------------------------------------------------------

def rotten_tomatoes(split: str = "test") -> Dataset:
    """The held-out split of the Rotten Tomatoes snippets the bundled default model was trained on."""
    from .rotten_tomatoes import DEFAULT_LABELS, SPLIT_NAMES, SPLIT_SEED, rotten_tomatoes_split

    if split not in SPLIT_NAMES:
        from .errors import unknown_choice

        raise unknown_choice("rotten_tomatoes split", split, SPLIT_NAMES)
    texts, labels = rotten_tomatoes_split()[split]
    return Dataset(tuple(texts), tuple(labels), source=f"rotten_tomatoes:{split}", label_names=tuple(DEFAULT_LABELS),
                   info={"split_seed": SPLIT_SEED})


def hf_dataset(name: str, *, split: str = "test", text_column: str | None = None, label_column: str | None = None) -> Dataset:
    """A Hugging Face dataset by name (``glue/sst2`` style ``name/config`` allowed), when reachable."""
    try:
        import datasets  # noqa: F401
    except ImportError:
        raise FaithlensError(f"{name!r} is not a file or folder, and the Hugging Face 'datasets' package is not "
                             "installed to load it by name. Pass a local .tsv/.csv/.jsonl file, 'rotten_tomatoes', "
                             "or install it: pip install 'faithlens[datasets]'.") from None
    from datasets import load_dataset as hf_load

    path, _, config = name.partition("/") if name.count("/") == 1 and name.split("/")[0] in {"glue", "super_glue"} else (name, "", "")
    try:
        data = hf_load(path, config or None, split=split)
    except Exception as exc:  # network, unknown name, unknown split: all reported the same way
        raise FaithlensError(f"Could not load the Hugging Face dataset {name!r} (split {split!r}): {exc}. Offline, "
                             "pass a local file instead.") from None
    columns = list(data.column_names)
    text_key = column(columns, text_column, TEXT_COLUMNS, "text", name)
    label_key = column(columns, label_column, LABEL_COLUMNS, "label", name, required=False)
    check_distinct_columns(text=text_key, pair=None, label=label_key, source=name,
                           given=[r for r, v in (("text", text_column), ("label", label_column)) if v is not None])
    labels = [None if (label_key is None or int(y) < 0) else int(y) for y in (data[label_key] if label_key else [None] * len(data))]
    names = None
    if label_key is not None and hasattr(data.features[label_key], "names"):
        names = tuple(data.features[label_key].names)
    return Dataset(tuple(data[text_key]), tuple(labels), source=f"hf:{name}:{split}", label_names=names)


# --- reopening a selection ---------------------------------------------------------------------------

def reload(source: str, info: dict) -> Dataset:
    """The dataset a ``Dataset.source`` and its ``info`` describe, selected as it was (e.g. to re-open
    the examples of an evaluate run from its settings.json: ``data`` and ``dataset_info``)."""
    if source.startswith("rotten_tomatoes:"):
        data = rotten_tomatoes(source.partition(":")[2])
    elif source.startswith("hf:"):
        name, _, split = source[3:].rpartition(":")
        data = hf_dataset(name, split=split, text_column=info.get("text_column"), label_column=info.get("label_column"))
    else:
        data = read_file(source, text_column=info.get("text_column"), label_column=info.get("label_column"),
                         pair_column=info.get("pair_column"), format=info.get("format"))
    chosen = info.get("selected")
    if chosen is None:
        return data
    return select(data, limit=chosen["limit"], seed=chosen["seed"], max_chars=chosen["max_chars"], shuffle=chosen["shuffled"])


