"""Shared test machinery for the hot paths: the twin fixtures and the test vectors.

Every hot module ``cyjose._speedups.<name>`` has two twins, ``<name>_py`` (the
reference) and ``<name>_c`` (compiled). Tests import the twins directly
(library code never does) through these fixtures, each parametrized over
``["python", "compiled"]``:

    b64url, compact, hmac_twin, ecdsa, claims, token_twin, pkey

``twin_pair(name)`` returns ``(python_twin, compiled_twin)`` for differential
tests. The compiled twin follows the same switches as the dispatcher:

* ``CYJOSE_NO_EXTENSIONS`` set: the compiled params are skipped.
* ``CYJOSE_REQUIRE_EXTENSIONS`` set: a compiled twin that cannot be imported
  fails the test (a broken build must never look like a skip).
* neither set: a compiled twin that cannot be imported is skipped.

API fixtures live in their own files, not here.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Callable, Tuple

import pytest

from cyjose._speedups import HOT_MODULES, TwinUnavailable, compiled_twin, python_twin

TWIN_KINDS = ("python", "compiled")

#: ``<repo root>/../shared/vectors``: published JOSE test vectors (read-only).
VECTORS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "vectors"


def load_twin_module(name: str, kind: str) -> ModuleType:
    """Import twin ``kind`` ("python" or "compiled") of hot module ``name``.

    Skips or fails the running test for a compiled twin, following the rules
    in the module docstring (those of :func:`cyjose._speedups.compiled_twin`).
    """
    if name not in HOT_MODULES:
        raise ValueError(f"unknown hot module {name!r}")
    if kind == "python":
        return python_twin(name)
    if kind != "compiled":
        raise ValueError(f"unknown twin kind {kind!r}")
    try:
        return compiled_twin(name)
    except TwinUnavailable as exc:
        if exc.required:
            pytest.fail(str(exc), pytrace=False)
        pytest.skip(str(exc))


def _twin_fixture(name: str, fixture_name: str) -> Callable[..., ModuleType]:
    def fixture(request: pytest.FixtureRequest) -> ModuleType:
        return load_twin_module(name, request.param)

    fixture.__doc__ = f"cyjose._speedups.{name}_py, then cyjose._speedups.{name}_c (skipped/failed as documented)."
    return pytest.fixture(params=TWIN_KINDS, scope="session", name=fixture_name)(fixture)


# Session scope keeps hypothesis happy (no function-scoped fixture under @given).
b64url = _twin_fixture("b64url", "b64url")
compact = _twin_fixture("compact", "compact")
hmac_twin = _twin_fixture("hmac", "hmac_twin")
ecdsa = _twin_fixture("ecdsa", "ecdsa")
claims = _twin_fixture("claims", "claims")
json_twin = _twin_fixture("json", "json_twin")
token_twin = _twin_fixture("token", "token_twin")
pkey = _twin_fixture("pkey", "pkey")


@pytest.fixture(scope="session")
def twin_pair() -> Callable[[str], Tuple[ModuleType, ModuleType]]:
    """``twin_pair("b64url") -> (python_twin, compiled_twin)``; skips/fails like above."""

    def pair(name: str) -> Tuple[ModuleType, ModuleType]:
        return load_twin_module(name, "python"), load_twin_module(name, "compiled")

    return pair


@pytest.fixture(scope="session")
def vectors_dir() -> Path:
    """Path of the shared published test vectors; skips when the folder is absent."""
    if not VECTORS_DIR.is_dir():
        pytest.skip(f"test vectors not found at {VECTORS_DIR}")
    return VECTORS_DIR
