"""Is this explanation trustworthy? Its own faithfulness, against random orderings of its words.

For each explanation: comprehensiveness, sufficiency and log-odds at evaluate's top-k
(`faithlens.metrics.faithfulness`, the same pure functions and the same perturbations on
ids/embeddings, through the model's task: single texts, pairs, QA, multi-label, causal LMs), and
the same three for ``n_random`` random orderings of its words (seeded; each word's tokens move
together; every ordering's perturbed inputs go through one batched, chunked forward with the
explanation's own). ``beats_random`` is the fraction of orderings whose comprehensiveness the
explanation's exceeds (ties count half). A faithful explanation removes more of the prediction
than a random choice of as many words: Comp well above the random mean, beats close to 1.

The metrics read the model's prediction ŷ on the unmodified input (as evaluate does), whatever
class the explanation targets. With k = 0 (too few tokens for the top-k fraction) nothing is
removed: every number is 0 and ``beats_random`` is None.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import torch

from .baselines import Baseline
from .errors import FaithlensError
from .metrics import DEFAULT_TOPK, PROTOCOLS, encoding_of, explained_classes, faithfulness, scores_on_encoding
from .model import ClassifierModel

DEFAULT_RANDOM = 20
MAX_RANDOM = 1000


def random_word_scores(n_tokens: int, words: Sequence[Sequence[int]], special: Sequence[bool], *, n: int,
                       seed: int) -> torch.Tensor:
    """(n, n_tokens) scores of n random word orderings: every token of a word shares one U(0, 1) draw.

    Attributed tokens outside any word get a draw of their own; special tokens score 0 (never
    chosen: they are not eligible). Seeded per text, so batching and the method never change it."""
    gen = torch.Generator().manual_seed(int(seed))
    owner = torch.full((n_tokens,), -1, dtype=torch.long)
    for w, tokens in enumerate(words):
        owner[list(tokens)] = w
    loose = [t for t in range(n_tokens) if owner[t] < 0 and not special[t]]
    for j, t in enumerate(loose):
        owner[t] = len(words) + j
    draws = torch.rand(n, len(words) + len(loose), generator=gen, dtype=torch.float64)  # (n, units)
    out = torch.zeros(n, n_tokens, dtype=torch.float64)
    used = owner >= 0
    out[:, used] = draws[:, owner[used]]
    return out


def explanation_trust(model: ClassifierModel, explanations: Sequence, *, baseline: Baseline,
                      fraction: float = DEFAULT_TOPK, n_random: int = DEFAULT_RANDOM, seed: int = 0,
                      protocol: str = "standard", rows_per_chunk: int = 64) -> list[dict]:
    """The ``faithfulness`` entry of each explanation (see the module docstring).

    Each dict: ``{"comp", "suff", "log_odds", "k", "fraction", "protocol", "random": {"comp", "suff",
    "log_odds" (means over orderings), "comp_sd", "n", "seed"}, "beats_random"}``; comp, suff and log_odds (and
    their random means) are None when k is 0 (a text too short for the top-k fraction: nothing measured), comp_sd None
    with fewer than two orderings (a spread of one value is undefined). All
    B · (1 + n_random) score rows go through one `metrics.faithfulness` call."""
    check_random(n_random)
    if protocol not in PROTOCOLS:
        from .errors import unknown_choice

        raise unknown_choice("metrics protocol", protocol, PROTOCOLS)
    if not explanations:
        return []
    truncate = any(e.truncated for e in explanations)
    enc = encoding_of(model, explanations, truncate=truncate)
    own = scores_on_encoding(enc, [e.token_scores for e in explanations])  # (B, L)
    B, L = own.shape
    R = n_random
    rows = [own]
    for b, e in enumerate(explanations):
        pos = enc.real_positions(b)
        rand = random_word_scores(len(pos), [w.tokens for w in e.words], e.special, n=R, seed=seed)  # (R, T)
        grid = torch.zeros(R, L, dtype=torch.float64)
        grid[:, pos] = rand
        rows.append(grid)
    scores = torch.cat(rows)  # (B + B·R, L): the explanations first, then each text's R orderings
    index = list(range(B)) + [b for b in range(B) for _ in range(R)]
    classes = explained_classes(model, explanations)  # each text's own target class, not the prediction
    m = faithfulness(model, enc.select(index), scores, baseline=baseline, fraction=fraction, protocol=protocol,
                     rows_per_chunk=rows_per_chunk, target=None if classes is None else classes[index])
    out = []
    for b in range(B):
        r = slice(B + b * R, B + (b + 1) * R)
        own_comp, rcomp = m.comprehensiveness[b], m.comprehensiveness[r]
        comp, k = float(own_comp), int(m.k[b])
        # an ordering removing the same tokens gives the same Comp up to float noise of its row (padding, batch):
        # a tie, whichever side the noise falls on, so a text scores alike alone and in a batch
        tie = torch.isclose(rcomp.double(), own_comp.double().expand_as(rcomp), rtol=1e-5, atol=1e-6)
        wins = int(((own_comp > rcomp) & ~tie).sum()) + 0.5 * int(tie.sum())
        beats = None if k == 0 or R == 0 else wins / R
        measured = k > 0  # k = 0: the text is too short for the top-k fraction; nothing is removed, nothing measured
        out.append({
            "comp": comp if measured else None, "suff": float(m.sufficiency[b]) if measured else None,
            "log_odds": float(m.log_odds[b]) if measured else None, "k": k,
            "fraction": float(fraction), "protocol": protocol,
            "random": {"comp": _mean(rcomp) if measured else None,
                       "suff": _mean(m.sufficiency[r]) if measured else None,
                       "log_odds": _mean(m.log_odds[r]) if measured else None,
                       "comp_sd": float(rcomp.double().std()) if R > 1 and measured else None,  # of < 2: undefined
                       "n": R, "seed": int(seed)},
            "beats_random": beats,
        })
    return out


def with_trust(model: ClassifierModel, explanations: Sequence, **kwargs) -> list:
    """The explanations with their ``faithfulness`` entry filled in (`explanation_trust`)."""
    entries = explanation_trust(model, explanations, **kwargs)
    return [replace(e, faithfulness=f) for e, f in zip(explanations, entries)]


def check_random(n_random: object) -> int:
    if isinstance(n_random, bool) or not isinstance(n_random, int) or not 0 <= n_random <= MAX_RANDOM:
        raise FaithlensError(f"The 'n_random' parameter (random word orderings to compare an explanation with) must be "
                             f"an int in [0, {MAX_RANDOM}], e.g. {DEFAULT_RANDOM}. Got {n_random!r} instead.")
    return n_random


def _mean(x: torch.Tensor) -> float | None:
    return float(x.double().mean()) if len(x) else None
