"""The prepared :class:`Signer`: one key, algorithm and header, many tokens."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional, Type

from ._encode import (
    ALGORITHM_UNSET,
    bind_signing_key,
    build_header,
    compact_token,
    prepare_claims,
    require_algorithm,
    signing_algorithm,
)
from ._jws import DEFAULT_REGISTRY
from ._speedups.b64url import b64url_encode
from ._speedups.json import dumps_compact

__all__ = ["Signer"]


class Signer:
    """Signs many claim sets with one key, algorithm and header, prepared once.

    ``Signer(key, algorithm="ES256", headers={"kid": "k1"}).sign(claims)``
    returns the same token as ``cyjose.encode(claims, key, "ES256",
    headers={"kid": "k1"})``. The key is parsed, checked against the algorithm
    and (for HMAC) keyed once; the header segment is encoded once.

    ``algorithm`` is required, except with a :class:`~cyjose.PyJWK` key, which
    signs with its own algorithm (``Signer(jwk)``), or when ``headers`` names
    ``alg`` (as :class:`cyjose.jws.JWSSigner`); the choice then follows ``encode()``
    exactly (:func:`cyjose._encode.signing_algorithm`).

    Raises TypeError when no algorithm is given by any of the three,
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
        algorithm: Optional[str] = ALGORITHM_UNSET,
        headers: Optional[Dict[str, Any]] = None,
        *,
        json_encoder: Optional[Type[json.JSONEncoder]] = None,
        sort_headers: bool = True,
        enforce_minimum_key_length: bool = False,
    ) -> None:
        require_algorithm(algorithm, key, headers, "Signer")
        self.algorithm: str = signing_algorithm(algorithm, key, headers)
        header, self._detached = build_header(self.algorithm, headers)
        self._json_encoder = json_encoder
        self._bound = bind_signing_key(DEFAULT_REGISTRY, self.algorithm, key, enforce_minimum_key_length)
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
