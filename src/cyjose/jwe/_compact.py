"""The JWE compact serialization (RFC 7516 §7.1): :func:`encrypt`, :func:`decrypt`, :func:`decrypt_complete`.

Re-exported by :mod:`cyjose.jwe`, whose docstring lists the rules they enforce
(kept in :mod:`._policy`, shared with the JSON serialization).
"""

from __future__ import annotations

from typing import Any, Collection, Dict, Optional, Union

from .._jws import validate_header
from .._speedups.b64url import b64url_decode, b64url_encode
from .._speedups.compact import MAX_TOKEN_BYTES, split_jwe
from .._speedups.json import dumps_compact, loads_unique
from ..limits import DEFAULT_LIMITS, Limits
from ._keys import KEY_MANAGEMENTS, unwrap_cek
from ._policy import (
    NO_EXTENSIONS,
    algorithms_for,
    caller_header,
    check_zip,
    content_for,
    decrypt_policy,
    deflate,
    header_name,
    inflate,
    key_for,
    plaintext_bytes,
)

__all__ = ["encrypt", "decrypt", "decrypt_complete"]


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
    management, content = algorithms_for(alg, enc)
    data = plaintext_bytes(plaintext)
    header = _new_header(alg, enc, zip, headers)
    wrap_key = key_for(key, management, content, decrypting=False)
    cek, encrypted_key, extra = management.wrap(wrap_key, content, header)
    header.update(extra)
    if zip is not None:
        data = deflate(data)
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
    policy = decrypt_policy(algorithms, encryptions, zips, allow_rsa1_5, limits)
    limits = policy.limits
    header_segment, *segments = split_jwe(token, limits.max_token_bytes)
    header = loads_unique(b64url_decode(header_segment, "header"), "header", limits.max_json_depth)
    validate_header(header, NO_EXTENSIONS)
    management = KEY_MANAGEMENTS[header_name(header, "alg", policy.algs)]
    content, compressed = content_for(header, policy)
    encrypted_key, iv, ciphertext, tag = (
        b64url_decode(segment, name)
        for segment, name in zip(segments, ("encrypted_key", "iv", "ciphertext", "tag"))
    )
    unwrap_key = key_for(key, management, content, decrypting=True)
    cek = unwrap_cek(management, unwrap_key, encrypted_key, header, content, limits)
    plaintext = content.decrypt(cek, iv, ciphertext, tag, header_segment)
    if compressed:
        plaintext = inflate(plaintext, limits.max_decompressed_bytes)
    return {"header": header, "plaintext": plaintext}


def _new_header(alg: str, enc: str, zip_name: Optional[str], headers: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """``alg``, ``enc``, ``zip`` then the caller's members, checked."""
    members = caller_header(headers, "headers")
    check_zip(zip_name)
    header: Dict[str, Any] = {"alg": alg, "enc": enc}
    if zip_name is not None:
        header["zip"] = zip_name
    header.update(members)
    validate_header(header, NO_EXTENSIONS)
    return header
