"""cyjose._fetch.discovery: OIDC Discovery and RFC 8414 metadata from a real server on 127.0.0.1 (tests/jwks_server.py).

The server is plain http on loopback, so these calls pass allow_http_localhost=True;
the https rule itself is tested on URIs that are refused before any request.
"""

from __future__ import annotations

import json
from typing import List

import pytest
from jwks_server import JWKSServer, Reply

from cyjose._fetch import http as fetch_http
from cyjose._fetch.discovery import check_issuer, discover, jwks_uri_of, metadata_urls
from cyjose.exceptions import PyJWKClientConnectionError, PyJWKClientError

OIDC = "/.well-known/openid-configuration"
OAUTH = "/.well-known/oauth-authorization-server"


@pytest.fixture
def server():
    with JWKSServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
def sleeps(monkeypatch) -> List[float]:
    asked: List[float] = []
    monkeypatch.setattr(fetch_http, "_sleep", asked.append)
    return asked


def issuer_of(server: JWKSServer, path: str = "") -> str:
    return server.url(path)


def document(issuer: str, **members) -> dict:
    return {"issuer": issuer, "jwks_uri": issuer.rstrip("/") + "/jwks", **members}


def run(issuer: str, **kw):
    return discover(issuer, allow_http_localhost=True, timeout=5, **kw)


# --- where the document is ---------------------------------------------------


def test_openid_configuration(server):
    issuer = issuer_of(server)
    server.serve_json(document(issuer, token_endpoint=issuer + "/token"), path=OIDC)
    metadata = run(issuer)
    assert metadata["jwks_uri"] == issuer + "/jwks" and metadata["token_endpoint"] == issuer + "/token"
    assert jwks_uri_of(metadata, allow_http_localhost=True) == issuer + "/jwks"
    assert server.hits(OIDC) == 1
    assert server.last_headers.get("Accept") == "application/json"
    assert server.last_headers.get("User-Agent", "").startswith("cyjose")


def test_404_then_rfc8414_with_the_path_after_the_host(server):
    issuer = issuer_of(server, "/tenant/one")
    server.serve_json(document(issuer), path=OAUTH + "/tenant/one")
    assert run(issuer)["issuer"] == issuer
    assert server.hits("/tenant/one" + OIDC) == 1  # answered 404 (no reply set)
    assert server.hits(OAUTH + "/tenant/one") == 1


def test_both_404_is_a_connection_error(server):
    with pytest.raises(PyJWKClientConnectionError, match="HTTP Error 404"):
        run(issuer_of(server))
    assert server.hits(OIDC) == 1 and server.hits(OAUTH) == 1


def test_other_errors_do_not_fall_back(server):
    server.reply(Reply(status=403), path=OIDC)
    with pytest.raises(PyJWKClientConnectionError, match="HTTP Error 403"):
        run(issuer_of(server))
    assert server.hits(OAUTH) == 0


def test_5xx_is_retried(server, sleeps):
    issuer = issuer_of(server)
    server.reply(Reply(status=503), path=OIDC)
    with pytest.raises(PyJWKClientConnectionError, match="after 4 attempts"):
        run(issuer)
    assert server.hits(OIDC) == 4 and len(sleeps) == 3


def test_metadata_urls_follow_the_two_specs():
    assert metadata_urls("https://id.example") == ["https://id.example" + OIDC, "https://id.example" + OAUTH]
    assert metadata_urls("https://id.example/t/1/") == [
        "https://id.example/t/1" + OIDC, "https://id.example" + OAUTH + "/t/1"]


def test_redirect_is_refused(server):
    issuer = issuer_of(server)
    server.serve_json(document(issuer), path="/elsewhere")
    server.reply(Reply(status=302, headers={"Location": server.url("/elsewhere")}), path=OIDC)
    with pytest.raises(PyJWKClientConnectionError, match="redirects are not followed"):
        run(issuer)
    assert server.hits("/elsewhere") == 0 and server.hits(OAUTH) == 0


# --- what the document must say ----------------------------------------------


@pytest.mark.parametrize("named", ["{issuer}/", "https://evil.example", "{issuer}/other", 42, None])
def test_issuer_mismatch(server, named):
    issuer = issuer_of(server)
    shown = named.format(issuer=issuer) if isinstance(named, str) else named
    server.serve_json({"issuer": shown, "jwks_uri": issuer + "/jwks"}, path=OIDC)
    with pytest.raises(PyJWKClientError, match="names the issuer") as info:
        run(issuer)
    assert f'not the configured "{issuer}"' in str(info.value)
    assert str(shown) in str(info.value)


def test_configured_trailing_slash_must_match_too(server):
    issuer = issuer_of(server, "/realm/")
    server.serve_json(document(issuer.rstrip("/")), path="/realm" + OIDC)
    with pytest.raises(PyJWKClientError, match="names the issuer"):
        run(issuer)


@pytest.mark.parametrize("members, match", [
    ({"jwks_uri": None}, "no jwks_uri"),
    ({"jwks_uri": 42}, "not a string"),
    ({"jwks_uri": ["https://a.example/jwks"]}, "not a string"),
    ({"jwks_uri": "ftp://127.0.0.1/jwks"}, "scheme"),
    ({"jwks_uri": "http://keys.example/jwks"}, "must use https"),
    ({"jwks_uri": "https://user:pw@keys.example/jwks"}, "credentials"),
])
def test_unusable_jwks_uri(server, members, match):
    issuer = issuer_of(server)
    doc = {k: v for k, v in {**document(issuer), **members}.items() if v is not None}
    server.serve_json(doc, path=OIDC)
    with pytest.raises(PyJWKClientError, match=match):
        run(issuer)


def test_jwks_uri_may_be_on_another_https_host():
    assert jwks_uri_of({"jwks_uri": "https://cdn.example/keys"}) == "https://cdn.example/keys"


@pytest.mark.parametrize("body", [b"<html>hello</html>", b"[]", b'"x"', b"", b"[" * 100_000 + b"]" * 100_000])
def test_not_a_json_object(server, body):
    server.reply(Reply(body=body), path=OIDC)
    with pytest.raises(PyJWKClientError, match="did not return a JSON object"):
        run(issuer_of(server))


def test_too_large(server):
    issuer = issuer_of(server)
    server.serve_json(document(issuer, padding="x" * 5000), path=OIDC)
    with pytest.raises(PyJWKClientError, match="larger than 1000 bytes"):
        run(issuer, max_bytes=1000)
    assert server.hits(OIDC) == 1


# --- which issuers may be fetched ---------------------------------------------


def test_http_issuer_is_refused_without_the_flag(server):
    issuer = issuer_of(server)
    server.serve_json(document(issuer), path=OIDC)
    with pytest.raises(PyJWKClientError, match="must use https"):
        discover(issuer, timeout=5)
    assert server.hits(OIDC) == 0


@pytest.mark.parametrize("issuer", [
    "http://id.example", "http://localhost.evil.example", "http://10.0.0.1", "http://127.1", "http://[::2]",
])
def test_http_to_other_hosts_is_refused_even_with_the_flag(issuer):
    with pytest.raises(PyJWKClientError, match="must use https"):
        check_issuer(issuer, allow_http_localhost=True)


@pytest.mark.parametrize("issuer", [
    "http://localhost:8080", "http://LOCALHOST", "http://127.0.0.1", "http://127.5.6.7/x", "http://[::1]:9000",
    "https://id.example/tenant",
])
def test_loopback_http_and_any_https_are_allowed(issuer):
    check_issuer(issuer, allow_http_localhost=True)


@pytest.mark.parametrize("issuer, match", [
    ("https://id.example?x=1", "no query or fragment"),
    ("https://id.example/#top", "no query or fragment"),
    ("ftp://id.example", "scheme"),
    ("https://", "no host"),
    ("https://u:p@id.example", "credentials"),
    ("id.example", "scheme"),
    (b"https://id.example", "must be a str"),
    (None, "must be a str"),
])
def test_invalid_issuer(issuer, match):
    with pytest.raises(PyJWKClientError, match=match):
        discover(issuer)


def test_caller_headers_reach_the_request(server):
    issuer = issuer_of(server)
    server.serve_json(document(issuer), path=OIDC)
    run(issuer, headers={"authorization": "Bearer t0ken", "Accept": "application/json, */*"})
    assert server.last_headers.get("Authorization") == "Bearer t0ken"  # urllib capitalizes names
    assert server.last_headers.get("Accept") == "application/json, */*"


def test_one_deadline_covers_both_urls(server):
    issuer = issuer_of(server)
    server.reply(Reply(stall=30, status=404), path=OIDC)
    with pytest.raises(PyJWKClientConnectionError, match=r"timed out waiting for the response after 0\.5 s"):
        discover(issuer, allow_http_localhost=True, timeout=0.5)
    assert server.hits(OAUTH) == 0


def test_document_served_as_written(server):
    issuer = issuer_of(server)
    raw = json.dumps(document(issuer, extra={"nested": [1, 2]})).encode()
    server.reply(Reply(body=raw, headers={"Content-Type": "application/json"}), path=OIDC)
    assert run(issuer) == json.loads(raw)
