"""cyjose.jwe: compact JWE round trips, tampering, wrong keys, hardening and hand-made interop.

Expected values never come from cyjose itself: tokens built here by hand with
``cryptography`` primitives (following RFC 7516/7518 step by step) must
decrypt, and cyjose's tokens must open by hand.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import struct
import zlib
from typing import Any, Dict

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap, aes_key_wrap

import cyjose
from cyjose import jwe
from cyjose.exceptions import (
    DecodeError,
    InvalidAlgorithmError,
    InvalidKeyError,
    InvalidTokenError,
    JWEDecryptionError,
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
    with pytest.raises(DecodeError, match="too large"):
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
    with pytest.raises(DecodeError, match="exceeds 1048576 bytes"):
        jwe.decrypt(_zip_token(cek, bomb), cek, ["dir"], ["A256GCM"], zips=["DEF"])


def test_zip_limit_is_configurable_and_exact() -> None:
    cek = os.urandom(32)
    token = _zip_token(cek, _deflate(b"a" * 1000))
    assert jwe.decrypt(token, cek, ["dir"], ["A256GCM"], zips=["DEF"], max_decompressed_size=1000) == b"a" * 1000
    with pytest.raises(DecodeError, match="exceeds 999 bytes"):
        jwe.decrypt(token, cek, ["dir"], ["A256GCM"], zips=["DEF"], max_decompressed_size=999)
    with pytest.raises(TypeError):
        jwe.decrypt(token, cek, ["dir"], ["A256GCM"], zips=["DEF"], max_decompressed_size=0)


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


def key_pair(alg: str) -> tuple:
    """``(encryption key, decryption key, another decryption key)`` for ``alg``, fresh each call."""
    if alg in KW_SIZES:
        size = KW_SIZES[alg]
        key = os.urandom(size)
        return key, key, os.urandom(size)
    raise ValueError(alg)


WRAP_ALGS = tuple(KW_SIZES)


@pytest.mark.parametrize("enc", ENCS)
@pytest.mark.parametrize("alg", WRAP_ALGS)
def test_round_trip_every_alg_and_enc(alg: str, enc: str) -> None:
    encryption_key, decryption_key, _ = key_pair(alg)
    token = jwe.encrypt(PLAINTEXT, encryption_key, alg, enc, headers={"kid": "r"})
    result = jwe.decrypt_complete(token, decryption_key, [alg], [enc])
    assert result["plaintext"] == PLAINTEXT
    assert result["header"]["alg"] == alg and result["header"]["enc"] == enc and result["header"]["kid"] == "r"


@pytest.mark.parametrize("alg", WRAP_ALGS)
@pytest.mark.parametrize("index", [0, 1, 2, 3, 4])
def test_tampering_any_segment_fails_with_one_error(alg: str, index: int) -> None:
    encryption_key, decryption_key, _ = key_pair(alg)
    token = jwe.encrypt(PLAINTEXT, encryption_key, alg, "A128CBC-HS256", headers={"kid": "a"})
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
    token = jwe.encrypt(PLAINTEXT, encryption_key, alg, "A256GCM")
    with pytest.raises(JWEDecryptionError) as excinfo:
        jwe.decrypt(token, other, [alg], ["A256GCM"])
    assert_decryption_failed(excinfo)


@pytest.mark.parametrize("alg", WRAP_ALGS)
def test_truncated_encrypted_key_fails_with_one_error(alg: str) -> None:
    encryption_key, decryption_key, _ = key_pair(alg)
    token = jwe.encrypt(PLAINTEXT, encryption_key, alg, "A128GCM")
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


@pytest.mark.parametrize("alg", WRAP_ALGS)
def test_aes_wrap_key_size_must_match(alg: str) -> None:
    with pytest.raises(InvalidKeyError):
        jwe.encrypt(PLAINTEXT, os.urandom(KW_SIZES[alg] + 8), alg, "A128GCM")
