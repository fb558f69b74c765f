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


# One known exception: scripts/bad_input_sweep.py builds its tiny models with tests/tiny.py (tests/ on sys.path);
# it reaches no private faithlens name.
PRIVATE_USE_ALLOWED = {"scripts/bad_input_sweep.py"}


def _private_uses(path: Path) -> list[str]:
    import ast

    text = path.read_text()
    tree = ast.parse(text)
    modules, found = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "faithlens":
            for alias in node.names:
                modules.add(alias.asname or alias.name)
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
        elif isinstance(node, ast.Import):
            modules.update(a.asname or a.name.split(".")[0] for a in node.names if a.name.split(".")[0] == "faithlens")
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name) and node.value.id in modules):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Attribute) \
                and node.func.value.attr == "path" and "tests" in (ast.get_source_segment(text, node) or ""):
            found.append(f"line {node.lineno}: tests/ on sys.path")
    return found


def test_bench_scripts_and_experiments_use_public_names_only():
    root = SCRIPT.parents[1]
    offenders = {}
    for folder in ("bench", "scripts", "experiments"):
        for path in sorted((root / folder).rglob("*.py")):
            rel = str(path.relative_to(root))
            if rel not in PRIVATE_USE_ALLOWED and (uses := _private_uses(path)):
                offenders[rel] = uses
    assert not offenders, offenders


def test_the_public_name_check_sees_private_imports_attributes_and_tests_on_the_path(tmp_path):
    script = tmp_path / "s.py"
    script.write_text("import sys\nfrom faithlens.methods import sig\nfrom faithlens.smollm2 import _load\n"
                      "sys.path.insert(0, 'tests')\nsig._forward(1)\nsig.forward(1)\n")
    assert sorted(_private_uses(script)) == ["line 3: from faithlens.smollm2 import _load", "line 4: tests/ on sys.path",
                                             "line 5: sig._forward"]


def test_one_table_of_the_settings_each_method_reads():
    """`Method.reads` is the one declaration: the options table, evaluate's per-spec check and PER_UNIT follow it."""
    from faithlens.errors import FaithlensError
    from faithlens.evaluate import PER_UNIT, SPEC_KEYS, parse_method
    from faithlens.methods import METHODS
    from faithlens.options import METHOD_SETTINGS

    assert dict(METHOD_SETTINGS) == {
        "sig": {"steps", "rule", "unit", "mode", "tolerance"}, "ig": {"steps", "rule", "tolerance"}, "dig": {"steps"},
        "dig_maxcount": {"steps"}, "occlusion": {"unit"}, "random": {"seed"}, "smoothgrad": {"n_samples", "noise", "seed"},
        "gradient_shap": {"n_samples", "seed"}, "shapley": {"n_samples", "seed"}, "kernel_shap": {"n_samples", "seed"},
        "lime": {"n_samples", "seed"}, "partition": set(), "grad_x_input": set(), "saliency": set(), "deeplift": set()}
    assert PER_UNIT == ("sig", "occlusion")
    value = {"steps": "5", "mode": "reverse", "unit": "word", "rule": "gausslegendre", "n_samples": "4",
             "tolerance": "0.01", "noise": "0.1"}
    for name, method in METHODS.items():
        assert ("steps" in method.reads) == (method.default_steps is not None), name
        assert ("n_samples" in method.reads) == (method.default_samples is not None), name
        for key in SPEC_KEYS:
            spec = f"{name}:{key}={value[key]}"
            if key in method.reads:
                assert parse_method(spec).options or parse_method(spec).steps_per_token, spec
            else:
                with pytest.raises(FaithlensError, match="does not apply"):
                    parse_method(spec)
