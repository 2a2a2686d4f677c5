"""Key store scenarios shared by the SQLite and PostgreSQL tests (tests/test_keystore*.py).

``location`` is whatever :meth:`cyjose.keys.KeyStore.open` takes: a file path or a
``postgresql://`` URL. Child processes are spawned, so they import this module afresh.
"""

from __future__ import annotations

import multiprocessing
from typing import Any, Dict, List

from cyjose.keys import KeyStore, MasterKey, RotationPolicy


def states(store: KeyStore) -> Dict[str, List[str]]:
    """The store's kids grouped by state."""
    found: Dict[str, List[str]] = {}
    for info in store.keys():
        found.setdefault(info.state, []).append(info.kid)
    return found


def _rotate_in_child(location: str, encoded_master: str, now: float, barrier: Any, results: Any) -> None:
    store = KeyStore.open(location, MasterKey.from_text(encoded_master), clock=lambda: now)
    barrier.wait()
    result = store.rotate()
    results.put((result.created, result.promoted, result.retired))
    store.close()


def rotate_concurrently(location: str, master: MasterKey, now: float, processes: int) -> List[Any]:
    """``rotate()`` at ``now`` from ``processes`` processes released together; their results."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(processes), context.Queue()
    children = [context.Process(target=_rotate_in_child, args=(location, master.encoded(), now, barrier, results))
                for _ in range(processes)]
    for child in children:
        child.start()
    outcomes = [results.get(timeout=120) for _ in children]
    for child in children:
        child.join(timeout=60)
        assert child.exitcode == 0
    return outcomes


def check_concurrent_rotation(location: str, master: MasterKey, t0: float, first: int, second: int) -> None:
    """Bootstrap from ``first`` racing processes, then promote from ``second``: each done exactly once."""
    outcomes = rotate_concurrently(location, master, t0, first)
    with KeyStore.open(location, master) as store:
        found = states(store)
        assert len(found["active"]) == 1 and len(found["next"]) == 1 and len(store.keys()) == 2
    assert sum(len(created) for created, _, _ in outcomes) == 2  # exactly one process bootstrapped

    outcomes = rotate_concurrently(location, master, t0 + RotationPolicy().rotation_period, second)
    assert sum(1 for _, promoted, _ in outcomes if promoted) == 1
    with KeyStore.open(location, master) as store:
        found = states(store)
        assert (len(found["active"]), len(found["next"]), len(found["retired"])) == (1, 1, 1)
        assert store.active_key().kid == next(promoted for _, promoted, _ in outcomes if promoted)


class RecordingConnection:
    """A DB-API connection that notes the SQL text of every ``execute`` and passes it on."""

    def __init__(self, connection: Any, executed: List[str]) -> None:
        self._connection, self._executed = connection, executed

    def execute(self, sql: str, *args: Any) -> Any:
        self._executed.append(sql)
        return self._connection.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)


def exercise_storage(location: str, master: MasterKey, now: float) -> None:
    """Run every statement a storage has: create, master-key check, rotations (insert, update), reads."""
    clock = [now]
    with KeyStore.open(location, master, clock=lambda: clock[0]) as store:
        store.rotate()
        clock[0] += 2 * 86400.0  # past the default prepublish time of the next key
        store.rotate(force=True)  # promotes next and retires the old key: UPDATEs
        store.jwks()
