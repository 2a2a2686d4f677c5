""":class:`SQLiteStorage`: the key store's rows in one SQLite file (stdlib :mod:`sqlite3`)."""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import contextmanager
from typing import ContextManager, Iterator, List, Optional, Union

from ..exceptions import KeyStoreError
from ._storage import KeyRecord, KeyTransaction, SqlDialect, SqlRows, SqlStatements, database_errors, stored_meta

__all__ = ["SQLiteStorage", "DIALECT"]

#: SQLite's side of the shared SQL: qmark parameters, REAL and BLOB columns, ``INSERT OR IGNORE``.
DIALECT = SqlDialect(placeholder="?", real="REAL", blob="BLOB", insert_ignoring="INSERT OR IGNORE",
                     ignoring_clause="")
_SQL = SqlStatements.render(DIALECT)
_BUSY_TIMEOUT_SECONDS = 30.0


def _database_errors() -> ContextManager[None]:
    """sqlite3 failures as :class:`KeyStoreError` (the message is SQLite's, which holds no key material)."""
    return database_errors(sqlite3.IntegrityError, sqlite3.Error)


def _create_private_file(path: str) -> None:
    """Create a new store file readable by its owner only (SQLite gives -wal/-shm the same mode)."""
    if path == ":memory:" or os.path.exists(path):
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:  # created by another process meanwhile: SQLite opens it
        pass
    except OSError as exc:
        raise KeyStoreError(f"Cannot create the key store file: {exc.strerror or 'error'}") from None


class SQLiteStorage:
    """:class:`~cyjose.keys.Storage` in one SQLite file (stdlib :mod:`sqlite3`), safe for several processes.

    The file is in WAL mode (readers never wait for the writer); each write
    transaction starts with ``BEGIN IMMEDIATE``, so two processes rotating at
    once take turns (waiting up to 30 s for the lock). One connection per
    object, shared by its threads under a lock; open a new object in each
    process (a connection must not cross ``fork``). A new file is created
    with mode 0600 (owner only). Raises
    :class:`~cyjose.exceptions.KeyStoreError` when the file cannot be opened
    or is not a key store database.
    """

    def __init__(self, path: Union[str, os.PathLike[str]]) -> None:
        self.path = os.fspath(path)
        self._lock = threading.RLock()
        _create_private_file(self.path)
        with _database_errors():
            self._connection = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_SECONDS,
                                               isolation_level=None, check_same_thread=False)
            self._rows = SqlRows(self._connection, _SQL)
            try:
                self._connection.execute("PRAGMA journal_mode = WAL")
                with self.transaction():
                    self._rows.create_schema()
            except BaseException:
                self._connection.close()
                raise

    @contextmanager
    def transaction(self) -> Iterator[KeyTransaction]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` if the block raises)."""
        with self._lock, _database_errors():
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._rows
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def keys(self) -> List[KeyRecord]:
        with self._lock, _database_errors():
            return self._rows.keys()

    def get_meta(self, name: str) -> Optional[bytes]:
        with self._lock, _database_errors():
            return self._rows.meta(name)

    def init_meta(self, name: str, value: bytes) -> bytes:
        with self.transaction():
            self._rows.insert_meta(name, value)
        return stored_meta(name, self.get_meta(name))

    def close(self) -> None:
        """Close the connection; the object cannot be used afterwards."""
        with self._lock:
            self._connection.close()

    def __repr__(self) -> str:
        return f"<SQLiteStorage {self.path!r}>"
