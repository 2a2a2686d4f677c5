"""Registered-claim checks (RFC 7519 §4.1): every rule and message, on each twin."""

from __future__ import annotations

import pytest

from cyjose.exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidJTIError,
    InvalidSubjectError,
    MissingRequiredClaimError,
)

NOW = 1_700_000_000.0
NAN, INF = float("nan"), float("inf")
NOT_NUMBERS = ["1700000000", "", None, True, False, [1], {"a": 1}, NAN, INF, -INF, b"1"]


def check(claims, payload, now=NOW, **rules):
    return claims.check_claims(payload, claims.ClaimRules(**rules), now)


def fails(claims, payload, cls, message, now=NOW, **rules):
    with pytest.raises(cls) as info:
        check(claims, payload, now, **rules)
    assert type(info.value) is cls
    assert str(info.value) == message
    return info.value


# --- ClaimRules -------------------------------------------------------------------------


def test_rules_defaults(claims):
    rules = claims.ClaimRules()
    assert rules.require == ()
    for flag in ("verify_exp", "verify_nbf", "verify_iat", "verify_iss", "verify_aud",
                 "verify_sub", "verify_jti"):
        assert getattr(rules, flag) is True
    assert rules.strict_aud is False
    assert rules.audience is None and rules.issuer is None and rules.subject is None
    assert rules.leeway == 0.0 and type(rules.leeway) is float


def test_rules_normalise(claims):
    rules = claims.ClaimRules(require=["exp", "iss"], verify_exp=0, verify_aud=1, strict_aud="yes",
                              leeway=5, audience=("a", "b"), issuer=["i"], subject="s")
    assert rules.require == ("exp", "iss") and type(rules.require) is tuple
    assert rules.verify_exp is False and rules.verify_aud is True and rules.strict_aud is True
    assert rules.leeway == 5.0 and type(rules.leeway) is float
    assert rules.audience == ("a", "b") and rules.issuer == ["i"] and rules.subject == "s"


def test_valid_payload_returns_none(claims):
    payload = {"iat": NOW - 10, "nbf": NOW - 10, "exp": NOW + 10, "iss": "me", "aud": "you",
               "sub": "them", "jti": "id", "extra": [1, None, {"x": NAN}]}
    assert check(claims, payload, require=("exp", "iss"), audience="you", issuer="me",
                 subject="them") is None
    assert check(claims, {}) is None


# --- require ----------------------------------------------------------------------------


@pytest.mark.parametrize("payload", [{}, {"exp": None}, {"other": 1}])
def test_require_missing(claims, payload):
    error = fails(claims, payload, MissingRequiredClaimError, 'Token is missing the "exp" claim',
                  require=("exp",), verify_exp=False)
    assert error.claim == "exp"


def test_require_reports_first_missing_in_order(claims):
    error = fails(claims, {"exp": NOW + 10}, MissingRequiredClaimError,
                  'Token is missing the "sub" claim', require=("exp", "sub", "iss"))
    assert error.claim == "sub"


@pytest.mark.parametrize("value", [0, False, "", [], {}, NAN])
def test_require_accepts_falsy_non_null(claims, value):
    assert check(claims, {"custom": value}, require=("custom",)) is None


def test_require_runs_before_other_checks(claims):
    fails(claims, {"exp": "bad"}, MissingRequiredClaimError, 'Token is missing the "iss" claim',
          require=("iss",))


# --- iat --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_iat_must_be_a_number(claims, value):
    fails(claims, {"iat": value}, InvalidIssuedAtError, "Issued At claim (iat) must be an integer.")


@pytest.mark.parametrize("value", [NOW, NOW - 1, 0, -5, int(NOW), NOW + 0.9, 1.5])
def test_iat_past_or_now(claims, value):
    assert check(claims, {"iat": value}) is None


@pytest.mark.parametrize("value", [NOW + 1, int(NOW) + 1, 10 ** 30, 1e300, 2 ** 63, 2 ** 64 + 1])
def test_iat_in_future(claims, value):
    fails(claims, {"iat": value}, ImmatureSignatureError, "The token is not yet valid (iat)")


def test_iat_leeway(claims):
    assert check(claims, {"iat": NOW + 10}, leeway=10) is None
    fails(claims, {"iat": NOW + 11}, ImmatureSignatureError, "The token is not yet valid (iat)",
          leeway=10)


def test_iat_fraction_truncated(claims):
    # int(100.9) == 100, which is not after now == 100.5.
    assert check(claims, {"iat": 100.9}, now=100.5) is None
    fails(claims, {"iat": 101}, ImmatureSignatureError, "The token is not yet valid (iat)", now=100.5)
    assert check(claims, {"iat": -0.9}, now=0) is None


def test_iat_skipped_when_disabled(claims):
    assert check(claims, {"iat": "bad"}, verify_iat=False) is None
    assert check(claims, {"iat": NOW + 100}, verify_iat=False) is None


# --- nbf --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_nbf_must_be_a_number(claims, value):
    fails(claims, {"nbf": value}, DecodeError, "Not Before claim (nbf) must be an integer.")


@pytest.mark.parametrize("value", [NOW, NOW - 1, 0, -(10 ** 30), -1e300])
def test_nbf_reached(claims, value):
    assert check(claims, {"nbf": value}) is None


@pytest.mark.parametrize("value", [NOW + 1, 10 ** 30, 1e300, 2 ** 63])
def test_nbf_in_future(claims, value):
    fails(claims, {"nbf": value}, ImmatureSignatureError, "The token is not yet valid (nbf)")


def test_nbf_leeway_and_truncation(claims):
    assert check(claims, {"nbf": NOW + 30}, leeway=30.0) is None
    fails(claims, {"nbf": NOW + 31}, ImmatureSignatureError, "The token is not yet valid (nbf)",
          leeway=30.0)
    assert check(claims, {"nbf": 100.99}, now=100.01) is None


def test_nbf_skipped_when_disabled(claims):
    assert check(claims, {"nbf": "bad"}, verify_nbf=False) is None
    assert check(claims, {"nbf": NOW + 100}, verify_nbf=False) is None


# --- exp --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_exp_must_be_a_number(claims, value):
    fails(claims, {"exp": value}, DecodeError, "Expiration Time claim (exp) must be an integer.")


@pytest.mark.parametrize("value", [NOW + 1, int(NOW) + 1, 10 ** 30, 1e300, 2 ** 64])
def test_exp_in_future(claims, value):
    assert check(claims, {"exp": value}) is None


@pytest.mark.parametrize("value", [NOW, NOW - 1, int(NOW), 0, -(10 ** 30), -1e300, NOW + 0.9])
def test_exp_expired(claims, value):
    # exp == now is already expired; NOW + 0.9 is truncated to NOW.
    fails(claims, {"exp": value}, ExpiredSignatureError, "Signature has expired")


def test_exp_leeway(claims):
    assert check(claims, {"exp": NOW - 9}, leeway=10) is None
    fails(claims, {"exp": NOW - 10}, ExpiredSignatureError, "Signature has expired", leeway=10)


def test_exp_fraction_truncated(claims):
    # int(100.9) == 100 <= now == 100.5: expired, although 100.9 > 100.5.
    fails(claims, {"exp": 100.9}, ExpiredSignatureError, "Signature has expired", now=100.5)
    assert check(claims, {"exp": 101}, now=100.5) is None
    assert check(claims, {"exp": -0.5}, now=-0.25) is None  # int(-0.5) == 0


def test_exp_skipped_when_disabled(claims):
    assert check(claims, {"exp": "bad"}, verify_exp=False) is None
    assert check(claims, {"exp": 0}, verify_exp=False) is None


def test_time_claims_checked_in_order_iat_nbf_exp(claims):
    payload = {"iat": "x", "nbf": "x", "exp": "x"}
    fails(claims, payload, InvalidIssuedAtError, "Issued At claim (iat) must be an integer.")
    fails(claims, payload, DecodeError, "Not Before claim (nbf) must be an integer.", verify_iat=False)
    payload = {"iat": NOW + 5, "nbf": NOW + 5, "exp": 0}
    fails(claims, payload, ImmatureSignatureError, "The token is not yet valid (iat)")
    fails(claims, payload, ImmatureSignatureError, "The token is not yet valid (nbf)", verify_iat=False)
    fails(claims, payload, ExpiredSignatureError, "Signature has expired", verify_iat=False,
          verify_nbf=False)


# --- iss --------------------------------------------------------------------------------


def test_iss_not_checked_without_expected_issuer(claims):
    assert check(claims, {"iss": 5}) is None
    assert check(claims, {}) is None


def test_iss_missing(claims):
    error = fails(claims, {}, MissingRequiredClaimError, 'Token is missing the "iss" claim',
                  issuer="me")
    assert error.claim == "iss"


@pytest.mark.parametrize("value", [None, 5, ["me"], {"me": 1}, b"me", True])
def test_iss_must_be_a_string(claims, value):
    fails(claims, {"iss": value}, InvalidIssuerError, "Payload Issuer (iss) must be a string",
          issuer="me")
    fails(claims, {"iss": value}, InvalidIssuerError, "Payload Issuer (iss) must be a string",
          issuer=["me"])


@pytest.mark.parametrize("issuer", ["me", ["x", "me"], ("me",), {"me"}, frozenset({"me", "y"}),
                                    {"me": 1}])
def test_iss_accepted(claims, issuer):
    assert check(claims, {"iss": "me"}, issuer=issuer) is None


@pytest.mark.parametrize("issuer", ["you", "m", "mee", "Me", ["you"], (), set(), ("m", "e")])
def test_iss_mismatch(claims, issuer):
    fails(claims, {"iss": "me"}, InvalidIssuerError, "Invalid issuer", issuer=issuer)


@pytest.mark.parametrize("issuer", [5, 1.5, True, b"me", object()])
def test_iss_bad_issuer_param(claims, issuer):
    fails(claims, {"iss": "me"}, InvalidIssuerError, 'Issuer param must be "str" or "Container[str]"',
          issuer=issuer)


def test_iss_skipped_when_disabled(claims):
    assert check(claims, {}, issuer="me", verify_iss=False) is None
    assert check(claims, {"iss": 5}, issuer="me", verify_iss=False) is None


# --- aud --------------------------------------------------------------------------------


@pytest.mark.parametrize("claim", ["x", ["x"], 5, True, {"a": 1}, [None]])
def test_aud_present_but_none_expected(claims, claim):
    fails(claims, {"aud": claim}, InvalidAudienceError, "Invalid audience")


@pytest.mark.parametrize("payload", [{}, {"aud": None}, {"aud": ""}, {"aud": []}, {"aud": 0},
                                     {"aud": False}, {"aud": {}}])
def test_aud_absent_or_empty_and_none_expected(claims, payload):
    assert check(claims, payload) is None


@pytest.mark.parametrize("payload", [{}, {"aud": None}, {"aud": ""}, {"aud": []}, {"aud": 0}])
@pytest.mark.parametrize("strict", [False, True])
def test_aud_missing(claims, payload, strict):
    error = fails(claims, payload, MissingRequiredClaimError, 'Token is missing the "aud" claim',
                  audience="you", strict_aud=strict)
    assert error.claim == "aud"


@pytest.mark.parametrize(
    "claim, audience",
    [("you", "you"), (["you"], "you"), (["x", "you"], "you"), ("you", ("x", "you")),
     (["a", "b"], ("c", "b"))],
)
def test_aud_match(claims, claim, audience):
    assert check(claims, {"aud": claim}, audience=audience) is None


@pytest.mark.parametrize(
    "claim, audience",
    [("you", "yo"), ("yo", "you"), (["x"], "you"), ("you", ("x", "y")), (["a", "b"], ("c",)),
     ("you", ())],
)
def test_aud_mismatch(claims, claim, audience):
    fails(claims, {"aud": claim}, InvalidAudienceError, "Audience doesn't match", audience=audience)


@pytest.mark.parametrize("claim", [5, True, 1.5, {"you": 1}, ["you", 5], ["you", None], [["you"]],
                                   ("you",)])
def test_aud_bad_claim_format(claims, claim):
    fails(claims, {"aud": claim}, InvalidAudienceError, "Invalid claim format in token",
          audience="you")


def test_aud_strict(claims):
    assert check(claims, {"aud": "you"}, audience="you", strict_aud=True) is None
    fails(claims, {"aud": "you"}, InvalidAudienceError, "Invalid audience (strict)",
          audience=("you",), strict_aud=True)
    fails(claims, {"aud": ["you"]}, InvalidAudienceError, "Invalid claim format in token (strict)",
          audience="you", strict_aud=True)
    fails(claims, {"aud": 5}, InvalidAudienceError, "Invalid claim format in token (strict)",
          audience="you", strict_aud=True)
    fails(claims, {"aud": "yo"}, InvalidAudienceError, "Audience doesn't match (strict)",
          audience="you", strict_aud=True)


def test_aud_strict_ignored_without_expected_audience(claims):
    fails(claims, {"aud": "x"}, InvalidAudienceError, "Invalid audience", strict_aud=True)
    assert check(claims, {}, strict_aud=True) is None


def test_aud_skipped_when_disabled(claims):
    assert check(claims, {"aud": "x"}, verify_aud=False) is None
    assert check(claims, {}, audience="you", verify_aud=False) is None
    assert check(claims, {"aud": 5}, audience="you", verify_aud=False) is None


# --- sub, jti ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, 5, ["s"], {"s": 1}, True, b"s"])
def test_sub_must_be_a_string(claims, value):
    fails(claims, {"sub": value}, InvalidSubjectError, "Subject must be a string")
    fails(claims, {"sub": value}, InvalidSubjectError, "Subject must be a string", subject="s")


def test_sub_match(claims):
    assert check(claims, {"sub": "s"}) is None
    assert check(claims, {"sub": "anything"}) is None
    assert check(claims, {"sub": "s"}, subject="s") is None
    fails(claims, {"sub": "t"}, InvalidSubjectError, "Invalid subject", subject="s")
    fails(claims, {"sub": ""}, InvalidSubjectError, "Invalid subject", subject="s")


def test_sub_absent_is_accepted_even_with_expected_subject(claims):
    assert check(claims, {}, subject="s") is None


def test_sub_skipped_when_disabled(claims):
    assert check(claims, {"sub": 5}, verify_sub=False) is None
    assert check(claims, {"sub": "t"}, subject="s", verify_sub=False) is None


@pytest.mark.parametrize("value", [None, 5, ["j"], {"j": 1}, True, 1.5])
def test_jti_must_be_a_string(claims, value):
    fails(claims, {"jti": value}, InvalidJTIError, "JWT ID must be a string")
    assert check(claims, {"jti": value}, verify_jti=False) is None


def test_jti_string(claims):
    assert check(claims, {"jti": ""}) is None
    assert check(claims, {"jti": "abc"}) is None


# --- order ------------------------------------------------------------------------------


def test_check_order(claims):
    payload = {"exp": 0, "iss": 5, "aud": 5, "sub": 5, "jti": 5}
    kw = dict(issuer="me", audience="you")
    fails(claims, payload, ExpiredSignatureError, "Signature has expired", **kw)
    fails(claims, payload, InvalidIssuerError, "Payload Issuer (iss) must be a string",
          verify_exp=False, **kw)
    fails(claims, payload, InvalidAudienceError, "Invalid claim format in token",
          verify_exp=False, verify_iss=False, **kw)
    fails(claims, payload, InvalidSubjectError, "Subject must be a string",
          verify_exp=False, verify_iss=False, verify_aud=False, **kw)
    fails(claims, payload, InvalidJTIError, "JWT ID must be a string",
          verify_exp=False, verify_iss=False, verify_aud=False, verify_sub=False, **kw)


def test_exception_hierarchy_matches_pyjwt(claims):
    # DecodeError for bad nbf/exp types (PyJWT's choice), InvalidTokenError for the rest.
    from cyjose.exceptions import InvalidTokenError

    for payload in ({"nbf": "x"}, {"exp": "x"}):
        with pytest.raises(DecodeError):
            check(claims, payload)
    for payload in ({"iat": "x"}, {"exp": 0}, {"aud": "x"}, {"sub": 1}, {"jti": 1}):
        with pytest.raises(InvalidTokenError) as info:
            check(claims, payload)
        assert not isinstance(info.value, DecodeError)
