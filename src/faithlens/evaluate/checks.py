"""The checks `evaluate` runs on its arguments before any work: the run's sizes and settings, the texts' lengths
against the model's limit, and the rationales' coverage of the selected examples."""

from __future__ import annotations

from collections.abc import Sequence

from ..data import Dataset
from ..dataset import check_gold_classes
from ..errors import FaithlensError, unknown_choice
from ..metrics import PROTOCOLS
from ..text_origins import token_lengths
from ..model import ClassifierModel
from .folder import EvalSettings


def check_run_sizes(*, stop_after, curves) -> None:
    """``stop_after`` (a positive int or None) and ``curves`` (top-k fractions in [0, 1], or None), before any work;
    the errors name the parameter."""
    if stop_after is not None and (isinstance(stop_after, bool) or not isinstance(stop_after, int) or stop_after < 1):
        raise FaithlensError(f"The 'stop_after' parameter of evaluate must be a positive int (records to write before "
                             f"stopping) or None (run to the end). Got {stop_after!r} instead.")
    if curves is None:
        return
    fractions = list(curves) if isinstance(curves, (list, tuple)) else None
    bad = None if fractions else curves
    for f in fractions or ():
        if isinstance(f, bool) or not isinstance(f, (int, float)) or not 0 <= f <= 1:
            bad = f
            break
    if bad is not None or not fractions:
        raise FaithlensError(f"The 'curves' parameter of evaluate must be a non-empty list of top-k fractions in [0, 1], "
                             f"e.g. metrics.AOPC_FRACTIONS = (0.1, 0.2, 0.3, 0.4, 0.5), or None for no curves. Got "
                             f"{curves!r} (bad value {bad!r}) instead.")


def _settings(model, dataset, specs, **kw) -> EvalSettings:
    """The run's settings, each checked before any work."""
    if kw["protocol"] not in PROTOCOLS:
        raise unknown_choice("metrics protocol", kw["protocol"], PROTOCOLS)
    topk = kw["topk"]
    if isinstance(topk, bool) or not isinstance(topk, (int, float)) or not 0 < topk <= 1:
        raise FaithlensError(f"The 'topk' parameter must be a fraction in (0, 1], e.g. 0.2. Got {topk!r} instead.")
    if len(dataset) == 0:
        raise FaithlensError("The dataset has no examples left after selection. Raise --limit or relax the filters.")
    if model.task.name == "causal_lm":
        raise FaithlensError(f"evaluate scores classifiers (single texts and pairs) and QA models; {model.name!r} is a "
                             "causal language model. Explain its next tokens with `faithlens explain --target-text`.")
    if model.task.name in ("classification", "multi_label"):  # gold labels are class indices
        check_gold_classes(dataset.labels, model.labels, model_name=model.name, source=dataset.source)
    return run_settings(model.name, dataset.source, specs, **kw)


def run_settings(model_name: str, source: str, specs, *, baseline=None, rationales=None, metrics=(),
                 **kw) -> EvalSettings:
    """The settings a run records and a resume compares (`folder.check_resume`): the one place they are built, for
    `evaluate` and for the CLI's check before the model loads. ``specs``: the parsed methods; ``baseline`` None is
    the default ``"mask"``; ``rationales``: a `plausibility.Rationales` (recorded by source and by its spans'
    digest) or None; ``metrics``: extra metric names (checked by `robustness.parse_metrics`)."""
    from ..robustness import parse_metrics

    return EvalSettings(model=model_name, data=source, methods=tuple(s.label for s in specs),
                        baseline="mask" if baseline is None else baseline, metrics=parse_metrics(metrics),
                        rationales=None if rationales is None else rationales.source,
                        rationales_digest=None if rationales is None else rationales.digest(), **kw)


def check_lengths(model: ClassifierModel, dataset: Dataset, *, truncate: bool) -> tuple[list[int], list[int]]:
    """(tokens per example, indices longer than the model's limit); refuses long texts unless ``truncate``.

    QA models split a long context into windows themselves, so nothing is refused for them, and ``truncate``, which
    would do nothing there, is refused (`task_inputs.check_truncate`)."""
    from ..task_inputs import check_truncate

    check_truncate(model, truncate)
    lengths = token_lengths(model, dataset.texts)
    limit = model.max_length
    too_long = [i for i, n in enumerate(lengths) if n > limit]
    if too_long and not truncate and model.task.name != "qa":
        from ..text_origins import too_long_refusal

        shown = ", ".join(f"example {i}: {lengths[i]} tokens" for i in too_long[:5]) + (", …" if len(too_long) > 5 else "")
        raise too_long_refusal(model, len(too_long), len(dataset), shown, does="explain",
                               said="each record and the table then say so", leave="leave them out with --max-chars")
    return lengths, too_long


def check_fits(model: ClassifierModel, dataset: Dataset, specs, *, seed: int, truncate: bool, batch_size: int) -> None:
    """Before any work: every example's KernelSHAP and LIME fit is determined by its draws
    (`perturbation.undetermined`), so a refusal cannot come after other methods' records are written; every
    refused spec is named at once."""
    from ..fit_checks import undetermined
    from .notes import in_evaluate_words

    refused = undetermined(model, dataset.texts, [(spec, spec.method, spec.options.get("n_samples")) for spec in specs],
                           seed=seed, truncate=truncate, batch_size=batch_size)
    if refused:
        raise FaithlensError("\n".join(in_evaluate_words(str(exc), spec, list(range(len(dataset))), dataset.texts)
                                       for spec, exc in refused))


def check_rationales(rationales, dataset: Dataset) -> None:
    """Before any work: at least one selected example has a rationale (an empty one counts as none)."""
    if rationales is None:
        return
    found = sum(1 for item in dataset.texts if rationales.spans_of(item))
    if found == 0:
        empty = sum(1 for item in dataset.texts if rationales.spans_of(item) == ())
        raise FaithlensError(f"None of the {len(dataset)} selected examples of {dataset.source!r} has a rationale in "
                             f"{rationales.source!r} ({len(rationales)} rationales"
                             + (f"; {empty} of the selected examples have an empty one, which counts as none" if empty else "")
                             + "). Pass the data file the rationales were written for (texts must match), give rationale "
                             "words or spans, or raise --limit.")


def _shuffled(dataset: Dataset, shuffle: bool | None) -> bool:
    """The ``shuffle`` a run records (a resume compares it): how the dataset was selected (`data.select`'s
    "shuffled"; a dataset never selected is in the order given, False). ``shuffle`` None takes it; a bool that
    contradicts the selection is refused, since the record would not say what happened."""
    chosen = dataset.info.get("selected") if isinstance(dataset.info, dict) else None
    done = chosen.get("shuffled") if isinstance(chosen, dict) else None
    if shuffle is None:
        return bool(done)
    if done is not None and bool(done) != shuffle:
        raise FaithlensError(f"shuffle={shuffle} records that the examples were {'' if shuffle else 'not '}drawn in a "
                             f"seeded shuffle, but the dataset was selected with shuffle={bool(done)}. Drop shuffle= "
                             "(evaluate records the selection's own), or select again with the shuffle you mean.")
    return shuffle


def check_arguments(dataset: Dataset, *, steps, topk, seed, max_chars, shuffle, out, batch_size, truncate, progress,
                    rationales, random_row, curves) -> dict:
    """evaluate()'s arguments by the rules explain() reads them with, before any work: integer and real scalars of
    NumPy or torch are the numbers they hold (`task_inputs.as_int`, `as_number`), ``seed=None`` is the default seed
    (`options.as_seed`) and a seed lies in [0, MAX_SEED], yes/no parameters are bools (`task_inputs.check_bool`),
    ``out`` is a str or PathLike, ``rationales`` a `Rationales`. Returns the values as evaluate runs with them."""
    import os

    from ..options import MAX_SEED, _int, as_seed, check_steps
    from ..plausibility import Rationales
    from ..scalars import as_int, as_number
    from ..scalars import check_bool

    steps, topk, batch_size, max_chars = as_int(steps), as_number(topk), as_int(batch_size), as_int(max_chars)
    if steps == "auto":
        raise FaithlensError("steps='auto' (as many quadrature nodes as a tolerance needs) is explain()'s; evaluate's "
                             "shared steps is an int for every path method, e.g. steps=50 (CLI --steps 50). For "
                             "error-controlled steps give a method its tolerance in its spec, e.g. "
                             "methods=['ig:tolerance=1e-3'] (CLI --methods ig:tolerance=1e-3).")
    if steps is not None:
        steps = check_steps(steps)
    seed = _int("seed", as_seed(as_int(seed)), low=0, high=MAX_SEED)
    if max_chars is not None:
        if isinstance(max_chars, bool) or not isinstance(max_chars, int) or max_chars < 1:
            raise FaithlensError(f"The 'max_chars' parameter of evaluate must be a positive int or None. Got "
                                 f"{type(max_chars).__name__} {max_chars!r:.60} instead.")
        from ..dataset import item_length

        longest = max((item_length(t) for t in dataset.texts), default=0)
        if longest >= max_chars:
            raise FaithlensError(f"max_chars={max_chars} records that the texts were kept shorter than {max_chars} "
                                 f"characters, but {dataset.source} holds a text of {longest}. Select with it, "
                                 f"select(dataset, max_chars={max_chars}) (CLI --max-chars {max_chars}), and pass the "
                                 "same value here, or drop it.")
    truncate, random_row = (check_bool(f"The {name!r} parameter of evaluate", value) for name, value in
                            (("truncate", truncate), ("random_row", random_row)))
    shuffle = _shuffled(dataset, check_bool("The 'shuffle' parameter of evaluate", shuffle, optional=True))
    progress = check_bool("The 'progress' parameter of evaluate", progress, optional=True)
    if out is not None and not isinstance(out, (str, os.PathLike)):
        raise FaithlensError(f"The 'out' parameter of evaluate must be a folder as a str or a pathlib.Path, e.g. "
                             f"out='runs/my-run', or None. Got {type(out).__name__} {out!r:.80} instead.")
    if rationales is not None and not isinstance(rationales, Rationales):
        raise FaithlensError(f"The 'rationales' parameter of evaluate takes the Rationales that "
                             f"faithlens.plausibility.read_rationales(path, dataset=...) returns, or None. Got "
                             f"{type(rationales).__name__} {rationales!r:.80}; read the file first, e.g. "
                             "rationales=read_rationales('rationales.jsonl', dataset=data).")
    if curves is not None and isinstance(curves, (list, tuple)):
        curves = [as_number(f) for f in curves]
        twice = sorted({f for f in curves if isinstance(f, (int, float)) and curves.count(f) > 1})
        if twice:
            raise FaithlensError(f"The 'curves' parameter of evaluate lists {', '.join(map(str, twice))} more than once "
                                 f"({curves!r:.120}). List each top-k fraction once.")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise FaithlensError(f"The 'batch_size' parameter of evaluate must be a positive int. Got "
                             f"{type(batch_size).__name__} {batch_size!r} instead.")
    return dict(steps=steps, topk=topk, seed=seed, max_chars=max_chars, shuffle=shuffle, truncate=truncate,
                progress=progress, random_row=random_row, batch_size=batch_size, curves=curves)
