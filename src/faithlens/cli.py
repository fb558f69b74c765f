"""The `faithlens` command line: thin — parses, calls the library, prints."""

from __future__ import annotations

import argparse
import importlib
import re
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
    "faithlens.commands.serve",
    "faithlens.commands.rationales",
)

DEVICE_COMMANDS = ("explain", "evaluate", "audit", "serve")  # training and the FACADE tools run on the CPU


GLOBAL_OPTIONS = ("--threads", "--device")  # options of `faithlens` itself, given before the command


class Parser(argparse.ArgumentParser):
    """Every faithlens parser: options match by their full name only (no prefixes: ``--device`` after a
    command is never read as ``--device-map``), and an option of ``faithlens`` itself given after the
    command is named as such. Subcommand parsers are made of this class too (argparse's parser_class
    is the parent's class)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str):
        misplaced = [o for o in GLOBAL_OPTIONS if "unrecognized arguments" in message
                     and re.search(rf"(^|\s){re.escape(o)}(=|\s|$)", message.split(":", 1)[-1])]
        if misplaced:
            message += (f". {' and '.join(misplaced)} belong{'s' * (len(misplaced) == 1)} to faithlens itself: give "
                        f"{'them' if len(misplaced) > 1 else 'it'} before the command, e.g. faithlens {misplaced[0]} VALUE "
                        "explain TEXT")
        super().error(message)


def build_parser() -> argparse.ArgumentParser:
    from .version import __version__

    parser = Parser(
        prog="faithlens",
        description="Explain transformer text classifiers word by word, and check whether to trust the explanation.",
    )
    parser.add_argument("--version", action="version", version=f"faithlens {__version__}")
    parser.add_argument("--threads", type=int, default=None, metavar="N",
                        help="CPU threads for torch (default: torch's choice). On a shared machine, 1 per job is "
                             "often fastest: threads that wait for busy cores slow everything down.")
    parser.add_argument("--device", default=None, metavar="DEVICE",
                        help="where to compute: cpu (default), cuda, cuda:N or mps. Results agree with the CPU's to "
                             "float32 rounding (no TF32).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    for command in sub.choices.values():  # one formatter for every subcommand's --help
        command.formatter_class = DefaultOnce
    return parser


class DefaultOnce(argparse.RawDescriptionHelpFormatter):
    """Each option's default stated once: the help's own words when they name it ("default: ..."), else
    "(default: X)" appended, for options whose default is a value (not None, not a flag's False)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        unset = action.default is None or action.default is False or action.default == argparse.SUPPRESS  # 0 is a value
        if "default" in text.lower() or unset or not action.option_strings:
            return text
        value = " ".join(map(str, action.default)) if isinstance(action.default, (list, tuple)) else action.default
        return f"{text} (default: {value})".strip()


def main(argv: list[str] | None = None) -> int:
    try:
        try:
            return _main(argv)
        finally:  # also after --help: a closed pipe shows here, not in the interpreter's last flush
            sys.stdout.flush()
    except BrokenPipeError:  # output piped into `head` (or a closed pager): stop quietly
        from .files import silence_stdout

        silence_stdout()
        return 141  # 128 + SIGPIPE, what a shell reports for a command stopped by a closed pipe


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    if args.threads is not None:
        if args.threads < 1:
            print(f"faithlens: error: --threads must be a positive int. Got {args.threads} instead.", file=sys.stderr)
            return 2
        import torch

        torch.set_num_threads(args.threads)
    try:
        if args.device is not None:
            from .device import use_device

            if args.command not in DEVICE_COMMANDS:
                raise FaithlensError(f"--device works with {', '.join(DEVICE_COMMANDS)}; '{args.command}' runs on the CPU. "
                                     "Drop --device.")
            use_device(args.device)
        return int(args.run(args) or 0)
    except FaithlensError as exc:
        print(f"faithlens: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("faithlens: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
