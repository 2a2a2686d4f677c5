"""Signing keys from a JWKS endpoint: :class:`PyJWKClient` (threads) and :class:`AsyncPyJWKClient` (asyncio).

PyJWT 2.15's client, with the same constructor arguments, methods,
exceptions and messages, plus what its users asked for:

* **Safety.** Only ``http``/``https`` URIs (refused at construction); a
  redirect is an error, never followed; the body is read at most
  ``max_response_bytes`` (1 MiB) and within ``timeout`` seconds in total.
  Garbage (not JSON, not an object, no usable key) raises
  :class:`PyJWKClientError` or :class:`PyJWKSetError`, never a raw exception.
* **Stale-if-error.** When a refresh fails and a set was fetched before, the
  client keeps serving that set -- for at most ``stale_if_error`` seconds past
  its expiry (default one day, ``None`` for no limit, ``0`` to turn it off) --
  and keeps the failure in :attr:`last_error` (and logs it). While it serves a
  stale set it retries at most once per ``cooldown_duration``. With no set to
  fall back on, the failure is raised as in PyJWT.
* **Unknown kid.** A ``kid`` missing from the cached set triggers at most one
  fetch per ``cooldown_duration`` (every fetch attempt, good or failed, starts
  the cooldown). Within the cooldown an unknown ``kid`` raises
  :class:`PyJWKClientError` without any network call, so a flood of tokens with
  random kids cannot hammer the endpoint -- except while a fetch is in
  progress: then an unknown ``kid`` waits for it, since during a rotation the
  new key is likely in it. A ``kid`` that is not a string never triggers a
  fetch.
* **Single flight.** Callers needing a fetch while one is in progress wait
  for it (at most ``timeout`` + 1 s from its start) and share its result or
  error: N concurrent misses make one fetch.
* **Outages.** With no set to serve, a failed attempt makes every call within
  the cooldown (and every call while the next attempt is in flight) raise
  that error at once, with no network call: one attempt per
  ``cooldown_duration``, callers failing fast. Connection errors and 5xx
  answers are retried inside the attempt's ``timeout``.
* **Refresh ahead.** A fresh set with less than a fifth of its lifespan left
  is refetched in the background (a daemon thread; a task for the async
  client) while callers keep it, so a warm client never makes a request wait
  for a kid it knows. :meth:`PyJWKClient.warm_up` fetches at start-up and
  raises on failure.
* **Forks.** Locks and fetches in flight are reset in a forked child
  (``os.register_at_fork``); the set fetched before the fork is kept.
* **Observability.** :meth:`PyJWKClient.metrics` counts fetches, failures,
  refreshes ahead, stale serves, kid misses and cooldown refusals; events go
  to this module's logger, each kind at most once per cooldown.
* **Cache-Control.** ``max-age=N`` from the endpoint replaces ``lifespan`` for
  that response, clamped to [5 s, 1 day]; ``no-store``/``no-cache`` (or an
  unreadable ``max-age``) count as ``max-age=0``, so the set is reused for
  the 5 s floor -- a burst of requests does not become a burst of fetches. A
  ``lifespan`` below 5 s lowers the floor to it. ``Expires`` and ``Age`` are
  ignored.
* **Keys.** The signing keys are those with a ``kid`` that may verify
  (:meth:`PyJWK.usable_for`: PyJWT's ``use`` rule, plus ``key_ops`` and a
  signature algorithm), so a key-agreement key is never handed out. Lookup
  by ``kid`` is a dict lookup in the current set. A key is never served after
  its set stopped being servable, so ``cache_keys`` and ``max_cached_keys``
  are accepted for compatibility but change nothing (PyJWT's ``cache_keys``
  kept serving a key the endpoint had withdrawn).

``clock`` (keyword) is the monotonic time source for expiry, cooldown and
staleness decisions; network waits always use real time.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import math
import threading
import time
from ssl import SSLContext
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple, Union

from ._fetch.forks import reset_after_fork
from ._fetch.http import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_RETRIES,
    MAX_AGE_CEILING,
    Response,
    check_uri,
    fetch_failed,
    http_get,
    max_age,
)
from ._jws import decode_unverified
from ._messages import shown
from ._speedups.json import loads_object
from .api_jwk import PyJWK, PyJWKSet
from .exceptions import DecodeError, PyJWKClientError, PyJWTError
from .jwk_set_cache import JWKSetCache

__all__ = ["PyJWKClient", "AsyncPyJWKClient", "DEFAULT_MAX_RESPONSE_BYTES"]

_log = logging.getLogger(__name__)

_DEFAULT_STALE_IF_ERROR = 86400.0
_MAX_AGE_FLOOR = 5.0
# Waiters give the fetch in progress this long beyond its own timeout.
_WAIT_GRACE = 1.0
# A fresh set is refetched in the background once less than this part of its lifespan is left.
_REFRESH_AHEAD_FRACTION = 0.2
# Rate-limited events are logged at most once per cooldown, and never more than once a second.
_MIN_LOG_INTERVAL = 1.0
_COUNTERS = ("fetches", "failures", "refreshes_ahead", "stale_served", "kid_misses", "cooldown_refusals")

# What a caller needs from _obtain(): the set as the cache allows, a fresh
# fetch (refresh=True), or a refetch for an unknown kid (cooldown permitting).
_NORMAL, _REFRESH, _UNKNOWN_KID = "normal", "refresh", "unknown kid"


class _Fetched(NamedTuple):
    jwk_set: PyJWKSet
    lifespan: float


def _check_positive(name: str, value: float) -> None:
    if not value > 0:  # also refuses NaN
        raise PyJWKClientError(f'{name} must be greater than 0, the input is "{value}"')


def _check_cooldown(cooldown_duration: float) -> None:
    if cooldown_duration < 0:
        raise PyJWKClientError(
            "Cooldown duration must be greater than or equal to 0, "
            f'the input is "{cooldown_duration}"'
        )
    if not math.isfinite(cooldown_duration):
        raise PyJWKClientError(f'Cooldown duration must be finite, the input is "{cooldown_duration}"')


def _parse_object(body: bytes) -> Dict[str, Any]:
    try:
        return loads_object(body, "JWKS")
    except DecodeError:
        raise PyJWKClientError("The JWKS endpoint did not return a JSON object") from None


def _as_jwk_set(data: Any) -> PyJWKSet:
    """``data`` (a ``PyJWKSet`` or the endpoint's JSON) as a ``PyJWKSet``."""
    if isinstance(data, PyJWKSet):
        return data
    if not isinstance(data, dict):
        raise PyJWKClientError("The JWKS endpoint did not return a JSON object")
    # A published set is for verifying: private members (a misconfigured or hostile
    # endpoint's) are dropped unparsed; an 8192-bit private RSA JWK costs seconds of CPU.
    return PyJWKSet.from_dict(data, load_private=False)


def _copy_error(error: PyJWTError) -> PyJWTError:
    """A fresh instance to raise in one more caller (a shared instance's traceback would grow)."""
    clone = copy.copy(error)
    clone.__cause__ = error
    return clone


def _consume_outcome(task: asyncio.Task[Any]) -> None:
    """Mark a fetch task's error as seen: every waiter may have given up before it ended."""
    if not task.cancelled():
        task.exception()


class _Flight:
    """One fetch in progress in a thread; other threads wait on ``done``."""

    __slots__ = ("done", "deadline", "jwk_set", "error")

    def __init__(self, deadline: float) -> None:
        self.done = threading.Event()
        self.deadline = deadline
        self.jwk_set: Optional[PyJWKSet] = None
        self.error: Optional[PyJWTError] = None


class _RateLimitedLog:
    """Log each kind of event at most once per interval; the next line counts what was held back."""

    __slots__ = ("_interval", "_clock", "_last", "_held")

    def __init__(self, interval: float, clock: Callable[[], float]) -> None:
        self._interval = max(interval, _MIN_LOG_INTERVAL)
        self._clock = clock
        self._last: Dict[str, float] = {}
        self._held: Dict[str, int] = {}

    def __call__(self, kind: str, level: int, message: str, *args: Any) -> None:
        now = self._clock()
        last = self._last.get(kind)
        if last is not None and now - last < self._interval:
            self._held[kind] = self._held.get(kind, 0) + 1
            return
        self._last[kind] = now
        held = self._held.pop(kind, 0)
        if held:
            message += " (%d more like this since the last report)"
            args += (held,)
        _log.log(level, message, *args)


class _ClientBase:
    """Configuration, cache state and decisions shared by the sync and async clients."""

    def __init__(
        self,
        uri: str,
        cache_keys: bool = False,
        max_cached_keys: int = 16,
        cache_jwk_set: bool = True,
        lifespan: float = 300,
        headers: Optional[Dict[str, Any]] = None,
        timeout: float = 30,
        ssl_context: Optional[SSLContext] = None,
        cooldown_duration: float = 30,
        *,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        stale_if_error: Optional[float] = _DEFAULT_STALE_IF_ERROR,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        check_uri(uri)
        _check_cooldown(cooldown_duration)
        _check_positive("Timeout", timeout)
        _check_positive("max_response_bytes", max_response_bytes)
        if stale_if_error is not None and not stale_if_error >= 0:
            raise PyJWKClientError(f'stale_if_error must be None or at least 0, the input is "{stale_if_error}"')
        if cache_jwk_set:
            _check_positive("Lifespan", lifespan)
        self.uri = uri
        self.headers: Dict[str, Any] = dict(headers or {})
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.cooldown_duration = cooldown_duration
        self.lifespan = lifespan
        self.cache_keys = cache_keys
        self.max_cached_keys = max_cached_keys
        self.max_response_bytes = int(max_response_bytes)
        self.stale_if_error = stale_if_error
        self.jwk_set_cache: Optional[JWKSetCache] = JWKSetCache(lifespan, clock=clock) if cache_jwk_set else None
        #: The error of the most recent failed fetch; None once a fetch succeeds.
        self.last_error: Optional[PyJWTError] = None
        self._clock = clock
        self._event = _RateLimitedLog(cooldown_duration, clock)
        self._counts: Dict[str, int] = dict.fromkeys(_COUNTERS, 0)
        self._last_attempt: Optional[float] = None
        self._last_attempt_failed = False
        self._index: Tuple[Optional[PyJWKSet], List[PyJWK], Dict[str, PyJWK]] = (None, [], {})
        self._after_fork_in_child()
        reset_after_fork(self)

    def _after_fork_in_child(self) -> None:
        """A fresh lock and no fetch in flight (a parent's fetching thread does not exist here)."""
        self._lock = threading.Lock()
        # Fetches in progress by scope: None for threads, the event loop for asyncio.
        self._flights: Dict[Any, Any] = {}

    # -- HTTP (blocking; the async client runs it in a worker thread) --------

    def _http_get(self) -> Response:
        """GET the URI, transient failures retried within ``timeout`` (see :func:`cyjose._fetch.http.http_get`)."""
        return http_get(self.uri, self.headers, self.timeout, self.ssl_context, self.max_response_bytes,
                        retries=DEFAULT_RETRIES)

    def _lifespan_of(self, response: Response) -> float:
        granted = max_age(response.cache_control)
        if granted is None:
            return self.lifespan
        return min(max(granted, min(_MAX_AGE_FLOOR, self.lifespan)), MAX_AGE_CEILING)

    def _download(self) -> _Fetched:
        """One complete fetch: HTTP, JSON, key set and its lifespan."""
        response = self._http_get()
        return _Fetched(_as_jwk_set(_parse_object(response.body)), self._lifespan_of(response))

    # -- counters --------------------------------------------------------------

    def metrics(self) -> Dict[str, int]:
        """Counters since construction, as a new dict of ints.

        ``fetches`` (fetches started, background refreshes included),
        ``failures`` (fetches that failed), ``refreshes_ahead`` (fetches started
        before the set expired), ``stale_served`` (times an expired set was
        served because fetching failed), ``kid_misses`` (kids not in the
        current set), ``cooldown_refusals`` (fetches not made because of the
        cooldown). See the README for a Prometheus or OpenTelemetry recipe.
        """
        return dict(self._counts)

    def _count(self, name: str) -> None:
        self._counts[name] += 1

    # -- state ---------------------------------------------------------------

    def _plan(self, mode: str, flying: bool) -> Optional[PyJWKSet]:
        """The set to use without fetching, or None when a fetch is due (``flying``: one is in progress).

        Call with the lock held. Raises the last fetch error, without any
        network call, when there is no set to serve and the cooldown forbids
        another attempt (or one is already failing its way through).
        """
        cache = self.jwk_set_cache
        if mode == _REFRESH or cache is None:
            return None
        if mode == _UNKNOWN_KID:
            if flying:  # the new key is likely in the fetch in progress: wait for it
                return None
            if not self._cooling_down():
                return None
            self._count("cooldown_refusals")
            self._event("cooldown", logging.INFO, "JWKS %s: unknown kid, refetch refused during the %s s cooldown",
                        self.uri, self.cooldown_duration)
            return cache.get_stale(self.stale_if_error)
        fresh = cache.get()
        if fresh is not None:
            return fresh
        failing = self._last_attempt_failed and (self._cooling_down() or flying)
        if not failing:
            return None  # expired (or never fetched), nothing failing: fetch, or wait for the fetch in flight
        stale = cache.get_stale(self.stale_if_error)
        if stale is not None:
            self._served_stale()
            return stale
        self._count("cooldown_refusals")
        assert self.last_error is not None
        raise _copy_error(self.last_error)

    def _served_stale(self) -> None:
        self._count("stale_served")
        self._event("stale", logging.WARNING, "JWKS %s: serving the expired key set while fetching fails: %s",
                    self.uri, self.last_error)

    def _refresh_ahead_due(self) -> bool:
        """A fresh set nearing expiry, nothing in flight, no cooldown: time to refetch in the background."""
        cache = self.jwk_set_cache
        return (
            cache is not None and cache.refresh_due(_REFRESH_AHEAD_FRACTION)
            and not self._flights and not self._cooling_down()
        )

    def _cooling_down(self) -> bool:
        last = self._last_attempt
        return last is not None and self._clock() - last < self.cooldown_duration

    def _start_attempt(self) -> None:
        self._last_attempt = self._clock()
        self._count("fetches")

    def _accept(self, fetched: _Fetched) -> PyJWKSet:
        """Record a successful fetch and cache its set."""
        with self._lock:
            cache = self.jwk_set_cache
            previous = cache.get_stale(None) if cache is not None else None
            if cache is not None:
                cache.put(fetched.jwk_set, lifespan=fetched.lifespan)
            self.last_error = None
            self._last_attempt_failed = False
        self._log_changes(previous, fetched.jwk_set)
        return fetched.jwk_set

    def _log_changes(self, previous: Optional[PyJWKSet], current: PyJWKSet) -> None:
        before = {k.key_id for k in previous.keys} if previous is not None else set()
        after = {k.key_id for k in current.keys}
        added, withdrawn = sorted(map(str, after - before)), sorted(map(str, before - after))
        level = logging.INFO if added or withdrawn else logging.DEBUG
        _log.log(level, "JWKS %s: fetched %d keys; kids added %s, withdrawn %s",
                 self.uri, len(current.keys), [shown(k) for k in added], [shown(k) for k in withdrawn])

    def _reject(self, error: PyJWTError) -> None:
        """Record a failed fetch."""
        with self._lock:
            self.last_error = error
            self._last_attempt_failed = True
        self._count("failures")
        self._event("failure", logging.WARNING, "JWKS fetch failed (%s): %s", self.uri, error)

    def _fall_back(self, error: PyJWTError) -> PyJWKSet:
        """After a failed fetch: the stale set if one may be served, else raise ``error``."""
        cache = self.jwk_set_cache
        stale = cache.get_stale(self.stale_if_error) if cache is not None else None
        if stale is None:
            raise _copy_error(error)
        self._served_stale()
        return stale

    # -- keys ----------------------------------------------------------------

    def _signing_keys(self, jwk_set: PyJWKSet) -> Tuple[List[PyJWK], Dict[str, PyJWK]]:
        """The set's keys that have a ``kid`` and may verify signatures, and a kid index.

        "May verify" is :meth:`PyJWK.usable_for`: ``use`` "sig" or absent (PyJWT's
        rule), and also ``key_ops`` allowing "verify" and a signature algorithm
        (PyJWT would hand out a JWE key-agreement key, which no token verifies with).
        """
        indexed, keys, by_kid = self._index
        if indexed is not jwk_set:
            keys = [k for k in jwk_set.keys if k.key_id and k.usable_for("verify")]
            by_kid = {}
            for key in keys:
                if isinstance(key.key_id, str):
                    by_kid.setdefault(key.key_id, key)  # the first one wins, as in match_kid
            self._index = (jwk_set, keys, by_kid)
        if not keys:
            raise PyJWKClientError("The JWKS endpoint did not contain any signing keys")
        return keys, by_kid

    def _lookup(self, jwk_set: PyJWKSet, kid: Any) -> Optional[PyJWK]:
        by_kid = self._signing_keys(jwk_set)[1]
        return by_kid.get(kid) if isinstance(kid, str) else None

    def _miss(self, kid: Any) -> None:
        self._count("kid_misses")
        self._event("kid miss", logging.INFO, 'JWKS %s: no signing key with kid "%s"', self.uri, shown(kid))

    @staticmethod
    def _not_found(kid: Any) -> PyJWKClientError:
        return PyJWKClientError(f'Unable to find a signing key that matches: "{shown(kid)}"')

    @staticmethod
    def _kid_of(token: Union[str, bytes]) -> Any:
        return decode_unverified(token)[0].get("kid")

    @staticmethod
    def match_kid(signing_keys: List[PyJWK], kid: str) -> Optional[PyJWK]:
        """The first key in ``signing_keys`` whose ``kid`` equals ``kid``, or None."""
        for key in signing_keys:
            if key.key_id == kid:
                return key
        return None


class PyJWKClient(_ClientBase):
    """Signing keys from a JWKS endpoint, for threaded code (PyJWT's ``PyJWKClient``).

    ``PyJWKClient(uri, cache_keys=False, max_cached_keys=16, cache_jwk_set=True,
    lifespan=300, headers=None, timeout=30, ssl_context=None,
    cooldown_duration=30, *, max_response_bytes=1 MiB, stale_if_error=86400,
    clock=time.monotonic)``; the module docstring gives the rules. Raises
    :class:`PyJWKClientError` for a non-http(s) or malformed ``uri`` and for
    out-of-range numbers (``lifespan``, ``timeout`` and ``max_response_bytes``
    must be > 0, ``cooldown_duration`` finite and >= 0, ``stale_if_error``
    None or >= 0). Thread-safe and fork-safe.
    """

    def fetch_data(self) -> Any:
        """GET the endpoint once (no stale fallback, no single flight) and return its JSON object.

        With the set cache on, the set is cached. Subclasses may override this
        (as with PyJWT) to fetch another way; the client then caches what it
        returns (a JWKS dict or a ``PyJWKSet``) for ``lifespan`` seconds.
        Raises :class:`PyJWKClientConnectionError` (network, HTTP error,
        redirect, timeout), :class:`PyJWKClientError` (not a JSON object, too
        large) or :class:`PyJWKSetError` (no usable key, when caching).
        """
        response = self._http_get()
        data = _parse_object(response.body)
        if self.jwk_set_cache is not None:
            self._accept(_Fetched(_as_jwk_set(data), self._lifespan_of(response)))
        return data

    def get_jwk_set(self, refresh: bool = False) -> PyJWKSet:
        """The key set: cached while fresh, else fetched (``refresh=True``: fetched now).

        A failed fetch falls back on the stale set when allowed; otherwise it
        raises what :meth:`fetch_data` raises.
        """
        return self._obtain(_REFRESH if refresh else _NORMAL)[0]

    def warm_up(self) -> PyJWKSet:
        """Fetch the set now (at start-up) and return it; raise if the fetch fails, stale set or not.

        :class:`PyJWKClientConnectionError` (or what :meth:`fetch_data`
        raises) lets a service refuse to start while its IdP is unreachable.
        """
        return self._obtain(_REFRESH, fall_back=False)[0]

    def get_signing_keys(self, refresh: bool = False) -> List[PyJWK]:
        """The set's keys with ``use`` "sig" (or none) and a ``kid``; PyJWKClientError if there are none."""
        return list(self._signing_keys(self.get_jwk_set(refresh))[0])

    def get_signing_key(self, kid: str) -> PyJWK:
        """The signing key whose ``kid`` is ``kid``, refetching once (cooldown permitting) if it is unknown.

        Raises :class:`PyJWKClientError` when no key matches, or what
        :meth:`get_jwk_set` raises.
        """
        jwk_set, fetched = self._obtain(_NORMAL)
        key = self._lookup(jwk_set, kid)
        if key is None:
            self._miss(kid)
            if not fetched and isinstance(kid, str):
                key = self._lookup(self._obtain(_UNKNOWN_KID)[0], kid)
        if key is None:
            raise self._not_found(kid)
        return key

    def get_signing_key_from_jwt(self, token: Union[str, bytes]) -> PyJWK:
        """The signing key named by the (unverified) ``kid`` header of ``token``.

        Raises :class:`DecodeError`/:class:`InvalidTokenError` for a malformed
        token and what :meth:`get_signing_key` raises.
        """
        return self.get_signing_key(self._kid_of(token))

    @classmethod
    def from_issuer(cls, issuer: str, *, allow_http_localhost: bool = False, **kwargs: Any) -> PyJWKClient:
        """A client for the JWKS of ``issuer``, found by OpenID Connect / RFC 8414 discovery (fetched now).

        See :func:`cyjose._fetch.discovery.discover`: the metadata's ``issuer``
        must equal ``issuer`` exactly and its ``jwks_uri`` must be https
        (``allow_http_localhost=True`` allows http to a loopback host, for
        tests and local IdPs). ``kwargs`` are the client's own arguments
        (``timeout``, ``headers`` and ``ssl_context`` serve the discovery
        request too). Raises :class:`PyJWKClientError` /
        :class:`PyJWKClientConnectionError`.
        """
        return cls(_discovered_jwks_uri(issuer, allow_http_localhost, kwargs), **kwargs)

    def _obtain(self, mode: str, fall_back: bool = True) -> Tuple[PyJWKSet, bool]:
        """``(set, fetched)``: ``fetched`` is True when this call waited for a fetch."""
        cache = self.jwk_set_cache
        if mode == _NORMAL and cache is not None:
            fresh = cache.get()  # lock-free fast path
            if fresh is not None:
                if self._refresh_ahead_due():
                    self._refresh_in_background()
                return fresh, False
        with self._lock:
            flight = self._flights.get(None)
            ready = self._plan(mode, flying=flight is not None)
            if ready is not None:
                return ready, False
            leader = flight is None
            if flight is None:
                flight = self._take_off()
        if leader:
            self._lead(flight)
        elif not flight.done.wait(max(0.0, flight.deadline + _WAIT_GRACE - time.monotonic())):
            return self._after_failure(fetch_failed("timed out waiting for the fetch in progress"), fall_back), True
        if flight.jwk_set is not None:
            return flight.jwk_set, True
        return self._after_failure(flight.error or fetch_failed("the fetch in progress failed"), fall_back), True

    def _after_failure(self, error: PyJWTError, fall_back: bool) -> PyJWKSet:
        if not fall_back:
            raise _copy_error(error)
        return self._fall_back(error)

    def _take_off(self) -> _Flight:
        """Start an attempt (the lock held): the flight every other caller joins."""
        flight = self._flights[None] = _Flight(time.monotonic() + self.timeout)
        self._start_attempt()
        return flight

    def _refresh_in_background(self) -> None:
        """Refetch a set nearing expiry in a daemon thread; callers keep the current set meanwhile."""
        with self._lock:
            if not self._refresh_ahead_due():  # another caller got here first
                return
            flight = self._take_off()
        self._count("refreshes_ahead")
        threading.Thread(target=self._lead, args=(flight,), name="cyjose-jwks-refresh", daemon=True).start()

    def _lead(self, flight: _Flight) -> None:
        try:
            flight.jwk_set = self._accept(self._fetch_once())
        except PyJWTError as error:
            self._reject(error)
            flight.error = error
        finally:
            with self._lock:
                if self._flights.get(None) is flight:  # (a forked child has dropped it)
                    del self._flights[None]
            flight.done.set()

    def _fetch_once(self) -> _Fetched:
        if type(self).fetch_data is not PyJWKClient.fetch_data:
            return _Fetched(_as_jwk_set(self.fetch_data()), self.lifespan)
        return self._download()


class AsyncPyJWKClient(_ClientBase):
    """:class:`PyJWKClient` for asyncio: the same arguments and rules, coroutine methods.

    Needs no HTTP library: the stdlib fetch runs in the event loop's default
    executor. To use an async HTTP client instead, override
    :meth:`fetch_data` with a coroutine returning the endpoint's JSON object
    (and raising :class:`PyJWKClientConnectionError` on failure). One fetch
    task per event loop is shared by every coroutine that needs it; callers
    that give up or are cancelled do not cancel it. A set nearing expiry is
    refetched by a background task while callers keep the current one.
    """

    async def fetch_data(self) -> Any:
        """Async :meth:`PyJWKClient.fetch_data` (same result, caching and errors)."""
        response = await asyncio.get_running_loop().run_in_executor(None, self._http_get)
        data = _parse_object(response.body)
        if self.jwk_set_cache is not None:
            self._accept(_Fetched(_as_jwk_set(data), self._lifespan_of(response)))
        return data

    async def get_jwk_set(self, refresh: bool = False) -> PyJWKSet:
        """Async :meth:`PyJWKClient.get_jwk_set`."""
        return (await self._obtain(_REFRESH if refresh else _NORMAL))[0]

    async def warm_up(self) -> PyJWKSet:
        """Async :meth:`PyJWKClient.warm_up`."""
        return (await self._obtain(_REFRESH, fall_back=False))[0]

    async def get_signing_keys(self, refresh: bool = False) -> List[PyJWK]:
        """Async :meth:`PyJWKClient.get_signing_keys`."""
        return list(self._signing_keys(await self.get_jwk_set(refresh))[0])

    async def get_signing_key(self, kid: str) -> PyJWK:
        """Async :meth:`PyJWKClient.get_signing_key`."""
        jwk_set, fetched = await self._obtain(_NORMAL)
        key = self._lookup(jwk_set, kid)
        if key is None:
            self._miss(kid)
            if not fetched and isinstance(kid, str):
                key = self._lookup((await self._obtain(_UNKNOWN_KID))[0], kid)
        if key is None:
            raise self._not_found(kid)
        return key

    async def get_signing_key_from_jwt(self, token: Union[str, bytes]) -> PyJWK:
        """Async :meth:`PyJWKClient.get_signing_key_from_jwt`."""
        return await self.get_signing_key(self._kid_of(token))

    @classmethod
    async def from_issuer(cls, issuer: str, *, allow_http_localhost: bool = False, **kwargs: Any) -> AsyncPyJWKClient:
        """Async :meth:`PyJWKClient.from_issuer` (the discovery request runs in the default executor)."""
        loop = asyncio.get_running_loop()
        uri = await loop.run_in_executor(None, _discovered_jwks_uri, issuer, allow_http_localhost, kwargs)
        return cls(uri, **kwargs)

    async def _obtain(self, mode: str, fall_back: bool = True) -> Tuple[PyJWKSet, bool]:
        loop = asyncio.get_running_loop()
        with self._lock:
            flight = self._flights.get(loop)
            ready = self._plan(mode, flying=flight is not None)
            if ready is not None:
                if mode == _NORMAL and self._refresh_ahead_due():
                    self._take_off(loop)
                    self._count("refreshes_ahead")
                return ready, False
            if flight is None:
                flight = self._take_off(loop)
        task, deadline = flight
        try:
            remaining = max(0.0, deadline + _WAIT_GRACE - loop.time())
            return await asyncio.wait_for(asyncio.shield(task), remaining), True
        except asyncio.TimeoutError:
            error: PyJWTError = fetch_failed("timed out waiting for the fetch in progress")
        except PyJWTError as failed:
            error = failed
        if not fall_back:
            raise _copy_error(error)
        return self._fall_back(error), True

    def _take_off(self, loop: asyncio.AbstractEventLoop) -> Tuple[asyncio.Task[PyJWKSet], float]:
        """Start an attempt (the lock held): the task every coroutine of ``loop`` joins."""
        self._start_attempt()
        task = loop.create_task(self._lead(loop))
        task.add_done_callback(_consume_outcome)
        flight = self._flights[loop] = (task, loop.time() + self.timeout)
        return flight

    async def _lead(self, loop: asyncio.AbstractEventLoop) -> PyJWKSet:
        try:
            return self._accept(await self._fetch_once())
        except PyJWTError as error:
            self._reject(error)
            raise
        finally:
            with self._lock:
                self._flights.pop(loop, None)

    async def _fetch_once(self) -> _Fetched:
        if type(self).fetch_data is not AsyncPyJWKClient.fetch_data:
            return _Fetched(_as_jwk_set(await self.fetch_data()), self.lifespan)
        return await asyncio.get_running_loop().run_in_executor(None, self._download)


def _discovered_jwks_uri(issuer: str, allow_http_localhost: bool, kwargs: Dict[str, Any]) -> str:
    """The ``jwks_uri`` of ``issuer``'s metadata, fetched with the client's timeout, headers and TLS context."""
    from ._fetch.discovery import discover  # only clients built by discovery need it

    options = {name: kwargs[name] for name in ("timeout", "headers", "ssl_context") if kwargs.get(name) is not None}
    metadata = discover(issuer, allow_http_localhost=allow_http_localhost, **options)
    return str(metadata["jwks_uri"])
