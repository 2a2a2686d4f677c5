"""README "Migrating from PyJWT 2.15: the differences": one test per table row, in table order.

Each test runs the same input through PyJWT 2.15 (``pyjwt``) and cyjose and
asserts both columns of its row; its docstring quotes the row's first cell,
and ``test_every_row_has_its_test`` checks those docstrings against the table.
Where a row turned out to be imprecise about PyJWT, the test asserts what
PyJWT really does and a comment says so. The PyJWKClient rows use a local
endpoint (tests/jwks_server.py) and one fake monotonic clock for both clients:
cyjose's takes it as ``clock=``; PyJWT has no such argument, so the ``time``
its JWKS modules read is patched for the test. The last test runs the README's
JWKS recipe (Google example) against a local endpoint.
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import hmac
import importlib.metadata
import json
import re
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any, Callable, Dict, Iterator, List

import jwt as pyjwt
import pytest
import sample_keys as keys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa, x25519
from cryptography.x509.oid import NameOID
from jwks_server import JWKSServer, Reply
from jwt import api_jwk as pyjwt_api_jwk
from jwt import help as pyjwt_help
from jwt import jwk_set_cache as pyjwt_jwk_set_cache
from jwt import jwks_client as pyjwt_jwks_client

import cyjose
from cyjose import help as cyjose_help
from cyjose._speedups import HOT_MODULES
from cyjose.algorithms import MLDSA_ALGORITHMS

SECRET = keys.secret("HS256")
NOW = int(time.time())
PAST = NOW - 3600
FUTURE = NOW + 3600
LIBS = (pyjwt, cyjose)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def padded(segment: str) -> str:
    return segment + "=" * (-len(segment) % 4)


def hs256(header: str, payload: str) -> str:
    """``header.payload.signature`` with the HMAC over the two segments exactly as given."""
    signing_input = f"{header}.{payload}"
    return f"{signing_input}.{b64(hmac.new(SECRET, signing_input.encode(), hashlib.sha256).digest())}"


def hs256_json(header: bytes, payload: bytes) -> str:
    """A token over raw JSON texts (which ``encode`` could not produce, e.g. with NaN)."""
    return hs256(b64(header), b64(payload))


def exact(message: str) -> str:
    """A ``match=`` pattern for exactly ``message``."""
    return f"^{re.escape(message)}$"


def public_jwk(alg: str, variant: str = "", **members: Any) -> Dict[str, Any]:
    """The public JWK of ``keys.public(alg, variant)`` without ``key_ops``, plus ``members``."""
    jwk = cyjose.get_algorithm_by_name(alg).to_jwk(keys.public(alg, variant), as_dict=True)
    jwk.pop("key_ops", None)
    return {**jwk, "alg": alg, **members}


def private_jwk(alg: str, variant: str = "", **members: Any) -> Dict[str, Any]:
    jwk = cyjose.get_algorithm_by_name(alg).to_jwk(keys.private(alg, variant), as_dict=True)
    jwk.pop("key_ops", None)
    return {**jwk, "alg": alg, **members}


def key_as(form: str, lib: ModuleType, alg: str, private: bool = False) -> Any:
    """``alg``'s test key as a PEM, a ``cryptography`` object or ``lib``'s PyJWK."""
    if form == "pem":
        return keys.private_pem(alg) if private else keys.public_pem(alg)
    if form == "object":
        return keys.private(alg) if private else keys.public(alg)
    return lib.PyJWK(private_jwk(alg, use="sig") if private else public_jwk(alg))


def x25519_jwk(kid: str) -> Dict[str, Any]:
    raw = x25519.X25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "X25519", "x": b64(raw), "kid": kid}


def readme_table_rows() -> List[str]:
    """The first cell of each row of README's differences table."""
    readme = Path(__file__).resolve().parents[1] / "README.md"
    if not readme.is_file():
        pytest.skip("README.md is not next to tests/")
    section = readme.read_text(encoding="utf-8").split("## Migrating from PyJWT 2.15: the differences", 1)[1]
    rows = [line for line in section.split("\n## ", 1)[0].splitlines() if line.startswith("| ")]
    return [row[2:].split(" | ", 1)[0] for row in rows[1:]]  # rows[0] is the header


def test_every_row_has_its_test() -> None:
    """README promises one test per row, named after it: their docstrings quote the rows, in order."""
    tests = [value for name, value in globals().items() if name.startswith("test_")
             and name not in ("test_every_row_has_its_test", "test_readme_jwks_recipe")]
    assert [test.__doc__ for test in tests] == readme_table_rows()


# --- 1-11: tokens, claims and decode() arguments -------------------------------------------


def test_padding_in_a_segment() -> None:
    """`=` padding in a segment"""
    header, payload = b64(b'{"alg":"HS256" }'), b64(b'{"sub":"1234"}')
    assert padded(header).endswith("==") and padded(payload).endswith("=") and not padded(payload).endswith("==")
    signed_padded = hs256(padded(header), padded(payload))
    signing_input, signature = signed_padded.rsplit(".", 1)
    exactly_right = f"{signing_input}.{padded(signature)}"
    with pytest.raises(pyjwt.DecodeError, match=exact("Invalid header padding")):
        pyjwt.decode(exactly_right, SECRET, algorithms=["HS256"])
    assert cyjose.decode(exactly_right, SECRET, algorithms=["HS256"]) == {"sub": "1234"}
    # The signature covers the segments as sent: padding added after signing breaks it.
    padded_later = ".".join(padded(segment) for segment in hs256(header, payload).split("."))
    with pytest.raises(pyjwt.DecodeError, match=exact("Invalid header padding")):
        pyjwt.decode(padded_later, SECRET, algorithms=["HS256"])
    with pytest.raises(cyjose.InvalidSignatureError):
        cyjose.decode(padded_later, SECRET, algorithms=["HS256"])
    # Only exactly-right padding: too little or too much is refused by both.
    for token, segment in [(hs256(header + "=", payload), "header"), (hs256(header + "===", payload), "header"),
                           (hs256(header, payload + "=="), "payload")]:
        for lib in LIBS:
            with pytest.raises(lib.DecodeError, match=exact(f"Invalid {segment} padding")):
                lib.decode(token, SECRET, algorithms=["HS256"])


def test_more_than_three_segments() -> None:
    """more than three segments"""
    token = pyjwt.encode({"sub": "1"}, SECRET, algorithm="HS256") + ".extra"
    with pytest.raises(pyjwt.DecodeError, match=exact("Invalid payload padding")):
        pyjwt.decode(token, SECRET, algorithms=["HS256"])
    with pytest.raises(cyjose.DecodeError, match=exact("Too many segments")):
        cyjose.decode(token, SECRET, algorithms=["HS256"])


@pytest.mark.parametrize("where", ["header", "signature"])
def test_non_ascii_str_token(where: str) -> None:
    """non-ASCII `str` token"""
    token = pyjwt.encode({"sub": "1"}, SECRET, algorithm="HS256")
    token = "\u00e9" + token if where == "header" else token + "\u00e9"
    with pytest.raises(pyjwt.DecodeError, match=r"^Invalid (header|crypto) padding$"):
        pyjwt.decode(token, SECRET, algorithms=["HS256"])
    with pytest.raises(cyjose.DecodeError, match=exact("Invalid token: non-ASCII characters")):
        cyjose.decode(token, SECRET, algorithms=["HS256"])


def test_token_size() -> None:
    """token size"""
    claims = {"sub": "1", "blob": "x" * (1 << 20)}
    token = pyjwt.encode(claims, SECRET, algorithm="HS256")
    assert pyjwt.decode(token, SECRET, algorithms=["HS256"]) == claims
    too_large = "Token exceeds the max_token_bytes limit (1048576 bytes)"
    with pytest.raises(cyjose.LimitExceededError, match=exact(too_large)):
        cyjose.decode(token, SECRET, algorithms=["HS256"])
    # Refused before any decoding: a garbage token over the limit is not even split.
    garbage = "!" * ((1 << 20) + 1)
    with pytest.raises(pyjwt.DecodeError, match=exact("Not enough segments")):
        pyjwt.decode(garbage, SECRET, algorithms=["HS256"])
    with pytest.raises(cyjose.DecodeError, match=exact(too_large)):
        cyjose.decode(garbage, SECRET, algorithms=["HS256"])
    # The limit is the caller's to raise.
    limits = cyjose.Limits(max_token_bytes=2 << 20)
    assert cyjose.decode(token, SECRET, algorithms=["HS256"], limits=limits) == claims


def test_json_nesting() -> None:
    """JSON nesting"""
    inner: Any = 1
    for _ in range(32):
        inner = [inner]
    deep = {"sub": "1", "x": inner}  # the outer object and 32 arrays: 33 levels
    token = pyjwt.encode(deep, SECRET, algorithm="HS256")
    assert pyjwt.decode(token, SECRET, algorithms=["HS256"]) == deep
    with pytest.raises(cyjose.LimitExceededError, match=exact(
            "The payload JSON exceeds the max_json_depth limit (32 levels)")) as caught:
        cyjose.decode(token, SECRET, algorithms=["HS256"])
    assert (caught.value.limit, caught.value.maximum) == ("max_json_depth", 32)
    assert isinstance(caught.value, cyjose.DecodeError)  # caught by code written for PyJWT
    assert cyjose.decode(token, SECRET, algorithms=["HS256"], limits=cyjose.Limits(max_json_depth=33)) == deep


@pytest.mark.parametrize("header", [b'{"alg":"none","alg":"HS256"}', b'{"alg":"HS256","kid":"a","kid":"b"}',
                                    b'{"alg":"HS256","jwk":{"kty":"oct","kty":"RSA"}}'])
def test_duplicate_names_in_a_header(header: bytes) -> None:
    """duplicate names in a header"""
    token = hs256_json(header, b'{"sub":"1"}')
    assert pyjwt.decode(token, SECRET, algorithms=["HS256"]) == {"sub": "1"}
    with pytest.raises(cyjose.DecodeError, match="^Invalid header string: duplicate member name '(alg|kid|kty)'$"):
        cyjose.decode(token, SECRET, algorithms=["HS256"])
    with pytest.raises(cyjose.DecodeError, match="duplicate member name"):
        cyjose.get_unverified_header(token)
    # a claim set keeps PyJWT's rule, which RFC 7519 section 4 allows: the last one wins
    claims_token = hs256_json(b'{"alg":"HS256"}', b'{"sub":"1","sub":"2"}')
    assert cyjose.decode(claims_token, SECRET, algorithms=["HS256"]) == pyjwt.decode(
        claims_token, SECRET, algorithms=["HS256"]) == {"sub": "2"}


INT_MESSAGES = {
    "exp": (cyjose.DecodeError, "Expiration Time claim (exp) must be an integer."),
    "nbf": (cyjose.DecodeError, "Not Before claim (nbf) must be an integer."),
    "iat": (cyjose.InvalidIssuedAtError, "Issued At claim (iat) must be an integer."),
}


@pytest.mark.parametrize("claim, value, pyjwt_error", [
    ("exp", True, pyjwt.ExpiredSignatureError),  # int(True) == 1: expired in 1970
    ("exp", str(FUTURE), None),
    ("nbf", True, None),
    ("nbf", str(FUTURE), pyjwt.ImmatureSignatureError),
    ("iat", "123", None),
    ("iat", str(FUTURE), pyjwt.ImmatureSignatureError),
])
def test_exp_nbf_iat_must_be_numbers(claim: str, value: Any, pyjwt_error: Any) -> None:
    """`exp`, `nbf`, `iat`"""
    token = pyjwt.encode({claim: value}, SECRET, algorithm="HS256")
    # PyJWT: read with int(), so the value acts as the number it converts to.
    if pyjwt_error is None:
        assert pyjwt.decode(token, SECRET, algorithms=["HS256"]) == {claim: value}
    else:
        with pytest.raises(pyjwt_error):
            pyjwt.decode(token, SECRET, algorithms=["HS256"])
    # cyjose: PyJWT's own "must be an integer" error (what PyJWT says for a value int() refuses).
    with pytest.raises(pyjwt.PyJWTError) as theirs:
        pyjwt.decode(pyjwt.encode({claim: "abc"}, SECRET, algorithm="HS256"), SECRET, algorithms=["HS256"])
    cls, message = INT_MESSAGES[claim]
    with pytest.raises(cls, match=exact(message)) as ours:
        cyjose.decode(token, SECRET, algorithms=["HS256"])
    assert (type(ours.value).__name__, str(ours.value)) == (type(theirs.value).__name__, str(theirs.value))


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_in_json(literal: str) -> None:
    """`NaN` / `Infinity` in JSON"""
    in_header = hs256_json(b'{"alg":"HS256","x":' + literal.encode() + b"}", b'{"sub":"1"}')
    in_payload = hs256_json(b'{"alg":"HS256"}', b'{"v":' + literal.encode() + b"}")
    assert pyjwt.decode(in_header, SECRET, algorithms=["HS256"]) == {"sub": "1"}
    assert str(pyjwt.decode(in_payload, SECRET, algorithms=["HS256"])["v"]) in ("nan", "inf", "-inf")
    for token, part in [(in_header, "header"), (in_payload, "payload")]:
        with pytest.raises(cyjose.DecodeError, match=f"^Invalid {part} string: {re.escape(literal)}"):
            cyjose.decode(token, SECRET, algorithms=["HS256"])


def test_algorithms_as_a_string() -> None:
    """`algorithms="ES256K"` (a string)"""
    es256 = pyjwt.encode({"sub": "1"}, keys.private("ES256"), algorithm="ES256")
    es256k = pyjwt.encode({"sub": "1"}, keys.private("ES256K"), algorithm="ES256K")
    # PyJWT: `"ES256" in "ES256K"` is a substring test.
    assert pyjwt.decode(es256, keys.public("ES256"), algorithms="ES256K") == {"sub": "1"}
    with pytest.raises(cyjose.InvalidAlgorithmError, match=exact("The specified alg value is not allowed")):
        cyjose.decode(es256, keys.public("ES256"), algorithms="ES256K")
    for lib in LIBS:
        assert lib.decode(es256k, keys.public("ES256K"), algorithms="ES256K") == {"sub": "1"}


def test_require_as_a_string() -> None:
    """`options={"require": "exp"}` (a string)"""
    with_exp = pyjwt.encode({"exp": FUTURE}, SECRET, algorithm="HS256")
    e_x_p = pyjwt.encode({"e": 1, "x": 2, "p": 3}, SECRET, algorithm="HS256")
    options = {"require": "exp"}
    with pytest.raises(pyjwt.MissingRequiredClaimError, match=exact('Token is missing the "e" claim')):
        pyjwt.decode(with_exp, SECRET, algorithms=["HS256"], options=options)
    assert pyjwt.decode(e_x_p, SECRET, algorithms=["HS256"], options=options) == {"e": 1, "x": 2, "p": 3}
    assert cyjose.decode(with_exp, SECRET, algorithms=["HS256"], options=options) == {"exp": FUTURE}
    with pytest.raises(cyjose.MissingRequiredClaimError, match=exact('Token is missing the "exp" claim')):
        cyjose.decode(e_x_p, SECRET, algorithms=["HS256"], options=options)


def test_instance_option_verify_signature_false() -> None:
    """`PyJWT(options={"verify_signature": False})`"""
    forged = pyjwt.encode({"sub": "1"}, bytes(reversed(SECRET)), algorithm="HS256")
    with pytest.raises(pyjwt.InvalidSignatureError):
        pyjwt.PyJWT(options={"verify_signature": False}).decode(forged, SECRET, algorithms=["HS256"])
    ours = cyjose.PyJWT(options={"verify_signature": False})
    assert ours.decode(forged, SECRET, algorithms=["HS256"]) == {"sub": "1"}


MALFORMED_PEM = b"-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n"


def encrypted_pem() -> bytes:
    return keys.private("RS256").private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.BestAvailableEncryption(b"passphrase"))


@pytest.mark.parametrize("key, alg, pyjwt_error", [
    (None, "HS256", TypeError),
    (42, "RS256", TypeError),
    (1.5, "ES256", TypeError),
    (MALFORMED_PEM, "ES256", ValueError),
    (MALFORMED_PEM, "EdDSA", ValueError),
    ("encrypted", "RS256", TypeError),
], ids=["None-HS256", "int-RS256", "float-ES256", "malformed-pem-ES256", "malformed-pem-EdDSA", "encrypted-pem"])
def test_key_of_the_wrong_type_malformed_or_encrypted(key: Any, alg: str, pyjwt_error: type) -> None:
    """key of the wrong type (`None`, a number, ...), malformed PEM, encrypted PEM without passphrase"""
    key = encrypted_pem() if key == "encrypted" else key
    token = pyjwt.encode({"sub": "1"}, keys.signing_key(alg), algorithm=alg)
    for call in (lambda lib: lib.decode(token, key, algorithms=[alg]), lambda lib: lib.encode({}, key, algorithm=alg)):
        with pytest.raises(pyjwt_error) as theirs:
            call(pyjwt)
        assert not isinstance(theirs.value, pyjwt.PyJWTError)
        with pytest.raises(cyjose.InvalidKeyError):
            call(cyjose)


@pytest.mark.parametrize("argument", [{"leeway": "10"}, {"leeway": None}, {"audience": 5}])
def test_ill_typed_leeway_or_audience(argument: Dict[str, Any]) -> None:
    """ill-typed `leeway` or `audience` argument"""
    reaches_check = pyjwt.encode({"exp": FUTURE, "aud": "api"}, SECRET, algorithm="HS256")
    stops_before = "not-a-token" if "audience" in argument else pyjwt.encode({"sub": "1"}, SECRET, algorithm="HS256")
    # PyJWT: the TypeError comes only from the check that uses the argument...
    with pytest.raises(TypeError):
        pyjwt.decode(reaches_check, SECRET, algorithms=["HS256"], **argument)
    if "audience" in argument:  # ...which the claim checks reach only after the signature
        with pytest.raises(pyjwt.DecodeError):
            pyjwt.decode(stops_before, SECRET, algorithms=["HS256"], **argument)
    else:  # ...and only for a token with a time claim
        assert pyjwt.decode(stops_before, SECRET, algorithms=["HS256"], **argument) == {"sub": "1"}
    for token in (reaches_check, stops_before):
        with pytest.raises(TypeError, match="^(leeway|audience) must be"):
            cyjose.decode(token, SECRET, algorithms=["HS256"], **argument)


# --- 12-21: keys and JWKs ------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
@pytest.mark.parametrize("form", ["pem", "object", "pyjwk"])
def test_signing_with_a_public_key(form: str, alg: str) -> None:
    """signing with a public key (PEM, object or PyJWK)"""
    with pytest.raises(AttributeError):
        pyjwt.encode({"sub": "1"}, key_as(form, pyjwt, alg), algorithm=alg)
    with pytest.raises(cyjose.InvalidKeyError):
        cyjose.encode({"sub": "1"}, key_as(form, cyjose, alg), algorithm=alg)


@pytest.mark.parametrize("form", ["object", "pyjwk", "pem"])
def test_verifying_with_a_private_rsa_key(form: str) -> None:
    """verifying with a private RSA key (object or PyJWK)"""
    token = pyjwt.encode({"sub": "1"}, keys.private("RS256"), algorithm="RS256")
    with pytest.raises(AttributeError):  # RSAPrivateKey has no verify()
        pyjwt.decode(token, key_as(form, pyjwt, "RS256", private=True), algorithms=["RS256"])
    assert cyjose.decode(token, key_as(form, cyjose, "RS256", private=True), algorithms=["RS256"]) == {"sub": "1"}


PRIVATE = "c2VjcmV0LXByaXZhdGUtbWF0ZXJpYWwtbmV2ZXItbG9nZ2Vk"
#: What PyJWT 2.15 raises: a raw exception, or a PyJWTError whose message shows the whole JWK.
JWK_IMPORT_ERRORS: Dict[str, Any] = {
    "oct without k": (lambda lib: lib.PyJWK({"kty": "oct"}), KeyError),
    "k not base64url": (lambda lib: lib.algorithms.HMACAlgorithm.from_jwk({"kty": "oct", "k": "a"}), ValueError),
    "JWK not a dict": (lambda lib: lib.PyJWK(None), AttributeError),
    "JWK not JSON": (lambda lib: lib.PyJWK.from_json("{"), json.JSONDecodeError),
    "set not JSON": (lambda lib: lib.PyJWKSet.from_json("{"), json.JSONDecodeError),
    "set not an object": (lambda lib: lib.PyJWKSet.from_json("[]"), AttributeError),
    "no kty": (lambda lib: lib.PyJWK({"crv": "P-256", "d": PRIVATE}), "shows the JWK"),
    "OKP without crv": (lambda lib: lib.PyJWK({"kty": "OKP", "d": PRIVATE}), "shows the JWK"),
    "unknown alg": (lambda lib: lib.PyJWK({"kty": "oct", "k": PRIVATE, "alg": "HS999"}), "shows the JWK"),
}


@pytest.mark.parametrize("case", list(JWK_IMPORT_ERRORS))
def test_jwk_import_errors(case: str) -> None:
    """JWK import errors (`PyJWK`, `PyJWKSet`, `from_jwk`)"""
    call, pyjwt_raises = JWK_IMPORT_ERRORS[case]
    if pyjwt_raises == "shows the JWK":
        with pytest.raises(pyjwt.PyJWTError, match=PRIVATE):
            call(pyjwt)
    else:
        with pytest.raises(pyjwt_raises) as raw:
            call(pyjwt)
        assert not isinstance(raw.value, pyjwt.PyJWTError)
    with pytest.raises((cyjose.InvalidKeyError, cyjose.PyJWKError, cyjose.PyJWKSetError)) as typed:
        call(cyjose)
    assert PRIVATE not in str(typed.value) and PRIVATE not in repr(typed.value)


@functools.cache
def certificate(alg: str, variant: str = "") -> bytes:
    """A self-signed DER certificate for ``keys.private(alg, variant)``."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cyjose test")])
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(name).issuer_name(name).serial_number(1)
               .public_key(keys.public(alg, variant)).not_valid_before(start)
               .not_valid_after(start + datetime.timedelta(days=3650)))
    return builder.sign(keys.private(alg, variant), hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def x5c(der: bytes) -> str:
    return base64.b64encode(der).decode("ascii")


def off_curve_ec_jwk() -> Dict[str, Any]:
    jwk = public_jwk("ES256")
    y = int.from_bytes(base64.urlsafe_b64decode(padded(jwk["y"])), "big")
    return {**jwk, "y": b64((y ^ 1).to_bytes(32, "big"))}


def ec_jwk_with_long_x() -> Dict[str, Any]:
    jwk = public_jwk("ES256")
    return {**jwk, "x": b64(b"\0" + base64.urlsafe_b64decode(padded(jwk["x"])))}


#: case: (the JWK, whether PyJWT 2.15 refuses it too)
JWK_CHECKS: Dict[str, Any] = {
    "x5c of another key": (lambda: public_jwk("ES256", x5c=[x5c(certificate("ES256", "other"))]), False),
    "x5t#S256 not the certificate's": (lambda: public_jwk("ES256", x5c=[x5c(certificate("ES256"))], **{
        "x5t#S256": b64(hashlib.sha256(certificate("ES256", "other")).digest())}), False),
    "x5t not the certificate's": (lambda: public_jwk("ES256", x5c=[x5c(certificate("ES256"))],
                                                     x5t=b64(hashlib.sha1(certificate("ES256", "other")).digest())),
                                  False),
    "k in the standard alphabet": (lambda: {"kty": "oct", "k": base64.b64encode(b"\xfb" * 32).decode()}, False),
    "kid not a string": (lambda: public_jwk("ES256", kid=5), False),
    # The row says PyJWT is loose on lengths, points and private-vs-public; PyJWT 2.15 refuses
    # these (its own coordinate length checks, and cryptography's key validation).
    "EC coordinate too long": (ec_jwk_with_long_x, True),
    "EC point off the curve": (off_curve_ec_jwk, True),
    "OKP d not matching x": (lambda: {**private_jwk("EdDSA"), "x": public_jwk("EdDSA", "other")["x"]}, True),
    "EC d not matching x, y": (lambda: {**private_jwk("ES256"), "d": private_jwk("ES256", "other")["d"]}, True),
}


@pytest.mark.parametrize("case", list(JWK_CHECKS))
def test_jwk_checks(case: str) -> None:
    """JWK checks"""
    make_jwk, pyjwt_refuses = JWK_CHECKS[case]
    jwk = make_jwk()
    if pyjwt_refuses:
        with pytest.raises(pyjwt.InvalidKeyError):
            pyjwt.PyJWK(jwk)
    else:
        assert isinstance(pyjwt.PyJWK(jwk), pyjwt.PyJWK)
    with pytest.raises(cyjose.InvalidKeyError):
        cyjose.PyJWK(jwk)


def rsa_public_jwk_of_bits(bits: int) -> Dict[str, Any]:
    """A public RSA JWK with a made-up odd modulus of exactly ``bits`` bits (no key generation)."""
    modulus = int.from_bytes(hashlib.shake_256(b"modulus").digest((bits + 7) // 8), "big")
    modulus = (modulus >> (modulus.bit_length() - bits)) | (1 << (bits - 1)) | 1
    return {"kty": "RSA", "n": b64(modulus.to_bytes((bits + 7) // 8, "big")), "e": "AQAB"}


def test_rsa_jwk_size() -> None:
    """RSA JWK size"""
    small = cyjose.algorithms.RSAAlgorithm.to_jwk(keys.small_rsa().public_key(), as_dict=True)
    huge, largest = rsa_public_jwk_of_bits(8200), rsa_public_jwk_of_bits(8192)
    for jwk, bits in [(small, 1024), (huge, 8200), (largest, 8192)]:
        assert pyjwt.PyJWK(jwk).key.key_size == bits
    assert pyjwt.PyJWKSet([small]).keys[0].key.key_size == 1024
    assert pyjwt.algorithms.RSAAlgorithm.from_jwk(small).key_size == 1024
    with pytest.raises(cyjose.InvalidKeyError, match="1024 bits long, below the minimum of 2048 bits"):
        cyjose.PyJWK(small)
    with pytest.raises(cyjose.PyJWKSetError):
        cyjose.PyJWKSet([small])
    with pytest.raises(cyjose.InvalidKeyError, match="below the minimum"):
        cyjose.algorithms.RSAAlgorithm.from_jwk(small)
    assert cyjose.PyJWK(small, min_rsa_key_size=1024).key.key_size == 1024
    assert cyjose.PyJWKSet([small], min_rsa_key_size=1024).keys[0].key.key_size == 1024
    assert cyjose.algorithms.RSAAlgorithm.from_jwk(small, min_key_size=1024).key_size == 1024
    with pytest.raises(cyjose.InvalidKeyError, match="8200 bits long, above the maximum of 8192 bits"):
        cyjose.PyJWK(huge)
    assert cyjose.PyJWK(largest).key.key_size == 8192


def test_jwk_alg_versus_algorithm_argument() -> None:
    """a JWK's `alg` vs an explicit `algorithm` argument"""
    jwk = public_jwk("RS256")
    rs512 = pyjwt.encode({"sub": "1"}, keys.private("RS256"), algorithm="RS512")
    theirs = pyjwt.PyJWK(jwk, algorithm="RS512")
    assert theirs.algorithm_name == "RS512"
    assert pyjwt.decode(rs512, theirs, algorithms=["RS512"]) == {"sub": "1"}
    with pytest.raises(cyjose.InvalidKeyError, match="for RS256, not for the requested RS512"):
        cyjose.PyJWK(jwk, algorithm="RS512")
    for lib in LIBS:  # agreeing, or the JWK without alg: the argument is used
        assert lib.PyJWK(jwk, algorithm="RS256").algorithm_name == "RS256"
        assert lib.PyJWK({k: v for k, v in jwk.items() if k != "alg"}, algorithm="PS256").algorithm_name == "PS256"


def test_jwk_use_and_key_ops() -> None:
    """a JWK's `use` / `key_ops`"""
    token = pyjwt.encode({"sub": "1"}, keys.private("RS256"), algorithm="RS256")
    for members in ({"use": "enc"}, {"key_ops": ["encrypt", "decrypt"]}):
        public, private = public_jwk("RS256", **members), private_jwk("RS256", **members)
        assert pyjwt.decode(token, pyjwt.PyJWK(public), algorithms=["RS256"]) == {"sub": "1"}
        assert pyjwt.encode({"sub": "1"}, pyjwt.PyJWK(private)) == token
        with pytest.raises(cyjose.InvalidKeyError, match='cannot verify|do not include "verify"'):
            cyjose.decode(token, cyjose.PyJWK(public), algorithms=["RS256"])
        with pytest.raises(cyjose.InvalidKeyError, match='cannot sign|do not include "sign"'):
            cyjose.encode({"sub": "1"}, cyjose.PyJWK(private))
    # The row's note: both libraries' to_jwk write "key_ops": ["sign"] into a private RSA JWK...
    for lib in LIBS:
        assert lib.algorithms.RSAAlgorithm.to_jwk(keys.private("RS256"), as_dict=True)["key_ops"] == ["sign"]
    jwk = {**cyjose.algorithms.RSAAlgorithm.to_jwk(keys.private("RS256"), as_dict=True), "alg": "RS256"}
    # ...so in cyjose it signs but does not verify (PyJWT cannot verify with a private RSA key at all).
    assert cyjose.encode({"sub": "1"}, cyjose.PyJWK(jwk)) == token
    with pytest.raises(cyjose.InvalidKeyError, match='do not include "verify"'):
        cyjose.decode(token, cyjose.PyJWK(jwk), algorithms=["RS256"])
    with pytest.raises(AttributeError):
        pyjwt.decode(token, pyjwt.PyJWK(jwk), algorithms=["RS256"])


@pytest.mark.parametrize("how", [{"algorithm": "RS512"}, {"headers": {"alg": "PS256"}}], ids=["algorithm", "headers"])
def test_encode_with_a_pyjwk_and_another_algorithm(how: Dict[str, Any]) -> None:
    """`encode(payload, pyjwk, algorithm=X)` / `headers={"alg": X}` with X not the key's algorithm"""
    other = how.get("algorithm") or how["headers"]["alg"]
    token = pyjwt.encode({"sub": "1"}, pyjwt.PyJWK(private_jwk("RS256")), **how)
    assert pyjwt.get_unverified_header(token)["alg"] == other
    assert pyjwt.decode(token, keys.public("RS256"), algorithms=[other]) == {"sub": "1"}
    with pytest.raises(cyjose.InvalidAlgorithmError, match=f"'{other}' does not match the key's algorithm 'RS256'"):
        cyjose.encode({"sub": "1"}, cyjose.PyJWK(private_jwk("RS256")), **how)


def test_jwe_keys_in_a_set() -> None:
    """JWE keys in a set (`RSA-OAEP`, `ECDH-ES`, X25519, `A128KW`, ...)"""
    jwe_keys = [{**public_jwk("RS256"), "alg": "RSA-OAEP", "kid": "oaep"},
                {**public_jwk("ES256"), "alg": "ECDH-ES", "kid": "ecdh"},
                x25519_jwk("x25519"),
                {"kty": "oct", "k": b64(b"w" * 16), "alg": "A128KW", "kid": "kw"}]
    published = [public_jwk("RS256", kid="sig"), *jwe_keys]
    assert [key.key_id for key in pyjwt.PyJWKSet(published).keys] == ["sig"]
    ours = cyjose.PyJWKSet(published)
    assert [(key.key_id, key.Algorithm) for key in ours.keys[1:]] == [(jwk["kid"], None) for jwk in jwe_keys]
    token = cyjose.encode({"sub": "1"}, keys.private("RS256"), algorithm="RS256")
    assert cyjose.decode(token, ours["sig"], algorithms=["RS256"]) == {"sub": "1"}
    with pytest.raises(cyjose.PyJWTError):
        cyjose.decode(token, ours["oaep"], algorithms=["RS256"])
    with pytest.raises(cyjose.InvalidKeyError, match="not for signatures"):
        cyjose.encode({"sub": "1"}, ours["kw"])


def mldsa_private_key(name: str) -> Any:
    from cryptography.hazmat.primitives.asymmetric import mldsa  # absent from older cryptography

    return getattr(mldsa, f"MLDSA{name[-2:]}PrivateKey").from_seed_bytes(b"\x01" * 32)


def test_more_algorithm_names() -> None:
    """more algorithm names"""
    added = ["Ed25519", "Ed448", *MLDSA_ALGORITHMS]
    assert set(MLDSA_ALGORITHMS) <= {"ML-DSA-44", "ML-DSA-65", "ML-DSA-87"}
    theirs = set(pyjwt.algorithms.get_default_algorithms())
    assert set(cyjose.algorithms.get_default_algorithms()) == theirs | set(added)
    for name in added:
        with pytest.raises(NotImplementedError):
            pyjwt.get_algorithm_by_name(name)
    for name, variant in [("Ed25519", ""), ("Ed448", "ed448")]:
        token = cyjose.encode({"sub": "1"}, keys.private("EdDSA", variant), algorithm=name)
        assert cyjose.decode(token, keys.public("EdDSA", variant), algorithms=[name]) == {"sub": "1"}
        with pytest.raises(pyjwt.InvalidAlgorithmError, match="Algorithm not supported"):
            pyjwt.decode(token, keys.public("EdDSA", variant), algorithms=[name])
    for name in MLDSA_ALGORITHMS:  # those this cryptography can do
        private = mldsa_private_key(name)
        token = cyjose.encode({"sub": "1"}, private, algorithm=name)
        assert cyjose.decode(token, private.public_key(), algorithms=[name]) == {"sub": "1"}


# --- 22-27: PyJWKClient ---------------------------------------------------------------------


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    """The clock of both clients; PyJWT's JWKS modules read ``time.monotonic()``, so it is patched there."""
    fake = FakeClock()
    for module in (pyjwt_jwks_client, pyjwt_jwk_set_cache, pyjwt_api_jwk):
        monkeypatch.setattr(module, "time", SimpleNamespace(monotonic=fake))
    return fake


@pytest.fixture
def server() -> Iterator[JWKSServer]:
    with JWKSServer() as srv:
        yield srv


# Distinct keys per kid, so that a wrong pick cannot verify.
KID_KEYS = {"a": ("RS256", ""), "b": ("RS256", "other"), "c": ("ES256", "")}


def signing_jwk(kid: str) -> Dict[str, Any]:
    alg, variant = KID_KEYS[kid]
    return public_jwk(alg, variant, kid=kid, use="sig")


def key_set(*kids: str) -> Dict[str, Any]:
    return {"keys": [signing_jwk(kid) for kid in kids]}


def path_of(lib: ModuleType, case: str = "") -> str:
    """Each library fetches its own path, so the request counts are per library."""
    return f"/{lib.__name__}{case}"


def serve(server: JWKSServer, lib: ModuleType, what: Any, case: str = "", **kwargs: Any) -> None:
    """Answer ``lib``'s path with ``what``: a :class:`Reply`, or a value served as JSON."""
    if isinstance(what, Reply):
        server.reply(what, path_of(lib, case))
    else:
        server.serve_json(what, path=path_of(lib, case), **kwargs)


def client_of(lib: ModuleType, server: JWKSServer, clock: FakeClock, case: str = "", **kwargs: Any) -> Any:
    kwargs.setdefault("timeout", 2)
    if lib is cyjose:
        kwargs["clock"] = clock
    return lib.PyJWKClient(server.url(path_of(lib, case)), **kwargs)


def test_pyjwkclient_failed_refresh(server: JWKSServer, clock: FakeClock) -> None:
    """`PyJWKClient`: failed refresh"""
    for lib in LIBS:
        serve(server, lib, key_set("a"))
        client = client_of(lib, server, clock)
        client.get_signing_key("a")
        serve(server, lib, Reply(status=500))
        clock.advance(301)  # past the 300 s lifespan
        for _ in range(2):
            if lib is pyjwt:
                with pytest.raises(pyjwt.PyJWKClientConnectionError):
                    client.get_signing_key("a")
            else:
                assert client.get_signing_key("a").key_id == "a"
        # cyjose: one attempt per cooldown (its 5xx retried 3 times inside the timeout).
        assert server.hits(path_of(lib)) == (3 if lib is pyjwt else 1 + 4)
    # cyjose: for up to stale_if_error seconds past the set's expiry, not beyond.
    serve(server, cyjose, key_set("a"), case="/bounded")
    client = client_of(cyjose, server, clock, case="/bounded", stale_if_error=100)
    client.get_signing_key("a")
    serve(server, cyjose, Reply(status=500), case="/bounded")
    clock.advance(300 + 100)
    assert client.get_signing_key("a").key_id == "a"
    assert isinstance(client.last_error, cyjose.PyJWKClientConnectionError)
    clock.advance(1)
    with pytest.raises(cyjose.PyJWKClientConnectionError):
        client.get_signing_key("a")


def test_pyjwkclient_unknown_kid(server: JWKSServer, clock: FakeClock) -> None:
    """`PyJWKClient`: unknown `kid`"""
    for lib in LIBS:
        serve(server, lib, key_set("a"))
        client = client_of(lib, server, clock)
        client.get_signing_key("a")
        for _ in range(3):  # both: no refetch within the cooldown of a successful fetch
            with pytest.raises(lib.PyJWKClientError, match="Unable to find a signing key"):
                client.get_signing_key(uuid.uuid4().hex)
        assert server.hits(path_of(lib)) == 1
        # The endpoint goes down; the cooldown has passed; five random kids arrive.
        serve(server, lib, Reply(status=503))
        clock.advance(31)
        failure = pyjwt.PyJWKClientConnectionError if lib is pyjwt else cyjose.PyJWKClientError
        for _ in range(5):
            with pytest.raises(failure):
                client.get_signing_key(uuid.uuid4().hex)
        # PyJWT: every one fetched. cyjose: the first did (one attempt, its 503 retried 3 times
        # inside the timeout), and its failure started the cooldown.
        assert server.hits(path_of(lib)) == (1 + 5 if lib is pyjwt else 1 + 4)
    for lib in LIBS:  # a kid that is not a string, once the cooldown allows a refetch
        serve(server, lib, key_set("a"), case="/kid")
        client = client_of(lib, server, clock, case="/kid")
        client.get_signing_key("a")
        for kid in (None, 7):
            clock.advance(31)
            with pytest.raises(lib.PyJWKClientError, match="Unable to find a signing key"):
                client.get_signing_key(kid)
        assert server.hits(path_of(lib, "/kid")) == (1 + 2 if lib is pyjwt else 1)
    for lib in LIBS:  # without the set cache: one request per lookup (PyJWT: a second, forced one)
        serve(server, lib, key_set("a"), case="/uncached")
        client = client_of(lib, server, clock, case="/uncached", cache_jwk_set=False)
        with pytest.raises(lib.PyJWKClientError, match="Unable to find a signing key"):
            client.get_signing_key("unknown")
        assert server.hits(path_of(lib, "/uncached")) == (2 if lib is pyjwt else 1)


def _cached_keys_during_a_fetch(server: JWKSServer, clock: FakeClock) -> None:
    for lib in LIBS:
        serve(server, lib, key_set("a"))
        client = client_of(lib, server, clock)
        client.get_signing_key("a")
        clock.advance(31)  # the cooldown allows an unknown kid to refetch
        gate = threading.Event()
        serve(server, lib, Reply(body=json.dumps(key_set("a", "b")).encode(), hold=gate))
        with ThreadPoolExecutor(max_workers=2) as pool:
            try:
                fetching = pool.submit(client.get_signing_key, "b")
                assert server.wait_for_hits(2, path_of(lib))  # the fetch is held by the endpoint
                cached = pool.submit(client.get_signing_key, "a")
                if lib is pyjwt:  # its lock is held across the fetch: the cached key waits too
                    with pytest.raises(FutureTimeout):
                        cached.result(timeout=0.3)
                else:
                    assert cached.result(timeout=5).key_id == "a"
                    assert not fetching.done()
            finally:
                gate.set()
            assert fetching.result(timeout=5).key_id == "b"
            assert cached.result(timeout=5).key_id == "a"
    # cyjose: callers needing a fetch (here: no set yet) wait for the one in flight and share it.
    gate = threading.Event()
    serve(server, cyjose, Reply(body=json.dumps(key_set("a")).encode(), hold=gate), case="/shared")
    client = client_of(cyjose, server, clock, case="/shared")
    with ThreadPoolExecutor(max_workers=3) as pool:
        try:
            callers = [pool.submit(client.get_signing_key, "a") for _ in range(3)]
            assert server.wait_for_hits(1, path_of(cyjose, "/shared"))
            with pytest.raises(FutureTimeout):  # all three wait for the held fetch...
                callers[-1].result(timeout=0.2)
        finally:
            gate.set()
        assert [caller.result(timeout=5).key_id for caller in callers] == ["a"] * 3
    assert server.hits(path_of(cyjose, "/shared")) == 1  # ...rather than each making its own


def _cache_control(server: JWKSServer, clock: FakeClock) -> None:
    for lib in LIBS:
        serve(server, lib, key_set("a"), headers={"Cache-Control": "public, max-age=60"})
        client = client_of(lib, server, clock)  # lifespan 300
        client.get_signing_key("a")
        clock.advance(61)
        client.get_signing_key("a")
        assert server.hits(path_of(lib)) == (1 if lib is pyjwt else 2)
    # cyjose clamps max-age to 5 s - 1 day.
    for value, floor_or_ceiling in [("max-age=1", 5), ("max-age=999999999", 86400)]:
        case = "/" + value
        serve(server, cyjose, key_set("a"), case=case, headers={"Cache-Control": value})
        client = client_of(cyjose, server, clock, case=case)
        client.get_signing_key("a")
        clock.advance(floor_or_ceiling * 0.75)  # (in the last fifth a refresh would start ahead)
        client.get_signing_key("a")
        assert server.hits(path_of(cyjose, case)) == 1
        clock.advance(floor_or_ceiling * 0.25 + 1)
        client.get_signing_key("a")
        assert server.hits(path_of(cyjose, case)) == 2


def _response_size(server: JWKSServer, clock: FakeClock) -> None:
    oversized = {**key_set("a"), "padding": "x" * (1 << 20)}
    for lib in LIBS:
        serve(server, lib, oversized)
    assert client_of(pyjwt, server, clock).get_signing_key("a").key_id == "a"
    with pytest.raises(cyjose.PyJWKClientError, match="larger than 1048576 bytes"):
        client_of(cyjose, server, clock).get_signing_key("a")
    assert client_of(cyjose, server, clock, max_response_bytes=2 << 20).get_signing_key("a").key_id == "a"


def _timeout_over_the_whole_body(server: JWKSServer, clock: FakeClock) -> None:
    # Each byte comes well within the 0.25 s timeout; the whole body takes 0.36 s.
    body = b'{"keys": []}'
    for lib in LIBS:
        serve(server, lib, Reply(body=body, trickle=0.03))
    with pytest.raises(pyjwt.PyJWKSetError, match="did not contain any keys"):  # read to the end
        client_of(pyjwt, server, clock, timeout=0.25).get_jwk_set()
    with pytest.raises(cyjose.PyJWKClientConnectionError, match="timed out reading the response"):
        client_of(cyjose, server, clock, timeout=0.25).get_jwk_set()


CONCURRENCY_CACHE_CONTROL_SIZE = {check.__name__.strip("_"): check for check in (
    _cached_keys_during_a_fetch, _cache_control, _response_size, _timeout_over_the_whole_body)}


@pytest.mark.parametrize("aspect", list(CONCURRENCY_CACHE_CONTROL_SIZE))
def test_pyjwkclient_concurrency_cache_control_size(server: JWKSServer, clock: FakeClock, aspect: str) -> None:
    """`PyJWKClient`: concurrency, `Cache-Control`, size"""
    CONCURRENCY_CACHE_CONTROL_SIZE[aspect](server, clock)


@pytest.mark.parametrize("uri", ["https://user:s3cr3t@idp.example/jwks", "https://idp.example/j wks",
                                 "https://idp.example/cl\u00e9", "https://idp.example/jwks\r\nX-Injected: 1"])
def test_pyjwkclient_bad_responses_and_uris(server: JWKSServer, clock: FakeClock, uri: str) -> None:
    """`PyJWKClient`: bad responses and URIs"""
    assert pyjwt.PyJWKClient(uri).uri == uri
    with pytest.raises(cyjose.PyJWKClientError, match="^Invalid JWKS URI") as info:
        cyjose.PyJWKClient(uri)
    assert "s3cr3t" not in str(info.value)
    assert pyjwt.PyJWKClient("https://idp.example/jwks", lifespan=float("nan")).jwk_set_cache is not None
    with pytest.raises(cyjose.PyJWKClientError, match="Lifespan must be greater than 0"):
        cyjose.PyJWKClient("https://idp.example/jwks", lifespan=float("nan"))
    for lib in LIBS:
        serve(server, lib, Reply(body=b"<html>maintenance</html>"))
        serve(server, lib, key_set("a"), case="/moved")
        serve(server, lib, Reply(status=302, headers={"Location": server.url(path_of(lib, "/moved"))}), case="/old")
    with pytest.raises(json.JSONDecodeError) as raw:
        client_of(pyjwt, server, clock).get_signing_key("a")
    assert not isinstance(raw.value, pyjwt.PyJWTError)
    with pytest.raises(cyjose.PyJWKClientError, match="did not return a JSON object"):
        client_of(cyjose, server, clock).get_signing_key("a")
    # Neither follows a redirect; only cyjose says why the fetch failed.
    with pytest.raises(pyjwt.PyJWKClientConnectionError, match=exact('Fail to fetch data from the url, err: '
                                                                     '"HTTP Error 302: Found"')):
        client_of(pyjwt, server, clock, case="/old").get_signing_key("a")
    with pytest.raises(cyjose.PyJWKClientConnectionError, match=re.escape("(redirects are not followed)")):
        client_of(cyjose, server, clock, case="/old").get_signing_key("a")
    assert server.hits(path_of(pyjwt, "/moved")) == server.hits(path_of(cyjose, "/moved")) == 0


def test_pyjwkclient_private_members_in_a_served_set(server: JWKSServer, clock: FakeClock) -> None:
    """`PyJWKClient`: private members in a served set"""
    private = {name: value for name, value in cyjose.algorithms.RSAAlgorithm.to_jwk(
        keys.private("RS256"), as_dict=True).items() if name != "key_ops"}
    for lib in LIBS:
        serve(server, lib, {"keys": [{**private, "kid": "a", "alg": "RS256", "use": "sig"}]})
    theirs = client_of(pyjwt, server, clock).get_signing_key("a").key
    ours = client_of(cyjose, server, clock).get_signing_key("a").key
    assert isinstance(theirs, rsa.RSAPrivateKey)  # a served private key: PyJWT could sign with it
    assert isinstance(ours, rsa.RSAPublicKey)
    assert ours.public_numbers() == theirs.public_key().public_numbers()


def test_pyjwkclient_requests_retries_timeout(server: JWKSServer, clock: FakeClock) -> None:
    """`PyJWKClient`: requests, retries, timeout"""
    agents = {}
    for lib in LIBS:
        serve(server, lib, key_set("a"))
        client_of(lib, server, clock).get_signing_key("a")
        agents[lib] = server.last_headers.get("User-Agent", "")
    assert agents[pyjwt].startswith("Python-urllib/") and agents[cyjose].startswith("cyjose/")
    assert server.last_headers.get("Accept") == "application/jwk-set+json, application/json"
    for lib in LIBS:  # an outage before any set: 503 twice within the cooldown
        serve(server, lib, Reply(status=503), case="/down")
        client = client_of(lib, server, clock, case="/down")
        for _ in range(2):
            with pytest.raises(lib.PyJWKClientConnectionError, match="HTTP Error 503"):
                client.get_jwk_set()
    # PyJWT: one request per call. cyjose: one attempt (retried 3 times inside its timeout), then fail fast.
    assert server.hits(path_of(pyjwt, "/down")) == 2
    assert server.hits(path_of(cyjose, "/down")) == 4


def test_pyjwkclient_cache_keys_and_max_cached_keys(server: JWKSServer, clock: FakeClock) -> None:
    """`PyJWKClient`: `cache_keys`, `max_cached_keys`"""
    for lib in LIBS:
        serve(server, lib, key_set("a", "b"))
        client = client_of(lib, server, clock, cache_keys=True, max_cached_keys=4)
        client.get_signing_key("a")
        serve(server, lib, key_set("b"))  # the endpoint withdraws "a"
        clock.advance(301)
        if lib is pyjwt:  # answered from its LRU, without looking at the (expired) set
            assert client.get_signing_key("a").key_id == "a"
            assert server.hits(path_of(lib)) == 1
        else:
            with pytest.raises(cyjose.PyJWKClientError, match='Unable to find a signing key that matches: "a"'):
                client.get_signing_key("a")
            assert client.get_signing_key("b").key_id == "b"
            assert server.hits(path_of(lib)) == 2


def test_pyjwkclient_get_signing_keys(server: JWKSServer, clock: FakeClock) -> None:
    """`PyJWKClient.get_signing_keys()`"""
    published = [signing_jwk("a"),
                 public_jwk("RS256", "other", kid="encrypt-only", key_ops=["encrypt"]),
                 public_jwk("ES256", kid="sign-only", key_ops=["sign"]),
                 x25519_jwk("agreement")]
    for lib in LIBS:
        serve(server, lib, {"keys": published})
    theirs, ours = client_of(pyjwt, server, clock), client_of(cyjose, server, clock)
    assert [key.key_id for key in theirs.get_signing_keys()] == ["a", "encrypt-only", "sign-only"]
    assert [key.key_id for key in ours.get_signing_keys()] == ["a"]
    # README says PyJWT would list an X25519 key too; PyJWT 2.15 cannot load one ("Unsupported
    # crv: X25519"), so its set skips it. cyjose loads it, and does not list it.
    assert [key.key_id for key in theirs.get_jwk_set().keys] == ["a", "encrypt-only", "sign-only"]
    assert [key.key_id for key in ours.get_jwk_set().keys] == ["a", "encrypt-only", "sign-only", "agreement"]


# --- 28-29: help and new names ----------------------------------------------------------------


def test_help_info() -> None:
    """`python -m cyjose.help` / `help.info()`"""
    theirs, ours = pyjwt_help.info(), cyjose_help.info()
    assert theirs["pyjwt"] == {"version": pyjwt.__version__} and "cyjose" not in theirs
    assert "pyjwt" not in ours
    section = ours["cyjose"]
    assert section["version"] == cyjose.__version__ and section["native"] is cyjose.NATIVE
    assert set(section["twins"]) == set(HOT_MODULES)
    assert set(section["twins"].values()) == ({"compiled"} if cyjose.NATIVE else {"python"})
    assert bool(section["libcrypto"]) == (section["twins"]["hmac"] == "compiled")
    assert ours["orjson"] == {"version": importlib.metadata.version("orjson")}
    for module, name in [("jwt.help", "pyjwt"), ("cyjose.help", "cyjose")]:
        printed = subprocess.run([sys.executable, "-m", module], capture_output=True, text=True, check=True).stdout
        assert name in json.loads(printed)


def test_new_names() -> None:
    """new names"""
    for name in ("Verifier", "Signer", "AsyncPyJWKClient", "UnknownKeyError", "RevokedTokenError", "NATIVE",
                 "Limits", "LimitExceededError"):
        assert name in cyjose.__all__ and not hasattr(pyjwt, name)
    assert cyjose.UnknownKeyError is cyjose.exceptions.UnknownKeyError
    assert "UnknownKeyError" in cyjose.exceptions.__all__ and not hasattr(pyjwt.exceptions, "UnknownKeyError")
    assert issubclass(cyjose.exceptions.UnknownKeyError, cyjose.InvalidTokenError)
    assert isinstance(cyjose.NATIVE, bool)
    for name in ("thumbprint", "to_dict", "usable_for", "key_operations"):
        assert hasattr(cyjose.PyJWK, name) and not hasattr(pyjwt.PyJWK, name)
    assert hasattr(cyjose.PyJWKSet, "get") and not hasattr(pyjwt.PyJWKSet, "get")
    jwk_set = cyjose.PyJWKSet([signing_jwk("a")])
    key = jwk_set.get("a")
    assert key is not None and jwk_set.get("missing") is None
    assert key.usable_for("verify") and not key.usable_for("encrypt")  # "use": "sig"
    assert key.key_operations is None
    assert cyjose.PyJWK({**signing_jwk("a"), "key_ops": ["verify"]}).key_operations == ["verify"]
    assert key.to_dict() == signing_jwk("a")
    assert isinstance(key.thumbprint(), str)


# --- README: "Verify tokens from an identity provider's JWKS URL" ------------------------------


def readme_recipe(jwks_url: str) -> Callable[[str], dict]:
    """README's code block, verbatim but for the URL (``jwks_url`` instead of Google's)."""
    google = cyjose.Verifier(
        cyjose.PyJWKClient(jwks_url),
        algorithms=["RS256"],
        audience="my-client-id.apps.googleusercontent.com",
        issuer=["https://accounts.google.com", "accounts.google.com"],
        options={"require": ["exp", "iat", "sub"]},
        cache_size=10_000,                   # optional: repeated tokens cost ~0.4 µs
    )

    def authenticate(authorization_header: str) -> dict:
        scheme, _, token = authorization_header.partition(" ")
        if scheme.lower() != "bearer":
            raise PermissionError("bearer token required")
        try:
            return google.verify(token)      # the key is chosen by the token's kid
        except cyjose.InvalidTokenError as exc:   # bad token: answer 401
            raise PermissionError(str(exc)) from exc
        # cyjose.PyJWKClientConnectionError (IdP unreachable and no usable key set): answer 503

    return authenticate


def google_like_token(kid: str = "google-1", variant: str = "", **claims: Any) -> str:
    base = {"iss": "https://accounts.google.com", "aud": "my-client-id.apps.googleusercontent.com",
            "sub": "110169484474386276334", "email": "someone@example.com", "iat": NOW - 10, "exp": NOW + 3590}
    payload = {name: value for name, value in {**base, **claims}.items() if value is not None}
    return cyjose.encode(payload, keys.private("RS256", variant), algorithm="RS256", headers={"kid": kid})


def test_readme_jwks_recipe(server: JWKSServer) -> None:
    """README's JWKS recipe (Google example) against a local endpoint: 401 cases, 503 case."""
    server.serve_json({"keys": [public_jwk("RS256", kid="google-1", use="sig")]})
    authenticate = readme_recipe(server.url())
    assert server.hits() == 0  # the set is fetched on the first token, not at construction
    token = google_like_token()
    for header in (f"Bearer {token}", f"bearer {token}"):
        assert authenticate(header) == cyjose.decode(token, keys.public("RS256"), algorithms=["RS256"],
                                                     audience="my-client-id.apps.googleusercontent.com")
    refused = {
        "expired": (f"Bearer {google_like_token(iat=PAST - 3600, exp=PAST)}", cyjose.ExpiredSignatureError),
        "wrong audience": (f"Bearer {google_like_token(aud='someone-else')}", cyjose.InvalidAudienceError),
        "unknown kid": (f"Bearer {google_like_token(kid='rotated-in', variant='other')}",
                        cyjose.exceptions.UnknownKeyError),
        "no sub": (f"Bearer {google_like_token(sub=None)}", cyjose.MissingRequiredClaimError),
        "not a token": ("Bearer not-a-token", cyjose.DecodeError),
    }
    for header, cause in refused.values():
        with pytest.raises(PermissionError) as info:
            authenticate(header)
        assert isinstance(info.value.__cause__, cause), header
    for header in ("Basic dXNlcjpwYXNzd29yZA==", token, ""):
        with pytest.raises(PermissionError, match=exact("bearer token required")):
            authenticate(header)
    assert server.hits() == 1  # one fetch served every request, the unknown kid included
    # The IdP answers 500 and no key set was ever fetched: the error escapes (the README's 503).
    server.reply(Reply(status=500, body=b"internal error"), path="/down")
    down = readme_recipe(server.url("/down"))
    with pytest.raises(cyjose.PyJWKClientConnectionError):
        down(f"Bearer {token}")
