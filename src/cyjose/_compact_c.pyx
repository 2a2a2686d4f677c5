# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""Splitting a JWS compact serialization -- compiled twin of :mod:`cyjose._compact_py`.

An exact ``str`` or ``bytes`` token is scanned in place with ``memchr``; the
only objects created are the four returned ``bytes``. Any other type
(including subclasses) is handed to the reference itself.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from libc.string cimport memchr

from . import _compact_py as _reference
from .exceptions import DecodeError

__all__ = ["split_jws", "MAX_TOKEN_BYTES"]

cdef extern from *:
    """
    /* 1 and the ASCII data of an exact str, 0 when it is not ASCII, -1 on error. */
    static int cyjose_ascii_view(PyObject *s, const char **data, Py_ssize_t *size) {
    #if PY_VERSION_HEX < 0x030C0000
        if (PyUnicode_READY(s) == -1) return -1;
    #endif
        if (!PyUnicode_IS_ASCII(s)) return 0;
        *data = (const char *)PyUnicode_DATA(s);
        *size = PyUnicode_GET_LENGTH(s);
        return 1;
    }
    """
    int cyjose_ascii_view(object s, const char **data, Py_ssize_t *size) except -1

#: Tokens longer than this are refused before any decoding work (1 MiB).
MAX_TOKEN_BYTES = _reference.MAX_TOKEN_BYTES
cdef Py_ssize_t _MAX = MAX_TOKEN_BYTES


def split_jws(token):
    """Split ``token`` into ``(signing_input, header, payload, signature)`` segments.

    ``token`` is ``str`` (ASCII only) or ``bytes`` with exactly three
    dot-separated segments and at most :data:`MAX_TOKEN_BYTES` bytes.
    Raises :class:`DecodeError` otherwise.
    """
    cdef const char *data = NULL
    cdef const char *first
    cdef const char *last
    cdef Py_ssize_t size = 0
    if type(token) is str:
        if not cyjose_ascii_view(token, &data, &size):
            raise DecodeError("Invalid token: non-ASCII characters")
    elif type(token) is bytes:
        data = PyBytes_AS_STRING(token)
        size = len(<bytes>token)
    else:
        return _reference.split_jws(token)
    if size > _MAX:
        raise DecodeError(f"Token is too large (more than {MAX_TOKEN_BYTES} bytes)")
    first = <const char *>memchr(data, b'.', <size_t>size)
    if first == NULL:
        raise DecodeError("Not enough segments")
    last = <const char *>memchr(first + 1, b'.', <size_t>(data + size - first - 1))
    if last == NULL:
        raise DecodeError("Not enough segments")
    if memchr(last + 1, b'.', <size_t>(data + size - last - 1)) != NULL:
        raise DecodeError("Too many segments")
    return (
        PyBytes_FromStringAndSize(data, last - data),
        PyBytes_FromStringAndSize(data, first - data),
        PyBytes_FromStringAndSize(first + 1, last - first - 1),
        PyBytes_FromStringAndSize(last + 1, data + size - last - 1),
    )
