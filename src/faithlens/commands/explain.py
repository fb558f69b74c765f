"""`faithlens explain TEXT...`: explain texts with one or more methods; terminal, JSON lines or HTML."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import FaithlensError

DTYPES = ("float32", "float64")


def register(sub) -> None:
    from ..names import BASELINES, DEFAULT_TOLERANCE, METHODS, RULES, SCORES

    p = sub.add_parser("explain", help="explain texts word by word",
                       description="Explain a classifier's prediction word by word. Texts come from the arguments, "
                                   "--file (one per line), or standard input ('-').")
    p.add_argument("texts", nargs="*", metavar="TEXT", help="texts to explain; '-' reads lines from standard input")
    p.add_argument("--file", type=Path, help="read texts from a file, one per line")
    p.add_argument("--model", default=None, help="hub id or local folder (default: the bundled MiniLM sentiment model)")
    p.add_argument("--method", nargs="+", default=["sig"], metavar="NAME",
                   help=f"one or more of: {', '.join(METHODS)} (default: sig)")
    p.add_argument("--steps", type=_steps, default=None,
                   help="path steps for sig/ig/dig (default 50), or 'auto': as many as --tolerance needs "
                        f"(sig, ig; default tolerance {DEFAULT_TOLERANCE:g})")
    p.add_argument("--tolerance", type=float, default=None, metavar="TAU",
                   help="sig (reverse/forward) and ig: refine each path with a nested rule until its score is within "
                        "TAU of the exact value (relative; SIG: of the closed-form scores' norm, IG: of F(w) - F(w̄)); "
                        "--steps then caps the nodes per path")
    p.add_argument("--rule", default="gausslegendre", help=f"quadrature: {', '.join(RULES)}")
    p.add_argument("--baseline", default="mask", help=f"one of {', '.join(BASELINES)} (default mask)")
    p.add_argument("--baseline-token", default=None, help="use this vocabulary token as the baseline")
    p.add_argument("--unit", default="token", help="token or word: what moves along one SIG path")
    p.add_argument("--mode", default="auto", help="SIG computation: reverse, forward, closed, or auto (default: the "
                        "faster of forward and reverse at the text's length; reverse when attributions are asked for)")
    p.add_argument("--score", default="logit", help=f"the explained function: {', '.join(SCORES)}")
    p.add_argument("--target", default=None, help="class index or label name (default: the predicted class)")
    p.add_argument("--samples", type=int, default=None, help="samples for smoothgrad / gradient_shap")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--batch-size", type=int, default=16, help="texts per batch")
    p.add_argument("--dtype", default="float32", help="float32 or float64")
    p.add_argument("--truncate", action="store_true", help="truncate texts longer than the model's limit")
    p.add_argument("--json", action="store_true", help="print one JSON object per line, for each text and method")
    p.add_argument("--html", type=Path, default=None, metavar="FILE", help="also write a self-contained HTML page")
    p.set_defaults(run=run)


def _steps(value: str) -> int | str:
    """--steps: a positive int or 'auto'."""
    if value == "auto":
        return value
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive int or 'auto', got {value!r}") from None


def _for_method(method: str, settings: dict) -> dict:
    """--steps auto and --tolerance apply to the methods with error-controlled steps; the others keep their own steps."""
    from ..names import ADAPTIVE_METHODS

    if method in ADAPTIVE_METHODS and not (method == "sig" and settings["mode"] == "closed"):
        return settings
    return dict(settings, tolerance=None, steps=None if settings["steps"] == "auto" else settings["steps"])


def read_texts(args: argparse.Namespace) -> list[str]:
    texts = [t for t in args.texts if t != "-"]
    if args.file is not None:
        if not args.file.exists():
            raise FaithlensError(f"--file {args.file} does not exist. Pass a text file with one text per line.")
        try:
            texts += [line.rstrip("\n") for line in args.file.read_text(encoding="utf-8").splitlines() if line.strip()]
        except UnicodeDecodeError as exc:
            raise FaithlensError(f"--file {args.file} is not UTF-8 text ({exc}). Save it as UTF-8, one text per line.") from exc
    if "-" in args.texts or (not texts and args.file is None and not sys.stdin.isatty()):
        texts += [line.rstrip("\n") for line in sys.stdin if line.strip()]
    if not texts:
        raise FaithlensError('No text to explain. Pass a text, e.g. faithlens explain "a gripping, funny film", '
                             "or --file FILE, or pipe lines into standard input.")
    return texts


def run(args: argparse.Namespace) -> int:
    import torch

    from ..errors import unknown_choice
    from ..explainer import Explainer
    from ..methods import get_method
    from ..views import render_terminal, write_html

    texts = read_texts(args)
    for m in args.method:
        get_method(m)
    if args.dtype not in DTYPES:
        raise unknown_choice("dtype", args.dtype, DTYPES)
    target = args.target
    if target is not None and target.lstrip("-").isdigit():
        target = int(target)
    explainer = Explainer(args.model, dtype=getattr(torch, args.dtype))
    settings = dict(steps=args.steps, rule=args.rule, baseline=args.baseline, baseline_token=args.baseline_token,
                    unit=args.unit, mode=args.mode, score=args.score, target=target, n_samples=args.samples,
                    seed=args.seed, batch_size=args.batch_size, truncate=args.truncate, tolerance=args.tolerance)
    by_method = {m: explainer.explain(texts, m, **_for_method(m, settings)) for m in args.method}
    groups = [[by_method[m][i] for m in args.method] for i in range(len(texts))]
    for group in groups:
        if args.json:
            for e in group:
                print(e.to_json(), flush=True)
        else:
            print(render_terminal(group))
            print()
    if args.html is not None:
        path = write_html(args.html, groups)
        print(f"wrote {path}", file=sys.stderr)
    return 0
