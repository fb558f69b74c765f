"""Which tokens a facade pushes attribution towards: stop words or the first token.

Everything works on ids: a per-vocabulary table says which ids are stop words, so a reduced or
flipped id sequence is judged without decoding and re-tokenising.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import torch
from torch import Tensor

from ..errors import FaithlensError, unknown_choice
from ..model import ClassifierModel

TARGETS = ("stop_words", "first_token")
STOPWORDS_RESOURCE = "nltk_english_stopwords.txt"


@functools.lru_cache(maxsize=None)
def stop_words(path: str | None = None) -> frozenset[str]:
    """The 179-word NLTK English list shipped with faithlens (or a file with one word a line)."""
    if path is None:
        text = resources.files("faithlens.resources").joinpath(STOPWORDS_RESOURCE).read_text(encoding="utf-8")
    else:
        file = Path(path)
        if not file.is_file():
            raise FaithlensError(f"Stop-word file {path!r} does not exist. Pass a text file with one word a line.")
        text = file.read_text(encoding="utf-8")
    words = [line.strip().lower() for line in text.splitlines()]
    return frozenset(w for w in words if w and not w.startswith("#"))


def token_text(tokenizer, token: str) -> str:
    """Surface text of one vocabulary entry: '##s' stays '##s', byte-level 'Ġthe' becomes 'the'."""
    if token.startswith("##"):
        return token  # a WordPiece continuation is never a whole word
    return tokenizer.convert_tokens_to_string([token]).strip()


@functools.lru_cache(maxsize=32)
def _vocab_tables(tokenizer) -> tuple[Tensor, Tensor]:
    vocab = tokenizer.get_vocab()
    size = max(len(tokenizer), max(vocab.values()) + 1)
    words = stop_words()
    special = set(tokenizer.all_special_ids)
    stop = torch.zeros(size, dtype=torch.bool)
    alnum = torch.zeros(size, dtype=torch.bool)
    for token, i in vocab.items():
        if i in special:
            continue
        text = token_text(tokenizer, token)
        stop[i] = text.lower() in words
        whole = token == text or token[:1] in {"Ġ", "▁"}  # not a '##' continuation piece
        alnum[i] = whole and text.isalnum()
    return stop, alnum


def stop_word_ids(model: ClassifierModel) -> Tensor:
    """(V,) bool: vocabulary ids whose token text is an NLTK English stop word (specials never)."""
    return _vocab_tables(model.tokenizer)[0]


def alphanumeric_ids(model: ClassifierModel) -> Tensor:
    """(V,) bool: whole-word alphanumeric vocabulary entries (HotFlip candidates and flippable tokens)."""
    return _vocab_tables(model.tokenizer)[1]


def check_target(target: str) -> str:
    if target not in TARGETS:
        raise unknown_choice("target", target, TARGETS)
    return target


def target_mask(model: ClassifierModel, input_ids: Tensor, attributed: Tensor, target: str) -> Tensor:
    """(B, L) bool: the target tokens among the attributed ones.

    ``stop_words``: tokens whose id is a stop word. ``first_token``: the first attributed token
    (the one right after [CLS] for BERT-style inputs).
    """
    check_target(target)
    if target == "stop_words":
        table = stop_word_ids(model)
        ids = input_ids.clamp(0, len(table) - 1)
        return table[ids] & attributed
    first = attributed.long().cumsum(1) == 1
    return first & attributed
