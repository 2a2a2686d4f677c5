"""JWKs against published vectors in ``../shared/vectors`` (skipped when the folder is absent).

RFC 7638 §3.1 and RFC 8037 A.3 thumbprints; the RFC 8037 A.1-A.4 Ed25519 key
and signature; RFC 7515 A.1-A.4 and RFC 7520 §4 tokens verified with keys
loaded through :class:`cyjose.PyJWK`; the RFC 7517 Appendix A key sets and the
Appendix B ``x5c`` key; RFC 7520 §3 keys round-tripped member for member.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

import cyjose
from cyjose import InvalidKeyError, PyJWK, PyJWKSet
from cyjose.algorithms import ECAlgorithm, HMACAlgorithm, OKPAlgorithm, RSAAlgorithm

VECTORS = Path(__file__).resolve().parents[2] / "shared" / "vectors"
pytestmark = pytest.mark.skipif(not VECTORS.is_dir(), reason=f"test vectors not found at {VECTORS}")

CONVERTERS = {"RSA": RSAAlgorithm, "EC": ECAlgorithm, "OKP": OKPAlgorithm, "oct": HMACAlgorithm}


def text(name: str) -> str:
    return (VECTORS / name).read_text(encoding="utf-8").strip()


def load(name: str) -> Any:
    return json.loads(text(name))


def rfc8037(case: str, item: str) -> str:
    cases = load("rfc/rfc8037_appendix_A.json")["cases"]
    return cases[f"jose_cfrg_curves/{case}.config"][item]["text"]


def test_rfc7638_thumbprint() -> None:
    jwk = PyJWK(load("rfc/rfc7638_3.1.jwk"))
    assert jwk.thumbprint() == text("rfc/rfc7638_3.1.thp")


def test_rfc8037_thumbprint() -> None:
    jwk = PyJWK(json.loads(rfc8037("a.3", "a.3.jwk+json")))
    assert jwk.thumbprint() == rfc8037("a.3", "a.3.thumbprint+b64")
    assert base64.urlsafe_b64decode(jwk.thumbprint() + "=").hex() == rfc8037("a.3", "a.3.thumbprint+hex")


def test_rfc8037_private_key_and_signature() -> None:
    cases = load("rfc/rfc8037_appendix_A.json")["cases"]
    private = PyJWK(json.loads(cases["jose_cfrg_curves/a.1.jwk+json"]["text"]))
    public = PyJWK(json.loads(cases["jose_cfrg_curves/a.2.jwk+json"]["text"]))
    assert private.key.private_bytes_raw().hex() == rfc8037("a.1", "a.1.secret")
    assert public.key.public_bytes_raw().hex() == rfc8037("a.1", "a.1.pk")
    assert private.thumbprint() == public.thumbprint() == rfc8037("a.3", "a.3.thumbprint+b64")
    # Ed25519 is deterministic: signing the A.4 input gives the A.4 token exactly
    payload = rfc8037("a.4", "a.4.txt").encode("utf-8")
    token = cyjose.PyJWS().encode(payload, private.key, algorithm="EdDSA", headers={"typ": ""})
    assert token == rfc8037("a.4", "a.4.sig+compact")
    assert cyjose.PyJWS().decode(token, public, algorithms=["EdDSA"]) == payload


@pytest.mark.parametrize("case, alg", [("A.1", "HS256"), ("A.2", "RS256"), ("A.3", "ES256"), ("A.4", "ES512")])
def test_rfc7515_tokens_verify_with_jwk_keys(case: str, alg: str) -> None:
    jwk = PyJWK(load(f"rfc/rfc7515_{case}.jwk"), alg)
    token = text(f"rfc/rfc7515_{case}.jwsc")
    decoded = cyjose.PyJWS().decode_complete(token, jwk, algorithms=[alg])
    assert decoded["header"]["alg"] == alg
    head, signature = token.rsplit(".", 1)
    tampered = f"{head}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"
    with pytest.raises(cyjose.InvalidSignatureError):
        cyjose.PyJWS().decode(tampered, jwk, algorithms=[alg])


@pytest.mark.parametrize("name", ["4_1.rsa_v15_signature", "4_2.rsa-pss_signature", "4_3.ecdsa_signature",
                                  "4_4.hmac-sha2_integrity_protection"])
def test_rfc7520_tokens_verify_with_jwk_keys(name: str) -> None:
    case = load(f"rfc7520/jws/{name}.json")
    jwk = PyJWK(case["input"]["key"], case["input"]["alg"])
    assert jwk.key_id == case["input"]["key"]["kid"] and jwk.usable_for("verify")
    decoded = cyjose.PyJWS().decode_complete(case["output"]["compact"], jwk, algorithms=[case["input"]["alg"]])
    assert decoded["payload"] == case["input"]["payload"].encode("utf-8")


@pytest.mark.parametrize("name", ["3_1.ec_public_key", "3_2.ec_private_key", "3_3.rsa_public_key",
                                  "3_4.rsa_private_key", "3_5.symmetric_key_mac_computation"])
def test_rfc7520_keys_round_trip(name: str) -> None:
    data = load(f"rfc7520/jwk/{name}.json")
    jwk = PyJWK(data)
    exported = CONVERTERS[data["kty"]].to_jwk(jwk.key, as_dict=True)
    key_members = {k: v for k, v in data.items() if k not in ("kid", "use", "alg")}
    assert {k: v for k, v in exported.items() if k != "key_ops"} == key_members
    assert jwk.to_dict(private=True) == data


def test_rfc7520_encryption_key_loads_for_jwe_only() -> None:
    jwk = PyJWK(load("rfc7520/jwk/3_6.symmetric_key_encryption.json"))
    assert (jwk.algorithm_name, jwk.Algorithm, jwk.public_key_use) == ("A256GCM", None, "enc")
    assert not jwk.usable_for("verify") and jwk.usable_for("encrypt")


def test_rfc7517_public_key_set() -> None:
    jwks = PyJWKSet.from_dict(load("rfc/rfc7517_A.1.jwkset"))
    assert [(key.key_id, key.key_type, key.public_key_use) for key in jwks] == [
        ("1", "EC", "enc"), ("2011-04-29", "RSA", None)]
    assert not jwks["1"].usable_for("verify")  # published for encryption: never verifies a signature
    assert jwks["2011-04-29"].usable_for("verify") and jwks["2011-04-29"].algorithm_name == "RS256"


def test_rfc7517_private_key_set_matches_public_set() -> None:
    public = PyJWKSet.from_json(text("rfc/rfc7517_A.1.jwkset"))
    private = PyJWKSet.from_json(text("rfc/rfc7517_A.2.jwkset"))
    for kid in ("1", "2011-04-29"):
        assert private[kid].thumbprint() == public[kid].thumbprint()
        assert private[kid].to_dict() == public[kid].to_dict()  # the published form drops "d" etc.


def test_rfc7517_symmetric_key_set() -> None:
    jwks = PyJWKSet.from_dict(load("rfc/rfc7517_A.3.jwkset"))
    wrap, mac = jwks.keys
    assert (wrap.algorithm_name, wrap.Algorithm, len(wrap.key)) == ("A128KW", None, 16)
    assert mac.key_id == "HMACkeyusedinJWSspecAppendixA.1example" and mac.algorithm_name == "HS256"
    token = text("rfc/rfc7515_A.1.jwsc")  # RFC 7515 A.1 is signed with this very key
    assert cyjose.PyJWS().decode(token, mac, algorithms=["HS256"])


def test_rfc7517_x5c_key() -> None:
    data = load("rfc/rfc7517_B.jwk")
    jwk = PyJWK(data)
    assert jwk.to_dict()["x5c"] == data["x5c"]
    n = base64.urlsafe_b64decode(data["n"] + "==")
    other_n = base64.urlsafe_b64encode(n[:-1] + bytes([n[-1] ^ 2])).rstrip(b"=").decode("ascii")
    with pytest.raises(InvalidKeyError, match="x5c"):
        PyJWK({**data, "n": other_n})  # the certificate no longer holds the JWK's key


def test_rfc7515_jwk_set() -> None:
    jwks = PyJWKSet.from_json(text("rfc/rfc7515_A.6.jwkset"))
    assert [key.key_type for key in jwks] == ["RSA", "EC"]
    assert jwks.keys[0].thumbprint() == PyJWK(load("rfc/rfc7515_A.6.1.jwk")).thumbprint()
