"""Dispatcher for claim checks: the compiled twin or the pure-Python one."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .claims_py import ClaimRules, check_claims
else:
    from . import load_twin

    _twin = load_twin("claims")
    ClaimRules = _twin.ClaimRules
    check_claims = _twin.check_claims

__all__ = ["ClaimRules", "check_claims"]
