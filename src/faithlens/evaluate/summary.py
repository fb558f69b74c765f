"""From records to a result: `EvalResult` (per-method mean ± standard error of every column, agreement, AOPC
curves, plausibility, paired tests), rebuilt from a run folder (`load_result`) or from several (`merge_runs`)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

import torch

from ..errors import FaithlensError
from ..metrics import summarise
from ..stats import spearman
from .folder import EvalSettings, load_settings, read_run
from .paired import significance
from .tables import TABLE_COLUMNS, TOPK_COLUMNS, markdown_table, unknown_line


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
    # False when the run stopped (Ctrl-C, stop_after) before every asked example had every method's record; None when
    # not known (a folder rebuilt by `load_result` that records neither results.json's count nor the data's selection)
    complete: bool | None = True
    examples_asked: int | None = None  # the data's examples; None when not known (a table rebuilt from records)

    @property
    def partial(self) -> tuple[int, int] | None:
        """(examples done, examples asked) of a run that stopped early; None for a complete one."""
        return None if self.complete or self.examples_asked is None else (self.n_examples, self.examples_asked)

    def markdown(self) -> str:
        table = unknown_line(self.complete) + markdown_table(
            self.rows, self.settings, self.n_examples, n_truncated=self.n_truncated, significance=self.significance,
            partial=self.partial)
        if self.plausibility:
            from ..plausibility import plausibility_markdown

            table += "\n" + plausibility_markdown(self.plausibility, source=str(self.settings.rationales))
        return table

    def to_html(self) -> str:
        """A self-contained page: the table, the agreement table and the plots (when matplotlib is installed)."""
        from ..views.reports import eval_page

        return eval_page(self)

    def _repr_html_(self) -> str:  # Jupyter
        from ..views.reports import eval_fragment

        return eval_fragment(self)


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
        from ..plausibility import plausibility_rows

        plausibility = plausibility_rows(records, settings.methods, seed=settings.seed)
    return EvalResult(settings=settings, rows=rows, n_examples=len(examples), agreement=rank_agreement(records, settings.methods),
                      curves=summarise_curves(records, settings.methods), n_truncated=len(truncated),
                      plausibility=plausibility, significance=significance(records, settings.methods, seed=settings.seed))


def summarise_curves(records: Sequence[dict], methods: Sequence[str]) -> dict:
    """Per method, each metric's mean ± s.e. at every top-k fraction, over the records that have a curve and measured
    it there (a null point, k = 0, is left out, as the table leaves it out)."""
    out = {}
    for label in methods:
        mine = sorted((r for r in records if r["method"] == label and r.get("curve")), key=lambda r: r["index"])
        with_curve = [_in_order(r["curve"]) for r in mine]  # in example order: the same sums however records arrived
        if not with_curve:
            continue
        fractions = max({tuple(c["fractions"]) for c in with_curve}, key=lambda f: sum(tuple(c["fractions"]) == f for c in with_curve))
        same = [c for c in with_curve if tuple(c["fractions"]) == fractions]
        out[label] = {"fractions": list(fractions),
                      **{m: [summarise([c[m][i] for c in same if c[m][i] is not None])  # k = 0: not measured
                             for i in range(len(fractions))]
                         for m in TOPK_COLUMNS}}
    return out


def _in_order(curve: dict) -> dict:
    """A record's curve with its fractions ascending (a run resumed with its curves listed in another order), and a
    point that a run before k = 0 points were recorded as null wrote as 0.0 in all three metrics read as null: only
    k = 0 (nothing removed) gives exactly 0 for log-odds, comprehensiveness and sufficiency together."""
    order = sorted(range(len(curve["fractions"])), key=lambda i: curve["fractions"][i])
    out = {k: [v[i] for i in order] if isinstance(v, list) and len(v) == len(order) else v for k, v in curve.items()}
    for i in range(len(order)):
        if all(out[m][i] == 0 for m in TOPK_COLUMNS):  # (a null is not 0)
            for m in TOPK_COLUMNS:
                out[m][i] = None
    return out


def rank_agreement(records: Sequence[dict], methods: Sequence[str]) -> list[dict]:
    """Mean Spearman correlation of token scores (attributed tokens) between every pair of methods, and how often
    their top tokens coincide. A pair with an unsigned method (saliency) is compared by |score|: a magnitude ranking
    against a signed one would read "opposes" as "unimportant"."""
    from ..methods import get_method

    by = {(r["index"], r["method"]): r for r in records}
    out = []
    signed = {m: getattr(_method_of(m, get_method), "signed", True) for m in methods}
    for a_i, a in enumerate(methods):
        for b in methods[a_i + 1:]:
            size = (lambda v: v) if signed[a] and signed[b] else (lambda v: [abs(x) for x in v])
            rhos, top1 = [], []
            for (i, m), ra in sorted(by.items(), key=lambda kv: kv[0][0]):  # example order: sums independent of file order
                rb = by.get((i, b))
                if m != a or rb is None:
                    continue
                x, y = size(_attributed_scores(ra)), size(_attributed_scores(rb))
                if len(x) >= 2:
                    rho = spearman(x, y)
                    if rho is not None:
                        rhos.append(rho)
                if len(x) >= 1:
                    top1.append(float(int(torch.tensor(x).argmax()) == int(torch.tensor(y).argmax())))
            out.append({"a": a, "b": b, "spearman": summarise(rhos), "top1_agreement": summarise(top1),
                        "by_magnitude": not (signed[a] and signed[b])})
    return out


def _method_of(label: str, get_method):
    """The method behind a spec label ('ig:steps=10' → ig), or None for a name this version does not know."""
    try:
        return get_method(label.partition(":")[0])
    except FaithlensError:
        return None


def _attributed_scores(record: dict) -> list[float]:
    return [s for s, special in zip(record["token_scores"], record["special"]) if not special]


def load_result(out: str | os.PathLike) -> EvalResult:
    """Rebuild the table from a run folder's records (e.g. while a run is still going). Its ``complete`` and
    ``examples_asked`` say whether every asked example has every method's record: the examples asked are those
    the data's selection in settings.json kept, else those results.json records (written by evaluate at each
    checkpoint); when neither says, ``complete`` is None and the tables say that completeness is unknown."""
    if not isinstance(out, (str, os.PathLike)):
        raise FaithlensError(f"load_result takes the --out folder of an evaluate run (a str or path); got "
                             f"{type(out).__name__} {out!r:.60}. Pass e.g. load_result('runs/sst2').")
    settings, dataset_info = load_settings(out)
    records = list(read_run(out).values())
    asked = _examples_asked(Path(out), dataset_info)
    result = summarise_run([r for r in records if asked is None or r["index"] < asked], settings)
    result.out = Path(out)
    result.examples_asked = asked
    done = {(r["index"], r["method"]) for r in records}
    result.complete = None if asked is None else all((i, label) in done for i in range(asked)
                                                      for label in settings.methods)
    return result


def _examples_asked(out: Path, dataset_info: dict) -> int | None:
    """How many examples a run folder's evaluation asked for: the count its data selection kept (settings.json's
    dataset_info: the texts kept by max_chars, cut to the limit; settings.json carries a digest, so an edit is
    refused), else results.json's ``examples_asked`` (a data set given whole records no selection); None when neither
    is recorded."""
    import json

    selected = dataset_info.get("selected") if isinstance(dataset_info, dict) else None
    kept, limit = (selected.get("after_filter"), selected.get("limit")) if isinstance(selected, dict) else (None, None)
    if _count(kept):
        return min(kept, limit) if _count(limit) else kept
    try:
        asked = json.loads((out / "results.json").read_text(encoding="utf-8")).get("examples_asked")
    except (OSError, ValueError, AttributeError):
        asked = None
    return asked if _count(asked) else None


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def merge_runs(folders: Sequence[str | os.PathLike], methods: Sequence[str] | None = None) -> EvalResult:
    """One table from several run folders with the same data and settings (different methods),
    restricted to the examples every listed method has finished — e.g. Table 4 from a main run
    plus a run of extra step counts.

    ``folders``: a list of run folders; ``methods``: a list of method labels as the runs wrote them (the table's
    row order), default every method found. Raises FaithlensError for a lone str, a set (no order) or a repeat."""
    for name, value, kind in (("folders", folders, "run folders"), ("methods", methods, "method labels")):
        if value is None and name == "methods":
            continue
        if isinstance(value, (str, bytes, os.PathLike)) or not isinstance(value, (list, tuple)):
            fix = (f"Pass e.g. {name}=[{value!r:.40}]" if isinstance(value, (str, os.PathLike)) else
                   f"Pass e.g. {name}=['runs/a', 'runs/b']" if name == "folders" else "Pass e.g. methods=['sig', 'ig']")
            raise FaithlensError(f"merge_runs takes {name} as a list of {kind} (the table's order); got "
                                 f"{type(value).__name__} {value!r:.80}. {fix}.")
        bad = [v for v in value if not isinstance(v, (str, os.PathLike))]
        if bad:
            raise FaithlensError(f"merge_runs takes {name} as a list of {kind}, each a str (or path); one is "
                                 f"{type(bad[0]).__name__} {bad[0]!r:.60}. List them one by one, e.g. "
                                 + ("folders=['runs/a', 'runs/b']." if name == "folders" else "methods=['sig', 'ig']."))
        repeated = sorted({str(v) for v in value if list(map(str, value)).count(str(v)) > 1})
        if repeated:
            raise FaithlensError(f"merge_runs lists {repeated} more than once in {name}. Name each once.")
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
