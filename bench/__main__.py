"""`python -m bench`: faithlens vs tint (SIG), Captum, transformers-interpret and ferret (IG), side by side, agreement first.

Writes bench/results/bench.json (updated after every measurement, so an interrupted run keeps
what it measured), bench/results/bench.md and bench/results/time_vs_length.png.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path


def _count(low: int):
    """An argparse type: an int ≥ low."""
    def read(value: str) -> int:
        try:
            n = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an int ≥ {low}, got {value!r}") from None
        if n < low:
            raise argparse.ArgumentTypeError(f"expected an int ≥ {low}, got {n}")
        return n
    return read


def _lengths(value: str) -> str:
    """Comma-separated token lengths, each an int ≥ 1 ('' for none); kept as the string the runs split."""
    for part in (x.strip() for x in value.split(",") if x.strip()):
        if not part.isdigit() or int(part) < 1:
            raise argparse.ArgumentTypeError(f"expected comma-separated token lengths ≥ 1 (e.g. 8,16,32), got {value!r}")
    return value


def _threads(value: str) -> int:
    """An argparse type: faithlens' own --threads rule (1 to 4 per CPU)."""
    from faithlens.errors import FaithlensError
    from faithlens.options import check_threads

    try:
        return check_threads(_count(1)(value))
    except FaithlensError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--threads ")) from None


def parse(argv: list[str] | None) -> argparse.Namespace:
    from faithlens.options import seed_arg

    p = argparse.ArgumentParser(allow_abbrev=False, prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--sst2", type=_count(1), default=4, help="SST-2 dev sentences for the full runs (default 4)")
    p.add_argument("--max-tokens", type=_count(0), default=24,
                   help="sample SST-2 sentences of at most this many tokens (default 24: keeps the bench under "
                        "15 minutes on a shared 2-core CPU; 0 = any length)")
    p.add_argument("--lengths", type=_lengths, default="8,16,32,64,128,256,512", help="token lengths for the cost sweep")
    p.add_argument("--steps", type=_count(1), default=50)
    p.add_argument("--repeats", type=_count(1), default=1, help="timed repeats per measurement (median)")
    p.add_argument("--threads", type=_threads, default=1, help="torch threads (1: robust on a shared 2-core CPU)")
    p.add_argument("--model", default="auto", help="'auto': the default model if trained, else the MiniLM base")
    p.add_argument("--memory-lengths", type=_lengths, default="512", help="lengths for the peak-memory runs ('' to skip)")
    p.add_argument("--tint-memory-lengths", type=_lengths, default="128", help="lengths for tint's peak memory ('' to skip)")
    p.add_argument("--long-agreement-length", type=_count(1), default=128)
    p.add_argument("--no-tint", action="store_true", help="skip tint even when installed")
    p.add_argument("--no-peers", action="store_true", help="skip transformers-interpret, ferret and Captum LayerIG")
    p.add_argument("--no-startup", action="store_true", help="skip the cold-start timings")
    p.add_argument("--no-explain-memory", action="store_true", help="skip the whole-process peak RSS per method")
    p.add_argument("--data", type=Path, default=None,
                   help="folder with sst2/dev.tsv and imdb_textfooler_test1000/ (default: ../shared/data beside the repo)")
    p.add_argument("--seed", type=seed_arg, default=0)
    certified = p.add_mutually_exclusive_group()  # only those figures, or none of them
    certified.add_argument("--certified-only", action="store_true",
                           help="only issue 25's figures (bench/certified.py): certified IG vs Captum LayerIG, SmolLM2 "
                                "certified IG, per-dimension SIG vs tint -> results/certified.{md,json}")
    certified.add_argument("--no-certified", action="store_true", help="skip those figures")
    p.add_argument("--evaluate", type=_count(0), default=8, metavar="N",
                   help="SST-2 dev examples for the evaluate-throughput figures, the paper's six methods before/after "
                        "(bench/evaluate_throughput.py -> results/evaluate_throughput.{md,json}; default 8, 0 skips, "
                        "872 = all of dev)")
    p.add_argument("--no-lm", action="store_true", help="skip the SmolLM2 part of them")
    p.add_argument("--sig-texts", type=_count(1), default=4, help="SST-2 sentences for per-dimension SIG vs tint (default 4)")
    p.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results",
                   help="folder for the results (created when missing; default bench/results)")
    args = p.parse_args(argv)
    above = next((q for q in (args.out, *args.out.parents) if q.exists()), None)  # created later, after the checks
    if above is not None and not above.is_dir():
        where = "is a file" if above == args.out else f"is under {str(above)!r}, which is a file"
        p.error(f"--out {str(args.out)!r} {where}; expected a folder for the results (created when missing). Pass a "
                "folder path, e.g. --out bench/results.")
    return args


def main(argv: list[str] | None = None) -> int:
    from faithlens.errors import FaithlensError

    try:
        return _main(argv)
    except FaithlensError as exc:  # bad input: the message, not a traceback
        print(f"python -m bench: error: {exc}", file=sys.stderr)
        return 2


def _main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    from faithlens.explainer import Explainer
    from faithlens.files import check_output_folder

    from . import harness as h
    from . import report
    from .memory import EXPLAIN_RUNS, explain_peak_in_subprocess, in_subprocess

    data = h.check_data(args.data or h.SHARED_DATA)  # before any expensive work
    if args.model != "auto":
        from faithlens.model_source import check_model_source

        check_model_source(args.model, option="--model")
    torch.set_num_threads(args.threads)
    h.seed_everything(args.seed)
    started = time.perf_counter()
    check_output_folder(args.out, option="--out", example="--out bench/results")  # created; a folder it cannot write is refused
    with_tint = h.tint_available() and not args.no_tint
    if not with_tint:
        print("tint is not installed (or --no-tint): SIG peer comparisons are skipped. "
              "Install: pip install --no-deps time-interpret pytorch-lightning lightning-utilities torchmetrics "
              "scikit-learn joblib threadpoolctl pandas narwhals", file=sys.stderr)
    if not args.no_certified:
        from . import certified

        args.out.mkdir(parents=True, exist_ok=True)
        certified.run(argparse.Namespace(**{**vars(args), "data": data}), args.out,
                      lambda res: (args.out / "certified.json").write_text(json.dumps(res, indent=1, default=str)))
    if args.evaluate:  # issue 25's evaluate throughput: SIG path vs closed form, metrics per fraction vs one forward
        from . import evaluate_throughput

        evaluate_throughput.main(["--limit", str(args.evaluate), "--data", str(data), "--threads", str(args.threads),
                                  "--out", str(args.out)])
    if args.certified_only:
        return 0
    model, model_desc = h.load_bench_model(args.model)
    explainer = Explainer(model)
    settings = h.Settings(steps=args.steps, repeats=args.repeats)
    result: dict = {
        "command": "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:]),
        "model": model_desc, "machine": h.machine(), "tint": with_tint,
        "settings": {"steps": args.steps, "rule": "gausslegendre", "baseline": "mask", "score": "logit (predicted class)",
                     "repeats": args.repeats, "threads": args.threads, "seed": args.seed,
                     "sst2_max_tokens": args.max_tokens or None},
        "sst2": [], "lengths": [],
    }
    out_json = args.out / "bench.json"

    def save() -> None:
        result["wall_seconds"] = time.perf_counter() - started
        result["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
        out_json.write_text(json.dumps(result, indent=1))

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f}s] {msg}", flush=True)

    # warm-up (not timed): first calls pay for lazy initialisation
    warm = "a warm up sentence ."
    h.sentence_runs(explainer, warm, h.Settings(steps=2, repeats=1), with_tint, not args.no_peers)

    texts = h.sst2_sentences(data / h.SST2_DEV, args.sst2, args.seed, model, args.max_tokens or None)
    for i, text in enumerate(texts):
        run = h.sentence_runs(explainer, text, settings, with_tint, not args.no_peers)
        result["sst2"].append(run)
        result["sst2_summary"] = report.summarise_sentences(result["sst2"])
        save()
        log(f"sst2 {i + 1}/{len(texts)} ({run['tokens']} tokens): "
            + ", ".join(f"{k} {min(v):.2f}s" for k, v in run["times"].items()))

    lengths = [int(x) for x in args.lengths.split(",") if x]
    if lengths:
        imdb = data / h.IMDB_SAMPLE
        review = h.imdb_review(imdb, model, max(lengths), args.seed)
        for n in lengths:
            point = h.length_probe(explainer, h.prefix_with_tokens(model, review, n), settings, with_tint)
            result["lengths"].append(point)
            result["length_ratios"] = report.summarise_lengths(result["lengths"])
            result["auto_mode"] = h.auto_mode_choices(model, result["lengths"])
            save()
            log(f"length {point['tokens']}: " + ", ".join(f"{k} {v:.3g}s" for k, v in point["extrapolated_seconds"].items()))
        if with_tint and args.long_agreement_length:
            text = h.prefix_with_tokens(model, review, args.long_agreement_length)
            result["long_agreement"] = h.probe_agreement(explainer, text, args.steps)
            save()
            log(f"long agreement: {result['long_agreement']}")

    model_arg = None if args.model == "auto" else args.model
    result["memory"] = []
    jobs = [(m, int(n)) for n in args.memory_lengths.split(",") if n
            for m in ("faithlens_sig_reverse", "faithlens_sig_forward", "faithlens_sig_closed")]
    if with_tint:
        jobs += [("tint_sig", int(n)) for n in args.tint_memory_lengths.split(",") if n]
    for method, n in jobs:
        r = in_subprocess(method, n, args.steps, model_arg, args.seed, args.threads, data=data)
        result["memory"].append(r)
        save()
        log(f"memory {method} {n}: {r}")
    if not args.no_explain_memory:
        result["explain_memory"] = []
        for run in ["transformers", *EXPLAIN_RUNS]:
            r = explain_peak_in_subprocess(run, model_arg, args.threads)
            result["explain_memory"].append(r)
            save()
            log(f"explain memory {run}: {r}")
    if not args.no_startup:
        from .startup import measure as startup

        result["startup"] = startup()
        save()
        log(f"startup: {result['startup']['median_cpu']}")

    save()
    (args.out / "bench.md").write_text(report.markdown(result))
    if result["lengths"]:
        report.plot(result, args.out / "time_vs_length.png")
    log(f"done: {out_json}, {args.out / 'bench.md'}")
    result["targets"] = report.targets(result)
    save()
    disagree = [key for key, a in result.get("sst2_summary", {}).get("agreement", {}).items() if not a["agree"]]
    if disagree:  # the exit status says it, and so does a line: which agreement check failed, and where to read it
        print(f"bench: exit 1: faithlens and its peers disagree beyond the required tolerance on "
              f"{', '.join(disagree)} (the agreement table of {args.out / 'bench.md'})", file=sys.stderr)
    return 1 if disagree else 0


if __name__ == "__main__":
    raise SystemExit(main())
