"""The command line starts without torch: static names equal the registries; --version/--help import no torch."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from faithlens import names

SRC = Path(__file__).resolve().parents[1] / "src"


def test_static_names_equal_the_registries():
    from faithlens import evaluate, metrics, quadrature
    from faithlens.baselines import BASELINES
    from faithlens.methods import METHODS
    from faithlens.methods.sig import MODES
    from faithlens.scores import SCORES

    assert names.METHODS == tuple(METHODS)
    assert names.RULES == tuple(quadrature.RULES)
    assert names.NESTED_RULES == tuple(quadrature.NESTED_RULES)
    assert names.BASELINES == tuple(BASELINES)
    assert names.SCORES == tuple(SCORES)
    assert names.SIG_MODES == tuple(MODES)
    assert names.PROTOCOLS == tuple(metrics.PROTOCOLS)
    assert names.DEFAULT_TOPK == metrics.DEFAULT_TOPK
    from faithlens.methods.adaptive import DEFAULT_TOLERANCE

    from faithlens.explainer import ADAPTIVE_METHODS

    assert names.DEFAULT_TOLERANCE == DEFAULT_TOLERANCE
    assert names.ADAPTIVE_METHODS == ADAPTIVE_METHODS
    assert names.EVALUATE_DEFAULT_METHODS == tuple(evaluate.DEFAULT_METHODS)


def _modules_after(code: str) -> dict:
    probe = (f"import sys, json\n{code}\n"
             "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'transformers', 'numpy'))))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["explain", "--help"], ["evaluate", "--help"]])
def test_version_and_help_do_not_import_torch(argv):
    code = ("from faithlens.cli import main\n"
            "import contextlib, io\n"
            f"with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    try:\n        main({argv!r})\n    except SystemExit:\n        pass")
    assert _modules_after(code) == []


def test_import_faithlens_is_lazy_and_names_still_resolve():
    assert _modules_after("import faithlens; assert faithlens.__version__") == []
    loaded = _modules_after("import faithlens; faithlens.Explainer; from faithlens import FaithlensError, explain")
    assert "torch" in loaded
