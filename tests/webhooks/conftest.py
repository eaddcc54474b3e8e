"""Webhook tests: a real receiver on 127.0.0.1 (an ephemeral port, a thread of its own) that checks
each request's signature with the very code docs/webhooks.md gives users, and an endpoint for it."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from parting.webhooks.models import EVENTS, Endpoint

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def documented_check():
    """The verification function as docs/webhooks.md prints it, executed as written."""
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.S)
    assert len(blocks) == 1, "docs/webhooks.md has one Python example"
    namespace: dict = {}
    exec(compile(blocks[0], str(DOCS), "exec"), namespace)  # noqa: S102 (our own documentation)
    return namespace["parting_webhook_verified"]


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    verified: bool


@dataclass
class Receiver:
    url: str
    secret: str = ""
    status: int = 200
    answer: bytes = b"ok"
    location: str = ""
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ids(self) -> list[str]:
        return [r.headers["Parting-Webhook-Id"] for r in self.received]


@pytest.fixture
def receiver(settings):
    """A receiver on this machine stands for one on the firm's own network: private addresses allowed."""
    settings.PARTING_WEBHOOK_ALLOW_PRIVATE = True
    check = documented_check()
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            verified = bool(state.secret) and check(state.secret, self.headers, body)
            with state.lock:
                state.received.append(Received(self.path, dict(self.headers.items()), body, verified))
            self.send_response(state.status)
            if state.location:
                self.send_header("Location", state.location)
            self.send_header("Content-Length", str(len(state.answer)))
            self.end_headers()
            self.wfile.write(state.answer)

        def log_message(self, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/parting"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def endpoint(firm, receiver):
    """An active endpoint of ``firm`` that wants every event, pointed at the receiver."""
    row = Endpoint.objects.create(firm=firm, url=receiver.url, events=list(EVENTS))
    receiver.secret = row.secret
    return row
