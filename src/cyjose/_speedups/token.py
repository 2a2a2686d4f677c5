"""Dispatcher for the Verifier's whole-token fast path: compiled twin or pure-Python one."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .token_py import MAX_KNOWN_HEADERS, TokenCache, TokenFastPath, VerifierCore, check_not_revoked, fresh_claims
else:
    from . import load_twin

    _twin = load_twin("token")
    VerifierCore = _twin.VerifierCore
    check_not_revoked = _twin.check_not_revoked
    TokenFastPath = _twin.TokenFastPath
    TokenCache = _twin.TokenCache
    fresh_claims = _twin.fresh_claims
    MAX_KNOWN_HEADERS = _twin.MAX_KNOWN_HEADERS

__all__ = ["VerifierCore", "check_not_revoked", "TokenFastPath", "TokenCache", "fresh_claims", "MAX_KNOWN_HEADERS"]
