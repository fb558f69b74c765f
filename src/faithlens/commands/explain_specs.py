"""explain's method specs (``--method sig:closed ig:steps=5``): each becomes its method and explain's own options."""

from __future__ import annotations

import argparse

from ..errors import FaithlensError

SPEC_OPTIONS = {"steps": "steps", "mode": "mode", "unit": "unit", "rule": "rule", "n_samples": "samples",
                "tolerance": "tolerance", "noise": "noise"}  # a method spec's key -> explain's option (args attribute)


def apply_method_specs(args: argparse.Namespace) -> None:
    """A method spec after --method (``sig:closed``, ``ig:steps=5``) is read by evaluate's parser
    (`faithlens.evaluate.parse_method`) and becomes the method and explain's own options: ``sig:closed`` is
    ``--method sig --mode closed``. explain's options are shared by its methods, so a setting that another chosen
    method also reads, or that an option already gives, is refused, naming the option to pass instead."""
    specs = [w for w in args.method if ":" in w]
    if not specs:
        return
    from ..evaluate.specs import parse_method
    from ..options import method_reads

    names = [w.partition(":")[0] for w in args.method]
    twice = next((n for n in names if names.count(n) > 1), None)
    if twice:  # before its settings are read: the second spec's would be blamed on an option never typed
        given = ", ".join(w for w in args.method if w.partition(":")[0] == twice)
        raise FaithlensError(f"The methods name {twice} more than once ({given}); explain shows each method once, with "
                             f"one setting of each option. Run explain once per setting, or compare settings with "
                             f"faithlens evaluate, whose method specs set one method each (--methods {given.replace(',', '')}).")
    parsed = [parse_method(word) for word in specs]
    closed = args.mode == "closed" or any(p.method == "sig" and p.options.get("mode") == "closed" for p in parsed)
    mode = {"mode": "closed"} if closed else {}  # `sig --mode closed` runs no path: it reads no steps, rule, tolerance
    for word, spec in zip(specs, parsed):
        if spec.steps_per_token is not None:
            raise FaithlensError(f"Method spec {word!r}: steps per token (kN) are read by evaluate only. Give explain a "
                                 f"number of steps: --method {spec.method} --steps 50.")
        for key, value in spec.options.items():
            option = "--" + SPEC_OPTIONS[key].replace("_", "-")
            shown = f"{option} {value}"
            others = [n for n in names if n != spec.method and key in method_reads(n, mode, closed_too=not closed)]
            if others:
                raise FaithlensError(f"{word!r} sets {key}={value} for {spec.method} only, but explain's options are "
                                     f"shared by its methods and {', '.join(others)} read{'s' * (len(others) == 1)} "
                                     f"{key} too. Pass {shown} for all of them, explain {spec.method} on its own, or "
                                     f"use evaluate, whose method specs set one method each.")
            given = getattr(args, SPEC_OPTIONS[key])
            if given is not None and given != value:
                raise FaithlensError(f"{word!r} sets {key}={value} and {option} {given} is given too. Give one.")
            setattr(args, SPEC_OPTIONS[key], value)
    args.method = names
