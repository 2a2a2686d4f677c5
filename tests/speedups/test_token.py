"""The Verifier's whole-token fast path and verified-token cache (``cyjose._speedups.token`` twins).

Every test runs on both twins through the ``token_twin`` fixture; the
hypothesis test at the end feeds both twins the same sequences of operations
and compares every result. Tokens are built by hand (HS256 with ``hmac``) so
these tests depend on nothing but the twins and the claim checks.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import math
import sys
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cyjose._options import DEFAULT_OPTIONS, build_claim_rules, merge_options
from cyjose._speedups.hmac import HmacKey
from cyjose.exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAudienceError,
)

KEY = b"k" * 32
OTHER_KEY = b"o" * 32
NOW = 1_700_000_000.0

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- helpers ------------------------------------------------------------------------------


def b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def header_segment(header: dict) -> bytes:
    return b64(json.dumps(header, separators=(",", ":")).encode())


def make_token(header: dict, payload, key: bytes = KEY, *, as_str: bool = False):
    """An HS256 token; ``payload`` is a dict (JSON-encoded) or raw bytes."""
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signing_input = header_segment(header) + b"." + b64(raw)
    token = signing_input + b"." + b64(hmac.new(key, signing_input, hashlib.sha256).digest())
    return token.decode() if as_str else token


def hs_verify(key: bytes = KEY):
    def verify(message: bytes, signature: bytes) -> bool:
        return hmac.compare_digest(hmac.new(key, message, hashlib.sha256).digest(), signature)

    return verify


def rules(**options):
    audience = options.pop("audience", None)
    leeway = options.pop("leeway", 0)
    return build_claim_rules(merge_options(DEFAULT_OPTIONS, options or None), audience=audience, leeway=leeway)


HEADER = {"alg": "HS256", "typ": "JWT", "kid": "a"}
HSEG = header_segment(HEADER)


def fast_path(twin, **rule_options):
    fp = twin.TokenFastPath(rules(**rule_options))
    fp.remember(HSEG, HEADER, hs_verify())
    return fp


def outcome(fn, *args):
    try:
        return ("ok", fn(*args))
    except Exception as exc:  # noqa: BLE001 - every exception is an outcome to compare
        return ("raise", type(exc), str(exc))


def known_bug(request, reason: str, strict: bool = True) -> None:
    request.applymarker(pytest.mark.xfail(reason=f"BUG: {reason}", strict=strict))


# --- TokenFastPath --------------------------------------------------------------------------


class TestTokenFastPath:
    def test_valid_token_str_and_bytes(self, token_twin):
        fp = fast_path(token_twin)
        claims = {"sub": "x", "exp": NOW + 10, "aud": None, "n": {"l": [1, 2]}}
        for token in (make_token(HEADER, claims), make_token(HEADER, claims, as_str=True)):
            result = fp.verify(token, NOW)
            assert isinstance(result, tuple) and len(result) == 3
            header, got, signature = result
            assert header is HEADER  # shared: the Verifier copies it
            assert got == claims
            raw = token.encode() if isinstance(token, str) else token
            assert signature == base64.urlsafe_b64decode(raw.rsplit(b".", 1)[1] + b"==")

    def test_verify_gets_signing_input_and_decoded_signature(self, token_twin):
        calls = []

        def verify(message, signature):
            calls.append((message, signature))
            return True

        fp = token_twin.TokenFastPath(rules())
        fp.remember(HSEG, HEADER, verify)
        token = make_token(HEADER, {"a": 1})
        assert fp.verify(token, NOW)[1] == {"a": 1}
        signing_input, sig = token.rsplit(b".", 1)
        assert calls == [(signing_input, base64.urlsafe_b64decode(sig + b"=="))]

    def test_unknown_header_is_none(self, token_twin):
        fp = fast_path(token_twin)
        other = {"alg": "HS256", "typ": "JWT", "kid": "b"}
        assert fp.verify(make_token(other, {"a": 1}), NOW) is None
        assert token_twin.TokenFastPath(rules()).verify(make_token(HEADER, {"a": 1}), NOW) is None

    @pytest.mark.parametrize(
        "token",
        [
            b"", b".", b"..", b"...", HSEG, HSEG + b".", HSEG + b".e30", HSEG + b".e30.AA.AA",
            HSEG + b".e30.sig.x", "é" + HSEG.decode() + ".e30.AA",
        ],
    )
    def test_malformed_is_none(self, token_twin, token):
        assert fast_path(token_twin).verify(token, NOW) is None

    def test_bad_base64_is_none(self, token_twin):
        fp = token_twin.TokenFastPath(rules())
        fp.remember(HSEG, HEADER, lambda message, signature: True)  # only base64 can fail
        assert fp.verify(HSEG + b".e30.AA", NOW)[1:] == ({}, b"\x00")
        assert fp.verify(HSEG + b".e30=.AA==", NOW)[1:] == ({}, b"\x00")  # canonical padding is fine
        for token in (
            HSEG + b".e30==.AA",  # wrong padding
            HSEG + b".e30!.AA",  # bad character
            HSEG + b".e30+.AA",  # base64, not base64url
            HSEG + b".e.AA",  # impossible length
            HSEG + b".e31.AA",  # non-zero unused bits
            HSEG + b".e30.AAAAA",
            HSEG + b".e30.AB",
            HSEG + b".e30.AA===",
            HSEG + b".e30.A/",
        ):
            assert fp.verify(token, NOW) is None, token
            assert fp.verify(token.decode(), NOW) is None, token

    def test_bad_signature_is_none_even_with_bad_claims(self, token_twin):
        fp = fast_path(token_twin, audience="api")
        for payload in ({"a": 1}, {"exp": NOW - 100}, {"aud": "other"}, b"not json", b"[1]"):
            assert fp.verify(make_token(HEADER, payload, OTHER_KEY), NOW) is None
        h, p, s = make_token(HEADER, {"a": 1}).split(b".")
        tampered = s[:5] + (b"A" if s[5:6] != b"A" else b"B") + s[6:]
        assert fp.verify(h + b"." + p + b"." + tampered, NOW) is None

    @pytest.mark.parametrize(
        "token", [None, 1, 1.5, [b"a.b.c"], {"a": 1}, bytearray(b"x.y.z"), memoryview(b"x.y.z")]
    )
    def test_non_str_bytes_token_is_none(self, token_twin, token):
        fp = fast_path(token_twin)
        assert fp.verify(token, NOW) is None
        valid = make_token(HEADER, {"a": 1})
        assert fp.verify(bytearray(valid), NOW) is None
        assert fp.verify(memoryview(valid), NOW) is None

    def test_claims_errors_after_signature(self, token_twin):
        fp = fast_path(token_twin, audience="api")
        with pytest.raises(ExpiredSignatureError, match="Signature has expired"):
            fp.verify(make_token(HEADER, {"aud": "api", "exp": NOW - 1}), NOW)
        with pytest.raises(ImmatureSignatureError):
            fp.verify(make_token(HEADER, {"aud": "api", "nbf": NOW + 100}), NOW)
        with pytest.raises(InvalidAudienceError):
            fp.verify(make_token(HEADER, {"aud": "other"}), NOW)
        with pytest.raises(DecodeError, match="Invalid payload string"):
            fp.verify(make_token(HEADER, b"not json"), NOW)
        with pytest.raises(DecodeError, match="must be a json object"):
            fp.verify(make_token(HEADER, b"[1,2]"), NOW)
        # the rules' leeway applies
        lenient = fast_path(token_twin, audience="api", leeway=10)
        assert lenient.verify(make_token(HEADER, {"aud": "api", "exp": NOW - 1}), NOW)[1]["aud"] == "api"

    def test_forget(self, token_twin):
        fp = fast_path(token_twin)
        token = make_token(HEADER, {"a": 1})
        assert fp.verify(token, NOW) is not None
        fp.forget()
        assert fp.verify(token, NOW) is None
        fp.remember(HSEG, HEADER, hs_verify())
        assert fp.verify(token, NOW) is not None

    def test_remembers_at_most_max_known_headers(self, token_twin):
        limit = token_twin.MAX_KNOWN_HEADERS
        assert isinstance(limit, int) and limit > 0
        fp = token_twin.TokenFastPath(rules())
        headers = [{"alg": "HS256", "kid": str(i)} for i in range(limit + 5)]
        for header in headers:
            fp.remember(header_segment(header), header, hs_verify())
        for i, header in enumerate(headers):
            result = fp.verify(make_token(header, {"i": i}), NOW)
            if i < limit:
                assert result is not None and result[0] is header and result[1] == {"i": i}
            else:
                assert result is None
        fp.forget()
        fp.remember(header_segment(headers[-1]), headers[-1], hs_verify())
        assert fp.verify(make_token(headers[-1], {"i": 0}), NOW)[0] is headers[-1]


# --- fresh_claims ---------------------------------------------------------------------------


def _mutables(value, found):
    if type(value) in (dict, list):
        found.append(value)
        for item in value.values() if type(value) is dict else value:
            _mutables(item, found)
    return found


class TestFreshClaims:
    CLAIMS = {
        "sub": "s", "n": 1, "f": 1.5, "t": True, "z": None,
        "aud": ["a", "b"], "ctx": {"roles": ["r1", {"deep": [1, [2, {"x": "y"}]]}], "e": {}},
        "empty": [],
    }

    def test_equal_and_shares_nothing_mutable(self, token_twin):
        original = json.loads(json.dumps(self.CLAIMS))
        copy = token_twin.fresh_claims(original)
        assert copy == original == self.CLAIMS
        assert type(copy) is dict
        original_ids = {id(m) for m in _mutables(original, [])}
        copy_mutables = _mutables(copy, [])
        assert len(copy_mutables) == len(original_ids)
        assert not original_ids & {id(m) for m in copy_mutables}

    def test_mutating_the_copy_leaves_the_original(self, token_twin):
        original = json.loads(json.dumps(self.CLAIMS))
        copy = token_twin.fresh_claims(original)
        copy["aud"].append("evil")
        copy["ctx"]["roles"][1]["deep"][1][1]["x"] = "evil"
        copy["ctx"]["e"]["new"] = 1
        copy["new"] = 1
        assert original == self.CLAIMS

    def test_empty(self, token_twin):
        original = {}
        copy = token_twin.fresh_claims(original)
        assert copy == {} and copy is not original


# --- TokenCache -----------------------------------------------------------------------------


def entry(i: int):
    """``(header, claims, signature)`` for cache tests."""
    return {"alg": "HS256", "kid": str(i)}, {"i": i, "aud": ["a", str(i)], "ctx": {"l": [i]}}, bytes([i]) * 4


class _Everything:
    """A key-tag set holding every tag: the entry's key is always still in use."""

    def __contains__(self, tag):
        return True


ALL_TAGS = _Everything()


def put(cache, token, i, not_before=-math.inf, expires_at=math.inf, tag="k1"):
    header, claims, signature = entry(i)
    cache.put(token, header, claims, signature, tag, not_before, expires_at)


class TestTokenCache:
    def test_empty_get_is_a_miss(self, token_twin):
        cache = token_twin.TokenCache(4)
        assert cache.maxsize == 4
        assert (cache.hits, cache.misses, len(cache)) == (0, 0, 0)
        assert cache.get("t", NOW, ALL_TAGS) is None
        assert (cache.hits, cache.misses, len(cache)) == (0, 1, 0)

    def test_put_get(self, token_twin):
        cache = token_twin.TokenCache(4)
        header, claims, signature = entry(1)
        cache.put("t", header, claims, signature, "k1", -math.inf, math.inf)
        got = cache.get("t", NOW, ALL_TAGS)
        assert got == (header, claims, signature)
        assert (cache.hits, cache.misses, len(cache)) == (1, 0, 1)
        assert got[1] is not claims
        assert cache.get(b"t", NOW, ALL_TAGS) is None  # str and bytes are different tokens
        assert cache.get("t2", NOW, ALL_TAGS) is None
        assert (cache.hits, cache.misses) == (1, 2)

    def test_hits_return_fresh_claims(self, token_twin):
        cache = token_twin.TokenCache(4)
        header, claims, signature = entry(1)
        cache.put("t", header, claims, signature, "k1", -math.inf, math.inf)
        # what was put is copied: the caller keeps (and may mutate) its own claims
        claims["aud"].append("evil")
        claims["ctx"]["l"].append("evil")
        claims["new"] = 1
        header["kid"] = "evil"
        first = cache.get("t", NOW, ALL_TAGS)
        assert first[:2] == entry(1)[:2]
        first[1]["aud"].append("evil")
        first[1]["ctx"]["l"].clear()
        first[1]["ctx"]["x"] = 1
        del first[1]["i"]
        second = cache.get("t", NOW, ALL_TAGS)
        assert second[1] == entry(1)[1]
        assert second[1] is not first[1]
        assert second[1]["aud"] is not first[1]["aud"]
        assert second[1]["ctx"] is not first[1]["ctx"]

    @pytest.mark.parametrize("now, served", [
        (99.0, False), (99.999, False), (100.0, True), (150.5, True), (199.999, True),
        (200.0, False), (250.0, False), (math.nan, False),
    ])
    def test_window(self, token_twin, now, served):
        cache = token_twin.TokenCache(4)
        put(cache, "t", 1, 100, 200)
        put(cache, "other", 2)
        got = cache.get("t", now, ALL_TAGS)
        assert (got is not None) is served
        assert (cache.hits, cache.misses) == ((1, 0) if served else (0, 1))
        # an entry outside its window is dropped, not kept for later
        assert len(cache) == (2 if served else 1)
        assert (cache.get("t", 150, ALL_TAGS) is not None) is served

    def test_window_int_bounds(self, token_twin):
        cache = token_twin.TokenCache(4)
        put(cache, "t", 1, 100, 101)
        assert cache.get("t", 100, ALL_TAGS) is not None
        assert cache.get("t", 100.5, ALL_TAGS) is not None
        assert cache.get("t", 101, ALL_TAGS) is None

    def test_put_replaces_entry(self, token_twin):
        cache = token_twin.TokenCache(4)
        put(cache, "t", 1, 0, 10)
        put(cache, "t", 2, 0, 100)
        assert len(cache) == 1
        assert cache.get("t", 50, ALL_TAGS)[1] == entry(2)[1]

    def test_lru_eviction_order(self, token_twin):
        cache = token_twin.TokenCache(3)
        for i, token in enumerate("abc"):
            put(cache, token, i)
        assert cache.get("a", NOW, ALL_TAGS) is not None  # a is now the most recently used
        put(cache, "d", 3)  # evicts b, the least recently used
        assert len(cache) == 3
        assert cache.get("b", NOW, ALL_TAGS) is None
        assert cache.get("c", NOW, ALL_TAGS) is not None  # order now: a, d, c
        put(cache, "e", 4)  # evicts a
        assert cache.get("a", NOW, ALL_TAGS) is None
        assert [cache.get(t, NOW, ALL_TAGS) is not None for t in "cde"] == [True, True, True]
        assert len(cache) == 3

    def test_maxsize_bound(self, token_twin):
        cache = token_twin.TokenCache(5)
        for i in range(50):
            put(cache, f"t{i}", i % 256)
            assert len(cache) <= 5
        assert len(cache) == 5
        assert [cache.get(f"t{i}", NOW, ALL_TAGS) is not None for i in range(44, 50)] == [False] + [True] * 5

    def test_maxsize_zero_and_one(self, token_twin):
        zero = token_twin.TokenCache(0)
        put(zero, "t", 1)
        assert len(zero) == 0 and zero.get("t", NOW, ALL_TAGS) is None
        one = token_twin.TokenCache(1)
        put(one, "a", 1)
        put(one, "b", 2)
        assert len(one) == 1 and one.get("a", NOW, ALL_TAGS) is None and one.get("b", NOW, ALL_TAGS) is not None

    def test_discard_unless(self, token_twin):
        cache = token_twin.TokenCache(8)
        old, new = object(), object()
        put(cache, "a", 1, tag=old)
        put(cache, "b", 2, tag=new)
        put(cache, "c", 3, tag=old)
        cache.discard_unless({new})
        assert len(cache) == 1
        assert cache.get("a", NOW, ALL_TAGS) is None and cache.get("c", NOW, ALL_TAGS) is None
        assert cache.get("b", NOW, ALL_TAGS)[1] == entry(2)[1]
        cache.discard_unless(set())
        assert len(cache) == 0

    def test_entry_of_a_retired_key_is_not_served(self, token_twin):
        cache = token_twin.TokenCache(8)
        old, new = object(), object()
        put(cache, "a", 1, tag=old)
        assert cache.get("a", NOW, frozenset({new})) is None
        assert cache.misses == 1 and len(cache) == 0  # and it is dropped
        put(cache, "a", 1, tag=new)
        assert cache.get("a", NOW, frozenset({new}))[1] == entry(1)[1]

    def test_clear(self, token_twin):
        cache = token_twin.TokenCache(8)
        for i in range(3):
            put(cache, str(i), i)
        cache.get("0", NOW, ALL_TAGS)
        cache.clear()
        assert len(cache) == 0
        assert cache.get("1", NOW, ALL_TAGS) is None
        assert (cache.hits, cache.misses) == (1, 1)  # counters survive a clear
        put(cache, "x", 1)
        assert cache.get("x", NOW, ALL_TAGS) is not None

    @pytest.mark.parametrize("token", [
        bytearray(b"a.b.c"), memoryview(b"a.b.c"), type("S", (str,), {})("a.b.c"),
        type("B", (bytes,), {})(b"a.b.c"), ("a.b.c",), 12, None,
    ], ids=["bytearray", "memoryview", "str-subclass", "bytes-subclass", "tuple", "int", "None"])
    def test_non_str_bytes_tokens_are_never_cached(self, token_twin, token):
        cache = token_twin.TokenCache(4)
        put(cache, token, 1)
        assert len(cache) == 0

    @pytest.mark.parametrize("kind", ["bytearray", "list", "dict", "memoryview"])
    def test_get_non_str_bytes_token_is_a_miss(self, token_twin, kind, request):
        """The Verifier asks its cache before any type check: get must not raise or serve."""
        cache = token_twin.TokenCache(4)
        put(cache, b"a.b.c", 1)
        token = {"bytearray": bytearray(b"a.b.c"), "list": [b"a.b.c"], "dict": {b"a.b.c": 1},
                 "memoryview": memoryview(b"a.b.c")}[kind]
        assert cache.get(token, NOW, ALL_TAGS) is None

    def test_maxsize_bound_under_threads(self, token_twin, request):
        cache = token_twin.TokenCache(3)
        tokens = [f"t{i}" for i in range(4)]
        over = []
        deadline = time.monotonic() + 0.3

        def work(step):
            i = 0
            while time.monotonic() < deadline:
                token = tokens[(i * step + i // 5) % 4]
                i += 1
                if cache.get(token, NOW, ALL_TAGS) is None:
                    put(cache, token, 1)
                if len(cache) > 3:
                    over.append(len(cache))

        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)
        try:
            threads = [threading.Thread(target=work, args=(step,)) for step in (1, 3, 5, 7)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            sys.setswitchinterval(interval)
        assert not over and len(cache) <= 3


# --- differential: both twins, same operations -------------------------------------------------

NOT_BEFORE = st.sampled_from([-math.inf, -math.inf, 0.0, 1.0, 2.5, 3.0, 10.0])
EXPIRES_AT = st.sampled_from([math.inf, math.inf, -1.0, 2.5, 3.0, 4.0, 10.0])
NOWS = st.one_of(
    st.sampled_from([0.0, 1.0, 2.5, 3.0, 4.0]), st.floats(-2, 12, allow_nan=False),
    st.sampled_from([-math.inf, math.inf, math.nan]),
)
CACHE_TOKENS = ["t0", "t1", "t2", b"t0"]
TAGS = ["k1", "k2", "k3"]

_put = st.tuples(st.just("put"), st.integers(0, len(CACHE_TOKENS) - 1), st.integers(0, 255),
                 NOT_BEFORE, EXPIRES_AT, st.sampled_from(TAGS))
_get = st.tuples(st.just("get"), st.integers(0, len(CACHE_TOKENS) - 1), NOWS)
cache_ops = st.lists(
    st.one_of(
        _put, _get, _get,
        st.tuples(st.just("discard"), st.sets(st.sampled_from(TAGS))),
        st.tuples(st.just("clear")),
    ),
    max_size=40,
)


def run_cache_ops(twin, maxsize, ops):
    cache = twin.TokenCache(maxsize)
    trace = []
    for op in ops:
        if op[0] == "put":
            _, t, i, not_before, expires_at, tag = op
            header, claims, signature = entry(i)
            result = cache.put(CACHE_TOKENS[t], header, claims, signature, tag, not_before, expires_at)
        elif op[0] == "get":
            result = cache.get(CACHE_TOKENS[op[1]], op[2], ALL_TAGS)
        elif op[0] == "discard":
            result = cache.discard_unless(op[1])
        else:
            result = cache.clear()
        trace.append((op[0], result, cache.hits, cache.misses, len(cache)))
    return trace


@SETTINGS
@given(maxsize=st.integers(0, 4), ops=cache_ops)
def test_cache_twins_agree(twin_pair, maxsize, ops):
    py, c = twin_pair("token")
    assert run_cache_ops(c, maxsize, ops) == run_cache_ops(py, maxsize, ops)


FP_HEADERS = [{"alg": "HS256", "kid": "a"}, {"alg": "HS256", "kid": "b"}, {"alg": "HS256", "typ": "JWT"}]


def _fp_tokens():
    tokens = []
    for header in FP_HEADERS:
        for payload in ({"sub": "x", "aud": "api"}, {"aud": "api", "exp": 5, "nbf": 2, "iat": 1},
                        {"aud": ["api", "x"], "exp": 3.9}, {"aud": "other"}, b"not json", b"[]",
                        {"aud": "api", "exp": "soon"}):
            tokens.append(make_token(header, payload))
            tokens.append(make_token(header, payload, OTHER_KEY))
        h, p, s = make_token(header, {"aud": "api"}).split(b".")
        tokens += [h + b".e30!." + s, h + b"." + p + b"." + s + b"=", h + b"." + p, h + b"." + p + b"." + s + b".x"]
    tokens += [t.decode() for t in tokens[:6]] + [None, bytearray(tokens[0]), "é.a.b"]
    return tokens


FP_TOKENS = _fp_tokens()

FP_NOWS = st.one_of(st.floats(-1, 7, allow_nan=False), st.sampled_from([-math.inf, math.inf]))

fp_ops = st.lists(
    st.one_of(
        st.tuples(st.just("remember"), st.integers(0, len(FP_HEADERS) - 1)),
        st.tuples(st.just("forget")),
        *[st.tuples(st.sampled_from(["verify", "claims"]), st.integers(0, len(FP_TOKENS) - 1), FP_NOWS)] * 4,
    ),
    max_size=30,
)


def run_fp_ops(twin, leeway, ops, verify):
    fp = twin.TokenFastPath(rules(audience="api", leeway=leeway))
    fp.remember(header_segment(FP_HEADERS[0]), FP_HEADERS[0], verify)
    trace = []
    for op in ops:
        if op[0] == "remember":
            header = FP_HEADERS[op[1]]
            trace.append(fp.remember(header_segment(header), header, verify))
        elif op[0] == "forget":
            trace.append(fp.forget())
        else:
            trace.append(outcome(getattr(fp, op[0]), FP_TOKENS[op[1]], op[2]))
    return trace


@SETTINGS
@given(leeway=st.sampled_from([0, 0.5, 2]), ops=fp_ops, hmac_key=st.booleans())
def test_fast_path_twins_agree(twin_pair, leeway, ops, hmac_key):
    # A key's verify is any callable, or an HmacKey's, which the compiled twin calls in C.
    py, c = twin_pair("token")
    verify = HmacKey(KEY, "sha256").verify if hmac_key else hs_verify()
    assert run_fp_ops(c, leeway, ops, verify) == run_fp_ops(py, leeway, ops, verify)
