""":class:`PostgresStorage`: the key store's rows in PostgreSQL, shared by several issuer replicas.

psycopg 3 is an optional dependency (``pip install 'cyjose[postgres]'``); it is
imported when a :class:`PostgresStorage` is created, so ``cyjose.keys`` works
without it.
"""

from __future__ import annotations

import importlib
import threading
from contextlib import contextmanager
from typing import Any, Iterator, List, Optional

from ..exceptions import KeyStoreError
from ._storage import _COLUMNS, KeyRecord, KeyTransaction, _record, _values

__all__ = ["PostgresStorage", "is_postgres_url"]

_URL_SCHEMES = ("postgresql://", "postgres://")
_INSTALL_HINT = "PostgresStorage needs psycopg 3: pip install 'cyjose[postgres]'"

# Every writer of every replica takes this transaction-level advisory lock first,
# so their read-decide-write runs one after the other (released at COMMIT/ROLLBACK).
_WRITE_LOCK_ID = 0x63796A6F7365  # "cyjose"

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS cyjose_meta (name TEXT PRIMARY KEY, value BYTEA NOT NULL)",
    """CREATE TABLE IF NOT EXISTS cyjose_keys (
        kid TEXT PRIMARY KEY,
        algorithm TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('next', 'active', 'retired', 'deleted')),
        created DOUBLE PRECISION NOT NULL,
        activated DOUBLE PRECISION,
        retire_after DOUBLE PRECISION,
        deleted DOUBLE PRECISION,
        public_jwk TEXT NOT NULL,
        private_key BYTEA
    )""",
    # As in SQLite: the database itself refuses a second active (or next) key.
    "CREATE UNIQUE INDEX IF NOT EXISTS cyjose_one_active ON cyjose_keys (state) WHERE state = 'active'",
    "CREATE UNIQUE INDEX IF NOT EXISTS cyjose_one_next ON cyjose_keys (state) WHERE state = 'next'",
)


def is_postgres_url(location: str) -> bool:
    """True when ``location`` is a ``postgresql://`` (or ``postgres://``) connection URL."""
    return location.startswith(_URL_SCHEMES)


def _psycopg() -> Any:
    """The psycopg module, or ImportError naming the extra to install."""
    try:
        return importlib.import_module("psycopg")
    except ImportError:
        raise ImportError(_INSTALL_HINT) from None


@contextmanager
def _database_errors(psycopg: Any) -> Iterator[None]:
    """psycopg failures as :class:`KeyStoreError` (the server's message names no key material)."""
    try:
        yield
    except psycopg.IntegrityError as exc:
        raise KeyStoreError(f"The key store refused the change: {_first_line(exc)}") from None
    except psycopg.Error as exc:
        raise KeyStoreError(f"Key store database error: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class _PostgresTransaction:
    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def keys(self) -> List[KeyRecord]:
        rows = self._connection.execute(f"SELECT {_COLUMNS} FROM cyjose_keys ORDER BY created, kid").fetchall()
        return [_record(tuple(row)) for row in rows]

    def insert(self, record: KeyRecord) -> None:
        self._connection.execute(
            f"INSERT INTO cyjose_keys ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", _values(record))

    def update(self, record: KeyRecord) -> None:
        cursor = self._connection.execute(
            "UPDATE cyjose_keys SET algorithm = %s, state = %s, created = %s, public_jwk = %s, private_key = %s,"
            " activated = %s, retire_after = %s, deleted = %s WHERE kid = %s",
            _values(record)[1:] + (record.kid,))
        if cursor.rowcount != 1:
            raise KeyStoreError(f"No key {record.kid!r} in the store")


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
            try:
                with self.transaction():  # under the lock: concurrent CREATE ... IF NOT EXISTS can collide
                    for statement in _SCHEMA:
                        self._connection.execute(statement)
            except BaseException:
                self._connection.close()
                raise

    @contextmanager
    def transaction(self) -> Iterator[KeyTransaction]:
        """``BEGIN``, the advisory write lock, ..., ``COMMIT`` (``ROLLBACK`` if the block raises)."""
        with self._lock, _database_errors(self._psycopg), self._connection.transaction():
            self._connection.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK_ID,))
            yield _PostgresTransaction(self._connection)

    def keys(self) -> List[KeyRecord]:
        with self._lock, _database_errors(self._psycopg):  # one statement: one snapshot
            return _PostgresTransaction(self._connection).keys()

    def get_meta(self, name: str) -> Optional[bytes]:
        with self._lock, _database_errors(self._psycopg):
            row = self._connection.execute("SELECT value FROM cyjose_meta WHERE name = %s", (name,)).fetchone()
        if row is None:
            return None
        if not isinstance(row[0], bytes):
            raise KeyStoreError("The key store holds a malformed metadata value")
        return row[0]

    def init_meta(self, name: str, value: bytes) -> bytes:
        with self.transaction():
            self._connection.execute(
                "INSERT INTO cyjose_meta (name, value) VALUES (%s, %s) ON CONFLICT (name) DO NOTHING", (name, value))
        stored = self.get_meta(name)
        if stored is None:
            raise KeyStoreError(f"The key store lost its {name} metadata")
        return stored

    def close(self) -> None:
        """Close the connection; the object cannot be used afterwards."""
        with self._lock:
            self._connection.close()

    def __repr__(self) -> str:
        return f"<PostgresStorage {self._where}>"
