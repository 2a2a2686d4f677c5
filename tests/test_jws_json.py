"""The JWS JSON serialization (RFC 7515 §7.2): ``cyjose.jws.sign_json`` / ``verify_json``.

Round trips in both forms, every refusal, the header split rules, detached
and unencoded payloads, interop with jwcrypto and joserfc in both
directions, and the published examples (RFC 7520 §4, RFC 7797, RFC 7515
A.6/A.7) from ``../shared/vectors`` (skipped when that folder is absent).
Signatures are also checked by hand (``hmac``/``cryptography``), so the
wire format is tested against the RFC and not only against cyjose itself.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any, Dict

import pytest
import sample_keys as keys
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from hypothesis import given, settings
from hypothesis import strategies as st

import cyjose
from cyjose import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidTokenError,
    PyJWK,
    PyJWKSet,
    PyJWTError,
    UnknownKeyError,
)
from cyjose.jws import MAX_SIGNATURES, JWSSigner, sign_json, verify_json

PAYLOAD = b"It\xe2\x80\x99s a payload: {\"n\": 1}"
HS = keys.secret("HS256")


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64u_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def protected(header: Dict[str, Any]) -> str:
    return b64u(json.dumps(header).encode())


def hs256(signing_input: str, secret: bytes = HS) -> str:
    return b64u(hmac.new(secret, signing_input.encode("utf-8"), hashlib.sha256).digest())


def hand_flattened(header: Dict[str, Any], unprotected: Any = None, payload: bytes = PAYLOAD) -> Dict[str, Any]:
    """A flattened HS256 JWS built without cyjose."""
    seg, body = protected(header), b64u(payload)
    obj: Dict[str, Any] = {"payload": body, "protected": seg, "signature": hs256(f"{seg}.{body}")}
    if unprotected is not None:
        obj["header"] = unprotected
    return obj


def public_jwk(alg: str, kid: str, variant: str = "") -> Dict[str, Any]:
    """The public JWK for ``keys``' key of ``alg`` (the secret itself for HMAC)."""
    if alg in keys.HMAC_ALGS:
        return {"kty": "oct", "k": b64u(keys.secret(alg)), "kid": kid, "alg": alg}
    jwk = json.loads(cyjose.get_algorithm_by_name(alg).to_jwk(keys.public(alg, variant)))
    return {**jwk, "kid": kid, "alg": alg}


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("alg", keys.SIGNING_ALGS)
def test_flattened_round_trip_every_algorithm(alg: str) -> None:
    obj = sign_json(PAYLOAD, JWSSigner(keys.signing_key(alg), alg), flattened=True)
    assert set(obj) == {"payload", "protected", "signature"}
    assert b64u_decode(obj["payload"]) == PAYLOAD
    assert json.loads(b64u_decode(obj["protected"])) == {"alg": alg}
    result = verify_json(json.dumps(obj), keys.verifying_key(alg), [alg])
    assert result["payload"] == PAYLOAD
    assert result["header"] == {"alg": alg}
    assert result["signatures"][0]["verified"] is True
    assert result["signatures"][0]["signature"] == b64u_decode(obj["signature"])


def test_hmac_signature_matches_a_hand_computation() -> None:
    obj = sign_json(PAYLOAD, [JWSSigner(HS, "HS256", {"kid": "k"}, {"x": 1})])
    sig = obj["signatures"][0]
    assert sig["signature"] == hs256(f"{sig['protected']}.{obj['payload']}")
    assert sig["header"] == {"x": 1}
    assert json.loads(b64u_decode(sig["protected"])) == {"alg": "HS256", "kid": "k"}


def test_ecdsa_signature_verifies_by_hand() -> None:
    obj = sign_json(PAYLOAD, JWSSigner(keys.private_pem("ES256"), "ES256"), flattened=True)
    raw = b64u_decode(obj["signature"])
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    signing_input = f"{obj['protected']}.{obj['payload']}".encode()
    keys.public("ES256").verify(der, signing_input, ec.ECDSA(hashes.SHA256()))


ALG_GROUPS = [("HS256",), ("HS384", "ES256"), ("RS256", "ES384", "EdDSA"), ("PS512", "ES256K", "HS512")]


@pytest.mark.parametrize("algs", ALG_GROUPS, ids="+".join)
def test_general_round_trip_with_a_key_set(algs: tuple) -> None:
    signers = [JWSSigner(keys.signing_key(alg), alg, unprotected={"kid": f"k-{alg}"}) for alg in algs]
    obj = sign_json(PAYLOAD, signers)
    assert len(obj["signatures"]) == len(algs)
    jwks = {"keys": [public_jwk(alg, f"k-{alg}") for alg in algs]}
    for form in (obj, json.dumps(obj), json.dumps(obj).encode()):
        result = verify_json(form, jwks, list(algs), require_all=True)
        assert result["payload"] == PAYLOAD
        assert [s["verified"] for s in result["signatures"]] == [True] * len(algs)
        assert [s["header"] for s in result["signatures"]] == [{"alg": a, "kid": f"k-{a}"} for a in algs]
        assert [s["protected"] for s in result["signatures"]] == [{"alg": a} for a in algs]


@pytest.mark.parametrize("algs", ALG_GROUPS[1:], ids="+".join)
def test_general_with_one_single_key_checks_only_its_signatures(algs: tuple) -> None:
    obj = sign_json(PAYLOAD, [JWSSigner(keys.signing_key(alg), alg) for alg in algs])
    for index, alg in enumerate(algs):
        result = verify_json(obj, keys.verifying_key(alg), [alg])
        assert [s["verified"] for s in result["signatures"]] == [i == index for i in range(len(algs))]
        assert result["header"] == {"alg": alg}
        with pytest.raises(InvalidAlgorithmError, match="not allowed"):
            verify_json(obj, keys.verifying_key(alg), [alg], require_all=True)


def test_pyjwk_signs_with_its_own_algorithm_and_verifies_by_kid() -> None:
    private = PyJWK({**public_jwk("ES256", "a"), "d": b64u(
        keys.private("ES256").private_numbers().private_value.to_bytes(32, "big"))})
    obj = sign_json(PAYLOAD, [JWSSigner(private, headers={"kid": "a"}),
                              JWSSigner(keys.secret("HS256"), "HS256", {"kid": "b"})])
    assert json.loads(b64u_decode(obj["signatures"][0]["protected"])) == {"alg": "ES256", "kid": "a"}
    public = PyJWK(public_jwk("ES256", "a"))
    result = verify_json(obj, public)  # the PyJWK's own algorithm is the default allow-list
    assert [s["verified"] for s in result["signatures"]] == [True, False]
    with pytest.raises(UnknownKeyError):
        verify_json(obj, PyJWK(public_jwk("ES256", "other-kid")))


def test_lone_pyjwk_without_kid_serves_any_kid() -> None:
    obj = sign_json(PAYLOAD, JWSSigner(HS, "HS256", unprotected={"kid": "whatever"}), flattened=True)
    jwk = public_jwk("HS256", "x")
    del jwk["kid"]
    assert verify_json(obj, PyJWK(jwk))["payload"] == PAYLOAD


def test_key_forms_pem_ssh_and_objects() -> None:
    obj = sign_json(PAYLOAD, [JWSSigner(keys.private_pem("RS256"), "RS256"),
                              JWSSigner(keys.private_ssh("EdDSA"), "EdDSA")])
    assert verify_json(obj, keys.public_pem("RS256"), ["RS256"])["signatures"][0]["verified"]
    assert verify_json(obj, keys.public_ssh("EdDSA"), ["EdDSA"])["signatures"][1]["verified"]
    assert verify_json(obj, keys.public("EdDSA"), "EdDSA")["signatures"][1]["verified"]


def test_headers_typ_and_sorting() -> None:
    obj = sign_json(PAYLOAD, JWSSigner(HS, "HS256", {"typ": "JOSE+JSON", "cty": "x"}), flattened=True,
                    sort_headers=False)
    assert b64u_decode(obj["protected"]) == b'{"typ":"JOSE+JSON","alg":"HS256","cty":"x"}'  # PyJWT's order
    sorted_obj = sign_json(PAYLOAD, JWSSigner(HS, "HS256", {"typ": "JOSE+JSON", "cty": "x"}), flattened=True)
    assert b64u_decode(sorted_obj["protected"]) == b'{"alg":"HS256","cty":"x","typ":"JOSE+JSON"}'


def test_signer_repr_hides_the_key() -> None:
    signer = JWSSigner(b"top-secret-hmac-key-material-012345", "HS256", {"kid": "k"})
    assert "top-secret" not in repr(signer)
    assert "HS256" in repr(signer)


# --------------------------------------------------------------------------- the multi-signature policy


def _three_signatures() -> Dict[str, Any]:
    return sign_json(PAYLOAD, [
        JWSSigner(keys.secret("HS256"), "HS256", {"kid": "h"}),
        JWSSigner(keys.private("ES256"), "ES256", unprotected={"kid": "e"}),
        JWSSigner(keys.private("RS256"), "RS256", {"kid": "r"}),
    ])


def test_signatures_without_a_key_are_skipped_unless_require_all() -> None:
    obj = _three_signatures()
    jwks = {"keys": [public_jwk("HS256", "h"), public_jwk("RS256", "r")]}
    result = verify_json(obj, jwks, ["HS256", "ES256", "RS256"])
    assert [s["verified"] for s in result["signatures"]] == [True, False, True]
    with pytest.raises(UnknownKeyError, match='"e"|e'):
        verify_json(obj, jwks, ["HS256", "ES256", "RS256"], require_all=True)


def test_a_known_key_whose_signature_fails_fails_everything() -> None:
    obj = _three_signatures()
    jwks = {"keys": [public_jwk("HS256", "h"), public_jwk("ES256", "e", variant="other")]}
    with pytest.raises(InvalidSignatureError):
        verify_json(obj, jwks, ["HS256", "ES256"])


def test_a_corrupted_signature_among_good_ones_fails() -> None:
    obj = _three_signatures()
    obj["signatures"][2]["signature"] = obj["signatures"][0]["signature"]
    jwks = {"keys": [public_jwk("HS256", "h"), public_jwk("RS256", "r")]}
    with pytest.raises(InvalidSignatureError):
        verify_json(obj, jwks, ["HS256", "RS256"])
    assert verify_json(obj, jwks, ["HS256"])["signatures"][0]["verified"]


def test_nothing_checked_raises_the_first_reason() -> None:
    obj = _three_signatures()
    with pytest.raises(InvalidAlgorithmError, match="not allowed"):
        verify_json(obj, HS, ["HS512"])
    with pytest.raises(UnknownKeyError, match="Unable to find"):
        verify_json(obj, {"keys": [public_jwk("HS256", "nope")]}, ["HS256"])


def test_set_without_kid_uses_the_only_key_for_the_algorithm() -> None:
    obj = sign_json(PAYLOAD, JWSSigner(keys.private("ES256"), "ES256"), flattened=True)
    one = {"keys": [public_jwk("ES256", "a"), public_jwk("HS256", "b")]}
    assert verify_json(obj, PyJWKSet.from_dict(one), ["ES256"])["payload"] == PAYLOAD
    two = {"keys": [public_jwk("ES256", "a"), public_jwk("ES256", "b", variant="other")]}
    with pytest.raises(UnknownKeyError):
        verify_json(obj, two, ["ES256"])


def test_set_keys_sharing_a_kid_are_chosen_by_algorithm() -> None:
    obj = sign_json(PAYLOAD, [JWSSigner(keys.private("RS256"), "RS256", {"kid": "same"}),
                              JWSSigner(keys.private("ES384"), "ES384", {"kid": "same"})])
    jwks = {"keys": [public_jwk("RS256", "same"), public_jwk("ES384", "same")]}
    result = verify_json(obj, jwks, ["RS256", "ES384"], require_all=True)
    assert all(s["verified"] for s in result["signatures"])


def test_set_key_published_for_encryption_is_passed_over() -> None:
    obj = sign_json(PAYLOAD, JWSSigner(HS, "HS256", {"kid": "h"}), flattened=True)
    with pytest.raises(UnknownKeyError):
        verify_json(obj, {"keys": [{**public_jwk("HS256", "h"), "use": "enc"}]}, ["HS256"])


def test_lone_pyjwk_refusing_verify_raises_invalid_key() -> None:
    obj = sign_json(PAYLOAD, JWSSigner(HS, "HS256"), flattened=True)
    with pytest.raises(InvalidKeyError):
        verify_json(obj, PyJWK({**public_jwk("HS256", "h"), "key_ops": ["sign"]}))


# --------------------------------------------------------------------------- verification failures


def test_tampered_payload_protected_header_or_signature() -> None:
    obj = sign_json(PAYLOAD, JWSSigner(HS, "HS256", {"kid": "k"}), flattened=True)
    for member, value in (
        ("payload", b64u(PAYLOAD + b"!")),
        ("protected", protected({"alg": "HS256", "kid": "j"})),
        ("signature", b64u(b"\x00" * 32)),
    ):
        with pytest.raises(InvalidSignatureError, match="Signature verification failed"):
            verify_json({**obj, member: value}, HS, ["HS256"])


def test_wrong_key() -> None:
    obj = sign_json(PAYLOAD, JWSSigner(keys.private("PS256"), "PS256"), flattened=True)
    with pytest.raises(InvalidSignatureError):
        verify_json(obj, keys.public("PS256", "other"), ["PS256"])


def test_unprotected_header_is_not_signed_but_reported_apart() -> None:
    obj = sign_json(PAYLOAD, JWSSigner(HS, "HS256", unprotected={"note": "a"}), flattened=True)
    result = verify_json({**obj, "header": {"note": "changed"}}, HS, ["HS256"])
    assert result["header"] == {"alg": "HS256", "note": "changed"}
    assert result["signatures"][0]["protected"] == {"alg": "HS256"}


def test_alg_only_in_the_unprotected_header_is_accepted_as_rfc_7515_allows() -> None:
    body = b64u(PAYLOAD)
    obj = {"payload": body, "header": {"alg": "HS256"}, "signature": hs256(f".{body}")}
    assert verify_json(obj, HS, ["HS256"])["header"] == {"alg": "HS256"}
    with pytest.raises(InvalidAlgorithmError):
        verify_json({**obj, "header": {"alg": "HS384"}}, HS, ["HS256"])


@pytest.mark.parametrize("header", [{}, {"alg": ""}, {"alg": 256}, {"alg": None}])
def test_missing_or_ill_typed_alg(header: Dict[str, Any]) -> None:
    with pytest.raises(InvalidAlgorithmError):
        verify_json(hand_flattened(header), HS, ["HS256"])


def test_none_algorithm_never_verifies() -> None:
    body = b64u(PAYLOAD)
    obj = {"payload": body, "protected": protected({"alg": "none"}), "signature": ""}
    with pytest.raises(InvalidAlgorithmError):
        verify_json(obj, HS, ["HS256"])
    with pytest.raises(InvalidSignatureError):
        verify_json(obj, None, ["none"])


def test_algorithms_are_required_for_plain_keys_and_sets() -> None:
    obj = hand_flattened({"alg": "HS256"})
    for key in (HS, {"keys": [public_jwk("HS256", "h")]}):
        for algorithms in (None, []):
            with pytest.raises(DecodeError, match="algorithms"):
                verify_json(obj, key, algorithms)


def test_algorithm_confusion_is_refused() -> None:
    pem = keys.public_pem("RS256")
    seg, body = protected({"alg": "HS256"}), b64u(PAYLOAD)
    forged = {"payload": body, "protected": seg, "signature": hs256(f"{seg}.{body}", pem)}
    with pytest.raises(InvalidKeyError):
        verify_json(forged, pem, ["HS256", "RS256"])


def test_short_key_warns_or_raises() -> None:
    with pytest.warns(cyjose.InsecureKeyLengthWarning):
        sign_json(PAYLOAD, JWSSigner(b"short", "HS256"))
    with pytest.raises(InvalidKeyError):
        sign_json(PAYLOAD, JWSSigner(b"short", "HS256"), enforce_minimum_key_length=True)
    short = hand_flattened({"alg": "HS256"})
    short["signature"] = hs256(f"{short['protected']}.{short['payload']}", b"short")
    with pytest.warns(cyjose.InsecureKeyLengthWarning):
        assert verify_json(short, b"short", ["HS256"])["payload"] == PAYLOAD
    with pytest.raises(InvalidKeyError):
        verify_json(short, b"short", ["HS256"], enforce_minimum_key_length=True)


# --------------------------------------------------------------------------- malformed input


def _good() -> Dict[str, Any]:
    return hand_flattened({"alg": "HS256"})


def _general(*entries: Any) -> Dict[str, Any]:
    return {"payload": b64u(PAYLOAD), "signatures": list(entries)}


MALFORMED = {
    "not json": b"{not json",
    "json array": b"[1, 2]",
    "json string": '"eyJ..."',
    "invalid utf-8": b'{"payload": "\xff"}',
    "lone surrogate": '{"signature": "\ud800"}',
    "an int": 12,
    "a list": [_good()],
    "too large text": "{" + " " * (1 << 20) + "}",
    "too large bytes": b"{" + b" " * (1 << 20) + b"}",
    "no signature member": {"payload": b64u(PAYLOAD), "protected": protected({"alg": "HS256"})},
    "signatures not a list": {"payload": "", "signatures": {"0": _good()}},
    "signatures empty": {"payload": "", "signatures": []},
    "too many signatures": _general(*[{k: v for k, v in _good().items() if k != "payload"}] * (MAX_SIGNATURES + 1)),
    "signature entry not an object": _general("sig"),
    "entry without signature": _general({"protected": protected({"alg": "HS256"})}),
    "mixed forms": {**_good(), "signatures": [_good()]},
    "signature not a string": {**_good(), "signature": 5},
    "signature bad base64url": {**_good(), "signature": "a+b/"},
    "signature length 1 mod 4": {**_good(), "signature": "abcde"},
    "signature non-ascii": {**_good(), "signature": "ab\u00e9d"},
    "signature too large": {**_good(), "signature": "A" * ((1 << 20) + 4)},
    "protected not a string": {**_good(), "protected": {"alg": "HS256"}},
    "protected bad base64url": {**_good(), "protected": "e30="[:-1] + "*"},
    "protected not json": {**_good(), "protected": b64u(b"{alg")},
    "protected json array": {**_good(), "protected": b64u(b'["alg"]')},
    "protected empty": {**_good(), "protected": ""},
    "header not an object": {**_good(), "header": ["kid"]},
    "header null": {**_good(), "header": None},
    "header with a non-string name": {**_good(), "header": {1: "x"}},
    "payload not a string": {**_good(), "payload": 1},
    "payload bad base64url": {**_good(), "payload": "a.b"},
    "payload too large": {**_good(), "payload": "A" * ((1 << 20) + 4)},
}


@pytest.mark.parametrize("data", MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_input_is_a_decode_error(data: Any) -> None:
    with pytest.raises(DecodeError):
        verify_json(data, HS, ["HS256"])


MEMBER_NAMES = ["payload", "protected", "header", "signature", "signatures", "alg", "kid", "crit", "b64"]
SCALARS = (st.none() | st.booleans() | st.integers() | st.text(max_size=8)
           | st.sampled_from(["", "e30", protected({"alg": "HS256"}), protected({"alg": "HS256", "b64": False})]))
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(MEMBER_NAMES), inner, max_size=5),
    max_leaves=12,
)


def _raises_only_cyjose_errors(data: Any) -> None:
    for form in (data, json.dumps(data)):
        try:
            verify_json(form, HS, ["HS256"])
        except PyJWTError:
            pass


@settings(max_examples=300, deadline=None)
@given(JSON_VALUES)
def test_random_structures_raise_only_cyjose_errors(data: Any) -> None:
    _raises_only_cyjose_errors(data)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(MEMBER_NAMES), JSON_VALUES, st.booleans())
def test_altered_member_of_a_valid_object_raises_only_cyjose_errors(name: str, value: Any, in_entry: bool) -> None:
    obj = sign_json(PAYLOAD, [JWSSigner(HS, "HS256", unprotected={"kid": "h"})])
    target = obj["signatures"][0] if in_entry else obj
    target[name] = value
    _raises_only_cyjose_errors(obj)


# --------------------------------------------------------------------------- header rules


def test_a_name_in_both_headers_is_refused() -> None:
    with pytest.raises(DecodeError, match="the header member 'kid' is in more than one header"):
        verify_json(hand_flattened({"alg": "HS256", "kid": "a"}, {"kid": "a"}), HS, ["HS256"])
    with pytest.raises(DecodeError, match="'alg'"):
        verify_json(hand_flattened({"alg": "HS256"}, {"alg": "HS256"}), HS, ["HS256"])
    with pytest.raises(InvalidTokenError, match="'kid'"):
        sign_json(PAYLOAD, JWSSigner(HS, "HS256", {"kid": "a"}, {"kid": "b"}))
    with pytest.raises(InvalidTokenError, match="'alg'"):
        sign_json(PAYLOAD, JWSSigner(HS, "HS256", unprotected={"alg": "HS256"}))


@pytest.mark.parametrize("name, value", [("crit", ["b64"]), ("b64", False), ("b64", True)])
def test_crit_and_b64_only_in_the_protected_header(name: str, value: Any) -> None:
    with pytest.raises(InvalidTokenError, match="protected header"):
        verify_json(hand_flattened({"alg": "HS256"}, {name: value}), HS, ["HS256"])
    with pytest.raises(InvalidTokenError, match="protected header"):
        sign_json(PAYLOAD, JWSSigner(HS, "HS256", unprotected={name: value}))


@pytest.mark.parametrize("header, message", [
    ({"alg": "HS256", "crit": ["exp"], "exp": 1}, "Unsupported critical extension"),
    ({"alg": "HS256", "crit": []}, "non-empty list"),
    ({"alg": "HS256", "crit": "b64"}, "non-empty list"),
    ({"alg": "HS256", "crit": ["b64"]}, "missing from headers"),
    ({"alg": "HS256", "kid": 7}, "Key ID"),
    ({"alg": "HS256", "b64": "false", "crit": ["b64"]}, "boolean"),
])
def test_protected_header_rules(header: Dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidTokenError, match=message):
        verify_json(hand_flattened(header), HS, ["HS256"])


def test_unprotected_kid_must_be_a_string() -> None:
    with pytest.raises(InvalidTokenError, match="Key ID"):
        verify_json(hand_flattened({"alg": "HS256"}, {"kid": ["a"]}), HS, ["HS256"])
    with pytest.raises(InvalidTokenError, match="Key ID"):
        sign_json(PAYLOAD, JWSSigner(HS, "HS256", unprotected={"kid": 1}))


def test_signing_refuses_an_unknown_critical_extension() -> None:
    with pytest.raises(InvalidTokenError, match="Unsupported critical extension"):
        sign_json(PAYLOAD, JWSSigner(HS, "HS256", {"crit": ["zip"], "zip": "x"}))


def test_signer_argument_errors() -> None:
    with pytest.raises(TypeError):
        sign_json("text", JWSSigner(HS, "HS256"))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="needs an algorithm"):
        sign_json(PAYLOAD, JWSSigner(HS))
    with pytest.raises(TypeError, match="JWSSigner"):
        sign_json(PAYLOAD, [(HS, "HS256")])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        sign_json(PAYLOAD, [])
    with pytest.raises(ValueError):
        sign_json(PAYLOAD, [JWSSigner(HS, "HS256")] * (MAX_SIGNATURES + 1))
    with pytest.raises(ValueError, match="exactly one"):
        sign_json(PAYLOAD, [JWSSigner(HS, "HS256")] * 2, flattened=True)
    with pytest.raises(NotImplementedError):
        sign_json(PAYLOAD, JWSSigner(HS, "HS999"))
    with pytest.raises(InvalidKeyError):
        sign_json(PAYLOAD, JWSSigner(keys.public("ES256"), "ES256"))
    with pytest.raises(InvalidAlgorithmError):
        sign_json(PAYLOAD, JWSSigner(PyJWK(public_jwk("HS256", "h")), "HS512"))


def test_alg_in_headers_wins_as_in_encode() -> None:
    obj = sign_json(PAYLOAD, JWSSigner(keys.secret("HS384"), headers={"alg": "HS384"}), flattened=True)
    assert json.loads(b64u_decode(obj["protected"])) == {"alg": "HS384"}
    assert verify_json(obj, keys.secret("HS384"), ["HS384"])["payload"] == PAYLOAD


# --------------------------------------------------------------------------- detached and unencoded payloads


@pytest.mark.parametrize("flattened", [True, False])
def test_detached_content(flattened: bool) -> None:
    obj = sign_json(PAYLOAD, JWSSigner(keys.private("ES256"), "ES256"), flattened=flattened, detached=True)
    assert "payload" not in obj
    public = keys.public("ES256")
    assert verify_json(obj, public, ["ES256"], detached_payload=PAYLOAD)["payload"] == PAYLOAD
    with pytest.raises(InvalidSignatureError):
        verify_json(obj, public, ["ES256"], detached_payload=PAYLOAD + b".")
    with pytest.raises(DecodeError, match="detached_payload"):
        verify_json(obj, public, ["ES256"])
    with pytest.raises(DecodeError, match="must be bytes"):
        verify_json(obj, public, ["ES256"], detached_payload=PAYLOAD.decode())  # type: ignore[arg-type]


def test_detached_payload_with_an_attached_payload_is_refused() -> None:
    with pytest.raises(DecodeError, match="must not be given"):
        verify_json(_good(), HS, ["HS256"], detached_payload=PAYLOAD)


def test_unencoded_payload_travels_as_text() -> None:
    obj = sign_json(PAYLOAD, JWSSigner(HS, "HS256", {"b64": False}), flattened=True)
    assert obj["payload"] == PAYLOAD.decode("utf-8")
    assert json.loads(b64u_decode(obj["protected"])) == {"alg": "HS256", "b64": False, "crit": ["b64"]}
    assert obj["signature"] == hs256(obj["protected"] + "." + obj["payload"])
    assert verify_json(json.dumps(obj), HS, ["HS256"])["payload"] == PAYLOAD
    with pytest.raises(InvalidSignatureError):
        verify_json({**obj, "payload": obj["payload"] + " "}, HS, ["HS256"])


def test_unencoded_payload_must_be_utf8_unless_detached() -> None:
    binary = b"\xff\x00binary"
    with pytest.raises(InvalidTokenError, match="UTF-8"):
        sign_json(binary, JWSSigner(HS, "HS256", {"b64": False}))
    obj = sign_json(binary, JWSSigner(HS, "HS256", {"b64": False}), detached=True)
    sig = obj["signatures"][0]
    expected = hmac.new(HS, sig["protected"].encode() + b"." + binary, hashlib.sha256).digest()
    assert b64u_decode(sig["signature"]) == expected
    assert verify_json(obj, HS, ["HS256"], detached_payload=binary)["payload"] == binary


def test_b64_false_requires_crit() -> None:
    seg = protected({"alg": "HS256", "b64": False})
    obj = {"payload": "abc", "protected": seg, "signature": hs256(f"{seg}.abc")}
    with pytest.raises(InvalidTokenError, match="crit"):
        verify_json(obj, HS, ["HS256"])


def test_signatures_must_agree_on_b64() -> None:
    with pytest.raises(InvalidTokenError, match="same 'b64'"):
        sign_json(PAYLOAD, [JWSSigner(HS, "HS256", {"b64": False}), JWSSigner(HS, "HS256")])
    unencoded = sign_json(PAYLOAD, JWSSigner(HS, "HS256", {"b64": False}), detached=True)["signatures"][0]
    encoded = sign_json(PAYLOAD, JWSSigner(HS, "HS256"), detached=True)["signatures"][0]
    with pytest.raises(InvalidTokenError, match="same 'b64'"):
        verify_json({"signatures": [unencoded, encoded]}, HS, ["HS256"], detached_payload=PAYLOAD)


# --------------------------------------------------------------------------- interop: jwcrypto


@pytest.fixture(scope="module")
def jwcrypto() -> Any:
    jwk = pytest.importorskip("jwcrypto.jwk")
    jws = pytest.importorskip("jwcrypto.jws")
    return jwk, jws


def test_jwcrypto_general_and_flattened_verify_in_cyjose(jwcrypto: Any) -> None:
    cjwk, cjws = jwcrypto
    hmac_key = cjwk.JWK(kty="oct", k=b64u(HS))
    ec_key = cjwk.JWK.from_pyca(keys.private("ES256"))
    general = cjws.JWS(PAYLOAD)
    general.add_signature(hmac_key, None, json.dumps({"alg": "HS256"}), json.dumps({"kid": "h"}))
    general.add_signature(ec_key, None, json.dumps({"alg": "ES256", "kid": "e"}))
    text = general.serialize()
    jwks = {"keys": [public_jwk("HS256", "h"), public_jwk("ES256", "e")]}
    result = verify_json(text, jwks, ["HS256", "ES256"], require_all=True)
    assert result["payload"] == PAYLOAD
    assert [s["header"]["kid"] for s in result["signatures"]] == ["h", "e"]
    flat = cjws.JWS(PAYLOAD)
    flat.add_signature(cjwk.JWK.from_pyca(keys.private("EdDSA")), None, json.dumps({"alg": "EdDSA"}))
    text = flat.serialize()
    assert "signatures" not in json.loads(text)
    assert verify_json(text, keys.public("EdDSA"), ["EdDSA"])["payload"] == PAYLOAD
    with pytest.raises(InvalidSignatureError):
        verify_json(text, keys.public("EdDSA", "other"), ["EdDSA"])


@pytest.mark.parametrize("flattened", [True, False])
def test_cyjose_json_verifies_in_jwcrypto(jwcrypto: Any, flattened: bool) -> None:
    cjwk, cjws = jwcrypto
    algs = ("PS256",) if flattened else ("HS256", "ES384", "EdDSA")
    obj = sign_json(PAYLOAD, [JWSSigner(keys.signing_key(a), a, unprotected={"kid": a}) for a in algs],
                    flattened=flattened)
    for alg in algs:
        key = cjwk.JWK(kty="oct", k=b64u(HS)) if alg == "HS256" else cjwk.JWK.from_pyca(keys.public(alg))
        reader = cjws.JWS()
        reader.deserialize(json.dumps(obj))
        reader.verify(key)
        assert reader.payload == PAYLOAD
    reader = cjws.JWS()
    reader.deserialize(json.dumps(obj))
    with pytest.raises(cjws.InvalidJWSSignature):
        reader.verify(cjwk.JWK.from_pyca(keys.public(algs[-1], "other")))


# --------------------------------------------------------------------------- interop: joserfc


@pytest.fixture(scope="module")
def joserfc() -> Any:
    fjws = pytest.importorskip("joserfc.jws")
    fjwk = pytest.importorskip("joserfc.jwk")
    return fjws, fjwk


def _joserfc_keys(fjwk: Any) -> Any:
    return fjwk.KeySet([
        fjwk.OctKey.import_key(HS, {"kid": "h"}),
        fjwk.ECKey.import_key(keys.private("ES256"), {"kid": "e"}),
        fjwk.RSAKey.import_key(keys.private("RS256"), {"kid": "r"}),
    ])


def test_joserfc_json_verifies_in_cyjose(joserfc: Any) -> None:
    fjws, fjwk = joserfc
    key_set = _joserfc_keys(fjwk)
    members = [{"protected": {"alg": "HS256"}, "header": {"kid": "h"}},
               {"protected": {"alg": "ES256", "kid": "e"}},
               {"protected": {"alg": "RS256"}, "header": {"kid": "r"}}]
    general = fjws.serialize_json(members, PAYLOAD, key_set)
    public_set = {"keys": [k.as_dict(private=False) for k in key_set.keys]}
    result = verify_json(general, public_set, ["HS256", "ES256", "RS256"], require_all=True)
    assert result["payload"] == PAYLOAD
    assert all(s["verified"] for s in result["signatures"])
    flat = fjws.serialize_json(members[1], PAYLOAD, key_set)
    assert verify_json(json.dumps(flat), keys.public("ES256"), ["ES256"])["header"] == {"alg": "ES256", "kid": "e"}


def test_cyjose_json_verifies_in_joserfc(joserfc: Any) -> None:
    fjws, fjwk = joserfc
    key_set = _joserfc_keys(fjwk)
    obj = sign_json(PAYLOAD, [JWSSigner(HS, "HS256", unprotected={"kid": "h"}),
                              JWSSigner(keys.private("ES256"), "ES256", {"kid": "e"}),
                              JWSSigner(keys.private("RS256"), "RS256", {"kid": "r"})])
    assert fjws.deserialize_json(obj, key_set).payload == PAYLOAD
    flat = sign_json(PAYLOAD, JWSSigner(keys.private("ES256"), "ES256", {"kid": "e"}), flattened=True)
    assert fjws.deserialize_json(flat, key_set).payload == PAYLOAD
    tampered = {**flat, "payload": b64u(b"other")}
    with pytest.raises(Exception, match="(?i)signature"):
        fjws.deserialize_json(tampered, key_set)


def test_unencoded_payload_interop_with_joserfc(joserfc: Any) -> None:
    fjws, fjwk = joserfc
    key = fjwk.OctKey.import_key(HS)
    theirs = fjws.serialize_json({"protected": {"alg": "HS256", "b64": False, "crit": ["b64"]}}, b"$.02", key)
    assert theirs["payload"] == "$.02"
    assert verify_json(theirs, HS, ["HS256"])["payload"] == b"$.02"
    detached = fjws.detach_content(theirs)
    assert verify_json(detached, HS, ["HS256"], detached_payload=b"$.02")["payload"] == b"$.02"
    ours = sign_json(b"$.02", JWSSigner(HS, "HS256", {"b64": False}), flattened=True)
    assert fjws.deserialize_json(ours, key).payload == b"$.02"


# --------------------------------------------------------------------------- published examples


def _json_file(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


COOKBOOK = [
    "jws/4_1.rsa_v15_signature.json",
    "jws/4_2.rsa-pss_signature.json",
    "jws/4_3.ecdsa_signature.json",
    "jws/4_4.hmac-sha2_integrity_protection.json",
    "jws/4_5.signature_with_detached_content.json",
    "jws/4_6.protecting_specific_header_fields.json",
    "jws/4_7.protecting_content_only.json",
    "curve25519/jws.json",
]


def _cookbook_key(case: Dict[str, Any]) -> PyJWK:
    return PyJWK(case["input"]["key"], case["input"]["alg"])


@pytest.mark.parametrize("name", COOKBOOK)
@pytest.mark.parametrize("form", ["json", "json_flat"])
def test_rfc7520_json_example_verifies(vectors_dir: Path, name: str, form: str) -> None:
    case = _json_file(vectors_dir / "rfc7520" / name)
    obj = case["output"][form]
    payload = case["input"]["payload"].encode("utf-8")
    detached = payload if "payload" not in obj else None
    key = _cookbook_key(case)
    result = verify_json(json.dumps(obj), key, detached_payload=detached)
    assert result["payload"] == payload
    assert result["header"]["alg"] == case["input"]["alg"]
    altered = copy.deepcopy(obj)
    sig = altered["signatures"][0] if form == "json" else altered
    sig["signature"] = b64u(b64u_decode(sig["signature"])[::-1])
    with pytest.raises(InvalidSignatureError):
        verify_json(altered, key, detached_payload=detached)


def test_rfc7520_4_8_multiple_signatures(vectors_dir: Path) -> None:
    case = _json_file(vectors_dir / "rfc7520" / "jws" / "4_8.multiple_signatures.json")
    obj = case["output"]["json"]
    payload = case["input"]["payload"].encode("utf-8")
    jwks = {"keys": case["input"]["key"]}  # the RSA and the EC key share one kid
    algs = case["input"]["alg"]
    result = verify_json(obj, jwks, algs, require_all=True)
    assert result["payload"] == payload
    assert [s["header"]["alg"] for s in result["signatures"]] == algs
    assert all(s["verified"] for s in result["signatures"])
    for index, (jwk, alg) in enumerate(zip(case["input"]["key"], algs)):
        single = verify_json(obj, PyJWK(jwk, alg))
        assert [s["verified"] for s in single["signatures"]] == [i == index for i in range(3)]
    wrong = copy.deepcopy(obj)
    wrong["signatures"][1]["header"]["alg"] = "ES384"  # the unprotected alg is not signed, but must fit the key
    lenient = verify_json(wrong, jwks, ["RS256", "ES384", "HS256"])
    assert [s["verified"] for s in lenient["signatures"]] == [True, False, True]
    with pytest.raises(UnknownKeyError):
        verify_json(wrong, jwks, ["RS256", "ES384", "HS256"], require_all=True)


REPRODUCIBLE = [
    "jws/4_1.rsa_v15_signature.json",
    "jws/4_4.hmac-sha2_integrity_protection.json",
    "jws/4_5.signature_with_detached_content.json",
    "jws/4_6.protecting_specific_header_fields.json",
    "curve25519/jws.json",
]


@pytest.mark.parametrize("name", REPRODUCIBLE)
def test_rfc7520_deterministic_example_is_reproduced_exactly(vectors_dir: Path, name: str) -> None:
    case = _json_file(vectors_dir / "rfc7520" / name)
    signing = case["signing"]
    signer = JWSSigner(_cookbook_key(case), headers=signing["protected"], unprotected=signing.get("unprotected"))
    payload = case["input"]["payload"].encode("utf-8")
    detached = "payload" not in case["output"]["json"]
    general = sign_json(payload, [signer], detached=detached, sort_headers=False)
    flat = sign_json(payload, signer, flattened=True, detached=detached, sort_headers=False)
    assert general == case["output"]["json"]
    assert flat == case["output"]["json_flat"]


def test_rfc7797_unencoded_json_example(vectors_dir: Path) -> None:
    case = _json_file(vectors_dir / "rfc7520" / "rfc7797" / "hmac-sha2_b64_false.json")
    key = PyJWK(case["input"]["key"])
    payload = case["input"]["payload"].encode("utf-8")
    for form in ("json", "json_flat"):
        assert verify_json(case["output"][form], key)["payload"] == payload
    signer = JWSSigner(key, headers=case["signing"]["protected"])
    assert sign_json(payload, signer, flattened=True, sort_headers=False) == case["output"]["json_flat"]


def test_rfc7797_pre_rfc_example_without_crit_is_refused(vectors_dir: Path) -> None:
    """The draft-era example signs ``b64: false`` without ``crit`` (see the vectors README)."""
    case = _json_file(vectors_dir / "rfc7520" / "rfc7797" / "4.2.hmac-sha2_b64_false.json")
    for form in ("json", "json_flat"):
        with pytest.raises(InvalidTokenError, match="crit"):
            verify_json(case["output"][form], PyJWK(case["input"]["key"]))


def _rfc7515(vectors_dir: Path, name: str) -> Any:
    return _json_file(vectors_dir / "rfc" / name)


def test_rfc7515_a6_general_example(vectors_dir: Path) -> None:
    obj = (vectors_dir / "rfc" / "rfc7515_A.6.jwsg").read_text().strip()
    rsa_jwk, ec_jwk = _rfc7515(vectors_dir, "rfc7515_A.6.jwkset")["keys"]
    result = verify_json(obj, PyJWK(rsa_jwk, "RS256"))
    assert [s["verified"] for s in result["signatures"]] == [True, False]
    assert json.loads(result["payload"]) == {"iss": "joe", "exp": 1300819380, "http://example.com/is_root": True}
    assert verify_json(obj, PyJWK(ec_jwk, "ES256"))["signatures"][1]["verified"]
    with_kids = {"keys": [{**rsa_jwk, "kid": "2010-12-29"}, {**ec_jwk, "kid": "e9bc097a-ce51-4036-9562-d2ade882db0d"}]}
    result = verify_json(obj, with_kids, ["RS256", "ES256"], require_all=True)
    assert [s["header"]["kid"] for s in result["signatures"]] == ["2010-12-29", "e9bc097a-ce51-4036-9562-d2ade882db0d"]
    # As published the set has no kids, so no key matches the signatures' kids.
    with pytest.raises(UnknownKeyError):
        verify_json(obj, _rfc7515(vectors_dir, "rfc7515_A.6.jwkset"), ["RS256", "ES256"])


def test_rfc7515_a7_flattened_example(vectors_dir: Path) -> None:
    obj = (vectors_dir / "rfc" / "rfc7515_A.7.jwsf").read_text().strip()
    jwk = _rfc7515(vectors_dir, "rfc7515_A.7.jwk")
    result = verify_json(obj, PyJWK(jwk, "ES256"))
    assert result["header"] == {"alg": "ES256", "kid": "e9bc097a-ce51-4036-9562-d2ade882db0d"}
    assert result["signatures"][0]["protected"] == {"alg": "ES256"}
    public = {k: v for k, v in jwk.items() if k != "d"}
    assert verify_json(obj, PyJWK(public, "ES256"))["payload"] == result["payload"]
    with pytest.raises(InvalidAlgorithmError):
        verify_json(obj, PyJWK(public, "ES256"), ["ES384"])
