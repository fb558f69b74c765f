"""`faithlens train`: fine-tune a local encoder into a sentiment/text classifier on any labelled dataset."""

from __future__ import annotations

import argparse
import json
import random


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train",
        help="fine-tune an encoder (default: the bundled MiniLM) on a labelled dataset",
        description="Fine-tune a local or packaged encoder on a labelled dataset (a .tsv/.csv/.jsonl file, a GLUE folder, "
        "or 'rotten_tomatoes') and save a classifier folder usable with --model.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--base", default=None, help="encoder folder or hub id (default: the bundled all-MiniLM-L6-v2)")
    p.add_argument("--train", required=True, help="training data: file, GLUE folder or 'rotten_tomatoes'")
    p.add_argument("--validation", default=None, help="validation data (file); default: none, or the bundled split")
    p.add_argument("--test", default=None, help="test data (file with labels); default: none")
    p.add_argument("--text-column", default=None)
    p.add_argument("--label-column", default=None)
    p.add_argument("--labels", nargs="+", default=None, help="label names in index order (default: negative positive for 2 classes)")
    p.add_argument("--subset", type=int, default=None, help="train on a seeded random subset of this many examples")
    p.add_argument("--subset-seed", type=int, default=0)
    p.add_argument("--out", required=True, help="folder to write the fine-tuned model into")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--max-length", type=int, default=128)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--overwrite", action="store_true")
    p.set_defaults(run=run)


def run(args) -> int:
    from ..data import load_dataset
    from ..default_model import base_encoder_path
    from ..errors import FaithlensError
    from ..training import fine_tune

    def split(source, which):
        if source is None:
            return [], []
        data = load_dataset(source, split=which, text_column=args.text_column, label_column=args.label_column)
        if not all(y is not None for y in data.labels):
            raise FaithlensError(f"Every example of {source!r} needs a label to train or measure accuracy. Some have none "
                                 "(e.g. GLUE test files). Pass a labelled file.")
        return list(data.texts), [int(y) for y in data.labels]

    train = split(args.train, "train")
    validation = split(args.validation, "validation")
    if args.validation is None and args.train == "rotten_tomatoes":
        validation = split("rotten_tomatoes", "validation")
    test = split(args.test, "test")
    subset_note = None
    if args.subset is not None and args.subset < len(train[0]):
        index = list(range(len(train[0])))
        random.Random(args.subset_seed).shuffle(index)
        index = sorted(index[: args.subset])
        subset_note = f"seeded subset (seed {args.subset_seed}) of {args.subset} of {len(train[0])} examples"
        train = ([train[0][i] for i in index], [train[1][i] for i in index])
    n_classes = max(train[1]) + 1
    labels = args.labels or (["negative", "positive"] if n_classes == 2 else [f"LABEL_{i}" for i in range(n_classes)])
    record = fine_tune(
        base_model=args.base or base_encoder_path(), train=train, validation=validation, test=test, out_dir=args.out,
        label_names=labels, epochs=args.epochs, lr=args.lr, batch_size=args.batch_size, max_length=args.max_length,
        seed=args.seed, overwrite=args.overwrite,
        extra_info={"dataset": {"train": args.train, "validation": args.validation, "test": args.test, "subset": subset_note}},
    )
    print(json.dumps({"out": args.out, "metrics": record["metrics"], "seconds": record["seconds"]}, indent=2))
    return 0
