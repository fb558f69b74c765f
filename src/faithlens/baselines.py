"""Reference (baseline) embeddings: special tokens keep their id, every other token becomes the baseline."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor

from .encoding import Encoding
from .errors import FaithlensError, unknown_choice
from .model import ClassifierModel

BASELINES = ("mask", "pad", "zero", "unk")


@dataclass(frozen=True)
class Baseline:
    kind: str  # the kind actually used
    token_id: int | None  # None for "zero"
    token: str | None
    warning: str | None = None


def resolve_baseline(model: ClassifierModel, kind: str, *, token: str | None = None) -> Baseline:
    """Pick the baseline token; fall back from mask to pad (with a warning) for models without one.

    `token` (a vocabulary entry) overrides `kind`.
    """
    tok = model.tokenizer
    if token is not None:
        token_id = tok.convert_tokens_to_ids(token)
        if token_id is None or (tok.unk_token_id is not None and token_id == tok.unk_token_id and token != tok.unk_token):
            raise FaithlensError(f"The baseline token {token!r} is not in the vocabulary of {model.name!r}. Pass a token the tokenizer knows.")
        return Baseline(kind="token", token_id=int(token_id), token=token)
    if kind not in BASELINES:
        raise unknown_choice("baseline", kind, BASELINES)
    if kind == "zero":
        return Baseline(kind="zero", token_id=None, token=None)
    if kind == "mask":
        if tok.mask_token_id is not None:
            return Baseline(kind="mask", token_id=int(tok.mask_token_id), token=tok.mask_token)
        pad = _own_pad(model)
        if pad is None:
            raise _no_token_error(model, "mask")
        return Baseline(
            kind="pad", token_id=pad, token=tok.pad_token,
            warning=f"{model.name!r} has no mask token; the baseline fell back to its pad token {tok.pad_token!r}.",
        )
    if kind == "pad":
        pad = _own_pad(model)
        if pad is None:
            raise _no_token_error(model, "pad")
        return Baseline(kind="pad", token_id=pad, token=tok.pad_token)
    if tok.unk_token_id is None:
        raise _no_token_error(model, "unk")
    return Baseline(kind="unk", token_id=int(tok.unk_token_id), token=tok.unk_token)


def _own_pad(model: ClassifierModel) -> int | None:
    """The model's own pad token (not one faithlens set for batching)."""
    if not model.had_pad_token:
        return None
    return int(model.tokenizer.pad_token_id)


def _no_token_error(model: ClassifierModel, kind: str) -> FaithlensError:
    return FaithlensError(
        f"{model.name!r} has no {kind} token{' and no pad token' if kind == 'mask' else ''}, so there is no "
        f"'{kind}' baseline. Pass baseline='zero' or a vocabulary token as the baseline "
        "(--baseline-token TOKEN, baseline_token=...)."
    )


def baseline_ids(enc: Encoding, baseline: Baseline) -> Tensor:
    """(B, L) ids of the reference input: attributed tokens replaced, specials and padding kept."""
    if baseline.token_id is None:
        return enc.input_ids.clone()
    return enc.input_ids.masked_fill(enc.attributed, baseline.token_id)


def baseline_embeddings(model: ClassifierModel, enc: Encoding, baseline: Baseline, embeds: Tensor) -> Tensor:
    """(B, L, D) baseline word embeddings; `embeds` are the input's word embeddings."""
    if baseline.token_id is None:
        return embeds.masked_fill(enc.attributed[..., None], 0.0)
    ref = model.embedding_matrix[baseline.token_id].to(embeds.dtype)  # (D,)
    return torch.where(enc.attributed[..., None], ref.expand_as(embeds), embeds)
