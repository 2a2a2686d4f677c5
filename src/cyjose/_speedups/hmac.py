"""Dispatcher for HMAC: the compiled (OpenSSL) twin or the pure-Python one."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .hmac_py import DIGEST_SIZES, HmacKey, constant_time_equal

    C_API: object = None
    OPENSSL_VERSION: object = None
else:
    from . import load_twin

    _twin = load_twin("hmac")
    HmacKey = _twin.HmacKey
    constant_time_equal = _twin.constant_time_equal
    DIGEST_SIZES = _twin.DIGEST_SIZES
    #: The compiled twin's C entry point for other compiled twins (None with the Python twin).
    C_API = getattr(_twin, "C_API", None)
    #: The libcrypto the compiled twin calls directly (None with the Python twin).
    OPENSSL_VERSION = getattr(_twin, "OPENSSL_VERSION", None)

__all__ = ["HmacKey", "constant_time_equal", "DIGEST_SIZES"]
