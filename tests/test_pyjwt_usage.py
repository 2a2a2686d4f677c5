"""PyJWT's documented usage, written the way a PyJWT user writes it, run against cyjose.

Each test follows a section of PyJWT 2.15's documentation ("Usage Examples", the
algorithms page, the FAQ and the API reference) with ``import cyjose as jwt`` in
place of ``import jwt``. Expected values come from the documentation itself, from
PyJWT run side by side (imported as ``pyjwt``), or from the primitives (``hmac``,
``hashlib``, ``base64``), never from cyjose.

JWK / JWKS usage (``PyJWK``, ``PyJWKSet``, ``PyJWKClient``) lives in
``test_pyjwt_usage_jwk.py``.
"""

from __future__ import annotations

import base64
import calendar
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
import uuid
import warnings
import zlib
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Callable, Dict, Tuple

import jwt as pyjwt
import pytest
import sample_keys as keys
from cryptography import x509
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
from jwt import help as pyjwt_help

import cyjose as jwt  # noqa: F811 - the point of this module: PyJWT code, cyjose underneath
import cyjose._speedups
import cyjose.algorithms
import cyjose.api_jws
import cyjose.api_jwt
import cyjose.help

SECRET = "a-32-byte-long-secret-for-hs256!"  # long enough: no InsecureKeyLengthWarning


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def raised(call: Callable[[], Any]) -> Tuple[str, str]:
    """Class name and message of the exception ``call`` raises."""
    with pytest.raises(Exception) as info:
        call()
    return type(info.value).__name__, str(info.value)


def pem_private(key: Any, fmt: Any = serialization.PrivateFormat.TraditionalOpenSSL,
                password: bytes = b"") -> bytes:
    encryption = (serialization.BestAvailableEncryption(password) if password
                  else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM, fmt, encryption)


def pem_public(key: Any) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


# --- Encoding & decoding with HS256 ------------------------------------------------------

# The first example of PyJWT's documentation and the token it shows.
DOC_TOKEN = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzb21lIjoicGF5bG9hZCJ9.4twFt5NiznN84AWoo1d7KO1T_yoc0Z6XOpOVswacPZg"


def test_hs256_documented_example():
    key = "secret"
    with pytest.warns(jwt.InsecureKeyLengthWarning):  # the docs' 6-byte key is short
        encoded = jwt.encode({"some": "payload"}, key, algorithm="HS256")
    assert encoded == DOC_TOKEN
    with pytest.warns(jwt.InsecureKeyLengthWarning):
        assert jwt.decode(encoded, key, algorithms="HS256") == {"some": "payload"}


def test_hs256_round_trip_and_same_token_as_pyjwt():
    payload = {"some": "payload", "n": 1, "nested": {"list": [1, 2.5, None, True]}, "text": "é€😀"}
    encoded = jwt.encode(payload, SECRET, algorithm="HS256")
    assert isinstance(encoded, str)
    assert encoded == pyjwt.encode(payload, SECRET, algorithm="HS256")
    assert jwt.decode(encoded, SECRET, algorithms=["HS256"]) == payload
    assert jwt.decode(encoded.encode("ascii"), SECRET, algorithms=["HS256"]) == payload  # bytes too


def test_default_algorithm_is_hs256():
    encoded = jwt.encode({"some": "payload"}, SECRET)
    assert jwt.get_unverified_header(encoded)["alg"] == "HS256"
    assert encoded == pyjwt.encode({"some": "payload"}, SECRET)


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_hmac_signature_is_rfc7515(alg):
    secret = keys.secret(alg)
    encoded = jwt.encode({"sub": "1"}, secret, algorithm=alg)
    signing_input, _, signature = encoded.rpartition(".")
    digest = getattr(hashlib, f"sha{alg[2:]}")
    assert b64url_decode(signature) == hmac.new(secret, signing_input.encode(), digest).digest()


def test_algorithms_page_hs512_example_and_allow_list():
    """"Specifying an Algorithm": a token outside the allow-list is refused."""
    with pytest.warns(jwt.InsecureKeyLengthWarning):
        encoded = jwt.encode({"some": "payload"}, "secret", algorithm="HS512")
    assert encoded == ("eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJzb21lIjoicGF5bG9hZCJ9.WTzLzFO079PduJiFIyzrOah54YaM8qoxH9"
                       "fLMQoQhKtw3_fMGjImIOokijDkXVbyfBqhMo2GCNu4w9v7UXvnpA")
    with pytest.warns(jwt.InsecureKeyLengthWarning):
        assert jwt.decode(encoded, "secret", algorithms=["HS512", "HS256"]) == {"some": "payload"}
    with pytest.raises(jwt.InvalidAlgorithmError):
        jwt.decode(encoded, "secret", algorithms=["HS256", "HS384"])


# --- RS256, PS256, EdDSA, ES256 with PEM keys and cryptography objects ----------------------


def test_rs256_with_traditional_pem_bytes():
    private = keys.private("RS256")
    private_key, public_key = pem_private(private), pem_public(private)
    assert private_key.startswith(b"-----BEGIN RSA PRIVATE KEY-----")
    encoded = jwt.encode({"some": "payload"}, private_key, algorithm="RS256")
    assert jwt.decode(encoded, public_key, algorithms=["RS256"]) == {"some": "payload"}
    # RSASSA-PKCS1-v1_5 is deterministic: PyJWT signs the very same token
    assert encoded == pyjwt.encode({"some": "payload"}, private_key, algorithm="RS256")


def test_rs256_with_passphrase_protected_key_object():
    """"If your private key needs a passphrase, pass in a PrivateKey object from cryptography"."""
    pem_bytes = pem_private(keys.private("RS256"), password=b"abc123")
    private_key = serialization.load_pem_private_key(pem_bytes, password=b"abc123", backend=default_backend())
    encoded = jwt.encode({"some": "payload"}, private_key, algorithm="RS256")
    assert pyjwt.decode(encoded, private_key.public_key(), algorithms=["RS256"]) == {"some": "payload"}
    assert jwt.decode(encoded, private_key.public_key(), algorithms=["RS256"]) == {"some": "payload"}


def test_encrypted_pem_without_passphrase_is_an_invalid_key():
    """PyJWT lets cryptography's TypeError through here; cyjose raises InvalidKeyError (README)."""
    pem_bytes = pem_private(keys.private("RS256"), password=b"abc123")
    with pytest.raises(jwt.InvalidKeyError) as info:
        jwt.encode({"some": "payload"}, pem_bytes, algorithm="RS256")
    assert "abc123" not in str(info.value) and "PRIVATE KEY" not in str(info.value)


def test_ps256_with_str_pem_keys():
    private = keys.private("PS256")
    private_key = pem_private(private).decode("ascii")  # the docs pass str here
    public_key = pem_public(private).decode("ascii")
    encoded = jwt.encode({"some": "payload"}, private_key, algorithm="PS256")
    assert jwt.decode(encoded, public_key, algorithms=["PS256"]) == {"some": "payload"}
    assert pyjwt.decode(encoded, public_key, algorithms=["PS256"]) == {"some": "payload"}


@pytest.mark.parametrize("variant", ["", "ed448"])
def test_eddsa_with_str_pem_keys(variant):
    private = keys.private("EdDSA", variant)
    private_key = pem_private(private, serialization.PrivateFormat.PKCS8).decode("ascii")
    public_key = pem_public(private).decode("ascii")
    encoded = jwt.encode({"some": "payload"}, private_key, algorithm="EdDSA")
    assert jwt.decode(encoded, public_key, algorithms=["EdDSA"]) == {"some": "payload"}
    assert encoded == pyjwt.encode({"some": "payload"}, private_key, algorithm="EdDSA")  # EdDSA is deterministic


@pytest.mark.parametrize("alg", ["ES256", "ES256K", "ES384", "ES512"])
def test_ecdsa_with_ec_private_key_pem(alg):
    private = keys.private(alg)
    private_key, public_key = pem_private(private), pem_public(private)
    assert private_key.startswith(b"-----BEGIN EC PRIVATE KEY-----")
    encoded = jwt.encode({"some": "payload"}, private_key, algorithm=alg)
    assert jwt.decode(encoded, public_key, algorithms=[alg]) == {"some": "payload"}
    assert pyjwt.decode(encoded, public_key, algorithms=[alg]) == {"some": "payload"}
    theirs = pyjwt.encode({"some": "payload"}, private_key, algorithm=alg)
    assert jwt.decode(theirs, public_key, algorithms=[alg]) == {"some": "payload"}


@pytest.mark.parametrize("alg", keys.ASYMMETRIC_ALGS)
def test_cryptography_key_objects(alg):
    encoded = jwt.encode({"sub": "x"}, keys.private(alg), algorithm=alg)
    assert jwt.decode(encoded, keys.public(alg), algorithms=[alg]) == {"sub": "x"}
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(encoded, keys.public(alg, "other"), algorithms=[alg])


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_openssh_public_key(alg):
    """The algorithms page: RSA keys "in PEM or SSH format"."""
    encoded = jwt.encode({"sub": "x"}, keys.private_pem(alg), algorithm=alg)
    assert jwt.decode(encoded, keys.public_ssh(alg), algorithms=[alg]) == {"sub": "x"}


def test_faq_public_key_from_x509_certificate():
    """FAQ: "How can I extract a public / private key from a x509 certificate?"."""
    private = keys.private("RS256")
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "issuer.example")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(private.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(datetime.now(timezone.utc) - timedelta(days=1))
            .not_valid_after(datetime.now(timezone.utc) + timedelta(days=1))
            .sign(private, hashes.SHA256()))
    cert_str = cert.public_bytes(serialization.Encoding.PEM).decode()
    encoded = jwt.encode({"some": "payload"}, private, algorithm="RS256")

    cert_obj = x509.load_pem_x509_certificate(cert_str.encode(), default_backend())
    public_key = cert_obj.public_key()
    assert jwt.decode(encoded, public_key, algorithms=["RS256"]) == {"some": "payload"}


# --- headers ------------------------------------------------------------------------------

KID = "230498151c214b788dd97f22b85410a5"


def test_additional_headers_documented_token():
    with pytest.warns(jwt.InsecureKeyLengthWarning):
        encoded = jwt.encode({"some": "payload"}, "secret", algorithm="HS256", headers={"kid": KID})
    assert encoded == ("eyJhbGciOiJIUzI1NiIsImtpZCI6IjIzMDQ5ODE1MWMyMTRiNzg4ZGQ5N2YyMmI4NTQxMGE1IiwidHlwIjoiSldUIn0"
                       ".eyJzb21lIjoicGF5bG9hZCJ9.0n16c-shKKnw6gervyk1Dge35tvzbzQ_KCV3H3bgoJ0")
    assert jwt.get_unverified_header(encoded) == {"alg": "HS256", "kid": KID, "typ": "JWT"}


def test_typ_header_can_be_removed():
    encoded = jwt.encode({"some": "payload"}, SECRET, algorithm="HS256", headers={"typ": None})
    assert encoded.startswith("eyJhbGciOiJIUzI1NiJ9.eyJzb21lIjoicGF5bG9hZCJ9.")
    assert jwt.get_unverified_header(encoded) == {"alg": "HS256"}


def test_header_alg_wins_and_sort_headers():
    headers = {"kid": "k1", "alg": "HS512", "cty": "example"}
    encoded = jwt.encode({"a": 1}, keys.secret("HS512"), algorithm="HS256", headers=headers, sort_headers=False)
    assert encoded == pyjwt.encode({"a": 1}, keys.secret("HS512"), algorithm="HS256", headers=headers,
                                   sort_headers=False)
    header_json = b64url_decode(encoded.split(".")[0])
    assert list(json.loads(header_json)) == ["typ", "alg", "kid", "cty"]
    assert jwt.decode(encoded, keys.secret("HS512"), algorithms=["HS512"]) == {"a": 1}


# --- reading without validation ------------------------------------------------------------


def test_reading_the_claimset_without_validation():
    now = int(time.time())
    expired = jwt.encode({"some": "payload", "exp": now - 60, "aud": "elsewhere"}, SECRET)
    assert jwt.decode(expired, options={"verify_signature": False}) == {
        "some": "payload", "exp": now - 60, "aud": "elsewhere"}


def test_reading_headers_without_validation():
    encoded = jwt.encode({"some": "payload"}, SECRET, algorithm="HS256", headers={"kid": KID})
    tampered = encoded[:-2] + ("AA" if not encoded.endswith("AA") else "BB")
    assert jwt.get_unverified_header(tampered) == {"alg": "HS256", "kid": KID, "typ": "JWT"}
    with pytest.raises(jwt.DecodeError):
        jwt.get_unverified_header("not a token")


def test_decode_complete_returns_header_payload_signature():
    encoded = jwt.encode({"some": "payload"}, SECRET, algorithm="HS256", headers={"kid": KID})
    decoded = jwt.decode_complete(encoded, SECRET, algorithms=["HS256"])
    assert decoded["header"] == {"alg": "HS256", "kid": KID, "typ": "JWT"}
    assert decoded["payload"] == {"some": "payload"}
    assert decoded["signature"] == b64url_decode(encoded.split(".")[2])
    assert cyjose.api_jwt.decode_complete(encoded, SECRET, algorithms=["HS256"]) == decoded


# --- registered claim names ------------------------------------------------------------------


def test_exp_as_int_and_as_datetime():
    aware = datetime.now(tz=timezone.utc) + timedelta(hours=1)
    naive = datetime(2040, 1, 2, 3, 4, 5)  # naive datetimes are read as UTC
    for exp, expected in [(1371720939, 1371720939), (aware, calendar.timegm(aware.utctimetuple())),
                          (naive, calendar.timegm(naive.utctimetuple()))]:
        token = jwt.encode({"exp": exp}, SECRET)
        assert jwt.decode(token, options={"verify_signature": False}) == {"exp": expected}
        assert token == pyjwt.encode({"exp": exp}, SECRET)


def test_expired_token_raises_expired_signature_error():
    now = int(time.time())
    token = jwt.encode({"exp": datetime.now(tz=timezone.utc) - timedelta(seconds=30)}, SECRET)
    try:
        jwt.decode(token, SECRET, algorithms=["HS256"])
    except jwt.ExpiredSignatureError as exc:
        assert str(exc) == "Signature has expired"
    else:
        pytest.fail("expired token accepted")
    assert jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": False})["exp"] < now


@pytest.mark.parametrize("leeway", [60, timedelta(seconds=60)], ids=["int", "timedelta"])
def test_exp_with_leeway(leeway):
    token = jwt.encode({"exp": datetime.now(tz=timezone.utc) - timedelta(seconds=5)}, SECRET)
    assert "exp" in jwt.decode(token, SECRET, leeway=leeway, algorithms=["HS256"])
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(token, SECRET, leeway=1, algorithms=["HS256"])


@pytest.mark.parametrize("leeway", [60, timedelta(minutes=1)], ids=["int", "timedelta"])
def test_nbf_with_and_without_leeway(leeway):
    token = jwt.encode({"nbf": datetime.now(tz=timezone.utc) + timedelta(seconds=5)}, SECRET)
    with pytest.raises(jwt.ImmatureSignatureError) as info:
        jwt.decode(token, SECRET, algorithms=["HS256"])
    assert str(info.value) == "The token is not yet valid (nbf)"
    assert "nbf" in jwt.decode(token, SECRET, leeway=leeway, algorithms=["HS256"])
    assert "nbf" in jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_nbf": False})


def test_iss_single_and_several():
    token = jwt.encode({"some": "payload", "iss": "urn:foo"}, SECRET)
    assert jwt.decode(token, SECRET, issuer="urn:foo", algorithms=["HS256"])["iss"] == "urn:foo"
    assert jwt.decode(token, SECRET, issuer=["urn:bar", "urn:foo"], algorithms=["HS256"])["iss"] == "urn:foo"
    try:
        jwt.decode(token, SECRET, issuer="urn:invalid", algorithms=["HS256"])
    except jwt.InvalidIssuerError as exc:
        assert str(exc) == "Invalid issuer"
    else:
        pytest.fail("wrong issuer accepted")
    assert jwt.decode(token, SECRET, issuer="urn:invalid", algorithms=["HS256"], options={"verify_iss": False})


def test_missing_iss_when_an_issuer_is_expected():
    token = jwt.encode({"some": "payload"}, SECRET)
    with pytest.raises(jwt.MissingRequiredClaimError) as info:
        jwt.decode(token, SECRET, issuer="urn:foo", algorithms=["HS256"])
    assert info.value.claim == "iss"


def test_aud_documented_cases():
    token = jwt.encode({"some": "payload", "aud": ["urn:foo", "urn:bar"]}, SECRET)
    assert jwt.decode(token, SECRET, audience="urn:foo", algorithms=["HS256"])
    assert jwt.decode(token, SECRET, audience="urn:bar", algorithms=["HS256"])
    single = jwt.encode({"some": "payload", "aud": "urn:foo"}, SECRET)
    assert jwt.decode(single, SECRET, audience="urn:foo", algorithms=["HS256"])
    assert jwt.decode(single, SECRET, audience=["urn:foo", "urn:bar"], algorithms=["HS256"])
    try:
        jwt.decode(single, SECRET, audience=["urn:invalid"], algorithms=["HS256"])
    except jwt.InvalidAudienceError as exc:
        assert str(exc) == "Audience doesn't match"
    else:
        pytest.fail("wrong audience accepted")


def test_aud_present_but_no_audience_expected():
    token = jwt.encode({"aud": "urn:foo"}, SECRET)
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(token, SECRET, algorithms=["HS256"])
    assert jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_aud": False}) == {"aud": "urn:foo"}


def test_strict_aud():
    single = jwt.encode({"aud": "urn:foo"}, SECRET)
    listed = jwt.encode({"aud": ["urn:foo"]}, SECRET)
    options = {"strict_aud": True}
    assert jwt.decode(single, SECRET, audience="urn:foo", options=options, algorithms=["HS256"])
    for token, audience in [(listed, "urn:foo"), (single, ["urn:foo"]), (single, "urn:bar")]:
        with pytest.raises(jwt.InvalidAudienceError) as info:
            jwt.decode(token, SECRET, audience=audience, options=options, algorithms=["HS256"])
        theirs = raised(lambda: pyjwt.decode(token, SECRET, audience=audience, options=options,
                                             algorithms=["HS256"]))
        assert ("InvalidAudienceError", str(info.value)) == theirs


def test_iat_documented_cases():
    now = int(time.time())
    for iat in (1371720939, datetime.now(tz=timezone.utc)):
        token = jwt.encode({"iat": iat}, SECRET)
        assert token == pyjwt.encode({"iat": iat}, SECRET)
        assert isinstance(jwt.decode(token, SECRET, algorithms=["HS256"])["iat"], int)
    not_a_number = jwt.encode({"iat": "yesterday"}, SECRET)
    with pytest.raises(jwt.InvalidIssuedAtError):
        jwt.decode(not_a_number, SECRET, algorithms=["HS256"])
    future = jwt.encode({"iat": now + 3600}, SECRET)
    with pytest.raises(jwt.ImmatureSignatureError):
        jwt.decode(future, SECRET, algorithms=["HS256"])
    assert jwt.decode(future, SECRET, algorithms=["HS256"], options={"verify_iat": False})


def test_sub_claim_and_subject_argument():
    token = jwt.encode({"some": "payload", "sub": "1234567890"}, SECRET)
    assert jwt.decode(token, SECRET, algorithms=["HS256"])["sub"] == "1234567890"
    assert jwt.decode(token, SECRET, subject="1234567890", algorithms=["HS256"])["sub"] == "1234567890"
    with pytest.raises(jwt.exceptions.InvalidSubjectError):
        jwt.decode(token, SECRET, subject="someone else", algorithms=["HS256"])
    with pytest.raises(jwt.exceptions.InvalidSubjectError):
        jwt.decode(jwt.encode({"sub": 1234567890}, SECRET), SECRET, algorithms=["HS256"])


def test_jti_claim():
    jti = str(uuid.uuid4())
    token = jwt.encode({"some": "payload", "jti": jti}, SECRET)
    assert jwt.decode(token, SECRET, algorithms=["HS256"])["jti"] == jti
    with pytest.raises(jwt.exceptions.InvalidJTIError):
        jwt.decode(jwt.encode({"jti": 7}, SECRET), SECRET, algorithms=["HS256"])
    assert jwt.decode(jwt.encode({"jti": 7}, SECRET), SECRET, algorithms=["HS256"],
                      options={"verify_jti": False}) == {"jti": 7}


def test_encode_refuses_a_non_string_issuer_and_a_non_dict_payload():
    for call in (lambda lib: lib.encode({"iss": 42}, SECRET), lambda lib: lib.encode(["a"], SECRET)):
        with pytest.raises(TypeError) as info:
            call(jwt)
        assert str(info.value) == raised(lambda: call(pyjwt))[1]


# --- options -------------------------------------------------------------------------------


def test_requiring_presence_of_claims():
    now = int(time.time())
    token = jwt.encode({"sub": "1234567890", "iat": 1371720939}, SECRET)
    try:
        jwt.decode(token, SECRET, options={"require": ["exp", "iss", "sub"]}, algorithms=["HS256"])
    except jwt.MissingRequiredClaimError as exc:
        assert str(exc) == 'Token is missing the "exp" claim'
        assert exc.claim == "exp"
    else:
        pytest.fail("missing claim accepted")
    full = jwt.encode({"sub": "s", "iss": "i", "exp": now + 60}, SECRET)
    assert jwt.decode(full, SECRET, options={"require": ["exp", "iss", "sub"]}, algorithms=["HS256"])


def test_verify_signature_false_turns_claim_checks_off_unless_asked():
    now = int(time.time())
    token = jwt.encode({"exp": now - 60, "aud": "x"}, "not-the-verifying-secret-but-long-enough")
    assert jwt.decode(token, options={"verify_signature": False})["exp"] == now - 60
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(token, options={"verify_signature": False, "verify_exp": True})


def test_instance_options():
    now = int(time.time())
    lenient = jwt.PyJWT(options={"verify_exp": False})
    token = jwt.encode({"exp": now - 60}, SECRET)
    assert lenient.decode(token, SECRET, algorithms=["HS256"]) == {"exp": now - 60}
    with pytest.raises(jwt.ExpiredSignatureError):
        lenient.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": True})
    assert lenient.options["verify_exp"] is False and lenient.options["verify_signature"] is True


def test_pyjwt_1_style_verify_false_fails_as_in_pyjwt_2():
    """``jwt.decode(token, verify=False)`` (PyJWT 1.x docs) warns and then needs ``algorithms``."""
    token = jwt.encode({"some": "payload"}, SECRET)
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        mine = raised(lambda: jwt.decode(token, verify=False))
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        reference = raised(lambda: pyjwt.decode(token, verify=False))
    assert mine == reference == ("DecodeError", mine[1])
    assert [(w.category, str(w.message)) for w in ours] == [(w.category, str(w.message)) for w in theirs]
    assert ours and ours[0].category is DeprecationWarning


def test_unknown_keyword_arguments_warn():
    token = jwt.encode({"some": "payload"}, SECRET)
    with pytest.warns(jwt.warnings.RemovedInPyjwt3Warning, match="Unsupported kwargs: \\('verify_expiration',\\)"):
        assert jwt.decode(token, SECRET, algorithms=["HS256"], verify_expiration=False) == {"some": "payload"}


# --- key length ----------------------------------------------------------------------------


def test_short_hmac_key_warns_like_pyjwt():
    with pytest.warns(jwt.InsecureKeyLengthWarning) as ours:
        jwt.encode({"some": "payload"}, "short", algorithm="HS256")
    with pytest.warns(pyjwt.InsecureKeyLengthWarning) as theirs:
        pyjwt.encode({"some": "payload"}, "short", algorithm="HS256")
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]


def test_short_rsa_key_warns_like_pyjwt():
    small = keys.small_rsa()
    with pytest.warns(jwt.InsecureKeyLengthWarning) as ours:
        token = jwt.encode({"some": "payload"}, small, algorithm="RS256")
    with pytest.warns(pyjwt.InsecureKeyLengthWarning) as theirs:
        pyjwt.encode({"some": "payload"}, small, algorithm="RS256")
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]
    with pytest.warns(jwt.InsecureKeyLengthWarning):
        assert jwt.decode(token, small.public_key(), algorithms=["RS256"]) == {"some": "payload"}


def test_enforce_minimum_key_length():
    strict_jwt = jwt.PyJWT(options={"enforce_minimum_key_length": True})
    try:
        strict_jwt.encode({"some": "payload"}, "short", algorithm="HS256")
    except jwt.InvalidKeyError as exc:
        assert "below the minimum" in str(exc) and "short" not in str(exc)
    else:
        pytest.fail("short key accepted")
    strict_jws = jwt.PyJWS(options={"enforce_minimum_key_length": True})
    with pytest.raises(jwt.InvalidKeyError):
        strict_jws.encode(b"payload", "short", algorithm="HS256")
    assert strict_jwt.decode(strict_jwt.encode({"a": 1}, SECRET), SECRET, algorithms=["HS256"]) == {"a": 1}


def test_silencing_the_key_length_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", category=jwt.InsecureKeyLengthWarning)
        jwt.encode({"some": "payload"}, "short", algorithm="HS256")
    assert caught == []


# --- OIDC login flow: at_hash -----------------------------------------------------------------


@pytest.mark.parametrize("alg, digest", [("RS256", hashlib.sha256), ("ES384", hashlib.sha384),
                                         ("PS512", hashlib.sha512), ("HS256", hashlib.sha256)])
def test_oidc_at_hash(alg, digest):
    client_id, access_token = "my-client", "an-access-token-from-the-token-endpoint"
    expected_at_hash = b64url(digest(access_token.encode()).digest()[: digest().digest_size // 2])
    id_token = jwt.encode({"aud": client_id, "at_hash": expected_at_hash, "sub": "u1"}, keys.signing_key(alg),
                          algorithm=alg)

    # the documented flow
    data = jwt.decode_complete(id_token, key=keys.verifying_key(alg), audience=client_id, algorithms=[alg])
    payload, header = data["payload"], data["header"]
    alg_obj = jwt.get_algorithm_by_name(header["alg"])
    digest_bytes = alg_obj.compute_hash_digest(access_token.encode())
    at_hash = base64.urlsafe_b64encode(digest_bytes[: (len(digest_bytes) // 2)]).rstrip(b"=").decode()
    assert at_hash == payload["at_hash"]


def test_compute_hash_digest_without_a_hash():
    with pytest.raises(NotImplementedError):
        jwt.get_algorithm_by_name("EdDSA").compute_hash_digest(b"x")
    with pytest.raises(NotImplementedError):
        jwt.get_algorithm_by_name("no-such-alg")


# --- detached payload (RFC 7797) ----------------------------------------------------------------


def test_detached_payload_jws():
    content = b"bytes the token does not carry"
    token = cyjose.api_jws.encode(content, SECRET, algorithm="HS256", is_payload_detached=True)
    assert token == pyjwt.api_jws.encode(content, SECRET, algorithm="HS256", is_payload_detached=True)
    header_segment, payload_segment, signature = token.split(".")
    assert payload_segment == ""
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "b64": False, "crit": ["b64"], "typ": "JWT"}
    # RFC 7797: the payload is signed as is, after "<header>."
    expected = hmac.new(SECRET.encode(), header_segment.encode() + b"." + content, hashlib.sha256).digest()
    assert b64url_decode(signature) == expected
    assert cyjose.api_jws.decode(token, SECRET, algorithms=["HS256"], detached_payload=content) == content
    with pytest.raises(jwt.InvalidSignatureError):
        cyjose.api_jws.decode(token, SECRET, algorithms=["HS256"], detached_payload=content + b"!")
    mine = raised(lambda: cyjose.api_jws.decode(token, SECRET, algorithms=["HS256"]))
    assert mine == raised(lambda: pyjwt.api_jws.decode(token, SECRET, algorithms=["HS256"]))


def test_detached_payload_jwt():
    now = int(time.time())
    claims = {"sub": "1", "exp": now + 60}
    token = jwt.encode(claims, SECRET, headers={"b64": False})
    assert token == pyjwt.encode(claims, SECRET, headers={"b64": False})
    assert token.split(".")[1] == ""
    body = json.dumps(claims, separators=(",", ":")).encode()
    assert jwt.decode(token, SECRET, algorithms=["HS256"], detached_payload=body) == claims
    expired = jwt.encode({"exp": now - 60}, SECRET, headers={"b64": False})
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(expired, SECRET, algorithms=["HS256"], detached_payload=b'{"exp":%d}' % (now - 60))


# --- custom JSON encoder -------------------------------------------------------------------------


class AppJSONEncoder(json.JSONEncoder):
    """What an application typically adds: Decimal, UUID and dates as strings."""

    def default(self, o: Any) -> Any:
        if isinstance(o, (Decimal, uuid.UUID)):
            return str(o)
        if isinstance(o, date):
            return o.isoformat()
        return super().default(o)


def test_custom_json_encoder_for_payload_and_headers():
    request_id = uuid.UUID("12345678-1234-5678-1234-567812345678")
    payload = {"amount": Decimal("10.50"), "order": request_id, "day": date(2024, 2, 29)}
    headers = {"kid": "k1", "x-request": request_id}
    token = jwt.encode(payload, SECRET, algorithm="HS256", headers=headers, json_encoder=AppJSONEncoder)
    assert token == pyjwt.encode(payload, SECRET, algorithm="HS256", headers=headers, json_encoder=AppJSONEncoder)
    assert jwt.decode(token, SECRET, algorithms=["HS256"]) == {
        "amount": "10.50", "order": str(request_id), "day": "2024-02-29"}
    assert jwt.get_unverified_header(token)["x-request"] == str(request_id)
    with pytest.raises(TypeError):  # without the encoder json refuses, as with PyJWT
        jwt.encode(payload, SECRET)


# --- PyJWT subclass hooks: _encode_payload / _decode_payload ----------------------------------------


def compressing(base: type) -> type:
    """The same subclass code a PyJWT user writes, built on ``base`` (cyjose's or PyJWT's PyJWT)."""

    class CompressedJWT(base):  # type: ignore[misc, valid-type]
        def _encode_payload(self, payload: Dict[str, Any], headers: Any = None, json_encoder: Any = None) -> bytes:
            raw = json.dumps(payload, separators=(",", ":"), cls=json_encoder).encode("utf-8")
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw deflate, as pako.deflateRaw
            return compressor.compress(raw) + compressor.flush()

        def _decode_payload(self, decoded: Dict[str, Any]) -> Any:
            return json.loads(zlib.decompress(decoded["payload"], wbits=-15).decode("utf-8"))

    return CompressedJWT


def test_subclass_hooks_compress_the_payload():
    now = int(time.time())
    claims = {"sub": "user", "roles": ["reader"] * 50, "exp": now + 60}
    ours, theirs = compressing(jwt.PyJWT)(), compressing(pyjwt.PyJWT)()
    token = ours.encode(claims, SECRET, algorithm="HS256")
    assert token == theirs.encode(claims, SECRET, algorithm="HS256")
    assert len(token) < len(jwt.encode(claims, SECRET))
    body = b64url_decode(token.split(".")[1])
    assert json.loads(zlib.decompress(body, wbits=-15)) == claims
    assert ours.decode(token, SECRET, algorithms=["HS256"]) == claims
    assert ours.decode_complete(token, SECRET, algorithms=["HS256"])["payload"] == claims
    assert theirs.decode(token, SECRET, algorithms=["HS256"]) == claims


def test_subclass_hooks_keep_every_check():
    now = int(time.time())
    ours = compressing(jwt.PyJWT)()
    expired = ours.encode({"exp": now - 60}, SECRET)
    with pytest.raises(jwt.ExpiredSignatureError):
        ours.decode(expired, SECRET, algorithms=["HS256"])
    token = ours.encode({"aud": "api"}, SECRET)
    with pytest.raises(jwt.InvalidAudienceError):
        ours.decode(token, SECRET, algorithms=["HS256"], audience="other")
    with pytest.raises(jwt.InvalidSignatureError):
        ours.decode(token, "another-secret-that-is-long-enough!", algorithms=["HS256"])
    with pytest.raises(jwt.DecodeError):
        ours.decode(token, SECRET)  # algorithms are still required


def test_decode_payload_hook_reads_an_external_token():
    """Only ``_decode_payload`` overridden, for a token compressed elsewhere (e.g. pako in a browser)."""

    class CompressedPyJWT(jwt.PyJWT):
        def _decode_payload(self, decoded: Dict[str, Any]) -> Any:
            return json.loads(zlib.decompress(decoded["payload"], wbits=-15).decode("utf-8"))

    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = compressor.compress(b'{"hello": "world"}') + compressor.flush()
    signing_input = b64url(b'{"alg": "HS256", "typ": "JWT"}') + "." + b64url(body)
    signature = hmac.new(SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    token = signing_input + "." + b64url(signature)
    decoded = CompressedPyJWT().decode_complete(token, SECRET, algorithms=["HS256"])
    assert decoded == {"header": {"alg": "HS256", "typ": "JWT"}, "payload": {"hello": "world"},
                       "signature": signature}


# --- registering algorithms ------------------------------------------------------------------------


def blake2b_mac(base: Any) -> Any:
    """A user-defined algorithm: keyed BLAKE2b-256, written against ``base.algorithms.Algorithm``."""

    class Blake2bMAC(base.algorithms.Algorithm):
        def prepare_key(self, key: Any) -> bytes:
            return key.encode() if isinstance(key, str) else key

        def sign(self, msg: bytes, key: bytes) -> bytes:
            return hashlib.blake2b(msg, key=key, digest_size=32).digest()

        def verify(self, msg: bytes, key: bytes, sig: bytes) -> bool:
            return hmac.compare_digest(self.sign(msg, key), sig)

    return Blake2bMAC()


def test_register_algorithm_globally():
    jwt.register_algorithm("B2B", blake2b_mac(jwt))
    try:
        token = jwt.encode({"some": "payload"}, SECRET, algorithm="B2B")
        signing_input, _, signature = token.rpartition(".")
        assert b64url_decode(signature) == hashlib.blake2b(signing_input.encode(), key=SECRET.encode(),
                                                           digest_size=32).digest()
        assert jwt.decode(token, SECRET, algorithms=["B2B"]) == {"some": "payload"}
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(token, SECRET + "x", algorithms=["B2B"])
        assert "B2B" in cyjose.api_jws._jws_global_obj.get_algorithms()
        with pytest.raises(ValueError, match="Algorithm already has a handler."):
            jwt.register_algorithm("B2B", blake2b_mac(jwt))
    finally:
        jwt.unregister_algorithm("B2B")
    with pytest.raises(jwt.InvalidAlgorithmError, match="Algorithm not supported"):
        jwt.decode(token, SECRET, algorithms=["B2B"])
    with pytest.raises(NotImplementedError):
        jwt.encode({"some": "payload"}, SECRET, algorithm="B2B")
    with pytest.raises(KeyError):
        jwt.unregister_algorithm("B2B")


def test_register_algorithm_needs_an_algorithm():
    with pytest.raises(TypeError, match="Object is not of type `Algorithm`"):
        jwt.register_algorithm("B2B", object())


def test_registration_on_an_instance_stays_there():
    jws = jwt.PyJWS()
    jws.register_algorithm("B2B", blake2b_mac(jwt))
    token = jws.encode(b"raw", SECRET, algorithm="B2B")
    assert jws.decode(token, SECRET, algorithms=["B2B"]) == b"raw"
    with pytest.raises(jwt.InvalidAlgorithmError):
        jwt.decode(token, SECRET, algorithms=["B2B"])


def test_pyjws_restricted_to_some_algorithms():
    jws = jwt.PyJWS(algorithms=["HS256"])
    assert jws.get_algorithms() == ["HS256"]
    with pytest.raises(NotImplementedError):
        jws.encode(b"raw", keys.private("RS256"), algorithm="RS256")


def test_unregister_then_register_a_builtin():
    """The old docs' recipe: swap the handler of a built-in name."""
    jws = jwt.PyJWS()
    jws.unregister_algorithm("RS256")
    jws.register_algorithm("RS256", jwt.algorithms.RSAAlgorithm(jwt.algorithms.RSAAlgorithm.SHA256))
    token = jws.encode(b"raw", keys.private("RS256"), algorithm="RS256")
    assert pyjwt.api_jws.decode(token, keys.public("RS256"), algorithms=["RS256"]) == b"raw"


# --- typed exceptions -------------------------------------------------------------------------------

GOOD = jwt.encode({"some": "payload"}, SECRET)

FAILURES = {
    "wrong key": lambda lib: lib.decode(GOOD, "another-secret-that-is-long-enough!", algorithms=["HS256"]),
    "garbage": lambda lib: lib.decode("not a token", SECRET, algorithms=["HS256"]),
    "alg not allowed": lambda lib: lib.decode(GOOD, SECRET, algorithms=["HS512"]),
    "no algorithms": lambda lib: lib.decode(GOOD, SECRET),
    "bad base64": lambda lib: lib.decode("a.b!.c", SECRET, algorithms=["HS256"]),
    "wrong key type": lambda lib: lib.decode(GOOD, keys.public_pem("RS256"), algorithms=["HS256"]),
    "alg none": lambda lib: lib.decode(lib.encode({"a": 1}, None, algorithm=None), None, algorithms=["none"]),
}


@pytest.mark.parametrize("case", sorted(FAILURES))
def test_same_exception_and_message_as_pyjwt(case):
    mine = raised(lambda: FAILURES[case](jwt))
    assert mine == raised(lambda: FAILURES[case](pyjwt))
    exception = getattr(jwt.exceptions, mine[0])
    assert issubclass(exception, jwt.PyJWTError)


def test_catching_by_base_class():
    for case, call in FAILURES.items():
        try:
            call(jwt)
        except jwt.InvalidKeyError:
            assert case == "wrong key type"
        except jwt.InvalidTokenError:
            pass
    assert issubclass(jwt.InvalidSignatureError, jwt.DecodeError)
    assert issubclass(jwt.ExpiredSignatureError, jwt.exceptions.InvalidTokenError)
    assert issubclass(jwt.InvalidKeyError, jwt.PyJWTError)
    assert not issubclass(jwt.InvalidKeyError, jwt.InvalidTokenError)


# --- jwt.utils after a bare import ---------------------------------------------------------------


def test_utils_after_a_bare_import():
    """``import jwt`` makes ``jwt.utils`` usable without importing it; so must ``import cyjose as jwt``."""
    script = ("import cyjose as jwt\n"
              "print(jwt.utils.base64url_encode(b'\\xfb\\xff').decode(), jwt.utils.base64url_decode('-_8'),\n"
              "      jwt.utils.to_base64url_uint(65537).decode(), jwt.utils.from_base64url_uint('AQAB'))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["-_8", repr(b"\xfb\xff"), "AQAB", "65537"]


# --- python -m cyjose.help (like python -m jwt.help) ----------------------------------------------


def _run_help(**env: str) -> Dict[str, Any]:
    # The child sees this process's CYJOSE_* flags (the CI leg's), unless the test sets its own:
    # then only those (CYJOSE_NO_EXTENSIONS with an inherited CYJOSE_REQUIRE_EXTENSIONS would be
    # an ImportError).
    inherited = {name: value for name, value in os.environ.items() if not (env and name.startswith("CYJOSE_"))}
    out = subprocess.run([sys.executable, "-m", "cyjose.help"], capture_output=True, text=True, check=True,
                         env={**inherited, **env}).stdout
    return json.loads(out)


def test_help_has_the_shape_of_jwt_help():
    ours, theirs = _run_help(), pyjwt_help.info()
    assert set(theirs) - {"pyjwt"} <= set(ours)
    for section in ("platform", "implementation", "cryptography"):
        assert ours[section] == theirs[section]
    assert "pyjwt" not in ours  # cyjose reports itself, not a PyJWT that may not be installed


def test_help_reports_cyjose_and_its_twins():
    report = _run_help()
    assert report == cyjose.help.info()  # same environment, same facts
    assert report["cyjose"]["version"] == jwt.__version__
    assert report["cyjose"]["native"] is jwt.NATIVE
    assert set(report["cyjose"]["twins"]) == set(cyjose._speedups.HOT_MODULES)
    assert report["cryptography"]["version"] == cyjose.help.cryptography_version


def test_help_without_extensions():
    report = _run_help(CYJOSE_NO_EXTENSIONS="1")["cyjose"]
    assert report["native"] is False
    assert set(report["twins"].values()) == {"python"}
    assert report["libcrypto"] == ""


def test_help_main_prints_sorted_json(capsys):
    cyjose.help.main()
    printed = capsys.readouterr().out
    assert json.loads(printed) == cyjose.help.info()
    top_level = [line.split('"')[1] for line in printed.splitlines() if line.startswith('  "')]
    assert top_level == sorted(top_level) and len(top_level) == len(cyjose.help.info())
