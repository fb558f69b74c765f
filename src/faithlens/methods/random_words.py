"""A seeded random ordering of the words: the baseline a faithful method must beat (`faithlens evaluate`'s `random` row).

Every word (tokenizer word, per segment of a pair) gets one U(0, 1) draw shared by its tokens;
each text's generator is seeded with ``seed`` alone, so the scores do not depend on the batch.
The scores have no direction and no relation to the model: a method whose comprehensiveness is
not above this row's removes no more of the prediction than chance.
"""

from __future__ import annotations

import torch

from ..batching import Batch
from ..encoding import unit_masks
from .base import MethodOutput, Options


def random_words(batch: Batch, opts: Options) -> MethodOutput:
    units = unit_masks(batch.enc, "word")  # (B, U, L)
    B, U, L = units.shape
    scores = torch.zeros(B, L, dtype=torch.float64)
    for b in range(B):  # one generator per text: the same draws however texts are batched
        draws = torch.rand(U, generator=torch.Generator().manual_seed(int(opts.seed)), dtype=torch.float64)  # (U,)
        scores[b] = (units[b].to(torch.float64) * draws[:, None]).sum(0)  # (L,)
    return MethodOutput(token_scores=scores.to(batch.W.dtype), settings={"seed": int(opts.seed), "unit": "word"})
