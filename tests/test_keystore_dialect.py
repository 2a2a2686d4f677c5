"""The SQLite and PostgreSQL storages run one shared set of statements (cyjose.keys._storage).

Their SQL is written once (SqlStatements) and rendered by a dialect; these tests
fail when a storage grows its own copy of a statement, or when the rendered
texts differ in more than placeholders and column types.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import sqlite3
from pathlib import Path
from typing import Any, Dict, List

import pytest
from keystore_scenarios import RecordingConnection, exercise_storage

from cyjose.keys import MasterKey, _postgres, _sqlite, _storage

T0 = 1_900_000_000.0


def statements(dialect: _storage.SqlDialect) -> Dict[str, Any]:
    return dataclasses.asdict(_storage.SqlStatements.render(dialect))


def neutral(sql: str, dialect: _storage.SqlDialect) -> str:
    """``sql`` with the dialect's own words replaced by neutral markers."""
    for word, marker in ((dialect.placeholder, "<param>"), (dialect.real, "<real>"), (dialect.blob, "<blob>")):
        sql = sql.replace(word, marker)
    return sql


def shared_texts(dialect: _storage.SqlDialect) -> List[str]:
    """Every statement of ``dialect``, the schema's one by one."""
    rendered = statements(dialect)
    return [*rendered.pop("schema"), *rendered.values()]


def test_both_dialects_render_the_same_statements() -> None:
    sqlite, postgres = statements(_sqlite.DIALECT), statements(_postgres.DIALECT)
    assert sqlite.keys() == postgres.keys()
    assert len(sqlite["schema"]) == len(postgres["schema"]) == 4
    for name in ("select_keys", "insert_key", "update_key", "select_meta"):
        assert neutral(sqlite[name], _sqlite.DIALECT) == neutral(postgres[name], _postgres.DIALECT), name
    for lite, pg in zip(sqlite["schema"], postgres["schema"]):
        assert neutral(lite, _sqlite.DIALECT) == neutral(pg, _postgres.DIALECT)
    # The one statement that differs in more: how an existing metadata row is left alone.
    assert sqlite["insert_meta"] == "INSERT OR IGNORE INTO cyjose_meta (name, value) VALUES (?, ?)"
    assert postgres["insert_meta"] == (
        "INSERT INTO cyjose_meta (name, value) VALUES (%s, %s) ON CONFLICT (name) DO NOTHING")


def test_every_statement_names_the_same_columns() -> None:
    columns = ", ".join(_storage.KEY_COLUMNS)
    for dialect in (_sqlite.DIALECT, _postgres.DIALECT):
        rendered = statements(dialect)
        assert columns in rendered["select_keys"] and columns in rendered["insert_key"]
        assert rendered["insert_key"].count(dialect.placeholder) == len(_storage.KEY_COLUMNS)
        assert rendered["update_key"].count(dialect.placeholder) == len(_storage.KEY_COLUMNS)
        assert all(f" {name} " in rendered["schema"][1] for name in _storage.KEY_COLUMNS)


def sql_literals(module: Any) -> List[str]:
    """The string constants of ``module``'s source, docstrings left out."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
                  and isinstance(node.body[0], ast.Expr)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


@pytest.mark.parametrize("module", [_sqlite, _postgres], ids=["sqlite", "postgres"])
def test_no_storage_writes_its_own_table_sql(module: Any) -> None:
    # Only transaction control and locking may live in an implementation; the tables' SQL is shared.
    literals = sql_literals(module)
    assert any("BEGIN IMMEDIATE" in text or "pg_advisory_xact_lock" in text for text in literals)  # sees SQL
    assert not [text for text in literals if re.search(r"cyjose_(keys|meta)", text)]


def test_sqlite_storage_executes_only_the_shared_statements(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    executed: List[str] = []
    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: RecordingConnection(connect(*a, **k), executed))
    exercise_storage(str(tmp_path / "keys.db"), MasterKey.generate(), T0)
    own = {"PRAGMA journal_mode = WAL", "BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"}
    shared = set(shared_texts(_sqlite.DIALECT))
    assert set(executed) - own == shared  # every shared statement ran, and nothing else
