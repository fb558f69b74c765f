"""Text -> ids, attention mask, special-token mask, word ids and character offsets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from .errors import FaithlensError
from .model import ClassifierModel


@dataclass(frozen=True)
class Encoding:
    """A padded batch of texts in canonical form."""

    texts: tuple[str, ...]
    input_ids: Tensor  # (B, L) long
    attention_mask: Tensor  # (B, L) long, 1 = real token
    token_type_ids: Tensor | None  # (B, L) long or None
    position_ids: Tensor | None  # (B, L) long; only for left-padded causal models
    special_mask: Tensor  # (B, L) bool, True for special tokens ([CLS], [SEP], <s>, ...)
    word_ids: Tensor  # (B, L) long, -1 for special and padding tokens
    offsets: Tensor  # (B, L, 2) long character spans in the original text
    truncated: tuple[bool, ...]

    @property
    def attributed(self) -> Tensor:
        """(B, L) bool: real, non-special tokens — the only ones that get scores."""
        return self.attention_mask.bool() & ~self.special_mask

    def __len__(self) -> int:
        return len(self.texts)

    def select(self, index: Sequence[int] | Tensor) -> Encoding:
        """Rows of this batch (same padded length)."""
        idx = torch.as_tensor(index, dtype=torch.long)
        pick = lambda t: None if t is None else t[idx]  # noqa: E731
        return Encoding(
            texts=tuple(self.texts[i] for i in idx.tolist()),
            input_ids=self.input_ids[idx],
            attention_mask=self.attention_mask[idx],
            token_type_ids=pick(self.token_type_ids),
            position_ids=pick(self.position_ids),
            special_mask=self.special_mask[idx],
            word_ids=self.word_ids[idx],
            offsets=self.offsets[idx],
            truncated=tuple(self.truncated[i] for i in idx.tolist()),
        )

    def real_positions(self, b: int) -> Tensor:
        """Indices of the real (non-padding) tokens of text b, in order."""
        return torch.nonzero(self.attention_mask[b].bool(), as_tuple=False).flatten()


def check_texts(texts: Sequence[str]) -> None:
    if isinstance(texts, str):
        texts = [texts]
    if len(texts) == 0:
        raise FaithlensError("No text was given. Pass at least one non-empty text.")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise FaithlensError(f"Text {i} must be a str. Got {type(text).__name__} instead.")
        if not text.strip():
            raise FaithlensError(
                f"Text {i} is empty or only whitespace. Give a sentence to explain, e.g. \"a gripping, funny film\"."
            )


def encode(model: ClassifierModel, texts: Sequence[str], *, truncate: bool = False) -> Encoding:
    """Tokenize texts into one padded batch; refuse over-long texts unless truncate=True."""
    check_texts(texts)
    tok = model.tokenizer
    limit = model.max_length
    enc = _tokenize(tok, texts, max_length=None)
    lengths = enc["attention_mask"].sum(1)
    too_long = [i for i, n in enumerate(lengths.tolist()) if n > limit]
    if too_long and not truncate:
        i = too_long[0]
        raise FaithlensError(
            f"Text {i} has {int(lengths[i])} tokens, more than the model's limit of {limit}. "
            "Shorten it, or pass --truncate (truncate=True) to keep the first tokens; the result then says it was truncated."
        )
    if too_long:
        enc = _tokenize(tok, texts, max_length=limit)
    truncated = tuple(i in set(too_long) for i in range(len(texts)))
    mask = enc["attention_mask"]
    special = enc["special_tokens_mask"].bool() & mask.bool()
    word_ids = torch.full_like(enc["input_ids"], -1)
    for b in range(len(texts)):
        ids = enc.word_ids(b)
        word_ids[b] = torch.tensor([-1 if w is None else w for w in ids])
    word_ids = word_ids.masked_fill(special | ~mask.bool(), -1)
    position_ids = None
    if model.is_causal:
        position_ids = (mask.cumsum(1) - 1).clamp(min=0)  # left padding: real tokens at 0..n-1
    token_type_ids = enc.get("token_type_ids")
    if token_type_ids is not None and not _accepts_token_types(model):
        token_type_ids = None
    return Encoding(
        texts=tuple(texts),
        input_ids=enc["input_ids"],
        attention_mask=mask,
        token_type_ids=token_type_ids,
        position_ids=position_ids,
        special_mask=special,
        word_ids=word_ids,
        offsets=enc["offset_mapping"],
        truncated=truncated,
    )


def _tokenize(tok, texts: Sequence[str], *, max_length: int | None):
    """One padded batch with offsets and special-token masks; truncated to max_length when given."""
    return tok(
        list(texts),
        padding=True,
        truncation=max_length is not None,
        max_length=max_length,
        return_offsets_mapping=True,
        return_special_tokens_mask=True,
        return_tensors="pt",
        verbose=False,
    )


def _accepts_token_types(model: ClassifierModel) -> bool:
    import inspect

    return "token_type_ids" in inspect.signature(model.model.forward).parameters


def unit_masks(enc: Encoding, unit: str) -> Tensor:
    """(B, U, L) bool: which tokens move together along one path.

    ``unit="token"``: one unit per attributed token. ``unit="word"``: all sub-tokens of one word
    (tokenizer ``word_ids()``). Units are ordered by first token; unused slots are all False.
    """
    attributed = enc.attributed  # (B, L)
    B, L = attributed.shape
    if unit == "token":
        group = torch.where(attributed, torch.arange(L).expand(B, L), torch.full((B, L), -1))
    elif unit == "word":
        group = torch.where(attributed, enc.word_ids, torch.full((B, L), -1))
    else:
        from .errors import unknown_choice

        raise unknown_choice("unit", unit, ["token", "word"])
    # Renumber groups per text as 0..U_b-1 in order of first appearance.
    U = int(attributed.sum(1).max().item()) if B else 0
    masks = torch.zeros(B, max(U, 1), L, dtype=torch.bool)
    for b in range(B):
        g = group[b]
        valid = g >= 0
        if not valid.any():
            continue
        _, inverse = torch.unique_consecutive(g[valid], return_inverse=True)
        pos = torch.nonzero(valid).flatten()
        masks[b, inverse, pos] = True
    return masks
