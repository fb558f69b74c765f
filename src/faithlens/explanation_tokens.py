"""What `Explanation.from_dict` checks of the tokens against the text (`explanation_checks.check_values` calls these):
the texts are ones explain accepts, the special tokens stand where the tokenizer's template puts them, each token
shows the text at its offsets, and the tokens cover the text as the explanation's tokenisation did. An edited file
(a changed or extended text, a dropped separator) fails here with the disagreement named."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from .errors import FaithlensError
from .written_words import written_end

Bad = Callable[[str], FaithlensError]


def check_texts(d: dict[str, Any], bad: Bad) -> None:
    """``text`` and ``text_pair`` are texts explain accepts (`encoding.check_text`: something visible, no lone
    surrogate). A control character such as NUL is accepted, as explain accepts it; whether a token must cover it
    is `check_coverage`'s question."""
    from .encoding import check_text

    for name in ("text", "text_pair"):
        if d.get(name) is None:
            continue
        try:
            check_text(d[name], f"'{name}'")
        except FaithlensError as exc:
            raise bad(f"{exc}".rstrip(".")) from None


def check_words(d: dict[str, Any], bad: Bad) -> None:
    """The words are in text order, as `assemble._words` groups them: each word's tokens increase, every token of a word
    comes after every token of the word before it, and the words of the text come before those of ``text_pair`` and
    start further right one after another. Words listed in another order (reversed: `Explanation.word_scores` would
    list them so) fail here; `check_word_spans` checks that each covers its tokens."""
    previous = None
    for k, w in enumerate(d["words"]):
        tokens = list(w.tokens)
        if tokens != sorted(set(tokens)):
            raise bad(f"word {k} {w.word!r} names tokens {tokens}; a word's tokens are listed once each, in "
                      "increasing order")
        if previous is not None:
            j, p = previous
            if (p.segment, p.start) >= (w.segment, w.start) or max(p.tokens) >= min(tokens):
                raise bad(f"word {k} {w.word!r} (segment {w.segment}, characters {w.start}–{w.end}, tokens {tokens}) "
                          f"is listed after word {j} {p.word!r} (segment {p.segment}, characters {p.start}–{p.end}, "
                          f"tokens {list(p.tokens)}); 'words' follow the text order, each word starting after the one "
                          "before it and naming later tokens")
        previous = (k, w)


def check_word_spans(d: dict[str, Any], bad: Bad) -> None:
    """Each token's characters other than white space lie within its word's span, and the span reaches no further
    than those characters and the combining marks after them that no token covers (`assemble._words`: a word spans
    its tokens, less the space a byte-level token shows before it, carried over the marks BERT uncased drops from
    decomposed "café"; `written_words.written_end`). A word widened over the space or text next to it fails. Checked
    after `check_offsets`, which names an edited offset more precisely."""
    text, pair, offsets = d["text"], d.get("text_pair"), d["offsets"]
    covered: dict[int, set[int]] = {0: set(), 1: set()}  # segment -> the characters its words' tokens cover
    for w in d["words"]:
        for t in w.tokens:
            covered.setdefault(w.segment, set()).update(range(*offsets[t]))
    for k, w in enumerate(d["words"]):
        source = text if w.segment == 0 else pair or ""
        spans = []
        for t in w.tokens:
            a, b = offsets[t]
            shown = source[a:b]
            a += len(shown) - len(shown.lstrip())
            b -= len(shown) - len(shown.rstrip())
            spans.append((a, b))
            if a < b and not (w.start <= a and b <= w.end):
                raise bad(f"word {k} {w.word!r} spans characters {w.start}–{w.end}, but its token {t} "
                          f"({d['tokens'][t]!r}) covers characters {a}–{b} ({source[a:b]!r:.40}); a word covers the "
                          "tokens it names")
        shown = [(a, b) for a, b in spans if a < b]
        if shown and (w.start < min(a for a, _ in shown) or w.end > written_end(source, max(b for _, b in shown),
                                                                                   covered[w.segment])):
            first, last = min(a for a, _ in shown), max(b for _, b in shown)
            raise bad(f"word {k} {w.word!r} spans characters {w.start}–{w.end}, but its tokens cover characters "
                      f"{first}–{last} ({source[first:last]!r:.40}); a word spans its tokens and the combining marks "
                      "after them that no token covers, nothing more")


def check_specials(d: dict[str, Any], bad: Bad) -> None:
    """The special flags follow the words (`encoding`: a token the tokenizer's template adds — [CLS], [SEP], <s>,
    </s> — and a causal LM's continuation are special and have no word id; every other token belongs to a word):
    no word holds a special token, and every token outside the words is special. A flag flipped on [CLS] or on a
    word's token fails here."""
    in_words = {t for w in d["words"] for t in w.tokens}
    for t, special in enumerate(d["special"]):
        if special and t in in_words:
            word = next(w for w in d["words"] if t in w.tokens)
            raise bad(f"token {t} ({d['tokens'][t]!r}) is special (never attributed), but it belongs to word "
                      f"{word.word!r}; the tokens of a word are attributed (special: false)")
        if not special and t not in in_words:
            raise bad(f"token {t} ({d['tokens'][t]!r}) belongs to no word, so it is a special token (one the "
                      "tokenizer adds, such as [CLS], [SEP], <s>, </s>, or a causal LM's continuation), but 'special' "
                      "says false for it")


# Templates the record states by its opening special token: BERT's family opens a text with [CLS] and closes each
# text with [SEP] (BERT, DistilBERT, ELECTRA, ALBERT, DeBERTa). "<s>" opens both RoBERTa's <s> … </s> and Llama's
# <s> …, so it states no closing token by itself; a pair states its own (each text closed like the first).
_CLOSED_BY = {"[CLS]": "[SEP]"}


def check_layout(d: dict[str, Any], task: str, bad: Bad) -> None:
    """The special tokens stand where the tokenizer's template puts them, as far as the record states the template:
    a text opened by [CLS] ends with [SEP]; the last text of a pair is closed by the special token that closes the
    first ([SEP], </s>); a causal LM's continuation tokens but the last follow the prompt as special tokens (they are
    its input). A separator dropped with its score and offset (the last [SEP] cut) fails here."""
    tokens, special = d["tokens"], d["special"]
    if not tokens:
        return
    tail = len(tokens) - next((i + 1 for i in range(len(tokens) - 1, -1, -1) if not special[i]), 0)
    if task == "causal_lm":
        ids, pieces = d["target"].get("token_ids"), d["target"].get("pieces")
        if not isinstance(ids, list) or not ids:
            return  # refused by _check_continuation
        fed = len(ids) - 1
        if tail != fed:
            raise bad(f"the target continuation has {len(ids)} token(s), so the first {fed} follow the prompt as special "
                      f"tokens (the model's input), but the tokens end with {tail} special token(s)")
        if fed and isinstance(pieces, list) and list(tokens[-fed:]) != list(pieces[:fed]):
            raise bad(f"the tokens end with {list(tokens[-fed:])!r:.80}, but the target continuation's first {fed} "
                      f"token(s) are {list(pieces[:fed])!r:.80}")
        return
    last = {segment: max(t for w in d["words"] if w.segment == segment for t in w.tokens)
            for segment in {w.segment for w in d["words"]}}
    closing = None
    if special[0] and tokens[0] in _CLOSED_BY:
        closing = _CLOSED_BY[tokens[0]]
    if 0 in last and 1 in last and last[0] + 1 < len(tokens) and special[last[0] + 1]:
        closing = closing or tokens[last[0] + 1]
    if closing is None:
        return
    end = max(last.values()) if last else 0
    if tail == 0 or end + 1 >= len(tokens) or tokens[end + 1] != closing or not special[end + 1]:
        why = (f"the tokens open with {tokens[0]!r}" if special[0] and tokens[0] in _CLOSED_BY
               else f"the first text is closed by {closing!r}")
        after = tokens[end + 1] if end + 1 < len(tokens) else None
        raise bad(f"{why}, so the tokenizer closes the last text with {closing!r}, but "
                  + (f"its last token is {tokens[-1]!r} (a token of the text)" if after is None
                     else f"token {end + 1} after the last text is {after!r}")
                  + "; a special token was dropped or added")


# ASCII white space, and how a tokenizer's token shows it: byte-level BPE's symbols for the space, tab, newline,
# carriage return, vertical tab and form feed bytes (Ġ ĉ Ċ č ċ Č), SentencePiece's ▁, and the character itself
_SPACES = " \t\n\r\x0b\x0c"
_SPACE_MARKS = _SPACES + "\u0120\u0109\u010a\u010d\u010b\u010c\u2581"
_BYTE_PIECE = re.compile(r"<0x[0-9A-Fa-f]{2}>")  # SentencePiece's byte fallback (<0x0A> for a newline)


def _shows_space(token: str, at_end: bool) -> bool:
    """Whether a token's text holds white space at its start (or end): a byte-level BPE or SentencePiece token may
    cover the space before a word (GPT-2's "Ġfun" is " fun", Llama's "▁" a space), a newline ("Ċ", "<0x0A>"); a
    WordPiece token (BERT) never covers white space."""
    return bool(token) and (_BYTE_PIECE.fullmatch(token) is not None or (token[-1] if at_end else token[0]) in _SPACE_MARKS)


def check_offsets(d: dict[str, Any], bad: Bad) -> None:
    """The offsets are ones a tokenizer gives: no two tokens of a text share a character, except one outside ASCII
    that a byte-level tokenizer splits between its pieces (GPT-2's "ĠðŁĺ" and "Ģ" both cover 😀; SentencePiece's byte
    pieces <0xF0> … <0x80> too), and a token's span starts or ends on white space only where the token shows it
    (`_shows_space`). Offsets widened over the space between words ("great" at [0, 6] of "great fun") fail here."""
    tokens, offsets = d["tokens"], d["offsets"]
    for segment, name in ((0, "text"), (1, "text_pair")):
        source = d["text"] if segment == 0 else d.get("text_pair")
        if not source:
            continue
        owner: dict[int, int] = {}
        for t in sorted(t for w in d["words"] if w.segment == segment for t in w.tokens):
            a, b = offsets[t]
            for at_end, i in ((False, a), (True, b - 1)):
                if a < b and source[i] in _SPACES and not _shows_space(tokens[t], at_end):
                    raise bad(f"token {t} ({tokens[t]!r}) has offsets {list(offsets[t])}, whose span {source[a:b]!r:.40} "
                              f"of {name!r} {'ends' if at_end else 'starts'} on white space ({source[i]!r}), which "
                              f"this token does not show; the tokenizer's offsets cover the token's own characters")
            for i in range(a, b):
                other = owner.setdefault(i, t)
                if other != t and source[i].isascii():
                    raise bad(f"tokens {other} ({tokens[other]!r}, offsets {list(offsets[other])}) and {t} "
                              f"({tokens[t]!r}, offsets {list(offsets[t])}) both cover character {i} ({source[i]!r}) of "
                              f"{name!r}; a tokenizer gives each character to one token")


_MARKERS = ("##", "\u0120", "\u2581")  # WordPiece's continuation, byte-level BPE's and SentencePiece's space marks


def check_tokens(d: dict[str, Any], bad: Bad) -> None:
    """Each word's tokens show the text at their offsets, where that can be read without the tokenizer: a token of
    ASCII letters and digits (after its tokenizer's marks ##, Ġ, ▁) equals its span of ASCII letters and digits, case
    aside. Spans with characters a tokenizer drops ("a\\x00b" read as "ab"), byte-level pieces of other characters,
    unknown-token marks ([UNK], <unk>) and empty spans are not compared."""
    text, pair, tokens, offsets = d["text"], d.get("text_pair"), d["tokens"], d["offsets"]
    for w in d["words"]:
        source = text if w.segment == 0 else pair
        if source is None:
            continue
        for t in w.tokens:
            token = tokens[t]
            for mark in _MARKERS:
                token = token.removeprefix(mark)
            span = source[offsets[t][0]:offsets[t][1]].strip()
            if not (token.isascii() and token.isalnum() and span.isascii() and span.isalnum()):
                continue
            if token.casefold() != span.casefold():
                raise bad(f"token {t} is {tokens[t]!r}, but the text at its offsets {list(offsets[t])} is {span!r}; a "
                          "token shows its span (explain the text again rather than editing the tokens)")


def _needs_a_token(ch: str) -> bool:
    """A character every tokenizer gives to some token: not white space, and not one a tokenizer may drop in its
    normalisation (control and format characters, combining marks, the replacement character U+FFFD)."""
    return not ch.isspace() and unicodedata.category(ch)[0] not in "CMZ" and ch != "\ufffd"


_BYTE_SPACE = "\u0120"  # Ġ: byte-level BPE's symbol for the space byte (GPT-2, RoBERTa, SmolLM2)


def _byte_level(d: dict[str, Any]) -> bool:
    """Whether the record's tokenizer is a byte-level BPE, which gives every byte of the text to a token (NUL as "Ā"),
    where WordPiece and others drop control and format characters as they normalise (BERT reads "a\\x00" as "a"):
    some token of a word starts with Ġ where its text follows a space."""
    for w in d["words"]:
        source = d["text"] if w.segment == 0 else d.get("text_pair") or ""
        for t in w.tokens:
            a, b = d["offsets"][t]
            if d["tokens"][t].startswith(_BYTE_SPACE) and (source[a:b].startswith(" ") or source[a - 1:a] == " "):
                return True
    return False


# The warning of a QA explanation made on one window of a long context (`task_inputs.qa_encoding` writes it).
_WINDOW = re.compile(r"split into \d+ overlapping windows and this explanation covers window \d+ "
                     r"\(context characters (\d+)–(\d+)\)")


def check_coverage(d: dict[str, Any], bad: Bad) -> None:
    """The tokens cover the text as the explanation's tokenisation did: every character of ``text`` (and ``text_pair``)
    that is not white space lies in the offsets of some token of a word of its segment, so a text extended past what
    was explained ("great fun" → "great fun but the ending is awful") is refused like a changed one. A truncated
    explanation (``truncated`` true: a classifier's tail, a causal LM prompt's head; in older files a QA context's
    window too) is checked between the first and last characters its tokens cover, and must leave some text out. A
    QA context explained in one window of a long context (nothing is truncated there) is checked within the
    characters its window warning names.
    A byte-level tokenizer (`_byte_level`) gives a token to every character but white space, control characters
    included ("great fun\\x00" has a token for the NUL), so there only white space may lie outside the tokens."""
    offsets = d["offsets"]
    needs_a_token = (lambda ch: not ch.isspace()) if _byte_level(d) else _needs_a_token
    cut = False  # whether some text lies outside the tokens: a truncated explanation's tail or head
    for segment, name in ((0, "text"), (1, "text_pair")):
        source = d["text"] if segment == 0 else d.get("text_pair")
        if not source:
            continue
        covered = bytearray(len(source))
        for w in d["words"]:
            if w.segment != segment:
                continue
            for t in w.tokens:
                a, b = offsets[t]
                covered[a:b] = b"\x01" * (b - a)
        spans = [i for i, c in enumerate(covered) if c]
        cut = cut or not spans or spans[0] > 0 or spans[-1] + 1 < len(source) or any(
            not covered[i] and needs_a_token(source[i]) for i in range(len(source)))
        first, last = 0, len(source)
        window = _WINDOW.search(" ".join(d.get("warnings") or ())) if segment == 1 and d.get("task") == "qa" else None
        if window:  # a long context explained in the window its warning names: checked within that window
            first, last = int(window[1]), min(int(window[2]), len(source))
        elif d.get("truncated"):
            spans = [i for i, c in enumerate(covered) if c]
            if not spans:
                continue
            first, last = spans[0], spans[-1] + 1
        missing = [i for i in range(first, last) if not covered[i] and needs_a_token(source[i])]
        if missing:
            a = b = missing[0]
            while b + 1 < len(source) and (not covered[b + 1] or not needs_a_token(source[b + 1])) \
                    and (b + 1 - a < 60):
                b += 1
            gap = source[a:b + 1].rstrip()
            explained = sum(1 for w in d["words"] if w.segment == segment)
            raise bad(f"{name!r} has characters no token covers: {gap!r} (characters {a}–{a + len(gap)} of "
                      f"{len(source)}); the explanation's {explained} word(s) of this text cover only part of it, so the "
                      f"{name} was extended or changed after it was explained")
    if d.get("truncated") and not cut:
        raise bad("'truncated' is true, but the tokens cover the whole text, first character to last; an explanation "
                  "is truncated only when the model's limit cut some of the text")


_PIECE_MARKS = ("\u0120", "\u2581", "##")  # byte-level BPE's, SentencePiece's and WordPiece's marks in a piece


def check_continuation_text(part: dict[str, Any], name: str, bad: Bad) -> None:
    """A continuation's ``label`` is its decoded ``tokens`` joined (`tasks.decoded_tokens`: each token the text it
    adds), white space aside (a tokenizer's clean-up may move a space); each token shows its ``piece`` where both are
    ASCII letters and digits (after a piece's mark Ġ, ▁, ##). Tokens holding U+FFFD (a character split across byte
    pieces) are not compared."""
    label, tokens, pieces = part.get("label"), part.get("tokens"), part.get("pieces")
    if not isinstance(tokens, list) or not all(isinstance(x, str) for x in tokens):
        return
    bare = lambda s: "".join(s.split())  # noqa: E731
    if isinstance(label, str) and "\ufffd" not in "".join(tokens) + label and bare(label) != bare("".join(tokens)):
        raise bad(f"{name} 'label' is {label!r:.60}, but its 'tokens' {tokens!r:.80} decode to {''.join(tokens)!r:.60}; "
                  "the label is the decoded continuation")
    for j, (token, piece) in enumerate(zip(tokens, pieces if isinstance(pieces, list) else ())):
        if not isinstance(piece, str):
            continue
        for mark in _PIECE_MARKS:
            piece = piece.removeprefix(mark)
        if piece.isascii() and piece.isalnum() and token.strip().isascii() and token.strip().isalnum() \
                and piece.casefold() != token.strip().casefold():
            raise bad(f"{name} 'tokens'[{j}] is {token!r:.40}, but its piece is {part['pieces'][j]!r:.40}; a token is "
                      "its piece decoded")
