"""User-facing errors: each says what was expected, what was received and how to fix it."""

from __future__ import annotations

from collections.abc import Iterable


class FaithlensError(Exception):
    """An error caused by the caller's input or environment, shown without a traceback."""


class FaithlensWarning(UserWarning):
    """Something the caller should know that did not stop the work (e.g. a damaged record line set aside)."""


def unknown_choice(what: str, got: object, valid: Iterable[str]) -> FaithlensError:
    """The error for a name that is not one of the valid choices."""
    choices = ", ".join(sorted(valid))
    return FaithlensError(f"Unknown {what} {got!r}. Valid choices: {choices}.")


def quoted(value: object, limit: int = 60) -> str:
    """A user's value as a message quotes it: its repr, cut to about ``limit`` characters with '...' when longer, a
    text's length named (a 5,000-character --answer is not echoed whole)."""
    shown = repr(value)
    if len(shown) <= limit + 2:
        return shown
    if isinstance(value, str):
        return f"{value[:limit - 3]!r}... ({len(value):,} characters)"
    return shown[:limit - 3] + "..."
