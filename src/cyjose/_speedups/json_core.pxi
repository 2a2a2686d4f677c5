# JSON objects in C, shared by the json_c and token_c twins through `include`.
# _load_object(data, what, max_depth) is cyjose._speedups.json_py.loads_object for bytes:
# it tries, in order, the flat parser below, orjson called directly (after the
# reference's depth check), and the reference.
#
# The flat parser handles the usual shape of a JWT payload: one flat JSON object whose keys are plain
# printable-ASCII strings and whose values are such strings, integers of at
# most 18 digits, true, false or null. Anything else -- escapes, non-ASCII
# text, nesting, fractions, exponents, longer integers, invalid JSON -- makes
# it give up (return None) and the caller runs the general parser, so every
# result is exactly what cyjose._speedups.json_py returns for the same bytes. An object
# with a duplicate name is left to the general parser too, so the flat parser
# also serves loads_unique, which must refuse it.
#
# Claim names and common values (iss, aud, ...) repeat from token to token, so
# a small direct-mapped cache hands out the same str objects again (their
# hashes already computed) instead of building new ones. It holds at most
# _FLAT_SLOTS names and _FLAT_SLOTS values of up to _FLAT_CACHED_MAX bytes.

import orjson

from . import json_py as _json_py
from ..limits import exceeded

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.mem cimport PyMem_Free, PyMem_Malloc
from cpython.dict cimport PyDict_New, PyDict_SetItem
from cpython.long cimport PyLong_FromLongLong
from cpython.object cimport PyObject
from cpython.ref cimport Py_XDECREF, Py_INCREF
from libc.string cimport memcmp, memcpy

cdef extern from "Python.h":
    object PyUnicode_New(Py_ssize_t size, Py_UCS4 maxchar)
    void *PyUnicode_DATA(object o)
    Py_ssize_t PyUnicode_GET_LENGTH(object o)

cdef enum:
    _FLAT_SLOTS = 64
    _FLAT_CACHED_MAX = 48
    _FLAT_MAX_DIGITS = 18  # any 18-digit integer fits in a signed 64-bit one

cdef PyObject *_flat_names[_FLAT_SLOTS]
cdef PyObject *_flat_values[_FLAT_SLOTS]


cdef inline bint _flat_space(unsigned char c) noexcept:
    return c == b' ' or c == b'\t' or c == b'\n' or c == b'\r'


cdef inline Py_ssize_t _flat_skip_space(const unsigned char *s, Py_ssize_t i, Py_ssize_t n) noexcept:
    while i < n and _flat_space(s[i]):
        i += 1
    return i


cdef inline Py_ssize_t _flat_string_end(const unsigned char *s, Py_ssize_t i, Py_ssize_t n) noexcept:
    """Index of the closing quote of the plain string whose text starts at ``i``; -1 if not plain."""
    cdef unsigned char c
    while i < n:
        c = s[i]
        if c == b'"':
            return i
        if c < 0x20 or c > 0x7E or c == b'\\':
            return -1
        i += 1
    return -1


cdef inline unsigned int _flat_slot(const unsigned char *text, Py_ssize_t size) noexcept:
    return <unsigned int>(size * 31 + text[0] * 7 + text[size - 1]) % _FLAT_SLOTS


cdef object _flat_str(const unsigned char *text, Py_ssize_t size, PyObject **cache, unsigned int slot):
    """The str of printable-ASCII ``text[:size]``, reusing ``cache[slot]`` when it holds the same text."""
    cdef PyObject *cached = cache[slot]
    if cached != NULL and PyUnicode_GET_LENGTH(<object>cached) == size \
            and memcmp(PyUnicode_DATA(<object>cached), text, size) == 0:
        return <object>cached
    result = PyUnicode_New(size, 127)
    memcpy(PyUnicode_DATA(result), text, size)
    if size <= _FLAT_CACHED_MAX:
        Py_INCREF(result)
        cache[slot] = <PyObject *>result
        Py_XDECREF(cached)
    return result


cdef object _flat_int(const unsigned char *s, Py_ssize_t *pos, Py_ssize_t n):
    """The integer at ``s[*pos]`` (advancing ``*pos``), or None when it is not a short plain one."""
    cdef Py_ssize_t i = pos[0], start
    cdef bint negative = s[i] == b'-'
    cdef long long value = 0
    if negative:
        i += 1
    start = i
    while i < n and b'0' <= s[i] <= b'9':
        if i - start == _FLAT_MAX_DIGITS:
            return None  # a 19th digit: for the general parser (value * 10 could overflow)
        value = value * 10 + (s[i] & 0x0F)  # '0'..'9' are 0x30..0x39
        i += 1
    if i == start or (s[start] == b'0' and i - start > 1):
        return None  # no digits, or a leading zero: invalid JSON, for the general parser to report
    if i < n and (s[i] == b'.' or s[i] == b'e' or s[i] == b'E'):
        return None
    pos[0] = i
    return PyLong_FromLongLong(-value if negative else value)


cdef object _flat_value(const unsigned char *s, Py_ssize_t *pos, Py_ssize_t n, unsigned int name_slot):
    """The value at ``s[*pos]`` (advancing ``*pos``), or None when it is not a plain one."""
    cdef Py_ssize_t i = pos[0], end
    cdef unsigned char c = s[i]
    if c == b'"':
        end = _flat_string_end(s, i + 1, n)
        if end < 0:
            return None
        pos[0] = end + 1
        if end == i + 1:
            return ""
        return _flat_str(s + i + 1, end - i - 1, _flat_values, name_slot)
    if c == b'-' or b'0' <= c <= b'9':
        return _flat_int(s, pos, n)
    if c == b't' and n - i >= 4 and memcmp(s + i, b"true", 4) == 0:
        pos[0] = i + 4
        return True
    if c == b'f' and n - i >= 5 and memcmp(s + i, b"false", 5) == 0:
        pos[0] = i + 5
        return False
    if c == b'n' and n - i >= 4 and memcmp(s + i, b"null", 4) == 0:
        pos[0] = i + 4
        return _FLAT_NULL
    return None


cdef object _FLAT_NULL = object()  # a JSON null, told apart from "give up"


cdef dict _flat_object(const unsigned char *s, Py_ssize_t n):
    """The dict of the flat JSON object ``s[:n]``, or None to leave it to the general parser."""
    cdef Py_ssize_t i = _flat_skip_space(s, 0, n), end
    cdef unsigned int slot
    cdef Py_ssize_t members = 0
    cdef dict result
    if i >= n or s[i] != b'{':
        return None
    result = PyDict_New()
    i = _flat_skip_space(s, i + 1, n)
    if i < n and s[i] == b'}':
        return result if _flat_skip_space(s, i + 1, n) == n else None
    while True:
        if i >= n or s[i] != b'"':
            return None
        end = _flat_string_end(s, i + 1, n)
        if end <= i + 1:  # not plain, or empty: the general parser decides
            return None
        slot = _flat_slot(s + i + 1, end - i - 1)
        name = _flat_str(s + i + 1, end - i - 1, _flat_names, slot)
        i = _flat_skip_space(s, end + 1, n)
        if i >= n or s[i] != b':':
            return None
        i = _flat_skip_space(s, i + 1, n)
        if i >= n:
            return None
        value = _flat_value(s, &i, n, slot)
        if value is None:
            return None
        PyDict_SetItem(result, name, None if value is _FLAT_NULL else value)
        members += 1
        i = _flat_skip_space(s, i, n)
        if i < n and s[i] == b',':
            i = _flat_skip_space(s, i + 1, n)
            continue
        if i < n and s[i] == b'}' and len(result) == members:
            return result if _flat_skip_space(s, i + 1, n) == n else None
        return None


# Held in C variables: no module-dictionary lookup per token.
cdef object _orjson_loads = orjson.loads
cdef object _JSONDecodeError = orjson.JSONDecodeError
cdef object _reference_parse_object = _json_py.parse_object
cdef object _reference_check_depth = _json_py.check_depth
cdef object _exceeded = exceeded


cdef bint _may_hold_long_number(const unsigned char *s, Py_ssize_t n) noexcept:
    """Same predicate as cyjose._speedups.json_py._may_hold_long_number: after ':' '[' or ',' and
    ignoring whitespace and '-', a run of 19 digits (a number orjson would turn into a float)."""
    cdef Py_ssize_t i
    cdef int run = -1  # digits since the last separator, or -1 when not after one
    cdef unsigned char c
    for i in range(n):
        c = s[i]
        if c == b' ' or c == b'\t' or c == b'\r' or c == b'\n' or c == b'-':
            continue
        if c == b':' or c == b'[' or c == b',':
            run = 0
        elif b'0' <= c <= b'9':
            if run >= 0:
                run += 1
                if run >= 19:
                    return True
        else:
            run = -1
    return False


cdef dict _load_object(bytes data, str what, Py_ssize_t max_depth):
    """cyjose._speedups.json_py.loads_object(data, what, max_depth): the same dict or the same DecodeError."""
    cdef const unsigned char *s = <const unsigned char *>PyBytes_AS_STRING(data)
    cdef dict flat = _flat_object(s, len(data))
    if flat is not None:  # depth 1: within every limit
        return flat
    return _load_general(data, what, max_depth)


cdef dict _load_object_view(const unsigned char *s, Py_ssize_t n, str what, Py_ssize_t max_depth):
    """:func:`_load_object` of ``s[:n]``, which needs no bytes object for a flat object."""
    cdef dict flat = _flat_object(s, n)
    if flat is not None:
        return flat
    return _load_general(PyBytes_FromStringAndSize(<const char *>s, n), what, max_depth)


cdef Py_ssize_t _count_openers(const unsigned char *s, Py_ssize_t n) noexcept:
    """How many '{' and '[' bytes ``s[:n]`` holds (the reference's quick depth bound)."""
    cdef Py_ssize_t i, count = 0
    for i in range(n):
        if s[i] == b'{' or s[i] == b'[':
            count += 1
    return count


cdef dict _load_general(bytes data, str what, Py_ssize_t max_depth):
    """Any object: orjson called directly, or the reference when orjson would differ or fail."""
    cdef bint long_number = _may_hold_long_number(<const unsigned char *>PyBytes_AS_STRING(data), len(data))
    _check_depth(data, what, max_depth)
    value = None
    if not long_number:
        try:
            value = _orjson_loads(data)
        except _JSONDecodeError:
            pass
    if type(value) is not dict:  # anything unusual: the reference decides, and names the error
        value = _reference_parse_object(data, what, long_number)
    return <dict>value


# The depth check of cyjose._speedups.json_py.check_depth, step for step (so the
# verdict is the same, even on invalid JSON), on one scratch buffer: escaped
# backslashes, then escaped quotes, are dropped; the brackets outside strings
# are kept as "(" and ")"; up to _PEELED_LEVELS rounds drop every "()"; then
# the deepest point at the end of a run, plus the rounds, is the depth.
cdef enum:
    _PEELED_LEVELS = 3  # cyjose._speedups.json_py._PEELED_LEVELS


cdef int _check_depth(bytes data, str what, Py_ssize_t max_depth) except -1:
    """Raise the reference's LimitExceededError if ``data`` nests deeper than ``max_depth``."""
    cdef const unsigned char *s = <const unsigned char *>PyBytes_AS_STRING(data)
    cdef Py_ssize_t n = len(data), depth
    cdef unsigned char *scratch
    if _count_openers(s, n) <= max_depth:
        return 0
    if n >= 1 and (s[0] == 0xEF or s[0] == 0xFE or s[0] == 0xFF or s[0] == 0 or (n >= 2 and s[1] == 0)):
        _reference_check_depth(data, what, max_depth)  # a BOM or UTF-16/32: the reference re-encodes it
        return 0
    scratch = <unsigned char *>PyMem_Malloc(n)
    if scratch == NULL:
        raise MemoryError()
    depth = _bracket_depth(s, n, scratch)
    PyMem_Free(scratch)
    if depth > max_depth:
        raise _exceeded(f"The {what} JSON", "max_json_depth", max_depth, "levels")
    return 0


cdef Py_ssize_t _drop_pairs(const unsigned char *s, Py_ssize_t n, unsigned char *out,
                            unsigned char first, unsigned char second) noexcept nogil:
    """``bytes.replace(first + second, b"")`` of ``s[:n]`` into ``out`` (may be ``s``); the new length."""
    cdef Py_ssize_t i = 0, kept = 0
    while i < n:
        if s[i] == first and i + 1 < n and s[i + 1] == second:
            i += 2
        else:
            out[kept] = s[i]
            kept += 1
            i += 1
    return kept


cdef Py_ssize_t _bracket_depth(const unsigned char *s, Py_ssize_t n, unsigned char *buf) noexcept nogil:
    cdef Py_ssize_t i, m, kept = 0, peeled = 0, level = 0, deepest = 0
    cdef bint in_string = False, any_run = False
    cdef unsigned char c
    m = _drop_pairs(s, n, buf, b'\\', b'\\')
    m = _drop_pairs(buf, m, buf, b'\\', b'"')
    for i in range(m):
        c = buf[i]
        if c == b'"':
            in_string = not in_string
        elif not in_string:
            if c == b'[' or c == b'{':
                buf[kept] = b'('
                kept += 1
            elif c == b']' or c == b'}':
                buf[kept] = b')'
                kept += 1
    m = kept
    while peeled < _PEELED_LEVELS:
        kept = _drop_pairs(buf, m, buf, b'(', b')')
        if kept == m:
            break
        m = kept
        peeled += 1
    for i in range(m):
        level += 1 if buf[i] == b'(' else -1
        if i + 1 == m or buf[i + 1] != buf[i]:  # the end of a run
            if not any_run or level > deepest:
                deepest = level
            any_run = True
    return peeled + deepest
