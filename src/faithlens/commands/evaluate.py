"""`faithlens evaluate`: which explanation method is most faithful for a model on a dataset?"""

from __future__ import annotations

import argparse
import sys
import time

from ..names import AOPC_FRACTIONS, DEFAULT_TOPK, EVALUATE_DEFAULT_METHODS as DEFAULT_METHODS, PROTOCOLS


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "evaluate",
        help="measure the faithfulness of explanation methods on a dataset (log-odds, comprehensiveness, sufficiency)",
        description="Explain every example with every method, score each explanation (log-odds ↓, comprehensiveness ↑, "
        "sufficiency ↓ at top-k; Delta), and print a table like the SIG paper's. With --out, records are written "
        "one line at a time and a re-run resumes where it stopped.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--model", default=None, help="hub id or model folder (default: the bundled model)")
    p.add_argument("--data", default="rotten_tomatoes",
                   help="a .tsv/.csv/.jsonl file, an IMDB-sample .txt, a GLUE folder, 'rotten_tomatoes' (bundled), or a HF dataset name")
    p.add_argument("--split", default=None, help="split for rotten_tomatoes / GLUE folders / HF datasets (default: test, dev)")
    p.add_argument("--text-column", default=None)
    p.add_argument("--label-column", default=None)
    p.add_argument("--methods", nargs="+", default=list(DEFAULT_METHODS),
                   help="method specs: name or name:key=value,... e.g. ig:steps=250 ig:steps=10N sig:mode=closed "
                        "sig:tolerance=1e-3 (error-controlled steps)")
    p.add_argument("--baseline", default="mask", help="mask, pad, zero or unk")
    p.add_argument("--steps", type=int, default=None, help="steps of path methods (default: each method's own)")
    p.add_argument("--topk", type=float, default=DEFAULT_TOPK, help="fraction of tokens in the top-k set")
    p.add_argument("--protocol", default="standard", choices=PROTOCOLS,
                   help="'reference': specials count in L' and may enter the top-k (the original scripts)")
    p.add_argument("--score", default="logit", help="function explained: logit, max_logit, prob, log_prob")
    p.add_argument("--limit", type=int, default=None, help="examples to use (after the seeded shuffle)")
    p.add_argument("--seed", type=int, default=0, help="sampling seed and seed of random methods")
    p.add_argument("--max-chars", type=int, default=None, help="keep texts shorter than this many characters (IMDB: 2000)")
    p.add_argument("--no-shuffle", action="store_true", help="take examples in file order instead of a seeded sample")
    p.add_argument("--batch-size", type=int, default=4, help="examples explained together (records are written per batch)")
    p.add_argument("--memory-mb", type=int, default=None, help="activation memory per chunk in MiB (default 2048); never changes results")
    p.add_argument("--out", default=None, help="folder for records.jsonl, results.json/.csv and table.md (enables resume)")
    p.add_argument("--no-curves", action="store_true",
                   help="skip the AOPC curves (each metric at top-k 10..50 %%; a few extra forward passes per example)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..data import load_dataset, select
    from ..evaluate import evaluate
    from ..model import load_model

    started = time.perf_counter()
    dataset = load_dataset(args.data, split=args.split, text_column=args.text_column, label_column=args.label_column)
    dataset = select(dataset, limit=args.limit, seed=args.seed, max_chars=args.max_chars, shuffle=not args.no_shuffle)
    model = load_model(args.model)
    result = evaluate(model, dataset, methods=args.methods, baseline=args.baseline, steps=args.steps, topk=args.topk,
                      protocol=args.protocol, score=args.score, seed=args.seed, max_chars=args.max_chars,
                      shuffle=not args.no_shuffle, out=args.out,
                      batch_size=args.batch_size, progress=not args.quiet,
                      memory_budget=None if args.memory_mb is None else args.memory_mb * 1024**2,
                      curves=None if args.no_curves else AOPC_FRACTIONS)
    print(result.markdown())
    if args.out:
        from ..views import plots

        extra = ", plots (metrics.svg/.png, aopc.svg/.png)" if plots.available() else f" (no plots: {plots.INSTALL})"
        print(f"Records, results.json, results.csv, table.md, report.html{extra} are in {args.out}", file=sys.stderr)
    print(f"faithlens evaluate: {time.perf_counter() - started:.1f} s wall", file=sys.stderr)
    return 0
