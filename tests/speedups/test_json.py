"""The JSON twins: ``loads_object`` parses headers and payloads.

The compiled twin parses flat objects of plain strings, short integers,
booleans and nulls itself and hands everything else to the reference; both
twins must give the same dict (same value types, same key order) or the same
DecodeError for every input.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cyjose.exceptions import DecodeError

SETTINGS = settings(
    max_examples=int(os.environ.get("CYJOSE_DIFF_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def typed(value):
    """``value`` with every scalar tagged by its type, so 1, 1.0 and True differ."""
    if type(value) is dict:
        return ("dict", [(key, typed(item)) for key, item in value.items()])
    if type(value) is list:
        return ("list", [typed(item) for item in value])
    return (type(value).__name__, value)


def outcome(twin, data, what="payload"):
    try:
        return ("ok", typed(twin.loads_object(data, what)))
    except Exception as exc:  # noqa: BLE001 - any exception is an outcome to compare
        return ("raise", type(exc), str(exc))


FLAT_CASES = [
    (b'{"sub":"42","iat":1700000000,"exp":1700003600,"iss":"https://idp","aud":"api"}',
     {"sub": "42", "iat": 1700000000, "exp": 1700003600, "iss": "https://idp", "aud": "api"}),
    (b"{}", {}),
    (b' \t\r\n{ \n"a" : true , "b":false,"c" : null } \n', {"a": True, "b": False, "c": None}),
    (b'{"a":-0,"b":0,"c":-7}', {"a": 0, "b": 0, "c": -7}),
    (b'{"n":999999999999999999,"m":-999999999999999999}',
     {"n": 999999999999999999, "m": -999999999999999999}),
    (b'{"n":1234567890123456789012}', {"n": 1234567890123456789012}),  # beyond 64 bits: still an int
    (b'{"a":1,"b":2,"a":3}', {"a": 3, "b": 2}),  # duplicate: last value, first position
    (b'{"e":""}', {"e": ""}),
    (b'{"f":1.5,"g":1e3,"h":2E-1}', {"f": 1.5, "g": 1000.0, "h": 0.2}),
    (b'{"u":"caf\\u00e9","v":"\xc3\xa9","w":"a\\"b"}', {"u": "café", "v": "é", "w": 'a"b'}),
    (b'{"nested":{"a":[1,{"b":null}]}}', {"nested": {"a": [1, {"b": None}]}}),
    (b'{"":1}', {"": 1}),
    (b'\xef\xbb\xbf{"bom":1}', {"bom": 1}),
]

INVALID_CASES = [
    b"", b" ", b"{", b"}", b"[]", b"1", b'"s"', b"null", b'{"a":1,}', b'{"a" 1}', b'{"a":01}',
    b'{"a":-}', b'{"a":1.}', b'{"a":tru}', b'{"a":nul}', b'{"a":"b}', b'{"a":1}x', b'{"a":1} {}',
    b'{a:1}', b"{'a':1}", b'{"a":"\x01"}', b'{"a":NaN}', b'{"a":Infinity}', b'{"a":"\xff"}',
    b'{"a":1,"b"}', b'{"a":+1}',
]


@pytest.mark.parametrize("data,expected", FLAT_CASES)
def test_parses_like_the_standard_library(json_twin, data, expected):
    result = json_twin.loads_object(data, "payload")
    assert typed(result) == typed(expected)


@pytest.mark.parametrize("data", INVALID_CASES)
@pytest.mark.parametrize("what", ["header", "payload"])
def test_invalid_json_is_a_decode_error_naming_the_part(json_twin, data, what):
    with pytest.raises(DecodeError, match=f"^Invalid {what} string: "):
        json_twin.loads_object(data, what)


def test_results_are_independent(json_twin):
    data = b'{"iss":"https://idp","aud":"api","sub":"1"}'
    first = json_twin.loads_object(data, "payload")
    first["iss"] = "changed"
    first["extra"] = 1
    assert json_twin.loads_object(data, "payload") == {"iss": "https://idp", "aud": "api", "sub": "1"}


def test_repeated_names_and_values_still_parse_exactly(json_twin):
    # The compiled twin reuses str objects for names and values it has just seen:
    # different texts in the same cache slot must never be mixed up.
    seen = {}
    for i in range(300):
        value = f"v{i % 7}" * (i % 5 + 1)
        name = f"k{i % 11}"
        data = json.dumps({name: value, "iss": value[:3]}, separators=(",", ":")).encode()
        seen[name] = json_twin.loads_object(data, "payload")
        assert seen[name] == {name: value, "iss": value[:3]}


# --- both twins against each other ------------------------------------------------------

scalar = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from([0, -1, 10**17, 10**18 - 1, 10**18, -(10**18), 2**63 - 1, 2**63, 2**64]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.text(alphabet="abcxyz/:.-_ ", max_size=60),
)
json_value = st.recursive(scalar, lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6)
names = st.one_of(st.sampled_from(["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "alg", "kid"]),
                  st.text(max_size=8))


@st.composite
def json_documents(draw):
    """A JSON object rendered with random spacing and escaping, perhaps mutated."""
    obj = draw(st.dictionaries(names, st.one_of(scalar, json_value), max_size=8))
    separators = draw(st.sampled_from([(",", ":"), (", ", ": "), (" ,\n", " :\t")]))
    text = json.dumps(obj, separators=separators, ensure_ascii=draw(st.booleans()))
    data = bytearray(draw(st.sampled_from(["", " ", "\n\t"])) + text, "utf-8")
    for _ in range(draw(st.integers(0, 2))):
        position = draw(st.integers(0, len(data)))
        byte = draw(st.sampled_from(b'{}[]",:.-+0123456789eE \\tfnu\x00\x7f\xff'))
        action = draw(st.sampled_from(["insert", "replace", "delete"]))
        if action == "insert":
            data.insert(position, byte)
        elif position < len(data):
            if action == "replace":
                data[position] = byte
            else:
                del data[position]
    return bytes(data)


@pytest.fixture(scope="session")
def json_pair(twin_pair):
    return twin_pair("json")


@SETTINGS
@given(data=json_documents())
@example(data=b'{"a":123456789012345678}')
@example(data=b'{"a":1234567890123456789}')
@example(data=b'{"a":-1234567890123456789}')
@example(data=b'{"a":0123}')
@example(data=b'{"a":"\x7f"}')
def test_twins_agree_on_documents(json_pair, data):
    python, compiled = json_pair
    assert outcome(compiled, data) == outcome(python, data)


@SETTINGS
@given(data=st.binary(max_size=64))
def test_twins_agree_on_random_bytes(json_pair, data):
    python, compiled = json_pair
    assert outcome(compiled, data, "header") == outcome(python, data, "header")


@pytest.mark.parametrize("digits", ["9" * 18, "9" * 19, "9" * 20, "1" + "0" * 18, "922337203685477580" + "8",
                                    "18446744073709551616"])
@pytest.mark.parametrize("sign", ["", "-"])
def test_integers_around_64_bits_in_a_flat_object(json_twin, digits, sign):
    """Found by tools/sanitize (UBSan): the compiled flat parser multiplied a 19th digit into a
    64-bit value before giving up on it -- a signed overflow. The value must be exact either way."""
    data = f'{{"exp":{sign}{digits},"sub":"x"}}'.encode()
    assert json_twin.loads_object(data, "payload") == {"exp": int(sign + digits), "sub": "x"}
