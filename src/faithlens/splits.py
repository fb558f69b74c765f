"""Seeded holdout splits: which example indices, or which whole groups (a SQuAD file's articles), are held out.
`faithlens train --holdout` splits this way, so an audit can re-open the same test split; `data.holdout` applies
these to a dataset and `qa.split_by_article` to SQuAD examples."""

from __future__ import annotations

import random
from collections.abc import Sequence

from .errors import FaithlensError


def holdout_split(n: int, fraction: float, seed: int = 0) -> tuple[list[int], list[int]]:
    """(kept, held out) example indices: a seeded shuffle, round(fraction · n) held out, both sorted.

    `faithlens train --holdout` splits this way, so an audit can re-open the same test split.
    """
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction < 1:
        raise FaithlensError(f"The holdout fraction must be a number in (0, 1), e.g. 0.2. Got {fraction!r}.")
    index = list(range(n))
    random.Random(seed).shuffle(index)
    n_test = int(round(fraction * n))
    return sorted(index[n_test:]), sorted(index[:n_test])


def group_holdout(groups: Sequence[str], fraction: float, seed: int = 0) -> set[str]:
    """Whole groups held out: a seeded shuffle of the sorted group names, taken until ~fraction of the examples."""
    import collections

    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction < 1:
        raise FaithlensError(f"The holdout fraction must be a number in (0, 1), e.g. 0.2. Got {fraction!r}.")
    names = sorted(set(groups))
    if len(names) < 2:
        raise FaithlensError("Holding out whole groups (articles) needs at least two of them.")
    random.Random(seed).shuffle(names)
    sizes = collections.Counter(groups)
    held: set[str] = set()
    count = 0
    for name in names:
        if count >= fraction * len(groups) or len(held) == len(names) - 1:
            break
        held.add(name)
        count += sizes[name]
    return held
