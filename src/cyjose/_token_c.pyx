# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The whole-token fast path of :class:`cyjose.Verifier` -- compiled twin of
:mod:`cyjose._token_py`, the reference.

One call splits the token and decodes its segments in C (the same C code as
the _compact_c and _b64url_c twins), looks its header segment up among the
known ones, checks the signature with the known key and parses and checks the
claims. The verified-token cache answers hits with one dict lookup and a copy.
"""

from cpython.bytes cimport PyBytes_FromStringAndSize
from cpython.dict cimport PyDict_GetItem
from cpython.object cimport PyObject

from . import _token_py as _reference
from ._claims import check_claims
from ._json import loads_object

__all__ = ["TokenFastPath", "TokenCache", "fresh_claims", "MAX_KNOWN_HEADERS"]

include "_compact_core.pxi"
include "_b64url_core.pxi"

MAX_KNOWN_HEADERS = _reference.MAX_KNOWN_HEADERS


cdef class TokenFastPath:
    """Known headers plus the claim rules: ``verify(token, now)`` for the common case."""

    cdef dict _headers
    cdef object _rules

    def __init__(self, rules):
        self._rules = rules
        self._headers = {}

    def remember(self, header_segment, header, verify):
        """Remember a header segment the general path accepted, with its key's ``verify``."""
        if len(self._headers) < MAX_KNOWN_HEADERS:
            self._headers[header_segment] = (header, verify)

    def forget(self):
        """Forget every known header (after the Verifier's keys change)."""
        self._headers = {}

    def verify(self, token, now):
        """``(header, claims, signature)`` for a valid token with a known header, else None.

        Raises what the general path raises once the signature has verified.
        """
        cdef const char *data = NULL
        cdef const char *first = NULL
        cdef const char *last = NULL
        cdef Py_ssize_t size = 0
        cdef PyObject *known
        if _split_view(token, &data, &size, &first, &last) != SPLIT_OK:
            return None
        header_segment = PyBytes_FromStringAndSize(data, first - data)
        known = PyDict_GetItem(self._headers, header_segment)
        if known == NULL:
            return None
        header, verify = <tuple>known
        payload = _decode(<const unsigned char *>first + 1, last - first - 1)
        signature = _decode(<const unsigned char *>last + 1, data + size - last - 1)
        if payload is None or signature is None:
            return None
        if not verify(PyBytes_FromStringAndSize(data, last - data), signature):
            return None
        claims = loads_object(payload, "payload")
        check_claims(claims, self._rules, now)
        return header, claims, signature


cdef object _fresh(object value):
    if type(value) is dict:
        return fresh_claims(value)
    if type(value) is list:
        return [_fresh(item) for item in <list>value]
    return value


cpdef dict fresh_claims(dict claims):
    """A copy of ``claims`` sharing no dict or list with it (JSON values only)."""
    cdef dict copy = {}
    for name, value in claims.items():
        copy[name] = _fresh(value)
    return copy


cdef class TokenCache:
    """Verified tokens, answered again without any work while still valid.

    See :class:`cyjose._token_py.TokenCache`, the reference.
    """

    cdef dict _entries
    cdef readonly Py_ssize_t maxsize
    cdef readonly Py_ssize_t hits
    cdef readonly Py_ssize_t misses

    def __init__(self, Py_ssize_t maxsize):
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0
        self._entries = {}

    def get(self, token, double now):
        """``(header, claims, signature)`` of a cached token valid at ``now``, else None."""
        cdef PyObject *found = PyDict_GetItem(self._entries, token)
        cdef tuple entry
        if found == NULL:
            self.misses += 1
            return None
        entry = <tuple>found
        if not (<double>entry[0] <= now < <double>entry[1]):
            self._entries.pop(token, None)
            self.misses += 1
            return None
        # Most recently used goes last: pop and re-insert (dicts keep insertion order).
        del self._entries[token]
        self._entries[token] = entry
        self.hits += 1
        return entry[2], fresh_claims(entry[3]), entry[4]

    def put(self, token, header, claims, signature, key_tag, not_before, expires_at):
        """Remember a token that just verified; evicts the least recently used beyond ``maxsize``."""
        if type(token) is not str and type(token) is not bytes:
            return
        self._entries[token] = (float(not_before), float(expires_at), dict(header),
                                fresh_claims(claims), signature, key_tag)
        while len(self._entries) > self.maxsize:
            del self._entries[next(iter(self._entries))]

    def discard_unless(self, keep_tags):
        """Drop every entry whose ``key_tag`` is not in ``keep_tags``."""
        self._entries = {token: entry for token, entry in self._entries.items() if entry[5] in keep_tags}

    def clear(self):
        self._entries = {}

    def __len__(self):
        return len(self._entries)
