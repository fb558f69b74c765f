"""Sanity checks for explanations: cascading model-parameter randomisation (Adebayo et al. 2018,
"Sanity Checks for Saliency Maps", NeurIPS, §3.1).

On a copy of the model, re-initialise the classifier head, then the encoder layers one at a time
from the top down (cumulative), each with a seeded draw from the model's own initialiser
(``PreTrainedModel._init_weights``). After every step, explain the same texts for the same target
(the original model's predicted class, answer span or continuation) and compare with the original
explanations: per text the Spearman correlation over attributed tokens of the signed scores and of
their absolute values, averaged over texts. An explanation that reflects the model decorrelates
as its weights are destroyed; one still highly correlated at full randomisation
(``spearman_abs`` ≥ INSENSITIVE at the last level) is flagged "insensitive to the model".
Word embeddings are kept: the inputs stay the same vectors.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import replace

import torch

from ..errors import FaithlensError
from ..model import ClassifierModel

INSENSITIVE = 0.5  # mean Spearman of |a| at full randomisation above this: the method ignores the model
DEFAULT_METHODS = ("saliency", "grad_x_input", "ig", "sig")
LAYER_LISTS = ("layer", "layers", "h", "block", "blocks")


def cascade(model: ClassifierModel) -> list[tuple[str, list[torch.nn.Module]]]:
    """The randomisation steps: ("head", modules outside the base model), then ("layer k", [layer k]) top down.

    Raises FaithlensError when the model has no recognisable layer list (an ``nn.ModuleList`` named
    layer/layers/h/block inside its base model)."""
    net = model.model
    base = getattr(net, "base_model", net)
    inside = {id(m) for m in base.modules()}
    head = [m for name, m in net.named_children() if id(m) not in inside and any(True for _ in m.parameters())]
    lists = [(name, m) for name, m in base.named_modules()
             if isinstance(m, torch.nn.ModuleList) and name.split(".")[-1] in LAYER_LISTS]
    if not lists:
        raise FaithlensError(f"Cannot find the layers of {model.name!r} for the randomisation test: no nn.ModuleList "
                             f"named {', '.join(LAYER_LISTS)} in its base model. It works on transformers encoders "
                             "and decoders (BERT, RoBERTa, DistilBERT, GPT-2, Llama).")
    layers = max(lists, key=lambda nm: len(nm[1]))[1]
    steps = [("head", head)] if head else []
    return steps + [(f"layer {k}", [layers[k]]) for k in reversed(range(len(layers)))]


def _reinitialise(net: torch.nn.Module, modules: Sequence[torch.nn.Module], seed: int) -> None:
    init = getattr(net, "_init_weights", None)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for module in modules:
            for sub in module.modules():
                if init is not None:
                    init(sub)
                elif hasattr(sub, "reset_parameters"):
                    sub.reset_parameters()
            for p in module.parameters():  # anything the initialiser left alone (e.g. custom parameters)
                if p.dim() > 1 and init is None and not hasattr(module, "reset_parameters"):
                    torch.nn.init.normal_(p, std=0.02)


def _targets(original: Sequence) -> list:
    """The explained target of each original explanation, in the form `explain(target=...)` takes."""
    out = []
    for e in original:
        t = e.target
        if "index" in t:  # classifiers
            out.append(int(t["index"]))
        elif "start" in t:  # QA: the answer's characters in the context
            out.append((int(t["start"]), int(t["end"])))
        elif "token_ids" in t:  # causal LMs: the continuation text
            out.append(t["label"])
        else:
            out.append(None)
    return out


def _correlations(a: Sequence, b: Sequence) -> tuple[float, float]:
    from ..stats import spearman

    signed, absolute = [], []
    for x, y in zip(a, b):
        keep = [i for i, s in enumerate(x.special) if not s]
        xs, ys = [x.token_scores[i] for i in keep], [y.token_scores[i] for i in keep]
        for out, f in ((signed, float), (absolute, abs)):
            rho = spearman([f(v) for v in xs], [f(v) for v in ys])
            if rho is not None:
                out.append(rho)
    mean = lambda v: sum(v) / len(v) if v else float("nan")  # noqa: E731
    return mean(signed), mean(absolute)


def sanity_check(model: ClassifierModel, texts: Sequence, *, methods: Sequence[str] = DEFAULT_METHODS,
                 seed: int = 0, steps: int | None = 10, progress: bool = False) -> dict:
    """Cascading randomisation: ``{method: {"levels", "spearman", "spearman_abs", "insensitive"}}``.

    ``levels`` starts with "original" (correlation 1 by definition) followed by the cumulative
    steps of `cascade`. ``steps``: IG / DIG path steps (SIG is its exact closed form)."""
    from ..explainer import Explainer
    from ..options import applicable, ordered_methods

    methods = ordered_methods(methods)
    methods = [methods] if isinstance(methods, str) else methods  # a str is one method, as compare reads it
    texts = list(texts)
    if len(texts) == 0:
        raise FaithlensError("The sanity check needs at least one text. Pass texts (e.g. --limit 20).")
    def settings(m: str) -> dict:  # IG/DIG take the steps; SIG keeps its exact closed form
        return applicable(m, {"steps": steps if m in ("ig", "dig", "dig_maxcount") else None, "seed": seed,
                              "progress": False})

    original_ex = Explainer(model)
    original = {m: original_ex.explain(texts, m, **settings(m)) for m in methods}
    work = replace(model, model=copy.deepcopy(model.model), name=f"{model.name} (randomised)")
    randomised = Explainer(work)
    levels = ["original"]
    result = {m: {"levels": levels, "spearman": [1.0], "spearman_abs": [1.0]} for m in methods}
    for k, (label, modules) in enumerate(cascade(work)):
        _reinitialise(work.model, modules, seed + k)
        levels.append(label)
        for m in methods:
            target = _targets(original[m])
            now = randomised.explain(texts, m, target=target, **settings(m))
            rho, rho_abs = _correlations(original[m], now)
            result[m]["spearman"].append(rho)
            result[m]["spearman_abs"].append(rho_abs)
        if progress:
            import sys

            print(f"faithlens sanity: randomised {label}", file=sys.stderr, flush=True)
    for m in methods:
        last = result[m]["spearman_abs"][-1]
        result[m]["insensitive"] = bool(not math.isnan(last) and last >= INSENSITIVE)
    return result


def sanity_markdown(result: dict) -> str:
    """One table: methods × levels, signed / absolute Spearman, and the flag."""
    methods = list(result)
    levels = result[methods[0]]["levels"]
    lines = ["## Sanity check: cascading model-parameter randomisation (Adebayo et al. 2018)", "",
             "Mean Spearman ρ between the original model's attributions and those after re-initialising the head, then "
             "each layer top down (cumulative); signed / |a|. An explanation of the model should decorrelate; "
             f"|a| ρ ≥ {INSENSITIVE:g} at full randomisation is flagged.", "",
             "| method | " + " | ".join(levels) + " | verdict |", "|---|" + "---|" * (len(levels) + 1)]
    for m in methods:
        r = result[m]
        cells = [f"{_f(a)} / {_f(b)}" for a, b in zip(r["spearman"], r["spearman_abs"])]
        verdict = "**insensitive to the model**" if r["insensitive"] else "passes"
        lines.append(f"| {m} | " + " | ".join(cells) + f" | {verdict} |")
    return "\n".join(lines) + "\n"


def _f(x: float) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.2f}"


def sanity_plot(result: dict, path) -> list:
    """Spearman (|a|, solid; signed, dashed) against randomisation level per method: SVG and PNG at `path` (no suffix)."""
    from pathlib import Path

    from ..views import plots

    if not plots.available():
        return []
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.6))
    for m, r in result.items():
        line, = ax.plot(range(len(r["levels"])), r["spearman_abs"], marker="o", label=f"{m} |a|")
        ax.plot(range(len(r["levels"])), r["spearman"], linestyle="--", color=line.get_color(), alpha=0.6)
    levels = next(iter(result.values()))["levels"]
    ax.set_xticks(range(len(levels)), levels, rotation=30, ha="right")
    ax.axhline(INSENSITIVE, color="grey", linewidth=0.8, linestyle=":")
    ax.set_ylabel("Spearman ρ with the original")
    ax.set_ylim(-1.05, 1.05)
    ax.set_title("cascading randomisation (solid |a|, dashed signed)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    out = []
    for suffix in (".svg", ".png"):
        target = Path(str(path) + suffix)
        fig.savefig(target)
        out.append(target)
    plt.close(fig)
    return out
