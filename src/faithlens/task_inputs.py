"""What each task explains, encoded: classifier texts or pairs as the tokenizer encodes them, for QA the context
window that holds the requested (or best predicted) answer, for causal LMs the prompt followed by its target
continuation (given, or generated greedily); and where an answer lies in characters and tokens."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from .encoding import Encoding, Text, encode, encode_windows, special_strings, split_items
from .columns import PAIR_COLUMNS
from .errors import FaithlensError, quoted
from .model import ClassifierModel
from .scalars import as_int
from .training import item_kind

Target = int | str | tuple[int, int] | None

DEFAULT_NEW_TOKENS = 1


def encode_items(model: ClassifierModel, items: Sequence[Text], *, truncate: bool = False,
                 targets: Sequence[Target] | None = None, max_new_tokens: int = DEFAULT_NEW_TOKENS
                 ) -> tuple[Encoding, list[tuple[str, ...]]]:
    """The encoding a model's task explains, and per item what the caller should know.

    Classifiers: texts or pairs as the tokenizer encodes them. QA: (question, context) pairs, one
    overflow window per item — the one holding the requested answer, else the best predicted span.
    Causal LMs: each prompt followed by its target continuation (given, or greedily generated).
    """
    targets = list(targets) if targets is not None else [None] * len(items)
    task = model.task.name
    if task == "qa":
        return qa_encoding(model, items, targets)
    if task == "causal_lm":
        continuations, notes = target_continuations(model, items, targets, max_new_tokens, truncate=truncate)
        return encode(model, items, truncate=truncate, continuations=continuations), notes
    return encode(model, items, truncate=truncate), input_kind_notes(model, items)


def trained_inputs(model: ClassifierModel) -> str | None:
    """"texts" or "pairs": what a classifier fine-tuned by faithlens saw in training (its faithlens_model.json
    ``inputs``; the bundled default model: single texts); None when unknown (hub models, older folders)."""
    from .default_model import DEFAULT_MODEL_NAME

    kind = model.info.get("inputs")
    if kind is None and model.info.get("name") == DEFAULT_MODEL_NAME:
        kind = "texts"  # Rotten Tomatoes snippets; recorded as "inputs" by models trained from now on
    return kind if kind in ("texts", "pairs") else None


def unlike_training(model: ClassifierModel, items: Sequence[Text]) -> tuple[str | None, list[bool]]:
    """(`trained_inputs`, per item whether it is the other kind: a pair to a single-text classifier or a single
    text to a pair classifier); all False when the training inputs are unknown."""
    kind = trained_inputs(model)
    return kind, [kind is not None and item_kind(item) != kind for item in items]


def input_kind_notes(model: ClassifierModel, items: Sequence[Text]) -> list[tuple[str, ...]]:
    """Per item, a note when a classifier trained on single texts is given a pair, or one trained on pairs a
    single text: the tokenizer still joins or encodes it, but the model never saw such input, so its prediction
    (and what explains it) is outside its training. Empty tuples when the kinds match or are unknown."""
    kind, unlike = unlike_training(model, items)
    notes = []
    for differs in unlike:
        if not differs:
            notes.append(())
        elif kind == "texts":
            notes.append((f"{model.name!r} was fine-tuned on single texts, and this is a text pair: the tokenizer joins "
                           "the two texts with a separator the model never saw in training, so its prediction (and its "
                           "explanation) reads input unlike anything it learned. Explain single texts with this model, "
                           "or a pair classifier (faithlens train with premise/hypothesis columns).",))
        else:
            notes.append((f"{model.name!r} was fine-tuned on text pairs, and this is a single text: the model never saw "
                           "one alone in training, so its prediction (and its explanation) reads input unlike anything "
                           "it learned. Pass the pair (CLI: --pair TEXT TEXT; Python: a (text, text) tuple).",))
    return notes


def warn_input_kind(model: ClassifierModel, items: Sequence[Text], *, run: str) -> None:
    """One FaithlensWarning for a whole run (``run``: "evaluate", "audit") whose examples are not the kind the
    classifier was fine-tuned on (`trained_inputs`): single texts given to a pair classifier, or pairs to one
    trained on single texts, counted over all the examples — what `input_kind_notes` says per explanation. The
    run goes on (the model still answers); nothing is said when the kinds match or are unknown."""
    import warnings

    from .errors import FaithlensWarning

    kind, unlike = unlike_training(model, items)
    other = [item for item, differs in zip(items, unlike) if differs]
    if not other or model.task.name not in ("classification", "multi_label"):
        return
    count = f"{len(other)} of the {len(items)} examples" if len(other) < len(items) else f"all {len(items)} examples"
    are = "is" if len(other) == 1 and len(items) > 1 else "are"
    if kind == "texts":
        given = "a text pair" if are == "is" else "text pairs"
        said = (f"{model.name!r} was fine-tuned on single texts, and {count} of this {run} run {are} {given}: the "
                "tokenizer joins the two texts with a separator the model never saw in training, so its predictions (and "
                "their explanations) read input unlike anything it learned. Use single-text data with this model, or a "
                "pair classifier (faithlens train with premise/hypothesis columns).")
    else:
        given = "a single text" if are == "is" else "single texts"
        said = (f"{model.name!r} was fine-tuned on text pairs, and {count} of this {run} run {are} {given}: the model "
                "never saw one alone in training, so its predictions (and their explanations) read input unlike anything "
                "it learned. Give data with both texts of each pair (columns premise and hypothesis, or others named by "
                "--text-column/--pair-column; load_dataset(text_column=..., pair_column=...) in Python).")
    warnings.warn(said, FaithlensWarning, stacklevel=3)


# What each surface takes a QA model's questions with their contexts as (`check_qa_pairs`'s ``how``).
QA_PAIRS_API = ("Pass (question, context) pairs, e.g. explain([('Who wrote it?', 'It was written by Ann.')]) "
                "(CLI: faithlens explain --pair QUESTION CONTEXT).")
QA_PAIRS_DATA = ("Pass --data with questions and their contexts: a SQuAD-format .json file, or a table (.tsv, .csv, "
                 ".jsonl) with 'question' and 'context' columns.")
QA_PAIRS_DATA_API = ("Pass a dataset of (question, context) pairs: load_dataset('squad.json') (SQuAD format) or a table "
                     "with 'question' and 'context' columns (CLI: --data FILE).")
QA_PAIRS_WEB = ('Put each question\'s context in the "Contexts" box, one per question line (JSON: "pairs": '
                '["context", ...], one per text).')


def check_truncate(model: ClassifierModel, truncate: bool) -> None:
    """truncate=True cuts a text longer than the model's limit (a classifier's tail, a causal LM prompt's head). A QA
    model's long context is split into overlapping windows instead (`encode_windows`), the whole question in each, so
    nothing is cut: for QA it would do nothing, and is refused on every surface, before any model pass."""
    if truncate and model.task.name == "qa":
        raise FaithlensError(f"truncate=True (CLI --truncate) does nothing for {model.name!r}, a question-answering "
                             "model: a context longer than the model's limit is split into overlapping windows, and each "
                             "explanation covers the window holding its answer (its warnings name the window), so "
                             "nothing is truncated. Drop --truncate (truncate=True).")


def check_qa_pairs(model: ClassifierModel, items: Sequence, *, how: str) -> None:
    """A QA model explains (question, context) pairs, never single texts: one rule for every surface, checked
    before any model pass. ``how`` says what the caller's surface takes instead (QA_PAIRS_API, QA_PAIRS_DATA, ...):
    `faithlens audit` and `evaluate` have no --pair, so each surface names its own way. Raises FaithlensError."""
    if model.task.name != "qa":
        return
    single = [i for i, item in enumerate(items) if not isinstance(item, tuple)]
    if single:
        raise FaithlensError(f"{model.name!r} is a question-answering model: it explains (question, context) pairs, but "
                             f"got {len(single)} single text(s) (e.g. {str(items[single[0]])[:60]!r}). {how}")


def check_data_task(model: ClassifierModel, dataset, *, how: str = QA_PAIRS_DATA, run: str | None = None,
                    training: bool = False) -> None:
    """A dataset's shape matches the model's task, checked before any model pass or training: one rule for every
    command that reads --data (evaluate, audit, facade train and its analyses) and its Python functions.

    A QA model reads (question, context) pairs (`check_qa_pairs`), not single texts and not the pairs of an NLI or
    paraphrase table (premise/hypothesis columns). A classifier reads texts or text pairs, not a SQuAD-format file
    (questions with answers: a QA model's data). A classifier fine-tuned by faithlens on one kind (`trained_inputs`)
    given the other is warned about once (``run`` names the run, `warn_input_kind`), or refused when ``training``
    (a facade trained on input the target never reads). Raises FaithlensError naming the model's task, what the data
    holds and what to pass (``how``: each surface's way of passing QA data)."""
    task = model.task.name
    info = getattr(dataset, "info", None) or {}
    items = list(getattr(dataset, "texts", dataset))
    source = getattr(dataset, "source", None) or "the data"
    if task == "qa":
        check_qa_pairs(model, items, how=how)
        columns = (info.get("text_column"), info.get("pair_column"))
        if columns != ("question", "context") and columns in PAIR_COLUMNS:
            raise FaithlensError(f"{model.name!r} is a question-answering model: it reads (question, context) pairs, but "
                                 f"{source} holds {columns[0]}/{columns[1]} pairs (an NLI or paraphrase table), not "
                                 f"questions with their contexts. {how}")
        return
    if task not in ("classification", "multi_label"):
        return
    if info.get("squad"):
        check_squad_task(model, source)
    if training:
        kind, unlike = unlike_training(model, items)
        if any(unlike):
            given = "text pairs" if kind == "texts" else "single texts"
            fix = ("single-text data (a text column)" if kind == "texts" else
                   "data with both texts of each pair (premise and hypothesis columns)")
            raise FaithlensError(f"{model.name!r} was fine-tuned on {'single texts' if kind == 'texts' else 'text pairs'}, "
                                 f"but {sum(unlike)} of the {len(items)} examples of {source} are {given}: training on "
                                 f"them (a facade of it, or the regularised model) fits input it never reads. Pass {fix}.")
    elif run is not None:
        warn_input_kind(model, items, run=run)


def check_squad_task(model: ClassifierModel, source: str) -> None:
    """A SQuAD-format file (questions with their answers in a context; a top-level "data" list) is a QA model's data:
    any other model is refused, before the file's nesting is read, so that the fix is never one of SQuAD's shape.
    Raises FaithlensError naming the model's task and what it reads instead."""
    task = model.task.name
    if task == "qa":
        return
    reads, table = (("prompts", "a text file of prompts, one per line (or .jsonl with a text column)")
                    if task == "causal_lm" else
                    ("texts or text pairs", "a table of texts (.tsv, .csv, .jsonl with a text column, or premise/"
                                            "hypothesis columns for a pair classifier)"))
    what = {"causal_lm": "a causal language model", "classification": "a classifier", "multi_label": "a classifier"}.get(
        task, a_noun(f"{model.task.summary} model"))
    raise FaithlensError(f"{model.name!r} is {what}: it reads {reads}, but {source} is laid out as a SQuAD-format file "
                         "(a JSON object with a top-level \"data\" list, as SQuAD holds questions with their answers in "
                         "a context), a question-answering model's data, which its task does not read. Pass "
                         f"{table}, or a QA model.")


def qa_encoding(model: ClassifierModel, items, targets) -> tuple[Encoding, list[tuple[str, ...]]]:
    """One window per question: the one holding the requested answer, else the best predicted span."""
    questions, contexts = split_items(items)
    if contexts is None:
        check_qa_pairs(model, items, how=QA_PAIRS_API)
    enc, item_of = encode_windows(model, questions, contexts)
    rows, notes = [], []
    with torch.inference_mode():
        outputs = model.outputs(model.embed(enc.input_ids), enc.attention_mask, enc.token_type_ids, enc.position_ids)
    spans = model.task.predict(outputs, enc)
    best = model.task.score("logit")(outputs, spans)
    for i in range(len(questions)):
        mine = [r for r, it in enumerate(item_of) if it == i]
        if targets[i] is not None:
            span = answer_chars(contexts[i], targets[i])  # a clear error when it is not in the context at all
            holding = [r for r in mine if answer_tokens(enc, r, span, required=False) is not None]
            if not holding:
                raise FaithlensError(_not_held(enc, mine, contexts[i], span, targets[i], i))
            mine = holding
        r = max(mine, key=lambda r: float(best[r]))
        rows.append(r)
        windows = [x for x, it in enumerate(item_of) if it == i]
        notes.append(() if len(windows) == 1 else (
            f"The context is longer than the model's limit; it was split into {len(windows)} overlapping windows "
            f"and this explanation covers window {windows.index(r) + 1} (context characters {window_chars(enc, r)}), "
            "the one holding the answer. Words outside it get no score.",))
        if targets[i] is not None:
            notes[-1] += _widened(enc, r, contexts[i], targets[i])
    return enc.select(rows), notes


def _not_held(enc: Encoding, rows: list[int], context: str, span: tuple[int, int], answer, i: int) -> str:
    """Why no window of question ``i`` (its ``rows``) holds the answer's tokens whole: the answer lies across two
    windows of a long context (the context's tokens cover it, no one window holds them all), or it starts or ends
    with characters no token holds (the tokenizer drops them), which no window would change."""
    covering = [(int(a), int(c)) for r in rows for t, (a, c) in enumerate(enc.offsets[r].tolist())
                if enc.segment_ids[r, t] == 1 and enc.attributed[r, t] and c > span[0] and a < span[1]]
    text = quoted(context[span[0]:span[1]])
    if len(rows) > 1 and covering and min(covering)[0] <= span[0] and max(c for _, c in covering) >= span[1]:
        return (f"The answer {text} of question {i} (characters {span[0]}–{span[1]}) lies across two windows of its "
                f"long context, so no window holds it whole. Pick a shorter answer.")
    if not covering:
        return (f"The answer {text} of question {i} (characters {span[0]}–{span[1]}) is held by no token: the "
                "tokenizer drops those characters. Pass an answer made of words of the context.")
    held = context[min(covering)[0]:max(c for _, c in covering)]
    return (f"The answer {text} of question {i} (characters {span[0]}–{span[1]}) starts or ends with characters "
            f"that no token holds (the tokenizer drops them), so no span of tokens matches it. Pass {quoted(held)}, the "
            "tokens it covers.")


def target_continuations(model: ClassifierModel, prompts, targets, max_new_tokens, *, truncate: bool = False
                         ) -> tuple[list[list[int]], list[tuple[str, ...]]]:
    """Target continuation ids per prompt: the given text's tokens, or greedy generation (from the prompt truncated
    from the left, as `encode` truncates it, when ``truncate``)."""
    tok = model.tokenizer
    if any(isinstance(p, tuple) for p in prompts):
        raise FaithlensError("A causal LM explains single prompts, not pairs. Join the texts into one prompt.")
    given = []
    for t in targets:
        if t is not None and not isinstance(t, str):
            raise FaithlensError(f"A causal LM's target is the continuation text (a str, e.g. ' Paris'). Got {quoted(t)}.")
        if t == "":
            raise FaithlensError("The target text is empty. Pass the continuation to explain, e.g. ' Paris'.")
        given.append(None if t is None else continuation_ids(tok, t))
    # Every prompt with its continuation (a generated one as long as max_new_tokens) fits the model, before generating:
    # generation itself would run past a model's position embeddings.
    planned = [[tok.pad_token_id or 0] * max_new_tokens if ids is None else ids for ids in given]
    encode(model, prompts, truncate=truncate, continuations=planned, generated=[ids is None for ids in given])
    out, notes = [], []
    for prompt, t, ids in zip(prompts, targets, given):
        if ids is None:
            ids = generate(model, prompt, max_new_tokens, truncate=truncate)
            notes.append((f"No target given: attributing the {len(ids)} greedily generated token(s) "
                          f"{tok.decode(ids)!r}.",))
        else:
            specials = special_strings(tok, t)
            notes.append((f"The target text contains the tokenizer's special-token string(s) "
                          f"{', '.join(map(repr, specials))}; they were read as plain text, not as special tokens.",)
                         if specials else ())
        out.append(ids)
    return out, notes


def continuation_ids(tok, text: str) -> list[int]:
    """A causal LM's continuation text (a target or a contrast) as token ids, read as a prompt is read: its
    special-token strings are plain text (`special_strings`)."""
    return tok(text, add_special_tokens=False, split_special_tokens=True)["input_ids"]


def generate(model: ClassifierModel, prompt: str, max_new_tokens: int, *, truncate: bool = False) -> list[int]:
    """Greedy continuation ids; the prompt (left-truncated when ``truncate``) leaves room for max_new_tokens - 1
    tokens fed back, as the explanation's encoding does."""
    fed_back = max_new_tokens - 1 if truncate else 0  # room the explanation's encoding keeps after the prompt
    placeholder = [[model.tokenizer.pad_token_id or 0] * (fed_back + 1)] if truncate else None  # cut exactly as then
    enc = encode(model, [prompt], truncate=truncate, continuations=placeholder)
    real = enc.attention_mask[0].bool()
    enc_ids = enc.input_ids[:, real][:, :int(real.sum()) - fed_back]  # the prompt's tokens, without the placeholder
    with torch.inference_mode():
        generated = model.model.generate(input_ids=enc_ids, attention_mask=torch.ones_like(enc_ids),
                                         max_new_tokens=max_new_tokens, do_sample=False,
                                         pad_token_id=model.tokenizer.pad_token_id)
    return generated[0, enc_ids.shape[1]:].tolist()


def answer_tokens(enc: Encoding, b: int, answer, *, required: bool = True) -> list[int] | None:
    """[first, last] context token of an answer (a text in the context, or a (start, end) character span)."""
    span = answer_chars(enc.pair(b) or "", answer)
    in_context = (enc.segment_ids[b] == 1) & enc.attributed[b]
    a, c = enc.offsets[b, :, 0], enc.offsets[b, :, 1]
    covering = in_context & (c > span[0]) & (a < span[1])
    tokens = covering.nonzero().flatten()
    if len(tokens) == 0:
        if required:
            raise FaithlensError(f"The answer span {span} falls outside the explained window of the context.")
        return None
    if required is False and (int(a[tokens[0]]) > span[0] or int(c[tokens[-1]]) < span[1]):
        return None  # only part of the answer is in this window
    return [int(tokens[0]), int(tokens[-1])]


def check_answers(items: Sequence, answers: Sequence) -> None:
    """Every QA answer given (None: the predicted span) lies in its pair's context (`answer_chars`), checked before any
    model pass. With several pairs the error names the pair (its index, counting from 0, and its question's start),
    since "does not occur in the context" may be true of one pair only."""
    for i, (item, answer) in enumerate(zip(items, answers)):
        if answer is None or not isinstance(item, tuple):
            continue
        try:
            answer_chars(item[1], answer)
        except FaithlensError as exc:
            if len(items) == 1:
                raise
            question = item[0] if len(item[0]) <= 40 else item[0][:39] + "…"
            raise FaithlensError(f"Pair {i} (counting from 0) of {len(items)}, question {question!r}: {exc}") from None


def _normalisation_hint(context: str, answer: str) -> str:
    """Why an answer that looks present is not found: the same letters written with other code points (é as one
    character in one text, e + a combining accent in the other: Unicode NFC against NFD, or a compatibility form).
    Offsets index the context's own characters, so the answer must be written as the context writes it."""
    import unicodedata

    for form in ("NFC", "NFKC"):
        if unicodedata.normalize(form, answer) in unicodedata.normalize(form, context):
            return (f" It does occur once both are in Unicode {form} form: the context writes some of its letters with "
                    "other code points (e.g. é as e + a combining accent). Copy the answer from the context itself, "
                    "or pass its (start, end) character span.")
    return ""


def answer_chars(context: str, answer) -> tuple[int, int]:
    """(start, end) characters of an answer: the span given, or the one occurrence of the answer text in the context.

    An answer text that occurs more than once is refused, naming each occurrence's (start, end): which one is meant
    cannot be guessed, and the explanations of two occurrences differ."""
    from .qa import trim_answer

    if isinstance(answer, str):
        if not answer.strip():
            raise FaithlensError(f"The answer is empty ({quoted(answer)}): a QA target names the answer to explain. Pass a "
                                 "substring of the context (target='TEXT', CLI --answer TEXT), a (start, end) character "
                                 "span, or leave it out to explain the predicted answer.")
        given, answer = answer, answer.strip()  # whitespace around an answer is no part of it (qa.trim_answer)
        starts = [at for at in range(len(context)) if context.startswith(answer, at)]
        if not starts:
            raise FaithlensError((f"The answer {quoted(answer)} does not occur in the context."
                                  if given == answer else
                                  f"The answer {quoted(given)} does not occur in the context, even without the "
                                  f"whitespace around it ({quoted(answer)}).")
                                 + _normalisation_hint(context, answer) + " Pass a substring of the context.")
        if len(starts) > 1:
            spans = ", ".join(f"({at}, {at + len(answer)})" for at in starts[:5]) + (", ..." if len(starts) > 5 else "")
            raise FaithlensError(f"The answer {quoted(answer)} occurs {len(starts)} times in the context, at characters "
                                 f"{spans}. Say which one: pass its span as target=(start, end) in Python, e.g. "
                                 f"target=({starts[0]}, {starts[0] + len(answer)}) (CLI --answer-span {starts[0]} "
                                 f"{starts[0] + len(answer)}), or a longer answer text that occurs once"
                                 + (" (the whitespace around an answer is no part of it)." if given != answer else "."))
        return starts[0], starts[0] + len(answer)
    if isinstance(answer, (tuple, list)):  # NumPy or torch integers read as the ints they hold (`as_int`)
        answer = type(answer)(as_int(x) for x in answer)
    if isinstance(answer, (tuple, list)) and len(answer) == 2 and all(isinstance(x, int) and not isinstance(x, bool) for x in answer):
        span = (int(answer[0]), int(answer[1]))
        if span[0] >= span[1]:
            raise FaithlensError(f"The answer span {span} is {'empty' if span[0] == span[1] else 'reversed'}: its start "
                                 "must be < its end (character offsets, end exclusive, within the context "
                                 f"0..{len(context)}). Pass (start, end)"
                                 + (f", e.g. ({span[1]}, {span[0]}) the other way round" if span[0] > span[1] else "")
                                 + ", or the answer text.")
        if not 0 <= span[0] < span[1] <= len(context):
            raise FaithlensError(f"The answer span {span} is not inside the context (0..{len(context)}). "
                                 "Pass (start, end) character offsets with start < end.")
        trimmed = trim_answer(context, *span)
        if trimmed[0] == trimmed[1]:
            raise FaithlensError(f"The answer span {span} holds only whitespace ({quoted(context[span[0]:span[1]])}). Pass the "
                                 "(start, end) characters of the answer's words.")
        return trimmed
    raise FaithlensError(f"A QA target is an answer text or a (start, end) character span. Got {quoted(answer)}.")


def _widened(enc: Encoding, r: int, context: str, answer) -> tuple[str, ...]:
    """A note when the answer given had whitespace around it (no part of an answer: `qa.trim_answer`), and one when its
    characters do not start and end on token boundaries: the model scores token spans, so the explained answer is
    the tokens covering it. Each names what is explained (never a silent change)."""
    span = answer_chars(context, answer)
    first, last = answer_tokens(enc, r, span)
    start, end = int(enc.offsets[r, first, 0]), int(enc.offsets[r, last, 1])
    given = answer if isinstance(answer, str) else context[int(answer[0]):int(answer[1])]
    notes = () if given == context[span[0]:span[1]] else (
        f"The answer {quoted(given)} has whitespace around it, which is no part of an answer: the explained answer is "
        f"{quoted(context[span[0]:span[1]])} (characters {span[0]}–{span[1]}).",)
    if (start, end) == span:
        return notes
    return notes + (f"The answer {quoted(context[span[0]:span[1]])} (characters {span[0]}–{span[1]}) does not start and end on "
                    f"token boundaries; the model scores whole tokens, so the explained answer is {quoted(context[start:end])} "
                    f"(characters {start}–{end}). Pass that text or span to explain it without this note.",)


def window_chars(enc: Encoding, r: int) -> str:
    ctx = (enc.segment_ids[r] == 1) & enc.attributed[r]
    pos = ctx.nonzero().flatten()
    return f"{int(enc.offsets[r, pos[0], 0])}–{int(enc.offsets[r, pos[-1], 1])}" if len(pos) else "none"


def per_text(target, n: int, *, name: str = "target") -> list:
    """One target per text: a single target (int, str, or a (start, end) tuple) is shared; a list is per text.
    Integer scalars of other libraries (``numpy.int64``, a 0-d integer tensor) are read as the int they hold.
    ``name``: the parameter the messages name (``target``, or ``contrast``, read by the same rule)."""
    target = as_int(target)
    if target is None or isinstance(target, (int, str, tuple)):
        return [target] * n
    if isinstance(target, (dict, set, frozenset)):
        raise FaithlensError(f"The {name} is a {type(target).__name__}. Pass one {name} (a class index, label name, "
                             "answer or continuation text), or a list with one per text, in the texts' order.")
    if isinstance(target, float) or isinstance(target, bytes):
        raise FaithlensError(f"The {name} must be a class index, a label name, an answer text or span, or a "
                             f"continuation text. Got {type(target).__name__} {target!r}.")
    try:
        target = list(target)
    except TypeError:
        raise FaithlensError(f"The {name} must be a class index, a label name, an answer text or span, or a "
                             f"continuation text. Got {type(target).__name__}.") from None
    if len(target) != n:
        span = len(target) == 2 and all(isinstance(as_int(t), int) and not isinstance(t, bool) for t in target)
        raise FaithlensError(f"Got {len(target)} {name}s for {n} text{'s' * (n != 1)}: a list holds one {name} per text. "
                             + (f"A QA answer's character span is a tuple: {name}=({as_int(target[0])}, "
                                f"{as_int(target[1])}), not a list. " if span else "")
                             + f"Pass one {name}, or one per text.")
    return [as_int(t) for t in target]


def a_noun(noun: str) -> str:
    """'a classifier', 'an extractive QA': the article a noun takes."""
    return f"a{'n' * (noun[:1].lower() in 'aeiou')} {noun}"


