"""The method registry: a plain dict from name to `Method`."""

from __future__ import annotations

from ..errors import FaithlensError, unknown_choice
from .base import Method, MethodOutput, Options
from .captum_methods import deeplift, gradient_shap
from .gradients import grad_x_input, saliency, smoothgrad
from .ig import ig, path_profile as ig_path_profile
from .occlusion import occlusion
from .perturbation import (DEFAULT_KERNEL_SAMPLES, DEFAULT_LIME_SAMPLES, DEFAULT_PERMUTATIONS, kernel_shap, lime,
                           partition, shapley)
from .random_words import random_words
from .sig import sig

METHODS: dict[str, Method] = {
    m.name: m
    for m in [
        Method("sig", sig, "Sequential Integrated Gradients: each word moves alone from the baseline (headline)", default_steps=50,
               reads=frozenset({"steps", "rule", "unit", "mode", "tolerance"})),
        Method("ig", ig, "Integrated Gradients: all words move together from the baseline", default_steps=50,
               completeness=True, reads=frozenset({"steps", "rule", "tolerance"}), path_profile=ig_path_profile),
        Method("grad_x_input", grad_x_input, "Gradient × Input at the input", baseline=False),
        Method("saliency", saliency, "L2 norm of the gradient per token (unsigned)", signed=False,
               baseline=False),
        Method("smoothgrad", smoothgrad, "Gradient averaged over noisy copies, times the input", default_samples=10, random=True,
               reads=frozenset({"n_samples", "noise", "seed"}), baseline=False),
        Method("deeplift", deeplift, "DeepLift rescale rule against the baseline (Captum)", completeness=True),
        Method("gradient_shap", gradient_shap, "GradientShap with baselines {baseline, input} (Captum)", default_samples=5, random=True,
               completeness=True, reads=frozenset({"n_samples", "seed"})),
        Method("occlusion", occlusion, "Leave-one-out: score drop when the word is replaced by the baseline",
               reads=frozenset({"unit"}), gradients=False),
        Method("shapley", shapley, "Shapley value sampling over words: mean marginal gain over random orders",
               default_samples=DEFAULT_PERMUTATIONS, random=True, completeness=True, reads=frozenset({"n_samples", "seed"}),
               gradients=False),
        Method("kernel_shap", kernel_shap, "KernelSHAP over words: Shapley-kernel weighted regression on sampled coalitions",
               default_samples=DEFAULT_KERNEL_SAMPLES, random=True, completeness=True,
               reads=frozenset({"n_samples", "seed"}), gradients=False),
        Method("lime", lime, "LIME over words: locally weighted ridge regression on sampled coalitions",
               default_samples=DEFAULT_LIME_SAMPLES, random=True, completeness=True, reads=frozenset({"n_samples", "seed"}),
               gradients=False),
        Method("partition", partition, "Owen values over a binary tree of contiguous word groups (exact, no sampling)",
               completeness=True, gradients=False),
        Method("random", random_words, "A seeded random ordering of the words: the baseline faithfulness must beat",
               signed=False, reads=frozenset({"seed"}), baseline=False, gradients=False),
    ]
}


def register(method: Method) -> None:
    """Add a method to the registry (used by extensions such as DIG)."""
    METHODS[method.name] = method


def get_method(name: str) -> Method:
    if isinstance(name, str) and ":" in name and name.partition(":")[0] in METHODS:
        base, _, options = name.partition(":")
        raise FaithlensError(f"{name!r} is a method spec, which the command line (--method) and evaluate (methods=[...]) "
                             f"read; Python's explain takes the method's name and its settings as keywords: "
                             f"method={base!r}, {_keywords(options)}.")
    if name not in METHODS:
        raise unknown_choice("method", name, METHODS)
    return METHODS[name]


def _keywords(options: str) -> str:
    """A method spec's settings as Python keywords: ``closed`` → ``mode='closed'`` (a SIG mode alone), numbers as
    numbers, words quoted; ``steps=10N`` (steps per token) is evaluate's only, and said so."""
    out = []
    for key, eq, value in (o.strip().partition("=") for o in options.split(",")):
        key, value = key.strip(), value.strip()
        if not eq:  # sig:closed, sig:reverse: a mode
            key, value = "mode", key
        if value[:-1].isdigit() and value[-1:] in "Nn":
            out.append(f"{key}=... ({value}: steps per token are read by evaluate only; give a number, e.g. {key}=50)")
            continue
        try:
            shown = repr(int(value))
        except ValueError:
            try:
                shown = repr(float(value))
            except ValueError:
                shown = repr(value)
        out.append(f"{key}={shown}")
    return ", ".join(out)


__all__ = ["METHODS", "Method", "MethodOutput", "Options", "get_method", "register"]

# DIG lives in its own file; registered here so it is always available.
from .dig import make_dig  # noqa: E402

register(Method("dig", make_dig("greedy"), "Discretized IG: paths through nearby vocabulary words (GREEDY anchors)", default_steps=30,
                completeness=True, reads=frozenset({"steps"})))
register(Method("dig_maxcount", make_dig("maxcount"), "Discretized IG with MAXCOUNT anchors", default_steps=30,
                completeness=True, reads=frozenset({"steps"})))
