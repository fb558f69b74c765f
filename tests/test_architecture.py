"""The shape of the source tree, read statically by scripts/import_graph.py: no import circles, few upward arrows,
no long modules. A ratchet: each figure may only go down."""

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "import_graph.py"

MAX_CIRCLES = 0
MAX_UPWARD = 3
MAX_LINES = 500


def checker():
    if "import_graph" not in sys.modules:
        spec = importlib.util.spec_from_file_location("import_graph", SCRIPT)
        module = importlib.util.module_from_spec(spec)
        sys.modules["import_graph"] = module
        spec.loader.exec_module(module)
    return sys.modules["import_graph"]


@pytest.fixture(scope="module")
def graph():
    return checker().read_graph()


def test_no_import_circles(graph):
    assert len(graph.circles()) <= MAX_CIRCLES, graph.circles()


def test_few_upward_arrows(graph):
    upward = [(a.source, a.target) for a in graph.upward()]
    assert len(upward) <= MAX_UPWARD, upward


def test_no_long_modules(graph):
    long = {name: n for name, n in graph.lines.items() if n > MAX_LINES}
    assert not long, long


def test_the_checker_sees_deferred_and_type_only_imports(tmp_path):
    module = checker()
    pkg = tmp_path / "faithlens"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "low.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from faithlens.high import H\n")
    (pkg / "high.py").write_text("from . import low\n\ndef f():\n    from faithlens import mid\n")
    (pkg / "mid.py").write_text("import faithlens.low\n")
    g = module.read_graph(tmp_path)
    assert {(a.source, a.target, a.runtime) for a in g.arrows} == {
        ("faithlens.low", "faithlens.high", False), ("faithlens.high", "faithlens.low", True),
        ("faithlens.high", "faithlens.mid", False), ("faithlens.mid", "faithlens.low", True)}
    assert g.floors == {"faithlens": 0, "faithlens.low": 0, "faithlens.mid": 1, "faithlens.high": 1}
    assert g.circles() == [["faithlens.high", "faithlens.low", "faithlens.mid"]]
    assert sorted((a.source, a.target) for a in g.upward()) == [
        ("faithlens.high", "faithlens.mid"), ("faithlens.low", "faithlens.high")]


def test_every_module_names_its_job(graph):
    import ast

    silent = [name for name, path in graph.modules.items() if not ast.get_docstring(ast.parse(path.read_text()))]
    assert not silent, silent
