"""Splitting JWS and JWE compact serializations: behaviour of each twin."""

from __future__ import annotations

import pytest

from cyjose.exceptions import DecodeError, LimitExceededError

MAX = 1 << 20
TOO_LARGE = f"Token exceeds the max_token_bytes limit ({MAX} bytes)"


def _raises(compact, token, message, max_bytes=MAX):
    with pytest.raises(DecodeError) as info:
        compact.split_jws(token, max_bytes)
    expected = LimitExceededError if "max_token_bytes" in message else DecodeError
    assert type(info.value) is expected
    assert str(info.value) == message


def test_max_token_bytes(compact):
    assert compact.MAX_TOKEN_BYTES == MAX


@pytest.mark.parametrize("token", ["aaa.bbb.ccc", b"aaa.bbb.ccc"])
def test_split_three_segments(compact, token):
    result = compact.split_jws(token)
    assert result == (b"aaa.bbb", b"aaa", b"bbb", b"ccc")
    assert type(result) is tuple
    assert all(type(part) is bytes for part in result)


@pytest.mark.parametrize(
    "token, expected",
    [
        ("..", (b".", b"", b"", b"")),
        ("a..", (b"a.", b"a", b"", b"")),
        (".b.", (b".b", b"", b"b", b"")),
        ("..c", (b".", b"", b"", b"c")),
        ("h.p.", (b"h.p", b"h", b"p", b"")),  # detached/unsigned shapes still split
    ],
)
def test_empty_segments_split(compact, token, expected):
    assert compact.split_jws(token) == expected
    assert compact.split_jws(token.encode()) == expected


def test_split_does_not_judge_segment_contents(compact):
    # Bytes outside ASCII or the base64url alphabet are left for base64url decoding to refuse.
    assert compact.split_jws(b"\xff\x00.+/=.\x80 ") == (b"\xff\x00.+/=", b"\xff\x00", b"+/=", b"\x80 ")


@pytest.mark.parametrize("token", [42, 1.5, None, bytearray(b"a.b.c"), memoryview(b"a.b.c"),
                                   ["a", "b", "c"], ("a", "b", "c"), object()])
def test_rejects_other_types(compact, token):
    _raises(compact, token, "Invalid token type. Token must be a <class 'bytes'>")


@pytest.mark.parametrize("token", ["a.b.é", "é.b.c", "a.b.c\x80", "a.\u2024.c", "a.b.\ud800", "\x00é"])
def test_rejects_non_ascii_str(compact, token):
    _raises(compact, token, "Invalid token: non-ASCII characters")


def test_ascii_control_characters_in_str_are_not_refused_by_split(compact):
    assert compact.split_jws("a\x00.b\x7f.c") == (b"a\x00.b\x7f", b"a\x00", b"b\x7f", b"c")


@pytest.mark.parametrize("kind", [str, bytes])
def test_size_limit(compact, kind):
    def make(n):
        token = "a." + "b" * (n - 4) + ".c"
        assert len(token) == n
        return token if kind is str else token.encode()

    assert compact.split_jws(make(MAX))[3] == b"c"
    _raises(compact, make(MAX + 1), TOO_LARGE)
    _raises(compact, make(4 * MAX), TOO_LARGE)


@pytest.mark.parametrize("kind", [str, bytes])
@pytest.mark.parametrize("max_bytes", [5, 100, 4 * MAX])
def test_size_limit_is_the_callers(compact, kind, max_bytes):
    token = "a.b." + "c" * (max_bytes - 4)
    data = token if kind is str else token.encode()
    assert compact.split_jws(data, max_bytes)[3] == b"c" * (max_bytes - 4)
    _raises(compact, data + (b"c" if kind is bytes else "c"), f"Token exceeds the max_token_bytes limit ({max_bytes} bytes)",
            max_bytes)
    with pytest.raises(LimitExceededError) as info:
        compact.split_jwe(data.replace("b", "b..") if kind is str else data.replace(b"b", b"b..") + b"ccc", max_bytes)
    assert (info.value.limit, info.value.maximum) == ("max_token_bytes", max_bytes)


def test_size_checked_before_segments(compact):
    _raises(compact, b"a" * (MAX + 1), TOO_LARGE)


def test_non_ascii_checked_before_size(compact):
    _raises(compact, "é" * (MAX + 1), "Invalid token: non-ASCII characters")


@pytest.mark.parametrize("token", ["", "abc", "a.b", ".", "abc.", ".abc"])
def test_not_enough_segments(compact, token):
    _raises(compact, token, "Not enough segments")
    _raises(compact, token.encode(), "Not enough segments")


@pytest.mark.parametrize("token", ["a.b.c.d", "a.b.c.d.e", "...", "a.b.c.", ".a.b.c", "a..b.c"])
def test_too_many_segments(compact, token):
    _raises(compact, token, "Too many segments")
    _raises(compact, token.encode(), "Too many segments")


def test_rfc7515_vectors_split(compact, vectors_dir):
    for name in ("A.1", "A.2", "A.3", "A.4", "A.5"):
        token = (vectors_dir / "rfc" / f"rfc7515_{name}.jwsc").read_text().strip()
        header, payload, signature = token.encode().split(b".")
        assert compact.split_jws(token) == (header + b"." + payload, header, payload, signature)


# --- JWE: five segments ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token, expected",
    [
        ("h.k.i.c.t", (b"h", b"k", b"i", b"c", b"t")),
        (b"hdr..iv.ct.tag", (b"hdr", b"", b"iv", b"ct", b"tag")),  # dir: empty encrypted key
        ("....", (b"", b"", b"", b"", b"")),
    ],
)
def test_split_jwe_five_segments(compact, token, expected):
    result = compact.split_jwe(token)
    assert result == expected and type(result) is tuple
    assert all(type(part) is bytes for part in result)


@pytest.mark.parametrize(
    "token, message",
    [
        ("a.b.c", "Not enough segments"),
        ("a.b.c.d", "Not enough segments"),
        ("", "Not enough segments"),
        ("a.b.c.d.e.f", "Too many segments"),
        ("é.b.c.d.e", "Invalid token: non-ASCII characters"),
        (b"." * 4 + b"a" * MAX, TOO_LARGE),
        (bytearray(b"a.b.c.d.e"), "Invalid token type. Token must be a <class 'bytes'>"),
        (None, "Invalid token type. Token must be a <class 'bytes'>"),
    ],
)
def test_split_jwe_refuses(compact, token, message):
    with pytest.raises(DecodeError) as info:
        compact.split_jwe(token)
    expected = LimitExceededError if message == TOO_LARGE else DecodeError
    assert type(info.value) is expected and str(info.value) == message


def test_split_jwe_largest_token(compact):
    token = b"...." + b"a" * (MAX - 4)
    assert compact.split_jwe(token)[4] == b"a" * (MAX - 4)
