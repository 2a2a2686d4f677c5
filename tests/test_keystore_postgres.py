"""The KeyStore on PostgreSQL (cyjose.keys.PostgresStorage), against a real throwaway server.

The session starts its own PostgreSQL (initdb into a temporary folder, pg_ctl
on a free 127.0.0.1 port; as an unprivileged user when run as root, since
initdb refuses root) and gives each test a fresh database. Without the
PostgreSQL binaries or psycopg these tests fail, unless CYJOSE_SKIP_POSTGRES=1
is set (then they skip).
"""

from __future__ import annotations

import dataclasses
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from typing import Any, Iterator, List, Tuple

import jwt as pyjwt
import pytest
from keystore_scenarios import RecordingConnection, check_concurrent_rotation, exercise_storage, states

from cyjose.exceptions import KeyStoreError, MasterKeyError
from cyjose.keys import KeyStore, MasterKey, PostgresStorage, RotationPolicy, _postgres, _storage

T0 = 1_900_000_000.0
DAY = 86400.0
_SKIP_VARIABLE = "CYJOSE_SKIP_POSTGRES"


def _unavailable(reason: str) -> None:
    if os.environ.get(_SKIP_VARIABLE) == "1":
        pytest.skip(f"{reason} ({_SKIP_VARIABLE}=1)")
    pytest.fail(f"{reason}: install PostgreSQL and psycopg 3 (pip install '.[test]'), "
                f"or set {_SKIP_VARIABLE}=1 to skip these tests", pytrace=False)


def _binary_dir() -> str:
    """The folder holding initdb and pg_ctl: PATH first, then Debian's versioned folders."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return os.path.dirname(os.path.realpath(found))
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(folder, "initdb")) and os.path.exists(os.path.join(folder, "pg_ctl")):
            return folder
    _unavailable("The PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    raise AssertionError("unreachable")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Server:
    """A PostgreSQL cluster in a temporary folder, run as ``nobody`` when we are root."""

    def __init__(self, binaries: str) -> None:
        self.binaries = binaries
        self.folder = tempfile.mkdtemp(prefix="cyjose-pg-")
        self.port = _free_port()
        self.as_user: List[str] = []
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(self.folder, nobody.pw_uid, nobody.pw_gid)
            self.as_user = ["runuser", "-u", "nobody", "--"]

    def run(self, tool: str, *args: str) -> None:
        command = self.as_user + [os.path.join(self.binaries, tool), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed: {done.stdout}{done.stderr}")

    def start(self) -> None:
        data = os.path.join(self.folder, "data")
        self.run("initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync")
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run("pg_ctl", "start", "-w", "-t", "60", "-D", data, "-l", os.path.join(self.folder, "log"),
                 "-o", options)

    def stop(self) -> None:
        try:
            self.run("pg_ctl", "stop", "-m", "fast", "-w", "-D", os.path.join(self.folder, "data"))
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"


@pytest.fixture(scope="session")
def server() -> Iterator[_Server]:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg 3 is not installed")
    started = _Server(_binary_dir())
    try:
        started.start()
    except BaseException:
        shutil.rmtree(started.folder, ignore_errors=True)
        raise
    try:
        yield started
    finally:
        started.stop()


_numbers = itertools.count()


@pytest.fixture
def url(server: _Server) -> str:
    """A fresh, empty database on the session's server."""
    import psycopg

    name = f"keys_{os.getpid()}_{next(_numbers)}"
    with psycopg.connect(server.url("postgres"), autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return server.url(name)


@pytest.fixture
def master() -> MasterKey:
    return MasterKey.generate()


def raw(url: str, sql: str, *params: Any) -> List[Tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        cursor = connection.execute(sql, params)
        return list(cursor.fetchall()) if cursor.description else []


# -- open, rotate, publish, sign ------------------------------------------------------------


def test_open_url_rotate_and_publish(url: str, master: MasterKey) -> None:
    now = [T0]
    with KeyStore.open(url, master, clock=lambda: now[0]) as store:
        assert isinstance(store.storage, PostgresStorage) and store.keys() == []
        first = store.rotate()
        active = store.active_key().kid
        assert len(first.created) == 2 and active in first.created
        assert len(store.rotate().created) == 0  # idempotent
        published = store.jwks()
        assert {jwk["kid"] for jwk in published["keys"]} == {info.kid for info in store.keys()}
        now[0] += RotationPolicy().rotation_period
        second = store.rotate()
        assert second.promoted in first.created and second.retired == active
        found = states(store)
        assert (len(found["active"]), len(found["next"]), len(found["retired"])) == (1, 1, 1)
    rows = raw(url, "SELECT state, count(*) FROM cyjose_keys GROUP BY state ORDER BY state")
    assert rows == [("active", 1), ("next", 1), ("retired", 1)]


def test_publish_only_store_and_signing(url: str, master: MasterKey) -> None:
    with KeyStore.open(url, master) as store:
        store.rotate()
        token = store.issue("alice", audience="api")
        kid = store.active_key().kid
        published = store.jwks()
    with KeyStore.open(url) as public:  # another replica, without the master key
        assert public.jwks() == published
        with pytest.raises(KeyStoreError, match="without its master key"):
            public.rotate()
    jwk = next(jwk for jwk in published["keys"] if jwk["kid"] == kid)
    key = pyjwt.PyJWK(jwk).key
    claims = pyjwt.decode(token, key, algorithms=[jwk["alg"]], audience="api")
    assert claims["sub"] == "alice" and pyjwt.get_unverified_header(token)["kid"] == kid


def test_signer_follows_a_rotation_by_another_replica(url: str, master: MasterKey) -> None:
    now = [T0]
    store = KeyStore.open(url, master, clock=lambda: now[0])
    other = KeyStore.open(url, master, clock=lambda: now[0])
    try:
        store.rotate()
        signer = store.signer()
        first = store.active_key().kid
        assert pyjwt.get_unverified_header(signer.sign({"sub": "bob"}))["kid"] == first == signer.kid
        now[0] += store.policy.rotation_period
        promoted = other.rotate().promoted  # the other replica rotates
        assert promoted and promoted != first
        now[0] += store.policy.signer_refresh
        assert pyjwt.get_unverified_header(signer.sign({"sub": "bob"}))["kid"] == promoted
    finally:
        store.close()
        other.close()


# -- master key, tampering, database constraints --------------------------------------------


def test_postgres_storage_executes_only_the_shared_statements(url: str, master: MasterKey,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import psycopg

    executed: List[str] = []
    connect = psycopg.connect
    monkeypatch.setattr(psycopg, "connect", lambda *a, **k: RecordingConnection(connect(*a, **k), executed))
    exercise_storage(url, master, T0)
    rendered = dataclasses.asdict(_storage.SqlStatements.render(_postgres.DIALECT))
    shared = {*rendered.pop("schema"), *rendered.values()}
    # every shared statement ran, and besides them only the write lock
    assert set(executed) - {"SELECT pg_advisory_xact_lock(%s)"} == shared


def test_wrong_master_key(url: str, master: MasterKey) -> None:
    with KeyStore.open(url, master) as store:
        store.rotate()
    wrong = MasterKey.generate()
    with pytest.raises(MasterKeyError, match="wrong master key") as caught:
        KeyStore.open(url, wrong)
    assert wrong.encoded() not in str(caught.value) and master.encoded() not in str(caught.value)
    with KeyStore.open(url, master) as store:
        assert store.issue("alice")


def test_tampered_private_key_row(url: str, master: MasterKey) -> None:
    with KeyStore.open(url, master) as store:
        store.rotate()
        kid = store.active_key().kid
    ((sealed,),) = raw(url, "SELECT private_key FROM cyjose_keys WHERE kid = %s", kid)
    flipped = bytes(sealed[:20]) + bytes([sealed[20] ^ 0x01]) + bytes(sealed[21:])
    raw(url, "UPDATE cyjose_keys SET private_key = %s WHERE kid = %s", flipped, kid)
    with KeyStore.open(url, master) as store:
        with pytest.raises(KeyStoreError, match=f"private key of {kid} does not decrypt"):
            store.issue("alice")


def test_private_keys_are_encrypted_at_rest(url: str, master: MasterKey) -> None:
    with KeyStore.open(url, master) as store:
        store.rotate()
        kid = store.active_key().kid
    ((sealed,),) = raw(url, "SELECT private_key FROM cyjose_keys WHERE kid = %s", kid)
    assert b"PRIVATE" not in bytes(sealed) and b"\x30\x81" not in bytes(sealed)[:4]


def test_database_refuses_two_active_keys(url: str, master: MasterKey) -> None:
    import psycopg

    with KeyStore.open(url, master) as store:
        store.rotate()
        upcoming = states(store)["next"][0]
        with pytest.raises(psycopg.errors.UniqueViolation):
            raw(url, "UPDATE cyjose_keys SET state = 'active' WHERE kid = %s", upcoming)
        record = next(r for r in store.storage.keys() if r.kid == upcoming)
        with pytest.raises(KeyStoreError, match="refused"):
            with store.storage.transaction() as tx:
                tx.update(record.__class__(**{**record.__dict__, "state": "active"}))
        assert states(store)["next"] == [upcoming]  # rolled back
        assert len(store.rotate().created) == 0  # and the connection is still usable


def test_malformed_row_raises_key_store_error(url: str, master: MasterKey) -> None:
    with KeyStore.open(url, master) as store:
        store.rotate()
    raw(url, "ALTER TABLE cyjose_keys ALTER COLUMN created TYPE TEXT")
    raw(url, "UPDATE cyjose_keys SET created = 'yesterday' WHERE state = 'next'")
    with KeyStore.open(url) as store:
        with pytest.raises(KeyStoreError, match="malformed"):
            store.keys()


def test_unreachable_database_is_a_key_store_error(server: _Server) -> None:
    secret = "s3cret-pass-word"
    url = f"postgresql://someone:{secret}@127.0.0.1:{_free_port()}/nothing"
    with pytest.raises(KeyStoreError, match="database error") as caught:
        PostgresStorage(url, connect_timeout=5)
    assert secret not in str(caught.value)
    with pytest.raises(KeyStoreError, match="database error"):
        KeyStore.open(server.url("no_such_database"))


def test_repr_names_the_database_not_the_password(url: str) -> None:
    storage = PostgresStorage(url.replace("postgres@", "postgres:hunter2@"))
    try:
        shown = repr(KeyStore(storage))
        assert "hunter2" not in shown and "127.0.0.1" in shown and "PostgresStorage" in shown
    finally:
        storage.close()


def test_without_psycopg_the_error_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['psycopg'] = None\n"
        "import cyjose.keys as keys\n"
        "try:\n"
        "    keys.KeyStore.open('postgresql://127.0.0.1/x')\n"
        "except ImportError as exc:\n"
        "    print('cyjose[postgres]' in str(exc))\n"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.split() == ["True"]


def test_importing_cyjose_keys_does_not_load_psycopg() -> None:
    code = "import sys, cyjose.keys; print('psycopg' in sys.modules)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.split() == ["False"]


# -- several processes rotating at once -----------------------------------------------------


def test_concurrent_rotation_from_several_processes(url: str, master: MasterKey) -> None:
    # The first round also races the schema creation and the master-key check value.
    check_concurrent_rotation(url, master, T0, 4, 3)
