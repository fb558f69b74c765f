"""A fine-tuned model's folder: loading the base encoder (checked like --model), seeding, and saving the model, its
tokenizer and the ``faithlens_model.json`` provenance record (library versions included) in one atomic rename."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import random
import shutil
import sys
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import torch
from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer

from faithlens.errors import FaithlensError

MODEL_INFO_FILE = "faithlens_model.json"
FALLBACK_VERSION = "0.1.0"


def read_model_info(model_dir: str | Path) -> dict[str, Any]:
    """The provenance record that :func:`fine_tune` wrote into ``model_dir``."""
    path = Path(model_dir) / MODEL_INFO_FILE
    if not path.is_file():
        raise FaithlensError(
            f"Expected a fine-tuned faithlens model folder holding {MODEL_INFO_FILE}. "
            f"Got {str(model_dir)!r}, which has no such file. Train one with fine_tune(...)."
        )
    return json.loads(path.read_text(encoding="utf-8"))


def load_base(base_model: str | Path, label_names: list[str], *,
              before_weights: Callable[[Any, Any], None] | None = None) -> tuple[Any, torch.nn.Module]:
    """Tokenizer and a classifier with ``len(label_names)`` outputs on ``base_model``'s encoder: a plain encoder gets
    a fresh head (the expected 'head missing' report muted); a classifier whose head has that many outputs keeps
    its head, trained further; one whose head has another number of outputs (a 3-class NLI model as the base of a
    2-class task) gets a fresh head, with one note on stderr (`load_pretrained`)."""
    id2label = dict(enumerate(label_names))
    label2id = {name: i for i, name in id2label.items()}

    def checks(tokenizer: Any, config: Any) -> None:  # a hub id's config is known only now
        refuse_multi_label_base(base_model, getattr(config, "problem_type", None))
        if before_weights is not None:
            before_weights(tokenizer, config)

    return load_pretrained(base_model, AutoModelForSequenceClassification, before_weights=checks,
                           num_labels=len(label_names), id2label=id2label, label2id=label2id)


MULTI_LABEL = "multi_label_classification"


def check_single_label_base(base_model: str | Path | None, *, option: str = "--base") -> None:
    """The one rule of train's base (CLI --base, fine_tune's ``base_model``), checked from a local folder's
    config.json before any data is read or weights load: a multi-label classifier is refused
    (`refuse_multi_label_base`). A hub id is checked when its config loads (`load_base`)."""
    if base_model is None or not isinstance(base_model, (str, os.PathLike)):
        return
    config = Path(base_model).expanduser() / "config.json"
    try:
        problem_type = json.loads(config.read_text(encoding="utf-8")).get("problem_type")
    except (OSError, ValueError, AttributeError):
        return  # no folder (a hub id) or an unreadable config: named when the model loads
    refuse_multi_label_base(base_model, problem_type, option=option)


def refuse_multi_label_base(base_model: str | Path, problem_type: object, *, option: str = "--base") -> None:
    """A base whose config says problem_type 'multi_label_classification' would train its head with a sigmoid loss
    on one class index per example (a torch shape error): train fine-tunes single-label classifiers only."""
    if problem_type != MULTI_LABEL:
        return
    named = f"{option}{str(base_model)!r}" if option.endswith("=") else f"{option} {base_model}"
    raise FaithlensError(
        f"{named} is a multi-label classifier (problem_type {MULTI_LABEL!r} in its config.json: a sigmoid per label), "
        "but train fine-tunes single-label classifiers (one class per example, softmax) and has no multi-label "
        "training. Pass a single-label classifier or a plain encoder as the base (or drop it to start from the bundled "
        "all-MiniLM-L6-v2); to train this model's encoder as a single-label classifier, copy its folder and set "
        "\"problem_type\": \"single_label_classification\" in the copy's config.json.")


def load_pretrained(base_model: str | Path, auto: Any, *, before_weights: Callable[[Any, Any], None] | None = None,
                    **kwargs: Any) -> tuple[Any, torch.nn.Module]:
    """Tokenizer and model of a base: a folder checked like --model (a missing one is an error naming it, never
    the hub's traceback); a load failure is a FaithlensError. ``before_weights(tokenizer, config)`` runs the
    checks that need only the tokenizer and the config (lengths, positions) before the weights are read.

    A task head of other sizes than ``kwargs`` ask for (another number of classes) is replaced by a fresh one, with a
    note naming the sizes; an encoder weight whose shape differs from its config.json is an error (never
    re-initialised in silence)."""
    from .model_source import check_model_source

    source = check_model_source(base_model, option="--base")
    with _load_errors(base_model):
        tokenizer = AutoTokenizer.from_pretrained(source)
        config = AutoConfig.from_pretrained(source)
    if before_weights is not None:
        before_weights(tokenizer, config)
    _note_other_task(base_model, config, auto)
    with _load_errors(base_model), _quiet_transformers():
        model, info = auto.from_pretrained(source, ignore_mismatched_sizes=True, output_loading_info=True, **kwargs)
    prefix = getattr(model, "base_model_prefix", "") + "."
    head = {name for name, _ in model.named_parameters() if not name.startswith(prefix)}
    mismatched = sorted(info.get("mismatched_keys") or (), key=lambda row: str(row[0]))
    body = [row for row in mismatched if row[0] not in head]
    if body:
        key, saved, wanted = body[0][:3]
        raise FaithlensError(f"--base {str(base_model)!r}: its weights do not have the shapes its config.json declares "
                             f"({key}: {tuple(saved)} in the weights file, {tuple(wanted)} from config.json; "
                             f"{len(body)} such weights). Make config.json match the weights, or save the model again.")
    if mismatched:
        shapes = "; ".join(f"{key} {tuple(saved)} → {tuple(wanted)}" for key, saved, wanted, *_ in mismatched)
        print(f"faithlens: note: --base {str(base_model)!r} has a task head of other sizes than this task needs "
              f"({shapes}); training puts a fresh head in its place.", file=sys.stderr)
    return tokenizer, model


# The task heads a base may carry, by what its config's architectures end with, in words; a plain encoder
# (BertModel) or a pre-training head (BertForMaskedLM) is no task's, and gets a fresh head with no note.
_HEADS = (("ForSequenceClassification", "classification", "a sequence classifier's head"),
          ("ForQuestionAnswering", "qa", "an extractive question-answering head (answer start and end)"),
          ("ForCausalLM", "causal_lm", "a causal language model's next-token head"),
          ("LMHeadModel", "causal_lm", "a causal language model's next-token head"))
_TRAINED = {"AutoModelForSequenceClassification": ("classification", "a classifier (--task classification)"),
            "AutoModelForQuestionAnswering": ("qa", "an extractive question-answering model (--task qa)")}


def _note_other_task(base_model: str | Path, config: Any, auto: Any) -> None:
    """One FaithlensWarning, before the weights are read, when the base's head is of another task than the one
    trained (a QA or causal-LM base trained into a classifier, a classifier trained with --task qa): that head is
    dropped, not trained further, and a fresh head is trained on the encoder. A head of the same task but other
    sizes gets `load_pretrained`'s note instead."""
    import warnings

    from .errors import FaithlensWarning

    trained = _TRAINED.get(getattr(auto, "__name__", ""))
    archs = [str(a) for a in getattr(config, "architectures", None) or []]
    head = next(((arch, task, words) for arch in archs for end, task, words in _HEADS if arch.endswith(end)), None)
    if trained is None or head is None or head[1] == trained[0]:
        return
    arch, _, words = head
    warnings.warn(f"--base {str(base_model)!r} ({arch}) carries {words}, of another task than this run trains, "
                  f"{trained[1]}: that head is dropped, and a fresh {'QA' if trained[0] == 'qa' else 'classifier'} head "
                  "is trained from random weights on the rest of the model.", FaithlensWarning, stacklevel=4)


@contextlib.contextmanager
def _load_errors(base_model: str | Path) -> Iterator[None]:
    """A base that cannot be read (a hub id offline, a damaged weights file) as a FaithlensError naming --base."""
    from .model_source import load_error

    try:
        yield
    except OSError as exc:
        raise FaithlensError(load_error(str(base_model), exc, option="--base")) from None
    except FaithlensError:
        raise
    except Exception as exc:  # ValueError, KeyError, safetensors' SafetensorError (a damaged file) and the like
        if "size mismatch" in str(exc) or "ignore_mismatched_sizes" in str(exc):
            raise FaithlensError(f"--base {str(base_model)!r}: its weights do not have the shapes its config.json "
                                 f"declares ({type(exc).__name__}: {str(exc)[:300]}). Make config.json match the "
                                 "weights, or save the model again.") from None
        raise FaithlensError(f"--base {str(base_model)!r} could not be loaded as a base encoder "
                             f"({type(exc).__name__}: {str(exc)[:300]}). Pass a folder saved with save_pretrained "
                             "whose files are complete (save or download it again), or omit --base for the bundled "
                             "all-MiniLM-L6-v2.") from None


@contextlib.contextmanager
def _quiet_transformers() -> Iterator[None]:
    """Silence transformers' warnings (e.g. 'classifier newly initialised') for one block."""
    from transformers.utils import logging as hf_logging

    level = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)


def seed_everything(seed: int) -> None:
    """Seed Python, torch (head initialisation, dropout) and numpy when present."""
    random.seed(seed)
    torch.manual_seed(seed)
    try:
        import numpy as np
    except ImportError:
        return
    np.random.seed(seed)


def save_atomically(
    model: torch.nn.Module, tokenizer: Any, record: dict[str, Any], *, out_dir: Path
) -> None:
    """Write the model, its tokenizer and ``record`` (faithlens_model.json) to ``out_dir`` through
    :func:`staged_folder`: an interrupted run leaves at most a ``.tmp-*`` folder beside it, never a half-written
    ``out_dir``, and a previous model there is replaced whole."""
    with staged_folder(out_dir) as staging:
        model.save_pretrained(staging)
        tokenizer.save_pretrained(staging)
        info = json.dumps(record, indent=2, sort_keys=False) + "\n"
        (staging / MODEL_INFO_FILE).write_text(info, encoding="utf-8")


@contextlib.contextmanager
def staged_folder(out_dir: str | os.PathLike) -> Iterator[Path]:
    """The one way a model folder is replaced: the block writes into a new staging folder beside ``out_dir``
    (``.NAME.tmp-PID``); when it ends, the staging folder takes ``out_dir``'s place and the previous folder there,
    if any, is deleted, so none of its files remains beside the new model. When the block raises (an error,
    Ctrl-C) the staging folder is deleted and ``out_dir`` is as it was; a hard kill leaves ``out_dir`` as it was
    and the ``.tmp-*`` folder beside it. Yields the staging folder."""
    out_dir = Path(out_dir).expanduser()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.parent / f".{out_dir.name}.tmp-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        yield staging
        _swap_in(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Move ``staging`` to ``out_dir``, deleting any previous folder there."""
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    retired = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
    out_dir.rename(retired)
    staging.rename(out_dir)
    shutil.rmtree(retired, ignore_errors=True)


@contextlib.contextmanager
def replaced_folder(path: str | os.PathLike, *, replace: bool) -> Iterator[Path]:
    """What ``--overwrite`` (``overwrite=True``) does to a model folder, for every writer: with ``replace`` and a
    non-empty folder at ``path``, the block writes through :func:`staged_folder` (train's :func:`save_atomically`
    does too), so the old folder stays whole until the new model is complete, is put back as it was when the
    block raises, and none of its files remains beside the new model. Without ``replace``, or for a missing or
    empty folder, the block writes into ``path`` as it is, where an interrupted facade run finds its checkpoint
    again. Yields the folder to write into."""
    path = Path(path).expanduser()
    if not replace or not path.is_dir() or not any(path.iterdir()):
        yield path
        return
    from .files import check_replaceable_folder

    check_replaceable_folder(path, option="The model folder")
    with staged_folder(path) as staging:
        yield staging


def versions() -> dict[str, str]:
    import transformers

    return {
        "faithlens": faithlens_version(),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "python": platform.python_version(),
    }


def faithlens_version() -> str:
    """``faithlens.__version__`` if importable, else the installed metadata, else 0.1.0."""
    try:
        from faithlens.version import __version__

        return str(__version__)
    except Exception:  # the package may be half-built or import optional extras
        pass
    try:
        return metadata.version("faithlens")
    except metadata.PackageNotFoundError:
        return FALLBACK_VERSION
