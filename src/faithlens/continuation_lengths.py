"""Why a causal LM's prompt and continuation do not fit the model's positions, naming the continuation as the user asked
for it: a target text, or the tokens max_new_tokens generates. The model reads the prompt and all but the
continuation's last token (the last is only predicted), so a prompt of P tokens leaves room for limit - P + 1."""


def asked(n: int, generated: bool) -> str:
    """The continuation of ``n`` tokens in the user's words."""
    return f"a continuation of {n} tokens to generate (max_new_tokens={n})" if generated else f"a target text of {n} tokens"


def too_long(i: int, prompt: int, n: int, generated: bool, limit: int) -> str:
    """Prompt ``i`` (``prompt`` tokens) and its continuation of ``n`` tokens exceed the model's ``limit``."""
    most = limit - prompt + 1  # the longest continuation this prompt leaves room for
    fix = ((f"Pass max_new_tokens={most} or fewer, shorten the prompt" if most >= 1 else "Shorten the prompt")
           if generated else "Shorten the prompt or the target text")
    return (f"Text {i} has {prompt} prompt tokens and {asked(n, generated)}; the model reads {prompt + n - 1} of them "
            f"(all but the continuation's last token), more than its limit of {limit}. {fix}, or pass --truncate "
            "(truncate=True in Python) to keep the prompt's last tokens, those nearest the continuation; the result "
            "then says it was truncated.")


def no_room(i: int, n: int, generated: bool, limit: int, kept: int, *, specials: int = 0) -> str:
    """Even truncated, prompt ``i`` (at least ``kept`` tokens: its ``specials`` special tokens and its last word, as a
    cut keeps whole words) and its continuation of ``n`` tokens exceed the model's ``limit``."""
    fix = (f"Pass max_new_tokens={limit - kept + 1} or fewer" if generated and limit - kept >= 0 else
           "Pass fewer max_new_tokens" if generated else "Shorten the target text")
    room = limit - (n - 1) - specials  # prompt tokens the continuation leaves room for
    if room <= 0:
        return (f"Text {i}: {asked(n, generated)} leaves no room for the prompt within the model's limit of {limit} "
                f"tokens, even truncated (the model reads all but the continuation's last token). {fix}.")
    return (f"Text {i}: {asked(n, generated)} leaves room for {room} prompt token{'s' * (room != 1)} within the model's "
            f"limit of {limit} (the model reads all but the continuation's last token), too few even truncated: "
            f"truncation keeps whole words, and the prompt's last word alone takes {kept - specials}. {fix}, or end the "
            "prompt with a shorter word.")


def check_continuations(model, n_texts: int, continuations) -> None:
    """``continuations`` (`encoding.encode`): None, or for a causal LM one non-empty list of token ids per text, each
    an int in [0, vocabulary size). Raises FaithlensError (an id past the vocabulary would fail deep in torch)."""
    from .errors import FaithlensError

    if continuations is None:
        return
    fix = "Pass one list of token ids per text, e.g. [tokenizer(' Paris', add_special_tokens=False).input_ids]."
    if not model.is_causal:
        raise FaithlensError(f"continuations are a causal LM's target tokens; {model.name!r} is not a causal LM. "
                             "Leave continuations out.")
    if isinstance(continuations, (str, bytes)) or not hasattr(continuations, "__len__") or len(continuations) != n_texts:
        raise FaithlensError(f"continuations must hold one list of token ids per text ({n_texts} texts). Got "
                             f"{continuations!r:.60}. {fix}")
    rows = model.embedding_matrix.shape[0]
    for i, ids in enumerate(continuations):
        ok = (not isinstance(ids, (str, bytes)) and hasattr(ids, "__len__") and len(ids) > 0
              and all(not isinstance(t, bool) and isinstance(t, int) and 0 <= t < rows for t in ids))
        if not ok:
            raise FaithlensError(f"continuations[{i}] must be a non-empty list of token ids, ints in [0, {rows}) "
                                 f"(the vocabulary of {model.name!r}). Got {ids!r:.60}. {fix}")
