"""The layers' one rule each: routes reach the database only through services, and only
portal/store/ builds or runs SQL."""

from __future__ import annotations

import ast
import graphlib
from pathlib import Path

PORTAL = Path(__file__).resolve().parent.parent / "portal"
STORE = PORTAL / "store"
# What builds or runs a statement: SQLAlchemy's and SQLModel's statement constructors, and the
# calls that run one on a session or connection.
SQL_NAMES = {"select", "insert", "update", "delete", "text", "union_all", "bindparam", "func", "and_", "or_"}
SQL_CALLS = {"execute", "exec", "exec_driver_sql", "executemany", "scalar", "scalars"}


def modules(under: Path) -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(), str(path))) for path in sorted(under.rglob("*.py"))]


def test_routes_do_not_import_the_store():
    found = [f"{path.relative_to(PORTAL)}:{node.lineno}" for path, tree in modules(PORTAL / "routes")
             for node in ast.walk(tree)
             if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("portal.store")
             or isinstance(node, ast.ImportFrom) and node.module == "portal" and any(a.name == "store" for a in node.names)
             or isinstance(node, ast.Import) and any(a.name.startswith("portal.store") for a in node.names)]
    assert found == []


def test_only_the_store_builds_or_runs_sql():
    found = []
    for path, tree in modules(PORTAL):
        if STORE in path.parents:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("sqlalchemy", "sqlmodel"):
                found += [f"{path.relative_to(PORTAL)}:{node.lineno} imports {a.name}" for a in node.names
                          if a.name in SQL_NAMES]
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SQL_CALLS:
                found.append(f"{path.relative_to(PORTAL)}:{node.lineno} calls .{node.func.attr}()")
    assert found == []


def test_no_module_is_over_400_lines():
    sizes = {str(path.relative_to(PORTAL)): len(path.read_text().splitlines())
             for path in PORTAL.rglob("*.py") if "migrations" not in path.parts}
    assert {name: lines for name, lines in sizes.items() if lines > 400} == {}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PORTAL.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_at_load(tree: ast.Module) -> list[str]:
    """What a module imports while it loads (not inside functions, not under TYPE_CHECKING)."""
    names, pending = [], list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, (ast.If, ast.Try)):
            pending += node.body + node.orelse + getattr(node, "finalbody", [])
            pending += [stmt for handler in getattr(node, "handlers", []) for stmt in handler.body]
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names += [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
    return names


def test_package_imports_have_no_cycle():
    known = {_module_name(path): tree for path, tree in modules(PORTAL) if "migrations" not in path.parts}
    graph = {name: {target for target in _imported_at_load(tree)
                    if target in known and target != name and not name.startswith(target + ".")}
             for name, tree in known.items()}
    graphlib.TopologicalSorter(graph).prepare()  # raises CycleError naming the cycle
