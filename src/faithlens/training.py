"""Fine-tune a local encoder folder into a sequence classifier (single texts or text pairs) or an
extractive QA model.

Dataset-agnostic: callers hand over ``(texts, labels)`` splits — a text may be a pair (a, b),
encoded as the tokenizer encodes pairs — and label names, or SQuAD-style examples for QA; this
module checks the inputs, trains with a plain torch loop (`training_loop`), measures accuracy (EM/F1 for QA),
and writes the model, its tokenizer and a ``faithlens_model.json`` provenance record into ``out_dir`` in one
atomic rename (`model_folder`).

Training is resumable: every ``checkpoint_every`` steps the model, optimiser, schedule, data order
and random states go to ``.<out_dir name>.checkpoint.pt`` beside ``out_dir``. Running the same
command again continues from there and ends with the model an uninterrupted run would have made.
One of other settings or data is refused before the model loads, naming them (`training_loop.run_checkpoint`).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from numbers import Integral
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForQuestionAnswering

from faithlens.items import is_item
from faithlens.errors import FaithlensError
from faithlens.files import check_new_folder
from faithlens.gold_labels import check_label_names as _check_given_names
from faithlens.gold_labels import reads_as_number
from faithlens.model_folder import FALLBACK_VERSION, MODEL_INFO_FILE, faithlens_version, read_model_info  # noqa: F401
from faithlens.model_folder import check_single_label_base
from faithlens.model_folder import load_base as _load_base
from faithlens.model_folder import load_pretrained as _load_pretrained
from faithlens.model_folder import save_atomically as _save_atomically
from faithlens.model_folder import seed_everything as _seed_everything
from faithlens.model_folder import versions as _versions
from faithlens.training_loop import run_checkpoint as _checkpoint
from faithlens.training_loop import train_loop as _train_loop


Split = tuple[list, list[int]]  # (texts or (text_a, text_b) pairs, labels)

# Keys fine_tune writes itself; extra_info may not overwrite them.
_RESERVED_KEYS = frozenset(
    "base_model labels split_sizes training metrics validation_accuracy test_accuracy "
    "versions created seconds".split()
)


def fine_tune(
    *,
    base_model: str | Path,
    train: Split,
    validation: Split,
    test: Split,
    out_dir: str | Path,
    label_names: list[str],
    epochs: int = 1,
    lr: float = 5e-5,
    batch_size: int = 32,
    max_length: int = 128,
    seed: int = 0,
    warmup_ratio: float = 0.1,
    weight_decay: float = 0.01,
    progress: bool = True,
    overwrite: bool = False,
    checkpoint_every: int = 50,
    extra_info: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Fine-tune ``base_model`` on ``train`` and save a classifier into ``out_dir``.

    ``base_model`` is a local folder (or hub id) that ``from_pretrained`` can load; a fresh
    classification head with ``len(label_names)`` outputs is put on top. Each split is
    ``(texts, labels)`` with labels in ``range(len(label_names))``; ``validation`` and ``test``
    may be empty, in which case their accuracy is recorded as ``None``.

    Returns the provenance record also written to ``out_dir/faithlens_model.json``: base model,
    labels, split sizes, training settings, ``metrics`` (validation/test accuracy, repeated at
    the top level), library versions, seconds taken, plus the keys of ``extra_info`` (e.g. a
    dataset description and split seed).
    """
    out_dir = _out_path(out_dir, "fine_tune")
    splits = {"train": train, "validation": validation, "test": test}
    settings = _loop_settings(epochs=epochs, lr=lr, batch_size=batch_size, max_length=max_length, seed=seed,
                              warmup_ratio=warmup_ratio, weight_decay=weight_decay)
    check_single_label_base(base_model, option="base_model=")
    _check_splits(splits, label_names=label_names)
    extra = _check_extra_info(extra_info)
    _check_out_dir(out_dir, overwrite=overwrite)

    trajectory = [str(base_model), list(label_names), {k: v for k, v in settings.items() if k != "torch_threads"}]
    checkpoint = _checkpoint(out_dir, trajectory, train, every=checkpoint_every, overwrite=overwrite)

    started = time.perf_counter()
    _seed_everything(seed)
    pairs = bool(train[0]) and isinstance(train[0][0], tuple)
    tokenizer, model = _load_base(base_model, label_names, before_weights=lambda tokenizer, config: check_model_length(
        tokenizer, config, max_length, pairs=pairs))
    texts, labels = train

    def batch_of(index: list[int]) -> dict[str, torch.Tensor]:
        batch = _encode(tokenizer, [texts[i] for i in index], max_length=max_length)
        batch["labels"] = torch.tensor([int(labels[i]) for i in index])  # (B,)
        return batch

    settings["steps"] = _train_loop(model, len(texts), batch_of, settings=settings, progress=progress, checkpoint=checkpoint)
    metrics = {
        f"{name}_accuracy": accuracy(
            model, tokenizer, splits[name], batch_size=2 * batch_size, max_length=max_length
        )
        for name in ("validation", "test")
    }
    record = {
        "base_model": str(base_model),
        "labels": list(label_names),
        "inputs": "pairs" if pairs else "texts",  # what the classifier saw in training (task_inputs.input_kind_notes)
        "split_sizes": {name: len(texts) for name, (texts, _) in splits.items()},
        "training": settings,
        "metrics": metrics,
        **metrics,  # also top level: validation_accuracy, test_accuracy
        "versions": _versions(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **extra,
        "seconds": round(time.perf_counter() - started, 1),
    }
    _save_atomically(model, tokenizer, record, out_dir=out_dir)
    checkpoint.remove()
    return record


def fine_tune_qa(
    *,
    base_model: str | Path,
    train: Sequence[Any],
    test: Sequence[Any],
    out_dir: str | Path,
    epochs: int = 2,
    lr: float = 1e-4,
    batch_size: int = 16,
    max_length: int = 384,
    stride: int | None = None,
    seed: int = 0,
    warmup_ratio: float = 0.1,
    weight_decay: float = 0.01,
    progress: bool = True,
    overwrite: bool = False,
    checkpoint_every: int = 50,
    extra_info: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Fine-tune ``base_model`` into an extractive QA model on SQuAD-style examples (`faithlens.qa.QAExample`).

    Each (question, context) becomes its overflow windows (``max_length`` tokens, ``stride`` overlap)
    with start/end token labels ([CLS] when a window lacks the answer), as in Hugging Face's QA
    recipe. ``test`` is scored with the official SQuAD v1.1 EM and F1 (best span over windows).
    Resumable like :func:`fine_tune`; returns the provenance record written to ``out_dir``. ``stride`` None: the
    default overlap, `qa.DEFAULT_STRIDE` (128) tokens; a refusal of the windows then names it as the default.
    """
    from . import qa

    given_stride, stride = stride, qa.DEFAULT_STRIDE if stride is None else stride
    out_dir = _out_path(out_dir, "fine_tune_qa")
    train, test = qa.check_examples(train, "train"), qa.check_examples(test, "test")  # a path: read_squad names it
    settings = _loop_settings(epochs=epochs, lr=lr, batch_size=batch_size, max_length=max_length, stride=stride,
                              seed=seed, warmup_ratio=warmup_ratio, weight_decay=weight_decay)
    if not train:
        raise FaithlensError("The 'train' examples of fine_tune_qa must hold at least one question. Got 0.")
    extra = _check_extra_info(extra_info)
    _check_out_dir(out_dir, overwrite=overwrite, caller="fine_tune_qa")
    trajectory = [str(base_model), "qa", {k: v for k, v in settings.items() if k != "torch_threads"}]
    data = ([f"{e.question}\t{e.context}" for e in train], [e.answer_start for e in train])
    checkpoint = _checkpoint(out_dir, trajectory, data, every=checkpoint_every, overwrite=overwrite,
                             caller="fine_tune_qa")
    started = time.perf_counter()
    _seed_everything(seed)
    for ex in train:  # every training label points at its answer text (read_squad checks files the same way)
        qa.check_question(ex.title, ex.id, ex.context, ex.question,
                          [{"text": ex.answers[0], "answer_start": ex.answer_start}] if ex.answers else [],
                          Path("train"))

    def before_weights(tokenizer: Any, config: Any) -> None:  # before the weights are read and training starts
        positions = getattr(config, "max_position_embeddings", None)
        qa.check_windows(tokenizer, [*train, *test], max_length=max_length, stride=given_stride,
                         positions=positions if isinstance(positions, int) else None)
        check_model_length(tokenizer, config, max_length)

    # two outputs (start, end) whatever the base's config says: a classifier's num_labels (3 for NLI) would size the
    # QA head by its classes
    tokenizer, model = _load_pretrained(base_model, AutoModelForQuestionAnswering, before_weights=before_weights,
                                        num_labels=2, id2label={0: "LABEL_0", 1: "LABEL_1"},
                                        label2id={"LABEL_0": 0, "LABEL_1": 1})
    feats = qa.features(tokenizer, train, max_length=max_length, stride=stride)
    keys = [k for k in ("input_ids", "attention_mask", "token_type_ids", "start_positions", "end_positions") if k in feats]
    table = {k: torch.tensor(feats[k]) for k in keys}

    def batch_of(index: list[int]) -> dict[str, torch.Tensor]:
        rows = {k: v[index] for k, v in table.items()}
        width = int(rows["attention_mask"].sum(1).max())  # right padding: trim to the longest window of the batch
        for k in ("input_ids", "attention_mask", "token_type_ids"):
            if k in rows:
                rows[k] = rows[k][:, :width]
        return rows

    settings["steps"] = _train_loop(model, len(table["input_ids"]), batch_of, settings=settings, progress=progress,
                                    checkpoint=checkpoint)
    settings["windows"] = len(table["input_ids"])
    predictions = qa.predict_answers(model, tokenizer, test, max_length=max_length, stride=stride) if test else []
    scores = qa.squad_scores(predictions, [e.answers for e in test]) if test else None
    record = {
        "base_model": str(base_model),
        "task": "qa",
        "split_sizes": {"train": len(train), "test": len(test)},
        "training": settings,
        "metrics": {"test": scores},
        "versions": _versions(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        **extra,
        "seconds": round(time.perf_counter() - started, 1),
    }
    _save_atomically(model, tokenizer, record, out_dir=out_dir)
    checkpoint.remove()
    return record


def accuracy(
    model: torch.nn.Module,
    tokenizer: Any,
    split: Split,
    *,
    batch_size: int = 64,
    max_length: int = 128,
) -> float | None:
    """Fraction of ``split`` whose arg-max prediction equals its label; ``None`` if empty."""
    texts, labels = split
    if not texts:
        return None
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            stop = start + batch_size
            batch = _encode(tokenizer, texts[start:stop], max_length=max_length)
            predicted = model(**batch).logits.argmax(dim=-1)  # (B,)
            expected = torch.tensor([int(y) for y in labels[start:stop]])  # (B,)
            correct += int((predicted == expected).sum())
    return correct / len(texts)


def _loop_settings(**given: Any) -> dict[str, Any]:
    """The training loop's settings, checked: what the caller gave plus the fixed optimiser and schedule."""
    settings = dict(given, optimizer="AdamW", schedule="linear warmup then linear decay", max_grad_norm=1.0,
                    torch_threads=torch.get_num_threads())
    _check_settings(settings)
    return settings


def _encode(tokenizer: Any, texts: list, *, max_length: int) -> dict[str, torch.Tensor]:
    """Tokenise a batch of texts or text pairs, padded only to its own longest member (dynamic padding)."""
    if texts and isinstance(texts[0], tuple):
        first, second = [t[0] for t in texts], [t[1] for t in texts]
        return dict(tokenizer(first, second, padding=True, truncation=True, max_length=max_length, return_tensors="pt"))
    return dict(
        tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
    )


# --- validation of user input -----------------------------------------------------------------


MAX_TRAIN_LENGTH = 4096  # tokens per input: beyond every encoder faithlens fine-tunes (MiniLM: 512)


def _check_settings(settings: dict[str, Any]) -> None:
    for name in ("epochs", "batch_size", "max_length"):
        value = settings[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise FaithlensError(
                f"The {name!r} parameter of fine_tune must be a positive int. "
                f"Got {value!r} instead."
            )
    if settings["max_length"] > MAX_TRAIN_LENGTH:
        raise FaithlensError(f"The 'max_length' parameter of fine_tune must be at most {MAX_TRAIN_LENGTH} tokens. Got "
                             f"{settings['max_length']:,}. Use the base model's limit (512 for BERT-style encoders) or less.")
    if "stride" in settings:
        check_stride(settings["stride"])
    _check_unit_interval("lr", settings["lr"], example="5e-5", allow_zero=False)
    _check_unit_interval("warmup_ratio", settings["warmup_ratio"], example="0.1", allow_zero=True)
    _check_unit_interval("weight_decay", settings["weight_decay"], example="0.01", allow_zero=True)


def check_stride(stride: object, *, option: str = "'stride' parameter") -> None:
    """QA windows' overlap: an int ≥ 0. Whether it leaves room in a window (it must be smaller than max_length, less
    the question and the special tokens) depends on the questions, so `qa.check_windows` checks that, suggesting
    settings that work."""
    if isinstance(stride, bool) or not isinstance(stride, int) or stride < 0:
        raise FaithlensError(f"The {option} (overlap of a long context's windows, in tokens) must be an int ≥ 0. Got "
                             f"{stride!r}.")


def check_model_length(tokenizer: Any, config: Any, max_length: int, *, pairs: bool | None = None,
                       model: str = "the base model", default: int = 128) -> None:
    """max_length within the model's positions (``config.max_position_embeddings``; an index error deep in the
    model otherwise); for a classifier (``pairs`` given) room for a text token (one per side of a pair) after the
    special tokens. Needs only the tokenizer and the config, so it runs before the weights are read. ``model`` and
    ``default`` name the model and the default max_length in the message (train's base model and 128; `faithlens
    facade train`'s target model and 64)."""
    limit = getattr(config, "max_position_embeddings", None)
    if pairs is not None:
        least = tokenizer.num_special_tokens_to_add(pair=pairs) + (2 if pairs else 1)
        if max_length < least:
            most = (f"{model}'s {limit} positions are the most" if isinstance(limit, int) and limit < default
                    else f"{default} is the default")
            raise FaithlensError(f"max_length {max_length} leaves no text token: {model}'s tokenizer adds "
                                 f"{least - (2 if pairs else 1)} special tokens to each "
                                 f"{'pair' if pairs else 'text'}, so every input would train on nothing. Pass "
                                 f"--max-length {least} or more (the least useful value; {most}).")
    if isinstance(limit, int) and max_length > limit:
        raise FaithlensError(f"max_length {max_length}{' (the default)' * (max_length == default)} is longer than "
                             f"{model}'s {limit} positions. Pass --max-length {min(limit, 512)} or less.")


def _check_unit_interval(name: str, value: object, *, example: str, allow_zero: bool, of: str = "parameter of fine_tune",
                         why: str = "") -> None:
    """``value``, ``of`` whom (a facade's lr too), a real number in [0, 1) (or (0, 1) without ``allow_zero``)."""
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    low_ok = is_number and (value >= 0 if allow_zero else value > 0)
    if not (low_ok and value < 1):
        interval = "[0, 1)" if allow_zero else "(0, 1)"
        raise FaithlensError(f"The {name!r} {of} must be a number in {interval}, e.g. {example}{why}. Got {value!r} instead.")


def check_label_names(names: object, *, option: str = "'label_names' parameter of fine_tune") -> None:
    """A classifier's label names: at least two distinct str, and a name that is a number names its own index
    (a number that is no index, '-1' or '1.0', names nothing: the data reader reads such labels as numbers).

    A name like '1' on class 0 (``--labels 1 0``) reads two ways wherever labels are digits — a data label 1 is
    class 1 by index and class 0 by name — so it is refused, as `explain` refuses ``--target 1`` on such a model."""
    names = list(_check_given_names(names, option=option) or [])  # a list or tuple of distinct non-empty str
    if len(names) < 2:
        raise FaithlensError(f"The {option} must list at least two distinct names, e.g. ['negative', 'positive']. "
                             f"Got {names!r} instead.")
    reserved = [n for n in names if n.strip().lower().startswith(("index:", "label:"))]
    if reserved:
        raise FaithlensError(f"The {option} names a class {reserved[0]!r}: 'index:' and 'label:' are reserved prefixes "
                             f"(--target index:N picks a class by index, label:NAME by name), so the name would read "
                             f"two ways. Name the class without the prefix, e.g. {reserved[0].split(':', 1)[1] or 'class'!r}.")
    numbers = [(i, n) for i, n in enumerate(names) if reads_as_number(n) and not n.strip().isdigit()]
    if numbers:  # the data reader's rule: a label that is a number is a class index, never a class name
        i, n = numbers[0]
        raise FaithlensError(
            f"The {option} gives class {i} the name {n!r}, a number that is not a class index: a new model's label "
            f"names that are numbers must be their own class indices (0, 1, ...), so that a label {n!r} in data, and "
            f"later in a target when the model is explained, reads one way. "
            f"Rewrite the data's labels as class indices 0..{len(names) - 1} (e.g. {names[0]} → 0, {names[1]} → 1) and "
            f"name the classes by words (e.g. {' '.join(['neg', 'pos'] if len(names) == 2 else [f'class{j}' for j in range(len(names))])}).")
    swapped = [(i, n) for i, n in enumerate(names) if n.strip().isdigit() and int(n) != i]
    if swapped:
        i, n = swapped[0]
        raise FaithlensError(
            f"The {option} gives class {i} the name {n!r}, a number that is another class's index: a label {n} in "
            f"data would read as class {int(n)} (the index) and as class {i} (the name). Name the classes by words "
            f"(e.g. {' '.join(['neg', 'pos'] if len(names) == 2 else [f'class{j}' for j in range(len(names))])}) "
            f"or by their own indices ({' '.join(map(str, range(len(names))))}).")


def _check_splits(splits: dict[str, Split], *, label_names: list[str]) -> None:
    check_label_names(label_names)
    for name, split in splits.items():
        _check_split(name=name, split=split, num_labels=len(label_names))
    if not splits["train"][0]:
        raise FaithlensError("The 'train' split of fine_tune must hold at least one example. Got 0.")
    named = [(f"the {name!r} split of fine_tune", split) for name, split in splits.items()]
    check_split_inputs([(name, texts) for name, (texts, _) in named], pairs_how="(text, text) tuples",
                       texts_how="str texts")
    check_split_classes([(name, labels) for name, (_, labels) in named], label_names=label_names)


def item_kind(item: object) -> str:
    """"pairs" for a (text, text) pair, "texts" for a single text: what a classifier reads it as."""
    return "pairs" if isinstance(item, (tuple, list)) else "texts"


KIND_WORDS = {"texts": "single texts", "pairs": "text pairs"}


def check_split_inputs(splits: Sequence[tuple[str, Sequence]], *, pairs_how: str, texts_how: str) -> None:
    """Every split of a classifier's training holds the one kind of input the training split holds (single texts or
    text pairs): scored on the other kind, its accuracy measures nothing of what it learned. ``splits``: (name, items)
    in the caller's words ("--test t4.tsv", "the 'test' split of fine_tune"), the training split first; ``pairs_how``
    and ``texts_how`` say how that surface passes each kind. Checked before any model loads."""
    kinds = []
    for name, items in splits:
        found = sorted({item_kind(item) for item in items})
        if len(found) > 1:
            first = next(i for i, item in enumerate(items) if item_kind(item) != item_kind(items[0]))
            raise FaithlensError(f"{name} mixes single texts and text pairs (example 1 is one of "
                                 f"{KIND_WORDS[item_kind(items[0])]}, example {first + 1} of "
                                 f"{KIND_WORDS[item_kind(items[first])]}): a classifier reads one kind. Give every "
                                 f"example as {KIND_WORDS[item_kind(items[0])]} ({pairs_how if item_kind(items[0]) == 'pairs' else texts_how}).")
        kinds.append((name, found[0] if found else None))
    (train_name, train_kind), *others = kinds
    for name, kind in others:
        if train_kind is not None and kind is not None and kind != train_kind:
            raise FaithlensError(f"{name} holds {KIND_WORDS[kind]}, but {train_name} holds {KIND_WORDS[train_kind]}: "
                                 f"a classifier trained on {KIND_WORDS[train_kind]} would be scored on input it never "
                                 f"reads, so its accuracy would measure nothing of what it learned. Give {name} "
                                 f"{KIND_WORDS[train_kind]} as {train_name} holds "
                                 f"({pairs_how if train_kind == 'pairs' else texts_how}), or train on "
                                 f"{KIND_WORDS[kind]}.")


def check_split_classes(splits: Sequence[tuple[str, Sequence[int]]], *, label_names: Sequence[str] | None = None,
                        fix: str = "drop those examples from it") -> None:
    """Every class that a validation or test split holds has training examples: a class the model never sees in
    training is one it cannot learn, so its examples would count as wrong whatever it learned and the accuracy would
    not measure the training. ``splits``: (name, class indices) in the caller's words, the training split first;
    ``fix`` says how the caller's surface drops them. Raises FaithlensError naming the classes and both splits."""
    (train_name, train_labels), *others = splits
    trained = {int(y) for y in train_labels}
    for name, labels in others:
        unseen = sorted({int(y) for y in labels} - trained)
        if unseen and trained:
            count = sum(int(y) in unseen for y in labels)
            named = ", ".join(f"{c} ({label_names[c]})" if label_names and c < len(label_names) else str(c)
                              for c in unseen)
            raise FaithlensError(f"{name} has {count} example(s) of class{'es' if len(unseen) > 1 else ''} {named}, "
                                 f"which no example of {train_name} has (its classes: "
                                 f"{', '.join(map(str, sorted(trained)))}): the model never learns "
                                 f"{'them' if len(unseen) > 1 else 'it'}, so those examples would count as wrong "
                                 f"whatever it learned. Add training examples of {'those classes' if len(unseen) > 1 else 'that class'} "
                                 f"to {train_name}, or {fix}.")


def _check_split(*, name: str, split: Split, num_labels: int) -> None:
    """A split is (texts, labels) of equal length, texts are str, labels in range(num_labels)."""
    if not isinstance(split, (tuple, list)) or len(split) != 2:
        raise FaithlensError(
            f"The {name!r} split of fine_tune must be a (texts, labels) pair. "
            f"Got {type(split).__name__} instead."
        )
    texts, labels = split
    if isinstance(texts, (str, bytes)) or not isinstance(texts, Sequence):  # a str would be read letter by letter
        raise FaithlensError(f"The {name!r} split of fine_tune must hold a list of texts. Got {type(texts).__name__} "
                             f"{texts!r:.60}; pass [text, ...] (one str is one text: wrap it in a list).")
    if len(texts) != len(labels):
        raise FaithlensError(f"The {name!r} split of fine_tune must have one label per text. Got {len(texts)} texts "
                             f"and {len(labels)} labels.")
    empty = lambda t: not "".join(t if isinstance(t, tuple) else (t,)).strip()  # noqa: E731
    if (i := next((i for i, t in enumerate(texts) if not is_item(t) or empty(t)), None)) is not None:
        got = f"an empty text {texts[i]!r}" if is_item(texts[i]) else f"{type(texts[i]).__name__} {texts[i]!r:.40}"
        raise FaithlensError(f"The {name!r} split of fine_tune must hold non-empty str texts or (str, str) pairs. "
                             f"Example {i} (counting from 0) is {got}.")
    if (i := next((i for i, y in enumerate(labels) if not _is_label(y, range(num_labels))), None)) is not None:
        raise FaithlensError(
            f"The {name!r} split of fine_tune must hold int labels in 0..{num_labels - 1} "
            f"(one per label name). Example {i} has {labels[i]!r}. Map label names to ids before training."
        )


def _is_label(value: object, valid: range) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool) and int(value) in valid


def _check_extra_info(extra_info: dict[str, Any] | None) -> dict[str, Any]:
    extra = dict(extra_info or {})
    clash = sorted(_RESERVED_KEYS & extra.keys())
    if clash:
        raise FaithlensError(
            f"The 'extra_info' parameter of fine_tune must not use the keys fine_tune writes "
            f"itself ({', '.join(sorted(_RESERVED_KEYS))}). Got {clash}. Rename them."
        )
    try:
        json.dumps(extra)
    except TypeError as error:
        raise FaithlensError(
            f"The 'extra_info' parameter of fine_tune must be JSON-serialisable. Got: {error}."
        ) from None
    return extra


def _out_path(out_dir: object, caller: str) -> Path:
    """``out_dir`` as a Path, refusing an empty one: Path('') is the current folder, which a run would fill."""
    if isinstance(out_dir, (str, os.PathLike)) and not str(os.fspath(out_dir)).strip():
        raise FaithlensError(f"The 'out_dir' of {caller} was given an empty path ({os.fspath(out_dir)!r}); expected the "
                             f"folder the model is written to, e.g. out_dir='models/my-model'.")
    if not isinstance(out_dir, (str, os.PathLike)):
        raise FaithlensError(f"The 'out_dir' of {caller} must be a str or a path. Got {type(out_dir).__name__} "
                             f"{out_dir!r:.60}.")
    return Path(out_dir).expanduser()


def _check_out_dir(out_dir: Path, *, overwrite: bool, caller: str = "fine_tune") -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise FaithlensError(
            f"The 'out_dir' of {caller} must be a folder. Got {str(out_dir)!r}, which is a file."
        )
    check_new_folder(out_dir, option=f"The 'out_dir' of {caller}", flag="overwrite=True", overwrite=overwrite)
