"""Dispatcher for strict base64url: the compiled twin or the pure-Python one."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .b64url_py import b64url_decode, b64url_encode
else:
    from . import load_twin

    _twin = load_twin("b64url")
    b64url_decode = _twin.b64url_decode
    b64url_encode = _twin.b64url_encode

__all__ = ["b64url_decode", "b64url_encode"]
