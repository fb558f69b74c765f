"""Which explanation method is most faithful for this model on this data? A resumable benchmark.

``evaluate(...)`` explains every example with every method, scores each explanation with
log-odds, comprehensiveness, sufficiency (top-k) and the completeness gap Delta, and writes one
JSON line per (example, method) as it goes. Re-running with the same settings skips finished
lines, so an interrupted run resumes; the final table is computed from the lines alone, so a
resumed run and an uninterrupted one give the same table.

Method specs: a registry name, optionally with settings, e.g. ``ig:steps=250``, ``ig:steps=10N``
(10 × the number of attributed tokens, per example), ``sig:mode=closed``, ``sig:steps=10``.

**The run folder** (``out``): ``settings.json`` (settings, dataset selection, the model's content
fingerprint), ``records.jsonl`` (one line per example and method), ``results.json``,
``results.csv``, ``table.md``, ``agreement.md``, ``significance.md`` (paired tests between the
methods and against the seeded ``random`` row), and while a run is going ``.faithlens.lock`` (one
run per folder) and, under a launcher, ``records.rank{r}.jsonl`` per process r ≥ 1. A resumed run
checks its inputs by content: each finished record's example (text, pair, label) against the data,
the model's files against their SHA-256, and the settings.

**Several processes** (``torchrun`` / ``accelerate launch``, :mod:`faithlens.distributed`): the
examples fall into the same fixed batches a single process uses (``batch_size`` consecutive
examples), and the unfinished batches are dealt to the processes by estimated cost, largest first
onto the least loaded process. Each process appends to its own records file; when all are done rank
0 merges them into ``records.jsonl`` (sorted by example, then method) and writes the same tables one
process writes. Because an example is always explained in the same batch, the records, and so
every number in the tables, are those of a single process; only timings differ. A resume reads every
records file, so it works after a kill of any process and with any number of processes.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sys
import threading
import time
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import torch

from .version import __version__
from .baselines import resolve_baseline
from .checkpoint import changed_files, example_digest, model_fingerprint
from .data import Dataset
from .distributed import World, balance, init_world
from .errors import FaithlensError, FaithlensWarning, unknown_choice
from .explainer import Explainer
from .files import AppendFile, FolderLock, check_output_folder, write_atomic
from .methods import get_method
from .metrics import DEFAULT_TOPK, METRICS, PROTOCOLS, completeness_gap, explanation_faithfulness, summarise
from .robustness import EXTRA_METRICS, parse_metrics
from .stats import spearman  # noqa: F401 - evaluate.spearman, as before
from .model import ClassifierModel

DEFAULT_METHODS = ("grad_x_input", "deeplift", "gradient_shap", "ig", "dig", "sig")
SPEC_KEYS = {"steps": int, "mode": str, "unit": str, "rule": str, "n_samples": int, "tolerance": float, "noise": "noise"}
RECORDS_FILE = "records.jsonl"
REJECTED_FILE = "records.rejected.jsonl"
SETTINGS_FILE = "settings.json"
TABLE_COLUMNS = ("log_odds", "comprehensiveness", "sufficiency", "delta", "sig_delta", "seconds")
TOPK_COLUMNS = ("log_odds", "comprehensiveness", "sufficiency")  # undefined when k = 0: nothing is removed
PER_UNIT = ("sig", "occlusion")  # methods with one path (or one forward) per token


# --- method specs ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MethodSpec:
    label: str  # as written by the user, e.g. "ig:steps=250"
    method: str
    options: dict = field(default_factory=dict)
    steps_per_token: int | None = None  # "steps=10N"

    def explain_kwargs(self, default_steps: int | None, n_tokens: int) -> dict:
        kwargs = dict(self.options)
        if self.steps_per_token is not None:
            kwargs["steps"] = max(1, self.steps_per_token * n_tokens)
        elif "steps" not in kwargs and default_steps is not None and _uses_steps(self.method):
            kwargs["steps"] = default_steps
        return kwargs


def _uses_steps(method: str) -> bool:
    return get_method(method).default_steps is not None


def parse_method(spec: str) -> MethodSpec:
    """``name`` or ``name:key=value,key=value``; keys: steps (int or kN), mode, unit, rule, n_samples, tolerance,
    noise (SmoothGrad's σ as a fraction of the embedding range, in (0, 1]).

    Every setting is checked here, before any work: it must apply to the method (``mode`` to SIG,
    ``unit`` to SIG and occlusion, ``rule`` and ``tolerance`` to SIG and IG, ``steps`` to path
    methods, ``n_samples`` to sampling methods) and its value must be valid."""
    name, _, rest = spec.partition(":")
    method = get_method(name)  # unknown names list the valid ones
    options: dict = {}
    per_token = None
    for item in filter(None, rest.split(",")):
        key, eq, value = item.partition("=")
        if not eq or key not in SPEC_KEYS:
            raise FaithlensError(f"Method setting {item!r} in {spec!r} is not key=value with key one of "
                                 f"{', '.join(SPEC_KEYS)}. Example: ig:steps=250 or sig:mode=closed.")
        if key in options or (key == "steps" and per_token is not None):
            raise FaithlensError(f"Method setting {key!r} is given twice in {spec!r}. Give it once.")
        if key == "steps" and value.upper().endswith("N"):
            per_token = _positive_int(value[:-1] or "1", spec)
            continue
        if SPEC_KEYS[key] == "noise":
            options[key] = _noise(value, spec)
        elif SPEC_KEYS[key] is float:
            options[key] = _fraction(value, spec)
        else:
            options[key] = _positive_int(value, spec) if SPEC_KEYS[key] is int else value
    _check_options(method, options, per_token is not None, spec)
    return MethodSpec(label=spec, method=name, options=options, steps_per_token=per_token)


def _noise(value: str, spec: str) -> float:
    from .options import check_noise

    try:
        number = float(value)
    except ValueError:
        raise FaithlensError(f"Expected a number in (0, 1] for noise in method spec {spec!r}. Got {value!r}. Example: "
                             "smoothgrad:noise=0.1.") from None
    try:
        return check_noise(number)
    except FaithlensError as exc:
        raise FaithlensError(f"In method spec {spec!r}: {exc}") from None


def _fraction(value: str, spec: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number < 1:
        raise FaithlensError(f"Expected a number in [0, 1) in method spec {spec!r}. Got {value!r}. Example: sig:tolerance=1e-3.")
    return number


def _check_options(method, options: dict, per_token: bool, spec: str) -> None:
    """The settings of one method spec apply to its method and hold valid values."""
    from .methods.sig import MODES
    from .quadrature import RULES

    applies = {"steps": method.default_steps is not None, "mode": method.name == "sig",
               "unit": method.name in PER_UNIT, "rule": method.name in ("sig", "ig"),
               "tolerance": method.name in ("sig", "ig"), "n_samples": method.default_samples is not None,
               "noise": method.name == "smoothgrad"}
    for key in list(options) + (["steps"] if per_token else []):
        if not applies[key]:
            users = {"steps": "sig, ig, dig", "mode": "sig", "unit": "sig, occlusion", "rule": "sig, ig",
                     "tolerance": "sig, ig",
                     "n_samples": "smoothgrad, gradient_shap, shapley, kernel_shap, lime", "noise": "smoothgrad"}[key]
            raise FaithlensError(f"Method setting {key!r} does not apply to {method.name!r} (in {spec!r}); it applies to "
                                 f"{users}. Drop it.")
    choices = {"mode": MODES, "unit": ("token", "word"), "rule": tuple(RULES)}
    for key, valid in choices.items():
        if key in options and options[key] not in valid:
            raise unknown_choice(f"{key} in method spec {spec!r}:", options[key], valid)
    if options.get("mode") == "closed" and ("steps" in options or per_token or "rule" in options
                                            or "tolerance" in options):
        raise FaithlensError(f"{spec!r}: closed-form SIG has no steps, quadrature rule or tolerance (it is the limit of "
                             "infinitely many steps). Drop steps/rule/tolerance, or use mode=reverse.")


def _positive_int(value: str, spec: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise FaithlensError(f"Expected a positive int in method spec {spec!r}. Got {value!r}.")
    return int(value)


def parse_methods(methods: Sequence[str]) -> list[MethodSpec]:
    """Every spec parsed and checked; a spec listed twice is refused."""
    if isinstance(methods, str) or not methods:
        raise FaithlensError(f"The 'methods' parameter must be a non-empty list of method specs. Got {methods!r}.")
    specs = [parse_method(m) for m in methods]
    if len({s.label for s in specs}) != len(specs):
        raise FaithlensError(f"A method is listed twice in {list(methods)}. List each once.")
    return specs


# --- settings ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EvalSettings:
    """Everything that changes a record. ``limit`` is not part of it: a larger limit extends a run."""

    model: str
    data: str
    methods: tuple[str, ...]
    baseline: str = "mask"
    steps: int | None = None
    topk: float = DEFAULT_TOPK
    protocol: str = "standard"
    score: str = "logit"
    seed: int = 0
    max_chars: int | None = None
    truncate: bool = False
    shuffle: bool = True  # seeded sample (True) or file order
    rationales: str | None = None  # the human-rationale file read for the plausibility table
    metrics: tuple[str, ...] = ()  # extra per-example metrics (EXTRA_METRICS): infidelity, sensitivity

    def to_dict(self) -> dict:
        d = asdict(self)
        d["methods"] = list(self.methods)
        d["metrics"] = list(self.metrics)
        return d


def _saved_run(out: Path) -> dict | None:
    path = out / SETTINGS_FILE
    if not path.exists():
        return None
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        saved["settings"]["methods"]  # noqa: B018 - the key must be there
        return saved
    except (ValueError, KeyError, TypeError):
        raise FaithlensError(f"{str(path)!r} is not a faithlens settings file. Choose another --out folder.") from None


def _check_resume(out: Path, settings: EvalSettings, *, saved: dict | None, too_long: bool | None = None,
                  model_print: dict | None = None) -> None:
    """Refuse to continue a run whose settings or model differ (by content: the model's files' SHA-256).

    The data's and the model's names are not compared where content is (a moved model folder or
    data file resumes); ``truncate`` only matters when a text is too long (``too_long``; None: not
    known yet). ``model_print``: this model's fingerprint (None: not checked yet)."""
    if saved is None:
        return
    previous = saved["settings"]
    print_before = (saved.get("fingerprints") or {}).get("model")
    now = settings.to_dict()
    defaults = {f.name: f.default for f in fields(EvalSettings)}  # keys added later read as their default
    skip = {"methods", "data"} | ({"model"} if print_before else set()) | ({"truncate"} if not too_long else set())
    defaults["metrics"] = []
    changed = {k: (previous.get(k, defaults[k]), v) for k, v in now.items()
               if k not in skip and previous.get(k, defaults[k]) != v}
    missing = [m for m in previous.get("methods", []) if m not in now["methods"]]
    if changed or missing:
        what = "; ".join(f"{k}: was {a!r}, now {b!r}" for k, (a, b) in changed.items())
        if missing:
            what += ("; " if what else "") + f"methods dropped: {missing}"
        raise FaithlensError(f"The folder {str(out)!r} holds a run with different settings ({what}). Resume with the "
                             "same settings (methods may be added, --limit may grow), or pass a new --out folder.")
    if model_print is not None and print_before and print_before.get("sha256") != model_print.get("sha256"):
        files = changed_files(print_before, model_print)
        which = f"{', '.join(files)} changed" if files else "its parameters changed"
        raise FaithlensError(
            f"The model differs from the one the run in {str(out)!r} was started with: {which} (SHA-256 "
            f"{print_before['sha256'][:12]}… then, {model_print['sha256'][:12]}… now). Records of other weights cannot "
            "be mixed in. Resume with the original model, or pass a new --out folder.")


def _check_examples(out: Path, done: dict, dataset: Dataset) -> None:
    """Every finished record describes the example now at its index (text, pair, label), by content."""
    wrong = []
    for (i, _), r in sorted(done.items(), key=lambda kv: kv[0][0]):
        if i >= len(dataset):
            continue
        if "example" in r:
            same = r["example"] == _digest(dataset, i)
        else:  # records from before digests: compare what they hold
            first, pair = (dataset.texts[i] if dataset.is_pairs else (dataset.texts[i], None))
            same = r.get("text") == first and r.get("text_pair") == pair and r.get("label") == dataset.labels[i]
        if not same:
            wrong.append((i, r))
    if wrong:
        i, r = wrong[0]
        now = dataset.texts[i]
        raise FaithlensError(
            f"The data differ from the run in {str(out)!r}: {len({w[0] for w in wrong})} finished example(s) no longer "
            f"match, e.g. example {i} was {_short(r.get('text'))} (label {r.get('label')!r}), now {_short(now)} "
            f"(label {dataset.labels[i]!r}). Resume with the same data and selection (--limit may grow), or pass a "
            "new --out folder.")


def _short(text) -> str:
    text = text[0] if isinstance(text, (tuple, list)) else text
    text = str(text)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _digest(dataset: Dataset, i: int) -> str:
    answers = dataset.answers[i] if dataset.answers is not None else None
    return example_digest(dataset.texts[i], dataset.labels[i], answers)


# --- records on disk --------------------------------------------------------------------------------------------

def records_path(out: str | os.PathLike, rank: int = 0) -> Path:
    """The records file process ``rank`` appends to: records.jsonl for rank 0 (and a single process)."""
    return Path(out) / (RECORDS_FILE if rank == 0 else f"records.rank{rank}.jsonl")


def record_files(out: str | os.PathLike) -> list[Path]:
    """Every records file of a run folder: records.jsonl first, then the per-process files by rank."""
    out = Path(out)
    ranks = sorted((p for p in out.glob("records.rank*.jsonl") if p.stem[len("records.rank"):].isdigit()),
                   key=lambda p: int(p.stem[len("records.rank"):]))
    return [p for p in [out / RECORDS_FILE, *ranks] if p.exists()]


def _parse_records(path: Path) -> tuple[list[dict], list[tuple[int, bytes, str]], int]:
    """(good records, bad lines as (line number, raw, why), bytes up to the end of the last complete line)."""
    records, bad, complete = [], [], 0
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.endswith(b"\n"):
                break  # an interrupted write: not a record yet
            complete += len(raw)
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except ValueError as exc:
                bad.append((number, raw, f"not JSON: {exc}"))
                continue
            if not isinstance(record, dict) or not isinstance(record.get("index"), int) \
                    or not isinstance(record.get("method"), str):
                bad.append((number, raw, "not a record (no integer 'index' and 'method')"))
                continue
            records.append(record)
    return records, bad, complete


def read_records(path: str | os.PathLike, *, repair: bool = False) -> list[dict]:
    """The records of one file. A line cut off by an interrupted write is ignored (cut off when
    ``repair``). A damaged line anywhere else costs only itself: the records before and after it are
    kept, a FaithlensWarning names it, and with ``repair`` it is moved to records.rejected.jsonl (so
    its example and method are computed again on resume)."""
    path = Path(path)
    if not path.exists():
        return []
    records, bad, complete = _parse_records(path)
    if bad:
        lines = ", ".join(str(n) for n, _, _ in bad[:10]) + (" …" if len(bad) > 10 else "")
        fate = (f"moved to {REJECTED_FILE} (those examples are computed again)" if repair else "skipped")
        warnings.warn(f"{str(path)!r}: {len(bad)} damaged line(s) ({lines}; line {bad[0][0]}: {bad[0][2]}) {fate}; "
                      f"the other {len(records)} records are kept.", FaithlensWarning, stacklevel=2)
    if repair and (bad or complete != path.stat().st_size):
        if bad:
            with AppendFile(path.parent / REJECTED_FILE) as rejected:
                for number, raw, why in bad:
                    rejected.write_line(json.dumps({"file": path.name, "line": number, "why": why,
                                                    "text": raw.decode("utf-8", "replace").rstrip("\n")}))
            damaged = {n for n, _, _ in bad}
            with path.open("rb") as handle:
                body = b"".join(raw for n, raw in enumerate(handle, start=1) if n not in damaged and raw.endswith(b"\n"))
            write_atomic(path, body)
        else:
            with path.open("r+b") as handle:
                handle.truncate(complete)
    return records


def read_run(out: str | os.PathLike, *, repair: bool = False) -> dict[tuple[int, str], dict]:
    """Every finished record of a run folder (all records files), by (example index, method)."""
    done: dict[tuple[int, str], dict] = {}
    for path in record_files(out):
        for r in read_records(path, repair=repair):
            done.setdefault((r["index"], r["method"]), r)
    return done


class _Tail:
    """Complete lines appended to a file since the last look (another process's records)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0
        self.rest = b""

    def new_records(self) -> list[dict]:
        if not self.path.exists():
            return []
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            chunk = handle.read()
        self.offset += len(chunk)
        *lines, self.rest = (self.rest + chunk).split(b"\n")
        out = []
        for raw in lines:
            try:
                out.append(json.loads(raw))
            except ValueError:
                continue  # reported when the files are merged
        return out


# --- the run ----------------------------------------------------------------------------------------------------

@dataclass
class EvalResult:
    settings: EvalSettings
    rows: list[dict]  # one per method: label, then {"mean", "sem", "n"} per column, and "k_zero"
    n_examples: int
    out: Path | None = None
    agreement: list[dict] = field(default_factory=list)
    # method -> {"fractions": [...], metric: [{"mean", "sem", "n"} per fraction]}: AOPC curves, when recorded
    curves: dict = field(default_factory=dict)
    n_truncated: int = 0  # examples explained after truncation to the model's limit
    computed: int = 0  # records computed by this call (all processes); the rest were on disk
    # with rationales: {"k", "n_examples", "rows": [per method and "random": {"method", column: {"mean", "sem", "n"}}]}
    plausibility: dict = field(default_factory=dict)
    significance: dict = field(default_factory=dict)  # paired tests between methods (`significance`)

    def markdown(self) -> str:
        table = markdown_table(self.rows, self.settings, self.n_examples, n_truncated=self.n_truncated,
                               significance=self.significance)
        if self.plausibility:
            from .plausibility import plausibility_markdown

            table += "\n" + plausibility_markdown(self.plausibility, source=str(self.settings.rationales))
        return table

    def to_html(self) -> str:
        """A self-contained page: the table, the agreement table and the plots (when matplotlib is installed)."""
        from .views.reports import eval_page

        return eval_page(self)

    def _repr_html_(self) -> str:  # Jupyter
        from .views.reports import eval_fragment

        return eval_fragment(self)


def evaluate(
    model: ClassifierModel,
    dataset: Dataset,
    *,
    methods: Sequence[str] = DEFAULT_METHODS,
    baseline: str = "mask",
    steps: int | None = None,
    topk: float = DEFAULT_TOPK,
    protocol: str = "standard",
    score: str = "logit",
    seed: int = 0,
    max_chars: int | None = None,
    shuffle: bool = True,
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
    """
    if random_row and not isinstance(methods, str) and methods and RANDOM not in [m.partition(":")[0] for m in methods]:
        methods = [*methods, RANDOM]
    specs = parse_methods(methods)
    extra = parse_metrics(metrics)
    settings = _settings(model, dataset, specs, baseline=baseline, steps=steps, topk=topk, protocol=protocol,
                         score=score, seed=seed, max_chars=max_chars, truncate=truncate, shuffle=shuffle,
                         rationales=None if rationales is None else rationales.source, metrics=extra)
    check_rationales(rationales, dataset)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise FaithlensError(f"The 'batch_size' parameter of evaluate must be a positive int. Got {batch_size!r} instead.")
    base = resolve_baseline(model, baseline)
    score_fn = model.task.score(score)
    world = init_world()
    if world.distributed and out is None:
        raise FaithlensError(f"This process is one of {world.size} (torchrun / accelerate launch); pass --out FOLDER "
                             "(out=...), where each process writes its records and rank 0 merges them.")
    if out is not None:
        out = check_output_folder(out, option="--out")
    explainer = Explainer(model)
    run = _Run(world, out, settings, dataset, specs, batch_size)
    try:
        plan = world.on_main(lambda: run.open(model))
        if any(s.method.startswith("dig") for s in specs):  # build/load the neighbour graph before any timing
            from .methods.dig import knn_graph

            world.on_main(lambda: knn_graph(model, progress=progress), share=False)  # built once, by rank 0 ...
            knn_graph(model, progress=False)  # ... the others read it from the cache
        run.start(plan, progress=progress)
        try:
            for index, todo in plan["work"][world.rank]:
                texts = [dataset.texts[i] for i in index]
                context = _example_context(explainer, texts, base, score_fn, truncate)
                for label, pending in todo:
                    for rec in _run_method(explainer, model, run.spec(label), index, texts, pending, context, dataset,
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
    return EvalSettings(model=model.name, data=dataset.source, methods=tuple(s.label for s in specs), **kw)


def token_lengths(model: ClassifierModel, texts: Sequence) -> list[int]:
    """Tokens of each text (or pair) with the model's special tokens, before any truncation."""
    from .encoding import split_items

    first, second = split_items(list(texts))
    tok = model.tokenizer
    lengths = []
    for start in range(0, len(first), 256):
        a = first[start:start + 256]
        b = None if second is None else second[start:start + 256]
        enc = tok(a, b, add_special_tokens=True, truncation=False, verbose=False)
        lengths += [len(ids) for ids in enc["input_ids"]]
    return lengths


def check_lengths(model: ClassifierModel, dataset: Dataset, *, truncate: bool) -> tuple[list[int], list[int]]:
    """(tokens per example, indices longer than the model's limit); refuses long texts unless ``truncate``.

    QA models split a long context into windows themselves, so nothing is refused for them."""
    lengths = token_lengths(model, dataset.texts)
    limit = model.max_length
    too_long = [i for i, n in enumerate(lengths) if n > limit]
    if too_long and not truncate and model.task.name != "qa":
        shown = ", ".join(f"example {i}: {lengths[i]} tokens" for i in too_long[:5]) + (", …" if len(too_long) > 5 else "")
        raise FaithlensError(
            f"{len(too_long)} of {len(dataset)} texts are longer than the model's limit of {limit} tokens ({shown}). "
            "Pass --truncate (truncate=True) to explain their first tokens (each record and the table then say so), or "
            "leave them out with --max-chars.")
    return lengths, too_long


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
        self._tails: list[_Tail] = []
        self._watch: threading.Thread | None = None
        self._stopping = threading.Event()

    def spec(self, label: str) -> MethodSpec:
        return self.specs[label]

    # rank 0, before any work -----------------------------------------------------------------------
    def open(self, model: ClassifierModel) -> dict:
        """Checks, lock, resume state and the plan: ``{"work": [per rank: [(indices, [(method, positions)])]],
        "total": ..., "initial": ...}``."""
        lengths, too_long = check_lengths(model, self.dataset, truncate=self.settings.truncate)
        out = self.out
        if out is not None:
            if not FolderLock.holding(out):
                self.lock, self.own_lock = FolderLock(out).acquire(), True
            saved = _saved_run(out)
            _check_resume(out, self.settings, saved=saved, too_long=bool(too_long))
            self.done = read_run(out, repair=True)
            _check_examples(out, self.done, self.dataset)
            fingerprint = model_fingerprint(model)
            _check_resume(out, self.settings, saved=saved, too_long=bool(too_long), model_print=fingerprint)
            write_atomic(out / SETTINGS_FILE, json.dumps({
                "settings": self.settings.to_dict(), "version": __version__, "dataset_info": self.dataset.info,
                "fingerprints": {"model": fingerprint}}, indent=2) + "\n")
            if self.world.distributed:  # the other processes' new lines, from here on (they start after the plan)
                self._tails = [_Tail(records_path(out, r)) for r in range(1, self.world.size)]
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
            self.writer.write_line(json.dumps(record, allow_nan=False))
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
            done = read_run(self.out)  # every file, complete now
            self._merge_files(done)
            result = _summary(done, self.dataset, self.settings, self.out)
            write_outputs(result, self.out, report=True)
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
    paths = length if spec.method in PER_UNIT + ("shapley",) else 1  # shapley: one row per word per order
    if spec.method == "partition":  # about 2·U² coalitions, no samples
        paths, steps = length, 2 * length
    return length * paths * steps


def _summary(done: dict, dataset: Dataset, settings: EvalSettings, out: Path | None) -> EvalResult:
    result = summarise_run([r for r in done.values() if r["index"] < len(dataset)], settings)
    result.out = out
    return result


class _Stop(Exception):
    pass


@dataclass(frozen=True)
class _Context:
    f_input: torch.Tensor  # (B,) F(w) for the predicted target
    f_baseline: torch.Tensor  # (B,) F(w̄)
    n_tokens: list[int]


def _example_context(explainer: Explainer, texts, base, score_fn, truncate) -> _Context:
    """F(w) and F(w̄) of the predicted target for the Delta column, once per batch of examples."""
    prep = explainer._prepare(list(texts), [None] * len(texts), base, score_fn, truncate, None, None)
    batch = prep.batch
    return _Context(f_input=batch.F_input().to(torch.float64), f_baseline=batch.F_baseline().to(torch.float64),
                    n_tokens=batch.enc.attributed.sum(1).tolist())


def _run_method(explainer, model, spec: MethodSpec, index, texts, pending, ctx: _Context, dataset, settings, base,
                memory_budget=None, curves=None, rationales=None):
    """Explain the pending examples of one batch with one method; yields records."""
    groups: dict[int, list[int]] = {}
    for j in pending:  # "10N" steps differ per example: group examples by their step count
        key = ctx.n_tokens[j] if spec.steps_per_token is not None else -1
        groups.setdefault(key, []).append(j)
    for n_tokens, members in groups.items():
        kwargs = spec.explain_kwargs(settings.steps, max(n_tokens, 1))
        explanations = explainer.explain([texts[j] for j in members], spec.method, baseline=settings.baseline,
                                         score=settings.score, seed=settings.seed, truncate=settings.truncate,
                                         batch_size=len(members), memory_budget=memory_budget, **kwargs)
        metrics = explanation_faithfulness(model, explanations, baseline=base, fraction=settings.topk,
                                           protocol=settings.protocol, truncate=settings.truncate)
        at_k = [explanation_faithfulness(model, explanations, baseline=base, fraction=f, protocol=settings.protocol,
                                         truncate=settings.truncate) for f in (curves or ())]
        extra = extra_metrics(explainer, spec, explanations, [texts[j] for j in members], [index[j] for j in members],
                              settings, base, memory_budget, kwargs)
        for pos, (j, e) in enumerate(zip(members, explanations)):
            delta = completeness_gap(score_sum=torch.tensor(sum(e.token_scores), dtype=torch.float64),
                                     f_input=ctx.f_input[j], f_baseline=ctx.f_baseline[j])
            yield {
                "index": index[j],
                "method": spec.label,
                "example": _digest(dataset, index[j]),
                "text": e.text,
                **({"text_pair": e.text_pair} if e.text_pair is not None else {}),
                "label": dataset.labels[index[j]],
                "truncated": bool(e.truncated),
                "predicted": _target_json(metrics.predicted[pos]),
                "p_predicted": float(metrics.p_original[pos]),
                "log_odds": float(metrics.log_odds[pos]),
                "comprehensiveness": float(metrics.comprehensiveness[pos]),
                "sufficiency": float(metrics.sufficiency[pos]),
                "k": int(metrics.k[pos]),
                "delta": float(delta),
                "sig_delta": None if e.deltas is None else float(sum(abs(d) for d in e.deltas) / max(1, len(e.deltas))),
                "seconds": float(e.seconds),
                "device": model.device.type,  # what the seconds were measured on
                "settings": e.settings,
                "tokens": list(e.tokens),
                "special": list(e.special),
                "token_scores": list(e.token_scores),
                **({"curve": {"fractions": [float(f) for f in curves],
                              **{m: [float(getattr(r, m)[pos]) for r in at_k]
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
    from .methods import Options
    from .metrics import scores_on_encoding
    from .robustness import batch_infidelity, batch_sensitivity

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
    from .plausibility import word_marks

    return {"word_scores": [float(w.score) for w in e.words],
            "word_segments": [int(w.segment) for w in e.words],
            "rationale": None if spans is None else [int(m) for m in word_marks(e.words, spans)]}


def check_rationales(rationales, dataset: Dataset) -> None:
    """Before any work: at least one selected example has a rationale."""
    if rationales is None:
        return
    found = sum(1 for item in dataset.texts if rationales.spans_of(item) is not None)
    if found == 0:
        raise FaithlensError(f"None of the {len(dataset)} selected examples of {dataset.source!r} has a rationale in "
                             f"{rationales.source!r} ({len(rationales)} rationales). Pass the data file the rationales "
                             "were written for (texts must match), or raise --limit.")


def _target_json(row: torch.Tensor) -> int | list[int]:
    """A class index as an int; an answer span or continuation as a list."""
    values = row.tolist()
    return values[0] if len(values) == 1 else values


# --- the table ------------------------------------------------------------------------------------------------------

def summarise_run(records: Sequence[dict], settings: EvalSettings) -> EvalResult:
    """Per-method mean ± standard error and count of every column, in the order of ``settings.methods``.

    Examples with k = 0 (too few tokens for the top-k fraction: nothing would be removed) have no
    log-odds, comprehensiveness or sufficiency: they are left out of those three means and counted
    in the row's ``k_zero``; they still count in Delta and time."""
    rows = []
    for label in settings.methods:
        mine = sorted((r for r in records if r["method"] == label), key=lambda r: r["index"])
        row: dict = {"method": label}
        for column in [c for c in TABLE_COLUMNS if c != "seconds"] + list(settings.metrics):
            values = [r[column] for r in mine if r.get(column) is not None
                      and not (column in TOPK_COLUMNS and r.get("k") == 0)]
            row[column] = summarise(values)
        row["k_zero"] = sum(1 for r in mine if r.get("k") == 0)
        # Seconds only mean something per device: the column shows the device most examples ran on.
        by_device: dict[str, list[float]] = {}
        for r in mine:
            by_device.setdefault(r.get("device", "cpu"), []).append(r["seconds"])
        row["seconds_by_device"] = {d: summarise(v) for d, v in sorted(by_device.items())}
        main = max(sorted(by_device), key=lambda d: len(by_device[d])) if by_device else None
        row["seconds"] = summarise(by_device.get(main, []))
        row["seconds_device"] = main
        rows.append(row)
    examples = {r["index"] for r in records}
    truncated = {r["index"] for r in records if r.get("truncated")}
    plausibility = {}
    if settings.rationales is not None:
        from .plausibility import plausibility_rows

        plausibility = plausibility_rows(records, settings.methods, seed=settings.seed)
    return EvalResult(settings=settings, rows=rows, n_examples=len(examples), agreement=rank_agreement(records, settings.methods),
                      curves=summarise_curves(records, settings.methods), n_truncated=len(truncated),
                      plausibility=plausibility, significance=significance(records, settings.methods, seed=settings.seed))


def summarise_curves(records: Sequence[dict], methods: Sequence[str]) -> dict:
    """Per method, each metric's mean ± s.e. at every top-k fraction, over the records that have a curve."""
    out = {}
    for label in methods:
        mine = sorted((r for r in records if r["method"] == label and r.get("curve")), key=lambda r: r["index"])
        with_curve = [r["curve"] for r in mine]  # in example order: the same sums however the records arrived
        if not with_curve:
            continue
        fractions = max({tuple(c["fractions"]) for c in with_curve}, key=lambda f: sum(tuple(c["fractions"]) == f for c in with_curve))
        same = [c for c in with_curve if tuple(c["fractions"]) == fractions]
        out[label] = {"fractions": list(fractions),
                      **{m: [summarise([c[m][i] for c in same]) for i in range(len(fractions))]
                         for m in ("log_odds", "comprehensiveness", "sufficiency")}}
    return out


def rank_agreement(records: Sequence[dict], methods: Sequence[str]) -> list[dict]:
    """Mean Spearman correlation of token scores (attributed tokens) between every pair of methods."""
    by = {(r["index"], r["method"]): r for r in records}
    out = []
    for a_i, a in enumerate(methods):
        for b in methods[a_i + 1:]:
            rhos, top1 = [], []
            for (i, m), ra in sorted(by.items(), key=lambda kv: kv[0][0]):  # example order: sums independent of file order
                rb = by.get((i, b))
                if m != a or rb is None:
                    continue
                x, y = _attributed_scores(ra), _attributed_scores(rb)
                if len(x) >= 2:
                    rho = spearman(x, y)
                    if rho is not None:
                        rhos.append(rho)
                if len(x) >= 1:
                    top1.append(float(int(torch.tensor(x).argmax()) == int(torch.tensor(y).argmax())))
            out.append({"a": a, "b": b, "spearman": summarise(rhos), "top1_agreement": summarise(top1)})
    return out


def _attributed_scores(record: dict) -> list[float]:
    return [s for s, special in zip(record["token_scores"], record["special"]) if not special]


# --- paired tests between methods ----------------------------------------------------------------------------

SIGNIFICANCE_LEVEL = 0.05
RANDOM = "random"  # the seeded random-ordering row (methods/random_words.py)


def significance(records: Sequence[dict], methods: Sequence[str], *, seed: int = 0,
                 level: float = SIGNIFICANCE_LEVEL) -> dict:
    """Paired tests between every two methods over the examples both scored (k > 0), per metric.

    For LO, Comp and Suff: the mean difference a − b with its paired bootstrap 95 % interval
    (seeded) and the two-sided Wilcoxon signed-rank p-value, Holm-corrected across the pairs of
    that metric (`faithlens.stats`). ``winner``: the method with the best mean whose difference from
    every other method (the random row aside) is significant at ``level`` after correction; else
    None and ``tied``: the best method and every method not significantly different from it.
    ``vs_random``: per method, the one-sided test that its Comp exceeds the random row's
    (Holm-corrected across methods); ``above_random`` is that test's verdict."""
    from .stats import holm, paired_test

    by = {(r["index"], r["method"]): r for r in records if r.get("k") != 0}
    out: dict = {"level": level, "seed": seed, "metrics": {}, "vs_random": {}}
    for metric in TOPK_COLUMNS:
        pairs = []
        for i, a in enumerate(methods):
            for b in methods[i + 1:]:
                common = sorted(j for (j, m) in by if m == a and (j, b) in by)
                if len(common) < 2:
                    continue
                x = [by[(j, a)][metric] for j in common]
                y = [by[(j, b)][metric] for j in common]
                pairs.append(dict(paired_test(x, y, seed=seed), a=a, b=b))
        for p, adjusted in zip(pairs, holm([p["p"] for p in pairs])):
            p["p_holm"] = adjusted
            p["significant"] = adjusted < level
        out["metrics"][metric] = {"pairs": pairs, **_winner(records, methods, metric, pairs)}
    if RANDOM in methods:
        tests = {}
        for m in methods:
            if m == RANDOM:
                continue
            common = sorted(j for (j, mm) in by if mm == m and (j, RANDOM) in by)
            if len(common) >= 2:
                tests[m] = paired_test([by[(j, m)]["comprehensiveness"] for j in common],
                                       [by[(j, RANDOM)]["comprehensiveness"] for j in common], seed=seed,
                                       alternative="greater")
        for (m, t), adjusted in zip(tests.items(), holm([t["p"] for t in tests.values()])):
            t["p_holm"] = adjusted
            t["above_random"] = adjusted < level and t["mean_difference"] > 0
        out["vs_random"] = tests
    return out


def _winner(records: Sequence[dict], methods: Sequence[str], metric: str, pairs: list[dict]) -> dict:
    from .metrics import summarise as _summ

    means = {}
    for m in methods:
        values = [r[metric] for r in records if r["method"] == m and r.get("k") != 0 and r.get(metric) is not None]
        if values:
            means[m] = _summ(values)["mean"]
    contenders = [m for m in means if m != RANDOM]
    if not contenders:
        return {"winner": None, "tied": []}
    lower = METRICS[metric].direction == "lower"
    best = (min if lower else max)(contenders, key=lambda m: means[m])
    tied = [best]
    for m in contenders:
        if m == best:
            continue
        pair = next((p for p in pairs if {p["a"], p["b"]} == {best, m}), None)
        if pair is None or not pair["significant"]:
            tied.append(m)
    return {"winner": best if len(tied) == 1 else None, "tied": tied if len(tied) > 1 else []}


def significance_markdown(sig: dict) -> str:
    """significance.md: the winner line, the vs-random tests and every pair per metric."""
    lines = [f"# Paired tests between methods (level {sig['level']:g}, Holm-corrected)", "",
             "Differences a − b over the examples both methods scored (k > 0): mean, paired bootstrap 95 % interval "
             f"(2000 resamples, seed {sig['seed']}), two-sided Wilcoxon signed-rank p-value and Holm-adjusted p across "
             "the pairs of each metric; r = matched-pairs rank-biserial correlation (effect size, −1..1).", ""]
    lines.append(best_line([], sig).strip())
    lines.append("")
    if sig.get("vs_random"):
        lines += ["## Comp above the random ordering (one-sided Wilcoxon, Holm across methods)", "",
                  "| method | Comp − random (mean) | 95 % CI | p | p (Holm) | above random | n |", "|---|---|---|---|---|---|---|"]
        for m, t in sig["vs_random"].items():
            lines.append(f"| {m} | {t['mean_difference']:+.4f} | {_ci(t['ci'])} | {t['p']:.2g} | {t['p_holm']:.2g} | "
                         f"{'yes' if t['above_random'] else '**no**'} | {t['n']} |")
        lines.append("")
    for metric, short in (("log_odds", "LO ↓"), ("comprehensiveness", "Comp ↑"), ("sufficiency", "Suff ↓")):
        pairs = sig["metrics"].get(metric, {}).get("pairs", [])
        if not pairs:
            continue
        lines += [f"## {short}", "", "| A | B | mean A − B | 95 % CI | r | p | p (Holm) | significant | n |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for p in pairs:
            lines.append(f"| {p['a']} | {p['b']} | {p['mean_difference']:+.4f} | {_ci(p['ci'])} | {p['rank_biserial']:+.2f} "
                         f"| {p['p']:.2g} | {p['p_holm']:.2g} | {'yes' if p['significant'] else 'no'} | {p['n']} |")
        lines.append("")
    return "\n".join(lines)


def _ci(ci) -> str:
    return "–" if ci[0] is None else f"[{ci[0]:+.4f}, {ci[1]:+.4f}]"


def _cell(stat: dict, digits: int = 4) -> str:
    if stat["mean"] is None:
        return "–"
    mean, sem = stat["mean"], stat["sem"]
    if mean != 0 and abs(mean) < 10 ** -digits * 10:  # tiny values (e.g. SIG's per-word Δ) in scientific form
        return f"{mean:.2e} ± {sem:.1e}"
    return f"{mean:.{digits}f} ± {sem:.{digits}f}"


def markdown_table(rows: Sequence[dict], settings: EvalSettings, n_examples: int, *, n_truncated: int = 0,
                   significance: dict | None = None) -> str:
    """The table: one row per method; a "k = 0" column appears when some example had too few tokens
    for the top-k fraction (those are left out of LO, Comp and Suff, see :func:`summarise_run`)."""
    arrow = {name: m.arrow for name, m in {**METRICS, **EXTRA_METRICS}.items()}
    k_zero = any(row.get("k_zero") for row in rows)
    extra = list(settings.metrics)
    head = (f"| Method | LO {arrow['log_odds']} | Comp {arrow['comprehensiveness']} | Suff {arrow['sufficiency']} "
            f"| Delta {arrow['delta']} | SIG per-word Δ ↓ |" + "".join(f" {EXTRA_NAMES[m]} {arrow[m]} |" for m in extra)
            + " s / example | n |" + (" k = 0 |" if k_zero else ""))
    lines = [head, "|" + "---|" * (9 + len(extra) if k_zero else 8 + len(extra))]
    below = _not_above_random(significance)
    for row in rows:
        n = row["delta"]["n"]
        name = row["method"] + (" †" if row["method"] in below else "")
        lines.append(f"| {name} | {_cell(row['log_odds'])} | {_cell(row['comprehensiveness'])} | "
                     f"{_cell(row['sufficiency'])} | {_cell(row['delta'])} | {_cell(row['sig_delta'])} | "
                     + "".join(f"{_cell(row[m])} | " for m in extra)
                     + f"{_cell(row['seconds'], 3)} | {n} |" + (f" {row.get('k_zero', 0)} |" if k_zero else ""))
    caption = (f"\nModel `{settings.model}`, data `{settings.data}` ({n_examples} examples), baseline `{settings.baseline}`, "
               f"top-k {settings.topk:g}, protocol `{settings.protocol}`, score `{settings.score}`, seed {settings.seed}. "
               "Mean ± standard error over examples. LO = log-odds, Comp = comprehensiveness, Suff = sufficiency; "
               "Delta = mean |Σ a − (F(w) − F(w̄))| (raw scores); SIG per-word Δ = mean |a_i − (F(w) − F(w̄⁽ⁱ⁾))|."
               + _extra_note(settings) + _k_zero_note(rows, settings) + _truncation_note(n_truncated, n_examples) + _timing_note(rows)
               + (" † Comp not significantly above the seeded random ordering (`random` row; one-sided Wilcoxon, "
                  "Holm-corrected, significance.md)." if below else "") + "\n")
    return "\n".join(lines) + "\n" + caption + best_line(rows, significance)


def _not_above_random(sig: dict | None) -> set[str]:
    return {m for m, t in ((sig or {}).get("vs_random") or {}).items() if not t.get("above_random")}


EXTRA_NAMES = {"infidelity": "Infid", "sensitivity": "Sens"}


def _extra_note(settings: EvalSettings) -> str:
    from .robustness import INFIDELITY_DROP, N_SAMPLES, SENSITIVITY_DROP

    notes = {"infidelity": f" Infid = infidelity (Yeh et al. 2019): mean over {N_SAMPLES} random word subsets (each word at the "
                           f"baseline with p = {INFIDELITY_DROP}) of (Σ dropped scores − (F(x) − F(x̃)))², raw scores "
                           "(Captum's normalize=False).",
             "sensitivity": f" Sens = max-sensitivity: max over {N_SAMPLES} word dropouts (p = {SENSITIVITY_DROP}) of "
                            "‖a(x̃) − a(x)‖ / ‖a(x)‖ over word scores, the method re-run on x̃."}
    return "".join(notes[m] for m in settings.metrics)


def _k_zero_note(rows: Sequence[dict], settings: EvalSettings) -> str:
    if not any(row.get("k_zero") for row in rows):
        return ""
    return (f" k = 0: examples with too few tokens for top-k {settings.topk:g} (nothing to remove); they are left out of "
            "LO, Comp and Suff (whose means cover n − k = 0 examples) and count in Delta and time.")


def _truncation_note(n_truncated: int, n_examples: int) -> str:
    if not n_truncated:
        return ""
    return (f" {n_truncated} of the {n_examples} examples were longer than the model's limit and were truncated to "
            "their first tokens (--truncate); their records say \"truncated\": true.")


def _timing_note(rows: Sequence[dict]) -> str:
    """Says which device the seconds column comes from when examples ran on more than one."""
    mixed = [row for row in rows if len(row.get("seconds_by_device", {})) > 1]
    if not mixed:
        return ""
    parts = []
    for row in mixed:
        other = ", ".join(f"{s['n']} on {d} ({s['mean']:.3g} s)" for d, s in row["seconds_by_device"].items()
                          if d != row["seconds_device"])
        parts.append(f"{row['method']}: {other} (timed on {row['seconds_device']})")
    return (" Examples ran on more than one device; s / example covers the device most of each method's examples "
            "ran on, the others are left out of it: " + "; ".join(parts) + ".")


def best_line(rows: Sequence[dict], sig: dict | None = None) -> str:
    """Which method is most faithful on each metric. With the paired tests (``sig``, :func:`significance`) a
    winner is named only when it differs significantly from every other method; otherwise the tied ones are listed.
    Without them: the best mean, with a reminder to compare standard errors."""
    parts = []
    names = (("log_odds", "LO"), ("comprehensiveness", "Comp"), ("sufficiency", "Suff"))
    if sig and sig.get("metrics"):
        for name, short in names:
            entry = sig["metrics"].get(name) or {}
            if entry.get("winner"):
                parts.append(f"{short} → {entry['winner']}")
            elif entry.get("tied"):
                parts.append(f"{short}: tied between {', '.join(entry['tied'])}")
        if parts:
            return ("Most faithful (paired Wilcoxon, Holm-corrected, level "
                    f"{sig['level']:g}; see significance.md): " + "; ".join(parts) + ".\n")
    for name, short in names:
        scored = [(row[name]["mean"], row["method"]) for row in rows if row[name]["mean"] is not None]
        if scored:
            pick = min(scored) if METRICS[name].direction == "lower" else max(scored)
            parts.append(f"{short} → {pick[1]}")
    return ("Most faithful: " + ", ".join(parts) + " (compare the standard errors before calling a winner).\n") if parts else ""


def agreement_markdown(agreement: Sequence[dict]) -> str:
    lines = ["| A | B | Spearman ρ (mean ± se) | same top token | n |", "|---|---|---|---|---|"]
    for a in agreement:
        lines.append(f"| {a['a']} | {a['b']} | {_cell(a['spearman'])} | {_cell(a['top1_agreement'], 3)} | "
                     f"{a['spearman']['n']} |")
    return "\n".join(lines) + "\n"


TIMING_FIELDS = {"records": ("seconds",), "results.json": ("written", "seconds", "seconds_by_device"),
                 "results.csv": ("seconds_mean", "seconds_sem", "seconds_n"), "table.md": ("s / example",)}
"""What may differ between two runs of the same job (a resumed one, one over several processes): timings."""


def write_outputs(result: EvalResult, out: Path, *, report: bool = False) -> None:
    """results.json, results.csv, table.md (and agreement.md for several methods), each written atomically;
    with ``report``, also report.html and the plots (metrics.svg/.png, aopc.svg/.png) when matplotlib is installed."""
    payload = {"settings": result.settings.to_dict(), "n_examples": result.n_examples, "n_truncated": result.n_truncated,
               "rows": result.rows, "agreement": result.agreement, "curves": result.curves,
               "significance": result.significance, "version": __version__,
               **({"plausibility": result.plausibility} if result.plausibility else {}),
               "written": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    write_atomic(out / "results.json", json.dumps(payload, indent=2) + "\n", durable=False)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = TABLE_COLUMNS + tuple(result.settings.metrics)
    writer.writerow(["method"] + [f"{c}_{s}" for c in columns for s in ("mean", "sem", "n")] + ["k_zero"])
    for row in result.rows:
        writer.writerow([row["method"]] + [_num(row[c][s]) for c in columns for s in ("mean", "sem", "n")]
                        + [row.get("k_zero", 0)])
    write_atomic(out / "results.csv", buffer.getvalue(), durable=False)
    write_atomic(out / "table.md", result.markdown(), durable=False)
    if result.agreement:
        write_atomic(out / "agreement.md", agreement_markdown(result.agreement), durable=False)
    if result.plausibility:
        from .plausibility import plausibility_markdown

        write_atomic(out / "plausibility.md", plausibility_markdown(result.plausibility, source=str(result.settings.rationales)),
                     durable=False)
        write_atomic(out / "plausibility.json", json.dumps({"rationales": result.settings.rationales, **result.plausibility},
                                                           indent=2) + "\n", durable=False)
    if result.significance.get("metrics"):
        write_atomic(out / "significance.md", significance_markdown(result.significance), durable=False)
    if report:
        from .views.reports import write_eval_report

        write_eval_report(result, out)


def _num(x):
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else x


def load_settings(out: str | os.PathLike) -> tuple[EvalSettings, dict]:
    """A run folder's settings and its dataset info (``faithlens.data.reload`` re-opens its examples)."""
    path = Path(out) / SETTINGS_FILE
    if not path.exists():
        raise FaithlensError(f"{str(out)!r} holds no evaluate run (no {SETTINGS_FILE}). Pass the --out folder of a run.")
    saved = _saved_run(Path(out))
    known = {f.name for f in fields(EvalSettings)}
    settings = {k: v for k, v in saved["settings"].items() if k in known}
    settings["methods"] = tuple(settings["methods"])
    settings["metrics"] = tuple(settings.get("metrics", ()))
    return EvalSettings(**settings), saved.get("dataset_info", {})  # keys missing in older files take their defaults


def load_result(out: str | os.PathLike) -> EvalResult:
    """Rebuild the table from a run folder's records (e.g. while a run is still going)."""
    settings, _ = load_settings(out)
    result = summarise_run(list(read_run(out).values()), settings)
    result.out = Path(out)
    return result


def merge_runs(folders: Sequence[str | os.PathLike], methods: Sequence[str] | None = None) -> EvalResult:
    """One table from several run folders with the same data and settings (different methods),
    restricted to the examples every listed method has finished — e.g. Table 4 from a main run
    plus a run of extra step counts."""
    records, settings = [], None
    for folder in folders:
        result_settings = load_settings(folder)[0].to_dict()
        defaults = {f.name: f.default for f in fields(EvalSettings)}
        same = {k: result_settings.get(k, defaults[k]) for k in defaults if k != "methods"}
        if settings is not None and same != settings:
            raise FaithlensError(f"Runs can only be merged when everything but the methods is equal. {str(folder)!r} differs: "
                                 f"{ {k: v for k, v in same.items() if settings.get(k) != v} }.")
        settings = same
        records += list(read_run(folder).values())
    if settings is None:
        raise FaithlensError("merge_runs needs at least one run folder.")
    available = list(dict.fromkeys(r["method"] for r in records))
    methods = list(methods or available)
    missing = [m for m in methods if m not in available]
    if missing:
        raise FaithlensError(f"No records for {missing} in {list(map(str, folders))}. Available: {available}.")
    by_method = {m: {r["index"] for r in records if r["method"] == m} for m in methods}
    common = set.intersection(*by_method.values())
    chosen = {(r["index"], r["method"]): r for r in records if r["method"] in methods and r["index"] in common}
    merged = EvalSettings(**dict(settings, methods=tuple(methods)))
    return summarise_run(list(chosen.values()), merged)
