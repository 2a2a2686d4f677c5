""":class:`PostgresStorage`: the key store's rows in PostgreSQL, shared by several issuer replicas.

psycopg 3 is an optional dependency (``pip install 'cyjose[postgres]'``); it is
imported when a :class:`PostgresStorage` is created, so ``cyjose.keys`` works
without it.
"""

from __future__ import annotations

import importlib
import threading
from contextlib import contextmanager
from typing import Any, ContextManager, Iterator, List, Optional

from ._storage import KeyRecord, KeyTransaction, SqlDialect, SqlRows, SqlStatements, database_errors, stored_meta

__all__ = ["PostgresStorage", "is_postgres_url", "DIALECT"]

_URL_SCHEMES = ("postgresql://", "postgres://")
_INSTALL_HINT = "PostgresStorage needs psycopg 3: pip install 'cyjose[postgres]'"

# Every writer of every replica takes this transaction-level advisory lock first,
# so their read-decide-write runs one after the other (released at COMMIT/ROLLBACK).
_WRITE_LOCK_ID = 0x63796A6F7365  # "cyjose"

#: PostgreSQL's side of the shared SQL: format parameters, DOUBLE PRECISION and BYTEA, ``ON CONFLICT``.
DIALECT = SqlDialect(placeholder="%s", real="DOUBLE PRECISION", blob="BYTEA", insert_ignoring="INSERT",
                     ignoring_clause=" ON CONFLICT (name) DO NOTHING")
_SQL = SqlStatements.render(DIALECT)


def is_postgres_url(location: str) -> bool:
    """True when ``location`` is a ``postgresql://`` (or ``postgres://``) connection URL."""
    return location.startswith(_URL_SCHEMES)


def _psycopg() -> Any:
    """The psycopg module, or ImportError naming the extra to install."""
    try:
        return importlib.import_module("psycopg")
    except ImportError:
        raise ImportError(_INSTALL_HINT) from None


def _database_errors(psycopg: Any) -> ContextManager[None]:
    """psycopg failures as :class:`KeyStoreError` (the server's message names no key material)."""
    return database_errors(psycopg.IntegrityError, psycopg.Error, _first_line)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class PostgresStorage:
    """:class:`~cyjose.keys.Storage` in a PostgreSQL database, shared by any number of replicas.

    ``PostgresStorage(dsn)`` with a libpq connection string or URL
    (``postgresql://user@host/db``; keep the password in ``PGPASSWORD`` or
    ``~/.pgpass`` rather than in the URL). The tables ``cyjose_keys`` and
    ``cyjose_meta`` are created if absent. Each write is one transaction that
    first takes a transaction-level advisory lock (``pg_advisory_xact_lock``),
    so two replicas rotating at once take turns; unique partial indexes
    refuse a second active or next key. One connection per object, shared by
    its threads under a lock; open a new object in each process. Raises
    ImportError without psycopg 3, :class:`~cyjose.exceptions.KeyStoreError`
    when the database cannot be reached or used.
    """

    def __init__(self, dsn: str, *, connect_timeout: int = 10) -> None:
        self._psycopg = _psycopg()
        self._lock = threading.RLock()
        with _database_errors(self._psycopg):
            self._connection = self._psycopg.connect(dsn, autocommit=True, connect_timeout=connect_timeout)
            info = self._connection.info
            self._where = f"{info.user}@{info.host}:{info.port}/{info.dbname}"  # never the password
            self._rows = SqlRows(self._connection, _SQL)
            try:
                with self.transaction():  # under the lock: concurrent CREATE ... IF NOT EXISTS can collide
                    self._rows.create_schema()
            except BaseException:
                self._connection.close()
                raise

    @contextmanager
    def transaction(self) -> Iterator[KeyTransaction]:
        """``BEGIN``, the advisory write lock, ..., ``COMMIT`` (``ROLLBACK`` if the block raises)."""
        with self._lock, _database_errors(self._psycopg), self._connection.transaction():
            self._connection.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK_ID,))
            yield self._rows

    def keys(self) -> List[KeyRecord]:
        with self._lock, _database_errors(self._psycopg):  # one statement: one snapshot
            return self._rows.keys()

    def get_meta(self, name: str) -> Optional[bytes]:
        with self._lock, _database_errors(self._psycopg):
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
        return f"<PostgresStorage {self._where}>"
