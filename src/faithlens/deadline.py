"""A cooperative time limit for long computations (used by the web app: one request, one limit).

    with deadline(30.0, what="this request"):
        explainer.explain(text, "sig")      # raises DeadlineExceeded at the next chunk after 30 s

`check()` is called between chunks of rows (`Batch.chunks`), so every method that evaluates its
rows in chunks stops within one chunk of the limit; nothing is interrupted mid-chunk and no state
is left half-written. The limit lives in a context variable: each thread (each web request) has
its own, and code outside any `deadline` block never stops.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterator

from .errors import FaithlensError

_DEADLINE: contextvars.ContextVar[tuple[float, float, str] | None] = contextvars.ContextVar("faithlens_deadline", default=None)


class DeadlineExceeded(FaithlensError):
    """The computation ran past the time limit set by `deadline`."""

    def __init__(self, seconds: float, what: str):
        self.seconds = seconds
        super().__init__(f"Stopped: {what} ran past its time limit of {seconds:g} s. Explain a shorter text, fewer "
                         "texts or methods, or fewer steps/samples (or run `faithlens explain` on the command line, "
                         "which has no time limit).")


@contextlib.contextmanager
def deadline(seconds: float | None, *, what: str = "the computation") -> Iterator[None]:
    """Within the block, `check()` raises `DeadlineExceeded` once `seconds` have passed (None: no limit).

    Nested blocks keep the earlier of the two limits.
    """
    if seconds is None:
        yield
        return
    if not seconds > 0:
        raise FaithlensError(f"A time limit must be a positive number of seconds. Got {seconds!r}.")
    end = time.monotonic() + float(seconds)
    outer = _DEADLINE.get()
    if outer is not None and outer[0] <= end:
        token = _DEADLINE.set(outer)
    else:
        token = _DEADLINE.set((end, float(seconds), what))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def remaining() -> float | None:
    """Seconds left under the innermost active limit; None outside any `deadline` block."""
    current = _DEADLINE.get()
    return None if current is None else current[0] - time.monotonic()


def check() -> None:
    """Raise `DeadlineExceeded` if the active time limit has passed; free when none is set."""
    current = _DEADLINE.get()
    if current is not None and time.monotonic() > current[0]:
        raise DeadlineExceeded(current[1], current[2])
