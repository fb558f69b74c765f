"""Input reduction (Feng et al. 2018), as used by FACADE: remove the least important token while
the prediction stays the same (SPEC §8).

Importance is |G_t·w_t| with beam 1 (the FACADE variant) or ‖G_t‖ with beam > 1 (AllenNLP's),
G = ∂CE(f(x), ŷ)/∂w for the *original* prediction ŷ (a class, or a QA answer span). Only the first
text is reduced: a single text, a pair's premise, a QA model's question (SPEC §9). Special tokens
are never removed; a text stops at one token of its first text. Each step evaluates every beam of every unfinished text in one
padded batch (gradients), then every candidate removal in one padded batch (predictions).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import torch

from ..model import ClassifierModel
from .ids import Row, audited_texts, ce_gradients, check_chunk, pad, predict, rows_from_texts, targets_of, warn_truncated
from .targets import stop_word_ids


@dataclass(frozen=True)
class ReductionResult:
    model: str
    beam_size: int
    original: tuple[Row, ...]
    reduced: tuple[Row, ...]
    stop_table: torch.Tensor  # (V,) bool
    tokenizer: object

    def reduced_tokens(self, i: int) -> list[str]:
        """The reduced first text's tokens (a pair's premise, a QA model's question)."""
        r = self.reduced[i]
        return [t for t, s, g in zip(self.tokenizer.convert_ids_to_tokens(r.ids), r.special, r.segments) if not s and g == 0]

    def summary(self, *, examples: int = 5) -> dict:
        lengths, stop_shares, only_stop = [], [], []
        n_tokens = n_stop = 0
        for r in self.reduced:
            kept = [i for i, s, g in zip(r.ids, r.special, r.segments) if not s and g == 0]
            stops = [bool(self.stop_table[i]) for i in kept]
            lengths.append(len(kept))
            stop_shares.append(sum(stops) / len(kept) if kept else 0.0)
            only_stop.append(bool(kept) and all(stops))
            n_tokens += len(kept)
            n_stop += sum(stops)
        n = len(self.reduced)
        original = [o.n_reducible() for o in self.original]
        return {
            "model": self.model, "beam_size": self.beam_size, "n": n,
            "mean_original_length": sum(original) / n if n else float("nan"),
            "mean_reduced_length": sum(lengths) / n if n else float("nan"),
            "stop_word_share": sum(stop_shares) / n if n else float("nan"),  # mean over texts
            "stop_word_share_tokens": n_stop / n_tokens if n_tokens else float("nan"),  # pooled over kept tokens
            "reduced_to_stop_words_only": sum(only_stop) / n if n else float("nan"),
            "examples": [{"reduced": self.reduced_tokens(i)} for i in range(min(examples, n))],
        }


def removal_scores(G: torch.Tensor, W: torch.Tensor, *, beam_size: int) -> torch.Tensor:
    """(R, L) importance: |Σ_d G·w| for beam 1, ‖G‖₂ otherwise."""
    return (G * W).sum(-1).abs() if beam_size == 1 else G.norm(dim=-1)


def next_beams(children: Sequence[tuple[int, Row]], kept: Sequence[bool], beam_size: int) -> dict[int, list[Row]]:
    """Per text b, its next beam: the first ``beam_size`` distinct children (text b, a reduced row) that ``kept`` the
    prediction, in the order given (best removal first). A child equal to an earlier one of its text (another
    removal order reached the same tokens) is skipped, so a beam never holds one reduced text twice."""
    survivors: dict[int, list[Row]] = {}
    seen: set[tuple] = set()
    for (b, child), ok in zip(children, kept):
        key = (b, tuple(child.ids), tuple(child.segments), tuple(child.span or ()))
        if ok and key not in seen and len(survivors.setdefault(b, [])) < beam_size:
            seen.add(key)
            survivors[b].append(child)
    return survivors


MAX_BEAM = 100  # every step evaluates up to beam × tokens candidates per text, a forward pass each


def input_reduction(model: ClassifierModel, texts: Sequence, *, beam_size: int = 1, chunk: int = 64) -> ReductionResult:
    """Reduce every text; returns the last reduced form of each that kept the original prediction. A beam holds
    distinct reduced texts: two removal orders that reach the same text keep one. ``beam_size``: 1..`MAX_BEAM`."""
    from ..errors import FaithlensError
    from ..scalars import as_int

    beam_size = as_int(beam_size)
    if isinstance(beam_size, bool) or not isinstance(beam_size, int) or not 1 <= beam_size <= MAX_BEAM:
        raise FaithlensError(f"The 'beam_size' parameter must be an int from 1 to {MAX_BEAM} (every step evaluates "
                             f"up to beam × tokens candidates per text; the FACADE paper used 1 and AllenNLP 3). Got "
                             f"{beam_size!r} instead.")
    chunk = check_chunk(chunk)
    texts = audited_texts(texts)
    if model.task.name == "causal_lm":
        raise FaithlensError("Input reduction is for classifiers and QA models; a causal LM has no fixed prediction "
                             "to keep.")
    from ..task_inputs import QA_PAIRS_DATA_API, check_data_task

    check_data_task(model, texts, how=QA_PAIRS_DATA_API)  # a QA model's questions with contexts, before any pass
    warn_truncated(model, texts, "input reduction")
    original = rows_from_texts(model, texts)
    first = pad(model, original)
    labels = predict(model, first)  # (N, T)
    if model.task.name == "qa":  # the answer span, in each row's own positions; removals before it move it
        original = [replace(r, span=(labels[i] - first.offset[i]).tolist()) for i, r in enumerate(original)]
    beams: list[list[Row]] = [[r] for r in original]
    best: list[Row] = list(original)
    while True:
        active = [(b, beam) for b, bs in enumerate(beams) for beam in bs if beam.n_reducible() > 1]
        if not active:
            break
        owners = torch.tensor([b for b, _ in active])
        rows = [beam for _, beam in active]
        batch = pad(model, rows)
        _, W, G = ce_gradients(model, batch, targets_of(rows, batch, labels[owners]), chunk=chunk)
        score = removal_scores(G, W, beam_size=beam_size).masked_fill(~batch.reducible, float("inf"))  # (R, L)
        children: list[tuple[int, Row]] = []
        for r, (b, beam) in enumerate(active):
            order = torch.argsort(score[r], stable=True)[:min(beam_size, beam.n_reducible())]
            children += [(b, beam.remove(int(p) - int(batch.offset[r]))) for p in order.tolist()]
        kids = [c for _, c in children]
        kid_batch = pad(model, kids)
        kept_pred = predict(model, kid_batch, chunk=chunk * 2)
        expected = targets_of(kids, kid_batch, labels[torch.tensor([b for b, _ in children])])
        survivors = next_beams(children, [y == want for y, want in zip(kept_pred.tolist(), expected.tolist())],
                               beam_size)
        for b in {b for b, _ in active}:
            beams[b] = survivors.get(b, [])
            if beams[b]:
                best[b] = beams[b][0]
    return ReductionResult(model=model.name, beam_size=beam_size, original=tuple(original), reduced=tuple(best),
                           stop_table=stop_word_ids(model), tokenizer=model.tokenizer)
