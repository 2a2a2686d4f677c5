"""The hot paths, and the loader that chooses, once per process, which twin of each one runs.

Every hot module ``<name>`` (see :data:`HOT_MODULES`) lives here as three files:
the dispatcher ``cyjose._speedups.<name>``, which the rest of cyjose imports; the
reference twin ``<name>_py`` (pure Python: the spec); and the compiled twin
``<name>_c`` (Cython), which must behave identically. Nothing outside this package
imports a twin directly (``tests/test_structure.py`` checks it).

The compiled twin is used unless ``CYJOSE_NO_EXTENSIONS`` is set or the
interpreter is not CPython. ``CYJOSE_REQUIRE_EXTENSIONS=1`` turns a missing
compiled twin into an ImportError, so a broken build cannot hide behind the
fallback. :func:`compiled_twin` is the one home of these rules: the dispatchers
(through :func:`load_twin`), the test fixtures and the fuzz harness all ask it.
"""

from __future__ import annotations

import importlib
import os
import platform
from types import ModuleType

__all__ = ["load_twin", "compiled_twin", "python_twin", "native", "flag", "TwinUnavailable",
           "HOT_MODULES", "TWINS"]

#: Every hot module; each has a dispatcher ``cyjose._speedups.<name>`` and twins
#: ``cyjose._speedups.<name>_c`` (compiled) and ``cyjose._speedups.<name>_py`` (reference).
HOT_MODULES = ("b64url", "compact", "hmac", "ecdsa", "claims", "json", "token", "pkey")


def flag(name: str) -> bool:
    """An environment switch: unset, ``""``, ``0``, ``false`` and ``no`` (any case) are off."""
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


NO_EXTENSIONS = flag("CYJOSE_NO_EXTENSIONS")
REQUIRE_EXTENSIONS = flag("CYJOSE_REQUIRE_EXTENSIONS")

#: Which twin each hot module uses: ``{"b64url": "compiled", ...}``.
TWINS: dict[str, str] = {}


class TwinUnavailable(ImportError):
    """The compiled twin cannot be used here; ``required`` is true when that is an error."""

    def __init__(self, message: str, required: bool) -> None:
        super().__init__(message)
        self.required = required


def python_twin(name: str) -> ModuleType:
    """The reference (pure-Python) twin of hot module ``name``."""
    return importlib.import_module(f"cyjose._speedups.{name}_py")


def compiled_twin(name: str) -> ModuleType:
    """The compiled twin of hot module ``name``, if this process may and can use it.

    Raises ImportError when both switches are set, else :class:`TwinUnavailable`
    (``required``: ``CYJOSE_REQUIRE_EXTENSIONS`` is set, so the caller must fail).
    """
    if REQUIRE_EXTENSIONS and NO_EXTENSIONS:
        raise ImportError("CYJOSE_REQUIRE_EXTENSIONS and CYJOSE_NO_EXTENSIONS are both set")
    if NO_EXTENSIONS:
        raise TwinUnavailable("CYJOSE_NO_EXTENSIONS is set: the compiled twins are not used", required=False)
    if platform.python_implementation() != "CPython":
        raise TwinUnavailable("CYJOSE_REQUIRE_EXTENSIONS is set but this interpreter is not CPython"
                              if REQUIRE_EXTENSIONS else "compiled twins exist only for CPython",
                              required=REQUIRE_EXTENSIONS)
    module = f"cyjose._speedups.{name}_c"
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        if REQUIRE_EXTENSIONS:
            message = f"CYJOSE_REQUIRE_EXTENSIONS is set but the compiled twin {module} cannot be imported: {exc}"
        else:
            message = f"the compiled twin {module} is not built ({exc})"
        raise TwinUnavailable(message, required=REQUIRE_EXTENSIONS) from exc


def load_twin(name: str) -> ModuleType:
    """Import the twin of hot module ``name`` (e.g. ``"b64url"``) that this process uses."""
    try:
        module = compiled_twin(name)
    except TwinUnavailable as exc:
        if exc.required:
            raise ImportError(str(exc)) from exc
    else:
        TWINS[name] = "compiled"
        return module
    TWINS[name] = "python"
    return python_twin(name)


def native() -> bool:
    """True exactly when every hot module loaded so far is the compiled twin."""
    return bool(TWINS) and all(kind == "compiled" for kind in TWINS.values())
