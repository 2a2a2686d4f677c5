"""Shared test machinery for the hot paths: the twin fixtures and the test vectors.

Every hot module ``cyjose.<name>`` has two twins, ``cyjose.<name>_py`` (the
reference) and ``cyjose.<name>_c`` (compiled). Tests import the twins directly
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

import importlib
import os
import platform
from pathlib import Path
from types import ModuleType
from typing import Callable, Tuple

import pytest

TWIN_KINDS = ("python", "compiled")
from cyjose._native import HOT_MODULES

#: ``<repo root>/../shared/vectors``: published JOSE test vectors (read-only).
VECTORS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "vectors"


def _flag(name: str) -> bool:
    """Same truth rule as :mod:`cyjose._native`: unset, "", 0, false, no are off."""
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def load_twin_module(name: str, kind: str) -> ModuleType:
    """Import twin ``kind`` ("python" or "compiled") of hot module ``name``.

    Skips or fails the running test for a compiled twin, following the rules
    in the module docstring.
    """
    if name not in HOT_MODULES:
        raise ValueError(f"unknown hot module {name!r}")
    if kind == "python":
        return importlib.import_module(f"cyjose.{name}_py")
    if kind != "compiled":
        raise ValueError(f"unknown twin kind {kind!r}")
    if _flag("CYJOSE_NO_EXTENSIONS"):
        pytest.skip("CYJOSE_NO_EXTENSIONS is set: compiled twins are not tested")
    require = _flag("CYJOSE_REQUIRE_EXTENSIONS")
    if platform.python_implementation() != "CPython":
        if require:
            pytest.fail("CYJOSE_REQUIRE_EXTENSIONS is set but this interpreter is not CPython",
                        pytrace=False)
        pytest.skip("compiled twins exist only for CPython")
    try:
        return importlib.import_module(f"cyjose.{name}_c")
    except ImportError as exc:
        if require:
            pytest.fail(f"CYJOSE_REQUIRE_EXTENSIONS is set but cyjose.{name}_c "
                        f"cannot be imported: {exc}", pytrace=False)
        pytest.skip(f"compiled twin cyjose.{name}_c is not built ({exc})")


def _twin_fixture(name: str, fixture_name: str) -> Callable[..., ModuleType]:
    def fixture(request: pytest.FixtureRequest) -> ModuleType:
        return load_twin_module(name, request.param)

    fixture.__doc__ = f"cyjose.{name}_py, then cyjose.{name}_c (skipped/failed as documented)."
    return pytest.fixture(params=TWIN_KINDS, scope="session", name=fixture_name)(fixture)


# Session scope keeps hypothesis happy (no function-scoped fixture under @given).
b64url = _twin_fixture("_b64url", "b64url")
compact = _twin_fixture("_compact", "compact")
hmac_twin = _twin_fixture("_hmac", "hmac_twin")
ecdsa = _twin_fixture("_ecdsa", "ecdsa")
claims = _twin_fixture("_claims", "claims")
json_twin = _twin_fixture("_json", "json_twin")
token_twin = _twin_fixture("_token", "token_twin")
pkey = _twin_fixture("_pkey", "pkey")


@pytest.fixture(scope="session")
def twin_pair() -> Callable[[str], Tuple[ModuleType, ModuleType]]:
    """``twin_pair("_b64url") -> (python_twin, compiled_twin)``; skips/fails like above."""

    def pair(name: str) -> Tuple[ModuleType, ModuleType]:
        return load_twin_module(name, "python"), load_twin_module(name, "compiled")

    return pair


@pytest.fixture(scope="session")
def vectors_dir() -> Path:
    """Path of the shared published test vectors; skips when the folder is absent."""
    if not VECTORS_DIR.is_dir():
        pytest.skip(f"test vectors not found at {VECTORS_DIR}")
    return VECTORS_DIR
