"""PyJWKClient and AsyncPyJWKClient against a real HTTP server on 127.0.0.1 (tests/jwks_server.py).

The server serves key sets, rotates them, fails, redirects, stalls, trickles
and returns garbage; it counts requests, which is how single flight, the
unknown-kid cooldown and caching are proven. Expiry and cooldown run on a
fake clock, so nothing sleeps for them; only the timeout tests wait (well
under a second each).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import math
import threading
import time
import uuid
from typing import Any, Dict, List

import jwt as pyjwt
import pytest
import sample_keys as keys
from cryptography.hazmat.primitives.asymmetric import x25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from jwks_server import JWKSServer, Reply

import cyjose
from cyjose.api_jwk import PyJWK, PyJWKSet
from cyjose.exceptions import (
    DecodeError,
    PyJWKClientConnectionError,
    PyJWKClientError,
    PyJWKSetError,
)
from cyjose.jwk_set_cache import JWKSetCache
from cyjose.jwks_client import AsyncPyJWKClient, PyJWKClient

# --- helpers -----------------------------------------------------------------


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# (algorithm, variant) per kid used in these tests: distinct keys, so a wrong pick cannot verify.
KEY_FOR_KID = {"rsa-a": ("RS256", ""), "rsa-b": ("RS256", "other"), "ec-c": ("ES256", "")}


def public_jwk(kid: str, **members: Any) -> Dict[str, Any]:
    alg, variant = KEY_FOR_KID[kid]
    algorithm = cyjose.get_algorithm_by_name(alg)
    jwk = algorithm.to_jwk(keys.public(alg, variant), as_dict=True)
    return {**jwk, "kid": kid, "alg": alg, "use": "sig", **members}


def key_set(*kids: str) -> Dict[str, Any]:
    return {"keys": [public_jwk(kid) for kid in kids]}


def token_for(kid: str) -> str:
    alg, variant = KEY_FOR_KID[kid]
    return cyjose.encode({"sub": kid}, keys.private(alg, variant), algorithm=alg, headers={"kid": kid})


def assert_verifies(key: PyJWK, kid: str) -> None:
    """``key`` is the public half of ``kid``'s key: it verifies a token that key signed."""
    assert key.key_id == kid
    claims = cyjose.decode(token_for(kid), key.key, algorithms=[key.algorithm_name])
    assert claims == {"sub": kid}


@pytest.fixture
def server() -> Any:
    with JWKSServer() as srv:
        yield srv


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def client_for(server: JWKSServer, clock: FakeClock, **kwargs: Any) -> PyJWKClient:
    kwargs.setdefault("timeout", 2)
    return PyJWKClient(server.url(), clock=clock, **kwargs)


def run_threads(count: int, target: Any) -> List[Any]:
    """Run ``target(i)`` in ``count`` threads started together; each result or raised exception."""
    results: List[Any] = [None] * count
    barrier = threading.Barrier(count)

    def work(i: int) -> None:
        barrier.wait()
        try:
            results[i] = target(i)
        except Exception as exc:  # collected and asserted by the test
            results[i] = exc

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return results


# --- serving and selecting keys ------------------------------------------------


def test_key_from_endpoint_verifies_token_and_set_is_cached(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a", "ec-c"))
    client = client_for(server, clock)
    assert_verifies(client.get_signing_key_from_jwt(token_for("rsa-a")), "rsa-a")
    assert_verifies(client.get_signing_key_from_jwt(token_for("ec-c").encode()), "ec-c")
    assert isinstance(client.get_jwk_set(), PyJWKSet)
    assert server.hits() == 1
    clock.advance(299)
    client.get_signing_key("rsa-a")
    assert server.hits() == 1
    clock.advance(2)  # past the 300 s lifespan
    client.get_signing_key("rsa-a")
    assert server.hits() == 2


def x25519_jwk(kid: str) -> Dict[str, Any]:
    raw = x25519.X25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {"kty": "OKP", "crv": "X25519", "x": base64.urlsafe_b64encode(raw).rstrip(b"=").decode(), "kid": kid}


def test_signing_keys_are_verification_keys_with_kid(server: JWKSServer, clock: FakeClock) -> None:
    no_kid = public_jwk("rsa-a")
    del no_kid["kid"]
    published = [
        public_jwk("rsa-a", use="enc"),  # for encryption
        no_kid,
        public_jwk("rsa-b"),
        public_jwk("ec-c", use=None),
        {**public_jwk("rsa-b", key_ops=["encrypt"]), "kid": "ops-encrypt"},  # key_ops without "verify"
        x25519_jwk("agreement"),  # a JWE key-agreement key (PyJWT cannot load X25519 JWKs at all)
    ]
    server.serve_json({"keys": published})
    client = client_for(server, clock)
    assert [k.key_id for k in client.get_signing_keys()] == ["rsa-b", "ec-c"]
    assert len(client.get_jwk_set().keys) == 6
    for kid in ("ops-encrypt", "agreement"):
        with pytest.raises(PyJWKClientError, match="Unable to find"):
            client.get_signing_key(kid)
    with pytest.raises(PyJWKClientError, match='Unable to find a signing key that matches: "rsa-a"'):
        client.get_signing_key("rsa-a")  # present, but for encryption
    found = PyJWKClient.match_kid(client.get_signing_keys(), "ec-c")
    assert found is not None and found.key_id == "ec-c"
    assert PyJWKClient.match_kid(client.get_signing_keys(), "nope") is None


def test_set_without_signing_keys(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json({"keys": [public_jwk("rsa-a", use="enc")]})
    client = client_for(server, clock)
    for call in (client.get_signing_keys, lambda: client.get_signing_key("rsa-a")):
        with pytest.raises(PyJWKClientError, match="The JWKS endpoint did not contain any signing keys"):
            call()


def test_first_key_wins_for_a_duplicated_kid(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json({"keys": [public_jwk("rsa-a"), {**public_jwk("rsa-b"), "kid": "rsa-a"}]})
    assert_verifies(client_for(server, clock).get_signing_key("rsa-a"), "rsa-a")


def test_headers_are_sent(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"))
    client_for(server, clock, headers={"X-Api-Key": "k1", "User-Agent": "cyjose-test"}).get_jwk_set()
    assert server.last_headers["X-Api-Key"] == "k1"
    assert server.last_headers["User-Agent"] == "cyjose-test"


def test_refresh_true_fetches_again(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"))
    client = client_for(server, clock)
    client.get_jwk_set()
    server.serve_json(key_set("rsa-b"))
    assert [k.key_id for k in client.get_signing_keys(refresh=True)] == ["rsa-b"]
    assert server.hits() == 2


def test_cache_disabled_fetches_every_time_and_once_per_unknown_kid(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"))
    client = client_for(server, clock, cache_jwk_set=False)
    assert client.jwk_set_cache is None
    client.get_signing_key("rsa-a")
    client.get_signing_key("rsa-a")
    assert server.hits() == 2
    with pytest.raises(PyJWKClientError, match="Unable to find"):
        client.get_signing_key("rsa-b")
    assert server.hits() == 3  # the set fetched for this call is not fetched again


def test_cache_keys_never_serves_a_withdrawn_key(server: JWKSServer, clock: FakeClock) -> None:
    # Unlike PyJWT's lru_cache, a key is served only while its set is.
    server.serve_json(key_set("rsa-a", "rsa-b"))
    client = client_for(server, clock, cache_keys=True, max_cached_keys=4)
    client.get_signing_key("rsa-a")
    server.serve_json(key_set("rsa-b"))
    clock.advance(301)
    with pytest.raises(PyJWKClientError, match="Unable to find"):
        client.get_signing_key("rsa-a")
    assert_verifies(client.get_signing_key("rsa-b"), "rsa-b")
    assert server.hits() == 2


def test_fetch_data_returns_the_object_and_fills_the_cache(server: JWKSServer, clock: FakeClock) -> None:
    served = key_set("rsa-a")
    server.serve_json(served)
    client = client_for(server, clock)
    assert client.fetch_data() == served
    assert client.jwk_set_cache is not None and client.jwk_set_cache.get() is not None
    client.get_signing_key("rsa-a")
    assert server.hits() == 1


def test_fetch_data_override_is_used_and_cached(clock: FakeClock) -> None:
    calls = []

    class FromMemory(PyJWKClient):
        def fetch_data(self) -> Any:
            calls.append(1)
            return key_set("ec-c")

    client = FromMemory("https://idp.invalid/jwks", clock=clock)
    assert_verifies(client.get_signing_key("ec-c"), "ec-c")
    client.get_signing_key("ec-c")
    assert len(calls) == 1
    clock.advance(301)
    client.get_signing_key("ec-c")
    assert len(calls) == 2


@pytest.mark.parametrize("kid", [None, 7, ["rsa-a"]])
def test_kid_that_is_not_a_string_never_fetches(server: JWKSServer, clock: FakeClock, kid: Any) -> None:
    server.serve_json(key_set("rsa-a"))
    client = client_for(server, clock, cooldown_duration=0)
    with pytest.raises(PyJWKClientError, match="Unable to find a signing key that matches"):
        client.get_signing_key(kid)
    assert server.hits() == 1


def test_malformed_token(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"))
    client = client_for(server, clock)
    with pytest.raises(DecodeError):
        client.get_signing_key_from_jwt("not-a-token")
    assert server.hits() == 0


# --- rotation and the unknown-kid cooldown ---------------------------------------


def test_rotation_picked_up_by_unknown_kid_after_cooldown(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"))
    client = client_for(server, clock)
    client.get_signing_key("rsa-a")
    server.serve_json(key_set("rsa-a", "rsa-b"))  # the IdP rotates
    with pytest.raises(PyJWKClientError, match='Unable to find a signing key that matches: "rsa-b"'):
        client.get_signing_key_from_jwt(token_for("rsa-b"))  # within the cooldown: no fetch
    assert server.hits() == 1
    clock.advance(30)
    assert_verifies(client.get_signing_key_from_jwt(token_for("rsa-b")), "rsa-b")
    assert server.hits() == 2


def test_cooldown_zero_refetches_at_once(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"))
    client = client_for(server, clock, cooldown_duration=0)
    client.get_signing_key("rsa-a")
    server.serve_json(key_set("rsa-b"))
    assert_verifies(client.get_signing_key("rsa-b"), "rsa-b")
    assert server.hits() == 2


def test_random_kid_flood_makes_at_most_one_fetch_per_cooldown(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"))
    client = client_for(server, clock, cooldown_duration=30)
    client.get_signing_key("rsa-a")
    for window in range(3):
        for _ in range(1000):
            with pytest.raises(PyJWKClientError, match="Unable to find"):
                client.get_signing_key(uuid.uuid4().hex)
        assert server.hits() == 1 + window
        clock.advance(30)


def test_random_kid_flood_from_threads_makes_one_fetch(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"))
    client = client_for(server, clock)
    client.get_signing_key("rsa-a")
    clock.advance(31)  # the cooldown allows one refetch now

    def flood(i: int) -> int:
        for _ in range(50):
            with pytest.raises(PyJWKClientError, match="Unable to find"):
                client.get_signing_key(uuid.uuid4().hex)
        return i

    assert run_threads(20, flood) == list(range(20))
    assert server.hits() == 2


# --- failures: stale-if-error, no prior set, safety limits ---------------------------

FAILURES = {
    "http 500": Reply(status=500, body=b"oops"),
    "not json": Reply(body=b"<html>maintenance</html>"),
    "no usable key": Reply(body=b'{"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB"}]}'),
    "too large": Reply(body=b" " * 2_000_000),
}


@pytest.mark.parametrize("failure", FAILURES, ids=list(FAILURES))
def test_stale_set_served_when_refresh_fails(
    server: JWKSServer, clock: FakeClock, failure: str, caplog: pytest.LogCaptureFixture
) -> None:
    server.serve_json(key_set("rsa-a"))
    client = client_for(server, clock)
    client.get_signing_key("rsa-a")
    assert client.last_error is None
    server.reply(FAILURES[failure])
    clock.advance(301)
    with caplog.at_level(logging.WARNING, logger="cyjose.jwks_client"):
        assert_verifies(client.get_signing_key("rsa-a"), "rsa-a")
    assert client.metrics()["fetches"] == 2  # (a 5xx attempt retries inside its timeout)
    assert isinstance(client.last_error, (PyJWKClientError, PyJWKSetError))
    assert "JWKS fetch failed" in caplog.text
    # Within the cooldown the stale set is served without retrying...
    clock.advance(29)
    client.get_signing_key("rsa-a")
    assert client.metrics()["fetches"] == 2
    # ...and an unknown kid is refused without a fetch, naming the fetch failure as its cause.
    with pytest.raises(PyJWKClientError, match="Unable to find"):
        client.get_signing_key("rsa-b")
    assert client.metrics()["fetches"] == 2
    clock.advance(1)
    client.get_signing_key("rsa-a")
    assert client.metrics()["fetches"] == 3
    server.serve_json(key_set("rsa-b"))  # the endpoint recovers, with a rotated set
    clock.advance(30)
    assert_verifies(client.get_signing_key("rsa-b"), "rsa-b")
    assert client.last_error is None


def test_stale_set_served_for_at_most_stale_if_error(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"))
    client = client_for(server, clock, stale_if_error=100)
    client.get_signing_key("rsa-a")
    server.reply(Reply(status=503))
    clock.advance(300 + 100)  # expired exactly 100 s ago: still served
    client.get_signing_key("rsa-a")
    clock.advance(1)
    with pytest.raises(PyJWKClientConnectionError, match='Fail to fetch data from the url, err: "HTTP Error 503'):
        client.get_signing_key("rsa-a")


def test_stale_if_error_zero_turns_it_off(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"))
    client = client_for(server, clock, stale_if_error=0)
    client.get_signing_key("rsa-a")
    server.reply(Reply(status=500))
    clock.advance(301)
    with pytest.raises(PyJWKClientConnectionError):
        client.get_signing_key("rsa-a")


def test_stale_if_error_none_serves_any_age(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"))
    client = client_for(server, clock, stale_if_error=None)
    client.get_signing_key("rsa-a")
    server.reply(Reply(status=500))
    clock.advance(10 * 365 * 86400)
    assert_verifies(client.get_signing_key("rsa-a"), "rsa-a")


def test_explicit_refresh_falls_back_on_the_stale_set(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"))
    client = client_for(server, clock)
    first = client.get_jwk_set()
    server.reply(Reply(status=500))
    assert client.get_jwk_set(refresh=True) is first
    assert isinstance(client.last_error, PyJWKClientConnectionError)
    with pytest.raises(PyJWKClientConnectionError):
        client.fetch_data()  # the raw fetch never falls back


@pytest.mark.parametrize("status", [400, 401, 404, 500, 503])
def test_failure_without_prior_set_raises_connection_error(server: JWKSServer, clock: FakeClock, status: int) -> None:
    server.reply(Reply(status=status, body=b"error page"))
    client = client_for(server, clock)
    with pytest.raises(PyJWKClientConnectionError, match=f'Fail to fetch data from the url, err: "HTTP Error {status}'):
        client.get_signing_key("rsa-a")
    with pytest.raises(PyJWKClientConnectionError, match=f"HTTP Error {status}"):
        client.get_signing_key("rsa-a")  # within the cooldown: the same error, no request
    requests = server.hits()
    assert requests == (4 if status >= 500 else 1)  # 5xx is retried inside the attempt, 4xx never
    clock.advance(31)  # past the cooldown: one more attempt
    with pytest.raises(PyJWKClientConnectionError):
        client.get_signing_key("rsa-a")
    assert server.hits() == 2 * requests


def test_unreachable_endpoint(clock: FakeClock) -> None:
    with JWKSServer() as gone:
        url = gone.url()
    client = PyJWKClient(url, clock=clock, timeout=2)
    with pytest.raises(PyJWKClientConnectionError, match="Fail to fetch data from the url"):
        client.get_jwk_set()


def test_error_messages_do_not_show_the_uri_or_headers(server: JWKSServer, clock: FakeClock) -> None:
    server.reply(Reply(status=500), path="/jwks?access_token=s3cr3t")
    client = PyJWKClient(server.url("/jwks?access_token=s3cr3t"), headers={"Authorization": "Bearer s3cr3t"}, clock=clock)
    with pytest.raises(PyJWKClientConnectionError) as info:
        client.get_jwk_set()
    assert server.hits("/jwks?access_token=s3cr3t") == 4  # a 5xx, retried
    assert "s3cr3t" not in str(info.value) and "s3cr3t" not in repr(info.value)
    assert "s3cr3t" not in repr(client)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_is_refused(server: JWKSServer, clock: FakeClock, status: int) -> None:
    server.serve_json(key_set("rsa-a"), path="/elsewhere")
    server.reply(Reply(status=status, headers={"Location": server.url("/elsewhere")}))
    with pytest.raises(PyJWKClientConnectionError, match="redirects are not followed"):
        client_for(server, clock).get_jwk_set()
    assert server.hits("/elsewhere") == 0


def test_stall_longer_than_timeout(server: JWKSServer, clock: FakeClock) -> None:
    server.reply(Reply(stall=30, body=json.dumps(key_set("rsa-a")).encode()))
    client = client_for(server, clock, timeout=0.3)
    with pytest.raises(PyJWKClientConnectionError, match="timed out"):
        client.get_jwk_set()


def test_trickled_body_is_cut_at_the_timeout(server: JWKSServer, clock: FakeClock) -> None:
    # Every byte arrives well within the socket timeout; the whole body would take 20 s.
    server.reply(Reply(trickle=0.1, body=json.dumps(key_set("rsa-a")).encode()))
    client = client_for(server, clock, timeout=0.5)
    with pytest.raises(PyJWKClientConnectionError, match="timed out reading the response"):
        client.get_jwk_set()


GARBAGE = {
    "not json": (b"this is not json", PyJWKClientError, "did not return a JSON object"),
    "empty body": (b"", PyJWKClientError, "did not return a JSON object"),
    "json array": (b'[{"kty": "RSA"}]', PyJWKClientError, "did not return a JSON object"),
    "json string": (b'"keys"', PyJWKClientError, "did not return a JSON object"),
    "invalid utf-8": (b'{"keys": "\xff\xfe"}', PyJWKClientError, "did not return a JSON object"),
    "deep nesting": (b"[" * 200_000 + b"]" * 200_000, PyJWKClientError, "did not return a JSON object"),
    "NaN": (b'{"keys": NaN}', PyJWKClientError, "did not return a JSON object"),
    "no keys member": (b'{"issuer": "x"}', PyJWKSetError, "did not contain any keys"),
    "empty keys": (b'{"keys": []}', PyJWKSetError, "did not contain any keys"),
    "keys not a list": (b'{"keys": {"kty": "RSA"}}', PyJWKSetError, "Invalid JWK Set value"),
    "keys of junk": (b'{"keys": [1, "x", null, {}, {"kty": 5}, {"kty": "EC", "crv": "P-256"}]}',
                     PyJWKSetError, "did not contain any usable keys"),
}


@pytest.mark.parametrize("name", GARBAGE, ids=list(GARBAGE))
def test_garbage_response(server: JWKSServer, clock: FakeClock, name: str) -> None:
    body, error, message = GARBAGE[name]
    server.reply(Reply(body=body))
    client = client_for(server, clock)
    for call in (client.get_jwk_set, lambda: client.get_signing_key("rsa-a"),
                 lambda: client.get_signing_key_from_jwt(token_for("rsa-a"))):
        with pytest.raises(error, match=message):
            call()


@pytest.mark.parametrize("content_length", [True, False], ids=["declared", "undeclared"])
def test_body_over_the_size_limit(server: JWKSServer, clock: FakeClock, content_length: bool) -> None:
    body = json.dumps(key_set("rsa-a", "rsa-b", "ec-c")).encode()
    server.reply(Reply(body=body, content_length=content_length))
    with pytest.raises(PyJWKClientError, match=f"larger than {len(body) - 1} bytes"):
        client_for(server, clock, max_response_bytes=len(body) - 1).get_jwk_set()
    assert len(client_for(server, clock, max_response_bytes=len(body)).get_jwk_set().keys) == 3


def test_default_size_limit_is_one_mib(server: JWKSServer, clock: FakeClock) -> None:
    padded = {**key_set("rsa-a"), "padding": "x" * (1024 * 1024)}
    server.serve_json(padded)
    with pytest.raises(PyJWKClientError, match="larger than 1048576 bytes"):
        client_for(server, clock).get_jwk_set()


# --- single flight ---------------------------------------------------------------


def held_reply(server: JWKSServer, reply: Reply) -> threading.Event:
    gate = threading.Event()
    reply.hold = gate
    server.reply(reply)
    return gate


def release_when_first_request_arrives(server: JWKSServer, gate: threading.Event, after: int = 1) -> threading.Thread:
    """Open ``gate`` a moment after request number ``after`` arrives, so the other callers queue behind it."""

    def release() -> None:
        server.wait_for_hits(after)
        time.sleep(0.5)
        gate.set()

    thread = threading.Thread(target=release)
    thread.start()
    return thread


def test_concurrent_misses_make_one_request(server: JWKSServer, clock: FakeClock) -> None:
    # Threads queued behind the held response share it; a thread late enough to miss it finds
    # the set cached, so exactly one request is made either way -- unless each miss fetches.
    gate = held_reply(server, Reply(body=json.dumps(key_set("rsa-a")).encode()))
    client = client_for(server, clock)
    releaser = release_when_first_request_arrives(server, gate)
    results = run_threads(50, lambda i: client.get_signing_key("rsa-a"))
    releaser.join()
    assert all(isinstance(r, PyJWK) and r.key_id == "rsa-a" for r in results), results
    assert server.hits() == 1


def test_concurrent_misses_share_one_failure(server: JWKSServer, clock: FakeClock) -> None:
    # With no set to fall back on, a thread that missed the shared failure would fetch again:
    # the gate stays shut half a second after the first request so all 20 have queued.
    gate = held_reply(server, Reply(status=502))
    client = client_for(server, clock)
    releaser = release_when_first_request_arrives(server, gate)
    results = run_threads(20, lambda i: client.get_signing_key("rsa-a"))
    releaser.join()
    assert all(isinstance(r, PyJWKClientConnectionError) for r in results), results
    assert len({id(r) for r in results}) == 20  # each caller raises its own instance
    assert client.metrics()["fetches"] == 1


def test_callers_with_a_new_kid_wait_for_the_refetch_in_progress(server: JWKSServer, clock: FakeClock) -> None:
    # During a rotation, requests with the new kid that arrive while its refetch is in flight
    # join that fetch instead of being refused for the cooldown.
    server.serve_json(key_set("rsa-a"))
    client = client_for(server, clock)
    client.get_jwk_set()
    clock.advance(client.cooldown_duration)  # the set is still fresh; an unknown kid may refetch
    gate = held_reply(server, Reply(body=json.dumps(key_set("rsa-a", "rsa-b")).encode()))
    releaser = release_when_first_request_arrives(server, gate, after=2)
    results = run_threads(20, lambda i: client.get_signing_key("rsa-b"))
    releaser.join()
    assert all(isinstance(r, PyJWK) and r.key_id == "rsa-b" for r in results), results
    assert server.hits() == 2


def test_async_callers_with_a_new_kid_wait_for_the_refetch_in_progress(
    server: JWKSServer, clock: FakeClock
) -> None:
    server.serve_json(key_set("rsa-a"))
    client = async_client_for(server, clock)

    async def main() -> List[Any]:
        await client.get_jwk_set()
        clock.advance(client.cooldown_duration)  # the set is still fresh; an unknown kid may refetch
        gate = held_reply(server, Reply(body=json.dumps(key_set("rsa-a", "rsa-b")).encode()))
        tasks = [asyncio.ensure_future(client.get_signing_key("rsa-b")) for _ in range(20)]
        for _ in range(300):  # until the refetch arrives (at most 3 s)
            if server.hits() >= 2:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)
        gate.set()
        return await asyncio.gather(*tasks)

    results = asyncio.run(main())
    assert all(r.key_id == "rsa-b" for r in results)
    assert server.hits() == 2


def test_a_stalled_fetch_fails_every_waiter(server: JWKSServer, clock: FakeClock) -> None:
    gate = held_reply(server, Reply(body=json.dumps(key_set("rsa-a")).encode()))
    client = client_for(server, clock, timeout=0.2)
    results = run_threads(5, lambda i: client.get_jwk_set())
    gate.set()
    assert all(isinstance(r, PyJWKClientConnectionError) for r in results), results
    assert server.hits() == 1


def test_waiters_stop_waiting_one_second_after_the_timeout(clock: FakeClock) -> None:
    # A fetch_data override that overruns its timeout: the waiters give up, the stale set is served.
    started, release = threading.Event(), threading.Event()

    class Stuck(PyJWKClient):
        def fetch_data(self) -> Any:
            if self.jwk_set_cache is not None and self.jwk_set_cache.get_stale(None) is not None:
                started.set()
                release.wait(10)
            return key_set("rsa-a")

    client = Stuck("https://idp.invalid/jwks", clock=clock, timeout=0.1)
    first = client.get_jwk_set()
    clock.advance(301)
    leader = threading.Thread(target=client.get_jwk_set)
    leader.start()
    try:
        assert started.wait(5)
        assert client.get_jwk_set() is first  # gave up waiting: stale set
        assert client.last_error is None  # only the fetch itself records its outcome
        client.jwk_set_cache.put(None)  # type: ignore[union-attr]
        with pytest.raises(PyJWKClientConnectionError, match="timed out waiting for the fetch in progress"):
            client.get_jwk_set()
    finally:
        release.set()
        leader.join()
    assert client.get_jwk_set() is not first  # the slow fetch finished and was cached


# --- Cache-Control ------------------------------------------------------------------


def test_max_age_shorter_than_lifespan(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"), headers={"Cache-Control": "public, max-age=60"})
    client = client_for(server, clock, lifespan=300)
    client.get_jwk_set()
    clock.advance(60)
    client.get_jwk_set()
    assert server.hits() == 1
    clock.advance(1)
    client.get_jwk_set()
    assert server.hits() == 2


def test_max_age_longer_than_lifespan(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"), headers={"Cache-Control": 'max-age="3600", must-revalidate'})
    client = client_for(server, clock, lifespan=10)
    client.get_jwk_set()
    clock.advance(3600)
    client.get_jwk_set()
    assert server.hits() == 1
    clock.advance(1)
    client.get_jwk_set()
    assert server.hits() == 2


@pytest.mark.parametrize("value", ["no-cache", "no-store", "max-age=0", "private, max-age=-5", "max-age=abc"])
def test_no_cache_gets_a_five_second_floor(server: JWKSServer, clock: FakeClock, value: str) -> None:
    server.serve_json(key_set("rsa-a"), headers={"Cache-Control": value})
    client = client_for(server, clock)
    client.get_jwk_set()
    clock.advance(5)
    client.get_jwk_set()
    assert server.hits() == 1
    clock.advance(1)
    client.get_jwk_set()
    assert server.hits() == 2


def test_lifespan_below_the_floor_lowers_it(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"), headers={"Cache-Control": "no-store"})
    client = client_for(server, clock, lifespan=2)
    client.get_jwk_set()
    clock.advance(2.5)
    client.get_jwk_set()
    assert server.hits() == 2


@pytest.mark.parametrize("value", ["max-age=999999999", "max-age=31536000000", "max-age=" + "9" * 5000])
def test_absurd_max_age_is_clamped_to_a_day(server: JWKSServer, clock: FakeClock, value: str) -> None:
    server.serve_json(key_set("rsa-a"), headers={"Cache-Control": value})
    client = client_for(server, clock)
    client.get_jwk_set()
    clock.advance(86400)
    client.get_jwk_set()
    assert server.hits() == 1
    clock.advance(1)
    client.get_jwk_set()
    assert server.hits() == 2


# --- construction -------------------------------------------------------------------


@pytest.mark.parametrize(
    "uri", ["file:///etc/passwd", "ftp://idp.example/jwks", "data:application/json,{}", "", "/jwks", "gopher://x"]
)
def test_only_http_and_https(uri: str) -> None:
    with pytest.raises(PyJWKClientError, match="only 'http' and 'https' are supported") as ours:
        PyJWKClient(uri)
    with pytest.raises(pyjwt.PyJWKClientError) as theirs:
        pyjwt.PyJWKClient(uri)
    assert str(ours.value) == str(theirs.value)
    with pytest.raises(PyJWKClientError):
        AsyncPyJWKClient(uri)


@pytest.mark.parametrize(
    "uri", ["http://", "https:///jwks", "http://[::1/jwks", "http://idp:99999999/jwks", "http://idp:x/jwks",
            "http://idp/j wks", "http://idp/jwks\r\nX: y", "http://idp/clé", "https://user:s3cr3t@idp/jwks"]
)
def test_malformed_uri(uri: str) -> None:
    with pytest.raises(PyJWKClientError, match="Invalid JWKS URI") as info:
        PyJWKClient(uri)
    assert "s3cr3t" not in str(info.value)


@pytest.mark.parametrize(
    "kwargs", [{"lifespan": 0}, {"lifespan": -1}, {"cooldown_duration": -1}, {"cooldown_duration": math.inf}]
)
def test_argument_messages_match_pyjwt(kwargs: Dict[str, Any]) -> None:
    with pytest.raises(pyjwt.PyJWKClientError) as theirs:
        pyjwt.PyJWKClient("https://idp.example/jwks", **kwargs)
    with pytest.raises(PyJWKClientError) as ours:
        PyJWKClient("https://idp.example/jwks", **kwargs)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize(
    "kwargs", [{"lifespan": math.nan},  # PyJWT accepts it: a cache that never expires
               {"timeout": 0}, {"timeout": math.nan}, {"max_response_bytes": 0}, {"stale_if_error": -1},
               {"stale_if_error": math.nan}]
)
def test_out_of_range_arguments(kwargs: Dict[str, Any]) -> None:
    with pytest.raises(PyJWKClientError):
        PyJWKClient("https://idp.example/jwks", **kwargs)


def test_lifespan_unchecked_without_set_cache() -> None:
    client = PyJWKClient("https://idp.example/jwks", cache_jwk_set=False, lifespan=0)
    assert client.jwk_set_cache is None


def test_exported_from_the_package() -> None:
    assert cyjose.PyJWKClient is PyJWKClient
    assert cyjose.AsyncPyJWKClient is AsyncPyJWKClient
    assert {"PyJWKClient", "AsyncPyJWKClient"} <= set(cyjose.__all__)


# --- JWKSetCache ------------------------------------------------------------------


def test_jwk_set_cache(clock: FakeClock) -> None:
    cache = JWKSetCache(10, clock=clock)
    assert cache.get() is None and cache.get_stale(None) is None and not cache.is_expired()
    cache.put(key_set("rsa-a"))
    stored = cache.get()
    assert isinstance(stored, PyJWKSet) and stored["rsa-a"].key_id == "rsa-a"
    clock.advance(10)
    assert cache.get() is stored and not cache.is_expired()
    clock.advance(1)
    assert cache.get() is None and cache.is_expired()
    assert cache.get_stale(1) is stored and cache.get_stale(None) is stored
    assert cache.get_stale(0.5) is None
    cache.put(stored, lifespan=100)
    clock.advance(100)
    assert cache.get() is stored
    cache.put(None)
    assert cache.get() is None and cache.get_stale(None) is None


def test_jwk_set_cache_refuses_bad_values() -> None:
    cache = JWKSetCache(10)
    with pytest.raises(PyJWKSetError, match="Invalid JWK Set value"):
        cache.put([public_jwk("rsa-a")])  # type: ignore[arg-type]
    with pytest.raises(PyJWKSetError, match="did not contain any keys"):
        cache.put({"keys": []})


def test_jwk_set_cache_negative_lifespan_never_expires(clock: FakeClock) -> None:
    cache = JWKSetCache(-1, clock=clock)
    cache.put(key_set("rsa-a"))
    clock.advance(1e9)
    assert cache.get() is not None and not cache.is_expired()


# --- AsyncPyJWKClient ----------------------------------------------------------------


def async_client_for(server: JWKSServer, clock: FakeClock, **kwargs: Any) -> AsyncPyJWKClient:
    kwargs.setdefault("timeout", 2)
    return AsyncPyJWKClient(server.url(), clock=clock, **kwargs)


def test_async_serves_caches_and_verifies(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a", "ec-c"))
    client = async_client_for(server, clock)

    async def main() -> None:
        assert_verifies(await client.get_signing_key_from_jwt(token_for("rsa-a")), "rsa-a")
        assert_verifies(await client.get_signing_key("ec-c"), "ec-c")
        assert [k.key_id for k in await client.get_signing_keys()] == ["rsa-a", "ec-c"]
        assert server.hits() == 1
        clock.advance(301)
        await client.get_jwk_set()
        assert server.hits() == 2
        assert (await client.fetch_data())["keys"][0]["kid"] == "rsa-a"
        assert server.hits() == 3

    asyncio.run(main())


def test_async_rotation_and_cooldown(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"))
    client = async_client_for(server, clock)

    async def main() -> None:
        await client.get_signing_key("rsa-a")
        server.serve_json(key_set("rsa-a", "rsa-b"))
        with pytest.raises(PyJWKClientError, match="Unable to find"):
            await client.get_signing_key("rsa-b")
        assert server.hits() == 1
        clock.advance(30)
        assert_verifies(await client.get_signing_key("rsa-b"), "rsa-b")
        assert server.hits() == 2

    asyncio.run(main())


def test_async_random_kid_flood(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"))
    client = async_client_for(server, clock)

    async def lookup(kid: str) -> Any:
        try:
            return await client.get_signing_key(kid)
        except PyJWKClientError as exc:
            return exc

    async def main() -> None:
        await client.get_signing_key("rsa-a")
        for expected_hits in (1, 2):
            results = await asyncio.gather(*(lookup(uuid.uuid4().hex) for _ in range(1000)))
            assert all(isinstance(r, PyJWKClientError) for r in results)
            assert server.hits() == expected_hits
            clock.advance(30)

    asyncio.run(main())


def test_async_stale_then_recovery(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"))
    client = async_client_for(server, clock)

    async def main() -> None:
        first = await client.get_jwk_set()
        server.reply(Reply(status=500))
        clock.advance(301)
        assert await client.get_jwk_set() is first
        assert isinstance(client.last_error, PyJWKClientConnectionError)
        assert await client.get_jwk_set() is first
        assert client.metrics()["fetches"] == 2  # no new attempt within the cooldown
        server.serve_json(key_set("rsa-b"))
        clock.advance(30)
        assert_verifies(await client.get_signing_key("rsa-b"), "rsa-b")
        assert client.last_error is None

    asyncio.run(main())


def test_async_failures_without_prior_set(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"), path="/elsewhere")

    async def main() -> None:
        server.reply(Reply(status=500))
        with pytest.raises(PyJWKClientConnectionError, match="HTTP Error 500"):
            await async_client_for(server, clock).get_signing_key("rsa-a")
        server.reply(Reply(status=302, headers={"Location": server.url("/elsewhere")}))
        with pytest.raises(PyJWKClientConnectionError, match="redirects are not followed"):
            await async_client_for(server, clock).get_signing_key("rsa-a")
        server.reply(Reply(body=b"[]"))
        with pytest.raises(PyJWKClientError, match="did not return a JSON object"):
            await async_client_for(server, clock).get_signing_key("rsa-a")
        server.reply(Reply(stall=30))
        with pytest.raises(PyJWKClientConnectionError, match="timed out"):
            await async_client_for(server, clock, timeout=0.3).get_signing_key("rsa-a")

    asyncio.run(main())
    assert server.hits("/elsewhere") == 0


def test_async_concurrent_misses_make_one_request(server: JWKSServer, clock: FakeClock) -> None:
    gate = held_reply(server, Reply(body=json.dumps(key_set("rsa-a")).encode()))
    client = async_client_for(server, clock, cache_jwk_set=False)

    async def main() -> List[Any]:
        tasks = [asyncio.ensure_future(client.get_signing_key("rsa-a")) for _ in range(50)]
        loser = asyncio.ensure_future(client.get_jwk_set())
        while server.hits() < 1:
            await asyncio.sleep(0.01)
        loser.cancel()  # a caller that goes away does not cancel the shared fetch
        await asyncio.sleep(0.1)
        gate.set()
        return await asyncio.gather(*tasks)

    results = asyncio.run(main())
    assert all(r.key_id == "rsa-a" for r in results)
    assert server.hits() == 1


def test_async_concurrent_misses_share_one_failure(server: JWKSServer, clock: FakeClock) -> None:
    gate = held_reply(server, Reply(status=500))
    client = async_client_for(server, clock, cache_jwk_set=False)

    async def main() -> List[Any]:
        tasks = [asyncio.ensure_future(client.get_jwk_set()) for _ in range(20)]
        while server.hits() < 1:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)
        gate.set()
        return await asyncio.gather(*tasks, return_exceptions=True)

    results = asyncio.run(main())
    assert all(isinstance(r, PyJWKClientConnectionError) for r in results), results
    assert client.metrics()["fetches"] == 1


def test_async_waiters_stop_waiting_one_second_after_the_timeout(clock: FakeClock) -> None:
    calls = []

    class Stuck(AsyncPyJWKClient):
        release: asyncio.Event

        async def fetch_data(self) -> Any:
            calls.append(1)
            await self.release.wait()
            return key_set("rsa-a")

    client = Stuck("https://idp.invalid/jwks", clock=clock, timeout=0.1)

    async def main() -> None:
        client.release = asyncio.Event()  # made inside the loop (Python 3.9 binds it at creation)
        results = await asyncio.gather(*(client.get_jwk_set() for _ in range(3)), return_exceptions=True)
        for result in results:
            assert isinstance(result, PyJWKClientConnectionError)
            assert "timed out waiting for the fetch in progress" in str(result)
        client.release.set()  # the fetch carried on without its waiters; its result is cached
        for _ in range(100):
            await asyncio.sleep(0.01)
            if client.jwk_set_cache.get() is not None:  # type: ignore[union-attr]
                break
        assert [k.key_id for k in await client.get_signing_keys()] == ["rsa-a"]
        assert len(calls) == 1

    asyncio.run(main())


def test_async_max_age(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"), headers={"Cache-Control": "max-age=60"})
    client = async_client_for(server, clock)

    async def main() -> None:
        await client.get_jwk_set()
        clock.advance(60)
        await client.get_jwk_set()
        assert server.hits() == 1
        clock.advance(1)
        await client.get_jwk_set()
        assert server.hits() == 2

    asyncio.run(main())


def test_async_fetch_data_override_needs_no_http(clock: FakeClock) -> None:
    calls = []

    class OwnHttp(AsyncPyJWKClient):
        async def fetch_data(self) -> Any:
            calls.append(1)
            await asyncio.sleep(0.05)  # an async HTTP client would await here
            return key_set("ec-c")

    client = OwnHttp("https://idp.invalid/jwks", clock=clock)

    async def main() -> List[Any]:
        return await asyncio.gather(*(client.get_signing_key("ec-c") for _ in range(10)))

    results = asyncio.run(main())
    assert_verifies(results[0], "ec-c")
    assert len(calls) == 1
