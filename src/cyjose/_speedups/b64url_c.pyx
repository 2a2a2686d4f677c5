# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Strict base64url (RFC 4648 §5) -- the compiled twin of :mod:`cyjose._speedups.b64url_py`.

Same results, exception classes and messages as the pure-Python twin, which is
the reference. ``bytes`` and ``bytearray`` segments are decoded in C through a
256-entry table; any other type is handed to the reference itself, so exotic
inputs fail exactly as they do there.
"""


from cpython.buffer cimport PyBUF_SIMPLE, PyBuffer_Release, PyObject_GetBuffer
from cpython.bytearray cimport PyByteArray_AS_STRING

from . import b64url_py as _reference
from ..exceptions import DecodeError

__all__ = ["b64url_encode", "b64url_decode"]

cdef extern from "Python.h":
    const Py_ssize_t PY_SSIZE_T_MAX

include "b64url_core.pxi"


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
