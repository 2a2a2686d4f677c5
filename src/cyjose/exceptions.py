"""The exception tree: PyJWT 2.x's class names, bases and messages.

Every failure a caller's input can cause is one of these. Code written for
PyJWT catches them under the same names, whether it imports ``jwt`` or
``cyjose``.
"""

from __future__ import annotations

__all__ = [
    "PyJWTError",
    "InvalidTokenError",
    "DecodeError",
    "InvalidSignatureError",
    "ExpiredSignatureError",
    "InvalidAudienceError",
    "InvalidIssuerError",
    "InvalidIssuedAtError",
    "ImmatureSignatureError",
    "InvalidKeyError",
    "InvalidTokenTypeError",
    "InvalidAlgorithmError",
    "MissingRequiredClaimError",
    "PyJWKError",
    "MissingCryptographyError",
    "PyJWKSetError",
    "PyJWKClientError",
    "PyJWKClientConnectionError",
    "InvalidSubjectError",
    "InvalidJTIError",
    "UnknownKeyError",
    "JWEDecryptionError",
    "RevokedTokenError",
    "LimitExceededError",
    "KeyStoreError",
    "MasterKeyError",
]


class PyJWTError(Exception):
    """Base class of every cyjose exception."""


class InvalidTokenError(PyJWTError):
    """A token failed to decode or validate."""


class DecodeError(InvalidTokenError):
    """The token is malformed: bad segments, base64url, JSON or claim types."""


class InvalidSignatureError(DecodeError):
    """The signature does not match the token and key."""


class ExpiredSignatureError(InvalidTokenError):
    """The ``exp`` claim is in the past."""


class InvalidAudienceError(InvalidTokenError):
    """The ``aud`` claim does not match the expected audience."""


class InvalidIssuerError(InvalidTokenError):
    """The ``iss`` claim does not match the expected issuer."""


class InvalidIssuedAtError(InvalidTokenError):
    """The ``iat`` claim is not a number."""


class ImmatureSignatureError(InvalidTokenError):
    """The ``nbf`` or ``iat`` claim is in the future."""


class InvalidKeyError(PyJWTError):
    """The key is of the wrong kind or format for the algorithm."""


class InvalidAlgorithmError(InvalidTokenError):
    """The token's algorithm is missing, unknown or not allowed."""


class MissingRequiredClaimError(InvalidTokenError):
    """A required claim is absent (or null)."""

    def __init__(self, claim: str) -> None:
        super().__init__(claim)
        self.claim = claim

    def __str__(self) -> str:
        return f'Token is missing the "{self.claim}" claim'


class PyJWKError(PyJWTError):
    """A JWK could not be used."""


class MissingCryptographyError(PyJWKError):
    """Kept for PyJWT compatibility: cyjose always has ``cryptography``."""


class PyJWKSetError(PyJWTError):
    """A JWK set could not be used."""


class PyJWKClientError(PyJWTError):
    """The JWKS client could not produce a key."""


class PyJWKClientConnectionError(PyJWKClientError):
    """The JWKS endpoint could not be reached."""


class InvalidSubjectError(InvalidTokenError):
    """The ``sub`` claim is not a string or does not match."""


class InvalidJTIError(InvalidTokenError):
    """The ``jti`` claim is not a string."""


class UnknownKeyError(InvalidTokenError):
    """A cyjose addition: the Verifier's JWK set holds no key for this token.

    The token's ``kid`` is not in the set, or the token has no ``kid`` and
    the set does not hold exactly one key for its algorithm.
    """


class JWEDecryptionError(InvalidTokenError):
    """A cyjose addition: a JWE could not be decrypted with the given key.

    Raised for every failure that depends on the key or the encrypted parts
    of a token (key unwrap, authentication tag, padding, a wrong key), always
    with the same message ``"Decryption failed"``, so the error is never an
    oracle telling an attacker which step refused the token. Malformed
    structure (segments, base64url, header JSON, algorithms not allowed) is a
    :class:`DecodeError` or :class:`InvalidAlgorithmError` instead.
    """


class RevokedTokenError(InvalidTokenError):
    """A cyjose addition: the token's ``jti`` is on the Verifier's deny-list (``deny_jti``)."""


class InvalidTokenTypeError(InvalidTokenError):
    """A cyjose addition: the header ``typ`` is not the one the Verifier requires (``typ=...``).

    A token of another kind (an ID token where an access token is expected,
    RFC 9068 §4) must not be accepted because its signature and claims pass.
    """


class LimitExceededError(DecodeError):
    """A cyjose addition: the input is over one of the :class:`cyjose.limits.Limits`.

    ``limit`` is the name of the limit (``"max_token_bytes"``,
    ``"max_json_depth"``, ...) and ``maximum`` its value, so a service can log
    which bound a hostile or unusual token hit. Raised before the work the
    limit guards is done. A :class:`DecodeError`, so code written for PyJWT
    catches it as a malformed token.
    """

    def __init__(self, message: str, limit: str = "", maximum: int = 0) -> None:
        super().__init__(message)
        self.limit = limit
        self.maximum = maximum

    def __reduce__(self) -> tuple:  # type: ignore[type-arg]
        return (type(self), (str(self), self.limit, self.maximum))


class KeyStoreError(PyJWTError):
    """A cyjose addition: a :mod:`cyjose.keys` key store operation failed.

    The store file or database cannot be read or written, a row is corrupt or
    was tampered with, there is no active key to sign with, or the store was
    opened without the master key an operation needs. Messages name the key
    (its ``kid``) and never contain key material.
    """


class MasterKeyError(KeyStoreError):
    """A cyjose addition: the master key is missing, malformed, or not this store's.

    Raised when a master key cannot be read (absent environment variable or
    file, not 32 bytes of base64url) and when a well-formed master key does not
    open the key store it is given to.
    """
