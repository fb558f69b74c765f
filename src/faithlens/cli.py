"""The `faithlens` command line: thin — parses, calls the library, prints."""

from __future__ import annotations

import argparse
import importlib
import itertools
import re
import sys

from .errors import FaithlensError
from .gold_labels import reads_as_number

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

    def parse_known_args(self, args=None, namespace=None):
        self.given = list(sys.argv[1:] if args is None else args)  # what `error` looks through for a shortened option
        return super().parse_known_args(args, namespace)

    def error(self, message: str):
        misplaced = [o for o in GLOBAL_OPTIONS if "unrecognized arguments" in message
                     and re.search(rf"(^|\s){re.escape(o)}(=|\s|$)", message.split(":", 1)[-1])]
        if misplaced:
            message += (f". {' and '.join(misplaced)} belong{'s' * (len(misplaced) == 1)} to faithlens itself: give "
                        f"{'them' if len(misplaced) > 1 else 'it'} before the command, e.g. faithlens {misplaced[0]} VALUE "
                        "explain TEXT")
        elif hint := self._shortened():
            message += f". {hint}"
        super().error(message)

    def _shortened(self) -> str | None:
        """Options are matched by their full name only: a given ``--meth`` that starts one option of the command
        parsed (``--method``) is named with it."""
        parser, given = self, getattr(self, "given", [])
        commands = _commands(self)
        for i, word in enumerate(given):  # the root parser reports a subcommand's unknown options: use its parser
            if word in commands:
                parser, given = commands[word], given[i + 1:]
                while (nested := _commands(parser)) and given and given[0] in nested:
                    parser, given = nested[given[0]], given[1:]
                break
        known = [o for a in parser._actions for o in a.option_strings if o.startswith("--")]
        for word in given:
            if word == "--":
                break
            name = word.split("=", 1)[0]
            if name.startswith("--") and name not in known:
                starts = [o for o in known if o.startswith(name)]
                if starts:
                    return (f"{name} is not an option: options are given by their full name, not shortened "
                            f"(did you mean {' or '.join(starts[:3])}?)")
        return None


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
    commands = list(sub.choices.values())
    while commands:  # one formatter for every subcommand's --help, and theirs (facade train, ...)
        command = commands.pop()
        command.formatter_class = DefaultOnce
        commands += _commands(command).values()
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
    commands = _commands(parser)
    argv = _join_negative_values(sys.argv[1:] if argv is None else list(argv), parser)
    early = _option_before_command(argv, commands)
    if early is None and "--version" in argv and len(argv) > 1:  # argparse would print it and drop the rest unread
        early = (f"--version takes nothing else; got {' '.join(argv)!r}. Run `faithlens --version` alone, or leave "
                 "--version out.")
    if early is not None:
        print(f"faithlens: error: {early}", file=sys.stderr)
        return 2
    repeated = _repeated_option(argv, parser)
    if repeated is not None:
        print(f"faithlens: error: {repeated}", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    if args.threads is not None:
        from .options import check_threads

        try:
            check_threads(args.threads)
        except FaithlensError as exc:
            print(f"faithlens: error: {exc}", file=sys.stderr)
            return 2
        import torch

        torch.set_num_threads(args.threads)
    try:
        from .options import check_seed_options

        check_seed_options(args)  # --split-seed without --holdout, --subset-seed without --subset: refused
        if args.device is not None:
            from .device import use_device

            if args.command not in DEVICE_COMMANDS:
                raise FaithlensError(f"--device works with {', '.join(DEVICE_COMMANDS)}; '{args.command}' runs on the CPU. "
                                     "Drop --device.")
            use_device(args.device)
        from .new_folders import removing_new_folders

        with removing_new_folders():  # a refused or failed command leaves no folder it created (the output checks')
            code = int(_run(args, _options_of(commands.get(args.command))) or 0)
        if "faithlens.distributed" in sys.modules:  # a job under torchrun / accelerate launch ends together
            sys.modules["faithlens.distributed"].finish_world()
        return code
    except FaithlensError as exc:
        print(f"faithlens: error: {cli_words(str(exc), _options_of(commands.get(args.command)))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("faithlens: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # a path the system cannot name, met by the first check that looks at it
        import errno

        if exc.errno != errno.ENAMETOOLONG:
            raise
        import os
        from pathlib import PurePath

        parts = PurePath(str(exc.filename or "")).parts  # shown up to its first name too long (not a file beyond it)
        cut = next((i for i, part in enumerate(parts) if len(os.fsencode(part)) > 255), len(parts) - 1)
        name = str(PurePath(*parts[:cut + 1])) if parts else ""
        shown = repr(name if len(name) <= 80 else f"{name[:50]}…{name[-20:]}")
        print(f"faithlens: error: the path {shown} is too long for this system (a name in a path holds at "
              "most 255 bytes, a whole path about 4096). Choose a shorter file or folder name.", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace, options: set[str]) -> int | None:
    """The command, with each FaithlensWarning it raises printed as one line in the command line's words
    (``faithlens: warning: MESSAGE``, `cli_words`), not as Python's ``path:line: FaithlensWarning: ...`` and a line of
    faithlens's own code. Only the formatting changes: filters, and warnings recorded by a caller, are as before;
    other warnings (torch's, transformers') keep Python's form, and the Python API its usual warnings."""
    import warnings

    from .errors import FaithlensWarning

    python_form = warnings.formatwarning

    def one_line(message, category, filename, lineno, line=None) -> str:
        if issubclass(category, FaithlensWarning):
            return f"faithlens: warning: {cli_words(str(message), options)}\n"
        return python_form(message, category, filename, lineno, line)

    warnings.formatwarning = one_line
    try:
        return args.run(args)
    finally:
        warnings.formatwarning = python_form


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The subcommand parsers by name."""
    return next((a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction)), {})


def _options_of(parser: argparse.ArgumentParser | None) -> set[str]:
    """Every option string a command (and its own subcommands: facade train, ...) takes."""
    if parser is None:
        return set()
    found = set(parser._option_string_actions)
    for sub in _commands(parser).values():
        found |= _options_of(sub)
    return found


def _join_negative_values(argv: list[str], parser: argparse.ArgumentParser) -> list[str]:
    """``--tolerance -1e-3`` and ``--noise -inf`` as ``--tolerance=-1e-3``: argparse reads a token that starts with '-'
    as an option unless it looks like ``-1`` or ``-0.5``, so an exponent, inf or nan gave "expected one argument"
    where ``--noise -0.1`` reached the option's range check. Only an option that takes one value is joined with a
    number-like value; ``--labels -1 1`` (several values) is left to argparse, and tokens after ``--`` are texts."""
    joined: list[str] = []
    i = 0
    while i < len(argv):
        token = argv[i]
        if token == "--":
            return joined + argv[i:]
        subs = _commands(parser)
        if token in subs:  # a (sub)command: its own options from here on
            parser = subs[token]
        action = parser._option_string_actions.get(token) if token.startswith("-") else None
        value = argv[i + 1] if i + 1 < len(argv) else None
        if (isinstance(action, (argparse._StoreAction, argparse._AppendAction)) and action.nargs is None
                and value is not None and value.startswith("-") and value not in parser._option_string_actions
                and reads_as_number(value)):
            joined.append(f"{token}={value}")
            i += 2
            continue
        joined.append(token)
        i += 1
    return joined


def _repeated_option(argv: list[str], parser: argparse.ArgumentParser) -> str | None:
    """An option given an empty value (``--html ""``: skipped as if absent, or read as the current folder),
    or an option that takes values given twice (``--method occlusion --method sig``): argparse keeps the
    last and drops the first without a word. Options meant to repeat (``serve --model A --model B``,
    action="append") and flags are not counted. Tokens after ``--`` are texts, not options."""
    seen: dict[int, list[str]] = {}
    for i, token in enumerate(argv):
        if token == "--":
            break
        subs = _commands(parser)
        if token in subs:  # a (sub)command: its own options from here on
            parser, seen = subs[token], {}
            continue
        name, eq, value = token.partition("=")
        action = parser._option_string_actions.get(name) if token.startswith("-") else None
        if not isinstance(action, (argparse._StoreAction, argparse._AppendAction)):
            continue
        values = [value] if eq else argv[i + 1:i + 2] if action.nargs is None else \
            list(itertools.takewhile(lambda t: not t.startswith("-"), argv[i + 1:]))
        if any(not v.strip() for v in values):  # argparse takes '' as given; every reader would skip or misread it
            what = action.metavar or action.dest.upper()
            if isinstance(what, tuple) and len(values) == len(what):  # --pair TEXT_A TEXT_B: say which
                blank = " and ".join(m for m, v in zip(what, values) if not v.strip())
                return (f"{name} was given an empty {blank}; give {name} {' '.join(what)}, two non-empty texts, "
                        f"or drop {name}.")
            what = " ".join(what) if isinstance(what, tuple) else what
            return f"{name} was given an empty value; give it a value ({what}, see --help) or drop {name}."
        if isinstance(action, argparse._AppendAction):  # meant to repeat: only an empty value is refused
            continue
        if id(action) in seen:
            before = seen[id(action)]
            if action.nargs in ("+", "*"):
                return (f"{name} was given twice; list several values after one {name}: "
                        f"{' '.join([name, *before, *values])}")
            return (f"{name} was given twice ({' '.join(before)!r}, then {' '.join(values)!r}); it takes one value. "
                    f"Give {name} once.")
        seen[id(action)] = values
    return None


def _option_before_command(argv: list[str], commands: dict) -> str | None:
    """An option of a command given before the command (``faithlens --method x explain``): argparse would
    read the option's value as the command's name; say where options go instead."""
    i = 0
    while i < len(argv) and argv[i] not in commands:
        name = argv[i].split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            i += 1 if "=" in argv[i] else 2
            continue
        if name.startswith("-") and name not in ("-h", "--help", "--version"):
            command = next((a for a in argv[i:] if a in commands), None)
            owners = [c for c, p in commands.items() if name in _options_of(p)]
            if not owners:  # no command has it (a typo): argparse would read its value as the command's name
                import difflib

                close = difflib.get_close_matches(name, GLOBAL_OPTIONS, n=1)
                return (f"{name} is not an option of faithlens{f' (did you mean {close[0]}?)' if close else ''}. Only "
                        f"{' and '.join(GLOBAL_OPTIONS)} come before the command; a command's options go after its name, "
                        "e.g. faithlens --threads 1 explain TEXT --method sig (see faithlens --help).")
            if command is not None and command not in owners:
                return None  # another command's option: argparse's own error names it
            value = [argv[i + 1]] if "=" not in argv[i] and i + 1 < len(argv) and argv[i + 1] not in commands \
                and not argv[i + 1].startswith("-") else []
            example = " ".join(["faithlens", command or owners[0], "...", argv[i], *value])
            return (f"{name} is an option of {'the ' + repr(command) if command else 'a'} command, given before the "
                    f"command: options go after the command's name, e.g. {example}. Only "
                    f"{' and '.join(GLOBAL_OPTIONS)} come before it.")
        i += 1
    return None


# Python parameter names in library errors, and the option each is on the command line (only where the
# running command has that option): the CLI's messages name the options a user types.
PARAMETER_OPTIONS = {"per_token": "--per-token", "target_side": "--target-side", "out_dir": "--out",
                     "n_samples": "--samples", "batch_size": "--batch-size", "max_new_tokens": "--max-new-tokens",
                     "max_length": "--max-length", "base_model": "--base", "warn_above": "--warn-above",
                     "baseline_token": "--baseline-token", "text_column": "--text-column",
                     "label_column": "--label-column", "pair_column": "--pair-column",
                     "target_text": "--target-text", "label_names": "--labels",
                     "lambda_g": "--lambda-g", "lambda_m": "--lambda-m", "lambda_rp": "--lambda-rp", "gain": "--gain", "heldout": "--heldout",
                     "eval_every": "--eval-every", "width_divisor": "--width-divisor", "size_margin": "--size-margin",
                     "magnitude_from": "--magnitude-from", "init_from": "--init-from", "steps": "--steps",
                     "saliency_of": "--saliency-of", "lr": "--lr", "overwrite": "--overwrite",
                     "unit": "--unit", "rule": "--rule", "mode": "--mode", "stride": "--stride"}
COLUMN_PARAMETERS = ("text_column", "pair_column", "label_column")  # a fix through one a command lacks is dropped
QUOTED_ONLY = {"steps", "lr", "stride", "gain"}  # prose words too: put as options only where quoted ('steps' setting)
ASSIGNED_ONLY = ("steps", "unit", "rule", "mode", "stride")  # and in the ``name=value`` form: steps=5 is --steps 5


def cli_words(message: str, options: set[str]) -> str:
    """`message` in the command line's words: a parenthesis of Python words ("(label_column='NAME' in Python)") is
    dropped, and each Python parameter name of PARAMETER_OPTIONS that the command has an option for
    put as that option: ``'n_samples' parameter`` gains ``(--samples)``; ``per_token``, ``per_token=True``
    and ``the 'out_dir' of fine_tune`` become ``--per-token`` and ``--out``; ``max_new_tokens=5`` becomes
    ``--max-new-tokens 5``, and ``steps=5`` / ``unit='word'`` (not ``sig:mode=closed``) ``--steps 5`` / ``--unit word``."""
    message = re.sub(r" \([^()]* in Python\)", "", message)  # a message for both surfaces: the CLI's words only
    kept: list[str] = []  # a quoted method spec ('smoothgrad:n_samples=3') and a spec's key list are typed as they are

    def keep(match: re.Match) -> str:
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    message = re.sub(r"'[a-z_]+:[^'\s]*'|\bkey one of [\w, ]+|\bspec's keys are [\w, ]+|\b[a-z_]+:[a-z_]+=[\w.]+", keep, message)
    for name in COLUMN_PARAMETERS:  # evaluate has no --pair-column, explain no --label-column, audit neither
        if PARAMETER_OPTIONS[name] not in options:
            message = _without_fix(message, name)
    for name, option in PARAMETER_OPTIONS.items():
        if option not in options:
            continue
        message = re.sub(rf"'{name}' (parameter|setting)\b(?! \()", rf"'{name}' \1 ({option})", message)
        message = re.sub(rf"(?<![\w'\-:,]){name}='([^'\s]+)'", rf"{option} \1", message)  # text_column='x': --text-column x
        if name in ASSIGNED_ONLY:  # not in a method spec (sig:mode=closed): only where the name starts a word
            message = re.sub(rf"(?<![\w'\-:,]){name}='?([^\s',;]+)'?", rf"{option} \1", message)
        if name in QUOTED_ONLY or name in ASSIGNED_ONLY:
            continue
        message = re.sub(rf"(The )?'{name}' of fine_tune(_qa)?\b", option, message)
        message = re.sub(rf"(?<![\w'-]){name}=True\b", option, message)
        message = re.sub(rf"(?<![\w'-]){name}=", f"{option} ", message)
        message = re.sub(rf"(?<![\w'(-]){name}(?![\w'])", option, message)
    message = re.sub(r"(--[\w-]+(?: [^\s()]+)?) \(CLI \1\)", r"\1", message)  # steps='auto' (CLI --steps auto): said once
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], message)


def _without_fix(message: str, name: str) -> str:
    """``message`` without the fixes that pass the Python parameter ``name``, for a command with no option for it:
    an alternative ("Pass text_column='NAME' with ... or label_column='NAME' with ...", "..., or pass
    text_column='NAME'") is dropped from its list, and a sentence that offers only that fix ("If one holds the labels,
    pass label_column='NAME'.") is dropped whole."""
    fix = rf"{name}='[^']*'(?: (?:with|to) [^,.;]*?)?"
    message = re.sub(rf"(?<=[Pp]ass ){fix},? or ", "", message)  # the first of two alternatives
    message = re.sub(rf",? or (?:pass )?{fix}(?=[,.;]|$)", "", message)  # a later alternative
    message = re.sub(rf"(?:(?<=\. )|^)(?:If [^.]*?, )?[Pp]ass [^.]*?\b{name}='[^']*'[^.]*\.(?: |$)", "", message)  # the only fix
    return message.strip()


if __name__ == "__main__":
    sys.exit(main())
