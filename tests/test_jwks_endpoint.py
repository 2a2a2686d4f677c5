"""cyjose.jwks_endpoint: the ASGI JWKS endpoint and discovery document.

Most tests run the app in uvicorn on 127.0.0.1 (a socket bound to port 0) and
talk real HTTP to it; the end-to-end test has a PyJWKClient + Verifier fetch
from it across a key rotation, simulated by changing a dict the source
returns. ASGI details no HTTP client can reach (lifespan, websocket and
unknown scopes, root_path) call the app directly.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import http.client
import json
import logging
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import pytest
import sample_keys as keys
import uvicorn

import cyjose
from cyjose.algorithms import get_default_algorithms
from cyjose.api_jwk import PyJWK
from cyjose.exceptions import PyJWKClientError, UnknownKeyError
from cyjose.jwks_endpoint import DISCOVERY_PATH, JWKS_MEDIA_TYPE, JWKS_PATH, jwks_app, serve

ALGORITHMS = get_default_algorithms()
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k", "priv"}


# --- helpers -----------------------------------------------------------------


def private_jwk(alg: str, variant: str = "", **extra: Any) -> Dict[str, Any]:
    """The JWK of test key (alg, variant) WITH its private members, a kid (its thumbprint) and alg."""
    jwk = ALGORITHMS[alg].to_jwk(keys.private(alg, variant), as_dict=True)
    jwk.pop("key_ops", None)  # PyJWT's exporter marks private RSA keys "sign" only
    jwk.update(alg=alg, kid=PyJWK(jwk, alg).thumbprint(), **extra)
    return jwk


def public_form(jwk: Dict[str, Any]) -> Dict[str, Any]:
    return {name: value for name, value in jwk.items() if name not in PRIVATE_MEMBERS}


def sign(alg: str, variant: str, kid: str) -> str:
    claims = {"sub": "alice", "exp": int(time.time()) + 600}
    return cyjose.encode(claims, keys.private(alg, variant), algorithm=alg, headers={"kid": kid})


class FakeClock:
    """The PyJWKClient's monotonic clock, moved by hand (its cache and cooldown)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@contextmanager
def http_server(make_app: Callable[[str], Any]) -> Iterator[str]:
    """Run ``make_app(base_url)`` in uvicorn on 127.0.0.1 (a free port); yield the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(make_app(base), lifespan="on", log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)
        yield base
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def request(base: str, path: str, method: str = "GET", headers: Optional[Dict[str, str]] = None,
            ) -> Tuple[int, Dict[str, str], bytes]:
    """One HTTP request; (status, headers with lower-case names, body)."""
    port = int(base.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        conn.close()


def call_asgi(app: Any, scope: Dict[str, Any], incoming: Optional[List[Dict[str, Any]]] = None) -> List[Dict[str, Any]]:
    """Call the app directly; the messages it sent."""
    sent: List[Dict[str, Any]] = []
    queue = list(incoming or [{"type": "http.request", "body": b"", "more_body": False}])

    async def receive() -> Dict[str, Any]:
        return queue.pop(0)

    async def send(message: Dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def http_scope(path: str, method: str = "GET", **extra: Any) -> Dict[str, Any]:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
            "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
            "root_path": "", "headers": [], **extra}


@pytest.fixture(scope="module")
def es_a() -> Dict[str, Any]:
    return private_jwk("ES256")


@pytest.fixture(scope="module")
def es_b() -> Dict[str, Any]:
    return private_jwk("ES256", "other")


@pytest.fixture(scope="module")
def rsa() -> Dict[str, Any]:
    return private_jwk("RS256")


# --- end to end: rotation seen by a PyJWKClient and a Verifier ----------------


def test_rotation_end_to_end(es_a: Dict[str, Any], es_b: Dict[str, Any]) -> None:
    published: Dict[str, Any] = {"keys": [es_a]}  # private members in the source: the app must strip them
    clock = FakeClock()
    with http_server(lambda base: jwks_app(lambda: published, max_age=60)) as base:
        client = cyjose.PyJWKClient(base + JWKS_PATH, clock=clock)
        verifier = cyjose.Verifier(client, algorithms=["ES256"])
        token_a = sign("ES256", "", es_a["kid"])
        token_b = sign("ES256", "other", es_b["kid"])

        assert verifier.verify(token_a)["sub"] == "alice"
        with pytest.raises(UnknownKeyError):  # B signs nothing valid before it is published
            verifier.verify(token_b)

        # rotate(): B published ahead as "next"; once the client's copy expires it sees B.
        published["keys"] = [es_a, es_b]
        clock.now += 61
        assert verifier.verify(token_b)["sub"] == "alice"
        assert verifier.verify(token_a)["sub"] == "alice"  # signed before the rotation

        # B active, A retired but still published: both keep verifying.
        published["keys"] = [es_b, es_a]
        clock.now += 61
        assert verifier.verify(token_a)["sub"] == "alice"
        assert verifier.verify(token_b)["sub"] == "alice"

        # A dropped. (A Verifier already holding A rechecks the set every RECHECK_SECONDS of
        # real time; a new Verifier on the same client asks it at once.)
        published["keys"] = [es_b]
        clock.now += 61
        after_drop = cyjose.Verifier(client, algorithms=["ES256"])
        with pytest.raises(UnknownKeyError):
            after_drop.verify(token_a)
        with pytest.raises(PyJWKClientError):
            client.get_signing_key(es_a["kid"])
        assert after_drop.verify(token_b)["sub"] == "alice"
        assert all(set(jwk) & PRIVATE_MEMBERS == set() for jwk in client.fetch_data()["keys"])


def test_discovery_names_the_jwks_uri_a_client_can_use(es_a: Dict[str, Any], rsa: Dict[str, Any]) -> None:
    enc_key = private_jwk("RS256", "other", use="enc")
    enc_key["alg"] = "RSA-OAEP-256"
    published = {"keys": [es_a, rsa, enc_key, {"kty": "oct", "k": "c2VjcmV0LXNlY3JldA", "alg": "HS256"}]}
    with http_server(lambda base: jwks_app(lambda: published, issuer=base + "/")) as base:
        # a forged Host header changes nothing: the URLs come from `issuer` only
        status, headers, body = request(base, DISCOVERY_PATH, headers={"Host": "evil.example"})
        assert status == 200
        assert headers["content-type"] == "application/json"
        document = json.loads(body)
        assert document == {
            "issuer": base + "/",
            "jwks_uri": base + JWKS_PATH,
            "id_token_signing_alg_values_supported": ["ES256", "RS256"],
        }
        client = cyjose.PyJWKClient(document["jwks_uri"])
        token = sign("RS256", "", rsa["kid"])
        assert cyjose.Verifier(client, algorithms=["RS256"], issuer=None).verify(token)["sub"] == "alice"


# --- the JWK set over HTTP ----------------------------------------------------


def test_served_set_is_public_only(es_a: Dict[str, Any], rsa: Dict[str, Any]) -> None:
    okp = private_jwk("EdDSA")
    oct_key = {"kty": "oct", "k": base64.urlsafe_b64encode(b"k" * 32).rstrip(b"=").decode(), "kid": "hmac"}
    published = {"keys": [es_a, oct_key, rsa, okp], "extra": "dropped"}
    with http_server(lambda base: jwks_app(lambda: published)) as base:
        status, headers, body = request(base, JWKS_PATH)
    assert status == 200
    assert headers["content-type"] == JWKS_MEDIA_TYPE
    served = json.loads(body)
    assert served == {"keys": [public_form(es_a), public_form(rsa), public_form(okp)]}
    for secret in (es_a["d"], rsa["d"], rsa["p"], rsa["qi"], okp["d"], oct_key["k"]):
        assert secret.encode() not in body
    for jwk in served["keys"]:  # each served key loads as a public key
        assert not hasattr(PyJWK(jwk).key, "private_bytes")


def test_etag_cache_control_and_304(es_a: Dict[str, Any], es_b: Dict[str, Any]) -> None:
    published: Dict[str, Any] = {"keys": [es_a]}
    with http_server(lambda base: jwks_app(lambda: published, max_age=123)) as base:
        status, headers, body = request(base, JWKS_PATH)
        assert status == 200
        assert headers["cache-control"] == "public, max-age=123"
        assert headers["access-control-allow-origin"] == "*"  # browsers may verify tokens too
        assert headers["x-content-type-options"] == "nosniff"
        etag = headers["etag"]
        digest = base64.urlsafe_b64encode(hashlib.sha256(body).digest()).rstrip(b"=").decode()
        assert etag == f'"{digest}"'  # strong, over the exact body

        for condition in (etag, f"W/{etag}", f'"other", {etag}', "*"):
            status, headers304, body304 = request(base, JWKS_PATH, headers={"If-None-Match": condition})
            assert (status, body304) == (304, b"")
            assert headers304["etag"] == etag
            assert headers304["cache-control"] == "public, max-age=123"
        status, _, again = request(base, JWKS_PATH, headers={"If-None-Match": '"other"'})
        assert (status, again) == (200, body)

        published["keys"] = [es_a, es_b]  # rotation changes the tag: the old one no longer matches
        status, headers, changed = request(base, JWKS_PATH, headers={"If-None-Match": etag})
        assert status == 200 and headers["etag"] != etag
        assert [jwk["kid"] for jwk in json.loads(changed)["keys"]] == [es_a["kid"], es_b["kid"]]


def test_etag_is_canonical_across_replicas(es_a: Dict[str, Any]) -> None:
    reordered = dict(reversed(list(es_a.items())))
    one = call_asgi(jwks_app(lambda: {"keys": [es_a]}), http_scope(JWKS_PATH))
    two = call_asgi(jwks_app(lambda: {"keys": [reordered]}), http_scope(JWKS_PATH))
    assert dict(one[0]["headers"])[b"etag"] == dict(two[0]["headers"])[b"etag"]
    assert one[1]["body"] == two[1]["body"]


def test_head_get_only_and_unknown_paths(es_a: Dict[str, Any]) -> None:
    with http_server(lambda base: jwks_app(lambda: {"keys": [es_a]})) as base:
        _, get_headers, get_body = request(base, JWKS_PATH)
        status, headers, body = request(base, JWKS_PATH, method="HEAD")
        assert (status, body) == (200, b"")
        assert headers["content-length"] == str(len(get_body))
        assert headers["etag"] == get_headers["etag"]
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            status, headers, _ = request(base, JWKS_PATH, method=method)
            assert status == 405 and headers["allow"] == "GET, HEAD"
        # discovery is off without an issuer; nothing else is served
        for path in (DISCOVERY_PATH, "/", "/jwks.json", JWKS_PATH + "/", "/.well-known/JWKS.json"):
            assert request(base, path)[0] == 404, path
        assert request(base, JWKS_PATH + "?x=1")[0] == 200


# --- sources ------------------------------------------------------------------


def test_sources_object_callable_and_async(es_a: Dict[str, Any]) -> None:
    class Store:
        def jwks(self) -> Dict[str, Any]:
            return {"keys": [es_a]}

    async def async_source() -> Dict[str, Any]:
        return {"keys": [es_a]}

    expected = {"keys": [public_form(es_a)]}
    for source in (Store(), Store().jwks, async_source):
        sent = call_asgi(jwks_app(source), http_scope(JWKS_PATH))
        assert sent[0]["status"] == 200 and json.loads(sent[1]["body"]) == expected
    with pytest.raises(TypeError):
        jwks_app({"keys": [es_a]})


@pytest.mark.parametrize("result", [
    {"nope": []},
    {"keys": "not a list"},
    [1, 2],
    {"keys": ["not a dict"]},
    {"keys": [{"kty": "RSA", "n": "AQAB", "e": "AQAB", "d": "c2VjcmV0"}]},  # 8-bit modulus
    {"keys": [{"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}]},
    {"keys": [{"kty": "nope"}]},
    {"keys": [{"kty": "EC", "crv": "P-256", "x": object()}]},
])
def test_bad_source_output_is_a_500_without_details(result: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="cyjose.jwks_endpoint"):
        sent = call_asgi(jwks_app(lambda: result), http_scope(JWKS_PATH))
    assert sent[0]["status"] == 500
    assert sent[1]["body"] == b"the key set is unavailable"
    assert dict(sent[0]["headers"])[b"cache-control"] == b"no-store"
    assert "JWKS source failed" in caplog.text
    assert "c2VjcmV0" not in caplog.text


def test_failing_source_recovers_and_its_message_stays_private(es_a: Dict[str, Any],
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    state = {"fail": True}

    def source() -> Dict[str, Any]:
        if state["fail"]:
            raise RuntimeError("db password hunter2")
        return {"keys": [es_a]}

    with http_server(lambda base: jwks_app(source)) as base:
        with caplog.at_level(logging.ERROR, logger="cyjose.jwks_endpoint"):
            status, _, body = request(base, JWKS_PATH)
        assert status == 500 and b"hunter2" not in body
        assert "RuntimeError" in caplog.text and "hunter2" not in caplog.text
        state["fail"] = False  # failures are not cached
        status, _, body = request(base, JWKS_PATH)
        assert status == 200 and json.loads(body) == {"keys": [public_form(es_a)]}


# --- configuration ------------------------------------------------------------


@pytest.mark.parametrize("issuer, error", [
    ("http://idp.example", ValueError),  # plain http only on loopback
    ("https://idp.example?tenant=1", ValueError),
    ("https://idp.example/#x", ValueError),
    ("ftp://idp.example", ValueError),
    ("https://", ValueError),
    ("idp.example", ValueError),
    ("https://user:pw@idp.example", ValueError),
    (b"https://idp.example", TypeError),
])
def test_bad_issuer(issuer: Any, error: type) -> None:
    with pytest.raises(error):
        jwks_app(lambda: {"keys": []}, issuer=issuer)


@pytest.mark.parametrize("max_age, error", [(-1, ValueError), (True, TypeError), (1.5, TypeError), ("60", TypeError)])
def test_bad_max_age(max_age: Any, error: type) -> None:
    with pytest.raises(error):
        jwks_app(lambda: {"keys": []}, max_age=max_age)


@pytest.mark.parametrize("issuer", ["https://idp.example/tenant/", "http://localhost:8080", "http://[::1]:9"])
def test_good_issuer_builds_the_jwks_uri(issuer: str, es_a: Dict[str, Any]) -> None:
    sent = call_asgi(jwks_app(lambda: {"keys": [es_a]}, issuer=issuer), http_scope(DISCOVERY_PATH))
    document = json.loads(sent[1]["body"])
    assert document["issuer"] == issuer  # exactly: clients compare it with the tokens' iss
    assert document["jwks_uri"] == issuer.rstrip("/") + "/.well-known/jwks.json"


# --- ASGI details -------------------------------------------------------------


def test_mounted_under_root_path(es_a: Dict[str, Any]) -> None:
    app = jwks_app(lambda: {"keys": [es_a]})
    for path in ("/tenant" + JWKS_PATH, JWKS_PATH):  # servers differ on whether path includes root_path
        assert call_asgi(app, http_scope(path, root_path="/tenant"))[0]["status"] == 200
    assert call_asgi(app, http_scope("/other" + JWKS_PATH, root_path="/tenant"))[0]["status"] == 404


def test_lifespan_websocket_and_unknown_scopes() -> None:
    app = jwks_app(lambda: {"keys": []})
    sent = call_asgi(app, {"type": "lifespan", "asgi": {"version": "3.0"}},
                     [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    sent = call_asgi(app, {"type": "websocket", "path": JWKS_PATH}, [{"type": "websocket.connect"}])
    assert [m["type"] for m in sent] == ["websocket.close"]
    with pytest.raises(ValueError):
        call_asgi(app, {"type": "telepathy"})


def test_serve_without_uvicorn_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # import fails
    with pytest.raises(ImportError, match=r"cyjose\[serve\]"):
        serve(jwks_app(lambda: {"keys": []}))


def test_serve_runs_the_app_in_uvicorn(es_a: Dict[str, Any]) -> None:
    with socket.socket() as probe:  # a free port (serve() binds it itself)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    script = ("import json, sys; from cyjose.jwks_endpoint import jwks_app, serve; "
              "keys = json.loads(sys.argv[2]); "
              "serve(jwks_app(lambda: keys), port=int(sys.argv[1]), log_level='warning')")
    proc = subprocess.Popen([sys.executable, "-c", script, str(port), json.dumps({"keys": [es_a]})],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base, deadline = f"http://127.0.0.1:{port}", time.monotonic() + 20
        while True:
            try:
                status, _, body = request(base, JWKS_PATH)
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "serve() did not start"
                time.sleep(0.05)
        assert status == 200 and json.loads(body) == {"keys": [public_form(es_a)]}
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_key_store_rotation_over_http(tmp_path: Any) -> None:
    """The issue's end-to-end case with a real cyjose.keys.KeyStore as the source.

    The store runs on its own clock (rotation is days apart); tokens are issued
    at real time so the Verifier's exp/nbf checks (real time) accept them.
    """
    from cyjose.keys import KeyStore, MasterKey, RotationPolicy

    offset = [0.0]
    policy = RotationPolicy(algorithm="ES256", rotation_period=86400, prepublish=3600, max_token_lifetime=900,
                            leeway=0, signer_refresh=0)
    store = KeyStore.open(tmp_path / "keys.db", MasterKey.generate(), policy=policy,
                          clock=lambda: time.time() + offset[0])
    store.rotate()
    clock = FakeClock()
    with http_server(lambda base: jwks_app(store, issuer=base, max_age=60)) as base:
        status, _, body = request(base, DISCOVERY_PATH)
        client = cyjose.PyJWKClient(json.loads(body)["jwks_uri"], clock=clock)
        verifier = cyjose.Verifier(client, algorithms=["ES256"], issuer=base)

        first = store.issue("alice", issuer=base, now=time.time())
        first_kid = cyjose.get_unverified_header(first)["kid"]
        assert verifier.verify(first)["sub"] == "alice"
        # the next key is published before it signs anything
        published = [jwk.key_id for jwk in client.get_jwk_set().keys]
        assert len(published) == 2 and published[0] == first_kid

        offset[0] += policy.rotation_period
        assert store.rotate().promoted == published[1]
        clock.now += 61
        second = store.issue("bob", issuer=base, now=time.time())
        assert cyjose.get_unverified_header(second)["kid"] == published[1]
        assert verifier.verify(second)["sub"] == "bob"
        assert verifier.verify(first)["sub"] == "alice"  # retired, still published

        offset[0] += policy.retention + 1
        assert store.rotate().dropped == (first_kid,)
        clock.now += 61
        after_drop = cyjose.Verifier(client, algorithms=["ES256"], issuer=base)
        with pytest.raises(UnknownKeyError):
            after_drop.verify(first)
        assert after_drop.verify(second)["sub"] == "bob"
        status, _, body = request(base, JWKS_PATH)
        assert all(set(jwk) & PRIVATE_MEMBERS == set() for jwk in json.loads(body)["keys"])
