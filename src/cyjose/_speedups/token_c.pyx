# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
"""The whole-token fast path of :class:`cyjose.Verifier` -- compiled twin of
:mod:`cyjose._speedups.token_py`, the reference.

One call splits the token and decodes its segments in C (the same C code as
the compact_c and b64url_c twins), looks its header segment up among the
known ones, checks the signature with the known key and parses and checks the
claims. The verified-token cache answers hits with one dict lookup and a copy.
"""

from cpython.bytes cimport PyBytes_FromStringAndSize
from cpython.dict cimport PyDict_GetItem
from cpython.object cimport PyObject
from cpython.pycapsule cimport PyCapsule_GetPointer
from libc.math cimport INFINITY
from libc.string cimport memcmp

import time

from . import hmac as _hmac
from . import token_py as _reference
from .claims import check_claims
from ..exceptions import PyJWTError, RevokedTokenError
from ..limits import DEFAULT_LIMITS

__all__ = ["VerifierCore", "check_not_revoked", "TokenFastPath", "TokenCache", "fresh_claims", "MAX_KNOWN_HEADERS"]

include "compact_core.pxi"
include "b64url_core.pxi"
include "json_core.pxi"

MAX_KNOWN_HEADERS = _reference.MAX_KNOWN_HEADERS

# With the compiled HMAC twin, HMAC keys are checked through its C entry point
# on the token's own buffer (no call through Python, no copy of the signing input).
ctypedef int (*hmac_verify_raw)(object, const char *, size_t, const char *, size_t) except -1
cdef hmac_verify_raw _hmac_verify = NULL
if _hmac.C_API is not None:
    _hmac_verify = <hmac_verify_raw>PyCapsule_GetPointer(_hmac.C_API, b"cyjose._speedups.hmac_c.verify_raw")

# Held in C variables: no module-dictionary lookup per token. The clock is
# looked up on the time module per call, so patching time.time works.
cdef object _check_claims = check_claims
cdef object _time = time

cdef enum:
    _STACK_PAYLOAD = 4096  # decoded payloads up to this size need no bytes object
    _STACK_SIGNATURE = 64  # the longest HMAC (SHA-512)


cdef class TokenFastPath:
    """Known headers plus the claim rules: ``verify(token, now)`` for the common case."""

    cdef dict _headers
    cdef object _rules
    cdef tuple _last  # (header segment, known entry) of the last hit: one read, so race-free
    cdef Py_ssize_t _max_bytes
    cdef Py_ssize_t _max_depth
    cdef public double recheck_at  # see token_py.TokenFastPath

    def __init__(self, rules, limits=DEFAULT_LIMITS):
        self._rules = rules
        self._max_bytes = limits.max_token_bytes
        self._max_depth = limits.max_json_depth
        self._headers = {}
        self._last = None
        self.recheck_at = INFINITY

    def remember(self, header_segment, header, verify):
        """Remember a header segment the general path accepted, with its key's ``verify``."""
        if len(self._headers) < MAX_KNOWN_HEADERS:
            owner = getattr(verify, "__self__", None)
            hmac_key = owner if _hmac_verify != NULL and type(owner) is _hmac.HmacKey else None
            self._headers[header_segment] = (header, verify, hmac_key)

    def forget(self):
        """Forget every known header (after the Verifier's keys change)."""
        self._headers = {}
        self._last = None

    def verify(self, token, now):
        """``(header, claims, signature)`` for a valid token with a known header, else None.

        Raises what the general path raises once the signature has verified.
        """
        return self._run(token, now, True)

    def claims(self, token, now):
        """The claims alone of :meth:`verify` (None when the general path must decide)."""
        return self._run(token, now, False)

    cdef object _run(self, object token, object now, bint complete):
        cdef const char *data = NULL
        cdef const char *first = NULL
        cdef const char *last = NULL
        cdef Py_ssize_t size = 0, payload_size, signature_size
        cdef unsigned char payload_buffer[_STACK_PAYLOAD]
        cdef unsigned char signature_buffer[_STACK_SIGNATURE]
        cdef unsigned char *payload_bytes = payload_buffer
        cdef bytes payload = None
        cdef bytes signature = None
        cdef tuple known
        known = self._known(token, &data, &size, &first, &last)
        if known is None:
            return None
        header, verify, hmac_key = known
        # The payload is decoded onto the stack unless it is large; the
        # signature too for HMAC, unless the caller wants it.
        payload_size = _decoded_size(<const unsigned char *>first + 1, last - first - 1)
        signature_size = _decoded_size(<const unsigned char *>last + 1, data + size - last - 1)
        if payload_size < 0 or signature_size < 0:
            return None
        if payload_size > _STACK_PAYLOAD:
            payload = PyBytes_FromStringAndSize(NULL, payload_size)
            payload_bytes = <unsigned char *>PyBytes_AS_STRING(payload)
        if not _decode_to(<const unsigned char *>first + 1, last - first - 1, payload_bytes):
            return None
        if hmac_key is not None and not complete:
            if signature_size > _STACK_SIGNATURE:
                return None  # longer than any HMAC: the general path reports it
            if not _decode_to(<const unsigned char *>last + 1, data + size - last - 1, signature_buffer):
                return None
            if not _hmac_verify(hmac_key, data, <size_t>(last - data),
                                <const char *>signature_buffer, <size_t>signature_size):
                return None
        else:
            signature = _decode(<const unsigned char *>last + 1, data + size - last - 1)
            if signature is None:
                return None
            if hmac_key is not None:
                if not _hmac_verify(hmac_key, data, <size_t>(last - data),
                                    PyBytes_AS_STRING(signature), <size_t>signature_size):
                    return None
            elif not verify(PyBytes_FromStringAndSize(data, last - data), signature):
                return None
        claims = _load_object_view(payload_bytes, payload_size, "payload", self._max_depth)
        _check_claims(claims, self._rules, now)
        if complete:
            return header, claims, signature
        return claims

    cdef tuple _known(self, object token, const char **data, Py_ssize_t *size,
                      const char **first, const char **last):
        """The known (header, verify, hmac_key) of ``token``'s header segment, else None."""
        cdef PyObject *found
        cdef tuple recent = self._last
        cdef Py_ssize_t header_size
        if _split_view(token, data, size, first, last, self._max_bytes) != SPLIT_OK:
            return None
        header_size = first[0] - data[0]
        # Most services see one header over and over: compare with the last one first.
        if recent is not None:
            segment = <bytes>recent[0]
            if len(segment) == header_size and memcmp(PyBytes_AS_STRING(segment), data[0], header_size) == 0:
                return <tuple>recent[1]
        header_segment = PyBytes_FromStringAndSize(data[0], header_size)
        found = PyDict_GetItem(self._headers, header_segment)
        if found == NULL:
            return None
        self._last = (header_segment, <tuple>found)
        return <tuple>found


cdef object _fresh(object value):
    if type(value) is dict:
        return fresh_claims(value)
    if type(value) is list:
        return [_fresh(item) for item in <list>value]
    return value


cpdef dict fresh_claims(dict claims):
    """A copy of a JSON object (claims or header) sharing no dict or list with it."""
    cdef dict copy = {}
    for name, value in claims.items():
        copy[name] = _fresh(value)
    return copy


cdef class TokenCache:
    """Verified tokens, answered again without any work while still valid.

    See :class:`cyjose._speedups.token_py.TokenCache`, the reference.
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

    cpdef get(self, token, double now, key_tags):
        """``(header, claims, signature)`` of a cached token valid at ``now``, else None."""
        cdef PyObject *found
        cdef tuple entry
        if type(token) is not str and type(token) is not bytes:
            return None
        found = PyDict_GetItem(self._entries, token)
        if found == NULL:
            self.misses += 1
            return None
        entry = <tuple>found
        # (`in key_tags` may run Python code, so it comes before the re-insertion below.)
        if not (<double>entry[0] <= now < <double>entry[1]) or entry[5] not in key_tags:
            self._entries.pop(token, None)
            self.misses += 1
            return None
        if self._entries.pop(token, None) is not None:  # (unless evicted meanwhile)
            self._entries[token] = entry  # re-inserted last: most recently used
        self.hits += 1
        return entry[2], fresh_claims(entry[3]), entry[4]

    def put(self, token, header, claims, signature, key_tag, not_before, expires_at):
        """Remember a token that just verified; evicts the least recently used beyond ``maxsize``."""
        if type(token) is not str and type(token) is not bytes:
            return
        entry = (float(not_before), float(expires_at), fresh_claims(header),
                 fresh_claims(claims), signature, key_tag)
        entries = self._entries
        entries.pop(token, None)
        # Evict first, so that no reader ever sees more than maxsize entries.
        while entries and len(entries) >= self.maxsize:
            del entries[next(iter(entries))]
        if self.maxsize:
            entries[token] = entry

    def discard_unless(self, keep_tags):
        """Drop every entry whose ``key_tag`` is not in ``keep_tags``."""
        self._entries = {token: entry for token, entry in self._entries.items() if entry[5] in keep_tags}

    def clear(self):
        self._entries = {}

    def __len__(self):
        return len(self._entries)


cdef class VerifierCore:
    """The per-token entry point of :class:`cyjose.Verifier`, its base class.

    See :class:`cyjose._speedups.token_py.VerifierCore`, the reference.
    """

    cdef public tuple _state
    cdef public object _cache
    cdef public object _deny
    cdef public unsigned long long _passed
    cdef public dict _failed

    def verify(self, token):
        """Verify ``token`` (str or bytes) and return its claims.

        Raises exactly what ``cyjose.decode()`` raises for the same token, key,
        algorithms and claim rules, and :class:`RevokedTokenError` for a token
        whose ``jti`` the deny-list names.
        """
        try:
            claims = self._verified_claims(token)
            if self._deny is not None:
                check_not_revoked(self._deny, claims)
        except PyJWTError as error:
            name = type(error).__name__
            self._failed[name] = self._failed.get(name, 0) + 1
            raise
        self._passed += 1
        return claims

    cdef object _verified_claims(self, object token):
        cdef double now = _time.time()
        cdef tuple state = self._state
        cdef TokenFastPath fast = <TokenFastPath>state[1]
        cache = self._cache
        if fast.recheck_at != INFINITY and _time.monotonic() >= fast.recheck_at:  # keys due for a check
            return self._verify(token, None)[1]
        if cache is None:
            claims = fast._run(token, now, False)
            if claims is not None:
                return claims
        else:
            hit = (<TokenCache>cache).get(token, now, state[2])
            if hit is not None:
                return (<tuple>hit)[1]
        return self._verify_uncached(token, now)[1]


cpdef check_not_revoked(deny, dict claims):
    """See :func:`cyjose._speedups.token_py.check_not_revoked`."""
    cdef PyObject *jti = PyDict_GetItem(claims, "jti")
    if jti == NULL or <object>jti is None:
        return
    if deny(<object>jti) if callable(deny) else (<object>jti) in deny:
        raise RevokedTokenError("Token has been revoked")
