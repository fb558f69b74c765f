"""The import graph of src/faithlens, read statically: modules, floors, arrows, upward arrows, circles, longest modules.

    python3 scripts/import_graph.py            # the figures and the offending arrows
    python3 scripts/import_graph.py --floors   # also list each floor's modules

Every `import` and `from ... import` in a module counts as an arrow to the faithlens module it names, wherever it
stands: at the top, inside a function, or under `if TYPE_CHECKING:`. `from faithlens.pkg import name` points at
`faithlens.pkg.name` when that is a module, else at `faithlens.pkg`. The package `__init__` a module lives in is not
counted as imported (Python runs it first, but no one reads it as a dependency).

A circle is a set of two or more modules that reach each other through arrows of any kind. Floors come from every
arrow except the deferred ones (inside a function, or type-only) that lie inside a circle, which are what lets Python
import a circle at all: a module that imports no faithlens module is on floor 0, any other one floor above the highest
module it imports. An arrow whose importer is not on a higher floor than what it imports runs upward; these are the
deferred arrows that close circles.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src"
PACKAGE = "faithlens"


@dataclass(frozen=True)
class Arrow:
    source: str
    target: str
    line: int
    runtime: bool  # top level and not under TYPE_CHECKING


@dataclass
class Graph:
    modules: dict[str, Path]
    arrows: list[Arrow]
    floors: dict[str, int] = field(default_factory=dict)

    @property
    def lines(self) -> dict[str, int]:
        return {name: len(path.read_text().splitlines()) for name, path in self.modules.items()}

    def upward(self) -> list[Arrow]:
        return [a for a in self.arrows if self.floors[a.source] <= self.floors[a.target]]

    def circles(self) -> list[list[str]]:
        return [sorted(c) for c in _strong_components(self.modules, self.arrows) if len(c) > 1]


def module_name(path: Path, source: Path = SOURCE) -> str:
    parts = list(path.relative_to(source).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.Module):
    """Yield (node, runtime) for every import statement in the module."""

    def walk(node: ast.AST, runtime: bool):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child, runtime
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                yield from walk(child, False)
            elif isinstance(child, ast.If) and _is_type_checking(child.test):
                for part in child.body:
                    yield from walk(ast.Module(body=[part], type_ignores=[]), False)
                for part in child.orelse:
                    yield from walk(ast.Module(body=[part], type_ignores=[]), runtime)
            else:
                yield from walk(child, runtime)

    yield from walk(tree, True)


def read_graph(source: Path = SOURCE, package: str = PACKAGE) -> Graph:
    paths = {module_name(p, source): p for p in sorted((source / package).rglob("*.py"))}
    arrows: list[Arrow] = []
    for name, path in paths.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(), filename=str(path))
        for node, runtime in _imports(tree):
            for target in _targets(node, name, is_package, paths):
                if target != name:
                    arrows.append(Arrow(name, target, node.lineno, runtime))
    graph = Graph(paths, _unique(arrows))
    circle_of = {m: i for i, c in enumerate(_strong_components(paths, graph.arrows)) for m in c}
    graph.floors = _floors(paths, [a for a in graph.arrows
                                   if a.runtime or circle_of[a.source] != circle_of[a.target]])
    return graph


def _targets(node, name: str, is_package: bool, modules: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        return [_known(alias.name, modules) for alias in node.names if _known(alias.name, modules)]
    if node.level:
        base = name.split(".") if is_package else name.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        stem = ".".join(base + ([node.module] if node.module else []))
    else:
        stem = node.module or ""
    if not (stem == PACKAGE or stem.startswith(PACKAGE + ".")):
        return []
    found = []
    for alias in node.names:
        full = f"{stem}.{alias.name}"
        target = full if full in modules else _known(stem, modules)
        if target and target not in found:
            found.append(target)
    return found


def _known(dotted: str, modules: dict[str, Path]) -> str | None:
    while dotted:
        if dotted in modules:
            return dotted
        dotted = dotted.rpartition(".")[0]
    return None


def _unique(arrows: list[Arrow]) -> list[Arrow]:
    """One arrow per (source, target): the run-time one when there is one, else the first."""
    best: dict[tuple[str, str], Arrow] = {}
    for a in arrows:
        key = (a.source, a.target)
        if key not in best or (a.runtime and not best[key].runtime):
            best[key] = a
    return list(best.values())


def _floors(modules, arrows: list[Arrow]) -> dict[str, int]:
    below: dict[str, set[str]] = {m: set() for m in modules}
    for a in arrows:
        below[a.source].add(a.target)
    floors: dict[str, int] = {}

    def floor(m: str, path: tuple[str, ...] = ()) -> int:
        if m in floors:
            return floors[m]
        if m in path:
            raise ValueError(f"import circle closed at run time: {' -> '.join(path + (m,))}")
        floors[m] = value = 1 + max((floor(t, path + (m,)) for t in below[m]), default=-1)
        return value

    for m in modules:
        floor(m)
    return floors


def _strong_components(modules, arrows: list[Arrow]) -> list[set[str]]:
    """Tarjan's algorithm, iterative enough for a few hundred modules."""
    out: dict[str, list[str]] = {m: [] for m in modules}
    for a in arrows:
        out[a.source].append(a.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(v: str):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in out[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            components.append(component)

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for m in modules:
        if m not in index:
            visit(m)
    return components


def report(graph: Graph, show_floors: bool = False) -> str:
    lines = graph.lines
    upward = graph.upward()
    circles = graph.circles()
    out = [f"{len(graph.modules)} modules on {max(graph.floors.values()) + 1} floors, {len(graph.arrows)} arrows "
           f"({sum(not a.runtime for a in graph.arrows)} deferred or type-only), {len(upward)} upward, "
           f"{len(circles)} circles"]
    for a in sorted(upward, key=lambda a: (a.source, a.target)):
        out.append(f"  upward: {a.source} (floor {graph.floors[a.source]}) -> {a.target} (floor {graph.floors[a.target]})"
                   f"  line {a.line}")
    for c in circles:
        out.append(f"  circle: {', '.join(c)}")
    longest = sorted(lines.items(), key=lambda kv: -kv[1])[:8]
    out.append("longest: " + ", ".join(f"{name} {n}" for name, n in longest))
    if show_floors:
        for f in range(max(graph.floors.values()) + 1):
            out.append(f"floor {f}: " + ", ".join(sorted(m for m, g in graph.floors.items() if g == f)))
    return "\n".join(out)


if __name__ == "__main__":
    print(report(read_graph(), show_floors="--floors" in sys.argv))
