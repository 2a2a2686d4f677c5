# cython: language_level=3, boundscheck=False, wraparound=False
"""HMAC-SHA-2 with per-key precomputed state -- compiled twin of :mod:`cyjose._hmac_py`.

Uses OpenSSL's libcrypto directly: the MAC is keyed once at construction
(``EVP_MAC`` "HMAC"); each sign/verify duplicates the keyed context, so the
inner and outer pads are never hashed again. Comparison is ``CRYPTO_memcmp``
after a length check. Argument checks and messages follow the reference
(``hashlib``/``hmac.compare_digest``).
"""

import hmac as _hmac

from cpython.buffer cimport PyBUF_SIMPLE, PyBuffer_Release, PyObject_CheckBuffer, PyObject_GetBuffer
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.pycapsule cimport PyCapsule_New

from . import _hmac_py as _reference
from .exceptions import InvalidKeyError

__all__ = ["HmacKey", "constant_time_equal", "DIGEST_SIZES"]

cdef extern from *:
    """
    #include <openssl/crypto.h>
    #include <openssl/err.h>
    #include <openssl/evp.h>
    #include <openssl/params.h>

    /* A new HMAC context keyed with key[:keylen] for digest (e.g. "SHA256"), or NULL. */
    static EVP_MAC_CTX *cyjose_hmac_new(EVP_MAC *mac, const char *digest,
                                        const unsigned char *key, size_t keylen) {
        OSSL_PARAM params[2];
        EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
        if (ctx == NULL) return NULL;
        params[0] = OSSL_PARAM_construct_utf8_string("digest", (char *)digest, 0);
        params[1] = OSSL_PARAM_construct_end();
        /* A NULL key would mean "keep the previous key"; an empty key must be a real one. */
        if (!EVP_MAC_init(ctx, key != NULL ? key : (const unsigned char *)"", keylen, params)) {
            EVP_MAC_CTX_free(ctx);
            return NULL;
        }
        return ctx;
    }

    /* The MAC of data[:len] under the keyed template: 1 on success, 0 on failure. */
    static int cyjose_hmac_mac(const EVP_MAC_CTX *keyed, const void *data, size_t len,
                               unsigned char *out, size_t outsize, size_t *outlen) {
        int ok;
        EVP_MAC_CTX *ctx = EVP_MAC_CTX_dup(keyed);
        if (ctx == NULL) return 0;
        ok = EVP_MAC_update(ctx, (const unsigned char *)data, len)
             && EVP_MAC_final(ctx, out, outlen, outsize);
        EVP_MAC_CTX_free(ctx);
        return ok;
    }

    /* The reason of the last OpenSSL error (or a generic text); clears the queue. */
    static const char *cyjose_openssl_reason(void) {
        unsigned long code = ERR_get_error();
        const char *reason = code ? ERR_reason_error_string(code) : NULL;
        ERR_clear_error();
        return reason != NULL ? reason : "unknown error";
    }
    """
    ctypedef struct EVP_MAC:
        pass
    ctypedef struct EVP_MAC_CTX:
        pass
    EVP_MAC *EVP_MAC_fetch(void *libctx, const char *algorithm, const char *properties)
    void EVP_MAC_CTX_free(EVP_MAC_CTX *ctx)
    EVP_MAC_CTX *EVP_MAC_CTX_dup(const EVP_MAC_CTX *src)
    int CRYPTO_memcmp(const void *a, const void *b, size_t len)
    EVP_MAC_CTX *cyjose_hmac_new(EVP_MAC *mac, const char *digest,
                                 const unsigned char *key, size_t keylen)
    int cyjose_hmac_mac(const EVP_MAC_CTX *keyed, const void *data, size_t len,
                        unsigned char *out, size_t outsize, size_t *outlen)
    const char *cyjose_openssl_reason()


cdef EVP_MAC *_HMAC = EVP_MAC_fetch(NULL, b"HMAC", NULL)
if _HMAC == NULL:
    raise ImportError(f"OpenSSL has no HMAC implementation: {cyjose_openssl_reason().decode()}")

#: Digest size in bytes of each supported hash name.
DIGEST_SIZES = _reference.DIGEST_SIZES
_OPENSSL_DIGESTS = {"sha256": b"SHA256", "sha384": b"SHA384", "sha512": b"SHA512"}

cdef enum:
    _MAX_DIGEST = 64


cdef inline int _openssl_error(str what) except -1:
    raise ValueError(f"OpenSSL HMAC {what} failed: {cyjose_openssl_reason().decode()}")


cdef inline int _message_buffer(object msg, Py_buffer *view) except -1:
    # The argument checks of hashlib's update(), which the reference calls.
    if isinstance(msg, str):
        raise TypeError("Strings must be encoded before hashing")
    if not PyObject_CheckBuffer(msg):
        raise TypeError("object supporting the buffer API required")
    PyObject_GetBuffer(msg, view, PyBUF_SIMPLE)
    if view.ndim > 1:
        PyBuffer_Release(view)
        raise BufferError("Buffer must be single dimension")
    return 0


def constant_time_equal(a, b):
    """Compare two byte strings in time independent of where they differ."""
    cdef Py_ssize_t n
    if type(a) is bytes and type(b) is bytes:
        n = len(<bytes>a)
        return n == len(<bytes>b) and CRYPTO_memcmp(
            PyBytes_AS_STRING(a), PyBytes_AS_STRING(b), <size_t>n) == 0
    return _hmac.compare_digest(a, b)


cdef class HmacKey:
    """An HMAC key whose inner and outer pads are hashed once, at construction.

    ``HmacKey(secret, "sha256")``; ``sign(msg)`` returns the MAC and
    ``verify(msg, mac)`` compares in constant time. Raises
    :class:`InvalidKeyError` for an unknown hash name. The secret is never
    shown in the repr.
    """

    cdef EVP_MAC_CTX *_ctx
    cdef readonly object hash_name
    cdef readonly object digest_size

    def __cinit__(self):
        self._ctx = NULL

    def __dealloc__(self):
        if self._ctx != NULL:
            EVP_MAC_CTX_free(self._ctx)
            self._ctx = NULL

    def __init__(self, secret, hash_name):
        cdef EVP_MAC_CTX *ctx
        cdef bytes key
        if hash_name not in DIGEST_SIZES:
            raise InvalidKeyError(f"Unsupported HMAC hash: {hash_name!r}")
        digest_size = DIGEST_SIZES[hash_name]
        if not isinstance(hash_name, str):  # as getattr(hashlib, hash_name) in the reference
            raise TypeError(f"attribute name must be string, not '{type(hash_name).__name__}'")
        key = bytes(secret)
        ctx = cyjose_hmac_new(_HMAC, <bytes>_OPENSSL_DIGESTS[hash_name],
                              <const unsigned char *>PyBytes_AS_STRING(key), <size_t>len(key))
        if ctx == NULL:
            _openssl_error("key setup")
        if self._ctx != NULL:
            EVP_MAC_CTX_free(self._ctx)
        self._ctx = ctx
        self.hash_name = hash_name
        self.digest_size = digest_size

    cdef int _mac(self, object msg, unsigned char *out, size_t *outlen) except -1:
        cdef Py_buffer view
        cdef int ok
        if self._ctx == NULL:
            raise AttributeError("HmacKey was not initialised (no key)")
        _message_buffer(msg, &view)
        ok = cyjose_hmac_mac(self._ctx, view.buf, <size_t>view.len, out, _MAX_DIGEST, outlen)
        PyBuffer_Release(&view)
        if not ok:
            _openssl_error("computation")
        return 0

    def sign(self, msg):
        """The MAC of ``msg`` (bytes-like)."""
        cdef unsigned char out[_MAX_DIGEST]
        cdef size_t outlen = 0
        self._mac(msg, out, &outlen)
        return PyBytes_FromStringAndSize(<char *>out, <Py_ssize_t>outlen)

    def verify(self, msg, mac):
        """Whether ``mac`` is the MAC of ``msg``, compared in constant time."""
        cdef unsigned char out[_MAX_DIGEST]
        cdef size_t outlen = 0
        cdef Py_buffer view
        cdef bint equal
        self._mac(msg, out, &outlen)
        # The argument checks of hmac.compare_digest(bytes, mac).
        PyObject_GetBuffer(mac, &view, PyBUF_SIMPLE)
        if view.ndim > 1:
            PyBuffer_Release(&view)
            raise BufferError("Buffer must be single dimension")
        equal = <size_t>view.len == outlen and CRYPTO_memcmp(out, view.buf, outlen) == 0
        PyBuffer_Release(&view)
        return equal

    def __copy__(self):
        # copy.copy() works on the reference (a new object sharing the keyed
        # template); here the copy gets its own duplicate of the keyed context.
        cdef HmacKey other = type(self).__new__(type(self))
        if self._ctx != NULL:
            other._ctx = EVP_MAC_CTX_dup(self._ctx)
            if other._ctx == NULL:
                _openssl_error("copy")
        other.hash_name = self.hash_name
        other.digest_size = self.digest_size
        return other

    def __repr__(self):
        return f"<HmacKey {self.hash_name}>"


cdef int _verify_raw(object key, const char *msg, size_t msg_len,
                     const char *mac, size_t mac_len) except -1:
    """HmacKey.verify for other compiled twins, on raw buffers: 1 or 0."""
    cdef HmacKey hmac_key = <HmacKey?>key
    cdef unsigned char out[_MAX_DIGEST]
    cdef size_t outlen = 0
    if hmac_key._ctx == NULL:
        raise AttributeError("HmacKey was not initialised (no key)")
    if not cyjose_hmac_mac(hmac_key._ctx, msg, msg_len, out, _MAX_DIGEST, &outlen):
        _openssl_error("computation")
    return mac_len == outlen and CRYPTO_memcmp(out, mac, outlen) == 0


#: C entry point for the other compiled twins: ``int verify_raw(key, msg, msg_len, mac, mac_len)``.
C_API = PyCapsule_New(<void *>_verify_raw, b"cyjose._hmac_c.verify_raw", NULL)
