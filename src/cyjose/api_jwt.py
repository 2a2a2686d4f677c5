"""PyJWT-compatible JWT layer: :class:`PyJWT` and ``encode``/``decode``/``decode_complete``."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any, Container, Dict, Iterable, Optional, Sequence, Type, Union

from ._decode_cache import verifier_for_decode
from ._encode import ALGORITHM_UNSET, prepare_claims
from ._jws import decode_algorithms
from ._messages import warn_at_caller, warn_extra_kwargs
from ._options import DEFAULT_OPTIONS, build_claim_rules, merge_options
from ._speedups.claims import check_claims
from ._speedups.json import dumps_compact, loads_object
from .api_jws import PyJWS, _jws_global_obj
from .limits import DEFAULT_LIMITS, Limits
from .types import FullOptions, Options, SigOptions
from .verifier import Verifier

__all__ = ["PyJWT", "encode", "decode", "decode_complete"]


class PyJWT:
    """Encode and decode JWTs: JWS plus JSON claims and the claim checks."""

    def __init__(self, options: Optional[Options] = None) -> None:
        self.options: FullOptions = merge_options(self._get_default_options(), options)
        self._jws = PyJWS(options=self._get_sig_options())

    @staticmethod
    def _get_default_options() -> FullOptions:
        return dict(DEFAULT_OPTIONS)  # type: ignore[return-value]

    def _get_sig_options(self) -> SigOptions:
        return {
            "verify_signature": self.options["verify_signature"],
            "enforce_minimum_key_length": self.options.get("enforce_minimum_key_length", False),
        }

    def _merge_options(self, options: Optional[Options] = None) -> FullOptions:
        return merge_options(self.options, options)

    def encode(
        self,
        payload: Dict[str, Any],
        key: Any,
        algorithm: Optional[str] = ALGORITHM_UNSET,
        headers: Optional[Dict[str, Any]] = None,
        json_encoder: Optional[Type[json.JSONEncoder]] = None,
        sort_headers: bool = True,
    ) -> str:
        """Sign the claim set ``payload`` (a dict; ``datetime`` times allowed).

        Raises TypeError for a non-dict payload or non-string ``iss`` (as PyJWT),
        :class:`~cyjose.exceptions.InvalidKeyError` for an unsuitable key.
        """
        claims = prepare_claims(payload)
        body = self._encode_payload(claims, headers=headers, json_encoder=json_encoder)
        return self._jws.encode(body, key, algorithm, headers, json_encoder, sort_headers=sort_headers)

    def _encode_payload(
        self,
        payload: Dict[str, Any],
        headers: Optional[Dict[str, Any]] = None,
        json_encoder: Optional[Type[json.JSONEncoder]] = None,
    ) -> bytes:
        """The bytes to sign for ``payload``; subclasses may override (e.g. to compress)."""
        return dumps_compact(payload, cls=json_encoder)

    def _decode_payload(self, decoded: Dict[str, Any]) -> Dict[str, Any]:
        """The claim set from a decoded JWS; subclasses may override (e.g. to decompress)."""
        return loads_object(decoded["payload"], "payload")

    def decode_complete(
        self,
        jwt: Any,
        key: Any = "",
        algorithms: Optional[Sequence[str]] = None,
        options: Optional[Options] = None,
        verify: Optional[bool] = None,
        detached_payload: Optional[bytes] = None,
        audience: Union[None, str, Iterable[str]] = None,
        issuer: Union[None, str, Container[str]] = None,
        subject: Optional[str] = None,
        leeway: Union[float, timedelta] = 0,
        *,
        limits: Limits = DEFAULT_LIMITS,
        **kwargs: Any,
    ) -> Dict[str, Any]:
        """Verify ``jwt`` and its claims; returns ``{"header", "payload", "signature"}``.

        ``algorithms`` must list the accepted algorithms (never derive it from
        the token); with a :class:`~cyjose.PyJWK` key it defaults to the key's
        own algorithm, as in PyJWT. ``audience``, ``issuer``, ``subject`` and
        ``leeway`` feed the claim checks; ``options`` switches them (see
        :class:`cyjose.types.Options`). ``limits`` (a cyjose addition,
        keyword-only) bounds the token's size and JSON nesting, see
        :class:`cyjose.limits.Limits`.
        Raises :mod:`cyjose.exceptions` errors only (TypeError for an
        ill-typed ``audience``/``leeway`` argument, as PyJWT).
        """
        warn_extra_kwargs("decode_complete", kwargs)
        verifier = self._verifier(key, algorithms, options, verify, audience, issuer, subject, leeway, limits)
        if verifier is None:
            return self._decode_complete_with_hooks(
                jwt, key, algorithms, options, detached_payload, audience, issuer, subject, leeway, limits
            )
        return verifier.verify_complete(jwt, detached_payload)

    def _verifier(
        self, key: Any, algorithms: Any, options: Optional[Options], verify: Optional[bool],
        audience: Any, issuer: Any, subject: Any, leeway: Any, limits: Limits,
    ) -> Optional[Verifier]:
        """The cached Verifier for these decode() arguments; None when subclass hooks need the slow path."""
        merged = self.options if options is None else self._merge_options(options)
        if verify is not None and verify != merged["verify_signature"]:
            warn_at_caller(
                "The `verify` argument to `decode` does nothing in PyJWT 2.0 and newer. "
                "The equivalent is setting `verify_signature` to False in the `options` dictionary. "
                "This invocation has a mismatch between the kwarg and the option entry.",
                DeprecationWarning,
            )
        if type(algorithms) is not tuple or not algorithms:  # a non-empty tuple is already normalised
            algorithms = tuple(decode_algorithms(algorithms, key, merged["verify_signature"]) or ())
        if type(self)._decode_payload is not PyJWT._decode_payload:
            return None
        return verifier_for_decode(
            self._jws, key, algorithms, options, merged, audience, issuer, subject, leeway, limits)

    def _decode_complete_with_hooks(
        self, jwt: Any, key: Any, algorithms: Any, options: Optional[Options], detached_payload: Optional[bytes],
        audience: Any, issuer: Any, subject: Any, leeway: Any, limits: Limits,
    ) -> Dict[str, Any]:
        """decode_complete for subclasses that override ``_decode_payload``: step by step."""
        merged = self._merge_options(options)
        rules = build_claim_rules(merged, audience, issuer, subject, leeway)
        sig_options: SigOptions = {
            "verify_signature": merged["verify_signature"],
            "enforce_minimum_key_length": merged.get("enforce_minimum_key_length", False),
        }
        decoded = self._jws.decode_complete(
            jwt, key=key, algorithms=algorithms, options=sig_options, detached_payload=detached_payload,
            limits=limits,
        )
        payload = self._decode_payload(decoded)
        check_claims(payload, rules, time.time())
        decoded["payload"] = payload
        return decoded

    def decode(
        self,
        jwt: Any,
        key: Any = "",
        algorithms: Optional[Sequence[str]] = None,
        options: Optional[Options] = None,
        verify: Optional[bool] = None,
        detached_payload: Optional[bytes] = None,
        audience: Union[None, str, Iterable[str]] = None,
        subject: Optional[str] = None,
        issuer: Union[None, str, Container[str]] = None,
        leeway: Union[float, timedelta] = 0,
        *,
        limits: Limits = DEFAULT_LIMITS,
        **kwargs: Any,
    ) -> Dict[str, Any]:
        """Verify ``jwt`` and return its claims; see :meth:`decode_complete`."""
        if kwargs:
            warn_extra_kwargs("decode", kwargs)
        if detached_payload is None and type(self).decode_complete is PyJWT.decode_complete:
            verifier = self._verifier(key, algorithms, options, verify, audience, issuer, subject, leeway, limits)
            if verifier is not None:
                return verifier.verify(jwt)  # the claims, without building the complete result
        claims: Dict[str, Any] = self.decode_complete(
            jwt, key, algorithms, options, verify=verify, detached_payload=detached_payload,
            audience=audience, subject=subject, issuer=issuer, leeway=leeway, limits=limits,
        )["payload"]
        return claims


_jwt_global_obj = PyJWT()
_jwt_global_obj._jws = _jws_global_obj
encode = _jwt_global_obj.encode
decode_complete = _jwt_global_obj.decode_complete
decode = _jwt_global_obj.decode
