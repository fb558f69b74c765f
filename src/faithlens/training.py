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

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForQuestionAnswering

from faithlens.errors import FaithlensError
from faithlens.model_folder import FALLBACK_VERSION, MODEL_INFO_FILE, faithlens_version, read_model_info  # noqa: F401
from faithlens.model_folder import check_single_label_base
from faithlens.model_folder import load_base as _load_base
from faithlens.model_folder import load_pretrained as _load_pretrained
from faithlens.model_folder import save_atomically as _save_atomically
from faithlens.model_folder import seed_everything as _seed_everything
from faithlens.model_folder import versions as _versions
from faithlens.training_loop import run_checkpoint as _checkpoint
from faithlens.training_loop import train_loop as _train_loop
from faithlens.training_checks import (  # noqa: F401 (split from here; the names other modules import kept here)
    MAX_TRAIN_LENGTH, Split, _check_extra_info, as_settings, _check_out_dir, _check_settings, _check_splits, _check_unit_interval,
    _out_path, check_label_names, check_model_length, check_split_classes, check_split_inputs, check_stride, item_kind)


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
    batch_size, max_length, seed = settings["batch_size"], settings["max_length"], settings["seed"]  # NumPy scalars read
    check_single_label_base(base_model, option="base_model=")
    _check_splits(splits, label_names=label_names)
    extra = _check_extra_info(extra_info)
    _check_out_dir(out_dir, overwrite=overwrite, progress=progress, checkpoint_every=checkpoint_every,
                   base_model=base_model)

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
                              seed=seed, warmup_ratio=warmup_ratio, weight_decay=weight_decay, caller="fine_tune_qa")
    batch_size, max_length, stride, seed = (settings[k] for k in ("batch_size", "max_length", "stride", "seed"))
    if not train:
        raise FaithlensError("The 'train' examples of fine_tune_qa must hold at least one question. Got 0.")
    extra = _check_extra_info(extra_info)
    _check_out_dir(out_dir, overwrite=overwrite, caller="fine_tune_qa", progress=progress,
                   checkpoint_every=checkpoint_every, base_model=base_model)
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


def _loop_settings(caller: str = "fine_tune", **given: Any) -> dict[str, Any]:
    """The training loop's settings, checked: what the caller gave plus the fixed optimiser and schedule."""
    settings = dict(as_settings(given), optimizer="AdamW", schedule="linear warmup then linear decay", max_grad_norm=1.0,
                    torch_threads=torch.get_num_threads())
    _check_settings(settings, caller)
    return settings


def _encode(tokenizer: Any, texts: list, *, max_length: int) -> dict[str, torch.Tensor]:
    """Tokenise a batch of texts or text pairs, padded only to its own longest member (dynamic padding)."""
    if texts and isinstance(texts[0], tuple):
        first, second = [t[0] for t in texts], [t[1] for t in texts]
        return dict(tokenizer(first, second, padding=True, truncation=True, max_length=max_length, return_tensors="pt"))
    return dict(
        tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
    )
