"""The package's import graph: every module imports, no cycles, dependencies point one way.

The library (graphx) never imports the web app, Flask, or click; webui and the CLI (graphx.cli, which
starts the web app for `graphx serve`) are shells over it. Imports are read from the source with
``ast`` (module level and inside functions), so a lazy import inside a function cannot hide a cycle.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("graphx", "webui")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {
    module_name(path): path
    for package in PACKAGES
    for path in sorted((ROOT / package).rglob("*.py"))
    if path.name != "__main__.py"  # importing it runs the command
}


def imported_names(name: str, path: Path) -> set[str]:
    """Every absolute module name ``path`` imports; ``from pkg import sub`` counts as ``pkg.sub``."""
    is_package = path.name == "__init__.py"
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")
                anchor = anchor if is_package else anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                out.add(sub if sub in MODULES else base)
    return out


def ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def internal_graph() -> dict[str, set[str]]:
    """Module -> the modules importing it runs, including the ``__init__`` of each package entered.

    Importing ``graphx.export.tables`` from ``graphx.view`` first runs ``graphx/export/__init__.py``, so
    that is an edge too; the packages around the importer itself are already initialised.
    """
    graph = {}
    for name, path in MODULES.items():
        targets = set()
        for target in imported_names(name, path):
            # `import graphx.build.pipeline` names the module; keep the longest known prefix.
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target:
                targets.add(target)
                targets.update(p for p in ancestors(target) if p in MODULES and p not in ancestors(name))
        targets.discard(name)
        graph[name] = targets
    return graph


@pytest.mark.parametrize("name", sorted(MODULES))
def test_every_module_imports(name):
    importlib.import_module(name)


def test_no_import_cycles():
    graph = internal_graph()
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []


def test_library_never_imports_the_web_app_flask_or_click_outside_the_cli():
    wrong = []
    for name, path in MODULES.items():
        if not name.startswith("graphx"):
            continue
        shell = name.startswith("graphx.cli")
        forbidden = ("flask", "werkzeug") + (() if shell else ("webui", "click"))
        for target in imported_names(name, path):
            if target.split(".")[0] in forbidden:
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def test_the_graph_reader_sees_the_imports_that_exist():
    # A checker that finds no edges would pass every test above.
    graph = internal_graph()
    assert "graphx.build.pipeline" in graph["graphx.cli"]
    assert "graphx.sources.s2.run" in graph["graphx.sources.s2.titles"]
    assert "webui.builds" in graph["webui"]
