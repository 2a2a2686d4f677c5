# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""ECDSA signature conversion, JWS raw ``r||s`` <-> DER -- compiled twin of
:mod:`cyjose._speedups.ecdsa_py`.

An exact ``bytes`` signature with an exact ``int`` size in ``[0, 4096]`` is
converted in C; anything else is handed to the reference itself, so odd
inputs fail (or succeed) exactly as they do there.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from libc.string cimport memcpy, memset

from . import ecdsa_py as _reference
from ..exceptions import InvalidSignatureError

__all__ = ["raw_to_der", "der_to_raw"]

# Above this the DER lengths could need more than the two length bytes the
# reference reads; such sizes go to the reference.
cdef enum:
    _MAX_FAST_SIZE = 4096


cdef inline bint _fast_size(object size, Py_ssize_t *out):
    if type(size) is not int:
        return False
    if not (0 <= size <= _MAX_FAST_SIZE):
        return False
    out[0] = <Py_ssize_t>size
    return True


# --------------------------------------------------------------- raw -> DER

cdef inline Py_ssize_t _length_size(Py_ssize_t length) noexcept:
    return 1 if length < 0x80 else (2 if length < 0x100 else 3)


cdef inline unsigned char *_put_length(unsigned char *p, Py_ssize_t length) noexcept:
    if length < 0x80:
        p[0] = <unsigned char>length
        return p + 1
    if length < 0x100:
        p[0] = 0x81
        p[1] = <unsigned char>length
        return p + 2
    p[0] = 0x82
    p[1] = <unsigned char>(length >> 8)
    p[2] = <unsigned char>(length & 0xFF)
    return p + 3


cdef inline unsigned char *_put_integer(unsigned char *p, const unsigned char *v,
                                        Py_ssize_t size) noexcept:
    cdef Py_ssize_t skip = 0, n
    while skip < size and v[skip] == 0:
        skip += 1
    n = size - skip
    p[0] = 0x02
    if n == 0:  # zero is encoded as a single 0x00
        p = _put_length(p + 1, 1)
        p[0] = 0
        return p + 1
    if v[skip] & 0x80:  # keep the integer positive
        p = _put_length(p + 1, n + 1)
        p[0] = 0
        p += 1
    else:
        p = _put_length(p + 1, n)
    memcpy(p, v + skip, n)
    return p + n


cdef inline Py_ssize_t _integer_size(const unsigned char *v, Py_ssize_t size) noexcept:
    cdef Py_ssize_t skip = 0, n
    while skip < size and v[skip] == 0:
        skip += 1
    n = size - skip
    if n == 0:
        n = 1
    elif v[skip] & 0x80:
        n += 1
    return 1 + _length_size(n) + n


def raw_to_der(raw, size):
    """DER-encode a raw signature of two ``size``-byte integers.

    Raises :class:`InvalidSignatureError` unless ``len(raw) == 2 * size``.
    """
    cdef Py_ssize_t n = 0, body
    cdef const unsigned char *src
    cdef unsigned char *p
    if type(raw) is not bytes or not _fast_size(size, &n):
        return _reference.raw_to_der(raw, size)
    if len(<bytes>raw) != 2 * n:
        raise InvalidSignatureError("Invalid ECDSA signature length")
    src = <const unsigned char *>PyBytes_AS_STRING(raw)
    body = _integer_size(src, n) + _integer_size(src + n, n)
    out = PyBytes_FromStringAndSize(NULL, 1 + _length_size(body) + body)
    p = <unsigned char *>PyBytes_AS_STRING(out)
    p[0] = 0x30
    p = _put_length(p + 1, body)
    p = _put_integer(p, src, n)
    _put_integer(p, src + n, n)
    return out


# --------------------------------------------------------------- DER -> raw

cdef inline Py_ssize_t _read_length(const unsigned char *d, Py_ssize_t n, Py_ssize_t *pos) noexcept:
    """The length at d[pos[0]] (advancing pos), or -1 when malformed."""
    cdef Py_ssize_t p = pos[0], count, length
    if p >= n:
        return -1
    if d[p] < 0x80:
        pos[0] = p + 1
        return d[p]
    count = d[p] & 0x7F
    if (count != 1 and count != 2) or p + 1 + count > n:
        return -1
    length = d[p + 1]
    if count == 2:
        length = (length << 8) | d[p + 2]
    pos[0] = p + 1 + count
    return length


cdef inline bint _read_integer(const unsigned char *d, Py_ssize_t n, Py_ssize_t *pos,
                               Py_ssize_t size, const unsigned char **value,
                               Py_ssize_t *value_len) noexcept:
    """Locate the INTEGER at d[pos[0]] without its leading zeros; False when invalid."""
    cdef Py_ssize_t p = pos[0], length, end
    if p >= n or d[p] != 0x02:
        return False
    p += 1
    length = _read_length(d, n, &p)
    if length < 0:
        return False
    end = p + length
    if length == 0 or end > n or d[p] & 0x80:
        return False
    while p < end and d[p] == 0:
        p += 1
    if end - p > size:
        return False
    value[0] = d + p
    value_len[0] = end - p
    pos[0] = end
    return True


def der_to_raw(der, size):
    """Convert a DER ECDSA signature to raw ``r||s``, each padded to ``size`` bytes.

    Raises :class:`InvalidSignatureError` for malformed DER or an integer wider
    than ``size`` bytes.
    """
    cdef Py_ssize_t n, s = 0, pos, length, r_len = 0, s_len = 0
    cdef const unsigned char *d
    cdef const unsigned char *r_val = NULL
    cdef const unsigned char *s_val = NULL
    cdef unsigned char *p
    if type(der) is not bytes or not _fast_size(size, &s):
        return _reference.der_to_raw(der, size)
    d = <const unsigned char *>PyBytes_AS_STRING(der)
    n = len(<bytes>der)
    if n < 2 or d[0] != 0x30:
        raise InvalidSignatureError("Invalid DER signature")
    pos = 1
    length = _read_length(d, n, &pos)
    if length < 0 or pos + length != n:
        raise InvalidSignatureError("Invalid DER signature")
    if not _read_integer(d, n, &pos, s, &r_val, &r_len):
        raise InvalidSignatureError("Invalid DER signature")
    if not _read_integer(d, n, &pos, s, &s_val, &s_len):
        raise InvalidSignatureError("Invalid DER signature")
    if pos != n:
        raise InvalidSignatureError("Invalid DER signature")
    out = PyBytes_FromStringAndSize(NULL, 2 * s)
    p = <unsigned char *>PyBytes_AS_STRING(out)
    memset(p, 0, 2 * s)
    memcpy(p + s - r_len, r_val, r_len)
    memcpy(p + 2 * s - s_len, s_val, s_len)
    return out
