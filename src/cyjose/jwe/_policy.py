"""The rules every JWE serialization shares (see :mod:`cyjose.jwe` for the list).

One home for each: the algorithm tables and allow-lists, the decrypt prologue
(:func:`decrypt_policy`, :func:`content_for`), the header members a caller may
set (:func:`caller_header`), how a caller's key is prepared (:func:`key_for`),
and DEFLATE with its size bound. The compact serialization (:mod:`._compact`)
and the JSON serialization (:mod:`._json`) both build on these.
"""

from __future__ import annotations

import zlib
from collections import abc
from typing import Any, Collection, Dict, FrozenSet, NamedTuple, Tuple

from ..api_jwk import PyJWK
from ..exceptions import DecodeError, InvalidAlgorithmError, InvalidKeyError, InvalidTokenError
from ..limits import Limits, checked_limits, exceeded
from ._content import CONTENT_ENCRYPTIONS, ContentEncryption
from ._keys import KEY_MANAGEMENTS, KeyManagement

__all__ = [
    "KEY_ALGORITHMS", "CONTENT_ALGORITHMS", "ZIP_ALGORITHMS", "COMPUTED_MEMBERS", "NO_EXTENSIONS",
    "DecryptPolicy", "decrypt_policy", "content_for", "header_name", "algorithms_for",
    "check_zip", "caller_header", "plaintext_bytes", "key_for", "deflate", "inflate",
]

#: Every key management algorithm (``alg``) cyjose implements (``RSA1_5``: decryption only).
KEY_ALGORITHMS = frozenset(KEY_MANAGEMENTS)
#: Every content encryption algorithm (``enc``) cyjose implements.
CONTENT_ALGORITHMS = frozenset(CONTENT_ENCRYPTIONS)
#: Every compression algorithm (``zip``) cyjose implements.
ZIP_ALGORITHMS = frozenset({"DEF"})

#: Header members encryption computes itself: a caller's value would be wrong or unsafe (a fixed salt).
COMPUTED_MEMBERS = ("alg", "enc", "zip", "epk", "p2s", "iv", "tag")
#: The JWE extensions cyjose understands for ``crit``: none, so any ``crit`` is refused.
NO_EXTENSIONS: FrozenSet[str] = frozenset()


class DecryptPolicy(NamedTuple):
    """What a decrypting caller accepts: allow-lists checked against the tables, and limits."""

    algs: FrozenSet[str]
    encs: FrozenSet[str]
    zips: FrozenSet[str]
    limits: Limits


def decrypt_policy(
    algorithms: Any, encryptions: Any, zips: Any, allow_rsa1_5: bool, limits: Any
) -> DecryptPolicy:
    """The caller's decrypt arguments checked: every name known, RSA1_5 only when allowed twice.

    Raises :class:`InvalidAlgorithmError` for an unknown name or an RSA1_5
    without ``allow_rsa1_5``, ``TypeError`` for an allow-list that is not a
    collection, and what :func:`cyjose.limits.checked_limits` raises.
    """
    policy = DecryptPolicy(
        _allowed(algorithms, KEY_ALGORITHMS, "algorithms"),
        _allowed(encryptions, CONTENT_ALGORITHMS, "encryptions"),
        _allowed(zips, ZIP_ALGORITHMS, "zips"),
        checked_limits(limits),
    )
    if "RSA1_5" in policy.algs and not allow_rsa1_5:
        raise InvalidAlgorithmError("RSA1_5 is accepted only with allow_rsa1_5=True")
    return policy


def content_for(header: Dict[str, Any], policy: DecryptPolicy) -> Tuple[ContentEncryption, bool]:
    """The header's allowed ``enc``, and whether its (allowed) ``zip`` compresses the content."""
    content = CONTENT_ENCRYPTIONS[header_name(header, "enc", policy.encs)]
    compressed = "zip" in header
    if compressed:
        header_name(header, "zip", policy.zips)
    return content, compressed


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


def header_name(header: Dict[str, Any], name: str, allowed: FrozenSet[str]) -> str:
    """The header's ``name`` member, which must be one of ``allowed``."""
    value = header.get(name)
    if value is None:
        raise InvalidAlgorithmError(f'The token has no "{name}" header')
    if not isinstance(value, str) or value not in allowed:
        raise InvalidAlgorithmError(f"The specified {name} value is not allowed")
    return value


def algorithms_for(alg: Any, enc: Any) -> Tuple[KeyManagement, ContentEncryption]:
    """The implementations of an encrypting caller's ``alg`` and ``enc``."""
    if not isinstance(alg, str) or alg not in KEY_MANAGEMENTS:
        raise InvalidAlgorithmError(f"Unsupported JWE key management algorithm: {alg!r}"[:120])
    if not isinstance(enc, str) or enc not in CONTENT_ENCRYPTIONS:
        raise InvalidAlgorithmError(f"Unsupported JWE content encryption algorithm: {enc!r}"[:120])
    return KEY_MANAGEMENTS[alg], CONTENT_ENCRYPTIONS[enc]


def check_zip(zip_name: Any) -> None:
    """An encrypting caller's ``zip`` is None or a known compression."""
    if zip_name is not None and zip_name not in ZIP_ALGORITHMS:
        raise InvalidAlgorithmError(f"Unsupported JWE compression algorithm: {zip_name!r}"[:120])


def caller_header(members: Any, what: str) -> Dict[str, Any]:
    """A copy of the header ``members`` a caller gives to encrypt (``what`` names the argument).

    Raises ``TypeError`` for a non-dict or a non-string name, and
    :class:`InvalidTokenError` for a member encryption computes itself
    (:data:`COMPUTED_MEMBERS`) or ``crit``.
    """
    if members is None:
        return {}
    if not isinstance(members, dict):
        raise TypeError(f"{what} must be a dict, got {type(members).__name__}")
    for name in members:
        if not isinstance(name, str):
            raise TypeError("Header member names must be strings")
        if name in COMPUTED_MEMBERS or name == "crit":
            raise InvalidTokenError(f'The "{name}" header member cannot be set in {what}')
    return dict(members)


def plaintext_bytes(plaintext: Any) -> bytes:
    """The plaintext to encrypt as bytes (``str`` is UTF-8 encoded)."""
    if isinstance(plaintext, str):
        return plaintext.encode("utf-8")
    if isinstance(plaintext, (bytes, bytearray, memoryview)):
        return bytes(plaintext)
    raise TypeError(f"The plaintext must be bytes or str, got {type(plaintext).__name__}")


def key_for(key: Any, management: KeyManagement, content: ContentEncryption, *, decrypting: bool) -> Any:
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


def deflate(data: bytes) -> bytes:
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
