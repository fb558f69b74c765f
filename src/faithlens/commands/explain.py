"""`faithlens explain TEXT...`: explain texts with one or more methods; terminal, JSON lines or HTML."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import FaithlensError

DTYPES = ("float32", "float64")


def register(sub) -> None:
    from ..names import (BASELINES, DEFAULT_METHODS, DEFAULT_MODE, DEFAULT_TOLERANCE, DEFAULT_UNIT, DEFAULT_WARN_ABOVE,
                         METHODS, RULES, SCORES)

    p = sub.add_parser("explain", help="explain texts word by word",
                       description="Explain a model's prediction word by word: a classifier's class (single texts or "
                                   "pairs such as premise and hypothesis), a QA model's answer (--pair QUESTION CONTEXT) "
                                   "or a causal LM's next tokens (--target-text). Texts come from the arguments, --pair, "
                                   "--file (one per line; a tab separates the two texts of a pair), or standard input ('-').")
    p.add_argument("texts", nargs="*", metavar="TEXT", help="texts to explain; '-' reads lines from standard input")
    p.add_argument("--pair", nargs=2, action="append", default=[], metavar=("TEXT_A", "TEXT_B"),
                   help="a text pair encoded as the tokenizer encodes pairs: premise and hypothesis, or a QA model's "
                        "question and context (repeatable)")
    p.add_argument("--file", type=Path, help="read texts from a file, one per line (TEXT_A<tab>TEXT_B for pairs)")
    p.add_argument("--model", default=None, help="hub id or local folder (default: the bundled MiniLM sentiment model)")
    p.add_argument("--method", nargs="+", default=list(DEFAULT_METHODS), metavar="NAME",
                   help=f"one or more of: {', '.join(METHODS)} (default: {' '.join(DEFAULT_METHODS)}: the exact SIG "
                        "scores beside a path method and a single-point gradient, as the web app shows them)")
    p.add_argument("--steps", type=_steps, default=None,
                   help="path steps for ig/dig (default 50 for ig, 30 for dig: the papers' settings), or for sig, which "
                        "then integrates its path instead of computing the exact closed form; or 'auto': as many as "
                        f"--tolerance needs (sig, ig; default tolerance {DEFAULT_TOLERANCE:g})")
    p.add_argument("--tolerance", type=float, default=None, metavar="TAU",
                   help="sig (reverse/forward) and ig: refine each path with a nested rule until its score is within "
                        "TAU of the exact value (relative; SIG: of the closed-form scores' norm, IG: of F(w) - F(w̄)); "
                        "--steps then caps the nodes per path")
    p.add_argument("--rule", default="gausslegendre", help=f"quadrature: {', '.join(RULES)}")
    p.add_argument("--baseline", default=None, help=f"one of {', '.join(BASELINES)} (default: mask, what a masked-LM encoder learned means 'a word is missing'; causal LMs: pad, "
                                                     "else eos, else unk)")
    p.add_argument("--baseline-token", default=None, help="use this vocabulary token as the baseline")
    p.add_argument("--unit", default=DEFAULT_UNIT,
                   help=f"token or word: what moves along one SIG path (sig, occlusion; default: {DEFAULT_UNIT}, so that a "
                        "word's score is exactly F(w) - F(w with the word at the baseline))")
    p.add_argument("--mode", default=DEFAULT_MODE,
                   help=f"SIG computation: closed, reverse, forward, or auto (default: {DEFAULT_MODE}: the exact closed form "
                        "F(w) - F(w with the word at the baseline), N+1 forward passes; with --steps or --tolerance the "
                        "faster of forward and reverse at the text's length integrates the path, as the SIG paper did "
                        "(--steps 50 reproduces it))")
    p.add_argument("--score", default=None, help=f"the explained function: {', '.join(SCORES)} (default: logit; "
                                                  "log_prob for causal LMs)")
    p.add_argument("--target", default=None, help="class index or label name (default: the predicted class)")
    p.add_argument("--answer", default=None, metavar="TEXT",
                   help="QA models: explain this answer (a substring of the context) instead of the predicted one")
    p.add_argument("--target-text", default=None, metavar="TEXT",
                   help="causal LMs: explain log p(TEXT | prompt), e.g. ' Paris' (mind the leading space)")
    p.add_argument("--max-new-tokens", type=int, default=1, metavar="N",
                   help="causal LMs without --target-text: greedily generate N tokens and explain them (default 1)")
    p.add_argument("--per-token", action="store_true",
                   help="causal LMs: also attribute each continuation token alone (prompt × generated matrix)")
    p.add_argument("--samples", type=int, default=None,
                   help="samples for smoothgrad / gradient_shap (default: 10 / 5, the papers' settings)")
    p.add_argument("--warn-above", type=float, default=DEFAULT_WARN_ABOVE, metavar="FRACTION",
                   help="warn when an explanation's measured relative error (quadrature, completeness gap or sampling "
                        f"error) exceeds this (default: {DEFAULT_WARN_ABOVE:g}, i.e. 1 %%)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of the random methods (smoothgrad, gradient_shap; default: 0, so reruns give the same numbers)")
    p.add_argument("--no-faithfulness", dest="faithfulness", action="store_false",
                   help="skip each explanation's faithfulness check (default: on; Comp, Suff and log-odds at top-20%% of "
                        "tokens, and the same for --random seeded random orderings of its words; JSON key "
                        "\"faithfulness\"; 4·(1+R) batched forward passes per text)")
    p.add_argument("--random", type=int, default=20, metavar="R", dest="n_random",
                   help="random word orderings each explanation is compared with (default: 20)")
    p.add_argument("--batch-size", type=int, default=16, help="texts per batch (default: 16; results do not depend on it)")
    p.add_argument("--dtype", default="float32",
                   help="float32 or float64 (default: float32, the model's own; float64 for checking exactness)")
    p.add_argument("--truncate", action="store_true", help="truncate texts longer than the model's limit")
    p.add_argument("--scores", action="store_true",
                   help="show one line per word with its score and a bar (default: the text, each word coloured and "
                        "followed by its score)")
    p.add_argument("--json", action="store_true", help="print one JSON object per line, for each text and method")
    p.add_argument("--html", type=Path, default=None, metavar="FILE", help="also write a self-contained HTML page")
    p.add_argument("--device-map", default=None, metavar="MAP",
                   help="auto, balanced or sequential: spread a model too large for one GPU over the GPUs "
                        "(accelerate's big-model loading)")
    p.set_defaults(run=run)


def _steps(value: str) -> int | str:
    """--steps: a positive int or 'auto'."""
    if value == "auto":
        return value
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive int or 'auto', got {value!r}") from None


def read_texts(args: argparse.Namespace) -> list:
    texts: list = [tuple(p) for p in args.pair] + [t for t in args.texts if t != "-"]
    if args.file is not None:
        if not args.file.exists():
            raise FaithlensError(f"--file {args.file} does not exist. Pass a text file with one text per line.")
        if not args.file.is_file():
            raise FaithlensError(f"--file {args.file} is not a file (a folder?). Pass a text file with one text per line.")
        try:
            texts += [_item(line) for line in args.file.read_text(encoding="utf-8-sig").split("\n") if line.strip()]
        except UnicodeDecodeError as exc:
            raise FaithlensError(f"--file {args.file} is not UTF-8 text ({exc}). Save it as UTF-8, one text per line.") from exc
    if "-" in args.texts or (not texts and args.file is None and not sys.stdin.isatty()):
        texts += [_item(line) for line in sys.stdin.read().split("\n") if line.strip()]
    if texts and len({isinstance(t, tuple) for t in texts}) > 1:
        raise FaithlensError("Got both single texts and pairs. Explain them in separate runs.")
    if not texts:
        raise FaithlensError('No text to explain. Pass a text, e.g. faithlens explain "a gripping, funny film", '
                             "or --file FILE, or pipe lines into standard input.")
    return texts


def _item(line: str):
    """One line of --file or standard input: a text, or a pair when it holds a tab."""
    line = line.rstrip("\r")
    if "\t" in line:
        a, _, b = line.partition("\t")
        return (a, b)
    return line


def run(args: argparse.Namespace) -> int:
    import torch

    from ..distributed import check_device_map, explain_sharded, init_world, load_for_run
    from ..errors import unknown_choice
    from ..explainer import Explainer
    from ..files import check_output_file
    from ..options import check_settings
    from ..views import render_terminal, write_html

    if args.html is not None:  # checked before any work
        args.html = check_output_file(args.html, option="--html")
    check_device_map(args.device_map)
    world = init_world()
    if world.distributed and (args.file is None or "-" in args.texts):
        raise FaithlensError(f"This process is one of {world.size} (torchrun / accelerate launch): pass the texts with "
                             "--file FILE, which every process reads (standard input goes to one process only).")
    texts = read_texts(args)
    if args.dtype not in DTYPES:
        raise unknown_choice("dtype", args.dtype, DTYPES)
    target = args.target
    if target is not None and target.lstrip("-").isdigit():
        target = int(target)
    chosen = [name for name, value in (("--target", args.target), ("--answer", args.answer),
                                        ("--target-text", args.target_text)) if value is not None]
    if len(chosen) > 1:
        raise FaithlensError(f"Pass one of --target, --answer, --target-text. Got {' and '.join(chosen)}.")
    if args.answer is not None:
        target = args.answer
    if args.target_text is not None:
        target = args.target_text
    settings = dict(steps=args.steps, rule=args.rule, baseline=args.baseline, baseline_token=args.baseline_token,
                    unit=args.unit, mode=args.mode, score=args.score, target=target, n_samples=args.samples,
                    seed=args.seed, batch_size=args.batch_size, truncate=args.truncate, tolerance=args.tolerance,
                    max_new_tokens=args.max_new_tokens, per_token=args.per_token, warn_above=args.warn_above,
                    faithfulness=args.faithfulness, n_random=args.n_random)
    check_settings(args.method, settings)  # before the model loads: every option valid and used by some method
    if args.device_map is None:
        explainer = Explainer(args.model, dtype=getattr(torch, args.dtype))
    else:
        explainer = Explainer(load_for_run(args.model, device_map=args.device_map, world=world,
                                           dtype=getattr(torch, args.dtype)))
    by_method = explain_sharded(explainer, texts, args.method, settings, world)  # the texts split across processes
    if by_method is None:  # not rank 0: rank 0 prints everything
        return 0
    groups = [[by_method[m][i] for m in args.method] for i in range(len(texts))]
    for n, group in enumerate(groups):
        if args.json:
            for e in group:
                print(e.to_json(), flush=True)
        else:
            print(render_terminal(group, bars=args.scores, show_legend=n == 0))
            print()
    if args.html is not None:
        path = write_html(args.html, groups)
        print(f"wrote {path}", file=sys.stderr)
    return 0
