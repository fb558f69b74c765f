"""Which explanation method is most faithful for this model on this data? A resumable benchmark.

``evaluate(...)`` explains every example with every method, scores each explanation with
log-odds, comprehensiveness, sufficiency (top-k) and the completeness gap Delta, and writes one
JSON line per (example, method) as it goes. Re-running with the same settings skips finished
lines, so an interrupted run resumes; the final table is computed from the lines alone, so a
resumed run and an uninterrupted one give the same table.

Method specs: a registry name, optionally with settings, e.g. ``ig:steps=250``, ``ig:steps=10N``
(10 × the number of attributed tokens, per example), ``sig:mode=closed``, ``sig:steps=10``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import torch

from . import __version__
from .baselines import resolve_baseline
from .data import Dataset
from .errors import FaithlensError
from .explainer import Explainer
from .methods import get_method
from .metrics import DEFAULT_TOPK, METRICS, PROTOCOLS, completeness_gap, explanation_faithfulness, summarise
from .model import ClassifierModel

DEFAULT_METHODS = ("grad_x_input", "deeplift", "gradient_shap", "ig", "dig", "sig")
SPEC_KEYS = {"steps": int, "mode": str, "unit": str, "rule": str, "n_samples": int, "tolerance": float}
RECORDS_FILE = "records.jsonl"
SETTINGS_FILE = "settings.json"
TABLE_COLUMNS = ("log_odds", "comprehensiveness", "sufficiency", "delta", "sig_delta", "seconds")


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
    """``name`` or ``name:key=value,key=value``; keys: steps (int or kN), mode, unit, rule, n_samples, tolerance."""
    name, _, rest = spec.partition(":")
    get_method(name)  # unknown names list the valid ones
    options: dict = {}
    per_token = None
    for item in filter(None, rest.split(",")):
        key, eq, value = item.partition("=")
        if not eq or key not in SPEC_KEYS:
            raise FaithlensError(f"Method setting {item!r} in {spec!r} is not key=value with key one of "
                                 f"{', '.join(SPEC_KEYS)}. Example: ig:steps=250 or sig:mode=closed.")
        if key == "steps" and value.upper().endswith("N"):
            per_token = _positive_int(value[:-1] or "1", spec)
            continue
        if SPEC_KEYS[key] is float:
            options[key] = _fraction(value, spec)
        else:
            options[key] = _positive_int(value, spec) if SPEC_KEYS[key] is int else value
    return MethodSpec(label=spec, method=name, options=options, steps_per_token=per_token)


def _fraction(value: str, spec: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number < 1:
        raise FaithlensError(f"Expected a number in [0, 1) in method spec {spec!r}. Got {value!r}. Example: sig:tolerance=1e-3.")
    return number


def _positive_int(value: str, spec: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise FaithlensError(f"Expected a positive int in method spec {spec!r}. Got {value!r}.")
    return int(value)


# --- settings and the record file ----------------------------------------------------------------------------

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
    truncate: bool = True
    shuffle: bool = True  # seeded sample (True) or file order

    def to_dict(self) -> dict:
        d = asdict(self)
        d["methods"] = list(self.methods)
        return d


def _check_resume(out: Path, settings: EvalSettings) -> None:
    path = out / SETTINGS_FILE
    if not path.exists():
        return
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))["settings"]
    except (ValueError, KeyError):
        raise FaithlensError(f"{str(path)!r} is not a faithlens settings file. Choose another --out folder.") from None
    now = settings.to_dict()
    defaults = {f.name: f.default for f in fields(EvalSettings)}  # keys added later read as their default
    changed = {k: (saved.get(k, defaults[k]), v) for k, v in now.items() if saved.get(k, defaults[k]) != v and k != "methods"}
    missing = [m for m in saved.get("methods", []) if m not in now["methods"]]
    if changed or missing:
        what = "; ".join(f"{k}: was {a!r}, now {b!r}" for k, (a, b) in changed.items())
        if missing:
            what += ("; " if what else "") + f"methods dropped: {missing}"
        raise FaithlensError(f"The folder {str(out)!r} holds a run with different settings ({what}). Resume with the "
                             "same settings (methods may be added, --limit may grow), or pass a new --out folder.")


def read_records(path: Path, *, repair: bool = False) -> list[dict]:
    """Complete JSON lines of a record file; a truncated last line is ignored (and cut off when ``repair``)."""
    if not path.exists():
        return []
    records, good_bytes = [], 0
    with path.open("rb") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):
                break  # an interrupted write
            try:
                records.append(json.loads(raw))
            except ValueError:
                break
            good_bytes += len(raw)
    if repair and good_bytes != path.stat().st_size:
        with path.open("r+b") as handle:
            handle.truncate(good_bytes)
    return records


# --- the run ----------------------------------------------------------------------------------------------------

@dataclass
class EvalResult:
    settings: EvalSettings
    rows: list[dict]  # one per method: label, then {"mean", "sem", "n"} per column
    n_examples: int
    out: Path | None = None
    agreement: list[dict] = field(default_factory=list)
    # method -> {"fractions": [...], metric: [{"mean", "sem", "n"} per fraction]}: AOPC curves, when recorded
    curves: dict = field(default_factory=dict)

    def markdown(self) -> str:
        return markdown_table(self.rows, self.settings, self.n_examples)

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
    truncate: bool = True,
    progress: bool = True,
    stop_after: int | None = None,
    memory_budget: int | None = None,
    curves: Sequence[float] | None = None,
) -> EvalResult:
    """Explain and score every example of ``dataset`` with every method; returns the table.

    With ``out``, records go to ``out/records.jsonl`` one line at a time and finished lines are
    skipped on a re-run. ``dataset`` should already be selected (see :func:`faithlens.data.select`).
    ``stop_after`` stops after that many new records (used to test resuming). ``memory_budget``
    (bytes of activations per chunk) bounds memory; it never changes a number. ``curves``
    (top-k fractions, e.g. ``metrics.AOPC_FRACTIONS``) also records each metric at every fraction,
    for AOPC curves (``EvalResult.curves``); it adds a ``curve`` entry to new records and changes no
    other value. With ``out``, the final write adds ``report.html`` and, with matplotlib, plots.
    """
    specs = [parse_method(m) for m in methods]
    if len({s.label for s in specs}) != len(specs):
        raise FaithlensError(f"A method is listed twice in {list(methods)}. List each once.")
    if protocol not in PROTOCOLS:
        from .errors import unknown_choice

        raise unknown_choice("metrics protocol", protocol, PROTOCOLS)
    if not 0 < topk <= 1:
        raise FaithlensError(f"The 'topk' parameter must be a fraction in (0, 1], e.g. 0.2. Got {topk!r} instead.")
    if len(dataset) == 0:
        raise FaithlensError("The dataset has no examples left after selection. Raise --limit or relax the filters.")
    settings = EvalSettings(model=model.name, data=dataset.source, methods=tuple(s.label for s in specs), baseline=baseline,
                            steps=steps, topk=topk, protocol=protocol, score=score, seed=seed, max_chars=max_chars,
                            truncate=truncate, shuffle=shuffle)
    if model.task.name == "causal_lm":
        raise FaithlensError(f"evaluate scores classifiers (single texts and pairs) and QA models; {model.name!r} is a "
                             "causal language model. Explain its next tokens with `faithlens explain --target-text`.")
    base = resolve_baseline(model, baseline)
    score_fn = model.task.score(score)
    explainer = Explainer(model)

    records_path = None
    done: dict[tuple[int, str], dict] = {}
    if out is not None:
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        _check_resume(out, settings)
        (out / SETTINGS_FILE).write_text(json.dumps({"settings": settings.to_dict(), "version": __version__,
                                                     "dataset_info": dataset.info}, indent=2) + "\n", encoding="utf-8")
        records_path = out / RECORDS_FILE
        for r in read_records(records_path, repair=True):
            done[(r["index"], r["method"])] = r
    if any(s.method.startswith("dig") for s in specs):  # build/load the neighbour graph before any timing
        from .methods.dig import knn_graph

        knn_graph(model, progress=progress)
    total = len(dataset) * len(specs)
    from tqdm.auto import tqdm

    bar = tqdm(total=total, initial=sum(1 for k in done if k[0] < len(dataset)), desc="evaluate", unit="expl",
               disable=not progress, file=sys.stderr, dynamic_ncols=True)
    written = 0
    handle = records_path.open("a", encoding="utf-8") if records_path else None
    fresh: list[dict] = []
    try:
        for start in range(0, len(dataset), batch_size):
            index = list(range(start, min(start + batch_size, len(dataset))))
            todo = [s for s in specs if any((i, s.label) not in done for i in index)]
            if not todo:
                continue
            texts = [dataset.texts[i] for i in index]
            context = _example_context(explainer, texts, base, score_fn, truncate)
            for spec in todo:
                pending = [j for j, i in enumerate(index) if (i, spec.label) not in done]
                for rec in _run_method(explainer, model, spec, index, texts, pending, context, dataset, settings, base,
                                       memory_budget, curves):
                    line = json.dumps(rec, allow_nan=False)
                    if handle:
                        handle.write(line + "\n")
                        handle.flush()
                    done[(rec["index"], rec["method"])] = rec
                    fresh.append(rec)
                    bar.update(1)
                    written += 1
                    if stop_after is not None and written >= stop_after:
                        raise _Stop
            if out is not None:  # the tables on disk always reflect every finished line
                write_outputs(_summary(done, dataset, settings, out), out)
    except _Stop:
        pass
    finally:
        bar.close()
        if handle:
            handle.close()
    result = _summary(done, dataset, settings, out)
    if out is not None:
        write_outputs(result, out, report=True)
    return result


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
                memory_budget=None, curves=None):
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
        for pos, (j, e) in enumerate(zip(members, explanations)):
            delta = completeness_gap(score_sum=torch.tensor(sum(e.token_scores), dtype=torch.float64),
                                     f_input=ctx.f_input[j], f_baseline=ctx.f_baseline[j])
            yield {
                "index": index[j],
                "method": spec.label,
                "text": e.text,
                **({"text_pair": e.text_pair} if e.text_pair is not None else {}),
                "label": dataset.labels[index[j]],
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
            }


def _target_json(row: torch.Tensor) -> int | list[int]:
    """A class index as an int; an answer span or continuation as a list."""
    values = row.tolist()
    return values[0] if len(values) == 1 else values


# --- the table ------------------------------------------------------------------------------------------------------

def summarise_run(records: Sequence[dict], settings: EvalSettings) -> EvalResult:
    """Per-method mean ± standard error and count of every column, in the order of ``settings.methods``."""
    rows = []
    for label in settings.methods:
        mine = sorted((r for r in records if r["method"] == label), key=lambda r: r["index"])
        row: dict = {"method": label}
        for column in (c for c in TABLE_COLUMNS if c != "seconds"):
            values = [r[column] for r in mine if r.get(column) is not None]
            row[column] = summarise(values)
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
    return EvalResult(settings=settings, rows=rows, n_examples=len(examples), agreement=rank_agreement(records, settings.methods),
                      curves=summarise_curves(records, settings.methods))


def summarise_curves(records: Sequence[dict], methods: Sequence[str]) -> dict:
    """Per method, each metric's mean ± s.e. at every top-k fraction, over the records that have a curve."""
    out = {}
    for label in methods:
        with_curve = [r["curve"] for r in records if r["method"] == label and r.get("curve")]
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
            for (i, m), ra in by.items():
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


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rho with average ranks for ties; None when either side is constant."""
    rx, ry = _ranks(torch.tensor(x, dtype=torch.float64)), _ranks(torch.tensor(y, dtype=torch.float64))
    rx, ry = rx - rx.mean(), ry - ry.mean()
    den = float(rx.norm() * ry.norm())
    return None if den == 0 else float((rx * ry).sum()) / den


def _ranks(v: torch.Tensor) -> torch.Tensor:
    order = torch.argsort(v, stable=True)
    ranks = torch.empty_like(v)
    ranks[order] = torch.arange(len(v), dtype=torch.float64)
    for value in torch.unique(v):  # average ranks of ties
        tied = v == value
        if int(tied.sum()) > 1:
            ranks[tied] = ranks[tied].mean()
    return ranks


def _cell(stat: dict, digits: int = 4) -> str:
    if stat["mean"] is None:
        return "–"
    mean, sem = stat["mean"], stat["sem"]
    if mean != 0 and abs(mean) < 10 ** -digits * 10:  # tiny values (e.g. SIG's per-word Δ) in scientific form
        return f"{mean:.2e} ± {sem:.1e}"
    return f"{mean:.{digits}f} ± {sem:.{digits}f}"


def markdown_table(rows: Sequence[dict], settings: EvalSettings, n_examples: int) -> str:
    arrow = {name: m.arrow for name, m in METRICS.items()}
    head = (f"| Method | LO {arrow['log_odds']} | Comp {arrow['comprehensiveness']} | Suff {arrow['sufficiency']} "
            f"| Delta {arrow['delta']} | SIG per-word Δ ↓ | s / example | n |")
    lines = [head, "|" + "---|" * 8]
    for row in rows:
        n = row["log_odds"]["n"]
        lines.append(f"| {row['method']} | {_cell(row['log_odds'])} | {_cell(row['comprehensiveness'])} | "
                     f"{_cell(row['sufficiency'])} | {_cell(row['delta'])} | {_cell(row['sig_delta'])} | "
                     f"{_cell(row['seconds'], 3)} | {n} |")
    caption = (f"\nModel `{settings.model}`, data `{settings.data}` ({n_examples} examples), baseline `{settings.baseline}`, "
               f"top-k {settings.topk:g}, protocol `{settings.protocol}`, score `{settings.score}`, seed {settings.seed}. "
               "Mean ± standard error over examples. LO = log-odds, Comp = comprehensiveness, Suff = sufficiency; "
               "Delta = mean |Σ a − (F(w) − F(w̄))| (raw scores); SIG per-word Δ = mean |a_i − (F(w) − F(w̄⁽ⁱ⁾))|."
               + _timing_note(rows) + "\n")
    return "\n".join(lines) + "\n" + caption + best_line(rows)


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


def best_line(rows: Sequence[dict]) -> str:
    """Which method is most faithful on each metric (by the mean, in the metric's direction)."""
    parts = []
    for name, short in (("log_odds", "LO"), ("comprehensiveness", "Comp"), ("sufficiency", "Suff")):
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


def write_outputs(result: EvalResult, out: Path, *, report: bool = False) -> None:
    """results.json, results.csv, table.md (and agreement.md for several methods), each written atomically;
    with ``report``, also report.html and the plots (metrics.svg/.png, aopc.svg/.png) when matplotlib is installed."""
    payload = {"settings": result.settings.to_dict(), "n_examples": result.n_examples, "rows": result.rows,
               "agreement": result.agreement, "curves": result.curves, "version": __version__, "written": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    _atomic(out / "results.json", json.dumps(payload, indent=2) + "\n")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["method"] + [f"{c}_{s}" for c in TABLE_COLUMNS for s in ("mean", "sem", "n")])
    for row in result.rows:
        writer.writerow([row["method"]] + [_num(row[c][s]) for c in TABLE_COLUMNS for s in ("mean", "sem", "n")])
    _atomic(out / "results.csv", buffer.getvalue())
    _atomic(out / "table.md", result.markdown())
    if result.agreement:
        _atomic(out / "agreement.md", agreement_markdown(result.agreement))
    if report:
        from .views.reports import write_eval_report

        write_eval_report(result, out)


def _num(x):
    return "" if x is None or (isinstance(x, float) and math.isnan(x)) else x


def _atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def load_settings(out: str | os.PathLike) -> tuple[EvalSettings, dict]:
    """A run folder's settings and its dataset info (``faithlens.data.reload`` re-opens its examples)."""
    path = Path(out) / SETTINGS_FILE
    if not path.exists():
        raise FaithlensError(f"{str(out)!r} holds no evaluate run (no {SETTINGS_FILE}). Pass the --out folder of a run.")
    saved = json.loads(path.read_text(encoding="utf-8"))
    settings = dict(saved["settings"], methods=tuple(saved["settings"]["methods"]))
    return EvalSettings(**settings), saved.get("dataset_info", {})  # keys missing in older files take their defaults


def load_result(out: str | os.PathLike) -> EvalResult:
    """Rebuild the table from a run folder's records (e.g. while a run is still going)."""
    settings, _ = load_settings(out)
    return summarise_run(read_records(Path(out) / RECORDS_FILE), settings)


def merge_runs(folders: Sequence[str | os.PathLike], methods: Sequence[str] | None = None) -> EvalResult:
    """One table from several run folders with the same data and settings (different methods),
    restricted to the examples every listed method has finished — e.g. Table 4 from a main run
    plus a run of extra step counts."""
    records, settings = [], None
    for folder in folders:
        result_settings = json.loads((Path(folder) / SETTINGS_FILE).read_text(encoding="utf-8"))["settings"]
        defaults = {f.name: f.default for f in fields(EvalSettings)}
        same = {k: result_settings.get(k, defaults[k]) for k in defaults if k != "methods"}
        if settings is not None and same != settings:
            raise FaithlensError(f"Runs can only be merged when everything but the methods is equal. {str(folder)!r} differs: "
                                 f"{ {k: v for k, v in same.items() if settings.get(k) != v} }.")
        settings = same
        records += read_records(Path(folder) / RECORDS_FILE)
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
