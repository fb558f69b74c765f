"""Where each text came from, so that a refusal of one text names it as the user gave it: its place in the list given to
`Explainer.explain` (whose batches sort texts by length, so a batch's own refusal would name its place in the batch), or,
on the command line, its TEXT argument, --pair, or line of --file or of standard input ("line 7 of --file f.txt")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .errors import FaithlensError

_NAMED = re.compile(r"^(Text (\d+)|The (first|second) text of pair (\d+))\b")


def line_origins(lines: Sequence[str], source: str) -> list[str]:
    """One origin per text `text_lines.items_from_lines` reads from ``lines`` (it skips blank lines): "line N of SOURCE"."""
    return [f"line {n} of {source}" for n, raw in enumerate(lines, start=1) if raw.rstrip("\r").strip()]


def located(exc: FaithlensError, origins: Sequence[str | int] | None) -> FaithlensError:
    """``exc`` with its leading "Text i" (or "The first text of pair i") replaced by where text i came from: a place
    (str) or another index (int: "Text 7"); ``exc`` itself when it names no text or the origins are unknown (None, or
    fewer than the texts)."""
    message = str(exc)
    found = _NAMED.match(message)
    index = None if found is None else int(found.group(2) or found.group(4))
    if origins is None or index is None or index >= len(origins):
        return exc
    origin = origins[index]
    place = f"text {origin}" if isinstance(origin, int) else origin  # "pair 7" below for an index
    if found.group(2):
        said = place[0].upper() + place[1:]
    else:
        said = f"The {found.group(3)} text of {f'pair {origin}' if isinstance(origin, int) else origin}"
    return FaithlensError(said + message[found.end():])


def check_lengths(model, items: Sequence, *, truncate: bool) -> None:
    """Every text holds a token (`encoding.check_tokenized`), and a classifier's text (or pair) longer than the model's
    limit is refused unless ``truncate``, naming it by its place in ``items``, before the first batch runs the model (a
    later batch's refusal would come after the work of the earlier ones). Other tasks check lengths with their targets
    and windows, batch by batch."""
    from .encoding import check_tokenized

    check_tokenized(model, items)
    if truncate or model.task.name not in ("classification", "multi_label"):
        return
    from .encoding import encode

    for pairs in (False, True):  # singles and pairs are encoded apart
        at = [i for i, item in enumerate(items) if isinstance(item, tuple) == pairs]
        if not at:
            continue
        try:
            encode(model, [items[i] for i in at])
        except FaithlensError as exc:
            raise located(exc, at) from None


def token_lengths(model, texts: Sequence) -> list[int]:
    """Tokens of each text (or pair) with the model's special tokens, before any truncation."""
    from .encoding import split_items

    first, second = split_items(list(texts))
    tok = model.tokenizer
    lengths = []
    for start in range(0, len(first), 256):
        a = first[start:start + 256]
        b = None if second is None else second[start:start + 256]
        enc = tok(a, b, add_special_tokens=True, truncation=False, verbose=False)
        lengths += [len(ids) for ids in enc["input_ids"]]
    return lengths


def too_long_refusal(model, n_long: int, n_total: int, shown: str, *, does: str, said: str, leave: str) -> FaithlensError:
    """The refusal of a command that checks every text's length before any work (`audit`, `evaluate`): ``n_long`` of
    ``n_total`` texts exceed the model's limit (``shown``: which, e.g. "example 3: 90 tokens"); --truncate would
    ``does`` (audit, explain) their first tokens, a causal LM's last ones, and ``said`` how the result says so;
    ``leave``: the other fix."""
    part = "last" if model.is_causal else "first"
    cut = "a causal LM's prompt is cut from the left; " if model.is_causal else ""
    return FaithlensError(f"{n_long} of {n_total} texts are longer than the model's limit of {model.max_length} tokens "
                          f"({shown}). Pass --truncate (truncate=True) to {does} their {part} tokens ({cut}{said}), or "
                          f"{leave}.")
