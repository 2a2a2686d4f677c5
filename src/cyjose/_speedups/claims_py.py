"""Registered-claim checks (RFC 7519 §4.1) -- pure-Python twin and reference.

The rules follow PyJWT 2.15, with one tightening: ``exp``, ``nbf`` and ``iat``
must be JSON numbers (``int`` or ``float``; booleans and numeric strings are
refused). Like PyJWT, a fractional time is truncated toward zero before it is
compared.
"""

from __future__ import annotations

from typing import Any, Container, Dict, Optional, Tuple, Union

from ..exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidJTIError,
    InvalidSubjectError,
    MissingRequiredClaimError,
)

__all__ = ["ClaimRules", "check_claims"]


class ClaimRules:
    """Claim checks prepared once: what to verify and the expected values.

    ``audience`` is ``None``, a ``str`` or a tuple of ``str``; ``issuer`` is
    ``None``, a ``str`` or any container of ``str``; ``leeway`` is in seconds.
    Callers normalise the values; see :func:`cyjose.verifier.build_claim_rules`.
    """

    __slots__ = (
        "require", "verify_exp", "verify_nbf", "verify_iat", "verify_iss",
        "verify_aud", "verify_sub", "verify_jti", "strict_aud",
        "audience", "issuer", "subject", "leeway",
    )

    def __init__(
        self,
        require: Tuple[str, ...] = (),
        verify_exp: bool = True,
        verify_nbf: bool = True,
        verify_iat: bool = True,
        verify_iss: bool = True,
        verify_aud: bool = True,
        verify_sub: bool = True,
        verify_jti: bool = True,
        strict_aud: bool = False,
        audience: Union[None, str, Tuple[str, ...]] = None,
        issuer: Union[None, str, Container[str]] = None,
        subject: Optional[str] = None,
        leeway: float = 0.0,
    ) -> None:
        self.require = tuple(require)
        self.verify_exp = bool(verify_exp)
        self.verify_nbf = bool(verify_nbf)
        self.verify_iat = bool(verify_iat)
        self.verify_iss = bool(verify_iss)
        self.verify_aud = bool(verify_aud)
        self.verify_sub = bool(verify_sub)
        self.verify_jti = bool(verify_jti)
        self.strict_aud = bool(strict_aud)
        self.audience = audience
        self.issuer = issuer
        self.subject = subject
        self.leeway = float(leeway)


def _numeric_date(value: Any) -> Optional[int]:
    """The whole seconds of a JSON number, or None when it is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return int(value)
    except (ValueError, OverflowError):  # NaN, infinity
        return None


def check_claims(payload: Dict[str, Any], rules: ClaimRules, now: float) -> None:
    """Check ``payload`` against ``rules`` at time ``now`` (seconds since the epoch).

    Raises the :mod:`cyjose.exceptions` class and message PyJWT raises for the
    same failure; returns None when every check passes.
    """
    for claim in rules.require:
        if payload.get(claim) is None:
            raise MissingRequiredClaimError(claim)
    leeway = rules.leeway
    if rules.verify_iat and "iat" in payload:
        iat = _numeric_date(payload["iat"])
        if iat is None:
            raise InvalidIssuedAtError("Issued At claim (iat) must be an integer.")
        if iat > now + leeway:
            raise ImmatureSignatureError("The token is not yet valid (iat)")
    if rules.verify_nbf and "nbf" in payload:
        nbf = _numeric_date(payload["nbf"])
        if nbf is None:
            raise DecodeError("Not Before claim (nbf) must be an integer.")
        if nbf > now + leeway:
            raise ImmatureSignatureError("The token is not yet valid (nbf)")
    if rules.verify_exp and "exp" in payload:
        exp = _numeric_date(payload["exp"])
        if exp is None:
            raise DecodeError("Expiration Time claim (exp) must be an integer.")
        if exp <= now - leeway:
            raise ExpiredSignatureError("Signature has expired")
    if rules.verify_iss and rules.issuer is not None:
        _check_issuer(payload, rules.issuer)
    if rules.verify_aud:
        _check_audience(payload, rules.audience, rules.strict_aud)
    if rules.verify_sub and "sub" in payload:
        sub = payload["sub"]
        if not isinstance(sub, str):
            raise InvalidSubjectError("Subject must be a string")
        if rules.subject is not None and sub != rules.subject:
            raise InvalidSubjectError("Invalid subject")
    if rules.verify_jti and "jti" in payload and not isinstance(payload["jti"], str):
        raise InvalidJTIError("JWT ID must be a string")


def _check_issuer(payload: Dict[str, Any], issuer: Union[str, Container[str]]) -> None:
    if "iss" not in payload:
        raise MissingRequiredClaimError("iss")
    iss = payload["iss"]
    if not isinstance(iss, str):
        raise InvalidIssuerError("Payload Issuer (iss) must be a string")
    if isinstance(issuer, str):
        if iss != issuer:
            raise InvalidIssuerError("Invalid issuer")
        return
    try:
        allowed = iss in issuer
    except TypeError:
        raise InvalidIssuerError('Issuer param must be "str" or "Container[str]"') from None
    if not allowed:
        raise InvalidIssuerError("Invalid issuer")


def _check_audience(
    payload: Dict[str, Any], audience: Union[None, str, Tuple[str, ...]], strict: bool
) -> None:
    claim = payload.get("aud")
    if audience is None:
        if claim:
            # The token names an audience but the application expects none.
            raise InvalidAudienceError("Invalid audience")
        return
    if not claim:
        raise MissingRequiredClaimError("aud")
    if strict:
        if not isinstance(audience, str):
            raise InvalidAudienceError("Invalid audience (strict)")
        if not isinstance(claim, str):
            raise InvalidAudienceError("Invalid claim format in token (strict)")
        if claim != audience:
            raise InvalidAudienceError("Audience doesn't match (strict)")
        return
    if isinstance(claim, str):
        claim = [claim]
    elif not isinstance(claim, list) or not all(isinstance(item, str) for item in claim):
        raise InvalidAudienceError("Invalid claim format in token")
    expected = (audience,) if isinstance(audience, str) else audience
    if not any(item in claim for item in expected):
        raise InvalidAudienceError("Audience doesn't match")
