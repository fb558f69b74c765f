"""Saliency manipulation: how much attribution each method puts on the facade's target tokens.

Per method, scores are |a| L1-normalised over the attributed tokens of each example, then
- P@1 = share of examples whose top token is a target token (ties go to the earlier token),
- mean attribution = mean over examples of the summed normalised score on target tokens,
- MRR = mean over examples of 1/(1 + rank of the best-ranked target token) (0 without one).
Every example counts in the denominator (the FACADE paper's), including those without a target token; ``with_target``
counts those with one, and `saliency_manipulation` warns when some have none and refuses texts that hold none at all.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from ..errors import FaithlensError
from ..metrics import encoding_of
from ..explainer import Explainer
from ..explanation import Explanation
from ..methods import METHODS, get_method
from ..fit_checks import undetermined
from ..model import ClassifierModel
from .targets import target_mask


@dataclass(frozen=True)
class Run:
    """One explanation setting: a registered method, its SIG mode, optional steps, and the other settings of its
    method spec (``smoothgrad:noise=0.1``: ``options=(("noise", 0.1),)``), labelled by ``spec`` when written as one."""

    method: str
    mode: str = "reverse"
    steps: int | None = None
    options: tuple = ()  # (key, value) pairs passed to the method
    spec: str | None = None  # the method spec as written, e.g. "ig:steps=5"

    @property
    def label(self) -> str:
        if self.spec is not None and (self.method != "sig" or ":" in self.spec):
            return self.spec
        return self.method if self.method != "sig" else f"sig:{self.mode}"


def run_of(run: Run | tuple | str) -> Run:
    """A Run from a Run, a (method, mode, steps) tuple, or a method spec read by evaluate's parser
    (`faithlens.evaluate.parse_method`: ``ig:steps=5``, ``sig:closed``, ``smoothgrad:noise=0.1``); a bare ``sig``
    is SIG in reverse mode, as the facade paper ran it."""
    if isinstance(run, Run) or not isinstance(run, str):
        run = run if isinstance(run, Run) else Run(*run)
        if run.method not in METHODS:  # a method spec str is checked by evaluate's parser below
            from ..errors import unknown_choice

            raise unknown_choice("method of a Run", run.method, tuple(METHODS))
        _check_run_settings(run)
        if run.spec is not None and (not isinstance(run.spec, str) or run.spec.partition(":")[0] != run.method):
            raise FaithlensError(f"Run(spec=...) labels the run by its method spec, which must name its method "
                                 f"{run.method!r} (e.g. spec={run.method + ':steps=5'!r}); got spec={run.spec!r}. "
                                 "Leave spec out (the label is the method's name), or pass the spec as a string: "
                                 f"{run.method + ':steps=5'!r}.")
        if run.spec is not None and ":" in run.spec:  # the label must say what runs: the spec read gives these fields
            read = run_of(run.spec)
            if (read.mode, read.steps, dict(read.options)) != (run.mode, run.steps, dict(run.options)):
                raise FaithlensError(f"Run(spec={run.spec!r}) labels a run whose own settings differ (mode {run.mode!r}, "
                                     f"steps {run.steps!r}, options {dict(run.options)!r}; the spec says mode "
                                     f"{read.mode!r}, steps {read.steps!r}, options {dict(read.options)!r}). Pass the "
                                     f"spec alone as a string, {run.spec!r}, which is read into its Run.")
        return run
    from ..evaluate.specs import parse_method

    spec = parse_method(run)
    if spec.steps_per_token is not None:
        raise FaithlensError(f"Method spec {run!r}: steps per token (kN) are read by evaluate only; facade saliency "
                             f"explains its texts in one batch. Give a number of steps, e.g. {spec.method}:steps=50.")
    options = dict(spec.options)
    mode = options.pop("mode", "reverse")
    steps = options.pop("steps", None)
    return Run(spec.method, mode, steps, tuple(sorted(options.items())), spec.label)


def _check_run_settings(run: Run) -> None:
    """A Run's mode is SIG's only, and its options are (key, value) pairs of settings its method reads (`Method.reads`;
    steps and mode are the Run's own fields, the seed the audit's), so none is dropped or fails inside explain."""
    if run.method != "sig" and run.mode != "reverse":
        raise FaithlensError(f"Run({run.method!r}, mode={run.mode!r}): a mode is SIG's (reverse, forward, closed); "
                             f"{run.method} has none. Leave mode out, e.g. Run({run.method!r}).")
    reads = sorted(get_method(run.method).reads - {"steps", "mode", "seed"})
    pairs = run.options if isinstance(run.options, tuple) else None
    if pairs is None or not all(isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) for p in pairs):
        raise FaithlensError(f"Run(options=...) is a tuple of (name, value) pairs, e.g. options=(('noise', 0.1),). Got "
                             f"{run.options!r:.60}.")
    unknown = [k for k, _ in pairs if k not in reads]
    if unknown:
        raise FaithlensError(f"Run({run.method!r}) has no setting {unknown[0]!r}: {run.method} reads "
                             + (", ".join(reads) if reads else "none")
                             + " here (steps and mode are Run's own fields; the seed is the audit's).")


def runs_of(runs: Sequence[Run | tuple | str]) -> list[Run]:
    """Every run read (`run_of`); a str is one run (as compare reads methods='ig'); two runs with one label (``sig``
    and ``sig:reverse``) are refused."""
    runs = [run_of(r) for r in ([runs] if isinstance(runs, (str, Run)) else runs)]
    labels = [r.label for r in runs]
    twice = sorted({label for label in labels if labels.count(label) > 1})
    if twice:
        raise FaithlensError(f"{', '.join(twice)} is listed twice in the methods ({', '.join(labels)}; a bare sig is "
                             "sig:reverse). List each once.")
    return runs


REFERENCE = "occlusion"  # the output-based run every gradient run of an audit is tested against


def runs_arg(runs: object, name: str) -> list[Run]:
    """``gradient_runs`` / ``output_runs`` of `audit`: a non-empty list of `Run` (or what `manipulation.run_of` reads:
    a (method, mode, steps) tuple, a method spec such as ``"ig"``)."""
    from collections.abc import Iterable

    if isinstance(runs, (str, Run)) or not isinstance(runs, Iterable):
        raise FaithlensError(f"{name} must be a list of runs, e.g. [Run('saliency'), Run('ig')]. Got "
                             f"{type(runs).__name__} {runs!r:.60} instead; put a single run in a list.")
    runs = runs_of(list(runs))
    if not runs and name == "output_runs":
        raise FaithlensError("output_runs is empty; the audit compares gradient methods with an output-based reference. "
                             "Pass at least one, e.g. [Run('occlusion')].")
    return runs


def output_based(run: Run) -> bool:
    """Whether a run reads model outputs only (forward passes: occlusion, the Shapley family, SIG's closed form), so
    a manipulated gradient cannot move it."""
    return run.method != "random" and (not get_method(run.method).gradients or (run.method == "sig" and
                                                                                 run.mode == "closed"))


def check_run_kinds(gradient_runs: list[Run], output_runs: list[Run]) -> None:
    """The audit tests gradient methods against an output-based reference (occlusion): ``gradient_runs`` must be
    non-empty and read gradients, ``output_runs`` must read outputs only and hold occlusion, and no run is in both;
    otherwise the verdict would judge nothing, or judge the reference by itself."""
    example = "e.g. gradient_runs=[Run('saliency'), Run('ig')], output_runs=[Run('occlusion'), Run('sig', 'closed')]"
    if not gradient_runs:
        raise FaithlensError(f"gradient_runs is empty; the audit tests gradient methods, so a verdict with none would "
                             f"judge nothing. Pass at least one, {example}.")
    wrong = [r.label for r in gradient_runs if output_based(r) or r.method == "random"]
    if wrong:
        raise FaithlensError(f"gradient_runs lists {', '.join(wrong)}, which read(s) no gradients (model outputs only, "
                             f"or random scores): a manipulated gradient cannot show in them. Put output-based methods "
                             f"in output_runs and gradient methods in gradient_runs, {example}.")
    wrong = [r.label for r in output_runs if not output_based(r)]
    if wrong:
        raise FaithlensError(f"output_runs lists {', '.join(wrong)}, which read(s) gradients (or random scores): the "
                             f"reference must read model outputs only, so a manipulated gradient cannot move it. Put "
                             f"gradient methods in gradient_runs, {example}.")
    if REFERENCE not in {r.label for r in output_runs}:
        raise FaithlensError(f"output_runs must hold Run('occlusion'): every gradient method is tested against "
                             f"occlusion's scores. Got {[r.label for r in output_runs]}; add Run('occlusion').")
    both = sorted({r.label for r in gradient_runs} & {r.label for r in output_runs})
    if both:  # one label in both lists: one row would silently replace the other
        raise FaithlensError(f"{', '.join(both)} is in both gradient_runs and output_runs. List each run once.")


def steps_text(settings: dict) -> str:
    """An audit's IG/SIG steps as its report says them: the shared ``steps``, or each run's where one differs (a run's
    own steps, ``ig:steps=5``, are kept; ``steps_per_run``)."""
    per = settings.get("steps_per_run") or {}
    if all(v == settings.get("steps") for v in per.values()):
        return str(settings.get("steps"))
    return ", ".join(f"{label} {v}" for label, v in per.items())


def default_runs(sig_steps: int | None = None, ig_steps: int | None = None) -> tuple[Run, ...]:
    """Every registered method once; SIG in all three modes (reverse, forward, closed)."""
    runs = []
    for name in METHODS:
        if name == "sig":
            runs += [Run("sig", mode, None if mode == "closed" else sig_steps) for mode in ("reverse", "forward", "closed")]
        elif name == "ig":
            runs.append(Run("ig", steps=ig_steps))
        else:
            runs.append(Run(name))
    return tuple(runs)


DEFAULT_RUNS = default_runs()


# --- pure metrics -------------------------------------------------------------------------------

def normalise_abs(scores: Tensor, attributed: Tensor) -> Tensor:
    """(N, L) |a| / Σ|a| over attributed tokens; zero elsewhere (and for all-zero rows)."""
    a = scores.abs() * attributed
    return a / a.sum(1, keepdim=True).clamp_min(torch.finfo(a.dtype).tiny)


def target_metrics(*, scores: Tensor, attributed: Tensor, targets: Tensor) -> dict:
    """P@1, mean attribution and MRR of target tokens (higher = more attribution on targets).

    scores (N, L) raw token scores; attributed, targets (N, L) bool. Rows with no attribution
    (all zero) have no top token and count as misses.
    """
    p = normalise_abs(scores.to(torch.float64), attributed)
    targets = targets & attributed
    masked = p.masked_fill(~attributed, -1.0)
    # Rank = number of attributed tokens scoring higher, plus earlier ones scoring equal (stable order).
    higher = (masked.unsqueeze(1) > masked.unsqueeze(2)) & attributed.unsqueeze(1)  # (N, L, L): j beats i
    earlier_tie = (masked.unsqueeze(1) == masked.unsqueeze(2)) & attributed.unsqueeze(1) & torch.ones_like(higher).tril(-1)
    rank = (higher | earlier_tie).sum(-1)  # (N, L)
    has_mass = p.sum(1) > 0
    top_is_target = ((rank == 0) & targets).any(1) & has_mass
    best_rank = rank.masked_fill(~targets, 10**9).min(1).values
    rr = torch.where(targets.any(1) & has_mass, 1.0 / (best_rank.to(torch.float64) + 1), torch.zeros(len(p), dtype=torch.float64))
    n = len(p)
    return {
        "p_at_1": float(top_is_target.double().mean()) if n else float("nan"),
        "mean_attribution": float((p * targets).sum(1).mean()) if n else float("nan"),
        "mrr": float(rr.mean()) if n else float("nan"),
        "n": n,
        "with_target": int(targets.any(1).sum()),  # the rest count as misses with 0 attribution
    }


# --- running the explainers ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Explained:
    """Explanations of one run on N texts, as padded tensors aligned with the input ids."""

    run: Run
    explanations: tuple[Explanation, ...]
    scores: Tensor  # (N, L) raw token scores, zero at specials/padding
    input_ids: Tensor  # (N, L)
    attributed: Tensor  # (N, L) bool
    seconds: float


def explain_runs(model: ClassifierModel, texts: Sequence, runs: Sequence[Run], *, score: str = "log_prob",
                 baseline: str = "mask", batch_size: int = 16, truncate: bool = True, seed: int = 0,
                 progress: bool = False) -> dict[str, Explained]:
    """Explain every text with every run; scores aligned with one padded encoding of the texts."""
    from tqdm.auto import tqdm

    explainer = Explainer(model)
    truncate = truncate and model.task.name != "qa"  # a QA context is split into windows: nothing to truncate
    refused = undetermined(model, list(texts), [(run, run.method, dict(run.options).get("n_samples")) for run in runs],
                           seed=seed, truncate=truncate, batch_size=batch_size)  # before the first run's work
    if refused:
        from ..errors import quoted
        from ..text_origins import located

        named = [f"text {i} ({quoted(text, 40)})" for i, text in enumerate(texts)]  # "Text i" alone names no line
        raise FaithlensError("\n".join(f"Method {run.label}: {located(exc, named)}" for run, exc in refused))
    enc = None
    out = {}
    for run in tqdm(runs, desc=f"explaining ({model.name})", disable=not progress):
        t0 = time.perf_counter()
        kwargs = dict(run.options, **({"mode": run.mode} if run.method == "sig" else {}))
        if run.steps is not None:
            kwargs["steps"] = run.steps
        exps = explainer.explain(list(texts), run.method, score=score, batch_size=batch_size,
                                 baseline=baseline if METHODS[run.method].baseline else None,  # read by the method only
                                 truncate=truncate, **kwargs,
                                 **({"seed": seed} if "seed" in METHODS[run.method].reads else {}))  # the samplers only
        if enc is None:  # the encoding the explanations were made on (pairs, QA windows), once
            enc = encoding_of(model, exps, truncate=truncate)
        scores = torch.zeros(enc.input_ids.shape, dtype=torch.float64)
        for j, e in enumerate(exps):
            pos = enc.real_positions(j)
            scores[j, pos] = torch.tensor(e.token_scores, dtype=torch.float64)
        out[run.label] = Explained(run, tuple(exps), scores * enc.attributed, enc.input_ids, enc.attributed,
                                   time.perf_counter() - t0)
    return out


def manipulation_table(model: ClassifierModel, explained: dict[str, Explained], *, target: str) -> dict[str, dict]:
    """Per run label: target_metrics for `target` ('stop_words' or 'first_token'), plus seconds."""
    table = {}
    for label, ex in explained.items():
        targets = target_mask(model, ex.input_ids, ex.attributed, target)
        table[label] = dict(target_metrics(scores=ex.scores, attributed=ex.attributed, targets=targets),
                            seconds=round(ex.seconds, 2))
    return table


STEP_METHODS = ("ig", "sig")  # the runs whose steps `steps` sets (SIG in a quadrature mode)


def _takes_steps(run: Run) -> bool:
    """Whether the shared ``steps`` reaches ``run``: IG, or SIG integrating its path, with no steps of its own."""
    return run.method in STEP_METHODS and run.mode != "closed" and run.steps is None


def check_steps_read(runs: Sequence[Run | tuple], steps: int | None, *, option: str = "steps") -> None:
    """``steps`` given while no run reads it (no IG, no SIG outside mode closed, or only specs with their own steps,
    ``ig:steps=5``) would do nothing: refused, as explain and evaluate refuse a setting none of their methods reads
    (`faithlens.options.unused_note`)."""
    if steps is None:
        return
    runs = runs_of(runs)
    if not any(_takes_steps(r) for r in runs):
        sep = " " if option.startswith("--") else "="
        own = [r.label for r in runs if r.method in STEP_METHODS and r.mode != "closed"]  # their specs set their own steps
        raise FaithlensError(f"{option}{sep}{steps} does nothing for {', '.join(r.label for r in runs)}: it sets the steps of "
                             f"IG and SIG (modes reverse/forward/auto) whose spec gives no steps, and none of the methods does. Drop {option}, or "
                             + (f"drop the steps from {', '.join(own)} to let {option} set them." if own else
                                "add ig or sig to the methods."))


def saliency_manipulation(model: ClassifierModel, texts: Sequence[str], *, target: str = "stop_words",
                          runs: Sequence[Run | tuple | str] = DEFAULT_RUNS, score: str = "log_prob", steps: int | None = None,
                          progress: bool = True) -> dict:
    """P@1 / mean attribution / MRR on target tokens for every run, on `texts`."""
    from ..task_inputs import QA_PAIRS_DATA_API, check_data_task

    from .ids import audited_texts, warn_truncated

    from ..scalars import check_bool

    texts = audited_texts(texts)
    progress = check_bool("The 'progress' parameter of saliency_manipulation", progress)
    runs = runs_of(runs)
    if not runs:
        raise FaithlensError("runs is empty: saliency_manipulation measures each run's attribution on the target tokens. "
                             "Pass at least one, e.g. runs=['saliency', 'sig:closed'], or leave runs out for the defaults.")
    check_steps_read(runs, steps)
    check_data_task(model, texts, how=QA_PAIRS_DATA_API)  # a QA model's questions with contexts, before any pass
    warn_truncated(model, texts, "the saliency audit")
    if steps is not None:
        runs = [dataclasses.replace(r, steps=steps) if _takes_steps(r) else r for r in runs]
    if model.task.name in ("classification", "multi_label"):  # before any pass: texts with no target token at all
        _check_some_target(model, texts, target)
    explained = explain_runs(model, texts, runs, score=score, progress=progress)
    table = manipulation_table(model, explained, target=target)
    result = {"model": model.name, "target": target, "score": score, "n": len(texts),
              "with_target": next(iter(table.values()))["with_target"], "methods": table}
    if result["with_target"] < len(texts):
        import warnings

        from ..errors import FaithlensWarning

        result["note"] = (f"{len(texts) - result['with_target']} of the {len(texts)} texts hold no {_token_word(target)}: they "
                          f"count as misses with 0 attribution (the FACADE paper's denominator), so P@1 and MRR are at "
                          f"most {result['with_target'] / len(texts):.2f}. Leave them out to measure the others only.")
        warnings.warn(result["note"], FaithlensWarning, stacklevel=2)
    return result


def _check_some_target(model: ClassifierModel, texts: Sequence, target: str) -> None:
    """Refuse texts none of which holds a target token: every measure would be 0 by construction, not by the model."""
    from ..encoding import encode

    enc = encode(model, list(texts), truncate=True)
    if not bool(target_mask(model, enc.input_ids, enc.attributed, target).any()):
        raise FaithlensError(f"None of the {len(texts)} texts holds a {_token_word(target)} (the target tokens, target={target!r}), so P@1, "
                             "MRR and mean attribution would be 0 whatever the explanations say. Give texts with "
                             "stop words (e.g. 'the film is a bore'), such as a sentiment dataset's sentences.")


def _token_word(target: str) -> str:
    """One token of a saliency target, as messages name it: "stop word" or "first token"."""
    return "stop word" if target == "stop_words" else "first token"
