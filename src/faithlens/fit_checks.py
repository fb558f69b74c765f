"""Before any forward pass: the KernelSHAP and LIME runs of a command that its items' draws cannot determine
(`perturbation.check_determined`), found from each item's word count alone, for evaluate, facade saliency and audits
alike, so that a refusal cannot come after other methods' work."""

from __future__ import annotations

from collections.abc import Sequence


def word_counts(model, items: Sequence, *, truncate: bool, batch_size: int) -> list[int]:
    """Words of each item (a text, a pair, a QA (question, context)) as explain encodes it: the players of its game
    (`perturbation.word_units`). For QA the most of any window of its context, the windows made per ``batch_size``
    items as a batched explain makes them (the explained window is the predicted one, not known before the run)."""
    from .encoding import encode, encode_windows, split_items, unit_masks

    counts: list[int] = []
    qa = model.task.name == "qa"
    step = batch_size if qa else 256
    for start in range(0, len(items), step):
        chunk = list(items[start:start + step])
        enc, item_of = encode_windows(model, *split_items(chunk)) if qa else (
            encode(model, chunk, truncate=truncate), list(range(len(chunk))))
        per_row = unit_masks(enc, "word").any(-1).sum(1).tolist()
        most = [0] * len(chunk)
        for row, i in enumerate(item_of):
            most[i] = max(most[i], per_row[row])
        counts += most
    return counts


def undetermined(model, items: Sequence, fits: Sequence[tuple], *, seed: int, truncate: bool,
                 batch_size: int) -> list[tuple]:
    """Before any forward pass: [(key, FaithlensError)] for each (key, method, n_samples) of ``fits`` (KernelSHAP or
    LIME runs; n_samples None: the default) that refuses ``items``: fewer than `MIN_REGRESSION_SAMPLES` samples
    (`options.check_settings`) or a fit its draws cannot determine on some item (`perturbation.check_determined`, "Text i" naming
    the item). Every run's refusal at once, so that one rerun fixes them all; [] when none refuses."""
    from .errors import FaithlensError
    from .methods.perturbation import FITTED, check_determined
    from .options import check_settings

    fits = [f for f in fits if f[1] in FITTED]
    counts = word_counts(model, items, truncate=truncate, batch_size=batch_size) if fits else []
    refused = []
    for key, method, n_samples in fits:
        try:
            check_settings([method], {"n_samples": n_samples}, strict=False)
            check_determined(method, counts, n_samples, seed)
        except FaithlensError as exc:
            refused.append((key, exc))
    return refused
