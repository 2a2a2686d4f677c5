"""Strict base64url (RFC 4648 §5): behaviour of each twin."""

from __future__ import annotations

import base64

import pytest

from cyjose.exceptions import DecodeError

# RFC 4648 §10 test vectors, in the URL-safe alphabet and without padding.
RFC4648 = [
    (b"", b""),
    (b"f", b"Zg"),
    (b"fo", b"Zm8"),
    (b"foo", b"Zm9v"),
    (b"foob", b"Zm9vYg"),
    (b"fooba", b"Zm9vYmE"),
    (b"foobar", b"Zm9vYmFy"),
]


@pytest.mark.parametrize("data, encoded", RFC4648)
def test_rfc4648_vectors(b64url, data, encoded):
    assert b64url.b64url_encode(data) == encoded
    assert b64url.b64url_decode(encoded) == data


def test_encode_returns_bytes_without_padding(b64url):
    for n in range(0, 20):
        data = bytes(range(n))
        out = b64url.b64url_encode(data)
        assert type(out) is bytes
        assert b"=" not in out
        assert out == base64.urlsafe_b64encode(data).rstrip(b"=")


def test_url_safe_alphabet(b64url):
    # "+/" in the standard alphabet are "-_" here.
    assert b64url.b64url_encode(b"\xfb\xff") == b"-_8"
    assert b64url.b64url_decode(b"-_8") == b"\xfb\xff"
    everything = bytes(range(256))
    encoded = b64url.b64url_encode(everything)
    assert encoded == base64.urlsafe_b64encode(everything).rstrip(b"=")
    assert b64url.b64url_decode(encoded) == everything


@pytest.mark.parametrize("kind", [bytearray, memoryview])
def test_encode_accepts_bytes_like(b64url, kind):
    assert b64url.b64url_encode(kind(b"foobar")) == b"Zm9vYmFy"


def test_decode_returns_bytes(b64url):
    assert type(b64url.b64url_decode(b"Zm9v")) is bytes
    assert type(b64url.b64url_decode(b"")) is bytes


def test_round_trip_lengths(b64url):
    for n in range(0, 70):
        data = bytes((i * 37 + 11) % 256 for i in range(n))
        assert b64url.b64url_decode(b64url.b64url_encode(data)) == data


def _assert_rejected(b64url, segment, name="base64url"):
    with pytest.raises(DecodeError) as info:
        if name == "base64url":
            b64url.b64url_decode(segment)
        else:
            b64url.b64url_decode(segment, name)
    assert type(info.value) is DecodeError
    assert str(info.value) == f"Invalid {name} padding"


@pytest.mark.parametrize(
    "segment",
    [
        b"Zm9v+mFy",  # standard alphabet
        b"Zm9v/mFy",
        b"Zm9v.mFy",
        b"Zm9v!mFy",
        b"Zm9v\x00mFy",
        b"Zm9v\xffmFy",
        "Zm9vé".encode(),
        b"\x80\x80",
    ],
)
def test_rejects_characters_outside_alphabet(b64url, segment):
    _assert_rejected(b64url, segment)


@pytest.mark.parametrize(
    "segment",
    [
        b" Zm9vYg",
        b"Zm9vYg ",
        b"Zm9v YmE",
        b"Zm9vYg\r\n",
        b"Zm9v\n\nYg",
        b"\tZm9vYmE",
        b"Zm9vYmE\x0b",
        b"Zm9vYmE\x0c",
        b"QQ==\n\n\n",
        b"QQ\n\n==",
    ],
)
def test_rejects_whitespace(b64url, segment):
    # Lengths are chosen so that only the whitespace can be the reason.
    assert len(segment) % 4 != 1
    _assert_rejected(b64url, segment)


@pytest.mark.parametrize("segment", [b"A", b"Zm9vY", b"Zm9vYmFyZ", b"A=", b"A==", b"A==="])
def test_rejects_length_one_mod_four(b64url, segment):
    _assert_rejected(b64url, segment)


@pytest.mark.parametrize(
    "segment",
    [
        b"QR",   # 2 chars: low 4 bits of the last char must be 0 ("QQ" is canonical)
        b"QX",
        b"Q_",
        b"QUJ",  # 3 chars: low 2 bits of the last char must be 0 ("QUI" is canonical)
        b"QUL",
        b"Zm9vYh",  # "Zm9vYg" is canonical for b"foob"
        b"Zm9vYmF",  # "Zm9vYmE" is canonical for b"fooba"
        b"QR==",
        b"QUJ=",
    ],
)
def test_rejects_non_canonical_trailing_bits(b64url, segment):
    _assert_rejected(b64url, segment)


def test_every_canonical_final_char_accepted(b64url):
    alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for index, char in enumerate(alphabet):
        two, three = b"Q" + bytes((char,)), b"QU" + bytes((char,))
        if index & 0x0F:
            _assert_rejected(b64url, two)
        else:
            assert b64url.b64url_decode(two) == base64.urlsafe_b64decode(two + b"==")
        if index & 0x03:
            _assert_rejected(b64url, three)
        else:
            assert b64url.b64url_decode(three) == base64.urlsafe_b64decode(three + b"=")


@pytest.mark.parametrize(
    "segment, data",
    [(b"QQ==", b"A"), (b"QUI=", b"AB"), (b"Zm9vYg==", b"foob"), (b"Zm9vYmE=", b"fooba")],
)
def test_tolerates_exactly_right_padding(b64url, segment, data):
    assert b64url.b64url_decode(segment) == data


@pytest.mark.parametrize(
    "segment",
    [
        b"=",
        b"==",
        b"===",
        b"====",
        b"QQ=",  # needs two
        b"QQ===",
        b"QUI==",  # needs one
        b"Zm9v=",  # needs none
        b"Zm9v==",
        b"Zm9v====",
        b"Zm9vYg=",
        b"Zm9vYmE==",
    ],
)
def test_rejects_wrong_padding_count(b64url, segment):
    _assert_rejected(b64url, segment)


@pytest.mark.parametrize("segment", [b"QQ=A", b"Q=Q=", b"=QQ", b"Zm9v=Zm9v", b"QQ==QQ==", b"Z=m9v"])
def test_rejects_padding_in_the_middle(b64url, segment):
    _assert_rejected(b64url, segment)


def test_error_message_names_the_segment(b64url):
    _assert_rejected(b64url, b"A", "header")
    _assert_rejected(b64url, b"Zm9v+", "signature")
    _assert_rejected(b64url, b"QR", "payload")
    # A valid segment is unaffected by the name.
    assert b64url.b64url_decode(b"Zm9v", "header") == b"foo"


def test_error_is_a_decode_error_not_binascii(b64url):
    import binascii

    with pytest.raises(DecodeError) as info:
        b64url.b64url_decode(b"Zm9v+")
    assert not isinstance(info.value, binascii.Error)
    assert not isinstance(info.value, ValueError)
