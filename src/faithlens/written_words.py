"""Written words: the tokenizer's words merged where the text writes one word ("can't", "well-made")."""

from __future__ import annotations

from torch import Tensor


JOINERS = "'’-‐"  # apostrophes (ASCII, typographic) and hyphens that join letters into one written word


def join_written_words(word_ids: Tensor, segments: Tensor, offsets: Tensor, texts: tuple[str, str]) -> Tensor:
    """(L,) word ids with the tokenizer's words merged into the words the text writes.

    Tokenizers split "can't" into can / ' / t and "well-made" into well / - / made (BERT), or
    can / 't (byte-level BPE). Two neighbouring words of one segment become one when their
    character spans touch and the character at the seam, or just before it, is an apostrophe or
    hyphen with a letter or digit on both sides. Merged tokens take the first word's id, so word
    ids stay in text order and consecutive; -1 (special, padding) is kept.
    """
    out = word_ids.clone()
    spans: list[list[int]] = []  # [segment, word id, start, end] per tokenizer word, in token order
    for n, (w, seg) in enumerate(zip(word_ids.tolist(), segments.tolist())):
        if w < 0:
            continue
        a, z = (int(x) for x in offsets[n].tolist())
        if spans and spans[-1][0] == seg and spans[-1][1] == w:
            spans[-1][2], spans[-1][3] = min(spans[-1][2], a), max(spans[-1][3], z)
        else:
            spans.append([seg, w, a, z])
    joined = [w for _, w, _, _ in spans]
    for k in range(1, len(spans)):
        (seg_prev, _, _, end_prev), (seg, w, start, end) = spans[k - 1], spans[k]
        text = texts[max(seg, 0)]
        while start < end and text[start].isspace():  # byte-level BPE spans include the leading space
            start += 1
        if seg == seg_prev and start == end_prev and _seam(text, start):
            joined[k] = joined[k - 1]
            out[(word_ids == w) & (segments == seg)] = joined[k]
    return out


def _seam(text: str, at: int) -> bool:
    """Whether position `at` (where one tokenizer word ends and the next begins) lies inside a written word."""
    def joiner(i: int) -> bool:
        return 0 < i < len(text) - 1 and text[i] in JOINERS and text[i - 1].isalnum() and text[i + 1].isalnum()
    return joiner(at) or joiner(at - 1)
