"""The Verifier's jti deny-list (``deny_jti``): revoked tokens are refused before they expire."""

from __future__ import annotations

import pytest
import sample_keys as keys

import cyjose
from cyjose.exceptions import ExpiredSignatureError, InvalidTokenError, RevokedTokenError

SECRET = b"r" * 32


def hs(claims):
    return cyjose.encode(claims, SECRET, algorithm="HS256")


def rs(claims):
    return cyjose.encode(claims, keys.private("RS256"), algorithm="RS256")


def verifier(deny, cache_size=0, alg="HS256"):
    key = SECRET if alg == "HS256" else keys.public("RS256")
    return cyjose.Verifier(key, algorithms=[alg], deny_jti=deny, cache_size=cache_size)


@pytest.mark.parametrize("cache_size", [0, 8])
@pytest.mark.parametrize("alg,make", [("HS256", hs), ("RS256", rs)])
def test_revoked_jti_is_refused_on_every_path(alg, make, cache_size):
    revoked = set()
    v = verifier(revoked, cache_size, alg)
    token, other = make({"jti": "a", "sub": "1"}), make({"jti": "b"})
    for _ in range(3):  # general path, then fast path or cache hits
        assert v.verify(token) == {"jti": "a", "sub": "1"}
        assert v.verify_complete(token)["payload"]["jti"] == "a"
    revoked.add("a")  # revoked after it was verified (and cached): refused from now on
    for _ in range(2):
        with pytest.raises(RevokedTokenError, match="Token has been revoked"):
            v.verify(token)
        with pytest.raises(RevokedTokenError):
            v.verify_complete(token)
    assert v.verify(other) == {"jti": "b"}
    assert issubclass(RevokedTokenError, InvalidTokenError)
    assert cyjose.RevokedTokenError is RevokedTokenError


def test_callable_deny_list():
    seen = []

    def is_revoked(jti):
        seen.append(jti)
        return jti.startswith("x")

    v = verifier(is_revoked)
    assert v.verify(hs({"jti": "ok"})) == {"jti": "ok"}
    with pytest.raises(RevokedTokenError):
        v.verify(hs({"jti": "xyz"}))
    assert seen == ["ok", "xyz"]


def test_tokens_without_jti_pass_unless_required():
    assert verifier({"a"}).verify(hs({"sub": "1"})) == {"sub": "1"}
    strict = cyjose.Verifier(SECRET, algorithms=["HS256"], deny_jti={"a"}, options={"require": ["jti"]})
    with pytest.raises(cyjose.MissingRequiredClaimError):
        strict.verify(hs({"sub": "1"}))


def test_other_errors_come_first():
    # An expired revoked token reports the expiry: the deny-list is consulted last.
    with pytest.raises(ExpiredSignatureError):
        verifier({"a"}).verify(hs({"jti": "a", "exp": 1}))


def test_deny_list_errors_propagate():
    def broken(jti):
        raise ConnectionError("revocation store unreachable")

    with pytest.raises(ConnectionError, match="unreachable"):
        verifier(broken).verify(hs({"jti": "a"}))


@pytest.mark.parametrize("bad", [1, object(), 2.5])
def test_deny_list_must_be_callable_or_container(bad):
    with pytest.raises(TypeError, match="deny_jti"):
        verifier(bad)


def test_no_deny_list_by_default():
    v = cyjose.Verifier(SECRET, algorithms=["HS256"])
    assert v.verify(hs({"jti": "a"})) == {"jti": "a"}
    assert cyjose.decode(hs({"jti": "a"}), SECRET, algorithms=["HS256"]) == {"jti": "a"}
