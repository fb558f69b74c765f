"""Two colour scales for every view. Signed scores: green supports the target, red opposes it.
Unsigned scores (magnitudes with no direction, e.g. saliency): one blue scale, white at 0.

Backgrounds are pale to strong tints carrying black text, so a coloured word reads the same on
light and dark themes. Intensity follows √|score| (capped at 1): a word with a tenth of the
largest score is still visibly tinted instead of looking white.
"""

from __future__ import annotations

import math

SUPPORT = (80, 255, 80)  # the strongest tints: the legend's colours
OPPOSE = (255, 80, 80)
MAGNITUDE = (80, 160, 255)  # the strongest tint of the unsigned (magnitude) scale
TEXT_ON_TINT = (0, 0, 0)  # black text on every tint


def rgb(score: float, signed: bool = True) -> tuple[int, int, int]:
    """Background colour of a normalised score in [-1, 1]: white at 0, SUPPORT at +1, OPPOSE at -1;
    for unsigned scores (``signed=False``) one MAGNITUDE scale by |score|."""
    if not math.isfinite(score):
        return (255, 255, 255)
    strength = math.sqrt(min(1.0, abs(score)))
    if not signed:
        return tuple(int(round(255 - (255 - c) * strength)) for c in MAGNITUDE)  # type: ignore[return-value]
    fade = int(round(255 - 175 * strength))
    return (fade, 255, fade) if score >= 0 else (255, fade, fade)


def css(score: float, signed: bool = True) -> str:
    return "rgb({},{},{})".format(*rgb(score, signed))
