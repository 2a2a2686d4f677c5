# Strict base64url decoding in C, shared by the compiled twins that decode
# segments (b64url_c, token_c) through `include`. The rules are those of
# cyjose._speedups.b64url_py, the reference.

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize

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


cdef Py_ssize_t _decoded_size(const unsigned char *src, Py_ssize_t n) noexcept:
    """Size of the decoding of ``src[:n]``; -1 when its length or padding is impossible."""
    cdef Py_ssize_t end = n, padding, remainder
    while end > 0 and src[end - 1] == b'=':
        end -= 1
    padding = n - end
    remainder = end % 4
    if remainder == 1:
        return -1
    if padding and (padding > 2 or (remainder + padding) % 4):
        return -1
    return (end // 4) * 3 + (remainder - 1 if remainder else 0)


cdef bint _decode_to(const unsigned char *src, Py_ssize_t n, unsigned char *dst) noexcept:
    """Decode ``src[:n]`` into ``dst`` (``_decoded_size`` bytes, which must not be -1).

    False when ``src`` is not a canonical strict encoding.
    """
    cdef Py_ssize_t end = n, remainder, full, i, j
    cdef unsigned int v, bad = 0
    while end > 0 and src[end - 1] == b'=':
        end -= 1
    remainder = end % 4
    full = end // 4
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
    return not (bad & 0xFF80)  # 0xFF marks a character outside the alphabet (bit 7 set)


cdef bytes _decode(const unsigned char *src, Py_ssize_t n):
    """Decode ``src[:n]``; None when it is not a canonical strict encoding."""
    cdef Py_ssize_t size = _decoded_size(src, n)
    if size < 0:
        return None
    out = PyBytes_FromStringAndSize(NULL, size)
    if not _decode_to(src, n, <unsigned char *>PyBytes_AS_STRING(out)):
        return None
    return out
