"""`faithlens train`: fine-tune a local encoder into a text classifier (single texts or pairs) or an
extractive QA model on any labelled dataset."""

from __future__ import annotations

from ..options import fraction_arg, seed_arg

import json
import random
import sys


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train",
        help="fine-tune an encoder (default: the bundled MiniLM) on a labelled dataset",
        description="Fine-tune a local or packaged encoder on a labelled dataset and save a model folder usable with "
        "--model: a classifier of single texts or text pairs (a .tsv/.csv/.jsonl file — pairs from premise/hypothesis "
        "or sentence1/sentence2 columns, or --text-column/--pair-column —, a GLUE folder, or 'rotten_tomatoes'), or, "
        "with --task qa, an extractive QA model on a SQuAD v1.1-format .json file (or a .jsonl of one question per "
        "line, as Hugging Face datasets writes SQuAD).",
    )
    p.add_argument("--base", default=None, help="encoder folder or hub id (default: the bundled all-MiniLM-L6-v2)")
    p.add_argument("--train", required=True, help="training data: file, GLUE folder or 'rotten_tomatoes'")
    p.add_argument("--validation", default=None, help="validation data (file); default: none, or the bundled split")
    p.add_argument("--test", default=None, help="test data (file with labels); default: none")
    p.add_argument("--task", choices=["classification", "qa"], default="classification",
                   help="classification (single texts or pairs) or qa (SQuAD-format data)")
    p.add_argument("--holdout", type=fraction_arg, default=None, metavar="FRACTION",
                   help="hold out this fraction of --train as the test split, seeded by --split-seed (QA: whole articles)")
    p.add_argument("--split-seed", type=seed_arg, default=None,
                   help="seed of the --holdout split, given only with --holdout (default: 0)")
    p.add_argument("--text-column", default=None, help="column of the (first) text (default: found from the column names)")
    p.add_argument("--pair-column", default=None, help="second text of a pair (default: found from the column names)")
    p.add_argument("--label-column", default=None, help="column of the label (default: found from the column names)")
    p.add_argument("--labels", nargs="+", default=None,
                   help="label names in index order; also maps named labels in the data (default: negative positive "
                        "for 2 numeric classes, LABEL_0 LABEL_1 ... for more, and named labels in sorted order)")
    p.add_argument("--subset", type=int, default=None, help="train on a seeded random subset of this many examples")
    p.add_argument("--subset-seed", type=seed_arg, default=None,
                   help="seed of the --subset draw, given only with --subset (default: 0)")
    p.add_argument("--out", required=True, help="folder to write the fine-tuned model into")
    p.add_argument("--epochs", type=int, default=1, help="passes over the training data")
    p.add_argument("--lr", type=float, default=1e-4, help="peak learning rate (AdamW, linear warm-up and decay)")
    p.add_argument("--batch-size", type=int, default=32, help="examples per optimiser step")
    p.add_argument("--max-length", type=int, default=None, help="tokens per input (default 128; 384 for qa)")
    p.add_argument("--stride", type=int, default=None,
                   help="qa: overlap of a long context's windows, in tokens (default 128)")
    p.add_argument("--seed", type=seed_arg, default=0, help="seed of initialisation and data order")
    p.add_argument("--overwrite", action="store_true", help="replace an existing --out folder")
    p.set_defaults(run=run)


def _mixed_labels(what: str, names) -> FaithlensError:
    """Class indices in one of train's files, label names in another (``what``): which index is which name cannot be
    told; the fix names the label names (``names``) in --labels."""
    from ..errors import FaithlensError

    return FaithlensError(f"{what}, so which index is which name cannot be told. Pass --labels with one name per class "
                          f"in index order (e.g. --labels {' '.join(map(str, names))}) to read both alike, or write one "
                          "kind of label in every file.")


def check_train_options(args) -> None:
    """Sizes, rates and paths of `faithlens train`, checked before any work: never replaced by a default,
    never left to a traceback deep in the tokenizer or the training loop."""
    import math

    from ..errors import FaithlensError
    from ..model import check_model_source
    from ..model_folder import check_single_label_base
    from ..training import MAX_TRAIN_LENGTH, check_label_names, check_stride

    for option, value in (("--subset", args.subset), ("--max-length", args.max_length), ("--epochs", args.epochs),
                          ("--batch-size", args.batch_size)):
        if value is not None and value < 1:
            raise FaithlensError(f"{option} must be a positive int. Got {value}.")
    if args.max_length is not None and args.max_length > MAX_TRAIN_LENGTH:
        raise FaithlensError(f"--max-length must be at most {MAX_TRAIN_LENGTH} tokens. Got {args.max_length:,}.")
    if not (math.isfinite(args.lr) and 0 < args.lr < 1):
        raise FaithlensError(f"--lr must be a number in (0, 1), e.g. 5e-5. Got {args.lr}.")
    if args.task == "qa" and args.stride is not None:
        check_stride(args.stride, option="--stride")  # against --max-length once the questions are read (qa.check_windows)
    elif args.stride is not None and args.task != "qa":
        raise FaithlensError("--stride sets the overlap of a QA context's windows; it does nothing with --task "
                             "classification. Drop it, or pass --task qa.")
    given = [o for o, v in (("--text-column", args.text_column), ("--pair-column", args.pair_column), ("--label-column",
             args.label_column), ("--labels", args.labels), ("--validation", args.validation)) if v is not None]
    if args.task == "qa" and given:
        raise FaithlensError(f"{' and '.join(given)} read{'s' if len(given) == 1 else ''} classification data; --task qa "
                             f"reads SQuAD files (--train, --test, --holdout). Drop {'it' if len(given) == 1 else 'them'}.")
    for option, value in (("--train", args.train), ("--validation", args.validation), ("--test", args.test)):
        _check_data_source(option, value)
        if args.task != "qa":
            _check_folder_split(option, value)
    _check_columns(args)
    if args.labels is not None:
        check_label_names(args.labels, option="--labels option")
    if args.base is not None:
        check_model_source(args.base, option="--base")
        if args.task != "qa":
            check_single_label_base(args.base, option="--base")


def _check_columns(args) -> None:
    """One column read as two things (the text and the label, the text and its pair) is refused, naming it."""
    from ..data import check_distinct_columns

    check_distinct_columns(text=args.text_column, pair=args.pair_column, label=args.label_column)


def _check_out(args) -> None:
    """--out is created and probed for writing after the data is read and checked, before any model loads: a
    folder that cannot be written is named now, not after training (`files.check_output_folder`)."""
    from pathlib import Path

    from ..files import check_holds_no_input, check_output_folder, check_replaceable_folder

    check_replaceable_folder(args.out, option="--out")
    if Path(args.out).expanduser().is_file():
        return  # fine_tune names it: "--out must be a folder"
    check_holds_no_input(args.out, {"--train": args.train, "--validation": args.validation, "--test": args.test,
                                    "--base": args.base})
    check_output_folder(args.out, option="--out")


def _check_data_source(option: str, value: str | None) -> None:
    """A data option naming a path (./x, x.tsv, x/y.json, a link) that does not exist is an error naming the option."""
    import os
    from pathlib import Path

    from ..data import BUNDLED, _looks_like_path, refuse_standard_input
    from ..errors import FaithlensError

    if value is None or value in BUNDLED:
        return
    refuse_standard_input(value, option=option)
    if not value.strip():
        raise FaithlensError(f"{option} is empty. Pass a data file, a GLUE folder or 'rotten_tomatoes'.")
    path = Path(value).expanduser()
    if not path.exists() and os.path.lexists(path):  # a broken link (or a loop of links) is a path, never a dataset name
        from ..model_source import broken_link

        raise FaithlensError(f"{option} {value}: no such file or folder: {broken_link(path)}. Point the link at the data, "
                             "or pass the data file itself.")
    if not path.exists() and (_looks_like_path(value) or "/" in value.rstrip("/").split("/", 1)[-1] or value.endswith("/")):
        raise FaithlensError(f"{option} {value}: no such file or folder. Check the path.")


def _check_folder_split(option: str, value: str | None) -> None:
    """A GLUE folder given to --train, --validation or --test is read by its split's file (train.tsv, validation.tsv,
    test.tsv); train has no --split, so a folder without that file is refused naming the file to pass instead."""
    from pathlib import Path

    from ..data import split_file

    if value is not None and Path(value).expanduser().is_dir():
        split_file(Path(value).expanduser(), option.lstrip("-"), option=option)


def check_split_option(data: str | None, split: str | None, *, option: str = "--data") -> None:
    """--split names a split of 'rotten_tomatoes', of a GLUE folder or of a hub dataset; with a data file it would be
    ignored, so it is refused."""
    from pathlib import Path

    from ..errors import FaithlensError

    if split is not None and data is not None and Path(data).expanduser().is_file():
        raise FaithlensError(f"--split {split} picks a split of 'rotten_tomatoes', a GLUE folder or a hub dataset; "
                             f"{option} {data} is a file, read whole. Drop --split, or pass the folder holding "
                             f"{split}.tsv.")


def run(args) -> int:
    from ..data import load_dataset
    from ..gold_labels import refuse_case_clash, refuse_number_names
    from ..training import check_label_names
    from ..default_model import base_encoder_path
    from ..errors import FaithlensError
    from ..training import fine_tune

    check_train_options(args)  # before any data is read or model loaded
    if args.holdout is not None and args.test is not None:
        raise FaithlensError("Pass either --test or --holdout, not both.")
    if args.task == "qa":
        return _run_qa(args)
    names: list[str] | None = args.labels
    spelled: list[tuple[str, dict]] = []  # (file, {whole-number label spelling: first line}) read as class indices
    indices: list[tuple[str, str]] = []  # (split, file) whose labels were read as class indices, with no names
    files: dict[str, str] = {}  # split: the file (or dataset) it was read from

    def split(source, which):
        from pathlib import Path

        nonlocal names
        if source is None:
            return [], []
        columns = dict(split=None if Path(source).expanduser().is_file() else which, text_column=args.text_column, label_column=args.label_column,
                       pair_column=args.pair_column)
        if args.labels is None and names is not None and load_dataset(source, **columns).info.get("digit_labels"):
            raise _mixed_labels(f"--{which} {source} gives class indices, but an earlier file gives label names "
                                f"({', '.join(map(str, names))})", names)
        data = load_dataset(source, label_names=names, **columns)
        spelled.append((data.source, data.info.get("digit_labels") or {}))
        files[which] = data.source  # the file read (a folder's split file), for `splits.check_unseen`
        if data.info.get("squad") and which != "train":  # a QA file beside a classifier's --train
            option = "--test" if which == "test" else "--validation"
            raise FaithlensError(f"{option} {source!r} is laid out as a SQuAD-format file (questions with their "
                                 f"answers), but --train {args.train!r} is read as classification data: {option} "
                                 "must be labelled texts like --train (a .tsv, .csv or .jsonl with a label column). "
                                 "If --train is a SQuAD file too, pass --task qa; a QA run takes no --validation "
                                 "(use --test or --holdout to hold questions out).")
        if data.info.get("squad"):  # questions with answers, not labelled texts: a QA model's training data
            raise FaithlensError(f"{source!r} is laid out as a SQuAD-format file (a JSON object with a top-level "
                                 "\"data\" list, as SQuAD holds questions with their answers in a context), which "
                                 f"trains a question-answering model: pass --task qa (faithlens train --task qa --train "
                                 f"{source} --out DIR). Without --task qa, train fine-tunes a classifier on labelled "
                                 "texts (a .tsv, .csv or .jsonl with a label column).")
        if not all(y is not None for y in data.labels):
            raise FaithlensError(f"Every example of {source!r} needs a label to train or measure accuracy. Some have none "
                                 "(e.g. GLUE test files). Pass a labelled file.")
        if names is None:  # "-1", "0.5": numbers that are no class index, with no label names to read them against
            refuse_number_names(data.info, data.source)
            refuse_case_clash(data.info)  # 'Pos' and 'pos': a new head's classes would be ambiguous
        if names is None and data.label_names and indices:  # words here, class indices in a file read before
            raise _mixed_labels(f"--{which} {source} gives label names ({', '.join(map(str, data.label_names))}), but "
                                f"--{indices[0][0]} {indices[0][1]} gives class indices", data.label_names)
        if names is None and not data.label_names:
            indices.append((which, source))
        if names is None and len(data.label_names or ()) > 1:  # names found in the data: a refusal names the file
            check_label_names(list(data.label_names), option=f"class list read from --{which} {data.source!r} (its label "
                                                             "names, sorted)")
        names = names or (list(data.label_names) if data.label_names else None)
        return list(data.texts), [int(y) for y in data.labels]

    train = split(args.train, "train")
    _check_two_classes(train[1], names, args.train)  # before the other files, --holdout and --subset
    validation = split(args.validation, "validation")
    if args.validation is None and args.train == "rotten_tomatoes":
        validation = split("rotten_tomatoes", "validation")
    test = split(args.test, "test")
    _check_same_data(args, train, validation, test, names, files)  # before --holdout, --subset and any model
    n_classes = max(train[1] + validation[1] + test[1]) + 1  # every file, before any holdout or subset
    absent = sorted(set(range(n_classes)) - set(train[1] + validation[1] + test[1]))
    if absent:  # labels 0 and 2: a class 1 no example has
        seen = ", ".join(map(str, sorted(set(train[1] + validation[1] + test[1]))))
        what = (f"class{'es' if len(absent) > 1 else ''} {', '.join(map(str, absent))} "
                f"{'have' if len(absent) > 1 else 'has'} no example in any file")
        if args.labels is None:
            raise FaithlensError(f"The data's labels are {seen} (as class indices): {what}, so the model would get "
                                 f"{n_classes} classes, one it never sees. Renumber the labels 0..{n_classes - len(absent) - 1} "
                                 f"in the files, or pass --labels with {n_classes} names to keep the empty class on purpose.")
        print(f"faithlens: warning: {what} (the data's labels are {seen} of {n_classes} named by --labels): the model "
              "never sees it in training.", file=sys.stderr)
    holdout_note = held_out = None
    if args.holdout is not None:
        from ..data import holdout_split
        from ..splits import held_out_record

        kept, held = holdout_split(len(train[0]), args.holdout, args.split_seed, source=args.train)
        held_out = held_out_record([train[0][i] for i in held], args.holdout, args.split_seed, len(train[0]))
        test = ([train[0][i] for i in held], [train[1][i] for i in held])
        train = ([train[0][i] for i in kept], [train[1][i] for i in kept])
        holdout_note = (f"seeded (seed {args.split_seed}) {args.holdout:g} of {len(kept) + len(held)} examples held out "
                        f"as the test split: {len(held)} ({100 * len(held) / (len(kept) + len(held)):.3g} %)")
        _check_left(train[1], f"--holdout {args.holdout:g}", "a smaller --holdout or another --split-seed", args.train)
    index, subset_note = _subset(args, len(train[0]), "training examples")
    if index is not None:
        train = ([train[0][i] for i in index], [train[1][i] for i in index])
        _check_left(train[1], f"--subset {args.subset}", "a larger --subset or another --subset-seed", args.train)
    labels = names or (["negative", "positive"] if n_classes == 2 else [f"LABEL_{i}" for i in range(n_classes)])
    if len(labels) != n_classes:
        raise FaithlensError(f"The data has {n_classes} classes (labels 0..{n_classes - 1}) but {len(labels)} label "
                             f"names were given: {labels}. Pass exactly one name per class in index order, e.g. "
                             f"--labels {' '.join(labels[:n_classes]) if len(labels) > n_classes else 'negative positive'}.")
    _check_base_reading(args.base, n_classes, spelled if args.labels is None else [], names)  # the kept head's classes
    _check_out(args)  # before the model loads
    record = fine_tune(
        base_model=args.base or base_encoder_path(), train=train, validation=validation, test=test, out_dir=args.out,
        label_names=labels, epochs=args.epochs, lr=args.lr, batch_size=args.batch_size,
        max_length=args.max_length or 128, seed=args.seed, overwrite=args.overwrite,
        extra_info={"dataset": {"train": args.train, "train_sha256": _train_digest(args.train),
                                "validation": args.validation, "test": args.test, "holdout": holdout_note, "held_out": held_out, "subset": subset_note,
                                "pairs": bool(train[0]) and isinstance(train[0][0], tuple)}},
    )
    shown = {"out": args.out, "metrics": record["metrics"], "seconds": record["seconds"]}
    print(json.dumps(dict(shown, holdout=holdout_note) if holdout_note else shown, indent=2))  # the split made
    return 0


def _train_digest(train: str) -> str | None:
    """SHA-256 of the --train file (None for a folder or the built-in dataset), which the model's card records as
    dataset.train_sha256 so an audit of that file without --holdout is told it reads training examples
    (`splits.check_not_train`), also of a copy or from another folder."""
    from pathlib import Path

    from ..checkpoint import file_digest

    return file_digest(train) if Path(train).is_file() else None


def _check_base_reading(base: str | None, n_classes: int, spelled: list[tuple[str, dict]],
                        names: list[str] | None) -> None:
    """A --base folder holding a classifier with ``n_classes`` outputs keeps its head (`model_folder.load_base`): the
    data's labels must not name other classes of the base (`gold_labels.check_base_reading`). A hub id is not read
    here: no config to read before the model loads."""
    from pathlib import Path

    from ..gold_labels import check_base_reading

    config = Path(base).expanduser() / "config.json" if base else None
    if config is None or not config.is_file():
        return
    try:
        id2label = json.loads(config.read_text(encoding="utf-8")).get("id2label") or {}
        labels = [str(id2label[k]) for k in sorted(id2label, key=int)]
    except (OSError, ValueError, AttributeError, TypeError):
        return  # an unreadable config is named when the model loads (`model_source.check_model_source`)
    if len(labels) == n_classes:
        for source, spellings in [(repr(f), spellings) for f, spellings in spelled] or [("--labels", {})]:
            check_base_reading(labels, spellings=spellings, names=names, source=source, base=str(base))


_UNSEEN_FIX = ("drop it and pass --holdout FRACTION (e.g. --holdout 0.2) to hold out part of --train as the test "
               "split")  # both train paths (`splits.check_unseen`)


def _check_same_data(args, train, validation, test, names: list[str] | None, files: dict[str, str]) -> None:
    """--validation and --test hold the kind of input --train holds (single texts or text pairs) and only classes
    --train has examples of: each named by its file (`training.check_split_inputs`, `training.check_split_classes`);
    neither is the training file, and examples they share with it are counted in a warning (`splits.check_unseen`)."""
    from ..splits import check_unseen
    from ..training import check_split_classes, check_split_inputs

    validation_source = args.validation or ("rotten_tomatoes" if args.train == "rotten_tomatoes" else None)
    named = [(f"--{option} {source}", data) for option, source, data in (
        ("train", args.train, train), ("validation", validation_source, validation), ("test", args.test, test))
        if source is not None]
    check_split_inputs([(name, texts) for name, (texts, _) in named],
                       pairs_how="a file with two text columns: premise and hypothesis, or others named by "
                                 "--text-column and --pair-column",
                       texts_how="a file with one text column")
    check_unseen((named[0][0], files.get("train"), train[0]),
                 [(name, files.get(which), data[0]) for (name, data), which in zip(named[1:], [
                     w for w, source in (("validation", validation_source), ("test", args.test)) if source is not None])],
                 fix=_UNSEEN_FIX)
    train_name, (_, train_labels) = named[0]
    for name, (_, labels) in named[1:]:
        check_split_classes([(train_name, train_labels), (name, labels)], label_names=names,
                            fix=f"drop those examples from {name}")


def _check_two_classes(labels: list[int], names: list[str] | None, source: str) -> None:
    """A training set whose examples are all of one class is refused as that, plainly: no option of train can help
    (--holdout and --subset only take examples away)."""
    from ..errors import FaithlensError

    if len(set(labels)) < 2:
        c = labels[0]
        named = f" ({names[c]})" if names and c < len(names) else ""
        raise FaithlensError(f"Every training example of {source} ({len(labels)}) is class {c}{named}; a classifier "
                             "needs examples of at least two classes. Add examples of another class to the training "
                             "data.")


def _check_left(labels: list[int], option: str, fix: str, source: str) -> None:
    """The training examples left by --holdout or --subset (``option``) have two classes or more, as the data does
    (`_check_two_classes`); else the option is named as the one that took them, with ``fix``."""
    from ..errors import FaithlensError

    if len(set(labels)) < 2:
        left = f"{len(labels)} example(s), all of class {labels[0]}" if labels else "no examples"
        raise FaithlensError(f"The training split left by {option} has {left}; a classifier needs examples of at least "
                             f"two classes, and --train {source} has them. Pass {fix}.")


def _subset(args, n: int, what: str) -> tuple[list[int] | None, str | None]:
    """--subset for every task, one rule: the sorted indices of a seeded random subset of ``args.subset`` of the ``n``
    examples and the note the run records; (None, None) without --subset, or when it is not smaller than ``n`` (then
    a note says all ``n`` are used, rather than nothing)."""
    if args.subset is None:
        return None, None
    if args.subset >= n:
        print(f"faithlens: note: --subset {args.subset} is not smaller than the {n} {what}; training on all {n}.",
              file=sys.stderr)
        return None, None
    index = list(range(n))
    random.Random(args.subset_seed).shuffle(index)
    return sorted(index[: args.subset]), f"seeded subset (seed {args.subset_seed}) of {args.subset} of {n} examples"


def _run_qa(args) -> int:
    from ..default_model import base_encoder_path
    from ..qa import read_squad, split_by_article
    from ..splits import check_unseen
    from ..training import fine_tune_qa

    train = read_squad(args.train)
    test = read_squad(args.test) if args.test else []
    if args.test:  # not the training questions, checked before --holdout, --subset and any model (`splits.check_unseen`)
        check_unseen((f"--train {args.train}", args.train, train), [(f"--test {args.test}", args.test, test)],
                     fix=_UNSEEN_FIX)
    note = held_out = None
    if args.holdout is not None:
        from ..splits import held_out_record

        titles = len({e.title for e in train})
        train, test = split_by_article(train, test_fraction=args.holdout, seed=args.split_seed, source=args.train)
        held_out = held_out_record({e.title for e in test}, args.holdout, args.split_seed, titles)
        note = (f"whole articles held out (seed {args.split_seed}): {len({e.title for e in test})} articles, "
                f"{len(test)} questions of {len(train) + len(test)} ({100 * len(test) / (len(train) + len(test)):.3g} %; "
                f"--holdout {args.holdout:g} asked {100 * args.holdout:.3g} %)")
    _check_out(args)  # before the model loads
    index, subset_note = _subset(args, len(train), "training questions")
    if index is not None:
        train = [train[i] for i in index]
    record = fine_tune_qa(
        base_model=args.base or base_encoder_path(), train=train, test=test, out_dir=args.out, epochs=args.epochs,
        lr=args.lr, batch_size=args.batch_size, max_length=args.max_length or 384, stride=args.stride, seed=args.seed,
        overwrite=args.overwrite,
        extra_info={"dataset": {"train": args.train, "train_sha256": _train_digest(args.train), "test": args.test,
                                "holdout": note, "held_out": held_out,
                                "subset": subset_note,
                                "train_articles": len({e.title for e in train}),
                                "test_articles": len({e.title for e in test})}},
    )
    shown = {"out": args.out, "metrics": record["metrics"], "seconds": record["seconds"]}
    print(json.dumps(dict(shown, holdout=note) if note else shown, indent=2))  # the split made, as asked or not
    return 0
