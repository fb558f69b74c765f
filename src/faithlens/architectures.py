"""Model classes faithlens defines itself, registered with transformers' Auto classes so saved
folders load like any model: the merged FACADE BERT (two models side by side in one, SPEC §8).

A stock ``BertLayer`` normalises all features with one LayerNorm, which would mix the two merged
halves; the merged models are BERT subclasses whose LayerNorms are :class:`SplitLayerNorm` — same
parameter names and shapes (``LayerNorm.weight``, ``LayerNorm.bias``), normalising each half with its
own eps. The config (``model_type="faithlens_merged_bert"``) records ``split_sizes``.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn
from transformers import BertConfig, BertForQuestionAnswering, BertForSequenceClassification

MERGED_MODEL_TYPE = "faithlens_merged_bert"


class MergedBertConfig(BertConfig):
    """BertConfig plus the feature split of the two merged models: split_sizes = [d_g, d_f]."""

    model_type = MERGED_MODEL_TYPE

    def __init__(self, split_sizes: Sequence[int] | None = None, split_eps: Sequence[float] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.split_sizes = list(split_sizes) if split_sizes is not None else [self.hidden_size]
        self.split_eps = list(split_eps) if split_eps is not None else [self.layer_norm_eps] * len(self.split_sizes)


class SplitLayerNorm(nn.Module):
    """LayerNorm applied separately to consecutive feature blocks (each with its own eps).

    Parameters keep nn.LayerNorm's names and shapes, so checkpoints load unchanged.
    """

    def __init__(self, sizes: Sequence[int], eps: Sequence[float]):
        super().__init__()
        self.sizes, self.eps = list(sizes), list(eps)
        hidden = sum(self.sizes)
        self.weight = nn.Parameter(torch.ones(hidden))
        self.bias = nn.Parameter(torch.zeros(hidden))

    def forward(self, x: Tensor) -> Tensor:
        parts = zip(x.split(self.sizes, -1), self.weight.split(self.sizes), self.bias.split(self.sizes), self.eps)
        return torch.cat([nn.functional.layer_norm(h, (h.shape[-1],), w, b, e) for h, w, b, e in parts], dim=-1)


class _SplitNorms:
    """Mixin: after the BERT model is built, every LayerNorm becomes a SplitLayerNorm."""

    config_class = MergedBertConfig

    def _split_norms(self, config: MergedBertConfig) -> None:
        for parent in list(self.modules()):
            for name, child in list(parent.named_children()):
                if isinstance(child, nn.LayerNorm):
                    setattr(parent, name, SplitLayerNorm(config.split_sizes, config.split_eps))

    def _init_weights(self, module):  # SplitLayerNorm starts as ones/zeros; the rest as BERT does
        if isinstance(module, SplitLayerNorm):
            with torch.no_grad():
                module.weight.fill_(1.0)
                module.bias.zero_()
            return
        super()._init_weights(module)


class MergedBertForSequenceClassification(_SplitNorms, BertForSequenceClassification):
    """BertForSequenceClassification with every LayerNorm split into independent halves."""

    def __init__(self, config: MergedBertConfig):
        super().__init__(config)
        self._split_norms(config)


class MergedBertForQuestionAnswering(_SplitNorms, BertForQuestionAnswering):
    """BertForQuestionAnswering with every LayerNorm split into independent halves."""

    def __init__(self, config: MergedBertConfig):
        super().__init__(config)
        self._split_norms(config)


def register_auto_classes() -> None:
    """Let AutoConfig / AutoModelForSequenceClassification load saved merged models."""
    from transformers import AutoConfig, AutoModelForQuestionAnswering, AutoModelForSequenceClassification

    try:
        AutoConfig.register(MERGED_MODEL_TYPE, MergedBertConfig)
    except ValueError:
        pass  # already registered
    for auto, cls in ((AutoModelForSequenceClassification, MergedBertForSequenceClassification),
                      (AutoModelForQuestionAnswering, MergedBertForQuestionAnswering)):
        try:
            auto.register(MergedBertConfig, cls)
        except ValueError:
            pass


register_auto_classes()
