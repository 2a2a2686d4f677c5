"""The JWS JSON Serialization (RFC 7515 §7.2): general and flattened forms.

:func:`sign_json` signs a payload with one or more :class:`JWSSigner` and
returns the JSON object (a ``dict``; serialise it with any JSON library);
:func:`verify_json` checks such an object (``dict``, JSON text or bytes).
Both support detached content (RFC 7515 Appendix F) and the unencoded payload
option ``"b64": false`` (RFC 7797).

The compact serialization keeps its single home in :mod:`cyjose.api_jws`
(``cyjose.encode`` / ``cyjose.decode``, PyJWT's API); it is not re-exported here.

Rules this module enforces, on both sides:

* a header parameter name appears in the protected or the unprotected header
  of a signature, never both (RFC 7515 §7.2.1); ``alg`` is required;
* ``crit`` and ``b64`` are accepted only in the protected header, and every
  signature has the same ``b64`` (RFC 7515 §4.1.11, RFC 7797 §3, §6);
* at most ``limits.max_signatures`` signatures (32; :class:`cyjose.limits.Limits`),
  JSON text and each base64url member at most ``limits.max_token_bytes``
  (1 MiB), JSON nesting at most ``limits.max_json_depth``, and no member name
  repeated in any object.

:func:`sign_json` always puts ``alg`` in the protected header.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, List, NamedTuple, Optional, Sequence, Tuple, Type, Union

from ._encode import ALGORITHM_UNSET, bind_signing_key, build_header, require_algorithm, signing_algorithm
from ._jws import DEFAULT_REGISTRY, allowed_alg, bind_named, normalize_algorithms, validate_header
from ._keyset import check_key_set, jwk_set_of, keys_for_header
from ._messages import shown
from ._serialized import ascii_member, check_disjoint, load_serialized
from ._speedups.b64url import b64url_decode, b64url_encode
from ._speedups.json import dumps_compact, loads_unique
from .algorithms import BoundKey
from .api_jwk import PyJWK
from .exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidSignatureError,
    InvalidTokenError,
    PyJWTError,
    UnknownKeyError,
)
from .limits import DEFAULT_LIMITS, Limits, checked_limits, exceeded

__all__ = ["JWSSigner", "sign_json", "verify_json", "MAX_SIGNATURES"]

#: The most signatures :func:`sign_json` writes (what :func:`verify_json` reads by default).
MAX_SIGNATURES = DEFAULT_LIMITS.max_signatures

#: Header parameters that must be integrity protected (RFC 7515 §4.1.11, RFC 7797 §6).
_PROTECTED_ONLY = ("crit", "b64")
_B64_NOT_CRITICAL = "The 'b64' header parameter requires 'b64' to be listed in 'crit'."


@dataclass(frozen=True)
class JWSSigner:
    """One signature to make: the key, its algorithm and its two headers.

    ``algorithm`` may be left out only for a :class:`~cyjose.PyJWK` key (it
    signs with its own) or when ``headers`` names ``alg``. ``headers`` are
    the *protected* header parameters, as ``headers`` in ``cyjose.encode``
    (``{"b64": False}`` signs the payload unencoded); ``unprotected`` go into
    the signature's ``"header"`` member. The key never appears in the repr.
    """

    key: Any = field(repr=False)
    algorithm: Optional[str] = None
    headers: Optional[Dict[str, Any]] = None
    unprotected: Optional[Dict[str, Any]] = None


class _Prepared(NamedTuple):
    """A signer ready to sign: its encoded protected header and bound key."""

    segment: bytes
    unprotected: Optional[Dict[str, Any]]
    unencoded: bool
    bound: BoundKey


class _Signature(NamedTuple):
    """One parsed signature of a JWS JSON object."""

    segment: bytes  # the protected header as it appears in the signing input
    protected: Dict[str, Any]
    header: Dict[str, Any]  # protected and unprotected parameters together
    signature: bytes


# --------------------------------------------------------------------------- signing


def sign_json(
    payload: bytes,
    signers: Union[JWSSigner, Sequence[JWSSigner]],
    *,
    flattened: bool = False,
    detached: bool = False,
    sort_headers: bool = True,
    json_encoder: Optional[Type[json.JSONEncoder]] = None,
    enforce_minimum_key_length: bool = False,
) -> Dict[str, Any]:
    """Sign ``payload`` bytes once per signer; returns the JWS JSON object.

    The general form (``{"payload", "signatures": [...]}``) by default; with
    ``flattened=True`` the flattened form, which holds exactly one signature.
    ``detached=True`` leaves out the ``payload`` member (the verifier passes
    the content as ``detached_payload``). With ``"b64": False`` in the signers'
    ``headers`` the payload member is the payload itself, which must then be
    UTF-8 text unless detached.

    Raises TypeError / ValueError for ill-typed or miscounted arguments,
    :class:`~cyjose.exceptions.InvalidTokenError` for headers that break the
    rules in the module docstring, :class:`~cyjose.exceptions.InvalidKeyError`
    for a key that cannot sign its algorithm (a short key warns, or raises with
    ``enforce_minimum_key_length``), :class:`~cyjose.exceptions.InvalidAlgorithmError`
    for a PyJWK asked to sign another algorithm, NotImplementedError for an
    unknown algorithm (as ``cyjose.encode``).
    """
    if not isinstance(payload, bytes):
        raise TypeError("payload must be bytes")
    signer_list = [signers] if isinstance(signers, JWSSigner) else list(signers)
    if not 1 <= len(signer_list) <= MAX_SIGNATURES:
        raise ValueError(f"sign_json needs 1 to {MAX_SIGNATURES} signers, got {len(signer_list)}")
    if flattened and len(signer_list) != 1:
        raise ValueError("The flattened form holds exactly one signature")
    prepared = [_prepare(s, sort_headers, json_encoder, enforce_minimum_key_length) for s in signer_list]
    unencoded = _same_b64([p.unencoded for p in prepared])
    signed_payload = payload if unencoded else b64url_encode(payload)
    signatures = [_signature_member(p, signed_payload) for p in prepared]
    result: Dict[str, Any] = {}
    if not detached:
        result["payload"] = _payload_member(signed_payload, unencoded)
    if flattened:
        result.update(signatures[0])
    else:
        result["signatures"] = signatures
    return result


def _prepare(
    signer: JWSSigner, sort_headers: bool, json_encoder: Optional[Type[json.JSONEncoder]], enforce: bool
) -> _Prepared:
    """Choose the algorithm, build both headers and bind the key, as ``cyjose.Signer`` does."""
    if not isinstance(signer, JWSSigner):
        raise TypeError(f"Expected JWSSigner objects, got {type(signer).__name__}")
    headers = signer.headers
    algorithm = ALGORITHM_UNSET if signer.algorithm is None else signer.algorithm  # None: not given
    require_algorithm(algorithm, signer.key, headers, "JWSSigner")
    name = signing_algorithm(algorithm, signer.key, headers)
    protected, unencoded = build_header(name, headers, typ="")
    _check_header_split(protected, signer.unprotected or {})
    validate_header({**protected, **(signer.unprotected or {})})
    bound = bind_signing_key(DEFAULT_REGISTRY, name, signer.key, enforce)
    segment = b64url_encode(dumps_compact(protected, sort_keys=sort_headers, cls=json_encoder))
    return _Prepared(segment, dict(signer.unprotected) if signer.unprotected else None, unencoded, bound)


def _signature_member(prepared: _Prepared, signed_payload: bytes) -> Dict[str, Any]:
    signature = prepared.bound.sign(prepared.segment + b"." + signed_payload)
    member: Dict[str, Any] = {"protected": prepared.segment.decode("ascii")}
    if prepared.unprotected:
        member["header"] = prepared.unprotected
    member["signature"] = b64url_encode(signature).decode("ascii")
    return member


def _payload_member(signed_payload: bytes, unencoded: bool) -> str:
    """The ``payload`` member: base64url text, or the unencoded payload as text."""
    try:
        return signed_payload.decode("utf-8" if unencoded else "ascii")
    except UnicodeDecodeError:
        raise InvalidTokenError(
            "An unencoded ('b64': false) payload must be UTF-8 text to travel in the JSON object; "
            "sign it detached instead"
        ) from None


# --------------------------------------------------------------------------- shared header rules


def _check_header_split(protected: Dict[str, Any], unprotected: Any) -> None:
    """The protected/unprotected split rules; raise :class:`DecodeError` / :class:`InvalidTokenError`."""
    check_disjoint(protected, unprotected, "JWS")
    for name in unprotected:
        if name in _PROTECTED_ONLY:
            raise InvalidTokenError(f"The '{name}' header parameter must be in the protected header")


def _b64(protected: Dict[str, Any]) -> bool:
    """True when the payload is unencoded (RFC 7797); checks ``b64`` is a boolean listed in ``crit``."""
    b64 = protected.get("b64", True)
    if type(b64) is not bool:
        raise InvalidTokenError("Invalid 'b64' header: must be a boolean")
    if not b64 and "b64" not in protected.get("crit", ()):
        raise InvalidTokenError(_B64_NOT_CRITICAL)
    return not b64


def _same_b64(unencoded: List[bool]) -> bool:
    """The one ``b64`` choice of all signatures (RFC 7797 §3: they must agree)."""
    if len(set(unencoded)) != 1:
        raise InvalidTokenError("Every signature must have the same 'b64' header value")
    return unencoded[0]


# --------------------------------------------------------------------------- verifying


def verify_json(
    data: Union[Dict[str, Any], str, bytes],
    key: Any,
    algorithms: Optional[Sequence[str]] = None,
    *,
    detached_payload: Optional[bytes] = None,
    require_all: bool = False,
    enforce_minimum_key_length: bool = False,
    limits: Limits = DEFAULT_LIMITS,
) -> Dict[str, Any]:
    """Verify a JWS in the general or flattened JSON serialization.

    ``key`` is anything ``cyjose.decode`` takes (secret, PEM, key object,
    :class:`~cyjose.PyJWK`), or a JWK set (:class:`~cyjose.PyJWKSet` or a
    ``{"keys": [...]}`` dict; for a :class:`~cyjose.PyJWKClient` pass
    ``client.get_jwk_set()``). ``algorithms`` is required, except with a PyJWK
    (default: its own algorithm).

    Which signatures are checked: those whose ``alg`` is in ``algorithms``
    and for which ``key`` gives a key -- a single key serves every such
    signature; a PyJWK only its own algorithm and, when both name a ``kid``,
    only its own ``kid``; a set gives the key with the signature's ``kid``
    that serves its ``alg`` (no ``kid``: the set's only key for that ``alg``).
    **Every checked signature must verify and at least one must be checked.**
    The others are skipped, unless ``require_all=True``: then every signature
    must be checked and verify.

    A set must pass :func:`cyjose._keyset.check_key_set` with
    ``by_algorithm=True`` (:class:`~cyjose.exceptions.PyJWKSetError`
    otherwise): as :class:`~cyjose.Verifier`, members that could not be
    loaded count, so a ``kid`` repeated where one copy is broken is refused.
    Unlike a Verifier, it accepts ``oct`` keys next to asymmetric ones and
    several keys sharing a ``kid`` for different algorithms: the JWS JSON
    serialization exists to carry several signatures, MACs and signatures
    alike, checked together (``require_all``) against one set -- RFC 7520
    §4.8's own key set holds an RSA and an EC key sharing one ``kid`` and an
    HMAC key. Every key is bound to its algorithm and chosen by ``kid`` and
    ``alg``, so neither can confuse algorithms; two keys that could serve the
    same signature are still refused (``UnknownKeyError``).

    ``detached_payload`` (bytes) is the content of a JWS without a ``payload``
    member. Returns ``{"payload": bytes, "header": dict, "signatures": [...]}``
    where ``header`` is the joint header of the first verified signature and
    each entry of ``signatures`` (in order) is ``{"header": dict, "protected":
    dict, "signature": bytes, "verified": bool}``. Only protected parameters
    are covered by a signature. ``limits`` bounds the input's size, nesting
    and number of signatures (:class:`cyjose.limits.Limits`).

    Raises :class:`~cyjose.exceptions.DecodeError` for malformed input
    (:class:`~cyjose.exceptions.LimitExceededError` over a limit),
    :class:`~cyjose.exceptions.InvalidSignatureError` when a checked signature
    does not verify, :class:`~cyjose.exceptions.InvalidAlgorithmError` for a
    missing or (when nothing was checked) disallowed ``alg``,
    :class:`~cyjose.exceptions.UnknownKeyError` when no key was found (or a
    set holds several for one signature), :class:`~cyjose.exceptions.PyJWKSetError`
    for a set refused as above, :class:`~cyjose.exceptions.InvalidTokenError`
    for header rule violations and :class:`~cyjose.exceptions.InvalidKeyError`
    for a key that cannot verify a signature's algorithm.
    """
    accepted = _accepted_algorithms(algorithms, key)
    candidates = [key] if isinstance(key, PyJWK) else _set_candidates(key)
    limits = checked_limits(limits)
    obj = load_serialized(data, "JWS", limits)
    signatures = [_parse_signature(entry, limits) for entry in _signature_entries(obj, limits.max_signatures)]
    unencoded = _same_b64([_b64(s.protected) for s in signatures])
    payload, signed_payload = _payload(obj, unencoded, detached_payload, limits.max_token_bytes)
    results: List[Dict[str, Any]] = []
    skipped: List[PyJWTError] = []
    for sig in signatures:
        bound = _key_for(sig.header, key, candidates, accepted, enforce_minimum_key_length)
        if isinstance(bound, PyJWTError):
            if require_all:
                raise bound
            skipped.append(bound)
        elif not bound.verify(sig.segment + b"." + signed_payload, sig.signature):
            raise InvalidSignatureError("Signature verification failed")
        verified = not isinstance(bound, PyJWTError)
        results.append({"header": sig.header, "protected": sig.protected, "signature": sig.signature,
                        "verified": verified})
    first = next((r for r in results if r["verified"]), None)
    if first is None:
        raise skipped[0]
    return {"payload": payload, "header": first["header"], "signatures": results}


def _set_candidates(key: Any) -> Optional[List[PyJWK]]:
    """The keys of a JWK set ``key`` that passes :func:`check_key_set` (``by_algorithm``); None for other keys."""
    jwk_set = jwk_set_of(key)
    if jwk_set is None:
        return None
    check_key_set(jwk_set, by_algorithm=True)
    return list(jwk_set.keys)


def _accepted_algorithms(algorithms: Optional[Sequence[str]], key: Any) -> FrozenSet[str]:
    """The allow-list: ``algorithms``, or a lone PyJWK's own algorithm when it is None."""
    if algorithms is None and isinstance(key, PyJWK):
        return frozenset((key.algorithm_name,))
    if not algorithms and not isinstance(key, PyJWK):
        raise DecodeError('verify_json() needs "algorithms": the algorithms to accept')
    return frozenset(normalize_algorithms(algorithms) or ())


def _signature_entries(obj: Dict[str, Any], max_signatures: int) -> List[Any]:
    """The signature objects: the ``signatures`` list (general) or the object itself (flattened)."""
    if "signatures" not in obj:
        if "signature" not in obj:
            raise DecodeError("Invalid JWS: neither a 'signatures' nor a 'signature' member")
        return [obj]
    if any(name in obj for name in ("protected", "header", "signature")):
        raise DecodeError("Invalid JWS: mixes the general and the flattened form")
    entries = obj["signatures"]
    if not isinstance(entries, list) or not entries:
        raise DecodeError("Invalid JWS: 'signatures' must be a non-empty array")
    if len(entries) > max_signatures:
        raise exceeded(f"The number of signatures ({len(entries)})", "max_signatures", max_signatures)
    return entries


def _parse_signature(entry: Any, limits: Limits) -> _Signature:
    """Decode one signature object and apply the header rules to it."""
    if not isinstance(entry, dict):
        raise DecodeError("Invalid JWS: each signature must be a JSON object")
    max_bytes = limits.max_token_bytes
    segment = ascii_member(entry, "protected", "JWS", max_bytes) if "protected" in entry else b""
    protected = loads_unique(b64url_decode(segment, "header"), "header", limits.max_json_depth) \
        if "protected" in entry else {}
    unprotected = entry.get("header", {})
    _check_header_split(protected, unprotected)
    header = {**protected, **unprotected}
    validate_header(header)
    if "signature" not in entry:
        raise DecodeError("Invalid JWS: a signature object has no 'signature' member")
    signature = b64url_decode(ascii_member(entry, "signature", "JWS", max_bytes), "signature")
    return _Signature(segment, protected, header, signature)


def _payload(obj: Dict[str, Any], unencoded: bool, detached: Optional[bytes], max_bytes: int) -> Tuple[bytes, bytes]:
    """``(payload, payload as signed)`` from the ``payload`` member or the detached content."""
    if "payload" in obj:
        if detached is not None:
            raise DecodeError('The JWS has a "payload" member: "detached_payload" must not be given')
        if not unencoded:
            segment = ascii_member(obj, "payload", "JWS", max_bytes)
            return b64url_decode(segment, "payload"), segment
        text = obj["payload"]
        if not isinstance(text, str):
            raise DecodeError("Invalid JWS: 'payload' must be a string")
        try:
            raw = text.encode("utf-8")
        except UnicodeEncodeError:
            raise DecodeError("Invalid JWS: 'payload' is not valid UTF-8 text") from None
        return raw, raw
    if detached is None:
        raise DecodeError('The JWS has no "payload" member: pass the content as "detached_payload"')
    if not isinstance(detached, bytes):
        raise DecodeError('The "detached_payload" argument must be bytes')
    return detached, detached if unencoded else b64url_encode(detached)


def _key_for(
    header: Dict[str, Any], key: Any, candidates: Optional[List[PyJWK]], accepted: FrozenSet[str], enforce: bool
) -> Union[BoundKey, PyJWTError]:
    """The bound key for a signature, or the reason it has none (an error to raise if nothing verifies)."""
    alg = allowed_alg(header, None)  # a missing or ill-typed alg is malformed, whatever the policy
    if alg not in accepted:
        return InvalidAlgorithmError("The specified alg value is not allowed")
    if candidates is None:
        return bind_named(DEFAULT_REGISTRY, alg, key, enforce)
    jwk = _choose_jwk(candidates, header.get("kid"), alg, lone=isinstance(key, PyJWK))
    if isinstance(jwk, PyJWTError):
        return jwk
    return bind_named(DEFAULT_REGISTRY, alg, jwk, enforce)


def _choose_jwk(candidates: List[PyJWK], kid: Optional[str], alg: str, lone: bool) -> Union[PyJWK, PyJWTError]:
    """The JWK that serves ``alg`` with this ``kid`` (see :func:`verify_json`), or why there is none.

    In a set several keys may share a ``kid`` (one per algorithm, RFC 7520
    §4.8) and keys whose ``use``/``key_ops`` forbid verifying are passed over;
    a lone PyJWK without ``kid`` matches any ``kid``, and its ``use``/``key_ops``
    are enforced when it is bound (InvalidKeyError) rather than passed over.
    """
    found = keys_for_header(candidates, kid, alg, None if lone else "verify", lone)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise UnknownKeyError(f'The key set has {len(found)} keys for "{alg}" and this signature\'s kid')
    if kid is None:
        return UnknownKeyError(f'No key for "{alg}"')
    return UnknownKeyError(f"Unable to find a signing key that matches: \"{shown(kid)}\"")
