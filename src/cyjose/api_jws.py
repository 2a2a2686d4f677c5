"""PyJWT-compatible JWS layer: :class:`PyJWS` and its module-level functions."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Sequence, Type

from ._speedups.b64url import b64url_encode
from ._messages import warn_at_caller
from ._encode import algorithm_for, build_header, compact_token
from ._speedups.json import dumps_compact
from ._jws import allowed_alg, bind_cached, bind_named, check_key_strength, decode_jws, load_jws, validate_header
from .algorithms import Algorithm, BoundKey, get_default_algorithms
from .api_jwk import PyJWK
from .exceptions import DecodeError
from .limits import DEFAULT_LIMITS, Limits
from .types import SigOptions
from .warnings import RemovedInPyjwt3Warning

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

_ALGORITHM_UNSET: Any = object()
_MISSING_ALGORITHMS = (
    'It is required that you pass in a value for the "algorithms" argument when calling decode().'
)


def normalize_algorithms(algorithms: Any) -> Optional[Sequence[str]]:
    """``algorithms`` as a collection of names; a lone string names one algorithm.

    (PyJWT would test ``alg in "ES256K"`` as a substring match, letting ES256 in.)
    """
    if isinstance(algorithms, str) and algorithms:
        return (algorithms,)
    names: Optional[Sequence[str]] = algorithms
    return names


def signing_algorithm(algorithm: Any, key: Any, headers: Optional[Dict[str, Any]]) -> str:
    """The algorithm ``encode()`` signs with, by PyJWT's rule.

    ``headers["alg"]`` wins; then an explicit ``algorithm``; with ``algorithm``
    None or not given (``_ALGORITHM_UNSET``) a :class:`PyJWK` key gives its own
    ``algorithm_name``, any other key ``"none"`` (None) or ``"HS256"`` (not given).
    """
    if algorithm is _ALGORITHM_UNSET or algorithm is None:
        if isinstance(key, PyJWK):
            algorithm = key.algorithm_name
        elif algorithm is _ALGORITHM_UNSET:
            algorithm = "HS256"
    return algorithm_for(algorithm, headers)


def signing_key(key: Any, algorithm: str) -> Any:
    """The key to sign ``algorithm`` with: a :class:`PyJWK`'s own key, any other key as is.

    A PyJWK signs only with its own algorithm and only if its ``use`` /
    ``key_ops`` allow "sign": :class:`~cyjose.exceptions.InvalidAlgorithmError`
    or :class:`~cyjose.exceptions.InvalidKeyError` otherwise (PyJWT signs any
    algorithm asked for with the PyJWK's key and ignores both members).
    """
    return key._key_for("sign", algorithm) if isinstance(key, PyJWK) else key


def decode_algorithms(
    algorithms: Optional[Sequence[str]], key: Any, verify_signature: bool
) -> Optional[Sequence[str]]:
    """The algorithms ``decode()`` accepts, by PyJWT's rule.

    ``algorithms`` as :func:`normalize_algorithms` reads it; when it is None
    and ``key`` is a :class:`PyJWK`, the key's own algorithm. Raises
    :class:`DecodeError` when verifying with no algorithms and a key that is
    not a PyJWK (a PyJWK with an empty ``algorithms`` accepts no token, as PyJWT).
    """
    if algorithms:  # the common case first: decode() runs this on every call
        return normalize_algorithms(algorithms) if isinstance(algorithms, str) else algorithms
    if isinstance(key, PyJWK):
        return (key.algorithm_name,) if algorithms is None else algorithms
    if verify_signature:
        raise DecodeError(_MISSING_ALGORITHMS)
    return algorithms


def warn_extra_kwargs(function: str, kwargs: Dict[str, Any]) -> None:
    if kwargs:
        warn_at_caller(
            f"passing additional kwargs to {function}() is deprecated and will be removed in "
            f"pyjwt version 3. Unsupported kwargs: {tuple(kwargs)}",
            RemovedInPyjwt3Warning,
        )


class PyJWS:
    """Sign and verify JWS compact tokens with a registry of algorithms."""

    header_typ = "JWT"

    def __init__(self, algorithms: Optional[Sequence[str]] = None, options: Optional[SigOptions] = None) -> None:
        self._algorithms = get_default_algorithms()
        self._generation = 0  # bumped on every (un)registration: cached decoders are keyed on it
        self._valid_algs = set(algorithms) if algorithms is not None else set(self._algorithms)
        for name in list(self._algorithms):
            if name not in self._valid_algs:
                del self._algorithms[name]
        self.options: SigOptions = self._get_default_options()
        if options is not None:
            self.options = {**self.options, **options}

    @staticmethod
    def _get_default_options() -> SigOptions:
        return {"verify_signature": True, "enforce_minimum_key_length": False}

    def register_algorithm(self, alg_id: str, alg_obj: Algorithm) -> None:
        """Add ``alg_obj`` under the name ``alg_id``; ValueError if taken, TypeError if not an Algorithm."""
        if alg_id in self._algorithms:
            raise ValueError("Algorithm already has a handler.")
        if not isinstance(alg_obj, Algorithm):
            raise TypeError("Object is not of type `Algorithm`")
        self._algorithms[alg_id] = alg_obj
        self._valid_algs.add(alg_id)
        self._generation += 1

    def unregister_algorithm(self, alg_id: str) -> None:
        """Remove ``alg_id``; KeyError if it is not registered."""
        if alg_id not in self._algorithms:
            raise KeyError("The specified algorithm could not be removed because it is not registered.")
        del self._algorithms[alg_id]
        self._valid_algs.remove(alg_id)
        self._generation += 1

    def get_algorithms(self) -> List[str]:
        """The registered algorithm names."""
        return list(self._valid_algs)

    def get_algorithm_by_name(self, alg_name: str) -> Algorithm:
        """The registered :class:`Algorithm` for ``alg_name``; NotImplementedError if none."""
        try:
            return self._algorithms[alg_name]
        except (KeyError, TypeError):
            raise NotImplementedError("Algorithm not supported") from None

    def encode(
        self,
        payload: bytes,
        key: Any,
        algorithm: Optional[str] = _ALGORITHM_UNSET,
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
        key = signing_key(key, name)
        header, detached = build_header(name, headers, self.header_typ, is_payload_detached)
        header_segment = b64url_encode(dumps_compact(header, sort_keys=sort_headers, cls=json_encoder))
        bound = bind_cached(self.get_algorithm_by_name(name), key)
        check_key_strength(bound, self.options.get("enforce_minimum_key_length", False))
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


_jws_global_obj = PyJWS()
encode = _jws_global_obj.encode
decode_complete = _jws_global_obj.decode_complete
decode = _jws_global_obj.decode
register_algorithm = _jws_global_obj.register_algorithm
unregister_algorithm = _jws_global_obj.unregister_algorithm
get_algorithm_by_name = _jws_global_obj.get_algorithm_by_name
get_unverified_header = _jws_global_obj.get_unverified_header
