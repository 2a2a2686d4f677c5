"""The prepared :class:`Verifier`: keys, algorithms and claim rules fixed once."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any, Container, Dict, Iterable, Optional, Sequence, Union

from ._claims import check_claims
from ._json import loads_object
from ._jws import allowed_alg, bind_cached, check_key_strength, decode_jws
from ._options import DEFAULT_OPTIONS, build_claim_rules, merge_options
from .algorithms import BoundKey
from .api_jws import _jws_global_obj, normalize_algorithms
from .exceptions import InvalidAlgorithmError
from .types import Options

__all__ = ["Verifier"]


class Verifier:
    """Verifies many tokens against one key, one allow-list and one set of claim rules.

    Everything that does not depend on the token is done here, once: the key
    is parsed and checked against *every* algorithm in ``algorithms`` (so a
    key that cannot serve one of them fails now, not on some later request),
    HMAC keys get their keyed state, and the claim rules are built.

    ``verify(token)`` returns the claims and ``verify_complete(token)`` returns
    ``{"header", "payload", "signature"}``; both raise exactly what
    ``cyjose.decode(token, key, algorithms, options=..., audience=..., ...)``
    raises for the same token. Construction raises
    :class:`~cyjose.exceptions.InvalidAlgorithmError` for an empty or unknown
    algorithm, :class:`~cyjose.exceptions.InvalidKeyError` for an unusable key,
    TypeError for an ill-typed ``audience``/``leeway``. A short key warns once
    here (or raises with ``enforce_minimum_key_length``).
    """

    __slots__ = ("_keys", "_rules", "algorithms")

    def __init__(
        self,
        key: Any,
        algorithms: Optional[Sequence[str]] = None,
        audience: Union[None, str, Iterable[str]] = None,
        issuer: Union[None, str, Container[str]] = None,
        subject: Optional[str] = None,
        leeway: Union[float, timedelta] = 0,
        options: Optional[Options] = None,
    ) -> None:
        merged = merge_options(DEFAULT_OPTIONS, options)
        self._rules = build_claim_rules(merged, audience, issuer, subject, leeway)
        names = normalize_algorithms(algorithms) or ()
        self.algorithms = tuple(names)
        self._keys: Optional[Dict[str, BoundKey]] = None
        if merged["verify_signature"]:
            if not names:
                raise InvalidAlgorithmError('Verifier needs "algorithms": the algorithms to accept')
            self._keys = {name: self._bind(name, key, merged["enforce_minimum_key_length"]) for name in names}

    @staticmethod
    def _bind(name: str, key: Any, enforce_minimum_key_length: bool) -> BoundKey:
        try:
            algorithm = _jws_global_obj.get_algorithm_by_name(name)
        except NotImplementedError:
            raise InvalidAlgorithmError(f"Algorithm not supported: {name!r}") from None
        bound = bind_cached(algorithm, key)
        check_key_strength(bound, enforce_minimum_key_length)
        return bound

    def _resolve(self, header: Dict[str, Any]) -> Optional[BoundKey]:
        keys = self._keys
        if keys is None:
            return None
        return keys[allowed_alg(header, keys)]

    def verify_complete(self, token: Union[str, bytes], detached_payload: Optional[bytes] = None) -> Dict[str, Any]:
        """Verify ``token``: ``{"header": dict, "payload": dict, "signature": bytes}``."""
        decoded = decode_jws(token, self._resolve, detached_payload)
        payload = loads_object(decoded["payload"], "payload")
        check_claims(payload, self._rules, time.time())
        decoded["payload"] = payload
        return decoded

    def verify(self, token: Union[str, bytes]) -> Dict[str, Any]:
        """Verify ``token`` and return its claims."""
        return self.verify_complete(token)["payload"]

    def __repr__(self) -> str:
        return f"<Verifier algorithms={list(self.algorithms)}>"
