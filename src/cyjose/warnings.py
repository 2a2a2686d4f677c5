"""PyJWT-compatible warning classes."""

from __future__ import annotations

__all__ = ["RemovedInPyjwt3Warning", "InsecureKeyLengthWarning"]


class RemovedInPyjwt3Warning(DeprecationWarning):
    """A PyJWT 2.x feature that PyJWT 3 removes (kept working here)."""


class InsecureKeyLengthWarning(UserWarning):
    """The key is shorter than the algorithm's recommended minimum."""
