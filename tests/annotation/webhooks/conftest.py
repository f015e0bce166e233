"""A real HTTP receiver on 127.0.0.1 (http.server in a thread) and the scene the webhook tests share."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from annotation.models import WebhookEndpoint
from annotation.webhooks import services as webhooks
from tasks.models import Project


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Records every POST; answers each with the next of `answers` (status, body, headers), then 200."""

    url: str
    requests: list[Received] = field(default_factory=list)
    answers: list[tuple[int, bytes, dict[str, str]]] = field(default_factory=list)

    def answer(self, status: int, body: bytes = b"", **headers: str) -> None:
        self.answers.append((status, body, headers))

    def wait_for(self, count: int, *, timeout: float = 60) -> list[Received]:
        """Poll until `count` requests came in (no fixed sleep); the requests so far either way."""
        deadline = time.monotonic() + timeout
        while len(self.requests) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.requests)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.requests.append(Received(self.path, dict(self.headers.items()), body))
            status, reply, extra = state.answers.pop(0) if state.answers else (200, b"ok", {})
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_private(settings: Any) -> None:
    """The receiver is on loopback, which WEBHOOK_ALLOW_PRIVATE must allow."""
    settings.WEBHOOK_ALLOW_PRIVATE = True


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (the port was just free): connection refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/dead"


def endpoint_for(project: Project, url: str, events: list[str] | None = None) -> WebhookEndpoint:
    """An endpoint registered through the service (with the setting on for a loopback URL)."""
    return webhooks.create_endpoint(project=project, url=url, events=events or list(webhooks.EVENTS), user=None)
