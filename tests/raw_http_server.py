"""A byte-by-byte scriptable HTTP server on 127.0.0.1 (port 0) for the misbehaviour tests of cyjose._fetch.

Each accepted connection runs in a daemon thread: the server reads the request
head (bounded in size and time), records it, and runs the next behaviour
queued for the request's path (the last one queued repeats; a path with none
answers 404). A behaviour writes what it likes: a whole answer, a trickle,
nothing, a reset. Every wait ends early on :meth:`RawHTTPServer.close`, which
also joins every thread (each within a bound), so no test waits on a sleeping
server.

``tls``: an ``ssl.SSLContext`` (server side) to speak HTTPS; the handshake is
done in the connection's thread.
"""

from __future__ import annotations

import socket
import ssl
import struct
import threading
import time
from collections import defaultdict
from typing import Callable, Dict, List, NamedTuple, Optional
from urllib.parse import urlsplit

__all__ = ["RawHTTPServer", "Request", "Behaviour", "respond", "trickle_head", "trickle_body", "stall",
           "reset", "close_early", "truncated"]

_MAX_HEAD = 64 * 1024
_HEAD_TIMEOUT = 5.0
_JOIN_TIMEOUT = 2.0


class Request(NamedTuple):
    method: str
    target: str  # as sent: a path, or an absolute URI when sent to a proxy
    headers: List[tuple]  # (lower-cased name, value), in order, duplicates kept

    def header(self, name: str) -> List[str]:
        return [value for key, value in self.headers if key == name.lower()]


class Conn:
    """One accepted connection as a behaviour sees it."""

    def __init__(self, sock: socket.socket, closing: threading.Event) -> None:
        self.sock = sock
        self.closing = closing

    def send(self, data: bytes) -> bool:
        """Send ``data``; False once the client has gone."""
        try:
            self.sock.sendall(data)
            return True
        except OSError:
            return False

    def trickle(self, data: bytes, every: float) -> None:
        """One byte of ``data`` every ``every`` seconds, until done, closed, or the client leaves."""
        for i in range(len(data)):
            if self.closing.wait(every) or not self.send(data[i : i + 1]):
                return

    def wait(self, seconds: float) -> None:
        self.closing.wait(seconds)

    def reset(self) -> None:
        """Close with SO_LINGER 0: the client sees a TCP reset."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


Behaviour = Callable[[Conn], None]


def _head(status: int, headers: Optional[Dict[str, str]], reason: str = "Whatever") -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def respond(status: int = 200, body: bytes = b"", headers: Optional[Dict[str, str]] = None,
            content_length: bool = True) -> Behaviour:
    """A whole answer at once (``content_length=False``: the body ends at the close)."""
    all_headers = {"Connection": "close", **(headers or {})}
    if content_length:
        all_headers["Content-Length"] = str(len(body))
    return lambda conn: conn.send(_head(status, all_headers) + body) and None


def trickle_head(every: float = 0.5, count: int = 86) -> Behaviour:
    """The status line and a header at once, then ``count`` more bytes of that header, one every ``every`` s."""
    return lambda conn: conn.send(b"HTTP/1.1 200 OK\r\nX-Slow: ") and conn.trickle(b"a" * count, every)


def trickle_body(body: bytes, every: float) -> Behaviour:
    """Headers at once (with Content-Length), then the body one byte every ``every`` s."""
    return lambda conn: conn.send(_head(200, {"Content-Length": str(len(body))})) and conn.trickle(body, every)


def stall(seconds: float = 30.0) -> Behaviour:
    """Read the request, then say nothing for ``seconds`` (or until close)."""
    return lambda conn: conn.wait(seconds)


def reset() -> Behaviour:
    return lambda conn: conn.reset()


def close_early() -> Behaviour:
    """Close without a byte: the client sees the connection end before the status line."""
    return lambda conn: None


def truncated(body: bytes, declared: int) -> Behaviour:
    """Declare ``declared`` bytes, send ``body`` (shorter), close."""
    return lambda conn: conn.send(_head(200, {"Content-Length": str(declared)}) + body) and None


class RawHTTPServer:
    """Use as a context manager or call :meth:`close`."""

    def __init__(self, tls: Optional[ssl.SSLContext] = None) -> None:
        self.closing = threading.Event()
        self._tls = tls
        self._lock = threading.Lock()
        self._scripts: Dict[str, List[Behaviour]] = defaultdict(list)
        self.requests: List[Request] = []
        self.connections = 0
        #: With ``tls``: a behaviour run on the TCP connection instead of TLS (``stall()``: no ServerHello).
        self.raw_tls: Optional[Behaviour] = None
        self._threads: List[threading.Thread] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self._start(self._accept_loop)

    def url(self, path: str = "/jwks", host: str = "127.0.0.1") -> str:
        scheme = "https" if self._tls else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    def on(self, path: str, *behaviours: Behaviour) -> None:
        """Answer the next requests for ``path`` with ``behaviours`` in turn, the last one repeating."""
        with self._lock:
            self._scripts[path].extend(behaviours)

    def hits(self, path: Optional[str] = None) -> int:
        with self._lock:
            return sum(1 for r in self.requests if path is None or _path(r.target) == path)

    def _start(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self.closing.is_set():
            try:
                sock, _ = self._listener.accept()
            except (socket.timeout, TimeoutError):
                continue
            except OSError:
                return  # the listener was closed
            with self._lock:
                self.connections += 1
            self._start(self._serve, sock)

    def _serve(self, sock: socket.socket) -> None:
        try:
            sock.settimeout(_HEAD_TIMEOUT)
            if self._tls is not None:
                if self.raw_tls is not None:
                    self.raw_tls(Conn(sock, self.closing))
                    return
                sock = self._tls.wrap_socket(sock, server_side=True)
            request = _read_request(sock)
            if request is None:
                return
            with self._lock:
                self.requests.append(request)
                script = self._scripts.get(_path(request.target))
                behaviour = (script.pop(0) if len(script) > 1 else script[0]) if script else respond(404, b"none")
            behaviour(Conn(sock, self.closing))
        except OSError:
            pass  # a client hanging up early is part of the tests
        finally:
            sock.close()

    def close(self) -> None:
        self.closing.set()
        self._listener.close()
        end = time.monotonic() + _JOIN_TIMEOUT
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, end - time.monotonic()))

    def __enter__(self) -> RawHTTPServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _path(target: str) -> str:
    return urlsplit(target).path if "://" in target else target


def _read_request(sock: socket.socket) -> Optional[Request]:
    """The request head (its body, if any, is not read: GETs have none); None when the client left."""
    data = b""
    while b"\r\n\r\n" not in data:
        if len(data) > _MAX_HEAD:
            return None
        chunk = sock.recv(4096)
        if not chunk:
            return None
        data += chunk
    lines = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = [(k.strip().lower(), v.strip()) for k, _, v in (line.partition(":") for line in lines[1:])]
    return Request(method, target, headers)
