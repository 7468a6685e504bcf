"""House rules that code review would otherwise have to remember."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_crm_never_imports_surveys():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "crm").rglob("*.py")
        if any(m == "surveys" or m.startswith("surveys.") for m in imported_modules(path))
    ]
    assert offenders == []


def test_readiness_engine_has_no_flask_or_database():
    modules = imported_modules(ROOT / "crm" / "readiness" / "rules.py")
    assert not {
        m for m in modules if m.split(".")[0] in {"flask", "sqlalchemy", "flask_sqlalchemy"}
    }


def test_views_never_import_pandas():
    views = [*(ROOT / "crm" / "views").rglob("*.py"), *(ROOT / "surveys").rglob("views*.py")]
    assert not [p for p in views if any(m.split(".")[0] == "pandas" for m in imported_modules(p))]
