"""The fully-specified ``Ed25519`` and ``Ed448`` algorithm names (RFC 9864) next to ``EdDSA``.

An ``Ed25519`` token verifies only with an Ed25519 key, an ``Ed448`` token only
with an Ed448 key; ``EdDSA`` takes either. Interop: tokens made by hand with
``cryptography``, and by jwcrypto and joserfc, which know the same names.
"""

from __future__ import annotations

import base64
import functools
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed448, ed25519

import cyjose
from cyjose import InvalidAlgorithmError, InvalidKeyError, PyJWK, PyJWS, Signer, Verifier
from cyjose.algorithms import OKPAlgorithm

CURVES = {"Ed25519": ed25519.Ed25519PrivateKey, "Ed448": ed448.Ed448PrivateKey}
OTHER = {"Ed25519": "Ed448", "Ed448": "Ed25519"}
CLAIMS = {"sub": "alice", "aud": "svc"}


@functools.cache
def private_key(curve: str) -> Any:
    return CURVES[curve].generate()


def public_key(curve: str) -> Any:
    return private_key(curve).public_key()


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.mark.parametrize("name", ["Ed25519", "Ed448"])
def test_name_signs_and_verifies_with_its_curve(name: str) -> None:
    token = cyjose.encode(CLAIMS, private_key(name), algorithm=name)
    assert cyjose.get_unverified_header(token)["alg"] == name
    assert cyjose.decode(token, public_key(name), algorithms=[name], audience="svc") == CLAIMS
    assert Verifier(public_key(name), algorithms=[name], audience="svc").verify(token) == CLAIMS
    assert Signer(private_key(name), algorithm=name).sign(CLAIMS) == token  # EdDSA is deterministic
    assert PyJWS().decode(token, public_key(name), algorithms=[name]) == json.dumps(
        CLAIMS, separators=(",", ":")).encode()


@pytest.mark.parametrize("name", ["Ed25519", "Ed448"])
def test_name_refuses_the_other_curve(name: str) -> None:
    other = OTHER[name]
    with pytest.raises(InvalidKeyError):
        cyjose.encode(CLAIMS, private_key(other), algorithm=name)
    with pytest.raises(InvalidKeyError):
        Signer(private_key(other), algorithm=name)
    with pytest.raises(InvalidKeyError):
        Verifier(public_key(other), algorithms=[name])
    # a token that claims this name but was signed with the other curve's key
    header = b64u(json.dumps({"alg": name}).encode())
    payload = b64u(b"{}")
    signature = private_key(other).sign(f"{header}.{payload}".encode())
    with pytest.raises(InvalidKeyError):
        cyjose.decode(f"{header}.{payload}.{b64u(signature)}", public_key(other), algorithms=[name])
    with pytest.raises(InvalidKeyError):
        PyJWK({**OKPAlgorithm.to_jwk(public_key(other), as_dict=True), "alg": name})


@pytest.mark.parametrize("curve", ["Ed25519", "Ed448"])
def test_eddsa_takes_either_curve(curve: str) -> None:
    token = cyjose.encode(CLAIMS, private_key(curve), algorithm="EdDSA")
    assert cyjose.decode(token, public_key(curve), algorithms=["EdDSA"], audience="svc") == CLAIMS
    verifier = Verifier(public_key(curve), algorithms=["EdDSA", curve], audience="svc")
    assert verifier.verify(token) == CLAIMS
    assert verifier.verify(cyjose.encode(CLAIMS, private_key(curve), algorithm=curve)) == CLAIMS


def test_names_are_separate_entries_of_the_allow_list() -> None:
    token = cyjose.encode(CLAIMS, private_key("Ed25519"), algorithm="EdDSA")
    with pytest.raises(InvalidAlgorithmError):
        cyjose.decode(token, public_key("Ed25519"), algorithms=["Ed25519"], audience="svc")
    token = cyjose.encode(CLAIMS, private_key("Ed25519"), algorithm="Ed25519")
    with pytest.raises(InvalidAlgorithmError):
        cyjose.decode(token, public_key("Ed25519"), algorithms=["EdDSA"], audience="svc")
    only = PyJWS(algorithms=["Ed448"])
    assert only.get_algorithms() == ["Ed448"]
    with pytest.raises(InvalidAlgorithmError):
        only.decode(token, public_key("Ed25519"), algorithms=["Ed25519"])


def test_registry_entries() -> None:
    registry = cyjose.algorithms.get_default_algorithms()
    assert registry["Ed25519"].curve == "Ed25519" and registry["Ed448"].curve == "Ed448"  # type: ignore[attr-defined]
    assert registry["EdDSA"].curve is None  # type: ignore[attr-defined]
    assert {"Ed25519", "Ed448"} <= cyjose.algorithms.requires_cryptography
    with pytest.raises(ValueError):
        OKPAlgorithm(curve="X25519")


@pytest.mark.parametrize("name", ["Ed25519", "Ed448"])
def test_token_made_with_cryptography_verifies_and_back(name: str) -> None:
    header = b64u(json.dumps({"alg": name, "typ": "JWT"}).encode())
    payload = b64u(json.dumps(CLAIMS).encode())
    signature = private_key(name).sign(f"{header}.{payload}".encode())
    token = f"{header}.{payload}.{b64u(signature)}"
    assert cyjose.decode(token, public_key(name), algorithms=[name], audience="svc") == CLAIMS
    mine = cyjose.encode(CLAIMS, private_key(name), algorithm=name)
    head, body, sig = mine.split(".")
    public_key(name).verify(unb64u(sig), f"{head}.{body}".encode())  # raises if invalid


@pytest.mark.parametrize("name", ["Ed25519", "Ed448"])
def test_interop_with_jwcrypto(name: str) -> None:
    jwk_mod = pytest.importorskip("jwcrypto.jwk")
    jws_mod = pytest.importorskip("jwcrypto.jws")
    theirs = jws_mod.JWS(b"payload")
    theirs.add_signature(jwk_mod.JWK.from_pyca(private_key(name)), alg=name, protected={"alg": name})
    assert PyJWS().decode(theirs.serialize(compact=True), public_key(name), algorithms=[name]) == b"payload"
    check = jws_mod.JWS()
    check.deserialize(PyJWS().encode(b"back", private_key(name), algorithm=name))
    check.verify(jwk_mod.JWK.from_pyca(public_key(name)), alg=name)
    assert check.payload == b"back"


@pytest.mark.parametrize("name", ["Ed25519", "Ed448"])
def test_interop_with_joserfc(name: str) -> None:
    joserfc_jws = pytest.importorskip("joserfc.jws")
    joserfc_jwk = pytest.importorskip("joserfc.jwk")
    private = joserfc_jwk.OKPKey.import_key(OKPAlgorithm.to_jwk(private_key(name), as_dict=True))
    token = joserfc_jws.serialize_compact({"alg": name}, b"payload", private, algorithms=[name])
    assert PyJWS().decode(token, public_key(name), algorithms=[name]) == b"payload"
    public = joserfc_jwk.OKPKey.import_key(OKPAlgorithm.to_jwk(public_key(name), as_dict=True))
    mine = PyJWS().encode(b"back", private_key(name), algorithm=name)
    assert joserfc_jws.deserialize_compact(mine, public, algorithms=[name]).payload == b"back"
