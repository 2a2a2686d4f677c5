"""decode()/decode_complete()/Verifier options and claim rules, through real tokens.

Every option of PyJWT 2.15's ``options`` dict with its default, every registered-claim
rule, the JWS header rules (``crit``, ``kid``, RFC 7797 detached payloads), the
deprecated arguments, the prepared :class:`cyjose.Verifier` / :class:`cyjose.Signer`
(which must agree with ``decode``/``encode``) and the prepared-key cache.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import warnings
from datetime import datetime, timedelta, timezone

import pytest
import sample_keys as keys

import cyjose
import cyjose._jws
from cyjose import PyJWS, PyJWT, Signer, Verifier
from cyjose.exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidJTIError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidSubjectError,
    InvalidTokenError,
    MissingRequiredClaimError,
    PyJWTError,
)
from cyjose.warnings import InsecureKeyLengthWarning, RemovedInPyjwt3Warning

KEY = keys.secret("HS256")
OTHER_KEY = bytes(reversed(KEY))
ALGS = ["HS256"]
NOW = int(time.time())
PAST = NOW - 3600
FUTURE = NOW + 3600
FIXED_NOW = 1_700_000_000.5  # for the truncation tests, with time.time patched

PYJWT_DEFAULT_OPTIONS = {
    "verify_signature": True,
    "verify_exp": True,
    "verify_nbf": True,
    "verify_iat": True,
    "verify_aud": True,
    "verify_iss": True,
    "verify_sub": True,
    "verify_jti": True,
    "require": [],
    "strict_aud": False,
    "enforce_minimum_key_length": False,
}
CLAIM_SWITCHES = ("verify_exp", "verify_nbf", "verify_iat", "verify_aud", "verify_iss", "verify_sub", "verify_jti")


# --- helpers ---------------------------------------------------------------------------


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make(claims=None, headers=None, key=KEY, algorithm="HS256") -> str:
    return cyjose.encode({} if claims is None else claims, key, algorithm, headers=headers)


def raw_token(header: dict, payload: bytes = b"{}", key: bytes = KEY) -> str:
    """An HS256-signed token with an arbitrary header (encode() refuses some of these)."""
    signing_input = b64(json.dumps(header).encode()) + "." + b64(payload)
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(signature)


def detached_token(header: dict, payload: bytes, key: bytes = KEY) -> str:
    """An HS256 RFC 7797 token with an arbitrary header: payload signed unencoded, segment empty."""
    header_segment = b64(json.dumps(header).encode())
    signature = hmac.new(key, header_segment.encode() + b"." + payload, hashlib.sha256).digest()
    return header_segment + ".." + b64(signature)


def decode(token, **kwargs):
    kwargs.setdefault("algorithms", ALGS)
    return cyjose.decode(token, KEY, **kwargs)


def raises(cls, message, function, *args, **kwargs):
    with pytest.raises(PyJWTError) as info:
        function(*args, **kwargs)
    assert type(info.value) is cls, repr(info.value)
    if message is not None:
        assert str(info.value) == message
    return info.value


@pytest.fixture
def frozen_time(monkeypatch):
    monkeypatch.setattr(time, "time", lambda: FIXED_NOW)
    return FIXED_NOW


# --- defaults and verify_signature -----------------------------------------------------


def test_default_options_are_pyjwts():
    assert PyJWT().options == PYJWT_DEFAULT_OPTIONS
    assert PyJWT._get_default_options() == PYJWT_DEFAULT_OPTIONS
    assert PyJWS().options == {"verify_signature": True, "enforce_minimum_key_length": False}


def test_instance_options_merge_over_defaults():
    assert PyJWT(options={"verify_exp": False}).options == {**PYJWT_DEFAULT_OPTIONS, "verify_exp": False}
    off = PyJWT(options={"verify_signature": False, "verify_aud": True}).options
    assert off["verify_signature"] is False and off["verify_aud"] is True
    assert all(off[name] is False for name in CLAIM_SWITCHES if name != "verify_aud")


def test_valid_token_round_trip():
    claims = {"sub": "s", "iss": "i", "aud": "a", "exp": FUTURE, "nbf": PAST, "iat": PAST, "jti": "j", "x": [1, {"y": None}]}
    assert decode(make(claims), audience="a", issuer="i", subject="s") == claims


def test_signature_checked_by_default():
    raises(InvalidSignatureError, "Signature verification failed", decode, make(key=OTHER_KEY))


def test_algorithms_required_when_verifying():
    message = 'It is required that you pass in a value for the "algorithms" argument when calling decode().'
    for algorithms in (None, [], ()):
        raises(DecodeError, message, decode, make(), algorithms=algorithms)


def test_verify_signature_off_skips_signature_and_algorithms():
    token = make({"a": 1}, key=OTHER_KEY)
    assert decode(token, algorithms=None, options={"verify_signature": False}) == {"a": 1}
    assert cyjose.decode(token, options={"verify_signature": False}) == {"a": 1}
    # the token's alg need not be allowed either
    assert decode(token, algorithms=["RS256"], options={"verify_signature": False}) == {"a": 1}


# Each row: (option, claims, decode kwargs, exception and message when the check runs).
CLAIM_CHECKS = [
    ("verify_exp", {"exp": PAST}, {}, ExpiredSignatureError, "Signature has expired"),
    ("verify_nbf", {"nbf": FUTURE}, {}, ImmatureSignatureError, "The token is not yet valid (nbf)"),
    ("verify_iat", {"iat": FUTURE}, {}, ImmatureSignatureError, "The token is not yet valid (iat)"),
    ("verify_iat", {"iat": "soon"}, {}, InvalidIssuedAtError, "Issued At claim (iat) must be an integer."),
    ("verify_aud", {"aud": "a"}, {}, InvalidAudienceError, "Invalid audience"),
    ("verify_aud", {"aud": "a"}, {"audience": "b"}, InvalidAudienceError, "Audience doesn't match"),
    ("verify_aud", {}, {"audience": "b"}, MissingRequiredClaimError, 'Token is missing the "aud" claim'),
    ("verify_iss", {"iss": "a"}, {"issuer": "b"}, InvalidIssuerError, "Invalid issuer"),
    ("verify_iss", {}, {"issuer": "b"}, MissingRequiredClaimError, 'Token is missing the "iss" claim'),
    ("verify_sub", {"sub": 5}, {}, InvalidSubjectError, "Subject must be a string"),
    ("verify_sub", {"sub": "a"}, {"subject": "b"}, InvalidSubjectError, "Invalid subject"),
    ("verify_jti", {"jti": 5}, {}, InvalidJTIError, "JWT ID must be a string"),
]
CLAIM_IDS = [f"{row[0]}-{i}" for i, row in enumerate(CLAIM_CHECKS)]


@pytest.mark.parametrize("option, claims, kwargs, cls, message", CLAIM_CHECKS, ids=CLAIM_IDS)
def test_claim_check_on_by_default(option, claims, kwargs, cls, message):
    token = make(claims)
    raises(cls, message, decode, token, **kwargs)
    raises(cls, message, decode, token, options={option: True}, **kwargs)


@pytest.mark.parametrize("option, claims, kwargs, cls, message", CLAIM_CHECKS, ids=CLAIM_IDS)
def test_claim_check_switched_off(option, claims, kwargs, cls, message):
    assert decode(make(claims), options={option: False}, **kwargs) == claims


@pytest.mark.parametrize("option, claims, kwargs, cls, message", CLAIM_CHECKS, ids=CLAIM_IDS)
def test_signature_off_defaults_claim_checks_off(option, claims, kwargs, cls, message):
    token = make(claims, key=OTHER_KEY)
    assert decode(token, options={"verify_signature": False}, **kwargs) == claims
    # ... unless the caller names the check
    raises(cls, message, decode, token, options={"verify_signature": False, option: True}, **kwargs)


@pytest.mark.parametrize("option, claims, kwargs, cls, message", CLAIM_CHECKS, ids=CLAIM_IDS)
def test_signature_off_instance_options(option, claims, kwargs, cls, message):
    token = make(claims, key=OTHER_KEY)
    assert PyJWT(options={"verify_signature": False}).decode(token, KEY, ALGS, **kwargs) == claims
    checker = PyJWT(options={"verify_signature": False, option: True})
    raises(cls, message, checker.decode, token, KEY, ALGS, **kwargs)


def test_signature_on_does_not_default_claims_off():
    token = make({"exp": PAST})
    raises(ExpiredSignatureError, "Signature has expired", decode, token, options={"verify_signature": True})


def test_other_options_left_at_defaults_when_naming_one():
    # naming verify_exp only does not switch the others off
    token = make({"nbf": FUTURE})
    raises(ImmatureSignatureError, "The token is not yet valid (nbf)", decode, token, options={"verify_exp": False})


# --- require ---------------------------------------------------------------------------


@pytest.mark.parametrize("claims", [{}, {"exp": None}, {"other": 1}], ids=["absent", "null", "other"])
def test_require_missing(claims):
    error = raises(MissingRequiredClaimError, 'Token is missing the "exp" claim', decode, make(claims),
                   options={"require": ["exp"]})
    assert error.claim == "exp"


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf", "iss", "aud", "sub", "jti", "custom"])
def test_require_each_claim(claim):
    error = raises(MissingRequiredClaimError, f'Token is missing the "{claim}" claim', decode, make({}),
                   options={"require": [claim]})
    assert error.claim == claim


def test_require_present_passes():
    claims = {"exp": FUTURE, "iat": PAST, "nbf": PAST, "sub": "s", "jti": "j", "custom": 0}
    assert decode(make(claims), options={"require": list(claims)}) == claims


def test_require_first_missing_in_order():
    error = raises(MissingRequiredClaimError, 'Token is missing the "sub" claim', decode, make({"exp": FUTURE}),
                   options={"require": ["exp", "sub", "iss"]})
    assert error.claim == "sub"


def test_require_applies_without_signature_check():
    raises(MissingRequiredClaimError, 'Token is missing the "exp" claim', decode, make(key=OTHER_KEY),
           options={"verify_signature": False, "require": ["exp"]})


def test_require_checked_before_other_claims():
    raises(MissingRequiredClaimError, 'Token is missing the "sub" claim', decode, make({"exp": PAST}),
           options={"require": ["sub"]})


def test_require_only_checks_presence():
    # present but invalid claims are still judged by their own checks, and pass when those are off
    token = make({"exp": PAST})
    assert decode(token, options={"require": ["exp"], "verify_exp": False}) == {"exp": PAST}


def test_require_single_string_means_one_claim():
    # intentional difference (f): PyJWT iterates the characters
    error = raises(MissingRequiredClaimError, 'Token is missing the "exp" claim', decode, make({"e": 1, "x": 1, "p": 1}),
                   options={"require": "exp"})
    assert error.claim == "exp"
    assert decode(make({"exp": FUTURE}), options={"require": "exp"}) == {"exp": FUTURE}


def test_missing_required_claim_error_shape():
    error = MissingRequiredClaimError("foo")
    assert error.claim == "foo"
    assert str(error) == 'Token is missing the "foo" claim'
    assert isinstance(error, InvalidTokenError)


# --- exp / nbf / iat --------------------------------------------------------------------


LEEWAYS = [100, 100.5, timedelta(seconds=100)]


@pytest.mark.parametrize("leeway", LEEWAYS, ids=["int", "float", "timedelta"])
def test_exp_leeway(leeway):
    now = int(time.time())
    assert decode(make({"exp": now - 50}), leeway=leeway) == {"exp": now - 50}
    raises(ExpiredSignatureError, "Signature has expired", decode, make({"exp": now - 500}), leeway=leeway)


@pytest.mark.parametrize("leeway", LEEWAYS, ids=["int", "float", "timedelta"])
def test_nbf_leeway(leeway):
    now = int(time.time())
    assert decode(make({"nbf": now + 50}), leeway=leeway) == {"nbf": now + 50}
    raises(ImmatureSignatureError, "The token is not yet valid (nbf)", decode, make({"nbf": now + 500}), leeway=leeway)


@pytest.mark.parametrize("leeway", LEEWAYS, ids=["int", "float", "timedelta"])
def test_iat_leeway(leeway):
    now = int(time.time())
    assert decode(make({"iat": now + 50}), leeway=leeway) == {"iat": now + 50}
    raises(ImmatureSignatureError, "The token is not yet valid (iat)", decode, make({"iat": now + 500}), leeway=leeway)


def test_negative_leeway_tightens():
    raises(ExpiredSignatureError, "Signature has expired", decode, make({"exp": NOW + 30}), leeway=-60)


def test_time_claims_valid():
    claims = {"exp": FUTURE, "nbf": PAST, "iat": PAST}
    assert decode(make(claims)) == claims
    claims = {"exp": float(FUTURE), "nbf": float(PAST), "iat": PAST + 0.25}
    assert decode(make(claims)) == claims


def test_datetime_claims_encode_as_numbers():
    exp = datetime.now(tz=timezone.utc) + timedelta(hours=1)
    payload = decode(make({"exp": exp, "iat": datetime.now(tz=timezone.utc)}))
    assert type(payload["exp"]) is int and abs(payload["exp"] - int(exp.timestamp())) <= 1


def test_exp_boundary_is_expired(frozen_time):
    # exp <= now is expired; exp > now is not
    raises(ExpiredSignatureError, "Signature has expired", decode, make({"exp": int(frozen_time) - 1}))
    assert decode(make({"exp": int(frozen_time) + 1}))


def test_float_exp_truncated(frozen_time):
    # 1_700_000_000.9 truncates to 1_700_000_000 <= now (…0.5): expired, as in PyJWT
    raises(ExpiredSignatureError, "Signature has expired", decode, make({"exp": int(frozen_time) + 0.9}))


def test_float_nbf_iat_truncated(frozen_time):
    # …0.9 > now but truncates to …0 <= now: valid
    claims = {"nbf": int(frozen_time) + 0.9, "iat": int(frozen_time) + 0.9}
    assert decode(make(claims)) == claims


@pytest.mark.parametrize("value", ["1700000000", "", None, [1], {"a": 1}, "x"])
def test_non_numeric_iat(value):
    raises(InvalidIssuedAtError, "Issued At claim (iat) must be an integer.", decode, make({"iat": value}))


@pytest.mark.parametrize("claim, message", [
    ("exp", "Expiration Time claim (exp) must be an integer."),
    ("nbf", "Not Before claim (nbf) must be an integer."),
])
@pytest.mark.parametrize("value", ["1700000000", "", None, [1], {"a": 1}, "x"])
def test_non_numeric_exp_nbf(claim, message, value):
    raises(DecodeError, message, decode, make({claim: value}))


@pytest.mark.parametrize("claim, cls, message", [
    ("exp", DecodeError, "Expiration Time claim (exp) must be an integer."),
    ("nbf", DecodeError, "Not Before claim (nbf) must be an integer."),
    ("iat", InvalidIssuedAtError, "Issued At claim (iat) must be an integer."),
])
@pytest.mark.parametrize("value", [True, False])
def test_bool_time_claims_refused(claim, cls, message, value):
    # intentional difference (d): PyJWT takes true as 1
    raises(cls, message, decode, make({claim: value}))


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
def test_time_claims_unchecked_when_off(claim):
    assert decode(make({claim: "x"}), options={f"verify_{claim}": False}) == {claim: "x"}


def test_time_checks_order_iat_nbf_exp():
    # PyJWT's order: iat, then nbf, then exp
    token = make({"iat": FUTURE, "nbf": FUTURE, "exp": PAST})
    raises(ImmatureSignatureError, "The token is not yet valid (iat)", decode, token)
    raises(ImmatureSignatureError, "The token is not yet valid (nbf)", decode, token, options={"verify_iat": False})
    raises(ExpiredSignatureError, "Signature has expired", decode, token, options={"verify_iat": False, "verify_nbf": False})


# --- iss --------------------------------------------------------------------------------


@pytest.mark.parametrize("issuer", ["me", ["you", "me"], {"me"}, ("me",), frozenset({"me", "x"}), {"me": 1}],
                         ids=["str", "list", "set", "tuple", "frozenset", "dict"])
def test_issuer_match(issuer):
    assert decode(make({"iss": "me"}), issuer=issuer) == {"iss": "me"}


@pytest.mark.parametrize("issuer", ["you", ["you"], {"you"}, (), "mee"], ids=["str", "list", "set", "empty", "prefix"])
def test_issuer_mismatch(issuer):
    raises(InvalidIssuerError, "Invalid issuer", decode, make({"iss": "me"}), issuer=issuer)


def test_issuer_str_is_not_a_substring_container():
    raises(InvalidIssuerError, "Invalid issuer", decode, make({"iss": "e"}), issuer="me")


@pytest.mark.parametrize("iss", [5, ["me"], None, {"a": 1}])
def test_issuer_claim_not_a_string(iss):
    raises(InvalidIssuerError, "Payload Issuer (iss) must be a string", decode,
           raw_token({"alg": "HS256", "typ": "JWT"}, json.dumps({"iss": iss}).encode()), issuer="me")


@pytest.mark.parametrize("issuer", [5, 1.5, object()])
def test_issuer_param_not_a_container(issuer):
    raises(InvalidIssuerError, 'Issuer param must be "str" or "Container[str]"', decode, make({"iss": "me"}), issuer=issuer)


def test_issuer_missing():
    error = raises(MissingRequiredClaimError, 'Token is missing the "iss" claim', decode, make({}), issuer="me")
    assert error.claim == "iss"


def test_no_issuer_expected_any_iss_accepted():
    assert decode(raw_token({"alg": "HS256"}, b'{"iss":5}')) == {"iss": 5}


# --- aud --------------------------------------------------------------------------------


@pytest.mark.parametrize("aud, audience", [
    ("a", "a"), ("a", ["a"]), ("a", ["x", "a"]), (["a"], "a"), (["x", "a"], "a"),
    (["x", "a"], ["y", "a"]), ("a", {"a"}), ("a", ("a",)),
])
def test_audience_match(aud, audience):
    assert decode(make({"aud": aud}), audience=audience) == {"aud": aud}


@pytest.mark.parametrize("aud, audience", [("a", "b"), ("a", ["b", "c"]), (["a", "b"], "c"), (["a"], []), ("ab", "a"), ("a", "ab")])
def test_audience_mismatch(aud, audience):
    raises(InvalidAudienceError, "Audience doesn't match", decode, make({"aud": aud}), audience=audience)


@pytest.mark.parametrize("aud", [5, {"a": 1}, ["a", 5], ["a", None], 1.5, True])
def test_audience_claim_bad_format(aud):
    raises(InvalidAudienceError, "Invalid claim format in token", decode, make({"aud": aud}), audience="a")


@pytest.mark.parametrize("claims", [{}, {"aud": None}, {"aud": ""}, {"aud": []}], ids=["absent", "null", "empty-str", "empty-list"])
def test_audience_expected_claim_missing(claims):
    error = raises(MissingRequiredClaimError, 'Token is missing the "aud" claim', decode, make(claims), audience="a")
    assert error.claim == "aud"


@pytest.mark.parametrize("aud", ["a", ["a"], 5])
def test_audience_present_but_not_expected(aud):
    raises(InvalidAudienceError, "Invalid audience", decode, make({"aud": aud}))


@pytest.mark.parametrize("aud", [None, "", [], 0])
def test_empty_audience_claim_without_expectation_passes(aud):
    assert decode(make({"aud": aud})) == {"aud": aud}


@pytest.mark.parametrize("audience", [5, 1.5, object()])
def test_audience_param_bad_type(audience):
    with pytest.raises(TypeError, match="audience must be a string, iterable or None"):
        decode(make({"aud": "a"}), audience=audience)


def test_strict_aud_match():
    assert decode(make({"aud": "a"}), audience="a", options={"strict_aud": True}) == {"aud": "a"}


@pytest.mark.parametrize("aud, audience, message", [
    ("a", ["a"], "Invalid audience (strict)"),
    (["a"], "a", "Invalid claim format in token (strict)"),
    ("a", "b", "Audience doesn't match (strict)"),
    ("a", "A", "Audience doesn't match (strict)"),
])
def test_strict_aud_failures(aud, audience, message):
    raises(InvalidAudienceError, message, decode, make({"aud": aud}), audience=audience, options={"strict_aud": True})


def test_strict_aud_missing_claim():
    raises(MissingRequiredClaimError, 'Token is missing the "aud" claim', decode, make({}), audience="a",
           options={"strict_aud": True})


def test_strict_aud_ignored_when_verify_aud_off():
    assert decode(make({"aud": ["a"]}), audience="b", options={"strict_aud": True, "verify_aud": False}) == {"aud": ["a"]}


def test_strict_aud_without_audience():
    raises(InvalidAudienceError, "Invalid audience", decode, make({"aud": "a"}), options={"strict_aud": True})
    assert decode(make({}), options={"strict_aud": True}) == {}


# --- sub / jti --------------------------------------------------------------------------


@pytest.mark.parametrize("sub", [5, ["s"], {"s": 1}, True, None, 1.5])
def test_sub_must_be_string(sub):
    raises(InvalidSubjectError, "Subject must be a string", decode, make({"sub": sub}))


def test_subject_match_and_mismatch():
    assert decode(make({"sub": "s"}), subject="s") == {"sub": "s"}
    raises(InvalidSubjectError, "Invalid subject", decode, make({"sub": "s"}), subject="t")


def test_subject_given_sub_absent_passes():
    # as PyJWT: sub is checked only when present (list it in require to demand it)
    assert decode(make({}), subject="s") == {}


@pytest.mark.parametrize("jti", [5, ["j"], {"j": 1}, True, None, 1.5])
def test_jti_must_be_string(jti):
    raises(InvalidJTIError, "JWT ID must be a string", decode, make({"jti": jti}))


def test_jti_string_passes():
    assert decode(make({"jti": "j"})) == {"jti": "j"}
    assert decode(make({"jti": ""})) == {"jti": ""}


# --- enforce_minimum_key_length ---------------------------------------------------------


SHORT_KEY = b"short-secret"
SHORT_MESSAGE = (
    "The HMAC key is 12 bytes long, which is below the minimum recommended length "
    "of 32 bytes for SHA256. See RFC 7518 Section 3.2."
)


def _short_token():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        return cyjose.encode({"a": 1}, SHORT_KEY, "HS256")


def test_short_key_warns_by_default():
    token = _short_token()
    with pytest.warns(InsecureKeyLengthWarning) as record:
        assert cyjose.decode(token, SHORT_KEY, ALGS) == {"a": 1}
    assert [str(w.message) for w in record] == [SHORT_MESSAGE]


def test_short_key_enforced():
    token = _short_token()
    raises(InvalidKeyError, SHORT_MESSAGE, cyjose.decode, token, SHORT_KEY, ALGS,
           options={"enforce_minimum_key_length": True})
    raises(InvalidKeyError, SHORT_MESSAGE, PyJWT(options={"enforce_minimum_key_length": True}).decode, token, SHORT_KEY, ALGS)
    raises(InvalidKeyError, SHORT_MESSAGE, PyJWS(options={"enforce_minimum_key_length": True}).decode, token, SHORT_KEY, ALGS)


def test_short_key_enforced_on_encode():
    raises(InvalidKeyError, SHORT_MESSAGE, PyJWT(options={"enforce_minimum_key_length": True}).encode, {}, SHORT_KEY, "HS256")
    with pytest.warns(InsecureKeyLengthWarning):
        cyjose.encode({}, SHORT_KEY, "HS256")


def test_small_rsa_key_warns_or_raises():
    small = keys.small_rsa()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", InsecureKeyLengthWarning)
        token = cyjose.encode({"a": 1}, small, "RS256")
    with pytest.warns(InsecureKeyLengthWarning):
        assert cyjose.decode(token, small.public_key(), ["RS256"]) == {"a": 1}
    raises(InvalidKeyError, "The RSA key is 1024 bits long, which is below the minimum recommended size of 2048 bits. "
           "See NIST SP 800-131A.", cyjose.decode, token, small.public_key(), ["RS256"],
           options={"enforce_minimum_key_length": True})


def test_full_length_key_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert decode(make({"a": 1})) == {"a": 1}


# --- crit and kid -----------------------------------------------------------------------


@pytest.mark.parametrize("header, message", [
    ({"crit": ["exp"], "exp": 1}, "Unsupported critical extension: exp"),
    ({"crit": ["b64", "zip"], "b64": True, "zip": "x"}, "Unsupported critical extension: zip"),
    ({"crit": "b64", "b64": True}, "Invalid 'crit' header: must be a non-empty list"),
    ({"crit": {"b64": 1}}, "Invalid 'crit' header: must be a non-empty list"),
    ({"crit": None}, "Invalid 'crit' header: must be a non-empty list"),
    ({"crit": []}, "Invalid 'crit' header: must be a non-empty list"),
    ({"crit": [1]}, "Invalid 'crit' header: values must be strings"),
    ({"crit": [None]}, "Invalid 'crit' header: values must be strings"),
    ({"crit": ["b64"]}, "Critical extension 'b64' is missing from headers"),
], ids=["unsupported", "unsupported-second", "str", "dict", "null", "empty", "int", "none-item", "listed-missing"])
def test_crit_rules(header, message):
    token = raw_token({"alg": "HS256", **header})
    raises(InvalidTokenError, message, decode, token)
    raises(InvalidTokenError, message, cyjose.get_unverified_header, token)
    raises(InvalidTokenError, message, decode, token, options={"verify_signature": False})


def test_crit_b64_true_accepted():
    token = raw_token({"alg": "HS256", "crit": ["b64"], "b64": True})
    assert decode(token) == {}


@pytest.mark.parametrize("kid", [5, None, ["k"], {"k": 1}, True])
def test_kid_must_be_string(kid):
    token = raw_token({"alg": "HS256", "kid": kid})
    raises(InvalidTokenError, "Key ID header parameter must be a string", decode, token)
    raises(InvalidTokenError, "Key ID header parameter must be a string", cyjose.get_unverified_header, token)
    raises(InvalidTokenError, "Key ID header parameter must be a string", cyjose.encode, {}, KEY, "HS256", headers={"kid": kid})


def test_kid_string_accepted():
    token = make(headers={"kid": "k1"})
    assert cyjose.get_unverified_header(token) == {"alg": "HS256", "kid": "k1", "typ": "JWT"}
    assert decode(token) == {}


# --- detached payloads (RFC 7797) -------------------------------------------------------


DETACHED = b'{"sub":"detached"}'


@pytest.fixture(params=["headers", "is_payload_detached"])
def detached(request):
    if request.param == "headers":
        return PyJWS().encode(DETACHED, KEY, "HS256", headers={"b64": False})
    return PyJWS().encode(DETACHED, KEY, "HS256", is_payload_detached=True)


def test_detached_token_shape(detached):
    header_segment, payload_segment, signature_segment = detached.split(".")
    assert payload_segment == ""
    header = cyjose.get_unverified_header(detached)
    assert header["b64"] is False and header["crit"] == ["b64"] and header["alg"] == "HS256"


def test_jwt_encode_with_b64_false_header_is_detached():
    token = cyjose.encode({"sub": "detached"}, KEY, "HS256", headers={"b64": False})
    assert token.split(".")[1] == ""
    assert decode(token, detached_payload=DETACHED) == {"sub": "detached"}


def test_detached_decode(detached):
    assert decode(detached, detached_payload=DETACHED) == {"sub": "detached"}
    assert PyJWS().decode(detached, KEY, ALGS, detached_payload=DETACHED) == DETACHED
    complete = PyJWS().decode_complete(detached, KEY, ALGS, detached_payload=DETACHED)
    assert complete["payload"] == DETACHED and complete["header"]["b64"] is False
    assert Verifier(KEY, ALGS).verify_complete(detached, detached_payload=DETACHED)["payload"] == {"sub": "detached"}


def test_detached_wrong_payload(detached):
    raises(InvalidSignatureError, "Signature verification failed", decode, detached, detached_payload=b'{"sub":"other"}')


def test_detached_without_payload(detached):
    message = ('It is required that you pass in a value for the "detached_payload" argument to '
               "decode a message having the b64 header set to false.")
    raises(DecodeError, message, decode, detached)
    raises(DecodeError, message, PyJWS().decode, detached, KEY, ALGS)
    raises(DecodeError, message, Verifier(KEY, ALGS).verify, detached)


@pytest.mark.parametrize("payload", ["text", bytearray(b"x"), memoryview(b"x"), 5])
def test_detached_payload_not_bytes(detached, payload):
    # intentional difference (k)
    raises(DecodeError, 'The "detached_payload" argument must be bytes', decode, detached, detached_payload=payload)


@pytest.mark.parametrize("crit", [None, [], ["other"], "b64"], ids=["absent", "empty", "other", "str"])
def test_b64_false_without_crit(crit):
    header = {"alg": "HS256", "b64": False}
    if crit is not None:
        header["crit"] = crit
    token = detached_token(header, DETACHED)
    if crit in ([], "b64"):
        message = "Invalid 'crit' header: must be a non-empty list"
    elif crit == ["other"]:
        message = "Unsupported critical extension: other"
    else:
        message = "The 'b64' header parameter requires 'b64' to be listed in 'crit'."
    raises(InvalidTokenError, message, decode, token, detached_payload=DETACHED)


def test_b64_false_non_empty_payload_segment(detached):
    header_segment, _, signature_segment = detached.split(".")
    token = f"{header_segment}.{b64(DETACHED)}.{signature_segment}"
    for function in (decode, cyjose.get_unverified_header):
        raises(DecodeError, "Payload segment must be empty when 'b64' is false.", function, token)
    raises(DecodeError, "Payload segment must be empty when 'b64' is false.", decode, token, detached_payload=DETACHED)


def test_detached_payload_for_normal_token():
    message = 'It is only valid to pass "detached_payload" when the protected header has "b64" set to false.'
    raises(DecodeError, message, decode, make({"a": 1}), detached_payload=b"{}")
    raises(DecodeError, message, PyJWS().decode, make({"a": 1}), KEY, ALGS, detached_payload=b"{}")
    # b64 true is the default, not "false"
    raises(DecodeError, message, decode, raw_token({"alg": "HS256", "b64": True}), detached_payload=b"{}")


def test_b64_non_false_values_are_not_detached():
    for value in (0, "false", None):
        token = raw_token({"alg": "HS256", "b64": value}, b'{"a":1}')
        assert decode(token) == {"a": 1}


def test_detached_with_signature_off(detached):
    assert decode(detached, detached_payload=DETACHED, options={"verify_signature": False}) == {"sub": "detached"}


# --- deprecated arguments ---------------------------------------------------------------


@pytest.mark.parametrize("function, name", [
    (cyjose.decode, "decode"),
    (cyjose.decode_complete, "decode_complete"),
    (PyJWS().decode, "decode"),
    (PyJWS().decode_complete, "decode_complete"),
    (PyJWT().decode, "decode"),
])
def test_extra_kwargs_warn(function, name):
    token = make({"a": 1})
    with pytest.warns(RemovedInPyjwt3Warning) as record:
        function(token, KEY, ALGS, foo=1)
    messages = [str(w.message) for w in record if issubclass(w.category, RemovedInPyjwt3Warning)]
    assert f"passing additional kwargs to {name}() is deprecated and will be removed in pyjwt version 3. " \
           f"Unsupported kwargs: ('foo',)" in messages
    assert all(w.filename == __file__ for w in record)


def test_verify_mismatch_warns():
    token = make({"a": 1})
    with pytest.warns(DeprecationWarning) as record:
        assert decode(token, verify=False) == {"a": 1}
    assert [w.category for w in record] == [DeprecationWarning]
    assert "The `verify` argument to `decode` does nothing in PyJWT 2.0 and newer." in str(record[0].message)
    with pytest.warns(DeprecationWarning):
        decode(token, verify=True, options={"verify_signature": False})


@pytest.mark.parametrize("verify, options", [(None, None), (True, None), (False, {"verify_signature": False})])
def test_verify_matching_does_not_warn(verify, options):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert decode(make({"a": 1}), verify=verify, options=options) == {"a": 1}


def test_verify_false_does_not_disable_signature_check():
    with pytest.warns(DeprecationWarning):
        raises(InvalidSignatureError, "Signature verification failed", decode, make(key=OTHER_KEY), verify=False)


# --- decode_complete / get_unverified_header --------------------------------------------


def test_decode_complete_shape():
    token = make({"a": 1}, headers={"kid": "k"})
    complete = cyjose.decode_complete(token, KEY, ALGS)
    assert set(complete) == {"header", "payload", "signature"}
    assert complete["header"] == {"alg": "HS256", "typ": "JWT", "kid": "k"}
    assert complete["payload"] == {"a": 1}
    assert type(complete["signature"]) is bytes
    assert complete["signature"] == base64.urlsafe_b64decode(token.split(".")[2] + "==")
    jws = PyJWS().decode_complete(token, KEY, ALGS)
    assert jws["payload"] == b'{"a":1}' and jws["header"] == complete["header"] and jws["signature"] == complete["signature"]


def test_decode_accepts_bytes_token():
    assert decode(make({"a": 1}).encode()) == {"a": 1}


def test_get_unverified_header():
    token = make({"a": 1}, headers={"kid": "k", "x": [1]}, key=OTHER_KEY)
    assert cyjose.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT", "kid": "k", "x": [1]}
    assert cyjose.get_unverified_header(token.encode()) == cyjose.get_unverified_header(token)
    assert PyJWS().get_unverified_header(token) == cyjose.get_unverified_header(token)


def test_get_unverified_header_does_not_check_alg_or_payload():
    token = b64(b'{"typ":"x"}') + "." + b64(b"not json") + "."
    assert cyjose.get_unverified_header(token) == {"typ": "x"}


# --- Verifier == decode -----------------------------------------------------------------


def _verifier_cases():
    rs_token = cyjose.encode({"a": 1, "exp": FUTURE}, keys.private("RS256"), "RS256")
    es_token = cyjose.encode({"a": 1}, keys.private("ES256"), "ES256")
    rs_pub = keys.public_pem("RS256")
    return [
        ("valid", make({"a": 1}), KEY, ALGS, {}),
        ("bad-signature", make({"a": 1}, key=OTHER_KEY), KEY, ALGS, {}),
        ("expired", make({"exp": PAST}), KEY, ALGS, {}),
        ("expired-leeway", make({"exp": NOW - 5}), KEY, ALGS, {"leeway": 600}),
        ("expired-timedelta", make({"exp": NOW - 5}), KEY, ALGS, {"leeway": timedelta(minutes=10)}),
        ("immature-nbf", make({"nbf": FUTURE}), KEY, ALGS, {}),
        ("immature-iat", make({"iat": FUTURE}), KEY, ALGS, {}),
        ("bad-iat", make({"iat": "x"}), KEY, ALGS, {}),
        ("bad-exp", make({"exp": "x"}), KEY, ALGS, {}),
        ("bool-exp", make({"exp": True}), KEY, ALGS, {}),
        ("aud-ok", make({"aud": ["a", "b"]}), KEY, ALGS, {"audience": "b"}),
        ("aud-list-ok", make({"aud": "b"}), KEY, ALGS, {"audience": ["a", "b"]}),
        ("aud-mismatch", make({"aud": "a"}), KEY, ALGS, {"audience": "b"}),
        ("aud-missing", make({}), KEY, ALGS, {"audience": "b"}),
        ("aud-unexpected", make({"aud": "a"}), KEY, ALGS, {}),
        ("aud-strict", make({"aud": ["a"]}), KEY, ALGS, {"audience": "a", "options": {"strict_aud": True}}),
        ("aud-strict-list", make({"aud": "a"}), KEY, ALGS, {"audience": ["a"], "options": {"strict_aud": True}}),
        ("aud-off", make({"aud": "a"}), KEY, ALGS, {"options": {"verify_aud": False}}),
        ("iss-ok", make({"iss": "i"}), KEY, ALGS, {"issuer": ["i", "j"]}),
        ("iss-bad", make({"iss": "i"}), KEY, ALGS, {"issuer": "j"}),
        ("iss-missing", make({}), KEY, ALGS, {"issuer": "j"}),
        ("iss-container-bad", make({"iss": "i"}), KEY, ALGS, {"issuer": 5}),
        ("sub-bad", make({"sub": "s"}), KEY, ALGS, {"subject": "t"}),
        ("sub-type", make({"sub": 1}), KEY, ALGS, {}),
        ("jti-type", make({"jti": 1}), KEY, ALGS, {}),
        ("require", make({}), KEY, ALGS, {"options": {"require": ["exp", "iat"]}}),
        ("require-null", make({"exp": None}), KEY, ALGS, {"options": {"require": ["exp"]}}),
        ("require-str", make({}), KEY, ALGS, {"options": {"require": "exp"}}),
        ("sig-off", make({"exp": PAST}, key=OTHER_KEY), KEY, ALGS, {"options": {"verify_signature": False}}),
        ("sig-off-exp-on", make({"exp": PAST}, key=OTHER_KEY), KEY, ALGS,
         {"options": {"verify_signature": False, "verify_exp": True}}),
        ("alg-not-allowed", make({}), KEY, ["HS384"], {}),
        ("alg-as-str", make({}), KEY, "HS256", {}),
        ("alg-none-token", cyjose.encode({}, None, None), KEY, ALGS, {}),
        ("alg-missing", raw_token({"typ": "JWT"}), KEY, ALGS, {}),
        ("alg-null", raw_token({"alg": None}), KEY, ALGS, {}),
        ("alg-list", raw_token({"alg": ["HS256"]}), KEY, ALGS, {}),
        ("crit-unsupported", raw_token({"alg": "HS256", "crit": ["x"], "x": 1}), KEY, ALGS, {}),
        ("crit-empty", raw_token({"alg": "HS256", "crit": []}), KEY, ALGS, {}),
        ("kid-int", raw_token({"alg": "HS256", "kid": 1}), KEY, ALGS, {}),
        ("b64-no-crit", detached_token({"alg": "HS256", "b64": False}, DETACHED), KEY, ALGS, {}),
        ("detached-missing", detached_token({"alg": "HS256", "b64": False, "crit": ["b64"]}, DETACHED), KEY, ALGS, {}),
        ("not-enough-segments", "abc.def", KEY, ALGS, {}),
        ("too-many-segments", "a.b.c.d", KEY, ALGS, {}),
        ("bad-b64", "a$c." + make().split(".", 1)[1], KEY, ALGS, {}),
        ("bad-json-header", b64(b"{") + ".e30.", KEY, ALGS, {}),
        ("bad-json-payload", raw_token({"alg": "HS256"}, b"[1]"), KEY, ALGS, {}),
        ("non-ascii", make() + "\u00e9", KEY, ALGS, {}),
        ("not-a-token", None, KEY, ALGS, {}),
        ("too-large", "a" * ((1 << 20) + 1), KEY, ALGS, {}),
        ("rsa-ok", rs_token, rs_pub, ["RS256"], {}),
        ("rsa-obj-ok", rs_token, keys.public("RS256"), ["RS256", "PS256"], {}),
        ("rsa-wrong-key", rs_token, keys.public_pem("RS256", "other"), ["RS256"], {}),
        ("rsa-alg-not-allowed", rs_token, rs_pub, ["PS256"], {}),
        ("es-ok", es_token, keys.public("ES256"), ["ES256"], {}),
        ("es-tampered", es_token[:-4] + ("AAAA" if not es_token.endswith("AAAA") else "BBBB"), keys.public("ES256"), ["ES256"], {}),
    ]


VERIFIER_CASES = _verifier_cases()


def _outcome(function, *args, **kwargs):
    try:
        return "ok", function(*args, **kwargs)
    except PyJWTError as exc:
        return type(exc), str(exc)


@pytest.mark.filterwarnings("ignore::cyjose.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize("case", VERIFIER_CASES, ids=[case[0] for case in VERIFIER_CASES])
def test_verifier_matches_decode(case):
    _, token, key, algorithms, kwargs = case
    expected = _outcome(cyjose.decode, token, key, algorithms, **kwargs)
    verifier = Verifier(key, algorithms, **kwargs)
    assert _outcome(verifier.verify, token) == expected
    complete = _outcome(cyjose.decode_complete, token, key, algorithms, **kwargs)
    assert _outcome(verifier.verify_complete, token) == complete


def test_verifier_cases_cover_success_and_failure():
    outcomes = [_outcome(cyjose.decode, t, k, a, **kw)[0] for _, t, k, a, kw in VERIFIER_CASES]
    assert "ok" in outcomes
    assert {ExpiredSignatureError, InvalidSignatureError, DecodeError, InvalidAlgorithmError,
            InvalidAudienceError, MissingRequiredClaimError, InvalidTokenError} <= set(outcomes)


def test_verifier_detached():
    token = detached_token({"alg": "HS256", "b64": False, "crit": ["b64"]}, DETACHED)
    verifier = Verifier(KEY, ALGS)
    assert verifier.verify_complete(token, detached_payload=DETACHED)["payload"] == {"sub": "detached"}
    raises(InvalidSignatureError, "Signature verification failed", verifier.verify_complete, token, detached_payload=b"{}")


def test_verify_complete_shape():
    token = make({"a": 1}, headers={"kid": "k"})
    complete = Verifier(KEY, ALGS).verify_complete(token)
    assert set(complete) == {"header", "payload", "signature"}
    assert complete == cyjose.decode_complete(token, KEY, ALGS)
    assert Verifier(KEY, ALGS).verify(token) == {"a": 1}


def test_verifier_reusable():
    verifier = Verifier(KEY, ALGS, audience="a")
    good, bad = make({"aud": "a"}), make({"aud": "b"})
    for _ in range(3):
        assert verifier.verify(good) == {"aud": "a"}
        raises(InvalidAudienceError, "Audience doesn't match", verifier.verify, bad)


def test_verifier_algorithms_attribute():
    assert Verifier(keys.secret("HS384"), ["HS256", "HS384"]).algorithms == ("HS256", "HS384")
    assert Verifier(KEY, "HS256").algorithms == ("HS256",)


@pytest.mark.parametrize("algorithms", [None, [], ()])
def test_verifier_needs_algorithms(algorithms):
    with pytest.raises(InvalidAlgorithmError):
        Verifier(KEY, algorithms)


def test_verifier_without_algorithms_when_signature_off():
    verifier = Verifier(KEY, options={"verify_signature": False})
    assert verifier.verify(make({"a": 1}, key=OTHER_KEY)) == {"a": 1}


@pytest.mark.parametrize("algorithms", [["HS999"], ["HS256", "nope"], ["hs256"]])
def test_verifier_unknown_algorithm(algorithms):
    with pytest.raises(InvalidAlgorithmError) as info:
        Verifier(KEY, algorithms)
    assert type(info.value) is InvalidAlgorithmError


@pytest.mark.parametrize("key, algorithms", [
    (KEY, ["HS256", "RS256"]),
    (keys.public_pem("RS256"), ["RS256", "HS256"]),
    (keys.public("RS256"), ["RS256", "ES256"]),
    (keys.public("ES256"), ["ES256", "ES384"]),
    (b"not a pem", ["RS256"]),
    (None, ["HS256"]),
    (5, ["RS256"]),
    (b"", ["HS256"]),
], ids=["secret-for-rs", "pem-for-hs", "rsa-for-es", "p256-for-p384", "garbage-pem", "none", "int", "empty"])
def test_verifier_unusable_key(key, algorithms):
    with pytest.raises(InvalidKeyError) as info:
        Verifier(key, algorithms)
    assert type(info.value) is InvalidKeyError


def test_verifier_short_key_warns_once_at_construction():
    token = _short_token()
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        verifier = Verifier(SHORT_KEY, ALGS)
    assert [(w.category, str(w.message)) for w in record] == [(InsecureKeyLengthWarning, SHORT_MESSAGE)]
    assert record[0].filename == __file__
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        for _ in range(3):
            assert verifier.verify(token) == {"a": 1}
    assert record == []


def test_verifier_short_key_enforced():
    raises(InvalidKeyError, SHORT_MESSAGE, Verifier, SHORT_KEY, ALGS, options={"enforce_minimum_key_length": True})


@pytest.mark.parametrize("kwargs", [{"audience": 5}, {"leeway": "x"}])
def test_verifier_bad_argument_types(kwargs):
    with pytest.raises(TypeError):
        Verifier(KEY, ALGS, **kwargs)


# --- Signer -----------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512", "RS256", "RS512", "EdDSA"])
def test_signer_matches_encode(alg):
    claims = {"sub": "s", "n": 1, "exp": datetime(2100, 1, 1, tzinfo=timezone.utc)}
    key = keys.signing_key(alg)
    signer = Signer(key, alg)
    assert signer.sign(claims) == cyjose.encode(claims, key, alg)
    assert signer.sign_bytes(b"raw") == PyJWS().encode(b"raw", key, alg)
    assert signer.algorithm == alg


@pytest.mark.parametrize("alg", ["ES256", "PS256"])
def test_signer_randomised_algs_verify(alg):
    token = Signer(keys.private(alg), alg, headers={"kid": "k1"}).sign({"a": 1})
    assert cyjose.get_unverified_header(token) == {"alg": alg, "kid": "k1", "typ": "JWT"}
    assert cyjose.decode(token, keys.public(alg), [alg]) == {"a": 1}


@pytest.mark.parametrize("headers", [
    {"kid": "k1"},
    {"kid": "k1", "typ": "at+jwt", "x5t": "abc"},
    {"typ": None},
    {"alg": "HS512"},
    {"b64": False},
    {"b64": True, "cty": "x"},
], ids=["kid", "extra", "no-typ", "alg-override", "detached", "b64-true"])
def test_signer_headers_match_encode(headers):
    claims = {"a": 1}
    signer = Signer(keys.secret("HS512"), "HS256", headers=headers)
    assert signer.sign(claims) == cyjose.encode(claims, keys.secret("HS512"), "HS256", headers=headers)


def test_signer_sort_headers_false_matches_encode():
    headers = {"kid": "k", "alg": "HS256", "a": 1}
    assert Signer(KEY, "HS256", headers=headers, sort_headers=False).sign({}) == \
        cyjose.encode({}, KEY, "HS256", headers=headers, sort_headers=False)


def test_signer_output_verifies():
    signer = Signer(KEY, "HS256", headers={"kid": "k1"})
    for n in range(3):
        assert Verifier(KEY, ALGS).verify(signer.sign({"n": n})) == {"n": n}


def test_signer_errors():
    with pytest.raises(NotImplementedError):
        Signer(KEY, "HS999")
    raises(InvalidKeyError, None, Signer, keys.public_pem("RS256"), "HS256")
    # a public key cannot sign: refused at construction or at the latest on the first sign()
    raises(InvalidKeyError, None, lambda: Signer(keys.public("RS256"), "RS256").sign({}))
    raises(InvalidKeyError, None, lambda: Signer(keys.public_pem("ES256"), "ES256").sign_bytes(b"x"))
    raises(InvalidTokenError, "Key ID header parameter must be a string", Signer, KEY, "HS256", headers={"kid": 1})
    with pytest.raises(TypeError):
        Signer(KEY, "HS256").sign(["not", "a", "dict"])
    with pytest.warns(InsecureKeyLengthWarning):
        Signer(SHORT_KEY, "HS256")
    raises(InvalidKeyError, SHORT_MESSAGE, Signer, SHORT_KEY, "HS256", enforce_minimum_key_length=True)


def _secret_spellings(secret: bytes):
    yield secret.hex()
    yield repr(secret)
    yield base64.b64encode(secret).decode()
    yield base64.urlsafe_b64encode(secret).decode().rstrip("=")
    yield secret.decode("latin-1")


MEMORABLE_SECRET = b"super-secret-hmac-key-0123456789abcdef"


@pytest.mark.parametrize("alg, key", [
    ("HS256", MEMORABLE_SECRET),
    ("HS256", MEMORABLE_SECRET.decode()),
    ("RS256", keys.private_pem("RS256")),
    ("ES256", keys.private("ES256")),
    ("EdDSA", keys.private("EdDSA")),
], ids=["hs-bytes", "hs-str", "rs-pem", "es-obj", "eddsa-obj"])
def test_reprs_contain_no_key_material(alg, key):
    verify_key = key if alg == "HS256" else keys.public_pem(alg)
    texts = [repr(Signer(key, alg)), str(Signer(key, alg)), repr(Verifier(verify_key, [alg])), str(Verifier(verify_key, [alg]))]
    if alg == "HS256":
        raw = MEMORABLE_SECRET
        forbidden = list(_secret_spellings(raw)) + ["super-secret"]
    else:
        pem = key if isinstance(key, bytes) else keys.private_pem(alg)
        body = [line for line in pem.decode().splitlines() if "-----" not in line]
        public_body = [line for line in keys.public_pem(alg).decode().splitlines() if "-----" not in line]
        forbidden = [line[:16] for line in body + public_body if len(line) >= 16] + ["BEGIN", "PRIVATE"]
    for text in texts:
        for fragment in forbidden:
            assert fragment not in text, (text, fragment)
    assert alg in repr(Signer(key, alg))
    assert alg in repr(Verifier(verify_key, [alg]))


# --- the prepared-key cache -------------------------------------------------------------


def test_same_pem_many_times():
    token = cyjose.encode({"a": 1}, keys.private_pem("RS256"), "RS256")
    pem = keys.public_pem("RS256")
    for _ in range(50):
        assert cyjose.decode(token, pem, ["RS256"]) == {"a": 1}
    assert cyjose.decode(token, pem.decode(), ["RS256"]) == {"a": 1}
    raises(InvalidSignatureError, "Signature verification failed", cyjose.decode, token,
           keys.public_pem("RS256", "other"), ["RS256"])


def test_cache_distinguishes_str_and_bytes_and_algorithms():
    secret = keys.secret("HS512")
    for alg in ("HS256", "HS384", "HS512"):
        token = cyjose.encode({"alg": alg}, secret, alg)
        for _ in range(2):
            assert cyjose.decode(token, secret, [alg]) == {"alg": alg}
            assert cyjose.decode(token, secret.decode("latin-1"), [alg]) == {"alg": alg}
        raises(InvalidAlgorithmError, "The specified alg value is not allowed", cyjose.decode, token, secret,
               [a for a in ("HS256", "HS384", "HS512") if a != alg])
    # the same text as str and bytes are the same secret; a different one is not
    token = cyjose.encode({}, "text-secret-long-enough-for-hs256!", "HS256")
    assert cyjose.decode(token, b"text-secret-long-enough-for-hs256!", ALGS) == {}
    raises(InvalidSignatureError, "Signature verification failed", cyjose.decode, token,
           "text-secret-long-enough-for-hs256?", ALGS)


def test_cache_is_bounded():
    for n in range(320):
        secret = b"distinct-secret-%04d-padding-to-32-bytes" % n
        token = cyjose.encode({"n": n}, secret, "HS256")
        assert cyjose.decode(token, secret, ALGS) == {"n": n}
        assert len(cyjose._jws._BOUND_CACHE) <= 256
    assert len(cyjose._jws._BOUND_CACHE) >= 200  # it does cache
    # early secrets were evicted but still work
    secret = b"distinct-secret-%04d-padding-to-32-bytes" % 0
    assert cyjose.decode(cyjose.encode({"n": 0}, secret, "HS256"), secret, ALGS) == {"n": 0}
    raises(InvalidSignatureError, "Signature verification failed", cyjose.decode,
           cyjose.encode({"n": 0}, secret, "HS256"), b"distinct-secret-0001-padding-to-32-bytes", ALGS)


@pytest.mark.parametrize("key, algorithms", [
    (keys.public_pem("RS256"), ["HS256"]),
    (b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", ["RS256"]),
    (b"", ["HS256"]),
    ("not a key at all", ["ES256"]),
], ids=["pem-as-hmac", "bad-pem", "empty", "garbage"])
def test_failed_key_not_cached(key, algorithms):
    token = make({"a": 1}) if algorithms == ["HS256"] else cyjose.encode({}, keys.private(algorithms[0]), algorithms[0])
    cache_key = (cyjose.get_algorithm_by_name(algorithms[0]), type(key), key)
    for _ in range(3):
        raises(InvalidKeyError, None, cyjose.decode, token, key, algorithms)
        raises(InvalidKeyError, None, Verifier, key, algorithms)
        assert cache_key not in cyjose._jws._BOUND_CACHE
