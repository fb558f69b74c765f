"""One validation layer for the explanation settings shared by the Python API, the CLI and the web app.

`check_settings(methods, settings)` runs before any model is loaded or any work is done. It checks types and ranges (with
the cost a value would have), and (``strict``, the CLI and the web app) that every setting given applies to a chosen method. `Explainer.explain` checks the
same ranges; a setting its one method does not read (``mode`` with IG; a ``baseline`` with Gradient×Input and
``faithfulness=False``) becomes a warning (`unused_note`): a `FaithlensWarning` and a line of the result's
``warnings``, so a loop over methods with common settings still runs, never silently.
"""

from __future__ import annotations

import math
import os
from collections.abc import Collection, Mapping, Sequence

from .errors import FaithlensError, quoted, unknown_choice
from .scalars import MAX_ROWS_PER_CHUNK, check_int as _int  # noqa: F401 (options._int: the commands' name)

# Hard limits: beyond these a run is a mistake (a typo, a wrong unit), never a useful setting.
MAX_STEPS = 10_000  # 10·N steps (SIG paper Table 4) for N ≤ 1000 tokens
MAX_SAMPLES = 1_000
from .splits import MAX_SEED  # numpy's generator (GradientShap through Captum) takes seeds below 2**32
MAX_BATCH = 4_096
MAX_NEW_TOKENS = 512
MAX_NOISE = 1.0  # SmoothGrad σ as a fraction of the embedding range: beyond 1 the noisy copies are mostly noise
MAX_TARGET_TOKENS = MAX_NEW_TOKENS  # causal LMs: tokens of a given continuation (target text)
MIN_REGRESSION_SAMPLES = 3  # kernel_shap / lime: below this the fit is undetermined (and Captum's sampler fails)
MIN_MEMORY = 16 * 1024**2  # bytes: below this not even one row of a small model fits

# What one of n_samples costs, per method that reads it (the error for a count out of range says it for the methods given).
SAMPLE_COST = {
    "smoothgrad": "a noisy copy of the text: one forward and backward pass",
    "gradient_shap": "a point on a sampled path: one forward and backward pass",
    "shapley": "a random order of the words: N - 1 forward passes for N words, no backward pass",
    "kernel_shap": "a sampled coalition of words: one forward pass, no backward pass",
    "lime": "a sampled coalition of words: one forward pass, no backward pass",
}


def _sample_cost(methods: Sequence[str]) -> str:
    return " ".join(f"A sample of {m} is {SAMPLE_COST[m]}." for m in dict.fromkeys(methods) if m in SAMPLE_COST)


def ordered_methods(methods: object, parameter: str = "methods") -> object:
    """Refuse a collection of method names that has no order (one rule wherever Python takes several methods).

    A ``set``/``frozenset`` would order the results by hash, and a dict would give its keys, so both are refused
    with what to pass instead (as `encoding.as_items` refuses a set of texts). Anything else is returned as it
    came; each caller then reads a str, a list or another iterable its own way.
    """
    if isinstance(methods, (set, frozenset)):
        raise FaithlensError(f"{parameter} is a {type(methods).__name__}, which has no order, so the results would come in "
                             f"an arbitrary order. Pass a list, e.g. {parameter}={sorted(map(str, methods))!r:.120}.")
    if isinstance(methods, Mapping):
        raise FaithlensError(f"{parameter} is a {type(methods).__name__}; iterating it would take its keys as method "
                             f"names. Pass a list of names, e.g. {parameter}=list(d).")
    return methods


class _MethodSettings(Mapping):
    """Which settings each method reads (besides the common ones): method name -> set of setting names, read from
    each registered method's own `Method.reads` when looked at (so importing this module imports no method)."""

    def _table(self) -> dict[str, set[str]]:
        from .methods import METHODS

        return {name: set(method.reads) for name, method in METHODS.items()}

    def __getitem__(self, name: str) -> set[str]:
        return self._table()[name]

    def __iter__(self):
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


METHOD_SETTINGS: Mapping[str, set[str]] = _MethodSettings()

SPECIFIC = {"steps", "rule", "unit", "mode", "n_samples", "noise", "tolerance"}  # meaningful for some methods only
DEFAULTS = {"steps": None, "rule": "gausslegendre", "unit": "word", "mode": "auto", "n_samples": None,
            "noise": 0.01, "tolerance": None}


DEFAULT_SEED = 0  # explain's seed: every random draw is seeded, so the same call gives the same numbers


def as_seed(seed: object) -> object:
    """``seed=None`` is the default seed (`DEFAULT_SEED`), not an unseeded run: faithlens never draws unseeded.
    Any other value is returned as given, for `check_settings` to check."""
    return DEFAULT_SEED if seed is None else seed


def max_threads() -> int:
    """The most CPU threads torch may be given: 4 × this machine's CPUs, at most 1024 (more threads than cores only
    wait for each other; 100000 ended in a segfault as torch started them)."""
    return min(1024, 4 * (os.cpu_count() or 1))


def check_threads(value: object, *, option: str = "--threads") -> int:
    """A torch thread count in [1, :func:`max_threads`], checked before torch starts any thread."""
    limit = max_threads()
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FaithlensError(f"{option} must be a positive int. Got {value!r} instead.")
    if value > limit:
        raise FaithlensError(f"{option} {value:,} is more than this machine can use: it has {os.cpu_count()} CPUs, and "
                             f"at most {limit} threads (4 per CPU, 1024 at most) are accepted; threads beyond the cores "
                             f"only wait for each other. Pass at most {limit}; {os.cpu_count() or 1} (one per CPU) is often fastest.")
    return value


def check_steps(value: object) -> int:
    if isinstance(value, str):  # "auto" is read before this; any other string (also "AUTO") is neither an int nor it
        raise FaithlensError(f"The 'steps' parameter must be a positive int, or 'auto' (sig and ig: as many nodes as "
                             f"the tolerance needs; lower case). Got str {value!r:.80} instead.")
    return _int("steps", value, low=1, high=MAX_STEPS,
                why=f"Each step is one forward and backward pass per path (SIG: per word), so {value!r} steps would "
                    "take days; 50 Gauss-Legendre steps already integrate to ~1e-4 on smooth models. Use --tolerance for "
                    "error-controlled steps." if isinstance(value, int) and not isinstance(value, bool)
                    and value > MAX_STEPS else "A path needs at least one quadrature node." if isinstance(value, int)
                    and not isinstance(value, bool) else "")


def check_noise(noise: object) -> float:
    """SmoothGrad's σ as a fraction of the embedding range (max(w) − min(w)): a number in (0, MAX_NOISE]."""
    if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not (math.isfinite(noise) and noise > 0):
        raise FaithlensError(f"The 'noise' parameter (SmoothGrad's σ as a fraction of the embedding range) must be a "
                             f"positive number, e.g. 0.01. Got {noise!r}.")
    if noise > MAX_NOISE:
        raise FaithlensError(f"The 'noise' parameter must be in (0, {MAX_NOISE:g}]. Got {noise!r}. It is SmoothGrad's σ as a "
                             "fraction of the embedding values' range, so above 1 each noisy copy is mostly noise and "
                             "the gradients describe random points, not the text (Smilkov et al. 2017, §3: 0.1–0.2 works "
                             "best on images; faithlens's default is 0.01).")
    return float(noise)


def check_tolerance_value(tolerance: object) -> float:
    """The error-controlled quadrature's relative tolerance: a number in (0, 1). Zero can never be met (nor can
    values below the rounding of a model pass: ~1e-6 in float32, ~1e-13 in float64), so the nested rule would
    only stop at its last level; SIG's exact scores come from its closed form instead."""
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not (math.isfinite(tolerance)
                                                                                      and 0 < tolerance < 1):
        raise FaithlensError(f"The 'tolerance' parameter (--tolerance) must be a number in (0, 1), relative to the exact "
                             f"value, e.g. 1e-3. Got {tolerance!r}."
                             + (" A tolerance of 0 can never be met by a quadrature; the smallest useful one is about "
                                "1e-6 in float32 (1e-12 in float64), the rounding of a model pass. For SIG's exact "
                                "scores use its closed form (mode='closed', the default without --steps or --tolerance)."
                                if isinstance(tolerance, (int, float)) and not isinstance(tolerance, bool)
                                and tolerance <= 0 else ""))
    return float(tolerance)


def check_settings(methods: Sequence[str], settings: Mapping[str, object], *, strict: bool = True,
                   typed: Collection[str] = ()) -> dict:
    """Validate explanation settings for `methods`; returns them unchanged when valid.

    Raises FaithlensError (what was expected, what was received, how to fix it) for an unknown
    method, a value of the wrong type or out of range, or a method-specific setting (steps, rule,
    unit, mode, n_samples, noise, tolerance) given away from its default that none of the
    methods reads (``strict``).
    """
    from .methods import METHODS, get_method
    from .quadrature import RULES

    for m in methods:
        get_method(m)  # an unknown name, or a spec ('ig:steps=5') given where keywords are read
    twice = sorted({m for m in methods if list(methods).count(m) > 1})
    if twice:  # it would be explained twice over (command line) or once (a set): one rule, refuse
        raise FaithlensError(f"The methods name {', '.join(twice)} more than once ({', '.join(methods)}). Name each "
                             "method once.")
    s = dict(settings)
    from .baselines import check_baseline_choice

    check_baseline_choice(s.get("baseline"), s.get("baseline_token"))
    if s.get("steps") is not None and s["steps"] != "auto":  # "auto": as many as the tolerance needs (sig, ig)
        check_steps(s["steps"])
    if s.get("n_samples") is not None:
        _int("n_samples", s["n_samples"], low=1, high=MAX_SAMPLES, why=_sample_cost(methods))
    if s.get("n_samples") is not None and s["n_samples"] < MIN_REGRESSION_SAMPLES and {"kernel_shap", "lime"} & set(methods):
        raise FaithlensError(f"kernel_shap and lime fit a regression on sampled coalitions and need at least "
                             f"{MIN_REGRESSION_SAMPLES} of them. Got n_samples={s['n_samples']}. Use n_samples=50 or more (CLI --samples 50; "
                             "default 200).")
    if "seed" in s and s["seed"] is not None:
        _int("seed", s["seed"], low=0, high=MAX_SEED)
    if "batch_size" in s:
        _int("batch_size", s["batch_size"], low=1, high=MAX_BATCH)
    if s.get("rows_per_chunk") is not None:
        _int("rows_per_chunk", s["rows_per_chunk"], low=1, high=MAX_ROWS_PER_CHUNK)
    if s.get("memory_budget") is not None:
        budget = s["memory_budget"]
        if isinstance(budget, bool) or not isinstance(budget, int) or budget < MIN_MEMORY:
            raise FaithlensError(f"The memory budget must be at least {MIN_MEMORY // 1024**2} MiB "
                                 f"(--memory-mb {MIN_MEMORY // 1024**2}, memory_budget={MIN_MEMORY}). Got {_mib(budget)}.")
    if "max_new_tokens" in s:
        _int("max_new_tokens", s["max_new_tokens"], low=1, high=MAX_NEW_TOKENS)
    if s.get("rule", "gausslegendre") not in RULES:
        raise unknown_choice("quadrature rule", s["rule"], RULES)
    if s.get("unit", "word") not in ("token", "word"):
        raise unknown_choice("unit", s["unit"], ["token", "word"])
    if s.get("mode", "auto") not in ("reverse", "forward", "closed", "auto"):
        raise unknown_choice("SIG mode", s["mode"], ["auto", "closed", "forward", "reverse"])
    noise = s.get("noise", 0.01)
    check_noise(noise)
    warn = s.get("warn_above", 0.01)
    if isinstance(warn, bool) or not isinstance(warn, (int, float)) or not (math.isfinite(warn) and warn >= 0):
        raise FaithlensError(f"The 'warn_above' parameter (the relative error above which an explanation warns) must be "
                             f"a finite number ≥ 0, e.g. 0.01 for 1 % (a large one, e.g. 1e9, never warns). Got {warn!r}.")
    if s.get("tolerance") is not None:
        check_tolerance_value(s["tolerance"])
    check_score_target(s.get("score"), s.get("target"))
    if strict and (found := unused_settings(methods, s, typed=typed)):
        raise FaithlensError(" ".join(found))
    return s


def auto_steps_error(method: str, tolerance: float | None, none: str) -> FaithlensError:
    """steps='auto' for a method with no error-controlled quadrature: name steps='auto' (and a tolerance given with
    it), never a tolerance the user did not pass, and the fix that fits the method."""
    if method == "sig":  # closed mode: reads no steps
        fix = ", or drop mode='closed' (SIG then integrates its path)."
    elif "steps" in METHOD_SETTINGS.get(method, ()):
        fix = f", or pass an int (steps=N; {method} reads it)."
    else:
        fix = ", or choose sig or ig."
    return FaithlensError("steps='auto' (CLI --steps auto) asks for as many quadrature nodes as a certified tolerance "
                          "needs" + (f" (here tolerance={tolerance!r})" if tolerance is not None else "")
                          + f"; only sig (reverse or forward mode) and ig have such a quadrature, and {none}. Drop "
                          "steps='auto'" + (" and tolerance=" if tolerance is not None else "") + fix)


def check_keywords(call: str, given: Mapping[str, object], known: Sequence[str]) -> None:
    """``call``() passes its keywords on to explain() (compare): an unknown one is refused naming ``call``() and the
    keywords it accepts, with the nearest name for a typo."""
    unknown = [name for name in given if name not in known]
    if unknown:
        import difflib

        close = {u: difflib.get_close_matches(u, known, n=1) for u in unknown}
        hint = "".join(f" Did you mean {c[0]!r} for {u!r}?" for u, c in close.items() if c)
        raise FaithlensError(f"{call}() got the unknown keyword{'s' * (len(unknown) > 1)} "
                             f"{', '.join(quoted(u, 30) for u in unknown)}.{hint} It accepts text, methods and "
                             f"explain()'s settings: {', '.join(known)}.")


def check_score_target(score: object, target: object) -> None:
    """score='max_logit' explains the largest logit, whichever class has it: a target (or one per text) would do
    nothing, so it is refused, as a contrast is (`Task.contrast`). Raises FaithlensError."""
    if score != "max_logit":
        return
    if any(t is not None for t in (target if isinstance(target, (list, tuple)) else [target])):
        raise FaithlensError(f"score='max_logit' (CLI --score max_logit) explains the largest logit, whichever class "
                             f"has it, so it has no target: target={target!r} (CLI --target, or a QA model's --answer, a causal LM's "
                             "--target-text) would do nothing. Drop the target, or use score='logit' (the target's "
                             "logit), 'prob' or 'log_prob'; only a classifier has max_logit.")


def _baseline_readers(methods: Sequence[str]) -> list[str]:
    from .methods import METHODS

    return [m for m in methods if m in METHODS and METHODS[m].baseline]


def _seed_readers(methods: Sequence[str]) -> list[str]:
    """The methods among `methods` that draw at random from ``seed`` (their `Method.reads` holds it)."""
    from .methods import METHODS

    return [m for m in methods if m in METHODS and "seed" in METHODS[m].reads]


def sig_closed(settings: Mapping[str, object]) -> str | None:
    """How SIG runs its closed form under `settings` ("stated": mode='closed'; "default": mode 'auto' with no steps,
    tolerance or return_attributions: `methods.sig.path_asked`), or None when it integrates its path.
    The closed form has no quadrature: a rule does nothing for it, and steps or a tolerance only with mode='closed'."""
    from .methods.sig import path_asked

    mode = settings.get("mode", "auto")
    if mode == "closed":
        return "stated"
    path = path_asked(settings.get("steps"), settings.get("tolerance"), settings.get("return_attributions"))
    return "default" if mode == "auto" and not path else None


def _sig_reads(settings: Mapping[str, object]) -> set[str]:
    """The settings SIG reads under `settings` (`sig_closed`): its closed form reads no quadrature rule, and with
    mode='closed' no steps or tolerance either."""
    closed = sig_closed(settings)
    reads = set(METHOD_SETTINGS.get("sig", SPECIFIC))
    return {"unit", "mode"} if closed == "stated" else reads - {"rule"} if closed == "default" else reads


def method_reads(method: str, settings: Mapping[str, object], *, closed_too: bool = False) -> set[str]:
    """The settings `method` reads under `settings`: SIG's by `_sig_reads` (all it can read with ``closed_too``);
    steps='auto' (an error-controlled quadrature) only by sig and ig, whatever other methods do with an int."""
    reads = set(_sig_reads(settings) if method == "sig" and not closed_too else METHOD_SETTINGS.get(method, SPECIFIC))
    if settings.get("steps") == "auto" and method not in ("sig", "ig"):
        reads.discard("steps")
    return reads


GENERIC_FIX = "Drop it, or choose one of those methods."


def unused_settings(methods: Sequence[str], settings: Mapping[str, object], *,
                    typed: Collection[str] = ()) -> tuple[str, str] | None:
    """What the given settings do for none of `methods`, and how to fix it: (note, fix), or None when all are read.

    A setting counts as given when it differs from its default, or when it is in ``typed`` (the CLI
    names the options the user typed, so ``--unit word`` with IG is refused although word is the default).
    A ``rule`` is read by IG and by SIG when it integrates its path: SIG's default closed form (no steps, tolerance or
    return_attributions; `sig_closed`) has no quadrature, so a rule alone does nothing for it.
    A ``baseline`` or ``baseline_token`` (given when not None) is read by every method but Gradient×Input,
    Saliency, SmoothGrad and random (SPEC §4), and by the faithfulness check (log-odds, SPEC §6): with
    ``faithfulness=False`` stated in `settings` and none of `methods` reading it, it does nothing. A ``seed``
    (given when not 0, or typed) alike: it is read by the sampling methods and random (`Method.reads`), and by
    the faithfulness check's random word orderings, which ``n_random=0`` leaves out. An ``n_random`` (given when not
    its default, or typed) is read by the faithfulness check only; ``return_attributions`` by the gradient methods."""
    from .methods import METHODS
    from .trust import DEFAULT_RANDOM

    reads = set().union(*(method_reads(m, settings) for m in methods))
    unused = [k for k in SPECIFIC if (settings.get(k, DEFAULTS[k]) != DEFAULTS[k] or k in typed) and k not in reads]
    unchecked = settings.get("faithfulness", True) is False  # stated off: nothing but the methods reads a setting
    n_random = settings.get("n_random", DEFAULT_RANDOM)
    they = "it reads" if len(methods) == 1 else "they read"
    notes, fixes = [], []
    base = [k for k in ("baseline", "baseline_token") if settings.get(k) is not None]
    if base and unchecked and not _baseline_readers(methods):
        blind = ", ".join(m for m in METHODS if not METHODS[m].baseline)
        cli = f" (CLI --baseline {settings['baseline']})" if base[0] == "baseline" else ""  # baseline_token: cli_words
        notes.append(f"{base[0]}={settings[base[0]]!r}{cli} does nothing for {', '.join(methods)} without the "
                     f"faithfulness check (faithfulness=False, CLI --no-faithfulness): {they} no baseline; it "
                     f"is read by every method but {blind}, and by the faithfulness check.")
        fixes.append(GENERIC_FIX)
    seed = settings.get("seed")
    if seed is not None and (seed != 0 or "seed" in typed) and (unchecked or n_random == 0) \
            and not _seed_readers(methods):
        drawing = ", ".join(m for m in METHODS if "seed" in METHODS[m].reads)
        without = ("without the faithfulness check (faithfulness=False, CLI --no-faithfulness)" if unchecked else
                   "with no random word orderings in the faithfulness check (n_random=0, CLI --random 0)")
        notes.append(f"seed={seed!r} (CLI --seed {seed}) does nothing for {', '.join(methods)} {without}: "
                     f"{they.replace('read', 'draw')} nothing at random; it is read by {drawing}, and by the "
                     "faithfulness check's random word orderings.")
        fixes.append(GENERIC_FIX if unchecked else "Drop it, choose one of those methods, or compare with random "
                     "orderings (n_random=R with R > 0, CLI --random R).")
    if unchecked and (n_random != DEFAULT_RANDOM or "n_random" in typed):
        notes.append(f"n_random={n_random!r} (CLI --random {n_random}) sets how many random word orderings the "
                     "faithfulness check compares each explanation with; without the check (faithfulness=False, CLI "
                     "--no-faithfulness) it does nothing.")
        fixes.append("Drop n_random (CLI --random), or turn the check on (faithfulness=True; CLI: drop "
                     "--no-faithfulness).")
    if settings.get("return_attributions") is True and not any(METHODS[m].gradients for m in methods if m in METHODS):
        notes.append(f"return_attributions=True does nothing for {', '.join(methods)}: per-dimension attributions come "
                     f"from gradients, and {'it runs' if len(methods) == 1 else 'they run'} forward passes only.")
        fixes.append("Drop it, or choose a gradient method (sig, ig, gradient_x_input, saliency, ...).")
    if unused:
        what = " and ".join(f"{k}={settings[k]!r}" for k in unused)
        users = sorted(m for m in METHOD_SETTINGS if set(unused) & method_reads(m, settings, closed_too=True))
        closed = sig_closed(settings) if "sig" in methods and "mode" not in unused else None
        if closed == "default" and "rule" not in unused:  # the clause speaks of what the closed form leaves unread
            closed = None
        notes.append(f"{what} {'do' if len(unused) > 1 else 'does'} nothing for {', '.join(methods)}"  # the clause: SIG's closed form
                     + {"stated": " with mode='closed' (no quadrature)",
                        "default": " (SIG's default closed form: exact, no quadrature)", None: ""}[closed]
                     + f"; {'they are' if len(unused) > 1 else 'it is'} read by " + (", ".join(users) if closed != "default" else
                                             ", ".join(u for u in users if u != "sig") + ", and by sig when it "
                                             "integrates its path") + ".")
        fixes.append("Drop it, choose one of those methods, or integrate SIG's path with rule="
                     f"{settings['rule']!r}: pass steps=N, tolerance=T (CLI --tolerance T) or mode='reverse'."
                     if closed == "default" and unused == ["rule"] else GENERIC_FIX)
    if not notes:
        return None
    return " ".join(notes), " ".join(dict.fromkeys(fixes))


def unused_note(methods: Sequence[str], settings: Mapping[str, object], *, typed: Collection[str] = ()) -> str | None:
    """What the given method-specific settings do for none of `methods` (None when all are read; `unused_settings`)."""
    found = unused_settings(methods, settings, typed=typed)
    return found and found[0]


def applicable(method: str, settings: Mapping[str, object]) -> dict:
    """`settings` without the method-specific ones `method` does not read (for one call among several methods)."""
    from .methods import METHODS
    from .trust import DEFAULT_RANDOM

    reads = method_reads(method, settings)
    checked = settings.get("faithfulness", False) is True  # as Explainer.explain reads it: off unless given
    unread = set() if checked or _baseline_readers([method]) else \
        {"baseline", "baseline_token"}  # no baseline read by the method nor by a faithfulness check
    if not checked:
        unread.add("n_random")  # the check's own setting
    if method in METHODS and not METHODS[method].gradients:  # forward passes only: no per-dimension attributions
        unread.add("return_attributions")
    if (not checked or settings.get("n_random", DEFAULT_RANDOM) == 0) and not _seed_readers([method]):
        unread.add("seed")  # nothing draws at random: explain's own seed (0) changes nothing either
    return {k: v for k, v in settings.items() if (k not in SPECIFIC or k in reads) and k not in unread}


def estimated_passes(method: str, opts, enc) -> tuple[int, str]:
    """(model passes, how they arise) of one batch: forward passes, plus backward ones for gradient methods."""
    units = int(enc.attributed.sum()) if opts.unit == "token" else int(
        sum(len({(int(s), int(w)) for s, w in zip(enc.segment_ids[b], enc.word_ids[b]) if w >= 0})
            for b in range(len(enc))))
    texts = len(enc)
    steps = opts.steps or 50
    if method == "sig":
        from .methods.sig import wants_path

        if opts.mode == "closed" or (opts.mode == "auto" and not wants_path(opts)):
            return units + texts, f"{units} {opts.unit}s + 1 forward passes (closed form)"
        return units * steps, f"{units} {opts.unit}s × {steps} steps, {opts.mode} mode"
    if method in ("ig", "dig", "dig_maxcount"):
        steps = opts.steps or (50 if method == "ig" else 30)
        return texts * steps, f"{texts} texts × {steps} steps"
    if method == "occlusion":
        return units + texts, f"{units} {opts.unit}s + 1 forward passes"
    if method in ("shapley", "kernel_shap", "lime", "partition"):
        words = [len({(int(s), int(w)) for s, w in zip(enc.segment_ids[b], enc.word_ids[b]) if w >= 0})
                 for b in range(texts)]
        if method == "partition":  # about 2·U² coalitions, fewer after deduplication
            return sum(2 * u * u for u in words), f"at most {sum(2 * u * u for u in words)} coalitions of words"
        from .methods import METHODS

        n = opts.n_samples or METHODS[method].default_samples
        if method == "shapley":
            return sum(n * max(u - 1, 0) for u in words), f"{n} orders × (words − 1) forward passes"
        return texts * n, f"{texts} texts × {n} coalitions"
    if method in ("smoothgrad", "gradient_shap"):
        n = opts.n_samples or (10 if method == "smoothgrad" else 5)
        return texts * n, f"{texts} texts × {n} samples"
    return texts, f"{texts} texts"


def _mib(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value / 1024**2:.3g} MiB"
    return repr(value)


# Seed options that only seed another option's draw: (seed option, the option it seeds, what that draw is). Given
# without that option it would do nothing, so the CLI refuses it (`check_seed_options`), as it refuses --stride on
# a classifier.
SEEDED_BY = (("split_seed", "holdout", "the --holdout split"), ("subset_seed", "subset", "the --subset draw"))


def check_seed_options(args) -> None:
    """Every command's seed options of another option's draw (--split-seed of --holdout, --subset-seed of --subset):
    refused without that option (they would do nothing), then set to their default 0 when not given. The range of
    every seed option is :func:`seed_arg`'s, checked by argparse. Raises FaithlensError."""
    for seed, owner, what in SEEDED_BY:
        if not hasattr(args, seed):
            continue
        value = getattr(args, seed)
        if value is not None and getattr(args, owner, None) is None:
            flag, needed = f"--{seed.replace('_', '-')}", f"--{owner}"
            raise FaithlensError(f"{flag} {value} seeds {what}; without {needed} there is no such draw, so it does "
                                 f"nothing. Drop it, or pass {needed}.")
        if value is None:
            setattr(args, seed, 0)


def fraction_arg(value: str) -> float:
    """argparse type of every --holdout: a fraction in (0, 1). A refusal quotes the text as typed, not the float it
    parsed to (1e-400 underflows to 0.0)."""
    import argparse

    try:
        fraction = float(value)
    except ValueError:
        fraction = None
    if fraction is None or not 0 < fraction < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction in (0, 1), e.g. 0.2, got {value!r}")
    return fraction


def seed_arg(value: str) -> int:
    """argparse type of every seed option (--seed, --split-seed, --subset-seed): an int in [0, 2**32 - 1] (numpy's and torch's generators take those)."""
    import argparse

    try:
        seed = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an int in [0, {MAX_SEED:,}], got {value!r}") from None
    if not 0 <= seed <= MAX_SEED:
        raise argparse.ArgumentTypeError(f"expected an int in [0, {MAX_SEED:,}], got {seed:,}")
    return seed
