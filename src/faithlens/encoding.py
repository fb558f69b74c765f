"""Text -> ids, attention mask, special-token mask, word ids and character offsets."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from .continuation_lengths import check_continuations, no_room, too_long as too_long_lm
from .errors import FaithlensError
from .scalars import check_bool
from .model import ClassifierModel
from .written_words import join_written_words


Text = str | tuple[str, str]  # a single text, or a pair (premise, hypothesis) / (question, context)


@dataclass(frozen=True)
class Encoding:
    """A padded batch of texts (or text pairs) in canonical form."""

    texts: tuple[str, ...]  # the first (or only) segment of each item
    input_ids: Tensor  # (B, L) long
    attention_mask: Tensor  # (B, L) long, 1 = real token
    token_type_ids: Tensor | None  # (B, L) long or None
    position_ids: Tensor | None  # (B, L) long; only for left-padded causal models
    special_mask: Tensor  # (B, L) bool, True for tokens never attributed ([CLS], [SEP], <s>, a target continuation)
    word_ids: Tensor  # (B, L) long, -1 for special and padding tokens; written words ("can't" one id: join_written_words)
    offsets: Tensor  # (B, L, 2) long character spans in the item's own segment text
    truncated: tuple[bool, ...]
    text_pairs: tuple[str | None, ...] = ()  # the second segment of each item (hypothesis, context), or None
    segments: Tensor | None = None  # (B, L) long: 0 / 1 = first / second segment, -1 special or padding
    fixed_target: Tensor | None = None  # (B, J) causal LM: the target continuation's ids, right-aligned, -1 padded
    notes: tuple[tuple[str, ...], ...] = ()  # per item: warnings about how the text was read
    tokenizer: object = None

    @property
    def attributed(self) -> Tensor:
        """(B, L) bool: real, non-special tokens — the only ones that get scores."""
        return self.attention_mask.bool() & ~self.special_mask

    @property
    def segment_ids(self) -> Tensor:
        """(B, L) long: the segment of each attributed token (0 for single texts), -1 elsewhere."""
        if self.segments is not None:
            return self.segments
        return torch.where(self.attributed, 0, -1)

    def pair(self, b: int) -> str | None:
        return self.text_pairs[b] if self.text_pairs else None

    def segment_text(self, b: int, segment: int) -> str:
        """The text that token offsets of `segment` index into."""
        return self.texts[b] if segment == 0 else (self.pair(b) or "")

    def __len__(self) -> int:
        return len(self.texts)

    def select(self, index: Sequence[int] | Tensor) -> Encoding:
        """Rows of this batch (same padded length)."""
        idx = torch.as_tensor(index, dtype=torch.long)
        pick = lambda t: None if t is None else t[idx]  # noqa: E731
        rows = idx.tolist()
        return Encoding(
            texts=tuple(self.texts[i] for i in rows),
            input_ids=self.input_ids[idx],
            attention_mask=self.attention_mask[idx],
            token_type_ids=pick(self.token_type_ids),
            position_ids=pick(self.position_ids),
            special_mask=self.special_mask[idx],
            word_ids=self.word_ids[idx],
            offsets=self.offsets[idx],
            truncated=tuple(self.truncated[i] for i in rows),
            text_pairs=tuple(self.text_pairs[i] for i in rows) if self.text_pairs else (),
            segments=pick(self.segments),
            fixed_target=pick(self.fixed_target),
            notes=tuple(self.notes[i] for i in rows) if self.notes else (),
            tokenizer=self.tokenizer,
        )

    def real_positions(self, b: int) -> Tensor:
        """Indices of the real (non-padding) tokens of text b, in order."""
        return torch.nonzero(self.attention_mask[b].bool(), as_tuple=False).flatten()


def split_items(items: Sequence[Text]) -> tuple[list[str], list[str] | None]:
    """(first segments, second segments or None): every item a str, or every item a pair."""
    if isinstance(items, (str, tuple)):
        items = [items]
    pairs = [isinstance(t, (tuple, list)) for t in items]
    if any(pairs) and not all(pairs):
        raise FaithlensError("Mixed single texts and text pairs in one call. Explain pairs and single texts separately.")
    if not any(pairs):
        return list(items), None
    for i, t in enumerate(items):
        if len(t) != 2:
            raise FaithlensError(f"Item {i} must be a pair (text_a, text_b), as every tuple is. Got {len(t)} parts; "
                                 "for several texts pass a list of str, e.g. ['great fun', 'a dull plot'].")
    return [t[0] for t in items], [t[1] for t in items]


def as_items(texts: object) -> tuple[list[Text], bool]:
    """What the API explains, as (items, single): one text or pair, or many.

    - a ``str`` is one text, a ``tuple`` one pair ``(text_a, text_b)``;
    - a list (or any other sequence) holds items; a list inside it of exactly two texts is a pair
      (JSON has no tuples), made a tuple;
    - any other iterable (a generator, an iterator, a pandas Series, a 1-d NumPy array of str; a 2-d one of two
      columns is pairs, each row read as a list) is read
      once, in its order, into a list — so a generator is consumed; a 0-d NumPy array
      (``np.array("text")``) is its one value, so a 0-d array of str is one text;
    - a pandas ``DataFrame`` (iterating it gives its column names) is an error suggesting ``df["col"].tolist()``;
    - a ``dict`` (its keys would be explained), a ``set`` (no order: results could not be matched to
      inputs), ``bytes`` and other non-iterables are errors saying what to pass instead.
    Each item is then checked by :func:`check_texts` (a str, or a pair of them, with something visible).
    """
    if isinstance(texts, (str, tuple)):
        return [_plain(texts)], True
    if isinstance(texts, Mapping):
        raise FaithlensError(f"texts is a {type(texts).__name__}; iterating it would explain its keys. Pass a list: "
                             "list(d.values()) for the texts it maps to, or list(d) for its keys.")
    if isinstance(texts, (set, frozenset)):
        raise FaithlensError(f"texts is a {type(texts).__name__}, which has no order, so the results could not be matched "
                             "to the texts. Pass a list, e.g. sorted(texts).")
    if isinstance(texts, (bytes, bytearray, memoryview)):
        raise FaithlensError(f"texts is {type(texts).__name__}; expected a str. Decode it first, e.g. "
                             f"{'bytes(data)' if isinstance(texts, memoryview) else 'data'}.decode('utf-8').")
    if hasattr(texts, "columns") and getattr(texts, "ndim", None) == 2:  # a pandas DataFrame: iterating gives its column names
        columns = [str(c) for c in texts.columns][:3]
        first = columns[0] if columns else "text"
        pair = f'list(zip(df["{first}"], df["{columns[1]}"]))' if len(columns) > 1 else 'list(zip(df["premise"], df["hypothesis"]))'
        raise FaithlensError(f"texts is a {type(texts).__name__}; iterating it would explain its column names "
                             f"({', '.join(map(repr, columns))}{', ...' * (len(texts.columns) > 3)}). Pass a column's texts, e.g. df[\"{first}\"].tolist(), "
                             f"or pairs from two columns, e.g. {pair}.")
    if getattr(texts, "ndim", None) == 0 and hasattr(texts, "item"):  # a 0-d NumPy array (or tensor): its one value
        return as_items(texts.item())
    if not isinstance(texts, Sequence):
        if not isinstance(texts, Iterable):
            raise FaithlensError(f"texts must be a str, a (text_a, text_b) tuple, or a list of them. "
                                 f"Got {type(texts).__name__} {texts!r:.60}.")
        texts = list(texts)  # a generator or iterator: read once, in order
    items = []
    for i, item in enumerate(texts):
        if getattr(item, "ndim", None) == 1 and hasattr(item, "tolist"):  # a row of a 2-D NumPy array: read as a list
            item = item.tolist()
        if isinstance(item, list) and not isinstance(item, str):
            if len(item) != 2 or not all(isinstance(x, str) for x in item):
                raise FaithlensError(f"Item {i} is a list of {len(item)} element(s); inside the list of texts a list is "
                                     "read as a pair [text_a, text_b] of two str. To explain several texts, pass one "
                                     "flat list of str (nested lists are not flattened).")
            item = tuple(item)
        elif isinstance(item, Mapping) or isinstance(item, (set, frozenset)):
            raise FaithlensError(f"Item {i} is a {type(item).__name__}; each item must be a str or a (text_a, text_b) "
                                 "pair.")
        items.append(_plain(item))
    return items, False


def _plain(item: object) -> object:
    """A str subclass (NumPy's ``np.str_``, pandas' values) as a plain str, so results and their JSON show the text
    itself; a pair part by part; anything else unchanged (check_texts judges it)."""
    if isinstance(item, str):
        return str(item)
    if isinstance(item, tuple):
        return tuple(str(x) if isinstance(x, str) else x for x in item)
    return item


def check_texts(texts: Sequence[Text]) -> None:
    """Every item is a non-empty str (or a pair of them), with something visible to explain."""
    if isinstance(texts, (str, tuple)):
        texts = [texts]
    if not isinstance(texts, Sequence) or len(texts) == 0:
        raise FaithlensError("No text was given. Pass at least one non-empty text.")
    for i, item in enumerate(texts):
        if isinstance(item, (tuple, list)) and len(item) == 2:  # a pair: say which of its two texts is wrong
            for side, part in zip(("first", "second"), item):
                check_text(part, f"The {side} text of pair {i}", pair=True)
            continue
        parts = item if isinstance(item, (tuple, list)) else (item,)
        for part in parts:
            check_text(part, f"Text {i}")


INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"  # zero-width space/joiners, word joiner, BOM, soft hyphen


def check_text(text: object, what: str, *, pair: bool = False) -> None:
    """`what` names the text in the message ("Text 3", "The second text of pair 0")."""
    fix = " A pair holds two non-empty texts, e.g. (\"a man sleeps\", \"a person rests\")." if pair else ""
    if text is None:
        how = fix or ' Pass the text to explain, e.g. "a gripping, funny film".'
        raise FaithlensError(f"{what} is None, not a str: it must be a str. Got NoneType instead.{how}")
    if not isinstance(text, str):
        raise FaithlensError(f"{what} must be a str. Got {type(text).__name__} instead.{fix}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise FaithlensError(f"{what} holds a lone surrogate (invalid Unicode, e.g. from a broken decode). "
                             "Re-read the text as UTF-8 with errors='replace', or remove the broken character.") from None
    visible = "".join(ch for ch in text if ch not in INVISIBLE and ch.isprintable() and not ch.isspace())
    if not visible:
        raise _empty(what, pair)


def _empty(what: str, pair: bool, why: str = "") -> FaithlensError:
    """The one refusal of a text with nothing to explain; `why` says how it was found (after the tokenizer)."""
    fix = 'A pair holds two non-empty texts, e.g. ("a man sleeps", "a person rests").' if pair else 'Give a sentence to explain, e.g. "a gripping, funny film".'
    return FaithlensError(f"{what} is empty or only whitespace (or invisible characters){why}. {fix}")


def check_tokenized(model: ClassifierModel, texts: Sequence[Text]) -> None:
    """Every text (each side of a pair; a causal LM's prompt) holds a token besides the model's special ones.

    A text of combining marks only ("\u0301") passes `check_text` but tokenizes to nothing ([CLS] [SEP]): it is
    refused as empty, before any model pass. A text the tokenizer reads as its unknown token ([UNK]) is kept."""
    items = [texts] if isinstance(texts, (str, tuple)) else list(texts)
    where = [(i, side) for i, item in enumerate(items) for side in range(len(item) if isinstance(item, (tuple, list)) else 1)]
    parts = [items[i][side] if isinstance(items[i], (tuple, list)) else items[i] for i, side in where]
    ids = model.tokenizer(parts, add_special_tokens=False, split_special_tokens=True, verbose=False)["input_ids"]
    for (i, side), tokens in zip(where, ids):
        if not tokens:
            raise _no_token(i, side, isinstance(items[i], (tuple, list)))


def _no_token(i: int, side: int, pair: bool) -> FaithlensError:
    """`check_tokenized`'s refusal of text ``i`` (``side`` 0 / 1 of a pair)."""
    return _empty(f"The {('first', 'second')[side]} text of pair {i}" if pair else f"Text {i}", pair,
                  ": the model's tokenizer reads no token in it")


def _check_batch_tokenized(enc, pair: bool) -> None:
    """`check_tokenized` read from a padded batch's own tokenization: a text's tokens are those with its sequence id
    (0, or 1 for a pair's second text); the model's special tokens and padding have none. Same order, same refusal."""
    for b in range(enc["input_ids"].shape[0]):
        read = set(enc.sequence_ids(b))
        for side in range(2 if pair else 1):
            if side not in read:
                raise _no_token(b, side, pair)


def encode(model: ClassifierModel, texts: Sequence[Text], *, truncate: bool = False,
           continuations: Sequence[Sequence[int]] | None = None, generated: Sequence[bool] | None = None) -> Encoding:
    """Tokenize texts (or text pairs) into one padded batch; refuse over-long texts unless truncate=True.

    Pairs are encoded as the tokenizer encodes pairs (segment ids, separators as specials). Literal
    special-token strings in a text ("[SEP]", "<mask>") are read as plain text, with a note.
    ``continuations`` (causal LMs): token ids appended after each prompt; all but the last are
    model input, never attributed, and all are the target (``Encoding.fixed_target``); ``generated`` says per row
    whether its continuation is the one max_new_tokens asks for (the length errors then name it, not a target text).
    """
    check_texts(texts)
    truncate = check_bool("truncate", truncate)
    check_continuations(model, len(texts), continuations)
    first, second = split_items(texts)
    tok = model.tokenizer
    limit = model.max_length
    extra = [len(c) - 1 for c in continuations] if continuations is not None else [0] * len(first)
    enc = _tokenize(tok, first, second, max_length=None)
    _check_batch_tokenized(enc, second is not None)  # check_tokenized, from this one tokenizer pass
    lengths = enc["attention_mask"].sum(1) + torch.tensor(extra)
    too_long = [i for i, n in enumerate(lengths.tolist()) if n > limit]
    generated = list(generated) if generated is not None else [False] * len(first)
    if too_long and not truncate:
        i = too_long[0]
        if continuations is not None and model.is_causal:  # where even --truncate cannot fit it, that is said instead
            _left_cut(enc, extra, limit, [i], generated)
        raise FaithlensError(
            too_long_lm(i, int(lengths[i]) - extra[i], extra[i] + 1, generated[i], limit) if continuations is not None else
            f"Text {i} has {int(lengths[i])} tokens, more than the model's limit of {limit}. Shorten it, or pass "
            "--truncate (truncate=True in Python) to keep the first tokens; the result then says it was truncated.")
    drop = None
    if too_long and model.is_causal:
        drop = _left_cut(enc, extra, limit, too_long, generated)
    elif too_long:
        enc = _tokenize(tok, first, second, max_length=limit)
    truncated = tuple(i in set(too_long) for i in range(len(first)))
    return _canonical(model, enc, first, second, truncated, continuations=continuations, drop=drop)


def _left_cut(enc, extra: list[int], limit: int, rows: list[int], generated: list[bool]) -> list[int]:
    """A causal LM's prompt is truncated from the left: per row, how many of its first non-special tokens to drop so
    that the prompt and its continuation's input tokens (``extra``) fit the model's ``limit``. The tokens kept are
    those nearest the continuation, which next-token prediction reads; leading special tokens (a BOS) stay. The cut
    ends at a word's start (a word split into tokens is kept whole or dropped whole)."""
    mask, special = enc["attention_mask"].bool(), enc["special_tokens_mask"].bool()
    drop = [0] * mask.shape[0]
    for i in rows:
        plain = int((mask[i] & ~special[i]).sum())
        cut = int(mask[i].sum()) + extra[i] - limit
        words = [w for w, keep in zip(enc.word_ids(i), (mask[i] & ~special[i]).tolist()) if keep]
        while 0 < cut < plain and words[cut] is not None and words[cut] == words[cut - 1]:
            cut += 1
        if cut >= plain:
            tail = 1  # the prompt's last word's tokens: the fewest a cut at a word's start keeps
            while tail < plain and words[-1] is not None and words[-1 - tail] == words[-1]:
                tail += 1
            raise FaithlensError(no_room(i, extra[i] + 1, generated[i], limit, int(mask[i].sum()) - plain + tail,
                                         specials=int(mask[i].sum()) - plain))
        drop[i] = cut
    return drop


def encode_windows(model: ClassifierModel, questions: Sequence[str], contexts: Sequence[str], *,
                   stride: int = 128) -> tuple[Encoding, list[int]]:
    """Extractive QA: each (question, context) as one or more rows — the standard overflow windows.

    A context longer than the model's limit is cut into windows of the context that overlap by
    ``stride`` tokens, each with the whole question ("only_second" truncation, as Hugging Face's QA
    examples do). Returns the rows and, for each row, the index of its item.
    """
    check_texts(list(zip(questions, contexts)))
    check_tokenized(model, list(zip(questions, contexts)))
    tok = model.tokenizer
    limit = model.max_length
    longest = max(len(ids) for ids in tok(list(questions), add_special_tokens=False)["input_ids"])
    room = limit - longest - tok.num_special_tokens_to_add(pair=True)  # context tokens per window
    if room < 1:
        raise FaithlensError(f"A question has {longest} tokens, which leaves no room for its context within the model's "
                             f"limit of {limit} tokens. Shorten the question.")
    stride = max(0, min(stride, room // 2))  # windows overlap by at most half their context
    try:
        enc = tok(list(questions), list(contexts), padding=True, truncation="only_second", max_length=limit, stride=stride,
                  return_overflowing_tokens=True, return_offsets_mapping=True, return_special_tokens_mask=True,
                  return_tensors="pt", split_special_tokens=True, verbose=False)
    except Exception as exc:  # the tokenizer refuses when the question alone does not fit
        raise FaithlensError(f"A question is too long for the model's limit of {limit} tokens with any part of its "
                             f"context ({exc}). Shorten the question.") from None
    item_of = enc.pop("overflow_to_sample_mapping").tolist()
    truncated = (False,) * len(item_of)  # nothing is cut: every window holds the whole question, the windows the context
    return _canonical(model, enc, [questions[i] for i in item_of], [contexts[i] for i in item_of], truncated), item_of


def _canonical(model: ClassifierModel, enc, first: list[str], second: list[str] | None, truncated: tuple[bool, ...],
               *, continuations: Sequence[Sequence[int]] | None = None, drop: list[int] | None = None) -> Encoding:
    """An Encoding from the tokenizer's padded batch (offsets, special-token masks, word and sequence ids).
    ``drop``: per row, how many first non-special tokens are left out (a causal LM's prompt truncated from the left);
    they become padding, so the tokens kept take positions 0.. as the truncated prompt's own tokens would."""
    tok = model.tokenizer
    mask = enc["attention_mask"]
    if drop is not None:
        mask = mask.clone()
        for b, k in enumerate(drop):
            plain = (mask[b].bool() & ~enc["special_tokens_mask"][b].bool()).nonzero().flatten()
            mask[b, plain[:k]] = 0
    special = enc["special_tokens_mask"].bool() & mask.bool()
    B, L = mask.shape
    word_ids = torch.full((B, L), -1, dtype=torch.long)
    segments = torch.full((B, L), -1, dtype=torch.long)
    for b in range(B):
        word_ids[b] = torch.tensor([-1 if w is None else w for w in enc.word_ids(b)])
        segments[b] = torch.tensor([-1 if s is None else s for s in enc.sequence_ids(b)])
    word_ids = word_ids.masked_fill(special | ~mask.bool(), -1)
    segments = segments.masked_fill(special | ~mask.bool(), -1)
    ids, offsets, token_types = enc["input_ids"], enc["offset_mapping"], enc.get("token_type_ids")
    for b in range(B):
        texts = (first[b], second[b] if second is not None else "")
        word_ids[b] = join_written_words(word_ids[b], segments[b], offsets[b], texts)
    fixed_target = None
    if continuations is not None:
        ids, mask, special, word_ids, segments, offsets, fixed_target = _append(
            tok, ids, mask, special, word_ids, segments, offsets, continuations)
        token_types = None
    position_ids = None
    if model.is_causal:
        position_ids = (mask.cumsum(1) - 1).clamp(min=0)  # left padding: real tokens at 0..n-1
    if token_types is not None and not _accepts_token_types(model):
        token_types = None
    notes = tuple(_notes(tok, first[b], None if second is None else second[b], truncated[b], model.is_causal)
                  for b in range(B))
    return Encoding(
        texts=tuple(first),
        input_ids=ids,
        attention_mask=mask,
        token_type_ids=token_types,
        position_ids=position_ids,
        special_mask=special,
        word_ids=word_ids,
        offsets=offsets,
        truncated=truncated,
        text_pairs=tuple(second) if second is not None else (),
        segments=segments,
        fixed_target=fixed_target,
        notes=notes,
        tokenizer=tok,
    )


def _append(tok, ids, mask, special, word_ids, segments, offsets, continuations):
    """Left-padded rows with each continuation (all but its last id) appended; targets right-aligned."""
    B = ids.shape[0]
    rows = []
    for b in range(B):
        real = mask[b].bool()
        cont = list(continuations[b])
        if not cont:
            raise FaithlensError(f"Text {b}: the target continuation is empty. Give at least one target token.")
        rows.append((ids[b][real].tolist() + cont[:-1], len(cont) - 1, real))
    L = max(len(r[0]) for r in rows)
    J = max(len(c) for c in continuations)
    pad_id = tok.pad_token_id if tok.pad_token_id is not None else 0
    out_ids = torch.full((B, L), pad_id, dtype=torch.long)
    out_mask = torch.zeros((B, L), dtype=torch.long)
    out_special = torch.zeros((B, L), dtype=torch.bool)
    out_words = torch.full((B, L), -1, dtype=torch.long)
    out_segments = torch.full((B, L), -1, dtype=torch.long)
    out_offsets = torch.zeros((B, L, 2), dtype=torch.long)
    target = torch.full((B, J), -1, dtype=torch.long)
    for b, (row, n_cont, real) in enumerate(rows):
        n = len(row)
        start = L - n
        n_prompt = n - n_cont
        out_ids[b, start:] = torch.tensor(row)
        out_mask[b, start:] = 1
        out_special[b, start:start + n_prompt] = special[b][real]
        out_special[b, start + n_prompt:] = True  # the continuation is input, never attributed
        out_words[b, start:start + n_prompt] = word_ids[b][real]
        out_segments[b, start:start + n_prompt] = segments[b][real]
        out_offsets[b, start:start + n_prompt] = offsets[b][real]
        cont = list(continuations[b])
        target[b, J - len(cont):] = torch.tensor(cont)
    return out_ids, out_mask, out_special, out_words, out_segments, out_offsets, target


def special_strings(tok, *texts: str | None) -> list[str]:
    """The tokenizer's special-token strings ("[SEP]", "</s>") that occur in ``texts``: read as plain text, never as
    special tokens (``split_special_tokens``), and the result says so."""
    return sorted({s for s in tok.all_special_tokens if s and any(t is not None and s in t for t in texts)})


def _notes(tok, text: str, pair: str | None, truncated: bool, causal: bool = False) -> tuple[str, ...]:
    notes = []
    specials = special_strings(tok, text, pair)
    if specials:
        notes.append(f"The text contains the tokenizer's special-token string(s) {', '.join(map(repr, specials))}; "
                     "they were read as plain text, not as special tokens."
                     + (" The model saw those characters, not its special tokens." if causal or pair is not None else
                        " To explain two texts as a pair (premise and hypothesis), pass them as a pair (--pair A B, "
                        "or a (a, b) tuple)."))
    if truncated:
        notes.append("The prompt was truncated from the left to the model's limit: its last tokens, nearest the "
                     "continuation, were explained." if causal else "The text was truncated to the model's limit.")
    return tuple(notes)


def _tokenize(tok, texts: Sequence[str], pairs: Sequence[str] | None, *, max_length: int | None):
    """One padded batch with offsets, special-token masks and sequence ids; truncated when max_length is given."""
    return tok(
        list(texts),
        list(pairs) if pairs is not None else None,
        padding=True,
        truncation=max_length is not None,
        max_length=max_length,
        return_offsets_mapping=True,
        return_special_tokens_mask=True,
        return_tensors="pt",
        split_special_tokens=True,
        verbose=False,
    )


def _accepts_token_types(model: ClassifierModel) -> bool:
    import inspect

    return "token_type_ids" in inspect.signature(model.model.forward).parameters


def unit_masks(enc: Encoding, unit: str) -> Tensor:
    """(B, U, L) bool: which tokens move together along one path.

    ``unit="token"``: one unit per attributed token. ``unit="word"``: all sub-tokens of one written
    word (``Encoding.word_ids``: the tokenizer's ``word_ids()`` joined across apostrophes and hyphens
    between letters by `join_written_words`, so "can't" is one unit; counted per segment of a pair).
    Units are ordered by first token; unused slots are all False.
    """
    attributed = enc.attributed  # (B, L)
    B, L = attributed.shape
    if unit == "token":
        group = torch.where(attributed, torch.arange(L).expand(B, L), torch.full((B, L), -1))
    elif unit == "word":
        group = torch.where(attributed, enc.segment_ids.clamp(min=0) * (L + 1) + enc.word_ids, torch.full((B, L), -1))
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
