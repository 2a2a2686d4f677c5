# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Strict base64url (RFC 4648 §5) -- the compiled twin of :mod:`cyjose._b64url_py`.

Same results, exception classes and messages as the pure-Python twin, which is
the reference. ``bytes`` and ``bytearray`` segments are decoded in C through a
256-entry table; any other type is handed to the reference itself, so exotic
inputs fail exactly as they do there.
"""


from cpython.buffer cimport PyBUF_SIMPLE, PyBuffer_Release, PyObject_GetBuffer
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.bytearray cimport PyByteArray_AS_STRING

from . import _b64url_py as _reference
from .exceptions import DecodeError

__all__ = ["b64url_encode", "b64url_decode"]

cdef extern from "Python.h":
    const Py_ssize_t PY_SSIZE_T_MAX

cdef const char *_ENCODE = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# _DECODE[c] is the 6-bit value of c, or 0xFF when c is outside the alphabet.
cdef unsigned char _DECODE[256]


cdef void _init_table() noexcept:
    cdef int i
    for i in range(256):
        _DECODE[i] = 0xFF
    for i in range(64):
        _DECODE[<unsigned char>_ENCODE[i]] = <unsigned char>i


_init_table()

def b64url_encode(data):
    """Return the unpadded base64url encoding of ``data`` (bytes-like)."""
    cdef Py_buffer view
    cdef const unsigned char *src
    cdef unsigned char *dst
    cdef Py_ssize_t n, full, out_len, i, j
    cdef unsigned int v
    PyObject_GetBuffer(data, &view, PyBUF_SIMPLE)
    try:
        n = view.len
        if n > (PY_SSIZE_T_MAX // 4) * 3 - 3:
            raise MemoryError()
        full = n // 3
        out_len = full * 4 + (0 if n % 3 == 0 else n % 3 + 1)
        out = PyBytes_FromStringAndSize(NULL, out_len)
        src = <const unsigned char *>view.buf
        dst = <unsigned char *>PyBytes_AS_STRING(out)
        j = 0
        for i in range(0, full * 3, 3):
            v = (<unsigned int>src[i] << 16) | (<unsigned int>src[i + 1] << 8) | src[i + 2]
            dst[j] = _ENCODE[v >> 18]
            dst[j + 1] = _ENCODE[(v >> 12) & 0x3F]
            dst[j + 2] = _ENCODE[(v >> 6) & 0x3F]
            dst[j + 3] = _ENCODE[v & 0x3F]
            j += 4
        i = full * 3
        if n - i == 1:
            v = <unsigned int>src[i] << 16
            dst[j] = _ENCODE[v >> 18]
            dst[j + 1] = _ENCODE[(v >> 12) & 0x3F]
        elif n - i == 2:
            v = (<unsigned int>src[i] << 16) | (<unsigned int>src[i + 1] << 8)
            dst[j] = _ENCODE[v >> 18]
            dst[j + 1] = _ENCODE[(v >> 12) & 0x3F]
            dst[j + 2] = _ENCODE[(v >> 6) & 0x3F]
        return out
    finally:
        PyBuffer_Release(&view)


cdef bytes _decode(const unsigned char *src, Py_ssize_t n):
    """Decode ``src[:n]``; None when it is not a canonical strict encoding."""
    cdef Py_ssize_t end = n, padding, remainder, full, out_len, i, j
    cdef unsigned int v, bad = 0
    cdef unsigned char *dst
    while end > 0 and src[end - 1] == b'=':
        end -= 1
    padding = n - end
    remainder = end % 4
    if remainder == 1:
        return None
    if padding and (padding > 2 or (remainder + padding) % 4):
        return None
    full = end // 4
    out_len = full * 3 + (remainder - 1 if remainder else 0)
    out = PyBytes_FromStringAndSize(NULL, out_len)
    dst = <unsigned char *>PyBytes_AS_STRING(out)
    j = 0
    for i in range(0, full * 4, 4):
        v = ((<unsigned int>_DECODE[src[i]] << 18) | (<unsigned int>_DECODE[src[i + 1]] << 12)
             | (<unsigned int>_DECODE[src[i + 2]] << 6) | _DECODE[src[i + 3]])
        bad |= _DECODE[src[i]] | _DECODE[src[i + 1]] | _DECODE[src[i + 2]] | _DECODE[src[i + 3]]
        dst[j] = <unsigned char>(v >> 16)
        dst[j + 1] = <unsigned char>(v >> 8)
        dst[j + 2] = <unsigned char>v
        j += 3
    i = full * 4
    if remainder == 2:
        bad |= _DECODE[src[i]] | _DECODE[src[i + 1]]
        # The low 4 bits of the last character carry no data and must be zero.
        bad |= (_DECODE[src[i + 1]] & 0x0F) << 8
        dst[j] = <unsigned char>((_DECODE[src[i]] << 2) | (_DECODE[src[i + 1]] >> 4))
    elif remainder == 3:
        bad |= _DECODE[src[i]] | _DECODE[src[i + 1]] | _DECODE[src[i + 2]]
        # The low 2 bits of the last character carry no data and must be zero.
        bad |= (_DECODE[src[i + 2]] & 0x03) << 8
        dst[j] = <unsigned char>((_DECODE[src[i]] << 2) | (_DECODE[src[i + 1]] >> 4))
        dst[j + 1] = <unsigned char>(((_DECODE[src[i + 1]] & 0x0F) << 4) | (_DECODE[src[i + 2]] >> 2))
    if bad & 0xFF80:  # 0xFF marks a character outside the alphabet (bit 7 set)
        return None
    return out


def b64url_decode(segment, name="base64url"):
    """Decode one strict base64url ``segment`` (bytes).

    Raises :class:`DecodeError` ``"Invalid {name} padding"`` for anything that
    is not the canonical encoding of some byte string.
    """
    cdef bytes result
    if type(segment) is bytes:
        result = _decode(<const unsigned char *>PyBytes_AS_STRING(segment), len(<bytes>segment))
    elif type(segment) is bytearray:
        result = _decode(<const unsigned char *>PyByteArray_AS_STRING(segment),
                         len(<bytearray>segment))
    else:
        return _reference.b64url_decode(segment, name)
    if result is None:
        raise DecodeError(f"Invalid {name} padding")
    return result
