"""The prepared :class:`Signer`: one key, algorithm and header, many tokens."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional, Type

from ._speedups.b64url import b64url_encode
from ._encode import build_header, compact_token, prepare_claims
from ._speedups.json import dumps_compact
from ._jws import bind_cached, check_key_strength
from .api_jwk import PyJWK
from .api_jws import _ALGORITHM_UNSET, _jws_global_obj, signing_algorithm, signing_key

__all__ = ["Signer"]


class Signer:
    """Signs many claim sets with one key, algorithm and header, prepared once.

    ``Signer(key, algorithm="ES256", headers={"kid": "k1"}).sign(claims)``
    returns the same token as ``cyjose.encode(claims, key, "ES256",
    headers={"kid": "k1"})``. The key is parsed, checked against the algorithm
    and (for HMAC) keyed once; the header segment is encoded once.

    ``algorithm`` is required, except with a :class:`~cyjose.PyJWK` key, which
    signs with its own algorithm (``Signer(jwk)``), as ``encode()`` does; the
    choice follows ``encode()`` exactly (:func:`cyjose.api_jws.signing_algorithm`).

    Raises TypeError when ``algorithm`` is missing for another key,
    :class:`~cyjose.exceptions.InvalidKeyError` for a key that does not suit
    the algorithm (or a PyJWK whose ``use``/``key_ops`` forbid signing),
    :class:`~cyjose.exceptions.InvalidAlgorithmError` for a PyJWK asked to sign
    another algorithm than its own, :class:`NotImplementedError` for an unknown
    algorithm (as PyJWT's ``encode``). A short key warns
    (``InsecureKeyLengthWarning``) or, with ``enforce_minimum_key_length=True``, raises.
    """

    __slots__ = ("_bound", "_header_segment", "_detached", "_json_encoder", "algorithm")

    def __init__(
        self,
        key: Any,
        algorithm: Optional[str] = _ALGORITHM_UNSET,
        headers: Optional[Dict[str, Any]] = None,
        *,
        json_encoder: Optional[Type[json.JSONEncoder]] = None,
        sort_headers: bool = True,
        enforce_minimum_key_length: bool = False,
    ) -> None:
        if algorithm is _ALGORITHM_UNSET and not isinstance(key, PyJWK):
            raise TypeError("Signer needs an algorithm (only a PyJWK key brings its own)")
        self.algorithm: str = signing_algorithm(algorithm, key, headers)
        key = signing_key(key, self.algorithm)
        header, self._detached = build_header(self.algorithm, headers)
        self._json_encoder = json_encoder
        algorithm_obj = _jws_global_obj.get_algorithm_by_name(self.algorithm)
        self._bound = bind_cached(algorithm_obj, key)
        algorithm_obj.check_signing_key(self._bound.key)
        check_key_strength(self._bound, enforce_minimum_key_length)
        header_json = dumps_compact(header, sort_keys=sort_headers, cls=json_encoder)
        self._header_segment = b64url_encode(header_json)

    def sign_bytes(self, payload: bytes) -> str:
        """Sign raw ``payload`` bytes (the JWS layer): the compact token."""
        return compact_token(self._header_segment, payload, self._detached, self._bound.sign)

    def sign(self, claims: Dict[str, Any]) -> str:
        """Sign a JWT claim set (``datetime`` times allowed): the compact token."""
        return self.sign_bytes(dumps_compact(prepare_claims(claims), cls=self._json_encoder))

    def __repr__(self) -> str:
        return f"<Signer {self.algorithm}>"
