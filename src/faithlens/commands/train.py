"""`faithlens train-default`: build (or rebuild) the bundled default sentiment model and print its accuracy."""

from __future__ import annotations

import argparse
import json


def register(sub) -> None:
    p = sub.add_parser("train-default", help="fine-tune the bundled default model (MiniLM on Rotten Tomatoes)",
                       description="Fine-tune all-MiniLM-L6-v2 on the Rotten Tomatoes snippets into faithlens's default "
                                   "sentiment classifier, cache it, and print its held-out accuracy.")
    p.add_argument("--force", action="store_true", help="retrain even if a cached model exists")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..default_model import default_model_dir, train_default_model

    info = train_default_model(force=args.force, progress=True)
    keys = ("validation_accuracy", "test_accuracy", "seconds")
    summary = {k: info.get(k) for k in keys if k in info} or info
    print(json.dumps(summary, indent=2, default=str))
    print(f"model folder: {default_model_dir()}")
    return 0
