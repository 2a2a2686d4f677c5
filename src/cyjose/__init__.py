"""cyjose: a fast JOSE library (JWS, JWT) with a PyJWT-compatible API."""

from __future__ import annotations

from . import _b64url, _claims, _compact, _ecdsa, _hmac  # noqa: F401  (load the twins)
from ._native import native as _native
from .exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidTokenError,
    MissingRequiredClaimError,
    PyJWKClientConnectionError,
    PyJWKClientError,
    PyJWKError,
    PyJWKSetError,
    PyJWTError,
)
from .warnings import InsecureKeyLengthWarning

__version__ = "0.1.0"

#: True exactly when the compiled twins of every hot path are in use.
NATIVE: bool = _native()
