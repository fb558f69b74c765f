"""Id-level helpers shared by input reduction and HotFlip: rows of ids, padding, CE gradients.

A text is held as its own row of ids (specials included) and token-type ids; removing or replacing
a token edits those rows directly, never decoding and re-tokenising.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from ..encoding import encode
from ..model import ClassifierModel


@dataclass
class Row:
    ids: list[int]
    types: list[int] | None
    special: list[bool]

    def remove(self, position: int) -> Row:
        keep = lambda xs: None if xs is None else xs[:position] + xs[position + 1:]  # noqa: E731
        return Row(keep(self.ids), keep(self.types), keep(self.special))

    def replace(self, position: int, new_id: int) -> Row:
        ids = list(self.ids)
        ids[position] = new_id
        return Row(ids, self.types, self.special)

    @property
    def n_attributed(self) -> int:
        return sum(not s for s in self.special)


def rows_from_texts(model: ClassifierModel, texts: Sequence[str], *, truncate: bool = True) -> list[Row]:
    enc = encode(model, list(texts), truncate=truncate)
    rows = []
    for j in range(len(texts)):
        pos = enc.real_positions(j)
        types = None if enc.token_type_ids is None else enc.token_type_ids[j, pos].tolist()
        rows.append(Row(enc.input_ids[j, pos].tolist(), types, enc.special_mask[j, pos].tolist()))
    return rows


@dataclass(frozen=True)
class Padded:
    input_ids: Tensor  # (R, L)
    attention_mask: Tensor  # (R, L)
    token_type_ids: Tensor | None
    position_ids: Tensor | None
    special: Tensor  # (R, L) bool, True also at padding
    offset: Tensor  # (R,) index of each row's first real token (left padding for causal models)

    @property
    def attributed(self) -> Tensor:
        return self.attention_mask.bool() & ~self.special


def pad(model: ClassifierModel, rows: Sequence[Row]) -> Padded:
    """Pad rows to one batch: right padding, or left padding with position ids for causal models."""
    L = max(len(r.ids) for r in rows)
    R = len(rows)
    pad_id = model.tokenizer.pad_token_id or 0
    ids = torch.full((R, L), pad_id, dtype=torch.long)
    mask = torch.zeros((R, L), dtype=torch.long)
    special = torch.ones((R, L), dtype=torch.bool)
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
        if has_types:
            types[i, start:start + n] = torch.tensor(r.types)
    position_ids = (mask.cumsum(1) - 1).clamp(min=0) if model.is_causal else None
    return Padded(ids, mask, types, position_ids, special, offset)


def ce_gradients(model: ClassifierModel, batch: Padded, labels: Tensor, *, chunk: int = 64) -> tuple[Tensor, Tensor, Tensor]:
    """Logits (R, C), word embeddings W (R, L, D) and G = ∂CE(logits_r, labels_r)/∂w_r (R, L, D)."""
    logits, Ws, Gs = [], [], []
    for s in range(0, len(labels), chunk):
        sl = slice(s, s + chunk)
        W = model.embed(batch.input_ids[sl]).detach().requires_grad_(True)  # (r, L, D)
        with torch.enable_grad():
            z = model.logits(W, batch.attention_mask[sl], _part(batch.token_type_ids, sl), _part(batch.position_ids, sl))
            ce = torch.nn.functional.cross_entropy(z, labels[sl], reduction="sum")  # rows stay independent
            (G,) = torch.autograd.grad(ce, W)
        logits.append(z.detach())
        Ws.append(W.detach())
        Gs.append(G)
    return torch.cat(logits), torch.cat(Ws), torch.cat(Gs)


@torch.no_grad()
def predict(model: ClassifierModel, batch: Padded, *, chunk: int = 128) -> Tensor:
    """Predicted class (R,) for padded rows."""
    out = []
    for s in range(0, len(batch.input_ids), chunk):
        sl = slice(s, s + chunk)
        z = model.logits(model.embed(batch.input_ids[sl]), batch.attention_mask[sl], _part(batch.token_type_ids, sl),
                         _part(batch.position_ids, sl))
        out.append(z.argmax(-1))
    return torch.cat(out)


def _part(t: Tensor | None, sl: slice) -> Tensor | None:
    return None if t is None else t[sl]
