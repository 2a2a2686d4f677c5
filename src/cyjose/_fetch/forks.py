"""Objects that must start afresh in a forked child: locks, fetches in flight, background refreshes.

A child of ``os.fork()`` (gunicorn ``--preload``, multiprocessing's fork
start method) holds a copy of every lock as it was at the fork, but only the
thread that forked. A lock another thread held then is held for ever, and a
fetch another thread was leading never ends: every later caller would wait
on it or be refused. Each object registered here gets its
``_after_fork_in_child()`` called in the child, before any user code runs,
and drops that state there.
"""

from __future__ import annotations

import os
import threading
import weakref
from typing import Any, Protocol

__all__ = ["ForkAware", "ForkSafeLock", "reset_after_fork"]


class ForkAware(Protocol):
    def _after_fork_in_child(self) -> None:
        """Drop locks and in-flight state inherited from the parent."""


_REGISTERED: weakref.WeakSet[Any] = weakref.WeakSet()


def reset_after_fork(obj: ForkAware) -> None:
    """Call ``obj._after_fork_in_child()`` in every forked child while ``obj`` lives."""
    _REGISTERED.add(obj)


def _reset_all() -> None:
    for obj in list(_REGISTERED):
        obj._after_fork_in_child()


class ForkSafeLock:
    """A ``threading.Lock`` (as a context manager) that is free again in a forked child."""

    __slots__ = ("_lock", "__weakref__")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        reset_after_fork(self)

    def __enter__(self) -> bool:
        return self._lock.acquire()

    def __exit__(self, *exc: Any) -> None:
        self._lock.release()

    def _after_fork_in_child(self) -> None:
        self._lock = threading.Lock()


if hasattr(os, "register_at_fork"):  # POSIX; elsewhere there is no fork
    os.register_at_fork(after_in_child=_reset_all)
