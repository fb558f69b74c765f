"""One colour scale for every view: green supports the target class, red opposes it."""

from __future__ import annotations


def rgb(score: float) -> tuple[int, int, int]:
    """Colour of a normalised score; intensity grows with |score| (capped at 1)."""
    fade = int(255 - 175 * min(1.0, abs(score)))
    return (fade, 255, fade) if score >= 0 else (255, fade, fade)
