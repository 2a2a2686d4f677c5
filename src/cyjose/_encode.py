"""Building tokens: the protected header, the claim set and the compact form.

Shared by ``encode()`` and :class:`cyjose.Signer`. Output is byte-for-byte what
PyJWT 2.x produces for the same input (same header defaults, key order and
JSON separators).
"""

from __future__ import annotations

from calendar import timegm
from datetime import datetime
from typing import Any, Callable, Dict, Optional, Tuple

from ._speedups.b64url import b64url_encode
from .exceptions import InvalidTokenError

__all__ = ["build_header", "prepare_claims", "algorithm_for", "compact_token"]

_TIME_CLAIMS = ("exp", "iat", "nbf")


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
