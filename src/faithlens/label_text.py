"""The IMDB sample format of TextFooler: ``"<label> <text>"`` per line, a file named ``.txt``. `faithlens.data` reads
it as labelled data (`read_label_text`); ``explain --file`` reads the texts of a file that is in it for certain
(`is_label_text`), never its labels."""

from __future__ import annotations

from pathlib import Path

from .errors import FaithlensError
from .line_endings import file_text

IMDB_LABELS = ("0", "1")


def read_label_text(path: Path, *, kind: str, choose):
    """(text, raw label, line) of each non-blank line of ``path``, as the data reader's readers give rows (``kind``
    and ``choose`` are theirs: the format has no columns to choose)."""
    rows = []
    for line, raw in enumerate(file_text(path).split("\n"), start=1):
        raw = raw.rstrip("\r")
        if not raw.strip():
            continue
        head, _, text = raw.partition(" ")
        if not head.lstrip("-").isdigit() or not text.strip():
            raise FaithlensError(f"Line {line} of {str(path)!r} must be '<label> <text>' (e.g. '1 a fine film'). "
                                 f"Got {raw[:60]!r}.")
        rows.append((text.strip(), head, line))  # read by the rule of every gold label (gold_labels)
    return rows, {"text_column": None, "label_column": None}


def is_label_text(path: Path, content: str) -> bool:
    """Whether a file is, for certain, in the IMDB sample format, so that ``explain --file`` reads its texts without the
    gold labels: named ``.txt`` (the name `faithlens evaluate --data` reads the format by), and every non-blank line is
    ``0 TEXT`` or ``1 TEXT`` (the format's labels), without a tab. ``content``: its text, as `file_text` gives it.
    Lines that merely start with other numbers ("2 dogs run") are plain texts."""
    return path.suffix.lower() == ".txt" and is_label_lines(content)


def is_label_lines(content: str) -> bool:
    """Whether every non-blank line of ``content`` is ``0 TEXT`` or ``1 TEXT`` without a tab: the rule by which a .txt
    file is in the IMDB sample format when its labels are not read (`is_label_text`; `faithlens.data.read_file` with
    ``labels=False``, for audit and the facade analyses); a file otherwise is one text per line."""
    lines = [line.rstrip("\r") for line in content.split("\n") if line.strip()]
    return bool(lines) and all(
        "\t" not in line and line.partition(" ")[0] in IMDB_LABELS and line.partition(" ")[2].strip() for line in lines)
