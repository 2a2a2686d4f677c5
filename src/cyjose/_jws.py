"""The JWS decoding steps shared by ``decode()``, ``PyJWS`` and :class:`Verifier`, and the
algorithm registry and allow-list rules they all look names up with.

One token goes: split -> header (base64url, JSON, ``kid``/``crit`` rules) ->
payload and signature segments -> RFC 7797 ``b64`` handling -> signature check
with a key chosen by the caller's resolver. Everything a token can get wrong
raises a :mod:`cyjose.exceptions` class.
"""

from __future__ import annotations

from typing import Any, Callable, Collection, Dict, List, Optional, Sequence, Set, Tuple

from ._messages import warn_at_caller
from ._speedups.b64url import b64url_decode
from ._speedups.compact import split_jws
from ._speedups.json import loads_object, loads_unique
from .algorithms import Algorithm, BoundKey, get_default_algorithms
from .api_jwk import PyJWK
from .exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidTokenError,
)
from .limits import DEFAULT_LIMITS, Limits
from .warnings import InsecureKeyLengthWarning

__all__ = [
    "AlgorithmRegistry",
    "DEFAULT_REGISTRY",
    "normalize_algorithms",
    "decode_algorithms",
    "decode_unverified",
    "SUPPORTED_CRIT",
    "load_jws",
    "validate_header",
    "decode_jws",
    "allowed_alg",
    "bind_cached",
    "bind_named",
    "check_key_strength",
]

#: Critical header extensions cyjose understands (RFC 7515 §4.1.11).
SUPPORTED_CRIT = frozenset({"b64"})

KeyResolver = Callable[[Dict[str, Any]], Optional[BoundKey]]

_MISSING_ALGORITHMS = (
    'It is required that you pass in a value for the "algorithms" argument when calling decode().'
)


class AlgorithmRegistry:
    """Algorithms by name: what a token's ``alg`` may mean, and what a signer may use.

    ``algorithms`` restricts the registry to those names (None: every default
    algorithm). ``generation`` changes on every (un)registration, so caches
    keyed on a registry (the ``decode()`` Verifiers) never outlive a change.
    """

    def __init__(self, algorithms: Optional[Sequence[str]] = None) -> None:
        self.algorithms: Dict[str, Algorithm] = get_default_algorithms()
        self.valid: Set[str] = set(algorithms) if algorithms is not None else set(self.algorithms)
        for name in list(self.algorithms):
            if name not in self.valid:
                del self.algorithms[name]
        self.generation = 0

    def register(self, alg_id: str, alg_obj: Algorithm) -> None:
        """Add ``alg_obj`` under ``alg_id``; ValueError if taken, TypeError if not an Algorithm."""
        if alg_id in self.algorithms:
            raise ValueError("Algorithm already has a handler.")
        if not isinstance(alg_obj, Algorithm):
            raise TypeError("Object is not of type `Algorithm`")
        self.algorithms[alg_id] = alg_obj
        self.valid.add(alg_id)
        self.generation += 1

    def unregister(self, alg_id: str) -> None:
        """Remove ``alg_id``; KeyError if it is not registered."""
        if alg_id not in self.algorithms:
            raise KeyError("The specified algorithm could not be removed because it is not registered.")
        del self.algorithms[alg_id]
        self.valid.remove(alg_id)
        self.generation += 1

    def names(self) -> List[str]:
        """The registered algorithm names."""
        return list(self.valid)

    def get_algorithm_by_name(self, alg_name: str) -> Algorithm:
        """The registered :class:`Algorithm` for ``alg_name``; NotImplementedError if none."""
        try:
            return self.algorithms[alg_name]
        except (KeyError, TypeError):
            raise NotImplementedError("Algorithm not supported") from None

    @property
    def _generation(self) -> int:  # the name bind_named's callers key caches on (PyJWS has it too)
        return self.generation


#: The process-wide registry: ``cyjose.register_algorithm`` changes it, and ``decode()``,
#: :class:`cyjose.Verifier`, :class:`cyjose.Signer` and :mod:`cyjose.jws` look names up in it.
DEFAULT_REGISTRY = AlgorithmRegistry()


def normalize_algorithms(algorithms: Any) -> Optional[Sequence[str]]:
    """``algorithms`` as a collection of names; a lone string names one algorithm.

    (PyJWT would test ``alg in "ES256K"`` as a substring match, letting ES256 in.)
    """
    if isinstance(algorithms, str) and algorithms:
        return (algorithms,)
    names: Optional[Sequence[str]] = algorithms
    return names


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


def load_jws(token: Any, limits: Limits = DEFAULT_LIMITS) -> Tuple[bytes, Dict[str, Any], bytes, bytes]:
    """Split and decode ``token``: ``(signing_input, header, payload, signature)``.

    The token must be within ``limits.max_token_bytes`` and its header within
    ``limits.max_json_depth``, with no member name given twice. With
    ``"b64": false`` in the header the payload segment must be empty and is
    not decoded (the caller supplies the detached payload).
    """
    signing_input, header_segment, payload_segment, signature_segment = split_jws(token, limits.max_token_bytes)
    header = loads_unique(b64url_decode(header_segment, "header"), "header", limits.max_json_depth)
    if header.get("b64", True) is False:
        if payload_segment:
            raise DecodeError("Payload segment must be empty when 'b64' is false.")
        payload = b""
    else:
        payload = b64url_decode(payload_segment, "payload")
    return signing_input, header, payload, b64url_decode(signature_segment, "crypto")


def validate_header(header: Dict[str, Any], supported_crit: Collection[str] = SUPPORTED_CRIT) -> None:
    """Enforce the ``kid`` type and the ``crit`` rules; raise :class:`InvalidTokenError`."""
    if "kid" in header and not isinstance(header["kid"], str):
        raise InvalidTokenError("Key ID header parameter must be a string")
    if "crit" not in header:
        return
    crit = header["crit"]
    if not isinstance(crit, list) or not crit:
        raise InvalidTokenError("Invalid 'crit' header: must be a non-empty list")
    if not all(isinstance(extension, str) for extension in crit):
        raise InvalidTokenError("Invalid 'crit' header: values must be strings")
    if len(set(crit)) != len(crit):  # RFC 7515 §4.1.11: a list of names, each once
        raise InvalidTokenError("Invalid 'crit' header: a name is listed more than once")
    for extension in crit:
        if extension not in supported_crit:
            raise InvalidTokenError(f"Unsupported critical extension: {extension}")
        if extension not in header:
            raise InvalidTokenError(f"Critical extension '{extension}' is missing from headers")


def _apply_detached(
    header: Dict[str, Any], payload: bytes, signing_input: bytes, detached_payload: Optional[bytes]
) -> Tuple[bytes, bytes]:
    """Return ``(payload, signing_input)`` after RFC 7797 ``b64: false`` handling."""
    unencoded = header.get("b64", True) is False
    if detached_payload is not None and not unencoded:
        raise DecodeError(
            'It is only valid to pass "detached_payload" when the protected header has "b64" set to false.'
        )
    if not unencoded:
        return payload, signing_input
    crit = header.get("crit") or []
    if not isinstance(crit, list) or "b64" not in crit:
        raise InvalidTokenError("The 'b64' header parameter requires 'b64' to be listed in 'crit'.")
    if detached_payload is None:
        raise DecodeError(
            'It is required that you pass in a value for the "detached_payload" argument to '
            "decode a message having the b64 header set to false."
        )
    if not isinstance(detached_payload, bytes):
        raise DecodeError('The "detached_payload" argument must be bytes')
    return detached_payload, signing_input[: signing_input.rindex(b".") + 1] + detached_payload


def decode_jws(
    token: Any, resolve_key: KeyResolver, detached_payload: Optional[bytes] = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Dict[str, Any]:
    """Decode ``token`` and check its signature with the key ``resolve_key(header)`` gives.

    ``resolve_key`` returns None to skip the signature check (verification
    turned off) and raises for a disallowed algorithm or unusable key.
    Returns ``{"payload": bytes, "header": dict, "signature": bytes}``.
    """
    signing_input, header, payload, signature = load_jws(token, limits)
    validate_header(header)
    payload, signing_input = _apply_detached(header, payload, signing_input, detached_payload)
    bound = resolve_key(header)
    if bound is not None and not bound.verify(signing_input, signature):
        raise InvalidSignatureError("Signature verification failed")
    return {"payload": payload, "header": header, "signature": signature}


def allowed_alg(header: Dict[str, Any], algorithms: Optional[Collection[str]]) -> str:
    """The header's ``alg`` if it is a non-empty string in ``algorithms`` (None: any)."""
    try:
        alg = header["alg"]
    except KeyError:
        raise InvalidAlgorithmError("Algorithm not specified") from None
    if not alg or type(alg) is not str or (algorithms is not None and alg not in algorithms):
        raise InvalidAlgorithmError("The specified alg value is not allowed")
    return alg


_BOUND_CACHE: Dict[Tuple[Algorithm, type, Any], Tuple[Any, BoundKey]] = {}
_BOUND_CACHE_SIZE = 256


def bind_cached(algorithm: Algorithm, key: Any) -> BoundKey:
    """``algorithm.bind_key(key)``, remembered.

    A PEM, secret or key object passed on every ``decode()`` call is prepared
    once. Entries are keyed by the algorithm object and the exact key: a
    ``str``/``bytes`` key by value (and type), any other key by identity (the
    entry holds the object, so its identity cannot be reused while cached).
    At most 256 entries (oldest evicted first); failures are never cached.
    """
    key_type = type(key)
    by_value = key_type is str or key_type is bytes
    cache_key = (algorithm, key_type, key if by_value else id(key))
    cached = _BOUND_CACHE.get(cache_key)
    if cached is not None and (by_value or cached[0] is key):
        return cached[1]
    bound = algorithm.bind_key(key)
    while len(_BOUND_CACHE) >= _BOUND_CACHE_SIZE:
        try:
            _BOUND_CACHE.pop(next(iter(_BOUND_CACHE)), None)
        except (StopIteration, RuntimeError):  # emptied or resized by another thread
            break
    _BOUND_CACHE[cache_key] = (key, bound)
    return bound


def bind_named(registry: Any, name: str, key: Any, enforce: bool, name_in_error: bool = False) -> BoundKey:
    """``key`` prepared for the algorithm ``registry`` knows as ``name``, its length checked.

    Raises :class:`InvalidAlgorithmError` for an unknown name and whatever
    preparing the key or :func:`check_key_strength` raises. A :class:`PyJWK`
    verifies only tokens of its own algorithm, and only if its ``use`` /
    ``key_ops`` allow "verify" (:meth:`PyJWK.usable_for`).
    """
    if isinstance(key, PyJWK):
        key = key._key_for("verify", name)
    elif hasattr(key, "get_signing_key_from_jwt"):  # a JWKS client given where a key is expected
        raise InvalidKeyError(
            f"A {type(key).__name__} is a key source, not a key: give it to a Verifier "
            "(Verifier(client, ...).verify(token), or await .averify(token) for an AsyncPyJWKClient), "
            "or pass client.get_signing_key_from_jwt(token) as the key"
        )
    try:
        algorithm = registry.get_algorithm_by_name(name)
    except NotImplementedError:
        detail = f": {name!r}" if name_in_error else ""
        raise InvalidAlgorithmError(f"Algorithm not supported{detail}") from None
    bound = bind_cached(algorithm, key)
    check_key_strength(bound, enforce)
    return bound


def check_key_strength(bound: BoundKey, enforce: bool) -> None:
    """Warn (or raise :class:`InvalidKeyError` when ``enforce``) about a short key."""
    if bound.weakness is None:
        return
    if enforce:
        raise InvalidKeyError(bound.weakness)
    warn_at_caller(bound.weakness, InsecureKeyLengthWarning)


def decode_unverified(token: Any, limits: Limits = DEFAULT_LIMITS) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """``(header, claims)`` of ``token``, NOT verified: what ``decode(..., options={"verify_signature": False})``
    reads (the header checked as always, the payload a JSON object), without any claim check.

    For choosing a key by the token's ``kid``; never trust either before verification.
    """
    _, header, payload, _ = load_jws(token, limits)
    validate_header(header)
    return header, loads_object(payload, "payload", limits.max_json_depth)
