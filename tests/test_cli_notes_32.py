"""Issue 22, thirty-second breaker's notes: --version with other words, serve's repeated --model and a time limit
past a day are refused; --device-map's help names every choice it accepts."""

from __future__ import annotations

import pytest

from faithlens.cli import build_parser, main
from faithlens.distributed import DEVICE_MAPS


@pytest.mark.parametrize("argv, said", [
    (["--version", "extra"], "--version takes nothing else; got '--version extra'"),
    (["serve", "--model", "a", "--model", "a"], "--model a is given twice"),
    (["serve", "--time-limit", "1e12"], "--time-limit must be a positive number of seconds, at most 86400"),
    (["serve", "--time-limit", "0"], "--time-limit must be a positive number of seconds"),
])
def test_refused_before_any_work(capsys, argv, said):
    assert main(argv) == 2
    assert said in capsys.readouterr().err


def test_version_alone_prints_it(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("faithlens ")


def test_device_map_help_names_every_choice():
    explain = next(a for a in build_parser()._subparsers._group_actions[0].choices["explain"]._actions
                   if "--device-map" in a.option_strings)
    assert all(choice in explain.help for choice in DEVICE_MAPS)
