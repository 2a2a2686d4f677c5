"""Every caller of a shared rule behaves as that rule says.

A refactor gave each of these rules one home; these tests exercise the rule
through *every* public caller, so a future copy that drifts away from the
shared one fails here:

1. Signing-key preparation (``_encode.signing_algorithm`` / ``require_algorithm``
   / ``bind_signing_key``): ``cyjose.encode`` (through ``PyJWS.encode``),
   ``cyjose.Signer`` and ``cyjose.jws.sign_json`` with ``JWSSigner``.
2. Which JWK of a set serves a header (``_keyset.keys_for_header`` /
   ``set_keys``): ``cyjose.Verifier`` over a JWK set, ``cyjose.jws.verify_json``
   and ``cyjose.jwe.decrypt_json``.
3. The JSON serializations' disjoint headers (``_serialized.check_disjoint``):
   ``jws.verify_json``, ``jws.sign_json``, ``jwe.encrypt_json``, ``jwe.decrypt_json``.
4. The JWE decrypt prologue (``jwe._policy.decrypt_policy`` / ``content_for``)
   for ``jwe.decrypt_complete`` and ``jwe.decrypt_json``, and the caller header
   rule (``caller_header``) for ``jwe.encrypt`` and ``jwe.encrypt_json``.
5. Frozen audience / issuer (``_options.frozen_audience`` / ``frozen_issuer``):
   the Verifier's claim rules and the ``decode()`` Verifier cache.
6. The compiled-twin switch (``cyjose._speedups.flag`` / ``compiled_twin`` /
   ``load_twin``), in fresh interpreters.

None of these tests depends on the compiled twins being built.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest
import sample_keys as keys
from cryptography.hazmat.primitives.asymmetric import ec

import cyjose
from cyjose import PyJWK, PyJWKSet, Signer, Verifier, jwe
from cyjose._encode import ALGORITHM_UNSET
from cyjose._keyset import keys_for_header, set_keys
from cyjose._serialized import check_disjoint
from cyjose.algorithms import Algorithm, ECAlgorithm
from cyjose.api_jws import PyJWS
from cyjose.exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidTokenError,
    JWEDecryptionError,
    UnknownKeyError,
)
from cyjose.jwe import JWERecipient
from cyjose.jws import JWSSigner, sign_json, verify_json
from cyjose.types import Options
from cyjose.warnings import InsecureKeyLengthWarning

CLAIMS = {"sub": "shared-rules"}
PAYLOAD = b'{"sub":"shared-rules"}'
SECRET_256 = keys.secret("HS256")  # 32 bytes: no short-key warning for HS256
SECRET_384 = keys.secret("HS384")  # 48 bytes
SHORT_SECRET = b"short"
KW_KEY = bytes(range(16))  # A128KW


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def oct_jwk(secret: bytes, **members: Any) -> PyJWK:
    return PyJWK({"kty": "oct", "k": b64(secret), **members})


def ec_jwk_dict(key: Any, **members: Any) -> Dict[str, Any]:
    """The JWK of an EC key (private members included for a private key) plus ``members``."""
    return {**json.loads(ECAlgorithm.to_jwk(key)), **members}


# =========================================================================== 1. signing-key preparation


@dataclass(frozen=True)
class SigningCaller:
    """One public way to sign, driven the same way for every test."""

    name: str
    #: sign(key, algorithm, headers, enforce) -> signed result; ``algorithm`` may be ALGORITHM_UNSET.
    sign: Callable[[Any, Any, Optional[Dict[str, Any]], bool], Any]
    #: verify(result, key, algorithms) -> the payload bytes
    verify: Callable[[Any, Any, List[str]], bytes]
    #: the protected header of a signed result
    header: Callable[[Any], Dict[str, Any]]


def _encode_sign(key: Any, algorithm: Any, headers: Optional[Dict[str, Any]], enforce: bool) -> str:
    if enforce:
        jws = PyJWS(options={"enforce_minimum_key_length": True})
        if algorithm == CUSTOM:  # a PyJWS has its own registry (as PyJWT's): give it the global one's algorithm
            jws.register_algorithm(CUSTOM, cyjose.get_algorithm_by_name(CUSTOM))
        return jws.encode(PAYLOAD, key, algorithm, headers)
    if algorithm is ALGORITHM_UNSET:
        return cyjose.encode(CLAIMS, key, headers=headers)
    return cyjose.encode(CLAIMS, key, algorithm, headers=headers)


def _signer_sign(key: Any, algorithm: Any, headers: Optional[Dict[str, Any]], enforce: bool) -> str:
    return Signer(key, algorithm, headers, enforce_minimum_key_length=enforce).sign(CLAIMS)


def _sign_json_sign(key: Any, algorithm: Any, headers: Optional[Dict[str, Any]], enforce: bool) -> Dict[str, Any]:
    signer = JWSSigner(key, None if algorithm is ALGORITHM_UNSET else algorithm, headers)
    return sign_json(PAYLOAD, signer, flattened=True, enforce_minimum_key_length=enforce)


def _compact_verify(token: str, key: Any, algorithms: List[str]) -> bytes:
    return bytes(cyjose.api_jws.decode_complete(token, key, algorithms)["payload"])


def _json_verify(obj: Dict[str, Any], key: Any, algorithms: List[str]) -> bytes:
    return bytes(verify_json(obj, key, algorithms)["payload"])


def _json_header(obj: Dict[str, Any]) -> Dict[str, Any]:
    header: Dict[str, Any] = json.loads(unb64(obj["protected"]))
    return header


SIGNING_CALLERS = [
    SigningCaller("encode", _encode_sign, _compact_verify, cyjose.get_unverified_header),
    SigningCaller("Signer", _signer_sign, _compact_verify, cyjose.get_unverified_header),
    SigningCaller("sign_json", _sign_json_sign, _json_verify, _json_header),
]


@pytest.fixture(params=SIGNING_CALLERS, ids=lambda caller: caller.name)
def signing(request: pytest.FixtureRequest) -> SigningCaller:
    caller: SigningCaller = request.param
    return caller


def _sign_quietly(signing: SigningCaller, key: Any, algorithm: Any, headers: Any = None, enforce: bool = False) -> Any:
    """Sign, failing the test on any warning (a full-length key must not warn)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return signing.sign(key, algorithm, headers, enforce)


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_a_public_key_is_refused_for_signing(signing: SigningCaller, alg: str) -> None:
    public = keys.public(alg)
    with pytest.raises(InvalidKeyError, match=r"^Signing needs a private key; got " + type(public).__name__):
        signing.sign(public, alg, None, False)
    # ... while its private half signs, and the result verifies under the public key.
    signed = _sign_quietly(signing, keys.private(alg), alg)
    assert signing.header(signed)["alg"] == alg
    assert signing.verify(signed, public, [alg]) == PAYLOAD


def test_a_pyjwk_signs_only_its_own_algorithm(signing: SigningCaller) -> None:
    jwk = oct_jwk(SECRET_384, alg="HS256")
    with pytest.raises(InvalidAlgorithmError) as caught:
        signing.sign(jwk, "HS384", None, False)
    assert str(caught.value) == "Token algorithm 'HS384' does not match the key's algorithm 'HS256'"


def test_every_caller_words_the_pyjwk_algorithm_mismatch_the_same() -> None:
    jwk = oct_jwk(SECRET_384, alg="HS256")
    messages = set()
    for caller in SIGNING_CALLERS:
        with pytest.raises(InvalidAlgorithmError) as caught:
            caller.sign(jwk, "HS512", None, False)
        messages.add(str(caught.value))
    assert messages == {"Token algorithm 'HS512' does not match the key's algorithm 'HS256'"}


def test_a_pyjwk_without_algorithm_signs_with_its_own(signing: SigningCaller) -> None:
    jwk = oct_jwk(SECRET_384, alg="HS384")
    signed = _sign_quietly(signing, jwk, ALGORITHM_UNSET)
    assert signing.header(signed)["alg"] == "HS384"
    assert signing.verify(signed, SECRET_384, ["HS384"]) == PAYLOAD


@pytest.mark.parametrize(
    "members, message",
    [
        ({"use": "enc"}, 'The key is published for "use": "enc", so it cannot sign'),
        ({"key_ops": ["verify"]}, 'The key\'s "key_ops" do not include "sign"'),
    ],
    ids=["use-enc", "key_ops-verify-only"],
)
def test_a_pyjwk_whose_metadata_forbids_signing_is_refused(
    signing: SigningCaller, members: Dict[str, Any], message: str
) -> None:
    jwk = oct_jwk(SECRET_256, alg="HS256", **members)
    with pytest.raises(InvalidKeyError) as caught:
        signing.sign(jwk, "HS256", None, False)
    assert str(caught.value) == message


def test_an_unknown_algorithm_is_not_implemented(signing: SigningCaller) -> None:
    with pytest.raises(NotImplementedError, match="^Algorithm not supported$"):
        signing.sign(SECRET_256, "XX999", None, False)


def test_a_short_hmac_key_warns_then_signs(signing: SigningCaller) -> None:
    with pytest.warns(InsecureKeyLengthWarning, match="The HMAC key is 5 bytes long"):
        signed = signing.sign(SHORT_SECRET, "HS256", None, False)
    assert signing.header(signed)["alg"] == "HS256"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        assert signing.verify(signed, SHORT_SECRET, ["HS256"]) == PAYLOAD


def test_a_short_hmac_key_is_refused_when_enforced(signing: SigningCaller) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # enforcing raises instead of warning
        with pytest.raises(InvalidKeyError, match="^The HMAC key is 5 bytes long, which is below the minimum"):
            signing.sign(SHORT_SECRET, "HS256", None, True)
    # A full-length key passes the same enforcement.
    assert signing.header(_sign_quietly(signing, SECRET_256, "HS256", enforce=True))["alg"] == "HS256"


def test_pyjwt_options_enforce_the_minimum_key_length_for_encode_too() -> None:
    with pytest.raises(InvalidKeyError, match="^The HMAC key is 5 bytes long"):
        cyjose.PyJWT(options={"enforce_minimum_key_length": True}).encode(CLAIMS, SHORT_SECRET, "HS256")


def test_headers_alg_takes_the_place_of_algorithm(signing: SigningCaller) -> None:
    signed = _sign_quietly(signing, SECRET_384, ALGORITHM_UNSET, {"alg": "HS384"})
    assert signing.header(signed)["alg"] == "HS384"
    assert signing.verify(signed, SECRET_384, ["HS384"]) == PAYLOAD
    with pytest.raises(InvalidAlgorithmError):
        signing.verify(signed, SECRET_384, ["HS256"])


def test_headers_alg_wins_over_an_explicit_algorithm(signing: SigningCaller) -> None:
    signed = _sign_quietly(signing, SECRET_384, "HS256", {"alg": "HS384"})
    assert signing.header(signed)["alg"] == "HS384"
    assert signing.verify(signed, SECRET_384, ["HS384"]) == PAYLOAD


def test_signer_and_jwssigner_sign_hs384_from_headers_alg() -> None:
    token = Signer(SECRET_384, headers={"alg": "HS384"}).sign(CLAIMS)
    assert Signer(SECRET_384, headers={"alg": "HS384"}).algorithm == "HS384"
    assert cyjose.decode(token, SECRET_384, algorithms=["HS384"]) == CLAIMS
    assert token == cyjose.encode(CLAIMS, SECRET_384, "HS384")  # same bytes as encode's
    obj = sign_json(PAYLOAD, JWSSigner(SECRET_384, headers={"alg": "HS384"}), flattened=True)
    assert _json_header(obj) == {"alg": "HS384"}
    assert verify_json(obj, SECRET_384, ["HS384"])["payload"] == PAYLOAD


@pytest.mark.parametrize("who", ["Signer", "JWSSigner"])
@pytest.mark.parametrize("headers", [None, {}, {"kid": "k"}, {"alg": ""}], ids=["none", "empty", "kid", "alg-empty"])
def test_a_prepared_signer_needs_an_algorithm(who: str, headers: Optional[Dict[str, Any]]) -> None:
    with pytest.raises(TypeError, match=rf"^{who} needs an algorithm"):
        if who == "Signer":
            Signer(SECRET_256, headers=headers)
        else:
            sign_json(PAYLOAD, JWSSigner(SECRET_256, headers=headers))


def test_encode_without_algorithm_signs_hs256() -> None:
    token = cyjose.encode(CLAIMS, SECRET_256)
    assert cyjose.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    assert token == Signer(SECRET_256, "HS256").sign(CLAIMS)


def test_an_explicit_none_algorithm_is_the_unsigned_token() -> None:
    signer = Signer(None, None)
    assert signer.algorithm == "none"
    token = signer.sign(CLAIMS)
    assert token == cyjose.encode(CLAIMS, None, None)
    assert token.endswith(".")
    assert cyjose.get_unverified_header(token)["alg"] == "none"


def test_encode_and_signer_make_the_same_token() -> None:
    headers = {"kid": "k1", "typ": "at+jwt"}
    assert Signer(SECRET_256, "HS256", headers).sign(CLAIMS) == cyjose.encode(CLAIMS, SECRET_256, "HS256", headers)


class Truncated512(Algorithm):
    """A made-up algorithm: HMAC-SHA512 cut to 24 bytes; bytes keys; under 16 bytes is "weak"."""

    def prepare_key(self, key: Any) -> bytes:
        if not isinstance(key, bytes):
            raise InvalidKeyError("Truncated512 takes bytes keys only")
        return key

    def sign(self, msg: bytes, key: bytes) -> bytes:
        return hmac.new(key, msg, hashlib.sha512).digest()[:24]

    def verify(self, msg: bytes, key: bytes, sig: bytes) -> bool:
        return hmac.compare_digest(self.sign(msg, key), sig)

    def check_key_length(self, key: Any) -> Optional[str]:
        return "Truncated512 wants 16 bytes of key" if len(key) < 16 else None


CUSTOM = "XT512"
CUSTOM_KEY = b"a custom key of 26 bytes!!"


@pytest.fixture
def custom_algorithm() -> Iterator[str]:
    """:class:`Truncated512` registered process-wide as ``XT512``, unregistered afterwards."""
    cyjose.register_algorithm(CUSTOM, Truncated512())
    try:
        yield CUSTOM
    finally:
        cyjose.unregister_algorithm(CUSTOM)


def test_a_registered_algorithm_signs_through_every_caller(signing: SigningCaller, custom_algorithm: str) -> None:
    signed = _sign_quietly(signing, CUSTOM_KEY, custom_algorithm)
    assert signing.header(signed)["alg"] == custom_algorithm
    assert signing.verify(signed, CUSTOM_KEY, [custom_algorithm]) == PAYLOAD
    # The signature is the custom algorithm's own.
    if isinstance(signed, str):
        signing_input, signature = signed.rsplit(".", 1)
    else:
        signing_input, signature = signed["protected"] + "." + signed["payload"], signed["signature"]
    assert unb64(signature) == hmac.new(CUSTOM_KEY, signing_input.encode(), hashlib.sha512).digest()[:24]


def test_a_registered_algorithm_prepares_keys_for_every_caller(signing: SigningCaller, custom_algorithm: str) -> None:
    with pytest.raises(InvalidKeyError, match="^Truncated512 takes bytes keys only$"):
        signing.sign("a str key", custom_algorithm, None, False)
    with pytest.warns(InsecureKeyLengthWarning, match="^Truncated512 wants 16 bytes of key$"):
        signing.sign(b"tiny", custom_algorithm, None, False)
    with pytest.raises(InvalidKeyError, match="^Truncated512 wants 16 bytes of key$"):
        signing.sign(b"tiny", custom_algorithm, None, True)


def test_a_pyjws_instance_keeps_its_own_registry(custom_algorithm: str) -> None:
    assert cyjose.encode(CLAIMS, CUSTOM_KEY, custom_algorithm)  # the module-level functions see it ...
    with pytest.raises(NotImplementedError, match="^Algorithm not supported$"):  # ... a new instance does not
        PyJWS().encode(PAYLOAD, CUSTOM_KEY, custom_algorithm)


def test_an_unregistered_algorithm_no_longer_signs(signing: SigningCaller) -> None:
    cyjose.register_algorithm(CUSTOM, Truncated512())
    cyjose.unregister_algorithm(CUSTOM)
    with pytest.raises(NotImplementedError, match="^Algorithm not supported$"):
        signing.sign(CUSTOM_KEY, CUSTOM, None, False)


# =========================================================================== 2. which JWK serves a header


EC_A = keys.private("ES256")
EC_B = keys.private("ES256", "other")
EC_384 = keys.private("ES384")
#: One JWK set for all three callers: two P-256 keys (no "alg": ES256 to sign, ECDH-ES to decrypt).
JWK_SET = {"keys": [ec_jwk_dict(EC_A, kid="a"), ec_jwk_dict(EC_B, kid="b")]}
ONE_KEY_SET = {"keys": [ec_jwk_dict(EC_A, kid="a")]}

JWE_ALG, JWE_ENC = "ECDH-ES+A128KW", "A128GCM"


class TestKeysForHeader:
    """The rule itself, on PyJWKs."""

    ja = PyJWK(ec_jwk_dict(EC_A, kid="a"))
    jb = PyJWK(ec_jwk_dict(EC_B, kid="b"))
    bare = PyJWK(ec_jwk_dict(EC_B))  # no kid
    enc = PyJWK(ec_jwk_dict(EC_A, kid="c", use="enc"))
    p384 = PyJWK(ec_jwk_dict(EC_384, kid="p"))
    hs = oct_jwk(SECRET_256, kid="h", alg="HS256")
    every = (ja, jb, bare, enc, p384, hs)

    def test_a_kid_selects_the_keys_with_that_kid(self) -> None:
        assert keys_for_header(list(self.every), "a") == [self.ja]
        assert keys_for_header(list(self.every), "b") == [self.jb]
        assert keys_for_header(list(self.every), "zz") == []

    def test_no_kid_leaves_every_key(self) -> None:
        assert keys_for_header(list(self.every), None) == list(self.every)

    def test_a_lone_key_without_kid_serves_any_kid(self) -> None:
        assert keys_for_header([self.bare], "zz", lone=True) == [self.bare]
        assert keys_for_header([self.bare], "zz") == []  # in a set it does not
        assert keys_for_header([self.ja], "zz", lone=True) == []  # a lone key with another kid does not
        assert keys_for_header(list(self.every), "zz", lone=True) == [self.bare]

    def test_alg_keeps_the_keys_of_that_algorithm(self) -> None:
        assert keys_for_header(list(self.every), None, "HS256") == [self.hs]
        assert keys_for_header(list(self.every), None, "ES384") == [self.p384]
        assert keys_for_header(list(self.every), "a", "ES384") == []
        assert keys_for_header(list(self.every), None, "ES256") == [self.ja, self.jb, self.bare, self.enc]

    def test_operation_keeps_the_keys_whose_metadata_allows_it(self) -> None:
        assert keys_for_header(list(self.every), None, "ES256", "verify") == [self.ja, self.jb, self.bare]
        assert keys_for_header(list(self.every), "c", None, "verify") == []
        assert keys_for_header(list(self.every), "c", None, "deriveKey") == [self.enc]

    def test_set_keys_reads_sets_and_nothing_else(self) -> None:
        jwk_set = PyJWKSet.from_dict(JWK_SET)
        assert set_keys(jwk_set) == list(jwk_set.keys)
        loaded = set_keys(JWK_SET)
        assert loaded is not None and [jwk.key_id for jwk in loaded] == ["a", "b"]
        assert isinstance(loaded[0].key, ec.EllipticCurvePrivateKey)
        public = set_keys(JWK_SET, load_private=False)
        assert public is not None and isinstance(public[0].key, ec.EllipticCurvePublicKey)
        for other in (SECRET_256, self.ja, {"kty": "oct", "k": b64(SECRET_256)}, None):
            assert set_keys(other) is None


def _jws_token(key: Any, kid: Optional[str], alg: str = "ES256") -> str:
    return cyjose.encode(CLAIMS, key, alg, headers={"kid": kid} if kid else None)


def _jws_json(key: Any, kid: Optional[str], alg: str = "ES256") -> Dict[str, Any]:
    return sign_json(PAYLOAD, JWSSigner(key, alg, headers={"kid": kid} if kid else None))


def _jwe_json(key: Any, kid: Optional[str]) -> Dict[str, Any]:
    return jwe.encrypt_json(PAYLOAD, JWERecipient(key.public_key(), JWE_ALG, {"kid": kid} if kid else None), JWE_ENC)


@dataclass(frozen=True)
class SetCaller:
    name: str
    #: make(private key, kid) -> something signed / encrypted with that key under that kid
    make: Callable[[Any, Optional[str]], Any]
    #: open(made, key set) -> the payload bytes
    open: Callable[[Any, Any], bytes]
    #: what a kid-chosen key that does not fit raises
    mismatch: type


SET_CALLERS = [
    SetCaller("Verifier", _jws_token,
              lambda token, key_set: json.dumps(Verifier(key_set, ["ES256"]).verify(token),
                                                separators=(",", ":")).encode(),
              InvalidSignatureError),
    SetCaller("verify_json", _jws_json,
              lambda obj, key_set: bytes(verify_json(obj, key_set, ["ES256"])["payload"]),
              InvalidSignatureError),
    SetCaller("decrypt_json", _jwe_json,
              lambda obj, key_set: bytes(jwe.decrypt_json(obj, key_set, [JWE_ALG], [JWE_ENC])["plaintext"]),
              JWEDecryptionError),
]


@pytest.fixture(params=SET_CALLERS, ids=lambda caller: caller.name)
def set_caller(request: pytest.FixtureRequest) -> SetCaller:
    caller: SetCaller = request.param
    return caller


@pytest.mark.parametrize("kid, key", [("a", EC_A), ("b", EC_B)])
def test_the_key_is_picked_by_kid(set_caller: SetCaller, kid: str, key: Any) -> None:
    assert set_caller.open(set_caller.make(key, kid), JWK_SET) == PAYLOAD


def test_only_the_key_named_by_kid_is_tried(set_caller: SetCaller) -> None:
    made = set_caller.make(EC_B, "a")  # B's key, but the header names A
    with pytest.raises(set_caller.mismatch):
        set_caller.open(made, JWK_SET)


def test_an_unknown_kid_is_refused(set_caller: SetCaller) -> None:
    made = set_caller.make(EC_A, "zz")
    with pytest.raises(UnknownKeyError) as caught:
        set_caller.open(made, JWK_SET)
    if set_caller.name == "decrypt_json":
        assert str(caught.value) == "No key matches the kid of any recipient"
    else:
        assert str(caught.value) == 'Unable to find a signing key that matches: "zz"'


def test_without_kid_the_only_key_of_a_set_serves(set_caller: SetCaller) -> None:
    assert set_caller.open(set_caller.make(EC_A, None), ONE_KEY_SET) == PAYLOAD


def test_verifier_without_kid_refuses_when_two_keys_fit() -> None:
    with pytest.raises(UnknownKeyError) as caught:
        Verifier(JWK_SET, ["ES256"]).verify(_jws_token(EC_A, None))
    assert str(caught.value) == 'The token has no "kid" and the key set has 2 keys for "ES256"'


def test_verify_json_without_kid_refuses_when_two_keys_fit() -> None:
    with pytest.raises(UnknownKeyError, match='^The key set has 2 keys for "ES256"'):
        verify_json(_jws_json(EC_A, None), JWK_SET, ["ES256"])


@pytest.mark.parametrize("key", [EC_A, EC_B])
def test_decrypt_json_without_kid_tries_every_key_of_the_set(key: Any) -> None:
    assert jwe.decrypt_json(_jwe_json(key, None), JWK_SET, [JWE_ALG], [JWE_ENC])["plaintext"] == PAYLOAD


def test_without_kid_only_keys_for_the_algorithm_count() -> None:
    mixed = {"keys": [ec_jwk_dict(EC_A.public_key(), kid="a"), ec_jwk_dict(EC_384.public_key(), kid="p")]}
    assert Verifier(mixed, ["ES256", "ES384"]).verify(_jws_token(EC_A, None)) == CLAIMS
    assert Verifier(mixed, ["ES256", "ES384"]).verify(_jws_token(EC_384, None, "ES384")) == CLAIMS
    assert verify_json(_jws_json(EC_384, None, "ES384"), mixed, ["ES256", "ES384"])["payload"] == PAYLOAD


def test_without_kid_keys_that_may_not_verify_do_not_count() -> None:
    with_enc = {"keys": [ec_jwk_dict(EC_A.public_key(), kid="a", use="enc"), ec_jwk_dict(EC_B.public_key(), kid="b")]}
    assert Verifier(with_enc, ["ES256"]).verify(_jws_token(EC_B, None)) == CLAIMS
    assert verify_json(_jws_json(EC_B, None), with_enc, ["ES256"])["payload"] == PAYLOAD


def test_verifier_without_kid_refuses_a_set_with_no_key_for_the_alg() -> None:
    # The only P-256 key is for encryption: no key may verify an ES256 token without kid.
    no_es256 = {"keys": [ec_jwk_dict(EC_A.public_key(), kid="a", use="enc"),
                         ec_jwk_dict(EC_384.public_key(), kid="p")]}
    verifier = Verifier(no_es256, ["ES256", "ES384"])
    with pytest.raises(UnknownKeyError) as caught:
        verifier.verify(_jws_token(EC_A, None))
    assert str(caught.value) == 'The key set has no key for "ES256"'
    assert verifier.verify(_jws_token(EC_384, None, "ES384")) == CLAIMS


def test_a_kid_naming_a_key_that_may_not_verify() -> None:
    """The one place the callers differ on purpose, pinned so neither changes unnoticed.

    A Verifier binds the key the token's kid names and reports why it cannot
    verify (InvalidKeyError, the message names key_ops/use); jws.verify_json
    weighs several signatures and passes an unusable key over (UnknownKeyError).
    """
    with_enc = {"keys": [ec_jwk_dict(EC_A.public_key(), kid="a", use="enc"), ec_jwk_dict(EC_B.public_key(), kid="b")]}
    with pytest.raises(InvalidKeyError):
        Verifier(with_enc, ["ES256"]).verify(_jws_token(EC_A, "a"))
    with pytest.raises(UnknownKeyError):
        verify_json(_jws_json(EC_A, "a"), with_enc, ["ES256"])


# =========================================================================== 3. disjoint headers


def test_check_disjoint_itself() -> None:
    check_disjoint({"alg": "HS256"}, {"kid": "k"}, "JWS")  # disjoint: nothing raised
    check_disjoint({}, {}, "JWE")
    with pytest.raises(DecodeError, match="^Invalid JWX: the header member 'kid' is in more than one header$"):
        check_disjoint({"kid": "a"}, {"kid": "b"}, "JWX")
    with pytest.raises(DecodeError, match="^Invalid JWX: an unprotected header must be a JSON object$"):
        check_disjoint({}, ["kid"], "JWX")
    with pytest.raises(DecodeError, match="^Invalid JWX: header member names must be strings$"):
        check_disjoint({}, {1: "x"}, "JWX")
    long_name = "n" * 500
    with pytest.raises(DecodeError) as caught:
        check_disjoint({long_name: 1}, {long_name: 2}, "JWS")
    assert long_name not in str(caught.value) and "'" + "n" * 37 + "...'" in str(caught.value)


def _overlap(what: str, name: str = "kid") -> str:
    return f"^Invalid {what}: the header member '{name}' is in more than one header$"


def _not_object(what: str) -> str:
    return f"^Invalid {what}: an unprotected header must be a JSON object$"


def _not_string(what: str) -> str:
    return f"^Invalid {what}: header member names must be strings$"


FLAT_JWS = sign_json(PAYLOAD, JWSSigner(SECRET_256, "HS256", headers={"kid": "a"}), flattened=True)
GENERAL_JWS = sign_json(PAYLOAD, JWSSigner(SECRET_256, "HS256", headers={"kid": "a"}))


def _with_signature_header(header: Any, flattened: bool) -> Dict[str, Any]:
    if flattened:
        return {**FLAT_JWS, "header": header}
    return {**GENERAL_JWS, "signatures": [{**GENERAL_JWS["signatures"][0], "header": header}]}


@pytest.mark.parametrize("flattened", [True, False], ids=["flattened", "general"])
class TestVerifyJsonDisjoint:
    def test_a_name_in_both_headers(self, flattened: bool) -> None:
        for name in ("kid", "alg"):
            with pytest.raises(DecodeError, match=_overlap("JWS", name)):
                verify_json(_with_signature_header({name: "b"}, flattened), SECRET_256, ["HS256"])
        # Disjoint headers verify.
        assert verify_json(_with_signature_header({"x5u": "u"}, flattened), SECRET_256, ["HS256"])["payload"] == PAYLOAD

    @pytest.mark.parametrize("header", [["kid"], "kid", 5])
    def test_a_header_that_is_not_an_object(self, flattened: bool, header: Any) -> None:
        with pytest.raises(DecodeError, match=_not_object("JWS")):
            verify_json(_with_signature_header(header, flattened), SECRET_256, ["HS256"])

    def test_a_member_name_that_is_not_a_string(self, flattened: bool) -> None:
        with pytest.raises(DecodeError, match=_not_string("JWS")):
            verify_json(_with_signature_header({1: "x"}, flattened), SECRET_256, ["HS256"])


class TestSignJsonDisjoint:
    @pytest.mark.parametrize("name", ["kid", "alg"])
    def test_a_name_in_both_headers(self, name: str) -> None:
        signer = JWSSigner(SECRET_256, "HS256", headers={"kid": "a"}, unprotected={name: "b"})
        with pytest.raises(DecodeError, match=_overlap("JWS", name)):
            sign_json(PAYLOAD, signer)

    def test_disjoint_headers_sign(self) -> None:
        obj = sign_json(PAYLOAD, JWSSigner(SECRET_256, "HS256", headers={"kid": "a"}, unprotected={"x5u": "u"}),
                        flattened=True)
        assert obj["header"] == {"x5u": "u"}
        assert verify_json(obj, SECRET_256, ["HS256"])["header"] == {"alg": "HS256", "kid": "a", "x5u": "u"}

    @pytest.mark.parametrize("unprotected", [["kid"], "kid", 5])
    def test_an_unprotected_header_that_is_not_an_object(self, unprotected: Any) -> None:
        with pytest.raises(DecodeError, match=_not_object("JWS")):
            sign_json(PAYLOAD, JWSSigner(SECRET_256, "HS256", unprotected=unprotected))

    def test_a_member_name_that_is_not_a_string(self) -> None:
        with pytest.raises(DecodeError, match=_not_string("JWS")):
            sign_json(PAYLOAD, JWSSigner(SECRET_256, "HS256", unprotected={1: "x"}))  # type: ignore[dict-item]


class TestEncryptJsonDisjoint:
    def test_protected_and_unprotected_overlap(self) -> None:
        with pytest.raises(DecodeError, match=_overlap("JWE")):
            jwe.encrypt_json(PAYLOAD, JWERecipient(KW_KEY, "A128KW"), "A128GCM",
                             protected={"kid": "a"}, unprotected={"kid": "b"})

    @pytest.mark.parametrize("shared", ["protected", "unprotected"])
    def test_a_shared_header_and_a_recipient_header_overlap(self, shared: str) -> None:
        with pytest.raises(DecodeError, match=_overlap("JWE")):
            jwe.encrypt_json(PAYLOAD, JWERecipient(KW_KEY, "A128KW", {"kid": "b"}), "A128GCM",
                             **{shared: {"kid": "a"}})  # type: ignore[arg-type]

    def test_disjoint_headers_encrypt(self) -> None:
        obj = jwe.encrypt_json(PAYLOAD, JWERecipient(KW_KEY, "A128KW", {"kid": "r"}), "A128GCM",
                               protected={"cty": "c"}, unprotected={"typ": "t"}, flattened=True)
        header = jwe.decrypt_json(obj, KW_KEY, ["A128KW"], ["A128GCM"])["header"]
        assert (header["cty"], header["typ"], header["kid"]) == ("c", "t", "r")

    def test_argument_types_are_checked_before_the_disjoint_rule(self) -> None:
        # caller_header answers first here: a TypeError (the argument's type), not the DecodeError of parsing.
        with pytest.raises(TypeError, match="^unprotected must be a dict, got list$"):
            jwe.encrypt_json(PAYLOAD, JWERecipient(KW_KEY, "A128KW"), "A128GCM",
                             unprotected=["kid"])  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="^a recipient's header must be a dict, got str$"):
            jwe.encrypt_json(PAYLOAD, JWERecipient(KW_KEY, "A128KW", "kid"), "A128GCM")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="^Header member names must be strings$"):
            jwe.encrypt_json(PAYLOAD, JWERecipient(KW_KEY, "A128KW"), "A128GCM",
                             unprotected={1: "x"})  # type: ignore[dict-item]


FLAT_JWE = jwe.encrypt_json(PAYLOAD, JWERecipient(KW_KEY, "A128KW", {"kid": "r"}), "A128GCM",
                            protected={"cty": "c"}, unprotected={"typ": "t"}, flattened=True)
GENERAL_JWE = jwe.encrypt_json(PAYLOAD, JWERecipient(KW_KEY, "A128KW", {"kid": "r"}), "A128GCM",
                               protected={"cty": "c"}, unprotected={"typ": "t"})


def _decrypt(obj: Any) -> Dict[str, Any]:
    return jwe.decrypt_json(obj, KW_KEY, ["A128KW"], ["A128GCM"])


def _with_recipient_header(header: Any, flattened: bool) -> Dict[str, Any]:
    if flattened:
        return {**FLAT_JWE, "header": header}
    return {**GENERAL_JWE, "recipients": [{**GENERAL_JWE["recipients"][0], "header": header}]}


@pytest.mark.parametrize("flattened", [True, False], ids=["flattened", "general"])
class TestDecryptJsonDisjoint:
    def test_the_objects_as_encrypted_decrypt(self, flattened: bool) -> None:
        assert _decrypt(FLAT_JWE if flattened else GENERAL_JWE)["plaintext"] == PAYLOAD

    def test_protected_and_unprotected_overlap(self, flattened: bool) -> None:
        obj = FLAT_JWE if flattened else GENERAL_JWE
        with pytest.raises(DecodeError, match=_overlap("JWE", "cty")):
            _decrypt({**obj, "unprotected": {"cty": "x"}})

    @pytest.mark.parametrize("name", ["typ", "cty", "alg"])
    def test_a_recipient_header_overlaps_a_shared_one(self, flattened: bool, name: str) -> None:
        with pytest.raises(DecodeError, match=_overlap("JWE", name)):
            _decrypt(_with_recipient_header({"kid": "r", name: "x"}, flattened))

    @pytest.mark.parametrize("header", [["kid"], "kid", 5])
    def test_a_header_that_is_not_an_object(self, flattened: bool, header: Any) -> None:
        obj = FLAT_JWE if flattened else GENERAL_JWE
        with pytest.raises(DecodeError, match=_not_object("JWE")):
            _decrypt({**obj, "unprotected": header})
        with pytest.raises(DecodeError, match=_not_object("JWE")):
            _decrypt(_with_recipient_header(header, flattened))

    def test_a_member_name_that_is_not_a_string(self, flattened: bool) -> None:
        obj = FLAT_JWE if flattened else GENERAL_JWE
        with pytest.raises(DecodeError, match=_not_string("JWE")):
            _decrypt({**obj, "unprotected": {1: "x"}})
        with pytest.raises(DecodeError, match=_not_string("JWE")):
            _decrypt(_with_recipient_header({1: "x"}, flattened))


# =========================================================================== 4. the JWE decrypt prologue


COMPACT_JWE = jwe.encrypt(PAYLOAD, KW_KEY, "A128KW", "A128GCM")
COMPACT_ZIP = jwe.encrypt(PAYLOAD * 20, KW_KEY, "A128KW", "A128GCM", zip="DEF")
JSON_JWE = jwe.encrypt_json(PAYLOAD, JWERecipient(KW_KEY, "A128KW"), "A128GCM")
JSON_ZIP = jwe.encrypt_json(PAYLOAD * 20, JWERecipient(KW_KEY, "A128KW"), "A128GCM", zip="DEF")


@dataclass(frozen=True)
class DecryptCaller:
    name: str
    decrypt: Callable[..., Dict[str, Any]]
    token: Any
    zipped: Any


DECRYPT_CALLERS = [
    DecryptCaller("decrypt_complete", jwe.decrypt_complete, COMPACT_JWE, COMPACT_ZIP),
    DecryptCaller("decrypt_json", jwe.decrypt_json, JSON_JWE, JSON_ZIP),
]


@pytest.fixture(params=DECRYPT_CALLERS, ids=lambda caller: caller.name)
def decrypting(request: pytest.FixtureRequest) -> DecryptCaller:
    caller: DecryptCaller = request.param
    return caller


def test_the_tokens_decrypt_under_a_fitting_policy(decrypting: DecryptCaller) -> None:
    assert decrypting.decrypt(decrypting.token, KW_KEY, ["A128KW"], ["A128GCM"])["plaintext"] == PAYLOAD
    zipped = decrypting.decrypt(decrypting.zipped, KW_KEY, ["A128KW"], ["A128GCM"], zips=["DEF"])
    assert zipped["plaintext"] == PAYLOAD * 20
    # allow_rsa1_5 only permits listing RSA1_5; other tokens still decrypt.
    allowed = decrypting.decrypt(decrypting.token, KW_KEY, ["A128KW", "RSA1_5"], ["A128GCM"], allow_rsa1_5=True)
    assert allowed["plaintext"] == PAYLOAD


def test_rsa1_5_needs_allow_rsa1_5(decrypting: DecryptCaller) -> None:
    for token in (decrypting.token, "not even a token"):  # the policy is checked before the input
        with pytest.raises(InvalidAlgorithmError, match=r"^RSA1_5 is accepted only with allow_rsa1_5=True$"):
            decrypting.decrypt(token, KW_KEY, ["A128KW", "RSA1_5"], ["A128GCM"])


@pytest.mark.parametrize(
    "arguments, what",
    [
        ((["A128KW", "NOPE"], ["A128GCM"], ()), "algorithms"),
        ((["A128KW"], ["A128GCM", "NOPE"], ()), "encryptions"),
        ((["A128KW"], ["A128GCM"], ["NOPE"]), "zips"),
    ],
    ids=["algorithms", "encryptions", "zips"],
)
def test_an_unknown_name_in_an_allow_list(decrypting: DecryptCaller, arguments: Any, what: str) -> None:
    algorithms, encryptions, zips = arguments
    with pytest.raises(InvalidAlgorithmError) as caught:
        decrypting.decrypt(decrypting.token, KW_KEY, algorithms, encryptions, zips=zips)
    assert str(caught.value) == f"Unsupported name in {what}: 'NOPE'"


@pytest.mark.parametrize(
    "arguments, what",
    [
        (("A128KW", ["A128GCM"], ()), "algorithms"),
        ((["A128KW"], "A128GCM", ()), "encryptions"),
        ((["A128KW"], ["A128GCM"], "DEF"), "zips"),
        ((None, ["A128GCM"], ()), "algorithms"),
    ],
    ids=["algorithms-str", "encryptions-str", "zips-str", "algorithms-None"],
)
def test_an_allow_list_must_be_a_collection(decrypting: DecryptCaller, arguments: Any, what: str) -> None:
    algorithms, encryptions, zips = arguments
    with pytest.raises(TypeError, match=f"^{what} must be a collection of names, such as a list$"):
        decrypting.decrypt(decrypting.token, KW_KEY, algorithms, encryptions, zips=zips)


def test_a_token_whose_enc_is_not_allowed(decrypting: DecryptCaller) -> None:
    with pytest.raises(InvalidAlgorithmError, match="^The specified enc value is not allowed$"):
        decrypting.decrypt(decrypting.token, KW_KEY, ["A128KW"], ["A256GCM"])


def test_a_token_whose_alg_is_not_allowed(decrypting: DecryptCaller) -> None:
    with pytest.raises(InvalidAlgorithmError, match="^The specified alg value is not allowed$"):
        decrypting.decrypt(decrypting.token, KW_KEY, ["A256KW"], ["A128GCM"])


@pytest.mark.parametrize("zips", [(), [], frozenset()], ids=["tuple", "list", "frozenset"])
def test_a_zip_token_needs_zip_allowed(decrypting: DecryptCaller, zips: Any) -> None:
    with pytest.raises(InvalidAlgorithmError, match="^The specified zip value is not allowed$"):
        decrypting.decrypt(decrypting.zipped, KW_KEY, ["A128KW"], ["A128GCM"], zips=zips)


@dataclass(frozen=True)
class HeaderCaller:
    name: str
    what: str  # the argument's name in the message
    encrypt: Callable[[Dict[str, Any]], Any]


HEADER_CALLERS = [
    HeaderCaller("encrypt-headers", "headers",
                 lambda members: jwe.encrypt(PAYLOAD, KW_KEY, "A128KW", "A128GCM", headers=members)),
    HeaderCaller("encrypt_json-protected", "protected",
                 lambda members: jwe.encrypt_json(PAYLOAD, JWERecipient(KW_KEY, "A128KW"), "A128GCM",
                                                  protected=members)),
    HeaderCaller("encrypt_json-unprotected", "unprotected",
                 lambda members: jwe.encrypt_json(PAYLOAD, JWERecipient(KW_KEY, "A128KW"), "A128GCM",
                                                  unprotected=members)),
    HeaderCaller("encrypt_json-recipient", "a recipient's header",
                 lambda members: jwe.encrypt_json(PAYLOAD, JWERecipient(KW_KEY, "A128KW", members), "A128GCM")),
]


@pytest.mark.parametrize("caller", HEADER_CALLERS, ids=lambda caller: caller.name)
@pytest.mark.parametrize("name", ["alg", "enc", "zip", "epk", "p2s", "iv", "tag", "crit"])
def test_a_computed_member_or_crit_cannot_be_set(caller: HeaderCaller, name: str) -> None:
    with pytest.raises(InvalidTokenError) as caught:
        caller.encrypt({name: "x"})
    assert str(caught.value) == f'The "{name}" header member cannot be set in {caller.what}'


@pytest.mark.parametrize("caller", HEADER_CALLERS, ids=lambda caller: caller.name)
def test_caller_header_checks_types_and_lets_other_members_through(caller: HeaderCaller) -> None:
    with pytest.raises(TypeError, match=f"^{caller.what} must be a dict, got list$"):
        caller.encrypt(["kid"])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="^Header member names must be strings$"):
        caller.encrypt({1: "x"})  # type: ignore[dict-item]
    members = {"kid": "k1", "x-custom": 7}
    result = caller.encrypt(members)
    opened = (jwe.decrypt_complete if isinstance(result, str) else jwe.decrypt_json)(
        result, KW_KEY, ["A128KW"], ["A128GCM"])
    assert opened["plaintext"] == PAYLOAD
    assert opened["header"]["kid"] == "k1" and opened["header"]["x-custom"] == 7
    assert members == {"kid": "k1", "x-custom": 7}  # the caller's dict is copied, not changed


# =========================================================================== 5. frozen audience / issuer


SECRET = SECRET_256
TOKEN_A = cyjose.encode({"aud": "a", "iss": "i1"}, SECRET, "HS256")
TOKEN_B = cyjose.encode({"aud": "b", "iss": "i2"}, SECRET, "HS256")
NO_AUD: Options = {"verify_aud": False}


def test_mutating_the_audience_after_building_a_verifier_changes_nothing() -> None:
    audience = ["a"]
    verifier = Verifier(SECRET, ["HS256"], audience=audience)
    audience[:] = ["b"]
    assert verifier.verify(TOKEN_A) == {"aud": "a", "iss": "i1"}
    with pytest.raises(InvalidAudienceError):
        verifier.verify(TOKEN_B)


@pytest.mark.parametrize("make", [list, set], ids=["list", "set"])
def test_mutating_the_issuers_after_building_a_verifier_changes_nothing(make: Callable[..., Any]) -> None:
    issuers = make(["i1"])
    verifier = Verifier(SECRET, ["HS256"], issuer=issuers, options=NO_AUD)
    issuers.clear()
    issuers.add("i2") if isinstance(issuers, set) else issuers.append("i2")
    assert verifier.verify(TOKEN_A)["iss"] == "i1"
    with pytest.raises(InvalidIssuerError):
        verifier.verify(TOKEN_B)


def test_decode_uses_the_audience_list_as_it_is_at_each_call() -> None:
    audience = ["a"]
    assert cyjose.decode(TOKEN_A, SECRET, ["HS256"], audience=audience)["aud"] == "a"
    audience[:] = ["b"]  # the same list object, changed between calls: the cached Verifier must not answer
    with pytest.raises(InvalidAudienceError):
        cyjose.decode(TOKEN_A, SECRET, ["HS256"], audience=audience)
    assert cyjose.decode(TOKEN_B, SECRET, ["HS256"], audience=audience)["aud"] == "b"
    audience[:] = ["a"]  # and back: the first Verifier's expectation again
    assert cyjose.decode(TOKEN_A, SECRET, ["HS256"], audience=audience)["aud"] == "a"


@pytest.mark.parametrize("make", [list, set], ids=["list", "set"])
def test_decode_uses_the_issuers_as_they_are_at_each_call(make: Callable[..., Any]) -> None:
    issuers = make(["i1"])
    assert cyjose.decode(TOKEN_A, SECRET, ["HS256"], issuer=issuers, options=NO_AUD)["iss"] == "i1"
    issuers.clear()
    issuers.add("i2") if isinstance(issuers, set) else issuers.append("i2")
    with pytest.raises(InvalidIssuerError):
        cyjose.decode(TOKEN_A, SECRET, ["HS256"], issuer=issuers, options=NO_AUD)
    assert cyjose.decode(TOKEN_B, SECRET, ["HS256"], issuer=issuers, options=NO_AUD)["iss"] == "i2"


def test_decode_caches_its_verifier_under_frozen_copies() -> None:
    from cyjose._decode_cache import _DECODE_VERIFIERS

    issuers = {"i1", "shared-rules-cache"}
    audience = ["a", "shared-rules-cache"]
    cyjose.decode(TOKEN_A, SECRET, ["HS256"], audience=audience, issuer=issuers)
    cached = [key for key in _DECODE_VERIFIERS if frozenset(issuers) in key]
    assert len(cached) == 1 and tuple(audience) in cached[0]  # a set as a frozenset, a list as a tuple
    verifier = _DECODE_VERIFIERS[cached[0]]
    issuers.add("later")
    audience.append("later")
    assert frozenset({"i1", "shared-rules-cache"}) in cached[0]  # the caller's changes do not reach the key
    assert ("a", "shared-rules-cache") in cached[0]
    # Equal values in new objects: the same Verifier answers.
    cyjose.decode(TOKEN_A, SECRET, ["HS256"], audience=["a", "shared-rules-cache"], issuer={"shared-rules-cache", "i1"})
    assert _DECODE_VERIFIERS[cached[0]] is verifier
    # Any iterable audience is cached as its tuple: an iterator too.
    cyjose.decode(TOKEN_A, SECRET, ["HS256"], audience=iter(["a", "shared-rules-iterator"]))
    assert any(("a", "shared-rules-iterator") in key for key in _DECODE_VERIFIERS)


def test_decode_complete_uses_the_audience_as_it_is_at_each_call() -> None:
    audience = ["a"]
    assert cyjose.decode_complete(TOKEN_A, SECRET, ["HS256"], audience=audience)["payload"]["aud"] == "a"
    audience[:] = ["b"]
    with pytest.raises(InvalidAudienceError):
        cyjose.decode_complete(TOKEN_A, SECRET, ["HS256"], audience=audience)


@pytest.mark.parametrize("make", [
    pytest.param(lambda: ("a",), id="tuple"),
    pytest.param(lambda: iter(["a"]), id="iterator"),
    pytest.param(lambda: "a", id="str"),
    pytest.param(lambda: ["x", "a"], id="list"),
    pytest.param(lambda: {"a": 1}, id="dict-keys"),
])
def test_every_audience_shape_is_read_alike(make: Callable[[], Any]) -> None:
    assert Verifier(SECRET, ["HS256"], audience=make()).verify(TOKEN_A)["aud"] == "a"
    assert cyjose.decode(TOKEN_A, SECRET, ["HS256"], audience=make())["aud"] == "a"
    with pytest.raises(InvalidAudienceError):
        Verifier(SECRET, ["HS256"], audience=make()).verify(TOKEN_B)
    with pytest.raises(InvalidAudienceError):
        cyjose.decode(TOKEN_B, SECRET, ["HS256"], audience=make())


class _SlowPathJWT(cyjose.PyJWT):
    """A subclass overriding ``_decode_payload``: decode() takes the step-by-step path, not the cache."""

    def _decode_payload(self, decoded: Dict[str, Any]) -> Dict[str, Any]:
        return super()._decode_payload(decoded)


@pytest.mark.parametrize("build", [
    pytest.param(lambda audience: Verifier(SECRET, ["HS256"], audience=audience), id="Verifier"),
    pytest.param(lambda audience: cyjose.decode(TOKEN_A, SECRET, ["HS256"], audience=audience), id="decode"),
    pytest.param(lambda audience: cyjose.decode_complete(TOKEN_A, SECRET, ["HS256"], audience=audience),
                 id="decode_complete"),
    pytest.param(lambda audience: _SlowPathJWT().decode(TOKEN_A, SECRET, ["HS256"], audience=audience),
                 id="subclass-decode"),
])
@pytest.mark.parametrize("audience", [5, 1.5, object()], ids=["int", "float", "object"])
def test_an_invalid_audience_type_is_a_type_error(build: Callable[[Any], Any], audience: Any) -> None:
    with pytest.raises(TypeError) as caught:
        build(audience)
    assert str(caught.value) == "audience must be a string, iterable or None"


# =========================================================================== 6. the compiled-twin switch


_PROBE = r"""
import importlib.util, json, os, sys
result = {}
try:
    try:
        import cyjose
        import cyjose._speedups as speedups
        result["import"] = "ok"
        result["twins"] = sorted(set(speedups.TWINS.values()))
        result["round_trip"] = cyjose.decode(cyjose.encode({"n": 1}, b"k" * 32, "HS256"), b"k" * 32,
                                             algorithms=["HS256"])
    except ImportError as exc:
        result["import"] = ["ImportError", str(exc)]
        # cyjose cannot be imported: load the switch module on its own (it imports only the stdlib).
        package = importlib.util.find_spec("cyjose").submodule_search_locations[0]
        spec = importlib.util.spec_from_file_location(
            "speedups_alone", os.path.join(package, "_speedups", "__init__.py"))
        speedups = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(speedups)
    result["flag"] = speedups.flag("CYJOSE_NO_EXTENSIONS")
    try:
        speedups.compiled_twin("b64url")
        result["compiled_twin"] = "module"
    except speedups.TwinUnavailable as exc:
        result["compiled_twin"] = ["TwinUnavailable", exc.required, str(exc)]
    except ImportError as exc:
        result["compiled_twin"] = ["ImportError", None, str(exc)]
except Exception as exc:
    result["crash"] = repr(exc)
sys.stdout.write(json.dumps(result))
"""


def _probe(**switches: str) -> Dict[str, Any]:
    """What a fresh interpreter with exactly these CYJOSE_* variables reports."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("CYJOSE_")}
    env.update(switches)
    env["PYTHONPATH"] = os.pathsep.join(entry for entry in sys.path if entry)
    done = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result: Dict[str, Any] = json.loads(done.stdout)
    assert "crash" not in result, result
    return result


ON = ["1", "true", "YES", " on "]
OFF = ["0", "false", "no", "", "FALSE", " No "]


@pytest.mark.parametrize("value", ON, ids=[repr(v) for v in ON])
def test_no_extensions_on_makes_the_compiled_twin_unavailable(value: str) -> None:
    result = _probe(CYJOSE_NO_EXTENSIONS=value)
    assert result["flag"] is True
    assert result["compiled_twin"] == [
        "TwinUnavailable", False, "CYJOSE_NO_EXTENSIONS is set: the compiled twins are not used"]
    assert result["import"] == "ok"
    assert result["twins"] == ["python"]
    assert result["round_trip"] == {"n": 1}


@pytest.mark.parametrize("value", OFF + [None], ids=[repr(v) for v in OFF] + ["unset"])
def test_no_extensions_off_leaves_the_compiled_twin_to_the_build(value: Optional[str]) -> None:
    result = _probe(**({} if value is None else {"CYJOSE_NO_EXTENSIONS": value}))
    assert result["flag"] is False
    assert result["import"] == "ok" and result["round_trip"] == {"n": 1}
    twin = result["compiled_twin"]
    if twin == "module":  # built: used
        assert result["twins"] == ["compiled"]
    else:  # not built: a non-required TwinUnavailable that says so, never the switch's message
        kind, required, message = twin
        assert (kind, required) == ("TwinUnavailable", False)
        assert "is not built" in message and "CYJOSE_NO_EXTENSIONS" not in message
        assert result["twins"] == ["python"]


@pytest.mark.parametrize("values", [("1", "1"), ("true", "yes")], ids=["1-1", "true-yes"])
def test_both_switches_set_is_an_import_error(values: Any) -> None:
    require, no = values
    result = _probe(CYJOSE_REQUIRE_EXTENSIONS=require, CYJOSE_NO_EXTENSIONS=no)
    assert result["compiled_twin"] == [
        "ImportError", None, "CYJOSE_REQUIRE_EXTENSIONS and CYJOSE_NO_EXTENSIONS are both set"]
    assert result["import"] == ["ImportError", "CYJOSE_REQUIRE_EXTENSIONS and CYJOSE_NO_EXTENSIONS are both set"]


def test_require_extensions_alone_fails_only_without_a_build() -> None:
    result = _probe(CYJOSE_REQUIRE_EXTENSIONS="1", CYJOSE_NO_EXTENSIONS="0")
    assert result["flag"] is False
    if result["import"] == "ok":  # built: every hot module uses its compiled twin
        assert result["twins"] == ["compiled"] and result["compiled_twin"] == "module"
    else:  # not built: the import fails, naming the twin it could not import
        kind, message = result["import"]
        assert kind == "ImportError"
        assert message.startswith("CYJOSE_REQUIRE_EXTENSIONS is set but the compiled twin cyjose._speedups.")
        assert "cannot be imported" in message
        twin_kind, required, _ = result["compiled_twin"]
        assert (twin_kind, required) == ("TwinUnavailable", True)
