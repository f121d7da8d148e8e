"""The package's layers, as docs/internals/architecture.rst lays them out:
each imports only from the layers below it, and no module imports another
that imports it back; every import path the docs show still works."""

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "smoketest"

#: Layer -> the layers its modules may import (their own included).
ALLOWED = {
    "core": {"core"},
    "reports": {"core", "reports"},
    "engine": {"core", "reports", "engine"},
    "web": {"core", "reports", "engine", "web"},
    "api": {"core", "engine"},
    "checks": {"api", "core", "checks"},
    "edge": {"api", "core", "reports", "engine", "web", "checks", "edge"},
}


def layer(module: str) -> str:
    """``smoketest.web.views`` -> ``web``; the package itself is the public
    API; the rest (AppConfig, URLconf, system checks, command, client, the
    documented import paths) are the edges."""
    parts = module.split(".")
    if len(parts) == 1:
        return "api"
    return parts[1] if parts[1] in ALLOWED else "edge"


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports, at module level or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".")[: None if path.name == "__init__.py" else -1]
                base = ".".join(anchor[: len(anchor) - node.level + 1] + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


GRAPH = {name: imports(name, path, set(modules())) for name, path in modules().items()}


def test_every_module_imports_only_from_its_own_layer_and_those_below():
    offending = [
        f"{name} ({layer(name)}) imports {target} ({layer(target)})"
        for name, targets in GRAPH.items()
        for target in sorted(targets)
        if layer(target) not in ALLOWED[layer(name)]
    ]
    assert offending == []


def test_no_import_circle():
    circles = []
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        for target in sorted(GRAPH[name]):
            if state.get(target) == "open":
                circles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[name] = "done"

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])
    assert circles == []


def test_the_layer_rule_catches_an_import_from_above(tmp_path):
    upward = tmp_path / "smoketest" / "core"
    upward.mkdir(parents=True)
    (upward / "bad.py").write_text("from smoketest.web.views import SmokeTestView\nfrom . import settings\n")
    found = imports("smoketest.core.bad", upward / "bad.py", {"smoketest.web.views", "smoketest.core.settings"})
    assert found == {"smoketest.web.views", "smoketest.core.settings"}
    assert layer("smoketest.web.views") not in ALLOWED[layer("smoketest.core.bad")]


DOCUMENTED = sorted(
    {
        match
        for path in [ROOT / "README.rst", *sorted((ROOT / "docs").rglob("*.rst"))]
        for match in re.findall(r"from (smoketest[\w.]*) import (\w+)", path.read_text())
    }
    | {
        tuple(path.rsplit(".", 1))
        for doc in [ROOT / "README.rst", *sorted((ROOT / "docs").rglob("*.rst"))]
        for path in re.findall(r"\b(smoketest(?:\.[a-z_]+)+\.[A-Z]\w+)\b", doc.read_text())
    }
)


@pytest.mark.parametrize(("module", "name"), DOCUMENTED, ids=[".".join(pair) for pair in DOCUMENTED])
def test_every_import_path_the_docs_show_works(module, name):
    assert hasattr(importlib.import_module(module), name)


def test_the_documented_paths_of_moved_modules_are_covered():
    assert {module for module, _ in DOCUMENTED} >= {
        "smoketest",
        "smoketest.views",
        "smoketest.signals",
        "smoketest.checks",
    }
