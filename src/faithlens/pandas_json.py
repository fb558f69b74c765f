"""A .json file that pandas' ``DataFrame.to_json`` wrote with another layout than records (its default for a DataFrame
is ``orient='columns'``): recognised so the refusal names the writer's call that gives what faithlens reads, instead of
a generic "not a list" or a SQuAD reading of ``orient='split'`` / ``'table'``, whose top level also holds a "data" list.
"""

from __future__ import annotations

from .errors import FaithlensError

FIX = ("faithlens reads a table of records: write it with df.to_json(path, orient='records', lines=True) to a .jsonl "
       "file, or orient='records' to a .json file (or df.to_csv(path, index=False) to a .csv file).")


def pandas_layout(data: object) -> str | None:
    """The ``orient`` pandas' ``DataFrame.to_json`` wrote ``data`` (a parsed .json file) with, or None when it does not
    look like one: 'split' ({"columns", "index", "data": [[...]]}), 'table' ({"schema": {"fields"}, "data"}),
    'columns' or 'index' (an object of objects that all hold the same keys), 'values' (a list of lists)."""
    if isinstance(data, list) and data and all(isinstance(row, list) for row in data):
        return "values"  # rows without their column names
    if not isinstance(data, dict) or not data:
        return None
    if "columns" in data and set(data) <= {"columns", "index", "data"} and isinstance(data.get("data"), list) \
            and all(isinstance(row, list) for row in data["data"]):
        return "split"
    if isinstance(data.get("schema"), dict) and "fields" in data["schema"] and isinstance(data.get("data"), list):
        return "table"
    inner = list(data.values())
    if all(isinstance(v, dict) and v for v in inner) and len({tuple(v) for v in inner}) == 1:
        return "columns' or 'index"  # an object of columns (index -> value) or of rows (column -> value)
    return None


def check_not_pandas(data: object, where: str) -> None:
    """Refuse a pandas layout other than records, naming it and the call that writes records (see `pandas_layout`)."""
    orient = pandas_layout(data)
    if orient is not None:
        raise FaithlensError(f"{where} looks like pandas' DataFrame.to_json(orient='{orient}') output "
                             f"({_said[orient] if orient in _said else 'not a list of records'}): {FIX}")


_said = {"columns' or 'index": "its default for a DataFrame", "values": "rows without their column names"}
