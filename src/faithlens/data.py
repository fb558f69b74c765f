"""Labelled text datasets: local TSV/CSV/JSONL files, GLUE SST-2, the IMDB sample format, the
bundled Rotten Tomatoes split, and Hugging Face ``datasets`` by name when importable.

Every loader returns a :class:`Dataset` (texts, labels — ``None`` where a file has none —, label
names when known, and where it came from). :func:`select` then applies a length filter, a seeded
sample and a limit, in that order, so the same arguments always give the same examples.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import FaithlensError

BUNDLED = ("rotten_tomatoes",)
TEXT_COLUMNS = ("sentence", "text", "review", "content")
LABEL_COLUMNS = ("label", "labels", "sentiment", "target")


@dataclass(frozen=True)
class Dataset:
    texts: tuple[str, ...]
    labels: tuple[int | None, ...]
    source: str  # path or name, with split
    label_names: tuple[str, ...] | None = None
    info: dict = field(default_factory=dict)  # how it was read and selected

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def has_labels(self) -> bool:
        return any(y is not None for y in self.labels)


# --- entry point -------------------------------------------------------------------------------------

def load_dataset(
    source: str | Path,
    *,
    split: str | None = None,
    text_column: str | None = None,
    label_column: str | None = None,
    format: str | None = None,  # noqa: A002 - the user-facing name
) -> Dataset:
    """Read a dataset by path (tsv/csv/jsonl/txt IMDB sample, or a GLUE-style folder) or name.

    ``rotten_tomatoes`` is the bundled split of the default model (``split``: train, validation,
    test; default test). Other names go to Hugging Face ``datasets`` when it is installed.
    """
    name = str(source)
    if name in BUNDLED:
        return rotten_tomatoes(split or "test")
    path = Path(name).expanduser()
    if path.is_dir():
        return _glue_folder(path, split or "dev", text_column, label_column)
    if path.exists() or _looks_like_path(name):
        return read_file(path, text_column=text_column, label_column=label_column, format=format)
    return hf_dataset(name, split=split or "test", text_column=text_column, label_column=label_column)


def _looks_like_path(name: str) -> bool:
    """A data-file suffix or an explicit location (./, ../, /, ~); anything else may be a hub name like glue/sst2."""
    return name.startswith((".", "/", "~", "\\")) or Path(name).suffix.lower() in {".tsv", ".csv", ".jsonl", ".json", ".txt"}


def _glue_folder(folder: Path, split: str, text_column, label_column) -> Dataset:
    for suffix in (".tsv", ".csv", ".jsonl"):
        candidate = folder / f"{split}{suffix}"
        if candidate.exists():
            return read_file(candidate, text_column=text_column, label_column=label_column)
    present = sorted(p.name for p in folder.iterdir() if p.suffix in {".tsv", ".csv", ".jsonl"})
    raise FaithlensError(f"Expected a file {split}.tsv (or .csv/.jsonl) in the folder {str(folder)!r}. "
                         f"Got {present or 'no data files'}. Pass --split with one of those names, or the file itself.")


# --- files -------------------------------------------------------------------------------------------

def read_file(path: str | Path, *, text_column: str | None = None, label_column: str | None = None,
              format: str | None = None) -> Dataset:  # noqa: A002
    """A local file: ``.tsv``/``.csv`` with a header, ``.jsonl`` (one object a line), or the IMDB
    sample format (``.txt``: ``"<label> <text>"`` per line)."""
    path = Path(path).expanduser()
    if not path.exists():
        raise FaithlensError(f"The data file {str(path)!r} does not exist. Check the path, or pass "
                             "'rotten_tomatoes' for the bundled split.")
    if not path.is_file():
        raise FaithlensError(f"Expected a data file. Got {str(path)!r}, which is not a file.")
    kind = (format or path.suffix.lstrip(".")).lower()
    readers = {"tsv": _read_table, "csv": _read_table, "jsonl": _read_jsonl, "json": _read_jsonl, "txt": _read_label_text}
    if kind not in readers:
        raise FaithlensError(f"Unknown data format {kind!r} for {str(path)!r}. Valid choices: {', '.join(sorted(readers))}. "
                             "Rename the file or pass format=... (--format).")
    try:
        texts, labels, info = readers[kind](path, kind=kind, text_column=text_column, label_column=label_column)
    except UnicodeDecodeError as exc:
        raise FaithlensError(f"{str(path)!r} is not UTF-8 text ({exc}). Re-save it as UTF-8.") from None
    if not texts:
        raise FaithlensError(f"{str(path)!r} holds no examples. Check that it is the right file and not empty.")
    return Dataset(tuple(texts), tuple(labels), source=str(path), info={"format": kind, **info})


def _read_table(path: Path, *, kind: str, text_column, label_column):
    with path.open(encoding="utf-8", newline="") as handle:
        if kind == "tsv":  # GLUE files: no quoting at all
            reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        else:
            reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        text_key = _column(columns, text_column, TEXT_COLUMNS, "text", path)
        label_key = _column(columns, label_column, LABEL_COLUMNS, "label", path, required=False)
        texts, labels = [], []
        for line, row in enumerate(reader, start=2):
            text = row.get(text_key)
            if text is None:
                raise FaithlensError(f"Line {line} of {str(path)!r} has fewer columns than the header {columns}. "
                                     "The file is truncated or not tab/comma separated as its name says.")
            texts.append(text.strip())
            labels.append(_label(row.get(label_key) if label_key else None, path, line))
    return texts, labels, {"text_column": text_key, "label_column": label_key}


def _read_jsonl(path: Path, *, kind: str, text_column, label_column):
    texts, labels = [], []
    text_key = label_key = None
    with path.open(encoding="utf-8") as handle:
        for line, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                row = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise FaithlensError(f"Line {line} of {str(path)!r} is not valid JSON ({exc.msg}). "
                                     "Each line must be one JSON object, e.g. {\"text\": \"...\", \"label\": 1}.") from None
            if not isinstance(row, dict):
                raise FaithlensError(f"Line {line} of {str(path)!r} must be a JSON object. Got {type(row).__name__}.")
            if text_key is None:
                text_key = _column(list(row), text_column, TEXT_COLUMNS, "text", path)
                label_key = _column(list(row), label_column, LABEL_COLUMNS, "label", path, required=False)
            if not isinstance(row.get(text_key), str):
                raise FaithlensError(f"Line {line} of {str(path)!r} has no string field {text_key!r}.")
            texts.append(row[text_key].strip())
            labels.append(_label(row.get(label_key) if label_key else None, path, line))
    return texts, labels, {"text_column": text_key, "label_column": label_key}


def _read_label_text(path: Path, *, kind: str, text_column, label_column):
    """The IMDB sample of TextFooler: ``"<label> <text>"`` per line, label 0/1."""
    texts, labels = [], []
    with path.open(encoding="utf-8") as handle:
        for line, raw in enumerate(handle, start=1):
            raw = raw.rstrip("\n")
            if not raw.strip():
                continue
            head, _, text = raw.partition(" ")
            if not head.lstrip("-").isdigit() or not text.strip():
                raise FaithlensError(f"Line {line} of {str(path)!r} must be '<label> <text>' (e.g. '1 a fine film'). "
                                     f"Got {raw[:60]!r}.")
            texts.append(text.strip())
            labels.append(int(head))
    return texts, labels, {"text_column": None, "label_column": None}


def _column(columns: Sequence[str], wanted: str | None, guesses: Sequence[str], what: str, path: Path,
            *, required: bool = True) -> str | None:
    if wanted is not None:
        if wanted not in columns:
            raise FaithlensError(f"The {what} column {wanted!r} is not in {str(path)!r}. Valid choices: {', '.join(columns)}.")
        return wanted
    for guess in guesses:
        if guess in columns:
            return guess
    if required:
        raise FaithlensError(f"Could not find a {what} column in {str(path)!r} (looked for {', '.join(guesses)}). "
                             f"Got columns {list(columns)}. Pass --{what}-column NAME.")
    return None


def _label(value, path: Path, line: int) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise FaithlensError(f"Line {line} of {str(path)!r} has label {value!r}; labels must be class indices "
                             "(0, 1, ...). Map label names to indices first.") from None


# --- bundled and hub data ------------------------------------------------------------------------------

def rotten_tomatoes(split: str = "test") -> Dataset:
    """The held-out split of the Rotten Tomatoes snippets the bundled default model was trained on."""
    from .default_model import DEFAULT_LABELS, SPLIT_NAMES, SPLIT_SEED, rotten_tomatoes_split

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
    text_key = _column(columns, text_column, TEXT_COLUMNS, "text", Path(name))
    label_key = _column(columns, label_column, LABEL_COLUMNS, "label", Path(name), required=False)
    labels = [None if (label_key is None or int(y) < 0) else int(y) for y in (data[label_key] if label_key else [None] * len(data))]
    names = None
    if label_key is not None and hasattr(data.features[label_key], "names"):
        names = tuple(data.features[label_key].names)
    return Dataset(tuple(data[text_key]), tuple(labels), source=f"hf:{name}:{split}", label_names=names)


# --- selection ----------------------------------------------------------------------------------------

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
                         format=info.get("format"))
    chosen = info.get("selected")
    if chosen is None:
        return data
    return select(data, limit=chosen["limit"], seed=chosen["seed"], max_chars=chosen["max_chars"], shuffle=chosen["shuffled"])


def select(dataset: Dataset, *, limit: int | None = None, seed: int | None = None, max_chars: int | None = None,
           shuffle: bool = False) -> Dataset:
    """Length filter (texts with fewer than ``max_chars`` characters), then a seeded shuffle (when
    ``shuffle``), then the first ``limit`` examples. Empty texts are always dropped."""
    for name, value in (("limit", limit), ("max_chars", max_chars)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise FaithlensError(f"The {name!r} parameter must be a positive int. Got {value!r} instead.")
    index = [i for i, t in enumerate(dataset.texts) if t.strip() and (max_chars is None or len(t) < max_chars)]
    n_filtered = len(index)
    if shuffle:
        random.Random(0 if seed is None else seed).shuffle(index)
    if limit is not None:
        index = index[:limit]
    info = dict(dataset.info, selected={"limit": limit, "seed": seed if shuffle else None, "max_chars": max_chars,
                                        "shuffled": shuffle, "after_filter": n_filtered, "total": len(dataset)})
    return replace(dataset, texts=tuple(dataset.texts[i] for i in index), labels=tuple(dataset.labels[i] for i in index),
                   info=info)
