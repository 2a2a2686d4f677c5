"""A scriptable JWKS endpoint on 127.0.0.1 (port 0) for the JWKS client tests.

``JWKSServer`` runs the stdlib ``ThreadingHTTPServer`` in a daemon thread.
Each path answers with its current :class:`Reply` (404 when none is set);
the server counts the requests per path and keeps the last request's headers.
A reply can hold its answer until an ``Event`` is set (to line up concurrent
clients), stall, or trickle its body byte by byte. ``close()`` releases every
held or stalled handler, so tests never wait for a sleeping server thread.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Optional

__all__ = ["Reply", "JWKSServer"]


@dataclass
class Reply:
    """What one path answers.

    ``hold``: answer only once this event is set. ``stall``: seconds to wait
    before answering. ``trickle``: seconds between body bytes.
    ``content_length``: send the header (off: the body ends when the
    connection closes).
    """

    status: int = 200
    body: bytes = b""
    headers: Dict[str, str] = field(default_factory=dict)
    hold: Optional[threading.Event] = None
    stall: float = 0.0
    trickle: float = 0.0
    content_length: bool = True


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 -- the stdlib's naming
        owner = self.server.owner
        reply = owner._arrive(self.path, dict(self.headers))
        if reply.hold is not None:
            while not reply.hold.wait(0.02) and not owner.closing.is_set():
                pass
        if reply.stall and owner.closing.wait(reply.stall):
            return
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.content_length:
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self._write_body(reply, owner.closing)

    def _write_body(self, reply: Reply, closing: threading.Event) -> None:
        if not reply.trickle:
            self.wfile.write(reply.body)
            return
        for i in range(len(reply.body)):
            if closing.wait(reply.trickle):
                return
            self.wfile.write(reply.body[i : i + 1])
            self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: JWKSServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up early (size limit, timeouts) are part of the tests


class JWKSServer:
    """The endpoint; use as a context manager or call :meth:`close`."""

    def __init__(self) -> None:
        self.closing = threading.Event()
        self._lock = threading.Condition()
        self._replies: Dict[str, Reply] = {}
        self._hits: Counter = Counter()
        self.last_headers: Dict[str, str] = {}
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    def url(self, path: str = "/jwks") -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{path}"

    def reply(self, reply: Reply, path: str = "/jwks") -> Reply:
        with self._lock:
            self._replies[path] = reply
        return reply

    def serve_json(self, value: Any, headers: Optional[Dict[str, str]] = None, path: str = "/jwks", **kw: Any) -> Reply:
        """Answer ``path`` with ``value`` as JSON (status 200 unless ``status=`` is given)."""
        all_headers = {"Content-Type": "application/json", **(headers or {})}
        return self.reply(Reply(body=json.dumps(value).encode(), headers=all_headers, **kw), path)

    def hits(self, path: str = "/jwks") -> int:
        with self._lock:
            return self._hits[path]

    def wait_for_hits(self, count: int, path: str = "/jwks", timeout: float = 5.0) -> bool:
        """True once ``path`` has seen ``count`` requests (False after ``timeout`` seconds)."""
        end = time.monotonic() + timeout
        with self._lock:
            while self._hits[path] < count:
                left = end - time.monotonic()
                if left <= 0:
                    return False
                self._lock.wait(left)
            return True

    def _arrive(self, path: str, headers: Dict[str, str]) -> Reply:
        with self._lock:
            self._hits[path] += 1
            self.last_headers = headers
            self._lock.notify_all()
            return self._replies.get(path) or Reply(status=404, body=b"not found")

    def close(self) -> None:
        self.closing.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> JWKSServer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
