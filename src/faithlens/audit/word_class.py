"""The user's word classes (`audit --token-class`, `audit(classes=...)`): which tokens a class of words matches
(`word_table`: whole tokens, case-insensitive, never a special token), and the checks made before any explaining
(`check_word_class`: the words themselves; `check_classes_occur`: against the model's vocabulary and the texts)."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence

import torch
from torch import Tensor

from ..errors import FaithlensError
from ..model import ClassifierModel


@functools.lru_cache(maxsize=16)
def word_table(tokenizer, which) -> Tensor:
    from .targets import token_text

    vocab = tokenizer.get_vocab()
    table = torch.zeros(max(len(tokenizer), max(vocab.values()) + 1), dtype=torch.bool)
    special = set(tokenizer.all_special_ids)
    words = None if which == "punctuation" else set(which)
    for token, i in vocab.items():
        if i in special:
            continue
        text = token_text(tokenizer, token)
        if words is None:
            table[i] = bool(text) and all(unicodedata.category(c).startswith("P") for c in text)
        else:
            table[i] = text.lower() in words
    return table


def check_word_class(words, *, option: str = "classes") -> frozenset:
    """A user's token class: a non-empty set of words, each a whole token's text (so no spaces), lower-cased.

    Raises FaithlensError for a word with spaces ('movie film' can never be one token: pass 'movie,film'),
    an empty word, or a value that is not a collection of str."""
    if isinstance(words, str) or not all(isinstance(w, str) for w in words):
        raise FaithlensError(f"A token class in {option} must be a set of words (str), e.g. frozenset({{'movie', 'film'}}) "
                             f"(CLI: --token-class movie,film). Got {words!r}.")
    spaced = sorted(w for w in words if len(w.split()) > 1)
    if spaced:
        parts = list(dict.fromkeys(spaced[0].lower().split()))  # 'film film' is one word twice: suggest it once
        cli = f"--token-class {','.join(parts)}"
        fix = cli if option == "--token-class" else f"{option}=[frozenset({{{', '.join(map(repr, parts))}}})] (CLI: {cli})"
        how = "several words separated by commas" if len(parts) > 1 else "the word once, without spaces"
        raise FaithlensError(f"The token class word {spaced[0]!r} holds a space, and the class matches whole tokens, so it "
                             f"can never match one. Pass {how}, e.g. {fix}.")
    out = frozenset(w.strip().lower() for w in words)
    if not out or "" in out:
        fix = ("comma-separated words, e.g. --token-class movie,film" if option == "--token-class" else
               f"a set of non-empty words, e.g. {option}=[frozenset({{'movie', 'film'}})] (CLI: --token-class movie,film)")
        raise FaithlensError(f"A token class in {option} holds no word or an empty word. Got {sorted(words)!r}. Pass "
                             f"{fix}.")
    return out


def check_classes(classes: object, known: Sequence[str]) -> list:
    """``classes`` of `audit`: a list whose entries are each a class name of ``known`` (``stop_words``,
    ``first_token``, ``punctuation``) or a set of words (`check_word_class`). A bare str (its letters would be read as
    classes) and an unknown name are refused, listing the valid names."""
    from collections.abc import Iterable

    if isinstance(classes, str) or not isinstance(classes, Iterable):
        raise FaithlensError(f"classes must be a list of token classes, e.g. [{classes!r:.40}] or "
                             f"['stop_words', frozenset({{'movie', 'film'}})]. Got {type(classes).__name__} "
                             f"{classes!r:.60} instead. Valid class names: {', '.join(known)}.")
    out = []
    for c in classes:
        if isinstance(c, str):
            if c not in known:
                raise FaithlensError(f"Unknown token class {c!r} in classes. Valid class names: {', '.join(known)}; "
                                     "for a class of your own words pass a set, e.g. frozenset({'movie', 'film'}).")
            out.append(c)
        else:
            out.append(check_word_class(c))
    if not out:  # no class: no test, so no verdict could rest on one
        raise FaithlensError(f"classes is empty: the audit's verdict rests on tests of concentration on token classes. "
                             f"Pass at least one, e.g. classes={list(known)!r} (the default).")
    twice = [c for i, c in enumerate(out) if c in out[:i]]
    if twice:  # one class tested twice would count twice in the Holm correction
        raise FaithlensError(f"classes lists {twice[0]!r:.60} twice; each class is tested once. List each class once.")
    return out


def check_classes_occur(model: ClassifierModel, texts: Sequence, classes: Sequence) -> None:
    """Every word of a word class is a whole token of the model's vocabulary (one rule per word: `the,zzzz` is refused
    as `zzzz` alone is), and every word class matches at least one token of ``texts`` (checked on the tokenizer, before
    any explaining): a class that never occurs would give no test at all, shown as null statistics.

    Raises FaithlensError naming the class, the words that are not whole tokens of the vocabulary and how to fix."""
    tok = model.tokenizer
    for c in classes:
        if isinstance(c, str):
            continue
        special = _special_words(tok)  # c is lower-cased: a special token is found case-insensitively, named as spelled
        named = sorted(special[w] for w in c if w in special)
        if named:
            rest = sorted(w for w in c if w not in special)
            how = (f"Drop {'it' if len(named) == 1 else 'them'}, e.g. --token-class {','.join(rest)}" if rest else
                   "Pass words that occur in the texts as whole tokens")
            raise FaithlensError(f"The token class ({class_name(c)}): {', '.join(map(repr, named))} "
                                 f"{'is a special token' if len(named) == 1 else 'are special tokens'} of the model "
                                 f"({', '.join(sorted(set(special.values())))}), and a token class holds words of "
                                 "the texts only: the separators and padding the tokenizer adds get no score, and the "
                                 "unknown and mask tokens stand for no one word, so special tokens are left out of "
                                 f"every class and can never match. {how}.")
        unknown = sorted(w for w in c if w not in _vocab_words(tok))
        if unknown:
            known = sorted(c - set(unknown))
            how = (f"Drop {'it' if len(unknown) == 1 else 'them'}, e.g. --token-class {','.join(known)}" if known else
                   "Pass words that occur in the texts as whole tokens")
            raise FaithlensError(f"The token class ({class_name(c)}): {', '.join(map(repr, unknown))} "
                                 f"{'is not a whole token' if len(unknown) == 1 else 'are not whole tokens'} of the "
                                 "model's vocabulary (the class matches whole tokens, case-insensitive), so "
                                 f"{'it' if len(unknown) == 1 else 'they'} can never match. {how}.")
        table = word_table(tok, tuple(sorted(c)))
        found = False
        for item in texts:
            ids = tok(*item)["input_ids"] if isinstance(item, tuple) else tok(item)["input_ids"]
            if bool(table[torch.tensor(ids, dtype=torch.long).clamp(0, len(table) - 1)].any()):
                found = True
                break
        if found:
            continue
        raise FaithlensError(f"The token class ({class_name(c)}) matches no token of the {len(texts)} texts, so its "
                             "concentration cannot be tested. Pass words that occur in the texts as whole tokens, "
                             "or raise --limit.")


@functools.lru_cache(maxsize=4)
def _special_words(tokenizer) -> dict:
    """{lower-cased text: the tokenizer's spelling} of its special tokens ([CLS], [SEP], [PAD], [UNK], [MASK], <s>...)."""
    return {t.lower(): t for t in tokenizer.all_special_tokens}


@functools.lru_cache(maxsize=4)
def _vocab_words(tokenizer) -> frozenset:
    from .targets import token_text

    special = set(tokenizer.all_special_ids)
    return frozenset(token_text(tokenizer, t).lower() for t, i in tokenizer.get_vocab().items() if i not in special)


def class_name(token_class: str | frozenset) -> str:
    return token_class if isinstance(token_class, str) else "words: " + ", ".join(sorted(token_class))
