"""Differential property tests: both twins get the same random and hostile inputs.

The pure-Python twin is the spec. For every input the compiled twin must give the
same result (value and type), or raise the same exception class with the same
message. The ``Test*Differential`` classes need both twins and skip (or fail,
under CYJOSE_REQUIRE_EXTENSIONS) without the compiled one; the round-trip
properties at the end run on each twin separately.

``CYJOSE_DIFF_EXAMPLES=5000`` raises the number of examples for a deep run.
"""

from __future__ import annotations

import math
import os

import pytest
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

MAX_TOKEN = 1 << 20
B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
HOSTILE_CHARS = B64_ALPHABET + "=.+/ \t\n\r\x0b\x0c\x00\x7f\x80é€\U0001f600"
EC_SIZES = st.one_of(st.sampled_from([32, 48, 66]), st.integers(1, 66))

SETTINGS = settings(
    max_examples=int(os.environ.get("CYJOSE_DIFF_EXAMPLES", "250")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def outcome(fn, *args):
    """What calling ``fn(*args)`` does: ("ok", type, value) or ("raise", class, message)."""
    try:
        value = fn(*args)
    except Exception as exc:  # noqa: BLE001 - any exception is an outcome to compare
        return ("raise", type(exc), str(exc), getattr(exc, "claim", None))
    return ("ok", type(value), value)


def assert_same(py_fn, c_fn, *args):
    expected = outcome(py_fn, *args)
    actual = outcome(c_fn, *args)
    assert actual == expected, f"twins disagree on {args!r}: python {expected!r}, compiled {actual!r}"
    return expected


# --- strategies -------------------------------------------------------------------------

hostile_text = st.text(alphabet=HOSTILE_CHARS, max_size=40)
b64_text = st.text(alphabet=B64_ALPHABET, max_size=40)


@st.composite
def mutated_b64(draw):
    """A valid encoding, then padded, cut, spliced or with its last character replaced."""
    data = draw(st.binary(max_size=30))
    enc = bytearray(base64url(data))
    op = draw(st.sampled_from(["pad", "cut", "insert", "last", "none"]))
    if op == "pad":
        enc += b"=" * draw(st.integers(0, 5))
    elif op == "cut" and enc:
        del enc[draw(st.integers(0, len(enc) - 1))]
    elif op == "insert":
        pos = draw(st.integers(0, len(enc)))
        enc[pos:pos] = draw(st.text(alphabet=HOSTILE_CHARS, min_size=1, max_size=2)).encode()
    elif op == "last" and enc:
        enc[-1] = ord(draw(st.sampled_from(B64_ALPHABET)))
    return bytes(enc)


def base64url(data):
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=")


segments = st.one_of(
    hostile_text.map(lambda t: t.encode("utf-8")),
    st.binary(max_size=40),
    b64_text.map(str.encode),
    mutated_b64(),
)

tokens = st.one_of(
    hostile_text,
    hostile_text.map(lambda t: t.encode("utf-8")),
    st.binary(max_size=40),
    st.lists(b64_text, min_size=0, max_size=5).map(".".join),
    st.lists(b64_text, min_size=0, max_size=5).map(lambda parts: ".".join(parts).encode()),
    st.none(),
    st.integers(),
    st.floats(),
    st.binary(max_size=10).map(bytearray),
    st.binary(max_size=10).map(memoryview),
    st.lists(st.text(max_size=3), max_size=3),
    st.tuples(st.text(max_size=3)),
)

huge_ints = st.sampled_from([2 ** 31, 2 ** 53, 2 ** 53 + 1, 2 ** 63 - 1, 2 ** 63, 2 ** 64 + 1,
                             10 ** 30, -(2 ** 63) - 1, -(10 ** 30)])
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    huge_ints,
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=12,
)

NAMES = ["me", "you", "them", "", "x"]
name_values = st.sampled_from(NAMES)


@st.composite
def time_value(draw, now):
    """A NumericDate candidate, often close to ``now`` so the boundaries get hit."""
    kind = draw(st.sampled_from(["int_near", "float_near", "trunc_near", "json", "huge", "frac"]))
    if kind == "int_near":
        return int(now) + draw(st.integers(-3, 3))
    if kind == "float_near":
        return now + draw(st.floats(-3, 3))
    if kind == "trunc_near":
        return math.trunc(now) + draw(st.sampled_from([-0.9, -0.5, -0.1, 0.0, 0.1, 0.5, 0.9]))
    if kind == "huge":
        return draw(huge_ints)
    if kind == "frac":
        return draw(st.floats(-2.0, 2.0))
    return draw(json_values)


@st.composite
def claim_case(draw):
    now = draw(st.one_of(
        st.floats(-1e10, 1e12, allow_nan=False),
        st.integers(-(10 ** 10), 10 ** 12).map(float),
        st.sampled_from([0.0, -0.0, 0.5, -0.5, 1_700_000_000.0, 1_700_000_000.5,
                         float(2 ** 53), float(2 ** 53 + 2), float(2 ** 63)]),
    ))
    payload = {}
    for claim in ("iat", "nbf", "exp"):
        if draw(st.booleans()):
            payload[claim] = draw(time_value(now))
    if draw(st.booleans()):
        payload["iss"] = draw(st.one_of(name_values, json_values))
    if draw(st.booleans()):
        payload["aud"] = draw(st.one_of(
            name_values, st.lists(name_values, max_size=3), st.lists(st.one_of(name_values, json_scalars),
                                                                      max_size=3), json_values))
    for claim in ("sub", "jti"):
        if draw(st.booleans()):
            payload[claim] = draw(st.one_of(name_values, json_values))
    if draw(st.booleans()):
        payload["extra"] = draw(json_values)
    rules = dict(
        require=tuple(draw(st.lists(st.sampled_from(["iat", "nbf", "exp", "iss", "aud", "sub",
                                                     "jti", "extra", "zzz"]), max_size=3,
                                    unique=True))),
        verify_exp=draw(st.booleans()),
        verify_nbf=draw(st.booleans()),
        verify_iat=draw(st.booleans()),
        verify_iss=draw(st.booleans()),
        verify_aud=draw(st.booleans()),
        verify_sub=draw(st.booleans()),
        verify_jti=draw(st.booleans()),
        strict_aud=draw(st.booleans()),
        audience=draw(st.one_of(st.none(), name_values, st.lists(name_values, max_size=3).map(tuple))),
        issuer=draw(st.one_of(
            st.none(), name_values,
            st.lists(name_values, max_size=3),
            st.lists(name_values, max_size=3).map(tuple),
            st.frozensets(name_values, max_size=3),
            st.sets(name_values, max_size=3),
            st.sampled_from([5, b"me", 1.5]),  # not containers: 'Issuer param must be ...'
        )),
        subject=draw(st.one_of(st.none(), name_values)),
        leeway=draw(st.one_of(st.just(0.0), st.integers(0, 5), st.floats(-5, 5), st.floats(0, 1e6))),
    )
    return payload, rules, now


@st.composite
def raw_signature(draw, size):
    """``r || s`` of ``size`` bytes each, often with leading zero bytes or the high bit set."""
    halves = []
    for _ in range(2):
        half = bytearray(draw(st.binary(min_size=size, max_size=size)))
        zeros = draw(st.sampled_from([0, 0, 1, 2, size - 1, size]))
        half[:zeros] = b"\x00" * zeros
        if zeros < size and draw(st.booleans()):
            half[zeros] |= 0x80
        halves.append(bytes(half))
    return halves[0] + halves[1]


@st.composite
def der_integer(draw, size):
    """A DER INTEGER, usually well formed, sometimes with a wrong tag, length or sign."""
    body = draw(st.one_of(
        st.binary(min_size=0, max_size=size + 2),
        st.integers(0, 256 ** size - 1).map(lambda v: v.to_bytes((v.bit_length() + 8) // 8, "big")),
    ))
    if draw(st.integers(0, 5)) == 0:
        body = b"\x00" * draw(st.integers(1, 3)) + body  # redundant leading zeros
    tag = draw(st.sampled_from([0x02] * 6 + [0x03, 0x30, 0x00]))
    return bytes((tag,)) + draw(der_length(len(body))) + body


@st.composite
def der_length(draw, length):
    form = draw(st.sampled_from(["short"] * 6 + ["long1", "long2", "off", "indef", "long3", "long0"]))
    if form == "short" and length < 0x80:
        return bytes((length,))
    if form == "long2":
        return bytes((0x82, length >> 8 & 0xFF, length & 0xFF))
    if form == "off":
        return bytes((max(0, min(0x7F, length + draw(st.sampled_from([-2, -1, 1, 2])))),))
    if form == "indef":
        return b"\x80"
    if form == "long3":
        return bytes((0x83, 0, length >> 8 & 0xFF, length & 0xFF))
    if form == "long0":
        return b"\x81"
    return bytes((0x81, length & 0xFF)) if length < 0x100 else bytes((0x82, length >> 8, length & 0xFF))


@st.composite
def der_blob(draw):
    size = draw(EC_SIZES)
    items = [draw(der_integer(size)) for _ in range(draw(st.sampled_from([2] * 6 + [0, 1, 3])))]
    body = b"".join(items) + draw(st.sampled_from([b""] * 6 + [b"\x00", b"\x02", b"\x02\x01"]))
    tag = draw(st.sampled_from([0x30] * 8 + [0x31, 0x02]))
    der = bytes((tag,)) + draw(der_length(len(body))) + body
    cut = draw(st.sampled_from(["none"] * 6 + ["truncate", "append"]))
    if cut == "truncate" and der:
        der = der[: draw(st.integers(0, len(der) - 1))]
    elif cut == "append":
        der += draw(st.binary(min_size=1, max_size=3))
    return der, size


# --- differential tests -----------------------------------------------------------------


@pytest.fixture(scope="module")
def b64url_pair(twin_pair):
    return twin_pair("b64url")


@pytest.fixture(scope="module")
def compact_pair(twin_pair):
    return twin_pair("compact")


@pytest.fixture(scope="module")
def hmac_pair(twin_pair):
    return twin_pair("hmac")


@pytest.fixture(scope="module")
def ecdsa_pair(twin_pair):
    return twin_pair("ecdsa")


@pytest.fixture(scope="module")
def claims_pair(twin_pair):
    return twin_pair("claims")


class TestB64urlDifferential:
    @SETTINGS
    @given(data=st.binary(max_size=300))
    def test_encode(self, b64url_pair, data):
        py, c = b64url_pair
        assert_same(py.b64url_encode, c.b64url_encode, data)
        assert_same(py.b64url_encode, c.b64url_encode, bytearray(data))

    @SETTINGS
    @given(segment=segments)
    @example(segment=b"QQ==")
    @example(segment=b"QQ=")
    @example(segment=b"QR")
    @example(segment=b"Q=Q=")
    @example(segment=b"=")
    @example(segment=b"A")
    def test_decode(self, b64url_pair, segment):
        py, c = b64url_pair
        assert_same(py.b64url_decode, c.b64url_decode, segment)

    @SETTINGS
    @given(segment=segments, name=st.text(max_size=12))
    def test_decode_named(self, b64url_pair, segment, name):
        py, c = b64url_pair
        assert_same(py.b64url_decode, c.b64url_decode, segment, name)


class TestCompactDifferential:
    def test_constant(self, compact_pair):
        py, c = compact_pair
        assert c.MAX_TOKEN_BYTES == py.MAX_TOKEN_BYTES

    @SETTINGS
    @given(token=tokens)
    @example(token="..")
    @example(token="a.b.c.d")
    @example(token="é.b.c")
    @example(token=b"")
    def test_split(self, compact_pair, token):
        py, c = compact_pair
        assert_same(py.split_jws, c.split_jws, token)

    @SETTINGS
    @given(token=tokens)
    @example(token="....")
    @example(token="a.b.c.d")
    @example(token="a.b.c.d.e.f")
    @example(token="é.b.c.d.e")
    def test_split_jwe(self, compact_pair, token):
        py, c = compact_pair
        assert_same(py.split_jwe, c.split_jwe, token)

    @settings(max_examples=30, deadline=None)
    @given(extra=st.integers(-3, 3), dots=st.integers(0, 6), as_str=st.booleans(),
           non_ascii=st.booleans())
    def test_size_boundary(self, compact_pair, extra, dots, as_str, non_ascii):
        py, c = compact_pair
        n = MAX_TOKEN + extra
        token = "." * dots + ("é" if non_ascii else "a") * (n - dots)
        token = token if as_str else token.encode("utf-8")
        assert_same(py.split_jws, c.split_jws, token)
        assert_same(py.split_jwe, c.split_jwe, token)


class TestHmacDifferential:
    def test_digest_sizes(self, hmac_pair):
        py, c = hmac_pair
        assert dict(c.DIGEST_SIZES) == py.DIGEST_SIZES

    @SETTINGS
    @given(secret=st.binary(max_size=200),
           hash_name=st.one_of(st.sampled_from(["sha256", "sha384", "sha512"]), st.text(max_size=8)),
           msg=st.binary(max_size=500), mac=st.binary(max_size=70))
    def test_key(self, hmac_pair, secret, hash_name, msg, mac):
        py, c = hmac_pair
        kind = assert_same(lambda *a: repr(py.HmacKey(*a)), lambda *a: repr(c.HmacKey(*a)),
                           secret, hash_name)[0]
        if kind == "raise":
            return
        pk, ck = py.HmacKey(secret, hash_name), c.HmacKey(secret, hash_name)
        assert (ck.hash_name, ck.digest_size) == (pk.hash_name, pk.digest_size)
        good = assert_same(pk.sign, ck.sign, msg)[2]
        assert_same(pk.verify, ck.verify, msg, good)
        assert_same(pk.verify, ck.verify, msg, mac)
        assert_same(pk.verify, ck.verify, msg, good[:-1] + mac[:1])
        assert ck.verify(msg, good) is True

    @SETTINGS
    @given(a=st.binary(max_size=70), b=st.binary(max_size=70), same=st.booleans())
    def test_constant_time_equal(self, hmac_pair, a, b, same):
        py, c = hmac_pair
        if same:
            b = bytes(a)
        assert_same(py.constant_time_equal, c.constant_time_equal, a, b)


class TestEcdsaDifferential:
    @SETTINGS
    @given(raw=st.binary(max_size=140), size=EC_SIZES)
    def test_raw_to_der_any_length(self, ecdsa_pair, raw, size):
        py, c = ecdsa_pair
        assert_same(py.raw_to_der, c.raw_to_der, raw, size)

    @SETTINGS
    @given(data=st.data(), size=EC_SIZES)
    def test_raw_to_der_right_length(self, ecdsa_pair, data, size):
        py, c = ecdsa_pair
        assert_same(py.raw_to_der, c.raw_to_der, data.draw(raw_signature(size)), size)

    @SETTINGS
    @given(blob=der_blob())
    def test_der_to_raw_structured(self, ecdsa_pair, blob):
        py, c = ecdsa_pair
        der, size = blob
        assert_same(py.der_to_raw, c.der_to_raw, der, size)

    @SETTINGS
    @given(der=st.binary(max_size=80), size=EC_SIZES)
    @example(der=b"\x30\x81\x06\x02\x01\x01\x02\x01\x01", size=32)  # long form where short would do
    @example(der=b"\x30\x07\x02\x02\x00\x01\x02\x01\x01", size=32)  # redundant leading zero
    def test_der_to_raw_random(self, ecdsa_pair, der, size):
        py, c = ecdsa_pair
        assert_same(py.der_to_raw, c.der_to_raw, der, size)


class TestClaimsDifferential:
    @SETTINGS
    @given(case=claim_case())
    def test_check_claims(self, claims_pair, case):
        py, c = claims_pair
        payload, rules, now = case
        assert_same(lambda: py.check_claims(payload, py.ClaimRules(**rules), now),
                    lambda: c.check_claims(payload, c.ClaimRules(**rules), now))

    @SETTINGS
    @given(case=claim_case(),
           leeway=st.floats(allow_nan=True, allow_infinity=True),
           now=st.floats(allow_nan=True, allow_infinity=True))
    def test_check_claims_extreme_times(self, claims_pair, case, leeway, now):
        py, c = claims_pair
        payload, rules, _ = case
        rules["leeway"] = leeway
        assert_same(lambda: py.check_claims(payload, py.ClaimRules(**rules), now),
                    lambda: c.check_claims(payload, c.ClaimRules(**rules), now))

    @SETTINGS
    @given(case=claim_case())
    def test_rules_attributes(self, claims_pair, case):
        py, c = claims_pair
        _, rules, _ = case
        pr, cr = py.ClaimRules(**rules), c.ClaimRules(**rules)
        for attr in py.ClaimRules.__slots__:
            assert getattr(cr, attr) == getattr(pr, attr), attr


# --- round-trip properties, on each twin ------------------------------------------------


@SETTINGS
@given(data=st.binary(max_size=300))
def test_b64url_round_trip(b64url, data):
    encoded = b64url.b64url_encode(data)
    assert encoded == base64url(data)
    assert b64url.b64url_decode(encoded) == data
    # The tolerated padded form decodes to the same bytes.
    assert b64url.b64url_decode(encoded + b"=" * (-len(encoded) % 4)) == data


@SETTINGS
@given(segment=segments)
def test_b64url_decode_is_canonical(b64url, segment):
    """Whatever decodes re-encodes to the same segment, minus tolerated padding."""
    from cyjose.exceptions import DecodeError

    try:
        data = b64url.b64url_decode(segment)
    except DecodeError:
        return
    assert b64url.b64url_encode(data) == segment.rstrip(b"=")


@SETTINGS
@given(parts=st.lists(st.binary(max_size=20).map(base64url), min_size=3, max_size=3),
       as_str=st.booleans())
def test_split_round_trip(compact, parts, as_str):
    token = b".".join(parts)
    signing_input, header, payload, signature = compact.split_jws(
        token.decode() if as_str else token)
    assert (header, payload, signature) == tuple(parts)
    assert signing_input == header + b"." + payload


@SETTINGS
@given(data=st.data(), size=EC_SIZES)
def test_ecdsa_round_trip(ecdsa, data, size):
    r = data.draw(st.integers(0, 256 ** size - 1))
    s = data.draw(st.integers(0, 256 ** size - 1))
    raw = r.to_bytes(size, "big") + s.to_bytes(size, "big")
    der = ecdsa.raw_to_der(raw, size)
    assert der == encode_dss_signature(r, s)  # canonical DER
    assert ecdsa.der_to_raw(der, size) == raw
    assert ecdsa.raw_to_der(ecdsa.der_to_raw(der, size), size) == der


@SETTINGS
@given(blob=der_blob())
def test_ecdsa_accepted_der_normalises(ecdsa, blob):
    """Any DER that is accepted converts back to the canonical encoding of the same r, s."""
    from cyjose.exceptions import InvalidSignatureError

    der, size = blob
    try:
        raw = ecdsa.der_to_raw(der, size)
    except InvalidSignatureError:
        return
    assert len(raw) == 2 * size
    r, s = int.from_bytes(raw[:size], "big"), int.from_bytes(raw[size:], "big")
    assert ecdsa.raw_to_der(raw, size) == encode_dss_signature(r, s)


@SETTINGS
@given(secret=st.binary(max_size=100), msg=st.binary(max_size=300),
       hash_name=st.sampled_from(["sha256", "sha384", "sha512"]))
def test_hmac_sign_verify(hmac_twin, secret, msg, hash_name):
    import hashlib
    import hmac

    key = hmac_twin.HmacKey(secret, hash_name)
    mac = key.sign(msg)
    assert mac == hmac.new(secret, msg, getattr(hashlib, hash_name)).digest()
    assert key.verify(msg, mac)
    assume(mac)
    assert not key.verify(msg, bytes((mac[0] ^ 1,)) + mac[1:])
