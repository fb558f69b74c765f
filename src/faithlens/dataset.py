"""The `Dataset` record every loader returns (texts or pairs, labels, label names, where it came from, QA answers
and articles) and what is done to one: `select` (length filter, seeded sample, limit, in that order, so the same
arguments always give the same examples), `subset`, and `holdout` (the split `faithlens train --holdout` makes)."""

from __future__ import annotations

import random
import warnings
from collections.abc import Sequence, Set
from dataclasses import dataclass, field, replace

from .errors import FaithlensError, FaithlensWarning
from .items import Item, is_item  # noqa: F401 (Item: public here too)
from .scalars import as_int
from .splits import group_holdout, held_out_record, holdout_settings, holdout_split
from .label_reading import number_reading




@dataclass(frozen=True)
class Dataset:
    texts: tuple[Item, ...]
    labels: tuple[int | None, ...]
    source: str  # path or name, with split
    label_names: tuple[str, ...] | None = None
    info: dict = field(default_factory=dict)  # how it was read and selected
    answers: tuple[tuple[str, ...], ...] | None = None  # QA: the reference answers of each question
    groups: tuple[str, ...] | None = None  # QA: each question's article (held out whole)

    def __post_init__(self) -> None:
        """A Dataset built by hand holds what the readers write (`check_dataset`); lists become tuples."""
        check_dataset(self)

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def has_labels(self) -> bool:
        return any(y is not None for y in self.labels)

    @property
    def is_pairs(self) -> bool:
        return bool(self.texts) and isinstance(self.texts[0], tuple)


def check_dataset(d: Dataset) -> None:
    """Texts a list of str or (str, str) pairs, one label per text (a class index, an int; None: no gold label), label
    names distinct strs, info a dict: else FaithlensError naming the example and what to pass. A str of texts would
    be read letter by letter, and a label of another type would be written into the records as it is."""
    from .gold_labels import check_label_names

    fix = "Build it as Dataset(texts=(...), labels=(...), source='NAME'), or read a file with load_dataset(PATH)"
    for name in ("texts", "labels"):
        value = getattr(d, name)
        if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)):
            raise FaithlensError(f"Dataset({name}=...) must be a tuple or list. Got {type(value).__name__} {value!r:.40}. {fix}.")
        object.__setattr__(d, name, tuple(value))
    if (i := next((i for i, t in enumerate(d.texts) if not is_item(t)), None)) is not None:
        raise FaithlensError(f"Dataset text {i} (counting from 0) is {type(d.texts[i]).__name__} {d.texts[i]!r:.40}; "
                             f"each text is a str, or a (str, str) pair. {fix}.")
    if len(d.labels) != len(d.texts):
        raise FaithlensError(f"Dataset has {len(d.texts)} texts and {len(d.labels)} labels: give one label per text "
                             f"(None for no gold label). {fix}.")
    labels = tuple(y if y is None else as_int(y) for y in d.labels)
    if (i := next((i for i, y in enumerate(labels) if y is not None and (isinstance(y, bool) or not isinstance(y, int)
                                                                         or y < 0)), None)) is not None:
        raise FaithlensError(f"Dataset label {i} (counting from 0) is {d.labels[i]!r:.40}; a gold label is a class "
                             "index, an int ≥ 0 (None for none), with label_names=(...) naming the classes in that "
                             "order. Label names in a file are read by load_dataset(PATH).")
    object.__setattr__(d, "labels", labels)
    if d.label_names is not None:
        object.__setattr__(d, "label_names", tuple(check_label_names(d.label_names)))
    if not isinstance(d.info, dict) or not isinstance(d.source, str):
        raise FaithlensError(f"Dataset(source=...) is a str and Dataset(info=...) a dict. Got "
                             f"{type(d.source).__name__}, {type(d.info).__name__}. {fix}.")


def item_length(item: Item) -> int:
    """Characters of a text, or of both texts of a pair."""
    return sum(map(len, item)) if isinstance(item, tuple) else len(item)


def select(dataset: Dataset, *, limit: int | None = None, seed: int | None = None, max_chars: int | None = None,
           shuffle: bool = False, said: bool = True) -> Dataset:
    """Length filter (texts with fewer than ``max_chars`` characters), then a seeded shuffle (when
    ``shuffle``), then the first ``limit`` examples. Empty texts are always dropped.

    Warns (FaithlensWarning) when ``limit`` is more than the examples left, naming how many are used, unless the
    limit is a command's default (``said=False``: audit's 50 texts of a smaller file are no surprise).
    Raises FaithlensError when ``max_chars`` removes every text (naming it and the shortest text's length)."""
    from .options import MAX_SEED, _int
    from .scalars import check_bool

    _check_is_dataset(dataset, "select")
    shuffle, said = check_bool("shuffle", shuffle), check_bool("said", said)
    if seed is not None:  # explain's and evaluate's rule for a seed
        seed = _int("seed", seed, low=0, high=MAX_SEED)
    limit, max_chars = as_int(limit), as_int(max_chars)  # numpy and torch integers: the ints they hold
    for name, value in (("limit", limit), ("max_chars", max_chars)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise FaithlensError(f"The {name!r} parameter must be a positive int. Got {value!r} instead.")
    index = [i for i, t in enumerate(dataset.texts) if item_length(t) and (max_chars is None or item_length(t) < max_chars)]
    n_filtered = len(index)
    if not index and max_chars is not None and any(map(item_length, dataset.texts)):
        shortest = min(item_length(t) for t in dataset.texts if item_length(t))
        raise FaithlensError(f"--max-chars {max_chars} (max_chars={max_chars}) keeps texts shorter than {max_chars} "
                             f"characters and removed all {sum(1 for t in dataset.texts if item_length(t))} texts of "
                             f"{dataset.source} (the shortest has {shortest} characters). Raise it above {shortest}, "
                             "or drop it.")
    if shuffle:
        random.Random(0 if seed is None else seed).shuffle(index)
    if said and limit is not None and limit > n_filtered:  # once per message (Python's default filter), so once per run
        kept = f" ({n_filtered} of {len(dataset)} are shorter than --max-chars {max_chars})" if max_chars else ""
        warnings.warn(f"--limit {limit} (limit={limit} in Python) is more than the {n_filtered} examples of "
                      f"{dataset.source}{kept}: all {n_filtered} are used.", FaithlensWarning, stacklevel=2)
    if limit is not None:
        index = index[:limit]
    info = dict(dataset.info, selected={"limit": limit, "seed": seed if shuffle else None, "max_chars": max_chars,
                                        "shuffled": shuffle, "after_filter": n_filtered, "total": len(dataset)})
    return subset(dataset, index, info=info)


def subset(dataset: Dataset, index: Sequence[int], *, info: dict | None = None) -> Dataset:
    """The examples at `index`, in that order (labels, answers and groups follow): positions in [0, len(dataset)),
    ints or NumPy/torch integer scalars (`check_positions`)."""
    index = check_positions(index, len(dataset))
    pick = lambda xs: None if xs is None else tuple(xs[i] for i in index)  # noqa: E731
    return replace(dataset, texts=pick(dataset.texts), labels=pick(dataset.labels), answers=pick(dataset.answers),
                   groups=pick(dataset.groups), info=dataset.info if info is None else info)


def check_positions(index: object, n: int) -> list[int]:
    """A subset's ``index`` as a list of ints: an ordered sequence (list, tuple, range, 1-d array) of example positions
    in [0, n), each an int or a NumPy/torch integer scalar, never a bool (True would be example 1) and never negative
    (-1 would silently be the last example). Raises FaithlensError naming the first bad value and the valid range."""
    positions = f"ints in [0, {n - 1}] (the dataset has {n} examples)" if n else "none: the dataset has no examples"
    example = "[0, 1]" if n > 1 else "[0]"
    ordered = isinstance(index, Sequence) or getattr(index, "ndim", None) == 1
    if isinstance(index, (str, bytes)) or not ordered:
        raise FaithlensError(f"subset's index must be a list of example positions, {positions}, e.g. {example}. Got "
                             f"{type(index).__name__} {index!r:.60}{' (a set has no order)' * isinstance(index, Set)}.")
    out = []
    for k, value in enumerate(index):
        i = as_int(value)
        if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < n:
            raise FaithlensError(f"subset's index holds {value!r:.40} at place {k}, which is no example position: "
                                 f"positions are {positions}. Pass e.g. {example}.")
        out.append(i)
    return out


def by_model_labels(dataset: Dataset, model_labels: Sequence[str]) -> Dataset:
    """A dataset whose gold labels were read without label names, each read against the model's label names by the
    rule of --target (`faithlens.label_reading.read_class`): whole numbers written as text ("1", "01", "1.0":
    ``info["digit_labels"]``) are class indices unless a label name reads them otherwise (refused where a number
    names one class and indexes another); label names (``info["named_labels"]``, indexed in sorted order) are
    re-indexed by the model's label of that name, so that SNLI's "neutral" is the class the model calls neutral; other
    numbers (``info["number_labels"]``: "-1", "0.5") name a class only as a label name. Other datasets are returned
    as they are.

    Raises FaithlensError when a gold label names no class of the model, or two.
    """
    from .gold_labels import moved_indices, read_spellings

    source = repr(dataset.source)
    info = {k: v for k, v in dataset.info.items() if k not in ("digit_labels", "named_labels", "number_labels",
                                                               "case_clash")}
    if dataset.info.get("digit_labels"):
        moved = moved_indices(dataset.info["digit_labels"], list(model_labels), source=source)
        labels = tuple(None if y is None else moved.get(y, y) for y in dataset.labels)
        return replace(dataset, labels=labels, info=info)
    numbers = dataset.info.get("number_labels")
    own_names = dataset.label_names is not None and [str(n).lower() for n in dataset.label_names] != [
        str(n).lower() for n in model_labels]  # a Dataset whose own label names order the classes otherwise
    if not (numbers or dataset.info.get("named_labels") or own_names) or dataset.label_names is None:
        return dataset
    if numbers:  # "-1", "0.5" (and "1" beside them): read as they are
        classes = read_spellings(numbers, list(model_labels), source=source)
        new = [classes[n] for n in dataset.label_names]
    else:  # words and label:NAME cells: names only
        own = {str(n).strip().lower() for n in model_labels}
        missing = [n for n in dataset.label_names if n.strip().lower() not in own]
        _refuse_label_lists(dataset, missing, own, model_labels)
        if missing and all(number_reading(n) is None for n in missing):
            raise FaithlensError(f"The gold labels of {dataset.source} include {', '.join(map(repr, missing))}, which "
                                 f"the model does not have (its labels: {', '.join(map(str, model_labels))}). Rename the "
                                 "labels in the data to the model's, or give class indices in the model's order.")
        classes = read_spellings({f"label:{n}": None for n in dataset.label_names}, list(model_labels), source=source)
        new = [classes[f"label:{n}"] for n in dataset.label_names]
    labels = tuple(None if y is None else new[y] for y in dataset.labels)
    return replace(dataset, labels=labels, label_names=tuple(model_labels), info=info)


def _refuse_label_lists(dataset: Dataset, missing: Sequence[str], own: set[str], model_labels: Sequence[str]) -> None:
    """A gold label "a,b" that is no label name of the model but lists names: each name is read (a multi-label
    model's labels; a single-label one's alike), the unknown ones named; a list of known names is refused too, as a
    JSON list is: a gold label is one class per example."""
    for cell in missing:
        parts = [p.strip() for p in cell.split(",")]
        if len(parts) < 2:
            continue
        unknown = [p for p in parts if p.lower() not in own]
        theirs = ", ".join(map(str, model_labels))
        if unknown:
            raise FaithlensError(f"The gold label {cell!r} of {dataset.source} lists {', '.join(map(repr, unknown))}, "
                                 f"which the model does not have (its labels: {theirs}). Rename the labels in the data "
                                 "to the model's.")
        raise FaithlensError(f"The gold label {cell!r} of {dataset.source} lists several of the model's labels "
                             f"({', '.join(map(repr, parts))}); a gold label is one class per example (a JSON list is "
                             f"refused alike). Give each example one of {theirs}, or drop the label column.")


def check_gold_classes(labels: Sequence, model_labels: Sequence[str], *, model_name: str, source: str) -> None:
    """Every gold label is a class index of the model (0 .. len(model_labels) - 1), checked before any model pass or
    training: one rule for `evaluate` and `facade regularise` (whose cross-entropy reads each label as a row of the
    model's head). Labels that are no int (None: missing) are left to the caller. Raises FaithlensError naming the labels outside,
    the model's classes and the fix."""
    n = len(model_labels)
    outside = sorted({y for y in labels if isinstance(y, int) and not 0 <= y < n})
    if outside:
        raise FaithlensError(f"The gold labels of {source} include {', '.join(map(str, outside))}, outside the "
                             f"{n} classes of {model_name!r} (0..{n - 1}: {', '.join(map(str, model_labels))}). Pass "
                             "data labelled for this model (or the model trained on this data).")


def holdout(dataset: Dataset, fraction: float, seed: int = 0) -> tuple[Dataset, Dataset]:
    """(training part, held-out part), split as `faithlens train --holdout` splits: examples, or whole groups
    (a SQuAD file's articles) when the dataset has them. The held-out part's ``info["holdout"]["record"]`` is the
    record train keeps of the part it held out (`splits.held_out_record`), for `splits.check_held_out`."""
    _check_is_dataset(dataset, "holdout")
    fraction, seed = holdout_settings(fraction, seed)  # np.float32(0.5), np.int64(3): the numbers they hold
    if dataset.groups is not None:
        held_groups = group_holdout(dataset.groups, fraction, seed, source=dataset.source)
        kept = [i for i, g in enumerate(dataset.groups) if g not in held_groups]
        held = [i for i, g in enumerate(dataset.groups) if g in held_groups]
    else:
        kept, held = holdout_split(len(dataset), fraction, seed, source=dataset.source)
    note = {"fraction": fraction, "seed": seed, "held_out": len(held), "of": len(dataset)}
    if dataset.groups is not None:  # what train records of the part (`splits.held_out_record`): articles, or examples
        record = held_out_record(held_groups, fraction, seed, len(set(dataset.groups)))
    else:
        record = held_out_record([dataset.texts[i] for i in held], fraction, seed, len(dataset))
    return (subset(dataset, kept, info=dict(dataset.info, holdout=dict(note, part="train"))),
            subset(dataset, held, info=dict(dataset.info, holdout=dict(note, part="held out", record=record))))


def _check_is_dataset(dataset: object, function: str) -> None:
    if not isinstance(dataset, Dataset):
        raise FaithlensError(f"{function}() takes a Dataset. Got {type(dataset).__name__} {dataset!r:.60}. Read a file "
                             "with faithlens.data.load_dataset(PATH), or build one: Dataset(texts=(...), labels=(...), "
                             "source='NAME').")


def check_evaluate_inputs(model: object, dataset: object) -> None:
    """`evaluate`'s first two arguments, before any work: a loaded model and a Dataset (a path or a list of texts
    would fail deep inside with an AttributeError). Raises FaithlensError saying what to pass."""
    from .model import ClassifierModel

    if not isinstance(model, ClassifierModel):
        raise FaithlensError(f"The 'model' parameter of evaluate must be a loaded model. Got {type(model).__name__} "
                             f"{model!r:.60}. Pass faithlens.load_model(NAME) (a folder or hub id; None for the bundled "
                             "default model).")
    if not isinstance(dataset, Dataset):
        raise FaithlensError(f"The 'dataset' parameter of evaluate must be a Dataset. Got {type(dataset).__name__} "
                             f"{dataset!r:.60}. Read a file with faithlens.data.load_dataset(PATH) (then "
                             "faithlens.data.select(...) for a subset), or build one: faithlens.data.Dataset(texts=(...), "
                             "labels=(None, ...), source='my texts').")
