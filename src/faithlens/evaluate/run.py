"""The run loop of an evaluate job: `evaluate(...)` explains every example with every method in fixed batches,
scores each explanation and appends one record per (example, method); a resumed run skips finished records, and
under a launcher the unfinished batches are dealt to the processes (the package docstring gives the contract)."""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

from ..baselines import resolve_baseline
from ..checkpoint import model_fingerprint
from ..data import Dataset
from ..dataset import by_model_labels, check_evaluate_inputs
from ..distributed import World, balance, init_world
from ..errors import FaithlensError
from ..explainer import Explainer
from ..files import AppendFile, FolderLock, check_folder_writes_no_input, check_output_folder, write_atomic
from ..methods import get_method
from ..metrics import DEFAULT_TOPK, completeness_gap, explanation_faithfulness_at
from ..model import ClassifierModel
from ..model_source import refuse_model_folder
from ..options import ordered_methods
from ..robustness import parse_metrics
from ..task_inputs import QA_PAIRS_DATA_API, check_data_task
from ..version import __version__
from .checks import _settings, check_arguments, check_fits, check_lengths, check_rationales, check_run_sizes
from .folder import (LEGACY_KEY, SETTINGS_FILE, WRITTEN_FILES, EvalSettings, digest, RecordsTail, check_examples, check_resume,
                     leading_unsealed, legacy_allowance, record_files, run_records,
                     records_path, saved_run, sealed, sealed_line)
from .notes import batch_size_of_run, in_evaluate_words, warn_inexact
from .output import write_outputs
from .paired import RANDOM
from .specs import DEFAULT_METHODS, PER_UNIT, MethodSpec, check_shared_steps, parse_methods
from .summary import EvalResult, summarise_run


def with_random_row(methods, random_row: bool):
    """``methods`` with the seeded ``random`` row added last when ``random_row`` and not listed: one rule for the
    Python API and the CLI, whose folder check (before the model loads) compares the methods a run will record."""
    if random_row and not isinstance(methods, str) and methods and RANDOM not in [m.partition(":")[0] for m in methods]:
        return [*methods, RANDOM]
    return methods


def evaluate(
    model: ClassifierModel,
    dataset: Dataset,
    *,
    methods: Sequence[str] = DEFAULT_METHODS,
    baseline: str | None = "mask",
    steps: int | None = None,
    topk: float = DEFAULT_TOPK,
    protocol: str = "standard",
    score: str = "logit",
    seed: int = 0,
    max_chars: int | None = None,
    shuffle: bool | None = None,
    out: str | os.PathLike | None = None,
    batch_size: int = 4,
    truncate: bool = False,
    progress: bool = True,
    stop_after: int | None = None,
    memory_budget: int | None = None,
    curves: Sequence[float] | None = None,
    rationales=None,
    metrics: Sequence[str] = (),
    random_row: bool = False,
) -> EvalResult:
    """Explain and score every example of ``dataset`` with every method; returns the table.

    With ``out``, records go to ``out/records.jsonl`` one line at a time and finished lines are
    skipped on a re-run. ``dataset`` should already be selected (see :func:`faithlens.data.select`).
    A text longer than the model's limit is refused before any work unless ``truncate`` (then its
    first tokens are explained and its records say ``"truncated": true``; QA contexts are always
    split into windows). ``stop_after`` stops once this process has written that many new records,
    at the end of a batch (used to test resuming). ``memory_budget`` (bytes of activations per chunk)
    bounds memory; it never changes a number. ``curves`` (top-k fractions, e.g.
    ``metrics.AOPC_FRACTIONS``) also records each metric at every fraction, for AOPC curves
    (``EvalResult.curves``); it adds a ``curve`` entry to new records and changes no other value.
    With ``out``, the final write adds ``report.html`` and, with matplotlib, plots. ``rationales``
    (:class:`~faithlens.plausibility.Rationales`, from :func:`~faithlens.plausibility.read_rationales`)
    adds the plausibility table (``EvalResult.plausibility``; ``plausibility.md``/``.json`` in ``out``):
    records then hold each example's word scores and rationale marks. ``metrics`` adds per-example
    columns from ``EXTRA_METRICS`` (``infidelity``, ``sensitivity``). Under
    ``torchrun``/``accelerate launch`` the work is split across the processes (``out`` required)
    and every process returns the same result, whose ``computed`` counts the records computed by
    the whole job. ``random_row`` (on in the CLI) adds the seeded ``random`` method (a random ordering of the words)
    when it is not listed: the table marks methods whose Comp is not significantly above it, and
    ``significance.md`` / ``EvalResult.significance`` hold the paired tests between methods.
    ``baseline=None`` is the model's own default (``mask``; evaluate scores encoders only), recorded as ``mask``.
    ``stop_after`` is a positive int or None; ``curves`` a non-empty list of fractions in [0, 1] or None.
    ``shuffle`` (recorded, compared on a resume) says whether the examples were a seeded shuffle; None (default) takes
    it from the dataset's selection (False for a dataset never selected); a bool that contradicts it is refused.
    """
    check_evaluate_inputs(model, dataset)
    checked = check_arguments(dataset, steps=steps, topk=topk, seed=seed, max_chars=max_chars, shuffle=shuffle, out=out,
                              batch_size=batch_size, truncate=truncate, progress=progress, rationales=rationales,
                              random_row=random_row, curves=curves)
    steps, topk, seed, max_chars, shuffle, truncate, progress, random_row, batch_size, curves = (checked[k] for k in (
        "steps", "topk", "seed", "max_chars", "shuffle", "truncate", "progress", "random_row", "batch_size", "curves"))
    check_run_sizes(stop_after=stop_after, curves=curves)
    curves = None if curves is None else sorted(curves)  # a set of fractions: [0.3, 0.1] resumes a [0.1, 0.3] run
    methods = ordered_methods(methods)  # a set is refused before the random row makes it a list
    methods = with_random_row(methods, random_row)
    specs = parse_methods(methods)
    check_shared_steps(specs, steps)
    extra = parse_metrics(metrics)
    if model.task.name in ("classification", "multi_label"):  # named gold labels follow the model's label names
        dataset = by_model_labels(dataset, model.labels)
    check_rationales(rationales, dataset)  # before its digest is taken for the settings
    settings = _settings(model, dataset, specs, baseline=baseline, steps=steps, topk=topk, protocol=protocol,
                         score=score, seed=seed, max_chars=max_chars, truncate=truncate, shuffle=shuffle,
                         rationales=rationales, metrics=extra, curves=curves)
    check_data_task(model, dataset, how=QA_PAIRS_DATA_API, run="evaluate")  # shape, then a one-off input-kind warning
    base = resolve_baseline(model, settings.baseline)
    score_fn = model.task.score(score)
    world = init_world()
    if world.distributed and out is None:
        raise FaithlensError(f"This process is one of {world.size} (torchrun / accelerate launch); pass --out FOLDER "
                             "(out=...), where each process writes its records and rank 0 merges them.")
    if out is not None:  # the files it writes there must not be the data or rationales it read (files.check_not_input)
        refuse_model_folder(out, option="The 'out' parameter of evaluate", example="out='runs/my-run'")
        check_folder_writes_no_input(out, WRITTEN_FILES, {"dataset": dataset.source, "rationales": getattr(
            rationales, "source", None)}, option="The 'out' parameter of evaluate")
        out = check_output_folder(out, option="The 'out' parameter of evaluate", example="out='runs/my-run'")
    explainer = Explainer(model)
    run = _Run(world, out, settings, dataset, specs, batch_size)
    try:
        plan = world.on_main(lambda: run.open(model))
        if any(s.method.startswith("dig") for s in specs):  # build/load the neighbour graph before any timing
            from ..methods.dig import knn_graph

            world.on_main(lambda: knn_graph(model, progress=progress), share=False)  # built once, by rank 0 ...
            knn_graph(model, progress=False)  # ... the others read it from the cache
        run.start(plan, progress=progress)
        try:
            for index, todo in plan["work"][world.rank]:
                texts = [dataset.texts[i] for i in index]
                context = example_context(explainer, texts, base, score_fn, truncate)
                for label, pending in todo:
                    for rec in run_method(explainer, model, run.spec(label), index, texts, pending, context, dataset,
                                           settings, base, memory_budget, curves, rationales):
                        run.add(rec)
                    if stop_after is not None and run.written >= stop_after:  # never inside a batch: a resumed
                        raise _Stop  # run then explains every example in the batch it always has
                run.refresh_tables()
        except _Stop:
            pass
        finally:
            run.stop_writing()
        counts = world.gather(run.written)  # also waits for every process to finish
        result = world.on_main(lambda: run.finish(sum(counts)))
    finally:
        run.close()
    return result


class _Run:
    """One evaluate job's bookkeeping: the folder lock, the records (this process's file; on rank 0
    every file), the progress bar and the tables on disk."""

    def __init__(self, world: World, out: Path | None, settings: EvalSettings, dataset: Dataset,
                 specs: list[MethodSpec], batch_size: int) -> None:
        self.world, self.out, self.settings, self.dataset = world, out, settings, dataset
        self.specs, self.batch_size = {s.label: s for s in specs}, batch_size
        self.done: dict[tuple[int, str], dict] = {}  # rank 0: every finished record it knows of
        self.lock: FolderLock | None = None
        self.own_lock = False
        self.writer: AppendFile | None = None
        self.bar = None
        self.written = 0
        self._mutex = threading.Lock()
        self._tails: list[RecordsTail] = []
        self._watch: threading.Thread | None = None
        self._stopping = threading.Event()

    def spec(self, label: str) -> MethodSpec:
        return self.specs[label]

    # rank 0, before any work -----------------------------------------------------------------------
    def open(self, model: ClassifierModel) -> dict:
        """Checks, lock, resume state and the plan: ``{"work": [per rank: [(indices, [(method, positions)])]],
        "total": ..., "initial": ...}``."""
        lengths, too_long = check_lengths(model, self.dataset, truncate=self.settings.truncate)
        check_fits(model, self.dataset, self.specs.values(), seed=self.settings.seed, truncate=self.settings.truncate,
                   batch_size=self.batch_size)
        out = self.out
        if out is not None:
            if not FolderLock.holding(out):
                self.lock, self.own_lock = FolderLock(out).acquire(), True
            saved = saved_run(out)
            check_resume(out, self.settings, saved=saved, too_long=bool(too_long))
            self.done = run_records(out, repair=True)
            check_examples(out, self.done, self.dataset)
            fingerprint = model_fingerprint(model)
            check_resume(out, self.settings, saved=saved, too_long=bool(too_long), model_print=fingerprint)
            legacy = {}  # lines from before records carried digests, counted now, so none can be added by an edit
            for path in record_files(out):
                allowed = legacy_allowance(out, path.name)
                count = leading_unsealed(path) if allowed is None else min(allowed, leading_unsealed(path))
                if count:
                    legacy[path.name] = count
            batches = batch_size_of_run(out, saved, self.done, self.batch_size)
            write_atomic(out / SETTINGS_FILE, json.dumps(sealed({
                "settings": self.settings.to_dict(), "version": __version__, "dataset_info": self.dataset.info,
                "fingerprints": {"model": fingerprint}, "batch_size": batches,
                **({LEGACY_KEY: legacy} if legacy else {})}), indent=2) + "\n")
            if self.world.distributed:  # the other processes' new lines, from here on (they start after the plan)
                self._tails = [RecordsTail(records_path(out, r)) for r in range(1, self.world.size)]
        return self._plan(lengths)

    def _plan(self, lengths: list[int]) -> dict:
        n, bs = len(self.dataset), self.batch_size
        batches, costs, ids = [], [], []
        for start in range(0, n, bs):
            index = list(range(start, min(start + bs, n)))
            todo = [(label, [j for j, i in enumerate(index) if (i, label) not in self.done]) for label in self.specs]
            todo = [(label, pending) for label, pending in todo if pending]
            if todo:
                longest = max(lengths[i] for i in index)
                batches.append((index, todo))
                costs.append(sum(len(p) * _cost(self.specs[label], longest, self.settings.steps) for label, p in todo))
                ids.append(start)
        shares = balance(costs, ids, self.world.size)
        total = n * len(self.specs)
        initial = sum(1 for (i, label) in self.done if i < n and label in self.specs)
        return {"work": [[batches[p] for p in share] for share in shares], "total": total, "initial": initial}

    # every rank -------------------------------------------------------------------------------------
    def start(self, plan: dict, *, progress: bool) -> None:
        if self.out is not None:
            self.writer = AppendFile(records_path(self.out, self.world.rank))
        if not self.world.is_main:
            return
        from tqdm.auto import tqdm

        left = plan["total"] - plan["initial"]
        if progress and left:
            print(f"faithlens evaluate: {left} explanations to compute ({plan['initial']} already done"
                  + (f", {self.world.size} processes" if self.world.distributed else "") + ")", file=sys.stderr)
        self.bar = tqdm(total=plan["total"], initial=plan["initial"], desc="evaluate", unit="expl", smoothing=0.05,
                        disable=not progress, file=sys.stderr, dynamic_ncols=True,
                        mininterval=0.5 if sys.stderr.isatty() else 30)
        if self._tails:  # the other processes' progress, from their files
            self._watch = threading.Thread(target=self._follow, name="faithlens-progress", daemon=True)
            self._watch.start()

    def add(self, record: dict) -> None:
        if self.writer is not None:
            self.writer.write_line(sealed_line(record))
        self.written += 1
        if self.world.is_main:
            self._collect([record])

    def _collect(self, records: list[dict]) -> None:
        with self._mutex:
            for r in records:
                self.done[(r["index"], r["method"])] = r
            if self.bar is not None and records:
                self.bar.update(len(records))

    def _follow(self) -> None:
        while not self._stopping.wait(0.5):
            for tail in self._tails:
                self._collect(tail.new_records())

    def refresh_tables(self) -> None:
        """Rank 0: the tables on disk reflect every finished line it knows of."""
        if self.world.is_main and self.out is not None:
            with self._mutex:
                done = dict(self.done)
            write_outputs(_summary(done, self.dataset, self.settings, self.out), self.out)

    def stop_writing(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    # rank 0, after every process has finished ---------------------------------------------------------------
    def finish(self, computed: int) -> EvalResult:
        self._stop_watch()
        if self.out is None:
            result = _summary(self.done, self.dataset, self.settings, None)
        else:
            done = run_records(self.out)  # every file, complete now
            self._merge_files(done)
            result = _summary(done, self.dataset, self.settings, self.out)
            write_outputs(result, self.out, report=True)
        warn_inexact(self.done if self.out is None else done, self.settings.methods)
        result.computed = computed
        return result

    def _merge_files(self, done: dict) -> None:
        """records.jsonl := every record, by example then method; the per-process files go."""
        order = {label: k for k, label in enumerate(self.settings.methods)}
        ranked = sorted(done.values(), key=lambda r: (r["index"], order.get(r["method"], len(order)), r["method"]))
        text = "".join(json.dumps(r, allow_nan=False) + "\n" for r in ranked)
        target = records_path(self.out)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if text != current:
            write_atomic(target, text)
        for path in record_files(self.out):
            if path != target:
                path.unlink()

    def _stop_watch(self) -> None:
        if self._watch is not None:
            self._stopping.set()
            self._watch.join()
            self._watch = None
            for tail in self._tails:
                self._collect(tail.new_records())

    def close(self) -> None:
        self.stop_writing()
        self._stop_watch()
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        if self.lock is not None and self.own_lock:
            self.lock.release()
            self.lock = None


def _cost(spec: MethodSpec, length: int, default_steps: int | None) -> int:
    """Relative cost of explaining one example of ``length`` tokens (padded) with ``spec``: rows of
    that length through the model — one per path point, and one path per token for SIG/occlusion."""
    method = get_method(spec.method)
    if spec.steps_per_token is not None:
        steps = spec.steps_per_token * length
    elif spec.options.get("mode") == "closed" or spec.method == "occlusion" or (
            spec.method == "sig" and spec.options.get("mode", "auto") == "auto" and not default_steps
            and not {"steps", "tolerance"} & set(spec.options)):
        steps = 1  # SIG's default is the closed form: one forward pass per unit
    else:
        steps = spec.options.get("steps") or default_steps or method.default_steps or spec.options.get("n_samples") \
            or method.default_samples or 1
        if steps == "auto":  # as many nodes as the tolerance needs: not known before the run; the default's cost
            steps = method.default_steps or 1
    paths = length if spec.method in PER_UNIT + ("shapley",) else 1  # shapley: one row per word per order
    if spec.method == "partition":  # about 2·U² coalitions, no samples
        paths, steps = length, 2 * length
    return length * paths * steps


def _summary(done: dict, dataset: Dataset, settings: EvalSettings, out: Path | None) -> EvalResult:
    result = summarise_run([r for r in done.values() if r["index"] < len(dataset)], settings)
    result.out = out
    result.examples_asked = len(dataset)  # every example with every method: complete (a stopped run is resumable)
    result.complete = all((i, label) in done for i in range(len(dataset)) for label in settings.methods)
    return result


class _Stop(Exception):
    pass


@dataclass(frozen=True)
class _Context:
    f_input: torch.Tensor  # (B,) F(w) for the predicted target
    f_baseline: torch.Tensor  # (B,) F(w̄)
    n_tokens: list[int]


def example_context(explainer: Explainer, texts, base, score_fn, truncate) -> _Context:
    """F(w) and F(w̄) of the predicted target for the Delta column, once per batch of examples."""
    prep = explainer._prepare(list(texts), [None] * len(texts), base, score_fn, truncate, None, None)
    batch = prep.batch
    return _Context(f_input=batch.F_input().to(torch.float64), f_baseline=batch.F_baseline().to(torch.float64),
                    n_tokens=batch.enc.attributed.sum(1).tolist())


def run_method(explainer, model, spec: MethodSpec, index, texts, pending, ctx: _Context, dataset, settings, base,
                memory_budget=None, curves=None, rationales=None):
    """Explain the pending examples of one batch with one method; yields records."""
    groups: dict[int, list[int]] = {}
    for j in pending:  # "10N" steps differ per example: group examples by their step count
        key = ctx.n_tokens[j] if spec.steps_per_token is not None else -1
        groups.setdefault(key, []).append(j)
    for n_tokens, members in groups.items():
        kwargs = spec.explain_kwargs(settings.steps, max(n_tokens, 1))
        try:
            explanations = explainer.explain([texts[j] for j in members], spec.method, baseline=settings.baseline
                                             if get_method(spec.method).baseline else None,  # read by the method only
                                             score=settings.score, truncate=settings.truncate,
                                             batch_size=len(members), memory_budget=memory_budget, **kwargs,
                                             **({"seed": settings.seed} if "seed" in get_method(spec.method).reads else {}))
        except FaithlensError as exc:  # in evaluate's words: the example's index, a setting as a method spec
            raise FaithlensError(in_evaluate_words(str(exc), spec, [index[j] for j in members],
                                                    [texts[j] for j in members])) from None
        metrics, *at_k = explanation_faithfulness_at(model, explanations, baseline=base, fractions=(settings.topk, *(curves or ())),
                                                     protocol=settings.protocol, truncate=settings.truncate)  # one forward
        extra = extra_metrics(explainer, spec, explanations, [texts[j] for j in members], [index[j] for j in members],
                              settings, base, memory_budget, kwargs)
        for pos, (j, e) in enumerate(zip(members, explanations)):
            delta = completeness_gap(score_sum=torch.tensor(sum(e.token_scores), dtype=torch.float64),
                                     f_input=ctx.f_input[j], f_baseline=ctx.f_baseline[j])
            yield {
                "index": index[j],
                "method": spec.label,
                "example": digest(dataset, index[j]),
                "text": e.text,
                **({"text_pair": e.text_pair} if e.text_pair is not None else {}),
                "label": dataset.labels[index[j]],
                "truncated": bool(e.truncated),
                "predicted": _target_json(metrics.predicted[pos]),
                "p_predicted": float(metrics.p_original[pos]),
                # k = 0 (too few tokens for the top-k fraction): nothing is removed, so no LO/Comp/Suff (null)
                **{m: None if int(metrics.k[pos]) == 0 else float(getattr(metrics, m)[pos])
                   for m in ("log_odds", "comprehensiveness", "sufficiency")},
                "k": int(metrics.k[pos]),
                "delta": float(delta),
                "sig_delta": None if e.deltas is None else float(sum(abs(d) for d in e.deltas) / max(1, len(e.deltas))),
                "seconds": float(e.seconds),
                "error": e.error,  # the measured accuracy of the scores (`accuracy.measure`): exact, gap, sampling
                "device": model.device.type,  # what the seconds were measured on
                "settings": e.settings,
                "tokens": list(e.tokens),
                "special": list(e.special),
                "token_scores": list(e.token_scores),
                **({"curve": {"fractions": [float(f) for f in curves],
                              **{m: [None if int(r.k[pos]) == 0 else float(getattr(r, m)[pos]) for r in at_k]
                                 for m in ("log_odds", "comprehensiveness", "sufficiency")}}} if curves else {}),
                **{name: values[pos] for name, values in extra.items()},
                **(_rationale_fields(e, rationales.spans_of(dataset.texts[index[j]])) if rationales is not None else {}),
            }


def extra_metrics(explainer, spec: MethodSpec, explanations, texts, keys, settings: EvalSettings, base, memory_budget,
                  kwargs: dict) -> dict[str, list[float]]:
    """Per-example values of the extra metrics (``settings.metrics``) for explanations of ``texts``:
    infidelity and max-sensitivity (:mod:`faithlens.robustness`), draws seeded by each example's index."""
    if not settings.metrics:
        return {}
    from ..methods import Options
    from ..metrics import scores_on_encoding
    from ..robustness import batch_infidelity, batch_sensitivity

    prep = explainer._prepare(list(texts), [None] * len(texts), base, explainer.model.task.score(settings.score),
                              settings.truncate, None, memory_budget)
    batch = prep.batch
    scores = scores_on_encoding(batch.enc, [e.token_scores for e in explanations])
    out: dict[str, list[float]] = {}
    if "infidelity" in settings.metrics:
        out["infidelity"] = batch_infidelity(batch, scores, keys, seed=settings.seed).tolist()
    if "sensitivity" in settings.metrics:
        method = get_method(spec.method)
        opts = Options(steps=kwargs.get("steps"), rule=kwargs.get("rule", "gausslegendre"), unit=kwargs.get("unit", "token"),
                       mode=kwargs.get("mode", "auto"), n_samples=kwargs.get("n_samples"), seed=settings.seed,
                       tolerance=kwargs.get("tolerance"))
        out["sensitivity"] = batch_sensitivity(batch, scores, keys, lambda sub: method.fn(sub, opts).token_scores,
                                               seed=settings.seed).tolist()
    return out


def _rationale_fields(e, spans) -> dict:
    """What the plausibility table needs of one record: word scores, segments and rationale marks (None: no rationale)."""
    from ..plausibility import word_marks

    return {"word_scores": [float(w.score) for w in e.words],
            "word_segments": [int(w.segment) for w in e.words],
            "rationale": None if spans is None else [int(m) for m in word_marks(e.words, spans)]}


def _target_json(row: torch.Tensor) -> int | list[int]:
    """A class index as an int; an answer span or continuation as a list."""
    values = row.tolist()
    return values[0] if len(values) == 1 else values
