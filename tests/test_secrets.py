"""Secrets hygiene (issue 7): keys and secrets never appear in reprs, messages, logs or CLI output.

Canaries: an HMAC secret, RSA / EC / Ed25519 private keys, a key-store master
key and a bearer token for a JWKS endpoint. Each canary is searched for in
every encoding it could leak in -- raw text, hex (both cases), base64 and
base64url at every byte alignment (so a secret inside a larger base64 blob is
found too), the lines of its PEM forms, the JWK members ``d``/``p``/``q``/...
and, for RSA, the decimal and hex digits of the private numbers -- as any run
of :data:`WINDOW` characters, so a truncated or partial leak counts. Runs that
also occur in the key's *public* forms (modulus, point, public PEM) are not
secret and are left out.

The last section checks that HMAC tags are compared in constant time by both
twins: not by timing (never in tests) but by making the constant-time
primitive itself decide, so a twin that compares with ``==`` or ``memcmp``
instead fails.
"""

from __future__ import annotations

import asyncio
import base64
import ctypes
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import traceback
import warnings
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Set, Tuple

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

import cyjose
from cyjose import PyJWK, PyJWKSet
from cyjose.exceptions import PyJWTError

#: Length of the runs searched for: long enough never to occur by chance, short enough to catch a partial leak.
WINDOW = 16

HMAC_SECRET = b"S3CRET-canary-hmac-" + bytes(range(0x41, 0x41 + 45))  # 64 bytes: long enough for HS512
BEARER = "S3CRET-canary-bearer-token-0123456789"
MASTER_KEY = b"S3CRET-canary-master-key-32bytes"


# ---------------------------------------------------------------- canaries and their forms


def _text_forms(data: bytes) -> Iterator[str]:
    """``data`` as raw text, hex and base64/base64url at each of the three byte alignments."""
    yield data.decode("latin-1")
    yield data.hex()
    yield data.hex().upper()
    for shift in range(3):
        padded = bytes(shift) + data
        for encoded in (base64.b64encode(padded), base64.urlsafe_b64encode(padded)):
            yield encoded.decode().rstrip("=")[4 if shift else 0:]  # drop what the padding bytes touched


def _int_forms(value: int) -> Iterator[str]:
    yield str(value)
    yield from _text_forms(value.to_bytes((value.bit_length() + 7) // 8, "big"))


def _pem_forms(pem: bytes) -> Iterator[str]:
    """The base64 lines of a PEM (or OpenSSH) block, and its DER body in every form."""
    lines = [line for line in pem.decode().splitlines() if line and not line.startswith("-----")]
    yield from lines
    yield from _text_forms(base64.b64decode("".join(lines)))


def _windows(forms: Iterable[str]) -> Set[str]:
    return {form[i:i + WINDOW] for form in forms for i in range(len(form) - WINDOW + 1)}


class Canary:
    """A secret and every run of WINDOW characters that would reveal it."""

    def __init__(self, name: str, secret: Iterable[str], public: Iterable[str] = ()) -> None:
        self.name = name
        self.windows = _windows(secret) - _windows(public)
        assert len(self.windows) > 100

    def found_in(self, text: str) -> bool:
        windows = self.windows
        return any(text[i:i + WINDOW] in windows for i in range(len(text) - WINDOW + 1))


def _private_pems(key: Any, formats: Iterable[Any]) -> Iterator[str]:
    for fmt in formats:
        yield from _pem_forms(key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()))


def _public_forms(key: Any) -> Iterator[str]:
    """What a private key's public half may legitimately show: its PEM and its public numbers."""
    public = key.public_key()
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    yield from _pem_forms(public.public_bytes(serialization.Encoding.PEM, spki))
    if isinstance(key, rsa.RSAPrivateKey):
        yield from _int_forms(public.public_numbers().n)
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        yield from _int_forms(public.public_numbers().x)
        yield from _int_forms(public.public_numbers().y)
    else:
        yield from _text_forms(public.public_bytes_raw())


PKCS8 = serialization.PrivateFormat.PKCS8
TRADITIONAL = serialization.PrivateFormat.TraditionalOpenSSL
OPENSSH = serialization.PrivateFormat.OpenSSH


def rsa_canary(key: rsa.RSAPrivateKey) -> Canary:
    n = key.private_numbers()
    secret = [form for value in (n.d, n.p, n.q, n.dmp1, n.dmq1, n.iqmp) for form in _int_forms(value)]
    secret += [format(value, "x") for value in (n.d, n.p, n.q)]
    return Canary("RSA private key", secret + list(_private_pems(key, (PKCS8, TRADITIONAL, OPENSSH))),
                  _public_forms(key))


def ec_canary(key: ec.EllipticCurvePrivateKey) -> Canary:
    d = key.private_numbers().private_value
    return Canary("EC private key", list(_int_forms(d)) + list(_private_pems(key, (PKCS8, TRADITIONAL, OPENSSH))),
                  _public_forms(key))


def okp_canary(key: ed25519.Ed25519PrivateKey) -> Canary:
    return Canary("Ed25519 private key", list(_text_forms(key.private_bytes_raw())) +
                  list(_private_pems(key, (PKCS8, OPENSSH))), _public_forms(key))


RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
OKP_KEY = ed25519.Ed25519PrivateKey.generate()

CANARIES = [
    Canary("HMAC secret", _text_forms(HMAC_SECRET)),
    Canary("bearer token", _text_forms(BEARER.encode())),
    Canary("master key", _text_forms(MASTER_KEY)),
    rsa_canary(RSA_KEY),
    ec_canary(EC_KEY),
    okp_canary(OKP_KEY),
]


def assert_clean(text: str, where: str, extra: Iterable[Canary] = ()) -> None:
    leaked = [canary.name for canary in (*CANARIES, *extra) if canary.found_in(text)]
    assert not leaked, f"{where} shows {leaked}: {text[:300]!r}"


def pem(key: Any, fmt: Any = PKCS8) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption())


def private_jwk(key: Any, alg: str, **members: Any) -> Dict[str, Any]:
    return {**cyjose.get_algorithm_by_name(alg).to_jwk(key, as_dict=True), "alg": alg, **members}


def oct_jwk(**members: Any) -> Dict[str, Any]:
    return {"kty": "oct", "alg": "HS256", "k": cyjose.utils.base64url_encode(HMAC_SECRET).decode(), **members}


def test_the_canaries_find_what_they_should() -> None:
    """The search itself works: each canary is found in its own leaked forms, not in public ones."""
    found = {canary.name: canary for canary in CANARIES}
    assert found["HMAC secret"].found_in(f"oops {HMAC_SECRET!r}")
    assert found["HMAC secret"].found_in(base64.b64encode(b"x" + HMAC_SECRET).decode())
    assert found["RSA private key"].found_in(pem(RSA_KEY).decode())
    assert found["RSA private key"].found_in(str(RSA_KEY.private_numbers().p))
    assert found["RSA private key"].found_in(json.dumps(private_jwk(RSA_KEY, "RS256")))
    assert found["EC private key"].found_in(private_jwk(EC_KEY, "ES256")["d"])
    assert found["Ed25519 private key"].found_in(pem(OKP_KEY, OPENSSH).decode())
    assert found["master key"].found_in(cyjose.utils.base64url_encode(MASTER_KEY).decode())
    public_jwks = json.dumps([private_jwk(key.public_key(), alg) for key, alg in
                              ((RSA_KEY, "RS256"), (EC_KEY, "ES256"), (OKP_KEY, "EdDSA"))])
    assert_clean(public_jwks, "public JWKs")


# ---------------------------------------------------------------- objects holding keys: repr() and str()


def key_holders() -> Iterator[Tuple[str, Any]]:
    """Every public object that holds a key, with a name."""
    jwks = {
        "RSA": PyJWK(private_jwk(RSA_KEY, "RS256", kid="r")),
        "EC": PyJWK(private_jwk(EC_KEY, "ES256", kid="e")),
        "OKP": PyJWK(private_jwk(OKP_KEY, "EdDSA", kid="o")),
        "oct": PyJWK(oct_jwk(kid="h")),
    }
    for kty, jwk in jwks.items():
        yield f"PyJWK {kty}", jwk
    yield "PyJWKSet", PyJWKSet([private_jwk(RSA_KEY, "RS256", kid="r"), oct_jwk(kid="h")])
    for alg, key in (("HS256", HMAC_SECRET), ("RS256", RSA_KEY), ("ES256", EC_KEY), ("EdDSA", OKP_KEY),
                     ("PS256", pem(RSA_KEY))):
        yield f"BoundKey {alg}", cyjose.get_algorithm_by_name(alg).bind_key(key)
        yield f"Signer {alg}", cyjose.Signer(key, algorithm=alg)
        yield f"Verifier {alg}", cyjose.Verifier(key, algorithms=[alg])
        yield f"JWSSigner {alg}", cyjose.jws.JWSSigner(key, alg)
    yield "Verifier JWK set", cyjose.Verifier({"keys": [oct_jwk(kid="h")]}, algorithms=["HS256"])
    yield "Signer PyJWK", cyjose.Signer(jwks["RSA"])
    yield "JWERecipient", cyjose.jwe.JWERecipient(HMAC_SECRET[:32], "A256KW")
    yield "JWERecipient RSA", cyjose.jwe.JWERecipient(RSA_KEY, "RSA-OAEP-256")
    yield "PyJWKClient", cyjose.PyJWKClient("https://127.0.0.1/jwks", headers={"Authorization": BEARER})


def open_store(tmp_path: Path) -> Any:
    """A key store sealed with the canary master key, with an active and a next key."""
    from cyjose.keys import KeyStore, MasterKey

    store = KeyStore.open(str(tmp_path / "keys.db"), MasterKey(MASTER_KEY), algorithm="ES256")
    store.rotate()
    return store


def store_objects(store: Any) -> Iterator[Tuple[str, Any]]:
    from cyjose.keys import KeyCipher, MasterKey

    yield "MasterKey", MasterKey(MASTER_KEY)
    yield "KeyCipher", KeyCipher(MasterKey(MASTER_KEY))
    yield "KeyStore", store
    yield "RotationResult", store.rotate(force=True)
    yield "StoreSigner", store.signer()
    yield "KeyInfo", store.keys()
    yield "KeyRecord", store.storage.keys()


def test_reprs_and_strs_show_no_secret() -> None:
    for name, holder in key_holders():
        assert_clean(repr(holder), f"repr({name})")
        assert_clean(str(holder), f"str({name})")


def test_key_store_objects_show_no_secret(tmp_path: Path) -> None:
    with open_store(tmp_path) as store:
        holders = list(store_objects(store))
        # The store's own private keys are canaries too (read through internals: the test must know them).
        sealed = [record for record in store.storage.keys() if record.private_key is not None]
        store_keys = [ec_canary(store._private_key(record)) for record in sealed]
    assert len(store_keys) >= 2  # active and next (a retired key no longer signs)
    for name, holder in holders:
        assert_clean(repr(holder) + str(holder), name, store_keys)


def test_hmac_key_twins_show_no_secret(hmac_twin: Any) -> None:
    key = hmac_twin.HmacKey(HMAC_SECRET, "sha256")
    assert_clean(repr(key) + str(key), f"{hmac_twin.__name__}.HmacKey")


# ---------------------------------------------------------------- exceptions and warnings for wrong keys and bad input

OTHER_SECRET = b"another-secret-of-enough-length-for-hs256!"


def _b64(data: bytes) -> str:
    return cyjose.utils.base64url_encode(data).decode()


def _broken_pem(key: Any) -> bytes:
    """A private PEM with its body cut short: cryptography cannot parse it."""
    lines = pem(key).splitlines()
    return b"\n".join(lines[:4] + lines[-1:]) + b"\n"


def _wrong_master_store(tmp_path: Path) -> Callable[[], Any]:
    from cyjose.keys import KeyStore, MasterKey

    KeyStore.open(str(tmp_path / "other.db"), MasterKey.generate()).close()
    return lambda: KeyStore.open(str(tmp_path / "other.db"), MasterKey(MASTER_KEY))


def failures(tmp_path: Path) -> Dict[str, Callable[[], Any]]:
    """Calls that must fail with a cyjose exception while holding a canary secret."""
    from cyjose.keys import MasterKey

    hs_token = cyjose.encode({"sub": "x"}, OTHER_SECRET, algorithm="HS256")
    rsa_jwk, ec_jwk, okp_jwk = (private_jwk(RSA_KEY, "RS256"), private_jwk(EC_KEY, "ES256"),
                                private_jwk(OKP_KEY, "EdDSA"))
    other_rsa = private_jwk(rsa.generate_private_key(public_exponent=65537, key_size=2048), "RS256")
    return {
        "wrong HMAC secret": lambda: cyjose.decode(hs_token, HMAC_SECRET, algorithms=["HS256"]),
        "wrong HMAC secret, Verifier": lambda: cyjose.Verifier(HMAC_SECRET, ["HS256"]).verify(hs_token),
        "short HMAC secret enforced": lambda: cyjose.decode(hs_token, HMAC_SECRET[:20], algorithms=["HS256"],
                                                            options={"enforce_minimum_key_length": True}),
        "garbage token": lambda: cyjose.decode("a.b.c", HMAC_SECRET, algorithms=["HS256"]),
        "secret as an RSA key": lambda: cyjose.Verifier(HMAC_SECRET, algorithms=["RS256"]),
        "secret as an EC signing key": lambda: cyjose.encode({}, HMAC_SECRET.decode(), algorithm="ES256"),
        "private PEM as HMAC secret": lambda: cyjose.encode({}, pem(RSA_KEY), algorithm="HS256"),
        "private OpenSSH key as HMAC secret": lambda: cyjose.Verifier(pem(OKP_KEY, OPENSSH), ["HS256"]),
        "private JWK text as HMAC secret": lambda: cyjose.encode({}, json.dumps(ec_jwk), algorithm="HS256"),
        "private key of the wrong type": lambda: cyjose.Signer(EC_KEY, algorithm="RS256"),
        "private key of the wrong curve": lambda: cyjose.Signer(pem(EC_KEY), algorithm="ES384"),
        "unparsable private PEM": lambda: cyjose.Signer(_broken_pem(RSA_KEY), algorithm="RS256"),
        "RSA JWK with another key's d": lambda: PyJWK({**rsa_jwk, "d": other_rsa["d"]}),
        "RSA JWK with a partial CRT": lambda: PyJWK({k: v for k, v in rsa_jwk.items() if k != "dq"}),
        "RSA JWK d without n": lambda: PyJWK({k: v for k, v in rsa_jwk.items() if k != "n"}),
        "EC JWK with d of the wrong size": lambda: PyJWK({**ec_jwk, "d": ec_jwk["d"] + "AAAA"}),
        "EC JWK with d not matching": lambda: PyJWK({**ec_jwk, "x": private_jwk(
            ec.generate_private_key(ec.SECP256R1()), "ES256")["x"]}),
        "EC JWK with bad base64": lambda: PyJWK({**ec_jwk, "d": ec_jwk["d"][:-2] + "!!"}),
        "OKP JWK with another x": lambda: PyJWK({**okp_jwk, "x": _b64(bytes(32))}),
        "oct JWK with bad base64": lambda: PyJWK(oct_jwk(k=HMAC_SECRET.decode() + "!")),
        "oct JWK with a number k": lambda: PyJWK(oct_jwk(k=int.from_bytes(HMAC_SECRET, "big"))),
        "oct JWK for RS256": lambda: PyJWK(oct_jwk(alg="RS256")),
        "RSA JWK for HS256": lambda: PyJWK({**rsa_jwk, "alg": "HS256"}),
        "RSA JWK as HMAC key": lambda: cyjose.algorithms.HMACAlgorithm.from_jwk(rsa_jwk),
        "JWK with unknown alg": lambda: PyJWK({**ec_jwk, "alg": "ES999"}),
        # Slipped members (more in test_private_jwks_with_slipped_members_show_no_secret).
        "secret bytes as kty": lambda: PyJWK({**oct_jwk(), "kty": HMAC_SECRET}),
        "EC d as alg, another requested": lambda: PyJWK({**ec_jwk, "alg": ec_jwk["d"]}, algorithm="ES256"),
        "oct k as use, then verifying": lambda: cyjose.Verifier(PyJWK(oct_jwk(use=oct_jwk()["k"]))),
        "JWK JSON that is not JSON": lambda: PyJWK.from_json(json.dumps(rsa_jwk)[:-1]),
        "JWK set JSON that is not JSON": lambda: PyJWKSet.from_json(json.dumps({"keys": [oct_jwk()]})[:-2]),
        "JWK set of bad keys": lambda: PyJWKSet([{**ec_jwk, "d": "AAAA"}, oct_jwk(k="!!")]),
        "PyJWK that may not sign": lambda: cyjose.encode({}, PyJWK(oct_jwk(use="enc"))),
        "PyJWK of another alg": lambda: cyjose.decode(hs_token, PyJWK(oct_jwk(alg="HS512"))),
        "JWE with the wrong key": lambda: cyjose.jwe.decrypt(
            cyjose.jwe.encrypt(b"x", OTHER_SECRET[:32], alg="A256KW", enc="A256GCM"), HMAC_SECRET[:32],
            algorithms=["A256KW"], encryptions=["A256GCM"]),
        "PBES2 with the wrong password": lambda: cyjose.jwe.decrypt(
            cyjose.jwe.encrypt(b"x", OTHER_SECRET, alg="PBES2-HS256+A128KW", enc="A128GCM"), HMAC_SECRET,
            algorithms=["PBES2-HS256+A128KW"], encryptions=["A128GCM"]),
        "JWE key of the wrong size": lambda: cyjose.jwe.encrypt(b"x", HMAC_SECRET, alg="A256KW", enc="A256GCM"),
        "JWE dir key of the wrong size": lambda: cyjose.jwe.encrypt(b"x", HMAC_SECRET, alg="dir", enc="A128GCM"),
        "JWE RSA private key for ECDH-ES": lambda: cyjose.jwe.encrypt(b"x", RSA_KEY, alg="ECDH-ES", enc="A128GCM"),
        "master key text that is not base64url": lambda: MasterKey.from_text(MASTER_KEY.decode() + "!"),
        "master key of the wrong size": lambda: MasterKey.from_text(_b64(MASTER_KEY + b"x")),
        "wrong master key": _wrong_master_store(tmp_path),
    }


def _outcome(action: Callable[[], Any]) -> Tuple[BaseException, List[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            action()
        except BaseException as exc:  # judged by the caller
            return exc, [str(w.message) for w in caught]
    raise AssertionError("did not fail")


def _shown(exc: BaseException) -> str:
    """Everything a log line or a crash report of ``exc`` would show (chained causes included)."""
    return repr(exc) + str(exc) + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))


def test_exceptions_and_warnings_show_no_secret(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    for name, action in failures(tmp_path).items():
        exc, warned = _outcome(action)
        assert isinstance(exc, PyJWTError), (name, exc)  # a typed error, never a raw one
        assert_clean(_shown(exc), name)
        assert_clean(" ".join(warned), f"warnings of {name}")
    assert_clean(caplog.text, "the log")


#: Where a slipped private value may land (``kid`` is public by definition and shown as such). Values
#: slipped into key members are tried on the quick key types only: each RSA private key costs ~50 ms.
_NAME_TARGETS = ("kty", "crv", "alg", "use", "key_ops", "x5t", "oth")
_MEMBER_TARGETS = ("n", "e", "x", "y", "d", "k", "x5c")
_SLIPS: Dict[str, Callable[[str], Any]] = {
    "as is": lambda value: value,
    "corrupted": lambda value: value[:-2] + "!!",
    "in a list": lambda value: [value],
    "in an object": lambda value: {"value": value},
    "as bytes": lambda value: value.encode(),
    "as a number": lambda value: int.from_bytes(value.encode(), "big"),
}
_LOADERS: Dict[str, Callable[[Dict[str, Any]], Any]] = {
    "PyJWK": PyJWK,
    "from_jwk": lambda jwk: cyjose.get_algorithm_by_name(
        {"RSA": "RS256", "EC": "ES256", "OKP": "EdDSA"}.get(str(jwk.get("kty")), "HS256")).from_jwk(jwk),
}


def _slipped_jwks() -> Iterator[Tuple[str, Dict[str, Any]]]:
    bases = [(private_jwk(RSA_KEY, "RS256"), ("d",), _NAME_TARGETS)]
    bases += [(jwk, (secret,), _NAME_TARGETS + _MEMBER_TARGETS) for jwk, secret in (
        (private_jwk(EC_KEY, "ES256"), "d"), (private_jwk(OKP_KEY, "EdDSA"), "d"), (oct_jwk(), "k"))]
    for base, members, targets in bases:
        for member in members:
            for target in targets:
                for slip, change in _SLIPS.items():
                    yield f"{base['kty']} {member} {slip} as {target}", {**base, target: change(base[member])}


def test_private_jwks_with_slipped_members_show_no_secret() -> None:
    """A private JWK whose members slipped (a private value where a name or another member belongs)."""
    failed = 0
    for name, jwk in _slipped_jwks():
        for loader_name, load in _LOADERS.items():
            try:
                load(jwk)
            except PyJWTError as exc:
                failed += 1
                assert_clean(_shown(exc), f"{loader_name}: {name}")
    assert failed > 250  # most slips are refused (a few only change a member nothing checks)


# ---------------------------------------------------------------- logs: JWKS client and endpoint


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_jwks_client_failures_log_no_credentials(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = cyjose.PyJWKClient(f"http://127.0.0.1:{_closed_port()}/jwks", headers={"Authorization": BEARER},
                                timeout=2)
    verifier = cyjose.Verifier(client, algorithms=["RS256"])
    token = cyjose.encode({"sub": "x"}, RSA_KEY, algorithm="RS256", headers={"kid": "k"})
    for call in (client.get_jwk_set, lambda: client.get_signing_key("k"), lambda: verifier.verify(token)):
        exc, _ = _outcome(call)
        assert isinstance(exc, cyjose.PyJWKClientConnectionError)
        assert_clean(_shown(exc), "JWKS client error")
    assert caplog.records, "the failed fetch is logged"
    assert_clean(caplog.text + repr(client.last_error), "JWKS client log")


def _serve_once(source: Any) -> int:
    """Answer one JWKS request from ``cyjose.jwks_endpoint.jwks_app(source)`` in process: the status."""
    from cyjose.jwks_endpoint import JWKS_PATH, jwks_app

    sent: List[Dict[str, Any]] = []

    async def receive() -> Dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": JWKS_PATH, "root_path": "", "headers": []}
    asyncio.run(jwks_app(source)(scope, receive, send))
    assert_clean(repr(sent), "JWKS endpoint response")
    return int(sent[0]["status"])


def test_jwks_endpoint_publishes_and_logs_no_private_member(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    good = {"keys": [private_jwk(RSA_KEY, "RS256", kid="r"), private_jwk(EC_KEY, "ES256", kid="e"), oct_jwk()]}
    assert _serve_once(lambda: good) == 200

    def failing() -> Any:
        raise RuntimeError(f"database said {HMAC_SECRET!r}")  # the operator's exception: not shown

    broken = {"keys": [{**private_jwk(EC_KEY, "ES256"), "x": _b64(bytes(32))}]}
    assert _serve_once(failing) == _serve_once(lambda: broken) == 500
    assert [record.name for record in caplog.records if record.name.startswith("cyjose")] == [
        "cyjose.jwks_endpoint"] * 2
    assert_clean(caplog.text, "JWKS endpoint log")


# ---------------------------------------------------------------- the command line


def _environ(**extra: str) -> Dict[str, str]:
    """This process's environment and import path, for a subprocess, with ``extra``."""
    path = os.pathsep.join(os.path.abspath(p) if p else os.getcwd() for p in sys.path)
    return {**os.environ, "PYTHONPATH": path, **extra}


def _cli(*args: str, env: Optional[Dict[str, str]] = None) -> str:
    """``python -m cyjose *args``: its stdout and stderr, after checking it failed on one line."""
    result = subprocess.run([sys.executable, "-m", "cyjose", *args], input=b"", capture_output=True,
                            env=_environ(**(env or {})), timeout=120)
    assert result.returncode == 1, (args, result.stdout, result.stderr)
    assert len(result.stderr.splitlines()) == 1, result.stderr
    return (result.stdout + result.stderr).decode("latin-1")


def test_cli_errors_show_no_secret(tmp_path: Path) -> None:
    from cyjose.keys import KeyStore, MasterKey

    files = {
        "secret": HMAC_SECRET, "rsa.pem": pem(RSA_KEY), "okp.pem": pem(OKP_KEY, OPENSSH),
        "ec.jwk": json.dumps(private_jwk(EC_KEY, "ES256")).encode(), "broken.pem": _broken_pem(RSA_KEY),
        "bad.jwk": json.dumps({**private_jwk(EC_KEY, "ES256"), "x": _b64(bytes(32))}).encode(),
        "claims.json": b'{"sub": "x"}',
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    path = {name: str(tmp_path / name) for name in files}
    KeyStore.open(str(tmp_path / "keys.db"), MasterKey.generate(), algorithm="EdDSA").close()
    token = cyjose.encode({"sub": "x"}, OTHER_SECRET, algorithm="HS256")
    runs = [
        ("sign", "--secret-file", path["secret"], "--alg", "ES256", path["claims.json"]),
        ("sign", "--key", path["rsa.pem"], "--alg", "HS256", path["claims.json"]),
        ("sign", "--key", path["okp.pem"], "--alg", "ES256", path["claims.json"]),
        ("sign", "--key", path["broken.pem"], "--alg", "RS256", path["claims.json"]),
        ("sign", "--key", path["bad.jwk"], "--alg", "ES256", path["claims.json"]),
        ("verify", "--key", path["ec.jwk"], "--alg", "HS256", token),
        ("verify", "--secret-file", path["secret"], "--alg", "HS256", token),
    ]
    for args in runs:
        assert_clean(_cli(*args), f"cyjose {' '.join(args[:2])}")
    rotate = ("keys", "rotate", "--store", str(tmp_path / "keys.db"))
    assert_clean(_cli(*rotate, env={"CYJOSE_MASTER_KEY": _b64(MASTER_KEY)}), "keys rotate, wrong master key")
    assert_clean(_cli(*rotate, env={"CYJOSE_MASTER_KEY": MASTER_KEY.decode() + "!"}), "keys rotate, bad master key")
    assert_clean(_cli("verify", "--secret-env", "S", "--alg", "HS256", token, env={"S": HMAC_SECRET.decode()}),
                 "verify --secret-env")


# ---------------------------------------------------------------- constant-time MAC comparison
#
# Timing is never measured in a test. Instead each twin's constant-time primitive is made to give a
# chosen verdict and the library must follow it everywhere a MAC is checked: HmacKey.verify,
# constant_time_equal, a Verifier's fast path, decode() and a JWE AES-CBC-HMAC tag. A twin that
# compared with ``==`` or ``memcmp`` would ignore the forced verdict and fail. Each runs in a
# subprocess so that forcing the primitive cannot disturb anything else.

_FORCED_RUN = """
import cyjose, cyjose.jwe
from cyjose.exceptions import InvalidSignatureError, JWEDecryptionError
from cyjose.utils import base64url_encode

assert cyjose._speedups.hmac.HmacKey.__module__ == {module!r}, cyjose._speedups.hmac.HmacKey.__module__
secret = b"constant-time-test-secret-32byte"
token = cyjose.encode({{"sub": "x"}}, secret, algorithm="HS256")
forged = token.rsplit(".", 1)[0] + "." + base64url_encode(bytes(32)).decode()
jwe = cyjose.jwe.encrypt(b"hello", secret, alg="dir", enc="A128CBC-HS256")
jwe_forged = jwe.rsplit(".", 1)[0] + "." + base64url_encode(bytes(16)).decode()
verifier = cyjose.Verifier(secret, algorithms=["HS256"])
key = cyjose._speedups.hmac.HmacKey(secret, "sha256")
mac = key.sign(b"m")

def accepts(token):
    try:
        verifier.verify(token)
        cyjose.decode(token, secret, algorithms=["HS256"])
    except InvalidSignatureError:
        return False
    return True

def decrypts(token):
    try:
        return cyjose.jwe.decrypt(token, secret, algorithms=["dir"], encryptions=["A128CBC-HS256"]) == b"hello"
    except JWEDecryptionError:
        return False

def checks():
    return (accepts(token), accepts(forged), decrypts(jwe), decrypts(jwe_forged),
            key.verify(b"m", mac), key.verify(b"m", bytes(32)), cyjose._speedups.hmac.constant_time_equal(mac, bytes(32)))

{force}
results = {{}}
for verdict in (None, True, False):
    force(verdict)
    results[verdict] = checks()
force(None)
print(results)
assert results[None] == (True, False, True, False, True, False, False), results
assert all(results[True]), results
assert not any(results[False]), results
"""

_FORCE_PYTHON = """
import hmac
_real = hmac.compare_digest

def force(verdict):
    hmac.compare_digest = _real if verdict is None else (lambda a, b: verdict)
"""

_FORCE_COMPILED = """
import ctypes
_shim = ctypes.CDLL({shim!r})
_mode = ctypes.c_int.in_dll(_shim, "cyjose_test_force")
_calls = ctypes.c_int.in_dll(_shim, "cyjose_test_calls")

def force(verdict):
    _mode.value = -1 if verdict is None else (0 if verdict else 1)
    assert _calls.value > 0 or verdict is None  # CRYPTO_memcmp is the one interposed
"""

#: A stand-in for OpenSSL's CRYPTO_memcmp, preloaded so the compiled twin calls it: it compares
#: correctly unless a verdict is forced (0: equal, 1: different) and counts its calls.
_SHIM_C = """
#include <stddef.h>
int cyjose_test_calls = 0;
int cyjose_test_force = -1;
int CRYPTO_memcmp(const void *a, const void *b, size_t len) {
    const unsigned char *x = a, *y = b;
    unsigned char diff = 0;
    size_t i;
    cyjose_test_calls++;
    for (i = 0; i < len; i++) diff |= x[i] ^ y[i];
    return cyjose_test_force >= 0 ? cyjose_test_force : diff != 0;
}
"""


def _run_forced(force: str, module: str, env: Dict[str, str]) -> None:
    script = _FORCED_RUN.format(module=module, force=textwrap.dedent(force))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, env=_environ(**env), timeout=120)
    assert result.returncode == 0, result.stderr.decode()


def test_python_twin_mac_checks_follow_compare_digest() -> None:
    """hmac.compare_digest decides every MAC check of the pure-Python twin (tested whatever twin is live here)."""
    _run_forced(_FORCE_PYTHON, "cyjose._speedups.hmac_py", {"CYJOSE_NO_EXTENSIONS": "1", "CYJOSE_REQUIRE_EXTENSIONS": ""})


def test_compiled_twin_mac_checks_follow_crypto_memcmp(tmp_path: Path, twin_pair: Any) -> None:
    """OpenSSL's CRYPTO_memcmp decides every MAC check of the compiled twin (interposed with LD_PRELOAD)."""
    twin_pair("hmac")  # the compiled twin: skipped or failed as conftest documents
    compiler = shutil.which("cc") or shutil.which("gcc")
    if not sys.platform.startswith("linux") or compiler is None:
        pytest.skip("interposing CRYPTO_memcmp needs Linux (LD_PRELOAD) and a C compiler")
    (tmp_path / "shim.c").write_text(_SHIM_C)
    shim = tmp_path / "shim.so"
    subprocess.run([compiler, "-shared", "-fPIC", "-o", str(shim), str(tmp_path / "shim.c")], check=True, timeout=120)
    ctypes.CDLL(str(shim))  # loadable here too, or the subprocess would fail for the wrong reason
    _run_forced(_FORCE_COMPILED.format(shim=str(shim)), "cyjose._speedups.hmac_c",
                {"LD_PRELOAD": _after_inherited_preloads(str(shim)), "CYJOSE_REQUIRE_EXTENSIONS": "1",
                 "CYJOSE_NO_EXTENSIONS": ""})


def _after_inherited_preloads(shim: str) -> str:
    """``shim`` behind what is preloaded already (tools/sanitize's ASan runtime must stay first)."""
    return ":".join(filter(None, [os.environ.get("LD_PRELOAD"), shim]))
