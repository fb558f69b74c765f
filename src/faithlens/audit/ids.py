"""Id-level helpers shared by input reduction and HotFlip: rows of ids, padding, loss gradients.

A text (or pair, or question with its context) is held as its own row of ids (specials included),
token-type ids and segment ids; removing or replacing a token edits those rows directly, never
decoding and re-tokenising. Each row carries its prediction as a task target (`faithlens.tasks`):
a class, or a QA answer span whose token positions follow the removals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from ..model import ClassifierModel


@dataclass
class Row:
    ids: list[int]
    types: list[int] | None
    special: list[bool]
    segments: list[int]  # 0 / 1: first / second text of a pair; -1 special
    span: list[int] | None = None  # QA: the answer's first and last token, kept in step with removals

    def remove(self, position: int) -> Row:
        keep = lambda xs: None if xs is None else xs[:position] + xs[position + 1:]  # noqa: E731
        span = None if self.span is None else [p - (p > position) for p in self.span]
        return Row(keep(self.ids), keep(self.types), keep(self.special), keep(self.segments), span)

    def replace(self, position: int, new_id: int) -> Row:
        ids = list(self.ids)
        ids[position] = new_id
        return Row(ids, self.types, self.special, self.segments, self.span)

    @property
    def n_attributed(self) -> int:
        return sum(not s for s in self.special)

    def n_reducible(self) -> int:
        """Tokens input reduction may remove: the first text (a pair's premise, a QA model's question)."""
        return sum(not s and g == 0 for s, g in zip(self.special, self.segments))


def audited_texts(texts: object) -> list:
    """The texts an audit entry point (`audit`, `hotflip`, `input_reduction`, `saliency_manipulation`, `agreement`)
    reads, by explain's one rule (`encoding.as_items`): a str is one text and a tuple one pair, a generator or iterator
    is read once into a list, a set (no order), a dict or bytes is refused; then every item is checked
    (`encoding.check_texts`: at least one, none empty)."""
    from ..encoding import as_items, check_texts

    items, _ = as_items(texts)
    check_texts(items)
    return items


def warn_truncated(model, texts: Sequence, what: str) -> int:
    """Before any pass: a classifier's texts longer than its limit, which ``what`` (e.g. 'facade hotflip') reads by
    their first tokens, counted in a warning, never cut in silence (explain and audit refuse them unless --truncate);
    a QA context is split into windows, so nothing is cut. Returns how many are cut."""
    import warnings

    from ..errors import FaithlensWarning
    from ..text_origins import token_lengths

    if model.task.name not in ("classification", "multi_label"):
        return 0
    cut = [i for i, n in enumerate(token_lengths(model, texts)) if n > model.max_length]
    if cut:
        warnings.warn(f"{len(cut)} of {len(texts)} texts are longer than {model.name!r}'s limit of {model.max_length} "
                      f"tokens (first: text {cut[0]}); {what} reads their first {model.max_length} tokens only. Shorten "
                      "those texts, or leave them out of the data, to measure whole texts.", FaithlensWarning, stacklevel=3)
    return len(cut)


def check_chunk(chunk: object) -> int:
    """``chunk`` (rows per forward/backward pass) is a positive int."""
    from ..errors import FaithlensError
    from ..scalars import as_int

    chunk = as_int(chunk)  # a NumPy or torch integer: the int it holds
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise FaithlensError(f"The 'chunk' parameter (rows per pass) must be a positive int, e.g. 64. "
                             f"Got {chunk!r} instead.")
    return chunk


def rows_from_texts(model: ClassifierModel, texts: Sequence, *, truncate: bool = True) -> list[Row]:
    """One row per item (text, pair, or (question, context): the window a QA model answers from)."""
    from ..task_inputs import encode_items

    enc, _ = encode_items(model, list(texts), truncate=truncate)
    rows = []
    for j in range(len(texts)):
        pos = enc.real_positions(j)
        types = None if enc.token_type_ids is None else enc.token_type_ids[j, pos].tolist()
        rows.append(Row(enc.input_ids[j, pos].tolist(), types, enc.special_mask[j, pos].tolist(),
                        enc.segment_ids[j, pos].tolist()))
    return rows


@dataclass(frozen=True)
class Padded:
    input_ids: Tensor  # (R, L)
    attention_mask: Tensor  # (R, L)
    token_type_ids: Tensor | None
    position_ids: Tensor | None
    special: Tensor  # (R, L) bool, True also at padding
    offset: Tensor  # (R,) index of each row's first real token (left padding for causal models)
    segments: Tensor  # (R, L) long, -1 at specials and padding

    @property
    def attributed(self) -> Tensor:
        return self.attention_mask.bool() & ~self.special

    @property
    def segment_ids(self) -> Tensor:
        return self.segments

    @property
    def reducible(self) -> Tensor:
        """(R, L) bool: tokens of the first text (all attributed tokens of a single text)."""
        return self.attributed & (self.segments == 0)


def pad(model: ClassifierModel, rows: Sequence[Row]) -> Padded:
    """Pad rows to one batch: right padding, or left padding with position ids for causal models."""
    L = max(len(r.ids) for r in rows)
    R = len(rows)
    pad_id = model.tokenizer.pad_token_id or 0
    ids = torch.full((R, L), pad_id, dtype=torch.long)
    mask = torch.zeros((R, L), dtype=torch.long)
    special = torch.ones((R, L), dtype=torch.bool)
    segments = torch.full((R, L), -1, dtype=torch.long)
    has_types = rows[0].types is not None
    types = torch.zeros((R, L), dtype=torch.long) if has_types else None
    offset = torch.zeros(R, dtype=torch.long)
    for i, r in enumerate(rows):
        n = len(r.ids)
        start = L - n if model.is_causal else 0
        offset[i] = start
        ids[i, start:start + n] = torch.tensor(r.ids)
        mask[i, start:start + n] = 1
        special[i, start:start + n] = torch.tensor(r.special)
        segments[i, start:start + n] = torch.tensor(r.segments)
        if has_types:
            types[i, start:start + n] = torch.tensor(r.types)
    position_ids = (mask.cumsum(1) - 1).clamp(min=0) if model.is_causal else None
    return Padded(ids, mask, types, position_ids, special, offset, segments)


def targets_of(rows: Sequence[Row], batch: Padded, labels: Tensor) -> Tensor:
    """(R, T) targets: each row's class (labels, (R, 1)), or its QA span moved to padded positions."""
    if rows and rows[0].span is not None:
        return torch.tensor([r.span for r in rows]) + batch.offset[:, None]
    return labels


def ce_gradients(model: ClassifierModel, batch: Padded, targets: Tensor, *, chunk: int = 64) -> tuple[Tensor, Tensor, Tensor]:
    """Outputs (R, K), word embeddings W (R, L, D) and G = ∂CE_r/∂w_r (R, L, D), CE_r = −log p(target_r).

    The cross-entropy of the row's prediction under the model's task: a class's softmax (sigmoid for
    multi-label), or a QA span's start and end distributions.
    """
    outputs, Ws, Gs = [], [], []
    for s in range(0, len(targets), chunk):
        sl = slice(s, s + chunk)
        W = model.embed(batch.input_ids[sl]).detach().requires_grad_(True)  # (r, L, D)
        with torch.enable_grad():
            z = model.outputs(W, batch.attention_mask[sl], _part(batch.token_type_ids, sl), _part(batch.position_ids, sl))
            ce = -model.task.log_p(z, targets[sl]).sum()  # rows stay independent
            (G,) = torch.autograd.grad(ce, W)
        outputs.append(z.detach())
        Ws.append(W.detach())
        Gs.append(G.to(W.dtype))
    return torch.cat(outputs), torch.cat(Ws), torch.cat(Gs)


@torch.no_grad()
def predict(model: ClassifierModel, batch: Padded, *, chunk: int = 128) -> Tensor:
    """Predicted target (R, T) for padded rows: the class, or the answer span in padded positions."""
    out = []
    for s in range(0, len(batch.input_ids), chunk):
        sl = slice(s, s + chunk)
        z = model.outputs(model.embed(batch.input_ids[sl]), batch.attention_mask[sl], _part(batch.token_type_ids, sl),
                          _part(batch.position_ids, sl))
        out.append(model.task.predict(z, _Rows(batch, sl)))
    return torch.cat(out)


@dataclass(frozen=True)
class _Rows:
    """A slice of a Padded batch, as `Task.predict` reads an encoding (attributed and segment ids)."""

    batch: Padded
    sl: slice

    @property
    def attributed(self) -> Tensor:
        return self.batch.attributed[self.sl]

    @property
    def segment_ids(self) -> Tensor:
        return self.batch.segments[self.sl]


def _part(t: Tensor | None, sl: slice) -> Tensor | None:
    return None if t is None else t[sl]


def refuse_long_texts(model: ClassifierModel, texts: Sequence, *, truncate: bool) -> None:
    """A text longer than the model's limit is refused unless ``truncate`` (as explain refuses it), by tokenizing only,
    before any explaining; a QA model splits a long context into windows, so ``truncate`` is refused there
    (`task_inputs.check_truncate`)."""
    from ..encoding import encode
    from ..task_inputs import check_truncate
    from ..text_origins import too_long_refusal

    check_truncate(model, truncate)
    if model.task.name == "qa" or truncate:
        return
    cut = []
    for pairs in (False, True):  # singles and pairs are encoded apart (explain splits a mixed list the same way)
        group = [item for item in texts if isinstance(item, tuple) == pairs]
        if group:
            cut += [item for item, t in zip(group, encode(model, group, truncate=True).truncated) if t]
    if cut:
        first = " / ".join(cut[0]) if isinstance(cut[0], tuple) else cut[0]
        raise too_long_refusal(model, len(cut), len(texts), f"e.g. {first[:60]!r}{'…' * (len(first) > 60)}", does="audit",
                               said="the report counts them", leave="leave them out of the data")
