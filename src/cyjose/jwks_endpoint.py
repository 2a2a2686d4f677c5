"""An ASGI application publishing a JWK set and a minimal OpenID discovery document.

``jwks_app(source, issuer=..., max_age=300)`` is a plain ASGI 3 callable (no
framework needed) for any ASGI server (uvicorn, hypercorn, daphne, ...;
:func:`serve` runs it with uvicorn, the ``serve`` extra). It answers:

* ``GET``/``HEAD /.well-known/jwks.json``: the public JWK set of ``source``,
  as ``application/jwk-set+json`` (the media type RFC 7517 §8.5 registers).
* ``GET``/``HEAD /.well-known/openid-configuration``, only when ``issuer`` is
  given: ``issuer`` (exactly as given: clients compare it with the tokens'
  ``iss``), ``jwks_uri`` (``issuer`` + ``/.well-known/jwks.json``)
  and ``id_token_signing_alg_values_supported`` (the ``alg`` of the published
  signature keys), as ``application/json``. Without ``issuer`` this path is a
  404: the URLs are never built from the request's ``Host`` header, which a
  client controls (a poisoned cache would then point verifiers elsewhere).

Both carry ``Cache-Control: public, max-age=N``, a strong ``ETag`` (SHA-256 of
the body, which is canonical JSON -- sorted members, no spaces -- so every
replica serving the same keys gives the same tag) and answer a matching
``If-None-Match`` with 304. Other methods get 405 (with ``Allow``), other paths
404. Paths are matched below the ASGI ``root_path``, so the app can be mounted
under a prefix (then ``issuer`` should end with that prefix). ``lifespan``
events are acknowledged; websocket connections are refused.

What is published: every key of ``source`` is loaded with :class:`PyJWK` after
its private members are removed (they are never parsed), and re-exported in
public form. Symmetric (``oct``) keys have no public form and are left out. A
source that fails (raises, returns something that is not a JWK set, or a key
that does not load) gets a 500 with a fixed body and nothing cached; the
reason is logged on the ``cyjose.jwks_endpoint`` logger (type and, for
cyjose's own errors, which never show key material, the message).
"""

from __future__ import annotations

import hashlib
import importlib
import inspect
import logging
from typing import Any, Awaitable, Callable, Iterable, List, MutableMapping, Optional, Tuple, cast
from urllib.parse import urlsplit

from ._speedups.b64url import b64url_encode
from ._speedups.json import dumps_compact
from .api_jwk import PyJWK, public_members
from .exceptions import PyJWTError

__all__ = ["jwks_app", "serve", "JWKS_PATH", "DISCOVERY_PATH", "JWKS_MEDIA_TYPE"]

JWKS_PATH = "/.well-known/jwks.json"
DISCOVERY_PATH = "/.well-known/openid-configuration"
#: The registered media type of a JWK set (RFC 7517 §8.5); clients that expect
#: ``application/json`` parse it the same (PyJWKClient does not look at it).
JWKS_MEDIA_TYPE = "application/jwk-set+json"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_log = logging.getLogger(__name__)
_LOOPBACK_HOSTS = frozenset(("127.0.0.1", "::1", "localhost"))
_ALLOWED = "GET, HEAD"
_COMMON_HEADERS = [(b"x-content-type-options", b"nosniff")]


class _Document:
    """One rendered response body with its validator."""

    __slots__ = ("body", "etag", "media_type")

    def __init__(self, value: Any, media_type: str) -> None:
        self.body = dumps_compact(value, sort_keys=True)
        self.etag = b'"' + b64url_encode(hashlib.sha256(self.body).digest()) + b'"'
        self.media_type = media_type.encode("ascii")


def _source_callable(source: Any) -> Callable[[], Any]:
    jwks = getattr(source, "jwks", None)
    if callable(jwks):
        return cast(Callable[[], Any], jwks)  # a KeyStore (or anything with .jwks())
    if callable(source):
        return cast(Callable[[], Any], source)
    raise TypeError("source must be a zero-argument callable returning a JWK set, or have a .jwks() method")


def _check_issuer(issuer: Optional[str]) -> Optional[str]:
    """``issuer`` itself; ValueError unless it is a plain https URL (http on loopback)."""
    if issuer is None:
        return None
    if not isinstance(issuer, str):
        raise TypeError("issuer must be a str (an https URL)")
    parts = urlsplit(issuer)
    loopback = parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS
    if not (parts.scheme == "https" or loopback) or not parts.hostname:
        raise ValueError("issuer must be an https URL (http only for 127.0.0.1, ::1 or localhost)")
    if parts.query or parts.fragment or "?" in issuer or "#" in issuer:
        raise ValueError("issuer must not have a query or a fragment (OpenID Connect Discovery §3)")
    if "@" in parts.netloc:
        raise ValueError("issuer must not hold a user name or password")
    return issuer


def _load_public(entry: Any) -> Optional[PyJWK]:
    """``entry`` loaded in public form by :class:`PyJWK`; None for a symmetric key.

    Private members are dropped before loading, so private material is never parsed.
    Raises :class:`PyJWTError` subclasses for a key that does not load.
    """
    if not isinstance(entry, dict):
        raise TypeError(f"a JWK must be an object, got {type(entry).__name__}")
    if entry.get("kty") == "oct":
        return None
    return PyJWK(public_members(entry))


def _signing_algorithms(keys: Iterable[PyJWK]) -> List[str]:
    """The algorithm of each key that may verify signatures, first seen first, no repeats."""
    return list(dict.fromkeys(key.algorithm_name for key in keys if key.usable_for("verify")))


class _Published:
    """The two documents rendered from one reading of the source."""

    __slots__ = ("jwks", "discovery")

    def __init__(self, raw: Any, issuer: Optional[str]) -> None:
        if not isinstance(raw, dict) or not isinstance(raw.get("keys"), list):
            raise TypeError('the source must return a JWK set: a dict with a "keys" list')
        keys = [jwk for jwk in map(_load_public, raw["keys"]) if jwk is not None]
        self.jwks = _Document({"keys": [jwk.to_dict(private=False) for jwk in keys]}, JWKS_MEDIA_TYPE)
        self.discovery: Optional[_Document] = None
        if issuer is not None:
            discovery = {
                "issuer": issuer,
                "jwks_uri": issuer.rstrip("/") + JWKS_PATH,
                "id_token_signing_alg_values_supported": _signing_algorithms(keys),
            }
            self.discovery = _Document(discovery, "application/json")


def _reason(exc: BaseException) -> str:
    # cyjose's messages never show key material; a source's own exceptions might.
    return f"{type(exc).__name__}: {exc}" if isinstance(exc, PyJWTError) else type(exc).__name__


def _header(scope: Scope, name: bytes) -> bytes:
    """Every value of request header ``name`` (lower case), joined by commas."""
    return b",".join(value for key, value in scope.get("headers") or () if key.lower() == name)


def _etag_matches(if_none_match: bytes, etag: bytes) -> bool:
    """RFC 9110 §13.1.2: weak comparison against a list of tags, or ``*``."""
    for tag in if_none_match.split(b","):
        tag = tag.strip()
        if tag == b"*" or tag.removeprefix(b"W/") == etag:
            return True
    return False


class _JWKSApp:
    """The ASGI application :func:`jwks_app` returns."""

    def __init__(self, source: Callable[[], Any], issuer: Optional[str], max_age: int) -> None:
        self._source = source
        self._issuer = issuer
        self._cache_control = f"public, max-age={max_age}".encode("ascii")
        # The last source reading (by digest: no private material is kept) and its documents,
        # so an unchanged key set is not loaded again on every request.
        self._last: Tuple[bytes, Optional[_Published]] = (b"", None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, send)
        elif kind == "lifespan":
            await _lifespan(receive, send)
        elif kind == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        else:  # the ASGI spec asks apps to fail on scopes they do not know
            raise ValueError(f"unsupported ASGI scope type: {kind!r}")

    async def _http(self, scope: Scope, send: Send) -> None:
        path = _relative_path(scope)
        if path != JWKS_PATH and not (path == DISCOVERY_PATH and self._issuer is not None):
            await _plain(send, 404, b"not found")
            return
        method = scope.get("method", "GET")
        if method not in ("GET", "HEAD"):
            await _plain(send, 405, b"method not allowed", [(b"allow", _ALLOWED.encode("ascii"))])
            return
        try:
            published = await self._publish()
        except Exception as exc:  # the source is the operator's code: never show it to the client
            _log.error("JWKS source failed: %s", _reason(exc))
            await _plain(send, 500, b"the key set is unavailable")
            return
        document = published.jwks if path == JWKS_PATH else published.discovery
        assert document is not None
        await self._send_document(scope, send, document, head=method == "HEAD")

    async def _publish(self) -> _Published:
        raw = self._source()
        if inspect.isawaitable(raw):
            raw = await raw
        digest = hashlib.sha256(dumps_compact(raw, sort_keys=True)).digest()
        last_digest, published = self._last
        if published is None or digest != last_digest:
            published = _Published(raw, self._issuer)
            self._last = (digest, published)
        return published

    async def _send_document(self, scope: Scope, send: Send, document: _Document, head: bool) -> None:
        headers = [(b"etag", document.etag), (b"cache-control", self._cache_control),
                   (b"access-control-allow-origin", b"*")]
        if _etag_matches(_header(scope, b"if-none-match"), document.etag):
            await _respond(send, 304, headers, b"")
            return
        headers += [(b"content-type", document.media_type),
                    (b"content-length", str(len(document.body)).encode("ascii"))]
        await _respond(send, 200, headers, b"" if head else document.body)


def _relative_path(scope: Scope) -> str:
    """The request path below ``root_path`` (servers differ on whether ``path`` includes it)."""
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root):]
    return path


async def _respond(send: Send, status: int, headers: List[Tuple[bytes, bytes]], body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers + _COMMON_HEADERS})
    await send({"type": "http.response.body", "body": body})


async def _plain(send: Send, status: int, text: bytes, extra: Optional[List[Tuple[bytes, bytes]]] = None) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(text)).encode("ascii")),
               (b"cache-control", b"no-store"), *(extra or [])]
    await _respond(send, status, headers, text)


async def _lifespan(receive: Receive, send: Send) -> None:
    """Acknowledge startup and shutdown: the app holds no resources of its own."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def jwks_app(source: Any, *, issuer: Optional[str] = None, max_age: int = 300) -> ASGIApp:
    """An ASGI 3 application serving the public JWK set of ``source`` (see the module docstring).

    ``source``: an object with a ``jwks()`` method (a ``cyjose.keys.KeyStore``)
    or a zero-argument callable, returning a JWK set dict (or an awaitable of
    one); it is called on each request (unchanged sets are not re-rendered),
    so it should be quick. ``issuer``: the https URL (http only on loopback)
    of the issuer, which turns on ``/.well-known/openid-configuration``.
    ``max_age``: seconds clients may cache the documents (``Cache-Control``).

    Raises TypeError for a ``source`` that is neither, ``issuer`` that is not a
    str or ``max_age`` that is not an int; ValueError for a negative
    ``max_age`` or an ``issuer`` that is not a plain https URL.
    """
    if isinstance(max_age, bool) or not isinstance(max_age, int):
        raise TypeError("max_age must be an int (seconds)")
    if max_age < 0:
        raise ValueError("max_age must be at least 0")
    return _JWKSApp(_source_callable(source), _check_issuer(issuer), max_age)


def serve(app: ASGIApp, *, host: str = "127.0.0.1", port: int = 8000, log_level: str = "info") -> None:
    """Run ``app`` with uvicorn until interrupted (blocking).

    Listens on ``host`` (loopback by default: put a TLS-terminating proxy in
    front for anything public). Raises ImportError when uvicorn is missing
    (``pip install "cyjose[serve]"``).
    """
    try:
        uvicorn = importlib.import_module("uvicorn")  # optional: the `serve` extra
    except ImportError:
        raise ImportError('serving needs uvicorn: pip install "cyjose[serve]"') from None
    uvicorn.run(app, host=host, port=port, log_level=log_level, lifespan="on")
