"""Dispatcher for public-key verification: the compiled (OpenSSL, GIL released) twin or the pure-Python one."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .pkey_py import HASH_NAMES, SCHEMES, PublicKeyVerifier
else:
    from . import load_twin

    _twin = load_twin("pkey")
    PublicKeyVerifier = _twin.PublicKeyVerifier
    SCHEMES = _twin.SCHEMES
    HASH_NAMES = _twin.HASH_NAMES

__all__ = ["PublicKeyVerifier", "SCHEMES", "HASH_NAMES"]
