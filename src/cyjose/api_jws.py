"""PyJWT-compatible JWS layer: :class:`PyJWS` and its module-level functions."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence, Set, Type

from ._encode import ALGORITHM_UNSET, bind_signing_key, build_header, compact_token, signing_algorithm
from ._jws import (
    DEFAULT_REGISTRY,
    AlgorithmRegistry,
    allowed_alg,
    bind_named,
    decode_algorithms,
    decode_jws,
    load_jws,
    validate_header,
)
from ._messages import warn_extra_kwargs
from ._speedups.b64url import b64url_encode
from ._speedups.json import dumps_compact
from .algorithms import Algorithm, BoundKey
from .limits import DEFAULT_LIMITS, Limits
from .types import SigOptions

__all__ = [
    "PyJWS",
    "encode",
    "decode",
    "decode_complete",
    "get_unverified_header",
    "register_algorithm",
    "unregister_algorithm",
    "get_algorithm_by_name",
]

class PyJWS:
    """Sign and verify JWS compact tokens with a registry of algorithms."""

    header_typ = "JWT"

    def __init__(self, algorithms: Optional[Sequence[str]] = None, options: Optional[SigOptions] = None) -> None:
        self._registry = AlgorithmRegistry(algorithms)
        self.options: SigOptions = self._get_default_options()
        if options is not None:
            self.options = {**self.options, **options}

    @classmethod
    def _over(cls, registry: AlgorithmRegistry) -> PyJWS:
        """A PyJWS whose algorithms are ``registry`` (the module-level one uses the process-wide registry)."""
        jws = cls()
        jws._registry = registry
        return jws

    # PyJWT's attribute names for the registry's state, which subclasses and tests read.
    @property
    def _algorithms(self) -> Dict[str, Algorithm]:
        return self._registry.algorithms

    @property
    def _valid_algs(self) -> Set[str]:
        return self._registry.valid

    @property
    def _generation(self) -> int:  # cached decode() Verifiers are keyed on it
        return self._registry.generation

    @staticmethod
    def _get_default_options() -> SigOptions:
        return {"verify_signature": True, "enforce_minimum_key_length": False}

    def register_algorithm(self, alg_id: str, alg_obj: Algorithm) -> None:
        """Add ``alg_obj`` under the name ``alg_id``; ValueError if taken, TypeError if not an Algorithm."""
        self._registry.register(alg_id, alg_obj)

    def unregister_algorithm(self, alg_id: str) -> None:
        """Remove ``alg_id``; KeyError if it is not registered."""
        self._registry.unregister(alg_id)

    def get_algorithms(self) -> List[str]:
        """The registered algorithm names."""
        return self._registry.names()

    def get_algorithm_by_name(self, alg_name: str) -> Algorithm:
        """The registered :class:`Algorithm` for ``alg_name``; NotImplementedError if none."""
        return self._registry.get_algorithm_by_name(alg_name)

    def encode(
        self,
        payload: bytes,
        key: Any,
        algorithm: Optional[str] = ALGORITHM_UNSET,
        headers: Optional[Dict[str, Any]] = None,
        json_encoder: Optional[Type[json.JSONEncoder]] = None,
        is_payload_detached: bool = False,
        sort_headers: bool = True,
    ) -> str:
        """Sign ``payload`` bytes; returns the compact token.

        ``algorithm`` defaults to HS256, or to the key's own algorithm for a
        :class:`~cyjose.PyJWK` key; ``headers["alg"]`` overrides it; with
        ``algorithm=None`` the token is unsigned (``none``) unless the key is a
        PyJWK (see :func:`signing_algorithm`). Raises
        :class:`~cyjose.exceptions.InvalidKeyError` for an unsuitable key,
        :class:`~cyjose.exceptions.InvalidAlgorithmError` for a PyJWK asked to
        sign another algorithm than its own, and NotImplementedError for an
        unknown algorithm.
        """
        name = signing_algorithm(algorithm, key, headers)
        header, detached = build_header(name, headers, self.header_typ, is_payload_detached)
        header_segment = b64url_encode(dumps_compact(header, sort_keys=sort_headers, cls=json_encoder))
        bound = bind_signing_key(self, name, key, self.options.get("enforce_minimum_key_length", False))
        return compact_token(header_segment, payload, detached, bound.sign)

    def _key_resolver(self, key: Any, algorithms: Optional[Sequence[str]], options: SigOptions) -> Any:
        if not options["verify_signature"]:
            return lambda header: None
        enforce = options.get("enforce_minimum_key_length", False)

        def resolve(header: Dict[str, Any]) -> BoundKey:
            return bind_named(self, allowed_alg(header, algorithms), key, enforce)

        return resolve

    def decode_complete(
        self,
        jwt: Any,
        key: Any = "",
        algorithms: Optional[Sequence[str]] = None,
        options: Optional[SigOptions] = None,
        detached_payload: Optional[bytes] = None,
        *,
        limits: Limits = DEFAULT_LIMITS,
        **kwargs: Any,
    ) -> Dict[str, Any]:
        """Verify ``jwt``; returns ``{"payload": bytes, "header": dict, "signature": bytes}``.

        ``algorithms`` must name the accepted algorithms unless signature
        verification is off or ``key`` is a :class:`~cyjose.PyJWK` (then its
        own algorithm is the default). ``limits`` (a cyjose addition) bounds the
        token's size and header nesting (:class:`cyjose.limits.Limits`).
        Raises :mod:`cyjose.exceptions` errors only.
        """
        warn_extra_kwargs("decode_complete", kwargs)
        merged: SigOptions = self.options if options is None else {**self.options, **options}
        algorithms = decode_algorithms(algorithms, key, merged["verify_signature"])
        return decode_jws(jwt, self._key_resolver(key, algorithms, merged), detached_payload, limits)

    def decode(
        self,
        jwt: Any,
        key: Any = "",
        algorithms: Optional[Sequence[str]] = None,
        options: Optional[SigOptions] = None,
        detached_payload: Optional[bytes] = None,
        *,
        limits: Limits = DEFAULT_LIMITS,
        **kwargs: Any,
    ) -> Any:
        """Like :meth:`decode_complete`, returning only the payload bytes."""
        warn_extra_kwargs("decode", kwargs)
        return self.decode_complete(
            jwt, key, algorithms, options, detached_payload=detached_payload, limits=limits)["payload"]

    def get_unverified_header(self, jwt: Any) -> Dict[str, Any]:
        """The token's header, NOT verified: do not trust it before verification."""
        header = load_jws(jwt)[1]
        validate_header(header)
        return header


_jws_global_obj = PyJWS._over(DEFAULT_REGISTRY)
encode = _jws_global_obj.encode
decode_complete = _jws_global_obj.decode_complete
decode = _jws_global_obj.decode
register_algorithm = _jws_global_obj.register_algorithm
unregister_algorithm = _jws_global_obj.unregister_algorithm
get_algorithm_by_name = _jws_global_obj.get_algorithm_by_name
get_unverified_header = _jws_global_obj.get_unverified_header
