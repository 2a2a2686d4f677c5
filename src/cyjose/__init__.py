"""cyjose: a fast JOSE library (JWS, JWT) with a PyJWT-compatible API.

``import cyjose as jwt`` runs code written for PyJWT 2.x. :class:`Verifier`
and :class:`Signer` prepare a key once for many tokens.
"""

from __future__ import annotations

# After `import jwt` every PyJWT submodule is an attribute (jwt.utils, jwt.algorithms,
# ...); the imports below load all the others, utils is loaded here.
from . import (
    jwe,  # noqa: F401
    jws,  # noqa: F401
    utils,  # noqa: F401
)
from ._speedups import native as _native_in_use
from .api_jwk import PyJWK, PyJWKSet
from .api_jws import (
    PyJWS,
    get_algorithm_by_name,
    get_unverified_header,
    register_algorithm,
    unregister_algorithm,
)
from .api_jwt import PyJWT, decode, decode_complete, encode
from .exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidIssuedAtError,
    InvalidIssuerError,
    InvalidJTIError,
    InvalidKeyError,
    InvalidSignatureError,
    InvalidSubjectError,
    InvalidTokenError,
    InvalidTokenTypeError,
    LimitExceededError,
    MissingRequiredClaimError,
    PyJWKClientConnectionError,
    PyJWKClientError,
    PyJWKError,
    PyJWKSetError,
    PyJWTError,
    RevokedTokenError,
    UnknownKeyError,
)
from .jwks_client import AsyncPyJWKClient, PyJWKClient
from .limits import Limits
from .signer import Signer
from .verifier import Verifier
from .warnings import InsecureKeyLengthWarning

__version__ = "0.1.0"
__title__ = "cyjose"

#: True exactly when the compiled twins of every hot path are in use.
NATIVE: bool = _native_in_use()

__all__ = [
    "NATIVE",
    "PyJWK",
    "PyJWKSet",
    "PyJWKClient",
    "AsyncPyJWKClient",
    "PyJWS",
    "PyJWT",
    "Signer",
    "Verifier",
    "Limits",
    "decode",
    "decode_complete",
    "encode",
    "get_algorithm_by_name",
    "get_unverified_header",
    "register_algorithm",
    "unregister_algorithm",
    "InsecureKeyLengthWarning",
    "DecodeError",
    "ExpiredSignatureError",
    "ImmatureSignatureError",
    "InvalidAlgorithmError",
    "InvalidAudienceError",
    "InvalidIssuedAtError",
    "InvalidIssuerError",
    "InvalidJTIError",
    "InvalidKeyError",
    "InvalidSignatureError",
    "InvalidSubjectError",
    "InvalidTokenError",
    "MissingRequiredClaimError",
    "PyJWKClientConnectionError",
    "PyJWKClientError",
    "PyJWKError",
    "PyJWKSetError",
    "PyJWTError",
    "InvalidTokenTypeError",
    "RevokedTokenError",
    "LimitExceededError",
    "UnknownKeyError",
]
