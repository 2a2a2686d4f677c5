"""Every JWA signature algorithm through the public API.

Round trips (``encode``/``decode``, ``Signer``/``Verifier``) with every key
form cyjose accepts, the failures a caller or an attacker can cause (tampering,
wrong key, wrong algorithm, wrong curve, wrong key family, signing with a
public key, short keys, ``none``), and the algorithm registry.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import re
import traceback
import warnings
from typing import Any, Callable, Dict, List, Tuple

import pytest
import sample_keys as keys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, x25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import NameOID

import cyjose
from cyjose import (
    InsecureKeyLengthWarning,
    InvalidAlgorithmError,
    InvalidKeyError,
    InvalidSignatureError,
    PyJWS,
    PyJWT,
    Signer,
    Verifier,
)
from cyjose.algorithms import (
    Algorithm,
    ECAlgorithm,
    HMACAlgorithm,
    NoneAlgorithm,
    OKPAlgorithm,
    RSAAlgorithm,
    RSAPSSAlgorithm,
)

CLAIMS = {"sub": "user-1", "admin": False, "scope": ["read", "write"], "n": 7}

# (alg, variant): every algorithm, EdDSA with both of its curves.
CASES: List[Tuple[str, str]] = [(alg, "") for alg in keys.SIGNING_ALGS if alg != "EdDSA"] + [
    ("EdDSA", "ed25519"),
    ("EdDSA", "ed448"),
]
ASYMMETRIC_CASES = [case for case in CASES if case[0] not in keys.HMAC_ALGS]
SSH_CASES = {("EdDSA", "ed25519")} | {(alg, "") for alg in keys.SSH_ALGS if alg != "EdDSA"}


def case_id(case: Tuple[str, ...]) -> str:
    return "-".join(part for part in case if part)


# The raw signature length each algorithm produces (RFC 7518 §3, RFC 8037 §3.1).
SIGNATURE_SIZE = {
    "HS256": 32, "HS384": 48, "HS512": 64,
    "RS256": 256, "RS384": 256, "RS512": 256, "PS256": 256, "PS384": 256, "PS512": 256,
    "ES256": 64, "ES256K": 64, "ES384": 96, "ES512": 132,
    "EdDSA-ed25519": 64, "EdDSA-ed448": 114,
}  # fmt: skip


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signing_key(alg: str, variant: str = "") -> Any:
    return keys.secret(alg) if alg in keys.HMAC_ALGS else keys.private(alg, variant)


def verifying_key(alg: str, variant: str = "") -> Any:
    return keys.secret(alg) if alg in keys.HMAC_ALGS else keys.public(alg, variant)


def key_forms(alg: str, variant: str, form: str) -> Tuple[Any, Any]:
    """``(signing key, verifying key)`` for ``alg`` in the key form ``form``."""
    if alg in keys.HMAC_ALGS:
        secret = keys.secret(alg)
        return {"bytes": (secret, secret), "str": (secret.hex(), secret.hex())}[form]
    if form == "object":
        return keys.private(alg, variant), keys.public(alg, variant)
    if form == "pem-bytes":
        return keys.private_pem(alg, variant), keys.public_pem(alg, variant)
    if form == "pem-str":
        return keys.private_pem(alg, variant).decode(), keys.public_pem(alg, variant).decode()
    if form == "ssh-bytes":
        return keys.private_ssh(alg, variant), keys.public_ssh(alg, variant)
    if form == "ssh-str":  # an authorized_keys line keeps its trailing newline and comment
        return keys.private_ssh(alg, variant).decode(), keys.public_ssh(alg, variant).decode() + " me@host\n"
    if form == "pem-sign-object-verify":
        return keys.private_pem(alg, variant), keys.public(alg, variant)
    raise AssertionError(form)


def _form_cases() -> List[Tuple[str, str, str]]:
    out = []
    for alg, variant in CASES:
        if alg in keys.HMAC_ALGS:
            forms = ["bytes", "str"]
        else:
            forms = ["object", "pem-bytes", "pem-str", "pem-sign-object-verify"]
            if (alg, variant) in SSH_CASES:
                forms += ["ssh-bytes", "ssh-str"]
        out += [(alg, variant, form) for form in forms]
    return out


FORM_CASES = _form_cases()


def token_for(alg: str, variant: str = "", claims: Dict[str, Any] = CLAIMS, **kwargs: Any) -> str:
    return cyjose.encode(claims, signing_key(alg, variant), algorithm=alg, **kwargs)


def assert_no_key_material(exc: BaseException, material: Any) -> None:
    """Nothing recognisable of ``material`` shows in the exception, its repr or traceback text."""
    rendered = str(exc) + repr(exc) + "".join(traceback.format_exception(exc))
    if isinstance(material, str):
        material = material.encode()
    if not isinstance(material, bytes):
        return
    fragments = [
        piece.decode("latin-1")
        for piece in re.split(rb"\s+", material)
        if len(piece) >= 12 and not piece.startswith(b"-----")
    ]
    if len(material) >= 8:
        fragments += [material.hex()[:24], repr(material)[2:26]]
    for fragment in fragments:
        if fragment.startswith("-----"):  # PEM armour is not secret
            continue
        assert fragment not in rendered, f"key material leaked: {fragment!r}"


def tamper_signature(token: str) -> str:
    header, payload, signature = token.split(".")
    raw = bytearray(b64url_decode(signature))
    raw[len(raw) // 2] ^= 0x01
    return f"{header}.{payload}.{b64url(bytes(raw))}"


def tamper_header(token: str) -> str:
    header, payload, signature = token.split(".")
    fields = json.loads(b64url_decode(header))
    fields["kid"] = "attacker"
    return f"{b64url(json.dumps(fields).encode())}.{payload}.{signature}"


def tamper_payload(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(b64url_decode(payload))
    claims["admin"] = True
    return f"{header}.{b64url(json.dumps(claims).encode())}.{signature}"


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("alg,variant,form", FORM_CASES, ids=case_id)
def test_encode_decode_round_trip(alg: str, variant: str, form: str) -> None:
    sign_key, verify_key = key_forms(alg, variant, form)
    token = cyjose.encode(CLAIMS, sign_key, algorithm=alg)
    assert cyjose.get_unverified_header(token) == {"alg": alg, "typ": "JWT"}
    assert cyjose.decode(token, verify_key, algorithms=[alg]) == CLAIMS
    complete = cyjose.decode_complete(token, verify_key, algorithms=[alg])
    assert complete["header"] == {"alg": alg, "typ": "JWT"}
    assert complete["payload"] == CLAIMS
    assert len(complete["signature"]) == SIGNATURE_SIZE[case_id((alg, variant))]
    assert b64url(complete["signature"]) == token.rsplit(".", 1)[1]


@pytest.mark.parametrize("alg,variant,form", FORM_CASES, ids=case_id)
def test_signer_verifier_round_trip(alg: str, variant: str, form: str) -> None:
    sign_key, verify_key = key_forms(alg, variant, form)
    signer = Signer(sign_key, alg, headers={"kid": "key-1"})
    verifier = Verifier(verify_key, algorithms=[alg])
    for n in range(3):
        token = signer.sign({"n": n})
        assert verifier.verify(token) == {"n": n}
    complete = verifier.verify_complete(token)
    assert complete["header"] == {"alg": alg, "typ": "JWT", "kid": "key-1"}
    # Signer tokens verify with decode(), encode() tokens with the Verifier.
    assert cyjose.decode(token, verify_key, algorithms=[alg]) == {"n": 2}
    assert verifier.verify(cyjose.encode(CLAIMS, sign_key, alg)) == CLAIMS


@pytest.mark.parametrize("alg,variant", CASES, ids=case_id)
def test_jws_layer_round_trip_keeps_payload_bytes(alg: str, variant: str) -> None:
    payload = b"\x00 not json \xff"
    token = PyJWS().encode(payload, signing_key(alg, variant), alg)
    assert PyJWS().decode(token, verifying_key(alg, variant), algorithms=[alg]) == payload
    token = Signer(signing_key(alg, variant), alg).sign_bytes(payload)
    assert cyjose.api_jws.decode(token, verifying_key(alg, variant), algorithms=[alg]) == payload


@pytest.mark.parametrize("alg,variant", ASYMMETRIC_CASES, ids=case_id)
@pytest.mark.parametrize("form", ["object", "pem"])
def test_private_key_also_verifies(alg: str, variant: str, form: str) -> None:
    private = keys.private(alg, variant) if form == "object" else keys.private_pem(alg, variant)
    token = token_for(alg, variant)
    assert cyjose.decode(token, private, algorithms=[alg]) == CLAIMS
    assert Verifier(private, algorithms=[alg]).verify(token) == CLAIMS


@pytest.mark.parametrize(
    "alg,variant",
    [c for c in CASES if c[0] in keys.HMAC_ALGS + ("RS256", "RS384", "RS512", "EdDSA")],
    ids=case_id,
)
def test_signer_output_equals_encode_for_deterministic_algorithms(alg: str, variant: str) -> None:
    key = signing_key(alg, variant)
    headers = {"kid": "k1", "cty": "JWT"}
    claims = {**CLAIMS, "exp": datetime.datetime(2040, 1, 1, tzinfo=datetime.timezone.utc)}
    expected = cyjose.encode(claims, key, alg, headers=headers)
    assert Signer(key, alg, headers=headers).sign(claims) == expected
    # Signing twice gives the same token: HMAC, RSASSA-PKCS1-v1_5 and EdDSA are deterministic.
    assert cyjose.encode(claims, key, alg, headers=headers) == expected


def test_one_rsa_key_serves_every_rsa_algorithm() -> None:
    verifier = Verifier(keys.public_pem("RS256"), algorithms=list(keys.RSA_ALGS))
    for alg in keys.RSA_ALGS:
        assert verifier.verify(token_for(alg)) == CLAIMS


def test_eddsa_verifier_takes_either_curve_by_key() -> None:
    for variant in ("ed25519", "ed448"):
        verifier = Verifier(keys.public("EdDSA", variant), algorithms=["EdDSA"])
        assert verifier.verify(token_for("EdDSA", variant)) == CLAIMS
    with pytest.raises(InvalidSignatureError):
        Verifier(keys.public("EdDSA", "ed25519"), algorithms=["EdDSA"]).verify(token_for("EdDSA", "ed448"))


def test_es521_alias_signs_with_p521_and_stays_a_separate_name() -> None:
    token = cyjose.encode(CLAIMS, keys.private("ES512"), algorithm="ES521")
    assert cyjose.get_unverified_header(token)["alg"] == "ES521"
    assert cyjose.decode(token, keys.public("ES512"), algorithms=["ES521"]) == CLAIMS
    with pytest.raises(InvalidAlgorithmError):
        cyjose.decode(token, keys.public("ES512"), algorithms=["ES512"])


@pytest.mark.parametrize("alg,variant", CASES, ids=case_id)
def test_full_length_keys_do_not_warn(alg: str, variant: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", InsecureKeyLengthWarning)
        token = Signer(signing_key(alg, variant), alg).sign(CLAIMS)
        assert Verifier(verifying_key(alg, variant), algorithms=[alg]).verify(token) == CLAIMS
        assert cyjose.decode(token, verifying_key(alg, variant), algorithms=[alg]) == CLAIMS


# --------------------------------------------------------------------------- forgery


TAMPERS = {"header": tamper_header, "payload": tamper_payload, "signature": tamper_signature}


@pytest.mark.parametrize("part", TAMPERS)
@pytest.mark.parametrize("alg,variant", CASES, ids=case_id)
def test_tampered_token_is_refused(alg: str, variant: str, part: str) -> None:
    forged = TAMPERS[part](token_for(alg, variant))
    with pytest.raises(InvalidSignatureError):
        cyjose.decode(forged, verifying_key(alg, variant), algorithms=[alg])
    with pytest.raises(InvalidSignatureError):
        Verifier(verifying_key(alg, variant), algorithms=[alg]).verify(forged)


def _other_key(alg: str, variant: str) -> Any:
    if alg in keys.HMAC_ALGS:
        return keys.secret(alg)[::-1]
    if variant == "ed448":
        return ed448.Ed448PrivateKey.generate().public_key()
    return keys.public(alg, "other")


@pytest.mark.parametrize("alg,variant", CASES, ids=case_id)
def test_wrong_key_is_refused(alg: str, variant: str) -> None:
    token = token_for(alg, variant)
    other = _other_key(alg, variant)
    with pytest.raises(InvalidSignatureError):
        cyjose.decode(token, other, algorithms=[alg])
    with pytest.raises(InvalidSignatureError):
        Verifier(other, algorithms=[alg]).verify(token)


WRONG_ALG = {
    "HS256": "HS384", "HS384": "HS512", "HS512": "HS256",
    "RS256": "PS256", "RS384": "RS256", "RS512": "PS512",
    "PS256": "RS256", "PS384": "PS512", "PS512": "RS512",
    "ES256": "ES256K", "ES256K": "ES256", "ES384": "ES512", "ES512": "ES384",
    "EdDSA": "ES256",
}  # fmt: skip


@pytest.mark.parametrize("alg,variant", CASES, ids=case_id)
def test_token_algorithm_outside_the_allow_list_is_refused(alg: str, variant: str) -> None:
    token = token_for(alg, variant)
    other = WRONG_ALG[alg]
    with pytest.raises(InvalidAlgorithmError):
        cyjose.decode(token, verifying_key(alg, variant), algorithms=[other])
    with pytest.raises(InvalidAlgorithmError):
        cyjose.decode(token, verifying_key(alg, variant), algorithms=other)  # a lone str: that one alg
    with pytest.raises(InvalidAlgorithmError):
        Verifier(verifying_key(other), algorithms=[other]).verify(token)
    with pytest.raises(InvalidAlgorithmError):
        PyJWS().decode(token, verifying_key(alg, variant), algorithms=[other])


def test_signature_of_one_rsa_scheme_does_not_pass_as_the_other() -> None:
    """Rewriting ``alg`` RS256 -> PS256 (both allowed, same key) must not verify."""
    token = token_for("RS256")
    header, payload, signature = token.split(".")
    forged_header = b64url(json.dumps({"alg": "PS256", "typ": "JWT"}).encode())
    with pytest.raises(InvalidSignatureError):
        cyjose.decode(
            f"{forged_header}.{payload}.{signature}", keys.public("RS256"), algorithms=["RS256", "PS256"]
        )


@pytest.mark.parametrize("alg", keys.EC_ALGS)
@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(lambda raw: b"", id="empty"),
        pytest.param(lambda raw: raw[:1], id="one-byte"),
        pytest.param(lambda raw: raw[: len(raw) // 2], id="half"),
        pytest.param(lambda raw: raw[:-1], id="one-short"),
        pytest.param(lambda raw: raw + b"\x00", id="one-long"),
        pytest.param(lambda raw: b"\x00" + raw, id="one-long-leading-zero"),
        pytest.param(lambda raw: raw + raw, id="doubled"),
        pytest.param(lambda raw: b"\x00" * len(raw), id="zero-r-s"),
        pytest.param(lambda raw: b"\xff" * len(raw), id="r-s-too-large"),
        pytest.param(
            lambda raw: encode_dss_signature(
                int.from_bytes(raw[: len(raw) // 2], "big"), int.from_bytes(raw[len(raw) // 2 :], "big")
            ),
            id="der-instead-of-raw",
        ),
    ],
)
def test_ecdsa_signature_of_wrong_shape_is_refused(alg: str, signature: Callable[[bytes], bytes]) -> None:
    token = token_for(alg)
    header, payload, sig = token.split(".")
    forged = f"{header}.{payload}.{b64url(signature(b64url_decode(sig)))}"
    with pytest.raises(InvalidSignatureError):
        cyjose.decode(forged, keys.public(alg), algorithms=[alg])
    with pytest.raises(InvalidSignatureError):
        Verifier(keys.public(alg), algorithms=[alg]).verify(forged)


def test_es256_signature_does_not_pass_for_es384_length() -> None:
    """A P-384 key must refuse a 64-byte signature even with the right digest family."""
    token = token_for("ES384")
    header, payload, _ = token.split(".")
    es256_signature = token_for("ES256").split(".")[2]
    with pytest.raises(InvalidSignatureError):
        cyjose.decode(f"{header}.{payload}.{es256_signature}", keys.public("ES384"), algorithms=["ES384"])


# --------------------------------------------------------------------------- unusable keys


# (alg, the alg whose curve the key is on)
CURVE_MISMATCH = [
    ("ES256", "ES384"), ("ES256K", "ES256"), ("ES256", "ES256K"), ("ES384", "ES512"), ("ES512", "ES256")
]  # fmt: skip


@pytest.mark.parametrize("alg,key_alg", CURVE_MISMATCH)
@pytest.mark.parametrize("form", ["object", "pem"])
def test_curve_mismatch_is_an_invalid_key(alg: str, key_alg: str, form: str) -> None:
    public = keys.public(key_alg) if form == "object" else keys.public_pem(key_alg)
    private = keys.private(key_alg) if form == "object" else keys.private_pem(key_alg)
    token = token_for(alg)
    with pytest.raises(InvalidKeyError):
        cyjose.decode(token, public, algorithms=[alg])
    with pytest.raises(InvalidKeyError):
        Verifier(public, algorithms=[alg])
    with pytest.raises(InvalidKeyError):
        cyjose.encode(CLAIMS, private, algorithm=alg)
    with pytest.raises(InvalidKeyError):
        Signer(private, alg)


def test_curve_mismatch_from_openssh_key() -> None:
    with pytest.raises(InvalidKeyError):
        cyjose.decode(token_for("ES384"), keys.public_ssh("ES512"), algorithms=["ES384"])
    with pytest.raises(InvalidKeyError):
        cyjose.encode(CLAIMS, keys.private_ssh("ES256"), algorithm="ES384")


# (alg, key family of the wrong key, variant)
WRONG_FAMILY = [
    ("ES256", "RS256", ""),
    ("ES384", "EdDSA", "ed25519"),
    ("RS256", "ES256", ""),
    ("RS256", "EdDSA", "ed25519"),
    ("PS256", "EdDSA", "ed448"),
    ("PS384", "ES384", ""),
    ("EdDSA", "RS256", ""),
    ("EdDSA", "ES256K", ""),
]


@pytest.mark.parametrize("alg,key_alg,variant", WRONG_FAMILY, ids=case_id)
@pytest.mark.parametrize("form", ["object", "pem-bytes", "pem-str"])
def test_key_of_another_family_is_an_invalid_key(alg: str, key_alg: str, variant: str, form: str) -> None:
    public_key, private_key = {
        "object": (keys.public(key_alg, variant), keys.private(key_alg, variant)),
        "pem-bytes": (keys.public_pem(key_alg, variant), keys.private_pem(key_alg, variant)),
        "pem-str": (keys.public_pem(key_alg, variant).decode(), keys.private_pem(key_alg, variant).decode()),
    }[form]
    token = token_for(alg, "ed25519" if alg == "EdDSA" else "")
    attempts = {
        "decode": lambda: cyjose.decode(token, public_key, algorithms=[alg]),
        "Verifier": lambda: Verifier(public_key, algorithms=[alg]),
        "encode": lambda: cyjose.encode(CLAIMS, private_key, algorithm=alg),
        "Signer": lambda: Signer(private_key, alg).sign(CLAIMS),
    }
    for name, attempt in attempts.items():
        with pytest.raises(InvalidKeyError) as info:
            attempt()
        assert_no_key_material(info.value, private_key if name in ("encode", "Signer") else public_key)


@pytest.mark.parametrize("alg", keys.RSA_ALGS + keys.EC_ALGS + keys.OKP_ALGS)
def test_ssh_key_of_another_family_is_an_invalid_key(alg: str) -> None:
    wrong = {"RS": "ES256", "PS": "EdDSA", "ES": "RS256", "Ed": "ES384"}[alg[:2]]
    variant = "ed25519" if alg == "EdDSA" else ""
    with pytest.raises(InvalidKeyError) as info:
        cyjose.decode(token_for(alg, variant), keys.public_ssh(wrong), algorithms=[alg])
    assert_no_key_material(info.value, keys.public_ssh(wrong))
    with pytest.raises(InvalidKeyError) as info:
        cyjose.encode(CLAIMS, keys.private_ssh(wrong), algorithm=alg)
    assert_no_key_material(info.value, keys.private_ssh(wrong))


def _self_signed_certificate() -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "cyjose test")])
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(keys.public("RS256"))
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=1))
        .sign(keys.private("RS256"), hashes.SHA256())
    )


def _der_public(alg: str, variant: str = "") -> bytes:
    return keys.public(alg, variant).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


# Material that must never be taken as an HMAC secret (algorithm-confusion defence).
NOT_A_SECRET: Dict[str, Callable[[], Any]] = {
    "rsa-public-pem": lambda: keys.public_pem("RS256"),
    "rsa-public-pem-str": lambda: keys.public_pem("RS256").decode(),
    "rsa-pkcs1-public-pem": lambda: keys.public("RS256").public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.PKCS1
    ),
    "ec-public-pem": lambda: keys.public_pem("ES256"),
    "ed25519-public-pem-str": lambda: keys.public_pem("EdDSA").decode(),
    "ed448-public-pem": lambda: keys.public_pem("EdDSA", "ed448"),
    "rsa-private-pem": lambda: keys.private_pem("RS256"),
    "ec-private-pem-str": lambda: keys.private_pem("ES384").decode(),
    "rsa-ssh-public": lambda: keys.public_ssh("RS256"),
    "ec-ssh-public-str": lambda: keys.public_ssh("ES256").decode(),
    "ed25519-ssh-public-indented": lambda: b"  " + keys.public_ssh("EdDSA"),
    "openssh-private": lambda: keys.private_ssh("EdDSA"),
    "rsa-der-public": lambda: _der_public("RS256"),
    "ec-der-public": lambda: _der_public("ES256"),
    "ed25519-der-public": lambda: _der_public("EdDSA"),
    "x509-pem": lambda: _self_signed_certificate().public_bytes(serialization.Encoding.PEM),
    "x509-pem-str": lambda: _self_signed_certificate().public_bytes(serialization.Encoding.PEM).decode(),
    "x509-der": lambda: _self_signed_certificate().public_bytes(serialization.Encoding.DER),
    "jwk-oct-str": lambda: json.dumps({"kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0"}),
    "jwk-rsa-bytes": lambda: json.dumps({"kty": "RSA", "n": "0vx7agoebGcQSuuPiLJXZpt", "e": "AQAB"}).encode(),
    "jwk-set": lambda: json.dumps({"keys": [{"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV7"}]}),
    "empty-str": lambda: "",
    "empty-bytes": lambda: b"",
    "none": lambda: None,
    "int": lambda: 12345678901234567890,
    "key-object": lambda: keys.public("RS256"),
}


@pytest.mark.parametrize("alg", keys.HMAC_ALGS)
@pytest.mark.parametrize("name", NOT_A_SECRET)
def test_unusable_hmac_secret_is_an_invalid_key(alg: str, name: str) -> None:
    material = NOT_A_SECRET[name]()
    token = token_for(alg)
    attempts = {
        "decode": lambda: cyjose.decode(token, material, algorithms=[alg]),
        "Verifier": lambda: Verifier(material, algorithms=[alg]),
        "encode": lambda: cyjose.encode(CLAIMS, material, algorithm=alg),
        "Signer": lambda: Signer(material, alg),
    }
    for attempt in attempts.values():
        with pytest.raises(InvalidKeyError) as info:
            attempt()
        assert_no_key_material(info.value, material)


def test_algorithm_confusion_with_a_public_key_as_hmac_secret_is_refused() -> None:
    """The classic attack: HS256 over the verifier's RSA public key PEM."""
    public_pem = keys.public_pem("RS256")
    header = b64url(b'{"alg":"HS256","typ":"JWT"}')
    payload = b64url(b'{"admin":true}')
    signature = hmac.new(public_pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    forged = f"{header}.{payload}.{b64url(signature)}"
    for key in (public_pem, public_pem.decode()):
        with pytest.raises(InvalidKeyError):
            cyjose.decode(forged, key, algorithms=["RS256", "HS256"])
        with pytest.raises(InvalidKeyError):  # the Verifier checks the key for every listed alg up front
            Verifier(key, algorithms=["RS256", "HS256"])


def test_default_key_is_an_empty_hmac_secret() -> None:
    with pytest.raises(InvalidKeyError):
        cyjose.decode(token_for("HS256"), algorithms=["HS256"])


@pytest.mark.parametrize("alg,variant", ASYMMETRIC_CASES, ids=case_id)
@pytest.mark.parametrize("key", ["none", "empty-str", "secret-bytes", "garbage-pem", "int"])
def test_missing_or_malformed_asymmetric_key_is_an_invalid_key(alg: str, variant: str, key: str) -> None:
    material = {
        "none": None,
        "empty-str": "",
        "secret-bytes": keys.secret(),
        "garbage-pem": (
            b"-----BEGIN PUBLIC KEY-----\nTUlJQmlqQU5CZ2txaGtpRzl3MEJBUUVGQUFPQw==\n-----END PUBLIC KEY-----\n"
        ),
        "int": 65537,
    }[key]
    token = token_for(alg, variant)
    with pytest.raises(InvalidKeyError) as info:
        cyjose.decode(token, material, algorithms=[alg])
    assert_no_key_material(info.value, material)
    with pytest.raises(InvalidKeyError):
        Verifier(material, algorithms=[alg])
    with pytest.raises(InvalidKeyError):
        cyjose.encode(CLAIMS, material, algorithm=alg)
    with pytest.raises(InvalidKeyError):
        Signer(material, alg)


@pytest.mark.parametrize("alg", ["EdDSA", "ES256", "RS256"])
def test_key_exchange_key_is_not_a_signing_key(alg: str) -> None:
    """X25519 is an OKP key like Ed25519, but for ECDH only."""
    x_private = x25519.X25519PrivateKey.generate()
    x_public_pem = x_private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = token_for(alg, "ed25519" if alg == "EdDSA" else "")
    for public in (x_private.public_key(), x_public_pem):
        with pytest.raises(InvalidKeyError):
            cyjose.decode(token, public, algorithms=[alg])
    with pytest.raises(InvalidKeyError):
        cyjose.encode(CLAIMS, x_private, algorithm=alg)


@pytest.mark.parametrize("alg", ["HS256", "RS256", "EdDSA"])
def test_str_key_that_is_not_utf8_encodable_is_an_invalid_key(alg: str) -> None:
    """A lone surrogate cannot become key bytes: InvalidKeyError, not UnicodeEncodeError."""
    key = "k\udc80" * 20
    token = token_for(alg, "ed25519" if alg == "EdDSA" else "")
    with pytest.raises(InvalidKeyError):
        cyjose.decode(token, key, algorithms=[alg])
    with pytest.raises(InvalidKeyError):
        Verifier(key, algorithms=[alg])
    with pytest.raises(InvalidKeyError):
        cyjose.encode(CLAIMS, key, algorithm=alg)


def _ssh_string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def test_openssh_ec_key_with_a_compressed_point_is_an_invalid_key() -> None:
    """cryptography raises NotImplementedError for it (found by fuzz/ 'keys'): InvalidKeyError here."""
    point = keys.public("ES256").public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
    blob = b"".join(_ssh_string(part) for part in (b"ecdsa-sha2-nistp256", b"nistp256", point))
    line = b"ecdsa-sha2-nistp256 " + base64.b64encode(blob)
    with pytest.raises(InvalidKeyError, match="not a supported PEM or OpenSSH key"):
        cyjose.decode(token_for("ES256"), line, algorithms=["ES256"])
    with pytest.raises(InvalidKeyError):
        Verifier(line.decode(), algorithms=["ES256"])


def test_encrypted_private_key_is_an_invalid_key() -> None:
    encrypted = keys.private("ES256").private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"passphrase"),
    )
    with pytest.raises(InvalidKeyError) as info:
        cyjose.encode(CLAIMS, encrypted, algorithm="ES256")
    assert_no_key_material(info.value, encrypted)


@pytest.mark.parametrize("alg,variant", ASYMMETRIC_CASES, ids=case_id)
def test_signing_with_a_public_key_is_an_invalid_key(alg: str, variant: str) -> None:
    forms = [keys.public(alg, variant), keys.public_pem(alg, variant), keys.public_pem(alg, variant).decode()]
    if (alg, variant) in SSH_CASES:
        forms.append(keys.public_ssh(alg, variant))
    for public in forms:
        with pytest.raises(InvalidKeyError):
            cyjose.encode(CLAIMS, public, algorithm=alg)
        with pytest.raises(InvalidKeyError):
            PyJWS().encode(b"payload", public, algorithm=alg)
        with pytest.raises(InvalidKeyError):
            Signer(public, alg).sign(CLAIMS)


# --------------------------------------------------------------------------- short keys


def _weak(alg: str) -> Tuple[Any, Any]:
    """(signing key, verifying key) below the recommended size for ``alg``."""
    if alg in keys.HMAC_ALGS:
        secret = b"too-short-secret"[: {"HS256": 16, "HS384": 15, "HS512": 14}[alg]]
        return secret, secret
    return keys.small_rsa(), keys.small_rsa().public_key()


WEAK_ALGS = ["HS256", "HS384", "HS512", "RS256", "PS256"]
ENFORCE = {"enforce_minimum_key_length": True}


def _weak_token(alg: str) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return cyjose.encode(CLAIMS, _weak(alg)[0], algorithm=alg)


# Each path takes (alg, signing key, verifying key, token).
WARNING_PATHS: Dict[str, Callable[[str, Any, Any, str], Any]] = {
    "encode": lambda alg, sk, vk, token: cyjose.encode(CLAIMS, sk, algorithm=alg),
    "decode": lambda alg, sk, vk, token: cyjose.decode(token, vk, algorithms=[alg]),
    "PyJWT.encode": lambda alg, sk, vk, token: PyJWT().encode(CLAIMS, sk, algorithm=alg),
    "PyJWT.decode": lambda alg, sk, vk, token: PyJWT().decode(token, vk, algorithms=[alg]),
    "PyJWS.encode": lambda alg, sk, vk, token: PyJWS().encode(b"{}", sk, algorithm=alg),
    "PyJWS.decode": lambda alg, sk, vk, token: PyJWS().decode(token, vk, algorithms=[alg]),
    "enforcing-PyJWT.decode-overridden": lambda alg, sk, vk, token: PyJWT(options=ENFORCE).decode(
        token, vk, algorithms=[alg], options={"enforce_minimum_key_length": False}
    ),
    "Signer": lambda alg, sk, vk, token: Signer(sk, alg).sign(CLAIMS),
    "Verifier": lambda alg, sk, vk, token: Verifier(vk, algorithms=[alg]).verify(token),
}

ENFORCING_PATHS: Dict[str, Callable[[str, Any, Any, str], Any]] = {
    "decode-options": lambda alg, sk, vk, token: cyjose.decode(token, vk, algorithms=[alg], options=ENFORCE),
    "PyJWT(options).encode": lambda alg, sk, vk, token: PyJWT(options=ENFORCE).encode(CLAIMS, sk, algorithm=alg),
    "PyJWT(options).decode": lambda alg, sk, vk, token: PyJWT(options=ENFORCE).decode(token, vk, algorithms=[alg]),
    "PyJWT.decode-options": lambda alg, sk, vk, token: PyJWT().decode(
        token, vk, algorithms=[alg], options=ENFORCE
    ),
    "PyJWS(options).encode": lambda alg, sk, vk, token: PyJWS(options=ENFORCE).encode(b"{}", sk, algorithm=alg),
    "PyJWS(options).decode": lambda alg, sk, vk, token: PyJWS(options=ENFORCE).decode(token, vk, algorithms=[alg]),
    "PyJWS.decode-options": lambda alg, sk, vk, token: PyJWS().decode(
        token, vk, algorithms=[alg], options=ENFORCE
    ),
    "Signer": lambda alg, sk, vk, token: Signer(sk, alg, enforce_minimum_key_length=True),
    "Verifier": lambda alg, sk, vk, token: Verifier(vk, algorithms=[alg], options=ENFORCE),
}


@pytest.mark.parametrize("alg", WEAK_ALGS)
@pytest.mark.parametrize("path", WARNING_PATHS)
def test_short_key_warns_once_and_still_works(alg: str, path: str) -> None:
    sign_key, verify_key = _weak(alg)
    token = _weak_token(alg)
    with pytest.warns(InsecureKeyLengthWarning) as record:
        result = WARNING_PATHS[path](alg, sign_key, verify_key, token)
    assert len([w for w in record if issubclass(w.category, InsecureKeyLengthWarning)]) == 1
    assert_no_key_material(record[0].message, sign_key if alg in keys.HMAC_ALGS else None)
    if path == "PyJWS.decode":
        assert json.loads(result) == CLAIMS
    elif "decode" in path or path == "Verifier":
        assert result == CLAIMS
    else:
        assert isinstance(result, str) and result.count(".") == 2


@pytest.mark.parametrize("path", WARNING_PATHS)
def test_short_key_warning_is_attributed_to_the_callers_line(path: str) -> None:
    """The warning names the line that called cyjose (each path is a one-line lambda here)."""
    call = WARNING_PATHS[path]
    sign_key, verify_key = _weak("HS256")
    token = _weak_token("HS256")
    with pytest.warns(InsecureKeyLengthWarning) as record:
        call("HS256", sign_key, verify_key, token)
    (warning,) = [w for w in record if issubclass(w.category, InsecureKeyLengthWarning)]
    assert (warning.filename, warning.lineno) == (__file__, call.__code__.co_firstlineno)


@pytest.mark.parametrize("alg", WEAK_ALGS)
@pytest.mark.parametrize("path", ENFORCING_PATHS)
def test_short_key_with_enforced_minimum_is_an_invalid_key(alg: str, path: str) -> None:
    sign_key, verify_key = _weak(alg)
    token = _weak_token(alg)
    with warnings.catch_warnings():
        warnings.simplefilter("error", InsecureKeyLengthWarning)  # raise, do not warn
        with pytest.raises(InvalidKeyError) as info:
            ENFORCING_PATHS[path](alg, sign_key, verify_key, token)
    if alg in keys.HMAC_ALGS:
        assert_no_key_material(info.value, sign_key)


@pytest.mark.parametrize("alg", ["HS256", "RS256"])
def test_enforced_minimum_accepts_full_length_keys(alg: str) -> None:
    token = PyJWT(options=ENFORCE).encode(CLAIMS, signing_key(alg), algorithm=alg)
    assert PyJWT(options=ENFORCE).decode(token, verifying_key(alg), algorithms=[alg]) == CLAIMS
    assert Verifier(verifying_key(alg), algorithms=[alg], options=ENFORCE).verify(token) == CLAIMS


def test_short_rsa_key_as_pem_warns() -> None:
    pem = keys.small_rsa().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = _weak_token("RS256")
    with pytest.warns(InsecureKeyLengthWarning):
        assert cyjose.decode(token, pem, algorithms=["RS256"]) == CLAIMS
    with pytest.raises(InvalidKeyError):
        cyjose.decode(token, pem, algorithms=["RS256"], options=ENFORCE)


def test_rsa_key_too_small_for_pss_is_an_invalid_key() -> None:
    """PS512 needs 64 + 64 + 2 bytes of modulus: a 1024-bit key cannot sign it at all.

    That is a caller's mistake, so it must surface as InvalidKeyError, not as
    cryptography's ValueError from deep inside the signing call.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        with pytest.raises(InvalidKeyError):
            cyjose.encode(CLAIMS, keys.small_rsa(), algorithm="PS512")
        with pytest.raises(InvalidKeyError):
            Signer(keys.small_rsa(), "PS512").sign(CLAIMS)
        with pytest.raises(InvalidSignatureError):  # verifying with it is just a failed check
            cyjose.decode(token_for("PS512"), keys.small_rsa().public_key(), algorithms=["PS512"])
    with pytest.raises(InvalidKeyError):  # the length check comes first when enforced
        PyJWT(options=ENFORCE).encode(CLAIMS, keys.small_rsa(), algorithm="PS512")


# --------------------------------------------------------------------------- alg "none"


def test_encode_without_algorithm_gives_an_unsigned_token() -> None:
    token = cyjose.encode(CLAIMS, None, algorithm=None)
    header, payload, signature = token.split(".")
    assert json.loads(b64url_decode(header)) == {"alg": "none", "typ": "JWT"}
    assert json.loads(b64url_decode(payload)) == CLAIMS
    assert signature == ""
    assert Signer(None, "none").sign(CLAIMS) == token
    assert cyjose.encode(CLAIMS, "", algorithm="none") == token


def test_unsigned_token_is_readable_only_with_verification_off() -> None:
    token = cyjose.encode(CLAIMS, None, algorithm=None)
    off = {"verify_signature": False}
    assert cyjose.decode(token, options=off) == CLAIMS
    assert cyjose.decode(token, "any key", algorithms=["HS256"], options=off) == CLAIMS
    assert Verifier(None, options=off).verify(token) == CLAIMS
    assert PyJWS().decode(token, options=off) == json.dumps(CLAIMS, separators=(",", ":")).encode()


@pytest.mark.parametrize("key", [None, ""])
def test_unsigned_token_fails_signature_verification(key: Any) -> None:
    token = cyjose.encode(CLAIMS, None, algorithm=None)
    with pytest.raises(InvalidSignatureError):
        cyjose.decode(token, key, algorithms=["none"])
    with pytest.raises(InvalidSignatureError):
        PyJWS().decode(token, key, algorithms=["none"])
    with pytest.raises(InvalidSignatureError):
        Verifier(key, algorithms=["none"]).verify(token)


def test_unsigned_token_with_a_key_is_an_invalid_key() -> None:
    token = cyjose.encode(CLAIMS, None, algorithm=None)
    with pytest.raises(InvalidKeyError):
        cyjose.decode(token, "secret-secret-secret-secret-1234", algorithms=["none"])
    with pytest.raises(InvalidKeyError):
        Verifier(keys.public("RS256"), algorithms=["none"])
    with pytest.raises(InvalidKeyError):
        cyjose.encode(CLAIMS, "secret", algorithm=None)


@pytest.mark.parametrize("alg", ["HS256", "RS256", "ES256"])
def test_stripping_the_signature_and_claiming_none_is_refused(alg: str) -> None:
    _, payload, _ = token_for(alg).split(".")
    forged = b64url(b'{"alg":"none","typ":"JWT"}') + f".{payload}."
    with pytest.raises(InvalidAlgorithmError):
        cyjose.decode(forged, verifying_key(alg), algorithms=[alg])
    with pytest.raises(InvalidAlgorithmError):
        Verifier(verifying_key(alg), algorithms=[alg]).verify(forged)
    stripped = token_for(alg).rsplit(".", 1)[0] + "."
    with pytest.raises(InvalidSignatureError):
        cyjose.decode(stripped, verifying_key(alg), algorithms=[alg])


# --------------------------------------------------------------------------- registry


class TruncatedHMAC(Algorithm):
    """A made-up algorithm: HMAC-SHA256 cut to 16 bytes, keys as bytes only."""

    def prepare_key(self, key: Any) -> bytes:
        if not isinstance(key, bytes):
            raise InvalidKeyError("TruncatedHMAC needs a bytes key")
        return key

    def sign(self, msg: bytes, key: bytes) -> bytes:
        return hmac.new(key, msg, hashlib.sha256).digest()[:16]

    def verify(self, msg: bytes, key: bytes, sig: bytes) -> bool:
        return hmac.compare_digest(self.sign(msg, key), sig)


@pytest.fixture
def register() -> Any:
    """``register(name, algorithm)`` on the global registry, undone after the test."""
    names: List[str] = []

    def add(name: str, algorithm: Algorithm) -> None:
        cyjose.register_algorithm(name, algorithm)
        names.append(name)

    yield add
    for name in names:
        try:
            cyjose.unregister_algorithm(name)
        except KeyError:
            pass


def test_custom_algorithm_signs_and_verifies(register: Any) -> None:
    register("XHS16", TruncatedHMAC())
    key = b"custom-algorithm-key"
    token = cyjose.encode(CLAIMS, key, algorithm="XHS16")
    signing_input, signature = token.rsplit(".", 1)
    assert b64url_decode(signature) == hmac.new(key, signing_input.encode(), hashlib.sha256).digest()[:16]
    assert cyjose.get_unverified_header(token) == {"alg": "XHS16", "typ": "JWT"}
    assert cyjose.decode(token, key, algorithms=["XHS16"]) == CLAIMS
    assert Verifier(key, algorithms=["XHS16"]).verify(Signer(key, "XHS16").sign({"n": 1})) == {"n": 1}
    with pytest.raises(InvalidSignatureError):
        cyjose.decode(tamper_payload(token), key, algorithms=["XHS16"])
    with pytest.raises(InvalidKeyError):  # the custom prepare_key is used
        cyjose.decode(token, "a str key", algorithms=["XHS16"])
    with pytest.raises(InvalidAlgorithmError):  # registered is not the same as allowed
        cyjose.decode(token, key, algorithms=["HS256"])

    cyjose.unregister_algorithm("XHS16")
    with pytest.raises(NotImplementedError):
        cyjose.get_algorithm_by_name("XHS16")
    with pytest.raises(NotImplementedError):
        cyjose.encode(CLAIMS, key, algorithm="XHS16")
    with pytest.raises(InvalidAlgorithmError):
        cyjose.decode(token, key, algorithms=["XHS16"])
    with pytest.raises(InvalidAlgorithmError):
        Verifier(key, algorithms=["XHS16"])


def _recording(base: type) -> type:
    class Recording(base):  # type: ignore[valid-type, misc]
        """A built-in algorithm subclass that records its calls: bound keys must honour overrides."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.calls: List[str] = []

        def sign(self, msg: bytes, key: Any) -> bytes:
            self.calls.append("sign")
            return super().sign(msg, key)

        def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
            self.calls.append("verify")
            return super().verify(msg, key, sig)

    return Recording


SUBCLASSED = {
    "HS256": lambda: _recording(HMACAlgorithm)(HMACAlgorithm.SHA256),
    "RS256": lambda: _recording(RSAAlgorithm)(RSAAlgorithm.SHA256),
    "PS256": lambda: _recording(RSAPSSAlgorithm)(RSAPSSAlgorithm.SHA256),
    "ES256": lambda: _recording(ECAlgorithm)(ECAlgorithm.SHA256, ec.SECP256R1),
    "EdDSA": lambda: _recording(OKPAlgorithm)(),
}


@pytest.mark.parametrize("alg", SUBCLASSED)
def test_subclass_of_a_builtin_algorithm_is_honoured(alg: str, register: Any) -> None:
    algorithm = SUBCLASSED[alg]()
    name = f"X-{alg}"
    register(name, algorithm)
    variant = "ed25519" if alg == "EdDSA" else ""
    token = Signer(signing_key(alg, variant), name).sign(CLAIMS)
    assert algorithm.calls == ["sign"]
    assert Verifier(verifying_key(alg, variant), algorithms=[name]).verify(token) == CLAIMS
    assert cyjose.decode(token, verifying_key(alg, variant), algorithms=[name]) == CLAIMS
    assert algorithm.calls == ["sign", "verify", "verify"]
    # The alg name is part of the signed header: renamed to the built-in, the token fails.
    header, payload, signature = token.split(".")
    renamed = f"{b64url(json.dumps({'alg': alg, 'typ': 'JWT'}).encode())}.{payload}.{signature}"
    with pytest.raises(InvalidSignatureError):  # the header is part of what was signed
        cyjose.decode(renamed, verifying_key(alg, variant), algorithms=[alg])


def test_subclass_changing_the_primitive_is_used_for_both_directions(register: Any) -> None:
    class ReversedHMAC(HMACAlgorithm):
        def sign(self, msg: bytes, key: bytes) -> bytes:
            return super().sign(msg, key)[::-1]

        def verify(self, msg: bytes, key: bytes, sig: bytes) -> bool:
            return super().verify(msg, key, sig[::-1])

    register("HS256R", ReversedHMAC(HMACAlgorithm.SHA256))
    key = keys.secret("HS256")
    token = cyjose.encode(CLAIMS, key, algorithm="HS256R")
    signing_input, signature = token.rsplit(".", 1)
    assert b64url_decode(signature) == hmac.new(key, signing_input.encode(), hashlib.sha256).digest()[::-1]
    assert cyjose.decode(token, key, algorithms=["HS256R"]) == CLAIMS
    assert Verifier(key, algorithms=["HS256R"]).verify(token) == CLAIMS


def test_registry_errors() -> None:
    jws = PyJWS()
    with pytest.raises(ValueError):
        jws.register_algorithm("HS256", TruncatedHMAC())
    for not_an_algorithm in (object(), TruncatedHMAC, "HS256", lambda msg, key: msg):
        with pytest.raises(TypeError):
            jws.register_algorithm("XNEW", not_an_algorithm)  # type: ignore[arg-type]
    assert "XNEW" not in jws.get_algorithms()
    with pytest.raises(KeyError):
        jws.unregister_algorithm("XNEW")
    for unknown in ("XNEW", "hs256", "", "HS256 "):
        with pytest.raises(NotImplementedError):
            jws.get_algorithm_by_name(unknown)


def test_instance_registry_is_independent_of_the_global_one() -> None:
    jws = PyJWS()
    jws.register_algorithm("XHS16", TruncatedHMAC())
    assert "XHS16" in jws.get_algorithms()
    with pytest.raises(NotImplementedError):
        cyjose.get_algorithm_by_name("XHS16")
    token = jws.encode(b"{}", b"instance-key", algorithm="XHS16")
    assert jws.decode(token, b"instance-key", algorithms=["XHS16"]) == b"{}"
    with pytest.raises(InvalidAlgorithmError):
        cyjose.decode(token, b"instance-key", algorithms=["XHS16"])

    jws.unregister_algorithm("HS256")
    assert "HS256" not in jws.get_algorithms()
    with pytest.raises(KeyError):
        jws.unregister_algorithm("HS256")
    with pytest.raises(NotImplementedError):
        jws.encode(b"{}", keys.secret(), algorithm="HS256")
    assert isinstance(cyjose.get_algorithm_by_name("HS256"), HMACAlgorithm)  # global untouched


def test_restricted_pyjws_knows_only_its_algorithms() -> None:
    jws = PyJWS(algorithms=["HS256", "ES256"])
    assert sorted(jws.get_algorithms()) == ["ES256", "HS256"]
    with pytest.raises(NotImplementedError):
        jws.encode(b"{}", keys.private("RS256"), algorithm="RS256")
    with pytest.raises(InvalidAlgorithmError):
        jws.decode(token_for("RS256"), keys.public("RS256"), algorithms=["RS256"])
    assert jws.decode(token_for("ES256"), keys.public("ES256"), algorithms=["ES256"]) == json.dumps(
        CLAIMS, separators=(",", ":")
    ).encode()


EXPECTED_CLASS = {
    "none": NoneAlgorithm, "HS256": HMACAlgorithm, "HS384": HMACAlgorithm, "HS512": HMACAlgorithm,
    "RS256": RSAAlgorithm, "RS384": RSAAlgorithm, "RS512": RSAAlgorithm,
    "PS256": RSAPSSAlgorithm, "PS384": RSAPSSAlgorithm, "PS512": RSAPSSAlgorithm,
    "ES256": ECAlgorithm, "ES256K": ECAlgorithm, "ES384": ECAlgorithm, "ES512": ECAlgorithm,
    "ES521": ECAlgorithm, "EdDSA": OKPAlgorithm,
}  # fmt: skip


@pytest.mark.parametrize("name", EXPECTED_CLASS)
def test_get_algorithm_by_name(name: str) -> None:
    algorithm = cyjose.get_algorithm_by_name(name)
    assert type(algorithm) is EXPECTED_CLASS[name]
    assert PyJWS().get_algorithm_by_name(name) is not algorithm  # each PyJWS has its own registry
    assert name in PyJWS().get_algorithms()


HASHES = {
    "HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512,
    "RS256": hashlib.sha256, "RS384": hashlib.sha384, "RS512": hashlib.sha512,
    "PS256": hashlib.sha256, "PS384": hashlib.sha384, "PS512": hashlib.sha512,
    "ES256": hashlib.sha256, "ES256K": hashlib.sha256, "ES384": hashlib.sha384, "ES512": hashlib.sha512,
}  # fmt: skip


@pytest.mark.parametrize("name", HASHES)
def test_compute_hash_digest(name: str) -> None:
    algorithm = cyjose.get_algorithm_by_name(name)
    for data in (b"", b"at_hash input", bytes(range(256)) * 3):
        assert algorithm.compute_hash_digest(data) == HASHES[name](data).digest()


@pytest.mark.parametrize("name", ["none", "EdDSA"])
def test_compute_hash_digest_without_a_hash(name: str) -> None:
    with pytest.raises(NotImplementedError):
        cyjose.get_algorithm_by_name(name).compute_hash_digest(b"data")


@pytest.mark.parametrize(
    "name,good,bad",
    [
        ("RS256", [("RS256", "")], [("ES256", ""), ("EdDSA", "ed25519")]),
        ("PS512", [("PS512", "")], [("ES384", "")]),
        ("ES256", [("ES256", ""), ("ES384", ""), ("ES256K", "")], [("RS256", ""), ("EdDSA", "ed448")]),
        ("EdDSA", [("EdDSA", "ed25519"), ("EdDSA", "ed448")], [("RS256", ""), ("ES512", "")]),
    ],
)
def test_check_crypto_key_type(name: str, good: List[Tuple[str, str]], bad: List[Tuple[str, str]]) -> None:
    algorithm = cyjose.get_algorithm_by_name(name)
    for alg, variant in good:  # the family only; the curve is checked by prepare_key
        assert algorithm.check_crypto_key_type(keys.private(alg, variant)) is None
        assert algorithm.check_crypto_key_type(keys.public(alg, variant)) is None
    for alg, variant in bad:
        with pytest.raises(InvalidKeyError):
            algorithm.check_crypto_key_type(keys.public(alg, variant))
    with pytest.raises(InvalidKeyError):  # text is not a key object
        algorithm.check_crypto_key_type(keys.public_pem(good[0][0], good[0][1]))


@pytest.mark.parametrize("name", ["HS256", "none"])
def test_check_crypto_key_type_on_non_cryptography_algorithm(name: str) -> None:
    with pytest.raises(ValueError):
        cyjose.get_algorithm_by_name(name).check_crypto_key_type(keys.public("RS256"))


@pytest.mark.parametrize("alg,variant", CASES, ids=case_id)
def test_algorithm_objects_sign_and_verify_directly(alg: str, variant: str) -> None:
    algorithm = cyjose.get_algorithm_by_name(alg)
    private = algorithm.prepare_key(signing_key(alg, variant))
    public = algorithm.prepare_key(verifying_key(alg, variant))
    signature = algorithm.sign(b"message", private)
    assert len(signature) == SIGNATURE_SIZE[case_id((alg, variant))]
    assert algorithm.verify(b"message", public, signature) is True
    assert algorithm.verify(b"massage", public, signature) is False
    bound = algorithm.bind_key(verifying_key(alg, variant))
    assert bound.verify(b"message", signature) is True
    assert bound.verify(b"message", signature[:-1] + bytes([signature[-1] ^ 1])) is False
    assert repr(verifying_key(alg, variant)) not in repr(bound)

