"""The prepared :class:`Signer`: one key, algorithm and header, many tokens."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional, Type

from ._b64url import b64url_encode
from ._encode import algorithm_for, build_header, compact_token, prepare_claims
from ._json import dumps_compact
from ._jws import bind_cached, check_key_strength
from .api_jws import _jws_global_obj

__all__ = ["Signer"]


class Signer:
    """Signs many claim sets with one key, algorithm and header, prepared once.

    ``Signer(key, algorithm="ES256", headers={"kid": "k1"}).sign(claims)``
    returns the same token as ``cyjose.encode(claims, key, "ES256",
    headers={"kid": "k1"})``. The key is parsed, checked against the algorithm
    and (for HMAC) keyed once; the header segment is encoded once.

    Raises :class:`~cyjose.exceptions.InvalidKeyError` for a key that does not
    suit the algorithm, :class:`NotImplementedError` for an unknown algorithm
    (as PyJWT's ``encode``). A short key warns (``InsecureKeyLengthWarning``)
    or, with ``enforce_minimum_key_length=True``, raises.
    """

    __slots__ = ("_bound", "_header_segment", "_detached", "_json_encoder", "algorithm")

    def __init__(
        self,
        key: Any,
        algorithm: str,
        headers: Optional[Dict[str, Any]] = None,
        *,
        json_encoder: Optional[Type[json.JSONEncoder]] = None,
        sort_headers: bool = True,
        enforce_minimum_key_length: bool = False,
    ) -> None:
        self.algorithm = algorithm_for(algorithm, headers)
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
