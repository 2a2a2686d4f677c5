"""JWKs: ``algorithms.*.to_jwk/from_jwk``, :class:`cyjose.PyJWK`, :class:`cyjose.PyJWKSet`.

Expected JWK members are computed here straight from ``cryptography``'s key
numbers and ``base64`` (never by cyjose), thumbprints are checked against
jwcrypto's, and PyJWT 2.15 is the reference for the shared interface.
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import json
import warnings
from typing import Any, Callable, Dict, List, Tuple

import jwt as pyjwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa, x448, x25519
from cryptography.x509.oid import NameOID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cyjose
from cyjose import InvalidAlgorithmError, InvalidKeyError, PyJWK, PyJWKError, PyJWKSet, PyJWKSetError, PyJWTError
from cyjose.algorithms import ECAlgorithm, HMACAlgorithm, OKPAlgorithm, RSAAlgorithm


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_uint(value: int, size: int = 0) -> str:
    return b64u(value.to_bytes(size or (value.bit_length() + 7) // 8, "big"))


EC_CURVES = {"P-256": (ec.SECP256R1, 32), "P-384": (ec.SECP384R1, 48), "P-521": (ec.SECP521R1, 66),
             "secp256k1": (ec.SECP256K1, 32)}
OKP_CURVES = {"Ed25519": ed25519.Ed25519PrivateKey, "Ed448": ed448.Ed448PrivateKey,
              "X25519": x25519.X25519PrivateKey, "X448": x448.X448PrivateKey}
#: Every asymmetric key kind: (kty, crv or "") -> the cyjose algorithm class that converts it.
KINDS: Dict[Tuple[str, str], Any] = {
    ("RSA", ""): RSAAlgorithm,
    **{("EC", crv): ECAlgorithm for crv in EC_CURVES},
    **{("OKP", crv): OKPAlgorithm for crv in OKP_CURVES},
}


@functools.cache
def private_key(kty: str, crv: str = "", bits: int = 2048) -> Any:
    if kty == "RSA":
        return rsa.generate_private_key(public_exponent=65537, key_size=bits)
    if kty == "EC":
        return ec.generate_private_key(EC_CURVES[crv][0]())
    return OKP_CURVES[crv].generate()


def expected_members(key: Any) -> Dict[str, Any]:
    """The JWK members of ``key``, worked out from cryptography's own numbers."""
    if isinstance(key, rsa.RSAPrivateKey):
        n = key.private_numbers()
        return {"kty": "RSA", "n": b64u_uint(n.public_numbers.n), "e": b64u_uint(n.public_numbers.e),
                "d": b64u_uint(n.d), "p": b64u_uint(n.p), "q": b64u_uint(n.q), "dp": b64u_uint(n.dmp1),
                "dq": b64u_uint(n.dmq1), "qi": b64u_uint(n.iqmp)}
    if isinstance(key, rsa.RSAPublicKey):
        n = key.public_numbers()
        return {"kty": "RSA", "n": b64u_uint(n.n), "e": b64u_uint(n.e)}
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        crv = next(name for name, (cls, _) in EC_CURVES.items() if isinstance(key.curve, cls))
        size = EC_CURVES[crv][1]
        public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
        members = {"kty": "EC", "crv": crv, "x": b64u_uint(public.public_numbers().x, size),
                   "y": b64u_uint(public.public_numbers().y, size)}
        if isinstance(key, ec.EllipticCurvePrivateKey):
            members["d"] = b64u_uint(key.private_numbers().private_value, size)
        return members
    crv = next(name for name, cls in OKP_CURVES.items()
               if isinstance(key, (cls, type(cls.generate().public_key()))))
    if hasattr(key, "private_bytes_raw"):
        return {"kty": "OKP", "crv": crv, "x": b64u(key.public_key().public_bytes_raw()),
                "d": b64u(key.private_bytes_raw())}
    return {"kty": "OKP", "crv": crv, "x": b64u(key.public_bytes_raw())}


def pem(key: Any) -> bytes:
    if hasattr(key, "private_bytes"):
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def der(key: Any) -> bytes:
    if hasattr(key, "private_bytes"):
        return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                 serialization.NoEncryption())
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


KIND_IDS = [f"{kty}-{crv}" if crv else kty for kty, crv in KINDS]


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("private", [False, True], ids=["public", "private"])
@pytest.mark.parametrize("kind", list(KINDS), ids=KIND_IDS)
def test_key_to_jwk_to_key_round_trip(kind: Tuple[str, str], private: bool) -> None:
    algorithm = KINDS[kind]
    key = private_key(*kind) if private else private_key(*kind).public_key()
    jwk = algorithm.to_jwk(key, as_dict=True)
    assert {k: v for k, v in jwk.items() if k != "key_ops"} == expected_members(key)
    back = algorithm.from_jwk(jwk)
    assert der(back) == der(key)
    assert algorithm.to_jwk(back, as_dict=True) == jwk  # dict -> key -> dict
    assert json.loads(algorithm.to_jwk(key)) == jwk  # the JSON text form says the same


@pytest.mark.parametrize("private", [False, True], ids=["public", "private"])
@pytest.mark.parametrize("kind", list(KINDS), ids=KIND_IDS)
def test_pem_and_der_to_jwk(kind: Tuple[str, str], private: bool) -> None:
    algorithm = KINDS[kind]
    key = private_key(*kind) if private else private_key(*kind).public_key()
    expected = algorithm.to_jwk(key, as_dict=True)
    assert algorithm.to_jwk(pem(key), as_dict=True) == expected
    assert algorithm.to_jwk(pem(key).decode("ascii"), as_dict=True) == expected
    assert algorithm.to_jwk(der(key), as_dict=True) == expected
    # and back: JWK -> key -> PEM gives the original PEM
    assert pem(algorithm.from_jwk(expected)) == pem(key)


@pytest.mark.parametrize("private", [False, True], ids=["public", "private"])
@pytest.mark.parametrize("kind", list(KINDS), ids=KIND_IDS)
def test_pyjwk_round_trip_keeps_metadata(kind: Tuple[str, str], private: bool) -> None:
    key = private_key(*kind) if private else private_key(*kind).public_key()
    data = {**KINDS[kind].to_jwk(key, as_dict=True), "kid": "k-1", "x5t": b64u(bytes(20)), "ext": True}
    data.pop("key_ops", None)
    jwk = PyJWK(data)
    assert der(jwk.key) == der(key)
    assert (jwk.key_type, jwk.key_id) == (kind[0], "k-1")
    assert jwk.to_dict(private=True) == data
    public = jwk.to_dict()
    assert public == {k: v for k, v in data.items() if k not in ("d", "p", "q", "dp", "dq", "qi")}
    assert der(PyJWK(public).key) == der(key.public_key() if private else key)


def test_oct_round_trip_and_public_form() -> None:
    secret = bytes(range(48))
    jwk = HMACAlgorithm.to_jwk(secret, as_dict=True)
    assert jwk == {"k": b64u(secret), "kty": "oct"}
    assert HMACAlgorithm.from_jwk(jwk) == secret
    assert HMACAlgorithm.from_jwk(json.dumps(jwk)) == secret
    assert HMACAlgorithm.to_jwk("päss", as_dict=True)["k"] == b64u("päss".encode())
    pyjwk = PyJWK({**jwk, "kid": "s"})
    assert (pyjwk.key, pyjwk.algorithm_name) == (secret, "HS256")
    with pytest.raises(PyJWKError):
        pyjwk.to_dict()  # a secret has no public form: nothing is published by accident
    assert pyjwk.to_dict(private=True) == {**jwk, "kid": "s"}


def test_pyjwk_from_json_and_from_dict() -> None:
    data = OKPAlgorithm.to_jwk(private_key("OKP", "Ed25519").public_key(), as_dict=True)
    for jwk in (PyJWK.from_json(json.dumps(data)), PyJWK.from_dict(data), PyJWK.from_dict(data, "Ed25519")):
        assert der(jwk.key) == der(private_key("OKP", "Ed25519").public_key())
    assert PyJWK.from_dict(data, "Ed25519").algorithm_name == "Ed25519"
    with pytest.raises(InvalidKeyError):
        PyJWK.from_json("{not json")
    with pytest.raises(InvalidKeyError):
        PyJWK.from_json("[1, 2]")


# --------------------------------------------------------------------------- PyJWT parity


@pytest.mark.parametrize("private", [False, True], ids=["public", "private"])
@pytest.mark.parametrize("kind", [k for k in KINDS if k[1] not in ("X25519", "X448")],
                         ids=[i for i in KIND_IDS if not i.endswith(("X25519", "X448"))])
def test_to_jwk_text_matches_pyjwt(kind: Tuple[str, str], private: bool) -> None:
    key = private_key(*kind) if private else private_key(*kind).public_key()
    name = KINDS[kind].__name__
    assert KINDS[kind].to_jwk(key) == getattr(pyjwt.algorithms, name).to_jwk(key)
    reference = getattr(pyjwt.algorithms, name).from_jwk(KINDS[kind].to_jwk(key))
    assert der(KINDS[kind].from_jwk(getattr(pyjwt.algorithms, name).to_jwk(key))) == der(reference)


def test_hmac_to_jwk_matches_pyjwt() -> None:
    for secret in (b"\x00\x01secret", "text secret"):
        assert HMACAlgorithm.to_jwk(secret) == pyjwt.algorithms.HMACAlgorithm.to_jwk(secret)


def test_pyjwk_properties_match_pyjwt() -> None:
    data = {**RSAAlgorithm.to_jwk(private_key("RSA").public_key(), as_dict=True), "kid": "r", "use": "sig"}
    mine, theirs = PyJWK(data), pyjwt.PyJWK(data)
    for name in ("key_type", "key_id", "public_key_use", "algorithm_name"):
        assert getattr(mine, name) == getattr(theirs, name)
    assert type(mine.Algorithm).__name__ == type(theirs.Algorithm).__name__
    assert der(mine.key) == der(theirs.key)


def ec_jwk() -> Dict[str, Any]:
    return ECAlgorithm.to_jwk(private_key("EC", "P-256").public_key(), as_dict=True)


def ec_private_jwk() -> Dict[str, Any]:
    return ECAlgorithm.to_jwk(private_key("EC", "P-256"), as_dict=True)


def okp_private_jwk() -> Dict[str, Any]:
    return OKPAlgorithm.to_jwk(private_key("OKP", "Ed25519"), as_dict=True)


def rsa_jwk() -> Dict[str, Any]:
    return RSAAlgorithm.to_jwk(private_key("RSA").public_key(), as_dict=True)


def rsa_private_jwk() -> Dict[str, Any]:
    return RSAAlgorithm.to_jwk(private_key("RSA"), as_dict=True)


def without(jwk: Dict[str, Any], *names: str) -> Dict[str, Any]:
    return {k: v for k, v in jwk.items() if k not in names}


def off_curve_y() -> str:
    y = int.from_bytes(base64.urlsafe_b64decode(ec_jwk()["y"] + "=="), "big")
    return b64u_uint(y ^ 1, 32)  # the neighbour of a point's y is (almost surely) not on the curve


#: Bad JWKs PyJWT refuses with a typed exception: cyjose must raise the same class.
PARITY_CASES: Dict[str, Callable[[], Any]] = {
    "no kty": lambda: {"x": "AAAA"},
    "kty not a string": lambda: {"kty": 5},
    "unknown kty": lambda: {"kty": "XYZ"},
    "unknown EC crv": lambda: {**ec_jwk(), "crv": "P-999"},
    "EC point off the curve": lambda: {**ec_jwk(), "y": off_curve_y()},
    "EC coordinate too short": lambda: {**ec_jwk(), "x": b64u(bytes(31))},
    "EC coordinate too long": lambda: {**ec_jwk(), "x": b64u(bytes(33))},
    "EC missing y": lambda: without(ec_jwk(), "y"),
    "EC x a number": lambda: {**ec_jwk(), "x": 5},
    "EC d does not match": lambda: {**ec_private_jwk(), "d": b64u(bytes(31) + b"\x07")},
    "OKP missing crv": lambda: without(okp_private_jwk(), "crv"),
    "OKP unknown crv": lambda: {**okp_private_jwk(), "crv": "Ed999"},
    "OKP missing x": lambda: without(okp_private_jwk(), "x"),
    "OKP d does not match x": lambda: {**okp_private_jwk(), "d": b64u(b"\x01" * 32)},
    "oct empty k": lambda: {"kty": "oct", "k": ""},
    "RSA missing e": lambda: without(rsa_jwk(), "e"),
    "RSA n a number": lambda: {**rsa_jwk(), "n": 5},
    "RSA partial CRT members": lambda: without(rsa_private_jwk(), "dq"),
    "RSA other primes": lambda: {**rsa_private_jwk(), "oth": [{"r": "AQ", "d": "AQ", "t": "AQ"}]},
    "unknown alg": lambda: {**rsa_jwk(), "alg": "XX999"},
}


@pytest.mark.parametrize("case", list(PARITY_CASES))
def test_bad_jwk_raises_the_same_class_as_pyjwt(case: str) -> None:
    data = PARITY_CASES[case]()
    with pytest.raises(pyjwt.PyJWTError) as theirs:
        pyjwt.PyJWK(data)
    with pytest.raises(PyJWTError) as mine:
        PyJWK(data)
    assert type(mine.value).__name__ == type(theirs.value).__name__


#: Bad JWKs where PyJWT lets a raw Python exception out: cyjose raises a typed one.
RAW_IN_PYJWT: Dict[str, Tuple[Callable[[], Any], type]] = {
    "oct missing k": (lambda: {"kty": "oct"}, KeyError),
    "not a dict": (lambda: ["kty", "RSA"], AttributeError),
}


@pytest.mark.parametrize("case", list(RAW_IN_PYJWT))
def test_bad_jwk_pyjwt_leaks_raw_exception_cyjose_does_not(case: str) -> None:
    make, raw = RAW_IN_PYJWT[case]
    with pytest.raises(raw):
        pyjwt.PyJWK(make())
    with pytest.raises(InvalidKeyError):
        PyJWK(make())


def test_pyjwkset_errors_match_pyjwt() -> None:
    bad_sets = [[], None, "not a list", {"kty": "oct"}, [{"kty": "XYZ"}, 5, "x"]]
    for keys in bad_sets:
        with pytest.raises(pyjwt.PyJWKSetError) as theirs:
            pyjwt.PyJWKSet(keys)
        with pytest.raises(PyJWKSetError) as mine:
            PyJWKSet(keys)
        assert str(mine.value) == str(theirs.value)


# --------------------------------------------------------------------------- strict import


def b64_with(data: str, bad: str) -> str:
    return bad + data[len(bad):]


#: Malformed JWKs: every one is refused by PyJWK and by the algorithm's from_jwk, with a message
#: that names the problem.
STRICT_CASES: Dict[str, Tuple[Callable[[], Dict[str, Any]], Any, str]] = {
    "EC x not base64url": (
        lambda: {**ec_jwk(), "x": b64_with(ec_jwk()["x"], "+/")},
        ECAlgorithm, "not valid base64url"),
    "EC x with wrong padding": (
        lambda: {**ec_jwk(), "x": ec_jwk()["x"] + "=="},
        ECAlgorithm, "not valid base64url"),
    "EC x non-ASCII": (
        lambda: {**ec_jwk(), "x": "é" + ec_jwk()["x"][1:]},
        ECAlgorithm, "not valid base64url"),
    "EC x non-canonical bits": (
        lambda: {**ec_jwk(), "x": ec_jwk()["x"][:-1] + "B"},
        ECAlgorithm, "not valid base64url"),
    "EC y a list": (lambda: {**ec_jwk(), "y": [ec_jwk()["y"]]}, ECAlgorithm, '"y" must be a string'),
    "EC crv missing": (lambda: without(ec_jwk(), "crv"), ECAlgorithm, "Invalid curve: None"),
    "EC d too short": (
        lambda: {**ec_private_jwk(), "d": b64u(bytes(31))},
        ECAlgorithm, '"d" should be 32 bytes for curve P-256'),
    "EC d zero": (lambda: {**ec_private_jwk(), "d": b64u(bytes(32))}, ECAlgorithm, "Invalid EC private key"),
    "EC point at x=0,y=0": (
        lambda: {**ec_jwk(), "x": b64u(bytes(32)), "y": b64u(bytes(32))},
        ECAlgorithm, "not on curve P-256"),
    "EC P-521 coordinates of P-256 size": (
        lambda: {**ec_jwk(), "crv": "P-521"},
        ECAlgorithm, '"x" should be 66 bytes for curve P-521'),
    "OKP x too short": (
        lambda: {**okp_private_jwk(), "x": b64u(bytes(31))},
        OKPAlgorithm, '"x" should be 32 bytes for curve Ed25519'),
    "OKP Ed448 with an Ed25519 x": (
        lambda: without({**okp_private_jwk(), "crv": "Ed448"}, "d"),
        OKPAlgorithm, '"x" should be 57 bytes for curve Ed448'),
    "OKP d too long": (
        lambda: {**okp_private_jwk(), "d": b64u(bytes(33))},
        OKPAlgorithm, '"d" should be 32 bytes'),
    "OKP x a number": (lambda: {**okp_private_jwk(), "x": 1}, OKPAlgorithm, '"x" must be a string'),
    "oct k missing": (lambda: {"kty": "oct"}, HMACAlgorithm, 'should have "k"'),
    "oct k not base64url": (lambda: {"kty": "oct", "k": "a b"}, HMACAlgorithm, "not valid base64url"),
    "oct k a number": (lambda: {"kty": "oct", "k": 12345}, HMACAlgorithm, '"k" must be a string'),
    "RSA n missing": (lambda: without(rsa_jwk(), "n"), RSAAlgorithm, 'should have "n"'),
    "RSA even exponent": (
        lambda: {**rsa_jwk(), "e": b64u_uint(65536)},
        RSAAlgorithm, "do not form a valid key"),
    "RSA e = 1": (lambda: {**rsa_jwk(), "e": "AQ"}, RSAAlgorithm, "do not form a valid key"),
    "RSA CRT members without d": (lambda: without(rsa_private_jwk(), "d"), RSAAlgorithm, 'without "d"'),
    "RSA d that does not match": (lambda: without({**rsa_private_jwk(), "d": b64u_uint(12345)},
                                                  "p", "q", "dp", "dq", "qi"), RSAAlgorithm, 'do not form a valid key'),
    "RSA wrong p": (
        lambda: {**rsa_private_jwk(), "p": b64u_uint(7)},
        RSAAlgorithm, "do not form a valid key"),
    "RSA modulus over 8192 bits": (
        lambda: {**rsa_jwk(), "n": b64u_uint((1 << 8200) | 1)},
        RSAAlgorithm, "too long|above the maximum"),
    "RSA n longer than any modulus": (lambda: {**rsa_jwk(), "n": "A" * 100_000}, RSAAlgorithm, "too long"),
}


@pytest.mark.parametrize("case", list(STRICT_CASES))
def test_strict_import_refuses(case: str) -> None:
    make, algorithm, message = STRICT_CASES[case]
    with pytest.raises(InvalidKeyError, match=message) as raised:
        PyJWK(make())
    with pytest.raises(InvalidKeyError):
        algorithm.from_jwk(make())
    with pytest.raises(InvalidKeyError):
        algorithm.from_jwk(json.dumps(make()))
    for secret in ("d", "k", "p", "q"):  # no private member shows in the message
        value = make().get(secret)
        if isinstance(value, str) and len(value) > 8:
            assert value not in str(raised.value)


@pytest.mark.parametrize("bad_metadata", [
    {"kid": 5}, {"use": ["sig"]}, {"alg": 256}, {"key_ops": "verify"}, {"key_ops": ["verify", 1]},
    {"key_ops": ["verify", "verify"]}, {"x5c": "MIIB"}, {"x5c": []}, {"x5c": ["not base64!"]},
    {"x5c": ["AAAA"]}, {"x5t": 5}, {"x5t#S256": "@@"},
])
def test_common_members_are_type_checked(bad_metadata: Dict[str, Any]) -> None:
    with pytest.raises(InvalidKeyError):
        PyJWK({**ec_jwk(), **bad_metadata})


def test_wrong_kty_for_the_algorithm_class() -> None:
    with pytest.raises(InvalidKeyError, match="Not an RSA key"):
        RSAAlgorithm.from_jwk(ec_jwk())
    with pytest.raises(InvalidKeyError, match="Not an Elliptic curve key"):
        ECAlgorithm.from_jwk(rsa_jwk())
    with pytest.raises(InvalidKeyError, match="Not an Octet Key Pair"):
        OKPAlgorithm.from_jwk(ec_jwk())
    with pytest.raises(InvalidKeyError, match="Not an HMAC key"):
        HMACAlgorithm.from_jwk(ec_jwk())
    for bad in ("{", "[]", "null", 5, None, b"\xff\xfe"):
        with pytest.raises(InvalidKeyError, match="Key is not valid JSON"):
            ECAlgorithm.from_jwk(bad)  # type: ignore[arg-type]


def test_to_jwk_refuses_keys_of_another_family() -> None:
    with pytest.raises(InvalidKeyError):
        RSAAlgorithm.to_jwk(private_key("EC", "P-256"))
    with pytest.raises(InvalidKeyError):
        ECAlgorithm.to_jwk(private_key("OKP", "Ed25519"))
    with pytest.raises(InvalidKeyError):
        OKPAlgorithm.to_jwk(pem(private_key("RSA")))
    with pytest.raises(InvalidKeyError):
        HMACAlgorithm.to_jwk(private_key("RSA"))  # type: ignore[arg-type]
    with pytest.raises(InvalidKeyError):
        ECAlgorithm.to_jwk(b"\x30\x03garbage")
    with pytest.raises(InvalidKeyError):
        ECAlgorithm.to_jwk(12345)  # type: ignore[arg-type]


def test_rsa_minimum_size_is_configurable() -> None:
    small = RSAAlgorithm.to_jwk(private_key("RSA", bits=1024).public_key(), as_dict=True)
    with pytest.raises(InvalidKeyError, match="1024 bits long, below the minimum of 2048 bits"):
        PyJWK(small)
    with pytest.raises(InvalidKeyError, match="below the minimum"):
        RSAAlgorithm.from_jwk(small)
    with pytest.raises(PyJWKSetError):
        PyJWKSet([small])
    loaded = PyJWK(small, min_rsa_key_size=1024)
    assert loaded.key.key_size == 1024
    assert RSAAlgorithm.from_jwk(small, min_key_size=1024).key_size == 1024
    assert len(PyJWKSet.from_dict({"keys": [small]}, min_rsa_key_size=1024)) == 1
    with pytest.raises(InvalidKeyError):  # a 2048-bit key under a stricter minimum
        PyJWK(rsa_jwk(), min_rsa_key_size=3072)


def test_rsa_private_key_without_crt_members_is_recovered() -> None:
    full = rsa_private_jwk()
    key = RSAAlgorithm.from_jwk(without(full, "p", "q", "dp", "dq", "qi"))
    assert der(key) == der(private_key("RSA"))


def test_rsa_leading_zero_in_modulus_is_tolerated() -> None:
    data = rsa_jwk()
    n = base64.urlsafe_b64decode(data["n"] + "==")
    padded = {**data, "n": b64u(b"\x00" + n)}
    assert der(PyJWK(padded).key) == der(private_key("RSA").public_key())
    assert PyJWK(padded).thumbprint() == PyJWK(data).thumbprint()  # RFC 7638 §3.3: canonical form


def test_key_material_never_in_messages_or_repr() -> None:
    data = {**okp_private_jwk(), "kid": "kid-1"}
    jwk = PyJWK(data)
    assert data["d"] not in repr(jwk)
    for bad in ({**data, "x": b64u(bytes(32))}, {**data, "crv": "Ed999"}, {**data, "alg": "nope"}):
        with pytest.raises(PyJWTError) as raised:
            PyJWK(bad)
        assert data["d"] not in str(raised.value)
    rsa_data = rsa_private_jwk()
    with pytest.raises(PyJWTError) as raised:
        PyJWK({**rsa_data, "alg": "nope"})
    assert rsa_data["d"] not in str(raised.value) and rsa_data["p"] not in str(raised.value)


# --------------------------------------------------------------------------- algorithms, use and key_ops


def signed(alg: str, key: Any, claims: Dict[str, Any] | None = None) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cyjose.encode(claims or {"sub": "x"}, key, algorithm=alg)


def test_default_algorithm_by_kty_and_crv() -> None:
    expected = {("RSA", ""): "RS256", ("EC", "P-256"): "ES256", ("EC", "P-384"): "ES384",
                ("EC", "P-521"): "ES512", ("EC", "secp256k1"): "ES256K", ("OKP", "Ed25519"): "EdDSA",
                ("OKP", "Ed448"): "EdDSA", ("OKP", "X25519"): "ECDH-ES", ("OKP", "X448"): "ECDH-ES"}
    for kind, alg in expected.items():
        jwk = PyJWK(KINDS[kind].to_jwk(private_key(*kind).public_key(), as_dict=True))
        assert jwk.algorithm_name == alg
        assert (jwk.Algorithm is None) == (alg == "ECDH-ES")
    assert PyJWK({"kty": "oct", "k": b64u(bytes(32))}).algorithm_name == "HS256"


@pytest.mark.parametrize("kind", [k for k in KINDS if k[1] not in ("X25519", "X448")],
                         ids=[i for i in KIND_IDS if not i.endswith(("X25519", "X448"))])
def test_pyjwk_verifies_through_every_entry_point(kind: Tuple[str, str]) -> None:
    key = private_key(*kind)
    jwk = PyJWK(KINDS[kind].to_jwk(key.public_key(), as_dict=True))
    token = signed(jwk.algorithm_name, key, {"sub": "alice"})
    algorithms = [jwk.algorithm_name]
    assert cyjose.decode(token, jwk, algorithms=algorithms) == {"sub": "alice"}
    assert cyjose.PyJWS().decode(token, jwk, algorithms=algorithms) == b'{"sub":"alice"}'
    assert cyjose.Verifier(jwk, algorithms=algorithms).verify(token) == {"sub": "alice"}


def test_pyjwk_verifies_only_its_own_algorithm() -> None:
    key = private_key("RSA")
    jwk = PyJWK({**RSAAlgorithm.to_jwk(key.public_key(), as_dict=True), "alg": "PS256"})
    assert cyjose.decode(signed("PS256", key), jwk, algorithms=["PS256", "RS256"]) == {"sub": "x"}
    with pytest.raises(InvalidAlgorithmError, match="does not match the key's algorithm"):
        cyjose.decode(signed("RS256", key), jwk, algorithms=["PS256", "RS256"])
    with pytest.raises(InvalidAlgorithmError):
        cyjose.Verifier(jwk, algorithms=["PS256", "RS256"])  # the key cannot serve RS256


def test_algorithm_argument_must_agree_with_the_jwk_alg() -> None:
    data = {**rsa_jwk(), "alg": "RS256"}
    assert PyJWK(data, "RS256").algorithm_name == "RS256"
    with pytest.raises(InvalidKeyError, match="not for the requested PS256"):
        PyJWK(data, "PS256")


@pytest.mark.parametrize("alg, data", [
    ("ES384", ec_jwk), ("RS256", ec_jwk), ("HS256", ec_jwk), ("EdDSA", rsa_jwk),
    ("Ed448", okp_private_jwk), ("none", lambda: {"kty": "oct", "k": b64u(bytes(32))}),
])
def test_key_must_suit_its_algorithm(alg: str, data: Callable[[], Dict[str, Any]]) -> None:
    with pytest.raises(InvalidKeyError):
        PyJWK({**data(), "alg": alg})


@pytest.mark.parametrize("metadata, verifies", [
    ({}, True),
    ({"use": "sig"}, True),
    ({"use": "enc"}, False),
    ({"use": "something-else"}, False),
    ({"key_ops": ["verify"]}, True),
    ({"key_ops": ["sign", "verify"]}, True),
    ({"key_ops": ["sign"]}, False),
    ({"key_ops": ["encrypt"]}, False),
    ({"key_ops": []}, False),
    ({"use": "sig", "key_ops": ["encrypt"]}, False),
])
def test_use_and_key_ops_decide_verification(metadata: Dict[str, Any], verifies: bool) -> None:
    key = private_key("EC", "P-256")
    jwk = PyJWK({**ec_jwk(), **metadata})
    token = signed("ES256", key)
    assert jwk.usable_for("verify") is verifies
    if verifies:
        assert cyjose.decode(token, jwk, algorithms=["ES256"]) == {"sub": "x"}
        assert cyjose.Verifier(jwk, algorithms=["ES256"]).verify(token) == {"sub": "x"}
        return
    with pytest.raises(InvalidKeyError):
        cyjose.decode(token, jwk, algorithms=["ES256"])
    with pytest.raises(InvalidKeyError):
        cyjose.PyJWS().decode(token, jwk, algorithms=["ES256"])
    with pytest.raises(InvalidKeyError):
        cyjose.Verifier(jwk, algorithms=["ES256"])
    assert jwk.key is not None  # the key itself still loads (an enc key has other uses)


def test_usable_for_other_operations() -> None:
    enc = PyJWK({**ec_jwk(), "use": "enc"})
    assert enc.usable_for("encrypt") and enc.usable_for("deriveKey")
    assert not enc.usable_for("sign")
    sig = PyJWK({**ec_jwk(), "use": "sig"})
    assert sig.usable_for("sign") and not sig.usable_for("wrapKey")
    assert PyJWK({**ec_jwk(), "key_ops": ["verify"]}).key_operations == ["verify"]
    with pytest.raises(ValueError):
        sig.usable_for("fly")


@pytest.mark.parametrize("data, alg", [
    (lambda: OKPAlgorithm.to_jwk(private_key("OKP", "X25519").public_key(), as_dict=True), "ECDH-ES"),
    (lambda: {**OKPAlgorithm.to_jwk(private_key("OKP", "X448").public_key(), as_dict=True),
              "alg": "ECDH-ES+A256KW"}, "ECDH-ES+A256KW"),
    (lambda: {**rsa_jwk(), "alg": "RSA-OAEP-256", "use": "enc"}, "RSA-OAEP-256"),
    (lambda: {"kty": "oct", "k": b64u(bytes(16)), "alg": "A128KW"}, "A128KW"),
    (lambda: {**ec_jwk(), "alg": "ECDH-ES"}, "ECDH-ES"),
])
def test_jwe_keys_load_but_never_verify(data: Callable[[], Dict[str, Any]], alg: str) -> None:
    jwk = PyJWK(data())
    assert (jwk.algorithm_name, jwk.Algorithm) == (alg, None)
    assert not jwk.usable_for("verify") and not jwk.usable_for("sign")
    with pytest.raises(InvalidAlgorithmError):
        cyjose.decode(signed("ES256", private_key("EC", "P-256")), jwk, algorithms=["ES256"])
    # a token claiming the key's own (JWE) algorithm gets as far as the key, which refuses
    header = b64u(json.dumps({"alg": alg}).encode())
    token = f"{header}.{b64u(b'{}')}.{b64u(bytes(64))}"
    with pytest.raises(InvalidKeyError, match="not for signatures"):
        cyjose.decode(token, jwk, algorithms=[alg])


def test_jwe_algorithm_needs_a_matching_key_type() -> None:
    with pytest.raises(InvalidKeyError):
        PyJWK({**ec_jwk(), "alg": "A128KW"})
    with pytest.raises(InvalidKeyError):
        PyJWK({**rsa_jwk(), "alg": "ECDH-ES"})


# --------------------------------------------------------------------------- thumbprints


@pytest.mark.parametrize("private", [False, True], ids=["public", "private"])
@pytest.mark.parametrize("kind", list(KINDS), ids=KIND_IDS)
def test_thumbprint_matches_jwcrypto(kind: Tuple[str, str], private: bool) -> None:
    jwcrypto_jwk = pytest.importorskip("jwcrypto.jwk")
    key = private_key(*kind) if private else private_key(*kind).public_key()
    reference = jwcrypto_jwk.JWK(**expected_members(key))  # members checked against cryptography above
    jwk = PyJWK(KINDS[kind].to_jwk(key, as_dict=True))
    assert jwk.thumbprint() == reference.thumbprint()
    for name, digest in (("sha384", hashes.SHA384()), ("sha512", hashes.SHA512())):
        assert jwk.thumbprint(name) == reference.thumbprint(digest)


def test_thumbprint_of_a_secret_matches_jwcrypto() -> None:
    jwcrypto_jwk = pytest.importorskip("jwcrypto.jwk")
    secret = bytes(range(32))
    reference = jwcrypto_jwk.JWK(kty="oct", k=b64u(secret))
    assert PyJWK({"kty": "oct", "k": b64u(secret), "kid": "ignored"}).thumbprint() == reference.thumbprint()


def test_thumbprint_ignores_optional_members_and_rejects_unknown_hashes() -> None:
    plain = PyJWK(ec_jwk())
    decorated = PyJWK({**ec_private_jwk(), "kid": "k", "use": "sig", "alg": "ES256"})
    assert plain.thumbprint() == decorated.thumbprint()
    with pytest.raises(ValueError):
        plain.thumbprint("md5")


# --------------------------------------------------------------------------- x5c / x5t


def self_signed(key: Any) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cyjose test")])
    now = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))


def test_x5c_and_x5t_are_checked_and_carried() -> None:
    key = private_key("EC", "P-256")
    cert_der = self_signed(key).public_bytes(serialization.Encoding.DER)
    x5c = [base64.b64encode(cert_der).decode("ascii")]
    data = {**ec_jwk(), "x5c": x5c, "x5t": b64u(hashlib.sha1(cert_der).digest()),
            "x5t#S256": b64u(hashlib.sha256(cert_der).digest())}
    jwk = PyJWK(data)
    assert jwk.to_dict()["x5c"] == x5c and jwk.to_dict()["x5t"] == data["x5t"]
    other_cert = self_signed(private_key("EC", "P-384")).public_bytes(serialization.Encoding.DER)
    with pytest.raises(InvalidKeyError, match="does not hold this JWK's key"):
        PyJWK({**data, "x5c": [base64.b64encode(other_cert).decode("ascii")]})
    with pytest.raises(InvalidKeyError, match='"x5t" is not the thumbprint'):
        PyJWK({**data, "x5t": b64u(bytes(20))})
    with pytest.raises(InvalidKeyError, match='"x5t#S256" is not the thumbprint'):
        PyJWK({**data, "x5t#S256": b64u(bytes(32))})
    with pytest.raises(InvalidKeyError):  # x5c is standard base64, not base64url
        PyJWK({**data, "x5c": [x5c[0].replace("+", "-").replace("/", "_") + "-_"]})


# --------------------------------------------------------------------------- key sets


def key_set() -> List[Dict[str, Any]]:
    return [
        {**rsa_jwk(), "kid": "rsa", "use": "sig"},
        {**ec_jwk(), "kid": "ec-enc", "use": "enc"},
        {**OKPAlgorithm.to_jwk(private_key("OKP", "Ed448").public_key(), as_dict=True), "kid": "ed448"},
        {**ec_jwk(), "kid": "bad", "x": b64u(bytes(32))},  # off the curve: skipped
        {"kty": "XYZ", "kid": "unknown"},  # skipped
        {**ec_jwk(), "kid": "rsa", "alg": "ES256"},  # duplicate kid: the first one wins
        "not an object",
    ]


def test_pyjwkset_keeps_usable_keys_in_order() -> None:
    jwks = PyJWKSet(key_set())  # type: ignore[arg-type]
    assert [key.key_id for key in jwks] == ["rsa", "ec-enc", "ed448", "rsa"]
    assert len(jwks) == 4 and [k.key_id for k in jwks.keys] == ["rsa", "ec-enc", "ed448", "rsa"]
    assert jwks["rsa"].key_type == "RSA"
    assert jwks.get("ed448").algorithm_name == "EdDSA"  # type: ignore[union-attr]
    assert jwks.get("missing") is None
    with pytest.raises(KeyError, match="keyset has no key for kid: missing"):
        jwks["missing"]
    assert not jwks["ec-enc"].usable_for("verify")
    assert repr(jwks) == "<PyJWKSet 4 keys>"


def test_pyjwkset_parses_like_pyjwt() -> None:
    data = {"keys": [k for k in key_set() if isinstance(k, dict) and k.get("kid") not in ("ed448",)]}
    mine, theirs = PyJWKSet.from_dict(data), pyjwt.PyJWKSet.from_dict(data)
    assert [k.key_id for k in mine] == [k.key_id for k in theirs]
    assert [k.key_id for k in PyJWKSet.from_json(json.dumps(data))] == [k.key_id for k in theirs]


@pytest.mark.parametrize("bad", ["{", "[]", "5", '"keys"', b"\xff", None])
def test_pyjwkset_from_json_refuses_garbage(bad: Any) -> None:
    with pytest.raises(PyJWKSetError):
        PyJWKSet.from_json(bad)


def test_pyjwkset_from_dict_refuses_non_dicts() -> None:
    for bad in ([], "keys", None):
        with pytest.raises(PyJWKSetError):
            PyJWKSet.from_dict(bad)  # type: ignore[arg-type]
    with pytest.raises(PyJWKSetError, match="did not contain any keys"):
        PyJWKSet.from_dict({"keys": []})
    with pytest.raises(PyJWKSetError, match="did not contain any usable keys"):
        PyJWKSet.from_dict({"keys": [{"kty": "oct"}, {**rsa_jwk(), "alg": "nope"}]})


def test_pyjwkset_key_verifies_a_token_picked_by_kid() -> None:
    key = private_key("OKP", "Ed448")
    jwks = PyJWKSet(key_set())  # type: ignore[arg-type]
    token = cyjose.encode({"sub": "x"}, key, algorithm="EdDSA", headers={"kid": "ed448"})
    kid = cyjose.get_unverified_header(token)["kid"]
    assert cyjose.decode(token, jwks[kid], algorithms=["EdDSA"]) == {"sub": "x"}


def test_set_with_timestamp() -> None:
    from cyjose.api_jwk import PyJWTSetWithTimestamp

    jwks = PyJWKSet(key_set())  # type: ignore[arg-type]
    wrapped = PyJWTSetWithTimestamp(jwks)
    assert wrapped.get_jwk_set() is jwks
    assert isinstance(wrapped.get_timestamp(), float)


# --------------------------------------------------------------------------- hostile input

MEMBER_NAMES = ["kty", "crv", "x", "y", "d", "n", "e", "p", "q", "dp", "dq", "qi", "oth", "k", "alg", "pub",
                "priv", "kid", "use", "key_ops", "x5c", "x5t", "x5t#S256"]
MEMBER_VALUES = st.one_of(
    st.sampled_from(["RSA", "EC", "OKP", "oct", "AKP", "P-256", "P-521", "secp256k1", "Ed25519", "Ed448",
                     "X25519", "X448", "ES256", "RS256", "EdDSA", "Ed448", "ML-DSA-44", "ECDH-ES", "A128KW",
                     "sig", "enc", "AQAB", "", "AA", "A", "=", "AAAA=="]),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", max_size=90),
    st.text(max_size=12), st.integers(), st.none(), st.booleans(), st.floats(allow_nan=True),
    st.lists(st.one_of(st.text(max_size=8), st.integers()), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(members=st.dictionaries(st.sampled_from(MEMBER_NAMES), MEMBER_VALUES, max_size=10),
       algorithm=st.one_of(st.none(), st.sampled_from(["ES256", "RS256", "HS256", "EdDSA", "Ed448", "x"])))
def test_arbitrary_members_only_raise_cyjose_errors(members: Dict[str, Any], algorithm: Any) -> None:
    try:
        jwk = PyJWK(members, algorithm)
    except PyJWTError:
        return
    jwk.thumbprint()
    repr(jwk)
    if jwk.key_type != "oct":
        jwk.to_dict()


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=60), st.binary(max_size=60),
                 st.recursive(st.none() | st.integers() | st.text(max_size=5),
                              lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                                          max_size=3),
                              max_leaves=8).map(json.dumps)))
def test_arbitrary_json_only_raises_cyjose_errors(data: Any) -> None:
    for load in (PyJWKSet.from_json, PyJWK.from_json, ECAlgorithm.from_jwk, RSAAlgorithm.from_jwk,
                 OKPAlgorithm.from_jwk, HMACAlgorithm.from_jwk):
        try:
            load(data)
        except PyJWTError:
            pass


def test_deeply_nested_json_is_refused_cleanly() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(PyJWKSetError):
        PyJWKSet.from_json(deep)
    with pytest.raises(InvalidKeyError):
        PyJWK.from_json('{"kty": ' + deep + "}")


VALID_JWKS: List[Callable[[], Dict[str, Any]]] = [rsa_private_jwk, rsa_jwk, ec_private_jwk, ec_jwk, okp_private_jwk,
                                                  lambda: {"kty": "oct", "k": b64u(bytes(32))}]


@settings(max_examples=400, deadline=None)
@given(base=st.sampled_from(VALID_JWKS), name=st.sampled_from(MEMBER_NAMES),
       value=st.one_of(MEMBER_VALUES, st.binary(min_size=0, max_size=70).map(b64u)))
def test_one_bad_member_in_a_valid_jwk_only_raises_cyjose_errors(
    base: Callable[[], Dict[str, Any]], name: str, value: Any
) -> None:
    try:
        PyJWK({**base(), name: value}).thumbprint()
    except PyJWTError:
        pass
