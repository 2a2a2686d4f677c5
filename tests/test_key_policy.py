"""Key policy (issue 7): which keys cyjose refuses, warns about or binds, on every entry point.

One test per policy, each failing if the defence is removed:

* short keys: an HMAC secret shorter than its hash output and an RSA key
  under 2048 bits warn (``InsecureKeyLengthWarning``) by default and raise
  ``InvalidKeyError`` with ``enforce_minimum_key_length`` -- PyJWT 2.15's
  behaviour, checked against PyJWT itself; RSA JWKs under 2048 bits are
  refused at import unless the minimum is lowered (a cyjose addition);
* curve/algorithm binding: ES256/ES256K/ES384/ES512, Ed25519/Ed448;
* ``kty``/``alg`` binding of a PyJWK, and a PyJWK verifies only its own alg;
* ``use``/``key_ops``: a JWK is used only for the operations it allows;
* ``decode()`` takes no key sets, so the Verifier's key-set policy
  (tests/test_verifier_keysets.py) cannot be bypassed through it.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Dict, List, Tuple

import jwt as pyjwt
import pytest
import sample_keys as keys

import cyjose
from cyjose import PyJWK, PyJWKSet
from cyjose.exceptions import InvalidAlgorithmError, InvalidKeyError, PyJWKSetError
from cyjose.warnings import InsecureKeyLengthWarning

DIGEST_SIZES = {"HS256": 32, "HS384": 48, "HS512": 64}
ENFORCE = {"enforce_minimum_key_length": True}


def b64(data: bytes) -> str:
    return cyjose.utils.base64url_encode(data).decode()


def jwk_of(key: Any, alg: str, **members: Any) -> Dict[str, Any]:
    """``key`` as a JWK dict (through PyJWT, an independent implementation) with ``alg`` and ``members``."""
    if isinstance(key, bytes):
        return {"kty": "oct", "k": b64(key), "alg": alg, **members}
    return {**pyjwt.get_algorithm_by_name(alg).to_jwk(key, as_dict=True), "alg": alg, **members}


def key_length_warnings(action: Callable[[], Any]) -> Tuple[Any, List[str]]:
    """``(result or raised exception, messages of the InsecureKeyLengthWarnings issued)``.

    PyJWT's warning class and cyjose's are distinct classes of the same name.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            outcome: Any = action()
        except Exception as exc:  # compared by the caller
            outcome = exc
    classes = (InsecureKeyLengthWarning, pyjwt.InsecureKeyLengthWarning)
    return outcome, [str(w.message) for w in caught if issubclass(w.category, classes)]


# ---------------------------------------------------------------- short keys, as PyJWT 2.15


def short_secret(alg: str) -> bytes:
    return b"s" * (DIGEST_SIZES[alg] - 1)


def hmac_token(alg: str, secret: bytes, **headers: Any) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyjwt.InsecureKeyLengthWarning)
        return pyjwt.encode({"sub": "x"}, secret, algorithm=alg, headers=headers or None)


# Entry points that take a key, for (module, alg, key, token) -> result: PyJWT's names, called on either library.
SHORT_KEY_USES: Dict[str, Callable[..., Any]] = {
    "encode": lambda lib, alg, key, token: lib.encode({"sub": "x"}, key, algorithm=alg),
    "decode": lambda lib, alg, key, token: lib.decode(token, key, algorithms=[alg]),
    "PyJWS.encode": lambda lib, alg, key, token: lib.PyJWS().encode(b"x", key, algorithm=alg),
    "PyJWT.decode": lambda lib, alg, key, token: lib.PyJWT().decode(token, key, algorithms=[alg]),
}
SHORT_KEY_ENFORCED: Dict[str, Callable[..., Any]] = {
    "decode options": lambda lib, alg, key, token: lib.decode(token, key, algorithms=[alg], options=ENFORCE),
    "PyJWT(options).encode": lambda lib, alg, key, token: lib.PyJWT(options=ENFORCE).encode(
        {"sub": "x"}, key, algorithm=alg),
    "PyJWT(options).decode": lambda lib, alg, key, token: lib.PyJWT(options=ENFORCE).decode(
        token, key, algorithms=[alg]),
    "PyJWS(options).encode": lambda lib, alg, key, token: lib.PyJWS(options=ENFORCE).encode(
        b"x", key, algorithm=alg),
}


def short_key_cases() -> List[Tuple[str, Any, Any, str]]:
    """``(alg, signing key, verifying key, token)`` for every short-key kind."""
    cases = [(alg, short_secret(alg), short_secret(alg), hmac_token(alg, short_secret(alg))) for alg in DIGEST_SIZES]
    small = keys.small_rsa()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", pyjwt.InsecureKeyLengthWarning)
        cases += [(alg, small, small.public_key(), pyjwt.encode({"sub": "x"}, small, algorithm=alg))
                  for alg in ("RS256", "PS384")]
    return cases


SHORT = short_key_cases()
SHORT_IDS = [f"{case[0]}-{'hmac' if case[0] in DIGEST_SIZES else 'rsa1024'}" for case in SHORT]


def both(uses: Dict[str, Callable[..., Any]], use: str, case: Tuple[str, Any, Any, str]) -> Tuple[Any, ...]:
    """``(PyJWT's outcome, its warnings, cyjose's outcome, its warnings)`` for entry point ``use``."""
    alg, signing, verifying, token = case
    key = signing if use.endswith("encode") else verifying
    theirs = key_length_warnings(lambda: uses[use](pyjwt, alg, key, token))
    return (*theirs, *key_length_warnings(lambda: uses[use](cyjose, alg, key, token)))


@pytest.mark.parametrize("case", SHORT, ids=SHORT_IDS)
@pytest.mark.parametrize("use", sorted(SHORT_KEY_USES))
def test_short_key_warns_as_pyjwt_does(case: Tuple[str, Any, Any, str], use: str) -> None:
    theirs, their_warnings, mine, my_warnings = both(SHORT_KEY_USES, use, case)
    assert len(their_warnings) == 1  # the reference does warn here
    assert my_warnings == their_warnings
    assert not isinstance(mine, Exception) and not isinstance(theirs, Exception)


@pytest.mark.parametrize("case", SHORT, ids=SHORT_IDS)
@pytest.mark.parametrize("use", sorted(SHORT_KEY_ENFORCED))
def test_short_key_refused_with_enforce_minimum_key_length(case: Tuple[str, Any, Any, str], use: str) -> None:
    theirs, _, mine, my_warnings = both(SHORT_KEY_ENFORCED, use, case)
    assert isinstance(theirs, pyjwt.InvalidKeyError)
    assert isinstance(mine, InvalidKeyError)
    assert str(mine) == str(theirs)
    assert my_warnings == []  # refused, not warned about


@pytest.mark.parametrize("alg", sorted(DIGEST_SIZES))
def test_full_length_hmac_secret_does_not_warn(alg: str) -> None:
    secret = b"s" * DIGEST_SIZES[alg]
    token, warned = key_length_warnings(lambda: cyjose.encode({"sub": "x"}, secret, algorithm=alg))
    assert warned == []
    assert key_length_warnings(lambda: cyjose.decode(token, secret, algorithms=[alg])) == ({"sub": "x"}, [])


@pytest.mark.parametrize("case", SHORT, ids=SHORT_IDS)
def test_verifier_and_signer_warn_once_at_construction(case: Tuple[str, Any, Any, str]) -> None:
    alg, signing, verifying, token = case
    verifier, warned = key_length_warnings(lambda: cyjose.Verifier(verifying, algorithms=[alg]))
    assert len(warned) == 1 and ("bytes long" in warned[0] or "bits long" in warned[0])
    assert key_length_warnings(lambda: [verifier.verify(token) for _ in range(3)]) == ([{"sub": "x"}] * 3, [])
    signer, warned = key_length_warnings(lambda: cyjose.Signer(signing, algorithm=alg))
    assert len(warned) == 1
    assert key_length_warnings(lambda: signer.sign({"sub": "x"}))[1] == []


@pytest.mark.parametrize("case", SHORT, ids=SHORT_IDS)
def test_verifier_and_signer_refuse_with_enforce(case: Tuple[str, Any, Any, str]) -> None:
    alg, signing, verifying, _ = case
    with pytest.raises(InvalidKeyError, match="long, which is below the minimum recommended"):
        cyjose.Verifier(verifying, algorithms=[alg], options=ENFORCE)
    with pytest.raises(InvalidKeyError, match="long, which is below the minimum recommended"):
        cyjose.Signer(signing, algorithm=alg, enforce_minimum_key_length=True)


def test_decode_warns_on_every_call_as_pyjwt() -> None:
    secret = short_secret("HS256")
    token = hmac_token("HS256", secret)
    for lib in (pyjwt, cyjose):
        _, warned = key_length_warnings(lambda: [lib.decode(token, secret, algorithms=["HS256"]) for _ in range(3)])
        assert len(warned) == 3, lib.__name__


def test_short_oct_key_in_a_key_set_warns_or_is_refused() -> None:
    secret = short_secret("HS256")
    data = {"keys": [{"kty": "oct", "kid": "k", "alg": "HS256", "k": b64(secret)}]}
    verifier, warned = key_length_warnings(lambda: cyjose.Verifier(data, algorithms=["HS256"]))
    assert len(warned) == 1 and "31 bytes long" in warned[0]
    token = hmac_token("HS256", secret, kid="k")
    assert key_length_warnings(lambda: verifier.verify(token)) == ({"sub": "x"}, [])  # warned once, not refused
    with pytest.raises(InvalidKeyError, match="31 bytes long"):
        cyjose.Verifier(data, algorithms=["HS256"], options=ENFORCE)


# ---------------------------------------------------------------- RSA JWKs: 2048..8192 bits at import


def small_rsa_jwk(private: bool = False) -> Dict[str, Any]:
    key = keys.small_rsa()
    return jwk_of(key if private else key.public_key(), "RS256")


@pytest.mark.parametrize("private", [False, True], ids=["public", "private"])
def test_rsa_jwk_under_2048_bits_refused_by_default(private: bool) -> None:
    data = small_rsa_jwk(private)
    assert pyjwt.PyJWK(data).key.key_size == 1024  # PyJWT takes it: this is a cyjose policy
    for load in (PyJWK, PyJWK.from_dict, cyjose.algorithms.RSAAlgorithm.from_jwk):
        with pytest.raises(InvalidKeyError, match="1024 bits long, below the minimum of 2048 bits"):
            load(data)
    with pytest.raises(PyJWKSetError, match="did not contain any usable keys"):
        PyJWKSet([data])


def test_rsa_jwk_under_2048_bits_allowed_when_the_minimum_is_lowered() -> None:
    data = small_rsa_jwk()
    assert PyJWK(data, min_rsa_key_size=1024).key.key_size == 1024
    assert len(PyJWKSet([data], min_rsa_key_size=1024)) == 1
    assert cyjose.algorithms.RSAAlgorithm.from_jwk(data, min_key_size=1024).key_size == 1024
    # Loaded, it is still below the recommended size: using it warns (or raises when enforced).
    jwk = PyJWK(data, min_rsa_key_size=1024)
    token = SHORT[-2][3]  # RS256, signed by keys.small_rsa()
    assert key_length_warnings(lambda: cyjose.decode(token, jwk))[1] != []
    with pytest.raises(InvalidKeyError, match="1024 bits long"):
        cyjose.decode(token, jwk, options=ENFORCE)


def test_rsa_jwk_over_8192_bits_refused() -> None:
    huge = {"kty": "RSA", "n": b64(((1 << 8199) | 1).to_bytes(1025, "big")), "e": "AQAB"}
    with pytest.raises(InvalidKeyError, match="8200 bits long, above the maximum of 8192 bits"):
        PyJWK(huge)


def test_jwe_rsa_key_under_2048_bits_refused() -> None:
    with pytest.raises(InvalidKeyError, match="at least 2048 bits"):
        cyjose.jwe.encrypt(b"x", keys.small_rsa().public_key(), alg="RSA-OAEP-256", enc="A256GCM")


# ---------------------------------------------------------------- curve / algorithm binding

EC_ALGS = sorted(keys.EC_CURVES)


def forged(alg: str) -> str:
    """A token claiming ``alg`` with a junk signature: the key is refused before any signature check."""
    header = cyjose.utils.base64url_encode(b'{"alg":"%s"}' % alg.encode()).decode()
    return f"{header}.{b64(b'{}')}.{b64(bytes(64))}"


WRONG_CURVES = [(alg, other) for alg in EC_ALGS for other in EC_ALGS
                if keys.EC_CURVES[alg] is not keys.EC_CURVES[other]]


@pytest.mark.parametrize("alg, other", WRONG_CURVES)
def test_ecdsa_key_of_another_curve_refused(alg: str, other: str) -> None:
    private, public = keys.private(other), keys.public(other)
    token = forged(alg)
    curve = keys.EC_CURVES[alg].name
    with pytest.raises(InvalidKeyError, match=f"does not match the expected curve '{curve}'"):
        cyjose.Verifier(public, algorithms=[alg])
    with pytest.raises(InvalidKeyError, match="does not match the expected curve"):
        cyjose.decode(token, public, algorithms=[alg])
    with pytest.raises(InvalidKeyError, match="does not match the expected curve"):
        cyjose.encode({"sub": "x"}, private, algorithm=alg)
    with pytest.raises(InvalidKeyError, match="does not match the expected curve"):
        PyJWK({**jwk_of(public, other), "alg": alg})  # a JWK of one curve declaring another curve's alg


@pytest.mark.parametrize("alg, variant", [("Ed25519", "ed448"), ("Ed448", "")])
def test_fully_specified_eddsa_refuses_the_other_curve(alg: str, variant: str) -> None:
    public = keys.public("EdDSA", variant)
    with pytest.raises(InvalidKeyError, match="Invalid Key type"):
        cyjose.Verifier(public, algorithms=[alg])
    with pytest.raises(InvalidKeyError, match="Invalid Key type"):
        cyjose.encode({"sub": "x"}, keys.private("EdDSA", variant), algorithm=alg)
    assert cyjose.Verifier(public, algorithms=["EdDSA"]).algorithms == ("EdDSA",)  # EdDSA takes both curves


# ---------------------------------------------------------------- PyJWK: kty and alg bound together

KTY_EXAMPLES = {
    "oct": lambda: b"k" * 32,
    "RSA": lambda: keys.public("RS256"),
    "EC": lambda: keys.public("ES256"),
    "OKP": lambda: keys.public("EdDSA"),
}
OWN_ALG = {"oct": "HS256", "RSA": "RS256", "EC": "ES256", "OKP": "EdDSA"}
KTY_ALG_MISMATCHES = [(kty, alg) for kty in KTY_EXAMPLES for alg in ("HS256", "RS256", "PS256", "ES256", "EdDSA")
                      if OWN_ALG[kty] != alg and not (kty == "RSA" and alg == "PS256")]


@pytest.mark.parametrize("kty, alg", KTY_ALG_MISMATCHES)
def test_jwk_whose_kty_does_not_suit_its_alg_is_refused(kty: str, alg: str) -> None:
    data = {**jwk_of(KTY_EXAMPLES[kty](), OWN_ALG[kty]), "alg": alg}
    with pytest.raises(InvalidKeyError, match=f"A key of type {kty} cannot be used with {alg}"):
        PyJWK(data)
    del data["alg"]
    with pytest.raises(InvalidKeyError, match=f"A key of type {kty} cannot be used with {alg}"):
        PyJWK(data, algorithm=alg)


def test_jwk_alg_contradicted_by_the_algorithm_argument() -> None:
    with pytest.raises(InvalidKeyError, match="The JWK is for RS256, not for the requested PS256"):
        PyJWK(jwk_of(keys.public("RS256"), "RS256"), algorithm="PS256")


def test_pyjwk_verifies_only_its_own_algorithm() -> None:
    jwk = PyJWK(jwk_of(keys.public("RS256"), "RS256"))
    pss = pyjwt.encode({"sub": "x"}, keys.private("RS256"), algorithm="PS256")  # same key, other alg
    with pytest.raises(InvalidAlgorithmError, match="does not match the key's algorithm 'RS256'"):
        cyjose.decode(pss, jwk, algorithms=["RS256", "PS256"])
    verifier = cyjose.Verifier(jwk)
    with pytest.raises(InvalidAlgorithmError):
        verifier.verify(pss)
    with pytest.raises(InvalidAlgorithmError):
        cyjose.Verifier(jwk, algorithms=["RS256", "PS256"])  # a Verifier binds every listed alg at once


# ---------------------------------------------------------------- use / key_ops

SECRET = b"u" * 32
REFUSED_FOR_VERIFY = {"use enc": {"use": "enc"}, "key_ops sign": {"key_ops": ["sign"]},
                      "key_ops encrypt": {"key_ops": ["encrypt", "decrypt"]}}
REFUSED_FOR_SIGN = {"use enc": {"use": "enc"}, "key_ops verify": {"key_ops": ["verify"]}}
ALLOWED = {"no metadata": {}, "use sig": {"use": "sig"}, "key_ops both": {"key_ops": ["sign", "verify"]}}


def oct_jwk(members: Dict[str, Any]) -> PyJWK:
    return PyJWK(jwk_of(SECRET, "HS256", **members))


@pytest.mark.parametrize("members", list(REFUSED_FOR_VERIFY.values()), ids=list(REFUSED_FOR_VERIFY))
def test_jwk_whose_use_or_key_ops_forbid_verify_never_verifies(members: Dict[str, Any]) -> None:
    jwk = oct_jwk(members)
    token = pyjwt.encode({"sub": "x"}, SECRET, algorithm="HS256")
    for verify in (lambda: cyjose.decode(token, jwk), lambda: cyjose.PyJWS().decode(token, jwk),
                   lambda: cyjose.Verifier(jwk)):
        with pytest.raises(InvalidKeyError, match="cannot verify|do not include \"verify\""):
            verify()


@pytest.mark.parametrize("members", list(REFUSED_FOR_SIGN.values()), ids=list(REFUSED_FOR_SIGN))
def test_jwk_whose_use_or_key_ops_forbid_sign_never_signs(members: Dict[str, Any]) -> None:
    jwk = oct_jwk(members)
    for sign in (lambda: cyjose.encode({"sub": "x"}, jwk), lambda: cyjose.Signer(jwk)):
        with pytest.raises(InvalidKeyError, match="cannot sign|do not include \"sign\""):
            sign()


@pytest.mark.parametrize("members", list(ALLOWED.values()), ids=list(ALLOWED))
def test_jwk_allowed_to_sign_and_verify(members: Dict[str, Any]) -> None:
    jwk = oct_jwk(members)
    token = cyjose.Signer(jwk).sign({"sub": "x"})
    assert cyjose.Verifier(jwk).verify(token) == cyjose.decode(token, jwk) == {"sub": "x"}


def test_key_set_member_whose_key_ops_forbid_verify_is_not_used() -> None:
    data = {"keys": [jwk_of(SECRET, "HS256", kid="a"), jwk_of(b"v" * 32, "HS256", kid="b", key_ops=["sign"])]}
    verifier = cyjose.Verifier(data, algorithms=["HS256"])
    assert verifier.verify(cyjose.encode({"sub": "a"}, SECRET, algorithm="HS256", headers={"kid": "a"})) == {"sub": "a"}
    with pytest.raises(InvalidKeyError, match='do not include "verify"'):
        verifier.verify(cyjose.encode({"sub": "b"}, b"v" * 32, algorithm="HS256", headers={"kid": "b"}))


def test_jwe_key_published_for_signatures_does_not_encrypt() -> None:
    jwk = PyJWK({**jwk_of(keys.public("RS256"), "RS256"), "alg": "RSA-OAEP-256", "use": "sig"})
    with pytest.raises(InvalidKeyError):
        cyjose.jwe.encrypt(b"x", jwk, alg="RSA-OAEP-256", enc="A256GCM")


# ---------------------------------------------------------------- no key-set bypass through decode()


@pytest.mark.parametrize("as_set", [lambda d: d, PyJWKSet.from_dict], ids=["dict", "PyJWKSet"])
def test_decode_does_not_take_a_key_set(as_set: Callable[[Dict[str, Any]], Any]) -> None:
    """decode() (like PyJWT's) takes one key: a set goes through a Verifier and its key-set policy."""
    data = {"keys": [jwk_of(keys.public("RS256"), "RS256", kid="a")]}
    token = pyjwt.encode({"sub": "x"}, keys.private("RS256"), algorithm="RS256", headers={"kid": "a"})
    with pytest.raises(InvalidKeyError):
        cyjose.decode(token, as_set(data), algorithms=["RS256"])
