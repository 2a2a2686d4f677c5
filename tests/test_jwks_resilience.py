"""The JWKS client in a long-running service: outages, refresh ahead, warm-up, counters, logs, forks.

Every test runs against a real endpoint on 127.0.0.1 (tests/jwks_server.py);
the client's clock is a fake one the test moves, so no test sleeps through a
cooldown. Forks are real ``os.fork()`` children, bounded by a deadline and
killed with SIGKILL if they overrun.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading
import time
import warnings
from typing import Any, Callable

import pytest
from jwks_server import JWKSServer, Reply
from test_jwks_client import FakeClock, assert_verifies, client_for, key_set, token_for

import cyjose
from cyjose import AsyncPyJWKClient, PyJWKClient
from cyjose._fetch.forks import ForkSafeLock
from cyjose.exceptions import PyJWKClientConnectionError

fork_only = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")


@pytest.fixture
def server() -> Any:
    with JWKSServer() as srv:
        yield srv


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# -- an outage before the first set: fail fast, one attempt per cooldown ---------


def test_outage_before_any_set_makes_one_attempt_per_cooldown(
    server: JWKSServer, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    server.reply(Reply(status=503, body=b"down"))
    verifier = cyjose.Verifier(client_for(server, clock), algorithms=["RS256"])
    client = verifier._key_set.client
    with caplog.at_level(logging.WARNING, logger="cyjose.jwks_client"):
        with pytest.raises(PyJWKClientConnectionError, match="HTTP Error 503"):
            verifier.verify(token_for("rsa-a"))
        requests_of_first_attempt = server.hits()
        for _ in range(19):
            with pytest.raises(PyJWKClientConnectionError, match="HTTP Error 503"):
                verifier.verify(token_for("rsa-a"))
    assert server.hits() == requests_of_first_attempt  # no request during the cooldown
    assert client.metrics()["fetches"] == 1
    assert client.metrics()["cooldown_refusals"] == 19
    assert caplog.text.count("JWKS fetch failed") == 1
    clock.advance(31)
    server.serve_json(key_set("rsa-a"))
    assert verifier.verify(token_for("rsa-a")) == {"sub": "rsa-a"}


def test_callers_during_a_failing_retry_fail_fast_instead_of_waiting(server: JWKSServer, clock: FakeClock) -> None:
    server.reply(Reply(status=503))
    client = client_for(server, clock)
    with pytest.raises(PyJWKClientConnectionError):
        client.get_jwk_set()
    clock.advance(31)
    release = threading.Event()
    server.reply(Reply(status=503, hold=release))
    leader = threading.Thread(target=lambda: pytest.raises(PyJWKClientConnectionError, client.get_jwk_set))
    leader.start()
    try:
        assert server.wait_for_hits(server.hits() + 1)
        # The second attempt is in flight and the last one failed: this caller does not wait on it.
        with pytest.raises(PyJWKClientConnectionError, match="HTTP Error 503"):
            client.get_jwk_set()
        assert leader.is_alive()
    finally:
        release.set()
        leader.join(10)


def test_a_cold_start_waits_for_the_first_fetch(server: JWKSServer, clock: FakeClock) -> None:
    release = threading.Event()
    server.serve_json(key_set("rsa-a"), hold=release)
    client = client_for(server, clock)
    results: list = []
    threads = [threading.Thread(target=lambda: results.append(client.get_signing_key("rsa-a"))) for _ in range(4)]
    for thread in threads:
        thread.start()
    assert server.wait_for_hits(1)
    release.set()
    for thread in threads:
        thread.join(10)
    assert len(results) == 4 and server.hits() == 1


# -- refresh ahead -----------------------------------------------------------------


def test_sync_refresh_ahead_answers_from_the_current_set_while_refetching(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"), headers={"Cache-Control": "max-age=100"})
    client = client_for(server, clock)
    client.get_jwk_set()
    release = threading.Event()
    server.serve_json(key_set("rsa-a", "rsa-b"), headers={"Cache-Control": "max-age=100"}, hold=release)
    clock.advance(85)  # 15 s of 100 left: inside the last fifth
    try:
        assert_verifies(client.get_signing_key("rsa-a"), "rsa-a")  # answered while the refresh is held
        assert server.wait_for_hits(2)
        assert client.metrics()["refreshes_ahead"] == 1
        client.get_signing_key("rsa-a")
        assert server.hits() == 2  # one background refresh, not one per caller
    finally:
        release.set()
    deadline = time.monotonic() + 10
    while client.get_jwk_set().get("rsa-b") is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert_verifies(client.get_signing_key("rsa-b"), "rsa-b")  # learned without a kid miss
    assert client.metrics()["kid_misses"] == 0


def test_no_refresh_ahead_early_in_the_lifespan(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"), headers={"Cache-Control": "max-age=100"})
    client = client_for(server, clock)
    client.get_jwk_set()
    clock.advance(70)
    client.get_jwk_set()
    assert server.hits() == 1 and client.metrics()["refreshes_ahead"] == 0


def test_async_refresh_ahead_runs_in_the_background(server: JWKSServer, clock: FakeClock) -> None:
    async def scenario() -> None:
        server.serve_json(key_set("rsa-a"), headers={"Cache-Control": "max-age=100"})
        client = AsyncPyJWKClient(server.url(), clock=clock, timeout=2)
        await client.get_jwk_set()
        release = threading.Event()
        server.serve_json(key_set("rsa-a", "rsa-b"), headers={"Cache-Control": "max-age=100"}, hold=release)
        clock.advance(85)
        assert_verifies(await client.get_signing_key("rsa-a"), "rsa-a")
        assert client.metrics()["refreshes_ahead"] == 1
        release.set()
        for _ in range(500):
            if (await client.get_jwk_set()).get("rsa-b") is not None:
                break
            await asyncio.sleep(0.01)
        assert_verifies(await client.get_signing_key("rsa-b"), "rsa-b")
        assert client.metrics()["kid_misses"] == 0

    asyncio.run(scenario())


# -- warm-up -----------------------------------------------------------------------


def test_warm_up_fetches_now_and_fails_loudly(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"))
    client = client_for(server, clock)
    assert client.warm_up().get("rsa-a") is not None
    assert server.hits() == 1
    server.reply(Reply(status=500))
    clock.advance(301)
    with pytest.raises(PyJWKClientConnectionError, match="HTTP Error 500"):
        client.warm_up()  # a stale set would serve requests, but start-up must know
    assert client.get_signing_key("rsa-a").key_id == "rsa-a"  # requests still get the stale set


def test_async_warm_up_and_verifier_warm_up(server: JWKSServer, clock: FakeClock) -> None:
    with JWKSServer() as gone:
        url = gone.url()
    with pytest.raises(PyJWKClientConnectionError):
        asyncio.run(AsyncPyJWKClient(url, clock=clock, timeout=2).warm_up())
    with pytest.raises(PyJWKClientConnectionError):
        cyjose.Verifier(PyJWKClient(url, clock=clock, timeout=2), algorithms=["RS256"]).warm_up()
    server.serve_json(key_set("rsa-a"))
    verifier = cyjose.Verifier(client_for(server, clock), algorithms=["RS256"])
    verifier.warm_up()
    assert server.hits() == 1
    assert verifier.verify(token_for("rsa-a")) == {"sub": "rsa-a"}
    assert server.hits() == 1


# -- observability ------------------------------------------------------------------


def test_events_are_logged_once_per_cooldown(
    server: JWKSServer, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    server.serve_json(key_set("rsa-a"))
    client = client_for(server, clock)
    with caplog.at_level(logging.DEBUG, logger="cyjose.jwks_client"):
        client.get_jwk_set()
        assert "kids added ['rsa-a']" in caplog.text
        for i in range(50):  # a flood of unknown kids within one cooldown
            with pytest.raises(cyjose.PyJWKClientError):
                client.get_signing_key(f"random-{i}")
    assert caplog.text.count("no signing key with kid") == 1
    assert caplog.text.count("refetch refused") == 1
    metrics = client.metrics()
    assert metrics["kid_misses"] == 50 and metrics["fetches"] == 1 and metrics["cooldown_refusals"] == 50
    caplog.clear()
    clock.advance(31)
    with caplog.at_level(logging.INFO, logger="cyjose.jwks_client"):
        with pytest.raises(cyjose.PyJWKClientError):
            client.get_signing_key("random-again")
    assert "(49 more like this since the last report)" in caplog.text


def test_stale_serving_and_withdrawals_are_reported(
    server: JWKSServer, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    server.serve_json(key_set("rsa-a", "rsa-b"))
    client = client_for(server, clock)
    client.get_jwk_set()
    server.serve_json(key_set("rsa-b"))
    with caplog.at_level(logging.INFO, logger="cyjose.jwks_client"):
        client.get_jwk_set(refresh=True)
    assert "withdrawn ['rsa-a']" in caplog.text
    server.reply(Reply(status=502))
    clock.advance(301)
    client.get_jwk_set()
    assert client.metrics()["stale_served"] == 1 and client.metrics()["failures"] == 1


def test_verifier_counts_verdicts_by_exception_class(server: JWKSServer, clock: FakeClock) -> None:
    server.serve_json(key_set("rsa-a"))
    verifier = cyjose.Verifier(client_for(server, clock), algorithms=["RS256"])
    for _ in range(3):
        verifier.verify(token_for("rsa-a"))
    verifier.verify_complete(token_for("rsa-a"))
    for bad in ("not a token", token_for("rsa-b")):
        with pytest.raises(cyjose.InvalidTokenError):
            verifier.verify(bad)
    assert verifier.metrics() == {"passed": 4, "failed": {"DecodeError": 1, "UnknownKeyError": 1}}


# -- forks -------------------------------------------------------------------------


def run_in_child(body: Callable[[], int], deadline: float = 20.0) -> int:
    """Fork, run ``body`` in the child (its return value is the exit code), wait at most ``deadline`` s."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork with threads running
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 99
        try:
            signal.alarm(int(deadline))
            code = body()
        finally:
            os._exit(code)
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status >> 8
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    raise AssertionError("the forked child hung")


@fork_only
def test_a_child_forked_during_a_fetch_fetches_on_its_own(server: JWKSServer) -> None:
    release = threading.Event()
    server.serve_json(key_set("rsa-a", "rsa-b"), hold=release)
    client = PyJWKClient(server.url(), timeout=5)
    parent_fetch = threading.Thread(target=client.get_jwk_set)
    parent_fetch.start()
    try:
        assert server.wait_for_hits(1)  # the fetch is in flight, led by another thread

        def child() -> int:
            key = client.get_signing_key("rsa-b")  # the parent's flight never ends here
            return 0 if key.key_id == "rsa-b" else 1

        release.set()
        assert run_in_child(child) == 0
    finally:
        release.set()
        parent_fetch.join(10)
    assert server.hits() == 2  # the parent's fetch and the child's own


@fork_only
def test_a_lock_held_by_another_thread_at_fork_is_free_in_the_child() -> None:
    lock = ForkSafeLock()
    holding, done = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            holding.set()
            done.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(5)

        def child() -> int:
            with lock:  # a plain Lock would block here until the alarm kills the child
                return 0

        assert run_in_child(child, deadline=5) == 0
    finally:
        done.set()
        holder.join(10)
