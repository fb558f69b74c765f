"""The score names F of a single-label classifier; every task's own are in `faithlens.tasks`."""

from __future__ import annotations

from .tasks import SCORE_NAMES, TASKS, ScoreFn

SCORES = SCORE_NAMES


def score_function(name: str) -> ScoreFn:
    """F(outputs, target) -> (R,) of a single-label classifier (see `faithlens.tasks.Task.score`)."""
    return TASKS["classification"].score(name)
