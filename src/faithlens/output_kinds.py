"""Which existing files a single-file output (--html, audit's reports, rationales --out, the facade analyses' --out)
may replace: only its own kind (`SAME_KIND`), and never a file of that suffix that holds data or another document
(`not_an_output`), so that a report never takes the place of a data file, a script or a README."""

from __future__ import annotations

import json
from pathlib import Path

SAME_KIND = {".html": (".html", ".htm"), ".md": (".md", ".markdown")}  # the suffixes an output of a suffix replaces
DATA_KEYS = {"text", "sentence", "premise", "hypothesis", "question", "context", "label", "review", "content"}
REPORT_TITLE = "# faithlens audit"  # the first line of an audit's Markdown report (`audit.report.render_markdown`)


def not_an_output(path: Path) -> str | None:
    """What an existing file of an output's suffix holds when it is no faithlens output: data (a SQuAD-format file,
    JSON records of texts or labels without rationale spans) or a Markdown document that is no audit report. None
    for anything else (an output written before, an empty or unreadable file)."""
    try:
        head = path.read_text(encoding="utf-8-sig", errors="replace")[:1 << 20].lstrip()
    except OSError:
        return None
    if path.suffix.lower() in (".md", ".markdown"):
        return "a Markdown document" if head and not head.startswith(REPORT_TITLE) else None
    if head.startswith("{") and '"paragraphs"' in head and '"data"' in head[:4096]:
        return "SQuAD-format data"
    try:  # the first JSON value of the file (a .json list: its first item; JSON lines: the first line)
        first = head[1:].lstrip() if head.startswith("[") else head
        value = json.JSONDecoder().raw_decode(first)[0] if first else None
    except ValueError:
        return None
    if isinstance(value, dict) and DATA_KEYS & set(value) and not {"spans", "words"} & set(value):
        return "data (records of texts or labels)"
    return None


def refusal(path: Path, suffix: str) -> str | None:
    """Why an existing file at ``path`` is not replaced by an output written with ``suffix`` (None: it may be): a file
    of another suffix (`SAME_KIND`), or one of that suffix that holds data or a document (`not_an_output`)."""
    if not path.is_file():
        return None
    kinds = SAME_KIND.get(suffix, (suffix,))
    if path.suffix.lower() not in kinds:  # replaced only by its own kind: never a data file or a script
        ending = f"ends in {path.suffix!r}" if path.suffix else "has no suffix"
        return (f"is an existing file that {ending}, not a {suffix} file: writing there would replace it. Pass a name "
                f"ending in {suffix} (an existing {suffix} file is replaced), or move the file away first")
    held = not_an_output(path)
    if held is not None:
        return (f"is an existing file that holds {held}, not a faithlens output: writing there would replace it. Pass "
                "a new file name, or move the file away first")
    return None
