"""Where a key store keeps its rows: the :class:`Storage` interface, and the SQL its built-in implementations share.

The interface is small so that another database (PostgreSQL for several
replicas) can implement it: a snapshot read of every row, one serialised
write transaction at a time, and two small metadata values. All the rotation
logic lives in :class:`~cyjose.keys.KeyStore`, on top of it.

Contract of an implementation:

* :meth:`Storage.transaction` holds an exclusive write lock from its start
  (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: e.g. ``LOCK TABLE ... IN SHARE ROW
  EXCLUSIVE MODE`` or an advisory lock), so the read-decide-write of two
  writers (two processes rotating at once) runs one after the other; it
  commits when the block ends normally and rolls back when it raises.
* At most one row is ``active`` and at most one ``next`` (SQLite: unique
  partial indexes), enforced by the database itself as a last line of defence.
* Every database failure is raised as :class:`~cyjose.exceptions.KeyStoreError`.

The SQLite and PostgreSQL storages (``_sqlite``, ``_postgres``) run the same
statements, written once here as :class:`SqlStatements` and rendered for each
database by a :class:`SqlDialect` (placeholder style and the few DDL words
that differ); :class:`SqlRows` executes them on a DB-API connection.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, ContextManager, Iterator, List, Optional, Protocol, Sequence, Tuple, Type

from ..exceptions import KeyStoreError

__all__ = ["KeyRecord", "KeyTransaction", "Storage", "STATES", "SqlDialect", "SqlStatements", "SqlRows",
           "KEY_COLUMNS", "database_errors", "stored_meta"]

#: The states of a key, in the order of its life. ``deleted`` rows keep the
#: history (times, public key) but no private key and are never published.
STATES = ("next", "active", "retired", "deleted")


@dataclass(frozen=True)
class KeyRecord:
    """One stored row. Times are POSIX seconds; ``private_key`` is the sealed (encrypted) key."""

    kid: str
    algorithm: str
    state: str
    created: float
    public_jwk: str
    private_key: Optional[bytes]
    activated: Optional[float] = None
    retire_after: Optional[float] = None
    deleted: Optional[float] = None

    def __repr__(self) -> str:  # the sealed key is not secret, but it is noise
        return f"<KeyRecord {self.kid} {self.algorithm} {self.state}>"


class KeyTransaction(Protocol):
    """The writes of one :meth:`Storage.transaction`."""

    def keys(self) -> List[KeyRecord]:
        """Every row, read inside the transaction (so under its lock)."""

    def insert(self, record: KeyRecord) -> None:
        """Add a row (its ``kid`` must be new)."""

    def update(self, record: KeyRecord) -> None:
        """Replace the row with ``record.kid`` (every column but ``kid``)."""


class Storage(Protocol):
    """The persistence a :class:`~cyjose.keys.KeyStore` needs (see the module docstring)."""

    def keys(self) -> List[KeyRecord]:
        """A consistent snapshot of every row, oldest first."""

    def transaction(self) -> ContextManager[KeyTransaction]:
        """An exclusive, serialised write transaction."""

    def get_meta(self, name: str) -> Optional[bytes]:
        """The metadata value ``name``, or None."""

    def init_meta(self, name: str, value: bytes) -> bytes:
        """Store ``value`` under ``name`` unless one is there; return the stored value."""

    def close(self) -> None:
        """Release the connection(s)."""


# -- the SQL shared by the built-in storages ---------------------------------------------------

@dataclass(frozen=True)
class SqlDialect:
    """What differs between the databases of the built-in storages; everything else is :class:`SqlStatements`."""

    placeholder: str  #: a query parameter: ``?`` (sqlite3) or ``%s`` (psycopg)
    real: str  #: the column type of a time (POSIX seconds, a float)
    blob: str  #: the column type of bytes
    insert_ignoring: str  #: how an INSERT that skips an existing primary key starts...
    ignoring_clause: str  #: ...and ends (SQLite before 3.24 has no ``ON CONFLICT``)


# The column order of every SELECT, INSERT and UPDATE (and of KeyRecord's fields).
KEY_COLUMNS = ("kid", "algorithm", "state", "created", "public_jwk", "private_key", "activated", "retire_after",
               "deleted")
_STATE_NAMES = ", ".join(f"'{state}'" for state in STATES)
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS cyjose_meta (name TEXT PRIMARY KEY, value {blob} NOT NULL)",
    """CREATE TABLE IF NOT EXISTS cyjose_keys (
        kid TEXT PRIMARY KEY,
        algorithm TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ({states})),
        created {real} NOT NULL,
        activated {real},
        retire_after {real},
        deleted {real},
        public_jwk TEXT NOT NULL,
        private_key {blob}
    )""",
    # The database itself refuses a second active (or next) key, whatever the code does.
    "CREATE UNIQUE INDEX IF NOT EXISTS cyjose_one_active ON cyjose_keys (state) WHERE state = 'active'",
    "CREATE UNIQUE INDEX IF NOT EXISTS cyjose_one_next ON cyjose_keys (state) WHERE state = 'next'",
)


@dataclass(frozen=True)
class SqlStatements:
    """Every statement the built-in storages run on their tables, rendered for one :class:`SqlDialect`."""

    schema: Tuple[str, ...]
    select_keys: str
    insert_key: str
    update_key: str
    select_meta: str
    insert_meta: str

    @classmethod
    def render(cls, dialect: SqlDialect) -> SqlStatements:
        """The statements in ``dialect``: the same text for every database but placeholders and DDL types."""
        p = dialect.placeholder
        columns = ", ".join(KEY_COLUMNS)
        assignments = ", ".join(f"{name} = {p}" for name in KEY_COLUMNS[1:])
        return cls(
            schema=tuple(s.format(real=dialect.real, blob=dialect.blob, states=_STATE_NAMES) for s in _SCHEMA),
            select_keys=f"SELECT {columns} FROM cyjose_keys ORDER BY created, kid",
            insert_key=f"INSERT INTO cyjose_keys ({columns}) VALUES ({', '.join(p for _ in KEY_COLUMNS)})",
            update_key=f"UPDATE cyjose_keys SET {assignments} WHERE kid = {p}",
            select_meta=f"SELECT value FROM cyjose_meta WHERE name = {p}",
            insert_meta=f"{dialect.insert_ignoring} INTO cyjose_meta (name, value) VALUES ({p}, {p})"
                        f"{dialect.ignoring_clause}",
        )


class _Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchall(self) -> List[Any]: ...

    def fetchone(self) -> Any: ...


class _Connection(Protocol):
    def execute(self, sql: str, parameters: Tuple[object, ...] = ..., /) -> _Cursor: ...


class SqlRows:
    """:class:`KeyTransaction` (plus the metadata rows) over a DB-API connection, sqlite3's or psycopg 3's.

    It runs single statements; the caller brackets them in its database's
    transaction and lock, and translates its errors (:func:`database_errors`).
    """

    def __init__(self, connection: Any, statements: SqlStatements) -> None:
        self._connection: _Connection = connection
        self._sql = statements

    def create_schema(self) -> None:
        """Create the tables and indexes that are not there yet."""
        for statement in self._sql.schema:
            self._connection.execute(statement)

    def keys(self) -> List[KeyRecord]:
        """Every row, oldest first; KeyStoreError for a malformed one."""
        return [_record(tuple(row)) for row in self._connection.execute(self._sql.select_keys).fetchall()]

    def insert(self, record: KeyRecord) -> None:
        """Add the row ``record``."""
        self._connection.execute(self._sql.insert_key, _values(record))

    def update(self, record: KeyRecord) -> None:
        """Replace the row of ``record.kid``; KeyStoreError when there is none."""
        cursor = self._connection.execute(self._sql.update_key, _values(record)[1:] + (record.kid,))
        if cursor.rowcount != 1:
            raise KeyStoreError(f"No key {record.kid!r} in the store")

    def meta(self, name: str) -> Optional[bytes]:
        """The metadata value ``name``, or None; KeyStoreError when it is not bytes."""
        row = self._connection.execute(self._sql.select_meta, (name,)).fetchone()
        if row is None:
            return None
        if not isinstance(row[0], bytes):
            raise KeyStoreError("The key store holds a malformed metadata value")
        return row[0]

    def insert_meta(self, name: str, value: bytes) -> None:
        """Store ``value`` under ``name`` unless a value is there already."""
        self._connection.execute(self._sql.insert_meta, (name, value))


def stored_meta(name: str, stored: Optional[bytes]) -> bytes:
    """``stored``, the value read back after :meth:`SqlRows.insert_meta`: KeyStoreError if it vanished."""
    if stored is None:  # just inserted or already there: only a concurrent hand edit gets here
        raise KeyStoreError(f"The key store lost its {name} metadata")
    return stored


@contextmanager
def database_errors(integrity_error: Type[Exception], error: Type[Exception],
                    describe: Callable[[Exception], str] = str) -> Iterator[None]:
    """A driver's ``error`` (and its ``integrity_error`` subclass) as :class:`KeyStoreError`.

    The message is the database's (``describe(exc)``), which names no key material.
    """
    try:
        yield
    except integrity_error as exc:
        raise KeyStoreError(f"The key store refused the change: {describe(exc)}") from None
    except error as exc:
        raise KeyStoreError(f"Key store database error: {describe(exc)}") from None


def _record(row: Sequence[object]) -> KeyRecord:
    kid, algorithm, state, created, public_jwk, private_key, activated, retire_after, deleted = row
    if not (isinstance(kid, str) and isinstance(algorithm, str) and state in STATES
            and isinstance(created, (int, float)) and isinstance(public_jwk, str)
            and (private_key is None or isinstance(private_key, bytes))):
        raise KeyStoreError("The key store holds a malformed row")
    return KeyRecord(kid, algorithm, str(state), float(created), public_jwk, private_key,
                     _time(activated), _time(retire_after), _time(deleted))


def _time(value: object) -> Optional[float]:
    if value is None:
        return None
    if not isinstance(value, (int, float)):
        raise KeyStoreError("The key store holds a malformed row")
    return float(value)


def _values(record: KeyRecord) -> Tuple[object, ...]:
    """The row of ``record``, in :data:`KEY_COLUMNS` order."""
    return tuple(getattr(record, name) for name in KEY_COLUMNS)
