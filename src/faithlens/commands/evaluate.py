"""`faithlens evaluate`: which explanation method is most faithful for a model on a dataset?"""

from __future__ import annotations

from ..options import seed_arg

import argparse
import sys
import time
import warnings

from ..names import AOPC_FRACTIONS, DEFAULT_TOPK, EVALUATE_DEFAULT_METHODS as DEFAULT_METHODS, PROTOCOLS, SCORES


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "evaluate",
        help="measure the faithfulness of explanation methods on a dataset (log-odds, comprehensiveness, sufficiency)",
        description="Explain every example with every method, score each explanation (log-odds ↓, comprehensiveness ↑, "
        "sufficiency ↓ at top-k; Delta), and print a table like the SIG paper's. With --out, records are written "
        "one line at a time and a re-run resumes where it stopped. Under torchrun or accelerate launch the examples "
        "are split across the processes (see the README's 'Many processes, GPUs and nodes').",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--model", default=None, help="hub id or model folder (default: the bundled model)")
    p.add_argument("--data", default="rotten_tomatoes",
                   help="a .tsv/.csv/.jsonl file, an IMDB-sample .txt, a GLUE folder, 'rotten_tomatoes' (bundled), or a HF dataset name")
    p.add_argument("--split", default=None, help="split for rotten_tomatoes / GLUE folders / HF datasets (default: test, dev)")
    p.add_argument("--text-column", default=None, help="column of the text (default: found from the column names)")
    p.add_argument("--pair-column", default=None, metavar="NAME",
                   help="column of each pair's second text (default: found from the column names: hypothesis, "
                        "sentence2, context, ...)")
    p.add_argument("--label-column", default=None, help="column of the label (default: found from the column names)")
    p.add_argument("--methods", nargs="+", default=list(DEFAULT_METHODS),
                   help="method specs: name or name:key=value,... e.g. ig:steps=250 ig:steps=10N sig:mode=closed "
                        "sig:tolerance=1e-3 (error-controlled steps); a seeded 'random' row (a random ordering of the "
                        "words) is added unless listed or --no-random")
    p.add_argument("--no-random", dest="random_row", action="store_false",
                   help="leave out the seeded random-ordering row (default: added, and the table marks methods whose Comp "
                        "is not significantly above it; significance.md holds the paired tests between methods)")
    p.add_argument("--baseline", default="mask", help="mask (default), pad, eos, unk or zero")
    p.add_argument("--steps", type=int, default=None, help="steps of path methods (default: each method's own: IG 50, DIG 30; SIG's own is its exact closed "
                        "form, so --steps 50 makes SIG integrate its path as the SIG paper did)")
    p.add_argument("--topk", type=float, default=DEFAULT_TOPK, help="fraction of tokens in the top-k set")
    p.add_argument("--protocol", default="standard", choices=PROTOCOLS,
                   help="'reference': specials count in L' and may enter the top-k (the original scripts)")
    p.add_argument("--score", choices=SCORES, default="logit", help="function explained: logit, max_logit, prob, log_prob")
    p.add_argument("--limit", type=int, default=None, help="examples to use (after the seeded shuffle)")
    p.add_argument("--seed", type=seed_arg, default=0, help="seed of the example sample, of the sampling methods (smoothgrad, gradient_shap, shapley, "
                        "kernel_shap, lime) and of the random ordering row")
    p.add_argument("--max-chars", type=int, default=None, help="keep texts shorter than this many characters (IMDB: 2000)")
    p.add_argument("--no-shuffle", action="store_true", help="take examples in file order instead of a seeded sample")
    p.add_argument("--truncate", action="store_true",
                   help="explain the first tokens of texts longer than the model's limit (default: refuse them before "
                        "any work); records say \"truncated\": true and the table counts them")
    p.add_argument("--batch-size", type=int, default=4, help="examples explained together (records are written per batch)")
    p.add_argument("--memory-mb", type=int, default=None, help="activation memory per chunk in MiB (default 2048); never changes results")
    p.add_argument("--device-map", default=None, metavar="MAP",
                   help="auto, balanced or sequential: spread a model too large for one GPU over this process's GPUs "
                        "(accelerate's big-model loading), keeping --memory-mb free on each for activations")
    p.add_argument("--out", default=None, help="folder for records.jsonl, results.json/.csv and table.md (enables resume; "
                                               "required under torchrun / accelerate launch)")
    p.add_argument("--no-curves", action="store_true",
                   help="skip the AOPC curves (each metric at top-k 10..50 %%; a few extra forward passes per example)")
    p.add_argument("--rationales", default=None, metavar="FILE",
                   help="human rationales (JSONL: per line \"text\" or \"index\" (row of the data file) and \"spans\" "
                        "[[start, end], ...] in characters or \"words\" [whitespace word indices]): adds a plausibility table "
                        "(AUPRC, token F1 and IOU at k = the mean rationale size, ERASER's IOU-F1 at 0.5; word level; with a "
                        "seeded random row) to the output and plausibility.md/.json to --out. `faithlens rationales sst2` "
                        "builds one for SST-2. Spans and words mark the first text of a pair or QA example (a premise, "
                        "a question) only")
    p.add_argument("--metrics", nargs="+", default=[], choices=("infidelity", "sensitivity"),
                   help="extra columns: infidelity (Yeh et al. 2019: 10 random word subsets at the baseline, p = 0.5) and "
                        "max-sensitivity (10 word dropouts, p = 0.1, the method re-run on each); seeded by --seed; "
                        "sensitivity costs 10 more explanations per example")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..data import is_squad_file, load_dataset, refuse_standard_input, select
    from ..distributed import check_device_map, init_world, load_for_run
    from ..errors import FaithlensError, FaithlensWarning
    from ..evaluate import check_rationales, check_shared_steps, check_resume, evaluate, parse_methods, saved_run
    from ..evaluate.checks import run_settings
    from ..robustness import parse_metrics
    from ..files import FolderLock, check_output_folder
    from ..task_inputs import QA_PAIRS_DATA, check_data_task
    from .train_model import check_split_option

    started = time.perf_counter()
    # Everything that can be checked without the model is checked first.
    from ..evaluate.run import with_random_row

    if not args.random_row and "random" in [str(m).partition(":")[0] for m in args.methods]:
        raise FaithlensError("--no-random leaves out the random row, but --methods lists random. Drop one of them.")
    specs = parse_methods(with_random_row(args.methods, args.random_row))  # the methods the run records
    check_shared_steps(specs, args.steps)  # a --steps no chosen method reads is refused, as explain refuses it
    parse_metrics(args.metrics)
    for name in ("batch_size", "memory_mb", "limit", "max_chars"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise FaithlensError(f"--{name.replace('_', '-')} must be a positive int. Got {value} instead.")
    check_device_map(args.device_map)
    refuse_standard_input(args.data, option="--data")
    check_split_option(args.data, args.split)
    if args.out is not None:  # before the folder is created: --data runs/x/results.csv --out runs/x replaced the data
        from ..evaluate.folder import WRITTEN_FILES
        from ..files import check_folder_writes_no_input
        from ..model_source import refuse_model_folder

        refuse_model_folder(args.out, option="--out")  # results are not written among a saved model's files
        check_folder_writes_no_input(args.out, WRITTEN_FILES, {"--data": args.data, "--rationales": args.rationales,
                                                               "--model": args.model}, option="--out")
    out = check_output_folder(args.out, option="--out") if args.out is not None else None
    world = init_world()
    if world.distributed and out is None:
        raise FaithlensError(f"This process is one of {world.size} (torchrun / accelerate launch): pass --out FOLDER, "
                             "where each process writes its records and rank 0 merges them.")
    memory = None if args.memory_mb is None else args.memory_mb * 1024**2
    model = None
    if is_squad_file(args.data):  # a QA model's data: the model's task is checked before the file's nesting is read
        model = load_for_run(args.model, device_map=args.device_map, memory_budget=memory, world=world)
    dataset = load_dataset(args.data, split=args.split, text_column=args.text_column, label_column=args.label_column,
                           pair_column=args.pair_column, model=model)
    rationales = None
    if args.rationales is not None:  # checked line by line against the whole file (an "index" is a row of it)
        from ..plausibility import read_rationales

        rationales = read_rationales(args.rationales, dataset=dataset)
    dataset = select(dataset, limit=args.limit, seed=args.seed, max_chars=args.max_chars, shuffle=not args.no_shuffle)
    check_rationales(rationales, dataset)
    lock = None
    if out is not None:  # take the folder (and check the settings we know) before loading the model
        def claim():
            held = FolderLock(out).acquire()
            try:
                settings = run_settings("default" if args.model is None else str(args.model), dataset.source, specs,
                                        baseline=args.baseline, steps=args.steps, topk=args.topk,
                                        protocol=args.protocol, score=args.score, seed=args.seed,
                                        max_chars=args.max_chars, truncate=args.truncate, shuffle=not args.no_shuffle,
                                        rationales=rationales, metrics=args.metrics,
                                        curves=None if args.no_curves else AOPC_FRACTIONS)
                check_resume(out, settings, saved=saved_run(out))
            except BaseException:
                held.release()
                raise
            return held

        lock = world.on_main(claim, share=False)  # rank 0 holds it for the whole job
    try:
        if model is None:
            model = load_for_run(args.model, device_map=args.device_map, memory_budget=memory, world=world)
        check_data_task(model, dataset, how=QA_PAIRS_DATA)  # evaluate has no --pair: questions come with --data
        with warnings.catch_warnings():
            warnings.simplefilter("always", FaithlensWarning)  # each as one line: `cli._run`
            result = evaluate(model, dataset, methods=args.methods, baseline=args.baseline, steps=args.steps,
                              topk=args.topk, protocol=args.protocol, score=args.score, seed=args.seed,
                              max_chars=args.max_chars, shuffle=not args.no_shuffle, out=out, batch_size=args.batch_size,
                              truncate=args.truncate, progress=not args.quiet, memory_budget=memory,
                              curves=None if args.no_curves else AOPC_FRACTIONS, rationales=rationales,
                              metrics=args.metrics, random_row=args.random_row)
    finally:
        if lock is not None:
            lock.release()
    if not world.is_main:
        return 0
    print(result.markdown())
    if args.out:
        from ..views import plots

        written = sorted(p.name for p in out.iterdir() if p.is_file() and not p.name.startswith("."))  # what is there
        extra = "" if plots.available() else f" (no plots: {plots.INSTALL})"
        print(f"In {args.out}: {', '.join(written)}{extra}", file=sys.stderr)
    print(f"faithlens evaluate: {time.perf_counter() - started:.1f} s wall", file=sys.stderr)
    return 0
