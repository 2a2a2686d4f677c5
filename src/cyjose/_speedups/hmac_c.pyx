# cython: language_level=3, boundscheck=False, wraparound=False
"""HMAC-SHA-2 with per-key precomputed state -- compiled twin of :mod:`cyjose._speedups.hmac_py`.

Uses OpenSSL's libcrypto directly: the SHA-2 states after the inner and outer
pads are computed once per key (RFC 2104); each sign/verify copies them onto
the stack, so the pads are never hashed again and nothing is allocated per
call. Comparison is ``CRYPTO_memcmp`` after a
length check. Argument checks and messages follow the reference
(``hashlib``/``hmac.compare_digest``).
"""

import hmac as _hmac

from cpython.buffer cimport PyBUF_SIMPLE, PyBuffer_Release, PyObject_CheckBuffer, PyObject_GetBuffer
from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.pycapsule cimport PyCapsule_New
from libc.string cimport memset

from . import hmac_py as _reference
from ..exceptions import InvalidKeyError

__all__ = ["HmacKey", "constant_time_equal", "DIGEST_SIZES"]

cdef extern from *:
    """
    /* The SHA-2 block functions are deprecated in OpenSSL 3 but present in
       every build that keeps the 1.1 API (all mainstream ones); without them
       the EVP digest interface serves instead. */
    #define OPENSSL_SUPPRESS_DEPRECATED
    #include <string.h>
    #include <openssl/crypto.h>
    #include <openssl/err.h>
    #include <openssl/evp.h>
    #include <openssl/sha.h>

    #ifndef OPENSSL_NO_DEPRECATED_3_0
    /* HMAC (RFC 2104) with the pads hashed once: `inner`/`outer` hold the SHA-2
       state after (key ^ ipad) and (key ^ opad). Each MAC copies them onto the
       stack, so a call allocates nothing, shares no scratch state and needs no
       lock. Plain SHA-2 states skip the EVP provider dispatch: 195 ns vs 260 ns
       per HMAC-SHA-256 of 231 bytes (copying EVP_MD_CTX states), 570 ns
       duplicating an EVP_MAC context. */
    typedef union { SHA256_CTX s256; SHA512_CTX s512; } cyjose_sha2;
    typedef struct {
        int bits;  /* 256, 384 or 512; 0: not keyed */
        cyjose_sha2 inner, outer;
    } cyjose_hmac;

    static int cyjose_sha2_init(cyjose_sha2 *c, int bits) {
        return bits == 256 ? SHA256_Init(&c->s256) : bits == 384 ? SHA384_Init(&c->s512) : SHA512_Init(&c->s512);
    }
    static int cyjose_sha2_update(cyjose_sha2 *c, int bits, const void *data, size_t len) {
        return bits == 256 ? SHA256_Update(&c->s256, data, len) : SHA512_Update(&c->s512, data, len);
    }
    static int cyjose_sha2_final(cyjose_sha2 *c, int bits, unsigned char *out) {
        return bits == 256 ? SHA256_Final(out, &c->s256)
             : bits == 384 ? SHA384_Final(out, &c->s512) : SHA512_Final(out, &c->s512);
    }
    static int cyjose_hmac_keyed(const cyjose_hmac *h) { return h->bits != 0; }
    static void cyjose_hmac_free(cyjose_hmac *h) { OPENSSL_cleanse(h, sizeof(*h)); }
    static int cyjose_hmac_copy(cyjose_hmac *dst, const cyjose_hmac *src) { *dst = *src; return 1; }

    static int cyjose_hmac_setup(cyjose_hmac *h, int bits, const unsigned char *ipad,
                                 const unsigned char *opad, int block) {
        h->bits = bits;
        return cyjose_sha2_init(&h->inner, bits) && cyjose_sha2_update(&h->inner, bits, ipad, block)
            && cyjose_sha2_init(&h->outer, bits) && cyjose_sha2_update(&h->outer, bits, opad, block);
    }

    /* The MAC of data[:len] into out (EVP_MAX_MD_SIZE bytes): 1 on success, 0 on failure. */
    static int cyjose_hmac_mac(cyjose_hmac *h, const void *data, size_t len,
                               unsigned char *out, size_t *outlen) {
        unsigned char inner_hash[SHA512_DIGEST_LENGTH];
        size_t size = h->bits / 8;
        cyjose_sha2 state = h->inner;
        int ok = cyjose_sha2_update(&state, h->bits, data, len) && cyjose_sha2_final(&state, h->bits, inner_hash);
        state = h->outer;
        ok = ok && cyjose_sha2_update(&state, h->bits, inner_hash, size)
                && cyjose_sha2_final(&state, h->bits, out);
        OPENSSL_cleanse(&state, sizeof(state));  /* a keyed midstate is as good as the key */
        *outlen = size;
        return ok;
    }
    #else
    /* Without the SHA-2 block functions: EVP digest states, copied per MAC into
       two scratch contexts allocated with the key (used with the GIL held). */
    typedef struct {
        int bits;
        EVP_MD_CTX *inner, *outer, *scratch_inner, *scratch_outer;
    } cyjose_hmac;

    static int cyjose_hmac_keyed(const cyjose_hmac *h) { return h->bits != 0; }
    static void cyjose_hmac_free(cyjose_hmac *h) {
        EVP_MD_CTX_free(h->inner); EVP_MD_CTX_free(h->outer);
        EVP_MD_CTX_free(h->scratch_inner); EVP_MD_CTX_free(h->scratch_outer);
        memset(h, 0, sizeof(*h));
    }
    static int cyjose_hmac_new_contexts(cyjose_hmac *h) {
        h->inner = EVP_MD_CTX_new(); h->outer = EVP_MD_CTX_new();
        h->scratch_inner = EVP_MD_CTX_new(); h->scratch_outer = EVP_MD_CTX_new();
        return h->inner && h->outer && h->scratch_inner && h->scratch_outer;
    }
    static int cyjose_hmac_copy(cyjose_hmac *dst, const cyjose_hmac *src) {
        int ok;
        memset(dst, 0, sizeof(*dst));
        dst->bits = src->bits;
        ok = cyjose_hmac_new_contexts(dst)
             && EVP_MD_CTX_copy_ex(dst->inner, src->inner) && EVP_MD_CTX_copy_ex(dst->outer, src->outer);
        if (!ok) cyjose_hmac_free(dst);
        return ok;
    }
    static int cyjose_hmac_setup(cyjose_hmac *h, int bits, const unsigned char *ipad,
                                 const unsigned char *opad, int block) {
        const EVP_MD *md = bits == 256 ? EVP_sha256() : bits == 384 ? EVP_sha384() : EVP_sha512();
        h->bits = bits;
        return cyjose_hmac_new_contexts(h)
            && EVP_DigestInit_ex(h->inner, md, NULL) && EVP_DigestUpdate(h->inner, ipad, block)
            && EVP_DigestInit_ex(h->outer, md, NULL) && EVP_DigestUpdate(h->outer, opad, block);
    }
    static int cyjose_hmac_mac(cyjose_hmac *h, const void *data, size_t len,
                               unsigned char *out, size_t *outlen) {
        unsigned char inner_hash[EVP_MAX_MD_SIZE];
        unsigned int inner_len = 0, out_len = 0;
        if (!EVP_MD_CTX_copy_ex(h->scratch_inner, h->inner)
            || !EVP_DigestUpdate(h->scratch_inner, data, len)
            || !EVP_DigestFinal_ex(h->scratch_inner, inner_hash, &inner_len)
            || !EVP_MD_CTX_copy_ex(h->scratch_outer, h->outer)
            || !EVP_DigestUpdate(h->scratch_outer, inner_hash, inner_len)
            || !EVP_DigestFinal_ex(h->scratch_outer, out, &out_len)) return 0;
        *outlen = out_len;
        return 1;
    }
    #endif

    /* Key `h` with key[:keylen] for SHA-`bits` (256, 384, 512): 1 on success, 0 on failure. */
    static int cyjose_hmac_init(cyjose_hmac *h, int bits, const unsigned char *key, size_t keylen) {
        unsigned char ipad[128], opad[128], hashed[EVP_MAX_MD_SIZE];
        unsigned int hashed_len = 0;
        int block = bits == 256 ? 64 : 128, i, ok = 0;
        const EVP_MD *md = bits == 256 ? EVP_sha256() : bits == 384 ? EVP_sha384() : EVP_sha512();
        memset(h, 0, sizeof(*h));
        if (keylen > (size_t)block) {  /* RFC 2104: a long key is hashed first */
            if (!EVP_Digest(key, keylen, hashed, &hashed_len, md, NULL)) return 0;
            key = hashed; keylen = hashed_len;
        }
        memset(ipad, 0x36, block); memset(opad, 0x5c, block);
        for (i = 0; i < (int)keylen; i++) { ipad[i] ^= key[i]; opad[i] ^= key[i]; }
        ok = cyjose_hmac_setup(h, bits, ipad, opad, block);
        OPENSSL_cleanse(ipad, sizeof(ipad)); OPENSSL_cleanse(opad, sizeof(opad));
        OPENSSL_cleanse(hashed, sizeof(hashed));
        if (!ok) cyjose_hmac_free(h);
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
    ctypedef struct cyjose_hmac:
        pass
    int cyjose_hmac_keyed(const cyjose_hmac *h)
    int EVP_MAX_MD_SIZE
    int CRYPTO_memcmp(const void *a, const void *b, size_t len)
    void cyjose_hmac_free(cyjose_hmac *h)
    int cyjose_hmac_init(cyjose_hmac *h, int bits, const unsigned char *key, size_t keylen)
    int cyjose_hmac_copy(cyjose_hmac *dst, const cyjose_hmac *src)
    int cyjose_hmac_mac(cyjose_hmac *h, const void *data, size_t len, unsigned char *out, size_t *outlen)
    const char *cyjose_openssl_reason()
    const char *OpenSSL_version(int t)
    int OPENSSL_VERSION_CONST "OPENSSL_VERSION"


#: The libcrypto this twin runs on, e.g. "OpenSSL 3.0.19 27 Jan 2026".
OPENSSL_VERSION = OpenSSL_version(OPENSSL_VERSION_CONST).decode("ascii", "replace")

#: Digest size in bytes of each supported hash name.
DIGEST_SIZES = _reference.DIGEST_SIZES
_DIGEST_BITS = {"sha256": 256, "sha384": 384, "sha512": 512}

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

    cdef cyjose_hmac _state
    cdef readonly object hash_name
    cdef readonly object digest_size

    def __cinit__(self):
        memset(&self._state, 0, sizeof(self._state))

    def __dealloc__(self):
        cyjose_hmac_free(&self._state)

    def __init__(self, secret, hash_name):
        cdef bytes key
        if hash_name not in DIGEST_SIZES:
            raise InvalidKeyError(f"Unsupported HMAC hash: {hash_name!r}")
        digest_size = DIGEST_SIZES[hash_name]
        if not isinstance(hash_name, str):  # as getattr(hashlib, hash_name) in the reference
            raise TypeError(f"attribute name must be string, not '{type(hash_name).__name__}'")
        key = bytes(secret)
        cyjose_hmac_free(&self._state)
        if not cyjose_hmac_init(&self._state, <int>_DIGEST_BITS[hash_name],
                                <const unsigned char *>PyBytes_AS_STRING(key), <size_t>len(key)):
            _openssl_error("key setup")
        self.hash_name = hash_name
        self.digest_size = digest_size

    cdef int _mac(self, object msg, unsigned char *out, size_t *outlen) except -1:
        cdef Py_buffer view
        cdef int ok
        _message_buffer(msg, &view)
        ok = self._mac_raw(<const char *>view.buf, <size_t>view.len, out, outlen)
        PyBuffer_Release(&view)
        return ok

    cdef int _mac_raw(self, const char *data, size_t size, unsigned char *out, size_t *outlen) except -1:
        if not cyjose_hmac_keyed(&self._state):
            raise AttributeError("HmacKey was not initialised (no key)")
        if not cyjose_hmac_mac(&self._state, data, size, out, outlen):
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
        # template); here the copy gets its own copies of the keyed states.
        cdef HmacKey other = type(self).__new__(type(self))
        if cyjose_hmac_keyed(&self._state) and not cyjose_hmac_copy(&other._state, &self._state):
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
    hmac_key._mac_raw(msg, msg_len, out, &outlen)
    return mac_len == outlen and CRYPTO_memcmp(out, mac, outlen) == 0


#: C entry point for the other compiled twins: ``int verify_raw(key, msg, msg_len, mac, mac_len)``.
C_API = PyCapsule_New(<void *>_verify_raw, b"cyjose._speedups.hmac_c.verify_raw", NULL)
