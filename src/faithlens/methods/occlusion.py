"""Occlusion (leave-one-out): a_u = F(w) - F(w with unit u at the baseline). Equals exact SIG."""

from __future__ import annotations

from ..batching import Batch
from ..encoding import unit_masks
from .base import MethodOutput, Options
from .sig import _spread, closed_form_scores


def occlusion(batch: Batch, opts: Options) -> MethodOutput:
    units = unit_masks(batch.enc, opts.unit)
    scores = closed_form_scores(batch, units)
    return MethodOutput(token_scores=_spread(units, scores), units=units, unit_scores=scores, settings={"unit": opts.unit})
