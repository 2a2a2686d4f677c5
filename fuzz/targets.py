"""The fuzz targets: each takes the fuzzer's bytes and raises only when a contract breaks.

Contracts checked on every input:

* only :mod:`cyjose.exceptions` escape (a KeyError, TypeError, RecursionError...
  is a finding);
* hot modules are differential: the compiled twin gives the same result, or
  raises the same class with the same message, as the Python twin;
* a forged token never verifies (one byte changed in a valid token), a
  correctly signed token never fails its signature check, and the APIs that
  promise the same answer give it (``decode`` / ``decode_complete`` /
  ``Verifier.verify`` with and without its cache).

Structured inputs: the first byte picks a shape (raw token, token text, parts
to base64url-encode, a token the harness signs, a signed token with one byte
flipped, ...) so the fuzzer gets past splitting and signature checks.
``TARGETS`` maps each name to ``(target, seeds)``.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from typing import Any, Callable, Dict, List, NamedTuple, Tuple, Union

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from harness import (
    HS_SECRET,
    SEP,
    Finding,
    b64,
    canonical_header,
    ec_key,
    ed_key,
    fields,
    flip,
    flip_by,
    json_or_none,
    jws_token,
    outcome,
    pick,
    rsa_key,
    same,
    sign,
    twins,
    verify_key,
)

import cyjose
from cyjose import jwe, jws
from cyjose.exceptions import InvalidSignatureError
from cyjose.limits import Limits

# --- sample inputs the seeds are made of -----------------------------------------------------

PAYLOADS = (
    b'{"sub":"fuzz","iss":"fuzz-iss","aud":"fuzz-aud","exp":9999999999,"iat":1700000000,"nbf":1700000000}',
    b'{"aud":["x","fuzz-aud"],"iss":"fuzz-iss","exp":1e300,"jti":"j-1"}',
    b'{"exp":true,"nbf":"1","iat":NaN,"sub":7,"jti":[]}',
    b'{"n":123456789012345678901234567890,"f":-0.0,"u":"\\u00e9\\ud83d\\ude00"}',
    b'\xef\xbb\xbf{"bom":1}',
    b'{"exp":1' + b"0" * 400 + b',"nbf":-1' + b"0" * 400 + b',"iat":-1e999}',  # beyond float range
    b'{"a":' * 40 + b"1" + b"}" * 40,
    b"{}", b"[]", b'"text"', b"",
)
HEADERS = (
    b'{"alg":"HS256","typ":"JWT"}', b'{"alg":"none"}', b'{"alg":"HS256","crit":["b64"],"b64":false}',
    b'{"alg":"ES256","kid":"../../etc/passwd"}', b'{"alg":"RS256","alg":"HS256"}',
    b'{"alg":"HS256","jwk":{"kty":"oct","k":"AA"}}', b'{"alg":"ES256","kid":"e"}', b'{"alg":"RS256","kid":"r"}',
)


def _with_selectors(count: int, bodies: List[bytes]) -> List[bytes]:
    return [bytes((selector,)) + body for selector in range(count) for body in bodies]


# --- compact JWS tokens: shapes shared by decode and Verifier ---------------------------------

TOKEN_ALGS = ("HS256", "ES256", "RS256")
TOKEN_MODES = ("raw", "text", "parts", "signed", "canonical", "forged")


class TokenCase(NamedTuple):
    token: Union[bytes, str]
    alg: str
    mode: str


def token_case(data: bytes) -> TokenCase:
    """Shape ``data`` into a token; byte 0 picks the mode and the algorithm."""
    selector, rest = (data[0], data[1:]) if data else (0, b"")
    mode = pick(selector, TOKEN_MODES)
    alg = pick(selector // len(TOKEN_MODES), TOKEN_ALGS)
    return TokenCase(_shape_token(mode, alg, rest), alg, mode)


def _shape_token(mode: str, alg: str, rest: bytes) -> Union[bytes, str]:
    if mode == "raw":
        return rest
    if mode == "text":
        return rest.decode("latin-1")
    if mode == "parts":
        return b".".join(b64(part) for part in fields(rest, 3))
    if mode == "signed":
        header, payload = fields(rest, 2)
        return jws_token(header, payload, alg)
    if mode == "canonical":
        return jws_token(canonical_header(alg), rest, alg)
    return flip_by(jws_token(canonical_header(alg), rest[3:], alg), rest)  # forged


def check_case(case: TokenCase, result: Tuple[Any, ...]) -> None:
    """The signature contracts of a token shape, given what verifying it did."""
    if case.mode == "forged" and result[0] == "ok":
        raise Finding(f"a forged token verified: {case.token!r}")
    if case.mode == "canonical" and result[0] == "raise" and issubclass(result[1], InvalidSignatureError):
        raise Finding(f"a correctly signed token failed its signature check: {result!r}")


def token_seeds() -> List[bytes]:
    bodies = [SEP.join((header, payload)) for header in HEADERS for payload in PAYLOADS[:4]]
    bodies += list(PAYLOADS) + [b"\x00\x00\x00" + payload for payload in PAYLOADS[:2]]
    return _with_selectors(len(TOKEN_MODES) * len(TOKEN_ALGS), bodies)


# --- the API targets ----------------------------------------------------------------------


def _payload_of(result: Tuple[Any, ...]) -> Tuple[Any, ...]:
    return ("ok", result[1]["payload"]) if result[0] == "ok" else result


def fuzz_decode(data: bytes) -> None:
    """cyjose.decode / decode_complete / get_unverified_header on every token shape."""
    case = token_case(data)
    key = verify_key(case.alg)
    payload = outcome(cyjose.decode, case.token, key, algorithms=[case.alg])
    complete = outcome(cyjose.decode_complete, case.token, key, algorithms=[case.alg])
    if _payload_of(complete) != payload:
        raise Finding(f"decode and decode_complete disagree: {payload!r} vs {complete!r}")
    check_case(case, payload)
    outcome(cyjose.decode, case.token, options={"verify_signature": False})
    outcome(cyjose.get_unverified_header, case.token)


#: Claim rules of the Verifier target: none, and audience + issuer + required exp + leeway.
VERIFIER_RULES: Tuple[Dict[str, Any], ...] = (
    {}, {"audience": "fuzz-aud", "issuer": "fuzz-iss", "leeway": 30, "options": {"require": ["exp"]}},
)


@functools.cache
def _verifiers(alg: str, rules: int) -> Tuple[cyjose.Verifier, cyjose.Verifier]:
    """A Verifier without and one with the verified-token cache (built once per process)."""
    key, kwargs = verify_key(alg), VERIFIER_RULES[rules]
    return cyjose.Verifier(key, [alg], **kwargs), cyjose.Verifier(key, [alg], cache_size=64, **kwargs)


def fuzz_verifier(data: bytes) -> None:
    """Verifier.verify (HS256/ES256/RS256, with and without cache) answers exactly as decode."""
    rules = data[0] % len(VERIFIER_RULES) if data else 0
    case = token_case(data[1:])
    expected = outcome(cyjose.decode, case.token, verify_key(case.alg), algorithms=[case.alg],
                       **VERIFIER_RULES[rules])
    check_case(case, expected)
    plain, cached = _verifiers(case.alg, rules)
    for verifier in (plain, cached, cached):  # the second cached call may be a cache hit
        got = outcome(verifier.verify, case.token)
        if got != expected:
            raise Finding(f"Verifier.verify {got!r} but decode {expected!r}")


@functools.cache
def _key_set_verifiers() -> Tuple[cyjose.Verifier, cyjose.Verifier]:
    """Verifiers (without, with cache) over a JWK set: the ES256 key "e" and the RS256 key "r"."""
    from cyjose.algorithms import ECAlgorithm, RSAAlgorithm

    members = [{**ECAlgorithm.to_jwk(ec_key().public_key(), as_dict=True), "kid": "e", "alg": "ES256"},
               {**RSAAlgorithm.to_jwk(rsa_key().public_key(), as_dict=True), "kid": "r", "alg": "RS256"}]
    key_set = cyjose.PyJWKSet.from_dict({"keys": members})
    return (cyjose.Verifier(key_set, ["ES256", "RS256"]),
            cyjose.Verifier(key_set, ["ES256", "RS256"], cache_size=64))


def fuzz_verifier_jwks(data: bytes) -> None:
    """A Verifier over a JWK set (kid and alg selection): forgeries fail, the cache changes nothing."""
    case = token_case(data)
    plain, cached = _key_set_verifiers()
    expected = outcome(plain.verify, case.token)
    if case.alg != "HS256":  # the set holds no HMAC key: a harness-signed HS256 token is no valid token
        check_case(case, expected)
    elif expected[0] == "ok":
        raise Finding(f"a key set without HMAC keys verified an HS256 token: {case.token!r}")
    for _ in (1, 2):  # the second call may be a cache hit
        got = outcome(cached.verify, case.token)
        if got != expected:
            raise Finding(f"cached Verifier over a key set {got!r}, uncached {expected!r}")


def verifier_seeds() -> List[bytes]:
    return _with_selectors(len(VERIFIER_RULES), token_seeds())


# --- JWE -------------------------------------------------------------------------------------

KEY16, KEY32 = bytes(range(16)), bytes(range(32))


class JweCase(NamedTuple):
    alg: str
    enc: str
    encrypt_key: Callable[[], Any]
    decrypt_key: Callable[[], Any]


JWE_CASES = (
    JweCase("dir", "A256GCM", lambda: KEY32, lambda: KEY32),
    JweCase("dir", "A128CBC-HS256", lambda: KEY32, lambda: KEY32),
    JweCase("dir", "A256CBC-HS512", lambda: KEY32 * 2, lambda: KEY32 * 2),
    JweCase("A128KW", "A128CBC-HS256", lambda: KEY16, lambda: KEY16),
    JweCase("RSA-OAEP-256", "A128GCM", lambda: rsa_key().public_key(), rsa_key),
    JweCase("ECDH-ES", "A256GCM", lambda: ec_key().public_key(), ec_key),
    JweCase("ECDH-ES+A128KW", "A192GCM", lambda: ec_key().public_key(), ec_key),
    JweCase("PBES2-HS256+A128KW", "A128GCM", lambda: b"fuzz password", lambda: b"fuzz password"),
)
JWE_MODES = ("raw", "text", "parts", "valid", "forged")
#: What every decrypt call accepts; small limits keep each execution fast.
DECRYPT_ARGS: Dict[str, Any] = {
    "algorithms": sorted(jwe.KEY_ALGORITHMS - {"RSA1_5"}), "encryptions": sorted(jwe.CONTENT_ALGORITHMS),
    "zips": ("DEF",), "limits": Limits(max_pbes2_count=2000, max_decompressed_bytes=1 << 16),
}


def _encrypt(case: JweCase, plaintext: bytes, compress: bool) -> bytes:
    headers = {"p2c": 1000} if case.alg.startswith("PBES2") else None
    return jwe.encrypt(plaintext, case.encrypt_key(), case.alg, case.enc, headers=headers,
                       zip="DEF" if compress else None).encode()


def fuzz_jwe(data: bytes) -> None:
    """cyjose.jwe.decrypt: contract on every shape; valid tokens round-trip, flipped ones fail."""
    selector, rest = (data[0], data[1:]) if data else (0, b"")
    mode, case = pick(selector, JWE_MODES), pick(selector // len(JWE_MODES), JWE_CASES)
    token: Union[bytes, str]
    if mode in ("raw", "text"):
        token = rest if mode == "raw" else rest.decode("latin-1")
    elif mode == "parts":
        token = b".".join([b64(part) for part in fields(rest, 5)])
    else:
        token = _encrypt(case, rest[3:], compress=bool(selector & 0x80))
        if mode == "forged":
            token = flip_by(token, rest)
    result = outcome(jwe.decrypt, token, case.decrypt_key(), **DECRYPT_ARGS)
    if mode == "valid" and result != ("ok", rest[3:]):
        raise Finding(f"a valid JWE did not decrypt to its plaintext: {result!r}")
    if mode == "forged" and result[0] == "ok":
        raise Finding(f"a JWE with one byte changed decrypted: {token!r}")


def jwe_seeds() -> List[bytes]:
    bodies = [b"\x01\x00\x10" + payload for payload in PAYLOADS[:3]]
    bodies += [SEP.join((b'{"alg":"dir","enc":"A256GCM"}', b"", b"i" * 12, b"c", b"t" * 16)),
               SEP.join((b'{"alg":"PBES2-HS256+A128KW","enc":"A128GCM","p2s":"AAAAAAAAAAA","p2c":1}',
                         b"k" * 24, b"i" * 12, b"c", b"t" * 16))]
    return [bytes((selector | high,)) + body for selector in range(len(JWE_MODES) * len(JWE_CASES))
            for high in (0, 0x80) for body in bodies]


JSON_MODES = ("raw", "text", "object", "valid", "forged")


def _json_input(mode: str, rest: bytes) -> Any:
    """The raw shapes of a JSON serialization: bytes, str, or the stdlib's parsed object."""
    if mode == "raw":
        return rest
    if mode == "text":
        return rest.decode("utf-8", "replace")
    parsed = json_or_none(rest)
    return parsed if isinstance(parsed, dict) else rest


def _jwe_json_message(rest: bytes) -> Tuple[Dict[str, Any], bytes, bytes]:
    """An encrypted message for two recipients: ``(object, plaintext, aad)`` from fuzz bytes."""
    plaintext, aad = fields(rest, 2)
    recipients = [jwe.JWERecipient(KEY16, "A128KW", {"kid": "k1"}),
                  jwe.JWERecipient(rsa_key().public_key(), "RSA-OAEP-256", {"kid": "k2"})]
    obj = jwe.encrypt_json(plaintext, recipients, "A128GCM", aad=aad or None, unprotected={"cty": "x"})
    return obj, plaintext, aad


def fuzz_jwe_json(data: bytes) -> None:
    """cyjose.jwe.decrypt_json: contract; a changed message never yields other authenticated data."""
    selector, rest = (data[0], data[1:]) if data else (0, b"")
    mode, key = pick(selector, JSON_MODES), pick(selector // len(JSON_MODES), (KEY16, rsa_key()))
    if mode not in ("valid", "forged"):
        outcome(jwe.decrypt_json, _json_input(mode, rest), key, **DECRYPT_ARGS)
        return
    obj, plaintext, aad = _jwe_json_message(rest[3:])
    text = json.dumps(obj).encode()
    if mode == "forged":
        text = flip_by(text, rest)
    result = outcome(jwe.decrypt_json, text, key, **DECRYPT_ARGS)
    if mode == "valid" and result[0] != "ok":
        raise Finding(f"a valid JWE JSON message did not decrypt: {result!r}")
    if result[0] == "ok" and (result[1]["plaintext"], result[1]["aad"] or b"") != (plaintext, aad):
        raise Finding(f"a changed JWE JSON message decrypted to other data: {text!r}")


def json_seeds(messages: List[bytes]) -> List[bytes]:
    bodies = messages + [b"\x01\x00\x10" + payload for payload in PAYLOADS[:3]]
    return _with_selectors(len(JSON_MODES) * 2, bodies)


def jwe_json_seeds() -> List[bytes]:
    obj, _, _ = _jwe_json_message(SEP.join((b"plain", b"aad")))
    return json_seeds([json.dumps(obj).encode(), b'{"protected":"e30","ciphertext":"","iv":"","tag":""}'])


def _jws_json_message(payload: bytes, flattened: bool) -> Dict[str, Any]:
    signers = [jws.JWSSigner(HS_SECRET, "HS256", {"kid": "h"}, {"x": 1})]
    if not flattened:
        signers.append(jws.JWSSigner(ec_key(), "ES256", {"kid": "e"}))
    return jws.sign_json(payload, signers, flattened=flattened)


def fuzz_jws_json(data: bytes) -> None:
    """cyjose.jws.verify_json: contract; a changed message never verifies with other signed data."""
    selector, rest = (data[0], data[1:]) if data else (0, b"")
    mode = pick(selector, JSON_MODES)
    alg = pick(selector // len(JSON_MODES), ("HS256", "ES256"))
    if mode not in ("valid", "forged"):
        outcome(jws.verify_json, _json_input(mode, rest), verify_key(alg), [alg])
        return
    text = json.dumps(_jws_json_message(rest[3:], flattened=alg == "HS256" and bool(selector & 0x80))).encode()
    reference = outcome(jws.verify_json, text, verify_key(alg), [alg])
    if reference[0] != "ok":
        raise Finding(f"a valid JWS JSON message did not verify: {reference!r}")
    if mode == "forged":
        text = flip_by(text, rest)
        result = outcome(jws.verify_json, text, verify_key(alg), [alg])
        if result[0] == "ok" and _signed_parts(result[1]) != _signed_parts(reference[1]):
            raise Finding(f"a changed JWS JSON message verified with other signed data: {text!r}")


def _signed_parts(verified: Dict[str, Any]) -> Any:
    return verified["payload"], [sig["protected"] for sig in verified["signatures"] if sig["verified"]]


def jws_json_seeds() -> List[bytes]:
    messages = [json.dumps(_jws_json_message(b'{"sub":"x"}', flattened)).encode() for flattened in (False, True)]
    return json_seeds(messages + [b'{"payload":"e30","protected":"eyJhbGciOiJIUzI1NiJ9","signature":""}'])


# --- JWK -------------------------------------------------------------------------------------


def fuzz_jwk(data: bytes) -> None:
    """PyJWK / PyJWKSet from JSON text and from parsed dicts; a key that loads is then used."""
    text = data.decode("utf-8", "replace")
    loaded = [outcome(cyjose.PyJWK.from_json, text), outcome(cyjose.PyJWKSet.from_json, text)]
    obj = json_or_none(data)
    if isinstance(obj, dict):
        loaded += [outcome(cyjose.PyJWK, obj), outcome(cyjose.PyJWKSet.from_dict, obj)]
    for kind, *value in loaded:
        if kind == "ok" and isinstance(value[0], cyjose.PyJWK):
            outcome(cyjose.decode, _JWK_PROBE, value[0])
            outcome(cyjose.Verifier, value[0])


_JWK_PROBE = jws_token(canonical_header("HS256"), PAYLOADS[0], "HS256")


def jwk_seeds() -> List[bytes]:
    from cyjose.algorithms import ECAlgorithm, HMACAlgorithm, OKPAlgorithm, RSAAlgorithm

    keys = [RSAAlgorithm.to_jwk(rsa_key()), RSAAlgorithm.to_jwk(rsa_key().public_key()),
            ECAlgorithm.to_jwk(ec_key()), OKPAlgorithm.to_jwk(ed_key()), HMACAlgorithm.to_jwk(HS_SECRET)]
    sets = [json.dumps({"keys": [json.loads(key) for key in keys]})]
    return [text.encode() for text in keys + sets] + [b'{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}']


# --- key material and content encryption ------------------------------------------------------

KEY_ALGS = ("HS256", "RS256", "PS256", "ES256", "EdDSA")


@functools.cache
def _key_probe(alg: str) -> bytes:
    """A token the harness signed for ``alg`` (EdDSA with Ed25519), to verify with fuzzed keys."""
    signing_input = b64(json.dumps({"alg": alg}).encode()) + b"." + b64(PAYLOADS[0])
    if alg in ("HS256", "RS256", "ES256"):
        signature = sign(alg, signing_input)
    elif alg == "EdDSA":
        signature = ed_key().sign(signing_input)
    else:
        signature = rsa_key().sign(signing_input, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
    return signing_input + b"." + b64(signature)


def fuzz_keys(data: bytes) -> None:
    """Fuzzed key material (PEM, OpenSSH, DER, JWK text, secrets) in Verifier, decode and encode."""
    selector, rest = (data[0], data[1:]) if data else (0, b"")
    alg = pick(selector, KEY_ALGS)
    key: Union[bytes, str] = rest.decode("utf-8", "replace") if selector & 0x80 else rest
    outcome(cyjose.Verifier, key, [alg])
    outcome(cyjose.decode, _key_probe(alg), key, algorithms=[alg])
    outcome(cyjose.encode, {"sub": "fuzz"}, key, algorithm=alg)


def keys_seeds() -> List[bytes]:
    from cryptography.hazmat.primitives import serialization as ser

    private = (ser.Encoding.PEM, ser.PrivateFormat.PKCS8)
    public = (ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo)
    material = [HS_SECRET, rsa_key().public_key().public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo)]
    for key in (rsa_key(), ec_key(), ed_key()):
        material += [key.private_bytes(*private, ser.NoEncryption()), key.public_key().public_bytes(*public),
                     key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.OpenSSH, ser.NoEncryption()),
                     key.public_key().public_bytes(ser.Encoding.OpenSSH, ser.PublicFormat.OpenSSH)]
    material.append(b'{"kty":"oct","k":"AAAA"}')
    return [bytes((selector,)) + item for selector in range(len(KEY_ALGS)) for item in material]


def fuzz_jwe_content(data: bytes) -> None:
    """Every JWE ``enc`` decrypts fuzzed CEK/IV/ciphertext/tag/AAD with only JWEDecryptionError,
    round-trips what it encrypts, and refuses a flipped tag."""
    from cyjose.jwe._content import CONTENT_ENCRYPTIONS

    selector, rest = (data[0], data[1:]) if data else (0, b"")
    content = pick(selector, sorted(CONTENT_ENCRYPTIONS.items()))[1]
    cek, iv, ciphertext, tag, aad = fields(rest, 5)
    outcome(content.decrypt, cek, iv, ciphertext, tag, aad)
    key = (cek * content.key_size)[: content.key_size] or bytes(content.key_size)
    iv, sealed, tag = content.encrypt(key, ciphertext, aad)
    if outcome(content.decrypt, key, iv, sealed, tag, aad) != ("ok", ciphertext):
        raise Finding(f"{content.name} did not round-trip")
    if outcome(content.decrypt, key, iv, sealed, flip(tag, selector, selector), aad)[0] == "ok":
        raise Finding(f"{content.name} accepted a changed tag")


def jwe_content_seeds() -> List[bytes]:
    return [bytes((selector,)) + SEP.join((KEY32, b"i" * 12, b"plain", b"t" * 16, b"aad")) for selector in range(6)]


# --- the hot modules, differential -------------------------------------------------------------


def fuzz_b64url(data: bytes) -> None:
    """_b64url: decode/encode agree between twins; decode(encode(x)) == x."""
    python, compiled = twins("b64url")
    same(lambda twin: twin.b64url_decode(data, "segment"), python, compiled)
    encoded = same(lambda twin: twin.b64url_encode(data), python, compiled)[2]
    if python.b64url_decode(encoded) != data:
        raise Finding(f"b64url round trip lost {data!r}")


def fuzz_compact(data: bytes) -> None:
    """_compact split_jws/split_jwe on bytes and text agree between twins and lose nothing."""
    python, compiled = twins("compact")
    for token in (data, data.decode("latin-1")):
        split = same(lambda twin: twin.split_jws(token), python, compiled)
        same(lambda twin: twin.split_jwe(token), python, compiled)
        if split[0] == "ok":
            signing_input, header, payload, signature = split[2]
            if (signing_input + b"." + signature, header + b"." + payload) != (data, signing_input):
                raise Finding(f"split_jws lost bytes of {data!r}")


def fuzz_json(data: bytes) -> None:
    """_json.loads_object, loads_unique and check_depth agree between twins (value and type,
    or class and message), at the default depth limit and at a small one byte 1 picks."""
    python, compiled = twins("json")
    what = "header" if data[:1] == b"h" else "payload"
    depth = 1 + data[1] % 8 if len(data) > 1 else 1
    same(lambda twin: twin.loads_object(data, what), python, compiled)
    same(lambda twin: twin.loads_unique(data, what), python, compiled)
    same(lambda twin: twin.loads_object(data, what, depth), python, compiled)
    same(lambda twin: twin.check_depth(data, what, depth), python, compiled)


EC_SIZES = (32, 48, 66)


def fuzz_ecdsa(data: bytes) -> None:
    """_ecdsa raw<->DER agree between twins; raw->DER is DER cryptography reads back the same."""
    python, compiled = twins("ecdsa")
    selector, rest = (data[0], data[1:]) if data else (0, b"")
    size = EC_SIZES[selector % 3] if selector < 192 else selector % 66 + 1
    same(lambda twin: twin.der_to_raw(rest, size), python, compiled)
    der = same(lambda twin: twin.raw_to_der(rest, size), python, compiled)
    if der[0] != "ok":
        return
    r, s = decode_dss_signature(der[2])
    if r.to_bytes(size, "big") + s.to_bytes(size, "big") != rest or python.der_to_raw(der[2], size) != rest:
        raise Finding(f"raw_to_der/der_to_raw round trip lost {rest!r}")


def ecdsa_seeds() -> List[bytes]:
    raw = sign("ES256", b"seed")
    r, s = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    return [b"\x00" + raw, b"\x00" + encode_dss_signature(r, s), b"\x01" + b"\x80" * 96, b"\xc0\x30\x00"]


CLAIM_NAMES = ("exp", "nbf", "iat", "iss", "aud", "sub", "jti")
AUDIENCES = (None, "a", ("a", "fuzz-aud"))
ISSUERS = (None, "i", ("i", "fuzz-iss"), frozenset({"fuzz-iss"}))
LEEWAYS = (0.0, 30.0, -5.0, 1e300)
NOWS = (1.7e9, 0.0, -1.0, 1e20, 9999999999.5)


def claim_rules(twin: Any, control: bytes) -> Any:
    """A ClaimRules of ``twin`` chosen by four control bytes."""
    flags, values, numbers, required = control.ljust(4, b"\x00")[:4]
    switches = ("verify_exp", "verify_nbf", "verify_iat", "verify_iss", "verify_aud", "verify_sub",
                "verify_jti", "strict_aud")
    return twin.ClaimRules(
        require=tuple(name for bit, name in enumerate(CLAIM_NAMES) if required >> bit & 1),
        audience=pick(values, AUDIENCES), issuer=pick(values // 3, ISSUERS), subject=pick(values // 12, (None, "s")),
        leeway=pick(numbers, LEEWAYS),
        **{name: bool(flags >> bit & 1) for bit, name in enumerate(switches)},
    )


def fuzz_claims(data: bytes) -> None:
    """_claims.check_claims agrees between twins on any JSON object, rules and time."""
    python, compiled = twins("claims")
    control, body = data[:4], data[4:]
    payload = json_or_none(body)
    if not isinstance(payload, dict):
        return
    now = pick(control[2] // 4 if len(control) > 2 else 0, NOWS)
    same(lambda twin: twin.check_claims(payload, claim_rules(twin, control), now), python, compiled)


def claims_seeds() -> List[bytes]:
    return [control + payload for control in (b"\xff\x07\x00\x00", b"\x7f\x23\x01\x7f", b"\xff\x01\x04\x01")
            for payload in PAYLOADS]


HMAC_HASHES = ("sha256", "sha384", "sha512", "md5", "")


def fuzz_hmac(data: bytes) -> None:
    """_hmac: HmacKey sign/verify and constant_time_equal agree between twins and with hmac."""
    python, compiled = twins("hmac")
    selector, rest = (data[0], data[1:]) if data else (0, b"")
    secret, msg, mac = fields(rest, 3)
    name = pick(selector, HMAC_HASHES)
    same(lambda twin: twin.constant_time_equal(msg, mac), python, compiled)
    signed = same(lambda twin: twin.HmacKey(secret, name).sign(msg), python, compiled)
    if signed[0] != "ok":
        return
    if signed[2] != hmac.new(secret, msg, getattr(hashlib, name)).digest():
        raise Finding("HmacKey.sign differs from the stdlib's HMAC")
    same(lambda twin: twin.HmacKey(secret, name).verify(msg, mac), python, compiled)
    for twin in filter(None, (python, compiled)):
        key = twin.HmacKey(secret, name)
        if not key.verify(msg, signed[2]) or key.verify(msg, flip(signed[2], selector, mac[:1][0] if mac else 1)):
            raise Finding(f"{twin.__name__}.HmacKey.verify accepts a wrong MAC or refuses the right one")


def hmac_seeds() -> List[bytes]:
    return [bytes((selector,)) + SEP.join((HS_SECRET, b"message", b"\x00" * 32)) for selector in range(5)]


def _python_hmac_verify(signing_input: bytes, signature: bytes) -> bool:
    """A verify callable that is not an HmacKey's: the compiled fast path's generic branch."""
    return hmac.compare_digest(hmac.new(HS_SECRET, signing_input, hashlib.sha256).digest(), signature)


@functools.cache
def _fast_paths(twin: Any) -> Tuple[Any, Any]:
    """Two TokenFastPaths of ``twin`` knowing the canonical HS256 header: HmacKey.verify, a function."""
    from cyjose._speedups.claims import ClaimRules
    from cyjose._speedups.hmac import HmacKey

    segment = b64(canonical_header("HS256"))
    paths = (twin.TokenFastPath(ClaimRules()), twin.TokenFastPath(ClaimRules(audience="fuzz-aud", leeway=30)))
    paths[0].remember(segment, {"alg": "HS256", "typ": "JWT"}, HmacKey(HS_SECRET, "sha256").verify)
    paths[1].remember(segment, {"alg": "HS256", "typ": "JWT"}, _python_hmac_verify)
    return paths


def fuzz_token(data: bytes) -> None:
    """_token.TokenFastPath verify/claims agree between twins (None, a result, or the same error)."""
    python, compiled = twins("token")
    case = token_case(data[1:])
    now = pick(data[0] if data else 0, (1.7e9, 1700000000, 1e20))
    for index in (0, 1):
        pair = _fast_paths(python)[index], compiled and _fast_paths(compiled)[index]
        result = same(lambda path: path.verify(case.token, now), *pair)
        same(lambda path: path.claims(case.token, now), *pair)
        if case.mode == "forged" and result[0] == "ok" and result[2] is not None:
            raise Finding(f"the fast path verified a forged token: {case.token!r}")


PKEY_CASES = (("ecdsa", "sha256"), ("pkcs1v15", "sha256"), ("pss", "sha256"), ("eddsa", None))


def _public_key(scheme: str) -> Any:
    return {"ecdsa": ec_key, "eddsa": ed_key}.get(scheme, rsa_key)().public_key()


def _real_signature(scheme: str, msg: bytes) -> bytes:
    """A valid signature of ``msg`` in the form PublicKeyVerifier takes (DER for ECDSA)."""
    if scheme == "ecdsa":
        return ec_key().sign(msg, ec.ECDSA(hashes.SHA256()))
    if scheme == "eddsa":
        return ed_key().sign(msg)
    pad = padding.PSS(padding.MGF1(hashes.SHA256()), 32) if scheme == "pss" else padding.PKCS1v15()
    return rsa_key().sign(msg, pad, hashes.SHA256())


@functools.cache
def _pkey_verifier(twin: Any, case: int) -> Any:
    scheme, hash_name = PKEY_CASES[case]
    return twin.PublicKeyVerifier(_public_key(scheme), scheme, hash_name)


def fuzz_pkey(data: bytes) -> None:
    """_pkey.PublicKeyVerifier agrees between twins; a real signature verifies in both."""
    python, compiled = twins("pkey")
    selector, rest = (data[0], data[1:]) if data else (0, b"")
    case = selector % len(PKEY_CASES)
    msg, sig = fields(rest, 2)
    same(lambda twin: _pkey_verifier(twin, case).verify(msg, sig), python, compiled)
    if selector & 0x80:  # a real signature (signing RSA is slow: only on half the inputs)
        real = _real_signature(PKEY_CASES[case][0], msg)
        if same(lambda twin: _pkey_verifier(twin, case).verify(msg, real), python, compiled) != ("ok", bool, True):
            raise Finding(f"a valid {PKEY_CASES[case][0]} signature did not verify")


def pkey_seeds() -> List[bytes]:
    return [bytes((selector,)) + SEP.join((b"msg", _real_signature(PKEY_CASES[selector % 4][0], b"msg")))
            for selector in (0, 1, 2, 3, 0x80, 0x81)]


def _plain_seeds(samples: Any) -> Callable[[], List[bytes]]:
    return lambda: [bytes(sample) for sample in samples]


#: name -> (target, seeds): every target ``python fuzz/run.py`` knows.
TARGETS: Dict[str, Tuple[Callable[[bytes], None], Callable[[], List[bytes]]]] = {
    "b64url": (fuzz_b64url, _plain_seeds([b"", b"QQ", b"QR", b"QUI=", b"QUJD", b"QQ==", b"-_8"])),
    "compact": (fuzz_compact, lambda: [b"a.b.c", b"a.b.c.d.e", b"..", b"a.b", "\u00e9.b.c".encode()]),
    "json": (fuzz_json, _plain_seeds(PAYLOADS + HEADERS)),
    "ecdsa": (fuzz_ecdsa, ecdsa_seeds),
    "claims": (fuzz_claims, claims_seeds),
    "hmac": (fuzz_hmac, hmac_seeds),
    "pkey": (fuzz_pkey, pkey_seeds),
    "token": (fuzz_token, lambda: _with_selectors(3, token_seeds())),
    "decode": (fuzz_decode, token_seeds),
    "verifier": (fuzz_verifier, verifier_seeds),
    "verifier_jwks": (fuzz_verifier_jwks, token_seeds),
    "jwe": (fuzz_jwe, jwe_seeds),
    "jwe_json": (fuzz_jwe_json, jwe_json_seeds),
    "jws_json": (fuzz_jws_json, jws_json_seeds),
    "jwk": (fuzz_jwk, jwk_seeds),
    "keys": (fuzz_keys, keys_seeds),
    "jwe_content": (fuzz_jwe_content, jwe_content_seeds),
}
