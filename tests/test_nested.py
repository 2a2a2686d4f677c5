"""Nested JWTs (RFC 7519 §5.2): cyjose.jwe.encode_nested / decode_nested / decode_nested_complete.

Round trips for several signature and key management pairs, opened again by
composing the independent public steps; every JWT claim rule enforced on the
inner token (exp, nbf, aud, iss, sub, required claims, leeway, options); the
``cty`` rule; inner signature tampering; wrong keys and algorithms; interop
with jwcrypto both ways; and the RFC 7520 §6 example from ``../shared/vectors``
(skipped when absent).
"""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path
from typing import Any, Dict

import pytest
import sample_keys as keys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

import cyjose
from cyjose import jwe
from cyjose.exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidSignatureError,
    InvalidSubjectError,
    InvalidTokenError,
    JWEDecryptionError,
    MissingRequiredClaimError,
)

SECRET = b"a signing secret of 32 bytes!!!!"
CEK = os.urandom(32)
COOKBOOK = Path(__file__).resolve().parents[2] / "shared" / "vectors" / "rfc7520"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def claims(**extra: Any) -> Dict[str, Any]:
    return {"iss": "issuer", "aud": "audience", "sub": "subject", "exp": int(time.time()) + 600, **extra}


def seal(payload: Dict[str, Any], **kwargs: Any) -> str:
    return jwe.encode_nested(payload, SECRET, "HS256", CEK, "dir", "A256GCM", **kwargs)


def open_(token: Any, **kwargs: Any) -> Dict[str, Any]:
    options = {"algorithms": ["HS256"], "key_algorithms": ["dir"], "encryptions": ["A256GCM"],
               "audience": "audience", "issuer": "issuer", **kwargs}
    return jwe.decode_nested(token, CEK, SECRET, **options)


def encrypt_inner(inner: str, cty: Any = "JWT") -> str:
    return jwe.encrypt(inner, CEK, "dir", "A256GCM", headers={} if cty is None else {"cty": cty})


# -- round trips --------------------------------------------------------------------------------

EC_KEY = ec.generate_private_key(ec.SECP384R1())

PAIRS = [
    ("HS256", SECRET, SECRET, "A256KW", os.urandom(32), None),
    ("RS256", keys.private("RS256"), keys.public("RS256"), "RSA-OAEP-256", keys.public("PS256"),
     keys.private("PS256")),
    ("ES256", keys.private("ES256"), keys.public("ES256"), "ECDH-ES", EC_KEY.public_key(), EC_KEY),
    ("EdDSA", keys.private("EdDSA"), keys.public("EdDSA"), "PBES2-HS256+A128KW", "a password", None),
]


@pytest.mark.parametrize("algorithm, signing_key, verification_key, alg, encryption_key, decryption_key", PAIRS)
def test_round_trip(algorithm: str, signing_key: Any, verification_key: Any, alg: str, encryption_key: Any,
                    decryption_key: Any) -> None:
    decryption_key = encryption_key if decryption_key is None else decryption_key
    payload = claims(extra=[1, 2])
    jwe_headers = {"kid": "enc-1", **({"p2c": 1000} if alg.startswith("PBES2") else {})}
    token = jwe.encode_nested(payload, signing_key, algorithm, encryption_key, alg, "A128CBC-HS256",
                              headers={"kid": "sig-1"}, jwe_headers=jwe_headers)
    result = jwe.decode_nested_complete(token, decryption_key, verification_key, algorithms=[algorithm],
                                        key_algorithms=[alg], encryptions=["A128CBC-HS256"], audience="audience")
    assert result["payload"] == payload
    assert result["jwe_header"]["cty"] == "JWT" and result["jwe_header"]["kid"] == "enc-1"
    assert result["header"]["kid"] == "sig-1" and result["header"]["alg"] == algorithm
    # The same token opened step by step with the public single-purpose functions.
    inner = jwe.decrypt(token, decryption_key, [alg], ["A128CBC-HS256"])
    assert cyjose.decode(inner, verification_key, algorithms=[algorithm], audience="audience") == payload


def test_zip_and_the_decode_nested_shortcut() -> None:
    payload = claims(blob="x" * 2000)
    token = seal(payload, zip="DEF")
    assert len(token) < 1500
    with pytest.raises(InvalidAlgorithmError):
        open_(token)
    assert open_(token, zips=["DEF"]) == payload


# -- the claim rules apply to the inner token ---------------------------------------------------


@pytest.mark.parametrize("payload, kwargs, error", [
    (claims(exp=int(time.time()) - 100), {}, ExpiredSignatureError),
    (claims(nbf=int(time.time()) + 600), {}, ImmatureSignatureError),
    (claims(aud="someone-else"), {}, InvalidAudienceError),
    (claims(aud=["one", "two"]), {}, InvalidAudienceError),
    ({k: v for k, v in claims().items() if k != "aud"}, {}, MissingRequiredClaimError),
    (claims(iss="mallory"), {}, InvalidIssuerError),
    (claims(), {"subject": "another subject"}, InvalidSubjectError),
    (claims(), {"options": {"require": ["jti"]}}, MissingRequiredClaimError),
    (claims(iat="yesterday"), {}, cyjose.InvalidIssuedAtError),
])
def test_claims_are_enforced_on_the_inner_token(payload: Dict[str, Any], kwargs: Dict[str, Any],
                                                 error: type) -> None:
    with pytest.raises(error):
        open_(seal(payload), **kwargs)


def test_leeway_and_options_reach_the_inner_token() -> None:
    token = seal(claims(exp=int(time.time()) - 5))
    assert open_(token, leeway=60)["sub"] == "subject"
    assert open_(token, options={"verify_exp": False})["sub"] == "subject"
    with pytest.raises(ExpiredSignatureError):
        open_(token, leeway=1)


# -- cty ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("cty", ["JWT", "jwt", "Jwt", "application/jwt", "APPLICATION/JWT"])
def test_cty_jwt_is_compared_case_insensitively(cty: str) -> None:
    payload = claims()
    token = encrypt_inner(cyjose.encode(payload, SECRET, algorithm="HS256"), cty)
    assert open_(token) == payload


@pytest.mark.parametrize("cty", [None, "text/plain", "JWS", "application/jose", "jwt ", 7, ["JWT"]])
def test_other_cty_is_refused_before_the_inner_token_is_read(cty: Any) -> None:
    token = encrypt_inner(cyjose.encode(claims(), SECRET, algorithm="HS256"), cty)
    with pytest.raises(InvalidTokenError, match='"cty" header must be "JWT"'):
        open_(token)


def test_encode_nested_sets_cty_itself() -> None:
    with pytest.raises(InvalidTokenError, match="cty"):
        seal(claims(), jwe_headers={"cty": "JWT"})
    with pytest.raises(TypeError):
        seal(claims(), jwe_headers=[("kid", "x")])
    header = json.loads(unb64(seal(claims(), jwe_headers={"kid": "k"}).split(".")[0]))
    assert header == {"alg": "dir", "enc": "A256GCM", "kid": "k", "cty": "JWT"}


# -- signatures, keys and algorithms ------------------------------------------------------------


@pytest.mark.parametrize("part", [0, 1, 2])
def test_tampered_inner_token_is_refused(part: int) -> None:
    segments = cyjose.encode(claims(), SECRET, algorithm="HS256").split(".")
    if part == 1:
        segments[1] = b64(json.dumps(claims(sub="admin")).encode())
    else:
        data = bytearray(unb64(segments[part]))
        data[-1] ^= 0x01
        segments[part] = b64(bytes(data))
    with pytest.raises((InvalidSignatureError, DecodeError)):
        open_(encrypt_inner(".".join(segments)))


def test_inner_signature_tampering_flagged_as_signature_error() -> None:
    segments = cyjose.encode(claims(), SECRET, algorithm="HS256").split(".")
    segments[2] = b64(bytes(32))
    with pytest.raises(InvalidSignatureError):
        open_(encrypt_inner(".".join(segments)))


def test_wrong_keys() -> None:
    token = seal(claims())
    with pytest.raises(InvalidSignatureError):
        jwe.decode_nested(token, CEK, b"another secret of 32 bytes!!!!!!", algorithms=["HS256"],
                          key_algorithms=["dir"], encryptions=["A256GCM"], audience="audience")
    with pytest.raises(JWEDecryptionError, match="^Decryption failed$"):
        jwe.decode_nested(token, os.urandom(32), SECRET, algorithms=["HS256"], key_algorithms=["dir"],
                          encryptions=["A256GCM"], audience="audience")


def test_each_allow_list_is_enforced() -> None:
    token = seal(claims())
    with pytest.raises(InvalidAlgorithmError):
        open_(token, algorithms=["HS512"])
    with pytest.raises(InvalidAlgorithmError):
        open_(token, key_algorithms=["A256KW"])
    with pytest.raises(InvalidAlgorithmError):
        open_(token, encryptions=["A128GCM"])


def test_an_unsigned_inner_token_is_refused() -> None:
    unsigned = cyjose.encode(claims(), None, algorithm="none")
    with pytest.raises(InvalidAlgorithmError):
        open_(encrypt_inner(unsigned))


def test_an_inner_token_that_is_not_a_jws_is_a_decode_error() -> None:
    for inner in ("not a token", encrypt_inner("x")):
        with pytest.raises(DecodeError):
            open_(encrypt_inner(inner))


# -- interop ------------------------------------------------------------------------------------


def _pem(private_key: Any) -> bytes:
    return private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())


def test_jwcrypto_nested_tokens_both_ways() -> None:
    jwcrypto_jwt = pytest.importorskip("jwcrypto.jwt")
    jwcrypto_jwk = pytest.importorskip("jwcrypto.jwk")
    signing = jwcrypto_jwk.JWK.from_pem(_pem(keys.private("ES256")))
    encryption = jwcrypto_jwk.JWK.from_pem(_pem(keys.private("RS256")))
    payload = claims()
    # From jwcrypto: sign, then encrypt with cty JWT.
    inner = jwcrypto_jwt.JWT(header={"alg": "ES256", "typ": "JWT"}, claims=payload)
    inner.make_signed_token(signing)
    outer = jwcrypto_jwt.JWT(header={"alg": "RSA-OAEP-256", "enc": "A256GCM", "cty": "JWT"},
                             claims=inner.serialize())
    outer.make_encrypted_token(encryption)
    assert jwe.decode_nested(outer.serialize(), keys.private("RS256"), keys.public("ES256"), algorithms=["ES256"],
                             key_algorithms=["RSA-OAEP-256"], encryptions=["A256GCM"], audience="audience",
                             issuer="issuer") == payload
    # From cyjose: jwcrypto decrypts, sees cty JWT, and verifies the inner token.
    token = jwe.encode_nested(payload, keys.private("ES256"), "ES256", keys.public("RS256"), "RSA-OAEP-256",
                              "A256GCM")
    opened = jwcrypto_jwt.JWT(jwt=token, key=encryption, expected_type="JWE",
                              algs=["RSA-OAEP-256", "A256GCM"])
    assert opened.token.jose_header["cty"] == "JWT"
    verified = jwcrypto_jwt.JWT(jwt=opened.claims, key=signing, expected_type="JWS", algs=["ES256"])
    assert json.loads(verified.claims) == payload


# -- RFC 7520 §6 --------------------------------------------------------------------------------


def test_rfc7520_nested_example() -> None:
    path = COOKBOOK / "6.nesting_signatures_and_encryption.json"
    if not path.is_file():
        pytest.skip(f"published vectors not found at {path}")
    example = json.loads(path.read_text(encoding="utf-8"))
    decryption_key = cyjose.PyJWK(example["encrypt"]["input"]["key"])
    signing_jwk = example["sign"]["input"]["key"]
    public = cyjose.PyJWK({name: signing_jwk[name] for name in ("kty", "kid", "n", "e")}, algorithm="PS256")
    token = example["encrypt"]["output"]["compact"]
    options = {"algorithms": ["PS256"], "key_algorithms": ["RSA-OAEP"], "encryptions": ["A128GCM"]}
    with pytest.raises(ExpiredSignatureError):  # exp is in 2011
        jwe.decode_nested(token, decryption_key, public, **options)
    result = jwe.decode_nested_complete(token, decryption_key, public, issuer="hobbiton.example",
                                        options={"verify_exp": False}, **options)
    assert result["payload"] == json.loads(example["sign"]["input"]["payload"])
    assert result["header"] == example["sign"]["signing"]["protected"]
    with pytest.raises(InvalidIssuerError):
        jwe.decode_nested(token, decryption_key, public, issuer="mordor.example", options={"verify_exp": False},
                          **options)
