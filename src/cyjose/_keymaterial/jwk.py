"""JSON Web Keys: JWK members <-> ``cryptography`` keys, and RFC 7638 thumbprints.

The one home of the per-``kty`` rules: RSA, EC and ``oct`` (RFC 7517/7518),
OKP with Ed25519, Ed448, X25519 and X448 (RFC 8037), and AKP with ML-DSA-44/65/87
(draft-ietf-cose-dilithium, RFC 9964: public key ``pub``, 32-byte seed ``priv``,
``alg`` required).

Import is strict. Every member is checked for type and (where fixed) length,
base64url must be canonical, EC points must be on their curve, private members
must match the public ones, and RSA moduli must be at least
``min_rsa_key_size`` bits (:data:`DEFAULT_MIN_RSA_KEY_SIZE`) and at most
:data:`MAX_RSA_KEY_SIZE`. Everything wrong raises
:class:`~cyjose.exceptions.InvalidKeyError` with a message naming the member,
never showing key material. ``oct`` keys come out as ``bytes``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any, Dict, NamedTuple, Optional, Tuple, Union

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa, x448, x25519
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_der_private_key,
    load_der_public_key,
)

from .._messages import shown_name
from .._speedups.b64url import b64url_decode, b64url_encode
from ..exceptions import DecodeError, InvalidKeyError
from .formats import key_bytes, load_asymmetric_key
from .tables import MLDSA, MLDSA_SEED_SIZE

__all__ = [
    "DEFAULT_MIN_RSA_KEY_SIZE",
    "MAX_RSA_KEY_SIZE",
    "parse_jwk",
    "jwk_to_key",
    "key_to_jwk",
    "load_key_material",
    "thumbprint",
    "check_x509_members",
]

#: Smallest RSA modulus (bits) accepted from a JWK unless the caller lowers it
#: (NIST SP 800-131A: 2048 bits since 2014).
DEFAULT_MIN_RSA_KEY_SIZE = 2048
#: Largest RSA modulus (bits) accepted: bounds the work one hostile JWK can
#: cost (recovering the primes of a bogus 8192-bit private key takes about 1 s,
#: of a 16384-bit one 8 s).
MAX_RSA_KEY_SIZE = 8192

_EC_CURVES: Dict[str, Tuple[type, int]] = {
    "P-256": (ec.SECP256R1, 32),
    "P-384": (ec.SECP384R1, 48),
    "P-521": (ec.SECP521R1, 66),
    "secp256k1": (ec.SECP256K1, 32),
}
_EC_NAMES = {curve: name for name, (curve, _) in _EC_CURVES.items()}


class _OKPCurve(NamedTuple):
    public: Any
    private: Any
    size: int  # of "x" and "d"


_OKP_CURVES: Dict[str, _OKPCurve] = {
    "Ed25519": _OKPCurve(ed25519.Ed25519PublicKey, ed25519.Ed25519PrivateKey, 32),
    "Ed448": _OKPCurve(ed448.Ed448PublicKey, ed448.Ed448PrivateKey, 57),
    "X25519": _OKPCurve(x25519.X25519PublicKey, x25519.X25519PrivateKey, 32),
    "X448": _OKPCurve(x448.X448PublicKey, x448.X448PrivateKey, 56),
}


#: RFC 7638 §3.2 required members, already in lexicographic order (AKP: RFC 9964 §6).
_THUMBPRINT_MEMBERS: Dict[str, Tuple[str, ...]] = {
    "RSA": ("e", "kty", "n"),
    "EC": ("crv", "kty", "x", "y"),
    "OKP": ("crv", "kty", "x"),
    "oct": ("k", "kty"),
    "AKP": ("alg", "kty", "pub"),
}
_THUMBPRINT_HASHES = ("sha256", "sha384", "sha512")
_RSA_CRT_MEMBERS = ("p", "q", "dp", "dq", "qi")


def parse_jwk(jwk: Any) -> Dict[str, Any]:
    """A JWK given as a dict or as JSON text, as a dict.

    Raises :class:`InvalidKeyError` ``"Key is not valid JSON"`` for anything
    else (invalid JSON, a JSON value that is not an object, another type).
    """
    if isinstance(jwk, dict):
        return jwk
    if isinstance(jwk, (str, bytes)):
        try:
            obj = json.loads(jwk)
        except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
            obj = None
        if isinstance(obj, dict):
            return obj
    raise InvalidKeyError("Key is not valid JSON")


def _text_member(obj: Dict[str, Any], name: str) -> Optional[str]:
    value = obj.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidKeyError(f'JWK member "{name}" must be a string')
    return value


def _bytes_member(obj: Dict[str, Any], name: str, max_size: Optional[int] = None) -> Optional[bytes]:
    """The base64url member ``name`` decoded (None when absent); length-capped before decoding."""
    text = _text_member(obj, name)
    if text is None:
        return None
    if max_size is not None and len(text) > (max_size * 4 + 2) // 3 + 2:
        raise InvalidKeyError(f'JWK member "{name}" is too long')
    try:
        return b64url_decode(text.encode("ascii"), name)
    except (UnicodeEncodeError, DecodeError):
        raise InvalidKeyError(f'JWK member "{name}" is not valid base64url') from None


def _fixed_bytes(obj: Dict[str, Any], name: str, size: int, what: str) -> Optional[bytes]:
    """The base64url member ``name``, exactly ``size`` bytes long (None when absent)."""
    value = _bytes_member(obj, name, size)
    if value is not None and len(value) != size:
        raise InvalidKeyError(f'JWK member "{name}" should be {size} bytes for {what}')
    return value


def _present(value: Optional[bytes], kty: str, name: str) -> bytes:
    if value is None:
        raise InvalidKeyError(f'{kty} key should have "{name}" parameter')
    return value


def jwk_to_key(jwk: Any, min_rsa_key_size: int = DEFAULT_MIN_RSA_KEY_SIZE) -> Any:
    """The key a JWK (dict or JSON text) holds: a ``cryptography`` key, or ``bytes`` for ``oct``.

    A JWK with private members gives the private key. Raises
    :class:`InvalidKeyError` for anything malformed or unsupported (see the
    module docstring for the rules).
    """
    obj = parse_jwk(jwk)
    kty = obj.get("kty")
    if kty == "RSA":
        return _rsa_from_jwk(obj, min_rsa_key_size)
    loader = _LOADERS.get(kty) if isinstance(kty, str) else None
    if loader is None:
        raise InvalidKeyError(f"Unsupported kty: {shown_name(kty)}")
    return loader(obj)


def _uint(obj: Dict[str, Any], name: str) -> int:
    # A leading zero octet is tolerated: some issuers publish "n" with one.
    return int.from_bytes(_present(_bytes_member(obj, name, MAX_RSA_KEY_SIZE // 8 + 1), "RSA", name), "big")


def _rsa_from_jwk(obj: Dict[str, Any], min_bits: int) -> Any:
    n, e = _uint(obj, "n"), _uint(obj, "e")
    bits = n.bit_length()
    if bits < min_bits:
        raise InvalidKeyError(
            f"The RSA key is {bits} bits long, below the minimum of {min_bits} bits for keys imported from a JWK"
        )
    if bits > MAX_RSA_KEY_SIZE:
        raise InvalidKeyError(f"The RSA key is {bits} bits long, above the maximum of {MAX_RSA_KEY_SIZE} bits")
    public_numbers = rsa.RSAPublicNumbers(e, n)
    crt_present = [obj.get(name) is not None for name in _RSA_CRT_MEMBERS]
    try:
        if obj.get("d") is None:
            if any(crt_present):
                raise InvalidKeyError('RSA private key members are present without "d"')
            return public_numbers.public_key()
        return _rsa_private(obj, public_numbers, all(crt_present), any(crt_present))
    except ValueError:
        raise InvalidKeyError("Invalid RSA key: its members do not form a valid key") from None


def _rsa_private(obj: Dict[str, Any], public: Any, all_crt: bool, any_crt: bool) -> Any:
    if obj.get("oth") is not None:
        raise InvalidKeyError("Unsupported RSA private key: > 2 primes not supported")
    if any_crt and not all_crt:
        raise InvalidKeyError("RSA key must include all parameters if any are present besides d")
    d = _uint(obj, "d")
    if all_crt:
        p, q, dp, dq, qi = (_uint(obj, name) for name in _RSA_CRT_MEMBERS)
    else:  # RFC 7518 §6.3.2: the CRT members are optional; recover them (bounded work in cryptography)
        p, q = rsa.rsa_recover_prime_factors(public.n, public.e, d)
        dp, dq, qi = rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q)
    return rsa.RSAPrivateNumbers(p, q, d, dp, dq, qi, public).private_key()


def _ec_from_jwk(obj: Dict[str, Any]) -> Any:
    crv = _text_member(obj, "crv")
    if crv not in _EC_CURVES:
        raise InvalidKeyError(f"Invalid curve: {shown_name(crv)}")
    curve_type, size = _EC_CURVES[crv]
    x = _present(_fixed_bytes(obj, "x", size, f"curve {crv}"), "EC", "x")
    y = _present(_fixed_bytes(obj, "y", size, f"curve {crv}"), "EC", "y")
    d = _fixed_bytes(obj, "d", size, f"curve {crv}")
    public = ec.EllipticCurvePublicNumbers(int.from_bytes(x, "big"), int.from_bytes(y, "big"), curve_type())
    try:
        point = public.public_key()
    except ValueError:
        raise InvalidKeyError(f"Invalid EC key: the point is not on curve {crv}") from None
    if d is None:
        return point
    try:
        return ec.EllipticCurvePrivateNumbers(int.from_bytes(d, "big"), public).private_key()
    except ValueError:
        raise InvalidKeyError('Invalid EC private key: "d" is out of range or does not match "x" and "y"') from None


def _okp_from_jwk(obj: Dict[str, Any]) -> Any:
    crv = _text_member(obj, "crv")
    if crv not in _OKP_CURVES:
        raise InvalidKeyError(f"Invalid curve: {shown_name(crv)}")
    curve = _OKP_CURVES[crv]
    x = _present(_fixed_bytes(obj, "x", curve.size, f"curve {crv}"), "OKP", "x")
    d = _fixed_bytes(obj, "d", curve.size, f"curve {crv}")
    try:
        if d is None:
            return curve.public.from_public_bytes(x)
        private = curve.private.from_private_bytes(d)
    except ValueError:
        raise InvalidKeyError("Invalid key parameter") from None
    if private.public_key().public_bytes_raw() != x:
        raise InvalidKeyError("Public key does not match private key")
    return private


def _oct_from_jwk(obj: Dict[str, Any]) -> bytes:
    k = _present(_bytes_member(obj, "k"), "oct", "k")
    if not k:
        raise InvalidKeyError("HMAC key must not be empty.")
    return k


def _akp_from_jwk(obj: Dict[str, Any]) -> Any:
    alg = _text_member(obj, "alg")
    if alg is None:
        raise InvalidKeyError('"alg" is required for AKP keys')
    variant = MLDSA.get(alg)
    if variant is None:
        raise InvalidKeyError(f"Unsupported AKP algorithm: {shown_name(alg)}")
    pub = _present(_fixed_bytes(obj, "pub", variant.public_size, alg), "AKP", "pub")
    seed = _fixed_bytes(obj, "priv", MLDSA_SEED_SIZE, f"{alg} (the seed)")
    try:
        if seed is None:
            return variant.public.from_public_bytes(pub)
        private = variant.private.from_seed_bytes(seed)
    except ValueError:
        raise InvalidKeyError("Invalid key parameter") from None
    if private.public_key().public_bytes_raw() != pub:
        raise InvalidKeyError("Public key does not match private key")
    return private


_LOADERS = {"EC": _ec_from_jwk, "OKP": _okp_from_jwk, "oct": _oct_from_jwk, "AKP": _akp_from_jwk}


def _b64(data: bytes) -> str:
    return b64url_encode(data).decode("ascii")


def _b64_uint(value: int, size: Optional[int] = None) -> str:
    return _b64(value.to_bytes(size or max(1, (value.bit_length() + 7) // 8), "big"))


def key_to_jwk(key: Any) -> Dict[str, Any]:
    """The JWK members of ``key`` (a ``cryptography`` key, or str/bytes as an ``oct`` secret).

    Public keys give public members only; private keys give both. Member
    order (and RSA's ``key_ops``) is PyJWT's, so ``json.dumps`` of the result
    matches PyJWT's ``to_jwk`` text. Raises :class:`InvalidKeyError`
    ``"Not a public or private key"`` for anything else.
    """
    if isinstance(key, (str, bytes)):
        return {"k": _b64(key_bytes(key)), "kty": "oct"}
    if isinstance(key, rsa.RSAPrivateKey):
        numbers = key.private_numbers()
        return {
            "kty": "RSA", "key_ops": ["sign"],
            "n": _b64_uint(numbers.public_numbers.n), "e": _b64_uint(numbers.public_numbers.e),
            "d": _b64_uint(numbers.d), "p": _b64_uint(numbers.p), "q": _b64_uint(numbers.q),
            "dp": _b64_uint(numbers.dmp1), "dq": _b64_uint(numbers.dmq1), "qi": _b64_uint(numbers.iqmp),
        }
    if isinstance(key, rsa.RSAPublicKey):
        public_numbers = key.public_numbers()
        return {"kty": "RSA", "key_ops": ["verify"], "n": _b64_uint(public_numbers.n), "e": _b64_uint(public_numbers.e)}
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        return _ec_to_jwk(key)
    for crv, curve in _OKP_CURVES.items():
        if isinstance(key, curve.public):
            return {"x": _b64(key.public_bytes_raw()), "kty": "OKP", "crv": crv}
        if isinstance(key, curve.private):
            x, d = key.public_key().public_bytes_raw(), key.private_bytes_raw()
            return {"x": _b64(x), "d": _b64(d), "kty": "OKP", "crv": crv}
    for alg, variant in MLDSA.items():
        if isinstance(key, variant.public):
            return {"kty": "AKP", "alg": alg, "pub": _b64(key.public_bytes_raw())}
        if isinstance(key, variant.private):
            pub, seed = key.public_key().public_bytes_raw(), key.private_bytes_raw()
            return {"kty": "AKP", "alg": alg, "pub": _b64(pub), "priv": _b64(seed)}
    raise InvalidKeyError("Not a public or private key")


def _ec_to_jwk(key: Any) -> Dict[str, Any]:
    crv = _EC_NAMES.get(type(key.curve))
    if crv is None:
        raise InvalidKeyError(f"Invalid curve: {key.curve.name}")
    size = _EC_CURVES[crv][1]
    private = isinstance(key, ec.EllipticCurvePrivateKey)
    numbers = (key.public_key() if private else key).public_numbers()
    jwk = {"kty": "EC", "crv": crv, "x": _b64_uint(numbers.x, size), "y": _b64_uint(numbers.y, size)}
    if private:
        jwk["d"] = _b64_uint(key.private_numbers().private_value, size)
    return jwk


def load_key_material(data: Union[str, bytes]) -> Any:
    """A key from PEM, OpenSSH or DER (PKCS #8 private or SubjectPublicKeyInfo public).

    Raises :class:`InvalidKeyError` when ``data`` is none of these or is encrypted.
    """
    if isinstance(data, bytes) and data.startswith(b"\x30"):  # a DER SEQUENCE
        for loader in (lambda der: load_der_private_key(der, password=None), load_der_public_key):
            try:
                return loader(data)
            except (ValueError, TypeError, UnsupportedAlgorithm):
                continue
        raise InvalidKeyError("Could not parse the provided key: it is not a supported DER key.")
    return load_asymmetric_key(data)


def thumbprint(key: Any, hash_name: str = "sha256") -> str:
    """The RFC 7638 thumbprint of ``key`` (any key :func:`key_to_jwk` takes), base64url.

    Computed over the required public members of the key's canonical JWK
    (RFC 7638 §3.2-3.3; AKP: ``alg``, ``kty``, ``pub``), so how a JWK spelled
    them does not matter. ``hash_name`` is ``"sha256"``, ``"sha384"`` or
    ``"sha512"``; anything else is a ValueError.
    """
    if hash_name not in _THUMBPRINT_HASHES:
        raise ValueError(f"Unsupported thumbprint hash: {hash_name!r}; use one of {_THUMBPRINT_HASHES}")
    jwk = key_to_jwk(key)
    required = {name: jwk[name] for name in _THUMBPRINT_MEMBERS[jwk["kty"]]}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True)
    return _b64(hashlib.new(hash_name, canonical.encode("ascii")).digest())


def check_x509_members(obj: Dict[str, Any], key: Any) -> None:
    """Check ``x5c`` / ``x5t`` / ``x5t#S256`` against the JWK's ``key`` (RFC 7517 §4.7-4.9).

    The first certificate of ``x5c`` must hold the JWK's public key, and the
    thumbprints, when present with ``x5c``, must be that certificate's. The
    chain itself is not validated (that is PKI policy, not key import).
    Raises :class:`InvalidKeyError`.
    """
    chain = obj.get("x5c")
    for name in ("x5t", "x5t#S256"):
        _bytes_member(obj, name, 64)  # type and encoding, even without x5c
    if chain is None:
        return
    if not isinstance(chain, list) or not chain or not all(isinstance(cert, str) for cert in chain):
        raise InvalidKeyError('JWK member "x5c" must be a non-empty list of base64 strings')
    try:
        ders = [base64.b64decode(cert.encode("ascii"), validate=True) for cert in chain]
        certificate = x509.load_der_x509_certificate(ders[0])
        cert_key = certificate.public_key()
    except (ValueError, binascii.Error, UnsupportedAlgorithm):  # UnicodeEncodeError is a ValueError
        raise InvalidKeyError('JWK member "x5c" does not hold valid DER certificates') from None
    if _spki(cert_key) != _spki(key.public_key() if hasattr(key, "public_key") else key):
        raise InvalidKeyError('The first certificate in "x5c" does not hold this JWK\'s key')
    for name, digest in (("x5t", hashlib.sha1), ("x5t#S256", hashlib.sha256)):
        expected = _bytes_member(obj, name)
        if expected is not None and expected != digest(ders[0]).digest():
            raise InvalidKeyError(f'JWK member "{name}" is not the thumbprint of the first "x5c" certificate')


def _spki(key: Any) -> Optional[bytes]:
    try:
        der: bytes = key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    except (AttributeError, TypeError, ValueError):  # e.g. an oct secret: no public form
        return None
    return der
