"""ML-DSA-44/65/87 (FIPS 204) in JWS, with AKP JWKs (RFC 9964).

Tokens are built and checked by hand with ``cryptography`` (no cyjose on that
side), exchanged with jwcrypto, and the JWK thumbprint of the all-zero seed is
checked against the RFC 9964 / draft-ietf-cose-dilithium example key.
Everything skips where ``cryptography`` (or its OpenSSL) has no ML-DSA.
"""

from __future__ import annotations

import base64
import functools
import json
import warnings
from typing import Any, Callable, Dict

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

import cyjose
from cyjose import InvalidKeyError, InvalidSignatureError, PyJWK, PyJWKError, PyJWKSet, Signer, Verifier
from cyjose.algorithms import MLDSA_ALGORITHMS, MLDSAAlgorithm

pytestmark = pytest.mark.skipif(
    not MLDSA_ALGORITHMS, reason="this cryptography (or the OpenSSL under it) has no ML-DSA"
)

#: FIPS 204 Table 2: public key and signature sizes in bytes.
SIZES = {"ML-DSA-44": (1312, 2420), "ML-DSA-65": (1952, 3309), "ML-DSA-87": (2592, 4627)}
VARIANTS = sorted(MLDSA_ALGORITHMS)  # those this cryptography supports
CLAIMS = {"iss": "https://pq.example", "sub": "alice", "n": 7}
#: For the tests that name particular variants.
all_variants = pytest.mark.skipif(len(MLDSA_ALGORITHMS) < 3, reason="not every ML-DSA variant is supported here")


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def private_class(alg: str) -> Any:
    from cryptography.hazmat.primitives.asymmetric import mldsa

    return getattr(mldsa, f"MLDSA{alg[-2:]}PrivateKey")


@functools.cache
def private_key(alg: str, which: int = 0) -> Any:
    return private_class(alg).from_seed_bytes(bytes([which + 1]) * 32)


def public_key(alg: str, which: int = 0) -> Any:
    return private_key(alg, which).public_key()


def hand_made_token(alg: str, claims: Dict[str, Any], key: Any) -> str:
    """A compact JWS signed with cryptography directly."""
    header = b64u(json.dumps({"alg": alg, "typ": "JWT"}).encode())
    payload = b64u(json.dumps(claims).encode())
    signature = key.sign(f"{header}.{payload}".encode("ascii"))
    return f"{header}.{payload}.{b64u(signature)}"


@pytest.mark.parametrize("alg", VARIANTS)
def test_every_entry_point_signs_and_verifies(alg: str) -> None:
    token = cyjose.encode(CLAIMS, private_key(alg), algorithm=alg)
    assert cyjose.decode(token, public_key(alg), algorithms=[alg]) == CLAIMS
    assert cyjose.decode_complete(token, public_key(alg), algorithms=[alg])["header"] == {"alg": alg, "typ": "JWT"}
    assert json.loads(cyjose.PyJWS().decode(token, public_key(alg), algorithms=[alg])) == CLAIMS
    pem = public_key(alg).public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert cyjose.decode(token, pem, algorithms=[alg]) == CLAIMS
    verifier = Verifier(public_key(alg), algorithms=[alg], cache_size=4)
    signed_by_signer = Signer(private_key(alg), algorithm=alg).sign(CLAIMS)
    for _ in range(2):  # the second time through the fast path / the cache
        assert verifier.verify(token) == CLAIMS
        assert verifier.verify(signed_by_signer) == CLAIMS


@pytest.mark.parametrize("alg", VARIANTS)
def test_forged_tokens_are_refused(alg: str) -> None:
    token = cyjose.encode(CLAIMS, private_key(alg), algorithm=alg)
    header, payload, signature = token.split(".")
    other_payload = b64u(json.dumps({**CLAIMS, "sub": "mallory"}).encode())
    other_key_token = cyjose.encode(CLAIMS, private_key(alg, 1), algorithm=alg)
    short_signature = f"{header}.{payload}.{b64u(unb64u(signature)[:-3])}"
    for bad in (f"{header}.{other_payload}.{signature}", other_key_token, short_signature):
        with pytest.raises(InvalidSignatureError):
            cyjose.decode(bad, public_key(alg), algorithms=[alg])
        with pytest.raises(InvalidSignatureError):
            Verifier(public_key(alg), algorithms=[alg]).verify(bad)


@pytest.mark.parametrize("alg", VARIANTS)
def test_token_made_with_cryptography_verifies(alg: str) -> None:
    token = hand_made_token(alg, CLAIMS, private_key(alg))
    assert cyjose.decode(token, public_key(alg), algorithms=[alg]) == CLAIMS
    assert cyjose.decode(token, PyJWK(MLDSAAlgorithm.to_jwk(public_key(alg), as_dict=True)), algorithms=[alg]) == CLAIMS


@pytest.mark.parametrize("alg", VARIANTS)
def test_cyjose_token_verifies_with_cryptography(alg: str) -> None:
    token = cyjose.encode(CLAIMS, private_key(alg), algorithm=alg)
    header, payload, signature = token.split(".")
    assert json.loads(unb64u(header)) == {"alg": alg, "typ": "JWT"}
    assert len(unb64u(signature)) == SIZES[alg][1]
    public_key(alg).verify(unb64u(signature), f"{header}.{payload}".encode("ascii"))  # raises if invalid


@pytest.mark.parametrize("alg", VARIANTS)
def test_interop_with_jwcrypto(alg: str) -> None:
    jwk_mod = pytest.importorskip("jwcrypto.jwk")
    jws_mod = pytest.importorskip("jwcrypto.jws")
    theirs = jws_mod.JWS(b"interop payload")
    theirs.add_signature(jwk_mod.JWK.from_pyca(private_key(alg)), alg=alg, protected={"alg": alg})
    token = theirs.serialize(compact=True)
    assert cyjose.PyJWS().decode(token, public_key(alg), algorithms=[alg]) == b"interop payload"
    mine = cyjose.PyJWS().encode(b"back again", private_key(alg), algorithm=alg)
    check = jws_mod.JWS()
    check.deserialize(mine)
    check.verify(jwk_mod.JWK(**MLDSAAlgorithm.to_jwk(public_key(alg), as_dict=True)), alg=alg)
    assert check.payload == b"back again"


@all_variants
@pytest.mark.parametrize("alg, other", [("ML-DSA-44", "ML-DSA-65"), ("ML-DSA-87", "ML-DSA-44")])
def test_keys_are_bound_to_their_variant(alg: str, other: str) -> None:
    with pytest.raises(InvalidKeyError):
        cyjose.encode(CLAIMS, private_key(other), algorithm=alg)
    token = cyjose.encode(CLAIMS, private_key(alg), algorithm=alg)
    with pytest.raises(InvalidKeyError):
        cyjose.decode(token, public_key(other), algorithms=[alg])
    with pytest.raises(InvalidKeyError):
        Verifier(public_key(other), algorithms=[alg])
    with pytest.raises(InvalidKeyError):
        Verifier(public_key(alg), algorithms=[alg, "ES256"])  # one key for every listed algorithm
    with pytest.raises(InvalidKeyError):
        cyjose.encode(CLAIMS, ec.generate_private_key(ec.SECP256R1()), algorithm=alg)
    with pytest.raises(InvalidKeyError):
        Signer(public_key(alg), algorithm=alg)  # a public key cannot sign


def test_unknown_variant_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        MLDSAAlgorithm("ML-DSA-99")


# --------------------------------------------------------------------------- AKP JWKs


@pytest.mark.parametrize("alg", VARIANTS)
def test_jwk_round_trip(alg: str) -> None:
    private_jwk = MLDSAAlgorithm.to_jwk(private_key(alg), as_dict=True)
    assert private_jwk == {"kty": "AKP", "alg": alg, "pub": b64u(public_key(alg).public_bytes_raw()),
                           "priv": b64u(private_key(alg).private_bytes_raw())}
    assert len(unb64u(private_jwk["pub"])) == SIZES[alg][0] and len(unb64u(private_jwk["priv"])) == 32
    public_jwk = MLDSAAlgorithm.to_jwk(public_key(alg), as_dict=True)
    assert public_jwk == {k: v for k, v in private_jwk.items() if k != "priv"}
    assert MLDSAAlgorithm.from_jwk(private_jwk).private_bytes_raw() == private_key(alg).private_bytes_raw()
    assert MLDSAAlgorithm.from_jwk(json.dumps(public_jwk)).public_bytes_raw() == public_key(alg).public_bytes_raw()
    pem = private_key(alg).private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption())
    assert MLDSAAlgorithm.to_jwk(pem, as_dict=True) == private_jwk
    jwk = PyJWK({**private_jwk, "kid": "pq"})
    assert (jwk.key_type, jwk.algorithm_name, type(jwk.Algorithm)) == ("AKP", alg, MLDSAAlgorithm)
    assert jwk.to_dict() == {**public_jwk, "kid": "pq"}


def test_thumbprint_of_the_rfc9964_example_key() -> None:
    """The ML-DSA-44 key of the all-zero seed in RFC 9964 (draft-ietf-cose-dilithium), Appendix A.1.

    Its ``kid`` there is its JWK thumbprint; its public key starts ``ba71f9f6``.
    """
    if "ML-DSA-44" not in MLDSA_ALGORITHMS:
        pytest.skip("ML-DSA-44 unavailable")
    key = private_class("ML-DSA-44").from_seed_bytes(bytes(32))
    jwk = PyJWK(MLDSAAlgorithm.to_jwk(key, as_dict=True))
    assert jwk.to_dict(private=True)["priv"] == "A" * 43
    assert unb64u(jwk.to_dict()["pub"])[:4].hex() == "ba71f9f6"
    assert jwk.thumbprint() == "T4xl70S7MT6Zeq6r9V9fPJGVn76wfnXJ21-gyo0Gu6o"


@pytest.mark.parametrize("alg", VARIANTS)
def test_thumbprint_matches_jwcrypto(alg: str) -> None:
    jwk_mod = pytest.importorskip("jwcrypto.jwk")
    random_key = private_class(alg).generate()
    reference = jwk_mod.JWK.from_pyca(random_key.public_key())
    assert PyJWK(MLDSAAlgorithm.to_jwk(random_key, as_dict=True)).thumbprint() == reference.thumbprint()


def akp(alg: str = "ML-DSA-44", private: bool = True) -> Dict[str, Any]:
    return MLDSAAlgorithm.to_jwk(private_key(alg) if private else public_key(alg), as_dict=True)


@all_variants
@pytest.mark.parametrize("bad, message", [
    (lambda: {k: v for k, v in akp().items() if k != "alg"}, '"alg" is required for AKP keys'),
    (lambda: {**akp(), "alg": "ML-DSA-99"}, "ML-DSA-99"),
    (lambda: {**akp(), "alg": "ES256"}, "Unsupported AKP algorithm: ES256"),
    (lambda: {**akp(), "alg": "ML-DSA-65"}, '"pub" should be 1952 bytes'),
    (lambda: {k: v for k, v in akp().items() if k != "pub"}, 'should have "pub"'),
    (lambda: {**akp(), "pub": b64u(unb64u(akp()["pub"])[:-3])}, '"pub" should be 1312 bytes'),
    (lambda: {**akp(), "pub": 1312}, '"pub" must be a string'),
    (lambda: {**akp(), "priv": b64u(bytes(31))}, '"priv" should be 32 bytes'),
    (lambda: {**akp(), "priv": b64u(bytes(64))}, '"priv" is too long'),
    (lambda: {**akp(), "priv": b64u(bytes(32))}, "Public key does not match private key"),
    (lambda: {**akp(), "priv": "!" * 43}, "not valid base64url"),
])
def test_strict_akp_import(bad: Callable[[], Dict[str, Any]], message: str) -> None:
    with pytest.raises((InvalidKeyError, PyJWKError), match=message) as raised:  # PyJWKError: unknown alg
        PyJWK(bad())
    assert akp()["priv"] not in str(raised.value)
    with pytest.raises(InvalidKeyError):
        MLDSAAlgorithm.from_jwk(bad())


@all_variants
def test_akp_key_in_a_set_verifies_by_kid() -> None:
    keys = [{**akp("ML-DSA-44", private=False), "kid": "pq-44", "use": "sig"},
            {**akp("ML-DSA-87", private=False), "kid": "pq-87-enc", "use": "enc"},
            {**akp("ML-DSA-65", private=False), "kid": "broken", "pub": "AAAA"}]
    jwks = PyJWKSet(keys)
    assert [key.key_id for key in jwks] == ["pq-44", "pq-87-enc"]
    token = cyjose.encode(CLAIMS, private_key("ML-DSA-44"), algorithm="ML-DSA-44", headers={"kid": "pq-44"})
    assert cyjose.decode(token, jwks[cyjose.get_unverified_header(token)["kid"]], algorithms=["ML-DSA-44"]) == CLAIMS
    enc_token = cyjose.encode(CLAIMS, private_key("ML-DSA-87"), algorithm="ML-DSA-87")
    with pytest.raises(InvalidKeyError):
        cyjose.decode(enc_token, jwks["pq-87-enc"], algorithms=["ML-DSA-87"])


@all_variants
def test_no_key_length_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        token = cyjose.PyJWS(options={"enforce_minimum_key_length": True}).encode(
            b"x", private_key("ML-DSA-65"), algorithm="ML-DSA-65")
        assert cyjose.PyJWS().decode(token, public_key("ML-DSA-65"), algorithms=["ML-DSA-65"]) == b"x"
