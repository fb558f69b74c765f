"""Written words: the tokenizer's words merged where the text writes one word ("can't", "well-made", "café" written
with a combining accent), and each word's span carried over the combining marks a tokenizer dropped."""

from __future__ import annotations

import unicodedata

from torch import Tensor


JOINERS = "'’-‐"  # apostrophes (ASCII, typographic) and hyphens that join letters into one written word
ZWJ = "\u200d"  # zero-width joiner: joins the characters on both sides ("👩‍👩‍👧")


def joins_previous(ch: str) -> bool:
    """Whether a character belongs to the one before it: a combining mark (categories Mn, Mc, Me: the accent of
    decomposed "café", a Devanagari vowel sign, a variation selector U+FE0E/U+FE0F), the zero-width joiner, or an
    emoji skin-tone modifier (U+1F3FB–U+1F3FF)."""
    return unicodedata.category(ch) in ("Mn", "Mc", "Me") or ch == ZWJ or "\U0001f3fb" <= ch <= "\U0001f3ff"


def written_end(text: str, end: int, covered: set[int] | frozenset[int]) -> int:
    """A word's end carried over the characters that join the word's last one (`joins_previous`) and that no token
    covers (`covered`: the character positions of the segment's tokens): BERT uncased strips accents, so its offsets
    of decomposed "café" stop before U+0301 and those of Hindi "नमस्ते" before its last vowel sign."""
    while end < len(text) and end not in covered and joins_previous(text[end]):
        end += 1
    return end


def join_written_words(word_ids: Tensor, segments: Tensor, offsets: Tensor, texts: tuple[str, str]) -> Tensor:
    """(L,) word ids with the tokenizer's words merged into the words the text writes.

    Tokenizers split "can't" into can / ' / t and "well-made" into well / - / made (BERT), or
    can / 't (byte-level BPE). Two neighbouring words of one segment become one when their
    character spans touch and the character at the seam, or just before it, is an apostrophe or
    hyphen with a letter or digit on both sides, or the next word starts with a character that joins the one before it
    (a combining mark, which byte-level BPE splits from "cafe" and Hindi letters), or continues a letter after its
    marks, or follows a zero-width joiner (`_joined`). Merged tokens take the first word's id, so word
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
        if seg != seg_prev or start != end_prev or not (_seam(text, start) or _joined(text, start)):
            continue
        marks = start
        while marks < end and joins_previous(text[marks]):
            marks += 1
        if start < marks < end and not text[marks].isalnum():  # "café!" decomposed, one byte-level word "\u0301!"
            for n in ((word_ids == w) & (segments == seg)).nonzero().flatten().tolist():
                if offsets[n][1] <= marks:  # only the tokens of the marks join the word before; "!" stays a word
                    out[n] = joined[k - 1]
            continue
        joined[k] = joined[k - 1]
        out[(word_ids == w) & (segments == seg)] = joined[k]
    return out


def _seam(text: str, at: int) -> bool:
    """Whether position `at` (where one tokenizer word ends and the next begins) lies inside a written word."""
    def joiner(i: int) -> bool:
        return 0 < i < len(text) - 1 and text[i] in JOINERS and text[i - 1].isalnum() and text[i + 1].isalnum()
    return joiner(at) or joiner(at - 1)


def _joined(text: str, at: int) -> bool:
    """Whether the character at `at` joins the one before it: a combining mark or joiner (`joins_previous`), a
    character after a zero-width joiner, or a letter or digit after a letter's combining marks (Hindi "नमस्ते": the
    virama joins स and त)."""
    if not 0 < at < len(text):
        return False
    if joins_previous(text[at]) or text[at - 1] == ZWJ:
        return True
    base = at - 1
    while base > 0 and joins_previous(text[base]):
        base -= 1
    return base < at - 1 and text[at].isalnum() and text[base].isalnum()
