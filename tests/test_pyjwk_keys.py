"""A PyJWK as the key of encode(), decode(), PyJWS and Signer: the algorithm it brings.

PyJWT 2.15's rule (``jwt/api_jws.py``): encoding with a PyJWK and no
``algorithm`` (or ``algorithm=None``) signs with the key's ``algorithm_name``;
decoding with a PyJWK and ``algorithms=None`` accepts only the key's algorithm,
and an empty ``algorithms`` accepts nothing. Expected values come from PyJWT run
side by side on the same JWK, from the key the JWK was made of, or from the JWK's
own ``alg``.

Deliberate differences, each asserted below: a PyJWK signs only its own
algorithm (PyJWT signs whatever algorithm is asked for with the JWK's key) and
only if its ``use``/``key_ops`` allow "sign" (PyJWT ignores both); signing with a
public PyJWK is an ``InvalidKeyError`` (PyJWT: ``AttributeError``).
"""

from __future__ import annotations

import base64
import warnings
from typing import Any, Callable, Dict, Tuple

import jwt as pyjwt
import pytest
import sample_keys as keys

import cyjose as jwt
from cyjose import PyJWK, PyJWS, PyJWT, Signer
from cyjose.exceptions import DecodeError, InvalidAlgorithmError, InvalidKeyError

CLAIMS = {"sub": "42", "n": 1}
#: Deterministic signatures, so cyjose's token must be PyJWT's byte for byte.
DETERMINISTIC = ("HS384", "RS256", "RS512", "EdDSA")
ASYMMETRIC = ("RS256", "PS384", "ES256", "ES256K", "ES384", "ES512", "EdDSA")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def jwk_data(alg: str, /, private: bool = True, **members: Any) -> Dict[str, Any]:
    """The JWK of the test key for ``alg`` (PyJWT's ``to_jwk``, the reference), with ``alg`` set."""
    if alg in keys.HMAC_ALGS:
        data: Dict[str, Any] = {"kty": "oct", "k": b64url(keys.secret(alg))}
    else:
        key = keys.private(alg) if private else keys.public(alg)
        data = pyjwt.get_algorithm_by_name(alg).to_jwk(key, as_dict=True)
    return {**data, "alg": alg, **members}


def raised(call: Callable[[], Any]) -> Tuple[str, str]:
    with pytest.raises(Exception) as info:
        call()
    return type(info.value).__name__, str(info.value)


def header_alg(token: str) -> str:
    return jwt.get_unverified_header(token)["alg"]


# --- encode -------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", keys.HMAC_ALGS + ASYMMETRIC)
@pytest.mark.parametrize("how", [{}, {"algorithm": None}], ids=["algorithm-unset", "algorithm-None"])
def test_encode_signs_with_the_keys_algorithm(alg, how):
    token = jwt.encode(CLAIMS, PyJWK(jwk_data(alg)), **how)
    assert header_alg(token) == alg
    assert pyjwt.decode(token, keys.verifying_key(alg), algorithms=[alg]) == CLAIMS
    assert header_alg(pyjwt.encode(CLAIMS, pyjwt.PyJWK(jwk_data(alg)), **how)) == alg  # PyJWT's rule


@pytest.mark.parametrize("alg", DETERMINISTIC)
def test_encode_is_pyjwts_token_byte_for_byte(alg):
    data = jwk_data(alg, kid="k1")
    headers = {"kid": "k1"}
    assert jwt.encode(CLAIMS, PyJWK(data), headers=headers) == pyjwt.encode(
        CLAIMS, pyjwt.PyJWK(data), headers=headers)


@pytest.mark.parametrize("alg", ["HS256", "ES256", "EdDSA"])
def test_encode_with_the_keys_own_algorithm_named(alg):
    jwk = PyJWK(jwk_data(alg))
    for token in (jwt.encode(CLAIMS, jwk, algorithm=alg), jwt.encode(CLAIMS, jwk, headers={"alg": alg}),
                  jwt.encode(CLAIMS, jwk, algorithm=None, headers={"alg": alg})):
        assert header_alg(token) == alg
        assert jwt.decode(token, keys.verifying_key(alg), algorithms=[alg]) == CLAIMS


def test_pyjws_encode_with_a_pyjwk():
    token = jwt.api_jws.encode(b"raw bytes", PyJWK(jwk_data("ES384")))
    assert header_alg(token) == "ES384"
    assert pyjwt.api_jws.decode(token, keys.public("ES384"), algorithms=["ES384"]) == b"raw bytes"


@pytest.mark.parametrize("asked", [{"algorithm": "PS256"}, {"headers": {"alg": "RS512"}},
                                   {"algorithm": "RS256", "headers": {"alg": "PS256"}}])
def test_encode_refuses_another_algorithm_than_the_keys(asked):
    """Difference: PyJWT signs the other algorithm with the JWK's key; cyjose refuses."""
    data = jwk_data("RS256")
    assert header_alg(pyjwt.encode(CLAIMS, pyjwt.PyJWK(data), **asked)) != "RS256"
    name, message = raised(lambda: jwt.encode(CLAIMS, PyJWK(data), **asked))
    assert name == "InvalidAlgorithmError"
    assert "'RS256'" in message and data["d"] not in message


def test_encode_with_an_unregistered_algorithm_name_still_says_so():
    """A plain key is untouched: an unknown algorithm is PyJWT's NotImplementedError."""
    assert raised(lambda: jwt.encode(CLAIMS, keys.secret(), algorithm="HS999")) == (
        "NotImplementedError", "Algorithm not supported")


@pytest.mark.parametrize("members", [{"use": "enc"}, {"key_ops": ["verify"]}, {"key_ops": []}],
                         ids=["use-enc", "key_ops-verify-only", "key_ops-empty"])
def test_encode_respects_use_and_key_ops(members):
    """Difference: PyJWT ignores ``use``/``key_ops``; a JWK that may not sign does not sign here."""
    data = jwk_data("HS256", **members)
    assert pyjwt.decode(pyjwt.encode(CLAIMS, pyjwt.PyJWK(data)), keys.secret("HS256"), ["HS256"]) == CLAIMS
    name, message = raised(lambda: jwt.encode(CLAIMS, PyJWK(data)))
    assert name == "InvalidKeyError" and data["k"] not in message
    with pytest.raises(InvalidKeyError):
        Signer(PyJWK(data))


@pytest.mark.parametrize("members", [{"use": "sig"}, {"key_ops": ["sign"]}, {"key_ops": ["sign", "verify"]}])
def test_encode_with_use_and_key_ops_that_allow_signing(members):
    token = jwt.encode(CLAIMS, PyJWK(jwk_data("ES256", **members)))
    assert jwt.decode(token, keys.public("ES256"), algorithms=["ES256"]) == CLAIMS


def test_encode_with_a_public_pyjwk_is_an_invalid_key():
    """Difference: PyJWT fails with AttributeError ('... has no attribute sign')."""
    data = jwk_data("ES256", private=False)
    assert raised(lambda: pyjwt.encode(CLAIMS, pyjwt.PyJWK(data)))[0] == "AttributeError"
    with pytest.raises(InvalidKeyError):
        jwt.encode(CLAIMS, PyJWK(data))


def test_encode_with_a_jwe_key_is_an_invalid_key():
    """A JWK published for JWE key management (alg RSA-OAEP) loads but never signs."""
    jwk = PyJWK(jwk_data("RS256", alg="RSA-OAEP"))
    assert jwk.algorithm_name == "RSA-OAEP"
    for call in (lambda: jwt.encode(CLAIMS, jwk), lambda: Signer(jwk)):
        name, message = raised(call)
        assert name == "InvalidKeyError" and "RSA-OAEP" in message


# --- decode -------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", keys.HMAC_ALGS + ASYMMETRIC)
def test_decode_without_algorithms_accepts_the_keys_algorithm(alg):
    token = pyjwt.encode(CLAIMS, keys.signing_key(alg), algorithm=alg)
    private = alg in keys.HMAC_ALGS  # PyJWT verifies only with a public (or oct) PyJWK
    data = jwk_data(alg, private=private)
    assert jwt.decode(token, PyJWK(data)) == CLAIMS == pyjwt.decode(token, pyjwt.PyJWK(data))
    complete = jwt.decode_complete(token, PyJWK(data))
    assert complete["payload"] == CLAIMS and complete["header"]["alg"] == alg


@pytest.mark.parametrize("algorithms", [None, [], "", ("ES256",), ["ES256", "HS256"]],
                         ids=["None", "empty-list", "empty-str", "tuple", "list"])
@pytest.mark.parametrize("token_alg", ["ES256", "HS256", "ES384"])
def test_decode_allow_list_like_pyjwt(algorithms, token_alg):
    """The same outcome as PyJWT for each allow-list and token algorithm, key ES256."""
    token = pyjwt.encode(CLAIMS, keys.signing_key(token_alg), algorithm=token_alg)
    data = jwk_data("ES256", private=False)

    def outcome(lib: Any) -> Tuple[str, Any]:
        try:
            return "ok", lib.decode(token, lib.PyJWK(data), algorithms=algorithms)
        except Exception as exc:  # noqa: BLE001 - compared by class name and message
            return type(exc).__name__, str(exc)

    mine = outcome(jwt)
    assert mine == outcome(pyjwt)
    if token_alg == "ES256" and algorithms not in ([], ""):
        assert mine == ("ok", CLAIMS)
    else:
        assert mine[0] == "InvalidAlgorithmError"


def test_decode_without_algorithms_still_needs_them_for_other_keys():
    token = jwt.encode(CLAIMS, keys.secret(), algorithm="HS256")
    for key in (keys.secret(), keys.public_pem("ES256"), keys.public("ES256")):
        with pytest.raises(DecodeError, match='"algorithms" argument'):
            jwt.decode(token, key)
    with pytest.raises(DecodeError, match='"algorithms" argument'):
        jwt.decode(token, keys.secret(), algorithms=())


@pytest.mark.parametrize("decode", [
    lambda token, key: jwt.decode(token, key),
    lambda token, key: jwt.decode_complete(token, key)["payload"],
    lambda token, key: PyJWT().decode(token, key),
    lambda token, key: PyJWT({"verify_exp": True}).decode_complete(token, key)["payload"],
    lambda token, key: jwt.decode(token, key, options={"require": ["sub"]}, leeway=5),
], ids=["decode", "decode_complete", "PyJWT", "PyJWT-options", "with-options"])
def test_every_jwt_entry_point_defaults_the_algorithm(decode):
    token = jwt.encode(CLAIMS, keys.private("ES512"), algorithm="ES512")
    jwk = PyJWK(jwk_data("ES512", private=False))
    assert decode(token, jwk) == CLAIMS
    foreign = jwt.encode(CLAIMS, keys.private("ES256"), algorithm="ES256")
    with pytest.raises(InvalidAlgorithmError):
        decode(foreign, jwk)


@pytest.mark.parametrize("decode", [
    lambda token, key: jwt.api_jws.decode(token, key),
    lambda token, key: jwt.api_jws.decode_complete(token, key)["payload"],
    lambda token, key: PyJWS().decode(token, key),
], ids=["decode", "decode_complete", "PyJWS"])
def test_every_jws_entry_point_defaults_the_algorithm(decode):
    token = jwt.api_jws.encode(b"payload", keys.private("EdDSA"), algorithm="EdDSA")
    jwk = PyJWK(jwk_data("EdDSA", private=False))
    assert decode(token, jwk) == b"payload" == pyjwt.api_jws.decode(token, pyjwt.PyJWK(jwk_data("EdDSA", False)))
    with pytest.raises(InvalidAlgorithmError):
        decode(jwt.api_jws.encode(b"payload", keys.secret(), algorithm="HS256"), jwk)


class Reversed(PyJWT):
    """A subclass with payload hooks: decode() takes its step-by-step path."""

    def _encode_payload(self, payload: Dict[str, Any], headers: Any = None, json_encoder: Any = None) -> bytes:
        return super()._encode_payload(payload, headers, json_encoder)[::-1]

    def _decode_payload(self, decoded: Dict[str, Any]) -> Dict[str, Any]:
        return super()._decode_payload({**decoded, "payload": decoded["payload"][::-1]})


def test_subclass_with_payload_hooks_defaults_the_algorithm():
    jwk = PyJWK(jwk_data("HS512"))
    token = Reversed().encode(CLAIMS, jwk)
    assert header_alg(token) == "HS512"
    assert Reversed().decode(token, jwk) == CLAIMS
    with pytest.raises(InvalidAlgorithmError):
        Reversed().decode(Reversed().encode(CLAIMS, keys.secret("HS256"), "HS256"), jwk)


def test_decode_without_verification_ignores_the_keys_algorithm():
    token = jwt.encode(CLAIMS, keys.secret("HS256"), algorithm="HS256")
    jwk = PyJWK(jwk_data("ES256", private=False))
    assert jwt.decode(token, jwk, options={"verify_signature": False}) == CLAIMS


def test_decode_respects_use_and_key_ops_without_algorithms():
    token = jwt.encode(CLAIMS, keys.private("ES256"), algorithm="ES256")
    for members in ({"use": "enc"}, {"key_ops": ["sign"]}):
        with pytest.raises(InvalidKeyError):
            jwt.decode(token, PyJWK(jwk_data("ES256", private=False, **members)))
    # PyJWT's to_jwk marks a private RSA key "key_ops": ["sign"]: such a JWK signs, never verifies
    rsa = jwk_data("RS256", private=True)
    assert rsa["key_ops"] == ["sign"]
    with pytest.raises(InvalidKeyError, match="key_ops"):
        jwt.decode(jwt.encode(CLAIMS, PyJWK(rsa)), PyJWK(rsa))


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_decode_with_a_private_pyjwk_verifies(alg):
    """A private JWK verifies, as its public half does (PyJWT: RSA raises AttributeError)."""
    token = jwt.encode(CLAIMS, keys.private(alg), algorithm=alg)
    data = {name: value for name, value in jwk_data(alg, private=True).items() if name != "key_ops"}
    assert jwt.decode(token, PyJWK(data)) == CLAIMS
    if alg == "RS256":  # PyJWT cannot verify with any private RSA key, PyJWK or not
        assert raised(lambda: pyjwt.decode(token, pyjwt.PyJWK(data)))[0] == "AttributeError"
    else:
        assert pyjwt.decode(token, pyjwt.PyJWK(data)) == CLAIMS


def test_repeated_decodes_keep_each_keys_own_algorithm():
    """decode() reuses prepared Verifiers: each PyJWK must still get its own default."""
    rsa, ec = PyJWK(jwk_data("RS256", private=False)), PyJWK(jwk_data("ES256", private=False))
    rsa_token = jwt.encode(CLAIMS, keys.private("RS256"), algorithm="RS256")
    ec_token = jwt.encode(CLAIMS, keys.private("ES256"), algorithm="ES256")
    for _ in range(3):
        assert jwt.decode(rsa_token, rsa) == CLAIMS
        assert jwt.decode(ec_token, ec) == CLAIMS
        with pytest.raises(InvalidAlgorithmError):
            jwt.decode(rsa_token, ec)
        with pytest.raises(InvalidAlgorithmError):
            jwt.decode(ec_token, rsa)


def test_decode_with_a_jwe_key_verifies_nothing():
    jwk = PyJWK(jwk_data("RS256", private=False, alg="RSA-OAEP"))
    token = jwt.encode(CLAIMS, keys.private("RS256"), algorithm="RS256")
    with pytest.raises(InvalidAlgorithmError):
        jwt.decode(token, jwk)  # RS256 is not the key's algorithm


def test_short_hmac_pyjwk_warns_on_decode_without_algorithms():
    data = {"kty": "oct", "k": b64url(b"short"), "alg": "HS256"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyJWT warns about the short key too
        token = pyjwt.encode(CLAIMS, b"short", algorithm="HS256")
    with pytest.warns(jwt.InsecureKeyLengthWarning):
        assert jwt.decode(token, PyJWK(data)) == CLAIMS
    with pytest.raises(InvalidKeyError):
        jwt.decode(token, PyJWK(data), options={"enforce_minimum_key_length": True})


# --- Signer -------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", DETERMINISTIC)
def test_signer_with_a_pyjwk_is_encode(alg):
    jwk = PyJWK(jwk_data(alg, kid="k1"))
    for signer in (Signer(jwk), Signer(jwk, None), Signer(jwk, alg), Signer(jwk, headers={"kid": "k1"})):
        assert signer.algorithm == alg
    headers = {"kid": "k1"}
    assert Signer(jwk, headers=headers).sign(CLAIMS) == jwt.encode(CLAIMS, jwk, headers=headers)
    assert Signer(jwk).sign_bytes(b"x") == jwt.api_jws.encode(b"x", jwk)


@pytest.mark.parametrize("alg", ["PS256", "ES256K"])
def test_signer_with_a_pyjwk_verifies_with_pyjwt(alg):
    token = Signer(PyJWK(jwk_data(alg))).sign(CLAIMS)
    assert pyjwt.decode(token, keys.public(alg), algorithms=[alg]) == CLAIMS


def test_signer_refuses_another_algorithm_than_the_pyjwks():
    jwk = PyJWK(jwk_data("ES256"))
    for call in (lambda: Signer(jwk, "ES384"), lambda: Signer(jwk, headers={"alg": "HS256"})):
        assert raised(call)[0] == "InvalidAlgorithmError"
    with pytest.raises(InvalidKeyError):
        Signer(PyJWK(jwk_data("ES256", private=False)))


def test_signer_still_needs_an_algorithm_for_other_keys():
    for key in (keys.secret(), keys.private("ES256"), keys.private_pem("RS256")):
        with pytest.raises(TypeError, match="algorithm"):
            Signer(key)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Signer(None, None).algorithm == "none"  # algorithm=None is encode()'s unsigned token
