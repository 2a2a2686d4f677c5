"""A Verifier over a changing key source: the re-check race, the monotonic schedule, async verification, typ.

Real endpoints on 127.0.0.1 (tests/jwks_server.py). The clocks are patched
(``time.time`` for claims, ``time.monotonic`` for the client and the
Verifier's re-checks) so the tests move them by hand instead of sleeping.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, Dict, List

import pytest
import sample_keys as keys
from jwks_server import JWKSServer
from test_verifier_keysets import Clock, jwks, token

import cyjose
from cyjose import AsyncPyJWKClient, PyJWKClient
from cyjose._keyset import RECHECK_SECONDS
from cyjose.algorithms import BoundKey
from cyjose.exceptions import (
    InvalidAudienceError,
    InvalidKeyError,
    InvalidTokenTypeError,
    MissingRequiredClaimError,
    UnknownKeyError,
)

MAX_AGE_5 = {"Cache-Control": "max-age=5"}


@pytest.fixture
def server() -> Any:
    with JWKSServer() as srv:
        yield srv


@pytest.fixture
def clocks(monkeypatch: pytest.MonkeyPatch) -> Any:
    wall, mono = Clock(time.time()), Clock(time.monotonic())
    monkeypatch.setattr(time, "time", wall)
    monkeypatch.setattr(time, "monotonic", mono)
    return wall, mono


# -- the re-check race -------------------------------------------------------------


def test_a_recheck_is_never_overwritten_by_the_state_a_token_started_from(
    server: JWKSServer, clocks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thread A binds a newly seen kid while thread B's re-check finds a key withdrawn.

    A is paused at the exact point between "the state is still the one I
    started from" and "publish it with my key": the first hash of a BoundKey
    in A's thread (building the new set of key tags). Without the
    compare-and-set, B publishes the re-checked state during that pause and
    A then overwrites it with the old one, withdrawn key included, which later
    re-checks never notice (they compare B's list of chosen keys).
    """
    wall, mono = clocks
    server.serve_json(jwks("rsa-a", "rsa-b"), headers=MAX_AGE_5)
    verifier = cyjose.Verifier(PyJWKClient(server.url(), clock=mono, timeout=2), algorithms=["RS256"])
    assert verifier.verify(token("rsa-a")) == {"sub": "rsa-a"}

    a_paused, b_done = threading.Event(), threading.Event()
    paused_thread: List[int] = []
    original_hash = BoundKey.__hash__

    def pausing_hash(self: BoundKey) -> int:
        if paused_thread and threading.get_ident() == paused_thread[0]:
            paused_thread.clear()  # pause once
            a_paused.set()
            b_done.wait(2)  # B cannot finish while A holds the lock: give up after 2 s
        return original_hash(self)

    monkeypatch.setattr(BoundKey, "__hash__", pausing_hash)
    outcomes: Dict[str, Any] = {}

    def thread_a() -> None:
        paused_thread.append(threading.get_ident())
        outcomes["a"] = verifier.verify(token("rsa-b"))

    def thread_b() -> None:
        try:
            verifier.verify(token("rsa-a"))
            outcomes["b"] = "verified"
        except UnknownKeyError as error:
            outcomes["b"] = error
        finally:
            b_done.set()

    a = threading.Thread(target=thread_a)
    a.start()
    assert a_paused.wait(5)
    server.serve_json(jwks("rsa-b"), headers=MAX_AGE_5)  # emergency rotation: rsa-a withdrawn
    mono.now += RECHECK_SECONDS + 1
    wall.now += RECHECK_SECONDS + 1  # (whichever clock schedules the re-check)
    b = threading.Thread(target=thread_b)
    b.start()
    a.join(10)
    b.join(10)
    assert outcomes["a"] == {"sub": "rsa-b"}
    assert isinstance(outcomes["b"], UnknownKeyError)
    monkeypatch.setattr(BoundKey, "__hash__", original_hash)
    for _ in range(3):  # and it stays withdrawn
        with pytest.raises(UnknownKeyError):
            verifier.verify(token("rsa-a"))
        mono.now += RECHECK_SECONDS + 1
        wall.now += RECHECK_SECONDS + 1
    assert verifier.verify(token("rsa-b")) == {"sub": "rsa-b"}


# -- the schedule runs on the monotonic clock --------------------------------------


@pytest.mark.parametrize("cache_size", [0, 8])
def test_a_wall_clock_step_back_does_not_delay_a_withdrawal(server: JWKSServer, clocks: Any, cache_size: int) -> None:
    wall, mono = clocks
    server.serve_json(jwks("rsa-a", "rsa-b"), headers=MAX_AGE_5)
    verifier = cyjose.Verifier(PyJWKClient(server.url(), clock=mono, timeout=2), algorithms=["RS256"],
                               cache_size=cache_size)
    withdrawn = token("rsa-a")
    assert verifier.verify(withdrawn) == {"sub": "rsa-a"}
    server.serve_json(jwks("rsa-b"), headers=MAX_AGE_5)
    wall.now -= 30  # NTP steps the wall clock back
    mono.now += RECHECK_SECONDS + 1
    with pytest.raises(UnknownKeyError):
        verifier.verify(withdrawn)


def test_a_wall_clock_step_forward_does_not_force_rechecks(server: JWKSServer, clocks: Any) -> None:
    wall, mono = clocks
    server.serve_json(jwks("rsa-a"), headers=MAX_AGE_5)
    verifier = cyjose.Verifier(PyJWKClient(server.url(), clock=mono, timeout=2), algorithms=["RS256"])
    verifier.verify(token("rsa-a"))
    wall.now += 3600
    for _ in range(5):
        assert verifier.verify(token("rsa-a")) == {"sub": "rsa-a"}
    assert server.hits() == 1


# -- async verification ------------------------------------------------------------


def test_averify_never_blocks_the_loop_while_a_fetch_stalls(server: JWKSServer) -> None:
    async def scenario() -> None:
        server.serve_json(jwks("rsa-a"))
        verifier = cyjose.Verifier(AsyncPyJWKClient(server.url(), timeout=5, cooldown_duration=0),
                                   algorithms=["RS256"])
        assert await verifier.averify(token("rsa-a")) == {"sub": "rsa-a"}
        release = threading.Event()
        server.serve_json(jwks("rsa-a", "rsa-b"), hold=release)
        stalled = asyncio.ensure_future(verifier.averify(token("rsa-b")))  # unknown kid: a fetch, held
        while server.hits() < 2:
            await asyncio.sleep(0.005)
        # Meanwhile the loop serves other requests: a bound key answers without the network.
        for _ in range(20):
            assert await verifier.averify(token("rsa-a")) == {"sub": "rsa-a"}
        assert (await verifier.averify_complete(token("rsa-a")))["header"]["kid"] == "rsa-a"
        assert not stalled.done()
        release.set()
        assert await asyncio.wait_for(stalled, 10) == {"sub": "rsa-b"}

    asyncio.run(scenario())


def test_averify_follows_withdrawals_and_unknown_kids(server: JWKSServer, monkeypatch: pytest.MonkeyPatch) -> None:
    async def scenario(mono: Clock) -> None:
        server.serve_json(jwks("rsa-a", "rsa-b"), headers=MAX_AGE_5)
        verifier = cyjose.Verifier(AsyncPyJWKClient(server.url(), clock=mono, timeout=2), algorithms=["RS256"],
                                   cache_size=8)
        assert await verifier.averify(token("rsa-a")) == {"sub": "rsa-a"}
        assert await verifier.averify(token("rsa-a")) == {"sub": "rsa-a"}
        server.serve_json(jwks("rsa-b"), headers=MAX_AGE_5)
        mono.now += RECHECK_SECONDS + 1
        with pytest.raises(UnknownKeyError):
            await verifier.averify(token("rsa-a"))
        assert await verifier.averify(token("rsa-b")) == {"sub": "rsa-b"}
        with pytest.raises(UnknownKeyError):
            await verifier.averify(token("rsa-a", headers={"kid": "nope"}))
        # Failures raised while the key source was awaited are counted too.
        assert verifier.metrics() == {"passed": 3, "failed": {"UnknownKeyError": 2}}

    mono = Clock(time.monotonic())  # the loop's clock too: it only moves forward, by hand
    monkeypatch.setattr(time, "monotonic", mono)
    asyncio.run(scenario(mono))


def test_sync_calls_on_an_async_key_source_say_what_to_do(server: JWKSServer) -> None:
    server.serve_json(jwks("rsa-a"))
    client = AsyncPyJWKClient(server.url(), timeout=2)
    verifier = cyjose.Verifier(client, algorithms=["RS256"])
    assert isinstance(verifier, cyjose.Verifier)
    for call in (verifier.verify, verifier.verify_complete):
        with pytest.raises(TypeError, match=r"await verifier.averify\(token\)"):
            call(token("rsa-a"))
    with pytest.raises(InvalidKeyError, match="is a key source, not a key"):
        cyjose.decode(token("rsa-a"), client, algorithms=["RS256"])
    assert server.hits() == 0


def test_averify_with_fixed_keys_is_verify() -> None:
    verifier = cyjose.Verifier(keys.public("RS256"), algorithms=["RS256"])
    signed = cyjose.encode({"sub": "x"}, keys.private("RS256"), algorithm="RS256")
    assert asyncio.run(verifier.averify(signed)) == {"sub": "x"}
    with pytest.raises(cyjose.DecodeError):
        asyncio.run(verifier.averify("garbage"))


# -- typ ---------------------------------------------------------------------------


def signed(headers: Any = None, **claims: Any) -> str:
    return cyjose.encode({"sub": "x", **claims}, keys.private("RS256"), algorithm="RS256", headers=headers)


@pytest.mark.parametrize("typ", ["at+jwt", "AT+JWT", "application/at+jwt", "Application/At+JWT"])
def test_required_typ_is_compared_as_rfc_7515_says(typ: str) -> None:
    verifier = cyjose.Verifier(keys.public("RS256"), algorithms=["RS256"], typ="at+jwt")
    for _ in range(2):  # the general path, then the fast path for a known header
        assert verifier.verify(signed({"typ": typ})) == {"sub": "x"}


@pytest.mark.parametrize("typ", ["JWT", "jwt", "at+jwt2", "application/jwt", 7, None])
def test_another_typ_is_refused(typ: Any) -> None:
    verifier = cyjose.Verifier(keys.public("RS256"), algorithms=["RS256"], typ="at+jwt", cache_size=4)
    assert verifier.verify(signed({"typ": "at+jwt"})) == {"sub": "x"}
    headers = {"typ": typ} if typ is not None else {}
    with pytest.raises(InvalidTokenTypeError, match='expected "application/at\\+jwt"'):
        verifier.verify(signed(headers))


def test_typ_is_checked_with_signature_checks_off() -> None:
    verifier = cyjose.Verifier(None, typ="at+jwt", options={"verify_signature": False})
    assert verifier.verify(signed({"typ": "at+jwt"})) == {"sub": "x"}
    with pytest.raises(InvalidTokenTypeError):
        verifier.verify(signed({"typ": "JWT"}))


def test_typ_must_be_a_non_empty_string() -> None:
    for bad in ("", "  ", 3):
        with pytest.raises(TypeError, match="typ must be"):
            cyjose.Verifier(keys.public("RS256"), algorithms=["RS256"], typ=bad)


ACCESS_CLAIMS = {"iss": "https://idp.example", "aud": "api", "client_id": "app", "jti": "j1"}


def access_token(**overrides: Any) -> str:
    now = int(time.time())
    claims = {**ACCESS_CLAIMS, "iat": now, "exp": now + 300, **overrides}
    claims = {k: v for k, v in claims.items() if v is not None}
    return signed({"typ": "at+jwt"}, **claims)


def test_rfc_9068_profile() -> None:
    verifier = cyjose.Verifier.for_access_tokens(
        keys.public("RS256"), issuer="https://idp.example", audience="api", algorithms=["RS256"]
    )
    assert verifier.verify(access_token())["client_id"] == "app"
    for claim in ("client_id", "jti", "iat", "exp"):
        with pytest.raises(MissingRequiredClaimError, match=claim):
            verifier.verify(access_token(**{claim: None}))
    with pytest.raises(InvalidAudienceError):
        verifier.verify(access_token(aud="other"))
    with pytest.raises(InvalidTokenTypeError):
        verifier.verify(signed({"typ": "JWT"}, **ACCESS_CLAIMS, iat=int(time.time()), exp=int(time.time()) + 60))
    with pytest.raises(TypeError, match="issuer and an audience"):
        cyjose.Verifier.for_access_tokens(keys.public("RS256"), issuer="", audience="api", algorithms=["RS256"])


# -- discovery ---------------------------------------------------------------------


def serve_discovery(server: JWKSServer, issuer: str) -> None:
    server.serve_json({"issuer": issuer, "jwks_uri": server.url("/keys")}, path="/.well-known/openid-configuration")
    server.serve_json(jwks("rsa-a"), path="/keys")


def test_clients_and_verifiers_from_an_issuer(server: JWKSServer) -> None:
    issuer = server.url("")
    serve_discovery(server, issuer)
    client = PyJWKClient.from_issuer(issuer, allow_http_localhost=True, timeout=2)
    assert client.uri == server.url("/keys")
    verifier = cyjose.Verifier.from_issuer(issuer, ["RS256"], allow_http_localhost=True,
                                           client_options={"timeout": 2})
    assert verifier.verify(token("rsa-a", iss=issuer)) == {"sub": "rsa-a", "iss": issuer}
    with pytest.raises(cyjose.InvalidIssuerError):
        verifier.verify(token("rsa-a", iss="https://elsewhere.example"))

    async def async_side() -> None:
        verifier = await cyjose.Verifier.afrom_issuer(issuer, ["RS256"], allow_http_localhost=True)
        assert await verifier.averify(token("rsa-a", iss=issuer)) == {"sub": "rsa-a", "iss": issuer}
        client = await AsyncPyJWKClient.from_issuer(issuer, allow_http_localhost=True)
        assert (await client.get_signing_key("rsa-a")).key_id == "rsa-a"

    asyncio.run(async_side())


def test_discovery_refuses_another_issuer_and_plain_http(server: JWKSServer) -> None:
    issuer = server.url("")
    serve_discovery(server, issuer + "/other")
    with pytest.raises(cyjose.PyJWKClientError, match="issuer"):
        PyJWKClient.from_issuer(issuer, allow_http_localhost=True, timeout=2)
    before = server.hits("/.well-known/openid-configuration")
    with pytest.raises(cyjose.PyJWKClientError, match="https"):
        cyjose.Verifier.from_issuer(issuer, ["RS256"])
    assert server.hits("/.well-known/openid-configuration") == before  # refused before any request
