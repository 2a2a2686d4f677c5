"""Audit of the drop-in promise: PyJWT 2.15's public names, module by module, in cyjose.

The reference is the installed PyJWT (the ``test`` extra pins 2.15.0), read by
introspection, so a PyJWT name this file never mentions is still audited.

What counts as a public name of a PyJWT module:

* ``jwt`` itself: its ``__all__``.
* every other module (none defines ``__all__``): the names its own top-level
  statements bind, found by parsing its source, without a leading underscore.
  Names a module merely imports (``jwt.api_jwt.ExpiredSignatureError``,
  ``jwt.help.pyjwt_version``) are implementation details by PEP 8's rule and
  are not required; their home module is audited instead.

For each public name the matching ``cyjose`` module must have it, and:

* callables: same parameter names, kinds and defaults (``inspect.signature``;
  annotations are not compared). A default that is a bare ``object()`` sentinel
  (``algorithm=_ALGORITHM_UNSET``) matches any other bare sentinel.
* classes: every public member PyJWT's own classes define (plus the subclass hooks
  PyJWT documents) exists with the same binding (method, staticmethod,
  classmethod, property) and signature, and class constants are equal;
  exception and warning classes have exactly PyJWT's base-class names, other
  classes keep PyJWT's ancestry (cyjose may add private intermediate classes).
* TypedDicts: same keys, required/optional split and totality.
* other values (``has_crypto``, type aliases): equal; sets (``requires_cryptography``)
  may hold more in cyjose, as may the default algorithm registry: cyjose implements
  algorithms PyJWT does not, and an algorithm is only ever used when listed.

``INTENTIONAL`` lists the deliberate differences, each with its reason.
``KNOWN_GAPS`` lists what is missing today in files other engineers own; those
entries are ``xfail(strict=True)``, so they fail loudly once fixed and the entry
must be removed.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import json
import subprocess
import sys
import typing
from types import ModuleType
from typing import Any, Dict, Iterator, List, Optional, Tuple

import jwt as pyjwt
import pytest

import cyjose

PYJWT_MODULES = [
    "jwt", "jwt.api_jws", "jwt.api_jwt", "jwt.algorithms", "jwt.exceptions", "jwt.utils",
    "jwt.warnings", "jwt.types", "jwt.help", "jwt.api_jwk", "jwt.jwks_client", "jwt.jwk_set_cache",
]

#: Subclass hooks PyJWT documents although their names start with an underscore.
DOCUMENTED_HOOKS = {"PyJWT": ("_encode_payload", "_decode_payload")}

_RSA_MINIMUM = ("keyword-only min_rsa_key_size=2048: RSA JWKs under 2048 bits are refused "
                "(NIST SP 800-131A; PyJWT has no minimum); api_jwk.py")
#: Deliberate differences of signature: "<pyjwt module>:<qualified name>" -> reason.
#: Each is an extension: cyjose adds keyword-only parameters with defaults, so every
#: call written for PyJWT binds the same way. These entries are audited with that
#: rule (assert_extends_signature) instead of exact equality, and each is checked to
#: still differ, so a stale entry fails. Differences of behaviour that keep PyJWT's
#: signatures are listed in the README ("Differences from PyJWT 2.15") and tested
#: where they apply; ``cyjose.help.info()`` naming its own section "cyjose" instead of
#: "pyjwt" is tested in test_pyjwt_usage.py.
_LIMITS = ("keyword-only limits=cyjose.Limits(): the token size and JSON nesting bounds "
           "(PyJWT has none); limits.py")
INTENTIONAL: Dict[str, str] = {
    **{f"{module}:{name}": _LIMITS for module in ("jwt", "jwt.api_jwt", "jwt.api_jws")
       for name in ("decode", "decode_complete")},
    **{f"jwt.{module}:{cls}.{name}": _LIMITS for module, cls in (("api_jwt", "PyJWT"), ("api_jws", "PyJWS"))
       for name in ("decode", "decode_complete")},
    "jwt.api_jwk:PyJWK.__init__": _RSA_MINIMUM,
    "jwt.api_jwk:PyJWK.from_dict": _RSA_MINIMUM,
    "jwt.api_jwk:PyJWK.from_json": _RSA_MINIMUM,
    "jwt.api_jwk:PyJWKSet.__init__": _RSA_MINIMUM,
    "jwt.api_jwk:PyJWKSet.from_dict": _RSA_MINIMUM,
    "jwt.api_jwk:PyJWKSet.from_json": _RSA_MINIMUM,
    "jwt.algorithms:RSAAlgorithm.from_jwk": "keyword-only min_key_size=2048, the same minimum for from_jwk",
    "jwt.algorithms:RSAPSSAlgorithm.from_jwk": "inherits RSAAlgorithm.from_jwk",
    "jwt.algorithms:OKPAlgorithm.__init__": (
        "curve=None restricts an instance to Ed25519 or Ed448 (the RFC 9864 names 'Ed25519' and 'Ed448')"),
    "jwt.jwks_client:PyJWKClient.__init__": (
        "keyword-only max_response_bytes (1 MiB: a bounded read), stale_if_error (serve the last good set "
        "when a refresh fails) and clock (an injectable monotonic clock); jwks_client.py"),
    "jwt.jwk_set_cache:JWKSetCache.__init__": "keyword-only clock, as PyJWKClient's",
    "jwt.jwk_set_cache:JWKSetCache.put": "keyword-only lifespan: a response's Cache-Control max-age for that set",
}

#: Whole modules not in cyjose yet ("jwt.<module>" -> reason): every entry of theirs is an
#: expected failure. Empty since PyJWKClient landed; kept for PyJWT releases to come.
PENDING_MODULES: Dict[str, str] = {}

#: Gaps in files this audit does not own: "<pyjwt module>:<qualified name>" -> reason, or
#: "submodule:<name>" for a submodule that ``import cyjose`` does not load. Empty since the
#: OKPAlgorithm signatures and ``cyjose.utils`` were fixed; kept for gaps to come.
KNOWN_GAPS: Dict[str, str] = {}


# --- reading PyJWT ----------------------------------------------------------------------


def _bound_names(statements: List[ast.stmt]) -> Iterator[str]:
    """Names that top-level statements bind (descending into if/try/with), imports excluded."""
    for node in statements:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.name
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                yield from (n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.If, ast.Try, ast.With)):
            for block in ("body", "orelse", "finalbody"):
                yield from _bound_names(getattr(node, block, []))
            for handler in getattr(node, "handlers", []):
                yield from _bound_names(handler.body)


def public_names(module: ModuleType) -> List[str]:
    """The public names of a PyJWT module (see the module docstring)."""
    if hasattr(module, "__all__"):
        return list(module.__all__)
    tree = ast.parse(inspect.getsource(module))
    # names bound only under `if TYPE_CHECKING:` do not exist at run time: not importable
    return sorted({n for n in _bound_names(tree.body) if not n.startswith("_") and hasattr(module, n)})


def _cyjose_name(pyjwt_module: str) -> str:
    return "cyjose" + pyjwt_module[len("jwt"):]


def _cyjose_module(pyjwt_module: str) -> ModuleType:
    return importlib.import_module(_cyjose_name(pyjwt_module))


def _is_own_class(value: Any, module: str) -> bool:
    return inspect.isclass(value) and value.__module__ == module


def _pyjwt_value(module: str, name: str) -> Any:
    return getattr(importlib.import_module(module), name)


def _kind(module: str, name: str) -> str:
    """class (defined in this module), reexport (a class defined elsewhere), function or value."""
    value = _pyjwt_value(module, name)
    if inspect.isclass(value):
        return "class" if value.__module__ == module else "reexport"
    if callable(value) and typing.get_origin(value) is None:
        return "function"
    return "value"


def _entries() -> List[Tuple[str, str]]:
    entries = []
    for module in PYJWT_MODULES:
        entries += [(module, name) for name in public_names(importlib.import_module(module))]
    return entries


ENTRIES = _entries()


def _of_kind(kind: str) -> List[Tuple[str, str]]:
    return [(m, n) for m, n in ENTRIES if _kind(m, n) == kind]


#: Classes audited where PyJWT defines them (a re-export is audited by identity only).
CLASSES = _of_kind("class")


def _is_member(name: str, value: Any) -> bool:
    """Public names, and the protocol methods (``__getitem__``, ``__str__``, ...) a class writes."""
    if name.startswith("__") and name.endswith("__"):
        return inspect.isfunction(value)
    return not name.startswith("_")


def _class_members(cls: type) -> List[str]:
    """Members defined by PyJWT's own classes in ``cls``'s MRO, plus documented hooks."""
    names = {
        name
        for klass in cls.__mro__
        if klass.__module__.startswith("jwt")
        for name, value in vars(klass).items()
        if _is_member(name, value)
    }
    names.update(DOCUMENTED_HOOKS.get(cls.__name__, ()))
    return sorted(names | {"__init__"})


def _member_entries() -> List[Tuple[str, str]]:
    out = []
    for module, name in CLASSES:
        out += [(module, f"{name}.{member}") for member in _class_members(_pyjwt_value(module, name))]
    return out


MEMBERS = _member_entries()


def _key(module: str, qualname: str) -> str:
    return f"{module}:{qualname}"


def _gap(module: str, qualname: str) -> Optional[str]:
    """Why the entry is expected to fail today, or None."""
    return PENDING_MODULES.get(module) or KNOWN_GAPS.get(_key(module, qualname))


def _params(pairs: List[Tuple[str, str]]) -> List[Any]:
    params = []
    for module, qualname in pairs:
        gap = _gap(module, qualname)
        marks = [pytest.mark.xfail(strict=True, reason=gap)] if gap else []
        params.append(pytest.param(module, qualname, marks=marks, id=_key(module, qualname)))
    return params


# --- comparing --------------------------------------------------------------------------


def _lookup(root: Any, qualname: str) -> Any:
    for part in qualname.split("."):
        root = getattr(root, part)
    return root


def _static_lookup(cls: type, name: str) -> Any:
    return inspect.getattr_static(cls, name)


def _same_default(ours: Any, theirs: Any) -> bool:
    if type(ours) is object and type(theirs) is object:
        return True  # both private "argument not given" sentinels
    return bool(ours == theirs) and type(ours) is type(theirs)


def _signature_of(function: Any) -> Optional[inspect.Signature]:
    try:
        return inspect.signature(function)
    except (TypeError, ValueError):  # builtins without a text signature
        return None


def _assert_same(mine: inspect.Signature, reference: inspect.Signature) -> None:
    assert [(p.name, p.kind) for p in mine.parameters.values()] == [
        (p.name, p.kind) for p in reference.parameters.values()
    ]
    for name, parameter in reference.parameters.items():
        assert _same_default(mine.parameters[name].default, parameter.default), name


def _signatures(ours: Any, theirs: Any) -> Optional[Tuple[inspect.Signature, inspect.Signature]]:
    mine, reference = _signature_of(ours), _signature_of(theirs)
    if reference is None:
        return None
    assert mine is not None, "PyJWT's callable has a signature, cyjose's has none"
    return mine, reference


def assert_same_signature(ours: Any, theirs: Any) -> None:
    """Same parameter names, kinds and defaults."""
    pair = _signatures(ours, theirs)
    if pair is not None:
        _assert_same(*pair)


def assert_extends_signature(ours: Any, theirs: Any) -> None:
    """PyJWT's parameters exactly, plus keyword-only parameters with defaults only."""
    pair = _signatures(ours, theirs)
    if pair is None:
        return
    mine, reference = pair
    extra = [p for name, p in mine.parameters.items() if name not in reference.parameters]
    for parameter in extra:
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, f"{parameter.name} is not keyword-only"
        assert parameter.default is not inspect.Parameter.empty, f"{parameter.name} has no default"
    _assert_same(mine.replace(parameters=[p for p in mine.parameters.values() if p not in extra]), reference)


def assert_compatible_signature(module: str, qualname: str, ours: Any, theirs: Any) -> None:
    if _key(module, qualname) in INTENTIONAL:
        assert_extends_signature(ours, theirs)
    else:
        assert_same_signature(ours, theirs)


def _normalised(value: Any) -> Any:
    """Type aliases compared by origin and arguments (``Dict[str, Any]`` == ``dict[str, Any]``)."""
    origin = typing.get_origin(value)
    if origin is None:
        return value
    return origin, tuple(_normalised(arg) for arg in typing.get_args(value))


def _binding(cls: type, name: str) -> str:
    attribute = _static_lookup(cls, name)
    for kind in (staticmethod, classmethod, property):
        if isinstance(attribute, kind):
            return kind.__name__
    return "function" if inspect.isfunction(attribute) else "value"


# --- the reference itself ---------------------------------------------------------------


def test_reference_is_pyjwt_2_15():
    assert pyjwt.__version__ == "2.15.0"


def test_reading_finds_the_known_public_names():
    """The source reading finds what PyJWT's docs name, and skips imports."""
    found = set(ENTRIES)
    for expected in [("jwt.algorithms", "RSAAlgorithm"), ("jwt.algorithms", "has_crypto"),
                     ("jwt.algorithms", "AllowedPublicKeys"), ("jwt.api_jwt", "decode_complete"),
                     ("jwt.utils", "force_bytes"), ("jwt.help", "info"), ("jwt.help", "cryptography_version"),
                     ("jwt.exceptions", "MissingCryptographyError"), ("jwt.api_jwk", "PyJWKSet"),
                     ("jwt.jwk_set_cache", "JWKSetCache"), ("jwt", "PyJWKClient")]:
        assert expected in found
    for imported in [("jwt.api_jwt", "ExpiredSignatureError"), ("jwt.help", "pyjwt_version"),
                     ("jwt.utils", "base64"), ("jwt.algorithms", "Union"), ("jwt.jwks_client", "decode_token")]:
        assert imported not in found
    assert ("jwt.api_jwt", "PyJWT") in CLASSES and ("jwt.api_jws", "PyJWT") not in CLASSES
    assert ("jwt.api_jwt", "PyJWT._decode_payload") in MEMBERS
    assert ("jwt.algorithms", "HMACAlgorithm.compute_hash_digest") in MEMBERS


# --- modules and names ------------------------------------------------------------------


@pytest.mark.parametrize("module", [
    pytest.param(m, marks=[pytest.mark.xfail(strict=True, reason=PENDING_MODULES[m])] if m in PENDING_MODULES else [],
                 id=m)
    for m in PYJWT_MODULES
])
def test_module_importable(module):
    assert isinstance(_cyjose_module(module), ModuleType)


@pytest.mark.parametrize("module, name", _params(ENTRIES))
def test_name_exists(module, name):
    assert hasattr(_cyjose_module(module), name)


def _reexport_home(name: str) -> Optional[str]:
    """The PyJWT submodule whose own object ``jwt.<name>`` is."""
    value = getattr(pyjwt, name)
    for module in PYJWT_MODULES[1:]:
        if (module, name) in ENTRIES and _pyjwt_value(module, name) is value:
            return module
    return None


@pytest.mark.parametrize("module, name", _params([("jwt", n) for n in pyjwt.__all__]))
def test_package_names_are_the_submodule_objects(module, name):
    """``jwt.X`` is the very object ``jwt.<home>.X`` is; so is ``cyjose.X``."""
    home = _reexport_home(name)
    assert home is not None
    assert getattr(cyjose, name) is getattr(_cyjose_module(home), name)
    assert name in cyjose.__all__


@pytest.mark.parametrize("module, name", _params(_of_kind("function")))
def test_function_signature(module, name):
    assert_compatible_signature(module, name, getattr(_cyjose_module(module), name), _pyjwt_value(module, name))


@pytest.mark.parametrize("module, name", _params(_of_kind("value")))
def test_value_equal(module, name):
    ours, theirs = getattr(_cyjose_module(module), name), _pyjwt_value(module, name)
    if isinstance(theirs, (set, frozenset)):
        # requires_cryptography: cyjose implements more algorithms; PyJWT's are all there
        assert isinstance(ours, (set, frozenset)) and ours >= theirs
        return
    assert _normalised(ours) == _normalised(theirs)


# --- classes ----------------------------------------------------------------------------


@pytest.mark.parametrize("module, name", _params(CLASSES))
def test_class_hierarchy(module, name):
    ours, theirs = getattr(_cyjose_module(module), name), _pyjwt_value(module, name)
    assert inspect.isclass(ours)
    if issubclass(theirs, BaseException):
        assert [b.__name__ for b in ours.__bases__] == [b.__name__ for b in theirs.__bases__]
        assert [c.__name__ for c in ours.__mro__] == [c.__name__ for c in theirs.__mro__]
        return
    ancestry = iter(c.__name__ for c in ours.__mro__)
    missing = [c.__name__ for c in theirs.__mro__ if c.__name__ not in ancestry]  # ordered subsequence
    assert not missing, f"PyJWT's ancestors missing or out of order: {missing}"


@pytest.mark.parametrize("module, name", _params(CLASSES))
def test_class_has_every_member(module, name):
    ours, theirs = getattr(_cyjose_module(module), name), _pyjwt_value(module, name)
    missing = [member for member in _class_members(theirs) if not hasattr(ours, member)]
    assert not missing


@pytest.mark.parametrize("module, member", _params(MEMBERS))
def test_class_member(module, member):
    cls_name, name = member.split(".")
    ours_cls = getattr(_cyjose_module(module), cls_name)
    theirs_cls = getattr(importlib.import_module(module), cls_name)
    assert _binding(ours_cls, name) == _binding(theirs_cls, name)
    ours, theirs = getattr(ours_cls, name), getattr(theirs_cls, name)
    if _binding(theirs_cls, name) == "property":
        return
    if callable(theirs) and not inspect.isclass(theirs) and getattr(theirs, "__module__", "").startswith("jwt"):
        assert_compatible_signature(module, member, ours, theirs)
    elif name != "__init__":
        assert _normalised(ours) == _normalised(theirs)  # class constants: SHA256, header_typ, ...


@pytest.mark.parametrize("module, name", _params([
    (m, n) for m, n in CLASSES if hasattr(_pyjwt_value(m, n), "__required_keys__")
]))
def test_typed_dict(module, name):
    ours, theirs = getattr(_cyjose_module(module), name), _pyjwt_value(module, name)
    assert set(ours.__annotations__) == set(theirs.__annotations__)
    assert ours.__required_keys__ == theirs.__required_keys__
    assert ours.__optional_keys__ == theirs.__optional_keys__
    assert ours.__total__ == theirs.__total__


# --- state of default objects -----------------------------------------------------------


def assert_public_state_like(ours: Any, theirs: Any) -> None:
    """Every public instance attribute of PyJWT's object exists on ours with an equal value."""
    for name, value in vars(theirs).items():
        if not name.startswith("_"):
            assert _normalised(getattr(ours, name)) == _normalised(value), name


@pytest.mark.parametrize("path", ["api_jws.PyJWS", "api_jwt.PyJWT"])
def test_default_instance_state(path):
    """``PyJWS().options`` and ``PyJWT().options`` hold PyJWT's defaults."""
    assert_public_state_like(_lookup(cyjose, path)(), _lookup(pyjwt, path)())


def test_default_algorithms_state():
    """PyJWT's names, with the same classes, hashes and curves (cyjose may add algorithms)."""
    ours = cyjose.algorithms.get_default_algorithms()
    theirs = pyjwt.algorithms.get_default_algorithms()
    assert set(ours) >= set(theirs)
    for name, algorithm in theirs.items():
        assert type(ours[name]).__name__ == type(algorithm).__name__, name
        assert_public_state_like(ours[name], algorithm)


@pytest.mark.parametrize("name", [
    n for n, v in vars(pyjwt.api_jws).items() if isinstance(v, type(pyjwt.encode))
])
def test_module_functions_share_one_global_object(name):
    """``jwt.api_jws.encode`` & co are methods of one PyJWS, which ``jwt.api_jwt`` reuses."""
    ours = getattr(cyjose.api_jws, name)
    assert ours.__self__ is cyjose.api_jws.encode.__self__
    assert cyjose.api_jwt.encode.__self__._jws is ours.__self__


# --- what `import cyjose` makes available ------------------------------------------------


@functools.cache
def _submodules_after_import(package: str) -> List[str]:
    code = (
        "import importlib, json, pkgutil, sys\n"
        f"import {package}\n"
        f"names = [m.name for m in pkgutil.iter_modules({package}.__path__) if not m.name.startswith('_')]\n"
        f"print(json.dumps(sorted(n for n in names if isinstance(getattr({package}, n, None), type(sys)))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


PYJWT_LOADED = _submodules_after_import("jwt")


@pytest.mark.parametrize("submodule", [
    pytest.param(
        name,
        marks=[pytest.mark.xfail(strict=True, reason=KNOWN_GAPS.get(f"submodule:{name}")
                                 or PENDING_MODULES.get(f"jwt.{name}", ""))]
        if f"submodule:{name}" in KNOWN_GAPS or f"jwt.{name}" in PENDING_MODULES else [],
        id=name,
    )
    for name in PYJWT_LOADED
])
def test_submodule_is_an_attribute_after_package_import(submodule):
    """After a bare ``import jwt``, ``jwt.<submodule>`` works; so must it after ``import cyjose``."""
    assert submodule in _submodules_after_import("cyjose")


def test_pyjwt_loads_the_expected_submodules():
    assert {"algorithms", "api_jws", "api_jwt", "exceptions", "utils", "warnings", "types"} <= set(PYJWT_LOADED)


# --- the lists themselves ----------------------------------------------------------------


@pytest.mark.parametrize("key", sorted(INTENTIONAL))
def test_intentional_entries_still_differ(key):
    """An allow-list entry whose difference has gone away must be removed."""
    module, qualname = key.split(":")
    theirs = _lookup(importlib.import_module(module), qualname)
    ours = _lookup(_cyjose_module(module), qualname)
    with pytest.raises(AssertionError):
        assert_same_signature(ours, theirs)


def test_gap_and_intentional_keys_name_real_pyjwt_entries():
    """A typo in either list would silently exempt nothing."""
    known = {_key(m, n) for m, n in ENTRIES + MEMBERS}
    for key in list(KNOWN_GAPS) + list(INTENTIONAL):
        if key.startswith("submodule:"):
            assert key.split(":")[1] in PYJWT_LOADED, key
        else:
            assert key in known, key
