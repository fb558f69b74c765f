"""The checks `training.fine_tune` and `fine_tune_qa` run on their arguments before any work (split from
`training`): sizes and rates, label names, splits, extra provenance, the output folder and the yes/no settings."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from numbers import Integral
from pathlib import Path
from typing import Any

from faithlens.errors import FaithlensError
from faithlens.files import check_new_folder
from faithlens.gold_labels import check_label_names as _check_given_names
from faithlens.gold_labels import reads_as_number
from faithlens.items import is_item

Split = tuple[list, list[int]]  # (texts or (text_a, text_b) pairs, labels)

# Keys fine_tune writes itself; extra_info may not overwrite them.
_RESERVED_KEYS = frozenset(
    "base_model labels split_sizes training metrics validation_accuracy test_accuracy "
    "versions created seconds".split()
)


# --- validation of user input -----------------------------------------------------------------


MAX_TRAIN_LENGTH = 4096  # tokens per input: beyond every encoder faithlens fine-tunes (MiniLM: 512)


def as_settings(given: dict[str, Any]) -> dict[str, Any]:
    """The training settings with NumPy and torch scalars as the Python numbers they hold (`scalars.as_number`), as
    every other parameter of the API reads them; each is then checked by `_check_settings`."""
    from faithlens.scalars import as_number

    return {k: as_number(v) for k, v in given.items()}


def _check_settings(settings: dict[str, Any], caller: str = "fine_tune") -> None:
    from faithlens.scalars import check_int
    from faithlens.splits import MAX_SEED

    check_int("seed", settings["seed"], low=0, high=MAX_SEED)
    for name in ("epochs", "batch_size", "max_length"):
        value = settings[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise FaithlensError(
                f"The {name!r} parameter of {caller} must be a positive int. "
                f"Got {value!r} instead."
            )
    if settings["max_length"] > MAX_TRAIN_LENGTH:
        raise FaithlensError(f"The 'max_length' parameter of {caller} must be at most {MAX_TRAIN_LENGTH} tokens. Got "
                             f"{settings['max_length']:,}. Use the base model's limit (512 for BERT-style encoders) or less.")
    if "stride" in settings:
        check_stride(settings["stride"])
    of = f"parameter of {caller}"
    _check_unit_interval("lr", settings["lr"], example="5e-5", allow_zero=False, of=of)
    _check_unit_interval("warmup_ratio", settings["warmup_ratio"], example="0.1", allow_zero=True, of=of)
    _check_unit_interval("weight_decay", settings["weight_decay"], example="0.01", allow_zero=True, of=of)


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


def _check_out_dir(out_dir: Path, *, overwrite: bool, caller: str = "fine_tune", progress: object = True,
                   checkpoint_every: object = 1, base_model: object = None) -> None:
    """Before any work: the yes/no settings are bools (``overwrite='no'`` is true in Python and would replace a
    trained model), ``checkpoint_every`` a positive int, and ``out_dir`` a folder that is not, and does not hold, the
    base model (with overwrite=True it would be replaced: the CLI's --out rule, `files.check_holds_no_input`)."""
    from faithlens.files import check_holds_no_input
    from faithlens.scalars import MAX_ROWS_PER_CHUNK, check_bool, check_int

    check_bool(f"The 'overwrite' parameter of {caller}", overwrite)
    check_bool(f"The 'progress' parameter of {caller}", progress)
    check_int("checkpoint_every", checkpoint_every, low=1, high=MAX_ROWS_PER_CHUNK)  # optimiser steps between two
    if isinstance(base_model, (str, os.PathLike)):
        check_holds_no_input(out_dir, {"base_model": base_model}, option="out_dir")
    if out_dir.exists() and not out_dir.is_dir():
        raise FaithlensError(
            f"The 'out_dir' of {caller} must be a folder. Got {str(out_dir)!r}, which is a file."
        )
    check_new_folder(out_dir, option=f"The 'out_dir' of {caller}", flag="overwrite=True", overwrite=overwrite)
