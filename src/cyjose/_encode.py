"""Building tokens: the signing algorithm and key, the protected header, the claim set and the compact form.

Shared by ``encode()``, :class:`cyjose.Signer` and :func:`cyjose.jws.sign_json`: each
chooses its algorithm with :func:`signing_algorithm` and binds its key with
:func:`bind_signing_key`, so the three sign under one rule. Output is byte-for-byte what
PyJWT 2.x produces for the same input (same header defaults, key order and
JSON separators).
"""

from __future__ import annotations

from calendar import timegm
from datetime import datetime
from typing import Any, Callable, Dict, Optional, Tuple

from ._jws import bind_cached, check_key_strength
from ._speedups.b64url import b64url_encode
from .algorithms import BoundKey
from .api_jwk import PyJWK
from .exceptions import InvalidTokenError

__all__ = [
    "ALGORITHM_UNSET", "signing_algorithm", "require_algorithm", "bind_signing_key",
    "build_header", "prepare_claims", "algorithm_for", "compact_token",
]

#: ``algorithm`` not given (PyJWT's ``encode()`` then signs HS256, or a PyJWK's own algorithm).
ALGORITHM_UNSET: Any = object()

_TIME_CLAIMS = ("exp", "iat", "nbf")


def signing_algorithm(algorithm: Any, key: Any, headers: Optional[Dict[str, Any]]) -> str:
    """The algorithm a token is signed with, by PyJWT's ``encode()`` rule.

    ``headers["alg"]`` wins; then an explicit ``algorithm``; with ``algorithm``
    None or not given (:data:`ALGORITHM_UNSET`) a :class:`PyJWK` key gives its own
    ``algorithm_name``, any other key ``"none"`` (None) or ``"HS256"`` (not given).
    """
    if algorithm is ALGORITHM_UNSET or algorithm is None:
        if isinstance(key, PyJWK):
            algorithm = key.algorithm_name
        elif algorithm is ALGORITHM_UNSET:
            algorithm = "HS256"
    return algorithm_for(algorithm, headers)


def require_algorithm(algorithm: Any, key: Any, headers: Optional[Dict[str, Any]], who: str) -> None:
    """A prepared signer (``who``: Signer, JWSSigner) names its algorithm, unless the key or header does.

    ``encode()``'s default (HS256 when ``algorithm`` is not given) is for PyJWT
    compatibility; a signer built once for many tokens must say what it signs
    with: raises TypeError when ``algorithm`` is :data:`ALGORITHM_UNSET` and
    neither a :class:`PyJWK` key nor ``headers["alg"]`` names one. (An explicit
    ``algorithm=None`` is ``encode()``'s unsigned token, as there.)
    """
    if algorithm is ALGORITHM_UNSET and not isinstance(key, PyJWK) and not (headers and headers.get("alg")):
        raise TypeError(f"{who} needs an algorithm (only a PyJWK key or headers['alg'] brings its own)")


def bind_signing_key(registry: Any, name: str, key: Any, enforce: bool) -> BoundKey:
    """``key`` bound to sign with the algorithm ``registry`` knows as ``name``.

    A :class:`PyJWK` signs only with its own algorithm and only if its ``use``
    / ``key_ops`` allow "sign" (PyJWT signs any algorithm asked for with the
    PyJWK's key and ignores both members). Raises NotImplementedError for an
    unknown algorithm, :class:`~cyjose.exceptions.InvalidAlgorithmError` /
    :class:`~cyjose.exceptions.InvalidKeyError` for a key that cannot sign it
    (a public key included), and for a short key warns
    (``InsecureKeyLengthWarning``) or, with ``enforce``, raises InvalidKeyError.
    """
    if isinstance(key, PyJWK):
        key = key._key_for("sign", name)
    algorithm = registry.get_algorithm_by_name(name)
    bound = bind_cached(algorithm, key)
    algorithm.check_signing_key(bound.key)
    check_key_strength(bound, enforce)
    return bound


def build_header(
    algorithm: str, headers: Optional[Dict[str, Any]], typ: str = "JWT", detached: bool = False
) -> Tuple[Dict[str, Any], bool]:
    """The protected header for ``algorithm`` plus caller ``headers``.

    Returns ``(header, detached)``: ``headers["b64"] is False`` also makes the
    payload detached (RFC 7797), and then ``"b64"`` is listed in ``crit``.
    """
    header: Dict[str, Any] = {"typ": typ, "alg": algorithm}
    if headers:
        if headers.get("b64") is False:
            detached = True
        if "kid" in headers and not isinstance(headers["kid"], str):
            raise InvalidTokenError("Key ID header parameter must be a string")
        header.update(headers)
    if not header["typ"]:
        del header["typ"]
    if detached:
        header["b64"] = False
        crit = header.get("crit", [])
        if not isinstance(crit, list):
            raise InvalidTokenError("Invalid 'crit' header: must be a list")
        if "b64" not in crit:
            header["crit"] = [*crit, "b64"]
    elif "b64" in header:
        del header["b64"]  # true is the default; PyJWT omits it
    return header, detached


def prepare_claims(payload: Any) -> Dict[str, Any]:
    """A copy of ``payload`` with ``datetime`` times as NumericDates.

    Raises TypeError for a non-dict payload or a non-string ``iss`` (as PyJWT).
    """
    if not isinstance(payload, dict):
        raise TypeError("Expecting a dict object, as JWT only supports JSON objects as payloads.")
    claims = payload.copy()
    for name in _TIME_CLAIMS:
        value = claims.get(name)
        if isinstance(value, datetime):
            claims[name] = timegm(value.utctimetuple())
    if "iss" in claims and not isinstance(claims["iss"], str):
        raise TypeError("Issuer (iss) must be a string.")
    return claims


def algorithm_for(algorithm: Optional[str], headers: Optional[Dict[str, Any]]) -> str:
    """The algorithm to sign with: ``headers["alg"]`` when set, else ``algorithm``."""
    if headers and headers.get("alg"):
        # The caller's header value, typed as the name it should be: a value
        # that names no registered algorithm fails get_algorithm_by_name later.
        alg: str = headers["alg"]
        return alg
    return "none" if algorithm is None else algorithm


def compact_token(
    header_segment: bytes, payload: bytes, detached: bool, sign: Callable[[bytes], bytes]
) -> str:
    """The compact JWS of ``payload`` under an already encoded header segment.

    A detached (``b64: false``) payload is signed as is and left out of the token.
    """
    encoded = payload if detached else b64url_encode(payload)
    signature = b64url_encode(sign(header_segment + b"." + encoded))
    body = b"" if detached else encoded
    return b".".join((header_segment, body, signature)).decode("ascii")
