"""Dispatcher for compact splitting: the compiled twin or the pure-Python one."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .compact_py import MAX_TOKEN_BYTES, split_jwe, split_jws, too_large
else:
    from . import load_twin

    _twin = load_twin("compact")
    split_jws = _twin.split_jws
    split_jwe = _twin.split_jwe
    MAX_TOKEN_BYTES = _twin.MAX_TOKEN_BYTES
    too_large = _twin.too_large

__all__ = ["split_jws", "split_jwe", "MAX_TOKEN_BYTES", "too_large"]
