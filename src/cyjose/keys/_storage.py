"""Where a key store keeps its rows: the :class:`Storage` interface and its SQLite implementation.

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
"""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from typing import ContextManager, Iterator, List, Optional, Protocol, Tuple, Union

from ..exceptions import KeyStoreError

__all__ = ["KeyRecord", "KeyTransaction", "Storage", "SQLiteStorage", "STATES"]

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


_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS cyjose_meta (name TEXT PRIMARY KEY, value BLOB NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS cyjose_keys (
        kid TEXT PRIMARY KEY,
        algorithm TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('next', 'active', 'retired', 'deleted')),
        created REAL NOT NULL,
        activated REAL,
        retire_after REAL,
        deleted REAL,
        public_jwk TEXT NOT NULL,
        private_key BLOB
    )""",
    # The database itself refuses a second active (or next) key, whatever the code does.
    "CREATE UNIQUE INDEX IF NOT EXISTS cyjose_one_active ON cyjose_keys (state) WHERE state = 'active'",
    "CREATE UNIQUE INDEX IF NOT EXISTS cyjose_one_next ON cyjose_keys (state) WHERE state = 'next'",
)
_COLUMNS = "kid, algorithm, state, created, public_jwk, private_key, activated, retire_after, deleted"
_BUSY_TIMEOUT_SECONDS = 30.0


def _record(row: Tuple[object, ...]) -> KeyRecord:
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
    return (record.kid, record.algorithm, record.state, record.created, record.public_jwk,
            record.private_key, record.activated, record.retire_after, record.deleted)


@contextmanager
def _database_errors() -> Iterator[None]:
    """sqlite3 failures as :class:`KeyStoreError` (the message is SQLite's, which holds no key material)."""
    try:
        yield
    except sqlite3.IntegrityError as exc:
        raise KeyStoreError(f"The key store refused the change: {exc}") from None
    except sqlite3.Error as exc:
        raise KeyStoreError(f"Key store database error: {exc}") from None


class _SQLiteTransaction:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def keys(self) -> List[KeyRecord]:
        rows = self._connection.execute(f"SELECT {_COLUMNS} FROM cyjose_keys ORDER BY created, kid").fetchall()
        return [_record(row) for row in rows]

    def insert(self, record: KeyRecord) -> None:
        self._connection.execute(f"INSERT INTO cyjose_keys ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 _values(record))

    def update(self, record: KeyRecord) -> None:
        cursor = self._connection.execute(
            "UPDATE cyjose_keys SET algorithm = ?, state = ?, created = ?, public_jwk = ?, private_key = ?,"
            " activated = ?, retire_after = ?, deleted = ? WHERE kid = ?",
            _values(record)[1:] + (record.kid,))
        if cursor.rowcount != 1:
            raise KeyStoreError(f"No key {record.kid!r} in the store")


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
    """:class:`Storage` in one SQLite file (stdlib :mod:`sqlite3`), safe for several processes.

    The file is in WAL mode (readers never wait for the writer); each write
    transaction starts with ``BEGIN IMMEDIATE``, so two processes rotating at
    once take turns (waiting up to 30 s for the lock). One connection per
    object, shared by its threads under a lock; open a new object in each
    process (a connection must not cross ``fork``). A new file is created
    with mode 0600 (owner only). Raises
    :class:`~cyjose.exceptions.KeyStoreError` when the file cannot be opened
    or is not a key store database.
    """

    def __init__(self, path: Union[str, "os.PathLike[str]"]) -> None:
        self.path = os.fspath(path)
        self._lock = threading.RLock()
        _create_private_file(self.path)
        with _database_errors():
            self._connection = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_SECONDS,
                                               isolation_level=None, check_same_thread=False)
            try:
                self._connection.execute("PRAGMA journal_mode = WAL")
                with self.transaction():
                    for statement in _SCHEMA:
                        self._connection.execute(statement)
            except BaseException:
                self._connection.close()
                raise

    @contextmanager
    def transaction(self) -> Iterator[KeyTransaction]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` if the block raises)."""
        with self._lock, _database_errors():
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield _SQLiteTransaction(self._connection)
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def keys(self) -> List[KeyRecord]:
        with self._lock, _database_errors():
            return _SQLiteTransaction(self._connection).keys()

    def get_meta(self, name: str) -> Optional[bytes]:
        with self._lock, _database_errors():
            row = self._connection.execute("SELECT value FROM cyjose_meta WHERE name = ?", (name,)).fetchone()
        if row is None:
            return None
        if not isinstance(row[0], bytes):
            raise KeyStoreError("The key store holds a malformed metadata value")
        return row[0]

    def init_meta(self, name: str, value: bytes) -> bytes:
        with self.transaction():
            with _database_errors():
                self._connection.execute("INSERT OR IGNORE INTO cyjose_meta (name, value) VALUES (?, ?)",
                                         (name, value))
        stored = self.get_meta(name)
        if stored is None:  # just inserted or already there: only a concurrent hand edit gets here
            raise KeyStoreError(f"The key store lost its {name} metadata")
        return stored

    def close(self) -> None:
        """Close the connection; the object cannot be used afterwards."""
        with self._lock:
            self._connection.close()

    def __repr__(self) -> str:
        return f"<SQLiteStorage {self.path!r}>"
