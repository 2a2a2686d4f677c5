"""pytest-benchmark smoke runs of the hot paths, both twins (review-time regression check).

Deselected in the normal test run (``-m 'not bench'`` in the pytest
addopts); run them with::

    python -m pytest -m bench                      # every hot path, both twins
    python -m pytest -m bench --benchmark-compare  # against the last --benchmark-autosave

Needs pytest-benchmark (in the ``bench`` extra); skipped without it. Each test
checks the result once, outside the timing, and asserts nothing about time:
timings belong in benchmark reports, not in test outcomes.
"""

from __future__ import annotations

import time

import pytest

pytest.importorskip("pytest_benchmark")

from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

import cyjose  # noqa: E402

pytestmark = pytest.mark.bench

SECRET = "s" * 64
AUDIENCE, ISSUER = "https://api.example.com", "https://issuer.example.com"
NOW = int(time.time())
CLAIMS = {"sub": "user-42", "aud": AUDIENCE, "iss": ISSUER, "iat": NOW, "exp": NOW + 86400}


@pytest.fixture(scope="module")
def rsa_pair():
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public_pem


@pytest.fixture(scope="module")
def hs_token() -> str:
    return cyjose.encode(CLAIMS, SECRET, algorithm="HS256")


@pytest.fixture(scope="module")
def rs_token(rsa_pair) -> str:
    return cyjose.encode(CLAIMS, rsa_pair[0], algorithm="RS256")


# ---------------------------------------------------------------- twins (both parametrized)


def test_b64url_decode(benchmark, b64url, hs_token):
    segment = hs_token.split(".")[1].encode()
    assert b64url.b64url_decode(segment).startswith(b"{")
    benchmark(b64url.b64url_decode, segment)


def test_split_jws(benchmark, compact, hs_token):
    assert len(compact.split_jws(hs_token)) == 4
    benchmark(compact.split_jws, hs_token)


def test_hmac_key_verify(benchmark, hmac_twin, hs_token):
    key = hmac_twin.HmacKey(SECRET.encode(), "sha256")
    head, body, sig = hs_token.encode().split(b".")
    signing_input = head + b"." + body
    mac = key.sign(signing_input)
    assert key.verify(signing_input, mac)
    benchmark(key.verify, signing_input, mac)


def test_check_claims(benchmark, claims):
    rules = claims.ClaimRules(audience=AUDIENCE, issuer=ISSUER)
    payload = dict(CLAIMS)
    now = time.time()
    claims.check_claims(payload, rules, now)  # raises on failure
    benchmark(claims.check_claims, payload, rules, now)


# ---------------------------------------------------------------- public API (the live twin)


def test_verifier_verify_hs256(benchmark, hs_token):
    verify = cyjose.Verifier(SECRET, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER).verify
    assert verify(hs_token)["sub"] == "user-42"
    benchmark(verify, hs_token)


def test_verifier_verify_rs256(benchmark, rsa_pair, rs_token):
    verify = cyjose.Verifier(rsa_pair[1], algorithms=["RS256"], audience=AUDIENCE, issuer=ISSUER).verify
    assert verify(rs_token)["sub"] == "user-42"
    benchmark(verify, rs_token)


def test_decode_hs256(benchmark, hs_token):
    def decode():
        return cyjose.decode(hs_token, SECRET, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER)

    assert decode()["sub"] == "user-42"
    benchmark(decode)
