# cython: language_level=3, boundscheck=False, wraparound=False
"""Public-key signature verification prepared once per key -- compiled twin of
:mod:`cyjose._speedups.pkey_py`.

Uses OpenSSL's libcrypto directly. At construction the ``cryptography`` key
is converted once to an ``EVP_PKEY`` (RSA from its modulus and exponent, EC
from its point on a per-curve parameter set, EdDSA from its raw bytes: a few
microseconds; any other key through its SubjectPublicKeyInfo DER and
``d2i_PUBKEY``, ~0.1 ms) and a verification context is initialised once with
the hash and padding (a *template*). Each ``verify`` copies the template into a fresh
``EVP_MD_CTX`` and runs the one-shot ``EVP_DigestVerify`` with the GIL
released, so threads verify in parallel. The shared ``EVP_PKEY`` and template
are only read after construction, which OpenSSL 3 allows from many threads.

Exact ``bytes`` arguments take that path; anything else (``bytearray``,
``memoryview``, ``str``, ...) goes to the reference itself, which answers or
raises exactly as it always does. So does every call when the key cannot be
converted (e.g. a curve the linked libcrypto lacks).
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_GET_SIZE

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from . import pkey_py as _reference

__all__ = ["PublicKeyVerifier", "SCHEMES", "HASH_NAMES"]

cdef extern from *:
    """
    #include <openssl/bn.h>
    #include <openssl/core_names.h>
    #include <openssl/err.h>
    #include <openssl/evp.h>
    #include <openssl/param_build.h>
    #include <openssl/rsa.h>
    #include <openssl/x509.h>

    /* Initialise ctx to verify with pkey: md NULL for EdDSA; padding 0 (EC,
       EdDSA), RSA_PKCS1_PADDING or RSA_PKCS1_PSS_PADDING with the salt
       length saltlen and MGF1 over md. 1 on success, 0 on failure. */
    static int cyjose_pkey_init(EVP_MD_CTX *ctx, EVP_PKEY *pkey, const EVP_MD *md,
                                int padding, int saltlen) {
        EVP_PKEY_CTX *pctx = NULL;
        if (EVP_DigestVerifyInit(ctx, &pctx, md, NULL, pkey) != 1) return 0;
        if (padding == 0) return 1;
        if (EVP_PKEY_CTX_set_rsa_padding(pctx, padding) <= 0) return 0;
        if (padding != RSA_PKCS1_PSS_PADDING) return 1;
        return EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, saltlen) > 0
               && EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) > 0;
    }

    /* Verify sig over msg with a copy of the initialised template (or, when
       template is NULL, a context initialised here). 1: valid; 0: invalid
       (the error queue is cleared); -1: no context could be set up (the
       reason stays in this thread's error queue). Needs no GIL. */
    static int cyjose_pkey_verify(const EVP_MD_CTX *template, EVP_PKEY *pkey,
                                  const EVP_MD *md, int padding, int saltlen,
                                  const unsigned char *sig, size_t siglen,
                                  const unsigned char *msg, size_t msglen) {
        int rc;
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        if (ctx == NULL) return -1;
        if (template != NULL ? EVP_MD_CTX_copy_ex(ctx, template) != 1
                             : !cyjose_pkey_init(ctx, pkey, md, padding, saltlen)) {
            EVP_MD_CTX_free(ctx);
            return -1;
        }
        rc = EVP_DigestVerify(ctx, sig, siglen, msg, msglen);
        EVP_MD_CTX_free(ctx);
        if (rc == 1) return 1;
        ERR_clear_error();  /* a bad signature, a malformed one (-1 for bad DER) alike */
        return 0;
    }

    /* An RSA public key from its big-endian modulus and exponent, or NULL. */
    static EVP_PKEY *cyjose_pkey_rsa(const unsigned char *n, int nlen,
                                     const unsigned char *e, int elen) {
        EVP_PKEY *pkey = NULL;
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
        OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        BIGNUM *bn_n = BN_bin2bn(n, nlen, NULL), *bn_e = BN_bin2bn(e, elen, NULL);
        OSSL_PARAM *params = NULL;
        if (ctx != NULL && bld != NULL && bn_n != NULL && bn_e != NULL
            && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n)
            && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e)
            && (params = OSSL_PARAM_BLD_to_param(bld)) != NULL
            && EVP_PKEY_fromdata_init(ctx) == 1) {
            if (EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1) pkey = NULL;
        }
        OSSL_PARAM_free(params);
        OSSL_PARAM_BLD_free(bld);
        BN_free(bn_n);
        BN_free(bn_e);
        EVP_PKEY_CTX_free(ctx);
        return pkey;
    }

    /* The parameters (no key) of the named EC group, or NULL. */
    static EVP_PKEY *cyjose_pkey_ec_group(const char *group) {
        EVP_PKEY *pkey = NULL;
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
        OSSL_PARAM params[2];
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0);
        params[1] = OSSL_PARAM_construct_end();
        if (ctx != NULL && EVP_PKEY_fromdata_init(ctx) == 1
            && EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEY_PARAMETERS, params) != 1)
            pkey = NULL;
        EVP_PKEY_CTX_free(ctx);
        return pkey;
    }

    /* An EC public key: a copy of the group parameters plus the encoded point. */
    static EVP_PKEY *cyjose_pkey_ec(const EVP_PKEY *group, const unsigned char *point,
                                    size_t len) {
        EVP_PKEY *pkey = EVP_PKEY_dup((EVP_PKEY *)group);
        if (pkey != NULL && EVP_PKEY_set1_encoded_public_key(pkey, point, len) != 1) {
            EVP_PKEY_free(pkey);
            pkey = NULL;
        }
        return pkey;
    }

    /* The SubjectPublicKeyInfo der[:len] as an EVP_PKEY, or NULL (slow: the decoders). */
    static EVP_PKEY *cyjose_pkey_from_der(const unsigned char *der, long len) {
        const unsigned char *p = der;
        EVP_PKEY *pkey = d2i_PUBKEY(NULL, &p, len);
        if (pkey != NULL && p != der + len) {  /* trailing bytes: not the key we were given */
            EVP_PKEY_free(pkey);
            return NULL;
        }
        return pkey;
    }

    /* The reason of the last OpenSSL error (or a generic text); clears the queue. */
    static const char *cyjose_pkey_reason(void) {
        unsigned long code = ERR_get_error();
        const char *reason = code ? ERR_reason_error_string(code) : NULL;
        ERR_clear_error();
        return reason != NULL ? reason : "unknown error";
    }
    """
    ctypedef struct EVP_PKEY:
        pass
    ctypedef struct EVP_MD:
        pass
    ctypedef struct EVP_MD_CTX:
        pass
    int RSA_PKCS1_PADDING
    int RSA_PKCS1_PSS_PADDING
    EVP_MD *EVP_MD_fetch(void *libctx, const char *algorithm, const char *properties)
    EVP_MD_CTX *EVP_MD_CTX_new()
    int EVP_MD_CTX_copy_ex(EVP_MD_CTX *out, const EVP_MD_CTX *inp)
    void EVP_MD_CTX_free(EVP_MD_CTX *ctx)
    void EVP_PKEY_free(EVP_PKEY *pkey)
    void ERR_clear_error()
    int cyjose_pkey_init(EVP_MD_CTX *ctx, EVP_PKEY *pkey, const EVP_MD *md,
                         int padding, int saltlen)
    int cyjose_pkey_verify(const EVP_MD_CTX *template, EVP_PKEY *pkey, const EVP_MD *md,
                           int padding, int saltlen, const unsigned char *sig, size_t siglen,
                           const unsigned char *msg, size_t msglen) nogil
    EVP_PKEY *cyjose_pkey_from_der(const unsigned char *der, long len)
    EVP_PKEY *cyjose_pkey_rsa(const unsigned char *n, int nlen, const unsigned char *e, int elen)
    EVP_PKEY *cyjose_pkey_ec_group(const char *group)
    EVP_PKEY *cyjose_pkey_ec(const EVP_PKEY *group, const unsigned char *point, size_t len)
    EVP_PKEY *EVP_PKEY_new_raw_public_key_ex(void *libctx, const char *keytype,
                                             const char *propq, const unsigned char *pub,
                                             size_t len)
    const char *cyjose_pkey_reason()


SCHEMES = _reference.SCHEMES
HASH_NAMES = _reference.HASH_NAMES

# The digests, fetched once for the life of the process.
cdef const EVP_MD *_SHA256 = EVP_MD_fetch(NULL, b"SHA256", NULL)
cdef const EVP_MD *_SHA384 = EVP_MD_fetch(NULL, b"SHA384", NULL)
cdef const EVP_MD *_SHA512 = EVP_MD_fetch(NULL, b"SHA512", NULL)
if _SHA256 == NULL or _SHA384 == NULL or _SHA512 == NULL:
    raise ImportError(f"OpenSSL has no SHA-2 implementation: {cyjose_pkey_reason().decode()}")


# cryptography's curve names -> OpenSSL's group names; other names are tried as they are.
_GROUP_NAMES = {"secp256r1": b"prime256v1", "secp384r1": b"secp384r1",
                "secp521r1": b"secp521r1", "secp256k1": b"secp256k1"}
# The parameters of each EC group met so far, by group name (kept for the process).
cdef dict _ec_groups = {}


cdef EVP_PKEY *_ec_group(bytes name) except? NULL:
    cdef EVP_PKEY *group
    cached = _ec_groups.get(name)
    if cached is not None:
        return <EVP_PKEY *><size_t>cached
    group = cyjose_pkey_ec_group(name)
    if group != NULL:  # never freed: one per curve, shared by every key on it
        _ec_groups[name] = <size_t>group
    return group


cdef EVP_PKEY *_direct_evp_pkey(object public_key, object scheme) except? NULL:
    """The key through the cheapest import its type has (microseconds), or NULL."""
    cdef EVP_PKEY *group
    cdef bytes data, n, e
    if scheme == "pkcs1v15" or scheme == "pss":
        numbers = public_key.public_numbers()
        n = numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")
        e = numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")
        if len(n) > 0x7FFFFFFF or len(e) > 0x7FFFFFFF:
            return NULL
        return cyjose_pkey_rsa(<const unsigned char *>PyBytes_AS_STRING(n), <int>len(n),
                               <const unsigned char *>PyBytes_AS_STRING(e), <int>len(e))
    if scheme == "ecdsa":
        name = public_key.curve.name
        group = _ec_group(_GROUP_NAMES.get(name) or name.encode("ascii"))
        if group == NULL:
            return NULL
        data = public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return cyjose_pkey_ec(group, <const unsigned char *>PyBytes_AS_STRING(data),
                              <size_t>len(data))
    data = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return EVP_PKEY_new_raw_public_key_ex(
        NULL, b"ED25519" if isinstance(public_key, Ed25519PublicKey) else b"ED448", NULL,
        <const unsigned char *>PyBytes_AS_STRING(data), <size_t>len(data))


cdef EVP_PKEY *_to_evp_pkey(object public_key, object scheme):
    """``public_key`` (already checked by the reference) as a new EVP_PKEY, or NULL."""
    cdef EVP_PKEY *pkey = NULL
    cdef bytes der
    try:
        pkey = _direct_evp_pkey(public_key, scheme)
    except Exception:  # an exotic key object: try its SubjectPublicKeyInfo
        pkey = NULL
    if pkey == NULL:
        ERR_clear_error()
        try:  # every type OpenSSL knows, at ~0.1 ms through its decoders
            der = public_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        except Exception:
            return NULL
        pkey = cyjose_pkey_from_der(<const unsigned char *>PyBytes_AS_STRING(der),
                                    <long>PyBytes_GET_SIZE(der))
        ERR_clear_error()
    return pkey


cdef class PublicKeyVerifier:
    """A public key prepared for one signature scheme and hash.

    ``PublicKeyVerifier(public_key, scheme, hash_name)``: ``public_key`` is a
    ``cryptography`` public key (RSA, EC, Ed25519, Ed448), ``scheme`` one of
    :data:`SCHEMES`, ``hash_name`` one of :data:`HASH_NAMES` (None for
    ``"eddsa"``). Raises :class:`InvalidKeyError` for an unknown scheme or
    hash or a key of the wrong type.

    ``verify(msg, sig)`` returns True when ``sig`` is a valid signature of
    ``msg`` (both bytes-like; for ECDSA ``sig`` is DER), False otherwise; it
    raises TypeError for arguments that are not bytes-like. Safe to share
    between threads; the signature check runs with the GIL released. The key
    is fixed for the object's life (``__init__`` again raises TypeError). The
    repr never shows key material.
    """

    cdef EVP_PKEY *_pkey
    cdef EVP_MD_CTX *_template
    cdef const EVP_MD *_md
    cdef int _padding
    cdef int _saltlen
    cdef readonly object scheme
    cdef readonly object hash_name
    cdef object _public_key
    cdef object _reference
    # True when verify() runs in libcrypto; False: every call goes to the reference.
    cdef readonly bint _native
    cdef bint _initialised

    # All set-up happens here, exactly once per object: __init__ only refuses a
    # second call, so nothing can swap the key under a verify() running in
    # another thread without the GIL.
    def __cinit__(self, public_key, scheme, hash_name=None):
        cdef EVP_MD_CTX *template
        cdef EVP_MD_CTX *probe
        self._pkey = NULL
        self._template = NULL
        self._native = False
        self._reference = None  # built on first need
        _reference.check_arguments(public_key, scheme, hash_name)
        self._public_key = public_key
        self.scheme = scheme
        self.hash_name = hash_name
        if scheme == "eddsa":
            self._md = NULL
        elif hash_name == "sha256":
            self._md = _SHA256
        elif hash_name == "sha384":
            self._md = _SHA384
        else:
            self._md = _SHA512
        self._padding = (RSA_PKCS1_PSS_PADDING if scheme == "pss"
                         else RSA_PKCS1_PADDING if scheme == "pkcs1v15" else 0)
        self._saltlen = _reference.DIGEST_SIZES.get(hash_name, 0)
        self._pkey = _to_evp_pkey(public_key, scheme)
        if self._pkey == NULL:  # e.g. a curve the linked libcrypto does not know
            return
        template = EVP_MD_CTX_new()
        probe = EVP_MD_CTX_new()
        if template == NULL or probe == NULL:
            EVP_MD_CTX_free(template)
            EVP_MD_CTX_free(probe)
            raise MemoryError()
        if cyjose_pkey_init(template, self._pkey, self._md, self._padding, self._saltlen):
            if EVP_MD_CTX_copy_ex(probe, template) == 1:
                self._template = template  # verify() copies it
                self._native = True
            else:  # a provider that cannot duplicate the context: initialise per call
                EVP_MD_CTX_free(template)
                template = NULL
                ERR_clear_error()
                self._native = cyjose_pkey_init(probe, self._pkey, self._md,
                                                self._padding, self._saltlen) == 1
        else:
            EVP_MD_CTX_free(template)
            template = NULL
        EVP_MD_CTX_free(probe)
        ERR_clear_error()
        if not self._native:
            EVP_PKEY_free(self._pkey)
            self._pkey = NULL

    def __init__(self, public_key, scheme, hash_name=None):
        if self._initialised:
            raise TypeError("PublicKeyVerifier cannot be re-initialised")
        self._initialised = True

    def __dealloc__(self):
        if self._template != NULL:
            EVP_MD_CTX_free(self._template)
            self._template = NULL
        if self._pkey != NULL:
            EVP_PKEY_free(self._pkey)
            self._pkey = NULL

    def verify(self, msg, sig):
        """True when ``sig`` is a valid signature of ``msg``, else False."""
        cdef const unsigned char *m
        cdef const unsigned char *s
        cdef size_t mlen, slen
        cdef int rc
        if not self._native or type(msg) is not bytes or type(sig) is not bytes:
            if self._reference is None:
                self._reference = _reference.PublicKeyVerifier(
                    self._public_key, self.scheme, self.hash_name)
            return self._reference.verify(msg, sig)
        # msg and sig are immutable and referenced by this call's arguments
        # until it returns: their buffers stay valid without the GIL.
        m = <const unsigned char *>PyBytes_AS_STRING(msg)
        mlen = <size_t>PyBytes_GET_SIZE(msg)
        s = <const unsigned char *>PyBytes_AS_STRING(sig)
        slen = <size_t>PyBytes_GET_SIZE(sig)
        with nogil:
            rc = cyjose_pkey_verify(self._template, self._pkey, self._md, self._padding,
                                    self._saltlen, s, slen, m, mlen)
        if rc < 0:
            raise MemoryError(f"OpenSSL could not set up a verification: "
                              f"{cyjose_pkey_reason().decode()}")
        return rc == 1

    def __copy__(self):
        return self  # immutable

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        raise TypeError(f"cannot pickle {type(self).__name__!r} object")

    def __repr__(self):
        return f"<PublicKeyVerifier {self.scheme} {self.hash_name}>"
