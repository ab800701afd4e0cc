"""Routers stay thin: every database read and write goes through ``api.services``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import api.routes

ROUTES = sorted(Path(api.routes.__file__).parent.glob("*.py"))
SESSION_METHODS = {
    "add", "add_all", "commit", "delete", "execute", "flush", "get", "merge", "query",
    "refresh", "rollback", "scalar", "scalars",
}
SQL_BUILDERS = {"delete", "insert", "select", "text", "update"}


def _database_uses(tree: ast.AST) -> list[str]:
    """Session method calls and SQL statement builders imported, as ``line: what`` strings."""
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id.endswith("session")
            and node.func.attr in SESSION_METHODS
        ):
            found.append(f"{node.lineno}: {node.func.value.id}.{node.func.attr}()")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found += [f"{node.lineno}: import {a.name}" for a in node.names
                      if a.name in SQL_BUILDERS]
        elif isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names
                      if a.name == "sqlalchemy"]
    return found


def test_the_scan_sees_a_session_call_and_a_select_import() -> None:
    source = "from sqlalchemy import select\ndef f(session):\n    return session.get(1, 2)\n"
    assert _database_uses(ast.parse(source)) == ["1: import select", "3: session.get()"]


@pytest.mark.parametrize("path", ROUTES, ids=[p.name for p in ROUTES])
def test_no_router_reads_or_writes_the_database_itself(path: Path) -> None:
    assert _database_uses(ast.parse(path.read_text(encoding="utf-8"))) == []
