"""Seeded holdout splits: which example indices, or which whole groups (a SQuAD file's articles), are held out.
`faithlens train --holdout` splits this way, so an audit can re-open the same test split; `data.holdout` applies
these to a dataset and `qa.split_by_article` to SQuAD examples."""

from __future__ import annotations

import random
from collections.abc import Sequence

from .errors import FaithlensError


MAX_SEED = 2**32 - 1  # the range of every seed (options.MAX_SEED): numpy's generator takes seeds below 2**32


def _check_seed(seed: object) -> None:
    """A split's seed: an int (or a NumPy/torch integer scalar) in [0, MAX_SEED]. Raises FaithlensError."""
    import operator

    value = None if isinstance(seed, bool) or not hasattr(seed, "__index__") else operator.index(seed)
    if value is None or not 0 <= value <= MAX_SEED:
        raise FaithlensError(f"The 'seed' parameter must be an int in [0, {MAX_SEED:,}]; got {type(seed).__name__} "
                             f"{seed!r:.40}. Pass e.g. seed=0.")


def holdout_split(n: int, fraction: float, seed: int = 0) -> tuple[list[int], list[int]]:
    """(kept, held out) example indices: a seeded shuffle, round(fraction · n) held out, both sorted.

    `faithlens train --holdout` splits this way, so an audit can re-open the same test split.
    """
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction < 1:
        raise FaithlensError(f"The holdout fraction must be a number in (0, 1), e.g. 0.2. Got {fraction!r}.")
    _check_seed(seed)
    index = list(range(n))
    random.Random(seed).shuffle(index)
    n_test = int(round(fraction * n))
    return sorted(index[n_test:]), sorted(index[:n_test])


def group_holdout(groups: Sequence[str], fraction: float, seed: int = 0, *, source: str | None = None) -> set[str]:
    """Whole groups held out: a seeded shuffle of the sorted group names, taken until ~fraction of the examples.
    ``source`` (the data file) is named in the error for fewer than two groups."""
    import collections

    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction < 1:
        raise FaithlensError(f"The holdout fraction must be a number in (0, 1), e.g. 0.2. Got {fraction!r}.")
    _check_seed(seed)
    names = sorted(set(groups))
    if len(names) < 2:
        where = f"{source!r} has" if source else "The data has"
        raise FaithlensError(f"{where} {len(names)} article{'s' * (len(names) != 1)}"
                             f"{f' ({names[0]!r})' if names else ''}; holding out whole articles (--holdout) needs at "
                             "least two, so no question of the held-out part shares an article with training. Drop "
                             "--holdout, or give held-out data as its own file (train: --test FILE).")
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
