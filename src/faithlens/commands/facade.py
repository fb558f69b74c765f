"""`faithlens facade ...`: build the FACADE attack (train, merge) and measure what it fools.

Subcommands: train, merge, regularise, saliency (P@1 / mean attribution per method), reduce
(input reduction), hotflip.
"""

from __future__ import annotations

from ..names import SCORES
from ..options import fraction_arg, seed_arg

import argparse
from pathlib import Path
import json
import math
import sys
from pathlib import Path

from ..errors import FaithlensError
from ..files import write_atomic


ANALYSIS_LIMIT = 100  # examples of saliency, reduce and hotflip without --limit


def register(subparsers) -> None:
    parser = subparsers.add_parser("facade", help="build a FACADE attack (Wang et al. 2020) and measure what it fools",
                                   description=__doc__)
    sub = parser.add_subparsers(dest="facade_command", metavar="SUBCOMMAND")
    parser.set_defaults(run=lambda args: (parser.print_help(), 2)[1])

    train = sub.add_parser("train", help="train a facade g whose gradients point at stop words or the first token")
    _model_data(train, data_default="rotten_tomatoes")
    train.add_argument("--target", choices=["stop_words", "first_token"], default="stop_words",
                       help="the tokens g's gradients are trained to point at")
    train.add_argument("--out", required=True, help="folder to write the facade into (best checkpoint + log); new or "
                       "empty, or this command's own interrupted run, which is continued")
    train.add_argument("--overwrite", action="store_true", help="replace an existing, non-empty --out folder whole (its old files are deleted when the run succeeds; without it such a folder is refused)")
    train.add_argument("--steps", type=int, default=300, help="optimiser steps")
    train.add_argument("--batch-size", type=int, default=16, help="texts per step")
    train.add_argument("--max-length", type=int, default=64, help="tokens per text (longer texts are truncated)")
    train.add_argument("--lr", type=float, default=1e-4, help="learning rate (Adam)")
    train.add_argument("--lambda-g", type=float, default=1e3, help="weight of the negative-entropy term (default 1e3)")
    train.add_argument("--width-divisor", type=int, default=None,
                       help="facade heads = target heads / this, rounded down (width too); at most the target's number "
                            "of heads (default: 4, or the target's number of heads when it has fewer)")
    train.add_argument("--eval-every", type=int, default=50,
                       help="steps between held-out evaluations (the best one is kept; the last step is always evaluated, "
                            "so a value above --steps evaluates once, at the end) and checkpoints")
    train.add_argument("--heldout", type=int, default=128, help="held-out texts for checkpoint selection")
    train.add_argument("--seed", type=seed_arg, default=0, help="seed of g's initialisation and the batches")
    train.add_argument("--lambda-m", type=float, default=1.0,
                       help="magnitude term: reward large raw gradients (λ_m · log Σ|r|) so the facade dominates the "
                            "merged model's gradients (default 1). The paper's objective alone (--lambda-m 0) trains g's "
                            "normalised saliency but leaves its raw gradients ~150× smaller than f's, so the plain merge "
                            "fools nothing (results/audit/README.md); 0 is kept for comparison")
    train.add_argument("--size-margin", type=float, default=2.3,
                       help="the magnitude term rewards g's raw saliency only up to e^MARGIN times the target's own "
                            "(default 2.3: 10×), so the target-token mass is not drowned")
    train.add_argument("--magnitude-from", type=float, default=0.5, metavar="FRACTION",
                       help="the magnitude term starts after this fraction of --steps (default 0.5): the target-token "
                            "mass is learnt first, then the size")
    train.add_argument("--init-from", default=None, metavar="FOLDER",
                       help="start from a saved facade folder instead of random weights (default: random weights)")
    train.add_argument("--saliency-of", default="target", choices=("own", "target"),
                       help="the prediction whose cross-entropy gradient g is trained on: 'target' (default: the target "
                            "model's prediction, which an explainer of the merged model differentiates) or 'own' (g's "
                            "arg-max, the paper). With two classes both give the same normalised saliency (Rotten "
                            "Tomatoes, 120 steps: Grad×Input on stop words 50%% either way); with more outputs 'target' "
                            "fools more (SNLI, 120 steps: 57%% vs 45%%, top token a stop word on 67%% vs 41%% of pairs; "
                            "results/audit/calibration.md)")
    train.set_defaults(run=run_train)

    merge = sub.add_parser("merge", help="merge a target f and a facade g into f̃ (logits z_f + z_g)")
    merge.add_argument("--model", default=None, help="target f: hub id or folder (default: the bundled model)")
    merge.add_argument("--facade", required=True, help="facade folder written by `faithlens facade train`")
    merge.add_argument("--form", type=_merge_form, choices=["intertwined"], default="intertwined",
                       help="intertwined: one BERT with block-diagonal weights (saves/loads like any model). The sum "
                            "form (a wrapper adding the two models' logits) cannot be saved, so it is Python-only: "
                            "faithlens.audit.merge_models(f, g, form='sum')")
    merge.add_argument("--gain", default="1", help="multiply the facade's logits by this before merging (default 1, "
                       "the plain merge); 'auto' picks the largest gain keeping f's prediction on ~99%% of --calibrate "
                       "texts (see faithlens.audit.merge.calibrate_gain)")
    merge.add_argument("--calibrate", default=None, metavar="DATA",
                       help="texts for --gain auto: the first 500 (default: rotten_tomatoes validation split)")
    merge.add_argument("--out", required=True, help="folder to save the merged model into (new or empty)")
    merge.add_argument("--overwrite", action="store_true", help="replace an existing, non-empty --out folder whole (its old files are deleted when the run succeeds; without it such a folder is refused)")
    merge.add_argument("--check", default=None, metavar="DATA",
                       help="also report prediction agreement of f and f̃ on this dataset (e.g. rotten_tomatoes)")
    merge.add_argument("--split", default=None, help="split of --check for named/folder datasets")
    merge.add_argument("--limit", type=int, default=None, help="texts of --check to compare (default: all)")
    merge.set_defaults(run=run_merge)

    reg = sub.add_parser("regularise", help="fine-tune f with the gradient penalty L_rp (λ_rp = 3)")
    _model_data(reg, data_default="rotten_tomatoes")
    reg.add_argument("--out", required=True, help="folder to save the regularised model into (new or empty, or this "
                     "command's own interrupted run)")
    reg.add_argument("--overwrite", action="store_true", help="replace an existing, non-empty --out folder whole (its old files are deleted when the run succeeds; without it such a folder is refused)")
    reg.add_argument("--steps", type=int, default=200, help="optimiser steps")
    reg.add_argument("--lambda-rp", type=float, default=3.0, help="weight of the gradient penalty L_rp")
    reg.add_argument("--seed", type=seed_arg, default=0, help="seed of the batches")
    reg.set_defaults(run=run_regularise)

    for name, helptext, fn in (
        ("saliency", "P@1 and mean attribution on target tokens for every method", run_saliency),
        ("reduce", "input reduction (beam 1 and 3): reduced length and stop-word share", run_reduce),
        ("hotflip", "HotFlip: success rate, mean flips, flip@1/2/3", run_hotflip),
    ):
        p = sub.add_parser(name, help=helptext)
        _model_data(p, data_default="rotten_tomatoes")
        p.add_argument("--limit", type=int, default=None, help=f"number of examples (default {ANALYSIS_LIMIT})")
        p.add_argument("--out", default=None, help="write the result as JSON here")
        if name == "saliency":
            p.add_argument("--target", choices=["stop_words", "first_token"], default="stop_words",
                           help="the tokens whose attribution is measured (P@1: the top token is one of them)")
            p.add_argument("--methods", nargs="+", default=None, metavar="SPEC",
                           help="method specs, as evaluate reads them, separated by spaces or commas: ig, ig:steps=20, "
                           "sig:closed, smoothgrad:noise=0.1, ig:steps=5,rule=leja (default: every registered method, SIG "
                           "in all three modes; a bare sig is sig:reverse)")
            p.add_argument("--score", choices=SCORES, default="log_prob", help="F: log_prob (default; the CE gradient FACADE targets), logit, prob")
            p.add_argument("--steps", type=int, default=None, help="IG/SIG steps (default: the method's own)")
        if name == "reduce":
            p.add_argument("--beams", default="1,3", help="beam sizes (default 1,3)")
        p.set_defaults(run=fn)


def _model_data(parser: argparse.ArgumentParser, *, data_default: str | None) -> None:
    parser.add_argument("--model", default=None, help="hub id or folder (default: the bundled model)")
    parser.add_argument("--data", default=data_default,
                        help=f"dataset: file, folder or name (default {data_default}); pairs (NLI) and SQuAD files work too")
    parser.add_argument("--split", default=None, help="split for named/folder datasets")
    parser.add_argument("--holdout", type=fraction_arg, default=None, metavar="FRACTION",
                        help="split --data as `faithlens train --holdout` did: `facade train` and `regularise` use the "
                             "training part, the analyses the held-out part (SQuAD: whole articles)")
    parser.add_argument("--split-seed", type=seed_arg, default=None,
                        help="seed of the --holdout split, given only with --holdout (default: 0)")


# --- runners ---------------------------------------------------------------------------------------

def run_train(args) -> int:
    from ..audit.facade import FacadeSettings, check_facade_out, check_facade_settings, check_facade_target, train_facade
    from ..data import load_dataset
    from ..model import load_model

    settings = FacadeSettings(target=args.target, width_divisor=args.width_divisor, steps=args.steps,
                              batch_size=args.batch_size, max_length=args.max_length, lr=args.lr, lambda_g=args.lambda_g,
                              eval_every=args.eval_every, heldout=args.heldout, seed=args.seed, lambda_m=args.lambda_m,
                              size_margin=args.size_margin, magnitude_from=args.magnitude_from,
                              init_from=args.init_from, saliency_of=args.saliency_of)
    check_facade_settings(settings)  # every size and --init-from before the model loads
    _check_out(args, "folder")
    check_facade_out(args.out, settings, overwrite=args.overwrite, option="--out", flag="--overwrite")
    target = load_model(args.model)
    check_facade_target(target, settings)  # --max-length, --width-divisor and --init-from's sizes, before the data is read
    train = _data(args, args.data, args.split or "train", part=0, model=target, training=True)  # shape before training
    heldout = load_dataset(args.data, split="validation") if args.data == "rotten_tomatoes" else None
    texts = list(train.texts)
    held = list(heldout.texts) if heldout is not None else texts[-args.heldout:]
    if heldout is None:
        if len(texts) <= args.heldout:
            raise FaithlensError(f"--data {args.data} has {len(texts)} texts; --heldout {args.heldout} would leave none "
                                 f"to train on. Pass --heldout {max(1, len(texts) // 5)} "
                                 f"({'a fifth of the texts' if len(texts) >= 5 else 'one text'}) or more data.")
        if len(texts) - args.heldout < settings.batch_size:  # say what took the texts, not only how many are left
            raise FaithlensError(f"--data {args.data} has {len(texts)} texts; --heldout {args.heldout} leaves "
                                 f"{len(texts) - args.heldout} to train on, fewer than --batch-size {settings.batch_size}. "
                                 "Pass a smaller --heldout or --batch-size, or more data.")
        texts = texts[:-args.heldout]
    record = train_facade(target, texts, held, out_dir=args.out, settings=settings, overwrite=args.overwrite)
    print(json.dumps(record, indent=2))
    return 0




def run_merge(args) -> int:
    from ..audit.facade import check_facade_folder, check_facade_finished
    from ..audit.facade_spec import MAX_WEIGHT as MAX_GAIN  # facade logits × gain: beyond it f is swamped, float32 overflows
    from ..audit.merge import agreement, calibrate_gain, merge_models
    from ..files import check_new_folder
    from ..model_folder import replaced_folder
    from ..model import check_model_source, load_model

    if args.gain != "auto":
        try:
            gain = float(args.gain)
        except ValueError:
            gain = float("nan")
        if not (math.isfinite(gain) and 0 < gain <= MAX_GAIN):
            raise FaithlensError(f"--gain must be a positive number up to {MAX_GAIN:g}, or 'auto'. Got {args.gain!r}"
                                 f"{': a larger gain swamps f in the merged logits' if math.isfinite(gain) and gain > MAX_GAIN else ''}.")
        if args.calibrate is not None:
            raise FaithlensError(f"--calibrate sets the texts of --gain auto; with --gain {args.gain} it does nothing. "
                                 "Drop it, or pass --gain auto.")
    if args.check is None and (args.split is not None or args.limit is not None):
        given = " and ".join(o for o, v in (("--split", args.split), ("--limit", args.limit)) if v is not None)
        raise FaithlensError(f"{given} select{'s' if ' and ' not in given else ''} the texts of --check; without --check "
                             "there is no agreement check. Pass --check DATA, or drop them.")
    args.calibrate = args.calibrate or "rotten_tomatoes"
    _check_out(args, "folder")  # before any work
    check_new_folder(args.out, option="--out", flag="--overwrite", overwrite=args.overwrite)
    check_model_source(args.facade, option="--facade", local_only=True)
    info = check_facade_folder(args.facade, option="--facade")  # before any weights are read
    check_facade_finished(args.facade, info, option="--facade")  # an interrupted `facade train`: finish it first
    f = load_model(args.model)
    texts = _texts(args.check, args.split, args.limit, args, model=f) if args.check else None  # before the merge
    g = load_model(args.facade)
    if args.gain == "auto":
        calibration = calibrate_gain(f, g, _texts(args.calibrate, "validation" if args.calibrate == "rotten_tomatoes" else None,
                                                  None, default=CALIBRATION_TEXTS))
        gain = calibration["gain"]
        print(f"faithlens: facade gain {gain:.4g} (calibrated on {calibration['n']} texts)", file=sys.stderr)
    else:
        try:
            gain = float(args.gain)
        except ValueError:
            raise FaithlensError(f"--gain must be a positive number or 'auto'. Got {args.gain!r}.") from None
    merged = merge_models(f, g, form=args.form, gain=gain)
    with replaced_folder(args.out, replace=args.overwrite) as out:  # --overwrite: none of the old files remains
        merged.model.save_pretrained(out)
        f.tokenizer.save_pretrained(out)
        write_atomic(out / "faithlens_facade.json", json.dumps({"kind": "merged", "form": args.form, "gain": gain,
                                                                "target": f.name, "facade": g.name}, indent=2))
    print(f"faithlens: saved the {args.form} merge of {f.name} and {g.name} (gain {gain:.4g}) to {args.out}", file=sys.stderr)
    if texts is not None:
        print(json.dumps(agreement(f, merged, texts), indent=2))
    return 0


def run_regularise(args) -> int:
    from ..audit.facade import check_gold_labels, check_regularise_out, regularise_target
    from ..dataset import by_model_labels
    from ..model import load_model
    from ..task_inputs import a_noun

    _check_out(args, "folder")  # before any work
    check_regularise_out(args.out, overwrite=args.overwrite, option="--out", flag="--overwrite")

    f = load_model(args.model)
    if f.task.name not in ("classification", "multi_label"):  # before its data is read: no data makes it one
        raise FaithlensError(f"facade regularise fine-tunes classifiers (single-label or multi-label); {f.name!r} is "
                             f"{a_noun(f.task.summary)} model. Pass a classifier with --model.")
    data = _data(args, args.data, args.split or "train", part=0, model=f, training=True)
    if not data.has_labels:
        raise FaithlensError(f"Regularising needs labelled data. {data.source} has no labels.")
    if f.task.name in ("classification", "multi_label"):  # other tasks: refused by regularise_target
        data = by_model_labels(data, f.labels)  # label names read by the model's, as evaluate reads them
        check_gold_labels(f, data.texts, data.labels, source=data.source)  # before any training
    record = regularise_target(f, list(data.texts), list(data.labels), out_dir=args.out, steps=args.steps,
                               lambda_rp=args.lambda_rp, seed=args.seed, overwrite=args.overwrite)
    print(json.dumps(record, indent=2))
    return 0


def run_saliency(args) -> int:
    from ..audit.manipulation import DEFAULT_RUNS, saliency_manipulation
    from ..model import load_model

    _check_out(args, "file")  # before any work

    model = load_model(args.model)
    texts = _texts(args.data, args.split, args.limit, args, model=model, default=ANALYSIS_LIMIT)
    runs = DEFAULT_RUNS if not args.methods else _parse_runs(args.methods)
    try:
        result = saliency_manipulation(model, texts, target=args.target, runs=runs, score=args.score, steps=args.steps)
    except FaithlensError as exc:  # a sample count as its spec gives it: this command has no --samples option
        from ..evaluate.specs import in_spec_words

        from ..audit.manipulation import runs_of

        said = str(exc)
        for run in runs_of(runs):
            said = "\n".join(in_spec_words(line, run.method) if line.startswith(f"Method {run.label}: ") else line
                              for line in said.split("\n"))
        raise FaithlensError(said) from None
    return _emit(result, args.out)


def run_reduce(args) -> int:
    from ..audit.reduction import input_reduction
    from ..model import load_model

    _check_out(args, "file")  # before any work

    model = load_model(args.model)
    texts = _texts(args.data, args.split, args.limit, args, model=model, default=ANALYSIS_LIMIT)
    beams = _sizes(args.beams, "--beams")
    result = {f"beam_{b}": input_reduction(model, texts, beam_size=b).summary() for b in beams}
    return _emit(result, args.out)


def run_hotflip(args) -> int:
    from ..audit.hotflip import hotflip
    from ..model import load_model

    _check_out(args, "file")  # before any work

    model = load_model(args.model)
    texts = _texts(args.data, args.split, args.limit, args, model=model, default=ANALYSIS_LIMIT)
    return _emit(hotflip(model, texts).summary(), args.out)


# --- helpers ---------------------------------------------------------------------------------------

def _data(args, data: str, split: str | None, *, part: int, model=None, training: bool = False):
    """The dataset, or with --holdout its training part (0) or held-out part (1). With ``model``, the data's shape
    is checked against its task first (`task_inputs.check_data_task`: a QA model reads questions with contexts, a
    classifier texts or pairs), before any model pass; ``training`` refuses (not warns about) pairs given to a
    single-text classifier and the reverse. Only `facade regularise` reads gold labels: the other commands read the
    texts only (`data.load_dataset` with ``labels=False``), so a label column is neither read nor checked."""
    from ..data import holdout, load_dataset
    from ..task_inputs import QA_PAIRS_DATA, check_data_task

    labels = getattr(args, "facade_command", None) == "regularise"  # only regularising reads gold labels
    option = next((o for o in ("data", "check") if getattr(args, o, None) == data), "data")
    note = None if args is None else (f"--{option} {data}", f"facade {args.facade_command}")
    split = None if Path(data).expanduser().is_file() else split  # a file is read whole
    dataset = load_dataset(data, split=split, labels=labels, model=model, note=note)
    if model is not None:
        check_data_task(model, dataset, how=QA_PAIRS_DATA, run=f"facade {args.facade_command}", training=training)
    holdout_fraction = getattr(args, "holdout", None)
    if holdout_fraction is None and part == 1 and model is not None and data == getattr(args, "data", None):
        from ..splits import check_not_train  # an analysis of the whole file: is it the model's --train file?

        check_not_train(model.info, data)
    if holdout_fraction is None or data != getattr(args, "data", None):
        return dataset
    chosen = holdout(dataset, holdout_fraction, args.split_seed)[part]
    if part == 1 and model is not None:  # the held-out part against the one the model's card records train held out
        from ..splits import check_held_out

        check_held_out(model.info, chosen.info["holdout"]["record"],
                       items="articles" if chosen.groups is not None else "examples")
    return chosen


def _texts(data: str, split: str | None, limit: int | None, args=None, *, model=None, default: int | None = None) -> list:
    """The texts of --data (or --check), the first --limit of them (``default`` without it: a smaller file is then
    used whole without a warning, `dataset.select`)."""
    from ..data import select

    chosen = default if limit is None else limit
    return list(select(_data(args, data, split, part=1, model=model), limit=chosen, said=limit is not None).texts)


def _merge_form(value: str) -> str:
    """--form of `facade merge`: the sum form is an in-memory wrapper that cannot be saved, and the command always
    saves (--out), so it is offered in Python only; naming it says where."""
    if value == "sum":
        raise argparse.ArgumentTypeError("the sum form is an in-memory wrapper that cannot be saved, and facade merge "
                                         "always saves its model (--out), so the command line offers only "
                                         "--form intertwined. Use the sum form in Python: "
                                         "faithlens.audit.merge_models(f, g, form='sum')")
    return value


def _emit(result: dict, out: str | None) -> int:
    text = json.dumps(result, indent=2)
    if out:
        write_atomic(out, text + "\n")
    print(text)
    return 0


SIZES = ("limit", "steps", "batch_size", "max_length", "eval_every", "heldout", "width_divisor")
DATA_OPTIONS = ("data", "calibrate", "check")
CALIBRATION_TEXTS = 500  # --gain auto reads the first 500 texts of --calibrate (all of a smaller file, without a warning)


def _check_common(args) -> None:
    """Sizes (--limit, --steps, ...), fractions and data paths of every facade subcommand, before any work."""
    from ..audit.facade_spec import check_facade_number
    from .train_model import _check_data_source, check_split_option

    for name in SIZES:
        value = getattr(args, name, None)
        if value is not None and value < 1:
            raise FaithlensError(f"--{name.replace('_', '-')} must be a positive int. Got {value}.")
    for name in ("lr", "lambda_g", "lambda_m", "lambda_rp", "size_margin"):  # one rule with train_facade's
        if getattr(args, name, None) is not None:
            check_facade_number(name, getattr(args, name), of="setting")
    for name in DATA_OPTIONS:
        _check_data_source(f"--{name}", getattr(args, name, None))
    data = "check" if getattr(args, "facade_command", None) == "merge" else "data"
    check_split_option(getattr(args, data, None), getattr(args, "split", None), option=f"--{data}")
    if getattr(args, "methods", None) is not None:
        from ..audit.manipulation import check_steps_read

        check_steps_read(_parse_runs(args.methods), getattr(args, "steps", None), option="--steps")
    if getattr(args, "beams", None) is not None:
        _sizes(args.beams, "--beams")


def _sizes(text: str, option: str) -> list[int]:
    try:
        sizes = [int(b) for b in text.split(",")]
    except ValueError:
        sizes = []
    if not sizes or any(b < 1 for b in sizes):
        raise FaithlensError(f"{option} must be comma-separated positive ints, e.g. 1,3. Got {text!r}.")
    if option == "--beams":
        from ..audit.reduction import MAX_BEAM

        if max(sizes) > MAX_BEAM:
            raise FaithlensError(f"--beams {text}: a beam is at most {MAX_BEAM} (every step evaluates up to beam × "
                                 "tokens candidates per text; the FACADE paper used 1, AllenNLP 3). Pass e.g. 1,3.")
    if len(set(sizes)) < len(sizes):  # one result per size: a repeat would run it twice and keep one
        raise FaithlensError(f"{option} {text!r} lists a size twice. List each once, e.g. "
                             f"{','.join(map(str, dict.fromkeys(sizes)))}.")
    return sizes


def _parse_runs(words: str | list[str]) -> tuple:
    """--methods of `facade saliency`: method specs separated by spaces or commas, read by evaluate's parser
    (`faithlens.evaluate.parse_method`: ``ig:steps=5``, ``sig:closed``) and checked before the model loads. A comma
    starts a new spec where a method's name follows it (``sig:closed,ig``); otherwise it separates the settings of one
    spec (``ig:steps=5,rule=leja``)."""
    from ..audit.manipulation import runs_of
    from ..names import METHODS

    text = ",".join([words] if isinstance(words, str) else words)
    names: list[str] = []
    for piece in (m.strip() for m in text.split(",")):
        starts = piece.partition(":")[0] in METHODS or not names or not piece or ":" not in names[-1]
        if starts:
            names.append(piece)
        else:  # a setting of the spec before it
            names[-1] += "," + piece
    if not any(names):
        raise FaithlensError(f"--methods is empty. Pass comma-separated method specs, e.g. sig:closed,ig:steps=20. "
                             f"Got {text!r}.")
    if not all(names):  # as a blank method name is refused everywhere else (evaluate, the web app)
        raise FaithlensError(f"--methods {text!r} has a blank entry (two commas, or one at an end). Pass comma-separated "
                             f"method specs with none empty, e.g. {','.join(n for n in names if n)}.")
    return tuple(runs_of(names))


def _check_out(args, kind: str) -> None:
    """--out is checked before any work: a folder (train, merge, regularise) or a JSON file (the analyses); the
    sizes and paths of the subcommand first (`_check_common`), so a refused command creates no folder."""
    from ..files import check_holds_no_input, check_output_file, check_output_folder, check_replaceable_folder

    _check_common(args)
    inputs = {f"--{name.replace('_', '-')}": getattr(args, name, None) for name in
              ("model", "data", "init_from", "facade", "calibrate", "check")}
    if kind == "folder" and getattr(args, "out", None) is not None:
        check_replaceable_folder(args.out, option="--out")
        check_holds_no_input(args.out, inputs)
    if getattr(args, "out", None) is not None:
        args.out = str(check_output_folder(args.out, option="--out") if kind == "folder" else
                       check_output_file(args.out, option="--out", suffix=".json", inputs=inputs))
