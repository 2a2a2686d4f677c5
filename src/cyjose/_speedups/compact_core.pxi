# Splitting compact tokens in C, shared by the compiled twins that split
# (compact_c, token_c) through `include`. The rules are those of
# cyjose._speedups.compact_py, the reference.

from cpython.bytes cimport PyBytes_AS_STRING
from libc.string cimport memchr

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

# What _split_view found, as codes; the reference's error for each is in compact_c.
cdef enum:
    SPLIT_OK = 0
    SPLIT_OTHER_TYPE = 1   # not an exact str or bytes
    SPLIT_NOT_ASCII = 2
    SPLIT_TOO_LARGE = 3
    SPLIT_TOO_FEW = 4
    SPLIT_TOO_MANY = 5


cdef int _token_view(object token, const char **data, Py_ssize_t *size, Py_ssize_t max_bytes) except -1:
    """The bytes of an exact str/bytes token within the size bound, without copying; a SPLIT_* code."""
    cdef const char *d
    cdef Py_ssize_t n
    if type(token) is str:
        if not cyjose_ascii_view(token, &d, &n):
            return SPLIT_NOT_ASCII
    elif type(token) is bytes:
        d = PyBytes_AS_STRING(token)
        n = len(<bytes>token)
    else:
        return SPLIT_OTHER_TYPE
    if n > max_bytes:
        return SPLIT_TOO_LARGE
    data[0] = d
    size[0] = n
    return SPLIT_OK


cdef int _split_view(object token, const char **data, Py_ssize_t *size,
                     const char **first, const char **last, Py_ssize_t max_bytes) except -1:
    """Locate the two dots of an exact str/bytes JWS without copying; a SPLIT_* code."""
    cdef const char *d
    cdef Py_ssize_t n
    cdef int found = _token_view(token, &d, &n, max_bytes)
    if found != SPLIT_OK:
        return found
    first[0] = <const char *>memchr(d, b'.', <size_t>n)
    if first[0] == NULL:
        return SPLIT_TOO_FEW
    last[0] = <const char *>memchr(first[0] + 1, b'.', <size_t>(d + n - first[0] - 1))
    if last[0] == NULL:
        return SPLIT_TOO_FEW
    if memchr(last[0] + 1, b'.', <size_t>(d + n - last[0] - 1)) != NULL:
        return SPLIT_TOO_MANY
    data[0] = d
    size[0] = n
    return SPLIT_OK


cdef int _split_dots(object token, const char **data, Py_ssize_t *size,
                     const char **dots, int count, Py_ssize_t max_bytes) except -1:
    """Locate exactly ``count`` dots of an exact str/bytes token without copying; a SPLIT_* code."""
    cdef const char *d
    cdef const char *at
    cdef Py_ssize_t n
    cdef int i, found = _token_view(token, &d, &n, max_bytes)
    if found != SPLIT_OK:
        return found
    at = d
    for i in range(count):
        dots[i] = <const char *>memchr(at, b'.', <size_t>(d + n - at))
        if dots[i] == NULL:
            return SPLIT_TOO_FEW
        at = dots[i] + 1
    if memchr(at, b'.', <size_t>(d + n - at)) != NULL:
        return SPLIT_TOO_MANY
    data[0] = d
    size[0] = n
    return SPLIT_OK
