"""The `faithlens` command line: thin — parses, calls the library, prints."""

from __future__ import annotations

import argparse
import importlib
import sys

from .errors import FaithlensError

# Each module exposes register(subparsers); its parser sets `run=fn(args) -> int`.
COMMANDS = (
    "faithlens.commands.explain",
    "faithlens.commands.train",
    "faithlens.commands.train_model",
    "faithlens.commands.evaluate",
    "faithlens.commands.facade",
    "faithlens.commands.audit",
)


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="faithlens",
        description="Explain transformer text classifiers word by word, and check whether to trust the explanation.",
    )
    parser.add_argument("--version", action="version", version=f"faithlens {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except FaithlensError as exc:
        print(f"faithlens: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("faithlens: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
