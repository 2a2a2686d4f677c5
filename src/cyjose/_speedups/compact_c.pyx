# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Splitting JWS and JWE compact serializations -- compiled twin of :mod:`cyjose._speedups.compact_py`.

An exact ``str`` or ``bytes`` token is scanned in place with ``memchr``; the
only objects created are the returned ``bytes``. Any other type
(including subclasses) is handed to the reference itself.
"""

from cpython.bytes cimport PyBytes_FromStringAndSize

from . import compact_py as _reference
from ..exceptions import DecodeError

__all__ = ["split_jws", "split_jwe", "MAX_TOKEN_BYTES", "too_large"]

include "compact_core.pxi"

#: The default bound on a token's length (the reference's).
MAX_TOKEN_BYTES = _reference.MAX_TOKEN_BYTES
too_large = _reference.too_large


def split_jws(token, Py_ssize_t max_bytes=MAX_TOKEN_BYTES):
    """Split ``token`` into ``(signing_input, header, payload, signature)`` segments.

    ``token`` is ``str`` (ASCII only) or ``bytes`` with exactly three
    dot-separated segments and at most ``max_bytes`` bytes. Raises
    :class:`DecodeError` otherwise (:class:`LimitExceededError` for the size).
    """
    cdef const char *data = NULL
    cdef const char *first = NULL
    cdef const char *last = NULL
    cdef Py_ssize_t size = 0
    cdef int found = _split_view(token, &data, &size, &first, &last, max_bytes)
    if found == SPLIT_OTHER_TYPE:
        return _reference.split_jws(token, max_bytes)
    _raise_for(found, max_bytes)
    return (
        PyBytes_FromStringAndSize(data, last - data),
        PyBytes_FromStringAndSize(data, first - data),
        PyBytes_FromStringAndSize(first + 1, last - first - 1),
        PyBytes_FromStringAndSize(last + 1, data + size - last - 1),
    )


def split_jwe(token, Py_ssize_t max_bytes=MAX_TOKEN_BYTES):
    """Split a JWE into ``(header, encrypted_key, iv, ciphertext, tag)`` segments, undecoded.

    ``token`` is ``str`` (ASCII only) or ``bytes`` with exactly five
    dot-separated segments (RFC 7516 §7.1) and at most ``max_bytes`` bytes.
    Raises :class:`DecodeError` otherwise (:class:`LimitExceededError` for the size).
    """
    cdef const char *data = NULL
    cdef const char *dots[4]
    cdef Py_ssize_t size = 0
    cdef int found = _split_dots(token, &data, &size, dots, 4, max_bytes)
    if found == SPLIT_OTHER_TYPE:
        return _reference.split_jwe(token, max_bytes)
    _raise_for(found, max_bytes)
    return (
        PyBytes_FromStringAndSize(data, dots[0] - data),
        PyBytes_FromStringAndSize(dots[0] + 1, dots[1] - dots[0] - 1),
        PyBytes_FromStringAndSize(dots[1] + 1, dots[2] - dots[1] - 1),
        PyBytes_FromStringAndSize(dots[2] + 1, dots[3] - dots[2] - 1),
        PyBytes_FromStringAndSize(dots[3] + 1, data + size - dots[3] - 1),
    )


cdef int _raise_for(int found, Py_ssize_t max_bytes) except -1:
    """Raise the reference's DecodeError for a SPLIT_* failure code."""
    if found == SPLIT_NOT_ASCII:
        raise DecodeError("Invalid token: non-ASCII characters")
    if found == SPLIT_TOO_LARGE:
        raise too_large("Token", max_bytes)
    if found == SPLIT_TOO_FEW:
        raise DecodeError("Not enough segments")
    if found == SPLIT_TOO_MANY:
        raise DecodeError("Too many segments")
    return 0
