"""Conformance against published JOSE vectors in ``../shared/vectors``.

RFC 7515 Appendix A (A.1-A.5), the RFC 7520 section 4 JWS cookbook, the
RFC 7797 (``b64: false``) examples and the RFC 8037 Ed25519 example. JWKs are
turned into ``cryptography`` keys here, from their numbers (cyjose has no JWK
import yet). Everything skips when the vectors folder is absent.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any, Dict

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

import cyjose
from cyjose import (
    DecodeError,
    ExpiredSignatureError,
    InvalidAlgorithmError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidTokenError,
    PyJWS,
    Signer,
    Verifier,
)

CURVES = {"P-256": ec.SECP256R1, "P-384": ec.SECP384R1, "P-521": ec.SECP521R1}


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _int(value: str) -> int:
    return int.from_bytes(b64u_decode(value), "big")


def jwk_public(jwk: Dict[str, Any]) -> Any:
    """A JWK's verification key: bytes (oct) or a ``cryptography`` public key."""
    kty = jwk["kty"]
    if kty == "oct":
        return b64u_decode(jwk["k"])
    if kty == "RSA":
        return rsa.RSAPublicNumbers(_int(jwk["e"]), _int(jwk["n"])).public_key()
    if kty == "EC":
        return ec.EllipticCurvePublicNumbers(_int(jwk["x"]), _int(jwk["y"]), CURVES[jwk["crv"]]()).public_key()
    if kty == "OKP" and jwk["crv"] == "Ed25519":
        return ed25519.Ed25519PublicKey.from_public_bytes(b64u_decode(jwk["x"]))
    raise AssertionError(f"unsupported JWK {kty}")


def jwk_private(jwk: Dict[str, Any]) -> Any:
    """A JWK's signing key: bytes (oct) or a ``cryptography`` private key."""
    kty = jwk["kty"]
    if kty == "oct":
        return b64u_decode(jwk["k"])
    if kty == "RSA":
        public = rsa.RSAPublicNumbers(_int(jwk["e"]), _int(jwk["n"]))
        return rsa.RSAPrivateNumbers(
            p=_int(jwk["p"]),
            q=_int(jwk["q"]),
            d=_int(jwk["d"]),
            dmp1=_int(jwk["dp"]),
            dmq1=_int(jwk["dq"]),
            iqmp=_int(jwk["qi"]),
            public_numbers=public,
        ).private_key()
    if kty == "EC":
        public = ec.EllipticCurvePublicNumbers(_int(jwk["x"]), _int(jwk["y"]), CURVES[jwk["crv"]]())
        return ec.EllipticCurvePrivateNumbers(_int(jwk["d"]), public).private_key()
    if kty == "OKP" and jwk["crv"] == "Ed25519":
        return ed25519.Ed25519PrivateKey.from_private_bytes(b64u_decode(jwk["d"]))
    raise AssertionError(f"unsupported JWK {kty}")


def flip_signature(token: str) -> str:
    head, signature = token.rsplit(".", 1)
    raw = bytearray(b64u_decode(signature))
    raw[len(raw) // 3] ^= 0x80
    return f"{head}.{b64u(bytes(raw))}"


# --------------------------------------------------------------------------- RFC 7515 Appendix A

RFC7515 = {"A.1": "HS256", "A.2": "RS256", "A.3": "ES256", "A.4": "ES512"}
RFC7515_CLAIMS = {"iss": "joe", "exp": 1300819380, "http://example.com/is_root": True}
# The exact bytes signed in A.1-A.3 (CRLF and spaces included).
RFC7515_PAYLOAD = b'{"iss":"joe",\r\n "exp":1300819380,\r\n "http://example.com/is_root":true}'


def _rfc7515(vectors_dir: Path, name: str) -> tuple:
    token = (vectors_dir / "rfc" / f"rfc7515_{name}.jwsc").read_text().strip()
    jwk = json.loads((vectors_dir / "rfc" / f"rfc7515_{name}.jwk").read_text())
    return token, jwk


@pytest.mark.parametrize("name", RFC7515)
def test_rfc7515_example_verifies(vectors_dir: Path, name: str) -> None:
    token, jwk = _rfc7515(vectors_dir, name)
    alg = RFC7515[name]
    key = jwk_public(jwk)
    complete = PyJWS().decode_complete(token, key, algorithms=[alg])
    assert complete["header"]["alg"] == alg
    if name == "A.4":
        assert complete["payload"] == b"Payload"
        with pytest.raises(DecodeError):  # a JWS, but not a JWT: the payload is no claim set
            cyjose.decode(token, key, algorithms=[alg])
        return
    assert complete["payload"] == RFC7515_PAYLOAD
    assert cyjose.decode(token, key, algorithms=[alg], options={"verify_exp": False}) == RFC7515_CLAIMS
    verifier = Verifier(key, algorithms=[alg], issuer="joe", options={"verify_exp": False})
    assert verifier.verify(token) == RFC7515_CLAIMS


@pytest.mark.parametrize("name", ["A.1", "A.2", "A.3"])
def test_rfc7515_example_has_expired(vectors_dir: Path, name: str) -> None:
    token, jwk = _rfc7515(vectors_dir, name)
    alg = RFC7515[name]
    with pytest.raises(ExpiredSignatureError):
        cyjose.decode(token, jwk_public(jwk), algorithms=[alg])
    with pytest.raises(ExpiredSignatureError):
        Verifier(jwk_public(jwk), algorithms=[alg]).verify(token)


@pytest.mark.parametrize("name", RFC7515)
def test_rfc7515_example_refused_when_altered_or_not_allowed(vectors_dir: Path, name: str) -> None:
    token, jwk = _rfc7515(vectors_dir, name)
    alg = RFC7515[name]
    key = jwk_public(jwk)
    with pytest.raises(InvalidSignatureError):
        PyJWS().decode(flip_signature(token), key, algorithms=[alg])
    other = {"HS256": "HS512", "RS256": "PS256", "ES256": "ES384", "ES512": "ES256"}[alg]
    with pytest.raises(InvalidAlgorithmError):
        PyJWS().decode(token, key, algorithms=[other])


@pytest.mark.parametrize("name", RFC7515)
def test_rfc7515_example_private_jwk_also_verifies(vectors_dir: Path, name: str) -> None:
    token, jwk = _rfc7515(vectors_dir, name)
    assert PyJWS().decode(token, jwk_private(jwk), algorithms=[RFC7515[name]])


@pytest.mark.parametrize("name", ["A.1", "A.2"])
def test_rfc7515_deterministic_signature_is_reproduced(vectors_dir: Path, name: str) -> None:
    """HS256 and RS256 are deterministic: cyjose signing the same input gives the RFC's bytes."""
    token, jwk = _rfc7515(vectors_dir, name)
    signing_input, signature = token.rsplit(".", 1)
    algorithm = cyjose.get_algorithm_by_name(RFC7515[name])
    key = algorithm.prepare_key(jwk_private(jwk))
    assert b64u(algorithm.sign(signing_input.encode(), key)) == signature


@pytest.mark.parametrize("name", ["A.3", "A.4"])
def test_rfc7515_ecdsa_key_signs_what_cyjose_verifies(vectors_dir: Path, name: str) -> None:
    _, jwk = _rfc7515(vectors_dir, name)
    alg = RFC7515[name]
    token = cyjose.encode(RFC7515_CLAIMS | {"exp": 4102444800}, jwk_private(jwk), algorithm=alg)
    assert cyjose.decode(token, jwk_public(jwk), algorithms=[alg]) == RFC7515_CLAIMS | {"exp": 4102444800}


def test_rfc7515_a1_hmac_key_material(vectors_dir: Path) -> None:
    """A.1's HMAC key is the 64-byte value of the JWK's ``k``, and signs by plain HMAC-SHA256."""
    token, jwk = _rfc7515(vectors_dir, "A.1")
    key = jwk_public(jwk)
    assert len(key) == 64
    signing_input, signature = token.rsplit(".", 1)
    assert b64u(hmac.new(key, signing_input.encode(), hashlib.sha256).digest()) == signature


def test_rfc7515_a5_unsecured_token(vectors_dir: Path) -> None:
    token = (vectors_dir / "rfc" / "rfc7515_A.5.jwsc").read_text().strip()
    assert token.endswith(".")
    assert cyjose.get_unverified_header(token) == {"alg": "none"}
    claims = cyjose.decode(token, options={"verify_signature": False})
    assert claims == RFC7515_CLAIMS
    assert PyJWS().decode(token, options={"verify_signature": False}) == RFC7515_PAYLOAD
    with pytest.raises(InvalidSignatureError):
        cyjose.decode(token, algorithms=["none"], options={"verify_exp": False})
    with pytest.raises(InvalidKeyError):
        cyjose.decode(token, "a key", algorithms=["none"], options={"verify_exp": False})
    with pytest.raises(InvalidAlgorithmError):
        cyjose.decode(token, b"k" * 64, algorithms=["HS256"], options={"verify_exp": False})
    with pytest.raises(InvalidSignatureError):
        Verifier(None, algorithms=["none"], options={"verify_exp": False}).verify(token)


# --------------------------------------------------------------------------- RFC 7520 section 4

RFC7520_COMPACT = {
    "4_1.rsa_v15_signature.json": "RS256",
    "4_2.rsa-pss_signature.json": "PS384",
    "4_3.ecdsa_signature.json": "ES512",
    "4_4.hmac-sha2_integrity_protection.json": "HS256",
}


def _cookbook(vectors_dir: Path, name: str) -> Dict[str, Any]:
    return json.loads((vectors_dir / "rfc7520" / "jws" / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", RFC7520_COMPACT)
def test_rfc7520_compact_example_verifies(vectors_dir: Path, name: str) -> None:
    case = _cookbook(vectors_dir, name)
    alg = RFC7520_COMPACT[name]
    assert case["input"]["alg"] == alg
    token = case["output"]["compact"]
    key = jwk_public(case["input"]["key"])
    complete = PyJWS().decode_complete(token, key, algorithms=[alg])
    assert complete["payload"] == case["input"]["payload"].encode("utf-8")
    assert complete["header"] == case["signing"]["protected"]
    assert b64u(complete["signature"]) == case["signing"]["sig"]
    assert token.startswith(case["signing"]["sig-input"] + ".")
    with pytest.raises(InvalidSignatureError):
        PyJWS().decode(flip_signature(token), key, algorithms=[alg])


@pytest.mark.parametrize("name", RFC7520_COMPACT)
def test_rfc7520_private_key_signs_what_cyjose_verifies(vectors_dir: Path, name: str) -> None:
    case = _cookbook(vectors_dir, name)
    alg = RFC7520_COMPACT[name]
    payload = case["input"]["payload"].encode("utf-8")
    token = PyJWS().encode(payload, jwk_private(case["input"]["key"]), algorithm=alg)
    assert PyJWS().decode(token, jwk_public(case["input"]["key"]), algorithms=[alg]) == payload


@pytest.mark.parametrize("name", ["4_1.rsa_v15_signature.json", "4_4.hmac-sha2_integrity_protection.json"])
def test_rfc7520_reproducible_example_is_reproduced_exactly(vectors_dir: Path, name: str) -> None:
    """Header {"alg", "kid"} (no typ, sorted) over the same payload: the cookbook's exact token."""
    case = _cookbook(vectors_dir, name)
    assert case["reproducible"] is True
    alg = RFC7520_COMPACT[name]
    key = jwk_private(case["input"]["key"])
    headers = {"typ": None, "kid": case["signing"]["protected"]["kid"]}
    payload = case["input"]["payload"].encode("utf-8")
    assert PyJWS().encode(payload, key, algorithm=alg, headers=headers) == case["output"]["compact"]
    assert Signer(key, alg, headers=headers).sign_bytes(payload) == case["output"]["compact"]


def test_rfc7520_4_5_detached_content(vectors_dir: Path) -> None:
    """RFC 7515 Appendix F detached content: the payload travels separately, still base64url'd."""
    case = _cookbook(vectors_dir, "4_5.signature_with_detached_content.json")
    token = case["output"]["compact"]
    header_b64, empty, signature = token.split(".")
    assert empty == ""
    key = jwk_public(case["input"]["key"])
    payload = case["input"]["payload"].encode("utf-8")
    reattached = f"{header_b64}.{b64u(payload)}.{signature}"
    assert PyJWS().decode(reattached, key, algorithms=["HS256"]) == payload
    with pytest.raises(InvalidSignatureError):  # as sent, it signs an empty payload: no
        PyJWS().decode(token, key, algorithms=["HS256"])
    with pytest.raises(DecodeError):  # detached_payload is for b64=false only (RFC 7797)
        PyJWS().decode(token, key, algorithms=["HS256"], detached_payload=payload)


# --------------------------------------------------------------------------- RFC 7797 b64=false


def _rfc7797(vectors_dir: Path, name: str) -> Dict[str, Any]:
    return json.loads((vectors_dir / "rfc7520" / "rfc7797" / name).read_text(encoding="utf-8"))


def test_rfc7797_compact_example_verifies_as_detached(vectors_dir: Path) -> None:
    case = _rfc7797(vectors_dir, "hmac-sha2_b64_false.json")
    key = jwk_private(case["input"]["key"])
    payload = case["input"]["payload"].encode()
    header_b64, inline_payload, signature = case["output"]["compact"].split(".")
    assert inline_payload.encode() == payload
    assert json.loads(b64u_decode(header_b64)) == {"alg": "HS256", "b64": False, "crit": ["b64"]}
    detached = f"{header_b64}..{signature}"
    complete = PyJWS().decode_complete(detached, key, algorithms=["HS256"], detached_payload=payload)
    assert complete["payload"] == payload
    assert complete["header"] == {"alg": "HS256", "b64": False, "crit": ["b64"]}
    with pytest.raises(InvalidSignatureError):
        PyJWS().decode(detached, key, algorithms=["HS256"], detached_payload=payload.replace(b"!", b"?"))
    with pytest.raises(DecodeError):  # b64=false needs the payload supplied
        PyJWS().decode(detached, key, algorithms=["HS256"])
    # cyjose produces the same token (header without typ, payload left out).
    token = PyJWS().encode(payload, key, algorithm="HS256", headers={"typ": None, "b64": False})
    assert token == detached


def test_rfc7797_inline_unencoded_payload_is_refused(vectors_dir: Path) -> None:
    """cyjose (like PyJWT 2.15) only takes b64=false payloads detached, never inside the token."""
    case = _rfc7797(vectors_dir, "hmac-sha2_b64_false.json")
    key = jwk_private(case["input"]["key"])
    payload = case["input"]["payload"].encode()
    with pytest.raises(DecodeError):
        PyJWS().decode(case["output"]["compact"], key, algorithms=["HS256"], detached_payload=payload)


def test_rfc7797_4_2_without_crit_is_refused(vectors_dir: Path) -> None:
    """The cookbook's 4.2 header is pre-RFC: b64=false without crit. Valid MAC, still refused."""
    case = _rfc7797(vectors_dir, "4.2.hmac-sha2_b64_false.json")
    key = jwk_private(case["input"]["key"])
    payload = case["input"]["payload"].encode()
    protected = case["output"]["json_flat"]["protected"]
    signature = case["output"]["json_flat"]["signature"]
    assert json.loads(b64u_decode(protected)) == {"alg": "HS256", "b64": False}
    # The signature is genuine over header_b64 + "." + raw payload ...
    expected = hmac.new(key, protected.encode() + b"." + payload, hashlib.sha256).digest()
    assert b64u(expected) == signature
    # ... yet without "crit": ["b64"] the token is malformed (RFC 7797 §3).
    token = f"{protected}..{signature}"
    with pytest.raises(InvalidTokenError) as info:
        PyJWS().decode(token, key, algorithms=["HS256"], detached_payload=payload)
    assert not isinstance(info.value, InvalidSignatureError)
    with pytest.raises(InvalidTokenError):
        PyJWS().decode(token, options={"verify_signature": False}, detached_payload=payload)


# --------------------------------------------------------------------------- RFC 8037 Ed25519


def _rfc8037(vectors_dir: Path) -> Dict[str, str]:
    data = json.loads((vectors_dir / "rfc" / "rfc8037_appendix_A.json").read_text())
    flat: Dict[str, str] = {}
    for case, values in data["cases"].items():
        if isinstance(values.get("text"), str):  # a one-value case: {"text": ...}
            flat[case.rsplit("/", 1)[-1]] = values["text"]
            continue
        flat.update({name: value["text"] for name, value in values.items()})
    return flat


def test_rfc8037_ed25519_example(vectors_dir: Path) -> None:
    vector = _rfc8037(vectors_dir)
    private = ed25519.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(vector["a.1.secret"]))
    public = ed25519.Ed25519PublicKey.from_public_bytes(bytes.fromhex(vector["a.1.pk"]))
    jwk = json.loads(vector["a.3.jwk+json"])
    assert b64u_decode(jwk["x"]) == bytes.fromhex(vector["a.1.pk"])
    private_jwk = json.loads(vector["a.1.jwk+json"])
    assert b64u_decode(private_jwk["d"]) == bytes.fromhex(vector["a.1.secret"])

    token = vector["a.4.sig+compact"]
    payload = vector["a.4.txt"].encode()
    complete = PyJWS().decode_complete(token, public, algorithms=["EdDSA"])
    assert complete["payload"] == payload
    assert complete["header"] == json.loads(vector["a.4.jws+json"])
    assert complete["signature"].hex() == vector["a.4.sig+hex"]
    assert PyJWS().decode(token, jwk_public(jwk), algorithms=["EdDSA"]) == payload
    with pytest.raises(InvalidSignatureError):
        PyJWS().decode(flip_signature(token), public, algorithms=["EdDSA"])

    # Ed25519 is deterministic: re-signing the same input reproduces the RFC's token.
    assert PyJWS().encode(payload, private, algorithm="EdDSA", headers={"typ": None}) == token
    assert Signer(private, "EdDSA", headers={"typ": None}).sign_bytes(payload) == token
    algorithm = cyjose.get_algorithm_by_name("EdDSA")
    assert algorithm.sign(vector["a.4.signing-input"].encode(), private).hex() == vector["a.4.sig+hex"]


def test_rfc7520_curve25519_jws_example(vectors_dir: Path) -> None:
    """The same Ed25519 example, keyed by JWK: verify, then reproduce byte for byte."""
    case = json.loads((vectors_dir / "rfc7520" / "curve25519" / "jws.json").read_text())
    token = case["output"]["compact"]
    payload = case["input"]["payload"].encode()
    assert PyJWS().decode(token, jwk_public(case["input"]["key"]), algorithms=["EdDSA"]) == payload
    resigned = PyJWS().encode(payload, jwk_private(case["input"]["key"]), algorithm="EdDSA", headers={"typ": None})
    assert resigned == token
