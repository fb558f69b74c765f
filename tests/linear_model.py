"""An analytic classifier for metric and DIG tests: logits = [0, Σ_i mask_i · c·w_i].

Word embeddings are hand-chosen vectors, so every probability the metrics see is a sigmoid of a
sum we can write down, and every gradient is the constant c.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from transformers import PretrainedConfig
from transformers.modeling_outputs import SequenceClassifierOutput

from faithlens.encoding import Encoding
from faithlens.model import ClassifierModel

PAD, CLS, SEP, MASK = 0, 1, 2, 3


class SumLinear(nn.Module):
    def __init__(self, E: torch.Tensor, c: torch.Tensor):
        super().__init__()
        self.config = PretrainedConfig(num_labels=2, id2label={0: "negative", 1: "positive"})
        self.embeddings = nn.Embedding.from_pretrained(E.clone(), freeze=True)
        self.c = nn.Parameter(c.clone(), requires_grad=False)

    def get_input_embeddings(self) -> nn.Embedding:
        return self.embeddings

    def forward(self, inputs_embeds, attention_mask, token_type_ids=None, position_ids=None):
        s = ((inputs_embeds @ self.c) * attention_mask.to(inputs_embeds.dtype)).sum(1)  # (R,)
        return SequenceClassifierOutput(logits=torch.stack([torch.zeros_like(s), s], dim=1))


def linear_model(values: list[float]) -> ClassifierModel:
    """One-dimensional embeddings E[v] = values[v], c = 1: the positive logit is Σ values."""
    E = torch.tensor(values, dtype=torch.float64)[:, None]
    return ClassifierModel(model=SumLinear(E, torch.ones(1, dtype=torch.float64)), tokenizer=None, name="linear",
                           is_causal=False, had_pad_token=True)


def encoding(rows: list[list[int]]) -> Encoding:
    """A right-padded batch; CLS/SEP are special, PAD is padding."""
    L = max(len(r) for r in rows)
    ids = torch.tensor([r + [PAD] * (L - len(r)) for r in rows])
    mask = (torch.arange(L)[None] < torch.tensor([len(r) for r in rows])[:, None]).long()
    special = ((ids == CLS) | (ids == SEP)) & mask.bool()
    word_ids = torch.where(mask.bool() & ~special, torch.arange(L)[None].expand_as(ids), torch.full_like(ids, -1))
    return Encoding(texts=tuple(" ".join(map(str, r)) for r in rows), input_ids=ids, attention_mask=mask,
                    token_type_ids=None, position_ids=None, special_mask=special, word_ids=word_ids,
                    offsets=torch.zeros(len(rows), L, 2, dtype=torch.long), truncated=(False,) * len(rows))


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))
