"""Interoperability: hand-built tokens, hand verification, and PyJWT 2.15.

"By hand" means straight from ``cryptography``, ``hmac``, ``base64`` and
``json`` -- no cyjose and no PyJWT -- so each side checks the other against
the wire format of RFC 7515 / 7518 / 8037 rather than against itself.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import hashlib
import hmac
import json
import uuid
from typing import Any, Dict, List, Tuple

import jwt as pyjwt
import pytest
import sample_keys as keys
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

import cyjose
from cyjose import InvalidSignatureError, PyJWS, Signer, Verifier

CASES: List[Tuple[str, str]] = [(alg, "") for alg in keys.SIGNING_ALGS if alg != "EdDSA"] + [
    ("EdDSA", "ed25519"),
    ("EdDSA", "ed448"),
]
CLAIMS = {"iss": "https://issuer.example", "sub": "alice", "aud": "svc", "roles": ["a", "b"], "n": 1.5}

HASH = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}
HMAC_HASH = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def case_id(case: Tuple[str, ...]) -> str:
    return "-".join(part for part in case if part)


def signing_key(alg: str, variant: str = "") -> Any:
    return keys.secret(alg) if alg in keys.HMAC_ALGS else keys.private(alg, variant)


def verifying_key(alg: str, variant: str = "") -> Any:
    return keys.secret(alg) if alg in keys.HMAC_ALGS else keys.public(alg, variant)


# --------------------------------------------------------------------------- by hand


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _ec_size(key: Any) -> int:
    return (key.curve.key_size + 7) // 8


def hand_sign(alg: str, key: Any, signing_input: bytes) -> bytes:
    """The JWS signature of ``signing_input`` per RFC 7518 / RFC 8037, from the primitives."""
    if alg.startswith("HS"):
        return hmac.new(key, signing_input, HMAC_HASH[alg]).digest()
    if alg == "EdDSA":
        return key.sign(signing_input)
    digest = HASH[alg[2:5]]()
    if alg.startswith("RS"):
        return key.sign(signing_input, padding.PKCS1v15(), digest)
    if alg.startswith("PS"):
        pss = padding.PSS(mgf=padding.MGF1(HASH[alg[2:5]]()), salt_length=digest.digest_size)
        return key.sign(signing_input, pss, digest)
    r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(digest)))
    size = _ec_size(key)
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")  # JOSE: fixed-size r || s


def hand_verify(alg: str, key: Any, signing_input: bytes, signature: bytes) -> None:
    """Raise unless ``signature`` is a valid JWS signature; checks the raw ECDSA size too."""
    if alg.startswith("HS"):
        if not hmac.compare_digest(hmac.new(key, signing_input, HMAC_HASH[alg]).digest(), signature):
            raise InvalidSignature()
        return
    if alg == "EdDSA":
        key.verify(signature, signing_input)
        return
    digest = HASH[alg[2:5]]()
    if alg.startswith("RS"):
        key.verify(signature, signing_input, padding.PKCS1v15(), digest)
    elif alg.startswith("PS"):
        pss = padding.PSS(mgf=padding.MGF1(HASH[alg[2:5]]()), salt_length=digest.digest_size)
        key.verify(signature, signing_input, pss, digest)
    else:
        size = _ec_size(key)
        assert len(signature) == 2 * size, "ECDSA signature must be raw r||s of the curve size"
        r = int.from_bytes(signature[:size], "big")
        s = int.from_bytes(signature[size:], "big")
        key.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(digest))


def hand_token(alg: str, key: Any, header: Dict[str, Any], claims: Any, pretty: bool = True) -> str:
    """A compact JWS built from scratch; ``pretty`` JSON has spaces, as another library may emit."""
    dump = (lambda v: json.dumps(v, indent=1)) if pretty else (lambda v: json.dumps(v, separators=(",", ":")))
    header_b64 = b64u(dump(header).encode())
    payload_b64 = b64u(claims if isinstance(claims, bytes) else dump(claims).encode())
    signing_input = f"{header_b64}.{payload_b64}".encode()
    return f"{header_b64}.{payload_b64}.{b64u(hand_sign(alg, key, signing_input))}"


def hand_check(alg: str, key: Any, token: str) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """Verify ``token`` by hand; return (header, claims)."""
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = json.loads(b64u_decode(header_b64))
    assert header["alg"] == alg
    hand_verify(alg, key, f"{header_b64}.{payload_b64}".encode(), b64u_decode(signature_b64))
    return header, json.loads(b64u_decode(payload_b64))


# --------------------------------------------------------------------------- hand-built -> cyjose


@pytest.mark.parametrize("pretty", [True, False], ids=["spaced-json", "compact-json"])
@pytest.mark.parametrize("alg,variant", CASES, ids=case_id)
def test_hand_built_token_verifies_with_cyjose(alg: str, variant: str, pretty: bool) -> None:
    header = {"typ": "JWT", "alg": alg, "kid": "hand-1"}
    token = hand_token(alg, signing_key(alg, variant), header, CLAIMS, pretty=pretty)
    key = verifying_key(alg, variant)
    assert cyjose.decode(token, key, algorithms=[alg], audience="svc") == CLAIMS
    complete = cyjose.decode_complete(token, key, algorithms=[alg], audience="svc")
    assert complete["header"] == header
    assert b64u(complete["signature"]) == token.rsplit(".", 1)[1]
    assert Verifier(key, algorithms=[alg], audience="svc", issuer="https://issuer.example").verify(token) == CLAIMS


@pytest.mark.parametrize("alg,variant", CASES, ids=case_id)
def test_hand_built_jws_with_arbitrary_payload_bytes(alg: str, variant: str) -> None:
    payload = "ünïcode \x00 and not JSON".encode()
    token = hand_token(alg, signing_key(alg, variant), {"alg": alg}, payload, pretty=False)
    assert PyJWS().decode(token, verifying_key(alg, variant), algorithms=[alg]) == payload


@pytest.mark.parametrize("alg,variant", CASES, ids=case_id)
def test_hand_built_token_with_a_wrong_signature_is_refused(alg: str, variant: str) -> None:
    """Signature computed over a different payload than the one carried."""
    token = hand_token(alg, signing_key(alg, variant), {"alg": alg}, {"sub": "alice"})
    header_b64, _, signature = token.split(".")
    forged = f"{header_b64}.{b64u(json.dumps({'sub': 'mallory'}).encode())}.{signature}"
    with pytest.raises(InvalidSignatureError):
        cyjose.decode(forged, verifying_key(alg, variant), algorithms=[alg])
    with pytest.raises(InvalidSignatureError):
        Verifier(verifying_key(alg, variant), algorithms=[alg]).verify(forged)


@pytest.mark.parametrize("alg", keys.EC_ALGS)
def test_hand_built_ecdsa_with_der_signature_is_refused(alg: str) -> None:
    """JOSE carries raw r||s; a DER (X9.62) signature -- what OpenSSL emits -- must not verify."""
    header_b64 = b64u(json.dumps({"alg": alg}).encode())
    payload_b64 = b64u(json.dumps(CLAIMS).encode())
    der = keys.private(alg).sign(f"{header_b64}.{payload_b64}".encode(), ec.ECDSA(HASH[alg[2:5]]()))
    with pytest.raises(InvalidSignatureError):
        cyjose.decode(f"{header_b64}.{payload_b64}.{b64u(der)}", keys.public(alg), algorithms=[alg])


def _short_component_signature(alg: str, signing_input: bytes) -> bytes:
    """A raw ES signature whose r or s has a leading zero byte (about 1 in 128 signatures)."""
    key = keys.private(alg)
    size = _ec_size(key)
    for _ in range(5000):
        signature = hand_sign(alg, key, signing_input)
        if signature[0] == 0 or signature[size] == 0:
            return signature
    raise AssertionError("no short r/s found")  # pragma: no cover - probability ~ 1e-17


@pytest.mark.parametrize("alg", ["ES256", "ES384"])
def test_hand_built_ecdsa_with_short_r_or_s_verifies(alg: str) -> None:
    """r, s shorter than the curve size are left-padded with zeros: cyjose must accept that."""
    header_b64 = b64u(b'{"alg":"%s"}' % alg.encode())
    payload_b64 = b64u(json.dumps(CLAIMS).encode())
    signature = _short_component_signature(alg, f"{header_b64}.{payload_b64}".encode())
    token = f"{header_b64}.{payload_b64}.{b64u(signature)}"
    assert cyjose.decode(token, keys.public(alg), algorithms=[alg], audience="svc") == CLAIMS


def test_cyjose_ecdsa_signature_with_short_r_or_s_is_still_fixed_size() -> None:
    size = 32
    for n in range(5000):
        token = cyjose.encode({"n": n}, keys.private("ES256"), algorithm="ES256")
        signature = b64u_decode(token.split(".")[2])
        assert len(signature) == 2 * size
        if signature[0] == 0 or signature[size] == 0:
            hand_check("ES256", keys.public("ES256"), token)
            return
    raise AssertionError("no short r/s found")  # pragma: no cover - probability ~ 1e-17


# --------------------------------------------------------------------------- cyjose -> by hand


@pytest.mark.parametrize("alg,variant", CASES, ids=case_id)
def test_cyjose_token_verifies_by_hand(alg: str, variant: str) -> None:
    token = cyjose.encode(CLAIMS, signing_key(alg, variant), algorithm=alg, headers={"kid": "k7"})
    header, claims = hand_check(alg, verifying_key(alg, variant), token)
    assert header == {"alg": alg, "typ": "JWT", "kid": "k7"}
    assert claims == CLAIMS
    # A bit flipped anywhere in what was signed makes the hand check fail: it really checks.
    header_b64, payload_b64, signature_b64 = token.split(".")
    with pytest.raises(InvalidSignature):
        hand_verify(
            alg, verifying_key(alg, variant), f"{header_b64}.{payload_b64}x".encode(), b64u_decode(signature_b64)
        )


@pytest.mark.parametrize("alg,variant", CASES, ids=case_id)
def test_signer_token_verifies_by_hand(alg: str, variant: str) -> None:
    signer = Signer(signing_key(alg, variant), alg)
    for n in range(2):
        header, claims = hand_check(alg, verifying_key(alg, variant), signer.sign({"n": n}))
        assert claims == {"n": n}
        assert header == {"alg": alg, "typ": "JWT"}
    payload = b"raw \xff bytes"
    header_b64, payload_b64, signature_b64 = signer.sign_bytes(payload).split(".")
    assert b64u_decode(payload_b64) == payload
    signing_input = f"{header_b64}.{payload_b64}".encode()
    hand_verify(alg, verifying_key(alg, variant), signing_input, b64u_decode(signature_b64))


@pytest.mark.parametrize("alg", ["HS256", "ES256", "EdDSA"])
def test_detached_unencoded_payload_interop_by_hand(alg: str) -> None:
    """RFC 7797: b64=false signs ``header_b64 + "." + raw payload``; compact form leaves it out."""
    payload = b"$.02 raw, unencoded"
    key = signing_key(alg, "ed25519" if alg == "EdDSA" else "")
    public = verifying_key(alg, "ed25519" if alg == "EdDSA" else "")
    token = PyJWS().encode(payload, key, algorithm=alg, is_payload_detached=True)
    header_b64, empty, signature_b64 = token.split(".")
    assert empty == ""
    assert json.loads(b64u_decode(header_b64)) == {"alg": alg, "b64": False, "crit": ["b64"], "typ": "JWT"}
    hand_verify(alg, public, header_b64.encode() + b"." + payload, b64u_decode(signature_b64))

    header_b64 = b64u(json.dumps({"alg": alg, "b64": False, "crit": ["b64"]}).encode())
    signature = hand_sign(alg, key, header_b64.encode() + b"." + payload)
    hand_built = f"{header_b64}..{b64u(signature)}"
    assert PyJWS().decode(hand_built, public, algorithms=[alg], detached_payload=payload) == payload
    with pytest.raises(InvalidSignatureError):
        PyJWS().decode(hand_built, public, algorithms=[alg], detached_payload=payload + b"!")


# --------------------------------------------------------------------------- PyJWT 2.15


class Encoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, (decimal.Decimal, uuid.UUID)):
            return str(o)
        if isinstance(o, set):
            return sorted(o)
        return super().default(o)


UTC = datetime.timezone.utc
PLUS_5 = datetime.timezone(datetime.timedelta(hours=5, minutes=30))

ENCODE_INPUTS: Dict[str, Dict[str, Any]] = {
    "plain": {"payload": {"sub": "1234567890", "name": "John Doe", "admin": True}},
    "headers": {"payload": CLAIMS, "headers": {"kid": "key-1", "cty": "JWT", "x5t": "dGh1bWI", "zip": None}},
    "typ-override": {"payload": CLAIMS, "headers": {"typ": "at+jwt"}},
    "typ-removed": {"payload": CLAIMS, "headers": {"typ": None, "kid": "k"}},
    "typ-empty": {"payload": CLAIMS, "headers": {"typ": ""}},
    "unsorted-headers": {
        "payload": CLAIMS,
        "headers": {"zeta": 1, "kid": "k", "alpha": {"y": 2, "b": 1}},
        "sort_headers": False,
    },
    "sorted-headers": {"payload": CLAIMS, "headers": {"zeta": 1, "kid": "k", "alpha": {"y": 2, "b": 1}}},
    "b64-true-dropped": {"payload": CLAIMS, "headers": {"b64": True}},
    "json-encoder": {
        "payload": {"amount": decimal.Decimal("10.50"), "id": uuid.UUID(int=42), "tags": {"b", "a"}},
        "headers": {"kid": uuid.UUID(int=7).hex, "trace": uuid.UUID(int=9)},
        "json_encoder": Encoder,
    },
    "datetime-claims": {
        "payload": {
            "exp": datetime.datetime(2040, 1, 1, 12, 30, 15, 999999, tzinfo=UTC),
            "iat": datetime.datetime(2020, 2, 29, 23, 59, 59, tzinfo=PLUS_5),
            "nbf": datetime.datetime(2021, 6, 1, 8, 0, 0),  # naive: taken as UTC
            "auth_time": 1_600_000_000,
        }
    },
    "non-ascii": {
        "payload": {"name": "Zoë ☃ \U0001f600", "emoji_key_\u00e9": "\u2028"},
        "headers": {"kid": "ключ"},
    },
    "numbers-and-nesting": {
        "payload": {"big": 2**70, "neg": -1, "f": 1e-7, "nested": {"z": [1, {"y": None}], "a": 0.1}, "": ""}
    },
    "empty-payload": {"payload": {}},
}

DETERMINISTIC = [
    ("HS256", ""), ("HS384", ""), ("HS512", ""),
    ("RS256", ""), ("RS384", ""), ("RS512", ""),
    ("EdDSA", "ed25519"), ("EdDSA", "ed448"),
]  # fmt: skip


@pytest.mark.parametrize("name", ENCODE_INPUTS)
@pytest.mark.parametrize("alg,variant", DETERMINISTIC, ids=case_id)
def test_encode_is_byte_identical_to_pyjwt(alg: str, variant: str, name: str) -> None:
    kwargs = ENCODE_INPUTS[name]
    key = signing_key(alg, variant)
    expected = pyjwt.encode(key=key, algorithm=alg, **kwargs)
    assert cyjose.encode(key=key, algorithm=alg, **kwargs) == expected
    assert cyjose.PyJWT().encode(key=key, algorithm=alg, **kwargs) == expected
    signer = Signer(
        key,
        alg,
        headers=kwargs.get("headers"),
        json_encoder=kwargs.get("json_encoder"),
        sort_headers=kwargs.get("sort_headers", True),
    )
    assert signer.sign(kwargs["payload"]) == expected


@pytest.mark.parametrize("alg", ["HS256", "RS256"])
@pytest.mark.parametrize("form", ["pem-str", "pem-bytes", "str-secret"])
def test_encode_is_byte_identical_to_pyjwt_for_text_keys(alg: str, form: str) -> None:
    if alg == "HS256":
        key: Any = keys.secret().hex() if form == "str-secret" else keys.secret()
    else:
        key = keys.private_pem(alg).decode() if form == "pem-str" else keys.private_pem(alg)
    assert cyjose.encode(CLAIMS, key, algorithm=alg) == pyjwt.encode(CLAIMS, key, algorithm=alg)


def test_default_algorithm_and_header_alg_precedence_match_pyjwt() -> None:
    key = keys.secret("HS512")
    assert cyjose.encode(CLAIMS, key) == pyjwt.encode(CLAIMS, key)  # HS256 by default
    for headers in ({"alg": "HS512"}, {"alg": "HS512", "kid": "x"}, {"alg": ""}):
        assert cyjose.encode(CLAIMS, key, "HS384", headers=headers) == pyjwt.encode(
            CLAIMS, key, "HS384", headers=headers
        )
    assert cyjose.encode(CLAIMS, None, algorithm=None) == pyjwt.encode(CLAIMS, None, algorithm=None)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"payload": b"raw payload"},
        {"payload": b"", "headers": {"kid": "k"}},
        {"payload": b"$.02", "is_payload_detached": True},
        {"payload": b"$.02", "headers": {"b64": False}},
        {"payload": b"$.02", "headers": {"b64": False, "crit": ["exp"]}},
        {"payload": b"{}", "headers": {"z": 1, "a": 2}, "sort_headers": False},
    ],
    ids=["raw", "empty", "detached", "b64-false", "b64-false-crit", "unsorted"],
)
@pytest.mark.parametrize("alg", ["HS256", "RS512"])
def test_jws_encode_is_byte_identical_to_pyjwt(alg: str, kwargs: Dict[str, Any]) -> None:
    key = signing_key(alg)
    expected = pyjwt.PyJWS().encode(key=key, algorithm=alg, **kwargs)
    assert PyJWS().encode(key=key, algorithm=alg, **kwargs) == expected


@pytest.mark.parametrize("alg,variant", CASES, ids=case_id)
def test_pyjwt_token_decodes_with_cyjose(alg: str, variant: str) -> None:
    claims = {**CLAIMS, "exp": datetime.datetime.now(tz=UTC) + datetime.timedelta(minutes=5)}
    token = pyjwt.encode(claims, signing_key(alg, variant), algorithm=alg, headers={"kid": "py"})
    key = verifying_key(alg, variant)
    decoded = cyjose.decode(token, key, algorithms=[alg], audience="svc")
    assert decoded == pyjwt.decode(token, key, algorithms=[alg], audience="svc")
    assert Verifier(key, algorithms=[alg], audience="svc").verify(token) == decoded
    assert cyjose.decode_complete(token, key, algorithms=[alg], audience="svc")["header"] == {
        "alg": alg, "typ": "JWT", "kid": "py"
    }  # fmt: skip


@pytest.mark.parametrize("alg,variant", CASES, ids=case_id)
def test_cyjose_token_decodes_with_pyjwt(alg: str, variant: str) -> None:
    claims = {**CLAIMS, "exp": datetime.datetime.now(tz=UTC) + datetime.timedelta(minutes=5)}
    key = verifying_key(alg, variant)
    for token in (
        cyjose.encode(claims, signing_key(alg, variant), algorithm=alg, headers={"kid": "cy"}),
        Signer(signing_key(alg, variant), alg, headers={"kid": "cy"}).sign(claims),
    ):
        complete = pyjwt.decode_complete(token, key, algorithms=[alg], audience="svc")
        assert complete["payload"] == cyjose.decode(token, key, algorithms=[alg], audience="svc")
        assert complete["header"] == {"alg": alg, "typ": "JWT", "kid": "cy"}


@pytest.mark.parametrize("alg,variant", [c for c in CASES if c[0] not in keys.HMAC_ALGS], ids=case_id)
def test_pem_keys_cross_both_ways(alg: str, variant: str) -> None:
    private_pem, public_pem = keys.private_pem(alg, variant), keys.public_pem(alg, variant).decode()
    from_cyjose = cyjose.encode(CLAIMS, private_pem, alg)
    assert pyjwt.decode(from_cyjose, public_pem, algorithms=[alg], audience="svc") == CLAIMS
    from_pyjwt = pyjwt.encode(CLAIMS, private_pem, alg)
    assert cyjose.decode(from_pyjwt, public_pem, algorithms=[alg], audience="svc") == CLAIMS


@pytest.mark.parametrize("alg", ["HS256", "ES256", "PS256"])
def test_detached_payload_tokens_cross_both_ways(alg: str) -> None:
    payload = b"detached $.02"
    key, public = signing_key(alg), verifying_key(alg)
    from_pyjwt = pyjwt.PyJWS().encode(payload, key, algorithm=alg, is_payload_detached=True)
    assert PyJWS().decode(from_pyjwt, public, algorithms=[alg], detached_payload=payload) == payload
    from_cyjose = PyJWS().encode(payload, key, algorithm=alg, is_payload_detached=True)
    assert pyjwt.PyJWS().decode(from_cyjose, public, algorithms=[alg], detached_payload=payload) == payload


def test_pyjwt_tampered_token_is_refused_by_cyjose() -> None:
    """Agreement on failures too: PyJWT and cyjose both refuse the same forgery."""
    token = pyjwt.encode(CLAIMS, keys.private("ES256"), algorithm="ES256")
    header_b64, _, signature = token.split(".")
    forged = f"{header_b64}.{b64u(json.dumps({**CLAIMS, 'sub': 'mallory'}).encode())}.{signature}"
    with pytest.raises(pyjwt.InvalidSignatureError):
        pyjwt.decode(forged, keys.public("ES256"), algorithms=["ES256"], audience="svc")
    with pytest.raises(InvalidSignatureError):
        cyjose.decode(forged, keys.public("ES256"), algorithms=["ES256"], audience="svc")


def test_pyjwt_unsigned_token_reads_with_verification_off() -> None:
    token = pyjwt.encode(CLAIMS, None, algorithm=None)
    assert cyjose.decode(token, options={"verify_signature": False}) == CLAIMS
    with pytest.raises(InvalidSignatureError):
        cyjose.decode(token, algorithms=["none"])

