"""Method specs of an evaluate run: ``ig:steps=250``, ``ig:steps=10N``, ``sig:mode=closed`` parsed into a
`MethodSpec`, every setting checked against the method before any work."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import FaithlensError, unknown_choice
from ..methods import METHODS, get_method


DEFAULT_METHODS = ("grad_x_input", "deeplift", "gradient_shap", "ig", "dig", "sig")


SPEC_KEYS = {"steps": int, "mode": str, "unit": str, "rule": str, "n_samples": int, "tolerance": float, "noise": "noise"}
# Methods with one path (or one forward) per token: those that read `unit` (sig, occlusion).
PER_UNIT = tuple(name for name, m in METHODS.items() if "unit" in m.reads)


@dataclass(frozen=True)
class MethodSpec:
    label: str  # as written by the user, e.g. "ig:steps=250"
    method: str
    options: dict = field(default_factory=dict)
    steps_per_token: int | None = None  # "steps=10N"

    @property
    def takes_shared_steps(self) -> bool:
        """Whether evaluate's shared ``steps`` (``--steps``) reaches this method: a path method (sig, ig, dig)
        with no steps of its own in the spec, and not SIG's closed form (which has no quadrature)."""
        return (self.steps_per_token is None and "steps" not in self.options and _uses_steps(self.method)
                and self.options.get("mode") != "closed")

    def explain_kwargs(self, default_steps: int | None, n_tokens: int) -> dict:
        kwargs = dict(self.options)
        if self.steps_per_token is not None:
            kwargs["steps"] = max(1, self.steps_per_token * n_tokens)
        elif default_steps is not None and self.takes_shared_steps:
            kwargs["steps"] = default_steps
        return kwargs


def _uses_steps(method: str) -> bool:
    return get_method(method).default_steps is not None


def parse_method(spec: str) -> MethodSpec:
    """``name`` or ``name:key=value,key=value``; keys: steps (int, kN, or auto for sig and ig), mode, unit, rule, n_samples, tolerance,
    noise (SmoothGrad's σ as a fraction of the embedding range, in (0, 1]). A bare SIG mode is ``mode=`` it:
    ``sig:closed`` is ``sig:mode=closed`` (and ``ig:reverse`` is refused as a mode given to IG).

    Every setting is checked here, before any work: it must apply to the method (``mode`` to SIG,
    ``unit`` to SIG and occlusion, ``rule`` and ``tolerance`` to SIG and IG, ``steps`` to path
    methods, ``n_samples`` to sampling methods) and its value must be valid."""
    if not isinstance(spec, str):
        raise FaithlensError(f"A method spec is a str such as 'ig' or 'ig:steps=20'. Got {type(spec).__name__} "
                             f"{spec!r:.60}. Pass one spec at a time (parse_methods takes a list of them).")
    name, colon, rest = spec.partition(":")
    method = get_method(name)  # unknown names list the valid ones
    if colon and not all(item.strip() for item in rest.split(",")):
        raise FaithlensError(f"Method spec {spec!r} has an empty setting after ':' or between commas. Write {name} "
                             f"alone, or {name}:key=value,key=value, e.g. ig:steps=250.")
    options: dict = {}
    per_token = None
    from ..methods.sig import MODES

    for item in filter(None, rest.split(",")):
        key, eq, value = item.partition("=") if "=" in item or item not in MODES else ("mode", "=", item)
        if eq and key not in SPEC_KEYS:  # a key=value whose key is unknown: name the key, and the likely one
            import difflib

            near = {"samples": "n_samples", "n-samples": "n_samples"}.get(key.strip()) or next(
                iter(difflib.get_close_matches(key.strip(), list(SPEC_KEYS), n=1)), None)
            raise FaithlensError(f"Method setting {item!r} in {spec!r} has the unknown key {key!r}"
                                 + (f" (did you mean {name}:{near}={value}?)" if near else "")
                                 + f"; a spec's keys are {', '.join(SPEC_KEYS)}. Example: ig:steps=250 or "
                                 "smoothgrad:n_samples=20.")
        if not eq:
            raise FaithlensError(f"Method setting {item!r} in {spec!r} is not key=value with key one of "
                                 f"{', '.join(SPEC_KEYS)}. Example: ig:steps=250 or sig:mode=closed (sig:closed).")
        if key in options or (key == "steps" and per_token is not None):
            raise FaithlensError(f"Method setting {key!r} is given twice in {spec!r}. Give it once.")
        if key == "steps" and value == "auto":  # as many nodes as a certified tolerance needs: sig and ig only
            if name not in ("sig", "ig"):
                fix = f"give a number, e.g. {name}:steps=20" if _uses_steps(name) else "drop it"
                raise FaithlensError(f"Method setting 'steps=auto' in {spec!r} asks for as many quadrature nodes as a "
                                     f"certified tolerance needs; only sig and ig have such a quadrature, {name} has "
                                     f"none: {fix}.")
            options[key] = value
            continue
        if key == "steps" and value[-1:] in ("n", "N") and value[:-1].isdigit() | (len(value) == 1):  # kN: k per token
            per_token = _positive_int(value[:-1] or "1", spec, shown=value)
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
    from ..options import check_noise

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
        raise FaithlensError(f"Expected a number in (0, 1) in method spec {spec!r}. Got {value!r}. Example: sig:tolerance=1e-3.")
    from ..options import check_tolerance_value  # the one tolerance rule: 0 can never be met

    try:
        return check_tolerance_value(number)
    except FaithlensError as exc:  # said in a spec's own words: a spec has no --tolerance option beside it
        said = re.sub(r"The 'tolerance' parameter( \((CLI )?--tolerance\))?", "its value", str(exc)).replace(
            "(mode='closed', the default without --steps or --tolerance)", "(sig:closed)")
        raise FaithlensError(f"In method spec {spec!r}: {said}") from None


def _check_options(method, options: dict, per_token: bool, spec: str) -> None:
    """The settings of one method spec apply to its method and hold valid values."""
    from ..methods.sig import MODES
    from ..quadrature import RULES

    for key in list(options) + (["steps"] if per_token else []):
        if key not in method.reads:  # the method's own declaration (`Method.reads`)
            users = ", ".join(name for name, m in METHODS.items() if key in m.reads)
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


def _positive_int(value: str, spec: str, *, shown: str | None = None) -> int:
    if not value.isdigit() or int(value) < 1:
        raise FaithlensError(f"Expected a positive int in method spec {spec!r}. Got {shown or value!r}.")
    return int(value)


def check_shared_steps(specs: Sequence[MethodSpec], steps: object) -> None:
    """evaluate's shared ``steps`` must reach at least one method spec, as explain refuses a setting that no
    chosen method reads (``--steps`` with occlusion alone, or with ``ig:steps=250``, which has its own).

    Raises FaithlensError naming the setting, the methods and those it would apply to."""
    from ..options import sig_closed

    for s in specs:  # a rule alone leaves SIG's closed form (no quadrature) as it is: refused, as explain refuses it
        given = dict(s.options, steps=steps if s.takes_shared_steps else s.options.get("steps"))
        if s.method == "sig" and "rule" in s.options and s.steps_per_token is None and sig_closed(given) == "default":
            raise FaithlensError(f"In method spec {s.label!r}: rule={s.options['rule']!r} does nothing for SIG's "
                                 "default closed form (exact, no quadrature). Drop it, or integrate SIG's path with it: "
                                 f"give the spec a steps or tolerance setting, e.g. {s.label},steps=50 or "
                                 f"{s.label},tolerance=0.001.")
    _check_distinct(specs, steps)
    if steps is None or any(s.takes_shared_steps for s in specs):
        return
    users = ", ".join(name for name, m in METHODS.items() if m.default_steps is not None)
    own = [s.label for s in specs if _uses_steps(s.method) and s.options.get("mode") != "closed"]
    closed = [s.label for s in specs if s.options.get("mode") == "closed"]
    why = "".join(f"; {', '.join(labels)} {what}" for labels, what in (
        (own, "gives its own steps" if len(own) == 1 else "give their own steps"),
        (closed, "has no quadrature (closed form)" if len(closed) == 1 else "have no quadrature (closed form)"))
        if labels)
    raise FaithlensError(f"steps={steps!r} does nothing for {', '.join(s.label for s in specs)}{why}. It sets the "
                         f"steps of {users} when their spec gives none. Drop it, or add a method it applies to (e.g. ig).")


def parse_methods(methods: Sequence[str]) -> list[MethodSpec]:
    """Every spec parsed and checked; a spec listed twice, or a set of specs (no order), is refused."""
    from ..options import ordered_methods

    if isinstance(methods, str) or not ordered_methods(methods):
        raise FaithlensError(f"The 'methods' parameter must be a non-empty list of method specs. Got {methods!r}.")
    specs = [parse_method(m) for m in methods]
    if len({s.label for s in specs}) != len(specs):
        raise FaithlensError(f"A method is listed twice in {list(methods)}. List each once.")
    return specs


def _check_distinct(specs: Sequence[MethodSpec], steps: object) -> None:
    """Two specs that run the same computation under evaluate's ``steps`` (``ig:steps=50`` beside ``ig``, whose default
    is 50; ``sig:closed`` beside ``sig``, whose default is the closed form) would give two identical rows, read as a
    tie: refused, naming both. A setting at its default counts as not given."""
    from ..options import DEFAULTS, sig_closed

    seen: dict[tuple, str] = {}
    for s in specs:
        run = dict(s.explain_kwargs(steps, 1), **({"steps": f"{s.steps_per_token}N"} if s.steps_per_token else {}))
        if s.method == "sig" and sig_closed(run):  # the closed form: no quadrature settings
            run = {k: v for k, v in run.items() if k not in ("mode", "rule")}
        elif s.method != "sig" and run.get("steps", 0) == get_method(s.method).default_steps and not run.get("tolerance"):
            run.pop("steps")  # IG's (DIG's) own default steps; SIG's steps ask for its path, never the closed form
        key = (s.method, *sorted((k, str(v)) for k, v in run.items() if v != DEFAULTS.get(k, object())))
        if key in seen:
            raise FaithlensError(f"The method specs {seen[key]!r} and {s.label!r} run the same computation (a setting "
                                 "at its default counts as not given), so their rows would be identical. List one of them.")
        seen[key] = s.label


def in_spec_words(message: str, method: str) -> str:
    """A refusal's sample count as a method spec gives it (``lime:n_samples=200 in --methods``), for the commands that
    read method specs (evaluate, facade saliency), which have no --samples option as explain has."""
    import re

    return re.sub(r"n_samples=(\d+)( or more)? \(CLI --samples \1(; [^)]*)?\)", rf"{method}:n_samples=\1\2 in --methods",
                  message)
