"""An issuer's metadata (OpenID Connect Discovery 1.0, RFC 8414) and the ``jwks_uri`` in it.

:func:`discover` GETs ``<issuer>/.well-known/openid-configuration`` (OIDC
Discovery §4); when that answers 404 it tries RFC 8414 §3.1's
``https://<host>/.well-known/oauth-authorization-server<issuer path>``. Both
requests share one deadline (``timeout``) and are :func:`.http.get_within`'s
bounded GETs: size limit, retries of transient failures, no redirects.

What is trusted, and why:

* The issuer and the ``jwks_uri`` must be ``https`` -- or, with
  ``allow_http_localhost=True`` (tests, local development), ``http`` to a
  loopback host (``localhost``, 127.0.0.0/8, ``::1``). Anything else is
  refused before any request.
* The document must name exactly the configured issuer (OIDC Discovery §4.3,
  RFC 8414 §3.3): string for string, so a trailing ``/`` is a mismatch.
* Once it is https, the ``jwks_uri`` may be on any host: the document came
  from the issuer over https and names it, and providers do keep their keys
  elsewhere (a CDN, another domain of theirs). Credentials in the URI and
  non-printable characters are refused as for any key source
  (:func:`.http.check_uri`).
"""

from __future__ import annotations

import ipaddress
from ssl import SSLContext
from typing import Any, Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlsplit

from .._speedups.json import loads_object
from ..exceptions import DecodeError, PyJWKClientError
from .http import DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_RETRIES, Deadline, Response, check_uri, get_within

__all__ = ["discover", "metadata_urls", "check_issuer", "jwks_uri_of"]

OIDC_SUFFIX = "/.well-known/openid-configuration"
OAUTH_PREFIX = "/.well-known/oauth-authorization-server"
_NOT_FOUND = 404
_MAX_SHOWN = 200  # longest issuer or URI from a document repeated in a message


def discover(
    issuer: str,
    *,
    timeout: float = 30,
    headers: Optional[Mapping[str, Any]] = None,
    ssl_context: Optional[SSLContext] = None,
    allow_http_localhost: bool = False,
    max_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    retries: int = DEFAULT_RETRIES,
) -> Dict[str, Any]:
    """The issuer's metadata document, checked: a JSON object naming ``issuer`` and a usable ``jwks_uri``.

    Raises :class:`PyJWKClientError` for an issuer that may not be fetched, a
    document that is not a JSON object, names another issuer or has no usable
    ``jwks_uri``; :class:`PyJWKClientConnectionError` when neither URL answers
    (the last error), including the deadline passing.
    """
    check_issuer(issuer, allow_http_localhost=allow_http_localhost)
    deadline = Deadline(timeout)
    oidc, oauth = metadata_urls(issuer)

    def get(url: str, return_statuses: Tuple[int, ...] = ()) -> Response:
        return get_within(deadline, url, headers, ssl_context, max_bytes, accept="application/json",
                          retries=retries, return_statuses=return_statuses)

    response = get(oidc, (_NOT_FOUND,))
    if response.status == _NOT_FOUND:
        response = get(oauth)  # its 404 is an error like any other
    metadata = _parse(response.body)
    _check_names_issuer(metadata, issuer)
    jwks_uri_of(metadata, allow_http_localhost=allow_http_localhost)
    return metadata


def metadata_urls(issuer: str) -> List[str]:
    """Where the metadata may be: the OIDC URL, then RFC 8414's (the well-known path before the issuer's path)."""
    parts = urlsplit(issuer)
    path = parts.path.rstrip("/")
    return [issuer.rstrip("/") + OIDC_SUFFIX, f"{parts.scheme}://{parts.netloc}{OAUTH_PREFIX}{path}"]


def check_issuer(issuer: Any, *, allow_http_localhost: bool = False) -> None:
    """Refuse an issuer that must not be fetched (see the module docstring); raises PyJWKClientError."""
    if not isinstance(issuer, str):
        raise PyJWKClientError(f"The issuer must be a str, got {type(issuer).__name__}")
    check_uri(issuer, what="issuer")
    if "?" in issuer or "#" in issuer:  # OIDC Discovery §3, RFC 8414 §2: no query, no fragment
        raise PyJWKClientError(f"Invalid issuer: no query or fragment allowed: {_quoted(issuer)}")
    _require_https(issuer, "issuer", allow_http_localhost)


def jwks_uri_of(metadata: Mapping[str, Any], *, allow_http_localhost: bool = False) -> str:
    """The document's ``jwks_uri``, refused (PyJWKClientError) unless a string URI that may be fetched."""
    uri = metadata.get("jwks_uri")
    if not isinstance(uri, str):
        what = "no jwks_uri" if uri is None else f"a jwks_uri that is not a string ({type(uri).__name__})"
        raise PyJWKClientError(f"The discovery document has {what}")
    check_uri(uri, what="jwks_uri")
    _require_https(uri, "jwks_uri", allow_http_localhost)
    return uri


def _parse(body: bytes) -> Dict[str, Any]:
    try:
        return loads_object(body, "discovery document")
    except DecodeError:  # LimitExceededError (too deep) included
        raise PyJWKClientError("The discovery endpoint did not return a JSON object") from None


def _check_names_issuer(metadata: Mapping[str, Any], issuer: str) -> None:
    named = metadata.get("issuer")
    if named != issuer:  # a str equals only a str: exact, string for string
        raise PyJWKClientError(
            f"The discovery document names the issuer {_quoted(named)}, not the configured {_quoted(issuer)}"
        )


def _require_https(uri: str, what: str, allow_http_localhost: bool) -> None:
    parts = urlsplit(uri)
    if parts.scheme.lower() == "https":
        return
    if allow_http_localhost and _is_loopback(parts.hostname or ""):
        return
    allowed = "https (or http to a loopback host, as allowed)" if allow_http_localhost else "https"
    raise PyJWKClientError(f"The {what} must use {allowed}: {_quoted(uri)}")


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name other than localhost: its address is not ours to guess
        return False


def _quoted(value: Any) -> str:
    """An issuer or URI (public) for a message, cut short: a document's value may be huge."""
    text = value if isinstance(value, str) else repr(value)
    return '"' + (text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "...") + '"'
