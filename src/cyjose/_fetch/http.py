"""The HTTP side of key sources: a bounded GET with urllib, redirects refused, transient failures retried.

:func:`http_get` serves :mod:`cyjose.jwks_client` and :mod:`.discovery`.
urllib's own proxy handling is kept (``HTTP_PROXY``/``HTTPS_PROXY``/``NO_PROXY``;
HTTPS through a proxy uses CONNECT); only its HTTP and HTTPS handlers are
replaced, by ones whose connections answer to one deadline.

**The deadline.** ``timeout`` is the time the whole call may take, retries and
the waits between them included (``time.monotonic``). Bounded by it as a whole:
every send, and every read of the status line, the headers and the body (each
read is given only the time left, and none is started once it is gone); the
TLS handshake (CPython's ssl bounds a whole handshake by the socket timeout,
which is set to the time left once TCP is connected); the waits between
attempts. Bounded only per operation, by the time left when the connection
starts: the TCP connect to each address a name resolves to, and the reads of a
proxy's answer to CONNECT. Not bounded here: the name lookup (getaddrinfo has
no timeout). A deadline that passes raises :class:`PyJWKClientConnectionError`
"timed out <connecting|waiting for the response|reading the response> after N s".

**Retries.** A failure that may pass -- a connection refused, reset or closed
before the full answer, a read timing out while time is left, an HTTP 5xx --
is retried up to ``retries`` times (0 unless asked; :data:`DEFAULT_RETRIES` is 3) after an
exponential backoff with equal jitter (0.1 s doubling, at most 2 s), never
starting an attempt or a wait that would end past the deadline. Never retried:
4xx, 3xx (refused: a key source must not send the client elsewhere), a TLS
error, a response larger than ``max_bytes``, a malformed answer.

**Request headers.** ``User-Agent: cyjose/<version>`` and ``Accept`` (the
``accept`` argument) unless the caller's ``headers`` name them, in any case.
Header values are never repeated in messages: they often hold credentials.
"""

from __future__ import annotations

import functools
import http.client
import io
import math
import random
import re
import socket
import ssl
import time
import urllib.request
from ssl import SSLContext
from typing import Any, Callable, Collection, Dict, List, Mapping, NamedTuple, Optional, Tuple
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

from .._messages import shown
from ..exceptions import PyJWKClientConnectionError, PyJWKClientError

__all__ = ["Response", "Deadline", "http_get", "get_within", "check_uri", "fetch_failed", "max_age",
           "DEFAULT_MAX_RESPONSE_BYTES", "DEFAULT_RETRIES", "JWK_SET_ACCEPT", "MAX_AGE_CEILING"]

#: Largest JWKS body read by default (a real key set is a few KiB).
DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024
#: The longest freshness an endpoint's max-age can grant (one day).
MAX_AGE_CEILING = 86400.0
#: Retries after the first attempt (so at most 4 attempts) for a caller that opts in; :func:`http_get`
#: alone makes one attempt, as it always did.
DEFAULT_RETRIES = 3
#: What a key set request accepts (RFC 7517 §8.5 registers application/jwk-set+json).
JWK_SET_ACCEPT = "application/jwk-set+json, application/json"

_BACKOFF_BASE = 0.1
_BACKOFF_CAP = 2.0
_READ_CHUNK = 64 * 1024
_DIGITS = re.compile(r"[0-9]+")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # RFC 9110 §5.6.2: a header name
_BAD_VALUE = re.compile(r"[\r\n\x00]")

# Patchable by tests, real by default: the wait between attempts, its jitter, and the clock.
_sleep: Callable[[float], None] = time.sleep
_random: Callable[[], float] = random.random
_clock: Callable[[], float] = time.monotonic


class Response(NamedTuple):
    body: bytes
    cache_control: str
    #: How many HTTP attempts the answer took (1 when the first one succeeded).
    attempts: int = 1
    status: int = 200


class Deadline:
    """The end of one exchange (``timeout`` seconds from now) and the error for passing it."""

    __slots__ = ("timeout", "at", "phase")

    def __init__(self, timeout: float) -> None:
        if not (isinstance(timeout, (int, float)) and 0 < timeout < math.inf):  # also refuses NaN
            raise PyJWKClientError(f'Timeout must be a finite number of seconds > 0, the input is "{timeout!r}"')
        self.timeout = timeout
        self.at = _clock() + timeout
        #: What the exchange is doing, for the error message.
        self.phase = "connecting"

    def remaining(self) -> float:
        return self.at - _clock()

    def left(self) -> float:
        """The time left for the next socket operation; TimeoutError when there is none."""
        left = self.remaining()
        if left <= 0:
            raise TimeoutError("timed out")
        return left

    def error(self) -> PyJWKClientConnectionError:
        return fetch_failed(f"timed out {self.phase} after {self.timeout:g} s")


# -- sockets and connections that answer to a deadline -----------------------


class _DeadlineReader(io.RawIOBase):
    """The socket's raw reader, each read given only the time left."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        super().__init__()
        # socket.makefile counts the reader: urllib closes the connection's socket as soon as
        # the headers are read, and the real close then waits until the body reader is closed.
        self._raw = sock.makefile("rb", buffering=0)
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> Optional[int]:
        self._sock.settimeout(self._deadline.left())
        return self._raw.readinto(buffer)

    def fileno(self) -> int:
        return self._raw.fileno()

    def close(self) -> None:
        self._raw.close()
        super().close()


class _DeadlineSocket:
    """What http.client sees as its socket: ``sendall`` and ``makefile("rb")`` within the deadline.

    http.client (3.9-3.13) uses a connected socket's ``sendall``, ``makefile("rb")``
    and ``close``; anything else is handed to the socket unchanged.
    """

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def sendall(self, data: Any) -> None:
        self._sock.settimeout(self._deadline.left())
        self._sock.sendall(data)

    def makefile(self, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if mode != "rb":
            return self._sock.makefile(mode, *args, **kwargs)  # type: ignore[call-overload]
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def close(self) -> None:
        self._sock.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


class _TCPWithin(http.client.HTTPConnection):
    """The TCP connection (and a proxy tunnel) started with the time left; what follows gets what remains."""

    cyjose_deadline: Deadline

    def connect(self) -> None:
        self.cyjose_deadline.phase = "connecting"
        self.timeout = self.cyjose_deadline.left()
        super().connect()
        # For HTTPS the TLS handshake comes next, bounded as a whole by this timeout.
        self.sock.settimeout(self.cyjose_deadline.left())


    def bind_socket(self) -> None:
        """Once connected (TLS included): every send and read of the exchange within the deadline."""
        self.cyjose_deadline.phase = "waiting for the response"
        self.sock = _DeadlineSocket(self.sock, self.cyjose_deadline)


class _HTTPConnection(_TCPWithin):
    def connect(self) -> None:
        super().connect()
        self.bind_socket()


class _HTTPSConnection(http.client.HTTPSConnection, _TCPWithin):
    # The MRO runs HTTPSConnection.connect, whose super().connect() is _TCPWithin's, then TLS.
    def connect(self) -> None:
        super().connect()
        self.bind_socket()


def _bound(cls: Any, deadline: Deadline) -> Callable[..., Any]:
    """A connection factory for urllib's ``do_open``, every connection bound to ``deadline``."""

    def connection(*args: Any, **kwargs: Any) -> Any:
        conn = cls(*args, **kwargs)
        conn.cyjose_deadline = deadline
        return conn

    return connection


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self.cyjose_deadline = deadline

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_bound(_HTTPConnection, self.cyjose_deadline), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: Deadline, context: Optional[SSLContext]) -> None:
        super().__init__(context=context)
        self.cyjose_deadline = deadline
        self.cyjose_context = context  # None: http.client's default context, as urllib's handler

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_bound(_HTTPSConnection, self.cyjose_deadline), req, context=self.cyjose_context)


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A 3xx answer becomes an HTTPError: a key source must not send the client elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# -- the request --------------------------------------------------------------


def http_get(
    uri: str,
    headers: Optional[Mapping[str, Any]],
    timeout: float,
    ssl_context: Optional[SSLContext],
    max_bytes: int,
    *,
    accept: str = JWK_SET_ACCEPT,
    retries: int = 0,
    return_statuses: Collection[int] = (),
) -> Response:
    """GET ``uri`` within ``timeout`` seconds in all, retrying transient failures (module docstring).

    An answer whose status is in ``return_statuses`` is returned as it is (with
    an empty body, never retried) instead of raised. Raises
    :class:`PyJWKClientConnectionError` for connection problems, HTTP errors,
    redirects and the deadline, and :class:`PyJWKClientError` for a body over
    ``max_bytes``, an invalid header or an out-of-range argument.
    """
    return get_within(Deadline(timeout), uri, headers, ssl_context, max_bytes,
                      accept=accept, retries=retries, return_statuses=return_statuses)


def get_within(
    deadline: Deadline,
    uri: str,
    headers: Optional[Mapping[str, Any]],
    ssl_context: Optional[SSLContext],
    max_bytes: int,
    *,
    accept: str = JWK_SET_ACCEPT,
    retries: int = 0,
    return_statuses: Collection[int] = (),
) -> Response:
    """:func:`http_get` against a deadline the caller shares between several requests."""
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise PyJWKClientError(f'retries must be an int >= 0, the input is "{shown(retries)}"')
    request = urllib.request.Request(uri, headers=_request_headers(headers or {}, accept))
    opener = urllib.request.build_opener(_RefuseRedirects(), _HTTPHandler(deadline),
                                         _HTTPSHandler(deadline, ssl_context))
    attempts = 0
    while True:
        attempts += 1
        try:
            return _attempt(opener, request, deadline, max_bytes, return_statuses)._replace(attempts=attempts)
        except (OSError, http.client.HTTPException, ValueError) as exc:  # URLError, timeouts, bad answers
            failure, transient = _failure(exc, deadline, attempts)
            delay = _backoff(attempts)
            if not transient or attempts > retries or delay >= deadline.remaining():
                raise failure from exc
            _sleep(delay)


def _attempt(
    opener: urllib.request.OpenerDirector,
    request: urllib.request.Request,
    deadline: Deadline,
    max_bytes: int,
    return_statuses: Collection[int],
) -> Response:
    try:
        with opener.open(request, timeout=deadline.left()) as response:
            deadline.phase = "reading the response"
            body = _read_bounded(response, max_bytes)
            cache_control = ", ".join(response.headers.get_all("Cache-Control") or ())
            return Response(body, cache_control, 1, response.status)
    except HTTPError as exc:
        exc.close()
        if exc.code in return_statuses:
            return Response(b"", "", 1, exc.code)
        raise


def _failure(exc: BaseException, deadline: Deadline, attempts: int) -> Tuple[PyJWKClientConnectionError, bool]:
    """The error to raise for ``exc`` and whether another attempt may succeed."""
    if deadline.remaining() <= 0:
        return deadline.error(), False
    reason: Any = exc
    transient = False
    if isinstance(exc, HTTPError):
        transient = exc.code >= 500
        if 300 <= exc.code < 400:
            reason = f"{exc} (redirects are not followed)"
    elif isinstance(exc, URLError):
        transient = isinstance(exc.reason, OSError) and not isinstance(exc.reason, ssl.SSLError)
    elif isinstance(exc, OSError):  # reset, closed before the status line (RemoteDisconnected), timeout
        transient = not isinstance(exc, ssl.SSLError)
    elif isinstance(exc, http.client.IncompleteRead):
        transient, reason = True, "the connection closed before the end of the body"
    elif isinstance(exc, ValueError):  # http.client's messages may repeat a header value
        reason = f"invalid HTTP answer ({type(exc).__name__})"
    if attempts > 1:
        reason = f"{reason} (after {attempts} attempts)"
    return fetch_failed(reason), transient


def _backoff(failures: int) -> float:
    """Equal jitter: half the doubled (and capped) step, plus up to the other half at random."""
    step = min(_BACKOFF_CAP, _BACKOFF_BASE * 2.0 ** min(failures - 1, 16))
    return step / 2 + _random() * step / 2


def _request_headers(headers: Mapping[str, Any], accept: str) -> Dict[str, Any]:
    """Our defaults, less those the caller names (in any case), then the caller's, checked."""
    for name, value in headers.items():
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            raise PyJWKClientError(f'Invalid request header name "{shown(name)}"')
        if not _valid_header_value(value):
            raise PyJWKClientError(f'Invalid value for the request header "{name}" (the value is not shown)')
    given = {name.lower() for name in headers}
    defaults = {"User-Agent": _user_agent(), "Accept": accept}
    merged: Dict[str, Any] = {name: value for name, value in defaults.items() if name.lower() not in given}
    merged.update(headers)
    return merged


def _valid_header_value(value: Any) -> bool:
    if isinstance(value, str):
        return all(ord(c) < 256 for c in value) and not _BAD_VALUE.search(value)  # http.client sends latin-1
    if isinstance(value, bytes):
        return not _BAD_VALUE.search(value.decode("latin-1"))
    return isinstance(value, int) and not isinstance(value, bool)


@functools.cache
def _user_agent() -> str:
    # Read on the first request, not at import: importlib.metadata costs `import cyjose` time,
    # and the engine may not import the package face for its __version__.
    from importlib import metadata

    try:
        return f"cyjose/{metadata.version('cyjose')}"
    except Exception:  # not installed (a source tree) or unreadable metadata: the bare name
        return "cyjose"


def fetch_failed(reason: Any) -> PyJWKClientConnectionError:
    return PyJWKClientConnectionError(f'Fail to fetch data from the url, err: "{reason}"')


def check_uri(uri: str, what: str = "JWKS URI") -> None:
    """Refuse at construction what must never be fetched: non-http(s) schemes, unusable URIs."""
    if not isinstance(uri, str):
        raise TypeError(f"The {what} must be a str, got {type(uri).__name__}")
    try:
        parts = urlsplit(uri)
        scheme = parts.scheme.lower()
        if scheme in ("http", "https"):
            parts.port  # noqa: B018 -- raises ValueError for a malformed port
    except ValueError as exc:
        raise PyJWKClientError(f"Invalid {what}: {exc}") from None
    if scheme not in ("http", "https"):
        raise PyJWKClientError(
            f"Invalid {what} scheme {scheme!r}: only 'http' and 'https' are supported."
        )
    if not parts.hostname:
        raise PyJWKClientError(f"Invalid {what}: no host")
    if "@" in parts.netloc:  # urllib would not send them, and would echo them in its errors
        raise PyJWKClientError(f"Invalid {what}: credentials in the URI are not supported (send them in headers)")
    if not uri.isascii() or any(c.isspace() or not c.isprintable() for c in uri):
        raise PyJWKClientError(f"Invalid {what}: only printable ASCII without spaces (percent-encode the rest)")


def _read_bounded(response: http.client.HTTPResponse, limit: int) -> bytes:
    """The body, refused beyond ``limit`` bytes; one cut short of its Content-Length is an IncompleteRead."""
    declared = response.headers.get("Content-Length", "")
    length = int(declared[:20]) if _DIGITS.fullmatch(declared) else None
    if length is not None and length > limit:
        raise PyJWKClientError(f"The JWKS response is larger than {limit} bytes")
    chunked = response.headers.get("Transfer-Encoding", "").strip().lower() == "chunked"
    chunks: List[bytes] = []
    size = 0
    while True:
        # read1: at most one socket read per call, each within the deadline (_DeadlineReader).
        chunk = response.read1(min(_READ_CHUNK, limit + 1 - size))
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise PyJWKClientError(f"The JWKS response is larger than {limit} bytes")
        chunks.append(chunk)
    if length is not None and not chunked and size < length:
        # http.client's read1 ends quietly at an early close; the answer is incomplete, not short.
        raise http.client.IncompleteRead(b"", length - size)
    return b"".join(chunks)


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
