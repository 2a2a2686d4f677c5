"""JSON Web Encryption (RFC 7516) with the RFC 7518 algorithms, and nested JWTs.

The compact serialization is :func:`encrypt` / :func:`decrypt` /
:func:`decrypt_complete`; the JSON serialization (general and flattened,
several recipients, AAD) is :func:`encrypt_json` / :func:`decrypt_json` with
:class:`JWERecipient`; signed-then-encrypted JWTs are :func:`encode_nested` /
:func:`decode_nested` / :func:`decode_nested_complete`. All share the rules
below.

::

    token = cyjose.jwe.encrypt(b"secret", public_key, alg="RSA-OAEP-256", enc="A256GCM")
    plaintext = cyjose.jwe.decrypt(token, private_key, algorithms=["RSA-OAEP-256"], encryptions=["A256GCM"])

The rules, all enforced by :func:`decrypt` / :func:`decrypt_complete`:

* **The caller names the algorithms.** ``algorithms`` (key management,
  ``alg``) and ``encryptions`` (content encryption, ``enc``) have no
  defaults; a token whose ``alg``/``enc`` is not listed is an
  :class:`InvalidAlgorithmError`. An unknown name in either list is an
  :class:`InvalidAlgorithmError` too, so a typo cannot silently allow nothing.
* **One error for decryption.** Every failure that depends on the key or the
  encrypted parts (unwrap, tag, padding, wrong key, wrong CEK size) raises
  :class:`JWEDecryptionError` ``"Decryption failed"``. A failed unwrap goes on
  with a random CEK, so it fails at the same tag check as a tampered
  ciphertext. Malformed structure (segments, base64url, header JSON, public
  header members such as ``epk`` or ``p2c``) is a :class:`DecodeError` or
  :class:`InvalidTokenError` with a precise message: it reveals no secret.
* **RSA1_5** only decrypts, and only when listed in ``algorithms`` *and*
  ``allow_rsa1_5=True``; it uses the RFC 3218 countermeasure (a random CEK is
  drawn before every RSA decryption and used when the padding or size is
  wrong). :func:`encrypt` refuses it.
* **Limits** (``limits=``, a :class:`cyjose.limits.Limits`; each breach is a
  :class:`~cyjose.exceptions.LimitExceededError` naming the limit): the token
  within ``max_token_bytes`` (1 MiB) and its header JSON within
  ``max_json_depth``; see PBES2 and zip below.
* **PBES2** ``p2c`` above ``limits.max_pbes2_count`` (300,000, as joserfc's
  cap) is refused before any work; :func:`encrypt` uses :data:`DEFAULT_PBES2_COUNT` (300,000) unless the
  header gives ``p2c`` (at least 1,000, RFC 7518 §4.8.1.2) and always a fresh
  16-byte salt; a token's ``p2s`` must hold at least 8 bytes.
* **zip** (``"DEF"``) is accepted only when listed in ``zips`` (default:
  none), and inflating stops at ``limits.max_decompressed_bytes`` (1 MiB:
  the largest token accepted, so compression never lets more through than an
  uncompressed token could).
* **crit**: cyjose understands no JWE extension, so any ``crit`` is refused.
* **ECDH-ES**: ``epk`` must be a public key on the recipient key's own curve
  (points are checked on the curve; X25519/X448 low-order points fail the
  exchange); ``apu``/``apv`` are optional base64url strings, read from the
  header as given (pass them in ``headers`` when encrypting).
* **Keys**: ``dir`` and AES key wrap keys are ``bytes`` of exactly the right
  size; PBES2 passwords are non-empty ``str`` or ``bytes``; RSA keys (objects
  or PEM) have at least 2048 bits; ECDH-ES keys are P-256, P-384, P-521,
  X25519 or X448 (objects or PEM). A :class:`~cyjose.PyJWK` must allow the
  operation by its ``use``/``key_ops`` (``encrypt``/``decrypt`` for ``dir``,
  ``wrapKey``/``unwrapKey`` for key wrapping and RSA, ``deriveKey`` for
  ECDH-ES and PBES2) and, when it declares an ``alg``, be declared for the
  token's ``alg`` (or, with ``dir``, for its ``enc``).
"""

from __future__ import annotations

import zlib
from collections import abc
from typing import Any, Collection, Dict, FrozenSet, Optional, Tuple, Union

from ._b64url import b64url_decode, b64url_encode
from ._compact import MAX_TOKEN_BYTES, split_jwe
from ._json import dumps_compact, loads_unique
from ._jwe_content import CONTENT_ENCRYPTIONS, ContentEncryption
from ._jwe_keys import DEFAULT_PBES2_COUNT, KEY_MANAGEMENTS, KeyManagement, unwrap_cek
from ._jws import validate_header
from .api_jwk import PyJWK
from .exceptions import DecodeError, InvalidAlgorithmError, InvalidKeyError, InvalidTokenError
from .limits import DEFAULT_LIMITS, Limits, checked_limits, exceeded

__all__ = [
    "encrypt",
    "decrypt",
    "decrypt_complete",
    "KEY_ALGORITHMS",
    "CONTENT_ALGORITHMS",
    "ZIP_ALGORITHMS",
    "DEFAULT_PBES2_COUNT",
    "JWERecipient",
    "encrypt_json",
    "decrypt_json",
    "MAX_RECIPIENTS",
    "encode_nested",
    "decode_nested",
    "decode_nested_complete",
]

#: Every key management algorithm (``alg``) cyjose implements (``RSA1_5``: decryption only).
KEY_ALGORITHMS = frozenset(KEY_MANAGEMENTS)
#: Every content encryption algorithm (``enc``) cyjose implements.
CONTENT_ALGORITHMS = frozenset(CONTENT_ENCRYPTIONS)
#: Every compression algorithm (``zip``) cyjose implements.
ZIP_ALGORITHMS = frozenset({"DEF"})

# Header members encrypt() computes itself: a caller's value would be wrong or unsafe (a fixed salt).
_COMPUTED_MEMBERS = ("alg", "enc", "zip", "epk", "p2s", "iv", "tag")
_NO_EXTENSIONS: FrozenSet[str] = frozenset()


def encrypt(
    plaintext: Union[bytes, str],
    key: Any,
    alg: str,
    enc: str,
    headers: Optional[Dict[str, Any]] = None,
    zip: Optional[str] = None,
) -> str:
    """The JWE compact serialization of ``plaintext`` (``str`` is UTF-8 encoded).

    ``alg`` and ``enc`` are required names from :data:`KEY_ALGORITHMS` (not
    ``RSA1_5``) and :data:`CONTENT_ALGORITHMS`; ``zip="DEF"`` compresses first.
    ``headers`` adds protected header members (``kid``, ``typ``, ``cty``,
    ``apu``/``apv`` for ECDH-ES, ``p2c`` for PBES2, ...); the members encrypt
    computes (``alg``, ``enc``, ``zip``, ``epk``, ``p2s``, ``iv``, ``tag``)
    and ``crit`` are refused there.

    Raises :class:`InvalidAlgorithmError` for an unknown or refused
    algorithm, :class:`InvalidKeyError` for a key that does not suit it,
    :class:`InvalidTokenError` for a bad header member, ``TypeError`` for
    a ``plaintext`` or ``headers`` of the wrong type, and ``ValueError`` when
    the token would exceed the 1 MiB that :func:`decrypt` accepts.
    """
    management, content = _algorithms(alg, enc)
    data = _plaintext_bytes(plaintext)
    header = _new_header(alg, enc, zip, headers)
    wrap_key = _key_for(key, management, content, decrypting=False)
    cek, encrypted_key, extra = management.wrap(wrap_key, content, header)
    header.update(extra)
    if zip is not None:
        data = _deflate(data)
    header_segment = b64url_encode(dumps_compact(header))
    iv, ciphertext, tag = content.encrypt(cek, data, header_segment)
    parts = [header_segment] + [b64url_encode(part) for part in (encrypted_key, iv, ciphertext, tag)]
    token = b".".join(parts)
    if len(token) > MAX_TOKEN_BYTES:  # decrypt() would refuse it: fail here, where the cause is known
        raise ValueError(f"The JWE would be {len(token)} bytes, over the {MAX_TOKEN_BYTES}-byte limit of decrypt()")
    return token.decode("ascii")


def decrypt(
    token: Union[str, bytes],
    key: Any,
    algorithms: Collection[str],
    encryptions: Collection[str],
    *,
    zips: Collection[str] = (),
    allow_rsa1_5: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> bytes:
    """The plaintext of the compact JWE ``token``; see :func:`decrypt_complete`."""
    plaintext: bytes = decrypt_complete(
        token, key, algorithms, encryptions, zips=zips, allow_rsa1_5=allow_rsa1_5, limits=limits,
    )["plaintext"]
    return plaintext


def decrypt_complete(
    token: Union[str, bytes],
    key: Any,
    algorithms: Collection[str],
    encryptions: Collection[str],
    *,
    zips: Collection[str] = (),
    allow_rsa1_5: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Dict[str, Any]:
    """Decrypt the compact JWE ``token``: ``{"header": dict, "plaintext": bytes}``.

    ``algorithms``/``encryptions``/``zips`` list the ``alg``/``enc``/``zip``
    values the caller accepts; the limits are described in the module
    docstring. Raises :class:`DecodeError` for a malformed token,
    :class:`InvalidAlgorithmError` for an algorithm not allowed,
    :class:`InvalidTokenError` for a bad header member,
    :class:`InvalidKeyError` for a key that does not suit the token's
    algorithm, and :class:`JWEDecryptionError` ("Decryption failed") when
    the token does not decrypt with ``key``.
    """
    allowed_algs = _allowed(algorithms, KEY_ALGORITHMS, "algorithms")
    allowed_encs = _allowed(encryptions, CONTENT_ALGORITHMS, "encryptions")
    allowed_zips = _allowed(zips, ZIP_ALGORITHMS, "zips")
    if "RSA1_5" in allowed_algs and not allow_rsa1_5:
        raise InvalidAlgorithmError("RSA1_5 is accepted only with allow_rsa1_5=True")
    limits = checked_limits(limits)
    header_segment, *segments = split_jwe(token, limits.max_token_bytes)
    header = loads_unique(b64url_decode(header_segment, "header"), "header", limits.max_json_depth)
    validate_header(header, _NO_EXTENSIONS)
    management = KEY_MANAGEMENTS[_header_name(header, "alg", allowed_algs)]
    content = CONTENT_ENCRYPTIONS[_header_name(header, "enc", allowed_encs)]
    compressed = "zip" in header
    if compressed:
        _header_name(header, "zip", allowed_zips)
    encrypted_key, iv, ciphertext, tag = (
        b64url_decode(segment, name)
        for segment, name in zip(segments, ("encrypted_key", "iv", "ciphertext", "tag"))
    )
    unwrap_key = _key_for(key, management, content, decrypting=True)
    cek = unwrap_cek(management, unwrap_key, encrypted_key, header, content, limits)
    plaintext = content.decrypt(cek, iv, ciphertext, tag, header_segment)
    if compressed:
        plaintext = inflate(plaintext, limits.max_decompressed_bytes)
    return {"header": header, "plaintext": plaintext}


def _algorithms(alg: Any, enc: Any) -> Tuple[KeyManagement, ContentEncryption]:
    if not isinstance(alg, str) or alg not in KEY_MANAGEMENTS:
        raise InvalidAlgorithmError(f"Unsupported JWE key management algorithm: {alg!r}"[:120])
    if not isinstance(enc, str) or enc not in CONTENT_ENCRYPTIONS:
        raise InvalidAlgorithmError(f"Unsupported JWE content encryption algorithm: {enc!r}"[:120])
    return KEY_MANAGEMENTS[alg], CONTENT_ENCRYPTIONS[enc]


def _plaintext_bytes(plaintext: Any) -> bytes:
    if isinstance(plaintext, str):
        return plaintext.encode("utf-8")
    if isinstance(plaintext, (bytes, bytearray, memoryview)):
        return bytes(plaintext)
    raise TypeError(f"The plaintext must be bytes or str, got {type(plaintext).__name__}")


def _new_header(alg: str, enc: str, zip_name: Optional[str], headers: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """``alg``, ``enc``, ``zip`` then the caller's members, checked."""
    if headers is not None and not isinstance(headers, dict):
        raise TypeError(f"headers must be a dict, got {type(headers).__name__}")
    if zip_name is not None and zip_name not in ZIP_ALGORITHMS:
        raise InvalidAlgorithmError(f"Unsupported JWE compression algorithm: {zip_name!r}"[:120])
    header: Dict[str, Any] = {"alg": alg, "enc": enc}
    if zip_name is not None:
        header["zip"] = zip_name
    for name, value in (headers or {}).items():
        if name in _COMPUTED_MEMBERS or name == "crit":
            raise InvalidTokenError(f'The "{name}" header member cannot be set through headers')
        header[name] = value
    validate_header(header, _NO_EXTENSIONS)
    return header


def _allowed(names: Any, known: Collection[str], what: str) -> FrozenSet[str]:
    """The caller's allow-list ``names`` as a set; every name must be one cyjose knows."""
    # Exact list/tuple/set first: typing.Collection's isinstance is slow (µs per call).
    if type(names) not in (list, tuple, frozenset, set) and (
        isinstance(names, (str, bytes)) or not isinstance(names, abc.Collection)
    ):
        raise TypeError(f"{what} must be a collection of names, such as a list")
    for name in names:
        if name not in known:
            raise InvalidAlgorithmError(f"Unsupported name in {what}: {name!r}"[:120])
    return frozenset(names)



def _header_name(header: Dict[str, Any], name: str, allowed: FrozenSet[str]) -> str:
    """The header's ``name`` member, which must be one of ``allowed``."""
    value = header.get(name)
    if value is None:
        raise InvalidAlgorithmError(f'The token has no "{name}" header')
    if not isinstance(value, str) or value not in allowed:
        raise InvalidAlgorithmError(f"The specified {name} value is not allowed")
    return value


def _key_for(key: Any, management: KeyManagement, content: ContentEncryption, *, decrypting: bool) -> Any:
    """The caller's key prepared for ``management``; a PyJWK's metadata is honoured."""
    if isinstance(key, PyJWK):
        operation = management.operations[1 if decrypting else 0]
        if not key.usable_for(operation):
            raise InvalidKeyError(f'The JWK\'s "use" or "key_ops" do not allow "{operation}"')
        # The JWK's own "alg" member (PyJWK.algorithm_name may be a default it filled in).
        declared = key._jwk_data.get("alg")
        fits = (management.name, content.name) if management.name == "dir" else (management.name,)
        if declared is not None and declared not in fits:
            raise InvalidAlgorithmError(f"The JWK is for {declared}, not for {management.name}"[:120])
        key = key.key
    if decrypting:
        return management.decryption_key(key, content)
    return management.encryption_key(key, content)


def _deflate(data: bytes) -> bytes:
    """Raw DEFLATE (RFC 1951), as ``"zip": "DEF"`` asks."""
    compressor = zlib.compressobj(wbits=-15)
    return compressor.compress(data) + compressor.flush()


def inflate(data: bytes, max_size: int) -> bytes:
    """Raw DEFLATE (RFC 1951) of at most ``max_size`` bytes.

    Raises :class:`LimitExceededError` (``max_decompressed_bytes``) past that
    size, :class:`DecodeError` for invalid data.
    """
    inflater = zlib.decompressobj(wbits=-15)
    try:
        out = inflater.decompress(data, max_size + 1)
    except zlib.error:
        raise DecodeError("Invalid compressed content") from None
    if len(out) > max_size:
        raise exceeded("The decompressed content", "max_decompressed_bytes", max_size, "bytes")
    if not inflater.eof or inflater.unused_data:
        raise DecodeError("Invalid compressed content")
    return out


# The JSON serialization and nested JWTs build on the functions above, so they are imported last.
from ._jwe_json import MAX_RECIPIENTS, JWERecipient, decrypt_json, encrypt_json  # noqa: E402
from ._nested import decode_nested, decode_nested_complete, encode_nested  # noqa: E402
