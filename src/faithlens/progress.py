"""Progress with an ETA for long explanations, reported from the one loop every method runs its rows in.

    with progress(f"sig on {n} texts"):      # a tqdm bar on stderr, shown only after 2 s of work
        explainer.explain(texts, "sig")

`Batch.chunks` calls `expect(n_rows)` when a method starts a batch of rows and `advance(rows)`
after each chunk, so the bar counts the forward (and backward) passes of every method, whatever
its maths. Outside a `progress` block both calls do nothing. The bar lives in a context variable:
threads (web requests) never share one.
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
from collections.abc import Iterator

_BAR: contextvars.ContextVar[object | None] = contextvars.ContextVar("faithlens_progress", default=None)
DELAY = 2.0  # seconds of work before a bar appears: quick explanations print nothing


@contextlib.contextmanager
def progress(description: str, *, enabled: bool = True, delay: float = DELAY) -> Iterator[None]:
    """Show a bar of model passes (rows) with an ETA for the work inside the block, on stderr."""
    if not enabled:
        yield
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=0, desc=description, unit="row", delay=delay, file=sys.stderr, dynamic_ncols=True, leave=False)
    token = _BAR.set(bar)
    try:
        yield
    finally:
        _BAR.reset(token)
        bar.close()
        clear_line()


def clear_line(stream=None) -> None:
    """Erase what a bar left on a terminal's current line (a bar wider than a narrowed window wraps, and closing it
    clears only its last row), so the result printed next starts on a clean line, never as "p|rediction"."""
    stream = stream or sys.stderr
    if hasattr(stream, "isatty") and stream.isatty():
        stream.write("\r\x1b[K")
        stream.flush()


def expect(rows: int) -> None:
    """More rows are coming (a method started a batch of rows)."""
    bar = _BAR.get()
    if bar is not None and rows > 0:
        bar.total += rows
        bar.refresh()


def advance(rows: int) -> None:
    """`rows` rows were evaluated."""
    bar = _BAR.get()
    if bar is not None:
        bar.update(rows)


def wanted(stream=None) -> bool:
    """Bars by default only on an interactive terminal (pipes and logs stay clean)."""
    stream = stream or sys.stderr
    return hasattr(stream, "isatty") and stream.isatty()
