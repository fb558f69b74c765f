"""Test scaffolding shared by the CLI tests: run `faithlens ARGV` in this process, and stop a run mid-way."""

from __future__ import annotations

from faithlens.cli import main


def run(capsys, *argv) -> tuple[int, str]:
    """(exit status, standard error) of `faithlens ARGV`; argparse's own refusals exit 2 like faithlens's errors.
    A Python traceback on standard error fails the test."""
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    return code, err


def interrupt(mp, module, name: str, *, at_call: int) -> None:
    """Make `module.name` raise KeyboardInterrupt on its `at_call`-th call (Ctrl-C, or a run killed mid-way)."""
    original, calls = getattr(module, name), []

    def dying(*args, **kwargs):
        calls.append(1)
        if len(calls) == at_call:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    mp.setattr(module, name, dying)
