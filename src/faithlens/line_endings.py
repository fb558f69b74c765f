"""Where the lines of a file end, the one rule of every reader of lines (the TSV, CSV and IMDB sample readers of
`faithlens.data`, explain's plain files and standard input): at ``\\n`` or ``\\r\\n``, and at a lone ``\\r`` only in a
file with no ``\\n`` at all (old Mac line endings); elsewhere a lone ``\\r`` stays inside its line, as the README says."""

from __future__ import annotations

import re
from pathlib import Path

_LONE_CR = re.compile(r"\r(?!\n)")


def old_mac_lines(content: str) -> str:
    """``content`` (a file's text, read with ``newline=""``) with its line endings as ``\\n``: a text with no ``\\n``
    at all whose lines end in a lone ``\\r`` (old Mac line endings: ``text\\rgreat fun\\r``, a ``\\r`` before its last
    character) has each ``\\r`` made a ``\\n``. A file with a ``\\n`` is left as it is: there a lone ``\\r`` stays
    inside its text (`text_lines.items_from_lines`). So a file is never read as one text holding its whole content."""
    if "\n" in content or "\r" not in content.rstrip("\r"):
        return content
    return content.replace("\r", "\n")


def file_text(path: Path) -> str:
    """The text of a file, its lines ending as `old_mac_lines` makes them: split it at ``\\n`` (dropping the ``\\r`` of
    ``\\r\\n``)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return old_mac_lines(handle.read())


def hold_lone_cr(content: str) -> tuple[str, str | None]:
    """(``content`` with each lone ``\\r`` made a character it does not hold, that character): the csv module ends a
    row at any ``\\r``, so a lone one is held while the rows are split, and given back to its field after
    (``field.replace(held, "\\r")``). (``content``, None) where it has no lone ``\\r``."""
    if not _LONE_CR.search(content):
        return content, None
    held = next(chr(c) for c in range(0xE000, 0xF900) if chr(c) not in content)  # a private-use character
    return _LONE_CR.sub(held, content), held
