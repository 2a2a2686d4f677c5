"""Hostile input of every shape: only typed ``cyjose.exceptions`` errors, never a leak.

Every public entry that reads a token -- ``decode``, ``decode_complete``,
``get_unverified_header``, ``PyJWS.decode`` and ``Verifier.verify`` -- is fed the
same bad tokens. Each case names the exact exception class (and message where it
is fixed) and which entries reach the failing step: the header-level failures
hit every entry, alg/signature failures only the verifying ones, payload-JSON
failures only the JWT-level ones (PyJWS returns payload bytes; the unverified
header never looks at the payload JSON). Entries that do not reach the failing
step must succeed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import string
import warnings

import pytest
import sample_keys as keys
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cyjose
from cyjose import PyJWS, Verifier
from cyjose.exceptions import (
    DecodeError,
    ImmatureSignatureError,
    InvalidAlgorithmError,
    InvalidSignatureError,
    LimitExceededError,
    PyJWTError,
)

KEY = keys.secret("HS256")
ALGS = ["HS256"]
MAX = 1 << 20
HS256_HEADER = b'{"alg":"HS256","typ":"JWT"}'
LEAKS = (AttributeError, TypeError, UnicodeError, RecursionError, ValueError, KeyError, IndexError,
         OverflowError, MemoryError)

_VERIFIER = Verifier(KEY, ALGS)

ENTRIES = {
    "decode": lambda t: cyjose.decode(t, KEY, algorithms=ALGS),
    "decode_complete": lambda t: cyjose.decode_complete(t, KEY, algorithms=ALGS),
    "decode_unverified": lambda t: cyjose.decode(t, options={"verify_signature": False}),
    "get_unverified_header": lambda t: cyjose.get_unverified_header(t),
    "PyJWS.decode": lambda t: PyJWS().decode(t, KEY, algorithms=ALGS),
    "Verifier.verify": lambda t: _VERIFIER.verify(t),
}
ALL = frozenset(ENTRIES)
# reach the alg / signature check
SIG = frozenset({"decode", "decode_complete", "PyJWS.decode", "Verifier.verify"})
# reach the payload JSON
JSON = frozenset({"decode", "decode_complete", "decode_unverified", "Verifier.verify"})


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def signed(header: bytes = HS256_HEADER, payload: bytes = b"{}") -> str:
    """A token over arbitrary header/payload bytes with a correct HS256 signature under KEY."""
    signing_input = b64(header) + "." + b64(payload)
    return signing_input + "." + b64(hmac.new(KEY, signing_input.encode(), hashlib.sha256).digest())


GOOD = signed(payload=b'{"sub":"x"}')
GOOD_H, GOOD_P, GOOD_S = GOOD.split(".")


def replace_segment(index: int, value: str) -> str:
    parts = [GOOD_H, GOOD_P, GOOD_S]
    parts[index] = value
    return ".".join(parts)


def nested(depth: int, kind: str) -> bytes:
    if kind == "array":
        return b"[" * depth + b"]" * depth
    if kind == "object":
        return b'{"a":' * depth + b"1" + b"}" * depth
    if kind == "unclosed":
        return b"[" * depth
    raise ValueError(kind)


class Case:
    def __init__(self, id, token, cls, message=None, scope=ALL, prefix=None):
        self.id, self.token, self.cls, self.message, self.scope, self.prefix = id, token, cls, message, scope, prefix


TYPE_MSG = "Invalid token type. Token must be a <class 'bytes'>"


def _cases():
    cases = []
    add = cases.append
    # wrong types
    for name, value in [("none", None), ("int", 1), ("zero", 0), ("bool", True), ("float", 1.5),
                        ("list", []), ("list3", ["a", "b", "c"]), ("dict", {}), ("dict-token", {"token": GOOD}),
                        ("tuple", ("a", "b", "c")), ("bytearray", bytearray(GOOD.encode())),
                        ("memoryview", memoryview(GOOD.encode())), ("object", object())]:
        add(Case(f"type-{name}", value, DecodeError, TYPE_MSG))
    # empty and segment counts
    add(Case("empty-str", "", DecodeError, "Not enough segments"))
    add(Case("empty-bytes", b"", DecodeError, "Not enough segments"))
    add(Case("dots-0", "abcd", DecodeError, "Not enough segments"))
    add(Case("dots-1", GOOD_H + "." + GOOD_P, DecodeError, "Not enough segments"))
    add(Case("dots-1-bytes", b"abcd.efgh", DecodeError, "Not enough segments"))
    add(Case("dots-2-empty", "..", DecodeError, "Invalid header string: Expecting value: line 1 column 1 (char 0)"))
    add(Case("dots-2-garbage", "a.b.c", DecodeError, "Invalid header padding"))
    add(Case("dots-3", GOOD + ".", DecodeError, "Too many segments"))
    add(Case("dots-3-front", "." + GOOD, DecodeError, "Too many segments"))
    add(Case("dots-4", GOOD + ".AAAA.", DecodeError, "Too many segments"))
    add(Case("dots-5", ".....", DecodeError, "Too many segments"))
    add(Case("dots-only-many", "." * 1000, DecodeError, "Too many segments"))
    # size
    too_large = f"Token exceeds the max_token_bytes limit ({MAX} bytes)"
    add(Case("huge-str", "a" * (MAX + 1), LimitExceededError, too_large))
    add(Case("huge-bytes", b"a" * (MAX + 1), LimitExceededError, too_large))
    add(Case("huge-payload-segment", GOOD_H + "." + "A" * MAX + "." + GOOD_S, LimitExceededError, too_large))
    add(Case("huge-dots", "." * (2 * MAX), LimitExceededError, too_large))
    add(Case("ten-mib", b"A" * (10 * MAX), LimitExceededError, too_large))
    # deep nesting (100k levels): over max_json_depth (32), refused before parsing
    for kind in ("array", "object", "unclosed"):
        add(Case(f"deep-header-{kind}", b64(b'{"alg":"HS256","x":' + nested(100_000, kind) + b"}") + ".e30.",
                 LimitExceededError, "The header JSON exceeds the max_json_depth limit (32 levels)"))
        add(Case(f"deep-header-root-{kind}", b64(nested(100_000, kind)) + ".e30.", LimitExceededError,
                 "The header JSON exceeds the max_json_depth limit (32 levels)"))
        add(Case(f"deep-payload-{kind}", signed(payload=b'{"x":' + nested(100_000, kind) + b"}"), LimitExceededError,
                 "The payload JSON exceeds the max_json_depth limit (32 levels)", scope=JSON))
    # invalid UTF-8
    for name, raw in [("ff", b"\xff"), ("continuation", b"\x80"), ("overlong", b"\xc0\xaf"),
                      ("truncated", b"\xe2\x82"), ("f5", b"\xf5\x80\x80\x80"), ("latin1", "é".encode("latin-1"))]:
        add(Case(f"utf8-header-{name}", b64(b'{"alg":"HS256","x":"' + raw + b'"}') + ".e30.", DecodeError,
                 prefix="Invalid header string: "))
        add(Case(f"utf8-payload-{name}", signed(payload=b'{"x":"' + raw + b'"}'), DecodeError,
                 prefix="Invalid payload string: ", scope=JSON))
    add(Case("utf8-header-key", b64(b'{"alg":"HS256","\xff":1}') + ".e30.", DecodeError, prefix="Invalid header string: "))
    # invalid base64url, in each segment
    bad_segments = {
        "plus": "ab+c", "slash": "ab/c", "bang": "ab!c", "dollar": "$abc", "nul": "ab\x00c", "star": "*",
        "space": "ab c", "newline": "abc\n", "tab": "\tabc", "cr": "ab\rc", "leading-space": " abcd",
        "len-1-mod-4": "abcde", "len-1": "a", "noncanonical-2": "AB", "noncanonical-3": "AAB",
        "noncanonical-19": "eyJhbGciOiJIUzI1NiK",
        "pad-3": "A===", "pad-wrong": "AA=", "pad-middle": "AA=A", "pad-only": "=", "pad-too-much": "AA===",
        "pad-on-full": "AAAA==",
    }
    for index, name in enumerate(("header", "payload", "crypto")):
        for bad_name, bad in bad_segments.items():
            add(Case(f"b64-{name}-{bad_name}", replace_segment(index, bad), DecodeError, f"Invalid {name} padding"))
        add(Case(f"b64-{name}-nonascii-bytes", replace_segment(index, "x").encode().replace(b"x", b"\xc3\xa9"),
                 DecodeError, f"Invalid {name} padding"))
    # non-object JSON
    for name, raw in [("list", b"[]"), ("string", b'"alg"'), ("number", b"1"), ("float", b"1.5"),
                      ("null", b"null"), ("true", b"true"), ("list-of-obj", b'[{"alg":"HS256"}]')]:
        add(Case(f"json-header-{name}", b64(raw) + ".e30.", DecodeError, "Invalid header string: must be a json object"))
        add(Case(f"json-payload-{name}", signed(payload=raw), DecodeError,
                 "Invalid payload string: must be a json object", scope=JSON))
    for name, raw in [("empty", b""), ("garbage", b"not json"), ("trailing", b"{} x"), ("truncated", b'{"a":'),
                      ("single-quotes", b"{'a':1}"), ("comment", b"{/**/}"), ("ctrl", b'{"a":"\x01"}'),
                      ("nul", b"{}\x00")]:
        add(Case(f"badjson-header-{name}", b64(raw) + ".e30.", DecodeError, prefix="Invalid header string: "))
        add(Case(f"badjson-payload-{name}", signed(payload=raw), DecodeError, prefix="Invalid payload string: ", scope=JSON))
    # alg
    add(Case("alg-missing", signed(header=b'{"typ":"JWT"}'), InvalidAlgorithmError, "Algorithm not specified", scope=SIG))
    add(Case("alg-empty-header", signed(header=b"{}"), InvalidAlgorithmError, "Algorithm not specified", scope=SIG))
    for name, raw in [("int", b"5"), ("list", b'["HS256"]'), ("null", b"null"), ("empty", b'""'), ("object", b'{"HS256":1}'),
                      ("true", b"true"), ("lower", b'"hs256"'), ("other", b'"HS384"'), ("none", b'"none"'),
                      ("prefix", b'"HS2"'), ("spaced", b'"HS256 "'), ("nul", b'"HS256\\u0000"')]:
        add(Case(f"alg-{name}", signed(header=b'{"alg":' + raw + b"}"), InvalidAlgorithmError,
                 "The specified alg value is not allowed", scope=SIG))
    # NaN / Infinity literals
    for literal in ("NaN", "Infinity", "-Infinity"):
        add(Case(f"literal-header-{literal}", b64(b'{"alg":"HS256","x":' + literal.encode() + b"}") + ".e30.",
                 DecodeError, f"Invalid header string: {literal} is not valid JSON"))
        add(Case(f"literal-payload-{literal}", signed(payload=b'{"exp":' + literal.encode() + b"}"), DecodeError,
                 f"Invalid payload string: {literal} is not valid JSON", scope=JSON))
    # integers past the standard library's digit limit
    add(Case("int-5000-digits-payload", signed(payload=b'{"n":' + b"9" * 5000 + b"}"), DecodeError,
             prefix="Invalid payload string: ", scope=JSON))
    # non-ASCII and surrogate str tokens
    for name, token in [("e-acute", GOOD + "\u00e9"), ("only", "\u00e9"), ("one-dot-leader", GOOD.replace(".", "\u2024")),
                        ("fullwidth", "\uff41.\uff42.\uff43"), ("nbsp", GOOD_H + "\u00a0." + GOOD_P + "." + GOOD_S),
                        ("surrogate", GOOD + "\ud800"), ("surrogate-only", "\udcff"),
                        ("surrogate-header", "\ud83d" + GOOD), ("emoji", GOOD_H + ".\U0001f600." + GOOD_S),
                        ("huge-nonascii", "\u00e9" * (MAX + 1))]:
        add(Case(f"nonascii-{name}", token, DecodeError, "Invalid token: non-ASCII characters"))
    # signature-level failures after a clean parse
    add(Case("bad-signature", GOOD_H + "." + GOOD_P + "." + b64(b"\x00" * 32), InvalidSignatureError,
             "Signature verification failed", scope=SIG))
    add(Case("empty-signature", GOOD_H + "." + GOOD_P + ".", InvalidSignatureError, "Signature verification failed", scope=SIG))
    add(Case("long-signature", GOOD + "A" * 10_000, InvalidSignatureError, "Signature verification failed", scope=SIG))
    add(Case("alg-none-unsigned", b64(b'{"alg":"none"}') + "." + GOOD_P + ".", InvalidAlgorithmError,
             "The specified alg value is not allowed", scope=SIG))
    return cases


CASES = _cases()


def outcome(entry, token):
    try:
        return "ok", ENTRIES[entry](token)
    except BaseException as exc:  # noqa: BLE001 - the point is to see everything
        return "raised", exc


@pytest.mark.filterwarnings("ignore::cyjose.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize("entry", sorted(ENTRIES))
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_token(case, entry):
    kind, value = outcome(entry, case.token)
    if entry not in case.scope:
        assert kind == "ok", f"{entry} should not reach the failing step, raised {value!r}"
        return
    assert kind == "raised", f"{entry} accepted {case.id}: {value!r}"
    assert not isinstance(value, LEAKS) or isinstance(value, PyJWTError), repr(value)
    assert isinstance(value, PyJWTError), repr(value)
    assert type(value) is case.cls, repr(value)
    if case.message is not None:
        assert str(value) == case.message
    if case.prefix is not None:
        assert str(value).startswith(case.prefix), str(value)


def test_case_ids_unique():
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))


# --- what must be accepted --------------------------------------------------------------


def _token_of_exact_size(size: int) -> str:
    """A validly signed token exactly ``size`` bytes long (padding claim + kid tuned)."""
    for kid_len in range(8):
        header = b'{"alg":"HS256","kid":"' + b"k" * kid_len + b'","typ":"JWT"}'
        fixed = len(b64(header)) + 2 + 43
        for n in range(max(0, (size - fixed) * 3 // 4 - 20), (size - fixed) * 3 // 4 + 20):
            payload = b'{"x":"' + b"a" * n + b'"}'
            if fixed + len(b64(payload)) == size:
                token = signed(header, payload)
                assert len(token) == size
                return token
    raise AssertionError("no combination hits the size")


def test_token_at_size_limit_accepted():
    token = _token_of_exact_size(MAX)
    assert len(cyjose.decode(token, KEY, ALGS)["x"]) > 700_000
    assert _VERIFIER.verify(token.encode())["x"].startswith("aaa")


def test_token_one_over_limit_refused():
    token = _token_of_exact_size(MAX + 1)
    for entry in ENTRIES:
        kind, value = outcome(entry, token)
        assert kind == "raised" and type(value) is LimitExceededError, (entry, value)
        assert str(value) == f"Token exceeds the max_token_bytes limit ({MAX} bytes)"
        assert (value.limit, value.maximum) == ("max_token_bytes", MAX)


def test_huge_header_segment_accepted():
    header = json.dumps({"alg": "HS256", "kid": "k" * 500_000, "x": list(range(10_000))}).encode()
    token = signed(header=header, payload=b'{"a":1}')
    assert cyjose.get_unverified_header(token)["kid"] == "k" * 500_000
    assert cyjose.decode(token, KEY, ALGS) == {"a": 1}


def test_huge_payload_segment_accepted():
    claims = {f"claim{i}": "v" * 50 for i in range(10_000)}
    token = signed(payload=json.dumps(claims).encode())
    assert cyjose.decode(token, KEY, ALGS) == claims
    assert _VERIFIER.verify(token) == claims


def _depth_of(value):
    depth = 0
    while value:
        value = value[0]
        depth += 1
    return depth


@pytest.mark.parametrize("entry", ["decode", "Verifier.verify"])
def test_nesting_up_to_the_depth_limit_accepted(entry):
    # the outer object is level 1: 31 array levels inside it make 32, the default limit
    within = signed(payload=b'{"x":' + nested(31, "array") + b"}")
    over = signed(payload=b'{"x":' + nested(32, "array") + b"}")
    verify = _VERIFIER.verify if entry == "Verifier.verify" else (lambda token: cyjose.decode(token, KEY, ALGS))
    assert _depth_of(verify(within)["x"]) == 30
    with pytest.raises(LimitExceededError) as caught:
        verify(over)
    assert (caught.value.limit, caught.value.maximum) == ("max_json_depth", 32)


def test_deeper_nesting_accepted_when_the_limit_is_raised():
    token = signed(payload=b'{"x":' + nested(500, "array") + b"}")
    limits = cyjose.Limits(max_json_depth=501)
    assert _depth_of(cyjose.decode(token, KEY, ALGS, limits=limits)["x"]) == 499
    assert _depth_of(Verifier(KEY, ALGS, limits=limits).verify(token)["x"]) == 499
    with pytest.raises(LimitExceededError):
        cyjose.decode(token, KEY, ALGS, limits=cyjose.Limits(max_json_depth=500))


HUGE = 10**30
HUGE_VALUES = [2**64, 2**64 + 1, -(2**63) - 1, -(2**64), HUGE, 10**300, -(10**300)]


@pytest.mark.parametrize("value", HUGE_VALUES, ids=["2**64", "2**64+1", "-2**63-1", "-2**64", "1e30", "1e300", "-1e300"])
def test_huge_integer_claims_accepted_like_pyjwt(value):
    token = signed(payload=json.dumps({"n": value, "nested": [value, {"m": value}]}).encode())
    expected = {"n": value, "nested": [value, {"m": value}]}
    for entry in ("decode", "decode_unverified", "Verifier.verify"):
        payload = ENTRIES[entry](token)
        assert payload == expected
        assert type(payload["n"]) is int, (entry, payload["n"])  # exact, not rounded through a float
        assert payload["nested"][1]["m"] == value and type(payload["nested"][0]) is int


def test_huge_integer_in_header_accepted():
    header = b'{"alg":"HS256","n":' + str(HUGE).encode() + b"}"
    assert cyjose.get_unverified_header(signed(header=header)) == {"alg": "HS256", "n": HUGE}
    assert type(cyjose.get_unverified_header(signed(header=header))["n"]) is int


def test_huge_integer_time_claims():
    assert cyjose.decode(signed(payload=b'{"exp":' + str(HUGE).encode() + b"}"), KEY, ALGS) == {"exp": HUGE}
    with pytest.raises(ImmatureSignatureError, match=r"^The token is not yet valid \(nbf\)$"):
        cyjose.decode(signed(payload=b'{"nbf":' + str(HUGE).encode() + b"}"), KEY, ALGS)
    with pytest.raises(ImmatureSignatureError, match=r"^The token is not yet valid \(iat\)$"):
        cyjose.decode(signed(payload=b'{"iat":' + str(HUGE).encode() + b"}"), KEY, ALGS)
    # far in the past: expired
    with pytest.raises(PyJWTError, match="^Signature has expired$"):
        cyjose.decode(signed(payload=b'{"exp":-' + str(HUGE).encode() + b"}"), KEY, ALGS)


def _pad(segment: str) -> str:
    return segment + "=" * (-len(segment) % 4)


def test_padding_tolerated_when_canonical():
    # intentional difference (a): exact '=' padding (1 or 2) is accepted in every segment;
    # the signature covers the segments as they appear in the token
    header, payload = _pad(b64(b'{"alg":"HS256" }')), _pad(b64(b'{"sub":"padded"}'))
    assert header.endswith("=") and payload.endswith("=")
    signing_input = header + "." + payload
    signature = _pad(b64(hmac.new(KEY, signing_input.encode(), hashlib.sha256).digest()))
    assert signature.endswith("=")
    token = signing_input + "." + signature
    assert cyjose.decode(token, KEY, ALGS) == {"sub": "padded"}
    assert _VERIFIER.verify(token) == {"sub": "padded"}
    assert cyjose.get_unverified_header(token) == {"alg": "HS256"}
    # padding only the signature of an ordinary token
    assert cyjose.decode(GOOD_H + "." + GOOD_P + "." + _pad(GOOD_S), KEY, ALGS) == {"sub": "x"}
    # adding padding changes the signing input: the original signature no longer matches
    with pytest.raises(InvalidSignatureError):
        cyjose.decode(_pad(b64(b'{"alg":"HS256"}')) + "." + GOOD_P + "." + GOOD_S, KEY, ALGS)


# --- random garbage ---------------------------------------------------------------------

B64_CHARS = string.ascii_letters + string.digits + "-_"
token_text = st.text(alphabet=B64_CHARS + ".=+/ \n\t\x00\u00e9\ud800", max_size=120)
segment = st.text(alphabet=B64_CHARS + "=", max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=12,
)
registered = st.sampled_from(["alg", "typ", "kid", "crit", "b64", "exp", "nbf", "iat", "iss", "aud", "sub", "jti", "x"])
json_objects = st.dictionaries(registered, json_values | st.sampled_from(["HS256", "b64", ["b64"], False]), max_size=6)


def _json_bytes(value) -> bytes:
    return json.dumps(value).encode()


shaped = st.one_of(
    token_text,
    st.binary(max_size=120),
    st.tuples(segment, segment, segment).map(".".join),
    st.tuples(json_objects.map(_json_bytes), json_objects.map(_json_bytes), st.binary(max_size=40)).map(
        lambda parts: ".".join(b64(p) for p in parts)),
    # correctly signed: the payload JSON and the claim checks are reached
    st.tuples(json_objects, st.binary(max_size=60) | json_values.map(_json_bytes)).map(
        lambda parts: signed(_json_bytes({**parts[0], "alg": "HS256"}), parts[1])),
)

FUZZ_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _only_typed(function, token):
    try:
        function(token)
    except PyJWTError:
        pass


@FUZZ_SETTINGS
@given(token=shaped)
def test_fuzz_entries_raise_only_typed_errors(token):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for function in ENTRIES.values():
            _only_typed(function, token)


claims_kwargs = st.fixed_dictionaries({}, optional={
    "audience": st.none() | st.text(max_size=3) | st.lists(st.text(max_size=3), max_size=3),
    "issuer": st.none() | st.text(max_size=3) | st.lists(st.text(max_size=3), max_size=3),
    "subject": st.none() | st.text(max_size=3),
    "leeway": st.integers(-100, 100),
    "options": st.fixed_dictionaries({}, optional={
        "verify_signature": st.booleans(), "strict_aud": st.booleans(), "verify_exp": st.booleans(),
        "require": st.lists(registered, max_size=3)}),
})


@FUZZ_SETTINGS
@given(claims=json_objects, header=json_objects, kwargs=claims_kwargs)
def test_fuzz_claim_values_raise_only_typed_errors(claims, header, kwargs):
    header = {k: v for k, v in header.items() if k not in ("b64",)}
    token = signed(_json_bytes({**header, "alg": "HS256"}), _json_bytes(claims))
    try:
        result = cyjose.decode(token, KEY, ALGS, **kwargs)
    except PyJWTError:
        pass
    else:
        assert result == claims
    try:
        Verifier(KEY, ALGS, **kwargs).verify(token)
    except PyJWTError:
        pass
