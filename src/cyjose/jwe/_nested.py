"""Nested JWTs (RFC 7519 §5.2, §11.2): sign then encrypt; decrypt then verify.

A nested JWT is a signed JWT (JWS compact) used as the plaintext of a JWE
compact token whose header says ``"cty": "JWT"``. :func:`encode_nested`
makes one with ``cyjose.encode`` and :func:`cyjose.jwe.encrypt`;
:func:`decode_nested` opens it with :func:`cyjose.jwe.decrypt_complete`,
requires the ``cty``, then verifies the inner token with ``cyjose.decode``,
so every JWT rule applies to the inner token exactly as to a plain one
(signature, ``exp``/``nbf``/``iat``, ``aud``, ``iss``, ``sub``, required
claims, options). Both are re-exported by :mod:`cyjose.jwe`.

Three allow-lists keep the three algorithms apart: ``algorithms`` for the
inner signature (as in ``cyjose.decode``), ``key_algorithms`` for the JWE
``alg`` and ``encryptions`` for the JWE ``enc``.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, Collection, Container, Dict, Iterable, Optional, Sequence, Type, Union

from ..api_jwt import decode_complete, encode
from ..exceptions import InvalidTokenError
from ..limits import DEFAULT_LIMITS, Limits
from ..types import Options
from ._compact import decrypt_complete, encrypt

__all__ = ["encode_nested", "decode_nested", "decode_nested_complete"]


def encode_nested(
    claims: Dict[str, Any],
    signing_key: Any,
    algorithm: str,
    encryption_key: Any,
    alg: str,
    enc: str,
    *,
    headers: Optional[Dict[str, Any]] = None,
    jwe_headers: Optional[Dict[str, Any]] = None,
    zip: Optional[str] = None,
    json_encoder: Optional[Type[json.JSONEncoder]] = None,
) -> str:
    """Sign ``claims`` with ``signing_key``/``algorithm``, then encrypt the JWT for ``encryption_key``.

    ``headers`` are the inner JWS header members (as in ``cyjose.encode``),
    ``jwe_headers`` the outer JWE ones (as ``headers`` in
    :func:`cyjose.jwe.encrypt`); the outer ``cty`` is always ``"JWT"`` and
    cannot be given. Returns the JWE compact token.

    Raises what ``cyjose.encode`` and :func:`cyjose.jwe.encrypt` raise, and
    :class:`InvalidTokenError` for a ``cty`` in ``jwe_headers``.
    """
    if jwe_headers is not None and not isinstance(jwe_headers, dict):
        raise TypeError(f"jwe_headers must be a dict, got {type(jwe_headers).__name__}")
    if jwe_headers and "cty" in jwe_headers:
        raise InvalidTokenError('encode_nested sets the JWE "cty" header itself ("JWT")')
    inner = encode(claims, signing_key, algorithm=algorithm, headers=headers, json_encoder=json_encoder)
    return encrypt(inner, encryption_key, alg, enc, headers={**(jwe_headers or {}), "cty": "JWT"}, zip=zip)


def decode_nested_complete(
    token: Union[str, bytes],
    decryption_key: Any,
    verification_key: Any,
    *,
    algorithms: Sequence[str],
    key_algorithms: Collection[str],
    encryptions: Collection[str],
    zips: Collection[str] = (),
    audience: Union[None, str, Iterable[str]] = None,
    issuer: Union[None, str, Container[str]] = None,
    subject: Optional[str] = None,
    leeway: Union[float, timedelta] = 0,
    options: Optional[Options] = None,
    allow_rsa1_5: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Dict[str, Any]:
    """Decrypt the nested JWT ``token`` and verify the JWT inside.

    The outer token is a JWE compact token decrypted with ``decryption_key``
    (``key_algorithms``, ``encryptions``, ``zips`` and ``limits`` as in
    :func:`cyjose.jwe.decrypt_complete`); its ``cty`` must be ``"JWT"``
    (compared case-insensitively, ``"application/"`` prefix allowed: RFC 7519
    §5.2, RFC 7515 §4.1.10). The plaintext is then verified with
    ``cyjose.decode_complete(inner, verification_key, algorithms, options,
    audience=..., issuer=..., subject=..., leeway=..., limits=...)``: every claim rule
    applies to the inner token.

    Returns ``{"jwe_header": dict, "header": dict, "payload": dict,
    "signature": bytes}`` (the inner token's header, claims and signature).
    Raises what :func:`cyjose.jwe.decrypt_complete` and ``cyjose.decode``
    raise, and :class:`InvalidTokenError` when ``cty`` is not ``"JWT"``.
    """
    outer = decrypt_complete(token, decryption_key, key_algorithms, encryptions, zips=zips,
                             allow_rsa1_5=allow_rsa1_5, limits=limits)
    _require_jwt_content(outer["header"])
    inner: Dict[str, Any] = decode_complete(outer["plaintext"], verification_key, algorithms=algorithms,
                                            options=options, audience=audience, issuer=issuer, subject=subject,
                                            leeway=leeway, limits=limits)
    return {"jwe_header": outer["header"], **inner}


def decode_nested(
    token: Union[str, bytes],
    decryption_key: Any,
    verification_key: Any,
    *,
    algorithms: Sequence[str],
    key_algorithms: Collection[str],
    encryptions: Collection[str],
    zips: Collection[str] = (),
    audience: Union[None, str, Iterable[str]] = None,
    issuer: Union[None, str, Container[str]] = None,
    subject: Optional[str] = None,
    leeway: Union[float, timedelta] = 0,
    options: Optional[Options] = None,
    allow_rsa1_5: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Dict[str, Any]:
    """The claims of the nested JWT ``token``; see :func:`decode_nested_complete`."""
    claims: Dict[str, Any] = decode_nested_complete(
        token, decryption_key, verification_key, algorithms=algorithms, key_algorithms=key_algorithms,
        encryptions=encryptions, zips=zips, audience=audience, issuer=issuer, subject=subject, leeway=leeway,
        options=options, allow_rsa1_5=allow_rsa1_5, limits=limits,
    )["payload"]
    return claims


def _require_jwt_content(header: Dict[str, Any]) -> None:
    """The JWE header's ``cty`` names a JWT (RFC 7519 §5.2); :class:`InvalidTokenError` otherwise."""
    cty = header.get("cty")
    if isinstance(cty, str):
        media_type = cty.lower()
        if media_type.startswith("application/"):
            media_type = media_type[len("application/"):]
        if media_type == "jwt":
            return
    raise InvalidTokenError('Not a nested JWT: the JWE "cty" header must be "JWT"')
