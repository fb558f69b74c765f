"""How exact is an explanation? Every method's own measured error, and a warning when it is large.

An explanation is exact, or it says its error (`Explanation.error`, one dict per explanation):

- ``"exact"``: no approximation. SIG's closed form and occlusion are F(w) − F(w with the unit at
  the baseline) (SPEC §4, the limit of infinitely many steps); Gradient×Input and Saliency are
  their definitions evaluated once.
- ``"quadrature"`` (SIG integrating its path): ``relative`` = max_u |δ_u| / max_u |c_u|, the worst
  unit's quadrature error δ_u = a_u − c_u against its exact closed form c_u, over the largest exact
  unit score.
- ``"completeness"`` (IG, DIG, DeepLift, GradientShap): ``relative`` = |Σ_i a_i − R| / |R| with
  R = F(w) − F(w̄) (GradientShap: the sampled E_b[F(w) − F(b)] over its baselines b).
- ``"sampling"`` (SmoothGrad, Shapley sampling, KernelSHAP, LIME): ``relative`` = max_i SE_i /
  max_i |a_i|, SE_i the standard error of token i's score over the method's random draws; where the
  method estimates an efficient game, ``completeness`` adds its efficiency gap (as for IG).

``relative`` above ``warn_above`` (default 1 %) adds a warning that gives the number and what to do
instead (the exact alternative where there is one).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import Tensor

from .methods import Method, MethodOutput

EXACT = "exact"
QUADRATURE = "quadrature"
COMPLETENESS = "completeness"
SAMPLING = "sampling"
KINDS = (EXACT, QUADRATURE, COMPLETENESS, SAMPLING)
# the measure of an exact kind that is a definition evaluated once (Gradient×Input, Saliency), not F differences
DEFINITION = "its definition, evaluated once at the input (no path, no sampling)"


@dataclass(frozen=True)
class Measured:
    error: dict  # JSON-ready: kind, relative, absolute, reference, measure
    warning: str | None  # set when error["relative"] > warn_above


def measure(method: Method, out: MethodOutput, j: int, settings: dict, *, F_gap: float | None,
            unit_names: list[str] | None, warn_above: float, dtype: str = "float32") -> Measured:
    """The measured error of text j's scores in `out` (see the module docstring).

    ``F_gap``: F(w) − F(w̄) of text j (None when the baseline score was not computed);
    ``unit_names``: the text of each path unit (SIG), to name the worst one in a warning;
    ``dtype``: the model's float type, named when a tolerance is below its rounding.
    """
    name = method.name
    if out.unit_deltas is not None and out.unit_scores is not None and out.units is not None:
        return _quadrature(name, out, j, settings, unit_names, warn_above)
    # a sampled estimator of an efficient game (shapley, kernel_shap, lime: forward passes only) meets completeness by
    # construction, so even one draw, whose sampling error cannot be measured, is judged by sampling, never by its gap
    if out.sampling_error is not None or (method.random and (out.total_delta is None or not method.gradients)):
        measured = _sampling(name, out, j, settings, warn_above)
        if out.total_delta is not None:  # sampled estimators of an efficient game (shapley, kernel_shap, lime)
            gap = _completeness(name, out, j, settings, F_gap, float("inf")).error
            measured.error["completeness"] = {k: gap[k] for k in ("relative", "absolute", "reference")}
        return measured
    if out.total_delta is not None:
        return _completeness(name, out, j, settings, F_gap, warn_above, dtype)
    what = "F(w) − F(w with the unit at the baseline), forward passes only" if name == "occlusion" else DEFINITION
    return Measured(_error(EXACT, 0.0, 0.0, None, what), None)


def _error(kind: str, relative: float | None, absolute: float | None, reference: float | None, measure_: str) -> dict:
    clean = lambda x: None if x is None or not math.isfinite(x) else float(x)  # noqa: E731
    return {"kind": kind, "relative": clean(relative), "absolute": clean(absolute), "reference": clean(reference),
            "measure": measure_}


def _ratio(num: float, den: float) -> float | None:
    if den > 0:
        return num / den
    return 0.0 if num == 0 else None


def _quadrature(name: str, out: MethodOutput, j: int, settings: dict, unit_names, warn_above: float) -> Measured:
    real = out.units[j].any(-1)
    delta = out.unit_deltas[j][real].to(torch.float64)
    exact = (out.unit_scores[j][real] - out.unit_deltas[j][real]).to(torch.float64)  # the closed form c_u
    if settings.get("mode") == "closed" or name == "occlusion":
        return Measured(_error(EXACT, 0.0, 0.0, float(exact.abs().max()) if len(exact) else 0.0,
                               "closed form F(w) − F(w with the unit at the baseline): exact, no quadrature"), None)
    worst = int(delta.abs().argmax()) if len(delta) else 0
    absolute = float(delta.abs().max()) if len(delta) else 0.0
    scale = float(exact.abs().max()) if len(exact) else 0.0
    relative = _ratio(absolute, scale)
    error = _error(QUADRATURE, relative, absolute, scale,
                   "max_u |δ_u| / max_u |c_u|: the worst unit's quadrature error against its exact closed form c_u")
    if relative is None or relative <= warn_above:
        return Measured(error, None)
    points = (f"{settings['steps']}-point {settings.get('rule', '')} quadrature" if "steps" in settings
              else f"error-controlled quadrature (tolerance {settings.get('tolerance')}, up to {settings.get('max_nodes')} nodes)")
    which = f" (worst: {unit_names[worst]!r})" if unit_names and worst < len(unit_names) else ""
    fix = ("The exact word scores are SIG's default: drop --mode/--steps/--tolerance (mode='closed', N+1 forward "
           "passes). Per-feature attributions need the path: " + _path_fix(out, j, real, settings, warn_above))
    return Measured(error, f"{name}: the {points} is off by {relative:.1%} of the largest exact score "
                           f"(max |δ_u| = {absolute:.3g}{which}). {fix}")


def _path_fix(out: MethodOutput, j: int, real: Tensor, settings: dict, warn_above: float) -> str:
    """What refines SIG's path, saying what happened: every unit met a tolerance looser than warn_above (lower it), or
    some stopped at the rule's last level (raise --steps), or fixed steps (more of them, or a tolerance)."""
    tolerance = settings.get("tolerance")
    if tolerance is None:
        return "raise --steps, or --tolerance 1e-3."
    met = out.path_converged is None or bool(out.path_converged[j][real].all())
    if met:
        return (f"every unit met its tolerance={tolerance:g}, looser than warn_above={warn_above:g}: lower --tolerance "
                f"(e.g. --tolerance {min(warn_above, 1e-3):g}).")
    return (f"some units stopped at the rule's last level ({settings.get('max_nodes')} nodes) before meeting "
            f"tolerance={tolerance:g}: raise --steps (the nodes per path).")


def _completeness(name: str, out: MethodOutput, j: int, settings: dict, F_gap: float | None,
                  warn_above: float, dtype: str = "float32") -> Measured:
    gap = float(out.total_delta[j])
    reference = float(out.reference[j]) if out.reference is not None else F_gap
    relative = None if reference is None else _ratio(abs(gap), abs(reference))
    what = ("Σ a − E_b[F(w) − F(b)] over the sampled baselines b, relative to it" if name == "gradient_shap"
            else "|Σ a − (F(w) − F(w̄))| / |F(w) − F(w̄)|: the completeness gap")
    error = _error(COMPLETENESS, relative, abs(gap), reference, what)
    if relative is None or relative <= warn_above:
        return Measured(error, None)
    head = (f"{name}'s scores miss completeness by {_percent(relative)} (Σ a − R = {gap:+.3g}, R = {reference:+.3g}"
            f"{' = F(w) − F(w̄)' if out.reference is None else ''}), above warn_above={warn_above:g}.")
    if name == "ig":
        fix = _ig_fix(out, j, settings, relative, warn_above, dtype)
    elif name.startswith("dig"):
        fix = " DIG's discrete path is a left Riemann sum over word anchors: more --steps refine it; sig's default scores are exact."
    elif name == "deeplift":
        fix = (" DeepLift's rescale rule does not cover attention's products, so this gap is the method's own, not a "
               "numerical error more computation fixes; sig's default scores are exact.")
    elif name == "gradient_shap":
        fix = (f" GradientShap is a Monte Carlo estimate over {settings.get('n_samples')} samples (one random point "
               "on each sampled path): more --samples shrink the gap.")
    else:
        fix = ""
    return Measured(error, head + fix)


def _ig_fix(out: MethodOutput, j: int, settings: dict, relative: float, warn_above: float, dtype: str) -> str:
    """What to do about IG's gap, saying only what happened: a fixed rule's steps, an adaptive rule that
    met its tolerance (looser than warn_above), or one that stopped at its node budget / last level."""
    tolerance = settings.get("tolerance")
    if tolerance is None:
        return (f" These scores are a {settings.get('steps')}-point path integral and IG has no "
                "closed form: --tolerance 0.01 refines the path until the gap is within 1 % (adaptive Gauss–Kronrod, "
                "checked against F on every sub-interval; docs/estimators.md). sig's default scores are exact.")
    used = int(out.path_nodes[j].sum()) if out.path_nodes is not None else None
    met = out.path_converged is None or bool(out.path_converged[j].all())
    if met and relative <= tolerance:
        return (f" The adaptive rule met its tolerance={tolerance:g} (a gap of at most {tolerance:.0%} of R) in {used} "
                f"nodes; that is looser than warn_above={warn_above:g}: lower --tolerance (e.g. --tolerance "
                f"{warn_above:g}) for a smaller gap.")
    if met:  # within the threshold's floor: float rounding of F, which no quadrature refines
        return " " + below_rounding(tolerance, relative, dtype, "completeness gap")
    budget = settings.get("max_nodes")
    if settings.get("rule") == "gauss_kronrod":
        return (f" The adaptive rule stopped at its node budget ({budget} nodes; {used} evaluated, another round would "
                f"pass it) before meeting tolerance={tolerance:g}: raise --steps (the budget). Causal LMs need "
                "hundreds of nodes (docs/ig_on_causal_lms.md); sig's default scores are exact.")
    return (f" The adaptive rule reached its last level ({budget} nodes) before meeting tolerance={tolerance:g}; "
            "without --rule, IG refines by adaptive Gauss–Kronrod up to a node budget (--steps). sig's default scores are exact.")


def below_rounding(tolerance: float, relative: float, dtype: str, said: str) -> str:
    """The one message for a tolerance under what `dtype` rounding of F allows: the refinement stopped at
    the rounding floor (`methods.adaptive.threshold_floor`) with a `said` ("completeness gap") of `relative`."""
    return (f"tolerance={tolerance:g} is below what {dtype} rounding of F allows here: the refinement stopped at the "
            f"rounding floor with a {said} of {relative:.1e} (relative). Pass a tolerance of {2 * relative:.0e} or "
            "more, or compute in float64 (dtype=torch.float64; CLI --dtype float64) for a smaller error.")


def _sampling(name: str, out: MethodOutput, j: int, settings: dict, warn_above: float) -> Measured:
    n = settings.get("n_samples")
    what = "max_i SE_i / max_i |a_i|: the standard error of the token scores over the random draws"
    if out.sampling_error is None:
        return Measured(_error(SAMPLING, None, None, None, what),
                        f"{name}: one random draw (n_samples={n}) has no measurable sampling error; use n_samples=2 or more (CLI --samples 2).")
    scores: Tensor = out.token_scores[j].to(torch.float64)
    se = out.sampling_error[j].to(torch.float64)
    absolute = float(se.max())
    scale = float(scores.abs().max())
    relative = _ratio(absolute, scale)
    error = _error(SAMPLING, relative, absolute, scale, what)
    if relative is None or relative <= warn_above:
        return Measured(error, None)
    if name in ("lime", "kernel_shap"):  # a regression on sampled coalitions, its spread measured by the bootstrap
        return Measured(error, f"{name}'s scores are a regression fit on {n} sampled coalitions; their bootstrap "
                               f"standard error reaches {relative:.0%} of the largest score ({absolute:.3g}). More "
                               "--samples (at least a few per word) shrink it.")
    return Measured(error, f"{name}'s scores are a mean over {n} random draws; their standard error reaches "
                           f"{relative:.0%} of the largest score ({absolute:.3g}). More --samples shrink it as 1/√n.")


def describe(error: dict | None) -> str:
    """One short phrase for the views: 'exact', 'quadrature error 16 %', 'completeness gap 30 %', ...; a definition
    evaluated once (Gradient×Input, Saliency: nothing approximated, but no F differences either) says so instead."""
    if not error:
        return ""
    kind, rel = error.get("kind"), error.get("relative")
    if kind == EXACT:
        return "its definition, no approximation" if error.get("measure") == DEFINITION else "exact"
    label = {QUADRATURE: "quadrature error", COMPLETENESS: "completeness gap", SAMPLING: "sampling error"}.get(kind, kind)
    if rel is None:
        return f"{label} unknown"
    return f"{label} {_percent(rel)}"


def _percent(x: float) -> str:
    p = 100 * x
    if p == 0:
        return "0 %"
    if p < 0.01:
        return f"{p:.1e} %"
    return f"{p:.2g} %" if p < 10 else f"{p:.0f} %"
