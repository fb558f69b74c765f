"""What is differentiated: named score functions F(logits, target) -> (R,)."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from .errors import unknown_choice

ScoreFn = Callable[[Tensor, Tensor], Tensor]


def target_logit(logits: Tensor, target: Tensor) -> Tensor:
    return logits.gather(1, target[:, None]).squeeze(1)


def max_logit(logits: Tensor, target: Tensor) -> Tensor:
    return logits.max(dim=1).values


def target_prob(logits: Tensor, target: Tensor) -> Tensor:
    return torch.softmax(logits, dim=1).gather(1, target[:, None]).squeeze(1)


def target_log_prob(logits: Tensor, target: Tensor) -> Tensor:
    return torch.log_softmax(logits, dim=1).gather(1, target[:, None]).squeeze(1)


SCORES: dict[str, ScoreFn] = {
    "logit": target_logit,
    "max_logit": max_logit,
    "prob": target_prob,
    "log_prob": target_log_prob,
}


def score_function(name: str) -> ScoreFn:
    if name not in SCORES:
        raise unknown_choice("score", name, SCORES)
    return SCORES[name]
