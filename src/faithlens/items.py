"""What faithlens explains: an item is a text, or a pair of texts (premise and hypothesis, question and context)."""

from __future__ import annotations

Item = str | tuple[str, str]  # a text, or a pair (premise, hypothesis) / (question, context)


def is_item(value: object) -> bool:
    """Whether ``value`` is an `Item`: a str, or a (str, str) pair."""
    return isinstance(value, str) or (isinstance(value, tuple) and len(value) == 2 and all(isinstance(x, str) for x in value))
