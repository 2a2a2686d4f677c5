"""The HTTP side of the JWKS clients: one bounded GET with urllib, redirects refused.

Kept apart from the caching and key-selection policy of
:mod:`cyjose.jwks_client`, which calls :func:`http_get`.
"""

from __future__ import annotations

import http.client
import re
import time
import urllib.request
from ssl import SSLContext
from typing import Any, Dict, List, NamedTuple, Optional
from urllib.error import HTTPError
from urllib.parse import urlsplit

from ..exceptions import PyJWKClientConnectionError, PyJWKClientError

__all__ = ["Response", "http_get", "check_uri", "fetch_failed", "max_age", "DEFAULT_MAX_RESPONSE_BYTES",
           "MAX_AGE_CEILING"]

#: Largest JWKS body read by default (a real key set is a few KiB).
DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024
#: The longest freshness an endpoint's max-age can grant (one day).
MAX_AGE_CEILING = 86400.0
_READ_CHUNK = 64 * 1024
_DIGITS = re.compile(r"[0-9]+")


class Response(NamedTuple):
    body: bytes
    cache_control: str


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx answer becomes an HTTPError: a JWKS URI must not send the client elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def http_get(
    uri: str, headers: Dict[str, Any], timeout: float, ssl_context: Optional[SSLContext], max_bytes: int
) -> Response:
    """GET ``uri`` once; connection problems, HTTP errors and redirects raise PyJWKClientConnectionError.

    The body is read in bounded chunks: more than ``max_bytes`` is a
    :class:`PyJWKClientError`, and ``timeout`` covers the whole body.
    """
    deadline = time.monotonic() + timeout
    handlers: List[Any] = [_RefuseRedirects()]
    if ssl_context is not None:
        handlers.append(urllib.request.HTTPSHandler(context=ssl_context))
    try:
        request = urllib.request.Request(uri, headers=headers)
        with urllib.request.build_opener(*handlers).open(request, timeout=timeout) as response:
            body = _read_bounded(response, max_bytes, deadline)
            cache_control = ", ".join(response.headers.get_all("Cache-Control") or ())
    except HTTPError as exc:
        exc.close()
        reason = f"{exc} (redirects are not followed)" if 300 <= exc.code < 400 else exc
        raise fetch_failed(reason) from exc
    except (OSError, http.client.HTTPException, ValueError) as exc:  # URLError, timeouts, bad headers
        raise fetch_failed(exc) from exc
    return Response(body, cache_control)


def fetch_failed(reason: Any) -> PyJWKClientConnectionError:
    return PyJWKClientConnectionError(f'Fail to fetch data from the url, err: "{reason}"')


def check_uri(uri: str) -> None:
    """Refuse at construction what must never be fetched: non-http(s) schemes, unusable URIs."""
    if not isinstance(uri, str):
        raise TypeError(f"The JWKS URI must be a str, got {type(uri).__name__}")
    try:
        parts = urlsplit(uri)
        scheme = parts.scheme.lower()
        if scheme in ("http", "https"):
            parts.port  # noqa: B018 -- raises ValueError for a malformed port
    except ValueError as exc:
        raise PyJWKClientError(f"Invalid JWKS URI: {exc}") from None
    if scheme not in ("http", "https"):
        raise PyJWKClientError(
            f"Invalid JWKS URI scheme {scheme!r}: only 'http' and 'https' are supported."
        )
    if not parts.hostname:
        raise PyJWKClientError("Invalid JWKS URI: no host")
    if "@" in parts.netloc:  # urllib would not send them, and would echo them in its errors
        raise PyJWKClientError("Invalid JWKS URI: credentials in the URI are not supported (send them in headers)")
    if not uri.isascii() or any(c.isspace() or not c.isprintable() for c in uri):
        raise PyJWKClientError("Invalid JWKS URI: only printable ASCII without spaces (percent-encode the rest)")


def _read_bounded(response: Any, limit: int, deadline: float) -> bytes:
    """The body, refused beyond ``limit`` bytes or past ``deadline`` (time.monotonic)."""
    declared = response.headers.get("Content-Length", "")
    if _DIGITS.fullmatch(declared) and int(declared[:20]) > limit:
        raise PyJWKClientError(f"The JWKS response is larger than {limit} bytes")
    chunks: List[bytes] = []
    size = 0
    while True:
        # read1: at most one socket read, so a trickling server meets the deadline check.
        chunk = response.read1(min(_READ_CHUNK, limit + 1 - size))
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise PyJWKClientError(f"The JWKS response is larger than {limit} bytes")
        if time.monotonic() > deadline:
            raise fetch_failed("timed out reading the response")
        chunks.append(chunk)


def max_age(cache_control: str) -> Optional[float]:
    """The freshness the endpoint grants in seconds, or None when it says nothing."""
    seconds: Optional[float] = None
    for directive in cache_control.split(","):
        name, _, value = directive.partition("=")
        name = name.strip().lower()
        if name in ("no-store", "no-cache"):
            return 0.0
        if name == "max-age":
            digits = value.strip().strip('"')
            if not _DIGITS.fullmatch(digits):
                return 0.0  # RFC 9111 §4.2.1: an invalid max-age means stale
            seconds = MAX_AGE_CEILING if len(digits) > 9 else float(digits)
    return seconds
