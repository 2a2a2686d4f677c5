"""The attack catalog: each test names a known attack on JOSE and its reference,
and asserts that cyjose refuses it with the right typed exception.

Every forged token is built by hand here (bytes, ``hmac``, ``cryptography``),
never by cyjose's own encoder, so the attack reaches the verifier exactly as
an attacker would send it. Where the refusal could be mistaken for an
unrelated failure, a positive control shows that the same construction with
the defended detail put right does verify. The suite runs once on the compiled
twins and once with ``CYJOSE_NO_EXTENSIONS=1``; these tests go through the
public API, so they cover whichever twins are loaded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.server
import json
import threading
import tracemalloc
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Dict, Iterator, List

import pytest
import sample_keys as keys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import NameOID

import cyjose
from cyjose import jwe
from cyjose.api_jwk import PyJWK, PyJWKSet
from cyjose.api_jws import PyJWS
from cyjose.exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidIssuedAtError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidTokenError,
    JWEDecryptionError,
    LimitExceededError,
    UnknownKeyError,
)

SECRET = keys.secret("HS256")

# Group orders (SEC 2): ECDSA r and s must lie in [1, n-1].
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
P521_N = int("1" + "f" * 64 + "fa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409", 16)


# ---------------------------------------------------------------- helpers


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def seg(value: Any) -> str:
    """One base64url segment of ``value`` (raw bytes as given, else compact JSON)."""
    return b64(value if isinstance(value, bytes) else json.dumps(value, separators=(",", ":")).encode())


def hs256(header: Any, payload: Any, key: bytes = SECRET) -> str:
    """A token over the given header/payload (dict or raw JSON bytes), MACed by hand."""
    signing_input = f"{seg(header)}.{seg(payload)}"
    return f"{signing_input}.{b64(hmac.new(key, signing_input.encode(), hashlib.sha256).digest())}"


def signed(alg: str, private_key: Any, header: Dict[str, Any], payload: Dict[str, Any]) -> str:
    """A token signed with ``cryptography`` directly (RS256 / ES256 raw r||s)."""
    signing_input = f"{seg(dict(header, alg=alg))}.{seg(payload)}".encode()
    if alg == "RS256":
        sig = private_key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    else:
        r, s = decode_dss_signature(private_key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return f"{signing_input.decode()}.{b64(sig)}"


def verify_hs256_everywhere(token: str) -> List[Callable[[], Any]]:
    """The three verification entry points, each bound to ``token`` and the real secret."""
    return [
        lambda: cyjose.decode(token, SECRET, algorithms=["HS256"]),
        lambda: cyjose.Verifier(SECRET, algorithms=["HS256"]).verify(token),
        lambda: PyJWS().decode(token, SECRET, algorithms=["HS256"]),
    ]


ENTRY_POINTS = ["decode", "Verifier", "PyJWS"]


# ---------------------------------------------------------------- alg: none


@pytest.mark.parametrize("entry", range(3), ids=ENTRY_POINTS)
@pytest.mark.parametrize("signature", ["", "forged"], ids=["unsigned", "with-signature"])
@pytest.mark.parametrize("spelling", ["none", "None", "NONE", "nOnE"])
def test_alg_none(spelling: str, signature: str, entry: int) -> None:
    """alg "none" (any case) -- "Critical vulnerabilities in JSON Web Token libraries"
    (Tim McLean, 2015); RFC 8725 section 3.1. A verifier expecting HS256 must refuse it."""
    sig = b64(hmac.new(SECRET, b"x", hashlib.sha256).digest()) if signature else ""
    token = f"{seg({'alg': spelling, 'typ': 'JWT'})}.{seg({'sub': 'admin'})}.{sig}"
    with pytest.raises(InvalidAlgorithmError):
        verify_hs256_everywhere(token)[entry]()


@pytest.mark.parametrize("spelling", ["None", "NONE", "nOnE"])
def test_alg_none_variant_spellings_are_not_algorithms(spelling: str) -> None:
    """alg "none" case variants -- RFC 7518 section 3.6 (only the exact name "none" is
    the unsecured algorithm): listing a variant spelling must not make it one."""
    token = f"{seg({'alg': spelling})}.{seg({'sub': 'admin'})}."
    with pytest.raises(InvalidAlgorithmError):
        cyjose.decode(token, None, algorithms=[spelling])


def test_alg_none_listed_with_a_key() -> None:
    """alg "none" with a key supplied -- McLean 2015: even a caller who lists "none"
    by mistake next to a real key gets no unsigned token through."""
    token = f"{seg({'alg': 'none'})}.{seg({'sub': 'admin'})}."
    with pytest.raises(InvalidKeyError):
        cyjose.decode(token, SECRET, algorithms=["none"])


# ---------------------------------------------------------------- algorithm confusion


def _key_forms(alg: str) -> Dict[str, bytes]:
    """The public key of ``alg`` in every text/binary form an application may hold."""
    public = keys.public(alg)
    jwk = json.loads(cyjose.algorithms.get_default_algorithms()[alg].to_jwk(public))
    return {
        "pem": keys.public_pem(alg),
        "openssh": keys.public_ssh(alg),
        "openssh-padded": b"\n" + keys.public_ssh(alg) + b"\n",  # as read from a file
        "der": public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo),
        "jwk": json.dumps(jwk).encode(),
        "jwks": json.dumps({"keys": [jwk]}).encode(),
        "x509-pem": _certificate(keys.private(alg), public).public_bytes(serialization.Encoding.PEM),
        "x509-der": _certificate(keys.private(alg), public).public_bytes(serialization.Encoding.DER),
    }


def _certificate(private_key: Any, public_key: Any) -> x509.Certificate:
    """A self-signed certificate for ``public_key`` (signed by ``private_key``)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "attack-catalog")])
    now = datetime.now(timezone.utc)
    builder = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(public_key)
        .serial_number(1).not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
    )
    hash_alg = None if "Ed" in type(private_key).__name__ else hashes.SHA256()
    return builder.sign(private_key, hash_alg)


_BINARY_FORMS = ("der", "x509-der")  # no str form
CONFUSION_CASES = [(alg, form, as_text) for alg in ("RS256", "ES256", "EdDSA")
                   for form in ("pem", "openssh", "openssh-padded", "der", "jwk", "jwks", "x509-pem", "x509-der")
                   for as_text in (False, True) if not (as_text and form in _BINARY_FORMS)]


@pytest.mark.parametrize(("alg", "form", "as_text"), CONFUSION_CASES)
def test_algorithm_confusion_public_key_as_hmac_secret(alg: str, form: str, as_text: bool) -> None:
    """Algorithm confusion (RS/ES/EdDSA -> HS256) -- McLean 2015, CVE-2016-10555;
    RFC 8725 section 2.1: the attacker MACs a token with the server's *public* key.
    Refused at key preparation, whatever form the public key is held in."""
    key: Any = _key_forms(alg)[form]
    if as_text:
        key = key.decode("ascii")
    raw = key.encode() if isinstance(key, str) else key
    token = hs256({"alg": "HS256", "typ": "JWT"}, {"sub": "admin"}, raw)
    with pytest.raises(InvalidKeyError):
        cyjose.decode(token, key, algorithms=["HS256", alg])
    with pytest.raises(InvalidKeyError):
        cyjose.Verifier(key, algorithms=["HS256"]).verify(token)
    with pytest.raises(InvalidKeyError):
        PyJWS().decode(token, key, algorithms=["HS256"])


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_algorithm_confusion_jwk_dict_as_hmac_secret(alg: str) -> None:
    """Algorithm confusion with a parsed JWK dict -- RFC 8725 section 2.1: a dict is
    never an HMAC secret (the JWK must be loaded as a PyJWK)."""
    jwk = json.loads(cyjose.algorithms.get_default_algorithms()[alg].to_jwk(keys.public(alg)))
    token = hs256({"alg": "HS256"}, {"sub": "admin"}, json.dumps(jwk).encode())
    with pytest.raises(InvalidKeyError):
        cyjose.decode(token, jwk, algorithms=["HS256"])


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_algorithm_confusion_key_object_with_hs256(alg: str) -> None:
    """Algorithm confusion with a key object -- RFC 8725 section 2.1: an asymmetric
    public-key object is never usable as an HMAC key."""
    token = hs256({"alg": "HS256"}, {"sub": "admin"}, keys.public_pem(alg))
    with pytest.raises(InvalidKeyError):
        cyjose.decode(token, keys.public(alg), algorithms=["HS256"])


# ---------------------------------------------------------------- embedded keys


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: List[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        type(self).hits.append(self.path)
        body = json.dumps({"keys": [ATTACKER_JWK]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


ATTACKER = keys.private("RS256", "other")
ATTACKER_JWK = json.loads(cyjose.algorithms.get_default_algorithms()["RS256"].to_jwk(ATTACKER.public_key()))


@pytest.fixture()
def counting_server() -> Iterator[str]:
    """A 127.0.0.1 server that serves the attacker's JWKS and counts its requests."""
    _CountingHandler.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _verify_rs256_everywhere(token: str) -> None:
    """Each entry point with the *real* RS256 public key must refuse ``token``."""
    real = keys.public("RS256")
    with pytest.raises(InvalidSignatureError):
        cyjose.decode(token, real, algorithms=["RS256"])
    with pytest.raises(InvalidSignatureError):
        cyjose.Verifier(real, algorithms=["RS256"]).verify(token)
    with pytest.raises(InvalidSignatureError):
        PyJWS().decode(token, real, algorithms=["RS256"])


def test_embedded_jwk_header_is_not_trusted() -> None:
    """Embedded "jwk" header key injection -- CVE-2018-0114 (node-jose); RFC 7515
    section 4.1.3: a token signed by the attacker's key carried in its own header."""
    token = signed("RS256", ATTACKER, {"jwk": ATTACKER_JWK}, {"sub": "admin"})
    assert cyjose.decode(token, ATTACKER.public_key(), algorithms=["RS256"])["sub"] == "admin"  # well formed
    _verify_rs256_everywhere(token)


def test_embedded_x5c_header_is_not_trusted() -> None:
    """Embedded "x5c" certificate chain -- RFC 7515 section 4.1.6; RFC 8725 section 3.10:
    a self-signed attacker certificate in the header does not replace the real key."""
    cert = _certificate(ATTACKER, ATTACKER.public_key()).public_bytes(serialization.Encoding.DER)
    token = signed("RS256", ATTACKER, {"x5c": [base64.b64encode(cert).decode()]}, {"sub": "admin"})
    _verify_rs256_everywhere(token)


@pytest.mark.parametrize("member", ["jku", "x5u"])
def test_jku_x5u_are_never_fetched(member: str, counting_server: str) -> None:
    """"jku"/"x5u" header URL injection (SSRF and key substitution) -- RFC 7515 sections
    4.1.2 and 4.1.5; RFC 8725 section 3.10: the URL is neither fetched nor trusted."""
    token = signed("RS256", ATTACKER, {member: counting_server + "/keys.json", "kid": ATTACKER_JWK.get("kid", "a")},
                   {"sub": "admin"})
    _verify_rs256_everywhere(token)
    with pytest.raises(InvalidTokenError):
        cyjose.Verifier(PyJWKSet.from_dict({"keys": [dict(_REAL_JWK, kid="real")]}),
                        algorithms=["RS256"]).verify(token)
    assert _CountingHandler.hits == []


# ---------------------------------------------------------------- kid injection


_REAL_JWK = json.loads(cyjose.algorithms.get_default_algorithms()["RS256"].to_jwk(keys.public("RS256")))


@pytest.mark.parametrize("kid", [
    "../../../../etc/passwd", "/dev/null", "real/../real", "./real", "real\x00", "real' OR '1'='1",
    "' UNION SELECT 'secret' --", "real; DROP TABLE keys", "*", "%", "real ", "REAL", "",
])
def test_kid_injection_selects_no_key(kid: str) -> None:
    """"kid" path traversal / SQL injection -- RFC 8725 section 3.10 (do not trust
    received claims; kid injection): a kid matches only a key's exact kid in the set."""
    verifier = cyjose.Verifier(PyJWKSet.from_dict({"keys": [dict(_REAL_JWK, kid="real")]}), algorithms=["RS256"])
    private = keys.private("RS256")
    assert verifier.verify(signed("RS256", private, {"kid": "real"}, {"sub": "admin"}))["sub"] == "admin"
    with pytest.raises(UnknownKeyError):
        verifier.verify(signed("RS256", private, {"kid": kid}, {"sub": "admin"}))


# ---------------------------------------------------------------- crit


@pytest.mark.parametrize("crit", [["x-unknown"], ["exp"], ["alg"], ["b64"], [], "x-unknown", [1], [["x-unknown"]]])
def test_crit_unknown_or_malformed(crit: Any) -> None:
    """"crit" with unknown, registered, absent or malformed names -- RFC 7515 section
    4.1.11: a recipient that does not understand a critical extension must reject
    the JWS; a listed name must be present in the header ("b64" is not here)."""
    token = hs256({"alg": "HS256", "crit": crit, "x-unknown": 1}, {"sub": "admin"})
    for verify in verify_hs256_everywhere(token):
        with pytest.raises(InvalidTokenError):
            verify()


def test_crit_duplicated_names() -> None:
    """"crit" listing a name twice -- RFC 7515 section 4.1.11 ("crit" is a list of
    names; producers must not repeat one): refused even where each name is valid."""
    once = hs256({"alg": "HS256", "b64": True, "crit": ["b64"]}, {"sub": "admin"})
    twice = hs256({"alg": "HS256", "b64": True, "crit": ["b64", "b64"]}, {"sub": "admin"})
    for verify_once, verify_twice in zip(verify_hs256_everywhere(once), verify_hs256_everywhere(twice)):
        verify_once()
        with pytest.raises(InvalidTokenError, match="listed more than once"):
            verify_twice()


# ---------------------------------------------------------------- duplicate member names


_DUPLICATED_HEADERS = [
    b'{"alg":"none","alg":"HS256"}',  # a parser keeping the first sees "none"
    b'{"alg":"HS256","alg":"none"}',
    b'{"alg":"HS256","kid":"real","kid":"../../etc/passwd"}',
    b'{"alg":"HS256","x":{"a":1,"a":2}}',  # nested objects too
]


@pytest.mark.parametrize("header", _DUPLICATED_HEADERS)
def test_duplicate_header_member_names(header: bytes) -> None:
    """Duplicate JSON member names in the JOSE header -- RFC 7515 section 4 / RFC 7516
    section 4 (parsers must reject them or keep the last); "Parsing JSON is a
    Minefield" (parsers disagree on which one wins): cyjose rejects them, in every
    entry point, even on a correctly MACed token."""
    token = hs256(header, {"sub": "admin"})
    for verify in [*verify_hs256_everywhere(token), lambda: cyjose.get_unverified_header(token)]:
        with pytest.raises(DecodeError, match="duplicate member name"):
            verify()


@pytest.mark.parametrize("header", _DUPLICATED_HEADERS[:2])
def test_duplicate_jwe_header_member_names(header: bytes) -> None:
    """Duplicate member names in a JWE protected header (compact and JSON forms), and
    in a JWS/JWE JSON serialization's unprotected parts -- RFC 7516 section 4."""
    key = b"k" * 32
    good = jwe.encrypt(b"hello", key, "dir", "A256GCM")
    forged = seg(header.replace(b'"HS256"', b'"dir"').replace(b'"none"', b'"dir"')[:-1] + b',"enc":"A256GCM"}')
    token = ".".join([forged] + good.split(".")[1:])
    with pytest.raises(DecodeError, match="duplicate member name"):
        jwe.decrypt(token, key, ["dir"], ["A256GCM"])
    text = json.dumps(jwe.encrypt_json(b"hello", [jwe.JWERecipient(key, "dir")], "A256GCM"))
    repeated = text.replace('"iv":', '"unprotected":{"x":1,"x":2},"iv":', 1)
    with pytest.raises(DecodeError, match="duplicate member name 'x'"):
        jwe.decrypt_json(repeated, key, ["dir"], ["A256GCM"])
    signed_json = json.dumps(cyjose.jws.sign_json(b"hi", [cyjose.jws.JWSSigner(SECRET, "HS256")]))
    repeated = signed_json.replace('"signature":', '"header":{"kid":"a","kid":"b"},"signature":', 1)
    with pytest.raises(DecodeError, match="duplicate member name 'kid'"):
        cyjose.jws.verify_json(repeated, SECRET, ["HS256"])


# ---------------------------------------------------------------- ECDSA


def _es_parts(alg: str) -> Any:
    private = keys.private(alg)
    token = cyjose.encode({"sub": "admin"}, private, algorithm=alg)
    signing_input, sig = token.rsplit(".", 1)
    raw = unb64(sig)
    size = len(raw) // 2
    return signing_input, size, int.from_bytes(raw[:size], "big"), int.from_bytes(raw[size:], "big")


def _es_token(signing_input: str, size: int, r: int, s: int) -> str:
    return f"{signing_input}.{b64(r.to_bytes(size, 'big') + s.to_bytes(size, 'big'))}"


ECDSA_CASES: Dict[str, Callable[[str, int, int, int, int], str]] = {
    "r=0": lambda si, z, r, s, n: _es_token(si, z, 0, s),
    "s=0": lambda si, z, r, s, n: _es_token(si, z, r, 0),
    "r=s=0": lambda si, z, r, s, n: _es_token(si, z, 0, 0),
    "r=n": lambda si, z, r, s, n: _es_token(si, z, n, s),
    "s=n": lambda si, z, r, s, n: _es_token(si, z, r, n),
    "r+n": lambda si, z, r, s, n: _es_token(si, z, r + n, s),
    "s+n": lambda si, z, r, s, n: _es_token(si, z, r, s + n),
    "short": lambda si, z, r, s, n: f"{si}.{b64(unb64(_es_token(si, z, r, s).rsplit('.', 1)[1])[:-1])}",
    "long": lambda si, z, r, s, n: f"{si}.{b64(unb64(_es_token(si, z, r, s).rsplit('.', 1)[1]) + bytes(1))}",
    "leading-zero": lambda si, z, r, s, n: f"{si}.{b64(bytes(1) + unb64(_es_token(si, z, r, s).rsplit('.', 1)[1]))}",
    # the same r and s, one zero byte longer each (or s alone): a non-canonical R || S
    "padded-halves": lambda si, z, r, s, n: _es_token(si, z + 1, r, s),
    "s-leading-zero": lambda si, z, r, s, n: f"{si}.{b64(r.to_bytes(z, 'big') + s.to_bytes(z + 1, 'big'))}",
    "der": lambda si, z, r, s, n: f"{si}.{b64(encode_dss_signature(r, s))}",
    "empty": lambda si, z, r, s, n: f"{si}.",
}


def test_group_orders_are_right() -> None:
    """Guard for the ECDSA cases: the hard-coded orders have the curves' sizes and
    are (probable) primes, so "r = n" really is the group order."""
    for n, bits in ((P256_N, 256), (P521_N, 521)):
        assert n.bit_length() == bits
        assert all(pow(base, n - 1, n) == 1 for base in (2, 3, 5, 7))


@pytest.mark.parametrize("case", list(ECDSA_CASES))
def test_ecdsa_malformed_signature(case: str) -> None:
    """ECDSA signature scalars out of range / wrong encoding -- "Psychic Signatures"
    CVE-2022-21449 (r = s = 0); RFC 7518 section 3.4 (fixed-length raw R || S: not
    DER, not zero-padded beyond the field size). ES512 is used because r + n and
    s + n still fit its 66-byte fields, so a verifier that reduced the scalars mod
    n would accept them."""
    signing_input, size, r, s = _es_parts("ES512")
    public = keys.public("ES512")
    assert cyjose.decode(_es_token(signing_input, size, r, s), public, algorithms=["ES512"])["sub"] == "admin"
    token = ECDSA_CASES[case](signing_input, size, r, s, P521_N)
    with pytest.raises(InvalidSignatureError):
        cyjose.decode(token, public, algorithms=["ES512"])
    with pytest.raises(InvalidSignatureError):
        cyjose.Verifier(public, algorithms=["ES512"]).verify(token)


@pytest.mark.parametrize("case", ["r=0", "s=0", "r=s=0", "r=n", "s=n", "der", "short", "long", "padded-halves",
                                  "s-leading-zero"])
def test_ecdsa_malformed_signature_p256(case: str) -> None:
    """ECDSA on P-256 -- CVE-2022-21449 ("Psychic Signatures"); RFC 7518 section 3.4:
    the same malformed signatures on ES256 (64-byte R || S)."""
    signing_input, size, r, s = _es_parts("ES256")
    token = ECDSA_CASES[case](signing_input, size, r, s, P256_N)
    with pytest.raises(InvalidSignatureError):
        cyjose.Verifier(keys.public("ES256"), algorithms=["ES256"]).verify(token)
    with pytest.raises(InvalidSignatureError):
        cyjose.decode(token, keys.public("ES256"), algorithms=["ES256"])


# ---------------------------------------------------------------- RSA


@pytest.mark.parametrize("change", ["leading-zero", "trailing-zero", "drop-first", "drop-last"])
def test_rsa_signature_of_wrong_length(change: str) -> None:
    """RSA signature not exactly the modulus length -- RFC 8017 section 8.2.2 step 1
    (RSASSA-PKCS1-v1_5 verification rejects a signature of another length)."""
    token = cyjose.encode({"sub": "admin"}, keys.private("RS256"), algorithm="RS256")
    signing_input, sig = token.rsplit(".", 1)
    raw = unb64(sig)
    bad = {"leading-zero": bytes(1) + raw, "trailing-zero": raw + bytes(1),
           "drop-first": raw[1:], "drop-last": raw[:-1]}[change]
    forged = f"{signing_input}.{b64(bad)}"
    with pytest.raises(InvalidSignatureError):
        cyjose.decode(forged, keys.public("RS256"), algorithms=["RS256"])
    with pytest.raises(InvalidSignatureError):
        cyjose.Verifier(keys.public("RS256"), algorithms=["RS256"]).verify(forged)


@pytest.mark.parametrize("salt", [0, 20, 64])
def test_pss_wrong_salt_length(salt: int) -> None:
    """PS256 with a salt other than 32 bytes -- RFC 7518 section 3.5 (the salt size
    equals the hash output): a signature with another salt length is refused."""
    signing_input = f"{seg({'alg': 'PS256', 'typ': 'JWT'})}.{seg({'sub': 'admin'})}"

    def sign(length: int) -> str:
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=length)
        return f"{signing_input}.{b64(keys.private('PS256').sign(signing_input.encode(), pss, hashes.SHA256()))}"

    public = keys.public("PS256")
    assert cyjose.decode(sign(32), public, algorithms=["PS256"])["sub"] == "admin"
    with pytest.raises(InvalidSignatureError):
        cyjose.decode(sign(salt), public, algorithms=["PS256"])
    with pytest.raises(InvalidSignatureError):
        cyjose.Verifier(public, algorithms=["PS256"]).verify(sign(salt))
    ps256 = cyjose.algorithms.get_default_algorithms()["PS256"]  # PyJWT's Algorithm.verify

    def algorithm_verify(token: str) -> bool:
        signing_input, sig = token.rsplit(".", 1)
        return ps256.verify(signing_input.encode(), ps256.prepare_key(public), unb64(sig))

    assert algorithm_verify(sign(32))
    assert not algorithm_verify(sign(salt))


# ---------------------------------------------------------------- base64url


ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def _mac(signing_input: str) -> str:
    return b64(hmac.new(SECRET, signing_input.encode(), hashlib.sha256).digest())


def _non_canonical(case: str) -> str:
    """A token carrying one non-canonical encoding, MACed over its exact text, so
    that a lenient decoder (one that ignores it) would accept the token."""
    h = seg({"alg": "HS256", "typ": "JWT"})
    p = seg({"sub": "admin", "x": "??>>~~"})
    assert "-" in p and "_" in p
    s = _mac(f"{h}.{p}")
    assert len(s) % 4 == 3  # HMAC-SHA256: 43 characters, the last carries 2 unused bits
    assert len(p) % 4 == 2 and len(h) % 4 == 0  # p's last character carries 4 unused bits
    if case == "trailing-bits":  # same decoded bytes, a non-zero unused bit
        return f"{h}.{p}.{s[:-1]}{ALPHABET[ALPHABET.index(s[-1]) ^ 1]}"
    if case == "trailing-newline":
        return f"{h}.{p}.{s}\n"
    if case == "tab-in-signature":
        return f"{h}.{p}.{s[:5]}\t{s[5:]}"
    h, p = {
        "plus-slash": (h, p.replace("-", "+").replace("_", "/")),
        "space": (h, f"{p[:4]} {p[4:]}"),
        "newline": (h, f"{p[:4]}\n{p[4:]}"),
        "leading-space": (f" {h}", p),
        "padding-in-middle": (h, f"{p[:4]}=={p[4:]}"),
        "padding-header": (f"{h}==", p),
        "trailing-bits-payload": (h, f"{p[:-1]}{ALPHABET[ALPHABET.index(p[-1]) ^ 1]}"),
        "dangling-character": (f"{h}A", p),  # a final group of one character holds no byte
    }[case]
    return f"{h}.{p}.{_mac(f'{h}.{p}')}"


@pytest.mark.parametrize("entry", range(3), ids=ENTRY_POINTS)
@pytest.mark.parametrize("case", ["trailing-bits", "plus-slash", "space", "newline", "tab-in-signature",
                                  "leading-space", "trailing-newline", "padding-in-middle", "padding-header",
                                  "trailing-bits-payload", "dangling-character"])
def test_non_canonical_base64url(case: str, entry: int) -> None:
    """Non-canonical base64url (malleable encodings) -- RFC 7515 section 2 and
    appendix C (base64url, no padding, no whitespace); RFC 4648 section 3.5
    (canonical encoding). The MAC covers the token's exact text, so only the
    strict decoder stands between the variant and acceptance; the refusal must
    be the decoding error, not a signature mismatch."""
    with pytest.raises(DecodeError, match="padding") as caught:
        verify_hs256_everywhere(_non_canonical(case))[entry]()
    assert not isinstance(caught.value, InvalidSignatureError)


# ---------------------------------------------------------------- claim types


_NOT_JSON = "is not valid JSON"  # NaN and the infinities are refused by the parser
_NOT_DATE = "must be an integer"  # anything else that is not a finite number, by the claim check
CLAIM_TYPE_CASES = [
    (b'{"exp":true}', DecodeError, _NOT_DATE), (b'{"exp":false}', DecodeError, _NOT_DATE),
    (b'{"exp":"9999999999"}', DecodeError, _NOT_DATE), (b'{"exp":1e400}', DecodeError, _NOT_DATE),
    (b'{"exp":NaN}', DecodeError, _NOT_JSON), (b'{"exp":Infinity}', DecodeError, _NOT_JSON),
    (b'{"exp":-Infinity}', DecodeError, _NOT_JSON), (b'{"exp":[9999999999]}', DecodeError, _NOT_DATE),
    (b'{"exp":null}', DecodeError, _NOT_DATE), (b'{"nbf":true}', DecodeError, _NOT_DATE),
    (b'{"nbf":"0"}', DecodeError, _NOT_DATE), (b'{"nbf":-1e400}', DecodeError, _NOT_DATE),
    (b'{"iat":"1"}', InvalidIssuedAtError, _NOT_DATE), (b'{"iat":1e400}', InvalidIssuedAtError, _NOT_DATE),
    (b'{"iat":true}', InvalidIssuedAtError, _NOT_DATE),
]


@pytest.mark.parametrize("entry", range(2), ids=ENTRY_POINTS[:2])
@pytest.mark.parametrize(("payload", "error", "reason"), CLAIM_TYPE_CASES,
                         ids=[c[0].decode() for c in CLAIM_TYPE_CASES])
def test_claims_of_wrong_json_type(payload: bytes, error: type, reason: str, entry: int) -> None:
    """Registered claims of the wrong JSON type (booleans as numbers, strings, huge
    floats, NaN/Infinity) -- RFC 7519 section 4.1.4 (NumericDate) and RFC 8259
    section 6 (no NaN/Infinity): a validly MACed token is still refused, NaN and
    the infinities already by the JSON parser, the rest by the claim check."""
    token = hs256({"alg": "HS256"}, payload)
    with pytest.raises(error, match=reason):
        verify_hs256_everywhere(token)[entry]()


# ---------------------------------------------------------------- size and depth


def test_token_over_one_mebibyte() -> None:
    """Oversized token (memory / CPU exhaustion) -- CWE-400 "Uncontrolled Resource
    Consumption": a correctly MACed token over 1 MiB is refused before parsing."""
    token = hs256({"alg": "HS256"}, {"sub": "admin", "pad": "x" * (1 << 20)})
    for verify in verify_hs256_everywhere(token):
        with pytest.raises(LimitExceededError, match="max_token_bytes") as caught:
            verify()
        assert caught.value.limit == "max_token_bytes"


@pytest.mark.parametrize("where", ["header", "payload"])
def test_json_nested_100000_deep(where: str) -> None:
    """Deeply nested JSON (stack exhaustion) -- "Parsing JSON is a Minefield" (Seriot,
    2016): 100,000 nested arrays are refused before any parser runs, with
    LimitExceededError naming max_json_depth, never RecursionError."""
    deep = b"[" * 100_000 + b"]" * 100_000
    header = b'{"alg":"HS256","x":' + deep + b"}" if where == "header" else {"alg": "HS256"}
    payload = b'{"x":' + deep + b"}" if where == "payload" else {"sub": "admin"}
    entry_points = verify_hs256_everywhere(hs256(header, payload))
    if where == "payload":
        entry_points = entry_points[:2]  # PyJWS returns the payload as bytes: it never parses it
    for verify in entry_points:
        with pytest.raises(LimitExceededError, match=f"The {where} JSON exceeds the max_json_depth limit") as caught:
            verify()
        assert caught.value.limit == "max_json_depth"


# ---------------------------------------------------------------- JWE


def test_jwe_zip_bomb() -> None:
    """JWE DEFLATE bomb -- CVE-2024-33664 (python-jose); RFC 7516 section 4.1.3 ("zip"):
    64 MiB of zeros compress to about 64 KiB; inflating stops at the 1 MiB limit,
    so refusing the token never holds the 64 MiB (traced peak under 16 MiB)."""
    key = bytes(range(32))
    token = jwe.encrypt(bytes(64 << 20), key, alg="dir", enc="A256GCM", zip="DEF")
    assert len(token) < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(LimitExceededError, match="exceeds") as caught:
            jwe.decrypt(token, key, algorithms=["dir"], encryptions=["A256GCM"], zips=["DEF"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert caught.value.limit == "max_decompressed_bytes"
    assert peak < 16 << 20


def test_jwe_zip_refused_unless_listed() -> None:
    """JWE "zip" not opted in -- RFC 8725 section 3.6 (compression): without zips=["DEF"]
    a compressed token is refused before inflating."""
    key = bytes(range(32))
    token = jwe.encrypt(b"hello", key, alg="dir", enc="A256GCM", zip="DEF")
    with pytest.raises(InvalidAlgorithmError):
        jwe.decrypt(token, key, algorithms=["dir"], encryptions=["A256GCM"])


def test_jwe_pbes2_count_over_limit() -> None:
    """Huge PBES2 iteration count (p2c) -- CVE-2022-36083 (jose, "p2c" DoS); RFC 7518
    section 4.8.1.2: a p2c over max_pbes2_count is refused before deriving a key."""
    token = jwe.encrypt(b"hello", "pw", alg="PBES2-HS256+A128KW", enc="A128GCM", headers={"p2c": 2000})
    assert jwe.decrypt(token, "pw", algorithms=["PBES2-HS256+A128KW"], encryptions=["A128GCM"]) == b"hello"
    with pytest.raises(LimitExceededError, match="p2c") as caught:
        jwe.decrypt(token, "pw", algorithms=["PBES2-HS256+A128KW"], encryptions=["A128GCM"],
                    limits=cyjose.Limits(max_pbes2_count=1000))
    assert caught.value.limit == "max_pbes2_count"
    assert not isinstance(caught.value, JWEDecryptionError)


def test_jwe_pbes2_count_huge_default() -> None:
    """Huge PBES2 iteration count with the default limit -- CVE-2022-36083: p2c of
    two billion is refused at once (the token need not decrypt for the attack)."""
    header = {"alg": "PBES2-HS256+A128KW", "enc": "A128GCM", "p2s": b64(bytes(16)), "p2c": 2_000_000_000}
    token = ".".join([seg(header), b64(bytes(24)), b64(bytes(12)), b64(b"x"), b64(bytes(16))])
    with pytest.raises(InvalidTokenError, match="p2c"):
        jwe.decrypt(token, "pw", algorithms=["PBES2-HS256+A128KW"], encryptions=["A128GCM"])


@pytest.mark.parametrize(("case", "reason"), [("off-curve", "not a valid public key"),
                                             ("other-curve", "not on the curve of the decryption key"),
                                             ("private-d", "must not hold a private key")])
def test_jwe_invalid_curve_epk(case: str, reason: str) -> None:
    """Invalid-curve attack on ECDH-ES -- "Critical Vulnerability Uncovered in JSON
    Encryption" (Antonio Sanso, 2017); "Practical Invalid Curve Attacks on TLS-ECDH"
    (Jager, Schwenk, Somorovsky, ESORICS 2015); RFC 8725 section 3.4: an epk off the
    recipient's curve is refused as a bad header, not tried in the key agreement
    (each forgery by the check made for it)."""
    recipient = ec.generate_private_key(ec.SECP256R1())
    token = jwe.encrypt(b"hello", recipient.public_key(), alg="ECDH-ES", enc="A128GCM")
    header_segment, *rest = token.split(".")
    header = json.loads(unb64(header_segment))
    if case == "off-curve":
        header["epk"]["y"] = b64((int.from_bytes(unb64(header["epk"]["y"]), "big") ^ 1).to_bytes(32, "big"))
    elif case == "other-curve":
        other = json.loads(cyjose.algorithms.get_default_algorithms()["ES384"].to_jwk(keys.public("ES384")))
        header["epk"] = {k: other[k] for k in ("kty", "crv", "x", "y")}
    else:
        header["epk"]["d"] = b64(bytes(31) + b"\1")
    forged = ".".join([seg(header)] + rest)
    with pytest.raises(InvalidTokenError, match=f'"epk" header: {reason}') as caught:
        jwe.decrypt(forged, recipient, algorithms=["ECDH-ES"], encryptions=["A128GCM"])
    assert not isinstance(caught.value, JWEDecryptionError)


@pytest.mark.parametrize("moved", [False, True], ids=["cut", "moved-to-ciphertext"])
@pytest.mark.parametrize("keep", [0, 4, 12, 15])
def test_jwe_truncated_gcm_tag(keep: int, moved: bool) -> None:
    """Truncated AES-GCM authentication tag -- RFC 7518 section 5.3 (the tag is 128
    bits); NIST SP 800-38D on short tags: a shorter tag never authenticates, not
    even when the bytes cut from it are moved onto the end of the ciphertext
    (a decrypter that glues ciphertext and tag together would see the full tag)."""
    key = bytes(range(16))
    token = jwe.encrypt(b"hello", key, alg="dir", enc="A128GCM")
    *head, ciphertext, tag = token.split(".")
    full = unb64(tag)
    if moved:
        ciphertext = b64(unb64(ciphertext) + full[: 16 - keep])
    forged = ".".join(head + [ciphertext, b64(full[16 - keep:] if moved else full[:keep])])
    with pytest.raises(InvalidTokenError):
        jwe.decrypt(forged, key, algorithms=["dir"], encryptions=["A128GCM"])


RSA1_5_CEK = bytes(range(16))


def _rsa1_5_token(encrypted_key: bytes, cek: bytes = RSA1_5_CEK) -> str:
    """A compact RSA1_5 + A128GCM JWE built by hand (cyjose refuses to make one):
    ``encrypted_key`` as given, the content sealed under ``cek``."""
    header = seg({"alg": "RSA1_5", "enc": "A128GCM"})
    iv = bytes(12)
    sealed = AESGCM(cek).encrypt(iv, b"hello", header.encode())
    return ".".join([header, b64(encrypted_key), b64(iv), b64(sealed[:-16]), b64(sealed[-16:])])


def test_jwe_rsa1_5_requires_opt_in() -> None:
    """RSA1_5 key transport (Bleichenbacher padding oracle) -- "Chosen Ciphertext Attacks
    Against Protocols Based on the RSA Encryption Standard PKCS #1" (Bleichenbacher,
    CRYPTO '98); RFC 8725 section 3.2: refused unless allow_rsa1_5=True."""
    private = keys.private("RS256")
    token = _rsa1_5_token(private.public_key().encrypt(RSA1_5_CEK, padding.PKCS1v15()))
    with pytest.raises(InvalidAlgorithmError):
        jwe.decrypt(token, private, algorithms=["RSA1_5"], encryptions=["A128GCM"])
    with pytest.raises(InvalidAlgorithmError):
        jwe.decrypt(token, private, algorithms=["RSA-OAEP"], encryptions=["A128GCM"])
    assert jwe.decrypt(token, private, algorithms=["RSA1_5"], encryptions=["A128GCM"], allow_rsa1_5=True) == b"hello"


_BAD_RSA1_5_KEYS: Dict[str, Callable[[Any], bytes]] = {
    "bad-padding": lambda public: bytes(256),  # OpenSSL 3.2+ answers with a synthetic message
    "not-below-modulus": lambda public: b"\xff" * 256,  # the RSA decryption itself fails
    "short": lambda public: bytes(255),
    "wrong-cek-size": lambda public: public.encrypt(bytes(5), padding.PKCS1v15()),  # well padded
}


@pytest.mark.parametrize("case", list(_BAD_RSA1_5_KEYS))
def test_jwe_rsa1_5_bad_padding_is_indistinguishable(case: str) -> None:
    """RSA1_5 padding oracle -- RFC 3218 section 2.3.2 (random CEK on bad padding): an
    encrypted key that does not yield a CEK of the right size fails exactly like a
    wrong tag, and the CEK used instead is unpredictable (content sealed under an
    all-zero CEK does not decrypt either)."""
    private = keys.private("RS256")
    good = _rsa1_5_token(private.public_key().encrypt(RSA1_5_CEK, padding.PKCS1v15())).split(".")
    encrypted_key = _BAD_RSA1_5_KEYS[case](private.public_key())
    errors = []
    for forged in (".".join(good[:4] + [b64(bytes(16))]), _rsa1_5_token(encrypted_key),
                   _rsa1_5_token(encrypted_key, cek=bytes(16))):
        with pytest.raises(JWEDecryptionError) as caught:
            jwe.decrypt(forged, private, algorithms=["RSA1_5"], encryptions=["A128GCM"], allow_rsa1_5=True)
        errors.append((type(caught.value), str(caught.value)))
    assert errors[0] == errors[1] == errors[2]


def test_kid_guard_the_set_holds_the_real_key() -> None:
    """Guard for the kid cases: the JWK set holds the real key under kid "real", so
    their UnknownKeyError is about the kid, not an unusable set."""
    assert isinstance(PyJWKSet.from_dict({"keys": [dict(_REAL_JWK, kid="real")]})["real"], PyJWK)
