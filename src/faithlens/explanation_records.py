"""What `Explanation.from_dict` checks of the records a run computes from model outputs the file does not hold (the
measured ``error``, SIG's ``deltas`` and ``nodes``, the ``faithfulness`` record): each agrees with the fields it is
computed from where the file holds them, as `accuracy.measure`, `methods.sig` and `trust.explanation_trust` write
it. An exact result has no error and no delta; a quadrature error is the worst delta over the largest closed-form
unit score; SIG's mode and its error kind go together; a top-k count is the top-k fraction of the tokens the metrics
may remove. An edited record fails here with the field named and what it must be."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from .errors import FaithlensError
from .explanation_checks import finite_number as _number

Bad = Callable[[str], FaithlensError]

# float64 sums of float32 scores against the float32 sums the run measured (a unit's score, a closed form)
SCORE_SLACK = 1e-5
RATIO_SLACK = 1e-9  # relative = absolute / |reference|, computed in float64 from the numbers the file holds
PROB_DIFF_SLACK = 1e-6  # Comp and Suff are differences of two probabilities


LINEAR_IN_F = ("ig", "sig", "grad_x_input", "occlusion")
"""Methods whose attribution of a sum of outputs is the sum of their attributions (the same path
points, gradients and differences for every F_j): IG, SIG (every mode), Gradient×Input, occlusion.
`assemble.summed_from_tokens` explains a causal LM's F = Σ_j F_j as the sum of its per-token rows for them."""


def check_records(d: dict[str, Any], bad: Bad) -> None:
    """Raise `bad(what)` for the first record that disagrees with the fields it is computed from (module docstring)."""
    error = d.get("error")
    if isinstance(error, dict):
        _check_error(d, error, bad)
        _check_mode(d, error, bad)
    _check_nodes(d, bad)
    _check_faithfulness(d, bad)
    check_per_target(d, bad)


def _unit_sums(d: dict[str, Any]) -> list[float]:
    """Each path unit's score: the sum of its tokens' raw scores (`methods.sig`: token scores spread over a unit)."""
    return [math.fsum(d["token_scores"][t] for t in unit) for unit in d["units"]]


def _close(stored: float, expected: float, scale: float, slack: float = SCORE_SLACK) -> bool:
    return abs(stored - expected) <= slack * max(abs(stored), abs(expected), scale) + 1e-12


def _check_error(d: dict[str, Any], error: dict[str, Any], bad: Bad) -> None:
    """The error record against what it measures (`accuracy.measure`): exact has relative and absolute 0 and, where
    the file has units (SIG's closed form), every delta 0 and the reference max_u |a_u|; a quadrature error has
    absolute max_u |δ_u| and reference max_u |a_u − δ_u| (the closed form c_u); a completeness gap absolute |total_delta|
    (never null where a gap is recorded);
    a sampling error absolute max_i SE_i and reference max_i |a_i|; and relative = absolute / |reference| throughout."""
    kind, units, deltas = error["kind"], d.get("units"), d.get("deltas")
    if (kind == "completeness" or isinstance(error.get("completeness"), dict)) and d.get("total_delta") is None:
        raise bad(f"'error' records a completeness gap, but 'total_delta' (the gap Σ a − (F(w) − F(w̄)) it measures) "
                  f"is null; a run of {d['method']} writes it")
    for key in ("absolute", "reference"):
        if error.get(key) is not None and not _number(error[key]):
            raise bad(f"'error' {key} is {error[key]!r:.40}; faithlens writes a finite number or null")
    if error.get("absolute") is not None and error["absolute"] < 0:
        raise bad(f"'error' absolute is {error['absolute']!r}; an absolute error is ≥ 0")
    expected: dict[str, float | None] = {}
    if kind == "exact":
        for key in ("relative", "absolute"):
            if error.get(key) != 0 and (key == "relative" or error.get(key) is not None):
                raise bad(f"'error' kind is 'exact' (no approximation: no error to measure), but its {key} is "
                          f"{error[key]!r}; an exact result has {key} 0")
        if deltas is not None:
            moved = next((u for u, x in enumerate(deltas) if x != 0), None)
            if moved is not None:
                raise bad(f"'error' kind is 'exact' (SIG's closed form F(w) − F(w with the unit at the baseline)), so "
                          f"every unit's delta is 0, but deltas[{moved}] is {deltas[moved]!r}")
        if error.get("reference") is not None:
            if units is None:
                raise bad(f"'error' kind is 'exact' with reference {error['reference']!r}, but there are no units; only "
                          "SIG's closed form records a reference (its largest unit score)")
            expected["reference"] = max((abs(x) for x in _unit_sums(d)), default=0.0)
    elif kind == "quadrature" and units is not None and deltas is not None:
        expected["absolute"] = max((abs(x) for x in deltas), default=0.0)
        expected["reference"] = max((abs(a - x) for a, x in zip(_unit_sums(d), deltas)), default=0.0)
    elif kind == "completeness" and d.get("total_delta") is not None:
        expected["absolute"] = abs(d["total_delta"])
    elif kind == "sampling" and d.get("sampling_error") is not None:
        expected["absolute"] = max(d["sampling_error"], default=0.0)
        expected["reference"] = max((abs(x) for x in d["token_scores"]), default=0.0)
    scale = max([abs(x) for x in d["token_scores"]] + [abs(x) for x in deltas or ()], default=0.0)
    for key, value in expected.items():
        if error.get(key) is not None and not _close(error[key], value, scale):
            raise bad(f"'error' {key} is {error[key]!r}, but {_MEANING[kind][key]} is {value!r}")
    _check_ratio(error, "'error'", bad)
    if kind == "completeness":
        _check_gap(d, error, "'error'", bad)
    gap = error.get("completeness")
    if isinstance(gap, dict):
        if d.get("total_delta") is not None and gap.get("absolute") is not None \
                and not _close(gap["absolute"], abs(d["total_delta"]), scale):
            raise bad(f"error 'completeness' absolute is {gap['absolute']!r}, but |total_delta| (the efficiency gap "
                      f"Σ a − (F(w) − F(w̄))) is {abs(d['total_delta'])!r}")
        _check_ratio(gap, "error 'completeness'", bad)
        _check_gap(d, gap, "error 'completeness'", bad)


def _check_gap(d: dict[str, Any], record: dict[str, Any], where: str, bad: Bad) -> None:
    """A completeness gap is what the run measured of these scores (`accuracy._completeness`): ``total_delta`` =
    Σ_i token_scores_i − R, R the record's ``reference`` (F(w) − F(w̄); GradientShap's sampled E_b[F(w) − F(b)]),
    up to float rounding of the sum. Scores scaled or shifted after the run (every score doubled) keep the gap and error it
    recorded, and fail here with both numbers."""
    reference, gap = record.get("reference"), d.get("total_delta")
    if not (_number(reference) and _number(gap)):
        return
    total = math.fsum(d["token_scores"])
    scale = max(math.fsum(abs(x) for x in d["token_scores"]), abs(reference))
    if not _close(total - reference, gap, scale):
        raise bad(f"the token scores sum to {total!r}, so Σ a − R = {total - reference!r} with {where} reference "
                  f"R = {reference!r}, but 'total_delta' (the completeness gap Σ a − R the run measured, behind the "
                  f"recorded relative error {record.get('relative')!r}) is {gap!r}; the scores were edited after the "
                  "run measured them")


_MEANING = {
    "exact": {"reference": "the largest unit score max_u |a_u| (the closed form's, from 'token_scores' and 'units')"},
    "quadrature": {"absolute": "the worst unit's quadrature error max_u |δ_u| (from 'deltas')",
                   "reference": "the largest closed-form unit score max_u |a_u − δ_u| (from 'token_scores', 'units' "
                                "and 'deltas')"},
    "completeness": {"absolute": "|total_delta| (the completeness gap Σ a − (F(w) − F(w̄)))"},
    "sampling": {"absolute": "the largest standard error max_i SE_i (from 'sampling_error')",
                 "reference": "the largest score max_i |a_i| (from 'token_scores')"},
}


def _check_ratio(record: dict[str, Any], where: str, bad: Bad) -> None:
    """relative = absolute / |reference| where all three are numbers (`accuracy._ratio`; 0 when both are 0)."""
    relative, absolute, reference = (record.get(k) for k in ("relative", "absolute", "reference"))
    if not all(_number(x) for x in (relative, absolute, reference)):
        return
    if reference == 0:
        expected = 0.0 if absolute == 0 else None
    else:
        expected = absolute / abs(reference)
    if expected is None or not _close(relative, expected, 0.0, RATIO_SLACK):
        raise bad(f"{where} relative is {relative!r}, but absolute / |reference| is "
                  f"{absolute!r} / {abs(reference)!r}" + (f" = {expected!r}" if expected is not None else "")
                  + "; the relative error is computed from them")


def _check_mode(d: dict[str, Any], error: dict[str, Any], bad: Bad) -> None:
    """SIG's mode and its error kind go together (`methods.sig`, `accuracy._quadrature`): the closed form is exact, a
    path (reverse, forward) is measured by its quadrature error; per-feature attributions come from reverse mode only."""
    mode = d["settings"].get("mode")
    if d["method"] != "sig" or mode is None:
        return
    from .methods.sig import MODES

    if mode not in MODES or mode == "auto":
        raise bad(f"settings 'mode' is {mode!r:.40}; a SIG run records the mode it ran: closed, reverse or forward")
    kind = "exact" if mode == "closed" else "quadrature"
    if error["kind"] != kind:
        raise bad(f"settings 'mode' is {mode!r}, whose scores are measured as {kind!r}, but 'error' kind is "
                  f"{error['kind']!r}; SIG's closed mode is exact, its path modes (reverse, forward) are measured by "
                  "their quadrature error")
    if d.get("attributions") is not None and mode != "reverse":
        raise bad(f"there are per-feature 'attributions', but settings 'mode' is {mode!r}; only reverse mode "
                  "computes them")


def _check_nodes(d: dict[str, Any], bad: Bad) -> None:
    """Quadrature nodes are recorded by error-controlled runs only (a ``tolerance`` in settings): one count per path
    unit (SIG) or one for IG's single path, each at most the run's ``max_nodes``."""
    nodes, settings = d.get("nodes"), d["settings"]
    if nodes is None:
        return
    if settings.get("tolerance") is None:
        raise bad(f"'nodes' holds {len(nodes)} node count(s), but 'settings' has no 'tolerance'; only an "
                  "error-controlled run (tolerance=...) records the quadrature nodes it used")
    paths = len(d["units"]) if d.get("units") is not None else 1
    if len(nodes) != paths:
        raise bad(f"'nodes' has {len(nodes)} entries, but the run integrated {paths} path(s) (one per unit)")
    budget = settings.get("max_nodes")
    if isinstance(budget, int) and any(n > budget for n in nodes):
        raise bad(f"'nodes' holds {max(nodes)}, more than the run's settings 'max_nodes' ({budget})")


def _check_faithfulness(d: dict[str, Any], bad: Bad) -> None:
    """The faithfulness record (`faithlens.trust`) as the views read it and as it is computed: an int k, the top-k
    fraction (in [0, 1]) of the tokens the metrics may remove; comp and suff differences of two probabilities (in
    [-1, 1]) and log_odds a finite number, all null when k is 0 (0 from a faithlens before: read as null); a known protocol; a random object with n orderings
    (0..MAX_RANDOM) and its seed, or null; beats_random the share of the n orderings beaten (ties half), null when
    k or n is 0."""
    from .metrics import PROTOCOLS
    from .trust import MAX_RANDOM

    f = d.get("faithfulness")
    if f is None:
        return
    if not isinstance(f, dict):
        raise bad(f"'faithfulness' must be null or a JSON object. Got {type(f).__name__} {f!r:.60}")
    k = f.get("k")
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise bad(f"faithfulness 'k' must be an int ≥ 0. Got {k!r:.40}")
    _check_metrics(f, "faithfulness", k, bad)
    fraction, protocol = f.get("fraction"), f.get("protocol")
    if protocol is not None and protocol not in PROTOCOLS:
        raise bad(f"faithfulness 'protocol' is {protocol!r:.40}; faithlens writes one of {', '.join(PROTOCOLS)}")
    if fraction is not None:
        if not (_number(fraction) and 0 <= fraction <= 1):
            raise bad(f"faithfulness 'fraction' is {fraction!r:.40}; the top-k fraction is a number in [0, 1] "
                      "(0.2: the top 20 % of the tokens)")
        eligible, which = _eligible(d, protocol or "standard")
        expected = _top_k(eligible, fraction)
        if k != expected:
            raise bad(f"faithfulness 'k' is {k}, but the top-k fraction {fraction:g} of the {eligible} {which} is "
                      f"{expected}; k is computed from them")
    rnd = f.get("random")
    if rnd is not None:
        n = rnd.get("n") if isinstance(rnd, dict) else None
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_RANDOM:
            raise bad(f"faithfulness 'random' must be null or an object with an int 'n' in [0, {MAX_RANDOM}] (the random "
                      f"word orderings). Got {rnd!r:.80}")
        seed = rnd.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
            raise bad(f"faithfulness random 'seed' is {seed!r:.40}; faithlens writes an int ≥ 0")
        if n == 0:
            if any(rnd.get(key) is not None for key in ("comp", "suff", "log_odds")):
                raise bad("faithfulness random 'n' is 0 (no random ordering), but the random means are numbers; with "
                          "no ordering they are null")
        else:
            _check_metrics(rnd, "faithfulness random", k, bad)
            sd = rnd.get("comp_sd")
            if sd is not None and not (_number(sd) and sd >= 0 and (n > 1 or sd == 0) and (k > 0 or sd == 0)):
                raise bad(f"faithfulness random 'comp_sd' is {sd!r:.40}; a standard deviation over {n} ordering(s) is "
                          + ("≥ 0" if n > 1 else "0"))
    _check_beats(f, k, rnd.get("n") if isinstance(rnd, dict) else None, bad)


def unmeasured_as_null(f: dict[str, Any] | None) -> dict[str, Any] | None:
    """A checked faithfulness record as faithlens writes it now: with k = 0 (nothing measured) its metrics and their
    random means null, and a comp_sd of fewer than two orderings null (a faithlens before wrote 0 for both)."""
    if not isinstance(f, dict):
        return f
    f = dict(f)
    rnd = dict(f["random"]) if isinstance(f.get("random"), dict) else None
    if f.get("k") == 0:
        f.update(comp=None, suff=None, log_odds=None)
        if rnd is not None:
            rnd.update(comp=None, suff=None, log_odds=None)
    if rnd is not None and "comp_sd" in rnd and (f.get("k") == 0 or (rnd.get("n") or 0) < 2):
        rnd["comp_sd"] = None
    if rnd is not None:
        f["random"] = rnd
    return f


def _check_metrics(record: dict[str, Any], where: str, k: int, bad: Bad) -> None:
    for name in ("comp", "suff", "log_odds"):
        value = record.get(name)
        if k == 0 and value is None:  # nothing removed, nothing measured
            continue
        if not _number(value):
            raise bad(f"{where} {name!r} must be a finite number. Got {value!r:.40}")
        if name != "log_odds" and not -1 - PROB_DIFF_SLACK <= value <= 1 + PROB_DIFF_SLACK:
            raise bad(f"{where} {name!r} is {value!r}; {'comprehensiveness' if name == 'comp' else 'sufficiency'} is "
                      "p(ŷ) − p̃(ŷ), a difference of two probabilities, in [-1, 1]")
        if k == 0 and value != 0:
            raise bad(f"{where} {name!r} is {value!r}, but 'k' is 0: no token is removed, so nothing is measured (null)")


def _check_beats(f: dict[str, Any], k: int, n: int | None, bad: Bad) -> None:
    beats = f.get("beats_random")
    if beats is None:
        return
    if not (_number(beats) and 0 <= beats <= 1):
        raise bad(f"faithfulness 'beats_random' must be null or a fraction in [0, 1]. Got {beats!r:.40}")
    if k == 0 or n == 0:
        raise bad(f"faithfulness 'beats_random' is {beats!r}, but {'k' if k == 0 else 'random n'} is 0; with no "
                  "token removed or no random ordering there is nothing to beat (null)")
    if n and abs(beats * 2 * n - round(beats * 2 * n)) > 1e-6:
        raise bad(f"faithfulness 'beats_random' is {beats!r}, which is no share of {n} random orderings (wins count 1, "
                  f"ties 1/2: a multiple of 1/{2 * n})")


def _eligible(d: dict[str, Any], protocol: str) -> tuple[int, str]:
    """How many tokens the faithfulness metrics may remove (`metrics.faithfulness_at`): the attributed (not special)
    tokens, or every token under the reference protocol, less the prediction's own (a QA answer span; a causal LM's
    continuation input) — and what they are, in words."""
    special: Sequence[bool] = d["special"]
    n = len(special) if protocol == "reference" else sum(not s for s in special)
    which = "tokens" if protocol == "reference" else "attributed tokens"
    task = d.get("task", "classification")
    span = d["prediction"].get("token_span") if task == "qa" else None
    if isinstance(span, list) and len(span) == 2:
        n -= span[1] - span[0] + 1
        which += " outside the predicted answer"
    ids = d["target"].get("token_ids") if task == "causal_lm" else None
    if isinstance(ids, list) and ids and protocol == "reference":
        n -= len(ids) - 1
        which += " of the prompt"
    return max(n, 0), which


def _top_k(n: int, fraction: float) -> int:
    """`metrics.top_k_count` of n tokens: the one rule evaluate and the faithfulness check use."""
    import torch

    from .metrics import top_k_count

    return int(top_k_count(torch.tensor(n), fraction=fraction))


# |Σ_j per_target[j][t] − token_scores[t]| over max(1, Σ_j |per_target[j][t]|): float32 scores summed in another
# order (assemble.summed_from_tokens) or measured by two runs (occlusion's target side); half precision rounds more
PER_TARGET_SLACK = {"float32": 1e-4, "float64": 1e-9}
HALF_SLACK = 2e-2


def check_per_target(d: dict[str, Any], bad: Bad) -> None:
    """A causal LM's per-token matrix (`explainer.Explainer.explain`'s ``per_token``) as the run writes it:

    - it is there when settings record ``per_token`` (and ``target_side`` only with it); a matrix with no
      ``per_token`` record is a file written before runs recorded it, and is checked as below;
    - one row per continuation token (the target's ``token_ids``);
    - row j is 0 at every special token it cannot see: the template's and the continuation's y_≥j (y_<j too unless
      settings record ``target_side``, which attributes them);
    - one continuation token: the row is the explanation itself (``token_scores``); several, with a method linear in
      F at fixed nodes (`LINEAR_IN_F`, no ``tolerance``) and no target side: the rows sum to ``token_scores``
      (F = Σ_j F_j); occlusion's rows, target side or not, sum to it at the prompt tokens (the same leave-one-out
      differences)."""
    rows, settings = d.get("per_target"), d["settings"]
    per_token, target_side = settings.get("per_token"), settings.get("target_side")
    for name, value in (("per_token", per_token), ("target_side", target_side)):
        if value is not None and value is not True:
            raise bad(f"settings {name!r} is {value!r:.40}; a run records {name!r}: true, or leaves it out")
    if target_side and not per_token:
        raise bad("settings record 'target_side' but not 'per_token'; the target side extends the per-token matrix, so "
                  "a run with it records both")
    if per_token and rows is None:
        raise bad("settings record 'per_token', but 'per_target' is null; a per-token run writes one row of scores "
                  "per continuation token")
    if rows is None:
        return  # a matrix without settings.per_token: a file written before runs recorded it, checked all the same
    ids = d["target"].get("token_ids") or []
    if len(rows) != len(ids):
        raise bad(f"'per_target' has {len(rows)} rows, but the target continuation has {len(ids)} tokens; a per-token "
                  "run writes one row per continuation token")
    n, special, tokens = len(d["tokens"]), d["special"], d["tokens"]
    fed = len(ids) - 1  # y_1 .. y_{J−1} follow the prompt (explanation_tokens.check_layout)
    for j, row in enumerate(rows):
        seen = j if target_side else 0  # the continuation columns row j attributes: y_<j on the target side
        for t, x in enumerate(row):
            visible = not special[t] or n - fed <= t < n - fed + seen
            if x != 0 and not visible:
                what = (f"continuation token y_{t - (n - fed) + 1}" if t >= n - fed else "a special token")
                raise bad(f"per_target[{j}][{t}] ({tokens[t]!r}, {what}) is {x!r}, but row {j} scores continuation "
                          f"token {j + 1}, which cannot see it (row j scores the prompt"
                          + (" and y_<j" if target_side else "") + f"); it is exactly 0")
    _check_per_target_sum(d, rows, bad)


def _check_per_target_sum(d: dict[str, Any], rows, bad: Bad) -> None:
    """The rows against ``token_scores`` where the run makes them agree (`check_per_target`)."""
    settings, raw, special = d["settings"], d["token_scores"], d["special"]
    slack = PER_TARGET_SLACK.get(settings.get("dtype", "float32"), HALF_SLACK)
    if len(rows) == 1:
        how, columns = "its one row is 'token_scores' (one continuation token)", range(len(raw))
    elif d["method"] in LINEAR_IN_F and settings.get("tolerance") is None and not settings.get("target_side"):
        how, columns = "its rows sum to 'token_scores' (F = Σ_j F_j)", range(len(raw))
    elif d["method"] == "occlusion":
        how = "its rows sum to 'token_scores' at the prompt tokens (the same leave-one-out differences)"
        columns = [t for t in range(len(raw)) if not special[t]]
    else:
        return
    for t in columns:
        total = math.fsum(row[t] for row in rows)
        scale = max(1.0, math.fsum(abs(row[t]) for row in rows), abs(raw[t]))
        if abs(total - raw[t]) > slack * scale:
            raise bad(f"'per_target' column {t} ({d['tokens'][t]!r}) sums to {total!r}, but token_scores[{t}] is "
                      f"{raw[t]!r}; for {d['method']} {how}")
