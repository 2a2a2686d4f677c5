"""The Verifier's verified-token cache and its whole-token fast path, through the public API.

Whichever twin of ``cyjose._speedups.token`` is live is tested (the two CI legs cover
both). Time is controlled by patching ``time.time``, as freezegun and
monkeypatch users do: every path of the Verifier must read the clock there.
"""

from __future__ import annotations

import importlib
import json
import math
import sys
import threading
import time

import pytest
import sample_keys as keys

import cyjose
from cyjose._speedups.token import MAX_KNOWN_HEADERS
from cyjose.exceptions import (
    DecodeError,
    ExpiredSignatureError,
    ImmatureSignatureError,
    InvalidAlgorithmError,
    InvalidAudienceError,
    InvalidKeyError,
    InvalidSignatureError,
    MissingRequiredClaimError,
)

verifier_module = importlib.import_module("cyjose.verifier")

KEY = keys.secret("HS256")
NEW_KEY = bytes(reversed(KEY))
T = 1_700_000_000


def encode(claims, key=KEY, headers=None, algorithm="HS256"):
    return cyjose.encode(claims, key, algorithm=algorithm, headers=headers)


def cached(key=KEY, **kwargs):
    kwargs.setdefault("cache_size", 8)
    return cyjose.Verifier(key, algorithms=kwargs.pop("algorithms", ["HS256"]), **kwargs)


def outcome(fn, *args, **kwargs):
    try:
        return ("ok", fn(*args, **kwargs))
    except Exception as exc:  # noqa: BLE001 - every exception is an outcome to compare
        return ("raise", type(exc), str(exc))


def tamper(token: str) -> str:
    """The token with one signature character changed (still valid base64url)."""
    head, sig = token.rsplit(".", 1)
    return f"{head}.{sig[:5]}{'A' if sig[5] != 'A' else 'B'}{sig[6:]}"


def known_bug(request, reason: str, strict: bool = True) -> None:
    request.applymarker(pytest.mark.xfail(reason=f"BUG: {reason}", strict=strict))


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock(T)
    monkeypatch.setattr(time, "time", fake.time)
    return fake


# --- hits, freshness, errors ------------------------------------------------------------------


def test_repeated_token_is_a_hit():
    v = cached()
    token = encode({"sub": "a", "aud": None})
    first = v.verify(token)
    assert v.cache_info() == (0, 1, 1, 8)
    for hits in (1, 2, 3):
        assert v.verify(token) == first == {"sub": "a", "aud": None}
        assert v.cache_info().hits == hits
    info = v.cache_info()
    assert isinstance(info, verifier_module.CacheInfo)
    assert (info.hits, info.misses, info.size, info.maxsize) == (3, 1, 1, 8)
    # bytes and str spellings are cached separately, both correct
    assert v.verify(token.encode()) == first
    assert v.cache_info().misses == 2


def test_asymmetric_token_hit():
    v = cyjose.Verifier(keys.public_pem("RS256"), algorithms=["RS256"], cache_size=2)
    token = encode({"sub": "rsa"}, keys.private("RS256"), algorithm="RS256")
    assert v.verify(token) == v.verify(token) == {"sub": "rsa"}
    assert v.cache_info().hits == 1


def test_hits_return_fresh_claims():
    v = cached(audience="api")
    claims = {"sub": "a", "aud": ["api", "other"], "ctx": {"roles": ["r"], "deep": {"l": [1, {"x": 2}]}}}
    token = encode(claims)
    results = [v.verify(token)]
    for _ in range(4):
        last = results[-1]
        last["aud"].append("evil")
        last["ctx"]["roles"].clear()
        last["ctx"]["deep"]["l"][1]["x"] = "evil"
        last["ctx"]["new"] = 1
        last["sub"] = "evil"
        del last["aud"]
        results.append(v.verify(token))
        assert results[-1] == claims
        assert results[-1] is not last
    assert v.cache_info().hits == 4


@pytest.mark.parametrize("token, error", [
    (encode({"exp": T}), ExpiredSignatureError),
    (tamper(encode({"sub": "a"})), InvalidSignatureError),
    (encode({"sub": "a"}, NEW_KEY), InvalidSignatureError),
    (encode({"aud": "other"}), InvalidAudienceError),
    (encode({"nbf": 2**40}), ImmatureSignatureError),
    (encode({"sub": "a"}, headers={"alg": "HS512"}, algorithm="HS512", key=keys.secret("HS512")), InvalidAlgorithmError),
    ("not.a.token", DecodeError),
    ("nodots", DecodeError),
    (b"", DecodeError),
    (None, DecodeError),
])
def test_errors_are_never_cached(token, error):
    v = cached()
    v.verify(encode({"sub": "known header"}))  # the header is known: the fast path sees these first
    v.verify(encode({"sub": "known header"}))
    before = v.cache_info()
    for _ in range(3):
        with pytest.raises(error):
            v.verify(token)
    info = v.cache_info()
    assert info.size == before.size == 1 and info.hits == before.hits


def test_errors_are_never_cached_empty_cache():
    v = cached()
    for token in (encode({"exp": T}), tamper(encode({"a": 1})), encode({"a": 1}, NEW_KEY)):
        for _ in range(3):
            with pytest.raises(cyjose.exceptions.InvalidTokenError):
                v.verify(token)
    assert v.cache_info() == (0, 9, 0, 8)


@pytest.mark.parametrize("bad", [bytearray(b"a.b.c"), [1], {"a": 1}], ids=["bytearray", "list", "dict"])
def test_unhashable_token_raises_decode_error(bad, request):
    for v in (cyjose.Verifier(KEY, algorithms=["HS256"]), cached()):
        with pytest.raises(DecodeError, match="Invalid token type"):
            v.verify(bad)


def test_memoryview_of_a_cached_token_is_not_served(request):
    token = encode({"sub": "a"}).encode()
    v = cached()
    v.verify(token)
    with pytest.raises(DecodeError, match="Invalid token type"):
        v.verify(memoryview(token))


def test_unverified_tokens_are_never_cached():
    v = cyjose.Verifier(KEY, options={"verify_signature": False}, cache_size=4)
    token = encode({"sub": "a"}, NEW_KEY)
    assert v.verify(token) == v.verify(token) == {"sub": "a"}
    assert v.cache_info().size == 0 and v.cache_info().hits == 0


# --- the validity window ------------------------------------------------------------------------


def test_not_served_after_exp(clock):
    v = cached()
    token = encode({"sub": "a", "exp": T + 10})
    v.verify(token)
    clock.now = T + 9.999
    assert v.verify(token)["sub"] == "a"
    assert v.cache_info().hits == 1
    clock.now = T + 10
    for _ in range(2):
        with pytest.raises(ExpiredSignatureError):
            v.verify(token)
    assert v.cache_info().size == 0 and v.cache_info().hits == 1


def test_not_served_after_exp_plus_leeway(clock):
    v = cached(leeway=5)
    token = encode({"exp": T + 10})
    v.verify(token)
    clock.now = T + 14.9
    v.verify(token)
    assert v.cache_info().hits == 1
    clock.now = T + 15
    with pytest.raises(ExpiredSignatureError):
        v.verify(token)
    assert v.cache_info().hits == 1


def test_not_served_after_ttl(clock):
    v = cached(cache_ttl=30)
    token = encode({"sub": "a", "exp": T + 1000})
    v.verify(token)
    clock.now = T + 29.9
    v.verify(token)
    assert v.cache_info()[:3] == (1, 1, 1)
    clock.now = T + 30
    assert v.verify(token)["sub"] == "a"  # re-verified: a miss, still valid, cached again
    assert v.cache_info()[:3] == (1, 2, 1)
    clock.now = T + 59.9  # the new entry's TTL counts from T + 30
    v.verify(token)
    assert v.cache_info()[:3] == (2, 2, 1)
    clock.now = T + 60
    v.verify(token)
    assert v.cache_info()[:3] == (2, 3, 1)


def test_no_exp_is_bounded_by_ttl_only(clock):
    v = cached(cache_ttl=5)
    token = encode({"sub": "a"})
    v.verify(token)
    clock.now = T - 10**6  # no nbf/iat: any earlier time is fine
    v.verify(token)
    clock.now = T + 4.5
    v.verify(token)
    assert v.cache_info().hits == 2
    clock.now = T + 5
    v.verify(token)
    assert v.cache_info().hits == 2


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_not_served_before_nbf_or_iat_when_time_goes_back(clock, claim):
    v = cached()
    token = encode({"sub": "a", claim: T})
    clock.now = T + 1
    v.verify(token)
    clock.now = T
    v.verify(token)
    assert v.cache_info().hits == 1
    clock.now = T - 0.5
    with pytest.raises(ImmatureSignatureError, match=f"\\({claim}\\)"):
        v.verify(token)
    assert v.cache_info().hits == 1 and v.cache_info().size == 0


@pytest.mark.parametrize("claim", ["nbf", "iat"])
def test_not_served_before_nbf_or_iat_minus_leeway(clock, claim):
    v = cached(leeway=5)
    token = encode({claim: T})
    clock.now = T + 1
    v.verify(token)
    clock.now = T - 5
    v.verify(token)
    assert v.cache_info().hits == 1
    clock.now = T - 5.5
    with pytest.raises(ImmatureSignatureError):
        v.verify(token)
    assert v.cache_info().hits == 1


def test_verify_exp_false_only_ttl_bounds(clock):
    v = cached(options={"verify_exp": False}, cache_ttl=100)
    token = encode({"sub": "a", "exp": T + 10})
    v.verify(token)
    clock.now = T + 50
    assert v.verify(token)["exp"] == T + 10
    assert v.cache_info().hits == 1
    clock.now = T + 100
    assert v.verify(token)["sub"] == "a"  # re-verified, still valid (exp not checked)
    assert v.cache_info()[:2] == (1, 2)


def test_verify_nbf_false_does_not_bound(clock):
    v = cached(options={"verify_nbf": False})
    token = encode({"nbf": T + 100})
    v.verify(token)
    clock.now = T - 1000
    v.verify(token)
    assert v.cache_info().hits == 1


CLAIM_SETS = [
    {"exp": T + 10.9},  # truncated: expired from T + 10
    {"exp": T + 10, "nbf": T + 2.7, "iat": T + 1},
    {"iat": T + 3.5, "exp": T + 7.2},
    {"nbf": T + 4.99},
    {"exp": T + 7, "iat": T + 6},  # valid only inside [T + 6 - leeway, T + 7 + leeway)
]
GRID = [T - 8 + step * 0.25 for step in range(100)]


@pytest.mark.parametrize("leeway", [0, 2.5])
@pytest.mark.parametrize("claims", CLAIM_SETS)
def test_window_matches_uncached_path(clock, claims, leeway):
    """At every time the cache answers exactly as the uncached path (truncated times too)."""
    token = encode(claims)
    plain = cyjose.Verifier(KEY, algorithms=["HS256"], leeway=leeway)
    cache = cached(leeway=leeway, cache_ttl=1000)
    valid_at = [t for t in GRID if outcome(_at, clock, t, plain.verify, token)[0] == "ok"]
    assert valid_at, "every claim set is valid somewhere on the grid"
    for t in GRID:
        clock.now = valid_at[len(valid_at) // 2]
        cache.verify(token)  # cached (or a hit) at a valid time
        expected = outcome(_at, clock, t, plain.verify, token)
        assert outcome(_at, clock, t, cache.verify, token) == expected, t
    assert cache.cache_info().hits > len(valid_at)


def _at(clock, now, fn, *args):
    clock.now = now
    return fn(*args)


def test_float_exp_truncation(clock):
    token = encode({"exp": T + 10.9})
    v = cached()
    clock.now = T + 9.99
    v.verify(token)
    v.verify(token)
    clock.now = T + 10.5
    with pytest.raises(ExpiredSignatureError):
        v.verify(token)
    with pytest.raises(ExpiredSignatureError):
        cyjose.Verifier(KEY, algorithms=["HS256"]).verify(token)


# --- size, LRU, arguments -------------------------------------------------------------------------


def test_lru_eviction():
    v = cached(cache_size=2)
    a, b, c = (encode({"sub": s}) for s in "abc")
    v.verify(a)
    v.verify(b)
    v.verify(a)  # hit: a is the most recently used
    v.verify(c)  # evicts b
    assert v.cache_info()[:3] == (1, 3, 2)
    assert v.verify(a) == {"sub": "a"}
    assert v.cache_info().hits == 2
    assert v.verify(b) == {"sub": "b"}  # a miss; evicts c
    assert v.cache_info()[:3] == (2, 4, 2)
    v.verify(c)
    assert v.cache_info()[:3] == (2, 5, 2)


def test_size_bounded():
    v = cached(cache_size=3)
    for i in range(20):
        assert v.verify(encode({"i": i})) == {"i": i}
        assert v.cache_info().size <= 3
    assert v.cache_info() == (0, 20, 3, 3)


@pytest.mark.parametrize("kwargs", [{}, {"cache_size": 0}, {"cache_size": 0, "cache_ttl": 5}])
def test_no_cache(kwargs):
    v = cyjose.Verifier(KEY, algorithms=["HS256"], **kwargs)
    token = encode({"sub": "a"})
    assert v.verify(token) == v.verify(token) == {"sub": "a"}
    assert v.cache_info() == (0, 0, 0, 0)


@pytest.mark.parametrize("kwargs", [
    {"cache_size": -1}, {"cache_size": 1.5}, {"cache_size": True}, {"cache_size": "3"}, {"cache_size": None},
    {"cache_size": 4, "cache_ttl": 0}, {"cache_size": 4, "cache_ttl": -1}, {"cache_size": 4, "cache_ttl": True},
    {"cache_size": 4, "cache_ttl": "5"}, {"cache_size": 4, "cache_ttl": None}, {"cache_size": 4, "cache_ttl": math.nan},
    {"cache_ttl": 0},
])
def test_invalid_cache_arguments(kwargs):
    with pytest.raises(ValueError):
        cyjose.Verifier(KEY, algorithms=["HS256"], **kwargs)


# --- replace_key ---------------------------------------------------------------------------------


def test_replace_key_drops_old_entries():
    v = cached()
    old = encode({"sub": "old"})
    v.verify(old)
    v.verify(old)
    assert v.cache_info().hits == 1
    v.replace_key(NEW_KEY)
    assert v.cache_info().size == 0
    for _ in range(2):
        with pytest.raises(InvalidSignatureError):
            v.verify(old)
    new = encode({"sub": "new"}, NEW_KEY)
    assert v.verify(new) == v.verify(new) == {"sub": "new"}
    assert v.cache_info().hits == 2


def test_replace_key_same_key_keeps_entries():
    v = cached()
    token = encode({"sub": "a"})
    v.verify(token)
    v.replace_key(bytes(KEY))
    assert v.cache_info().size == 1
    assert v.verify(token) == {"sub": "a"}
    assert v.cache_info().hits == 1


def test_replace_key_same_pem_keeps_entries():
    v = cyjose.Verifier(keys.public_pem("ES256"), algorithms=["ES256"], cache_size=2)
    token = encode({"sub": "ec"}, keys.private("ES256"), algorithm="ES256")
    v.verify(token)
    v.replace_key(keys.public_pem("ES256"))
    assert v.verify(token) == {"sub": "ec"}
    assert v.cache_info().hits == 1


def test_failed_replace_key_keeps_everything():
    v = cached()
    token = encode({"sub": "a"})
    v.verify(token)
    with pytest.raises(InvalidKeyError):
        v.replace_key(keys.public_pem("RS256"))  # an asymmetric key is no HMAC secret
    assert v.verify(token) == {"sub": "a"}
    assert v.cache_info().hits == 1


def _rotate_during_claim_checks(monkeypatch, v, new_key):
    """Simulate another thread calling ``v.replace_key(new_key)`` while a token is being verified."""
    original = verifier_module.check_claims

    def check_claims(*args):
        monkeypatch.setattr(verifier_module, "check_claims", original)
        v.replace_key(new_key)
        return original(*args)

    monkeypatch.setattr(verifier_module, "check_claims", check_claims)


def test_rotation_during_verification_cache(monkeypatch, request):
    v = cached()
    token = encode({"sub": "old"})
    _rotate_during_claim_checks(monkeypatch, v, NEW_KEY)
    v.verify(token)  # in flight when the key changed: returning it once is fine
    with pytest.raises(InvalidSignatureError):
        v.verify(token)


def test_rotation_during_verification_fast_path(monkeypatch, request):
    v = cyjose.Verifier(KEY, algorithms=["HS256"])  # no cache
    _rotate_during_claim_checks(monkeypatch, v, NEW_KEY)
    v.verify(encode({"sub": "in flight"}))
    with pytest.raises(InvalidSignatureError):
        v.verify(encode({"sub": "signed later with the old key"}))


# --- verify_complete -----------------------------------------------------------------------------


def test_verify_complete_through_cache():
    v = cached(audience="api")
    plain = cyjose.Verifier(KEY, algorithms=["HS256"], audience="api")
    token = encode({"sub": "a", "aud": ["api"]}, headers={"kid": "k1"})
    expected = plain.verify_complete(token)
    first = v.verify_complete(token)
    assert first == expected
    first["header"]["kid"] = "evil"
    first["header"]["new"] = 1
    first["payload"]["aud"].append("evil")
    for hits in (1, 2):
        got = v.verify_complete(token)
        assert got == expected
        assert set(got) == {"header", "payload", "signature"}
        assert got["header"] is not first["header"]
        got["header"]["kid"] = "evil"
        assert v.cache_info().hits == hits
    assert v.verify(token) == expected["payload"]
    assert cyjose.decode_complete(token, KEY, algorithms=["HS256"], audience="api") == expected


@pytest.mark.parametrize("cache_size", [0, 4])
def test_verify_complete_nested_header_values_are_fresh(cache_size, request):
    v = cyjose.Verifier(KEY, algorithms=["HS256"], cache_size=cache_size)
    headers = {"kid": "k1", "x5c": ["MIIB"], "jwk": {"kty": "oct"}}
    token = encode({"sub": "a"}, headers=headers)
    expected = cyjose.decode_complete(token, KEY, algorithms=["HS256"])["header"]
    for _ in range(3):
        got = v.verify_complete(token)
        assert got["header"] == expected
        got["header"]["x5c"].append("evil")
        got["header"]["jwk"]["k"] = "evil"
    assert v.verify_complete(encode({"sub": "b"}, headers=headers))["header"] == expected


def test_detached_payload_not_cached():
    payload = json.dumps({"sub": "d"}).encode()
    token = cyjose.api_jws.encode(payload, KEY, algorithm="HS256", headers={"b64": False},
                                  is_payload_detached=True)
    v = cached()
    expected = cyjose.decode_complete(token, KEY, algorithms=["HS256"], detached_payload=payload)
    for _ in range(2):
        assert v.verify_complete(token, detached_payload=payload) == expected
    with pytest.raises(InvalidSignatureError):
        v.verify_complete(token, detached_payload=b'{"sub":"e"}')
    with pytest.raises(DecodeError):
        v.verify(token)
    assert v.cache_info().size == 0


# --- threads --------------------------------------------------------------------------------------


def _thread_tokens():
    tokens = [encode({"sub": str(i), "aud": ["api", str(i)], "ctx": {"l": [i]}}, headers={"kid": str(i % 3)})
              for i in range(8)]
    tokens += [
        encode({"sub": "x", "aud": "api", "exp": T}),
        tamper(tokens[0]),
        encode({"sub": "x", "aud": "api"}, NEW_KEY),
        encode({"sub": "x", "aud": "other"}),
        encode({"sub": "x"}),
        "not.a.token",
        tokens[1].encode(),
    ]
    return tokens


def _run_threads(v, tokens, expected, n_threads=8, rounds=150):
    failures, sizes = [], []

    def work(offset):
        for j in range(rounds):
            i = (j * (offset + 1) + offset) % len(tokens)
            got = outcome(v.verify, tokens[i])
            if got[0] == "ok":
                got[1]["ctx"]["l"].append("mutated")  # must not leak into other threads' results
                got = ("ok", type(got[1]), None)
            if got[:2] != expected[i][:2]:
                failures.append((i, got, expected[i]))
            sizes.append(v.cache_info().size)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        threads = [threading.Thread(target=work, args=(k,)) for k in range(n_threads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    return failures, sizes


def _expected(tokens):
    plain = cyjose.Verifier(KEY, algorithms=["HS256"], audience="api")
    expected = []
    for token in tokens:
        got = outcome(plain.verify, token)
        expected.append(("ok", dict, None) if got[0] == "ok" else got)
    return expected


def test_threads_get_correct_results():
    tokens = _thread_tokens()
    expected = _expected(tokens)
    assert [e[1] for e in expected[8:]] == [
        ExpiredSignatureError, InvalidSignatureError, InvalidSignatureError, InvalidAudienceError,
        MissingRequiredClaimError, DecodeError, dict,
    ]
    v = cached(audience="api", cache_size=4)
    failures, _ = _run_threads(v, tokens, expected)
    assert failures == []
    info = v.cache_info()
    assert info.hits > 0 and info.hits + info.misses == 8 * 150
    for i, token in enumerate(tokens):  # and the cache was not poisoned
        got = outcome(v.verify, token)
        if got[0] == "ok":
            assert got[1] == cyjose.decode(token, KEY, algorithms=["HS256"], audience="api"), i
        else:
            assert got == expected[i]


def test_threads_size_never_exceeds_maxsize(request):
    tokens = _thread_tokens()
    v = cached(audience="api", cache_size=4)
    _, sizes = _run_threads(v, tokens, _expected(tokens), rounds=300)
    assert max(sizes) <= 4 and v.cache_info().size <= 4


# --- the fast path (no cache) gives what decode() gives ----------------------------------------------


def _fast_path_table():
    table = []
    for kid in ("a", "b", "c"):
        good = encode({"sub": kid, "aud": "api", "exp": 4_000_000_000}, headers={"kid": kid})
        head, payload, sig = good.split(".")
        table += [
            good,
            tamper(good),
            encode({"sub": kid, "aud": "api", "exp": T}, headers={"kid": kid}),
            encode({"sub": kid, "aud": "nope"}, headers={"kid": kid}),
            encode({"sub": kid}, headers={"kid": kid}),
            encode({"sub": kid, "aud": "api"}, NEW_KEY, headers={"kid": kid}),
            f"{head}.{payload}!.{sig}",
            f"{head}.e.{sig}",
            f"{head}.{payload}.{sig}=x",
            f"{head}.{payload}",
            f"{head}.{payload}.{sig}.x",
            _signed(head, b"not json"),
            _signed(head, b"[1, 2]"),
            _signed(head, b'{"aud": "api", "exp": "soon"}'),
            _signed(head, b'{"aud": "api", "nbf": 1e400}'),
            # payloads decoded on the heap rather than the stack, valid and not
            encode({"sub": kid, "aud": "api", "pad": "x" * 5000}, headers={"kid": kid}),
            _signed(head, b'{"aud": "api", "pad": "' + b"y" * 5000 + b'", "exp": 1}'),
            # a signature longer than any HMAC
            f"{head}.{payload}.{sig * 3}",
            good.encode(),
        ]
    table.append(encode({"aud": "api"}, keys.secret("HS512"), headers={"kid": "a"}, algorithm="HS512"))
    return table


def _signed(head: str, payload: bytes) -> str:
    """A token with the given raw payload, correctly signed with KEY."""
    import base64
    import hashlib
    import hmac

    segment = base64.urlsafe_b64encode(payload).rstrip(b"=").decode()
    signing_input = f"{head}.{segment}"
    sig = hmac.new(KEY, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(sig).rstrip(b'=').decode()}"


def test_fast_path_matches_decode():
    table = _fast_path_table()
    expected = [outcome(cyjose.decode, token, KEY, algorithms=["HS256"], audience="api") for token in table]
    assert sum(e[0] == "ok" for e in expected) == 9
    pairs = list(zip(table, expected))
    for order in (pairs, pairs[::-1]):
        v = cyjose.Verifier(KEY, algorithms=["HS256"], audience="api")
        for _ in range(3):  # the first pass teaches it the headers, then the fast path answers
            for token, want in order:
                assert outcome(v.verify, token) == want, token
            order = order[::-1]


def test_fast_path_reads_the_patched_clock(clock):
    # freezegun and monkeypatch users patch time.time: the fast path must see it too.
    v = cyjose.Verifier(KEY, algorithms=["HS256"])
    token = encode({"sub": "a", "exp": T + 10})
    for _ in range(3):  # the first call teaches the header; then the fast path answers
        clock.now = T
        assert v.verify(token) == {"sub": "a", "exp": T + 10}
        clock.now = T + 10
        with pytest.raises(ExpiredSignatureError):
            v.verify(token)


def test_fast_path_verify_complete_matches_decode_complete():
    table = _fast_path_table()
    v = cyjose.Verifier(KEY, algorithms=["HS256"], audience="api")
    for _ in range(2):
        for token in table:
            assert outcome(v.verify_complete, token) == outcome(
                cyjose.decode_complete, token, KEY, algorithms=["HS256"], audience="api")


def test_fast_path_detached_payload():
    payload = b'{"sub":"d","aud":"api"}'
    v = cyjose.Verifier(KEY, algorithms=["HS256"], audience="api")
    for kid in ("a", "b"):
        token = cyjose.api_jws.encode(payload, KEY, algorithm="HS256", headers={"b64": False, "kid": kid},
                                      is_payload_detached=True)
        v.verify(encode({"aud": "api"}, headers={"kid": kid}))  # a known attached header
        for detached in (payload, b'{"sub":"e","aud":"api"}', b"", b"not json"):
            for _ in range(2):
                assert outcome(v.verify_complete, token, detached_payload=detached) == outcome(
                    cyjose.decode_complete, token, KEY, algorithms=["HS256"], audience="api",
                    detached_payload=detached)
        assert outcome(v.verify, token) == outcome(cyjose.decode, token, KEY, algorithms=["HS256"], audience="api")


def test_more_than_max_known_headers():
    n = MAX_KNOWN_HEADERS + 8
    v = cyjose.Verifier(KEY, algorithms=["HS256"], audience="api")
    for _ in range(2):
        for i in range(n):
            token = encode({"i": i, "aud": "api"}, headers={"kid": f"k{i}"})
            assert v.verify(token) == {"i": i, "aud": "api"}
            with pytest.raises(InvalidSignatureError):
                v.verify(tamper(token))
            with pytest.raises(InvalidSignatureError):
                v.verify(encode({"i": i, "aud": "api"}, NEW_KEY, headers={"kid": f"k{i}"}))
            with pytest.raises(ExpiredSignatureError):
                v.verify(encode({"aud": "api", "exp": T}, headers={"kid": f"k{i}"}))
            with pytest.raises(InvalidAudienceError):
                v.verify(encode({"aud": "x"}, headers={"kid": f"k{i}"}))


@pytest.mark.parametrize("claims", [{"exp": 10**400}, {"nbf": -(10**400)}, {"iat": -(10**400)},
                                    {"exp": 10**400, "nbf": -(10**400), "iat": 0}])
def test_times_beyond_float_range_are_cached_without_error(claims):
    """Found by the fuzz target 'verifier': an integer NumericDate beyond float range passes the
    claim checks (int and float compare exactly) but made the cache window raise OverflowError."""
    token = cyjose.encode(claims, KEY, algorithm="HS256")
    verifier = cyjose.Verifier(KEY, ["HS256"], cache_size=4)
    assert verifier.verify(token) == claims
    assert verifier.verify(token) == claims
    assert verifier.cache_info().hits == 1
