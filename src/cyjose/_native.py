"""Chooses, once per process, between the compiled and the pure-Python twins.

The compiled twin ``cyjose.<name>_c`` is used unless ``CYJOSE_NO_EXTENSIONS``
is set or the interpreter is not CPython. ``CYJOSE_REQUIRE_EXTENSIONS=1`` turns
a missing compiled twin into an ImportError, so a broken build cannot hide
behind the fallback. Only the dispatcher modules call :func:`load_twin`.
"""

from __future__ import annotations

import importlib
import os
import platform
from types import ModuleType

__all__ = ["load_twin", "native", "HOT_MODULES", "TWINS"]

#: Every hot module; each has a dispatcher ``cyjose.<name>`` and twins
#: ``cyjose.<name>_c`` (compiled) and ``cyjose.<name>_py`` (reference).
HOT_MODULES = ("_b64url", "_compact", "_hmac", "_ecdsa", "_claims", "_json", "_token", "_pkey")


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


NO_EXTENSIONS = _flag("CYJOSE_NO_EXTENSIONS")
REQUIRE_EXTENSIONS = _flag("CYJOSE_REQUIRE_EXTENSIONS")

#: Which twin each hot module uses: ``{"_b64url": "compiled", ...}``.
TWINS: dict[str, str] = {}


def load_twin(name: str) -> ModuleType:
    """Import the twin of hot module ``name`` (e.g. ``"_b64url"``) that this process uses."""
    if REQUIRE_EXTENSIONS and NO_EXTENSIONS:
        raise ImportError("CYJOSE_REQUIRE_EXTENSIONS and CYJOSE_NO_EXTENSIONS are both set")
    if not NO_EXTENSIONS and platform.python_implementation() == "CPython":
        try:
            module = importlib.import_module(f"cyjose.{name}_c")
        except ImportError as exc:
            if REQUIRE_EXTENSIONS:
                raise ImportError(
                    f"CYJOSE_REQUIRE_EXTENSIONS is set but the compiled twin "
                    f"cyjose.{name}_c cannot be imported: {exc}"
                ) from exc
        else:
            TWINS[name] = "compiled"
            return module
    elif REQUIRE_EXTENSIONS:
        raise ImportError("CYJOSE_REQUIRE_EXTENSIONS is set but this interpreter is not CPython")
    TWINS[name] = "python"
    return importlib.import_module(f"cyjose.{name}_py")


def native() -> bool:
    """True exactly when every hot module loaded so far is the compiled twin."""
    return bool(TWINS) and all(kind == "compiled" for kind in TWINS.values())
