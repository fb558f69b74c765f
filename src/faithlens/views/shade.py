"""One colour scale for every view: green supports the target class, red opposes it.

Backgrounds are pale to strong tints carrying black text, so a coloured word reads the same on
light and dark themes. Intensity follows √|score| (capped at 1): a word with a tenth of the
largest score is still visibly tinted instead of looking white.
"""

from __future__ import annotations

import math

SUPPORT = (80, 255, 80)  # the strongest tints: the legend's colours
OPPOSE = (255, 80, 80)
TEXT_ON_TINT = (0, 0, 0)  # black text on every tint


def rgb(score: float) -> tuple[int, int, int]:
    """Background colour of a normalised score in [-1, 1]: white at 0, SUPPORT at +1, OPPOSE at -1."""
    if not math.isfinite(score):
        return (255, 255, 255)
    fade = int(round(255 - 175 * math.sqrt(min(1.0, abs(score)))))
    return (fade, 255, fade) if score >= 0 else (255, fade, fade)


def css(score: float) -> str:
    return "rgb({},{},{})".format(*rgb(score))
