"""A real HTTP webhook receiver on loopback, in a thread: records every request, answers scripted status
codes, and notes any webhook-id that arrives while the same id is still being handled."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    status: int

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    def verified(self, secret: str) -> Any:
        """The payload, checked with the public standardwebhooks library (raises if the signature is bad)."""
        return Webhook(secret).verify(self.body, self.headers)


@dataclass
class Receiver:
    url: str = ""
    delay: float = 0.0
    script: list[int] = field(default_factory=list)  # status codes to answer first; then 200
    received: list[Received] = field(default_factory=list)
    overlaps: list[str] = field(default_factory=list)
    _in_flight: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        webhook_id = headers.get("webhook-id", "")
        with self._lock:
            if webhook_id in self._in_flight:
                self.overlaps.append(webhook_id)
            self._in_flight.add(webhook_id)
            status = self.script.pop(0) if self.script else 200
            self.received.append(Received(headers, body, status))
        try:
            if self.delay:
                time.sleep(self.delay)
        finally:
            with self._lock:
                self._in_flight.discard(webhook_id)
        return status

    def ids(self) -> list[str]:
        with self._lock:
            return [item.webhook_id for item in self.received]

    def successes(self) -> list[Received]:
        with self._lock:
            return [item for item in self.received if item.status == 200]


@contextmanager
def running_receiver(*, delay: float = 0.0, script: list[int] | None = None) -> Iterator[Receiver]:
    """A receiver at http://127.0.0.1:<port>/hooks/<random>; other paths get 404 and are not recorded
    (a port reused from an earlier test's receiver must not mix that test's retries in)."""
    receiver = Receiver(delay=delay, script=list(script or []))
    path = f"/hooks/{secrets.token_hex(8)}"

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            if self.path != path:
                self.send_response(404)
                self.send_header("content-length", "0")
                self.end_headers()
                return
            status = receiver.handle({key.lower(): value for key, value in self.headers.items()}, body)
            try:
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()
            except OSError:
                pass  # the worker went away mid-request (the SIGKILL test)

        def log_message(self, *_args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 256  # a worker opens a batch's connections at once

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
