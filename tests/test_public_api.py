"""The public surface: PyJWT 2.15's names, modules, exception tree, types and helpers,
plus cyjose's own (``NATIVE``, ``Verifier``, ``Signer``, ``python -m cyjose --version``)."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import subprocess
import sys
import types
from importlib import metadata

import jwt as pyjwt
import jwt.algorithms
import jwt.api_jws
import jwt.api_jwt
import jwt.exceptions
import jwt.types
import jwt.utils
import jwt.warnings
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

import cyjose
import cyjose._speedups

HOT_MODULES = set(cyjose._speedups.HOT_MODULES)
flag = cyjose._speedups.flag
SUBMODULES = ["exceptions", "algorithms", "api_jws", "api_jwt", "utils", "warnings", "types"]


# --- top-level names --------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(pyjwt.__all__))
def test_pyjwt_name_importable(name):
    value = getattr(cyjose, name)
    assert name in cyjose.__all__
    reference = getattr(pyjwt, name)
    if inspect.isclass(reference):
        assert inspect.isclass(value) and value.__name__ == reference.__name__
    else:
        assert callable(value) and callable(reference)


def test_every_pyjwt_name_is_there():
    assert [name for name in pyjwt.__all__ if not hasattr(cyjose, name)] == []


def test_cyjose_all_complete():
    assert len(cyjose.__all__) == len(set(cyjose.__all__))
    for name in cyjose.__all__:
        assert hasattr(cyjose, name), name
    namespace: dict = {}
    exec("from cyjose import *", namespace)  # noqa: S102 - the star import must work
    assert set(cyjose.__all__) <= set(namespace)
    assert {"NATIVE", "Verifier", "Signer"} <= set(cyjose.__all__)
    assert set(pyjwt.__all__) <= set(cyjose.__all__)


def test_version_attributes():
    assert isinstance(cyjose.__version__, str) and cyjose.__version__
    assert cyjose.__version__[0].isdigit()


# --- submodules -------------------------------------------------------------------------


@pytest.mark.parametrize("module", SUBMODULES)
def test_submodule_exists(module):
    loaded = importlib.import_module(f"cyjose.{module}")
    assert isinstance(loaded, types.ModuleType)
    assert getattr(cyjose, module) is loaded


def _exception_classes(module):
    return {name: value for name, value in vars(module).items()
            if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == module.__name__}


PYJWT_EXCEPTIONS = _exception_classes(jwt.exceptions)


def test_pyjwt_exception_classes_found():
    assert len(PYJWT_EXCEPTIONS) >= 18
    assert "MissingCryptographyError" in PYJWT_EXCEPTIONS


@pytest.mark.parametrize("name", sorted(PYJWT_EXCEPTIONS))
def test_exception_class_and_bases(name):
    ours = getattr(cyjose.exceptions, name)
    theirs = PYJWT_EXCEPTIONS[name]
    assert inspect.isclass(ours) and issubclass(ours, Exception)
    assert [base.__name__ for base in ours.__bases__] == [base.__name__ for base in theirs.__bases__]
    assert [cls.__name__ for cls in ours.__mro__] == [cls.__name__ for cls in theirs.__mro__]
    assert name in cyjose.exceptions.__all__
    if hasattr(cyjose, name):
        assert getattr(cyjose, name) is ours


def test_exceptions_all_matches_classes():
    assert set(cyjose.exceptions.__all__) == set(_exception_classes(cyjose.exceptions))
    assert set(cyjose.exceptions.__all__) >= set(PYJWT_EXCEPTIONS)


@pytest.mark.parametrize("name", sorted(set(PYJWT_EXCEPTIONS) - {"MissingRequiredClaimError"}))
def test_exception_str_like_pyjwt(name):
    assert str(getattr(cyjose.exceptions, name)("some message")) == str(PYJWT_EXCEPTIONS[name]("some message"))


def test_missing_required_claim_error_like_pyjwt():
    ours, theirs = cyjose.exceptions.MissingRequiredClaimError("exp"), jwt.exceptions.MissingRequiredClaimError("exp")
    assert ours.claim == theirs.claim == "exp"
    assert str(ours) == str(theirs) == 'Token is missing the "exp" claim'


def test_pyjwt_code_catches_cyjose_errors_by_base():
    with pytest.raises(cyjose.InvalidTokenError):
        cyjose.decode("not a token", "k" * 32, algorithms=["HS256"])
    with pytest.raises(cyjose.PyJWTError):
        cyjose.decode("not a token", "k" * 32, algorithms=["HS256"])


@pytest.mark.parametrize("name", ["RemovedInPyjwt3Warning", "InsecureKeyLengthWarning"])
def test_warning_classes(name):
    ours, theirs = getattr(cyjose.warnings, name), getattr(jwt.warnings, name)
    assert [cls.__name__ for cls in ours.__mro__] == [cls.__name__ for cls in theirs.__mro__]
    assert name in cyjose.warnings.__all__
    assert cyjose.InsecureKeyLengthWarning is cyjose.warnings.InsecureKeyLengthWarning


@pytest.mark.parametrize("name", ["SigOptions", "Options", "FullOptions"])
def test_types_typeddict_keys(name):
    ours, theirs = getattr(cyjose.types, name), getattr(jwt.types, name)
    assert set(ours.__annotations__) == set(theirs.__annotations__)
    assert ours.__required_keys__ == theirs.__required_keys__
    assert ours.__optional_keys__ == theirs.__optional_keys__
    assert ours.__total__ == theirs.__total__


@pytest.mark.parametrize("name", ["JWKDict", "HashlibHash"])
def test_types_aliases(name):
    assert hasattr(cyjose.types, name)


ALGORITHM_NAMES = ["Algorithm", "NoneAlgorithm", "HMACAlgorithm", "RSAAlgorithm", "RSAPSSAlgorithm", "ECAlgorithm",
                   "OKPAlgorithm", "get_default_algorithms", "has_crypto", "requires_cryptography",
                   "AllowedPrivateKeys", "AllowedPublicKeys", "AllowedKeys", "AllowedRSAKeys", "AllowedECKeys",
                   "AllowedOKPKeys"]


@pytest.mark.parametrize("name", ALGORITHM_NAMES)
def test_algorithms_module_names(name):
    assert hasattr(jwt.algorithms, name)
    assert hasattr(cyjose.algorithms, name)


#: What cyjose registers beyond PyJWT 2.15, and the class each is: RFC 9864's fully-specified
#: EdDSA names, and ML-DSA (RFC 9964) in the variants this cryptography supports.
MLDSA_NAMES = ("ML-DSA-44", "ML-DSA-65", "ML-DSA-87")
EXTRA_ALGORITHMS = {"Ed25519": "OKPAlgorithm", "Ed448": "OKPAlgorithm",
                    **{name: "MLDSAAlgorithm" for name in cyjose.algorithms.MLDSA_ALGORITHMS}}


def test_algorithms_registry_like_pyjwt():
    """PyJWT's registry, same classes, plus exactly cyjose's additions."""
    ours = cyjose.algorithms.get_default_algorithms()
    theirs = jwt.algorithms.get_default_algorithms()
    assert set(cyjose.algorithms.MLDSA_ALGORITHMS) <= set(MLDSA_NAMES)
    assert not set(theirs) & set(EXTRA_ALGORITHMS)  # a PyJWT that adds one must be looked at again
    assert set(ours) == set(theirs) | set(EXTRA_ALGORITHMS)
    for name, reference in theirs.items():
        assert type(ours[name]).__name__ == type(reference).__name__, name
    for name, class_name in EXTRA_ALGORITHMS.items():
        assert type(ours[name]).__name__ == class_name, name
    # every asymmetric addition needs cryptography too
    requires = set(cyjose.algorithms.requires_cryptography)
    assert requires >= set(jwt.algorithms.requires_cryptography) | set(EXTRA_ALGORITHMS)
    assert cyjose.algorithms.has_crypto is True
    for cls in ("HMACAlgorithm", "RSAAlgorithm", "ECAlgorithm"):
        for const in ("SHA256", "SHA384", "SHA512"):
            assert hasattr(getattr(cyjose.algorithms, cls), const)


@pytest.mark.parametrize("module, names", [
    ("api_jws", ["PyJWS", "encode", "decode", "decode_complete", "get_unverified_header", "register_algorithm",
                 "unregister_algorithm", "get_algorithm_by_name"]),
    ("api_jwt", ["PyJWT", "encode", "decode", "decode_complete"]),
])
def test_api_modules(module, names):
    ours = importlib.import_module(f"cyjose.{module}")
    for name in names:
        assert hasattr(getattr(jwt, module), name)
        assert callable(getattr(ours, name)), name


@pytest.mark.parametrize("cls_name", ["PyJWS", "PyJWT"])
def test_class_public_methods(cls_name):
    ours, theirs = getattr(cyjose, cls_name), getattr(pyjwt, cls_name)
    public = {name for name in dir(theirs) if not name.startswith("_")}
    assert public <= set(dir(ours)), public - set(dir(ours))


def _signature(function):
    return [(p.name, p.kind, "<default>" if p.default is not inspect.Parameter.empty else None)
            for p in inspect.signature(function).parameters.values()]


@pytest.mark.parametrize("path", [
    "decode", "decode_complete", "encode", "get_unverified_header",
    "PyJWT.decode", "PyJWT.decode_complete", "PyJWT.encode", "PyJWT.__init__",
    "PyJWS.decode", "PyJWS.decode_complete", "PyJWS.encode", "PyJWS.__init__", "PyJWS.get_unverified_header",
    "PyJWS.register_algorithm", "PyJWS.unregister_algorithm", "PyJWS.get_algorithm_by_name",
])
def test_signatures_match_pyjwt(path):
    """Same parameters, except cyjose's keyword-only ``limits`` on the decode functions
    (tests/test_pyjwt_names.py audits that extension)."""
    ours, theirs = cyjose, pyjwt
    for part in path.split("."):
        ours, theirs = getattr(ours, part), getattr(theirs, part)
    extension = ("limits", inspect.Parameter.KEYWORD_ONLY, "<default>")
    mine = _signature(ours)
    assert (extension in mine) == path.endswith(("decode", "decode_complete"))
    assert [p for p in mine if p != extension] == _signature(theirs)


@pytest.mark.parametrize("path, defaults", [
    ("PyJWT.decode", {"key": "", "algorithms": None, "options": None, "verify": None, "detached_payload": None,
                      "audience": None, "subject": None, "issuer": None, "leeway": 0}),
    ("PyJWS.encode", {"headers": None, "json_encoder": None, "is_payload_detached": False, "sort_headers": True}),
])
def test_default_values_match_pyjwt(path, defaults):
    ours, theirs = cyjose, pyjwt
    for part in path.split("."):
        ours, theirs = getattr(ours, part), getattr(theirs, part)
    for name, value in defaults.items():
        assert inspect.signature(ours).parameters[name].default == value
        assert inspect.signature(theirs).parameters[name].default == value


# --- utils ------------------------------------------------------------------------------

UTILS_NAMES = ["force_bytes", "base64url_decode", "base64url_encode", "to_base64url_uint", "from_base64url_uint",
               "number_to_bytes", "bytes_to_number", "bytes_from_int", "der_to_raw_signature",
               "raw_to_der_signature", "is_pem_format", "is_ssh_key"]

P256 = ec.SECP256R1()
P521 = ec.SECP521R1()
_DER = ec.generate_private_key(P256).sign(b"msg", ec.ECDSA(__import__("cryptography.hazmat.primitives.hashes",
                                                                        fromlist=["SHA256"]).SHA256()))

UTILS_CALLS = [
    ("force_bytes", ("text",), {}), ("force_bytes", ("\u00e9\U0001f600",), {}), ("force_bytes", (b"raw",), {}),
    ("force_bytes", (5,), {}), ("force_bytes", (None,), {}), ("force_bytes", (bytearray(b"x"),), {}),
    ("base64url_decode", ("eyJhIjoxfQ",), {}), ("base64url_decode", (b"eyJhIjoxfQ==",), {}),
    ("base64url_decode", ("",), {}), ("base64url_decode", ("-_-_",), {}), ("base64url_decode", ("a",), {}),
    ("base64url_decode", ("abcde",), {}),
    ("base64url_encode", (b"",), {}), ("base64url_encode", (b"\xfb\xff",), {}), ("base64url_encode", (b'{"a":1}',), {}),
    ("to_base64url_uint", (0,), {}), ("to_base64url_uint", (1,), {}), ("to_base64url_uint", (255,), {}),
    ("to_base64url_uint", (65537,), {}), ("to_base64url_uint", (2**521 - 1,), {}), ("to_base64url_uint", (-1,), {}),
    ("to_base64url_uint", (1,), {"bit_length": 256}), ("to_base64url_uint", (0,), {"bit_length": 8}),
    ("from_base64url_uint", ("AQAB",), {}), ("from_base64url_uint", (b"AA",), {}), ("from_base64url_uint", ("",), {}),
    ("number_to_bytes", (1, 4), {}), ("number_to_bytes", (0, 0), {}), ("number_to_bytes", (256, 1), {}),
    ("number_to_bytes", (0x1234, 1), {}), ("number_to_bytes", (0xABCD, 2), {}),
    ("bytes_to_number", (b"\x01\x00",), {}), ("bytes_to_number", (b"",), {}),
    ("bytes_from_int", (0,), {}), ("bytes_from_int", (65537,), {}), ("bytes_from_int", (1,), {"bit_length": 32}),
    ("der_to_raw_signature", (_DER, P256), {}), ("der_to_raw_signature", (b"\x30\x00", P256), {}),
    ("der_to_raw_signature", (b"garbage", P256), {}),
    ("raw_to_der_signature", (b"\x01" * 64, P256), {}), ("raw_to_der_signature", (b"\x01" * 132, P521), {}),
    ("raw_to_der_signature", (b"\x01" * 63, P256), {}), ("raw_to_der_signature", (b"", P256), {}),
    ("is_pem_format", (b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",), {}),
    ("is_pem_format", (b"-----BEGIN CERTIFICATE-----\nAA\n-----END CERTIFICATE-----\n",), {}),
    ("is_pem_format", (b"not pem",), {}), ("is_pem_format", (b"",), {}),
    ("is_ssh_key", (b"ssh-rsa AAAAB3NzaC1yc2E",), {}), ("is_ssh_key", (b"ssh-ed25519 AAAA",), {}),
    ("is_ssh_key", (b"ecdsa-sha2-nistp256 AAAA",), {}), ("is_ssh_key", (b"not ssh",), {}),
    ("is_ssh_key", (b"ssh-rsa-cert-v01@openssh.com AAAA",), {}),
]


@pytest.mark.parametrize("name", UTILS_NAMES)
def test_utils_names(name):
    assert callable(getattr(cyjose.utils, name))
    assert callable(getattr(jwt.utils, name))


def _utils_outcome(module, name, args, kwargs):
    try:
        return "ok", getattr(module, name)(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - PyJWT's helpers raise plain ValueError/TypeError
        return "raised", type(exc).__name__, isinstance(exc, ValueError)


@pytest.mark.parametrize("name, args, kwargs", UTILS_CALLS,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(UTILS_CALLS)])
def test_utils_behave_like_pyjwt(name, args, kwargs):
    assert _utils_outcome(cyjose.utils, name, args, kwargs) == _utils_outcome(jwt.utils, name, args, kwargs)


def test_utils_der_raw_round_trip():
    raw = cyjose.utils.der_to_raw_signature(_DER, P256)
    assert len(raw) == 64
    assert cyjose.utils.raw_to_der_signature(raw, P256) == jwt.utils.raw_to_der_signature(raw, P256)


# --- NATIVE and the twins ---------------------------------------------------------------


def _twins():
    return sys.modules["cyjose._speedups"].TWINS


def test_native_flag():
    assert type(cyjose.NATIVE) is bool
    twins = _twins()
    assert set(twins) == HOT_MODULES
    assert set(twins.values()) <= {"compiled", "python"}
    assert cyjose.NATIVE == all(kind == "compiled" for kind in twins.values())


def test_native_module_attribute_is_the_module():
    # `cyjose._speedups.TWINS` should work; importing `native as _native` in __init__ shadows the submodule
    assert isinstance(cyjose._speedups, types.ModuleType)
    assert cyjose._speedups.TWINS == _twins()



def test_native_follows_environment():
    if flag("CYJOSE_NO_EXTENSIONS"):
        assert cyjose.NATIVE is False
        assert set(_twins().values()) == {"python"}
    if flag("CYJOSE_REQUIRE_EXTENSIONS"):
        assert cyjose.NATIVE is True


def _compiled_available() -> bool:
    return all(importlib.util.find_spec(f"cyjose._speedups.{name}_c") is not None for name in HOT_MODULES)


def _run(args, **env):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("CYJOSE_")}
    environ["PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) if p else os.getcwd() for p in sys.path)
    environ.update(env)
    return subprocess.run([sys.executable, *args], env=environ, capture_output=True, text=True, timeout=120)


def _version_lines(result):
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def _check_version_report(lines, native):
    assert lines[0] == f"cyjose {cyjose.__version__}"
    native_line = next(line for line in lines if line.startswith("native: "))
    assert native_line.startswith(f"native: {native} (")
    for module in HOT_MODULES:
        kind = "compiled" if native else "python"
        assert f"{module}={kind}" in native_line
    assert f"cryptography: {metadata.version('cryptography')}" in lines
    assert f"orjson: {metadata.version('orjson')}" in lines
    assert any(line.startswith("python: ") for line in lines)


def test_version_command_default_env():
    lines = _version_lines(_run(["-m", "cyjose", "--version"]))
    _check_version_report(lines, _compiled_available())


def test_version_command_no_extensions():
    lines = _version_lines(_run(["-m", "cyjose", "--version"], CYJOSE_NO_EXTENSIONS="1"))
    _check_version_report(lines, False)


def test_version_command_require_extensions():
    result = _run(["-m", "cyjose", "--version"], CYJOSE_REQUIRE_EXTENSIONS="1")
    if _compiled_available():
        _check_version_report(_version_lines(result), True)
    else:
        # no compiled twins: requiring them must fail loudly, never fall back
        assert result.returncode != 0
        assert "ImportError" in result.stderr and "CYJOSE_REQUIRE_EXTENSIONS" in result.stderr


def test_version_matches_in_process_report():
    from cyjose.help import version_report

    report = version_report().splitlines()
    _check_version_report(report, cyjose.NATIVE)


def test_version_report_prints_the_help_facts(monkeypatch):
    """One home for the facts: ``--version`` formats ``cyjose.help.info()``, gathering none itself."""
    import cyjose.help
    from cyjose.help import version_report

    facts = {
        "platform": {"system": "Linux", "release": "6.1"},
        "implementation": {"name": "PyPy", "version": "7.3.17"},
        "cyjose": {"version": "9.8.7", "native": False, "twins": {"b64url": "python", "hmac": "python"},
                   "libcrypto": ""},
        "cryptography": {"version": "44.0.1"},
        "orjson": {"version": ""},
    }
    monkeypatch.setattr(cyjose.help, "info", lambda: facts)
    assert version_report().splitlines() == [
        "cyjose 9.8.7",
        "native: False (b64url=python, hmac=python)",
        "python: PyPy 7.3.17",
        "libcrypto (called directly): no (Python twins of hmac/pkey)",
        "cryptography: 44.0.1",
        "orjson: not installed",
    ]


@pytest.mark.parametrize("value", ["1", "true", "yes", "on"])
def test_no_extensions_subprocess(value):
    result = _run(["-c", "import cyjose, sys; from cyjose._speedups import TWINS; "
                         "print(cyjose.NATIVE, sorted(set(TWINS.values())))"], CYJOSE_NO_EXTENSIONS=value)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False ['python']"


@pytest.mark.parametrize("value", ["0", "", "false", "no"])
def test_no_extensions_falsy_values(value):
    result = _run(["-c", "import cyjose; print(cyjose.NATIVE)"], CYJOSE_NO_EXTENSIONS=value)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(_compiled_available())


def test_both_switches_import_error():
    result = _run(["-c", "import cyjose"], CYJOSE_NO_EXTENSIONS="1", CYJOSE_REQUIRE_EXTENSIONS="1")
    assert result.returncode != 0
    assert "ImportError" in result.stderr
    assert "CYJOSE_REQUIRE_EXTENSIONS and CYJOSE_NO_EXTENSIONS are both set" in result.stderr


def test_pure_subprocess_decodes():
    # the pure twins work end to end
    script = ("import cyjose; t = cyjose.encode({'a': 1}, 'k' * 32, 'HS256'); "
              "print(cyjose.decode(t, 'k' * 32, ['HS256']), cyjose.NATIVE)")
    result = _run(["-c", script], CYJOSE_NO_EXTENSIONS="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'a': 1} False"


def test_py_typed_marker():
    assert os.path.isfile(os.path.join(os.path.dirname(cyjose.__file__), "py.typed"))


def test_import_has_no_warnings():
    result = _run(["-W", "error", "-c", "import cyjose, cyjose.utils, cyjose.algorithms"])
    assert result.returncode == 0, result.stderr
