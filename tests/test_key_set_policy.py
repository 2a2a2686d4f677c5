"""One key-set policy for every way a JWK set reaches a verifier (issue 13).

``PyJWKSet`` skips members it cannot load, as PyJWT's does, and keeps doing so;
the verifier's policy (``cyjose._keyset.check_key_set``) judges the set *as
given*: a ``kid`` repeated where one copy is broken is refused (the issuer may
have meant the broken copy), and a skipped ``oct`` member among asymmetric
keys makes the set mixed.

Where each entry point stands:

* ``Verifier`` (a JWKS dict, a PyJWKSet however built, a PyJWKClient): no
  repeated ``kid`` (loaded or not), no ``oct`` next to asymmetric keys
  (loaded or not), no ``oct`` member at all in a fetched set.
* ``jws.verify_json``: the same as-given ``kid`` rule, but ``oct`` next to
  asymmetric keys and a ``kid`` shared across algorithms stay accepted (the
  JSON serialization carries MACs and signatures together, RFC 7520 §4.8);
  two loaded keys for one ``kid`` and ``alg`` are refused per signature.
* ``decode()`` takes no JWK set (as PyJWT): a set is an ``InvalidKeyError``.
* ``jwe.decrypt_json`` tries every key with the recipient's ``kid``: a wrong
  key cannot decrypt (the content is authenticated), so a repeated or mixed
  set is not refused there.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, List

import jwt as pyjwt
import pytest
import sample_keys as keys
from jwks_server import JWKSServer

import cyjose
from cyjose import PyJWKClient, PyJWKSet, jwe, jws
from cyjose._keyset import check_key_set
from cyjose.exceptions import InvalidKeyError, PyJWKSetError, UnknownKeyError

PAYLOAD = b"policy"
CLAIMS = {"sub": "policy"}
SECRET = keys.secret("HS256")

REPEATED = r'^The JWK Set has more than one key with "kid" "a"'
REPEATED_SKIPPED = REPEATED + r" \(counting members that could not be loaded\)$"
MIXED = r"^The JWK Set mixes symmetric \(oct\) and asymmetric keys; a Verifier takes one kind"
MIXED_SKIPPED = MIXED + r" \(counting members that could not be loaded\)$"


def public_jwk(alg: str, kid: str, variant: str = "", **members: Any) -> Dict[str, Any]:
    jwk = cyjose.get_algorithm_by_name(alg).to_jwk(keys.public(alg, variant), as_dict=True)
    return {**jwk, "kid": kid, "alg": alg, **members}


def oct_jwk(kid: str, **members: Any) -> Dict[str, Any]:
    return {"kty": "oct", "kid": kid, "alg": "HS256", "k": cyjose.utils.base64url_encode(SECRET).decode(), **members}


GOOD = public_jwk("RS256", "a")  # the key the tokens below are signed with

#: A copy of kid "a" that PyJWKSet skips, each for another reason (none is RS256's test key).
BROKEN: Dict[str, Dict[str, Any]] = {
    "bad base64 n": public_jwk("RS256", "a", "other", n="***"),
    "unknown crv": public_jwk("ES256", "a", crv="P-999"),
    "unsupported alg": {**public_jwk("RS256", "a", "other"), "alg": "RS999"},
}


def jwt_token(kid: str = "a") -> str:
    return cyjose.encode(CLAIMS, keys.private("RS256"), algorithm="RS256", headers={"kid": kid})


def jws_object(kid: str = "a") -> Dict[str, Any]:
    return jws.sign_json(PAYLOAD, jws.JWSSigner(keys.private("RS256"), "RS256", {"kid": kid}), flattened=True)


#: Every form in which a set reaches a verifier.
SET_FORMS: Dict[str, Callable[[Dict[str, Any]], Any]] = {
    "dict": lambda data: data,
    "PyJWKSet": lambda data: PyJWKSet(data["keys"]),
    "from_dict": PyJWKSet.from_dict,
    "from_json": lambda data: PyJWKSet.from_json(json.dumps(data)),
    "load_private=False": lambda data: PyJWKSet.from_dict(data, load_private=False),
}


@pytest.fixture(params=sorted(SET_FORMS))
def as_set(request: pytest.FixtureRequest) -> Callable[[Dict[str, Any]], Any]:
    return SET_FORMS[request.param]


def verifier_opens(key_set: Any) -> Any:
    return cyjose.Verifier(key_set, algorithms=["RS256"]).verify(jwt_token())


def verify_json_opens(key_set: Any) -> Any:
    return jws.verify_json(jws_object(), key_set, ["RS256"])["payload"]


# --- PyJWKSet stays PyJWT's ---------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["unknown crv", "unsupported alg"])  # PyJWT skips these too
def test_pyjwkset_still_skips_a_broken_copy_as_pyjwt_does(reason: str) -> None:
    data = {"keys": [BROKEN[reason], GOOD]}
    mine, theirs = PyJWKSet.from_dict(data), pyjwt.PyJWKSet.from_dict(data)
    assert [k.key_id for k in mine] == [k.key_id for k in theirs] == ["a"]
    assert mine["a"].key.public_numbers() == keys.public("RS256").public_numbers()
    assert repr(mine) == "<PyJWKSet 1 keys>"


@pytest.mark.parametrize("reason", sorted(BROKEN))
def test_pyjwkset_accepts_every_bad_set_and_remembers_the_members_as_given(reason: str) -> None:
    data = [BROKEN[reason], "not an object", {"kty": "oct", "k": 5, "kid": 7}, GOOD, oct_jwk("h")]
    for load_private in (True, False):
        jwk_set = PyJWKSet(data, load_private=load_private)
        assert [k.key_id for k in jwk_set] == ["a", "h"]
        assert [kid for kid, _ in jwk_set._given] == ["a", None, None, "a", "h"]
        assert [kty for _, kty in jwk_set._given] == [BROKEN[reason]["kty"], None, "oct", "RSA", "oct"]


def test_load_private_false_keeps_the_kids_given_when_it_drops_private_members() -> None:
    private = cyjose.get_algorithm_by_name("RS256").to_jwk(keys.private("RS256", "other"), as_dict=True)
    broken_private = {**private, "kid": "a", "n": "***"}
    jwk_set = PyJWKSet([broken_private, GOOD], load_private=False)
    assert len(jwk_set) == 1
    with pytest.raises(PyJWKSetError, match=REPEATED_SKIPPED):
        check_key_set(jwk_set)


# --- Verifier -----------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", sorted(BROKEN))
@pytest.mark.parametrize("broken_first", [True, False], ids=["broken-first", "broken-second"])
def test_verifier_refuses_a_kid_repeated_with_a_broken_copy(as_set: Any, reason: str, broken_first: bool) -> None:
    members = [BROKEN[reason], GOOD] if broken_first else [GOOD, BROKEN[reason]]
    with pytest.raises(PyJWKSetError, match=REPEATED_SKIPPED):
        verifier_opens(as_set({"keys": members}))


def test_verifier_refuses_a_kid_repeated_by_two_good_keys(as_set: Any) -> None:
    with pytest.raises(PyJWKSetError, match=REPEATED + "$"):
        verifier_opens(as_set({"keys": [GOOD, public_jwk("RS256", "a", "other")]}))


@pytest.mark.parametrize("skipped", [{"kty": "oct", "kid": "h", "k": 5}, {"kty": "oct", "kid": "h", "alg": "HS1"}])
def test_verifier_counts_a_skipped_oct_member_among_rsa_keys(as_set: Any, skipped: Dict[str, Any]) -> None:
    with pytest.raises(PyJWKSetError, match=MIXED_SKIPPED):
        verifier_opens(as_set({"keys": [GOOD, skipped]}))


def test_verifier_refuses_oct_and_rsa_together(as_set: Any) -> None:
    with pytest.raises(PyJWKSetError, match=MIXED + "$"):
        verifier_opens(as_set({"keys": [GOOD, oct_jwk("h")]}))


def test_a_skipped_member_of_unknown_kind_or_without_kid_is_no_obstacle(as_set: Any) -> None:
    data = {"keys": [{"kty": "XYZ", "kid": "x"}, {**BROKEN["bad base64 n"], "kid": "z"}, "junk", GOOD,
                     public_jwk("RS256", "b", "other")]}
    assert verifier_opens(as_set(data)) == CLAIMS


def test_verifier_with_a_good_set_still_verifies(as_set: Any) -> None:
    assert verifier_opens(as_set({"keys": [GOOD, public_jwk("RS256", "b", "other")]})) == CLAIMS


@pytest.fixture
def server():
    with JWKSServer() as srv:
        yield srv


@pytest.mark.parametrize("served, match", [
    ([BROKEN["bad base64 n"], GOOD], REPEATED_SKIPPED),
    ([GOOD, {"kty": "oct", "kid": "h", "k": 5}], MIXED_SKIPPED),
    ([GOOD, public_jwk("RS256", "b", "other")], None),
], ids=["repeated-kid-broken-copy", "skipped-oct", "good"])
def test_verifier_over_a_client_judges_the_fetched_set_as_served(server: Any, served: List[Any], match: Any) -> None:
    server.serve_json({"keys": served})
    verifier = cyjose.Verifier(PyJWKClient(server.url(), timeout=2), algorithms=["RS256"])
    if match is None:
        assert verifier.verify(jwt_token()) == CLAIMS
    else:
        with pytest.raises(PyJWKSetError, match=match):
            verifier.verify(jwt_token())


def test_a_fetched_set_with_a_skipped_oct_member_serves_a_secret() -> None:
    jwk_set = PyJWKSet([GOOD, {"kty": "oct", "kid": "h", "k": 5}])
    check_key_set(jwk_set, by_algorithm=True)  # mixing alone is no fault for verify_json
    with pytest.raises(PyJWKSetError, match=r"serves a symmetric \(oct\) key.*could not be loaded\)$"):
        check_key_set(jwk_set, fetched=True, by_algorithm=True)


# --- jws.verify_json ----------------------------------------------------------------------------


@pytest.mark.parametrize("reason", sorted(BROKEN))
@pytest.mark.parametrize("broken_first", [True, False], ids=["broken-first", "broken-second"])
def test_verify_json_refuses_a_kid_repeated_with_a_broken_copy(as_set: Any, reason: str, broken_first: bool) -> None:
    members = [BROKEN[reason], GOOD] if broken_first else [GOOD, BROKEN[reason]]
    with pytest.raises(PyJWKSetError, match=REPEATED_SKIPPED):
        verify_json_opens(as_set({"keys": members}))


def test_verify_json_refuses_two_keys_for_one_kid_and_alg(as_set: Any) -> None:
    with pytest.raises(UnknownKeyError, match='^The key set has 2 keys for "RS256" and this signature\'s kid$'):
        verify_json_opens(as_set({"keys": [GOOD, public_jwk("RS256", "a", "other")]}))


def test_verify_json_takes_a_kid_shared_across_algorithms(as_set: Any) -> None:
    assert verify_json_opens(as_set({"keys": [public_jwk("ES256", "a"), GOOD]})) == PAYLOAD


def test_verify_json_takes_mixed_and_skipped_oct_members_unlike_a_verifier(as_set: Any) -> None:
    for data in ({"keys": [GOOD, oct_jwk("h")]}, {"keys": [GOOD, {"kty": "oct", "kid": "h", "k": 5}]}):
        assert verify_json_opens(as_set(data)) == PAYLOAD
        with pytest.raises(PyJWKSetError, match=MIXED):
            verifier_opens(as_set(data))


def test_verify_json_checks_mac_and_signature_from_one_mixed_set() -> None:
    signed = jws.sign_json(PAYLOAD, [jws.JWSSigner(keys.private("RS256"), "RS256", {"kid": "a"}),
                                     jws.JWSSigner(SECRET, "HS256", {"kid": "h"})])
    result = jws.verify_json(signed, {"keys": [GOOD, oct_jwk("h")]}, ["RS256", "HS256"], require_all=True)
    assert [s["verified"] for s in result["signatures"]] == [True, True]


def test_verify_json_with_a_good_set_still_verifies(as_set: Any) -> None:
    assert verify_json_opens(as_set({"keys": [GOOD, public_jwk("RS256", "b", "other")]})) == PAYLOAD


def test_verify_json_refuses_the_set_before_it_looks_at_the_signatures() -> None:
    with pytest.raises(PyJWKSetError, match=REPEATED_SKIPPED):
        jws.verify_json(jws_object(kid="elsewhere"), {"keys": [BROKEN["unknown crv"], GOOD]}, ["RS256"])


# --- decode() and JWE ---------------------------------------------------------------------------


@pytest.mark.parametrize("key_set", [{"keys": [GOOD]}, PyJWKSet([GOOD])], ids=["dict", "PyJWKSet"])
def test_decode_takes_no_key_set(key_set: Any) -> None:
    """As PyJWT: decode() never chooses a key from a set, so no set policy applies there."""
    with pytest.raises(InvalidKeyError):
        cyjose.decode(jwt_token(), key_set, algorithms=["RS256"])


def private_jwk(kid: str, variant: str = "", **members: Any) -> Dict[str, Any]:
    jwk = cyjose.get_algorithm_by_name("RS256").to_jwk(keys.private("RS256", variant), as_dict=True)
    jwk.pop("key_ops", None)
    return {**jwk, "kid": kid, **members}


@pytest.mark.parametrize("extra", [
    private_jwk("a", "other", n="***"),
    private_jwk("a", "other"),
    {"kty": "oct", "kid": "k", "k": cyjose.utils.base64url_encode(bytes(32)).decode()},
], ids=["repeated-kid-broken-copy", "repeated-kid-good-copy", "mixed"])
def test_decrypt_json_tries_every_key_for_the_kid(extra: Dict[str, Any]) -> None:
    """A key the message was not encrypted to cannot decrypt it, so a JWE set is not refused."""
    message = jwe.encrypt_json(b"secret", jwe.JWERecipient(keys.public("RS256"), "RSA-OAEP-256", {"kid": "a"}),
                               "A256GCM")
    for members in ([extra, private_jwk("a")], [private_jwk("a"), extra]):
        result = jwe.decrypt_json(message, {"keys": members}, ["RSA-OAEP-256"], ["A256GCM"])
        assert result["plaintext"] == b"secret"
