"""ECDSA signature conversion raw r||s <-> DER: behaviour of each twin."""

from __future__ import annotations

import base64
import json
import random

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from cyjose.exceptions import InvalidSignatureError

SIZES = (32, 48, 66)  # P-256, P-384, P-521


def _values(size):
    top = 256 ** size - 1
    rng = random.Random(size)
    return [0, 1, 0x7F, 0x80, 0xFF, 0x100, 2 ** (8 * size - 1) - 1, 2 ** (8 * size - 1),
            top, top - 1, top >> 1, 1 << (8 * (size - 1))] + [rng.randrange(top + 1) for _ in range(20)]


def _raw(r, s, size):
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def _invalid(call, message="Invalid DER signature"):
    with pytest.raises(InvalidSignatureError) as info:
        call()
    assert type(info.value) is InvalidSignatureError
    assert str(info.value) == message


@pytest.mark.parametrize("size", SIZES)
def test_raw_to_der_matches_cryptography(ecdsa, size):
    values = _values(size)
    for r in values:
        for s in values[::5]:
            der = ecdsa.raw_to_der(_raw(r, s, size), size)
            assert type(der) is bytes
            assert der == encode_dss_signature(r, s)
            assert decode_dss_signature(der) == (r, s)


@pytest.mark.parametrize("size", SIZES)
def test_der_to_raw_matches_cryptography(ecdsa, size):
    values = _values(size)
    for r in values:
        for s in values[::5]:
            raw = ecdsa.der_to_raw(encode_dss_signature(r, s), size)
            assert type(raw) is bytes
            assert raw == _raw(r, s, size)


def test_p521_uses_long_form_length(ecdsa):
    top = 256 ** 66 - 1
    der = ecdsa.raw_to_der(_raw(top, top, 66), 66)
    assert der[:3] == b"\x30\x81\x8a"  # 2 * (2 + 1 + 66) = 138 bytes of body
    assert len(der) == 141
    assert ecdsa.der_to_raw(der, 66) == _raw(top, top, 66)


def test_known_encoding(ecdsa):
    raw = b"\x00" * 31 + b"\x01" + b"\x80" + b"\x00" * 31
    assert ecdsa.raw_to_der(raw, 32) == (
        b"\x30\x26" + b"\x02\x01\x01" + b"\x02\x21\x00\x80" + b"\x00" * 31
    )


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("delta", [-2 * 32, -1, 1, 2])
def test_raw_to_der_rejects_wrong_length(ecdsa, size, delta):
    raw = b"\x01" * max(0, 2 * size + delta)
    _invalid(lambda: ecdsa.raw_to_der(raw, size), "Invalid ECDSA signature length")


def test_raw_to_der_rejects_empty(ecdsa):
    _invalid(lambda: ecdsa.raw_to_der(b"", 32), "Invalid ECDSA signature length")


def test_der_to_raw_rejects_integer_wider_than_size(ecdsa):
    der = encode_dss_signature(256 ** 32, 1)  # 33 significant bytes
    _invalid(lambda: ecdsa.der_to_raw(der, 32))
    assert ecdsa.der_to_raw(der, 33) == _raw(256 ** 32, 1, 33)
    der = encode_dss_signature(1, 256 ** 48)
    _invalid(lambda: ecdsa.der_to_raw(der, 48))


VALID = encode_dss_signature(0x1234, 0x80FF)  # 30 09 02 02 12 34 02 03 00 80 ff


@pytest.mark.parametrize(
    "der",
    [
        b"",
        b"\x30",
        b"\x30\x00",  # empty sequence: no r
        b"\x31" + VALID[1:],  # SET, not SEQUENCE
        b"\x00" + VALID[1:],
        VALID[:-1],  # truncated
        VALID + b"\x00",  # trailing byte after the sequence
        b"\x30\x0a" + VALID[2:],  # outer length too long
        b"\x30\x08" + VALID[2:],  # outer length too short
        b"\x30\x80" + VALID[2:] + b"\x00\x00",  # indefinite length
        b"\x30\x83\x00\x00\x09" + VALID[2:],  # three length bytes
        b"\x30\x84\x00\x00\x00\x09" + VALID[2:],
        b"\x30\x81",  # length bytes missing
        b"\x30\x82\x00",
        b"\x30\x05\x02\x02\x12\x34\x02",  # s tag only
        b"\x30\x04\x02\x02\x12\x34",  # s missing
        b"\x30\x09\x03\x02\x12\x34\x02\x03\x00\x80\xff",  # r is not an INTEGER
        b"\x30\x09\x02\x02\x12\x34\x04\x03\x00\x80\xff",  # s is not an INTEGER
        b"\x30\x08\x02\x00\x02\x03\x00\x80\xff\x00",  # zero-length r
        b"\x30\x06\x02\x01\x01\x02\x00\x00",  # zero-length s (padded)
        b"\x30\x08\x02\x02\x12\x34\x02\x02\x80\xff",  # negative s
        b"\x30\x08\x02\x02\x92\x34\x02\x02\x00\x80",  # negative r
        b"\x30\x06\x02\x01\x80\x02\x01\x01",  # negative r, one byte
        b"\x30\x09\x02\x02\x12\x34\x02\x04\x00\x80\xff",  # s length runs past the end
        b"\x30\x09\x02\x09\x12\x34\x02\x03\x00\x80\xff",  # r length runs past the end
        b"\x30\x0c\x02\x02\x12\x34\x02\x03\x00\x80\xff\x02\x01\x01",  # a third INTEGER
        b"\x30\x0b\x02\x02\x12\x34\x02\x03\x00\x80\xff\x00\x00",  # junk inside the sequence
        b"\x30\x0a\x02\x80\x12\x34\x02\x03\x00\x80\xff\x00",  # indefinite integer length
        b"\x30\x0a\x02\x83\x00\x00\x02\x12\x34\x02\x01\x01",  # three integer length bytes
        b"\x30\x02\x02\x81",  # integer length bytes missing
    ],
)
def test_der_to_raw_rejects_malformed(ecdsa, der):
    _invalid(lambda: ecdsa.der_to_raw(der, 32))


def test_valid_fixture(ecdsa):
    assert VALID == b"\x30\x09\x02\x02\x12\x34\x02\x03\x00\x80\xff"
    assert ecdsa.der_to_raw(VALID, 32) == _raw(0x1234, 0x80FF, 32)


@pytest.mark.parametrize("size", SIZES)
def test_round_trip(ecdsa, size):
    rng = random.Random(1000 + size)
    for _ in range(200):
        raw = bytes(rng.randrange(256) for _ in range(2 * size))
        der = ecdsa.raw_to_der(raw, size)
        assert ecdsa.der_to_raw(der, size) == raw
        assert ecdsa.raw_to_der(ecdsa.der_to_raw(der, size), size) == der


@pytest.mark.parametrize(
    "curve, size, hash_cls",
    [(ec.SECP256R1(), 32, hashes.SHA256), (ec.SECP384R1(), 48, hashes.SHA384),
     (ec.SECP521R1(), 66, hashes.SHA512)],
)
def test_with_real_signatures(ecdsa, curve, size, hash_cls):
    key = ec.generate_private_key(curve)
    for i in range(10):
        msg = b"message %d" % i
        der = key.sign(msg, ec.ECDSA(hash_cls()))
        raw = ecdsa.der_to_raw(der, size)
        assert len(raw) == 2 * size
        back = ecdsa.raw_to_der(raw, size)
        assert back == der
        key.public_key().verify(back, msg, ec.ECDSA(hash_cls()))


def _b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_rfc7515_a3_es256(ecdsa, vectors_dir):
    jwk = json.loads((vectors_dir / "rfc" / "rfc7515_A.3.jwk").read_text())
    token = (vectors_dir / "rfc" / "rfc7515_A.3.jwsc").read_text().strip()
    signing_input, _, signature = token.rpartition(".")
    public = ec.EllipticCurvePublicNumbers(
        int.from_bytes(_b64url(jwk["x"]), "big"), int.from_bytes(_b64url(jwk["y"]), "big"),
        ec.SECP256R1(),
    ).public_key()
    raw = _b64url(signature)
    der = ecdsa.raw_to_der(raw, 32)
    public.verify(der, signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    assert ecdsa.der_to_raw(der, 32) == raw
    tampered = ecdsa.raw_to_der(raw[:-1] + bytes((raw[-1] ^ 1,)), 32)
    with pytest.raises(InvalidSignature):
        public.verify(tampered, signing_input.encode(), ec.ECDSA(hashes.SHA256()))
