"""The import graph, drawn from the code: data flows one way and nothing imports back up.

Layers, lowest first: ``differ`` (pure) ← ``storage`` ← ``crawler``, ``notifier``, ``web`` ←
``framewatch`` (the application shell). Every ``import`` counts, at module level or inside a
function: an import hidden in a function is still a dependency.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("differ", "storage", "crawler", "notifier", "web", "framewatch")
#: What each package may import of the project (besides itself).
ALLOWED: dict[str, set[str]] = {
    "differ": set(),
    "storage": {"differ"},
    "crawler": {"differ", "storage"},
    "notifier": {"differ", "storage"},
    "web": {"differ", "storage"},
    "framewatch": {"differ", "storage", "crawler", "notifier", "web"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules() -> dict[str, Path]:
    out: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:  # Alembic's scripts, loaded by Alembic by path
                continue
            out[module_name(path)] = path
    return out


MODULES = project_modules()


def type_only(tree: ast.Module) -> set[int]:
    """The ids of the import nodes under ``if TYPE_CHECKING:`` (annotations, never run)."""
    return {id(node) for block in ast.walk(tree) if isinstance(block, ast.If)
            and isinstance(block.test, ast.Name) and block.test.id == "TYPE_CHECKING"
            for stmt in block.body for node in ast.walk(stmt)}


def imports_of(name: str, path: Path) -> list[tuple[str, int, bool]]:
    """Every project module `name` imports (module-level and in functions), with its line and
    whether it runs (False under ``if TYPE_CHECKING:``). ``from pkg import mod`` counts as an
    import of ``pkg.mod`` when that is a module."""
    is_package = path.name == "__init__.py"
    found: list[tuple[str, int, bool]] = []
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    annotations_only = type_only(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                if not is_package:
                    base = base[:-1]
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in MODULES else module
                       for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:  # a name inside a module: the module
                target = target.rpartition(".")[0]
            if target and target.split(".")[0] in PACKAGES:
                found.append((target, node.lineno, id(node) not in annotations_only))
    return found


IMPORTS = {name: imports_of(name, path) for name, path in MODULES.items()}
#: Every import, for the layers: a type annotation is a dependency too.
GRAPH: dict[str, dict[str, int]] = {
    name: {target: line for target, line, _ in found if target != name}
    for name, found in IMPORTS.items()
}
#: The imports that run, for cycles: an annotation-only import cannot make one.
RUNTIME: dict[str, set[str]] = {
    name: {target for target, _, runs in found if runs and target != name}
    for name, found in IMPORTS.items()
}


def test_the_graph_is_read_from_every_package() -> None:
    assert {name.split(".")[0] for name in MODULES} == set(PACKAGES)
    assert GRAPH["framewatch.cli"], "the command line imports the packages it wires"


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_imports_only_the_layers_below_it(package: str) -> None:
    upward = [f"{name}:{line} imports {target}"
              for name, targets in GRAPH.items() if name.split(".")[0] == package
              for target, line in targets.items()
              if target.split(".")[0] not in ALLOWED[package] | {package}]
    assert upward == []


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def test_no_import_cycle_between_packages() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for name, targets in RUNTIME.items():
        for target in targets:
            if target.split(".")[0] != name.split(".")[0]:
                graph[name.split(".")[0]].add(target.split(".")[0])
    assert cycles(graph) == []


def test_no_import_cycle_between_modules() -> None:
    # A package's __init__ re-exporting its modules is not a dependency of those modules on it.
    graph = {name: {t for t in targets if not (name == t.rpartition(".")[0]
                                               and MODULES[name].name == "__init__.py")}
             for name, targets in RUNTIME.items()}
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_only_the_differ_diffs_text() -> None:
    """One word diff: every output marks the words the differ's diff marks."""
    offenders = []
    for name, path in MODULES.items():
        if name.split(".")[0] == "differ":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = ([a.name for a in node.names] if isinstance(node, ast.Import)
                       else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{name}:{node.lineno} imports {m}" for m in modules
                          if m.split(".")[0] in ("difflib", "diff_match_patch")]
    assert offenders == []


def test_web_reads_the_database_only_through_storage() -> None:
    """The web UI reads through storage's read API (plain dataclasses), never SQL of its own."""
    offenders = []
    for name, path in MODULES.items():
        if name.split(".")[0] != "web":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = ([a.name for a in node.names] if isinstance(node, ast.Import)
                       else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{name}:{node.lineno} imports {m}" for m in modules
                          if m.split(".")[0] in ("sqlalchemy", "alembic")
                          or m == "storage.models"]
    assert offenders == []
