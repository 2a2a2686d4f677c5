"""cyjose.Limits: every limit has a safe default, can be set either way, and a breach
raises LimitExceededError naming it -- in each API that reads untrusted input.

The JSON twins are checked directly too (both twins: ``json_twin``), including the
depth check against a brute-force reference on generated documents.
"""

from __future__ import annotations

import json
import pickle
from typing import Any, Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cyjose
from cyjose import jwe, jws
from cyjose.exceptions import DecodeError, LimitExceededError
from cyjose.limits import DEFAULT_LIMITS, Limits

SECRET = b"s" * 32


def _raises_limit(call: Callable[[], Any], limit: str, maximum: int) -> LimitExceededError:
    with pytest.raises(LimitExceededError) as caught:
        call()
    error = caught.value
    assert (error.limit, error.maximum) == (limit, maximum)
    assert f"the {limit} limit ({maximum}" in str(error)
    assert isinstance(error, DecodeError)  # code written for PyJWT catches it
    return error


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


# --------------------------------------------------------------------------- the object


def test_defaults() -> None:
    assert DEFAULT_LIMITS == Limits() == cyjose.Limits()
    assert (Limits().max_token_bytes, Limits().max_json_depth, Limits().max_signatures, Limits().max_recipients,
            Limits().max_pbes2_count, Limits().max_decompressed_bytes) == (1 << 20, 32, 32, 16, 300_000, 1 << 20)


@pytest.mark.parametrize("field", ["max_token_bytes", "max_json_depth", "max_signatures", "max_recipients",
                                   "max_pbes2_count", "max_decompressed_bytes"])
@pytest.mark.parametrize("value, error", [(0, ValueError), (-1, ValueError), (True, TypeError), (1.5, TypeError),
                                          ("10", TypeError), (None, TypeError)])
def test_each_field_must_be_a_positive_int(field: str, value: Any, error: type) -> None:
    with pytest.raises(error, match=field):
        Limits(**{field: value})


def test_frozen_and_hashable() -> None:
    limits = Limits(max_json_depth=8)
    with pytest.raises(AttributeError):
        limits.max_json_depth = 9  # type: ignore[misc]
    assert hash(limits) == hash(Limits(max_json_depth=8)) and limits != DEFAULT_LIMITS


def test_limits_argument_must_be_limits() -> None:
    token = cyjose.encode({"a": 1}, SECRET, algorithm="HS256")
    for call in (lambda: cyjose.Verifier(SECRET, ["HS256"], limits={"max_json_depth": 3}),
                 lambda: cyjose.decode(token, SECRET, ["HS256"], limits=5),
                 lambda: jwe.decrypt("a.b.c.d.e", SECRET, ["dir"], ["A256GCM"], limits=None)):
        with pytest.raises(TypeError, match="cyjose.limits.Limits"):
            call()


def test_error_pickles_with_its_fields() -> None:
    error = LimitExceededError("Token exceeds the max_token_bytes limit (10 bytes)", "max_token_bytes", 10)
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), str(copy), copy.limit, copy.maximum) == (LimitExceededError, str(error), "max_token_bytes", 10)


# --------------------------------------------------------------------------- token size and JSON depth


@pytest.mark.parametrize("entry", ["decode", "decode_complete", "Verifier", "PyJWS.decode", "get_unverified_header"])
def test_token_size_both_ways(entry: str) -> None:
    token = cyjose.encode({"pad": "x" * 300}, SECRET, algorithm="HS256")
    small, exact = Limits(max_token_bytes=len(token) - 1), Limits(max_token_bytes=len(token))
    calls = {
        "decode": lambda limits: cyjose.decode(token, SECRET, ["HS256"], limits=limits),
        "decode_complete": lambda limits: cyjose.decode_complete(token, SECRET, ["HS256"], limits=limits),
        "Verifier": lambda limits: cyjose.Verifier(SECRET, ["HS256"], limits=limits).verify(token),
        "PyJWS.decode": lambda limits: cyjose.PyJWS().decode(token, SECRET, ["HS256"], limits=limits),
        "get_unverified_header": None,
    }
    if calls[entry] is None:  # reads the header only, with the default limits
        assert cyjose.get_unverified_header(token)["alg"] == "HS256"
        return
    assert calls[entry](exact)
    _raises_limit(lambda: calls[entry](small), "max_token_bytes", len(token) - 1)


def test_token_size_can_be_raised_past_the_default() -> None:
    claims = {"pad": "x" * (1 << 20)}
    token = cyjose.encode(claims, SECRET, algorithm="HS256")
    _raises_limit(lambda: cyjose.decode(token, SECRET, ["HS256"]), "max_token_bytes", 1 << 20)
    big = Limits(max_token_bytes=2 << 20)
    assert cyjose.decode(token, SECRET, ["HS256"], limits=big) == claims
    verifier = cyjose.Verifier(SECRET, ["HS256"], limits=big)
    assert verifier.verify(token) == claims and verifier.verify(token) == claims  # general path, then fast path


def test_fast_path_keeps_the_verifiers_size_limit() -> None:
    """A header the Verifier knows does not let a longer token past its own limit."""
    short = cyjose.encode({"a": 1}, SECRET, algorithm="HS256")
    long = cyjose.encode({"a": "x" * 200}, SECRET, algorithm="HS256")
    verifier = cyjose.Verifier(SECRET, ["HS256"], limits=Limits(max_token_bytes=len(short)))
    for _ in range(3):
        assert verifier.verify(short) == {"a": 1}
        _raises_limit(lambda: verifier.verify(long), "max_token_bytes", len(short))


@pytest.mark.parametrize("where", ["header", "payload"])
@pytest.mark.parametrize("entry", ["decode", "Verifier"])
def test_json_depth_both_ways(where: str, entry: str) -> None:
    inner = {"x": _nested(4)}  # 5 levels with its object
    headers = inner if where == "header" else None
    token = cyjose.encode(inner if where == "payload" else {"a": 1}, SECRET, algorithm="HS256", headers=headers)
    verify = (lambda limits: cyjose.decode(token, SECRET, ["HS256"], limits=limits)) if entry == "decode" else (
        lambda limits: cyjose.Verifier(SECRET, ["HS256"], limits=limits).verify(token))
    assert verify(Limits(max_json_depth=5))
    error = _raises_limit(lambda: verify(Limits(max_json_depth=4)), "max_json_depth", 4)
    assert str(error) == f"The {where} JSON exceeds the max_json_depth limit (4 levels)"


def test_brackets_inside_strings_do_not_count(json_twin: Any) -> None:
    text = json.dumps({"a": "[[[[{{{{" * 20, "b\\\"[[[": ["]]]", "\\"], "c": "\\\\"}).encode()
    assert json_twin.loads_object(text, "payload", 2) == json.loads(text)
    assert json_twin.loads_unique(text, "header", 2) == json.loads(text)


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


_JSON_VALUES = st.recursive(
    st.none() | st.integers() | st.text(alphabet='[]{}"\\ab,:', max_size=6),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(alphabet='[]{}"\\a', max_size=4),
                                                                      children, max_size=3),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(value=st.dictionaries(st.text(max_size=3), _JSON_VALUES, max_size=3), limit=st.integers(1, 12),
       ascii_only=st.booleans())
def test_depth_check_is_exact_for_valid_json(json_twin: Any, value: Any, limit: int, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only).encode()
    if _depth(value) <= limit:
        assert json_twin.loads_object(text, "payload", limit) == value
    else:
        _raises_limit(lambda: json_twin.loads_object(text, "payload", limit), "max_json_depth", limit)


def test_depth_of_unclosed_brackets_is_bounded(json_twin: Any) -> None:
    for text in (b"[" * 100_000, b'{"a":' * 50_000, b"[" * 40 + b"]" * 39):
        _raises_limit(lambda: json_twin.loads_object(text, "payload", 32), "max_json_depth", 32)


# --------------------------------------------------------------------------- JWS / JWE JSON serializations


def test_jws_json_signatures_and_depth() -> None:
    signers = [jws.JWSSigner(SECRET, "HS256")] * 3
    signed = jws.sign_json(b"hello", signers)
    assert jws.verify_json(signed, SECRET, ["HS256"], limits=Limits(max_signatures=3))["payload"] == b"hello"
    _raises_limit(lambda: jws.verify_json(signed, SECRET, ["HS256"], limits=Limits(max_signatures=2)),
                  "max_signatures", 2)
    text = json.dumps(signed)
    _raises_limit(lambda: jws.verify_json(text, SECRET, ["HS256"], limits=Limits(max_token_bytes=len(text) - 1)),
                  "max_token_bytes", len(text) - 1)
    _raises_limit(lambda: jws.verify_json(text, SECRET, ["HS256"], limits=Limits(max_json_depth=2)),
                  "max_json_depth", 2)


def test_jwe_json_recipients() -> None:
    key = b"k" * 16
    encrypted = jwe.encrypt_json(b"hello", [jwe.JWERecipient(key, "A128KW")] * 3, "A128GCM")
    assert jwe.decrypt_json(encrypted, key, ["A128KW"], ["A128GCM"], limits=Limits(max_recipients=3))["plaintext"]
    _raises_limit(lambda: jwe.decrypt_json(encrypted, key, ["A128KW"], ["A128GCM"], limits=Limits(max_recipients=2)),
                  "max_recipients", 2)


# --------------------------------------------------------------------------- JWE compact


def test_jwe_pbes2_count_and_size() -> None:
    token = jwe.encrypt(b"hello", "pw", "PBES2-HS256+A128KW", "A128GCM", headers={"p2c": 1000})
    algs = (["PBES2-HS256+A128KW"], ["A128GCM"])
    assert jwe.decrypt(token, "pw", *algs, limits=Limits(max_pbes2_count=1000)) == b"hello"
    _raises_limit(lambda: jwe.decrypt(token, "pw", *algs, limits=Limits(max_pbes2_count=999)), "max_pbes2_count", 999)
    _raises_limit(lambda: jwe.decrypt(token, "pw", *algs, limits=Limits(max_token_bytes=len(token) - 1)),
                  "max_token_bytes", len(token) - 1)


def test_jwe_decompressed_size() -> None:
    key = b"k" * 32
    token = jwe.encrypt(b"a" * 5000, key, "dir", "A256GCM", zip="DEF")
    assert len(token) < 500  # compression: the limit is on what comes out
    decrypt = lambda limits: jwe.decrypt(token, key, ["dir"], ["A256GCM"], zips=["DEF"], limits=limits)  # noqa: E731
    assert decrypt(Limits(max_decompressed_bytes=5000)) == b"a" * 5000
    _raises_limit(lambda: decrypt(Limits(max_decompressed_bytes=4999)), "max_decompressed_bytes", 4999)


def test_nested_jwt_passes_its_limits_to_both_layers() -> None:
    key = b"k" * 32
    token = jwe.encode_nested({"sub": "1", "x": _nested(4)}, SECRET, "HS256", key, "dir", "A256GCM")
    kwargs = dict(algorithms=["HS256"], key_algorithms=["dir"], encryptions=["A256GCM"])
    assert jwe.decode_nested(token, key, SECRET, limits=Limits(max_json_depth=5), **kwargs)["sub"] == "1"
    _raises_limit(lambda: jwe.decode_nested(token, key, SECRET, limits=Limits(max_json_depth=4), **kwargs),
                  "max_json_depth", 4)


def _verdict(twin: Any, data: bytes, limit: int) -> Any:
    try:
        twin.check_depth(data, "payload", limit)
        return "within"
    except LimitExceededError as exc:
        return str(exc), exc.limit, exc.maximum


@settings(max_examples=3000, deadline=None)
@given(data=st.binary(max_size=60).map(lambda raw: bytes(b'[]{}"\\ a:'[byte % 9] for byte in raw))
       | st.binary(max_size=60), limit=st.integers(1, 8))
def test_depth_check_twins_agree_on_any_bytes(twin_pair: Any, data: bytes, limit: int) -> None:
    """The compiled check repeats the reference's steps in C: the same verdict on valid
    JSON, invalid JSON, unbalanced or unclosed brackets, stray escapes and BOMs."""
    python_twin, compiled_twin = twin_pair("json")
    assert _verdict(compiled_twin, data, limit) == _verdict(python_twin, data, limit)
