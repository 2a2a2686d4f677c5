"""The dispatcher: which twin each hot module uses, and the environment switches."""

from __future__ import annotations

import importlib
import sys

import pytest

import cyjose
from cyjose._speedups import HOT_MODULES, flag

# The module itself, whatever names the package binds (it once bound _native to a function).
_native = importlib.import_module("cyjose._speedups")


def _compiled_importable(name):
    try:
        importlib.import_module(f"cyjose._speedups.{name}_c")
    except ImportError:
        return False
    return True


@pytest.mark.parametrize("name", HOT_MODULES)
def test_dispatcher_exports_the_recorded_twin(name):
    dispatcher = importlib.import_module(f"cyjose._speedups.{name}")
    kind = _native.TWINS[name]
    twin = importlib.import_module(f"cyjose._speedups.{name}_{'c' if kind == 'compiled' else 'py'}")
    assert dispatcher.__all__
    for attr in dispatcher.__all__:
        assert getattr(dispatcher, attr) is getattr(twin, attr), attr


@pytest.mark.parametrize("name", HOT_MODULES)
def test_environment_decides_the_twin(name):
    kind = _native.TWINS[name]
    if flag("CYJOSE_NO_EXTENSIONS"):
        assert kind == "python"
    elif flag("CYJOSE_REQUIRE_EXTENSIONS"):
        assert kind == "compiled"
    elif _compiled_importable(name) and sys.implementation.name == "cpython":
        assert kind == "compiled"
    else:
        assert kind == "python"


def test_native_flag():
    assert cyjose.NATIVE is all(kind == "compiled" for kind in _native.TWINS.values())
    if flag("CYJOSE_NO_EXTENSIONS"):
        assert cyjose.NATIVE is False
    if flag("CYJOSE_REQUIRE_EXTENSIONS"):
        assert cyjose.NATIVE is True


@pytest.fixture
def isolated(monkeypatch):
    """load_twin with fresh flags and its own TWINS record."""
    monkeypatch.setattr(_native, "TWINS", {})
    monkeypatch.setattr(_native, "NO_EXTENSIONS", False)
    monkeypatch.setattr(_native, "REQUIRE_EXTENSIONS", False)
    return monkeypatch


def test_load_twin_no_extensions(isolated):
    isolated.setattr(_native, "NO_EXTENSIONS", True)
    module = _native.load_twin("b64url")
    assert module.__name__ == "cyjose._speedups.b64url_py"
    assert _native.TWINS == {"b64url": "python"}
    assert _native.native() is False


def test_load_twin_both_flags_is_an_error(isolated):
    isolated.setattr(_native, "NO_EXTENSIONS", True)
    isolated.setattr(_native, "REQUIRE_EXTENSIONS", True)
    with pytest.raises(ImportError, match="both set"):
        _native.load_twin("b64url")


def test_missing_compiled_twin_falls_back(isolated):
    isolated.setitem(sys.modules, "cyjose._speedups.compact_c", None)  # makes the import fail
    assert _native.load_twin("compact").__name__ == "cyjose._speedups.compact_py"
    assert _native.TWINS == {"compact": "python"}


def test_missing_compiled_twin_with_require_is_an_error(isolated):
    isolated.setattr(_native, "REQUIRE_EXTENSIONS", True)
    isolated.setitem(sys.modules, "cyjose._speedups.compact_c", None)
    with pytest.raises(ImportError, match="CYJOSE_REQUIRE_EXTENSIONS is set"):
        _native.load_twin("compact")
    assert _native.TWINS == {}


def test_native_is_false_when_nothing_loaded(isolated):
    assert _native.native() is False
