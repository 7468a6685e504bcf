"""House rules that code review would otherwise have to remember (docs/architecture.md
#dependencies): imports point one way, with no cycle, function-local imports included."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("crm", "surveys")


def modules() -> dict[str, Path]:
    """Dotted name → file of every module of ``crm`` and ``surveys``."""
    found = {}
    for top in PACKAGES:
        for path in (ROOT / top).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _type_checking_lines(tree: ast.Module) -> set[int]:
    """Lines under ``if TYPE_CHECKING:``: annotations only, never run."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        test = getattr(node, "test", None)
        if isinstance(node, ast.If) and getattr(test, "id", getattr(test, "attr", "")) == (
            "TYPE_CHECKING"
        ):
            for statement in node.body:
                lines.update(range(statement.lineno, statement.end_lineno + 1))
    return lines


def imported_names(path: Path) -> Iterator[str]:
    """Every name an import in ``path`` mentions, wherever the import stands (a
    function-local import counts): ``from a import b`` gives ``a.b``, which resolves to the
    module ``a.b`` when there is one, else to ``a``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    skipped = _type_checking_lines(tree)
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skipped:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def imported_modules(path: Path) -> set[str]:
    """Every module and name an import in ``path`` mentions, with the modules they are in."""
    names = set(imported_names(path))
    return names | {name.rpartition(".")[0] for name in names if "." in name}


def import_graph() -> dict[str, set[str]]:
    """Module → the modules of ``crm`` and ``surveys`` it imports (each name resolved to the
    longest known module: ``crm.core.clock.org_today`` → ``crm.core.clock``)."""
    found = modules()
    graph: dict[str, set[str]] = {}
    for name, path in found.items():
        targets = set()
        for imported in imported_names(path):
            while imported and imported not in found:
                imported = imported.rpartition(".")[0]
            if imported and imported != name:
                targets.add(imported)
        graph[name] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_crm_never_imports_surveys():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "crm").rglob("*.py")
        if any(m == "surveys" or m.startswith("surveys.") for m in imported_modules(path))
    ]
    assert offenders == []


def test_no_import_cycles_function_local_imports_included():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_core_imports_no_domain_package():
    graph = import_graph()
    offenders = {
        module: sorted(t for t in targets if not t.startswith("crm.core"))
        for module, targets in graph.items()
        if module.startswith("crm.core")
    }
    assert {module: t for module, t in offenders.items() if t} == {}


def test_readiness_rules_have_no_flask_or_database():
    modules = imported_modules(ROOT / "crm" / "readiness" / "rules.py")
    assert not {
        m for m in modules if m.split(".")[0] in {"flask", "sqlalchemy", "flask_sqlalchemy"}
    }


def test_views_never_import_pandas():
    views = [
        *(ROOT / "crm").rglob("views.py"),
        *(ROOT / "crm").rglob("views/*.py"),
        *(ROOT / "surveys").rglob("views*.py"),
    ]
    assert views
    assert not [p for p in views if any(m.split(".")[0] == "pandas" for m in imported_modules(p))]
