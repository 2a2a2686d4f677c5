"""cyjose._fetch.http against servers that misbehave byte by byte (tests/raw_http_server.py).

One deadline for the whole exchange, retries of what may pass (and of nothing
else), the default request headers. Waits between attempts are replaced by a
recorder, so no test sleeps for backoff; the deadline tests wait about their
timeout (1 s or less), and their elapsed-time checks are hang-guards only.
"""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import time
from pathlib import Path
from typing import List

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from raw_http_server import (
    RawHTTPServer,
    close_early,
    reset,
    respond,
    stall,
    trickle_body,
    trickle_head,
    truncated,
)

from cyjose._fetch import http as fetch_http
from cyjose._fetch.http import DEFAULT_RETRIES, JWK_SET_ACCEPT, Response, http_get
from cyjose.exceptions import PyJWKClientConnectionError, PyJWKClientError

BODY = b'{"keys": []}'
MAX = 1 << 20
# A generous bound: a call that fails on a deadline of 1 s must have returned long before this.
HANG_GUARD = 10.0


@pytest.fixture
def server():
    with RawHTTPServer() as srv:
        yield srv


@pytest.fixture
def sleeps(monkeypatch) -> List[float]:
    """The backoff waits asked for, none of them waited."""
    asked: List[float] = []
    monkeypatch.setattr(fetch_http, "_sleep", asked.append)
    return asked


def get(server: RawHTTPServer, timeout: float = 5.0, **kw) -> Response:
    return http_get(server.url(), {}, timeout, None, kw.pop("max_bytes", MAX), **kw)


# --- the deadline ------------------------------------------------------------


def test_headers_trickled_past_the_deadline(server, sleeps):
    # The repro: a byte every 0.5 s of a long header (43 s in all); each read succeeds in time.
    server.on("/jwks", trickle_head(every=0.5, count=86))
    start = time.monotonic()
    with pytest.raises(PyJWKClientConnectionError, match=r"timed out waiting for the response after 1 s"):
        get(server, timeout=1, retries=DEFAULT_RETRIES)
    assert time.monotonic() - start < HANG_GUARD
    assert server.hits() == 1  # the deadline is over: no retry
    assert sleeps == []


def test_stalled_status_line(server, sleeps):
    server.on("/jwks", stall(30))
    start = time.monotonic()
    with pytest.raises(PyJWKClientConnectionError, match=r"timed out waiting for the response after 0\.5 s"):
        get(server, timeout=0.5, retries=DEFAULT_RETRIES)
    assert time.monotonic() - start < HANG_GUARD
    assert server.hits() == 1


def test_trickled_body(server, sleeps):
    server.on("/jwks", trickle_body(b"x" * 200, every=0.1))  # 20 s in all
    start = time.monotonic()
    with pytest.raises(PyJWKClientConnectionError, match=r"timed out reading the response after 0\.5 s"):
        get(server, timeout=0.5, retries=DEFAULT_RETRIES)
    assert time.monotonic() - start < HANG_GUARD
    assert server.hits() == 1


def test_closed_port_fails_fast_and_is_retried(sleeps):
    probe = socket.create_server(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    start = time.monotonic()
    with pytest.raises(PyJWKClientConnectionError, match="refused") as info:
        http_get(f"http://127.0.0.1:{port}/jwks", {}, 30, None, MAX, retries=2)
    assert time.monotonic() - start < HANG_GUARD
    assert len(sleeps) == 2 and "after 3 attempts" in str(info.value)


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), "5"])
def test_timeout_must_be_a_finite_positive_number(server, timeout):
    with pytest.raises(PyJWKClientError, match="Timeout must be"):
        get(server, timeout=timeout)
    assert server.connections == 0


# --- retries -----------------------------------------------------------------


def test_503_twice_then_200(server, sleeps):
    server.on("/jwks", respond(503), respond(503), respond(200, BODY))
    response = get(server, retries=DEFAULT_RETRIES)
    assert (response.body, response.attempts, response.status) == (BODY, 3, 200)
    assert server.hits() == 3 and len(sleeps) == 2


def test_500_forever_gives_up_after_bounded_attempts(server, sleeps):
    server.on("/jwks", respond(500))
    with pytest.raises(PyJWKClientConnectionError, match=r"HTTP Error 500.*after 4 attempts"):
        get(server, retries=3)
    assert server.hits() == 4 and len(sleeps) == 3


def test_without_retries_one_attempt_as_before(server, sleeps):
    server.on("/jwks", respond(503), respond(200, BODY))
    with pytest.raises(PyJWKClientConnectionError, match="HTTP Error 503"):
        http_get(server.url(), {}, 5, None, MAX)  # the positional call of jwks_client
    assert server.hits() == 1 and sleeps == []


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429])
def test_4xx_is_not_retried(server, sleeps, status):
    server.on("/jwks", respond(status), respond(200, BODY))
    with pytest.raises(PyJWKClientConnectionError, match=f"HTTP Error {status}"):
        get(server, retries=DEFAULT_RETRIES)
    assert server.hits() == 1 and sleeps == []


@pytest.mark.parametrize("failure", [reset(), close_early(), truncated(b'{"ke', 12)], ids=["reset", "closed", "cut"])
def test_connection_failure_then_200(server, sleeps, failure):
    server.on("/jwks", failure, respond(200, BODY))
    response = get(server, retries=DEFAULT_RETRIES)
    assert (response.body, response.attempts) == (BODY, 2)
    assert server.hits() == 2 and len(sleeps) == 1


def test_truncated_body_is_an_error_not_a_short_body(server, sleeps):
    server.on("/jwks", truncated(b'{"ke', 12))
    with pytest.raises(PyJWKClientConnectionError, match="closed before the end of the body"):
        get(server)
    assert server.hits() == 1


def test_redirect_is_not_followed_nor_retried(server, sleeps):
    server.on("/jwks", respond(302, headers={"Location": server.url("/elsewhere")}))
    server.on("/elsewhere", respond(200, BODY))
    with pytest.raises(PyJWKClientConnectionError, match="redirects are not followed"):
        get(server, retries=DEFAULT_RETRIES)
    assert server.hits("/jwks") == 1 and server.hits("/elsewhere") == 0 and sleeps == []


@pytest.mark.parametrize("behaviour", [
    respond(200, headers={"Content-Length": str(10**12)}, content_length=False),
    respond(200, b"x" * 2000, content_length=False),
    respond(200, b"x" * 2000),
], ids=["declared", "close-delimited", "with length"])
def test_too_large_is_not_retried(server, sleeps, behaviour):
    server.on("/jwks", behaviour)
    with pytest.raises(PyJWKClientError, match="larger than 1000 bytes") as info:
        get(server, max_bytes=1000, retries=DEFAULT_RETRIES)
    assert not isinstance(info.value, PyJWKClientConnectionError)
    assert server.hits() == 1 and sleeps == []


def test_garbage_status_line_is_not_retried(server, sleeps):
    server.on("/jwks", lambda conn: conn.send(b"SSH-2.0-OpenSSH\r\n\r\n") and None)
    with pytest.raises(PyJWKClientConnectionError):
        get(server, retries=DEFAULT_RETRIES)
    assert server.hits() == 1


@pytest.mark.parametrize("jitter", [0.0, 0.5, 1.0])
def test_backoff_never_sleeps_past_the_deadline(server, monkeypatch, jitter):
    # A fake clock that only the waits move: the test controls exactly how long "sleeping" takes.
    now = [1000.0]
    asked: List[float] = []

    def fake_sleep(seconds: float) -> None:
        asked.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(fetch_http, "_clock", lambda: now[0])
    monkeypatch.setattr(fetch_http, "_sleep", fake_sleep)
    monkeypatch.setattr(fetch_http, "_random", lambda: jitter)
    server.on("/jwks", respond(503))
    with pytest.raises(PyJWKClientConnectionError, match="HTTP Error 503"):
        get(server, timeout=1.0, retries=50)
    assert asked, "at least one wait fits in 1 s"
    assert sum(asked) < 1.0
    # Equal jitter: each wait is between half and all of its capped doubling step.
    for i, wait in enumerate(asked):
        step = min(2.0, 0.1 * 2**i)
        assert step / 2 <= wait <= step
    # It stopped because the next wait would have ended past the deadline, not for lack of retries.
    next_step = min(2.0, 0.1 * 2 ** len(asked))
    assert sum(asked) + next_step / 2 + jitter * next_step / 2 >= 1.0
    assert server.hits() == len(asked) + 1


@pytest.mark.parametrize("retries", [-1, 1.5, True, "3"])
def test_retries_must_be_a_non_negative_int(server, retries):
    with pytest.raises(PyJWKClientError, match="retries must be"):
        get(server, retries=retries)
    assert server.connections == 0


# --- request headers ----------------------------------------------------------


def test_default_user_agent_and_accept(server):
    server.on("/jwks", respond(200, BODY))
    get(server)
    request = server.requests[0]
    [agent] = request.header("user-agent")
    assert agent.startswith("cyjose") and "urllib" not in agent
    assert request.header("accept") == [JWK_SET_ACCEPT]


def test_caller_headers_replace_ours_in_any_case(server):
    server.on("/jwks", respond(200, BODY))
    http_get(server.url(), {"user-agent": "mine/1", "ACCEPT": "text/plain", "X-Extra": "1"}, 5, None, MAX)
    request = server.requests[0]
    assert request.header("user-agent") == ["mine/1"]
    assert request.header("accept") == ["text/plain"]
    assert request.header("x-extra") == ["1"]


def test_accept_keyword(server):
    server.on("/jwks", respond(200, BODY))
    get(server, accept="application/json")
    assert server.requests[0].header("accept") == ["application/json"]


def test_header_values_are_not_echoed_in_errors(server, sleeps):
    server.on("/jwks", respond(500))
    with pytest.raises(PyJWKClientConnectionError) as info:
        http_get(server.url(), {"Authorization": "Bearer s3cr3t"}, 5, None, MAX, retries=1)
    assert server.requests[0].header("authorization") == ["Bearer s3cr3t"]
    assert "s3cr3t" not in str(info.value) and "s3cr3t" not in repr(info.value)


@pytest.mark.parametrize("name, value", [
    ("Authorization", "Bearer s3cr3t\r\nX-Injected: 1"),
    ("Authorization", b"Bearer s3cr3t\n"),
    ("Authorization", "Bearer s3cr3t\u20ac"),
    ("Authorization", ["Bearer s3cr3t"]),
    ("Bad Name", "s3cr3t"),
    (42, "s3cr3t"),
])
def test_invalid_headers_are_refused_before_any_request(server, name, value):
    with pytest.raises(PyJWKClientError, match="Invalid") as info:
        http_get(server.url(), {name: value}, 5, None, MAX)
    assert "s3cr3t" not in str(info.value)
    assert server.connections == 0


def test_user_agent_version_is_read_once(server, monkeypatch):
    fetch_http._user_agent.cache_clear()
    server.on("/jwks", respond(200, BODY))
    get(server)
    get(server)
    assert fetch_http._user_agent.cache_info().misses == 1
    assert server.requests[0].header("user-agent") == server.requests[1].header("user-agent")


def test_response_keeps_its_first_fields(server):
    server.on("/jwks", respond(200, BODY, headers={"Cache-Control": "max-age=60"}))
    body, cache_control, attempts, status = get(server)
    assert (body, cache_control, attempts, status) == (BODY, "max-age=60", 1, 200)


def test_environment_proxy_is_still_used(server, monkeypatch):
    for name in ("no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", server.url(""))
    monkeypatch.setenv("HTTP_PROXY", server.url(""))
    server.on("/jwks", respond(200, BODY))
    assert http_get("http://keys.example.invalid/jwks", {}, 5, None, MAX).body == BODY
    assert server.requests[0].target == "http://keys.example.invalid/jwks"


# --- HTTPS -------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls_pair(tmp_path_factory):
    """A server context with a self-signed certificate for 127.0.0.1, and a client context trusting it."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    folder: Path = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(folder / "cert.pem", folder / "key.pem")
    client_ctx = ssl.create_default_context(cafile=str(folder / "cert.pem"))
    return server_ctx, client_ctx


def test_https_answer(tls_pair):
    server_ctx, client_ctx = tls_pair
    with RawHTTPServer(tls=server_ctx) as server:
        server.on("/jwks", respond(200, BODY))
        assert http_get(server.url(), {}, 5, client_ctx, MAX).body == BODY


def test_https_headers_trickled_past_the_deadline(tls_pair, sleeps):
    server_ctx, client_ctx = tls_pair
    with RawHTTPServer(tls=server_ctx) as server:
        server.on("/jwks", trickle_head(every=0.2, count=100))
        start = time.monotonic()
        with pytest.raises(PyJWKClientConnectionError, match="timed out waiting for the response after 1 s"):
            http_get(server.url(), {}, 1, client_ctx, MAX, retries=DEFAULT_RETRIES)
        assert time.monotonic() - start < HANG_GUARD


def test_https_stalled_handshake(tls_pair, sleeps):
    server_ctx, client_ctx = tls_pair
    with RawHTTPServer(tls=server_ctx) as server:
        server.raw_tls = stall(30)
        start = time.monotonic()
        with pytest.raises(PyJWKClientConnectionError, match="timed out connecting after 1 s"):
            http_get(server.url(), {}, 1, client_ctx, MAX, retries=DEFAULT_RETRIES)
        assert time.monotonic() - start < HANG_GUARD
        assert server.connections == 1


def test_https_untrusted_certificate_is_not_retried(tls_pair, sleeps):
    server_ctx, _ = tls_pair
    with RawHTTPServer(tls=server_ctx) as server:
        server.on("/jwks", respond(200, BODY))
        with pytest.raises(PyJWKClientConnectionError, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed"):
            http_get(server.url(), {}, 5, ssl.create_default_context(), MAX, retries=DEFAULT_RETRIES)
        assert server.connections == 1 and sleeps == []
