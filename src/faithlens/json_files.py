"""Reading JSON data files with one rule for an object that names a key twice.

``json.loads`` keeps the last value of a repeated key in silence, so ``{"text": "a", "label": 1, "label": 0}`` would be
read as label 0 with nothing said. Every JSON data file faithlens reads (JSON lines, a JSON list, SQuAD files,
rationale files, an explanation's JSON) goes through :func:`loads`, which refuses such an object naming the key.
Labelled data files keep each number with a fraction or an exponent (and NaN, Infinity) as written (`WrittenFloat`),
so a message names ``1e0`` or ``1e400`` as the file does. :func:`content_digest` is the one digest of a record
faithlens writes (evaluate's records lines and settings.json, an explanation's JSON).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .errors import FaithlensError


class WrittenFloat(float):
    """A JSON number with a fraction or an exponent that keeps its text: its repr is the number as the file writes it
    (``1e0``, not ``1.0``), for messages about a data file's values."""

    text: str

    def __new__(cls, text: str) -> WrittenFloat:
        number = super().__new__(cls, text)
        number.text = text
        return number

    def __repr__(self) -> str:
        return self.text


def loads(text: str | bytes, *, where: str, as_written: bool = False, parse_int: Callable[[str], Any] | None = None,
          parse_constant: Callable[[str], Any] | None = None) -> Any:
    """``json.loads(text)``, refusing an object that names a key twice. ``where`` names the text in the refusal
    ("Line 3 of 'd.jsonl'", "'squad.json'"); ``as_written``: numbers with a fraction or an exponent are
    `WrittenFloat`, shown as the file writes them. Raises FaithlensError for a repeated key and lets
    ``json.JSONDecodeError`` through for text that is not JSON (each caller says what it expected); a value nested more
    than `MAX_DEPTH` levels is a FaithlensError. ``parse_int``, ``parse_constant``: as for ``json.loads`` (an
    explanation refuses NaN and integers past the float range as it reads them).

    A leading byte order mark (U+FEFF) is skipped in a str as ``json.loads`` skips it in bytes, and as the files read
    with "utf-8-sig" skip it: one rule, so ``open(p).read()`` of a file an editor saved with a BOM loads too."""

    def one_value_per_key(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        record: dict[str, Any] = {}
        for key, value in pairs:
            if key in record:
                raise FaithlensError(f"{where} names the key {key!r} twice in one object, so which value to read is "
                                     "unclear (JSON readers keep the last in silence). Remove or rename one of them.")
            record[key] = value
        return record

    def too_deep() -> FaithlensError:
        return FaithlensError(f"{where} nests arrays or objects more than {MAX_DEPTH} levels deep; no faithlens input "
                              "nests more than a few (a list of texts, an object of fields). Send flat values.")

    if isinstance(text, str) and text.startswith("\ufeff"):  # json.loads refuses it in a str ("Unexpected UTF-8 BOM")
        text = text[1:]
    try:
        value = json.loads(text, object_pairs_hook=one_value_per_key, parse_float=WrittenFloat if as_written else None,
                           parse_int=parse_int,  # NaN, Infinity: shown as written too
                           parse_constant=parse_constant or (WrittenFloat if as_written else None))
    except RecursionError:
        raise too_deep() from None
    if _depth(value) > MAX_DEPTH:  # parsed, but code that walks it would recurse as deep
        raise too_deep()
    return value


MAX_DEPTH = 64  # levels of nested arrays and objects any JSON input may have (SQuAD's deepest is 5)


def _depth(value: Any) -> int:
    """How many levels of arrays and objects nest in ``value`` (0 for a number or string), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, (list, dict)):
            level += 1
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:
                stack.extend((child, level) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def jsonl_records(path: Path, *, example: str, as_written: bool = False) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value) of each non-blank line of a JSON-lines file; a line that is not JSON, or whose
    object names a key twice (:func:`loads`), is a FaithlensError naming it, with ``example`` as the line the caller
    expects (``as_written``: as :func:`loads`)."""
    with path.open(encoding="utf-8-sig") as handle:
        for line, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                yield line, loads(raw, where=f"Line {line} of {str(path)!r}", as_written=as_written)
            except json.JSONDecodeError as exc:
                raise FaithlensError(f"Line {line} of {str(path)!r} is not valid JSON ({exc.msg}). "
                                     f"Each line must be one JSON object, e.g. {example}.") from None


def content_digest(record: dict, *, key: str = "digest") -> str:
    """SHA-256 (hex) of a record's canonical JSON without its own ``key``: keys sorted, no spaces, UTF-8, floats as
    Python writes them (exact on a JSON round trip), so the record read back from its written text gives the same
    digest. Raises ValueError for a non-finite number, TypeError for keys of mixed types."""
    body = {k: v for k, v in record.items() if k != key}
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
