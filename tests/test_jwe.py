"""cyjose.jwe: compact JWE round trips, tampering, wrong keys, hardening and hand-made interop.

Expected values never come from cyjose itself: tokens built here by hand with
``cryptography`` primitives (following RFC 7516/7518 step by step) must
decrypt, and cyjose's tokens must open by hand.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
import random
import struct
import zlib
from typing import Any, Dict

import pytest
import sample_keys as keys
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import ec, x448, x25519
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap, aes_key_wrap

import cyjose
from cyjose import jwe
from cyjose.exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidKeyError,
    InvalidTokenError,
    JWEDecryptionError,
    LimitExceededError,
)

ENCS = ("A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512", "A128GCM", "A192GCM", "A256GCM")
CEK_SIZES = {"A128CBC-HS256": 32, "A192CBC-HS384": 48, "A256CBC-HS512": 64,
             "A128GCM": 16, "A192GCM": 24, "A256GCM": 32}
PLAINTEXT = "Live long and prosper. \N{RAISED HAND WITH PART BETWEEN MIDDLE AND RING FINGERS}".encode("utf-8")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def header_segment(header: Dict[str, Any]) -> str:
    return b64(json.dumps(header).encode("utf-8"))


def hand_encrypt_content(enc: str, cek: bytes, plaintext: bytes, aad: bytes) -> tuple:
    """RFC 7518 §5.2.2.1 / §5.3 content encryption written out with cryptography primitives."""
    if enc.endswith("GCM"):
        iv = os.urandom(12)
        sealed = AESGCM(cek).encrypt(iv, plaintext, aad)
        return iv, sealed[:-16], sealed[-16:]
    half = len(cek) // 2
    mac_key, enc_key = cek[:half], cek[half:]
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padder.update(plaintext) + padder.finalize()) + encryptor.finalize()
    digest = {16: hashlib.sha256, 24: hashlib.sha384, 32: hashlib.sha512}[half]
    mac = hmac.new(mac_key, aad + iv + ciphertext + struct.pack(">Q", len(aad) * 8), digest).digest()
    return iv, ciphertext, mac[:half]


def hand_decrypt_content(enc: str, cek: bytes, iv: bytes, ciphertext: bytes, tag: bytes, aad: bytes) -> bytes:
    if enc.endswith("GCM"):
        return AESGCM(cek).decrypt(iv, ciphertext + tag, aad)
    half = len(cek) // 2
    digest = {16: hashlib.sha256, 24: hashlib.sha384, 32: hashlib.sha512}[half]
    mac = hmac.new(cek[:half], aad + iv + ciphertext + struct.pack(">Q", len(aad) * 8), digest).digest()
    assert hmac.compare_digest(mac[:half], tag)
    decryptor = Cipher(algorithms.AES(cek[half:]), modes.CBC(iv)).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(decryptor.update(ciphertext) + decryptor.finalize()) + unpadder.finalize()


def hand_token(header: Dict[str, Any], encrypted_key: bytes, cek: bytes, plaintext: bytes) -> str:
    protected = header_segment(header)
    iv, ciphertext, tag = hand_encrypt_content(header["enc"], cek, plaintext, protected.encode("ascii"))
    return ".".join([protected, b64(encrypted_key), b64(iv), b64(ciphertext), b64(tag)])


def hand_open(token: str, cek: bytes) -> bytes:
    protected, _, iv, ciphertext, tag = token.split(".")
    enc = json.loads(unb64(protected))["enc"]
    return hand_decrypt_content(enc, cek, unb64(iv), unb64(ciphertext), unb64(tag), protected.encode("ascii"))


def replace_segment(token: str, index: int, value: str) -> str:
    parts = token.split(".")
    parts[index] = value
    return ".".join(parts)


def flip_bit(segment: str, byte: int = 0) -> str:
    data = bytearray(unb64(segment))
    data[byte] ^= 1
    return b64(bytes(data))


def assert_decryption_failed(excinfo: pytest.ExceptionInfo) -> None:
    assert type(excinfo.value) is JWEDecryptionError
    assert str(excinfo.value) == "Decryption failed"


# -- content encryption with "dir" --------------------------------------------------------------


@pytest.mark.parametrize("enc", ENCS)
def test_dir_round_trip_and_hand_decryption(enc: str) -> None:
    cek = os.urandom(CEK_SIZES[enc])
    token = jwe.encrypt(PLAINTEXT, cek, "dir", enc, headers={"kid": "k1", "cty": "text/plain"})
    parts = token.split(".")
    assert len(parts) == 5 and parts[1] == ""
    assert json.loads(unb64(parts[0])) == {"alg": "dir", "enc": enc, "kid": "k1", "cty": "text/plain"}
    assert hand_open(token, cek) == PLAINTEXT
    result = jwe.decrypt_complete(token, cek, algorithms=["dir"], encryptions=[enc])
    assert result == {"header": {"alg": "dir", "enc": enc, "kid": "k1", "cty": "text/plain"}, "plaintext": PLAINTEXT}


@pytest.mark.parametrize("enc", ENCS)
def test_dir_hand_made_token_decrypts(enc: str) -> None:
    cek = os.urandom(CEK_SIZES[enc])
    token = hand_token({"alg": "dir", "enc": enc}, b"", cek, b"made by hand")
    assert jwe.decrypt(token, cek, ["dir"], [enc]) == b"made by hand"
    assert jwe.decrypt(token.encode("ascii"), cek, ["dir"], [enc]) == b"made by hand"


@pytest.mark.parametrize("enc", ENCS)
def test_empty_and_str_plaintext(enc: str) -> None:
    cek = os.urandom(CEK_SIZES[enc])
    assert jwe.decrypt(jwe.encrypt(b"", cek, "dir", enc), cek, ["dir"], [enc]) == b""
    assert jwe.decrypt(jwe.encrypt("h\u00e9", cek, "dir", enc), cek, ["dir"], [enc]) == "h\u00e9".encode("utf-8")


@pytest.mark.parametrize("enc", ENCS)
@pytest.mark.parametrize("index", [2, 3, 4])
def test_tampered_iv_ciphertext_or_tag_fails_with_one_error(enc: str, index: int) -> None:
    cek = os.urandom(CEK_SIZES[enc])
    token = jwe.encrypt(PLAINTEXT, cek, "dir", enc)
    tampered = replace_segment(token, index, flip_bit(token.split(".")[index]))
    with pytest.raises(JWEDecryptionError) as excinfo:
        jwe.decrypt(tampered, cek, ["dir"], [enc])
    assert_decryption_failed(excinfo)


@pytest.mark.parametrize("enc", ENCS)
def test_tampered_protected_header_fails(enc: str) -> None:
    cek = os.urandom(CEK_SIZES[enc])
    token = jwe.encrypt(PLAINTEXT, cek, "dir", enc, headers={"kid": "a"})
    forged = replace_segment(token, 0, header_segment({"alg": "dir", "enc": enc, "kid": "b"}))
    with pytest.raises(JWEDecryptionError) as excinfo:
        jwe.decrypt(forged, cek, ["dir"], [enc])
    assert_decryption_failed(excinfo)


@pytest.mark.parametrize("enc", ENCS)
@pytest.mark.parametrize("cut", [1, 8])
def test_truncated_or_extended_tag_fails(enc: str, cut: int) -> None:
    cek = os.urandom(CEK_SIZES[enc])
    token = jwe.encrypt(PLAINTEXT, cek, "dir", enc)
    tag = unb64(token.split(".")[4])
    for bad in (tag[:-cut], tag + b"\x00" * cut, b""):
        with pytest.raises(JWEDecryptionError) as excinfo:
            jwe.decrypt(replace_segment(token, 4, b64(bad)), cek, ["dir"], [enc])
        assert_decryption_failed(excinfo)


def test_gcm_token_with_a_short_but_valid_tag_is_refused() -> None:
    # GCM can produce valid 12-byte tags; RFC 7518 §5.3 requires 128 bits exactly.
    cek = os.urandom(16)
    protected = header_segment({"alg": "dir", "enc": "A128GCM"})
    iv = os.urandom(12)
    encryptor = Cipher(algorithms.AES(cek), modes.GCM(iv)).encryptor()
    encryptor.authenticate_additional_data(protected.encode("ascii"))
    ciphertext = encryptor.update(b"short tag") + encryptor.finalize()
    token = ".".join([protected, "", b64(iv), b64(ciphertext), b64(encryptor.tag[:12])])
    with pytest.raises(JWEDecryptionError):
        jwe.decrypt(token, cek, ["dir"], ["A128GCM"])


@pytest.mark.parametrize("enc", ENCS)
def test_wrong_key_fails_with_one_error(enc: str) -> None:
    token = jwe.encrypt(PLAINTEXT, os.urandom(CEK_SIZES[enc]), "dir", enc)
    with pytest.raises(JWEDecryptionError) as excinfo:
        jwe.decrypt(token, os.urandom(CEK_SIZES[enc]), ["dir"], [enc])
    assert_decryption_failed(excinfo)


def test_cbc_bad_padding_under_a_valid_tag_is_the_same_error() -> None:
    cek = os.urandom(32)
    protected = header_segment({"alg": "dir", "enc": "A128CBC-HS256"})
    iv = os.urandom(16)
    encryptor = Cipher(algorithms.AES(cek[16:]), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(b"x" * 15 + b"\x00") + encryptor.finalize()  # padding byte 0: invalid
    aad = protected.encode("ascii")
    tag = hmac.new(cek[:16], aad + iv + ciphertext + struct.pack(">Q", len(aad) * 8), hashlib.sha256).digest()[:16]
    token = ".".join([protected, "", b64(iv), b64(ciphertext), b64(tag)])
    with pytest.raises(JWEDecryptionError) as excinfo:
        jwe.decrypt(token, cek, ["dir"], ["A128CBC-HS256"])
    assert_decryption_failed(excinfo)


def test_dir_refuses_a_non_empty_encrypted_key() -> None:
    cek = os.urandom(16)
    token = jwe.encrypt(PLAINTEXT, cek, "dir", "A128GCM")
    with pytest.raises(InvalidTokenError, match="must be empty"):
        jwe.decrypt(replace_segment(token, 1, b64(b"x")), cek, ["dir"], ["A128GCM"])


@pytest.mark.parametrize("size", [0, 16, 31, 33, 64])
def test_dir_key_must_match_the_enc_size(size: int) -> None:
    with pytest.raises(InvalidKeyError, match="256-bit key"):
        jwe.encrypt(PLAINTEXT, os.urandom(size), "dir", "A128CBC-HS256")
    token = jwe.encrypt(PLAINTEXT, os.urandom(32), "dir", "A128CBC-HS256")
    with pytest.raises(InvalidKeyError):
        jwe.decrypt(token, os.urandom(size), ["dir"], ["A128CBC-HS256"])


@pytest.mark.parametrize("key", ["a text key of 16", 12345, None, object()])
def test_dir_key_must_be_bytes(key: Any) -> None:
    with pytest.raises(InvalidKeyError):
        jwe.encrypt(PLAINTEXT, key, "dir", "A128GCM")


# -- structure, allow-lists and header rules ---------------------------------------------------


def test_algorithms_must_be_named_by_the_caller() -> None:
    cek = os.urandom(16)
    token = jwe.encrypt(PLAINTEXT, cek, "dir", "A128GCM")
    with pytest.raises(TypeError):
        jwe.decrypt(token, cek)  # type: ignore[call-arg]
    with pytest.raises(InvalidAlgorithmError, match="alg value is not allowed"):
        jwe.decrypt(token, cek, [], ["A128GCM"])
    with pytest.raises(InvalidAlgorithmError, match="enc value is not allowed"):
        jwe.decrypt(token, cek, ["dir"], ["A256GCM"])
    with pytest.raises(TypeError):
        jwe.decrypt(token, cek, "dir", ["A128GCM"])


@pytest.mark.parametrize("names", [["dir", "HS256"], ["dir", "none"], ["A128GCM"]])
def test_unknown_names_in_the_allow_list_are_refused(names: list) -> None:
    with pytest.raises(InvalidAlgorithmError, match="Unsupported name"):
        jwe.decrypt("a.b.c.d.e", b"k" * 16, names, ["A128GCM"])


@pytest.mark.parametrize(
    "header, error",
    [
        ({"enc": "A128GCM"}, InvalidAlgorithmError),
        ({"alg": "dir"}, InvalidAlgorithmError),
        ({"alg": 1, "enc": "A128GCM"}, InvalidAlgorithmError),
        ({"alg": "dir", "enc": ["A128GCM"]}, InvalidAlgorithmError),
        ({"alg": "none", "enc": "A128GCM"}, InvalidAlgorithmError),
        ({"alg": "dir", "enc": "A128GCM", "crit": ["exp"], "exp": 1}, InvalidTokenError),
        ({"alg": "dir", "enc": "A128GCM", "crit": "x"}, InvalidTokenError),
        ({"alg": "dir", "enc": "A128GCM", "kid": 7}, InvalidTokenError),
        ({"alg": "dir", "enc": "A128GCM", "zip": "DEF"}, InvalidAlgorithmError),
    ],
)
def test_header_rules(header: Dict[str, Any], error: type) -> None:
    cek = os.urandom(16)
    token = ".".join([header_segment(header), "", b64(os.urandom(12)), b64(b"x"), b64(os.urandom(16))])
    with pytest.raises(error):
        jwe.decrypt(token, cek, ["dir"], ["A128GCM"])


@pytest.mark.parametrize(
    "token, message",
    [
        ("a.b.c.d", "Not enough segments"),
        ("a.b.c.d.e.f", "Too many segments"),
        ("", "Not enough segments"),
        ("\u00e9.b.c.d.e", "non-ASCII"),
        ("e30.....", "Too many segments"),
        ("!!.a.b.c.d", "Invalid header padding"),
        ("W10.a.b.c.d", "Invalid header string: must be a json object"),  # "[]"
        ("e30.a.b.c.d", 'no "alg" header'),  # "{}": checked before the other segments
    ],
)
def test_malformed_structure_is_refused_precisely(token: str, message: str) -> None:
    with pytest.raises((DecodeError, InvalidAlgorithmError), match=message) as excinfo:
        jwe.decrypt(token, b"k" * 16, ["dir"], ["A128GCM"])
    assert not isinstance(excinfo.value, JWEDecryptionError)


@pytest.mark.parametrize("index, name", [(1, "encrypted_key"), (2, "iv"), (3, "ciphertext"), (4, "tag")])
def test_bad_base64url_in_each_segment_is_a_decode_error(index: int, name: str) -> None:
    cek = os.urandom(16)
    token = jwe.encrypt(PLAINTEXT, cek, "dir", "A128GCM")
    for bad in ("a", "ab+c", "ab/c", "ab c"):
        with pytest.raises(DecodeError, match=f"Invalid {name} padding"):
            jwe.decrypt(replace_segment(token, index, bad), cek, ["dir"], ["A128GCM"])


@pytest.mark.parametrize("token", [None, 12, b"\xff" * 10, ["a"]])
def test_non_token_input_is_a_decode_error(token: Any) -> None:
    with pytest.raises(DecodeError):
        jwe.decrypt(token, b"k" * 16, ["dir"], ["A128GCM"])


def test_oversized_token_is_refused_before_work() -> None:
    token = "e30." + "A" * (2 << 20) + ".a.b.c"
    with pytest.raises(LimitExceededError, match="max_token_bytes"):
        jwe.decrypt(token, b"k" * 16, ["dir"], ["A128GCM"])


@pytest.mark.parametrize("name", ["alg", "enc", "zip", "epk", "p2s", "iv", "tag", "crit"])
def test_encrypt_refuses_computed_header_members(name: str) -> None:
    with pytest.raises(InvalidTokenError, match=name):
        jwe.encrypt(PLAINTEXT, os.urandom(16), "dir", "A128GCM", headers={name: "x"})


@pytest.mark.parametrize("alg, enc", [("RS256", "A128GCM"), ("dir", "A128CBC"), ("dir", None), (None, "A128GCM")])
def test_encrypt_refuses_unknown_algorithms(alg: Any, enc: Any) -> None:
    with pytest.raises(InvalidAlgorithmError):
        jwe.encrypt(PLAINTEXT, os.urandom(16), alg, enc)


def test_encrypt_argument_types() -> None:
    with pytest.raises(TypeError):
        jwe.encrypt(12, os.urandom(16), "dir", "A128GCM")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        jwe.encrypt(b"x", os.urandom(16), "dir", "A128GCM", headers=[("kid", "a")])  # type: ignore[arg-type]
    with pytest.raises(InvalidAlgorithmError):
        jwe.encrypt(b"x", os.urandom(16), "dir", "A128GCM", zip="GZIP")


# -- zip ---------------------------------------------------------------------------------------


def test_zip_round_trip_needs_an_allow_list() -> None:
    cek = os.urandom(32)
    plaintext = b"compress me " * 100
    token = jwe.encrypt(plaintext, cek, "dir", "A256GCM", zip="DEF")
    inflated = zlib.decompress(hand_open(token, cek), wbits=-15)
    assert inflated == plaintext
    assert len(unb64(token.split(".")[3])) < len(plaintext)
    with pytest.raises(InvalidAlgorithmError, match="zip value is not allowed"):
        jwe.decrypt(token, cek, ["dir"], ["A256GCM"])
    assert jwe.decrypt(token, cek, ["dir"], ["A256GCM"], zips=["DEF"]) == plaintext


def _zip_token(cek: bytes, raw: bytes) -> str:
    return hand_token({"alg": "dir", "enc": "A256GCM", "zip": "DEF"}, b"", cek, raw)


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


def test_zip_bomb_is_refused() -> None:
    cek = os.urandom(32)
    bomb = _deflate(b"\x00" * (64 << 20))  # 64 MiB of zeros in about 64 KiB
    with pytest.raises(LimitExceededError, match=r"max_decompressed_bytes limit \(1048576 bytes\)"):
        jwe.decrypt(_zip_token(cek, bomb), cek, ["dir"], ["A256GCM"], zips=["DEF"])


def test_zip_limit_is_configurable_and_exact() -> None:
    cek = os.urandom(32)
    token = _zip_token(cek, _deflate(b"a" * 1000))
    limits = cyjose.Limits(max_decompressed_bytes=1000)
    assert jwe.decrypt(token, cek, ["dir"], ["A256GCM"], zips=["DEF"], limits=limits) == b"a" * 1000
    with pytest.raises(LimitExceededError, match=r"max_decompressed_bytes limit \(999 bytes\)"):
        jwe.decrypt(token, cek, ["dir"], ["A256GCM"], zips=["DEF"], limits=cyjose.Limits(max_decompressed_bytes=999))
    with pytest.raises(TypeError):
        jwe.decrypt(token, cek, ["dir"], ["A256GCM"], zips=["DEF"], limits={"max_decompressed_bytes": 999})


@pytest.mark.parametrize("raw", [b"not deflate at all", zlib.compress(b"zlib wrapper, not raw"), _deflate(b"cut")[:-2],
                                 _deflate(b"trailing") + b"junk"])
def test_invalid_deflate_is_a_decode_error(raw: bytes) -> None:
    cek = os.urandom(32)
    with pytest.raises(DecodeError, match="Invalid compressed content"):
        jwe.decrypt(_zip_token(cek, raw), cek, ["dir"], ["A256GCM"], zips=["DEF"])


# -- PyJWK keys --------------------------------------------------------------------------------


def _oct_jwk(secret: bytes, **members: Any) -> cyjose.PyJWK:
    return cyjose.PyJWK({"kty": "oct", "k": b64(secret), **members})


def test_pyjwk_dir_key_with_enc_or_dir_alg() -> None:
    secret = os.urandom(16)
    for members in ({}, {"alg": "A128GCM"}, {"alg": "dir"}, {"use": "enc"}, {"key_ops": ["encrypt", "decrypt"]}):
        key = _oct_jwk(secret, **members)
        token = jwe.encrypt(PLAINTEXT, key, "dir", "A128GCM")
        assert jwe.decrypt(token, key, ["dir"], ["A128GCM"]) == PLAINTEXT


@pytest.mark.parametrize("members, error", [
    ({"use": "sig"}, InvalidKeyError),
    ({"key_ops": ["decrypt"]}, InvalidKeyError),
    ({"alg": "A256GCM"}, InvalidAlgorithmError),
    ({"alg": "HS256"}, InvalidAlgorithmError),
])
def test_pyjwk_metadata_is_respected(members: Dict[str, Any], error: type) -> None:
    key = _oct_jwk(os.urandom(16), **members)
    with pytest.raises(error):
        jwe.encrypt(PLAINTEXT, key, "dir", "A128GCM")


def test_pyjwk_key_ops_for_decrypt() -> None:
    secret = os.urandom(16)
    token = jwe.encrypt(PLAINTEXT, secret, "dir", "A128GCM")
    with pytest.raises(InvalidKeyError, match='"decrypt"'):
        jwe.decrypt(token, _oct_jwk(secret, key_ops=["encrypt"]), ["dir"], ["A128GCM"])


def test_module_is_exported() -> None:
    assert cyjose.jwe is jwe
    assert set(jwe.CONTENT_ALGORITHMS) == set(ENCS)


# -- every key management algorithm x every content encryption ---------------------------------

KW_SIZES = {"A128KW": 16, "A192KW": 24, "A256KW": 32, "A128GCMKW": 16, "A192GCMKW": 24, "A256GCMKW": 32}


RSA_ALGS = ("RSA-OAEP", "RSA-OAEP-256", "RSA-OAEP-384", "RSA-OAEP-512")
ECDH_ALGS = ("ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW")
PBES2_ALGS = ("PBES2-HS256+A128KW", "PBES2-HS384+A192KW", "PBES2-HS512+A256KW")
ECDH_CURVES = ("P-256", "P-384", "P-521", "X25519", "X448")
FAST_PBES2 = {"p2c": 1000}  # the RFC's recommended minimum keeps the tests fast


@functools.cache
def ecdh_private(curve: str, variant: int = 0) -> Any:
    generators = {
        "P-256": lambda: ec.generate_private_key(ec.SECP256R1()),
        "P-384": lambda: ec.generate_private_key(ec.SECP384R1()),
        "P-521": lambda: ec.generate_private_key(ec.SECP521R1()),
        "X25519": x25519.X25519PrivateKey.generate,
        "X448": x448.X448PrivateKey.generate,
    }
    return generators[curve]()


def key_pair(alg: str, curve: str = "P-256") -> tuple:
    """``(encryption key, decryption key, another decryption key)`` for ``alg``."""
    if alg in KW_SIZES:
        size = KW_SIZES[alg]
        key = os.urandom(size)
        return key, key, os.urandom(size)
    if alg in RSA_ALGS or alg == "RSA1_5":
        return keys.public("RS256"), keys.private("RS256"), keys.private("RS256", "other")
    if alg in ECDH_ALGS:
        return ecdh_private(curve).public_key(), ecdh_private(curve), ecdh_private(curve, 1)
    if alg in PBES2_ALGS:
        return "correct horse battery", "correct horse battery", "staple horse correct"
    raise ValueError(alg)


def headers_for(alg: str) -> Dict[str, Any]:
    return dict(FAST_PBES2) if alg in PBES2_ALGS else {}


WRAP_ALGS = tuple(KW_SIZES) + RSA_ALGS + ECDH_ALGS + PBES2_ALGS


@pytest.mark.parametrize("enc", ENCS)
@pytest.mark.parametrize("alg", WRAP_ALGS)
def test_round_trip_every_alg_and_enc(alg: str, enc: str) -> None:
    encryption_key, decryption_key, _ = key_pair(alg)
    token = jwe.encrypt(PLAINTEXT, encryption_key, alg, enc, headers={"kid": "r", **headers_for(alg)})
    result = jwe.decrypt_complete(token, decryption_key, [alg], [enc])
    assert result["plaintext"] == PLAINTEXT
    assert result["header"]["alg"] == alg and result["header"]["enc"] == enc and result["header"]["kid"] == "r"


@pytest.mark.parametrize("alg, index", [
    (alg, index) for alg in WRAP_ALGS for index in range(5) if (alg, index) != ("ECDH-ES", 1)  # no encrypted key
])
def test_tampering_any_segment_fails_with_one_error(alg: str, index: int) -> None:
    encryption_key, decryption_key, _ = key_pair(alg)
    token = jwe.encrypt(PLAINTEXT, encryption_key, alg, "A128CBC-HS256", headers={"kid": "a", **headers_for(alg)})
    if index == 0:
        header = json.loads(unb64(token.split(".")[0]))
        header["kid"] = "b"
        tampered = replace_segment(token, 0, header_segment(header))
    else:
        tampered = replace_segment(token, index, flip_bit(token.split(".")[index], byte=-1))
    with pytest.raises(JWEDecryptionError) as excinfo:
        jwe.decrypt(tampered, decryption_key, [alg], ["A128CBC-HS256"])
    assert_decryption_failed(excinfo)


@pytest.mark.parametrize("alg", WRAP_ALGS)
def test_wrong_key_of_the_right_kind_fails_with_one_error(alg: str) -> None:
    encryption_key, _, other = key_pair(alg)
    token = jwe.encrypt(PLAINTEXT, encryption_key, alg, "A256GCM", headers=headers_for(alg))
    with pytest.raises(JWEDecryptionError) as excinfo:
        jwe.decrypt(token, other, [alg], ["A256GCM"])
    assert_decryption_failed(excinfo)


@pytest.mark.parametrize("alg", [alg for alg in WRAP_ALGS if alg != "ECDH-ES"])
def test_truncated_encrypted_key_fails_with_one_error(alg: str) -> None:
    encryption_key, decryption_key, _ = key_pair(alg)
    token = jwe.encrypt(PLAINTEXT, encryption_key, alg, "A128GCM", headers=headers_for(alg))
    encrypted_key = unb64(token.split(".")[1])
    for bad in (encrypted_key[:-8], encrypted_key[:-1], b"", encrypted_key + b"\x00" * 8):
        with pytest.raises(JWEDecryptionError) as excinfo:
            jwe.decrypt(replace_segment(token, 1, b64(bad)), decryption_key, [alg], ["A128GCM"])
        assert_decryption_failed(excinfo)


# -- AES key wrap by hand ----------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["A128KW", "A192KW", "A256KW"])
@pytest.mark.parametrize("enc", ["A128CBC-HS256", "A256GCM"])
def test_aes_kw_interop_by_hand(alg: str, enc: str) -> None:
    kek = os.urandom(KW_SIZES[alg])
    cek = os.urandom(CEK_SIZES[enc])
    token = hand_token({"alg": alg, "enc": enc}, aes_key_wrap(kek, cek), cek, b"wrapped by hand")
    assert jwe.decrypt(token, kek, [alg], [enc]) == b"wrapped by hand"
    ours = jwe.encrypt(b"unwrapped by hand", kek, alg, enc)
    assert hand_open(ours, aes_key_unwrap(kek, unb64(ours.split(".")[1]))) == b"unwrapped by hand"


@pytest.mark.parametrize("alg", ["A128GCMKW", "A256GCMKW"])
def test_aes_gcm_kw_interop_by_hand(alg: str) -> None:
    kek, cek, iv = os.urandom(KW_SIZES[alg]), os.urandom(32), os.urandom(12)
    sealed = AESGCM(kek).encrypt(iv, cek, None)
    header = {"alg": alg, "enc": "A128CBC-HS256", "iv": b64(iv), "tag": b64(sealed[-16:])}
    token = hand_token(header, sealed[:-16], cek, b"gcm wrapped")
    assert jwe.decrypt(token, kek, [alg], ["A128CBC-HS256"]) == b"gcm wrapped"
    ours = jwe.encrypt(b"gcm unwrapped", kek, alg, "A128CBC-HS256")
    ours_header = json.loads(unb64(ours.split(".")[0]))
    unsealed = AESGCM(kek).decrypt(unb64(ours_header["iv"]), unb64(ours.split(".")[1]) + unb64(ours_header["tag"]), None)
    assert hand_open(ours, unsealed) == b"gcm unwrapped"


@pytest.mark.parametrize("change, error", [
    ({"iv": None}, InvalidTokenError),
    ({"tag": None}, InvalidTokenError),
    ({"iv": 5}, InvalidTokenError),
    ({"iv": "!!"}, DecodeError),
    ({"tag": b64(b"t" * 12)}, InvalidTokenError),  # tag exactly 128 bits, as for content
    ({"iv": b64(b"i" * 16)}, InvalidTokenError),
    ({"tag": b64(b"t" * 16)}, JWEDecryptionError),
    ({"iv": b64(b"i" * 12)}, JWEDecryptionError),
])
def test_gcm_kw_header_members(change: Dict[str, Any], error: type) -> None:
    kek = os.urandom(16)
    token = jwe.encrypt(PLAINTEXT, kek, "A128GCMKW", "A128GCM")
    header = json.loads(unb64(token.split(".")[0]))
    header.update(change)
    header = {name: value for name, value in header.items() if value is not None}
    with pytest.raises(error):
        jwe.decrypt(replace_segment(token, 0, header_segment(header)), kek, ["A128GCMKW"], ["A128GCM"])


@pytest.mark.parametrize("alg", tuple(KW_SIZES))
def test_aes_wrap_key_size_must_match(alg: str) -> None:
    with pytest.raises(InvalidKeyError):
        jwe.encrypt(PLAINTEXT, os.urandom(KW_SIZES[alg] + 8), alg, "A128GCM")


# -- RSA-OAEP and RSA1_5 -----------------------------------------------------------------------

OAEP_HASHES = {"RSA-OAEP": hashes.SHA1, "RSA-OAEP-256": hashes.SHA256,
               "RSA-OAEP-384": hashes.SHA384, "RSA-OAEP-512": hashes.SHA512}


def _oaep(alg: str) -> asym_padding.OAEP:
    return asym_padding.OAEP(mgf=asym_padding.MGF1(OAEP_HASHES[alg]()), algorithm=OAEP_HASHES[alg](), label=None)


@pytest.mark.parametrize("alg", RSA_ALGS)
def test_rsa_oaep_interop_by_hand(alg: str) -> None:
    private = keys.private("RS256")
    cek = os.urandom(32)
    token = hand_token({"alg": alg, "enc": "A256GCM"}, private.public_key().encrypt(cek, _oaep(alg)), cek, b"oaep")
    assert jwe.decrypt(token, private, [alg], ["A256GCM"]) == b"oaep"
    ours = jwe.encrypt(b"oaep back", private.public_key(), alg, "A128CBC-HS256")
    assert hand_open(ours, private.decrypt(unb64(ours.split(".")[1]), _oaep(alg))) == b"oaep back"


@pytest.mark.parametrize("alg", RSA_ALGS)
def test_rsa_keys_as_pem(alg: str) -> None:
    token = jwe.encrypt(PLAINTEXT, keys.public_pem("RS256"), alg, "A128GCM")
    assert jwe.decrypt(token, keys.private_pem("RS256"), [alg], ["A128GCM"]) == PLAINTEXT
    assert jwe.decrypt(token, keys.private_pem("RS256").decode("ascii"), [alg], ["A128GCM"]) == PLAINTEXT
    # A private key encrypts to its public half.
    assert jwe.decrypt(jwe.encrypt(b"x", keys.private("RS256"), alg, "A128GCM"), keys.private("RS256"), [alg],
                       ["A128GCM"]) == b"x"


def test_rsa_needs_2048_bits_and_a_private_key_to_decrypt() -> None:
    small = keys._generate("rsa-small")
    with pytest.raises(InvalidKeyError, match="at least 2048 bits"):
        jwe.encrypt(PLAINTEXT, small.public_key(), "RSA-OAEP", "A128GCM")
    token = jwe.encrypt(PLAINTEXT, keys.public("RS256"), "RSA-OAEP", "A128GCM")
    with pytest.raises(InvalidKeyError, match="at least 2048 bits"):
        jwe.decrypt(token, small, ["RSA-OAEP"], ["A128GCM"])
    with pytest.raises(InvalidKeyError, match="private key"):
        jwe.decrypt(token, keys.public("RS256"), ["RSA-OAEP"], ["A128GCM"])
    for wrong in (keys.private("ES256"), os.urandom(32), b"not a pem", "not a pem", None):
        with pytest.raises(InvalidKeyError):
            jwe.decrypt(token, wrong, ["RSA-OAEP"], ["A128GCM"])


def _rsa1_5_token(cek: bytes, encrypted_key: bytes, enc: str = "A128CBC-HS256") -> str:
    return hand_token({"alg": "RSA1_5", "enc": enc}, encrypted_key, cek, b"legacy")


def test_rsa1_5_decrypts_only_when_explicitly_allowed() -> None:
    private = keys.private("RS256")
    cek = os.urandom(32)
    token = _rsa1_5_token(cek, private.public_key().encrypt(cek, asym_padding.PKCS1v15()))
    with pytest.raises(InvalidAlgorithmError, match="allow_rsa1_5"):
        jwe.decrypt(token, private, ["RSA1_5", "RSA-OAEP"], ["A128CBC-HS256"])
    with pytest.raises(InvalidAlgorithmError, match="alg value is not allowed"):
        jwe.decrypt(token, private, ["RSA-OAEP"], ["A128CBC-HS256"], allow_rsa1_5=True)
    assert jwe.decrypt(token, private, ["RSA1_5"], ["A128CBC-HS256"], allow_rsa1_5=True) == b"legacy"


def test_rsa1_5_never_encrypts() -> None:
    with pytest.raises(InvalidAlgorithmError, match="only supported for decryption"):
        jwe.encrypt(PLAINTEXT, keys.public("RS256"), "RSA1_5", "A128CBC-HS256")


@pytest.mark.parametrize("encrypted", [
    "bad padding", "cek too short", "cek too long", "empty", "garbage", "wrong length",
])
def test_rsa1_5_failures_are_indistinguishable(encrypted: str) -> None:
    private = keys.private("RS256")
    public = private.public_key()
    cek = os.urandom(32)
    raw = {
        "bad padding": lambda: pow(int.from_bytes(os.urandom(255), "big"), 65537,
                                   public.public_numbers().n).to_bytes(256, "big"),
        "cek too short": lambda: public.encrypt(cek[:16], asym_padding.PKCS1v15()),
        "cek too long": lambda: public.encrypt(cek + cek, asym_padding.PKCS1v15()),
        "empty": lambda: b"",
        "garbage": lambda: os.urandom(256),
        "wrong length": lambda: os.urandom(100),
    }[encrypted]()
    with pytest.raises(JWEDecryptionError) as excinfo:
        jwe.decrypt(_rsa1_5_token(cek, raw), private, ["RSA1_5"], ["A128CBC-HS256"], allow_rsa1_5=True)
    assert_decryption_failed(excinfo)


@pytest.mark.parametrize("alg", RSA_ALGS)
def test_rsa_oaep_garbage_encrypted_key_is_the_same_error(alg: str) -> None:
    private = keys.private("RS256")
    token = jwe.encrypt(PLAINTEXT, private.public_key(), alg, "A128GCM")
    for raw in (os.urandom(256), os.urandom(10), b"\x00" * 256):
        with pytest.raises(JWEDecryptionError) as excinfo:
            jwe.decrypt(replace_segment(token, 1, b64(raw)), private, [alg], ["A128GCM"])
        assert_decryption_failed(excinfo)


# -- ECDH-ES -----------------------------------------------------------------------------------


@pytest.mark.parametrize("curve", ECDH_CURVES)
@pytest.mark.parametrize("alg", ECDH_ALGS)
def test_ecdh_es_round_trip_on_every_curve(alg: str, curve: str) -> None:
    encryption_key, decryption_key, other = key_pair(alg, curve)
    token = jwe.encrypt(PLAINTEXT, encryption_key, alg, "A192CBC-HS384")
    header = json.loads(unb64(token.split(".")[0]))
    assert header["epk"]["crv"] == curve and "d" not in header["epk"]
    assert jwe.decrypt(token, decryption_key, [alg], ["A192CBC-HS384"]) == PLAINTEXT
    with pytest.raises(JWEDecryptionError):
        jwe.decrypt(token, other, [alg], ["A192CBC-HS384"])


def _concat_kdf_by_hand(shared: bytes, algorithm_id: str, bits: int, apu: bytes = b"", apv: bytes = b"") -> bytes:
    """RFC 7518 §4.6.2 with a single SHA-256 round (enough for keys up to 256 bits)."""
    def prefixed(data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + data
    other = prefixed(algorithm_id.encode("ascii")) + prefixed(apu) + prefixed(apv) + struct.pack(">I", bits)
    return hashlib.sha256(struct.pack(">I", 1) + shared + other).digest()[: bits // 8]


@pytest.mark.parametrize("alg", ["ECDH-ES", "ECDH-ES+A128KW", "ECDH-ES+A256KW"])
def test_ecdh_es_interop_by_hand_with_apu_and_apv(alg: str) -> None:
    recipient = ecdh_private("P-256")
    ephemeral = ec.generate_private_key(ec.SECP256R1())
    shared = ephemeral.exchange(ec.ECDH(), recipient.public_key())
    numbers = ephemeral.public_key().public_numbers()
    epk = {"kty": "EC", "crv": "P-256", "x": b64(numbers.x.to_bytes(32, "big")), "y": b64(numbers.y.to_bytes(32, "big"))}
    header = {"alg": alg, "enc": "A128GCM", "epk": epk, "apu": b64(b"Alice"), "apv": b64(b"Bob")}
    if alg == "ECDH-ES":
        cek, encrypted_key = _concat_kdf_by_hand(shared, "A128GCM", 128, b"Alice", b"Bob"), b""
    else:
        bits = int(alg[-5:-2])
        cek = os.urandom(16)
        encrypted_key = aes_key_wrap(_concat_kdf_by_hand(shared, alg, bits, b"Alice", b"Bob"), cek)
    token = hand_token(header, encrypted_key, cek, b"agreed")
    assert jwe.decrypt(token, recipient, [alg], ["A128GCM"]) == b"agreed"
    # apu/apv are bound into the key: changing them breaks decryption.
    forged = hand_token({**header, "apv": b64(b"Eve")}, encrypted_key, cek, b"agreed")
    with pytest.raises(JWEDecryptionError):
        jwe.decrypt(forged, recipient, [alg], ["A128GCM"])


def test_ecdh_es_apu_apv_from_headers_are_used() -> None:
    recipient = ecdh_private("X25519")
    token = jwe.encrypt(PLAINTEXT, recipient.public_key(), "ECDH-ES", "A128GCM",
                        headers={"apu": b64(b"me"), "apv": b64(b"you")})
    header = json.loads(unb64(token.split(".")[0]))
    ephemeral = x25519.X25519PublicKey.from_public_bytes(unb64(header["epk"]["x"]))
    cek = _concat_kdf_by_hand(recipient.exchange(ephemeral), "A128GCM", 128, b"me", b"you")
    assert hand_open(token, cek) == PLAINTEXT
    with pytest.raises(InvalidTokenError, match='"apu"'):
        jwe.encrypt(PLAINTEXT, recipient.public_key(), "ECDH-ES", "A128GCM", headers={"apu": 5})


def _with_epk(token: str, epk: Any) -> str:
    header = json.loads(unb64(token.split(".")[0]))
    if epk is None:
        del header["epk"]
    else:
        header["epk"] = epk
    return replace_segment(token, 0, header_segment(header))


def _public_jwk(private: Any) -> Dict[str, Any]:
    public = private.public_key()
    if isinstance(public, ec.EllipticCurvePublicKey):
        size = (public.curve.key_size + 7) // 8
        crv = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}[public.curve.name]
        numbers = public.public_numbers()
        return {"kty": "EC", "crv": crv, "x": b64(numbers.x.to_bytes(size, "big")),
                "y": b64(numbers.y.to_bytes(size, "big"))}
    crv = "X25519" if isinstance(public, x25519.X25519PublicKey) else "X448"
    return {"kty": "OKP", "crv": crv, "x": b64(public.public_bytes_raw())}


def _p256_point_off_the_curve() -> Dict[str, str]:
    jwk = _public_jwk(ecdh_private("P-256", 1))
    y = int.from_bytes(unb64(jwk["y"]), "big")
    return {**jwk, "y": b64(((y + 1) % (2**256)).to_bytes(32, "big"))}


@pytest.mark.parametrize("epk, message", [
    (None, "epk"),
    ("a string", "epk"),
    ({"kty": "RSA", "n": "AQAB", "e": "AQAB"}, "EC or OKP"),
    ({"kty": "oct", "k": "AAAA"}, "EC or OKP"),
    ({"kty": "EC", "crv": "P-256"}, "not a valid public key"),
    (_p256_point_off_the_curve(), "not a valid public key"),  # the invalid-curve attack
    ({"kty": "EC", "crv": "P-384", "x": "A" * 64, "y": "A" * 64}, "not a valid public key"),
])
def test_ecdh_es_epk_must_be_a_valid_public_key(epk: Any, message: str) -> None:
    recipient = ecdh_private("P-256")
    token = jwe.encrypt(PLAINTEXT, recipient.public_key(), "ECDH-ES+A128KW", "A128GCM")
    with pytest.raises(InvalidTokenError, match=message) as excinfo:
        jwe.decrypt(_with_epk(token, epk), recipient, ["ECDH-ES+A128KW"], ["A128GCM"])
    assert not isinstance(excinfo.value, JWEDecryptionError)


def test_ecdh_es_epk_on_another_curve_is_refused() -> None:
    recipient = ecdh_private("P-256")
    token = jwe.encrypt(PLAINTEXT, recipient.public_key(), "ECDH-ES", "A128GCM")
    for curve in ("P-384", "P-521", "X25519"):
        epk = _public_jwk(ecdh_private(curve))
        with pytest.raises(InvalidTokenError, match="curve of the decryption key"):
            jwe.decrypt(_with_epk(token, epk), recipient, ["ECDH-ES"], ["A128GCM"])


def test_ecdh_es_epk_with_a_private_member_is_refused() -> None:
    recipient = ecdh_private("X25519")
    token = jwe.encrypt(PLAINTEXT, recipient.public_key(), "ECDH-ES", "A128GCM")
    epk = json.loads(unb64(token.split(".")[0]))["epk"]
    with pytest.raises(InvalidTokenError, match="private"):
        jwe.decrypt(_with_epk(token, {**epk, "d": b64(os.urandom(32))}), recipient, ["ECDH-ES"], ["A128GCM"])


@pytest.mark.parametrize("point", [bytes(32), (1).to_bytes(32, "little"), bytes.fromhex(
    "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800")])
def test_ecdh_es_x25519_low_order_points_fail_as_decryption(point: bytes) -> None:
    recipient = ecdh_private("X25519")
    token = jwe.encrypt(PLAINTEXT, recipient.public_key(), "ECDH-ES", "A128GCM")
    with pytest.raises(JWEDecryptionError) as excinfo:
        jwe.decrypt(_with_epk(token, {"kty": "OKP", "crv": "X25519", "x": b64(point)}), recipient,
                    ["ECDH-ES"], ["A128GCM"])
    assert_decryption_failed(excinfo)


def test_ecdh_es_refuses_an_encrypted_key() -> None:
    recipient = ecdh_private("P-384")
    token = jwe.encrypt(PLAINTEXT, recipient.public_key(), "ECDH-ES", "A128GCM")
    with pytest.raises(InvalidTokenError, match="must be empty"):
        jwe.decrypt(replace_segment(token, 1, b64(os.urandom(24))), recipient, ["ECDH-ES"], ["A128GCM"])


def test_ecdh_es_key_checks() -> None:
    secp256k1 = ec.generate_private_key(ec.SECP256K1())
    with pytest.raises(InvalidKeyError, match="secp256k1"):
        jwe.encrypt(PLAINTEXT, secp256k1.public_key(), "ECDH-ES", "A128GCM")
    for wrong in (keys.public("RS256"), keys.public("EdDSA"), os.urandom(32)):
        with pytest.raises(InvalidKeyError):
            jwe.encrypt(PLAINTEXT, wrong, "ECDH-ES", "A128GCM")
    token = jwe.encrypt(PLAINTEXT, ecdh_private("P-521").public_key(), "ECDH-ES", "A128GCM")
    with pytest.raises(InvalidKeyError, match="private key"):
        jwe.decrypt(token, ecdh_private("P-521").public_key(), ["ECDH-ES"], ["A128GCM"])
    pem = ecdh_private("P-521").private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption())
    assert jwe.decrypt(token, pem, ["ECDH-ES"], ["A128GCM"]) == PLAINTEXT


# -- PBES2 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", PBES2_ALGS)
def test_pbes2_interop_by_hand(alg: str) -> None:
    hash_cls = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}[alg[8:11]]
    kw_size = int(alg[-5:-2]) // 8
    salt_input, cek = os.urandom(12), os.urandom(32)
    kek = PBKDF2HMAC(hash_cls(), kw_size, alg.encode("ascii") + b"\x00" + salt_input, 1200).derive(b"s3cret")
    header = {"alg": alg, "enc": "A128CBC-HS256", "p2s": b64(salt_input), "p2c": 1200}
    token = hand_token(header, aes_key_wrap(kek, cek), cek, b"by password")
    assert jwe.decrypt(token, "s3cret", [alg], ["A128CBC-HS256"]) == b"by password"
    assert jwe.decrypt(token, b"s3cret", [alg], ["A128CBC-HS256"]) == b"by password"


def test_pbes2_defaults_when_encrypting() -> None:
    token = jwe.encrypt(PLAINTEXT, "pw", "PBES2-HS256+A128KW", "A128GCM")
    header = json.loads(unb64(token.split(".")[0]))
    assert header["p2c"] == jwe.DEFAULT_PBES2_COUNT == 300_000
    assert len(unb64(header["p2s"])) == 16
    assert jwe.decrypt(token, "pw", ["PBES2-HS256+A128KW"], ["A128GCM"]) == PLAINTEXT
    other = jwe.encrypt(PLAINTEXT, "pw", "PBES2-HS256+A128KW", "A128GCM", headers=FAST_PBES2)
    assert json.loads(unb64(other.split(".")[0]))["p2s"] != header["p2s"]


@pytest.mark.parametrize("p2c", [999, 0, -1, True, "5000", 1.5e3])
def test_pbes2_refuses_weak_counts_when_encrypting(p2c: Any) -> None:
    with pytest.raises(InvalidTokenError, match='"p2c"'):
        jwe.encrypt(PLAINTEXT, "pw", "PBES2-HS256+A128KW", "A128GCM", headers={"p2c": p2c})


def _pbes2_token_with(change: Dict[str, Any]) -> str:
    token = jwe.encrypt(PLAINTEXT, "pw", "PBES2-HS256+A128KW", "A128GCM", headers=FAST_PBES2)
    header = json.loads(unb64(token.split(".")[0]))
    header.update(change)
    header = {name: value for name, value in header.items() if value is not None}
    return replace_segment(token, 0, header_segment(header))


@pytest.mark.parametrize("change, message", [
    ({"p2c": 300_001}, '"p2c"'),
    ({"p2c": 10**12}, '"p2c"'),  # would spin for hours: refused before any work
    ({"p2c": 0}, '"p2c"'),
    ({"p2c": None}, '"p2c"'),
    ({"p2c": True}, '"p2c"'),
    ({"p2c": "1000"}, '"p2c"'),
    ({"p2s": None}, '"p2s"'),
    ({"p2s": b64(b"7 bytes")}, '"p2s"'),
    ({"p2s": 12}, '"p2s"'),
])
def test_pbes2_header_bounds_when_decrypting(change: Dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidTokenError, match=message) as excinfo:
        jwe.decrypt(_pbes2_token_with(change), "pw", ["PBES2-HS256+A128KW"], ["A128GCM"])
    assert not isinstance(excinfo.value, JWEDecryptionError)


def test_pbes2_maximum_is_configurable() -> None:
    token = jwe.encrypt(PLAINTEXT, "pw", "PBES2-HS256+A128KW", "A128GCM", headers=FAST_PBES2)
    with pytest.raises(LimitExceededError, match=r"max_pbes2_count limit \(999 iterations\)"):
        jwe.decrypt(token, "pw", ["PBES2-HS256+A128KW"], ["A128GCM"], limits=cyjose.Limits(max_pbes2_count=999))
    limits = cyjose.Limits(max_pbes2_count=1000)
    assert jwe.decrypt(token, "pw", ["PBES2-HS256+A128KW"], ["A128GCM"], limits=limits) == PLAINTEXT


@pytest.mark.parametrize("password", ["", b"", None, 7, "\ud800"])
def test_pbes2_password_checks(password: Any) -> None:
    with pytest.raises(InvalidKeyError):
        jwe.encrypt(PLAINTEXT, password, "PBES2-HS256+A128KW", "A128GCM", headers=FAST_PBES2)


# -- PyJWK keys for every family ----------------------------------------------------------------


def test_pyjwk_keys_for_rsa_ecdh_and_aes_kw() -> None:
    members = json.loads(cyjose.algorithms.RSAAlgorithm.to_jwk(keys.private("RS256")))
    members.pop("key_ops")
    rsa_jwk = cyjose.PyJWK({**members, "use": "enc", "alg": "RSA-OAEP-256"})
    token = jwe.encrypt(PLAINTEXT, rsa_jwk, "RSA-OAEP-256", "A256GCM")
    assert jwe.decrypt(token, rsa_jwk, ["RSA-OAEP-256"], ["A256GCM"]) == PLAINTEXT
    with pytest.raises(InvalidAlgorithmError):
        jwe.encrypt(PLAINTEXT, rsa_jwk, "RSA-OAEP", "A256GCM")
    x25519_jwk = cyjose.PyJWK({"kty": "OKP", "crv": "X25519", "use": "enc",
                               "x": b64(ecdh_private("X25519").public_key().public_bytes_raw()),
                               "d": b64(ecdh_private("X25519").private_bytes_raw())})
    token = jwe.encrypt(PLAINTEXT, x25519_jwk, "ECDH-ES+A128KW", "A128GCM")
    assert jwe.decrypt(token, ecdh_private("X25519"), ["ECDH-ES+A128KW"], ["A128GCM"]) == PLAINTEXT
    kw = _oct_jwk(os.urandom(16), alg="A128KW", key_ops=["wrapKey", "unwrapKey"])
    token = jwe.encrypt(PLAINTEXT, kw, "A128KW", "A128GCM")
    assert jwe.decrypt(token, kw, ["A128KW"], ["A128GCM"]) == PLAINTEXT
    wrap_only = _oct_jwk(os.urandom(16), key_ops=["wrapKey"])
    token = jwe.encrypt(PLAINTEXT, wrap_only, "A128KW", "A128GCM")
    with pytest.raises(InvalidKeyError, match='"unwrapKey"'):
        jwe.decrypt(token, wrap_only, ["A128KW"], ["A128GCM"])
    with pytest.raises(InvalidKeyError, match='"deriveKey"'):
        jwe.encrypt(PLAINTEXT, _oct_jwk(b"password", key_ops=["wrapKey"]), "PBES2-HS256+A128KW", "A128GCM")


# -- interop with jwcrypto and joserfc ----------------------------------------------------------

INTEROP = [
    ("dir", "A128GCM"), ("dir", "A256CBC-HS512"),
    ("A128KW", "A128CBC-HS256"), ("A256KW", "A256GCM"), ("A192GCMKW", "A192CBC-HS384"),
    ("RSA-OAEP", "A256GCM"), ("RSA-OAEP-256", "A128CBC-HS256"),
    ("ECDH-ES", "A128GCM"), ("ECDH-ES+A128KW", "A256CBC-HS512"), ("ECDH-ES+A256KW", "A192GCM"),
    ("PBES2-HS256+A128KW", "A128GCM"), ("PBES2-HS512+A256KW", "A256CBC-HS512"),
]


def _interop_keys(alg: str, enc: str, curve: str = "P-384") -> tuple:
    """``(cyjose encryption key, cyjose decryption key, PEM or secret for the other library)``."""
    if alg == "dir":
        secret = os.urandom(CEK_SIZES[enc])
        return secret, secret, secret
    encryption_key, decryption_key, _ = key_pair(alg, curve)
    if isinstance(decryption_key, (bytes, str)):
        return encryption_key, decryption_key, decryption_key
    pem = decryption_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption())
    return encryption_key, decryption_key, pem


@pytest.mark.parametrize("alg, enc, curve", [(alg, enc, "P-384") for alg, enc in INTEROP] + [
    (alg, enc, "X25519") for alg, enc in INTEROP if alg.startswith("ECDH")
])
def test_jwcrypto_interop(alg: str, enc: str, curve: str) -> None:
    jwcrypto_jwe = pytest.importorskip("jwcrypto.jwe")
    jwcrypto_jwk = pytest.importorskip("jwcrypto.jwk")
    encryption_key, decryption_key, material = _interop_keys(alg, enc, curve)
    if isinstance(material, bytes) and material.startswith(b"-----"):
        their_key = jwcrypto_jwk.JWK.from_pem(material)
    else:
        secret = material.encode("utf-8") if isinstance(material, str) else material
        their_key = jwcrypto_jwk.JWK(kty="oct", k=b64(secret))
    # From jwcrypto to cyjose.
    protected = {"alg": alg, "enc": enc, **({"p2c": 1000} if alg.startswith("PBES2") else {})}
    theirs = jwcrypto_jwe.JWE(PLAINTEXT, json.dumps(protected), algs=[alg, enc])
    theirs.add_recipient(their_key)
    assert jwe.decrypt(theirs.serialize(compact=True), decryption_key, [alg], [enc]) == PLAINTEXT
    # From cyjose to jwcrypto (its PBES2 cap is 16384 iterations).
    ours = jwe.encrypt(b"from cyjose", encryption_key, alg, enc, headers=headers_for(alg))
    opened = jwcrypto_jwe.JWE(algs=[alg, enc])
    opened.deserialize(ours, key=their_key)
    assert opened.payload == b"from cyjose"


@pytest.mark.parametrize("alg, enc", INTEROP)
def test_joserfc_interop(alg: str, enc: str) -> None:
    joserfc_jwe = pytest.importorskip("joserfc.jwe")
    joserfc_jwk = pytest.importorskip("joserfc.jwk")
    encryption_key, decryption_key, material = _interop_keys(alg, enc)
    if isinstance(material, bytes) and material.startswith(b"-----"):
        loader = joserfc_jwk.RSAKey if alg.startswith("RSA") else joserfc_jwk.ECKey
        their_key = loader.import_key(material)
    else:
        their_key = joserfc_jwk.OctKey.import_key(material.encode("utf-8") if isinstance(material, str) else material)
    protected = {"alg": alg, "enc": enc, **({"p2c": 1000} if alg.startswith("PBES2") else {})}
    theirs = joserfc_jwe.encrypt_compact(protected, PLAINTEXT, their_key, algorithms=[alg, enc])
    assert jwe.decrypt(theirs, decryption_key, [alg], [enc]) == PLAINTEXT
    ours = jwe.encrypt(b"from cyjose", encryption_key, alg, enc, headers=headers_for(alg))
    assert joserfc_jwe.decrypt_compact(ours, their_key, algorithms=[alg, enc]).plaintext == b"from cyjose"


def test_joserfc_zip_interop() -> None:
    joserfc_jwe = pytest.importorskip("joserfc.jwe")
    joserfc_jwk = pytest.importorskip("joserfc.jwk")
    secret = os.urandom(16)
    their_key = joserfc_jwk.OctKey.import_key(secret)
    plaintext = b"squeeze " * 200
    theirs = joserfc_jwe.encrypt_compact({"alg": "A128KW", "enc": "A128GCM", "zip": "DEF"}, plaintext, their_key,
                                         algorithms=["A128KW", "A128GCM", "DEF"])
    assert jwe.decrypt(theirs, secret, ["A128KW"], ["A128GCM"], zips=["DEF"]) == plaintext
    ours = jwe.encrypt(plaintext, secret, "A128KW", "A128GCM", zip="DEF")
    assert joserfc_jwe.decrypt_compact(ours, their_key, algorithms=["A128KW", "A128GCM", "DEF"]).plaintext == plaintext


# -- hostile input never escapes as a raw exception; secrets never appear in messages ------------


@pytest.mark.parametrize("alg", ["dir", "A128KW", "A128GCMKW", "RSA-OAEP", "ECDH-ES+A128KW", "PBES2-HS256+A128KW"])
def test_mutated_tokens_raise_only_cyjose_errors(alg: str) -> None:
    rng = random.Random(alg)
    if alg == "dir":
        encryption_key = decryption_key = os.urandom(32)
    else:
        encryption_key, decryption_key, _ = key_pair(alg)
    token = jwe.encrypt(PLAINTEXT, encryption_key, alg, "A128CBC-HS256", headers=headers_for(alg), zip="DEF")
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \u00e9"
    for _ in range(300):
        chars = list(token)
        for _ in range(rng.randint(1, 4)):
            position = rng.randrange(len(chars))
            action = rng.randrange(3)
            if action == 0:
                chars[position] = rng.choice(alphabet)
            elif action == 1:
                del chars[position]
            else:
                chars.insert(position, rng.choice(alphabet))
        try:
            jwe.decrypt("".join(chars), decryption_key, [alg], ["A128CBC-HS256"], zips=["DEF"])
        except cyjose.PyJWTError:
            pass


def test_key_errors_never_show_the_key() -> None:
    secret = os.urandom(20)
    password = "hunter2-is-my-password"
    attempts = [
        lambda: jwe.encrypt(PLAINTEXT, secret, "dir", "A128GCM"),
        lambda: jwe.encrypt(PLAINTEXT, secret, "A128KW", "A128GCM"),
        lambda: jwe.encrypt(PLAINTEXT, password, "A128KW", "A128GCM"),
        lambda: jwe.encrypt(PLAINTEXT, password, "RSA-OAEP", "A128GCM"),
        lambda: jwe.encrypt(PLAINTEXT, password, "ECDH-ES", "A128GCM"),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidKeyError) as excinfo:
            attempt()
        message = str(excinfo.value) + repr(excinfo.value)
        for shown in (password, secret.hex(), b64(secret), repr(secret)):
            assert shown not in message


def test_encrypt_refuses_a_token_decrypt_would_refuse():
    key = b"k" * 32
    fits = jwe.encrypt(b"a" * 700_000, key, alg="dir", enc="A256GCM")  # base64url: ~933 KB
    assert jwe.decrypt(fits, key, algorithms=["dir"], encryptions=["A256GCM"]) == b"a" * 700_000
    with pytest.raises(ValueError, match="over the 1048576-byte limit"):
        jwe.encrypt(b"a" * 800_000, key, alg="dir", enc="A256GCM")
    # compressed, the same plaintext fits
    small = jwe.encrypt(b"a" * 800_000, key, alg="dir", enc="A256GCM", zip="DEF")
    assert jwe.decrypt(small, key, algorithms=["dir"], encryptions=["A256GCM"], zips=["DEF"]) == b"a" * 800_000
