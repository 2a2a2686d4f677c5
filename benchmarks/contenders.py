"""Every contender of the suite, each through its library's own documented API.

A *verify factory* takes ``(case, fixture, pem)`` and returns ``f(token) ->
claims`` that checks the signature and ``exp``/``aud``/``iss``; ``pem=True``
hands the key over as a PEM string on every call instead of a key prepared
once. A *sign factory* takes ``(case, fixture)`` and returns ``g() -> token``.
A *decrypt factory* takes ``(case, fixture)`` and returns ``f(token) ->
plaintext`` for a compact JWE, accepting only the case's ``alg`` and ``enc``
where the library has an allow-list.
A factory raises :class:`Unsupported` (with the reason) for a case its
library cannot do; the tables show that reason instead of a number.

Libraries are imported inside the factories, so a worker process imports only
the library it measures.
"""

from __future__ import annotations

import base64
import json
import struct
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

from _common import AUDIENCE, ISSUER, SUBJECT, has_cache_api


class Unsupported(Exception):
    """This library cannot do this case; ``str(exc)`` says why."""


@dataclass(frozen=True)
class Contender:
    key: str  # short id used in benchmark names
    label: str  # what the tables show
    library: str  # distribution name (for versions)
    pure: bool  # runs with CYJOSE_NO_EXTENSIONS=1
    make: Callable[..., Callable]
    floor: bool = False


def _public_pem(case: Dict[str, Any], fx: Dict[str, Any]) -> str:
    return fx["keys"][case["family"]]["public_pem"]


def _private_pem(case: Dict[str, Any], fx: Dict[str, Any]) -> str:
    return fx["keys"][case["family"]]["private_pem"]


def _crypto_public(case, fx):
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    return load_pem_public_key(_public_pem(case, fx).encode())


def _crypto_private(case, fx):
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return load_pem_private_key(_private_pem(case, fx).encode(), password=None)


def _is_hmac(case) -> bool:
    return case["family"] == "oct"


# --------------------------------------------------------------------------- cyjose


def cyjose_verifier(case, fx, pem=False, cache=False):
    import cyjose

    key = fx["secret"] if _is_hmac(case) else _public_pem(case, fx)
    extra = {}
    if cache:
        if not has_cache_api():
            raise Unsupported("not available in this build")
        extra = {"cache_size": 1024, "cache_ttl": 60}
    verifier = cyjose.Verifier(key, algorithms=[case["alg"]], audience=AUDIENCE, issuer=ISSUER, **extra)
    return verifier.verify


def cyjose_cache(case, fx, pem=False):
    return cyjose_verifier(case, fx, cache=True)


def cyjose_decode(case, fx, pem=False):
    import cyjose

    if _is_hmac(case):
        key = fx["secret"]
    else:
        key = _public_pem(case, fx) if pem else _crypto_public(case, fx)
    alg = [case["alg"]]
    decode = cyjose.decode
    return lambda token: decode(token, key, algorithms=alg, audience=AUDIENCE, issuer=ISSUER)


def cyjose_signer(case, fx):
    import cyjose

    key = fx["secret"] if _is_hmac(case) else _private_pem(case, fx)
    sign = cyjose.Signer(key, algorithm=case["alg"]).sign
    claims = case["claims"]
    return lambda: sign(claims)


def cyjose_encode(case, fx):
    import cyjose

    key = fx["secret"] if _is_hmac(case) else _crypto_private(case, fx)
    alg, claims, encode = case["alg"], case["claims"], cyjose.encode
    return lambda: encode(claims, key, algorithm=alg)


# --------------------------------------------------------------------------- PyJWT


def pyjwt_decode(case, fx, pem=False):
    import jwt

    if _is_hmac(case):
        key = fx["secret"]
    else:
        key = _public_pem(case, fx) if pem else _crypto_public(case, fx)
    alg, decode = [case["alg"]], jwt.decode
    return lambda token: decode(token, key, algorithms=alg, audience=AUDIENCE, issuer=ISSUER)


def pyjwt_encode(case, fx):
    import jwt

    key = fx["secret"] if _is_hmac(case) else _crypto_private(case, fx)
    alg, claims, encode = case["alg"], case["claims"], jwt.encode
    return lambda: encode(claims, key, algorithm=alg)


# --------------------------------------------------------------------------- python-jose


def _jose_check(alg):
    if alg.startswith("PS"):
        raise Unsupported("no RSA-PSS (PS*) in python-jose")
    if alg == "EdDSA":
        raise Unsupported("no EdDSA in python-jose")


def jose_decode(case, fx, pem=False):
    from jose import jwk, jwt

    alg = case["alg"]
    _jose_check(alg)
    if _is_hmac(case):
        key = fx["secret"] if pem else jwk.construct(fx["secret"], alg)
    else:
        key = _public_pem(case, fx) if pem else jwk.construct(_public_pem(case, fx), alg)
    algs, decode = [alg], jwt.decode
    return lambda token: decode(token, key, algorithms=algs, audience=AUDIENCE, issuer=ISSUER)


def jose_encode(case, fx):
    from jose import jwk, jwt

    alg = case["alg"]
    _jose_check(alg)
    key = jwk.construct(fx["secret"] if _is_hmac(case) else _private_pem(case, fx), alg)
    claims, encode = case["claims"], jwt.encode
    return lambda: encode(claims, key, algorithm=alg)


# --------------------------------------------------------------------------- joserfc


def _joserfc_key(case, fx, private):
    from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey

    if _is_hmac(case):
        return OctKey.import_key(fx["secret"])
    cls = {"rsa": RSAKey, "ec": ECKey, "ed": OKPKey}[case["family"]]
    return cls.import_key(_private_pem(case, fx) if private else _public_pem(case, fx))


def joserfc_decode(case, fx, pem=False):
    from joserfc import jwt
    from joserfc.jwk import ECKey, OctKey, OKPKey, RSAKey

    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": ISSUER},
        aud={"essential": True, "value": AUDIENCE},
        exp={"essential": True},
    )
    algs, decode, validate = [case["alg"]], jwt.decode, registry.validate
    if pem and not _is_hmac(case):
        cls = {"rsa": RSAKey, "ec": ECKey, "ed": OKPKey}[case["family"]]
        import_key, pem_text = cls.import_key, _public_pem(case, fx)

        def verify(token):
            claims = decode(token, import_key(pem_text), algorithms=algs).claims
            validate(claims)
            return claims

        return verify
    if _is_hmac(case) and pem:
        import_key, secret = OctKey.import_key, fx["secret"]

        def verify(token):
            claims = decode(token, import_key(secret), algorithms=algs).claims
            validate(claims)
            return claims

        return verify
    key = _joserfc_key(case, fx, private=False)

    def verify(token):
        claims = decode(token, key, algorithms=algs).claims
        validate(claims)
        return claims

    return verify


def joserfc_encode(case, fx):
    from joserfc import jwt

    key = _joserfc_key(case, fx, private=True)
    header, claims, encode, algs = {"alg": case["alg"]}, case["claims"], jwt.encode, [case["alg"]]
    return lambda: encode(header, claims, key, algorithms=algs)


# --------------------------------------------------------------------------- Authlib


def _authlib():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from authlib import jose
    return jose


def authlib_decode(case, fx, pem=False):
    jose = _authlib()
    alg = case["alg"]
    jwt = jose.JsonWebToken([alg])
    if _is_hmac(case):
        key = fx["secret"] if pem else jose.OctKey.import_key(fx["secret"])
    else:
        key = _public_pem(case, fx) if pem else jose.JsonWebKey.import_key(_public_pem(case, fx))
    options = {
        "iss": {"essential": True, "value": ISSUER},
        "aud": {"essential": True, "value": AUDIENCE},
        "exp": {"essential": True},
    }
    decode = jwt.decode

    def verify(token):
        claims = decode(token, key, claims_options=options)
        claims.validate()
        return claims

    return verify


def authlib_encode(case, fx):
    jose = _authlib()
    alg = case["alg"]
    jwt = jose.JsonWebToken([alg])
    key = (
        jose.OctKey.import_key(fx["secret"]) if _is_hmac(case) else jose.JsonWebKey.import_key(_private_pem(case, fx))
    )
    header, claims, encode = {"alg": alg}, case["claims"], jwt.encode
    return lambda: encode(header, claims, key)


# --------------------------------------------------------------------------- jwcrypto


def _jwcrypto_key(case, fx, private):
    from jwcrypto import jwk

    if _is_hmac(case):
        k = base64.urlsafe_b64encode(fx["secret"].encode()).rstrip(b"=").decode()
        return jwk.JWK(kty="oct", k=k)
    return jwk.JWK.from_pem((_private_pem(case, fx) if private else _public_pem(case, fx)).encode())


def jwcrypto_decode(case, fx, pem=False):
    from jwcrypto import jwk, jwt

    algs = [case["alg"]]
    check = {"exp": None, "iss": ISSUER, "aud": AUDIENCE}
    JWT, loads = jwt.JWT, json.loads
    if pem and not _is_hmac(case):
        from_pem, pem_bytes = jwk.JWK.from_pem, _public_pem(case, fx).encode()
        return lambda token: loads(JWT(jwt=token, key=from_pem(pem_bytes), algs=algs, check_claims=check).claims)
    key = _jwcrypto_key(case, fx, private=False)
    return lambda token: loads(JWT(jwt=token, key=key, algs=algs, check_claims=check).claims)


def jwcrypto_encode(case, fx):
    from jwcrypto import jwt

    key = _jwcrypto_key(case, fx, private=True)
    header, claims, JWT = {"alg": case["alg"]}, case["claims"], jwt.JWT

    def sign():
        token = JWT(header=header, claims=claims)
        token.make_signed_token(key)
        return token.serialize()

    return sign


# --------------------------------------------------------------------------- oxyjwt


def _oxy_key(case, fx, private):
    import oxyjwt

    cls = oxyjwt.EncodingKey if private else oxyjwt.DecodingKey
    if _is_hmac(case):
        return cls.from_secret(fx["secret"])
    pem = _private_pem(case, fx) if private else _public_pem(case, fx)
    return {"rsa": cls.from_rsa_pem, "ec": cls.from_ec_pem, "ed": cls.from_ed_pem}[case["family"]](pem)


def oxyjwt_decode(case, fx, pem=False):
    import oxyjwt

    algs, decode = [case["alg"]], oxyjwt.decode
    if pem and not _is_hmac(case):
        # oxyjwt.decode takes raw str keys only for HMAC: a PEM must go through
        # DecodingKey.from_*_pem, here on every call.
        DK = oxyjwt.DecodingKey
        from_pem = {"rsa": DK.from_rsa_pem, "ec": DK.from_ec_pem, "ed": DK.from_ed_pem}[case["family"]]
        pem_text = _public_pem(case, fx)
        return lambda token: decode(token, from_pem(pem_text), algorithms=algs, audience=AUDIENCE, issuer=ISSUER)
    key = _oxy_key(case, fx, private=False)
    return lambda token: decode(token, key, algorithms=algs, audience=AUDIENCE, issuer=ISSUER)


def oxyjwt_encode(case, fx):
    import oxyjwt

    key = _oxy_key(case, fx, private=True)
    alg, claims, encode = case["alg"], case["claims"], oxyjwt.encode
    return lambda: encode(claims, key, algorithm=alg)


# --------------------------------------------------------------------------- webtoken


def webtoken_decode(case, fx, pem=False):
    import webtoken

    # webtoken takes the secret or the PEM text; it has no prepared-key object
    # for decode, so the "prepared" row is the PEM row.
    key = fx["secret"] if _is_hmac(case) else _public_pem(case, fx)
    algs, decode = [case["alg"]], webtoken.decode
    return lambda token: decode(token, key, algorithms=algs, audience=AUDIENCE, issuer=ISSUER)


def webtoken_encode(case, fx):
    import webtoken
    import webtoken.webtoken as impl

    # webtoken 0.5.0's encode() prints a debug line ("fpoo") on every call: a
    # bug, not the library's real cost, so the module's print is silenced.
    impl.print = lambda *args, **kwargs: None
    key = fx["secret"] if _is_hmac(case) else _private_pem(case, fx)
    alg, claims, encode = case["alg"], case["claims"], webtoken.encode
    return lambda: encode(claims, key, algorithm=alg)


# --------------------------------------------------------------------------- floor


def _split(token):
    head, body, sig = token.split(".")
    return (head + "." + body).encode(), base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4))


def floor_verify(case, fx, pem=False):
    """The bare primitive on the token's own signing input and signature (signature check only)."""
    signing_input, signature = _split(case["token"])
    alg = case["alg"]
    if _is_hmac(case):
        import hmac

        key, digest, same = fx["secret"].encode(), "sha" + alg[2:], hmac.compare_digest
        hmac_digest = hmac.digest
        return lambda token: same(hmac_digest(key, signing_input, digest), signature)
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

    public = _crypto_public(case, fx)
    verify = public.verify
    if alg == "RS256":
        pkcs1, sha = padding.PKCS1v15(), hashes.SHA256()
        return lambda token: verify(signature, signing_input, pkcs1, sha)
    if alg == "PS256":
        pss, sha = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256()
        return lambda token: verify(signature, signing_input, pss, sha)
    if alg == "ES256":
        # the raw r||s -> DER conversion is done once, outside the timing
        der = utils.encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        ecdsa = ec.ECDSA(hashes.SHA256())
        return lambda token: verify(der, signing_input, ecdsa)
    if alg == "EdDSA":
        return lambda token: verify(signature, signing_input)
    raise Unsupported(alg)


def floor_sign(case, fx):
    alg = case["alg"]
    signing_input = (case["token"].rsplit(".", 1)[0]).encode()
    if _is_hmac(case):
        import hmac

        key, digest, hmac_digest = fx["secret"].encode(), "sha" + alg[2:], hmac.digest
        return lambda: hmac_digest(key, signing_input, digest)
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding

    sign = _crypto_private(case, fx).sign
    if alg == "RS256":
        pkcs1, sha = padding.PKCS1v15(), hashes.SHA256()
        return lambda: sign(signing_input, pkcs1, sha)
    if alg == "PS256":
        pss, sha = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256()
        return lambda: sign(signing_input, pss, sha)
    if alg == "ES256":
        ecdsa = ec.ECDSA(hashes.SHA256())
        return lambda: sign(signing_input, ecdsa)
    return lambda: sign(signing_input)


# --------------------------------------------------------------------------- JWE decrypt
#
# Every decrypt factory gets the private key prepared once, in the fastest form
# its library takes: bytes (cyjose, python-jose) or a JWK object
# (jwcrypto, joserfc) for ``dir``, a key object for RSA and EC.


def _jwe_dir_key(fx) -> bytes:
    k = fx["jwe_dir_key"]
    return base64.urlsafe_b64decode(k + "=" * (-len(k) % 4))


def cyjose_decrypt(case, fx):
    from cyjose import jwe

    key = _jwe_dir_key(fx) if _is_hmac(case) else _crypto_private(case, fx)
    algs, encs, decrypt = [case["alg"]], [case["enc"]], jwe.decrypt
    return lambda token: decrypt(token, key, algorithms=algs, encryptions=encs)


def jwcrypto_decrypt(case, fx):
    from jwcrypto import jwe, jwk

    if _is_hmac(case):
        key = jwk.JWK(kty="oct", k=fx["jwe_dir_key"])
    else:
        key = jwk.JWK.from_pem(_private_pem(case, fx).encode())
    algs, JWE = [case["alg"], case["enc"]], jwe.JWE

    def decrypt(token):
        message = JWE(algs=algs)  # a JWE object holds one message: a new one per token
        message.deserialize(token)
        message.decrypt(key)
        return message.payload

    return decrypt


def joserfc_decrypt(case, fx):
    from joserfc import jwe
    from joserfc.jwk import ECKey, OctKey, RSAKey

    if _is_hmac(case):
        key = OctKey.import_key(_jwe_dir_key(fx))
    else:
        key = {"rsa": RSAKey, "ec": ECKey}[case["family"]].import_key(_private_pem(case, fx))
    algs, decrypt_compact = [case["alg"], case["enc"]], jwe.decrypt_compact
    return lambda token: decrypt_compact(token, key, algorithms=algs).plaintext


def jose_decrypt(case, fx):
    from jose import jwe

    if case["alg"].startswith("ECDH-ES"):
        raise Unsupported("no ECDH-ES in python-jose")
    # jwe.decrypt() builds its key (jwk.construct) on every call from what it is
    # given; a cryptography key object is taken as is, where a PEM or JWK dict
    # would be parsed again each time.
    key = _jwe_dir_key(fx) if _is_hmac(case) else _crypto_private(case, fx)
    decrypt = jwe.decrypt
    return lambda token: decrypt(token, key)


def _jwe_parts(token: str):
    def unb64(segment: str) -> bytes:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))

    head, encrypted_key, iv, ciphertext, tag = token.split(".")
    header = json.loads(unb64(head))
    # AESGCM takes the tag appended to the ciphertext; the AAD is the header segment
    return header, unb64(encrypted_key), unb64(iv), unb64(ciphertext) + unb64(tag), head.encode()


def floor_decrypt(case, fx):
    """The bare ``cryptography`` steps on the token's own parts, decoded once, outside the timing.

    dir: AES-GCM decrypt. RSA-OAEP-256: OAEP decrypt of the CEK, then AES-GCM.
    ECDH-ES+A256KW: load the ``epk`` point (every token brings a new one),
    ECDH, Concat KDF, AES key unwrap, then AES-GCM.
    """
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    header, encrypted_key, iv, ciphertext_tag, aad = _jwe_parts(case["token"])
    if case["alg"] == "dir":
        aesgcm = AESGCM(_jwe_dir_key(fx))
        return lambda token: aesgcm.decrypt(iv, ciphertext_tag, aad)
    private = _crypto_private(case, fx)
    if case["alg"] == "RSA-OAEP-256":
        from cryptography.hazmat.primitives.asymmetric import padding

        oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
        rsa_decrypt = private.decrypt
        return lambda token: AESGCM(rsa_decrypt(encrypted_key, oaep)).decrypt(iv, ciphertext_tag, aad)
    if case["alg"] == "ECDH-ES+A256KW":
        return _floor_ecdh_es_a256kw(private, header, encrypted_key, iv, ciphertext_tag, aad)
    raise Unsupported(case["alg"])


def _floor_ecdh_es_a256kw(private, header, encrypted_key, iv, ciphertext_tag, aad):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.concatkdf import ConcatKDFHash
    from cryptography.hazmat.primitives.keywrap import aes_key_unwrap

    epk = header["epk"]
    point = b"\x04" + b"".join(
        base64.urlsafe_b64decode(epk[c] + "=" * (-len(epk[c]) % 4)) for c in ("x", "y")
    )
    alg_id = header["alg"].encode()
    # RFC 7518 §4.6.2 OtherInfo: AlgorithmID, empty PartyUInfo/PartyVInfo, 256-bit key
    other_info = struct.pack(">I", len(alg_id)) + alg_id + struct.pack(">III", 0, 0, 256)
    curve, ecdh, sha256 = ec.SECP256R1(), ec.ECDH(), hashes.SHA256()
    from_point, exchange = ec.EllipticCurvePublicKey.from_encoded_point, private.exchange

    def decrypt(token):
        shared = exchange(ecdh, from_point(curve, point))
        kek = ConcatKDFHash(sha256, 32, other_info).derive(shared)
        return AESGCM(aes_key_unwrap(kek, encrypted_key)).decrypt(iv, ciphertext_tag, aad)

    return decrypt


# --------------------------------------------------------------------------- registry

VERIFY: List[Contender] = [
    Contender("cyjose-verifier", "cyjose Verifier", "cyjose", False, cyjose_verifier),
    Contender("cyjose-decode", "cyjose decode()", "cyjose", False, cyjose_decode),
    Contender("cyjose-cache", "cyjose Verifier, cache hit", "cyjose", False, cyjose_cache),
    Contender("cyjose-verifier-pure", "cyjose Verifier (pure Python)", "cyjose", True, cyjose_verifier),
    Contender("cyjose-decode-pure", "cyjose decode() (pure Python)", "cyjose", True, cyjose_decode),
    Contender("pyjwt", "PyJWT decode()", "PyJWT", False, pyjwt_decode),
    Contender("oxyjwt", "oxyjwt decode()", "oxyjwt", False, oxyjwt_decode),
    Contender("webtoken", "webtoken decode()", "webtoken", False, webtoken_decode),
    Contender("joserfc", "joserfc jwt.decode() + JWTClaimsRegistry", "joserfc", False, joserfc_decode),
    Contender("authlib", "Authlib JsonWebToken.decode() + validate()", "Authlib", False, authlib_decode),
    Contender("python-jose", "python-jose jwt.decode()", "python-jose", False, jose_decode),
    Contender("jwcrypto", "jwcrypto JWT(check_claims)", "jwcrypto", False, jwcrypto_decode),
    Contender("floor", "floor: bare primitive (signature only)", "cryptography", False, floor_verify, floor=True),
]

SIGN: List[Contender] = [
    Contender("cyjose-signer", "cyjose Signer", "cyjose", False, cyjose_signer),
    Contender("cyjose-encode", "cyjose encode()", "cyjose", False, cyjose_encode),
    Contender("cyjose-signer-pure", "cyjose Signer (pure Python)", "cyjose", True, cyjose_signer),
    Contender("pyjwt", "PyJWT encode()", "PyJWT", False, pyjwt_encode),
    Contender("oxyjwt", "oxyjwt encode()", "oxyjwt", False, oxyjwt_encode),
    Contender("webtoken", "webtoken encode()", "webtoken", False, webtoken_encode),
    Contender("joserfc", "joserfc jwt.encode()", "joserfc", False, joserfc_encode),
    Contender("authlib", "Authlib JsonWebToken.encode()", "Authlib", False, authlib_encode),
    Contender("python-jose", "python-jose jwt.encode()", "python-jose", False, jose_encode),
    Contender("jwcrypto", "jwcrypto JWT.make_signed_token()", "jwcrypto", False, jwcrypto_encode),
    Contender("floor", "floor: bare primitive (signature only)", "cryptography", False, floor_sign, floor=True),
]

#: Contenders of the size-scaling section (HS256).
SIZE_KEYS = (
    "cyjose-verifier", "cyjose-decode", "cyjose-verifier-pure", "pyjwt", "oxyjwt", "webtoken",
    "joserfc", "authlib", "python-jose", "jwcrypto", "floor",
)  # fmt: skip

#: PEM-vs-prepared section: (key, label, factory, pem)
PEM_ROWS = (
    ("cyjose-verifier", "cyjose Verifier (prepared once)", cyjose_verifier, False),
    ("cyjose-decode-pem", "cyjose decode(), PEM str each call", cyjose_decode, True),
    ("cyjose-decode-obj", "cyjose decode(), key object", cyjose_decode, False),
    ("pyjwt-pem", "PyJWT decode(), PEM str each call", pyjwt_decode, True),
    ("pyjwt-obj", "PyJWT decode(), key object", pyjwt_decode, False),
    ("oxyjwt-pem", "oxyjwt decode(DecodingKey.from_*_pem(PEM)) each call", oxyjwt_decode, True),
    ("oxyjwt-obj", "oxyjwt decode(), DecodingKey", oxyjwt_decode, False),
    ("webtoken-pem", "webtoken decode(), PEM str each call", webtoken_decode, True),
    ("joserfc-pem", "joserfc, import_key(PEM) each call", joserfc_decode, True),
    ("joserfc-obj", "joserfc, imported key", joserfc_decode, False),
    ("python-jose-pem", "python-jose, PEM str each call", jose_decode, True),
    ("python-jose-obj", "python-jose, jwk.construct() key", jose_decode, False),
    ("jwcrypto-pem", "jwcrypto, JWK.from_pem() each call", jwcrypto_decode, True),
    ("jwcrypto-obj", "jwcrypto, JWK", jwcrypto_decode, False),
)

JWE: List[Contender] = [
    Contender("cyjose-decrypt", "cyjose jwe.decrypt()", "cyjose", False, cyjose_decrypt),
    Contender("cyjose-decrypt-pure", "cyjose jwe.decrypt() (pure Python)", "cyjose", True, cyjose_decrypt),
    Contender("jwcrypto", "jwcrypto JWE.deserialize() + decrypt()", "jwcrypto", False, jwcrypto_decrypt),
    Contender("joserfc", "joserfc jwe.decrypt_compact()", "joserfc", False, joserfc_decrypt),
    Contender("python-jose", "python-jose jwe.decrypt()", "python-jose", False, jose_decrypt),
    Contender("floor", "floor: bare cryptography primitives", "cryptography", False, floor_decrypt, floor=True),
]

BY_KEY: Dict[str, Contender] = {c.key: c for c in VERIFY}
SIGN_BY_KEY: Dict[str, Contender] = {c.key: c for c in SIGN}


def sanity_check(f: Callable, case: Dict[str, Any]) -> Optional[str]:
    """Check ``f`` on the good and hostile tokens; a note for every check it skips.

    Raises AssertionError when the good token does not verify.
    """
    claims = f(case["token"])
    sub = claims.get("sub") if hasattr(claims, "get") else None
    assert sub == SUBJECT, f"unexpected claims: {claims!r}"
    skipped = []
    for variant, what in (
        ("bad_signature", "signature"),
        ("wrong_audience", "aud"),
        ("wrong_issuer", "iss"),
        ("expired", "exp"),
    ):
        try:
            f(case[variant])
        except Exception:  # noqa: BLE001 - every library has its own exception tree
            continue
        skipped.append(what)
    return ("does not check " + "/".join(skipped)) if skipped else None


#: What it means when a contender decrypts a hostile JWE token instead of refusing it.
_JWE_HOSTILE = {
    "tampered": "accepts a tampered tag",
    "other_algorithm": "no alg/enc allow-list (decrypts any algorithm it implements)",
}


def jwe_sanity_check(f: Callable, case: Dict[str, Any]) -> Optional[str]:
    """Check a decrypt contender on the good and hostile tokens; a note for every one it accepts.

    Raises AssertionError when the good token does not decrypt to the plaintext.
    """
    plaintext = f(case["token"])
    assert bytes(plaintext) == case["plaintext"].encode(), f"unexpected plaintext: {plaintext!r}"
    notes = []
    for variant, note in _JWE_HOSTILE.items():
        try:
            f(case[variant])
        except Exception:  # noqa: BLE001 - every library has its own exception tree
            continue
        notes.append(note)
    return "; ".join(notes) or None
