"""Reading JSON data files with one rule for an object that names a key twice.

``json.loads`` keeps the last value of a repeated key in silence, so ``{"text": "a", "label": 1, "label": 0}`` would be
read as label 0 with nothing said. Every JSON data file faithlens reads (JSON lines, a JSON list, SQuAD files,
rationale files) goes through :func:`loads`, which refuses such an object naming the key.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import FaithlensError


def loads(text: str, *, where: str) -> Any:
    """``json.loads(text)``, refusing an object that names a key twice. ``where`` names the text in the refusal
    ("Line 3 of 'd.jsonl'", "'squad.json'"). Raises FaithlensError for a repeated key and lets
    ``json.JSONDecodeError`` through for text that is not JSON (each caller says what it expected)."""

    def one_value_per_key(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        record: dict[str, Any] = {}
        for key, value in pairs:
            if key in record:
                raise FaithlensError(f"{where} names the key {key!r} twice in one object, so which value to read is "
                                     "unclear (JSON readers keep the last in silence). Remove or rename one of them.")
            record[key] = value
        return record

    return json.loads(text, object_pairs_hook=one_value_per_key)


def jsonl_records(path: Path, *, example: str) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value) of each non-blank line of a JSON-lines file; a line that is not JSON, or whose
    object names a key twice (:func:`loads`), is a FaithlensError naming it, with ``example`` as the line the caller
    expects."""
    with path.open(encoding="utf-8-sig") as handle:
        for line, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                yield line, loads(raw, where=f"Line {line} of {str(path)!r}")
            except json.JSONDecodeError as exc:
                raise FaithlensError(f"Line {line} of {str(path)!r} is not valid JSON ({exc.msg}). "
                                     f"Each line must be one JSON object, e.g. {example}.") from None
